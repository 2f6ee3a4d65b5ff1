/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Helpers shared by the readers on top of the lg_ctx machinery
 * (legacy-int.h): the root context (all three), option and address rules
 * (the Debian and SUSE readers). */
#include <stdbool.h>

#include "legacy-int.h"

/* sources.c */
/* Set up c for root (stat'ed: -ENOENT/-ENOTDIR reported) and free it. */
int lg_ctx_open(struct lg_ctx *c, const char *root, struct bg_diags *diags, struct bg_explain *explain);
void lg_ctx_close(struct lg_ctx *c);
/* Root-relative path of an absolute path under c->root (NULL when outside). */
const char *lg_rel(const struct lg_ctx *c, const char *abs);

/* One bonding option from legacy text, through the option catalogue:
 * key is the kernel name (or an alias). Unknown keys and bad values are
 * errors at file:line:col naming keyname, and set *bad; module-only
 * parameters are ignored with a warning. The result is appended to *fate.
 * Returns 0, -EINVAL (reported) or -ENOMEM. */
int lg_set_opt(struct lg_ctx *c, struct bg_bond *b, const char *key, const char *value,
               const char *file, unsigned line, unsigned col, const char *keyname, char **fate,
               bool *bad);
/* The checks of lg_set_opt() before it sets anything, for a reader that
 * sets the option its own way: *o is the option when the value may be set
 * (returns 1); 0 when it is ignored (a module parameter, warned); -EINVAL
 * when refused (reported, *bad set); -ENOMEM. */
int lg_opt_admit(struct lg_ctx *c, const char *key, const char *value, const char *file, unsigned line,
                 unsigned col, const char *keyname, char **fate, bool *bad, const struct bg_opt_info **o);
/* The gateway of an IP configuration, from text. */
int lg_set_gateway(struct bg_ipcfg *ip, const char *text);
/* "a.b.c.d" or an IPv6 address (no prefix) -> AF_INET/AF_INET6, 0 if neither. */
int lg_addr_family(const char *s);
/* Is address gw inside prefix ("10.0.0.1/24")? */
bool lg_in_prefix(const char *prefix, const char *gw);

/* debian.c, debian-bond.c */
int lg_debian_read(const char *root, struct bg_model *m, struct bg_diags *diags, struct bg_explain *explain);
/* suse.c */
int lg_suse_read(const char *root, struct bg_model *m, struct bg_diags *diags, struct bg_explain *explain);
