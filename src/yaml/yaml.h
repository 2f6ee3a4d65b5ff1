/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Canonical YAML (bondgen.yaml(5)) load and dump with libcyaml. */
#include <stddef.h>
#include <stdio.h>

#include "model/model.h"

/* Larger files are refused: a real model is a few KiB. */
#define BG_YAML_MAX_SIZE (1024u * 1024u)
/* Deeper nesting is refused (the schema needs 6 levels); every reader of
 * canonical YAML, the boot scanners included, stops there. */
#define BG_YAML_MAX_DEPTH 64u

/* Load a canonical file into *m (which is initialised here, and must be
 * freed with bg_model_free() whatever the result). Every problem goes to
 * diags as FILE:LINE:COL with the key path; returns 0, -EINVAL (bad
 * content; diags say why) or another negative errno (I/O; diags say so
 * too). Locations in the model point into strings interned in *m. Does not
 * run bg_model_validate(). */
int bg_yaml_load_file(const char *path, struct bg_model *m, struct bg_diags *diags);
int bg_yaml_load_data(const char *data, size_t len, const char *name, struct bg_model *m,
                      struct bg_diags *diags);
/* Load every DIR/\*.yaml (not dot files), in name order, into one model.
 * *n_files (may be NULL) is the number of files found. Every file is
 * loaded even after an error; returns the first I/O error, else -EINVAL
 * when some file was invalid, else 0. -ENOENT when dir does not exist. */
int bg_yaml_load_dir(const char *dir, struct bg_model *m, struct bg_diags *diags,
                     size_t *n_files);

/* Canonical text: stable key order, defaults left out, bonds and ports in
 * model order. *out is malloc'd and NUL-terminated. */
int bg_yaml_dump(const struct bg_model *m, char **out, size_t *len);
int bg_yaml_dump_file(const struct bg_model *m, FILE *f);
