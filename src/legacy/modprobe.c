/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe configuration: etc/modprobe.conf (module-init-tools; read first,
 * as if it sorted before everything else) then etc/modprobe.d/ *.conf in
 * file-name order (kmod, modprobe.d(5)).
 * One command per line, '#' starts a comment line, a trailing '\' joins
 * the next line, '-' and '_' are the same in module and alias names.
 * What concerns bonding:
 *   alias bondN bonding                  makes bondN a bond
 *   options bonding k=v ...              module-wide defaults (every bond)
 *   options bondN k=v ...                used when loaded through the alias
 *   install bondN ... modprobe ... bonding -o bondN k=v ...   RHEL5 way to
 *                                        get a second bond with its own options
 * Option tokens are checked here once against the catalogue (errors are
 * reported once, with file:line:col); rh-bond.c applies the good ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy-int.h"
#include "model/catalog.h"
#include "util/array.h"

static void underscores(char *s) {
        for (; *s; s++)
                if (*s == '-')
                        *s = '_';
}

static int add_entry(struct mp_conf *mp, struct mp_entry **out) {
        if (BG_RESERVE(mp->v, mp->cap, mp->n + 1) < 0)
                return -ENOMEM;
        *out = &mp->v[mp->n++];
        **out = (struct mp_entry) {};
        return 0;
}

/* Where each physical line of a '\'-continued command starts in the
 * joined text, to report tokens at their real line and column. */
struct lmap {
        unsigned first;          /* line number of the first physical line */
        size_t n;
        size_t off[64];          /* offset of each physical line in the joined text */
        size_t shift;            /* offset of the parsed text in the joined text */
};

static void position(const struct lmap *map, unsigned col, unsigned *line, unsigned *pcol) {
        size_t o = map->shift + col - 1, i = 0;

        while (i + 1 < map->n && map->off[i + 1] <= o)
                i++;
        *line = map->first + (unsigned)i;
        *pcol = (unsigned)(o - map->off[i]) + 1;
}

static int add_token(struct mp_entry *e, const char *word, unsigned col, const struct lmap *map) {
        struct mp_token *t = BG_NEW_SLOT(e->tok, e->n_tok);
        const char *eq = strchr(word, '=');

        if (!t)
                return -ENOMEM;
        position(map, col, &t->line, &t->col);
        t->key = eq ? strndup(word, (size_t)(eq - word)) : strdup(word);
        if (eq) {
                size_t vl = strlen(eq + 1);
                /* kmod accepts k="v"; the quotes are not part of the value */
                if (vl >= 2 && eq[1] == '"' && eq[vl] == '"')
                        t->value = strndup(eq + 2, vl - 2);
                else
                        t->value = strdup(eq + 1);
        }
        if (!t->key || (eq && !t->value)) {
                free(t->key);
                free(t->value);
                return -ENOMEM;
        }
        e->n_tok++;
        return 0;
}

struct word {
        const char *s;
        unsigned col;
};

/* Words of a command; s is modified (NULs inserted). */
static size_t split_words(char *s, struct word *w, size_t max) {
        size_t n = 0;
        char *p = s;

        while (*p && n < max) {
                while (*p == ' ' || *p == '\t' || *p == '\r')
                        p++;
                if (!*p)
                        break;
                w[n].s = p;
                w[n].col = (unsigned)(p - s) + 1;
                n++;
                while (*p && *p != ' ' && *p != '\t' && *p != '\r')
                        p++;
                if (*p)
                        *p++ = 0;
        }
        return n;
}

static const char *base_name(const char *s) {
        const char *b = strrchr(s, '/');
        return b ? b + 1 : s;
}

