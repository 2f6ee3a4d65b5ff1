/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen convert [--root DIR | --model FILE|DIR] [--from rh|debian|suse]
 *                 [--format yaml|networkd|netplan|keyfile] [-o PATH]
 *                 [--explain] [--force] [--partial]
 * (also spelled `bondgen --convert ...`)
 *
 * Reads the legacy tree (src/legacy) or a canonical model (src/yaml),
 * validates the model, and prints the canonical YAML or the chosen format.
 * The steps, in order: parse_args, read_input, check_model, produce,
 * deliver, report. With -o the output is written
 * atomically (yaml: PATH is the file; other formats: PATH is a directory,
 * created if needed, that receives the whole set of files or none of it)
 * and existing files are never replaced unless --force.
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
                "                       [-o PATH] [--explain] [--force] [--partial]\n"
                "       bondgen convert --model FILE|DIR [--format FMT] [-o PATH] [--force]\n"
                "       (bondgen --convert ... is the same command)\n\n"
                "Convert legacy bonding configuration under DIR (default /) into the canonical\n"
                "YAML or another format: Red Hat ifcfg-*, modprobe.conf, rc.local and\n"
                "sysconfig/network; Debian /etc/network/interfaces; SUSE sysconfig/network/ifcfg-*.\n\n"
                "  --root DIR      read the legacy files under DIR\n"
                "  --from SOURCE   read only rh, debian or suse (default: every one present)\n"
                "  --model PATH    read a canonical model (bondgen.yaml(5)) file, or every\n"
                "                  *.yaml of a directory, instead of legacy files\n"
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

/* Write the set or nothing (bg_write_set_atomic(); bondgen(8), Output). */
static int write_files(const char *dir, const struct bg_emit_files *files, bool force) {
        struct bg_out_file *v = calloc(files->n ? files->n : 1, sizeof(*v));
        const char *what = NULL;
        int r;

        if (!v) {
                fprintf(stderr, "bondgen convert: %s\n", strerror(ENOMEM));
                return BG_EXIT_SYSTEM;
        }
        for (size_t i = 0; i < files->n; i++)
                v[i] = (struct bg_out_file) { files->v[i].name, files->v[i].content, strlen(files->v[i].content),
                                              files->v[i].mode ? files->v[i].mode : 0644 };
        r = bg_write_set_atomic(dir, v, files->n, force, &what);
        free(v);
        if (r == 0)
                return BG_EXIT_OK;
        if (r == -EEXIST && what)
                fprintf(stderr, "bondgen convert: %s/%s exists; not overwritten (use --force); nothing was "
                        "written\n", dir, what);
        else if (r == -EISDIR && what)
                fprintf(stderr, "bondgen convert: %s/%s is a directory; not replaced; nothing was written\n",
                        dir, what);
        else
                fprintf(stderr, "bondgen convert: %s%s%s: %s; nothing was written, %s is as it was\n", dir,
                        what ? "/" : "", what ? what : "", strerror(-r), dir);
        return r == -EEXIST || r == -EISDIR || r == -ENOTDIR || r == -EINVAL ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
}

struct conv_opts {
        const char *root, *model, *format, *out;
        unsigned sources;
        bool explain, force, partial, root_given;
};

/* What convert produces: the YAML text, or the files of an emitter. */
struct conv_output {
        char *yaml;
        size_t len;
        struct bg_emit_files files;
};

