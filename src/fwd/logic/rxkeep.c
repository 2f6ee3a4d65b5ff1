/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What an inactive port's packet socket must still take, and the classic
 * BPF socket filter that keeps exactly that.
 *
 * The kernel drops an inactive port's frames in bond_handle_frame(): its
 * rx_handler first runs the mode's or the monitor's receive probe
 * (bond->recv_probe: bond_3ad_lacpdu_recv() in 802.3ad, rlb_arp_recv()
 * in balance-alb, bond_rcv_validate() with the ARP/NS monitor), then
 * bond_should_deliver_exact_match() keeps the frame from the bond
 * (RX_HANDLER_EXACT) unless the mode is balance-alb and the frame is not
 * broadcast or multicast. Link-local frames go up the port itself; here
 * the ports' nftables ingress drop lets them through (io/ingress.c).
 * bondgend reads a port through an AF_PACKET socket, so every frame the
 * bond ends up dropping would still be copied into user space, woken up
 * for and read: a broadcast storm on an inactive link cost a read per
 * frame. A socket filter runs before the copy, so what no probe reads
 * costs the kernel's receive path only, as with the kernel bond.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>

#include "fwd/logic/fwd.h"

/* bond_main.c:slave_do_arp_validate(): the bits of arp_validate name
 * the states validated (bit 0 active, bit 1 backup); "filter" (4) alone
 * validates neither. */
static bool validated(const struct bg_fwd *b, const struct bg_fwd_port *p) {
        unsigned v = b->p.arp_validate;

        if (v == BG_ARPV_FILTER)
                return false;
        return (p->backup ? v & 2 : v & 1) != 0;
}

void bg_fwd_rx_keep(const struct bg_fwd *b, const struct bg_fwd_port *p, struct bg_fwd_keep *k) {
        *k = (struct bg_fwd_keep){};
        if (!p->rx_disabled) {
                k->what = BG_FWD_KEEP_ALL;
                return;
        }
        switch (b->p.mode) {
        case BG_MODE_ACTIVE_BACKUP:
        case BG_MODE_BALANCE_TLB:
                break;
        case BG_MODE_BALANCE_ALB:
                /* rlb_arp_recv() reads ARP on every port (tlb.c's rx hook
                 * likewise); unicast is delivered from every port
                 * (receive load balancing) */
                k->what |= BG_FWD_KEEP_UNICAST | BG_FWD_KEEP_ARP;
                break;
        case BG_MODE_8023AD:
                /* bond_3ad_lacpdu_recv() on every port (3ad.c's rx hook) */
                k->what |= BG_FWD_KEEP_LACP;
                break;
        default:
                /* no other mode makes a port inactive */
                k->what = BG_FWD_KEEP_ALL;
                return;
        }
        if (!b->p.arp_interval)
                return;
        /* bond_rcv_validate(): without validation any frame is a receive
         * (arpmon.c: bg_fwd_mon_rx()); with "filter" any ARP or IPv6
         * frame (slave_do_arp_validate_only()) */
        if (!validated(b, p)) {
                if (b->p.arp_validate >= BG_ARPV_FILTER)
                        k->what |= BG_FWD_KEEP_ARP | BG_FWD_KEEP_IPV6;
                else
                        k->what = BG_FWD_KEEP_ALL;
                return;
        }
        /* validated: bond_arp_rcv() counts an ARP whose sender or (on a
         * backup, swapped) target is an arp_ip_target, bond_na_rcv() an
         * NS or NA right after the IPv6 header */
        if (b->p.n_arp_targets) {
                k->what |= BG_FWD_KEEP_ARP_TARGETS;
                k->targets = b->p.arp_targets;
                k->n_targets = b->p.n_arp_targets;
        }
        if (b->p.n_ns_targets)
                k->what |= BG_FWD_KEEP_NDISC;
}

/* ---- the program ---- */

enum { L_NEXT = -1, L_KEEP, L_DROP, L_TAG, L_ARP14, L_ARP18, L_V614, L_V618, L_SLOW, L__N };

struct prog {
        struct sock_filter *f;
        size_t n, max;
        int at[L__N];           /* where each label is, -1 not yet */
        struct fix {
                size_t insn;
                int8_t jt, jf;  /* labels, L_NEXT for the next instruction */
        } fix[256];
        size_t n_fix;
        bool full;
};

static void stmt(struct prog *g, uint16_t code, uint32_t k) {
        if (g->n >= g->max) {
                g->full = true;
                return;
        }
        g->f[g->n++] = (struct sock_filter) BPF_STMT(code, k);
}

/* a conditional jump on A against k to labels jt and jf */
static void jump(struct prog *g, uint16_t code, uint32_t k, int jt, int jf) {
        if (g->n_fix >= sizeof(g->fix) / sizeof(g->fix[0])) {
                g->full = true;
                return;
        }
        g->fix[g->n_fix++] = (struct fix){ g->n, (int8_t) jt, (int8_t) jf };
        stmt(g, BPF_JMP | code | BPF_K, k);
}

static void label(struct prog *g, int l) {
        g->at[l] = (int) g->n;
}

/* The ARP or IPv6 check of a frame whose network header is at nh. */
static void arp_block(struct prog *g, const struct bg_fwd_keep *k, uint32_t nh) {
        if (k->what & BG_FWD_KEEP_ARP) {
                stmt(g, BPF_RET | BPF_K, UINT32_MAX);
                return;
        }
        /* sender protocol address, then target protocol address */
        for (uint32_t off = 14; off <= 24; off += 10) {
                stmt(g, BPF_LD | BPF_W | BPF_ABS, nh + off);
                for (size_t i = 0; i < k->n_targets; i++)
                        jump(g, BPF_JEQ, ntohl(k->targets[i]), L_KEEP, L_NEXT);
        }
        stmt(g, BPF_RET | BPF_K, 0);
}

