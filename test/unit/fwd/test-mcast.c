/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resend_igmp: after the active port changes, resend_igmp rounds of
 * membership reports on the new active port, the first at once and the
 * rest 200 ms apart (bond_main.c:bond_resend_igmp_join_requests_delayed()),
 * as igmp.c:ip_mc_rejoin_groups() sends them: per IPv4 group one IGMPv3
 * report with its Current-State Record, or an IGMPv1/v2 report when the
 * bond's IGMP version says so; one MLDv2 report for the IPv6 groups. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>

#include "test-fwd-fake.h"

static uint16_t sum(const uint8_t *p, size_t len, uint32_t s) {
        for (size_t i = 0; i + 1 < len; i += 2)
                s += (uint32_t) (p[i] << 8 | p[i + 1]);
        if (len & 1)
                s += (uint32_t) p[len - 1] << 8;
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        return (uint16_t) s;
}

static bool is_igmp(const struct fake_frame *l) {
        return l->len >= 46 && l->data[12] == 0x08 && l->data[13] == 0 && l->data[14 + 9] == 2;
}

static bool is_mld(const struct fake_frame *l) {
        return l->len >= 62 && l->data[12] == 0x86 && l->data[13] == 0xdd && l->data[14 + 6] == 0 &&
               l->data[54] == 58 && l->data[62] == 143;
}

static struct fake *ab_with_two_ports(uint32_t resend, struct bg_fwd_port **a, struct bg_fwd_port **b) {
        struct bg_fwd_params p;
        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.miimon = 100;
        p.resend_igmp = resend;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        *a = fake_enslave(f, "eth0", true);
        *b = fake_enslave(f, "eth1", true);
        /* enslaving made eth0 active: its rounds are not what we look at */
        while (f->b.igmp_left)
                bg_fwd_igmp_tick(&f->b);
        f->n_log = 0;
        f->n_armed = 0;
        return f;
}

Test(mcast, failover_resends_reports_resend_igmp_times_200ms_apart) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_with_two_ports(3, &a, &b);
        unsigned igmp = 0, mld = 0;

        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->b.active, b);
        /* round 1 at once; each round asks for the next 200 ms later */
        for (int round = 1; round <= 3; round++) {
                igmp = mld = 0;
                for (unsigned i = 0; i < f->n_log; i++) {
                        if (f->log[i].at != f->b.now)
                                continue;
                        cr_assert_eq(f->log[i].port, 1, "reports leave on the new active port");
                        igmp += is_igmp(&f->log[i]);
                        mld += is_mld(&f->log[i]);
                }
                cr_assert_eq(igmp, 3, "round %d: %u IGMP reports, one per group", round, igmp);
                cr_assert_eq(mld, 1, "round %d: %u MLD reports", round, mld);
                if (round < 3) {
                        cr_assert_eq(f->n_armed, (unsigned) round);
                        cr_assert_eq(f->igmp_armed, 200000);
                        f->b.now += f->igmp_armed;
                        bg_fwd_igmp_tick(&f->b);
                }
        }
        cr_assert_eq(f->n_armed, 2, "three rounds, then no more timer");
        cr_assert_eq(f->b.igmp_left, 0);
        fake_free(f);
}

/* The frames byte for byte (worked out by hand from RFC 3376 4.2 and RFC
 * 2236 2, checksums included): bond MAC 02:00:00:00:00:01, from 10.0.0.2 */
