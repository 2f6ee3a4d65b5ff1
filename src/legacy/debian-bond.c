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
 * Addresses follow ifupdown's inet.defn: an explicit netmask beats /len
 * in address; with neither, the kernel gets a host prefix; gateway
 * installs the default route (onlink).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "debian-cmd.h"
#include "debian-int.h"

struct dport {
        const char *name;        /* owned by the stanza/option it comes from, or by names */
        struct deb_stanza *st;   /* the port's own stanza, NULL if none */
        const char *file;
        unsigned line, col;
};

struct dbond {
        const char *name;
        struct deb_stanza **st;  /* the bond's own stanzas (inet, inet6, ...) */
        size_t n_st;
        struct dport *ports;
        size_t n_ports;
        bool bad;
};

struct dctx {
        struct lg_ctx *c;
        struct deb_conf *conf;
        struct dbond *bonds;
        size_t n_bonds;
        char **names;            /* strings owned here (ports from commands) */
        size_t n_names;
};

static bool is_slaves_key(const char *norm) {
        return !strcmp(norm, "bond-slaves") || !strcmp(norm, "slaves") || !strcmp(norm, "bond-members");
}

static bool is_cmd_key(const char *norm) {
        return !strcmp(norm, "up") || !strcmp(norm, "post-up") || !strcmp(norm, "pre-up") ||
               !strcmp(norm, "down") || !strcmp(norm, "pre-down") || !strcmp(norm, "post-down");
}

static const char *keep(struct dctx *x, const char *s, size_t len) {
        char **v = realloc(x->names, (x->n_names + 1) * sizeof(*v));

        if (!v)
                return NULL;
        x->names = v;
        if (!(v[x->n_names] = strndup(s, len)))
                return NULL;
        return v[x->n_names++];
}

static struct dbond *find_bond(struct dctx *x, const char *name) {
        for (size_t i = 0; i < x->n_bonds; i++)
                if (!strcmp(x->bonds[i].name, name))
                        return &x->bonds[i];
        return NULL;
}

static struct dbond *want_bond(struct dctx *x, const char *name) {
        struct dbond *v, *b = find_bond(x, name);

        if (b)
                return b;
        if (!(v = realloc(x->bonds, (x->n_bonds + 1) * sizeof(*v))))
                return NULL;
        x->bonds = v;
        v[x->n_bonds] = (struct dbond) { .name = name };
        return &v[x->n_bonds++];
}

static struct deb_stanza *stanza_of(struct dctx *x, const char *name) {
        for (size_t i = 0; i < x->conf->n_st; i++)
                if (x->conf->st[i].kind == DEB_IFACE && !strcmp(x->conf->st[i].name, name))
                        return &x->conf->st[i];
        return NULL;
}

static int add_port(struct dctx *x, struct dbond *b, const char *name, const char *file, unsigned line,
                    unsigned col) {
        struct dport *v;

        for (size_t i = 0; i < b->n_ports; i++)
                if (!strcmp(b->ports[i].name, name))
                        return 0;
        if (!(v = realloc(b->ports, (b->n_ports + 1) * sizeof(*v))))
                return -ENOMEM;
        b->ports = v;
        v[b->n_ports++] = (struct dport) { name, stanza_of(x, name), file, line, col };
        return 0;
}

