/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One bond into the model: options, ports, link keys, and the fate of every
 * key of its files.
 *
 * Option precedence for one bond (the order initscripts and the kernel
 * apply them; every later source overrides the keys it names, except
 * arp_ip_target which accumulates like initscripts' "+addr" writes):
 *   1. kernel defaults (unset in the model);
 *   2. `options bonding ...` (module-wide: the kernel copies the module
 *      parameters into every bond it creates afterwards, bond_main.c
 *      bonding_defaults), in file and line order;
 *   3. `options bondN ...` for this bond;
 *   4. the parameters of `install bondN ... modprobe ... bonding ...`;
 *   5. BONDING_OPTS of ifcfg-bondN (written to sysfs last by initscripts).
 * Where the literal initscripts runtime would have differed we warn:
 * BONDING_OPTS makes initscripts load the module as "bonding", so an
 * `options bondN` line did not apply; with several alias-scoped options
 * lines only the bond that loaded the module first got its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "legacy-int.h"
#include "readers-int.h"

struct optsrc {
        char **fate[BG_OPT__MAX];   /* fate slot of the source that set it last */
        const char *file[BG_OPT__MAX];
        unsigned line[BG_OPT__MAX];
        /* num_grat_arp and num_unsol_na are one kernel field: the last
         * value each name was given, to tell when they differ. */
        char *peer_notif[2];
};

/* Apply one key=value; returns 0, -EINVAL (reported) or -ENOMEM. */
static int apply(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, struct optsrc *src,
                 const char *key, const char *value, const char *file, unsigned line, unsigned col,
                 const char *keyname, char **fate) {
        const struct bg_opt_info *o;
        int r = lg_opt_admit(c, key, value, file, line, col, keyname, fate, &lb->bad, &o);

        if (r <= 0)
                return r;
        if (!(o->flags & BG_OF_LIST) && src->fate[o->id] && !c->quiet)
                lg_fate_append(src->fate[o->id], "%s: %s overridden by %s:%u", b->name, o->name, file, line);
        r = bg_bond_set_opt_text(b, o->id, value,
                                 &(struct bg_loc) { bg_model_intern(c->model, file), line, col }, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        src->fate[o->id] = fate;
        src->file[o->id] = file;
        src->line[o->id] = line;
        if (o->id == BG_OPT_NUM_GRAT_ARP) {
                char **slot = &src->peer_notif[strcmp(key, o->name) != 0];
                free(*slot);
                if (!(*slot = strdup(value)))
                        return -ENOMEM;
        }
        lg_fate_opt_set(c, fate, b, o, value);
        return 0;
}

static int apply_mp(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, struct optsrc *src,
                    struct mp_entry *e) {
        for (size_t k = 0; k < e->n_tok; k++) {
                struct mp_token *t = &e->tok[k];
                int r;

                if (t->fate && !strncmp(t->fate, "error", 5)) {
                        lb->bad = true;  /* reported once when the file was read */
                        continue;
                }
                if (t->fate && !strncmp(t->fate, "ignored", 7))
                        continue;
                r = apply(c, lb, b, src, t->key, t->value, e->file, t->line, t->col, t->key, &t->fate);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

struct split_ctx {
        struct lg_ctx *c;
        struct lg_bond *lb;
        struct bg_bond *b;
        struct optsrc *src;
        struct lg_file *f;
        struct bg_ifcfg_var *v;
        unsigned vcol;
        char *fate;
};

static int split_cb(const char *key, const char *value, unsigned col, void *userdata) {
        struct split_ctx *s = userdata;
        int r = apply(s->c, s->lb, s->b, s->src, key, value, s->f->cfg.path, s->v->line,
                      s->vcol + col - 1, "BONDING_OPTS", &s->fate);
        return r == -ENOMEM ? r : 0;
}

/* What the kernel ends up holding when the sources name options that
 * exclude each other; each case is warned. */
static void settle_options(struct lg_ctx *c, struct bg_bond *b, struct optsrc *src) {
        enum bg_mode mode = bg_bond_mode(b);
        bool arp_mode = bg_opt_get(BG_OPT_ARP_INTERVAL)->modes & BG_MODE_BIT(mode);
        static const enum bg_opt delays[] = { BG_OPT_UPDELAY, BG_OPT_DOWNDELAY, BG_OPT_PEER_NOTIF_DELAY };

        /* initscripts writes every miimon before the other keys; a non-zero
         * arp_interval written later turns MII monitoring off
         * (bond_options.c: bond_option_arp_interval_set()), and the delays
         * written after it are refused (EPERM) without miimon. NetworkManager
         * also prefers the ARP monitor when arp_interval is set. */
        if (arp_mode && bg_bond_opt_num(b, BG_OPT_MIIMON) && bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL)) {
                const struct bg_loc *l = &b->opt_loc[BG_OPT_MIIMON];

                lg_diag(c, BG_DIAG_WARNING, l->file, l->line, l->col, "miimon",
                        "%s: miimon=%llu and arp_interval=%llu are both set: the ARP monitor wins "
                        "(arp_interval is written after miimon and turns MII monitoring off), so "
                        "miimon is left out", b->name,
                        (unsigned long long) bg_bond_opt_num(b, BG_OPT_MIIMON),
                        (unsigned long long) bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL));
                if (src->fate[BG_OPT_MIIMON] && !c->quiet)
                        lg_fate_append(src->fate[BG_OPT_MIIMON], "%s: miimon dropped: arp_interval wins",
                                       b->name);
                bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
                for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
                        const char *name = bg_opt_get(delays[i])->name;

                        if (!b->opts[delays[i]].set)
                                continue;
                        l = &b->opt_loc[delays[i]];
                        lg_diag(c, BG_DIAG_WARNING, l->file, l->line, l->col, name,
                                "%s: %s needs MII monitoring, which arp_interval turned off; left out",
                                b->name, name);
                        if (src->fate[delays[i]] && !c->quiet)
                                lg_fate_append(src->fate[delays[i]], "%s: %s dropped: no MII monitoring",
                                               b->name, name);
                        bg_optval_clear(&b->opts[delays[i]]);
                }
        }
        if (src->peer_notif[0] && src->peer_notif[1] && strcmp(src->peer_notif[0], src->peer_notif[1])) {
                const struct bg_loc *l = &b->opt_loc[BG_OPT_NUM_GRAT_ARP];

                lg_diag(c, BG_DIAG_WARNING, l->file, l->line, l->col, "num_grat_arp",
                        "%s: num_grat_arp=%s and num_unsol_na=%s set one kernel field (the number of "
                        "peer notifications after a failover); the one written last, %llu, wins "
                        "(NetworkManager refuses a profile where they differ)", b->name,
                        src->peer_notif[0], src->peer_notif[1],
                        (unsigned long long) bg_bond_opt_num(b, BG_OPT_NUM_GRAT_ARP));
        }
}

static int apply_sources(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b, struct optsrc *src) {
        struct bg_ifcfg_var *bo = lb->file ? bg_ifcfg_find(&lb->file->cfg, "BONDING_OPTS") : NULL;
        bool own_options = false;
        int r;

        for (size_t i = 0; i < c->mp.n; i++) {
                struct mp_entry *e = &c->mp.v[i];
                if (e->kind == MP_OPTIONS && e->bonding && !strcmp(e->target, "bonding") &&
                    (r = apply_mp(c, lb, b, src, e)) < 0)
                        return r;
        }
        for (size_t i = 0; i < c->mp.n; i++) {
                struct mp_entry *e = &c->mp.v[i];
                if (e->kind != MP_OPTIONS || !e->target || !lg_ifname_eq(e->target, b->name))
                        continue;
                /* With "-o NAME" each bond loads its own module instance, so
                 * its line applies to it alone even when BONDING_OPTS is set
                 * or another bond has its own line. */
                own_options = own_options || !e->instance;
                if (e->instance)
                        ;
                else if (!lg_modprobe_is_bond(c, b->name))
                        lg_diag(c, BG_DIAG_WARNING, e->file, e->line, 0, "options",
                                "there is no 'alias %s bonding', so modprobe never used this line; "
                                "bondgen applies it to %s anyway", b->name, b->name);
                else if (bo && bo->value && *bo->value)
                        lg_diag(c, BG_DIAG_WARNING, e->file, e->line, 0, "options",
                                "initscripts loads the module as 'bonding' when BONDING_OPTS is set, "
                                "so this line did not apply at boot; bondgen applies it, then "
                                "BONDING_OPTS");
                if ((r = apply_mp(c, lb, b, src, e)) < 0)
                        return r;
        }
        if (own_options) {
                /* Only the first bond brought up loads the module with its own
                 * alias-scoped options; every later bond inherits them. */
                for (size_t i = 0; c->bonds + i < lb; i++) {
                        bool other = false;
                        for (size_t k = 0; k < c->mp.n && !other; k++)
                                other = c->mp.v[k].kind == MP_OPTIONS && !c->mp.v[k].instance &&
                                        lg_ifname_eq(c->mp.v[k].target, c->bonds[i].name);
                        if (other) {
                                lg_diag(c, BG_DIAG_WARNING, lb->file ? lb->file->cfg.path : NULL, 0, 0,
                                        "options", "%s and %s both rely on 'options bondN' lines: the "
                                        "module is loaded once, so under initscripts both got the "
                                        "options of the first one brought up; bondgen gives each its "
                                        "own (the kernel documentation's 'install' lines do that)",
                                        c->bonds[i].name, b->name);
                                break;
                        }
                }
        }
        for (size_t i = 0; i < c->mp.n; i++) {
                struct mp_entry *e = &c->mp.v[i];
                if (e->kind == MP_INSTALL && e->bonding && lg_ifname_eq(e->target, b->name) &&
                    (r = apply_mp(c, lb, b, src, e)) < 0)
                        return r;
        }
        if (bo && bo->value) {
                struct split_ctx s = { c, lb, b, src, lb->file, bo, bo->vcol, NULL };
                if (strchr(bo->value, '\t'))
                        lg_diag(c, BG_DIAG_NOTE, lb->file->cfg.path, bo->line, bo->col, "BONDING_OPTS",
                                "a tab separates options for initscripts (as here) but not for "
                                "NetworkManager");
                r = bg_opt_split(bo->value, split_cb, &s);
                if (r == -ENOMEM) {
                        free(s.fate);
                        return r;
                }
                /* Settled while s.fate, a fate slot it may append to, lives. */
                settle_options(c, b, src);
                if (!*bo->value)
                        lg_vfate(c, &lb->file->cfg, bo, "empty: no options");
                else
                        lg_vfate(c, &lb->file->cfg, bo, "%s", s.fate ? s.fate : "no options");
                free(s.fate);
        } else
                settle_options(c, b, src);
        return 0;
}

static int apply_options(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b) {
        struct optsrc src = {};
        int r = apply_sources(c, lb, b, &src);

        free(src.peer_notif[0]);
        free(src.peer_notif[1]);
        return r;
}

static void link_keys(struct lg_ctx *c, struct lg_bond *lb, struct bg_bond *b) {
        struct bg_ifcfg *cfg = &lb->file->cfg;
        struct bg_ifcfg_var *v;
        const char *path = cfg->path;

        if ((v = bg_ifcfg_find(cfg, "DEVICE")) && v->value)
                lg_vfate(c, cfg, v, "bonds[%s].name", b->name);
        if ((v = bg_ifcfg_find(cfg, "TYPE")) && v->value)
                lg_vfate(c, cfg, v, strcasecmp(v->value, "bond") && strcasecmp(v->value, "bonding")
                                    ? "ignored: BONDING_OPTS or modprobe make %s a bond"
                                    : "marks %s as a bond", b->name);
        lg_kfate(c, cfg, "BONDING_MASTER", "marks %s as a bond", b->name);
        if ((v = bg_ifcfg_find(cfg, "ONBOOT")) && v->value) {
                int t = bg_ifcfg_bool(v->value);
                /* initscripts skips the device at boot only when is_false. */
                b->onboot = t != 0;
                if (t < 0)
                        lg_diag(c, BG_DIAG_WARNING, path, v->line, v->col, "ONBOOT",
                                "'%s' is not a boolean; initscripts treats it as yes", v->value);
                lg_vfate(c, cfg, v, "bonds[%s].onboot = %s", b->name, b->onboot ? "true" : "false");
        }
        if ((v = bg_ifcfg_find(cfg, "MTU")) && v->value && *v->value) {
                char *end;
                unsigned long mtu = strtoul(v->value, &end, 0);
                if (*end || mtu < 68 || mtu > 65535) {
                        lg_diag(c, BG_DIAG_ERROR, path, v->line, v->col, "MTU",
                                "'%s' is not an MTU (68-65535)", v->value);
                        lb->bad = true;
                        lg_vfate(c, cfg, v, "error: invalid MTU");
                } else {
                        b->mtu = (uint32_t)mtu;
                        lg_vfate(c, cfg, v, "bonds[%s].mtu = %lu", b->name, mtu);
                }
        }
        if ((v = bg_ifcfg_find(cfg, "MACADDR")) && v->value && *v->value) {
                char mac[BG_HWADDR_STRLEN];
                struct bg_hwaddr h;
                if (bg_parse_mac(v->value, NULL) < 0 || bg_hwaddr_parse(v->value, &h) < 0) {
                        lg_diag(c, BG_DIAG_ERROR, path, v->line, v->col, "MACADDR",
                                "'%s' is not a MAC address", v->value);
                        lb->bad = true;
                        lg_vfate(c, cfg, v, "error: invalid MAC address");
                } else if (!lg_mac_keep(c, path, v->line, v->col, "MACADDR", b->name, &h)) {
                        lg_vfate(c, cfg, v, "ignored: the kernel refuses %s as a device address (warned)",
                                 bg_hwaddr_format(&h, mac));
                } else {
                        b->mac = h;
                        lg_vfate(c, cfg, v, "bonds[%s].mac = %s", b->name, bg_hwaddr_format(&h, mac));
                }
        }
        lg_kfate(c, cfg, "HWADDR",
                 "ignored: on a bond HWADDR only checks the MAC it takes from its first port (use "
                 "MACADDR to set one)");
}

/* Keys that do not change the result, with the reason. */
static const struct { const char *key, *why; } consumed[] = {
        { "USERCTL", "ignored: only usernetctl(8) reads it" },
        { "NM_CONTROLLED", "ignored: the generated configuration decides who manages the interface" },
        { "NAME", "ignored: NetworkManager profile name" },
        { "UUID", "ignored: NetworkManager profile id (used only to resolve MASTER=<uuid>)" },
        { "PEERDNS", "ignored: concerns DHCP-provided DNS servers only" },
        { "PEERROUTES", "ignored: concerns DHCP-provided routes only" },
        { "IPV6_PEERDNS", "ignored: concerns DHCP-provided DNS servers only" },
        { "IPV6_PEERROUTES", "ignored: concerns DHCP-provided routes only" },
        { "IPV4_FAILURE_FATAL", "ignored: NetworkManager activation policy" },
        { "IPV6_FAILURE_FATAL", "ignored: NetworkManager activation policy" },
        { "PROXY_METHOD", "ignored: NetworkManager proxy setting" },
        { "BROWSER_ONLY", "ignored: NetworkManager proxy setting" },
        { "AUTOCONNECT_PRIORITY", "ignored: NetworkManager activation policy" },
        { "AUTOCONNECT_SLAVES", "ignored: ports always come up with their bond" },
        { "HOTPLUG", "ignored: bondgen enslaves ports whenever they appear" },
        { "LINKDELAY", "ignored: initscripts boot delay, not configuration" },
        { "ARPCHECK", "ignored: initscripts duplicate-address check at ifup" },
        { "ARPUPDATE", "ignored: initscripts gratuitous ARP at ifup" },
        { "IPV6_ADDR_GEN_MODE", "ignored: the kernel's default address generation is kept" },
        { "IPV6_PRIVACY", "ignored: the kernel's default is kept" },
        { "IPV6FORWARDING", "ignored: forwarding is a sysctl, not interface configuration" },
        { "IPV6_DEFROUTE", "checked: IPv6 default route allowed" },
        { "DEFROUTE", "used to decide the default route" },
        { "DHCP_HOSTNAME", "ignored: DHCP client detail" },
        { "PERSISTENT_DHCLIENT", "ignored: DHCP client detail" },
        { "DHCPV6C_OPTIONS", "ignored: DHCP client detail" },
        { "VLAN", "ignored: not a VLAN" },
};

static bool port_reason(const char *key, const char **why) {
        static const struct { const char *prefix, *why; } r[] = {
                { "IPADDR", "ignored: initscripts never configures addresses on a bond port" },
                { "PREFIX", "ignored: a bond port has no addresses" },
                { "NETMASK", "ignored: a bond port has no addresses" },
                { "GATEWAY", "ignored: a bond port has no addresses" },
                { "NETWORK", "ignored: a bond port has no addresses" },
                { "BROADCAST", "ignored: a bond port has no addresses" },
                { "DNS", "ignored: a bond port has no addresses" },
                { "IPV6", "ignored: a bond port has no IPv6 configuration" },
                { "BOOTPROTO", "ignored: a bond port has no IP configuration" },
                { "DEFROUTE", "ignored: a bond port has no routes" },
                { "ONBOOT", "ignored: ports come up with their bond (initscripts never reads a port's ONBOOT)" },
                { "MTU", "ignored: the bond sets its ports' MTU" },
                { "TYPE", "ignored: the port's own type" },
                { "SLAVE", "used: marks a bond port" },
        };
        for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
                if (!strncmp(key, r[i].prefix, strlen(r[i].prefix))) {
                        *why = r[i].why;
                        return true;
                }
        return false;
}

static bool numbered_l3(const char *key) {
        static const char *const pre[] = { "IPADDR", "PREFIX", "NETMASK", "GATEWAY", "DNS",
                                           "BROADCAST", "NETWORK" };
        for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
                size_t l = strlen(pre[i]);
                if (!strncmp(key, pre[i], l) && strspn(key + l, "0123456789") == strlen(key + l))
                        return true;
        }
        return false;
}

