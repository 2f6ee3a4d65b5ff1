/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Debian/Ubuntu ifupdown: etc/network/interfaces and the files it pulls in
 * with `source` (shell wildcards) and `source-directory`, as interfaces(5)
 * and ifupdown's config.c read them:
 *   - a line whose first non-blank character is '#' is a comment; '#'
 *     anywhere else is data (there are no end-of-line comments);
 *   - a trailing backslash joins the next physical line, which is then
 *     never taken for a comment;
 *   - words are separated by blanks; the first word is the keyword:
 *     iface, mapping, auto, allow-CLASS, source, source-directory,
 *     no-auto-down, no-scripts, rename; any other line is an option of
 *     the current stanza (`iface NAME FAMILY METHOD`), and an option
 *     outside a stanza or with no value makes ifupdown refuse the file;
 *   - option names reach ifenslave's hook as IF_<NAME>: upper case, '-'
 *     as '_' and other characters dropped (ifupdown's execute.c), so
 *     bond-xmit-hash-policy and bond-xmit_hash_policy are one option.
 * Relative `source` paths are taken from the directory of the file that
 * names them; `source-directory` includes the files whose names are made
 * of letters, digits, '_' and '-' only (run-parts(8) names).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "debian-int.h"
#include "util/array.h"

#define DEB_MAX_DEPTH 8
#define DEB_MAX_FILES 256

struct deb_reader {
        struct lg_ctx *c;
        struct deb_conf *conf;
        struct deb_stanza *cur;   /* index-stable: the stanza array only grows between options */
        size_t cur_i;
        bool have_cur;
        const char **seen;        /* root-relative files already read */
        size_t n_seen;
};

void deb_ofate(struct lg_ctx *c, struct deb_opt *o, const char *fmt, ...) {
        va_list ap;

        if (c->quiet || !o)
                return;
        va_start(ap, fmt);
        lg_fate_v(&o->fate, fmt, ap);
        va_end(ap);
}

struct deb_opt *deb_find(const struct deb_stanza *s, const char *norm) {
        for (size_t i = 0; i < s->n_opts; i++)
                if (!strcmp(s->opts[i].norm, norm))
                        return &s->opts[i];
        return NULL;
}

static char *normalize(const char *key) {
        char *n = malloc(strlen(key) + 1), *p = n;

        if (!n)
                return NULL;
        for (; *key; key++) {
                unsigned char ch = (unsigned char) *key;
                if (ch == '_' || ch == '-')
                        *p++ = '-';
                else if (isalnum(ch) && ch < 0x80)
                        *p++ = (char) tolower(ch);
        }
        *p = 0;
        return n;
}

static int read_file(struct deb_reader *rd, const char *rel, unsigned depth);

/* Split a logical line into words (blank-separated), with their columns. */
static size_t split_words(char *s, char **w, unsigned *col, size_t max) {
        size_t n = 0;
        char *base = s;

        while (*s && n < max) {
                while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
                        s++;
                if (!*s)
                        break;
                w[n] = s;
                col[n++] = (unsigned) (s - base) + 1;
                while (*s && !(*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f'))
                        s++;
                if (*s)
                        *s++ = 0;
        }
        return n;
}

static int add_line(struct deb_reader *rd, const char *file, unsigned line, char **w, size_t n) {
        struct deb_conf *cf = rd->conf;
        struct deb_line *l = BG_NEW_SLOT(cf->ln, cf->n_ln);

        if (!l)
                return -ENOMEM;
        *l = (struct deb_line) { .file = file, .line = line };
        if (!(l->keyword = strdup(w[0])) || !(l->words = calloc(n ? n : 1, sizeof(char *)))) {
                free(l->keyword);
                return -ENOMEM;
        }
        cf->n_ln++;
        for (size_t i = 1; i < n; i++)
                if (!(l->words[l->n_words++] = strdup(w[i])))
                        return -ENOMEM;
        return 0;
}

static bool dir_name_ok(const char *s) {
        return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(s);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* source PATTERN / source-directory DIR: pattern relative to the file's
 * directory unless absolute; always under the root. */
static int include(struct deb_reader *rd, size_t li, const char *from_rel, unsigned depth) {
        struct lg_ctx *c = rd->c;
        /* rd->conf->ln moves while included files are read: index, not pointer */
        struct deb_line *l = &rd->conf->ln[li];
        bool dir = !strcmp(l->keyword, "source-directory");
        char *pat = NULL, *dn;
        size_t read = 0;
        int r = 0;

        if (l->n_words != 1) {
                lg_diag(c, BG_DIAG_ERROR, l->file, l->line, 0, l->keyword, "needs exactly one path");
                lg_fate(&l->fate, "error: needs exactly one path");
                return 0;
        }
        if (depth >= DEB_MAX_DEPTH) {
                lg_diag(c, BG_DIAG_ERROR, l->file, l->line, 0, l->keyword,
                        "included files nest deeper than %d levels; not read", DEB_MAX_DEPTH);
                lg_fate(&l->fate, "error: nested too deep");
                return 0;
        }
        if (l->words[0][0] == '/')
                r = asprintf(&pat, "%s%s", c->root, l->words[0]);
        else {
                char *d = strdup(from_rel);
                if (!d)
                        return -ENOMEM;
                dn = strrchr(d, '/');
                if (dn)
                        *dn = 0;
                r = asprintf(&pat, "%s/%s/%s", c->root, dn ? d : ".", l->words[0]);
                free(d);
        }
        if (r < 0)
                return -ENOMEM;
        r = 0;
        if (dir) {
                DIR *dd = opendir(pat);
                struct dirent *de;
                char **names = NULL;
                size_t n = 0;

                if (!dd) {
                        lg_diag(c, BG_DIAG_WARNING, l->file, l->line, 0, l->keyword, "%s: %s; nothing included",
                                l->words[0], strerror(errno));
                        lg_fate(&l->fate, "nothing included: %s (warned)", strerror(errno));
                        free(pat);
                        return 0;
                }
                while ((de = readdir(dd)) && n < DEB_MAX_FILES) {
                        if (!dir_name_ok(de->d_name))
                                continue;
                        if (BG_APPEND_STRDUP(names, n, de->d_name) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                }
                closedir(dd);
                if (r == 0 && n)
                        qsort(names, n, sizeof(*names), cmp_str);
                for (size_t i = 0; i < n; i++) {
                        char *full;
                        if (r == 0 && asprintf(&full, "%s/%s", pat, names[i]) >= 0) {
                                const char *rel = lg_rel(c, full);
                                if (rel && (r = read_file(rd, rel, depth + 1)) == 0)
                                        read++;
                                r = r == -ENOMEM ? r : 0;
                                free(full);
                        }
                        free(names[i]);
                }
                free(names);
        } else {
                glob_t g;
                int gr = glob(pat, 0, NULL, &g);
                if (gr == 0)
                        for (size_t i = 0; i < g.gl_pathc && i < DEB_MAX_FILES && r == 0; i++) {
                                struct stat st;
                                const char *rel = lg_rel(c, g.gl_pathv[i]);
                                if (!rel || stat(g.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
                                        continue;
                                if ((r = read_file(rd, rel, depth + 1)) == 0)
                                        read++;
                                r = r == -ENOMEM ? r : 0;
                        }
                if (gr == 0 || gr == GLOB_NOMATCH)
                        globfree(&g);
                if (gr == GLOB_NOSPACE)
                        r = -ENOMEM;
        }
        free(pat);
        if (r < 0)
                return r;
        l = &rd->conf->ln[li];
        lg_fate(&l->fate, read ? "read %zu file%s" : "nothing to include (no match)", read, read == 1 ? "" : "s");
        return 0;
}

static struct deb_stanza *new_stanza(struct deb_reader *rd, enum deb_kind kind, const char *file,
                                     unsigned line) {
        struct deb_conf *cf = rd->conf;
        struct deb_stanza *v = BG_NEW_SLOT(cf->st, cf->n_st);

        if (!v)
                return NULL;
        *v = (struct deb_stanza) { .kind = kind, .file = file, .line = line };
        rd->cur_i = cf->n_st++;
        rd->have_cur = true;
        return v;
}

static int add_opt(struct deb_reader *rd, struct deb_stanza *s, const char *file, unsigned line,
                   char *key, unsigned col, char *value, unsigned vcol) {
        struct deb_opt *o = BG_NEW_SLOT(s->opts, s->n_opts);

        if (!o)
                return -ENOMEM;
        *o = (struct deb_opt) { .file = file, .line = line, .col = col, .vcol = vcol };
        o->key = strdup(key);
        o->norm = normalize(key);
        o->value = strdup(value);
        if (!o->key || !o->norm || !o->value) {
                free(o->key);
                free(o->norm);
                free(o->value);
                return -ENOMEM;
        }
        s->n_opts++;
        (void) rd;
        return 0;
}

static bool known_method(const char *family, const char *method) {
        static const char *const in4[] = { "loopback", "static", "manual", "dhcp", "bootp", "tunnel",
                                           "ppp", "wvdial", "ipv4ll", NULL };
        static const char *const in6[] = { "auto", "loopback", "static", "manual", "dhcp", "v4tunnel",
                                           "6to4", NULL };
        const char *const *t = !strcmp(family, "inet") ? in4 : !strcmp(family, "inet6") ? in6 : NULL;

        if (!t)
                return !strcmp(family, "ipx") || !strcmp(family, "can");
        for (; *t; t++)
                if (!strcmp(*t, method))
                        return true;
        return false;
}

/* One logical line: text (modifiable), its first physical line. */
static int logical(struct deb_reader *rd, const char *file, const char *rel, unsigned line, unsigned lead,
                   char *text, unsigned depth) {
        struct lg_ctx *c = rd->c;
        char *w[64];
        unsigned col[64];
        char *copy = strdup(text);
        size_t n;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        n = split_words(text, w, col, 64);
        if (!n)
                goto out;
        for (size_t i = 0; i < n; i++)
                col[i] += lead;
        if (!strcmp(w[0], "iface") || !strcmp(w[0], "mapping")) {
                bool iface = w[0][0] == 'i';
                struct deb_stanza *s;

                if (n < (iface ? 4u : 2u)) {
                        lg_diag(c, BG_DIAG_ERROR, file, line, 1, w[0], iface ? "needs NAME FAMILY METHOD "
                                "(ifupdown refuses the file)" : "needs a pattern");
                        rd->have_cur = false;
                        r = add_line(rd, file, line, w, n);
                        if (r == 0)
                                lg_fate(&rd->conf->ln[rd->conf->n_ln - 1].fate, "error: incomplete %s line", w[0]);
                        goto out;
                }
                if (!(s = new_stanza(rd, iface ? DEB_IFACE : DEB_MAPPING, file, line)) ||
                    !(s->name = strdup(w[1])))
                        goto oom;
                if (iface) {
                        size_t extra = 4;
                        if (!(s->family = strdup(w[2])) || !(s->method = strdup(w[3])))
                                goto oom;
                        if (n >= 6 && !strcmp(w[4], "inherits")) {
                                lg_diag(c, BG_DIAG_WARNING, file, line, col[4], "inherits",
                                        "the options of %s are not inherited by bondgen; repeat them in "
                                        "%s", w[5], w[1]);
                                extra = 6;
                        } else if (!known_method(w[2], w[3])) {
                                lg_diag(c, BG_DIAG_ERROR, file, line, col[2], "iface",
                                        "unknown address family or method '%s %s' (ifupdown refuses "
                                        "the file)", w[2], w[3]);
                                lg_fate(&s->fate, "error: unknown family or method");
                        }
                        if (n > extra)
                                lg_diag(c, BG_DIAG_WARNING, file, line, col[extra], "iface",
                                        "extra word '%s' ignored (as ifupdown does)", w[extra]);
                }
        } else if (!strcmp(w[0], "auto") || !strncmp(w[0], "allow-", 6) || !strcmp(w[0], "no-auto-down") ||
                   !strcmp(w[0], "no-scripts") || !strcmp(w[0], "rename") || !strcmp(w[0], "source") ||
                   !strcmp(w[0], "source-directory")) {
                rd->have_cur = false;
                if ((r = add_line(rd, file, line, w, n)) < 0)
                        goto out;
                if (!strcmp(w[0], "source") || !strcmp(w[0], "source-directory"))
                        r = include(rd, rd->conf->n_ln - 1, rel, depth);
        } else if (!rd->have_cur) {
                lg_diag(c, BG_DIAG_ERROR, file, line, 1, w[0],
                        "option outside any iface stanza (ifupdown refuses the file: misplaced option)");
                if ((r = add_line(rd, file, line, w, n)) == 0)
                        lg_fate(&rd->conf->ln[rd->conf->n_ln - 1].fate, "error: misplaced option");
        } else if (n < 2) {
                lg_diag(c, BG_DIAG_ERROR, file, line, 1, w[0],
                        "option without a value (ifupdown refuses the file)");
                if ((r = add_line(rd, file, line, w, n)) == 0)
                        lg_fate(&rd->conf->ln[rd->conf->n_ln - 1].fate, "error: option without a value");
        } else {
                /* The value is the rest of the line as written, trimmed. */
                char *v = copy + (col[1] - lead - 1);
                size_t len = strlen(v);
                while (len && isspace((unsigned char) v[len - 1]))
                        v[--len] = 0;
                r = add_opt(rd, &rd->conf->st[rd->cur_i], file, line, w[0], col[0], v, col[1]);
        }
out:
        free(copy);
        return r;
oom:
        free(copy);
        return -ENOMEM;
}

static int read_file(struct deb_reader *rd, const char *rel, unsigned depth) {
        struct lg_ctx *c = rd->c;
        const char *shown;
        char *data, *p, *end, *buf = NULL;
        size_t len, cap = 0, blen = 0;
        unsigned lineno = 0, first = 0, lead = 0;
        int r;

        for (size_t i = 0; i < rd->n_seen; i++)
                if (!strcmp(rd->seen[i], rel)) {
                        lg_diag(c, BG_DIAG_WARNING, NULL, 0, 0, NULL, "%s/%s is included more than once; "
                                "read once", c->root, rel);
                        return -EEXIST;
                }
        if (rd->n_seen >= DEB_MAX_FILES)
                return -E2BIG;
        r = lg_read(c, rel, &data, &len, &shown);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        if (BG_APPEND(rd->seen, rd->n_seen, lg_intern(c, rel)) < 0) {
                free(data);
                return -ENOMEM;
        }
        if (memchr(data, 0, len)) {
                lg_diag(c, BG_DIAG_ERROR, shown, 1, 0, NULL, "the file contains NUL bytes; not read");
                free(data);
                return 0;
        }
        /* Each file starts outside any stanza. */
        rd->have_cur = false;
        p = data;
        end = data + len;
        r = 0;
        while (p < end && r >= 0) {
                char *nl = memchr(p, '\n', (size_t) (end - p));
                char *le = nl ? nl : end, *s = p;
                size_t l;
                bool cont;

                lineno++;
                while (le > s && isspace((unsigned char) le[-1]))
                        le--;
                if (!blen) {
                        while (s < le && isspace((unsigned char) *s))
                                s++;
                        if (s == le || *s == '#') {
                                p = nl ? nl + 1 : end;
                                continue;
                        }
                        first = lineno;
                        lead = (unsigned) (s - p);
                }
                cont = le > s && le[-1] == '\\';
                l = (size_t) (le - s) - cont;
                if (blen + l + 2 > cap) {
                        char *nb;
                        cap = (blen + l + 2) * 2;
                        if (!(nb = realloc(buf, cap))) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = nb;
                }
                memcpy(buf + blen, s, l);
                blen += l;
                buf[blen] = 0;
                p = nl ? nl + 1 : end;
                if (cont && p < end)
                        continue;
                r = logical(rd, shown, rel, first, lead, buf, depth);
                blen = 0;
        }
        free(buf);
        free(data);
        return r < 0 ? r : 0;
}

int deb_parse_tree(struct lg_ctx *c, struct deb_conf *conf) {
        struct deb_reader rd = { .c = c, .conf = conf };
        int r = read_file(&rd, "etc/network/interfaces", 0);
        char *dir = lg_path(c, "etc/network/interfaces.d");
        DIR *dd;
        struct dirent *de;

        if (r == -ENOENT)
                r = 0;
        if (!dir) {
                free(rd.seen);
                return -ENOMEM;
        }
        /* Files in interfaces.d that no source line pulled in are not read
         * by ifupdown either: say so, rather than skip them silently. */
        dd = r < 0 ? NULL : opendir(dir);
        while (dd && (de = readdir(dd))) {
                char rel[512];
                bool seen = false;
                if (de->d_name[0] == '.')
                        continue;
                snprintf(rel, sizeof(rel), "etc/network/interfaces.d/%s", de->d_name);
                for (size_t i = 0; i < rd.n_seen && !seen; i++)
                        seen = !strcmp(rd.seen[i], rel);
                if (!seen) {
                        char full[1024];
                        snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
                        lg_diag(c, BG_DIAG_WARNING, lg_intern(c, full), 0, 0, NULL,
                                "no source or source-directory line includes this file, so ifupdown "
                                "never read it; not converted");
                        lg_explain_extra(c, lg_intern(c, full), 0, "file", "ignored: not included by "
                                         "etc/network/interfaces (warned)");
                }
        }
        if (dd)
                closedir(dd);
        free(dir);
        free(rd.seen);
        return r;
}

void deb_conf_free(struct deb_conf *conf) {
        for (size_t i = 0; i < conf->n_st; i++) {
                struct deb_stanza *s = &conf->st[i];
                for (size_t k = 0; k < s->n_opts; k++) {
                        free(s->opts[k].key);
                        free(s->opts[k].norm);
                        free(s->opts[k].value);
                        free(s->opts[k].fate);
                }
                free(s->opts);
                free(s->name);
                free(s->family);
                free(s->method);
                free(s->fate);
        }
        free(conf->st);
        for (size_t i = 0; i < conf->n_ln; i++) {
                for (size_t k = 0; k < conf->ln[i].n_words; k++)
                        free(conf->ln[i].words[k]);
                free(conf->ln[i].words);
                free(conf->ln[i].keyword);
                free(conf->ln[i].fate);
        }
        free(conf->ln);
        *conf = (struct deb_conf) {};
}

static int explain(struct lg_ctx *c, struct deb_conf *conf, struct bg_model *m) {
        struct bg_explain *e = c->explain;
        char key[256];

        if (!e)
                return 0;
        for (size_t i = 0; i < conf->n_ln; i++) {
                struct deb_line *l = &conf->ln[i];
                if (lg_explain_add(e, m, l->file, l->line, 0, l->keyword, l->fate ? l->fate : "ignored") < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < conf->n_st; i++) {
                struct deb_stanza *s = &conf->st[i];
                snprintf(key, sizeof(key), "%s %s", s->kind == DEB_IFACE ? "iface" : "mapping", s->name);
                if (lg_explain_add(e, m, s->file, s->line, 0, key, s->fate ? s->fate : "ignored") < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < s->n_opts; k++) {
                        struct deb_opt *o = &s->opts[k];
                        if (lg_explain_add(e, m, o->file, o->line, o->col, o->key,
                                           o->fate ? o->fate : "ignored") < 0)
                                return -ENOMEM;
                }
        }
        return lg_explain_finish(c, e, m);
}

int lg_debian_read(const char *root, struct bg_model *m, struct bg_diags *diags, struct bg_explain *explain_out) {
        struct lg_ctx c;
        struct deb_conf conf = {};
        int r = lg_ctx_open(&c, root, diags, explain_out);

        if (r < 0)
                return r;
        c.model = m;
        if ((r = deb_parse_tree(&c, &conf)) < 0)
                goto out;
        if ((r = deb_build(&c, &conf, m)) < 0)
                goto out;
        if ((r = explain(&c, &conf, m)) < 0)
                goto out;
        if (c.syserr)
                r = c.syserr;
        else if (bg_diags_has_errors(diags))
                r = -EINVAL;
out:
        deb_conf_free(&conf);
        lg_ctx_close(&c);
        return r;
}
