/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Lexer for shell-variable files: ifcfg-*, route-* (ADDRESSn= form) and
 * etc/sysconfig/network. initscripts `source`s these files with bash;
 * NetworkManager's ifcfg-rh reader re-implements a strict subset of bash
 * quoting and never expands anything (shvar.c). This lexer
 * accepts what both agree on, follows bash where only bash is defined and
 * the result is still a plain string, and never executes or expands
 * anything: a construct that would need a shell makes the key unreadable
 * (value NULL) and is reported with file:line:col.
 */
#include <stdbool.h>
#include <stddef.h>

#include "model/diag.h"

struct bg_ifcfg_var {
        char *key;              /* owned; the value is stored in the same allocation */
        char *value;            /* NULL: set, but the value could not be read */
        unsigned line, col;     /* position of the key (1-based) */
        unsigned vcol;          /* column of the value's first character (inside a quote) */
        unsigned overridden_by; /* line of a later assignment of the same key, 0 = effective */
        char *fate;             /* what the reader did with it (for --explain), owned */
};

struct bg_ifcfg {
        char *path;             /* as shown in diagnostics, owned */
        struct bg_ifcfg_var *v;
        size_t n, cap;
        bool binary;            /* file looked like binary data; no variables were read */
        /* Lexing problems. The reader moves them to the caller's list once it
         * knows whether the file matters (errors in a file no bond uses are
         * reported as warnings). */
        struct bg_diags diags;
};

/* Parse data (len bytes, need not be NUL-terminated) as the content of
 * path. Returns 0 or -ENOMEM; lexing problems go to f->diags. */
int bg_ifcfg_parse(struct bg_ifcfg *f, const char *path, const char *data, size_t len);
void bg_ifcfg_free(struct bg_ifcfg *f);

/* The effective (last) assignment of key, or NULL when the key is absent. */
struct bg_ifcfg_var *bg_ifcfg_find(const struct bg_ifcfg *f, const char *key);
/* Its value; NULL when absent or unreadable. */
const char *bg_ifcfg_get(const struct bg_ifcfg *f, const char *key);

/* Record the fate of a variable (and of every earlier, overridden assignment
 * of the same key, which gets "overridden by line N"). printf-style. */
void bg_ifcfg_set_fate(struct bg_ifcfg *f, struct bg_ifcfg_var *v, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* bg_ifcfg_set_fate() with an empty text, kept if v has a fate already:
 * the key is handled, and nobody will read why (no --explain). */
void bg_ifcfg_mark_fate(struct bg_ifcfg *f, struct bg_ifcfg_var *v);

/* initscripts' is_true/is_false (etc/rc.d/init.d/functions): y yes t true on 1
 * and n no f false off 0, any case. Returns 1 (true), 0 (false) or -EINVAL. */
int bg_ifcfg_bool(const char *v);
