/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * balance-tlb and balance-alb (drivers/net/bonding/bond_alb.c): the tables
 * of alb.c wired into the forwarder.
 *
 * MACs: ports keep their own hardware MACs (we are promiscuous and write
 * the source ourselves). Each port has a "wire MAC", the address it sends
 * from and answers to, as the kernel's slave dev_addr: the active port's is
 * the bond MAC, every other port's a permanent MAC of its own; on an active
 * change the new and old active ports swap, as the kernel swaps hardware
 * addresses. Frames to a port's wire MAC are rewritten to the bond MAC
 * before they enter the TAP, because the TAP only takes its own.
 */
#include <string.h>
#include <syslog.h>

#include "fwd/logic/alb.h"
#include "fwd/logic/fwd.h"

struct tlbm {
        struct bg_alb *a;
        bool rlb;
        struct bg_fwd *b;
        struct bg_fwd_port *slots[BG_ALB_MAX_SLAVES];
        struct bg_fwd_port *usable[BG_FWD_MAX_PORTS];   /* tlb_dynamic_lb=0 */
        size_t n;
        unsigned lp_ticks;
};

struct tlbm_port {
        int slot;
        bool added;
        uint8_t wire[6];
};

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int tlbm_send(void *userdata, int slot, const void *frame, size_t len) {
        struct tlbm *t = userdata;
        struct bg_fwd_port *p = slot >= 0 && slot < BG_ALB_MAX_SLAVES ? t->slots[slot] : NULL;
        uint8_t buf[128];
        struct bg_fwd_frame fr = { .data = buf + BG_FWD_HEADROOM, .len = len,
                                   .cap = sizeof(buf) - BG_FWD_HEADROOM };

        if (!p || len > sizeof(buf) - BG_FWD_HEADROOM)
                return -EINVAL;
        memcpy(fr.data, frame, len);
        return bg_fwd_port_send(t->b, p, &fr);
}

static void sync_slave(struct tlbm *t, struct bg_fwd_port *p) {
        struct tlbm_port *tp = p->mode_priv;
        struct bg_alb_slave s = { .used = true, .can_tx = bg_fwd_port_can_tx(p), .speed = p->speed_mbps };

        memcpy(s.mac, tp->wire, 6);
        (void) bg_alb_slave_set(t->a, tp->slot, &s);
}

static void rebuild(struct tlbm *t) {
        struct bg_fwd *b = t->b;

        t->n = 0;
        for (size_t i = 0; i < b->n_ports; i++)
                if (((struct tlbm_port *) b->ports[i]->mode_priv)->added && bg_fwd_port_can_tx(b->ports[i]))
                        t->usable[t->n++] = b->ports[i];
}

static int tlbm_init(struct bg_fwd *b) {
        struct tlbm *t = b->mode_priv;
        static const struct bg_alb_ops ops = { .send = tlbm_send };

        t->b = b;
        t->rlb = b->p.mode == BG_MODE_BALANCE_ALB;
        return bg_alb_new(t->rlb, &ops, t, &t->a);
}

static void tlbm_done(struct bg_fwd *b) {
        struct tlbm *t = b->mode_priv;
        bg_alb_free(t->a);
        t->a = NULL;
}

static bool wire_in_use(struct bg_fwd *b, const uint8_t m[6], const struct bg_fwd_port *except) {
        for (size_t i = 0; i < b->n_ports; i++) {
                struct tlbm_port *tp = b->ports[i]->mode_priv;
                if (b->ports[i] != except && tp->added && !memcmp(tp->wire, m, 6))
                        return true;
        }
        return !memcmp(b->mac, m, 6);
}

static const uint8_t *perm_of(const struct bg_fwd_port *p) {
        return bg_mac_is_zero(p->perm_mac) ? p->mac : p->perm_mac;
}

static int tlbm_port_added(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct tlbm *t = b->mode_priv;
        struct tlbm_port *tp = p->mode_priv;
        int slot = -1;

        for (int i = 0; i < BG_ALB_MAX_SLAVES; i++)
                if (!t->slots[i]) {
                        slot = i;
                        break;
                }
        if (slot < 0)
                return -E2BIG;
        bg_alb_set_bond_mac(t->a, b->mac);
        memcpy(tp->wire, perm_of(p), 6);
        /* A port whose own MAC is already the bond's (it was stolen from it)
         * or another port's takes a free permanent MAC of another port
         * (alb_handle_addr_collision_on_attach). */
        if (wire_in_use(b, tp->wire, p) && !(b->n_ports == 1))
                for (size_t i = 0; i < b->n_ports; i++) {
                        const uint8_t *m = perm_of(b->ports[i]);
                        if (b->ports[i] != p && !bg_mac_is_zero(m) && !wire_in_use(b, m, p)) {
                                memcpy(tp->wire, m, 6);
                                break;
                        }
                }
        tp->slot = slot;
        tp->added = true;
        t->slots[slot] = p;
        bg_fwd_port_set_inactive_flags(b, p);
        sync_slave(t, p);
        rebuild(t);
        return 0;
}

