/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SUSE wicked reader (src/legacy/suse.c) on a tree written from the
 * input (fuzz-tree.h). Every part is a file in etc/sysconfig/network named
 * by its first line (ifcfg-bond0, ifcfg-eth0, ifroute-bond0, routes).
 * Input without a separator is ifcfg-bond0.
 */
#include "fuzz-tree.h"

const char *const fuzz_tree_dirs[] = { "etc", "etc/sysconfig", "etc/sysconfig/network" };
const size_t fuzz_tree_n_dirs = sizeof(fuzz_tree_dirs) / sizeof(fuzz_tree_dirs[0]);

void fuzz_tree_path(const char *name, unsigned index, char *rel, size_t len) {
        const char *slash = strrchr(name, '/');

        if (!*name || (slash && !slash[1]))
                snprintf(rel, len, "etc/sysconfig/network/ifcfg-bond%u", index);
        else
                snprintf(rel, len, "etc/sysconfig/network/%s", slash ? slash + 1 : name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_tree_run(data, size, BG_LEGACY_SUSE, "etc/sysconfig/network/ifcfg-bond0");
}