/* Returns -1 to go on, else the exit status (help, usage error). */
static int parse_args(int argc, char **argv, struct conv_opts *o) {
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "from", required_argument, NULL, 'S' },
                { "model", required_argument, NULL, 'm' },
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "explain", no_argument, NULL, 'e' },
                { "force", no_argument, NULL, 'F' },
                { "partial", no_argument, NULL, 'P' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *conflict = NULL;
        int c;

        *o = (struct conv_opts) { .root = "/", .format = "yaml" };
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) >= 0) {
                switch (c) {
                case 'r': o->root = optarg; o->root_given = true; break;
                case 'S':
                        if (bg_legacy_source_from_name(optarg, &o->sources) < 0) {
                                fprintf(stderr, "bondgen convert: unknown source '%s' (rh, debian, suse)\n", optarg);
                                return BG_EXIT_USAGE;
                        }
                        break;
                case 'm': o->model = optarg; break;
                case 'f': o->format = optarg; break;
                case 'o': o->out = optarg; break;
                case 'e': o->explain = true; break;
                case 'F': o->force = true; break;
                case 'P': o->partial = true; break;
                case 'h': help(stdout); return BG_EXIT_OK;
                default:
                        return bg_cli_usage_error("convert", "%s '%s'",
                                                  optopt ? "option needs an argument or is unknown:" :
                                                           "unknown option",
                                                  argv[optind - 1]);
                }
        }
        if (optind < argc)
                return bg_cli_usage_error("convert", "unexpected argument '%s'", argv[optind]);
        if (strcmp(o->format, "yaml") && !bg_emit_default_dir(o->format))
                return bg_cli_usage_error("convert", "unknown format '%s' (yaml, networkd, netplan, keyfile)",
                                          o->format);
        if (o->out && !*o->out) {
                fprintf(stderr, "bondgen convert: -o needs a path\n");
                return BG_EXIT_USAGE;
        }
        if (o->model && !*o->model) {
                fprintf(stderr, "bondgen convert: --model needs a path\n");
                return BG_EXIT_USAGE;
        }
        /* A model has no legacy keys to explain and no bond to leave out. */
        if (o->model)
                conflict = o->root_given ? "--root" : o->sources ? "--from" : o->explain ? "--explain"
                                                                       : o->partial ? "--partial" : NULL;
        if (conflict)
                return bg_cli_usage_error("convert", "%s reads legacy files; it cannot be used with --model",
                                          conflict);
        return -1;
}

static int status_of(int r) {
        if (r == 0)
                return BG_EXIT_OK;
        return r == -EINVAL ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
}

/* The legacy tree or the canonical model into m. *usable: false when there
 * is nothing to go on with (no root, no model, out of memory). */
static int read_input(const struct conv_opts *o, struct bg_model *m, struct bg_diags *d,
                      struct bg_explain *ex, bool *usable) {
        struct stat st;
        int r;

        if (o->model) {
                if (stat(o->model, &st) == 0 && S_ISDIR(st.st_mode)) {
                        size_t n = 0;

                        r = bg_yaml_load_dir(o->model, m, d, &n);
                        if (r == 0 && n == 0)
                                bg_diag_add(d, BG_DIAG_WARNING, NULL, NULL, "no *.yaml model in %s", o->model);
                } else
                        r = bg_yaml_load_file(o->model, m, d);
                *usable = r == 0 || r == -EINVAL;
                return status_of(r < 0 && r != -EINVAL ? -EIO : r);
        }
        r = bg_legacy_read_sources(o->root, o->sources, m, d, ex);
        *usable = r != -ENOENT && r != -ENOTDIR && r != -ENOMEM;
        return status_of(r < 0 && r != -EINVAL ? -EIO : r);
}

/* Whole-model validation. A legacy reader validated each bond as it read
 * it (and left bad ones out), so only errors between bonds are added; a
 * canonical model gets every diagnostic, as `bondgen validate` gives. */
static int check_model(const struct conv_opts *o, const struct bg_model *m, struct bg_diags *d,
                       int status) {
        struct bg_diags v = {};

        if (bg_model_validate(m, &v) < 0 && status == BG_EXIT_OK)
                status = BG_EXIT_INVALID;
        for (size_t i = 0; i < v.n; i++)
                if (o->model || v.v[i].level == BG_DIAG_ERROR)
                        bg_diag_add(d, v.v[i].level, &(struct bg_loc) { v.v[i].file, v.v[i].line, v.v[i].col },
                                    v.v[i].key, "%s", v.v[i].msg);
        bg_diags_free(&v);
        if (m->n_bonds == 0 && status == BG_EXIT_OK)
                bg_diag_add(d, BG_DIAG_WARNING, NULL, NULL, "no bonds found %s %s", o->model ? "in" : "under",
                            o->model ? o->model : o->root);
        if (bg_diags_has_errors(d) && status == BG_EXIT_OK)
                status = BG_EXIT_INVALID;
        return status;
}

