/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SUSE: etc/sysconfig/network/ifcfg-* as wicked reads them (wicked's
 * compat-suse.c and ifcfg-bonding(5)), with the shell-variable lexer the
 * Red Hat reader uses (ifcfg-lex.c):
 *   - the interface name is the file name's suffix;
 *   - BONDING_MASTER=yes (yes, true or on) makes a bond; every variable
 *     whose name starts with BONDING_SLAVE and has a value names a port,
 *     in file order; none is an error, as in wicked;
 *   - BONDING_MODULE_OPTS holds the options (kernel names, names or
 *     numbers); wicked applies them over netlink and ignores BONDING_OPTS;
 *     it refuses a bond with neither miimon nor arp_interval;
 *   - BOOTPROTO static (the default), none, dhcp (v4 and v6), dhcp4,
 *     dhcp6; several joined with '+';
 *   - every IPADDR<suffix> is an address; its prefix is the /len in the
 *     value, else PREFIXLEN<suffix>, else NETMASK<suffix>, else a host
 *     prefix; 0.0.0.0 is skipped (YaST writes it for "no address");
 *   - STARTMODE auto/boot/onboot/on/hotplug/ifplugd/nfsroot start the
 *     interface at boot, manual (the default) and off do not;
 *   - MTU, LLADDR (the bond's MAC);
 *   - routes from etc/sysconfig/network/ifroute-BOND and .../routes, one
 *     per line: DESTINATION GATEWAY NETMASK INTERFACE [TYPE] [OPTIONS],
 *     '-' for an empty column (routes(5)).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "readers-int.h"

#include "suse-int.h"
#include "util/array.h"

bool lg_suse_true(const char *v) {
        return v && (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on"));
}


/* ---- reading ---- */

static int cmp_name(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int read_routes(struct sctx *x, const char *rel, const char *owner) {
        struct lg_ctx *c = x->c;
        const char *shown;
        char *data, *p, *save;
        size_t len;
        unsigned line = 0;
        int r = lg_read(c, rel, &data, &len, &shown);

        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (memchr(data, 0, len)) {
                lg_diag(c, BG_DIAG_ERROR, shown, 1, 0, NULL, "the file contains NUL bytes; not read");
                free(data);
                return 0;
        }
        data[len] = 0;
        for (p = data; p; p = save) {
                struct sroute *rt;
                char *s;
                save = strchr(p, '\n');
                if (save)
                        *save++ = 0;
                line++;
                s = p + strspn(p, " \t\r");
                if (!*s || *s == '#')
                        continue;
                if (!(rt = BG_NEW_SLOT(x->routes, x->n_routes))) {
                        free(data);
                        return -ENOMEM;
                }
                x->n_routes++;
                *rt = (struct sroute) { .file = shown, .line = line, .owner = owner };
                for (char *t = strtok(s, " \t\r"); t && rt->n < 8; t = strtok(NULL, " \t\r"))
                        if (!(rt->w[rt->n++] = strdup(t))) {
                                free(data);
                                return -ENOMEM;
                        }
        }
        free(data);
        return 0;
}

static int scan(struct sctx *x) {
        struct lg_ctx *c = x->c;
        char *dir = lg_path(c, SUSE_DIR), **names = NULL;
        size_t n = 0;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (!dir)
                return -ENOMEM;
        d = opendir(dir);
        free(dir);
        while (d && (de = readdir(d))) {
                if ((strncmp(de->d_name, "ifcfg-", 6) && strncmp(de->d_name, "ifroute-", 8)) ||
                    bg_legacy_ifcfg_backup_name(de->d_name) || !strcmp(de->d_name, "ifcfg-lo"))
                        continue;
                if (BG_APPEND_STRDUP(names, n, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (d)
                closedir(d);
        if (r == 0 && n)
                qsort(names, n, sizeof(*names), cmp_name);
        for (size_t i = 0; i < n && r == 0; i++) {
                char rel[512];
                const char *shown;
                char *data;
                size_t len;
                struct sfile *f;

                snprintf(rel, sizeof(rel), SUSE_DIR "/%s", names[i]);
                if (!strncmp(names[i], "ifroute-", 8)) {
                        r = read_routes(x, rel, lg_intern(c, names[i] + 8));
                        continue;
                }
                if ((r = lg_read(c, rel, &data, &len, &shown)) < 0) {
                        r = r == -ENOMEM ? r : 0;
                        continue;
                }
                if (!(f = BG_NEW_SLOT(x->files, x->n_files))) {
                        free(data);
                        r = -ENOMEM;
                        break;
                }
                x->n_files++;
                *f = (struct sfile) { .bond = -1 };
                f->name = strdup(names[i]);
                r = bg_ifcfg_parse(&f->cfg, shown, data, len);
                free(data);
                if (!f->name)
                        r = -ENOMEM;
                f->ifname = f->name ? f->name + 6 : "";
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        if (r == 0)
                r = read_routes(x, SUSE_DIR "/routes", NULL);
        return r;
}

struct sfile *lg_suse_file(struct sctx *x, const char *ifname) {
        for (size_t i = 0; i < x->n_files; i++)
                if (!strcmp(x->files[i].ifname, ifname))
                        return &x->files[i];
        return NULL;
}

/* Which files are bonds, and their ports. */
static int assign(struct sctx *x) {
        struct lg_ctx *c = x->c;

        for (size_t i = 0; i < x->n_files; i++) {
                struct sfile *f = &x->files[i];
                struct bg_ifcfg_var *m = bg_ifcfg_find(&f->cfg, "BONDING_MASTER");
                if (!m || !m->value)
                        continue;
                if (!lg_suse_true(m->value)) {
                        if (bg_ifcfg_bool(m->value) == 1)
                                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, m->line, m->col, m->key,
                                        "wicked takes only yes, true or on as true: %s is not a bond", f->ifname);
                        continue;
                }
                if (BG_APPEND(x->bonds, x->n_bonds, ((struct sbond) { .f = f })) < 0)
                        return -ENOMEM;
                f->is_bond = true;
                f->bond = (int) x->n_bonds - 1;
        }
        for (size_t i = 0; i < x->n_bonds; i++) {
                struct sbond *b = &x->bonds[i];
                struct bg_ifcfg *cfg = &b->f->cfg;
                for (size_t k = 0; k < cfg->n; k++) {
                        struct bg_ifcfg_var *v = &cfg->v[k];
                        struct sfile *pf;
                        if (strncmp(v->key, "BONDING_SLAVE", 13) || !v->value || !*v->value || v->overridden_by)
                                continue;
                        if (!strcmp(v->value, b->f->ifname)) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, v->key,
                                        "a bond cannot be its own port");
                                lg_vfate(c, cfg, v, "error: the bond itself");
                                b->bad = true;
                                continue;
                        }
                        pf = lg_suse_file(x, v->value);
                        if (pf && pf->is_bond) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, v->key,
                                        "%s is a bond itself; bonds of bonds are not supported", v->value);
                                lg_vfate(c, cfg, v, "error: nested bond");
                                b->bad = true;
                                continue;
                        }
                        int other = pf && pf->bond >= 0 && pf->bond != (int) i ? pf->bond : -1;
                        for (size_t j = 0; j < i && other < 0; j++)
                                for (size_t q = 0; q < x->bonds[j].n_ports && other < 0; q++)
                                        if (!strcmp(x->bonds[j].ports[q]->value, v->value))
                                                other = (int) j;
                        if (other >= 0) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, v->key,
                                        "%s is already a port of %s (wicked keeps it there and fails this bond)",
                                        v->value, x->bonds[other].f->ifname);
                                lg_vfate(c, cfg, v, "error: port of another bond");
                                b->bad = true;
                                continue;
                        }
                        if (BG_APPEND(b->ports, b->n_ports, v) < 0)
                                return -ENOMEM;
                        if (pf) {
                                pf->is_port = true;
                                pf->bond = (int) i;
                        }
                }
                if (!b->n_ports && !b->bad) {
                        lg_diag(c, BG_DIAG_ERROR, cfg->path, 0, 0, "BONDING_SLAVE",
                                "no BONDING_SLAVE<n> names a port (wicked refuses the bond)");
                        b->bad = true;
                }
        }
        /* Lexing problems: as they are for files that matter, warnings otherwise. */
        for (size_t i = 0; i < x->n_files; i++) {
                struct sfile *f = &x->files[i];
                for (size_t k = 0; k < f->cfg.diags.n; k++) {
                        struct bg_diag *d = &f->cfg.diags.v[k];
                        enum bg_diag_level l = d->level == BG_DIAG_ERROR && f->bond < 0 ? BG_DIAG_WARNING : d->level;
                        lg_diag(c, l, d->file, d->line, d->col, d->key, "%s", d->msg);
                        if (d->level == BG_DIAG_ERROR && f->bond >= 0)
                                x->bonds[f->bond].bad = true;
                }
        }
        return 0;
}

