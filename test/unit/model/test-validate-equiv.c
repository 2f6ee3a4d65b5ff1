/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bg_model_validate() looks duplicates up in sorted indexes; the plain
 * pairwise loops it replaced (validate-ref.c) define what it must say.
 * Random models drawn from tiny alphabets, so that names, MACs (in both
 * cases), addresses and next hops collide often, must give exactly the
 * same diagnostics in the same order, and the same return value.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

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

static void random_model(struct bg_model *m) {
        const char *file;
        unsigned nb = pick(7);
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

static void same(const struct bg_diag *a, const struct bg_diag *b, size_t i) {
        char x[1024], y[1024];

        bg_diag_format(a, x, sizeof(x));
        bg_diag_format(b, y, sizeof(y));
        cr_assert_str_eq(x, y, "diagnostic %zu differs", i);
        cr_assert_eq(a->level, b->level);
}

Test(validate_equiv, random_models_match_pairwise_reference) {
        size_t total = 0;

        rng = 0x9e3779b97f4a7c15ull;
        for (unsigned round = 0; round < 20000; round++) {
                struct bg_model m;
                struct bg_diags a = { 0 }, b = { 0 };
                int ra, rb;

                random_model(&m);
                ra = bg_model_validate(&m, &a);
                rb = bg_model_validate_ref(&m, &b);
                cr_assert_eq(ra, rb, "round %u", round);
                cr_assert_eq(a.n, b.n, "round %u: %zu diagnostics, reference %zu", round, a.n, b.n);
                for (size_t i = 0; i < a.n; i++)
                        same(&a.v[i], &b.v[i], i);
                total += a.n;
                bg_diags_free(&a);
                bg_diags_free(&b);
                bg_model_free(&m);
        }
        /* The alphabets are small enough that collisions are common. */
        cr_assert_gt(total, 20000u * 5);
}
