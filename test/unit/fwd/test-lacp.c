/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 802.3ad machines on a fake clock: negotiation, timeouts, passive mode,
 * churn, aggregator selection, min_links, bad PDUs. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lacp-sim.h"

#define SEC 1000000ull
#define MS 1000ull

static struct bg_lacp_config cfg(bool active, bool fast) {
        struct bg_lacp_config c;
        bg_lacp_config_init(&c);
        c.active = active;
        c.fast = fast;
        return c;
}

static struct bg_lacp_config kernel_cfg(bool active, bool fast) {
        struct bg_lacp_config c = cfg(active, fast);
        c.attach_when_complete = false;   /* bond_3ad.c: always the 2 s wait */
        return c;
}

/* Two bonds A and B of two ports each, wired port to port. */
struct pair {
        struct sim s;
        int a, b;
        unsigned ap[2], bp[2];
        int w[2];
};

static void pair_setup(struct pair *p, struct bg_lacp_config ca, struct bg_lacp_config cb) {
        sim_init(&p->s);
        p->a = sim_add(&p->s, &ca, 0xa0);
        p->b = sim_add(&p->s, &cb, 0xb0);
        for (int i = 0; i < 2; i++) {
                p->ap[i] = sim_port(&p->s, p->a, 10000);
                p->bp[i] = sim_port(&p->s, p->b, 10000);
                p->w[i] = sim_wire(&p->s, p->a, p->ap[i], p->b, p->bp[i]);
        }
}

static bool all_cd(struct pair *p) {
        for (int i = 0; i < 2; i++)
                if (!sim_cd(&p->s, p->a, p->ap[i]) || !sim_cd(&p->s, p->b, p->bp[i]))
                        return false;
        return true;
}

/* Time until every port of both sides distributes, in 100 ms steps. */
static uint64_t converge(struct pair *p, uint64_t limit) {
        uint64_t t0 = p->s.now;
        while (!all_cd(p)) {
                cr_assert(p->s.now - t0 <= limit, "no convergence within %llu ms",
                          (unsigned long long) (limit / MS));
                sim_run(&p->s, 100 * MS);
        }
        return p->s.now - t0;
}

Test(lacp, complete_bonds_attach_without_the_aggregate_wait) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        /* every port of both bonds selected with a current partner: no
         * port is left to wait for, so both attach at once */
        uint64_t t = converge(&p, 5 * SEC);
        cr_assert(t <= 1 * SEC, "converged after %llu ms, want <= 1 s", (unsigned long long) (t / MS));
        cr_assert_eq(sim_info(&p.s, p.a, p.ap[0]).aggregator_id, sim_info(&p.s, p.a, p.ap[1]).aggregator_id);
        cr_assert_eq(sim_info(&p.s, p.a, p.ap[0]).actor.state, 0x3f);
        sim_free(&p.s);
}

Test(lacp, a_kernel_timed_partner_still_interoperates) {
        struct pair p;
        /* B behaves like bonding.ko: it attaches only after its 2 s wait,
         * and A's ports cannot distribute before B's SYNC */
        pair_setup(&p, cfg(true, true), kernel_cfg(true, true));
        uint64_t t = converge(&p, 5 * SEC);
        cr_assert(t >= 2 * SEC && t <= 3 * SEC, "converged after %llu ms", (unsigned long long) (t / MS));
        cr_assert_eq(sim_info(&p.s, p.b, p.bp[0]).partner.state, 0x3f);
        sim_free(&p.s);
}

Test(lacp, a_port_without_its_partner_keeps_the_wait) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        /* A's second port hears nothing yet: A cannot know whether it will
         * join, so A's first port waits aggregate_wait_time */
        p.s.wires[p.w[1]].b_to_a = false;
        sim_run(&p.s, 1500 * MS);
        cr_assert(!sim_cd(&p.s, p.a, p.ap[0]), "attached before the wait with a port still unheard");
        sim_run(&p.s, 1500 * MS);
        cr_assert(sim_cd(&p.s, p.a, p.ap[0]), "the first port distributes after the wait");
        sim_free(&p.s);
}

