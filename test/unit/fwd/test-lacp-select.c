/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Aggregator choice by ad_select (bond_3ad.c:ad_agg_selection_logic()): one
 * bond A whose ports lead to two different partners B and C. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "lacp-sim.h"

#define SEC 1000000ull

struct three {
        struct sim s;
        int a, b, c;
        unsigned ab[4], ba[4], ac[4], ca[4];
        int nb, nc;
};

static void setup(struct three *t, enum bg_lacp_select sel, int nb, uint32_t speed_b, int nc,
                  uint32_t speed_c, bool wire_c) {
        struct bg_lacp_config ca, cp;
        bg_lacp_config_init(&ca);
        ca.fast = true;
        ca.select = sel;
        bg_lacp_config_init(&cp);
        cp.fast = true;
        sim_init(&t->s);
        t->a = sim_add(&t->s, &ca, 0xa0);
        t->b = sim_add(&t->s, &cp, 0xb0);
        t->c = sim_add(&t->s, &cp, 0xc0);
        t->nb = nb;
        t->nc = nc;
        for (int i = 0; i < nb; i++) {
                t->ab[i] = sim_port(&t->s, t->a, speed_b);
                t->ba[i] = sim_port(&t->s, t->b, speed_b);
                sim_wire(&t->s, t->a, t->ab[i], t->b, t->ba[i]);
        }
        for (int i = 0; i < nc; i++) {
                t->ac[i] = sim_port(&t->s, t->a, speed_c);
                t->ca[i] = sim_port(&t->s, t->c, speed_c);
                if (wire_c)
                        sim_wire(&t->s, t->a, t->ac[i], t->c, t->ca[i]);
        }
}

/* Plug C's cables in: a link comes up at both ends. Without the link
 * event both sides would sit in DEFAULTED, sending every 30 s. */
static void wire_c(struct three *t) {
        for (int i = 0; i < t->nc; i++) {
                sim_wire(&t->s, t->a, t->ac[i], t->c, t->ca[i]);
                bg_lacp_port_link(t->s.inst[t->a].l, t->ac[i], false, 0, false, t->s.now);
                bg_lacp_port_link(t->s.inst[t->c].l, t->ca[i], false, 0, false, t->s.now);
                bg_lacp_port_link(t->s.inst[t->a].l, t->ac[i], true, 10000, true, t->s.now);
                bg_lacp_port_link(t->s.inst[t->c].l, t->ca[i], true, 10000, true, t->s.now);
        }
}

/* Which partner A's active aggregator faces: 'b', 'c' or 0. */
static char active_partner(struct three *t) {
        struct bg_lacp_agg_info ag;
        if (bg_lacp_active_agg(t->s.inst[t->a].l, &ag) < 0)
                return 0;
        if (memcmp(ag.partner_system, t->s.inst[t->b].mac, 6) == 0)
                return 'b';
        if (memcmp(ag.partner_system, t->s.inst[t->c].mac, 6) == 0)
                return 'c';
        return '?';
}

static void assert_distributing(struct three *t, char who) {
        for (int i = 0; i < t->nb; i++)
                cr_assert_eq(sim_cd(&t->s, t->a, t->ab[i]), who == 'b', "B port %d", i);
        for (int i = 0; i < t->nc; i++)
                cr_assert_eq(sim_cd(&t->s, t->a, t->ac[i]), who == 'c', "C port %d", i);
}

Test(lacp_select, count_prefers_more_ports) {
        struct three t;
        setup(&t, BG_LACP_SELECT_COUNT, 2, 10000, 3, 10000, true);
        sim_run(&t.s, 5 * SEC);
        cr_assert_eq(active_partner(&t), 'c');
        assert_distributing(&t, 'c');
        /* the losing ports stay attached without SYNC, so B never uses them */
        struct bg_lacp_port_info i = sim_info(&t.s, t.a, t.ab[0]);
        cr_assert_eq(i.mux_state, BG_LACP_MUX_ATTACHED);
        cr_assert_eq(i.actor.state & BG_LACP_STATE_SYNC, 0);
        cr_assert(!sim_cd(&t.s, t.b, t.ba[0]));
        /* and count their actor churn after 60 s */
        sim_run(&t.s, 61 * SEC);
        i = sim_info(&t.s, t.a, t.ab[0]);
        cr_assert_eq(i.actor_churn, BG_LACP_CHURN_CHURNED);
        cr_assert_eq(i.actor_churn_count, 1);
        cr_assert_eq(sim_info(&t.s, t.a, t.ac[0]).actor_churn, BG_LACP_CHURN_NONE);
        sim_free(&t.s);
}

