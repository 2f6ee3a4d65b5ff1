/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bg_model_validate() looks duplicates up in sorted indexes; the plain
 * pairwise loops it replaced (validate-ref.c) define what it must say.
 * Random models drawn from tiny alphabets, so that names, MACs (in both
 * cases), addresses and next hops collide often, must give exactly the
 * same diagnostics in the same order, and the same return value, except
 * that one subject repeats at most BG_VALIDATE_MAX_REPEATS duplicates and
 * then has a note (validate-int.h).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/validate-int.h"

int bg_model_validate_ref(const struct bg_model *m, struct bg_diags *diags);
#define bg_model_validate bg_model_validate_ref
#include "validate-ref.c"
#undef bg_model_validate

static uint64_t rng;

static unsigned pick(unsigned n) {
        /* xorshift64*: deterministic across runs and libcs */
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        return (unsigned) ((rng * 2685821657736338717ull) >> 33) % n;
}

static const char *const bond_names[] = { "bond0", "bond1", "bond2", "eth0", NULL };
static const char *const port_names[] = { "eth0", "eth1", "eth2", "bond0", "bond1", "eth 3", NULL };
static const char *const macs[] = { "52:54:00:00:00:01", "52:54:00:00:00:01", "52:54:00:00:00:02",
                                    "52:54:00:00:00:0A", "52:54:00:00:00:0a", "bogus", NULL };
static const char *const v4[] = { "10.0.0.1/24", "10.0.0.1/24", "10.0.1.1/16", "192.168.0.9/32",
                                  "10.0.0.1", "2001:db8::1/64", "0.0.0.0/0" };
static const char *const v6[] = { "2001:db8::1/64", "2001:db8::1/64", "2001:db8:1::1/48",
                                  "fe80::1/10", "10.0.0.1/24", "::/0" };
static const char *const hops4[] = { "10.0.0.254", "10.0.200.1", "192.168.0.9", "192.168.0.8",
                                     "fe80::1", "x" };
static const char *const hops6[] = { "2001:db8::ff", "2001:db8:1:2::1", "fe80::2", "2001:db9::1",
                                     "10.0.0.1" };
static const char *const refs[] = { "eth0", "eth1", "eth9", "bond0" };

#define N(a) (sizeof(a) / sizeof(*(a)))

static void fill_ip(struct bg_model *m, struct bg_ipcfg *c, bool six, unsigned line) {
        const char *const *addrs = six ? v6 : v4, *const *hops = six ? hops6 : hops4;
        size_t na = six ? N(v6) : N(v4), nh = six ? N(hops6) : N(hops4);
        unsigned n = pick(6);

        c->method = (enum bg_ip_method) pick(3);
        c->loc = (struct bg_loc){ m->strings[0], line, 3 };
        for (unsigned i = 0; i < n; i++)
                cr_assert_eq(bg_ipcfg_add_address(c, addrs[pick((unsigned) na)]), 0);
        if (pick(2))
                c->gateway = strdup(hops[pick((unsigned) nh)]);
        n = pick(4);
        for (unsigned i = 0; i < n; i++)
                cr_assert_eq(bg_ipcfg_add_route(c, pick(3) ? addrs[pick((unsigned) na)] : "default",
                                                pick(4) ? hops[pick((unsigned) nh)] : NULL, 0), 0);
        if (pick(3) == 0)
                cr_assert_eq(bg_ipcfg_add_dns(c, hops[pick((unsigned) nh)]), 0);
}

