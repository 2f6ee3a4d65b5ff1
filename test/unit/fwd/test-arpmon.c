/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ARP monitor's receive side with crafted frames, as
 * bond_main.c:bond_arp_rcv() and bond_validate_arp() judge them: with
 * arp_validate, only ARP between a configured target and one of the
 * bond's addresses counts; a backup counts the active port's requests only
 * while the active port hears the targets; frames for another host, which
 * the promiscuous port sees and a kernel port would not, never count; and
 * with no active port, a probed port that gets no reply stops receiving
 * (bonding.rst "arp_validate"). */
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "test-fwd-fake.h"

#define TARGET "10.0.0.1"
#define OURS "10.0.0.2"       /* fake_addrs() */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t target_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };

static uint32_t ip(const char *s) {
        struct in_addr a;
        inet_pton(AF_INET, s, &a);
        return a.s_addr;
}

static size_t arp(uint8_t *f, const uint8_t *dst, unsigned op, const char *sip, const char *tip) {
        uint32_t s = ip(sip), t = ip(tip);

        memset(f, 0, 60);
        memcpy(f, dst, 6);
        memcpy(f + 6, target_mac, 6);
        f[12] = 0x08, f[13] = 0x06;
        f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = (uint8_t) op;
        memcpy(f + 22, target_mac, 6);
        memcpy(f + 28, &s, 4);
        memcpy(f + 38, &t, 4);
        return 60;
}

static struct fake *ab_arp(unsigned validate, struct bg_fwd_port **a, struct bg_fwd_port **b) {
        struct bg_fwd_params p;

        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.arp_interval = 100;
        p.n_arp_targets = 1;
        p.arp_targets[0] = ip(TARGET);
        p.arp_validate = validate;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        *a = fake_enslave(f, "eth0", true);
        *b = fake_enslave(f, "eth1", true);
        memcpy((*a)->mac, f->b.mac, 6);
        memcpy((*b)->mac, f->b.mac, 6);
        cr_assert_eq(f->b.active, *a);
        return f;
}

/* Does this frame on port p count as heard? */
static bool counts(struct fake *f, struct bg_fwd_port *p, const uint8_t *fr, size_t len) {
        p->last_rx = 0;
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, p, fr, len);
        return p->last_rx == f->b.now;
}

Test(arpmon, active_port_counts_only_target_to_us) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);
        uint8_t fr[60];

        cr_assert(counts(f, a, fr, arp(fr, f->b.mac, 2, TARGET, OURS)), "the target's reply to us");
        cr_assert(counts(f, a, fr, arp(fr, bcast, 1, TARGET, OURS)), "the target asking for us");
        cr_assert(!counts(f, a, fr, arp(fr, f->b.mac, 2, "10.0.0.9", OURS)), "a reply from a non-target");
        cr_assert(!counts(f, a, fr, arp(fr, bcast, 2, TARGET, "10.0.0.7")), "the target talking to another host");
        cr_assert(!counts(f, a, fr, arp(fr, other, 2, TARGET, OURS)), "unicast for another MAC (promiscuous port)");
        cr_assert(!counts(f, a, fr, arp(fr, bcast, 2, "0.0.0.0", OURS)), "no sender address");
        arp(fr, f->b.mac, 2, TARGET, OURS);
        fr[18] = 8;
        cr_assert(!counts(f, a, fr, 60), "a hardware address length other than 6");
        arp(fr, f->b.mac, 2, TARGET, OURS);
        fr[16] = 0x86, fr[17] = 0xdd;
        cr_assert(!counts(f, a, fr, 60), "not IPv4 ARP");
        cr_assert(!counts(f, a, fr, 30), "a runt");
        uint8_t ip4[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, [12] = 0x08, [13] = 0x00 };
        cr_assert(!counts(f, a, ip4, sizeof(ip4)), "not ARP at all");
        fake_free(f);
}

