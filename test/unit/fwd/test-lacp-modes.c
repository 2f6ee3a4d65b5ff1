/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The 802.3ad, balance-tlb and balance-alb mode hooks (3ad.c, tlb.c) on the
 * forwarder logic with fake I/O and a fake clock: two 802.3ad bonds wired
 * port to port through their rx hooks, and ALB/TLB transmit and receive
 * decisions. */
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "fwd/logic/lacp.h"
#include "test-fwd-fake.h"

/* ---- two bonds joined by frames queued between their ports ---- */

struct qf {
        struct bg_fwd *to;
        struct bg_fwd_port *port;
        size_t len;
        uint8_t data[256];
};

static struct qf queue[512];
static int nq;
static struct fake *peer_a, *peer_b;
static unsigned sent_on[2][BG_FWD_MAX_PORTS];
static uint8_t last_sent[2][BG_FWD_MAX_PORTS][256];
static unsigned arp_on[2][BG_FWD_MAX_PORTS];   /* ARPs sent (peer notification), not delivered */

static int wire_send(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr) {
        struct fake *me = (struct fake *) b, *other = me == peer_a ? peer_b : peer_a;
        int i = fake_index(b, p), side = me == peer_a ? 0 : 1;

        cr_assert(i >= 0);
        if (fr->len >= 14 && fr->data[12] == 0x08 && fr->data[13] == 0x06) {
                arp_on[side][i]++;
                return 0;
        }
        sent_on[side][i]++;
        memcpy(last_sent[side][i], fr->data, fr->len < 256 ? fr->len : 256);
        if (!other || (size_t) i >= other->b.n_ports || nq >= 512 || fr->len > 256)
                return 0;
        queue[nq].to = &other->b;
        queue[nq].port = other->b.ports[i];
        queue[nq].len = fr->len;
        memcpy(queue[nq].data, fr->data, fr->len);
        nq++;
        return 0;
}

static const struct bg_fwd_io wire_io = {
        .send = wire_send,
        .bond_addrs = fake_addrs,
        .carrier_changed = fake_carrier,
        .set_bond_mac = fake_bond_mac,
};

static void deliver(void) {
        for (int guard = 0; nq && guard < 16; guard++) {
                struct qf batch[512];
                int n = nq;
                memcpy(batch, queue, sizeof(batch[0]) * (size_t) n);
                nq = 0;
                for (int k = 0; k < n; k++) {
                        struct bg_fwd_frame fr = { .data = batch[k].data, .len = batch[k].len, .cap = 256 };
                        cr_assert_eq(batch[k].to->ops->rx(batch[k].to, batch[k].port, &fr), BG_FWD_RX_CONSUMED,
                                     "slow protocol frames never reach the bond");
                }
        }
}

static void run_ms(unsigned ms) {
        for (unsigned t = 0; t < ms; t += 100) {
                peer_a->b.now += 100000;
                peer_b->b.now += 100000;
                peer_a->b.ops->tick(&peer_a->b);
                peer_b->b.ops->tick(&peer_b->b);
                deliver();
        }
}

static struct fake *ad_bond(uint8_t mac_byte, bool fast) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_8023AD);
        pp.miimon = 100;
        pp.lacp_rate = fast;
        struct fake *f = fake_new(BG_MODE_8023AD, &pp);
        f->b.io = &wire_io;
        f->b.mac[4] = mac_byte;
        return f;
}

static size_t eth_frame(uint8_t *buf, uint8_t dst_last) {
        memset(buf, 0, 64);
        uint8_t dst[6] = { 0x02, 0x33, 0, 0, 0, dst_last };
        memcpy(buf, dst, 6);
        buf[6] = 0x02, buf[11] = 0x01;
        buf[12] = 0x08, buf[13] = 0x00;
        return 64;
}

