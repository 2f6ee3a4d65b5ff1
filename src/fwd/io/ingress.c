/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ports kept away from the host's IP stack by construction. The kernel's
 * bond takes every frame of a port in its rx_handler, so the stack never
 * sees it on the port; an AF_PACKET socket only taps a copy. Sysctls
 * (NOARP, disable_ipv6, rp_filter) quiet the stack on the port, but
 * `sysctl --system`, systemd-sysctl on hotplug or an admin undo them, and
 * with rp_filter=0 every unicast frame for the bond is answered twice.
 *
 * So each port gets an nftables netdev ingress chain with policy drop and
 * no rules: __netif_receive_skb_core() delivers to packet taps (our
 * socket) before the ingress hooks run, and then the frame ends there.
 * The table is owned by bondgend's netlink socket (NFT_TABLE_F_OWNER,
 * Linux 5.12): the kernel removes it when bondgend exits, however it
 * exits, so a port is never left deaf. The sysctls stay as a second line.
 *
 * One exception, as the kernel makes it: on a port the bond treats as
 * inactive (slave->inactive: an active-backup backup, a TLB/ALB port that
 * is not the current one, an 802.3ad port not collecting for the active
 * aggregator; none with all_slaves_active), bond_handle_frame() returns
 * RX_HANDLER_PASS for a frame to an IEEE 802.1D link-local group
 * (01:80:c2:00:00:00-0f, is_link_local_ether_addr(): STP, LACP, PAUSE,
 * OAM, LLDP...), so lldpd or a protocol socket bound to the port sees it
 * there. Before that, in 802.3ad, bond_3ad_lacpdu_recv() consumes
 * LACPDUs and markers (slow protocols subtype 1 and 2 to 01:80:c2:00:00:02)
 * on every port, when whole: a frame shorter than an LACPDU (110 bytes
 * after the Ethernet header, skb_header_pointer() in
 * bond_3ad_lacpdu_recv()) goes on like any other link-local frame. So
 * each port's chain has, before its drop policy:
 *   [802.3ad] ether daddr 01:80:c2:00:00:02, meta protocol 0x8809,
 *             first payload byte 1 or 2, meta len >= 110: drop
 *   ether daddr & ff:ff:ff:ff:ff:f0 == 01:80:c2:00:00:00,
 *             meta iif in the set "rxoff": accept
 * The set holds the ifindexes of the inactive ports; a failover changes
 * one element (bg_ingress_link_local()), no rule. The address test comes
 * first: an ordinary frame costs a 6-byte load, a mask and a compare more
 * than the bare drop did.
 *
 * Each port also gets an egress chain (Linux 5.16) that drops what the
 * host stack sends on the port: only frames carrying bondgend's mark
 * (BG_PORT_MARK, set on its packet sockets) and frames to a link-local
 * group (another program's LLDP or EAPOL on the port) leave (fill_rule_out()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwd/io/core.h"
#include "fwd/logic/lacp.h"

#define SET_RXOFF "rxoff"

struct bg_ingress {
        struct mnl_socket *nl;
        uint32_t seq;
        char table[64];
        bool lacp;                  /* 802.3ad: LACPDUs and markers never pass */
        /* the ports whose ifindex is in the set now */
        struct {
                char name[16];
                int ifindex;
        } pass[BG_FWD_MAX_PORTS];
};

static struct nlmsghdr *put_hdr(char *buf, uint16_t type, uint16_t flags, uint8_t family, uint32_t seq,
                                uint16_t res_id) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct nfgenmsg *g;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = seq;
        g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
        g->nfgen_family = family;
        g->version = NFNETLINK_V0;
        g->res_id = htons(res_id);
        return nlh;
}

