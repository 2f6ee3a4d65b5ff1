/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The duplicate rules of bg_model_validate(), stated directly and checked
 * on random models drawn from tiny alphabets (so that names, MACs in both
 * cases, addresses and next hops collide often):
 *  - a subject (a bond name, a port of a bond, a port name or MAC across
 *    bonds, a bond named as another bond's port) is reported once for
 *    each earlier occurrence, at most BG_VALIDATE_MAX_REPEATS times, at
 *    the later occurrence's position, and gets one note when it had more;
 *  - the result is -EINVAL exactly when there is an error, and the same
 *    model always gives the same diagnostics.
 * The counting below is the rule, not a second implementation: it uses no
 * index and knows nothing of the order validate.c reports in.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "model/validate-int.h"

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
                                    "52:54:00:00:00:0A", "52:54:00:00:00:0a", "00:00:00:00:00:00",
                                    "80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0c:8d:41", NULL };
static const char *const v4[] = { "10.0.0.1/24", "10.0.0.1/24", "10.0.1.1/16", "192.168.0.9/32",
                                  "10.0.0.2/8", "2001:db8::1/64", "0.0.0.0/0" };
static const char *const v6[] = { "2001:db8::1/64", "2001:db8::1/64", "2001:db8:1::1/48",
                                  "fe80::1/10", "10.0.0.1/24", "::/0" };
static const char *const hops4[] = { "10.0.0.254", "10.0.200.1", "192.168.0.9", "192.168.0.8",
                                     "fe80::1", "0.0.0.0" };
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
                cr_assert_eq(bg_ipcfg_set_gateway(c, hops[pick((unsigned) nh)]), 0);
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
                        if (mac)
                                cr_assert_eq(bg_hwaddr_parse(mac, &port->mac), 0);
                        port->loc = (struct bg_loc){ file, loc.line + 1 + p, 5 };
                }
                fill_ip(m, &b->ipv4, false, loc.line + 7);
                fill_ip(m, &b->ipv6, true, loc.line + 8);
        }
        bg_diags_free(&ignore);
}

static bool is_note(const struct bg_diag *dg) {
        return dg->level == BG_DIAG_NOTE && strstr(dg->msg, "duplicates of");
}

static size_t min_cap(size_t n) {
        return n < BG_VALIDATE_MAX_REPEATS ? n : BG_VALIDATE_MAX_REPEATS;
}

/* Diagnostics at loc whose text starts with `prefix` and contains `part`. */
static size_t count_at(const struct bg_diags *d, const struct bg_loc *loc, const char *prefix,
                       const char *part) {
        size_t n = 0;

        for (size_t i = 0; i < d->n; i++)
                n += d->v[i].line == loc->line && d->v[i].col == loc->col &&
                     strncmp(d->v[i].msg, prefix, strlen(prefix)) == 0 && strstr(d->v[i].msg, part);
        return n;
}

static size_t notes_at(const struct bg_diags *d, const struct bg_loc *loc) {
        size_t n = 0;

        for (size_t i = 0; i < d->n; i++)
                n += is_note(&d->v[i]) && d->v[i].line == loc->line && d->v[i].col == loc->col;
        return n;
}


/* Earlier occurrences of port (bi, pi)'s name or (if it has no name match)
 * MAC, within its bond: the "listed twice" rule. */
static size_t earlier_in_bond(const struct bg_bond *b, size_t pi, bool *by_mac, size_t *mac_dups) {
        const struct bg_port *p = &b->ports[pi];
        size_t names = 0;

        *mac_dups = 0;
        for (size_t k = 0; k < pi; k++) {
                const struct bg_port *q = &b->ports[k];

                if (p->name && q->name && !strcmp(p->name, q->name))
                        names++;
                else if (p->mac.len && bg_hwaddr_equal(&p->mac, &q->mac))
                        (*mac_dups)++;
        }
        *by_mac = names == 0 && *mac_dups > 0;
        return names + *mac_dups;
}

