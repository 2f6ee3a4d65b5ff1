/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The data path between the TAP and the ports, on the sd-event loop thread.
 *
 * TAP -> ports: a batch of up to BG_BATCH reads from the TAP (tapio.c: one
 * io_uring_enter() for the batch where io_uring is available, else one
 * read() each until EAGAIN), the mode picks the port(s), and each port's
 * frames leave in one sendmmsg(). Ports -> TAP: the port's receive ring
 * (port.c; TPACKET_V3 blocks, read in place with no system call, one
 * wake-up per block) or, where the kernel gave no ring, one recvmmsg() of
 * up to BG_BATCH frames; the mode's rx hook and the rx-disabled rule
 * decide, and the accepted frames are written to the TAP in batches of up
 * to BG_BATCH. A full batch
 * means more is waiting: up to BG_DP_ROUNDS batches are taken per
 * wake-up, which saves the wait for readiness between them without
 * starving the other sources of the loop.
 * Frames keep their virtio-net header end to end (tap.c, port.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <unistd.h>

#include "fwd/io/dp.h"
#include "fwd/io/tapio.h"

#define VH sizeof(struct virtio_net_hdr)
#define HEADROOM 64
#define BG_DP_ROUNDS 8


struct bg_dp {
        uint8_t *txbuf, *rxbuf;
        struct mmsghdr rx_msgs[BG_BATCH];
        struct iovec rx_iov[BG_BATCH];
        struct sockaddr_ll rx_addr[BG_BATCH];
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        } rx_ctl[BG_BATCH];
        struct bg_fwd_port *txq[BG_FWD_MAX_PORTS];
        size_t n_txq;
        struct bg_tapio *tio;
        struct iovec tap_iov[BG_BATCH];   /* reads: the slots of txbuf; writes: frames of rxbuf */
        int tap_res[BG_BATCH];
};

#define now_usec bg_dp_now_usec

int bg_dp_init(struct bg_core *c) {
        struct bg_dp *d = calloc(1, sizeof(*d));

        if (!d)
                return -ENOMEM;
        c->dp = d;
        d->txbuf = malloc((size_t) BG_BATCH * BG_SLOT);
        d->rxbuf = malloc((size_t) BG_BATCH * BG_SLOT);
        if (!d->txbuf || !d->rxbuf || bg_tapio_new(BG_BATCH, &d->tio) < 0)
                return -ENOMEM;
        for (unsigned i = 0; i < BG_BATCH; i++) {
                d->rx_iov[i] = (struct iovec){ d->rxbuf + (size_t) i * BG_SLOT + HEADROOM, BG_SLOT - HEADROOM };
                d->rx_msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &d->rx_iov[i], .msg_iovlen = 1,
                                                         .msg_name = &d->rx_addr[i],
                                                         .msg_namelen = sizeof(d->rx_addr[i]) };
        }
        return 0;
}

void bg_dp_free(struct bg_core *c) {
        if (!c->dp)
                return;
        free(c->dp->txbuf);
        free(c->dp->rxbuf);
        bg_tapio_free(c->dp->tio);
        free(c->dp);
        c->dp = NULL;
}

bool bg_dp_batched(const struct bg_core *c) {
        return c->dp && bg_tapio_batched(c->dp->tio);
}

void bg_dp_port_forget(struct bg_core *c, struct bg_fwd_port *p) {
        struct bg_dp *d = c->dp;
        struct bg_port_io *io = p->core;
        size_t k = 0;

        if (!io->queued)
                return;
        for (size_t i = 0; i < d->n_txq; i++)
                if (d->txq[i] != p)
                        d->txq[k++] = d->txq[i];
        d->n_txq = k;
}

int bg_dp_send(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr) {
        uint8_t buf[VH + 2048];
        ssize_t n;

        if (p->fd < 0)
                return -ENOTCONN;
        if (fr->len > sizeof(buf) - VH)
                return -EMSGSIZE;
        memcpy(buf, &fr->vh, VH);
        memcpy(buf + VH, fr->data, fr->len);
        n = send(p->fd, buf, VH + fr->len, MSG_DONTWAIT);
        if (n < 0) {
                p->stats.tx_errors++;
                return -errno;
        }
        p->stats.tx_packets++;
        p->stats.tx_bytes += fr->len;
        p->last_tx = b->now;
        return 0;
}


