/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fast scanners for the generator and the hotplug helper: just enough of
 * the legacy files and of the canonical YAML to know which bonds exist,
 * their backend and their ports. Full reading and validation belong to
 * src/legacy and src/yaml and run in bondgen-apply.service.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "boot.h"
#include "legacy/ifcfg.h"
#include "legacy/legacy.h"
#include "util/util.h"
#include "yaml/yaml.h"

#define MAX_CONFIG_FILE BG_YAML_MAX_SIZE

static long long budget_end_ms;   /* CLOCK_MONOTONIC; 0 = no budget */
static unsigned budget_skipped;    /* files skipped since it was spent */

static long long mono_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bg_boot_scan_set_budget_ms(unsigned ms) {
        budget_end_ms = ms ? mono_ms() + ms : 0;
        budget_skipped = 0;
}

/* True when the budget is spent; the first file skipped is named in a
 * warning (the rest follow it in name order and in the scan order). */
static bool over_budget(const char *path, struct bg_diags *diags) {
        if (!budget_end_ms || mono_ms() < budget_end_ms)
                return false;
        if (!budget_skipped++) {
                struct bg_loc loc = { path, 0, 0 };
                bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL,
                            "skipped, with every file read after it (the ifcfg files after it, "
                            "modprobe.d, /etc/bondgen, /run/bondgen): the time budget is spent");
        }
        return true;
}

const char *bg_boot_source_name(enum bg_boot_source s) {
        switch (s) {
        case BG_BOOT_SRC_YAML: return "yaml";
        case BG_BOOT_SRC_CMDLINE: return "cmdline";
        case BG_BOOT_SRC_LEGACY: return "legacy";
        default: return "none";
        }
}

void bg_boot_set_free(struct bg_boot_set *s) {
        for (size_t i = 0; i < s->n_bonds; i++) {
                struct bg_boot_bond *b = &s->bonds[i];
                for (size_t j = 0; j < b->n_ports; j++) {
                        free(b->ports[j].name);
                        free(b->ports[j].mac);
                }
                free(b->ports);
                free(b->name);
                free(b->options);
                free(b->source);
        }
        free(s->bonds);
        s->bonds = NULL;
        s->n_bonds = 0;
}

struct bg_boot_bond *bg_boot_set_find(const struct bg_boot_set *s, const char *name) {
        for (size_t i = 0; i < s->n_bonds; i++)
                if (!strcmp(s->bonds[i].name, name))
                        return &s->bonds[i];
        return NULL;
}

struct bg_boot_bond *bg_boot_set_add(struct bg_boot_set *s, const char *name) {
        struct bg_boot_bond *b = bg_boot_set_find(s, name), *v;

        if (b)
                return b;
        v = realloc(s->bonds, (s->n_bonds + 1) * sizeof(*v));
        if (!v)
                return NULL;
        s->bonds = v;
        b = &v[s->n_bonds];
        memset(b, 0, sizeof(*b));
        b->backend = BG_BACKEND_AUTO;
        b->name = strdup(name);
        if (!b->name)
                return NULL;
        s->n_bonds++;
        return b;
}

