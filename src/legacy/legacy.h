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
 * manager leftovers (initscripts' network-functions, NetworkManager's
 * ifcfg-rh plugin). */
bool bg_legacy_ifcfg_backup_name(const char *name);
/* The file itself declares a bond: BONDING_OPTS, TYPE=Bond|Bonding or
 * BONDING_MASTER=yes (a modprobe alias can make any device a bond too). */
bool bg_legacy_ifcfg_declares_bond(const struct bg_ifcfg *f);

/* Other legacy sources beside the Red Hat tree read by bg_legacy_read():
 * Debian/Ubuntu ifupdown (etc/network/interfaces with ifenslave's bond-*
 * options) and SUSE wicked (etc/sysconfig/network/ifcfg-*). */
enum {
        BG_LEGACY_RH = 1u << 0,
        BG_LEGACY_DEBIAN = 1u << 1,
        BG_LEGACY_SUSE = 1u << 2,
};
/* The sources present under root: RH when etc/sysconfig/network-scripts is
 * a directory, Debian when etc/network/interfaces exists, SUSE when
 * etc/sysconfig/network is a directory (on Red Hat it is a file). With none
 * of them, RH (its modprobe and rc.local files may still define bonds). */
unsigned bg_legacy_detect(const char *root);
/* "rh", "debian" or "suse" -> BG_LEGACY_*; -EINVAL otherwise. */
int bg_legacy_source_from_name(const char *name, unsigned *out);
/* Read the given sources (0: those bg_legacy_detect() finds) into *m, in
 * the order RH, Debian, SUSE. Same contract as bg_legacy_read(); a bond
 * defined by two sources is an error naming both. */
int bg_legacy_read_sources(const char *root, unsigned sources, struct bg_model *m,
                           struct bg_diags *diags, struct bg_explain *explain);
