/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deterministic mutations of the example trees (examples/NAME/root): byte
 * flips, truncations, inserted quotes, backslashes, NULs, "$(", backquotes
 * and line breaks, and huge lines, in every file. The legacy reader must
 * survive each one (no crash, no sanitizer report in the CI's ASan run),
 * return 0 or -EINVAL (with an error to show for it), name a file in
 * every error and warning and never a line past its end, leave the tree
 * exactly as it was, and hand convert a model that dumps to canonical YAML
 * and emits. Input broken on purpose must be reported at its line, and
 * `bondgen convert -o` must then refuse without writing anything.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit/emit.h"
#include "legacy/legacy.h"
#include "util/util.h"
#include "yaml/yaml.h"

#define MAX_FILES 32

struct file {
        char rel[512];
        char *data;
        size_t len;
};

struct tree {
        char name[64];
        struct file f[MAX_FILES];
        size_t n;
        char root[64];   /* the copy under /tmp that is read and mutated */
        char *snapshot;  /* of the copy, before a read */
};

static const char *const examples[] = {
        "centos-bond0", "centos-bond0-mode1", "rhel6-active-backup", "rhel5-two-bonds", "rhel7-lacp-ipv6",
};
#define N_EXAMPLES (sizeof(examples) / sizeof(*examples))

static uint64_t rng = 0x2545f4914f6cdd1dull;

static unsigned pick(unsigned n) {
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        return (unsigned) ((rng * 2685821657736338717ull) >> 33) % (n ? n : 1);
}

static void load_dir(struct tree *t, const char *base, const char *rel) {
        char path[512];
        DIR *d;
        struct dirent *de;

        snprintf(path, sizeof(path), "%s/%s", base, rel);
        d = opendir(path);
        cr_assert_not_null(d, "%s", path);
        while ((de = readdir(d))) {
                char sub[300], full[1024];
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
                snprintf(full, sizeof(full), "%s/%s", base, sub);
                cr_assert_eq(lstat(full, &st), 0);
                if (S_ISDIR(st.st_mode)) {
                        load_dir(t, base, sub);
                } else if (S_ISREG(st.st_mode)) {
                        cr_assert_lt(t->n, MAX_FILES);
                        snprintf(t->f[t->n].rel, sizeof(t->f[t->n].rel), "%s", sub);
                        cr_assert_eq(bg_read_file(full, 1 << 20, &t->f[t->n].data, &t->f[t->n].len), 0);
                        t->n++;
                }
        }
        closedir(d);
}

static void write_rel(const struct tree *t, const char *rel, const char *data, size_t len) {
        char path[512], *slash;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", t->root, rel);
        slash = strrchr(path, '/');
        *slash = '\0';
        cr_assert_geq(bg_mkdir_p(path, 0755), 0);
        *slash = '/';
        /* Plain writes: the atomic helper's fsync would make this test slow. */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0, "%s", path);
        while (len > 0) {
                ssize_t w = write(fd, data, len);

                cr_assert_gt(w, 0, "%s", path);
                data += w;
                len -= (size_t) w;
        }
        cr_assert_eq(close(fd), 0);
}

/* The copy being mutated, removed by the suite's fini even when an
 * assertion ends the test early. */
static char open_root[64];

static void remove_root(void) {
        char cmd[256];

        if (!open_root[0])
                return;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.out'", open_root, open_root);
        cr_expect_eq(system(cmd), 0);
        open_root[0] = '\0';
}

TestSuite(legacy_mutate, .fini = remove_root);

static void tree_open(struct tree *t, const char *name) {
        char base[512];

        memset(t, 0, sizeof(*t));
        snprintf(t->name, sizeof(t->name), "%s", name);
        cr_assert_not_null(getenv("BG_EXAMPLES"), "BG_EXAMPLES not set (run through meson test)");
        snprintf(base, sizeof(base), "%s/%s/root", getenv("BG_EXAMPLES"), name);
        load_dir(t, base, "");
        cr_assert_gt(t->n, 0);
        strcpy(t->root, "/tmp/bg-mutate-XXXXXX");
        cr_assert_not_null(mkdtemp(t->root));
        strcpy(open_root, t->root);
        for (size_t i = 0; i < t->n; i++)
                write_rel(t, t->f[i].rel, t->f[i].data, t->f[i].len);
}

static void tree_close(struct tree *t) {
        remove_root();
        for (size_t i = 0; i < t->n; i++)
                free(t->f[i].data);
        free(t->snapshot);
}

/* Every entry under dir with its type, size, mtime and an FNV hash of
 * the content: equal snapshots mean nothing was written, created, removed. */
