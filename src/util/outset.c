/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A set of files written into a directory as one unit (`bondgen convert
 * --format networkd|netplan|keyfile -o DIR`).
 *
 * Every file is first written and fsync()ed into a staging directory on
 * the target's file system; only when all of them are on disk does the
 * set move in, so a full disk, a write error or a refusal leaves the
 * target as it was and the staging directory is removed.
 *
 * - DIR missing: the staging directory is made beside it and renamed to
 *   DIR with renameat2(RENAME_NOREPLACE): one step, and a DIR that
 *   appeared meanwhile is never replaced.
 * - DIR present: it may hold files that are not ours (e.g.
 *   /etc/systemd/network), so DIR itself is never swapped. The staging
 *   directory is made inside it (a hidden subdirectory: same file system
 *   even when DIR is a mount point) and each file is renamed in;
 *   a file that exists is swapped with renameat2(RENAME_EXCHANGE), so
 *   the old one sits in the staging directory until the end and a
 *   failure part-way swaps every file back. Files of other names are
 *   never touched.
 * - The whole operation holds flock(2) on DIR's parent directory, which
 *   exists in both cases, so two runs into one DIR take turns and every
 *   file of the result comes from the same run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int fail_at = -1;

void bg_write_set_fail_at(int step) {
        fail_at = step;
}

/* Fault injection for the unit test: the step-th write or rename fails. */
static bool inject(int *step) {
        return fail_at >= 0 && (*step)++ == fail_at;
}

static bool flat_name(const char *n) {
        return *n && *n != '.' && !strchr(n, '/') && strlen(n) <= NAME_MAX - 5;
}

/* dir without trailing '/' split into its parent and last component;
 * ".", ".." and "/" are resolved first (they have no parent to lock). */
static int split(const char *dir, char **parent, char **base) {
        char *p = strdup(dir), *slash;
        size_t l;

        if (!p)
                return -ENOMEM;
        l = strlen(p);
        while (l > 1 && p[l - 1] == '/')
                p[--l] = 0;
        slash = strrchr(p, '/');
        const char *b = slash ? slash + 1 : p;
        if (!*b || !strcmp(b, ".") || !strcmp(b, "..")) {
                char *rp = realpath(p, NULL);
                free(p);
                if (!rp)
                        return -errno;
                if (!strcmp(rp, "/")) {
                        free(rp);
                        return -EISDIR;   /* "/" itself: no parent, not a bondgen output */
                }
                p = rp;
                slash = strrchr(p, '/');
        }
        if (!slash) {
                *parent = strdup(".");
                *base = p;
        } else {
                *base = strdup(slash + 1);
                if (slash == p)
                        slash[1] = 0;
                else
                        *slash = 0;
                *parent = p;
        }
        if (!*parent || !*base) {
                if (*parent != p)
                        free(*parent);
                if (*base != p)
                        free(*base);
                free(p);
                return -ENOMEM;
        }
        return 0;
}

static int write_one(int dfd, const struct bg_out_file *f, int *step) {
        const char *p = f->data;
        size_t len = f->len;
        int fd, r = 0;

        fd = openat(dfd, f->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (inject(step))
                r = -EIO;
        while (!r && len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                } else {
                        p += k;
                        len -= (size_t)k;
                }
        }
        if (!r && (fchmod(fd, f->mode) < 0 || fsync(fd) < 0))
                r = -errno;
        if (close(fd) < 0 && !r)
                r = -errno;
        return r;
}

/* Empty the staging directory (flat: our files and the old ones swapped
 * out) and remove it. */
static void remove_stage(int pfd, const char *name) {
        int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d;
        struct dirent *de;

        if (fd >= 0 && (d = fdopendir(fd))) {
                while ((de = readdir(d)))
                        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                                (void) unlinkat(dirfd(d), de->d_name, 0);
                closedir(d);
        } else if (fd >= 0)
                close(fd);
        (void) unlinkat(pfd, name, AT_REMOVEDIR);
}

/* mkdtemp(3) relative to a directory fd: name is "PREFIX" + 6 random
 * characters, returned in buf. */
static int make_stage(int pfd, const char *prefix, char *buf, size_t size) {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        unsigned seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)buf;

        for (int tries = 0; tries < 100; tries++) {
                struct timespec ts;
                int n;

                clock_gettime(CLOCK_MONOTONIC, &ts);
                seed = seed * 1103515245u + 12345u + (unsigned)ts.tv_nsec;
                n = snprintf(buf, size, "%s", prefix);
                if (n < 0 || (size_t)n + 7 > size)
                        return -ENAMETOOLONG;
                for (int i = 0; i < 6; i++)
                        buf[n + i] = chars[(seed >> (i * 5)) % (sizeof(chars) - 1)];
                buf[n + 6] = 0;
                if (mkdirat(pfd, buf, 0700) == 0)
                        return 0;
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

static int write_all(int sfd, const struct bg_out_file *files, size_t n, int *step, const char **what) {
        for (size_t i = 0; i < n; i++) {
                int r = write_one(sfd, &files[i], step);
                if (r < 0) {
                        *what = files[i].name;
                        return r;
                }
        }
        return fsync(sfd) < 0 ? -errno : 0;
}

/* Swap the old file at name out of the way: RENAME_EXCHANGE, or where
 * the file system lacks it, a hard link to it in the staging directory
 * before the plain rename replaces it. *how: 1 exchanged, 2 linked. */
static int replace_one(int sfd, int dfd, const char *name, int *how) {
        char old[NAME_MAX + 1];

        if (renameat2(sfd, name, dfd, name, RENAME_EXCHANGE) == 0) {
                *how = 1;
                return 0;
        }
        if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS)
                return -errno;
        snprintf(old, sizeof(old), ".old-%s", name);
        if (linkat(dfd, name, sfd, old, 0) < 0)
                return -errno;
        if (renameat(sfd, name, dfd, name) < 0) {
                int r = -errno;
                (void) unlinkat(sfd, old, 0);
                return r;
        }
        *how = 2;
        return 0;
}

