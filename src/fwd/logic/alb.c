/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TLB transmit table and ALB client table (drivers/net/bonding/bond_alb.c), in the
 * kernel's terms: tlb_choose_channel, tlb_clear_slave, the 10 s rebalance,
 * rlb_choose_channel, rlb_arp_recv, rlb_clear_slave, rlb_rebalance and the
 * delayed, repeated client updates.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/alb.h"

struct bg_alb {
        bool rlb;
        struct bg_alb_ops ops;
        void *userdata;
        uint8_t bond_mac[6];
        struct bg_alb_slave slaves[BG_ALB_MAX_SLAVES];
        int active;

        /* TLB */
        struct bg_tlb_entry tx[BG_TLB_TABLE_SIZE];
        uint64_t load[BG_ALB_MAX_SLAVES];
        uint64_t unbalanced;
        unsigned tx_rebalance_counter;

        /* RLB */
        struct bg_rlb_client rx[BG_RLB_TABLE_SIZE];
        int rx_slave;                 /* last slave handed out round-robin */
        bool rx_ntt;
        bool rx_rebalance;
        unsigned update_delay;
        unsigned update_retry;
};

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static bool valid_unicast(const uint8_t m[6]) {
        static const uint8_t zero[6];
        return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

uint8_t bg_alb_simple_hash(const uint8_t *p, size_t n) {
        uint8_t h = 0;
        for (size_t i = 0; i < n; i++)
                h ^= p[i];
        return h;
}

static bool slot_ok(int s) {
        return s >= 0 && s < BG_ALB_MAX_SLAVES;
}

static bool can_tx(const struct bg_alb *a, int s) {
        return slot_ok(s) && a->slaves[s].used && a->slaves[s].can_tx;
}

int bg_alb_new(bool rlb, const struct bg_alb_ops *ops, void *userdata, struct bg_alb **ret) {
        struct bg_alb *a = calloc(1, sizeof(*a));

        if (!a)
                return -ENOMEM;
        a->rlb = rlb;
        if (ops)
                a->ops = *ops;
        a->userdata = userdata;
        a->active = -1;
        a->rx_slave = -1;
        for (int i = 0; i < BG_TLB_TABLE_SIZE; i++)
                a->tx[i].slave = -1;
        for (int i = 0; i < BG_RLB_TABLE_SIZE; i++)
                a->rx[i].slave = -1;
        *ret = a;
        return 0;
}

void bg_alb_free(struct bg_alb *a) {
        free(a);
}

void bg_alb_set_bond_mac(struct bg_alb *a, const uint8_t mac[6]) {
        memcpy(a->bond_mac, mac, 6);
}

void bg_alb_set_active(struct bg_alb *a, int slot) {
        a->active = slot_ok(slot) && a->slaves[slot].used ? slot : -1;
}

int bg_alb_active(const struct bg_alb *a) {
        return a->active;
}

/* ---- TLB ------------------------------------------------------------- */

static void tlb_clear_slave(struct bg_alb *a, int slot, bool save_load) {
        for (int i = 0; i < BG_TLB_TABLE_SIZE; i++) {
                struct bg_tlb_entry *e = &a->tx[i];
                if (e->slave != slot)
                        continue;
                if (save_load) {
                        e->load_history = 1 + e->tx_bytes / 10;
                        e->tx_bytes = 0;
                }
                e->slave = -1;
        }
        a->load[slot] = 0;
}

static int tlb_least_loaded(const struct bg_alb *a) {
        int64_t max_gap = INT64_MIN;
        int best = -1;

        for (int s = 0; s < BG_ALB_MAX_SLAVES; s++) {
                if (!can_tx(a, s))
                        continue;
                int64_t gap = ((int64_t) a->slaves[s].speed << 20) - (int64_t) (a->load[s] << 3);
                if (gap > max_gap) {
                        max_gap = gap;
                        best = s;
                }
        }
        return best;
}

int bg_tlb_choose(struct bg_alb *a, uint8_t idx, size_t len) {
        struct bg_tlb_entry *e = &a->tx[idx];

        if (e->slave >= 0 && !can_tx(a, e->slave)) {
                /* the kernel drops the frame and clears the slave; we pick
                 * another at once instead of losing it */
                tlb_clear_slave(a, e->slave, false);
        }
        if (e->slave < 0) {
                int s = tlb_least_loaded(a);
                if (s < 0)
                        return -1;
                e->slave = (int16_t) s;
                a->load[s] += e->load_history;
        }
        e->tx_bytes += len;
        return e->slave;
}

void bg_tlb_unbalanced(struct bg_alb *a, size_t len) {
        a->unbalanced += len;
}

uint64_t bg_tlb_slave_load(const struct bg_alb *a, int slot) {
        return slot_ok(slot) ? a->load[slot] : 0;
}

const struct bg_tlb_entry *bg_tlb_entry(const struct bg_alb *a, uint8_t idx) {
        return &a->tx[idx];
}

static void tlb_rebalance(struct bg_alb *a) {
        for (int s = 0; s < BG_ALB_MAX_SLAVES; s++) {
                if (!a->slaves[s].used)
                        continue;
                tlb_clear_slave(a, s, true);
                if (s == a->active) {
                        a->load[s] = a->unbalanced / 10;
                        a->unbalanced = 0;
                }
        }
}

/* ---- RLB ------------------------------------------------------------- */

/* __rlb_next_rx_slave: round-robin over the slaves that can transmit,
 * preferring the fastest. */
static int rlb_next_rx_slave(struct bg_alb *a) {
        int before = -1, after = -1;
        bool found = false;

        for (int s = 0; s < BG_ALB_MAX_SLAVES; s++) {
                if (!can_tx(a, s))
                        continue;
                if (!found) {
                        if (before < 0 || a->slaves[before].speed < a->slaves[s].speed)
                                before = s;
                } else if (after < 0 || a->slaves[after].speed < a->slaves[s].speed)
                        after = s;
                if (s == a->rx_slave)
                        found = true;
        }
        if (after < 0 || (before >= 0 && a->slaves[after].speed < a->slaves[before].speed))
                after = before;
        if (after >= 0)
                a->rx_slave = after;
        return after;
}

static void rlb_update_client(struct bg_alb *a, const struct bg_rlb_client *c) {
        uint8_t buf[64];
        int n;

        if (!can_tx(a, c->slave) || !valid_unicast(c->mac_dst) || !a->ops.send)
                return;
        n = bg_alb_build_arp_update(buf, sizeof(buf), c, a->slaves[c->slave].mac);
        if (n < 0)
                return;
        for (int i = 0; i < BG_RLB_ARP_BURST; i++)
                a->ops.send(a->userdata, c->slave, buf, (size_t) n);
}

static void send_learning(struct bg_alb *a, int slot, const uint8_t mac[6]) {
        uint8_t buf[60];

        if (can_tx(a, slot) && a->ops.send && bg_alb_build_learning(buf, sizeof(buf), mac) > 0)
                a->ops.send(a->userdata, slot, buf, sizeof(buf));
}

static void rlb_clear_slave(struct bg_alb *a, int slot, const uint8_t old_mac[6]) {
        for (int i = 0; i < BG_RLB_TABLE_SIZE; i++) {
                struct bg_rlb_client *c = &a->rx[i];
                if (!c->assigned || c->slave != slot)
                        continue;
                int s = rlb_next_rx_slave(a);
                c->slave = (int16_t) s;
                if (s >= 0 && valid_unicast(c->mac_dst)) {
                        c->ntt = true;
                        a->rx_ntt = true;
                        /* retry: clients under stress miss single updates */
                        a->update_retry = BG_RLB_UPDATE_RETRY;
                        /* Unlike the kernel, do not sit out what is left of
                         * the 2 s gap after the last round: that gap lets a
                         * broadcast ARP request fade, and none is involved. */
                        a->update_delay = 0;
                }
        }
        if (a->rx_slave == slot)
                a->rx_slave = -1;
        /* until the clients update, frames to the lost slave's MAC must find
         * the active slave: teach the switch (rlb_teach_disabled_mac_on_primary) */
        if (slot != a->active && a->active >= 0)
                send_learning(a, a->active, old_mac);
}

static void rlb_rebalance(struct bg_alb *a) {
        for (int i = 0; i < BG_RLB_TABLE_SIZE; i++) {
                struct bg_rlb_client *c = &a->rx[i];
                if (!c->assigned)
                        continue;
                int s = rlb_next_rx_slave(a);
                if (s >= 0 && c->slave != s) {
                        c->slave = (int16_t) s;
                        if (valid_unicast(c->mac_dst)) {
                                c->ntt = true;
                                a->rx_ntt = true;
                        }
                }
        }
}

static int rlb_choose_channel(struct bg_alb *a, const struct bg_arp *arp) {
        struct bg_rlb_client *c = &a->rx[bg_alb_simple_hash((const uint8_t *) &arp->tip, 4)];

        if (c->assigned) {
                if (c->ip_src == arp->sip && c->ip_dst == arp->tip) {
                        if (memcmp(arp->tha, bcast, 6) != 0)
                                memcpy(c->mac_dst, arp->tha, 6);
                        memcpy(c->mac_src, arp->sha, 6);
                        if (can_tx(a, c->slave))
                                return c->slave;
                } else if (a->active >= 0 && c->slave != a->active) {
                        /* another client owns the entry: send that one to
                         * the active slave so this one can take the entry */
                        c->slave = (int16_t) a->active;
                        rlb_update_client(a, c);
                }
        }
        int s = rlb_next_rx_slave(a);
        if (s < 0)
                return -1;
        c->ip_src = arp->sip;
        c->ip_dst = arp->tip;
        memcpy(c->mac_dst, arp->tha, 6);
        memcpy(c->mac_src, arp->sha, 6);
        c->slave = (int16_t) s;
        c->ntt = valid_unicast(c->mac_dst);
        if (c->ntt)
                a->rx_ntt = true;
        c->vlan = arp->vlan;
        c->assigned = true;
        return s;
}

static bool is_our_mac(const struct bg_alb *a, const uint8_t m[6]) {
        if (memcmp(m, a->bond_mac, 6) == 0)
                return true;
        for (int s = 0; s < BG_ALB_MAX_SLAVES; s++)
                if (a->slaves[s].used && memcmp(a->slaves[s].mac, m, 6) == 0)
                        return true;
        return false;
}

int bg_rlb_arp_xmit(struct bg_alb *a, uint8_t *frame, size_t len, const struct bg_arp *arp) {
        int s = -1;

        if (!a->rlb || !is_our_mac(a, arp->sha) || arp->arp_off + 28 > len)
                return -1;
        if (arp->op == 2) {
                s = rlb_choose_channel(a, arp);
                if (s >= 0)
                        memcpy(frame + arp->arp_off + 8, a->slaves[s].mac, 6);
        } else if (arp->op == 1) {
                s = rlb_choose_channel(a, arp);
                /* let the broadcast request's effect on the clients fade
                 * before telling them their slave again */
                a->update_delay = BG_RLB_UPDATE_DELAY_TICKS;
                /* rlb_req_update_subnet_clients: the broadcast request taught
                 * every client on this subnet the bond MAC */
                for (int i = 0; i < BG_RLB_TABLE_SIZE; i++) {
                        struct bg_rlb_client *c = &a->rx[i];
                        if (!c->assigned || !slot_ok(c->slave) || c->ip_src != arp->sip)
                                continue;
                        if (memcmp(a->slaves[c->slave].mac, a->bond_mac, 6) != 0 &&
                            memcmp(c->mac_dst, bcast, 6) != 0) {
                                c->ntt = true;
                                a->rx_ntt = true;
                        }
                }
        }
        return s;
}

void bg_rlb_arp_recv(struct bg_alb *a, const struct bg_arp *arp) {
        if (!a->rlb)
                return;
        /* another host now answers for one of the addresses we served from:
         * forget those clients (rlb_purge_src_ip) */
        for (int i = 0; i < BG_RLB_TABLE_SIZE; i++) {
                struct bg_rlb_client *c = &a->rx[i];
                if (c->assigned && c->ip_src == arp->sip && memcmp(c->mac_src, arp->sha, 6) != 0) {
                        memset(c, 0, sizeof(*c));
                        c->slave = -1;
                }
        }
        if (arp->op != 2)
                return;
        struct bg_rlb_client *c = &a->rx[bg_alb_simple_hash((const uint8_t *) &arp->sip, 4)];
        if (c->assigned && c->ip_src == arp->tip && c->ip_dst == arp->sip &&
            memcmp(c->mac_dst, arp->sha, 6) != 0) {
                memcpy(c->mac_dst, arp->sha, 6);
                c->ntt = true;
                a->rx_ntt = true;
        }
}

const struct bg_rlb_client *bg_rlb_client(const struct bg_alb *a, uint32_t ip) {
        const struct bg_rlb_client *c = &a->rx[bg_alb_simple_hash((const uint8_t *) &ip, 4)];
        return c->assigned && c->ip_dst == ip ? c : NULL;
}

unsigned bg_rlb_count_on(const struct bg_alb *a, int slot) {
        unsigned n = 0;
        for (int i = 0; i < BG_RLB_TABLE_SIZE; i++)
                if (a->rx[i].assigned && a->rx[i].slave == slot)
                        n++;
        return n;
}

static void rlb_update_rx_clients(struct bg_alb *a) {
        for (int i = 0; i < BG_RLB_TABLE_SIZE; i++) {
                struct bg_rlb_client *c = &a->rx[i];
                if (!c->assigned || !c->ntt)
                        continue;
                rlb_update_client(a, c);
                if (a->update_retry == 0)
                        c->ntt = false;
        }
        a->update_delay = BG_RLB_UPDATE_DELAY_TICKS;
}

/* ---- slaves and time ------------------------------------------------- */

int bg_alb_slave_set(struct bg_alb *a, int slot, const struct bg_alb_slave *s) {
        if (!slot_ok(slot))
                return -EINVAL;
        struct bg_alb_slave old = a->slaves[slot];
        bool was = old.used && old.can_tx, is = s->used && s->can_tx;

        a->slaves[slot] = *s;
        if (was && !is) {
                tlb_clear_slave(a, slot, false);
                if (a->rlb)
                        rlb_clear_slave(a, slot, old.mac);
        } else if (is && !was) {
                /* rebalance tx at the next tick and rx clients soon after */
                a->tx_rebalance_counter = BG_TLB_REBALANCE_TICKS;
                if (a->rlb)
                        a->rx_rebalance = true;
        } else if (is && a->rlb && memcmp(old.mac, s->mac, 6) != 0) {
                /* the slave answers to another MAC now (active change):
                 * its clients must learn it */
                for (int i = 0; i < BG_RLB_TABLE_SIZE; i++)
                        if (a->rx[i].assigned && a->rx[i].slave == slot && valid_unicast(a->rx[i].mac_dst)) {
                                a->rx[i].ntt = true;
                                a->rx_ntt = true;
                        }
        }
        return 0;
}

int bg_alb_slave_remove(struct bg_alb *a, int slot) {
        if (!slot_ok(slot) || !a->slaves[slot].used)
                return -ENOENT;
        struct bg_alb_slave gone = { 0 };
        bg_alb_slave_set(a, slot, &gone);
        /* a slave that could not transmit still owns entries nobody uses */
        tlb_clear_slave(a, slot, false);
        if (a->rlb)
                for (int i = 0; i < BG_RLB_TABLE_SIZE; i++)
                        if (a->rx[i].slave == slot)
                                a->rx[i].slave = -1;
        if (a->active == slot)
                a->active = -1;
        if (a->rx_slave == slot)
                a->rx_slave = -1;
        return 0;
}

void bg_alb_tick(struct bg_alb *a) {
        if (++a->tx_rebalance_counter >= BG_TLB_REBALANCE_TICKS) {
                tlb_rebalance(a);
                a->tx_rebalance_counter = 0;
        }
        if (!a->rlb)
                return;
        if (a->rx_rebalance) {
                rlb_rebalance(a);
                a->rx_rebalance = false;
        }
        if (a->rx_ntt) {
                if (a->update_delay)
                        a->update_delay--;
                else {
                        rlb_update_rx_clients(a);
                        if (a->update_retry)
                                a->update_retry--;
                        else
                                a->rx_ntt = false;
                }
        }
}

/* ---- frames ---------------------------------------------------------- */

static uint16_t get16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

int bg_alb_parse_arp(const uint8_t *f, size_t len, struct bg_arp *r) {
        size_t off = 12;
        uint16_t vlan = 0;

        if (len < 14)
                return -EBADMSG;
        uint16_t type = get16(f + off);
        if (type == 0x8100 || type == 0x88a8) {
                if (len < 18)
                        return -EBADMSG;
                vlan = get16(f + 14) & 0x0fff;
                off += 4;
                type = get16(f + off);
        }
        off += 2;
        if (type != 0x0806)
                return -ENOMSG;
        if (len < off + 28)
                return -EBADMSG;
        const uint8_t *p = f + off;
        /* Ethernet/IPv4 ARP only */
        if (get16(p) != 1 || get16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4)
                return -EBADMSG;
        memset(r, 0, sizeof(*r));
        r->op = get16(p + 6);
        memcpy(r->sha, p + 8, 6);
        memcpy(&r->sip, p + 14, 4);
        memcpy(r->tha, p + 18, 6);
        memcpy(&r->tip, p + 24, 4);
        r->vlan = vlan;
        r->arp_off = off;
        return 0;
}

int bg_alb_build_arp_update(uint8_t *buf, size_t size, const struct bg_rlb_client *c, const uint8_t smac[6]) {
        size_t off = 12, n = c->vlan ? 64 : 60;

        if (size < n)
                return -ENOBUFS;
        memset(buf, 0, n);
        memcpy(buf, c->mac_dst, 6);
        memcpy(buf + 6, smac, 6);
        if (c->vlan) {
                buf[12] = 0x81;
                buf[13] = 0x00;
                buf[14] = (c->vlan >> 8) & 0x0f;
                buf[15] = c->vlan & 0xff;
                off += 4;
        }
        uint8_t *p = buf + off;
        p[0] = 0x08, p[1] = 0x06;
        p += 2;
        p[0] = 0, p[1] = 1;             /* Ethernet */
        p[2] = 0x08, p[3] = 0x00;       /* IPv4 */
        p[4] = 6, p[5] = 4;
        p[6] = 0, p[7] = 2;             /* reply */
        memcpy(p + 8, smac, 6);
        memcpy(p + 14, &c->ip_src, 4);
        memcpy(p + 18, c->mac_dst, 6);
        memcpy(p + 24, &c->ip_dst, 4);
        return (int) n;
}

int bg_alb_build_learning(uint8_t *buf, size_t size, const uint8_t mac[6]) {
        if (size < 60)
                return -ENOBUFS;
        memset(buf, 0, 60);
        memcpy(buf, mac, 6);
        memcpy(buf + 6, mac, 6);
        buf[12] = BG_ALB_LEARN_ETHERTYPE >> 8;
        buf[13] = BG_ALB_LEARN_ETHERTYPE & 0xff;
        return 60;
}
