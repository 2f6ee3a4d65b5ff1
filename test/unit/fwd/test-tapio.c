/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Batched TAP I/O (src/fwd/io/tapio.c) on both of its paths, the io_uring
 * batch and one read()/write() per frame, against a non-blocking AF_UNIX
 * datagram socket pair: like a TAP, one read() takes one whole frame and
 * one write() queues one, and a full queue answers EAGAIN. Checked: a
 * partial batch (fewer frames queued than reads), an empty queue, the
 * peer's queue filling in the middle of a batch of writes, and a frame
 * the socket refuses as too large in the middle of a batch, each keeping
 * the frames' order and costing only the frames concerned. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd/io/tapio.h"
#include "fwd/logic/batch.h"

#define N 32

struct pair {
        int us, peer;
        struct bg_tapio *t;
};

/* ring: the io_uring path (skipped where io_uring cannot be set up); else
 * the plain path, which tapio takes for batches larger than its depth. */
static struct pair open_pair(bool ring) {
        struct pair p;
        int sv[2];

        cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
        p.us = sv[0];
        p.peer = sv[1];
        cr_assert_eq(bg_tapio_new(ring ? N : 1, &p.t), 0);
        if (ring && !bg_tapio_batched(p.t))
                cr_skip_test("io_uring cannot be set up here (kernel, seccomp or io_uring_disabled)");
        return p;
}

static void close_pair(struct pair *p) {
        bg_tapio_free(p->t);
        close(p->us);
        close(p->peer);
}

static uint8_t bufs[N][2048];
static struct iovec iov[N];

static void read_slots(unsigned n) {
        for (unsigned i = 0; i < n; i++)
                iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
}

static void frame(unsigned i, size_t len) {
        memset(bufs[i], 0, len);
        bufs[i][0] = (uint8_t) i;
        iov[i] = (struct iovec){ bufs[i], len };
}

struct seen {
        unsigned idx[N];
        size_t len[N];
        uint8_t first[N];
        unsigned n;
};

static void seen_frame(void *ctx, unsigned i, size_t len) {
        struct seen *s = ctx;

        s->idx[s->n] = i;
        s->len[s->n] = len;
        s->first[s->n++] = bufs[i][0];
}

/* The frames the peer received, by their first byte. */
static unsigned drain(int fd, uint8_t *first, size_t *len, unsigned max) {
        uint8_t b[32768];
        unsigned n = 0;
        ssize_t k;

        while ((k = recv(fd, b, sizeof(b), MSG_DONTWAIT)) >= 0) {
                cr_assert_lt(n, max, "more frames than were written");
                first[n] = b[0];
                len[n++] = (size_t) k;
        }
        cr_assert_eq(errno, EAGAIN);
        return n;
}

static void partial_batch(bool ring) {
        struct pair p = open_pair(ring);
        int res[N];
        struct seen s = {};
        unsigned filled, got;
        int err;

        for (unsigned i = 0; i < 3; i++) {
                uint8_t f[100] = { (uint8_t) (0xa0 + i) };
                cr_assert_eq(send(p.peer, f, 60 + 10 * i, 0), (ssize_t) (60 + 10 * i));
        }
        read_slots(N);
        filled = bg_tapio_read(p.t, p.us, iov, N, res);
        cr_assert_geq(filled, 4, "the three frames and the empty read after them");
        got = bg_rxb_scan(res, filled, seen_frame, &s, &err);
        cr_assert_eq(got, 3);
        cr_assert_eq(err, 0, "an empty queue is not an error");
        for (unsigned i = 0; i < 3; i++) {
                cr_assert_eq(s.idx[i], i, "frame %u read into slot %u", i, s.idx[i]);
                cr_assert_eq(s.len[i], 60 + 10 * i);
                cr_assert_eq(s.first[i], 0xa0 + i, "frames in the order they were queued");
        }
        cr_assert_eq(res[3], -EAGAIN);
        if (ring)
                cr_assert(bg_tapio_batched(p.t), "an empty queue keeps the batch path");
        close_pair(&p);
}

