/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket /run/bondgen/BOND.sock: one request line per
 * connection ("status", "status json", "enslave IF", "release IF",
 * "active IF", "prio IF N"; for `bondgen apply`: "state", "check NAME=VALUE...",
 * "set NAME=VALUE...", reconf.c, and "pending IF"), answered with "ok" or "error: TEXT" on the first line and
 * the body after it. Only root may use it: the socket is mode 0600 (the
 * client turns EACCES into a clear message), and the peer's credentials
 * (SO_PEERCRED) are checked on every connection as well.
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
#include "fwd/io/core.h"
#include "fwd/io/rundir.h"
#include "fwd/logic/handover.h"
#include "util/util.h"

/* Answers are small (a status is a few KB) and go out with one
 * non-blocking send: a client that does not read them loses them, the
 * loop never waits for it. */
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
                ssize_t n = send(fd, buf + off, hl - off, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                off += (size_t) n;
        }
        free(buf);
}

static void reply_errno(int fd, int r, const char *what) {
        char head[256];

        snprintf(head, sizeof(head), "error: %s: %s", what, strerror(-r));
        reply(fd, head, NULL);
}

/* "vlan add NAME ID" | "vlan del NAME": bondgend's own VLAN devices,
 * where the kernel has no 802.1Q (vtap.c). */
static void handle_vlan(struct bg_core *c, int fd, char *arg) {
        char verb[8], name[32], why[200], head[240];
        unsigned id = 0;
        int n = sscanf(arg, "%7s %31s %u", verb, name, &id), r;

        if (n == 3 && !strcmp(verb, "add")) {
                r = bg_core_vlan_add(c, name, id, why, sizeof(why));
                if (r == -EEXIST) {
                        reply(fd, "ok: already there", NULL);
                        return;
                }
        } else if (n == 2 && !strcmp(verb, "del")) {
                why[0] = 0;
                r = bg_core_vlan_del(c, name);
        } else {
                reply(fd, "error: bad request: expected vlan add NAME ID | vlan del NAME", NULL);
                return;
        }
        if (r >= 0)
                reply(fd, "ok", NULL);
        else if (why[0]) {
                snprintf(head, sizeof(head), "error: refused: %s", why);
                reply(fd, head, NULL);
        } else
                reply_errno(fd, r, name);
}

