/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding of messages recorded from a real kernel (recorded.h), a
 * build-then-decode round trip over every option, and robustness against
 * truncated or corrupted input. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "netlink/netlink.h"
#include "recorded.h"

#define MSG(a) ((const struct nlmsghdr *) (const void *) (a))

/* The recorded arrays are byte arrays; netlink headers want alignment. */
static const struct nlmsghdr *aligned(const uint8_t *p, size_t len) {
        static uint32_t store[4096];
        cr_assert(len <= sizeof(store));
        memcpy(store, p, len);
        return (const struct nlmsghdr *) store;
}

static uint64_t num(const struct bg_nl_link *l, enum bg_opt id) {
        cr_assert(l->bond.have[id], "option %s not decoded", bg_opt_get(id)->name);
        return l->bond.val[id].num;
}

Test(nl_parse, recorded_active_backup_arp_bond) {
        struct bg_nl_link l;

        cr_assert_eq(bg_nl_parse_link(aligned(rec_arp_bond0, sizeof(rec_arp_bond0)), &l), 0);
        cr_expect_str_eq(l.name, "bond0");
        cr_expect_eq(l.ifindex, 2);
        cr_expect(l.is_bond);
        cr_expect_str_eq(l.kind, "bond");
        cr_expect(l.flags & IFF_UP);
        cr_expect_eq(l.mtu, 1500u);
        cr_expect_eq(num(&l, BG_OPT_MODE), 1u);
        cr_expect_eq(num(&l, BG_OPT_MIIMON), 0u);
        cr_expect_eq(num(&l, BG_OPT_ARP_INTERVAL), 500u);
        cr_expect_eq(num(&l, BG_OPT_ARP_VALIDATE), 3u);
        cr_expect_eq(num(&l, BG_OPT_ARP_ALL_TARGETS), 1u);
        cr_expect_eq(num(&l, BG_OPT_PRIMARY), 4u);           /* eth1's ifindex */
        cr_expect_eq(num(&l, BG_OPT_RESEND_IGMP), 1u);       /* reported as u32 */
        cr_expect_eq(num(&l, BG_OPT_NUM_GRAT_ARP), 1u);
        cr_expect_eq(num(&l, BG_OPT_ARP_MISSED_MAX), 2u);
        cr_expect_eq(num(&l, BG_OPT_LACP_ACTIVE), 1u);
        cr_expect_eq(num(&l, BG_OPT_TLB_DYNAMIC_LB), 1u);
        cr_expect_eq(num(&l, BG_OPT_PACKETS_PER_SLAVE), 1u);
        cr_assert_eq(l.bond.val[BG_OPT_ARP_IP_TARGET].n_list, 2u);
        cr_expect_str_eq(l.bond.val[BG_OPT_ARP_IP_TARGET].list[0], "10.77.0.2");
        cr_expect_str_eq(l.bond.val[BG_OPT_ARP_IP_TARGET].list[1], "10.77.0.3");
        cr_expect_eq(num(&l, BG_OPT_ACTIVE_SLAVE), 4u);      /* eth1, the primary */
        /* Debian's 6.1 reports coupled_control (32) but knows neither
         * broadcast_neighbor (33) nor lacp_strict (34): not decoded */
        cr_expect_eq(num(&l, BG_OPT_COUPLED_CONTROL), 1u);
        cr_expect_not(l.bond.have[BG_OPT_BROADCAST_NEIGHBOR]);
        cr_expect_not(l.bond.have[BG_OPT_LACP_STRICT]);
        /* no NS targets set: the nest is left out */
        cr_expect_not(l.bond.have[BG_OPT_NS_IP6_TARGET]);
        /* AD values are reported only in mode 4 */
        cr_expect_not(l.bond.have[BG_OPT_AD_ACTOR_SYSTEM]);
        cr_expect_not(l.ad_info.have);
        bg_nl_link_clear(&l);
}

