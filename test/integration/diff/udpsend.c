/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the differential harness's VM: send numbered UDP datagrams on a
 * list of flows, so the partner side can tell which flow and which packet
 * each frame is. Flows are sent in turn (f0 s1, f1 s1, ..., f0 s2, ...):
 * the order is the same in every run, which a per-packet mode (balance-rr)
 * needs. The payload is "BGDIFF <flow> <seq>".
 * Usage: bg-diff-udpsend COUNT GAP_US DST:SPORT:DPORT...
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FLOWS 64

int main(int argc, char **argv) {
        int fds[MAX_FLOWS];
        struct sockaddr_in dst[MAX_FLOWS];
        int nflows = argc - 3;

        if (argc < 4 || nflows > MAX_FLOWS) {
                fprintf(stderr, "usage: %s COUNT GAP_US DST:SPORT:DPORT...\n", argv[0]);
                return 2;
        }
        long count = strtol(argv[1], NULL, 10), gap = strtol(argv[2], NULL, 10);
        for (int i = 0; i < nflows; i++) {
                char ip[64];
                unsigned sport, dport;
                struct sockaddr_in src = { .sin_family = AF_INET };

                if (sscanf(argv[3 + i], "%63[0-9.]:%u:%u", ip, &sport, &dport) != 3) {
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
                        char buf[64];
                        int n = snprintf(buf, sizeof(buf), "BGDIFF %d %ld", i, s);

                        if (sendto(fds[i], buf, (size_t)n, 0, (struct sockaddr *)&dst[i], sizeof(dst[i])) < 0)
                                perror("sendto");
                        if (gap > 0)
                                usleep((useconds_t)gap);
                }
        return 0;
}
