/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's transmit hash (bond_main.c __bond_xmit_hash), reproduced from
 * the frame bytes as the forwarder reads them from the TAP. Formulas and
 * their caveats: bond_main.c:__bond_xmit_hash() and bond_xmit_hash().
 *
 * Two deliberate choices make the result equal to what a kernel bond would
 * pick for the same frame:
 *  - addresses and ports are loaded as native-endian 32-bit words, exactly as
 *    the kernel XORs them straight out of packet memory;
 *  - one in-band 802.1Q/802.1ad tag is skipped and its TCI used, because the
 *    kernel bond sees VLAN tags as offload metadata, not in the frame.
 */
#include <string.h>

#include "fwd/logic/fwd.h"

#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86DD
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8
#define ETH_P_TEB_ 0x6558

struct flow {
        uint32_t src, dst;     /* folded addresses, native endian */
        uint32_t ports;        /* raw 4 bytes, native endian */
        uint8_t icmp_type, icmp_code;
        uint16_t icmp_id;      /* host order; 0 = none */
};

static uint32_t load32(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
}

static uint16_t be16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t fold6(const uint8_t *a) {
        return load32(a) ^ load32(a + 4) ^ load32(a + 8) ^ load32(a + 12);
}

/* Offset of the ports for an L4 protocol (the kernel's proto_ports_offset). */
static int ports_offset(int proto) {
        switch (proto) {
        case 6: case 17: case 33: case 50: case 132: case 136:  /* TCP UDP DCCP ESP SCTP UDPLITE */
                return 0;
        case 51:   /* AH: the SPI */
                return 4;
        default:
                return -1;
        }
}

static uint32_t get_ports(const uint8_t *f, size_t len, size_t thoff, int proto) {
        int off = ports_offset(proto);

        if (off < 0 || thoff + (size_t) off + 4 > len)
                return 0;
        return load32(f + thoff + off);
}

static bool icmp_has_id(uint8_t type, bool v6) {
        if (v6)
                return type == 128 || type == 129;
        return type == 8 || type == 0 || type == 13 || type == 14;
}

static bool icmp_is_err(uint8_t type, bool v6) {
        if (v6)
                return type >= 1 && type <= 4;
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void get_icmp(const uint8_t *f, size_t len, size_t off, bool v6, struct flow *fl) {
        if (off + 8 > len)
                return;
        fl->icmp_type = f[off];
        fl->icmp_code = f[off + 1];
        if (icmp_has_id(fl->icmp_type, v6)) {
                uint16_t id = be16(f + off + 4);
                fl->icmp_id = id ? id : 1;
        } else
                fl->icmp_id = 0;
}

/* bond_flow_ip(): addresses, and with l34 the ports. */
static bool flow_ip(const uint8_t *f, size_t len, uint16_t proto, size_t *nhoff, int *ip_proto,
                    bool l34, struct flow *fl) {
        if (proto == ETH_P_IP_) {
                if (*nhoff + 20 > len)
                        return false;
                const uint8_t *ip = f + *nhoff;
                fl->src = load32(ip + 12);
                fl->dst = load32(ip + 16);
                *nhoff += (size_t) (ip[0] & 0x0f) << 2;
                /* A fragment (MF or offset) has no usable L4 header. */
                if (!(be16(ip + 6) & 0x3fff))
                        *ip_proto = ip[9];
        } else if (proto == ETH_P_IPV6_) {
                if (*nhoff + 40 > len)
                        return false;
                const uint8_t *ip = f + *nhoff;
                fl->src = fold6(ip + 8);
                fl->dst = fold6(ip + 24);
                *nhoff += 40;
                *ip_proto = ip[6];   /* extension headers are not walked */
        } else
                return false;

        if (l34 && *ip_proto >= 0)
                fl->ports = get_ports(f, len, *nhoff, *ip_proto);
        return true;
}

/* bond_flow_dissect() for the non-encap policies. */
static bool flow_dissect(const uint8_t *f, size_t len, uint16_t proto, size_t nhoff, bool l34,
                         struct flow *fl) {
        int ip_proto = -1;

        if (!flow_ip(f, len, proto, &nhoff, &ip_proto, l34, fl))
                return false;
        if (ip_proto == 1 || ip_proto == 58) {
                bool v6 = ip_proto == 58;
                get_icmp(f, len, nhoff, v6, fl);
                if (!icmp_is_err(fl->icmp_type, v6))
                        return true;
                /* Errors hash like the flow that caused them. */
                nhoff += 8;
                return flow_ip(f, len, proto, &nhoff, &ip_proto, l34, fl);
        }
        return true;
}

/* The subset of __skb_flow_dissect (flow_keys_bonding) that the encap
 * policies depend on: VLAN stacks, IP-in-IP, IPv6-in-IP and GRE (IP or
 * transparent Ethernet). UDP tunnels are not entered, as in the kernel. */
static bool flow_dissect_encap(const uint8_t *f, size_t len, uint16_t proto, size_t nhoff,
                               struct flow *fl) {
        for (int depth = 0; depth < 8; depth++) {
                int ip_proto = -1;
                bool v6;

                while (proto == ETH_P_8021Q_ || proto == ETH_P_8021AD_) {
                        if (nhoff + 4 > len)
                                return false;
                        proto = be16(f + nhoff + 2);
                        nhoff += 4;
                }
                if (proto != ETH_P_IP_ && proto != ETH_P_IPV6_)
                        return false;
                v6 = proto == ETH_P_IPV6_;
                fl->ports = 0;
                fl->icmp_id = 0;
                if (!flow_ip(f, len, proto, &nhoff, &ip_proto, false, fl))
                        return false;
                switch (ip_proto) {
                case 4:    /* IP in IP */
                        proto = ETH_P_IP_;
                        continue;
                case 41:   /* IPv6 in IP */
                        proto = ETH_P_IPV6_;
                        continue;
                case 47: { /* GRE version 0 */
                        if (nhoff + 4 > len)
                                return true;
                        uint16_t flags = be16(f + nhoff), gp = be16(f + nhoff + 2);
                        if (flags & 0x0007)   /* version != 0 (PPTP) is not entered */
                                return true;
                        size_t hl = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) +
                                    ((flags & 0x1000) ? 4 : 0);
                        nhoff += hl;
                        if (gp == ETH_P_TEB_) {
                                if (nhoff + 14 > len)
                                        return true;
                                proto = be16(f + nhoff + 12);
                                nhoff += 14;
                        } else
                                proto = gp;
                        if (proto != ETH_P_IP_ && proto != ETH_P_IPV6_ &&
                            proto != ETH_P_8021Q_ && proto != ETH_P_8021AD_)
                                return true;
                        continue;
                }
                case 1: case 58:
                        get_icmp(f, len, nhoff, v6, fl);
                        return true;
                default:
                        if (ip_proto >= 0)
                                fl->ports = get_ports(f, len, nhoff, ip_proto);
                        return true;
                }
        }
        return true;
}

