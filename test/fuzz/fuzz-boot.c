/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What runs at every boot on user input (src/boot): the generator's model
 * reader (the YAML loader) on the bytes as one /etc/bondgen file, and the kernel command
 * line readers (bond=, ip=, bondgen=) on them as /proc/cmdline. The
 * generator must never fail; bondgen-cmdline turns the bonds it reads into
 * a model, which must validate, dump to loadable YAML and emit.
 */
#include "boot/boot.h"
#include "boot/cmdline-model.h"
#include "fuzz-util.h"
#include "yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        struct bg_model m, m2;
        char *text, *key, *value, *yaml = NULL;
        const char *p;
        size_t len;

        (void) bg_boot_scan_yaml_data((const char *) data, size, "fuzz.yaml", &s, &d);
        for (size_t i = 0; i < s.n_bonds; i++)
                if (!s.bonds[i].name)
                        fuzz_fail("scanned bond %zu without a name", i);
        fuzz_diags(&d);
        bg_boot_set_free(&s);
        bg_diags_free(&d);

        text = strndup((const char *) data, size);
        if (!text)
                return 0;
        (void) bg_boot_cmdline_disabled(text);
        for (p = text; bg_boot_cmdline_next(&p, &key, &value) == 1;) {
                free(key);
                free(value);
        }
        (void) bg_boot_cmdline_bonds(text, &s, &d);
        fuzz_diags(&d);
        bg_boot_set_free(&s);
        bg_diags_free(&d);

        bg_model_init(&m);
        (void) bg_boot_cmdline_model(text, &m, &d);
        fuzz_diags(&d);
        fuzz_validate_emit(&m);
        if (bg_yaml_dump(&m, &yaml, &len) < 0)
                fuzz_fail("dump failed");
        bg_diags_free(&d);
        if (bg_yaml_load_data(yaml, len, "cmdline.yaml", &m2, &d) < 0) {
                bg_diags_print(&d, stderr);
                fuzz_fail("the command line model does not load back:\n%s", yaml);
        }
        if (!bg_model_equal(&m, &m2))
                fuzz_fail("the command line model loads back differently:\n%s", yaml);
        bg_model_free(&m2);
        bg_model_free(&m);
        bg_diags_free(&d);
        free(yaml);
        free(text);
        return 0;
}
