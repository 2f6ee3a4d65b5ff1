/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's xmit hash formulas (bond_main.c:__bond_xmit_hash()) against worked
 * examples computed from the formulas, and the rules around them (VLAN
 * tags, ICMP ids, ICMP errors, fragments, IPv6 folding, tunnels). */
#include <criterion/criterion.h>
#include <string.h>

#include "fwd/logic/fwd.h"

static const uint8_t SRC[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t DST[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x14 };

/* Ethernet (optionally one 802.1Q tag) + IPv4 + 8 bytes of L4 */
static size_t ipv4_frame(uint8_t *f, uint16_t tci, bool tagged, uint8_t proto, const uint8_t sip[4],
                         const uint8_t dip[4], uint16_t frag, const uint8_t l4[8]) {
        size_t o = 12;

        memcpy(f, DST, 6);
        memcpy(f + 6, SRC, 6);
        if (tagged) {
                f[o++] = 0x81, f[o++] = 0x00;
                f[o++] = (uint8_t) (tci >> 8), f[o++] = (uint8_t) tci;
        }
        f[o++] = 0x08, f[o++] = 0x00;
        memset(f + o, 0, 20);
        f[o] = 0x45;
        f[o + 6] = (uint8_t) (frag >> 8), f[o + 7] = (uint8_t) frag;
        f[o + 8] = 64;
        f[o + 9] = proto;
        memcpy(f + o + 12, sip, 4);
        memcpy(f + o + 16, dip, 4);
        o += 20;
        memcpy(f + o, l4, 8);
        return o + 8;
}

static const uint8_t SIP[4] = { 192, 168, 1, 10 }, DIP[4] = { 192, 168, 1, 20 };
static const uint8_t TCP_PORTS[8] = { 0x9c, 0x40, 0x00, 0x50 };   /* 40000 -> 80 */

Test(hash, worked_example_layer2) {
        uint8_t f[128];
        size_t n = ipv4_frame(f, 0, false, 6, SIP, DIP, 0, TCP_PORTS);
        uint32_t h = bg_fwd_xmit_hash(BG_HASH_LAYER2, f, n);

        cr_assert_eq(h, 0x081e, "layer2 %#x", h);
        cr_assert_eq(h % 2, 0);
        cr_assert_eq(h % 3, 2);
}

Test(hash, worked_example_layer23) {
        uint8_t f[128];
        size_t n = ipv4_frame(f, 0, false, 6, SIP, DIP, 0, TCP_PORTS);
        uint32_t h = bg_fwd_xmit_hash(BG_HASH_LAYER23, f, n);

        cr_assert_eq(h, 0x1e1e1608, "layer2+3 %#x", h);
        cr_assert_eq(h % 3, 0);
}

Test(hash, worked_example_layer34) {
        uint8_t f[128];
        size_t n = ipv4_frame(f, 0, false, 6, SIP, DIP, 0, TCP_PORTS);
        uint32_t h = bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n);

        cr_assert_eq(h, 0x27270749, "layer3+4 %#x", h);
        cr_assert_eq(h % 2, 1);
        cr_assert_eq(h % 3, 2);
}

Test(hash, worked_example_vlan_srcmac) {
        uint8_t f[128];
        size_t n = ipv4_frame(f, 100, true, 6, SIP, DIP, 0, TCP_PORTS);

        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_VLAN_SRCMAC, f, n), 0x52546e);
        /* untagged: TCI 0; the destination does not matter */
        n = ipv4_frame(f, 0, false, 6, SIP, DIP, 0, TCP_PORTS);
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_VLAN_SRCMAC, f, n), 0x52540a ^ 0);
        f[5] = 0x99;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_VLAN_SRCMAC, f, n), 0x52540a);
}

Test(hash, vlan_tag_is_treated_as_offloaded) {
        uint8_t a[128], b[128];
        size_t na = ipv4_frame(a, 0, false, 6, SIP, DIP, 0, TCP_PORTS);
        size_t nb = ipv4_frame(b, 42, true, 6, SIP, DIP, 0, TCP_PORTS);

        for (unsigned p = 0; p <= BG_HASH_LAYER23; p++)
                cr_assert_eq(bg_fwd_xmit_hash(p, a, na), bg_fwd_xmit_hash(p, b, nb), "policy %u", p);
}

Test(hash, layer34_port_order_and_low_bit) {
        uint8_t f[128], g[128];
        const uint8_t other[8] = { 0x9c, 0x41, 0x00, 0x50 };
        size_t n = ipv4_frame(f, 0, false, 17, SIP, DIP, 0, TCP_PORTS);
        size_t m = ipv4_frame(g, 0, false, 17, SIP, DIP, 0, other);
        uint32_t h1 = bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n), h2 = bg_fwd_xmit_hash(BG_HASH_LAYER34, g, m);

        /* UDP hashes like TCP; a different source port changes the hash */
        cr_assert_eq(h1, 0x27270749);
        cr_assert_neq(h1, h2);
        /* the formula by hand: ports word (native endian) ^ addresses, folded, >> 1 */
        uint32_t w, s, d, h;
        memcpy(&w, TCP_PORTS, 4);
        memcpy(&s, SIP, 4);
        memcpy(&d, DIP, 4);
        h = w ^ s ^ d;
        h ^= h >> 16;
        h ^= h >> 8;
        cr_assert_eq(h1, h >> 1);
}

