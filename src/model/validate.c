/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Model validation.
 *
 * Levels follow what the kernel would do with the same configuration
 * (drivers/net/bonding/bond_options.c: bond_opt_check_deps(), the
 * *_set() handlers, and bond_netlink.c:bond_changelink()):
 *  - error: the kernel refuses it (EINVAL/EPERM on the netlink request that
 *    creates the bond), or the configuration contradicts itself so that no
 *    consumer can do the right thing (a port in two bonds, static without
 *    addresses, a primary that is not a port);
 *  - warning: the kernel accepts it but ignores or changes it (an option
 *    outside its modes, delays rounded down to a multiple of miimon, miimon
 *    forced to 100), or it is very likely a mistake (gateway outside every
 *    subnet of the bond);
 *  - note: advice that does not need action.
 *
 * Every diagnostic carries the location the reader stored in the model
 * (option, port, address section, else the bond) and a key path such as
 * "bonds[bond0].options.miimon".
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"
#include "validate-int.h"

#define IFNAMSIZ_ 16
#define DEFAULT_FORCED_MIIMON 100 /* BOND_DEFAULT_MIIMON (bond_option_mode_set()) */

struct vctx {
        struct bg_diags *diags;
        const struct bg_bond *b;
        const struct bg_loc *iloc; /* the item's location and name when b is NULL (VLANs, bridges) */
        const char *iname;
        char bkey[64];     /* "bonds[bond0]" */
        int r;             /* first -ENOMEM */
        /* Ports of c->b by name and by MAC (bond is 0), validate-int.h. */
        struct bg_sindex pnames, pmacs;
        bool unnamed;      /* some port of c->b has no name */
        size_t bi;         /* index of c->b */
        /* Port MACs as text, the form the name indexes compare: mtext[mbase[bond] + port]. */
        char (*mtext)[BG_HWADDR_STRLEN];
        size_t *mbase;
};

/* NULL when the port has no MAC (or the table could not be built). */
static const char *port_mac(const struct vctx *c, size_t bond, size_t port) {
        if (!c->mtext || c->mtext[c->mbase[bond] + port][0] == '\0')
                return NULL;
        return c->mtext[c->mbase[bond] + port];
}

/* key: suffix appended to the bond's key path (".options.miimon"). */
static void diag(struct vctx *c, enum bg_diag_level lvl, const struct bg_loc *loc, const char *key,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void diag(struct vctx *c, enum bg_diag_level lvl, const struct bg_loc *loc, const char *key,
                 const char *fmt, ...) {
        char path[256];
        va_list ap;
        int r;

        snprintf(path, sizeof(path), "%s%s", c->bkey, key ? key : "");
        if (!loc || !loc->file)
                loc = c->b ? &c->b->loc : c->iloc;
        va_start(ap, fmt);
        r = bg_diag_addv(c->diags, lvl, loc, path, fmt, ap);
        va_end(ap);
        if (r < 0 && c->r == 0)
                c->r = r;
}

static bool ifname_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n >= IFNAMSIZ_ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if (*s == '/' || *s == ':' || isspace((unsigned char) *s) ||
                    !isprint((unsigned char) *s))
                        return false;
        return true;
}

static const char *ifname_problem(const char *s) {
        if (!s || !*s)
                return "is empty";
        if (strlen(s) >= IFNAMSIZ_)
                return "is longer than 15 characters";
        if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return "is reserved";
        return "contains '/', ':', whitespace or control characters";
}

static void modes_text(unsigned mask, char *buf, size_t len) {
        size_t pos = 0;

        buf[0] = '\0';
        for (unsigned m = 0; m < BG_MODE__MAX; m++)
                if (mask & BG_MODE_BIT(m)) {
                        int w = snprintf(buf + pos, len - pos, "%s%s", pos ? ", " : "",
                                         bg_mode_name((enum bg_mode) m));
                        if (w < 0 || (size_t) w >= len - pos)
                                return;
                        pos += (size_t) w;
                }
}

static const struct bg_loc *opt_loc(struct vctx *c, enum bg_opt id) {
        return &c->b->opt_loc[id];
}

static bool opt_set(const struct bg_bond *b, enum bg_opt id) {
        return b->opts[id].set;
}

/* The value must be one the catalogue accepts: models built by code or by
 * the YAML reader may not have gone through bg_opt_parse_value(). */
static void check_value(struct vctx *c, const struct bg_opt_info *o, const struct bg_optval *v) {
        struct bg_optval tmp = { 0 };
        char text[4096], err[512], key[64];
        int r = 0;

        snprintf(key, sizeof(key), ".options.%s", o->name);
        if (o->type == BG_OT_QUEUE_ID) {
                for (size_t i = 0; i < v->n_list && r == 0; i++)
                        r = bg_opt_parse_value(o, v->list[i] ? v->list[i] : "", &tmp, err, sizeof(err));
        } else if ((o->type == BG_OT_IFNAME || o->type == BG_OT_MAC) && !v->str) {
                r = 0;
        } else {
                r = bg_opt_format_value(o, v, text, sizeof(text));
                if (r == -ENOBUFS)
                        snprintf(err, sizeof(err), "value of %s is too long", o->name);
                else
                        r = bg_opt_parse_value(o, text, &tmp, err, sizeof(err));
        }
        bg_optval_clear(&tmp);
        if (r == -ENOMEM)
                c->r = c->r ?: r;
        else if (r < 0)
                diag(c, BG_DIAG_ERROR, opt_loc(c, o->id), key, "%s", err);
}

