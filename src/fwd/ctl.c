/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket /run/bondgen/BOND.sock: one request line per
 * connection ("status", "status json", "enslave IF", "release IF",
 * "active IF"), answered with "ok" or "error: TEXT" on the first line and
 * the body after it. Only root may use it: the peer's credentials
 * (SO_PEERCRED) are checked on every connection; the socket itself is
 * world-connectable so that others get a clear refusal, not a bare EACCES.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "fwd/core.h"
#include "util/util.h"

static void reply(int fd, const char *head, const char *body) {
        size_t hl = strlen(head), bl = body ? strlen(body) : 0;
        char *buf = malloc(hl + bl + 2);
        size_t off = 0;

        if (!buf)
                return;
        memcpy(buf, head, hl);
        buf[hl] = '\n';
        if (bl)
                memcpy(buf + hl + 1, body, bl);
        hl += 1 + bl;
        while (off < hl) {
                ssize_t n = send(fd, buf + off, hl - off, MSG_NOSIGNAL);
                if (n <= 0) {
                        if (n < 0 && errno == EINTR)
                                continue;
                        break;
                }
                off += (size_t) n;
        }
        free(buf);
}

static void reply_errno(int fd, int r, const char *what) {
        char head[256];

        snprintf(head, sizeof(head), "error: %s: %s", what, strerror(-r));
        reply(fd, head, NULL);
}

static void handle(struct bg_core *c, int fd) {
        struct ucred cred = {};
        socklen_t cl = sizeof(cred);
        char line[256], *arg;
        size_t len = 0;
        int r;

        /* Refuse others before reading anything: a client that never
         * sends must not be able to hold the loop (the socket is
         * world-connectable). The client reads the answer even if its
         * request could not be sent. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != 0) {
                bg_core_log(c, LOG_NOTICE, "control socket: refused a request from uid %d",
                            cl == sizeof(cred) ? (int) cred.uid : -1);
                (void) !recv(fd, line, sizeof(line), MSG_DONTWAIT);   /* no reset of the answer */
                reply(fd, "error: permission denied: only root may use the control socket", NULL);
                return;
        }
        while (len < sizeof(line) - 1) {
                ssize_t n = recv(fd, line + len, sizeof(line) - 1 - len, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (memchr(line, '\n', len))
                        break;
        }
        line[len] = 0;
        line[strcspn(line, "\r\n")] = 0;
        arg = strchr(line, ' ');
        if (arg)
                *arg++ = 0;

        if (!strcmp(line, "status")) {
                char *out = NULL;
                bool json = arg && !strcmp(arg, "json");
                r = bg_fwd_status_render(&c->bond, json ? BG_STW_JSON : BG_STW_PROC, &out);
                if (r < 0)
                        reply_errno(fd, r, "status");
                else
                        reply(fd, "ok", out);
                free(out);
                return;
        }
        if (!arg || !*arg || strlen(arg) >= 16 || strchr(arg, '/') || strchr(arg, ' ')) {
                reply(fd, "error: bad request: expected status [json] | enslave IF | release IF | active IF", NULL);
                return;
        }
        if (!strcmp(line, "enslave")) {
                r = bg_core_enslave(c, arg, false);
                if (r == -EEXIST)
                        reply(fd, "ok: already enslaved", NULL);
                else if (r < 0)
                        reply_errno(fd, r, arg);
                else
                        reply(fd, "ok", NULL);
        } else if (!strcmp(line, "release")) {
                r = bg_core_release(c, arg);
                if (r < 0)
                        reply_errno(fd, r, arg);
                else
                        reply(fd, "ok", NULL);
        } else if (!strcmp(line, "active")) {
                r = bg_core_set_active(c, arg);
                if (r == -EOPNOTSUPP)
                        reply(fd, "error: this mode has no active port", NULL);
                else if (r == -EINVAL)
                        reply(fd, "error: cannot make it active: the port is down, or there is no active port", NULL);
                else if (r < 0)
                        reply_errno(fd, r, arg);
                else
                        reply(fd, "ok", NULL);
        } else
                reply(fd, "error: unknown command", NULL);
}

static int on_ctl(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_core *c = userdata;
        struct timeval tv = { .tv_sec = 1 };
        int cfd;

        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0)
                return 0;
        /* a client that never sends must not stall the data path for long */
        (void) setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void) setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        handle(c, cfd);
        close(cfd);
        return 0;
}

int bg_ctl_probe_live(const char *bond) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r = 0;

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", bg_rundir(), bond) >=
            sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* A socket file left by a crashed run refuses connections; a live
         * one means another bondgend serves this bond. */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                r = -EADDRINUSE;
        close(fd);
        return r;
}

int bg_ctl_listen(struct bg_core *c) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        r = bg_mkdir_p(bg_rundir(), 0755);
        if (r < 0)
                return r;
        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", bg_rundir(), c->bond.name) >=
            sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        r = bg_ctl_probe_live(c->bond.name);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0666) < 0 ||
            listen(fd, 16) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", sa.sun_path);
        c->ctl_fd = fd;
        return sd_event_add_io(c->ev, &c->ctl_src, fd, EPOLLIN, on_ctl, c);
}

void bg_ctl_close(struct bg_core *c) {
        c->ctl_src = sd_event_source_disable_unref(c->ctl_src);
        if (c->ctl_fd >= 0) {
                close(c->ctl_fd);
                c->ctl_fd = -1;
        }
        if (c->ctl_path[0])
                (void) unlink(c->ctl_path);
}
