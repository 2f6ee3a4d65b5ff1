/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rtnetlink socket: requests with acks (and extended acks), dumps. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink.h"
#include "util/array.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct bg_nl {
        struct mnl_socket *sk;
        uint32_t portid;
        uint32_t seq;
        char buf[BG_NL_BUFSIZE];
};

int bg_nl_open(struct bg_nl **out) {
        struct bg_nl *nl;
        int one = 1;

        nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sk) {
                int r = -errno;
                free(nl);
                return r;
        }
        /* Extended acks carry the kernel's own explanation and the offset of
         * the attribute it rejected; CAP_ACK keeps the ack small. Both are
         * best effort (older kernels lack them). */
        (void) mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
        (void) mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
        if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                mnl_socket_close(nl->sk);
                free(nl);
                return r;
        }
        nl->portid = mnl_socket_get_portid(nl->sk);
        nl->seq = (uint32_t) time(NULL);
        *out = nl;
        return 0;
}

void bg_nl_close(struct bg_nl *nl) {
        if (!nl)
                return;
        mnl_socket_close(nl->sk);
        free(nl);
}

uint32_t bg_nl_next_seq(struct bg_nl *nl) {
        return ++nl->seq;
}

static void parse_extack(const struct nlmsghdr *nlh, struct bg_nl_error *e) {
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *a;
        unsigned off;

        if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
                return;
        off = sizeof(*err);
        /* Without NLM_F_CAPPED the whole request is echoed first. */
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
                off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
        if (mnl_nlmsg_size(off) > nlh->nlmsg_len)
                return;
        mnl_attr_for_each(a, nlh, off) {
                switch (mnl_attr_get_type(a)) {
                case NLMSGERR_ATTR_MSG:
                        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
                                strncpy(e->msg, mnl_attr_get_str(a), sizeof(e->msg) - 1);
                                e->msg[sizeof(e->msg) - 1] = 0;
                        }
                        break;
                case NLMSGERR_ATTR_OFFS:
                        if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
                                e->offset = (int32_t) mnl_attr_get_u32(a);
                        break;
                default:
                        break;
                }
        }
}

/* One context for both the data callback and the error callback, since
 * mnl_cb_run2 hands both the same pointer. */
struct run_ctx {
        struct bg_nl_error *e;
        struct bg_nl_state *st;
        void *data;                 /* call_with()'s callback data */
        int r;                      /* first decoding error of a dump */
};

static int err_cb(const struct nlmsghdr *nlh, void *data) {
        struct run_ctx *c = data;
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
                c->e->error = -EBADMSG;
                return MNL_CB_ERROR;
        }
        c->e->error = err->error;
        parse_extack(nlh, c->e);
        return err->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

static int done_cb(const struct nlmsghdr *nlh, void *data) {
        return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data) {
        return MNL_CB_OK;
}

/* With a control array, libmnl (1.0.4) uses only it: DONE must be listed. */
static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
        [NLMSG_NOOP] = noop_cb,
        [NLMSG_ERROR] = err_cb,
        [NLMSG_DONE] = done_cb,
        [NLMSG_OVERRUN] = noop_cb,
};

static int run(struct bg_nl *nl, uint32_t seq, mnl_cb_t cb, struct run_ctx *c) {
        int r;

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sk, nl->buf, sizeof(nl->buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                r = mnl_cb_run2(nl->buf, (size_t) n, seq, nl->portid, cb, c,
                                ctl_cb, MNL_ARRAY_SIZE(ctl_cb));
                if (r == MNL_CB_STOP)
                        return c->e->error ? c->e->error : c->r;
                if (r < 0)
                        return c->e->error ? c->e->error : c->r ? c->r : -errno;
        }
}

int bg_nl_call(struct bg_nl *nl, struct nlmsghdr *req, struct bg_nl_error *e) {
        struct bg_nl_error dummy;
        struct run_ctx c = { 0 };

        if (!e)
                e = &dummy;
        memset(e, 0, sizeof(*e));
        e->offset = -1;
        c.e = e;
        req->nlmsg_seq = bg_nl_next_seq(nl);
        req->nlmsg_flags |= NLM_F_ACK;
        if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
                return e->error = -errno;
        return run(nl, req->nlmsg_seq, NULL, &c);
}

