/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Debian stanzas into bonds, as ifupdown with ifenslave's if-pre-up hook
 * brings them up (ifenslave's README.Debian):
 *   - a bond is an iface with bond-slaves (old name: slaves; ifupdown-ng:
 *     bond-members), or a name other stanzas give in bond-master;
 *   - its ports: the bond-slaves list ("none": only the stanzas that name
 *     it with bond-master), then those stanzas, then `ifenslave BOND PORT...`
 *     in its up/post-up commands; a stanza with both bond-master and
 *     bond-slaves is a port (the hook ignores bond-slaves there);
 *   - bond-OPTION is written to /sys/class/net/BOND/bonding/OPTION with '-'
 *     as '_', so every option of the catalogue is accepted under that name
 *     (names or numbers, as sysfs takes them); bond-arp-ip-target and
 *     bond-queue-id take several words, bond-primary the first listed port
 *     that is enslaved. The hook writes miimon after arp_interval, and the
 *     kernel then turns the ARP monitor off: with both, miimon wins.
 *   - when a port stanza comes up first, the hook creates the bond with the
 *     port stanza's bond-* options; bondgen uses the bond's own stanza and
 *     takes from port stanzas only what it does not set (warning when they
 *     disagree).
 * The bond's own inet/inet6 stanzas are read by debian-ip.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "debian-cmd.h"
#include "debian-int.h"
#include "util/array.h"

bool deb_is_slaves_key(const char *norm) {
        return !strcmp(norm, "bond-slaves") || !strcmp(norm, "slaves") || !strcmp(norm, "bond-members");
}

bool deb_is_cmd_key(const char *norm) {
        return !strcmp(norm, "up") || !strcmp(norm, "post-up") || !strcmp(norm, "pre-up") ||
               !strcmp(norm, "down") || !strcmp(norm, "pre-down") || !strcmp(norm, "post-down");
}

static const char *keep(struct dctx *x, const char *s, size_t len) {
        char **v = BG_NEW_SLOT(x->names, x->n_names);

        if (!v || !(*v = strndup(s, len)))
                return NULL;
        x->n_names++;
        return *v;
}

static struct dbond *find_bond(struct dctx *x, const char *name) {
        for (size_t i = 0; i < x->n_bonds; i++)
                if (!strcmp(x->bonds[i].name, name))
                        return &x->bonds[i];
        return NULL;
}

static struct dbond *want_bond(struct dctx *x, const char *name) {
        struct dbond *b = find_bond(x, name);

        if (b)
                return b;
        if (!(b = BG_NEW_SLOT(x->bonds, x->n_bonds)))
                return NULL;
        b->name = name;
        x->n_bonds++;
        return b;
}

static struct deb_stanza *stanza_of(struct dctx *x, const char *name) {
        for (size_t i = 0; i < x->conf->n_st; i++)
                if (x->conf->st[i].kind == DEB_IFACE && !strcmp(x->conf->st[i].name, name))
                        return &x->conf->st[i];
        return NULL;
}

static int add_port(struct dctx *x, struct dbond *b, const char *name, const char *file, unsigned line,
                    unsigned col) {
        for (size_t i = 0; i < b->n_ports; i++)
                if (!strcmp(b->ports[i].name, name))
                        return 0;
        return BG_APPEND(b->ports, b->n_ports, ((struct dport) { name, stanza_of(x, name), file, line, col }));
}

/* Word i (0-based) of s, kept in x; NULL when there is none. */
const char *deb_word(struct dctx *x, const char *s, size_t i, unsigned *col) {
        const char *p = s;

        for (;;) {
                size_t n;
                p += strspn(p, " \t");
                if (!*p)
                        return NULL;
                n = strcspn(p, " \t");
                if (i-- == 0) {
                        if (col)
                                *col = (unsigned) (p - s);
                        return keep(x, p, n);
                }
                p += n;
        }
}

/* Which stanzas make bonds, and their ports. */
static int collect(struct dctx *x) {
        struct lg_ctx *c = x->c;
        int r;

        for (size_t i = 0; i < x->conf->n_st; i++) {
                struct deb_stanza *s = &x->conf->st[i];
                struct deb_opt *master;
                if (s->kind != DEB_IFACE)
                        continue;
                if ((master = deb_find(s, "bond-master"))) {
                        const char *bn = deb_word(x, master->value, 0, NULL);
                        if (!bn || !want_bond(x, bn))
                                return -ENOMEM;
                        for (size_t k = 0; k < s->n_opts; k++) {
                                struct deb_opt *op = &s->opts[k];
                                if (!deb_is_slaves_key(op->norm))
                                        continue;
                                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                                        "%s also has bond-master: ifenslave ignores %s here", s->name, op->key);
                                deb_ofate(c, op, "ignored: bond-master in the same stanza wins (warned)");
                        }
                        continue;
                }
                for (size_t k = 0; k < s->n_opts; k++)
                        if (deb_is_slaves_key(s->opts[k].norm) && !want_bond(x, s->name))
                                return -ENOMEM;
        }
        for (size_t i = 0; i < x->n_bonds; i++) {
                struct dbond *b = &x->bonds[i];
                for (size_t k = 0; k < x->conf->n_st; k++) {
                        struct deb_stanza *s = &x->conf->st[k];
                        if (s->kind != DEB_IFACE || strcmp(s->name, b->name))
                                continue;
                        if (BG_APPEND(b->st, b->n_st, s) < 0)
                                return -ENOMEM;
                }
                /* bond-slaves of the bond's own stanzas */
                for (size_t k = 0; k < b->n_st; k++) {
                        struct deb_stanza *s = b->st[k];
                        struct deb_opt *bm = deb_find(s, "bond-master");
                        for (size_t o = 0; o < s->n_opts; o++) {
                                struct deb_opt *op = &s->opts[o];
                                const char *w;
                                unsigned col;
                                if (!deb_is_slaves_key(op->norm) || bm)
                                        continue;
                                for (size_t n = 0; (w = deb_word(x, op->value, n, &col)); n++) {
                                        if (!strcmp(w, "none") && n == 0)
                                                break;
                                        if (!strcmp(w, "all") && n == 0) {
                                                lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                                        "'all' enslaves every eth* device present at boot; "
                                                        "name the ports instead");
                                                deb_ofate(c, op, "error: 'all' is not a port list");
                                                b->bad = true;
                                                break;
                                        }
                                        if ((r = add_port(x, b, w, op->file, op->line, op->vcol + col)) < 0)
                                                return r;
                                }
                        }
                }
                /* stanzas that name the bond with bond-master */
                for (size_t k = 0; k < x->conf->n_st; k++) {
                        struct deb_stanza *s = &x->conf->st[k];
                        struct deb_opt *bm = s->kind == DEB_IFACE ? deb_find(s, "bond-master") : NULL;
                        const char *w = bm ? deb_word(x, bm->value, 0, NULL) : NULL;
                        if (w && !strcmp(w, b->name) && (r = add_port(x, b, s->name, bm->file, bm->line, bm->col)) < 0)
                                return r;
                }
        }
        /* ifenslave in up/post-up lines (of any stanza) */
        for (size_t k = 0; k < x->conf->n_st; k++) {
                struct deb_stanza *s = &x->conf->st[k];
                for (size_t o = 0; o < s->n_opts; o++) {
                        struct deb_opt *op = &s->opts[o];
                        struct deb_cmd cmd;
                        struct dbond *b;
                        if (strcmp(op->norm, "up") && strcmp(op->norm, "post-up"))
                                continue;
                        if ((r = deb_cmd_parse(op->value, &cmd)) < 0)
                                return r;
                        if (cmd.kind == DEB_CMD_IFENSLAVE && !cmd.detach && !cmd.change_active) {
                                const char *bn = keep(x, cmd.bond, strlen(cmd.bond));
                                if (!bn || !(b = want_bond(x, bn))) {
                                        deb_cmd_free(&cmd);
                                        return -ENOMEM;
                                }
                                for (size_t p = 0; p < cmd.n_ports; p++) {
                                        const char *pn = keep(x, cmd.ports[p], strlen(cmd.ports[p]));
                                        if (!pn || (r = add_port(x, b, pn, op->file, op->line, op->vcol)) < 0) {
                                                deb_cmd_free(&cmd);
                                                return pn ? r : -ENOMEM;
                                        }
                                }
                        }
                        deb_cmd_free(&cmd);
                }
        }
        return 0;
}

