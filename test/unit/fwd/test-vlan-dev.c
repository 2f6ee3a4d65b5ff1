/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bondgend's own VLAN devices (src/fwd/logic/vlan.c): which device a
 * received frame reaches and in what shape, each device's receive
 * filter, and the tag a frame of a VLAN device leaves with, hashed as a
 * tagged frame. */
#include <criterion/criterion.h>
#include <string.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/fwd.h"

static const uint8_t BOND[6] = { 0x02, 0, 0, 0, 0, 0x01 }, VMAC[6] = { 0x02, 0, 0, 0, 0, 0xc8 },
                     PEER[6] = { 0x02, 0, 0, 0, 0, 0x99 };

struct fix {
        struct bg_fwd b;
        struct bg_fwd_vlan v100, v200;
        uint8_t buf[256];
        struct bg_fwd_frame fr;
};

static void setup(struct fix *f) {
        memset(f, 0, sizeof(*f));
        memcpy(f->b.mac, BOND, 6);
        f->v100 = (struct bg_fwd_vlan){ .name = "bond0.100", .id = 100, .fd = -1 };
        memcpy(f->v100.mac, BOND, 6);
        f->v200 = (struct bg_fwd_vlan){ .name = "bond0.200", .id = 200, .fd = -1, .own_mac = true };
        memcpy(f->v200.mac, VMAC, 6);
        f->b.vlans[0] = &f->v100;
        f->b.vlans[1] = &f->v200;
        f->b.n_vlans = 2;
}

/* An IPv4 UDP frame from src to dst at buf + 8 (headroom for a tag),
 * tagged with tpid/tci when tpid is not 0; NEEDS_CSUM at the UDP
 * checksum. */
static void frame(struct fix *f, const uint8_t *dst, const uint8_t *src, uint16_t tpid, uint16_t tci) {
        uint8_t *d = f->buf + 8;
        size_t o = 12;

        memset(f->buf, 0, sizeof(f->buf));
        memcpy(d, dst, 6);
        memcpy(d + 6, src, 6);
        if (tpid) {
                d[12] = (uint8_t) (tpid >> 8), d[13] = (uint8_t) tpid;
                d[14] = (uint8_t) (tci >> 8), d[15] = (uint8_t) tci;
                o = 16;
        }
        d[o] = 0x08, d[o + 1] = 0x00;
        d[o + 2] = 0x45;          /* IPv4, 20 bytes */
        d[o + 11] = 17;           /* UDP */
        d[o + 14] = 10, d[o + 17] = 1;
        d[o + 18] = 10, d[o + 21] = 2;
        d[o + 22] = 0x13, d[o + 23] = 0x88;   /* ports 5000 -> 5001 */
        d[o + 24] = 0x13, d[o + 25] = 0x89;
        f->fr = (struct bg_fwd_frame){ .data = d, .len = o + 2 + 28 + 4, .cap = sizeof(f->buf) - 8 };
        f->fr.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        f->fr.vh.csum_start = (uint16_t) (o + 2 + 20);
        f->fr.vh.csum_offset = 6;
}

Test(vlan, a_frame_of_a_configured_vlan_goes_to_its_device_untagged) {
        struct fix f;
        setup(&f);
        frame(&f, BOND, PEER, 0x8100, 0x2000 | 100);   /* PCP 1, VID 100 */
        size_t len = f.fr.len;
        cr_assert_eq(bg_fwd_vlan_demux(&f.b, &f.fr), &f.v100);
        cr_expect_eq(f.fr.len, len - 4);
        cr_expect_eq(f.fr.data, f.buf + 12);
        cr_expect_arr_eq(f.fr.data, BOND, 6);
        cr_expect_arr_eq(f.fr.data + 6, PEER, 6);
        cr_expect(f.fr.data[12] == 0x08 && f.fr.data[13] == 0x00, "EtherType IPv4 after the MACs");
        cr_expect_eq(f.fr.vh.csum_start, 14 + 20, "the checksum start moves with the payload");
        cr_expect(bg_fwd_vlan_accepts(&f.b, &f.v100, &f.fr));
}

