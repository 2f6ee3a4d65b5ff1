/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ports: one AF_PACKET socket each, and the port's device state.
 *
 * The ports live in the same network namespace as the bond, so the host's
 * own IP stack sees every frame they receive (AF_PACKET taps sit beside the
 * stack, unlike the kernel bond's rx_handler, which steals the frame).
 * Therefore each port is made deaf to the host stack:
 * ARP off (NOARP), IPv6 disabled, and strict reverse-path filtering,
 * which drops IPv4 that arrives on a port without addresses or routes. With
 * that, ports can carry the bond MAC exactly where the kernel puts it
 * without frames for the bond being delivered twice.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd/io/core.h"
#include "fwd/io/rundir.h"
#include "util/util.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* The receive ring (PACKET_RX_RING): 4 MB per port, read in place by dp.c
 * without a system call per batch (recvmmsg() costs one per 32 frames).
 * RING_RESERVE bytes before each frame (PACKET_RESERVE) leave room to put
 * a VLAN tag back in place (dp.c). Two layouts (packet(7), af_packet.c):
 *
 * - TPACKET_V3: 32 blocks of 128 KB (a whole 64 KB GSO
 *   frame fits; about 24,000 frames of 64 bytes, 176 bytes each with the
 *   ring's headers), each handed over when full or RING_TOV_MS after it
 *   was opened (init_prb_bdqc(); counted in jiffies, so at least one
 *   tick): one wake-up per block, but below the rate that fills a block
 *   within the timeout every frame waits for it (1 to 4 ms at HZ=250).
 * - TPACKET_V2: 2,048 slots of 2 KB, each handed over as its frame is
 *   written, with a wake-up per frame while the loop sleeps: no added
 *   latency, but 2,048 frames are 20 ms at 100 kpps, less than a busy
 *   machine may keep the loop waiting. A frame longer than a slot (GSO,
 *   jumbo) is cut in the ring and, with PACKET_COPY_THRESH, queued whole
 *   on the socket (TP_STATUS_COPY), read with recv() in its turn.
 *
 * BONDGEND_RX_RING chooses: 0 (the default) recvmmsg(), 2 or 3 the
 * version. recvmmsg() is the default because the V3 ring's wait costs
 * every frame of a lightly used bond 1 to 4 ms (a round trip of 1.1-2.5 ms
 * against 0.2-0.8 ms in bench/fwd), and a handover loses the block being
 * filled; the ring is for hosts whose bonds carry small frames at rates
 * recvmmsg() cannot keep up with (bench/fwd/README.md). */
#define RING2_FRAME 2048u
#define RING2_FRAMES 2048u
#define RING2_BLOCK (64u << 10)
#define RING_BLOCK (128u << 10)
#define RING_BLOCKS 32u
#define RING_TOV_MS 1u
#define RING_RESERVE 16u

static int port_ring_map(int fd, size_t len, void **map) {
        *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
        if (*map == MAP_FAILED) {
                int r = -errno;
                struct tpacket_req3 none = {};
                (void) setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &none, sizeof(none));
                *map = NULL;
                return r;
        }
        return 0;
}

static int port_ring(int fd, int version, struct bg_port_io *io) {
        unsigned reserve = RING_RESERVE, thresh = 1;
        void *map;
        int r;

        if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
            setsockopt(fd, SOL_PACKET, PACKET_RESERVE, &reserve, sizeof(reserve)) < 0)
                return -errno;
        if (version == TPACKET_V2) {
                struct tpacket_req req = { .tp_block_size = RING2_BLOCK,
                                           .tp_block_nr = RING2_FRAME * RING2_FRAMES / RING2_BLOCK,
                                           .tp_frame_size = RING2_FRAME, .tp_frame_nr = RING2_FRAMES };
                if (setsockopt(fd, SOL_PACKET, PACKET_COPY_THRESH, &thresh, sizeof(thresh)) < 0 ||
                    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
                        return -errno;
                r = port_ring_map(fd, (size_t) RING2_FRAME * RING2_FRAMES, &map);
                if (r < 0)
                        return r;
                io->ring2 = (struct bg_rxring2){ .map = map, .frame_size = RING2_FRAME, .n_frames = RING2_FRAMES };
                return 0;
        }
        struct tpacket_req3 req = {
                .tp_block_size = RING_BLOCK,
                .tp_block_nr = RING_BLOCKS,
                /* a V3 ring's frame size only has to divide the block */
                .tp_frame_size = 2048,
                .tp_frame_nr = RING_BLOCK / 2048 * RING_BLOCKS,
                .tp_retire_blk_tov = RING_TOV_MS,
        };
        if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
                return -errno;
        r = port_ring_map(fd, (size_t) RING_BLOCK * RING_BLOCKS, &map);
        if (r < 0)
                return r;
        io->ring = (struct bg_rxring){ .map = map, .block_size = RING_BLOCK, .n_blocks = RING_BLOCKS };
        return 0;
}

void bg_port_close(struct bg_port_io *io, int fd) {
        if (io->ring.map)
                (void) munmap(io->ring.map, io->ring.block_size * io->ring.n_blocks);
        if (io->ring2.map)
                (void) munmap(io->ring2.map, io->ring2.frame_size * io->ring2.n_frames);
        io->ring = (struct bg_rxring){};
        io->ring2 = (struct bg_rxring2){};
        if (fd >= 0)
                close(fd);
}

int bg_port_read_drops(int fd, uint32_t *drops) {
        /* The V3 layout begins with the V1/V2 one; the kernel copies the
         * one of the socket's version, at most len bytes, and zeroes its
         * counters (af_packet.c: packet_getsockopt(), PACKET_STATISTICS). */
        struct tpacket_stats_v3 st = {};
        socklen_t len = sizeof(st);

        if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
                return -errno;
        *drops = st.tp_drops;
        return 0;
}

static int ring_version(void) {
        const char *e = getenv("BONDGEND_RX_RING");

        return e && !strcmp(e, "3") ? TPACKET_V3 : e && !strcmp(e, "2") ? TPACKET_V2 : 0;
}

void bg_port_ring_detach(struct bg_port_io *io, int fd) {
        struct tpacket_req3 none = {};

        if (!io->ring.map && !io->ring2.map)
                return;
        bg_port_close(io, -1);
        /* refused (EBUSY) only while mapped, which it no longer is */
        (void) setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &none, sizeof(none));
}

