/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Shared by the Debian and SUSE reader targets: the input is a small tree
 * (files separated by a line "---8<---", each starting with a line naming
 * it; fuzz_tree_path() maps the name into the tree), read with
 * bg_legacy_read_sources() for one source, then what bondgen convert does
 * with the model: validate, every emitter, the YAML dump loads back into
 * the same model, and the tree is left as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "legacy/legacy.h"
#include "yaml/yaml.h"

#define FT_SEP "\n---8<---\n"
#define FT_MAX_FILES 32

/* Directories of the tree, parents first (defined by the target). */
extern const char *const fuzz_tree_dirs[];
extern const size_t fuzz_tree_n_dirs;
/* root-relative path for a part named name (index: its position). */
void fuzz_tree_path(const char *name, unsigned index, char *rel, size_t len);

static char ft_root[64];

static void ft_rm(void) {
        for (size_t i = fuzz_tree_n_dirs; i-- > 0;) {
                char path[256];
                DIR *d;
                struct dirent *de;

                snprintf(path, sizeof(path), "%s/%s", ft_root, fuzz_tree_dirs[i]);
                d = opendir(path);
                while (d && (de = readdir(d))) {
                        char f[512];
                        if (de->d_type == DT_DIR)
                                continue;
                        snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
                        unlink(f);
                }
                if (d)
                        closedir(d);
        }
}

static void ft_cleanup(void) {
        ft_rm();
        for (size_t i = fuzz_tree_n_dirs; i-- > 0;) {
                char path[256];
                snprintf(path, sizeof(path), "%s/%s", ft_root, fuzz_tree_dirs[i]);
                rmdir(path);
        }
        rmdir(ft_root);
}

static void ft_setup(void) {
        snprintf(ft_root, sizeof(ft_root), "/tmp/bgfuzz-tree-XXXXXX");
        if (!mkdtemp(ft_root))
                fuzz_fail("mkdtemp: %m");
        for (size_t i = 0; i < fuzz_tree_n_dirs; i++) {
                char path[256];
                snprintf(path, sizeof(path), "%s/%s", ft_root, fuzz_tree_dirs[i]);
                if (mkdir(path, 0755) < 0)
                        fuzz_fail("mkdir %s: %m", path);
        }
        atexit(ft_cleanup);
}

static void ft_write(const char *rel, const char *p, size_t n) {
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", ft_root, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return; /* a directory of the tree */
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w <= 0)
                        fuzz_fail("write %s: %m", path);
                p += w;
                n -= (size_t) w;
        }
        close(fd);
}

static void ft_part(const char *p, size_t n, unsigned index) {
        const char *nl = memchr(p, '\n', n);
        char name[48], rel[160];
        size_t k = 0;

        if (!nl)
                return;
        for (const char *c = p; c < nl && k < 40; c++)
                name[k++] = (*c && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/", *c))
                            ? *c : '_';
        name[k] = 0;
        if (strstr(name, ".."))
                name[0] = 0;
        fuzz_tree_path(name, index, rel, sizeof(rel));
        ft_write(rel, nl + 1, n - (size_t) (nl + 1 - p));
}

static unsigned long long ft_sum(void) {
        unsigned long long sum = 0;

        for (size_t i = 0; i < fuzz_tree_n_dirs; i++) {
                char path[256];
                DIR *d;
                struct dirent *de;

                snprintf(path, sizeof(path), "%s/%s", ft_root, fuzz_tree_dirs[i]);
                d = opendir(path);
                while (d && (de = readdir(d))) {
                        char f[512];
                        struct stat st;
                        snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
                        if (de->d_name[0] == '.' || lstat(f, &st) < 0)
                                continue;
                        sum = sum * 1000003 + (unsigned long long) st.st_size * 31 +
                              (unsigned long long) st.st_mtim.tv_nsec + (unsigned long long) st.st_ino;
                }
                if (d)
                        closedir(d);
        }
        return sum;
}

static int fuzz_tree_run(const uint8_t *data, size_t size, unsigned source, const char *single) {
        const char *p = (const char *) data, *end = p + size;
        struct bg_model m, m2;
        struct bg_diags d = { 0 }, d2 = { 0 };
        struct bg_explain ex = { 0 };
        unsigned n = 0;
        unsigned long long before;
        char *yaml = NULL;
        size_t len = 0;
        int r;

        if (!ft_root[0])
                ft_setup();
        ft_rm();
        if (!memmem(p, size, FT_SEP, strlen(FT_SEP)))
                ft_write(single, p, size);
        else
                while (p < end && n < FT_MAX_FILES) {
                        const char *s = memmem(p, (size_t) (end - p), FT_SEP, strlen(FT_SEP));
                        const char *e = s ? s : end;
                        ft_part(p, (size_t) (e - p), n++);
                        p = s ? s + strlen(FT_SEP) : end;
                }
        before = ft_sum();
        bg_model_init(&m);
        r = bg_legacy_read_sources(ft_root, source, &m, &d, &ex);
        if (r < 0 && r != -EINVAL)
                fuzz_fail("read: %d (%s)", r, strerror(-r));
        if (r == -EINVAL && !bg_diags_has_errors(&d))
                fuzz_fail("-EINVAL without an error diagnostic");
        if (r == 0 && bg_diags_has_errors(&d))
                fuzz_fail("an error diagnostic, yet success");
        fuzz_diags(&d);
        for (size_t i = 0; i < ex.n; i++)
                if (!ex.v[i].key || !ex.v[i].fate || !ex.v[i].loc.file)
                        fuzz_fail("explain entry %zu incomplete", i);
        fuzz_validate_emit(&m);
        if (bg_yaml_dump(&m, &yaml, &len) < 0)
                fuzz_fail("dump failed");
        if (len <= BG_YAML_MAX_SIZE) {
                r = bg_yaml_load_data(yaml, len, "convert.yaml", &m2, &d2);
                if (r < 0) {
                        bg_diags_print(&d2, stderr);
                        fuzz_fail("convert output does not load (%d):\n%s", r, yaml);
                }
                if (!bg_model_equal(&m, &m2))
                        fuzz_fail("convert output loads into another model:\n%s", yaml);
                bg_model_free(&m2);
                bg_diags_free(&d2);
        }
        if (ft_sum() != before)
                fuzz_fail("the reader changed the tree");
        free(yaml);
        bg_explain_free(&ex);
        bg_model_free(&m);
        bg_diags_free(&d);
        return 0;
}
