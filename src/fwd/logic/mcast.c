/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Membership reports after a failover (resend_igmp). A switch that snoops
 * IGMP/MLD learnt the bond's groups on the old active port; until its
 * next query (125 s by default) it would send the bond's multicast there.
 * The kernel has the host stack report every group again through the bond
 * when the active port changes (bond_main.c:bond_change_active_slave(),
 * bond_resend_igmp_join_requests_delayed()): resend_igmp rounds, the first
 * at once and then one every 200 ms. bondgend cannot make the host stack
 * do that through a TAP, so it builds the reports itself: an IGMPv2
 * membership report (RFC 2236) per IPv4 group and one MLDv2 report
 * (RFC 3810) listing the IPv6 groups, on the active port.
 */
#include <string.h>
#include <syslog.h>

#include "fwd/logic/fwd.h"

size_t bg_fwd_build_igmp2_report(uint8_t *f, const uint8_t mac[6], uint32_t src_be, uint32_t group_be) {
        const uint8_t *g = (const uint8_t *) &group_be;
        uint8_t *ip = f + 14, *igmp = f + 14 + 24;

        memset(f, 0, 60);
        /* 01:00:5e + the group's low 23 bits */
        f[0] = 0x01, f[1] = 0x00, f[2] = 0x5e, f[3] = g[1] & 0x7f, f[4] = g[2], f[5] = g[3];
        memcpy(f + 6, mac, 6);
        f[12] = 0x08, f[13] = 0x00;
        ip[0] = 0x46;                  /* version 4, 24-byte header: Router Alert */
        ip[3] = 24 + 8;
        ip[8] = 1;                     /* TTL 1 */
        ip[9] = 2;                     /* IGMP */
        memcpy(ip + 12, &src_be, 4);
        memcpy(ip + 16, &group_be, 4);
        ip[20] = 0x94, ip[21] = 0x04;  /* Router Alert, RFC 2113 */
        bg_fwd_put_csum(ip + 10, ip, 24);
        igmp[0] = 0x16;                /* version 2 membership report */
        memcpy(igmp + 4, &group_be, 4);
        bg_fwd_put_csum(igmp + 2, igmp, 8);
        return 60;
}

size_t bg_fwd_build_mld2_report(uint8_t *f, size_t cap, const uint8_t mac[6], const uint8_t src[16],
                                const uint8_t (*groups)[16], size_t n) {
        static const uint8_t all_mldv2_routers[16] = { 0xff, 0x02, [15] = 0x16 };
        uint8_t *ip = f + 14, *hbh = f + 54, *icmp = f + 62;
        size_t icmp_len = 8 + 20 * n;

        if (n > 16 || cap < 62 + icmp_len)
                return 0;
        memset(f, 0, 62 + icmp_len);
        f[0] = 0x33, f[1] = 0x33, f[5] = 0x16;
        memcpy(f + 6, mac, 6);
        f[12] = 0x86, f[13] = 0xdd;
        ip[0] = 0x60;
        ip[4] = (uint8_t) ((8 + icmp_len) >> 8), ip[5] = (uint8_t) (8 + icmp_len);
        ip[6] = 0;                     /* hop-by-hop options */
        ip[7] = 1;                     /* hop limit 1 */
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, all_mldv2_routers, 16);
        hbh[0] = 58;                   /* then ICMPv6 */
        hbh[2] = 5, hbh[3] = 2;        /* Router Alert: MLD (RFC 2711) */
        hbh[6] = 1;                    /* PadN, 0 bytes */
        icmp[0] = 143;                 /* MLDv2 report */
        icmp[6] = (uint8_t) (n >> 8), icmp[7] = (uint8_t) n;
        for (size_t i = 0; i < n; i++) {
                uint8_t *r = icmp + 8 + 20 * i;
                r[0] = 2;              /* MODE_IS_EXCLUDE with no source: joined */
                memcpy(r + 4, groups[i], 16);
        }
        bg_fwd_put_icmp6_csum(ip, icmp, icmp_len);
        return 62 + icmp_len;
}

static void send_round(struct bg_fwd *b) {
        struct bg_fwd_port *p = b->active;
        uint32_t g4[32], a4[16];
        uint8_t g6[16][16], a6[16][16], src6[16] = { 0 };
        size_t n4 = 0, n6 = 0, na4 = 0, na6 = 0;
        uint8_t buf[62 + 8 + 20 * 16];
        struct bg_fwd_frame fr = { .data = buf, .cap = sizeof(buf) };

        if (!p || !b->io->bond_groups || b->io->bond_groups(b, g4, 32, &n4, g6, 16, &n6) < 0)
                return;
        if (b->io->bond_addrs)
                (void) b->io->bond_addrs(b, a4, 16, &na4, a6, 16, &na6);
        /* an MLD report leaves from a link-local address (RFC 3810 5.2.13) */
        for (size_t i = 0; i < na6; i++)
                if (a6[i][0] == 0xfe && (a6[i][1] & 0xc0) == 0x80) {
                        memcpy(src6, a6[i], 16);
                        break;
                }
        for (size_t i = 0; i < n4; i++) {
                fr.len = bg_fwd_build_igmp2_report(buf, b->mac, na4 ? a4[0] : 0, g4[i]);
                (void) b->io->send(b, p, &fr);
        }
        if (n6) {
                fr.len = bg_fwd_build_mld2_report(buf, sizeof(buf), b->mac, src6, (const uint8_t (*)[16]) g6, n6);
                if (fr.len)
                        (void) b->io->send(b, p, &fr);
        }
        bg_fwd_logf(b, LOG_DEBUG, "resent membership reports on %s (%zu IGMP, %zu MLD groups)", p->name, n4, n6);
}

void bg_fwd_igmp_tick(struct bg_fwd *b) {
        if (!b->igmp_left || !b->io)
                return;
        send_round(b);
        b->igmp_left--;
        if (b->igmp_left && b->io->arm_igmp)
                b->io->arm_igmp(b, BG_FWD_IGMP_INTERVAL_USEC);
}

void bg_fwd_igmp_start(struct bg_fwd *b) {
        if (!b->p.resend_igmp || !b->active || !b->io)
                return;
        b->igmp_left = b->p.resend_igmp;
        bg_fwd_igmp_tick(b);
}
