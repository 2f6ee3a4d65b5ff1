/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Internal to validate*.c: the sorted indexes behind the duplicate checks.
 *
 * A model may have thousands of bonds (the YAML loader takes 1 MiB), so
 * instead of comparing every pair of names, validation sorts
 * (string, bond, position) entries once and looks each name up with a
 * binary search: O(n log n). Diagnostics still come out in the order of
 * plain pairwise loops (test/unit/model/test-validate-equiv.c holds them
 * to it), except that one subject (a bond name, a port, an address)
 * repeats at most BG_VALIDATE_MAX_REPEATS of its duplicates, then a note:
 * a pairwise report is quadratic, and 12,500 bonds named alike in a
 * 400 KiB file made 156 million diagnostics and exhausted memory.
 */
#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define BG_VALIDATE_MAX_REPEATS 8

struct bg_sref {
        const char *s;
        size_t bond;
        size_t pos;
};

struct bg_sindex {
        struct bg_sref *v;
        size_t n, cap;
        bool icase;          /* MACs: compared as strcasecmp() does */
};

/* NULL s is not indexed. 0 or -ENOMEM. */
int bg_sindex_add(struct bg_sindex *ix, const char *s, size_t bond, size_t pos);
/* Sort by (string, bond, position). */
void bg_sindex_sort(struct bg_sindex *ix);
void bg_sindex_free(struct bg_sindex *ix);
/* The entries equal to s are [*first, return value). */
size_t bg_sindex_run(const struct bg_sindex *ix, const char *s, size_t *first);

/* A duplicate to report: subject is 0 for a bond's name, else 1 + the
 * index of the port; (bond, other) is the earlier bond and port it
 * collides with. */
struct bg_dup {
        size_t bond;
        size_t subject;
        size_t other;
        bool mac;            /* matched by MAC, not by name */
};

struct bg_dups {
        struct bg_dup *v;
        size_t n, cap;
};

int bg_dups_add(struct bg_dups *d, size_t bond, size_t subject, size_t other, bool mac);
/* Add the first BG_VALIDATE_MAX_REPEATS + 1 entries of ix equal to s that
 * come before (before_bond, before_pos). With a MAC index, entries whose
 * port has the same name as self are skipped: they are reported as names.
 * bonds: what entry.bond indexes (for those names). */
int bg_dups_collect(struct bg_dups *d, const struct bg_sindex *ix, const char *s, size_t before_bond,
                    size_t before_pos, size_t subject, const struct bg_port *self,
                    const struct bg_bond *bonds);
/* Keep the first BG_VALIDATE_MAX_REPEATS duplicates of each subject, in
 * report order (bond, subject, other); *over gets one entry (in subject
 * order) for every subject that had more. 0 or -ENOMEM. */
int bg_dups_cap(struct bg_dups *d, struct bg_dups *over);
void bg_dups_free(struct bg_dups *d);

/* validate.c: MTU, MAC and ipv4/ipv6 of a VLAN or bridge; key is its key
 * path ("vlans[bond0.100]"), loc its location. 0 or -ENOMEM. */
int bg_validate_l3(struct bg_diags *diags, const char *key, const char *name, const struct bg_loc *loc, uint32_t mtu,
                   const struct bg_hwaddr *mac, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6);
/* validate-stack.c: VLANs, bridges and how they stack on bonds and NICs.
 * 0 or -ENOMEM; problems go to diags. */
int bg_validate_stack(const struct bg_model *m, struct bg_diags *diags);
