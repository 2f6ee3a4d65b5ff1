/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Table-driven reader tests: a small tree, then what the YAML dump must
 * (and must not) contain, one diagnostic that must be there, and the
 * --explain fate of one key. */
#include "tree.h"
#include "yaml/yaml.h"

struct rcase {
        const char *name;
        const char *files[12];        /* path, content pairs; NULL-terminated */
        int want_r;                   /* 0 or -EINVAL */
        const char *yaml[6];          /* substrings of the YAML dump */
        const char *no_yaml;          /* must not appear in it */
        enum bg_diag_level level;     /* the diagnostic (when text is set) */
        const char *dkey, *dtext;
        unsigned dline, dcol;         /* 0: any */
        const char *xfile, *xkey, *xfate; /* an --explain entry (file relative to root) */
};

static inline void run_cases(const struct rcase *cs, size_t n, unsigned source) {
        for (size_t i = 0; i < n; i++) {
                const struct rcase *k = &cs[i];
                struct tree t;
                char *y = NULL;
                size_t len;

                tree_read_from(&t, k->files, source);
                if (t.r != k->want_r)
                        tree_dump_diags(&t);
                cr_expect_eq(t.r, k->want_r, "%s: read returned %d, want %d", k->name, t.r, k->want_r);
                cr_assert_eq(bg_yaml_dump(&t.m, &y, &len), 0);
                for (size_t j = 0; j < 6 && k->yaml[j]; j++)
                        cr_expect(strstr(y, k->yaml[j]), "%s: YAML lacks '%s':\n%s", k->name, k->yaml[j], y);
                if (k->no_yaml)
                        cr_expect(!strstr(y, k->no_yaml), "%s: YAML has '%s':\n%s", k->name, k->no_yaml, y);
                if (k->dtext) {
                        const struct bg_diag *d = tree_diag(&t, k->level, k->dkey, k->dtext);
                        if (!d)
                                tree_dump_diags(&t);
                        cr_expect(d, "%s: no diagnostic %s '%s'", k->name, k->dkey ? k->dkey : "", k->dtext);
                        if (d && k->dline)
                                cr_expect_eq(d->line, k->dline, "%s: diagnostic on line %u, want %u", k->name, d->line,
                                             k->dline);
                        if (d && k->dcol)
                                cr_expect_eq(d->col, k->dcol, "%s: diagnostic in column %u, want %u", k->name, d->col,
                                             k->dcol);
                }
                if (k->xkey) {
                        const char *f = tree_fate(&t, k->xfile, k->xkey);
                        cr_expect(f && strstr(f, k->xfate), "%s: fate of %s is '%s', want '%s'", k->name, k->xkey,
                                  f ? f : "(none)", k->xfate);
                }
                /* Every --explain entry has a file, a key and a fate. */
                for (size_t j = 0; j < t.e.n; j++)
                        cr_expect(t.e.v[j].loc.file && t.e.v[j].key && t.e.v[j].fate && *t.e.v[j].fate,
                                  "%s: explain entry %zu incomplete", k->name, j);
                free(y);
                tree_free(&t);
        }
}
