/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plan computation: model bond + state read back -> ordered steps. Pure
 * (no socket), so create/change/adopt/nothing-to-do are unit-tested. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "util/util.h"
#include "util/array.h"

const char *bg_step_kind_name(enum bg_step_kind k) {
        static const char *const names[BG_STEP__MAX] = {
                [BG_STEP_CREATE] = "create",       [BG_STEP_DOWN] = "down",
                [BG_STEP_UP] = "up",               [BG_STEP_RELEASE] = "release",
                [BG_STEP_ENSLAVE] = "enslave",     [BG_STEP_OPTIONS] = "options",
                [BG_STEP_QUEUE_ID] = "queue-id",   [BG_STEP_MTU] = "mtu",
                [BG_STEP_MAC] = "mac",             [BG_STEP_ADDR_ADD] = "address-add",
                [BG_STEP_ADDR_DEL] = "address-del", [BG_STEP_ROUTE_ADD] = "route-add",
                [BG_STEP_ROUTE_DEL] = "route-del", [BG_STEP_DELETE] = "delete",
                [BG_STEP_START] = "start",         [BG_STEP_CREATE_VLAN] = "create",
                [BG_STEP_CREATE_BRIDGE] = "create", [BG_STEP_BRIDGE_OPTIONS] = "options",
                [BG_STEP_FWD_VLAN] = "vlan",       [BG_STEP_PRIO] = "prio",
        };
        return (unsigned) k < BG_STEP__MAX && names[k] ? names[k] : "unknown";
}

void bg_plan_free(struct bg_plan *p) {
        for (size_t i = 0; i < p->n_steps; i++)
                for (unsigned j = 0; j < BG_OPT__MAX; j++)
                        bg_optval_clear(&p->steps[i].opts.val[j]);
        free(p->steps);
        p->steps = NULL;
        p->n_steps = 0;
}

static struct bg_step *vadd_step(struct bg_plan *p, enum bg_step_kind kind, const char *bond,
                                 const char *ifname, const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));
static struct bg_step *vadd_step(struct bg_plan *p, enum bg_step_kind kind, const char *bond,
                                 const char *ifname, const char *fmt, va_list ap) {
        struct bg_step *s = BG_NEW_SLOT(p->steps, p->n_steps);

        if (!s)
                return NULL;
        p->n_steps++;
        s->kind = kind;
        snprintf(s->bond, sizeof(s->bond), "%s", bond);
        snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
        vsnprintf(s->desc, sizeof(s->desc), fmt, ap);
        return s;
}

struct bg_step *bg_plan_add(struct bg_plan *p, enum bg_step_kind kind, const char *bond, const char *ifname,
                            const char *fmt, ...) {
        struct bg_step *s;
        va_list ap;

        va_start(ap, fmt);
        s = vadd_step(p, kind, bond, ifname, fmt, ap);
        va_end(ap);
        return s;
}

#define add_step bg_plan_add

/* Options apply/ can send: per-bond, with an IFLA_BOND_* attribute, kept
 * in the model (not runtime-only like active_slave). */
static bool sendable(const struct bg_opt_info *o) {
        return o->ifla && o->nla != BG_NLA_NONE &&
               !(o->flags & (BG_OF_MODULE_ONLY | BG_OF_RUNTIME | BG_OF_PER_PORT));
}

/* Options the kernel reports only in some states (bond_netlink.c:
 * bond_fill_info()): absent means "not set" rather than "kernel too old". */
static bool reported_conditionally(enum bg_opt id) {
        switch (id) {
        case BG_OPT_PRIMARY:
        case BG_OPT_ACTIVE_SLAVE:
        case BG_OPT_ARP_IP_TARGET:
        case BG_OPT_NS_IP6_TARGET:
        case BG_OPT_AD_ACTOR_SYS_PRIO:
        case BG_OPT_AD_USER_PORT_KEY:
        case BG_OPT_AD_ACTOR_SYSTEM:
                return true;
        default:
                return false;
        }
}

/* Set equality of address lists, in binary form. */
static bool addr_lists_equal(const struct bg_optval *a, const struct bg_optval *b, int family) {
        if (a->n_list != b->n_list)
                return false;
        for (size_t i = 0; i < a->n_list; i++) {
                bool found = false;

                if (!a->addrs || !b->addrs || a->addrs[i].family != family)
                        return false;
                for (size_t j = 0; j < b->n_list && !found; j++)
                        found = b->addrs[j].family == family &&
                                memcmp(a->addrs[i].bytes, b->addrs[j].bytes, 16) == 0;
                if (!found)
                        return false;
        }
        return true;
}

/* What the kernel will report for a model value: delays are kept in whole
 * miimon ticks and reported back in ms (bond_netlink.c:bond_fill_info()). */