/* ---- building one bond ---- */

struct optsrc {
        struct deb_opt *by[BG_OPT__MAX];   /* the option that set each one */
        struct deb_stanza *st[BG_OPT__MAX];
        bool from_port[BG_OPT__MAX];
};

static bool same_words(const char *a, const char *b) {
        for (;;) {
                a += strspn(a, " \t");
                b += strspn(b, " \t");
                if (!*a || !*b)
                        return !*a && !*b;
                size_t na = strcspn(a, " \t"), nb = strcspn(b, " \t");
                if (na != nb || strncmp(a, b, na))
                        return false;
                a += na;
                b += nb;
        }
}

/* Same value for the kernel ("4" and "802.3ad" are one mode). */
static bool same_value(const struct bg_opt_info *o, const char *a, const char *b) {
        struct bg_optval x = {}, y = {};
        char err[256];
        bool eq;

        if (same_words(a, b))
                return true;
        eq = bg_opt_parse_value(o, a, &x, err, sizeof(err)) == 0 && bg_opt_parse_value(o, b, &y, err, sizeof(err)) == 0 &&
             bg_optval_equal(&x, &y);
        bg_optval_clear(&x);
        bg_optval_clear(&y);
        return eq;
}

static bool is_port(const struct dbond *db, const char *name) {
        for (size_t i = 0; i < db->n_ports; i++)
                if (!strcmp(db->ports[i].name, name))
                        return true;
        return false;
}

