/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The netplan output must be accepted by the real `netplan generate`
 * (exit 0, no warning), and what netplan makes of it for networkd must
 * match bondgen's own networkd output option by option. Skipped when
 * netplan is not installed (Debian package netplan.io, test/deps/emit.txt). */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit/emit-internal.h"
#include "models.h"
#include "util/util.h"

static const char *netplan_path(void) {
        static const char *const cands[] = { "/usr/sbin/netplan", "/usr/bin/netplan", "/sbin/netplan" };

        for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
                if (access(cands[i], X_OK) == 0)
                        return cands[i];
        return NULL;
}

static int rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw) {
        return remove(p);
}

/* Sorted "Key=value" lines of the [Bond] section, values normalised where
 * netplan spells the same thing differently (AllSlavesActive=1 for yes,
 * a bare LearnPacketIntervalSec= meaning seconds). */
static char *bond_section(const char *text) {
        const char *p = strstr(text, "\n[Bond]\n");
        char *lines[64], *out = NULL;
        size_t n = 0, len = 0;
        FILE *f;

        if (p) {
                p += strlen("\n[Bond]\n");
                while (*p && *p != '[' && n < 64) {
                        size_t l = strcspn(p, "\n");

                        if (l > 0 && *p != '#') {
                                char *s = strndup(p, l);

                                cr_assert_not_null(s);
                                if (strcmp(s, "AllSlavesActive=1") == 0) {
                                        free(s);
                                        s = strdup("AllSlavesActive=yes");
                                } else if (strncmp(s, "LearnPacketIntervalSec=", 23) == 0 &&
                                           s[l - 1] != 's') {
                                        char *t = NULL;

                                        cr_assert_geq(asprintf(&t, "%ss", s), 0);
                                        free(s);
                                        s = t;
                                }
                                lines[n++] = s;
                        }
                        p += l + (p[l] == '\n');
                }
        }
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
                        char *t = lines[j];

                        lines[j] = lines[j - 1];
                        lines[j - 1] = t;
                }
        f = open_memstream(&out, &len);
        cr_assert_not_null(f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%s\n", lines[i]);
                free(lines[i]);
        }
        fclose(f);
        return out;
}

/* Options of bond the netplan emitter reported as not expressible. */
static bool netplan_dropped_options(const struct bg_diags *d, const char *bond) {
        size_t n = strlen(bond);

        for (size_t i = 0; i < d->n; i++) {
                const char *k = d->v[i].key;

                if (k && strncmp(k, bond, n) == 0 && k[n] == '.' && strcmp(k + n + 1, "mac") != 0)
                        return true;
        }
        return false;
}

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
                        return true;
        return false;
}

static void everything(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond7");

        tm_opt(b, BG_OPT_MODE, "active-backup");
        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_UPDELAY, "200");
        tm_opt(b, BG_OPT_DOWNDELAY, "300");
        tm_opt(b, BG_OPT_ARP_INTERVAL, "400");
        tm_opt(b, BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2");
        tm_opt(b, BG_OPT_ARP_VALIDATE, "all");
        tm_opt(b, BG_OPT_ARP_ALL_TARGETS, "all");
        tm_opt(b, BG_OPT_PRIMARY, "p1");
        tm_opt(b, BG_OPT_PRIMARY_RESELECT, "better");
        tm_opt(b, BG_OPT_FAIL_OVER_MAC, "active");
        tm_opt(b, BG_OPT_NUM_GRAT_ARP, "3");
        tm_opt(b, BG_OPT_RESEND_IGMP, "2");
        tm_opt(b, BG_OPT_ALL_SLAVES_ACTIVE, "1");
        tm_opt(b, BG_OPT_MIN_LINKS, "1");
        tm_opt(b, BG_OPT_LP_INTERVAL, "2");
        tm_opt(b, BG_OPT_XMIT_HASH_POLICY, "layer2+3");
        /* netplan checks no mode rules; the networkd emitter neither */
        tm_opt(b, BG_OPT_AD_SELECT, "bandwidth");
        tm_opt(b, BG_OPT_LACP_RATE, "fast");
        tm_opt(b, BG_OPT_PACKETS_PER_SLAVE, "3");
        cr_assert_not_null(bg_bond_add_port(b, "p0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "p1", "52:54:00:00:07:01"));
        cr_assert_not_null(bg_bond_add_port(b, NULL, "52:54:00:00:07:02"));
        b->mtu = 1400;
        b->onboot = false;
        b->ipv4.method = BG_IP_DHCP;
        b->ipv6.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv6, "fd00::7/64"), 0);
}