Test(lacp_select, count_ties_go_to_bandwidth) {
        struct three t;
        setup(&t, BG_LACP_SELECT_COUNT, 2, 1000, 2, 10000, true);
        sim_run(&t.s, 5 * SEC);
        cr_assert_eq(active_partner(&t), 'c');
        assert_distributing(&t, 'c');
        sim_free(&t.s);
}

Test(lacp_select, bandwidth_prefers_speed_times_ports) {
        struct three t;
        /* 2 x 10G = 20G beats 3 x 1G */
        setup(&t, BG_LACP_SELECT_BANDWIDTH, 2, 10000, 3, 1000, true);
        sim_run(&t.s, 5 * SEC);
        cr_assert_eq(active_partner(&t), 'b');
        assert_distributing(&t, 'b');
        sim_free(&t.s);
}

Test(lacp_select, stable_keeps_a_working_aggregator) {
        struct three t;
        setup(&t, BG_LACP_SELECT_STABLE, 2, 1000, 3, 10000, false);
        sim_run(&t.s, 5 * SEC);
        cr_assert_eq(active_partner(&t), 'b');
        wire_c(&t);
        sim_run(&t.s, 10 * SEC);
        cr_assert_eq(active_partner(&t), 'b', "stable does not move to the faster aggregator");
        assert_distributing(&t, 'b');

        /* only when the active aggregator loses its last port */
        for (int i = 0; i < t.nb; i++)
                bg_lacp_port_link(t.s.inst[t.a].l, t.ab[i], false, 0, false, t.s.now);
        cr_assert_eq(active_partner(&t), 'c');
        sim_run(&t.s, 3 * SEC);
        assert_distributing(&t, 'c');
        sim_free(&t.s);
}

Test(lacp_select, bandwidth_moves_to_a_better_aggregator) {
        struct three t;
        setup(&t, BG_LACP_SELECT_BANDWIDTH, 2, 1000, 3, 10000, false);
        sim_run(&t.s, 5 * SEC);
        cr_assert_eq(active_partner(&t), 'b');
        wire_c(&t);
        sim_run(&t.s, 10 * SEC);
        cr_assert_eq(active_partner(&t), 'c');
        assert_distributing(&t, 'c');
        sim_free(&t.s);
}

Test(lacp_select, a_partner_beats_none) {
        /* C's ports are not wired at all: they stay defaulted, without a
         * partner, and lose even though they are faster and more. */
        struct three t;
        setup(&t, BG_LACP_SELECT_BANDWIDTH, 1, 1000, 3, 10000, false);
        sim_run(&t.s, 10 * SEC);
        cr_assert_eq(active_partner(&t), 'b');
        assert_distributing(&t, 'b');
        sim_free(&t.s);
}

Test(lacp_select, user_port_key_separates_aggregators) {
        struct sim s;
        struct bg_lacp_config c;
        bg_lacp_config_init(&c);
        c.user_port_key = 5;
        c.system_priority = 100;
        memcpy(c.system, (uint8_t[]) { 0x02, 0xab, 0, 0, 0, 1 }, 6);
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        unsigned p = sim_port(&s, a, 1000);
        struct bg_lacp_port_info i = sim_info(&s, a, p);
        cr_assert_eq(i.actor.key, (5 << 6) | (4 << 1) | 1);
        cr_assert_eq(i.actor.system_priority, 100);
        cr_assert_arr_eq(i.actor.system, c.system, 6, "ad_actor_system wins over the bond MAC");
        cr_assert_eq(i.port_number, 1);

        struct bg_lacp *bad;
        c.user_port_key = 1024;
        cr_assert_eq(bg_lacp_new(&c, s.inst[a].mac, NULL, NULL, 0, &bad), -EINVAL);
        c.user_port_key = 0;
        c.system[0] = 0x01;     /* multicast system id */
        cr_assert_eq(bg_lacp_new(&c, s.inst[a].mac, NULL, NULL, 0, &bad), -EINVAL);
        sim_free(&s);
}

