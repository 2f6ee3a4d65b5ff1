/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Reads fd (closed here) after checking it is a regular file. */
/* Read fd to its end into a NUL-terminated buffer, starting with room for
 * hint bytes; more than max is -EFBIG. The caller closes fd. sized: hint is
 * the size fstat(2) gave a regular file; a read that returns less than asked
 * and brings the total to exactly that size has met the end of the file
 * (read(2) is short on a regular file only there), which spares the read
 * that returns 0. A file that grew meanwhile is read on to its new end. */
static int read_all(int fd, size_t hint, bool sized, size_t max, char **out, size_t *len) {
        char *buf = NULL;
        size_t n = 0, cap = 0;

        for (;;) {
                size_t asked;
                ssize_t k;

                if (cap - n < 2) {
                        /* hint plus room for the terminating NUL and the
                         * read that sees EOF; more input doubles it */
                        size_t ncap = cap ? cap * 2 : hint + 64;
                        char *nb = realloc(buf, ncap);
                        if (!nb) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nb;
                        cap = ncap;
                }
                asked = cap - n - 1;
                k = read(fd, buf + n, asked);
                if (k < 0) {
                        int r = -errno;
                        if (errno == EINTR)
                                continue;
                        free(buf);
                        return r;
                }
                if (k == 0)
                        break;
                n += (size_t)k;
                if (n > max) {
                        free(buf);
                        return -EFBIG;
                }
                if (sized && hint > 0 && n == hint && (size_t)k < asked)
                        break;
        }
        buf[n] = 0;
        *out = buf;
        if (len)
                *len = n;
        return 0;
}

int bg_read_stream(int fd, size_t max, char **out, size_t *len) {
        return read_all(fd, 16384, false, max, out, len);
}

static int read_fd(int fd, size_t max, char **out, size_t *len) {
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                close(fd);
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        }
        if ((uintmax_t)st.st_size > max) {
                close(fd);
                return -EFBIG;
        }
        r = read_all(fd, (size_t)st.st_size, true, max, out, len);
        close(fd);
        return r;
}

#define READ_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int bg_read_file(const char *path, size_t max, char **out, size_t *len) {
        int fd = open(path, READ_FLAGS);

        if (fd < 0)
                return -errno;
        return read_fd(fd, max, out, len);
}

int bg_read_file_at(int rootfd, const char *rel, size_t max, char **out, size_t *len) {
        int fd = bg_open_in_root(rootfd, rel, READ_FLAGS);

        if (fd < 0)
                return fd;
        return read_fd(fd, max, out, len);
}

const char *bg_read_strerror(int r) {
        switch (r) {
        case -EINVAL: return "not a regular file (a FIFO, socket or device is never read)";
        case -ELOOP: return "too many levels of symbolic links (a loop?)";
        case -EFBIG: return "file too large";
        default: return strerror(-r);
        }
}

static bool force_walk;

void bg_open_in_root_force_walk(bool on) {
        force_walk = on;
}

/* Symlinks followed per lookup before -ELOOP, as the kernel's MAXSYMLINKS. */
#define WALK_MAX_LINKS 40

/*
 * User-space RESOLVE_IN_ROOT for kernels without openat2(2): walk the path
 * one component at a time with O_PATH|O_NOFOLLOW, expand symlinks by hand
 * (absolute targets restart at rootfd) and keep ".." from climbing above
 * the root by tracking the depth. The remaining path lives at the end of a
 * buffer and is consumed from the front; a link's target is prepended.
 */