/* Send one nf_tables message in a batch and wait for its ack. */
static int call(struct bg_ingress *in, uint16_t msg, uint16_t flags,
                void (*fill)(struct nlmsghdr *nlh, const void *arg), const void *arg) {
        char buf[8192];
        struct mnl_nlmsg_batch *batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
        uint32_t seq = ++in->seq, portid = mnl_socket_get_portid(in->nl);
        struct nlmsghdr *nlh;
        ssize_t n;
        int r;

        put_hdr(mnl_nlmsg_batch_current(batch), NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, seq, NFNL_SUBSYS_NFTABLES);
        mnl_nlmsg_batch_next(batch);
        nlh = put_hdr(mnl_nlmsg_batch_current(batch), (NFNL_SUBSYS_NFTABLES << 8) | msg, flags | NLM_F_ACK,
                      NFPROTO_NETDEV, seq, 0);
        fill(nlh, arg);
        mnl_nlmsg_batch_next(batch);
        put_hdr(mnl_nlmsg_batch_current(batch), NFNL_MSG_BATCH_END, 0, AF_UNSPEC, seq, NFNL_SUBSYS_NFTABLES);
        mnl_nlmsg_batch_next(batch);
        n = mnl_socket_sendto(in->nl, mnl_nlmsg_batch_head(batch), mnl_nlmsg_batch_size(batch));
        mnl_nlmsg_batch_stop(batch);
        if (n < 0)
                return -errno;
        for (;;) {
                n = mnl_socket_recvfrom(in->nl, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                r = mnl_cb_run(buf, (size_t) n, seq, portid, NULL, NULL);
                if (r < 0)
                        return -errno;
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static void fill_table(struct nlmsghdr *nlh, const void *arg) {
        const struct bg_ingress *in = arg;

        mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, in->table);
        mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, htonl(NFT_TABLE_F_OWNER));
}

static void fill_set(struct nlmsghdr *nlh, const void *arg) {
        const struct bg_ingress *in = arg;

        mnl_attr_put_strz(nlh, NFTA_SET_TABLE, in->table);
        mnl_attr_put_strz(nlh, NFTA_SET_NAME, SET_RXOFF);
        mnl_attr_put_u32(nlh, NFTA_SET_KEY_LEN, htonl(sizeof(uint32_t)));   /* meta iif */
        mnl_attr_put_u32(nlh, NFTA_SET_ID, htonl(1));
}

struct elem_arg {
        const struct bg_ingress *in;
        uint32_t ifindex;
};

static void fill_elem(struct nlmsghdr *nlh, const void *arg) {
        const struct elem_arg *a = arg;
        struct nlattr *list, *elem, *key;

        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, a->in->table);
        mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, SET_RXOFF);
        list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
        elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
        mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(a->ifindex), &a->ifindex);   /* host order, as meta iif */
        mnl_attr_nest_end(nlh, key);
        mnl_attr_nest_end(nlh, elem);
        mnl_attr_nest_end(nlh, list);
}

struct chain_arg {
        const struct bg_ingress *in;
        const char *port;
        bool hook, egress;
};

static void fill_chain(struct nlmsghdr *nlh, const void *arg) {
        const struct chain_arg *a = arg;
        struct nlattr *nest;
        char name[32];

        snprintf(name, sizeof(name), "%s%s", a->port, a->egress ? "-out" : "");
        mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, a->in->table);
        mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, name);
        if (!a->hook)
                return;
        nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
        mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(a->egress ? NF_NETDEV_EGRESS : NF_NETDEV_INGRESS));
        mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl(0));
        mnl_attr_put_strz(nlh, NFTA_HOOK_DEV, a->port);
        mnl_attr_nest_end(nlh, nest);
        /* ingress: nothing passes; egress: the rule below decides */
        mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(a->egress ? NF_ACCEPT : NF_DROP));
        mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "filter");
}

static void put_expr_start(struct nlmsghdr *nlh, const char *name, struct nlattr **elem, struct nlattr **data) {
        *elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
        mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
        *data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
}

static void put_expr_end(struct nlmsghdr *nlh, struct nlattr *elem, struct nlattr *data) {
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, elem);
}

