/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * balance-rr (bond_main.c:bond_rr_gen_slave_id()). The counter is incremented before
 * use, so the first frame goes to port index 1; from the chosen index the
 * search walks forward, wrapping, to the first port that can transmit.
 * IGMP leaves on the tracked active port so group membership stays on one
 * link.
 */
#include "fwd/logic/fwd.h"

struct rr {
        uint32_t counter;
        uint32_t rnd;
};

static uint32_t next_id(struct bg_fwd *b, struct rr *rr) {
        switch (b->p.packets_per_slave) {
        case 0:
                /* xorshift32: only needs to be cheap and spread */
                rr->rnd ^= rr->rnd << 13;
                rr->rnd ^= rr->rnd >> 17;
                rr->rnd ^= rr->rnd << 5;
                return rr->rnd;
        case 1:
                return ++rr->counter;
        default:
                return ++rr->counter / b->p.packets_per_slave;
        }
}

static bool is_igmp(const struct bg_fwd_frame *fr) {
        struct bg_fwd_l2 l2;

        if (bg_fwd_frame_l2(fr->data, fr->len, &l2) < 0 || l2.proto != 0x0800 ||
            fr->len < l2.nhoff + 20)
                return false;
        return fr->data[l2.nhoff + 9] == 2;
}

static int rr_init(struct bg_fwd *b) {
        struct rr *rr = b->mode_priv;

        rr->rnd = 0x9e3779b9u ^ (uint32_t) b->now;
        if (!rr->rnd)
                rr->rnd = 1;
        return 0;
}

static int rr_port_added(struct bg_fwd *b, struct bg_fwd_port *p) {
        bg_fwd_port_set_active_flags(b, p);   /* always active in trunk modes */
        return 0;
}

static int rr_select(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out, size_t max) {
        struct rr *rr = b->mode_priv;
        size_t n = b->n_ports, id;

        if (!n || !max)
                return 0;
        if (is_igmp(fr)) {
                if (b->active && bg_fwd_port_can_tx(b->active)) {
                        out[0] = b->active;
                        return 1;
                }
                for (size_t i = 0; i < n; i++)
                        if (bg_fwd_port_can_tx(b->ports[i])) {
                                out[0] = b->ports[i];
                                return 1;
                        }
                return 0;
        }
        id = next_id(b, rr) % n;
        for (size_t k = 0; k < n; k++) {
                struct bg_fwd_port *p = b->ports[(id + k) % n];
                if (bg_fwd_port_can_tx(p)) {
                        out[0] = p;
                        return 1;
                }
        }
        return 0;
}

const struct bg_fwd_mode_ops bg_fwd_mode_rr = {
        .name = "balance-rr",
        .mode = BG_MODE_BALANCE_RR,
        .priv_size = sizeof(struct rr),
        .ports_use_bond_mac = true,
        .init = rr_init,
        .port_added = rr_port_added,
        .select_tx = rr_select,
};