static int walk_in_root(int rootfd, const char *rel, int flags) {
        char buf[2 * PATH_MAX];
        size_t pos, links = 0;
        int *stack = NULL, depth = 0, cap = 0, r;

        if (strlen(rel) >= PATH_MAX)
                return -ENAMETOOLONG;
        pos = sizeof(buf) - strlen(rel) - 1;
        strcpy(buf + pos, rel);
        for (;;) {
                char name[NAME_MAX + 1];
                const char *p = buf + pos, *end;
                int cur = depth ? stack[depth - 1] : rootfd, fd;
                size_t l;
                struct stat st;

                while (*p == '/')
                        p++;
                if (!*p) {
                        /* The path ends in a directory (or is empty). */
                        fd = openat(cur, ".", flags | O_CLOEXEC);
                        r = fd < 0 ? -errno : fd;
                        goto out;
                }
                end = strchrnul(p, '/');
                l = (size_t)(end - p);
                if (l > NAME_MAX) {
                        r = -ENAMETOOLONG;
                        goto out;
                }
                memcpy(name, p, l);
                name[l] = 0;
                pos = (size_t)(end - buf);
                if (!strcmp(name, "."))
                        continue;
                if (!strcmp(name, "..")) {
                        if (depth)
                                close(stack[--depth]);
                        continue;
                }
                bool last = !buf[pos + strspn(buf + pos, "/")];
                fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        r = -errno;
                        goto out;
                }
                if (fstat(fd, &st) < 0) {
                        r = -errno;
                        close(fd);
                        goto out;
                }
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t tl = readlinkat(fd, "", target, sizeof(target) - 1);
                        close(fd);
                        if (tl < 0) {
                                r = -errno;
                                goto out;
                        }
                        if (++links > WALK_MAX_LINKS) {
                                r = -ELOOP;
                                goto out;
                        }
                        if (tl == 0) {
                                r = -ENOENT;
                                goto out;
                        }
                        if ((size_t)tl > pos) {
                                r = -ENAMETOOLONG;
                                goto out;
                        }
                        /* The rest starts with '/' or is empty: target + rest. */
                        pos -= (size_t)tl;
                        memcpy(buf + pos, target, (size_t)tl);
                        if (target[0] == '/')
                                while (depth)
                                        close(stack[--depth]);
                        continue;
                }
                if (last) {
                        close(fd);
                        fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
                        /* Swapped for a symlink since the check: walk again. */
                        if (fd < 0 && errno == ELOOP && ++links <= WALK_MAX_LINKS) {
                                pos -= l;
                                continue;
                        }
                        r = fd < 0 ? -errno : fd;
                        goto out;
                }
                if (!S_ISDIR(st.st_mode)) {
                        close(fd);
                        r = -ENOTDIR;
                        goto out;
                }
                if (depth == cap) {
                        int *ns = realloc(stack, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*ns));
                        if (!ns) {
                                close(fd);
                                r = -ENOMEM;
                                goto out;
                        }
                        stack = ns;
                }
                stack[depth++] = fd;
        }
out:
        while (depth)
                close(stack[--depth]);
        free(stack);
        return r;
}

int bg_open_in_root(int rootfd, const char *rel, int flags) {
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (!force_walk) {
                fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
                if (fd >= 0)
                        return fd;
                /* EAGAIN: a rename raced the lookup; the walk does not care. */
                if (errno != ENOSYS && errno != EPERM && errno != EAGAIN)
                        return -errno;
        }
        return walk_in_root(rootfd, rel, flags);
}

void bg_dircache_close(struct bg_dircache *dc) {
        if (dc->rel)
                close(dc->fd);
        free(dc->rel);
        dc->rel = NULL;
}

