/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the forwarder (bondgend) uses of src/netlink: link and address
 * events (RTM_DEL* included), the carrier rule, the single-link query
 * request, and — on a real, unprivileged rtnetlink socket — link queries,
 * address dumps and the event socket. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "netlink/netlink.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static uint32_t store[BG_NL_BUFSIZE / 4];

static struct nlmsghdr *link_msg(uint16_t type, int ifindex, unsigned flags, const char *name, int carrier) {
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifi;

        memset(store, 0, sizeof(store));
        nlh = mnl_nlmsg_put_header(store);
        nlh->nlmsg_type = type;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_index = ifindex;
        ifi->ifi_flags = flags;
        if (name)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (carrier >= 0)
                mnl_attr_put_u8(nlh, IFLA_CARRIER, (uint8_t) carrier);
        return nlh;
}

Test(nl_events, link_new_and_deleted) {
        struct bg_nl_link l;

        cr_assert_eq(bg_nl_parse_link(link_msg(RTM_NEWLINK, 7, IFF_UP | IFF_LOWER_UP, "eth7", 1), &l), 0);
        cr_expect_eq(l.ifindex, 7);
        cr_expect_str_eq(l.name, "eth7");
        cr_expect(!l.deleted);
        cr_expect(l.has_carrier);
        cr_expect(bg_nl_link_running(&l));
        bg_nl_link_clear(&l);

        cr_assert_eq(bg_nl_parse_link(link_msg(RTM_DELLINK, 7, 0, "eth7", -1), &l), 0);
        cr_expect(l.deleted);
        cr_expect_eq(l.ifindex, 7);
        cr_expect(!bg_nl_link_running(&l));
        bg_nl_link_clear(&l);

        /* other message types, and links without a name, are refused */
        cr_expect_eq(bg_nl_parse_link(link_msg(RTM_NEWADDR, 7, IFF_UP, "eth7", 1), &l), -EBADMSG);
        cr_expect_eq(bg_nl_parse_link(link_msg(RTM_NEWLINK, 7, IFF_UP, NULL, 1), &l), -EBADMSG);
}

/* Carrier counts only while the link is up; without IFLA_CARRIER the
 * IFF_LOWER_UP flag decides. */
Test(nl_events, running_rule) {
        static const struct {
                unsigned flags;
                int carrier;
                bool running;
        } cases[] = {
                { IFF_UP | IFF_LOWER_UP, 1, true },
                { IFF_UP | IFF_LOWER_UP, 0, false },
                { IFF_UP, 1, true },
                { IFF_LOWER_UP, 1, false },
                { IFF_UP | IFF_LOWER_UP, -1, true },
                { IFF_UP, -1, false },
                { IFF_LOWER_UP, -1, false },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct bg_nl_link l;
                cr_assert_eq(bg_nl_parse_link(link_msg(RTM_NEWLINK, 3, cases[i].flags, "p", cases[i].carrier), &l), 0);
                cr_expect_eq(l.has_carrier, cases[i].carrier >= 0, "case %zu", i);
                cr_expect_eq(bg_nl_link_running(&l), cases[i].running, "case %zu", i);
                bg_nl_link_clear(&l);
        }
}

Test(nl_events, address_new_and_deleted) {
        uint8_t v6[16], v4[4] = { 192, 0, 2, 9 };
        struct nlmsghdr *req;
        struct bg_nl_addr a = { .ifindex = 5, .family = AF_INET6, .prefixlen = 64 }, got;

        /* The builder's output is what the kernel echoes as an event. */
        inet_pton(AF_INET6, "2001:db8::5", v6);
        memcpy(a.addr, v6, 16);
        cr_assert_eq(bg_nl_msg_addr(store, 1, false, &a, &req), 0);
        cr_assert_eq(bg_nl_parse_addr(req, &got), 0);
        cr_expect(got.deleted);
        cr_expect_eq(got.ifindex, 5);
        cr_expect_eq(got.family, AF_INET6);
        cr_expect_eq(memcmp(got.addr, v6, 16), 0);

        a = (struct bg_nl_addr){ .ifindex = 6, .family = AF_INET, .prefixlen = 24 };
        memcpy(a.addr, v4, 4);
        cr_assert_eq(bg_nl_msg_addr(store, 1, true, &a, &req), 0);
        cr_assert_eq(bg_nl_parse_addr(req, &got), 0);
        cr_expect(!got.deleted);
        cr_expect_eq(got.prefixlen, 24u);
        cr_expect_eq(memcmp(got.addr, v4, 4), 0);

        req->nlmsg_type = RTM_NEWLINK;
        cr_expect_eq(bg_nl_parse_addr(req, &got), -EBADMSG);
}

