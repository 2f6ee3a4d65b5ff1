/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Static routes of a bond: etc/sysconfig/network-scripts/route-<bond> and
 * route6-<bond>. initscripts' ifup-routes accepts two forms in route-*:
 * shell variables ADDRESSn=, NETMASKn=, GATEWAYn=, METRICn= (chosen when a
 * line starts with ADDRESSn=) or one `ip route add` argument list per line.
 * route6-* has only the second form. Route attributes the model cannot
 * express (table, src, proto, scope, ...) are reported by name and the
 * route is left out rather than converted into a different route.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy-int.h"

static bool valid_addr(int family, const char *s) {
        unsigned char buf[16];
        return inet_pton(family, s, buf) == 1;
}

static int add_route(struct lg_ctx *c, struct bg_bond *b, int family, const char *to, const char *via,
                     uint32_t metric, const char *file, unsigned line) {
        struct bg_ipcfg *ip = family == AF_INET ? &b->ipv4 : &b->ipv6;
        int r = bg_ipcfg_add_route(ip, to, via, metric);

        if (r < 0)
                return r; /* -EINVAL: text the model does not take (a bad prefix length) */
        ip->routes[ip->n_routes - 1].loc = (struct bg_loc) { bg_model_intern(c->model, file), line, 0 };
        return 0;
}

static bool has_address_vars(const char *data) {
        regex_t re;
        bool r;

        if (regcomp(&re, "^[[:space:]]*ADDRESS[0-9]+=", REG_EXTENDED | REG_NEWLINE | REG_NOSUB))
                return false;
        r = regexec(&re, data, 0, NULL, 0) == 0;
        regfree(&re);
        return r;
}

static int vars_form(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, const char *path,
                     const char *data, size_t len) {
        struct bg_ifcfg f;
        int r = bg_ifcfg_parse(&f, path, data, len);

        if (r < 0)
                return r;
        for (size_t i = 0; i < f.diags.n; i++) {
                struct bg_diag *d = &f.diags.v[i];
                lg_diag(c, d->level, d->file, d->line, d->col, d->key, "%s", d->msg);
                if (d->level == BG_DIAG_ERROR)
                        lb->bad = true;
        }
        for (int i = 0; i < 256; i++) {
                char ka[16], km[16], kg[16], kx[16], to[64];
                struct bg_ifcfg_var *a, *m, *g, *x;
                unsigned prefix = 32;
                unsigned long metric = 0;

                snprintf(ka, sizeof(ka), "ADDRESS%d", i);
                snprintf(km, sizeof(km), "NETMASK%d", i);
                snprintf(kg, sizeof(kg), "GATEWAY%d", i);
                snprintf(kx, sizeof(kx), "METRIC%d", i);
                a = bg_ifcfg_find(&f, ka);
                if (!a)
                        break;  /* ifup-routes stops at the first missing index */
                m = bg_ifcfg_find(&f, km);
                g = bg_ifcfg_find(&f, kg);
                x = bg_ifcfg_find(&f, kx);
                if (!a->value)
                        continue;
                if (!valid_addr(AF_INET, a->value) ||
                    (m && m->value && *m->value && bg_netmask_to_prefix(m->value, &prefix) < 0) ||
                    (g && g->value && *g->value && !valid_addr(AF_INET, g->value)) ||
                    (x && x->value && *x->value && !(metric = strtoul(x->value, NULL, 10)))) {
                        lg_diag(c, BG_DIAG_ERROR, path, a->line, a->col, ka,
                                "route %d is invalid (%s=%s %s=%s %s=%s)", i, ka, a->value, km,
                                m && m->value ? m->value : "", kg, g && g->value ? g->value : "");
                        lb->bad = true;
                        lg_vfate(c, &f, a, "error: invalid route");
                        continue;
                }
                snprintf(to, sizeof(to), "%s/%u", a->value, prefix);
                if ((r = add_route(c, b, AF_INET, to, g && g->value && *g->value ? g->value : NULL,
                                   (uint32_t)metric, path, a->line)) < 0)
                        break;
                lg_vfate(c, &f, a, "%s[%s].ipv4.routes += %s", lg_l3_list(c), b->name, to);
                if (m)
                        lg_vfate(c, &f, m, "prefix of route %d", i);
                if (g)
                        lg_vfate(c, &f, g, "gateway of route %d", i);
                if (x)
                        lg_vfate(c, &f, x, "metric of route %d", i);
        }
        for (size_t i = 0; i < f.n && r >= 0; i++) {
                struct bg_ifcfg_var *v = &f.v[i];
                lg_explain_extra(c, path, v->line, v->key, "%s",
                                 v->fate ? v->fate : v->overridden_by ? "ignored: set again later"
                                                                      : "ignored: not a route key");
        }
        bg_ifcfg_free(&f);
        return r < 0 ? r : 0;
}

