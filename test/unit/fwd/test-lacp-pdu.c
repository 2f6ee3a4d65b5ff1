/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LACPDU and marker byte layout against hand-written frames
 * (struct lacpdu, include/net/bond_3ad.h), and the decoder's refusals. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "fwd/logic/lacp.h"

/* A complete LACPDU written out byte by byte from struct lacpdu. */
static const uint8_t worked[124] = {
        /* dst 01:80:c2:00:00:02, src 02:00:00:00:00:01, EtherType 0x8809 */
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0x09,
        /* subtype LACP, version 1 */
        0x01, 0x01,
        /* actor TLV: type 1, len 20, sys prio 65535, system 02:00:00:00:00:10,
         * key 15, port prio 255, port 1, state 0x3d, 3 reserved */
        0x01, 0x14, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0f, 0x00, 0xff,
        0x00, 0x01, 0x3d, 0x00, 0x00, 0x00,
        /* partner TLV: type 2, len 20, sys prio 32768, system 52:54:00:aa:bb:cc,
         * key 17, port prio 128, port 2, state 0x3f, 3 reserved */
        0x02, 0x14, 0x80, 0x00, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 0x00, 0x11, 0x00, 0x80,
        0x00, 0x02, 0x3f, 0x00, 0x00, 0x00,
        /* collector TLV: type 3, len 16, max delay 0, 12 reserved */
        0x03, 0x10, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        /* terminator 0, 0 and 50 reserved bytes (zero-initialised) */
};

static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static struct bg_lacpdu worked_pdu(void) {
        struct bg_lacpdu p = {
                .version = 1,
                .actor = { .system_priority = 65535, .system = { 0x02, 0, 0, 0, 0, 0x10 },
                           .key = 15, .port_priority = 255, .port = 1, .state = 0x3d },
                .partner = { .system_priority = 32768, .system = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc },
                             .key = 17, .port_priority = 128, .port = 2, .state = 0x3f },
        };
        return p;
}

Test(lacp_pdu, encode_matches_worked_bytes) {
        struct bg_lacpdu p = worked_pdu();
        uint8_t buf[200];

        memset(buf, 0xaa, sizeof(buf));
        cr_assert_eq(bg_lacpdu_encode(src_mac, &p, buf, sizeof(buf)), 124);
        cr_assert_arr_eq(buf, worked, 124);
        cr_assert_eq(buf[124], 0xaa, "wrote past the frame");
        cr_assert_eq(bg_lacpdu_encode(src_mac, &p, buf, 123), -ENOBUFS);
}

Test(lacp_pdu, decode_worked_bytes) {
        struct bg_lacpdu want = worked_pdu(), got;

        cr_assert_eq(bg_lacp_frame_decode(worked, sizeof(worked), &got, NULL), BG_LACP_FRAME_LACPDU);
        cr_assert_eq(got.version, 1);
        cr_assert_eq(got.actor.system_priority, 65535);
        cr_assert_arr_eq(got.actor.system, want.actor.system, 6);
        cr_assert_eq(got.actor.key, 15);
        cr_assert_eq(got.actor.port_priority, 255);
        cr_assert_eq(got.actor.port, 1);
        cr_assert_eq(got.actor.state, 0x3d);
        cr_assert_eq(got.partner.system_priority, 32768);
        cr_assert_arr_eq(got.partner.system, want.partner.system, 6);
        cr_assert_eq(got.partner.key, 17);
        cr_assert_eq(got.partner.port_priority, 128);
        cr_assert_eq(got.partner.port, 2);
        cr_assert_eq(got.partner.state, 0x3f);
        /* 4 bytes of slack for a sender that counted the FCS */
        uint8_t longer[128] = { 0 };
        memcpy(longer, worked, 124);
        cr_assert_eq(bg_lacp_frame_decode(longer, 128, NULL, NULL), BG_LACP_FRAME_LACPDU);
}