Test(lacp, active_active_converges_like_the_kernel) {
        struct pair p;
        pair_setup(&p, kernel_cfg(true, true), kernel_cfg(true, true));

        /* the first PDUs leave at once, at link up (mux DETACHED sets NTT) */
        cr_assert_eq(p.s.inst[p.a].tx[p.ap[0]], 1);
        cr_assert_eq(p.s.inst[p.b].tx[p.bp[1]], 1);
        uint64_t t = converge(&p, 5 * SEC);
        /* the 2 s aggregate wait dominates; never before it */
        cr_assert(t >= 2 * SEC && t <= 3 * SEC, "converged after %llu ms", (unsigned long long) (t / MS));

        struct bg_lacp_port_info a0 = sim_info(&p.s, p.a, p.ap[0]), a1 = sim_info(&p.s, p.a, p.ap[1]);
        struct bg_lacp_port_info b0 = sim_info(&p.s, p.b, p.bp[0]);
        cr_assert_eq(a0.actor.state, 0x3f);            /* A,T,G,S,C,D */
        cr_assert_eq(a0.partner.state, 0x3f);
        cr_assert_eq(a0.actor.key, 15);                /* 10G full duplex */
        cr_assert_eq(a0.aggregator_id, a1.aggregator_id, "both ports in one aggregator");
        cr_assert_eq(a0.rx_state, BG_LACP_RX_CURRENT);
        cr_assert_eq(a0.mux_state, BG_LACP_MUX_COLLECTING_DISTRIBUTING);
        /* the partner information is B's actor information, echoed */
        cr_assert_arr_eq(a0.partner.system, p.s.inst[p.b].mac, 6);
        cr_assert_eq(a0.partner.port, b0.actor.port);
        cr_assert(bg_lacp_carrier(p.s.inst[p.a].l));
        cr_assert(p.s.inst[p.a].changed > 0);

        struct bg_lacp_agg_info ag;
        cr_assert_eq(bg_lacp_active_agg(p.s.inst[p.a].l, &ag), 0);
        cr_assert_eq(ag.num_ports, 2);
        cr_assert_arr_eq(ag.partner_system, p.s.inst[p.b].mac, 6);

        /* steady state with both asking for short timeouts: one PDU per second */
        uint64_t before = p.s.inst[p.a].tx[p.ap[0]];
        sim_run(&p.s, 10 * SEC);
        uint64_t n = p.s.inst[p.a].tx[p.ap[0]] - before;
        cr_assert(n >= 9 && n <= 11, "%llu PDUs in 10 s", (unsigned long long) n);
        cr_assert(all_cd(&p));
        sim_free(&p.s);
}

Test(lacp, slow_rate_sends_every_30s_and_expires_after_90s) {
        struct pair p;
        /* A asks for long timeouts, B for short ones (kernel timing, so the
         * PDUs of the negotiation are all out when counting starts) */
        pair_setup(&p, kernel_cfg(true, false), kernel_cfg(true, true));
        converge(&p, 5 * SEC);

        /* A transmits fast (B set Timeout), B slow (A did not) */
        uint64_t a0 = p.s.inst[p.a].tx[p.ap[0]], b0 = p.s.inst[p.b].tx[p.bp[0]];
        sim_run(&p.s, 61 * SEC);
        uint64_t na = p.s.inst[p.a].tx[p.ap[0]] - a0, nb = p.s.inst[p.b].tx[p.bp[0]] - b0;
        cr_assert(na >= 59 && na <= 62, "A sent %llu", (unsigned long long) na);
        cr_assert(nb == 2, "B sent %llu in 61 s at the slow rate", (unsigned long long) nb);

        /* B goes silent: A (long timeout) keeps it for 90 s after the last PDU */
        p.s.wires[p.w[0]].b_to_a = false;
        uint64_t last = p.s.inst[p.b].last_tx_at[p.bp[0]];
        sim_run(&p.s, last + 89 * SEC - p.s.now);
        cr_assert_eq(sim_info(&p.s, p.a, p.ap[0]).rx_state, BG_LACP_RX_CURRENT);
        sim_run(&p.s, 1200 * MS);
        struct bg_lacp_port_info i = sim_info(&p.s, p.a, p.ap[0]);
        cr_assert_eq(i.rx_state, BG_LACP_RX_EXPIRED);
        cr_assert(i.actor.state & BG_LACP_STATE_EXPIRED);
        cr_assert(!i.distributing, "an expired partner stops distribution");
        cr_assert(sim_cd(&p.s, p.a, p.ap[1]), "the other port is unaffected");
        sim_free(&p.s);
}

Test(lacp, silent_partner_expires_in_3s_then_defaults) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);

        for (int i = 0; i < 2; i++)
                p.s.wires[p.w[i]].b_to_a = false;
        uint64_t last = p.s.inst[p.b].last_tx_at[p.bp[0]];
        sim_run(&p.s, last + 2900 * MS - p.s.now);
        cr_assert(sim_cd(&p.s, p.a, p.ap[0]), "still current before 3 s");
        sim_run(&p.s, 200 * MS);
        struct bg_lacp_port_info i = sim_info(&p.s, p.a, p.ap[0]);
        cr_assert_eq(i.rx_state, BG_LACP_RX_EXPIRED);
        cr_assert(!i.distributing);
        cr_assert_eq(i.actor.state & 0x30, 0, "no collecting/distributing after expiry");
        cr_assert_eq(i.partner.state & BG_LACP_STATE_SYNC, 0);

        /* 3 s later: defaulted, partner forgotten; the kernel's fallback
         * then forwards on one port of a partnerless aggregator */
        sim_run(&p.s, 3100 * MS);
        i = sim_info(&p.s, p.a, p.ap[0]);
        cr_assert_eq(i.rx_state, BG_LACP_RX_DEFAULTED);
        cr_assert(i.actor.state & BG_LACP_STATE_DEFAULTED);
        uint8_t zero[6] = { 0 };
        cr_assert_arr_eq(i.partner.system, zero, 6);
        cr_assert(bg_lacp_carrier(p.s.inst[p.a].l));
        int dist = bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[0]) +
                   bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[1]);
        cr_assert_eq(dist, 1, "individual fallback uses one port");

        /* the partner comes back: full renegotiation */
        for (int k = 0; k < 2; k++)
                p.s.wires[p.w[k]].b_to_a = true;
        converge(&p, 5 * SEC);
        sim_free(&p.s);
}