Test(arpmon, backup_counts_the_active_ports_requests_only_while_it_hears_the_target) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);
        uint8_t fr[60];

        cr_assert(b->backup);
        /* the active port has heard nothing since it became active */
        a->last_rx = 0;
        b->last_rx = 0;
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, b, fr, arp(fr, bcast, 1, OURS, TARGET));
        cr_assert_eq(b->last_rx, 0, "requests nobody answers keep no backup up");
        /* now it hears the target */
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, a, fr, arp(fr, f->b.mac, 2, TARGET, OURS));
        cr_assert(counts(f, b, fr, arp(fr, bcast, 1, OURS, TARGET)), "our request to the target, seen on a backup");
        cr_assert(!counts(f, b, fr, arp(fr, bcast, 1, OURS, "10.0.0.9")), "our request to a non-target");
        cr_assert(!counts(f, b, fr, arp(fr, bcast, 1, "10.0.0.5", TARGET)), "someone else's request");
        fake_free(f);
}

Test(arpmon, validate_active_leaves_backups_unvalidated_and_filter_takes_arp_only) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ACTIVE, &a, &b);
        uint8_t fr[60], ip4[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, [12] = 0x08, [13] = 0x00 };

        cr_assert(counts(f, b, ip4, sizeof(ip4)), "arp_validate active: any frame on a backup");
        cr_assert(!counts(f, a, ip4, sizeof(ip4)), "... but only validated ARP on the active port");
        cr_assert(!counts(f, b, fr, arp(fr, other, 2, TARGET, OURS)), "never a frame for another host");
        fake_free(f);

        f = ab_arp(BG_ARPV_FILTER, &a, &b);
        cr_assert(!counts(f, a, ip4, sizeof(ip4)), "arp_validate filter: IPv4 is not ARP");
        cr_assert(counts(f, a, fr, arp(fr, bcast, 1, "10.0.0.5", "10.0.0.6")), "filter: any ARP counts");
        fake_free(f);
}

/* No active port: the probed port receives (active flags) until its
 * interval ends without a reply, then stops before the next is probed. */
Test(arpmon, probed_port_without_reply_stops_receiving) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);
        bool probed_a = false, probed_b = false;

        for (int i = 0; i < 40; i++) {
                f->b.now += 100000;
                bg_fwd_mon_arp_tick(&f->b);
                unsigned receiving = !a->rx_disabled + !b->rx_disabled;
                cr_assert(receiving <= 1, "tick %d: %u ports receive in active-backup", i, receiving);
                if (!f->b.active) {
                        probed_a |= a->link == BG_LINK_BACK;
                        probed_b |= b->link == BG_LINK_BACK;
                }
        }
        cr_assert_null(f->b.active, "no replies: no active port");
        cr_assert(probed_a && probed_b, "the probe rotates over both ports");
        /* the target answers the probed port: it becomes active */
        struct bg_fwd_port *p = a->link == BG_LINK_BACK ? a : b;
        uint8_t fr[60];
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, p, fr, arp(fr, f->b.mac, 2, TARGET, OURS));
        f->b.now += 100000;
        bg_fwd_mon_arp_tick(&f->b);
        cr_assert_eq(f->b.active, p);
        fake_free(f);
}

/* No active port, and both ports hear the target within the probed
 * port's interval (the reply reached the other port as well, the switch's
 * table still pointing there): both come up in one tick, the first in
 * order is chosen, and the probed one goes back to inactive
 * (bond_ab_arp_commit(), BOND_LINK_UP), not left receiving beside it. */
Test(arpmon, probing_port_passed_over_stops_receiving) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);
        uint8_t fr[60];
        int i;

        for (i = 0; i < 60 && !(!f->b.active && b->link == BG_LINK_BACK); i++) {
                f->b.now += 100000;
                bg_fwd_mon_arp_tick(&f->b);
        }
        cr_assert(!f->b.active && b->link == BG_LINK_BACK && !b->rx_disabled, "b is not being probed");
        cr_assert(a->rx_disabled);
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, b, fr, arp(fr, f->b.mac, 2, TARGET, OURS));
        bg_fwd_mon_rx(&f->b, a, fr, arp(fr, f->b.mac, 2, TARGET, OURS));
        f->b.now += 100000;
        bg_fwd_mon_arp_tick(&f->b);
        cr_assert_eq(f->b.active, a);
        cr_assert_eq(b->link, BG_LINK_UP);
        cr_assert(!a->rx_disabled);
        cr_assert(b->rx_disabled && b->backup, "the passed-over probing port still receives");
        fake_free(f);
}