static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t v3_any[54] = {
        0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
        /* IPv4: TOS 0xc0, length 40, ID 0, DF, TTL 1, IGMP, 10.0.0.2 > 224.0.0.22, Router Alert */
        0x46, 0xc0, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xf9, 0xf7, 0x0a, 0x00, 0x00, 0x02,
        0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00,
        /* IGMPv3 report, one record: MODE_IS_EXCLUDE, no source, 239.1.2.3 */
        0x22, 0x00, 0xea, 0xf9, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03,
};
static const uint8_t v3_ssm[62] = {
        0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
        0x46, 0xc0, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xf9, 0xef, 0x0a, 0x00, 0x00, 0x02,
        0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00,
        /* MODE_IS_INCLUDE, 2 sources, 232.1.1.1: 10.9.9.9, 10.9.9.8 */
        0x22, 0x00, 0xcd, 0xd6, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x02, 0xe8, 0x01, 0x01, 0x01,
        0x0a, 0x09, 0x09, 0x09, 0x0a, 0x09, 0x09, 0x08,
};
static const uint8_t v2[46] = {
        0x01, 0x00, 0x5e, 0x01, 0x02, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
        /* IPv4 to the group itself */
        0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xe9, 0x11, 0x0a, 0x00, 0x00, 0x02,
        0xef, 0x01, 0x02, 0x03, 0x94, 0x04, 0x00, 0x00,
        /* version 2 membership report, 239.1.2.3 */
        0x16, 0x00, 0xf8, 0xfa, 0xef, 0x01, 0x02, 0x03,
};

static void expect_frame(const struct fake_frame *l, const uint8_t *want, size_t len, const char *what) {
        cr_assert_eq(l->len, len, "%s: %u bytes, want %zu", what, (unsigned) l->len, len);
        for (size_t i = 0; i < len; i++)
                cr_assert_eq(l->data[i], want[i], "%s: byte %zu is 0x%02x, want 0x%02x", what, i, l->data[i], want[i]);
        cr_assert_eq(sum(l->data + 14, 24, 0), 0xffff, "%s: IPv4 header checksum", what);
        cr_assert_eq(sum(l->data + 38, len - 38, 0), 0xffff, "%s: IGMP checksum", what);
}

Test(mcast, builds_igmpv3_v2_and_v1_reports_as_the_kernel) {
        static struct fake_frame l;
        uint8_t *f = l.data;
        struct bg_fwd_group4 any = { .group = htonl(0xef010203) };
        struct bg_fwd_group4 ssm = { .group = htonl(0xe8010101), .include = true, .n_src = 2,
                                     .src = { htonl(0x0a090909), htonl(0x0a090908) } };
        uint32_t src = htonl(0x0a000002);

        l.len = bg_fwd_build_igmp_report(f, sizeof(l.data), mac1, src, 3, &any);
        expect_frame(&l, v3_any, sizeof(v3_any), "IGMPv3, any source");
        l.len = bg_fwd_build_igmp_report(f, sizeof(l.data), mac1, src, 3, &ssm);
        expect_frame(&l, v3_ssm, sizeof(v3_ssm), "IGMPv3, source-specific");
        l.len = bg_fwd_build_igmp_report(f, sizeof(l.data), mac1, src, 2, &any);
        expect_frame(&l, v2, sizeof(v2), "IGMPv2");
        /* version 1: the same but type 0x12 (and so its checksum) */
        uint8_t v1[46];
        memcpy(v1, v2, 46);
        v1[38] = 0x12, v1[40] = 0xfc;
        l.len = bg_fwd_build_igmp_report(f, sizeof(l.data), mac1, src, 1, &any);
        expect_frame(&l, v1, sizeof(v1), "IGMPv1");
        cr_assert_eq(bg_fwd_build_igmp_report(f, 53, mac1, src, 3, &any), 0, "too small a buffer");
}

