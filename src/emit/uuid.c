/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Name-based UUIDs (RFC 4122 §4.3, version 5) so that keyfile output is
 * the same on every run: NetworkManager only needs a well-formed UUID,
 * and a random one would make converted trees impossible to diff. SHA-1
 * is implemented here (FIPS 180-4) because the model may depend on libc
 * only; it is used as a hash, not for security. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emit/emit-internal.h"

struct sha1 {
        uint32_t h[5];
        uint64_t len;
        uint8_t buf[64];
        size_t fill;
};

static uint32_t rol(uint32_t x, unsigned n) {
        return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *s, const uint8_t *p) {
        uint32_t w[80], a, b, c, d, e;

        for (unsigned i = 0; i < 16; i++)
                w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 |
                       (uint32_t) p[4 * i + 2] << 8 | p[4 * i + 3];
        for (unsigned i = 16; i < 80; i++)
                w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

        a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
        for (unsigned i = 0; i < 80; i++) {
                uint32_t f, k, t;

                if (i < 20)
                        f = (b & c) | (~b & d), k = 0x5a827999;
                else if (i < 40)
                        f = b ^ c ^ d, k = 0x6ed9eba1;
                else if (i < 60)
                        f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
                else
                        f = b ^ c ^ d, k = 0xca62c1d6;
                t = rol(a, 5) + f + e + k + w[i];
                e = d, d = c, c = rol(b, 30), b = a, a = t;
        }
        s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

static void sha1_init(struct sha1 *s) {
        *s = (struct sha1) { .h = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 } };
}

static void sha1_update(struct sha1 *s, const void *data, size_t n) {
        const uint8_t *p = data;

        s->len += n;
        while (n > 0) {
                size_t k = 64 - s->fill < n ? 64 - s->fill : n;

                memcpy(s->buf + s->fill, p, k);
                s->fill += k, p += k, n -= k;
                if (s->fill == 64) {
                        sha1_block(s, s->buf);
                        s->fill = 0;
                }
        }
}

static void sha1_final(struct sha1 *s, uint8_t out[20]) {
        uint64_t bits = s->len * 8;
        uint8_t pad = 0x80, zero = 0, lenb[8];

        sha1_update(s, &pad, 1);
        while (s->fill != 56)
                sha1_update(s, &zero, 1);
        for (unsigned i = 0; i < 8; i++)
                lenb[i] = (uint8_t) (bits >> (56 - 8 * i));
        sha1_update(s, lenb, 8);
        for (unsigned i = 0; i < 5; i++) {
                out[4 * i] = (uint8_t) (s->h[i] >> 24);
                out[4 * i + 1] = (uint8_t) (s->h[i] >> 16);
                out[4 * i + 2] = (uint8_t) (s->h[i] >> 8);
                out[4 * i + 3] = (uint8_t) s->h[i];
        }
}

/* bondgen's namespace for connection UUIDs (chosen once, never change it:
 * every emitted keyfile's uuid depends on it). */
static const uint8_t bondgen_ns[16] = { 0x6b, 0x3e, 0x1c, 0x52, 0x9a, 0x0d, 0x4f, 0x71,
                                        0xb2, 0x4c, 0x5e, 0x19, 0x83, 0xa7, 0x20, 0xd6 };

int bg_emit_uuid(const char *name, char out[37]) {
        struct sha1 s;
        uint8_t h[20];

        if (!name)
                return -EINVAL;
        sha1_init(&s);
        sha1_update(&s, bondgen_ns, sizeof(bondgen_ns));
        sha1_update(&s, name, strlen(name));
        sha1_final(&s, h);
        h[6] = (h[6] & 0x0f) | 0x50;   /* version 5 */
        h[8] = (h[8] & 0x3f) | 0x80;   /* RFC 4122 variant */
        snprintf(out, 37,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11],
                 h[12], h[13], h[14], h[15]);
        return 0;
}

/* Exposed for the unit test of the hash itself (FIPS 180 vectors). */
void bg_emit_sha1(const void *data, size_t n, uint8_t out[20]) {
        struct sha1 s;

        sha1_init(&s);
        sha1_update(&s, data, n);
        sha1_final(&s, out);
}