/* One probe round as the wire delivers it: the tick, then the active
 * port's broadcast request reaching the backup through the switch, then
 * the target's reply on the active port (bondgend reads them in that
 * order when both wait: the request arrives first). */
static void round_trip(struct fake *f, uint64_t interval_us) {
        uint8_t fr[60];
        struct bg_fwd_port *act;

        f->b.now += interval_us;
        bg_fwd_mon_arp_tick(&f->b);
        act = f->b.active;
        if (!act)
                return;
        f->b.now += 200;
        for (size_t i = 0; i < f->b.n_ports; i++)
                if (f->b.ports[i] != act)
                        bg_fwd_mon_rx(&f->b, f->b.ports[i], fr, arp(fr, bcast, 1, OURS, TARGET));
        f->b.now += 300;
        bg_fwd_mon_rx(&f->b, act, fr, arp(fr, f->b.mac, 2, TARGET, OURS));
}

/* An idle bond stays put from its first tick on: the backup is validated
 * one probe after the active port (its first request arrives before the
 * active port heard any reply), inside the settling time
 * bond_ab_arp_inspect() gives it (two intervals and a half) and the
 * receive time bond_enslave() starts it with (an interval ago). Also when
 * the first tick comes a whole interval after the start (a port that
 * joins a running bond waits up to that long), and with ticks late by up
 * to 40 ms. */
Test(arpmon, idle_bond_stays_put_from_its_first_tick) {
        for (unsigned first = 0; first <= 100; first += 100)
                for (unsigned late = 0; late <= 40; late += 10) {
                        struct bg_fwd_port *a, *b;
                        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);

                        bg_fwd_mon_arp_start(&f->b);
                        round_trip(f, first * 1000);
                        for (int i = 0; i < 50; i++)
                                round_trip(f, 100000 + (i % 3 == 0 ? late * 1000 : 0));
                        cr_assert_eq(f->b.active, a, "first tick %u ms, late %u ms: the active port changed", first,
                                     late);
                        cr_assert_eq(a->link_failure_count, 0, "first %u, late %u: active port failed", first, late);
                        cr_assert_eq(b->link_failure_count, 0, "first %u, late %u: backup failed", first, late);
                        cr_assert_eq(b->link, BG_LINK_UP);
                        fake_free(f);
                }
}

/* The ports joined, then setting up the device, addresses and control
 * socket took 700 ms before the monitor started: their settling time runs
 * from the monitor's start, as the kernel's ports join a bond whose
 * monitor runs, and nothing fails before the first probe. */
Test(arpmon, monitor_starting_late_judges_no_port_before_its_first_probe) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);

        f->b.now += 700000;
        bg_fwd_mon_arp_start(&f->b);
        round_trip(f, 0);
        for (int i = 0; i < 20; i++)
                round_trip(f, 100000);
        cr_assert_eq(f->b.active, a);
        cr_assert_eq(a->link_failure_count + b->link_failure_count, 0, "failures %u %u", a->link_failure_count,
                     b->link_failure_count);
        fake_free(f);
}

/* ... and a backup that hears nothing at all still goes down: after the
 * settling time and missed_max + 1 intervals without a request. */
Test(arpmon, silent_backup_still_goes_down) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_arp(BG_ARPV_ALL, &a, &b);
        uint8_t fr[60];
        int down_at = -1;

        bg_fwd_mon_arp_start(&f->b);
        for (int i = 0; i < 20 && down_at < 0; i++) {
                f->b.now += 100000;
                bg_fwd_mon_arp_tick(&f->b);
                f->b.now += 500;
                bg_fwd_mon_rx(&f->b, a, fr, arp(fr, f->b.mac, 2, TARGET, OURS));
                if (b->link != BG_LINK_UP)
                        down_at = i + 1;
        }
        cr_assert_eq(f->b.active, a);
        /* settling until 2.5 intervals, then the initial receive time
         * (an interval ago at the start) is 3.5 intervals old */
        cr_assert(down_at >= 3 && down_at <= 4, "the silent backup went down at tick %d", down_at);
        cr_assert_eq(b->link_failure_count, 1);
        fake_free(f);
}