Test(lacp_modes, two_bonds_negotiate_through_the_hooks) {
        memset(sent_on, 0, sizeof(sent_on));
        nq = 0;
        peer_a = ad_bond(0xa, true);
        peer_b = ad_bond(0xb, true);
        struct bg_fwd_port *a0 = fake_enslave(peer_a, "a0", true), *a1 = fake_enslave(peer_a, "a1", true);
        fake_enslave(peer_b, "b0", true);
        fake_enslave(peer_b, "b1", true);

        /* before any PDU crossed, the kernel's partnerless fallback lets
         * the first port forward on its own */
        cr_assert(!a0->backup && a1->backup);
        uint8_t f[64];
        struct bg_fwd_port *out[4];
        struct bg_fwd_frame fr = { .data = f, .len = eth_frame(f, 1), .cap = 64 };
        cr_assert_eq(peer_a->b.ops->select_tx(&peer_a->b, &fr, out, 4), 1);
        cr_assert_eq(out[0], a0);

        run_ms(3500);
        cr_assert(peer_a->b.carrier);
        cr_assert(!a0->backup && !a0->rx_disabled && !a1->backup);
        /* layer2 hash over both distributing ports */
        bool used[2] = { false, false };
        for (uint8_t d = 0; d < 8; d++) {
                fr.len = eth_frame(f, d);
                cr_assert_eq(peer_a->b.ops->select_tx(&peer_a->b, &fr, out, 4), 1);
                used[out[0] == a1] = true;
        }
        cr_assert(used[0] && used[1], "frames hashed onto both ports");
        /* the first PDU left from the port's permanent MAC */
        cr_assert_arr_eq(last_sent[0][1] + 6, a1->perm_mac, 6);
        cr_assert_eq(last_sent[0][1][12], 0x88);

        char *text = NULL;
        cr_assert_eq(bg_fwd_status_render(&peer_a->b, BG_STW_PROC, &text), 0);
        cr_assert(strstr(text, "Active Aggregator Info: \n\tAggregator ID: 1\n\tNumber of ports: 2\n"), "%s", text);
        cr_assert(strstr(text, "details actor lacp pdu: \n    system priority: 65535\n"), "%s", text);
        cr_assert(strstr(text, "    port state: 63\n"));
        cr_assert(strstr(text, "LACP actor state: 63\n"));
        free(text);

        /* a link lost: traffic moves to the other port at once */
        bg_fwd_mon_carrier(&peer_a->b, a1, false);
        for (uint8_t d = 0; d < 8; d++) {
                fr.len = eth_frame(f, d);
                cr_assert_eq(peer_a->b.ops->select_tx(&peer_a->b, &fr, out, 4), 1);
                cr_assert_eq(out[0], a0);
        }
        cr_assert(peer_a->b.carrier);

        /* a non-slow frame passes to the core's rules */
        fr.len = eth_frame(f, 1);
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS);
        /* other slow protocols (OAM subtype 3, ESMC subtype 10) go to the
         * bond, as bond_3ad_rx_indication() consumes only LACP and marker */
        static const uint8_t slow_mac[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };
        for (int k = 0; k < 2; k++) {
                memset(f, 0, 64);
                memcpy(f, slow_mac, 6);
                f[6] = 0x02, f[11] = 0x42;
                f[12] = 0x88, f[13] = 0x09;
                f[14] = k ? 0x0a : 0x03;
                fr.len = 64;
                cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS, "slow subtype %u", f[14]);
        }
        /* farewell PDUs go out while freeing: never towards a freed peer */
        fake_free(peer_a);
        peer_a = NULL;
        fake_free(peer_b);
        peer_b = NULL;
}

