/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int bg_cmd_status(int argc, char **argv) {
        fprintf(stderr, "bondgen status: not available in this build\n");
        return BG_EXIT_SYSTEM;
}

int bg_cmd_enslave(int argc, char **argv) {
        fprintf(stderr, "bondgen enslave: not available in this build\n");
        return BG_EXIT_SYSTEM;
}

int bg_cmd_release(int argc, char **argv) {
        fprintf(stderr, "bondgen release: not available in this build\n");
        return BG_EXIT_SYSTEM;
}

int bg_cmd_active(int argc, char **argv) {
        fprintf(stderr, "bondgen active: not available in this build\n");
        return BG_EXIT_SYSTEM;
}
