/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen validate / show: exit statuses (bondgen(8)) and golden output.
 * Runs the built binary ($BONDGEN) in the source tree so that the file
 * names in its output are the relative ones in the golden files.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

struct run {
        int status;
        char *out;
        char *err;
};

static const char *env(const char *name) {
        const char *s = getenv(name);

        cr_assert(s, "%s not set (run through meson test)", name);
        return s;
}

static char *slurp_fd(int fd) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        ssize_t k;

        lseek(fd, 0, SEEK_SET);
        do {
                if (cap - len < 4096) {
                        cap = cap ? cap * 2 : 8192;
                        buf = realloc(buf, cap);
                        cr_assert(buf);
                }
                k = read(fd, buf + len, cap - len - 1);
                cr_assert_geq(k, 0);
                len += (size_t)k;
        } while (k > 0);
        buf[len] = 0;
        close(fd);
        return buf;
}

/* argv without the program; NULL-terminated. stdin from in_path (or
 * /dev/null). */
static struct run run_bondgen_in(const char *in_path, const char *const *args) {
        const char *exe = env("BONDGEN"), *top = env("BG_TEST_TOPDIR");
        char *argv[32];
        struct run r = { 0 };
        int fo, fe, st;
        size_t n = 0;
        pid_t pid;
        FILE *fo_f = tmpfile(), *fe_f = tmpfile();

        cr_assert(fo_f && fe_f);
        fo = dup(fileno(fo_f));
        fe = dup(fileno(fe_f));
        fclose(fo_f);
        fclose(fe_f);
        argv[n++] = (char *)"bondgen";
        for (; args[n - 1] && n < 31; n++)
                argv[n] = (char *)args[n - 1];
        argv[n] = NULL;
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int in = open(in_path ? in_path : "/dev/null", O_RDONLY);

                if (in < 0 || dup2(in, 0) < 0 || chdir(top) < 0 || dup2(fo, 1) < 0 ||
                    dup2(fe, 2) < 0)
                        _exit(127);
                execv(exe, argv);
                _exit(127);
        }
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st), "bondgen died (signal %d)", WTERMSIG(st));
        r.status = WEXITSTATUS(st);
        r.out = slurp_fd(fo);
        r.err = slurp_fd(fe);
        return r;
}

static struct run run_bondgen(const char *const *args) {
        return run_bondgen_in(NULL, args);
}

static void run_free(struct run *r) {
        free(r->out);
        free(r->err);
}

static char *golden(const char *name) {
        char path[4096], *text;

        snprintf(path, sizeof(path), "%s/golden/%s", env("BG_TEST_SRCDIR"), name);
        cr_assert_eq(bg_read_file(path, 1 << 20, &text, NULL), 0, "cannot read %s", path);
        return text;
}

#define RUN(...) run_bondgen((const char *const[]){ __VA_ARGS__, NULL })

Test(cli, validate_examples_ok) {
        struct run r = RUN("validate", "examples/models/centos-bond0.yaml",
                           "examples/models/active-backup-arp.yaml",
                           "examples/models/lacp-userspace.yaml");

        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_str_eq(r.out, "");
        run_free(&r);
}

Test(cli, validate_centos_warns_about_gateway) {
        struct run r = RUN("validate", "examples/models/centos-bond0.yaml");

        /* warnings do not fail validation */
        cr_assert_eq(r.status, 0);
        cr_assert(strstr(r.err, "examples/models/centos-bond0.yaml:"), "%s", r.err);
        cr_assert(strstr(r.err, ": warning: "), "%s", r.err);
        cr_assert(strstr(r.err, "192.168.0.1"), "%s", r.err);
        run_free(&r);

        r = RUN("validate", "-q", "examples/models/centos-bond0.yaml");
        cr_assert_eq(r.status, 0);
        cr_assert_str_eq(r.err, "");
        run_free(&r);
}

Test(cli, validate_broken_file_golden) {
        struct run r = RUN("validate", "test/unit/yaml/bad/option-typo.yaml");
        char *want = golden("validate-option-typo.err");

        cr_assert_eq(r.status, 1);
        cr_assert_str_eq(r.err, want);
        cr_assert_str_eq(r.out, "");
        free(want);
        run_free(&r);
}

