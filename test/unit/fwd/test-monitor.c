/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link state machine, active-port selection and per-mode transmit choice,
 * with a fake clock (bond_main.c). */
#include <criterion/criterion.h>

#include "test-fwd-fake.h"

static struct bg_fwd_params ab_params(void) {
        struct bg_fwd_params p;

        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.miimon = 100;
        return p;
}

Test(monitor, ab_failover_is_immediate_without_downdelay) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

        cr_assert_eq(f->b.active, a);
        cr_assert(f->b.carrier);
        cr_assert(!a->backup && b->backup && b->rx_disabled);
        /* first active: bond carrier was off, so no notification yet */
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(a->link, BG_LINK_DOWN);
        cr_assert_eq(a->link_failure_count, 1);
        cr_assert_eq(f->b.active, b, "failover happens on the event, not at the next tick");
        cr_assert(a->backup && a->rx_disabled && !b->backup && !b->rx_disabled);
        cr_assert_eq(f->garp[1], 1, "one gratuitous ARP on the new active port");
        cr_assert_eq(f->garp[0], 0);
        /* a comes back: no preemption (equal prio, no primary) */
        bg_fwd_mon_carrier(&f->b, a, true);
        cr_assert_eq(a->link, BG_LINK_UP);
        cr_assert_eq(f->b.active, b);
        fake_free(f);
}

/* The host stack's view of a port (link-local frames reach an inactive
 * port's own stack) follows rx_disabled through io->rx_state: called on
 * every change and only then. */
Test(monitor, rx_state_hook_follows_failover) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);
        unsigned na = f->rx_state[0], nb = f->rx_state[1];

        cr_assert(!a->rx_disabled && b->rx_disabled);
        cr_assert(nb >= 1 && f->rx_seen[1], "eth1 was made inactive and told");
        cr_assert(!f->rx_seen[0], "eth0's last word is active");
        for (int i = 0; i < 5; i++)
                fake_tick(f);
        cr_assert_eq(f->rx_state[0], na, "no change, no call");
        cr_assert_eq(f->rx_state[1], nb);
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->b.active, b);
        cr_assert_eq(f->rx_state[0], na + 1);
        cr_assert(f->rx_seen[0]);
        cr_assert_eq(f->rx_state[1], nb + 1);
        cr_assert(!f->rx_seen[1]);
        fake_free(f);
}

Test(monitor, rx_state_hook_silent_with_all_slaves_active) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f;
        struct bg_fwd_port *a;

        pp.all_slaves_active = true;
        f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        a = fake_enslave(f, "eth0", true);
        (void) fake_enslave(f, "eth1", true);
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->rx_state[0] + f->rx_state[1], 0, "no port is ever inactive for the kernel");
        fake_free(f);
}

Test(monitor, all_slaves_active_changed_live_reaches_the_backups) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

        fake_tick(f);
        cr_assert_eq(f->b.active, a);
        cr_assert(b->backup && b->rx_disabled);
        /* bond_option_all_slaves_active_set(): the backup receives at once */
        bg_fwd_set_all_slaves_active(&f->b, true);
        cr_assert(f->b.p.all_slaves_active);
        cr_assert(!b->rx_disabled, "the backup takes frames once all_slaves_active is set");
        cr_assert(!a->rx_disabled);
        bg_fwd_set_all_slaves_active(&f->b, false);
        cr_assert(b->rx_disabled, "and stops again when it is cleared");
        cr_assert(!a->rx_disabled, "the active port is left as it is");
        fake_free(f);
}