Test(nl_parse, recorded_port) {
        static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x77, 0x00, 0x11 };
        static const uint8_t mac0[6] = { 0x52, 0x54, 0x00, 0x77, 0x00, 0x10 };
        struct bg_nl_link l;

        cr_assert_eq(bg_nl_parse_link(aligned(rec_arp_eth1, sizeof(rec_arp_eth1)), &l), 0);
        cr_expect_str_eq(l.name, "eth1");
        cr_expect_eq(l.ifindex, 4);
        cr_expect_eq(l.master, 2);
        cr_expect_not(l.is_bond);
        cr_expect_str_eq(l.slave_kind, "bond");
        cr_expect(l.slave.have);
        cr_expect(l.slave.has_perm_hwaddr);
        cr_expect_arr_eq(l.slave.perm_hwaddr, mac1, 6);
        cr_expect(l.slave.mii_status <= 3);
        /* Linux 6.0 and later report IFLA_BOND_SLAVE_PRIO (0 here) */
        cr_expect(l.slave.have_prio);
        cr_expect_eq(l.slave.prio, 0);
        bg_nl_link_clear(&l);

        cr_assert_eq(bg_nl_parse_link(aligned(rec_ad_eth0, sizeof(rec_ad_eth0)), &l), 0);
        cr_expect_str_eq(l.name, "eth0");
        cr_expect_eq(l.master, 2);
        cr_expect_arr_eq(l.slave.perm_hwaddr, mac0, 6);
        /* an 802.3ad port belongs to an aggregator */
        cr_expect_neq(l.slave.ad_aggregator_id, 0);
        bg_nl_link_clear(&l);
}

Test(nl_parse, recorded_8023ad_bond) {
        struct bg_nl_link l;

        cr_assert_eq(bg_nl_parse_link(aligned(rec_ad_bond0, sizeof(rec_ad_bond0)), &l), 0);
        cr_expect_eq(num(&l, BG_OPT_MODE), 4u);
        cr_expect_eq(num(&l, BG_OPT_MIIMON), 100u);
        cr_expect_eq(num(&l, BG_OPT_LACP_RATE), 1u);
        cr_expect_eq(num(&l, BG_OPT_AD_SELECT), 1u);
        cr_expect_eq(num(&l, BG_OPT_AD_ACTOR_SYS_PRIO), 100u);
        cr_expect_eq(num(&l, BG_OPT_AD_USER_PORT_KEY), 5u);
        cr_expect_eq(num(&l, BG_OPT_XMIT_HASH_POLICY), 1u);
        cr_expect_eq(num(&l, BG_OPT_MIN_LINKS), 1u);
        cr_assert(l.bond.have[BG_OPT_AD_ACTOR_SYSTEM]);
        cr_expect_str_eq(l.bond.val[BG_OPT_AD_ACTOR_SYSTEM].str, "02:00:00:00:00:aa");
        /* the mode change stopped the ARP monitor and reset arp_validate,
         * but the target list stays (bond_options.c:bond_option_arp_interval_set()) */
        cr_expect_eq(num(&l, BG_OPT_ARP_INTERVAL), 0u);
        cr_expect_eq(num(&l, BG_OPT_ARP_VALIDATE), 0u);
        cr_expect_eq(l.bond.val[BG_OPT_ARP_IP_TARGET].n_list, 2u);
        /* no primary outside modes 1, 5, 6 */
        cr_expect_not(l.bond.have[BG_OPT_PRIMARY]);
        /* IFLA_BOND_AD_INFO of the active aggregator; no partner (no LACP peer) */
        cr_assert(l.ad_info.have);
        cr_expect_eq(l.ad_info.aggregator, 1);
        cr_expect_eq(l.ad_info.num_ports, 1);
        cr_expect_eq(l.ad_info.actor_key >> 6, 5);           /* ad_user_port_key: upper 10 bits */
        cr_expect_arr_eq(l.ad_info.partner_mac, ((uint8_t[6]){ 0 }), 6);
        bg_nl_link_clear(&l);
}