/* ---- transmit: TAP -> ports ---- */

static int port_sendmmsg(void *ctx, struct mmsghdr *msgs, unsigned n) {
        int r = sendmmsg(*(int *) ctx, msgs, n, MSG_DONTWAIT);

        return r < 0 ? -errno : r;
}

static void flush_port(struct bg_core *c, struct bg_fwd_port *p) {
        struct bg_port_io *io = p->core;
        struct bg_txb_result res = {};

        bg_txb_flush(&io->txb, port_sendmmsg, &p->fd, &res);
        p->stats.tx_packets += res.sent;
        p->stats.tx_bytes += res.bytes - (uint64_t) res.sent * VH;
        p->stats.tx_errors += res.dropped;
        if (res.sent)
                p->last_tx = c->bond.now;
}

static void queue_frame(struct bg_core *c, struct bg_fwd_port *p, uint8_t *base, size_t len) {
        struct bg_port_io *io = p->core;

        if (p->fd < 0)
                return;
        if (bg_txb_full(&io->txb))
                flush_port(c, p);
        bg_txb_add(&io->txb, base, len);
        if (!io->queued) {
                io->queued = true;
                c->dp->txq[c->dp->n_txq++] = p;
        }
}

static void flush_ports(struct bg_core *c) {
        for (size_t i = 0; i < c->dp->n_txq; i++) {
                flush_port(c, c->dp->txq[i]);
                ((struct bg_port_io *) c->dp->txq[i]->core)->queued = false;
        }
        c->dp->n_txq = 0;
}

/* Frame i of a batch read from the TAP (n bytes with the virtio-net
 * header, in slot i of txbuf): to the port(s) the mode picks. */
struct tap_ctx {
        struct bg_core *c;
        const struct bg_fwd_vlan *v;   /* NULL: the bond's own TAP */
};

static void tap_frame(void *ctx, unsigned i, size_t n) {
        struct tap_ctx *t = ctx;
        struct bg_core *c = t->c;
        struct bg_fwd *b = &c->bond;
        uint8_t *slot = c->dp->txbuf + (size_t) i * BG_SLOT;
        struct bg_fwd_port *out[BG_FWD_MAX_PORTS];
        struct bg_fwd_frame fr;
        int k;

        if (n < VH + 14)
                return;
        memcpy(&fr.vh, slot + HEADROOM, VH);
        fr.data = slot + HEADROOM + VH;
        fr.len = n - VH;
        fr.cap = BG_SLOT - HEADROOM - VH;
        if (t->v && bg_fwd_vlan_tag(t->v, &fr) < 0)
                return;
        k = b->ops->select_tx(b, &fr, out, BG_FWD_MAX_PORTS);
        if (k <= 0)
                return;
        /* the mode may have pushed or pulled header bytes */
        memcpy(fr.data - VH, &fr.vh, VH);
        for (int j = 0; j < k; j++)
                queue_frame(c, out[j], fr.data - VH, fr.len + VH);
}

/* A batch of frames from the bond's TAP or one of its VLAN devices. */
static int on_tap(sd_event_source *s, int fd, struct bg_core *c, const struct bg_fwd_vlan *v) {
        struct bg_dp *d = c->dp;
        struct tap_ctx t = { c, v };

        c->bond.now = now_usec();
        for (unsigned round = 0; round < BG_DP_ROUNDS; round++) {
                unsigned n, got;
                int e;

                for (unsigned i = 0; i < BG_BATCH; i++)
                        d->tap_iov[i] = (struct iovec){ d->txbuf + (size_t) i * BG_SLOT + HEADROOM,
                                                        BG_SLOT - HEADROOM };
                n = bg_tapio_read(d->tio, fd, d->tap_iov, BG_BATCH, d->tap_res);
                got = bg_rxb_scan(d->tap_res, n, tap_frame, &t, &e);
                /* the slots are read into again: their frames leave first */
                flush_ports(c);
                if (e) {
                        bg_core_log(c, LOG_ERR, "reading the TAP%s%s: %s", v ? " of " : "", v ? v->name : "",
                                    strerror(e));
                        if (v && (e == EBADFD || e == EIO || e == ENXIO)) {
                                /* a VLAN device deleted under us: its
                                 * link event forgets it (vtap.c) */
                                sd_event_source_set_enabled(s, SD_EVENT_OFF);
                        } else if (e == EBADFD || e == EIO || e == ENXIO) {
                                /* The device is gone (deleted under us): the
                                 * fd stays readable forever, so stop polling
                                 * it and end the daemon now, as the link
                                 * event for the deletion would (exit 3). */
                                sd_event_source_set_enabled(s, SD_EVENT_OFF);
                                sd_event_exit(c->ev, 3);
                        }
                        break;
                }
                if (got < BG_BATCH)
                        break;
        }
        return 0;
}

