/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which legacy sources a root holds (Red Hat network-scripts, Debian
 * ifupdown, SUSE wicked), reading several into one model, and the helpers
 * the Debian and SUSE readers share.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readers-int.h"

static bool is_kind(const char *root, const char *rel, mode_t kind) {
        char *p;
        struct stat st;
        bool r;

        if (asprintf(&p, "%s/%s", root, rel) < 0)
                return false;
        r = stat(p, &st) == 0 && (st.st_mode & S_IFMT) == kind;
        free(p);
        return r;
}

unsigned bg_legacy_detect(const char *root) {
        unsigned s = 0;

        if (!root || !*root)
                root = "/";
        if (is_kind(root, "etc/sysconfig/network-scripts", S_IFDIR))
                s |= BG_LEGACY_RH;
        if (is_kind(root, "etc/network/interfaces", S_IFREG))
                s |= BG_LEGACY_DEBIAN;
        if (is_kind(root, "etc/sysconfig/network", S_IFDIR))
                s |= BG_LEGACY_SUSE;
        return s ? s : BG_LEGACY_RH;
}

int bg_legacy_source_from_name(const char *name, unsigned *out) {
        static const struct { const char *name; unsigned v; } t[] = {
                { "rh", BG_LEGACY_RH }, { "debian", BG_LEGACY_DEBIAN }, { "suse", BG_LEGACY_SUSE },
        };
        for (size_t i = 0; name && i < sizeof(t) / sizeof(t[0]); i++)
                if (!strcmp(name, t[i].name)) {
                        *out = t[i].v;
                        return 0;
                }
        return -EINVAL;
}

int bg_legacy_read_sources(const char *root, unsigned sources, struct bg_model *m,
                           struct bg_diags *diags, struct bg_explain *explain) {
        static int (*const readers[])(const char *, struct bg_model *, struct bg_diags *,
                                      struct bg_explain *) = { bg_legacy_read, lg_debian_read, lg_suse_read };
        static const char *const names[] = { "Red Hat network-scripts", "Debian interfaces", "SUSE sysconfig" };
        int result = 0;

        if (!sources)
                sources = bg_legacy_detect(root);
        for (size_t i = 0; i < 3; i++) {
                size_t before = m->n_bonds;
                int r;

                if (!(sources & (1u << i)))
                        continue;
                r = readers[i](root, m, diags, explain);
                if (r < 0 && r != -EINVAL)
                        return r;
                if (r == -EINVAL)
                        result = -EINVAL;
                /* The same bond from two sources: the host had both sets
                 * of files; which one ran at boot is not in the tree. */
                for (size_t k = before; k < m->n_bonds; k++)
                        for (size_t j = 0; j < before; j++)
                                if (!strcmp(m->bonds[k].name, m->bonds[j].name)) {
                                        bg_diag_add(diags, BG_DIAG_ERROR, &m->bonds[k].loc, m->bonds[k].name,
                                                    "%s is also defined by %s:%u; choose one source with "
                                                    "--from (this one is %s)", m->bonds[k].name,
                                                    m->bonds[j].loc.file ? m->bonds[j].loc.file : "?",
                                                    m->bonds[j].loc.line, names[i]);
                                        result = -EINVAL;
                                }
        }
        return result;
}

int lg_ctx_open(struct lg_ctx *c, const char *root, struct bg_diags *diags, struct bg_explain *explain) {
        struct stat st;
        size_t len;

        *c = (struct lg_ctx) { .diags = diags, .explain = explain, .rootfd = -1 };
        if (!root || !*root)
                root = "/";
        len = strlen(root);
        while (len > 1 && root[len - 1] == '/')
                len--;
        if (len == 1 && root[0] == '/')
                len = 0;
        if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
                int r = stat(root, &st) < 0 ? -errno : -ENOTDIR;
                bg_diag_add(diags, BG_DIAG_ERROR, &(struct bg_loc) { root, 0, 0 }, NULL,
                            "root directory: %s", strerror(-r));
                return r;
        }
        /* Every read is resolved inside this directory (lg_read). */
        c->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
        if (c->rootfd < 0) {
                int r = -errno;
                bg_diag_add(diags, BG_DIAG_ERROR, &(struct bg_loc) { root, 0, 0 }, NULL,
                            "root directory: %s", strerror(-r));
                return r;
        }
        if (!(c->root = strndup(root, len))) {
                close(c->rootfd);
                c->rootfd = -1;
                return -ENOMEM;
        }
        return 0;
}

