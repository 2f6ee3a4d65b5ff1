/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * IEEE 802.1AX (802.3ad) Link Aggregation Control Protocol, as the Linux
 * bonding driver runs it (drivers/net/bonding/bond_3ad.c): LACPDU and marker
 * encoding/decoding, the receive, periodic, selection, mux, transmit and
 * churn machines, aggregator choice by ad_select and carrier by min_links.
 *
 * Pure: no sockets, no clock, no printing. The owner feeds received slow
 * protocol frames, link changes and the current time (`now`, microseconds on
 * any monotonic clock), and gets frames to send through ops.send and a nudge
 * through ops.changed whenever a port's forwarding role or the carrier
 * changed. Tests drive it with a fake clock.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BG_LACP_MAX_PORTS 64u

#define BG_SLOW_PROTO_ETHERTYPE 0x8809u
#define BG_LACP_SUBTYPE_LACP 0x01u
#define BG_LACP_SUBTYPE_MARKER 0x02u
/* An LACPDU or marker PDU on the wire, without FCS: 14 + 110 bytes. */
#define BG_LACPDU_FRAME_LEN 124u
/* Slow protocol frames never exceed 128 octets (IEEE 802.3 Annex 43B);
 * we accept the 4 bytes of slack for senders that count an FCS. */
#define BG_LACPDU_FRAME_MAX 128u

extern const uint8_t bg_lacp_slow_proto_mac[6]; /* 01:80:c2:00:00:02 */

/* Actor/partner state bits (LACP_STATE_* in include/uapi/linux/if_bonding.h). */
enum {
        BG_LACP_STATE_ACTIVITY = 0x01,
        BG_LACP_STATE_TIMEOUT = 0x02, /* short timeout: 1 s PDUs, 3 s expiry */
        BG_LACP_STATE_AGGREGATION = 0x04,
        BG_LACP_STATE_SYNC = 0x08,
        BG_LACP_STATE_COLLECTING = 0x10,
        BG_LACP_STATE_DISTRIBUTING = 0x20,
        BG_LACP_STATE_DEFAULTED = 0x40,
        BG_LACP_STATE_EXPIRED = 0x80,
};

/* Timers (AD_*_TIME in include/net/bond_3ad.h), in microseconds. */
#define BG_LACP_FAST_PERIODIC_USEC (1ull * 1000000)
#define BG_LACP_SLOW_PERIODIC_USEC (30ull * 1000000)
#define BG_LACP_SHORT_TIMEOUT_USEC (3ull * 1000000)
#define BG_LACP_LONG_TIMEOUT_USEC (90ull * 1000000)
#define BG_LACP_CHURN_USEC (60ull * 1000000)
#define BG_LACP_AGGREGATE_WAIT_USEC (2ull * 1000000)
#define BG_LACP_TX_MAX_PER_SEC 3u

/* One side's information TLV. */
struct bg_lacp_info {
        uint16_t system_priority;
        uint8_t system[6];
        uint16_t key;
        uint16_t port_priority;
        uint16_t port;
        uint8_t state;
};

struct bg_lacpdu {
        uint8_t version;
        struct bg_lacp_info actor;
        struct bg_lacp_info partner;
        uint16_t collector_max_delay;
};

struct bg_marker {
        bool response;          /* TLV type 2 (response) instead of 1 (information) */
        uint16_t requester_port;
        uint8_t requester_system[6];
        uint32_t transaction_id;
};

/* Encode a whole frame (Ethernet header included, 124 bytes) from src.
 * Returns the frame length or -ENOBUFS. */
int bg_lacpdu_encode(const uint8_t src[6], const struct bg_lacpdu *pdu, uint8_t *buf, size_t size);
int bg_marker_encode(const uint8_t src[6], const struct bg_marker *m, uint8_t *buf, size_t size);

enum bg_lacp_frame {
        BG_LACP_FRAME_LACPDU,
        BG_LACP_FRAME_MARKER,
        BG_LACP_FRAME_OTHER_SLOW,   /* another slow protocol (OAM, ESMC, ...) */
        BG_LACP_FRAME_NOT_SLOW,     /* not EtherType 0x8809 at all */
};

/* Classify and decode one received frame. LACPDUs fill *pdu, markers *m
 * (either may be NULL). Returns the kind, or -EBADMSG for malformed TLVs,
 * -EMSGSIZE for truncated or oversized frames, -EADDRNOTAVAIL for a slow
 * protocol frame not sent to 01:80:c2:00:00:02. Never reads past len. */
int bg_lacp_frame_decode(const void *frame, size_t len, struct bg_lacpdu *pdu, struct bg_marker *m);

