/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Shared by the libFuzzer targets (README.md). Only clang builds these. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broke: libFuzzer saves the input as a crash. */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fuzz_fail(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        fprintf(stderr, "fuzz invariant: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        abort();
}

/* Format every diagnostic as the CLI would print it: every one must have
 * a text, and a located one a line. */
static inline void fuzz_diags(const struct bg_diags *d) {
        char buf[4096];

        for (size_t i = 0; i < d->n; i++) {
                if (!d->v[i].msg)
                        fuzz_fail("diagnostic %zu without text", i);
                if (bg_diag_format(&d->v[i], buf, sizeof(buf)) < 0)
                        fuzz_fail("diagnostic %zu cannot be formatted", i);
        }
}

/* Validation and all three emitters on a model, as convert and apply run
 * them; every emitted file has a name and content. */
static inline void fuzz_validate_emit(const struct bg_model *m) {
        static const char *const formats[] = { "networkd", "netplan", "keyfile" };
        struct bg_diags d = { 0 };

        (void) bg_model_validate(m, &d);
        fuzz_diags(&d);
        for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
                struct bg_emit_files out = { 0 };

                (void) bg_emit_by_name(formats[i], m, &out, &d);
                for (size_t k = 0; k < out.n; k++)
                        if (!out.v[k].name || !out.v[k].content || strchr(out.v[k].name, '/'))
                                fuzz_fail("%s: bad file %zu", formats[i], k);
                bg_emit_files_free(&out);
        }
        fuzz_diags(&d);
        bg_diags_free(&d);
}