/* ---- building ---- */

static int options(struct sctx *x, struct sbond *sb, struct bg_bond *b) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = &sb->f->cfg;
        struct bg_ifcfg_var *v = bg_ifcfg_find(cfg, "BONDING_MODULE_OPTS");
        static const char *const refused[] = { "arp_missed_max", "peer_notif_delay", "ns_ip6_target", "lacp_active" };
        char *fate = NULL;
        int r = 0;

        if ((v = bg_ifcfg_find(cfg, "BONDING_MODULE_OPTS")) && v->value) {
                char *s = strdup(v->value), *save = NULL;
                if (!s)
                        return -ENOMEM;
                for (char *t = strtok_r(s, " \t", &save); t && r != -ENOMEM; t = strtok_r(NULL, " \t", &save)) {
                        char *eq = strchr(t, '=');
                        unsigned col = v->vcol + (unsigned) (t - s);
                        if (!eq || eq == t || !eq[1]) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, col, v->key,
                                        "'%s' is not KEY=VALUE (wicked refuses the bond)", t);
                                if (!c->quiet)
                                        lg_fate_append(&fate, "error: %s", t);
                                sb->bad = true;
                                continue;
                        }
                        *eq = 0;
                        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
                                if (!strcmp(t, refused[i]))
                                        lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, col, v->key,
                                                "wicked does not know %s and refuses the bond; bondgen converts "
                                                "it as the kernel takes it", t);
                        r = lg_set_opt(c, b, t, eq + 1, cfg->path, v->line, col, v->key, &fate, &sb->bad);
                }
                free(s);
                if (r == -ENOMEM) {
                        free(fate);
                        return r;
                }
                lg_vfate(c, cfg, v, "%s", fate ? fate : "empty: no options");
                free(fate);
        }
        if (!bg_bond_opt_num(b, BG_OPT_MIIMON) && !bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL)) {
                lg_diag(c, BG_DIAG_ERROR, cfg->path, v ? v->line : 0, v ? v->col : 0, "BONDING_MODULE_OPTS",
                        "neither miimon nor arp_interval: wicked refuses the bond (\"insufficient monitoring "
                        "settings\"); add miimon=100 to BONDING_MODULE_OPTS");
                sb->bad = true;
        }
        if ((v = bg_ifcfg_find(cfg, "BONDING_OPTS")) && v->value && *v->value) {
                lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->col, v->key,
                        "wicked ignores BONDING_OPTS (it reads BONDING_MODULE_OPTS); not converted");
                lg_vfate(c, cfg, v, "%s", "ignored: wicked does not read it (warned)");
        }
        return 0;
}