Test(monitor, downdelay_and_updelay_count_miimon_ticks) {
        struct bg_fwd_params pp = ab_params();
        pp.downdelay_ticks = 2;
        pp.updelay_ticks = 3;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

        /* at enslave with updelay: BACK; with no active port the first
         * tick skips the updelay of the first port that is back */
        cr_assert_null(f->b.active);
        cr_assert_eq(a->link, BG_LINK_BACK);
        fake_tick(f);
        cr_assert_eq(f->b.active, a);
        cr_assert_eq(a->link, BG_LINK_UP);
        cr_assert_eq(b->link, BG_LINK_BACK);
        for (int i = 0; i < 2; i++) {
                fake_tick(f);
                cr_assert_eq(b->link, BG_LINK_BACK, "tick %d", i);
        }
        fake_tick(f);
        cr_assert_eq(b->link, BG_LINK_UP);

        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(a->link, BG_LINK_FAIL);
        cr_assert_eq(f->b.active, a, "still active during downdelay");
        /* the event starts the delay; two ticks count it down, the third
         * commits (the kernel's count from the tick that saw the loss) */
        fake_tick(f);
        cr_assert_eq(a->link, BG_LINK_FAIL);
        fake_tick(f);
        cr_assert_eq(a->link, BG_LINK_FAIL);
        fake_tick(f);
        cr_assert_eq(a->link, BG_LINK_DOWN);
        cr_assert_eq(f->b.active, b);

        /* recovery before downdelay expires: back to UP, no failure counted */
        bg_fwd_mon_carrier(&f->b, b, false);
        cr_assert_eq(b->link, BG_LINK_FAIL);
        bg_fwd_mon_carrier(&f->b, b, true);
        cr_assert_eq(b->link, BG_LINK_UP);
        cr_assert_eq(b->link_failure_count, 0);
        cr_assert_eq(f->b.active, b);
        fake_free(f);
}

Test(monitor, no_active_port_skips_updelay) {
        struct bg_fwd_params pp = ab_params();
        pp.updelay_ticks = 50;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", false);

        cr_assert_null(f->b.active);
        cr_assert(!f->b.carrier);
        bg_fwd_mon_carrier(&f->b, a, true);
        cr_assert_eq(a->link, BG_LINK_UP, "mode-1-recovery-updelay: used at once");
        cr_assert_eq(f->b.active, a);
        cr_assert(f->b.carrier);
        fake_free(f);
}

Test(monitor, primary_reselect) {
        for (unsigned rs = 0; rs < 3; rs++) {
                struct bg_fwd_params pp = ab_params();
                pp.primary_reselect = rs;
                strcpy(pp.primary, "eth0");
                struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
                struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

                a->speed_mbps = 1000, b->speed_mbps = 10000;
                a->duplex = b->duplex = 1;
                cr_assert_eq(f->b.active, a);
                bg_fwd_mon_carrier(&f->b, a, false);
                cr_assert_eq(f->b.active, b);
                bg_fwd_mon_carrier(&f->b, a, true);
                /* always: the primary returns; better: only if faster (it is
                 * slower here); failure: only when the current one fails */
                cr_assert_eq(f->b.active, rs == BG_RESELECT_ALWAYS ? a : b, "reselect %u", rs);
                if (rs == BG_RESELECT_FAILURE) {
                        bg_fwd_mon_carrier(&f->b, b, false);
                        cr_assert_eq(f->b.active, a);
                }
                fake_free(f);
        }
}

Test(monitor, primary_better_when_faster) {
        struct bg_fwd_params pp = ab_params();
        pp.primary_reselect = BG_RESELECT_BETTER;
        strcpy(pp.primary, "eth0");
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

        a->speed_mbps = 10000, b->speed_mbps = 1000;
        bg_fwd_mon_carrier(&f->b, a, false);
        bg_fwd_mon_carrier(&f->b, a, true);
        cr_assert_eq(f->b.active, a);
        fake_free(f);
}

Test(monitor, prio_picks_highest_up_port) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true),
                           *c = fake_enslave(f, "eth2", true);

        b->prio = 10, c->prio = 11;
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->b.active, c);
        /* eth2 fails: eth1 (prio 10) over eth0 when it returns later */
        bg_fwd_mon_carrier(&f->b, a, true);
        bg_fwd_mon_carrier(&f->b, c, false);
        cr_assert_eq(f->b.active, b);
        fake_free(f);
}

