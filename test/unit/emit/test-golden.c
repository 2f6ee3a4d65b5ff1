/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every test model through every emitter, compared byte for byte with the
 * files under golden/<model>/<format>/ (plus _diagnostics.txt, the
 * warnings in CLI form). Regenerate after an intended change with
 *   BG_UPDATE_GOLDEN=1 meson test -C <build> emit-golden
 * and review the diff. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models.h"
#include "util/util.h"

typedef int (*emit_fn)(const struct bg_model *, struct bg_emit_files *, struct bg_diags *);

static const struct {
        const char *name;
        emit_fn fn;
        unsigned mode;
} formats[] = {
        { "networkd", bg_emit_networkd, 0644 },
        { "netplan", bg_emit_netplan, 0600 },
        { "keyfile", bg_emit_keyfile, 0600 },
};

#define DIAG_FILE "_diagnostics.txt"

static char *pjoin(const char *a, const char *b) {
        char *p = NULL;

        cr_assert_geq(asprintf(&p, "%s/%s", a, b), 0);
        return p;
}

static char *diags_text(const struct bg_diags *d) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_not_null(f);
        bg_diags_print(d, f);
        fclose(f);
        return buf;
}

static void update(const char *dir, const struct bg_emit_files *files, const char *diag) {
        char *path;
        DIR *dh;
        struct dirent *de;

        cr_assert_eq(bg_mkdir_p(dir, 0755), 0, "mkdir %s", dir);
        dh = opendir(dir);
        cr_assert_not_null(dh);
        while ((de = readdir(dh)))
                if (de->d_name[0] != '.') {
                        path = pjoin(dir, de->d_name);
                        unlink(path);
                        free(path);
                }
        closedir(dh);
        for (size_t i = 0; i < files->n; i++) {
                path = pjoin(dir, files->v[i].name);
                cr_assert_eq(bg_write_file_atomic(path, files->v[i].content,
                                                  strlen(files->v[i].content), 0644, true), 0);
                free(path);
        }
        path = pjoin(dir, DIAG_FILE);
        cr_assert_eq(bg_write_file_atomic(path, diag, strlen(diag), 0644, true), 0);
        free(path);
}

static void first_difference(const char *a, const char *b, char *out, size_t len) {
        unsigned line = 1;
        const char *la = a, *lb = b;

        while (*a && *a == *b) {
                if (*a == '\n') {
                        line++;
                        la = a + 1;
                        lb = b + 1;
                }
                a++, b++;
        }
        snprintf(out, len, "line %u: expected \"%.*s\", got \"%.*s\"", line,
                 (int) strcspn(la, "\n"), la, (int) strcspn(lb, "\n"), lb);
}

static void compare(const char *dir, const struct bg_emit_files *files, const char *diag) {
        char *path, why[512];
        size_t n_golden = 0;
        DIR *dh = opendir(dir);
        struct dirent *de;

        cr_assert_not_null(dh, "golden directory %s missing (BG_UPDATE_GOLDEN=1 creates it)", dir);
        while ((de = readdir(dh))) {
                char *want = NULL;
                const char *got;
                size_t len;

                if (de->d_name[0] == '.')
                        continue;
                n_golden++;
                path = pjoin(dir, de->d_name);
                cr_assert_eq(bg_read_file(path, 1 << 20, &want, &len), 0, "read %s", path);
                if (strcmp(de->d_name, DIAG_FILE) == 0)
                        got = diag;
                else {
                        const struct bg_emit_file *f = tm_file(files, de->d_name);

                        cr_expect_not_null(f, "%s: file not emitted", path);
                        got = f ? f->content : NULL;
                }
                if (got && strcmp(want, got) != 0) {
                        first_difference(want, got, why, sizeof(why));
                        cr_expect_fail("%s differs: %s", path, why);
                }
                free(want);
                free(path);
        }
        closedir(dh);
        cr_expect_eq(n_golden, files->n + 1, "%s: %zu golden files, %zu emitted (+ diagnostics)",
                     dir, n_golden, files->n);
}

static void run_format(size_t fi) {
        for (size_t mi = 0; mi < n_test_models; mi++) {
                struct bg_model m;
                struct bg_emit_files files = { 0 };
                struct bg_diags d = { 0 };
                char *dir = NULL, *diag;

                bg_model_init(&m);
                test_models[mi].build(&m);
                cr_assert_eq(formats[fi].fn(&m, &files, &d), 0, "%s/%s", test_models[mi].name,
                             formats[fi].name);
                for (size_t i = 0; i < files.n; i++)
                        cr_expect_eq(files.v[i].mode, formats[fi].mode, "%s mode %o",
                                     files.v[i].name, files.v[i].mode);
                diag = diags_text(&d);
                cr_assert_geq(asprintf(&dir, "%s/%s/%s", GOLDEN_DIR, test_models[mi].name,
                                       formats[fi].name), 0);
                if (getenv("BG_UPDATE_GOLDEN"))
                        update(dir, &files, diag);
                else
                        compare(dir, &files, diag);
                free(diag);
                free(dir);
                bg_diags_free(&d);
                bg_emit_files_free(&files);
                bg_model_free(&m);
        }
}

Test(golden, networkd) {
        run_format(0);
}

Test(golden, netplan) {
        run_format(1);
}

Test(golden, keyfile) {
        run_format(2);
}

/* Same model, same bytes: nothing in the output depends on time,
 * addresses of allocations or the environment. */
Test(golden, deterministic) {
        for (size_t fi = 0; fi < sizeof(formats) / sizeof(formats[0]); fi++)
                for (size_t mi = 0; mi < n_test_models; mi++) {
                        struct bg_emit_files a = { 0 }, b = { 0 };
                        struct bg_model m1, m2;

                        bg_model_init(&m1);
                        bg_model_init(&m2);
                        test_models[mi].build(&m1);
                        test_models[mi].build(&m2);
                        cr_assert_eq(formats[fi].fn(&m1, &a, NULL), 0);
                        cr_assert_eq(formats[fi].fn(&m2, &b, NULL), 0);
                        cr_assert_eq(a.n, b.n);
                        for (size_t i = 0; i < a.n; i++) {
                                cr_expect_str_eq(a.v[i].name, b.v[i].name);
                                cr_expect_str_eq(a.v[i].content, b.v[i].content);
                        }
                        bg_emit_files_free(&a);
                        bg_emit_files_free(&b);
                        bg_model_free(&m1);
                        bg_model_free(&m2);
                }
}