/* Addresses: every IPADDR<suffix>. */
static int addresses(struct sctx *x, struct sbond *sb, const struct suse_l3 *t, bool v4, bool v6) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = &sb->f->cfg;

        for (size_t i = 0; i < cfg->n; i++) {
                struct bg_ifcfg_var *v = &cfg->v[i], *pl, *nm;
                const char *suffix = v->key + 6;
                char host[64], key[128], buf[96];
                const char *slash;
                unsigned plen;
                int fam;
                bool dup = false;
                struct bg_ipcfg *ip;

                if (strncmp(v->key, "IPADDR", 6) || v->overridden_by || !v->value || !*v->value)
                        continue;
                slash = strchr(v->value, '/');
                snprintf(host, sizeof(host), "%.*s", slash ? (int) (slash - v->value) : (int) strlen(v->value), v->value);
                fam = lg_addr_family(host);
                if (!fam) {
                        lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, v->key, "'%s' is not an address", v->value);
                        lg_vfate(c, cfg, v, "%s", "error: not an address");
                        sb->bad = true;
                        continue;
                }
                if (!strcmp(host, "0.0.0.0") || !strcmp(host, "::")) {
                        lg_vfate(c, cfg, v, "%s", "ignored: the unspecified address means none (as in wicked)");
                        continue;
                }
                if ((fam == AF_INET && !v4) || (fam == AF_INET6 && !v6)) {
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->col, v->key,
                                "BOOTPROTO does not include static addressing for this family: wicked ignores %s",
                                v->key);
                        lg_vfate(c, cfg, v, "%s", "ignored: BOOTPROTO (warned)");
                        continue;
                }
                snprintf(key, sizeof(key), "PREFIXLEN%s", suffix);
                pl = bg_ifcfg_find(cfg, key);
                snprintf(key, sizeof(key), "NETMASK%s", suffix);
                nm = bg_ifcfg_find(cfg, key);
                plen = fam == AF_INET ? 32 : 128;
                if (slash) {
                        char *end;
                        unsigned long l = strtoul(slash + 1, &end, 10);
                        if (*end || !slash[1] || l > plen) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, v->key, "'%s': bad prefix length",
                                        v->value);
                                lg_vfate(c, cfg, v, "%s", "error: bad prefix length");
                                sb->bad = true;
                                continue;
                        }
                        plen = (unsigned) l;
                        if (pl && pl->value)
                                lg_vfate(c, cfg, pl, "%s", "ignored: the /len in the address wins");
                        if (nm && nm->value)
                                lg_vfate(c, cfg, nm, "%s", "ignored: the /len in the address wins");
                } else if (pl && pl->value && *pl->value) {
                        char *end;
                        unsigned long l = strtoul(pl->value, &end, 10);
                        if (*end || l > plen) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, pl->line, pl->vcol, pl->key, "'%s' is not a prefix "
                                        "length (0-%u)", pl->value, plen);
                                lg_vfate(c, cfg, pl, "%s", "error: bad prefix length");
                                sb->bad = true;
                                continue;
                        }
                        plen = (unsigned) l;
                        lg_vfate(c, cfg, pl, "prefix of %s", v->key);
                        if (nm && nm->value)
                                lg_vfate(c, cfg, nm, "ignored: %s wins", pl->key);
                } else if (nm && nm->value && *nm->value && fam == AF_INET) {
                        if (bg_netmask_to_prefix(nm->value, &plen) < 0) {
                                lg_diag(c, BG_DIAG_ERROR, cfg->path, nm->line, nm->vcol, nm->key, "'%s' is not a netmask",
                                        nm->value);
                                lg_vfate(c, cfg, nm, "%s", "error: not a netmask");
                                sb->bad = true;
                                continue;
                        }
                        lg_vfate(c, cfg, nm, "prefix of %s", v->key);
                } else
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->vcol, v->key,
                                "no /len, PREFIXLEN%s or NETMASK%s: wicked uses a host prefix (/%u)", suffix, suffix, plen);
                snprintf(buf, sizeof(buf), "%s/%u", host, plen);
                ip = fam == AF_INET ? t->ipv4 : t->ipv6;
                for (size_t k = 0; k < i && !dup; k++) {
                        struct bg_ifcfg_var *o = &cfg->v[k];
                        dup = !strncmp(o->key, "IPADDR", 6) && !o->overridden_by && o->value && !strcmp(o->value, v->value);
                }
                if (dup) {
                        lg_vfate(c, cfg, v, "%s", "ignored: the same address again (wicked removes duplicates)");
                        continue;
                }
                if (bg_ipcfg_add_address(ip, buf) < 0)
                        return -ENOMEM;
                if (sb->n_addr < sizeof(sb->addr) / sizeof(sb->addr[0]))
                        snprintf(sb->addr[sb->n_addr++], sizeof(sb->addr[0]), "%s", buf);
                ip->method = BG_IP_STATIC;
                lg_vfate(c, cfg, v, "%s[%s].%s.addresses += %s", t->list, t->name, fam == AF_INET ? "ipv4" : "ipv6", buf);
        }
        return 0;
}

