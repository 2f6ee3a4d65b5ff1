/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One bondgend per bond, and what outlives a run: the instance lock and
 * the run directory, and the bond device (the TAP) kept between runs by
 * the service manager's fd store or by TUNSETPERSIST.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "config.h"
#include "fwd/io/core-int.h"
#include "fwd/io/rundir.h"

/* One bondgend per bond: an exclusive lock on RUNDIR/BOND.lock, taken
 * before the state file of an earlier run is read, so a second instance
 * never "restores" the ports a live first one is driving. The kernel drops
 * the lock with the process, however it ends. */
int bg_core_take_instance_lock(struct bg_core *c, const char *name) {
        char path[32];
        int fd;

        if ((size_t) snprintf(path, sizeof(path), "%s.lock", name) >= sizeof(path))
                return -ENAMETOOLONG;
        fd = openat(bg_rundir_fd(), path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;
                close(fd);
                return r;
        }
        c->lock_fd = fd;
        return 0;
}

const char *bg_rundir(void) {
        const char *e = getenv("BONDGEN_RUNDIR");

        return e && *e == '/' ? e : BG_RUNDIR;
}

void bg_core_recover_log(const char *msg) {
        fprintf(stderr, "bondgend: %s\n", msg);
}

/* The TAP fd kept for us by the service manager (FDSTORE=1, passed back
 * as LISTEN_FDS with the name "tap"), or -1; those of bondgend's VLAN
 * devices ("vtap-NAME") are kept aside for bg_core_take_kept(). */
static int stored_tap_fd(struct bg_core *c) {
        char **names = NULL;
        int n = sd_listen_fds_with_names(true, &names), fd = -1;

        for (int i = 0; i < n; i++) {
                const char *nm = names ? names[i] : NULL;
                if (fd < 0 && nm && !strcmp(nm, "tap"))
                        fd = SD_LISTEN_FDS_START + i;
                else if (nm && !strncmp(nm, "vtap-", 5) && strlen(nm + 5) < 16 && c->n_kept < BG_FWD_MAX_VLANS) {
                        c->kept_fd[c->n_kept] = SD_LISTEN_FDS_START + i;
                        strcpy(c->kept_name[c->n_kept++], nm + 5);
                } else
                        close(SD_LISTEN_FDS_START + i);
        }
        if (names)
                for (int i = 0; names[i]; i++)
                        free(names[i]);
        free(names);
        return fd;
}

int bg_core_take_kept(struct bg_core *c, const char *name) {
        for (size_t i = 0; i < c->n_kept; i++)
                if (!strcmp(c->kept_name[i], name)) {
                        int fd = c->kept_fd[i];
                        c->kept_fd[i] = c->kept_fd[--c->n_kept];
                        memcpy(c->kept_name[i], c->kept_name[c->n_kept], 16);
                        return fd;
                }
        return -1;
}

/* Who keeps the bond device between runs. Under systemd with a file
 * descriptor store (the unit sets FileDescriptorStoreMax=), the service
 * manager holds a TAP fd for as long as the unit is not stopped: restarts,
 * crashes and watchdog kills keep the device and whatever is stacked on
 * it, and `systemctl stop` deletes it. Run by hand, the TAP is persistent
 * (TUNSETPERSIST), so a crash leaves it for the next run, and a stop by
 * signal deletes it. */
bool bg_core_have_fdstore(void) {
        const char *e = getenv("FDSTORE");

        return getenv("NOTIFY_SOCKET") && !(e && atoi(e) == 0);
}

int bg_core_open_tap(struct bg_core *c, const char *name) {
        struct bg_fwd *b = &c->bond;
        bool existed = bg_fwd_link_ifindex(name) > 0;
        int fd = stored_tap_fd(c), r;

        c->fdstore = bg_core_have_fdstore();
        /* the TAP the last bondgend handed over (handover.c) */
        if (fd >= 0 && c->handed_tap >= 0)
                close(c->handed_tap);
        else if (fd < 0)
                fd = c->handed_tap;
        c->handed_tap = -1;
        if (fd >= 0) {
                r = bg_tap_adopt(fd, name, &b->tap_ifindex);
                if (r < 0) {
                        close(fd);
                        return r;
                }
                c->reattached = true;
        } else {
                fd = bg_tap_open(name, &b->tap_ifindex);
                if (fd < 0)
                        return fd;
                c->reattached = existed;
                if (c->fdstore) {
                        r = sd_pid_notify_with_fds(0, false, "FDSTORE=1\nFDNAME=tap", &fd, 1);
                        if (r <= 0)
                                c->fdstore = false;
                }
        }
        b->tap_fd = fd;
        r = bg_tap_set_persist(fd, !c->fdstore);
        if (r < 0)
                return r;
        if (c->reattached)
                bg_core_log(c, LOG_INFO, "reattached to the existing bond device %s%s; port counters start from zero",
                            name, c->took_over ? " (handed over)" : c->fdstore ? " (kept by the service manager)" : "");
        return 0;
}

