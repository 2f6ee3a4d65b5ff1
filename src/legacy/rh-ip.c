/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layer 3 of a bond from its ifcfg file, alias files, route files and
 * etc/sysconfig/network (initscripts ifup-eth, network-functions
 * expand_config; NetworkManager nms-ifcfg-rh-reader.c). Rules chosen where
 * the tools differ (the man page lists them):
 *  - BOOTPROTO: dhcp/bootp mean DHCP, anything else static (initscripts);
 *    "DHCP" in another case is DHCP with a warning (NetworkManager reads it
 *    so, initscripts would have used static). Static addresses next to
 *    DHCP are ignored (initscripts) with a warning.
 *  - Addresses: IPADDR, IPADDR0, IPADDR1, then IPADDR2... up to the first
 *    gap (both tools). IPADDRn pairs with PREFIXn, else NETMASKn, else the
 *    classful prefix (both tools); PREFIX wins over NETMASK (sysconfig.txt).
 *  - Gateway: the un-numbered GATEWAY of the ifcfg file; else the first
 *    GATEWAYn next to an IPADDRn (NetworkManager); else GATEWAY of
 *    etc/sysconfig/network for a bond with static addresses when GATEWAYDEV
 *    is empty or names the bond. A gateway outside the subnet of the first
 *    address is left out with a warning: initscripts never installed that
 *    default route. DEFROUTE=no or GATEWAYDEV naming another device also
 *    leave it out.
 *  - IPv6: on unless IPV6INIT or NETWORKING_IPV6 is false (initscripts'
 *    default); IPV6ADDR and IPV6ADDR_SECONDARIES (/64 when no length);
 *    DHCPV6C=yes gives DHCPv6; IPV6_DEFAULTGW from the ifcfg file, else
 *    from etc/sysconfig/network when it names this bond (addr%bond or
 *    IPV6_DEFAULTDEV) or lies in one of its prefixes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "legacy-int.h"

struct ipctx {
        struct lg_ctx *c;
        struct lg_bond *lb;
        struct bg_bond *b;
        struct bg_ifcfg *cfg;
        uint32_t first_addr, first_mask;
        bool have_first;
};

/* Where a value was read, for the typed value in the model. */
static struct bg_loc vloc(struct ipctx *x, struct bg_ifcfg *cfg, struct bg_ifcfg_var *v) {
        return (struct bg_loc){ bg_model_intern(x->c->model, cfg->path), v->line, v->col };
}

static void last_addr_at(struct ipctx *x, struct bg_ipcfg *ip, struct bg_ifcfg *cfg, struct bg_ifcfg_var *v) {
        ip->addresses[ip->n_addresses - 1].loc = vloc(x, cfg, v);
}

static bool parse_v4(const char *s, uint32_t *out) {
        struct in_addr a;
        if (!s || inet_pton(AF_INET, s, &a) != 1)
                return false;
        *out = ntohl(a.s_addr);
        return true;
}

