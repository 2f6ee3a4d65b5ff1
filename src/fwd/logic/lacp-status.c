/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 802.3ad status in the wording of the kernel's /proc/net/bonding
 * (bond_procfs.c), so scripts written for the kernel bond keep working.
 * Lines after the kernel's are ours (state machine names, PDU counters).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fwd/logic/lacp.h"
#include "util/lacp-health.h"

const char *bg_lacp_select_name(enum bg_lacp_select s) {
        switch (s) {
        case BG_LACP_SELECT_STABLE: return "stable";
        case BG_LACP_SELECT_BANDWIDTH: return "bandwidth";
        case BG_LACP_SELECT_COUNT: return "count";
        case BG_LACP_SELECT_ACTOR_PORT_PRIO: return "actor_port_prio";
        }
        return "unknown";
}

const char *bg_lacp_rx_state_name(enum bg_lacp_rx_state s) {
        switch (s) {
        case BG_LACP_RX_INITIALIZE: return "initialize";
        case BG_LACP_RX_PORT_DISABLED: return "port_disabled";
        case BG_LACP_RX_LACP_DISABLED: return "lacp_disabled";
        case BG_LACP_RX_EXPIRED: return "expired";
        case BG_LACP_RX_DEFAULTED: return "defaulted";
        case BG_LACP_RX_CURRENT: return "current";
        }
        return "unknown";
}

const char *bg_lacp_mux_state_name(enum bg_lacp_mux_state s) {
        switch (s) {
        case BG_LACP_MUX_DETACHED: return "detached";
        case BG_LACP_MUX_WAITING: return "waiting";
        case BG_LACP_MUX_ATTACHED: return "attached";
        case BG_LACP_MUX_COLLECTING_DISTRIBUTING: return "collecting_distributing";
        case BG_LACP_MUX_COLLECTING: return "collecting";
        case BG_LACP_MUX_DISTRIBUTING: return "distributing";
        }
        return "unknown";
}

static const char *churn_name(enum bg_lacp_churn c) {
        switch (c) {
        case BG_LACP_CHURN_MONITOR: return "monitoring";
        case BG_LACP_CHURN_NONE: return "none";
        case BG_LACP_CHURN_CHURNED: return "churned";
        }
        return "unknown";
}

