/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the three emitters share: the file list, the catalogue lookups per
 * format, the "cannot express" warnings and port naming. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit-internal.h"
#include "util/array.h"

void bg_emit_files_free(struct bg_emit_files *f) {
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].name);
                free(f->v[i].content);
        }
        free(f->v);
        free(f->slot);
        f->v = NULL;
        f->slot = NULL;
        f->n = f->cap = f->n_slot = 0;
}

static size_t name_hash(const char *s) {
        size_t h = 14695981039346656037u;   /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211u;
        return h;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t find_slot(const struct bg_emit_files *f, const char *name) {
        size_t h = name_hash(name) & (f->n_slot - 1);

        while (f->slot[h] && strcmp(f->v[f->slot[h] - 1].name, name) != 0)
                h = (h + 1) & (f->n_slot - 1);
        return h;
}

const struct bg_emit_file *bg_emit_files_find(const struct bg_emit_files *f, const char *name) {
        size_t h;

        if (!f->n_slot)
                return NULL;
        h = find_slot(f, name);
        return f->slot[h] ? &f->v[f->slot[h] - 1] : NULL;
}

/* Room for one more name at a load factor under 1/2. */
static int index_reserve(struct bg_emit_files *f) {
        size_t n = f->n_slot ? f->n_slot : 16, *old = f->slot, old_n = f->n_slot;

        while ((f->n + 1) * 2 > n)
                n *= 2;
        if (n == f->n_slot)
                return 0;
        f->slot = calloc(n, sizeof(*f->slot));
        if (!f->slot) {
                f->slot = old;
                return -ENOMEM;
        }
        f->n_slot = n;
        for (size_t i = 0; i < old_n; i++)
                if (old[i])
                        f->slot[find_slot(f, f->v[old[i] - 1].name)] = old[i];
        free(old);
        return 0;
}

const char *bg_emit_format_name(enum bg_emit_format f) {
        switch (f) {
        case BG_EMIT_NETWORKD:
                return "networkd";
        case BG_EMIT_NETPLAN:
                return "netplan";
        case BG_EMIT_KEYFILE:
                return "NetworkManager keyfile";
        }
        return "?";
}

const char *bg_emit_key(const struct bg_opt_info *o, enum bg_emit_format f) {
        switch (f) {
        case BG_EMIT_NETWORKD:
                return o->networkd;
        case BG_EMIT_NETPLAN:
                return o->netplan;
        case BG_EMIT_KEYFILE:
                return o->keyfile;
        }
        return NULL;
}

#define F_ND (1u << BG_EMIT_NETWORKD)
#define F_NP (1u << BG_EMIT_NETPLAN)
#define F_KF (1u << BG_EMIT_KEYFILE)

/* Values (or, with value NULL, whole options) a format lacks although the
 * catalogue gives it a key. systemd.netdev(5) [Bond] and netplan's
 * bond_params_handlers (src/parse.c) list only none/active/backup/all for
 * ARP validation, five hash policies (no vlan+srcmac, Linux 5.12) and
 * stable/bandwidth/count for ad_select; networkd ignores an unknown value
 * with a warning and netplan passes it through to networkd. The keyfile
 * rows were verified with NetworkManager 1.42.4 (Debian 12):
 * `nmcli --offline connection modify` drops ad_select=actor_port_prio and
 * every lacp_active value without a word, so writing them would lose them
 * silently. */
static const struct {
        unsigned formats;
        const char *option;
        const char *value;
} value_gaps[] = {
        { F_ND | F_NP, "xmit_hash_policy", "vlan+srcmac" },
        { F_ND | F_NP, "arp_validate", "filter" },
        { F_ND | F_NP, "arp_validate", "filter_active" },
        { F_ND | F_NP, "arp_validate", "filter_backup" },
        { F_ND | F_NP | F_KF, "ad_select", "actor_port_prio" },
        { F_KF, "lacp_active", NULL },
};

const char *bg_emit_value_gap(const struct bg_opt_info *o, const struct bg_optval *v,
                              enum bg_emit_format f) {
        const char *name = o->type == BG_OT_ENUM ? bg_opt_enum_name(o, v->num) : NULL;

        for (size_t i = 0; i < sizeof(value_gaps) / sizeof(value_gaps[0]); i++) {
                if (!(value_gaps[i].formats & (1u << f)) || strcmp(value_gaps[i].option, o->name) != 0)
                        continue;
                if (!value_gaps[i].value)
                        return "the format's consumer ignores this option";
                if (name && strcmp(value_gaps[i].value, name) == 0)
                        return "the format has no such value";
        }

        /* netplan reads these counters as unsigned integers and treats 0 as
         * "not set" (netplan src/networkd.c writes them only when
         * non-zero): a zero that differs from the kernel
         * default cannot be written. A zero equal to the default is the
         * same as leaving the option out. */
        if (f == BG_EMIT_NETPLAN && (o->type == BG_OT_UINT || o->type == BG_OT_BOOL) &&
            v->num == 0 && o->def != 0)
                return "netplan treats 0 as unset and drops it";

        return NULL;
}

/* The ARP monitor as the format's consumer will run it. NetworkManager's
 * verify refuses arp_interval without a target (nm_setting_bond verify()),
 * so the keyfile leaves the interval out then, and NetworkManager falls
 * back to MII monitoring. */
static bool arp_monitor_on(const struct bg_bond *b, enum bg_emit_format f) {
        size_t targets = b->opts[BG_OPT_ARP_IP_TARGET].n_list + b->opts[BG_OPT_NS_IP6_TARGET].n_list;

        if (!(bg_opt_get(BG_OPT_ARP_INTERVAL)->modes & BG_MODE_BIT(bg_bond_mode(b))))
                return false;
        return bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL) && (f != BG_EMIT_KEYFILE || targets);
}

