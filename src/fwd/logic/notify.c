/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Peer notification after a failover (bond_main.c:
 * bond_change_active_slave(), mode 1): num_peer_notif rounds of one gratuitous
 * ARP per IPv4 address and one unsolicited neighbour advertisement per IPv6
 * address of the bond, peer_notif_delay apart, on the new active port. In
 * 802.3ad with broadcast_neighbor (bond_3ad.c:ad_cond_set_peer_notif(),
 * Linux 6.17; 3ad.c starts the count) the same rounds go through the
 * bond's transmit path, which puts ARP and neighbour advertisements on
 * every usable port.
 * Also the frame builders the ARP monitor uses.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <sys/socket.h>
#include <string.h>
#include <syslog.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/fwd.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static size_t build_arp(uint8_t *f, const uint8_t *dst, const uint8_t mac[6], uint16_t op,
                        uint32_t sip, const uint8_t *tha, uint32_t tip) {
        static const uint8_t zero[6];

        memcpy(f, dst, 6);
        memcpy(f + 6, mac, 6);
        f[12] = 0x08, f[13] = 0x06;
        f[14] = 0, f[15] = 1;          /* Ethernet */
        f[16] = 0x08, f[17] = 0x00;    /* IPv4 */
        f[18] = 6, f[19] = 4;
        f[20] = 0, f[21] = (uint8_t) op;
        memcpy(f + 22, mac, 6);
        memcpy(f + 28, &sip, 4);
        memcpy(f + 32, tha ? tha : zero, 6);
        memcpy(f + 38, &tip, 4);
        memset(f + 42, 0, 18);         /* pad to the 60-byte minimum */
        return 60;
}

size_t bg_fwd_build_garp(uint8_t *buf, const uint8_t mac[6], uint32_t ip_be) {
        return build_arp(buf, bcast, mac, 1, ip_be, NULL, ip_be);
}

size_t bg_fwd_build_arp_req(uint8_t *buf, const uint8_t mac[6], uint32_t sip_be, uint32_t tip_be) {
        return build_arp(buf, bcast, mac, 1, sip_be, NULL, tip_be);
}

/* RFC 1071: the one's complement sum of big-endian 16-bit words (an odd
 * last byte padded with zero), folded and inverted. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len) {
        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t) (p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t) p[len - 1] << 8;
        return sum;
}

static void put_csum(uint8_t *at, uint32_t sum) {
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        sum = ~sum;
        at[0] = (uint8_t) (sum >> 8), at[1] = (uint8_t) sum;
}

void bg_fwd_put_csum(uint8_t *at, const uint8_t *p, size_t len) {
        put_csum(at, csum_add(0, p, len));
}

void bg_fwd_put_icmp6_csum(const uint8_t *ip6, uint8_t *icmp, size_t icmp_len) {
        uint32_t sum = csum_add(0, ip6 + 8, 32);   /* source and destination */

        sum += (uint32_t) icmp_len + 58;           /* upper-layer length, next header ICMPv6 */
        put_csum(icmp + 2, csum_add(sum, icmp, icmp_len));
}

uint8_t *bg_fwd_put_nd_headers(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], const uint8_t src[16],
                               const uint8_t dst[16], size_t icmp_len, uint8_t type) {
        uint8_t *ip = f + 14, *icmp = f + 54;

        memcpy(f, dmac, 6);
        memcpy(f + 6, smac, 6);
        f[12] = 0x86, f[13] = 0xdd;
        memset(ip, 0, 40);
        ip[0] = 0x60;
        ip[4] = 0, ip[5] = (uint8_t) icmp_len;
        ip[6] = 58;                    /* ICMPv6 */
        ip[7] = 255;                   /* hop limit, as ND requires */
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        memset(icmp, 0, icmp_len);
        icmp[0] = type;
        return icmp;
}