Test(nl_parse, recorded_address_and_route) {
        struct bg_nl_addr a;
        struct bg_nl_route r;

        cr_assert_eq(bg_nl_parse_addr(aligned(rec_arp_addr, sizeof(rec_arp_addr)), &a), 0);
        cr_expect_eq(a.family, AF_INET);
        cr_expect_eq(a.ifindex, 2);
        cr_expect_eq(a.prefixlen, 24u);
        cr_expect_arr_eq(a.addr, ((uint8_t[]){ 10, 77, 0, 1 }), 4);

        cr_assert_eq(bg_nl_parse_route(aligned(rec_arp_route, sizeof(rec_arp_route)), &r), 0);
        cr_expect_eq(r.family, AF_INET);
        cr_expect_eq(r.dst_len, 24u);
        cr_expect_arr_eq(r.dst, ((uint8_t[]){ 10, 78, 0, 0 }), 4);
        cr_expect(r.has_gateway);
        cr_expect_arr_eq(r.gateway, ((uint8_t[]){ 10, 77, 0, 2 }), 4);
        cr_expect_eq(r.oif, 2);
        cr_expect_eq(r.protocol, RTPROT_STATIC);
        cr_expect_eq(r.table, (uint32_t) RT_TABLE_MAIN);

        /* wrong message types are refused, not misread */
        cr_expect_eq(bg_nl_parse_route(aligned(rec_arp_addr, sizeof(rec_arp_addr)), &r), -EBADMSG);
        struct bg_nl_link l;
        cr_expect_eq(bg_nl_parse_link(aligned(rec_arp_route, sizeof(rec_arp_route)), &l), -EBADMSG);
}

/* What we build, we read back: every option with an attribute. */
Test(nl_parse, round_trip_every_option) {
        static char buf[BG_NL_BUFSIZE];
        static const char *text[BG_OPT__MAX] = {
                [BG_OPT_MODE] = "802.3ad", [BG_OPT_MIIMON] = "150", [BG_OPT_UPDELAY] = "300",
                [BG_OPT_DOWNDELAY] = "450", [BG_OPT_PEER_NOTIF_DELAY] = "600", [BG_OPT_USE_CARRIER] = "1",
                [BG_OPT_ARP_INTERVAL] = "1000", [BG_OPT_ARP_IP_TARGET] = "192.0.2.1,192.0.2.9",
                [BG_OPT_NS_IP6_TARGET] = "2001:db8::7", [BG_OPT_ARP_VALIDATE] = "filter_backup",
                [BG_OPT_ARP_ALL_TARGETS] = "all", [BG_OPT_PRIMARY_RESELECT] = "better",
                [BG_OPT_FAIL_OVER_MAC] = "follow", [BG_OPT_XMIT_HASH_POLICY] = "vlan+srcmac",
                [BG_OPT_RESEND_IGMP] = "9", [BG_OPT_NUM_GRAT_ARP] = "4", [BG_OPT_ALL_SLAVES_ACTIVE] = "1",
                [BG_OPT_MIN_LINKS] = "3", [BG_OPT_LP_INTERVAL] = "5", [BG_OPT_PACKETS_PER_SLAVE] = "11",
                [BG_OPT_LACP_ACTIVE] = "on", [BG_OPT_LACP_RATE] = "fast", [BG_OPT_AD_SELECT] = "count",
                [BG_OPT_AD_ACTOR_SYS_PRIO] = "4096", [BG_OPT_AD_USER_PORT_KEY] = "1023",
                [BG_OPT_AD_ACTOR_SYSTEM] = "0a:00:00:00:00:01", [BG_OPT_TLB_DYNAMIC_LB] = "0",
                [BG_OPT_ARP_MISSED_MAX] = "255", [BG_OPT_COUPLED_CONTROL] = "0",
                [BG_OPT_BROADCAST_NEIGHBOR] = "1", [BG_OPT_LACP_STRICT] = "1",
        };
        struct bg_nl_bond_opts in = { 0 };
        struct nlmsghdr *nlh;
        struct bg_nl_link l;
        char err[256];

        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                if (!o->ifla)
                        continue;
                if (o->nla == BG_NLA_IFINDEX) {
                        in.val[i] = (struct bg_optval){ .set = true, .num = 40 + i };
                } else {
                        cr_assert_not_null(text[i], "no round-trip value for %s", o->name);
                        cr_assert_eq(bg_opt_parse_value(o, text[i], &in.val[i], err, sizeof(err)), 0,
                                     "%s: %s", o->name, err);
                }
                in.have[i] = true;
        }
        cr_assert_eq(bg_nl_msg_bond(buf, 1, true, "bondrt", 0, &in, &nlh, err, sizeof(err)), 0, "%s", err);
        /* pretend the kernel answered with what we asked */
        nlh->nlmsg_type = RTM_NEWLINK;
        cr_assert_eq(bg_nl_parse_link(nlh, &l), 0);
        cr_expect_str_eq(l.name, "bondrt");
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                if (!o->ifla)
                        continue;
                cr_expect(l.bond.have[i], "%s not decoded", o->name);
                cr_expect(bg_optval_equal(&in.val[i], &l.bond.val[i]), "%s differs after the round trip",
                          o->name);
        }
        bg_nl_link_clear(&l);
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&in.val[i]);
}

