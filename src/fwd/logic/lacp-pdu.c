/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LACPDU and marker PDU byte layout (struct lacpdu in include/net/bond_3ad.h; IEEE 802.3
 * Annex 43B for the slow protocols size limit). All multi-byte fields are
 * big-endian on the wire.
 */
#include <errno.h>
#include <string.h>

#include "fwd/logic/lacp.h"

const uint8_t bg_lacp_slow_proto_mac[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

enum {
        OFF_DST = 0,
        OFF_SRC = 6,
        OFF_TYPE = 12,
        OFF_SUBTYPE = 14,
        OFF_VERSION = 15,
        OFF_ACTOR_TLV = 16,
        OFF_PARTNER_TLV = 36,
        OFF_COLLECTOR_TLV = 56,
        OFF_TERMINATOR_TLV = 72,
        INFO_TLV_LEN = 20,
        COLLECTOR_TLV_LEN = 16,
        MARKER_TLV_LEN = 16,
};

static void put16(uint8_t *p, uint16_t v) {
        p[0] = v >> 8;
        p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p) {
        return (uint16_t) (p[0] << 8 | p[1]);
}

static void put_header(uint8_t *buf, const uint8_t src[6], uint8_t subtype) {
        memcpy(buf + OFF_DST, bg_lacp_slow_proto_mac, 6);
        memcpy(buf + OFF_SRC, src, 6);
        put16(buf + OFF_TYPE, BG_SLOW_PROTO_ETHERTYPE);
        buf[OFF_SUBTYPE] = subtype;
        buf[OFF_VERSION] = 0x01;
}

/* type, length, then the 18 bytes of one side's information. */
static void put_info(uint8_t *p, uint8_t type, const struct bg_lacp_info *i) {
        p[0] = type;
        p[1] = INFO_TLV_LEN;
        put16(p + 2, i->system_priority);
        memcpy(p + 4, i->system, 6);
        put16(p + 10, i->key);
        put16(p + 12, i->port_priority);
        put16(p + 14, i->port);
        p[16] = i->state;
        /* p[17..19] reserved, already zero */
}

static void get_info(const uint8_t *p, struct bg_lacp_info *i) {
        i->system_priority = get16(p + 2);
        memcpy(i->system, p + 4, 6);
        i->key = get16(p + 10);
        i->port_priority = get16(p + 12);
        i->port = get16(p + 14);
        i->state = p[16];
}

int bg_lacpdu_encode(const uint8_t src[6], const struct bg_lacpdu *pdu, uint8_t *buf, size_t size) {
        if (size < BG_LACPDU_FRAME_LEN)
                return -ENOBUFS;
        memset(buf, 0, BG_LACPDU_FRAME_LEN);
        put_header(buf, src, BG_LACP_SUBTYPE_LACP);
        put_info(buf + OFF_ACTOR_TLV, 0x01, &pdu->actor);
        put_info(buf + OFF_PARTNER_TLV, 0x02, &pdu->partner);
        buf[OFF_COLLECTOR_TLV] = 0x03;
        buf[OFF_COLLECTOR_TLV + 1] = COLLECTOR_TLV_LEN;
        put16(buf + OFF_COLLECTOR_TLV + 2, pdu->collector_max_delay);
        /* terminator TLV (0, 0) and the 50 reserved bytes stay zero */
        return BG_LACPDU_FRAME_LEN;
}

int bg_marker_encode(const uint8_t src[6], const struct bg_marker *m, uint8_t *buf, size_t size) {
        uint8_t *p = buf + 16;

        if (size < BG_LACPDU_FRAME_LEN)
                return -ENOBUFS;
        memset(buf, 0, BG_LACPDU_FRAME_LEN);
        put_header(buf, src, BG_LACP_SUBTYPE_MARKER);
        p[0] = m->response ? 0x02 : 0x01;
        p[1] = MARKER_TLV_LEN;
        put16(p + 2, m->requester_port);
        memcpy(p + 4, m->requester_system, 6);
        p[10] = m->transaction_id >> 24;
        p[11] = m->transaction_id >> 16;
        p[12] = m->transaction_id >> 8;
        p[13] = m->transaction_id;
        /* 2 pad bytes, terminator (0, 0) and 90 reserved bytes stay zero */
        return BG_LACPDU_FRAME_LEN;
}

bool bg_lacp_frame_is_slow(const void *frame, size_t len) {
        const uint8_t *b = frame;

        return len >= 14 && get16(b + OFF_TYPE) == BG_SLOW_PROTO_ETHERTYPE;
}

int bg_lacp_frame_decode(const void *frame, size_t len, struct bg_lacpdu *pdu, struct bg_marker *m) {
        const uint8_t *b = frame;

        if (!bg_lacp_frame_is_slow(frame, len))
                return BG_LACP_FRAME_NOT_SLOW;
        if (memcmp(b + OFF_DST, bg_lacp_slow_proto_mac, 6) != 0)
                return -EADDRNOTAVAIL;
        if (len < OFF_SUBTYPE + 1)
                return -EMSGSIZE;
        if (b[OFF_SUBTYPE] != BG_LACP_SUBTYPE_LACP && b[OFF_SUBTYPE] != BG_LACP_SUBTYPE_MARKER)
                return BG_LACP_FRAME_OTHER_SLOW;
        if (len < BG_LACPDU_FRAME_LEN || len > BG_LACPDU_FRAME_MAX)
                return -EMSGSIZE;
        /* Version 0 does not exist; later versions must be read as version 1
         * by a version 1 receiver (802.1AX 6.4.2.3), so only 0 is refused. */
        if (b[OFF_VERSION] == 0)
                return -EBADMSG;

        if (b[OFF_SUBTYPE] == BG_LACP_SUBTYPE_LACP) {
                if (b[OFF_ACTOR_TLV] != 0x01 || b[OFF_ACTOR_TLV + 1] != INFO_TLV_LEN ||
                    b[OFF_PARTNER_TLV] != 0x02 || b[OFF_PARTNER_TLV + 1] != INFO_TLV_LEN ||
                    b[OFF_COLLECTOR_TLV] != 0x03 || b[OFF_COLLECTOR_TLV + 1] != COLLECTOR_TLV_LEN)
                        return -EBADMSG;
                if (b[OFF_VERSION] == 0x01 &&
                    (b[OFF_TERMINATOR_TLV] != 0 || b[OFF_TERMINATOR_TLV + 1] != 0))
                        return -EBADMSG;
                if (pdu) {
                        memset(pdu, 0, sizeof(*pdu));
                        pdu->version = b[OFF_VERSION];
                        get_info(b + OFF_ACTOR_TLV, &pdu->actor);
                        get_info(b + OFF_PARTNER_TLV, &pdu->partner);
                        pdu->collector_max_delay = get16(b + OFF_COLLECTOR_TLV + 2);
                }
                return BG_LACP_FRAME_LACPDU;
        }

        const uint8_t *p = b + 16;
        if ((p[0] != 0x01 && p[0] != 0x02) || p[1] != MARKER_TLV_LEN)
                return -EBADMSG;
        if (m) {
                memset(m, 0, sizeof(*m));
                m->response = p[0] == 0x02;
                m->requester_port = get16(p + 2);
                memcpy(m->requester_system, p + 4, 6);
                m->transaction_id = (uint32_t) p[10] << 24 | (uint32_t) p[11] << 16 |
                                    (uint32_t) p[12] << 8 | p[13];
        }
        return BG_LACP_FRAME_MARKER;
}