static uint32_t mask_of(unsigned prefix) {
        return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

static unsigned classful(uint32_t a) {
        if ((a >> 31) == 0)
                return 8;
        if ((a >> 30) == 2)
                return 16;
        return 24;  /* class C, and D/E as NetworkManager does */
}

static void fmt_v4(uint32_t a, char buf[16]) {
        struct in_addr x = { htonl(a) };
        inet_ntop(AF_INET, &x, buf, 16);
}

static void bad(struct ipctx *x, struct bg_ifcfg *cfg, struct bg_ifcfg_var *v, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void bad(struct ipctx *x, struct bg_ifcfg *cfg, struct bg_ifcfg_var *v, const char *fmt, ...) {
        va_list ap;
        char *msg;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        lg_diag(x->c, BG_DIAG_ERROR, cfg->path, v->line, v->col, v->key, "%s", msg ? msg : "invalid value");
        free(msg);
        lg_vfate(x->c, cfg, v, "error: invalid value");
        x->lb->bad = true;
}

/* One IPv4 address of index idx ("" or "0".."255") of cfg. inherit_prefix
 * (alias files) is used when the file gives neither PREFIX nor NETMASK. */
static int one_address(struct ipctx *x, struct bg_ifcfg *cfg, const char *idx, int inherit_prefix,
                       bool *found) {
        char k_ip[32], k_pre[32], k_mask[32], buf[64], a4[16];
        struct bg_ifcfg_var *ip, *pre, *mask;
        uint32_t a, m;
        unsigned prefix = 0;
        const char *from;

        snprintf(k_ip, sizeof(k_ip), "IPADDR%s", idx);
        snprintf(k_pre, sizeof(k_pre), "PREFIX%s", idx);
        snprintf(k_mask, sizeof(k_mask), "NETMASK%s", idx);
        ip = bg_ifcfg_find(cfg, k_ip);
        *found = ip && (!ip->value || *ip->value);
        if (!*found || !ip->value)
                return 0;
        pre = bg_ifcfg_find(cfg, k_pre);
        mask = bg_ifcfg_find(cfg, k_mask);
        if (strchr(ip->value, '/')) {
                bad(x, cfg, ip, "'%s': a prefix length inside IPADDR is SUSE syntax; Red Hat tools "
                    "reject it: write PREFIX= instead", ip->value);
                return 0;
        }
        if (!parse_v4(ip->value, &a)) {
                bad(x, cfg, ip, "'%s' is not an IPv4 address", ip->value);
                return 0;
        }
        if (pre && pre->value && *pre->value) {
                char *end;
                unsigned long p = strtoul(pre->value, &end, 10);
                if (*end || p > 32) {
                        bad(x, cfg, pre, "'%s' is not a prefix length (0-32)", pre->value);
                        return 0;
                }
                prefix = (unsigned)p;
                from = k_pre;
                lg_vfate(x->c, cfg, pre, "prefix /%u of %s", prefix, ip->value);
                if (mask && mask->value && *mask->value) {
                        unsigned mp;
                        if (bg_netmask_to_prefix(mask->value, &mp) < 0 || mp != prefix) {
                                lg_diag(x->c, BG_DIAG_WARNING, cfg->path, mask->line, mask->col, mask->key,
                                        "%s=%s disagrees with %s=%u; %s wins (as in initscripts and "
                                        "NetworkManager)", k_mask, mask->value, k_pre, prefix, k_pre);
                                lg_vfate(x->c, cfg, mask, "ignored: %s wins (warned)", k_pre);
                        } else
                                lg_vfate(x->c, cfg, mask, "ignored: same as %s", k_pre);
                }
        } else if (mask && mask->value && *mask->value) {
                if (bg_netmask_to_prefix(mask->value, &prefix) < 0) {
                        bad(x, cfg, mask, "'%s' is not a netmask", mask->value);
                        return 0;
                }
                from = k_mask;
                lg_vfate(x->c, cfg, mask, "prefix /%u of %s", prefix, ip->value);
        } else if (inherit_prefix >= 0) {
                prefix = (unsigned)inherit_prefix;
                from = "the parent file";
        } else {
                prefix = classful(a);
                from = "class";
                lg_diag(x->c, BG_DIAG_WARNING, cfg->path, ip->line, ip->col, k_ip,
                        "no %s or %s: assuming the classful prefix /%u, as initscripts did",
                        k_pre, k_mask, prefix);
        }
        (void)from;
        m = mask_of(prefix);
        fmt_v4(a, a4);
        snprintf(buf, sizeof(buf), "%s/%u", a4, prefix);
        if (bg_ipcfg_add_address(&x->b->ipv4, buf) < 0)
                return -ENOMEM;
        last_addr_at(x, &x->b->ipv4, cfg, ip);
        lg_vfate(x->c, cfg, ip, "%s[%s].ipv4.addresses += %s", lg_l3_list(x->c), x->b->name, buf);
        if (!x->have_first) {
                x->have_first = true;
                x->first_addr = a;
                x->first_mask = m;
        }
        return 0;
}

static void network_broadcast(struct ipctx *x) {
        struct bg_ifcfg_var *v;
        uint32_t n;
        char want[16];

        if ((v = bg_ifcfg_find(x->cfg, "NETWORK")) && v->value && *v->value) {
                fmt_v4(x->first_addr & x->first_mask, want);
                if (!x->have_first)
                        lg_vfate(x->c, x->cfg, v, "ignored: no address");
                else if (!parse_v4(v->value, &n) || n != (x->first_addr & x->first_mask)) {
                        lg_diag(x->c, BG_DIAG_WARNING, x->cfg->path, v->line, v->col, "NETWORK",
                                "NETWORK=%s does not match the first address (network %s); ignored",
                                v->value, want);
                        lg_vfate(x->c, x->cfg, v, "ignored: inconsistent (warned)");
                } else
                        lg_vfate(x->c, x->cfg, v, "checked: equals the network of the first address");
        }
        if ((v = bg_ifcfg_find(x->cfg, "BROADCAST")) && v->value && *v->value) {
                fmt_v4((x->first_addr & x->first_mask) | ~x->first_mask, want);
                if (!x->have_first)
                        lg_vfate(x->c, x->cfg, v, "ignored: no address");
                else if (!parse_v4(v->value, &n) || n != ((x->first_addr & x->first_mask) | ~x->first_mask)) {
                        lg_diag(x->c, BG_DIAG_WARNING, x->cfg->path, v->line, v->col, "BROADCAST",
                                "BROADCAST=%s is not the standard broadcast %s, which the model uses",
                                v->value, want);
                        lg_vfate(x->c, x->cfg, v, "ignored: non-standard broadcast (warned)");
                } else
                        lg_vfate(x->c, x->cfg, v, "checked: equals the computed broadcast");
        }
}

/* Does f set any PREFIX<digit>...? Saves 256 lookups per file that has none. */
static bool has_numbered(const struct bg_ifcfg *f, const char *prefix) {
        size_t pl = strlen(prefix);

        for (size_t i = 0; i < f->n; i++)
                if (!strncmp(f->v[i].key, prefix, pl) && f->v[i].key[pl] >= '0' && f->v[i].key[pl] <= '9')
                        return true;
        return false;
}

static int gateway(struct ipctx *x, bool is_static) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = x->cfg;
        struct bg_ifcfg_var *gv = bg_ifcfg_find(cfg, "GATEWAY"), *dr = bg_ifcfg_find(cfg, "DEFROUTE");
        struct bg_ifcfg *gcfg = cfg;
        const char *gwdev = c->have_network ? bg_ifcfg_get(&c->network, "GATEWAYDEV") : NULL;
        uint32_t g;

        bool numbered = has_numbered(cfg, "GATEWAY");

        if (!gv || !gv->value || !*gv->value) {
                gv = NULL;
                for (int i = 0; i < 256 && !gv && numbered; i++) {
                        char k[16], ki[16];
                        struct bg_ifcfg_var *v;
                        snprintf(k, sizeof(k), "GATEWAY%d", i);
                        snprintf(ki, sizeof(ki), "IPADDR%d", i);
                        v = bg_ifcfg_find(cfg, k);
                        if (v && v->value && *v->value && bg_ifcfg_get(cfg, ki)) {
                                gv = v;
                                lg_diag(c, BG_DIAG_NOTE, cfg->path, v->line, v->col, k,
                                        "initscripts reads only GATEWAY; %s is used as NetworkManager does", k);
                        }
                }
        }
        for (int i = 0; i < 256 && numbered; i++) {
                char k[16];
                struct bg_ifcfg_var *v;
                snprintf(k, sizeof(k), "GATEWAY%d", i);
                if ((v = bg_ifcfg_find(cfg, k)) && v != gv && v->value && !v->fate) {
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->col, k,
                                "only one default gateway is converted; ignored");
                        lg_vfate(c, cfg, v, "ignored: another gateway wins (warned)");
                }
        }
        if (!gv && c->have_network && is_static) {
                struct bg_ifcfg_var *v = bg_ifcfg_find(&c->network, "GATEWAY");
                if (v && v->value && *v->value) {
                        gcfg = &c->network;
                        gv = v;
                }
        }
        if (!gv) {
                /* initscripts: GATEWAYDEV naming this device without any
                 * GATEWAY adds a default route through the device itself. */
                struct bg_ifcfg_var *gd = c->have_network ? bg_ifcfg_find(&c->network, "GATEWAYDEV") : NULL;
                if (gd && gd->value && !strcmp(gd->value, x->b->name) && is_static &&
                    !(dr && dr->value && bg_ifcfg_bool(dr->value) == 0)) {
                        if (bg_ipcfg_add_route(&x->b->ipv4, "default", NULL, 0) < 0)
                                return -ENOMEM;
                        lg_vfate(c, &c->network, gd, "%s[%s].ipv4.routes += default (through the device)",
                                 lg_l3_list(c), x->b->name);
                }
                return 0;
        }
        if (!is_static) {
                if (gcfg == cfg) {
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, gv->line, gv->col, gv->key,
                                "%s is ignored for a DHCP bond (initscripts' DHCP path does not use it)", gv->key);
                        lg_vfate(c, cfg, gv, "ignored: DHCP (warned)");
                }
                return 0;
        }
        if (!parse_v4(gv->value, &g)) {
                bad(x, gcfg, gv, "'%s' is not an IPv4 address", gv->value);
                return 0;
        }
        if (dr && dr->value && bg_ifcfg_bool(dr->value) == 0) {
                lg_diag(c, BG_DIAG_WARNING, gcfg->path, gv->line, gv->col, gv->key,
                        "DEFROUTE=no: the gateway %s is not used", gv->value);
                lg_vfate(c, gcfg, gv, "ignored: DEFROUTE=no (warned)");
                lg_vfate(c, cfg, dr, "default route disabled");
                return 0;
        }
        if (dr)
                lg_vfate(c, cfg, dr, "checked: default route allowed");
        if (gwdev && *gwdev && strcmp(gwdev, x->b->name)) {
                if (gcfg == cfg) {
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, gv->line, gv->col, gv->key,
                                "GATEWAYDEV=%s in etc/sysconfig/network: initscripts did not install "
                                "this default route via %s; left out", gwdev, x->b->name);
                        lg_vfate(c, cfg, gv, "ignored: GATEWAYDEV names another device (warned)");
                }
                return 0;
        }
        if (!x->have_first || (g & x->first_mask) != (x->first_addr & x->first_mask)) {
                char net[16];
                fmt_v4(x->first_addr & x->first_mask, net);
                if (gcfg == cfg) {
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, gv->line, gv->col, gv->key,
                                "the gateway %s is not on-link (not in %s/%u of the first address): "
                                "initscripts never installed this default route, so it is left out",
                                gv->value, net, 32 - (unsigned)__builtin_popcount(~x->first_mask));
                        lg_vfate(c, cfg, gv, "ignored: gateway not on-link (warned)");
                } else if (!gv->fate)
                        lg_vfate(c, gcfg, gv, "ignored: not on-link for any bond");
                return 0;
        }
        if (bg_ipcfg_set_gateway(&x->b->ipv4, gv->value) < 0)
                return -EINVAL; /* parse_v4() took it: cannot happen */
        x->b->ipv4.gateway.loc = vloc(x, gcfg, gv);
        lg_vfate(c, gcfg, gv, "%s[%s].ipv4.gateway = %s", lg_l3_list(c), x->b->name, gv->value);
        return 0;
}