bool lg_key_used(const char *key, bool port) {
        static const char *const port_keys[] = {
                "DEVICE", "MASTER", "MASTER_UUID", "SLAVE", "HWADDR", "TYPE", "BONDING_MASTER",
                "BONDING_OPTS", "BOND_PORT_QUEUE_ID", "BOND_PORT_PRIO",
        };
        static const char *const bond_keys[] = {
                "DEVICE", "TYPE", "BONDING_OPTS", "BONDING_MASTER", "ONBOOT", "MTU", "MACADDR",
                "BOOTPROTO", "DEFROUTE", "GATEWAYDEV", "DHCPV6C", "DOMAIN", "UUID", "METRIC",
                "MASTER", "MASTER_UUID", "SLAVE", "NETWORKING_IPV6",
        };
        const char *const *v = port ? port_keys : bond_keys;
        size_t n = port ? sizeof(port_keys) / sizeof(port_keys[0]) : sizeof(bond_keys) / sizeof(bond_keys[0]);

        for (size_t i = 0; i < n; i++)
                if (!strcmp(key, v[i]))
                        return true;
        if (port)
                return false;
        for (size_t k = 0; k < sizeof(consumed) / sizeof(consumed[0]); k++)
                if (!strcmp(key, consumed[k].key))
                        return !strncmp(consumed[k].why, "used", 4) || !strncmp(consumed[k].why, "checked", 7);
        return numbered_l3(key) || !strncmp(key, "IPV6", 4);
}