/* True when the frame is a slow protocol frame (EtherType 0x8809, untagged):
 * the mode's receive hook must hand it to bg_lacp_rx and keep it off the bond. */
bool bg_lacp_frame_is_slow(const void *frame, size_t len);

enum bg_lacp_select {
        BG_LACP_SELECT_STABLE = 0,
        BG_LACP_SELECT_BANDWIDTH = 1,
        BG_LACP_SELECT_COUNT = 2,
        BG_LACP_SELECT_ACTOR_PORT_PRIO = 3,
};

struct bg_lacp_config {
        bool active;                 /* lacp_active: off = passive, answer but never start */
        bool fast;                   /* lacp_rate fast: ask the partner for 1 s PDUs */
        enum bg_lacp_select select;  /* ad_select */
        uint16_t system_priority;    /* ad_actor_sys_prio (1..65535, default 65535) */
        uint8_t system[6];           /* ad_actor_system; all zero = use the bond MAC */
        uint16_t user_port_key;      /* ad_user_port_key, 0..1023: key bits 15-6 */
        unsigned min_links;
        bool strict;                 /* lacp_strict: carrier needs collecting+distributing ports */
        /* coupled_control=0: collecting and distributing are enabled one
         * after the other (mux COLLECTING, then DISTRIBUTING once the
         * partner collects), not together */
        bool independent;
        /* Delay before the first aggregator choice; the kernel waits one
         * 100 ms tick after the bond is opened. */
        uint64_t select_delay_usec;
        /* Attach as soon as every port of the bond with link has selected
         * the same aggregator with a current partner, instead of always
         * waiting aggregate_wait_time (see agg_complete() in lacp.c).
         * bondgend sets it; false gives the kernel's timing exactly. */
        bool attach_when_complete;
};

void bg_lacp_config_init(struct bg_lacp_config *c); /* the kernel's defaults */

struct bg_lacp_ops {
        /* Send a frame on a port (port id as returned by bg_lacp_port_add).
         * Errors are counted, never fatal: the PDU is sent again later. */
        int (*send)(void *userdata, unsigned port, const void *frame, size_t len);
        /* A port started or stopped collecting/distributing, or the
         * carrier or the active aggregator changed. Called after the
         * machines settled; the owner re-reads what it needs. */
        void (*changed)(void *userdata);
};

enum bg_lacp_rx_state {
        BG_LACP_RX_INITIALIZE,
        BG_LACP_RX_PORT_DISABLED,
        BG_LACP_RX_LACP_DISABLED,
        BG_LACP_RX_EXPIRED,
        BG_LACP_RX_DEFAULTED,
        BG_LACP_RX_CURRENT,
};

enum bg_lacp_mux_state {
        BG_LACP_MUX_DETACHED,
        BG_LACP_MUX_WAITING,
        BG_LACP_MUX_ATTACHED,
        BG_LACP_MUX_COLLECTING_DISTRIBUTING,
        /* independent control (coupled_control=0): 802.1AX-2020 6.4.15 */
        BG_LACP_MUX_COLLECTING,
        BG_LACP_MUX_DISTRIBUTING,
};

enum bg_lacp_churn { BG_LACP_CHURN_MONITOR, BG_LACP_CHURN_NONE, BG_LACP_CHURN_CHURNED };

struct bg_lacp_counters {
        uint64_t lacpdu_rx;
        uint64_t lacpdu_tx;
        uint64_t lacpdu_tx_errors;
        uint64_t marker_rx;
        uint64_t marker_resp_tx;
        uint64_t marker_resp_rx;
        uint64_t bad_rx;          /* malformed TLVs */
        uint64_t size_rx;         /* truncated or oversized */
        uint64_t misaddressed_rx; /* 0x8809 not sent to the slow protocols address */
        uint64_t unknown_rx;      /* other slow protocol subtypes */
        uint64_t loopback_rx;     /* our own system id came back */
};

/* Read-only view of one port, for status output and tests. */
struct bg_lacp_port_info {
        uint16_t port_number;
        uint32_t aggregator_id;          /* 0 = none */
        bool link_up;
        bool enabled;                    /* collecting (rx) and, on the active aggregator, distributing */
        bool distributing;               /* usable for tx now */
        enum bg_lacp_rx_state rx_state;
        enum bg_lacp_mux_state mux_state;
        bool selected;
        struct bg_lacp_info actor;       /* what we send as actor */
        struct bg_lacp_info partner;     /* operational partner information */
        enum bg_lacp_churn actor_churn, partner_churn;
        uint64_t actor_churn_count, partner_churn_count;
        struct bg_lacp_counters counters;
};