Test(lacp_pdu, decode_refusals) {
        uint8_t f[300];

        memcpy(f, worked, 124);
        cr_assert_eq(bg_lacp_frame_decode(f, 123, NULL, NULL), -EMSGSIZE, "truncated");
        cr_assert_eq(bg_lacp_frame_decode(f, 16, NULL, NULL), -EMSGSIZE, "truncated header");
        memset(f + 124, 0, sizeof(f) - 124);
        cr_assert_eq(bg_lacp_frame_decode(f, 129, NULL, NULL), -EMSGSIZE, "oversized");
        cr_assert_eq(bg_lacp_frame_decode(f, 300, NULL, NULL), -EMSGSIZE, "oversized");

        f[5] = 0x03;    /* 01:80:c2:00:00:03 (802.1X) */
        cr_assert_eq(bg_lacp_frame_decode(f, 124, NULL, NULL), -EADDRNOTAVAIL);
        memcpy(f, src_mac, 6);  /* unicast */
        cr_assert_eq(bg_lacp_frame_decode(f, 124, NULL, NULL), -EADDRNOTAVAIL);

        static const struct { unsigned off; uint8_t val; } bad[] = {
                { 15, 0x00 },   /* version 0 */
                { 16, 0x02 },   /* actor TLV type */
                { 17, 0x13 },   /* actor TLV length */
                { 36, 0x01 },   /* partner TLV type */
                { 37, 0xff },   /* partner TLV length */
                { 56, 0x00 },   /* collector TLV type */
                { 57, 0x14 },   /* collector TLV length */
                { 72, 0x05 },   /* terminator */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                memcpy(f, worked, 124);
                f[bad[i].off] = bad[i].val;
                cr_assert_eq(bg_lacp_frame_decode(f, 124, NULL, NULL), -EBADMSG, "byte %u", bad[i].off);
        }
        /* a later version may carry more after the collector TLV */
        memcpy(f, worked, 124);
        f[15] = 2;
        f[72] = 0x05;
        cr_assert_eq(bg_lacp_frame_decode(f, 124, NULL, NULL), BG_LACP_FRAME_LACPDU);

        memcpy(f, worked, 124);
        f[14] = 0x03;   /* OAM */
        cr_assert_eq(bg_lacp_frame_decode(f, 124, NULL, NULL), BG_LACP_FRAME_OTHER_SLOW);
        memcpy(f, worked, 124);
        f[12] = 0x08;
        f[13] = 0x00;
        cr_assert_eq(bg_lacp_frame_decode(f, 124, NULL, NULL), BG_LACP_FRAME_NOT_SLOW);
        cr_assert_eq(bg_lacp_frame_decode(f, 0, NULL, NULL), BG_LACP_FRAME_NOT_SLOW);
        cr_assert(!bg_lacp_frame_is_slow(f, 124));
        cr_assert(bg_lacp_frame_is_slow(worked, 14));
}

Test(lacp_pdu, every_truncation_is_refused_without_overread) {
        /* each prefix is copied to an exactly sized heap block so ASan sees
         * any read past len */
        for (size_t n = 0; n < 124; n++) {
                uint8_t *f = malloc(n ? n : 1);
                memcpy(f, worked, n);
                int r = bg_lacp_frame_decode(f, n, NULL, NULL);
                cr_assert(r < 0 || r == BG_LACP_FRAME_NOT_SLOW, "len %zu gave %d", n, r);
                free(f);
        }
}

Test(lacp_pdu, marker_worked_bytes) {
        static const uint8_t want_head[32] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0x09,
                0x02, 0x01,                     /* subtype marker, version 1 */
                0x02, 0x10,                     /* response TLV, length 16 */
                0x00, 0x07,                     /* requester port 7 */
                0x52, 0x54, 0x00, 0x01, 0x02, 0x03,
                0xde, 0xad, 0xbe, 0xef,         /* transaction id */
                0x00, 0x00,                     /* pad */
        };
        struct bg_marker m = { .response = true, .requester_port = 7,
                               .requester_system = { 0x52, 0x54, 0x00, 0x01, 0x02, 0x03 },
                               .transaction_id = 0xdeadbeef }, got;
        uint8_t buf[124];

        cr_assert_eq(bg_marker_encode(src_mac, &m, buf, sizeof(buf)), 124);
        cr_assert_arr_eq(buf, want_head, sizeof(want_head));
        for (size_t i = sizeof(want_head); i < 124; i++)
                cr_assert_eq(buf[i], 0, "byte %zu", i);
        cr_assert_eq(bg_lacp_frame_decode(buf, 124, NULL, &got), BG_LACP_FRAME_MARKER);
        cr_assert(got.response);
        cr_assert_eq(got.requester_port, 7);
        cr_assert_eq(got.transaction_id, 0xdeadbeef);
        buf[16] = 0x03;
        cr_assert_eq(bg_lacp_frame_decode(buf, 124, NULL, &got), -EBADMSG);
}

Test(lacp_pdu, speed_codes) {
        cr_assert_eq(bg_lacp_speed_code(1000), 4);
        cr_assert_eq(bg_lacp_speed_code(10000), 7);
        cr_assert_eq(bg_lacp_speed_code(100000), 15);
        cr_assert_eq(bg_lacp_speed_code(0), 0);
        cr_assert_eq(bg_lacp_speed_code(12345), 0);
}