/* BOND_PORT_PRIO: NetworkManager's ifcfg-rh key for the port's
 * [bond-port] prio (IFLA_BOND_SLAVE_PRIO); initscripts has no such key
 * and never sets a port priority. Converted, since the model now has the
 * port key, with a note that an initscripts host ran without it. */
static void port_prio(struct lg_ctx *c, struct bg_model *m, struct bg_ifcfg *cfg, const struct bg_bond *b,
                      struct bg_port *bp) {
        struct bg_ifcfg_var *v = bg_ifcfg_find(cfg, "BOND_PORT_PRIO");

        if (!v || !v->value || v->fate)
                return;
        if (bg_port_prio_parse(v->value, &bp->prio) < 0) {
                lg_diag(c, BG_DIAG_ERROR, cfg->path, v->line, v->col, v->key,
                        "invalid port priority '%s' (a whole number from %d to %d)", v->value, INT32_MIN,
                        INT32_MAX);
                lg_vfate(c, cfg, v, "error: invalid value");
                return;
        }
        bp->prio_loc = (struct bg_loc) { bg_model_intern(m, cfg->path), v->line, v->col };
        lg_diag(c, BG_DIAG_NOTE, cfg->path, v->line, v->col, v->key,
                "priority %d of port %s converted: NetworkManager sets it, initscripts ignores %s",
                (int) bp->prio, bp->name ? bp->name : "", v->key);
        lg_vfate(c, cfg, v, "bonds[%s].ports[%s].prio = %d", b->name, bp->name ? bp->name : "", (int) bp->prio);
}