static void snap_dir(const char *dir, FILE *out) {
        struct dirent **names;
        int n = scandir(dir, &names, NULL, alphasort);

        cr_assert_geq(n, 0, "%s", dir);
        for (int i = 0; i < n; i++) {
                char path[768];
                struct stat st;

                if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
                        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
                        cr_assert_eq(lstat(path, &st), 0);
                        fprintf(out, "%s %o %lld %lld.%09ld", path, st.st_mode, (long long) st.st_size,
                                (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
                        if (S_ISREG(st.st_mode)) {
                                char *data;
                                size_t len;
                                uint64_t h = 1469598103934665603ull;

                                cr_assert_eq(bg_read_file(path, 1 << 24, &data, &len), 0);
                                for (size_t k = 0; k < len; k++)
                                        h = (h ^ (unsigned char) data[k]) * 1099511628211ull;
                                fprintf(out, " %016llx", (unsigned long long) h);
                                free(data);
                        }
                        fputc('\n', out);
                        if (S_ISDIR(st.st_mode))
                                snap_dir(path, out);
                }
                free(names[i]);
        }
        free(names);
}

static char *snapshot(const struct tree *t) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_not_null(f);
        snap_dir(t->root, f);
        fclose(f);
        return buf;
}

static unsigned count_lines(const char *data, size_t len) {
        unsigned n = 1;

        for (size_t i = 0; i < len; i++)
                n += data[i] == '\n';
        return n;
}

/* Read the tree with file `mut` holding (data, len) and check everything
 * but what is specific to the mutation. Returns the diagnostics. */
static struct bg_diags read_checked(struct tree *t, size_t mut, const char *data, size_t len,
                                    const char *what) {
        struct bg_model m, m2;
        struct bg_diags d = { 0 }, d2 = { 0 };
        struct bg_explain ex = { 0 };
        char *before, *after, *yaml = NULL;
        size_t ylen = 0;
        int r;

        write_rel(t, t->f[mut].rel, data, len);
        before = snapshot(t);
        bg_model_init(&m);
        r = bg_legacy_read(t->root, &m, &d, &ex);
        cr_assert(r == 0 || r == -EINVAL, "%s: %s: bg_legacy_read returned %d", t->name, what, r);
        if (r == -EINVAL)
                cr_assert(bg_diags_has_errors(&d), "%s: %s: -EINVAL without an error", t->name, what);

        for (size_t i = 0; i < d.n; i++) {
                const struct bg_diag *dg = &d.v[i];
                char buf[1024];

                bg_diag_format(dg, buf, sizeof(buf));
                cr_assert_not_null(dg->msg);
                if (dg->level != BG_DIAG_ERROR && dg->level != BG_DIAG_WARNING)
                        continue;
                cr_assert_not_null(dg->file, "%s: %s: no file in '%s'", t->name, what, buf);
                for (size_t k = 0; k < t->n; k++) {
                        char path[512];
                        unsigned lines;

                        snprintf(path, sizeof(path), "%s/%s", t->root, t->f[k].rel);
                        if (strcmp(dg->file, path))
                                continue;
                        lines = k == mut ? count_lines(data, len) : count_lines(t->f[k].data, t->f[k].len);
                        cr_assert(dg->line <= lines,
                                  "%s: %s: line past the end of the file (%u lines) in '%s'", t->name, what,
                                  lines, buf);
                }
        }
        for (size_t i = 0; i < ex.n; i++)
                cr_assert(ex.v[i].key && ex.v[i].fate, "%s: %s: explain entry %zu incomplete", t->name, what, i);

        /* What convert does next: validate, dump, emit. The dump is canonical. */
        (void) bg_model_validate(&m, &d2);
        bg_diags_free(&d2);
        cr_assert_eq(bg_yaml_dump(&m, &yaml, &ylen), 0, "%s: %s", t->name, what);
        if (ylen <= BG_YAML_MAX_SIZE) {
                r = bg_yaml_load_data(yaml, ylen, "convert.yaml", &m2, &d2);
                if (r < 0)
                        bg_diags_print(&d2, stderr);
                cr_assert_eq(r, 0, "%s: %s: convert output does not load:\n%s", t->name, what, yaml);
                cr_assert(bg_model_equal(&m, &m2), "%s: %s: convert output loads differently", t->name, what);
                bg_model_free(&m2);
                bg_diags_free(&d2);
        }
        free(yaml);
        for (const char *const *fmt = (const char *const[]){ "networkd", "netplan", "keyfile", NULL }; *fmt; fmt++) {
                struct bg_emit_files out = { 0 };

                (void) bg_emit_by_name(*fmt, &m, &out, &d2);
                bg_emit_files_free(&out);
                bg_diags_free(&d2);
        }

        after = snapshot(t);
        cr_assert_str_eq(after, before, "%s: %s: the reader changed the tree", t->name, what);
        free(before);
        free(after);
        bg_explain_free(&ex);
        bg_model_free(&m);
        /* restore */
        write_rel(t, t->f[mut].rel, t->f[mut].data, t->f[mut].len);
        return d;
}

