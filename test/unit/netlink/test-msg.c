/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request building: every catalogue option's IFLA_BOND_* encoding against
 * bytes written out by hand from include/uapi/linux/if_link.h and bond_policy (number and type
 * per attribute), and whole messages for create/enslave/address/route.
 * Netlink is host byte order; the expected bytes are little-endian. */
#include <criterion/criterion.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "netlink/netlink.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "expected bytes below are little-endian"
#endif

static char buf[BG_NL_BUFSIZE];

static void expect_bytes(const char *what, const void *got, size_t got_len, const uint8_t *want,
                         size_t want_len) {
        if (got_len == want_len && memcmp(got, want, want_len) == 0)
                return;
        char g[2048] = "", w[2048] = "";
        for (size_t i = 0; i < got_len && i < 600; i++)
                sprintf(g + strlen(g), "%02x ", ((const uint8_t *) got)[i]);
        for (size_t i = 0; i < want_len && i < 600; i++)
                sprintf(w + strlen(w), "%02x ", want[i]);
        cr_assert_fail("%s:\n got  (%zu) %s\n want (%zu) %s", what, got_len, g, want_len, w);
}

struct enc_case {
        enum bg_opt id;
        const char *text;        /* parsed with bg_opt_parse_value; NULL: ifindex */
        uint64_t ifindex;
        uint8_t bytes[48];
        size_t len;
};