int lg_suse_bootproto(struct sctx *x, struct sbond *sb, const struct suse_l3 *to) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = &sb->f->cfg;
        struct bg_ifcfg_var *v = bg_ifcfg_find(cfg, "BOOTPROTO");
        bool st4 = true, st6 = true;
        char *s, *save = NULL;
        int r;

        if (!v || !v->value || !*v->value)
                return addresses(x, sb, to, true, true);
        if (!(s = strdup(v->value)))
                return -ENOMEM;
        st4 = st6 = false;
        for (char *t = strtok_r(s, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
                if (!strcasecmp(t, "static"))
                        st4 = st6 = true;
                else if (!strcasecmp(t, "dhcp"))
                        to->ipv4->method = to->ipv6->method = BG_IP_DHCP;
                else if (!strcasecmp(t, "dhcp4"))
                        to->ipv4->method = BG_IP_DHCP;
                else if (!strcasecmp(t, "dhcp6"))
                        to->ipv6->method = BG_IP_DHCP;
                else if (!strcasecmp(t, "none"))
                        ;
                else if (!strcasecmp(t, "autoip") || !strcasecmp(t, "auto4") || !strcasecmp(t, "auto6")) {
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->vcol, v->key,
                                "%s (link-local autoconfiguration) is not converted", t);
                } else {
                        lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, v->key,
                                "BOOTPROTO '%s' is not supported here (static, none, dhcp, dhcp4, dhcp6)", t);
                        sb->bad = true;
                }
        }
        free(s);
        r = addresses(x, sb, to, st4 && to->ipv4->method != BG_IP_DHCP, st6 && to->ipv6->method != BG_IP_DHCP);
        lg_vfate(c, cfg, v, "%s[%s].ipv4.method = %s, ipv6.method = %s", to->list, to->name,
                 bg_ip_method_name(to->ipv4->method), bg_ip_method_name(to->ipv6->method));
        return r;
}