static void v6_block(struct prog *g, const struct bg_fwd_keep *k, uint32_t nh) {
        if (k->what & BG_FWD_KEEP_IPV6) {
                stmt(g, BPF_RET | BPF_K, UINT32_MAX);
                return;
        }
        stmt(g, BPF_LD | BPF_B | BPF_ABS, nh + 6);          /* next header */
        jump(g, BPF_JEQ, 58, L_NEXT, L_DROP);               /* ICMPv6 */
        stmt(g, BPF_LD | BPF_B | BPF_ABS, nh + 40);         /* its type */
        jump(g, BPF_JEQ, 135, L_KEEP, L_NEXT);              /* NS */
        jump(g, BPF_JEQ, 136, L_KEEP, L_DROP);              /* NA */
}

int bg_fwd_rx_keep_prog(const struct bg_fwd_keep *k, struct sock_filter *out, size_t max) {
        struct prog g = { .f = out, .max = max };
        bool arp = k->what & (BG_FWD_KEEP_ARP | BG_FWD_KEEP_ARP_TARGETS);
        bool v6 = k->what & (BG_FWD_KEEP_IPV6 | BG_FWD_KEEP_NDISC);
        bool slow = k->what & BG_FWD_KEEP_LACP;

        if (k->what & BG_FWD_KEEP_ALL)
                return 0;
        if (!k->what) {
                stmt(&g, BPF_RET | BPF_K, 0);
                return g.full ? -ENOSPC : 1;
        }
        for (int l = 0; l < L__N; l++)
                g.at[l] = -1;
        /* A classic BPF load past the frame's end returns 0 (drop): a frame
         * too short for a field is never kept for it. */
        if (k->what & BG_FWD_KEEP_UNICAST) {
                /* the I/G bit of the destination */
                stmt(&g, BPF_LD | BPF_B | BPF_ABS, 0);
                jump(&g, BPF_JSET, 1, L_NEXT, L_KEEP);
        }
        /* The frame as the packet socket has it: the kernel took the
         * outer VLAN tag out of the data before the taps
         * (__netif_receive_skb_core(): skb_vlan_untag()), so the EtherType
         * at 12 is the inner one of a tagged frame, as skb->protocol is
         * for the kernel's probes. A tag still in the data (a second one)
         * is looked through once more, a superset of what bondgend reads. */
        if (arp || v6 || slow) {
                stmt(&g, BPF_LD | BPF_H | BPF_ABS, 12);
                if (arp)
                        jump(&g, BPF_JEQ, 0x0806, L_ARP14, L_NEXT);
                if (v6)
                        jump(&g, BPF_JEQ, 0x86dd, L_V614, L_NEXT);
                if (slow)
                        jump(&g, BPF_JEQ, 0x8809, L_SLOW, L_NEXT);
                if (arp || v6) {
                        jump(&g, BPF_JEQ, 0x8100, L_TAG, L_NEXT);
                        jump(&g, BPF_JEQ, 0x88a8, L_TAG, L_DROP);
                }
        }
        stmt(&g, BPF_RET | BPF_K, 0);
        if (arp || v6) {
                label(&g, L_TAG);
                stmt(&g, BPF_LD | BPF_H | BPF_ABS, 16);
                if (arp)
                        jump(&g, BPF_JEQ, 0x0806, L_ARP18, L_NEXT);
                if (v6)
                        jump(&g, BPF_JEQ, 0x86dd, L_V618, L_NEXT);
                stmt(&g, BPF_RET | BPF_K, 0);
        }
        if (arp) {
                label(&g, L_ARP14);
                arp_block(&g, k, 14);
                label(&g, L_ARP18);
                arp_block(&g, k, 18);
        }
        if (v6) {
                label(&g, L_V614);
                v6_block(&g, k, 14);
                label(&g, L_V618);
                v6_block(&g, k, 18);
        }
        if (slow) {
                /* bond_3ad_lacpdu_recv() takes the LACP and marker
                 * subtypes; others (OAM, ESMC) go on like any frame and
                 * are dropped here as on any inactive port */
                label(&g, L_SLOW);
                stmt(&g, BPF_LD | BPF_B | BPF_ABS, 14);
                jump(&g, BPF_JEQ, 1, L_KEEP, L_NEXT);
                jump(&g, BPF_JEQ, 2, L_KEEP, L_DROP);
        }
        label(&g, L_DROP);
        stmt(&g, BPF_RET | BPF_K, 0);
        label(&g, L_KEEP);
        stmt(&g, BPF_RET | BPF_K, UINT32_MAX);
        if (g.full)
                return -ENOSPC;
        /* jumps go forward only, at most 255 instructions */
        for (size_t i = 0; i < g.n_fix; i++) {
                const struct fix *x = &g.fix[i];
                int to[2] = { x->jt, x->jf };
                uint8_t off[2];

                for (int j = 0; j < 2; j++) {
                        int dst = to[j] == L_NEXT ? (int) x->insn + 1 : g.at[to[j]];
                        int d = dst - (int) x->insn - 1;
                        if (dst < 0 || d < 0 || d > 255)
                                return -E2BIG;
                        off[j] = (uint8_t) d;
                }
                out[x->insn].jt = off[0];
                out[x->insn].jf = off[1];
        }
        return (int) g.n;
}
