/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int bg_cmd_convert(int argc, char **argv) {
        fprintf(stderr, "bondgen convert: not available in this build\n");
        return BG_EXIT_SYSTEM;
}
