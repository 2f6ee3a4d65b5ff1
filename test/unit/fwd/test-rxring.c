/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a TPACKET_V3 receive ring (src/fwd/logic/rxring.c) from blocks
 * laid out as the kernel's tpacket_rcv() lays them out (block descriptor,
 * then per frame a struct tpacket3_hdr, its struct sockaddr_ll, the
 * virtio-net header and the frame at tp_mac, the next frame at the
 * 8-byte aligned end): a full block, a block closed by its timeout with
 * few frames, a VLAN tag reported beside a frame, a frame cut to the
 * room left, an outgoing frame's packet type, blocks handed back in ring
 * order only, and a malformed frame header. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/rxring.h"

#define BLOCK 4096u
#define NBLOCKS 4u
#define VH sizeof(struct virtio_net_hdr)
#define RESERVE 16u

static uint8_t ring_mem[NBLOCKS * BLOCK] __attribute__((aligned(8)));

static struct bg_rxring ring(void) {
        memset(ring_mem, 0, sizeof(ring_mem));
        return (struct bg_rxring){ .map = ring_mem, .block_size = BLOCK, .n_blocks = NBLOCKS };
}

static struct tpacket_block_desc *blk(unsigned i) {
        return (struct tpacket_block_desc *) (ring_mem + (size_t) i * BLOCK);
}

/* Where the kernel puts a frame's MAC header in its slot (SOCK_RAW, an
 * Ethernet device, PACKET_VNET_HDR, PACKET_RESERVE = RESERVE). */
static uint32_t macoff(void) {
        uint32_t hdrlen = TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll);
        return TPACKET_ALIGN(hdrlen + 16) + RESERVE + VH - 14;
}

/* Append a frame to block i: `len` bytes on the wire, `snap` of them in
 * the ring, filled with `fill`, its virtio-net header's hdr_len = len. */
static struct tpacket3_hdr *add(unsigned i, uint32_t len, uint32_t snap, uint8_t fill, uint32_t status,
                                uint8_t pkttype) {
        struct tpacket_block_desc *bd = blk(i);
        struct tpacket_hdr_v1 *h1 = &bd->hdr.bh1;
        uint32_t off;
        struct tpacket3_hdr *h, *prev = NULL;
        struct sockaddr_ll *sll;
        struct virtio_net_hdr vh = { .hdr_len = (uint16_t) len };

        if (!h1->offset_to_first_pkt) {
                h1->offset_to_first_pkt = (sizeof(*bd) + 7) & ~7u;
                h1->blk_len = h1->offset_to_first_pkt;
        }
        off = h1->blk_len;
        if (h1->num_pkts) {
                /* the previous frame's next offset */
                uint32_t o = h1->offset_to_first_pkt;
                for (uint32_t k = 0; k + 1 < h1->num_pkts; k++)
                        o += ((struct tpacket3_hdr *) ((uint8_t *) bd + o))->tp_next_offset;
                prev = (struct tpacket3_hdr *) ((uint8_t *) bd + o);
                prev->tp_next_offset = off - o;
        }
        h = (struct tpacket3_hdr *) ((uint8_t *) bd + off);
        cr_assert_leq(off + macoff() + snap, BLOCK, "the test's frames fit the block");
        h->tp_mac = (uint16_t) macoff();
        h->tp_len = len;
        h->tp_snaplen = snap;
        h->tp_status = status;
        h->tp_next_offset = 0;
        sll = (struct sockaddr_ll *) ((uint8_t *) h + TPACKET_ALIGN(sizeof(*h)));
        sll->sll_family = AF_PACKET;
        sll->sll_pkttype = pkttype;
        memcpy((uint8_t *) h + h->tp_mac - VH, &vh, VH);
        memset((uint8_t *) h + h->tp_mac, fill, snap);
        h1->num_pkts++;
        h1->blk_len += (macoff() + snap + 7) & ~7u;
        return h;
}

static void hand_over(unsigned i, uint32_t extra) {
        blk(i)->hdr.bh1.block_status = TP_STATUS_USER | extra;
}

struct seen {
        struct bg_rxring_frame f[64];
        uint8_t first[64];             /* each frame's first byte when it was seen */
        unsigned n, done, done_at;
        unsigned block_user_at_done;   /* the block was still ours when done ran */
        unsigned watch;                /* block whose status done checks */
};

