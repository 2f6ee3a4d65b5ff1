/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IPv6 half of the ARP monitor (bonding.rst "ns_ip6_target"): on the
 * same arp_interval ticks and with the same arp_missed_max, the port the
 * ARP monitor probes also sends a neighbour solicitation for each
 * ns_ip6_target (bond_main.c:bond_ns_send_all()), and an NS or NA between
 * a target and the bond counts as hearing that target
 * (bond_na_rcv(), bond_validate_na()). Which port probes, which frames a
 * port may trust and when a port goes up or down stay arpmon.c's; this
 * file builds the solicitations and judges IPv6 frames.
 */
#include <string.h>

#include "fwd/logic/fwd.h"

static const uint8_t allnodes[16] = { 0xff, 0x02, [15] = 0x01 };

/* RFC 4291 2.7.1: ff02::1:ffXX:XXXX, the low 24 bits of the address */
static void solicited_node(const uint8_t a[16], uint8_t out[16]) {
        static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

        memcpy(out, prefix, 13);
        memcpy(out + 13, a + 13, 3);
}

static bool is_any(const uint8_t a[16]) {
        static const uint8_t zero[16];
        return !memcmp(a, zero, 16);
}

size_t bg_fwd_build_ns(uint8_t *f, const uint8_t mac[6], const uint8_t src[16], const uint8_t target[16]) {
        uint8_t *icmp, dst[16], dmac[6] = { 0x33, 0x33 };
        /* RFC 4861 4.3: no source link-layer address option from the
         * unspecified address (ndisc.c:ndisc_ns_create() leaves it out) */
        const size_t icmp_len = is_any(src) ? 24 : 32;

        solicited_node(target, dst);
        memcpy(dmac + 2, dst + 12, 4);   /* RFC 2464 7: 33:33 and the low 32 bits */
        /* a neighbour solicitation */
        icmp = bg_fwd_put_nd_headers(f, dmac, mac, src, dst, icmp_len, 135);
        memcpy(icmp + 8, target, 16);
        if (icmp_len == 32) {
                icmp[24] = 1, icmp[25] = 1;   /* source link-layer address */
                memcpy(icmp + 26, mac, 6);
        }
        bg_fwd_put_icmp6_csum(f + 14, icmp, icmp_len);
        return 14 + 40 + icmp_len;
}

/* RFC 4291 2.5.6 link-local (fe80::/10) is scope 2; everything else a
 * unicast target can be is treated as global (14). */
static int scope(const uint8_t a[16]) {
        return a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? 2 : 14;
}

static unsigned common_prefix(const uint8_t a[16], const uint8_t b[16]) {
        unsigned n = 0;

        for (size_t i = 0; i < 16; i++) {
                uint8_t x = a[i] ^ b[i];
                if (!x) {
                        n += 8;
                        continue;
                }
                while (!(x & 0x80)) {
                        n++;
                        x = (uint8_t) (x << 1);
                }
                break;
        }
        return n;
}

/* Is candidate a better source for target than best? The rules of
 * ipv6_dev_get_saddr() that can tell the bond's own addresses apart
 * (RFC 6724 5, rules 2 and 8): an address of at least the target's scope,
 * the smallest such scope, then the longest prefix shared with the target. */
static bool better_source(const uint8_t *cand, const uint8_t *best, const uint8_t target[16]) {
        int sc = scope(cand), sb, st = scope(target);

        if (!best)
                return true;
        sb = scope(best);
        if (sc != sb) {
                if (sc < st || sb < st)
                        return sc > sb;
                return sc < sb;
        }
        return common_prefix(cand, target) > common_prefix(best, target);
}

/* The bond's IPv6 addresses (at most 16) into v6; how many. */
static size_t bond_addrs6(struct bg_fwd *b, uint8_t (*v6)[16]) {
        uint32_t v4[1];
        size_t n4 = 0, n6 = 0;

        if (!b->io || !b->io->bond_addrs || b->io->bond_addrs(b, v4, 0, &n4, v6, 16, &n6) < 0)
                return 0;
        return n6;
}

void bg_fwd_ns_source(struct bg_fwd *b, const uint8_t target[16], uint8_t out[16]) {
        uint8_t v6[16][16];
        size_t n6 = bond_addrs6(b, v6);
        const uint8_t *best = NULL;

        memset(out, 0, 16);
        for (size_t i = 0; i < n6; i++)
                if (better_source(v6[i], best, target))
                        best = v6[i];
        /* An address of a smaller scope than the target's cannot reach it;
         * the kernel then solicits from the unspecified address. */
        if (best && scope(best) >= scope(target))
                memcpy(out, best, 16);
}

void bg_fwd_mon_ns_probe(struct bg_fwd *b, struct bg_fwd_port *p) {
        uint8_t buf[96], src[16];
        struct bg_fwd_frame fr = { .data = buf, .cap = sizeof(buf) };

        for (size_t i = 0; i < b->p.n_ns_targets; i++) {
                bg_fwd_ns_source(b, b->p.ns_targets[i], src);
                fr.len = bg_fwd_build_ns(buf, p->mac, src, b->p.ns_targets[i]);
                (void) bg_fwd_port_send(b, p, &fr);
        }
}

/* bond_main.c:bond_has_this_ip6() */
static bool is_ours6(struct bg_fwd *b, const uint8_t a[16]) {
        uint8_t v6[16][16];
        size_t n6 = bond_addrs6(b, v6);

        for (size_t i = 0; i < n6; i++)
                if (!memcmp(v6[i], a, 16))
                        return true;
        return false;
}

/* bond_get_targets_ip6(): a target, or a target's solicited-node group
 * (what a backup sees as the "sender" of the active port's solicitation
 * once sender and target are swapped). */
static bool ns_target_index(const struct bg_fwd *b, const uint8_t a[16], size_t *idx) {
        uint8_t mc[16];

        for (size_t i = 0; i < b->p.n_ns_targets; i++) {
                solicited_node(b->p.ns_targets[i], mc);
                if (!memcmp(b->p.ns_targets[i], a, 16) || !memcmp(mc, a, 16)) {
                        *idx = i;
                        return true;
                }
        }
        return false;
}

bool bg_fwd_mon_ns_rx(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t *ip6, size_t len, bool swap) {
        const uint8_t *saddr, *daddr;
        size_t idx;

        /* bond_na_rcv(): an IPv6 header directly followed by an ICMPv6
         * NS or NA (its 8-byte header in the frame) */
        if (len < 48 || ip6[0] >> 4 != 6 || ip6[6] != 58 || (ip6[40] != 135 && ip6[40] != 136))
                return false;
        saddr = swap ? ip6 + 24 : ip6 + 8;
        daddr = swap ? ip6 + 8 : ip6 + 24;
        /* bond_validate_na(): a sender, sent to all nodes or to one of the
         * bond's addresses, and the sender is a target */
        if (is_any(saddr) || (memcmp(daddr, allnodes, 16) && !is_ours6(b, daddr)))
                return false;
        if (!ns_target_index(b, saddr, &idx))
                return false;
        p->last_rx = p->target_last_rx[BG_FWD_NS_SLOT + idx] = b->now;
        return true;
}
