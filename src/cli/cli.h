/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Subcommands of `bondgen` (bondgen(8)). Each returns the process exit
 * status: 0 ok, 1 invalid input / refused, 2 usage, 3 system error. */

enum {
        BG_EXIT_OK = 0,
        BG_EXIT_INVALID = 1,
        BG_EXIT_USAGE = 2,
        BG_EXIT_SYSTEM = 3,
};

/* A usage error: "bondgen CMD: TEXT" and a hint where the help is, never
 * the whole help (it would bury the one line that matters). cmd NULL: the
 * top level. Returns BG_EXIT_USAGE. */
int bg_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int bg_cmd_convert(int argc, char **argv);   /* cmd_convert.c */
int bg_cmd_validate(int argc, char **argv);  /* cmd_model.c */
int bg_cmd_show(int argc, char **argv);      /* cmd_model.c */
int bg_cmd_apply(int argc, char **argv);     /* cmd_apply.c */
int bg_cmd_status(int argc, char **argv);    /* cmd_ctl.c */
int bg_cmd_enslave(int argc, char **argv);   /* cmd_ctl.c */
int bg_cmd_release(int argc, char **argv);   /* cmd_ctl.c */
int bg_cmd_active(int argc, char **argv);    /* cmd_ctl.c */
