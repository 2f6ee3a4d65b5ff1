/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int bg_cmd_validate(int argc, char **argv) {
        fprintf(stderr, "bondgen validate: not available in this build\n");
        return BG_EXIT_SYSTEM;
}

int bg_cmd_show(int argc, char **argv) {
        fprintf(stderr, "bondgen show: not available in this build\n");
        return BG_EXIT_SYSTEM;
}