Test(lacp, strict_keeps_carrier_down_without_partner) {
        struct sim s;
        struct bg_lacp_config c = cfg(true, true);
        c.strict = true;
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        unsigned p0 = sim_port(&s, a, 1000);
        sim_run(&s, 10 * SEC);
        cr_assert(!bg_lacp_carrier(s.inst[a].l));
        cr_assert(!bg_lacp_port_distributing(s.inst[a].l, p0));
        sim_free(&s);
}

Test(lacp, passive_never_starts) {
        struct pair p;
        pair_setup(&p, cfg(false, true), cfg(false, true));
        sim_run(&p.s, 20 * SEC);
        for (int i = 0; i < 2; i++) {
                cr_assert_eq(p.s.inst[p.a].tx[p.ap[i]], 0);
                cr_assert_eq(p.s.inst[p.b].tx[p.bp[i]], 0);
                cr_assert_eq(sim_info(&p.s, p.a, p.ap[i]).actor.state & BG_LACP_STATE_ACTIVITY, 0);
        }
        sim_free(&p.s);
}

Test(lacp, passive_answers_an_active_partner) {
        struct pair p;
        /* PDU counts as bond_3ad.c sends them: the kernel's timing */
        pair_setup(&p, kernel_cfg(false, false), kernel_cfg(true, true));
        cr_assert_eq(p.s.inst[p.b].tx[p.bp[0]], 1, "the active side speaks first");
        cr_assert_eq(p.s.inst[p.a].tx[p.ap[0]], 0);
        sim_run(&p.s, 0);
        /* the passive side answered within the same delivery round */
        cr_assert_eq(p.s.inst[p.a].tx[p.ap[0]], 1);
        converge(&p, 5 * SEC);
        struct bg_lacp_port_info i = sim_info(&p.s, p.a, p.ap[0]);
        cr_assert_eq(i.actor.state, 0x3c, "passive, long timeout: G,S,C,D");
        /* and keeps answering at the rate the active side asked for, so the
         * active side never expires it (bond_passive_lacp.sh) */
        sim_run(&p.s, 20 * SEC);
        cr_assert(all_cd(&p));
        cr_assert_eq(sim_info(&p.s, p.b, p.bp[0]).actor.state & BG_LACP_STATE_EXPIRED, 0);
        sim_free(&p.s);
}

Test(lacp, tx_limited_to_three_per_second) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        /* force many state changes within a second by flapping B's PDUs */
        uint64_t t0 = p.s.now, n0 = p.s.inst[p.a].tx[p.ap[0]];
        for (int i = 0; i < 10; i++) {
                bg_lacp_set_bond_mac(p.s.inst[p.b].l, (uint8_t[]) { 0x02, 9, 9, 9, 9, (uint8_t) i }, p.s.now);
                sim_deliver(&p.s);
                p.s.now += 50 * MS;
                bg_lacp_tick(p.s.inst[p.a].l, p.s.now);
                sim_deliver(&p.s);
        }
        cr_assert(p.s.now - t0 <= SEC);
        cr_assert(p.s.inst[p.a].tx[p.ap[0]] - n0 <= 3, "%llu PDUs in 500 ms",
                  (unsigned long long) (p.s.inst[p.a].tx[p.ap[0]] - n0));
        sim_free(&p.s);
}

Test(lacp, link_down_and_up_renegotiates) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);

        struct bg_lacp *a = p.s.inst[p.a].l;
        cr_assert_eq(bg_lacp_port_link(a, p.ap[1], false, 0, false, p.s.now), 0);
        cr_assert_eq(bg_lacp_port_link(p.s.inst[p.b].l, p.bp[1], false, 0, false, p.s.now), 0);
        cr_assert(!bg_lacp_port_distributing(a, p.ap[1]));
        cr_assert(bg_lacp_port_distributing(a, p.ap[0]));
        cr_assert(bg_lacp_carrier(a));
        struct bg_lacp_agg_info ag;
        cr_assert_eq(bg_lacp_active_agg(a, &ag), 0);
        cr_assert_eq(ag.active_ports, 1);
        sim_run(&p.s, 5 * SEC);
        cr_assert_eq(sim_info(&p.s, p.a, p.ap[1]).rx_state, BG_LACP_RX_PORT_DISABLED);

        bg_lacp_port_link(a, p.ap[1], true, 10000, true, p.s.now);
        bg_lacp_port_link(p.s.inst[p.b].l, p.bp[1], true, 10000, true, p.s.now);
        uint64_t t = converge(&p, 5 * SEC);
        cr_assert(t <= 3 * SEC);
        cr_assert(bg_lacp_port_distributing(a, p.ap[0]), "the other port never stopped");
        sim_free(&p.s);
}

Test(lacp, min_links_drops_carrier) {
        struct pair p;
        struct bg_lacp_config c = cfg(true, true);
        c.min_links = 2;
        pair_setup(&p, c, cfg(true, true));
        converge(&p, 5 * SEC);
        struct bg_lacp *a = p.s.inst[p.a].l;
        cr_assert(bg_lacp_carrier(a));
        unsigned changed = p.s.inst[p.a].changed;
        bg_lacp_port_link(a, p.ap[0], false, 0, false, p.s.now);
        cr_assert(!bg_lacp_carrier(a), "1 link < min_links 2");
        cr_assert(p.s.inst[p.a].changed > changed, "owner told");
        bg_lacp_port_link(a, p.ap[0], true, 10000, true, p.s.now);
        converge(&p, 5 * SEC);
        cr_assert(bg_lacp_carrier(a));
        sim_free(&p.s);
}