static uint64_t expected_num(const struct bg_bond *b, const struct bg_nl_link *cur, enum bg_opt id,
                             uint64_t v) {
        uint64_t miimon;

        if (id != BG_OPT_UPDELAY && id != BG_OPT_DOWNDELAY && id != BG_OPT_PEER_NOTIF_DELAY)
                return v;
        if (b->opts[BG_OPT_MIIMON].set)
                miimon = b->opts[BG_OPT_MIIMON].num;
        else
                miimon = cur && cur->bond.have[BG_OPT_MIIMON] ? cur->bond.val[BG_OPT_MIIMON].num : 0;
        return miimon ? v / miimon * miimon : v;
}

static bool opt_equal(const struct bg_bond *b, const struct bg_nl_state *st, const struct bg_nl_link *cur,
                      const struct bg_opt_info *o) {
        const struct bg_optval *want = &b->opts[o->id], *have = &cur->bond.val[o->id];

        if (!cur->bond.have[o->id])
                return false;
        switch (o->nla) {
        case BG_NLA_IFINDEX: {
                const struct bg_nl_link *l = bg_nl_state_link_by_index(st, (int) have->num);
                const char *name = want->str ? want->str : "";
                return l ? strcmp(l->name, name) == 0 : name[0] == 0;
        }
        case BG_NLA_MAC: {
                return want->str && have->str && memcmp(want->mac, have->mac, 6) == 0;
        }
        case BG_NLA_NESTED_IN4:
                return addr_lists_equal(want, have, AF_INET);
        case BG_NLA_NESTED_IN6:
                return addr_lists_equal(want, have, AF_INET6);
        default:
                return expected_num(b, cur, o->id, want->num) == have->num;
        }
}

static void fmt_val(const struct bg_opt_info *o, const struct bg_optval *v, const struct bg_nl_state *st,
                    char *buf, size_t len) {
        if (o->nla == BG_NLA_IFINDEX && !v->str) {
                const struct bg_nl_link *l = bg_nl_state_link_by_index(st, (int) v->num);
                snprintf(buf, len, "%s", l ? l->name : "none");
                return;
        }
        if (bg_opt_format_value(o, v, buf, len) < 0 || !buf[0])
                snprintf(buf, len, "%s", v->n_list || v->str ? "?" : "none");
}

static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...) {
        size_t n = strlen(buf);
        va_list ap;

        if (n >= len - 1)
                return;
        va_start(ap, fmt);
        vsnprintf(buf + n, len - n, fmt, ap);
        va_end(ap);
}

/* The options of one changelink; split so that miimon != 0 never travels
 * with arp_interval/arp_validate != 0 (EINVAL from bond_netlink.c:bond_changelink(),
 * which applies miimon before arp_interval). */
struct optset {
        bool have[BG_OPT__MAX];
        char from[BG_OPT__MAX][128];  /* current value text, "" when creating */
};

static int emit_options(struct bg_plan *p, const struct bg_bond *b, const struct bg_nl_state *st,
                        const struct optset *set, bool create) {
        bool arp_on = (set->have[BG_OPT_ARP_INTERVAL] && b->opts[BG_OPT_ARP_INTERVAL].num) ||
                      (set->have[BG_OPT_ARP_VALIDATE] && b->opts[BG_OPT_ARP_VALIDATE].num);
        bool mii_on = set->have[BG_OPT_MIIMON] && b->opts[BG_OPT_MIIMON].num;
        /* Pass 0 carries everything but the miimon group when both are on,
         * pass 1 then the miimon group. */
        for (int pass = 0; pass < 2; pass++) {
                struct bg_step *s = NULL;
                char text[400] = "";

                for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                        const struct bg_opt_info *o = bg_opt_get(i);
                        bool mii_group = i == BG_OPT_MIIMON || i == BG_OPT_UPDELAY ||
                                         i == BG_OPT_DOWNDELAY || i == BG_OPT_PEER_NOTIF_DELAY;
                        char v[128];
                        int r;

                        if (!set->have[i])
                                continue;
                        if (arp_on && mii_on && (pass == 0) == mii_group)
                                continue;
                        if (!(arp_on && mii_on) && pass == 1)
                                continue;
                        if (!s) {
                                s = create && pass == 0 ?
                                        add_step(p, BG_STEP_CREATE, b->name, b->name, "x") :
                                        add_step(p, BG_STEP_OPTIONS, b->name, b->name, "x");
                                if (!s)
                                        return -ENOMEM;
                        }
                        r = bg_optval_copy(&s->opts.val[i], &b->opts[i]);
                        if (r < 0)
                                return r;
                        s->opts.have[i] = true;
                        fmt_val(o, &b->opts[i], st, v, sizeof(v));
                        if (set->from[i][0])
                                append(text, sizeof(text), "%s%s %s -> %s", text[0] ? ", " : "",
                                       o->name, set->from[i], v);
                        else
                                append(text, sizeof(text), "%s%s=%s", text[0] ? " " : "", o->name, v);
                }
                if (s && s->kind == BG_STEP_CREATE)
                        snprintf(s->desc, sizeof(s->desc), "create bond%s%s%s", text[0] ? " (" : "",
                                 text, text[0] ? ")" : "");
                else if (s)
                        snprintf(s->desc, sizeof(s->desc), "set %s", text);
                else if (create && pass == 0 &&
                         !add_step(p, BG_STEP_CREATE, b->name, b->name, "create bond"))
                        return -ENOMEM;
        }
        return 0;
}

