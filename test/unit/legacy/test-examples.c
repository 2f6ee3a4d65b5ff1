/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden files: every tree in examples/ converts without errors to its
 * expected.yaml and to the files under networkd/, netplan/ and keyfile/;
 * --explain accounts for every assignment line of every file of the tree.
 * After an intended change of an emitter, regenerate with
 * examples/regen.sh and review the diff.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit/emit.h"
#include "legacy/legacy.h"
#include "util/util.h"
#include "yaml/yaml.h"

static const char *const examples[] = {
        "centos-bond0", "centos-bond0-mode1", "rhel6-active-backup", "rhel5-two-bonds", "rhel7-lacp-ipv6",
        /* Debian ifupdown and SUSE wicked trees: found by autodetection */
        "debian-lacp", "debian-active-backup", "ubuntu-two-bonds",
        "suse-active-backup-arp", "sles-lacp", "opensuse-two-bonds", "rhel-whole-host", "sles-whole-host",
};

static char *slurp(const char *path) {
        char *d = NULL;
        int r = bg_read_file(path, 1 << 20, &d, NULL);
        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        return d;
}

static void convert(const char *name, struct bg_model *m, struct bg_diags *d, struct bg_explain *e) {
        char root[512];
        int r;

        snprintf(root, sizeof(root), "%s/%s/root", getenv("BG_EXAMPLES"), name);
        bg_model_init(m);
        r = bg_legacy_read_sources(root, 0, m, d, e);
        if (r != 0)
                bg_diags_print(d, stderr);
        cr_assert_eq(r, 0, "%s: %d", name, r);
        cr_assert_eq(bg_model_validate(m, d), 0, "%s does not validate", name);
}

Test(examples, yaml) {
        for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
                struct bg_model m;
                struct bg_diags d = {};
                char path[512], *want, *got;
                size_t len;

                convert(examples[i], &m, &d, NULL);
                cr_assert_eq(bg_yaml_dump(&m, &got, &len), 0);
                snprintf(path, sizeof(path), "%s/%s/expected.yaml", getenv("BG_EXAMPLES"), examples[i]);
                want = slurp(path);
                cr_expect_str_eq(got, want, "%s differs (regenerate with examples/regen.sh and review)", path);
                free(want);
                free(got);
                bg_model_free(&m);
                bg_diags_free(&d);
        }
}

Test(examples, formats) {
        static const char *const formats[] = { "networkd", "netplan", "keyfile" };
        for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
                for (size_t k = 0; k < 3; k++) {
                        struct bg_model m;
                        struct bg_diags d = {};
                        struct bg_emit_files files = {};
                        char dir[512];
                        size_t on_disk = 0;
                        DIR *dd;
                        struct dirent *de;

                        convert(examples[i], &m, &d, NULL);
                        cr_assert_eq(bg_emit_by_name(formats[k], &m, &files, &d), 0);
                        snprintf(dir, sizeof(dir), "%s/%s/%s", getenv("BG_EXAMPLES"), examples[i], formats[k]);
                        for (size_t f = 0; f < files.n; f++) {
                                char path[1024], *want;
                                snprintf(path, sizeof(path), "%s/%s", dir, files.v[f].name);
                                want = slurp(path);
                                cr_expect_str_eq(files.v[f].content, want,
                                                 "%s differs (regenerate with examples/regen.sh and review)", path);
                                free(want);
                        }
                        dd = opendir(dir);
                        cr_assert_not_null(dd, "%s", dir);
                        while ((de = readdir(dd)))
                                on_disk += de->d_name[0] != '.';
                        closedir(dd);
                        cr_expect_eq(on_disk, files.n, "%s: %zu files expected, %zu produced", dir, on_disk, files.n);
                        bg_emit_files_free(&files);
                        bg_model_free(&m);
                        bg_diags_free(&d);
                }
}

/* Number of assignment lines (KEY=...) in a shell-variable file. */
static size_t assignments(const char *path) {
        char *d = slurp(path), *p = d;
        size_t n = 0;

        while (*p) {
                char *s = p;
                while (*s == ' ' || *s == '\t')
                        s++;
                if ((*s >= 'A' && *s <= 'Z') || *s == '_') {
                        size_t k = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
                        n += s[k] == '=';
                }
                p = strchr(p, '\n');
                if (!p)
                        break;
                p++;
        }
        free(d);
        return n;
}

/* Lines of an interfaces(5) file that are not blank or comments, counting
 * a backslash-continued line once; or of a SUSE routes file. */
