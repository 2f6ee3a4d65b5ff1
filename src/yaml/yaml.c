/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Canonical YAML loader (bondgen.yaml(5)).
 *
 * Three steps over one buffer:
 *  1. y_prepass(): libyaml events against the schema; structural errors with
 *     line/column, and the position of every node by key path;
 *  2. cyaml_load_data() with the same schema into the string-only y_doc;
 *  3. conversion into struct bg_model: values are parsed here (options
 *     through the catalogue), each error at the position of its value.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "yaml-internal.h"
#include "yaml.h"
#include "util/array.h"

struct conv {
        struct bg_model *m;
        struct bg_diags *diags;
        const char *file;             /* interned in m */
        const struct y_index *idx;
        const struct y_schema *s;
        int oom;
};

static struct bg_loc loc_of(const struct conv *c, const char *path, bool key) {
        const struct y_node *n = y_index_find(c->idx, path);
        struct bg_loc loc = { .file = c->file };

        if (n) {
                loc.line = key && n->key_line ? n->key_line : n->line;
                loc.col = key && n->key_line ? n->key_col : n->col;
        }
        return loc;
}

static void cerr(struct conv *c, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void cerr(struct conv *c, const char *path, const char *fmt, ...) {
        struct bg_loc loc = loc_of(c, path, false);
        va_list ap;

        va_start(ap, fmt);
        if (bg_diag_addv(c->diags, BG_DIAG_ERROR, &loc, path, fmt, ap) < 0)
                c->oom = -ENOMEM;
        va_end(ap);
}

/* Option values go through the catalogue; the error names the key path. */
static int set_opt(struct conv *c, struct bg_bond *b, enum bg_opt id, const char *text,
                   const char *path, const struct bg_loc *kloc) {
        char msg[512];
        int r;

        r = bg_opt_parse_value(bg_opt_get(id), text, &b->opts[id], msg, sizeof(msg));
        if (r == -ENOMEM) {
                c->oom = r;
                return r;
        }
        if (r < 0) {
                /* In YAML on/off options are written as booleans. */
                if (bg_opt_get(id)->type == BG_OT_BOOL)
                        cerr(c, path, "invalid value '%s' for %s (use true or false)", text,
                             bg_opt_get(id)->name);
                else
                        cerr(c, path, "%s", msg);
                return r;
        }
        b->opt_loc[id] = *kloc;
        return 0;
}

/* The kernel's dev_valid_name(): 1-15 bytes, not "." or "..", no '/', ':'
 * or white space. */
static bool ifname_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
                        return false;
        return true;
}