/* A model port resolved to a link of the running system. */
struct rport {
        const struct bg_port *port;
        const struct bg_nl_link *link;
};

static int resolve_ports(const struct bg_bond *b, const struct bg_nl_state *st, int bond_ifindex,
                         struct rport *out, size_t *n_out, struct bg_diags *d) {
        int bad = 0;

        *n_out = 0;
        for (size_t i = 0; i < b->n_ports; i++) {
                const struct bg_port *pt = &b->ports[i];
                const struct bg_nl_link *l = NULL;

                /* HWADDR wins over the name, like initscripts. Only
                 * Ethernet MACs: the link table keeps 6 bytes. */
                if (pt->mac.len == 6)
                        l = bg_nl_state_link_by_mac(st, pt->mac.bytes);
                if (!l && pt->name)
                        l = bg_nl_state_link(st, pt->name);
                if (!l) {
                        bg_diag_add(d, BG_DIAG_WARNING, &pt->loc, "ports",
                                    "%s: port %s not present; it is enslaved when it appears",
                                    b->name, pt->name ? pt->name : BG_HWADDR_STR(&pt->mac));
                        continue;
                }
                /* Checked here because the kernel would refuse it only
                 * after earlier steps ran: a loopback device has the
                 * all-zero MAC, which bond_enslave() cannot give the bond
                 * or take from it (EADDRNOTAVAIL from set_mac_address). */
                if (l->flags & IFF_LOOPBACK) {
                        bg_diag_add(d, BG_DIAG_ERROR, &pt->loc, "ports",
                                    "%s: port %s is a loopback device; the bonding driver refuses it (no MAC address)",
                                    b->name, l->name);
                        bad = -EINVAL;
                        continue;
                }
                if (l->is_bond || (l->ifindex == bond_ifindex)) {
                        bg_diag_add(d, BG_DIAG_ERROR, &pt->loc, "ports", "%s: port %s is a bond itself",
                                    b->name, l->name);
                        bad = -EINVAL;
                        continue;
                }
                if (l->master && l->master != bond_ifindex) {
                        const struct bg_nl_link *m = bg_nl_state_link_by_index(st, l->master);
                        bg_diag_add(d, BG_DIAG_ERROR, &pt->loc, "ports",
                                    "%s: port %s already belongs to %s; release it first",
                                    b->name, l->name, m ? m->name : "another master");
                        bad = -EINVAL;
                        continue;
                }
                out[(*n_out)++] = (struct rport){ pt, l };
        }
        return bad;
}

static bool port_wanted(const struct rport *rp, size_t n, const struct bg_nl_link *l) {
        for (size_t i = 0; i < n; i++)
                if (rp[i].link == l)
                        return true;
        return false;
}

static int queue_id_of(const struct bg_bond *b, const char *port, uint16_t *q) {
        const struct bg_optval *v = &b->opts[BG_OPT_QUEUE_ID];

        for (size_t i = 0; v->set && i < v->n_list; i++) {
                const char *c = strrchr(v->list[i], ':');
                if (c && (size_t) (c - v->list[i]) == strlen(port) &&
                    strncmp(v->list[i], port, strlen(port)) == 0) {
                        *q = (uint16_t) strtoul(c + 1, NULL, 10);
                        return 1;
                }
        }
        return 0;
}

static int plan_addresses(struct bg_plan *p, const char *name, const struct bg_nl_state *st,
                          const struct bg_nl_link *cur, int family, const struct bg_ipcfg *c,
                          struct bg_diags *d) {
        size_t alen = family == AF_INET ? 4 : 16;
        bool manage = c->method == BG_IP_STATIC || c->method == BG_IP_NONE;

        /* DHCP is handed over after the plans (dhcp.c); its addresses
         * are the client's */
        if (c->method == BG_IP_DHCP)
                return 0;
        for (size_t i = 0; i < c->n_addresses; i++) {
                const struct bg_addr *ma = &c->addresses[i];
                struct bg_nl_addr a = { .family = family, .prefixlen = ma->prefixlen };
                bool present = false;

                if (ma->family != family) {
                        bg_diag_add(d, BG_DIAG_ERROR, ma->loc.file ? &ma->loc : &c->loc, "addresses",
                                    "%s: invalid address '%s'", name, BG_ADDR_STR(ma));
                        return -EINVAL;
                }
                memcpy(a.addr, ma->bytes, alen);
                for (size_t j = 0; cur && j < st->n_addrs; j++) {
                        const struct bg_nl_addr *x = &st->addrs[j];
                        if (x->ifindex == cur->ifindex && x->family == family &&
                            x->prefixlen == a.prefixlen && memcmp(x->addr, a.addr, alen) == 0)
                                present = true;
                }
                if (!present) {
                        struct bg_step *s = add_step(p, BG_STEP_ADDR_ADD, name, name,
                                                     "add address %s", BG_ADDR_STR(ma));
                        if (!s)
                                return -ENOMEM;
                        s->addr = a;
                }
        }
        /* Addresses of the bond that the model does not list go, except
         * IPv6 link-local ones, which the kernel owns. */
        for (size_t j = 0; manage && cur && j < st->n_addrs; j++) {
                const struct bg_nl_addr *x = &st->addrs[j];
                char text[INET6_ADDRSTRLEN];
                bool listed = false;

                if (x->ifindex != cur->ifindex || x->family != family || x->scope == RT_SCOPE_LINK)
                        continue;
                for (size_t i = 0; i < c->n_addresses && !listed; i++) {
                        const struct bg_addr *ma = &c->addresses[i];
                        listed = ma->family == family && ma->prefixlen == x->prefixlen &&
                                 memcmp(ma->bytes, x->addr, alen) == 0;
                }
                if (listed)
                        continue;
                inet_ntop(family, x->addr, text, sizeof(text));
                struct bg_step *s = add_step(p, BG_STEP_ADDR_DEL, name, name,
                                             "remove address %s/%u", text, x->prefixlen);
                if (!s)
                        return -ENOMEM;
                s->addr = *x;
        }
        return 0;
}