static void check_options(struct vctx *c, enum bg_mode mode) {
        const struct bg_bond *b = c->b;
        char modes[160], key[64];

        for (size_t i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = &bg_catalog[i];

                if (!b->opts[i].set)
                        continue;
                check_value(c, o, &b->opts[i]);
                if (o->flags & BG_OF_MODULE_ONLY)
                        continue;
                snprintf(key, sizeof(key), ".options.%s", o->name);
                /* Outside o->modes the kernel even refuses it (EACCES);
                 * apply skips it, so this stays a warning. */
                if (!(o->effect_modes & BG_MODE_BIT(mode))) {
                        modes_text(o->effect_modes, modes, sizeof(modes));
                        diag(c, BG_DIAG_WARNING, opt_loc(c, o->id), key,
                             "%s has no effect in mode %s (only in %s)%s", o->name, bg_mode_name(mode),
                             modes, (o->modes & BG_MODE_BIT(mode)) ? "" : "; it will not be applied");
                }
        }
        if (opt_set(b, BG_OPT_USE_CARRIER) && b->opts[BG_OPT_USE_CARRIER].num == 0)
                diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_USE_CARRIER), ".options.use_carrier",
                     "use_carrier=0 is obsolete: recent kernels accept only 1 and always use the carrier");
}

/* miimon as the kernel ends up with it: modes 4-6 force 100 when it is 0
 * as the mode is set (bond_options.c:bond_option_mode_set()), unless the request
 * sets it explicitly afterwards. */
static uint64_t effective_miimon(const struct bg_bond *b, enum bg_mode mode) {
        if (opt_set(b, BG_OPT_MIIMON))
                return b->opts[BG_OPT_MIIMON].num;
        if (mode == BG_MODE_8023AD || mode == BG_MODE_BALANCE_TLB || mode == BG_MODE_BALANCE_ALB)
                return DEFAULT_FORCED_MIIMON;
        return 0;
}

static void check_monitors(struct vctx *c, enum bg_mode mode) {
        const struct bg_bond *b = c->b;
        uint64_t miimon = bg_bond_opt_num(b, BG_OPT_MIIMON);
        uint64_t arp = bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL);
        uint64_t validate = bg_bond_opt_num(b, BG_OPT_ARP_VALIDATE);
        size_t targets = b->opts[BG_OPT_ARP_IP_TARGET].n_list + b->opts[BG_OPT_NS_IP6_TARGET].n_list;
        bool arp_mode = bg_catalog[BG_OPT_ARP_INTERVAL].modes & BG_MODE_BIT(mode);
        static const enum bg_opt delays[] = { BG_OPT_UPDELAY, BG_OPT_DOWNDELAY, BG_OPT_PEER_NOTIF_DELAY };
        uint64_t eff = effective_miimon(b, mode);

        /* Both monitors in one request: bond_changelink refuses it (EINVAL,
         * "ARP monitoring cannot be used with MII monitoring"); via sysfs the
         * last one written would silently win. Either way the model is
         * ambiguous, so it is an error. */
        if (miimon && arp && arp_mode)
                diag(c, BG_DIAG_ERROR, opt_loc(c, BG_OPT_ARP_INTERVAL), ".options.arp_interval",
                     "miimon and arp_interval are both set, but the kernel runs only one link monitor "
                     "(a netlink request with both fails with EINVAL); set one of them to 0");
        else if (miimon && validate && arp_mode)
                diag(c, BG_DIAG_ERROR, opt_loc(c, BG_OPT_ARP_VALIDATE), ".options.arp_validate",
                     "arp_validate cannot be used with miimon (the kernel refuses it with EINVAL)");
        else if (validate && !arp && arp_mode)
                diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_ARP_VALIDATE), ".options.arp_validate",
                     "arp_validate has no effect without arp_interval");

        /* The kernel accepts it (netlink and sysfs) and initscripts and
         * netplan bring such a bond up; only NetworkManager refuses it. */
        if (arp && arp_mode && targets == 0)
                diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_ARP_INTERVAL), ".options.arp_interval",
                     "arp_interval is set but there is no arp_ip_target (or ns_ip6_target): the ARP "
                     "monitor has no target, so a port counts as up only while it receives traffic");
        if (!arp && arp_mode && opt_set(b, BG_OPT_ARP_IP_TARGET) && b->opts[BG_OPT_ARP_IP_TARGET].n_list)
                diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_ARP_IP_TARGET), ".options.arp_ip_target",
                     "arp_ip_target has no effect without arp_interval");
        if (!arp && arp_mode && opt_set(b, BG_OPT_NS_IP6_TARGET) && b->opts[BG_OPT_NS_IP6_TARGET].n_list)
                diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_NS_IP6_TARGET), ".options.ns_ip6_target",
                     "ns_ip6_target has no effect without arp_interval");

        for (size_t i = 0; i < sizeof(delays) / sizeof(*delays); i++) {
                const char *name = bg_catalog[delays[i]].name;
                uint64_t d = bg_bond_opt_num(b, delays[i]);
                char key[64];

                if (!opt_set(b, delays[i]) || d == 0)
                        continue;
                snprintf(key, sizeof(key), ".options.%s", name);
                if (eff == 0)
                        diag(c, BG_DIAG_ERROR, opt_loc(c, delays[i]), key,
                             "%s needs miimon: the kernel refuses it (EPERM) while MII monitoring is off",
                             name);
                else if (d % eff)
                        diag(c, BG_DIAG_WARNING, opt_loc(c, delays[i]), key,
                             "%s %" PRIu64 " is not a multiple of miimon %" PRIu64
                             "; the kernel rounds it down to %" PRIu64,
                             name, d, eff, d - d % eff);
        }

        if (!arp_mode && (!opt_set(b, BG_OPT_MIIMON) || miimon == 0))
                diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_MIIMON), ".options.miimon",
                     "mode %s needs a link monitor but miimon is %s; the kernel uses miimon=%d",
                     bg_mode_name(mode), opt_set(b, BG_OPT_MIIMON) ? "0" : "not set",
                     DEFAULT_FORCED_MIIMON);
        else if (arp_mode && miimon == 0 && arp == 0 && b->n_ports > 1)
                diag(c, BG_DIAG_NOTE, &b->loc, ".options",
                     "no link monitor (miimon or arp_interval): a port that loses its link keeps "
                     "being used");
}

