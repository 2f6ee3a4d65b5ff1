/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The 802.3ad machines (drivers/net/bonding/bond_3ad.c; IEEE 802.1AX clause 6).
 *
 * Each public entry point updates inputs (a PDU, a link change, the time),
 * then runs the machines until no state changes, then lets the transmit
 * machine send what is due, then tells the owner if forwarding changed.
 * Timers are absolute deadlines on the caller's clock, so the result does
 * not depend on how often bg_lacp_tick() is called.
 *
 * Where the kernel and the standard differ, the kernel wins (it is what
 * users compare us with), except where noted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/lacp.h"
#include "fwd/logic/lacp-int.h"

#define MAX_SETTLE_ROUNDS 8

/* The partner defaults the kernel records when it knows no partner. */
static const struct bg_lacp_info partner_admin = {
        .system_priority = 0xffff,
        .key = 1,
        .port_priority = 0xff,
        .port = 1,
        .state = 0,
};

void bg_lacp_config_init(struct bg_lacp_config *c) {
        memset(c, 0, sizeof(*c));
        c->active = true;
        c->fast = false;
        c->select = BG_LACP_SELECT_STABLE;
        c->system_priority = 65535;
        c->select_delay_usec = 100000;
        c->attach_when_complete = true;
}

unsigned bg_lacp_speed_code(uint32_t s) {
        static const struct { uint32_t mbps; unsigned code; } t[] = {
                { 1, 1 }, { 10, 2 }, { 100, 3 }, { 1000, 4 }, { 2500, 5 }, { 5000, 6 },
                { 10000, 7 }, { 14000, 8 }, { 20000, 9 }, { 25000, 10 }, { 40000, 11 },
                { 50000, 12 }, { 56000, 13 }, { 80000, 14 }, { 100000, 15 }, { 200000, 16 },
                { 400000, 17 }, { 800000, 18 }, { 1600000, 19 },
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                if (t[i].mbps == s)
                        return t[i].code;
        return 0;
}

static const uint8_t *system_id(const struct bg_lacp *l) {
        return memcmp(l->cfg.system, lacp_null_mac, 6) != 0 ? l->cfg.system : l->bond_mac;
}

void bg_lacp_system(const struct bg_lacp *l, uint8_t ret[6]) {
        memcpy(ret, system_id(l), 6);
}

static bool lacp_enabled(const struct port *p) {
        return p->full_duplex;
}

static void actor_info(const struct bg_lacp *l, const struct port *p, struct bg_lacp_info *i) {
        i->system_priority = l->cfg.system_priority;
        memcpy(i->system, system_id(l), 6);
        i->key = p->key;
        i->port_priority = p->priority;
        i->port = p->number;
        i->state = p->actor_state;
}

static bool same_id(const struct bg_lacp_info *a, const struct bg_lacp_info *b) {
        return a->port == b->port && a->port_priority == b->port_priority &&
               memcmp(a->system, b->system, 6) == 0 && a->system_priority == b->system_priority &&
               a->key == b->key;
}

/* ---- receive machine ------------------------------------------------- */

/* The kernel counts current_while in ticks of its state machine (100 ms,
 * bond_3ad.c:ad_delta_in_ticks), and bond_3ad_state_machine_handler()
 * runs every port's machines in port order within one tick: ports whose
 * partners fell silent at the same moment, their last LACPDUs a few
 * milliseconds apart, expire and default together, and the partnerless
 * aggregators are then handed out in port order (which port ends in the
 * active one follows from that). The receive machine's deadlines are put
 * on a 100 ms grid for the same result. */
#define RX_TICK_USEC 100000ull

static uint64_t rx_deadline(uint64_t now, uint64_t timeout) {
        return (now + timeout + RX_TICK_USEC - 1) / RX_TICK_USEC * RX_TICK_USEC;
}

static void record_default(struct port *p) {
        p->partner = partner_admin;
        p->actor_state |= BG_LACP_STATE_DEFAULTED;
}

static void churn_restart(struct port *p, uint64_t now) {
        p->actor_churn = p->partner_churn = BG_LACP_CHURN_MONITOR;
        p->actor_churn_at = p->partner_churn_at = now + BG_LACP_CHURN_USEC;
}

static void rx_enter(struct bg_lacp *l, struct port *p, enum bg_lacp_rx_state s, uint64_t now) {
        l->transitions++;
        p->rx = s;
        switch (s) {
        case BG_LACP_RX_INITIALIZE:
                p->selected = false;
                record_default(p);
                p->actor_state &= ~BG_LACP_STATE_EXPIRED;
                break;
        case BG_LACP_RX_PORT_DISABLED:
                p->partner.state &= ~BG_LACP_STATE_SYNC;
                break;
        case BG_LACP_RX_LACP_DISABLED:
                p->selected = false;
                record_default(p);
                p->partner.state &= ~BG_LACP_STATE_AGGREGATION;
                p->actor_state &= ~BG_LACP_STATE_EXPIRED;
                break;
        case BG_LACP_RX_EXPIRED:
                p->partner.state &= ~BG_LACP_STATE_SYNC;
                p->partner.state |= BG_LACP_STATE_TIMEOUT;
                p->current_while = rx_deadline(now, BG_LACP_SHORT_TIMEOUT_USEC);
                p->actor_state |= BG_LACP_STATE_EXPIRED;
                /* the kernel marks the port churned here: watch both sides again */
                churn_restart(p, now);
                break;
        case BG_LACP_RX_DEFAULTED:
                /* update_Default_Selected */
                if (!same_id(&partner_admin, &p->partner) ||
                    (partner_admin.state & BG_LACP_STATE_AGGREGATION) !=
                    (p->partner.state & BG_LACP_STATE_AGGREGATION))
                        p->selected = false;
                record_default(p);
                p->actor_state &= ~BG_LACP_STATE_EXPIRED;
                /* Tell the partner at once. The kernel does so because
                 * the short timeout is three fast periods and both its
                 * timers start from the same exchange, so
                 * ad_periodic_machine() falls due on the very tick
                 * ad_rx_machine() defaults, after it: the partner sees one
                 * LACPDU with DEFAULTED set, then the slow rate (the
                 * defaulted partner asks for no short timeout). With
                 * deadlines on a real clock the periodic one comes a
                 * round trip earlier, with EXPIRED still set. */
                p->ntt = true;
                break;
        case BG_LACP_RX_CURRENT:
                break;
        }
}

static void rx_run(struct bg_lacp *l, struct port *p, uint64_t now) {
        for (int guard = 0; guard < 6; guard++) {
                enum bg_lacp_rx_state s = p->rx;

                if (!p->link_up && s != BG_LACP_RX_INITIALIZE && s != BG_LACP_RX_PORT_DISABLED) {
                        rx_enter(l, p, BG_LACP_RX_PORT_DISABLED, now);
                        continue;
                }
                switch (s) {
                case BG_LACP_RX_INITIALIZE:
                        rx_enter(l, p, BG_LACP_RX_PORT_DISABLED, now);
                        continue;
                case BG_LACP_RX_PORT_DISABLED:
                        if (p->link_up) {
                                rx_enter(l, p, lacp_enabled(p) ? BG_LACP_RX_EXPIRED : BG_LACP_RX_LACP_DISABLED, now);
                                continue;
                        }
                        return;
                case BG_LACP_RX_EXPIRED:
                        if (now >= p->current_while) {
                                rx_enter(l, p, BG_LACP_RX_DEFAULTED, now);
                                continue;
                        }
                        return;
                case BG_LACP_RX_CURRENT:
                        if (now >= p->current_while) {
                                rx_enter(l, p, BG_LACP_RX_EXPIRED, now);
                                continue;
                        }
                        return;
                case BG_LACP_RX_LACP_DISABLED:
                case BG_LACP_RX_DEFAULTED:
                        return;
                }
        }
}

static void rx_pdu(struct bg_lacp *l, struct port *p, const struct bg_lacpdu *pdu, uint64_t now) {
        struct bg_lacp_info me;
        const uint8_t cmp_bits = BG_LACP_STATE_ACTIVITY | BG_LACP_STATE_TIMEOUT |
                                 BG_LACP_STATE_SYNC | BG_LACP_STATE_AGGREGATION;
        bool matched;

        if (p->rx != BG_LACP_RX_EXPIRED && p->rx != BG_LACP_RX_DEFAULTED && p->rx != BG_LACP_RX_CURRENT)
                return;

        /* update_Selected: a different partner (or aggregation bit) means
         * this port must choose its aggregator again. */
        if (!same_id(&pdu->actor, &p->partner) ||
            (pdu->actor.state & BG_LACP_STATE_AGGREGATION) != (p->partner.state & BG_LACP_STATE_AGGREGATION))
                p->selected = false;

        /* update_NTT: answer at once when the partner's view of us is stale. */
        actor_info(l, p, &me);
        if (!same_id(&pdu->partner, &me) || ((pdu->partner.state ^ me.state) & cmp_bits))
                p->ntt = true;

        /* recordPDU. Partner SYNC only counts when the partner echoes our
         * own values (the "matched" rule, bond_3ad.c:__choose_matched()), or
         * it is an individual link. */
        matched = (same_id(&pdu->partner, &me) &&
                   (pdu->partner.state & BG_LACP_STATE_AGGREGATION) == (me.state & BG_LACP_STATE_AGGREGATION)) ||
                  !(pdu->actor.state & BG_LACP_STATE_AGGREGATION);
        p->partner = pdu->actor;
        if (!(matched && (pdu->actor.state & BG_LACP_STATE_SYNC)))
                p->partner.state &= ~BG_LACP_STATE_SYNC;
        p->actor_state &= ~(BG_LACP_STATE_DEFAULTED | BG_LACP_STATE_EXPIRED);
        p->current_while = rx_deadline(now, (p->actor_state & BG_LACP_STATE_TIMEOUT) ?
                                            BG_LACP_SHORT_TIMEOUT_USEC : BG_LACP_LONG_TIMEOUT_USEC);
        if (p->rx != BG_LACP_RX_CURRENT)
                rx_enter(l, p, BG_LACP_RX_CURRENT, now);
        else
                l->transitions++;
}

/* Selection (ad_select, aggregators) is in lacp-select.c. */

/* ---- mux machine ------------------------------------------------------
 * Coupled control (the default) enables collecting and distributing
 * together; independent control (coupled_control=0, 802.1AX-2020 6.4.15,
 * bond_3ad.c:ad_mux_machine()) enables collecting first and distributing
 * only once the partner says it collects, so no frame is sent to a
 * partner not yet ready to take it. */

static bool agg_ready(const struct bg_lacp *l, int a, uint64_t now) {
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++) {
                const struct port *q = &l->ports[i];
                if (q->used && q->agg == a && q->mux == BG_LACP_MUX_WAITING && now < q->wait_while)
                        return false;
        }
        return true;
}

