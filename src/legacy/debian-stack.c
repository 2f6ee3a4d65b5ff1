/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VLANs and bridges of /etc/network/interfaces (Debian's vlan package
 * hooks, bridge-utils-interfaces(5)):
 *  - A VLAN is an iface whose name is PARENT.ID, or any name with
 *    vlan-raw-device (then the id comes from a trailing number of the name,
 *    as in vlan100, or from ifupdown2's vlan-id). vlan-raw-device wins over
 *    the parent in the name.
 *  - A bridge is an iface with bridge_ports (bridge-ports): the port names,
 *    or none; "all" and regular expressions are not converted. bridge_stp
 *    on/off/yes/no, bridge_fd (forward delay), bridge_hello,
 *    bridge_maxage (seconds) and bridge_bridgeprio become the bridge's
 *    settings; other bridge_ options are warned.
 *  - Addressing (inet/inet6 static, dhcp with hostname, manual) as for
 *    bonds (debian-ip.c). `auto NAME` brings it up at boot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian-int.h"
#include "model/model.h"

static bool all_digits(const char *s, size_t max) {
        size_t n = strlen(s);

        return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

/* Every iface stanza of name (inet, inet6, ...), in file order. */
static size_t stanzas_of(struct deb_conf *conf, const char *name, struct deb_stanza **v, size_t max) {
        size_t n = 0;

        for (size_t i = 0; i < conf->n_st && n < max; i++)
                if (conf->st[i].kind == DEB_IFACE && !strcmp(conf->st[i].name, name))
                        v[n++] = &conf->st[i];
        return n;
}

static struct deb_opt *find_any(struct deb_stanza **st, size_t n, const char *norm) {
        for (size_t i = 0; i < n; i++) {
                struct deb_opt *o = deb_find(st[i], norm);

                if (o)
                        return o;
        }
        return NULL;
}

static bool is_auto(const struct deb_conf *conf, const char *name) {
        for (size_t i = 0; i < conf->n_ln; i++) {
                const struct deb_line *l = &conf->ln[i];

                if (strcmp(l->keyword, "auto") && strcmp(l->keyword, "allow-auto") &&
                    strcmp(l->keyword, "allow-hotplug"))
                        continue;
                for (size_t k = 0; k < l->n_words; k++)
                        if (!strcmp(l->words[k], name))
                                return true;
        }
        return false;
}

/* Addressing of the stanzas, through the bond reader, moved into v4/v6. */
static int l3(struct dctx *x, const char *list, struct deb_stanza **st, size_t n, struct bg_ipcfg *v4,
              struct bg_ipcfg *v6, uint32_t *mtu, struct bg_hwaddr *mac, char **hostname, bool *bad) {
        struct dbond db = { .name = st[0]->name };
        struct bg_model tmp;
        struct bg_bond *b;
        int r = 0;

        bg_model_init(&tmp);
        if (!(b = bg_model_add_bond(&tmp, st[0]->name))) {
                bg_model_free(&tmp);
                return -ENOMEM;
        }
        x->c->l3_list = list;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = deb_stanza_ip(x, &db, b, st[i]);
        x->c->l3_list = NULL;
        if (b->ipv4.method == BG_IP_NONE && b->ipv4.n_addresses)
                b->ipv4.method = BG_IP_STATIC;
        if (r >= 0) {
                *v4 = b->ipv4, *v6 = b->ipv6;
                b->ipv4 = (struct bg_ipcfg){ 0 }, b->ipv6 = (struct bg_ipcfg){ 0 };
                *mtu = b->mtu;
                *mac = b->mac;
                *hostname = b->dhcp_hostname;
                b->dhcp_hostname = NULL;
        }
        *bad |= db.bad;
        bg_model_free(&tmp);
        return r;
}

static int vlan(struct dctx *x, struct bg_model *m, struct deb_stanza **st, size_t n, bool *bad) {
        struct lg_ctx *c = x->c;
        const char *name = st[0]->name, *dot = strrchr(name, '.');
        struct deb_opt *raw = find_any(st, n, "vlan-raw-device"), *vid = find_any(st, n, "vlan-id");
        char parent[64] = "";
        long id = -1;
        struct bg_vlan *v;
        size_t digits;

        if (dot && dot > name && all_digits(dot + 1, 4)) {
                snprintf(parent, sizeof(parent), "%.*s", (int)(dot - name), name);
                id = strtol(dot + 1, NULL, 10);
        } else if ((digits = strspn(name + strcspn(name, "0123456789"), "0123456789")) &&
                   all_digits(name + strlen(name) - digits, 4) && raw)
                id = strtol(name + strlen(name) - digits, NULL, 10);
        if (vid) {
                if (!all_digits(vid->value, 4)) {
                        lg_diag(c, BG_DIAG_ERROR, vid->file, vid->line, vid->vcol, vid->key,
                                "'%s' is not a VLAN id (1-4094)", vid->value);
                        *bad = true;
                        return 0;
                }
                id = strtol(vid->value, NULL, 10);
                deb_ofate(c, vid, "vlans[%s].id = %ld", name, id);
        }
        if (raw) {
                snprintf(parent, sizeof(parent), "%s", raw->value);
                deb_ofate(c, raw, "vlans[%s].link = %s", name, raw->value);
        }
        if (id < 1 || id > 4094 || !*parent) {
                lg_diag(c, BG_DIAG_ERROR, st[0]->file, st[0]->line, 0, "iface",
                        id < 0 ? "cannot tell the id of VLAN %s (name it PARENT.ID, or give vlan-raw-device "
                                 "and a name ending in the id)" :
                        !*parent ? "VLAN %s has no vlan-raw-device" : "VLAN id of %s is out of range (1-4094)",
                        name);
                *bad = true;
                return 0;
        }
        if (!(v = bg_model_add_vlan(m, name, parent, (uint16_t)id)))
                return -ENOMEM;
        v->loc = v->id_loc = v->link_loc = (struct bg_loc){ bg_model_intern(m, st[0]->file), st[0]->line, 0 };
        v->onboot = is_auto(x->conf, name);
        return l3(x, "vlans", st, n, &v->ipv4, &v->ipv6, &v->mtu, &v->mac, &v->dhcp_hostname, bad);
}

static int bridge_num(struct lg_ctx *c, struct deb_opt *o, const char *name, const char *key, long min,
                      long max, int32_t *out, bool *bad) {
        char *end;
        double d;

        if (!o)
                return 0;
        d = strtod(o->value, &end);
        if (*end || d < min || d > max) {
                lg_diag(c, BG_DIAG_ERROR, o->file, o->line, o->vcol, o->key, "'%s' is not %ld-%ld", o->value,
                        min, max);
                *bad = true;
                return 0;
        }
        *out = (int32_t)(d + 0.5);
        if ((double)*out != d)
                lg_diag(c, BG_DIAG_WARNING, o->file, o->line, o->vcol, o->key,
                        "%s is rounded to %d (the model keeps whole seconds)", o->value, *out);
        deb_ofate(c, o, "bridges[%s].%s = %d", name, key, *out);
        return 0;
}

static int bridge(struct dctx *x, struct bg_model *m, struct deb_stanza **st, size_t n, bool *bad) {
        struct lg_ctx *c = x->c;
        const char *name = st[0]->name, *w;
        struct deb_opt *ports = find_any(st, n, "bridge-ports"), *o;
        struct bg_bridge *br;
        unsigned col;

        if (!(br = bg_model_add_bridge(m, name)))
                return -ENOMEM;
        br->loc = (struct bg_loc){ bg_model_intern(m, st[0]->file), st[0]->line, 0 };
        br->onboot = is_auto(x->conf, name);
        for (size_t i = 0; (w = deb_word(x, ports->value, i, &col)); i++) {
                struct bg_port *p;

                if (!strcmp(w, "none"))
                        continue;
                if (!strcmp(w, "all") || strpbrk(w, "*?[]^$\\")) {
                        lg_diag(c, BG_DIAG_WARNING, ports->file, ports->line, col, ports->key,
                                "'%s' picks ports when ifup runs; not converted, name the ports", w);
                        continue;
                }
                if (!(p = bg_bridge_add_port(br, w)))
                        return -ENOMEM;
                p->loc = (struct bg_loc){ bg_model_intern(m, ports->file), ports->line, col };
        }
        deb_ofate(c, ports, "bridges[%s].ports = %s", name, ports->value);
        if ((o = find_any(st, n, "bridge-stp"))) {
                int t = bg_ifcfg_bool(o->value);

                if (t < 0) {
                        lg_diag(c, BG_DIAG_ERROR, o->file, o->line, o->vcol, o->key, "'%s' is not on or off",
                                o->value);
                        *bad = true;
                } else {
                        br->stp = t ? BG_STP_ON : BG_STP_OFF;
                        deb_ofate(c, o, "bridges[%s].stp = %s", name, t ? "true" : "false");
                }
        }
        bridge_num(c, find_any(st, n, "bridge-fd"), name, "forward-delay", 0, 30, &br->forward_delay, bad);
        bridge_num(c, find_any(st, n, "bridge-hello"), name, "hello-time", 1, 10, &br->hello_time, bad);
        bridge_num(c, find_any(st, n, "bridge-maxage"), name, "max-age", 6, 40, &br->max_age, bad);
        bridge_num(c, find_any(st, n, "bridge-bridgeprio"), name, "priority", 0, 65535, &br->priority, bad);
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < st[i]->n_opts; k++) {
                        o = &st[i]->opts[k];
                        if (o->fate || strncmp(o->norm, "bridge-", 7))
                                continue;
                        if (!strcmp(o->norm, "bridge-waitport") || !strcmp(o->norm, "bridge-maxwait"))
                                deb_ofate(c, o, "ignored: ifup timing, not configuration");
                        else {
                                lg_diag(c, BG_DIAG_WARNING, o->file, o->line, o->col, o->key,
                                        "bridge option %s is not part of the model; not converted", o->key);
                                deb_ofate(c, o, "ignored: not expressible (warned)");
                        }
                }
        return l3(x, "bridges", st, n, &br->ipv4, &br->ipv6, &br->mtu, &br->mac, &br->dhcp_hostname, bad);
}

int deb_stack(struct dctx *x, struct bg_model *m) {
        struct deb_conf *conf = x->conf;

        for (size_t i = 0; i < conf->n_st; i++) {
                struct deb_stanza *s = &conf->st[i], *st[8];
                const char *name = s->name, *dot = strrchr(name, '.');
                size_t n, nv = m->n_vlans, nb = m->n_bridges, errors = bg_diags_count(x->c->diags, BG_DIAG_ERROR);
                bool is_vlan, is_bridge, bad = false, first = true;
                int r;

                if (s->kind != DEB_IFACE || s->fate)
                        continue;
                n = stanzas_of(conf, name, st, 8);
                for (size_t k = 0; k < n; k++)
                        first &= st[k] >= s;
                if (!first)
                        continue; /* handled with its first stanza */
                is_bridge = find_any(st, n, "bridge-ports") != NULL;
                is_vlan = !is_bridge && (find_any(st, n, "vlan-raw-device") ||
                                         (dot && dot > name && all_digits(dot + 1, 4)));
                if (!is_vlan && !is_bridge)
                        continue;
                /* A bond's own stanza is the bond reader's. */
                if (deb_find(s, "bond-slaves") || deb_find(s, "bond-mode") || deb_find(s, "slaves"))
                        continue;
                r = is_vlan ? vlan(x, m, st, n, &bad) : bridge(x, m, st, n, &bad);
                if (r < 0)
                        return r;
                if (bad || bg_diags_count(x->c->diags, BG_DIAG_ERROR) > errors) {
                        if (m->n_vlans > nv)
                                bg_model_pop_vlan(m);
                        if (m->n_bridges > nb)
                                bg_model_pop_bridge(m);
                        lg_diag(x->c, BG_DIAG_ERROR, s->file, s->line, 0, name,
                                "%s not converted because of the errors above", is_vlan ? "VLAN" : "bridge");
                }
                for (size_t k = 0; k < n; k++)
                        if (!st[k]->fate)
                                lg_fate(&st[k]->fate, "%s[%s]", is_vlan ? "vlans" : "bridges", name);
        }
        return 0;
}
