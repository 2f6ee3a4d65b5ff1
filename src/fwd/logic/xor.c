/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * balance-xor (bond_main.c:bond_xmit_3ad_xor_slave_get()): usable[hash % n], where usable
 * holds, in enslave order, the ports that could transmit when the array was
 * last rebuilt (on every link change, as the kernel's
 * bond_update_slave_arr). The hash is the kernel's (hash.c).
 */
#include "fwd/logic/fwd.h"

struct xor {
        struct bg_fwd_port *usable[BG_FWD_MAX_PORTS];
        size_t n;
};

static void rebuild(struct bg_fwd *b) {
        struct xor *x = b->mode_priv;

        x->n = 0;
        for (size_t i = 0; i < b->n_ports; i++)
                if (bg_fwd_port_can_tx(b->ports[i]))
                        x->usable[x->n++] = b->ports[i];
}

static int xor_port_added(struct bg_fwd *b, struct bg_fwd_port *p) {
        bg_fwd_port_set_active_flags(b, p);
        rebuild(b);
        return 0;
}

static void xor_port_removed(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct xor *x = b->mode_priv;

        bg_fwd_ports_drop(x->usable, &x->n, p);
}

static void xor_link_changed(struct bg_fwd *b, struct bg_fwd_port *p) {
        rebuild(b);
}

static int xor_select(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out,
                      size_t max) {
        struct xor *x = b->mode_priv;

        if (!x->n || !max)
                return 0;
        out[0] = x->usable[bg_fwd_xmit_hash(b->p.xmit_hash_policy, fr->data, fr->len) % x->n];
        return 1;
}

const struct bg_fwd_mode_ops bg_fwd_mode_xor = {
        .name = "balance-xor",
        .mode = BG_MODE_BALANCE_XOR,
        .priv_size = sizeof(struct xor),
        .ports_use_bond_mac = true,
        .port_added = xor_port_added,
        .port_removed = xor_port_removed,
        .link_changed = xor_link_changed,
        .select_tx = xor_select,
};