static void on_frame(void *ctx, struct bg_rxring_frame *f) {
        struct seen *s = ctx;
        s->first[s->n] = f->data[0];
        s->f[s->n++] = *f;
}

static void on_done(void *ctx) {
        struct seen *s = ctx;
        s->done++;
        s->done_at = s->n;
        s->block_user_at_done = blk(s->watch)->hdr.bh1.block_status & TP_STATUS_USER;
}

Test(rxring, a_full_block_gives_every_frame_in_order_then_goes_back_to_the_kernel) {
        struct bg_rxring r = ring();
        struct seen s = {};
        unsigned bad = 0, n = 0;

        while (blk(0)->hdr.bh1.blk_len + macoff() + 64 + 8 <= BLOCK) {
                add(0, 64, 64, (uint8_t) (0x10 + n), 0, PACKET_HOST);
                n++;
        }
        cr_assert_gt(n, 10);
        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, &bad), (int) n);
        cr_assert_eq(s.n, n);
        for (unsigned i = 0; i < n; i++) {
                cr_assert_eq(s.f[i].len, 64);
                cr_assert_eq(s.f[i].data[0], (uint8_t) (0x10 + i), "frame %u in order", i);
                cr_assert_eq(s.f[i].data[63], (uint8_t) (0x10 + i));
                cr_assert_not(bg_rxring_frame_cut(&s.f[i]));
                /* the virtio-net header sits just before the frame */
                struct virtio_net_hdr vh;
                memcpy(&vh, s.f[i].data - VH, VH);
                cr_assert_eq(vh.hdr_len, 64);
                cr_assert_geq(s.f[i].room, VH + 8, "room for the header, a VLAN tag and a mode's push");
        }
        cr_assert_eq(s.done, 1);
        cr_assert_eq(s.done_at, n, "done after the last frame");
        cr_assert_eq(bad, 0);
        cr_assert_eq(blk(0)->hdr.bh1.block_status, TP_STATUS_KERNEL);
        cr_assert_eq(r.next, 1);
}

Test(rxring, a_block_closed_by_its_timeout_gives_only_its_frames) {
        struct bg_rxring r = ring();
        struct seen s = {};

        add(0, 60, 60, 0xa1, 0, PACKET_HOST);
        add(0, 1514, 1514, 0xa2, 0, PACKET_MULTICAST);
        add(0, 98, 98, 0xa3, 0, PACKET_OTHERHOST);
        hand_over(0, TP_STATUS_BLK_TMO);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 3);
        cr_assert_eq(s.n, 3);
        cr_assert_eq(s.f[0].len, 60);
        cr_assert_eq(s.f[1].len, 1514);
        cr_assert_eq(s.f[1].data[1513], 0xa2);
        cr_assert_eq(s.f[1].pkttype, PACKET_MULTICAST);
        cr_assert_eq(s.f[2].data[0], 0xa3);
        cr_assert_eq(s.f[2].pkttype, PACKET_OTHERHOST);
        /* nothing more until the kernel hands over the next block */
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), -EAGAIN);
        cr_assert_eq(s.n, 3);
        cr_assert_eq(s.done, 1);
}

Test(rxring, a_vlan_tag_reported_beside_the_frame_can_be_put_back_in_its_room) {
        struct bg_rxring r = ring();
        struct seen s = {};
        struct tpacket3_hdr *h;

        add(0, 60, 60, 0x00, 0, PACKET_HOST);
        h = add(0, 60, 60, 0x00, TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, PACKET_HOST);
        h->hv1.tp_vlan_tci = 0x2064;   /* priority 1, VLAN 100 */
        h->hv1.tp_vlan_tpid = 0x88a8;
        for (int k = 0; k < 12; k++)
                ((uint8_t *) h + h->tp_mac)[k] = (uint8_t) (k + 1);
        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, NULL, &s, NULL), 2);
        cr_assert_not(s.f[0].status & TP_STATUS_VLAN_VALID);
        cr_assert(s.f[1].status & TP_STATUS_VLAN_VALID);
        cr_assert_eq(s.f[1].vlan_tci, 0x2064);
        cr_assert_eq(s.f[1].vlan_tpid, 0x88a8);

        /* as dp.c does it, in the frame's own room in the ring */
        struct bg_rxring_frame *f = &s.f[1];
        struct virtio_net_hdr vh = {};
        uint8_t *d = f->data;
        size_t len = f->len;
        cr_assert_geq(f->room, VH + 4);
        cr_assert_eq(bg_vlan_insert(&d, &len, &vh, f->vlan_tpid, f->vlan_tci), 0);
        cr_assert_eq(d, f->data - 4);
        cr_assert_eq(len, 64);
        const uint8_t tag[4] = { 0x88, 0xa8, 0x20, 0x64 };
        cr_assert_arr_eq(d + 12, tag, 4);
        cr_assert_eq(d[0], 1);
        cr_assert_eq(d[11], 12);
        /* the ring's own headers before the room are untouched */
        cr_assert_eq(((struct sockaddr_ll *) ((uint8_t *) h + TPACKET_ALIGN(sizeof(*h))))->sll_family, AF_PACKET);
}