/* A valid interface name, or the error at path. */
static bool conv_ifname(struct conv *c, const char *path, const char *name) {
        if (ifname_valid(name))
                return true;
        cerr(c, path, "invalid interface name '%s' (1-15 bytes, no '/', ':' or spaces)", name);
        return false;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out) {
        uint64_t v = 0;

        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                if (v > (max - (uint64_t)(*p - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        *out = v;
        return 0;
}

/* Only true and false: libcyaml's own boolean would take "n" or a typo
 * for true (libcyaml treats only false/no/off/disable/0 as false). */
static int conv_bool(struct conv *c, const char *path, const char *text, bool *out) {
        const struct y_node *n = y_index_find(c->idx, path);

        if (n && n->plain && !strcmp(text, "true")) {
                *out = true;
                return 0;
        }
        if (n && n->plain && !strcmp(text, "false")) {
                *out = false;
                return 0;
        }
        cerr(c, path, "invalid boolean '%s' (use true or false, unquoted)", text);
        return -EINVAL;
}

/* 6-byte Ethernet or 20-byte InfiniBand (IPoIB ports). */
static int conv_mac(struct conv *c, const char *path, const char *text, struct bg_hwaddr *out) {
        if (bg_hwaddr_parse(text, out) < 0) {
                cerr(c, path, "invalid MAC address '%s' (expected aa:bb:cc:dd:ee:ff)", text);
                return -EINVAL;
        }
        return 0;
}

/* A plain address of the family, with its position. */
static int conv_addr(struct conv *c, const char *path, const char *text, int family, struct bg_addr *out) {
        *out = (struct bg_addr){ .loc = loc_of(c, path, false) };
        if (bg_addr_parse_ip(text, out) < 0 || out->family != family)
                return -EINVAL;
        return 0;
}

static const char *family_name(int family) {
        return family == AF_INET ? "IPv4" : "IPv6";
}

static int conv_prefix(struct conv *c, const char *path, const char *text, int family,
                       struct bg_addr *out) {
        *out = (struct bg_addr){ .loc = loc_of(c, path, false) };
        if (bg_addr_parse_prefix(text, out) < 0) {
                cerr(c, path, "invalid address '%s' (expected %s/PREFIX)", text,
                     family == AF_INET ? "10.0.0.1" : "2001:db8::1");
                return -EINVAL;
        }
        if (out->family != family) {
                cerr(c, path, "'%s' is not an %s address", text, family_name(family));
                return -EINVAL;
        }
        return 0;
}

static void conv_ip(struct conv *c, struct bg_ipcfg *ip, const struct y_ip *y, int family,
                    const char *base) {
        char path[256];

        ip->loc = loc_of(c, base, true);
        if (y->method) {
                snprintf(path, sizeof(path), "%s.method", base);
                if (bg_ip_method_from_string(y->method, &ip->method) < 0)
                        cerr(c, path, "invalid method '%s' (use static, dhcp or none)", y->method);
        }
        for (uint32_t i = 0; i < y->n_addresses; i++) {
                struct bg_addr a;

                snprintf(path, sizeof(path), "%s.addresses[%u]", base, i);
                if (conv_prefix(c, path, y->addresses[i], family, &a) < 0)
                        continue;
                if (bg_ipcfg_add_addr(ip, &a) < 0)
                        c->oom = -ENOMEM;
        }
        if (y->gateway) {
                snprintf(path, sizeof(path), "%s.gateway", base);
                if (conv_addr(c, path, y->gateway, family, &ip->gateway) < 0) {
                        cerr(c, path, "invalid %s gateway '%s'", family_name(family), y->gateway);
                        ip->gateway = (struct bg_addr){ 0 };
                }
        }
        for (uint32_t i = 0; i < y->n_routes; i++) {
                const struct y_route *r = &y->routes[i];
                struct bg_route rt = { 0 };
                uint64_t metric = 0;
                bool ok = true;

                snprintf(path, sizeof(path), "%s.routes[%u].to", base, i);
                if (!strcmp(r->to, "default")) {
                        static const uint8_t zero[16];

                        rt.is_default = true;
                        rt.to.loc = loc_of(c, path, false);
                        bg_addr_make(family, zero, 0, &rt.to);
                } else if (conv_prefix(c, path, r->to, family, &rt.to) < 0)
                        ok = false;
                snprintf(path, sizeof(path), "%s.routes[%u].via", base, i);
                if (r->via && conv_addr(c, path, r->via, family, &rt.via) < 0) {
                        cerr(c, path, "invalid %s gateway '%s'", family_name(family), r->via);
                        ok = false;
                }
                snprintf(path, sizeof(path), "%s.routes[%u].metric", base, i);
                if (r->metric && (parse_uint(r->metric, UINT32_MAX, &metric) < 0 || metric == 0)) {
                        cerr(c, path, "invalid metric '%s' (1-4294967295; leave it out for the "
                             "default)", r->metric);
                        ok = false;
                }
                if (!ok)
                        continue;
                rt.metric = (uint32_t)metric;
                snprintf(path, sizeof(path), "%s.routes[%u]", base, i);
                rt.loc = loc_of(c, path, false);
                if (bg_ipcfg_append_route(ip, &rt) < 0)
                        c->oom = -ENOMEM;
        }
        for (uint32_t i = 0; i < y->n_dns; i++) {
                struct bg_addr a;

                snprintf(path, sizeof(path), "%s.dns[%u]", base, i);
                /* Either family: validation says which section it belongs in. */
                a = (struct bg_addr){ .loc = loc_of(c, path, false) };
                if (bg_addr_parse_ip(y->dns[i], &a) < 0)
                        cerr(c, path, "invalid DNS server address '%s'", y->dns[i]);
                else if (bg_ipcfg_add_dns_addr(ip, &a) < 0)
                        c->oom = -ENOMEM;
        }
}

/* Where the keys every interface kind has (struct y_l3) go in the model. */
struct l3_out {
        bool *onboot;
        uint32_t *mtu;
        struct bg_hwaddr *mac;
        struct bg_ipcfg *ipv4, *ipv6;
        char **dhcp_hostname;
};

/* RFC 1123 host name: dot-separated labels of letters, digits and '-',
 * none starting or ending with '-', each 1-63 bytes, 253 in all. */
static bool hostname_valid(const char *s) {
        size_t n = strlen(s), label = 0;

        if (n == 0 || n > 253)
                return false;
        for (size_t i = 0; i < n; i++) {
                char ch = s[i];

                if (ch == '.') {
                        if (label == 0 || s[i - 1] == '-')
                                return false;
                        label = 0;
                        continue;
                }
                if (!isalnum((unsigned char)ch) && ch != '-')
                        return false;
                if (ch == '-' && label == 0)
                        return false;
                if (++label > 63)
                        return false;
        }
        return s[n - 1] != '-' && s[n - 1] != '.';
}

/* dhcp: is shorthand for the methods of the two sections: it sets the
 * method of each family it names and must not contradict one given. */
static void conv_dhcp(struct conv *c, const char *base, const char *text, struct bg_ipcfg *v4,
                      struct bg_ipcfg *v6) {
        struct bg_ipcfg *fam[2] = { v4, v6 };
        const char *sec[2] = { "ipv4", "ipv6" };
        char path[256];
        bool want[2];

        snprintf(path, sizeof(path), "%s.dhcp", base);
        if (!strcmp(text, "ipv4"))
                want[0] = true, want[1] = false;
        else if (!strcmp(text, "ipv6"))
                want[0] = false, want[1] = true;
        else if (!strcmp(text, "both"))
                want[0] = want[1] = true;
        else if (!strcmp(text, "no"))
                want[0] = want[1] = false;
        else {
                cerr(c, path, "invalid value '%s' (use ipv4, ipv6, both or no)", text);
                return;
        }
        for (int i = 0; i < 2; i++) {
                if (want[i] && fam[i]->method == BG_IP_STATIC)
                        cerr(c, path, "dhcp: %s contradicts %s.method: static", text, sec[i]);
                else if (!want[i] && fam[i]->method == BG_IP_DHCP)
                        cerr(c, path, "dhcp: %s contradicts %s.method: dhcp", text, sec[i]);
                else if (want[i]) {
                        fam[i]->method = BG_IP_DHCP;
                        if (!fam[i]->loc.file)
                                fam[i]->loc = loc_of(c, path, true);
                }
        }
}

static void conv_l3(struct conv *c, const char *base, const struct y_l3 *y, const struct l3_out *o) {
        char path[256];

        if (y->onboot) {
                snprintf(path, sizeof(path), "%s.onboot", base);
                conv_bool(c, path, y->onboot, o->onboot);
        }
        if (y->mtu) {
                uint64_t v;

                snprintf(path, sizeof(path), "%s.mtu", base);
                /* 68 is the kernel's ETH_MIN_MTU; 65535 the largest any
                 * bond port driver takes. */
                if (parse_uint(y->mtu, 65535, &v) < 0 || v < 68)
                        cerr(c, path, "invalid mtu '%s' (68-65535)", y->mtu);
                else
                        *o->mtu = (uint32_t)v;
        }
        if (y->mac) {
                snprintf(path, sizeof(path), "%s.mac", base);
                (void) conv_mac(c, path, y->mac, o->mac);
        }
        if (y->ipv4) {
                snprintf(path, sizeof(path), "%s.ipv4", base);
                conv_ip(c, o->ipv4, y->ipv4, AF_INET, path);
        }
        if (y->ipv6) {
                snprintf(path, sizeof(path), "%s.ipv6", base);
                conv_ip(c, o->ipv6, y->ipv6, AF_INET6, path);
        }
        if (y->dhcp)
                conv_dhcp(c, base, y->dhcp, o->ipv4, o->ipv6);
        if (y->dhcp_hostname) {
                snprintf(path, sizeof(path), "%s.dhcp-hostname", base);
                if (!hostname_valid(y->dhcp_hostname))
                        cerr(c, path, "invalid host name '%s' (letters, digits, '-' and '.', "
                             "at most 253 bytes)", y->dhcp_hostname);
                else if (bg_set_str(o->dhcp_hostname, y->dhcp_hostname) < 0)
                        c->oom = -ENOMEM;
        }
}

static void conv_vlan(struct conv *c, const struct y_vlan *y, uint32_t i) {
        char base[32], path[256];
        struct bg_vlan *v;
        uint64_t id = 0;

        snprintf(base, sizeof(base), "vlans[%u]", i);
        snprintf(path, sizeof(path), "%s.name", base);
        conv_ifname(c, path, y->name);
        snprintf(path, sizeof(path), "%s.id", base);
        /* 0 means "priority tag only" and 4095 is reserved (IEEE 802.1Q
         * Table 9-2); the kernel's vlan_validate() refuses both. */
        if (parse_uint(y->id, 4094, &id) < 0 || id == 0)
                cerr(c, path, "invalid VLAN id '%s' (1-4094)", y->id);
        snprintf(path, sizeof(path), "%s.link", base);
        conv_ifname(c, path, y->link);
        v = bg_model_add_vlan(c->m, y->name, y->link, (uint16_t)id);
        if (!v) {
                c->oom = -ENOMEM;
                return;
        }
        v->loc = loc_of(c, base, false);
        snprintf(path, sizeof(path), "%s.id", base);
        v->id_loc = loc_of(c, path, false);
        snprintf(path, sizeof(path), "%s.link", base);
        v->link_loc = loc_of(c, path, false);
        conv_l3(c, base, &y->l3, &(struct l3_out){ &v->onboot, &v->mtu, &v->mac, &v->ipv4, &v->ipv6, &v->dhcp_hostname });
}

/* A whole number of seconds in [min, max], or the error. */
static void conv_secs(struct conv *c, const char *base, const char *key, const char *text,
                      uint64_t min, uint64_t max, int32_t *out) {
        char path[256];
        uint64_t v;

        if (!text)
                return;
        snprintf(path, sizeof(path), "%s.%s", base, key);
        if (parse_uint(text, max, &v) < 0 || v < min)
                cerr(c, path, "invalid %s '%s' (%s%" PRIu64 "-%" PRIu64 ")", key, text,
                     strcmp(key, "priority") ? "whole seconds, " : "", min, max);
        else
                *out = (int32_t)v;
}

static void conv_bridge(struct conv *c, const struct y_bridge *y, uint32_t i) {
        char base[32], path[256];
        struct bg_bridge *br;

        snprintf(base, sizeof(base), "bridges[%u]", i);
        snprintf(path, sizeof(path), "%s.name", base);
        conv_ifname(c, path, y->name);
        br = bg_model_add_bridge(c->m, y->name);
        if (!br) {
                c->oom = -ENOMEM;
                return;
        }
        br->loc = loc_of(c, base, false);
        for (uint32_t k = 0; k < y->n_ports; k++) {
                struct bg_port *p;

                snprintf(path, sizeof(path), "%s.ports[%u].name", base, k);
                if (!conv_ifname(c, path, y->ports[k].name))
                        continue;
                if (!(p = bg_bridge_add_port(br, y->ports[k].name))) {
                        c->oom = -ENOMEM;
                        continue;
                }
                snprintf(path, sizeof(path), "%s.ports[%u]", base, k);
                p->loc = loc_of(c, path, false);
        }
        if (y->stp) {
                bool on;

                snprintf(path, sizeof(path), "%s.stp", base);
                if (conv_bool(c, path, y->stp, &on) == 0)
                        br->stp = on ? BG_STP_ON : BG_STP_OFF;
        }
        /* The kernel's ranges (net/bridge/br_private.h BR_MIN_/BR_MAX_*);
         * forward delay 0 is accepted while STP is off (br_set_forward_delay()),
         * which validation checks. */
        conv_secs(c, base, "forward-delay", y->forward_delay, 0, 30, &br->forward_delay);
        conv_secs(c, base, "hello-time", y->hello_time, 1, 10, &br->hello_time);
        conv_secs(c, base, "max-age", y->max_age, 6, 40, &br->max_age);
        conv_secs(c, base, "priority", y->priority, 0, 65535, &br->priority);
        conv_l3(c, base, &y->l3, &(struct l3_out){ &br->onboot, &br->mtu, &br->mac, &br->ipv4, &br->ipv6, &br->dhcp_hostname });
}

static void conv_option(struct conv *c, struct bg_bond *b, size_t slot, const struct y_optslot *y,
                        const char *base, const char *first_name[]) {
        enum bg_opt id = c->s->opt_ids[slot];
        const struct bg_opt_info *o = bg_opt_get(id);
        const char *key = c->s->opt_fields[slot].key;
        char path[256], ipath[300];
        struct bg_loc kloc;

        snprintf(path, sizeof(path), "%s.options.%s", base, key);
        if (!y->scalar && !y->list && !y_index_find(c->idx, path))
                return;
        if (first_name[id]) {
                cerr(c, path, "option given twice, as %s and as %s", first_name[id], key);
                return;
        }
        first_name[id] = key;
        kloc = loc_of(c, path, true);
        if (y->scalar) {
                const char *text = y->scalar;
                const struct y_node *n = y_index_find(c->idx, path);

                /* On/off options read like YAML booleans in the canonical file. */
                if (o->type == BG_OT_BOOL && n && n->plain && !strcmp(text, "true"))
                        text = "1";
                else if (o->type == BG_OT_BOOL && n && n->plain && !strcmp(text, "false"))
                        text = "0";
                set_opt(c, b, id, text, path, &kloc);
                return;
        }
        for (uint32_t k = 0; k < y->n_list; k++) {
                const char *item = y->list[k];

                snprintf(ipath, sizeof(ipath), "%s[%u]", path, k);
                /* One value per item: the "+a", "-a" and comma forms of
                 * BONDING_OPTS would make the file order-dependent. */
                if (item[0] == '+' || item[0] == '-' || strchr(item, ',')) {
                        cerr(c, ipath, "one value per list item, without +, - or commas");
                        continue;
                }
                set_opt(c, b, id, item, ipath, &kloc);
        }
        /* An explicit empty list is kept as "set, empty". */
        b->opts[id].set = true;
        b->opt_loc[id] = kloc;
}

static void conv_bond(struct conv *c, const struct y_bond *y, uint32_t i) {
        char base[32], path[256];
        const char *first_name[BG_OPT__MAX] = { 0 };
        struct bg_bond *b;

        snprintf(base, sizeof(base), "bonds[%u]", i);
        snprintf(path, sizeof(path), "%s.name", base);
        conv_ifname(c, path, y->name);
        b = bg_model_add_bond(c->m, y->name);
        if (!b) {
                c->oom = -ENOMEM;
                return;
        }
        b->loc = loc_of(c, base, false);
        if (y->backend) {
                snprintf(path, sizeof(path), "%s.backend", base);
                if (bg_backend_from_string(y->backend, &b->backend) < 0)
                        cerr(c, path, "invalid backend '%s' (use auto, kernel or userspace)",
                             y->backend);
        }
        if (y->mode) {
                struct bg_loc kloc;

                snprintf(path, sizeof(path), "%s.mode", base);
                kloc = loc_of(c, path, true);
                set_opt(c, b, BG_OPT_MODE, y->mode, path, &kloc);
        }
        if (y->options)
                for (size_t k = 0; k < c->s->n_opt_fields; k++)
                        conv_option(c, b, k, &y->options[k], base, first_name);
        for (uint32_t k = 0; k < y->n_ports; k++) {
                const struct y_port *p = &y->ports[k];
                struct bg_hwaddr pmac = { 0 };
                struct bg_port *port;
                bool ok = true;

                snprintf(path, sizeof(path), "%s.ports[%u]", base, k);
                if (!p->name && !p->mac) {
                        cerr(c, path, "a port needs a name, a mac, or both");
                        continue;
                }
                if (p->name) {
                        snprintf(path, sizeof(path), "%s.ports[%u].name", base, k);
                        ok = conv_ifname(c, path, p->name);
                }
                if (p->mac) {
                        snprintf(path, sizeof(path), "%s.ports[%u].mac", base, k);
                        if (conv_mac(c, path, p->mac, &pmac) < 0)
                                ok = false;
                }
                if (!ok)
                        continue;
                port = bg_bond_add_port_hw(b, p->name, p->mac ? &pmac : NULL);
                if (!port) {
                        c->oom = -ENOMEM;
                        continue;
                }
                snprintf(path, sizeof(path), "%s.ports[%u]", base, k);
                port->loc = loc_of(c, path, false);
                if (p->prio) {
                        snprintf(path, sizeof(path), "%s.ports[%u].prio", base, k);
                        port->prio_loc = loc_of(c, path, false);
                        if (bg_port_prio_parse(p->prio, &port->prio) < 0)
                                cerr(c, path, "invalid prio '%s' (a whole number from %d to %d)", p->prio,
                                     INT32_MIN, INT32_MAX);
                }
        }
        conv_l3(c, base, &y->l3, &(struct l3_out){ &b->onboot, &b->mtu, &b->mac, &b->ipv4, &b->ipv6, &b->dhcp_hostname });
}

struct cylog {
        char text[2048];
        size_t len;
};

static void cyaml_capture(cyaml_log_t level, void *ctx, const char *fmt, va_list ap) {
        struct cylog *l = ctx;
        int r;

        if (l->len >= sizeof(l->text) - 1)
                return;
        r = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
        if (r > 0)
                l->len += (size_t)r < sizeof(l->text) - l->len ? (size_t)r
                                                                 : sizeof(l->text) - l->len - 1;
}

/* Only reached if the pre-pass let through something libcyaml rejects:
 * report libcyaml's first message at the first position in its backtrace. */
static void report_cyaml(const struct cylog *l, cyaml_err_t e, const char *file,
                         struct bg_diags *diags) {
        struct bg_loc loc = { .file = file };
        char msg[256] = "";
        const char *p = strstr(l->text, "Load: ");
        const char *pos = strstr(l->text, "(line: ");
        unsigned line, col;

        if (p) {
                p += strlen("Load: ");
                snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(p, "\n"), p);
        }
        if (pos && sscanf(pos, "(line: %u, column: %u)", &line, &col) == 2) {
                loc.line = line;
                loc.col = col;
        }
        bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "libcyaml: %s", *msg ? msg : cyaml_strerror(e));
}

/* Report in file order: the options are converted in catalogue order. */
static void sort_diags(struct bg_diags *d, size_t from) {
        for (size_t i = from + 1; i < d->n; i++) {
                struct bg_diag t = d->v[i];
                size_t j = i;

                while (j > from && (d->v[j - 1].line > t.line ||
                                    (d->v[j - 1].line == t.line && d->v[j - 1].col > t.col))) {
                        d->v[j] = d->v[j - 1];
                        j--;
                }
                d->v[j] = t;
        }
}

static int load_into(const char *data, size_t len, const char *name, struct bg_model *m,
                     struct bg_diags *diags) {
        const struct y_schema *s = y_schema_get();
        struct y_index idx = { 0 };
        struct y_doc *doc = NULL;
        struct cylog log = { .len = 0 };
        const cyaml_config_t cfg = {
                .log_fn = cyaml_capture,
                .log_ctx = &log,
                .mem_fn = cyaml_mem,
                .log_level = CYAML_LOG_ERROR,
                .flags = CYAML_CFG_NO_ALIAS,
        };
        size_t errors = bg_diags_count(diags, BG_DIAG_ERROR), first = diags->n;
        const char *file = bg_model_intern(m, name ? name : "-");
        struct conv c = { .m = m, .diags = diags, .file = file, .idx = &idx, .s = s };
        cyaml_err_t e;
        int r;

        if (!file)
                return -ENOMEM;
        if (len > BG_YAML_MAX_SIZE) {
                struct bg_loc loc = { .file = file };

                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL,
                            "file too large (%zu bytes, at most %u)", len, BG_YAML_MAX_SIZE);
                return -EINVAL;
        }
        if (!s)
                return -ENOMEM;
        r = y_prepass(data, len, s, file, &idx, diags);
        if (r < 0)
                goto out;
        y_index_sort(&idx);
        e = cyaml_load_data((const uint8_t *)data, len, &cfg, &s->top, (cyaml_data_t **)&doc, NULL);
        if (e != CYAML_OK) {
                if (e == CYAML_ERR_OOM) {
                        r = -ENOMEM;
                        goto out;
                }
                report_cyaml(&log, e, file, diags);
                r = -EINVAL;
                goto out;
        }
        if (!doc) {
                r = -EINVAL;
                goto out;
        }
        if (strcmp(doc->version, "1"))
                cerr(&c, "version", "unsupported version '%s' (this bondgen reads version 1)",
                     doc->version);
        else
        {
                for (uint32_t i = 0; i < doc->n_bonds && !c.oom; i++)
                        conv_bond(&c, &doc->bonds[i], i);
                for (uint32_t i = 0; i < doc->n_vlans && !c.oom; i++)
                        conv_vlan(&c, &doc->vlans[i], i);
                for (uint32_t i = 0; i < doc->n_bridges && !c.oom; i++)
                        conv_bridge(&c, &doc->bridges[i], i);
        }
        r = c.oom;
        if (r == 0 && bg_diags_count(diags, BG_DIAG_ERROR) > errors)
                r = -EINVAL;
out:
        sort_diags(diags, first);
        if (doc)
                cyaml_free(&cfg, &s->top, doc, 0);
        y_index_free(&idx);
        return r;
}

