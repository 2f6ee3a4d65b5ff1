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
int bg_cmd_prio(int argc, char **argv);      /* cmd_ctl.c */

/* Shared by apply and diff (cmd_apply.c): load the model from -c PATH or
 * the default directories and validate it; *skip marks bonds that are
 * invalid on their own. Returns 0 or an exit status. */
#include <stdbool.h>
#include <stddef.h>
struct bg_model;
int bg_cli_prepare(const char *path, struct bg_model *m, bool **skip, size_t *n_skip,
                   const char **used, const char *cmd);
/* $BONDGEN_RUNDIR (absolute) or /run/bondgen (cmd_safe.c). */
const char *bg_cli_rundir(void);
#define TRY_UNIT_NAME "bondgen-try-rollback"

int bg_cmd_diff(int argc, char **argv);      /* cmd_safe.c */
int bg_cmd_confirm(int argc, char **argv);   /* cmd_safe.c */
int bg_cmd_rollback(int argc, char **argv);  /* cmd_safe.c */
int bg_cmd_metrics(int argc, char **argv);   /* cmd_metrics.c */
/* Print a kernel bond's status (cmd_kstatus.c); -ENOENT when BOND is no
 * kernel bond. */
int bg_cli_kernel_status(const char *bond, bool json);
