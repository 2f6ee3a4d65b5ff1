/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A running bond handed from one bondgend to the next (bondgend(8),
 * HANDOVER): the bondgend started in the initramfs to the real root's
 * bondgend@BOND.service, or any second start for a bond that one already
 * serves.
 *
 * The new one finds the instance lock held and sends "handover" on the
 * control socket. The running one answers "ok" with its TAP, its ports'
 * AF_PACKET sockets and its VLAN devices as file descriptors (SCM_RIGHTS,
 * one line each: logic/handover.c), stops reading them, and exits without
 * giving the ports back, deleting a device or removing its state file; the
 * lock goes with it. The new one takes the lock (a bounded wait), reads
 * the state file for how the ports were found before any bondgend touched
 * them (it does not "restore" them: they stay set up), and enslaves them
 * on the sockets it was given. Frames that arrive meanwhile wait in those
 * sockets' and the TAP's queues; the bond device, its carrier and what is
 * stacked on it never go away.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "fwd/io/core-int.h"
#include "fwd/io/dp.h"
#include "fwd/io/rundir.h"
#include "fwd/logic/handover.h"

/* How long the new one waits for the old one to let go of the lock: the
 * old one's stop without port restore takes milliseconds. */
#define HANDOVER_LOCK_WAIT_MS 5000
#define HANDOVER_ANSWER_TIMEOUT_S 3

/* ---- the running bondgend: give ---- */

int bg_core_handover_give(struct bg_core *c, int fd, pid_t peer, char *err, size_t errlen) {
        struct bg_fwd *b = &c->bond;
        struct bg_handover_fd list[BG_HANDOVER_MAX_FDS];
        int fds[BG_HANDOVER_MAX_FDS];
        char body[BG_HANDOVER_MAX_FDS * 24 + 4] = "ok\n";
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(fds))];
        } cm = {};
        struct iovec iov;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf };
        size_t n = 0;
        ssize_t sent;
        int r;

        if (b->tap_fd < 0) {
                snprintf(err, errlen, "no bond device to hand over");
                return -EBADF;
        }
        list[n] = (struct bg_handover_fd) { .kind = BG_HO_TAP };
        snprintf(list[n].name, sizeof(list[n].name), "%s", b->name);
        fds[n++] = b->tap_fd;
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i]->fd >= 0) {
                        list[n] = (struct bg_handover_fd) { .kind = BG_HO_PORT };
                        snprintf(list[n].name, sizeof(list[n].name), "%s", b->ports[i]->name);
                        fds[n++] = b->ports[i]->fd;
                }
        for (size_t i = 0; i < b->n_vlans; i++)
                if (b->vlans[i]->fd >= 0) {
                        list[n] = (struct bg_handover_fd) { .kind = BG_HO_VTAP };
                        snprintf(list[n].name, sizeof(list[n].name), "%s", b->vlans[i]->name);
                        fds[n++] = b->vlans[i]->fd;
                }
        r = bg_handover_format(list, n, body + 3, sizeof(body) - 3);
        if (r < 0) {
                snprintf(err, errlen, "cannot describe the descriptors: %s", strerror(-r));
                return r;
        }
        /* The devices outlive this process whatever becomes of the next
         * one: with a service manager's fd store, they would go with this
         * unit's store when it stops. */
        (void) bg_tap_set_persist(b->tap_fd, true);
        for (size_t i = 0; i < b->n_vlans; i++)
                if (b->vlans[i]->fd >= 0)
                        (void) bg_tap_set_persist(b->vlans[i]->fd, true);
        /* A port socket goes over without its receive ring: the next
         * bondgend makes its own (bg_port_ring_attach()), and until then
         * frames wait in the socket's queue. What the ring has handed
         * over is forwarded first; a TPACKET_V3 block still being filled
         * is lost with the ring. Should the sending fail, this one goes
         * on with recvmmsg(). */
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i]->fd >= 0) {
                        (void) bg_dp_on_port(NULL, b->ports[i]->fd, 0, b->ports[i]);
                        bg_port_ring_detach(&((struct bg_dp_port *) b->ports[i]->core)->io, b->ports[i]->fd);
                }
        iov = (struct iovec) { .iov_base = body, .iov_len = strlen(body) };
        mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
        cm.h.cmsg_level = SOL_SOCKET;
        cm.h.cmsg_type = SCM_RIGHTS;
        cm.h.cmsg_len = CMSG_LEN(n * sizeof(int));
        memcpy(CMSG_DATA(&cm.h), fds, n * sizeof(int));
        do
                sent = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (sent < 0 && errno == EINTR);
        if (sent != (ssize_t) iov.iov_len) {
                r = sent < 0 ? -errno : -EMSGSIZE;
                (void) bg_tap_set_persist(b->tap_fd, !c->fdstore);
                for (size_t i = 0; i < b->n_vlans; i++)
                        if (b->vlans[i]->fd >= 0)
                                (void) bg_tap_set_persist(b->vlans[i]->fd, !c->fdstore);
                snprintf(err, errlen, "cannot send the descriptors: %s", strerror(-r));
                return r;
        }
        /* From here on the next one drives the bond: stop reading at once,
         * and stop without undoing anything (bg_core_free()). */
        c->handed_over = true;
        bg_core_log(c, LOG_NOTICE, "handed the bond (device, %zu port(s), %zu VLAN device(s)) over to pid %d; exiting",
                    b->n_ports, b->n_vlans, (int) peer);
        (void) sd_event_exit(c->ev, 0);
        return 0;
}

