/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bg_legacy_read(): reads a CentOS/RHEL-era tree under a root directory and
 * builds the model. Order of work:
 *   1. etc/sysconfig/network, modprobe configuration, rc.local;
 *   2. every ifcfg-* file, lexed (ifcfg-lex.c), then classified as bond,
 *      port, alias or unrelated (rh.c);
 *   3. each bond is built once (rh-bond.c, rh-ip.c) into the caller's
 *      model and validated on its own. Problems are collected per bond; a
 *      bond with an error is taken out again (bg_model_drop_last_bond())
 *      and the others are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "legacy-int.h"
#include "readers-int.h"
#include "util/util.h"
#include "util/array.h"

const char *lg_intern(struct lg_ctx *c, const char *s) {
        return bg_model_intern(&c->paths, s);
}

char *lg_path(const struct lg_ctx *c, const char *rel) {
        char *p;

        if (asprintf(&p, "%s/%s", c->root, rel) < 0)
                return NULL;
        return p;
}

void lg_diag(struct lg_ctx *c, enum bg_diag_level level, const char *file, unsigned line,
             unsigned col, const char *key, const char *fmt, ...) {
        struct bg_loc loc = { file, line, col };
        va_list ap;

        if (c->quiet)
                return;
        va_start(ap, fmt);
        if (bg_diag_addv(c->diags, level, file ? &loc : NULL, key, fmt, ap) < 0 && !c->syserr)
                c->syserr = -ENOMEM;
        va_end(ap);
}

/* Replace *fate with the formatted text (NULL when out of memory). */
void lg_fate_v(char **fate, const char *fmt, va_list ap) {
        char *s;

        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        free(*fate);
        *fate = s;
}

void lg_fate(char **fate, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        lg_fate_v(fate, fmt, ap);
        va_end(ap);
}

void lg_fate_append(char **fate, const char *fmt, ...) {
        va_list ap;
        char *s, *j;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s)
                return;
        if (!*fate) {
                *fate = s;
                return;
        }
        if (asprintf(&j, "%s; %s", *fate, s) < 0)
                j = NULL;
        free(s);
        if (j) {
                free(*fate);
                *fate = j;
        }
}

const char *lg_opt_hint(const char *key, char *buf, size_t size) {
        const char *s = bg_opt_suggest(key);

        if (s)
                snprintf(buf, size, "; did you mean '%s'?", s);
        else if (size)
                buf[0] = 0;
        return buf;
}

void lg_fate_opt_set(const struct lg_ctx *c, char **fate, const struct bg_bond *b,
                     const struct bg_opt_info *o, const char *text) {
        char val[256];

        if (c->quiet)
                return;
        if (bg_opt_format_value(o, &b->opts[o->id], val, sizeof(val)) < 0)
                snprintf(val, sizeof(val), "%s", text);
        lg_fate_append(fate, "bonds[%s].options.%s = %s", b->name, o->name, val);
}

void lg_explain_extra(struct lg_ctx *c, const char *file, unsigned line, const char *key,
                      const char *fmt, ...) {
        struct bg_explain *e = &c->extra;
        struct bg_explain_entry *x;
        va_list ap;

        if (c->quiet)
                return;
        if (BG_RESERVE(e->v, e->cap, e->n + 1) < 0) {
                c->syserr = -ENOMEM;
                return;
        }
        x = &e->v[e->n];
        x->loc = (struct bg_loc) { file, line, 0 };
        x->key = strdup(key);
        va_start(ap, fmt);
        if (vasprintf(&x->fate, fmt, ap) < 0)
                x->fate = NULL;
        va_end(ap);
        if (!x->key || !x->fate) {
                free(x->key);
                free(x->fate);
                c->syserr = -ENOMEM;
                return;
        }
        e->n++;
}

__attribute__((format(printf, 4, 0)))
static void set_fate_v(struct lg_ctx *c, struct bg_ifcfg *f, struct bg_ifcfg_var *v, const char *fmt,
                       va_list ap) {
        char *s;

        if (c->quiet || !v)
                return;
        /* Without --explain a fate only marks the key as handled (the
         * sweep and the checks of what was used read no more of it):
         * formatting every key's text cost about 6 % of a large convert. */
        if (!c->explain) {
                bg_ifcfg_mark_fate(f, v);
                return;
        }
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        bg_ifcfg_set_fate(f, v, "%s", s ? s : "?");
        free(s);
}