static void sweep(struct lg_ctx *c, struct lg_file *f, bool port, const char *bond) {
        for (size_t i = 0; i < f->cfg.n; i++) {
                struct bg_ifcfg_var *v = &f->cfg.v[i];
                const char *why = NULL;

                if (v->fate || v->overridden_by)
                        continue;
                if (!v->value) {
                        lg_vfate(c, &f->cfg, v, lg_key_used(v->key, port)
                                                ? "error: value could not be read"
                                                : "ignored: value could not be read, and bondgen does not use it (warned)");
                        continue;
                }
                for (size_t k = 0; k < sizeof(consumed) / sizeof(consumed[0]) && !why; k++)
                        if (!strcmp(v->key, consumed[k].key))
                                why = consumed[k].why;
                if (!why && port)
                        port_reason(v->key, &why);
                if (!why && !port && numbered_l3(v->key)) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "not used: no matching IPADDRn, or it comes after a gap in the "
                                "numbering (both initscripts and NetworkManager stop there)");
                        why = "ignored: no matching address or after a gap (warned)";
                }
                if (!why && port && !strcmp(v->key, "BONDING_MASTER"))
                        why = "ignored: a port's bond marker (cloud-init writes it); initscripts enslaves the port";
                if (!why && !port && !strncmp(v->key, "BONDING_SLAVE", 13) && v->key[13] &&
                    strspn(v->key + 13, "0123456789") == strlen(v->key + 13)) {
                        if (!bg_model_find_bond(c->model, bond) ||
                            !bg_bond_find_port(bg_model_find_bond(c->model, bond), v->value))
                                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                        "%s names %s, but no ifcfg file makes it a port of %s "
                                        "(MASTER=%s): initscripts reads ports only from MASTER=, so it is "
                                        "not a port", v->key, v->value, bond, bond);
                        why = "ignored: the ports come from their own MASTER= (initscripts does not read this list)";
                }
                if (!why && !port && !strcmp(v->key, "METRIC")) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "METRIC=%s (the metric initscripts gives %s's default and DHCP routes) is not "
                                "converted: the model has no per-interface route metric", v->value, bond);
                        why = "ignored: no per-interface route metric in the model (warned)";
                }
                if (!why && port && !strcmp(v->key, "BOND_PORT_QUEUE_ID")) {
                        /* NetworkManager's [bond-port] key; initscripts never reads it. */
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "NetworkManager would set the queue id of port %s to %s; initscripts ignores "
                                "%s, and so does the conversion (to keep it, add queue_id=%s:N to BONDING_OPTS)",
                                f->device, v->value, v->key, f->device);
                        why = "ignored: NetworkManager-only port key (warned)";
                }
                if (!why && !strcmp(v->key, "ETHTOOL_OPTS")) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "ethtool settings are not part of the bond model; not converted");
                        why = "ignored: not expressible (warned)";
                }
                if (!why && !strcmp(v->key, "BRIDGE") && lg_rh_bridge(c, v->value))
                        why = "a port of that bridge";
                if (!why && (!strcmp(v->key, "BRIDGE") || !strcmp(v->key, "BRIDGE_UUID"))) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "%s is a port of bridge %s, which has no ifcfg file with TYPE=Bridge; "
                                "not converted", f->device, v->value);
                        why = "ignored: no such bridge (warned)";
                }
                if (!why && !strcmp(v->key, "ZONE")) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "firewall zones are not converted; assign the zone to %s yourself", bond);
                        why = "ignored: firewalld zone (warned)";
                }
                if (!why) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "unknown key; ignored");
                        why = "ignored: unknown key (warned)";
                }
                lg_vfate(c, &f->cfg, v, "%s", why);
        }
}