/* ---- the new bondgend: take ---- */

static void keep_fd(struct bg_core *c, const struct bg_handover_fd *h, int fd) {
        char msg[48];

        switch (h->kind) {
        case BG_HO_TAP:
                if (strcmp(h->name, c->bond.name) || c->handed_tap >= 0)
                        break;
                c->handed_tap = fd;
                /* into the service manager's store at once: a crash of
                 * ours from here on keeps the device too */
                if (bg_core_have_fdstore())
                        (void) sd_pid_notify_with_fds(0, false, "FDSTORE=1\nFDNAME=tap", &fd, 1);
                return;
        case BG_HO_PORT:
                if (c->n_handed_port >= BG_FWD_MAX_PORTS)
                        break;
                c->handed_port[c->n_handed_port].fd = fd;
                memcpy(c->handed_port[c->n_handed_port++].name, h->name, sizeof(h->name));
                return;
        case BG_HO_VTAP:
                if (c->n_kept >= BG_FWD_MAX_VLANS)
                        break;
                /* the service manager's store has it already */
                for (size_t i = 0; i < c->n_kept; i++)
                        if (!strcmp(c->kept_name[i], h->name))
                                goto drop;
                c->kept_fd[c->n_kept] = fd;
                memcpy(c->kept_name[c->n_kept++], h->name, sizeof(h->name));
                if (bg_core_have_fdstore()) {
                        snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=vtap-%s", h->name);
                        (void) sd_pid_notify_with_fds(0, false, msg, &fd, 1);
                }
                return;
        }
drop:
        close(fd);
}

/* The answer: "ok" and the descriptors, or "error: ..." (a bondgend that
 * predates the handover answers "error: unknown command"). */
static int ask(struct bg_core *c, const char *name, int *fds, size_t *nfds, char *text, size_t textlen) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * BG_HANDOVER_MAX_FDS)];
        } cm;
        struct iovec iov = { .iov_base = text, .iov_len = textlen - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
        size_t len;
        ssize_t n;
        int fd, r = 0;

        *nfds = 0;
        fd = bg_ctl_connect(name, HANDOVER_ANSWER_TIMEOUT_S);
        if (fd < 0)
                return fd;
        if (send(fd, BG_HANDOVER_REQUEST "\n", sizeof(BG_HANDOVER_REQUEST), MSG_NOSIGNAL) < 0) {
                r = -errno;
                goto out;
        }
        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
                r = -errno;
                goto out;
        }
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
                if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
                        size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int f;
                                memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
                                if (*nfds < BG_HANDOVER_MAX_FDS)
                                        fds[(*nfds)++] = f;
                                else
                                        close(f);
                        }
                }
        if (mh.msg_flags & MSG_CTRUNC)
                r = -EBADMSG;
        /* the rest of the text, up to the end of the answer */
        len = (size_t) n;
        while (len < textlen - 1 && (n = recv(fd, text + len, textlen - 1 - len, 0)) > 0)
                len += (size_t) n;
        text[len] = 0;
out:
        close(fd);
        return r;
}