/* *unnamed only matters when the name is not found: then it says whether
 * some port has no name (and might still turn out to carry it). */
static bool port_named(struct vctx *c, const char *name, bool *unnamed) {
        size_t first;

        *unnamed = c->unnamed;
        return bg_sindex_run(&c->pnames, name, &first) > first;
}

static void check_port_refs(struct vctx *c) {
        const struct bg_bond *b = c->b;
        static const enum bg_opt refs[] = { BG_OPT_PRIMARY, BG_OPT_ACTIVE_SLAVE };
        const struct bg_optval *q = &b->opts[BG_OPT_QUEUE_ID];
        bool unnamed;

        for (size_t i = 0; i < sizeof(refs) / sizeof(*refs); i++) {
                const struct bg_optval *v = &b->opts[refs[i]];
                const char *name = bg_catalog[refs[i]].name;
                char key[64];

                if (!v->set || !v->str || !*v->str || !ifname_valid(v->str))
                        continue;
                if (port_named(c, v->str, &unnamed))
                        continue;
                snprintf(key, sizeof(key), ".options.%s", name);
                /* Ports matched only by MAC may turn out to carry the name. */
                diag(c, unnamed || refs[i] == BG_OPT_ACTIVE_SLAVE ? BG_DIAG_WARNING : BG_DIAG_ERROR,
                     opt_loc(c, refs[i]), key, "%s %s is not %s port of %s", name, v->str,
                     unnamed ? "a named" : "a", b->name ? b->name : "the bond");
        }
        for (size_t i = 0; q->set && i < q->n_list; i++) {
                const char *colon = q->list[i] ? strrchr(q->list[i], ':') : NULL;
                char name[IFNAMSIZ_];
                size_t n;

                if (!colon || (n = (size_t) (colon - q->list[i])) >= sizeof(name))
                        continue;
                memcpy(name, q->list[i], n);
                name[n] = '\0';
                if (!port_named(c, name, &unnamed))
                        diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_QUEUE_ID), ".options.queue_id",
                             "queue_id names %s, which is not a port of %s", name,
                             b->name ? b->name : "the bond");
        }
}

static void port_key(const struct bg_port *p, size_t idx, char *buf, size_t len) {
        if (p->name)
                snprintf(buf, len, ".ports[%s]", p->name);
        else
                snprintf(buf, len, ".ports[%zu]", idx);
}


static void oom(struct vctx *c) {
        c->r = c->r ?: -ENOMEM;
}

static void more_dups(struct vctx *c, const struct bg_loc *loc, const char *key, const char *what) {
        diag(c, BG_DIAG_NOTE, loc, key, "only the first %d duplicates of %s are listed",
             BG_VALIDATE_MAX_REPEATS, what);
}

