/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen validate FILE...   check canonical YAML files, one model each
 * bondgen show [FILE|DIR]    human summary of a model (default: every
 *                            *.yaml in /etc/bondgen, as one model)
 * Diagnostics go to stderr as FILE:LINE:COL: level: key: text (bondgen(8)).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "model/model.h"
#include "util/util.h"
#include "yaml/yaml.h"

static int status_of(int r) {
        if (r == 0)
                return BG_EXIT_OK;
        return r == -EINVAL ? BG_EXIT_INVALID : BG_EXIT_SYSTEM;
}

static int worst(int a, int b) {
        /* A system error outranks invalid input, which outranks success. */
        return a > b ? a : b;
}

static int parse_help(int argc, char **argv, const char *usage, bool *quiet) {
        static const struct option opts[] = {
                { "help", no_argument, NULL, 'h' },
                { "quiet", no_argument, NULL, 'q' },
                {},
        };
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+hq", opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        printf("Usage: %s\n", usage);
                        return -1;
                case 'q':
                        if (quiet) {
                                *quiet = true;
                                break;
                        }
                        /* fall through */
                default:
                        bg_cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
                        return -2;
                }
        }
        return 0;
}

/* Standard input as the caller handed it over: a pipe too (config files
 * are read as regular files only, so that a planted FIFO cannot block a
 * reader; standard input is no planted file). At most max bytes (-EFBIG). */
static int read_stdin(size_t max, char **out, size_t *len) {
        return bg_read_stream(STDIN_FILENO, max, out, len);
}

/* "-" is standard input, so that `bondgen convert | bondgen validate -` works. */
static int load_arg(const char *path, struct bg_model *m, struct bg_diags *diags) {
        struct bg_loc loc = { .file = "<stdin>" };
        char *data = NULL;
        size_t len = 0;
        int r;

        if (strcmp(path, "-"))
                return bg_yaml_load_file(path, m, diags);
        bg_model_init(m);
        r = read_stdin(BG_YAML_MAX_SIZE, &data, &len);
        if (r == -EFBIG) {
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "input too large (more than %u bytes)",
                            BG_YAML_MAX_SIZE);
                return -EINVAL;
        }
        if (r < 0) {
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "cannot read: %s", strerror(-r));
                return r;
        }
        bg_model_free(m);
        r = bg_yaml_load_data(data, len, "<stdin>", m, diags);
        free(data);
        return r;
}

static const char *validate_usage =
        "bondgen validate [-q] FILE...\n"
        "Check canonical model files (bondgen.yaml(5)), each on its own; - is stdin.\n"
        "  -q, --quiet   print errors only, no warnings\n"
        "Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage, 3 unreadable.";

int bg_cmd_validate(int argc, char **argv) {
        bool quiet = false;
        int status = BG_EXIT_OK;
        int r;

        r = parse_help(argc, argv, validate_usage, &quiet);
        if (r < 0)
                return r == -1 ? BG_EXIT_OK : BG_EXIT_USAGE;
        if (optind >= argc) {
                return bg_cli_usage_error("validate", "no FILE given");
        }
        for (int i = optind; i < argc; i++) {
                struct bg_diags diags = { 0 };
                struct bg_model m;

                r = load_arg(argv[i], &m, &diags);
                if (r == 0)
                        r = bg_model_validate(&m, &diags) < 0 ? -EINVAL : 0;
                for (size_t k = 0; k < diags.n; k++) {
                        char buf[4096];

                        if (quiet && diags.v[k].level != BG_DIAG_ERROR)
                                continue;
                        bg_diag_format(&diags.v[k], buf, sizeof(buf));
                        fprintf(stderr, "%s\n", buf);
                }
                /* Validation may refuse without an error diagnostic only on
                 * a bug; still count what the diagnostics say. */
                if (r == 0 && bg_diags_has_errors(&diags))
                        r = -EINVAL;
                status = worst(status, status_of(r));
                bg_diags_free(&diags);
                bg_model_free(&m);
        }
        return status;
}

/* ---- show ---- */

static void print_list(FILE *f, char *const *v, size_t n, const char *sep) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i ? sep : "", v[i]);
}

static void print_addrs(FILE *f, const struct bg_addr *v, size_t n, const char *sep) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s%s", i ? sep : "", BG_ADDR_STR(&v[i]));
}

static void show_monitor(FILE *f, const struct bg_bond *b) {
        uint64_t miimon = bg_bond_opt_num(b, BG_OPT_MIIMON);
        uint64_t arp = bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL);
        enum bg_mode mode = bg_bond_mode(b);

        fprintf(f, "  %-9s ", "monitor");
        if (miimon) {
                fprintf(f, "MII every %" PRIu64 " ms\n", miimon);
        } else if (arp) {
                const struct bg_optval *t = &b->opts[BG_OPT_ARP_IP_TARGET];

                fprintf(f, "ARP every %" PRIu64 " ms", arp);
                if (t->set && t->n_list) {
                        fputs(" to ", f);
                        print_list(f, t->list, t->n_list, ", ");
                }
                fputc('\n', f);
        } else if (mode == BG_MODE_8023AD || mode == BG_MODE_BALANCE_TLB ||
                   mode == BG_MODE_BALANCE_ALB) {
                /* The kernel sets miimon=100 itself for these modes when no
                 * monitor is given (bond_options.c:bond_option_mode_set()). */
                fputs("MII every 100 ms (kernel default for this mode)\n", f);
        } else {
                fputs("none (link failures are not detected)\n", f);
        }
}