void lg_sweep_file(struct lg_ctx *c, struct lg_file *f, const char *name) {
        sweep(c, f, false, name);
}

int lg_build_bond(struct lg_ctx *c, struct lg_bond *lb, struct bg_model *m) {
        struct bg_bond *b = bg_model_add_bond(m, lb->name);
        int r;

        if (!b)
                return -ENOMEM;
        if (lb->file) {
                struct bg_ifcfg_var *d = bg_ifcfg_find(&lb->file->cfg, "DEVICE");
                b->loc = (struct bg_loc) { bg_model_intern(m, lb->file->cfg.path), d ? d->line : 0,
                                           d ? d->col : 0 };
        }
        if ((r = apply_options(c, lb, b)) < 0)
                return r;
        for (size_t i = 0; i < lb->n_ports; i++) {
                struct lg_port *p = &lb->ports[i];
                struct bg_port *bp = bg_bond_add_port(b, p->name, p->mac);
                if (!bp)
                        return -ENOMEM;
                bp->loc = (struct bg_loc) { bg_model_intern(m, p->loc.file), p->loc.line, p->loc.col };
                if (p->file) {
                        struct bg_ifcfg *cfg = &p->file->cfg;
                        lg_kfate(c, cfg, "MASTER", "bonds[%s].ports += %s", b->name, p->name);
                        lg_kfate(c, cfg, "MASTER_UUID", "bonds[%s].ports += %s", b->name, p->name);
                        lg_kfate(c, cfg, "DEVICE", "bonds[%s].ports[%s].name", b->name, p->name);
                        if (p->mac)
                                lg_kfate(c, cfg, "HWADDR", "bonds[%s].ports[%s].mac = %s (match by MAC)",
                                         b->name, p->name, p->mac);
                        if (bg_ifcfg_get(cfg, "MACADDR")) {
                                struct bg_ifcfg_var *v = bg_ifcfg_find(cfg, "MACADDR");
                                lg_diag(c, BG_DIAG_WARNING, cfg->path, v->line, v->col, "MACADDR",
                                        "a port's MAC address is set by its bond; ignored");
                                lg_vfate(c, cfg, v, "ignored: the bond sets its ports' MAC (warned)");
                        }
                        port_prio(c, m, cfg, b, bp);
                        if (bg_ifcfg_get(cfg, "IPADDR") || bg_ifcfg_get(cfg, "IPADDR0")) {
                                lg_diag(c, BG_DIAG_WARNING, cfg->path, 0, 0, "IPADDR",
                                        "%s is a port of %s: its addresses are ignored", p->name, b->name);
                        }
                        sweep(c, p->file, true, b->name);
                }
        }
        for (size_t i = 0; i < lb->n_ports; i++)
                if (lb->ports[i].infiniband && bg_bond_mode(b) != BG_MODE_ACTIVE_BACKUP) {
                        lg_diag(c, BG_DIAG_WARNING, lb->ports[i].loc.file, lb->ports[i].loc.line,
                                lb->ports[i].loc.col, "MASTER",
                                "%s is an InfiniBand port: the kernel enslaves it only in mode "
                                "active-backup, not %s", lb->ports[i].name, bg_mode_name(bg_bond_mode(b)));
                        break;
                }
        if (lb->active) {
                /* ifenslave -c: the active port. networkd (ActiveSlave=) and NM
                 * (active_slave) can express it; the canonical YAML keeps no
                 * run-time state, which `convert` reports for that format. */
                struct bg_loc loc = { bg_model_intern(c->model, lb->active_rc->file), lb->active_rc->line, 0 };
                if (!bg_bond_find_port(b, lb->active))
                        lg_diag(c, BG_DIAG_WARNING, loc.file, loc.line, 0, "ifenslave",
                                "ifenslave -c names %s, which is not a port of %s", lb->active, b->name);
                r = bg_bond_set_opt_text(b, BG_OPT_ACTIVE_SLAVE, lb->active, &loc,
                                         c->quiet ? NULL : c->diags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        lb->bad = true;
                else if (!c->quiet)
                        lg_fate(&lb->active_rc->fate, "bonds[%s].options.active_slave = %s", b->name,
                                lb->active);
        }
        if (lb->file) {
                link_keys(c, lb, b);
                if (lb->file->device == lb->file->suffix)
                        lg_diag(c, BG_DIAG_WARNING, lb->file->cfg.path, 0, 0, "DEVICE",
                                "no DEVICE; the file name gives %s", b->name);
                else if (strcmp(lb->file->device, lb->file->suffix))
                        lg_diag(c, BG_DIAG_NOTE, lb->file->cfg.path, 0, 0, "DEVICE",
                                "DEVICE=%s differs from the file name; DEVICE wins", lb->file->device);
        }
        /* initscripts ifup-eth: a device with BRIDGE= is added to the
         * bridge and configured no further. */
        if (lb->file && lg_rh_bridge(c, bg_ifcfg_get(&lb->file->cfg, "BRIDGE")))
                lg_rh_port_l3(c, lb->file, bg_ifcfg_get(&lb->file->cfg, "BRIDGE"));
        else if ((r = lg_build_ip(c, lb, b, m)) < 0)
                return r;
        if (lb->file)
                sweep(c, lb->file, false, b->name);
        for (size_t i = 0; i < lb->n_aliases; i++)
                sweep(c, lb->aliases[i], true, b->name);
        return 0;
}