static void tlbm_port_removed(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct tlbm *t = b->mode_priv;
        struct tlbm_port *tp = p->mode_priv;

        if (!tp->added)
                return;
        tp->added = false;
        (void) bg_alb_slave_remove(t->a, tp->slot);
        t->slots[tp->slot] = NULL;
        rebuild(t);
}

static void tlbm_link_changed(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct tlbm *t = b->mode_priv;
        struct tlbm_port *tp = p->mode_priv;

        if (!tp->added)
                return;
        sync_slave(t, p);
        rebuild(t);
}

static void send_learning(struct tlbm *t, struct bg_fwd_port *p) {
        struct tlbm_port *tp = p->mode_priv;
        uint8_t buf[60];

        if (tp->added && bg_fwd_port_can_tx(p) && bg_alb_build_learning(buf, sizeof(buf), tp->wire) > 0)
                (void) tlbm_send(t, tp->slot, buf, sizeof(buf));
}

static void tlbm_active_changed(struct bg_fwd *b, struct bg_fwd_port *old, struct bg_fwd_port *new_) {
        struct tlbm *t = b->mode_priv;
        uint8_t prev[6];

        if (old)
                bg_fwd_port_set_inactive_flags(b, old);
        if (!new_) {
                bg_alb_set_active(t->a, -1);
                return;
        }
        struct tlbm_port *np = new_->mode_priv;
        bg_fwd_port_set_active_flags(b, new_);
        if (!np->added)
                return;

        /* the new active port answers to the bond MAC; whoever held it
         * takes the new port's old address (a swap, as the kernel's) */
        struct bg_fwd_port *holder = old;
        if (!holder || !((struct tlbm_port *) holder->mode_priv)->added ||
            memcmp(((struct tlbm_port *) holder->mode_priv)->wire, b->mac, 6))
                holder = NULL;
        for (size_t i = 0; !holder && i < b->n_ports; i++) {
                struct tlbm_port *q = b->ports[i]->mode_priv;
                if (b->ports[i] != new_ && q->added && !memcmp(q->wire, b->mac, 6))
                        holder = b->ports[i];
        }
        memcpy(prev, np->wire, 6);
        memcpy(np->wire, b->mac, 6);
        bg_alb_set_active(t->a, np->slot);
        sync_slave(t, new_);
        if (holder) {
                memcpy(((struct tlbm_port *) holder->mode_priv)->wire, prev, 6);
                sync_slave(t, holder);
                send_learning(t, holder);
        }
        send_learning(t, new_);
}

static bool nd_frame(const uint8_t *f, size_t len, size_t nh) {
        /* ICMPv6 directly after the IPv6 header, types 133-137 */
        return len >= nh + 41 && f[nh + 6] == 58 && f[nh + 40] >= 133 && f[nh + 40] <= 137;
}

/* -1: not balanced (goes to the active port); else the table index */
static int balance_index(struct tlbm *t, struct bg_fwd_frame *fr, uint32_t *hash) {
        struct bg_fwd *b = t->b;
        struct bg_fwd_l2 l2;
        const uint8_t *f = fr->data;
        static const uint8_t all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };

        if (bg_fwd_frame_l2(f, fr->len, &l2) < 0)
                return -1;
        *hash = bg_fwd_xmit_hash(b->p.xmit_hash_policy, f, fr->len);
        if (!t->rlb) {
                /* bond_tlb_xmit: unicast IPv4, IPv6 but neighbour discovery */
                if (f[0] & 1)
                        return -1;
                if (l2.proto == 0x0800 || (l2.proto == 0x86dd && !nd_frame(f, fr->len, l2.nhoff)))
                        return (int) (*hash & 0xff);
                return -1;
        }
        /* bond_alb_xmit: the XOR of the destination address bytes */
        if (l2.proto == 0x0800 && fr->len >= l2.nhoff + 20) {
                const uint8_t *ip = f + l2.nhoff;
                if (!memcmp(f, bcast, 6) || !memcmp(ip + 16, bcast, 4) || ip[9] == 2 /* IGMP */)
                        return -1;
                return bg_alb_simple_hash(ip + 16, 4);
        }
        if (l2.proto == 0x86dd && fr->len >= l2.nhoff + 40) {
                const uint8_t *ip = f + l2.nhoff;
                static const uint8_t any[16];
                if (!memcmp(f, bcast, 6) || !memcmp(f, all_nodes, 6) || !memcmp(ip + 8, any, 16) ||
                    nd_frame(f, fr->len, l2.nhoff))
                        return -1;
                return bg_alb_simple_hash(ip + 24, 16);
        }
        return -1;
}

