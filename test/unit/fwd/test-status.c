/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Status in the /proc/net/bonding layout and as JSON. */
#include <criterion/criterion.h>
#include <string.h>

#include "test-fwd-fake.h"

Test(status, proc_format_active_backup) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_ACTIVE_BACKUP);
        pp.miimon = 100;
        pp.updelay_ticks = 2;
        strcpy(pp.primary, "eth0");
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true);
        char *out = NULL;

        fake_enslave(f, "eth1", false);
        fake_tick(f);
        a->speed_mbps = 10000;
        a->duplex = 1;
        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_PROC, &out), 0);
        cr_assert(strstr(out, "\nBonding Mode: fault-tolerance (active-backup)\n"), "%s", out);
        cr_assert(strstr(out, "\nPrimary Slave: eth0 (primary_reselect always)\n"));
        cr_assert(strstr(out, "\nCurrently Active Slave: eth0\nMII Status: up\nMII Polling Interval (ms): 100\n"
                              "Up Delay (ms): 200\nDown Delay (ms): 0\n"));
        cr_assert(strstr(out, "\n\nSlave Interface: eth0\nMII Status: up\nSpeed: 10000 Mbps\nDuplex: full\n"
                              "Link Failure Count: 0\nPermanent HW addr: 02:00:00:00:00:11\nSlave queue ID: 0\n"));
        cr_assert(strstr(out, "\n\nSlave Interface: eth1\nMII Status: down\nSpeed: Unknown\nDuplex: Unknown\n"));
        cr_assert(strstr(out, "\nSlave State: backup\nPrio: 0\n"), "%s", out);
        free(out);
        f->b.ports[1]->prio = -7;
        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_PROC, &out), 0);
        cr_assert(strstr(out, "\nSlave State: backup\nPrio: -7\n"), "%s", out);
        free(out);
        fake_free(f);
}

Test(status, proc_format_xor_shows_hash_policy) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_XOR);
        pp.xmit_hash_policy = BG_HASH_LAYER34;
        struct fake *f = fake_new(BG_MODE_BALANCE_XOR, &pp);
        char *out = NULL;

        fake_enslave(f, "eth0", true);
        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_PROC, &out), 0);
        cr_assert(strstr(out, "Bonding Mode: load balancing (xor)\nTransmit Hash Policy: layer3+4 (1)\n"), "%s", out);
        cr_assert_null(strstr(out, "Currently Active Slave"));
        free(out);
        fake_free(f);
}

Test(status, json_has_the_same_data) {
        struct fake *f = fake_new(BG_MODE_BROADCAST, NULL);
        char *out = NULL;

        fake_enslave(f, "eth0", true);
        fake_enslave(f, "eth\"1", true);
        strcpy(f->b.pending[f->b.n_pending++], "eth9");
        f->b.ports[0]->stats.tx_packets = 42;
        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_JSON, &out), 0);
        cr_assert_eq(out[0], '{');
        cr_assert(strstr(out, "\"bond\":\"bond0\""), "%s", out);
        cr_assert(strstr(out, "\"bonding_mode\":\"fault-tolerance (broadcast)\""));
        cr_assert(strstr(out, "\"mii_polling_interval_ms\":0"));
        cr_assert(strstr(out, "\"pending_slaves\":[\"eth9\"]"));
        cr_assert(strstr(out, "\"slaves\":[{\"slave_interface\":\"eth0\""));
        cr_assert(strstr(out, "\"tx_packets\":42"));
        cr_assert(strstr(out, "\"slave_interface\":\"eth\\\"1\""), "escaped: %s", out);
        cr_assert(strstr(out, "]}\n"));
        free(out);
        fake_free(f);
}

/* bond_procfs.c:bond_info_show_master(): with the ARP monitor, the ARP
 * targets and the NS targets each on their line */
Test(status, proc_format_lists_arp_and_ns_targets) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_ACTIVE_BACKUP);
        pp.arp_interval = 200;
        pp.n_arp_targets = 1;
        pp.arp_targets[0] = 0x0100000a;   /* 10.0.0.1 in network order on little endian */
        pp.n_ns_targets = 2;
        pp.ns_targets[0][0] = 0x20, pp.ns_targets[0][1] = 0x01, pp.ns_targets[0][15] = 1;
        pp.ns_targets[1][0] = 0xfe, pp.ns_targets[1][1] = 0x80, pp.ns_targets[1][15] = 9;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &pp);
        char *out = NULL;

        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_PROC, &out), 0);
        cr_assert(strstr(out, "\nARP Polling Interval (ms): 200\nARP Missed Max: 2\n"
                              "ARP IP target/s (n.n.n.n form): 10.0.0.1\n"
                              "NS IPv6 target/s (xx::xx form): 2001::1, fe80::9\n"), "%s", out);
        free(out);
        fake_free(f);
}

/* The kernel zeroes a packet socket's counters on each PACKET_STATISTICS
 * read, so every read is the count since the one before: they are added,
 * in 64 bits, past what the kernel's 32-bit counter holds. */
Test(status, socket_drops_add_each_read) {
        struct bg_fwd_port_stats s = { 0 };

        bg_fwd_port_add_sock_drops(&s, 5);
        bg_fwd_port_add_sock_drops(&s, 0);   /* nothing since: the total stays */
        cr_assert_eq(s.rx_sock_dropped, 5);
        bg_fwd_port_add_sock_drops(&s, 3);   /* a read of 3 after 5 is 8, not 3 */
        cr_assert_eq(s.rx_sock_dropped, 8);
        bg_fwd_port_add_sock_drops(&s, UINT32_MAX);
        bg_fwd_port_add_sock_drops(&s, UINT32_MAX);
        cr_assert_eq(s.rx_sock_dropped, 8 + 2 * (uint64_t) UINT32_MAX);
        s.rx_sock_dropped = UINT64_MAX - 1;   /* the 64-bit sum wraps as a counter does */
        bg_fwd_port_add_sock_drops(&s, 3);
        cr_assert_eq(s.rx_sock_dropped, 1);
}

Test(status, socket_drops_in_both_formats) {
        struct fake *f = fake_new(BG_MODE_BROADCAST, NULL);
        struct bg_fwd_port *a = fake_enslave(f, "eth0", true);
        char *out = NULL;

        fake_enslave(f, "eth1", true);
        bg_fwd_port_add_sock_drops(&a->stats, 4000000000u);
        bg_fwd_port_add_sock_drops(&a->stats, 500000000u);
        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_PROC, &out), 0);
        cr_assert(strstr(out, "\nTX Errors: 0\nRX Socket Dropped: 4500000000\n"), "%s", out);
        cr_assert(strstr(out, "Slave Interface: eth1\n"), "%s", out);
        cr_assert(strstr(strstr(out, "Slave Interface: eth1\n"), "\nRX Socket Dropped: 0\n"), "%s", out);
        free(out);
        cr_assert_eq(bg_fwd_status_render(&f->b, BG_STW_JSON, &out), 0);
        cr_assert(strstr(out, "\"rx_socket_dropped\":4500000000"), "%s", out);
        free(out);
        fake_free(f);
}
