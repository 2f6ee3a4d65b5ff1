/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Debian ifupdown reader (src/legacy/debian*.c) on a tree written from
 * the input (fuzz-tree.h). Part names: "interfaces" is
 * etc/network/interfaces, "interfaces.d/NAME" and "bonds/NAME" go there
 * under etc/network; other names are files in etc/network. Input without
 * a separator is etc/network/interfaces.
 */
#include "fuzz-tree.h"

const char *const fuzz_tree_dirs[] = { "etc", "etc/network", "etc/network/interfaces.d", "etc/network/bonds" };
const size_t fuzz_tree_n_dirs = sizeof(fuzz_tree_dirs) / sizeof(fuzz_tree_dirs[0]);

void fuzz_tree_path(const char *name, unsigned index, char *rel, size_t len) {
        const char *slash = strchr(name, '/');

        if (!*name)
                snprintf(rel, len, "etc/network/part%u", index);
        else if (slash && (!strncmp(name, "interfaces.d/", 13) || !strncmp(name, "bonds/", 6)) && !strchr(slash + 1, '/'))
                snprintf(rel, len, "etc/network/%s", name);
        else
                snprintf(rel, len, "etc/network/%s", slash ? slash + 1 : name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return fuzz_tree_run(data, size, BG_LEGACY_DEBIAN, "etc/network/interfaces");
}
