/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Red Hat ifcfg files: which files are read, which are bonds, which are
 * ports of which bond (initscripts ifup-eth, NetworkManager
 * nms-ifcfg-rh-reader.c).
 *  - Files: etc/sysconfig/network-scripts/ifcfg-*, in C-locale name order
 *    (the shell glob order initscripts enslaves in). Backup suffixes are
 *    skipped like initscripts and NetworkManager do.
 *  - The interface is DEVICE; the file-name suffix only when DEVICE is
 *    missing (both tools use DEVICE).
 *  - A bond: BONDING_OPTS (initscripts), TYPE=Bond or Bonding (any case;
 *    NetworkManager; "Bonding" is what bonding.rst suggests),
 *    BONDING_MASTER=yes (NetworkManager), or a modprobe alias/install line
 *    resolving the name to the bonding module (initscripts).
 *  - A port: MASTER (a bond's DEVICE or its UUID) or MASTER_UUID. initscripts
 *    also needs SLAVE=yes, NetworkManager does not: we enslave and warn.
 *  - rc.local ifenslave lines add ports after the ifcfg ones.
 *  - A port claimed by two bonds is an error for both.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "legacy-int.h"
#include "model/model.h"
#include "util/array.h"

static const char *const backup_suffixes[] = {
        "~", ".bak", ".old", ".orig", ".rpmnew", ".rpmorig", ".rpmsave", ".rej", ".augnew",
        ".augtmp",
};

static bool ends_with_ci(const char *s, const char *suf) {
        size_t l = strlen(s), k = strlen(suf);
        return l >= k && !strcasecmp(s + l - k, suf);
}

bool bg_legacy_ifcfg_backup_name(const char *name) {
        for (size_t i = 0; i < sizeof(backup_suffixes) / sizeof(backup_suffixes[0]); i++)
                if (ends_with_ci(name, backup_suffixes[i]))
                        return true;
        return false;
}

static int cmp_file(const void *a, const void *b) {
        return strcmp(((const struct lg_file *)a)->name, ((const struct lg_file *)b)->name);
}

bool lg_rh_may_exist(const struct lg_ctx *c, const char *name) {
        return !c->scripts_listed || bg_nameidx_get(&c->side_files, name, NULL);
}

int lg_rh_scan(struct lg_ctx *c) {
        char *dir = lg_path(c, "etc/sysconfig/network-scripts");
        size_t files_cap = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (!dir)
                return -ENOMEM;
        d = lg_opendir(c, "etc/sysconfig/network-scripts");
        if (!d) {
                int e = -errno;
                c->scripts_listed = e == -ENOENT || e == -ENOTDIR;   /* nothing is there */
                if (e != -ENOENT && e != -ENOTDIR) {
                        lg_diag(c, BG_DIAG_ERROR, lg_intern(c, dir), 0, 0, NULL, "cannot read: %s",
                                bg_read_strerror(e));
                        lg_note_errno(c, e);
                }
                free(dir);
                return 0;
        }
        while ((de = readdir(d))) {
                struct lg_file *v;
                bool skip = false;

                if (!strncmp(de->d_name, "route", 5) || !strncmp(de->d_name, "rule", 4)) {
                        const char *k = lg_intern(c, de->d_name);
                        if (!k || bg_nameidx_put(&c->side_files, k, 0) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        continue;
                }
                if (strncmp(de->d_name, "ifcfg-", 6) || !de->d_name[6])
                        continue;
                skip = bg_legacy_ifcfg_backup_name(de->d_name);
                if (skip || strstr(de->d_name, "-range")) {
                        char rel[512];
                        snprintf(rel, sizeof(rel), "etc/sysconfig/network-scripts/%s", de->d_name);
                        char *p = lg_path(c, rel);
                        const char *shown = p ? lg_intern(c, p) : NULL;
                        free(p);
                        if (!shown) {
                                r = -ENOMEM;
                                break;
                        }
                        lg_explain_extra(c, shown, 0, "(file)", skip ?
                                         "ignored: backup file (initscripts and NetworkManager skip it)" :
                                         "ignored: -range files are not converted");
                        if (!skip)
                                lg_diag(c, BG_DIAG_WARNING, shown, 0, 0, NULL,
                                        "ifcfg-*-range files are not converted");
                        continue;
                }
                if (BG_RESERVE(c->files, files_cap, c->n_files + 1) < 0) {
                        r = -ENOMEM;
                        break;
                }
                v = &c->files[c->n_files];
                *v = (struct lg_file) { .bond = -1 };
                v->name = strdup(de->d_name);
                if (!v->name) {
                        r = -ENOMEM;
                        break;
                }
                v->suffix = v->name + 6;
                c->n_files++;
        }
        closedir(d);
        free(dir);
        if (r < 0)
                return r;
        c->scripts_listed = true;
        if (c->n_files > 1)
                qsort(c->files, c->n_files, sizeof(*c->files), cmp_file);

        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                char rel[512];
                const char *shown;
                char *data;
                size_t len;
                const char *dev;

                snprintf(rel, sizeof(rel), "etc/sysconfig/network-scripts/%s", f->name);
                r = lg_read(c, rel, &data, &len, &shown);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        f->read_failed = true;
                        f->device = f->suffix;
                        if (!(f->cfg.path = strdup(shown)))
                                return -ENOMEM;
                        continue;
                }
                r = bg_ifcfg_parse(&f->cfg, shown, data, len);
                free(data);
                if (r < 0)
                        return r;
                f->alias = strchr(f->suffix, ':') != NULL;
                dev = bg_ifcfg_get(&f->cfg, "DEVICE");
                f->device = dev && *dev ? dev : f->suffix;
        }
        return 0;
}