/* The kernel route for a model route; -EAFNOSUPPORT for a value of the
 * other family (validation reports it with its position). */
static int route_from_model(const struct bg_route *mr, const struct bg_addr *via, uint32_t metric, int family,
                            struct bg_nl_route *r) {
        memset(r, 0, sizeof(*r));
        r->family = family;
        r->table = RT_TABLE_MAIN;
        r->protocol = RTPROT_STATIC;
        r->metric = metric;
        if (mr && !mr->is_default) {
                if (mr->to.family != family)
                        return -EAFNOSUPPORT;
                memcpy(r->dst, mr->to.bytes, sizeof(r->dst));
                r->dst_len = mr->to.prefixlen;
        }
        if (via && bg_addr_set(via)) {
                if (via->family != family)
                        return -EAFNOSUPPORT;
                memcpy(r->gateway, via->bytes, sizeof(r->gateway));
                r->has_gateway = true;
        }
        r->scope = r->has_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
        return 0;
}

static bool route_same(const struct bg_nl_route *a, const struct bg_nl_route *b, int oif) {
        size_t len = a->family == AF_INET ? 4 : 16;
        return a->family == b->family && a->dst_len == b->dst_len && b->oif == oif &&
               memcmp(a->dst, b->dst, len) == 0 && a->has_gateway == b->has_gateway &&
               (!a->has_gateway || memcmp(a->gateway, b->gateway, len) == 0) &&
               (a->metric == b->metric || (a->metric == 0 && a->family == AF_INET6));
}

static int plan_routes(struct bg_plan *p, const char *name, const struct bg_nl_state *st,
                       const struct bg_nl_link *cur, int family, const struct bg_ipcfg *c,
                       struct bg_diags *d) {
        struct bg_nl_route want[65];
        char text[65][BG_ADDR_STRLEN];
        size_t n = 0;

        if (c->method == BG_IP_DHCP)
                return 0;
        if (bg_addr_set(&c->gateway)) {
                if (route_from_model(NULL, &c->gateway, 0, family, &want[n]) < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, c->gateway.loc.file ? &c->gateway.loc : &c->loc,
                                    "gateway", "%s: invalid gateway '%s'", name, BG_ADDR_STR(&c->gateway));
                        return -EINVAL;
                }
                snprintf(text[n++], sizeof(text[0]), "default");
        }
        for (size_t i = 0; i < c->n_routes && n < BG_ARRAY_SIZE(want); i++) {
                const struct bg_route *r = &c->routes[i];
                if (route_from_model(r, &r->via, r->metric, family, &want[n]) < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, &r->loc, "routes", "%s: invalid route to '%s'",
                                    name, r->is_default ? "default" : BG_ADDR_STR(&r->to));
                        return -EINVAL;
                }
                if (r->is_default)
                        snprintf(text[n++], sizeof(text[0]), "default");
                else
                        bg_addr_format(&r->to, text[n++]);
        }
        for (size_t i = 0; i < n; i++) {
                bool present = false;
                char gw[INET6_ADDRSTRLEN] = "";

                for (size_t j = 0; cur && j < st->n_routes && !present; j++)
                        present = route_same(&want[i], &st->routes[j], cur->ifindex);
                if (present)
                        continue;
                if (want[i].has_gateway)
                        inet_ntop(family, want[i].gateway, gw, sizeof(gw));
                struct bg_step *s = add_step(p, BG_STEP_ROUTE_ADD, name, name, "add route %s%s%s",
                                             text[i], gw[0] ? " via " : "", gw);
                if (!s)
                        return -ENOMEM;
                s->route = want[i];
        }
        /* Static routes through the bond that the model no longer lists.
         * Kernel-made prefix routes (proto kernel) are not ours to remove. */
        for (size_t j = 0; cur && j < st->n_routes; j++) {
                const struct bg_nl_route *x = &st->routes[j];
                char dst[INET6_ADDRSTRLEN];
                bool listed = false;

                if (x->oif != cur->ifindex || x->family != family || x->protocol != RTPROT_STATIC)
                        continue;
                for (size_t i = 0; i < n && !listed; i++)
                        listed = route_same(&want[i], x, cur->ifindex);
                if (listed)
                        continue;
                inet_ntop(family, x->dst, dst, sizeof(dst));
                struct bg_step *s = add_step(p, BG_STEP_ROUTE_DEL, name, name,
                                             "remove route %s/%u", dst, x->dst_len);
                if (!s)
                        return -ENOMEM;
                s->route = *x;
        }
        return 0;
}

