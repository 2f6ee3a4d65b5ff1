/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model's addresses and routes (text, as in the YAML) as rtnetlink
 * requests on the bond's TAP; the requests themselves are src/netlink's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/core.h"
#include "netlink/netlink.h"

/* "10.0.0.1/24", "2001:db8::1/64", or a bare address (a host prefix). */
static int parse_cidr(const char *cidr, int *family, uint8_t addr[16], unsigned *plen) {
        char a[64], *slash;

        snprintf(a, sizeof(a), "%s", cidr);
        slash = strchr(a, '/');
        if (slash)
                *slash++ = 0;
        *family = strchr(a, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(*family, a, addr) != 1)
                return -EINVAL;
        *plen = slash ? (unsigned) atoi(slash) : (*family == AF_INET ? 32 : 128);
        return 0;
}

int bg_fwd_add_address(struct bg_nl *nl, int ifindex, const char *cidr) {
        struct bg_nl_addr a = { .ifindex = ifindex };
        struct nlmsghdr *req;
        char buf[BG_NL_BUFSIZE];
        int r;

        r = parse_cidr(cidr, &a.family, a.addr, &a.prefixlen);
        if (r < 0)
                return r;
        r = bg_nl_msg_addr(buf, 0, true, &a, &req);
        if (r < 0)
                return r;
        return bg_nl_call(nl, req, NULL);
}

/* A route to "default" or a prefix, via a gateway or (NULL) on link. */
int bg_fwd_add_route(struct bg_nl *nl, int ifindex, const char *to, const char *via, uint32_t metric) {
        struct bg_nl_route rt = {
                .family = AF_INET,
                .oif = ifindex,
                .metric = metric,
                .table = RT_TABLE_MAIN,
                .protocol = RTPROT_STATIC,
                .scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                .type = RTN_UNICAST,
        };
        struct nlmsghdr *req;
        char buf[BG_NL_BUFSIZE];
        int r;

        if (to && strcmp(to, "default")) {
                r = parse_cidr(to, &rt.family, rt.dst, &rt.dst_len);
                if (r < 0)
                        return r;
        } else if (via && strchr(via, ':'))
                rt.family = AF_INET6;
        if (via) {
                if (inet_pton(rt.family, via, rt.gateway) != 1)
                        return -EINVAL;
                rt.has_gateway = true;
        }
        r = bg_nl_msg_route(buf, 0, true, &rt, &req);
        if (r < 0)
                return r;
        return bg_nl_call(nl, req, NULL);
}