Test(lacp_modes, broadcast_neighbor_clones_arp) {
        nq = 0;
        peer_a = ad_bond(0xa, true);
        peer_b = ad_bond(0xb, true);
        peer_a->b.p.broadcast_neighbor = 1;
        fake_enslave(peer_a, "a0", true);
        fake_enslave(peer_a, "a1", true);
        fake_enslave(peer_b, "b0", true);
        fake_enslave(peer_b, "b1", true);
        run_ms(3500);
        uint8_t f[64];
        struct bg_fwd_port *out[4];
        struct bg_fwd_frame fr = { .data = f, .len = eth_frame(f, 1), .cap = 64 };
        f[12] = 0x08, f[13] = 0x06;
        cr_assert_eq(peer_a->b.ops->select_tx(&peer_a->b, &fr, out, 4), 2);
        f[13] = 0x00;
        cr_assert_eq(peer_a->b.ops->select_tx(&peer_a->b, &fr, out, 4), 1);
        /* farewell PDUs go out while freeing: never towards a freed peer */
        fake_free(peer_a);
        peer_a = NULL;
        fake_free(peer_b);
        peer_b = NULL;
}

/* bond_3ad_lacpdu_recv() consumes a slow-protocol frame of subtype 1
 * (LACP) or 2 (marker) only when it is sent to 01:80:c2:00:00:02 and holds
 * a whole LACPDU (110 bytes after the Ethernet header); a shorter one, or
 * one to another address, goes on like any frame. */
Test(lacp_modes, only_whole_lacpdus_and_markers_to_the_slow_group_are_consumed) {
        memset(sent_on, 0, sizeof(sent_on));
        nq = 0;
        peer_a = ad_bond(0xa, true);
        peer_b = NULL;
        struct bg_fwd_port *a0 = fake_enslave(peer_a, "a0", true);
        uint8_t f[BG_LACPDU_FRAME_LEN];
        const uint8_t slow[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

        /* a Marker Information PDU (802.1AX-2014 6.5.3.3), whole */
        memset(f, 0, sizeof(f));
        memcpy(f, slow, 6);
        f[6] = 0x02, f[11] = 0x02;
        f[12] = 0x88, f[13] = 0x09;
        f[14] = 2, f[15] = 1, f[16] = 1, f[17] = 16;   /* marker, version 1, information TLV */
        f[19] = 1, f[20] = 0x02, f[25] = 0x02, f[29] = 7;   /* requester port 1, system, transaction 7 */
        struct bg_fwd_frame fr = { .data = f, .len = sizeof(f), .cap = sizeof(f) };
        unsigned before = sent_on[0][0];
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_CONSUMED);
        cr_assert_eq(sent_on[0][0], before + 1, "the marker is answered");
        cr_assert_eq(last_sent[0][0][14], 2);
        cr_assert_eq(last_sent[0][0][16], 2, "a marker response TLV");
        cr_assert_eq(last_sent[0][0][29], 7, "the transaction id comes back");

        /* the same cut to a minimum-size frame: not a marker for the bond */
        before = sent_on[0][0];
        fr.len = 60;
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS);
        f[14] = 1;
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS, "a short LACPDU goes on");
        cr_assert_eq(sent_on[0][0], before, "nothing answered");

        /* whole, but to another address */
        fr.len = sizeof(f);
        f[0] = 0x02, f[5] = 0x09;
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS, "a misaddressed LACPDU goes on");
        f[14] = 2;
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS, "a misaddressed marker goes on");
        cr_assert_eq(sent_on[0][0], before, "nothing answered");

        /* other slow protocols (OAM) go on whole or not */
        memcpy(f, slow, 6);
        f[14] = 3;
        cr_assert_eq(peer_a->b.ops->rx(&peer_a->b, a0, &fr), BG_FWD_RX_PASS);
        fake_free(peer_a);
        peer_a = NULL;
}

/* 100 ms of LACP and of bond A's miimon, which sends peer notification */
static void run_mii_ms(unsigned ms) {
        for (unsigned t = 0; t < ms; t += 100) {
                run_ms(100);
                bg_fwd_mon_mii_tick(&peer_a->b);
        }
}

static unsigned arps(int port) {
        return arp_on[0][port];
}

