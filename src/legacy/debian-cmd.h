/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Commands in ifupdown's up/post-up lines that configure a bond. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum deb_cmd_kind { DEB_CMD_OTHER, DEB_CMD_IFENSLAVE, DEB_CMD_ROUTE };

struct deb_cmd {
        enum deb_cmd_kind kind;
        /* ifenslave */
        char *bond;
        char **ports;
        size_t n_ports;
        bool change_active, detach;
        /* route: to is "default" or "prefix/len" */
        char to[64], via[64], dev[64];
        uint32_t metric;
        bool table;
};

/* Parse one command; an unknown or shell-dependent command is
 * DEB_CMD_OTHER. Returns 0 or -ENOMEM. */
int deb_cmd_parse(const char *text, struct deb_cmd *k);
void deb_cmd_free(struct deb_cmd *k);