static void random_model(struct bg_model *m, unsigned max_bonds) {
        const char *file;
        unsigned nb = pick(max_bonds);
        struct bg_diags ignore = { 0 };

        bg_model_init(m);
        file = bg_model_intern(m, "equiv.yaml");
        for (unsigned i = 0; i < nb; i++) {
                struct bg_bond *b = bg_model_add_bond(m, bond_names[pick(N(bond_names))]);
                struct bg_loc loc = { file, 10 * i + 1, 3 };
                unsigned np = pick(6);

                cr_assert_not_null(b);
                b->loc = loc;
                if (pick(2))
                        bg_bond_set_opt_text(b, BG_OPT_MODE, pick(2) ? "active-backup" : "802.3ad", &loc,
                                             &ignore);
                if (pick(2))
                        bg_bond_set_opt_text(b, BG_OPT_MIIMON, "100", &loc, &ignore);
                if (pick(3) == 0)
                        bg_bond_set_opt_text(b, BG_OPT_PRIMARY, refs[pick(N(refs))], &loc, &ignore);
                if (pick(3) == 0)
                        bg_bond_set_opt_text(b, BG_OPT_ACTIVE_SLAVE, refs[pick(N(refs))], &loc, &ignore);
                if (pick(3) == 0)
                        bg_bond_set_opt_text(b, BG_OPT_QUEUE_ID, pick(2) ? "eth0:1" : "eth1:2,eth7:3", &loc,
                                             &ignore);
                for (unsigned p = 0; p < np; p++) {
                        const char *name = port_names[pick(N(port_names))];
                        const char *mac = macs[pick(N(macs))];
                        struct bg_port *port;

                        if (!name && !mac && pick(2))
                                mac = macs[0];
                        port = bg_bond_add_port(b, name, NULL);
                        cr_assert_not_null(port);
                        /* Raw, as a careless reader might store it (the
                         * helper would normalise the case). */
                        port->mac = mac ? strdup(mac) : NULL;
                        port->loc = (struct bg_loc){ file, loc.line + 1 + p, 5 };
                }
                fill_ip(m, &b->ipv4, false, loc.line + 7);
                fill_ip(m, &b->ipv6, true, loc.line + 8);
        }
        bg_diags_free(&ignore);
}

/* Which duplicate rule a diagnostic of the reference belongs to: 0 for
 * none, else a class whose diagnostics with one location and key are one
 * subject's duplicates. */
static int dup_class(const struct bg_diag *dg) {
        if (strstr(dg->msg, "is defined twice") || strstr(dg->msg, "is also a port of") ||
            strstr(dg->msg, "also matches a port of"))
                return 1;
        if ((strncmp(dg->msg, "port ", 5) == 0 && strstr(dg->msg, "is listed twice")) ||
            strstr(dg->msg, "matches two ports of the bond"))
                return 2;
        if (strncmp(dg->msg, "address ", 8) == 0 && strstr(dg->msg, "is listed twice"))
                return 3;
        if (strstr(dg->msg, "nested bonds"))
                return 4;
        return 0;
}

static bool same_subject(const struct bg_diag *a, const struct bg_diag *b) {
        return dup_class(a) == dup_class(b) && a->line == b->line && a->col == b->col &&
               strcmp(a->key ?: "", b->key ?: "") == 0;
}

static bool is_note(const struct bg_diag *dg) {
        return dg->level == BG_DIAG_NOTE && strstr(dg->msg, "duplicates of");
}

static void format(const struct bg_diag *dg, char *buf, size_t len) {
        bg_diag_format(dg, buf, len);
}

/* The reference with each subject's duplicates after the first MAX left
 * out must be the result without its notes; the notes must be exactly on
 * the subjects that had more. Returns the number of notes. */