/* bond_3ad.c:ad_cond_set_peer_notif() (Linux 6.17): with broadcast_neighbor,
 * each port the mux machine enables on the active aggregator starts
 * num_grat_arp rounds of peer notification, sent on every usable port */
Test(lacp_modes, broadcast_neighbor_notifies_peers_when_a_port_distributes) {
        nq = 0;
        memset(arp_on, 0, sizeof(arp_on));
        peer_a = ad_bond(0xa, true);
        peer_b = ad_bond(0xb, true);
        peer_a->b.p.broadcast_neighbor = 1;
        peer_a->b.p.num_peer_notif = 2;
        struct bg_fwd_port *a1;
        fake_enslave(peer_a, "a0", true);
        a1 = fake_enslave(peer_a, "a1", true);
        fake_enslave(peer_b, "b0", true);
        fake_enslave(peer_b, "b1", true);
        /* before any PDU crossed, the partnerless fallback forwards on a0
         * (ad_agg_selection_logic()) but notifies nobody */
        cr_assert_eq(bg_fwd_3ad_usable(&peer_a->b), 1);
        for (int k = 0; k < 3; k++)
                bg_fwd_mon_mii_tick(&peer_a->b);
        cr_assert_eq(arps(0) + arps(1), 0, "no notification before LACP enables a port");
        run_mii_ms(3500);
        cr_assert_eq(bg_fwd_3ad_usable(&peer_a->b), 2);
        cr_assert_geq(arps(0), 2, "a0: %u ARPs", arps(0));
        cr_assert_geq(arps(1), 2, "a1: %u ARPs", arps(1));
        /* num_grat_arp rounds, then nothing more */
        unsigned before0 = arps(0), before1 = arps(1);
        run_mii_ms(2000);
        cr_assert_eq(arps(0), before0);
        cr_assert_eq(arps(1), before1);

        /* a1 lost and back: enabled again, two rounds on both ports */
        bg_fwd_mon_carrier(&peer_a->b, a1, false);
        run_mii_ms(1000);
        cr_assert_eq(arps(0), before0, "a port leaving notifies nobody");
        bg_fwd_mon_carrier(&peer_a->b, a1, true);
        run_mii_ms(4000);
        cr_assert_eq(arps(0), before0 + 2, "a0: %u ARPs, %u before", arps(0), before0);
        cr_assert_eq(arps(1), before1 + 2, "a1: %u ARPs, %u before", arps(1), before1);
        fake_free(peer_a);
        peer_a = NULL;
        fake_free(peer_b);
        peer_b = NULL;
}

/* without broadcast_neighbor the kernel's 802.3ad sends none: num_grat_arp
 * has no effect there */
Test(lacp_modes, no_peer_notification_without_broadcast_neighbor) {
        nq = 0;
        memset(arp_on, 0, sizeof(arp_on));
        peer_a = ad_bond(0xa, true);
        peer_b = ad_bond(0xb, true);
        peer_a->b.p.num_peer_notif = 2;
        fake_enslave(peer_a, "a0", true);
        fake_enslave(peer_a, "a1", true);
        fake_enslave(peer_b, "b0", true);
        fake_enslave(peer_b, "b1", true);
        run_mii_ms(4000);
        cr_assert_eq(bg_fwd_3ad_usable(&peer_a->b), 2);
        cr_assert_eq(arps(0) + arps(1), 0);
        fake_free(peer_a);
        peer_a = NULL;
        fake_free(peer_b);
        peer_b = NULL;
}

/* ---- balance-alb / balance-tlb ---- */

static size_t arp_reply(uint8_t *f, const uint8_t sha[6], const char *sip, const uint8_t tha[6], const char *tip) {
        uint32_t s, t;
        inet_pton(AF_INET, sip, &s);
        inet_pton(AF_INET, tip, &t);
        memset(f, 0, 60);
        memcpy(f, tha, 6);
        memcpy(f + 6, sha, 6);
        f[12] = 0x08, f[13] = 0x06;
        f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = 2;
        memcpy(f + 22, sha, 6);
        memcpy(f + 28, &s, 4);
        memcpy(f + 32, tha, 6);
        memcpy(f + 38, &t, 4);
        return 60;
}

