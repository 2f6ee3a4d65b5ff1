/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Small libc-only helpers shared by every module. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define BG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void bg_freep(void *p) {
        extern void free(void *);
        free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(bg_freep)))

/* Read a whole file (at most max bytes; -EFBIG beyond) into a NUL-terminated
 * malloc'd buffer. Returns 0 or a negative errno. Only regular files are
 * read: the file is opened with O_NONBLOCK (a FIFO never blocks the open)
 * and checked with fstat(2) after opening: -EISDIR for a directory, -EINVAL
 * for a FIFO, socket or device. */
int bg_read_file(const char *path, size_t max, char **out, size_t *len);
/* Any open fd (a pipe too: standard input) read to its end the same way;
 * the caller keeps and closes fd. */
int bg_read_stream(int fd, size_t max, char **out, size_t *len);
/* The same for rel resolved inside the directory rootfd as if it were "/":
 * absolute symlinks and ".." never leave it (openat2(2) RESOLVE_IN_ROOT, or
 * an equivalent walk in user space on kernels before 5.6). A symlink loop
 * is -ELOOP. */
int bg_read_file_at(int rootfd, const char *rel, size_t max, char **out, size_t *len);
/* bg_read_file_at() for many files of a few directories: the directory of
 * the last file read stays open in *dc, and the next file of the same
 * directory is opened relative to it when it is a plain entry (no symlink);
 * anything else is resolved from rootfd as bg_read_file_at() does, so the
 * result is the same, with a shorter lookup. bg_dircache_close() at the end. */
struct bg_dircache {
        char *rel;      /* the directory, relative to the root; NULL = none open */
        int fd;
};
int bg_read_file_cached(int rootfd, struct bg_dircache *dc, const char *rel, size_t max, char **out,
                        size_t *len);
void bg_dircache_close(struct bg_dircache *dc);
/* open(2) flags for rel inside rootfd as above; O_CLOEXEC is added. */
int bg_open_in_root(int rootfd, const char *rel, int flags);
/* Test hook: force the user-space walk instead of openat2(2). */
void bg_open_in_root_force_walk(bool on);
/* What a bg_read_file*() error means, for a diagnostic. */
const char *bg_read_strerror(int r);

/* Write data to path atomically: a temporary file in the same directory,
 * fsync, then rename (or link(2) when !overwrite, so an existing file is
 * never replaced: -EEXIST). Parent directories are not created. */
int bg_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         bool overwrite);

/* bg_write_file_atomic(..., overwrite) inside the directory dirfd: name is
 * a file name there; neither the temporary file nor name is followed if
 * it is a symbolic link (the rename replaces a link itself). */
int bg_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);

/* One file of a set for bg_write_set_atomic(). name: a plain file name
 * (no '/', not starting with '.'). */
struct bg_out_file {
        const char *name;
        const void *data;
        size_t len;
        mode_t mode;
};

/* Write files into dir as one set (outset.c says how): all of them or, on
 * any error, none, with dir as it was. dir is created (with its parents)
 * when missing. Without overwrite an existing file of the set is -EEXIST;
 * with it, existing files of those names are replaced; other files in dir
 * are never touched. Runs into one dir take turns (flock(2) on its
 * parent). *what: the file an error is about, NULL for dir itself.
 * Errors: -EINVAL (a bad name), -EEXIST, -EISDIR (a directory where a file
 * of the set goes), -ENOTDIR (dir is not a directory), other -errno. */
int bg_write_set_atomic(const char *dir, const struct bg_out_file *files, size_t n, bool overwrite,
                        const char **what);
/* Test hook: the step-th write or rename of the next calls fails (-EIO);
 * -1 turns it off. */
void bg_write_set_fail_at(int step);

/* mkdir -p with the given mode for created directories. */
int bg_mkdir_p(const char *path, mode_t mode);

/* Is there a bonding driver for kernel `release` on the system under root
 * (NULL or "/": this one)? Loaded, built in (modules.builtin), or a module
 * modprobe can load (bonding.ko* in the module tree or in modules.dep). */
bool bg_have_bonding_driver(const char *root, const char *release);

/* Run argv (searched in PATH) with stdin on /dev/null, and stdout and
 * stderr too when quiet, and wait for it: its exit status, 127 when it
 * cannot be run, 128 when a signal ended it, -errno when fork or wait
 * failed. */
int bg_run(char *const argv[], bool quiet);

/* Name -> index map (open addressing) for lookups that must stay O(1) in
 * trees with tens of thousands of files. Keys are borrowed: they must stay
 * valid and unchanged while in the map. Zero-initialise; free with
 * bg_nameidx_free(). */
struct bg_nameidx {
        const char **key;
        size_t *val;
        size_t n, cap;
};
int bg_nameidx_put(struct bg_nameidx *x, const char *key, size_t val);   /* replaces */
bool bg_nameidx_get(const struct bg_nameidx *x, const char *key, size_t *val);
void bg_nameidx_free(struct bg_nameidx *x);

/* JSON output: s as a quoted, escaped string; key as a member name made of
 * its lower-case letters and digits, other runs turned into one '_' ("MII
 * Status" -> "mii_status"), followed by ':'. */
void bg_json_str(FILE *f, const char *s);
void bg_json_key(FILE *f, const char *key);
/* A value from a status text: a JSON number when it is a decimal integer
 * ("-3", "100"; no leading zeros), else a string. */
void bg_json_value(FILE *f, const char *v);
