/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * active-backup (bond_main.c:bond_xmit_activebackup()): transmit on the current active
 * port only; backups are rx-disabled unless all_slaves_active; on a change
 * of active port, fail_over_mac handling and num_peer_notif rounds of
 * gratuitous ARP / unsolicited NA. Selection itself (primary,
 * primary_reselect, prio) is common code in select.c.
 */
#include <string.h>

#include "fwd/logic/fwd.h"

static int ab_port_added(struct bg_fwd *b, struct bg_fwd_port *p) {
        bg_fwd_port_set_inactive_flags(b, p);
        return 0;
}

static void ab_link_changed(struct bg_fwd *b, struct bg_fwd_port *p) {
        if (p->link == BG_LINK_DOWN)
                bg_fwd_port_set_inactive_flags(b, p);
}

/* The port that carries the bond MAC when fail_over_mac=follow has no old
 * active port to swap with (the kernel's bond_main.c:bond_get_old_active()). */
static struct bg_fwd_port *holder_of_bond_mac(struct bg_fwd *b, struct bg_fwd_port *except) {
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i] != except && !memcmp(b->ports[i]->mac, b->mac, 6))
                        return b->ports[i];
        return NULL;
}

static void fail_over_mac(struct bg_fwd *b, struct bg_fwd_port *old, struct bg_fwd_port *new_) {
        uint8_t tmp[6], give[6];

        switch (b->p.fail_over_mac) {
        case BG_FOM_ACTIVE:
                /* The bond takes the new active port's address; peers learn
                 * it from the gratuitous ARP that follows. */
                if (new_)
                        (void) bg_fwd_set_bond_mac(b, new_->mac);
                break;
        case BG_FOM_FOLLOW:
                if (!new_)
                        return;
                if (!old)
                        old = holder_of_bond_mac(b, new_);
                memcpy(tmp, new_->mac, 6);
                memcpy(give, old ? old->mac : b->mac, 6);
                (void) bg_fwd_port_set_mac(b, new_, give);
                if (old)
                        (void) bg_fwd_port_set_mac(b, old, tmp);
                break;
        default:
                break;
        }
}

static void ab_active_changed(struct bg_fwd *b, struct bg_fwd_port *old, struct bg_fwd_port *new_) {
        if (old)
                bg_fwd_port_set_inactive_flags(b, old);
        if (!new_)
                return;
        bg_fwd_port_set_active_flags(b, new_);
        fail_over_mac(b, old, new_);
        bg_fwd_notify_peers(b);
}

static int ab_select(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out, size_t max) {
        /* Like the kernel, the current active port is used without a
         * can_tx test: during downdelay it is still the one. */
        if (!b->active || !max)
                return 0;
        out[0] = b->active;
        return 1;
}

const struct bg_fwd_mode_ops bg_fwd_mode_ab = {
        .name = "active-backup",
        .mode = BG_MODE_ACTIVE_BACKUP,
        .uses_active = true,
        .ports_use_bond_mac = true,   /* unless fail_over_mac != none: io/enslave.c wants_bond_mac() */
        .port_added = ab_port_added,
        .link_changed = ab_link_changed,
        .active_changed = ab_active_changed,
        .select_tx = ab_select,
};
