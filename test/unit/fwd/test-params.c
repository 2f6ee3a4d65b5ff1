/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Model options into the forwarder's parameters: what bondgend cannot
 * honour is refused by name at start, never silently dropped
 * (bondgend(8), "Options not honoured"). */
#include <criterion/criterion.h>
#include <string.h>

#include "fwd/logic/fwd.h"
#include "model/catalog.h"
#include "model/model.h"

static void set(struct bg_bond *b, enum bg_opt id, const char *text) {
        char err[200];

        cr_assert_eq(bg_opt_parse_value(bg_opt_get(id), text, &b->opts[id], err, sizeof(err)), 0, "%s: %s",
                     text, err);
}

static void clear(struct bg_bond *b) {
        for (int i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&b->opts[i]);
}

static int params(struct bg_bond *b, struct bg_fwd_params *p, char *err, size_t len) {
        err[0] = 0;
        return bg_fwd_params_from_bond(b, p, err, len);
}

Test(params, queue_id_is_refused_by_name) {
        struct bg_bond b = { 0 };
        struct bg_fwd_params p;
        char err[300];

        set(&b, BG_OPT_MODE, "active-backup");
        set(&b, BG_OPT_MIIMON, "100");
        set(&b, BG_OPT_QUEUE_ID, "eth0:0");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "queue 0 is the normal policy: %s", err);
        set(&b, BG_OPT_QUEUE_ID, "eth1:2");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), -EOPNOTSUPP);
        cr_assert(strstr(err, "queue_id eth1:2") && strstr(err, "cannot honour"), "%s", err);
        clear(&b);
}

Test(params, ns_ip6_targets_run_the_arp_monitor_and_come_back_as_options) {
        struct bg_bond b = { 0 }, back = { 0 };
        struct bg_fwd_params p, q;
        char err[300];
        const uint8_t t1[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

        set(&b, BG_OPT_MODE, "active-backup");
        set(&b, BG_OPT_NS_IP6_TARGET, "2001:db8::1,fe80::9");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(p.arp_interval, 0, "without arp_interval no monitor, as the kernel");
        set(&b, BG_OPT_ARP_INTERVAL, "100");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(p.arp_interval, 100, "NS targets alone keep the ARP monitor running (bond_open())");
        cr_assert_eq(p.n_ns_targets, 2);
        cr_assert_eq(p.n_arp_targets, 0);
        cr_assert(!memcmp(p.ns_targets[0], t1, 16));
        cr_assert_eq(p.ns_targets[1][0], 0xfe);
        cr_assert_eq(p.ns_targets[1][15], 9);
        cr_assert_eq(bg_fwd_params_to_bond(&p, &back), 0);
        cr_assert_eq(params(&back, &q, err, sizeof(err)), 0, "%s", err);
        cr_assert(!memcmp(&p, &q, sizeof(p)), "the running parameters come back from their options");
        clear(&b);
        clear(&back);
}

Test(params, honoured_options_reach_the_parameters) {
        struct bg_bond b = { 0 };
        struct bg_fwd_params p;
        char err[300];

        set(&b, BG_OPT_MODE, "802.3ad");
        set(&b, BG_OPT_COUPLED_CONTROL, "0");
        set(&b, BG_OPT_RESEND_IGMP, "3");
        set(&b, BG_OPT_BROADCAST_NEIGHBOR, "1");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(p.coupled_control, 0);
        cr_assert_eq(p.resend_igmp, 3);
        cr_assert_eq(p.broadcast_neighbor, 1);
        clear(&b);
}

/* active_slave: the kernel takes it only where the mode has an active
 * port and only for one of the bond's ports (bond_option_active_slave_set()) */
Test(params, active_slave_refused_by_name_where_it_cannot_be) {
        struct bg_bond b = { 0 };
        struct bg_port ports[2] = { { .name = (char *) "eth0" }, { .name = (char *) "eth1" } };
        struct bg_fwd_params p;
        char err[300];

        b.name = (char *) "bond0";
        b.ports = ports;
        b.n_ports = 2;
        set(&b, BG_OPT_MODE, "active-backup");
        set(&b, BG_OPT_MIIMON, "100");
        set(&b, BG_OPT_ACTIVE_SLAVE, "eth1");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "%s", err);
        set(&b, BG_OPT_ACTIVE_SLAVE, "eth9");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "active_slave eth9: not a port of bond0"), "%s", err);
        /* a port matched by MAC only may carry the name */
        ports[1].name = NULL;
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "%s", err);
        ports[1].name = (char *) "eth1";
        set(&b, BG_OPT_ACTIVE_SLAVE, "eth1");
        set(&b, BG_OPT_MODE, "balance-xor");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), -EOPNOTSUPP);
        cr_assert(strstr(err, "active_slave eth1: only active-backup, balance-tlb and balance-alb"), "%s", err);
        set(&b, BG_OPT_MODE, "balance-tlb");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "%s", err);
        clear(&b);
}