Test(rxring, a_frame_cut_to_the_room_left_is_marked_and_the_others_are_whole) {
        struct bg_rxring r = ring();
        struct seen s = {};

        add(0, 60, 60, 0x01, 0, PACKET_HOST);
        /* a GSO frame larger than the block: the kernel keeps what fits
         * (tp_snaplen) and reports its length (tp_len) */
        add(0, 65000, 1000, 0x02, 0, PACKET_HOST);
        add(0, 60, 60, 0x03, 0, PACKET_HOST);
        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, NULL, &s, NULL), 3);
        cr_assert_not(bg_rxring_frame_cut(&s.f[0]));
        cr_assert(bg_rxring_frame_cut(&s.f[1]));
        cr_assert_eq(s.f[1].wire_len, 65000);
        cr_assert_eq(s.f[1].len, 1000);
        cr_assert_not(bg_rxring_frame_cut(&s.f[2]));
        cr_assert_eq(s.f[2].data[0], 0x03);
}

Test(rxring, an_outgoing_frame_is_reported_with_its_packet_type) {
        struct bg_rxring r = ring();
        struct seen s = {};

        add(0, 60, 60, 0x01, 0, PACKET_OUTGOING);
        add(0, 60, 60, 0x02, 0, PACKET_BROADCAST);
        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, NULL, &s, NULL), 2);
        cr_assert_eq(s.f[0].pkttype, PACKET_OUTGOING);
        cr_assert_eq(s.f[1].pkttype, PACKET_BROADCAST);
}

Test(rxring, blocks_are_read_and_handed_back_in_ring_order_only) {
        struct bg_rxring r = ring();
        struct seen s = { .watch = 0 };

        add(0, 60, 60, 0x00, 0, PACKET_HOST);
        add(1, 60, 60, 0x01, 0, PACKET_HOST);
        /* block 1 is ready before block 0 (never so from the kernel, which
         * fills them in order): nothing is read, block 1 stays ours */
        hand_over(1, 0);
        cr_assert_not(bg_rxring_ready(&r));
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), -EAGAIN);
        cr_assert_eq(s.n, 0);
        cr_assert_eq(s.done, 0);
        cr_assert(blk(1)->hdr.bh1.block_status & TP_STATUS_USER);

        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 1);
        cr_assert(s.block_user_at_done, "a block is handed back after done, not before");
        cr_assert_eq(blk(0)->hdr.bh1.block_status, TP_STATUS_KERNEL);
        cr_assert(blk(1)->hdr.bh1.block_status & TP_STATUS_USER, "the next block is not touched");
        s.watch = 1;
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 1);
        cr_assert_eq(s.f[1].data[0], 0x01);
        cr_assert_eq(blk(1)->hdr.bh1.block_status, TP_STATUS_KERNEL);

        /* around the end of the ring */
        add(2, 60, 60, 0x02, 0, PACKET_HOST);
        add(3, 60, 60, 0x03, 0, PACKET_HOST);
        hand_over(2, 0);
        hand_over(3, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 1);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 1);
        cr_assert_eq(r.next, 0);
        memset(blk(0), 0, BLOCK);
        add(0, 60, 60, 0x04, 0, PACKET_HOST);
        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 1);
        const uint8_t order[5] = { 0, 1, 2, 3, 4 };
        for (unsigned i = 0; i < 5; i++)
                cr_assert_eq(s.first[i], order[i]);
        cr_assert_eq(r.next, 1);
}