int bg_boot_bond_add_port(struct bg_boot_bond *b, const char *name, const char *mac) {
        struct bg_boot_port *v;

        for (size_t i = 0; i < b->n_ports; i++)
                if (name && b->ports[i].name && !strcmp(b->ports[i].name, name))
                        return 0;
        v = realloc(b->ports, (b->n_ports + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        b->ports = v;
        v[b->n_ports].name = name ? strdup(name) : NULL;
        v[b->n_ports].mac = NULL;
        if (mac) {
                v[b->n_ports].mac = strdup(mac);
                if (v[b->n_ports].mac)
                        for (char *c = v[b->n_ports].mac; *c; c++)
                                *c = (char) tolower((unsigned char) *c);
        }
        if ((name && !v[b->n_ports].name) || (mac && !v[b->n_ports].mac)) {
                free(v[b->n_ports].name);
                free(v[b->n_ports].mac);
                return -ENOMEM;
        }
        b->n_ports++;
        return 0;
}

char *bg_boot_path(const char *root, const char *rel) {
        size_t rl;
        char *p;

        if (!root || !*root)
                root = "/";
        rl = strlen(root);
        while (rl > 1 && root[rl - 1] == '/')
                rl--;
        while (*rel == '/')
                rel++;
        if (asprintf(&p, "%.*s/%s", (int) (rl == 1 && root[0] == '/' ? 0 : rl), root, rel) < 0)
                return NULL;
        return p;
}

/* --- legacy files --- */

static bool ifcfg_name_skipped(const char *n) {
        /* The converter's own rule for backups (initscripts' and NetworkManager's),
         * plus what cannot declare a bond: lo, alias and -range files. */
        return !strcmp(n, "ifcfg-lo") || strchr(n, ':') || strchr(n, ';') || strlen(n) <= 6 ||
               strstr(n, "-range") || bg_legacy_ifcfg_backup_name(n);
}

/* The converter's lexer and bond rule, so that the generator decides
 * exactly as `bondgen convert` later reads the same file. */
static int scan_ifcfg(const char *path, const char *suffix, struct bg_boot_set *s,
                      bool *found, struct bg_diags *diags) {
        _cleanup_free_ char *data = NULL;
        struct bg_ifcfg f = {};
        const char *device, *master, *hwaddr;
        size_t len;
        int r;

        r = bg_read_file(path, MAX_CONFIG_FILE, &data, &len);
        if (r < 0) {
                struct bg_loc loc = { path, 0, 0 };
                bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL, "cannot read: %s", strerror(-r));
                return r == -ENOMEM ? r : 0;
        }
        /* Lexing problems are reported by bondgen-apply's conversion. */
        r = bg_ifcfg_parse(&f, path, data, len);
        if (r < 0)
                goto out;
        device = bg_ifcfg_get(&f, "DEVICE");
        master = bg_ifcfg_get(&f, "MASTER");
        hwaddr = bg_ifcfg_get(&f, "HWADDR");
        device = device && *device ? device : NULL;
        master = master && *master ? master : NULL;
        hwaddr = hwaddr && *hwaddr ? hwaddr : NULL;

        const char *name = device ? device : suffix;
        bool is_bond = bg_legacy_ifcfg_declares_bond(&f);
        if (is_bond) {
                *found = true;
                if (!bg_boot_set_add(s, name)) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        /* initscripts wants SLAVE=yes too, NetworkManager does not: any
         * MASTER= marks legacy bonding configuration. */
        if (master && !is_bond) {
                struct bg_boot_bond *b;
                *found = true;
                b = bg_boot_set_add(s, master);
                if (!b) {
                        r = -ENOMEM;
                        goto out;
                }
                /* Without DEVICE the name is a guess; HWADDR is the match. */
                r = bg_boot_bond_add_port(b, device || !hwaddr ? name : NULL, hwaddr);
        }
out:
        bg_ifcfg_free(&f);
        return r < 0 ? r : 0;
}

static int scan_modprobe_file(const char *path, struct bg_boot_set *s, bool *found,
                              struct bg_diags *diags) {
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        r = bg_read_file(path, MAX_CONFIG_FILE, &data, &len);
        if (r < 0) {
                struct bg_loc loc = { path, 0, 0 };
                if (r == -ENOENT)
                        return 0;
                bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL, "cannot read: %s", strerror(-r));
                return r == -ENOMEM ? r : 0;
        }
        for (char *line = data, *next; line; line = next) {
                char *w[64] = { 0 }, *save = NULL;
                size_t n = 0;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char *hash = strchr(line, '#');
                if (hash)
                        *hash = 0;
                for (char *t = strtok_r(line, " \t\r", &save); t && n < BG_ARRAY_SIZE(w);
                     t = strtok_r(NULL, " \t\r", &save))
                        w[n++] = t;
                if (n < 3)
                        continue;
                /* "alias bond0 bonding"; "install bond1 /sbin/modprobe
                 * --ignore-install bonding -o bond1 ..." (RHEL5). */
                bool bond = false;
                if (!strcmp(w[0], "alias"))
                        bond = !strcmp(w[2], "bonding");
                else if (!strcmp(w[0], "install"))
                        for (size_t i = 2; i < n; i++)
                                bond = bond || !strcmp(w[i], "bonding");
                if (bond && strcmp(w[1], "bonding")) {
                        *found = true;
                        if (!bg_boot_set_add(s, w[1]))
                                return -ENOMEM;
                }
        }
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorted names in dir accepted by keep(); *names NULL if dir is missing. */
static int list_dir(const char *dir, bool (*keep)(const char *), char ***names, size_t *n) {
        DIR *d = opendir(dir);
        struct dirent *de;
        char **v = NULL;
        size_t c = 0;

        *names = NULL;
        *n = 0;
        if (!d)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        while ((de = readdir(d))) {
                if (!keep(de->d_name))
                        continue;
                char **nv = realloc(v, (c + 1) * sizeof(*v));
                if (!nv)
                        goto oom;
                v = nv;
                v[c] = strdup(de->d_name);
                if (!v[c])
                        goto oom;
                c++;
        }
        closedir(d);
        if (c > 1)
                qsort(v, c, sizeof(*v), cmp_str);
        *names = v;
        *n = c;
        return 0;
oom:
        closedir(d);
        for (size_t i = 0; i < c; i++)
                free(v[i]);
        free(v);
        return -ENOMEM;
}

static void free_list(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static bool keep_ifcfg(const char *n) {
        return !strncmp(n, "ifcfg-", 6) && !ifcfg_name_skipped(n);
}

static bool ends_with(const char *n, const char *suffix) {
        size_t l = strlen(n), sl = strlen(suffix);
        return l > sl && !strcmp(n + l - sl, suffix);
}

static bool keep_conf(const char *n) {
        return n[0] != '.' && ends_with(n, ".conf");
}

static bool keep_yaml(const char *n) {
        return n[0] != '.' && ends_with(n, ".yaml");
}

int bg_boot_scan_legacy(const char *root, struct bg_boot_set *s, bool *found,
                        struct bg_diags *diags) {
        _cleanup_free_ char *nsdir = bg_boot_path(root, "etc/sysconfig/network-scripts");
        _cleanup_free_ char *mpconf = bg_boot_path(root, "etc/modprobe.conf");
        _cleanup_free_ char *mpdir = bg_boot_path(root, "etc/modprobe.d");
        char **names;
        size_t n;
        int r;

        *found = false;
        if (!nsdir || !mpconf || !mpdir)
                return -ENOMEM;

        r = list_dir(nsdir, keep_ifcfg, &names, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                struct bg_loc loc = { nsdir, 0, 0 };
                bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL, "cannot list: %s", strerror(-r));
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", nsdir, names[i]) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (over_budget(p, diags))
                        continue;
                r = scan_ifcfg(p, names[i] + 6, s, found, diags);
        }
        free_list(names, n);
        if (r == -ENOMEM)
                return r;

        r = scan_modprobe_file(mpconf, s, found, diags);
        if (r < 0)
                return r;
        r = list_dir(mpdir, keep_conf, &names, &n);
        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", mpdir, names[i]) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (over_budget(p, diags))
                        continue;
                r = scan_modprobe_file(p, s, found, diags);
        }
        free_list(names, n);
        return r == -ENOMEM ? r : 0;
}

/* --- canonical YAML, with libyaml's event parser --- */

struct yscan {
        yaml_parser_t parser;
        const char *fname;
        struct bg_diags *diags;
        unsigned depth;
        bool failed;
};

/* Next event; on a parser error or nesting deeper than the loader allows
 * (libyaml's cost grows with depth; validate refuses it too) records it
 * and returns false. */
static bool ynext(struct yscan *y, yaml_event_t *ev) {
        if (yaml_parser_parse(&y->parser, ev)) {
                if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
                        if (++y->depth > BG_YAML_MAX_DEPTH) {
                                struct bg_loc loc = { y->fname, (unsigned) ev->start_mark.line + 1,
                                                      (unsigned) ev->start_mark.column + 1 };
                                bg_diag_add(y->diags, BG_DIAG_ERROR, &loc, NULL,
                                            "nesting too deep (more than %u levels)", BG_YAML_MAX_DEPTH);
                                yaml_event_delete(ev);
                                y->failed = true;
                                return false;
                        }
                } else if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT)
                        y->depth--;
                return true;
        }
        struct bg_loc loc = { y->fname, (unsigned) y->parser.problem_mark.line + 1,
                              (unsigned) y->parser.problem_mark.column + 1 };
        bg_diag_add(y->diags, BG_DIAG_ERROR, &loc, NULL, "YAML syntax: %s",
                    y->parser.problem ? y->parser.problem : "parse error");
        y->failed = true;
        return false;
}