static struct fake *alb_bond(enum bg_mode m) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, m);
        pp.miimon = 100;
        struct fake *f = fake_new(m, &pp);
        return f;
}

Test(lacp_modes, alb_replies_spread_and_rx_is_rewritten) {
        struct fake *f = alb_bond(BG_MODE_BALANCE_ALB);
        struct bg_fwd *b = &f->b;
        struct bg_fwd_port *p0 = fake_enslave(f, "eth0", true), *p1 = fake_enslave(f, "eth1", true);
        cr_assert_eq(b->active, p0);
        cr_assert(!p1->backup, "TLB/ALB keep every port transmitting");

        uint8_t fr_buf[64], c1[6] = { 2, 0xcc, 0, 0, 0, 1 }, c2[6] = { 2, 0xcc, 0, 0, 0, 2 };
        struct bg_fwd_port *out[2];
        struct bg_fwd_frame fr = { .data = fr_buf, .cap = 64 };
        fr.len = arp_reply(fr_buf, b->mac, "10.0.0.2", c1, "10.0.0.11");
        cr_assert_eq(b->ops->select_tx(b, &fr, out, 2), 1);
        cr_assert_eq(out[0], p0);
        cr_assert_arr_eq(fr_buf + 22, b->mac, 6, "the active port answers with the bond MAC");
        fr.len = arp_reply(fr_buf, b->mac, "10.0.0.2", c2, "10.0.0.12");
        cr_assert_eq(b->ops->select_tx(b, &fr, out, 2), 1);
        cr_assert_eq(out[0], p1);
        cr_assert_arr_eq(fr_buf + 22, p1->perm_mac, 6, "ARP sender rewritten to eth1's MAC");
        cr_assert_arr_eq(fr_buf + 6, p1->perm_mac, 6, "and the Ethernet source");

        /* client 2 now sends to eth1's MAC: accepted there, for the bond */
        memset(fr_buf, 0, 64);
        memcpy(fr_buf, p1->perm_mac, 6);
        memcpy(fr_buf + 6, c2, 6);
        fr_buf[12] = 0x08;
        fr.len = 64;
        cr_assert(p1->rx_disabled);
        cr_assert_eq(b->ops->rx(b, p1, &fr), BG_FWD_RX_ACCEPT);
        cr_assert_arr_eq(fr_buf, b->mac, 6);
        /* broadcast on the inactive port is left to the rx-disabled rule */
        memset(fr_buf, 0xff, 6);
        cr_assert_eq(b->ops->rx(b, p1, &fr), BG_FWD_RX_PASS);

        /* eth1 fails: client 2 is told eth0's address (the bond MAC) */
        memset(f->sent, 0, sizeof(f->sent));
        bg_fwd_mon_carrier(b, p1, false);
        b->now += 100000;
        b->ops->tick(b);
        cr_assert(f->sent[0] >= 2, "ARP updates for the moved client on eth0");
        /* and frames still addressed to eth1's MAC are taken on eth0 */
        memcpy(fr_buf, p1->perm_mac, 6);
        cr_assert_eq(b->ops->rx(b, p0, &fr), BG_FWD_RX_ACCEPT);
        fake_free(f);
}