/* miimon as the kernel runs it: modes 802.3ad, balance-tlb and balance-alb
 * get 100 when none is given (bond_main.c: bond_check_params()). */
static uint64_t effective_miimon(const struct bg_bond *b) {
        enum bg_mode mode = bg_bond_mode(b);

        if (b->opts[BG_OPT_MIIMON].set || !(mode == BG_MODE_8023AD || mode == BG_MODE_BALANCE_TLB ||
                                            mode == BG_MODE_BALANCE_ALB))
                return bg_bond_opt_num(b, BG_OPT_MIIMON);
        return 100;
}

const char *bg_emit_opt_inert(const struct bg_bond *b, enum bg_opt id, enum bg_emit_format f) {
        const struct bg_opt_info *o = bg_opt_get(id);
        unsigned bit = BG_MODE_BIT(bg_bond_mode(b));

        if (!o || id == BG_OPT_MODE || (o->flags & (BG_OF_PER_PORT | BG_OF_MODULE_ONLY)))
                return NULL;
        /* bond_options.c unsuppmodes: the kernel refuses the option (EACCES);
         * NetworkManager refuses lacp_rate outside 802.3ad, primary outside
         * active-backup/tlb/alb and arp_interval in tlb/alb, and strips the
         * rest. Options that only have no effect are left out as well: the
         * output says what the bond does. */
        if (!(o->modes & bit))
                return "the kernel refuses it in this mode";
        if (!(o->effect_modes & bit))
                return "it has no effect in this mode";
        switch (id) {
        case BG_OPT_ARP_INTERVAL:
                if (f == BG_EMIT_KEYFILE && bg_bond_opt_num(b, id) && !arp_monitor_on(b, f))
                        return "NetworkManager refuses arp_interval without arp_ip_target";
                return NULL;
        case BG_OPT_ARP_IP_TARGET:
        case BG_OPT_NS_IP6_TARGET:
        case BG_OPT_ARP_VALIDATE:
        case BG_OPT_ARP_ALL_TARGETS:
        case BG_OPT_ARP_MISSED_MAX:
                /* NetworkManager refuses targets without an interval. */
                return arp_monitor_on(b, f) ? NULL : "it has no effect without the ARP monitor (arp_interval)";
        default:
                break;
        }
        /* The kernel refuses the delays (EPERM) without MII monitoring, and
         * NetworkManager refuses a non-zero one with miimon=0. */
        if ((o->flags & BG_OF_NEEDS_MIIMON) && bg_bond_opt_num(b, id) &&
            (effective_miimon(b) == 0 || arp_monitor_on(b, f)))
                return "it needs MII monitoring (miimon), which is off";
        return NULL;
}

