/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Internal interfaces between the files of src/legacy/. */
#include <stdarg.h>
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "ifcfg.h"
#include "legacy.h"
#include "util/util.h"

#define LG_MAX_FILE (1u << 20)  /* larger legacy files are refused (-EFBIG) */

/* ---- modprobe (modprobe.c) ---- */

enum mp_kind { MP_ALIAS, MP_OPTIONS, MP_INSTALL, MP_OTHER };

struct mp_token {
        char *key;
        char *value;     /* NULL: token without '=' */
        unsigned line, col; /* physical position (continued lines count) */
        char *fate;
};

struct mp_entry {
        enum mp_kind kind;
        const char *file;        /* interned in the context */
        unsigned line;
        char *target;            /* alias pattern, options/install module name; '-' -> '_' */
        char *module;            /* alias: the module it names */
        char *text;              /* the command as written (for --explain) */
        struct mp_token *tok;    /* options and install parameters */
        size_t n_tok;
        bool bonding;            /* concerns the bonding module */
        char *instance;          /* options NAME -o INST: the module loaded once per bond */
        char *fate;
};

struct mp_conf {
        struct mp_entry *v;
        size_t n, cap;
};

/* ---- rc.local (rclocal.c) ---- */

struct rc_enslave {
        const char *file;
        unsigned line;
        char *bond;
        char **ports;
        size_t n_ports;
        bool change_active;      /* ifenslave -c */
        bool detach;             /* ifenslave -d */
        char *fate;
};

/* ---- the whole reading ---- */

struct lg_file {
        char *name;              /* "ifcfg-bond0" */
        char *suffix;            /* "bond0", "bond0:1" */
        struct bg_ifcfg cfg;
        const char *device;      /* effective interface name (DEVICE, else suffix) */
        bool alias;              /* ifcfg-X:N */
        bool is_bond, is_port;
        int bond;                /* index in ctx->bonds, -1 */
        bool used;               /* belongs to a bond (errors count) */
        bool read_failed;
};

struct lg_port {
        char *name;
        char *mac;
        struct bg_loc loc;
        struct lg_file *file;    /* NULL when from rc.local */
        struct rc_enslave *rc;
        bool infiniband;         /* TYPE=InfiniBand or a 20-byte HWADDR */
};

struct lg_bond {
        char *name;
        struct lg_file *file;    /* NULL: defined by rc.local + modprobe only */
        struct lg_port *ports;
        size_t n_ports;
        struct lg_file **aliases;
        size_t n_aliases;
        char *active;            /* ifenslave -c */
        struct rc_enslave *active_rc;
        bool bad;
};

/* A VLAN or bridge ifcfg file (rh-stack.c). */
struct lg_stack {
        struct lg_file *file;
        bool bridge;             /* else a VLAN */
        char *parent;            /* VLAN: the link */
        unsigned id;             /* VLAN id */
        bool bad;                /* not converted (errors reported) */
};

struct lg_ctx {
        char *root;              /* without trailing '/', "" for "/" */
        int rootfd;              /* every file is opened inside it (bg_open_in_root) */
        struct bg_dircache dir;  /* the directory of the last file read (lg_read) */
        struct bg_diags *diags;
        struct bg_explain *explain;
        int syserr;              /* first system error (negative errno) */
        bool quiet;
        struct bg_model *model;  /* the model being built: locations are interned there */              /* second build pass: no diagnostics, no fates */
        struct bg_model paths;   /* only its interned strings: the paths read */

        struct bg_ifcfg network;
        bool have_network;
        struct mp_conf mp;
        struct rc_enslave *rc;
        size_t n_rc;

        struct lg_file *files;
        size_t n_files;
        /* --explain entries of lines that are not shell variables (route
         * files in `ip route` form, skipped files); loc.file in strings. */
        struct bg_explain extra;
        struct lg_bond *bonds;
        size_t n_bonds;
        struct bg_nameidx bond_idx;   /* bond name -> index in bonds */
        /* route-*, route6-*, rule-* and rule6-* names seen in the listing of
         * network-scripts: a bond without them costs no failed open(2)s, which
         * were most of the system time on trees of thousands of bonds. */
        struct bg_nameidx side_files;
        bool scripts_listed;
        struct lg_stack *stack;  /* VLAN and bridge files, in file order */
        size_t n_stack;
        /* The model list whose item lg_build_ip() is filling, for fates
         * ("bonds", "vlans", "bridges"); NULL means bonds. */
        const char *l3_list;
};

static inline const char *lg_l3_list(const struct lg_ctx *c) {
        return c->l3_list ? c->l3_list : "bonds";
}

/* legacy.c */
/* rh.c: may network-scripts/name exist? False only when the directory was
 * listed and name was not in it. */
bool lg_rh_may_exist(const struct lg_ctx *c, const char *name);
const char *lg_intern(struct lg_ctx *c, const char *s);
char *lg_path(const struct lg_ctx *c, const char *rel);   /* malloc'd root + "/" + rel */
/* Read root-relative file; -ENOENT quietly, other errors reported. */
int lg_read(struct lg_ctx *c, const char *rel, char **data, size_t *len, const char **shown);
/* opendir(3) of a root-relative directory (NULL with errno set). */
DIR *lg_opendir(struct lg_ctx *c, const char *rel);
/* Record a failed read or listing: input errors (a loop, a FIFO, a
 * directory where a file belongs) are invalid input, others system errors. */
