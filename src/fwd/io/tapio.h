/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Batched I/O on the TAP (tapio.c). A TAP has no batch read or write:
 * each frame is one read() or write(), and on a machine where a system
 * call costs microseconds (a virtual machine with page-table isolation)
 * that is most of a small frame's cost. With io_uring, a whole batch of
 * reads or writes goes into the kernel with one io_uring_enter(2); each
 * is issued at once and never waits (RWF_NOWAIT, else the fd's
 * O_NONBLOCK), so an empty queue answers EAGAIN as read() would and the
 * loop never blocks. Without io_uring (built without liburing, or
 * io_uring_setup(2) refused by a seccomp filter or
 * kernel.io_uring_disabled) it is one read()/write() per frame, as before.
 */
#include <stdbool.h>
#include <sys/uio.h>

struct bg_tapio;

/* Never fails for lack of io_uring: *out then does plain read()/write().
 * depth: the largest batch. -ENOMEM only. */
int bg_tapio_new(unsigned depth, struct bg_tapio **out);
void bg_tapio_free(struct bg_tapio *t);
/* Whether the ring's requests carry RWF_NOWAIT (on by default; tapio
 * turns it off itself for a TAP that answers EOPNOTSUPP). Off, a request
 * on a device that cannot complete it at once may be left pending: the
 * batch then cancels it and gives up the ring (the unit tests reach that
 * path this way). */
void bg_tapio_set_nowait(struct bg_tapio *t, bool on);
/* Whether batches go through io_uring (status, logs). */
bool bg_tapio_batched(const struct bg_tapio *t);

/* Up to n reads of one frame each into iov[i]; res[i] = the frame's
 * length or -errno (-EAGAIN: nothing more was queued), in the order the
 * frames were queued. Returns how many entries of res are filled (n, or
 * fewer when the plain path stopped at the first error). */
unsigned bg_tapio_read(struct bg_tapio *t, int fd, const struct iovec *iov, unsigned n, int *res);
/* n writes of one frame each, in order; res[i] = bytes written or -errno. */
void bg_tapio_write(struct bg_tapio *t, int fd, const struct iovec *iov, unsigned n, int *res);
