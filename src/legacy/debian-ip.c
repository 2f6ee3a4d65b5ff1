/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IP side of a Debian bond stanza, as ifupdown's inet.defn has it: the
 * method, address with netmask or /len (an explicit netmask wins; with
 * neither the kernel gets a host prefix), gateway (installed onlink),
 * mtu, hwaddress, dns-nameservers, and the up/post-up commands that add
 * routes (debian-cmd.c). Everything else is accounted for with a reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "debian-cmd.h"
#include "debian-int.h"

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
        deb_ofate(c, a, "%s[%s].%s.addresses += %s", lg_l3_list(c), b->name, v6 ? "ipv6" : "ipv4", buf);
        return 0;
bad:
        lg_diag(c, BG_DIAG_ERROR, a->file, a->line, a->vcol, a->key, "'%s' is not an IPv%c address%s", a->value,
                v6 ? '6' : '4', v6 ? "" : " (with an optional /len)");
        deb_ofate(c, a, "error: not an address");
        db->bad = true;
        return 0;
}

int deb_command(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_opt *op, bool port) {
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
                } else if (!strcmp(k.to, "default") && !bg_addr_set(&ip->gateway) && !k.metric) {
                        if (lg_set_gateway(ip, k.via) < 0)
                                r = -ENOMEM;
                        deb_ofate(c, op, "%s[%s].%s.gateway = %s", lg_l3_list(c), b->name, fam == AF_INET6 ? "ipv6" : "ipv4",
                                  k.via);
                } else {
                        int a = bg_ipcfg_add_route(ip, k.to, *k.via ? k.via : NULL, k.metric);
                        if (a == -EINVAL) {
                                lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                        "'%s' is not 'default' or an address with a prefix length", k.to);
                                deb_ofate(c, op, "error: bad route");
                                db->bad = true;
                        } else if (a < 0)
                                r = -ENOMEM;
                        else
                                deb_ofate(c, op, "%s[%s].%s.routes += %s%s%s", lg_l3_list(c), b->name,
                                          fam == AF_INET6 ? "ipv6" : "ipv4", k.to, *k.via ? " via " : "", k.via);
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

int deb_stanza_ip(struct dctx *x, struct dbond *db, struct bg_bond *b, struct deb_stanza *s) {
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
                lg_fate(&s->fate, "%s[%s].%s.method = %s", lg_l3_list(c), b->name, v6 ? "ipv6" : "ipv4",
                        bg_ip_method_name(want != BG_IP_NONE ? want : ip->method));
        for (size_t k = 0; k < s->n_opts; k++) {
                struct deb_opt *op = &s->opts[k];
                const char *n = op->norm;
                /* vlan- and bridge- options are the VLAN and bridge
                 * reader's (debian-stack.c). */
                if (!strncmp(n, "bond-", 5) || deb_is_slaves_key(n) || !strncmp(n, "vlan-", 5) ||
                    !strncmp(n, "bridge-", 7))
                        continue;
                if (deb_is_cmd_key(n)) {
                        if ((r = deb_command(x, db, b, op, false)) < 0)
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
                                deb_ofate(c, op, "%s[%s].%s.gateway = %s", lg_l3_list(c), b->name, v6 ? "ipv6" : "ipv4",
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
                                deb_ofate(c, op, "%s[%s].mtu = %lu", lg_l3_list(c), b->name, mtu);
                        }
                } else if (!strcmp(n, "hwaddress")) {
                        const char *v = op->value;
                        char mac[18];
                        if (!strncmp(v, "ether", 5) && (v[5] == ' ' || v[5] == '\t'))
                                v += 5 + strspn(v + 5, " \t");
                        if (bg_normalize_mac(v, mac) < 0 || bg_hwaddr_parse(mac, &b->mac) < 0) {
                                lg_diag(c, BG_DIAG_ERROR, op->file, op->line, op->vcol, op->key,
                                        "'%s' is not a MAC address", op->value);
                                deb_ofate(c, op, "error: invalid MAC address");
                                db->bad = true;
                        } else if (!lg_mac_keep(c, op->file, op->line, op->vcol, op->key, b->name, &b->mac)) {
                                deb_ofate(c, op, "ignored: the kernel refuses %s as a device address (warned)", mac);
                                b->mac = (struct bg_hwaddr){ 0 };
                        } else {
                                deb_ofate(c, op, "%s[%s].mac = %s", lg_l3_list(c), b->name, mac);
                        }
                } else if (!strcmp(n, "dns-nameservers")) {
                        const char *w;
                        for (size_t i = 0; (w = deb_word(x, op->value, i, NULL)); i++) {
                                int f = lg_addr_family(w);
                                if (!f) {
                                        lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key,
                                                "'%s' is not an address; skipped", w);
                                        continue;
                                }
                                if (bg_ipcfg_add_dns(f == AF_INET6 ? &b->ipv6 : &b->ipv4, w) < 0)
                                        return -ENOMEM;
                        }
                        deb_ofate(c, op, "%s[%s] dns += %s", lg_l3_list(c), b->name, op->value);
                } else if (!strcmp(n, "hostname")) {
                        /* ifupdown passes it to the DHCP client (dhclient -H). */
                        if (want != BG_IP_DHCP)
                                deb_ofate(c, op, "ignored: method %s is not dhcp", s->method);
                        else if (strspn(op->value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
                                         strlen(op->value) || op->value[0] == '-' || op->value[0] == '.') {
                                lg_diag(c, BG_DIAG_WARNING, op->file, op->line, op->vcol, op->key,
                                        "'%s' is not a host name; not converted", op->value);
                                deb_ofate(c, op, "ignored: not a host name (warned)");
                        } else if (bg_set_str(&b->dhcp_hostname, op->value) < 0)
                                return -ENOMEM;
                        else
                                deb_ofate(c, op, "%s[%s].dhcp-hostname = %s", lg_l3_list(c), b->name, op->value);
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