int bg_dp_on_tap(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        return on_tap(s, fd, userdata, NULL);
}

int bg_dp_on_vtap(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_fwd_vlan *v = userdata;

        return on_tap(s, fd, bg_core_of_vlan(v), v);
}

/* ---- receive: ports -> TAP ---- */

/* The kernel takes a received frame's 802.1Q tag out of the data (the
 * device or the stack's skb_vlan_untag() does) and AF_PACKET reports it
 * beside the frame; the bond device must see the frame as it was on the
 * wire, else tagged traffic lands on the untagged network. */
static void rx_vlan(struct msghdr *m, struct bg_fwd_frame *fr) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
                struct tpacket_auxdata aux;
                if (cm->cmsg_level != SOL_PACKET || cm->cmsg_type != PACKET_AUXDATA ||
                    cm->cmsg_len < CMSG_LEN(sizeof(aux)))
                        continue;
                memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
                if (aux.tp_status & TP_STATUS_VLAN_VALID)
                        (void) bg_vlan_insert(&fr->data, &fr->len, &fr->vh,
                                              aux.tp_status & TP_STATUS_VLAN_TPID_VALID ? aux.tp_vlan_tpid : 0,
                                              aux.tp_vlan_tci);
                return;
        }
}

/* One frame received on p, its VLAN tag back in place (fr: data and
 * virtio-net header, with room for the header before data): whether it
 * goes up the bond; if so *out is what to write to the TAP. */
static bool port_rx(struct bg_core *c, struct bg_fwd_port *p, struct bg_fwd_frame *frp, struct iovec *out) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_frame fr = *frp;
        enum bg_fwd_rx verdict = BG_FWD_RX_PASS;
        struct bg_fwd_vlan *v;

        p->stats.rx_packets++;
        p->stats.rx_bytes += fr.len;
        if (b->p.arp_interval)
                bg_fwd_mon_rx(b, p, fr.data, fr.len);
        if (b->ops->rx)
                verdict = b->ops->rx(b, p, &fr);
        if (verdict == BG_FWD_RX_DROP || verdict == BG_FWD_RX_CONSUMED)
                return false;
        /* On an rx-disabled port the kernel passes link-local frames
         * up on the port itself: here the host stack sees them there
         * anyway, beside our socket. */
        if (verdict == BG_FWD_RX_PASS && p->rx_disabled) {
                p->stats.rx_dropped++;
                return false;
        }
        /* A frame of one of bondgend's own VLAN devices goes there,
         * untagged; anything else to the bond, as it was on the wire. */
        v = bg_fwd_vlan_demux(b, &fr);
        /* What a NIC carrying the device's MAC would filter, and our own
         * frames reflected by the partner (a bridge floods our
         * broadcasts back on the other ports), which count as dropped. */
        if (!bg_fwd_vlan_accepts(b, v, &fr)) {
                if (!memcmp(fr.data + 6, v ? v->mac : b->mac, 6))
                        p->stats.rx_dropped++;
                return false;
        }
        memcpy(fr.data - VH, &fr.vh, VH);
        *out = (struct iovec){ fr.data - VH, fr.len + VH };
        if (v) {
                /* one write each: frames of the VLANs are not batched */
                if (v->fd >= 0 && write(v->fd, out->iov_base, out->iov_len) < 0 && errno != EAGAIN)
                        bg_core_log(c, LOG_DEBUG, "writing to %s: %m", v->name);
                return false;
        }
        return true;
}

/* One frame of a recvmmsg() batch (buf: virtio-net header and data, as
 * the socket gave them). */
