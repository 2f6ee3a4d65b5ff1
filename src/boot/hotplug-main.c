/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen-hotplug [--dry-run] [--mac MAC] IFACE
 *
 * Run by 90-bondgen.rules for every new network interface: enslaves it to
 * the bond whose model names it as a port. udev kills slow RUN programs,
 * so this does one netlink request or one control-socket round trip with a
 * short timeout, and nothing else. BONDGEN_ROOT (tests) prefixes /etc,
 * /run and /sys.
 *
 * Exit status: 0 done or nothing to do, 1 refused (by the kernel or
 * bondgend), 2 usage, 3 system error.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "boot.h"
#include "hotplug.h"
#include "model/model.h"
#include "netlink/netlink.h"
#include "util/util.h"

#define SOCKET_TIMEOUT_MS 2000

static void set_bond_mac(struct bg_nl *nl, const struct bg_hotplug_decision *d, int bond) {
        char path[64], *cur = NULL, buf[BG_NL_BUFSIZE];
        struct bg_nl_linkset ls;
        struct bg_nl_error e = { 0 };
        struct nlmsghdr *req;
        size_t len = 0;
        int r;

        snprintf(path, sizeof(path), "/sys/class/net/%s/address", d->bond);
        if (bg_read_file(path, BG_SYSFS_ATTR_MAX, &cur, &len) >= 0 && len >= 17 && !strncasecmp(cur, d->mac, 17)) {
                free(cur);
                return;
        }
        bg_nl_linkset_init(&ls);
        if (bg_parse_mac(d->mac, ls.mac) < 0) {   /* sysfs's text, or --mac */
                free(cur);
                return;
        }
        ls.set_mac = true;
        r = bg_nl_msg_setlink(buf, bg_nl_next_seq(nl), bond, &ls, &req);
        if (r >= 0)
                r = bg_nl_call(nl, req, &e);
        if (r < 0)
                fprintf(stderr, "bondgen-hotplug: %s: cannot set its MAC to %s's %s: %s%s%s\n", d->bond, d->ifname,
                        d->mac, strerror(-r), e.msg[0] ? ": " : "", e.msg);
        else
                fprintf(stderr, "bondgen-hotplug: %s: mac %.17s -> %s (%s's, its first port)\n", d->bond,
                        cur && len >= 17 ? cur : "?", d->mac, d->ifname);
        free(cur);   /* the port joins all the same */
}

static int enslave_kernel(const struct bg_hotplug_decision *d) {
        struct bg_nl *nl = NULL;
        struct bg_nl_linkset ls;
        struct bg_nl_error e = { 0 };
        struct nlmsghdr *req;
        char buf[BG_NL_BUFSIZE];
        int port = (int) if_nametoindex(d->ifname), bond = (int) if_nametoindex(d->bond);
        int r;

        if (port <= 0 || bond <= 0) {
                fprintf(stderr, "bondgen-hotplug: %s: %s is gone\n", d->ifname,
                        port <= 0 ? d->ifname : d->bond);
                return 0;
        }
        r = bg_nl_open(&nl);
        if (r < 0) {
                fprintf(stderr, "bondgen-hotplug: netlink: %s\n", strerror(-r));
                return 3;
        }
        /* The model's first port gives the bond its MAC (bondgen(8), BOND
         * MAC ADDRESS), as apply does. The kernel would take it at this
         * enslave only from a bond whose MAC is still random, and udev's
         * MACAddressPolicy=persistent has usually given a bond that came
         * up without its ports one of its own by now: set it first (the
         * kernel then gives it to the ports, fail_over_mac=none). */
        if (d->first_port)
                set_bond_mac(nl, d, bond);
        /* The kernel refuses to enslave a port that is up
         * (bond_main.c:bond_enslave() with IFF_UP, older kernels):
         * down first, then IFLA_MASTER; the bond brings it up again. */
        bg_nl_linkset_init(&ls);
        ls.up = 0;
        r = bg_nl_msg_setlink(buf, bg_nl_next_seq(nl), port, &ls, &req);
        if (r >= 0)
                r = bg_nl_call(nl, req, &e);
        if (r >= 0) {
                bg_nl_linkset_init(&ls);
                ls.master = bond;
                r = bg_nl_msg_setlink(buf, bg_nl_next_seq(nl), port, &ls, &req);
                if (r >= 0)
                        r = bg_nl_call(nl, req, &e);
        }
        bg_nl_close(nl);
        if (r < 0) {
                fprintf(stderr, "bondgen-hotplug: %s: cannot enslave to %s: %s%s%s\n", d->ifname,
                        d->bond, strerror(-r), e.msg[0] ? ": " : "", e.msg);
                return r == -EPERM || r == -ENOMEM || r == -ENOBUFS ? 3 : 1;
        }
        fprintf(stderr, "bondgen-hotplug: %s: enslaved to %s (kernel)\n", d->ifname, d->bond);
        return 0;
}