static bool truthy(const char *v) {
        return bg_ifcfg_bool(v) == 1;
}

bool bg_legacy_ifcfg_declares_bond(const struct bg_ifcfg *f) {
        const char *type = bg_ifcfg_get(f, "TYPE");

        return bg_ifcfg_find(f, "BONDING_OPTS") ||
               (type && (!strcasecmp(type, "bond") || !strcasecmp(type, "bonding"))) ||
               truthy(bg_ifcfg_get(f, "BONDING_MASTER"));
}

static bool file_is_bond(const struct lg_ctx *c, const struct lg_file *f) {
        return bg_legacy_ifcfg_declares_bond(&f->cfg) || lg_modprobe_is_bond(c, f->device);
}

/* Does another ifcfg file name dev as its MASTER? */
static bool named_as_master(const struct lg_ctx *c, const struct lg_file *self, const char *dev) {
        for (size_t i = 0; i < c->n_files; i++) {
                const struct lg_file *g = &c->files[i];
                const char *m = bg_ifcfg_get(&g->cfg, "MASTER");

                if (g != self && !g->alias && m && !strcmp(m, dev))
                        return true;
        }
        return false;
}

/* cloud-init's sysconfig renderer writes BONDING_MASTER=yes and TYPE=Bond
 * into the files of a bond's ports, beside MASTER= and SLAVE=yes.
 * initscripts decides by BONDING_OPTS (or a modprobe alias) whether a device
 * is a bond, and by SLAVE=yes plus MASTER= whether it is enslaved (ifup-eth),
 * so it enslaves such a device. Only when nothing else makes the file a bond
 * and no file names it as MASTER is it taken as a port. */
static bool port_despite_bond_markers(const struct lg_ctx *c, const struct lg_file *f) {
        const char *master = bg_ifcfg_get(&f->cfg, "MASTER");
        const char *uuid = bg_ifcfg_get(&f->cfg, "MASTER_UUID");

        if ((!master || !*master) && (!uuid || !*uuid))
                return false;
        if (!truthy(bg_ifcfg_get(&f->cfg, "SLAVE")) || bg_ifcfg_find(&f->cfg, "BONDING_OPTS") ||
            lg_modprobe_is_bond(c, f->device))
                return false;
        return !named_as_master(c, f, f->device);
}

static struct lg_bond *find_bond(struct lg_ctx *c, const char *name) {
        size_t i;

        return bg_nameidx_get(&c->bond_idx, name, &i) ? &c->bonds[i] : NULL;
}

static struct lg_bond *add_bond(struct lg_ctx *c, const char *name, struct lg_file *f) {
        struct lg_bond *v = BG_NEW_SLOT(c->bonds, c->n_bonds);

        if (!v)
                return NULL;
        v->file = f;
        if (!(v->name = strdup(name)) || bg_nameidx_put(&c->bond_idx, v->name, c->n_bonds) < 0) {
                free(v->name);
                return NULL;
        }
        c->n_bonds++;
        if (f) {
                f->is_bond = true;
                f->bond = (int)(v - c->bonds);
                f->used = true;
        }
        return v;
}

