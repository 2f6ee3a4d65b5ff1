/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Only regular files are read, never blocking; paths stay inside a root. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static char root[64];
static int rootfd = -1;

static void mk(const char *rel, const char *text) {
        char p[256];
        FILE *f;
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        cr_assert_not_null(f = fopen(p, "w"), "%s", p);
        fputs(text, f);
        fclose(f);
}

static void ln(const char *target, const char *rel) {
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        cr_assert_eq(symlink(target, p), 0, "%s: %m", p);
}

static void setup(void) {
        char p[256];
        strcpy(root, "/tmp/bg-util-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
        snprintf(p, sizeof(p), "%s/etc", root);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/etc/sub", root);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/etc/fifo", root);
        cr_assert_eq(mkfifo(p, 0644), 0);
        mk("etc/real", "inside\n");
        mk("etc/sub/deep", "deep\n");
        ln("/etc/real", "etc/abs");                /* absolute: the root's /etc/real */
        ln("../../../../../../etc/real", "etc/up");  /* climbs: clamped at the root */
        ln("sub/../real", "etc/rel");
        ln("/etc/sub", "etc/dirlink");
        ln("loop2", "etc/loop1");
        ln("/etc/loop1", "etc/loop2");
        ln("/etc/fifo", "etc/tofifo");
        ln("/etc/passwd-does-not-exist-here", "etc/host");
        rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(rootfd, 0);
        bg_open_in_root_force_walk(false);
}

static void teardown(void) {
        char cmd[128];
        close(rootfd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        (void) !system(cmd);
        bg_open_in_root_force_walk(false);
}

TestSuite(util, .init = setup, .fini = teardown, .timeout = 20);

/* Non-NULL: read through bg_read_file_cached() with this cache. */
static struct bg_dircache *cache;

static int rd(const char *rel, char **out) {
        size_t len;
        *out = NULL;
        if (cache)
                return bg_read_file_cached(rootfd, cache, rel, 1 << 20, out, &len);
        return bg_read_file_at(rootfd, rel, 1 << 20, out, &len);
}

static void check_resolution(void) {
        char *d;

        cr_assert_eq(rd("etc/real", &d), 0);
        cr_expect_str_eq(d, "inside\n");
        free(d);
        cr_assert_eq(rd("etc/abs", &d), 0, "an absolute link resolves inside the root");
        cr_expect_str_eq(d, "inside\n");
        free(d);
        cr_assert_eq(rd("etc/up", &d), 0, "'..' never climbs above the root");
        cr_expect_str_eq(d, "inside\n");
        free(d);
        cr_assert_eq(rd("etc/rel", &d), 0);
        free(d);
        cr_assert_eq(rd("etc/dirlink/deep", &d), 0, "a link to a directory in the middle of the path");
        cr_expect_str_eq(d, "deep\n");
        free(d);
        cr_expect_eq(rd("/etc/real", &d), 0, "a leading '/' means the root");
        free(d);
        cr_expect_eq(rd("etc/loop1", &d), -ELOOP);
        cr_expect_eq(rd("etc/host", &d), -ENOENT, "the host's file is never reached");
        cr_expect_eq(rd("etc/sub", &d), -EISDIR);
        cr_expect_eq(rd("etc/dirlink", &d), -EISDIR);
        cr_expect_eq(rd("etc/fifo", &d), -EINVAL, "a FIFO is refused without blocking");
        cr_expect_eq(rd("etc/tofifo", &d), -EINVAL);
        cr_expect_eq(rd("etc/real/x", &d), -ENOTDIR);
}

Test(util, openat2_in_root) {
        check_resolution();
}

Test(util, walk_in_root_without_openat2) {
        bg_open_in_root_force_walk(true);
        check_resolution();
}

/* The directory kept open gives the same answers, and each file of a
 * directory read in a row is the file of that name there. */
Test(util, cached_directory_resolves_the_same) {
        struct bg_dircache dc = {};
        char *d;

        cache = &dc;
        check_resolution();
        check_resolution();   /* again, with etc/ already open */
        cr_assert_eq(rd("etc/sub/deep", &d), 0);
        cr_expect_str_eq(d, "deep\n");
        free(d);
        cr_assert_eq(rd("etc/real", &d), 0, "back to the first directory");
        cr_expect_str_eq(d, "inside\n");
        free(d);
        cr_expect_eq(rd("etc/missing", &d), -ENOENT);
        cr_expect_eq(rd("nodir/missing", &d), -ENOENT);
        bg_dircache_close(&dc);
        cr_expect_null(dc.rel);
        cache = NULL;
}

Test(util, cached_directory_without_openat2) {
        struct bg_dircache dc = {};

        bg_open_in_root_force_walk(true);
        cache = &dc;
        check_resolution();
        bg_dircache_close(&dc);
        cache = NULL;
}

Test(util, read_file_refuses_fifo_and_limits_size) {
        char p[256], *d = NULL;
        size_t len;

        snprintf(p, sizeof(p), "%s/etc/fifo", root);
        cr_expect_eq(bg_read_file(p, 100, &d, &len), -EINVAL);
        snprintf(p, sizeof(p), "%s/etc", root);
        cr_expect_eq(bg_read_file(p, 100, &d, &len), -EISDIR);
        snprintf(p, sizeof(p), "%s/etc/real", root);
        cr_expect_eq(bg_read_file(p, 3, &d, &len), -EFBIG);
        cr_assert_eq(bg_read_file(p, 7, &d, &len), 0);
        cr_expect_eq(len, 7);
        free(d);
        cr_expect_str_eq(bg_read_strerror(-ELOOP), "too many levels of symbolic links (a loop?)");
}

Test(util, nameidx) {
        struct bg_nameidx x = {};
        char names[5000][12];
        size_t v;

        for (size_t i = 0; i < 5000; i++) {
                snprintf(names[i], sizeof(names[i]), "bond%zu", i);
                cr_assert_eq(bg_nameidx_put(&x, names[i], i), 0);
        }
        for (size_t i = 0; i < 5000; i++) {
                cr_assert(bg_nameidx_get(&x, names[i], &v));
                cr_assert_eq(v, i);
        }
        cr_expect_not(bg_nameidx_get(&x, "bond5000", &v));
        cr_assert_eq(bg_nameidx_put(&x, names[7], 99), 0);
        cr_expect(bg_nameidx_get(&x, "bond7", &v) && v == 99);
        cr_expect_eq(x.n, 5000);
        bg_nameidx_free(&x);
}