static void check_ports(struct vctx *c) {
        const struct bg_bond *b = c->b;
        struct bg_dups d = { 0 }, over = { 0 };
        char key[64];
        const char *why, *mac;

        if (b->n_ports == 0)
                diag(c, BG_DIAG_WARNING, &b->loc, ".ports",
                     "bond %s has no ports; it will never carry traffic", b->name ? b->name : "");
        for (size_t i = 0; i < b->n_ports; i++) {
                const struct bg_port *p = &b->ports[i];

                port_key(p, i, key, sizeof(key));
                mac = port_mac(c, c->bi, i);
                if (!p->name && !p->mac.len)
                        diag(c, BG_DIAG_ERROR, &p->loc, key, "port has neither a name nor a MAC address");
                if (p->name && !ifname_valid(p->name))
                        diag(c, BG_DIAG_ERROR, &p->loc, key, "port name '%s' %s", p->name,
                             ifname_problem(p->name));
                if (p->name && b->name && strcmp(p->name, b->name) == 0)
                        diag(c, BG_DIAG_ERROR, &p->loc, key, "bond %s cannot be its own port", b->name);
                if (p->mac.len && !bg_hwaddr_usable(&p->mac, &why))
                        diag(c, BG_DIAG_ERROR, &p->loc, key, "port MAC '%s' %s", mac ? mac : "", why);
                /* bond_options.c: the prio option's modes; the kernel
                 * refuses it elsewhere */
                if (p->prio && !(BG_MODE_BIT(bg_bond_mode(b)) & (BG_MODE_BIT(BG_MODE_ACTIVE_BACKUP) |
                                                                 BG_MODE_BIT(BG_MODE_BALANCE_TLB) |
                                                                 BG_MODE_BIT(BG_MODE_BALANCE_ALB)))) {
                        char pkey[80];
                        snprintf(pkey, sizeof(pkey), "%s.prio", key);
                        diag(c, BG_DIAG_ERROR, p->prio_loc.line ? &p->prio_loc : &p->loc, pkey,
                             "prio %d: a port priority applies in active-backup, balance-tlb and "
                             "balance-alb only (the kernel refuses it in mode %s)", (int) p->prio,
                             bg_mode_name(bg_bond_mode(b)));
                }
                /* Earlier ports with the same name, else the same MAC. */
                d.n = 0;
                if ((p->name && bg_dups_collect(&d, &c->pnames, p->name, 0, i, 1, p, b) < 0) ||
                    (mac && bg_dups_collect(&d, &c->pmacs, mac, 0, i, 1, p, b) < 0) ||
                    bg_dups_cap(&d, &over) < 0) {
                        oom(c);
                        break;
                }
                for (size_t k = 0; k < d.n; k++)
                        if (!d.v[k].mac)
                                diag(c, BG_DIAG_ERROR, &p->loc, key, "port %s is listed twice", p->name);
                        else
                                diag(c, BG_DIAG_ERROR, &p->loc, key,
                                     "MAC %s matches two ports of the bond", mac);
                if (over.n)
                        more_dups(c, &p->loc, key, p->name ?: mac);
        }
        bg_dups_free(&d);
        bg_dups_free(&over);
}

/* ---- addressing ---- */

/* The static subnets of one family of a bond, masked to their prefix and
 * sorted by (prefix length, network): a next hop is inside one of them
 * when, for one of the (at most 129) prefix lengths present, the hop
 * masked to it is found. Hops times addresses would be quadratic. */
struct net {
        unsigned plen;
        uint8_t a[16];
};

struct nets {
        struct net *v;
        size_t n;
};

static void mask(uint8_t out[16], const uint8_t in[16], unsigned plen) {
        unsigned full = plen / 8, rest = plen % 8;

        memset(out, 0, 16);
        memcpy(out, in, full);
        if (rest)
                out[full] = in[full] & (uint8_t) (0xff << (8 - rest));
}

static int net_cmp(const void *x, const void *y) {
        const struct net *a = x, *b = y;

        if (a->plen != b->plen)
                return a->plen < b->plen ? -1 : 1;
        return memcmp(a->a, b->a, 16);
}

static int nets_build(struct nets *ns, const struct bg_ipcfg *cfg, int fam) {
        ns->n = 0;
        ns->v = calloc(cfg->n_addresses ?: 1, sizeof(*ns->v));
        if (!ns->v)
                return -ENOMEM;
        for (size_t i = 0; i < cfg->n_addresses; i++) {
                const struct bg_addr *a = &cfg->addresses[i];

                if (a->family == fam) {
                        ns->v[ns->n].plen = a->prefixlen > 128 ? 128 : a->prefixlen;
                        mask(ns->v[ns->n].a, a->bytes, ns->v[ns->n].plen);
                        ns->n++;
                }
        }
        qsort(ns->v, ns->n, sizeof(*ns->v), net_cmp);
        return 0;
}

static bool reachable(const struct nets *ns, const uint8_t *gw) {
        for (size_t g = 0; g < ns->n;) {
                struct net key = { .plen = ns->v[g].plen };
                size_t end = g;

                while (end < ns->n && ns->v[end].plen == key.plen)
                        end++;
                mask(key.a, gw, key.plen);
                if (bsearch(&key, ns->v + g, end - g, sizeof(*ns->v), net_cmp))
                        return true;
                g = end;
        }
        return false;
}

static void addr_list(const struct bg_ipcfg *cfg, char *buf, size_t len) {
        char t[BG_ADDR_STRLEN];
        size_t pos = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < cfg->n_addresses; i++) {
                int w = snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "",
                                 bg_addr_format(&cfg->addresses[i], t));
                if (w < 0 || (size_t) w >= len - pos)
                        return;
                pos += (size_t) w;
        }
}

/* A next hop: must be an address of the family; outside every subnet of
 * the bond it is unreachable unless DHCP brings the subnet. */
