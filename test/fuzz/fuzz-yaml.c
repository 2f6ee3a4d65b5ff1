/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The canonical YAML loader on arbitrary bytes (not NUL-terminated, so
 * ASan sees any read past the end). A file that loads is validated and
 * emitted, and must survive the round trip bondgen.yaml(5) promises: its
 * dump loads again without a diagnostic into an equal model, and dumping
 * that gives the same bytes.
 */
#include "fuzz-util.h"
#include "yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct bg_model m, m2;
        struct bg_diags d = { 0 }, d2 = { 0 };
        char *out = NULL, *out2 = NULL;
        size_t len = 0, len2 = 0;
        int r;

        r = bg_yaml_load_data((const char *) data, size, "fuzz.yaml", &m, &d);
        fuzz_diags(&d);
        if (r == 0 && bg_diags_has_errors(&d))
                fuzz_fail("load returned 0 with errors");
        if (r < 0 && !bg_diags_has_errors(&d))
                fuzz_fail("load failed (%d) without an error diagnostic", r);
        if (r == 0) {
                fuzz_validate_emit(&m);
                if (bg_yaml_dump(&m, &out, &len) < 0)
                        fuzz_fail("dump failed");
                r = bg_yaml_load_data(out, len, "dump.yaml", &m2, &d2);
                if (r < 0 || d2.n) {
                        bg_diags_print(&d2, stderr);
                        fuzz_fail("the dump does not load cleanly (%d):\n%s", r, out);
                }
                if (!bg_model_equal(&m, &m2))
                        fuzz_fail("the dump loads into another model:\n%s", out);
                if (bg_yaml_dump(&m2, &out2, &len2) < 0 || len2 != len || memcmp(out, out2, len))
                        fuzz_fail("dumping twice differs:\n%s---\n%s", out, out2 ? out2 : "");
                bg_model_free(&m2);
                bg_diags_free(&d2);
        }
        free(out);
        free(out2);
        bg_model_free(&m);
        bg_diags_free(&d);
        return 0;
}
