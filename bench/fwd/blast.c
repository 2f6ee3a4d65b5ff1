/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bg-blast: a paced sender of 64-byte frames (60 bytes + FCS: Ethernet,
 * IPv4, UDP, 18 bytes of payload) for bench/fwd. iperf3's UDP sender does
 * one sendto() per datagram through the IP stack and tops out well below
 * what the forwarders are to be measured at; this sends prebuilt frames on
 * an AF_PACKET socket that bypasses the qdisc, in sendmmsg() bursts paced
 * against CLOCK_MONOTONIC, so a fixed offered rate holds up to what one
 * core can push. Source ports cycle through 64 values: 64 flows, so the
 * hash modes spread them.
 *
 * bg-blast IFACE DST_MAC SRC_MAC SRC_IP DST_IP PPS SECONDS [VLAN_ID]
 * prints "sent N in S s = R pps (E dropped by the device)"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 64
#define FLOWS 64

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t m[6]) {
        unsigned v[6];

        if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
                return -1;
        for (int i = 0; i < 6; i++)
                m[i] = (uint8_t) v[i];
        return 0;
}

static uint16_t csum(const uint8_t *p, size_t n) {
        uint32_t s = 0;

        for (size_t i = 0; i + 1 < n; i += 2)
                s += (uint32_t) (p[i] << 8 | p[i + 1]);
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        return (uint16_t) ~s;
}

/* One frame of 60 bytes (64 with the VLAN tag), UDP checksum 0 (none). */
static size_t build(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t sip, uint32_t dip,
                    uint16_t sport, int vlan) {
        size_t o = 12;
        uint8_t *ip;

        memset(f, 0, 64);
        memcpy(f, dst, 6);
        memcpy(f + 6, src, 6);
        if (vlan >= 0) {
                f[o++] = 0x81; f[o++] = 0x00;
                f[o++] = (uint8_t) (vlan >> 8); f[o++] = (uint8_t) vlan;
        }
        f[o++] = 0x08; f[o++] = 0x00;
        ip = f + o;
        ip[0] = 0x45; ip[3] = 46;               /* 20 + 8 + 18 */
        ip[6] = 0x40; ip[8] = 64; ip[9] = 17;   /* DF, TTL, UDP */
        memcpy(ip + 12, &sip, 4);
        memcpy(ip + 16, &dip, 4);
        uint16_t c = csum(ip, 20);
        ip[10] = (uint8_t) (c >> 8); ip[11] = (uint8_t) c;
        ip[20] = (uint8_t) (sport >> 8); ip[21] = (uint8_t) sport;
        ip[23] = 9;                             /* discard */
        ip[25] = 26;                            /* 8 + 18 */
        return o + 46;
}

int main(int argc, char **argv) {
        uint8_t dst[6], src[6], frames[FLOWS][64];
        struct mmsghdr msgs[BURST];
        struct iovec iov[BURST];
        struct sockaddr_ll sll = { .sll_family = AF_PACKET };
        uint32_t sip, dip;
        double pps, secs, t0, t;
        uint64_t sent = 0, dropped = 0, k = 0;
        size_t len = 0;
        int fd, one = 1, buf = 4 << 20, vlan = -1;

        if (argc < 8 || parse_mac(argv[2], dst) || parse_mac(argv[3], src) || inet_pton(AF_INET, argv[4], &sip) != 1 ||
            inet_pton(AF_INET, argv[5], &dip) != 1) {
                fprintf(stderr, "usage: bg-blast IFACE DST_MAC SRC_MAC SRC_IP DST_IP PPS SECONDS [VLAN_ID]\n");
                return 2;
        }
        pps = atof(argv[6]);
        secs = atof(argv[7]);
        if (argc > 8)
                vlan = atoi(argv[8]);
        sll.sll_ifindex = (int) if_nametoindex(argv[1]);
        if (!sll.sll_ifindex || pps <= 0 || secs <= 0) {
                fprintf(stderr, "bg-blast: bad interface, rate or duration\n");
                return 2;
        }
        fd = socket(AF_PACKET, SOCK_RAW, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sll, sizeof(sll)) < 0) {
                perror("bg-blast: socket");
                return 3;
        }
        (void) setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
        for (int i = 0; i < FLOWS; i++)
                len = build(frames[i], dst, src, sip, dip, (uint16_t) (10000 + i), vlan);
        t0 = now();
        while ((t = now() - t0) < secs) {
                uint64_t due = (uint64_t) (t * pps);
                if (due <= sent + dropped) {
                        struct timespec ts = { 0, 20000 };
                        nanosleep(&ts, NULL);
                        continue;
                }
                unsigned n = due - sent - dropped > BURST ? BURST : (unsigned) (due - sent - dropped);
                for (unsigned i = 0; i < n; i++, k++) {
                        iov[i] = (struct iovec){ frames[k % FLOWS], len };
                        msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
                }
                int r = sendmmsg(fd, msgs, n, 0);
                if (r < 0) {
                        if (errno != ENOBUFS && errno != EAGAIN) {
                                perror("bg-blast: sendmmsg");
                                return 3;
                        }
                        dropped++;   /* device queue full: that frame is lost at the source */
                        continue;
                }
                sent += (unsigned) r;
        }
        t = now() - t0;
        printf("sent %llu in %.3f s = %.0f pps (%llu dropped by the device)\n", (unsigned long long) sent, t,
               sent / t, (unsigned long long) dropped);
        return 0;
}