static bool port_frame(struct bg_core *c, struct bg_fwd_port *p, struct mmsghdr *m, const struct sockaddr_ll *from,
                       uint8_t *buf, struct iovec *out) {
        size_t len = m->msg_len;
        struct bg_fwd_frame fr;

        if ((m->msg_hdr.msg_flags & MSG_TRUNC) || len < VH + 14) {
                p->stats.rx_dropped++;
                return false;
        }
        if (from->sll_pkttype == PACKET_OUTGOING)
                return false;
        memcpy(&fr.vh, buf, VH);
        fr.data = buf + VH;
        fr.len = len - VH;
        fr.cap = BG_SLOT - HEADROOM - VH;
        rx_vlan(&m->msg_hdr, &fr);
        return port_rx(c, p, &fr, out);
}

/* The frames accepted so far go to the TAP as one batch. */
static void tap_write_batch(struct bg_core *c, unsigned n) {
        struct bg_dp *d = c->dp;

        if (!n)
                return;
        bg_tapio_write(d->tio, c->bond.tap_fd, d->tap_iov, n, d->tap_res);
        for (unsigned i = 0; i < n; i++)
                if (d->tap_res[i] < 0 && d->tap_res[i] != -EAGAIN) {
                        bg_core_log(c, LOG_DEBUG, "writing to the TAP: %s", strerror(-d->tap_res[i]));
                        break;
                }
}

/* ---- receive through the port's ring (TPACKET_V3 blocks) ---- */

/* Bytes a ring frame needs before its data: its virtio-net header, a VLAN
 * tag put back, and the room struct bg_fwd_frame promises the modes. */
#define RING_ROOM (VH + 4 + BG_FWD_HEADROOM)

struct ring_ctx {
        struct bg_core *c;
        struct bg_fwd_port *p;
        unsigned nw;       /* frames of d->tap_iov waiting to be written */
};

static void ring_flush(void *ctx) {
        struct ring_ctx *rc = ctx;

        tap_write_batch(rc->c, rc->nw);
        rc->nw = 0;
}

/* The frame is modified in place in the ring (the VLAN tag, the header
 * before it): the block is ours until it is handed back, after the TAP
 * writes of its frames (ring_flush). */
static void ring_frame(void *ctx, struct bg_rxring_frame *f) {
        struct ring_ctx *rc = ctx;
        struct bg_fwd_port *p = rc->p;
        struct bg_fwd_frame fr;

        if (f->pkttype == PACKET_OUTGOING)
                return;
        if (bg_rxring_frame_cut(f) || f->len < 14 || f->room < RING_ROOM) {
                p->stats.rx_dropped++;
                return;
        }
        memcpy(&fr.vh, f->data - VH, VH);
        fr.data = f->data;
        fr.len = f->len;
        if (f->status & TP_STATUS_VLAN_VALID)
                (void) bg_vlan_insert(&fr.data, &fr.len, &fr.vh,
                                      f->status & TP_STATUS_VLAN_TPID_VALID ? f->vlan_tpid : 0, f->vlan_tci);
        fr.cap = fr.len;   /* the next frame of the block follows */
        if (port_rx(rc->c, p, &fr, &rc->c->dp->tap_iov[rc->nw]) && ++rc->nw == BG_BATCH)
                ring_flush(rc);
}

/* Blocks read per wake-up: the rest waits for the next turn of the loop,
 * so that the TAP and the timers are served in between. */
#define RING_BLOCKS_PER_WAKE 4

/* TPACKET_V2: up to BG_DP_ROUNDS batches of BG_BATCH slots per wake-up,
 * each handed back once its frames are written to the TAP. A slot marked
 * TP_STATUS_COPY holds the cut head of a frame longer than the slot; the
 * whole frame is next in the socket's queue (tpacket_rcv()), read here in
 * its turn so that the frames keep their order. */