#define B(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const struct enc_case cases[] = {
        { BG_OPT_MODE, "active-backup", 0, B(0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_ACTIVE_SLAVE, NULL, 7, B(0x08, 0x00, 0x02, 0x00, 0x07, 0x00, 0x00, 0x00) },
        { BG_OPT_MIIMON, "100", 0, B(0x08, 0x00, 0x03, 0x00, 0x64, 0x00, 0x00, 0x00) },
        { BG_OPT_UPDELAY, "200", 0, B(0x08, 0x00, 0x04, 0x00, 0xc8, 0x00, 0x00, 0x00) },
        { BG_OPT_DOWNDELAY, "300", 0, B(0x08, 0x00, 0x05, 0x00, 0x2c, 0x01, 0x00, 0x00) },
        { BG_OPT_USE_CARRIER, "1", 0, B(0x05, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_ARP_INTERVAL, "1000", 0, B(0x08, 0x00, 0x07, 0x00, 0xe8, 0x03, 0x00, 0x00) },
        /* nested (NLA_F_NESTED set by libmnl), children typed by slot, raw addresses */
        { BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2", 0,
          B(0x14, 0x00, 0x08, 0x80, 0x08, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
            0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x02) },
        { BG_OPT_ARP_VALIDATE, "all", 0, B(0x08, 0x00, 0x09, 0x00, 0x03, 0x00, 0x00, 0x00) },
        { BG_OPT_ARP_ALL_TARGETS, "all", 0, B(0x08, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_PRIMARY, NULL, 3, B(0x08, 0x00, 0x0b, 0x00, 0x03, 0x00, 0x00, 0x00) },
        { BG_OPT_PRIMARY_RESELECT, "failure", 0, B(0x05, 0x00, 0x0c, 0x00, 0x02, 0x00, 0x00, 0x00) },
        { BG_OPT_FAIL_OVER_MAC, "active", 0, B(0x05, 0x00, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_XMIT_HASH_POLICY, "layer3+4", 0, B(0x05, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_RESEND_IGMP, "5", 0, B(0x08, 0x00, 0x0f, 0x00, 0x05, 0x00, 0x00, 0x00) },
        { BG_OPT_NUM_GRAT_ARP, "3", 0, B(0x05, 0x00, 0x10, 0x00, 0x03, 0x00, 0x00, 0x00) },
        { BG_OPT_ALL_SLAVES_ACTIVE, "1", 0, B(0x05, 0x00, 0x11, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_MIN_LINKS, "2", 0, B(0x08, 0x00, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00) },
        { BG_OPT_LP_INTERVAL, "10", 0, B(0x08, 0x00, 0x13, 0x00, 0x0a, 0x00, 0x00, 0x00) },
        { BG_OPT_PACKETS_PER_SLAVE, "7", 0, B(0x08, 0x00, 0x14, 0x00, 0x07, 0x00, 0x00, 0x00) },
        { BG_OPT_LACP_RATE, "fast", 0, B(0x05, 0x00, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_AD_SELECT, "count", 0, B(0x05, 0x00, 0x16, 0x00, 0x02, 0x00, 0x00, 0x00) },
        { BG_OPT_AD_ACTOR_SYS_PRIO, "1000", 0, B(0x06, 0x00, 0x18, 0x00, 0xe8, 0x03, 0x00, 0x00) },
        { BG_OPT_AD_USER_PORT_KEY, "5", 0, B(0x06, 0x00, 0x19, 0x00, 0x05, 0x00, 0x00, 0x00) },
        { BG_OPT_AD_ACTOR_SYSTEM, "02:00:00:00:00:AA", 0,
          B(0x0a, 0x00, 0x1a, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x00, 0x00) },
        { BG_OPT_TLB_DYNAMIC_LB, "0", 0, B(0x05, 0x00, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00) },
        { BG_OPT_PEER_NOTIF_DELAY, "400", 0, B(0x08, 0x00, 0x1c, 0x00, 0x90, 0x01, 0x00, 0x00) },
        { BG_OPT_LACP_ACTIVE, "off", 0, B(0x05, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x00) },
        { BG_OPT_ARP_MISSED_MAX, "3", 0, B(0x05, 0x00, 0x1e, 0x00, 0x03, 0x00, 0x00, 0x00) },
        { BG_OPT_NS_IP6_TARGET, "2001:db8::1", 0,
          B(0x18, 0x00, 0x1f, 0x80, 0x14, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01) },
        { BG_OPT_COUPLED_CONTROL, "0", 0, B(0x05, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00) },
        { BG_OPT_BROADCAST_NEIGHBOR, "1", 0, B(0x05, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00) },
        { BG_OPT_LACP_STRICT, "1", 0, B(0x05, 0x00, 0x22, 0x00, 0x01, 0x00, 0x00, 0x00) },
};

static void set_case(struct bg_nl_bond_opts *o, const struct enc_case *c) {
        const struct bg_opt_info *oi = bg_opt_get(c->id);
        char err[256] = "";

        if (c->text)
                cr_assert_eq(bg_opt_parse_value(oi, c->text, &o->val[c->id], err, sizeof(err)), 0,
                             "%s=%s: %s", oi->name, c->text, err);
        else
                o->val[c->id] = (struct bg_optval){ .set = true, .num = c->ifindex };
        o->have[c->id] = true;
}

static void clear_opts(struct bg_nl_bond_opts *o) {
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&o->val[i]);
}

/* IFLA_INFO_DATA's payload of a change request with the one option. */
static const void *info_data(struct nlmsghdr *nlh, size_t *len) {
        const struct nlattr *a, *b;

        mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
                if (mnl_attr_get_type(a) != IFLA_LINKINFO)
                        continue;
                mnl_attr_for_each_nested(b, a) {
                        if (mnl_attr_get_type(b) == IFLA_INFO_DATA) {
                                *len = mnl_attr_get_payload_len(b);
                                return mnl_attr_get_payload(b);
                        }
                }
        }
        return NULL;
}

Test(nl_msg, every_catalogue_option_has_expected_bytes) {
        /* Every row with an IFLA_BOND_* number must be in the table above. */
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                bool found = false;

                if (!o->ifla)
                        continue;
                for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
                        found |= cases[j].id == o->id;
                cr_expect(found, "catalogue option %s (IFLA_BOND %u) has no encoding test", o->name,
                          o->ifla);
        }
        for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
                const struct bg_opt_info *o = bg_opt_get(cases[j].id);
                struct bg_nl_bond_opts opts = { 0 };
                struct nlmsghdr *nlh;
                char err[256] = "", what[64];
                const void *data;
                size_t len = 0;

                set_case(&opts, &cases[j]);
                cr_assert_eq(bg_nl_msg_bond(buf, 1, false, NULL, 5, &opts, &nlh, err, sizeof(err)), 0,
                             "%s: %s", o->name, err);
                data = info_data(nlh, &len);
                cr_assert_not_null(data, "%s: no IFLA_INFO_DATA", o->name);
                snprintf(what, sizeof(what), "option %s", o->name);
                expect_bytes(what, data, len, cases[j].bytes, cases[j].len);
                clear_opts(&opts);
        }
}

Test(nl_msg, create_whole_message) {
        static const uint8_t want[] = {
                0x50, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, 0x04, 0x03, 0x02, 0x01,
                0x00, 0x00, 0x00, 0x00,                               /* nlmsghdr */
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,                               /* ifinfomsg */
                0x0a, 0x00, 0x03, 0x00, 'b', 'o', 'n', 'd', '0', 0x00, 0x00, 0x00,
                0x24, 0x00, 0x12, 0x80,                               /* IFLA_LINKINFO */
                0x09, 0x00, 0x01, 0x00, 'b', 'o', 'n', 'd', 0x00, 0x00, 0x00, 0x00,
                0x14, 0x00, 0x02, 0x80,                               /* IFLA_INFO_DATA */
                0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,       /* mode 1 */
                0x08, 0x00, 0x03, 0x00, 0x64, 0x00, 0x00, 0x00,       /* miimon 100 */
        };
        struct bg_nl_bond_opts opts = { 0 };
        struct nlmsghdr *nlh;

        /* set out of order: encoding follows the catalogue order */
        opts.have[BG_OPT_MIIMON] = opts.val[BG_OPT_MIIMON].set = true;
        opts.val[BG_OPT_MIIMON].num = 100;
        opts.have[BG_OPT_MODE] = opts.val[BG_OPT_MODE].set = true;
        opts.val[BG_OPT_MODE].num = 1;
        cr_assert_eq(bg_nl_msg_bond(buf, 0x01020304, true, "bond0", 0, &opts, &nlh, NULL, 0), 0);
        expect_bytes("create", nlh, nlh->nlmsg_len, want, sizeof(want));

        /* the extended-ack offset of each attribute maps back to its option */
        cr_expect_eq(bg_nl_bond_opt_at(nlh, 64), BG_OPT_MODE);
        cr_expect_eq(bg_nl_bond_opt_at(nlh, 72), BG_OPT_MIIMON);
        cr_expect_eq(bg_nl_bond_opt_at(nlh, 76), BG_OPT_MIIMON);
        cr_expect_eq(bg_nl_bond_opt_at(nlh, 32), -1);
        cr_expect_eq(bg_nl_bond_opt_at(nlh, 4000), -1);

        /* a MAC to be born with goes as IFLA_ADDRESS after the name, on
         * creation only */
        opts.have_mac = true;
        memcpy(opts.mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x21 }), 6);
        cr_assert_eq(bg_nl_msg_bond(buf, 1, true, "bond0", 0, &opts, &nlh, NULL, 0), 0);
        const struct nlattr *a = (const void *) ((const uint8_t *) nlh + 32 + 12);
        cr_expect_eq(nlh->nlmsg_len, sizeof(want) + 12);
        cr_expect_eq(a->nla_type, IFLA_ADDRESS);
        cr_expect_eq(a->nla_len, 10);
        cr_expect_arr_eq((const uint8_t *) (a + 1), opts.mac, 6);
        cr_assert_eq(bg_nl_msg_bond(buf, 1, false, NULL, 5, &opts, &nlh, NULL, 0), 0);
        cr_expect_eq(nlh->nlmsg_len, sizeof(want) - 12 + 0, "a change carries no IFLA_ADDRESS");
}