int bg_plan_l3(struct bg_plan *p, const char *name, const struct bg_nl_state *st, const struct bg_nl_link *cur,
               const struct bg_ipcfg *v4, const struct bg_ipcfg *v6, struct bg_diags *d) {
        int r = plan_addresses(p, name, st, cur, AF_INET, v4, d);

        if (r >= 0)
                r = plan_addresses(p, name, st, cur, AF_INET6, v6, d);
        if (r >= 0)
                r = plan_routes(p, name, st, cur, AF_INET, v4, d);
        if (r >= 0)
                r = plan_routes(p, name, st, cur, AF_INET6, v6, d);
        return r;
}

/* ---- bg_plan_bond as a list of named stages ----
 * Each stage reads and extends the context; the order of the table is the
 * order the kernel needs (release and down before options that need them,
 * options before ports, ports before MTU and MAC, up before addresses). */
struct plan_ctx {
        const struct bg_bond *b;        /* the model bond, mode always set */
        const struct bg_nl_state *st;
        const struct bg_nl_link *cur;   /* the bond as running, NULL if none */
        struct bg_plan *p;
        struct bg_diags *d;
        enum bg_mode mode;
        struct optset set;
        struct rport *rp;
        size_t n_rp;
        bool need_release, need_down, was_up, has_ports;
};

static int stage_check_name(struct plan_ctx *c) {
        if (c->cur && !c->cur->is_bond) {
                bg_diag_add(c->d, BG_DIAG_ERROR, &c->b->loc, "name",
                            "%s: an interface with this name exists and is not a bond (kind '%s')",
                            c->b->name, c->cur->kind[0] ? c->cur->kind : "none");
                return -EINVAL;
        }
        c->was_up = c->cur && (c->cur->flags & IFF_UP);
        for (size_t i = 0; c->cur && i < c->st->n_links; i++)
                if (c->st->links[i].master == c->cur->ifindex)
                        c->has_ports = true;
        return 0;
}

static int stage_resolve_ports(struct plan_ctx *c) {
        c->rp = calloc(c->b->n_ports + 1, sizeof(*c->rp));
        if (!c->rp)
                return -ENOMEM;
        return resolve_ports(c->b, c->st, c->cur ? c->cur->ifindex : -1, c->rp, &c->n_rp, c->d);
}

/* Which options differ, and whether changing them needs the bond without
 * ports or down. */
static int stage_compare_options(struct plan_ctx *c) {
        const struct bg_bond *b = c->b;

        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);

                if (!b->opts[i].set || !sendable(o))
                        continue;
                if (!(o->modes & BG_MODE_BIT(c->mode))) {
                        bg_diag_add(c->d, BG_DIAG_WARNING, &b->opt_loc[i], o->name,
                                    "%s: %s is not supported in mode %s; not applied", b->name,
                                    o->name, bg_mode_name(c->mode));
                        continue;
                }
                if (!c->cur) {
                        c->set.have[i] = true;
                        continue;
                }
                if (opt_equal(b, c->st, c->cur, o))
                        continue;
                if (!c->cur->bond.have[i] && c->cur->bond.have[BG_OPT_MODE] && !reported_conditionally(i)) {
                        bg_diag_add(c->d, BG_DIAG_WARNING, &b->opt_loc[i], o->name,
                                    "%s: the running kernel does not know %s; not applied",
                                    b->name, o->name);
                        continue;
                }
                c->set.have[i] = true;
                if (c->cur->bond.have[i])
                        fmt_val(o, &c->cur->bond.val[i], c->st, c->set.from[i], sizeof(c->set.from[i]));
                else
                        snprintf(c->set.from[i], sizeof(c->set.from[i]), "none");
                if (o->flags & BG_OF_NOSLAVES)
                        c->need_release = true;
                if (o->flags & BG_OF_IFDOWN)
                        c->need_down = true;
        }
        /* The mode row carries both flags in the catalogue; be explicit in
         * case a catalogue revision drops one. */
        if (c->set.have[BG_OPT_MODE] && c->cur) {
                c->need_release = true;
                c->need_down = true;
        }
        return 0;
}

