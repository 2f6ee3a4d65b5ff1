/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Batched TAP I/O (tapio.h). The io_uring path relies on reads and writes
 * being issued inline by io_uring_enter(2) in submission order (no
 * SQPOLL, no IOSQE_ASYNC, no links), so that entry i of a batch takes the
 * i-th frame queued and writes reach the stack in the order given; a
 * request that would wait ends with -EAGAIN instead (RWF_NOWAIT, or
 * O_NONBLOCK on the fd for a kernel whose TAP lacks RWF_NOWAIT). Should a
 * kernel still leave a request pending, the batch cancels it, waits for
 * it, and the ring is given up for plain system calls: the event loop must
 * never block in here.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "fwd/io/tapio.h"

#if HAVE_LIBURING
#include <liburing.h>
#endif

struct bg_tapio {
        unsigned depth;
#if HAVE_LIBURING
        struct io_uring ring;
        bool ring_ok;
        int rw_flags;
#endif
};

int bg_tapio_new(unsigned depth, struct bg_tapio **out) {
        struct bg_tapio *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        t->depth = depth;
#if HAVE_LIBURING
        t->rw_flags = RWF_NOWAIT;
        t->ring_ok = io_uring_queue_init(depth, &t->ring, 0) == 0;
#endif
        *out = t;
        return 0;
}

void bg_tapio_free(struct bg_tapio *t) {
        if (!t)
                return;
#if HAVE_LIBURING
        if (t->ring_ok)
                io_uring_queue_exit(&t->ring);
#endif
        free(t);
}

void bg_tapio_set_nowait(struct bg_tapio *t, bool on) {
#if HAVE_LIBURING
        t->rw_flags = on ? RWF_NOWAIT : 0;
#else
        (void) t;
        (void) on;
#endif
}

bool bg_tapio_batched(const struct bg_tapio *t) {
#if HAVE_LIBURING
        return t && t->ring_ok;
#else
        return false;
#endif
}

#if HAVE_LIBURING
/* One batch through the ring: 0, or -errno when the ring cannot be used
 * (res untouched then; the caller falls back to system calls). */
static int ring_batch(struct bg_tapio *t, int fd, bool wr, const struct iovec *iov, unsigned n, int *res) {
        struct io_uring_cqe *cqe;
        unsigned got = 0, head;
        int r;

        for (unsigned i = 0; i < n; i++) {
                struct io_uring_sqe *sqe = io_uring_get_sqe(&t->ring);
                if (!sqe)
                        return -EBUSY;   /* cannot happen: n <= depth and the ring is empty */
                if (wr)
                        io_uring_prep_write(sqe, fd, iov[i].iov_base, (unsigned) iov[i].iov_len, 0);
                else
                        io_uring_prep_read(sqe, fd, iov[i].iov_base, (unsigned) iov[i].iov_len, 0);
                sqe->rw_flags = t->rw_flags;
                io_uring_sqe_set_data64(sqe, i);
        }
        do
                r = io_uring_submit(&t->ring);
        while (r == -EINTR);
        if (r < 0)
                return r;
        io_uring_for_each_cqe(&t->ring, head, cqe) {
                if (cqe->user_data < n)
                        res[cqe->user_data] = cqe->res;
                got++;
        }
        io_uring_cq_advance(&t->ring, got);
        if (got < (unsigned) r || (unsigned) r < n) {
                /* left pending by the kernel (or not all taken): take them
                 * back, then stop using the ring */
                struct io_uring_sqe *sqe = io_uring_get_sqe(&t->ring);
                if (sqe) {
                        io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
                        io_uring_sqe_set_data64(sqe, UINT64_MAX);
                        (void) io_uring_submit(&t->ring);
                }
                while (got < (unsigned) r && io_uring_wait_cqe(&t->ring, &cqe) == 0) {
                        if (cqe->user_data < n) {
                                /* cancelled by us before it took a frame:
                                 * nothing was read or written, as EAGAIN
                                 * says, not an error of the device */
                                int v = cqe->res;
                                res[cqe->user_data] = v == -ECANCELED || v == -EINTR ? -EAGAIN : v;
                                got++;
                        }
                        io_uring_cqe_seen(&t->ring, cqe);
                }
                t->ring_ok = false;
                io_uring_queue_exit(&t->ring);
        }
        for (unsigned i = (unsigned) r; i < n; i++)
                res[i] = -EAGAIN;
        return 0;
}
#endif

unsigned bg_tapio_read(struct bg_tapio *t, int fd, const struct iovec *iov, unsigned n, int *res) {
        unsigned i;

#if HAVE_LIBURING
        if (t->ring_ok && n <= t->depth && ring_batch(t, fd, false, iov, n, res) == 0) {
                /* a TAP without RWF_NOWAIT support: its O_NONBLOCK does */
                if (n && res[0] == -EOPNOTSUPP && t->rw_flags) {
                        t->rw_flags = 0;
                        return bg_tapio_read(t, fd, iov, n, res);
                }
                return n;
        }
#endif
        for (i = 0; i < n; i++) {
                ssize_t k = read(fd, iov[i].iov_base, iov[i].iov_len);
                res[i] = k < 0 ? -errno : (int) k;
                if (k < 0 && errno != EINTR)
                        return i + 1;
        }
        return n;
}

void bg_tapio_write(struct bg_tapio *t, int fd, const struct iovec *iov, unsigned n, int *res) {
#if HAVE_LIBURING
        if (t->ring_ok && n <= t->depth && ring_batch(t, fd, true, iov, n, res) == 0) {
                if (n && res[0] == -EOPNOTSUPP && t->rw_flags) {
                        t->rw_flags = 0;
                        bg_tapio_write(t, fd, iov, n, res);
                }
                return;
        }
#endif
        for (unsigned i = 0; i < n; i++) {
                ssize_t k = write(fd, iov[i].iov_base, iov[i].iov_len);
                res[i] = k < 0 ? -errno : (int) k;
        }
}
