/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an inactive port's socket still takes (src/fwd/logic/rxkeep.c):
 * the choice per mode, monitor and arp_validate, and the classic BPF
 * program run by the kernel itself. A socket filter works on any socket:
 * here the receiving end of an AF_UNIX datagram pair, whose datagrams are
 * Ethernet frames as a packet socket's filter sees them (the outer VLAN
 * tag already out of the data); a datagram the filter refuses never
 * arrives. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/filter.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd/logic/fwd.h"

/* ---- the choice ---- */

static struct bg_fwd b;
static struct bg_fwd_port p;

static unsigned keep(enum bg_mode mode, bool rx_disabled, unsigned arp_interval, unsigned validate) {
        struct bg_fwd_keep k;

        memset(&b, 0, sizeof(b));
        memset(&p, 0, sizeof(p));
        b.p.mode = mode;
        b.p.arp_interval = arp_interval;
        b.p.arp_validate = validate;
        b.p.arp_targets[0] = htonl(0x0a000001);
        b.p.n_arp_targets = 1;
        p.rx_disabled = rx_disabled;
        p.backup = rx_disabled && mode == BG_MODE_ACTIVE_BACKUP;
        bg_fwd_rx_keep(&b, &p, &k);
        if (k.what & BG_FWD_KEEP_ARP_TARGETS)
                cr_assert(k.targets == b.p.arp_targets && k.n_targets == 1);
        return k.what;
}

Test(rxkeep, an_active_port_takes_every_frame) {
        for (enum bg_mode m = 0; m <= BG_MODE_BALANCE_ALB; m++)
                cr_assert_eq(keep(m, false, 0, 0), BG_FWD_KEEP_ALL, "mode %d", m);
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, false, 100, BG_ARPV_ALL), BG_FWD_KEEP_ALL);
}

Test(rxkeep, inactive_ports_per_mode) {
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 0, 0), 0);
        cr_assert_eq(keep(BG_MODE_BALANCE_TLB, true, 0, 0), 0);
        cr_assert_eq(keep(BG_MODE_BALANCE_ALB, true, 0, 0), BG_FWD_KEEP_UNICAST | BG_FWD_KEEP_ARP);
        cr_assert_eq(keep(BG_MODE_8023AD, true, 0, 0), BG_FWD_KEEP_LACP);
        /* no other mode makes a port inactive: never filter there */
        cr_assert_eq(keep(BG_MODE_BALANCE_RR, true, 0, 0), BG_FWD_KEEP_ALL);
        cr_assert_eq(keep(BG_MODE_BROADCAST, true, 0, 0), BG_FWD_KEEP_ALL);
}

/* bond_rcv_validate() on a backup, per arp_validate */
Test(rxkeep, active_backup_backup_with_the_arp_monitor) {
        /* not validated on backups: any frame is a receive */
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_NONE), BG_FWD_KEEP_ALL);
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_ACTIVE), BG_FWD_KEEP_ALL);
        /* filter, filter_active: any ARP or IPv6 frame */
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_FILTER), BG_FWD_KEEP_ARP | BG_FWD_KEEP_IPV6);
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_FILTER_ACTIVE),
                     BG_FWD_KEEP_ARP | BG_FWD_KEEP_IPV6);
        /* validated: ARP naming a target */
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_BACKUP), BG_FWD_KEEP_ARP_TARGETS);
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_ALL), BG_FWD_KEEP_ARP_TARGETS);
        cr_assert_eq(keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_FILTER_BACKUP), BG_FWD_KEEP_ARP_TARGETS);
}

Test(rxkeep, ns_targets_keep_neighbour_discovery) {
        struct bg_fwd_keep k;

        keep(BG_MODE_ACTIVE_BACKUP, true, 100, BG_ARPV_ALL);
        b.p.n_arp_targets = 0;
        b.p.n_ns_targets = 1;
        bg_fwd_rx_keep(&b, &p, &k);
        cr_assert_eq(k.what, BG_FWD_KEEP_NDISC);
        b.p.n_arp_targets = 1;
        bg_fwd_rx_keep(&b, &p, &k);
        cr_assert_eq(k.what, BG_FWD_KEEP_NDISC | BG_FWD_KEEP_ARP_TARGETS);
}

/* ---- the program, run by the kernel ---- */

static int sv[2];

static void attach(unsigned what, const uint32_t *targets, size_t n) {
        struct bg_fwd_keep k = { .what = what, .targets = targets, .n_targets = n };
        struct sock_filter prog[160];
        struct sock_fprog fp = { .filter = prog };
        int len = bg_fwd_rx_keep_prog(&k, prog, 160);

        cr_assert_gt(len, 0, "program for 0x%x: %d", what, len);
        fp.len = (unsigned short) len;
        cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
        cr_assert_eq(setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)), 0, "attach: %s",
                     strerror(errno));
}

