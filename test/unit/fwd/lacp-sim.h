/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* A fake clock and fake wires between bg_lacp instances for the 802.3ad
 * machine tests: frames a port sends are queued and delivered to the port
 * at the other end of its wire on the next sim_run(). */
#include <criterion/criterion.h>
#include <string.h>

#include "fwd/logic/lacp.h"

#define SIM_MAX_INST 4
#define SIM_MAX_WIRES 8
#define SIM_QUEUE 256

struct sim;

struct sim_inst {
        struct sim *sim;
        struct bg_lacp *l;
        uint8_t mac[6];
        unsigned changed;
        uint64_t tx[BG_LACP_MAX_PORTS];          /* frames sent per port */
        uint64_t last_tx_at[BG_LACP_MAX_PORTS];
        uint8_t last_frame[BG_LACP_MAX_PORTS][BG_LACPDU_FRAME_LEN];
        /* actor states sent in LACPDUs, each change once, in order, and
         * whether the port distributed while it sent C without D */
        uint8_t states[BG_LACP_MAX_PORTS][16];
        unsigned n_states[BG_LACP_MAX_PORTS];
        bool dist_while_c_only[BG_LACP_MAX_PORTS];
};

struct sim_wire {
        int a, b;               /* instance index */
        unsigned ap, bp;        /* port id in each */
        bool a_to_b, b_to_a;    /* direction delivers */
};

struct sim_frame {
        int inst;
        unsigned port;
        size_t len;
        uint8_t data[BG_LACPDU_FRAME_MAX];
};

struct sim {
        uint64_t now;
        struct sim_inst inst[SIM_MAX_INST];
        int n_inst;
        struct sim_wire wires[SIM_MAX_WIRES];
        int n_wires;
        struct sim_frame q[SIM_QUEUE];
        int nq;
};

static inline int sim_send(void *userdata, unsigned port, const void *frame, size_t len) {
        struct sim_inst *in = userdata;
        struct sim *s = in->sim;

        cr_assert(len <= BG_LACPDU_FRAME_MAX);
        cr_assert(s->nq < SIM_QUEUE, "queue overflow");
        struct sim_frame *f = &s->q[s->nq++];
        f->inst = (int) (in - s->inst);
        f->port = port;
        f->len = len;
        memcpy(f->data, frame, len);
        in->tx[port]++;
        in->last_tx_at[port] = s->now;
        memcpy(in->last_frame[port], frame, len < BG_LACPDU_FRAME_LEN ? len : BG_LACPDU_FRAME_LEN);
        if (len > 32 && ((const uint8_t *) frame)[14] == 1) {   /* LACPDU: actor state at 32 */
                uint8_t st = ((const uint8_t *) frame)[32];
                unsigned *n = &in->n_states[port];
                if ((!*n || in->states[port][*n - 1] != st) && *n < 16)
                        in->states[port][(*n)++] = st;
                if ((st & 0x30) == 0x10 && bg_lacp_port_distributing(in->l, port))
                        in->dist_while_c_only[port] = true;
        }
        return 0;
}

static inline void sim_changed(void *userdata) {
        struct sim_inst *in = userdata;
        in->changed++;
}

static const struct bg_lacp_ops sim_ops = { .send = sim_send, .changed = sim_changed };

static inline void sim_init(struct sim *s) {
        memset(s, 0, sizeof(*s));
        s->now = 1000000; /* not 0: a zero clock must not be special */
}

static inline int sim_add(struct sim *s, const struct bg_lacp_config *cfg, uint8_t last_mac_byte) {
        int i = s->n_inst++;
        struct sim_inst *in = &s->inst[i];
        in->sim = s;
        uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, (uint8_t) i, last_mac_byte };
        memcpy(in->mac, mac, 6);
        cr_assert_eq(bg_lacp_new(cfg, mac, &sim_ops, in, s->now, &in->l), 0);
        return i;
}

/* A port of instance i with link up at speed. */
static inline unsigned sim_port(struct sim *s, int i, uint32_t speed) {
        unsigned id;
        uint8_t mac[6] = { 0x02, 0x01, 0x00, (uint8_t) i, 0x00, 0x00 };
        static uint8_t n;
        mac[5] = ++n;
        cr_assert_eq(bg_lacp_port_add(s->inst[i].l, mac, 255, s->now, &id), 0);
        cr_assert_eq(bg_lacp_port_link(s->inst[i].l, id, true, speed, true, s->now), 0);
        return id;
}

static inline int sim_wire(struct sim *s, int a, unsigned ap, int b, unsigned bp) {
        struct sim_wire *w = &s->wires[s->n_wires];
        *w = (struct sim_wire) { .a = a, .b = b, .ap = ap, .bp = bp, .a_to_b = true, .b_to_a = true };
        return s->n_wires++;
}

static inline void sim_deliver(struct sim *s) {
        for (int guard = 0; s->nq > 0 && guard < 64; guard++) {
                struct sim_frame batch[SIM_QUEUE];
                int n = s->nq;
                memcpy(batch, s->q, sizeof(batch[0]) * (size_t) n);
                s->nq = 0;
                for (int k = 0; k < n; k++) {
                        struct sim_frame *f = &batch[k];
                        for (int w = 0; w < s->n_wires; w++) {
                                struct sim_wire *x = &s->wires[w];
                                if (x->a == f->inst && x->ap == f->port && x->a_to_b)
                                        bg_lacp_rx(s->inst[x->b].l, x->bp, f->data, f->len, s->now);
                                else if (x->b == f->inst && x->bp == f->port && x->b_to_a)
                                        bg_lacp_rx(s->inst[x->a].l, x->ap, f->data, f->len, s->now);
                        }
                }
        }
}

/* Advance the clock in 100 ms steps (the kernel's tick) for usec. */
static inline void sim_run(struct sim *s, uint64_t usec) {
        uint64_t end = s->now + usec;

        sim_deliver(s);
        while (s->now < end) {
                s->now += 100000;
                if (s->now > end)
                        s->now = end;
                for (int i = 0; i < s->n_inst; i++)
                        bg_lacp_tick(s->inst[i].l, s->now);
                sim_deliver(s);
        }
}

static inline void sim_free(struct sim *s) {
        for (int i = 0; i < s->n_inst; i++)
                bg_lacp_free(s->inst[i].l);
}

static inline struct bg_lacp_port_info sim_info(struct sim *s, int i, unsigned port) {
        struct bg_lacp_port_info pi;
        cr_assert_eq(bg_lacp_port_get_info(s->inst[i].l, port, &pi), 0);
        return pi;
}

static inline bool sim_cd(struct sim *s, int i, unsigned port) {
        struct bg_lacp_port_info pi = sim_info(s, i, port);
        return (pi.actor.state & 0x30) == 0x30 && pi.distributing;
}