static int dns(struct ipctx *x) {
        for (int i = 1; i < 100; i++) {
                char k[16];
                struct bg_ifcfg_var *v;
                struct in6_addr a6;
                uint32_t a4;
                bool v6;

                snprintf(k, sizeof(k), "DNS%d", i);
                v = bg_ifcfg_find(x->cfg, k);
                if (!v || (v->value && !*v->value))
                        break;
                if (!v->value)
                        continue;
                v6 = inet_pton(AF_INET6, v->value, &a6) == 1;
                if (!v6 && !parse_v4(v->value, &a4)) {
                        bad(x, x->cfg, v, "'%s' is not an IP address", v->value);
                        continue;
                }
                if (bg_ipcfg_add_dns(v6 ? &x->b->ipv6 : &x->b->ipv4, v->value) < 0)
                        return -ENOMEM;
                {
                        struct bg_ipcfg *ipc = v6 ? &x->b->ipv6 : &x->b->ipv4;
                        ipc->dns[ipc->n_dns - 1].loc = vloc(x, x->cfg, v);
                }
                lg_vfate(x->c, x->cfg, v, "%s[%s].%s.dns += %s", lg_l3_list(x->c), x->b->name, v6 ? "ipv6" : "ipv4",
                         v->value);
        }
        {
                struct bg_ifcfg_var *v = bg_ifcfg_find(x->cfg, "DOMAIN");
                if (v && v->value && *v->value) {
                        lg_diag(x->c, BG_DIAG_WARNING, x->cfg->path, v->line, v->col, "DOMAIN",
                                "search domains are not part of the bond model; not converted");
                        lg_vfate(x->c, x->cfg, v, "ignored: not expressible (warned)");
                }
        }
        return 0;
}

