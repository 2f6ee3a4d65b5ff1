/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model's addresses and routes (typed, parsed by the model's reader) as rtnetlink
 * requests on the bond's TAP; the requests themselves are src/netlink's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <string.h>

#include "fwd/io/core-int.h"
#include "netlink/netlink.h"
#include "util/util.h"

int bg_fwd_add_address(struct bg_nl *nl, int ifindex, const struct bg_addr *addr) {
        struct bg_nl_addr a = { .ifindex = ifindex, .family = addr->family, .prefixlen = addr->prefixlen };
        struct nlmsghdr *req;
        char buf[BG_NL_BUFSIZE];
        int r;

        if (!bg_addr_set(addr))
                return -EINVAL;
        memcpy(a.addr, addr->bytes, sizeof(a.addr));
        r = bg_nl_msg_addr(buf, 0, true, &a, &req);
        if (r < 0)
                return r;
        return bg_nl_call(nl, req, NULL);
}

/* A route of family to a prefix (NULL: default), via a gateway or (unset
 * or NULL) on link. */
int bg_fwd_add_route(struct bg_nl *nl, int ifindex, int family, const struct bg_addr *to,
                     const struct bg_addr *via, uint32_t metric) {
        bool gw = via && bg_addr_set(via);
        struct bg_nl_route rt = {
                .family = family,
                .oif = ifindex,
                .metric = metric,
                .table = RT_TABLE_MAIN,
                .protocol = RTPROT_STATIC,
                .scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                .type = RTN_UNICAST,
        };
        struct nlmsghdr *req;
        char buf[BG_NL_BUFSIZE];
        int r;

        if ((to && to->family != family) || (gw && via->family != family))
                return -EAFNOSUPPORT;
        if (to) {
                memcpy(rt.dst, to->bytes, sizeof(rt.dst));
                rt.dst_len = to->prefixlen;
        }
        if (gw) {
                memcpy(rt.gateway, via->bytes, sizeof(rt.gateway));
                rt.has_gateway = true;
        }
        r = bg_nl_msg_route(buf, 0, true, &rt, &req);
        if (r < 0)
                return r;
        return bg_nl_call(nl, req, NULL);
}

/* ---- the bond's addresses, for the logic layer ---- */

bool bg_core_addr_usable(const struct bg_nl_addr *a) {
        return bg_fwd_addr_announceable(a->family, a->flags);
}

/* The bond's addresses, kept from rtnetlink events (bg_core.addr4/addr6);
 * a tentative IPv4 address joins when the event that ends its DAD
 * arrives. IPv6 ones are kept from their first event on, in the kernel's
 * order (bg_fwd_addr6_insert_at(); dumped: they come from a dump, which
 * is in that order already), and announced once usable; optimistic ones
 * (usable while in DAD) without Override until DAD ends. */
void bg_core_addr_event(struct bg_core *c, const struct bg_nl_addr *na, bool dumped) {
        const uint8_t *a = na->addr;
        bool deleted = na->deleted, usable = bg_core_addr_usable(na);
        bool optimistic = usable && (na->flags & IFA_F_OPTIMISTIC);

        if (na->family == AF_INET) {
                uint32_t v;
                memcpy(&v, a, 4);
                for (size_t i = 0; i < c->n_addr4; i++)
                        if (c->addr4[i] == v) {
                                if (deleted || !usable)
                                        c->addr4[i] = c->addr4[--c->n_addr4];
                                return;
                        }
                if (!deleted && usable && c->n_addr4 < 16)
                        c->addr4[c->n_addr4++] = v;
                return;
        }
        if (na->family != AF_INET6)
                return;
        for (size_t i = 0; i < c->n_addr6; i++)
                if (!memcmp(c->addr6[i], a, 16)) {
                        if (deleted) {
                                c->n_addr6--;
                                memmove(c->addr6[i], c->addr6[i + 1], (c->n_addr6 - i) * 16);
                                memmove(&c->addr6_usable[i], &c->addr6_usable[i + 1], c->n_addr6 - i);
                                memmove(&c->addr6_optimistic[i], &c->addr6_optimistic[i + 1], c->n_addr6 - i);
                        } else {
                                c->addr6_usable[i] = usable;
                                c->addr6_optimistic[i] = optimistic;
                        }
                        return;
                }
        if (deleted || c->n_addr6 >= 16)
                return;
        size_t at = dumped ? c->n_addr6 : bg_fwd_addr6_insert_at((const uint8_t (*)[16]) c->addr6, c->n_addr6, a);
        memmove(c->addr6[at + 1], c->addr6[at], (c->n_addr6 - at) * 16);
        memmove(&c->addr6_usable[at + 1], &c->addr6_usable[at], c->n_addr6 - at);
        memmove(&c->addr6_optimistic[at + 1], &c->addr6_optimistic[at], c->n_addr6 - at);
        memcpy(c->addr6[at], a, 16);
        c->addr6_usable[at] = usable;
        c->addr6_optimistic[at] = optimistic;
        c->n_addr6++;
}

bool bg_core_io_ipv6_optimistic(struct bg_fwd *b, const uint8_t addr[16]) {
        struct bg_core *c = bg_core_of(b);

        for (size_t i = 0; i < c->n_addr6; i++)
                if (!memcmp(c->addr6[i], addr, 16))
                        return c->addr6_optimistic[i];
        return false;
}

