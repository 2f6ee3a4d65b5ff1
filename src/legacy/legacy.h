/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Readers of CentOS/RHEL-era bonding configuration under a root directory:
 * etc/sysconfig/network-scripts/ifcfg-* and route-*, etc/sysconfig/network,
 * etc/modprobe.conf and etc/modprobe.d/NAME.conf, etc/rc.d/rc.local and
 * etc/rc.local. Knows nothing of YAML, netlink or sockets.
 */
#include <stdbool.h>

#include "model/model.h"

/* What happened to one legacy key (for `bondgen convert --explain`). */
struct bg_explain_entry {
        struct bg_loc loc;   /* file:line of the key */
        char *key;           /* e.g. "BONDING_OPTS:miimon", "USERCTL", "options bond0 mode" */
        char *fate;          /* e.g. "bonds[bond0].options.miimon = 100", "ignored: ..." */
};

struct bg_explain {
        struct bg_explain_entry *v;
        size_t n, cap;
};

void bg_explain_free(struct bg_explain *e);

/* Each bond is validated (bg_model_validate) as it is read: a bond that
 * does not validate is left out like one with a reading error.
 * Read everything under root ("/" by default) into *m. Problems go to diags
 * with file:line and key. A bond with errors is left out of the model (the
 * others are still converted); returns 0 when nothing was left out, -EINVAL
 * when something was, other negative errno for system errors (missing root).
 * explain may be NULL. */
int bg_legacy_read(const char *root, struct bg_model *m, struct bg_diags *diags,
                   struct bg_explain *explain);

/* Shared with the boot generator, so that it decides exactly as the
 * converter reads. */
struct bg_ifcfg;
/* ifcfg-* names initscripts and NetworkManager skip: backups and package
 * manager leftovers (legacy-formats.md §1.4). */
bool bg_legacy_ifcfg_backup_name(const char *name);
/* The file itself declares a bond: BONDING_OPTS, TYPE=Bond|Bonding or
 * BONDING_MASTER=yes (a modprobe alias can make any device a bond too). */
bool bg_legacy_ifcfg_declares_bond(const struct bg_ifcfg *f);
