/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int bg_read_file(const char *path, size_t max, char **out, size_t *len) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char *buf = NULL;
        size_t n = 0, cap = 0;

        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t k;

                if (cap - n < 4096 + 1) {
                        size_t ncap = cap ? cap * 2 : 8192;
                        char *nb = realloc(buf, ncap);
                        if (!nb) {
                                free(buf);
                                close(fd);
                                return -ENOMEM;
                        }
                        buf = nb;
                        cap = ncap;
                }
                k = read(fd, buf + n, cap - n - 1);
                if (k < 0) {
                        int r = -errno;
                        if (errno == EINTR)
                                continue;
                        free(buf);
                        close(fd);
                        return r;
                }
                if (k == 0)
                        break;
                n += (size_t)k;
                if (n > max) {
                        free(buf);
                        close(fd);
                        return -EFBIG;
                }
        }
        close(fd);
        buf[n] = 0;
        *out = buf;
        if (len)
                *len = n;
        return 0;
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
