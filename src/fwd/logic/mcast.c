/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Membership reports after a failover (resend_igmp). A switch that snoops
 * IGMP/MLD learnt the bond's groups on the old active port; until its
 * next query (125 s by default) it would send the bond's multicast there.
 * The kernel has the host stack report every group again through the bond
 * when the active port changes (bond_main.c:bond_change_active_slave(),
 * bond_resend_igmp_join_requests_delayed(): NETDEV_RESEND_IGMP):
 * resend_igmp rounds, the first at once and then one every 200 ms.
 * bondgend cannot make the host stack do that through a TAP, so it builds
 * the reports itself, as igmp.c:ip_mc_rejoin_groups() and
 * mcast.c:ipv6_mc_rejoin_groups() send them, on the active port:
 *  - IPv4: one report per group but 224.0.0.1 (and 224.0.0.x unless the
 *    igmp_link_local_mcast_reports sysctl is on, its default), in the
 *    interface's IGMP version: IGMPv1 or IGMPv2 reports (RFC 1112, RFC
 *    2236) to the group when a querier of that version was heard lately
 *    or force_igmp_version says so (IGMP_V1_SEEN(), IGMP_V2_SEEN()), else
 *    an IGMPv3 report (RFC 3376) to 224.0.0.22 holding that group's
 *    Current-State Record (igmpv3_send_report() for one group:
 *    MODE_IS_EXCLUDE, or MODE_IS_INCLUDE for a source-specific join, with
 *    its sources);
 *  - IPv6: one MLDv2 report (RFC 3810) listing the groups
 *    (mld_send_report()).
 * The same for each VLAN device on the bond and each bridge over it or
 * over one of those VLANs (the notifier passes NETDEV_RESEND_IGMP on),
 * from the device's MAC, tagged as its frames leave the bond.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/fwd.h"

/* Ethernet and IPv4 headers of a report to dst (TOS 0xc0, DF, TTL 1,
 * Router Alert: igmp_send_report(), igmpv3_newpack()); returns where the
 * IGMP message goes (f + 38). */
static uint8_t *put_igmp_headers(uint8_t *f, const uint8_t mac[6], uint32_t src_be, uint32_t dst_be, size_t igmp_len) {
        const uint8_t *d = (const uint8_t *) &dst_be;
        uint8_t *ip = f + 14;

        memset(f, 0, 38 + igmp_len);
        /* 01:00:5e + the destination's low 23 bits */
        f[0] = 0x01, f[1] = 0x00, f[2] = 0x5e, f[3] = d[1] & 0x7f, f[4] = d[2], f[5] = d[3];
        memcpy(f + 6, mac, 6);
        f[12] = 0x08, f[13] = 0x00;
        ip[0] = 0x46;                  /* version 4, 24-byte header: Router Alert */
        ip[1] = 0xc0;                  /* TOS: internetwork control */
        ip[2] = (uint8_t) ((24 + igmp_len) >> 8), ip[3] = (uint8_t) (24 + igmp_len);
        ip[6] = 0x40;                  /* DF; the ID stays 0 (ip_select_ident() with DF and no socket) */
        ip[8] = 1;                     /* TTL 1 */
        ip[9] = 2;                     /* IGMP */
        memcpy(ip + 12, &src_be, 4);
        memcpy(ip + 16, &dst_be, 4);
        ip[20] = 0x94, ip[21] = 0x04;  /* Router Alert, RFC 2113 */
        bg_fwd_put_csum(ip + 10, ip, 24);
        return f + 38;
}

size_t bg_fwd_build_igmp_report(uint8_t *f, size_t cap, const uint8_t mac[6], uint32_t src_be, int version,
                                const struct bg_fwd_group4 *g) {
        uint8_t *igmp;

        if (version == 1 || version == 2) {
                if (cap < 46)
                        return 0;
                igmp = put_igmp_headers(f, mac, src_be, g->group, 8);
                igmp[0] = version == 1 ? 0x12 : 0x16;   /* IGMP_HOST_MEMBERSHIP_REPORT, IGMPV2_... */
                memcpy(igmp + 4, &g->group, 4);
                bg_fwd_put_csum(igmp + 2, igmp, 8);
                return 46;
        }
        size_t n = g->n_src < BG_FWD_GROUP_SRCS ? g->n_src : BG_FWD_GROUP_SRCS, len = 8 + 8 + 4 * n;
        if (cap < 38 + len)
                return 0;
        igmp = put_igmp_headers(f, mac, src_be, htonl(0xe0000016u), len);   /* IGMPV3_ALL_MCR */
        igmp[0] = 0x22;                /* IGMPV3_HOST_MEMBERSHIP_REPORT */
        igmp[7] = 1;                   /* one group record */
        uint8_t *r = igmp + 8;
        r[0] = g->include ? 1 : 2;     /* MODE_IS_INCLUDE, MODE_IS_EXCLUDE */
        r[2] = (uint8_t) (n >> 8), r[3] = (uint8_t) n;
        memcpy(r + 4, &g->group, 4);
        memcpy(r + 8, g->src, 4 * n);
        bg_fwd_put_csum(igmp + 2, igmp, len);
        return 38 + len;
}

