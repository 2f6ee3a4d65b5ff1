/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Test helper: write a small legacy tree into a fresh temporary root, read
 * it with bg_legacy_read(), and look at the model and diagnostics. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "legacy/legacy.h"
#include "model/model.h"
#include "util/util.h"

struct tree {
        char root[64];
        struct bg_model m;
        struct bg_diags d;
        struct bg_explain e;
        int r;
};

/* files: pairs of (root-relative path, content), NULL-terminated. */
static inline void tree_read(struct tree *t, const char *const *files) {
        strcpy(t->root, "/tmp/bg-legacy-test-XXXXXX");
        cr_assert_not_null(mkdtemp(t->root));
        for (size_t i = 0; files[i]; i += 2) {
                char path[512], *slash;
                snprintf(path, sizeof(path), "%s/%s", t->root, files[i]);
                slash = strrchr(path, '/');
                *slash = 0;
                cr_assert_geq(bg_mkdir_p(path, 0755), 0);
                *slash = '/';
                cr_assert_eq(bg_write_file_atomic(path, files[i + 1], strlen(files[i + 1]), 0644, true), 0,
                             "%s", path);
        }
        bg_model_init(&t->m);
        t->d = (struct bg_diags) {};
        t->e = (struct bg_explain) {};
        t->r = bg_legacy_read(t->root, &t->m, &t->d, &t->e);
}

static inline void tree_free(struct tree *t) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
        cr_expect_eq(system(cmd), 0);
        bg_model_free(&t->m);
        bg_diags_free(&t->d);
        bg_explain_free(&t->e);
}

/* A diagnostic of that level whose key equals key (NULL: any) and whose
 * message contains text. */
static inline const struct bg_diag *tree_diag(const struct tree *t, enum bg_diag_level level,
                                              const char *key, const char *text) {
        for (size_t i = 0; i < t->d.n; i++) {
                const struct bg_diag *d = &t->d.v[i];
                if (d->level == level && (!key || (d->key && !strcmp(d->key, key))) &&
                    strstr(d->msg, text))
                        return d;
        }
        return NULL;
}

static inline void tree_dump_diags(const struct tree *t) {
        bg_diags_print(&t->d, stderr);
}

/* The fate --explain gives the key at file:line (file relative to root). */
static inline const char *tree_fate(const struct tree *t, const char *rel, const char *key) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", t->root, rel);
        for (size_t i = 0; i < t->e.n; i++)
                if (t->e.v[i].loc.file && !strcmp(t->e.v[i].loc.file, path) && !strcmp(t->e.v[i].key, key))
                        return t->e.v[i].fate;
        return NULL;
}

static inline const char *opt_text(const struct bg_bond *b, enum bg_opt id, char *buf, size_t len) {
        if (!b->opts[id].set)
                return "(unset)";
        if (bg_opt_format_value(bg_opt_get(id), &b->opts[id], buf, len) < 0)
                return "(?)";
        return buf;
}

#define IFCFG(name) "etc/sysconfig/network-scripts/ifcfg-" name
#define PORT(dev, master) IFCFG(dev), "DEVICE=" dev "\nMASTER=" master "\nSLAVE=yes\n"

/* As tree_read, for one legacy source (BG_LEGACY_*; 0: autodetect). */
static inline void tree_read_from(struct tree *t, const char *const *files, unsigned sources) {
        strcpy(t->root, "/tmp/bg-legacy-test-XXXXXX");
        cr_assert_not_null(mkdtemp(t->root));
        for (size_t i = 0; files[i]; i += 2) {
                char path[512], *slash;
                snprintf(path, sizeof(path), "%s/%s", t->root, files[i]);
                slash = strrchr(path, '/');
                *slash = 0;
                cr_assert_geq(bg_mkdir_p(path, 0755), 0);
                *slash = '/';
                cr_assert_eq(bg_write_file_atomic(path, files[i + 1], strlen(files[i + 1]), 0644, true), 0,
                             "%s", path);
        }
        bg_model_init(&t->m);
        t->d = (struct bg_diags) {};
        t->e = (struct bg_explain) {};
        t->r = bg_legacy_read_sources(t->root, sources, &t->m, &t->d, &t->e);
}
