/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bond port's 802.3ad counters: the RTM_GETSTATS request byte for byte,
 * and the answer decoded from bytes laid out as the kernel writes them
 * (linux/if_link.h, linux/if_bonding.h; bond_3ad_stats_fill() puts each
 * counter with nla_put_u64_64bit(), so a zero-length BOND_3AD_STAT_PAD
 * attribute precedes a counter that would not be 8-byte aligned). */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

#include "netlink/netlink.h"

struct wbuf {
        uint8_t b[1024];
        size_t n;
};

static size_t put(struct wbuf *w, const void *p, size_t len) {
        size_t at = w->n;
        memcpy(w->b + w->n, p, len);
        w->n += (len + 3) & ~3u;
        return at;
}

static size_t attr(struct wbuf *w, uint16_t type, const void *payload, uint16_t len) {
        uint16_t hdr[2] = { (uint16_t) (4 + len), type };
        size_t at = put(w, hdr, 4);
        if (len)
                put(w, payload, len);
        return at;
}

static size_t nest_start(struct wbuf *w, uint16_t type) {
        return attr(w, type, NULL, 0);
}

static void nest_end(struct wbuf *w, size_t at) {
        uint16_t len = (uint16_t) (w->n - at);
        memcpy(w->b + at, &len, 2);
}

/* An answer for ifindex 7 with the given counters; with_3ad false is
 * what a port of a bond in another mode gets (the bond nest, empty). */
static struct nlmsghdr *answer(struct wbuf *w, bool with_3ad, const uint64_t v[9]) {
        struct nlmsghdr h = { .nlmsg_type = RTM_NEWSTATS, .nlmsg_seq = 5 };
        struct if_stats_msg ifsm = { .family = 0, .ifindex = 7,
                                     .filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_XSTATS_SLAVE) };

        memset(w, 0, sizeof(*w));
        put(w, &h, sizeof(h));
        put(w, &ifsm, sizeof(ifsm));
        size_t slave = nest_start(w, IFLA_STATS_LINK_XSTATS_SLAVE);
        size_t bond = nest_start(w, LINK_XSTATS_TYPE_BOND);
        if (with_3ad) {
                size_t ad = nest_start(w, 1 /* BOND_XSTATS_3AD */);
                for (uint16_t i = 0; i < 9; i++) {
                        /* nla_put_u64_64bit(): align the payload to 8 bytes */
                        if ((w->n + 4) % 8)
                                attr(w, 9 /* BOND_3AD_STAT_PAD */, NULL, 0);
                        attr(w, i, &v[i], 8);
                }
                nest_end(w, ad);
        }
        nest_end(w, bond);
        nest_end(w, slave);
        struct nlmsghdr *nlh = (struct nlmsghdr *) w->b;
        nlh->nlmsg_len = (uint32_t) w->n;
        return nlh;
}

Test(stats, request_asks_for_the_port_xstats) {
        static char buf[BG_NL_BUFSIZE];
        struct nlmsghdr *nlh;

        cr_assert_eq(bg_nl_msg_get_port_stats(buf, 9, 7, &nlh), 0);
        cr_expect_eq(nlh->nlmsg_type, RTM_GETSTATS);
        cr_expect_eq(nlh->nlmsg_flags, NLM_F_REQUEST);
        cr_expect_eq(nlh->nlmsg_len, sizeof(struct nlmsghdr) + sizeof(struct if_stats_msg));
        const struct if_stats_msg *m = (const void *) (nlh + 1);
        cr_expect_eq(m->ifindex, 7);
        cr_expect_eq(m->filter_mask, 1u << 2);   /* IFLA_STATS_LINK_XSTATS_SLAVE is 3 */
        cr_expect_eq(bg_nl_msg_get_port_stats(buf, 9, 0, &nlh), -EINVAL);
}

Test(stats, counters_decoded) {
        static const uint64_t v[9] = { 1234, 1240, 3, 2, 5, 6, 7, 8, 1ull << 40 };
        struct bg_nl_3ad_stats s;
        struct wbuf w;

        cr_assert_eq(bg_nl_parse_port_stats(answer(&w, true, v), &s), 0);
        cr_expect_eq(s.ifindex, 7);
        for (int i = 0; i < BG_NL_3AD_STAT__MAX; i++) {
                cr_expect(s.have[i], "counter %d missing", i);
                cr_expect_eq(s.v[i], v[i], "counter %d", i);
        }
        cr_expect_eq(s.v[BG_NL_3AD_LACPDU_RX], 1234);
        cr_expect_eq(s.v[BG_NL_3AD_LACPDU_ILLEGAL_RX], 2);
}

Test(stats, not_802_3ad_or_broken) {
        static const uint64_t v[9] = { 0 };
        struct bg_nl_3ad_stats s;
        struct wbuf w;
        struct nlmsghdr *nlh;

        cr_expect_eq(bg_nl_parse_port_stats(answer(&w, false, v), &s), -ENODATA);
        /* a counter of the wrong width */
        nlh = answer(&w, true, v);
        for (size_t off = sizeof(struct nlmsghdr) + sizeof(struct if_stats_msg); off + 4 <= w.n; off += 4) {
                uint16_t len, type;
                memcpy(&len, w.b + off, 2);
                memcpy(&type, w.b + off + 2, 2);
                if (len == 12 && type == 0) {
                        len = 8;
                        memcpy(w.b + off, &len, 2);
                        break;
                }
        }
        cr_expect_eq(bg_nl_parse_port_stats(nlh, &s), -EBADMSG);
        /* cut short: the nests run past the message, nothing is read beyond it */
        nlh = answer(&w, true, v);
        for (uint32_t len = sizeof(struct nlmsghdr) + sizeof(struct if_stats_msg); len < w.n; len += 4) {
                nlh->nlmsg_len = len;
                int r = bg_nl_parse_port_stats(nlh, &s);
                cr_expect(r == -ENODATA || r == 0 || r == -EBADMSG, "length %u: %d", len, r);
        }
        nlh->nlmsg_len = 8;
        cr_expect_eq(bg_nl_parse_port_stats(nlh, &s), -EBADMSG);
        nlh->nlmsg_len = (uint32_t) w.n;
        nlh->nlmsg_type = RTM_NEWLINK;
        cr_expect_eq(bg_nl_parse_port_stats(nlh, &s), -EBADMSG);
}
