/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen status|enslave|release|active: clients of bondgend's control
 * socket (RUNDIR/BOND.sock, RUNDIR = $BONDGEN_RUNDIR or /run/bondgen). The
 * protocol is one request line; the answer's first line is "ok..." or
 * "error: ...", the body follows (src/fwd/io/ctl.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"

static const char *rundir(void) {
        const char *e = getenv("BONDGEN_RUNDIR");

        return e && *e == '/' ? e : BG_RUNDIR;
}

/* A client never waits longer than this for bondgend (connect, send and
 * answer together); BONDGEN_TIMEOUT (seconds) overrides it. */
#define CTL_TIMEOUT_MS 5000

static int ctl_timeout_ms(void) {
        const char *e = getenv("BONDGEN_TIMEOUT");
        char *end;
        double v;

        if (!e || !*e)
                return CTL_TIMEOUT_MS;
        v = strtod(e, &end);
        return *end || v <= 0 || v > 3600 ? CTL_TIMEOUT_MS : (int) (v * 1000);
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The run directory holds the sockets: anyone who can write it could put
 * a socket of their own there and answer for bondgend. Its owner is root,
 * or bondgend's own user (DynamicUser= chowns RuntimeDirectory=); *owner
 * is that uid. */
static int check_rundir(const char *dir, uid_t *owner) {
        struct stat st;

        *owner = 0;
        if (stat(dir, &st) < 0)
                return 0;   /* missing: connect() says no bondgend runs */
        if (st.st_mode & 022) {
                fprintf(stderr, "bondgen: %s: refused: the run directory must be writable by no one but "
                        "its owner (owner %u, mode %04o)\n", dir, (unsigned) st.st_uid,
                        (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        *owner = st.st_uid;
        return 0;
}

static bool valid_ifname(const char *s) {
        return *s && strlen(s) < 16 && !strpbrk(s, "/ \t\n:") && strcmp(s, ".") && strcmp(s, "..");
}

/* Send req to BOND's socket; print the body to stdout. */
static int request(const char *bond, const char *req, bool quiet_ok) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char *buf = NULL, *nl;
        size_t len = 0, cap = 0;
        long long deadline;
        uid_t owner;
        int fd, timeout;

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", rundir(), bond) >=
            sizeof(sa.sun_path)) {
                fprintf(stderr, "bondgen: %s: name too long\n", bond);
                return BG_EXIT_USAGE;
        }
        if (check_rundir(rundir(), &owner) < 0)
                return BG_EXIT_INVALID;
        timeout = ctl_timeout_ms();
        deadline = now_ms() + timeout;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* connect(2) on a unix socket whose backlog is full (bondgend hung)
         * blocks for the send timeout. */
        if (fd >= 0) {
                struct timeval tv = { timeout / 1000, (timeout % 1000) * 1000 };
                (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        }
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = errno;
                if (e == EAGAIN || e == EINPROGRESS || e == ETIMEDOUT) {
                        close(fd);
                        fprintf(stderr, "bondgen: %s: bondgend does not accept connections within %d.%03d s "
                                "(hung?): %s\n", bond, timeout / 1000, timeout % 1000, sa.sun_path);
                        return BG_EXIT_SYSTEM;
                }
                if (fd >= 0)
                        close(fd);
                if (e == ENOENT || e == ECONNREFUSED)
                        fprintf(stderr, "bondgen: %s: no bondgend is running for this bond (%s)\n", bond,
                                sa.sun_path);
                else if (e == EACCES || e == EPERM)
                        fprintf(stderr, "bondgen: %s: permission denied: only root may control bondgend\n",
                                bond);
                else
                        fprintf(stderr, "bondgen: %s: %s: %s\n", bond, sa.sun_path, strerror(e));
                return e == EACCES || e == EPERM ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
        }
        /* Only root or the run directory's owner (bondgend's user) may
         * answer: the socket could be someone else's otherwise. */
        struct ucred cred;
        socklen_t cl = sizeof(cred);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.uid != 0 &&
            cred.uid != owner) {
                close(fd);
                fprintf(stderr, "bondgen: %s: refused: %s is served by uid %u, neither root nor the "
                        "run directory's owner\n", bond, sa.sun_path, (unsigned) cred.uid);
                return BG_EXIT_INVALID;
        }
        /* a refused request may be answered before it is fully sent: read
         * the answer whatever send() says */
        (void) send(fd, req, strlen(req), MSG_NOSIGNAL);
        shutdown(fd, SHUT_WR);
        for (;;) {
                ssize_t n;
                if (len + 4096 > cap) {
                        char *nb = realloc(buf, cap + 65536);
                        if (!nb) {
                                free(buf);
                                close(fd);
                                return BG_EXIT_SYSTEM;
                        }
                        buf = nb;
                        cap += 65536;
                }
                struct pollfd p = { fd, POLLIN, 0 };
                long long left = deadline - now_ms();
                int k = left > 0 ? poll(&p, 1, (int) left) : 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k == 0) {
                        close(fd);
                        free(buf);
                        fprintf(stderr, "bondgen: %s: no answer from bondgend within %d.%03d s (hung?)\n",
                                bond, timeout / 1000, timeout % 1000);
                        return BG_EXIT_SYSTEM;
                }
                n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        close(fd);
        if (!buf || !len) {
                fprintf(stderr, "bondgen: %s: no answer from bondgend\n", bond);
                free(buf);
                return BG_EXIT_SYSTEM;
        }
        buf[len] = 0;
        nl = strchr(buf, '\n');
        if (nl)
                *nl++ = 0;
        if (strncmp(buf, "ok", 2) != 0) {
                const char *m = !strncmp(buf, "error: ", 7) ? buf + 7 : buf;
                fprintf(stderr, "bondgen: %s: %s\n", bond, m);
                free(buf);
                return BG_EXIT_INVALID;
        }
        if (nl && *nl)
                fputs(nl, stdout);
        else if (!quiet_ok && buf[2] == ':')
                printf("%s\n", buf + 4);
        free(buf);
        return BG_EXIT_OK;
}

int bg_cmd_status(int argc, char **argv) {
        const char *bond = NULL;
        bool json = false;

        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--json"))
                        json = true;
                else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        printf("Usage: bondgen status [BOND] [--json]\n");
                        return BG_EXIT_OK;
                } else if (argv[i][0] == '-' || bond) {
                        fprintf(stderr, "Usage: bondgen status [BOND] [--json]\n");
                        return BG_EXIT_USAGE;
                } else
                        bond = argv[i];
        }
        if (bond) {
                if (!valid_ifname(bond)) {
                        fprintf(stderr, "bondgen: '%s' is not a valid interface name\n", bond);
                        return BG_EXIT_USAGE;
                }
                /* a kernel bond: its /proc/net/bonding file (cmd_kstatus.c) */
                if (bg_cli_kernel_status(bond, json) == 0)
                        return BG_EXIT_OK;
                return request(bond, json ? "status json\n" : "status\n", true);
        }

        /* every kernel bond, then every bond with a socket */
        uid_t owner;
        DIR *d = opendir("/proc/net/bonding");
        struct dirent *de;
        int status = BG_EXIT_OK, n = 0;
        if (json)
                printf("[");
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.' || !valid_ifname(de->d_name))
                        continue;
                printf("%s", n ? (json ? "," : "\n") : "");
                fflush(stdout);
                if (bg_cli_kernel_status(de->d_name, json) == 0)
                        n++;
        }
        if (d)
                closedir(d);
        if (check_rundir(rundir(), &owner) < 0) {
                if (json)
                        printf("]\n");
                return BG_EXIT_INVALID;
        }
        d = opendir(rundir());
        if (!d && !n) {
                if (json)
                        printf("]\n");
                fprintf(stderr, "bondgen: no bond is running (%s: %s)\n", rundir(), strerror(errno));
                return BG_EXIT_SYSTEM;
        }
        while (d && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                char name[64];
                int r;
                if (l < 6 || strcmp(de->d_name + l - 5, ".sock") || l - 5 >= sizeof(name))
                        continue;
                memcpy(name, de->d_name, l - 5);
                name[l - 5] = 0;
                if (!valid_ifname(name))
                        continue;
                fflush(stdout);
                if (json && n)
                        printf(",");
                else if (!json && n)
                        printf("\n");
                fflush(stdout);
                r = request(name, json ? "status json\n" : "status\n", true);
                if (r != BG_EXIT_OK)
                        status = r;
                n++;
        }
        if (d)
                closedir(d);
        if (json)
                printf("]\n");
        if (!n && !json)
                fprintf(stderr, "bondgen: no bondgend is running\n");
        return status;
}

static int simple(int argc, char **argv, const char *verb) {
        char req[64];

        if (argc != 3) {
                fprintf(stderr, "Usage: bondgen %s BOND IFACE\n", verb);
                return BG_EXIT_USAGE;
        }
        if (!valid_ifname(argv[1]) || !valid_ifname(argv[2])) {
                fprintf(stderr, "bondgen: not a valid interface name\n");
                return BG_EXIT_USAGE;
        }
        snprintf(req, sizeof(req), "%s %s\n", verb, argv[2]);
        return request(argv[1], req, false);
}

int bg_cmd_enslave(int argc, char **argv) {
        return simple(argc, argv, "enslave");
}

int bg_cmd_release(int argc, char **argv) {
        return simple(argc, argv, "release");
}

int bg_cmd_active(int argc, char **argv) {
        return simple(argc, argv, "active");
}
