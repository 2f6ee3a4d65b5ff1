/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bondgen apply [-c FILE] [--backend auto|kernel|userspace] [--dry-run]
 * [--try[=SECONDS]] [--prune] (bondgen(8)): load and validate the model,
 * then reconcile each bond. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* Load and validate; bonds invalid on their own are marked in *skip (the
 * others are still applied: boot must go on). Returns 0 or an exit status. */
int bg_cli_prepare(const char *path, struct bg_model *m, bool **skip_out, size_t *n_skip_out,
                   const char **used, const char *cmd) {
        struct bg_diags d = { 0 };
        bool *skip;
        size_t n_skip = 0;
        int r;

        bg_model_init(m);
        r = load(path, m, &d, used);
        if (r < 0) {
                bg_diags_print(&d, stderr);
                bg_diags_free(&d);
                return r == -EINVAL || r == -ENOENT ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
        }
        skip = calloc(m->n_bonds + 1, sizeof(*skip));
        if (!skip)
                return BG_EXIT_SYSTEM;
        r = bg_model_validate(m, &d);
        if (r < 0) {
                /* which bonds are bad: each validated on its own */
                for (size_t i = 0; i < m->n_bonds; i++) {
                        struct bg_model one = *m;
                        struct bg_diags scratch = { 0 };

                        one.bonds = &m->bonds[i];
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
                fprintf(stderr, "bondgen %s: the model is invalid; nothing %s\n", cmd,
                        strcmp(cmd, "apply") ? "compared" : "applied");
                free(skip);
                return BG_EXIT_INVALID;
        }
        for (size_t i = 0; i < m->n_bonds; i++)
                if (skip[i])
                        fprintf(stderr, "%s: skipped: invalid in the model (see above)\n", m->bonds[i].name);
        *skip_out = skip;
        *n_skip_out = n_skip;
        return 0;
}

/* --try: refuse when one is pending; record the state of every bond the
 * model touches and start the rollback timer before the first change. */
static int try_begin(const struct bg_model *m, const bool *skip, bool prune, unsigned seconds) {
        const char *rundir = bg_cli_rundir();
        struct bg_try_info info;
        struct bg_snapshot snap;
        char path[4096], exe[4096];
        ssize_t n;
        int lock, r;

        lock = bg_try_lock(rundir);
        if (lock < 0) {
                fprintf(stderr, "bondgen apply: %s/try: %s\n", rundir, strerror(-lock));
                return BG_EXIT_SYSTEM;
        }
        r = bg_try_pending(rundir, &info);
        if (r > 0) {
                fprintf(stderr, "bondgen apply: a try is pending (rolled back in %llds); "
                                "run 'bondgen confirm' to keep it or 'bondgen rollback' first\n",
                        (long long) (info.deadline - time(NULL)));
                close(lock);
                return BG_EXIT_INVALID;
        }
        bg_snapshot_init(&snap);
        r = bg_snapshot_take(m, skip, prune, &snap);
        snprintf(path, sizeof(path), "%s/try/previous.yaml", rundir);
        if (r >= 0)
                r = bg_snapshot_save(&snap, path);
        bg_snapshot_free(&snap);
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (r >= 0 && n <= 0)
                r = -errno;
        if (r >= 0) {
                exe[n] = 0;
                r = bg_try_arm(rundir, exe, seconds, &info);
        }
        close(lock);
        if (r < 0) {
                bg_try_clear(rundir);
                fprintf(stderr, "bondgen apply: cannot start the rollback timer: %s; nothing applied\n",
                        strerror(-r));
                return BG_EXIT_SYSTEM;
        }
        printf("try: the state before is saved in %s; it comes back in %us unless 'bondgen confirm' runs (%s)\n",
               path, seconds, info.unit[0] ? "systemd timer " TRY_UNIT_NAME : "timer process");
        return 0;
}

int bg_cmd_apply(int argc, char **argv) {
        static const struct option longopts[] = {
                { "config", required_argument, NULL, 'c' },
                { "backend", required_argument, NULL, 'b' },
                { "dry-run", no_argument, NULL, 'n' },
                { "try", optional_argument, NULL, 't' },
                { "prune", no_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct bg_apply_opts o = { .report = print_line, .userdata = stdout };
        struct bg_model m;
        struct bg_diags d = { 0 };
        const char *path = NULL, *used = NULL;
        bool *skip = NULL, try = false;
        unsigned try_s = 120;
        size_t n_skip = 0;
        int c, status;

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
                case 't': {
                        char *end;
                        unsigned long v;
                        try = true;
                        if (!optarg)
                                break;
                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno || *end || end == optarg || v < 1 || v > 86400) {
                                fprintf(stderr, "bondgen apply: --try: expected seconds from 1 to 86400, not '%s'\n",
                                        optarg);
                                return BG_EXIT_USAGE;
                        }
                        try_s = (unsigned) v;
                        break;
                }
                case 'p':
                        o.prune = true;
                        break;
                case 'h':
                        printf("Usage: bondgen apply [-c FILE|DIR] [--backend auto|kernel|userspace] [--dry-run]\n"
                               "                     [--try[=SECONDS]] [--prune]\n"
                               "Reconcile the running system with the model: create or adopt bonds, set\n"
                               "options, enslave ports, set addresses and routes. Only differences are applied;\n"
                               "a bond whose change fails is put back as it was. --try rolls everything back\n"
                               "after SECONDS (120) unless 'bondgen confirm' runs; --prune deletes kernel bonds\n"
                               "the model does not name.\n");
                        return BG_EXIT_OK;
                default:
                        return BG_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "bondgen apply: unexpected argument '%s'\n", argv[optind]);
                return BG_EXIT_USAGE;
        }

        status = bg_cli_prepare(path, &m, &skip, &n_skip, &used, "apply");
        if (status) {
                bg_model_free(&m);
                return status;
        }
        o.config_path = path ? path : NULL;
        o.skip = skip;
        if (o.dry_run)
                printf("plan for %s (dry run, nothing changed):\n", used);
        else if (try) {
                status = try_begin(&m, skip, o.prune, try_s);
                if (status) {
                        bg_model_free(&m);
                        free(skip);
                        return status;
                }
        }
        status = bg_apply_model(&m, &o, &d);
        bg_diags_print(&d, stderr);
        bg_diags_free(&d);
        bg_model_free(&m);
        free(skip);
        if (n_skip && status == BG_EXIT_OK)
                status = BG_EXIT_INVALID;
        return status;
}
