/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Reading a port's receive ring (AF_PACKET, PACKET_RX_RING), without I/O.
 *
 * TPACKET_V3 (struct bg_rxring): the kernel fills fixed-size blocks with
 * frames of any length, one struct tpacket3_hdr each, and hands a block to
 * user space whole (its tpacket_block_desc status becomes TP_STATUS_USER)
 * when it is full or when the block's timeout expires (af_packet.c:
 * prb_close_block(), prb_retire_rx_blk_timer_expired()). It fills the
 * blocks in ring order and stops (drops) when the next one is still
 * ours, so blocks are read and handed back strictly in that order.
 *
 * TPACKET_V2 (struct bg_rxring2): fixed slots, one frame each with its own
 * status word, handed over one by one as they are written
 * (tpacket_rcv() sets TP_STATUS_USER and wakes the reader per frame). A
 * frame longer than its slot is cut to it; with PACKET_COPY_THRESH the
 * kernel also queues the whole frame on the socket (TP_STATUS_COPY), to
 * be read with recv() in ring order.
 *
 * The ring's memory comes from the caller (mmap() of the socket in
 * bondgend, a plain buffer in the unit tests).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bg_rxring {
        uint8_t *map;         /* n_blocks blocks of block_size bytes */
        size_t block_size;
        unsigned n_blocks;
        unsigned next;        /* the block to read next */
};

/* One frame of a block, as the kernel wrote it (tpacket_rcv()). */
struct bg_rxring_frame {
        uint8_t *data;        /* the frame, from its MAC header */
        uint32_t len;         /* bytes of it in the ring (tp_snaplen) */
        uint32_t wire_len;    /* its length (tp_len): more than len when cut */
        uint32_t status;      /* tp_status: TP_STATUS_VLAN_VALID, ... */
        uint16_t vlan_tci;    /* with TP_STATUS_VLAN_VALID */
        uint16_t vlan_tpid;   /* with TP_STATUS_VLAN_TPID_VALID */
        uint8_t pkttype;      /* sll_pkttype: PACKET_HOST, PACKET_OUTGOING, ... */
        /* bytes before data that belong to the frame's slot and hold no
         * ring header: the virtio-net header (PACKET_VNET_HDR) is there,
         * just before data, and the rest is free room */
        size_t room;
};

static inline bool bg_rxring_frame_cut(const struct bg_rxring_frame *f) {
        return f->wire_len > f->len;
}

/* fn is called for each frame of a block, in order; done once after the
 * last (its frames' memory is the kernel's again when it returns). */
typedef void (*bg_rxring_frame_fn)(void *ctx, struct bg_rxring_frame *f);
typedef void (*bg_rxring_done_fn)(void *ctx);

/* Whether block r->next has been handed to user space. */
bool bg_rxring_ready(const struct bg_rxring *r);

/* Read block r->next if the kernel has handed it over: fn for each of its
 * frames, then done, then the block goes back to the kernel
 * (TP_STATUS_KERNEL) and r->next moves to the following block. A frame
 * header that points outside the block ends the walk of that block (the
 * frames before it were passed on; *bad counts it). Returns the frames
 * passed on, or -EAGAIN when the block is still the kernel's. */
int bg_rxring_block(struct bg_rxring *r, bg_rxring_frame_fn fn, bg_rxring_done_fn done, void *ctx,
                    unsigned *bad);

/* ---- TPACKET_V2 ---- */

struct bg_rxring2 {
        uint8_t *map;         /* n_frames slots of frame_size bytes */
        size_t frame_size;
        unsigned n_frames;
        unsigned next;        /* the slot to read next */
};

/* Up to max frames handed over, from r->next on, in order, into f[]; they
 * stay ours (their memory valid) until bg_rxring2_release(). A slot whose
 * header points outside it is passed on with len 0 and wire_len 1 (cut,
 * so dropped), to be handed back in its turn. Returns how many. */
unsigned bg_rxring2_peek(const struct bg_rxring2 *r, struct bg_rxring_frame *f, unsigned max);
/* Hand the n oldest frames taken back to the kernel (TP_STATUS_KERNEL). */
void bg_rxring2_release(struct bg_rxring2 *r, unsigned n);
