/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TLB load table and ALB client table (bond_alb.c). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fwd/logic/alb.h"

struct sent {
        int slave;
        size_t len;
        uint8_t data[64];
};

static struct sent sent[256];
static int n_sent;

static int cap_send(void *ud, int slave, const void *frame, size_t len) {
        cr_assert(n_sent < 256);
        cr_assert(len <= 64);
        sent[n_sent].slave = slave;
        sent[n_sent].len = len;
        memcpy(sent[n_sent].data, frame, len);
        n_sent++;
        return 0;
}

static const struct bg_alb_ops ops = { .send = cap_send };
static const uint8_t bond_mac[6] = { 0x02, 0xbb, 0, 0, 0, 0x01 };

static struct bg_alb *mk(bool rlb, int n, uint32_t speed) {
        struct bg_alb *a;
        n_sent = 0;
        cr_assert_eq(bg_alb_new(rlb, &ops, NULL, &a), 0);
        bg_alb_set_bond_mac(a, bond_mac);
        for (int i = 0; i < n; i++) {
                struct bg_alb_slave s = { .used = true, .can_tx = true, .speed = speed,
                                          .mac = { 0x02, 0x5a, 0, 0, 0, (uint8_t) (0x10 + i) } };
                if (i == 0)     /* the active slave answers to the bond MAC */
                        memcpy(s.mac, bond_mac, 6);
                cr_assert_eq(bg_alb_slave_set(a, i, &s), 0);
        }
        bg_alb_set_active(a, 0);
        return a;
}

static void ticks(struct bg_alb *a, int n) {
        for (int i = 0; i < n; i++)
                bg_alb_tick(a);
}

static void set_can_tx(struct bg_alb *a, int slot, bool on, int n) {
        struct bg_alb_slave s = { .used = true, .can_tx = on, .speed = 1000,
                                  .mac = { 0x02, 0x5a, 0, 0, 0, (uint8_t) (0x10 + slot) } };
        (void) n;
        if (slot == 0)
                memcpy(s.mac, bond_mac, 6);
        bg_alb_slave_set(a, slot, &s);
}

Test(tlb, first_packets_go_to_the_first_slave_then_rebalance_by_load) {
        struct bg_alb *a = mk(false, 2, 1000);
        /* before the first rebalance every history is 0: all on slave 0 */
        ticks(a, BG_TLB_REBALANCE_TICKS);       /* the slaves' arrival asked for one */
        cr_assert_eq(bg_tlb_choose(a, 1, 1000000), 0);
        for (int i = 2; i <= 4; i++)
                cr_assert_eq(bg_tlb_choose(a, (uint8_t) i, 100000), 0);
        ticks(a, BG_TLB_REBALANCE_TICKS);
        /* histories are now 1 + bytes/10: the heavy index alone on one slave */
        cr_assert_eq(bg_tlb_entry(a, 1)->load_history, 100001);
        cr_assert_eq(bg_tlb_entry(a, 2)->slave, -1, "rebalance unassigns");
        cr_assert_eq(bg_tlb_choose(a, 1, 100), 0);
        cr_assert_eq(bg_tlb_choose(a, 2, 100), 1);
        cr_assert_eq(bg_tlb_choose(a, 3, 100), 1);
        cr_assert_eq(bg_tlb_choose(a, 4, 100), 1);
        cr_assert_eq(bg_tlb_slave_load(a, 0), 100001);
        cr_assert_eq(bg_tlb_slave_load(a, 1), 30003);
        /* the assignment sticks until the next rebalance */
        cr_assert_eq(bg_tlb_choose(a, 2, 5000000), 1);
        bg_alb_free(a);
}

Test(tlb, faster_slaves_take_more) {
        struct bg_alb *a = mk(false, 2, 1000);
        struct bg_alb_slave fast = { .used = true, .can_tx = true, .speed = 10000, .mac = { 2, 1, 1, 1, 1, 1 } };
        bg_alb_slave_set(a, 1, &fast);
        ticks(a, BG_TLB_REBALANCE_TICKS);
        cr_assert_eq(bg_tlb_choose(a, 7, 64), 1, "the 10G slave has the larger gap");
        bg_alb_free(a);
}

Test(tlb, failed_slave_loses_its_entries) {
        struct bg_alb *a = mk(false, 2, 1000);
        cr_assert_eq(bg_tlb_choose(a, 9, 64), 0);
        set_can_tx(a, 0, false, 2);
        cr_assert_eq(bg_tlb_entry(a, 9)->slave, -1);
        cr_assert_eq(bg_tlb_choose(a, 9, 64), 1);
        set_can_tx(a, 1, false, 2);
        cr_assert_eq(bg_tlb_choose(a, 9, 64), -1, "nothing can transmit");
        bg_alb_free(a);
}

