/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Active-port selection and change, the kernel's bond_find_best_slave(),
 * bond_choose_primary_or_current() and bond_change_active_slave()
 * (bond_main.c:bond_find_best_slave()). Used by every
 * mode: those without an active port (rr, xor, broadcast) only track one.
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "fwd/logic/fwd.h"

static struct bg_fwd_port *primary_port(struct bg_fwd *b) {
        if (!b->p.primary[0] || !b->ops->uses_active)
                return NULL;
        return bg_fwd_find_port(b, b->p.primary);
}

static struct bg_fwd_port *choose_primary_or_current(struct bg_fwd *b) {
        struct bg_fwd_port *prim = primary_port(b), *curr = b->active;

        if (!prim || !bg_fwd_port_up(prim)) {
                struct bg_fwd_port *hprio = NULL;

                /* No usable primary: the UP port with the highest prio,
                 * ties to the first in enslave order, acts as one. */
                for (size_t i = 0; i < b->n_ports; i++) {
                        struct bg_fwd_port *s = b->ports[i];
                        if (!bg_fwd_port_up(s))
                                continue;
                        if (!hprio || s->prio > hprio->prio)
                                hprio = s;
                }
                if (hprio && hprio != curr) {
                        prim = hprio;
                        goto link_reselect;
                }
                if (!curr || !bg_fwd_port_up(curr))
                        return NULL;
                return curr;
        }

        if (b->force_primary) {
                b->force_primary = false;
                return prim;
        }

link_reselect:
        if (!curr || !bg_fwd_port_up(curr))
                return prim;
        switch (b->p.primary_reselect) {
        case BG_RESELECT_ALWAYS:
                return prim;
        case BG_RESELECT_BETTER:
                if (prim->speed_mbps < curr->speed_mbps)
                        return curr;
                if (prim->speed_mbps == curr->speed_mbps && prim->duplex <= curr->duplex)
                        return curr;
                return prim;
        default:   /* failure */
                return curr;
        }
}

struct bg_fwd_port *bg_fwd_find_best(struct bg_fwd *b) {
        struct bg_fwd_port *best = NULL, *s;
        int mintime = (int) b->p.updelay_ticks;

        s = choose_primary_or_current(b);
        if (s)
                return s;
        for (size_t i = 0; i < b->n_ports; i++) {
                s = b->ports[i];
                if (bg_fwd_port_up(s))
                        return s;
                if (s->link == BG_LINK_BACK && s->present && s->carrier && s->delay < mintime) {
                        mintime = s->delay;
                        best = s;
                }
        }
        return best;
}

bool bg_fwd_is_wanted(const struct bg_fwd *b, const struct bg_fwd_port *p) {
        return b->want_active[0] && !strcmp(b->want_active, p->name);
}

/* The model's active_slave, as bond_option_active_slave_set() takes it
 * when written once the port is up: that port becomes the active one,
 * once; what happens after is the ordinary selection (an up primary
 * with primary_reselect always, or a port of higher prio, takes over at
 * the next reselection, as in the kernel). */
static bool take_wanted(struct bg_fwd *b) {
        struct bg_fwd_port *w;

        if (!b->want_active[0] || !b->ops->uses_active)
                return false;
        w = bg_fwd_find_port(b, b->want_active);
        if (!w || !bg_fwd_port_up(w))
                return false;
        b->want_active[0] = 0;
        bg_fwd_logf(b, LOG_INFO, "%s: the active port of the configuration (active_slave)", w->name);
        if (w != b->active) {
                bg_fwd_change_active(b, w);
                bg_fwd_update_carrier(b);
        }
        return true;
}

void bg_fwd_reselect(struct bg_fwd *b) {
        struct bg_fwd_port *best;

        if (take_wanted(b))
                return;
        best = bg_fwd_find_best(b);

        if (best != b->active) {
                bg_fwd_change_active(b, best);
                bg_fwd_update_carrier(b);
        }
}

int bg_fwd_set_prio(struct bg_fwd *b, struct bg_fwd_port *p, int32_t prio) {
        if (b->p.mode != BG_MODE_ACTIVE_BACKUP && b->p.mode != BG_MODE_BALANCE_TLB &&
            b->p.mode != BG_MODE_BALANCE_ALB)
                return -EOPNOTSUPP;
        p->prio = prio;
        if (!primary_port(b))
                bg_fwd_reselect(b);
        return 0;
}

static void set_rx_disabled(struct bg_fwd *b, struct bg_fwd_port *p, bool v) {
        if (p->rx_disabled == v)
                return;
        p->rx_disabled = v;
        if (b->io && b->io->rx_state)
                b->io->rx_state(b, p);
}

void bg_fwd_port_set_active_flags(struct bg_fwd *b, struct bg_fwd_port *p) {
        p->backup = false;
        set_rx_disabled(b, p, false);
}

void bg_fwd_port_set_inactive_flags(struct bg_fwd *b, struct bg_fwd_port *p) {
        /* TLB/ALB keep backup 0: every port may transmit there. */
        if (b->p.mode != BG_MODE_BALANCE_TLB && b->p.mode != BG_MODE_BALANCE_ALB)
                p->backup = true;
        set_rx_disabled(b, p, !b->p.all_slaves_active);
}

void bg_fwd_set_all_slaves_active(struct bg_fwd *b, bool on) {
        b->p.all_slaves_active = on;
        /* bond_option_all_slaves_active_set(): every port that is not
         * active (backup set; never in TLB/ALB, where backup stays 0)
         * takes the new value at once */
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i]->backup)
                        set_rx_disabled(b, b->ports[i], !on);
}

void bg_fwd_change_active(struct bg_fwd *b, struct bg_fwd_port *new_) {
        struct bg_fwd_port *old = b->active;

        if (new_ == old)
                return;
        if (new_) {
                new_->last_link_up = b->now;
                if (new_->link == BG_LINK_BACK) {
                        /* The first port to come back is used at once when
                         * nothing else can carry traffic. */
                        if (b->ops->uses_active)
                                bg_fwd_logf(b, LOG_INFO,
                                            "making interface %s the new active one %u ms earlier",
                                            new_->name, (unsigned) new_->delay * b->p.miimon);
                        new_->delay = 0;
                        new_->link = BG_LINK_UP;
                        if (b->ops->link_changed)
                                b->ops->link_changed(b, new_);
                } else if (b->ops->uses_active)
                        bg_fwd_logf(b, LOG_INFO, "making interface %s the new active one", new_->name);
        } else if (b->ops->uses_active && old)
                bg_fwd_logf(b, LOG_WARNING, "now running without any active interface!");

        b->active = new_;
        if (b->ops->active_changed)
                b->ops->active_changed(b, old, new_);
        /* bond_change_active_slave(): modes with an active port resend
         * their membership reports when it changes to a new one, and so
         * does balance-rr, which sends every IGMP frame on that port */
        if (new_ && (b->ops->uses_active || b->p.mode == BG_MODE_BALANCE_RR))
                bg_fwd_igmp_start(b);
}