static void handle(struct bg_core *c, int fd, char *line, const struct ucred *peer) {
        char *arg;
        int r;

        line[strcspn(line, "\r\n")] = 0;
        arg = strchr(line, ' ');
        if (arg)
                *arg++ = 0;

        /* the next bondgend of this bond takes it over (handover.c) */
        if (!strcmp(line, BG_HANDOVER_REQUEST) && !arg) {
                char err[200], head[240];
                r = bg_core_handover_give(c, fd, peer->pid, err, sizeof(err));
                if (r < 0) {
                        snprintf(head, sizeof(head), "error: %s", err);
                        reply(fd, head, NULL);
                }
                return;
        }
        /* bondgend's own user (not root) may ask for a handover only */
        if (peer->uid != 0) {
                reply(fd, "error: permission denied: only root may use the control socket", NULL);
                return;
        }

        if (!strcmp(line, "status")) {
                char *out = NULL;
                bool json = arg && !strcmp(arg, "json");
                bg_core_read_sock_drops(c, NULL);
                r = bg_fwd_status_render(&c->bond, json ? BG_STW_JSON : BG_STW_PROC, &out);
                if (r < 0)
                        reply_errno(fd, r, "status");
                else
                        reply(fd, "ok", out);
                free(out);
                return;
        }
        if (!strcmp(line, "state") && !arg) {
                char *out = NULL;
                r = bg_core_state_render(c, &out);
                if (r < 0)
                        reply_errno(fd, r, "state");
                else
                        reply(fd, "ok", out);
                free(out);
                return;
        }
        if ((!strcmp(line, "set") || !strcmp(line, "check")) && arg) {
                char err[300], head[340];
                r = bg_core_set_options(c, arg, line[0] == 's', err, sizeof(err));
                if (r < 0) {
                        snprintf(head, sizeof(head), "error: %s", err[0] ? err : strerror(-r));
                        reply(fd, head, NULL);
                } else
                        reply(fd, "ok", NULL);
                return;
        }
        if (!strcmp(line, "vlan") && arg) {
                handle_vlan(c, fd, arg);
                return;
        }
        if (!strcmp(line, "prio") && arg) {
                char name[16];
                int32_t prio;
                if (bg_fwd_prio_request(arg, name, &prio) < 0) {
                        reply(fd, "error: bad request: expected prio IF N (N a signed 32-bit number)", NULL);
                        return;
                }
                r = bg_core_set_prio(c, name, prio);
                if (r == -EOPNOTSUPP)
                        reply(fd, "error: a port priority applies in active-backup, balance-tlb and balance-alb only",
                              NULL);
                else if (r < 0)
                        reply_errno(fd, r, name);
                else
                        reply(fd, "ok", NULL);
                return;
        }
        if (!arg || !*arg || strlen(arg) >= 16 || strchr(arg, '/') || strchr(arg, ' ')) {
                reply(fd, "error: bad request: expected status [json] | state | set|check NAME=VALUE... | "
                          "enslave IF | pending IF | release IF | active IF | prio IF N | vlan add NAME ID | vlan del NAME",
                      NULL);
                return;
        }
        /* "pending IF": a port of the bond that may not exist yet, enslaved
         * when it appears (now, when it does), as a port the configuration
         * names; apply and its rollback keep the set of such ports. */
        if (!strcmp(line, "enslave") || !strcmp(line, "pending")) {
                r = bg_core_enslave(c, arg, line[0] == 'p');
                if (r == -EEXIST)
                        reply(fd, "ok: already enslaved", NULL);
                else if (r < 0 && c->refusal[0]) {
                        char head[200];
                        snprintf(head, sizeof(head), "error: refused: %s", c->refusal);
                        reply(fd, head, NULL);
                } else if (r < 0)
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

/* One connection being read. Requests are read as the bytes arrive, on
 * the loop, never with a blocking read: a client that connects and sends
 * nothing costs a file descriptor until its timeout, not forwarding time. */
#define CTL_MAX_CLIENTS 256
#define CTL_TIMEOUT_USEC 2000000u

struct ctl_client {
        struct bg_core *c;
        int fd;
        struct ucred peer;
        sd_event_source *io, *timer;
        size_t len;
        char line[4096];   /* a `set` of every option fits */
};

static unsigned n_clients;

static void client_free(struct ctl_client *cl) {
        struct bg_core *c = cl->c;

        sd_event_source_disable_unref(cl->io);
        sd_event_source_disable_unref(cl->timer);
        close(cl->fd);
        free(cl);
        /* room again: take the next connections waiting in the backlog */
        if (n_clients-- == CTL_MAX_CLIENTS && c->ctl_src)
                (void) sd_event_source_set_enabled(c->ctl_src, SD_EVENT_ON);
}

static int on_client(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct ctl_client *cl = userdata;

        for (;;) {
                ssize_t n = recv(fd, cl->line + cl->len, sizeof(cl->line) - 1 - cl->len, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;   /* the rest of the line later */
                if (n > 0)
                        cl->len += (size_t) n;
                cl->line[cl->len] = 0;
                /* a whole line, a full buffer or the end of the request */
                if (n <= 0 || memchr(cl->line, '\n', cl->len) || cl->len == sizeof(cl->line) - 1)
                        break;
        }
        if (cl->len)
                handle(cl->c, fd, cl->line, &cl->peer);
        client_free(cl);
        return 0;
}

static int on_client_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        struct ctl_client *cl = userdata;

        reply(cl->fd, "error: timed out waiting for the request", NULL);
        client_free(cl);
        return 0;
}

static void refuse(struct bg_core *c, int fd, const char *msg, const char *why) {
        char line[256];

        if (bg_core_ratelimit(c))
                bg_core_log(c, LOG_NOTICE, "control socket: %s", why);
        (void) !recv(fd, line, sizeof(line), MSG_DONTWAIT);   /* no reset of the answer */
        reply(fd, msg, NULL);
        close(fd);
}

/* Root, or the user bondgend runs as under its unit (the owner of the run
 * directory, which the service manager gives the unit's user): the next
 * bondgend asking for a handover may be either. */
static bool peer_trusted(uid_t uid) {
        struct stat st;

        return uid == 0 || uid == geteuid() || (fstat(bg_rundir_fd(), &st) == 0 && st.st_uid == uid);
}

static int on_ctl(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_core *c = userdata;

        /* everything queued now, so a burst of clients is one wake-up; at
         * CTL_MAX_CLIENTS in flight the rest wait in the listen backlog */
        while (n_clients < CTL_MAX_CLIENTS) {
                struct ucred cred = {};
                socklen_t cl = sizeof(cred);
                struct ctl_client *client;
                uint64_t now;
                char why[64];
                int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

                if (cfd < 0)
                        return 0;
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || !peer_trusted(cred.uid)) {
                        snprintf(why, sizeof(why), "refused a request from uid %d",
                                 cl == sizeof(cred) ? (int) cred.uid : -1);
                        refuse(c, cfd, "error: permission denied: only root may use the control socket", why);
                        continue;
                }
                client = calloc(1, sizeof(*client));
                if (!client) {
                        close(cfd);
                        continue;
                }
                client->c = c;
                client->fd = cfd;
                client->peer = cred;
                n_clients++;
                if (sd_event_add_io(c->ev, &client->io, cfd, EPOLLIN, on_client, client) < 0 ||
                    sd_event_now(c->ev, CLOCK_MONOTONIC, &now) < 0 ||
                    sd_event_add_time(c->ev, &client->timer, CLOCK_MONOTONIC, now + CTL_TIMEOUT_USEC, 100000,
                                      on_client_timeout, client) < 0) {
                        client_free(client);
                        continue;
                }
        }
        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

int bg_ctl_connect(const char *bond, unsigned timeout_s) {
        struct timeval tv = { .tv_sec = timeout_s };
        struct sockaddr_un sa;
        char name[32];
        int fd, r;

        snprintf(name, sizeof(name), "%.15s.sock", bond);
        if (bg_rundir_sockaddr(name, &sa) < 0)
                return -ENAMETOOLONG;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int bg_ctl_probe_live(const char *bond) {
        int fd = bg_ctl_connect(bond, 1);

        /* A socket file left by a crashed run refuses connections; a live
         * one means another bondgend serves this bond. */
        if (fd == -ENAMETOOLONG)
                return fd;
        if (fd < 0)
                return 0;
        close(fd);
        return -EADDRINUSE;
}

int bg_ctl_listen(struct bg_core *c) {
        struct sockaddr_un sa;
        char name[32];
        int fd, r;

        /* Bound through the run directory's fd (rundir.h). */
        snprintf(name, sizeof(name), "%.15s.sock", c->bond.name);
        if (bg_rundir_sockaddr(name, &sa) < 0)
                return -ENAMETOOLONG;
        r = bg_ctl_probe_live(c->bond.name);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0600) < 0 ||
            listen(fd, SOMAXCONN) < 0) {
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