Test(lacp_modes, alb_active_change_swaps_addresses) {
        struct fake *f = alb_bond(BG_MODE_BALANCE_ALB);
        struct bg_fwd *b = &f->b;
        struct bg_fwd_port *p0 = fake_enslave(f, "eth0", true), *p1 = fake_enslave(f, "eth1", true);
        char *text = NULL;

        bg_fwd_mon_carrier(b, p0, false);
        cr_assert_eq(b->active, p1);
        cr_assert_eq(bg_fwd_status_render(b, BG_STW_PROC, &text), 0);
        /* eth1 answers to the bond MAC now, eth0 to eth1's old one */
        char want[64];
        snprintf(want, sizeof(want), "Wire HW addr: %02x:%02x:%02x:%02x:%02x:%02x", b->mac[0], b->mac[1],
                 b->mac[2], b->mac[3], b->mac[4], b->mac[5]);
        char *second = strstr(text, "Slave Interface: eth1");
        cr_assert_not_null(second);
        cr_assert_not_null(strstr(second, want), "%s", text);
        free(text);
        fake_free(f);
}

Test(lacp_modes, tlb_balances_unicast_ip_only) {
        struct fake *f = alb_bond(BG_MODE_BALANCE_TLB);
        struct bg_fwd *b = &f->b;
        struct bg_fwd_port *p0 = fake_enslave(f, "eth0", true), *p1 = fake_enslave(f, "eth1", true);
        uint8_t buf[64];
        struct bg_fwd_port *out[2];
        struct bg_fwd_frame fr = { .data = buf, .len = 64, .cap = 64 };

        /* load history builds up; after the 10 s rebalance flows spread */
        for (int s = 0; s < 101; s++) {
                for (uint8_t d = 1; d <= 8; d++) {
                        fr.len = eth_frame(buf, d);
                        cr_assert_eq(b->ops->select_tx(b, &fr, out, 2), 1);
                }
                b->now += 100000;
                b->ops->tick(b);
        }
        bool used[2] = { false, false };
        for (uint8_t d = 1; d <= 8; d++) {
                fr.len = eth_frame(buf, d);
                cr_assert_eq(b->ops->select_tx(b, &fr, out, 2), 1);
                used[out[0] == p1] = true;
                if (out[0] == p1)
                        cr_assert_arr_eq(buf + 6, p1->perm_mac, 6, "source rewritten off the active port");
                else
                        cr_assert_arr_eq(buf + 6, b->mac, 6);
        }
        cr_assert(used[0] && used[1]);
        /* broadcast is not balanced */
        memset(buf, 0xff, 6);
        cr_assert_eq(b->ops->select_tx(b, &fr, out, 2), 1);
        cr_assert_eq(out[0], p0);
        fake_free(f);
}

Test(lacp_modes, tlb_without_dynamic_lb_hashes_over_usable_ports) {
        struct bg_fwd_params pp;
        bg_fwd_params_default(&pp, BG_MODE_BALANCE_TLB);
        pp.miimon = 100;
        pp.tlb_dynamic_lb = 0;
        struct fake *f = fake_new(BG_MODE_BALANCE_TLB, &pp);
        struct bg_fwd *b = &f->b;
        struct bg_fwd_port *p0 = fake_enslave(f, "eth0", true), *p1 = fake_enslave(f, "eth1", true);
        uint8_t buf[64];
        struct bg_fwd_port *out[2];
        struct bg_fwd_frame fr = { .data = buf, .len = 64, .cap = 64 };

        /* layer2: (dst[5] ^ src[5] ^ 0x0800) % 2 = (d ^ 1) % 2, at once,
         * without any load history */
        for (uint8_t d = 1; d <= 4; d++) {
                fr.len = eth_frame(buf, d);
                cr_assert_eq(b->ops->select_tx(b, &fr, out, 2), 1);
                cr_assert_eq(out[0], ((d ^ 1) & 1) ? p1 : p0, "dst %u", d);
        }
        /* no monitor runs: no learning packets */
        memset(f->sent, 0, sizeof(f->sent));
        for (int i = 0; i < 30; i++) {
                b->now += 100000;
                b->ops->tick(b);
        }
        cr_assert_eq(f->sent[0] + f->sent[1], 0);
        fake_free(f);
}
