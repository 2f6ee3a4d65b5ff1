/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "fwd/logic/batch.h"

void bg_txb_add(struct bg_txb *q, void *base, size_t len) {
        q->iov[q->n] = (struct iovec){ base, len };
        q->msgs[q->n].msg_hdr = (struct msghdr){ .msg_iov = &q->iov[q->n], .msg_iovlen = 1 };
        q->n++;
}

/* Errors that belong to one frame, not to the socket: sendmmsg() reports
 * them for the first frame of a call, after the frames before it went. */
static bool frame_error(int e) {
        return e == EMSGSIZE || e == EINVAL || e == EFAULT;
}

void bg_txb_flush(struct bg_txb *q, bg_txb_send_fn send, void *ctx, struct bg_txb_result *res) {
        unsigned i = 0;

        while (i < q->n) {
                int r = send(ctx, q->msgs + i, q->n - i);
                if (r > 0) {
                        for (unsigned k = 0; k < (unsigned) r; k++)
                                res->bytes += q->iov[i + k].iov_len;
                        res->sent += (unsigned) r;
                        i += (unsigned) r;
                } else if (r == -EINTR) {
                        continue;
                } else if (r < 0 && frame_error(-r)) {
                        res->dropped++;
                        i++;
                } else {
                        /* queue full, device down or gone (or a send that
                         * took nothing): the rest is lost */
                        res->dropped += q->n - i;
                        break;
                }
        }
        q->n = 0;
}

unsigned bg_rxb_scan(const int *res, unsigned n, bg_rxb_frame_fn fn, void *ctx, int *err) {
        unsigned got = 0;

        *err = 0;
        for (unsigned i = 0; i < n; i++) {
                if (res[i] == -EAGAIN || res[i] == -EINTR)
                        continue;
                if (res[i] < 0) {
                        *err = -res[i];
                        break;
                }
                fn(ctx, i, (size_t) res[i]);
                got++;
        }
        return got;
}

int bg_vlan_insert(uint8_t **data, size_t *len, struct virtio_net_hdr *vh, uint16_t tpid, uint16_t tci) {
        uint8_t *d = *data;

        if (*len < 12)
                return -EINVAL;
        if (!tpid)
                tpid = 0x8100;
        memmove(d - 4, d, 12);
        d -= 4;
        d[12] = (uint8_t) (tpid >> 8);
        d[13] = (uint8_t) tpid;
        d[14] = (uint8_t) (tci >> 8);
        d[15] = (uint8_t) tci;
        *data = d;
        *len += 4;
        /* the header's offsets count from the start of the frame (native
         * byte order, as AF_PACKET and the TAP use them here) */
        if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
                vh->csum_start = (uint16_t) (vh->csum_start + 4);
        if (vh->hdr_len)
                vh->hdr_len = (uint16_t) (vh->hdr_len + 4);
        return 0;
}