static int warn_v(struct bg_diags *d, const struct bg_loc *loc, const char *key, const char *fmt,
                  va_list ap) __attribute__((format(printf, 4, 0)));
static int warn_v(struct bg_diags *d, const struct bg_loc *loc, const char *key, const char *fmt,
                  va_list ap) {
        if (!d)
                return 0;
        return bg_diag_addv(d, BG_DIAG_WARNING, loc, key, fmt, ap);
}

static int warn(struct bg_diags *d, const struct bg_loc *loc, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int warn(struct bg_diags *d, const struct bg_loc *loc, const char *key, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = warn_v(d, loc, key, fmt, ap);
        va_end(ap);
        return r;
}

int bg_emit_warn_option(struct bg_diags *d, const struct bg_bond *b, enum bg_opt id,
                        enum bg_emit_format f, const char *why) {
        const struct bg_opt_info *o = bg_opt_get(id);
        char val[256] = "";
        char key[128];
        const struct bg_loc *loc;

        if (id == BG_OPT_MODE && !b->opts[id].set) {
                snprintf(val, sizeof(val), "%s", bg_mode_name(bg_bond_mode(b)));
        } else if (bg_opt_format_value(o, &b->opts[id], val, sizeof(val)) < 0)
                snprintf(val, sizeof(val), "?");
        snprintf(key, sizeof(key), "%s.%s", b->name, o->name);
        loc = b->opt_loc[id].file || b->opt_loc[id].line ? &b->opt_loc[id] : &b->loc;

        return warn(d, loc, key, "bond %s: %s cannot express %s=%s (%s); it is left out",
                    b->name, bg_emit_format_name(f), o->name, val,
                    why ? why : "the format has no such setting");
}

int bg_emit_note_inert(struct bg_diags *d, const struct bg_bond *b, enum bg_opt id,
                       enum bg_emit_format f, const char *why) {
        const struct bg_opt_info *o = bg_opt_get(id);
        char val[256] = "", key[128];
        const struct bg_loc *loc;

        if (!d)
                return 0;
        if (bg_opt_format_value(o, &b->opts[id], val, sizeof(val)) < 0)
                snprintf(val, sizeof(val), "?");
        snprintf(key, sizeof(key), "%s.%s", b->name, o->name);
        loc = b->opt_loc[id].file || b->opt_loc[id].line ? &b->opt_loc[id] : &b->loc;
        return bg_diag_add(d, BG_DIAG_NOTE, loc, key, "bond %s (%s): %s=%s is left out of the %s output: %s",
                           b->name, bg_mode_name(bg_bond_mode(b)), o->name, val, bg_emit_format_name(f), why);
}

int bg_emit_warn_bond(struct bg_diags *d, const struct bg_bond *b, const char *key,
                      const char *fmt, ...) {
        char k[128];
        va_list ap;
        int r;

        snprintf(k, sizeof(k), "%s.%s", b->name, key);
        va_start(ap, fmt);
        r = warn_v(d, &b->loc, k, fmt, ap);
        va_end(ap);
        return r;
}

void bg_emit_warn_port_prio(struct bg_diags *d, const struct bg_bond *b, const char *tool, const char *where) {
        for (size_t i = 0; i < b->n_ports; i++) {
                const struct bg_port *p = &b->ports[i];
                char id[64];

                if (!p->prio || bg_emit_port_id(b, i, id, sizeof(id)) < 0)
                        continue;
                bg_emit_warn_bond(d, b, "ports.prio",
                                  "bond %s: port %s has prio %d, but %s has no port priority setting (%s); "
                                  "the port keeps the kernel's default 0 (set it with NetworkManager or "
                                  "'bondgen apply')", b->name, id, (int) p->prio, tool, where);
        }
}

int bg_emit_port_id(const struct bg_bond *b, size_t i, char *buf, size_t len) {
        int n;

        if (i >= b->n_ports)
                return -EINVAL;
        if (b->ports[i].name)
                n = snprintf(buf, len, "%s", b->ports[i].name);
        else
                n = snprintf(buf, len, "%s-port%zu", b->name, i + 1);
        return n < 0 || (size_t) n >= len ? -ENAMETOOLONG : 0;
}

static const char *bad_text(const char *s) {
        if (!s)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return s;
        return NULL;
}

static const char *bad_strv(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (bad_text(v[i]))
                        return v[i];
        return NULL;
}

bool bg_emit_bond_safe(struct bg_diags *d, const struct bg_bond *b, enum bg_emit_format f) {
        const char *bad = NULL;

        if (!b->name || !b->name[0]) {
                if (d)
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL,
                                    "a bond without a name cannot be written as %s",
                                    bg_emit_format_name(f));
                return false;
        }
        /* Names become file names: a '/' would leave the output directory. */
        if (strchr(b->name, '/')) {
                if (d)
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL,
                                    "bond name \"%s\" contains '/'; it is not written as %s",
                                    b->name, bg_emit_format_name(f));
                return false;
        }
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i].name && strchr(b->ports[i].name, '/')) {
                        if (d)
                                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL,
                                            "bond %s: port name \"%s\" contains '/'; the bond is not written as %s",
                                            b->name, b->ports[i].name, bg_emit_format_name(f));
                        return false;
                }
        /* Addresses and MACs are typed: only names and option text can
         * carry control characters. */
        bad = bad_text(b->name);
        for (size_t i = 0; !bad && i < b->n_ports; i++)
                bad = bad_text(b->ports[i].name);
        for (unsigned id = 0; !bad && id < BG_OPT__MAX; id++) {
                bad = bad_text(b->opts[id].str);
                if (!bad)
                        bad = bad_strv(b->opts[id].list, b->opts[id].n_list);
        }
        if (!bad)
                return true;
        /* A line break in a value would start a new key or section in the
         * emitted file: refuse rather than write something else than the
         * model says. */
        if (d) {
                char key[128];

                snprintf(key, sizeof(key), "%s", b->name);
                for (char *p = key; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                *p = '?';
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, key,
                            "bond %s: a value contains control characters or is missing; the bond is not written as %s",
                            key, bg_emit_format_name(f));
        }
        return false;
}