static int ipv6(struct ipctx *x) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg *cfg = x->cfg;
        struct bg_ifcfg_var *init = bg_ifcfg_find(cfg, "IPV6INIT");
        const char *netv6 = c->have_network ? bg_ifcfg_get(&c->network, "NETWORKING_IPV6") : NULL;
        struct bg_ifcfg_var *addr = bg_ifcfg_find(cfg, "IPV6ADDR");
        struct bg_ifcfg_var *sec = bg_ifcfg_find(cfg, "IPV6ADDR_SECONDARIES");
        struct bg_ifcfg_var *dhcp = bg_ifcfg_find(cfg, "DHCPV6C");
        struct bg_ifcfg_var *gw = bg_ifcfg_find(cfg, "IPV6_DEFAULTGW");
        struct bg_ifcfg *gcfg = cfg;
        bool on = true;

        if (init && init->value && bg_ifcfg_bool(init->value) == 0)
                on = false;
        if (netv6 && bg_ifcfg_bool(netv6) == 0)
                on = false;
        if (!on) {
                if (init)
                        lg_vfate(c, cfg, init, "%s[%s].ipv6.method = none", lg_l3_list(c), x->b->name);
                if ((addr && addr->value && *addr->value) || (sec && sec->value && *sec->value))
                        lg_diag(c, BG_DIAG_WARNING, cfg->path, addr ? addr->line : sec->line, 0, "IPV6ADDR",
                                "IPv6 is off (IPV6INIT=no or NETWORKING_IPV6=no): the addresses are ignored");
                lg_kfate(c, cfg, "IPV6ADDR", "ignored: IPv6 is off");
                lg_kfate(c, cfg, "IPV6ADDR_SECONDARIES", "ignored: IPv6 is off");
                lg_kfate(c, cfg, "IPV6_DEFAULTGW", "ignored: IPv6 is off");
                lg_kfate(c, cfg, "DHCPV6C", "ignored: IPv6 is off");
                lg_kfate(c, cfg, "IPV6_AUTOCONF", "ignored: IPv6 is off");
                return 0;
        }
        if (init)
                lg_vfate(c, cfg, init, "IPv6 on");
        if (dhcp && dhcp->value && bg_ifcfg_bool(dhcp->value) == 1) {
                x->b->ipv6.method = BG_IP_DHCP;
                lg_vfate(c, cfg, dhcp, "%s[%s].ipv6.method = dhcp", lg_l3_list(c), x->b->name);
        } else if (dhcp)
                lg_vfate(c, cfg, dhcp, "no DHCPv6");
        for (int pass = 0; pass < 2; pass++) {
                struct bg_ifcfg_var *v = pass ? sec : addr;
                char *copy, *save = NULL;

                if (!v || !v->value || !*v->value)
                        continue;
                if (!(copy = strdup(v->value)))
                        return -ENOMEM;
                for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                        char buf[80], *slash = strchr(t, '/');
                        struct in6_addr a6;
                        unsigned long pl = 64;
                        char *end = NULL;

                        if (slash) {
                                *slash = 0;
                                pl = strtoul(slash + 1, &end, 10);
                        }
                        if (inet_pton(AF_INET6, t, &a6) != 1 || (slash && (*end || pl > 128))) {
                                if (slash)
                                        *slash = '/';
                                bad(x, cfg, v, "'%s' is not an IPv6 address[/prefix]", t);
                                break;
                        }
                        snprintf(buf, sizeof(buf), "%s/%lu", t, pl);
                        if (bg_ipcfg_add_address(&x->b->ipv6, buf) < 0) {
                                free(copy);
                                return -ENOMEM;
                        }
                        last_addr_at(x, &x->b->ipv6, cfg, v);
                        if (x->b->ipv6.method == BG_IP_NONE)
                                x->b->ipv6.method = BG_IP_STATIC;
                }
                free(copy);
                if (!v->fate)
                        lg_vfate(c, cfg, v, "%s[%s].ipv6.addresses += %s%s", lg_l3_list(c), x->b->name, v->value,
                                 !strchr(v->value, '/') ? " (/64 when no length)" : "");
        }
        lg_kfate(c, cfg, "IPV6_AUTOCONF", x->b->ipv6.n_addresses ? "ignored: static addresses are used"
                                                              : "left to the kernel (router advertisements)");
        if ((!gw || !gw->value || !*gw->value) && c->have_network) {
                struct bg_ifcfg_var *g = bg_ifcfg_find(&c->network, "IPV6_DEFAULTGW");
                const char *dev = bg_ifcfg_get(&c->network, "IPV6_DEFAULTDEV");
                if (g && g->value && *g->value) {
                        const char *pct = strchr(g->value, '%');
                        if ((pct && !strcmp(pct + 1, x->b->name)) || (!pct && dev && !strcmp(dev, x->b->name)) ||
                            (!pct && !dev && x->b->ipv6.n_addresses)) {
                                gw = g;
                                gcfg = &c->network;
                        }
                }
        }
        if (gw && gw->value && *gw->value) {
                char addr6[64];
                const char *pct = strchr(gw->value, '%');
                struct in6_addr a6;

                snprintf(addr6, sizeof(addr6), "%.*s", pct ? (int)(pct - gw->value) : (int)strlen(gw->value),
                         gw->value);
                if (inet_pton(AF_INET6, addr6, &a6) != 1) {
                        bad(x, gcfg, gw, "'%s' is not an IPv6 address", gw->value);
                } else if (pct && strcmp(pct + 1, x->b->name)) {
                        if (gcfg == cfg) {
                                lg_diag(c, BG_DIAG_WARNING, cfg->path, gw->line, gw->col, gw->key,
                                        "the gateway names device %s, not %s; ignored", pct + 1, x->b->name);
                                lg_vfate(c, cfg, gw, "ignored: another device (warned)");
                        }
                } else if (bg_ifcfg_bool(bg_ifcfg_get(cfg, "IPV6_DEFROUTE")) == 0) {
                        lg_diag(c, BG_DIAG_WARNING, gcfg->path, gw->line, gw->col, gw->key,
                                "IPV6_DEFROUTE=no: the IPv6 gateway %s is not used", addr6);
                        lg_vfate(c, gcfg, gw, "ignored: IPV6_DEFROUTE=no (warned)");
                        lg_kfate(c, cfg, "IPV6_DEFROUTE", "IPv6 default route disabled");
                } else {
                        if (bg_ipcfg_set_gateway(&x->b->ipv6, addr6) < 0)
                                return -EINVAL; /* inet_pton() took it above */
                        x->b->ipv6.gateway.loc = vloc(x, gcfg, gw);
                        lg_vfate(c, gcfg, gw, "%s[%s].ipv6.gateway = %s", lg_l3_list(c), x->b->name, addr6);
                }
        }
        return 0;
}