/* Whether every port of the bond that could join aggregator a has joined
 * it: each port with link is selected onto a and hears its partner
 * (receive machine CURRENT). The mux machine's WAITING state holds a port
 * for wait_while (aggregate_wait_time, 2 s: 802.1AX-2014 6.4.4 and the
 * Selection Logic's Ready, 6.4.14) so that ports about to be selected onto
 * the same aggregator attach together rather than one by one. When no
 * port of the bond is left to come, the wait only delays the link:
 * bond_3ad.c:ad_mux_machine() waits anyway (AD_AGGREGATE_WAIT_TIME), Open
 * vSwitch's lib/lacp.c has no wait at all. Attaching early changes
 * nothing the partner sees but the time: our SYNC comes sooner, and a port
 * that gets link later attaches to the aggregator as it would after the
 * wait. A kernel partner still takes its own 2 s. */
static bool agg_complete(const struct bg_lacp *l, int a) {
        unsigned n = 0;

        if (!l->cfg.attach_when_complete || a < 0)
                return false;
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++) {
                const struct port *q = &l->ports[i];
                if (!q->used || !q->link_up)
                        continue;
                if (!q->selected || q->agg != a || q->rx != BG_LACP_RX_CURRENT)
                        return false;
                n++;
        }
        return n > 0;
}