struct bg_lacp_agg_info {
        uint32_t id;
        unsigned num_ports;              /* ports in it */
        unsigned active_ports;           /* of those, with link up */
        uint16_t actor_key;
        uint16_t partner_key;
        uint16_t partner_system_priority;
        uint8_t partner_system[6];
        bool individual;
};

struct bg_lacp;

int bg_lacp_new(const struct bg_lacp_config *config, const uint8_t bond_mac[6],
                const struct bg_lacp_ops *ops, void *userdata, uint64_t now, struct bg_lacp **ret);
/* Sends no farewell PDUs: call bg_lacp_port_remove first for that. */
void bg_lacp_free(struct bg_lacp *l);

/* The bond MAC is the system id unless ad_actor_system is set. */
void bg_lacp_set_bond_mac(struct bg_lacp *l, const uint8_t mac[6], uint64_t now);

/* Add a port. mac = its permanent MAC (source of its PDUs); speed in Mbit/s
 * (0 = unknown); port_priority = actor_port_prio (kernel default 255).
 * Ports start with link down. Returns -ENOSPC beyond BG_LACP_MAX_PORTS. */
int bg_lacp_port_add(struct bg_lacp *l, const uint8_t mac[6], uint16_t port_priority,
                     uint64_t now, unsigned *ret_id);
/* Remove a port; sends one last PDU without Aggregation/Sync/C/D first
 * (kernel unbind behaviour) when the link is up. */
int bg_lacp_port_remove(struct bg_lacp *l, unsigned id, uint64_t now);
/* Link state after miimon/updelay/downdelay, with speed and duplex. */
int bg_lacp_port_link(struct bg_lacp *l, unsigned id, bool up, uint32_t speed_mbps,
                      bool full_duplex, uint64_t now);

/* A received slow protocol frame on port id. Consumed in all cases (the
 * frame never reaches the bond); bad frames are counted. Returns the
 * decoded kind or the negative decode error. */
int bg_lacp_rx(struct bg_lacp *l, unsigned id, const void *frame, size_t len, uint64_t now);

/* Run timers. Returns the time the next timer fires (for the owner's
 * event loop); calling more often is harmless. */
uint64_t bg_lacp_tick(struct bg_lacp *l, uint64_t now);
uint64_t bg_lacp_next_deadline(const struct bg_lacp *l);

/* Forwarding state: a port takes part in tx hashing when distributing,
 * and frames arriving on it reach the bond when collecting. */
bool bg_lacp_port_distributing(const struct bg_lacp *l, unsigned id);
bool bg_lacp_port_collecting(const struct bg_lacp *l, unsigned id);
bool bg_lacp_carrier(const struct bg_lacp *l);

int bg_lacp_port_get_info(const struct bg_lacp *l, unsigned id, struct bg_lacp_port_info *ret);
/* The active aggregator; -ENOENT when there is none. */
int bg_lacp_active_agg(const struct bg_lacp *l, struct bg_lacp_agg_info *ret);
const struct bg_lacp_config *bg_lacp_get_config(const struct bg_lacp *l);
void bg_lacp_system(const struct bg_lacp *l, uint8_t ret[6]);

/* Status in the shape of /proc/net/bonding: key/value pairs handed to kv
 * in the kernel's order and wording. The bond part is the "802.3ad info"
 * block; the port part follows a port's common lines. Nested kernel lines
 * ("details actor lacp pdu:" and what follows) come with a section name in
 * `section` ("actor"/"partner"), NULL elsewhere, so a JSON writer can
 * keep the keys unique. */
typedef void (*bg_lacp_kv_fn)(void *ctx, const char *section, const char *key, const char *value);
void bg_lacp_status_bond(const struct bg_lacp *l, bg_lacp_kv_fn kv, void *ctx);
void bg_lacp_status_port(const struct bg_lacp *l, unsigned id, bg_lacp_kv_fn kv, void *ctx);

/* The likely cause when 802.3ad is not up (src/util/lacp-health.h) for
 * the ports ids[] named names[]; returns enum bg_lacp_cause. */
int bg_lacp_health_of(const struct bg_lacp *l, const unsigned *ids, const char *const *names, size_t n,
                      char *buf, size_t len);

const char *bg_lacp_select_name(enum bg_lacp_select s);
const char *bg_lacp_rx_state_name(enum bg_lacp_rx_state s);
const char *bg_lacp_mux_state_name(enum bg_lacp_mux_state s);
/* The kernel's key speed code (bond_3ad.c:__get_link_speed()). */
unsigned bg_lacp_speed_code(uint32_t speed_mbps);
