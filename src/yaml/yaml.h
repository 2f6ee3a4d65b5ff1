/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Canonical YAML (DESIGN §4) load and dump with libcyaml. */
#include <stddef.h>
#include <stdio.h>

#include "model/model.h"

/* Load a canonical file into *m (which is initialised here). Every problem
 * goes to diags as FILE:LINE:COL with the key; returns 0, -EINVAL (bad
 * content; diags say why) or another negative errno (I/O). Locations in the
 * model point into strings interned in *m. Does not run bg_model_validate(). */
int bg_yaml_load_file(const char *path, struct bg_model *m, struct bg_diags *diags);
int bg_yaml_load_data(const char *data, size_t len, const char *name, struct bg_model *m,
                      struct bg_diags *diags);

/* Canonical text: stable key order, defaults left out, bonds and ports in
 * model order. *out is malloc'd and NUL-terminated. */
int bg_yaml_dump(const struct bg_model *m, char **out, size_t *len);
int bg_yaml_dump_file(const struct bg_model *m, FILE *f);