bool bg_emit_port_usable(struct bg_diags *d, const struct bg_bond *b, size_t i,
                         enum bg_emit_format f) {
        const struct bg_port *p = &b->ports[i];

        if (p->name || p->mac.len)
                return true;
        warn(d, p->loc.file || p->loc.line ? &p->loc : &b->loc, b->name,
             "bond %s: port %zu has neither a name nor a MAC address; %s output leaves it out",
             b->name, i + 1, bg_emit_format_name(f));
        return false;
}

long bg_emit_port_index(const struct bg_bond *b, enum bg_opt id) {
        const struct bg_optval *v = &b->opts[id];

        if (!v->set || !v->str || !v->str[0])
                return -1;
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i].name && strcmp(b->ports[i].name, v->str) == 0)
                        return (long) i;
        return -1;
}

void bg_emit_mode_value(const struct bg_bond *b, struct bg_optval *out) {
        memset(out, 0, sizeof(*out));
        out->set = true;
        out->num = (uint64_t) bg_bond_mode(b);
}

static void left_out_line(FILE *out, const char *indent, const char *end, enum bg_opt id,
                          const struct bg_optval *v, const char *why) {
        const struct bg_opt_info *o = bg_opt_get(id);
        char canon[1024];

        if (bg_opt_format_value(o, v, canon, sizeof(canon)) < 0)
                snprintf(canon, sizeof(canon), "?");
        fprintf(out, "%s# %s=%s is left out: %s%s\n", indent, o->name, canon, why, end);
}

/* networkd's ARPIPTargets= and netplan's arp-ip-targets take addresses
 * only (systemd.netdev(5) [Bond], netplan's bond parameters), and
 * NetworkManager's arp_ip_target a list of addresses, which it writes to
 * sysfs, which never took VLAN hints: the targets are written without
 * them (bg_emit_format_value()), and the kernel then takes the VLAN from
 * the route to each target. */