static void put_data(struct nlmsghdr *nlh, uint16_t type, const void *v, size_t len) {
        struct nlattr *n = mnl_attr_nest_start(nlh, type);

        mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
        mnl_attr_nest_end(nlh, n);
}

static void put_payload(struct nlmsghdr *nlh, uint32_t base, uint32_t off, uint32_t len) {
        struct nlattr *elem, *data;

        put_expr_start(nlh, "payload", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_PAYLOAD_DREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_PAYLOAD_BASE, htonl(base));
        mnl_attr_put_u32(nlh, NFTA_PAYLOAD_OFFSET, htonl(off));
        mnl_attr_put_u32(nlh, NFTA_PAYLOAD_LEN, htonl(len));
        put_expr_end(nlh, elem, data);
}

static void put_meta(struct nlmsghdr *nlh, uint32_t key) {
        struct nlattr *elem, *data;

        put_expr_start(nlh, "meta", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(key));
        mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG_1));
        put_expr_end(nlh, elem, data);
}

static void put_cmp(struct nlmsghdr *nlh, uint32_t op, const void *v, size_t len) {
        struct nlattr *elem, *data;

        put_expr_start(nlh, "cmp", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(op));
        put_data(nlh, NFTA_CMP_DATA, v, len);
        put_expr_end(nlh, elem, data);
}

static void put_verdict(struct nlmsghdr *nlh, uint32_t verdict) {
        struct nlattr *elem, *data, *n1, *n2;

        put_expr_start(nlh, "immediate", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
        n1 = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
        n2 = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
        mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl(verdict));
        mnl_attr_nest_end(nlh, n2);
        mnl_attr_nest_end(nlh, n1);
        put_expr_end(nlh, elem, data);
}

static const uint8_t ll_group[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
static const uint8_t ll_slow[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

/* 802.3ad: ether daddr 01:80:c2:00:00:02 meta protocol 0x8809
 * @nh,0,8 1-2 meta len >= 110 drop (what bond_3ad_lacpdu_recv() consumes
 * on every port). meta len is skb->len, here the bytes after the Ethernet
 * header, in host order: turned to network order for the compare, as nft
 * does for a range of a host-order value. */
static void fill_rule_lacp(struct nlmsghdr *nlh, const void *arg) {
        const struct chain_arg *a = arg;
        const uint8_t slow[2] = { 0x88, 0x09 }, lo = 1, hi = 2;   /* ETH_P_SLOW; LACP, marker */
        const uint32_t whole = htonl(BG_LACPDU_FRAME_LEN - 14);
        struct nlattr *list, *elem, *data;

        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, a->in->table);
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, a->port);
        list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
        put_payload(nlh, NFT_PAYLOAD_LL_HEADER, 0, 6);
        put_cmp(nlh, NFT_CMP_EQ, ll_slow, 6);
        put_meta(nlh, NFT_META_PROTOCOL);
        put_cmp(nlh, NFT_CMP_EQ, slow, 2);
        put_payload(nlh, NFT_PAYLOAD_NETWORK_HEADER, 0, 1);
        put_cmp(nlh, NFT_CMP_GTE, &lo, 1);
        put_cmp(nlh, NFT_CMP_LTE, &hi, 1);
        put_meta(nlh, NFT_META_LEN);
        put_expr_start(nlh, "byteorder", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_BYTEORDER_SREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_BYTEORDER_DREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_BYTEORDER_OP, htonl(NFT_BYTEORDER_HTON));
        mnl_attr_put_u32(nlh, NFTA_BYTEORDER_LEN, htonl(4));
        mnl_attr_put_u32(nlh, NFTA_BYTEORDER_SIZE, htonl(4));
        put_expr_end(nlh, elem, data);
        put_cmp(nlh, NFT_CMP_GTE, &whole, 4);
        put_verdict(nlh, NF_DROP);
        mnl_attr_nest_end(nlh, list);
}

/* ether daddr & ff:ff:ff:ff:ff:f0 == 01:80:c2:00:00:00: the IEEE 802.1D
 * link-local groups (is_link_local_ether_addr()) */