void bg_port_ring_attach(struct bg_port_io *io, int fd) {
        int v = ring_version();

        io->ring = (struct bg_rxring){};
        io->ring2 = (struct bg_rxring2){};
        if (v)
                (void) port_ring(fd, v, io);
}

int bg_port_rx_filter(int fd, const struct sock_filter *prog, size_t len) {
        struct sock_fprog fp = { .len = (unsigned short) len, .filter = (struct sock_filter *) prog };
        /* the value is not read, but setsockopt wants at least an int */
        int zero = 0;

        /* attaching replaces the filter there was, in one step */
        if (len)
                return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0 ? -errno : 0;
        if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero)) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int bg_port_socket(int ifindex, struct bg_port_io *io) {
        struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                                   .sll_ifindex = ifindex };
        struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
        int fd, one = 1, buf = 8 << 20, r;

        fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* The frame carries a virtio-net header in both directions: GSO
         * frames and partial checksums cross whole. */
        if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0)
                goto fail;
        /* A received frame's VLAN tag, which the kernel keeps beside the
         * data (dp.c puts it back). */
        if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0)
                goto fail;
        /* Never read back what we sent on this port. */
        if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)
                goto fail;
        /* Before bind(), so that no frame is queued the other way: the
         * ring where the kernel can make one, else recvmmsg() (dp.c). */
        io->ring = (struct bg_rxring){};
        io->ring2 = (struct bg_rxring2){};
        if (ring_version())
                (void) port_ring(fd, ring_version(), io);
        /* our frames pass the port's egress drop (ingress.c) */
        {
                unsigned mark = BG_PORT_MARK;
                (void) setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
        }
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
        if (bind(fd, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                goto fail;
        /* Promiscuous via the socket: the kernel drops it when the socket
         * closes, even if we crash. */
        if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
                goto fail;
        return fd;
fail:
        r = -errno;
        bg_port_close(io, fd);
        return r;
}

int bg_port_setup(const char *name, uint32_t mtu, struct bg_port_io *io) {
        unsigned flags = 0;
        int r;

        r = bg_fwd_link_get_flags(name, &flags);
        if (r < 0)
                return r;
        io->orig_up = flags & IFF_UP;
        io->orig_noarp = flags & IFF_NOARP;
        (void) bg_fwd_link_get_mtu(name, &io->orig_mtu);
        (void) bg_fwd_link_get_mac(name, io->orig_mac);
        io->orig_disable_ipv6 = -1;
        io->orig_rp_filter = -1;
        (void) bg_fwd_sysctl_get("ipv6", name, "disable_ipv6", &io->orig_disable_ipv6);
        (void) bg_fwd_sysctl_get("ipv4", name, "rp_filter", &io->orig_rp_filter);

        r = bg_fwd_link_set_flags(name, IFF_NOARP, 0);
        if (r < 0)
                return r;
        if (io->orig_disable_ipv6 >= 0)
                (void) bg_fwd_sysctl_set("ipv6", name, "disable_ipv6", 1);
        if (io->orig_rp_filter >= 0)
                (void) bg_fwd_sysctl_set("ipv4", name, "rp_filter", 1);
        if (mtu && mtu != io->orig_mtu) {
                r = bg_fwd_link_set_mtu(name, mtu);
                if (r < 0)
                        return r;
        }
        return bg_fwd_link_set_flags(name, IFF_UP, 0);
}

void bg_port_restore(const char *name, const struct bg_port_io *io) {
        uint8_t mac[6];

        if (bg_fwd_link_get_mac(name, mac) == 0 && memcmp(mac, io->orig_mac, 6) &&
            !bg_mac_is_zero(io->orig_mac))
                (void) bg_fwd_link_set_mac(name, io->orig_mac);
        if (io->orig_mtu)
                (void) bg_fwd_link_set_mtu(name, io->orig_mtu);
        if (io->orig_disable_ipv6 >= 0)
                (void) bg_fwd_sysctl_set("ipv6", name, "disable_ipv6", io->orig_disable_ipv6);
        if (io->orig_rp_filter >= 0)
                (void) bg_fwd_sysctl_set("ipv4", name, "rp_filter", io->orig_rp_filter);
        (void) bg_fwd_link_set_flags(name, io->orig_noarp ? IFF_NOARP : 0, io->orig_noarp ? 0 : IFF_NOARP);
        if (!io->orig_up)
                (void) bg_fwd_link_set_flags(name, 0, IFF_UP);
}

int bg_port_state_save(const char *path, struct bg_fwd *b) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int r;

        if (!f)
                return -ENOMEM;
        fprintf(f, "# bondgend %s: ports to restore if bondgend died\n", b->name);
        for (size_t i = 0; i < b->n_ports; i++) {
                const struct bg_port_io *io = b->ports[i]->core;
                const uint8_t *m = io->orig_mac;
                fprintf(f, "%s %02x:%02x:%02x:%02x:%02x:%02x %u %d %d %d %d\n", b->ports[i]->name,
                        m[0], m[1], m[2], m[3], m[4], m[5], io->orig_mtu, io->orig_up, io->orig_noarp,
                        io->orig_disable_ipv6, io->orig_rp_filter);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        /* In the run directory through its fd (rundir.h); path names the file. */
        r = bg_write_file_atomic_at(bg_rundir_fd(), strrchr(path, '/') ? strrchr(path, '/') + 1 : path, buf,
                                    len, 0644);
        free(buf);
        return r;
}

/* Each port line of the state file to each(); the file is removed after
 * unless keep. */
static void state_read(const char *path, void (*log)(const char *msg), bool keep,
                       void (*each)(void *ctx, const char *name, const struct bg_port_io *io), void *ctx) {
        const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        char line[256], msg[300];
        FILE *f = bg_rundir_fopen(file, msg, sizeof(msg));

        /* A state file planted by someone else would make us "restore"
         * any interface: only our own regular file is read. */
        if (!f) {
                if (errno == ELOOP)
                        snprintf(msg, sizeof(msg), "%s: refused: a symbolic link, not bondgend's state file", path);
                if (errno == ELOOP || errno == EPERM)
                        log(msg);
                return;
        }
        while (fgets(line, sizeof(line), f)) {
                struct bg_port_io io = {};
                char name[32];
                unsigned m[6];
                int up, noarp;

                if (line[0] == '#')
                        continue;
                if (sscanf(line, "%31s %x:%x:%x:%x:%x:%x %u %d %d %d %d", name, &m[0], &m[1], &m[2], &m[3],
                           &m[4], &m[5], &io.orig_mtu, &up, &noarp, &io.orig_disable_ipv6,
                           &io.orig_rp_filter) != 12 || strlen(name) >= IFNAMSIZ)
                        continue;
                for (int i = 0; i < 6; i++)
                        io.orig_mac[i] = (uint8_t) m[i];
                io.orig_up = up;
                io.orig_noarp = noarp;
                each(ctx, name, &io);
        }
        fclose(f);
        if (!keep)
                (void) unlinkat(bg_rundir_fd(), file, 0);
}

struct logger {
        void (*log)(const char *msg);
};

static void restore_one(void *ctx, const char *name, const struct bg_port_io *io) {
        const struct logger *lg = ctx;
        char msg[80];

        if (bg_fwd_link_ifindex(name) < 0)
                return;
        bg_port_restore(name, io);
        snprintf(msg, sizeof(msg), "restored port %s left behind by an earlier run", name);
        lg->log(msg);
}

void bg_port_state_recover(const char *path, void (*log)(const char *msg)) {
        struct logger lg = { log };

        state_read(path, log, false, restore_one, &lg);
}

void bg_port_state_each(const char *path, void (*log)(const char *msg),
                        void (*each)(void *ctx, const char *name, const struct bg_port_io *io), void *ctx) {
        state_read(path, log, true, each, ctx);
}