int bg_core_io_bond_addrs(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16],
                         size_t max6, size_t *n6) {
        struct bg_core *c = bg_core_of(b);

        *n4 = c->n_addr4 < max4 ? c->n_addr4 : max4;
        memcpy(v4, c->addr4, *n4 * sizeof(uint32_t));
        *n6 = 0;
        for (size_t i = 0; i < c->n_addr6 && *n6 < max6; i++)
                if (c->addr6_usable[i])
                        memcpy(v6[(*n6)++], c->addr6[i], 16);
        return 0;
}

/* Addresses present before the event socket saw them. */
void bg_core_read_addresses(struct bg_core *c) {
        struct bg_nl_addr *addrs;
        size_t n;

        if (bg_nl_get_addrs(c->rtnl, c->bond.tap_ifindex, &addrs, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        bg_core_addr_event(c, &addrs[i], true);
                free(addrs);
        }
}

/* ---- the model's addresses on the bond ---- */

/* Addresses and routes of the model on the bond: the TAP lives and dies
 * with bondgend, so bondgend (re)applies them each time it creates it. */
void bg_core_configure_addresses(struct bg_core *c) {
        if (c->model && c->configure_addresses)
                bg_core_configure_l3(c, c->bond.name, c->bond.tap_ifindex, &c->model->ipv4, &c->model->ipv6);
}

void bg_core_configure_l3(struct bg_core *c, const char *name, int ifindex, const struct bg_ipcfg *v4,
                          const struct bg_ipcfg *v6) {
        const struct bg_ipcfg *cfgs[2] = { v4, v6 };
        int r;

        for (int k = 0; k < 2; k++) {
                const struct bg_ipcfg *ip = cfgs[k];
                if (ip->method != BG_IP_STATIC)
                        continue;
                for (size_t i = 0; i < ip->n_addresses; i++) {
                        r = bg_fwd_add_address(c->rtnl, ifindex, &ip->addresses[i]);
                        if (r < 0)
                                bg_core_log(c, LOG_WARNING, "%s: cannot add address %s: %s", name,
                                            BG_ADDR_STR(&ip->addresses[i]), strerror(-r));
                }
        }
        for (int k = 0; k < 2; k++) {
                const struct bg_ipcfg *ip = cfgs[k];
                if (ip->method != BG_IP_STATIC)
                        continue;
                int fam = k ? AF_INET6 : AF_INET;
                if (bg_addr_set(&ip->gateway) &&
                    (r = bg_fwd_add_route(c->rtnl, ifindex, fam, NULL, &ip->gateway, 0)) < 0)
                        bg_core_log(c, LOG_WARNING, "%s: cannot add default route via %s: %s", name,
                                    BG_ADDR_STR(&ip->gateway), strerror(-r));
                for (size_t i = 0; i < ip->n_routes; i++) {
                        const struct bg_route *rt = &ip->routes[i];
                        r = bg_fwd_add_route(c->rtnl, ifindex, fam, rt->is_default ? NULL : &rt->to, &rt->via,
                                             rt->metric);
                        if (r < 0)
                                bg_core_log(c, LOG_WARNING, "%s: cannot add route to %s: %s", name,
                                            rt->is_default ? "default" : BG_ADDR_STR(&rt->to), strerror(-r));
                }
        }
}

/* ---- the bond's multicast groups (resend_igmp) ---- */

/* The groups of the device ifindex, from /proc/net/igmp, /proc/net/mcfilter
 * and /proc/net/igmp6, the host stack's own lists: rtnetlink does not report memberships, their source
 * filters or the IGMP version (bg_fwd_parse_igmp4()). The all-hosts and
 * all-nodes groups and node-local scope are never reported, as in the
 * kernel's igmp.c and mcast.c. */
int bg_core_io_groups(struct bg_fwd *b, int ifindex, struct bg_fwd_groups *g) {
        _cleanup_free_ char *igmp = NULL, *mcf = NULL, *llm = NULL;
        char line[256];
        FILE *f;

        g->n4 = g->n6 = 0;
        g->igmp_version = 3;
        if (bg_read_file("/proc/net/igmp", 1 << 22, &igmp, NULL) == 0) {
                (void) bg_read_file("/proc/net/mcfilter", 1 << 22, &mcf, NULL);
                /* igmp_link_local_mcast_reports, on by default */
                bool llm_on = bg_read_file("/proc/sys/net/ipv4/igmp_link_local_mcast_reports", 64, &llm, NULL) < 0 ||
                              atoi(llm) != 0;
                bg_fwd_parse_igmp4(igmp, mcf, ifindex, llm_on, g);
        }
        if ((f = fopen("/proc/net/igmp6", "re"))) {
                while (fgets(line, sizeof(line), f)) {
                        char hex[33], dev[32];
                        uint8_t a[16];
                        int idx;
                        if (sscanf(line, "%d %31s %32s", &idx, dev, hex) != 3 || idx != ifindex || strlen(hex) != 32)
                                continue;
                        for (int i = 0; i < 16; i++) {
                                unsigned x;
                                sscanf(hex + 2 * i, "%2x", &x);
                                a[i] = (uint8_t) x;
                        }
                        static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
                        if ((a[1] & 0x0f) < 2 || !memcmp(a, all_nodes, 16) || g->n6 >= BG_FWD_MAX_GROUPS6)
                                continue;
                        memcpy(g->v6[g->n6++], a, 16);
                }
                fclose(f);
        }
        return 0;
}