size_t bg_fwd_build_unsol_na(uint8_t *f, const uint8_t mac[6], const uint8_t addr[16], bool router,
                             bool optimistic) {
        static const uint8_t allnodes[16] = { 0xff, 0x02, [15] = 0x01 };
        static const uint8_t allnodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
        uint8_t *ip = f + 14, *icmp;
        const size_t icmp_len = 32;   /* 24 header+target, 8 option */

        /* a neighbour advertisement */
        icmp = bg_fwd_put_nd_headers(f, allnodes_mac, mac, addr, allnodes, icmp_len, 136);
        /* not solicited; Router as the bond's IPv6 forwarding setting says
         * (ndisc.c:ndisc_send_unsol_na() passes idev->cnf.forwarding);
         * Override unless the address is optimistic: ndisc_send_na()
         * clears it for an IFA_F_OPTIMISTIC address (RFC 4429 3.3, an
         * optimistic node must not override a neighbour's cache entry) */
        icmp[4] = (uint8_t) ((optimistic ? 0 : 0x20) | (router ? 0x80 : 0));
        memcpy(icmp + 8, addr, 16);
        icmp[24] = 2, icmp[25] = 1;    /* target link-layer address option */
        memcpy(icmp + 26, mac, 6);
        bg_fwd_put_icmp6_csum(ip, icmp, icmp_len);
        return 14 + 40 + icmp_len;
}

bool bg_fwd_addr_announceable(int family, uint32_t flags) {
        if (family != AF_INET6)
                return true;
        if (flags & IFA_F_DADFAILED)
                return false;
        return !(flags & IFA_F_TENTATIVE) || (flags & IFA_F_OPTIMISTIC);
}

/* ipv6_addr_src_scope() of a unicast address: loopback 1, link-local 2,
 * site-local 5, anything else global (14) */
static int addr6_scope(const uint8_t a[16]) {
        static const uint8_t loopback[16] = { [15] = 1 };

        if (!memcmp(a, loopback, 16))
                return 1;
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
                return 2;
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
                return 5;
        return 14;
}

size_t bg_fwd_addr6_insert_at(const uint8_t (*list)[16], size_t n, const uint8_t addr[16]) {
        int s = addr6_scope(addr);
        size_t i = 0;

        while (i < n && s < addr6_scope(list[i]))
                i++;
        return i;
}

size_t bg_fwd_notify_walk(const struct bg_fwd_dev *devs, size_t n, int root, struct bg_fwd_notify_dev *out,
                          size_t max) {
        size_t k = 0, lowers;

        /* VLAN devices on the bond (vlan_device_event() passes
         * NETDEV_NOTIFY_PEERS on to them) */
        for (size_t i = 0; i < n && k < max; i++)
                if (devs[i].vlan_id && devs[i].link == root && devs[i].ifindex != root)
                        out[k++] = (struct bg_fwd_notify_dev){ &devs[i], devs[i].vlan_id };
        lowers = k;
        /* bridges over the bond or over one of those */
        for (size_t i = 0; i < n && k < max; i++) {
                const struct bg_fwd_dev *p = &devs[i];
                uint16_t vid = 0;
                bool ours = p->ifindex == root;

                for (size_t j = 0; j < lowers && !ours; j++)
                        if (out[j].dev == p)
                                ours = true, vid = out[j].vid;
                if (!ours || !p->master)
                        continue;
                for (size_t j = 0; j < n && k < max; j++)
                        if (devs[j].bridge && devs[j].ifindex == p->master)
                                out[k++] = (struct bg_fwd_notify_dev){ &devs[j], vid };
        }
        return k;
}

/* Gratuitous ARPs and unsolicited NAs for one device's addresses, from its
 * MAC, tagged with vid when it is not 0; opt6[i] (NULL: none) says v6[i]
 * is optimistic. */
static void notify_dev(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t mac[6], uint16_t vid, const uint32_t *v4,
                       size_t n4, const uint8_t (*v6)[16], const bool *opt6, size_t n6, bool router) {
        uint8_t buf[4 + 128];
        struct bg_fwd_frame fr = { .cap = sizeof(buf) - 4 };
        struct bg_fwd_port *out[BG_FWD_MAX_PORTS];

        for (size_t i = 0; i < n4 + n6; i++) {
                int n = 1;

                fr.data = buf + 4;
                fr.len = i < n4 ? bg_fwd_build_garp(fr.data, mac, v4[i]) :
                                  bg_fwd_build_unsol_na(fr.data, mac, v6[i - n4], router, opt6 && opt6[i - n4]);
                if (vid)
                        (void) bg_vlan_insert(&fr.data, &fr.len, &fr.vh, 0x8100, vid);
                /* no port given: the ports the mode transmits it on */
                if (p)
                        out[0] = p;
                else
                        n = b->ops->select_tx(b, &fr, out, BG_FWD_MAX_PORTS);
                for (int k = 0; k < n; k++)
                        (void) b->io->send(b, out[k], &fr);
        }
}