static void each_file(void (*fn)(struct tree *t, size_t k)) {
        for (size_t e = 0; e < N_EXAMPLES; e++) {
                struct tree t;

                tree_open(&t, examples[e]);
                for (size_t k = 0; k < t.n; k++)
                        fn(&t, k);
                tree_close(&t);
        }
}

static void flips(struct tree *t, size_t k) {
        const struct file *f = &t->f[k];

        for (unsigned i = 0; i < 12 && f->len; i++) {
                char *m = malloc(f->len), what[128];
                size_t pos = pick((unsigned) f->len);
                struct bg_diags d;

                memcpy(m, f->data, f->len);
                m[pos] ^= (char) (1u << pick(8));
                if (i & 1)
                        m[pick((unsigned) f->len)] = (char) pick(256);
                snprintf(what, sizeof(what), "%s with bytes changed at %zu (round %u)", f->rel, pos, i);
                d = read_checked(t, k, m, f->len, what);
                bg_diags_free(&d);
                free(m);
        }
}

static void truncations(struct tree *t, size_t k) {
        const struct file *f = &t->f[k];

        for (unsigned i = 0; i < 8; i++) {
                size_t at = i == 0 ? 0 : i == 1 ? f->len - (f->len > 0) : pick((unsigned) f->len);
                char what[128];
                struct bg_diags d;

                snprintf(what, sizeof(what), "%s cut to %zu bytes", f->rel, at);
                d = read_checked(t, k, f->data, at, what);
                bg_diags_free(&d);
        }
}

static const char *const inserts[] = { "\"", "'", "\\", "$(", "`", "${", "\n", "\\\n", "<<EOF\n", "=", "#",
                                       "\r\n", "\t", "\xff\xfe", "a b", ";", "|", "&", "-", "+" };

static void insertions(struct tree *t, size_t k) {
        const struct file *f = &t->f[k];

        for (size_t i = 0; i < sizeof(inserts) / sizeof(*inserts) + 1; i++) {
                /* the last round inserts a NUL byte */
                const char *ins = i < sizeof(inserts) / sizeof(*inserts) ? inserts[i] : "";
                size_t il = i < sizeof(inserts) / sizeof(*inserts) ? strlen(ins) : 1;

                for (unsigned j = 0; j < 2; j++) {
                        size_t pos = pick((unsigned) f->len + 1);
                        char *m = malloc(f->len + il), what[160];
                        struct bg_diags d;

                        memcpy(m, f->data, pos);
                        memcpy(m + pos, ins, il);
                        memcpy(m + pos + il, f->data + pos, f->len - pos);
                        snprintf(what, sizeof(what), "%s with insertion %zu at %zu", f->rel, i, pos);
                        d = read_checked(t, k, m, f->len + il, what);
                        bg_diags_free(&d);
                        free(m);
                }
        }
}

static void huge_lines(struct tree *t, size_t k) {
        const struct file *f = &t->f[k];
        static const char *const heads[] = { "BONDING_OPTS=\"mode=1 ", "IPADDR=", "# ", "options bond0 miimon=",
                                             "DEVICE=" };
        const size_t big = 300 * 1024;

        for (size_t i = 0; i < sizeof(heads) / sizeof(*heads); i++) {
                size_t hl = strlen(heads[i]), pos = pick((unsigned) f->len + 1);
                char *m = malloc(f->len + hl + big + 1), what[128];
                struct bg_diags d;

                /* at a line start, so the head is a key */
                while (pos > 0 && f->data[pos - 1] != '\n')
                        pos--;
                memcpy(m, f->data, pos);
                memcpy(m + pos, heads[i], hl);
                memset(m + pos + hl, i == 1 ? '9' : 'x', big);
                m[pos + hl + big] = '\n';
                memcpy(m + pos + hl + big + 1, f->data + pos, f->len - pos);
                snprintf(what, sizeof(what), "%s with a %zu byte line at %zu", f->rel, big, pos);
                d = read_checked(t, k, m, f->len + hl + big + 1, what);
                bg_diags_free(&d);
                free(m);
        }
}

Test(legacy_mutate, byte_flips, .timeout = 60) {
        each_file(flips);
}

Test(legacy_mutate, truncations, .timeout = 60) {
        each_file(truncations);
}

Test(legacy_mutate, insertions, .timeout = 60) {
        each_file(insertions);
}

Test(legacy_mutate, huge_lines, .timeout = 60) {
        each_file(huge_lines);
}

/* ---- input broken on purpose: reported at its line; convert -o refuses ---- */