static int add_port(struct lg_bond *b, const char *name, const char *mac, struct bg_loc loc,
                    struct lg_file *f, struct rc_enslave *rc) {
        struct lg_port *v = BG_NEW_SLOT(b->ports, b->n_ports);

        if (!v)
                return -ENOMEM;
        *v = (struct lg_port) { .loc = loc, .file = f, .rc = rc };
        v->name = strdup(name);
        v->mac = mac ? strdup(mac) : NULL;
        if (!v->name || (mac && !v->mac))
                return -ENOMEM;
        b->n_ports++;
        return 0;
}

static struct lg_port *bond_port(struct lg_bond *b, const char *name) {
        for (size_t i = 0; i < b->n_ports; i++)
                if (!strcmp(b->ports[i].name, name))
                        return &b->ports[i];
        return NULL;
}

/* The bond a MASTER= or MASTER_UUID= value names: a DEVICE, else a UUID. */
static struct lg_bond *resolve_master(struct lg_ctx *c, const char *val) {
        struct lg_bond *b = find_bond(c, val);

        if (b)
                return b;
        for (size_t i = 0; i < c->n_bonds; i++) {
                const char *u = c->bonds[i].file ? bg_ifcfg_get(&c->bonds[i].file->cfg, "UUID") : NULL;
                if (u && !strcasecmp(u, val))
                        return &c->bonds[i];
        }
        return NULL;
}

/* 20 colon-separated hex bytes: an IP-over-InfiniBand hardware address. */
static bool infiniband_hwaddr(const char *s) {
        for (unsigned i = 0; i < 20; i++, s += 3) {
                if (!isxdigit((unsigned char) s[0]) || !isxdigit((unsigned char) s[1]))
                        return false;
                if (s[2] != (i == 19 ? '\0' : ':'))
                        return false;
        }
        return true;
}

static int assign_port(struct lg_ctx *c, struct lg_file *f) {
        struct bg_ifcfg_var *mv = bg_ifcfg_find(&f->cfg, "MASTER_UUID");
        struct bg_ifcfg_var *slave = bg_ifcfg_find(&f->cfg, "SLAVE");
        struct bg_ifcfg_var *hw = bg_ifcfg_find(&f->cfg, "HWADDR");
        struct lg_bond *b;
        char mac[18];
        const char *macp = NULL, *type;
        bool ib = false;
        int r;

        if (!mv || !mv->value || !*mv->value)
                mv = bg_ifcfg_find(&f->cfg, "MASTER");
        if (!mv || !mv->value)
                return 0;  /* unreadable MASTER: the lexer reported it */
        f->is_port = true;
        f->used = true;
        if (f->is_bond) {
                lg_diag(c, BG_DIAG_ERROR, f->cfg.path, mv->line, mv->col, mv->key,
                        "%s is a bond and cannot also be a port of %s (nested bonds are not converted)",
                        f->device, mv->value);
                c->bonds[f->bond].bad = true;
                return 0;
        }
        b = resolve_master(c, mv->value);
        if (!b) {
                /* A plain interface file with that DEVICE: initscripts would
                 * not create a bond, but the intent is clear. */
                for (size_t i = 0; i < c->n_files && !b; i++) {
                        struct lg_file *g = &c->files[i];
                        if (!g->alias && !g->is_bond && !g->is_port && !g->read_failed &&
                            !strcmp(g->device, mv->value) && g != f) {
                                lg_diag(c, BG_DIAG_WARNING, g->cfg.path, 0, 0, NULL,
                                        "%s has no BONDING_OPTS, no TYPE=Bond and no 'alias %s bonding': "
                                        "initscripts would not have made it a bond; converted as a "
                                        "bond because %s names it as MASTER",
                                        g->device, g->device, f->cfg.path);
                                if (!(b = add_bond(c, g->device, g)))
                                        return -ENOMEM;
                        }
                }
        }
        if (!b && lg_modprobe_is_bond(c, mv->value)) {
                /* ifup-eth's install_bonding_driver creates the master
                 * from its modprobe alias and enslaves the port. */
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, mv->line, mv->col, mv->key,
                        "%s has no ifcfg file: converted from the modprobe configuration and %s only, "
                        "without addresses", mv->value, f->cfg.path);
                if (!(b = add_bond(c, mv->value, NULL)))
                        return -ENOMEM;
        }
        if (!b) {
                /* Neither system brings such a port into a bond: initscripts
                 * makes a master only from its own file's BONDING_OPTS or a
                 * modprobe alias, and NetworkManager leaves a port whose
                 * controller has no profile inactive. */
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, mv->line, mv->col, mv->key,
                        "%s's master %s has no ifcfg file (no ifcfg-* file has DEVICE=%s) and no "
                        "'alias %s bonding': neither initscripts nor NetworkManager would enslave %s; "
                        "not converted", f->device, mv->value, mv->value, mv->value, f->device);
                lg_vfate(c, &f->cfg, mv, "ignored: no bond %s to be a port of (warned)", mv->value);
                return 0;
        }
        if (!slave || !slave->value || bg_ifcfg_bool(slave->value) != 1)
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, mv->line, mv->col, mv->key,
                        "%s has MASTER=%s but not SLAVE=yes: initscripts would not have enslaved it, "
                        "NetworkManager would; converted as a port", f->device, mv->value);
        if (hw && hw->value && *hw->value && infiniband_hwaddr(hw->value)) {
                /* IPoIB: 20 bytes (4 of QPN and flags, 16 of GID). The port
                 * is matched by its name; a .link or keyfile match on this
                 * address is not written. */
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, hw->line, hw->col, hw->key,
                        "%s has a 20-byte InfiniBand hardware address: the port is matched by its "
                        "name, not by this address", f->device);
                lg_vfate(c, &f->cfg, hw, "ignored: InfiniBand address; %s matched by name (warned)",
                         f->device);
                ib = true;
        } else if (hw && hw->value && *hw->value) {
                if (bg_normalize_mac(hw->value, mac) < 0) {
                        lg_diag(c, BG_DIAG_ERROR, f->cfg.path, hw->line, hw->col, hw->key,
                                "'%s' is not a MAC address", hw->value);
                        b->bad = true;
                } else
                        macp = mac;
        }
        if (bond_port(b, f->device)) {
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, mv->line, mv->col, mv->key,
                        "%s is configured by more than one file; this one is ignored", f->device);
                lg_vfate(c, &f->cfg, mv, "ignored: %s is already a port of %s", f->device, b->name);
                return 0;
        }
        f->bond = (int)(b - c->bonds);
        type = bg_ifcfg_get(&f->cfg, "TYPE");
        if (type && !strcasecmp(type, "InfiniBand"))
                ib = true;
        r = add_port(b, f->device, macp, (struct bg_loc) { f->cfg.path, mv->line, mv->col }, f, NULL);
        if (r >= 0)
                b->ports[b->n_ports - 1].infiniband = ib;
        return r;
}