Test(lacp, loopback_is_ignored) {
        struct sim s;
        struct bg_lacp_config c = cfg(true, true);
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        unsigned p0 = sim_port(&s, a, 1000), p1 = sim_port(&s, a, 1000);
        sim_wire(&s, a, p0, a, p1);
        sim_run(&s, 10 * SEC);
        struct bg_lacp_port_info i = sim_info(&s, a, p0);
        cr_assert(i.counters.loopback_rx > 0);
        cr_assert_eq(i.counters.loopback_rx, i.counters.lacpdu_rx);
        cr_assert_neq(i.rx_state, BG_LACP_RX_CURRENT);
        cr_assert_eq(i.actor.state & 0x30, 0);
        sim_free(&s);
}

Test(lacp, partner_sync_needs_the_echo) {
        /* A partner that does not repeat our values in its partner TLV
         * never gets partner SYNC from us, however loudly it claims it. */
        struct sim s;
        struct bg_lacp_config c = cfg(true, true);
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        unsigned p0 = sim_port(&s, a, 1000);
        struct bg_lacpdu pdu = {
                .version = 1,
                .actor = { .system_priority = 1, .system = { 0x02, 0xee, 0, 0, 0, 1 }, .key = 9,
                           .port_priority = 255, .port = 5, .state = 0x3f },
                .partner = { .system_priority = 65535, .system = { 0x02, 0xdd, 0, 0, 0, 1 }, .key = 9,
                             .port_priority = 255, .port = 1, .state = 0x3f },
        };
        uint8_t f[124], src[6] = { 0x02, 0xee, 0, 0, 0, 9 };
        for (int k = 0; k < 60; k++) {
                bg_lacpdu_encode(src, &pdu, f, sizeof(f));
                cr_assert_eq(bg_lacp_rx(s.inst[a].l, p0, f, sizeof(f), s.now), BG_LACP_FRAME_LACPDU);
                sim_run(&s, 100 * MS);
        }
        struct bg_lacp_port_info i = sim_info(&s, a, p0);
        cr_assert_eq(i.rx_state, BG_LACP_RX_CURRENT);
        cr_assert_eq(i.partner.state & BG_LACP_STATE_SYNC, 0);
        cr_assert_neq(i.mux_state, BG_LACP_MUX_COLLECTING_DISTRIBUTING);

        /* echo our own actor values: now it is matched */
        pdu.partner = i.actor;
        for (int k = 0; k < 10; k++) {
                bg_lacpdu_encode(src, &pdu, f, sizeof(f));
                bg_lacp_rx(s.inst[a].l, p0, f, sizeof(f), s.now);
                pdu.partner = sim_info(&s, a, p0).actor;
                sim_run(&s, 100 * MS);
        }
        cr_assert_eq(sim_info(&s, a, p0).mux_state, BG_LACP_MUX_COLLECTING_DISTRIBUTING);
        sim_free(&s);
}

Test(lacp, bad_frames_are_counted_and_change_nothing) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        struct bg_lacp *a = p.s.inst[p.a].l;
        struct bg_lacp_port_info before = sim_info(&p.s, p.a, p.ap[0]);
        uint8_t good[BG_LACPDU_FRAME_LEN], f[300];
        memcpy(good, p.s.inst[p.b].last_frame[p.bp[0]], sizeof(good));

        memcpy(f, good, 124);
        cr_assert_eq(bg_lacp_rx(a, p.ap[0], f, 100, p.s.now), -EMSGSIZE);
        memset(f + 124, 0x55, 176);
        cr_assert_eq(bg_lacp_rx(a, p.ap[0], f, 300, p.s.now), -EMSGSIZE);
        f[5] = 0x0e;
        cr_assert_eq(bg_lacp_rx(a, p.ap[0], f, 124, p.s.now), -EADDRNOTAVAIL);
        memcpy(f, good, 124);
        f[17] = 0;
        cr_assert_eq(bg_lacp_rx(a, p.ap[0], f, 124, p.s.now), -EBADMSG);
        memcpy(f, good, 124);
        f[14] = 0x0a;   /* ESMC */
        cr_assert_eq(bg_lacp_rx(a, p.ap[0], f, 124, p.s.now), BG_LACP_FRAME_OTHER_SLOW);
        cr_assert_eq(bg_lacp_rx(a, 63, good, 124, p.s.now), -ENOENT);
        cr_assert_eq(bg_lacp_rx(a, 1000, good, 124, p.s.now), -ENOENT);

        struct bg_lacp_port_info after = sim_info(&p.s, p.a, p.ap[0]);
        cr_assert_eq(after.counters.size_rx, 2);
        cr_assert_eq(after.counters.misaddressed_rx, 1);
        cr_assert_eq(after.counters.bad_rx, 1);
        cr_assert_eq(after.counters.unknown_rx, 1);
        cr_assert_eq(after.counters.lacpdu_rx, before.counters.lacpdu_rx);
        cr_assert_eq(memcmp(&after.partner, &before.partner, sizeof(after.partner)), 0);
        cr_assert_eq(after.actor.state, before.actor.state);
        cr_assert(all_cd(&p));
        sim_free(&p.s);
}

