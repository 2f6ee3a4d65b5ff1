/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ifcfg lexer (src/legacy/ifcfg.h) on arbitrary bytes, not
 * NUL-terminated. Every variable it returns has a key and a position
 * inside the file, and the lookups and --explain bookkeeping work on it.
 */
#include "fuzz-util.h"
#include "legacy/ifcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[] = { "DEVICE", "BONDING_OPTS", "MASTER", "SLAVE", "IPADDR",
                                            "ONBOOT", "HWADDR", "TYPE" };
        struct bg_ifcfg f = { 0 };
        unsigned lines = 1;

        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        if (bg_ifcfg_parse(&f, "ifcfg-fuzz", (const char *) data, size) < 0)
                fuzz_fail("parse failed");
        fuzz_diags(&f.diags);
        for (size_t i = 0; i < f.n; i++) {
                const struct bg_ifcfg_var *v = &f.v[i];

                if (!v->key || !*v->key)
                        fuzz_fail("variable %zu without a key", i);
                if (v->line < 1 || v->line > lines || v->col < 1)
                        fuzz_fail("variable %s at %u:%u, file has %u lines", v->key, v->line, v->col, lines);
                if (v->value)
                        (void) bg_ifcfg_bool(v->value);
        }
        for (size_t i = 0; i < f.diags.n; i++)
                if (f.diags.v[i].line > lines)
                        fuzz_fail("diagnostic at line %u, file has %u lines", f.diags.v[i].line, lines);
        for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
                struct bg_ifcfg_var *v = bg_ifcfg_find(&f, keys[i]);

                (void) bg_ifcfg_get(&f, keys[i]);
                if (v)
                        bg_ifcfg_set_fate(&f, v, "fuzzed %s", keys[i]);
        }
        bg_ifcfg_free(&f);
        return 0;
}