static int assign_rclocal(struct lg_ctx *c, struct rc_enslave *e) {
        struct lg_bond *b;

        if (e->detach || !e->bond || e->n_ports == 0)
                return 0;
        b = find_bond(c, e->bond);
        if (!b) {
                if (!lg_modprobe_is_bond(c, e->bond) && !lg_modprobe_mentions(c, e->bond)) {
                        lg_diag(c, BG_DIAG_ERROR, e->file, e->line, 0, "ifenslave",
                                "%s has no ifcfg file and no 'alias %s bonding' in the modprobe "
                                "configuration", e->bond, e->bond);
                        lg_fate(&e->fate, "error: no such bond");
                        return 0;
                }
                lg_diag(c, BG_DIAG_WARNING, e->file, e->line, 0, "ifenslave",
                        "%s has no ifcfg file: converted from modprobe and rc.local only, without "
                        "addresses", e->bond);
                if (!(b = add_bond(c, e->bond, NULL)))
                        return -ENOMEM;
        }
        if (e->change_active) {
                if (!b->active && !(b->active = strdup(e->ports[0])))
                        return -ENOMEM;
                b->active_rc = e;
                return 0;
        }
        for (size_t i = 0; i < e->n_ports; i++) {
                struct lg_port *p = bond_port(b, e->ports[i]);
                if (p) {
                        lg_fate_append(&e->fate, "%s: already a port of %s (%s)", e->ports[i], b->name,
                                       p->file ? p->file->cfg.path : "rc.local");
                        continue;
                }
                if (add_port(b, e->ports[i], NULL, (struct bg_loc) { e->file, e->line, 0 }, NULL, e) < 0)
                        return -ENOMEM;
                lg_fate_append(&e->fate, "bonds[%s].ports += %s", b->name, e->ports[i]);
        }
        return 0;
}

/* Every port of every bond, sorted by name then bond, so that claims by
 * several bonds are neighbours (linear after the sort, whatever the size). */
struct port_ref { const char *name; size_t bond, port; };