/* One bond-* option (not slaves/master) of the bond's stanza or a port's. */
static int bond_opt(struct dctx *x, struct dbond *db, struct bg_bond *b, struct optsrc *src,
                    struct deb_stanza *s, struct deb_opt *op, bool port) {
        struct lg_ctx *c = x->c;
        char kname[64], *val = NULL;
        const struct bg_opt_info *oi;
        int r = 0;

        if (!strcmp(op->norm, "bond-lacp-bypass-allow")) {
                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                        "an ifupdown2 extension for Cumulus switches, not a kernel bonding option; ignored");
                deb_ofate(c, op, "ignored: not a kernel option (warned)");
                return 0;
        }
        snprintf(kname, sizeof(kname), "%s", op->norm + 5);
        for (char *p = kname; *p; p++)
                if (*p == '-')
                        *p = '_';
        oi = bg_opt_lookup(kname);
        if (oi && src->by[oi->id] && !(oi->flags & BG_OF_LIST)) {
                struct deb_opt *prev = src->by[oi->id];
                if (src->st[oi->id] == s) {
                        lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->col, op->key,
                                "given twice in one stanza (line %u): ifupdown joins the values with a "
                                "newline, which the kernel does not accept", prev->line);
                        deb_ofate(c, op, "error: repeated option");
                        db->bad = true;
                        return 0;
                }
                if (same_value(oi, prev->value, op->value)) {
                        deb_ofate(c, op, "same as %s:%u", prev->file, prev->line);
                        return 0;
                }
                if (port) {
                        lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key,
                                "%s says '%s' but %s:%u says '%s': ifenslave uses whichever stanza comes "
                                "up first; bondgen uses %s", s->name, op->value, prev->file, prev->line,
                                prev->value, src->from_port[oi->id] ? "the first port's" : "the bond's own");
                        deb_ofate(c, op, "ignored: %s wins (warned)", src->from_port[oi->id] ? "the first port's "
                                  "stanza" : "the bond's own stanza");
                        return 0;
                }
                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key,
                        "%s:%u already set this to '%s'; the later '%s' wins", prev->file, prev->line,
                        prev->value, op->value);
        }
        if (oi && oi->id == BG_OPT_PRIMARY) {
                /* The hook makes the first listed interface that is enslaved the primary. */
                const char *w = NULL;
                for (size_t n = 0; (w = deb_word(x, op->value, n, NULL)); n++)
                        if (is_port(db, w))
                                break;
                if (!w) {
                        lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key,
                                "names no port of %s; ignored (the hook sets no primary then)", b->name);
                        deb_ofate(c, op, "ignored: no port of %s (warned)", b->name);
                        return 0;
                }
                val = strdup(w);
        } else if (oi && (oi->id == BG_OPT_ARP_IP_TARGET || oi->id == BG_OPT_NS_IP6_TARGET)) {
                /* several addresses separated by blanks, written one by one */
                val = strdup(op->value);
                for (char *p = val; p && *p; p++)
                        if (*p == ' ' || *p == '\t')
                                *p = ',';
                for (char *p = val; p && (p = strstr(p, ",,"));)
                        memmove(p, p + 1, strlen(p));
        } else if (oi && oi->id == BG_OPT_QUEUE_ID) {
                const char *w;
                for (size_t n = 0; (w = deb_word(x, op->value, n, NULL)) && r >= 0; n++)
                        r = lg_set_opt(c, b, kname, w, op->file, op->line, op->vcol, op->key, &op->fate, &db->bad);
                src->by[oi->id] = op;
                src->st[oi->id] = s;
                return r == -ENOMEM ? r : 0;
        } else
                val = strdup(op->value);
        if (!val)
                return -ENOMEM;
        r = lg_set_opt(c, b, kname, val, op->file, op->line, op->vcol, op->key, &op->fate, &db->bad);
        free(val);
        if (r == 0 && oi) {
                src->by[oi->id] = op;
                src->st[oi->id] = s;
                src->from_port[oi->id] = port;
                if (port && !c->quiet)
                        lg_fate_append(&op->fate, "from port %s's stanza", s->name);
        }
        return r == -ENOMEM ? r : 0;
}