/* One routes line for bond b, when it is one. 1 = used. */
static int route(struct sctx *x, struct sbond *sb, struct bg_bond *b, struct sroute *rt) {
        struct lg_ctx *c = x->c;
        const char *dst = rt->n > 0 ? rt->w[0] : "-", *gw = rt->n > 1 ? rt->w[1] : "-";
        const char *mask = rt->n > 2 ? rt->w[2] : "-", *dev = rt->n > 3 ? rt->w[3] : "-";
        char to[96];
        uint32_t metric = 0;
        int fam;
        struct bg_ipcfg *ip;
        bool gw_set = strcmp(gw, "-") && strcmp(gw, "0.0.0.0") && strcmp(gw, "::");

        if (rt->owner ? strcmp(rt->owner, b->name) || (strcmp(dev, "-") && strcmp(dev, b->name))
                      : strcmp(dev, b->name)) {
                bool onlink = false;
                if (rt->owner || strcmp(dev, "-") || !gw_set)
                        return 0;
                /* routes, interface '-': the device that has the gateway on-link */
                for (size_t i = 0; i < sb->n_addr && !onlink; i++)
                        onlink = lg_in_prefix(sb->addr[i], gw);
                if (!onlink)
                        return 0;
        }
        if (!strcmp(dst, "default") || !strcmp(dst, "0.0.0.0/0") || !strcmp(dst, "::/0"))
                snprintf(to, sizeof(to), "default");
        else if (strchr(dst, '/'))
                snprintf(to, sizeof(to), "%s", dst);
        else if (strcmp(mask, "-") && lg_addr_family(dst) == AF_INET) {
                unsigned plen;
                char *end;
                unsigned long l = strtoul(mask, &end, 10);
                if (!*end && l <= 32)
                        plen = (unsigned) l;
                else if (bg_netmask_to_prefix(mask, &plen) < 0)
                        goto bad;
                snprintf(to, sizeof(to), "%s/%u", dst, plen);
        } else
                snprintf(to, sizeof(to), "%s/%u", dst, lg_addr_family(dst) == AF_INET6 ? 128 : 32);
        if (strcmp(to, "default")) {
                uint8_t a[16];
                unsigned plen;
                if (bg_parse_prefix(to, &fam, a, &plen) < 0) /* what bg_ipcfg_add_route() takes */
                        goto bad;
        } else
                fam = gw_set ? lg_addr_family(gw) : 0;
        if (!fam || (gw_set && lg_addr_family(gw) != fam))
                goto bad;
        for (size_t i = 5; i + 1 < rt->n; i += 2)
                if (!strcmp(rt->w[i], "metric"))
                        metric = (uint32_t) strtoul(rt->w[i + 1], NULL, 10);
                else
                        lg_diag(c, BG_DIAG_WARNING, rt->file, rt->line, 0, "route", "route option '%s' is not converted",
                                rt->w[i]);
        if (rt->n > 4 && strcmp(rt->w[4], "-") && strcmp(rt->w[4], "unicast"))
                lg_diag(c, BG_DIAG_WARNING, rt->file, rt->line, 0, "route", "route type '%s' is converted as unicast",
                        rt->w[4]);
        ip = fam == AF_INET6 ? &b->ipv6 : &b->ipv4;
        if (!strcmp(to, "default") && gw_set && !bg_addr_set(&ip->gateway) && !metric) {
                if (lg_set_gateway(ip, gw) < 0)
                        return -ENOMEM;
                if (!c->quiet)
                        lg_fate(&rt->fate, "bonds[%s].%s.gateway = %s", b->name, fam == AF_INET6 ? "ipv6" : "ipv4", gw);
        } else {
                if (bg_ipcfg_add_route(ip, to, gw_set ? gw : NULL, metric) < 0)
                        return -ENOMEM;
                if (!c->quiet)
                        lg_fate(&rt->fate, "bonds[%s].%s.routes += %s%s%s", b->name, fam == AF_INET6 ? "ipv6" : "ipv4",
                                to, gw_set ? " via " : "", gw_set ? gw : "");
        }
        return 1;
bad:
        lg_diag(c, BG_DIAG_ERROR, rt->file, rt->line, 0, "route", "cannot read this route (%s %s %s %s)", dst, gw, mask,
                dev);
        if (!c->quiet)
                lg_fate(&rt->fate, "error: unreadable route");
        sb->bad = true;
        return 0;
}