Test(mcast, reports_are_well_formed) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_with_two_ports(1, &a, &b);

        bg_fwd_mon_carrier(&f->b, a, false);
        /* the reports, without the gratuitous ARP of the failover */
        struct fake_frame r[4];
        unsigned n = 0;
        for (unsigned i = 0; i < f->n_log; i++)
                if ((is_igmp(&f->log[i]) || is_mld(&f->log[i])) && n < 4)
                        r[n++] = f->log[i];
        cr_assert_eq(n, 4);
        expect_frame(&r[0], v3_any, sizeof(v3_any), "239.1.2.3");
        cr_assert(is_igmp(&r[1]) && r[1].len == 54 && r[1].data[46] == 2 && r[1].data[50] == 239 &&
                          r[1].data[51] == 200,
                  "239.200.0.9, MODE_IS_EXCLUDE");
        expect_frame(&r[2], v3_ssm, sizeof(v3_ssm), "232.1.1.1 from two sources");

        const struct fake_frame *m = &r[3];
        cr_assert(is_mld(m));
        const uint8_t mdst[6] = { 0x33, 0x33, 0, 0, 0, 0x16 };
        cr_assert_arr_eq(m->data, mdst, 6);
        cr_assert_eq(m->data[14 + 7], 1, "hop limit 1");
        cr_assert(m->data[56] == 5 && m->data[57] == 2, "Router Alert: MLD");
        const uint8_t *icmp = m->data + 62;
        size_t ilen = m->len - 62;
        cr_assert_eq(ilen, 28);
        cr_assert_eq(icmp[7], 1, "one record");
        cr_assert_eq(icmp[8], 2, "MODE_IS_EXCLUDE, no sources");
        cr_assert(icmp[12] == 0xff && icmp[13] == 0x05 && icmp[27] == 3);
        uint32_t ps = sum(m->data + 22, 32, 0) + (uint32_t) ilen + 58;
        cr_assert_eq(sum(icmp, ilen, ps), 0xffff, "ICMPv6 checksum");
        fake_free(f);
}

/* With an IGMPv2 (or v1) querier heard on the bond, or force_igmp_version,
 * the kernel reports each group in that version, to the group itself */
Test(mcast, reports_follow_the_bonds_igmp_version) {
        for (int v = 1; v <= 2; v++) {
                struct bg_fwd_port *a, *b;
                fake_igmp_version = v;
                struct fake *f = ab_with_two_ports(1, &a, &b);
                bg_fwd_mon_carrier(&f->b, a, false);
                unsigned n = 0;
                for (unsigned i = 0; i < f->n_log; i++) {
                        if (!is_igmp(&f->log[i]))
                                continue;
                        const uint8_t *d = f->log[i].data;
                        cr_assert_eq(f->log[i].len, 46);
                        cr_assert_eq(d[38], v == 1 ? 0x12 : 0x16, "IGMPv%d report", v);
                        cr_assert_arr_eq(d + 30, d + 42, 4, "to the group it reports");
                        cr_assert(d[3] == (d[31] & 0x7f) && d[4] == d[32] && d[5] == d[33], "the group's MAC");
                        cr_assert_eq(sum(d + 38, 8, 0), 0xffff);
                        n++;
                }
                cr_assert_eq(n, 3, "IGMPv%d: one report per group, the source-specific one too", v);
                fake_free(f);
        }
        fake_igmp_version = 0;
}

/* NETDEV_RESEND_IGMP reaches the VLAN devices on the bond and a bridge
 * over it (vlan_device_event(), br_device_event()): their groups are
 * reported too, from their MAC and address, tagged as their frames leave */
static struct bg_fwd_dev stack2[3];
static size_t stacked2(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root) {
        *devs = stack2;
        *root = 2;
        return 3;
}

