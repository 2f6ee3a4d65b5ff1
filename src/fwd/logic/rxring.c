/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/if_packet.h>
#include <string.h>

#include "fwd/logic/rxring.h"

static struct tpacket_block_desc *block(const struct bg_rxring *r, unsigned i) {
        return (struct tpacket_block_desc *) (r->map + (size_t) i * r->block_size);
}

/* The status word is shared with the kernel: read it with acquire order so
 * that the frames written before it was set are seen, and hand the block
 * back with release order so that we are done with them first. */
bool bg_rxring_ready(const struct bg_rxring *r) {
        return __atomic_load_n(&block(r, r->next)->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER;
}

/* Where the ring headers of a frame end: struct tpacket3_hdr, padded to
 * TPACKET_ALIGNMENT, then the struct sockaddr_ll (tpacket_rcv()). */
#define FRAME_HDRS (TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll))

int bg_rxring_block(struct bg_rxring *r, bg_rxring_frame_fn fn, bg_rxring_done_fn done, void *ctx,
                    unsigned *bad) {
        struct tpacket_block_desc *bd = block(r, r->next);
        uint8_t *start = (uint8_t *) bd, *end = start + r->block_size;
        uint32_t n, off;
        int got = 0;

        if (!bg_rxring_ready(r))
                return -EAGAIN;
        n = bd->hdr.bh1.num_pkts;
        off = bd->hdr.bh1.offset_to_first_pkt;
        for (uint32_t i = 0; i < n; i++) {
                struct tpacket3_hdr *h;
                const struct sockaddr_ll *sll;
                struct bg_rxring_frame f;

                if (off < sizeof(*bd) || off > r->block_size || r->block_size - off < FRAME_HDRS)
                        goto corrupt;
                h = (struct tpacket3_hdr *) (start + off);
                if (h->tp_mac < FRAME_HDRS || h->tp_mac > (size_t) (end - (uint8_t *) h) ||
                    h->tp_snaplen > (size_t) (end - (uint8_t *) h) - h->tp_mac)
                        goto corrupt;
                sll = (const struct sockaddr_ll *) ((uint8_t *) h + TPACKET_ALIGN(sizeof(*h)));
                f = (struct bg_rxring_frame){
                        .data = (uint8_t *) h + h->tp_mac,
                        .len = h->tp_snaplen,
                        .wire_len = h->tp_len,
                        .status = h->tp_status,
                        .vlan_tci = h->hv1.tp_vlan_tci,
                        .vlan_tpid = h->hv1.tp_vlan_tpid,
                        .pkttype = sll->sll_pkttype,
                        .room = h->tp_mac - FRAME_HDRS,
                };
                fn(ctx, &f);
                got++;
                /* the last frame's next offset is 0 (prb_close_block()) */
                if (i + 1 < n) {
                        if (!h->tp_next_offset)
                                goto corrupt;
                        off += h->tp_next_offset;
                }
        }
        goto release;
corrupt:
        if (bad)
                (*bad)++;
release:
        if (done)
                done(ctx);
        __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        r->next = (r->next + 1) % r->n_blocks;
        return got;
}

/* ---- TPACKET_V2 ---- */

#define FRAME2_HDRS (TPACKET_ALIGN(sizeof(struct tpacket2_hdr)) + sizeof(struct sockaddr_ll))

static struct tpacket2_hdr *slot(const struct bg_rxring2 *r, unsigned i) {
        return (struct tpacket2_hdr *) (r->map + (size_t) (i % r->n_frames) * r->frame_size);
}

unsigned bg_rxring2_peek(const struct bg_rxring2 *r, struct bg_rxring_frame *f, unsigned max) {
        unsigned n = 0;

        if (max > r->n_frames)
                max = r->n_frames;
        for (; n < max; n++) {
                struct tpacket2_hdr *h = slot(r, r->next + n);
                uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
                const struct sockaddr_ll *sll;

                if (!(st & TP_STATUS_USER))
                        break;
                if (h->tp_mac < FRAME2_HDRS || h->tp_mac > r->frame_size ||
                    h->tp_snaplen > r->frame_size - h->tp_mac) {
                        f[n] = (struct bg_rxring_frame){ .data = (uint8_t *) h, .len = 0, .wire_len = 1,
                                                         .status = st };
                        continue;
                }
                sll = (const struct sockaddr_ll *) ((uint8_t *) h + TPACKET_ALIGN(sizeof(*h)));
                f[n] = (struct bg_rxring_frame){
                        .data = (uint8_t *) h + h->tp_mac,
                        .len = h->tp_snaplen,
                        .wire_len = h->tp_len,
                        .status = st,
                        .vlan_tci = h->tp_vlan_tci,
                        .vlan_tpid = h->tp_vlan_tpid,
                        .pkttype = sll->sll_pkttype,
                        .room = h->tp_mac - FRAME2_HDRS,
                };
        }
        return n;
}

void bg_rxring2_release(struct bg_rxring2 *r, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                __atomic_store_n(&slot(r, r->next + i)->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        r->next = (r->next + n) % r->n_frames;
}