void lg_vfate(struct lg_ctx *c, struct bg_ifcfg *f, struct bg_ifcfg_var *v, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        set_fate_v(c, f, v, fmt, ap);
        va_end(ap);
}

void lg_kfate(struct lg_ctx *c, struct bg_ifcfg *f, const char *key, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        set_fate_v(c, f, bg_ifcfg_find(f, key), fmt, ap);
        va_end(ap);
}

bool lg_mac_keep(struct lg_ctx *c, const char *file, unsigned line, unsigned col, const char *key,
                 const char *dev, const struct bg_hwaddr *m) {
        char buf[BG_HWADDR_STRLEN];
        const char *why;

        if (bg_hwaddr_usable(m, &why))
                return true;
        lg_diag(c, BG_DIAG_WARNING, file, line, col, key,
                "%s %s, which the kernel refuses as a device address; not converted, %s keeps "
                "the MAC it gets without it", bg_hwaddr_format(m, buf), why, dev);
        return false;
}

/* Module and alias names: '-' and '_' are the same (modprobe.d(5)). */
bool lg_ifname_eq(const char *a, const char *b) {
        if (!a || !b)
                return false;
        for (; *a && *b; a++, b++)
                if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
                        return false;
        return *a == *b;
}

static bool input_errno(int r) {
        return r == -ELOOP || r == -EINVAL || r == -EISDIR || r == -EFBIG || r == -ENOTDIR ||
               r == -ENAMETOOLONG;
}

void lg_note_errno(struct lg_ctx *c, int r) {
        if (r < 0 && r != -ENOMEM && !input_errno(r) && !c->syserr)
                c->syserr = r;
}

int lg_read(struct lg_ctx *c, const char *rel, char **data, size_t *len, const char **shown) {
        char *path = lg_path(c, rel);
        int r;

        if (!path)
                return -ENOMEM;
        *shown = lg_intern(c, path);
        free(path);
        if (!*shown)
                return -ENOMEM;
        r = bg_read_file_cached(c->rootfd, &c->dir, rel, LG_MAX_FILE, data, len);
        if (r == -ENOENT || r == -ENOTDIR)
                return -ENOENT;
        if (r < 0) {
                lg_diag(c, BG_DIAG_ERROR, *shown, 0, 0, NULL, "cannot read: %s%s; what it configures is missing from the "
                        "result", bg_read_strerror(r), r == -EFBIG ? " (larger than 1 MiB)" : "");
                lg_note_errno(c, r);
                if (input_errno(r))
                        return -EINVAL;
        }
        return r;
}

DIR *lg_opendir(struct lg_ctx *c, const char *rel) {
        int fd = bg_open_in_root(c->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
        DIR *d;

        if (fd < 0) {
                errno = -fd;
                return NULL;
        }
        if (!(d = fdopendir(fd))) {
                int e = errno;
                close(fd);
                errno = e;
        }
        return d;
}

bool lg_same_file(struct lg_ctx *c, const char *a, const char *b) {
        int fa = bg_open_in_root(c->rootfd, a, O_PATH), fb = bg_open_in_root(c->rootfd, b, O_PATH);
        struct stat sa, sb;
        bool same = fa >= 0 && fb >= 0 && fstat(fa, &sa) == 0 && fstat(fb, &sb) == 0 &&
                    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;

        if (fa >= 0)
                close(fa);
        if (fb >= 0)
                close(fb);
        return same;
}

void bg_explain_free(struct bg_explain *e) {
        if (!e)
                return;
        for (size_t i = 0; i < e->n; i++) {
                free(e->v[i].key);
                free(e->v[i].fate);
        }
        free(e->v);
        *e = (struct bg_explain) {};
}

static int read_network(struct lg_ctx *c) {
        const char *shown;
        char *data;
        size_t len;
        char *path = lg_path(c, "etc/sysconfig/network");
        struct stat st;
        int r;

        if (!path)
                return -ENOMEM;
        /* A directory there is SUSE's (ifcfg files, routes), read by suse.c. */
        r = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        free(path);
        if (r)
                return 0;
        r = lg_read(c, "etc/sysconfig/network", &data, &len, &shown);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        r = bg_ifcfg_parse(&c->network, shown, data, len);
        free(data);
        if (r < 0)
                return r;
        c->have_network = true;
        /* Problems in the global file matter to every bond. */
        for (size_t i = 0; i < c->network.diags.n; i++) {
                struct bg_diag *d = &c->network.diags.v[i];
                lg_diag(c, d->level, d->file, d->line, d->col, d->key, "%s", d->msg);
        }
        return 0;
}

static void network_explain(struct lg_ctx *c) {
        static const struct { const char *key, *why; } reasons[] = {
                { "NETWORKING", "ignored: networking is on whenever bondgen's output is used" },
                { "HOSTNAME", "ignored: the host name is not network configuration (/etc/hostname)" },
                { "NOZEROCONF", "ignored: no 169.254/16 route is added by bondgen's output" },
                { "NISDOMAIN", "ignored: NIS is not network configuration" },
                { "IPV6_DEFAULTDEV", "used to place IPV6_DEFAULTGW" },
                { "NETWORKING_IPV6", "used: IPv6 on or off for every bond" },
                { "GATEWAY", "ignored: no bond with static addresses has it on-link (or GATEWAYDEV names "
                             "another device)" },
                { "GATEWAYDEV", "used to place GATEWAY" },
                { "IPV6_DEFAULTGW", "ignored: names no converted bond" },
        };
        for (size_t i = 0; i < c->network.n; i++) {
                struct bg_ifcfg_var *v = &c->network.v[i];
                if (v->fate)
                        continue;
                for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++)
                        if (!strcmp(v->key, reasons[k].key)) {
                                bg_ifcfg_set_fate(&c->network, v, "%s", reasons[k].why);
                                break;
                        }
                if (!v->fate && !v->overridden_by)
                        bg_ifcfg_set_fate(&c->network, v, "ignored: not a setting bondgen converts");
        }
}

