/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bondgen apply [-c FILE] [--backend auto|kernel|userspace] [--dry-run]
 * (bondgen(8)): load and validate the model, then reconcile each bond. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply/apply.h"
#include "cli.h"
#include "config.h"
#include "yaml/yaml.h"

static void print_line(void *userdata, const char *line) {
        FILE *f = userdata;
        fprintf(f, "%s\n", line);
        fflush(f);
}

static int load(const char *path, struct bg_model *m, struct bg_diags *d, const char **used) {
        static const char *const defaults[] = { BG_CONFDIR, BG_RUNDIR };
        struct stat sb;
        size_t n = 0;
        int r;

        if (path) {
                *used = path;
                if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
                        return bg_yaml_load_dir(path, m, d, &n);
                return bg_yaml_load_file(path, m, d);
        }
        /* The user's models first; the generated ones when there are none. */
        for (size_t i = 0; i < 2; i++) {
                bg_model_free(m);
                bg_model_init(m);
                r = bg_yaml_load_dir(defaults[i], m, d, &n);
                if (r == -ENOENT || (r == 0 && n == 0))
                        continue;
                *used = defaults[i];
                return r;
        }
        bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "no model found in %s or %s; use -c FILE",
                    defaults[0], defaults[1]);
        return -ENOENT;
}

int bg_cmd_apply(int argc, char **argv) {
        static const struct option longopts[] = {
                { "config", required_argument, NULL, 'c' },
                { "backend", required_argument, NULL, 'b' },
                { "dry-run", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct bg_apply_opts o = { .report = print_line, .userdata = stdout };
        struct bg_model m;
        struct bg_diags d = { 0 };
        const char *path = NULL, *used = NULL;
        bool *skip = NULL;
        size_t n_skip = 0;
        int c, r, status;

        optind = 1;
        while ((c = getopt_long(argc, argv, "c:nh", longopts, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        path = optarg;
                        break;
                case 'b':
                        if (bg_backend_from_string(optarg, &o.backend) < 0) {
                                fprintf(stderr, "bondgen apply: --backend: expected auto, kernel or userspace, not '%s'\n",
                                        optarg);
                                return BG_EXIT_USAGE;
                        }
                        o.backend_forced = true;
                        break;
                case 'n':
                        o.dry_run = true;
                        break;
                case 'h':
                        printf("Usage: bondgen apply [-c FILE|DIR] [--backend auto|kernel|userspace] [--dry-run]\n"
                               "Reconcile the running system with the model: create or adopt bonds, set\n"
                               "options, enslave ports, set addresses and routes. Only differences are applied.\n");
                        return BG_EXIT_OK;
                default:
                        return BG_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "bondgen apply: unexpected argument '%s'\n", argv[optind]);
                return BG_EXIT_USAGE;
        }

        bg_model_init(&m);
        r = load(path, &m, &d, &used);
        if (r < 0) {
                bg_diags_print(&d, stderr);
                bg_diags_free(&d);
                bg_model_free(&m);
                return r == -EINVAL || r == -ENOENT ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
        }
        skip = calloc(m.n_bonds + 1, sizeof(*skip));
        if (!skip) {
                bg_model_free(&m);
                return BG_EXIT_SYSTEM;
        }
        r = bg_model_validate(&m, &d);
        if (r < 0) {
                /* A bad bond is skipped and the others applied (boot must go on);
                 * which bonds are bad, each validated on its own, tells. */
                for (size_t i = 0; i < m.n_bonds; i++) {
                        struct bg_model one = m;
                        struct bg_diags scratch = { 0 };

                        one.bonds = &m.bonds[i];
                        one.n_bonds = 1;
                        if (bg_model_validate(&one, &scratch) < 0) {
                                skip[i] = true;
                                n_skip++;
                        }
                        bg_diags_free(&scratch);
                }
        }
        bg_diags_print(&d, stderr);
        bg_diags_free(&d);
        if (r < 0 && n_skip == 0) {
                /* errors between bonds (a port in two bonds): refuse all */
                fprintf(stderr, "bondgen apply: the model is invalid; nothing applied\n");
                free(skip);
                bg_model_free(&m);
                return BG_EXIT_INVALID;
        }
        for (size_t i = 0; i < m.n_bonds; i++)
                if (skip[i])
                        fprintf(stderr, "%s: skipped: invalid in the model (see above)\n", m.bonds[i].name);
        o.config_path = path ? path : NULL;
        o.skip = skip;
        if (o.dry_run)
                printf("plan for %s (dry run, nothing changed):\n", used);
        status = bg_apply_model(&m, &o, &d);
        bg_diags_print(&d, stderr);
        bg_diags_free(&d);
        bg_model_free(&m);
        free(skip);
        if (n_skip && status == BG_EXIT_OK)
                status = BG_EXIT_INVALID;
        return status;
}
