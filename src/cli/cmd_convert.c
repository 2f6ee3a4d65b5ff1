/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen convert [--root DIR] [--format yaml|networkd|netplan|keyfile]
 *                 [-o PATH] [--explain] [--force]
 *
 * Reads the legacy tree (src/legacy), validates the model, and prints the
 * canonical YAML or the chosen format. With -o the output is written
 * atomically (yaml: PATH is the file; other formats: PATH is a directory,
 * created if needed) and existing files are never replaced unless --force.
 * Nothing is written when there is an error; on stdout the bonds that
 * converted are still printed, and the exit status says something failed.
 * Exit status (bondgen(8)): 0 ok (warnings allowed), 1 invalid input or
 * refused (existing file), 2 usage, 3 system error (unreadable file or
 * root, write failure).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "emit/emit.h"
#include "legacy/legacy.h"
#include "model/model.h"
#include "util/util.h"
#include "yaml/yaml.h"

static void help(FILE *f) {
        fprintf(f,
                "Usage: bondgen convert [--root DIR] [--from rh|debian|suse]\n"
                "                       [--format yaml|networkd|netplan|keyfile]\n"
                "                       [-o PATH] [--explain] [--force] [--partial]\n\n"
                "Convert legacy bonding configuration under DIR (default /) into the canonical\n"
                "YAML or another format: Red Hat ifcfg-*, modprobe.conf, rc.local and\n"
                "sysconfig/network; Debian /etc/network/interfaces; SUSE sysconfig/network/ifcfg-*.\n\n"
                "  --root DIR      read the legacy files under DIR\n"
                "  --from SOURCE   read only rh, debian or suse (default: every one present)\n"
                "  --format FMT    yaml (default), networkd, netplan or keyfile\n"
                "  -o PATH         write to PATH (a file for yaml, a directory otherwise)\n"
                "  --explain       list every legacy key read and what became of it\n"
                "  --force         replace existing output files\n"
                "  --partial       with -o, still write the bonds that converted when others\n"
                "                  have errors (exit status 1 all the same); for boot-time use\n\n"
                "Exit status: 0 ok, 1 invalid input or refused, 2 usage error, 3 system error.\n"
                "See bondgen(8).\n");
}

static void print_explain(const struct bg_explain *e) {
        for (size_t i = 0; i < e->n; i++) {
                const struct bg_explain_entry *x = &e->v[i];
                if (x->loc.line && x->loc.col)
                        printf("%s:%u:%u: %s: %s\n", x->loc.file, x->loc.line, x->loc.col, x->key, x->fate);
                else if (x->loc.line)
                        printf("%s:%u: %s: %s\n", x->loc.file, x->loc.line, x->key, x->fate);
                else
                        printf("%s: %s: %s\n", x->loc.file ? x->loc.file : "-", x->key, x->fate);
        }
}

static int exists(const char *path) {
        struct stat st;
        return lstat(path, &st) == 0;
}

/* Write all files or none: existence is checked for every file first. */
static int write_files(const char *dir, const struct bg_emit_files *files, bool force) {
        int r;

        for (size_t i = 0; i < files->n; i++) {
                char *p;
                if (asprintf(&p, "%s/%s", dir, files->v[i].name) < 0)
                        return BG_EXIT_SYSTEM;
                if (!force && exists(p)) {
                        fprintf(stderr, "bondgen convert: %s exists; not overwritten (use --force)\n", p);
                        free(p);
                        return BG_EXIT_INVALID;
                }
                free(p);
        }
        for (size_t i = 0; i < files->n; i++) {
                char *p, *slash;
                if (asprintf(&p, "%s/%s", dir, files->v[i].name) < 0)
                        return BG_EXIT_SYSTEM;
                slash = strrchr(p, '/');
                *slash = 0;
                r = bg_mkdir_p(p, 0755);
                *slash = '/';
                if (r >= 0)
                        r = bg_write_file_atomic(p, files->v[i].content, strlen(files->v[i].content),
                                                 files->v[i].mode ? files->v[i].mode : 0644, force);
                if (r < 0) {
                        fprintf(stderr, "bondgen convert: %s: %s%s\n", p, strerror(-r),
                                r == -EEXIST ? " (not overwritten; use --force)" : "");
                        free(p);
                        return r == -EEXIST ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
                }
                free(p);
        }
        return BG_EXIT_OK;
}