Test(mcast, stacked_devices_report_their_groups_tagged) {
        struct bg_fwd_params p;
        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.miimon = 100;
        p.resend_igmp = 1;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        struct bg_fwd_io io = fake_io;
        io.stacked = stacked2;
        f->b.io = &io;
        f->b.tap_ifindex = 2;
        memset(stack2, 0, sizeof(stack2));
        stack2[0] = (struct bg_fwd_dev){ .ifindex = 2, .master = 7 };
        stack2[1] = (struct bg_fwd_dev){ .ifindex = 3, .link = 2, .vlan_id = 100, .n4 = 1,
                                         .v4 = { htonl(0x0a006402) }, .mac = { 2, 0, 0, 0, 0, 3 } };
        stack2[2] = (struct bg_fwd_dev){ .ifindex = 7, .bridge = true, .mac = { 2, 0, 0, 0, 0, 7 } };
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true);
        fake_enslave(f, "eth1", true);
        while (f->b.igmp_left)
                bg_fwd_igmp_tick(&f->b);
        f->n_log = 0;
        bg_fwd_mon_carrier(&f->b, a, false);
        unsigned bond = 0, tagged = 0;
        for (unsigned i = 0; i < f->n_log; i++) {
                const uint8_t *d = f->log[i].data;
                if (is_igmp(&f->log[i]) || is_mld(&f->log[i])) {
                        cr_assert_arr_eq(d + 6, f->b.mac, 6, "the bond's reports from its MAC");
                        bond++;
                        continue;
                }
                if (f->log[i].len < 18 || d[12] != 0x81 || d[16] != 0x08 || d[14 + 4 + 9] != 2)
                        continue;
                /* an 802.1Q frame of VLAN 100 holding an IGMPv3 report */
                tagged++;
                cr_assert_eq(f->log[i].port, 1, "on the new active port");
                cr_assert_eq(f->log[i].len, 58);
                cr_assert(d[14] == 0 && d[15] == 100, "tag 100");
                cr_assert_eq(d[11], 3, "VLAN 100's MAC");
                const uint8_t *ip = d + 18, *ig = d + 42;
                cr_assert(ip[12] == 10 && ip[13] == 0 && ip[14] == 100 && ip[15] == 2, "from 10.0.100.2");
                cr_assert(ip[16] == 224 && ip[19] == 22, "to 224.0.0.22");
                cr_assert(ig[0] == 0x22 && ig[8] == 2 && ig[12] == 239 && ig[13] == 3, "is_ex 239.3.3.3");
                cr_assert_eq(sum(ip, 24, 0), 0xffff);
                cr_assert_eq(sum(ig, 16, 0), 0xffff);
        }
        cr_assert_eq(bond, 4, "the bond's three IGMP reports and its MLD report");
        cr_assert_eq(tagged, 1, "one report for VLAN 100's group; the bridge has none");
        fake_free(f);
}

/* The kernel's lists as /proc shows them (igmp_mc_seq_show(),
 * ip_mcf_seq_show()); the group word of /proc/net/igmp is the raw
 * network-order word printed as a host integer. */
static void grp_line(char *buf, size_t cap, const char *a, unsigned users) {
        uint32_t g;
        inet_pton(AF_INET, a, &g);
        snprintf(buf, cap, "\t\t\t\t%08X %5u 0:00000000\t\t0\n", g, users);
}

Test(mcast, parses_groups_version_and_sources_from_proc) {
        char igmp[2048], l[8][64];
        grp_line(l[0], 64, "224.0.0.1", 1);
        grp_line(l[1], 64, "239.1.2.3", 1);      /* any source */
        grp_line(l[2], 64, "224.0.0.251", 1);    /* link-local scope */
        grp_line(l[3], 64, "232.1.1.1", 1);      /* one include-mode join, two sources */
        grp_line(l[4], 64, "239.9.9.9", 2);      /* two exclude-mode filters */
        grp_line(l[5], 64, "239.7.7.7", 2);      /* an any-source and a source-specific join */
        grp_line(l[6], 64, "239.5.5.5", 1);      /* on another device */
        snprintf(igmp, sizeof(igmp),
                 "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
                 "1\tlo        :     1      V3\n%s"
                 "7\tbond0     :     6      V2\n%s%s%s%s%s%s"
                 "8\tbond0.100 :     1      V1\n%s",
                 l[0], l[0], l[1], l[2], l[3], l[4], l[5], l[6]);
        const char *mcf = "Idx Device        MCA        SRC    INC    EXC\n"
                          "  7  bond0 0xe8010101 0x0a090909      1      0\n"
                          "  7  bond0 0xe8010101 0x0a090908      1      0\n"
                          "  7  bond0 0xef090909 0x0a010101      0      2\n"
                          "  7  bond0 0xef090909 0x0a010102      0      1\n"
                          "  7  bond0 0xef070707 0x0a020202      1      0\n"
                          "  8 bond0. 0xef050505 0x0a030303      1      0\n";
        struct bg_fwd_groups g;

        bg_fwd_parse_igmp4(igmp, mcf, 7, true, &g);
        cr_assert_eq(g.igmp_version, 2, "the Querier column of bond0");
        cr_assert_eq(g.n4, 5, "all but 224.0.0.1 and the other device's");
        cr_expect(g.v4[0].group == htonl(0xef010203) && !g.v4[0].include && g.v4[0].n_src == 0);
        cr_expect(g.v4[1].group == htonl(0xe00000fb), "224.0.0.251 with igmp_link_local_mcast_reports on");
        cr_expect(g.v4[2].group == htonl(0xe8010101) && g.v4[2].include && g.v4[2].n_src == 2 &&
                  g.v4[2].src[0] == htonl(0x0a090909) && g.v4[2].src[1] == htonl(0x0a090908),
                  "include mode, both sources in the kernel's order");
        cr_expect(g.v4[3].group == htonl(0xef090909) && !g.v4[3].include && g.v4[3].n_src == 1 &&
                  g.v4[3].src[0] == htonl(0x0a010101), "exclude mode: only what every filter excludes");
        cr_expect(g.v4[4].group == htonl(0xef070707) && !g.v4[4].include && g.v4[4].n_src == 0,
                  "an any-source join makes it exclude mode; the included source is not listed");

        bg_fwd_parse_igmp4(igmp, mcf, 7, false, &g);
        cr_assert_eq(g.n4, 4, "224.0.0.x left out with igmp_link_local_mcast_reports off");
        bg_fwd_parse_igmp4(igmp, mcf, 8, true, &g);
        cr_assert(g.igmp_version == 1 && g.n4 == 1 && g.v4[0].include, "bond0.100: V1, its group");
        bg_fwd_parse_igmp4(igmp, NULL, 1, true, &g);
        cr_assert(g.igmp_version == 3 && g.n4 == 0, "lo: V3, nothing but 224.0.0.1");
        bg_fwd_parse_igmp4(igmp, NULL, 9, true, &g);
        cr_assert(g.igmp_version == 3 && g.n4 == 0, "a device without groups");
}