void lg_note_errno(struct lg_ctx *c, int r);
/* Do two root-relative paths name the same file? */
bool lg_same_file(struct lg_ctx *c, const char *a, const char *b);
void lg_diag(struct lg_ctx *c, enum bg_diag_level level, const char *file, unsigned line,
             unsigned col, const char *key, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void lg_fate(char **fate, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lg_fate_v(char **fate, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void lg_fate_append(char **fate, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "; did you mean 'NAME'?" when key is a near miss of an option name
 * (bg_opt_suggest()), else "": in buf, which it returns. */
const char *lg_opt_hint(const char *key, char *buf, size_t size);
/* Append "bonds[B].options.O = V" to *fate (unless c is quiet), V the value
 * as the catalogue writes it, or text where it cannot. */
void lg_fate_opt_set(const struct lg_ctx *c, char **fate, const struct bg_bond *b,
                     const struct bg_opt_info *o, const char *text);
bool lg_ifname_eq(const char *a, const char *b);
/* A parsed device MAC the kernel would refuse (multicast, all zero): warn
 * at file:line:col, naming the key, and return false so the reader leaves
 * the MAC out. initscripts' `ip link set DEV address` and NetworkManager's
 * activation fail on such an address and the device comes up with the MAC
 * it would have had anyway, so the rest of its file still converts. */
bool lg_mac_keep(struct lg_ctx *c, const char *file, unsigned line, unsigned col, const char *key,
                 const char *dev, const struct bg_hwaddr *m);

void lg_explain_extra(struct lg_ctx *c, const char *file, unsigned line, const char *key,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Fate of a variable of an ifcfg-style file; no-op in the quiet pass. */
void lg_vfate(struct lg_ctx *c, struct bg_ifcfg *f, struct bg_ifcfg_var *v, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Shorthand: fate of the effective assignment of key, when present. */
void lg_kfate(struct lg_ctx *c, struct bg_ifcfg *f, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* modprobe.c */
int lg_modprobe_read(struct lg_ctx *c);
void lg_modprobe_free(struct mp_conf *mp);
/* Does modprobe make `name` a bonding device (alias name bonding, or an
 * install line that loads bonding)? */
bool lg_modprobe_is_bond(const struct lg_ctx *c, const char *name);
bool lg_modprobe_mentions(const struct lg_ctx *c, const char *name);
void lg_modprobe_explain(struct lg_ctx *c);

/* rclocal.c */
int lg_rclocal_read(struct lg_ctx *c);
void lg_rclocal_free(struct lg_ctx *c);
void lg_rclocal_explain(struct lg_ctx *c);

/* rh.c: files, roles, ports */
int lg_rh_scan(struct lg_ctx *c);
int lg_rh_assign(struct lg_ctx *c);
void lg_rh_free(struct lg_ctx *c);
void lg_rh_explain(struct lg_ctx *c);

/* rh-stack.c: VLAN and bridge files (initscripts ifup-vlan, ifup-eth) */
/* Find the VLAN and bridge files among those no bond uses; bridge ports
 * (BRIDGE=) of NICs are marked used. Reports what cannot be converted. */
int lg_rh_stack_scan(struct lg_ctx *c);
/* The bridge file whose DEVICE is name, or NULL. */
const struct lg_stack *lg_rh_bridge(const struct lg_ctx *c, const char *name);
/* Add the VLANs and bridges to m (after the bonds). */
int lg_rh_stack_build(struct lg_ctx *c, struct bg_model *m);
void lg_rh_stack_free(struct lg_ctx *c);
bool lg_is_stack_file(const struct lg_ctx *c, const struct lg_file *f);
/* A bridge port's own addressing keys: initscripts ifup-eth adds the port
 * to the bridge and stops, so they are reported and left out. */
void lg_rh_port_l3(struct lg_ctx *c, struct lg_file *f, const char *bridge);
/* rh-bond.c's sweep of the keys nothing else used, for a VLAN or bridge file. */
void lg_sweep_file(struct lg_ctx *c, struct lg_file *f, const char *name);

/* rh-bond.c: one bond into the model */
/* Does the value of key change the model (of a bond file, or of a port's
 * file when port)? A key that does not can be unreadable at no cost. */
bool lg_key_used(const char *key, bool port);
int lg_build_bond(struct lg_ctx *c, struct lg_bond *lb, struct bg_model *m);

/* rh-ip.c: addresses, gateway, DNS, routes, IPv6 of a bond */
int lg_build_ip(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, struct bg_model *m);

/* rh-route.c: route-<bond> (AF_INET) and route6-<bond> (AF_INET6) */
int lg_routes(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, int family);
/* rule-<bond>, rule6-<bond>: reported (warning and --explain), not converted */
int lg_rules(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, int family);

/* Shared by every reader (legacy.c). Explain entries point at files
 * interned in m. */
int lg_explain_add(struct bg_explain *e, struct bg_model *m, const char *file, unsigned line,
                   unsigned col, const char *key, const char *fate);
int lg_explain_ifcfg(struct bg_explain *e, struct bg_model *m, const struct bg_ifcfg *f);
int lg_explain_sort(struct bg_explain *e);
/* The lines noted with lg_explain_extra() added to e, then e sorted: the
 * last step of every reader's --explain. */
int lg_explain_finish(struct lg_ctx *c, struct bg_explain *e, struct bg_model *m);