static int tlbm_select(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out, size_t max) {
        struct tlbm *t = b->mode_priv;
        struct bg_fwd_port *p = NULL;
        uint32_t hash = 0;
        struct bg_arp arp;
        int idx, slot = -1;

        if (!max || fr->len < 14)
                return 0;
        if (t->rlb && bg_alb_parse_arp(fr->data, fr->len, &arp) == 0) {
                slot = bg_rlb_arp_xmit(t->a, fr->data, fr->len, &arp);
                p = slot >= 0 ? t->slots[slot] : NULL;
        } else if ((idx = balance_index(t, fr, &hash)) >= 0) {
                if (b->p.tlb_dynamic_lb) {
                        slot = bg_tlb_choose(t->a, (uint8_t) idx, fr->len);
                        p = slot >= 0 ? t->slots[slot] : NULL;
                } else if (t->n)
                        p = t->usable[hash % t->n];
        }
        if (!p) {
                /* unbalanced or unassigned: the active port (bond_do_alb_xmit) */
                p = b->active;
                if (p && b->p.tlb_dynamic_lb)
                        bg_tlb_unbalanced(t->a, fr->len);
        }
        if (!p || !bg_fwd_port_can_tx(p))
                return 0;
        if (p != b->active)
                memcpy(fr->data + 6, ((struct tlbm_port *) p->mode_priv)->wire, 6);
        out[0] = p;
        return 1;
}

static enum bg_fwd_rx tlbm_rx(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_frame *fr) {
        struct tlbm *t = b->mode_priv;
        struct tlbm_port *tp = p->mode_priv;
        struct bg_arp arp;

        if (!tp->added || fr->len < 14)
                return BG_FWD_RX_PASS;
        if (t->rlb && bg_alb_parse_arp(fr->data, fr->len, &arp) == 0)
                bg_rlb_arp_recv(t->a, &arp);
        if (fr->data[0] & 1 || !memcmp(fr->data, b->mac, 6))
                return BG_FWD_RX_PASS;
        if (!memcmp(fr->data, tp->wire, 6)) {
                memcpy(fr->data, b->mac, 6);
                /* ALB receives unicast on every port
                 * (bond_main.c:bond_should_deliver_exact_match()) */
                return t->rlb ? BG_FWD_RX_ACCEPT : BG_FWD_RX_PASS;
        }
        /* the MAC of a port that failed was taught to the active port
         * (rlb_teach_disabled_mac_on_primary): take it there */
        if (p == b->active)
                for (size_t i = 0; i < b->n_ports; i++) {
                        struct tlbm_port *q = b->ports[i]->mode_priv;
                        if (q->added && !bg_fwd_port_can_tx(b->ports[i]) && !memcmp(fr->data, q->wire, 6)) {
                                memcpy(fr->data, b->mac, 6);
                                return BG_FWD_RX_ACCEPT;
                        }
                }
        return BG_FWD_RX_PASS;
}

static void tlbm_tick(struct bg_fwd *b) {
        struct tlbm *t = b->mode_priv;

        bg_alb_set_bond_mac(t->a, b->mac);
        /* a TLB bond without dynamic balancing runs no monitor
         * (bond_alb.c:bond_alb_monitor()) */
        if (!t->rlb && !b->p.tlb_dynamic_lb)
                return;
        bg_alb_tick(t->a);
        if (b->p.lp_interval && ++t->lp_ticks >= b->p.lp_interval * 10) {
                t->lp_ticks = 0;
                for (size_t i = 0; i < b->n_ports; i++)
                        send_learning(t, b->ports[i]);
        }
}

static void tlbm_status_port(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_stw *w) {
        struct tlbm *t = b->mode_priv;
        struct tlbm_port *tp = p->mode_priv;
        const uint8_t *m = tp->wire;

        if (!tp->added)
                return;
        bg_fwd_stw_kv(w, "Wire HW addr", "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        bg_fwd_stw_kv(w, "TLB load", "%llu", (unsigned long long) bg_tlb_slave_load(t->a, tp->slot));
        if (t->rlb)
                bg_fwd_stw_kv(w, "RLB clients", "%u", bg_rlb_count_on(t->a, tp->slot));
}

/* balance-tlb and balance-alb share every hook; the mode number alone
 * (t->rlb, set in tlbm_init) switches receive load balancing on. */
#define TLB_FAMILY_OPS(name_, mode_) {                          \
        .name = name_,                                          \
        .mode = mode_,                                          \
        .priv_size = sizeof(struct tlbm),                       \
        .port_priv_size = sizeof(struct tlbm_port),             \
        .tick_usec = BG_ALB_TICK_USEC,                          \
        .uses_active = true,                                    \
        .ports_use_bond_mac = false,                            \
        .init = tlbm_init,                                      \
        .done = tlbm_done,                                      \
        .port_added = tlbm_port_added,                          \
        .port_removed = tlbm_port_removed,                      \
        .link_changed = tlbm_link_changed,                      \
        .active_changed = tlbm_active_changed,                  \
        .select_tx = tlbm_select,                               \
        .rx = tlbm_rx,                                          \
        .tick = tlbm_tick,                                      \
        .status_port = tlbm_status_port,                        \
}

const struct bg_fwd_mode_ops bg_fwd_mode_tlb = TLB_FAMILY_OPS("balance-tlb", BG_MODE_BALANCE_TLB);
const struct bg_fwd_mode_ops bg_fwd_mode_alb = TLB_FAMILY_OPS("balance-alb", BG_MODE_BALANCE_ALB);
