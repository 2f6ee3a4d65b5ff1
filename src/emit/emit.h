/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Emitters from the canonical model to other formats. Pure: they fill a
 * list of (relative file name, content) and report what a format cannot
 * express as warnings naming the bond and option. */
#include <stddef.h>

#include "model/model.h"

struct bg_emit_file {
        char *name;     /* relative path, e.g. "10-bondgen-bond0.netdev" */
        char *content;
        unsigned mode;  /* file mode, e.g. 0644, 0600 for keyfiles */
};

struct bg_emit_files {
        struct bg_emit_file *v;
        size_t n, cap;
};

void bg_emit_files_free(struct bg_emit_files *f);

int bg_emit_networkd(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags);
int bg_emit_netplan(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags);
int bg_emit_keyfile(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags);