static const struct { const char *key, *why; } ignored[] = {
        { "NAME", "ignored: a description for YaST" },
        { "USERCONTROL", "ignored: lets users control the interface; not configuration" },
        { "FIREWALL", "ignored: firewall setting" },
        { "BROADCAST", "ignored: the model uses the standard broadcast address" },
        { "NETWORK", "ignored: computed from the address" },
        { "REMOTE_IPADDR", "ignored: point-to-point peers are not part of the bond model" },
        { "LABEL", "ignored: address labels are not part of the bond model" },
        { "SCOPE", "ignored: addresses get the kernel's default scope" },
        { "DHCLIENT", "ignored: DHCP client detail" },
        { "DHCLIENT6", "ignored: DHCP client detail" },
        { "BONDING_MASTER", "marks a bond" },
        { "BONDING_SLAVE", "used: a port of the bond" },
        { "PREFIXLEN", "ignored: no IPADDR with the same suffix" },
        { "NETMASK", "ignored: no IPADDR with the same suffix" },
        { "IPADDR", "ignored: empty" },
        { "PRE_UP_SCRIPT", "ignored: scripts are not converted" },
        { "POST_UP_SCRIPT", "ignored: scripts are not converted" },
        { "PRE_DOWN_SCRIPT", "ignored: scripts are not converted" },
        { "POST_DOWN_SCRIPT", "ignored: scripts are not converted" },
        { "LINK_REQUIRED", "ignored: wicked start-up policy" },
        { "WAIT_FOR_INTERFACES", "ignored: wicked start-up policy" },
};

static const char *port_reason(const char *key) {
        static const char *const l3[] = { "BOOTPROTO", "IPADDR", "PREFIXLEN", "NETMASK", "BROADCAST" };
        for (size_t i = 0; i < sizeof(l3) / sizeof(l3[0]); i++)
                if (!strncmp(key, l3[i], strlen(l3[i])))
                        return "ignored: wicked gives a bond port no IP configuration";
        if (!strcmp(key, "STARTMODE"))
                return "ignored: a port comes up with its bond";
        if (!strcmp(key, "MTU"))
                return "ignored: the bond sets its ports' MTU";
        return NULL;
}

void lg_suse_sweep(struct lg_ctx *c, struct sfile *f, const char *why_all) {
        for (size_t i = 0; i < f->cfg.n; i++) {
                struct bg_ifcfg_var *v = &f->cfg.v[i];
                const char *why = why_all;
                if (v->fate || v->overridden_by)
                        continue;
                if (f->is_port)
                        why = port_reason(v->key);
                if (!why && v->value && !*v->value)
                        why = "ignored: empty";
                for (size_t k = 0; !why && k < sizeof(ignored) / sizeof(ignored[0]); k++)
                        if (!strncmp(v->key, ignored[k].key, strlen(ignored[k].key)))
                                why = ignored[k].why;
                if (!why && (!strcmp(v->key, "ETHTOOL_OPTIONS") || !strcmp(v->key, "ZONE"))) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "%s part of the bond model; not converted",
                                v->key[0] == 'Z' ? "the firewall zone is not" : "ethtool settings are not");
                        why = "ignored: not converted (warned)";
                }
                if (!why) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key, "unknown key; ignored");
                        why = "ignored: unknown key (warned)";
                }
                lg_vfate(c, &f->cfg, v, "%s", why);
        }
}