static void warn_hints(struct bg_diags *d, const struct bg_bond *b, enum bg_emit_format f) {
        const struct bg_optval *v = &b->opts[BG_OPT_ARP_IP_TARGET];

        for (size_t i = 0; v->addrs && i < v->n_list; i++)
                if (v->addrs[i].hinted) {
                        bg_emit_warn_bond(d, b, "arp_ip_target",
                                          "bond %s: %s takes ARP targets without VLAN hints; '%s' is written "
                                          "as its address, and the VLAN comes from the route to it",
                                          b->name, bg_emit_format_name(f), v->list[i]);
                        return;
                }
}

const struct bg_optval *bg_emit_opt_value(const struct bg_bond *b, enum bg_opt id, enum bg_emit_format f,
                                          struct bg_optval *scratch, struct bg_diags *d, FILE *out,
                                          const char *indent, const char *end) {
        const struct bg_optval *v = &b->opts[id];
        const char *why;

        if (id == BG_OPT_MODE) {
                bg_emit_mode_value(b, scratch);
                v = scratch;
        }
        if (!v->set)
                return NULL;
        if ((why = bg_emit_opt_inert(b, id, f))) {
                bg_emit_note_inert(d, b, id, f, why);
                left_out_line(out, indent, end, id, v, why);
                return NULL;
        }
        if (id == BG_OPT_ARP_IP_TARGET)
                warn_hints(d, b, f);
        return v;
}

void bg_emit_opt_refused(const struct bg_bond *b, enum bg_opt id, const struct bg_optval *v,
                         enum bg_emit_format f, const char *why, struct bg_diags *d, FILE *out,
                         const char *indent, const char *end) {
        bg_emit_warn_option(d, b, id, f, why);
        left_out_line(out, indent, end, id, v, why);
}

FILE *bg_emit_open(char **buf, size_t *len) {
        FILE *f;

        *buf = NULL;
        *len = 0;
        f = open_memstream(buf, len);
        if (f)
                fprintf(f, "# %s\n", BG_EMIT_HEADER);
        return f;
}

int bg_emit_close_add(struct bg_emit_files *out, FILE *f, char **buf, unsigned mode,
                      const char *name_fmt, ...) {
        bool bad = ferror(f);
        char *n = NULL;
        va_list ap;
        size_t h;
        int k;

        if (fclose(f) != 0 || bad) {
                free(*buf);
                *buf = NULL;
                return -ENOMEM;
        }
        /* Two bonds must never map to the same file name (e.g. a port
         * "bond1-port1" next to a MAC-only port of bond1). */
        va_start(ap, name_fmt);
        k = vasprintf(&n, name_fmt, ap);
        va_end(ap);
        if (k < 0) {
                n = NULL;
                goto oom;
        }
        if (index_reserve(out) < 0)
                goto oom;
        h = find_slot(out, n);
        if (out->slot[h]) {
                free(n);
                free(*buf);
                *buf = NULL;
                return -EEXIST;
        }
        if (BG_RESERVE(out->v, out->cap, out->n + 1) < 0)
                goto oom;
        out->v[out->n++] = (struct bg_emit_file) { .name = n, .content = *buf, .mode = mode };
        out->slot[h] = out->n;
        *buf = NULL;
        return 0;
oom:
        free(n);
        free(*buf);
        *buf = NULL;
        return -ENOMEM;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);

        return a >= b && strcmp(s + a - b, suffix) == 0;
}

#define APPEND(...)                                                   \
        do {                                                          \
                int _n = snprintf(buf + pos, len - pos, __VA_ARGS__); \
                if (_n < 0 || (size_t) _n >= len - pos)               \
                        return -ENOBUFS;                              \
                pos += (size_t) _n;                                   \
        } while (0)