Test(nl_msg, enslave_release_updown_mtu_mac) {
        static const uint8_t enslave[] = {
                0x28, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x09, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x08, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x00, 0x00,       /* IFLA_MASTER 2 */
        };
        static const uint8_t down_mtu_mac[] = {
                0x34, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x09, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x01, 0x00, 0x00, 0x00,                               /* change IFF_UP, flags 0 */
                0x08, 0x00, 0x04, 0x00, 0x78, 0x05, 0x00, 0x00,       /* IFLA_MTU 1400 */
                0x0a, 0x00, 0x01, 0x00, 0x52, 0x54, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        };
        struct bg_nl_linkset s;
        struct nlmsghdr *nlh;

        bg_nl_linkset_init(&s);
        s.master = 2;
        cr_assert_eq(bg_nl_msg_setlink(buf, 9, 3, &s, &nlh), 0);
        expect_bytes("enslave", nlh, nlh->nlmsg_len, enslave, sizeof(enslave));

        bg_nl_linkset_init(&s);
        s.up = 0;
        s.mtu = 1400;
        s.set_mac = true;
        memcpy(s.mac, (uint8_t[]){ 0x52, 0x54, 0, 0, 0, 1 }, 6);
        cr_assert_eq(bg_nl_msg_setlink(buf, 9, 2, &s, &nlh), 0);
        expect_bytes("down+mtu+mac", nlh, nlh->nlmsg_len, down_mtu_mac, sizeof(down_mtu_mac));

        /* release = IFLA_MASTER 0; up sets both change and flags */
        bg_nl_linkset_init(&s);
        s.master = 0;
        s.up = 1;
        cr_assert_eq(bg_nl_msg_setlink(buf, 9, 3, &s, &nlh), 0);
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        cr_expect_eq(ifi->ifi_flags, IFF_UP);
        cr_expect_eq(ifi->ifi_change, IFF_UP);
        cr_expect_eq(nlh->nlmsg_len, 40u);
        cr_expect_eq(((uint8_t *) nlh)[36], 0);
}

