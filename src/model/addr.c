/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Address values of the model: the one place where address, prefix and
 * hardware-address text is parsed and formatted. Readers parse into
 * struct bg_addr / struct bg_hwaddr; emitters, apply and bondgend only
 * format or copy the bytes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"


static int hexval(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = tolower(c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Six groups of exactly two hex digits, all separated by ':' or all by
 * '-' (ifcfg HWADDR is usually upper case with ':'). */
int bg_parse_mac(const char *s, uint8_t out[6]) {
        uint8_t m[6];
        char sep;

        if (!s || strlen(s) != 17)
                return -EINVAL;
        sep = s[2];
        if (sep != ':' && sep != '-')
                return -EINVAL;
        for (int i = 0; i < 6; i++) {
                int hi = hexval((unsigned char) s[i * 3]), lo = hexval((unsigned char) s[i * 3 + 1]);

                if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != sep))
                        return -EINVAL;
                m[i] = (uint8_t) (hi << 4 | lo);
        }
        if (out)
                memcpy(out, m, 6);
        return 0;
}

int bg_format_mac(const uint8_t mac[6], char buf[18]) {
        static const char hex[] = "0123456789abcdef";

        for (int i = 0; i < 6; i++) {
                buf[i * 3] = hex[mac[i] >> 4];
                buf[i * 3 + 1] = hex[mac[i] & 15];
                buf[i * 3 + 2] = i < 5 ? ':' : '\0';
        }
        return 0;
}

int bg_normalize_mac(const char *s, char buf[18]) {
        uint8_t m[6];
        int r = bg_parse_mac(s, m);

        if (r < 0)
                return r;
        return bg_format_mac(m, buf);
}

int bg_parse_prefix(const char *s, int *family, uint8_t addr[16], unsigned *prefixlen) {
        char host[INET6_ADDRSTRLEN + 1];
        const char *slash;
        uint8_t a[16] = { 0 };
        unsigned long len = 0;
        size_t hl;
        int fam;

        if (!s)
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash)
                return -EINVAL;
        hl = (size_t) (slash - s);
        if (hl == 0 || hl >= sizeof(host))
                return -EINVAL;
        memcpy(host, s, hl);
        host[hl] = '\0';
        if (inet_pton(AF_INET, host, a) == 1)
                fam = AF_INET;
        else if (inet_pton(AF_INET6, host, a) == 1)
                fam = AF_INET6;
        else
                return -EINVAL;
        /* Prefix: 1-3 plain digits, no sign, no spaces. */
        if (!slash[1] || strlen(slash + 1) > 3)
                return -EINVAL;
        for (const char *p = slash + 1; *p; p++) {
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                len = len * 10 + (unsigned long) (*p - '0');
        }
        if (len > (fam == AF_INET ? 32u : 128u))
                return -EINVAL;
        if (family)
                *family = fam;
        if (addr)
                memcpy(addr, a, 16);
        if (prefixlen)
                *prefixlen = (unsigned) len;
        return 0;
}

int bg_netmask_to_prefix(const char *netmask, unsigned *prefixlen) {
        struct in_addr a;
        uint32_t m;
        unsigned n = 0;

        if (!netmask || inet_pton(AF_INET, netmask, &a) != 1)
                return -EINVAL;
        m = ntohl(a.s_addr);
        while (n < 32 && (m & (0x80000000u >> n)))
                n++;
        /* The remaining bits must all be zero: 255.0.255.0 is no netmask. */
        if (n < 32 && (m << n) != 0)
                return -EINVAL;
        if (prefixlen)
                *prefixlen = n;
        return 0;
}

/* Groups of exactly two hex digits, all separated by ':' or all by '-':
 * 6 of them (Ethernet) or 20 (InfiniBand; ip link prints IPoIB addresses
 * that way and initscripts' HWADDR takes them). */
int bg_hwaddr_parse(const char *s, struct bg_hwaddr *out) {
        struct bg_hwaddr h = { 0 };
        size_t n;
        char sep;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        if (n != 6 * 3 - 1 && n != BG_HWADDR_MAX * 3 - 1)
                return -EINVAL;
        sep = s[2];
        if (sep != ':' && sep != '-')
                return -EINVAL;
        h.len = (uint8_t) ((n + 1) / 3);
        for (size_t i = 0; i < h.len; i++) {
                int hi = hexval((unsigned char) s[i * 3]), lo = hexval((unsigned char) s[i * 3 + 1]);

                if (hi < 0 || lo < 0 || (i + 1 < h.len && s[i * 3 + 2] != sep))
                        return -EINVAL;
                h.bytes[i] = (uint8_t) (hi << 4 | lo);
        }
        if (out)
                *out = h;
        return 0;
}