static void mux_enter(struct bg_lacp *l, struct port *p, enum bg_lacp_mux_state s, uint64_t now) {
        const uint8_t cd = BG_LACP_STATE_COLLECTING | BG_LACP_STATE_DISTRIBUTING;

        l->transitions++;
        p->mux = s;
        switch (s) {
        case BG_LACP_MUX_DETACHED:
                p->actor_state &= ~(BG_LACP_STATE_SYNC | cd);
                p->ntt = true;
                break;
        case BG_LACP_MUX_WAITING:
                p->wait_while = now + BG_LACP_AGGREGATE_WAIT_USEC;
                break;
        case BG_LACP_MUX_ATTACHED:
                p->actor_state &= ~cd;
                if (p->agg >= 0 && l->aggs[p->agg].active)
                        p->actor_state |= BG_LACP_STATE_SYNC;
                else
                        p->actor_state &= ~BG_LACP_STATE_SYNC;
                p->ntt = true;
                break;
        case BG_LACP_MUX_COLLECTING_DISTRIBUTING:
        case BG_LACP_MUX_DISTRIBUTING:
                p->actor_state |= BG_LACP_STATE_SYNC | cd;
                p->ntt = true;
                break;
        case BG_LACP_MUX_COLLECTING:
                p->actor_state |= BG_LACP_STATE_SYNC | BG_LACP_STATE_COLLECTING;
                p->actor_state &= ~BG_LACP_STATE_DISTRIBUTING;
                p->ntt = true;
                break;
        }
}