static int stage_release_for_options(struct plan_ctx *c) {
        if (!c->cur || !c->need_release || !c->has_ports)
                return 0;
        for (size_t i = 0; i < c->st->n_links; i++) {
                const struct bg_nl_link *l = &c->st->links[i];
                if (l->master == c->cur->ifindex &&
                    !add_step(c->p, BG_STEP_RELEASE, c->b->name, l->name,
                              "release %s (option needs a bond without ports)", l->name))
                        return -ENOMEM;
        }
        return 0;
}

static int stage_down_for_options(struct plan_ctx *c) {
        if (c->cur && c->need_down && c->was_up &&
            !add_step(c->p, BG_STEP_DOWN, c->b->name, c->b->name, "down (option needs the bond down)"))
                return -ENOMEM;
        return 0;
}

/* A new bond without `mac:` is created with its first port's permanent
 * MAC, the MAC the kernel and initscripts give it when that port joins
 * first, so that nothing between the create and the first enslave (udev
 * applying MACAddressPolicy= to the new device) can give it another one:
 * a DHCP server's reservation for that MAC, or the switch's, would miss.
 * Without the first port there is nothing to go by. */
static void create_mac(struct plan_ctx *c) {
        const struct bg_nl_link *l;
        struct bg_step *s = NULL;
        char m[18];

        if (c->cur || c->b->mac.len || !c->n_rp || !c->b->n_ports || c->rp[0].port != &c->b->ports[0])
                return;
        for (size_t i = c->p->n_steps; i-- > 0 && !s;)
                if (c->p->steps[i].kind == BG_STEP_CREATE && !strcmp(c->p->steps[i].bond, c->b->name))
                        s = &c->p->steps[i];
        l = c->rp[0].link;
        if (!s || !(l->has_perm_mac || l->has_mac))
                return;
        memcpy(s->opts.mac, l->has_perm_mac ? l->perm_mac : l->mac, 6);
        s->opts.have_mac = true;
        bg_format_mac(s->opts.mac, m);
        append(s->desc, sizeof(s->desc), ", mac %s (%s's)", m, l->name);
}

static int stage_options(struct plan_ctx *c) {
        int r = emit_options(c->p, c->b, c->st, &c->set, !c->cur);

        if (r >= 0)
                create_mac(c);
        return r;
}

/* Release the ports the model no longer lists, enslave the missing ones
 * (and those released above). */
static int stage_ports(struct plan_ctx *c) {
        const struct bg_bond *b = c->b;
        const struct bg_nl_link *cur = c->cur;

        for (size_t i = 0; cur && !c->need_release && i < c->st->n_links; i++) {
                const struct bg_nl_link *l = &c->st->links[i];
                if (l->master == cur->ifindex && !port_wanted(c->rp, c->n_rp, l) &&
                    !add_step(c->p, BG_STEP_RELEASE, b->name, l->name, "release %s (not in the model)",
                              l->name))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_rp; i++) {
                const struct bg_nl_link *l = c->rp[i].link;
                bool joins = !cur || l->master != cur->ifindex || c->need_release;
                uint16_t q = 0;

                if (joins && !add_step(c->p, BG_STEP_ENSLAVE, b->name, l->name, "enslave %s", l->name))
                        return -ENOMEM;
                /* a port joins with queue_id 0 (bond_enslave() makes it anew) */
                if (queue_id_of(b, l->name, &q) && (joins ? q != 0 : l->slave.queue_id != q)) {
                        struct bg_step *s = add_step(c->p, BG_STEP_QUEUE_ID, b->name, l->name,
                                                     "set queue_id of %s to %u", l->name, q);
                        if (!s)
                                return -ENOMEM;
                        s->queue_id = q;
                }
                /* a port joins with prio 0, as with queue_id; a port
                 * that reports no prio is in a bond that has none (a
                 * kernel before 6.0 ignores the attribute it does not
                 * know, so sending it would be a silent no-op) */
                const struct bg_port *mp = c->rp[i].port;
                if (!joins && mp->prio && l->slave.have && !l->slave.have_prio) {
                        bg_diag_add(c->d, BG_DIAG_ERROR, mp->prio_loc.line ? &mp->prio_loc : &mp->loc, "prio",
                                    "%s: port %s: prio %d, but %s reports no port priority (IFLA_BOND_SLAVE_PRIO: "
                                    "Linux 6.0 or newer)", b->name, l->name, (int) mp->prio, b->name);
                        return -EOPNOTSUPP;
                }
                if (joins ? mp->prio != 0 : l->slave.prio != mp->prio) {
                        struct bg_step *s = add_step(c->p, BG_STEP_PRIO, b->name, l->name, "set prio of %s to %d",
                                                     l->name, (int) c->rp[i].port->prio);
                        if (!s)
                                return -ENOMEM;
                        s->prio = c->rp[i].port->prio;
                }
        }
        return 0;
}