static void put_ll_group_match(struct nlmsghdr *nlh) {
        const uint8_t mask[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0 }, zero[6] = { 0 };
        struct nlattr *elem, *data;

        put_payload(nlh, NFT_PAYLOAD_LL_HEADER, 0, 6);
        put_expr_start(nlh, "bitwise", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_BITWISE_SREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_BITWISE_DREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_BITWISE_LEN, htonl(6));
        put_data(nlh, NFTA_BITWISE_MASK, mask, 6);
        put_data(nlh, NFTA_BITWISE_XOR, zero, 6);
        put_expr_end(nlh, elem, data);
        put_cmp(nlh, NFT_CMP_EQ, ll_group, 6);
}

/* ether daddr & ff:ff:ff:ff:ff:f0 == 01:80:c2:00:00:00 meta iif @rxoff accept */
static void fill_rule_ll(struct nlmsghdr *nlh, const void *arg) {
        const struct chain_arg *a = arg;
        struct nlattr *list, *elem, *data;

        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, a->in->table);
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, a->port);
        list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
        put_ll_group_match(nlh);
        put_meta(nlh, NFT_META_IIF);
        put_expr_start(nlh, "lookup", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_LOOKUP_SREG, htonl(NFT_REG_1));
        mnl_attr_put_strz(nlh, NFTA_LOOKUP_SET, SET_RXOFF);
        put_expr_end(nlh, elem, data);
        put_verdict(nlh, NF_ACCEPT);
        mnl_attr_nest_end(nlh, list);
}

/* egress rules:
 *   ether daddr & ff:ff:ff:ff:ff:f0 == 01:80:c2:00:00:00 accept
 *   meta mark != BG_PORT_MARK drop
 * The host stack's own frames (IPv6 autoconfiguration once someone
 * re-enables it, ARP) must not leave a port: from a backup port with the
 * bond MAC they would teach the switch to send the bond's traffic where it
 * is not received. Frames to an IEEE 802.1D link-local group are let out:
 * a kernel bond lets a program send on a port with a packet socket, and
 * lldpd, ladvd and 802.1X supplicants (EAPOL) do so to these groups, which
 * a switch never forwards or learns from and the host stack never sends
 * to by itself. */
static void fill_rule_out(struct nlmsghdr *nlh, const struct chain_arg *a, bool ll) {
        uint32_t mark = BG_PORT_MARK;   /* host order, as the register holds it */
        struct nlattr *list;
        char name[32];

        snprintf(name, sizeof(name), "%s-out", a->port);
        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, a->in->table);
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, name);
        list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
        if (ll) {
                put_ll_group_match(nlh);
                put_verdict(nlh, NF_ACCEPT);
        } else {
                put_meta(nlh, NFT_META_MARK);
                put_cmp(nlh, NFT_CMP_NEQ, &mark, sizeof(mark));
                put_verdict(nlh, NF_DROP);
        }
        mnl_attr_nest_end(nlh, list);
}

static void fill_rule_out_ll(struct nlmsghdr *nlh, const void *arg) {
        fill_rule_out(nlh, arg, true);
}

static void fill_rule_out_mark(struct nlmsghdr *nlh, const void *arg) {
        fill_rule_out(nlh, arg, false);
}

int bg_ingress_open(const char *bond, bool lacp, struct bg_ingress **out) {
        struct bg_ingress *in = calloc(1, sizeof(*in));
        int r;

        if (!in)
                return -ENOMEM;
        snprintf(in->table, sizeof(in->table), "bondgend-%s", bond);
        in->lacp = lacp;
        in->seq = (uint32_t) time(NULL);
        in->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!in->nl || mnl_socket_bind(in->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                bg_ingress_close(in);
                return r;
        }
        r = call(in, NFT_MSG_NEWTABLE, NLM_F_CREATE, fill_table, in);
        if (r >= 0)
                r = call(in, NFT_MSG_NEWSET, NLM_F_CREATE, fill_set, in);
        if (r < 0) {
                bg_ingress_close(in);
                return r;
        }
        *out = in;
        return 0;
}

