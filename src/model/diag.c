/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util/array.h"

const char *bg_diag_level_name(enum bg_diag_level level) {
        switch (level) {
        case BG_DIAG_ERROR:
                return "error";
        case BG_DIAG_WARNING:
                return "warning";
        case BG_DIAG_NOTE:
                return "note";
        }
        return "?";
}

int bg_diag_addv(struct bg_diags *d, enum bg_diag_level level, const struct bg_loc *loc,
                 const char *key, const char *fmt, va_list ap) {
        struct bg_diag dg = { .level = level };

        if (BG_RESERVE(d->v, d->cap, d->n + 1) < 0)
                return -ENOMEM;
        if (vasprintf(&dg.msg, fmt, ap) < 0)
                return -ENOMEM;
        if (loc && loc->file) {
                dg.file = strdup(loc->file);
                dg.line = loc->line;
                dg.col = loc->col;
        }
        if (key)
                dg.key = strdup(key);
        if ((loc && loc->file && !dg.file) || (key && !dg.key)) {
                free(dg.msg);
                free(dg.file);
                free(dg.key);
                return -ENOMEM;
        }
        d->v[d->n++] = dg;
        return 0;
}

int bg_diag_add(struct bg_diags *d, enum bg_diag_level level, const struct bg_loc *loc,
                const char *key, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = bg_diag_addv(d, level, loc, key, fmt, ap);
        va_end(ap);
        return r;
}

size_t bg_diags_count(const struct bg_diags *d, enum bg_diag_level level) {
        size_t n = 0;

        for (size_t i = 0; i < d->n; i++)
                n += d->v[i].level == level;
        return n;
}

/* Control bytes from a broken input file never reach a terminal raw: an
 * escape sequence in a name could rewrite what the user sees. */
static void escape_controls(char *buf, size_t len) {
        char tmp[4096];
        size_t o = 0;

        for (const unsigned char *p = (const unsigned char *) buf; *p && o + 5 < sizeof(tmp); p++) {
                if (*p < 0x20 || *p == 0x7f)
                        o += (size_t) snprintf(tmp + o, sizeof(tmp) - o, "\\x%02x", *p);
                else
                        tmp[o++] = (char) *p;
        }
        tmp[o] = 0;
        snprintf(buf, len, "%s", tmp);
}

int bg_diag_format(const struct bg_diag *dg, char *buf, size_t len) {
        char where[512] = "";
        int r;

        if (dg->file && dg->line && dg->col)
                snprintf(where, sizeof(where), "%s:%u:%u: ", dg->file, dg->line, dg->col);
        else if (dg->file && dg->line)
                snprintf(where, sizeof(where), "%s:%u: ", dg->file, dg->line);
        else if (dg->file)
                snprintf(where, sizeof(where), "%s: ", dg->file);

        r = snprintf(buf, len, "%s%s: %s%s%s", where, bg_diag_level_name(dg->level),
                     dg->key ? dg->key : "", dg->key ? ": " : "", dg->msg);
        if (r < 0)
                return -EINVAL;
        if (len > 0)
                escape_controls(buf, len);
        return (int) strlen(buf);
}

void bg_diags_print(const struct bg_diags *d, FILE *out) {
        for (size_t i = 0; i < d->n; i++) {
                char buf[4096];

                bg_diag_format(&d->v[i], buf, sizeof(buf));
                fprintf(out, "%s\n", buf);
        }
}

void bg_diags_free(struct bg_diags *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->v[i].file);
                free(d->v[i].key);
                free(d->v[i].msg);
        }
        free(d->v);
        *d = (struct bg_diags){ 0 };
}
