/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sorted indexes for the duplicate checks of validate.c (see validate-int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate-int.h"
#include "util/array.h"

static int cmp_size(size_t a, size_t b) {
        return a < b ? -1 : a > b;
}

static int sref_cmp(const void *a, const void *b) {
        const struct bg_sref *x = a, *y = b;

        return strcmp(x->s, y->s) ?: cmp_size(x->bond, y->bond) ?: cmp_size(x->pos, y->pos);
}

static int sref_casecmp(const void *a, const void *b) {
        const struct bg_sref *x = a, *y = b;

        return strcasecmp(x->s, y->s) ?: cmp_size(x->bond, y->bond) ?: cmp_size(x->pos, y->pos);
}

int bg_sindex_add(struct bg_sindex *ix, const char *s, size_t bond, size_t pos) {
        if (!s)
                return 0;
        if (BG_RESERVE(ix->v, ix->cap, ix->n + 1) < 0)
                return -ENOMEM;
        ix->v[ix->n++] = (struct bg_sref){ s, bond, pos };
        return 0;
}

void bg_sindex_sort(struct bg_sindex *ix) {
        if (ix->n > 1)
                qsort(ix->v, ix->n, sizeof(*ix->v), ix->icase ? sref_casecmp : sref_cmp);
}

void bg_sindex_free(struct bg_sindex *ix) {
        free(ix->v);
        ix->v = NULL;
        ix->n = ix->cap = 0;
}

/* First entry whose string is >= s (upper: > s). */
static size_t bound(const struct bg_sindex *ix, const char *s, bool upper) {
        size_t lo = 0, hi = ix->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int r = ix->icase ? strcasecmp(ix->v[mid].s, s) : strcmp(ix->v[mid].s, s);

                if (r < 0 || (upper && r == 0))
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

size_t bg_sindex_run(const struct bg_sindex *ix, const char *s, size_t *first) {
        *first = bound(ix, s, false);
        return bound(ix, s, true);
}

int bg_dups_add(struct bg_dups *d, size_t bond, size_t subject, size_t other, bool mac) {
        if (BG_RESERVE(d->v, d->cap, d->n + 1) < 0)
                return -ENOMEM;
        d->v[d->n++] = (struct bg_dup){ bond, subject, other, mac };
        return 0;
}

/* The first MAX+1 entries of the name run and of the MAC run contain the
 * first MAX+1 duplicates of the subject in report order: a MAC entry whose
 * port also has the subject's name is in the name run too. */
int bg_dups_collect(struct bg_dups *d, const struct bg_sindex *ix, const char *s, size_t before_bond,
                    size_t before_pos, size_t subject, const struct bg_port *self,
                    const struct bg_bond *bonds) {
        size_t first, end = bg_sindex_run(ix, s, &first);

        for (size_t k = first; k < end && k - first <= BG_VALIDATE_MAX_REPEATS; k++) {
                const struct bg_sref *e = &ix->v[k];
                const struct bg_port *o;

                if (e->bond > before_bond || (e->bond == before_bond && e->pos >= before_pos))
                        break;
                if (ix->icase) {
                        o = &bonds[e->bond].ports[e->pos];
                        if (self->name && o->name && strcmp(self->name, o->name) == 0)
                                continue;
                }
                if (bg_dups_add(d, e->bond, subject, e->pos, ix->icase) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int by_subject(const void *a, const void *b) {
        const struct bg_dup *x = a, *y = b;

        return cmp_size(x->subject, y->subject) ?: cmp_size(x->bond, y->bond) ?:
               cmp_size(x->other, y->other);
}

static int by_report(const void *a, const void *b) {
        const struct bg_dup *x = a, *y = b;

        return cmp_size(x->bond, y->bond) ?: cmp_size(x->subject, y->subject) ?:
               cmp_size(x->other, y->other);
}

int bg_dups_cap(struct bg_dups *d, struct bg_dups *over) {
        size_t n = 0, run = 0;

        over->n = 0;
        if (d->n > 1)
                qsort(d->v, d->n, sizeof(*d->v), by_subject);
        for (size_t k = 0; k < d->n; k++) {
                if (k > 0 && d->v[k].subject != d->v[k - 1].subject)
                        run = 0;
                if (run++ < BG_VALIDATE_MAX_REPEATS)
                        d->v[n++] = d->v[k];
                else if (run == BG_VALIDATE_MAX_REPEATS + 1 &&
                         bg_dups_add(over, 0, d->v[k].subject, 0, false) < 0)
                        return -ENOMEM;
        }
        d->n = n;
        if (d->n > 1)
                qsort(d->v, d->n, sizeof(*d->v), by_report);
        return 0;
}

void bg_dups_free(struct bg_dups *d) {
        free(d->v);
        *d = (struct bg_dups){ 0 };
}