/* IFLA_INFO_SLAVE_DATA { IFLA_BOND_SLAVE_PRIO (9), s32 } of port 4, after
 * its enslave (bond_netlink.c:bond_slave_changelink()) */
Test(nl_msg, slave_prio) {
        static const uint8_t want[] = {
                0x3c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x1c, 0x00, 0x12, 0x80,                               /* IFLA_LINKINFO */
                0x09, 0x00, 0x04, 0x00, 'b', 'o', 'n', 'd', 0x00, 0x00, 0x00, 0x00,
                0x0c, 0x00, 0x05, 0x80,                               /* IFLA_INFO_SLAVE_DATA */
                0x08, 0x00, 0x09, 0x00, 0xf9, 0xff, 0xff, 0xff,       /* PRIO -7 */
        };
        struct nlmsghdr *nlh;

        cr_assert_eq(IFLA_BOND_SLAVE_PRIO, 9);
        cr_assert_eq(bg_nl_msg_slave_prio(buf, 1, 4, -7, &nlh), 0);
        expect_bytes("prio", nlh, nlh->nlmsg_len, want, sizeof(want));
}

Test(nl_msg, queue_id_dellink) {
        static const uint8_t want[] = {
                0x3c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x1c, 0x00, 0x12, 0x80,                               /* IFLA_LINKINFO */
                0x09, 0x00, 0x04, 0x00, 'b', 'o', 'n', 'd', 0x00, 0x00, 0x00, 0x00,
                0x0c, 0x00, 0x05, 0x80,                               /* IFLA_INFO_SLAVE_DATA */
                0x06, 0x00, 0x05, 0x00, 0x02, 0x00, 0x00, 0x00,       /* QUEUE_ID 2 */
        };
        struct nlmsghdr *nlh;

        cr_assert_eq(bg_nl_msg_slave_queue_id(buf, 1, 4, 2, &nlh), 0);
        expect_bytes("queue_id", nlh, nlh->nlmsg_len, want, sizeof(want));
        cr_assert_eq(bg_nl_msg_dellink(buf, 1, 4, &nlh), 0);
        cr_expect_eq(nlh->nlmsg_type, RTM_DELLINK);
        cr_expect_eq(nlh->nlmsg_len, 32u);
}