/* bond_change_active_slave() resends in balance-rr too (its IGMP frames
 * all leave on the active port, bond_xmit_roundrobin()) */
Test(mcast, balance_rr_resends_on_its_new_igmp_port) {
        struct bg_fwd_params p;
        struct fake *f;
        struct bg_fwd_port *a, *b;
        unsigned igmp = 0;

        bg_fwd_params_default(&p, BG_MODE_BALANCE_RR);
        p.miimon = 100;
        p.resend_igmp = 2;
        f = fake_new(BG_MODE_BALANCE_RR, &p);
        a = fake_enslave(f, "eth0", true);
        b = fake_enslave(f, "eth1", true);
        while (f->b.igmp_left)
                bg_fwd_igmp_tick(&f->b);
        cr_assert_eq(f->b.active, a);
        f->n_log = 0;
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->b.active, b);
        for (unsigned i = 0; i < f->n_log; i++)
                if (is_igmp(&f->log[i])) {
                        cr_assert_eq(f->log[i].port, 1, "reports leave on the new IGMP port");
                        igmp++;
                }
        cr_assert_eq(igmp, 3, "the first round at once, one report per group (%u)", igmp);
        cr_assert_eq(f->b.igmp_left, 1, "a second round is due");
        fake_free(f);
}

Test(mcast, nothing_with_resend_igmp_0_or_without_an_active_port_mode) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_with_two_ports(0, &a, &b);

        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->b.active, b);
        for (unsigned i = 0; i < f->n_log; i++)
                cr_assert(!is_igmp(&f->log[i]) && !is_mld(&f->log[i]));
        fake_free(f);

        struct bg_fwd_params p;
        bg_fwd_params_default(&p, BG_MODE_BALANCE_XOR);
        p.miimon = 100;
        f = fake_new(BG_MODE_BALANCE_XOR, &p);
        a = fake_enslave(f, "eth0", true);
        b = fake_enslave(f, "eth1", true);
        bg_fwd_mon_carrier(&f->b, a, false);
        for (unsigned i = 0; i < f->n_log; i++)
                cr_assert(!is_igmp(&f->log[i]) && !is_mld(&f->log[i]), "balance-xor has no active port");
        fake_free(f);
}