Test(tlb, unbalanced_bytes_load_the_active_slave) {
        struct bg_alb *a = mk(false, 2, 1000);
        bg_tlb_unbalanced(a, 500000);
        ticks(a, BG_TLB_REBALANCE_TICKS);
        cr_assert_eq(bg_tlb_slave_load(a, 0), 50000);
        cr_assert_eq(bg_tlb_choose(a, 3, 64), 1);
        bg_alb_free(a);
}

/* ---- RLB ---- */

static uint32_t ip(const char *s) {
        uint32_t v;
        cr_assert_eq(inet_pton(AF_INET, s, &v), 1);
        return v;
}

/* An ARP frame from the bond: op, sender (bond MAC, sip), target (tha, tip). */
static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t sha[6], uint32_t sip, const uint8_t tha[6],
                        uint32_t tip) {
        memset(f, 0, 60);
        memcpy(f, op == 1 ? (const uint8_t[]) { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } : tha, 6);
        memcpy(f + 6, sha, 6);
        f[12] = 0x08, f[13] = 0x06;
        uint8_t *p = f + 14;
        p[1] = 1, p[2] = 0x08, p[4] = 6, p[5] = 4, p[7] = (uint8_t) op;
        memcpy(p + 8, sha, 6);
        memcpy(p + 14, &sip, 4);
        memcpy(p + 18, tha, 6);
        memcpy(p + 24, &tip, 4);
        return 60;
}

static int reply_to(struct bg_alb *a, int client, uint8_t *frame) {
        uint8_t cmac[6] = { 0x02, 0xcc, 0, 0, 0, (uint8_t) client };
        char cip[32];
        struct bg_arp arp;
        snprintf(cip, sizeof(cip), "10.0.0.%d", 10 + client);
        size_t n = arp_frame(frame, 2, bond_mac, ip("10.0.0.1"), cmac, ip(cip));
        cr_assert_eq(bg_alb_parse_arp(frame, n, &arp), 0);
        return bg_rlb_arp_xmit(a, frame, n, &arp);
}

Test(rlb, replies_spread_round_robin_and_carry_the_slave_mac) {
        struct bg_alb *a = mk(true, 3, 1000);
        uint8_t f[64];
        int want[] = { 0, 1, 2, 0, 1, 2 };
        for (int c = 0; c < 6; c++) {
                int s = reply_to(a, c, f);
                cr_assert_eq(s, want[c], "client %d on slave %d", c, s);
                const uint8_t *sha = f + 14 + 8;
                if (s == 0)
                        cr_assert_arr_eq(sha, bond_mac, 6);
                else
                        cr_assert_eq(sha[5], 0x10 + s, "sender hardware address rewritten");
        }
        /* the same client stays where it is */
        cr_assert_eq(reply_to(a, 1, f), 1);
        const struct bg_rlb_client *c = bg_rlb_client(a, ip("10.0.0.11"));
        cr_assert_not_null(c);
        cr_assert_eq(c->slave, 1);
        cr_assert_eq(c->mac_dst[5], 1);
        cr_assert_eq(bg_rlb_count_on(a, 0), 2);
        bg_alb_free(a);
}

Test(rlb, only_our_own_arp_is_touched) {
        struct bg_alb *a = mk(true, 2, 1000);
        uint8_t f[64], other[6] = { 0x02, 0x99, 0, 0, 0, 1 }, cmac[6] = { 2, 0xcc, 0, 0, 0, 1 };
        struct bg_arp arp;
        size_t n = arp_frame(f, 2, other, ip("10.0.0.1"), cmac, ip("10.0.0.11"));
        bg_alb_parse_arp(f, n, &arp);
        cr_assert_eq(bg_rlb_arp_xmit(a, f, n, &arp), -1);
        cr_assert_arr_eq(f + 22, other, 6);
        struct bg_alb *t = mk(false, 2, 1000);
        n = arp_frame(f, 2, bond_mac, ip("10.0.0.1"), cmac, ip("10.0.0.11"));
        bg_alb_parse_arp(f, n, &arp);
        cr_assert_eq(bg_rlb_arp_xmit(t, f, n, &arp), -1, "TLB has no client table");
        bg_alb_free(a);
        bg_alb_free(t);
}