static void mux_run(struct bg_lacp *l, struct port *p, uint64_t now) {
        for (int guard = 0; guard < 6; guard++) {
                bool agg_active = p->agg >= 0 && l->aggs[p->agg].active;

                switch (p->mux) {
                case BG_LACP_MUX_DETACHED:
                        if (p->selected && p->agg >= 0) {
                                mux_enter(l, p, BG_LACP_MUX_WAITING, now);
                                continue;
                        }
                        return;
                case BG_LACP_MUX_WAITING:
                        if (!p->selected) {
                                mux_enter(l, p, BG_LACP_MUX_DETACHED, now);
                                continue;
                        }
                        if ((now >= p->wait_while && agg_ready(l, p->agg, now)) || agg_complete(l, p->agg)) {
                                mux_enter(l, p, BG_LACP_MUX_ATTACHED, now);
                                continue;
                        }
                        return;
                case BG_LACP_MUX_ATTACHED:
                        if (!p->selected) {
                                mux_enter(l, p, BG_LACP_MUX_DETACHED, now);
                                continue;
                        }
                        if ((p->partner.state & BG_LACP_STATE_SYNC) && l->select_at == NEVER && agg_active) {
                                mux_enter(l, p, l->cfg.independent ? BG_LACP_MUX_COLLECTING
                                                                   : BG_LACP_MUX_COLLECTING_DISTRIBUTING, now);
                                continue;
                        }
                        /* our SYNC follows whether our aggregator is the active one */
                        if (agg_active != !!(p->actor_state & BG_LACP_STATE_SYNC)) {
                                p->actor_state ^= BG_LACP_STATE_SYNC;
                                p->ntt = true;
                                l->transitions++;
                        }
                        return;
                case BG_LACP_MUX_COLLECTING_DISTRIBUTING:
                        /* Unlike the kernel, a port whose aggregator lost the
                         * active role also goes back to ATTACHED, so it
                         * never claims to collect what we drop. */
                        if (!p->selected || !(p->partner.state & BG_LACP_STATE_SYNC) || !agg_active) {
                                mux_enter(l, p, BG_LACP_MUX_ATTACHED, now);
                                continue;
                        }
                        return;
                case BG_LACP_MUX_COLLECTING:
                        if (!p->selected || !(p->partner.state & BG_LACP_STATE_SYNC) || !agg_active) {
                                mux_enter(l, p, BG_LACP_MUX_ATTACHED, now);
                                continue;
                        }
                        if (p->partner.state & BG_LACP_STATE_COLLECTING) {
                                mux_enter(l, p, BG_LACP_MUX_DISTRIBUTING, now);
                                continue;
                        }
                        return;
                case BG_LACP_MUX_DISTRIBUTING:
                        /* distributing stops first; COLLECTING then decides
                         * whether to detach further */
                        if (!p->selected || !(p->partner.state & BG_LACP_STATE_SYNC) || !agg_active ||
                            !(p->partner.state & BG_LACP_STATE_COLLECTING)) {
                                mux_enter(l, p, BG_LACP_MUX_COLLECTING, now);
                                continue;
                        }
                        return;
                }
        }
}