static int cmp_port_ref(const void *a, const void *b) {
        const struct port_ref *x = a, *y = b;
        int d = strcmp(x->name, y->name);

        if (d)
                return d;
        if (x->bond != y->bond)
                return x->bond < y->bond ? -1 : 1;
        return x->port < y->port ? -1 : x->port > y->port;
}

static int port_refs(struct lg_ctx *c, struct port_ref **out, size_t *n) {
        struct port_ref *v;
        size_t k = 0;

        for (size_t i = 0; i < c->n_bonds; i++)
                k += c->bonds[i].n_ports;
        *out = NULL;
        *n = 0;
        if (!k)
                return 0;
        if (!(v = malloc(k * sizeof(*v))))
                return -ENOMEM;
        k = 0;
        for (size_t i = 0; i < c->n_bonds; i++)
                for (size_t j = 0; j < c->bonds[i].n_ports; j++)
                        v[k++] = (struct port_ref) { c->bonds[i].ports[j].name, i, j };
        qsort(v, k, sizeof(*v), cmp_port_ref);
        *out = v;
        *n = k;
        return 0;
}

/* First entry named name in the sorted refs, or NULL. */
static const struct port_ref *find_port_ref(const struct port_ref *v, size_t n, const char *name) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(v[mid].name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n && !strcmp(v[lo].name, name) ? &v[lo] : NULL;
}

struct claim { size_t i, k, j, q; };

static int cmp_claim(const void *a, const void *b) {
        const struct claim *x = a, *y = b;

        if (x->i != y->i)
                return x->i < y->i ? -1 : 1;
        if (x->k != y->k)
                return x->k < y->k ? -1 : 1;
        return x->j < y->j ? -1 : x->j > y->j;
}

/* A port in two bonds: an error for both (which one was meant is unknown).
 * Reported in bond, port, other-bond order. */
static int check_claims(struct lg_ctx *c, const struct port_ref *v, size_t n) {
        struct claim *cl = NULL;
        size_t ncl = 0, cap = 0;

        for (size_t a = 0; a < n; a++)
                for (size_t b = a + 1; b < n && !strcmp(v[a].name, v[b].name); b++) {
                        /* Each bond pair once, with the first port of the later bond. */
                        if (v[b].bond == v[a].bond || (b > a + 1 && v[b - 1].bond == v[b].bond))
                                continue;
                        if (BG_RESERVE(cl, cap, ncl + 1) < 0) {
                                free(cl);
                                return -ENOMEM;
                        }
                        cl[ncl++] = (struct claim) { v[a].bond, v[a].port, v[b].bond, v[b].port };
                }
        if (ncl > 1)
                qsort(cl, ncl, sizeof(*cl), cmp_claim);
        for (size_t x = 0; x < ncl; x++) {
                struct lg_port *p = &c->bonds[cl[x].i].ports[cl[x].k];
                struct lg_port *q = &c->bonds[cl[x].j].ports[cl[x].q];
                lg_diag(c, BG_DIAG_ERROR, q->loc.file, q->loc.line, q->loc.col, p->name,
                        "%s is claimed by two bonds: %s (%s:%u) and %s", p->name,
                        c->bonds[cl[x].i].name, p->loc.file, p->loc.line, c->bonds[cl[x].j].name);
                c->bonds[cl[x].i].bad = c->bonds[cl[x].j].bad = true;
        }
        free(cl);
        return 0;
}

static void flush_file_diags(struct lg_ctx *c, struct lg_file *f) {
        for (size_t i = 0; i < f->cfg.diags.n; i++) {
                struct bg_diag *d = &f->cfg.diags.v[i];
                enum bg_diag_level lvl = d->level;
                bool unused = !f->used && !f->cfg.binary;
                /* A value that cannot be read in a key bondgen never uses
                 * (ETHTOOL_OPTS="-K ${DEVICE} ..." as os-net-config writes it)
                 * costs that key only: the bond is the same with or without it. */
                bool key_only = !unused && d->level == BG_DIAG_ERROR && d->key &&
                                !lg_key_used(d->key, f->is_port && !f->is_bond);

                if ((unused || key_only) && lvl == BG_DIAG_ERROR)
                        lvl = BG_DIAG_WARNING;
                lg_diag(c, lvl, d->file, d->line, d->col, d->key, "%s%s", d->msg,
                        unused && d->level == BG_DIAG_ERROR ? " (the file is not part of any bond)"
                        : key_only ? "; bondgen does not use this key, so only it is lost" : "");
                if (lvl == BG_DIAG_ERROR && f->bond >= 0)
                        c->bonds[f->bond].bad = true;
        }
}

