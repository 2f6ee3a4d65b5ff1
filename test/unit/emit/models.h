/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Test models built with the model API, shared by the emitter tests. */
#include "emit/emit.h"

/* Named models used for golden files; fills m (bg_model_init done here). */
struct test_model {
        const char *name;
        void (*build)(struct bg_model *m);
};
extern const struct test_model test_models[];
extern const size_t n_test_models;

/* Helpers that abort the test on failure. */
struct bg_bond *tm_bond(struct bg_model *m, const char *name);
void tm_opt(struct bg_bond *b, enum bg_opt id, const char *text);
void tm_str(char **dst, const char *s);

/* The file called name in files, NULL if absent. */
const struct bg_emit_file *tm_file(const struct bg_emit_files *files, const char *name);
/* Diagnostics that are warnings with key == key (exactly). */
size_t tm_warnings(const struct bg_diags *d, const char *key);
