/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen-cmdline [-o FILE] [--cmdline TEXT]
 *
 * Writes the canonical model of the kernel command line's bond= (and ip=
 * for those bonds) to FILE (atomically) or stdout. bondgen-apply.service
 * runs it when the generator saw bond= on the command line; the initramfs
 * scripts run it too. Exit status as bondgen(8): 0 ok, 1 a bond was left
 * out (the others are written), 2 usage, 3 system error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline-model.h"
#include "util/util.h"
#include "yaml/yaml.h"

int main(int argc, char **argv) {
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "cmdline", required_argument, NULL, 'C' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *out = NULL, *text = NULL;
        _cleanup_free_ char *buf = NULL, *yaml = NULL;
        struct bg_diags d = { 0 };
        struct bg_model m;
        size_t len;
        int c, r, status = 0;

        while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) >= 0) {
                switch (c) {
                case 'o':
                        out = optarg;
                        break;
                case 'C':
                        text = optarg;
                        break;
                case 'h':
                        printf("Usage: bondgen-cmdline [-o FILE] [--cmdline TEXT]\n"
                               "Canonical YAML of the kernel command line's bond= and ip=.\n"
                               "See bondgen-generator(8).\n");
                        return 0;
                default:
                        return 2;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "Usage: bondgen-cmdline [-o FILE] [--cmdline TEXT]\n");
                return 2;
        }
        if (!text) {
                r = bg_read_file("/proc/cmdline", 1 << 16, &buf, &len);
                if (r < 0) {
                        fprintf(stderr, "bondgen-cmdline: /proc/cmdline: %s\n", strerror(-r));
                        return 3;
                }
                text = buf;
        }
        bg_model_init(&m);
        r = bg_boot_cmdline_model(text, &m, &d);
        if (r == -ENOMEM) {
                fprintf(stderr, "bondgen-cmdline: out of memory\n");
                bg_model_free(&m);
                return 3;
        }
        if (r < 0)
                status = 1;
        if (m.n_bonds > 0 && bg_model_validate(&m, &d) < 0)
                status = 1;
        bg_diags_print(&d, stderr);
        bg_diags_free(&d);
        if (m.n_bonds == 0) {
                fprintf(stderr, "bondgen-cmdline: no usable bond= on the kernel command line\n");
                bg_model_free(&m);
                return status;
        }
        r = bg_yaml_dump(&m, &yaml, &len);
        bg_model_free(&m);
        if (r < 0) {
                fprintf(stderr, "bondgen-cmdline: %s\n", strerror(-r));
                return 3;
        }
        if (!out) {
                fputs(yaml, stdout);
                return status;
        }
        r = bg_write_file_atomic(out, yaml, len, 0644, true);
        if (r < 0) {
                fprintf(stderr, "bondgen-cmdline: %s: %s\n", out, strerror(-r));
                return 3;
        }
        return status;
}