/* ---- periodic, churn and transmit ------------------------------------ */

static bool periodic_on(const struct port *p) {
        return p->link_up && lacp_enabled(p) &&
               ((p->actor_state & BG_LACP_STATE_ACTIVITY) || (p->partner.state & BG_LACP_STATE_ACTIVITY));
}

static void periodic_run(struct port *p, uint64_t now) {
        bool fast = p->partner.state & BG_LACP_STATE_TIMEOUT;

        if (!periodic_on(p)) {
                p->periodic_at = NEVER;
                return;
        }
        if (p->periodic_at == NEVER) {
                p->periodic_fast = fast;
                p->periodic_at = now + (fast ? BG_LACP_FAST_PERIODIC_USEC : BG_LACP_SLOW_PERIODIC_USEC);
        } else if (now >= p->periodic_at || (fast && !p->periodic_fast)) {
                /* timer fired, or the partner just asked for short timeouts:
                 * send now (bond_3ad.c:ad_periodic_machine()) */
                p->ntt = true;
                p->periodic_fast = fast;
                p->periodic_at = now + (fast ? BG_LACP_FAST_PERIODIC_USEC : BG_LACP_SLOW_PERIODIC_USEC);
        } else if (!fast && p->periodic_fast) {
                p->periodic_fast = false;
                p->periodic_at = now + BG_LACP_SLOW_PERIODIC_USEC;
        }
}

/* IEEE 802.1AX churn machines. The kernel never leaves NO_CHURN once there;
 * the standard goes back to monitoring when sync is lost, which is what a
 * churn counter is for, so we follow the standard. */
static void churn_one(enum bg_lacp_churn *st, uint64_t *at, uint64_t *count, bool sync, uint64_t now) {
        switch (*st) {
        case BG_LACP_CHURN_MONITOR:
                if (sync)
                        *st = BG_LACP_CHURN_NONE;
                else if (now >= *at) {
                        *st = BG_LACP_CHURN_CHURNED;
                        (*count)++;
                }
                break;
        case BG_LACP_CHURN_NONE:
                if (!sync) {
                        *st = BG_LACP_CHURN_MONITOR;
                        *at = now + BG_LACP_CHURN_USEC;
                }
                break;
        case BG_LACP_CHURN_CHURNED:
                if (sync)
                        *st = BG_LACP_CHURN_NONE;
                break;
        }
}

static void churn_run(struct port *p, uint64_t now) {
        if (!p->link_up)
                return;
        churn_one(&p->actor_churn, &p->actor_churn_at, &p->actor_churn_count,
                  p->actor_state & BG_LACP_STATE_SYNC, now);
        churn_one(&p->partner_churn, &p->partner_churn_at, &p->partner_churn_count,
                  p->partner.state & BG_LACP_STATE_SYNC, now);
}

static uint64_t tx_allowed_at(const struct port *p) {
        if (p->tx_count < BG_LACP_TX_MAX_PER_SEC)
                return 0;
        /* tx_next points at the oldest of the last three sends */
        return p->tx_times[p->tx_next] + BG_LACP_FAST_PERIODIC_USEC;
}

static void send_pdu(struct bg_lacp *l, struct port *p, uint8_t state_mask, uint64_t now) {
        struct bg_lacpdu pdu = { .version = 1 };
        uint8_t frame[BG_LACPDU_FRAME_LEN];
        int r;

        actor_info(l, p, &pdu.actor);
        pdu.actor.state &= state_mask;
        pdu.partner = p->partner;
        r = bg_lacpdu_encode(p->mac, &pdu, frame, sizeof(frame));
        if (r > 0 && l->ops.send)
                r = l->ops.send(l->userdata, (unsigned) (p - l->ports), frame, (size_t) r);
        p->tx_times[p->tx_next] = now;
        p->tx_next = (p->tx_next + 1) % BG_LACP_TX_MAX_PER_SEC;
        if (p->tx_count < BG_LACP_TX_MAX_PER_SEC)
                p->tx_count++;
        if (r < 0)
                p->c.lacpdu_tx_errors++;
        else
                p->c.lacpdu_tx++;
}

