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

Test(params, ns_ip6_target_is_refused_with_the_arp_monitor) {
        struct bg_bond b = { 0 };
        struct bg_fwd_params p;
        char err[300];

        set(&b, BG_OPT_MODE, "active-backup");
        set(&b, BG_OPT_NS_IP6_TARGET, "2001:db8::1");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), 0, "without arp_interval the kernel ignores it too");
        set(&b, BG_OPT_ARP_INTERVAL, "100");
        set(&b, BG_OPT_ARP_IP_TARGET, "10.0.0.1");
        cr_assert_eq(params(&b, &p, err, sizeof(err)), -EOPNOTSUPP);
        cr_assert(!strncmp(err, "ns_ip6_target:", 14), "%s", err);
        clear(&b);
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
