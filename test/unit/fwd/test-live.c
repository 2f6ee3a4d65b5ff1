/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running parameters reported as options (the control socket's
 * `state`) read back to the same parameters, and which changes a running
 * mode takes in place. */
#include <criterion/criterion.h>
#include <string.h>

#include "fwd/logic/fwd.h"

static void from_text(const char *mode, const char *const *opts, struct bg_fwd_params *p) {
        struct bg_model m;
        struct bg_diags d = { 0 };
        char err[256] = "";

        bg_model_init(&m);
        struct bg_bond *b = bg_model_add_bond(&m, "bond0");
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, mode, NULL, &d), 0);
        for (size_t i = 0; opts[i]; i += 2)
                cr_assert_eq(bg_bond_set_opt_text(b, bg_opt_lookup(opts[i])->id, opts[i + 1], NULL, &d), 0, "%s",
                             opts[i]);
        cr_assert_eq(bg_fwd_params_from_bond(b, p, err, sizeof(err)), 0, "%s", err);
        bg_model_free(&m);
        bg_diags_free(&d);
}

static void round_trip(const struct bg_fwd_params *p) {
        struct bg_bond b = { .name = (char *) "bond0" };
        struct bg_fwd_params q;
        char err[256] = "";

        cr_assert_eq(bg_fwd_params_to_bond(p, &b), 0);
        cr_assert_eq(bg_fwd_params_from_bond(&b, &q, err, sizeof(err)), 0, "%s", err);
        cr_expect_eq(memcmp(p, &q, sizeof(q)), 0, "mode %s: parameters differ after the round trip",
                     bg_mode_name(p->mode));
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&b.opts[i]);
}

Test(live, state_reads_back_to_the_same_parameters) {
        static const char *const ab[] = { "miimon", "100", "updelay", "250", "downdelay", "300", "primary", "eth1",
                                          "primary_reselect", "failure", "num_grat_arp", "3", NULL };
        static const char *const lacp[] = { "lacp_rate", "fast", "ad_select", "count", "ad_actor_sys_prio", "7",
                                            "ad_actor_system", "02:00:00:00:00:09", "xmit_hash_policy", "layer3+4",
                                            "min_links", "1", NULL };
        static const char *const arp[] = { "arp_interval", "200", "arp_ip_target", "10.0.0.1,10.0.0.2",
                                           "arp_validate", "all", "arp_missed_max", "3", NULL };
        static const char *const none[] = { NULL };
        struct bg_fwd_params p;

        from_text("active-backup", ab, &p);
        cr_expect_eq(p.updelay_ticks, 2);
        round_trip(&p);
        from_text("802.3ad", lacp, &p);
        round_trip(&p);
        from_text("active-backup", arp, &p);
        round_trip(&p);
        from_text("balance-alb", none, &p);
        round_trip(&p);
        from_text("balance-rr", none, &p);
        round_trip(&p);
}

/* delays in whole miimon ticks, as bond_netlink.c reports them; options
 * outside the mode are not reported */
Test(live, reports_like_the_kernel) {
        static const char *const ab[] = { "miimon", "100", "updelay", "250", NULL };
        struct bg_bond b = { .name = (char *) "bond0" };
        struct bg_fwd_params p;

        from_text("active-backup", ab, &p);
        cr_assert_eq(bg_fwd_params_to_bond(&p, &b), 0);
        cr_expect_eq(b.opts[BG_OPT_UPDELAY].num, 200);
        cr_expect(!b.opts[BG_OPT_LACP_RATE].set);
        cr_expect(!b.opts[BG_OPT_PRIMARY].set);
        cr_expect_eq(b.opts[BG_OPT_MODE].num, BG_MODE_ACTIVE_BACKUP);
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&b.opts[i]);
}

Test(live, what_a_running_mode_takes_in_place) {
        struct bg_fwd_params a, b;

        bg_fwd_params_default(&a, BG_MODE_ACTIVE_BACKUP);
        b = a;
        b.miimon = 200;
        b.updelay_ticks = 3;
        strcpy(b.primary, "eth1");
        b.xmit_hash_policy = 1;
        b.min_links = 1;
        cr_expect(bg_fwd_params_live_only(&a, &b));
        b = a;
        b.mode = BG_MODE_BALANCE_XOR;
        cr_expect(!bg_fwd_params_live_only(&a, &b));
        b = a;
        b.fail_over_mac = 1;
        cr_expect(!bg_fwd_params_live_only(&a, &b));
        b = a;
        b.lacp_rate = 1;
        cr_expect(!bg_fwd_params_live_only(&a, &b));
        b = a;
        b.tlb_dynamic_lb = 0;
        cr_expect(!bg_fwd_params_live_only(&a, &b));
}
