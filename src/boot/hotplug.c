/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the udev hotplug helper does with a new interface: nothing unless
 * the model names it as a port (by name or by MAC) and its bond is already
 * up; then either a netlink enslave (kernel bond) or an "enslave IFACE"
 * request on bondgend's control socket. A bond that is not up yet is left
 * alone: bondgen-apply.service or bondgend enslaves the ports it finds
 * when it brings the bond up, so the helper never races them.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "hotplug.h"
#include "util/util.h"

const char *bg_hotplug_action_name(enum bg_hotplug_action a) {
        switch (a) {
        case BG_HP_NOT_A_PORT: return "not-a-port";
        case BG_HP_BOND_NOT_UP: return "bond-not-up";
        case BG_HP_ALREADY: return "already-enslaved";
        case BG_HP_KERNEL: return "kernel";
        case BG_HP_SOCKET: return "socket";
        }
        return "?";
}

/* root + fmt with one name; NULL on ENOMEM. */
__attribute__((format(printf, 2, 3)))
static char *sys_path(const char *root, const char *fmt, ...) {
        char *rel = NULL, *p;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&rel, fmt, ap);
        va_end(ap);
        if (r < 0)
                return NULL;
        p = bg_boot_path(root, rel);
        free(rel);
        return p;
}

static int read_mac(const char *root, const char *ifname, char mac[18]) {
        _cleanup_free_ char *p = NULL, *data = NULL;
        size_t len;
        int r;

        p = sys_path(root, "sys/class/net/%s/address", ifname);
        if (!p)
                return -ENOMEM;
        r = bg_read_file(p, BG_SYSFS_ATTR_MAX, &data, &len);
        if (r < 0)
                return r;
        while (len > 0 && isspace((unsigned char) data[len - 1]))
                data[--len] = 0;
        if (len != 17)
                return -EINVAL;
        for (size_t i = 0; i < 17; i++)
                mac[i] = (char) tolower((unsigned char) data[i]);
        mac[17] = 0;
        return 0;
}

static bool ifname_safe(const char *n) {
        size_t l = strlen(n);
        return l > 0 && l < IFNAMSIZ_BG && !strchr(n, '/') && strcmp(n, ".") && strcmp(n, "..");
}

int bg_hotplug_decide(const char *root, const char *ifname, const char *mac,
                      struct bg_hotplug_decision *out, struct bg_diags *diags) {
        struct bg_boot_set set = { 0 };
        _cleanup_free_ char *etc = bg_boot_path(root, "etc/bondgen");
        _cleanup_free_ char *run = bg_boot_path(root, "run/bondgen");
        _cleanup_free_ char *p = NULL, *master = NULL, *sock = NULL;
        const struct bg_boot_bond *bond = NULL;
        char own_mac[18] = "";
        bool first = false;
        unsigned n_files = 0;
        struct stat st;
        int r;

        memset(out, 0, sizeof(*out));
        out->action = BG_HP_NOT_A_PORT;
        if (!etc || !run)
                return -ENOMEM;
        if (!ifname_safe(ifname))
                return -EINVAL;
        snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);

        /* The same precedence as bondgen apply: the user's models, else the
         * generated ones (converted legacy files, kernel command line). */
        r = bg_boot_scan_yaml_dir(etc, &set, &n_files, diags);
        if (r == -ENOMEM)
                goto out;
        if (n_files == 0) {
                r = bg_boot_scan_yaml_dir(run, &set, &n_files, diags);
                if (r == -ENOMEM)
                        goto out;
        }
        r = 0;
        if (!mac && read_mac(root, ifname, own_mac) == 0)
                mac = own_mac;
        if (bg_boot_set_find(&set, ifname))
                goto out;   /* the bond itself appearing */

        for (size_t i = 0; i < set.n_bonds && !bond; i++)
                for (size_t j = 0; j < set.bonds[i].n_ports; j++) {
                        const struct bg_boot_port *port = &set.bonds[i].ports[j];
                        if ((port->name && !strcmp(port->name, ifname)) ||
                            (port->mac && mac && !strcasecmp(port->mac, mac))) {
                                bond = &set.bonds[i];
                                first = j == 0 && !bond->own_mac && mac;
                                break;
                        }
                }
        if (!bond)
                goto out;
        if (!ifname_safe(bond->name)) {
                r = -EINVAL;
                goto out;
        }
        snprintf(out->bond, sizeof(out->bond), "%s", bond->name);

        p = sys_path(root, "sys/class/net/%s/bonding", bond->name);
        if (!p) {
                r = -ENOMEM;
                goto out;
        }
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n;

                master = sys_path(root, "sys/class/net/%s/master", ifname);
                if (!master) {
                        r = -ENOMEM;
                        goto out;
                }
                n = readlink(master, target, sizeof(target) - 1);
                if (n > 0) {
                        target[n] = 0;
                        if (!strcmp(basename(target), bond->name)) {
                                out->action = BG_HP_ALREADY;
                                goto out;
                        }
                }
                out->action = BG_HP_KERNEL;
                out->first_port = first;
                if (first)
                        snprintf(out->mac, sizeof(out->mac), "%s", mac);
                goto out;
        }
        sock = sys_path(root, "run/bondgen/%s.sock", bond->name);
        if (!sock) {
                r = -ENOMEM;
                goto out;
        }
        if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && strlen(sock) < sizeof(out->sock)) {
                strcpy(out->sock, sock);
                out->action = BG_HP_SOCKET;
        } else
                out->action = BG_HP_BOND_NOT_UP;
out:
        bg_boot_set_free(&set);
        return r;
}
