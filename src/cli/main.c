/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *synopsis;
} commands[] = {
        { "convert", bg_cmd_convert,
          "convert [--root DIR | --model FILE|DIR] [--from rh|debian|suse]\n"
          "                  [--format yaml|networkd|netplan|keyfile] [-o PATH] [--explain] [--force]\n"
          "                  (also: bondgen --convert ...)" },
        { "validate", bg_cmd_validate, "validate FILE..." },
        { "show", bg_cmd_show, "show [FILE]" },
        { "apply", bg_cmd_apply,
          "apply [-c FILE] [--backend auto|kernel|userspace] [--dry-run] [--try[=SECONDS]] [--prune]" },
        { "diff", bg_cmd_diff, "diff [-c FILE|DIR] [BOND] [--json]" },
        { "confirm", bg_cmd_confirm, "confirm" },
        { "rollback", bg_cmd_rollback, "rollback" },
        { "metrics", bg_cmd_metrics, "metrics [--format openmetrics|prometheus] [-o FILE]" },
        { "status", bg_cmd_status, "status [BOND] [--json]" },
        { "enslave", bg_cmd_enslave, "enslave BOND IFACE" },
        { "release", bg_cmd_release, "release BOND IFACE" },
        { "active", bg_cmd_active, "active BOND IFACE" },
        { "prio", bg_cmd_prio, "prio BOND IFACE PRIO" },
};

int bg_cli_usage_error(const char *cmd, const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "bondgen%s%s: ", cmd ? " " : "", cmd ? cmd : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'bondgen%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
        return BG_EXIT_USAGE;
}

static void usage(FILE *f) {
        fprintf(f, "Usage: bondgen COMMAND [ARGS...]\n\nCommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  bondgen %s\n", commands[i].synopsis);
        fprintf(f, "\nExit status: 0 ok, 1 invalid input or refused, 2 usage error, "
                   "3 system error.\nSee bondgen(8).\n");
}

int main(int argc, char **argv) {
        if (argc < 2)
                return bg_cli_usage_error(NULL, "no command given");
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
                usage(stdout);
                return BG_EXIT_OK;
        }
        if (!strcmp(argv[1], "--version")) {
                printf("bondgen %s\n", BONDGEN_VERSION);
                return BG_EXIT_OK;
        }
        /* `bondgen --convert ...`: the spelling the seed's users were given. */
        if (!strcmp(argv[1], "--convert"))
                return bg_cmd_convert(argc - 1, argv + 1);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);
        return bg_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
