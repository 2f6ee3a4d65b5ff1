/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The 802.3ad machines (src/fwd/logic/lacp.h) driven by the input: received
 * frames (raw, or well-formed LACPDUs with fuzzed fields), time steps,
 * link changes, ports removed and added, status reads. Everything a port
 * sends must be a frame our own decoder accepts, and a distributing port
 * must be collecting.
 *
 * Input: 4 bytes of configuration, then operations of one byte plus
 * arguments (see the switch below).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/lacp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPORTS 3

struct in {
        const uint8_t *p;
        size_t n;
};

static uint8_t byte(struct in *in) {
        if (in->n == 0)
                return 0;
        in->n--;
        return *in->p++;
}

static uint16_t word(struct in *in) {
        uint16_t hi = byte(in);

        return (uint16_t) (hi << 8 | byte(in));
}

static int fuzz_send(void *userdata, unsigned port, const void *frame, size_t len) {
        struct bg_lacpdu pdu;
        struct bg_marker m;
        int r = bg_lacp_frame_decode(frame, len, &pdu, &m);

        (void) userdata;
        if (port >= BG_LACP_MAX_PORTS || len > BG_LACPDU_FRAME_MAX ||
            (r != BG_LACP_FRAME_LACPDU && r != BG_LACP_FRAME_MARKER))
                abort();
        return 0;
}

static void fuzz_changed(void *userdata) {
        (void) userdata;
}

static void kv(void *ctx, const char *section, const char *key, const char *value) {
        (void) ctx;
        (void) section;
        if (!key || !value)
                abort();
}

static void info(struct in *in, struct bg_lacp_info *i) {
        i->system_priority = word(in);
        for (int k = 0; k < 6; k++)
                i->system[k] = byte(in);
        i->key = word(in);
        i->port_priority = word(in);
        i->port = word(in);
        i->state = byte(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const struct bg_lacp_ops ops = { .send = fuzz_send, .changed = fuzz_changed };
        static const uint8_t bond_mac[6] = { 0x02, 0, 0, 0, 0, 0x10 };
        struct in in = { data, size };
        struct bg_lacp_config cfg;
        struct bg_lacp *l = NULL;
        unsigned ports[NPORTS];
        bool present[NPORTS];
        uint64_t now = 1000000;
        uint8_t c;

        bg_lacp_config_init(&cfg);
        c = byte(&in);
        cfg.active = c & 1;
        cfg.fast = c & 2;
        cfg.strict = c & 4;
        cfg.select = (enum bg_lacp_select) ((c >> 3) & 3);
        cfg.min_links = byte(&in) % 4;
        cfg.user_port_key = word(&in) & 1023;
        if (bg_lacp_new(&cfg, bond_mac, &ops, NULL, now, &l) < 0)
                return 0;
        for (unsigned i = 0; i < NPORTS; i++) {
                uint8_t mac[6] = { 0x02, 0, 0, 0, 1, (uint8_t) i };

                present[i] = bg_lacp_port_add(l, mac, 255, now, &ports[i]) == 0;
                if (present[i])
                        bg_lacp_port_link(l, ports[i], true, 1000, true, now);
        }
        while (in.n > 0) {
                uint8_t op = byte(&in), pi = byte(&in) % NPORTS;
                uint8_t frame[BG_LACPDU_FRAME_MAX + 8];
                size_t len;

                switch (op % 8) {
                case 0: /* raw frame */
                        len = byte(&in) % sizeof(frame);
                        memset(frame, 0, sizeof(frame));
                        for (size_t k = 0; k < len; k++)
                                frame[k] = byte(&in);
                        if (present[pi])
                                bg_lacp_rx(l, ports[pi], frame, len, now);
                        break;
                case 1:
                case 2: { /* a well-formed LACPDU from a partner */
                        struct bg_lacpdu pdu = { .version = 1 };
                        uint8_t src[6] = { 0x02, 0, 0, 0, 2, pi };
                        int n;

                        info(&in, &pdu.actor);
                        if (op & 0x80)
                                info(&in, &pdu.partner);
                        else {
                                /* echo what we send, so the partner can sync */
                                struct bg_lacp_port_info pinfo;

                                if (present[pi] && bg_lacp_port_get_info(l, ports[pi], &pinfo) == 0)
                                        pdu.partner = pinfo.actor;
                        }
                        n = bg_lacpdu_encode(src, &pdu, frame, sizeof(frame));
                        if (n > 0 && present[pi])
                                bg_lacp_rx(l, ports[pi], frame, (size_t) n, now);
                        break;
                }
                case 3: { /* a marker */
                        struct bg_marker mk = { .response = op & 0x80 };
                        uint8_t src[6] = { 0x02, 0, 0, 0, 2, pi };
                        int n;

                        mk.requester_port = word(&in);
                        mk.transaction_id = (uint32_t) word(&in) << 16;
                        mk.transaction_id |= word(&in);
                        n = bg_marker_encode(src, &mk, frame, sizeof(frame));
                        if (n > 0 && present[pi])
                                bg_lacp_rx(l, ports[pi], frame, (size_t) n, now);
                        break;
                }
                case 4: /* time passes: up to about 2 minutes */
                        now += (uint64_t) word(&in) * 2000;
                        (void) bg_lacp_tick(l, now);
                        break;
                case 5: /* link change */
                        if (present[pi])
                                bg_lacp_port_link(l, ports[pi], op & 0x80, (uint32_t) word(&in) * 10, op & 0x40,
                                                  now);
                        break;
                case 6: /* port removed, or added again */
                        if (present[pi]) {
                                bg_lacp_port_remove(l, ports[pi], now);
                                present[pi] = false;
                        } else {
                                uint8_t mac[6] = { 0x02, 0, 0, 0, 1, pi };

                                present[pi] = bg_lacp_port_add(l, mac, word(&in), now, &ports[pi]) == 0;
                        }
                        break;
                default: { /* status */
                        struct bg_lacp_agg_info agg;

                        bg_lacp_status_bond(l, kv, NULL);
                        for (unsigned i = 0; i < NPORTS; i++)
                                if (present[i])
                                        bg_lacp_status_port(l, ports[i], kv, NULL);
                        (void) bg_lacp_active_agg(l, &agg);
                        (void) bg_lacp_carrier(l);
                        (void) bg_lacp_next_deadline(l);
                        break;
                }
                }
                for (unsigned i = 0; i < NPORTS; i++)
                        if (present[i] && bg_lacp_port_distributing(l, ports[i]) &&
                            !bg_lacp_port_collecting(l, ports[i]))
                                abort();
        }
        bg_lacp_free(l);
        return 0;
}