/* The DHCP client's keys (initscripts ifup-eth runs dhclient -H
 * $DHCP_HOSTNAME, and with PERSISTENT_DHCLIENT=yes without -1, so that it
 * keeps trying instead of giving up after the first attempt). */
static void dhcp_client(struct ipctx *x) {
        struct lg_ctx *c = x->c;
        struct bg_ifcfg_var *h = bg_ifcfg_find(x->cfg, "DHCP_HOSTNAME");
        bool dhcp = x->b->ipv4.method == BG_IP_DHCP || x->b->ipv6.method == BG_IP_DHCP;

        if (h && h->value && *h->value && dhcp) {
                const char *s = h->value;
                size_t n = strlen(s);
                bool ok = n <= 253 && s[0] != '-' && s[0] != '.' && s[n - 1] != '-' && s[n - 1] != '.' &&
                          strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n &&
                          !strstr(s, "..");

                if (!ok) {
                        lg_diag(c, BG_DIAG_WARNING, x->cfg->path, h->line, h->col, "DHCP_HOSTNAME",
                                "'%s' is not a host name (letters, digits, '-' and '.'); not converted", s);
                        lg_vfate(c, x->cfg, h, "ignored: not a host name (warned)");
                } else if (bg_set_str(&x->b->dhcp_hostname, s) < 0) {
                        c->syserr = c->syserr ?: -ENOMEM;
                } else
                        lg_vfate(c, x->cfg, h, "%s[%s].dhcp-hostname = %s", lg_l3_list(c), x->b->name, s);
        } else if (h)
                lg_vfate(c, x->cfg, h, "ignored: %s uses no DHCP", x->b->name);
        if (dhcp)
                lg_kfate(c, x->cfg, "PERSISTENT_DHCLIENT",
                         "nothing to convert: networkd and NetworkManager keep retrying, as "
                         "PERSISTENT_DHCLIENT=yes asks");
        else
                lg_kfate(c, x->cfg, "PERSISTENT_DHCLIENT", "ignored: %s uses no DHCP", x->b->name);
}