static int stage_mtu(struct plan_ctx *c) {
        const struct bg_bond *b = c->b;
        struct bg_step *s;

        if (!b->mtu || (c->cur && c->cur->mtu == b->mtu))
                return 0;
        s = c->cur ? add_step(c->p, BG_STEP_MTU, b->name, b->name, "mtu %u -> %u", c->cur->mtu, b->mtu) :
                     add_step(c->p, BG_STEP_MTU, b->name, b->name, "mtu %u", b->mtu);
        if (!s)
                return -ENOMEM;
        s->mtu = b->mtu;
        return 0;
}

/* The MAC a bond without `mac:` should have: its first port's permanent
 * one, as the kernel and initscripts give it when that port joins first.
 * It only has to be set when the bond has ports already and got another
 * MAC (ports joined in another order: the first was missing at boot, or
 * someone re-enslaved by hand); a bond without ports takes the first
 * enslaved port's MAC by itself. With fail_over_mac=active the bond's MAC
 * follows the active port by design. */
static bool first_port_mac(const struct plan_ctx *c, uint8_t mac[6], const char **name) {
        const struct bg_nl_link *l;
        bool any = false;

        if (!c->cur || c->need_release || !c->n_rp || bg_bond_opt_num(c->b, BG_OPT_FAIL_OVER_MAC) == 1)
                return false;
        if (c->b->n_ports && c->rp[0].port != &c->b->ports[0])
                return false;   /* the first port is missing: no MAC to go by */
        for (size_t i = 0; i < c->st->n_links; i++)
                any |= c->st->links[i].master == c->cur->ifindex;
        l = c->rp[0].link;
        if (!any || l->master != c->cur->ifindex)
                return false;
        memcpy(mac, l->has_perm_mac ? l->perm_mac : l->mac, 6);
        *name = l->name;
        return true;
}

static int stage_mac(struct plan_ctx *c) {
        const struct bg_bond *b = c->b;
        const char *port = NULL;
        uint8_t mac[6];
        char from[18], to[18];

        if (!b->mac.len) {
                if (!first_port_mac(c, mac, &port) || !c->cur->has_mac || memcmp(c->cur->mac, mac, 6) == 0)
                        return 0;
                bg_format_mac(c->cur->mac, from);
                bg_format_mac(mac, to);
                struct bg_step *s = add_step(c->p, BG_STEP_MAC, b->name, b->name, "mac %s -> %s (%s's)", from,
                                             to, port);
                if (!s)
                        return -ENOMEM;
                memcpy(s->mac, mac, 6);
                return 0;
        }
        if (b->mac.len != 6) {
                bg_diag_add(c->d, BG_DIAG_ERROR, &b->loc, "mac", "%s: MAC '%s' is not an Ethernet MAC", b->name,
                            BG_HWADDR_STR(&b->mac));
                return -EINVAL;
        }
        memcpy(mac, b->mac.bytes, 6);
        if (c->cur && c->cur->has_mac && memcmp(c->cur->mac, mac, 6) == 0)
                return 0;
        bg_format_mac(mac, to);
        struct bg_step *s = c->cur && c->cur->has_mac && bg_format_mac(c->cur->mac, from) == 0 ?
                add_step(c->p, BG_STEP_MAC, b->name, b->name, "mac %s -> %s", from, to) :
                add_step(c->p, BG_STEP_MAC, b->name, b->name, "mac %s", to);
        if (!s)
                return -ENOMEM;
        memcpy(s->mac, mac, 6);
        return 0;
}

/* Up when the model wants it up at boot, or when we took it down. */
static int stage_up(struct plan_ctx *c) {
        if (((c->b->onboot && !c->was_up) || (c->need_down && c->was_up)) &&
            !add_step(c->p, BG_STEP_UP, c->b->name, c->b->name, "up"))
                return -ENOMEM;
        return 0;
}

/* The active port of a bond that has one (active-backup, TLB, ALB): with
 * a primary and primary_reselect "always", the kernel makes the primary
 * active whenever it is up, so an up primary that is not active is drift
 * (someone ran `ifenslave -c` or wrote active_slave). Only for a bond
 * whose ports stay; a bond being (re)built chooses by itself. */
static int stage_active(struct plan_ctx *c) {
        const struct bg_bond *b = c->b;
        const struct bg_optval *prim = &b->opts[BG_OPT_PRIMARY];
        const struct bg_nl_link *pl, *al;

        if (!c->cur || c->need_release || c->set.have[BG_OPT_PRIMARY] || !prim->set || !prim->str ||
            !prim->str[0] || bg_bond_opt_num(b, BG_OPT_PRIMARY_RESELECT) != 0)
                return 0;
        if (c->mode != BG_MODE_ACTIVE_BACKUP && c->mode != BG_MODE_BALANCE_TLB &&
            c->mode != BG_MODE_BALANCE_ALB)
                return 0;
        pl = bg_nl_state_link(c->st, prim->str);
        if (!pl || pl->master != c->cur->ifindex || !bg_nl_link_running(pl) || pl->slave.mii_status != 0)
                return 0;
        if (!c->cur->bond.have[BG_OPT_ACTIVE_SLAVE])
                al = NULL;
        else
                al = bg_nl_state_link_by_index(c->st, (int) c->cur->bond.val[BG_OPT_ACTIVE_SLAVE].num);
        if (al && al->ifindex == pl->ifindex)
                return 0;
        struct bg_step *s = add_step(c->p, BG_STEP_OPTIONS, b->name, b->name, "active %s -> %s",
                                     al ? al->name : "none", pl->name);
        if (!s)
                return -ENOMEM;
        s->opts.have[BG_OPT_ACTIVE_SLAVE] = true;
        s->opts.val[BG_OPT_ACTIVE_SLAVE] = (struct bg_optval){ .set = true, .str = strdup(pl->name) };
        return s->opts.val[BG_OPT_ACTIVE_SLAVE].str ? 0 : -ENOMEM;
}