Test(lacp, marker_information_is_answered) {
        struct sim s;
        struct bg_lacp_config c = cfg(true, true);
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        unsigned p0 = sim_port(&s, a, 1000);
        sim_run(&s, 0);
        s.nq = 0;
        struct bg_marker m = { .requester_port = 3, .requester_system = { 2, 3, 4, 5, 6, 7 },
                               .transaction_id = 42 }, got;
        uint8_t f[124], src[6] = { 2, 3, 4, 5, 6, 8 };
        bg_marker_encode(src, &m, f, sizeof(f));
        cr_assert_eq(bg_lacp_rx(s.inst[a].l, p0, f, sizeof(f), s.now), BG_LACP_FRAME_MARKER);
        cr_assert_eq(s.nq, 1);
        cr_assert_eq(bg_lacp_frame_decode(s.q[0].data, s.q[0].len, NULL, &got), BG_LACP_FRAME_MARKER);
        cr_assert(got.response);
        cr_assert_eq(got.transaction_id, 42);
        cr_assert_eq(got.requester_port, 3);
        cr_assert_arr_eq(s.q[0].data, bg_lacp_slow_proto_mac, 6);
        /* a response is counted, never answered */
        s.nq = 0;
        m.response = true;
        bg_marker_encode(src, &m, f, sizeof(f));
        bg_lacp_rx(s.inst[a].l, p0, f, sizeof(f), s.now);
        cr_assert_eq(s.nq, 0);
        struct bg_lacp_port_info i = sim_info(&s, a, p0);
        cr_assert_eq(i.counters.marker_rx, 1);
        cr_assert_eq(i.counters.marker_resp_tx, 1);
        cr_assert_eq(i.counters.marker_resp_rx, 1);
        sim_free(&s);
}

Test(lacp, churn_detected_without_partner) {
        struct sim s;
        struct bg_lacp_config c = cfg(true, true);
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        unsigned p0 = sim_port(&s, a, 1000);
        sim_run(&s, 59 * SEC);
        struct bg_lacp_port_info i = sim_info(&s, a, p0);
        cr_assert_eq(i.partner_churn, BG_LACP_CHURN_MONITOR);
        sim_run(&s, 2 * SEC);
        i = sim_info(&s, a, p0);
        cr_assert_eq(i.partner_churn, BG_LACP_CHURN_CHURNED);
        cr_assert_eq(i.partner_churn_count, 1);
        /* alone but on the active aggregator, our own side is in sync */
        cr_assert_eq(i.actor_churn, BG_LACP_CHURN_NONE);
        cr_assert_eq(i.actor_churn_count, 0);
        sim_free(&s);
}

Test(lacp, churn_none_when_negotiated) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        sim_run(&p.s, 70 * SEC);
        struct bg_lacp_port_info i = sim_info(&p.s, p.a, p.ap[0]);
        cr_assert_eq(i.actor_churn, BG_LACP_CHURN_NONE);
        cr_assert_eq(i.partner_churn, BG_LACP_CHURN_NONE);
        cr_assert_eq(i.partner_churn_count, 0);
        sim_free(&p.s);
}

Test(lacp, port_remove_says_goodbye) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        struct bg_lacp *a = p.s.inst[p.a].l;
        uint64_t n = p.s.inst[p.a].tx[p.ap[0]];
        cr_assert_eq(bg_lacp_port_remove(a, p.ap[0], p.s.now), 0);
        cr_assert_eq(p.s.inst[p.a].tx[p.ap[0]], n + 1);
        struct bg_lacpdu pdu;
        cr_assert_eq(bg_lacp_frame_decode(p.s.inst[p.a].last_frame[p.ap[0]], 124, &pdu, NULL),
                     BG_LACP_FRAME_LACPDU);
        cr_assert_eq(pdu.actor.state & (BG_LACP_STATE_AGGREGATION | BG_LACP_STATE_SYNC | 0x30), 0);
        cr_assert_eq(bg_lacp_port_remove(a, p.ap[0], p.s.now), -ENOENT);
        cr_assert(bg_lacp_port_distributing(a, p.ap[1]));
        struct bg_lacp_agg_info ag;
        cr_assert_eq(bg_lacp_active_agg(a, &ag), 0);
        cr_assert_eq(ag.num_ports, 1);
        sim_free(&p.s);
}

static void kv_cat(void *ctx, const char *section, const char *key, const char *value) {
        char *buf = ctx;
        size_t n = strlen(buf);
        snprintf(buf + n, 8192 - n, "%s%s%s: %s\n", section ? section : "", section ? "/" : "", key, value);
}