static int options(struct dctx *x, struct dbond *db, struct bg_bond *b) {
        struct lg_ctx *c = x->c;
        struct optsrc src = {};
        int r;

        for (int pass = 0; pass < 2; pass++) {
                size_t n = pass ? db->n_ports : db->n_st;
                for (size_t i = 0; i < n; i++) {
                        struct deb_stanza *s = pass ? db->ports[i].st : db->st[i];
                        if (!s)
                                continue;
                        for (size_t k = 0; k < s->n_opts; k++) {
                                struct deb_opt *op = &s->opts[k];
                                if (strncmp(op->norm, "bond-", 5) || deb_is_slaves_key(op->norm) ||
                                    !strcmp(op->norm, "bond-master"))
                                        continue;
                                if ((r = bond_opt(x, db, b, &src, s, op, pass)) < 0)
                                        return r;
                        }
                }
        }
        if (b->opts[BG_OPT_MIIMON].set && b->opts[BG_OPT_MIIMON].num && b->opts[BG_OPT_ARP_INTERVAL].set &&
            b->opts[BG_OPT_ARP_INTERVAL].num) {
                struct deb_opt *a = src.by[BG_OPT_ARP_INTERVAL];
                lg_diag(c, BG_DIAG_WARNING, a->file, a->line, a->vcol, a->key,
                        "ifenslave writes miimon after arp_interval and the kernel then turns the ARP "
                        "monitor off: %s uses the MII monitor (miimon %llu)", b->name,
                        (unsigned long long) b->opts[BG_OPT_MIIMON].num);
                deb_ofate(c, a, "ignored: miimon wins (warned)");
                bg_optval_clear(&b->opts[BG_OPT_ARP_INTERVAL]);
        }
        return 0;
}