/* Skip the node whose first event is ev (already consumed). */
static bool yskip(struct yscan *y, const yaml_event_t *first) {
        int depth = 0;
        yaml_event_t ev;

        if (first->type != YAML_SEQUENCE_START_EVENT && first->type != YAML_MAPPING_START_EVENT)
                return true;
        depth = 1;
        while (depth > 0) {
                if (!ynext(y, &ev))
                        return false;
                if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
                        depth++;
                else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
                        depth--;
                else if (ev.type == YAML_STREAM_END_EVENT)
                        depth = 0;
                yaml_event_delete(&ev);
        }
        return true;
}

static char *yscalar(const yaml_event_t *ev) {
        if (ev->type != YAML_SCALAR_EVENT)
                return NULL;
        return strndup((const char *) ev->data.scalar.value, ev->data.scalar.length);
}

/* Calls item() for each mapping in the sequence that starts now. */
static bool yseq_of_maps(struct yscan *y, bool (*item)(struct yscan *, void *), void *ud) {
        yaml_event_t ev;
        bool ok = true;

        if (!ynext(y, &ev))
                return false;
        if (ev.type != YAML_SEQUENCE_START_EVENT) {
                ok = yskip(y, &ev);
                yaml_event_delete(&ev);
                return ok;
        }
        yaml_event_delete(&ev);
        for (;;) {
                if (!ynext(y, &ev))
                        return false;
                if (ev.type == YAML_SEQUENCE_END_EVENT) {
                        yaml_event_delete(&ev);
                        return true;
                }
                if (ev.type == YAML_MAPPING_START_EVENT) {
                        yaml_event_delete(&ev);
                        if (!item(y, ud))
                                return false;
                } else {
                        ok = yskip(y, &ev);
                        yaml_event_delete(&ev);
                        if (!ok)
                                return false;
                }
        }
}