Test(nl_msg, address_and_route) {
        static const uint8_t addr[] = {
                0x28, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x05, 0x02, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x02, 0x18, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,       /* AF_INET /24 ifindex 2 */
                0x08, 0x00, 0x02, 0x00, 0x0a, 0x4d, 0x00, 0x01,       /* IFA_LOCAL */
                0x08, 0x00, 0x01, 0x00, 0x0a, 0x4d, 0x00, 0x01,       /* IFA_ADDRESS */
        };
        static const uint8_t route[] = {
                0x34, 0x00, 0x00, 0x00, 0x18, 0x00, 0x05, 0x05, 0x02, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00,
                0x02, 0x18, 0x00, 0x00, 0xfe, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                0x08, 0x00, 0x01, 0x00, 0x0a, 0x4e, 0x00, 0x00,       /* RTA_DST */
                0x08, 0x00, 0x05, 0x00, 0x0a, 0x4d, 0x00, 0x02,       /* RTA_GATEWAY */
                0x08, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00,       /* RTA_OIF */
        };
        struct bg_nl_addr a = { .ifindex = 2, .family = AF_INET, .addr = { 10, 77, 0, 1 }, .prefixlen = 24 };
        struct bg_nl_route r = { .family = AF_INET, .dst = { 10, 78, 0, 0 }, .dst_len = 24,
                                 .has_gateway = true, .gateway = { 10, 77, 0, 2 }, .oif = 2,
                                 .table = RT_TABLE_MAIN, .protocol = RTPROT_STATIC };
        struct nlmsghdr *nlh;

        cr_assert_eq(bg_nl_msg_addr(buf, 2, true, &a, &nlh), 0);
        expect_bytes("address", nlh, nlh->nlmsg_len, addr, sizeof(addr));
        cr_assert_eq(bg_nl_msg_route(buf, 2, true, &r, &nlh), 0);
        expect_bytes("route", nlh, nlh->nlmsg_len, route, sizeof(route));

        cr_assert_eq(bg_nl_msg_addr(buf, 2, false, &a, &nlh), 0);
        cr_expect_eq(nlh->nlmsg_type, RTM_DELADDR);
        cr_expect_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);

        a.prefixlen = 33;
        cr_expect_eq(bg_nl_msg_addr(buf, 2, true, &a, &nlh), -EINVAL);
        a.family = AF_PACKET;
        cr_expect_eq(bg_nl_msg_addr(buf, 2, true, &a, &nlh), -EINVAL);
}

Test(nl_msg, values_the_kernel_cannot_take) {
        const struct bg_opt_info *o = bg_opt_get(BG_OPT_NUM_GRAT_ARP);
        struct bg_optval v = { .set = true, .num = 256 };
        char *list[] = { (char *) "10.0.0.1[10/20]" };
        struct nlmsghdr *nlh;
        char err[256] = "";

        nlh = mnl_nlmsg_put_header(buf);
        cr_expect_eq(bg_nl_put_bond_opt(nlh, o, &v, err, sizeof(err)), -EINVAL);
        cr_expect(strstr(err, "num_grat_arp"), "%s", err);

        /* a list the model did not parse (no typed addresses beside the
         * text) is refused, never parsed again here */
        v = (struct bg_optval){ .set = true, .list = list, .n_list = 1 };
        cr_expect_eq(bg_nl_put_bond_opt(nlh, bg_opt_get(BG_OPT_ARP_IP_TARGET), &v, err, sizeof(err)),
                     -EINVAL);
        cr_expect(strstr(err, "arp_ip_target"), "%s", err);

        v = (struct bg_optval){ .set = true };
        cr_expect_eq(bg_nl_put_bond_opt(nlh, bg_opt_get(BG_OPT_AD_ACTOR_SYSTEM), &v, err, sizeof(err)),
                     -EINVAL);
        /* module-only options have no attribute: nothing is put */
        size_t before = nlh->nlmsg_len;
        v = (struct bg_optval){ .set = true, .num = 2 };
        cr_expect_eq(bg_nl_put_bond_opt(nlh, bg_opt_get(BG_OPT_MAX_BONDS), &v, err, sizeof(err)), 0);
        cr_expect_eq(nlh->nlmsg_len, before);
}

