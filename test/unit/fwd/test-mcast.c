/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resend_igmp: after the active port changes, resend_igmp rounds of
 * membership reports (an IGMPv2 report per IPv4 group, one MLDv2 report
 * for the IPv6 groups) on the new active port, the first at once and the
 * rest 200 ms apart (bond_main.c:bond_resend_igmp_join_requests_delayed()). */
#include <criterion/criterion.h>

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
                cr_assert_eq(igmp, 2, "round %d: %u IGMP reports", round, igmp);
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

Test(mcast, reports_are_well_formed) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_with_two_ports(1, &a, &b);

        bg_fwd_mon_carrier(&f->b, a, false);
        /* the reports, without the gratuitous ARP of the failover */
        struct fake_frame r[3];
        unsigned n = 0;
        for (unsigned i = 0; i < f->n_log; i++)
                if ((is_igmp(&f->log[i]) || is_mld(&f->log[i])) && n < 3)
                        r[n++] = f->log[i];
        cr_assert_eq(n, 3);
        const uint8_t *e = r[0].data, *ip = e + 14, *ig = e + 38;
        cr_assert(is_igmp(&r[0]));
        const uint8_t mac[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
        cr_assert_arr_eq(e, mac, 6, "239.1.2.3's MAC");
        cr_assert_arr_eq(e + 6, f->b.mac, 6);
        cr_assert_eq(ip[0], 0x46);
        cr_assert_eq(ip[8], 1, "TTL 1");
        cr_assert(ip[20] == 0x94 && ip[21] == 0x04, "Router Alert");
        cr_assert_eq(sum(ip, 24, 0), 0xffff, "IPv4 header checksum");
        cr_assert_eq(ig[0], 0x16, "IGMPv2 membership report");
        cr_assert(ig[4] == 239 && ig[5] == 1 && ig[6] == 2 && ig[7] == 3);
        cr_assert_eq(sum(ig, 8, 0), 0xffff, "IGMP checksum");
        cr_assert(is_igmp(&r[1]) && r[1].data[38 + 5] == 200);

        const struct fake_frame *m = &r[2];
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