/* Every broken file of the YAML corpus: status 1 and FILE:LINE:COL lines. */
Test(cli, validate_every_broken_file) {
        char dir[4096], rel[512];
        struct dirent *de;
        regex_t re;
        size_t n = 0;
        DIR *d;

        cr_assert_eq(regcomp(&re, "^test/unit/yaml/bad/[^:]+\\.yaml:[0-9]+:[0-9]+: error: .+$",
                             REG_EXTENDED | REG_NEWLINE | REG_NOSUB),
                     0);
        snprintf(dir, sizeof(dir), "%s/test/unit/yaml/bad", env("BG_TEST_TOPDIR"));
        d = opendir(dir);
        cr_assert(d);
        while ((de = readdir(d))) {
                struct run r;
                char *line, *save = NULL;

                if (!strstr(de->d_name, ".yaml"))
                        continue;
                snprintf(rel, sizeof(rel), "test/unit/yaml/bad/%s", de->d_name);
                r = RUN("validate", rel);
                cr_expect_eq(r.status, 1, "%s: status %d", rel, r.status);
                cr_expect_neq(r.err[0], 0, "%s: no message", rel);
                for (line = strtok_r(r.err, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                        cr_expect_eq(regexec(&re, line, 0, NULL, 0), 0, "%s: bad line '%s'", rel,
                                     line);
                run_free(&r);
                n++;
        }
        closedir(d);
        regfree(&re);
        cr_assert_geq(n, 20);
}

Test(cli, validate_semantic_error) {
        struct run r = RUN("validate", "test/unit/cli/invalid/port-twice.yaml");

        cr_assert_eq(r.status, 1);
        cr_assert(strstr(r.err, "test/unit/cli/invalid/port-twice.yaml:"), "%s", r.err);
        cr_assert(strstr(r.err, ": error: "), "%s", r.err);
        run_free(&r);
}

Test(cli, validate_statuses) {
        struct run r;

        r = RUN("validate", "test/unit/cli/no-such-file.yaml");
        cr_assert_eq(r.status, 3);
        cr_assert_str_eq(r.err, "test/unit/cli/no-such-file.yaml: error: cannot read: No such "
                                "file or directory\n");
        run_free(&r);

        r = RUN("validate", "test/unit/cli");   /* a directory is not a file */
        cr_assert_eq(r.status, 3);
        run_free(&r);

        /* the worst status wins, every file is still checked */
        r = RUN("validate", "examples/models/centos-bond0.yaml", "test/unit/yaml/bad/alias.yaml");
        cr_assert_eq(r.status, 1);
        run_free(&r);
        r = RUN("validate", "test/unit/cli/no-such-file.yaml", "test/unit/yaml/bad/alias.yaml");
        cr_assert_eq(r.status, 3);
        cr_assert(strstr(r.err, "alias.yaml:4:5: error:"), "%s", r.err);
        run_free(&r);

        r = RUN("validate");
        cr_assert_eq(r.status, 2);
        run_free(&r);
        r = RUN("validate", "--frobnicate", "x.yaml");
        cr_assert_eq(r.status, 2);
        run_free(&r);
        r = RUN("validate", "--help");
        cr_assert_eq(r.status, 0);
        cr_assert(strstr(r.out, "Usage: bondgen validate"));
        run_free(&r);
}

Test(cli, show_file_golden) {
        struct run r = RUN("show", "examples/models/centos-bond0.yaml");
        char *want = golden("show-centos.out");

        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_str_eq(r.out, want);
        free(want);
        run_free(&r);
}

Test(cli, show_directory_golden) {
        struct run r = RUN("show", "test/unit/cli/models");
        char *want = golden("show-models.out");

        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_str_eq(r.out, want);
        free(want);
        run_free(&r);
}

Test(cli, show_statuses) {
        struct run r;

        r = RUN("show", "test/unit/yaml/bad/option-typo.yaml");
        cr_assert_eq(r.status, 1);
        cr_assert_str_eq(r.out, "", "a broken file is not summarised");
        cr_assert(strstr(r.err, "option-typo.yaml:5:7: error:"), "%s", r.err);
        run_free(&r);

        /* loads but is invalid: summarised, status 1 */
        r = RUN("show", "test/unit/cli/invalid/port-twice.yaml");
        cr_assert_eq(r.status, 1);
        cr_assert(strstr(r.out, "bond1\n"), "%s", r.out);
        run_free(&r);

        r = RUN("show", "test/unit/cli/no-such-file.yaml");
        cr_assert_eq(r.status, 3);
        run_free(&r);

        r = RUN("show", "a.yaml", "b.yaml");
        cr_assert_eq(r.status, 2);
        run_free(&r);
        r = RUN("show", "--help");
        cr_assert_eq(r.status, 0);
        cr_assert(strstr(r.out, "Usage: bondgen show"));
        run_free(&r);
}

Test(cli, validate_stdin) {
        char path[4096];
        struct run r;

        snprintf(path, sizeof(path), "%s/test/unit/yaml/bad/bool-yes.yaml", env("BG_TEST_TOPDIR"));
        r = run_bondgen_in(path, (const char *const[]){ "validate", "-", NULL });
        cr_assert_eq(r.status, 1);
        cr_assert_str_eq(r.err, "<stdin>:4:13: error: bonds[0].onboot: invalid boolean 'yes' "
                                "(use true or false, unquoted)\n");
        run_free(&r);
        snprintf(path, sizeof(path), "%s/test/unit/cli/models/10-bond0.yaml", env("BG_TEST_TOPDIR"));
        r = run_bondgen_in(path, (const char *const[]){ "validate", "-", NULL });
        cr_assert_eq(r.status, 0, "%s", r.err);
        run_free(&r);
}

/* `bondgen convert | bondgen validate -`: standard input may be a pipe,
 * although config files are read as regular files only. */
Test(cli, validate_stdin_pipe) {
        char *cmd;
        int st;

        cr_assert(asprintf(&cmd, "cat '%s/test/unit/cli/models/10-bond0.yaml' | '%s' validate - 2>/dev/null",
                           env("BG_TEST_TOPDIR"), env("BONDGEN")) > 0);
        st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
        free(cmd);
        cr_assert(asprintf(&cmd, "cat '%s/test/unit/yaml/bad/bool-yes.yaml' | '%s' validate - 2>/dev/null",
                           env("BG_TEST_TOPDIR"), env("BONDGEN")) > 0);
        st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d", st);
        free(cmd);
}

static size_t lines(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                n += *s == '\n';
        return n;
}

/* A usage error names what is wrong and where the help is, in two lines,
 * with exit status 2; the help itself goes to stdout only when asked for. */
Test(cli, usage_error_is_one_line_and_a_hint) {
        static const struct {
                const char *args[3];
                const char *what, *hint;
        } cases[] = {
                { { "frobnicate" }, "bondgen: unknown command 'frobnicate'", "Try 'bondgen --help'." },
                { { "convert", "--bogus" }, "bondgen convert: unknown option", "Try 'bondgen convert --help'." },
                { { "convert", "--format", "xml" }, "bondgen convert: unknown format 'xml'",
                  "Try 'bondgen convert --help'." },
                { { "convert", "extra" }, "bondgen convert: unexpected argument 'extra'",
                  "Try 'bondgen convert --help'." },
                { { "validate" }, "bondgen validate: no FILE given", "Try 'bondgen validate --help'." },
                { { "validate", "--frobnicate" }, "bondgen validate: unknown option '--frobnicate'",
                  "Try 'bondgen validate --help'." },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const char *const *a = cases[i].args;
                struct run r = a[2] ? RUN(a[0], a[1], a[2]) : a[1] ? RUN(a[0], a[1]) : RUN(a[0]);

                cr_assert_eq(r.status, 2, "%s: status %d", cases[i].what, r.status);
                cr_assert_eq(lines(r.err), 2, "%s: stderr is\n%s", cases[i].what, r.err);
                cr_assert(strncmp(r.err, cases[i].what, strlen(cases[i].what)) == 0, "%s", r.err);
                cr_assert(strstr(r.err, cases[i].hint), "%s", r.err);
                cr_assert_str_eq(r.out, "");
                run_free(&r);
        }
}

Test(cli, apply_dry_run_plans_vlans_and_bridges_after_bonds) {
        struct run r = RUN("apply", "--dry-run", "-c", "examples/rhel-whole-host/expected.yaml");
        const char *bond = strstr(r.out, "bond0: "), *vlan = strstr(r.out, "bond0.100: create VLAN 100 on bond0"),
                   *br = strstr(r.out, "br0: create bridge (stp=on forward_delay=4s hello_time=2s priority=4096)\n");

        /* bonds, then the VLANs on them, then the bridge over bond1 (a
         * kernel VLAN device, or bondgend's where the kernel has neither
         * bonding nor 802.1Q: bondgend(8) VLANs) */
        cr_assert(bond && vlan && br && bond < vlan && vlan < br, "%s", r.out);
        cr_assert(strstr(r.out, "bond0.100: add address 192.0.2.10/24\n"), "%s", r.out);
        cr_assert(strstr(r.out, "br0: enslave bond1\n"), "%s", r.out);
        cr_assert(!strstr(r.err, "not created"), "%s", r.err);
        run_free(&r);
}
