/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the differential harness's VM: send numbered UDP datagrams on a
 * list of flows, so the partner side can tell which flow and which packet
 * each frame is. Flows are sent in turn (f0 s1, f1 s1, ..., f0 s2, ...):
 * the order is the same in every run, which a per-packet mode (balance-rr)
 * needs. The payload is "BGDIFF <flow> <seq>", padded with zeros to SIZE
 * bytes when a flow names one (frames larger than a 1500-byte MTU).
 * Usage: bg-diff-udpsend COUNT GAP_US DST:SPORT:DPORT[:SIZE]...
 *
 * Also the guest's receive probe, as the same program (one binary in the
 * image): `bg-diff-udpsend sniff SECONDS ETHERTYPE[,ETHERTYPE...]` prints
 * one line per frame of those EtherTypes any interface receives in that
 * time, "IFNAME subtype N" for a slow-protocol frame (0x8809; the first
 * payload byte, its subtype) and "IFNAME ethertype 0xNNNN" for the others,
 * after a first line "listening" once its sockets are open, so a scenario
 * can tell on which device a frame from the partner comes up. Its sockets
 * are bound to a protocol, not ETH_P_ALL: they see a frame where the
 * receive path delivers it (after a bond's rx_handler), not on every port
 * it crosses.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS 64

static long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define MAX_SNIFF 4

static int sniff(long seconds, const char *types) {
        struct pollfd pfd[MAX_SNIFF];
        unsigned type[MAX_SNIFF];
        long end = now_ms() + seconds * 1000;
        int n = 0;

        for (const char *t = types; *t && n < MAX_SNIFF; n++) {
                char *next;

                type[n] = (unsigned)strtoul(t, &next, 0);
                pfd[n].fd = socket(AF_PACKET, SOCK_RAW, htons((uint16_t)type[n]));
                pfd[n].events = POLLIN;
                if (pfd[n].fd < 0) {
                        perror("socket");
                        return 1;
                }
                t = *next == ',' ? next + 1 : next;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("listening\n");   /* the sockets take frames from here on */
        for (long left; (left = end - now_ms()) > 0;) {
                if (poll(pfd, (nfds_t)n, (int)left) <= 0)
                        continue;
                for (int i = 0; i < n; i++) {
                        unsigned char buf[2048];
                        struct sockaddr_ll from;
                        socklen_t flen = sizeof(from);
                        char name[IF_NAMESIZE];

                        if (!(pfd[i].revents & POLLIN))
                                continue;
                        ssize_t len = recvfrom(pfd[i].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
                        if (len <= 0 || from.sll_pkttype == PACKET_OUTGOING)
                                continue;
                        if (!if_indextoname((unsigned)from.sll_ifindex, name))
                                snprintf(name, sizeof(name), "if%d", from.sll_ifindex);
                        if (type[i] == 0x8809)
                                printf("%s subtype %d\n", name, len > 14 ? buf[14] : -1);
                        else
                                printf("%s ethertype 0x%04x\n", name, type[i]);
                }
        }
        return 0;
}

static int join(const char *group, const char *ifname, long seconds) {
        struct ip_mreqn mr = { .imr_ifindex = (int)if_nametoindex(ifname) };
        int fd = socket(AF_INET, SOCK_DGRAM, 0);

        if (fd < 0 || inet_pton(AF_INET, group, &mr.imr_multiaddr) != 1 ||
            setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
                perror("join");
                return 1;
        }
        printf("joined\n");
        fflush(stdout);
        sleep((unsigned)seconds);
        return 0;
}

int main(int argc, char **argv) {
        int fds[MAX_FLOWS];
        struct sockaddr_in dst[MAX_FLOWS];
        unsigned size[MAX_FLOWS];
        static char buf[65536];
        int nflows = argc - 3;

        if (argc == 5 && strcmp(argv[1], "join") == 0)
                return join(argv[2], argv[3], strtol(argv[4], NULL, 10));
        if (argc == 4 && strcmp(argv[1], "sniff") == 0)
                return sniff(strtol(argv[2], NULL, 10), argv[3]);
        if (argc < 4 || nflows > MAX_FLOWS) {
                fprintf(stderr, "usage: %s COUNT GAP_US DST:SPORT:DPORT...\n", argv[0]);
                return 2;
        }
        long count = strtol(argv[1], NULL, 10), gap = strtol(argv[2], NULL, 10);
        for (int i = 0; i < nflows; i++) {
                char ip[64];
                unsigned sport, dport;
                struct sockaddr_in src = { .sin_family = AF_INET };

                size[i] = 0;
                int nf = sscanf(argv[3 + i], "%63[0-9.]:%u:%u:%u", ip, &sport, &dport, &size[i]);
                if ((nf != 3 && nf != 4) || size[i] >= sizeof(buf)) {
                        fprintf(stderr, "bad flow '%s'\n", argv[3 + i]);
                        return 2;
                }
                memset(&dst[i], 0, sizeof(dst[i]));
                dst[i].sin_family = AF_INET;
                dst[i].sin_port = htons((uint16_t)dport);
                if (inet_pton(AF_INET, ip, &dst[i].sin_addr) != 1) {
                        fprintf(stderr, "bad address '%s'\n", ip);
                        return 2;
                }
                fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
                if (fds[i] < 0) {
                        perror("socket");
                        return 1;
                }
                /* flows to different destinations may share a source port */
                int one = 1;
                if (setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
                        perror("SO_REUSEADDR");
                        return 1;
                }
                src.sin_port = htons((uint16_t)sport);
                if (bind(fds[i], (struct sockaddr *)&src, sizeof(src)) < 0) {
                        perror("bind");
                        return 1;
                }
        }
        for (long s = 1; s <= count; s++)
                for (int i = 0; i < nflows; i++) {
                        int n = snprintf(buf, 64, "BGDIFF %d %ld", i, s);
                        size_t len = (size_t)n;

                        if (size[i] > len) {
                                memset(buf + len, 0, size[i] - len);
                                len = size[i];
                        }
                        if (sendto(fds[i], buf, len, 0, (struct sockaddr *)&dst[i], sizeof(dst[i])) < 0)
                                perror("sendto");
                        if (gap > 0)
                                usleep((useconds_t)gap);
                }
        return 0;
}
