/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Link monitoring: the kernel's four-state link machine (UP, FAIL, DOWN,
 * BACK) with updelay/downdelay counted in miimon periods
 * (bond_main.c:bond_miimon_inspect(), bond_miimon_commit()), driven by rtnetlink carrier
 * events instead of a poll: a carrier change is inspected the moment it is
 * reported, and only the delays wait for miimon ticks. So with
 * downdelay 0 a lost carrier fails over at once, not up to miimon ms later.
 *
 * Deliberate difference: with miimon 0 and no ARP monitor the kernel does
 * no link monitoring at all (a dead port stays "up"); bondgend still
 * follows carrier, with no delays. Documented in bondgend(8).
 */
#include <string.h>
#include <syslog.h>

#include "fwd/logic/fwd.h"

const char *bg_fwd_link_name(enum bg_fwd_link l) {
        switch (l) {
        case BG_LINK_UP: return "up";
        case BG_LINK_FAIL: return "going down";
        case BG_LINK_DOWN: return "down";
        case BG_LINK_BACK: return "going back";
        }
        return "unknown";
}

void bg_fwd_update_carrier(struct bg_fwd *b) {
        bool c = false;

        if (b->ops->carrier)
                c = b->ops->carrier(b);
        else
                for (size_t i = 0; i < b->n_ports; i++)
                        if (bg_fwd_port_up(b->ports[i])) {
                                c = true;
                                break;
                        }
        if (c != b->carrier) {
                b->carrier = c;
                bg_fwd_logf(b, LOG_INFO, "bond carrier %s", c ? "on" : "off");
                if (b->io && b->io->carrier_changed)
                        b->io->carrier_changed(b);
        }
}

static void reselect_or_track(struct bg_fwd *b) {
        /* Modes without an active port still track one (IGMP goes there in
         * balance-rr); modes with one run the full selection. */
        bg_fwd_reselect(b);
}

/* bond_miimon_commit() for one port. */
void bg_fwd_mon_link_commit(struct bg_fwd *b, struct bg_fwd_port *p, enum bg_fwd_link to) {
        if (to == BG_LINK_UP) {
                p->link = BG_LINK_UP;
                p->last_link_up = b->now;
                if (b->io && b->io->port_speed)
                        b->io->port_speed(b, p);
                bg_fwd_logf(b, LOG_INFO, "link status definitely up for interface %s", p->name);
        } else {
                if (p->link_failure_count < UINT32_MAX)
                        p->link_failure_count++;
                p->link = BG_LINK_DOWN;
                bg_fwd_logf(b, LOG_INFO, "link status definitely down for interface %s, disabling it",
                            p->name);
        }
        if (b->ops->link_changed)
                b->ops->link_changed(b, p);
}

static void commit(struct bg_fwd *b, struct bg_fwd_port *p, enum bg_fwd_link to) {
        struct bg_fwd_port *primary = b->p.primary[0] ? bg_fwd_find_port(b, b->p.primary) : NULL;
        bool failover = false;

        if (to == BG_LINK_UP) {
                struct bg_fwd_port *cur = b->active;

                p->delay = 0;
                bg_fwd_mon_link_commit(b, p, to);
                if (!cur || p == primary || p->prio > cur->prio || bg_fwd_is_wanted(b, p))
                        failover = true;
        } else {
                p->delay = 0;
                bg_fwd_mon_link_commit(b, p, to);
                if (p == b->active)
                        failover = true;
        }
        if (failover)
                reselect_or_track(b);
        bg_fwd_update_carrier(b);
}

void bg_fwd_mon_port_init(struct bg_fwd *b, struct bg_fwd_port *p, bool carrier) {
        p->carrier = carrier;
        p->delay = 0;
        if (b->p.arp_interval)
                bg_fwd_mon_arp_port_init(b, p);
        if (!carrier)
                p->link = BG_LINK_DOWN;
        else if (b->p.miimon && b->p.updelay_ticks) {
                p->link = BG_LINK_BACK;
                p->delay = (int) b->p.updelay_ticks;
        } else {
                p->link = BG_LINK_UP;
                p->last_link_up = b->now;
        }
}

