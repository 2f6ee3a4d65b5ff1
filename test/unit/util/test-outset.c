/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of output files lands whole or not at all: a failure at any write
 * or rename leaves the directory byte for byte as it was, with no staging
 * directory left behind; other files in it are never touched. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static char top[64];

static void setup(void) {
        strcpy(top, "/tmp/bg-outset-XXXXXX");
        cr_assert_not_null(mkdtemp(top));
        bg_write_set_fail_at(-1);
}

static void teardown(void) {
        char cmd[128];
        bg_write_set_fail_at(-1);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
        (void) !system(cmd);
}

TestSuite(outset, .init = setup, .fini = teardown, .timeout = 30);

static void put(const char *dir, const char *name, const char *text) {
        char p[256];
        FILE *f;
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        cr_assert_not_null(f = fopen(p, "w"), "%s", p);
        fputs(text, f);
        fclose(f);
}

/* "name=content;" for every entry of dir, sorted; hidden entries too. */
static char *snapshot(const char *dir) {
        struct dirent **v;
        int n = scandir(dir, &v, NULL, alphasort);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (n < 0) {
                fprintf(f, "(absent)");
                fclose(f);
                return out;
        }
        for (int i = 0; i < n; i++) {
                char p[512], buf[256] = "";
                FILE *g;
                if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
                        snprintf(p, sizeof(p), "%s/%s", dir, v[i]->d_name);
                        if ((g = fopen(p, "r"))) {
                                size_t k = fread(buf, 1, sizeof(buf) - 1, g);
                                buf[k] = 0;
                                fclose(g);
                        }
                        fprintf(f, "%s=%s;", v[i]->d_name, buf);
                }
                free(v[i]);
        }
        free(v);
        fclose(f);
        return out;
}

static const struct bg_out_file set[] = {
        { "10-bond0.netdev", "new netdev\n", 11, 0644 },
        { "10-bond0.network", "new network\n", 12, 0644 },
        { "10-eth0.network", "new eth0\n", 9, 0600 },
};
#define N_SET (sizeof(set) / sizeof(set[0]))

Test(outset, new_directory_appears_whole_or_not_at_all) {
        char dir[128], *before, *after;
        const char *what;
        int r;

        snprintf(dir, sizeof(dir), "%s/sub/out", top);
        for (int step = 0; step < 8; step++) {
                bg_write_set_fail_at(step);
                r = bg_write_set_atomic(dir, set, N_SET, false, &what);
                if (r == 0)
                        break;
                cr_assert_eq(r, -EIO, "step %d: %d", step, r);
                after = snapshot(dir);
                cr_expect_str_eq(after, "(absent)", "step %d", step);
                free(after);
                after = snapshot(top);
                cr_expect_str_eq(after, "sub=;", "step %d: a staging directory was left: %s", step, after);
                free(after);
        }
        cr_assert_eq(r, 0);
        before = snapshot(dir);
        cr_expect_str_eq(before, "10-bond0.netdev=new netdev\n;10-bond0.network=new network\n;"
                                 "10-eth0.network=new eth0\n;");
        free(before);
}

Test(outset, existing_directory_keeps_its_state_on_any_failure) {
        char dir[128], *before, *after;
        const char *what;
        struct stat st;
        int r = -1, step;

        snprintf(dir, sizeof(dir), "%s/net", top);
        cr_assert_eq(mkdir(dir, 0755), 0);
        put(dir, "10-bond0.network", "old network\n");
        put(dir, "99-user.conf", "the user's own\n");
        before = snapshot(dir);
        /* Without --force an existing file of the set refuses everything. */
        cr_expect_eq(bg_write_set_atomic(dir, set, N_SET, false, &what), -EEXIST);
        cr_expect_str_eq(what, "10-bond0.network");
        after = snapshot(dir);
        cr_expect_str_eq(after, before);
        free(after);
        /* Three writes, then three renames (one an exchange): each fails once. */
        for (step = 0; step < 10; step++) {
                bg_write_set_fail_at(step);
                r = bg_write_set_atomic(dir, set, N_SET, true, &what);
                if (r == 0)
                        break;
                cr_assert_eq(r, -EIO, "step %d: %d", step, r);
                after = snapshot(dir);
                cr_expect_str_eq(after, before, "step %d", step);
                free(after);
        }
        cr_assert_eq(r, 0);
        cr_expect_eq(step, 6, "a write or rename was never tried");
        free(before);
        after = snapshot(dir);
        cr_expect_str_eq(after, "10-bond0.netdev=new netdev\n;10-bond0.network=new network\n;"
                                "10-eth0.network=new eth0\n;99-user.conf=the user's own\n;");
        free(after);
        snprintf(dir, sizeof(dir), "%s/net/10-eth0.network", top);
        cr_assert_eq(stat(dir, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0600);
}

Test(outset, refuses_what_it_must_not_replace) {
        char dir[128];
        const char *what;
        const struct bg_out_file bad[] = { { "../escape", "x", 1, 0644 } };

        snprintf(dir, sizeof(dir), "%s/net", top);
        cr_assert_eq(mkdir(dir, 0755), 0);
        snprintf(dir, sizeof(dir), "%s/net/10-bond0.netdev", top);
        cr_assert_eq(mkdir(dir, 0755), 0);
        snprintf(dir, sizeof(dir), "%s/net", top);
        cr_expect_eq(bg_write_set_atomic(dir, set, N_SET, true, &what), -EISDIR);
        cr_expect_eq(bg_write_set_atomic(dir, bad, 1, true, &what), -EINVAL);
        put(top, "file", "x");
        snprintf(dir, sizeof(dir), "%s/file", top);
        cr_expect_eq(bg_write_set_atomic(dir, set, N_SET, true, &what), -ENOTDIR);
}