Test(lacp, status_in_the_kernel_wording) {
        struct pair p;
        static char buf[8192];
        pair_setup(&p, kernel_cfg(true, true), kernel_cfg(true, true));
        converge(&p, 5 * SEC);
        struct bg_lacp *a = p.s.inst[p.a].l;

        buf[0] = 0;
        bg_lacp_status_bond(a, kv_cat, buf);
        cr_assert(strstr(buf, "LACP active: on\n"));
        cr_assert(strstr(buf, "LACP rate: fast\n"));
        cr_assert(strstr(buf, "Aggregator selection policy (ad_select): stable\n"));
        cr_assert(strstr(buf, "System priority: 65535\n"));
        cr_assert(strstr(buf, "System MAC address: 02:00:00:00:00:a0\n"), "%s", buf);
        cr_assert(strstr(buf, "aggregator/Number of ports: 2\n"));
        cr_assert(strstr(buf, "aggregator/Actor Key: 15\n"));
        cr_assert(strstr(buf, "aggregator/Partner Mac Address: 02:00:00:00:01:b0\n"), "%s", buf);

        buf[0] = 0;
        bg_lacp_status_port(a, p.ap[1], kv_cat, buf);
        cr_assert(strstr(buf, "Actor Churn State: none\n"), "%s", buf);
        cr_assert(strstr(buf, "actor/port state: 63\n"));
        cr_assert(strstr(buf, "actor/port number: 2\n"));
        cr_assert(strstr(buf, "partner/oper key: 15\n"));
        cr_assert(strstr(buf, "partner/port state: 63\n"));
        cr_assert(strstr(buf, "LACP mux state: collecting_distributing\n"));
        sim_free(&p.s);
}

Test(lacp, partner_asking_for_short_timeouts_is_answered_at_once) {
        struct pair p;
        /* B slow at first: A sends every 30 s */
        pair_setup(&p, cfg(true, false), cfg(true, false));
        converge(&p, 5 * SEC);
        sim_run(&p.s, 5 * SEC);
        uint64_t n = p.s.inst[p.a].tx[p.ap[0]];
        /* B switches to fast: its next PDU carries Timeout; A answers in
         * the same round and from then on every second */
        struct bg_lacp_config fast = cfg(true, true);
        bg_lacp_free(p.s.inst[p.b].l);
        cr_assert_eq(bg_lacp_new(&fast, p.s.inst[p.b].mac, &sim_ops, &p.s.inst[p.b], p.s.now, &p.s.inst[p.b].l), 0);
        for (int i = 0; i < 2; i++) {
                unsigned id;
                cr_assert_eq(bg_lacp_port_add(p.s.inst[p.b].l, (uint8_t[]) { 2, 9, 9, 9, 9, (uint8_t) i }, 255,
                                              p.s.now, &id), 0);
                cr_assert_eq(id, p.bp[i]);
                bg_lacp_port_link(p.s.inst[p.b].l, id, true, 10000, true, p.s.now);
        }
        sim_deliver(&p.s);
        cr_assert(p.s.inst[p.a].tx[p.ap[0]] > n, "answered at once");
        n = p.s.inst[p.a].tx[p.ap[0]];
        sim_run(&p.s, 5 * SEC);
        cr_assert(p.s.inst[p.a].tx[p.ap[0]] - n >= 4, "then once a second");
        sim_free(&p.s);
}

/* xorshift: deterministic garbage */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void) {
        rnd_state ^= rnd_state << 13;
        rnd_state ^= rnd_state >> 17;
        rnd_state ^= rnd_state << 5;
        return rnd_state;
}

Test(lacp, garbage_and_mutated_pdus_never_break_the_machines) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        struct bg_lacp *a = p.s.inst[p.a].l;
        uint8_t good[BG_LACPDU_FRAME_LEN], f[400];
        memcpy(good, p.s.inst[p.b].last_frame[p.bp[0]], sizeof(good));

        for (int i = 0; i < 20000; i++) {
                size_t len = rnd() % sizeof(f);
                if (i & 1) {
                        /* a good PDU with a few bytes changed */
                        memcpy(f, good, sizeof(good));
                        len = 110 + rnd() % 30;
                        memset(f + sizeof(good), 0, sizeof(f) - sizeof(good));
                        for (int k = 0; k < 3; k++)
                                f[14 + rnd() % 110] = (uint8_t) rnd();
                } else {
                        for (size_t k = 0; k < len; k++)
                                f[k] = (uint8_t) rnd();
                        if (len >= 14) {
                                memcpy(f, bg_lacp_slow_proto_mac, 6);
                                f[12] = 0x88, f[13] = 0x09;
                        }
                }
                uint8_t *heap = malloc(len ? len : 1);
                memcpy(heap, f, len);
                bg_lacp_rx(a, p.ap[i % 2], heap, len, p.s.now);
                free(heap);
                if (i % 500 == 0) {
                        p.s.now += 100 * MS;
                        bg_lacp_tick(a, p.s.now);
                        p.s.nq = 0;     /* A's answers go nowhere */
                }
        }
        /* invariants: a port only distributes in C+D with partner SYNC */
        for (int i = 0; i < 2; i++) {
                struct bg_lacp_port_info pi = sim_info(&p.s, p.a, p.ap[i]);
                if (pi.distributing)
                        cr_assert(pi.mux_state == BG_LACP_MUX_COLLECTING_DISTRIBUTING &&
                                  (pi.partner.state & BG_LACP_STATE_SYNC));
                cr_assert(pi.aggregator_id > 0);
        }
        /* and the real partner brings everything back */
        p.s.nq = 0;
        sim_run(&p.s, 10 * SEC);
        converge(&p, 10 * SEC);
        sim_free(&p.s);
}

