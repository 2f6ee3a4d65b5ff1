/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Why is 802.3ad not up? One line of likely cause from what a status
 * shows per port, the same for the kernel bond (/proc/net/bonding) and
 * for bondgend. Pure: no I/O.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bg_lacp_health_port {
        const char *name;
        bool link_up;
        uint8_t actor_state, partner_state;     /* IEEE 802.1AX state bits */
        uint16_t actor_key, partner_key;
        uint8_t partner_system[6];
        unsigned aggregator;                    /* 0 = none */
        bool actor_churned, partner_churned;
        bool have_rx;                           /* lacpdu_rx is known */
        uint64_t lacpdu_rx;
};

enum bg_lacp_cause {
        BG_LACP_OK,
        BG_LACP_NO_PORTS,         /* no port has link */
        BG_LACP_NO_PARTNER,       /* nothing ever received */
        BG_LACP_PARTNER_TIMEOUT,  /* received, then stopped */
        BG_LACP_SPEED_DUPLEX,     /* keys differ in speed or a port is half duplex */
        BG_LACP_SPLIT,            /* different aggregators: partner systems or keys differ */
        BG_LACP_CHURN,            /* churn detected: no synchronization */
        BG_LACP_NOT_SYNC,         /* partner known, not (yet) in sync */
};

/* The cause and a one-line explanation naming the ports. `active` is the
 * active aggregator's ID (0: none). */
enum bg_lacp_cause bg_lacp_health(const struct bg_lacp_health_port *p, size_t n, unsigned active,
                                  char *buf, size_t len);

/* "active, short timeout, aggregatable, in sync, collecting, distributing"
 * (every bit in words, set or not for the first four). */
void bg_lacp_state_words(uint8_t state, char *buf, size_t len);
