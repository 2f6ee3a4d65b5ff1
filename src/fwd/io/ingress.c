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

struct bg_ingress {
        struct mnl_socket *nl;
        uint32_t seq;
        char table[64];
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

/* egress rule: meta mark != BG_PORT_MARK drop. The host stack's own
 * frames (IPv6 autoconfiguration once someone re-enables it, ARP) must not
 * leave a port either: from a backup port with the bond MAC they would
 * teach the switch to send the bond's traffic where it is not received. */
static void fill_rule(struct nlmsghdr *nlh, const void *arg) {
        const struct chain_arg *a = arg;
        struct nlattr *list, *elem, *data, *n1, *n2;
        uint32_t mark = BG_PORT_MARK;
        char name[32];

        snprintf(name, sizeof(name), "%s-out", a->port);
        mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, a->in->table);
        mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, name);
        list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
        put_expr_start(nlh, "meta", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(NFT_META_MARK));
        mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG_1));
        put_expr_end(nlh, elem, data);
        put_expr_start(nlh, "cmp", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG_1));
        mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(NFT_CMP_NEQ));
        n1 = mnl_attr_nest_start(nlh, NFTA_CMP_DATA);
        mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(mark), &mark);   /* host order, as the register holds it */
        mnl_attr_nest_end(nlh, n1);
        put_expr_end(nlh, elem, data);
        put_expr_start(nlh, "immediate", &elem, &data);
        mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
        n1 = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
        n2 = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
        mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl(NF_DROP));
        mnl_attr_nest_end(nlh, n2);
        mnl_attr_nest_end(nlh, n1);
        put_expr_end(nlh, elem, data);
        mnl_attr_nest_end(nlh, list);
}

int bg_ingress_open(const char *bond, struct bg_ingress **out) {
        struct bg_ingress *in = calloc(1, sizeof(*in));
        int r;

        if (!in)
                return -ENOMEM;
        snprintf(in->table, sizeof(in->table), "bondgend-%s", bond);
        in->seq = (uint32_t) time(NULL);
        in->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!in->nl || mnl_socket_bind(in->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                bg_ingress_close(in);
                return r;
        }
        r = call(in, NFT_MSG_NEWTABLE, NLM_F_CREATE, fill_table, in);
        if (r < 0) {
                bg_ingress_close(in);
                return r;
        }
        *out = in;
        return 0;
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
        if (!on)
                return 0;
        r = call(in, NFT_MSG_NEWCHAIN, NLM_F_CREATE, fill_chain, &a);
        if (r < 0)
                return r;
        /* the egress hook is newer (Linux 5.16): without it, ingress only */
        if (call(in, NFT_MSG_NEWCHAIN, NLM_F_CREATE, fill_chain, &e) == 0 &&
            call(in, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, fill_rule, &e) < 0)
                (void) call(in, NFT_MSG_DELCHAIN, 0, fill_chain, &(struct chain_arg){ in, port, false, true });
        return 0;
}

void bg_ingress_close(struct bg_ingress *in) {
        if (!in)
                return;
        /* closing the owner socket removes the table and its chains */
        if (in->nl)
                mnl_socket_close(in->nl);
        free(in);
}
