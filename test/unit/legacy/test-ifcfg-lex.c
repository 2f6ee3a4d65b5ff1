/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Table-driven tests of the ifcfg lexer: quoting, escapes, comments and the
 * constructs that need a shell (each row: what bash and NetworkManager's
 * shvar.c read). */
#include <criterion/criterion.h>
#include <string.h>

#include "legacy/ifcfg.h"

enum state { VAL, BAD, UNSET };
enum worst { NONE = -1, ERR = BG_DIAG_ERROR, WARN = BG_DIAG_WARNING, NOTE = BG_DIAG_NOTE };

struct lexcase {
        const char *input;
        const char *key;
        enum state state;
        const char *value;
        enum worst worst;  /* most severe diagnostic expected */
};

static const struct lexcase cases[] = {
        /* plain values */
        { "A=value\n", "A", VAL, "value", NONE },
        { "A=\n", "A", VAL, "", NONE },
        { "   A=x\n", "A", VAL, "x", NONE },
        { "\tA=x   \t\n", "A", VAL, "x", NONE },
        { "_A1=x\n", "_A1", VAL, "x", NONE },
        { "A=a=b=c\n", "A", VAL, "a=b=c", NONE },
        { "A=+1.2.3.4,+5.6.7.8\n", "A", VAL, "+1.2.3.4,+5.6.7.8", NONE },
        { "A=x", "A", VAL, "x", NONE },                         /* no final newline */
        { "A=caf\xc3\xa9\n", "A", VAL, "caf\xc3\xa9", NONE },
        /* comments */
        { "A=x # comment\n", "A", VAL, "x", NONE },
        { "A=a#b\n", "A", VAL, "a#b", NONE },
        { "# A=1\n", "A", UNSET, NULL, NONE },
        { "  # A=1\nB=2\n", "A", UNSET, NULL, NONE },
        { "A=\"x\"#c\n", "A", VAL, "x#c", NONE },
        /* single quotes */
        { "A='x y'\n", "A", VAL, "x y", NONE },
        { "A='$VAR `x`'\n", "A", VAL, "$VAR `x`", NONE },
        { "A='a\\b'\n", "A", VAL, "a\\b", NONE },
        { "A=''\n", "A", VAL, "", NONE },
        /* double quotes */
        { "A=\"x y\"\n", "A", VAL, "x y", NONE },
        { "A=\"a\\\"b\"\n", "A", VAL, "a\"b", NONE },
        { "A=\"a\\\\b\"\n", "A", VAL, "a\\b", NONE },
        { "A=\"a\\b\"\n", "A", VAL, "a\\b", NONE },
        { "A=\"a\\$b\"\n", "A", VAL, "a$b", NONE },
        { "A=\"a\\`b\"\n", "A", VAL, "a`b", NONE },
        { "A=\"a$\"\n", "A", VAL, "a$", NONE },
        { "A=\"$ x\"\n", "A", VAL, "$ x", NONE },
        { "A=\"mode=1   miimon=100\"\n", "A", VAL, "mode=1   miimon=100", NONE },
        { "A=$\"x y\"\n", "A", VAL, "x y", NONE },
        /* unquoted escapes and concatenation */
        { "A=\\a\n", "A", VAL, "a", NONE },
        { "A=a\\ b\n", "A", VAL, "a b", NONE },
        { "A=x\"c\"b\n", "A", VAL, "xcb", NONE },
        { "A=\"c\"\\'b\n", "A", VAL, "c'b", NONE },
        { "A='a'\"b\"c\n", "A", VAL, "abc", NONE },
        { "A=a$\n", "A", VAL, "a$", NONE },
        { "A=$\n", "A", VAL, "$", NONE },
        /* $'...' */
        { "A=$'a\\nb'\n", "A", VAL, "a\nb", NONE },
        { "A=$'\\t'\n", "A", VAL, "\t", NONE },
        { "A=$'\\x41'\n", "A", VAL, "A", NONE },
        { "A=$'\\101'\n", "A", VAL, "A", NONE },
        { "A=$'\\u00e9'\n", "A", VAL, "\xc3\xa9", NONE },
        { "A=$'\\c'\n", "A", VAL, "\\c", NONE },
        { "A=$'\\x'\n", "A", VAL, "\\x", NONE },
        { "A=$'it\\'s'\n", "A", VAL, "it's", NONE },
        { "A=$'\\0'\n", "A", BAD, NULL, ERR },
        { "A=$'open\n", "A", BAD, NULL, ERR },
        /* ';' */
        { "A=a;\n", "A", VAL, "a", NONE },
        { "A=a;   # c\n", "A", VAL, "a", NONE },
        { "A=;\n", "A", VAL, "", NONE },
        { "A=a; b\n", "A", BAD, NULL, ERR },
        { "A=a;;\n", "A", BAD, NULL, ERR },
        { "A=x;B=y\n", "B", UNSET, NULL, ERR },
        /* shell constructs: never executed */
        { "A=$VAR\n", "A", BAD, NULL, ERR },
        { "A=${VAR}\n", "A", BAD, NULL, ERR },
        { "A=$(cmd)\n", "A", BAD, NULL, ERR },
        { "A=`cmd`\n", "A", BAD, NULL, ERR },
        { "A=\"$VAR\"\n", "A", BAD, NULL, ERR },
        { "A=\"x`y`\"\n", "A", BAD, NULL, ERR },
        { "A=a|b\n", "A", BAD, NULL, ERR },
        { "A=a&\n", "A", BAD, NULL, ERR },
        { "A=(x)\n", "A", BAD, NULL, ERR },
        { "A=x>y\n", "A", BAD, NULL, ERR },
        { "A=<<EOF\nB=1\nEOF\nC=2\n", "B", UNSET, NULL, ERR },
        { "cat <<EOF\nA=1\nEOF\nB=2\n", "A", UNSET, NULL, WARN },
        { "A=a\\\nb<<<c\nB=2\n", "B", VAL, "2", ERR },
        { "A=1<<E\nB=2\n", "B", UNSET, NULL, ERR },
        { "A=a\\\n<<E\nE\nB=2\n", "B", VAL, "2", ERR },
        { "echo x \\\nA=1\nB=2\n", "A", UNSET, NULL, WARN },
        { "echo x \\\nA=1\nB=2\n", "B", VAL, "2", WARN },
        { "cat <<-'END'\nA=1\n\tEND\nB=2\n", "B", VAL, "2", WARN },
        /* unquoted blank */
        { "A=a b\n", "A", BAD, NULL, ERR },
        { "BONDING_OPTS=mode=802.3ad miimon=100\n", "BONDING_OPTS", BAD, NULL, ERR },
        { "A=\"x\" B=y\n", "B", UNSET, NULL, ERR },
        /* unterminated quotes: error, the next line is read normally */
        { "A=\"unterminated\nB=2\n", "A", BAD, NULL, ERR },
        { "A=\"unterminated\nB=2\n", "B", VAL, "2", ERR },
        { "A='unterminated\nB=2\n", "A", BAD, NULL, ERR },
        { "A=\"multi\nline\"\n", "A", BAD, NULL, ERR },
        /* continuation lines join (bash) with a warning */
        { "A=abc\\\ndef\n", "A", VAL, "abcdef", WARN },
        { "A=\"mode=1 \\\n miimon=100\"\n", "A", VAL, "mode=1  miimon=100", WARN },
        { "A=x\\", "A", VAL, "x\\", NONE },
        /* export, repeated keys, CR, non-assignments */
        { "export A=x\n", "A", VAL, "x", NOTE },
        { "A=1\nA=2\n", "A", VAL, "2", WARN },
        { "A=x\r\n", "A", VAL, "x", WARN },
        { "A=\"x\"\r\n", "A", VAL, "x", WARN },
        { "A = 1\n", "A", UNSET, NULL, WARN },
        { "1A=x\n", "1A", UNSET, NULL, WARN },
        { "export\n", "export", UNSET, NULL, WARN },
        { "A+=x\n", "A", UNSET, NULL, WARN },
        /* binary and encoding */
        { "A=caf\xe9\n", "A", BAD, NULL, ERR },
        { "A=x\x01y\n", "A", BAD, NULL, ERR },
        { "A=\"\xff\"\n", "A", BAD, NULL, ERR },
};