static int ip_line(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, int family,
                   const char *path, unsigned line, char *s) {
        char *w[32], *via = NULL, *to = NULL, buf[80];
        size_t n = 0, i = 0;
        unsigned long metric = 0;
        const char *unsupported = NULL;
        char *save = NULL;

        for (char *t = strtok_r(s, " \t\r", &save); t && n < 32; t = strtok_r(NULL, " \t\r", &save))
                w[n++] = t;
        if (n == 0)
                return 0;
        if (!strcmp(w[0], "unicast"))
                i++;
        if (i < n && (!strcmp(w[i], "throw") || !strcmp(w[i], "unreachable") ||
                      !strcmp(w[i], "blackhole") || !strcmp(w[i], "prohibit")))
                unsupported = w[i];
        else if (i < n)
                to = w[i++];
        for (; i < n && !unsupported; i++) {
                if (!strcmp(w[i], "via") && i + 1 < n)
                        via = w[++i];
                else if (!strcmp(w[i], "dev") && i + 1 < n) {
                        if (strcmp(w[++i], b->name)) {
                                lg_diag(c, BG_DIAG_WARNING, path, line, 0, "route",
                                        "route for device %s in %s's route file; ignored", w[i], b->name);
                                lg_explain_extra(c, path, line, "route", "ignored: another device (warned)");
                                return 0;
                        }
                } else if ((!strcmp(w[i], "metric") || !strcmp(w[i], "preference")) && i + 1 < n)
                        metric = strtoul(w[++i], NULL, 10);
                else
                        unsupported = w[i];
        }
        if (unsupported) {
                lg_diag(c, BG_DIAG_WARNING, path, line, 0, "route",
                        "'%s' cannot be expressed in the bond model; this route is left out", unsupported);
                lg_explain_extra(c, path, line, "route", "ignored: '%s' not expressible (warned)", unsupported);
                return 0;
        }
        if (!to) {
                lg_diag(c, BG_DIAG_ERROR, path, line, 0, "route", "route without a destination");
                lb->bad = true;
                return 0;
        }
        if (strcmp(to, "default")) {
                char *slash = strchr(to, '/');
                char addr[64];
                snprintf(addr, sizeof(addr), "%.*s", slash ? (int)(slash - to) : (int)strlen(to), to);
                if (!valid_addr(family, addr) || (via && !valid_addr(family, via))) {
                        lg_diag(c, BG_DIAG_ERROR, path, line, 0, "route", "'%s%s%s' is not a valid %s route",
                                to, via ? " via " : "", via ? via : "", family == AF_INET ? "IPv4" : "IPv6");
                        lg_explain_extra(c, path, line, "route", "error: invalid route");
                        lb->bad = true;
                        return 0;
                }
                if (!slash) {
                        snprintf(buf, sizeof(buf), "%s/%u", addr, family == AF_INET ? 32 : 128);
                        to = buf;
                }
        }
        switch (add_route(c, b, family, to, via, (uint32_t)metric, path, line)) {
        case 0:
                break;
        case -EINVAL:
                lg_diag(c, BG_DIAG_ERROR, path, line, 0, "route", "'%s%s%s' is not a valid %s route",
                        to, via ? " via " : "", via ? via : "", family == AF_INET ? "IPv4" : "IPv6");
                lg_explain_extra(c, path, line, "route", "error: invalid route");
                lb->bad = true;
                return 0;
        default:
                return -ENOMEM;
        }
        lg_explain_extra(c, path, line, "route", "%s[%s].%s.routes += %s%s%s", lg_l3_list(c), b->name,
                         family == AF_INET ? "ipv4" : "ipv6", to, via ? " via " : "", via ? via : "");
        return 0;
}