int bg_fwd_frame_l2(const uint8_t *f, size_t len, struct bg_fwd_l2 *out) {
        if (len < 14)
                return -EINVAL;
        out->proto = be16(f + 12);
        out->nhoff = 14;
        out->tci = 0;
        out->tagged = false;
        if (out->proto == ETH_P_8021Q_ || out->proto == ETH_P_8021AD_) {
                if (len < 18)
                        return -EINVAL;
                out->tci = be16(f + 14);
                out->proto = be16(f + 16);
                out->nhoff = 18;
                out->tagged = true;
        }
        return 0;
}

uint32_t bg_fwd_xmit_hash(unsigned policy, const uint8_t *f, size_t len) {
        struct bg_fwd_l2 l2;
        struct flow fl = {};
        uint32_t h;
        bool ok;

        if (bg_fwd_frame_l2(f, len, &l2) < 0)
                return 0;

        if (policy == BG_HASH_VLAN_SRCMAC)
                return (uint32_t) l2.tci ^ ((uint32_t) f[6] << 16 | f[7] << 8 | f[8]) ^
                       ((uint32_t) f[9] << 16 | f[10] << 8 | f[11]);

        uint32_t l2h = (uint32_t) (f[5] ^ f[11]) ^ l2.proto;

        switch (policy) {
        case BG_HASH_LAYER23:
        case BG_HASH_LAYER34:
                ok = flow_dissect(f, len, l2.proto, l2.nhoff, policy == BG_HASH_LAYER34, &fl);
                break;
        case BG_HASH_ENCAP23:
        case BG_HASH_ENCAP34:
                ok = flow_dissect_encap(f, len, l2.proto, l2.nhoff, &fl);
                if (policy == BG_HASH_ENCAP23)
                        fl.ports = 0, fl.icmp_id = 0;
                break;
        default:
                return l2h;
        }
        if (!ok)
                return l2h;

        if (policy == BG_HASH_LAYER23 || policy == BG_HASH_ENCAP23)
                h = l2h;
        else if (fl.icmp_id)
                h = (uint32_t) fl.icmp_type | (uint32_t) fl.icmp_code << 8 | (uint32_t) fl.icmp_id << 16;
        else
                h = fl.ports;

        h ^= fl.dst ^ fl.src;
        h ^= h >> 16;
        h ^= h >> 8;
        if (policy == BG_HASH_LAYER34 || policy == BG_HASH_ENCAP34)
                h >>= 1;   /* the kernel drops the low bit: ports are often even */
        return h;
}
