/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The data path's batching rules (src/fwd/logic/batch.c) against a fake
 * sendmmsg(): partial sends, a full socket queue, a frame the device
 * refuses in the middle of a batch, interrupted calls; the results of a
 * batch of TAP reads (frames in order, empty and interrupted reads
 * skipped, an error ending the batch); and the VLAN tag put back into a
 * received frame. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fwd/logic/batch.h"

/* A fake socket: takes at most `per_call` frames per call; frames longer
 * than `mtu` are refused as the kernel does (the call stops before such a
 * frame, or fails with EMSGSIZE when it is the first); after `room` frames
 * the queue is full (`full_errno`). `log` records the frames taken, by
 * their first byte. */
struct fake {
        unsigned per_call, room, calls, eintr_left;
        size_t mtu;
        int full_errno;
        uint8_t log[64];
        unsigned n_log;
};

static int fake_send(void *ctx, struct mmsghdr *m, unsigned n) {
        struct fake *f = ctx;
        unsigned i;

        f->calls++;
        if (f->eintr_left) {
                f->eintr_left--;
                return -EINTR;
        }
        for (i = 0; i < n && i < f->per_call; i++) {
                const struct iovec *v = m[i].msg_hdr.msg_iov;
                if (v->iov_len > f->mtu)
                        break;
                if (!f->room)
                        break;
                f->room--;
                f->log[f->n_log++] = ((const uint8_t *) v->iov_base)[0];
        }
        if (i)
                return (int) i;
        if (n && m[0].msg_hdr.msg_iov->iov_len > f->mtu)
                return -EMSGSIZE;
        return -f->full_errno;
}

static uint8_t frames[BG_BATCH][2000];

static void fill(struct bg_txb *q, unsigned n, size_t len) {
        memset(q, 0, sizeof(*q));
        for (unsigned i = 0; i < n; i++) {
                frames[i][0] = (uint8_t) i;
                bg_txb_add(q, frames[i], len);
        }
}

static struct fake fake_default(void) {
        return (struct fake){ .per_call = 1000, .room = 1000, .mtu = 1514, .full_errno = EAGAIN };
}

Test(batch, whole_batch_in_one_call) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        fill(&q, 10, 100);
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 10);
        cr_assert_eq(r.dropped, 0);
        cr_assert_eq(r.bytes, 1000);
        cr_assert_eq(f.calls, 1);
        cr_assert_eq(q.n, 0, "the batch is empty after a flush");
}

Test(batch, partial_sends_continue_in_order) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        f.per_call = 3;
        fill(&q, 10, 60);
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 10);
        cr_assert_eq(r.dropped, 0);
        cr_assert_eq(f.calls, 4);
        for (unsigned i = 0; i < 10; i++)
                cr_assert_eq(f.log[i], i, "frame %u out of order", i);
}

Test(batch, eagain_drops_the_rest_only) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        f.room = 5;
        fill(&q, 12, 60);
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 5);
        cr_assert_eq(r.dropped, 7);
        cr_assert_eq(r.bytes, 300);
        cr_assert_eq(q.n, 0);
        cr_assert_eq(f.calls, 2, "no retry loop on a full queue");
}

Test(batch, ring_full_at_once) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        f.room = 0;
        f.full_errno = ENOBUFS;
        fill(&q, BG_BATCH, 60);
        cr_assert(bg_txb_full(&q));
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 0);
        cr_assert_eq(r.dropped, BG_BATCH);
        cr_assert_eq(f.calls, 1);
        cr_assert(!bg_txb_full(&q));
}

Test(batch, oversized_frame_costs_only_itself) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        memset(&q, 0, sizeof(q));
        for (unsigned i = 0; i < 10; i++) {
                frames[i][0] = (uint8_t) i;
                bg_txb_add(&q, frames[i], i == 6 ? 1600 : 100);
        }
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 9);
        cr_assert_eq(r.dropped, 1);
        cr_assert_eq(r.bytes, 900);
        const uint8_t want[9] = { 0, 1, 2, 3, 4, 5, 7, 8, 9 };
        cr_assert_arr_eq(f.log, want, 9);
}

Test(batch, oversized_first_and_last) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        memset(&q, 0, sizeof(q));
        for (unsigned i = 0; i < 4; i++) {
                frames[i][0] = (uint8_t) i;
                bg_txb_add(&q, frames[i], i == 0 || i == 3 ? 1600 : 100);
        }
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 2);
        cr_assert_eq(r.dropped, 2);
        const uint8_t want[2] = { 1, 2 };
        cr_assert_arr_eq(f.log, want, 2);
}

Test(batch, interrupted_call_is_retried) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        f.eintr_left = 2;
        fill(&q, 4, 60);
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 4);
        cr_assert_eq(r.dropped, 0);
        cr_assert_eq(f.calls, 3);
}

Test(batch, device_gone_drops_the_batch) {
        struct bg_txb q;
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        f.room = 0;
        f.full_errno = ENXIO;
        fill(&q, 3, 60);
        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(r.sent, 0);
        cr_assert_eq(r.dropped, 3);
}

Test(batch, empty_flush_sends_nothing) {
        struct bg_txb q = {};
        struct fake f = fake_default();
        struct bg_txb_result r = {};

        bg_txb_flush(&q, fake_send, &f, &r);
        cr_assert_eq(f.calls, 0);
        cr_assert_eq(r.sent + r.dropped, 0);
}

