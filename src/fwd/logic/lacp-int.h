/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* State shared by lacp.c (the per-port machines and the driving) and
 * lacp-select.c (aggregator selection and what it implies for forwarding
 * and carrier). Not a public interface: only these two files include it. */
#include <string.h>

#include "fwd/logic/lacp.h"

#define NEVER UINT64_MAX

struct agg {
        uint32_t id;
        bool active;
        bool individual;
        uint16_t actor_key;
        uint16_t partner_key;
        uint16_t partner_system_priority;
        uint8_t partner_system[6];
};

struct port {
        bool used;
        uint8_t mac[6];
        uint16_t number;
        uint16_t priority;
        bool link_up;
        bool full_duplex;
        uint32_t speed;
        uint16_t key;                 /* actor oper key */
        uint8_t actor_state;          /* actor oper state */
        struct bg_lacp_info partner;  /* partner oper information */
        enum bg_lacp_rx_state rx;
        enum bg_lacp_mux_state mux;
        bool selected;
        bool ntt;
        int agg;                      /* index into aggs[], -1 = none */
        uint64_t current_while;
        uint64_t wait_while;
        uint64_t periodic_at;         /* NEVER = NO_PERIODIC */
        bool periodic_fast;
        uint64_t tx_times[BG_LACP_TX_MAX_PER_SEC];
        unsigned tx_next, tx_count;
        enum bg_lacp_churn actor_churn, partner_churn;
        uint64_t actor_churn_at, partner_churn_at;
        uint64_t actor_churn_count, partner_churn_count;
        struct bg_lacp_counters c;
};

struct bg_lacp {
        struct bg_lacp_config cfg;
        struct bg_lacp_ops ops;
        void *userdata;
        uint8_t bond_mac[6];
        struct port ports[BG_LACP_MAX_PORTS];
        /* aggs[i] belongs to ports[i] while that port exists, as in the
         * kernel (one aggregator per slave), so aggregators are tried in
         * port order. */
        struct agg aggs[BG_LACP_MAX_PORTS];
        uint32_t last_agg_id;
        uint16_t last_port_number;
        uint64_t select_at;
        unsigned transitions;
        bool notified_once;
        /* what the owner last heard about */
        bool seen_carrier;
        uint32_t seen_active;
        uint64_t seen_coll, seen_dist;
};

static const uint8_t lacp_null_mac[6];

static inline struct port *get_port(const struct bg_lacp *l, unsigned id) {
        if (id >= BG_LACP_MAX_PORTS || !l->ports[id].used)
                return NULL;
        return (struct port *) &l->ports[id];
}

bool lacp_agg_has_partner(const struct agg *a);
unsigned lacp_agg_ports(const struct bg_lacp *l, int a, bool only_up);
int lacp_active_agg(const struct bg_lacp *l);
/* Selection Logic for one unselected port (802.1AX 6.4.14), whatever its
 * mux state (bond_3ad.c:ad_port_selection_logic()). */
void lacp_port_selection(struct bg_lacp *l, struct port *p);
/* ad_agg_selection_logic: choose the active aggregator by ad_select. */
void lacp_agg_selection(struct bg_lacp *l);
bool lacp_port_collecting(const struct bg_lacp *l, const struct port *p);
bool lacp_port_distributing(const struct bg_lacp *l, const struct port *p);
bool lacp_carrier(const struct bg_lacp *l);