static size_t compare(const struct bg_diags *got, const struct bg_diags *ref, unsigned round) {
        size_t g = 0, notes = 0, over = 0;
        char x[1024], y[1024];

        for (size_t r = 0; r < ref->n; r++) {
                const struct bg_diag *dg = &ref->v[r];
                size_t before = 0;

                if (dup_class(dg))
                        for (size_t k = 0; k < r; k++)
                                before += same_subject(&ref->v[k], dg);
                if (before == BG_VALIDATE_MAX_REPEATS) {
                        over++;
                        /* this subject must have a note */
                        bool found = false;
                        for (size_t k = 0; k < got->n && !found; k++)
                                found = is_note(&got->v[k]) && got->v[k].line == dg->line &&
                                        strcmp(got->v[k].key ?: "", dg->key ?: "") == 0;
                        format(dg, x, sizeof(x));
                        cr_assert(found, "round %u: no note for %s", round, x);
                }
                if (before >= BG_VALIDATE_MAX_REPEATS)
                        continue;
                while (g < got->n && is_note(&got->v[g])) {
                        g++;
                        notes++;
                }
                cr_assert_lt(g, got->n, "round %u: diagnostic %zu of the reference missing", round, r);
                format(&got->v[g], x, sizeof(x));
                format(dg, y, sizeof(y));
                cr_assert_str_eq(x, y, "round %u: diagnostic %zu differs", round, r);
                cr_assert_eq(got->v[g].level, dg->level);
                g++;
        }
        for (; g < got->n; g++) {
                cr_assert(is_note(&got->v[g]), "round %u: extra diagnostic", round);
                notes++;
        }
        cr_assert_eq(notes, over, "round %u: %zu notes for %zu subjects with more duplicates", round,
                     notes, over);
        return notes;
}

Test(validate_equiv, random_models_match_pairwise_reference) {
        size_t total = 0, notes = 0;

        rng = 0x9e3779b97f4a7c15ull;
        for (unsigned round = 0; round < 3000; round++) {
                struct bg_model m;
                struct bg_diags a = { 0 }, b = { 0 };
                int ra, rb;

                /* Mostly small models; every fifth is large enough for
                 * subjects with more than BG_VALIDATE_MAX_REPEATS duplicates. */
                random_model(&m, round % 5 ? 7 : 14);
                ra = bg_model_validate(&m, &a);
                rb = bg_model_validate_ref(&m, &b);
                cr_assert_eq(ra, rb, "round %u", round);
                notes += compare(&a, &b, round);
                total += b.n;
                bg_diags_free(&a);
                bg_diags_free(&b);
                bg_model_free(&m);
        }
        /* The alphabets are small enough that collisions are common. */
        cr_assert_gt(total, 3000u * 5);
        cr_assert_gt(notes, 100u, "the cap was exercised");
}

/* 1000 bonds with one name and two ports: pairwise that would be 2 million
 * diagnostics; each bond gets at most MAX per subject and a note. */
Test(validate_equiv, many_duplicates_are_capped) {
        struct bg_model m;
        struct bg_diags d = { 0 };
        const char *file;
        size_t n = 1000, errors = 0, notes = 0;

        bg_model_init(&m);
        file = bg_model_intern(&m, "dup.yaml");
        for (size_t i = 0; i < n; i++) {
                struct bg_bond *b = bg_model_add_bond(&m, "b");

                cr_assert_not_null(b);
                b->loc = (struct bg_loc){ file, (unsigned) (3 * i + 1), 3 };
                bg_bond_add_port(b, "e", NULL)->loc = (struct bg_loc){ file, (unsigned) (3 * i + 2), 5 };
                bg_bond_add_port(b, "b", NULL)->loc = (struct bg_loc){ file, (unsigned) (3 * i + 3), 5 };
        }
        cr_assert_eq(bg_model_validate(&m, &d), -EINVAL);
        for (size_t i = 0; i < d.n; i++) {
                errors += d.v[i].level == BG_DIAG_ERROR;
                notes += is_note(&d.v[i]);
        }
        /* Bond i: its name and its two ports each have min(i, 8) earlier
         * duplicates (+ a note from i = 9); "b" is its own port (1 error);
         * as a port of every other bond, nested: 8 and a note. */
        size_t expect_err = 0, expect_notes = 0;
        for (size_t i = 0; i < n; i++) {
                expect_err += 3 * (i < BG_VALIDATE_MAX_REPEATS ? i : BG_VALIDATE_MAX_REPEATS) + 1 +
                              BG_VALIDATE_MAX_REPEATS;
                expect_notes += 3 * (i > BG_VALIDATE_MAX_REPEATS) + 1;
        }
        cr_assert_eq(errors, expect_err);
        cr_assert_eq(notes, expect_notes);
        bg_diags_free(&d);
        bg_model_free(&m);
}