Test(rlb, failed_slave_clients_move_and_are_told) {
        struct bg_alb *a = mk(true, 3, 1000);
        uint8_t f[64];
        for (int c = 0; c < 3; c++)
                reply_to(a, c, f);
        ticks(a, 200);  /* let the initial updates run out */
        n_sent = 0;

        set_can_tx(a, 1, false, 3);
        cr_assert_eq(bg_rlb_count_on(a, 1), 0);
        const struct bg_rlb_client *c = bg_rlb_client(a, ip("10.0.0.11"));
        cr_assert_neq(c->slave, 1);
        int moved_to = c->slave;
        /* the switch is taught the lost MAC on the active slave at once */
        cr_assert_eq(n_sent, 1);
        cr_assert_eq(sent[0].slave, 0);
        cr_assert_eq(sent[0].data[5], 0x11);
        cr_assert_eq(sent[0].data[12], 0x90);

        /* then the client hears 2 ARP replies, repeated over 3 retries */
        n_sent = 0;
        ticks(a, 1);
        cr_assert_eq(n_sent, 2);
        const uint8_t *u = sent[0].data;
        cr_assert_eq(sent[0].slave, moved_to);
        cr_assert_eq(u[5], 1, "to the client's MAC");
        cr_assert_eq(u[21], 2, "ARP reply");
        uint32_t sip, tip;
        memcpy(&sip, u + 28, 4);
        memcpy(&tip, u + 38, 4);
        cr_assert_eq(sip, ip("10.0.0.1"));
        cr_assert_eq(tip, ip("10.0.0.11"));
        cr_assert_arr_eq(u + 6, u + 22, 6, "Ethernet source = ARP sender = the new slave's MAC");
        ticks(a, 100);
        cr_assert_eq(n_sent, 2 * 4, "first round plus 3 retries, 2 s apart");
        ticks(a, 100);
        cr_assert_eq(n_sent, 2 * 4, "then quiet");

        /* the slave comes back: clients are spread again */
        set_can_tx(a, 1, true, 3);
        ticks(a, 1);
        cr_assert(bg_rlb_count_on(a, 1) >= 1);
        bg_alb_free(a);
}

Test(rlb, arp_request_delays_updates_and_marks_subnet_clients) {
        struct bg_alb *a = mk(true, 2, 1000);
        uint8_t f[64], zero[6] = { 0 };
        reply_to(a, 1, f);     /* client 1 -> slave 1 */
        ticks(a, 200);
        n_sent = 0;
        struct bg_arp arp;
        size_t n = arp_frame(f, 1, bond_mac, ip("10.0.0.1"), zero, ip("10.0.0.50"));
        bg_alb_parse_arp(f, n, &arp);
        int s = bg_rlb_arp_xmit(a, f, n, &arp);
        cr_assert(s >= 0);
        cr_assert_arr_eq(f + 22, bond_mac, 6, "requests keep the bond MAC");
        ticks(a, BG_RLB_UPDATE_DELAY_TICKS);
        cr_assert_eq(n_sent, 0, "no update during the 2 s delay");
        ticks(a, 1);
        cr_assert_eq(n_sent, 2, "client 1 is told its slave again after the broadcast");
        cr_assert_eq(sent[0].data[5], 1);
        bg_alb_free(a);
}

Test(rlb, snooped_replies_learn_and_purge) {
        struct bg_alb *a = mk(true, 2, 1000);
        uint8_t f[64], newmac[6] = { 0x02, 0xcc, 0, 0, 0, 0x77 }, thief[6] = { 2, 0xde, 0xad, 0, 0, 1 };
        struct bg_arp arp;
        reply_to(a, 1, f);
        /* the client answers from a new MAC: remembered, update due */
        size_t n = arp_frame(f, 2, newmac, ip("10.0.0.11"), bond_mac, ip("10.0.0.1"));
        bg_alb_parse_arp(f, n, &arp);
        bg_rlb_arp_recv(a, &arp);
        cr_assert_arr_eq(bg_rlb_client(a, ip("10.0.0.11"))->mac_dst, newmac, 6);
        /* someone else claims 10.0.0.1: its clients are forgotten */
        n = arp_frame(f, 1, thief, ip("10.0.0.1"), bond_mac, ip("10.0.0.11"));
        bg_alb_parse_arp(f, n, &arp);
        bg_rlb_arp_recv(a, &arp);
        cr_assert_null(bg_rlb_client(a, ip("10.0.0.11")));
        bg_alb_free(a);
}