/* Mapping body: for each key, handle(key) consumes the value. */
static bool ymap(struct yscan *y, bool (*handle)(struct yscan *, const char *, void *), void *ud) {
        yaml_event_t ev;

        for (;;) {
                if (!ynext(y, &ev))
                        return false;
                if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_STREAM_END_EVENT) {
                        yaml_event_delete(&ev);
                        return true;
                }
                _cleanup_free_ char *key = yscalar(&ev);
                bool ok = key ? true : yskip(y, &ev);
                yaml_event_delete(&ev);
                if (!ok)
                        return false;
                if (!key) {
                        /* Complex key: skip its value too. */
                        if (!ynext(y, &ev))
                                return false;
                        ok = yskip(y, &ev);
                        yaml_event_delete(&ev);
                        if (!ok)
                                return false;
                        continue;
                }
                if (!handle(y, key, ud))
                        return false;
        }
}

/* Value as a scalar (malloc'd) or NULL when it is a collection (skipped). */
static bool yvalue_scalar(struct yscan *y, char **out) {
        yaml_event_t ev;
        bool ok = true;

        *out = NULL;
        if (!ynext(y, &ev))
                return false;
        if (ev.type == YAML_SCALAR_EVENT)
                *out = yscalar(&ev);
        else
                ok = yskip(y, &ev);
        yaml_event_delete(&ev);
        return ok;
}

struct yport { char *name, *mac; };

static bool port_key(struct yscan *y, const char *key, void *ud) {
        struct yport *p = ud;
        char *v;

        if (!yvalue_scalar(y, &v))
                return false;
        if (!strcmp(key, "name")) {
                free(p->name);
                p->name = v;
        } else if (!strcmp(key, "mac")) {
                free(p->mac);
                p->mac = v;
        } else
                free(v);
        return true;
}

struct ybond {
        char *name, *backend;
        struct bg_boot_bond tmp;   /* ports collected before we know the name */
};

static bool port_item(struct yscan *y, void *ud) {
        struct ybond *b = ud;
        struct yport p = { 0 };
        bool ok = ymap(y, port_key, &p);

        if (ok && (p.name || p.mac) && bg_boot_bond_add_port(&b->tmp, p.name, p.mac) < 0)
                ok = false;
        free(p.name);
        free(p.mac);
        return ok;
}

static bool bond_key(struct yscan *y, const char *key, void *ud) {
        struct ybond *b = ud;
        char *v;

        if (!strcmp(key, "ports"))
                return yseq_of_maps(y, port_item, b);
        if (!yvalue_scalar(y, &v))
                return false;
        if (!strcmp(key, "name")) {
                free(b->name);
                b->name = v;
        } else if (!strcmp(key, "backend")) {
                free(b->backend);
                b->backend = v;
        } else
                free(v);
        return true;
}

