/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Aggregator selection (bond_3ad.c:ad_port_selection_logic(),
 * ad_agg_selection_logic()): which
 * aggregator a port joins, which aggregator is active under ad_select, and
 * what follows for forwarding (collecting/distributing, the partnerless
 * fallback) and for the bond carrier
 * (bond_3ad.c:bond_3ad_set_carrier(): min_links, lacp_strict).
 */
#include <errno.h>
#include <string.h>

#include "fwd/logic/lacp-int.h"

bool lacp_agg_has_partner(const struct agg *a) {
        return memcmp(a->partner_system, lacp_null_mac, 6) != 0;
}

unsigned lacp_agg_ports(const struct bg_lacp *l, int a, bool only_up) {
        unsigned n = 0;
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (l->ports[i].used && l->ports[i].agg == a && (!only_up || l->ports[i].link_up))
                        n++;
        return n;
}

static const struct port *agg_first_port(const struct bg_lacp *l, int a) {
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (l->ports[i].used && l->ports[i].agg == a)
                        return &l->ports[i];
        return NULL;
}

int lacp_active_agg(const struct bg_lacp *l) {
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (l->ports[i].used && l->aggs[i].active && lacp_agg_ports(l, (int) i, false) > 0)
                        return (int) i;
        return -1;
}

void lacp_port_selection(struct bg_lacp *l, struct port *p) {
        int idx = (int) (p - l->ports), free_agg = -1, found = -1;

        if (p->selected)
                return;
        p->agg = -1;    /* leave the old aggregator */

        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++) {
                struct agg *a = &l->aggs[i];

                if (!l->ports[i].used)
                        continue;
                if (lacp_agg_ports(l, (int) i, false) == 0) {
                        if (free_agg < 0)
                                free_agg = (int) i;
                        continue;
                }
                if (a->actor_key == p->key && memcmp(a->partner_system, p->partner.system, 6) == 0 &&
                    a->partner_system_priority == p->partner.system_priority &&
                    a->partner_key == p->partner.key &&
                    memcmp(p->partner.system, lacp_null_mac, 6) != 0 && !a->individual) {
                        found = (int) i;
                        break;
                }
        }
        if (found < 0) {
                /* there is always a free one: as many aggregators as ports */
                found = free_agg >= 0 ? free_agg : idx;
                struct agg *a = &l->aggs[found];
                a->actor_key = p->key;
                a->partner_key = p->partner.key;
                a->partner_system_priority = p->partner.system_priority;
                memcpy(a->partner_system, p->partner.system, 6);
                a->individual = !p->full_duplex;
                a->active = false;
        }
        p->agg = found;
        p->selected = true;
        l->transitions++;
}

static uint64_t agg_bandwidth(const struct bg_lacp *l, int a) {
        const struct port *p = agg_first_port(l, a);
        return p ? (uint64_t) lacp_agg_ports(l, a, false) * p->speed : 0;
}

static unsigned agg_prio_sum(const struct bg_lacp *l, int a) {
        unsigned sum = 0;
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (l->ports[i].used && l->ports[i].agg == a && l->ports[i].link_up)
                        sum += l->ports[i].priority;
        return sum;
}

/* ad_agg_selection_test: is curr better than best? */
static int agg_better(const struct bg_lacp *l, int best, int curr) {
        const struct agg *b, *c;

        if (best < 0)
                return curr;
        b = &l->aggs[best];
        c = &l->aggs[curr];
        if (!c->individual && b->individual)
                return curr;
        if (c->individual && !b->individual)
                return best;
        if (lacp_agg_has_partner(c) && !lacp_agg_has_partner(b))
                return curr;
        if (!lacp_agg_has_partner(c) && lacp_agg_has_partner(b))
                return best;

        switch (l->cfg.select) {
        case BG_LACP_SELECT_ACTOR_PORT_PRIO: {
                unsigned pc = agg_prio_sum(l, curr), pb = agg_prio_sum(l, best);
                if (pc != pb)
                        return pc > pb ? curr : best;
        }
                /* fall through */
        case BG_LACP_SELECT_COUNT: {
                unsigned nc = lacp_agg_ports(l, curr, true), nb = lacp_agg_ports(l, best, true);
                if (nc != nb)
                        return nc > nb ? curr : best;
        }
                /* fall through */
        case BG_LACP_SELECT_STABLE:
        case BG_LACP_SELECT_BANDWIDTH:
        default:
                return agg_bandwidth(l, curr) > agg_bandwidth(l, best) ? curr : best;
        }
}