static void tx_run(struct bg_lacp *l, struct port *p, uint64_t now) {
        if (!p->ntt)
                return;
        /* no LACPDUs while the periodic machine is in NO_PERIODIC: this is
         * what keeps a passive actor silent until its partner speaks */
        if (!periodic_on(p)) {
                p->ntt = false;
                return;
        }
        if (now < tx_allowed_at(p))
                return;
        send_pdu(l, p, 0xff, now);
        p->ntt = false;
}

/* ---- driving --------------------------------------------------------- */

static void settle(struct bg_lacp *l, uint64_t now, bool force_select) {
        for (int round = 0; round < MAX_SETTLE_ROUNDS; round++) {
                bool reselect = force_select;
                unsigned before = l->transitions;

                force_select = false;
                for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                        if (l->ports[i].used)
                                rx_run(l, &l->ports[i], now);
                if (l->select_at != NEVER && now >= l->select_at) {
                        l->select_at = NEVER;
                        reselect = true;
                }
                /* An unselected port picks its aggregator before its mux
                 * machine runs, whatever the mux state, as
                 * bond_3ad_state_machine_handler() runs
                 * ad_port_selection_logic() before ad_mux_machine() on
                 * every tick: a port that the receive machine unselects
                 * (a new partner, or DEFAULTED) moves to its new
                 * aggregator without passing through DETACHED and WAITING.
                 * 802.1AX-2014 6.4.14.1 would first detach it. */
                for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                        if (l->ports[i].used && !l->ports[i].selected) {
                                lacp_port_selection(l, &l->ports[i]);
                                reselect = true;
                        }
                if (reselect)
                        lacp_agg_selection(l);
                for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                        if (l->ports[i].used) {
                                mux_run(l, &l->ports[i], now);
                                periodic_run(&l->ports[i], now);
                                churn_run(&l->ports[i], now);
                        }
                if (l->transitions == before)
                        break;
        }
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (l->ports[i].used)
                        tx_run(l, &l->ports[i], now);
}

static void notify(struct bg_lacp *l) {
        uint64_t coll = 0, dist = 0;
        bool c = lacp_carrier(l);
        int a = lacp_active_agg(l);
        uint32_t aid = a >= 0 ? l->aggs[a].id : 0;

        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++) {
                if (!l->ports[i].used)
                        continue;
                if (lacp_port_collecting(l, &l->ports[i]))
                        coll |= 1ull << i;
                if (lacp_port_distributing(l, &l->ports[i]))
                        dist |= 1ull << i;
        }
        if (l->notified_once && c == l->seen_carrier && aid == l->seen_active &&
            coll == l->seen_coll && dist == l->seen_dist)
                return;
        l->notified_once = true;
        l->seen_carrier = c;
        l->seen_active = aid;
        l->seen_coll = coll;
        l->seen_dist = dist;
        if (l->ops.changed)
                l->ops.changed(l->userdata);
}

static void run(struct bg_lacp *l, uint64_t now, bool force_select) {
        settle(l, now, force_select);
        notify(l);
}

int bg_lacp_new(const struct bg_lacp_config *config, const uint8_t bond_mac[6],
                const struct bg_lacp_ops *ops, void *userdata, uint64_t now, struct bg_lacp **ret) {
        struct bg_lacp *l;

        if (config->user_port_key > 1023 || config->system_priority == 0 || (config->system[0] & 1))
                return -EINVAL;
        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->cfg = *config;
        if (ops)
                l->ops = *ops;
        l->userdata = userdata;
        memcpy(l->bond_mac, bond_mac, 6);
        l->select_at = now + config->select_delay_usec;
        l->notified_once = true; /* nothing to announce before the first port */
        *ret = l;
        return 0;
}

void bg_lacp_free(struct bg_lacp *l) {
        free(l);
}

const struct bg_lacp_config *bg_lacp_get_config(const struct bg_lacp *l) {
        return &l->cfg;
}

void bg_lacp_set_bond_mac(struct bg_lacp *l, const uint8_t mac[6], uint64_t now) {
        if (memcmp(l->bond_mac, mac, 6) == 0)
                return;
        memcpy(l->bond_mac, mac, 6);
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                l->ports[i].ntt = l->ports[i].used;
        run(l, now, false);
}