static void check_hop(struct vctx *c, const struct bg_ipcfg *cfg, struct nets *ns, int fam,
                      const char *what, const struct bg_addr *h, const struct bg_loc *loc, const char *key) {
        const char *fname = fam == AF_INET ? "IPv4" : "IPv6";
        const uint8_t *a = h->bytes;
        char list[512], hop[BG_ADDR_STRLEN];

        bg_addr_format(h, hop);
        if (h->family != fam || h->is_prefix) {
                diag(c, BG_DIAG_ERROR, loc, key, "%s '%s' is not an %s address", what, hop, fname);
                return;
        }
        if (cfg->method != BG_IP_STATIC || cfg->n_addresses == 0)
                return;
        /* IPv6 link-local next hops are on-link by definition. */
        if (fam == AF_INET6 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
                return;
        if (!ns->v && nets_build(ns, cfg, fam) < 0) {
                c->r = c->r ?: -ENOMEM;
                return;
        }
        if (!reachable(ns, a)) {
                addr_list(cfg, list, sizeof(list));
                diag(c, BG_DIAG_WARNING, loc, key,
                     "%s %s is not inside any subnet of %s (%s); it is not reachable on this link",
                     what, hop, c->b ? (c->b->name ? c->b->name : "the bond") : c->iname, list);
        }
}

static int addr_cmp(const struct bg_addr *x, const struct bg_addr *y) {
        if (x->family != y->family)
                return x->family < y->family ? -1 : 1;
        if (x->prefixlen != y->prefixlen)
                return x->prefixlen < y->prefixlen ? -1 : 1;
        return memcmp(x->bytes, y->bytes, sizeof(x->bytes));
}

static int idx_cmp(const void *x, const void *y, void *base) {
        const struct bg_addr *v = base;
        size_t i = *(const size_t *) x, j = *(const size_t *) y;
        int r = addr_cmp(&v[i], &v[j]);

        return r ? r : (i < j ? -1 : i > j);
}

/* For each address, how many earlier addresses are the same address and
 * length (NULL when there are none to compare, or on ENOMEM). */
static size_t *address_repeats(struct vctx *c, const struct bg_ipcfg *cfg) {
        size_t *earlier, *order;
        size_t n = cfg->n_addresses;

        if (n < 2)
                return NULL;
        earlier = calloc(n, sizeof(*earlier));
        order = calloc(n, sizeof(*order));
        if (!earlier || !order) {
                free(earlier);
                free(order);
                oom(c);
                return NULL;
        }
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        qsort_r(order, n, sizeof(*order), idx_cmp, cfg->addresses);
        for (size_t k = 1; k < n; k++)
                if (addr_cmp(&cfg->addresses[order[k]], &cfg->addresses[order[k - 1]]) == 0)
                        earlier[order[k]] = earlier[order[k - 1]] + 1;
        free(order);
        return earlier;
}

static void check_ipcfg(struct vctx *c, const struct bg_ipcfg *cfg, int fam) {
        const char *sec = fam == AF_INET ? "ipv4" : "ipv6";
        const char *fname = fam == AF_INET ? "IPv4" : "IPv6";
        const struct bg_loc *loc = cfg->loc.file ? &cfg->loc : c->b ? &c->b->loc : c->iloc;
        struct nets ns = { 0 };
        size_t *earlier;
        char key[96];

        snprintf(key, sizeof(key), ".%s.method", sec);
        if (cfg->method == BG_IP_STATIC && cfg->n_addresses == 0)
                diag(c, BG_DIAG_ERROR, loc, key, "method static needs at least one address");
        snprintf(key, sizeof(key), ".%s.addresses", sec);
        if (cfg->method == BG_IP_NONE && cfg->n_addresses > 0)
                diag(c, BG_DIAG_ERROR, loc, key,
                     "addresses are given but method is none; use method static");
        else if (cfg->method == BG_IP_DHCP && cfg->n_addresses > 0)
                diag(c, BG_DIAG_WARNING, loc, key,
                     "addresses are given with method dhcp; they are added next to the DHCP lease");

        earlier = address_repeats(c, cfg);
        for (size_t i = 0; i < cfg->n_addresses; i++) {
                const struct bg_addr *a = &cfg->addresses[i];
                const struct bg_loc *aloc = a->loc.file ? &a->loc : loc;
                char t[BG_ADDR_STRLEN];

                bg_addr_format(a, t);
                snprintf(key, sizeof(key), ".%s.addresses[%zu]", sec, i);
                if (a->family != fam || !a->is_prefix) {
                        diag(c, BG_DIAG_ERROR, aloc, key,
                             "'%s' is not an %s address with a prefix length (as in %s)",
                             t, fname, fam == AF_INET ? "10.0.0.1/24" : "2001:db8::1/64");
                        continue;
                }
                /* One warning per earlier copy, as a pairwise loop gives. */
                for (size_t k = 0; earlier && k < earlier[i] && k < BG_VALIDATE_MAX_REPEATS; k++)
                        diag(c, BG_DIAG_WARNING, aloc, key, "address %s is listed twice", t);
                if (earlier && earlier[i] > BG_VALIDATE_MAX_REPEATS)
                        more_dups(c, aloc, key, t);
        }
        free(earlier);

        if (bg_addr_set(&cfg->gateway)) {
                snprintf(key, sizeof(key), ".%s.gateway", sec);
                if (cfg->method == BG_IP_NONE)
                        diag(c, BG_DIAG_WARNING, loc, key, "gateway is ignored with method none");
                else
                        check_hop(c, cfg, &ns, fam, "gateway", &cfg->gateway,
                                  cfg->gateway.loc.file ? &cfg->gateway.loc : loc, key);
        }
        for (size_t i = 0; i < cfg->n_routes; i++) {
                const struct bg_route *rt = &cfg->routes[i];
                const struct bg_loc *rloc = rt->loc.file ? &rt->loc : loc;
                char t[BG_ADDR_STRLEN];

                snprintf(key, sizeof(key), ".%s.routes[%zu]", sec, i);
                if (!rt->is_default && (rt->to.family != fam || !rt->to.is_prefix))
                        diag(c, BG_DIAG_ERROR, rloc, key,
                             "route destination '%s' is not 'default' or an %s prefix",
                             bg_addr_format(&rt->to, t), fname);
                if (bg_addr_set(&rt->via))
                        check_hop(c, cfg, &ns, fam, "route via", &rt->via, rloc, key);
        }
        for (size_t i = 0; i < cfg->n_dns; i++) {
                const struct bg_addr *a = &cfg->dns[i];
                char t[BG_ADDR_STRLEN];

                snprintf(key, sizeof(key), ".%s.dns[%zu]", sec, i);
                if (a->family != fam || a->is_prefix)
                        diag(c, BG_DIAG_ERROR, a->loc.file ? &a->loc : loc, key,
                             "DNS server '%s' is not an %s address", bg_addr_format(a, t), fname);
        }
        free(ns.v);
}

/* arp_ip_target VLAN hints: bondgend honours them; the kernel's bonding
 * driver could take them only in the netlink encoding proposed with the
 * syntax (optval.c: parse_hint(); sysfs and module parameters never took
 * them), which a kernel without it cuts down to the address
 * (bond_changelink() reads the first 4 bytes of each target). */
static void check_hints(struct vctx *c) {
        const struct bg_optval *v = &c->b->opts[BG_OPT_ARP_IP_TARGET];

        if (c->b->backend == BG_BACKEND_USERSPACE || !v->set || !v->addrs)
                return;
        for (size_t i = 0; i < v->n_list; i++) {
                if (!v->addrs[i].hinted)
                        continue;
                if (c->b->backend == BG_BACKEND_KERNEL)
                        diag(c, BG_DIAG_ERROR, opt_loc(c, BG_OPT_ARP_IP_TARGET), ".options.arp_ip_target",
                             "the VLAN hint of '%s' is honoured by the user-space backend only (backend: "
                             "userspace); the kernel backend cannot hand it to the bonding driver. Without "
                             "the hint the kernel takes the VLAN from the route to the target", v->list[i]);
                else
                        diag(c, BG_DIAG_WARNING, opt_loc(c, BG_OPT_ARP_IP_TARGET), ".options.arp_ip_target",
                             "the VLAN hint of '%s' is honoured only when the bond runs in user space "
                             "(bondgend); under the kernel's bonding driver the VLAN comes from the route "
                             "to the target", v->list[i]);
                return;
        }
}

static void check_link(struct vctx *c, enum bg_mode mode) {
        const struct bg_bond *b = c->b;
        char mac[BG_HWADDR_STRLEN];
        const char *why;

        /* 68 is IPv4's minimum (RFC 791), 65535 the largest IP packet. */
        if (b->mtu && (b->mtu < 68 || b->mtu > 65535))
                diag(c, BG_DIAG_ERROR, &b->loc, ".mtu", "MTU %" PRIu32 " is out of range (68-65535)",
                     b->mtu);
        else if (b->mtu && b->mtu < 1280 && b->ipv6.method != BG_IP_NONE)
                diag(c, BG_DIAG_WARNING, &b->loc, ".mtu",
                     "MTU %" PRIu32 " is below 1280, the minimum for IPv6", b->mtu);
        if (b->mac.len && !bg_hwaddr_usable(&b->mac, &why))
                diag(c, BG_DIAG_ERROR, &b->loc, ".mac", "MAC '%s' %s", bg_hwaddr_format(&b->mac, mac), why);
        else if (b->mac.len && b->mac.len != 6)
                diag(c, BG_DIAG_ERROR, &b->loc, ".mac", "MAC '%s' is not a 6-byte Ethernet address",
                     bg_hwaddr_format(&b->mac, mac));
        else if (b->mac.len && mode == BG_MODE_ACTIVE_BACKUP &&
                 bg_bond_opt_num(b, BG_OPT_FAIL_OVER_MAC) == BG_FOM_ACTIVE)
                diag(c, BG_DIAG_WARNING, &b->loc, ".mac",
                     "the bond MAC is not kept with fail_over_mac=active: the bond takes the "
                     "active port's MAC");
        if ((unsigned) b->backend > BG_BACKEND_USERSPACE)
                diag(c, BG_DIAG_ERROR, &b->loc, ".backend", "unknown backend %u", (unsigned) b->backend);
        check_hints(c);
}

/* MTU, MAC and addressing of a VLAN or a bridge, with the rules of bonds. */
int bg_validate_l3(struct bg_diags *diags, const char *key, const char *name, const struct bg_loc *loc, uint32_t mtu,
                   const struct bg_hwaddr *mac, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6) {
        struct vctx c = { .diags = diags, .iloc = loc, .iname = name ? name : "the interface" };
        char t[BG_HWADDR_STRLEN];
        const char *why;

        snprintf(c.bkey, sizeof(c.bkey), "%s", key);
        if (mtu && (mtu < 68 || mtu > 65535))
                diag(&c, BG_DIAG_ERROR, loc, ".mtu", "MTU %" PRIu32 " is out of range (68-65535)", mtu);
        else if (mtu && mtu < 1280 && v6->method != BG_IP_NONE)
                diag(&c, BG_DIAG_WARNING, loc, ".mtu", "MTU %" PRIu32 " is below 1280, the minimum for IPv6",
                     mtu);
        if (mac->len && !bg_hwaddr_usable(mac, &why))
                diag(&c, BG_DIAG_ERROR, loc, ".mac", "MAC '%s' %s", bg_hwaddr_format(mac, t), why);
        else if (mac->len && mac->len != 6)
                diag(&c, BG_DIAG_ERROR, loc, ".mac", "MAC '%s' is not a 6-byte Ethernet address",
                     bg_hwaddr_format(mac, t));
        check_ipcfg(&c, v4, AF_INET);
        check_ipcfg(&c, v6, AF_INET6);
        return c.r;
}

static void index_ports(struct vctx *c) {
        const struct bg_bond *b = c->b;

        c->pnames = (struct bg_sindex){ 0 };
        c->pmacs = (struct bg_sindex){ .icase = true };
        c->unnamed = false;
        for (size_t i = 0; i < b->n_ports; i++) {
                c->unnamed |= !b->ports[i].name;
                if (bg_sindex_add(&c->pnames, b->ports[i].name, 0, i) < 0 ||
                    bg_sindex_add(&c->pmacs, port_mac(c, c->bi, i), 0, i) < 0)
                        oom(c);
        }
        bg_sindex_sort(&c->pnames);
        bg_sindex_sort(&c->pmacs);
}

static void check_bond(struct vctx *c) {
        const struct bg_bond *b = c->b;
        enum bg_mode mode = bg_bond_mode(b);

        if (!b->name || !ifname_valid(b->name))
                diag(c, BG_DIAG_ERROR, &b->loc, ".name", "bond name '%s' %s", b->name ? b->name : "",
                     ifname_problem(b->name));
        check_options(c, mode);
        check_monitors(c, mode);
        index_ports(c);
        check_ports(c);
        check_port_refs(c);
        bg_sindex_free(&c->pnames);
        bg_sindex_free(&c->pmacs);
        check_link(c, mode);
        check_ipcfg(c, &b->ipv4, AF_INET);
        check_ipcfg(c, &b->ipv6, AF_INET6);
}

static void set_ctx(struct vctx *c, const struct bg_model *m, size_t i) {
        c->b = &m->bonds[i];
        c->bi = i;
        if (c->b->name && *c->b->name)
                snprintf(c->bkey, sizeof(c->bkey), "bonds[%s]", c->b->name);
        else
                snprintf(c->bkey, sizeof(c->bkey), "bonds[%zu]", i);
}

struct cross {
        struct bg_sindex names, ports, macs;
        /* Bonds by the names of their ports, each (name, bond) once: a bond
         * nested in another is reported once per enclosing bond. */
        struct bg_sindex nest;
        struct bg_dups d, over;
};

static int cross_index(struct cross *x, const struct bg_model *m, const struct vctx *c) {
        x->macs.icase = true;
        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *b = &m->bonds[i];

                if (bg_sindex_add(&x->names, b->name, i, 0) < 0)
                        return -ENOMEM;
                for (size_t p = 0; p < b->n_ports; p++)
                        if (bg_sindex_add(&x->ports, b->ports[p].name, i, p) < 0 ||
                            bg_sindex_add(&x->macs, port_mac(c, i, p), i, p) < 0)
                                return -ENOMEM;
        }
        bg_sindex_sort(&x->names);
        bg_sindex_sort(&x->ports);
        bg_sindex_sort(&x->macs);
        for (size_t k = 0; k < x->ports.n; k++) {
                const struct bg_sref *e = &x->ports.v[k];

                if (x->nest.n > 0 && x->nest.v[x->nest.n - 1].bond == e->bond &&
                    strcmp(x->nest.v[x->nest.n - 1].s, e->s) == 0)
                        continue;
                if (bg_sindex_add(&x->nest, e->s, e->bond, e->pos) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Bond i against the bonds before it, in the order of the pairwise loops:
 * by earlier bond, then the name before the ports, then port by port. */
static int cross_dups(struct cross *x, const struct bg_model *m, size_t i, const struct vctx *c) {
        const struct bg_bond *b = &m->bonds[i];

        x->d.n = 0;
        if (b->name && bg_dups_collect(&x->d, &x->names, b->name, i, 0, 0, NULL, m->bonds) < 0)
                return -ENOMEM;
        for (size_t p = 0; p < b->n_ports; p++) {
                const struct bg_port *bp = &b->ports[p];

                if ((bp->name && bg_dups_collect(&x->d, &x->ports, bp->name, i, 0, p + 1, bp, m->bonds) < 0) ||
                    (port_mac(c, i, p) &&
                     bg_dups_collect(&x->d, &x->macs, port_mac(c, i, p), i, 0, p + 1, bp, m->bonds) < 0))
                        return -ENOMEM;
        }
        return bg_dups_cap(&x->d, &x->over);
}

static void cross_report(struct vctx *c, struct cross *x, const struct bg_model *m, size_t i) {
        const struct bg_bond *b = &m->bonds[i];
        char key[64];

        for (size_t k = 0; k < x->d.n; k++) {
                const struct bg_dup *dp = &x->d.v[k];
                const struct bg_bond *o = &m->bonds[dp->bond];
                const struct bg_port *bp;

                if (dp->subject == 0) {
                        diag(c, BG_DIAG_ERROR, &b->loc, ".name", "bond %s is defined twice", b->name);
                        continue;
                }
                bp = &b->ports[dp->subject - 1];
                port_key(bp, dp->subject - 1, key, sizeof(key));
                if (!dp->mac)
                        diag(c, BG_DIAG_ERROR, &bp->loc, key,
                             "port %s is also a port of %s; an interface can belong to one bond only",
                             bp->name, o->name ? o->name : "another bond");
                else
                        diag(c, BG_DIAG_ERROR, &bp->loc, key,
                             "MAC %s also matches a port of %s; an interface can belong to one bond only",
                             port_mac(c, i, dp->subject - 1), o->name ? o->name : "another bond");
        }
        for (size_t k = 0; k < x->over.n; k++) {
                size_t s = x->over.v[k].subject;

                if (s == 0) {
                        more_dups(c, &b->loc, ".name", b->name);
                        continue;
                }
                port_key(&b->ports[s - 1], s - 1, key, sizeof(key));
                more_dups(c, &b->ports[s - 1].loc, key, b->ports[s - 1].name ?: port_mac(c, i, s - 1));
        }
}

/* Rules across bonds: names and ports must be unique in the whole model. */
static void check_cross(struct vctx *c, const struct bg_model *m) {
        struct cross x = { 0 };

        if (cross_index(&x, m, c) < 0)
                goto oom;
        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *b = &m->bonds[i];
                size_t first, end, n = 0;

                set_ctx(c, m, i);
                if (cross_dups(&x, m, i, c) < 0)
                        goto oom;
                cross_report(c, &x, m, i);
                /* A bond used as a port of another bond in this model. */
                if (!b->name)
                        continue;
                for (end = bg_sindex_run(&x.nest, b->name, &first); first < end; first++) {
                        size_t j = x.nest.v[first].bond;

                        if (j == i)
                                continue;
                        if (n++ == BG_VALIDATE_MAX_REPEATS) {
                                more_dups(c, &b->loc, ".name", b->name);
                                break;
                        }
                        diag(c, BG_DIAG_ERROR, &b->loc, ".name",
                             "bond %s is also listed as a port of %s; nested bonds are not supported",
                             b->name, m->bonds[j].name ? m->bonds[j].name : "");
                }
        }
        goto out;
oom:
        oom(c);
out:
        bg_dups_free(&x.d);
        bg_dups_free(&x.over);
        bg_sindex_free(&x.names);
        bg_sindex_free(&x.ports);
        bg_sindex_free(&x.macs);
        bg_sindex_free(&x.nest);
}

static int mac_table(struct vctx *c, const struct bg_model *m) {
        size_t n = 0;

        c->mbase = calloc(m->n_bonds + 1, sizeof(*c->mbase));
        if (!c->mbase)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_bonds; i++) {
                c->mbase[i] = n;
                n += m->bonds[i].n_ports;
        }
        c->mtext = calloc(n ?: 1, sizeof(*c->mtext));
        if (!c->mtext) {
                free(c->mbase);
                return -ENOMEM;
        }
        for (size_t i = 0; i < m->n_bonds; i++)
                for (size_t p = 0; p < m->bonds[i].n_ports; p++)
                        bg_hwaddr_format(&m->bonds[i].ports[p].mac, c->mtext[c->mbase[i] + p]);
        return 0;
}

int bg_model_validate(const struct bg_model *m, struct bg_diags *diags) {
        struct vctx c = { .diags = diags };
        size_t errors;

        if (!m || !diags)
                return -EINVAL;
        errors = bg_diags_count(diags, BG_DIAG_ERROR);
        if (mac_table(&c, m) < 0)
                return -ENOMEM;
        if (m->n_bonds == 0 && m->n_vlans == 0 && m->n_bridges == 0 &&
            bg_diag_add(diags, BG_DIAG_WARNING, NULL, NULL, "the model has no bonds") < 0)
                c.r = -ENOMEM;
        for (size_t i = 0; i < m->n_bonds; i++) {
                set_ctx(&c, m, i);
                check_bond(&c);
        }
        check_cross(&c, m);
        if (c.r == 0)
                c.r = bg_validate_stack(m, diags);
        free(c.mtext);
        free(c.mbase);
        if (c.r < 0)
                return c.r;
        return bg_diags_count(diags, BG_DIAG_ERROR) > errors ? -EINVAL : 0;
}
