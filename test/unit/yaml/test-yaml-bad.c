/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden error messages: every bad/NAME.yaml is loaded under the name
 * NAME.yaml and its diagnostics, one per line as bondgen prints them, must
 * equal bad/NAME.expected. To (re)write an expected file after a deliberate
 * change of wording: BG_TEST_REGEN=1 meson test yaml-bad, then review the diff.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "yaml/yaml.h"

static char *diag_text(const struct bg_diags *d) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        cr_assert(f);
        bg_diags_print(d, f);
        fclose(f);
        return out;
}

static int check_one(const char *dir, const char *name) {
        char *path, *exp_path, *data, *expected = NULL, *got;
        struct bg_diags d = { 0 };
        struct bg_model m;
        size_t len, base = strlen(name) - strlen(".yaml");
        int r, ok;

        cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
        cr_assert(asprintf(&exp_path, "%s/%.*s.expected", dir, (int)base, name) > 0);
        cr_assert_eq(bg_read_file(path, 4 << 20, &data, &len), 0, "cannot read %s", path);
        r = bg_yaml_load_data(data, len, name, &m, &d);
        cr_expect_eq(r, -EINVAL, "%s: loaded without error", name);
        got = diag_text(&d);
        if (getenv("BG_TEST_REGEN")) {
                FILE *f = fopen(exp_path, "w");

                cr_assert(f);
                fputs(got, f);
                fclose(f);
        }
        cr_assert_eq(bg_read_file(exp_path, 1 << 20, &expected, NULL), 0, "missing %s", exp_path);
        ok = !strcmp(got, expected);
        cr_expect(ok, "%s:\n--- expected\n%s--- got\n%s", name, expected, got);
        /* Every message names a position in the file, and a key where
         * there is one to name. */
        for (size_t i = 0; i < d.n; i++) {
                cr_expect(d.v[i].file && !strcmp(d.v[i].file, name), "%s: no file name", name);
                cr_expect(d.v[i].line > 0 && d.v[i].col > 0, "%s: no position: %s", name,
                          d.v[i].msg);
        }
        free(got);
        free(expected);
        free(path);
        free(exp_path);
        free(data);
        bg_diags_free(&d);
        bg_model_free(&m);
        return ok;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(yaml_bad, golden_errors) {
        const char *src = getenv("BG_TEST_SRCDIR");
        char dir[4096], *names[256];
        struct dirent *de;
        size_t n = 0;
        DIR *d;

        cr_assert(src, "BG_TEST_SRCDIR not set (run through meson test)");
        snprintf(dir, sizeof(dir), "%s/bad", src);
        d = opendir(dir);
        cr_assert(d, "cannot open %s", dir);
        while ((de = readdir(d)) && n < 256) {
                size_t l = strlen(de->d_name);

                if (l > 5 && !strcmp(de->d_name + l - 5, ".yaml"))
                        names[n++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof(*names), name_cmp);
        cr_assert_geq(n, 20, "only %zu broken files in the corpus", n);
        for (size_t i = 0; i < n; i++) {
                check_one(dir, names[i]);
                free(names[i]);
        }
}