static void port_stanza(struct dctx *x, struct dbond *db, struct bg_bond *b, struct dport *p) {
        struct lg_ctx *c = x->c;
        for (size_t i = 0; i < x->conf->n_st; i++) {
                struct deb_stanza *t = &x->conf->st[i];
                if (t->kind != DEB_IFACE || strcmp(t->name, p->name))
                        continue;
                if (!strcmp(t->method, "static") && deb_find(t, "address"))
                        lg_diag(c, BG_DIAG_WARNING, t->file, t->line, 0, "iface",
                                "%s is a port of %s: its own addresses are not used", t->name, b->name);
                if (!c->quiet && !t->fate)
                        lg_fate(&t->fate, "port of %s", b->name);
                for (size_t k = 0; k < t->n_opts; k++) {
                        struct deb_opt *op = &t->opts[k];
                        if (op->fate)
                                continue;
                        if (!strcmp(op->norm, "bond-master"))
                                deb_ofate(c, op, "bonds[%s].ports += %s", b->name, t->name);
                        else if (deb_is_slaves_key(op->norm))
                                continue;
                        else if (!strncmp(op->norm, "bond-", 5))
                                continue;
                        else if (deb_is_cmd_key(op->norm))
                                (void) deb_command(x, db, b, op, true);
                        else if (!strcmp(op->norm, "hwaddress") || !strcmp(op->norm, "mtu")) {
                                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                                        "the bond sets its ports' %s; ignored", op->norm[0] == 'm' ? "MTU" : "MAC");
                                deb_ofate(c, op, "ignored: set by the bond (warned)");
                        } else
                                deb_ofate(c, op, "ignored: a bond port has no IP configuration");
                }
        }
}

static int build(struct dctx *x, struct dbond *db, struct bg_model *m) {
        struct lg_ctx *c = x->c;
        struct bg_bond *b = bg_model_add_bond(m, db->name);
        int r;

        if (!b)
                return -ENOMEM;
        b->onboot = false;
        if (db->n_st)
                b->loc = (struct bg_loc) { bg_model_intern(m, db->st[0]->file), db->st[0]->line, 0 };
        else if (db->n_ports)
                b->loc = (struct bg_loc) { bg_model_intern(m, db->ports[0].file), db->ports[0].line, 0 };
        if (!db->n_st)
                lg_diag(c, BG_DIAG_NOTE, db->n_ports ? db->ports[0].file : NULL, db->n_ports ? db->ports[0].line : 0,
                        0, "bond-master", "%s has no iface stanza of its own: no IP configuration", db->name);
        for (size_t i = 0; i < db->n_ports; i++) {
                struct dport *p = &db->ports[i];
                struct bg_port *bp = bg_bond_add_port(b, p->name, NULL);
                if (!bp)
                        return -ENOMEM;
                bp->loc = (struct bg_loc) { bg_model_intern(m, p->file), p->line, p->col };
        }
        if ((r = options(x, db, b)) < 0)
                return r;
        for (size_t i = 0; i < db->n_st; i++) {
                struct deb_stanza *s = db->st[i];
                for (size_t k = 0; k < s->n_opts; k++)
                        if (deb_is_slaves_key(s->opts[k].norm) && !s->opts[k].fate && !c->quiet) {
                                if (!strncmp(s->opts[k].value, "none", 4))
                                        deb_ofate(c, &s->opts[k], "no ports listed here (bond-master names them)");
                                else
                                        deb_ofate(c, &s->opts[k], "bonds[%s].ports = %s", b->name, s->opts[k].value);
                        }
                if ((r = deb_stanza_ip(x, db, b, s)) < 0)
                        return r;
        }
        for (size_t i = 0; i < db->n_ports; i++)
                port_stanza(x, db, b, &db->ports[i]);
        /* At boot: `auto` (ifup -a) on the bond or any port; allow-hotplug on
         * a port (ifenslave creates the bond when the port appears). */
        for (size_t i = 0; i < x->conf->n_ln; i++) {
                struct deb_line *l = &x->conf->ln[i];
                bool a = !strcmp(l->keyword, "auto") || !strcmp(l->keyword, "allow-auto");
                bool h = !strcmp(l->keyword, "allow-hotplug");
                for (size_t k = 0; k < l->n_words && (a || h); k++)
                        if ((a && !strcmp(l->words[k], b->name)) || is_port(db, l->words[k]))
                                b->onboot = true;
        }
        if (b->ipv4.method == BG_IP_NONE && b->ipv4.n_addresses)
                b->ipv4.method = BG_IP_STATIC;
        return 0;
}

