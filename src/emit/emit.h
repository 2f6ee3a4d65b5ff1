/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Emitters from the canonical model to other formats. Pure: they fill a
 * list of (relative file name, content) and report what a format cannot
 * express as warnings naming the bond and option (key "BOND.OPTION",
 * located where the option came from). Output is deterministic: the same
 * model always gives the same bytes (keyfile UUIDs are name-based).
 *
 * Files (prefix "10-bondgen-" so they sort before distribution defaults):
 *   networkd: 10-bondgen-BOND.netdev, 10-bondgen-BOND.network,
 *             10-bondgen-BOND.link (keeps the first port's MAC; only when
 *             the model sets no MAC), per port 10-bondgen-PORT.network and,
 *             for a port with a name and a MAC, 10-bondgen-PORT.link (name
 *             pinning, as HWADDR= did). Mode 0644.
 *             VLANs and bridges: NAME.netdev and NAME.network (VLAN= and
 *             Bridge= in the .network of what they stack on; a NIC outside
 *             the model gets a .network carrying only those).
 *   netplan:  10-bondgen-BOND.yaml (the bond and its ports). Mode 0600.
 *             11-bondgen-VLAN.yaml, 12-bondgen-BRIDGE.yaml and
 *             13-bondgen-VLAN.yaml for a VLAN on a bridge: netplan needs a
 *             link defined in an earlier file.
 *   keyfile:  bondgen-BOND.nmconnection, bondgen-PORT.nmconnection,
 *             bondgen-VLAN/BRIDGE.nmconnection, and an ethernet profile per
 *             NIC outside the model that is a bridge port. Mode
 *             0600 (NetworkManager ignores profiles readable by others).
 * A port matched by MAC only is named "BOND-portN" (N from 1). */
#include <stddef.h>

#include "model/model.h"

struct bg_emit_file {
        char *name;     /* relative path, e.g. "10-bondgen-bond0.netdev" */
        char *content;
        unsigned mode;  /* file mode, e.g. 0644, 0600 for keyfiles */
};

struct bg_emit_files {
        struct bg_emit_file *v;
        size_t n, cap;
        /* Hash index of the names (open addressing, 1 + index into v; 0
         * empty), so that the duplicate check of each file added is O(1):
         * a tree of 10,000 bonds makes 30,000 files and more. */
        size_t *slot, n_slot;
};

void bg_emit_files_free(struct bg_emit_files *f);
/* The file of that name, or NULL. */
const struct bg_emit_file *bg_emit_files_find(const struct bg_emit_files *f, const char *name);

/* Each returns 0, -EINVAL (NULL model), -ENOMEM, -ENAMETOOLONG or -EEXIST
 * (two files would get the same name). diags may be NULL. On error, out
 * may hold the files made so far: free it with bg_emit_files_free().
 * A bond that cannot be written safely (no name; a line break or other
 * control character in a value) gets an error in diags and is skipped;
 * the others are still emitted and 0 is returned, so callers must check
 * bg_diags_has_errors() before writing anything. */
int bg_emit_networkd(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags);
int bg_emit_netplan(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags);
int bg_emit_keyfile(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags);

/* By format name ("networkd", "netplan", "keyfile"); -EINVAL if unknown. */
int bg_emit_by_name(const char *format, const struct bg_model *m, struct bg_emit_files *out,
                    struct bg_diags *diags);
/* Where the format's files are installed on a system (e.g.
 * "/etc/systemd/network"), NULL if the format is unknown. */
const char *bg_emit_default_dir(const char *format);