static int pass_slot(struct bg_ingress *in, const char *port, bool add) {
        int free_ = -1;

        for (int i = 0; i < BG_FWD_MAX_PORTS; i++) {
                if (in->pass[i].name[0] && !strcmp(in->pass[i].name, port))
                        return i;
                if (!in->pass[i].name[0] && free_ < 0)
                        free_ = i;
        }
        if (add && free_ >= 0)
                snprintf(in->pass[free_].name, sizeof(in->pass[free_].name), "%s", port);
        return add ? free_ : -1;
}

int bg_ingress_link_local(struct bg_ingress *in, const char *port, int ifindex, bool pass) {
        int i, r = 0;

        if (!in)
                return -ENOTCONN;
        i = pass_slot(in, port, pass && ifindex > 0);
        if (i < 0)
                return pass && ifindex > 0 ? -E2BIG : 0;
        if (pass && ifindex > 0 && in->pass[i].ifindex == ifindex)
                return 0;
        /* one element in, or out: the rules stay as they are */
        if (in->pass[i].ifindex > 0)
                (void) call(in, NFT_MSG_DELSETELEM, 0, fill_elem,
                            &(struct elem_arg){ in, (uint32_t) in->pass[i].ifindex });
        in->pass[i].ifindex = 0;
        if (pass && ifindex > 0) {
                r = call(in, NFT_MSG_NEWSETELEM, NLM_F_CREATE, fill_elem, &(struct elem_arg){ in, (uint32_t) ifindex });
                if (r >= 0)
                        in->pass[i].ifindex = ifindex;
        }
        if (in->pass[i].ifindex <= 0)
                in->pass[i].name[0] = 0;
        return r < 0 ? r : 1;
}

int bg_ingress_drop(struct bg_ingress *in, const char *port, bool on) {
        struct chain_arg a = { in, port, on };

        if (!in)
                return -ENOTCONN;
        struct chain_arg e = { in, port, on, true };
        int r;

        /* chains left from the port's earlier life (its device was
         * deleted and came back) cannot be re-hooked: replace them */
        (void) call(in, NFT_MSG_DELCHAIN, 0, fill_chain, &(struct chain_arg){ in, port, false, true });
        (void) call(in, NFT_MSG_DELCHAIN, 0, fill_chain, &(struct chain_arg){ in, port, false, false });
        (void) bg_ingress_link_local(in, port, 0, false);
        if (!on)
                return 0;
        r = call(in, NFT_MSG_NEWCHAIN, NLM_F_CREATE, fill_chain, &a);
        if (r < 0)
                return r;
        /* the drop stays even if the exception cannot be made */
        if ((in->lacp && call(in, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule_lacp, &a) < 0) ||
            call(in, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule_ll, &a) < 0) {
                r = 1;
                (void) call(in, NFT_MSG_DELCHAIN, 0, fill_chain, &(struct chain_arg){ in, port, false, false });
                if (call(in, NFT_MSG_NEWCHAIN, NLM_F_CREATE, fill_chain, &a) < 0)
                        return -EIO;
        }
        /* the egress hook is newer (Linux 5.16): without it, ingress only;
         * the link-local exception first, then the drop (or no chain) */
        if (call(in, NFT_MSG_NEWCHAIN, NLM_F_CREATE, fill_chain, &e) == 0 &&
            (call(in, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule_out_ll, &e) < 0 ||
             call(in, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule_out_mark, &e) < 0))
                (void) call(in, NFT_MSG_DELCHAIN, 0, fill_chain, &(struct chain_arg){ in, port, false, true });
        return r;
}

void bg_ingress_close(struct bg_ingress *in) {
        if (!in)
                return;
        /* closing the owner socket removes the table and its chains */
        if (in->nl)
                mnl_socket_close(in->nl);
        free(in);
}
