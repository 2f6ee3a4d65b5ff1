/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the generator and the hotplug helper read: the canonical YAML
 * through the one model loader (yaml/, with its size, depth and length
 * limits), and a fast scan of the legacy files (the converter's own ifcfg
 * lexer and bond rule) for which bonds exist and their ports. Converting
 * the legacy files and validating the model run later, in
 * bondgen-apply.service.
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

#include "boot.h"
#include "legacy/ifcfg.h"
#include "legacy/legacy.h"
#include "util/util.h"
#include "yaml/yaml.h"
#include "util/array.h"

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

void bg_boot_scan_budget_from_env(const char *var, unsigned dflt) {
        const char *e = getenv(var);
        unsigned ms = dflt;

        if (e && *e) {
                char *end;
                unsigned long t = strtoul(e, &end, 10);
                if (!*end && t <= 600000)
                        ms = (unsigned) t;
        }
        bg_boot_scan_set_budget_ms(ms);
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
        s->n_bonds = s->bonds_cap = 0;
        bg_nameidx_free(&s->idx);
        for (size_t i = 0; i < s->n_lower; i++)
                free(s->lower[i]);
        free(s->lower);
        s->lower = NULL;
        s->n_lower = 0;
        for (size_t i = 0; i < s->n_stacked; i++)
                free(s->stacked[i]);
        free(s->stacked);
        s->stacked = NULL;
        s->n_stacked = 0;
}

struct bg_boot_bond *bg_boot_set_find(const struct bg_boot_set *s, const char *name) {
        size_t i;

        return bg_nameidx_get(&s->idx, name, &i) ? &s->bonds[i] : NULL;
}

struct bg_boot_bond *bg_boot_set_add(struct bg_boot_set *s, const char *name) {
        struct bg_boot_bond *b = bg_boot_set_find(s, name);

        if (b)
                return b;
        if (BG_RESERVE(s->bonds, s->bonds_cap, s->n_bonds + 1) < 0)
                return NULL;
        b = &s->bonds[s->n_bonds];
        memset(b, 0, sizeof(*b));
        b->backend = BG_BACKEND_AUTO;
        b->name = strdup(name);
        if (!b->name || bg_nameidx_put(&s->idx, b->name, s->n_bonds) < 0) {
                free(b->name);
                return NULL;
        }
        s->n_bonds++;
        return b;
}

int bg_boot_bond_add_port(struct bg_boot_bond *b, const char *name, const char *mac) {
        struct bg_boot_port *v;

        for (size_t i = 0; i < b->n_ports; i++)
                if (name && b->ports[i].name && !strcmp(b->ports[i].name, name))
                        return 0;
        if (!(v = BG_NEW_SLOT(b->ports, b->n_ports)))
                return -ENOMEM;
        v->name = name ? strdup(name) : NULL;
        if (mac) {
                v->mac = strdup(mac);
                if (v->mac)
                        for (char *c = v->mac; *c; c++)
                                *c = (char) tolower((unsigned char) *c);
        }
        if ((name && !v->name) || (mac && !v->mac)) {
                free(v->name);
                free(v->mac);
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
                bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL, "cannot read: %s", bg_read_strerror(r));
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
                bg_diag_add(diags, BG_DIAG_WARNING, &loc, NULL, "cannot read: %s", bg_read_strerror(r));
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
                if (BG_APPEND_STRDUP(v, c, de->d_name) < 0)
                        goto oom;
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

/* --- canonical YAML, through the model loader (yaml/) --- */

/* The bonds of one loaded file into s: name, backend, ports, and the file
 * they came from (bondgend@ reads that one file). The loader keeps a bond
 * whose values are wrong (and says so), so does the boot; a file it could
 * not parse at all gives no bonds. */
static int add_bonds(const struct bg_model *m, const char *fname, struct bg_boot_set *s) {
        const char *slash = strrchr(fname, '/');

        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *mb = &m->bonds[i];
                struct bg_boot_bond *b;

                if (!mb->name || !*mb->name)
                        continue;
                b = bg_boot_set_add(s, mb->name);
                if (!b)
                        return -ENOMEM;
                b->backend = mb->backend;
                b->own_mac = mb->mac.len || bg_bond_opt_num(mb, BG_OPT_FAIL_OVER_MAC) == 1;
                if (!b->source && !(b->source = strdup(slash ? slash + 1 : fname)))
                        return -ENOMEM;
                for (size_t j = 0; j < mb->n_ports; j++) {
                        const struct bg_port *p = &mb->ports[j];
                        char mac[BG_HWADDR_STRLEN];
                        int r;

                        if (p->mac.len)
                                bg_hwaddr_format(&p->mac, mac);
                        r = bg_boot_bond_add_port(b, p->name, p->mac.len ? mac : NULL);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Append a copy of name to a list of s unless it is there. */
static int add_name(char ***v, size_t *n, const char *name) {
        if (!name || !*name)
                return 0;
        for (size_t i = 0; i < *n; i++)
                if (!strcmp((*v)[i], name))
                        return 0;
        return BG_APPEND_STRDUP(*v, *n, name);
}

/* What the model's VLANs and bridges stack on, for the device waits. */
static int add_stack(const struct bg_model *m, struct bg_boot_set *s) {
        int r = 0;

        for (size_t i = 0; i < m->n_vlans && r >= 0; i++) {
                r = add_name(&s->stacked, &s->n_stacked, m->vlans[i].name);
                if (r >= 0)
                        r = add_name(&s->lower, &s->n_lower, m->vlans[i].link);
        }
        for (size_t i = 0; i < m->n_bridges && r >= 0; i++) {
                r = add_name(&s->stacked, &s->n_stacked, m->bridges[i].name);
                for (size_t j = 0; j < m->bridges[i].n_ports && r >= 0; j++)
                        r = add_name(&s->lower, &s->n_lower, m->bridges[i].ports[j].name);
        }
        return r;
}

/* The model's bonds into s whatever the load returned, then the model
 * freed: 0, -EINVAL when the file had errors or could not be read (diags
 * name them), or -ENOMEM. */
static int take(int r, struct bg_model *m, const char *fname, struct bg_boot_set *s) {
        int k = r == -ENOMEM ? r : add_bonds(m, fname, s);

        if (k >= 0 && r != -ENOMEM)
                k = add_stack(m, s);

        bg_model_free(m);
        if (k < 0)
                return k;
        return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

int bg_boot_scan_yaml_data(const char *data, size_t len, const char *fname,
                           struct bg_boot_set *s, struct bg_diags *diags) {
        struct bg_model m;

        return take(bg_yaml_load_data(data, len, fname, &m, diags), &m, fname, s);
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
                _cleanup_free_ char *p = NULL;
                struct bg_model m;

                if (asprintf(&p, "%s/%s", dir, names[i]) < 0) {
                        ret = -ENOMEM;
                        break;
                }
                (*n_files)++;
                if (over_budget(p, diags))
                        continue;
                /* The loader reads regular files only (a FIFO never
                 * blocks), refuses more than BG_YAML_MAX_SIZE bytes and
                 * BG_YAML_MAX_DEPTH levels, and names the file. */
                r = take(bg_yaml_load_file(p, &m, diags), &m, p, s);
                if (r == -ENOMEM) {
                        ret = r;
                        break;
                }
                if (r < 0)
                        ret = -EINVAL;
        }
        free_list(names, n);
        return ret;
}