static int enslave_socket(const struct bg_hotplug_decision *d) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char req[64], reply[512];
        size_t got = 0;
        int fd, r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return 3;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->sock);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "bondgen-hotplug: %s: %s: %m\n", d->ifname, d->sock);
                close(fd);
                /* bondgend gone between the check and now: it enslaves the
                 * ports it finds when it starts again. */
                return errno == ECONNREFUSED || errno == ENOENT ? 0 : 3;
        }
        r = snprintf(req, sizeof(req), "enslave %s\n", d->ifname);
        if (write(fd, req, (size_t) r) != r) {
                fprintf(stderr, "bondgen-hotplug: %s: write to %s: %m\n", d->ifname, d->sock);
                close(fd);
                return 3;
        }
        shutdown(fd, SHUT_WR);
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                ssize_t n;
                r = poll(&pfd, 1, SOCKET_TIMEOUT_MS);
                if (r <= 0) {
                        fprintf(stderr, "bondgen-hotplug: %s: no answer from %s\n", d->ifname, d->sock);
                        close(fd);
                        return 3;
                }
                n = read(fd, reply + got, sizeof(reply) - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t) n;
                if (got == sizeof(reply) - 1 || memchr(reply, '\n', got))
                        break;
        }
        close(fd);
        reply[got] = 0;
        reply[strcspn(reply, "\n")] = 0;
        /* The control protocol answers "ok ..." or "error: ..." (src/fwd). */
        if (strncmp(reply, "ok", 2) != 0) {
                fprintf(stderr, "bondgen-hotplug: %s: %s refused: %s\n", d->ifname, d->bond,
                        got ? reply : "(no answer)");
                return 1;
        }
        fprintf(stderr, "bondgen-hotplug: %s: enslaved to %s (bondgend)\n", d->ifname, d->bond);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option longopts[] = {
                { "dry-run", no_argument, NULL, 'n' },
                { "mac", required_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct bg_hotplug_decision d;
        struct bg_diags diags = { 0 };
        const char *root = getenv("BONDGEN_ROOT"), *mac = NULL;
        char macbuf[18];
        bool dry = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "nm:h", longopts, NULL)) >= 0) {
                switch (c) {
                case 'n':
                        dry = true;
                        break;
                case 'm':
                        if (bg_normalize_mac(optarg, macbuf) < 0) {
                                fprintf(stderr, "bondgen-hotplug: --mac: not a MAC address: '%s'\n", optarg);
                                return 2;
                        }
                        mac = macbuf;
                        break;
                case 'h':
                        printf("Usage: bondgen-hotplug [--dry-run] [--mac MAC] IFACE\n"
                               "Enslave a new interface to the bond whose model names it as a port.\n"
                               "Run by udev (90-bondgen.rules). See bondgen-generator(8).\n");
                        return 0;
                default:
                        return 2;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "Usage: bondgen-hotplug [--dry-run] [--mac MAC] IFACE\n");
                return 2;
        }
        /* udev kills a RUN program that takes too long (event_timeout):
         * whatever /etc/bondgen holds, stop reading after this long and
         * name the first file skipped, as the generator does. */
        bg_boot_scan_budget_from_env("BONDGEN_HOTPLUG_BUDGET_MS", 2000);
        r = bg_hotplug_decide(root && *root ? root : "/", argv[optind], mac, &d, &diags);
        bg_diags_print(&diags, stderr);
        bg_diags_free(&diags);
        if (r == -EINVAL) {
                fprintf(stderr, "bondgen-hotplug: '%s': not an interface name\n", argv[optind]);
                return 2;
        }
        if (r < 0) {
                fprintf(stderr, "bondgen-hotplug: %s\n", strerror(-r));
                return 3;
        }
        if (dry) {
                printf("%s %s %s\n", d.ifname, bg_hotplug_action_name(d.action),
                       d.bond[0] ? d.bond : "-");
                return 0;
        }
        switch (d.action) {
        case BG_HP_KERNEL:
                return enslave_kernel(&d);
        case BG_HP_SOCKET:
                return enslave_socket(&d);
        default:
                return 0;
        }
}