static void on_port_ring2(struct bg_core *c, struct bg_fwd_port *p, struct bg_port_io *io) {
        struct bg_dp *d = c->dp;
        struct bg_rxring_frame f[BG_BATCH];
        struct ring_ctx rc = { c, p, 0 };

        for (unsigned round = 0; round < BG_DP_ROUNDS; round++) {
                unsigned n = bg_rxring2_peek(&io->ring2, f, BG_BATCH), k = 0;

                for (unsigned i = 0; i < n; i++) {
                        struct mmsghdr *m = &d->rx_msgs[k];
                        uint8_t *buf;
                        ssize_t len;

                        if (!(f[i].status & TP_STATUS_COPY)) {
                                ring_frame(&rc, &f[i]);
                                continue;
                        }
                        buf = d->rxbuf + (size_t) k * BG_SLOT + HEADROOM;
                        m->msg_hdr.msg_namelen = sizeof(d->rx_addr[k]);
                        m->msg_hdr.msg_flags = 0;
                        m->msg_hdr.msg_control = d->rx_ctl[k].buf;
                        m->msg_hdr.msg_controllen = sizeof(d->rx_ctl[k].buf);
                        len = recvmsg(p->fd, &m->msg_hdr, MSG_DONTWAIT);
                        if (len < 0) {
                                p->stats.rx_dropped++;
                                continue;
                        }
                        m->msg_len = (unsigned) len;
                        if (port_frame(c, p, m, &d->rx_addr[k], buf, &d->tap_iov[rc.nw])) {
                                k++;
                                rc.nw++;
                        }
                }
                ring_flush(&rc);
                bg_rxring2_release(&io->ring2, n);
                if (n < BG_BATCH)
                        break;
        }
}

static void on_port_ring(struct bg_core *c, struct bg_fwd_port *p, struct bg_port_io *io) {
        struct ring_ctx rc = { c, p, 0 };
        unsigned bad = 0;

        for (unsigned i = 0; i < RING_BLOCKS_PER_WAKE; i++)
                if (bg_rxring_block(&io->ring, ring_frame, ring_flush, &rc, &bad) < 0)
                        break;
        if (bad)
                bg_core_log(c, LOG_WARNING, "receiving on %s: a ring block with a malformed frame header", p->name);
}

/* Up to BG_DP_ROUNDS recvmmsg() batches; 0 once the socket is empty. */
static int on_port_recvmmsg(struct bg_core *c, struct bg_fwd_port *p, int fd) {
        struct bg_dp *d = c->dp;

        for (unsigned round = 0; round < BG_DP_ROUNDS; round++) {
                unsigned nw = 0;
                int n;

                for (unsigned i = 0; i < BG_BATCH; i++) {
                        d->rx_msgs[i].msg_hdr.msg_namelen = sizeof(d->rx_addr[i]);
                        d->rx_msgs[i].msg_hdr.msg_flags = 0;
                        d->rx_msgs[i].msg_hdr.msg_control = d->rx_ctl[i].buf;
                        d->rx_msgs[i].msg_hdr.msg_controllen = sizeof(d->rx_ctl[i].buf);
                }
                n = recvmmsg(fd, d->rx_msgs, BG_BATCH, MSG_DONTWAIT, NULL);
                if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ENETDOWN)
                                bg_core_log(c, LOG_WARNING, "receiving on %s: %m", p->name);
                        return errno == EINTR ? 1 : 0;
                }
                for (int i = 0; i < n; i++) {
                        uint8_t *buf = d->rxbuf + (size_t) i * BG_SLOT + HEADROOM;
                        if (port_frame(c, p, &d->rx_msgs[i], &d->rx_addr[i], buf, &d->tap_iov[nw]))
                                nw++;
                }
                tap_write_batch(c, nw);
                if (n < BG_BATCH)
                        return 0;
        }
        return 1;
}

int bg_dp_on_port(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_fwd_port *p = userdata;
        struct bg_core *c = p->core ? ((struct bg_dp_port *) p->core)->core : NULL;
        struct bg_port_io *io;

        if (!c)
                return 0;
        c->bond.now = now_usec();
        if (revents & EPOLLERR) {
                /* The port went down (af_packet.c: packet_notifier() sets
                 * ENETDOWN): reading the error clears it, which recvmmsg()
                 * does but the ring never would, and epoll would report
                 * it again on every turn of the loop. */
                int e = 0;
                socklen_t l = sizeof(e);
                (void) getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
        }
        io = p->core;
        if (io->drain) {
                /* a socket handed over: what queued on it meanwhile, then
                 * its ring (making one drops what is queued) */
                if (on_port_recvmmsg(c, p, fd) == 0) {
                        io->drain = false;
                        bg_port_ring_attach(io, fd);
                }
                return 0;
        }
        if (io->ring2.map)
                on_port_ring2(c, p, io);
        else if (io->ring.map)
                on_port_ring(c, p, io);
        else
                (void) on_port_recvmmsg(c, p, fd);
        return 0;
}