/* coupled_control=0 (802.1AX-2020 6.4.15 independent control): a port
 * collects first and distributes only once the partner says it collects;
 * while only collecting, it receives but sends nothing on the bond's
 * behalf, and tells the partner C without D. */
static void independent_converges(bool b_independent) {
        struct bg_lacp_config ca = cfg(true, true), cb = cfg(true, true);
        struct pair p;

        ca.independent = true;
        cb.independent = b_independent;
        pair_setup(&p, ca, cb);
        converge(&p, 5 * SEC);
        for (int i = 0; i < 2; i++) {
                struct sim_inst *a = &p.s.inst[p.a];
                unsigned port = p.ap[i], k, c_only = 99, cd = 99;
                for (k = 0; k < a->n_states[port]; k++) {
                        uint8_t st = a->states[port][k];
                        if ((st & 0x38) == 0x18 && c_only == 99)
                                c_only = k;
                        if ((st & 0x30) == 0x30 && cd == 99)
                                cd = k;
                }
                cr_assert(c_only < cd && cd < 99, "port %d: S+C without D (0x%02x) sent before C+D", i,
                          c_only < 99 ? a->states[port][c_only] : 0);
                cr_assert(!a->dist_while_c_only[port], "distributed while telling the partner C only");
                struct bg_lacp_port_info info = sim_info(&p.s, p.a, port);
                cr_assert_eq(info.mux_state, BG_LACP_MUX_DISTRIBUTING);
                cr_assert_str_eq(bg_lacp_mux_state_name(info.mux_state), "distributing");
                cr_assert_eq(info.actor.state, 0x3f);
                cr_assert_eq(info.partner.state, 0x3f);
        }
        cr_assert(bg_lacp_carrier(p.s.inst[p.a].l));
        /* the partner goes silent: its information expires, and the ports
         * stop distributing */
        for (int i = 0; i < 2; i++)
                p.s.wires[p.w[i]].b_to_a = false;
        sim_run(&p.s, 4 * SEC);
        for (int i = 0; i < 2; i++)
                cr_assert_neq(sim_info(&p.s, p.a, p.ap[i]).mux_state, BG_LACP_MUX_DISTRIBUTING);
        sim_free(&p.s);
}

Test(lacp, independent_control_collects_before_distributing) {
        independent_converges(true);
}

Test(lacp, independent_control_works_with_a_coupled_partner) {
        independent_converges(false);
}

Test(lacp, a_partner_that_starts_later_is_joined_without_the_wait) {
        struct pair p;
        struct bg_lacp_config ca = cfg(true, true), cb = cfg(true, true);

        /* A runs alone for 3 s (its ports default), then B's ports come
         * up: once both sides hear each other nothing is left to wait for */
        sim_init(&p.s);
        p.a = sim_add(&p.s, &ca, 0xa0);
        p.b = sim_add(&p.s, &cb, 0xb0);
        for (int i = 0; i < 2; i++)
                p.ap[i] = sim_port(&p.s, p.a, 10000);
        sim_run(&p.s, 3 * SEC);
        cr_assert(!sim_cd(&p.s, p.a, p.ap[0]));
        for (int i = 0; i < 2; i++) {
                p.bp[i] = sim_port(&p.s, p.b, 10000);
                p.w[i] = sim_wire(&p.s, p.a, p.ap[i], p.b, p.bp[i]);
        }
        uint64_t t = converge(&p, 5 * SEC);
        cr_assert(t <= 1 * SEC, "converged %llu ms after the partner started", (unsigned long long) (t / MS));
        sim_free(&p.s);
}

/* The actor states A sent on a port since mark, each frame's state byte
 * in order (sim_send keeps only changes, so count frames as well). */
static unsigned sends_since(struct pair *p, unsigned k, uint64_t mark) {
        return (unsigned) (p->s.inst[p->a].tx[p->ap[k]] - mark);
}