void lacp_agg_selection(struct bg_lacp *l) {
        int active = lacp_active_agg(l), best = -1;

        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++) {
                if (!l->ports[i].used)
                        continue;
                l->aggs[i].active = false;
                if (lacp_agg_ports(l, (int) i, true) > 0)
                        best = agg_better(l, best, (int) i);
        }

        if (best >= 0 && active >= 0 && l->cfg.select == BG_LACP_SELECT_STABLE &&
            lacp_agg_ports(l, active, true) > 0 &&
            (lacp_agg_has_partner(&l->aggs[active]) || !lacp_agg_has_partner(&l->aggs[best])) &&
            !(l->aggs[active].actor_key == 0 && l->aggs[best].actor_key != 0))
                best = active;

        if (best >= 0)
                l->aggs[best].active = true;
        if (best != active)
                l->transitions++;
}

bool lacp_port_collecting(const struct bg_lacp *l, const struct port *p) {
        if (!p->link_up || p->agg < 0)
                return false;
        if (p->mux == BG_LACP_MUX_COLLECTING_DISTRIBUTING || p->mux == BG_LACP_MUX_COLLECTING ||
            p->mux == BG_LACP_MUX_DISTRIBUTING)
                return true;
        /* no partner at all: the active aggregator forwards anyway
         * (bond_3ad.c:ad_agg_selection_logic(), "individual" fallback) */
        return l->aggs[p->agg].active && !lacp_agg_has_partner(&l->aggs[p->agg]) && !l->cfg.strict;
}

bool lacp_port_distributing(const struct bg_lacp *l, const struct port *p) {
        if (p->mux == BG_LACP_MUX_COLLECTING)
                return false;   /* independent control: not until the partner collects */
        return lacp_port_collecting(l, p) && l->aggs[p->agg].active;
}

bool lacp_carrier(const struct bg_lacp *l) {
        int a = lacp_active_agg(l);
        unsigned n = 0;

        if (a < 0)
                return false;
        if (!l->cfg.strict)
                return lacp_agg_ports(l, a, true) >= l->cfg.min_links;
        for (unsigned i = 0; i < BG_LACP_MAX_PORTS; i++)
                if (l->ports[i].used && l->ports[i].agg == a &&
                    l->ports[i].link_up && (l->ports[i].mux == BG_LACP_MUX_COLLECTING_DISTRIBUTING ||
                                            l->ports[i].mux == BG_LACP_MUX_DISTRIBUTING))
                        n++;
        return n >= (l->cfg.min_links ? l->cfg.min_links : 1);
}

bool bg_lacp_port_distributing(const struct bg_lacp *l, unsigned id) {
        const struct port *p = get_port(l, id);
        return p && lacp_port_distributing(l, p);
}

bool bg_lacp_port_collecting(const struct bg_lacp *l, unsigned id) {
        const struct port *p = get_port(l, id);
        return p && lacp_port_collecting(l, p);
}

bool bg_lacp_carrier(const struct bg_lacp *l) {
        return lacp_carrier(l);
}

int bg_lacp_active_agg(const struct bg_lacp *l, struct bg_lacp_agg_info *ret) {
        int a = lacp_active_agg(l);

        if (a < 0)
                return -ENOENT;
        const struct agg *g = &l->aggs[a];
        memset(ret, 0, sizeof(*ret));
        ret->id = g->id;
        ret->num_ports = lacp_agg_ports(l, a, false);
        ret->active_ports = lacp_agg_ports(l, a, true);
        ret->actor_key = g->actor_key;
        ret->partner_key = g->partner_key;
        ret->partner_system_priority = g->partner_system_priority;
        memcpy(ret->partner_system, g->partner_system, 6);
        ret->individual = g->individual;
        return 0;
}
