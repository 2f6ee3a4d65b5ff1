/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Batching rules of the data path, without I/O (unit-tested with fake
 * send functions): a port's pending transmit batch and how one sendmmsg()
 * result is accounted, and putting back the 802.1Q tag that AF_PACKET
 * reports beside a received frame.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#define BG_BATCH 32

/* Frames queued for one port, sent with one sendmmsg() (or as few as the
 * socket allows). */
struct bg_txb {
        struct mmsghdr msgs[BG_BATCH];
        struct iovec iov[BG_BATCH];
        unsigned n;
};

struct bg_txb_result {
        unsigned sent;       /* frames the socket took */
        unsigned dropped;    /* frames given up */
        uint64_t bytes;      /* bytes of the frames sent (iov lengths) */
};

/* sendmmsg() semantics: frames taken (>= 1), or -errno when the first
 * frame failed. */
typedef int (*bg_txb_send_fn)(void *ctx, struct mmsghdr *msgs, unsigned n);

/* Queue a frame (base, len: virtio-net header included). The batch must
 * not be full: flush when bg_txb_full(). */
void bg_txb_add(struct bg_txb *q, void *base, size_t len);
static inline bool bg_txb_full(const struct bg_txb *q) {
        return q->n == BG_BATCH;
}
/* Send everything queued and empty the batch. A frame the socket refuses
 * on its own account (too large for the MTU, a malformed virtio-net
 * header) costs only that frame: sending goes on with the next. When the
 * socket's queue is full (EAGAIN, ENOBUFS) or the device is gone, the rest
 * of the batch is dropped, as a full NIC queue drops. Adds to *res. */
void bg_txb_flush(struct bg_txb *q, bg_txb_send_fn send, void *ctx, struct bg_txb_result *res);

/* A batch of reads from the TAP came back: res[i] is the i-th read's frame
 * length or -errno, the reads having taken the queued frames in order.
 * Calls fn(ctx, i, len) for each frame, in order; a read that found the
 * queue empty (-EAGAIN) or was interrupted is skipped (a frame queued
 * after an empty read is still a later frame); the first other error ends
 * the scan. Returns the frames passed on; *err is that error's errno, or 0. */
typedef void (*bg_rxb_frame_fn)(void *ctx, unsigned i, size_t len);
unsigned bg_rxb_scan(const int *res, unsigned n, bg_rxb_frame_fn fn, void *ctx, int *err);

/* Put a VLAN tag reported out of band (PACKET_AUXDATA) back into the frame
 * at *data (len bytes, virtio-net header in *vh): the tag goes after the
 * MAC addresses, *data moves 4 bytes back (the caller guarantees that
 * headroom), and a partial checksum's start moves with the payload. tpid
 * 0 means 802.1Q (0x8100). */
int bg_vlan_insert(uint8_t **data, size_t *len, struct virtio_net_hdr *vh, uint16_t tpid, uint16_t tci);