int lg_rh_assign(struct lg_ctx *c) {
        int r;

        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                if (f->alias || f->read_failed || f->cfg.binary || !file_is_bond(c, f))
                        continue;
                if (port_despite_bond_markers(c, f)) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, 0, 0, NULL,
                                "%s has MASTER= and SLAVE=yes beside TYPE=Bond or BONDING_MASTER=yes "
                                "(as cloud-init writes ports) and no BONDING_OPTS: initscripts enslaves "
                                "it, so it is converted as a port", f->device);
                        continue;
                }
                if (find_bond(c, f->device)) {
                        struct lg_bond *o = find_bond(c, f->device);
                        lg_diag(c, BG_DIAG_ERROR, f->cfg.path, 0, 0, "DEVICE",
                                "bond %s is also configured by %s", f->device,
                                o->file ? o->file->cfg.path : "?");
                        o->bad = true;
                        f->used = true;
                        f->bond = (int)(o - c->bonds);
                        continue;
                }
                if (!add_bond(c, f->device, f))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                if (!f->alias && !f->read_failed && !f->cfg.binary && (r = assign_port(c, f)) < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_rc; i++)
                if ((r = assign_rclocal(c, &c->rc[i])) < 0)
                        return r;
        /* Alias files ifcfg-bond0:N add addresses to their bond. */
        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                char parent[64];
                struct lg_bond *b;

                if (!f->alias)
                        continue;
                snprintf(parent, sizeof(parent), "%.*s", (int)strcspn(f->suffix, ":"), f->suffix);
                if (!(b = find_bond(c, parent)))
                        continue;
                if (BG_APPEND(b->aliases, b->n_aliases, f) < 0)
                        return -ENOMEM;
                f->used = true;
                f->bond = (int)(b - c->bonds);
        }
        /* Unreadable or binary files named after a bond or a port spoil it. */
        struct port_ref *refs;
        size_t n_refs;
        if ((r = port_refs(c, &refs, &n_refs)) < 0)
                return r;
        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                const struct port_ref *pr;
                struct lg_bond *b;
                if (!f->read_failed && !f->cfg.binary)
                        continue;
                /* The highest bond index wins f->bond, as before. */
                if ((b = find_bond(c, f->suffix))) {
                        b->bad = true;
                        f->bond = (int)(b - c->bonds);
                        f->used = true;
                }
                for (pr = find_port_ref(refs, n_refs, f->suffix); pr && pr < refs + n_refs &&
                     !strcmp(pr->name, f->suffix); pr++) {
                        c->bonds[pr->bond].bad = true;
                        if ((int)pr->bond > f->bond)
                                f->bond = (int)pr->bond;
                        f->used = true;
                }
        }
        /* VLANs and bridges, on bonds or NICs (rh-stack.c). */
        if ((r = lg_rh_stack_scan(c)) < 0) {
                free(refs);
                return r;
        }
        r = check_claims(c, refs, n_refs);
        free(refs);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_files; i++)
                flush_file_diags(c, &c->files[i]);
        return 0;
}

void lg_rh_explain(struct lg_ctx *c) {
        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                for (size_t k = 0; k < f->cfg.n; k++) {
                        struct bg_ifcfg_var *v = &f->cfg.v[k];
                        if (v->fate || v->overridden_by)
                                continue;
                        if (!v->value)
                                bg_ifcfg_set_fate(&f->cfg, v, "error: value could not be read");
                        else if (!f->used)
                                bg_ifcfg_set_fate(&f->cfg, v, "ignored: %s is neither a bond, a bond port, a VLAN nor a bridge",
                                                  f->device);
                        else
                                bg_ifcfg_set_fate(&f->cfg, v, "ignored: not used");
                }
        }
}

void lg_rh_free(struct lg_ctx *c) {
        for (size_t i = 0; i < c->n_files; i++) {
                bg_ifcfg_free(&c->files[i].cfg);
                free(c->files[i].name);
        }
        free(c->files);
        bg_nameidx_free(&c->side_files);
        for (size_t i = 0; i < c->n_bonds; i++) {
                struct lg_bond *b = &c->bonds[i];
                for (size_t k = 0; k < b->n_ports; k++) {
                        free(b->ports[k].name);
                        free(b->ports[k].mac);
                }
                free(b->ports);
                free(b->aliases);
                free(b->active);
                free(b->name);
        }
        free(c->bonds);
        bg_nameidx_free(&c->bond_idx);
        lg_rh_stack_free(c);
}
