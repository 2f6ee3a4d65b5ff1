/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen status|enslave|release|active: clients of bondgend's control
 * socket (RUNDIR/BOND.sock, RUNDIR = $BONDGEN_RUNDIR or /run/bondgen). The
 * protocol is one request line; the answer's first line is "ok..." or
 * "error: ...", the body follows (src/fwd/ctl.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"

static const char *rundir(void) {
        const char *e = getenv("BONDGEN_RUNDIR");

        return e && *e == '/' ? e : BG_RUNDIR;
}

static bool valid_ifname(const char *s) {
        return *s && strlen(s) < 16 && !strpbrk(s, "/ \t\n:") && strcmp(s, ".") && strcmp(s, "..");
}

/* Send req to BOND's socket; print the body to stdout. */
static int request(const char *bond, const char *req, bool quiet_ok) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char *buf = NULL, *nl;
        size_t len = 0, cap = 0;
        int fd;

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock", rundir(), bond) >=
            sizeof(sa.sun_path)) {
                fprintf(stderr, "bondgen: %s: name too long\n", bond);
                return BG_EXIT_USAGE;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = errno;
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
                n = recv(fd, buf + len, cap - len - 1, 0);
                if (n < 0 && errno == EINTR)
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
                return request(bond, json ? "status json\n" : "status\n", true);
        }

        /* every bond with a socket */
        DIR *d = opendir(rundir());
        struct dirent *de;
        int status = BG_EXIT_OK, n = 0;
        if (!d) {
                fprintf(stderr, "bondgen: no bondgend is running (%s: %s)\n", rundir(), strerror(errno));
                return BG_EXIT_SYSTEM;
        }
        if (json)
                printf("[");
        while ((de = readdir(d))) {
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
