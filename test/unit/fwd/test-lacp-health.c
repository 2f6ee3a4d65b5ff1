/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The likely-cause line of 802.3ad status: each cause from port data, and
 * churn and speed mismatch provoked with the real machines on a fake clock
 * (churn needs 60 s; a namespace test cannot change a veth's speed). */
#include <criterion/criterion.h>
#include <string.h>

#include "lacp-sim.h"
#include "util/lacp-health.h"

#define SEC 1000000ull
#define CD 0x3d   /* active, aggregatable, in sync, collecting, distributing */

static struct bg_lacp_health_port port(const char *name, uint8_t sys_last, unsigned agg) {
        struct bg_lacp_health_port p = {
                .name = name, .link_up = true, .actor_state = CD, .partner_state = CD,
                .actor_key = 0x21, .partner_key = 9, .aggregator = agg, .have_rx = true, .lacpdu_rx = 10,
        };
        memcpy(p.partner_system, ((uint8_t[]){ 2, 0, 0, 0, 0, sys_last }), 6);
        return p;
}

static enum bg_lacp_cause cause(struct bg_lacp_health_port *p, size_t n, unsigned active, char *buf) {
        return bg_lacp_health(p, n, active, buf, 512);
}

Test(health, ok_and_state_words) {
        struct bg_lacp_health_port p[2] = { port("eth0", 1, 1), port("eth1", 1, 1) };
        char buf[512];

        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_OK);
        cr_expect_str_eq(buf, "ok: 2 ports collecting and distributing in aggregator 1");
        bg_lacp_state_words(0x3f, buf, sizeof(buf));
        cr_expect_str_eq(buf, "active, short timeout, aggregatable, in sync, collecting, distributing");
        bg_lacp_state_words(0x40, buf, sizeof(buf));
        cr_expect_str_eq(buf, "passive, long timeout, individual, out of sync, defaulted");
}

Test(health, each_cause_from_port_data) {
        struct bg_lacp_health_port p[2];
        char buf[512];

        /* nothing received, defaulted */
        p[0] = port("eth0", 0, 1), p[1] = port("eth1", 0, 2);
        for (int i = 0; i < 2; i++) {
                memset(p[i].partner_system, 0, 6);
                p[i].actor_state = 0x45, p[i].lacpdu_rx = 0;
        }
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_NO_PARTNER);
        cr_expect(strstr(buf, "no partner on eth0, eth1") != NULL, "%s", buf);

        /* received, then expired; or defaulted after PDUs came */
        p[0] = port("eth0", 1, 1), p[1] = port("eth1", 1, 1);
        p[1].actor_state = 0x85;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_PARTNER_TIMEOUT);
        cr_expect(strstr(buf, "partner timeout on eth1") != NULL, "%s", buf);
        p[1].actor_state = 0x45;
        memset(p[1].partner_system, 0, 6);
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_PARTNER_TIMEOUT);

        /* two partner systems, or one system and two keys */
        p[0] = port("eth0", 1, 1), p[1] = port("eth1", 2, 2);
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_SPLIT);
        cr_expect(strstr(buf, "two switches without MLAG") != NULL, "%s", buf);
        p[1] = port("eth1", 1, 2);
        p[1].partner_key = 10;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_SPLIT);
        cr_expect(strstr(buf, "eth0 key 9 and eth1 key 10") != NULL, "%s", buf);

        /* speed (key bits 1-5) differs, or half duplex (bit 0 clear) */
        p[0] = port("eth0", 1, 1), p[1] = port("eth1", 1, 2);
        p[1].actor_key = 0x09;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_SPEED_DUPLEX);
        cr_expect(strstr(buf, "eth0 and eth1 run at different speeds") != NULL, "%s", buf);
        p[1].actor_key = 0x20;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_SPEED_DUPLEX);
        cr_expect(strstr(buf, "eth1 is half duplex") != NULL, "%s", buf);

        p[0] = port("eth0", 1, 1), p[1] = port("eth1", 1, 1);
        p[1].partner_churned = true, p[1].partner_state = 0x05;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_CHURN);
        cr_expect(strstr(buf, "churn on eth1 (partner)") != NULL, "%s", buf);

        p[1].partner_churned = false;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_NOT_SYNC);

        /* ports without link are not judged */
        p[1].link_up = false;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_OK);
        p[0].link_up = false;
        cr_expect_eq(cause(p, 2, 1, buf), BG_LACP_NO_PORTS);
}

static struct bg_lacp_config cfg_fast(void) {
        struct bg_lacp_config c;
        bg_lacp_config_init(&c);
        c.fast = true;
        return c;
}

/* A one-way wire: A hears B, B never hears A, so B never reports A in
 * sync and A's partner churn machine fires after 60 s. Slow rate: B, which
 * knows nothing of A, sends every 30 s, inside A's long timeout (with
 * lacp_rate fast on A this is a partner timeout instead, and is named so). */
Test(health, churn_provoked_by_the_machines) {
        struct sim s;
        struct bg_lacp_config c = cfg_fast();
        c.fast = false;
        char buf[512];
        const char *names[] = { "p0" };

        sim_init(&s);
        int a = sim_add(&s, &c, 1), b = sim_add(&s, &c, 2);
        unsigned ap = sim_port(&s, a, 10000), bp = sim_port(&s, b, 10000);
        int w = sim_wire(&s, a, ap, b, bp);
        s.wires[w].a_to_b = false;
        sim_run(&s, 30 * SEC);
        cr_expect_eq(bg_lacp_health_of(s.inst[a].l, &ap, names, 1, buf, sizeof(buf)), BG_LACP_NOT_SYNC, "%s", buf);
        sim_run(&s, 35 * SEC);
        cr_expect_eq(bg_lacp_health_of(s.inst[a].l, &ap, names, 1, buf, sizeof(buf)), BG_LACP_CHURN, "%s", buf);
        cr_expect(strstr(buf, "churn on p0 (partner)") != NULL, "%s", buf);
        sim_free(&s);
}

/* Two ports of different speeds get different keys: speed mismatch, not
 * "different aggregators". */
Test(health, speed_mismatch_provoked_by_the_machines) {
        struct sim s;
        struct bg_lacp_config c = cfg_fast();
        char buf[512];
        const char *names[] = { "p0", "p1" };
        unsigned ids[2];

        sim_init(&s);
        int a = sim_add(&s, &c, 1), b = sim_add(&s, &c, 2);
        ids[0] = sim_port(&s, a, 10000);
        ids[1] = sim_port(&s, a, 1000);
        sim_wire(&s, a, ids[0], b, sim_port(&s, b, 10000));
        sim_wire(&s, a, ids[1], b, sim_port(&s, b, 1000));
        sim_run(&s, 10 * SEC);
        cr_expect_eq(bg_lacp_health_of(s.inst[a].l, ids, names, 2, buf, sizeof(buf)), BG_LACP_SPEED_DUPLEX,
                     "%s", buf);
        cr_expect(strstr(buf, "p0 and p1 run at different speeds") != NULL, "%s", buf);
        sim_free(&s);
}