Test(nl_events, getlink_request) {
        struct nlmsghdr *nlh;
        const struct ifinfomsg *ifi;
        const struct nlattr *a;
        bool name = false, mask = false;

        cr_assert_eq(bg_nl_msg_getlink(store, 9, 0, "eth0", &nlh), 0);
        cr_expect_eq(nlh->nlmsg_type, RTM_GETLINK);
        cr_expect_eq(nlh->nlmsg_flags, NLM_F_REQUEST);   /* one link, not a dump */
        cr_expect_eq(nlh->nlmsg_seq, 9u);
        ifi = mnl_nlmsg_get_payload(nlh);
        cr_expect_eq(ifi->ifi_index, 0);
        mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
                if (mnl_attr_get_type(a) == IFLA_IFNAME) {
                        cr_expect_str_eq(mnl_attr_get_str(a), "eth0");
                        name = true;
                } else if (mnl_attr_get_type(a) == IFLA_EXT_MASK) {
                        cr_expect_eq(mnl_attr_get_u32(a), RTEXT_FILTER_SKIP_STATS);
                        mask = true;
                }
        }
        cr_expect(name && mask);

        cr_assert_eq(bg_nl_msg_getlink(store, 9, 4, "ignored", &nlh), 0);
        ifi = mnl_nlmsg_get_payload(nlh);
        cr_expect_eq(ifi->ifi_index, 4);
        mnl_attr_for_each(a, nlh, sizeof(*ifi))
                cr_expect_neq(mnl_attr_get_type(a), IFLA_IFNAME);

        cr_expect_eq(bg_nl_msg_getlink(store, 9, 0, NULL, &nlh), -EINVAL);
        cr_expect_eq(bg_nl_msg_getlink(store, 9, 0, "", &nlh), -EINVAL);
        cr_expect_eq(bg_nl_msg_getlink(store, 9, 0, "a-name-far-too-long", &nlh), -EINVAL);
}

/* Reading needs no privileges: the loopback device of whatever network
 * namespace the test runs in is always ifindex 1 and named "lo". */
Test(nl_events, query_loopback) {
        struct bg_nl *nl;
        struct bg_nl_link l;

        cr_assert_eq(bg_nl_open(&nl), 0);
        cr_assert_eq(bg_nl_get_link(nl, 0, "lo", &l), 0);
        cr_expect_eq(l.ifindex, 1);
        cr_expect(!l.deleted);
        bg_nl_link_clear(&l);
        cr_assert_eq(bg_nl_get_link(nl, 1, NULL, &l), 0);
        cr_expect_str_eq(l.name, "lo");
        bg_nl_link_clear(&l);
        cr_expect_eq(bg_nl_get_link(nl, 0, "bgnlr-absent0", &l), -ENODEV);
        cr_expect_eq(bg_nl_get_link(nl, 0x7ffffff0, NULL, &l), -ENODEV);
        /* the socket still works after an error answer */
        cr_expect_eq(bg_nl_get_link(nl, 1, NULL, &l), 0);
        bg_nl_link_clear(&l);
        bg_nl_close(nl);
}

Test(nl_events, address_dump_by_link) {
        struct bg_nl *nl;
        struct bg_nl_addr *all, *lo;
        size_t n_all, n_lo, expect = 0;

        cr_assert_eq(bg_nl_open(&nl), 0);
        cr_assert_eq(bg_nl_get_addrs(nl, 0, &all, &n_all), 0);
        cr_assert_eq(bg_nl_get_addrs(nl, 1, &lo, &n_lo), 0);
        for (size_t i = 0; i < n_all; i++)
                expect += all[i].ifindex == 1;
        cr_expect_eq(n_lo, expect);
        for (size_t i = 0; i < n_lo; i++) {
                cr_expect_eq(lo[i].ifindex, 1);
                cr_expect(!lo[i].deleted);
        }
        free(all);
        free(lo);
        cr_assert_eq(bg_nl_get_addrs(nl, 0x7ffffff0, &lo, &n_lo), 0);
        cr_expect_eq(n_lo, 0u);
        free(lo);
        bg_nl_close(nl);
}

static void count_event(const struct nlmsghdr *nlh, void *userdata) {
        (void) nlh;
        (*(unsigned *) userdata)++;
}

Test(nl_events, event_socket) {
        struct bg_nl *nl;
        unsigned seen = 0;
        int fd, r, rounds = 0;

        cr_assert_eq(bg_nl_open_events(&nl), 0);
        fd = bg_nl_fd(nl);
        cr_assert_geq(fd, 0);
        cr_expect(fcntl(fd, F_GETFL) & O_NONBLOCK);
        cr_expect(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        /* Drains without blocking: other activity on the host may queue a
         * few events, but the socket never waits for one. */
        while ((r = bg_nl_read_events(nl, count_event, &seen)) == 1 && rounds < 10000)
                rounds++;
        cr_expect_eq(r, 0);
        cr_expect_geq(seen, (unsigned) rounds);
        bg_nl_close(nl);
}