/* install NAME CMD...: find "modprobe [opts] bonding [k=v ...]" in CMD. */
static int parse_install(struct lg_ctx *c, struct mp_entry *e, struct word *w, size_t n,
                         const struct lmap *map) {
        size_t i = 2;
        bool in_modprobe = false;

        for (; i < n; i++) {
                const char *s = w[i].s;

                if (!in_modprobe) {
                        if (!strcmp(base_name(s), "modprobe"))
                                in_modprobe = true;
                        continue;
                }
                if (!strcmp(s, ";") || !strcmp(s, "&&") || !strcmp(s, "||") || !strcmp(s, "|")) {
                        in_modprobe = false;
                        continue;
                }
                if (!strcmp(s, "-o") || !strcmp(s, "--name")) {
                        i++;
                        continue;
                }
                if (s[0] == '-')
                        continue;
                if (!e->bonding) {
                        char m[64];
                        snprintf(m, sizeof(m), "%s", s);
                        underscores(m);
                        if (!strcmp(m, "bonding"))
                                e->bonding = true;
                        else
                                in_modprobe = false;
                        continue;
                }
                if (!strcmp(s, "$CMDLINE_OPTS"))
                        continue;
                if (add_token(e, s, w[i].col, map) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int parse_line(struct lg_ctx *c, const char *file, unsigned line, char *text,
                      const struct lmap *map) {
        struct word w[256];
        struct mp_entry *e;
        char *copy = strdup(text);
        size_t n;
        int r;

        if (!copy)
                return -ENOMEM;
        n = split_words(copy, w, sizeof(w) / sizeof(w[0]));
        if (n == 0) {
                free(copy);
                return 0;
        }
        if ((r = add_entry(&c->mp, &e)) < 0) {
                free(copy);
                return r;
        }
        e->file = file;
        e->line = line;
        e->kind = MP_OTHER;
        e->text = strdup(text);
        if (n >= 2)
                e->target = strdup(w[1].s);
        if (!e->text || (n >= 2 && !e->target)) {
                free(copy);
                return -ENOMEM;
        }
        if (e->target)
                underscores(e->target);

        if (!strcmp(w[0].s, "alias") && n >= 3) {
                e->kind = MP_ALIAS;
                if (!(e->module = strdup(w[2].s))) {
                        free(copy);
                        return -ENOMEM;
                }
                underscores(e->module);
                e->bonding = !strcmp(e->module, "bonding");
        } else if (!strcmp(w[0].s, "options") && n >= 2) {
                e->kind = MP_OPTIONS;
                for (size_t i = 2; i < n; i++) {
                        /* `options bond0 -o bond0 mode=...` (bonding.rst, "Configuration
                         * with Initscripts Support" on old modutils): "-o NAME" is a
                         * modprobe option loading the module once more under NAME, so
                         * each bond gets its own instance with these parameters. It is
                         * not a bonding parameter. */
                        if ((!strcmp(w[i].s, "-o") || !strcmp(w[i].s, "--name")) && i + 1 < n) {
                                free(e->instance);
                                if (!(e->instance = strdup(w[++i].s))) {
                                        free(copy);
                                        return -ENOMEM;
                                }
                                continue;
                        }
                        if (add_token(e, w[i].s, w[i].col, map) < 0) {
                                free(copy);
                                return -ENOMEM;
                        }
                }
        } else if (!strcmp(w[0].s, "install") && n >= 3) {
                e->kind = MP_INSTALL;
                if (parse_install(c, e, w, n, map) < 0) {
                        free(copy);
                        return -ENOMEM;
                }
        } else if (e->target && !strcmp(e->target, "bonding") &&
                   (!strcmp(w[0].s, "blacklist") || !strcmp(w[0].s, "remove"))) {
                e->bonding = true;
                lg_diag(c, BG_DIAG_WARNING, file, line, 1, w[0].s,
                        "'%s bonding' is not converted; the bonds are still created", w[0].s);
                lg_fate(&e->fate, "ignored: not converted (warned)");
        }
        free(copy);
        return 0;
}

static int read_one(struct lg_ctx *c, const char *rel) {
        const char *shown;
        char *data, *p, *logical = NULL;
        size_t len, llen = 0;
        unsigned line = 1;
        struct lmap map = {};
        int r = lg_read(c, rel, &data, &len, &shown);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (memchr(data, 0, len)) {
                lg_diag(c, BG_DIAG_ERROR, shown, 0, 0, NULL,
                        "the file contains NUL bytes (binary data?); it is not read");
                free(data);
                return 0;
        }
        for (p = data; *p; line++) {
                char *eol = strchr(p, '\n');
                size_t l = eol ? (size_t)(eol - p) : strlen(p);
                bool cont;
                char *nl;

                if (l && p[l - 1] == '\r')
                        l--;
                cont = l && p[l - 1] == '\\';
                if (!logical) {
                        map = (struct lmap) { .first = line };
                }
                if (map.n < sizeof(map.off) / sizeof(map.off[0]))
                        map.off[map.n++] = llen;
                nl = realloc(logical, llen + l + 2);
                if (!nl) {
                        free(logical);
                        free(data);
                        return -ENOMEM;
                }
                logical = nl;
                memcpy(logical + llen, p, cont ? l - 1 : l);
                llen += cont ? l - 1 : l;
                logical[llen] = 0;
                p = eol ? eol + 1 : p + strlen(p);
                if (cont && *p) {
                        /* the joining blank stands for the newline */
                        logical[llen++] = ' ';
                        logical[llen] = 0;
                        continue;
                }
                {
                        char *s = logical;
                        while (*s == ' ' || *s == '\t')
                                s++;
                        map.shift = (size_t)(s - logical);
                        if (*s && *s != '#' && (r = parse_line(c, shown, map.first, s, &map)) < 0) {
                                free(logical);
                                free(data);
                                return r;
                        }
                }
                free(logical);
                logical = NULL;
                llen = 0;
        }
        free(logical);
        free(data);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is name a bonding device according to the aliases and install lines? */
bool lg_modprobe_is_bond(const struct lg_ctx *c, const char *name) {
        char n[64];

        snprintf(n, sizeof(n), "%s", name);
        underscores(n);
        for (size_t i = 0; i < c->mp.n; i++) {
                const struct mp_entry *e = &c->mp.v[i];
                if (e->kind == MP_ALIAS && e->bonding && !fnmatch(e->target, n, 0))
                        return true;
                if (e->kind == MP_INSTALL && e->bonding && !strcmp(e->target, n))
                        return true;
        }
        return false;
}

bool lg_modprobe_mentions(const struct lg_ctx *c, const char *name) {
        char n[64];

        snprintf(n, sizeof(n), "%s", name);
        underscores(n);
        for (size_t i = 0; i < c->mp.n; i++)
                if (c->mp.v[i].target && !strcmp(c->mp.v[i].target, n) && c->mp.v[i].kind != MP_OTHER)
                        return true;
        return false;
}

/* Check every option token of a bonding options/install line once. */
static void check_tokens(struct lg_ctx *c, struct mp_entry *e) {
        for (size_t k = 0; k < e->n_tok; k++) {
                struct mp_token *t = &e->tok[k];
                const struct bg_opt_info *o = bg_opt_lookup(t->key);
                struct bg_optval v = {};
                char err[256];

                if (!o) {
                        char hint[64];

                        lg_diag(c, BG_DIAG_ERROR, e->file, t->line, t->col, t->key,
                                "unknown bonding module parameter%s", lg_opt_hint(t->key, hint, sizeof(hint)));
                        lg_fate(&t->fate, "error: unknown bonding option");
                } else if (!t->value) {
                        lg_diag(c, BG_DIAG_ERROR, e->file, t->line, t->col, t->key,
                                "module parameter without a value (write %s=VALUE)", t->key);
                        lg_fate(&t->fate, "error: no value");
                } else if (!(o->flags & BG_OF_MODULE_PARAM)) {
                        lg_diag(c, BG_DIAG_WARNING, e->file, t->line, t->col, t->key,
                                "not a parameter of the bonding module; the kernel ignores it at "
                                "load time, so it is not converted (set it in BONDING_OPTS)");
                        lg_fate(&t->fate, "ignored: not a module parameter (warned)");
                } else if (o->flags & BG_OF_MODULE_ONLY) {
                        lg_fate(&t->fate, "ignored: module-wide parameter, not a per-bond option");
                } else if (bg_opt_parse_value(o, t->value, &v, err, sizeof(err)) < 0) {
                        lg_diag(c, BG_DIAG_ERROR, e->file, t->line, t->col, t->key,
                                "%s (the bonding module would refuse to load)", err);
                        lg_fate(&t->fate, "error: invalid value");
                }
                bg_optval_clear(&v);
        }
}

int lg_modprobe_read(struct lg_ctx *c) {
        char *dir = lg_path(c, "etc/modprobe.d");
        char **names = NULL;
        size_t n = 0;
        DIR *d;
        int r;

        if (!dir)
                return -ENOMEM;
        if ((r = read_one(c, "etc/modprobe.conf")) < 0)
                goto out;
        d = lg_opendir(c, "etc/modprobe.d");
        if (!d && errno != ENOENT && errno != ENOTDIR) {
                int e = -errno;
                lg_diag(c, BG_DIAG_ERROR, lg_intern(c, dir), 0, 0, NULL, "cannot read: %s",
                        bg_read_strerror(e));
                lg_note_errno(c, e);
        }
        if (d) {
                struct dirent *de;
                while ((de = readdir(d))) {
                        size_t l = strlen(de->d_name);
                        if (l < 6 || strcmp(de->d_name + l - 5, ".conf") || de->d_name[0] == '.')
                                continue;
                        if (BG_APPEND_STRDUP(names, n, de->d_name) < 0) {
                                closedir(d);
                                r = -ENOMEM;
                                goto out;
                        }
                }
                closedir(d);
                if (n > 1)
                        qsort(names, n, sizeof(*names), cmp_str);
                for (size_t i = 0; i < n; i++) {
                        char rel[512];
                        snprintf(rel, sizeof(rel), "etc/modprobe.d/%s", names[i]);
                        if ((r = read_one(c, rel)) < 0)
                                goto out;
                }
        }
        /* options NAME concerns bonding when NAME is the module or a name that
         * resolves to it. */
        for (size_t i = 0; i < c->mp.n; i++) {
                struct mp_entry *e = &c->mp.v[i];
                if (e->kind == MP_OPTIONS)
                        e->bonding = !strcmp(e->target, "bonding") || lg_modprobe_is_bond(c, e->target);
                if ((e->kind == MP_OPTIONS || e->kind == MP_INSTALL) && e->bonding)
                        check_tokens(c, e);
                if (e->kind == MP_INSTALL && !e->bonding && !strncmp(e->target, "bond", 4))
                        lg_diag(c, BG_DIAG_WARNING, e->file, e->line, 0, "install",
                                "install command for %s does not load the bonding module in a way "
                                "bondgen understands; ignored", e->target);
        }
        r = 0;
out:
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        free(dir);
        return r;
}

void lg_modprobe_explain(struct lg_ctx *c) {
        for (size_t i = 0; i < c->mp.n; i++) {
                struct mp_entry *e = &c->mp.v[i];
                if (e->fate)
                        continue;
                if (!e->bonding)
                        lg_fate(&e->fate, "ignored: does not concern bonding");
                else if (e->kind == MP_ALIAS)
                        lg_fate(&e->fate, "used: names matching '%s' are bonds", e->target);
                else if (e->kind == MP_INSTALL)
                        lg_fate(&e->fate, "used: %s is a bond with the options of this line", e->target);
                else if (!strcmp(e->target, "bonding"))
                        lg_fate(&e->fate, "used: module-wide defaults for every bond");
                else if (e->instance)
                        lg_fate(&e->fate, "used: options for %s, loaded as its own module instance (-o %s)",
                                e->target, e->instance);
                else
                        lg_fate(&e->fate, "used: options for %s", e->target);
                for (size_t k = 0; k < e->n_tok; k++)
                        if (!e->tok[k].fate)
                                lg_fate(&e->tok[k].fate, e->bonding ? "ignored: no bond uses it"
                                                                    : "ignored: does not concern bonding");
        }
}

void lg_modprobe_free(struct mp_conf *mp) {
        for (size_t i = 0; i < mp->n; i++) {
                struct mp_entry *e = &mp->v[i];
                for (size_t k = 0; k < e->n_tok; k++) {
                        free(e->tok[k].key);
                        free(e->tok[k].value);
                        free(e->tok[k].fate);
                }
                free(e->tok);
                free(e->instance);
                free(e->target);
                free(e->module);
                free(e->text);
                free(e->fate);
        }
        free(mp->v);
        *mp = (struct mp_conf) {};
}