static void port_begin(struct bg_lacp *l, struct port *p, uint64_t now) {
        p->key = (uint16_t) (l->cfg.user_port_key << 6);
        if (p->link_up)
                p->key |= (uint16_t) (bg_lacp_speed_code(p->speed) << 1 | (p->full_duplex ? 1 : 0));
        p->actor_state = BG_LACP_STATE_AGGREGATION |
                         (l->cfg.active ? BG_LACP_STATE_ACTIVITY : 0) |
                         (l->cfg.fast ? BG_LACP_STATE_TIMEOUT : 0);
        p->selected = false;
        p->periodic_at = NEVER;
        p->periodic_fast = false;
        rx_enter(l, p, BG_LACP_RX_INITIALIZE, now);
        mux_enter(l, p, BG_LACP_MUX_DETACHED, now);
        churn_restart(p, now);
}

int bg_lacp_port_add(struct bg_lacp *l, const uint8_t mac[6], uint16_t port_priority,
                     uint64_t now, unsigned *ret_id) {
        unsigned i;

        for (i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (!l->ports[i].used)
                        break;
        if (i == BG_LACP_MAX_PORTS)
                return -ENOSPC;

        struct port *p = &l->ports[i];
        memset(p, 0, sizeof(*p));
        memset(&l->aggs[i], 0, sizeof(l->aggs[i]));
        p->used = true;
        memcpy(p->mac, mac, 6);
        p->priority = port_priority;
        p->agg = -1;
        /* numbers and aggregator ids count up in enslave order and start
         * again at 1 when the bond is empty, as in the kernel */
        bool empty = true;
        for (unsigned j = 0; j < BG_LACP_MAX_PORTS; j++)
                if (j != i && l->ports[j].used)
                        empty = false;
        if (empty)
                l->last_agg_id = l->last_port_number = 0;
        l->aggs[i].id = ++l->last_agg_id;
        p->number = ++l->last_port_number;
        if (p->number == 0)   /* wrapped after 65535 enslaves: 0 is not a valid port */
                p->number = ++l->last_port_number;
        port_begin(l, p, now);
        *ret_id = i;
        run(l, now, false);
        return 0;
}

int bg_lacp_port_remove(struct bg_lacp *l, unsigned id, uint64_t now) {
        struct port *p = get_port(l, id);
        int own = (int) id;

        if (!p)
                return -ENOENT;
        if (p->link_up && lacp_enabled(p))
                send_pdu(l, p, (uint8_t) ~(BG_LACP_STATE_AGGREGATION | BG_LACP_STATE_SYNC |
                                           BG_LACP_STATE_COLLECTING | BG_LACP_STATE_DISTRIBUTING), now);
        p->agg = -1;
        p->used = false;

        /* Our own aggregator goes away with us; if other ports still use
         * it, move it (id and role included) into a free slot. */
        if (lacp_agg_ports(l, own, false) > 0) {
                for (unsigned j = 0; j < BG_LACP_MAX_PORTS; j++) {
                        if (!l->ports[j].used || lacp_agg_ports(l, (int) j, false) > 0)
                                continue;
                        l->aggs[j] = l->aggs[own];
                        for (unsigned k = 0; k < BG_LACP_MAX_PORTS; k++)
                                if (l->ports[k].used && l->ports[k].agg == own)
                                        l->ports[k].agg = (int) j;
                        break;
                }
        }
        memset(&l->aggs[own], 0, sizeof(l->aggs[own]));
        memset(p, 0, sizeof(*p));
        run(l, now, true);
        return 0;
}

int bg_lacp_port_link(struct bg_lacp *l, unsigned id, bool up, uint32_t speed_mbps,
                      bool full_duplex, uint64_t now) {
        struct port *p = get_port(l, id);

        if (!p)
                return -ENOENT;
        if (up) {
                if (p->link_up && p->speed == speed_mbps && p->full_duplex == full_duplex)
                        return 0;
                p->link_up = true;
                p->speed = speed_mbps;
                p->full_duplex = full_duplex;
                /* a new key (speed, duplex) restarts the port */
                port_begin(l, p, now);
        } else {
                if (!p->link_up)
                        return 0;
                p->link_up = false;
                p->key = (uint16_t) (l->cfg.user_port_key << 6);
        }
        run(l, now, true);
        return 0;
}

int bg_lacp_rx(struct bg_lacp *l, unsigned id, const void *frame, size_t len, uint64_t now) {
        struct port *p = get_port(l, id);
        struct bg_lacpdu pdu;
        struct bg_marker m;
        int r;

        if (!p)
                return -ENOENT;
        r = bg_lacp_frame_decode(frame, len, &pdu, &m);
        switch (r) {
        case -EMSGSIZE:
                p->c.size_rx++;
                return r;
        case -EADDRNOTAVAIL:
                p->c.misaddressed_rx++;
                return r;
        case -EBADMSG:
                p->c.bad_rx++;
                return r;
        case BG_LACP_FRAME_OTHER_SLOW:
                p->c.unknown_rx++;
                return r;
        case BG_LACP_FRAME_NOT_SLOW:
                return r;
        case BG_LACP_FRAME_MARKER:
                if (m.response) {
                        p->c.marker_resp_rx++;
                        return r;
                }
                p->c.marker_rx++;
                if (p->link_up) {
                        uint8_t out[BG_LACPDU_FRAME_LEN];
                        m.response = true;
                        if (bg_marker_encode(p->mac, &m, out, sizeof(out)) > 0 && l->ops.send &&
                            l->ops.send(l->userdata, id, out, sizeof(out)) >= 0)
                                p->c.marker_resp_tx++;
                }
                return r;
        case BG_LACP_FRAME_LACPDU:
                break;
        default:
                return r;
        }

        p->c.lacpdu_rx++;
        if (memcmp(pdu.actor.system, system_id(l), 6) == 0) {
                /* our own PDU came back: a loop, not a partner */
                p->c.loopback_rx++;
                return r;
        }
        settle(l, now, false);  /* let expired timers fire before the PDU counts */
        rx_pdu(l, p, &pdu, now);
        run(l, now, false);
        return r;
}

uint64_t bg_lacp_next_deadline(const struct bg_lacp *l) {
        uint64_t t = l->select_at;

#define EARLIER(x) do { if ((x) < t) t = (x); } while (0)
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++) {
                const struct port *p = &l->ports[i];
                if (!p->used)
                        continue;
                if (p->rx == BG_LACP_RX_EXPIRED || p->rx == BG_LACP_RX_CURRENT)
                        EARLIER(p->current_while);
                if (p->mux == BG_LACP_MUX_WAITING)
                        EARLIER(p->wait_while);
                EARLIER(p->periodic_at);
                if (p->ntt)
                        EARLIER(tx_allowed_at(p));
                if (p->link_up && p->actor_churn == BG_LACP_CHURN_MONITOR)
                        EARLIER(p->actor_churn_at);
                if (p->link_up && p->partner_churn == BG_LACP_CHURN_MONITOR)
                        EARLIER(p->partner_churn_at);
        }
#undef EARLIER
        return t;
}

uint64_t bg_lacp_tick(struct bg_lacp *l, uint64_t now) {
        run(l, now, false);
        return bg_lacp_next_deadline(l);
}

int bg_lacp_port_get_info(const struct bg_lacp *l, unsigned id, struct bg_lacp_port_info *ret) {
        const struct port *p = get_port(l, id);

        if (!p)
                return -ENOENT;
        memset(ret, 0, sizeof(*ret));
        ret->port_number = p->number;
        ret->aggregator_id = p->agg >= 0 ? l->aggs[p->agg].id : 0;
        ret->link_up = p->link_up;
        ret->enabled = lacp_port_collecting(l, p);
        ret->distributing = lacp_port_distributing(l, p);
        ret->rx_state = p->rx;
        ret->mux_state = p->mux;
        ret->selected = p->selected;
        actor_info(l, p, &ret->actor);
        ret->partner = p->partner;
        ret->actor_churn = p->actor_churn;
        ret->partner_churn = p->partner_churn;
        ret->actor_churn_count = p->actor_churn_count;
        ret->partner_churn_count = p->partner_churn_count;
        ret->counters = p->c;
        return 0;
}

