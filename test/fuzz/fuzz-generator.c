/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generator end to end (bg_boot_generate) on a root built from the
 * input: each record is TYPE NAME LEN DATA[LEN], TYPE one of regular file,
 * FIFO, symlink (DATA is the target), directory, or deeply nested YAML
 * (DATA[0] * 1000 '['), NAME an index into the paths the generator reads.
 * It must return (libFuzzer's -timeout is the per-input limit: a FIFO that
 * blocks or a depth that takes seconds is a finding), never fail the boot
 * for bad input, and write only into its output directories.
 */
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/boot.h"
#include "fuzz-util.h"

static const char *const paths[] = {
        "etc/sysconfig/network-scripts/ifcfg-bond0", "etc/sysconfig/network-scripts/ifcfg-eth0",
        "etc/sysconfig/network-scripts/ifcfg-eth1", "etc/modprobe.conf", "etc/modprobe.d/bond.conf",
        "etc/bondgen/a.yaml", "etc/bondgen/my bond.yaml", "etc/bondgen/50%n.yaml", "run/bondgen/cmdline.yaml",
        "etc/sysconfig/network-scripts", "etc/modprobe.d", "etc/bondgen", "etc",
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
        (void) st, (void) flag, (void) f;
        remove(p);
        return 0;
}

static void mkparents(const char *root, const char *rel) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                (void) mkdir(p, 0755);
                *s = '/';
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char root[] = "/tmp/bg-fuzz-gen-XXXXXX", out[600], p[600];
        struct bg_gen_opts o = { 0 };
        struct bg_gen_result res;
        struct bg_diags d = { 0 };
        size_t i = 0;

        if (!mkdtemp(root))
                return 0;
        while (i + 3 <= size) {
                unsigned type = data[i] % 5, name = data[i + 1] % (sizeof(paths) / sizeof(paths[0]));
                size_t len = data[i + 2];
                const uint8_t *body = data + i + 3;
                if (len > size - i - 3)
                        len = size - i - 3;
                i += 3 + len;
                mkparents(root, paths[name]);
                snprintf(p, sizeof(p), "%s/%s", root, paths[name]);
                if (type == 0 || type == 4) {
                        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
                        if (fd < 0)
                                continue;
                        if (type == 0)
                                (void) !write(fd, body, len);
                        else {
                                static char deep[256 * 1000];
                                size_t n = (len ? body[0] : 1) * 1000u;
                                memset(deep, '[', n);
                                (void) !write(fd, "version: 1\nbonds: ", 18);
                                (void) !write(fd, deep, n);
                        }
                        close(fd);
                } else if (type == 1)
                        (void) mkfifo(p, 0644);
                else if (type == 2) {
                        char t[256];
                        snprintf(t, sizeof(t), "%.*s", (int) len, (const char *) body);
                        (void) symlink(t, p);
                } else
                        (void) mkdir(p, 0755);
        }
        snprintf(out, sizeof(out), "%s/out", root);
        (void) mkdir(out, 0755);
        o.root = root;
        o.cmdline = "";
        o.release = "fuzz";
        o.normal_dir = o.early_dir = o.late_dir = out;
        o.unit_dir = "/usr/lib/systemd/system";
        o.sbin_dir = "/usr/sbin";
        o.libexec_dir = "/usr/libexec";
        bg_boot_scan_set_budget_ms(2000);
        (void) bg_boot_generate(&o, &res, &d);
        fuzz_diags(&d);
        bg_diags_free(&d);
        (void) nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}