int bg_read_file_cached(int rootfd, struct bg_dircache *dc, const char *rel, size_t max, char **out,
                        size_t *len) {
        const char *slash = strrchr(rel, '/');
        size_t dlen = slash ? (size_t)(slash - rel) : 0;
        struct open_how how = {
                .flags = (uint64_t)(READ_FLAGS | O_CLOEXEC),
                /* a plain entry only: a symlink or ".." goes the long way */
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (force_walk || !slash || !slash[1] || dlen == 0)
                return bg_read_file_at(rootfd, rel, max, out, len);
        if (!dc->rel || strncmp(dc->rel, rel, dlen) || dc->rel[dlen]) {
                bg_dircache_close(dc);
                if (!(dc->rel = strndup(rel, dlen)))
                        return -ENOMEM;
                fd = bg_open_in_root(rootfd, dc->rel, O_PATH | O_DIRECTORY);
                if (fd < 0) {
                        free(dc->rel);
                        dc->rel = NULL;
                        return bg_read_file_at(rootfd, rel, max, out, len);
                }
                dc->fd = fd;
        }
        fd = (int)syscall(SYS_openat2, dc->fd, slash + 1, &how, sizeof(how));
        if (fd >= 0)
                return read_fd(fd, max, out, len);
        /* The directory was found inside the root, so a missing entry is
         * missing either way; any other error is resolved from the root. */
        if (errno == ENOENT)
                return -ENOENT;
        return bg_read_file_at(rootfd, rel, max, out, len);
}

int bg_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         bool overwrite) {
        char tmp[PATH_MAX];
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        int dirlen = slash ? (int)(slash - path + 1) : 0;
        const char *p = data;
        int fd, r = 0;

        if (snprintf(tmp, sizeof(tmp), "%.*s.#%s.XXXXXX", dirlen, path, base) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto fail;
                }
                p += k;
                len -= (size_t)k;
        }
        if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        if (close(fd) < 0) {
                fd = -1;
                r = -errno;
                goto fail;
        }
        fd = -1;
        if (overwrite) {
                if (rename(tmp, path) < 0) {
                        r = -errno;
                        goto fail;
                }
        } else {
                /* link(2) fails with EEXIST instead of replacing the target. */
                if (link(tmp, path) < 0) {
                        r = -errno;
                        goto fail;
                }
                unlink(tmp);
        }
        /* The rename itself on disk too: the directory's entry. */
        {
                char dir[PATH_MAX];
                int dfd;

                snprintf(dir, sizeof(dir), "%.*s", dirlen ? dirlen : 1, dirlen ? path : ".");
                dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0) {
                        (void) fsync(dfd);
                        close(dfd);
                }
        }
        return 0;
fail:
        if (fd >= 0)
                close(fd);
        unlink(tmp);
        return r;
}

int bg_mkdir_p(const char *path, mode_t mode) {
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, path, n + 1);
        for (char *s = buf + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* FNV-1a over the name. */
static size_t name_hash(const char *s) {
        size_t h = (size_t)14695981039346656037ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
        return h;
}

static size_t nameidx_slot(const char **key, size_t cap, const char *k) {
        size_t h = name_hash(k) & (cap - 1);
        while (key[h] && strcmp(key[h], k))
                h = (h + 1) & (cap - 1);
        return h;
}

int bg_nameidx_put(struct bg_nameidx *x, const char *key, size_t val) {
        size_t h;

        if ((x->n + 1) * 2 > x->cap) {
                size_t cap = x->cap ? x->cap * 2 : 64;
                const char **nk = calloc(cap, sizeof(*nk));
                size_t *nv = calloc(cap, sizeof(*nv));
                if (!nk || !nv) {
                        free(nk);
                        free(nv);
                        return -ENOMEM;
                }
                for (size_t i = 0; i < x->cap; i++)
                        if (x->key[i]) {
                                h = nameidx_slot(nk, cap, x->key[i]);
                                nk[h] = x->key[i];
                                nv[h] = x->val[i];
                        }
                free(x->key);
                free(x->val);
                x->key = nk;
                x->val = nv;
                x->cap = cap;
        }
        h = nameidx_slot(x->key, x->cap, key);
        if (!x->key[h])
                x->n++;
        x->key[h] = key;
        x->val[h] = val;
        return 0;
}

bool bg_nameidx_get(const struct bg_nameidx *x, const char *key, size_t *val) {
        size_t h;

        if (!x->cap || !key)
                return false;
        h = nameidx_slot(x->key, x->cap, key);
        if (!x->key[h])
                return false;
        if (val)
                *val = x->val[h];
        return true;
}

void bg_nameidx_free(struct bg_nameidx *x) {
        free(x->key);
        free(x->val);
        *x = (struct bg_nameidx){ 0 };
}

int bg_run(char *const argv[], bool quiet) {
        pid_t pid = fork();
        int st;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0) {
                        dup2(fd, STDIN_FILENO);
                        if (quiet) {
                                dup2(fd, STDOUT_FILENO);
                                dup2(fd, STDERR_FILENO);
                        }
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
