/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The routes to the ARP targets (struct bg_fwd_io.route4), for the ARP
 * monitor's choice of source address and tags (logic/arppath.c): the
 * kernel's bond_arp_send_all() calls ip_route_output() for every target in
 * every probe round. A RTM_GETROUTE answered while the loop waits could
 * wait for the RTNL lock, so the question goes out on a non-blocking
 * socket of its own at most once per half arp_interval per target, and the
 * probe uses the last answer: a route change reaches the probes within
 * one interval. Until the first answer the probe goes as it did without a
 * route lookup (the bond's address, untagged).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "fwd/io/core-int.h"
#include "netlink/netlink.h"

static struct bg_route_ent *ent_of_dst(struct bg_core *c, uint32_t dst) {
        struct bg_route_ent *old = &c->routes[0];

        for (size_t i = 0; i < BG_CORE_MAX_ROUTES; i++) {
                if (c->routes[i].used && c->routes[i].dst == dst)
                        return &c->routes[i];
                if (!c->routes[i].used || c->routes[i].asked < old->asked)
                        old = &c->routes[i];
        }
        /* a target not asked about yet takes a free entry or the stalest */
        *old = (struct bg_route_ent){ .used = true, .dst = dst, .oif = -1 };
        return old;
}

/* RTO_ONLINK / RT_SCOPE_LINK: the monitor's lookup takes only routes on
 * the link; a route through a gateway counts as none. */
static void answer(struct bg_core *c, const struct nlmsghdr *nlh) {
        struct bg_route_ent *e = NULL;
        struct bg_nl_route r;

        for (size_t i = 0; i < BG_CORE_MAX_ROUTES; i++)
                if (c->routes[i].used && c->routes[i].seq == nlh->nlmsg_seq)
                        e = &c->routes[i];
        if (!e)
                return;
        if (nlh->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
                if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*err)) && err->error)
                        e->oif = 0;
                return;
        }
        if (bg_nl_parse_route(nlh, &r) < 0)
                return;
        e->oif = r.has_gateway || r.type != RTN_UNICAST ? 0 : r.oif;
}

static int on_route(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_core *c = userdata;
        uint8_t buf[8192];
        ssize_t n;

        (void) s, (void) fd, (void) revents;
        while ((n = mnl_socket_recvfrom(c->route_sk, buf, sizeof(buf))) > 0) {
                const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf;
                int len = (int) n;

                for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
                        answer(c, nlh);
        }
        return 0;
}

int bg_core_route_open(struct bg_core *c) {
        c->route_sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (!c->route_sk)
                return -errno;
        if (mnl_socket_bind(c->route_sk, 0, MNL_SOCKET_AUTOPID) < 0)
                return -errno;
        return sd_event_add_io(c->ev, &c->route_src, mnl_socket_get_fd(c->route_sk), EPOLLIN, on_route, c);
}

void bg_core_route_close(struct bg_core *c) {
        sd_event_source_disable_unref(c->route_src);
        c->route_src = NULL;
        if (c->route_sk)
                mnl_socket_close(c->route_sk);
        c->route_sk = NULL;
}

int bg_core_io_route4(struct bg_fwd *b, uint32_t dst_be) {
        struct bg_core *c = bg_core_of(b);
        struct bg_route_ent *e;
        uint64_t half = (uint64_t) b->p.arp_interval * 500;
        static uint8_t buf[BG_NL_BUFSIZE];   /* the builders' size; the loop's thread only */
        struct nlmsghdr *nlh;

        if (!c->route_sk)
                return -1;
        e = ent_of_dst(c, dst_be);
        if (!e->asked || b->now >= e->asked + half) {
                e->seq = ++c->route_seq;
                if (bg_nl_msg_getroute4(buf, e->seq, dst_be, &nlh) == 0 &&
                    mnl_socket_sendto(c->route_sk, nlh, nlh->nlmsg_len) >= 0)
                        e->asked = b->now ? b->now : 1;
        }
        return e->oif;
}