/* Taking the bond down makes the kernel drop its routes and its IPv6
 * addresses (keep_addr_on_down is off by default); IPv4 addresses stay.
 * Plan those as if the bond had none. */
static const struct bg_nl_link *after_down(const struct plan_ctx *c) {
        return c->need_down && c->was_up ? NULL : c->cur;
}

static int stage_addresses(struct plan_ctx *c) {
        int r = plan_addresses(c->p, c->b->name, c->st, c->cur, AF_INET, &c->b->ipv4, c->d);
        return r < 0 ? r : plan_addresses(c->p, c->b->name, c->st, after_down(c), AF_INET6, &c->b->ipv6, c->d);
}

static int stage_routes(struct plan_ctx *c) {
        int r = plan_routes(c->p, c->b->name, c->st, after_down(c), AF_INET, &c->b->ipv4, c->d);
        return r < 0 ? r : plan_routes(c->p, c->b->name, c->st, after_down(c), AF_INET6, &c->b->ipv6, c->d);
}

static const struct {
        const char *name;
        int (*run)(struct plan_ctx *c);
} stages[] = {
        { "check-name", stage_check_name },
        { "resolve-ports", stage_resolve_ports },
        { "compare-options", stage_compare_options },
        { "release-for-options", stage_release_for_options },
        { "down-for-options", stage_down_for_options },
        { "options", stage_options },
        { "ports", stage_ports },
        { "mtu", stage_mtu },
        { "mac", stage_mac },
        { "up", stage_up },
        { "active-port", stage_active },
        { "addresses", stage_addresses },
        { "routes", stage_routes },
};

int bg_plan_bond(const struct bg_bond *model, const struct bg_nl_state *st, struct bg_plan *p,
                 struct bg_diags *d) {
        /* An unset mode means balance-rr (model.h), so the mode is always
         * enforced: a bond0 left in another mode by earlier module options
         * is brought to what the model says. A shallow copy: nothing in it
         * is freed here. */
        struct bg_bond eff = *model;
        struct plan_ctx c = { .b = &eff, .st = st, .cur = bg_nl_state_link(st, model->name), .p = p, .d = d };
        int r = 0;

        c.mode = bg_bond_mode(model);
        eff.opts[BG_OPT_MODE] = (struct bg_optval){ .set = true, .num = c.mode };
        for (size_t i = 0; i < BG_ARRAY_SIZE(stages) && r >= 0; i++)
                r = stages[i].run(&c);
        free(c.rp);
        return r < 0 ? r : 0;
}

/* bondgend keeps the ports a bond names that have no device yet
 * (pending) and enslaves each when it appears; the planner above sees
 * links only. A model port without a device that bondgend does not keep
 * is asked for (an enslave step bondgend takes as "pending NAME"), a kept
 * port the model no longer names is dropped (a release step). */
int bg_plan_fwd_pending(const struct bg_bond *b, const struct bg_nl_state *st, const struct bg_fwd_state *fs,
                        struct bg_plan *p) {
        for (size_t i = 0; i < fs->n_pending; i++) {
                bool named = false;
                for (size_t k = 0; k < b->n_ports && !named; k++)
                        named = b->ports[k].name && !strcmp(b->ports[k].name, fs->pending[i]);
                if (!named && !add_step(p, BG_STEP_RELEASE, b->name, fs->pending[i],
                                        "release %s (not in the model; not present)", fs->pending[i]))
                        return -ENOMEM;
        }
        for (size_t k = 0; k < b->n_ports; k++) {
                const struct bg_port *pt = &b->ports[k];
                bool kept = false;

                if (!pt->name || bg_nl_state_link(st, pt->name) ||
                    (pt->mac.len == 6 && bg_nl_state_link_by_mac(st, pt->mac.bytes)))
                        continue;
                for (size_t i = 0; i < fs->n_pending && !kept; i++)
                        kept = !strcmp(fs->pending[i], pt->name);
                if (!kept && !add_step(p, BG_STEP_ENSLAVE, b->name, pt->name, "enslave %s when it appears (not present)",
                                       pt->name))
                        return -ENOMEM;
        }
        return 0;
}