/* bond_options.c:bond_option_prio_set(): the new prio, then
 * bond_select_active_slave() unless bond->primary_slave is set; whether
 * the best port replaces an active port that is still up is
 * primary_reselect's to say (bond_choose_primary_or_current()). */
Test(monitor, prio_set_reselects_unless_a_primary_is_enslaved) {
        for (unsigned rs = 0; rs < 3; rs += 2) {   /* always, failure */
                struct bg_fwd_params pp = ab_params();
                pp.primary_reselect = rs;
                struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
                struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

                cr_assert_eq(f->b.active, a);
                cr_assert_eq(bg_fwd_set_prio(&f->b, b, 5), 0);
                cr_assert_eq(b->prio, 5);
                cr_assert_eq(f->b.active, rs == BG_RESELECT_ALWAYS ? b : a, "reselect %u", rs);
                if (rs == BG_RESELECT_FAILURE) {
                        bg_fwd_mon_carrier(&f->b, a, false);
                        cr_assert_eq(f->b.active, b);
                        /* a returns: b stays, the current port is up */
                        bg_fwd_mon_carrier(&f->b, a, true);
                        cr_assert_eq(bg_fwd_set_prio(&f->b, a, 9), 0);
                        cr_assert_eq(f->b.active, b);
                }
                fake_free(f);
        }

        /* a primary that is enslaved, even without link, stops it */
        struct bg_fwd_params pp = ab_params();
        strcpy(pp.primary, "eth0");
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true),
                           *c = fake_enslave(f, "eth2", true);
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->b.active, b);
        cr_assert_eq(bg_fwd_set_prio(&f->b, c, 9), 0);
        cr_assert_eq(f->b.active, b, "no reselection with a primary port");
        /* the next event's reselection does use it */
        bg_fwd_reselect(&f->b);
        cr_assert_eq(f->b.active, c);
        fake_free(f);

        /* a primary that names no port does not */
        pp = ab_params();
        strcpy(pp.primary, "eth7");
        f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        a = fake_enslave(f, "eth0", true), b = fake_enslave(f, "eth1", true);
        cr_assert_eq(bg_fwd_set_prio(&f->b, b, 1), 0);
        cr_assert_eq(f->b.active, b);
        fake_free(f);
}

Test(monitor, prio_refused_outside_ab_tlb_alb) {
        static const enum bg_mode modes[] = { BG_MODE_BALANCE_RR, BG_MODE_BALANCE_XOR, BG_MODE_BROADCAST,
                                              BG_MODE_8023AD };
        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
                struct bg_fwd_params pp;
                bg_fwd_params_default(&pp, modes[i]);
                pp.miimon = 100;
                struct fake *f = fake_new(modes[i], &pp);
                struct bg_fwd_port *a = fake_enslave(f, "eth0", true);
                cr_expect_eq(bg_fwd_set_prio(&f->b, a, 3), -EOPNOTSUPP, "mode %d", (int) modes[i]);
                cr_expect_eq(a->prio, 0);
                fake_free(f);
        }
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_TLB);
        pp.miimon = 100;
        struct fake *f = fake_new(BG_MODE_BALANCE_TLB, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);
        cr_assert_eq(f->b.active, a);
        cr_assert_eq(bg_fwd_set_prio(&f->b, b, 3), 0);
        cr_assert_eq(f->b.active, b, "TLB's receiving port follows prio as active-backup's does");
        fake_free(f);
}

/* The model's active_slave: bondgend sets want_active once the model's
 * ports are enslaved, as active_slave written after the enslaves
 * (bond_option_active_slave_set()); taken at once when the port is up,
 * else when its link comes up; then the ordinary selection again */