Test(vlan, other_vlans_untagged_and_8021ad_stay_with_the_bond_as_they_came) {
        struct fix f;
        setup(&f);
        frame(&f, BOND, PEER, 0x8100, 300);
        uint8_t *d = f.fr.data;
        cr_expect_null(bg_fwd_vlan_demux(&f.b, &f.fr));
        cr_expect(f.fr.data == d && f.fr.data[12] == 0x81 && f.fr.data[15] == 44, "VLAN 300 keeps its tag");
        frame(&f, BOND, PEER, 0x88a8, 100);
        cr_expect_null(bg_fwd_vlan_demux(&f.b, &f.fr), "an 802.1ad tag of id 100 is not VLAN 100's");
        frame(&f, BOND, PEER, 0, 0);
        cr_expect_null(bg_fwd_vlan_demux(&f.b, &f.fr));
        cr_expect_eq(f.fr.vh.csum_start, 14 + 20);
}

Test(vlan, received_tag_restored_then_demuxed_is_the_frame_the_peer_sent) {
        struct fix f;
        setup(&f);
        /* as AF_PACKET gives it: tag out of band, restored by the data path */
        frame(&f, VMAC, PEER, 0, 0);
        cr_assert_eq(bg_vlan_insert(&f.fr.data, &f.fr.len, &f.fr.vh, 0, 200), 0);
        cr_assert_eq(bg_fwd_vlan_demux(&f.b, &f.fr), &f.v200);
        cr_expect_eq(f.fr.data, f.buf + 8);
        cr_expect_eq(f.fr.vh.csum_start, 14 + 20);
        cr_expect_eq(f.fr.len, 14 + 28 + 4);
}

Test(vlan, each_device_filters_unicast_by_its_own_mac) {
        struct fix f;
        setup(&f);
        frame(&f, BOND, PEER, 0, 0);
        cr_expect(bg_fwd_vlan_accepts(&f.b, NULL, &f.fr));
        cr_expect_not(bg_fwd_vlan_accepts(&f.b, &f.v200, &f.fr), "VLAN 200 has a MAC of its own");
        frame(&f, VMAC, PEER, 0, 0);
        cr_expect(bg_fwd_vlan_accepts(&f.b, &f.v200, &f.fr));
        cr_expect_not(bg_fwd_vlan_accepts(&f.b, NULL, &f.fr));
        frame(&f, PEER, BOND, 0, 0);
        cr_expect_not(bg_fwd_vlan_accepts(&f.b, &f.v200, &f.fr), "not its MAC");
        f.v200.promisc = true;
        cr_expect(bg_fwd_vlan_accepts(&f.b, &f.v200, &f.fr), "a bridge port takes every frame");
        frame(&f, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, VMAC, 0, 0);
        cr_expect_not(bg_fwd_vlan_accepts(&f.b, &f.v200, &f.fr), "its own frame reflected");
        cr_expect(bg_fwd_vlan_accepts(&f.b, NULL, &f.fr), "broadcast for the bond");
}

Test(vlan, a_frame_of_a_vlan_device_leaves_tagged_and_hashes_as_tagged) {
        struct fix f, g;
        setup(&f);
        setup(&g);
        frame(&f, PEER, BOND, 0, 0);
        frame(&g, PEER, BOND, 0x8100, 100);
        cr_assert_eq(bg_fwd_vlan_tag(&f.v100, &f.fr), 0);
        cr_expect_eq(f.fr.len, g.fr.len);
        cr_expect_arr_eq(f.fr.data, g.fr.data, g.fr.len, "the frame a VLAN device on the bond would send");
        cr_expect_eq(f.fr.vh.csum_start, 18 + 20);
        for (unsigned pol = 0; pol <= 5; pol++)
                cr_expect_eq(bg_fwd_xmit_hash(pol, f.fr.data, f.fr.len), bg_fwd_xmit_hash(pol, g.fr.data, g.fr.len),
                             "policy %u", pol);
        /* vlan+srcmac reads the VLAN id: VLANs 100 and 200 may hash apart */
        frame(&g, PEER, BOND, 0, 0);
        cr_assert_eq(bg_fwd_vlan_tag(&g.v200, &g.fr), 0);
        cr_expect_neq(bg_fwd_xmit_hash(BG_HASH_VLAN_SRCMAC, f.fr.data, f.fr.len),
                      bg_fwd_xmit_hash(BG_HASH_VLAN_SRCMAC, g.fr.data, g.fr.len));
}
