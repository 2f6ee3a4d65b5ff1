/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bond port's 802.3ad counters (LACPDUs and markers received, sent,
 * unknown, illegal), as `ip -s link xstats type bond_slave` reads them:
 * RTM_GETSTATS for the port with the IFLA_STATS_LINK_XSTATS_SLAVE filter;
 * the answer nests IFLA_STATS_LINK_XSTATS_SLAVE > LINK_XSTATS_TYPE_BOND >
 * BOND_XSTATS_3AD > one u64 per BOND_3AD_STAT_* (linux/if_bonding.h,
 * bond_netlink.c:bond_fill_linkxstats(), bond_3ad.c:bond_3ad_stats_fill()).
 * The 3AD nest is there only while the bond is in mode 802.3ad.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "netlink.h"

/* linux/if_bonding.h's numbers; that header pulls in linux/if.h, which
 * clashes with the net/if.h everything else here uses. */
enum { XSTATS_BOND_3AD = 1 };   /* BOND_XSTATS_3AD */
enum {
        STAT_LACPDU_RX,         /* BOND_3AD_STAT_LACPDU_RX ... */
        STAT_LACPDU_TX,
        STAT_LACPDU_UNKNOWN_RX,
        STAT_LACPDU_ILLEGAL_RX,
        STAT_MARKER_RX,
        STAT_MARKER_TX,
        STAT_MARKER_RESP_RX,
        STAT_MARKER_RESP_TX,
        STAT_MARKER_UNKNOWN_RX, /* ... BOND_3AD_STAT_MARKER_UNKNOWN_RX */
};

int bg_nl_msg_get_port_stats(void *buf, uint32_t seq, int ifindex, struct nlmsghdr **out) {
        struct nlmsghdr *nlh;
        struct if_stats_msg *ifsm;

        if (ifindex <= 0)
                return -EINVAL;
        memset(buf, 0, BG_NL_BUFSIZE);
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_GETSTATS;
        nlh->nlmsg_flags = NLM_F_REQUEST;
        nlh->nlmsg_seq = seq;
        ifsm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifsm));
        ifsm->family = AF_UNSPEC;
        ifsm->ifindex = (uint32_t) ifindex;
        ifsm->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_XSTATS_SLAVE);
        *out = nlh;
        return 0;
}

/* The one nested attribute of type `type` in a nest, or NULL. */
static const struct nlattr *nested(const struct nlattr *nest, uint16_t type) {
        const struct nlattr *a, *found = NULL;

        mnl_attr_for_each_nested(a, nest)
                if (mnl_attr_get_type(a) == type)
                        found = a;
        return found;
}

int bg_nl_parse_port_stats(const struct nlmsghdr *nlh, struct bg_nl_3ad_stats *out) {
        static const uint16_t ids[BG_NL_3AD_STAT__MAX] = {
                [BG_NL_3AD_LACPDU_RX] = STAT_LACPDU_RX,
                [BG_NL_3AD_LACPDU_TX] = STAT_LACPDU_TX,
                [BG_NL_3AD_LACPDU_UNKNOWN_RX] = STAT_LACPDU_UNKNOWN_RX,
                [BG_NL_3AD_LACPDU_ILLEGAL_RX] = STAT_LACPDU_ILLEGAL_RX,
                [BG_NL_3AD_MARKER_RX] = STAT_MARKER_RX,
                [BG_NL_3AD_MARKER_TX] = STAT_MARKER_TX,
                [BG_NL_3AD_MARKER_RESP_RX] = STAT_MARKER_RESP_RX,
                [BG_NL_3AD_MARKER_RESP_TX] = STAT_MARKER_RESP_TX,
                [BG_NL_3AD_MARKER_UNKNOWN_RX] = STAT_MARKER_UNKNOWN_RX,
        };
        const struct nlattr *a, *slave = NULL, *bond, *ad;
        const struct if_stats_msg *ifsm;

        memset(out, 0, sizeof(*out));
        if (nlh->nlmsg_type != RTM_NEWSTATS || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifsm)))
                return -EBADMSG;
        ifsm = mnl_nlmsg_get_payload(nlh);
        out->ifindex = (int) ifsm->ifindex;
        /* libmnl's iterators stop at an attribute whose length runs past
         * its message or nest */
        mnl_attr_for_each(a, nlh, sizeof(*ifsm)) {
                if (mnl_attr_get_type(a) == IFLA_STATS_LINK_XSTATS_SLAVE)
                        slave = a;
        }
        if (!slave)
                return -ENODATA;   /* not a bond port */
        bond = nested(slave, LINK_XSTATS_TYPE_BOND);
        if (!bond)
                return -ENODATA;
        ad = nested(bond, XSTATS_BOND_3AD);
        if (!ad)
                return -ENODATA;   /* the bond is not in 802.3ad mode */
        mnl_attr_for_each_nested(a, ad) {
                uint16_t t = mnl_attr_get_type(a);
                for (int i = 0; i < BG_NL_3AD_STAT__MAX; i++)
                        if (ids[i] == t) {
                                if (mnl_attr_get_payload_len(a) != sizeof(uint64_t))
                                        return -EBADMSG;
                                memcpy(&out->v[i], mnl_attr_get_payload(a), sizeof(uint64_t));
                                out->have[i] = true;
                        }
        }
        return 0;
}