Test(monitor, active_slave_taken_once_when_up) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true),
                           *c = fake_enslave(f, "eth2", true);
        c->prio = 3;
        bg_fwd_reselect(&f->b);
        cr_assert_eq(f->b.active, c);
        strcpy(f->b.want_active, "eth1");
        bg_fwd_reselect(&f->b);
        cr_assert_eq(f->b.active, b, "up: made active at once, over a higher prio");
        cr_assert_str_eq(f->b.want_active, "");
        bg_fwd_mon_carrier(&f->b, b, false);
        cr_assert_eq(f->b.active, c, "active %s", f->b.active ? f->b.active->name : "none");
        bg_fwd_mon_carrier(&f->b, b, true);
        cr_assert_eq(f->b.active, c, "taken once: eth1's return is an ordinary one");
        cr_assert_not_null(a);
        fake_free(f);

        /* no link when it joins: the others carry traffic until it has */
        f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        a = fake_enslave(f, "eth0", true);
        b = fake_enslave(f, "eth1", false);
        c = fake_enslave(f, "eth2", true);
        c->prio = 5;
        strcpy(f->b.want_active, "eth1");
        bg_fwd_reselect(&f->b);
        cr_assert_eq(f->b.active, c);
        cr_assert_str_eq(f->b.want_active, "eth1");
        bg_fwd_mon_carrier(&f->b, b, true);
        cr_assert_eq(f->b.active, b, "made active when its link came up, over a higher prio");
        cr_assert_str_eq(f->b.want_active, "");
        fake_free(f);

        /* balance-rr has no active port to choose: ignored by the logic
         * (bondgend refuses it at start, test-params.c) */
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_RR);
        pp.miimon = 100;
        f = fake_new(BG_MODE_BALANCE_RR, &pp);
        strcpy(f->b.want_active, "eth1");
        a = fake_enslave(f, "eth0", true);
        b = fake_enslave(f, "eth1", true);
        cr_assert_str_eq(f->b.want_active, "eth1");
        fake_free(f);
}

/* The control request "prio IF N" (io/ctl.c) */
Test(monitor, prio_request_parsing) {
        char name[16];
        int32_t v;

        cr_assert_eq(bg_fwd_prio_request("eth0 5", name, &v), 0);
        cr_expect_str_eq(name, "eth0");
        cr_expect_eq(v, 5);
        cr_assert_eq(bg_fwd_prio_request("eth1 -2147483648", name, &v), 0);
        cr_expect_eq(v, INT32_MIN);
        cr_assert_eq(bg_fwd_prio_request("eth1 2147483647", name, &v), 0);
        cr_expect_eq(v, INT32_MAX);
        static const char *const bad[] = {
                "eth0", "eth0 ", " 5", "eth0 5x", "eth0  5", "eth0 5 6", "eth0 2147483648",
                "eth0 -2147483649", "eth0 +5", "eth0 0x10", "a/b 1", "sixteencharsname 1", "eth0 -",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_expect_eq(bg_fwd_prio_request(bad[i], name, &v), -EINVAL, "'%s' accepted", bad[i]);
}

Test(monitor, num_grat_arp_with_peer_notif_delay) {
        struct bg_fwd_params pp = ab_params();
        pp.num_peer_notif = 3;
        pp.peer_notif_delay_ticks = 2;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true);
        (void) fake_enslave(f, "eth1", true);

        memset(f->garp, 0, sizeof(f->garp));
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(f->garp[1], 1);
        for (int i = 0; i < 20; i++)
                fake_tick(f);
        cr_assert_eq(f->garp[1], 3, "exactly num_grat_arp, got %u", f->garp[1]);
        fake_free(f);
}

Test(monitor, fail_over_mac_active_takes_port_mac) {
        struct bg_fwd_params pp = ab_params();
        pp.fail_over_mac = BG_FOM_ACTIVE;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true), *b = fake_enslave(f, "eth1", true);

        cr_assert_eq(memcmp(f->b.mac, a->mac, 6), 0);
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(memcmp(f->b.mac, b->mac, 6), 0);
        cr_assert_eq(memcmp(f->last_bond_mac, b->mac, 6), 0);
        fake_free(f);
}