static enum worst worst_of(const struct bg_diags *d) {
        enum worst w = NONE;
        for (size_t i = 0; i < d->n; i++)
                if (w == NONE || (int)d->v[i].level < (int)w)
                        w = (enum worst)d->v[i].level;
        return w;
}

Test(ifcfg_lex, table) {
        cr_assert_geq(sizeof(cases) / sizeof(cases[0]), 40);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct lexcase *c = &cases[i];
                struct bg_ifcfg f;
                struct bg_ifcfg_var *v;

                cr_assert_eq(bg_ifcfg_parse(&f, "ifcfg-test", c->input, strlen(c->input)), 0);
                v = bg_ifcfg_find(&f, c->key);
                switch (c->state) {
                case UNSET:
                        cr_expect_null(v, "case %zu (%s): %s should be unset", i, c->input, c->key);
                        break;
                case BAD:
                        cr_expect(v && !v->value, "case %zu (%s): %s should be unreadable", i,
                                  c->input, c->key);
                        break;
                case VAL:
                        cr_expect(v && v->value && !strcmp(v->value, c->value),
                                  "case %zu (%s): %s = '%s', want '%s'", i, c->input, c->key,
                                  v && v->value ? v->value : "(null)", c->value);
                        break;
                }
                cr_expect_eq(worst_of(&f.diags), c->worst, "case %zu (%s): worst diag %d, want %d",
                             i, c->input, worst_of(&f.diags), c->worst);
                bg_ifcfg_free(&f);
        }
}

