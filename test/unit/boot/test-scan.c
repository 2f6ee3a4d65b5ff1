/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel command line, the boot's model and legacy readers, unit-name escaping. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boot/boot.h"
#include "util/util.h"
#include "yaml/yaml.h"

Test(cmdline, words_and_quotes) {
        const char *p = "  root=/dev/sda1 quiet  \"bond=bond0:eth0 x\" a=\"b c\"=d ";
        const char *want[][2] = { { "root", "/dev/sda1" }, { "quiet", NULL },
                                  { "bond", "bond0:eth0 x" }, { "a", "b c=d" } };
        char *k, *v;
        for (size_t i = 0; i < 4; i++) {
                cr_assert_eq(bg_boot_cmdline_next(&p, &k, &v), 1);
                cr_assert_str_eq(k, want[i][0]);
                if (want[i][1])
                        cr_assert_str_eq(v, want[i][1]);
                else
                        cr_assert_null(v);
                free(k);
                free(v);
        }
        cr_assert_eq(bg_boot_cmdline_next(&p, &k, &v), 0);
}

Test(cmdline, disabled) {
        cr_assert(bg_boot_cmdline_disabled("quiet bondgen=off"));
        cr_assert(bg_boot_cmdline_disabled("bondgen=0"));
        cr_assert(bg_boot_cmdline_disabled("bondgen=no splash"));
        cr_assert_not(bg_boot_cmdline_disabled("bondgen=off bondgen=on"));
        cr_assert_not(bg_boot_cmdline_disabled("xbondgen=off bondgen.x=off"));
        cr_assert_not(bg_boot_cmdline_disabled(""));
        cr_assert_not(bg_boot_cmdline_disabled(NULL));
}

Test(cmdline, bond_full) {
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };

        cr_assert_eq(bg_boot_cmdline_bonds(
                "ro bond=bond1:ens3,ens4:mode=active-backup,miimon=100,arp_ip_target=10.0.0.1;10.0.0.2:9000 ip=dhcp",
                &s, &d), 0);
        cr_assert_eq(s.n_bonds, 1);
        struct bg_boot_bond *b = &s.bonds[0];
        cr_assert_str_eq(b->name, "bond1");
        cr_assert_eq(b->n_ports, 2);
        cr_assert_str_eq(b->ports[0].name, "ens3");
        cr_assert_str_eq(b->ports[1].name, "ens4");
        cr_assert_str_eq(b->options, "mode=active-backup miimon=100 arp_ip_target=10.0.0.1,10.0.0.2");
        cr_assert_eq(b->mtu, 9000);
        cr_assert_eq(b->backend, BG_BACKEND_AUTO);
        bg_boot_set_free(&s);
        bg_diags_free(&d);
}

Test(cmdline, bond_defaults_and_short_forms) {
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };

        cr_assert_eq(bg_boot_cmdline_bonds("bond bond=bond99:eth2,eth3::1530 bond=bond5", &s, &d), 0);
        cr_assert_eq(s.n_bonds, 3);
        cr_assert_str_eq(s.bonds[0].name, "bond0");
        cr_assert_eq(s.bonds[0].n_ports, 2);
        cr_assert_str_eq(s.bonds[0].ports[1].name, "eth1");
        cr_assert_str_eq(s.bonds[0].options, "mode=balance-rr");
        cr_assert_str_eq(s.bonds[1].name, "bond99");
        cr_assert_null(s.bonds[1].options);
        cr_assert_eq(s.bonds[1].mtu, 1530);
        cr_assert_str_eq(s.bonds[2].name, "bond5");
        cr_assert_eq(s.bonds[2].n_ports, 0);
        bg_boot_set_free(&s);
        bg_diags_free(&d);
}

Test(cmdline, bond_errors) {
        static const char *const bad[] = {
                "bond=bond0:eth0:mode=1:1500:extra", "bond=bond0:eth0::12",
                "bond=bond0:eth0::99999999999999999999", "bond=bond0:eth0::15x0",
                "bond=:eth0", "bond=averyveryverylongname", "bond=a/b",
                "bond=bond0 bond=bond0",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct bg_boot_set s = { 0 };
                struct bg_diags d = { 0 };
                cr_assert_eq(bg_boot_cmdline_bonds(bad[i], &s, &d), -EINVAL, "%s", bad[i]);
                cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 1, "%s", bad[i]);
                cr_assert_str_eq(d.v[0].file, "/proc/cmdline");
                bg_boot_set_free(&s);
                bg_diags_free(&d);
        }
        /* A bad port is skipped, the bond kept. */
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        cr_assert_eq(bg_boot_cmdline_bonds("x bond=bond0:eth0,e/th1,eth2", &s, &d), -EINVAL);
        cr_assert_eq(s.n_bonds, 1);
        cr_assert_eq(s.bonds[0].n_ports, 2);
        cr_assert_eq(d.v[0].col, 3, "column of the word");
        bg_boot_set_free(&s);
        bg_diags_free(&d);
}

