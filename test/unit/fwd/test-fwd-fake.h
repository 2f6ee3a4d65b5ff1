/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* A bond with fake I/O and a fake clock, for the logic tests. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/fwd.h"

struct fake {
        struct bg_fwd b;
        unsigned sent[BG_FWD_MAX_PORTS];     /* frames sent per port index */
        unsigned garp[BG_FWD_MAX_PORTS];     /* gratuitous ARPs per port index */
        unsigned carrier_changes;
        uint8_t last_bond_mac[6];
        /* every frame sent, in order (the first 64) */
        struct fake_frame { int port; uint64_t at; size_t len; uint8_t data[256]; } log[64];
        unsigned n_log;
        uint64_t igmp_armed;                 /* arm_igmp delay asked last (0: none) */
        unsigned n_armed;
        /* io->rx_state calls per port index, and the rx_disabled each saw */
        unsigned rx_state[BG_FWD_MAX_PORTS];
        bool rx_seen[BG_FWD_MAX_PORTS];
};

static inline int fake_index(struct bg_fwd *b, struct bg_fwd_port *p) {
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i] == p)
                        return (int) i;
        return -1;
}

static inline int fake_send(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr) {
        struct fake *f = (struct fake *) b;
        int i = fake_index(b, p);

        if (i < 0)
                return -ENODEV;
        f->sent[i]++;
        p->last_tx = b->now;   /* as the data path's bg_dp_send() does */
        if (f->n_log < 64) {
                struct fake_frame *l = &f->log[f->n_log++];
                l->port = i;
                l->at = b->now;
                l->len = fr->len < sizeof(l->data) ? fr->len : sizeof(l->data);
                memcpy(l->data, fr->data, l->len);
        }
        /* ARP request with sender IP == target IP */
        if (fr->len >= 42 && fr->data[12] == 0x08 && fr->data[13] == 0x06 && fr->data[21] == 1 &&
            !memcmp(fr->data + 28, fr->data + 38, 4))
                f->garp[i]++;
        return 0;
}

static inline int fake_addrs(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16],
                             size_t max6, size_t *n6) {
        *n4 = 1;
        v4[0] = 0x0200000a;   /* 10.0.0.2 in network order on little endian */
        *n6 = 0;
        return 0;
}

static inline void fake_carrier(struct bg_fwd *b) {
        ((struct fake *) b)->carrier_changes++;
}

static inline int fake_bond_mac(struct bg_fwd *b, const uint8_t mac[6]) {
        memcpy(((struct fake *) b)->last_bond_mac, mac, 6);
        return 0;
}

/* 239.1.2.3 and 239.200.0.9; ff05::1:3 */
/* the bond's groups: 239.1.2.3 and 239.200.0.9 joined for any source,
 * 232.1.1.1 source-specific from 10.9.9.9 and 10.9.9.8; ff05::1:3; the
 * IGMP version a test sets (0: the default, 3). A device stacked on the
 * bond with ifindex 3 has 239.3.3.3 only, any other none. */
static int fake_igmp_version;
static inline int fake_groups(struct bg_fwd *b, int ifindex, struct bg_fwd_groups *g) {
        if (ifindex == 3) {
                g->igmp_version = 3;
                g->n4 = 1;
                g->n6 = 0;
                memset(&g->v4[0], 0, sizeof(g->v4[0]));
                g->v4[0].group = htonl(0xef030303);
                return 0;
        }
        if (ifindex != b->tap_ifindex) {
                g->n4 = g->n6 = 0;
                return 0;
        }
        static const uint8_t g4[3][4] = { { 239, 1, 2, 3 }, { 239, 200, 0, 9 }, { 232, 1, 1, 1 } };
        static const uint8_t s4[2][4] = { { 10, 9, 9, 9 }, { 10, 9, 9, 8 } };
        static const uint8_t g6[16] = { 0xff, 0x05, [13] = 1, [15] = 3 };
        g->igmp_version = fake_igmp_version ? fake_igmp_version : 3;
        g->n4 = 3;
        for (int i = 0; i < 3; i++) {
                memset(&g->v4[i], 0, sizeof(g->v4[i]));
                memcpy(&g->v4[i].group, g4[i], 4);
        }
        g->v4[2].include = true;
        g->v4[2].n_src = 2;
        memcpy(&g->v4[2].src[0], s4[0], 4);
        memcpy(&g->v4[2].src[1], s4[1], 4);
        g->n6 = 1;
        memcpy(g->v6[0], g6, 16);
        return 0;
}

static inline void fake_arm_igmp(struct bg_fwd *b, uint64_t usec) {
        ((struct fake *) b)->igmp_armed = usec;
        ((struct fake *) b)->n_armed++;
}

static inline void fake_rx_state(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct fake *f = (struct fake *) b;
        int i = fake_index(b, p);

        if (i < 0)   /* not in the array yet: being added */
                i = (int) b->n_ports;
        f->rx_state[i]++;
        f->rx_seen[i] = p->rx_disabled;
}

static const struct bg_fwd_io fake_io = {
        .rx_state = fake_rx_state,
        .groups = fake_groups,
        .arm_igmp = fake_arm_igmp,
        .send = fake_send,
        .bond_addrs = fake_addrs,
        .carrier_changed = fake_carrier,
        .set_bond_mac = fake_bond_mac,
};

static inline struct fake *fake_new(enum bg_mode mode, const struct bg_fwd_params *pp) {
        struct fake *f = calloc(1, sizeof(*f));

        if (pp)
                f->b.p = *pp;
        else
                bg_fwd_params_default(&f->b.p, mode);
        f->b.p.mode = mode;
        strcpy(f->b.name, "bond0");
        f->b.ops = bg_fwd_mode_find(mode);
        f->b.io = &fake_io;
        f->b.now = 1000000;
        f->b.mac[0] = 0x02, f->b.mac[5] = 0x01;
        if (bg_fwd_mode_setup(&f->b) < 0)
                abort();
        return f;
}

/* Enslave a port the way io/enslave.c does, without I/O. */
static inline struct bg_fwd_port *fake_enslave(struct fake *f, const char *name, bool carrier) {
        struct bg_fwd *b = &f->b;
        struct bg_fwd_port *p;

        if (bg_fwd_port_new(b, name, &p) < 0)
                abort();
        p->present = true;
        p->perm_mac[0] = 0x02, p->perm_mac[5] = (uint8_t) (0x10 + b->n_ports);
        memcpy(p->mac, p->perm_mac, 6);
        bg_fwd_mon_port_init(b, p, carrier);
        if (b->ops->port_added)
                b->ops->port_added(b, p);
        if (b->ops->uses_active) {
                if (b->p.primary[0] && !strcmp(b->p.primary, name))
                        b->force_primary = true;
                bg_fwd_reselect(b);
        } else if (!b->active && bg_fwd_port_up(p))
                b->active = p;
        bg_fwd_update_carrier(b);
        return p;
}

static inline void fake_tick(struct fake *f) {
        f->b.now += (uint64_t) f->b.p.miimon * 1000;
        bg_fwd_mon_mii_tick(&f->b);
}

static inline void fake_free(struct fake *f) {
        while (f->b.n_ports)
                bg_fwd_port_free(&f->b, f->b.ports[0]);
        bg_fwd_mode_teardown(&f->b);
        free(f);
}