Test(nl_msg, dump_requests) {
        struct nlmsghdr *nlh;

        cr_assert_eq(bg_nl_msg_dump(buf, 3, RTM_GETLINK, &nlh), 0);
        cr_expect_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
        cr_expect_eq(nlh->nlmsg_len, 40u);
        cr_assert_eq(bg_nl_msg_dump(buf, 3, RTM_GETROUTE, &nlh), 0);
        cr_expect_eq(nlh->nlmsg_len, 28u);
        cr_expect_eq(bg_nl_msg_dump(buf, 3, RTM_NEWLINK, &nlh), -EINVAL);
}

Test(nl_msg, option_addresses_go_out_as_the_model_parsed_them) {
        struct bg_optval v = { 0 };
        struct nlmsghdr *nlh;
        const struct nlattr *nest, *a;
        const uint8_t want[2][4] = { { 10, 0, 0, 1 }, { 192, 168, 7, 254 } };
        const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
        char err[256] = "";
        int n = 0;

        cr_assert_eq(bg_opt_parse_value(bg_opt_get(BG_OPT_ARP_IP_TARGET), "10.0.0.1,192.168.7.254", &v,
                                        err, sizeof(err)), 0, "%s", err);
        nlh = mnl_nlmsg_put_header(buf);
        cr_assert_eq(bg_nl_put_bond_opt(nlh, bg_opt_get(BG_OPT_ARP_IP_TARGET), &v, err, sizeof(err)), 0,
                     "%s", err);
        nest = (const struct nlattr *) mnl_nlmsg_get_payload(nlh);
        mnl_attr_for_each_nested(a, nest) {
                cr_assert_lt(n, 2);
                cr_assert_eq(mnl_attr_get_payload_len(a), 4);
                cr_assert_arr_eq(mnl_attr_get_payload(a), want[n], 4);
                n++;
        }
        cr_assert_eq(n, 2);
        /* removing one keeps the typed form beside the text */
        cr_assert_eq(bg_opt_parse_value(bg_opt_get(BG_OPT_ARP_IP_TARGET), "-10.0.0.1", &v, err,
                                        sizeof(err)), 0, "%s", err);
        cr_assert_eq(v.n_list, 1);
        cr_assert_arr_eq(v.addrs[0].bytes, want[1], 4);
        bg_optval_clear(&v);

        cr_assert_eq(bg_opt_parse_value(bg_opt_get(BG_OPT_AD_ACTOR_SYSTEM), "02:11:22:33:44:55", &v, err,
                                        sizeof(err)), 0, "%s", err);
        nlh = mnl_nlmsg_put_header(buf);
        cr_assert_eq(bg_nl_put_bond_opt(nlh, bg_opt_get(BG_OPT_AD_ACTOR_SYSTEM), &v, err, sizeof(err)), 0);
        a = (const struct nlattr *) mnl_nlmsg_get_payload(nlh);
        cr_assert_eq(mnl_attr_get_payload_len(a), 6);
        cr_assert_arr_eq(mnl_attr_get_payload(a), mac, 6);
        bg_optval_clear(&v);
}