int bg_cmd_convert(int argc, char **argv) {
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "from", required_argument, NULL, 'S' },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "explain", no_argument, NULL, 'e' },
                { "force", no_argument, NULL, 'F' },
                { "partial", no_argument, NULL, 'P' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *root = "/", *format = "yaml", *out = NULL;
        bool explain = false, force = false, partial = false, withheld = false;
        unsigned sources = 0;
        struct bg_diags diags = {};
        struct bg_explain ex = {};
        struct bg_emit_files files = {};
        struct bg_model m;
        int c, r, status = BG_EXIT_OK;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) >= 0) {
                switch (c) {
                case 'r': root = optarg; break;
                case 'S':
                        if (bg_legacy_source_from_name(optarg, &sources) < 0) {
                                fprintf(stderr, "bondgen convert: unknown source '%s' (rh, debian, suse)\n", optarg);
                                return BG_EXIT_USAGE;
                        }
                        break;
                case 'f': format = optarg; break;
                case 'o': out = optarg; break;
                case 'e': explain = true; break;
                case 'F': force = true; break;
                case 'P': partial = true; break;
                case 'h': help(stdout); return BG_EXIT_OK;
                default:
                        return bg_cli_usage_error("convert", "%s '%s'",
                                                  optopt ? "option needs an argument or is unknown:" :
                                                           "unknown option",
                                                  argv[optind - 1]);
                }
        }
        if (optind < argc) {
                return bg_cli_usage_error("convert", "unexpected argument '%s'", argv[optind]);
        }
        if (strcmp(format, "yaml") && !bg_emit_default_dir(format)) {
                return bg_cli_usage_error("convert", "unknown format '%s' (yaml, networkd, netplan, keyfile)",
                                          format);
        }
        if (out && !*out) {
                fprintf(stderr, "bondgen convert: -o needs a path\n");
                return BG_EXIT_USAGE;
        }

        bg_model_init(&m);
        r = bg_legacy_read_sources(root, sources, &m, &diags, explain ? &ex : NULL);
        if (r == -EINVAL)
                status = BG_EXIT_INVALID;
        else if (r < 0)
                status = BG_EXIT_SYSTEM;
        if (r != -ENOENT && r != -ENOTDIR && r != -ENOMEM) {
                /* Each bond was validated while it was read; this pass only
                 * catches problems between bonds, and adds its errors. */
                struct bg_diags v = {};
                if (bg_model_validate(&m, &v) < 0) {
                        for (size_t i = 0; i < v.n; i++)
                                if (v.v[i].level == BG_DIAG_ERROR)
                                        bg_diag_add(&diags, BG_DIAG_ERROR,
                                                    &(struct bg_loc) { v.v[i].file, v.v[i].line, v.v[i].col },
                                                    v.v[i].key, "%s", v.v[i].msg);
                        if (status == BG_EXIT_OK)
                                status = BG_EXIT_INVALID;
                }
                bg_diags_free(&v);
                if (m.n_bonds == 0 && status == BG_EXIT_OK)
                        bg_diag_add(&diags, BG_DIAG_WARNING, NULL, NULL,
                                    "no bonds found under %s", root);
        }
        if (!strcmp(format, "yaml"))
                for (size_t i = 0; i < m.n_bonds; i++)
                        if (m.bonds[i].opts[BG_OPT_ACTIVE_SLAVE].set && m.bonds[i].opts[BG_OPT_ACTIVE_SLAVE].str)
                                bg_diag_add(&diags, BG_DIAG_WARNING, &m.bonds[i].opt_loc[BG_OPT_ACTIVE_SLAVE],
                                            "active_slave",
                                            "%s: the active port (%s) is run-time state the canonical YAML "
                                            "does not keep; --format networkd or keyfile write it, or make "
                                            "it the primary", m.bonds[i].name, m.bonds[i].opts[BG_OPT_ACTIVE_SLAVE].str);
        if (bg_diags_has_errors(&diags) && status == BG_EXIT_OK)
                status = BG_EXIT_INVALID;

        if (r != -ENOENT && r != -ENOTDIR && r != -ENOMEM) {
                char *yaml = NULL;
                size_t len = 0;

                if (!strcmp(format, "yaml"))
                        r = bg_yaml_dump(&m, &yaml, &len);
                else
                        r = bg_emit_by_name(format, &m, &files, &diags);
                if (r < 0) {
                        fprintf(stderr, "bondgen convert: cannot produce %s: %s\n", format, strerror(-r));
                        status = BG_EXIT_SYSTEM;
                } else if (out && (status == BG_EXIT_OK ||
                                   (partial && status == BG_EXIT_INVALID && m.n_bonds > 0))) {
                        /* --partial: at boot one bad bond must not keep the
                         * others down (bondgen-generator(8)); the bad ones were left
                         * out of the model and the status stays 1. */
                        int kept = status;
                        if (yaml) {
                                r = force || !exists(out) ? bg_write_file_atomic(out, yaml, len, 0644, force)
                                                          : -EEXIST;
                                if (r < 0) {
                                        fprintf(stderr, "bondgen convert: %s: %s%s\n", out, strerror(-r),
                                                r == -EEXIST ? " (not overwritten; use --force)" : "");
                                        status = r == -EEXIST ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
                                }
                        } else {
                                if ((r = bg_mkdir_p(out, 0755)) < 0) {
                                        fprintf(stderr, "bondgen convert: %s: %s\n", out, strerror(-r));
                                        status = BG_EXIT_SYSTEM;
                                } else
                                        status = write_files(out, &files, force);
                        }
                        if (status == BG_EXIT_OK)
                                status = kept;
                } else if (out) {
                        withheld = true;
                } else if (!explain) {
                        if (yaml)
                                fwrite(yaml, 1, len, stdout);
                        for (size_t i = 0; i < files.n; i++) {
                                if (files.n > 1)
                                        printf("%s# ==> %s <==\n", i ? "\n" : "", files.v[i].name);
                                fputs(files.v[i].content, stdout);
                        }
                }
                free(yaml);
        }
        if (explain)
                print_explain(&ex);
        fflush(stdout);
        bg_diags_print(&diags, stderr);
        if (withheld)
                fprintf(stderr, "bondgen convert: nothing written to %s because of the errors above\n", out);

        bg_emit_files_free(&files);
        bg_explain_free(&ex);
        bg_diags_free(&diags);
        bg_model_free(&m);
        return status;
}