int lg_suse_link(struct sctx *x, struct sbond *sb, const struct suse_l3 *t, bool *onboot, uint32_t *mtu,
                 struct bg_hwaddr *mac) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = &sb->f->cfg;
        struct bg_ifcfg_var *v;

        *onboot = false;
        if ((v = bg_ifcfg_find(cfg, "STARTMODE")) && v->value) {
                static const char *const boot[] = { "auto", "boot", "onboot", "on", "hotplug", "ifplugd", "nfsroot" };
                bool known = !strcmp(v->value, "manual") || !strcmp(v->value, "off") || !*v->value;
                for (size_t i = 0; i < sizeof(boot) / sizeof(boot[0]); i++)
                        if (!strcmp(v->value, boot[i]))
                                *onboot = known = true;
                if (!known)
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->vcol, v->key,
                                "unknown STARTMODE '%s': wicked uses manual", v->value);
                lg_vfate(c, cfg, v, "%s[%s].onboot = %s", t->list, t->name, *onboot ? "true" : "false");
        } else
                lg_diag(c, BG_DIAG_NOTE, cfg->path, 0, 0, "STARTMODE",
                        "no STARTMODE: wicked's default is manual, so %s is not started at boot", t->name);
        if ((v = bg_ifcfg_find(cfg, "MTU")) && v->value && *v->value) {
                char *end;
                unsigned long n = strtoul(v->value, &end, 10);
                if (*end || n < 68 || n > 65535) {
                        lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, "MTU", "'%s' is not an MTU (68-65535)",
                                v->value);
                        lg_vfate(c, cfg, v, "%s", "error: invalid MTU");
                        sb->bad = true;
                } else {
                        *mtu = (uint32_t) n;
                        lg_vfate(c, cfg, v, "%s[%s].mtu = %lu", t->list, t->name, n);
                }
        }
        if ((v = bg_ifcfg_find(cfg, "LLADDR")) && v->value && *v->value) {
                char text[18];
                if (bg_normalize_mac(v->value, text) < 0 || bg_hwaddr_parse(text, mac) < 0) {
                        lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->vcol, "LLADDR", "'%s' is not a MAC address",
                                v->value);
                        lg_vfate(c, cfg, v, "%s", "error: invalid MAC address");
                        sb->bad = true;
                } else if (!lg_mac_keep(c, cfg->path, v->line, v->vcol, "LLADDR", t->name, mac)) {
                        lg_vfate(c, cfg, v, "ignored: the kernel refuses %s as a device address (warned)", text);
                        *mac = (struct bg_hwaddr){ 0 };
                } else {
                        lg_vfate(c, cfg, v, "%s[%s].mac = %s", t->list, t->name, text);
                }
        }
        return 0;
}

static int build(struct sctx *x, struct sbond *sb, struct bg_model *m) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = &sb->f->cfg;
        struct bg_bond *b = bg_model_add_bond(m, sb->f->ifname);
        int r;

        if (!b)
                return -ENOMEM;
        struct suse_l3 t = { "bonds", b->name, &b->ipv4, &b->ipv6 };
        b->loc = (struct bg_loc) { bg_model_intern(m, cfg->path), 0, 0 };
        b->onboot = false;
        sb->n_addr = 0;
        if ((r = options(x, sb, b)) < 0)
                return r;
        for (size_t i = 0; i < sb->n_ports; i++) {
                struct bg_ifcfg_var *pv = sb->ports[i];
                struct bg_port *p = bg_bond_add_port(b, pv->value, NULL);
                struct sfile *pf = lg_suse_file(x, pv->value);
                if (!p)
                        return -ENOMEM;
                p->loc = (struct bg_loc) { bg_model_intern(m, cfg->path), pv->line, pv->vcol };
                lg_vfate(c, cfg, pv, "bonds[%s].ports += %s", b->name, pv->value);
                if (!pf)
                        lg_diag(c, BG_DIAG_NOTE, cfg->path, pv->line, pv->vcol, pv->key,
                                "%s has no ifcfg file; wicked uses it as a port all the same", pv->value);
                else {
                        struct bg_ifcfg_var *lv = bg_ifcfg_find(&pf->cfg, "LLADDR");
                        if (lv && lv->value && *lv->value) {
                                lg_diag(c, BG_DIAG_WARNING, pf->cfg.path, lv->line, lv->col, lv->key,
                                        "a port's MAC address is set by its bond; ignored");
                                lg_vfate(c, &pf->cfg, lv, "%s", "ignored: the bond sets its ports' MAC (warned)");
                        }
                        if (!c->quiet)
                                lg_suse_sweep(c, pf, NULL);
                }
        }
        if ((r = lg_suse_bootproto(x, sb, &t)) < 0)
                return r;
        if ((r = lg_suse_link(x, sb, &t, &b->onboot, &b->mtu, &b->mac)) < 0)
                return r;
        for (size_t i = 0; i < x->n_routes; i++)
                if ((r = route(x, sb, b, &x->routes[i])) < 0)
                        return r;
        lg_kfate(c, cfg, "BONDING_MASTER", "marks %s as a bond", b->name);
        if (!c->quiet)
                lg_suse_sweep(c, sb->f, NULL);
        return 0;
}