Test(lacp_select, many_ports_and_removal_keep_ids_consistent) {
        struct sim s;
        struct bg_lacp_config c;
        unsigned ids[BG_LACP_MAX_PORTS], extra;
        bg_lacp_config_init(&c);
        sim_init(&s);
        int a = sim_add(&s, &c, 1);
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                ids[i] = sim_port(&s, a, 1000);
        cr_assert_eq(bg_lacp_port_add(s.inst[a].l, s.inst[a].mac, 255, s.now, &extra), -ENOSPC);
        sim_run(&s, 3 * SEC);
        /* remove every other port, then every port; ids stay unique */
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i += 2)
                cr_assert_eq(bg_lacp_port_remove(s.inst[a].l, ids[i], s.now), 0);
        sim_run(&s, 3 * SEC);
        uint32_t seen[BG_LACP_MAX_PORTS];
        unsigned n = 0;
        for (unsigned i = 1; i < BG_LACP_MAX_PORTS; i += 2) {
                struct bg_lacp_port_info pi = sim_info(&s, a, ids[i]);
                cr_assert_neq(pi.aggregator_id, 0);
                for (unsigned k = 0; k < n; k++)
                        cr_assert_neq(seen[k], pi.aggregator_id, "partnerless ports share no aggregator");
                seen[n++] = pi.aggregator_id;
        }
        cr_assert(bg_lacp_carrier(s.inst[a].l));
        for (unsigned i = 1; i < BG_LACP_MAX_PORTS; i += 2)
                cr_assert_eq(bg_lacp_port_remove(s.inst[a].l, ids[i], s.now), 0);
        cr_assert(!bg_lacp_carrier(s.inst[a].l));
        /* an emptied bond numbers from 1 again */
        unsigned p = sim_port(&s, a, 1000);
        cr_assert_eq(sim_info(&s, a, p).port_number, 1);
        cr_assert_eq(sim_info(&s, a, p).aggregator_id, 1);
        sim_free(&s);
}

Test(lacp_select, actor_port_prio_prefers_the_higher_sum) {
        /* 2 ports to B with priority 1000 each beat 3 ports to C with 100:
         * the kernel's actor_port_prio policy, higher sum wins */
        struct sim s;
        struct bg_lacp_config ca, cp;
        bg_lacp_config_init(&ca);
        ca.fast = true;
        ca.select = BG_LACP_SELECT_ACTOR_PORT_PRIO;
        bg_lacp_config_init(&cp);
        cp.fast = true;
        sim_init(&s);
        int a = sim_add(&s, &ca, 0xa0), b = sim_add(&s, &cp, 0xb0), c = sim_add(&s, &cp, 0xc0);
        unsigned ab[2], ac[3];
        for (int i = 0; i < 5; i++) {
                uint8_t mac[6] = { 0x02, 0x0a, 0, 0, 0, (uint8_t) i };
                unsigned id;
                cr_assert_eq(bg_lacp_port_add(s.inst[a].l, mac, i < 2 ? 1000 : 100, s.now, &id), 0);
                cr_assert_eq(bg_lacp_port_link(s.inst[a].l, id, true, 1000, true, s.now), 0);
                if (i < 2)
                        ab[i] = id;
                else
                        ac[i - 2] = id;
        }
        for (int i = 0; i < 2; i++)
                sim_wire(&s, a, ab[i], b, sim_port(&s, b, 1000));
        for (int i = 0; i < 3; i++)
                sim_wire(&s, a, ac[i], c, sim_port(&s, c, 1000));
        sim_run(&s, 5 * SEC);
        struct bg_lacp_agg_info ag;
        cr_assert_eq(bg_lacp_active_agg(s.inst[a].l, &ag), 0);
        cr_assert_arr_eq(ag.partner_system, s.inst[b].mac, 6);
        cr_assert(sim_cd(&s, a, ab[0]) && sim_cd(&s, a, ab[1]));
        cr_assert(!sim_cd(&s, a, ac[0]));
        cr_assert_eq(sim_info(&s, a, ab[0]).actor.port_priority, 1000);
        sim_free(&s);
}