static void scan(const char *y, struct bg_boot_set *s, int want) {
        struct bg_diags d = { 0 };
        cr_assert_eq(bg_boot_scan_yaml_data(y, strlen(y), "t.yaml", s, &d), want, "%s", y);
        if (want < 0) {
                cr_assert_geq(d.n, 1);
                cr_assert_str_eq(d.v[0].file, "t.yaml");
                cr_assert_gt(d.v[0].line, 0);
        }
        bg_diags_free(&d);
}

/* The boot reads the model with the model loader: names, backends, ports
 * (a MAC in the loader's form, lower case) and the file each bond is in. */
Test(yaml_scan, block_and_flow) {
        struct bg_boot_set s = { 0 };
        scan("version: 1\n"
             "bonds:\n"
             "  - options: {miimon: 100, arp_ip_target: [1.2.3.4]}\n"
             "    ports:\n"
             "      - {name: eth0}\n"
             "      - mac: 52-54-00-AA-bb-cc\n"
             "    name: bond0\n"
             "    ipv4: {routes: [{to: default, via: 1.2.3.1}]}\n"
             "  - {name: b2, backend: userspace, ports: [{name: x, mac: '00:11:22:33:44:55'}]}\n"
             "  - {name: b3, backend: kernel}\n", &s, 0);
        cr_assert_eq(s.n_bonds, 3);
        cr_assert_str_eq(s.bonds[0].name, "bond0");
        cr_assert_str_eq(s.bonds[0].source, "t.yaml");
        cr_assert_eq(s.bonds[0].backend, BG_BACKEND_AUTO);
        cr_assert_eq(s.bonds[0].n_ports, 2);
        cr_assert_null(s.bonds[0].ports[1].name);
        cr_assert_str_eq(s.bonds[0].ports[1].mac, "52:54:00:aa:bb:cc");
        cr_assert_eq(s.bonds[1].backend, BG_BACKEND_USERSPACE);
        cr_assert_str_eq(s.bonds[1].ports[0].name, "x");
        cr_assert_str_eq(s.bonds[1].ports[0].mac, "00:11:22:33:44:55");
        cr_assert_eq(s.bonds[2].backend, BG_BACKEND_KERNEL);
        bg_boot_set_free(&s);
}

/* What the loader refuses, the boot refuses: a value it cannot take keeps
 * its bond (the error names it), a document it cannot parse gives none. */
Test(yaml_scan, the_loaders_errors) {
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        const char *y = "version: 1\nbonds:\n  - name: bond0\n    mode: fast\n    ports: [{name: eth0}]\n";

        cr_assert_eq(bg_boot_scan_yaml_data(y, strlen(y), "t.yaml", &s, &d), -EINVAL);
        cr_assert_eq(s.n_bonds, 1);
        cr_assert_eq(s.bonds[0].n_ports, 1);
        cr_assert_eq(d.n, 1);
        cr_assert_eq(d.v[0].line, 4);
        cr_assert(strstr(d.v[0].msg, "fast"), "%s", d.v[0].msg);
        bg_boot_set_free(&s);
        bg_diags_free(&d);

        static const char *const bad[] = {
                "", "---\n", "[1, 2]\n", "version: 1\nbonds: 3\n",
                "version: 1\nbonds: [1, [2], {name: [x]}]\n",
                "? [complex]\n: key\nbonds: []\n",
                "version: 1\nbonds:\n  - name: b\n    ports: 7\n",
                "version: 1\nbonds:\n  - name: b\n    ports: [1, {mac: [x]}]\n",
                "version: 1\nbonds:\n  - backend: kernel\n",
                "version: 1\nbonds:\n  - name: b\n    nmae: c\n",
                "version: 1\nx: &x {b: 1}\nc: *x\n", "--- a\n--- b\n",
                "version: 1\nbonds:\n  - !!python/object:os.system {name: b}\n",
                "bonds: [\n", "bonds:\n  - name: \"x\n", "a: b: c\n", "\t- x\n",
                "bonds:\n - name: a\n   ports: [\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                scan(bad[i], &s, -EINVAL);
                cr_assert_eq(s.n_bonds, 0, "%s", bad[i]);
        }
}