/* Truncations and byte flips of real messages never crash or leak. */
Test(nl_parse, corrupted_input) {
        static uint32_t store[1024];
        const struct { const uint8_t *p; size_t len; } recs[] = {
                { rec_arp_bond0, sizeof(rec_arp_bond0) }, { rec_ad_bond0, sizeof(rec_ad_bond0) },
                { rec_arp_eth1, sizeof(rec_arp_eth1) },
        };
        unsigned seed = 1;

        for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++) {
                for (size_t cut = 0; cut <= recs[k].len; cut += 3) {
                        struct bg_nl_link l;
                        struct nlmsghdr *nlh = (struct nlmsghdr *) store;

                        memset(store, 0, sizeof(store));
                        memcpy(store, recs[k].p, recs[k].len);
                        if (cut >= sizeof(*nlh))
                                nlh->nlmsg_len = (uint32_t) cut;
                        if (bg_nl_parse_link(nlh, &l) == 0)
                                bg_nl_link_clear(&l);
                }
                for (int round = 0; round < 300; round++) {
                        struct bg_nl_link l;
                        uint8_t *b = (uint8_t *) store;

                        memcpy(store, recs[k].p, recs[k].len);
                        for (int f = 0; f < 4; f++) {
                                seed = seed * 1103515245u + 12345u;
                                size_t at = 16 + (seed >> 8) % (recs[k].len - 16);
                                b[at] ^= (uint8_t) (seed >> 3);
                        }
                        if (bg_nl_parse_link((struct nlmsghdr *) store, &l) == 0)
                                bg_nl_link_clear(&l);
                }
        }
}

Test(nl_parse, state_lookups) {
        struct bg_nl_link links[3] = { 0 };
        struct bg_nl_state st = { .links = links, .n_links = 3 };
        uint8_t m[6] = { 0x52, 0x54, 0, 0, 0, 9 };

        strcpy(links[0].name, "bond0");
        links[0].ifindex = 5;
        links[0].is_bond = true;
        links[0].has_mac = true;
        memcpy(links[0].mac, m, 6);           /* the bond took the port's MAC */
        strcpy(links[1].name, "eth0");
        links[1].ifindex = 6;
        links[1].has_mac = true;
        memcpy(links[1].mac, m, 6);
        links[1].slave.has_perm_hwaddr = true;
        memcpy(links[1].slave.perm_hwaddr, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 1 }), 6);
        strcpy(links[2].name, "eth1");
        links[2].ifindex = 7;
        links[2].has_mac = true;
        memcpy(links[2].mac, m, 6);

        cr_expect_eq(bg_nl_state_link(&st, "eth1"), &links[2]);
        cr_expect_null(bg_nl_state_link(&st, "eth9"));
        cr_expect_eq(bg_nl_state_link_by_index(&st, 6), &links[1]);
        /* the permanent address wins over the current one */
        cr_expect_eq(bg_nl_state_link_by_mac(&st, (uint8_t[]){ 0x52, 0x54, 0, 0, 0, 1 }), &links[1]);
        /* a current MAC matches a port, never the bond */
        cr_expect_eq(bg_nl_state_link_by_mac(&st, m), &links[2]);
}

Test(nl_parse, errno_hints) {
        cr_expect(strstr(bg_nl_errno_hint(-EOPNOTSUPP, true), "bonding driver"));
        cr_expect(strstr(bg_nl_errno_hint(-EBUSY, false), "down"));
        cr_expect(strstr(bg_nl_errno_hint(-ENOTEMPTY, false), "ports"));
        cr_expect_null(bg_nl_errno_hint(-ENOSPC, false));
}