static size_t stanza_lines(const char *path) {
        char *d = slurp(path), *p = d;
        size_t n = 0;
        bool cont = false;

        while (*p) {
                char *e = strchr(p, '\n'), *s = p;
                size_t len = e ? (size_t) (e - p) : strlen(p);
                while (*s == ' ' || *s == '\t')
                        s++;
                if (!cont && s < p + len && *s != '#')
                        n++;
                cont = len && p[len - 1] == '\\';
                if (!e)
                        break;
                p = e + 1;
        }
        free(d);
        return n;
}

static void check_dir(const struct bg_explain *e, const char *dir, const char *prefix) {
        DIR *dd = opendir(dir);
        struct dirent *de;

        if (!dd)
                return;
        while ((de = readdir(dd))) {
                char path[1024];
                size_t want, got = 0;
                struct stat st;
                if (strncmp(de->d_name, prefix, strlen(prefix)))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                want = !strncmp(prefix, "ifcfg-", 6) || !strcmp(prefix, "network") ? assignments(path)
                                                                                   : stanza_lines(path);
                for (size_t i = 0; i < e->n; i++)
                        if (e->v[i].loc.file && !strcmp(e->v[i].loc.file, path) && e->v[i].loc.line)
                                got++;
                cr_expect_eq(got, want, "%s: %zu keys, %zu explained", path, want, got);
        }
        closedir(dd);
}

Test(examples, explain_accounts_for_every_key) {
        for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
                struct bg_model m;
                struct bg_diags d = {};
                struct bg_explain e = {};
                char dir[512];

                convert(examples[i], &m, &d, &e);
                cr_expect_gt(e.n, 0);
                for (size_t k = 0; k < e.n; k++) {
                        cr_expect(e.v[k].fate && *e.v[k].fate, "%s:%u %s: no fate", e.v[k].loc.file,
                                  e.v[k].loc.line, e.v[k].key);
                        cr_expect(!strstr(e.v[k].fate, "unknown key") && strcmp(e.v[k].fate, "ignored: not used"),
                                  "%s:%u %s: %s", e.v[k].loc.file, e.v[k].loc.line, e.v[k].key, e.v[k].fate);
                }
                snprintf(dir, sizeof(dir), "%s/%s/root/etc/sysconfig/network-scripts", getenv("BG_EXAMPLES"),
                         examples[i]);
                check_dir(&e, dir, "ifcfg-");
                snprintf(dir, sizeof(dir), "%s/%s/root/etc/sysconfig", getenv("BG_EXAMPLES"), examples[i]);
                check_dir(&e, dir, "network");
                snprintf(dir, sizeof(dir), "%s/%s/root/etc/sysconfig/network", getenv("BG_EXAMPLES"), examples[i]);
                check_dir(&e, dir, "ifcfg-");
                check_dir(&e, dir, "ifroute-");
                check_dir(&e, dir, "routes");
                snprintf(dir, sizeof(dir), "%s/%s/root/etc/network", getenv("BG_EXAMPLES"), examples[i]);
                check_dir(&e, dir, "interfaces");
                snprintf(dir, sizeof(dir), "%s/%s/root/etc/network/interfaces.d", getenv("BG_EXAMPLES"), examples[i]);
                check_dir(&e, dir, "");
                bg_explain_free(&e);
                bg_model_free(&m);
                bg_diags_free(&d);
        }
}

/* The CentOS example: balance-rr, miimon 100, eth0+eth1,
 * 10.10.10.1/24 and a warning that the gateway is not on-link. */
Test(examples, centos_gateway_warning) {
        struct bg_model m;
        struct bg_diags d = {};
        bool found = false;

        convert("centos-bond0", &m, &d, NULL);
        cr_assert_eq(m.n_bonds, 1);
        cr_expect_eq(bg_bond_mode(&m.bonds[0]), BG_MODE_BALANCE_RR);
        cr_expect_eq(bg_bond_opt_num(&m.bonds[0], BG_OPT_MIIMON), 100);
        cr_expect_str_eq(BG_ADDR_STR(&m.bonds[0].ipv4.addresses[0]), "10.10.10.1/24");
        for (size_t i = 0; i < d.n; i++)
                found = found || (d.v[i].level == BG_DIAG_WARNING && d.v[i].key &&
                                  !strcmp(d.v[i].key, "GATEWAY") && d.v[i].line == 9 &&
                                  strstr(d.v[i].msg, "not on-link"));
        cr_expect(found, "no not-on-link warning for GATEWAY at line 9");
        bg_model_free(&m);
        bg_diags_free(&d);
}