static void detach(void) {
        close(sv[0]);
        close(sv[1]);
}

/* Does the filter let f through (whole)? */
static bool passes(const uint8_t *f, size_t len) {
        uint8_t buf[2048];
        ssize_t n;

        cr_assert_eq(send(sv[0], f, len, 0), (ssize_t) len);
        n = recv(sv[1], buf, sizeof(buf), 0);
        if (n < 0) {
                cr_assert_eq(errno, EAGAIN);
                return false;
        }
        cr_assert_eq((size_t) n, len, "kept %zd of %zu bytes", n, len);
        return true;
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast6[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
static const uint8_t ucast[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };
static const uint8_t slow_dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

/* An Ethernet header to dst, with tag (0: none) still in the data, of
 * EtherType type; returns the offset of the payload. */
static size_t eth(uint8_t *f, const uint8_t dst[6], uint16_t tag_tpid, uint16_t type) {
        size_t o = 12;

        memset(f, 0, 128);
        memcpy(f, dst, 6);
        memcpy(f + 6, ucast, 6);
        f[6] = 0x02;
        f[11] = 0x99;
        if (tag_tpid) {
                f[o] = tag_tpid >> 8, f[o + 1] = tag_tpid & 0xff, f[o + 3] = 100;
                o += 4;
        }
        f[o] = type >> 8, f[o + 1] = type & 0xff;
        return o + 2;
}

static size_t arp(uint8_t *f, const uint8_t dst[6], uint16_t tpid, uint32_t sip, uint32_t tip) {
        size_t o = eth(f, dst, tpid, 0x0806);
        uint32_t s = htonl(sip), t = htonl(tip);

        f[o + 1] = 1, f[o + 2] = 0x08, f[o + 4] = 6, f[o + 5] = 4, f[o + 7] = 1;
        memcpy(f + o + 14, &s, 4);
        memcpy(f + o + 24, &t, 4);
        return o + 28 < 60 ? 60 : o + 28;
}

/* IPv6 with next header nh, then an ICMPv6 type when nh is 58 */
static size_t ipv6(uint8_t *f, const uint8_t dst[6], uint16_t tpid, uint8_t nh, uint8_t icmp_type) {
        size_t o = eth(f, dst, tpid, 0x86dd);

        f[o] = 0x60;
        f[o + 6] = nh;
        f[o + 7] = 255;
        f[o + 40] = icmp_type;
        return o + 64;
}

static size_t slow(uint8_t *f, uint8_t subtype) {
        size_t o = eth(f, slow_dst, 0, 0x8809);

        f[o] = subtype;
        f[o + 1] = 1;
        return 124;
}

static size_t other(uint8_t *f, const uint8_t dst[6], uint16_t type) {
        eth(f, dst, 0, type);
        return 60;
}

Test(rxkeep_prog, all_is_no_filter_and_nothing_keeps_nothing) {
        struct bg_fwd_keep k = { .what = BG_FWD_KEEP_ALL | BG_FWD_KEEP_LACP };
        struct sock_filter prog[160];
        uint8_t f[128];

        cr_assert_eq(bg_fwd_rx_keep_prog(&k, prog, 160), 0);
        attach(0, NULL, 0);
        cr_assert_not(passes(f, other(f, bcast, 0x88b5)));
        cr_assert_not(passes(f, other(f, ucast, 0x0800)));
        cr_assert_not(passes(f, arp(f, bcast, 0, 0x0a000001, 0x0a000002)));
        cr_assert_not(passes(f, slow(f, 1)));
        detach();
}

/* balance-alb: unicast and ARP; broadcast and multicast not */
Test(rxkeep_prog, alb_keeps_unicast_and_arp) {
        uint8_t f[128];

        attach(BG_FWD_KEEP_UNICAST | BG_FWD_KEEP_ARP, NULL, 0);
        cr_assert(passes(f, other(f, ucast, 0x0800)));
        cr_assert(passes(f, other(f, ucast, 0x88b5)));
        cr_assert(passes(f, ipv6(f, ucast, 0, 17, 0)));
        cr_assert_not(passes(f, other(f, bcast, 0x0800)));
        cr_assert_not(passes(f, other(f, bcast, 0x88b5)));
        cr_assert_not(passes(f, ipv6(f, mcast6, 0, 58, 135)));
        cr_assert_not(passes(f, slow(f, 1)));
        cr_assert(passes(f, arp(f, bcast, 0, 0x0a000001, 0x0a000002)));
        cr_assert(passes(f, arp(f, bcast, 0x8100, 0x0a000001, 0x0a000002)));
        detach();
}

/* 802.3ad: LACPDUs and markers, no other slow protocol, nothing else */
Test(rxkeep_prog, lacp_keeps_lacpdus_and_markers) {
        uint8_t f[128];

        attach(BG_FWD_KEEP_LACP, NULL, 0);
        cr_assert(passes(f, slow(f, 1)));
        cr_assert(passes(f, slow(f, 2)));
        cr_assert_not(passes(f, slow(f, 3)));      /* OAM */
        cr_assert_not(passes(f, slow(f, 10)));     /* ESMC */
        cr_assert_not(passes(f, other(f, bcast, 0x88b5)));
        cr_assert_not(passes(f, other(f, ucast, 0x0800)));
        cr_assert_not(passes(f, arp(f, bcast, 0, 1, 2)));
        memset(f, 0, 10);
        cr_assert_not(passes(f, 10));              /* a runt */
        detach();
}

/* a validated backup: ARP with a target as sender or as target address */
Test(rxkeep_prog, arp_targets) {
        uint32_t t[2] = { htonl(0x0a000001), htonl(0xc0a80a0a) };
        uint8_t f[128];

        attach(BG_FWD_KEEP_ARP_TARGETS, t, 2);
        cr_assert(passes(f, arp(f, bcast, 0, 0x0a000001, 0x0a000063)));   /* the target's reply/request */
        cr_assert(passes(f, arp(f, bcast, 0, 0x0a000063, 0xc0a80a0a)));   /* our probe, reflected */
        cr_assert(passes(f, arp(f, ucast, 0x88a8, 0xc0a80a0a, 0x0a000063)));
        cr_assert_not(passes(f, arp(f, bcast, 0, 0x0a000063, 0x0a000064)));
        cr_assert_not(passes(f, arp(f, bcast, 0x8100, 0x0a000063, 0x0a000064)));
        cr_assert_not(passes(f, other(f, bcast, 0x88b5)));
        cr_assert_not(passes(f, ipv6(f, mcast6, 0, 58, 135)));
        detach();
}

Test(rxkeep_prog, sixteen_targets_fit) {
        uint32_t t[16];
        uint8_t f[128];

        for (int i = 0; i < 16; i++)
                t[i] = htonl(0x0a000001 + (uint32_t) i);
        attach(BG_FWD_KEEP_ARP_TARGETS | BG_FWD_KEEP_NDISC | BG_FWD_KEEP_UNICAST | BG_FWD_KEEP_LACP, t, 16);
        cr_assert(passes(f, arp(f, bcast, 0, 0x0a000063, 0x0a000010)));
        cr_assert(passes(f, arp(f, bcast, 0x8100, 0x0a000010, 0x0a000063)));
        cr_assert_not(passes(f, arp(f, bcast, 0x8100, 0x0a000011, 0x0a000063)));
        cr_assert(passes(f, ipv6(f, mcast6, 0x8100, 58, 136)));
        cr_assert(passes(f, slow(f, 2)));
        detach();
}

/* the NS monitor: NS and NA right after the IPv6 header */
Test(rxkeep_prog, ndisc) {
        uint8_t f[128];

        attach(BG_FWD_KEEP_NDISC, NULL, 0);
        cr_assert(passes(f, ipv6(f, mcast6, 0, 58, 135)));
        cr_assert(passes(f, ipv6(f, ucast, 0, 58, 136)));
        cr_assert(passes(f, ipv6(f, mcast6, 0x8100, 58, 135)));
        cr_assert_not(passes(f, ipv6(f, mcast6, 0, 58, 128)));     /* echo */
        cr_assert_not(passes(f, ipv6(f, mcast6, 0, 58, 143)));     /* MLDv2 report */
        cr_assert_not(passes(f, ipv6(f, mcast6, 0, 0, 135)));      /* hop-by-hop first */
        cr_assert_not(passes(f, ipv6(f, mcast6, 0, 17, 135)));
        cr_assert_not(passes(f, arp(f, bcast, 0, 0x0a000001, 0x0a000002)));
        detach();
}

/* arp_validate filter on a backup: any ARP, any IPv6 */
Test(rxkeep_prog, arp_and_ipv6) {
        uint8_t f[128];

        attach(BG_FWD_KEEP_ARP | BG_FWD_KEEP_IPV6, NULL, 0);
        cr_assert(passes(f, arp(f, bcast, 0, 0x0a000063, 0x0a000064)));
        cr_assert(passes(f, ipv6(f, mcast6, 0, 17, 0)));
        cr_assert(passes(f, ipv6(f, mcast6, 0x8100, 58, 143)));
        cr_assert_not(passes(f, other(f, bcast, 0x0800)));
        cr_assert_not(passes(f, other(f, bcast, 0x88b5)));
        cr_assert_not(passes(f, slow(f, 1)));
        detach();
}

Test(rxkeep_prog, too_small_a_buffer) {
        uint32_t t[16] = { 0 };
        struct bg_fwd_keep k = { .what = BG_FWD_KEEP_ARP_TARGETS, .targets = t, .n_targets = 16 };
        struct sock_filter prog[160];

        cr_assert_eq(bg_fwd_rx_keep_prog(&k, prog, 20), -ENOSPC);
}