/* Word i (0-based) of s, kept in x; NULL when there is none. */
static const char *word(struct dctx *x, const char *s, size_t i, unsigned *col) {
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
                        const char *bn = word(x, master->value, 0, NULL);
                        if (!bn || !want_bond(x, bn))
                                return -ENOMEM;
                        for (size_t k = 0; k < s->n_opts; k++) {
                                struct deb_opt *op = &s->opts[k];
                                if (!is_slaves_key(op->norm))
                                        continue;
                                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                                        "%s also has bond-master: ifenslave ignores %s here", s->name, op->key);
                                deb_ofate(c, op, "ignored: bond-master in the same stanza wins (warned)");
                        }
                        continue;
                }
                for (size_t k = 0; k < s->n_opts; k++)
                        if (is_slaves_key(s->opts[k].norm) && !want_bond(x, s->name))
                                return -ENOMEM;
        }
        for (size_t i = 0; i < x->n_bonds; i++) {
                struct dbond *b = &x->bonds[i];
                for (size_t k = 0; k < x->conf->n_st; k++) {
                        struct deb_stanza *s = &x->conf->st[k], **v;
                        if (s->kind != DEB_IFACE || strcmp(s->name, b->name))
                                continue;
                        if (!(v = realloc(b->st, (b->n_st + 1) * sizeof(*v))))
                                return -ENOMEM;
                        b->st = v;
                        v[b->n_st++] = s;
                }
                /* bond-slaves of the bond's own stanzas */
                for (size_t k = 0; k < b->n_st; k++) {
                        struct deb_stanza *s = b->st[k];
                        struct deb_opt *bm = deb_find(s, "bond-master");
                        for (size_t o = 0; o < s->n_opts; o++) {
                                struct deb_opt *op = &s->opts[o];
                                const char *w;
                                unsigned col;
                                if (!is_slaves_key(op->norm) || bm)
                                        continue;
                                for (size_t n = 0; (w = word(x, op->value, n, &col)); n++) {
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
                        const char *w = bm ? word(x, bm->value, 0, NULL) : NULL;
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
                for (size_t n = 0; (w = word(x, op->value, n, NULL)); n++)
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
                for (size_t n = 0; (w = word(x, op->value, n, NULL)) && r >= 0; n++)
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
                                if (strncmp(op->norm, "bond-", 5) || is_slaves_key(op->norm) ||
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

/* Prefix length from netmask (dotted, or a bit count) or /len. */
static int address(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_stanza *s,
                   struct deb_opt *a, bool v6) {
        struct lg_ctx *c = x->c;
        struct deb_opt *nm = deb_find(s, "netmask");
        struct bg_ipcfg *ip = v6 ? &b->ipv6 : &b->ipv4;
        char host[64], buf[96];
        const char *slash = strchr(a->value, '/');
        unsigned plen = v6 ? 128 : 32;
        size_t hl = slash ? (size_t) (slash - a->value) : strlen(a->value);

        if (hl == 0 || hl >= sizeof(host) || strpbrk(a->value, " \t"))
                goto bad;
        memcpy(host, a->value, hl);
        host[hl] = 0;
        if (lg_addr_family(host) != (v6 ? AF_INET6 : AF_INET))
                goto bad;
        if (nm) {
                char *end;
                unsigned long bits = strtoul(nm->value, &end, 10);
                if (!*end && *nm->value && bits <= plen)
                        plen = (unsigned) bits;
                else if (v6 || bg_netmask_to_prefix(nm->value, &plen) < 0) {
                        lg_diag(c, BG_DIAG_ERROR, nm->file, nm->line, nm->vcol, nm->key, "'%s' is not a netmask",
                                nm->value);
                        deb_ofate(c, nm, "error: not a netmask");
                        db->bad = true;
                        return 0;
                }
                if (slash)
                        lg_diag(c, BG_DIAG_NOTE, nm->file, nm->line, nm->vcol, nm->key,
                                "netmask overrides the /%s in address (as ifupdown does)", slash + 1);
                deb_ofate(c, nm, "prefix /%u of %s", plen, host);
        } else if (slash) {
                char *end;
                unsigned long l = strtoul(slash + 1, &end, 10);
                if (*end || !slash[1] || l > plen)
                        goto bad;
                plen = (unsigned) l;
        } else
                lg_diag(c, BG_DIAG_WARNING, a->file, a->line, a->vcol, a->key,
                        "no netmask and no /len: ifupdown gives the kernel a host address (/%u)", plen);
        snprintf(buf, sizeof(buf), "%s/%u", host, plen);
        if (bg_ipcfg_add_address(ip, buf) < 0)
                return -ENOMEM;
        deb_ofate(c, a, "bonds[%s].%s.addresses += %s", b->name, v6 ? "ipv6" : "ipv4", buf);
        return 0;
bad:
        lg_diag(c, BG_DIAG_ERROR, a->file, a->line, a->vcol, a->key, "'%s' is not an IPv%c address%s", a->value,
                v6 ? '6' : '4', v6 ? "" : " (with an optional /len)");
        deb_ofate(c, a, "error: not an address");
        db->bad = true;
        return 0;
}

static int command(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_opt *op, bool port) {
        struct lg_ctx *c = x->c;
        bool runs_up = !strcmp(op->norm, "up") || !strcmp(op->norm, "post-up");
        struct deb_cmd k;
        int r;

        if (!strcmp(op->norm, "down") || !strcmp(op->norm, "pre-down") || !strcmp(op->norm, "post-down")) {
                deb_ofate(c, op, "ignored: runs when the interface is taken down");
                return 0;
        }
        if ((r = deb_cmd_parse(op->value, &k)) < 0)
                return r;
        if (runs_up && k.kind == DEB_CMD_IFENSLAVE && !k.detach && !k.change_active) {
                if (strcmp(k.bond, b->name) && !port)
                        deb_ofate(c, op, "ports of %s", k.bond);
                else
                        deb_ofate(c, op, "bonds[%s].ports (ifenslave)", k.bond);
        } else if (runs_up && k.kind == DEB_CMD_IFENSLAVE && k.change_active && k.n_ports == 1 &&
                   !strcmp(k.bond, b->name)) {
                r = lg_set_opt(c, b, "active_slave", k.ports[0], op->file, op->line, op->vcol, op->key, &op->fate,
                               &db->bad);
        } else if (runs_up && k.kind == DEB_CMD_ROUTE && !port && !k.table &&
                   (!*k.dev || !strcmp(k.dev, b->name))) {
                int fam = !strcmp(k.to, "default") ? (*k.via ? lg_addr_family(k.via) : 0)
                                                   : (strchr(k.to, ':') ? AF_INET6 : AF_INET);
                struct bg_ipcfg *ip = fam == AF_INET6 ? &b->ipv6 : &b->ipv4;
                if (!fam || (*k.via && lg_addr_family(k.via) != fam)) {
                        lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                "the route's destination and gateway are not of one address family");
                        deb_ofate(c, op, "error: bad route");
                        db->bad = true;
                } else if (!strcmp(k.to, "default") && !ip->gateway && !k.metric) {
                        if (lg_set_gateway(ip, k.via) < 0)
                                r = -ENOMEM;
                        deb_ofate(c, op, "bonds[%s].%s.gateway = %s", b->name, fam == AF_INET6 ? "ipv6" : "ipv4",
                                  k.via);
                } else {
                        if (bg_ipcfg_add_route(ip, k.to, *k.via ? k.via : NULL, k.metric) < 0)
                                r = -ENOMEM;
                        deb_ofate(c, op, "bonds[%s].%s.routes += %s%s%s", b->name, fam == AF_INET6 ? "ipv6" : "ipv4",
                                  k.to, *k.via ? " via " : "", k.via);
                }
        } else {
                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key, "%s",
                        k.table ? "a route in another table (policy routing) is not converted" :
                        port && k.kind == DEB_CMD_ROUTE ? "a route on a bond port is not converted" :
                        k.kind == DEB_CMD_ROUTE ? "a route through another device is not converted" :
                        "this command is not converted; run it from a systemd unit if it is still needed");
                deb_ofate(c, op, "ignored: command not converted (warned)");
        }
        deb_cmd_free(&k);
        return r == -ENOMEM ? r : 0;
}

/* Options of no consequence for the model, with the reason. */
static const struct { const char *key, *why; } ignored[] = {
        { "network", "ignored: ifupdown computes it from address and netmask" },
        { "dns-search", "ignored: search domains are resolver configuration, not part of the bond model" },
        { "dns-domain", "ignored: search domains are resolver configuration, not part of the bond model" },
        { "hostname", "ignored: DHCP client detail" },
        { "leasehours", "ignored: DHCP client detail" },
        { "leasetime", "ignored: DHCP client detail" },
        { "vendor", "ignored: DHCP client detail" },
        { "client", "ignored: DHCP client detail" },
        { "request-options", "ignored: DHCP client detail" },
        { "accept-ra", "ignored: router advertisements follow the kernel default" },
        { "autoconf", "ignored: address autoconfiguration follows the kernel default" },
        { "privext", "ignored: the kernel's default is kept" },
        { "dad-attempts", "ignored: duplicate address detection follows the kernel default" },
        { "dad-interval", "ignored: duplicate address detection follows the kernel default" },
        { "scope", "ignored: addresses get the kernel's default scope" },
        { "preferred-lifetime", "ignored: addresses are permanent" },
};

static int stanza_ip(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_stanza *s) {
        struct lg_ctx *c = x->c;
        bool v6 = !strcmp(s->family, "inet6"), v4 = !strcmp(s->family, "inet");
        struct bg_ipcfg *ip = v6 ? &b->ipv6 : &b->ipv4;
        enum bg_ip_method want = BG_IP_NONE;
        bool have_addr = false;
        int r;

        if (!v4 && !v6) {
                lg_diag(c, BG_DIAG_WARNING, s->file, s->line, 0, "iface", "family %s is not converted", s->family);
                if (!c->quiet)
                        lg_fate(&s->fate, "ignored: family %s (warned)", s->family);
        } else if (!strcmp(s->method, "static"))
                want = BG_IP_STATIC;
        else if (!strcmp(s->method, "dhcp"))
                want = BG_IP_DHCP;
        else if (v6 && !strcmp(s->method, "auto"))
                lg_diag(c, BG_DIAG_NOTE, s->file, s->line, 0, "iface",
                        "inet6 auto: router advertisements configure %s as the kernel does by default; "
                        "ipv6.method stays none", b->name);
        else if (strcmp(s->method, "manual")) {
                lg_diag(c, BG_DIAG_ERROR, s->file, s->line, 0, "iface", "method %s is not supported for a bond",
                        s->method);
                if (!c->quiet)
                        lg_fate(&s->fate, "error: method %s", s->method);
                db->bad = true;
        }
        if (want != BG_IP_NONE) {
                if (ip->method != BG_IP_NONE && ip->method != want) {
                        lg_diag(c, BG_DIAG_WARNING, s->file, s->line, 0, "iface",
                                "%s already has %s %s; this %s stanza is not used for the method",
                                b->name, s->family, bg_ip_method_name(ip->method), s->method);
                } else
                        ip->method = want;
        }
        if (!c->quiet && !s->fate)
                lg_fate(&s->fate, "bonds[%s].%s.method = %s", b->name, v6 ? "ipv6" : "ipv4",
                        bg_ip_method_name(want != BG_IP_NONE ? want : ip->method));
        for (size_t k = 0; k < s->n_opts; k++) {
                struct deb_opt *op = &s->opts[k];
                const char *n = op->norm;
                if (!strncmp(n, "bond-", 5) || is_slaves_key(n))
                        continue;
                if (is_cmd_key(n)) {
                        if ((r = command(x, db, b, op, false)) < 0)
                                return r;
                } else if (!strcmp(n, "address") && (v4 || v6)) {
                        have_addr = true;
                        if (want != BG_IP_STATIC) {
                                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                                        "ifupdown uses address only with method static; ignored");
                                deb_ofate(c, op, "ignored: method %s (warned)", s->method);
                        } else if ((r = address(x, db, b, s, op, v6)) < 0)
                                return r;
                } else if (!strcmp(n, "netmask")) {
                        if (!deb_find(s, "address"))
                                deb_ofate(c, op, "ignored: no address");
                } else if (!strcmp(n, "gateway") && (v4 || v6)) {
                        if (lg_addr_family(op->value) != (v6 ? AF_INET6 : AF_INET)) {
                                lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                        "'%s' is not an IPv%c address", op->value, v6 ? '6' : '4');
                                deb_ofate(c, op, "error: not an address");
                                db->bad = true;
                        } else {
                                if (lg_set_gateway(ip, op->value) < 0)
                                        return -ENOMEM;
                                deb_ofate(c, op, "bonds[%s].%s.gateway = %s", b->name, v6 ? "ipv6" : "ipv4",
                                          op->value);
                        }
                } else if (!strcmp(n, "metric")) {
                        lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                                "the metric of the default route is not converted");
                        deb_ofate(c, op, "ignored: not expressible (warned)");
                } else if (!strcmp(n, "mtu")) {
                        char *end;
                        unsigned long mtu = strtoul(op->value, &end, 10);
                        if (*end || mtu < 68 || mtu > 65535) {
                                lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                        "'%s' is not an MTU (68-65535)", op->value);
                                deb_ofate(c, op, "error: invalid MTU");
                                db->bad = true;
                        } else {
                                b->mtu = (uint32_t) mtu;
                                deb_ofate(c, op, "bonds[%s].mtu = %lu", b->name, mtu);
                        }
                } else if (!strcmp(n, "hwaddress")) {
                        const char *v = op->value;
                        char mac[18];
                        if (!strncmp(v, "ether", 5) && (v[5] == ' ' || v[5] == '\t'))
                                v += 5 + strspn(v + 5, " \t");
                        if (bg_normalize_mac(v, mac) < 0) {
                                lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                        "'%s' is not a MAC address", op->value);
                                deb_ofate(c, op, "error: invalid MAC address");
                                db->bad = true;
                        } else {
                                free(b->mac);
                                if (!(b->mac = strdup(mac)))
                                        return -ENOMEM;
                                deb_ofate(c, op, "bonds[%s].mac = %s", b->name, mac);
                        }
                } else if (!strcmp(n, "dns-nameservers")) {
                        const char *w;
                        for (size_t i = 0; (w = word(x, op->value, i, NULL)); i++) {
                                int f = lg_addr_family(w);
                                if (!f) {
                                        lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key,
                                                "'%s' is not an address; skipped", w);
                                        continue;
                                }
                                if (bg_ipcfg_add_dns(f == AF_INET6 ? &b->ipv6 : &b->ipv4, w) < 0)
                                        return -ENOMEM;
                        }
                        deb_ofate(c, op, "bonds[%s] dns += %s", b->name, op->value);
                } else if (!strcmp(n, "broadcast")) {
                        deb_ofate(c, op, "ignored: the model uses the standard broadcast address");
                } else {
                        const char *why = NULL;
                        for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]) && !why; i++)
                                if (!strcmp(n, ignored[i].key))
                                        why = ignored[i].why;
                        if (!why) {
                                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->col, op->key,
                                        "not a setting bondgen converts; ignored");
                                why = "ignored: not converted (warned)";
                        }
                        deb_ofate(c, op, "%s", why);
                }
        }
        if (want == BG_IP_STATIC && !have_addr && (v4 || v6)) {
                lg_diag(c, BG_DIAG_ERROR, s->file, s->line, 0, "iface",
                        "method static without an address (ifup fails: missing required variable)");
                db->bad = true;
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
                        else if (is_slaves_key(op->norm))
                                continue;
                        else if (!strncmp(op->norm, "bond-", 5))
                                continue;
                        else if (is_cmd_key(op->norm))
                                (void) command(x, db, b, op, true);
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
                        if (is_slaves_key(s->opts[k].norm) && !s->opts[k].fate && !c->quiet) {
                                if (!strncmp(s->opts[k].value, "none", 4))
                                        deb_ofate(c, &s->opts[k], "no ports listed here (bond-master names them)");
                                else
                                        deb_ofate(c, &s->opts[k], "bonds[%s].ports = %s", b->name, s->opts[k].value);
                        }
                if ((r = stanza_ip(x, db, b, s)) < 0)
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
