/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel command line -> canonical model: dracut's bond= (cmdline.c) plus
 * the ip= settings of those bonds (dracut.cmdline(7)):
 *   ip=<bond>:{dhcp|on|any|dhcp6|auto6|none|off}[:<mtu>]
 *   ip=<client-IP>:[<peer>]:<gateway-IP>:<netmask>:<hostname>:<bond>:{none|off|static}
 * (IPv6 addresses in brackets; netmask dotted or a prefix length). ip=
 * lines for other interfaces are not ours and are left alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "cmdline-model.h"
#include "util/util.h"

static const struct bg_loc cmdline_loc = { "/proc/cmdline", 1, 0 };

struct optctx {
        struct bg_bond *bond;
        struct bg_diags *diags;
        int r;
};

static int set_one(const char *key, const char *value, unsigned col, void *userdata) {
        struct optctx *c = userdata;
        const struct bg_opt_info *o = bg_opt_lookup(key);

        if (!o) {
                const char *s = bg_opt_suggest(key);
                bg_diag_add(c->diags, BG_DIAG_ERROR, &cmdline_loc, key,
                            "%s: unknown bonding option%s%s%s", c->bond->name,
                            s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
                c->r = -EINVAL;
                return 0;
        }
        if (!value) {
                bg_diag_add(c->diags, BG_DIAG_ERROR, &cmdline_loc, key, "%s: option without a value",
                            c->bond->name);
                c->r = -EINVAL;
                return 0;
        }
        if (bg_bond_set_opt_text(c->bond, o->id, value, &cmdline_loc, c->diags) < 0)
                c->r = -EINVAL;
        return 0;
}

/* "[2001:db8::1]" -> "2001:db8::1" in place. */
static char *unbracket(char *s) {
        size_t l = strlen(s);
        if (l >= 2 && s[0] == '[' && s[l - 1] == ']') {
                s[l - 1] = 0;
                return s + 1;
        }
        return s;
}

/* Split an ip= value at ':' outside brackets; at most max fields. */
static size_t split_ip(char *v, char **f, size_t max) {
        size_t n = 0;
        int depth = 0;

        f[n++] = v;
        for (char *c = v; *c; c++) {
                if (*c == '[')
                        depth++;
                else if (*c == ']')
                        depth--;
                else if (*c == ':' && depth == 0 && n < max) {
                        *c = 0;
                        f[n++] = c + 1;
                }
        }
        return n;
}

static int apply_ip(struct bg_model *m, const char *value, struct bg_diags *d) {
        _cleanup_free_ char *v = strdup(value);
        char *f[10] = { 0 };
        struct bg_bond *b;
        size_t n;

        if (!v)
                return -ENOMEM;
        n = split_ip(v, f, 10);
        if (n >= 2 && n <= 4) {
                /* ip=<iface>:<method>[:<mtu>[:<mac>]] */
                b = bg_model_find_bond(m, f[0]);
                if (!b)
                        return 0;
                const char *meth = f[1];
                if (!strcmp(meth, "dhcp") || !strcmp(meth, "on") || !strcmp(meth, "any"))
                        b->ipv4.method = BG_IP_DHCP;
                else if (!strcmp(meth, "dhcp6") || !strcmp(meth, "auto6"))
                        b->ipv6.method = BG_IP_DHCP;
                else if (strcmp(meth, "none") && strcmp(meth, "off")) {
                        bg_diag_add(d, BG_DIAG_ERROR, &cmdline_loc, "ip", "%s: unsupported method '%s'",
                                    b->name, meth);
                        return -EINVAL;
                }
                return 0;
        }
        if (n < 7)
                return 0;   /* ip=dhcp and the like: not about a bond */
        b = bg_model_find_bond(m, f[5]);
        if (!b)
                return 0;
        char *addr = unbracket(f[0]), *gw = unbracket(f[2]), *mask = f[3];
        const char *meth = f[6];
        if (strcmp(meth, "none") && strcmp(meth, "off") && strcmp(meth, "static")) {
                bg_diag_add(d, BG_DIAG_ERROR, &cmdline_loc, "ip",
                            "%s: only a static address can be combined with a bond here, not '%s'",
                            b->name, meth);
                return -EINVAL;
        }
        bool v6 = strchr(addr, ':') != NULL;
        unsigned prefix = 0;
        char *end;
        if (!*mask)
                prefix = v6 ? 64 : 32;
        else if (strchr(mask, '.')) {
                if (bg_netmask_to_prefix(mask, &prefix) < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, &cmdline_loc, "ip", "%s: bad netmask '%s'",
                                    b->name, mask);
                        return -EINVAL;
                }
        } else {
                prefix = (unsigned) strtoul(mask, &end, 10);
                if (*end || prefix > (v6 ? 128u : 32u)) {
                        bg_diag_add(d, BG_DIAG_ERROR, &cmdline_loc, "ip", "%s: bad prefix '%s'",
                                    b->name, mask);
                        return -EINVAL;
                }
        }
        _cleanup_free_ char *cidr = NULL;
        struct bg_addr a = { .loc = cmdline_loc }, g = { .loc = cmdline_loc };
        if (asprintf(&cidr, "%s/%u", addr, prefix) < 0)
                return -ENOMEM;
        if (bg_addr_parse_prefix(cidr, &a) < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &cmdline_loc, "ip", "%s: bad address '%s'", b->name, addr);
                return -EINVAL;
        }
        /* An unchecked gateway reached the model, and the YAML written from
         * it was refused by the loader at bondgen-apply time. */
        if (*gw && (bg_addr_parse_ip(gw, &g) < 0 || g.family != a.family)) {
                bg_diag_add(d, BG_DIAG_ERROR, &cmdline_loc, "ip", "%s: bad gateway '%s'", b->name, gw);
                return -EINVAL;
        }
        struct bg_ipcfg *c = v6 ? &b->ipv6 : &b->ipv4;
        c->method = BG_IP_STATIC;
        if (bg_ipcfg_add_addr(c, &a) < 0)
                return -ENOMEM;
        if (*gw)
                c->gateway = g;
        return 0;
}