static void show_ip(FILE *f, const char *name, const struct bg_ipcfg *ip) {
        fprintf(f, "  %-9s %s", name, bg_ip_method_name(ip->method));
        if (ip->n_addresses) {
                fputc(' ', f);
                print_addrs(f, ip->addresses, ip->n_addresses, ", ");
        }
        if (bg_addr_set(&ip->gateway))
                fprintf(f, ", gateway %s", BG_ADDR_STR(&ip->gateway));
        fputc('\n', f);
        for (size_t i = 0; i < ip->n_routes; i++) {
                const struct bg_route *r = &ip->routes[i];

                fprintf(f, "  %-9s route %s", "", r->is_default ? "default" : BG_ADDR_STR(&r->to));
                if (bg_addr_set(&r->via))
                        fprintf(f, " via %s", BG_ADDR_STR(&r->via));
                if (r->metric)
                        fprintf(f, " metric %" PRIu32, r->metric);
                fputc('\n', f);
        }
        if (ip->n_dns) {
                fprintf(f, "  %-9s dns ", "");
                print_addrs(f, ip->dns, ip->n_dns, ", ");
                fputc('\n', f);
        }
}

static void show_bond(FILE *f, const struct bg_bond *b) {
        const struct bg_opt_info *mo = bg_opt_get(BG_OPT_MODE);
        bool any = false;

        fprintf(f, "%s\n", b->name);
        if (b->loc.file && b->loc.line)
                fprintf(f, "  %-9s %s:%u\n", "from", b->loc.file, b->loc.line);
        if (b->opts[BG_OPT_MODE].set)
                fprintf(f, "  %-9s %s\n", "mode",
                        bg_opt_enum_name(mo, b->opts[BG_OPT_MODE].num) ?: "?");
        else
                fprintf(f, "  %-9s %s (default)\n", "mode", bg_mode_name(BG_MODE_BALANCE_RR));
        fprintf(f, "  %-9s %s\n", "backend", bg_backend_name(b->backend));
        show_monitor(f, b);
        fprintf(f, "  %-9s", "options");
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                char buf[1024];

                if (id == BG_OPT_MODE || !b->opts[id].set)
                        continue;
                if (bg_opt_format_value(o, &b->opts[id], buf, sizeof(buf)) < 0)
                        snprintf(buf, sizeof(buf), "?");
                fprintf(f, " %s=%s", o->name, buf);
                any = true;
        }
        fputs(any ? "\n" : " none\n", f);
        fprintf(f, "  %-9s", "ports");
        for (size_t i = 0; i < b->n_ports; i++) {
                const struct bg_port *p = &b->ports[i];

                fputs(i ? ", " : " ", f);
                if (p->name && p->mac.len)
                        fprintf(f, "%s (mac %s)", p->name, BG_HWADDR_STR(&p->mac));
                else if (p->name)
                        fputs(p->name, f);
                else
                        fprintf(f, "mac %s", BG_HWADDR_STR(&p->mac));
        }
        fputs(b->n_ports ? "\n" : " none\n", f);
        fprintf(f, "  %-9s %s\n", "onboot", b->onboot ? "yes" : "no");
        if (b->mtu)
                fprintf(f, "  %-9s %" PRIu32 "\n", "mtu", b->mtu);
        fprintf(f, "  %-9s %s\n", "mac", b->mac.len ? BG_HWADDR_STR(&b->mac) : "from the first port");
        show_ip(f, "ipv4", &b->ipv4);
        show_ip(f, "ipv6", &b->ipv6);
}

static const char *show_usage =
        "bondgen show [FILE|DIR]\n"
        "Summarise a model: a file, or every *.yaml in a directory taken as one model\n"
        "(default " BG_CONFDIR ").\n"
        "Exit status: 0 ok (warnings allowed), 1 invalid or no model, 2 usage, 3 unreadable.";

int bg_cmd_show(int argc, char **argv) {
        struct bg_diags diags = { 0 };
        struct bg_model m;
        const char *path = BG_CONFDIR;
        bool dir = true, dflt = true, loaded;
        size_t n_files = 1;
        struct stat st;
        int r, status;

        r = parse_help(argc, argv, show_usage, NULL);
        if (r < 0)
                return r == -1 ? BG_EXIT_OK : BG_EXIT_USAGE;
        if (argc - optind > 1) {
                return bg_cli_usage_error("show", "too many arguments");
        }
        if (optind < argc) {
                path = argv[optind];
                dflt = false;
                dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        }
        if (dir)
                r = bg_yaml_load_dir(path, &m, &diags, &n_files);
        else
                r = bg_yaml_load_file(path, &m, &diags);
        if (dflt && (r == -ENOENT || (r == 0 && n_files == 0))) {
                fprintf(stderr, "bondgen show: no model: no *.yaml files in %s\n", path);
                bg_diags_free(&diags);
                bg_model_free(&m);
                return BG_EXIT_INVALID;
        }
        if (r == 0 && n_files == 0) {
                fprintf(stderr, "bondgen show: no *.yaml files in %s\n", path);
                r = -EINVAL;
        }
        /* A file that does not load is not summarised (it may be half
         * read); a model that loads but fails validation still is, as
         * help to fix it. */
        loaded = r == 0;
        if (loaded && bg_model_validate(&m, &diags) < 0)
                r = -EINVAL;
        if (r == 0 && bg_diags_has_errors(&diags))
                r = -EINVAL;
        bg_diags_print(&diags, stderr);
        status = status_of(r);
        if (loaded) {
                if (m.n_bonds == 0)
                        printf("no bonds\n");
                for (size_t i = 0; i < m.n_bonds; i++) {
                        if (i)
                                putchar('\n');
                        show_bond(stdout, &m.bonds[i]);
                }
        }
        bg_diags_free(&diags);
        bg_model_free(&m);
        return status;
}