static int dump_cb(const struct nlmsghdr *nlh, void *data) {
        struct run_ctx *c = data;
        struct bg_nl_state *st = c->st;
        int r;

        switch (nlh->nlmsg_type) {
        case RTM_NEWLINK:
                if (!BG_NEW_SLOT(st->links, st->n_links))
                        goto oom;
                r = bg_nl_parse_link(nlh, &st->links[st->n_links]);
                if (r == 0)
                        st->n_links++;
                else if (!c->r && r != -EBADMSG)
                        c->r = r;
                break;
        case RTM_NEWADDR:
                if (!BG_NEW_SLOT(st->addrs, st->n_addrs))
                        goto oom;
                if (bg_nl_parse_addr(nlh, &st->addrs[st->n_addrs]) == 0)
                        st->n_addrs++;
                break;
        case RTM_NEWROUTE:
                if (!BG_NEW_SLOT(st->routes, st->n_routes))
                        goto oom;
                if (bg_nl_parse_route(nlh, &st->routes[st->n_routes]) == 0 &&
                    st->routes[st->n_routes].table == RT_TABLE_MAIN)
                        st->n_routes++;
                break;
        default:
                break;
        }
        return MNL_CB_OK;
oom:
        c->r = -ENOMEM;
        return MNL_CB_ERROR;
}

static int read_state_once(struct bg_nl *nl, struct bg_nl_state *out) {
        static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
        struct bg_nl_error e;
        struct nlmsghdr *req;
        int r;

        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < MNL_ARRAY_SIZE(types); i++) {
                struct run_ctx c = { .e = &e, .st = out };
                static char reqbuf[BG_NL_BUFSIZE];

                memset(&e, 0, sizeof(e));
                r = bg_nl_msg_dump(reqbuf, bg_nl_next_seq(nl), types[i], &req);
                if (r < 0)
                        goto fail;
                if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0) {
                        r = -errno;
                        goto fail;
                }
                r = run(nl, req->nlmsg_seq, dump_cb, &c);
                if (r < 0)
                        goto fail;
        }
        return 0;
fail:
        bg_nl_state_free(out);
        return r;
}

int bg_nl_read_state(struct bg_nl *nl, struct bg_nl_state *out) {
        int r;

        /* A dump that raced with a change ends with NLM_F_DUMP_INTR, which
         * libmnl reports as EINTR: the snapshot is inconsistent, take
         * another. */
        for (int tries = 0; tries < 5; tries++) {
                r = read_state_once(nl, out);
                if (r != -EINTR)
                        return r;
        }
        return r;
}

int bg_nl_reread_state(struct bg_nl *nl, struct bg_nl_state *st) {
        bg_nl_state_free(st);
        return bg_nl_read_state(nl, st);
}

int bg_nl_open_read_state(struct bg_nl **nl, struct bg_nl_state *out) {
        int r = bg_nl_open(nl);

        return r < 0 ? r : bg_nl_read_state(*nl, out);
}

int bg_nl_vlan_supported(struct bg_nl *nl) {
        static char buf[BG_NL_BUFSIZE];
        struct nlmsghdr *req;
        int r = bg_nl_msg_vlan_probe(buf, 0, &req);

        if (r < 0)
                return r;
        r = bg_nl_call(nl, req, NULL);
        if (r == -EOPNOTSUPP)
                return 0;
        if (r == -EPERM || r == -EACCES)
                return r;
        return 1;
}

struct link_ctx {
        struct bg_nl_link *out;
        bool found;
};

/* bg_nl_call() with a callback for the answer's data messages. */
static int call_with(struct bg_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data) {
        struct bg_nl_error e = { .offset = -1 };
        struct run_ctx c = { .e = &e, .data = data };

        req->nlmsg_flags |= NLM_F_ACK;
        if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
                return -errno;
        return run(nl, req->nlmsg_seq, cb, &c);
}

static int link_cb(const struct nlmsghdr *nlh, void *data) {
        struct run_ctx *c = data;
        struct link_ctx *q = c->data;
        int r;

        if (q->found || nlh->nlmsg_type != RTM_NEWLINK)
                return MNL_CB_OK;
        r = bg_nl_parse_link(nlh, q->out);
        q->found = r == 0;
        /* A malformed answer is "no such link"; running out of memory is not. */
        if (r < 0 && r != -EBADMSG && !c->r)
                c->r = r;
        return MNL_CB_OK;
}

int bg_nl_get_link(struct bg_nl *nl, int ifindex, const char *name, struct bg_nl_link *out) {
        struct link_ctx q = { .out = out };
        struct nlmsghdr *req;
        char reqbuf[BG_NL_BUFSIZE];
        int r;

        memset(out, 0, sizeof(*out));
        r = bg_nl_msg_getlink(reqbuf, bg_nl_next_seq(nl), ifindex, name, &req);
        if (r < 0)
                return r;
        r = call_with(nl, req, link_cb, &q);
        if (r < 0) {
                if (q.found)
                        bg_nl_link_clear(out);
                return r;
        }
        return q.found ? 0 : -ENODEV;
}

