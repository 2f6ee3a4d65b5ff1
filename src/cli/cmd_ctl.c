/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen status|enslave|release|active|prio: requests to bondgend's control
 * socket (RUNDIR/BOND.sock, RUNDIR = $BONDGEN_RUNDIR or /run/bondgen)
 * through the client apply and metrics use (src/apply/fwdctl.c). The
 * protocol is one request line; the answer's first line is "ok..." or
 * "error: ...", the body follows (src/fwd/io/ctl.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/apply.h"
#include "cli.h"

static bool valid_ifname(const char *s) {
        return *s && strlen(s) < 16 && !strpbrk(s, "/ \t\n:") && strcmp(s, ".") && strcmp(s, "..");
}

/* Send req to BOND's bondgend through the one client (src/apply/fwdctl.c:
 * run directory and peer checked, BONDGEN_TIMEOUT for connect, send and
 * answer together); print the body, or the text of "ok: TEXT" unless
 * quiet_ok. Exit status: refused or not allowed 1, a name too long 2, no
 * bondgend, no answer or another system error 3. */
static int request(const char *bond, const char *req, bool quiet_ok) {
        char *body = NULL, note[256], err[512];
        int r = bg_fwdctl_call(bond, req, &body, note, sizeof(note), err, sizeof(err));

        if (r < 0) {
                fprintf(stderr, "bondgen: %s: %s\n", bond, err[0] ? err : strerror(-r));
                switch (r) {
                case -EPERM:
                case -EACCES:
                case -EINVAL:
                case -EOPNOTSUPP:
                        return BG_EXIT_INVALID;
                case -ENAMETOOLONG:
                        return BG_EXIT_USAGE;
                default:
                        return BG_EXIT_SYSTEM;
                }
        }
        if (body && *body)
                fputs(body, stdout);
        else if (!quiet_ok && note[0])
                printf("%s\n", note);
        free(body);
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
        char err[512];
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
        if (bg_fwdctl_check_rundir(&owner, err, sizeof(err)) < 0) {
                if (json)
                        printf("]\n");
                fprintf(stderr, "bondgen: %s\n", err);
                return BG_EXIT_INVALID;
        }
        d = opendir(bg_apply_rundir());
        if (!d && !n) {
                if (json)
                        printf("]\n");
                fprintf(stderr, "bondgen: no bond is running (%s: %s)\n", bg_apply_rundir(), strerror(errno));
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

/* bondgen prio BOND IFACE PRIO: the port's prio (IFLA_BOND_SLAVE_PRIO),
 * a signed 32-bit number; bondgend answers as the kernel does
 * (bond_option_prio_set()). */
int bg_cmd_prio(int argc, char **argv) {
        char req[64];
        int32_t prio;

        if (argc != 4) {
                fprintf(stderr, "Usage: bondgen prio BOND IFACE PRIO\n");
                return BG_EXIT_USAGE;
        }
        if (!valid_ifname(argv[1]) || !valid_ifname(argv[2])) {
                fprintf(stderr, "bondgen: not a valid interface name\n");
                return BG_EXIT_USAGE;
        }
        if (bg_port_prio_parse(argv[3], &prio) < 0) {
                fprintf(stderr, "bondgen: prio '%s': expected a whole number from -2147483648 to 2147483647\n",
                        argv[3]);
                return BG_EXIT_USAGE;
        }
        snprintf(req, sizeof(req), "prio %s %d\n", argv[2], (int) prio);
        return request(argv[1], req, false);
}
