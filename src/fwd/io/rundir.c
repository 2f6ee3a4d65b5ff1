/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bondgend's run directory: checked once, then used through its fd (rundir.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwd/io/core.h"
#include "fwd/io/rundir.h"
#include "util/util.h"

static int rundir_fd = -EBADF;

static bool trusted_owner(uid_t uid) {
        return uid == 0 || uid == geteuid();
}

int bg_rundir_open(char *why, size_t whylen) {
        const char *dir = bg_rundir();
        struct stat st;
        int fd, r;

        if (rundir_fd >= 0)
                return rundir_fd;
        r = bg_mkdir_p(dir, 0755);
        if (r < 0)
                return r;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        /* Checked on the open directory: what is used is what was checked. */
        if (!trusted_owner(st.st_uid) || (st.st_mode & 022)) {
                if (why)
                        snprintf(why, whylen,
                                 "%s: refused: the run directory must be owned by root%s and writable by no one "
                                 "else (owner %u, mode %04o)", dir,
                                 geteuid() ? " or bondgend's own user" : "", (unsigned) st.st_uid,
                                 (unsigned) (st.st_mode & 07777));
                close(fd);
                return -EPERM;
        }
        rundir_fd = fd;
        return fd;
}

int bg_rundir_fd(void) {
        return rundir_fd;
}

FILE *bg_rundir_fopen(const char *name, char *why, size_t whylen) {
        struct stat st;
        FILE *f;
        int fd;

        if (rundir_fd < 0) {
                errno = EBADF;
                return NULL;
        }
        fd = openat(rundir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        if (fstat(fd, &st) < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return NULL;
        }
        if (!S_ISREG(st.st_mode) || !trusted_owner(st.st_uid) || (st.st_mode & 022)) {
                if (why)
                        snprintf(why, whylen, "%s/%s: refused: not a regular file owned by root%s and writable "
                                 "by no one else (owner %u, mode %04o)", bg_rundir(), name,
                                 geteuid() ? " or bondgend's own user" : "", (unsigned) st.st_uid,
                                 (unsigned) (st.st_mode & 07777));
                close(fd);
                errno = EPERM;
                return NULL;
        }
        f = fdopen(fd, "re");
        if (!f)
                close(fd);
        return f;
}

int bg_rundir_sockaddr(const char *name, struct sockaddr_un *sa) {
        static int have_proc = -1;
        size_t n;

        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        if (have_proc < 0)
                have_proc = access("/proc/self/fd", X_OK) == 0;
        if (rundir_fd >= 0 && have_proc)
                n = (size_t) snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", rundir_fd, name);
        else
                n = (size_t) snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", bg_rundir(), name);
        return n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}