static void fmt_mac(char *buf, size_t n, const uint8_t m[6]) {
        snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void kvu(bg_lacp_kv_fn kv, void *ctx, const char *section, const char *key, uint64_t v) {
        char buf[24];
        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        kv(ctx, section, key, buf);
}

void bg_lacp_status_bond(const struct bg_lacp *l, bg_lacp_kv_fn kv, void *ctx) {
        const struct bg_lacp_config *c = bg_lacp_get_config(l);
        struct bg_lacp_agg_info a;
        uint8_t sys[6];
        char mac[18];

        kv(ctx, NULL, "LACP active", c->active ? "on" : "off");
        kv(ctx, NULL, "LACP rate", c->fast ? "fast" : "slow");
        kvu(kv, ctx, NULL, "Min links", c->min_links);
        kv(ctx, NULL, "Aggregator selection policy (ad_select)", bg_lacp_select_name(c->select));
        kvu(kv, ctx, NULL, "System priority", c->system_priority);
        bg_lacp_system(l, sys);
        fmt_mac(mac, sizeof(mac), sys);
        kv(ctx, NULL, "System MAC address", mac);
        if (bg_lacp_active_agg(l, &a) < 0) {
                kv(ctx, NULL, "Active Aggregator Info", "none");
                return;
        }
        /* ours: the same as flat numbers, for JSON readers */
        kvu(kv, ctx, NULL, "Active aggregator ID", a.id);
        kvu(kv, ctx, NULL, "Active aggregator ports", a.num_ports);
        kvu(kv, ctx, NULL, "Active aggregator ports up", a.active_ports);
        kvu(kv, ctx, "aggregator", "Aggregator ID", a.id);
        kvu(kv, ctx, "aggregator", "Number of ports", a.num_ports);
        kvu(kv, ctx, "aggregator", "Actor Key", a.actor_key);
        kvu(kv, ctx, "aggregator", "Partner Key", a.partner_key);
        fmt_mac(mac, sizeof(mac), a.partner_system);
        kv(ctx, "aggregator", "Partner Mac Address", mac);
}

static void info_block(bg_lacp_kv_fn kv, void *ctx, const char *section, const struct bg_lacp_info *i,
                       const char *key_name) {
        char mac[18];

        kvu(kv, ctx, section, "system priority", i->system_priority);
        fmt_mac(mac, sizeof(mac), i->system);
        kv(ctx, section, "system mac address", mac);
        kvu(kv, ctx, section, key_name, i->key);
        kvu(kv, ctx, section, "port priority", i->port_priority);
        kvu(kv, ctx, section, "port number", i->port);
        kvu(kv, ctx, section, "port state", i->state);
}

void bg_lacp_status_port(const struct bg_lacp *l, unsigned id, bg_lacp_kv_fn kv, void *ctx) {
        struct bg_lacp_port_info pi;
        char mac[18], words[160];

        if (bg_lacp_port_get_info(l, id, &pi) < 0)
                return;
        if (pi.aggregator_id)
                kvu(kv, ctx, NULL, "Aggregator ID", pi.aggregator_id);
        else
                kv(ctx, NULL, "Aggregator ID", "N/A");
        kv(ctx, NULL, "Actor Churn State", churn_name(pi.actor_churn));
        kv(ctx, NULL, "Partner Churn State", churn_name(pi.partner_churn));
        kvu(kv, ctx, NULL, "Actor Churned Count", pi.actor_churn_count);
        kvu(kv, ctx, NULL, "Partner Churned Count", pi.partner_churn_count);
        info_block(kv, ctx, "actor", &pi.actor, "port key");
        info_block(kv, ctx, "partner", &pi.partner, "oper key");
        /* ours, not the kernel's */
        kv(ctx, NULL, "LACP receive state", bg_lacp_rx_state_name(pi.rx_state));
        kv(ctx, NULL, "LACP mux state", bg_lacp_mux_state_name(pi.mux_state));
        kv(ctx, NULL, "LACP distributing", pi.distributing ? "yes" : "no");
        kvu(kv, ctx, NULL, "LACP actor state", pi.actor.state);
        kvu(kv, ctx, NULL, "LACP partner state", pi.partner.state);
        bg_lacp_state_words(pi.actor.state, words, sizeof(words));
        kv(ctx, NULL, "LACP actor flags", words);
        bg_lacp_state_words(pi.partner.state, words, sizeof(words));
        kv(ctx, NULL, "LACP partner flags", words);
        kvu(kv, ctx, NULL, "LACP actor key", pi.actor.key);
        kvu(kv, ctx, NULL, "LACP partner key", pi.partner.key);
        fmt_mac(mac, sizeof(mac), pi.partner.system);
        kv(ctx, NULL, "LACP partner system", mac);
        kvu(kv, ctx, NULL, "LACP partner port", pi.partner.port);
        kvu(kv, ctx, NULL, "LACPDU RX", pi.counters.lacpdu_rx);
        kvu(kv, ctx, NULL, "LACPDU TX", pi.counters.lacpdu_tx);
        kvu(kv, ctx, NULL, "LACPDU TX errors", pi.counters.lacpdu_tx_errors);
        kvu(kv, ctx, NULL, "LACPDU RX bad", pi.counters.bad_rx);
        kvu(kv, ctx, NULL, "LACPDU RX bad size", pi.counters.size_rx);
        kvu(kv, ctx, NULL, "LACPDU RX misaddressed", pi.counters.misaddressed_rx);
        kvu(kv, ctx, NULL, "LACPDU RX loopback", pi.counters.loopback_rx);
        kvu(kv, ctx, NULL, "Slow protocol RX unknown", pi.counters.unknown_rx);
        kvu(kv, ctx, NULL, "Marker RX", pi.counters.marker_rx);
        kvu(kv, ctx, NULL, "Marker response TX", pi.counters.marker_resp_tx);
        kvu(kv, ctx, NULL, "Marker response RX", pi.counters.marker_resp_rx);
}

int bg_lacp_health_of(const struct bg_lacp *l, const unsigned *ids, const char *const *names, size_t n,
                      char *buf, size_t len) {
        struct bg_lacp_health_port hp[BG_LACP_MAX_PORTS];
        struct bg_lacp_agg_info a;
        size_t k = 0;

        for (size_t i = 0; i < n && k < BG_LACP_MAX_PORTS; i++) {
                struct bg_lacp_port_info pi;

                if (bg_lacp_port_get_info(l, ids[i], &pi) < 0)
                        continue;
                hp[k] = (struct bg_lacp_health_port){
                        .name = names[i],
                        .link_up = pi.link_up,
                        .actor_state = pi.actor.state,
                        .partner_state = pi.partner.state,
                        .actor_key = pi.actor.key,
                        .partner_key = pi.partner.key,
                        .aggregator = pi.aggregator_id,
                        .actor_churned = pi.actor_churn == BG_LACP_CHURN_CHURNED,
                        .partner_churned = pi.partner_churn == BG_LACP_CHURN_CHURNED,
                        .have_rx = true,
                        .lacpdu_rx = pi.counters.lacpdu_rx,
                };
                memcpy(hp[k].partner_system, pi.partner.system, 6);
                k++;
        }
        return (int) bg_lacp_health(hp, k, bg_lacp_active_agg(l, &a) == 0 ? a.id : 0, buf, len);
}