Test(lacp, a_partner_gone_is_announced_once_then_slow_like_the_kernel) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        for (int i = 0; i < 2; i++)
                p.s.wires[p.w[i]].b_to_a = false;
        /* B's last LACPDUs arrive half a fast period after A's periodic
         * transmission (on a real wire the answer comes later than the
         * PDU it answers), so A's receive timers do not fall due on the
         * tick its periodic timer does */
        sim_run(&p.s, 500 * MS);
        for (unsigned k = 0; k < 2; k++)
                bg_lacp_rx(p.s.inst[p.a].l, p.ap[k], p.s.inst[p.b].last_frame[p.bp[k]], BG_LACPDU_FRAME_LEN,
                           p.s.now);
        sim_deliver(&p.s);

        /* expired after the short timeout, defaulted one more later */
        sim_run(&p.s, 5 * SEC);
        cr_assert_eq(sim_info(&p.s, p.a, p.ap[0]).rx_state, BG_LACP_RX_EXPIRED);
        uint8_t before = p.s.inst[p.a].last_frame[p.ap[0]][32];
        cr_assert_eq(before & (BG_LACP_STATE_EXPIRED | BG_LACP_STATE_DEFAULTED), BG_LACP_STATE_EXPIRED);
        uint64_t mark[2];
        do {
                for (unsigned k = 0; k < 2; k++)
                        mark[k] = p.s.inst[p.a].tx[p.ap[k]];
                sim_run(&p.s, 100 * MS);
        } while (sim_info(&p.s, p.a, p.ap[0]).rx_state != BG_LACP_RX_DEFAULTED ||
                 sim_info(&p.s, p.a, p.ap[1]).rx_state != BG_LACP_RX_DEFAULTED);
        /* bond_3ad.c: the receive machine's DEFAULTED unselects the port
         * (__update_default_selected()) and ad_port_selection_logic(),
         * which runs before ad_mux_machine() on every tick, gives it a
         * partnerless aggregator at once: the mux machine never passes
         * through DETACHED and WAITING, and the port's one LACPDU says
         * DEFAULTED with its final SYNC (one port in the active
         * aggregator, the other not) */
        sim_run(&p.s, 100 * MS);
        for (unsigned k = 0; k < 2; k++) {
                cr_assert_eq(sends_since(&p, k, mark[k]), 1, "port %u sent %u LACPDUs when it defaulted", k,
                             sends_since(&p, k, mark[k]));
                uint8_t st = p.s.inst[p.a].last_frame[p.ap[k]][32];
                cr_assert(st & BG_LACP_STATE_DEFAULTED, "port %u: %02x", k, st);
                cr_assert(!(st & BG_LACP_STATE_EXPIRED), "port %u: %02x", k, st);
                cr_assert_eq(!!(st & BG_LACP_STATE_SYNC), bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[k]),
                             "port %u: SYNC %02x is whether it forwards", k, st);
                mark[k] = p.s.inst[p.a].tx[p.ap[k]];
        }
        cr_assert_eq(bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[0]) +
                     bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[1]), 1);

        /* then the slow rate: the defaulted partner has no short timeout
         * (ad_periodic_machine(), 802.1AX-2014 6.4.13) */
        sim_run(&p.s, 29 * SEC);
        for (unsigned k = 0; k < 2; k++)
                cr_assert_eq(sends_since(&p, k, mark[k]), 0, "port %u sent %u in 29 s after defaulting", k,
                             sends_since(&p, k, mark[k]));
        sim_run(&p.s, 2 * SEC);
        for (unsigned k = 0; k < 2; k++)
                cr_assert_eq(sends_since(&p, k, mark[k]), 1, "port %u: the slow periodic", k);
        sim_free(&p.s);
}

/* Advance the clock from deadline to deadline of both bonds, as bondgend's
 * timers do, rather than in the sim's 100 ms steps. */
static void run_by_deadlines(struct pair *p, uint64_t usec) {
        uint64_t end = p->s.now + usec;

        for (;;) {
                uint64_t t = bg_lacp_next_deadline(p->s.inst[p->a].l);
                uint64_t tb = bg_lacp_next_deadline(p->s.inst[p->b].l);
                if (tb < t)
                        t = tb;
                if (t > end)
                        break;
                if (t > p->s.now)
                        p->s.now = t;
                bg_lacp_tick(p->s.inst[p->a].l, p->s.now);
                bg_lacp_tick(p->s.inst[p->b].l, p->s.now);
                sim_deliver(&p->s);
        }
        p->s.now = end;
}

Test(lacp, ports_defaulting_together_share_out_aggregators_in_port_order) {
        struct pair p;
        pair_setup(&p, cfg(true, true), cfg(true, true));
        converge(&p, 5 * SEC);
        for (int i = 0; i < 2; i++)
                p.s.wires[p.w[i]].b_to_a = false;
        /* B's last answers arrive 20 ms apart, the second port's first,
         * both within one of the kernel's 100 ms ticks */
        run_by_deadlines(&p, 430 * MS);
        bg_lacp_rx(p.s.inst[p.a].l, p.ap[1], p.s.inst[p.b].last_frame[p.bp[1]], BG_LACPDU_FRAME_LEN, p.s.now);
        run_by_deadlines(&p, 20 * MS);
        bg_lacp_rx(p.s.inst[p.a].l, p.ap[0], p.s.inst[p.b].last_frame[p.bp[0]], BG_LACPDU_FRAME_LEN, p.s.now);
        sim_deliver(&p.s);

        run_by_deadlines(&p, 7 * SEC);
        struct bg_lacp_port_info i0 = sim_info(&p.s, p.a, p.ap[0]), i1 = sim_info(&p.s, p.a, p.ap[1]);
        cr_assert_eq(i0.rx_state, BG_LACP_RX_DEFAULTED);
        cr_assert_eq(i1.rx_state, BG_LACP_RX_DEFAULTED);
        /* bond_3ad_state_machine_handler(): in that tick the first port
         * leaves the shared aggregator for a free one, the second finds
         * its own emptied and takes it, and of two equal partnerless
         * aggregators the first in port order is made active */
        cr_assert(!bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[0]), "the first port forwards");
        cr_assert(bg_lacp_port_distributing(p.s.inst[p.a].l, p.ap[1]), "the second port does not forward");
        cr_assert_eq(i1.aggregator_id, 1);
        sim_free(&p.s);
}