static void undo_one(int sfd, int dfd, const char *name, int how) {
        char old[NAME_MAX + 1];

        switch (how) {
        case 1:
                (void) renameat2(sfd, name, dfd, name, RENAME_EXCHANGE);
                break;
        case 2:
                snprintf(old, sizeof(old), ".old-%s", name);
                (void) renameat(sfd, old, dfd, name);
                break;
        case 3:
                (void) renameat(dfd, name, sfd, name);
                break;
        }
}

/* DIR exists: check, stage inside it, move the files in one by one. */
static int into_existing(int dfd, const struct bg_out_file *files, size_t n, bool force, int *step,
                         const char **what) {
        char stage[64];
        int *how = calloc(n ? n : 1, sizeof(*how)), sfd = -1, r;
        size_t done = 0;

        if (!how)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct stat st;

                if (fstatat(dfd, files[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        r = -errno;
                } else if (!force)
                        r = -EEXIST;
                else if (S_ISDIR(st.st_mode))
                        r = -EISDIR;      /* --force replaces files, never a directory */
                else
                        continue;
                *what = files[i].name;
                free(how);
                return r;
        }
        if ((r = make_stage(dfd, ".bondgen-", stage, sizeof(stage))) < 0) {
                free(how);
                return r;
        }
        sfd = openat(dfd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0) {
                r = -errno;
                goto out;
        }
        if ((r = write_all(sfd, files, n, step, what)) < 0)
                goto out;
        for (done = 0; done < n; done++) {
                const char *name = files[done].name;

                if (inject(step))
                        r = -EIO;
                else if (renameat2(sfd, name, dfd, name, RENAME_NOREPLACE) == 0)
                        how[done] = 3;
                else if (errno == EEXIST && force)
                        r = replace_one(sfd, dfd, name, &how[done]);
                else
                        r = -errno;
                if (r < 0) {
                        *what = name;
                        break;
                }
        }
        if (r == 0 && fsync(dfd) < 0)
                r = -errno;
        if (r < 0)
                while (done > 0) {
                        done--;
                        undo_one(sfd, dfd, files[done].name, how[done]);
                }
out:
        if (sfd >= 0)
                close(sfd);
        remove_stage(dfd, stage);
        free(how);
        return r;
}

/* DIR missing: stage beside it and rename the staging directory to DIR. */
static int as_new_dir(int pfd, const char *base, const struct bg_out_file *files, size_t n, int *step,
                      const char **what) {
        char stage[NAME_MAX + 1], prefix[NAME_MAX + 1];
        mode_t um = umask(0);
        int sfd, r;

        umask(um);
        if (snprintf(prefix, sizeof(prefix), ".%.*s.bondgen-", NAME_MAX - 20, base) < 0)
                return -ENAMETOOLONG;
        if ((r = make_stage(pfd, prefix, stage, sizeof(stage))) < 0)
                return r;
        sfd = openat(pfd, stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
                r = -errno;
        else if ((r = write_all(sfd, files, n, step, what)) == 0 && fchmod(sfd, 0755 & ~um) < 0)
                r = -errno;
        if (r == 0 && inject(step))
                r = -EIO;
        if (r == 0 && renameat2(pfd, stage, pfd, base, RENAME_NOREPLACE) < 0)
                r = -errno;
        if (r == 0 && fsync(pfd) < 0)
                r = -errno;
        if (sfd >= 0)
                close(sfd);
        if (r < 0)
                remove_stage(pfd, stage);
        return r;
}

int bg_write_set_atomic(const char *dir, const struct bg_out_file *files, size_t n, bool force,
                        const char **what) {
        char *parent = NULL, *base = NULL;
        int pfd = -1, dfd, step = 0, r;
        struct stat st;

        *what = NULL;
        for (size_t i = 0; i < n; i++)
                if (!flat_name(files[i].name)) {
                        *what = files[i].name;
                        return -EINVAL;
                }
        if ((r = split(dir, &parent, &base)) < 0)
                return r;
        if ((r = bg_mkdir_p(parent, 0755)) < 0)
                goto out;
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0) {
                r = -errno;
                goto out;
        }
        while (flock(pfd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        r = -errno;
                        goto out;
                }
        if (fstatat(pfd, base, &st, 0) < 0) {
                r = errno == ENOENT ? as_new_dir(pfd, base, files, n, &step, what) : -errno;
                goto out;
        }
        if (!S_ISDIR(st.st_mode)) {
                r = -ENOTDIR;
                goto out;
        }
        dfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                r = -errno;
                goto out;
        }
        r = into_existing(dfd, files, n, force, &step, what);
        close(dfd);
out:
        if (pfd >= 0)
                close(pfd);   /* drops the lock */
        free(parent);
        free(base);
        return r;
}

/* The state file of bondgend and the like: one file, by a directory fd. */
int bg_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode) {
        char tmp[NAME_MAX + 1];
        int r, step = 0;

        if (!flat_name(name))
                return -EINVAL;
        if ((size_t) snprintf(tmp, sizeof(tmp), ".#%s.tmp", name) >= sizeof(tmp))
                return -ENAMETOOLONG;
        (void) unlinkat(dirfd, tmp, 0);   /* left by a run that died */
        r = write_one(dirfd, &(struct bg_out_file) { tmp, data, len, mode }, &step);
        if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dirfd, tmp, 0);
        else
                (void) fsync(dirfd);   /* the entry too; the file is complete either way */
        return r;
}