/* bond_miimon_inspect() for one port, with the carrier now known. Returns
 * the state to commit, or -1 for none. tick: a miimon period elapsed, so a
 * running delay counts down; an event only starts the delay. The kernel
 * sees a carrier change at its next tick and counts that tick too, so
 * downdelay N ticks ends N+1 ticks after it, between N and N+1 periods
 * after the change: counting the event as a tick would end it up to a
 * period early. */
static int inspect(struct bg_fwd *b, struct bg_fwd_port *p, bool ignore_updelay, bool tick) {
        bool up = p->present && p->carrier;

        switch (p->link) {
        case BG_LINK_UP:
                if (up)
                        return -1;
                p->link = BG_LINK_FAIL;
                p->delay = b->p.miimon ? (int) b->p.downdelay_ticks : 0;
                if (p->delay)
                        bg_fwd_logf(b, LOG_INFO,
                                    "link status down for interface %s, disabling it in %u ms",
                                    p->name, (unsigned) p->delay * b->p.miimon);
                /* fall through */
        case BG_LINK_FAIL:
                if (up) {
                        /* recovered before downdelay expired */
                        p->link = BG_LINK_UP;
                        p->last_link_up = b->now;
                        bg_fwd_logf(b, LOG_INFO, "link status up again for interface %s", p->name);
                        return -1;
                }
                if (p->delay <= 0)
                        return BG_LINK_DOWN;
                if (tick)
                        p->delay--;
                return -1;
        case BG_LINK_DOWN:
                if (!up)
                        return -1;
                p->link = BG_LINK_BACK;
                p->delay = b->p.miimon ? (int) b->p.updelay_ticks : 0;
                if (p->delay)
                        bg_fwd_logf(b, LOG_INFO,
                                    "link status up for interface %s, enabling it in %u ms",
                                    p->name, (unsigned) p->delay * b->p.miimon);
                /* fall through */
        case BG_LINK_BACK:
                if (!up) {
                        p->link = BG_LINK_DOWN;
                        return -1;
                }
                if (ignore_updelay)
                        p->delay = 0;
                if (p->delay <= 0)
                        return BG_LINK_UP;
                if (tick)
                        p->delay--;
                return -1;
        }
        return -1;
}

void bg_fwd_mon_carrier(struct bg_fwd *b, struct bg_fwd_port *p, bool carrier) {
        int to;

        p->carrier = carrier;
        if (b->p.arp_interval) {
                /* The ARP monitor decides when a port is up; a port without
                 * carrier cannot transmit at all, so it goes down at once. */
                if (!carrier && p->link != BG_LINK_DOWN)
                        commit(b, p, BG_LINK_DOWN);
                return;
        }
        to = inspect(b, p, !b->active && b->ops->uses_active, false);
        if (to >= 0)
                commit(b, p, (enum bg_fwd_link) to);
}

void bg_fwd_mon_mii_tick(struct bg_fwd *b) {
        bool ignore_updelay = !b->active;

        /* Peer notification counts in the same ticks, checked before the
         * inspection as the kernel does. */
        bg_fwd_peer_notif_tick(b);
        for (size_t i = 0; i < b->n_ports; i++) {
                struct bg_fwd_port *p = b->ports[i];
                int to;

                if (p->link == BG_LINK_UP && p->present && p->carrier)
                        continue;
                to = inspect(b, p, ignore_updelay, true);
                if (to == BG_LINK_UP)
                        ignore_updelay = false;
                if (to >= 0) {
                        commit(b, p, (enum bg_fwd_link) to);
                        /* commit may have reordered nothing, but ports can
                         * only be removed from the control path, not here */
                }
        }
}

void bg_fwd_mon_port_gone(struct bg_fwd *b, struct bg_fwd_port *p) {
        bg_fwd_mon_arp_forget(p);
        if (b->active == p) {
                /* bond_release: the active port leaves, choose another */
                p->link = BG_LINK_DOWN;
                bg_fwd_change_active(b, NULL);
                bg_fwd_reselect(b);
        }
}