Test(monitor, rr_starts_on_index_1_and_skips_down_ports) {
        struct fake *f = fake_new(BG_MODE_BALANCE_RR, NULL);
        struct bg_fwd_port *p[3], *out[4];
        uint8_t buf[64] = { [12] = 0x08, [13] = 0x06 };
        struct bg_fwd_frame fr = { .data = buf, .len = 60, .cap = 64 };

        for (int i = 0; i < 3; i++)
                p[i] = fake_enslave(f, (const char *[]){ "e0", "e1", "e2" }[i], true);
        int seq[6];
        for (int i = 0; i < 6; i++) {
                cr_assert_eq(f->b.ops->select_tx(&f->b, &fr, out, 4), 1);
                seq[i] = fake_index(&f->b, out[0]);
        }
        cr_assert(seq[0] == 1 && seq[1] == 2 && seq[2] == 0 && seq[3] == 1 && seq[4] == 2 && seq[5] == 0);
        bg_fwd_mon_carrier(&f->b, p[2], false);
        for (int i = 0; i < 6; i++) {
                f->b.ops->select_tx(&f->b, &fr, out, 4);
                cr_assert_neq(out[0], p[2]);
        }
        fake_free(f);
}

Test(monitor, rr_packets_per_slave) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_RR);
        pp.packets_per_slave = 3;
        struct fake *f = fake_new(BG_MODE_BALANCE_RR, &pp);
        struct bg_fwd_port *out[2];
        uint8_t buf[64] = { [12] = 0x08, [13] = 0x06 };
        struct bg_fwd_frame fr = { .data = buf, .len = 60, .cap = 64 };
        int seq[9];

        fake_enslave(f, "e0", true);
        fake_enslave(f, "e1", true);
        for (int i = 0; i < 9; i++) {
                f->b.ops->select_tx(&f->b, &fr, out, 2);
                seq[i] = fake_index(&f->b, out[0]);
        }
        /* counter 1,2 -> id 0; 3,4,5 -> 1; 6,7,8 -> 0; 9 -> 1 */
        int want[9] = { 0, 0, 1, 1, 1, 0, 0, 0, 1 };
        for (int i = 0; i < 9; i++)
                cr_assert_eq(seq[i], want[i], "frame %d", i);
        fake_free(f);
}

Test(monitor, xor_uses_usable_ports_in_order) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_XOR);
        pp.xmit_hash_policy = BG_HASH_LAYER2;
        struct fake *f = fake_new(BG_MODE_BALANCE_XOR, &pp);
        struct bg_fwd_port *p[3], *out[2];
        uint8_t buf[64] = { [5] = 0x14, [11] = 0x0a, [12] = 0x08, [13] = 0x00 };
        struct bg_fwd_frame fr = { .data = buf, .len = 60, .cap = 64 };

        for (int i = 0; i < 3; i++)
                p[i] = fake_enslave(f, (const char *[]){ "e0", "e1", "e2" }[i], true);
        /* layer2 hash 0x081e: % 3 = 2 */
        f->b.ops->select_tx(&f->b, &fr, out, 2);
        cr_assert_eq(out[0], p[2]);
        bg_fwd_mon_carrier(&f->b, p[0], false);
        /* usable = {e1, e2}: % 2 = 0 -> e1 */
        f->b.ops->select_tx(&f->b, &fr, out, 2);
        cr_assert_eq(out[0], p[1]);
        fake_free(f);
}

Test(monitor, broadcast_sends_on_every_up_port) {
        struct fake *f = fake_new(BG_MODE_BROADCAST, NULL);
        struct bg_fwd_port *p[3], *out[4];
        uint8_t buf[64] = { [12] = 0x08, [13] = 0x06 };
        struct bg_fwd_frame fr = { .data = buf, .len = 60, .cap = 64 };

        for (int i = 0; i < 3; i++)
                p[i] = fake_enslave(f, (const char *[]){ "e0", "e1", "e2" }[i], true);
        cr_assert_eq(f->b.ops->select_tx(&f->b, &fr, out, 4), 3);
        bg_fwd_mon_carrier(&f->b, p[1], false);
        cr_assert_eq(f->b.ops->select_tx(&f->b, &fr, out, 4), 2);
        cr_assert(out[0] == p[0] && out[1] == p[2]);
        fake_free(f);
}