Test(rxring, an_empty_block_handed_over_goes_back_at_once) {
        struct bg_rxring r = ring();
        struct seen s = {};

        blk(0)->hdr.bh1.offset_to_first_pkt = 48;
        hand_over(0, TP_STATUS_BLK_TMO);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, NULL), 0);
        cr_assert_eq(s.done, 1);
        cr_assert_eq(blk(0)->hdr.bh1.block_status, TP_STATUS_KERNEL);
        cr_assert_eq(r.next, 1);
}

Test(rxring, a_frame_header_pointing_outside_the_block_ends_that_block) {
        struct bg_rxring r = ring();
        struct seen s = {};
        unsigned bad = 0;
        struct tpacket3_hdr *h;

        add(0, 60, 60, 0x01, 0, PACKET_HOST);
        h = add(0, 60, 60, 0x02, 0, PACKET_HOST);
        add(0, 60, 60, 0x03, 0, PACKET_HOST);
        h->tp_snaplen = BLOCK;   /* past the end of the block */
        hand_over(0, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, &bad), 1);
        cr_assert_eq(s.f[0].data[0], 0x01);
        cr_assert_eq(bad, 1);
        cr_assert_eq(s.done, 1);
        cr_assert_eq(blk(0)->hdr.bh1.block_status, TP_STATUS_KERNEL, "the block goes back all the same");

        /* a next offset that leaves the block */
        memset(blk(1), 0, BLOCK);
        h = add(1, 60, 60, 0x04, 0, PACKET_HOST);
        add(1, 60, 60, 0x05, 0, PACKET_HOST);
        h->tp_next_offset = BLOCK;
        hand_over(1, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, &bad), 1);
        cr_assert_eq(bad, 2);
        /* a block claiming more frames than it holds */
        add(2, 60, 60, 0x06, 0, PACKET_HOST);
        blk(2)->hdr.bh1.num_pkts = 50;
        hand_over(2, 0);
        cr_assert_eq(bg_rxring_block(&r, on_frame, on_done, &s, &bad), 1);
        cr_assert_eq(bad, 3);
}

/* ---- TPACKET_V2: one frame per slot, each with its own status ---- */

#define SLOT 512u
#define NSLOTS 8u

static uint8_t slots_mem[NSLOTS * SLOT] __attribute__((aligned(16)));

static struct bg_rxring2 ring2(void) {
        memset(slots_mem, 0, sizeof(slots_mem));
        return (struct bg_rxring2){ .map = slots_mem, .frame_size = SLOT, .n_frames = NSLOTS };
}

static struct tpacket2_hdr *slot2(unsigned i) {
        return (struct tpacket2_hdr *) (slots_mem + (size_t) i * SLOT);
}

/* As tpacket_rcv() writes slot i for a frame of `len` bytes (cut to the
 * slot), then hands it over with `status`. */
static void put2(unsigned i, uint32_t len, uint8_t fill, uint32_t status) {
        struct tpacket2_hdr *h = slot2(i);
        uint32_t hdrlen = TPACKET_ALIGN(sizeof(*h)) + sizeof(struct sockaddr_ll);
        uint32_t mac = TPACKET_ALIGN(hdrlen + 16) + RESERVE + VH - 14;
        uint32_t snap = len < SLOT - mac ? len : SLOT - mac;

        h->tp_mac = (uint16_t) mac;
        h->tp_len = len;
        h->tp_snaplen = snap;
        ((struct sockaddr_ll *) ((uint8_t *) h + TPACKET_ALIGN(sizeof(*h))))->sll_pkttype = PACKET_HOST;
        memset((uint8_t *) h + mac, fill, snap);
        h->tp_status = TP_STATUS_USER | status;
}