Test(escape, unit_names) {
        static const char *const c[][2] = {
                { "/sys/subsystem/net/devices/eth0", "sys-subsystem-net-devices-eth0.device" },
                { "/sys/subsystem/net/devices/uplink-1", "sys-subsystem-net-devices-uplink\\x2d1.device" },
                { "/sys/subsystem/net/devices/a.b@c", "sys-subsystem-net-devices-a.b\\x40c.device" },
                { "/", "-.device" },
                { ".hidden", "\\x2ehidden.device" },
                { "//a//b/", "a-b.device" },
        };
        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                char *e = bg_boot_unit_path_escape(c[i][0], ".device");
                cr_assert_str_eq(e, c[i][1]);
                free(e);
        }
}

Test(paths, join) {
        char *p = bg_boot_path("/", "/etc/x");
        cr_assert_str_eq(p, "/etc/x");
        free(p);
        p = bg_boot_path("/tmp/r//", "etc/x");
        cr_assert_str_eq(p, "/tmp/r/etc/x");
        free(p);
        p = bg_boot_path(NULL, "sys");
        cr_assert_str_eq(p, "/sys");
        free(p);
}

Test(driver, module_file) {
        char *root;
        cr_assert(asprintf(&root, "%s/fixtures/yaml", getenv("BG_BOOT_FIXTURES")) > 0);
        cr_assert(bg_have_bonding_driver(root, "6.1.0-test"));
        cr_assert_not(bg_have_bonding_driver(root, "6.1.0-other"));
        cr_assert_not(bg_have_bonding_driver(root, "../../etc"));
        cr_assert_not(bg_have_bonding_driver(root, NULL));
        free(root);
}

static void put(const char *dir, const char *rel, const char *text) {
        char *p;
        FILE *f;

        cr_assert(asprintf(&p, "%s/%s", dir, rel) > 0);
        f = fopen(p, "w");
        cr_assert_not_null(f, "%s", p);
        fputs(text, f);
        fclose(f);
        free(p);
}

/* The generator and apply --backend auto share this answer: a driver built
 * into the kernel, or a module only depmod's list knows where to find. */
