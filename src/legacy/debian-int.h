/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Internal interfaces of the Debian ifupdown reader (debian.c parses the
 * interfaces files, debian-bond.c turns stanzas into bonds). */
#include "readers-int.h"

struct deb_opt {
        char *key;               /* as written: "bond-xmit_hash_policy" */
        char *norm;              /* ifupdown's variable identity: lower case, '_' -> '-', others dropped */
        char *value;             /* the rest of the line, trimmed; never empty */
        const char *file;        /* interned in the context */
        unsigned line, col, vcol;
        char *fate;
};

enum deb_kind { DEB_IFACE, DEB_MAPPING };

struct deb_stanza {
        enum deb_kind kind;
        char *name;              /* interface (or mapping pattern) */
        char *family, *method;   /* NULL for mappings */
        const char *file;
        unsigned line;
        struct deb_opt *opts;
        size_t n_opts;
        char *fate;
};

/* Top-level lines other than stanzas: auto, allow-CLASS, source,
 * source-directory, no-auto-down, no-scripts, rename. */
struct deb_line {
        char *keyword;
        char **words;
        size_t n_words;
        const char *file;
        unsigned line;
        char *fate;
};

struct deb_conf {
        struct deb_stanza *st;
        size_t n_st;
        struct deb_line *ln;
        size_t n_ln;
};

/* debian.c */
int deb_parse_tree(struct lg_ctx *c, struct deb_conf *conf);
void deb_conf_free(struct deb_conf *conf);
/* First option named norm in a stanza (NULL if none). */
struct deb_opt *deb_find(const struct deb_stanza *s, const char *norm);
void deb_ofate(struct lg_ctx *c, struct deb_opt *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* debian-bond.c: bonds, ports and options */
struct dport {
        const char *name;        /* owned by the stanza/option it comes from, or by names */
        struct deb_stanza *st;   /* the port's own stanza, NULL if none */
        const char *file;
        unsigned line, col;
};

struct dbond {
        const char *name;
        struct deb_stanza **st;  /* the bond's own stanzas (inet, inet6, ...) */
        size_t n_st;
        struct dport *ports;
        size_t n_ports;
        bool bad;
};

struct dctx {
        struct lg_ctx *c;
        struct deb_conf *conf;
        struct dbond *bonds;
        size_t n_bonds;
        char **names;            /* strings owned here (ports from commands) */
        size_t n_names;
};

int deb_build(struct lg_ctx *c, struct deb_conf *conf, struct bg_model *m);
bool deb_is_slaves_key(const char *norm);
bool deb_is_cmd_key(const char *norm);
/* Word i (0-based) of s, kept until the build ends; NULL when there is none. */
const char *deb_word(struct dctx *x, const char *s, size_t i, unsigned *col);

/* debian-ip.c: one stanza of the bond (inet, inet6) and its commands */
int deb_stanza_ip(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_stanza *s);
int deb_command(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_opt *op, bool port);

/* debian-stack.c: VLANs (PARENT.ID, vlan-raw-device) and bridges
 * (bridge_ports) into m; stanzas that already have a fate are skipped. */
int deb_stack(struct dctx *x, struct bg_model *m);