/* Copy the line at *p (without its newline) to buf; *p moves past it. */
static bool next_line(const char **p, char *buf, size_t cap) {
        const char *s = *p, *e;
        size_t n;

        if (!s || !*s)
                return false;
        e = strchr(s, '\n');
        n = e ? (size_t) (e - s) : strlen(s);
        *p = e ? e + 1 : s + n;
        if (n >= cap)
                n = cap - 1;
        memcpy(buf, s, n);
        buf[n] = 0;
        return true;
}

/* What /proc/net/mcfilter says of one group: each source with the count
 * of include-mode and exclude-mode filters that name it. */
struct srcs {
        size_t n;
        uint32_t src[BG_FWD_GROUP_SRCS];
        unsigned long inc[BG_FWD_GROUP_SRCS], exc[BG_FWD_GROUP_SRCS];
};

/* The group's Current-State Record as add_grec() fills it for
 * MODE_IS_INCLUDE / MODE_IS_EXCLUDE (is_in()). The kernel's filter mode
 * is EXCLUDE while any exclude-mode filter is on the group
 * (pmc->sfcount[MCAST_EXCLUDE]); /proc shows the group's users and each
 * source's counts, not that count, so it is inferred: a group without
 * sources, with a source some filter excludes, or with a user that names
 * no source (any-source joins: the common case) is EXCLUDE, listing the
 * sources every exclude-mode filter excludes and no include-mode one
 * names; otherwise INCLUDE, listing its sources. Left undecidable: an
 * any-source join beside a source-specific join naming several sources
 * reads as INCLUDE. */
static void record_of(struct bg_fwd_group4 *g, unsigned users, const struct srcs *s) {
        unsigned long sum_inc = 0, max_inc = 0;
        bool exc = false;

        for (size_t i = 0; i < s->n; i++) {
                sum_inc += s->inc[i];
                if (s->inc[i] > max_inc)
                        max_inc = s->inc[i];
                exc |= s->exc[i] > 0;
        }
        g->include = s->n && !exc && sum_inc >= users;
        g->n_src = 0;
        /* exclude-mode filters: the users that are not include-mode ones
         * (each of those names at least one source) */
        unsigned long n_exc = users > max_inc ? users - max_inc : 0;
        for (size_t i = 0; i < s->n; i++)
                if (g->include || (!s->inc[i] && s->exc[i] == n_exc))
                        g->src[g->n_src++] = s->src[i];
}

