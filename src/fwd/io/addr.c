/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model's addresses and routes (typed, parsed by the model's reader) as rtnetlink
 * requests on the bond's TAP; the requests themselves are src/netlink's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/io/core.h"
#include "netlink/netlink.h"

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