/* Read network-scripts/KIND-BOND (route, route6, rule, rule6): 1 with the
 * text in *data (to free) and its shown name, 0 when there is none or it
 * cannot be used (reported, and the bond marked bad), -ENOMEM. */
static int read_side_file(struct lg_ctx *c, struct lg_bond *lb, const char *kind, const char *bond,
                          char **data, size_t *len, const char **shown) {
        char rel[512];
        int r;

        snprintf(rel, sizeof(rel), "etc/sysconfig/network-scripts/%s-%s", kind, bond);
        if (!lg_rh_may_exist(c, rel + strlen("etc/sysconfig/network-scripts/")))
                return 0;
        r = lg_read(c, rel, data, len, shown);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                lb->bad = true;
                return r == -ENOMEM ? r : 0;
        }
        if (memchr(*data, 0, *len)) {
                lg_diag(c, BG_DIAG_ERROR, *shown, 0, 0, NULL, "the file contains NUL bytes (binary data?)");
                lb->bad = true;
                free(*data);
                return 0;
        }
        return 1;
}

/* The next line of the text at *p (read_side_file() let no NUL byte in),
 * cut at its '\n' and at a '#' comment; *p moves past it. NULL when no
 * line is left (a final '\n' ends the last one). */
static char *next_line(char **p) {
        char *s = *p, *eol, *hash;

        if (!s || !*s)
                return NULL;
        if ((eol = strchr(s, '\n'))) {
                *eol = 0;
                *p = eol + 1;
        } else
                *p = NULL;
        if ((hash = strchr(s, '#')))
                *hash = 0;
        return s;
}

int lg_routes(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, int family) {
        char *data, *p, *s;
        const char *shown;
        size_t len;
        unsigned line = 1;
        int r;

        r = read_side_file(c, lb, family == AF_INET ? "route" : "route6", b->name, &data, &len, &shown);
        if (r <= 0)
                return r;
        if (family == AF_INET && has_address_vars(data)) {
                r = vars_form(c, lb, b, shown, data, len);
                free(data);
                return r;
        }
        for (p = data; (s = next_line(&p)); line++)
                if ((r = ip_line(c, lb, b, family, shown, line, s)) < 0)
                        break;
        free(data);
        return r < 0 ? r : 0;
}

/* rule-<bond> and rule6-<bond>: `ip rule add` arguments, one rule per line,
 * which initscripts' ifup-routes installs after the routes (policy routing,
 * usually with `table` routes in route-<bond>). The model has no rules, so
 * every rule is reported, never dropped silently. */
int lg_rules(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, int family) {
        char *data, *p, *s;
        const char *shown;
        size_t len;
        unsigned line = 1;
        int r;

        r = read_side_file(c, lb, family == AF_INET ? "rule" : "rule6", b->name, &data, &len, &shown);
        if (r <= 0)
                return r;
        for (p = data; (s = next_line(&p)); line++) {
                size_t skip = strspn(s, " \t\r");

                if (s[skip]) {
                        char *end = s + strlen(s);

                        while (end > s + skip && strchr(" \t\r", end[-1]))
                                *--end = 0;
                        lg_diag(c, BG_DIAG_WARNING, shown, line, (unsigned) skip + 1, "rule",
                                "policy routing rule '%s' of %s is not converted (the model has no "
                                "routing rules): add it to the new configuration yourself",
                                s + skip, b->name);
                        lg_explain_extra(c, shown, line, "rule",
                                         "ignored: IPv%d policy routing rule, not part of the model (warned)",
                                         family == AF_INET ? 4 : 6);
                }
        }
        free(data);
        return 0;
}