static bool through_tx(const struct bg_fwd *b) {
        return b->ops && b->ops->mode == BG_MODE_8023AD && b->ops->select_tx;
}

void bg_fwd_send_peer_notif(struct bg_fwd *b) {
        struct bg_fwd_port *p = b->active;
        uint32_t v4[16];
        uint8_t v6[16][16];
        size_t n4 = 0, n6 = 0;

        if ((!p && !through_tx(b)) || !b->io || !b->io->bond_addrs || !b->io->send)
                return;
        if (through_tx(b))
                p = NULL;
        if (b->io->bond_addrs(b, v4, 16, &n4, v6, 16, &n6) < 0)
                return;
        bool router = b->io->ipv6_router && b->io->ipv6_router(b), opt6[16] = { false };
        for (size_t i = 0; i < n6 && b->io->ipv6_optimistic; i++)
                opt6[i] = b->io->ipv6_optimistic(b, v6[i]);
        notify_dev(b, p, b->mac, 0, v4, n4, (const uint8_t (*)[16]) v6, opt6, n6, router);
        /* and for the devices stacked on the bond, tagged as their frames
         * leave it */
        if (b->io->stacked) {
                const struct bg_fwd_dev *devs;
                struct bg_fwd_notify_dev on[32];
                int root = 0;
                size_t n = b->io->stacked(b, &devs, &root), k = bg_fwd_notify_walk(devs, n, root, on, 32);

                for (size_t i = 0; i < k; i++) {
                        notify_dev(b, p, on[i].dev->mac, on[i].vid, on[i].dev->v4, on[i].dev->n4,
                                   (const uint8_t (*)[16]) on[i].dev->v6, on[i].dev->v6_optimistic, on[i].dev->n6,
                                   router);
                        n4 += on[i].dev->n4;
                        n6 += on[i].dev->n6;
                }
        }
        bg_fwd_logf(b, LOG_DEBUG, "sent peer notification on %s (%zu ARP, %zu NA)",
                    p ? p->name : "the usable ports", n4, n6);
}

/* bond_should_notify_peers(): only on multiples of the delay, only while
 * the bond has carrier, and only with an active port (in 802.3ad: a
 * usable port). */
static bool should_notify(struct bg_fwd *b) {
        uint32_t d = b->p.peer_notif_delay_ticks ? b->p.peer_notif_delay_ticks : 1;

        return (through_tx(b) ? bg_fwd_3ad_usable(b) > 0 : b->active != NULL) && b->peer_notif_left &&
               b->peer_notif_left % d == 0 && b->carrier;
}

void bg_fwd_notify_peers(struct bg_fwd *b) {
        uint32_t d = b->p.peer_notif_delay_ticks ? b->p.peer_notif_delay_ticks : 1;

        b->peer_notif_left = b->p.num_peer_notif * d;
        if (should_notify(b)) {
                b->peer_notif_left--;
                bg_fwd_send_peer_notif(b);
        }
}

/* At start the active port is chosen while its ports are enslaved, before
 * the core has read the bond's addresses and what is stacked on it: the
 * rounds counted then announced nothing. Once they are in, the count
 * starts again, so the partner hears every address (the stacked devices'
 * tagged) num_peer_notif times, as after a failover. Only where a change
 * of active port notifies (active-backup, bond_change_active_slave()). */
void bg_fwd_peer_notif_restart(struct bg_fwd *b) {
        if (b->ops && b->ops->mode == BG_MODE_ACTIVE_BACKUP && b->active)
                bg_fwd_notify_peers(b);
}

void bg_fwd_peer_notif_tick(struct bg_fwd *b) {
        bool notify = should_notify(b);

        if (b->peer_notif_left)
                b->peer_notif_left--;
        if (notify)
                bg_fwd_send_peer_notif(b);
}