static int run_convert(const char *root, const char *out) {
        const char *exe = getenv("BONDGEN");
        pid_t pid;
        int st;

        cr_assert_not_null(exe, "BONDGEN not set (run through meson test)");
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                dup2(null, 1);
                dup2(null, 2);
                execl(exe, exe, "convert", "--root", root, "-o", out, (char *) NULL);
                _exit(127);
        }
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st), "bondgen convert died (signal %d)", WTERMSIG(st));
        return WEXITSTATUS(st);
}

/* After the '=' of the first assignment of key in file k, insert ins. */
static void break_value(struct tree *t, size_t k, const char *key, const char *ins, bool cli) {
        const struct file *f = &t->f[k];
        char needle[64], what[160], out[128], path[512];
        const char *at;
        size_t pos, il = strlen(ins);
        unsigned line;
        char *m;
        struct bg_diags d;
        bool found = false;
        int status;

        snprintf(needle, sizeof(needle), "\n%s=", key);
        if (strncmp(f->data, needle + 1, strlen(needle) - 1) == 0)
                pos = strlen(needle) - 1;
        else if ((at = strstr(f->data, needle)))
                pos = (size_t) (at - f->data) + strlen(needle);
        else
                return;
        line = count_lines(f->data, pos);
        m = malloc(f->len + il);
        memcpy(m, f->data, pos);
        memcpy(m + pos, ins, il);
        memcpy(m + pos + il, f->data + pos, f->len - pos);
        snprintf(what, sizeof(what), "%s: %s= starts with '%s'", f->rel, key, ins);
        d = read_checked(t, k, m, f->len + il, what);

        /* An error, or a warning where the file turns out not to matter
         * (a port whose MASTER cannot be read belongs to no bond). */
        snprintf(path, sizeof(path), "%s/%s", t->root, f->rel);
        for (size_t i = 0; i < d.n && !found; i++)
                found = d.v[i].level != BG_DIAG_NOTE && d.v[i].file && !strcmp(d.v[i].file, path) &&
                        d.v[i].line == line;
        if (!found)
                bg_diags_print(&d, stderr);
        cr_assert(found, "%s: %s: nothing reported at line %u", t->name, what, line);

        /* The CLI: with an error, exit status 1 and no output file;
         * never a crash or a system error. A process per case is slow
         * under the sanitizers, so the CLI sees each key and each broken
         * form once per file (the library saw every pair above). */
        if (!cli)
                goto done;
        write_rel(t, f->rel, m, f->len + il);
        snprintf(out, sizeof(out), "%s.out", t->root);
        status = run_convert(t->root, out);
        cr_assert(status == 0 || status == 1, "%s: %s: bondgen convert exited %d", t->name, what, status);
        if (bg_diags_has_errors(&d))
                cr_assert_eq(status, 1, "%s: %s: errors, but bondgen convert exited 0", t->name, what);
        if (status != 0)
                cr_assert_eq(access(out, F_OK), -1, "%s: %s: convert failed but wrote %s", t->name, what, out);
        else
                cr_assert_eq(unlink(out), 0, "%s: %s: convert exited 0 without output", t->name, what);
        write_rel(t, f->rel, f->data, f->len);
done:
        bg_diags_free(&d);
        free(m);
}

static void broken(struct tree *t, size_t k) {
        static const char *const keys[] = { "BONDING_OPTS", "DEVICE", "MASTER", "IPADDR" };
        static const char *const ins[] = { "$(reboot)", "`reboot`", "\"unterminated", "'unterminated" };

        if (!strstr(t->f[k].rel, "ifcfg-"))
                return;
        for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
                for (size_t j = 0; j < sizeof(ins) / sizeof(*ins); j++)
                        break_value(t, k, keys[i], ins[j], (i + j) % 4 == 0);
}

Test(legacy_mutate, broken_values_are_located_and_refused, .timeout = 60) {
        each_file(broken);
}

/* Regression: an existing but empty etc/modprobe.d or network-scripts
 * directory made qsort() get a NULL array (undefined behaviour; UBSan
 * "null pointer passed as argument 1" in the CI's sanitizer run). */
Test(legacy_mutate, empty_directories) {
        struct tree t = { 0 };
        struct bg_model m;
        struct bg_diags d = { 0 };
        char path[512];

        strcpy(t.root, "/tmp/bg-mutate-XXXXXX");
        cr_assert_not_null(mkdtemp(t.root));
        strcpy(open_root, t.root);
        snprintf(path, sizeof(path), "%s/etc/modprobe.d", t.root);
        cr_assert_eq(bg_mkdir_p(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/etc/sysconfig/network-scripts", t.root);
        cr_assert_eq(bg_mkdir_p(path, 0755), 0);
        bg_model_init(&m);
        cr_assert_eq(bg_legacy_read(t.root, &m, &d, NULL), 0);
        cr_assert_eq(m.n_bonds, 0);
        bg_model_free(&m);
        bg_diags_free(&d);
        tree_close(&t);
}