Test(ifcfg_lex, positions_and_messages) {
        const char *in = "# c\nDEVICE=bond0\n  BONDING_OPTS=\"mode=1\n";
        struct bg_ifcfg f;

        cr_assert_eq(bg_ifcfg_parse(&f, "ifcfg-bond0", in, strlen(in)), 0);
        cr_assert_eq(f.n, 2);
        cr_expect_eq(f.v[0].line, 2);
        cr_expect_eq(f.v[0].col, 1);
        cr_expect_eq(f.v[1].line, 3);
        cr_expect_eq(f.v[1].col, 3);
        cr_assert_eq(f.diags.n, 1);
        cr_expect_eq(f.diags.v[0].level, BG_DIAG_ERROR);
        cr_expect_str_eq(f.diags.v[0].file, "ifcfg-bond0");
        cr_expect_eq(f.diags.v[0].line, 3);
        cr_expect_eq(f.diags.v[0].col, 16);
        cr_expect_str_eq(f.diags.v[0].key, "BONDING_OPTS");
        cr_expect(strstr(f.diags.v[0].msg, "unterminated double quote") != NULL);
        bg_ifcfg_free(&f);
}

Test(ifcfg_lex, binary_file) {
        static const char in[] = "DEVICE=eth0\nX\0\x01\x02garbage\n";
        struct bg_ifcfg f;

        cr_assert_eq(bg_ifcfg_parse(&f, "ifcfg-eth0", in, sizeof(in) - 1), 0);
        cr_expect(f.binary);
        cr_expect_eq(f.n, 0);
        cr_assert_eq(f.diags.n, 1);
        cr_expect_eq(f.diags.v[0].line, 2);
        cr_expect(strstr(f.diags.v[0].msg, "NUL") != NULL);
        bg_ifcfg_free(&f);
}

Test(ifcfg_lex, duplicate_fates) {
        const char *in = "ONBOOT=no\nONBOOT=yes\n";
        struct bg_ifcfg f;
        struct bg_ifcfg_var *v;

        cr_assert_eq(bg_ifcfg_parse(&f, "x", in, strlen(in)), 0);
        v = bg_ifcfg_find(&f, "ONBOOT");
        cr_assert_eq(v->line, 2);
        cr_expect_eq(f.v[0].overridden_by, 2);
        bg_ifcfg_set_fate(&f, v, "onboot = %s", "true");
        cr_expect_str_eq(v->fate, "onboot = true");
        cr_expect_str_eq(f.v[0].fate, "ignored: set again on line 2");
        bg_ifcfg_free(&f);
}

Test(ifcfg_lex, booleans) {
        const char *t[] = { "y", "YES", "t", "True", "on", "1" };
        const char *n[] = { "n", "No", "f", "FALSE", "off", "0" };
        for (size_t i = 0; i < 6; i++) {
                cr_expect_eq(bg_ifcfg_bool(t[i]), 1, "%s", t[i]);
                cr_expect_eq(bg_ifcfg_bool(n[i]), 0, "%s", n[i]);
        }
        cr_expect_lt(bg_ifcfg_bool("maybe"), 0);
        cr_expect_lt(bg_ifcfg_bool(""), 0);
        cr_expect_lt(bg_ifcfg_bool(NULL), 0);
}

/* Diagnostics stay inside the file: a here-document that never ends, a
 * here-string after a continuation line. */
Test(ifcfg_lex, diagnostics_within_the_file) {
        static const char *const in[] = { "A<<", "X=1\ncat <<E\nbody", "A=a\\\nb<<<c\nB=$$\n",
                                          "I=N\\\n-<<\n<<\n\xe4=x\\\n\nI=\\\n\xff" "1\n=1" };
        for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
                struct bg_ifcfg f;
                unsigned lines = 1;
                for (const char *p = in[i]; *p; p++)
                        lines += *p == '\n';
                cr_assert_eq(bg_ifcfg_parse(&f, "x", in[i], strlen(in[i])), 0);
                cr_expect_gt(f.diags.n, 0);
                for (size_t k = 0; k < f.diags.n; k++)
                        cr_expect(f.diags.v[k].line >= 1 && f.diags.v[k].line <= lines, "input %zu: line %u of %u",
                                  i, f.diags.v[k].line, lines);
                bg_ifcfg_free(&f);
        }
}
