/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON writers that `bondgen status --json`, `diff --json` and
 * bondgend's status share: one string escaper, one key spelling, one
 * rule for numbers. */
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

void bg_json_value(FILE *f, const char *v) {
        const char *s = *v == '-' ? v + 1 : v;
        bool num = *s && !(s[0] == '0' && s[1]);

        for (; num && *s; s++)
                num = isdigit((unsigned char) *s);
        if (num)
                fputs(v, f);
        else
                bg_json_str(f, v);
}
