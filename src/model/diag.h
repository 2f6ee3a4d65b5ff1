/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Diagnostics shared by every reader (YAML, legacy files) and by validation.
 * Library code never prints: it appends to a struct bg_diags, and the CLI
 * prints the list as "FILE:LINE:COL: level: text" (GNU style; bondgen(8), Errors).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum bg_diag_level {
        BG_DIAG_ERROR,
        BG_DIAG_WARNING,
        BG_DIAG_NOTE,
};

/* Where a value came from. file == NULL: built in memory, no location.
 * line/col are 1-based; 0 means "unknown" and is not printed. The string
 * is not owned: readers keep file names alive for the model's lifetime
 * (struct bg_model interns them, see bg_model_intern()). */
struct bg_loc {
        const char *file;
        unsigned line;
        unsigned col;
};

struct bg_diag {
        enum bg_diag_level level;
        char *file;     /* owned copy, may be NULL */
        unsigned line;
        unsigned col;
        char *key;      /* owned copy, may be NULL: the key or key path concerned */
        char *msg;      /* owned */
};

struct bg_diags {
        struct bg_diag *v;
        size_t n;
        size_t cap;
};

/* Append one diagnostic; returns 0 or -ENOMEM. fmt is the message text
 * without location or level. */
int bg_diag_add(struct bg_diags *d, enum bg_diag_level level, const struct bg_loc *loc,
                const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int bg_diag_addv(struct bg_diags *d, enum bg_diag_level level, const struct bg_loc *loc,
                 const char *key, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

size_t bg_diags_count(const struct bg_diags *d, enum bg_diag_level level);
static inline int bg_diags_has_errors(const struct bg_diags *d) {
        return bg_diags_count(d, BG_DIAG_ERROR) > 0;
}

/* "file:line:col: error: key: msg"; missing parts are left out
 * ("file:line: ...", "file: ...", "error: ..."). */
int bg_diag_format(const struct bg_diag *dg, char *buf, size_t len);
void bg_diags_print(const struct bg_diags *d, FILE *out);
void bg_diags_free(struct bg_diags *d);

const char *bg_diag_level_name(enum bg_diag_level level);