Test(rlb, colliding_client_moves_the_old_one_to_the_active_slave) {
        struct bg_alb *a = mk(true, 3, 1000);
        uint8_t f[64], m1[6] = { 2, 0xcc, 0, 0, 0, 1 }, m2[6] = { 2, 0xcc, 0, 0, 0, 2 };
        struct bg_arp arp;
        /* 10.0.1.0 and 10.0.0.1 have the same byte XOR */
        reply_to(a, 0, f);     /* 10.0.0.10 -> slave 0 (first round-robin pick) */
        size_t n = arp_frame(f, 2, bond_mac, ip("10.0.0.1"), m1, ip("10.0.0.12"));
        bg_alb_parse_arp(f, n, &arp);
        cr_assert_eq(bg_rlb_arp_xmit(a, f, n, &arp), 1);
        n_sent = 0;
        cr_assert_eq(bg_alb_simple_hash((const uint8_t *) &(uint32_t) { ip("10.0.0.12") }, 4),
                     bg_alb_simple_hash((const uint8_t *) &(uint32_t) { ip("10.0.12.0") }, 4));
        n = arp_frame(f, 2, bond_mac, ip("10.0.0.1"), m2, ip("10.0.12.0"));
        bg_alb_parse_arp(f, n, &arp);
        int s = bg_rlb_arp_xmit(a, f, n, &arp);
        cr_assert(s >= 0);
        /* the evicted client was told (now) to use the active slave */
        cr_assert_eq(n_sent, 2);
        cr_assert_eq(sent[0].slave, 0);
        cr_assert_eq(sent[0].data[5], 1);
        cr_assert_arr_eq(sent[0].data + 22, bond_mac, 6);
        cr_assert_null(bg_rlb_client(a, ip("10.0.0.12")));
        cr_assert_not_null(bg_rlb_client(a, ip("10.0.12.0")));
        bg_alb_free(a);
}

Test(alb_frames, parse_arp) {
        uint8_t f[80], cmac[6] = { 2, 0xcc, 0, 0, 0, 1 };
        struct bg_arp arp;
        size_t n = arp_frame(f, 2, bond_mac, ip("10.0.0.1"), cmac, ip("10.0.0.11"));
        cr_assert_eq(bg_alb_parse_arp(f, n, &arp), 0);
        cr_assert_eq(arp.op, 2);
        cr_assert_eq(arp.arp_off, 14);
        cr_assert_eq(arp.tip, ip("10.0.0.11"));
        cr_assert_eq(bg_alb_parse_arp(f, 41, &arp), -EBADMSG, "truncated");
        /* with a VLAN tag */
        memmove(f + 16, f + 12, n - 12);
        f[12] = 0x81, f[13] = 0x00, f[14] = 0x00, f[15] = 0x0a;
        cr_assert_eq(bg_alb_parse_arp(f, n + 4, &arp), 0);
        cr_assert_eq(arp.vlan, 10);
        cr_assert_eq(arp.arp_off, 18);
        f[16] = 0x08, f[17] = 0x00;
        cr_assert_eq(bg_alb_parse_arp(f, n + 4, &arp), -ENOMSG);
        cr_assert_eq(bg_alb_parse_arp(f, 3, &arp), -EBADMSG);

        struct bg_rlb_client c = { .ip_src = ip("10.0.0.1"), .ip_dst = ip("10.0.0.11"), .vlan = 10 };
        memcpy(c.mac_dst, cmac, 6);
        uint8_t u[64];
        cr_assert_eq(bg_alb_build_arp_update(u, sizeof(u), &c, bond_mac), 64);
        cr_assert_eq(bg_alb_parse_arp(u, 64, &arp), 0);
        cr_assert_eq(arp.vlan, 10);
        cr_assert_eq(arp.op, 2);
        cr_assert_eq(bg_alb_build_arp_update(u, 63, &c, bond_mac), -ENOBUFS);
        cr_assert_eq(bg_alb_build_learning(u, sizeof(u), cmac), 60);
        cr_assert_arr_eq(u, u + 6, 6);
}

Test(alb_frames, garbage_never_overreads) {
        uint32_t x = 88172645u;
        struct bg_alb *a = mk(true, 3, 1000);
        for (int i = 0; i < 20000; i++) {
                size_t len = (x = x * 1664525u + 1013904223u) % 80;
                uint8_t *f = malloc(len ? len : 1);
                for (size_t k = 0; k < len; k++)
                        f[k] = (uint8_t) ((x = x * 1664525u + 1013904223u) >> 24);
                if (len >= 14 && (i & 1)) {
                        f[12] = 0x08, f[13] = 0x06;     /* make many of them ARP */
                        if (len >= 22) {
                                f[14] = 0, f[15] = 1, f[16] = 8, f[17] = 0, f[18] = 6, f[19] = 4;
                                memcpy(f + 6, bond_mac, 6);
                                if (len >= 28)
                                        memcpy(f + 22, bond_mac, 6);
                        }
                }
                struct bg_arp arp;
                if (bg_alb_parse_arp(f, len, &arp) == 0) {
                        cr_assert(arp.arp_off + 28 <= len);
                        bg_rlb_arp_recv(a, &arp);
                        int s = bg_rlb_arp_xmit(a, f, len, &arp);
                        cr_assert(s >= -1 && s < 3);
                }
                free(f);
                if (i % 100 == 0)
                        bg_alb_tick(a);
                n_sent = 0;
        }
        bg_alb_free(a);
}