/* ---- VLAN tag back into a received frame ---- */

Test(vlan, tag_goes_after_the_macs) {
        uint8_t buf[64] = {}, *d = buf + 8;
        size_t len = 42;
        struct virtio_net_hdr vh = {};

        for (unsigned i = 0; i < 42; i++)
                d[i] = (uint8_t) (i + 1);   /* MACs 1..12, EtherType 13 14, payload */
        cr_assert_eq(bg_vlan_insert(&d, &len, &vh, 0, 0x2064), 0);
        cr_assert_eq(d, buf + 4);
        cr_assert_eq(len, 46);
        for (unsigned i = 0; i < 12; i++)
                cr_assert_eq(d[i], i + 1);
        cr_assert_eq(d[12], 0x81);
        cr_assert_eq(d[13], 0x00);
        cr_assert_eq(d[14], 0x20, "PCP 1 and VLAN 100 kept");
        cr_assert_eq(d[15], 0x64);
        cr_assert_eq(d[16], 13, "the EtherType follows the tag");
        cr_assert_eq(d[45], 42);
}

Test(vlan, partial_checksum_start_moves_with_the_payload) {
        uint8_t buf[128] = {}, *d = buf + 16;
        size_t len = 100;
        struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
                                     .csum_offset = 16, .hdr_len = 54 };

        cr_assert_eq(bg_vlan_insert(&d, &len, &vh, 0x88a8, 5), 0);
        cr_assert_eq(vh.csum_start, 38);
        cr_assert_eq(vh.csum_offset, 16, "relative to csum_start: unchanged");
        cr_assert_eq(vh.hdr_len, 58);
        cr_assert_eq(d[12], 0x88);
        cr_assert_eq(d[13], 0xa8);
}

Test(vlan, no_checksum_flag_no_change) {
        uint8_t buf[64] = {}, *d = buf + 8;
        size_t len = 60;
        struct virtio_net_hdr vh = { .csum_start = 34 };

        cr_assert_eq(bg_vlan_insert(&d, &len, &vh, 0, 7), 0);
        cr_assert_eq(vh.csum_start, 34);
}

Test(vlan, runt_refused) {
        uint8_t buf[32] = {}, *d = buf + 8;
        size_t len = 10;
        struct virtio_net_hdr vh = {};

        cr_assert_eq(bg_vlan_insert(&d, &len, &vh, 0, 7), -EINVAL);
        cr_assert_eq(d, buf + 8);
        cr_assert_eq(len, 10);
}

/* Reading a batch from the TAP: which results are frames, in what order,
 * and where an error ends the batch (bg_rxb_scan). */
struct scan_log {
        unsigned idx[BG_BATCH];
        size_t len[BG_BATCH];
        unsigned n;
};

static void scan_frame(void *ctx, unsigned i, size_t len) {
        struct scan_log *l = ctx;

        l->idx[l->n] = i;
        l->len[l->n++] = len;
}

Test(rxbatch, full_batch_all_frames_in_order) {
        int res[BG_BATCH];
        struct scan_log l = {};
        int err = -1;

        for (unsigned i = 0; i < BG_BATCH; i++)
                res[i] = (int) (60 + i);
        cr_assert_eq(bg_rxb_scan(res, BG_BATCH, scan_frame, &l, &err), BG_BATCH);
        cr_assert_eq(err, 0);
        for (unsigned i = 0; i < BG_BATCH; i++) {
                cr_assert_eq(l.idx[i], i);
                cr_assert_eq(l.len[i], 60 + i);
        }
}

Test(rxbatch, partial_batch_then_empty_queue) {
        int res[] = { 70, 80, -EAGAIN, -EAGAIN, -EAGAIN };
        struct scan_log l = {};
        int err = -1;

        cr_assert_eq(bg_rxb_scan(res, 5, scan_frame, &l, &err), 2);
        cr_assert_eq(err, 0);
        cr_assert_eq(l.idx[0], 0);
        cr_assert_eq(l.idx[1], 1);
}

Test(rxbatch, late_frame_after_an_empty_read_still_passes) {
        int res[] = { 70, -EAGAIN, -EINTR, 90, -EAGAIN };
        struct scan_log l = {};
        int err = -1;

        cr_assert_eq(bg_rxb_scan(res, 5, scan_frame, &l, &err), 2);
        cr_assert_eq(err, 0);
        cr_assert_eq(l.idx[1], 3);
        cr_assert_eq(l.len[1], 90);
}

Test(rxbatch, error_ends_the_batch_after_the_frames_before_it) {
        int res[] = { 70, 64000, -EBADFD, 80, 90 };
        struct scan_log l = {};
        int err = 0;

        cr_assert_eq(bg_rxb_scan(res, 5, scan_frame, &l, &err), 2);
        cr_assert_eq(err, EBADFD);
        cr_assert_eq(l.len[1], 64000);   /* a GSO frame in the middle is one frame */
}

Test(rxbatch, empty_queue_no_frames) {
        int res[] = { -EAGAIN };
        struct scan_log l = {};
        int err = -1;

        cr_assert_eq(bg_rxb_scan(res, 1, scan_frame, &l, &err), 0);
        cr_assert_eq(err, 0);
        cr_assert_eq(l.n, 0);
        cr_assert_eq(bg_rxb_scan(res, 0, scan_frame, &l, &err), 0);
}