int bg_emit_format_value(const struct bg_opt_info *o, const struct bg_optval *v,
                         enum bg_emit_format f, const char *key, char *buf, size_t len) {
        size_t pos = 0;

        if (len == 0)
                return -ENOBUFS;
        buf[0] = 0;

        switch (o->type) {
        case BG_OT_MSEC:
                /* networkd reads a bare number as seconds (systemd.time(7);
                 * systemd issue #5971): always give the unit. netplan turns a bare
                 * number into ms for networkd but copies units verbatim into
                 * NM keyfiles, so it gets plain ms as a string (netplan
                 * src/networkd.c:interval_has_suffix()). */
                if (f == BG_EMIT_NETWORKD)
                        APPEND("%" PRIu64 "ms", v->num);
                else if (f == BG_EMIT_NETPLAN)
                        APPEND("\"%" PRIu64 "\"", v->num);
                else
                        APPEND("%" PRIu64, v->num);
                break;
        case BG_OT_UINT:
                /* A plain number in a "...Sec=" key is a time in seconds
                 * (lp_interval); spell the unit out for the reader. */
                if (f == BG_EMIT_NETWORKD && key && ends_with(key, "Sec"))
                        APPEND("%" PRIu64 "s", v->num);
                else
                        APPEND("%" PRIu64, v->num);
                break;
        case BG_OT_BOOL:
                if (f == BG_EMIT_NETWORKD)
                        APPEND("%s", v->num ? "yes" : "no");
                else if (f == BG_EMIT_NETPLAN)
                        APPEND("%s", v->num ? "true" : "false");
                else
                        APPEND("%u", v->num ? 1u : 0u);
                break;
        case BG_OT_ENUM: {
                const char *name = bg_opt_enum_name(o, v->num);

                if (!name)
                        return -EINVAL;
                if (f == BG_EMIT_NETPLAN)
                        APPEND("\"%s\"", name);
                else
                        APPEND("%s", name);
                break;
        }
        case BG_OT_IFNAME:
        case BG_OT_MAC:
                if (!v->str)
                        return -EINVAL;
                if (f == BG_EMIT_NETPLAN)
                        APPEND("\"%s\"", v->str);
                else
                        APPEND("%s", v->str);
                break;
        case BG_OT_IPV4_LIST:
        case BG_OT_IPV6_LIST:
        case BG_OT_QUEUE_ID:
                if (f == BG_EMIT_NETPLAN)
                        APPEND("[");
                for (size_t i = 0; i < v->n_list; i++) {
                        const char *sep = i == 0 ? "" : f == BG_EMIT_NETWORKD ? " " :
                                                   f == BG_EMIT_NETPLAN ? ", " : ",";

                        /* an address without its VLAN hint (warn_hints()) */
                        int n = (int) strcspn(v->list[i], "[");

                        if (f == BG_EMIT_NETPLAN)
                                APPEND("%s\"%.*s\"", sep, n, v->list[i]);
                        else
                                APPEND("%s%.*s", sep, n, v->list[i]);
                }
                if (f == BG_EMIT_NETPLAN)
                        APPEND("]");
                break;
        }
        return 0;
}

static const struct {
        const char *name;
        int (*fn)(const struct bg_model *, struct bg_emit_files *, struct bg_diags *);
        const char *dir;
} by_name[] = {
        { "networkd", bg_emit_networkd, "/etc/systemd/network" },
        { "netplan", bg_emit_netplan, "/etc/netplan" },
        { "keyfile", bg_emit_keyfile, "/etc/NetworkManager/system-connections" },
};

int bg_emit_by_name(const char *format, const struct bg_model *m, struct bg_emit_files *out,
                    struct bg_diags *diags) {
        for (size_t i = 0; format && i < sizeof(by_name) / sizeof(by_name[0]); i++)
                if (strcmp(by_name[i].name, format) == 0)
                        return by_name[i].fn(m, out, diags);
        return -EINVAL;
}

const char *bg_emit_default_dir(const char *format) {
        for (size_t i = 0; format && i < sizeof(by_name) / sizeof(by_name[0]); i++)
                if (strcmp(by_name[i].name, format) == 0)
                        return by_name[i].dir;
        return NULL;
}

bool bg_emit_name_safe(struct bg_diags *d, const char *name, const char *other, const struct bg_loc *loc,
                       enum bg_emit_format f) {
        const char *bad = !name || !*name ? "" : strchr(name, '/') || bad_text(name) ? name :
                          other && (strchr(other, '/') || bad_text(other)) ? other : NULL;

        if (!bad)
                return true;
        if (d)
                bg_diag_add(d, BG_DIAG_ERROR, loc, NULL,
                            "interface name \"%s\" is empty or contains '/' or a control character; "
                            "it is not written as %s", bad, bg_emit_format_name(f));
        return false;
}