static void check_rules(const struct bg_model *m, const struct bg_diags *d, int r, unsigned round) {
        size_t errors = 0;

        for (size_t i = 0; i < d->n; i++)
                errors += d->v[i].level == BG_DIAG_ERROR;
        cr_assert_eq(r == -EINVAL, errors > 0, "round %u: returned %d with %zu errors", round, r, errors);

        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *b = &m->bonds[i];
                size_t same = 0, nested = 0, bond_notes = 0;

                for (size_t j = 0; j < i; j++)
                        same += b->name && m->bonds[j].name && !strcmp(b->name, m->bonds[j].name);
                /* nested: once per other bond that lists this name as a port */
                for (size_t j = 0; j < m->n_bonds; j++) {
                        bool lists = false;

                        for (size_t k = 0; j != i && b->name && k < m->bonds[j].n_ports; k++)
                                lists |= m->bonds[j].ports[k].name &&
                                         !strcmp(m->bonds[j].ports[k].name, b->name);
                        nested += lists;
                }
                cr_assert_eq(count_at(d, &b->loc, "bond ", "is defined twice"), min_cap(same),
                             "round %u: bond %zu (%s) has %zu earlier namesakes", round, i, b->name, same);
                cr_assert_eq(count_at(d, &b->loc, "bond ", "nested bonds"), min_cap(nested),
                             "round %u: bond %zu (%s) is a port %zu times", round, i, b->name, nested);
                bond_notes = (same > BG_VALIDATE_MAX_REPEATS) + (nested > BG_VALIDATE_MAX_REPEATS);
                cr_assert_eq(notes_at(d, &b->loc), bond_notes, "round %u: notes of bond %zu", round, i);

                for (size_t pi = 0; pi < b->n_ports; pi++) {
                        const struct bg_port *p = &b->ports[pi];
                        size_t mac_dups, in_bond, across = 0;
                        bool by_mac;

                        in_bond = earlier_in_bond(b, pi, &by_mac, &mac_dups);
                        for (size_t j = 0; j < i; j++)
                                for (size_t k = 0; p->name && k < m->bonds[j].n_ports; k++)
                                        across += m->bonds[j].ports[k].name &&
                                                  !strcmp(m->bonds[j].ports[k].name, p->name);
                        if (p->name && !mac_dups) {
                                cr_assert_eq(count_at(d, &p->loc, "port ", "is listed twice"), min_cap(in_bond),
                                             "round %u: port %s of bond %zu", round, p->name, i);
                        }
                        if (!p->name && mac_dups)
                                cr_assert_eq(count_at(d, &p->loc, "MAC ", "matches two ports"), min_cap(mac_dups),
                                             "round %u: MAC %s of bond %zu", round, BG_HWADDR_STR(&p->mac), i);
                        if (p->name && !p->mac.len)
                                cr_assert_eq(count_at(d, &p->loc, "port ", "is also a port of"), min_cap(across),
                                             "round %u: port %s of bond %zu in earlier bonds", round, p->name, i);
                        (void) by_mac;
                }
        }
}

Test(validate_rules, duplicates_on_random_models) {
        size_t total = 0;

        rng = 0x9e3779b97f4a7c15ull;
        for (unsigned round = 0; round < 3000; round++) {
                struct bg_model m;
                struct bg_diags a = { 0 }, b = { 0 };
                int ra, rb;
                char x[1024], y[1024];

                /* Mostly small models; every fifth is large enough for
                 * subjects with more than BG_VALIDATE_MAX_REPEATS duplicates. */
                random_model(&m, round % 5 ? 7 : 14);
                ra = bg_model_validate(&m, &a);
                check_rules(&m, &a, ra, round);
                /* the same model, the same answer */
                rb = bg_model_validate(&m, &b);
                cr_assert_eq(ra, rb);
                cr_assert_eq(a.n, b.n, "round %u", round);
                for (size_t i = 0; i < a.n; i++) {
                        bg_diag_format(&a.v[i], x, sizeof(x));
                        bg_diag_format(&b.v[i], y, sizeof(y));
                        cr_assert_str_eq(x, y);
                }
                total += a.n;
                bg_diags_free(&a);
                bg_diags_free(&b);
                bg_model_free(&m);
        }
        /* The alphabets are small enough that collisions are common. */
        cr_assert_gt(total, 3000u * 5);
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