struct ytop { struct bg_boot_set *set; };

static bool bond_item(struct yscan *y, void *ud) {
        struct ytop *t = ud;
        struct ybond b = { 0 };
        bool ok = ymap(y, bond_key, &b);

        if (ok && b.name && *b.name) {
                struct bg_boot_bond *sb = bg_boot_set_add(t->set, b.name);
                if (!sb)
                        ok = false;
                else {
                        enum bg_backend be = BG_BACKEND_AUTO;
                        if (b.backend && !strcmp(b.backend, "userspace"))
                                be = BG_BACKEND_USERSPACE;
                        else if (b.backend && !strcmp(b.backend, "kernel"))
                                be = BG_BACKEND_KERNEL;
                        sb->backend = be;
                        if (!sb->source) {
                                const char *slash = strrchr(y->fname, '/');
                                sb->source = strdup(slash ? slash + 1 : y->fname);
                                ok = sb->source != NULL;
                        }
                        for (size_t i = 0; ok && i < b.tmp.n_ports; i++)
                                ok = bg_boot_bond_add_port(sb, b.tmp.ports[i].name,
                                                           b.tmp.ports[i].mac) >= 0;
                }
        }
        free(b.name);
        free(b.backend);
        for (size_t i = 0; i < b.tmp.n_ports; i++) {
                free(b.tmp.ports[i].name);
                free(b.tmp.ports[i].mac);
        }
        free(b.tmp.ports);
        return ok;
}

static bool top_key(struct yscan *y, const char *key, void *ud) {
        yaml_event_t ev;
        bool ok;

        if (!strcmp(key, "bonds"))
                return yseq_of_maps(y, bond_item, ud);
        if (!ynext(y, &ev))
                return false;
        ok = yskip(y, &ev);
        yaml_event_delete(&ev);
        return ok;
}

int bg_boot_scan_yaml_data(const char *data, size_t len, const char *fname,
                           struct bg_boot_set *s, struct bg_diags *diags) {
        struct yscan y = { .fname = fname, .diags = diags };
        struct ytop t = { s };
        yaml_event_t ev;
        bool ok = true;

        if (!yaml_parser_initialize(&y.parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&y.parser, (const unsigned char *) data, len);
        /* stream start, document start, then the root node */
        while (ok && ynext(&y, &ev)) {
                yaml_event_type_t type = ev.type;
                if (type == YAML_MAPPING_START_EVENT) {
                        yaml_event_delete(&ev);
                        ok = ymap(&y, top_key, &t);
                        continue;
                }
                ok = yskip(&y, &ev);
                yaml_event_delete(&ev);
                if (type == YAML_STREAM_END_EVENT)
                        break;
        }
        yaml_parser_delete(&y.parser);
        if (y.failed)
                return -EINVAL;
        return ok ? 0 : -ENOMEM;
}

int bg_boot_scan_yaml_dir(const char *dir, struct bg_boot_set *s, unsigned *n_files,
                          struct bg_diags *diags) {
        char **names;
        size_t n;
        int r, ret = 0;

        *n_files = 0;
        r = list_dir(dir, keep_yaml, &names, &n);
        if (r < 0) {
                struct bg_loc loc = { dir, 0, 0 };
                if (r == -ENOMEM)
                        return r;
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "cannot list: %s", strerror(-r));
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL, *data = NULL;
                size_t len;
                if (asprintf(&p, "%s/%s", dir, names[i]) < 0) {
                        ret = -ENOMEM;
                        break;
                }
                (*n_files)++;
                if (over_budget(p, diags))
                        continue;
                r = bg_read_file(p, MAX_CONFIG_FILE, &data, &len);
                if (r < 0) {
                        struct bg_loc loc = { p, 0, 0 };
                        bg_diag_add(diags, BG_DIAG_ERROR, &loc, NULL, "cannot read: %s",
                                    strerror(-r));
                        ret = r == -ENOMEM ? r : -EINVAL;
                        if (r == -ENOMEM)
                                break;
                        continue;
                }
                r = bg_boot_scan_yaml_data(data, len, p, s, diags);
                if (r == -ENOMEM) {
                        ret = r;
                        break;
                }
                if (r < 0)
                        ret = r;
        }
        free_list(names, n);
        return ret;
}