/* Build one bond into m; returns -EINVAL (diags say why) if it is bad. */
static int add_bond(struct bg_model *m, const struct bg_boot_bond *sb, struct bg_diags *d) {
        struct bg_bond *b = bg_model_add_bond(m, sb->name);
        struct optctx c = { .diags = d };

        if (!b)
                return -ENOMEM;
        b->loc = cmdline_loc;
        b->mtu = sb->mtu;
        for (size_t i = 0; i < sb->n_ports; i++)
                if (!bg_bond_add_port(b, sb->ports[i].name, NULL))
                        return -ENOMEM;
        c.bond = b;
        if (sb->options && bg_opt_split(sb->options, set_one, &c) < 0)
                return -ENOMEM;
        return c.r;
}

int bg_boot_cmdline_model(const char *cmdline, struct bg_model *m, struct bg_diags *d) {
        struct bg_boot_set s = { 0 };
        const char *p = cmdline ? cmdline : "";
        int r, ret;

        ret = bg_boot_cmdline_bonds(cmdline, &s, d);
        if (ret == -ENOMEM)
                goto out;
        for (size_t i = 0; i < s.n_bonds; i++) {
                /* A bad bond is left out; the others still come up. */
                struct bg_model one;
                size_t before = d->n;
                bg_model_init(&one);
                r = add_bond(&one, &s.bonds[i], d);
                if (r == -ENOMEM) {
                        bg_model_free(&one);
                        ret = r;
                        goto out;
                }
                if (r < 0 || bg_diags_count(d, BG_DIAG_ERROR) > 0) {
                        bool new_errors = false;
                        for (size_t k = before; k < d->n; k++)
                                new_errors = new_errors || d->v[k].level == BG_DIAG_ERROR;
                        if (new_errors) {
                                bg_diag_add(d, BG_DIAG_NOTE, &cmdline_loc, "bond",
                                            "bond %s left out because of the errors above",
                                            s.bonds[i].name);
                                bg_model_free(&one);
                                ret = -EINVAL;
                                continue;
                        }
                }
                bg_model_free(&one);
                r = add_bond(m, &s.bonds[i], d);
                if (r < 0) {
                        ret = r;
                        goto out;
                }
        }
        for (;;) {
                char *k, *v;
                r = bg_boot_cmdline_next(&p, &k, &v);
                if (r <= 0) {
                        if (r < 0)
                                ret = r;
                        break;
                }
                if (!strcmp(k, "ip") && v) {
                        r = apply_ip(m, v, d);
                        if (r < 0 && ret >= 0)
                                ret = r;
                }
                free(k);
                free(v);
                if (ret == -ENOMEM)
                        break;
        }
out:
        bg_boot_set_free(&s);
        return ret;
}