int lg_explain_add(struct bg_explain *e, struct bg_model *m, const char *file, unsigned line,
                   unsigned col, const char *key, const char *fate) {
        struct bg_explain_entry *x;

        if (BG_RESERVE(e->v, e->cap, e->n + 1) < 0)
                return -ENOMEM;
        x = &e->v[e->n];
        x->loc = (struct bg_loc) { file ? bg_model_intern(m, file) : NULL, line, col };
        x->key = strdup(key ? key : "");
        x->fate = strdup(fate ? fate : "ignored");
        if (!x->key || !x->fate || (file && !x->loc.file)) {
                free(x->key);
                free(x->fate);
                return -ENOMEM;
        }
        e->n++;
        return 0;
}

int lg_explain_ifcfg(struct bg_explain *e, struct bg_model *m, const struct bg_ifcfg *f) {
        for (size_t i = 0; i < f->n; i++) {
                const struct bg_ifcfg_var *v = &f->v[i];
                char fate[64];
                const char *fs = v->fate;

                if (!fs && v->overridden_by) {
                        snprintf(fate, sizeof(fate), "ignored: set again on line %u", v->overridden_by);
                        fs = fate;
                }
                if (lg_explain_add(e, m, f->path, v->line, v->col, v->key, fs) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Sorting key: file, line, column, then the order the entries were made. */
static int cmp_index(const void *a, const void *b, void *base) {
        size_t i = *(const size_t *)a, k = *(const size_t *)b;
        const struct bg_explain_entry *x = (const struct bg_explain_entry *)base + i;
        const struct bg_explain_entry *y = (const struct bg_explain_entry *)base + k;
        int r = strcmp(x->loc.file ? x->loc.file : "", y->loc.file ? y->loc.file : "");

        if (r)
                return r;
        if (x->loc.line != y->loc.line)
                return x->loc.line < y->loc.line ? -1 : 1;
        if (x->loc.col != y->loc.col)
                return x->loc.col < y->loc.col ? -1 : 1;
        return i < k ? -1 : i > k;
}

int lg_explain_sort(struct bg_explain *e) {
        struct bg_explain_entry *copy;
        size_t *idx;

        /* Stable order: by file, line and column, then insertion order. */
        if (!e || e->n < 2)
                return 0;
        copy = malloc(e->n * sizeof(*copy));
        idx = malloc(e->n * sizeof(*idx));
        if (!copy || !idx) {
                free(copy);
                free(idx);
                return -ENOMEM;
        }
        for (size_t i = 0; i < e->n; i++)
                idx[i] = i;
        qsort_r(idx, e->n, sizeof(*idx), cmp_index, e->v);
        for (size_t i = 0; i < e->n; i++)
                copy[i] = e->v[idx[i]];
        memcpy(e->v, copy, e->n * sizeof(*copy));
        free(copy);
        free(idx);
        return 0;
}

int lg_explain_finish(struct lg_ctx *c, struct bg_explain *e, struct bg_model *m) {
        for (size_t i = 0; i < c->extra.n; i++) {
                struct bg_explain_entry *x = &c->extra.v[i];
                if (lg_explain_add(e, m, x->loc.file, x->loc.line, x->loc.col, x->key, x->fate) < 0)
                        return -ENOMEM;
        }
        return lg_explain_sort(e);
}

static int fill_explain(struct lg_ctx *c, struct bg_model *m) {
        struct bg_explain *e = c->explain;

        /* The fates of the keys nothing used are read by --explain only. */
        if (!e)
                return 0;
        network_explain(c);
        lg_modprobe_explain(c);
        lg_rclocal_explain(c);
        lg_rh_explain(c);
        if (c->have_network && lg_explain_ifcfg(e, m, &c->network) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < c->mp.n; i++) {
                struct mp_entry *me = &c->mp.v[i];
                static const char *const kinds[] = { "alias", "options", "install", NULL };
                char what[256];
                if (me->kind == MP_OTHER)
                        snprintf(what, sizeof(what), "%s", me->text);
                else
                        snprintf(what, sizeof(what), "%s %s", kinds[me->kind], me->target);
                if (lg_explain_add(e, m, me->file, me->line, 0, what, me->fate) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < me->n_tok; k++) {
                        struct mp_token *t = &me->tok[k];
                        char key[256];
                        snprintf(key, sizeof(key), "%s %s %s", me->kind == MP_INSTALL ? "install" : "options",
                                 me->target, t->key);
                        if (lg_explain_add(e, m, me->file, t->line, t->col, key, t->fate) < 0)
                                return -ENOMEM;
                }
        }
        for (size_t i = 0; i < c->n_rc; i++) {
                struct rc_enslave *r = &c->rc[i];
                if (lg_explain_add(e, m, r->file, r->line, 0, "ifenslave", r->fate) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_files; i++)
                if (lg_explain_ifcfg(e, m, &c->files[i].cfg) < 0)
                        return -ENOMEM;
        return lg_explain_finish(c, e, m);
}

static void ctx_free(struct lg_ctx *c) {
        lg_rh_free(c);
        lg_rclocal_free(c);
        lg_modprobe_free(&c->mp);
        bg_ifcfg_free(&c->network);
        lg_ctx_close(c);
}

int bg_legacy_read(const char *root, struct bg_model *m, struct bg_diags *diags,
                   struct bg_explain *explain) {
        struct lg_ctx c;
        bool left_out = false;
        int r;

        if ((r = lg_ctx_open(&c, root, diags, explain)) < 0)
                return r;
        if ((r = read_network(&c)) < 0 || (r = lg_modprobe_read(&c)) < 0 ||
            (r = lg_rclocal_read(&c)) < 0 || (r = lg_rh_scan(&c)) < 0 || (r = lg_rh_assign(&c)) < 0)
                goto out;

        /* Each bond is built once, into the caller's model, and validated
         * there on its own (a model that is a view of that one bond), so
         * that validation problems are reported once and name that bond. A
         * bond with an error is bad and taken out again. */
        c.model = m;
        for (size_t i = 0; i < c.n_bonds; i++) {
                struct lg_bond *lb = &c.bonds[i];
                size_t before = bg_diags_count(diags, BG_DIAG_ERROR);

                if ((r = lg_build_bond(&c, lb, m)) < 0)
                        goto out;
                if (bg_diags_count(diags, BG_DIAG_ERROR) == before && !lb->bad) {
                        struct bg_model one = { .bonds = &m->bonds[m->n_bonds - 1], .n_bonds = 1 };
                        if ((r = bg_model_validate(&one, diags)) == -ENOMEM)
                                goto out;
                }
                if (bg_diags_count(diags, BG_DIAG_ERROR) > before || lb->bad) {
                        lb->bad = true;
                        left_out = true;
                        bg_model_drop_last_bond(m);
                }
        }
        if ((r = lg_rh_stack_build(&c, m)) < 0)
                goto out;
        for (size_t i = 0; i < c.n_bonds; i++)
                if (c.bonds[i].bad)
                        lg_diag(&c, BG_DIAG_ERROR,
                                c.bonds[i].file ? c.bonds[i].file->cfg.path : NULL, 0, 0,
                                c.bonds[i].name, "bond not converted because of the errors above");
        r = fill_explain(&c, m);
        if (r < 0)
                goto out;
        if (c.syserr)
                r = c.syserr;
        else if (left_out || bg_diags_has_errors(diags))
                r = -EINVAL;
out:
        ctx_free(&c);
        return r;
}
