/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which interfaces may become ports: what the kernel's bond_enslave()
 * refuses, bondgend refuses too, with the reason. A user-space bond has no
 * rx_handler to make a device "busy", so the checks that the kernel gets
 * from netdev_rx_handler_register() and the upper/lower device lists are
 * made here from rtnetlink:
 *  - the bond itself (bond_enslave: "cannot enslave bond to itself");
 *  - a loopback device, and anything that is not Ethernet (the TAP carries
 *    Ethernet frames only; the kernel changes the bond's type instead, which
 *    a TAP cannot do);
 *  - a device that already has a master (a port of another bond, a bridge
 *    or team port: rx handler busy, EBUSY), or that another bondgend drives
 *    (its state file lists it);
 *  - a device stacked on the bond (a VLAN or macvlan on it, a bridge it is
 *    a port of, and so on upwards): enslaving it would loop every frame
 *    (the kernel's upper-device loop check, EBUSY).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fwd/io/core.h"
#include "fwd/io/rundir.h"
#include "netlink/netlink.h"

/* Is ifindex `x` the bond or stacked on it? Walk upwards from the bond
 * to a fixed point: a device is above the set when its lower (IFLA_LINK)
 * or one of its own ports (a device whose master it is) is in the set. */
static bool stacked_on(const struct bg_nl_state *st, int bond, int x) {
        int set[64];
        size_t n = 0;
        bool grew = true;

        set[n++] = bond;
        while (grew && n < sizeof(set) / sizeof(set[0])) {
                grew = false;
                for (size_t i = 0; i < st->n_links && n < sizeof(set) / sizeof(set[0]); i++) {
                        const struct bg_nl_link *l = &st->links[i];
                        bool in = false, above = false;
                        for (size_t k = 0; k < n; k++) {
                                in |= set[k] == l->ifindex;
                                above |= l->link && !l->link_other_ns && set[k] == l->link;
                        }
                        if (in)
                                continue;
                        /* l is the master of a member: l is above it */
                        for (size_t j = 0; j < st->n_links && !above; j++)
                                if (st->links[j].master == l->ifindex)
                                        for (size_t k = 0; k < n; k++)
                                                above |= set[k] == st->links[j].ifindex;
                        if (above) {
                                set[n++] = l->ifindex;
                                grew = true;
                        }
                }
        }
        for (size_t k = 0; k < n; k++)
                if (set[k] == x)
                        return true;
        return false;
}

static bool lock_held(const char *path) {
        int fd = openat(bg_rundir_fd(), path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        bool held = false;

        if (fd < 0)
                return false;
        if (flock(fd, LOCK_SH | LOCK_NB) < 0)
                held = errno == EWOULDBLOCK;
        close(fd);
        return held;
}

/* The bond (other than `self`) whose bondgend state file lists `port`. */
static bool other_bondgend_port(const char *self, const char *port, char bond[IFNAMSIZ]) {
        int dfd = openat(bg_rundir_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        struct dirent *e;
        bool found = false;

        if (!d) {
                if (dfd >= 0)
                        close(dfd);
                return false;
        }
        while (!found && (e = readdir(d))) {
                size_t len = strlen(e->d_name);
                char path[512], line[256];
                FILE *f;

                if (len <= 6 || len - 6 >= IFNAMSIZ || strcmp(e->d_name + len - 6, ".state"))
                        continue;
                if (!strncmp(e->d_name, self, len - 6) && strlen(self) == len - 6)
                        continue;
                /* a state file left by a run that died is not a live bond */
                snprintf(path, sizeof(path), "%.*s.lock", (int) (len - 6), e->d_name);
                if (!lock_held(path))
                        continue;
                f = bg_rundir_fopen(e->d_name, NULL, 0);
                if (!f)
                        continue;
                while (fgets(line, sizeof(line), f)) {
                        size_t w = strcspn(line, " \n");
                        if (line[0] != '#' && w == strlen(port) && !strncmp(line, port, w)) {
                                snprintf(bond, IFNAMSIZ, "%.*s", (int) (len - 6), e->d_name);
                                found = true;
                                break;
                        }
                }
                fclose(f);
        }
        closedir(d);
        return found;
}

int bg_port_admit(struct bg_nl *rtnl, const struct bg_fwd *b, const struct bg_nl_link *l, char *why,
                  size_t whylen) {
        struct bg_nl_state st = {};
        char other[IFNAMSIZ];
        int r = 0;

        why[0] = 0;
        if (l->ifindex == b->tap_ifindex || !strcmp(l->name, b->name)) {
                snprintf(why, whylen, "%s is the bond itself", l->name);
                return -EPERM;
        }
        if ((l->flags & IFF_LOOPBACK) || l->type == ARPHRD_LOOPBACK) {
                snprintf(why, whylen, "%s is a loopback device", l->name);
                return -EPERM;
        }
        if (l->type != ARPHRD_ETHER) {
                snprintf(why, whylen, "%s is not an Ethernet device (link type %u); a user-space bond carries "
                         "Ethernet frames only", l->name, l->type);
                return -EINVAL;
        }
        if (l->master) {
                char m[IFNAMSIZ];
                if (!if_indextoname((unsigned) l->master, m))
                        snprintf(m, sizeof(m), "ifindex %d", l->master);
                snprintf(why, whylen, "%s already has a master (%s): it is a port of another bond, bridge or team",
                         l->name, m);
                return -EBUSY;
        }
        if (other_bondgend_port(b->name, l->name, other)) {
                snprintf(why, whylen, "%s is a port of the user-space bond %s", l->name, other);
                return -EBUSY;
        }
        if (b->tap_ifindex > 0 && bg_nl_read_state(rtnl, &st) == 0) {
                if (stacked_on(&st, b->tap_ifindex, l->ifindex)) {
                        snprintf(why, whylen, "%s is stacked on %s; enslaving it would loop every frame", l->name,
                                 b->name);
                        r = -EBUSY;
                }
                bg_nl_state_free(&st);
        }
        return r;
}
