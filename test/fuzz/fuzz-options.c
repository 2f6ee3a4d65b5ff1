/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Option strings as BONDING_OPTS, modprobe "options bonding" lines and
 * bond= on the kernel command line carry them: bg_opt_split() into pairs,
 * each through the catalogue (bg_opt_lookup, bg_opt_suggest for unknown
 * names, bg_opt_parse_value). Every value that parses must format to text
 * that parses back to an equal value, and a bond holding the values must
 * validate and emit without trouble.
 */
#include <errno.h>

#include "fuzz-util.h"

struct state {
        struct bg_model m;
        struct bg_bond *b;
        struct bg_diags d;
        unsigned pairs;
};

static int pair(const char *key, const char *value, unsigned col, void *userdata) {
        struct state *s = userdata;
        const struct bg_opt_info *o = bg_opt_lookup(key);
        struct bg_loc loc = { "fuzz-opts", 1, col };
        char err[512];

        if (!key)
                fuzz_fail("pair without a key");
        s->pairs++;
        if (!o) {
                (void) bg_opt_suggest(key);
                return 0;
        }
        if (!value)
                return 0;
        err[0] = '\0';
        if (bg_opt_parse_value(o, value, &s->b->opts[o->id], err, sizeof(err)) == -EINVAL) {
                if (!err[0])
                        fuzz_fail("%s=%s refused without a reason", key, value);
                return bg_diag_add(&s->d, BG_DIAG_ERROR, &loc, key, "%s", err) < 0 ? -ENOMEM : 0;
        }
        s->b->opt_loc[o->id] = loc;
        return 0;
}

static void round_trip(const struct bg_opt_info *o, const struct bg_optval *v) {
        struct bg_optval again = { 0 };
        char text[8192], err[512];
        int r;

        r = bg_opt_format_value(o, v, text, sizeof(text));
        if (r == -ENOBUFS)
                return;
        if (r < 0)
                fuzz_fail("%s: a parsed value does not format (%d)", o->name, r);
        if (v->n_list == 0 && (o->flags & BG_OF_LIST))
                return; /* an emptied list formats as "" */
        if (o->type == BG_OT_QUEUE_ID) {
                /* One IFNAME:QUEUE per assignment (as sysfs takes it); the
                 * ','-joined text is for display only (validate.c does the
                 * same). */
                for (size_t i = 0; i < v->n_list; i++)
                        if (bg_opt_parse_value(o, v->list[i], &again, err, sizeof(err)) < 0)
                                fuzz_fail("%s: item '%s' does not parse: %s", o->name, v->list[i], err);
        } else if (bg_opt_parse_value(o, text, &again, err, sizeof(err)) < 0)
                fuzz_fail("%s: formatted value '%s' does not parse: %s", o->name, text, err);
        if (!bg_optval_equal(v, &again))
                fuzz_fail("%s: '%s' parses to another value", o->name, text);
        bg_optval_clear(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct state s = { 0 };
        char *text = strndup((const char *) data, size);
        enum bg_mode mode;

        if (!text)
                return 0;
        bg_model_init(&s.m);
        s.b = bg_model_add_bond(&s.m, "bond0");
        if (!s.b)
                fuzz_fail("no memory for a bond");
        (void) bg_bond_add_port(s.b, "eth0", NULL);
        (void) bg_opt_split(text, pair, &s);
        (void) bg_mode_from_string(text, &mode);
        fuzz_diags(&s.d);
        for (size_t i = 0; i < BG_OPT__MAX; i++)
                if (s.b->opts[i].set)
                        round_trip(&bg_catalog[i], &s.b->opts[i]);
        fuzz_validate_emit(&s.m);
        bg_diags_free(&s.d);
        bg_model_free(&s.m);
        free(text);
        return 0;
}