Test(rxring2, frames_handed_over_are_taken_in_order_up_to_the_first_still_the_kernels) {
        struct bg_rxring2 r = ring2();
        struct bg_rxring_frame f[NSLOTS];

        put2(0, 60, 0xa0, 0);
        put2(1, 100, 0xa1, 0);
        put2(3, 60, 0xa3, 0);   /* slot 2 is still being written */
        cr_assert_eq(bg_rxring2_peek(&r, f, NSLOTS), 2);
        cr_assert_eq(f[0].data[0], 0xa0);
        cr_assert_eq(f[0].len, 60);
        cr_assert_eq(f[1].data[99], 0xa1);
        cr_assert_geq(f[1].room, VH + 8);
        /* a peek takes nothing back: the same frames again */
        cr_assert_eq(bg_rxring2_peek(&r, f, 1), 1);
        cr_assert_eq(f[0].data[0], 0xa0);
        bg_rxring2_release(&r, 2);
        cr_assert_eq(slot2(0)->tp_status, TP_STATUS_KERNEL);
        cr_assert_eq(slot2(1)->tp_status, TP_STATUS_KERNEL);
        cr_assert(slot2(3)->tp_status & TP_STATUS_USER, "a later slot is not touched");
        cr_assert_eq(r.next, 2);
        cr_assert_eq(bg_rxring2_peek(&r, f, NSLOTS), 0);
        put2(2, 60, 0xa2, 0);
        cr_assert_eq(bg_rxring2_peek(&r, f, NSLOTS), 2);
        cr_assert_eq(f[0].data[0], 0xa2);
        cr_assert_eq(f[1].data[0], 0xa3);
}

Test(rxring2, a_batch_stops_at_max_and_wraps_around_the_ring) {
        struct bg_rxring2 r = ring2();
        struct bg_rxring_frame f[NSLOTS];

        for (unsigned i = 0; i < NSLOTS; i++)
                put2(i, 60, (uint8_t) i, 0);
        cr_assert_eq(bg_rxring2_peek(&r, f, 5), 5);
        bg_rxring2_release(&r, 5);
        put2(0, 60, 0x40, 0);
        put2(1, 60, 0x41, 0);
        cr_assert_eq(bg_rxring2_peek(&r, f, NSLOTS), 5, "slots 5, 6, 7, then 0 and 1");
        const uint8_t want[5] = { 5, 6, 7, 0x40, 0x41 };
        for (unsigned i = 0; i < 5; i++)
                cr_assert_eq(f[i].data[0], want[i]);
        bg_rxring2_release(&r, 5);
        cr_assert_eq(r.next, 2);
        /* a full ring handed over is taken whole, never twice round */
        for (unsigned i = 0; i < NSLOTS; i++)
                put2(i, 60, (uint8_t) i, 0);
        cr_assert_eq(bg_rxring2_peek(&r, f, 100), NSLOTS);
}

Test(rxring2, a_frame_longer_than_its_slot_is_cut_and_marked_copy_with_the_vlan_beside) {
        struct bg_rxring2 r = ring2();
        struct bg_rxring_frame f[NSLOTS];

        put2(0, 60, 0x01, 0);
        put2(1, 9000, 0x02, TP_STATUS_COPY);
        put2(2, 60, 0x03, TP_STATUS_VLAN_VALID);
        slot2(2)->tp_vlan_tci = 200;
        cr_assert_eq(bg_rxring2_peek(&r, f, NSLOTS), 3);
        cr_assert_not(bg_rxring_frame_cut(&f[0]));
        cr_assert(bg_rxring_frame_cut(&f[1]));
        cr_assert(f[1].status & TP_STATUS_COPY, "the whole frame waits on the socket");
        cr_assert_eq(f[1].wire_len, 9000);
        cr_assert(f[2].status & TP_STATUS_VLAN_VALID);
        cr_assert_eq(f[2].vlan_tci, 200);
        cr_assert_eq(f[2].pkttype, PACKET_HOST);
}

Test(rxring2, a_slot_whose_header_points_outside_it_is_passed_as_cut_and_handed_back) {
        struct bg_rxring2 r = ring2();
        struct bg_rxring_frame f[NSLOTS];

        put2(0, 60, 0x01, 0);
        put2(1, 60, 0x02, 0);
        slot2(0)->tp_snaplen = SLOT;
        cr_assert_eq(bg_rxring2_peek(&r, f, NSLOTS), 2);
        cr_assert(bg_rxring_frame_cut(&f[0]));
        cr_assert_eq(f[0].len, 0);
        cr_assert_eq(f[1].data[0], 0x02);
        bg_rxring2_release(&r, 2);
        cr_assert_eq(slot2(0)->tp_status, TP_STATUS_KERNEL);
}