static int explain(struct sctx *x, struct bg_model *m) {
        struct lg_ctx *c = x->c;

        for (size_t i = 0; i < x->n_files; i++) {
                struct sfile *f = &x->files[i];
                if (f->bond < 0 && !f->is_stack)
                        lg_suse_sweep(c, f, "ignored: not a bond, VLAN or bridge, nor a port of one");
                if (c->explain && lg_explain_ifcfg(c->explain, m, &f->cfg) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < x->n_routes; i++) {
                struct sroute *rt = &x->routes[i];
                if (c->explain && lg_explain_add(c->explain, m, rt->file, rt->line, 0, "route",
                                                 rt->fate ? rt->fate : "ignored: not a route of a converted bond") < 0)
                        return -ENOMEM;
        }
        return c->explain ? lg_explain_sort(c->explain) : 0;
}

int lg_suse_read(const char *root, struct bg_model *m, struct bg_diags *diags, struct bg_explain *explain_out) {
        struct lg_ctx c;
        struct sctx x = { .c = &c };
        struct bg_model scratch;
        int r = lg_ctx_open(&c, root, diags, explain_out);

        if (r < 0)
                return r;
        bg_model_init(&scratch);
        if ((r = scan(&x)) < 0 || (r = assign(&x)) < 0)
                goto out;
        for (size_t i = 0; i < x.n_bonds; i++) {
                struct sbond *sb = &x.bonds[i];
                size_t before = bg_diags_count(diags, BG_DIAG_ERROR);
                bg_model_free(&scratch);
                bg_model_init(&scratch);
                c.model = &scratch;
                if ((r = build(&x, sb, &scratch)) < 0)
                        goto out;
                if (!sb->bad && bg_diags_count(diags, BG_DIAG_ERROR) == before)
                        (void) bg_model_validate(&scratch, diags);
                if (bg_diags_count(diags, BG_DIAG_ERROR) > before)
                        sb->bad = true;
        }
        c.quiet = true;
        c.model = m;
        for (size_t i = 0; i < x.n_bonds; i++)
                if (!x.bonds[i].bad && (r = build(&x, &x.bonds[i], m)) < 0)
                        goto out;
        c.quiet = false;
        if ((r = lg_suse_stack(&x, m)) < 0)
                goto out;
        for (size_t i = 0; i < x.n_bonds; i++)
                if (x.bonds[i].bad)
                        lg_diag(&c, BG_DIAG_ERROR, x.bonds[i].f->cfg.path, 0, 0, x.bonds[i].f->ifname,
                                "bond not converted because of the errors above");
        if ((r = explain(&x, m)) < 0)
                goto out;
        r = c.syserr ? c.syserr : bg_diags_has_errors(diags) ? -EINVAL : 0;
out:
        bg_model_free(&scratch);
        for (size_t i = 0; i < x.n_files; i++) {
                free(x.files[i].name);
                bg_ifcfg_free(&x.files[i].cfg);
        }
        free(x.files);
        for (size_t i = 0; i < x.n_routes; i++) {
                for (size_t k = 0; k < x.routes[i].n; k++)
                        free(x.routes[i].w[k]);
                free(x.routes[i].fate);
        }
        free(x.routes);
        for (size_t i = 0; i < x.n_bonds; i++)
                free(x.bonds[i].ports);
        free(x.bonds);
        lg_ctx_close(&c);
        return r;
}