int bg_yaml_load_data(const char *data, size_t len, const char *name, struct bg_model *m,
                      struct bg_diags *diags) {
        bg_model_init(m);
        return load_into(data, len, name, m, diags);
}

static int read_into(const char *path, struct bg_model *m, struct bg_diags *diags) {
        _cleanup_free_ char *data = NULL;
        struct bg_loc loc = { .file = path };
        size_t len;
        int r;

        r = bg_read_file(path, BG_YAML_MAX_SIZE, &data, &len);
        if (r == -EFBIG) {
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "file too large (more than %u bytes)",
                            BG_YAML_MAX_SIZE);
                return -EINVAL;
        }
        if (r < 0) {
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "cannot read: %s", bg_read_strerror(r));
                return r;
        }
        return load_into(data, len, path, m, diags);
}

int bg_yaml_load_file(const char *path, struct bg_model *m, struct bg_diags *diags) {
        bg_model_init(m);
        return read_into(path, m, diags);
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_model_file(const char *name) {
        size_t n = strlen(name);

        return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".yaml");
}

int bg_yaml_load_dir(const char *dir, struct bg_model *m, struct bg_diags *diags,
                     size_t *n_files) {
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        bg_model_init(m);
        if (n_files)
                *n_files = 0;
        d = opendir(dir);
        if (!d) {
                struct bg_loc loc = { .file = dir };

                r = -errno;
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "cannot open directory: %s",
                            strerror(-r));
                return r;
        }
        while ((de = readdir(d))) {
                if (!is_model_file(de->d_name))
                        continue;
                if (BG_RESERVE(names, cap, n + 1) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                n++;
        }
        if (n > 1)
                qsort(names, n, sizeof(*names), name_cmp);
        for (size_t i = 0; i < n; i++) {
                int k = read_into(names[i], m, diags);

                /* Keep going so that every broken file is reported; an I/O
                 * error outranks bad content. */
                if (k < 0 && (r == 0 || r == -EINVAL))
                        r = k;
        }
        if (n_files)
                *n_files = n;
out:
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        closedir(d);
        return r;
}