Test(driver, builtin_and_modules_dep) {
        char tmpl[] = "/tmp/bg-drv-XXXXXX";
        char *root = mkdtemp(tmpl), *cmd;

        cr_assert_not_null(root);
        cr_assert(asprintf(&cmd, "mkdir -p %s/lib/modules/6.1.0-b %s/usr/lib/modules/6.1.0-d %s/lib/modules/6.1.0-n "
                           "%s/lib/modules/6.1.0-r", root, root, root, root) > 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
        put(root, "lib/modules/6.1.0-b/modules.builtin", "kernel/drivers/net/bonding/bonding.ko\n");
        put(root, "usr/lib/modules/6.1.0-d/modules.dep",
            "kernel/drivers/net/dummy.ko.xz:\nvendor/net/bonding.ko.xz: kernel/net/tls/tls.ko.xz\n");
        put(root, "lib/modules/6.1.0-n/modules.dep", "kernel/drivers/net/dummy.ko.xz:\n");
        put(root, "lib/modules/6.1.0-n/modules.builtin", "kernel/net/ipv6/ipv6.ko\n");
        /* an index naming a module whose file was removed (an initramfs
         * built without it): no driver */
        put(root, "lib/modules/6.1.0-r/modules.dep", "kernel/drivers/net/bonding/bonding.ko: kernel/net/tls/tls.ko\n");
        cr_assert_not(bg_have_bonding_driver(root, "6.1.0-d"), "modules.dep names a file that is not there");
        cr_assert(asprintf(&cmd, "mkdir -p %s/usr/lib/modules/6.1.0-d/vendor/net && touch %s/usr/lib/modules/6.1.0-d/vendor/net/bonding.ko.xz",
                           root, root) > 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
        cr_assert(bg_have_bonding_driver(root, "6.1.0-b"));
        cr_assert(bg_have_bonding_driver(root, "6.1.0-d"));
        cr_assert_not(bg_have_bonding_driver(root, "6.1.0-n"));
        cr_assert_not(bg_have_bonding_driver(root, "6.1.0-r"));
        cr_assert(asprintf(&cmd, "rm -rf %s", root) > 0);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
}

Test(legacy_scan, centos_example) {
        char *root;
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        bool found;

        cr_assert(asprintf(&root, "%s/fixtures/legacy", getenv("BG_BOOT_FIXTURES")) > 0);
        cr_assert_eq(bg_boot_scan_legacy(root, &s, &found, &d), 0);
        cr_assert(found);
        cr_assert_eq(s.n_bonds, 1);
        cr_assert_str_eq(s.bonds[0].name, "bond0");
        cr_assert_eq(s.bonds[0].n_ports, 2);
        cr_assert_str_eq(s.bonds[0].ports[1].name, "eth1", "quotes removed");
        bg_boot_set_free(&s);
        free(root);

        cr_assert(asprintf(&root, "%s/fixtures/neither", getenv("BG_BOOT_FIXTURES")) > 0);
        cr_assert_eq(bg_boot_scan_legacy(root, &s, &found, &d), 0);
        cr_assert_not(found, "a DHCP NIC and 'options bonding' alone are no bond");
        cr_assert_eq(s.n_bonds, 0);
        free(root);

        cr_assert(asprintf(&root, "%s/fixtures/broken", getenv("BG_BOOT_FIXTURES")) > 0);
        cr_assert_eq(bg_boot_scan_legacy(root, &s, &found, &d), 0);
        cr_assert_not(found);
        cr_assert_geq(bg_diags_count(&d, BG_DIAG_WARNING), 1, "the dangling ifcfg-eth5");
        free(root);
        bg_diags_free(&d);
}

/* The generator reads ifcfg files with the converter's lexer: a trailing
 * comment, escapes and $'...' give the names `bondgen convert` will see,
 * and backup files are skipped by the converter's rule. */
Test(legacy_scan, converter_lexing) {
        char root[] = "/tmp/bgboot-scan-XXXXXX", dir[512], f[600];
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        bool found = false;
        FILE *fp;

        cr_assert_not_null(mkdtemp(root));
        snprintf(dir, sizeof(dir), "%s/etc/sysconfig/network-scripts", root);
        cr_assert(system(NULL));
        snprintf(f, sizeof(f), "mkdir -p '%s'", dir);
        cr_assert_eq(system(f), 0);
        static const char *const files[][2] = {
                { "ifcfg-bond7", "DEVICE=$'bond7'   # the bond\nBONDING_OPTS=\"mode=1\"\n" },
                { "ifcfg-eth0", "DEVICE=eth0\nMASTER=\"bond7\"  # comment\nSLAVE=yes\n" },
                { "ifcfg-eth1", "DEVICE=e\\th1\nMASTER='bond7'\n" },
                { "ifcfg-eth2.rpmsave", "DEVICE=eth2\nMASTER=bond9\n" },
        };
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                snprintf(f, sizeof(f), "%s/%s", dir, files[i][0]);
                cr_assert_not_null(fp = fopen(f, "w"));
                fputs(files[i][1], fp);
                fclose(fp);
        }
        cr_assert_eq(bg_boot_scan_legacy(root, &s, &found, &d), 0);
        cr_assert(found);
        cr_assert_eq(s.n_bonds, 1, "bond9 came from a backup file");
        cr_assert_str_eq(s.bonds[0].name, "bond7");
        cr_assert_eq(s.bonds[0].n_ports, 2);
        cr_assert_str_eq(s.bonds[0].ports[0].name, "eth0");
        cr_assert_str_eq(s.bonds[0].ports[1].name, "eth1");
        bg_boot_set_free(&s);
        bg_diags_free(&d);
        snprintf(f, sizeof(f), "rm -rf '%s'", root);
        cr_assert_eq(system(f), 0);
}

/* A directory of hostile model files, as a local user or a mistake can
 * make them: a FIFO, 300,000 '[', a file over the size limit, beside one
 * good file. */
static void put_file(const char *path, const char *data, size_t len) {
        FILE *f = fopen(path, "w");

        cr_assert_not_null(f, "%s", path);
        cr_assert_eq(fwrite(data, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
}

static void hostile_dir(const char *dir) {
        char p[512];
        size_t n = 300000, pre = strlen("version: 1\nbonds: ");
        char *y = malloc(BG_YAML_MAX_SIZE + 2);
        const char *good = "version: 1\nbonds:\n  - name: bond0\n    ports: [{name: eth0}]\n";

        cr_assert(y);
        cr_assert_eq(bg_mkdir_p(dir, 0755), 0);
        snprintf(p, sizeof(p), "%s/a-fifo.yaml", dir);
        cr_assert_eq(mkfifo(p, 0644), 0);
        memcpy(y, "version: 1\nbonds: ", pre);
        memset(y + pre, '[', n);
        snprintf(p, sizeof(p), "%s/b-deep.yaml", dir);
        put_file(p, y, pre + n);
        memset(y + pre, ' ', BG_YAML_MAX_SIZE + 1 - pre);
        snprintf(p, sizeof(p), "%s/c-huge.yaml", dir);
        put_file(p, y, BG_YAML_MAX_SIZE + 1);
        snprintf(p, sizeof(p), "%s/d-good.yaml", dir);
        put_file(p, good, strlen(good));
        free(y);
}

static const struct bg_diag *diag_about(const struct bg_diags *d, const char *file_end,
                                        const char *msg) {
        for (size_t i = 0; i < d->n; i++) {
                size_t fl = d->v[i].file ? strlen(d->v[i].file) : 0, el = strlen(file_end);
                if (fl >= el && !strcmp(d->v[i].file + fl - el, file_end) &&
                    strstr(d->v[i].msg, msg))
                        return &d->v[i];
        }
        return NULL;
}

/* Each hostile file is refused with a message naming it, the good one is
 * read; the criterion timeout catches a hang (a FIFO read blocks forever;
 * 300,000 levels once took the generator minutes). */
Test(scan, hostile_model_files_refused_by_name, .timeout = 30) {
        char dir[] = "/tmp/bg-boot-hostile-XXXXXX", cmd[600];
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        const struct bg_diag *g;
        unsigned n_files;

        cr_assert_not_null(mkdtemp(dir));
        hostile_dir(dir);
        cr_assert_eq(bg_boot_scan_yaml_dir(dir, &s, &n_files, &d), -EINVAL);
        cr_assert_eq(n_files, 4);
        cr_assert_eq(s.n_bonds, 1);
        cr_assert_str_eq(s.bonds[0].name, "bond0");
        cr_assert_str_eq(s.bonds[0].source, "d-good.yaml");
        cr_assert_not_null(diag_about(&d, "/a-fifo.yaml", "not a regular file"));
        g = diag_about(&d, "/b-deep.yaml", "nesting too deep (more than 64 levels)");
        cr_assert_not_null(g);
        cr_assert_eq(g->line, 2);
        cr_assert_not_null(diag_about(&d, "/c-huge.yaml", "file too large"));
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), d.n, "errors only");
        bg_boot_set_free(&s);
        bg_diags_free(&d);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

/* Many files: once the time budget is spent the rest are skipped, the
 * first of them named; the files read before it keep their bonds. */
Test(scan, many_model_files_keep_the_budget, .timeout = 60) {
        char dir[] = "/tmp/bg-boot-many-XXXXXX", p[600];
        struct bg_boot_set s = { 0 };
        struct bg_diags d = { 0 };
        unsigned n_files;

        cr_assert_not_null(mkdtemp(dir));
        for (unsigned i = 0; i < 3000; i++) {
                char y[128];
                int n = snprintf(y, sizeof(y), "version: 1\nbonds: [{name: b%u, ports: [{name: e%u}]}]\n", i, i);
                snprintf(p, sizeof(p), "%s/%04u.yaml", dir, i);
                put_file(p, y, (size_t) n);
        }
        bg_boot_scan_set_budget_ms(1);
        cr_assert_eq(bg_boot_scan_yaml_dir(dir, &s, &n_files, &d), 0);
        bg_boot_scan_set_budget_ms(0);
        cr_assert_eq(n_files, 3000);
        cr_assert_lt(s.n_bonds, 3000, "loading 3,000 files takes more than 1 ms");
        cr_assert_eq(d.n, 1);
        cr_assert_eq(d.v[0].level, BG_DIAG_WARNING);
        snprintf(p, sizeof(p), "%s/%04zu.yaml", dir, s.n_bonds);
        cr_assert_str_eq(d.v[0].file, p, "the first file skipped is named");
        cr_assert(strstr(d.v[0].msg, "time budget is spent"), "%s", d.v[0].msg);
        bg_boot_set_free(&s);
        bg_diags_free(&d);
        snprintf(p, sizeof(p), "rm -rf '%s'", dir);
        cr_assert_eq(system(p), 0);
}