static int produce(const struct conv_opts *o, const struct bg_model *m, struct bg_diags *d,
                   struct conv_output *out) {
        int r;

        if (!strcmp(o->format, "yaml"))
                r = bg_yaml_dump(m, &out->yaml, &out->len);
        else
                r = bg_emit_by_name(o->format, m, &out->files, d);
        if (r < 0) {
                fprintf(stderr, "bondgen convert: cannot produce %s: %s\n", o->format, strerror(-r));
                return BG_EXIT_SYSTEM;
        }
        return BG_EXIT_OK;
}

/* -o: write everything or nothing (the existing files are checked first);
 * else stdout. *withheld: -o was given but errors kept it from writing. */
static int deliver(const struct conv_opts *o, const struct bg_model *m, const struct conv_output *out,
                   int status, bool *withheld) {
        int r, kept = status;

        /* --partial: at boot one bad bond must not keep the others down
         * (bondgen-generator(8)); the bad ones were left out of the model
         * and the status stays 1. */
        if (o->out && !(status == BG_EXIT_OK ||
                        (o->partial && status == BG_EXIT_INVALID && m->n_bonds > 0))) {
                *withheld = true;
                return status;
        }
        if (!o->out) {
                if (o->explain)
                        return status;
                if (out->yaml)
                        fwrite(out->yaml, 1, out->len, stdout);
                for (size_t i = 0; i < out->files.n; i++) {
                        if (out->files.n > 1)
                                printf("%s# ==> %s <==\n", i ? "\n" : "", out->files.v[i].name);
                        fputs(out->files.v[i].content, stdout);
                }
                return status;
        }
        if (out->yaml) {
                r = o->force || !exists(o->out) ? bg_write_file_atomic(o->out, out->yaml, out->len, 0644, o->force)
                                                : -EEXIST;
                if (r < 0) {
                        fprintf(stderr, "bondgen convert: %s: %s%s\n", o->out, strerror(-r),
                                r == -EEXIST ? " (not overwritten; use --force)" : "");
                        return r == -EEXIST ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
                }
        } else if ((r = write_files(o->out, &out->files, o->force)) != BG_EXIT_OK)
                return r;
        return kept;
}

static void report(const struct conv_opts *o, const struct bg_explain *ex, const struct bg_diags *d,
                   bool withheld) {
        if (o->explain)
                print_explain(ex);
        fflush(stdout);
        bg_diags_print(d, stderr);
        if (withheld)
                fprintf(stderr, "bondgen convert: nothing written to %s because of the errors above\n", o->out);
}

int bg_cmd_convert(int argc, char **argv) {
        struct conv_opts o;
        struct conv_output out = {};
        struct bg_diags diags = {};
        struct bg_explain ex = {};
        struct bg_model m;
        bool usable, withheld = false;
        int status;

        if ((status = parse_args(argc, argv, &o)) >= 0)
                return status;
        bg_model_init(&m);
        status = read_input(&o, &m, &diags, o.explain ? &ex : NULL, &usable);
        if (usable)
                status = check_model(&o, &m, &diags, status);
        /* A legacy reader left its bad bonds out, so the rest can still be
         * shown (or, with --partial, written); a canonical model is taken
         * whole or not at all. */
        if (usable && !(o.model && status != BG_EXIT_OK)) {
                if (produce(&o, &m, &diags, &out) != BG_EXIT_OK)
                        status = BG_EXIT_SYSTEM;
                else
                        status = deliver(&o, &m, &out, status, &withheld);
        } else if (usable && o.out)
                withheld = true;
        report(&o, &ex, &diags, withheld);

        free(out.yaml);
        bg_emit_files_free(&out.files);
        bg_explain_free(&ex);
        bg_diags_free(&diags);
        bg_model_free(&m);
        return status;
}