struct stats_ctx {
        struct bg_nl_3ad_stats *out;
        int r;
        bool found;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data) {
        struct run_ctx *c = data;
        struct stats_ctx *q = c->data;

        if (q->found || nlh->nlmsg_type != RTM_NEWSTATS)
                return MNL_CB_OK;
        q->r = bg_nl_parse_port_stats(nlh, q->out);
        q->found = true;
        return MNL_CB_OK;
}

int bg_nl_get_port_stats(struct bg_nl *nl, int ifindex, struct bg_nl_3ad_stats *out) {
        struct stats_ctx q = { .out = out };
        struct nlmsghdr *req;
        char reqbuf[BG_NL_BUFSIZE];
        int r;

        memset(out, 0, sizeof(*out));
        r = bg_nl_msg_get_port_stats(reqbuf, bg_nl_next_seq(nl), ifindex, &req);
        if (r < 0)
                return r;
        r = call_with(nl, req, stats_cb, &q);
        if (r < 0)
                return r;
        return q.found ? q.r : -ENODATA;
}

int bg_nl_get_addrs(struct bg_nl *nl, int ifindex, struct bg_nl_addr **out, size_t *n) {
        struct bg_nl_state st = { 0 };
        struct nlmsghdr *req;
        char reqbuf[BG_NL_BUFSIZE];
        size_t k = 0;
        int r;

        *out = NULL;
        *n = 0;
        r = bg_nl_msg_dump(reqbuf, bg_nl_next_seq(nl), RTM_GETADDR, &req);
        if (r < 0)
                return r;
        for (int tries = 0; tries < 5; tries++) {
                struct bg_nl_error e = { .offset = -1 };
                struct run_ctx c = { .e = &e, .st = &st };

                bg_nl_state_free(&st);
                req->nlmsg_seq = bg_nl_next_seq(nl);
                if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
                        return -errno;
                r = run(nl, req->nlmsg_seq, dump_cb, &c);
                if (r != -EINTR)        /* a dump that raced with a change: again */
                        break;
        }
        if (r < 0) {
                bg_nl_state_free(&st);
                return r;
        }
        for (size_t i = 0; i < st.n_addrs; i++)
                if (ifindex <= 0 || st.addrs[i].ifindex == ifindex)
                        st.addrs[k++] = st.addrs[i];
        *out = st.addrs;
        *n = k;
        st.addrs = NULL;
        bg_nl_state_free(&st);
        return 0;
}

int bg_nl_open_events(struct bg_nl **out) {
        struct bg_nl *nl;
        int r;

        nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (!nl->sk) {
                r = -errno;
                free(nl);
                return r;
        }
        if (mnl_socket_bind(nl->sk, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
                            MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                mnl_socket_close(nl->sk);
                free(nl);
                return r;
        }
        /* A burst of events must not silently drop carrier changes; forcing
         * the size needs CAP_NET_ADMIN, so this is best effort. */
        (void) setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 1 << 20 },
                          sizeof(int));
        nl->portid = mnl_socket_get_portid(nl->sk);
        *out = nl;
        return 0;
}

int bg_nl_fd(const struct bg_nl *nl) {
        return mnl_socket_get_fd(nl->sk);
}

struct event_ctx {
        bg_nl_event_fn fn;
        void *userdata;
};

static int event_cb(const struct nlmsghdr *nlh, void *data) {
        struct event_ctx *e = data;

        e->fn(nlh, e->userdata);
        return MNL_CB_OK;
}

int bg_nl_read_events(struct bg_nl *nl, bg_nl_event_fn fn, void *userdata) {
        struct event_ctx e = { .fn = fn, .userdata = userdata };
        /* A buffer of this call's own: a callback may read the events
         * that followed (bondgend does, enslaving a port that appeared),
         * and must not overwrite the datagram still being walked here. */
        char buf[BG_NL_BUFSIZE];
        ssize_t n;

        n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
        if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
        /* Multicast: no sequence number or port id to match. */
        (void) mnl_cb_run(buf, (size_t) n, 0, 0, event_cb, &e);
        return 1;
}

const char *bg_nl_errno_hint(int error, bool for_create) {
        switch (-error) {
        case EOPNOTSUPP:
                return for_create ? "the kernel has no bonding driver (module bonding not available)"
                                  : "the kernel does not support this";
        case EPERM:
                return "not permitted (needs CAP_NET_ADMIN, or the option needs miimon set)";
        case EEXIST:
                return "an interface with this name already exists";
        case ENODEV:
                return "no such interface";
        case EBUSY:
                return "the option can be changed only while the bond is down";
        case ENOTEMPTY:
                return "the option can be changed only while the bond has no ports";
        case EACCES:
                return "the option is not supported in the bond's mode";
        case EINVAL:
                return "the kernel rejected the value";
        default:
                return NULL;
        }
}
