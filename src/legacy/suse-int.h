/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The SUSE reader's state, shared by suse.c (bonds) and suse-stack.c
 * (VLANs and bridges). */
#include "readers-int.h"

#define SUSE_DIR "etc/sysconfig/network"

struct sfile {
        char *name;              /* "ifcfg-bond0" */
        const char *ifname;      /* suffix */
        struct bg_ifcfg cfg;
        int bond;                /* index of the bond it is or belongs to, -1 */
        bool is_bond, is_port;
        bool is_stack;           /* a VLAN, a bridge or a bridge's port (suse-stack.c) */
};

struct sroute {
        const char *file;
        unsigned line;
        char *w[8];              /* destination, gateway, netmask, interface, type, options... */
        size_t n;
        const char *owner;       /* ifroute-X: X */
        char *fate;
};

struct sbond {
        struct sfile *f;
        struct bg_ifcfg_var **ports;
        size_t n_ports;
        char addr[16][96];       /* addresses converted so far, for routes on-link */
        size_t n_addr;
        bool bad;
};

struct sctx {
        struct lg_ctx *c;
        struct sfile *files;
        size_t n_files;
        struct sroute *routes;
        size_t n_routes;
        struct sbond *bonds;
        size_t n_bonds;
};

/* Where L3 settings go: "bonds", "vlans" or "bridges" and the item. */
struct suse_l3 {
        const char *list, *name;
        struct bg_ipcfg *ipv4, *ipv6;
};

bool lg_suse_true(const char *v);
struct sfile *lg_suse_file(struct sctx *x, const char *ifname);
/* BOOTPROTO and IPADDR<suffix>... of sb->f into t; problems set sb->bad. */
int lg_suse_bootproto(struct sctx *x, struct sbond *sb, const struct suse_l3 *t);
/* STARTMODE, MTU, LLADDR. */
int lg_suse_link(struct sctx *x, struct sbond *sb, const struct suse_l3 *t, bool *onboot, uint32_t *mtu,
                 struct bg_hwaddr *mac);
/* Give every key of f without a fate one (why_all, or the usual reasons). */
void lg_suse_sweep(struct lg_ctx *c, struct sfile *f, const char *why_all);
/* suse-stack.c: VLANs (ETHERDEVICE) and bridges (BRIDGE=yes) after the
 * bonds, into m; files that are neither are left alone. */
int lg_suse_stack(struct sctx *x, struct bg_model *m);