Test(tapio, ring_partial_batch_then_eagain) { partial_batch(true); }
Test(tapio, plain_partial_batch_then_eagain) { partial_batch(false); }

static void empty_queue(bool ring) {
        struct pair p = open_pair(ring);
        int res[N];
        struct seen s = {};
        unsigned filled;
        int err;

        read_slots(N);
        filled = bg_tapio_read(p.t, p.us, iov, N, res);
        cr_assert_geq(filled, 1);
        for (unsigned i = 0; i < filled; i++)
                cr_assert_eq(res[i], -EAGAIN, "read %u of an empty queue", i);
        cr_assert_eq(bg_rxb_scan(res, filled, seen_frame, &s, &err), 0);
        cr_assert_eq(err, 0);
        close_pair(&p);
}

Test(tapio, ring_empty_queue) { empty_queue(true); }
Test(tapio, plain_empty_queue) { empty_queue(false); }

/* The queue fills in the middle of a batch (a connected datagram socket's
 * frames in flight are bounded by its send buffer, made small here): the
 * frames before go in order, each one after answers EAGAIN (nothing
 * waits), and once the peer has read, the next batch goes. */
static void queue_full(bool ring) {
        struct pair p = open_pair(ring);
        int res[N], sndbuf = 4096;
        uint8_t first[N];
        size_t len[N];
        unsigned k = 0, got;

        cr_assert_eq(setsockopt(p.us, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
        for (unsigned i = 0; i < N; i++)
                frame(i, 1000);
        bg_tapio_write(p.t, p.us, iov, N, res);
        while (k < N && res[k] == 1000)
                k++;
        cr_assert_gt(k, 0, "the first frames fit");
        cr_assert_lt(k, N, "the peer's queue holds fewer than %d frames", N);
        for (unsigned i = k; i < N; i++)
                cr_assert_eq(res[i], -EAGAIN, "write %u after the queue filled: %d", i, res[i]);
        got = drain(p.peer, first, len, N);
        cr_assert_eq(got, k, "exactly the frames reported written arrived");
        for (unsigned i = 0; i < got; i++)
                cr_assert_eq(first[i], i, "in order");
        /* room again: the following batch goes whole */
        for (unsigned i = 0; i < 4; i++)
                frame(i, 1000);
        bg_tapio_write(p.t, p.us, iov, 4, res);
        for (unsigned i = 0; i < 4; i++)
                cr_assert_eq(res[i], 1000);
        cr_assert_eq(drain(p.peer, first, len, N), 4);
        if (ring)
                cr_assert(bg_tapio_batched(p.t), "a full queue keeps the batch path");
        close_pair(&p);
}

Test(tapio, ring_queue_full_in_the_middle_of_a_batch) { queue_full(true); }
Test(tapio, plain_queue_full_in_the_middle_of_a_batch) { queue_full(false); }

/* A frame the socket refuses as too large (EMSGSIZE: longer than its send
 * buffer, as a TAP refuses one longer than it can take) in the middle of a
 * batch costs only itself: the frames after it still go, in order. */
static void oversized(bool ring) {
        static uint8_t big[65536];
        struct pair p = open_pair(ring);
        int res[N], sndbuf = 4096;
        uint8_t first[N];
        size_t len[N];

        cr_assert_eq(setsockopt(p.us, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
        for (unsigned i = 0; i < 5; i++)
                frame(i, 100);
        big[0] = 2;
        iov[2] = (struct iovec){ big, sizeof(big) };
        bg_tapio_write(p.t, p.us, iov, 5, res);
        cr_assert_eq(res[0], 100);
        cr_assert_eq(res[1], 100);
        cr_assert_eq(res[2], -EMSGSIZE, "the oversized frame: %d", res[2]);
        cr_assert_eq(res[3], 100);
        cr_assert_eq(res[4], 100);
        cr_assert_eq(drain(p.peer, first, len, N), 4);
        const uint8_t want[4] = { 0, 1, 3, 4 };
        cr_assert_arr_eq(first, want, 4);
        close_pair(&p);
}

Test(tapio, ring_oversized_frame_in_the_middle_of_a_batch) { oversized(true); }
Test(tapio, plain_oversized_frame_in_the_middle_of_a_batch) { oversized(false); }

/* A frame longer than the read's buffer in the middle of a batch of reads
 * comes cut to the buffer (a datagram socket's read, as the TAP's with a
 * short buffer): it is one read, and the frames around it keep their
 * slots. The data path's buffers hold the largest frame the TAP gives. */
static void long_read(bool ring) {
        static uint8_t big[4000];
        struct pair p = open_pair(ring);
        int res[N];
        struct seen s = {};
        int err;

        for (unsigned i = 0; i < 3; i++) {
                uint8_t f[80] = { (uint8_t) i };
                if (i == 1) {
                        big[0] = 1;
                        cr_assert_eq(send(p.peer, big, sizeof(big), 0), (ssize_t) sizeof(big));
                } else
                        cr_assert_eq(send(p.peer, f, sizeof(f), 0), (ssize_t) sizeof(f));
        }
        read_slots(N);
        cr_assert_geq(bg_tapio_read(p.t, p.us, iov, N, res), 4);
        cr_assert_eq(bg_rxb_scan(res, 4, seen_frame, &s, &err), 3);
        cr_assert_eq(s.len[0], 80);
        cr_assert_eq(s.len[1], sizeof(bufs[1]), "cut to its buffer");
        cr_assert_eq(s.len[2], 80);
        cr_assert_eq(s.first[2], 2, "the next frame is whole and in its slot");
        close_pair(&p);
}

Test(tapio, ring_long_frame_in_the_middle_of_a_batch_of_reads) { long_read(true); }
Test(tapio, plain_long_frame_in_the_middle_of_a_batch_of_reads) { long_read(false); }

/* A request the kernel leaves pending (a device without RWF_NOWAIT whose
 * fd blocks: here a blocking socket with the flag off, where io_uring
 * waits for data instead of answering EAGAIN): the batch cancels it,
 * gives up the ring, and reports the cancelled reads as EAGAIN, nothing
 * read, not as an error of the device (bondgend logged "reading the
 * TAP: Operation canceled" for it). The frames queued before are read in
 * order, and the next batch takes the plain path. */
Test(tapio, ring_pending_request_cancelled_is_eagain) {
        struct pair p;
        int sv[2], res[N], err;
        struct seen s = {};
        unsigned filled;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
        p.us = sv[0];
        p.peer = sv[1];
        cr_assert_eq(bg_tapio_new(N, &p.t), 0);
        if (!bg_tapio_batched(p.t))
                cr_skip_test("io_uring cannot be set up here (kernel, seccomp or io_uring_disabled)");
        bg_tapio_set_nowait(p.t, false);
        for (unsigned i = 0; i < 3; i++) {
                uint8_t f[100] = { (uint8_t) (0xb0 + i) };
                cr_assert_eq(send(p.peer, f, 60 + i, 0), (ssize_t) (60 + i));
        }
        read_slots(N);
        filled = bg_tapio_read(p.t, p.us, iov, N, res);
        cr_assert_eq(filled, N);
        {
                unsigned got = bg_rxb_scan(res, filled, seen_frame, &s, &err);
                cr_assert_eq(got, 3, "the three queued frames");
                cr_assert_eq(err, 0, "a cancelled read is not an error (res[3] = %d)", res[3]);
        }
        for (unsigned i = 0; i < 3; i++)
                cr_assert_eq(s.first[i], 0xb0 + i, "frames in the order they were queued");
        for (unsigned i = 3; i < N; i++)
                cr_assert_eq(res[i], -EAGAIN, "read %u: %d", i, res[i]);
        cr_assert_not(bg_tapio_batched(p.t), "the ring is given up after a pending request");
        close_pair(&p);
}