static void line_fates(struct dctx *x) {
        for (size_t i = 0; i < x->conf->n_ln; i++) {
                struct deb_line *l = &x->conf->ln[i];
                if (l->fate)
                        continue;
                if (!strcmp(l->keyword, "auto") || !strncmp(l->keyword, "allow-", 6)) {
                        for (size_t k = 0; k < l->n_words; k++) {
                                const char *w = l->words[k];
                                struct dbond *b = find_bond(x, w);
                                if (b)
                                        lg_fate_append(&l->fate, "%s: bonds[%s].onboot = %s", w, w,
                                                       strcmp(l->keyword, "auto") && strcmp(l->keyword, "allow-auto")
                                                       ? "(see its ports)" : "true");
                                for (size_t j = 0; !b && j < x->n_bonds; j++)
                                        if (is_port(&x->bonds[j], w)) {
                                                b = &x->bonds[j];
                                                lg_fate_append(&l->fate, "%s: brings up bond %s", w, b->name);
                                        }
                                if (!b)
                                        lg_fate_append(&l->fate, "%s: ignored: not a bond or port", w);
                        }
                } else if (!strcmp(l->keyword, "rename")) {
                        lg_diag(x->c, BG_DIAG_WARNING, l->file, l->line, 0, l->keyword,
                                "interface renaming is not converted; use a systemd .link file");
                        lg_fate(&l->fate, "ignored: not converted (warned)");
                } else
                        lg_fate(&l->fate, "ignored: ifupdown's own behaviour, not configuration");
        }
        for (size_t i = 0; i < x->conf->n_st; i++) {
                struct deb_stanza *s = &x->conf->st[i];
                if (s->fate)
                        continue;
                lg_fate(&s->fate, s->kind == DEB_MAPPING ? "ignored: mapping stanzas choose a configuration at "
                        "ifup time; bondgen converts iface stanzas" : "ignored: %s is not a bond or a bond port",
                        s->name);
                for (size_t k = 0; k < s->n_opts; k++)
                        if (!s->opts[k].fate)
                                deb_ofate(x->c, &s->opts[k], "ignored: %s is not a bond or a bond port", s->name);
        }
}

int deb_build(struct lg_ctx *c, struct deb_conf *conf, struct bg_model *m) {
        struct dctx x = { .c = c, .conf = conf };
        struct bg_model scratch;
        int r;

        bg_model_init(&scratch);
        if ((r = collect(&x)) < 0)
                goto out;
        for (size_t i = 0; i < x.n_bonds; i++) {
                struct dbond *db = &x.bonds[i];
                size_t before = bg_diags_count(c->diags, BG_DIAG_ERROR);
                bg_model_free(&scratch);
                bg_model_init(&scratch);
                c->model = &scratch;
                if ((r = build(&x, db, &scratch)) < 0)
                        goto out;
                if (!db->bad && bg_diags_count(c->diags, BG_DIAG_ERROR) == before)
                        (void) bg_model_validate(&scratch, c->diags);
                if (bg_diags_count(c->diags, BG_DIAG_ERROR) > before)
                        db->bad = true;
        }
        c->model = m;
        if ((r = deb_stack(&x, m)) < 0)
                goto out;
        line_fates(&x);
        c->quiet = true;
        c->model = m;
        for (size_t i = 0; i < x.n_bonds; i++)
                if (!x.bonds[i].bad && (r = build(&x, &x.bonds[i], m)) < 0)
                        goto out;
        c->quiet = false;
        for (size_t i = 0; i < x.n_bonds; i++)
                if (x.bonds[i].bad)
                        lg_diag(c, BG_DIAG_ERROR, x.bonds[i].n_st ? x.bonds[i].st[0]->file : NULL,
                                x.bonds[i].n_st ? x.bonds[i].st[0]->line : 0, 0, x.bonds[i].name,
                                "bond not converted because of the errors above");
out:
        c->quiet = false;
        c->model = m;
        bg_model_free(&scratch);
        for (size_t i = 0; i < x.n_bonds; i++) {
                free(x.bonds[i].st);
                free(x.bonds[i].ports);
        }
        free(x.bonds);
        for (size_t i = 0; i < x.n_names; i++)
                free(x.names[i]);
        free(x.names);
        return r;
}
