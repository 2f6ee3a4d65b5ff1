/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* broadcast (bond_main.c:bond_xmit_broadcast()): a copy on every port whose link is up. */
#include "fwd/logic/fwd.h"

static int bcast_port_added(struct bg_fwd *b, struct bg_fwd_port *p) {
        bg_fwd_port_set_active_flags(b, p);
        return 0;
}

static int bcast_select(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out,
                        size_t max) {
        size_t k = 0;

        for (size_t i = 0; i < b->n_ports && k < max; i++)
                if (bg_fwd_port_up(b->ports[i]))
                        out[k++] = b->ports[i];
        return (int) k;
}

const struct bg_fwd_mode_ops bg_fwd_mode_bcast = {
        .name = "broadcast",
        .mode = BG_MODE_BROADCAST,
        .ports_use_bond_mac = true,
        .port_added = bcast_port_added,
        .select_tx = bcast_select,
};
