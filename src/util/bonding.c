/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Is there a bonding driver? One answer for the generator (which decides at
 * boot whether a bond needs bondgend) and for `bondgen apply --backend auto`
 * (which decides just before it creates the bond), so the two never
 * disagree on the same system.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

/* root/rel, root NULL or "" being "/". */
static char *under(const char *root, const char *rel) {
        size_t rl = root ? strlen(root) : 0;
        char *p;

        while (rl > 0 && root[rl - 1] == '/')
                rl--;
        if (asprintf(&p, "%.*s/%s", (int) rl, rl ? root : "", rel) < 0)
                return NULL;
        return p;
}

static bool exists(const char *root, const char *rel) {
        _cleanup_free_ char *p = under(root, rel);
        struct stat st;

        return p && stat(p, &st) == 0;
}

/* bonding.ko, bonding.ko.xz, ... directly in dir. */
static bool dir_has_module(const char *path) {
        DIR *d = path ? opendir(path) : NULL;
        struct dirent *de;
        bool found = false;

        if (!d)
                return false;
        while (!found && (de = readdir(d)))
                found = !strncmp(de->d_name, "bonding.ko", 10);
        closedir(d);
        return found;
}

/* A line of modules.builtin (the driver is in the kernel image) or of
 * modules.dep (a module file, path relative to moddir) naming
 * .../bonding.ko*. A modules.dep entry counts only when its file is there:
 * an image or a root built with the module removed still carries the
 * index depmod wrote, and modprobe would fail on it. */
static bool list_has_module(const char *path, bool dep, const char *root, const char *moddir) {
        FILE *f = path ? fopen(path, "re") : NULL;
        char line[1024];
        bool found = false;

        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f)) {
                char *end = strchr(line, dep ? ':' : '\n');

                if (end)
                        *end = 0;
                if (!strstr(line, "/bonding.ko") && strncmp(line, "bonding.ko", 10) != 0)
                        continue;
                if (!dep) {
                        found = true;
                } else {
                        _cleanup_free_ char *rel = NULL;

                        found = asprintf(&rel, "%s/%s", moddir, line) >= 0 && exists(root, rel);
                }
        }
        fclose(f);
        return found;
}

bool bg_have_bonding_driver(const char *root, const char *release) {
        /* Where distributions put the module: the standard place first
         * (cheap directory reads, the generator runs at every boot), then
         * DKMS and vendor trees, then the lists depmod writes. */
        static const char *const where[] = {
                "kernel/drivers/net/bonding", "updates", "updates/dkms", "extra",
                "modules.builtin", "modules.dep",
        };
        static const char *const bases[] = { "lib/modules", "usr/lib/modules" };

        if (exists(root, "sys/module/bonding") || exists(root, "sys/class/net/bonding_masters"))
                return true;
        if (!release || !*release || strchr(release, '/'))
                return false;
        for (size_t i = 0; i < BG_ARRAY_SIZE(where); i++)
                for (size_t k = 0; k < BG_ARRAY_SIZE(bases); k++) {
                        _cleanup_free_ char *moddir = NULL, *rel = NULL, *p = NULL;
                        bool list = !strncmp(where[i], "modules.", 8);

                        if (asprintf(&moddir, "%s/%s", bases[k], release) < 0 ||
                            asprintf(&rel, "%s/%s", moddir, where[i]) < 0)
                                return false;
                        p = under(root, rel);

                        if (list ? list_has_module(p, !strcmp(where[i], "modules.dep"), root, moddir)
                                 : dir_has_module(p))
                                return true;
                }
        return false;
}