int bg_core_handover_take(struct bg_core *c, const char *name) {
        struct bg_handover_fd list[BG_HANDOVER_MAX_FDS];
        int fds[BG_HANDOVER_MAX_FDS];
        char text[BG_HANDOVER_MAX_FDS * 24 + 256];
        size_t nfds;
        struct timespec ms = { .tv_nsec = 1000000 };
        uint64_t t0 = bg_dp_now_usec();
        int r;

        r = ask(c, name, fds, &nfds, text, sizeof(text));
        if (r == 0 && strncmp(text, "ok\n", 3)) {
                text[strcspn(text, "\n")] = 0;
                bg_core_log(c, LOG_ERR, "the running bondgend refused the handover: %s", text[0] ? text : "no answer");
                r = -EADDRINUSE;
        } else if (r == 0)
                r = bg_handover_parse(text + 3, nfds, list);
        if (r < 0) {
                for (size_t i = 0; i < nfds; i++)
                        close(fds[i]);
                if (r != -EADDRINUSE)
                        bg_core_log(c, LOG_ERR, "no handover from the running bondgend: %s", strerror(-r));
                return -EADDRINUSE;
        }
        for (size_t i = 0; i < nfds; i++)
                keep_fd(c, &list[i], fds[i]);
        c->took_over = true;
        /* the old one exits now: its lock is ours once it is gone */
        for (int waited = 0; (r = bg_core_take_instance_lock(c, name)) == -EADDRINUSE; waited++) {
                if (waited >= HANDOVER_LOCK_WAIT_MS) {
                        bg_core_log(c, LOG_ERR, "the bondgend that handed the bond over did not exit within %d ms",
                                    HANDOVER_LOCK_WAIT_MS);
                        return r;
                }
                nanosleep(&ms, NULL);
        }
        if (r == 0)
                bg_core_log(c, LOG_NOTICE, "took the bond over from the running bondgend (device, %zu port socket(s), "
                            "%zu VLAN device(s)); it let go of the lock after %llu ms", c->n_handed_port, c->n_kept,
                            (unsigned long long) ((bg_dp_now_usec() - t0) / 1000));
        return r;
}

/* ---- the new bondgend: ports ---- */

void bg_core_found_add(struct bg_core *c, const char *name, const struct bg_port_io *io) {
        struct bg_port_found *f;

        if (c->n_found >= BG_FWD_MAX_PORTS)
                return;
        f = &c->found[c->n_found++];
        snprintf(f->name, sizeof(f->name), "%s", name);
        f->io = *io;
        f->used = false;
}

void bg_core_found_apply(struct bg_core *c, const char *name, struct bg_port_io *io) {
        for (size_t i = 0; i < c->n_found; i++)
                if (!c->found[i].used && !strcmp(c->found[i].name, name)) {
                        struct bg_port_io *o = &c->found[i].io;
                        memcpy(io->orig_mac, o->orig_mac, 6);
                        io->orig_mtu = o->orig_mtu;
                        io->orig_up = o->orig_up;
                        io->orig_noarp = o->orig_noarp;
                        io->orig_disable_ipv6 = o->orig_disable_ipv6;
                        io->orig_rp_filter = o->orig_rp_filter;
                        c->found[i].used = true;
                        return;
                }
}

int bg_core_handed_port(struct bg_core *c, const char *name, int ifindex) {
        for (size_t i = 0; i < c->n_handed_port; i++) {
                struct sockaddr_ll sll = {};
                socklen_t sl = sizeof(sll);
                int fd = c->handed_port[i].fd;

                if (strcmp(c->handed_port[i].name, name))
                        continue;
                c->handed_port[i] = c->handed_port[--c->n_handed_port];
                /* the socket must be an AF_PACKET one bound to this very
                 * device (not one of the same name made since) */
                if (getsockname(fd, (struct sockaddr *) &sll, &sl) == 0 && sll.sll_family == AF_PACKET &&
                    sll.sll_ifindex == ifindex)
                        return fd;
                close(fd);
                return -1;
        }
        return -1;
}

void bg_core_handover_finish(struct bg_core *c) {
        /* ports the last bondgend drove that this one's model does not
         * name: given back as a restart gives them back */
        for (size_t i = 0; i < c->n_found; i++)
                if (!c->found[i].used && bg_fwd_link_ifindex(c->found[i].name) > 0 &&
                    !bg_fwd_find_port(&c->bond, c->found[i].name)) {
                        bg_core_port_restore(c, c->found[i].name, &c->found[i].io);
                        bg_core_log(c, LOG_INFO, "%s: not a port of this model; given back as it was found",
                                    c->found[i].name);
                }
        c->n_found = 0;
        while (c->n_handed_port)
                close(c->handed_port[--c->n_handed_port].fd);
}