int lg_build_ip(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, struct bg_model *m) {
        struct ipctx x = { .c = c, .lb = lb, .b = b };
        struct bg_ifcfg_var *bp;
        bool dhcp = false, is_static;
        int r;

        b->ipv4.method = BG_IP_NONE;
        b->ipv6.method = BG_IP_NONE;
        if (!lb->file)
                return 0;
        x.cfg = &lb->file->cfg;
        b->ipv4.loc = b->loc;
        bp = bg_ifcfg_find(x.cfg, "BOOTPROTO");
        if (bp && bp->value) {
                const char *v = bp->value;
                if (!strcmp(v, "dhcp") || !strcmp(v, "bootp"))
                        dhcp = true;
                else if (!strcasecmp(v, "dhcp") || !strcasecmp(v, "bootp")) {
                        dhcp = true;
                        lg_diag(c, BG_DIAG_WARNING, x.cfg->path, bp->line, bp->col, "BOOTPROTO",
                                "'%s' means DHCP to NetworkManager but static to initscripts (which "
                                "compares in lower case); converted as DHCP", v);
                } else if (*v && strcmp(v, "none") && strcmp(v, "static"))
                        lg_diag(c, BG_DIAG_WARNING, x.cfg->path, bp->line, bp->col, "BOOTPROTO",
                                "'%s': initscripts treats every value other than dhcp and bootp as "
                                "static; converted as static", v);
        }
        if (dhcp) {
                b->ipv4.method = BG_IP_DHCP;
                lg_vfate(c, x.cfg, bp, "%s[%s].ipv4.method = dhcp", lg_l3_list(c), b->name);
                for (int i = -1; i < 256; i++) {
                        char k[16];
                        struct bg_ifcfg_var *v;
                        snprintf(k, sizeof(k), i < 0 ? "IPADDR" : "IPADDR%d", i);
                        if ((v = bg_ifcfg_find(x.cfg, k)) && v->value && *v->value) {
                                lg_diag(c, BG_DIAG_WARNING, x.cfg->path, v->line, v->col, k,
                                        "static address next to BOOTPROTO=dhcp: initscripts ignores it "
                                        "(NetworkManager would add it); left out");
                                lg_vfate(c, x.cfg, v, "ignored: DHCP (warned)");
                        }
                }
        } else {
                for (int i = -1; i < 256; i++) {
                        char idx[8];
                        bool found;
                        if (i >= 0)
                                snprintf(idx, sizeof(idx), "%d", i);
                        else
                                idx[0] = 0;
                        if ((r = one_address(&x, x.cfg, idx, -1, &found)) < 0)
                                return r;
                        if (!found && i >= 2)
                                break;
                }
                for (size_t k = 0; k < lb->n_aliases; k++) {
                        struct lg_file *af = lb->aliases[k];
                        const char *dev = bg_ifcfg_get(&af->cfg, "DEVICE");
                        bool found;
                        unsigned inherit = 32 - (unsigned)__builtin_popcount(~x.first_mask);
                        if (!dev || strcmp(dev, af->suffix)) {
                                lg_diag(c, BG_DIAG_WARNING, af->cfg.path, 0, 0, "DEVICE",
                                        "alias file without DEVICE=%s; ignored (as both tools do)", af->suffix);
                                continue;
                        }
                        lg_kfate(c, &af->cfg, "DEVICE", "alias of %s", b->name);
                        if ((r = one_address(&x, &af->cfg, "", x.have_first ? (int)inherit : -1, &found)) < 0)
                                return r;
                        lg_kfate(c, &af->cfg, "ONBOOT", "ignored: the alias comes up with %s", b->name);
                }
                is_static = b->ipv4.n_addresses > 0;
                if (is_static)
                        b->ipv4.method = BG_IP_STATIC;
                if (bp)
                        lg_vfate(c, x.cfg, bp, "%s[%s].ipv4.method = %s", lg_l3_list(c), b->name,
                                 is_static ? "static" : "none");
                network_broadcast(&x);
        }
        if ((r = gateway(&x, b->ipv4.method == BG_IP_STATIC)) < 0)
                return r;
        if ((r = dns(&x)) < 0)
                return r;
        if ((r = ipv6(&x)) < 0)
                return r;
        dhcp_client(&x);
        if ((r = lg_routes(c, lb, b, AF_INET)) < 0 || (r = lg_routes(c, lb, b, AF_INET6)) < 0 ||
            (r = lg_rules(c, lb, b, AF_INET)) < 0 || (r = lg_rules(c, lb, b, AF_INET6)) < 0)
                return r;
        (void)m;
        return 0;
}