Test(hash, fragments_have_no_ports) {
        uint8_t f[128], g[128];
        const uint8_t zero[8] = {};
        size_t n = ipv4_frame(f, 0, false, 6, SIP, DIP, 0x2000 /* MF */, TCP_PORTS);
        size_t m = ipv4_frame(g, 0, false, 6, SIP, DIP, 0, zero);

        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n), bg_fwd_xmit_hash(BG_HASH_LAYER34, g, m));
        n = ipv4_frame(f, 0, false, 6, SIP, DIP, 0x0010 /* offset */, TCP_PORTS);
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n), bg_fwd_xmit_hash(BG_HASH_LAYER34, g, m));
}

Test(hash, icmp_echo_uses_type_code_id) {
        uint8_t f[128];
        const uint8_t echo[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
        const uint8_t echo0[8] = { 8, 0, 0, 0, 0, 0, 0, 1 };
        size_t n = ipv4_frame(f, 0, false, 1, SIP, DIP, 0, echo);
        uint32_t s, d, h;

        memcpy(&s, SIP, 4);
        memcpy(&d, DIP, 4);
        h = (8u | 0u << 8 | 0x1234u << 16) ^ s ^ d;
        h ^= h >> 16;
        h ^= h >> 8;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n), h >> 1);
        /* id 0 counts as 1 */
        n = ipv4_frame(f, 0, false, 1, SIP, DIP, 0, echo0);
        h = (8u | 1u << 16) ^ s ^ d;
        h ^= h >> 16;
        h ^= h >> 8;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n), h >> 1);
}

Test(hash, icmp_error_follows_the_embedded_flow) {
        uint8_t f[256], g[128];
        const uint8_t rip[4] = { 10, 9, 9, 9 };
        size_t m = ipv4_frame(g, 0, false, 17, SIP, DIP, 0, TCP_PORTS);
        /* a port unreachable from a router about the UDP datagram above */
        uint8_t err[8] = { 3, 3, 0, 0, 0, 0, 0, 0 };
        size_t n = ipv4_frame(f, 0, false, 1, rip, SIP, 0, err);

        memcpy(f + n, g + 14, 28);   /* embedded IPv4 header + 8 bytes */
        n += 28;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER34, f, n), bg_fwd_xmit_hash(BG_HASH_LAYER34, g, m));
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER23, f, n) ^ 0,
                     bg_fwd_xmit_hash(BG_HASH_LAYER23, g, m));
}

Test(hash, ipv6_addresses_fold) {
        uint8_t f[128] = {};
        size_t n = 14 + 40 + 8;
        uint32_t w[8], s, d, h;

        memcpy(f, DST, 6);
        memcpy(f + 6, SRC, 6);
        f[12] = 0x86, f[13] = 0xdd;
        f[14] = 0x60;
        f[20] = 6;   /* TCP */
        for (int i = 0; i < 32; i++)
                f[22 + i] = (uint8_t) (i * 7 + 1);
        memcpy(f + 54, TCP_PORTS, 4);
        memcpy(w, f + 22, 32);
        s = w[0] ^ w[1] ^ w[2] ^ w[3];
        d = w[4] ^ w[5] ^ w[6] ^ w[7];
        h = (uint32_t) (0x14 ^ 0x0a) ^ 0x86dd;
        h ^= s ^ d;
        h ^= h >> 16;
        h ^= h >> 8;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER23, f, n), h);
}

Test(hash, non_ip_falls_back_to_layer2) {
        uint8_t f[60] = {};

        memcpy(f, DST, 6);
        memcpy(f + 6, SRC, 6);
        f[12] = 0x08, f[13] = 0x06;   /* ARP */
        for (unsigned p = 0; p <= BG_HASH_ENCAP34; p++)
                cr_assert_eq(bg_fwd_xmit_hash(p, f, sizeof(f)), (0x14u ^ 0x0au) ^ 0x0806u, "policy %u", p);
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_LAYER2, f, 10), 0);   /* runt */
}

Test(hash, encap_uses_inner_headers) {
        uint8_t outer[256], inner[128];
        const uint8_t o1[4] = { 172, 16, 0, 1 }, o2[4] = { 172, 16, 0, 2 };
        size_t ni = ipv4_frame(inner, 0, false, 6, SIP, DIP, 0, TCP_PORTS);
        size_t n = ipv4_frame(outer, 0, false, 4 /* IPIP */, o1, o2, 0, (uint8_t[8]){});

        n -= 8;
        memcpy(outer + n, inner + 14, ni - 14);
        n += ni - 14;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_ENCAP34, outer, n), bg_fwd_xmit_hash(BG_HASH_LAYER34, inner, ni));
        /* the non-encap policy sees only the outer header */
        cr_assert_neq(bg_fwd_xmit_hash(BG_HASH_LAYER34, outer, n), bg_fwd_xmit_hash(BG_HASH_LAYER34, inner, ni));
        /* encap2+3: inner addresses, outer MACs/EtherType */
        uint32_t h = (uint32_t) (0x14 ^ 0x0a) ^ 0x0800, s, d;
        memcpy(&s, SIP, 4);
        memcpy(&d, DIP, 4);
        h ^= s ^ d;
        h ^= h >> 16;
        h ^= h >> 8;
        cr_assert_eq(bg_fwd_xmit_hash(BG_HASH_ENCAP23, outer, n), h);
}
