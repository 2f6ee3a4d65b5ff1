/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The order of the checks is the order of causes: a port of another speed
 * gets another key (the key's speed bits, bond_3ad.c:__get_agg_key()), so
 * it lands in another aggregator too; the speed is the cause and is named
 * first. A partner that stopped talking looks like no partner at all once
 * its information is defaulted; the receive counter tells them apart.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lacp-health.h"

enum {
        S_ACTIVITY = 0x01,
        S_TIMEOUT = 0x02,
        S_AGGREGATION = 0x04,
        S_SYNC = 0x08,
        S_COLLECTING = 0x10,
        S_DISTRIBUTING = 0x20,
        S_DEFAULTED = 0x40,
        S_EXPIRED = 0x80,
};

void bg_lacp_state_words(uint8_t s, char *buf, size_t len) {
        snprintf(buf, len, "%s, %s, %s, %s%s%s%s%s", s & S_ACTIVITY ? "active" : "passive",
                 s & S_TIMEOUT ? "short timeout" : "long timeout",
                 s & S_AGGREGATION ? "aggregatable" : "individual", s & S_SYNC ? "in sync" : "out of sync",
                 s & S_COLLECTING ? ", collecting" : "", s & S_DISTRIBUTING ? ", distributing" : "",
                 s & S_DEFAULTED ? ", defaulted" : "", s & S_EXPIRED ? ", expired" : "");
}

static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...) {
        size_t n = strlen(buf);
        va_list ap;

        if (n + 1 >= len)
                return;
        va_start(ap, fmt);
        vsnprintf(buf + n, len - n, fmt, ap);
        va_end(ap);
}

static bool zero_mac(const uint8_t m[6]) {
        static const uint8_t z[6];
        return memcmp(m, z, 6) == 0;
}

/* The key's low bits: duplex (bit 0) and speed code (bits 1-5). */
static unsigned speed_bits(uint16_t key) {
        return key & 0x3f;
}

static bool partnerless(const struct bg_lacp_health_port *p) {
        return (p->actor_state & S_DEFAULTED) || zero_mac(p->partner_system);
}

static void mac_text(const uint8_t m[6], char out[18]) {
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

enum bg_lacp_cause bg_lacp_health(const struct bg_lacp_health_port *p, size_t n, unsigned active,
                                  char *buf, size_t len) {
        size_t up = 0, cd = 0, first = n;
        char names[256] = "";

        buf[0] = 0;
        for (size_t i = 0; i < n; i++)
                if (p[i].link_up) {
                        up++;
                        if (first == n)
                                first = i;
                        if ((p[i].actor_state & (S_SYNC | S_COLLECTING | S_DISTRIBUTING)) ==
                                    (S_SYNC | S_COLLECTING | S_DISTRIBUTING) &&
                            (p[i].partner_state & (S_SYNC | S_COLLECTING | S_DISTRIBUTING)) ==
                                    (S_SYNC | S_COLLECTING | S_DISTRIBUTING) &&
                            p[i].aggregator == active)
                                cd++;
                }
        if (!up) {
                snprintf(buf, len, "no port has link");
                return BG_LACP_NO_PORTS;
        }

        /* a port of other speed, or half duplex */
        for (size_t i = 0; i < n; i++) {
                if (!p[i].link_up)
                        continue;
                if (!(p[i].actor_key & 1)) {
                        snprintf(buf, len, "speed/duplex mismatch: %s is half duplex; 802.3ad aggregates only "
                                           "full-duplex links", p[i].name);
                        return BG_LACP_SPEED_DUPLEX;
                }
                if (speed_bits(p[i].actor_key) != speed_bits(p[first].actor_key)) {
                        snprintf(buf, len, "speed/duplex mismatch: %s and %s run at different speeds (keys %u "
                                           "and %u); they cannot share an aggregator", p[first].name, p[i].name,
                                 p[first].actor_key, p[i].actor_key);
                        return BG_LACP_SPEED_DUPLEX;
                }
        }

        /* partner timeout: PDUs came, then stopped. Expired and Defaulted
         * are the actor's own receive machine's bits. */
        for (size_t i = 0; i < n; i++)
                if (p[i].link_up && ((p[i].actor_state & S_EXPIRED) ||
                                     ((p[i].actor_state & S_DEFAULTED) && p[i].have_rx && p[i].lacpdu_rx > 0)))
                        add(names, sizeof(names), "%s%s", names[0] ? ", " : "", p[i].name);
        if (names[0]) {
                snprintf(buf, len, "partner timeout on %s: LACPDUs stopped arriving (the partner or its LACP "
                                   "went away, or it sends slower than this side's lacp_rate expects)", names);
                return BG_LACP_PARTNER_TIMEOUT;
        }

        /* no partner at all */
        size_t alone = 0;
        for (size_t i = 0; i < n; i++)
                if (p[i].link_up && partnerless(&p[i])) {
                        alone++;
                        add(names, sizeof(names), "%s%s", names[0] ? ", " : "", p[i].name);
                }
        if (alone) {
                snprintf(buf, len, "no partner on %s: no LACPDU received; the switch port%s not configured "
                                   "for LACP (or both sides are passive)", names, alone > 1 ? "s are" : " is");
                return BG_LACP_NO_PARTNER;
        }

        /* ports in different aggregators */
        for (size_t i = 0; i < n; i++) {
                if (!p[i].link_up || i == first || p[i].aggregator == p[first].aggregator)
                        continue;
                char a[18], b[18];
                mac_text(p[first].partner_system, a);
                mac_text(p[i].partner_system, b);
                if (memcmp(p[first].partner_system, p[i].partner_system, 6) != 0)
                        snprintf(buf, len, "ports in different aggregators: %s's partner is system %s, %s's is "
                                           "%s: two switches without MLAG (or a stack that does not share "
                                           "its system id)", p[first].name, a, p[i].name, b);
                else
                        snprintf(buf, len, "ports in different aggregators: partner %s gives %s key %u and %s "
                                           "key %u: the switch ports are in different LAGs", a,
                                 p[first].name, p[first].partner_key, p[i].name, p[i].partner_key);
                return BG_LACP_SPLIT;
        }

        for (size_t i = 0; i < n; i++)
                if (p[i].link_up && (p[i].actor_churned || p[i].partner_churned))
                        add(names, sizeof(names), "%s%s (%s)", names[0] ? ", " : "", p[i].name,
                            p[i].actor_churned && p[i].partner_churned ? "actor and partner" :
                            p[i].actor_churned ? "actor" : "partner");
        if (names[0]) {
                snprintf(buf, len, "churn on %s: no synchronization for 60 s; the partner does not put "
                                   "these ports in one LAG (check its LAG membership and LACP mode)", names);
                return BG_LACP_CHURN;
        }

        if (cd < up) {
                for (size_t i = 0; i < n; i++)
                        if (p[i].link_up && !((p[i].actor_state & S_SYNC) && (p[i].partner_state & S_SYNC)))
                                add(names, sizeof(names), "%s%s", names[0] ? ", " : "", p[i].name);
                snprintf(buf, len, "%s not in sync with the partner yet (negotiating, or the partner holds "
                                   "them back)", names[0] ? names : "some ports");
                return BG_LACP_NOT_SYNC;
        }
        snprintf(buf, len, "ok: %zu port%s collecting and distributing in aggregator %u", cd, cd > 1 ? "s" : "",
                 active);
        return BG_LACP_OK;
}