/* Whether a device can carry the address: the kernel's
 * is_valid_ether_addr() (checked by eth_validate_addr(), bond_set_mac_address()
 * and br_set_mac_address()) refuses the I/G (multicast) bit and all zeros.
 * For a 20-byte InfiniBand address the queue pair number comes first, so
 * only the all-zero rule applies to it. */
bool bg_hwaddr_usable(const struct bg_hwaddr *m, const char **why) {
        static const uint8_t zero[BG_HWADDR_MAX];
        const char *w = NULL;

        if (m->len != 6 && m->len != BG_HWADDR_MAX)
                w = "is not a MAC address (expected aa:bb:cc:dd:ee:ff)";
        else if (m->len == 6 && (m->bytes[0] & 1))
                w = "is a multicast address";
        else if (memcmp(m->bytes, zero, m->len) == 0)
                w = "is all zero";
        if (why)
                *why = w;
        return !w;
}

const char *bg_hwaddr_format(const struct bg_hwaddr *h, char buf[BG_HWADDR_STRLEN]) {
        static const char hex[] = "0123456789abcdef";
        size_t n = h->len <= BG_HWADDR_MAX ? h->len : 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                buf[i * 3] = hex[h->bytes[i] >> 4];
                buf[i * 3 + 1] = hex[h->bytes[i] & 15];
                buf[i * 3 + 2] = i + 1 < n ? ':' : '\0';
        }
        return buf;
}

bool bg_hwaddr_equal(const struct bg_hwaddr *a, const struct bg_hwaddr *b) {
        return a->len == b->len && memcmp(a->bytes, b->bytes, a->len <= BG_HWADDR_MAX ? a->len : 0) == 0;
}

int bg_hwaddr_from_bytes(const uint8_t *bytes, size_t len, struct bg_hwaddr *out) {
        if (len != 6 && len != BG_HWADDR_MAX)
                return -EINVAL;
        *out = (struct bg_hwaddr){ .len = (uint8_t) len };
        memcpy(out->bytes, bytes, len);
        return 0;
}

int bg_addr_make(int family, const void *bytes, int prefixlen, struct bg_addr *out) {
        unsigned max = family == AF_INET ? 32 : 128;

        if ((family != AF_INET && family != AF_INET6) || (prefixlen >= 0 && (unsigned) prefixlen > max))
                return -EINVAL;
        /* out->loc is the caller's. */
        out->family = (uint8_t) family;
        out->prefixlen = (uint8_t) (prefixlen < 0 ? max : (unsigned) prefixlen);
        out->is_prefix = prefixlen >= 0;
        memset(out->bytes, 0, sizeof(out->bytes));
        memcpy(out->bytes, bytes, family == AF_INET ? 4 : 16);
        return 0;
}

static int parse_host(const char *s, size_t n, int *family, uint8_t bytes[16]) {
        char host[INET6_ADDRSTRLEN + 1];

        if (n == 0 || n >= sizeof(host))
                return -EINVAL;
        memcpy(host, s, n);
        host[n] = '\0';
        memset(bytes, 0, 16);
        if (inet_pton(AF_INET, host, bytes) == 1)
                *family = AF_INET;
        else if (inet_pton(AF_INET6, host, bytes) == 1)
                *family = AF_INET6;
        else
                return -EINVAL;
        return 0;
}

int bg_addr_parse_prefix(const char *s, struct bg_addr *out) {
        uint8_t a[16];
        unsigned plen;
        int fam;

        if (bg_parse_prefix(s, &fam, a, &plen) < 0)
                return -EINVAL;
        return out ? bg_addr_make(fam, a, (int) plen, out) : 0;
}

int bg_addr_parse_ip(const char *s, struct bg_addr *out) {
        uint8_t a[16];
        int fam;

        if (!s || parse_host(s, strlen(s), &fam, a) < 0)
                return -EINVAL;
        return out ? bg_addr_make(fam, a, -1, out) : 0;
}

const char *bg_addr_format(const struct bg_addr *a, char buf[BG_ADDR_STRLEN]) {
        buf[0] = '\0';
        if (a->family != AF_INET && a->family != AF_INET6)
                return buf;
        if (!inet_ntop(a->family, a->bytes, buf, INET6_ADDRSTRLEN)) {
                buf[0] = '\0';
                return buf;
        }
        if (a->is_prefix)
                snprintf(buf + strlen(buf), BG_ADDR_STRLEN - strlen(buf), "/%u", a->prefixlen);
        return buf;
}

bool bg_addr_equal(const struct bg_addr *a, const struct bg_addr *b) {
        return a->family == b->family && a->prefixlen == b->prefixlen && a->is_prefix == b->is_prefix &&
               memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

struct bg_addr bg_route_dest(const struct bg_route *r, int family) {
        static const uint8_t zero[16];
        struct bg_addr a = { .loc = r->to.loc };

        if (!r->is_default)
                return r->to;
        bg_addr_make(family, zero, 0, &a);
        return a;
}
