/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON writers that `bondgen status --json`, `diff --json` and
 * bondgend's status share: one string escaper, one key spelling. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

void bg_json_str(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c < 0x20)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

void bg_json_key(FILE *f, const char *key) {
        char k[128];
        size_t n = 0;
        bool us = false;

        for (; *key && n < sizeof(k) - 1; key++) {
                if (isalnum((unsigned char) *key)) {
                        k[n++] = (char) tolower((unsigned char) *key);
                        us = false;
                } else if (n && !us) {
                        k[n++] = '_';
                        us = true;
                }
        }
        while (n && k[n - 1] == '_')
                n--;
        k[n] = 0;
        bg_json_str(f, k);
        fputc(':', f);
}
