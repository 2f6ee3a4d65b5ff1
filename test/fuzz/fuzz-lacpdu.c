/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LACPDU and marker decoding (src/fwd/logic/lacp.h) on arbitrary frames: never
 * reads past len, and whatever decodes encodes back to a frame that
 * decodes to the same fields.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/lacp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct bg_lacpdu pdu, pdu2;
        struct bg_marker mk, mk2;
        uint8_t buf[BG_LACPDU_FRAME_MAX];
        uint8_t *copy = malloc(size ?: 1);
        int r, n;

        /* A private copy: the decoder gets exactly size bytes. */
        if (!copy)
                return 0;
        memcpy(copy, data, size);
        (void) bg_lacp_frame_is_slow(copy, size);
        r = bg_lacp_frame_decode(copy, size, &pdu, &mk);
        if (r == BG_LACP_FRAME_LACPDU) {
                n = bg_lacpdu_encode(copy + 6, &pdu, buf, sizeof(buf));
                if (n < 0 || bg_lacp_frame_decode(buf, (size_t) n, &pdu2, NULL) != BG_LACP_FRAME_LACPDU ||
                    memcmp(&pdu.actor, &pdu2.actor, sizeof(pdu.actor)) ||
                    memcmp(&pdu.partner, &pdu2.partner, sizeof(pdu.partner)) ||
                    pdu.collector_max_delay != pdu2.collector_max_delay)
                        abort();
        } else if (r == BG_LACP_FRAME_MARKER) {
                n = bg_marker_encode(copy + 6, &mk, buf, sizeof(buf));
                if (n < 0 || bg_lacp_frame_decode(buf, (size_t) n, NULL, &mk2) != BG_LACP_FRAME_MARKER ||
                    mk.response != mk2.response || mk.requester_port != mk2.requester_port ||
                    mk.transaction_id != mk2.transaction_id ||
                    memcmp(mk.requester_system, mk2.requester_system, 6))
                        abort();
        } else if (r != BG_LACP_FRAME_OTHER_SLOW && r != BG_LACP_FRAME_NOT_SLOW && r != -EBADMSG &&
                   r != -EMSGSIZE && r != -EADDRNOTAVAIL)
                abort();
        free(copy);
        return 0;
}