void bg_fwd_parse_igmp4(const char *igmp, const char *mcfilter, int ifindex, bool llm_reports,
                        struct bg_fwd_groups *g) {
        static const struct srcs none;
        unsigned users[BG_FWD_MAX_GROUPS4];
        struct srcs *srcs[BG_FWD_MAX_GROUPS4] = { NULL };
        struct srcs all[BG_FWD_MAX_GROUPS4];
        char line[256];
        bool ours = false;

        g->igmp_version = 3;
        g->n4 = 0;
        /* "IDX\tNAME : COUNT QUERIER" then "\t\t\t\tGROUP USERS TIMER\t\tREPORTER"
         * per group (igmp_mc_seq_show(); GROUP is the raw network-order
         * word, QUERIER V1/V2/V3 as IGMP_V1_SEEN()/IGMP_V2_SEEN() say) */
        while (next_line(&igmp, line, sizeof(line))) {
                char dev[32], q[8] = "";
                unsigned long gw;
                unsigned u;
                int idx, count;

                if (line[0] != '\t') {
                        ours = sscanf(line, "%d %31[^ :\t] : %d %7s", &idx, dev, &count, q) >= 2 && idx == ifindex;
                        if (ours)
                                g->igmp_version = !strcmp(q, "V1") ? 1 : !strcmp(q, "V2") ? 2 : 3;
                        continue;
                }
                if (!ours || sscanf(line, " %lx %u", &gw, &u) != 2 || g->n4 >= BG_FWD_MAX_GROUPS4)
                        continue;
                uint32_t v = (uint32_t) gw;
                if (v == htonl(0xe0000001u))                   /* IGMP_ALL_HOSTS */
                        continue;
                if ((ntohl(v) & 0xffffff00u) == 0xe0000000u && !llm_reports)   /* ipv4_is_local_multicast() */
                        continue;
                users[g->n4] = u;
                g->v4[g->n4++] = (struct bg_fwd_group4){ .group = v };
        }
        /* "IDX NAME MCA SRC INC EXC", MCA and SRC in host order
         * (ip_mcf_seq_show()) */
        while (mcfilter && next_line(&mcfilter, line, sizeof(line))) {
                unsigned long inc, exc;
                unsigned mca, src;
                int idx;

                if (sscanf(line, "%d %*s 0x%x 0x%x %lu %lu", &idx, &mca, &src, &inc, &exc) != 5 || idx != ifindex)
                        continue;
                for (size_t i = 0; i < g->n4; i++) {
                        if (g->v4[i].group != htonl(mca))
                                continue;
                        if (!srcs[i]) {
                                srcs[i] = &all[i];
                                srcs[i]->n = 0;
                        }
                        struct srcs *s = srcs[i];
                        if (s->n < BG_FWD_GROUP_SRCS) {
                                s->src[s->n] = htonl(src);
                                s->inc[s->n] = inc;
                                s->exc[s->n++] = exc;
                        }
                        break;
                }
        }
        for (size_t i = 0; i < g->n4; i++)
                record_of(&g->v4[i], users[i], srcs[i] ? srcs[i] : &none);
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

/* The first link-local address of n (RFC 3810 5.2.13: an MLD report leaves
 * from one), or :: */
static void link_local_of(const uint8_t (*a6)[16], size_t n, uint8_t out[16]) {
        memset(out, 0, 16);
        for (size_t i = 0; i < n; i++)
                if (a6[i][0] == 0xfe && (a6[i][1] & 0xc0) == 0x80) {
                        memcpy(out, a6[i], 16);
                        return;
                }
}

/* One device's reports (ip_mc_rejoin_groups() and ipv6_mc_rejoin_groups()
 * for it): its groups, from its MAC and its first IPv4 address (the
 * route's source; 0.0.0.0 without one, as igmpv3_get_srcaddr() gives),
 * tagged vid when not 0. Adds the groups reported to *n4, *n6. */
static void report_dev(struct bg_fwd *b, struct bg_fwd_port *p, int ifindex, const uint8_t mac[6], uint32_t src4,
                       const uint8_t src6[16], uint16_t vid, size_t *n4, size_t *n6) {
        struct bg_fwd_groups g;
        uint8_t buf[4 + 62 + 8 + 20 * BG_FWD_MAX_GROUPS6];
        struct bg_fwd_frame fr = { .cap = sizeof(buf) - 4 };

        memset(&g, 0, sizeof(g));
        g.igmp_version = 3;
        if (b->io->groups(b, ifindex, &g) < 0)
                return;
        for (size_t i = 0; i < g.n4 + (g.n6 ? 1 : 0); i++) {
                fr.data = buf + 4;
                fr.len = i < g.n4 ? bg_fwd_build_igmp_report(fr.data, fr.cap, mac, src4, g.igmp_version, &g.v4[i]) :
                                    bg_fwd_build_mld2_report(fr.data, fr.cap, mac, src6, (const uint8_t (*)[16]) g.v6,
                                                             g.n6);
                if (!fr.len)
                        continue;
                if (vid)
                        (void) bg_vlan_insert(&fr.data, &fr.len, &fr.vh, 0x8100, vid);
                (void) b->io->send(b, p, &fr);
        }
        *n4 += g.n4;
        *n6 += g.n6;
}

/* The bond's reports, then those of what is stacked on it: NETDEV_RESEND_IGMP
 * reaches the VLAN devices on the bond (vlan_device_event()) and the
 * bridge a port is in (br_device_event()), the devices a peer
 * notification speaks for (bg_fwd_notify_walk()). */
static void send_round(struct bg_fwd *b) {
        struct bg_fwd_port *p = b->active;
        uint32_t a4[16];
        uint8_t a6[16][16], src6[16];
        size_t na4 = 0, na6 = 0, n4 = 0, n6 = 0, ndev = 0;

        if (!p || !b->io->groups)
                return;
        if (b->io->bond_addrs)
                (void) b->io->bond_addrs(b, a4, 16, &na4, a6, 16, &na6);
        link_local_of((const uint8_t (*)[16]) a6, na6, src6);
        report_dev(b, p, b->tap_ifindex, b->mac, na4 ? a4[0] : 0, src6, 0, &n4, &n6);
        if (b->io->stacked) {
                const struct bg_fwd_dev *devs;
                struct bg_fwd_notify_dev on[32];
                int root = 0;
                size_t n = b->io->stacked(b, &devs, &root);

                ndev = bg_fwd_notify_walk(devs, n, root, on, 32);
                for (size_t i = 0; i < ndev; i++) {
                        const struct bg_fwd_dev *d = on[i].dev;
                        link_local_of((const uint8_t (*)[16]) d->v6, d->n6, src6);
                        report_dev(b, p, d->ifindex, d->mac, d->n4 ? d->v4[0] : 0, src6, on[i].vid, &n4, &n6);
                }
        }
        bg_fwd_logf(b, LOG_DEBUG, "resent membership reports on %s (%zu IGMP, %zu MLD groups, %zu stacked devices)",
                    p->name, n4, n6, ndev);
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
