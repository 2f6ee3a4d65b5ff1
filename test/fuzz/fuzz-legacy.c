/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The whole legacy reader (bg_legacy_read, src/legacy) on a tree written
 * from the input, then what bondgen convert does with the model: validate,
 * dump as YAML, emit every format. The dump must load again as canonical
 * YAML (convert's output is a valid model), and nothing may be written
 * into the tree.
 *
 * Input: files separated by a line "---8<---"; each starts with a line
 * naming it (mkcorpus.sh packs the example trees that way):
 *   modprobe.conf            etc/modprobe.conf
 *   modprobe.d/NAME          etc/modprobe.d/NAME
 *   network                  etc/sysconfig/network
 *   rc.local                 etc/rc.d/rc.local
 *   anything else            etc/sysconfig/network-scripts/NAME
 * Names are cut to 40 characters of [A-Za-z0-9._:-] (others become '_').
 * Input without a separator is one file, ifcfg-bond0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "legacy/legacy.h"
#include "yaml/yaml.h"

#define SEP "\n---8<---\n"
#define MAX_FILES 32

static char root[64];
static const char *const dirs[] = { "etc", "etc/modprobe.d", "etc/sysconfig",
                                    "etc/sysconfig/network-scripts", "etc/rc.d" };

static void rm_tree(void) {
        for (size_t i = sizeof(dirs) / sizeof(*dirs); i-- > 0;) {
                char path[256];
                DIR *d;
                struct dirent *de;

                snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
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

static void cleanup(void) {
        rm_tree();
        for (size_t i = sizeof(dirs) / sizeof(*dirs); i-- > 0;) {
                char path[256];

                snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
                rmdir(path);
        }
        rmdir(root);
}

static void setup(void) {
        snprintf(root, sizeof(root), "/tmp/bgfuzz-legacy-XXXXXX");
        if (!mkdtemp(root))
                fuzz_fail("mkdtemp: %m");
        for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
                char path[256];

                snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
                if (mkdir(path, 0755) < 0)
                        fuzz_fail("mkdir %s: %m", path);
        }
        atexit(cleanup);
}

static void write_part(const char *p, size_t n, unsigned index) {
        const char *nl = memchr(p, '\n', n);
        char name[48], rel[128], path[256];
        size_t k = 0;
        int fd;

        if (!nl) {
                snprintf(name, sizeof(name), "ifcfg-bond%u", index);
                nl = p - 1;
        } else {
                for (const char *c = p; c < nl && k < 40; c++)
                        name[k++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-",
                                            *c) && *c) ? *c : '_';
                name[k] = '\0';
                if (k == 0 || !strcmp(name, ".") || !strcmp(name, ".."))
                        snprintf(name, sizeof(name), "ifcfg-bond%u", index);
        }
        if (!strcmp(name, "modprobe.conf"))
                snprintf(rel, sizeof(rel), "etc/modprobe.conf");
        else if (!strncmp(name, "modprobe.d_", 11))
                snprintf(rel, sizeof(rel), "etc/modprobe.d/%s", name + 11);
        else if (!strcmp(name, "network"))
                snprintf(rel, sizeof(rel), "etc/sysconfig/network");
        else if (!strcmp(name, "rc.local"))
                snprintf(rel, sizeof(rel), "etc/rc.d/rc.local");
        else
                snprintf(rel, sizeof(rel), "etc/sysconfig/network-scripts/%s", name);
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return; /* e.g. modprobe.d_ with an empty name: a directory */
        n -= (size_t) (nl + 1 - p);
        p = nl + 1;
        while (n > 0) {
                ssize_t w = write(fd, p, n);

                if (w <= 0)
                        fuzz_fail("write %s: %m", path);
                p += w;
                n -= (size_t) w;
        }
        close(fd);
}

/* Every regular file in the tree with its size and mtime, as a checksum. */
static unsigned long long tree_sum(void) {
        unsigned long long sum = 0;

        for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
                char path[256];
                DIR *d;
                struct dirent *de;

                snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
                d = opendir(path);
                while (d && (de = readdir(d))) {
                        char f[512];
                        struct stat st;

                        snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
                        if (de->d_name[0] == '.' || lstat(f, &st) < 0)
                                continue;
                        sum = sum * 1000003 + (unsigned long long) st.st_size * 31 +
                              (unsigned long long) st.st_mtim.tv_nsec + (unsigned long long) st.st_ino;
                        for (const char *c = de->d_name; *c; c++)
                                sum = sum * 131 + (unsigned char) *c;
                }
                if (d)
                        closedir(d);
        }
        return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *p = (const char *) data, *end = p + size;
        struct bg_model m, m2;
        struct bg_diags d = { 0 }, d2 = { 0 };
        struct bg_explain ex = { 0 };
        unsigned n = 0;
        unsigned long long before;
        char *yaml = NULL;
        size_t len = 0;
        int r;

        if (!root[0])
                setup();
        rm_tree();
        if (!memmem(p, size, SEP, strlen(SEP))) {
                /* one ifcfg file, as is */
                char path[256];
                FILE *f;

                snprintf(path, sizeof(path), "%s/etc/sysconfig/network-scripts/ifcfg-bond0", root);
                f = fopen(path, "we");
                if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
                        fuzz_fail("write %s: %m", path);
        } else
                while (p < end && n < MAX_FILES) {
                        const char *s = memmem(p, (size_t) (end - p), SEP, strlen(SEP));
                        const char *e = s ? s : end;

                        write_part(p, (size_t) (e - p), n++);
                        p = s ? s + strlen(SEP) : end;
                }
        before = tree_sum();

        bg_model_init(&m);
        r = bg_legacy_read(root, &m, &d, &ex);
        if (r < 0 && r != -EINVAL)
                fuzz_fail("bg_legacy_read: %d (%s)", r, strerror(-r));
        if (r == -EINVAL && !bg_diags_has_errors(&d))
                fuzz_fail("-EINVAL without an error diagnostic");
        fuzz_diags(&d);
        for (size_t i = 0; i < ex.n; i++)
                if (!ex.v[i].key || !ex.v[i].fate)
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
        if (tree_sum() != before)
                fuzz_fail("the reader changed the tree");
        free(yaml);
        bg_explain_free(&ex);
        bg_model_free(&m);
        bg_diags_free(&d);
        return 0;
}