static void check_model(const char *np, const char *label, void (*build)(struct bg_model *)) {
        struct bg_emit_files nf = { 0 }, df = { 0 };
        struct bg_diags nd = { 0 };
        struct bg_model m;
        char tmpl[] = "/tmp/bg-emit-netplan-XXXXXX", *root, *dir = NULL, *cmd = NULL;
        int st;

        bg_model_init(&m);
        build(&m);
        cr_assert_eq(bg_emit_netplan(&m, &nf, &nd), 0);
        cr_assert_eq(bg_emit_networkd(&m, &df, NULL), 0);

        root = mkdtemp(tmpl);
        cr_assert_not_null(root);
        cr_assert_geq(asprintf(&dir, "%s/etc/netplan", root), 0);
        cr_assert_eq(bg_mkdir_p(dir, 0755), 0);
        for (size_t i = 0; i < nf.n; i++) {
                char *p = NULL;

                cr_assert_geq(asprintf(&p, "%s/%s", dir, nf.v[i].name), 0);
                cr_assert_eq(bg_write_file_atomic(p, nf.v[i].content, strlen(nf.v[i].content),
                                                  nf.v[i].mode, false), 0);
                free(p);
        }
        cr_assert_geq(asprintf(&cmd, "'%s' generate --root-dir '%s' >'%s/out' 2>&1", np, root,
                               root), 0);
        st = system(cmd);
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
                char *out = NULL, *p = NULL;
                size_t len;

                cr_assert_geq(asprintf(&p, "%s/out", root), 0);
                bg_read_file(p, 1 << 16, &out, &len);
                cr_expect_fail("%s: netplan generate failed (status %d):\n%s\ninput:\n%s", label,
                               st, out ? out : "", nf.n ? nf.v[0].content : "");
                free(out);
                free(p);
        } else
                for (size_t i = 0; i < m.n_bonds; i++) {
                        const struct bg_bond *b = &m.bonds[i];
                        char *p = NULL, *theirs = NULL, *ours_name = NULL, *a, *c;
                        const struct bg_emit_file *ours;
                        size_t len;

                        cr_assert_geq(asprintf(&p, "%s/run/systemd/network/10-netplan-%s.netdev",
                                               root, b->name), 0);
                        cr_assert_eq(bg_read_file(p, 1 << 16, &theirs, &len), 0, "%s: %s", label, p);
                        cr_assert_geq(asprintf(&ours_name, BG_EMIT_PREFIX "%s.netdev", b->name), 0);
                        ours = tm_file(&df, ours_name);
                        cr_assert_not_null(ours);
                        a = bond_section(theirs);
                        c = bond_section(ours->content);
                        if (netplan_dropped_options(&nd, b->name))
                                /* what netplan kept must still agree */
                                for (char *line = a, *e; *line; line = e + 1) {
                                        e = strchr(line, '\n');
                                        *e = 0;
                                        cr_expect(has_line(c, line), "%s: netplan gave %s, bondgen networkd:\n%s",
                                                  label, line, c);
                                }
                        else
                                cr_expect_str_eq(a, c,
                                                 "%s: [Bond] via netplan:\n%s\nbondgen networkd:\n%s",
                                                 label, a, c);
                        free(a);
                        free(c);
                        free(p);
                        free(theirs);
                        free(ours_name);
                }

        nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
        free(cmd);
        bg_emit_files_free(&nf);
        bg_emit_files_free(&df);
        bg_diags_free(&nd);
        bg_model_free(&m);
}

Test(netplan, generate_accepts_output) {
        const char *np = netplan_path();

        if (!np)
                cr_skip_test("netplan is not installed (apt-get install netplan.io)");
        for (size_t i = 0; i < n_test_models; i++)
                check_model(np, test_models[i].name, test_models[i].build);
        check_model(np, "everything", everything);
}