Test(monitor, carrier_off_when_all_ports_down) {
        struct fake *f = fake_new(BG_MODE_BALANCE_XOR, NULL);
        struct bg_fwd_port *a = fake_enslave(f, "e0", true), *b = fake_enslave(f, "e1", true);

        cr_assert(f->b.carrier);
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert(f->b.carrier);
        bg_fwd_mon_carrier(&f->b, b, false);
        cr_assert(!f->b.carrier);
        cr_assert_eq(f->carrier_changes, 2);
        fake_free(f);
}

Test(monitor, arp_monitor_lb_marks_silent_port_down) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_RR);
        pp.arp_interval = 100;
        pp.n_arp_targets = 1;
        pp.arp_targets[0] = 0x0100000a;
        struct fake *f = fake_new(BG_MODE_BALANCE_RR, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "e0", true), *b = fake_enslave(f, "e1", true);
        uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, [12] = 0x08, [13] = 0x00 };

        for (int i = 0; i < 10; i++) {
                f->b.now += 100000;
                /* only e0 hears anything */
                bg_fwd_mon_rx(&f->b, a, frame, sizeof(frame));
                a->last_tx = b->last_tx = f->b.now;
                bg_fwd_mon_arp_tick(&f->b);
        }
        cr_assert_eq(a->link, BG_LINK_UP);
        cr_assert_eq(b->link, BG_LINK_DOWN);
        cr_assert(f->sent[0] > 0 && f->sent[1] > 0, "probes go out on every port");
        fake_free(f);
}

/* A NIC still negotiating reports no speed when it is enslaved; the kernel
 * reads speed and duplex again on every link-up (bond_update_speed_duplex
 * in bond_miimon_commit), and so must the monitor. */
static uint32_t next_speed;

static void speed_now(struct bg_fwd *b, struct bg_fwd_port *p) {
        p->speed_mbps = next_speed;
        p->duplex = 1;
}

Test(monitor, speed_and_duplex_read_again_on_link_up) {
        struct bg_fwd_params pp = ab_params();
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_io io = fake_io;
        struct bg_fwd_port *a;

        io.port_speed = speed_now;
        f->b.io = &io;
        a = fake_enslave(f, "eth0", false);
        cr_assert_eq(a->speed_mbps, 0);
        next_speed = 1000;
        bg_fwd_mon_carrier(&f->b, a, true);
        cr_assert_eq(a->link, BG_LINK_UP);
        cr_assert_eq(a->speed_mbps, 1000);
        cr_assert_eq(a->duplex, 1);
        bg_fwd_mon_carrier(&f->b, a, false);
        next_speed = 10000;
        bg_fwd_mon_carrier(&f->b, a, true);
        cr_assert_eq(a->speed_mbps, 10000, "a renegotiated speed is seen at the next link-up");
        fake_free(f);
}

/* An event starts downdelay/updelay; only miimon ticks count it down, so
 * it ends after as many whole ticks as the kernel's (which sees the change
 * at its next tick and counts that one). */
Test(monitor, carrier_event_does_not_count_as_a_tick) {
        struct bg_fwd_params pp = ab_params();
        pp.downdelay_ticks = 3;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true);

        fake_enslave(f, "eth1", true);
        bg_fwd_mon_carrier(&f->b, a, false);
        cr_assert_eq(a->link, BG_LINK_FAIL);
        for (int i = 0; i < 3; i++) {
                fake_tick(f);
                cr_assert_eq(a->link, BG_LINK_FAIL, "tick %d", i + 1);
        }
        fake_tick(f);
        cr_assert_eq(a->link, BG_LINK_DOWN, "down at the 4th tick after the event, as the kernel");
        fake_free(f);
}