void lg_ctx_close(struct lg_ctx *c) {
        bg_explain_free(&c->extra);
        bg_model_free(&c->paths);
        free(c->root);
        bg_dircache_close(&c->dir);
        if (c->rootfd >= 0)
                close(c->rootfd);
        *c = (struct lg_ctx) {};
}

const char *lg_rel(const struct lg_ctx *c, const char *abs) {
        size_t n = strlen(c->root);

        if (strncmp(abs, c->root, n) || abs[n] != '/')
                return NULL;
        while (abs[n] == '/')
                n++;
        return abs + n;
}

int lg_opt_admit(struct lg_ctx *c, const char *key, const char *value, const char *file, unsigned line,
                 unsigned col, const char *keyname, char **fate, bool *bad, const struct bg_opt_info **out) {
        const struct bg_opt_info *o = bg_opt_lookup(key);
        struct bg_optval tmp = {};
        char err[512];
        int r;

        *out = o;
        if (!o) {
                char hint[64];

                lg_diag(c, BG_DIAG_ERROR, file, line, col, keyname, "unknown bonding option '%s'%s", key,
                        lg_opt_hint(key, hint, sizeof(hint)));
                if (!c->quiet)
                        lg_fate_append(fate, "error: unknown option %s", key);
                *bad = true;
                return -EINVAL;
        }
        if (!value || !*value) {
                lg_diag(c, BG_DIAG_ERROR, file, line, col, keyname, "'%s' has no value", key);
                if (!c->quiet)
                        lg_fate_append(fate, "error: %s without a value", key);
                *bad = true;
                return -EINVAL;
        }
        if (o->flags & BG_OF_MODULE_ONLY) {
                lg_diag(c, BG_DIAG_WARNING, file, line, col, keyname,
                        "%s is a module parameter, not a per-bond option; ignored", o->name);
                if (!c->quiet)
                        lg_fate_append(fate, "%s ignored: module parameter (warned)", o->name);
                return 0;
        }
        r = bg_opt_parse_value(o, value, &tmp, err, sizeof(err));
        bg_optval_clear(&tmp);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                lg_diag(c, BG_DIAG_ERROR, file, line, col, keyname, "%s", err);
                if (!c->quiet)
                        lg_fate_append(fate, "error: %s %s invalid", o->name, value);
                *bad = true;
                return -EINVAL;
        }
        return 1;
}

int lg_set_opt(struct lg_ctx *c, struct bg_bond *b, const char *key, const char *value,
               const char *file, unsigned line, unsigned col, const char *keyname, char **fate,
               bool *bad) {
        const struct bg_opt_info *o;
        int r = lg_opt_admit(c, key, value, file, line, col, keyname, fate, bad, &o);

        if (r <= 0)
                return r;
        if (!(o->flags & BG_OF_LIST))
                bg_optval_clear(&b->opts[o->id]);
        r = bg_bond_set_opt_text(b, o->id, value, &(struct bg_loc) { bg_model_intern(c->model, file), line, col },
                                 NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *bad = true;
                return -EINVAL;
        }
        lg_fate_opt_set(c, fate, b, o, value);
        return 0;
}

/* -EINVAL for text that is no address (callers checked the family). */
int lg_set_gateway(struct bg_ipcfg *ip, const char *text) {
        return bg_ipcfg_set_gateway(ip, text);
}

int lg_addr_family(const char *s) {
        unsigned char buf[16];

        if (inet_pton(AF_INET, s, buf) == 1)
                return AF_INET;
        if (inet_pton(AF_INET6, s, buf) == 1)
                return AF_INET6;
        return 0;
}

bool lg_in_prefix(const char *prefix, const char *gw) {
        uint8_t a[16], g[16];
        unsigned plen;
        int fam;

        if (bg_parse_prefix(prefix, &fam, a, &plen) < 0 || inet_pton(fam, gw, g) != 1)
                return false;
        for (unsigned i = 0; i < plen; i++)
                if ((a[i / 8] ^ g[i / 8]) & (0x80 >> (i % 8)))
                        return false;
        return true;
}
