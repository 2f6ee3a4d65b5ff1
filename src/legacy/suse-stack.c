/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SUSE VLANs and bridges (ifcfg-vlan(5), ifcfg-bridge(5), wicked's
 * compat-suse.c), after the bonds:
 *   - a file with ETHERDEVICE= is a VLAN on that device; its id is
 *     VLAN_ID=, else the number after the last '.' of the interface name
 *     (eth0.42) or after "vlan" (vlan42);
 *   - a file with BRIDGE=yes is a bridge; BRIDGE_PORTS= lists its ports
 *     (separated by blanks); BRIDGE_STP= on/off; BRIDGE_FORWARDDELAY=,
 *     BRIDGE_HELLOTIME=, BRIDGE_MAXAGE= in seconds; BRIDGE_PRIORITY=;
 *   - BOOTPROTO, IPADDR<suffix>, STARTMODE, MTU and LLADDR as for a bond.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "suse-int.h"

static void bad(struct sctx *x, struct sbond *sb, struct bg_ifcfg_var *v, const char *fate, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static void bad(struct sctx *x, struct sbond *sb, struct bg_ifcfg_var *v, const char *fate, const char *fmt, ...) {
        char msg[300];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        lg_diag(x->c, BG_DIAG_ERROR, sb->f->cfg.path, v->line, v->vcol, v->key, "%s", msg);
        lg_vfate(x->c, &sb->f->cfg, v, "error: %s", fate);
        sb->bad = true;
}

static struct bg_ifcfg_var *value_of(struct sfile *f, const char *key) {
        struct bg_ifcfg_var *v = bg_ifcfg_find(&f->cfg, key);
        return v && v->value && *v->value ? v : NULL;
}

/* The id an interface name carries: eth0.42 or vlan42; 0 if none. */
static unsigned long id_in_name(const char *name) {
        const char *p = strrchr(name, '.');
        char *end;
        unsigned long id;

        if (p)
                p++;
        else if (!strncmp(name, "vlan", 4))
                p = name + 4;
        else
                return 0;
        if (*p < '0' || *p > '9')
                return 0;
        id = strtoul(p, &end, 10);
        return *end ? 0 : id;
}

static int build_vlan(struct sctx *x, struct sfile *f, struct bg_model *m) {
        struct lg_ctx *c = x->c;
        struct sbond sb = { .f = f };
        struct bg_ifcfg_var *dev = value_of(f, "ETHERDEVICE"), *idv = value_of(f, "VLAN_ID"), *v;
        unsigned long id = id_in_name(f->ifname);
        const char *path = bg_model_intern(m, f->cfg.path);
        struct bg_vlan *vl;
        int r;

        if (idv) {
                char *end;
                unsigned long n = strtoul(idv->value, &end, 10);
                if (*end || n < 1 || n > 4094)
                        bad(x, &sb, idv, "not a VLAN id", "'%s' is not a VLAN id (1-4094)", idv->value);
                else {
                        if (id && id != n)
                                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, idv->line, idv->vcol, idv->key,
                                        "VLAN_ID %lu wins over the id %lu in the name %s (as in wicked)", n, id,
                                        f->ifname);
                        id = n;
                }
        } else if (!id || id > 4094) {
                lg_diag(c, BG_DIAG_ERROR, f->cfg.path, 0, 0, "VLAN_ID",
                        "%s: no VLAN_ID and no id in the name (NAME.ID or vlanID)", f->ifname);
                sb.bad = true;
        }
        if (sb.bad) {
                lg_diag(c, BG_DIAG_ERROR, f->cfg.path, 0, 0, f->ifname, "VLAN not converted because of the errors above");
                lg_suse_sweep(c, f, "ignored: the VLAN is not converted (see the errors)");
                return 0;
        }
        vl = bg_model_add_vlan(m, f->ifname, dev->value, (uint16_t) id);
        if (!vl)
                return -ENOMEM;
        vl->loc = (struct bg_loc){ path, 0, 0 };
        vl->link_loc = (struct bg_loc){ path, dev->line, dev->vcol };
        vl->id_loc = idv ? (struct bg_loc){ path, idv->line, idv->vcol } : vl->loc;
        lg_vfate(c, &f->cfg, dev, "vlans[%s].link = %s", vl->name, dev->value);
        if (idv)
                lg_vfate(c, &f->cfg, idv, "vlans[%s].id = %lu", vl->name, id);
        struct suse_l3 t = { "vlans", vl->name, &vl->ipv4, &vl->ipv6 };
        if ((r = lg_suse_bootproto(x, &sb, &t)) < 0 || (r = lg_suse_link(x, &sb, &t, &vl->onboot, &vl->mtu, &vl->mac)) < 0)
                return r;
        if ((v = value_of(f, "VLAN_PROTOCOL")) && strcasecmp(v->value, "ieee802-1Q") && strcasecmp(v->value, "802.1Q")) {
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->vcol, v->key,
                        "VLAN protocol %s is not converted: the model's VLANs are 802.1Q", v->value);
                lg_vfate(c, &f->cfg, v, "%s", "ignored: not converted (warned)");
        } else if (v)
                lg_vfate(c, &f->cfg, v, "%s", "used: 802.1Q, the model's VLAN protocol");
        lg_suse_sweep(c, f, NULL);
        if (sb.bad) {
                bg_model_pop_vlan(m);
                lg_diag(c, BG_DIAG_ERROR, f->cfg.path, 0, 0, f->ifname, "VLAN not converted because of the errors above");
        }
        return 0;
}

/* Seconds as wicked writes them ("4", "4.0"): whole seconds only, in
 * [lo, hi]; -1 after an error. */
static int32_t seconds(struct sctx *x, struct sbond *sb, struct bg_ifcfg_var *v, long lo, long hi) {
        char *end;
        double d = strtod(v->value, &end);

        if (*end || end == v->value || d != (double) (long) d || d < (double) lo || d > (double) hi) {
                bad(x, sb, v, "not a time in whole seconds", "'%s' is not a whole number of seconds from %ld to %ld",
                    v->value, lo, hi);
                return -1;
        }
        return (int32_t) d;
}

static int build_bridge(struct sctx *x, struct sfile *f, struct bg_model *m) {
        struct lg_ctx *c = x->c;
        struct sbond sb = { .f = f };
        const char *path = bg_model_intern(m, f->cfg.path);
        struct bg_ifcfg_var *v;
        struct bg_bridge *br = bg_model_add_bridge(m, f->ifname);
        int r;

        if (!br)
                return -ENOMEM;
        br->loc = (struct bg_loc){ path, 0, 0 };
        lg_kfate(c, &f->cfg, "BRIDGE", "marks %s as a bridge", br->name);
        if ((v = value_of(f, "BRIDGE_PORTS"))) {
                char *s = strdup(v->value), *save = NULL;
                if (!s)
                        return -ENOMEM;
                for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                        struct bg_port *p = bg_bridge_add_port(br, w);
                        if (!p) {
                                free(s);
                                return -ENOMEM;
                        }
                        p->loc = (struct bg_loc){ path, v->line, v->vcol };
                }
                free(s);
                lg_vfate(c, &f->cfg, v, "bridges[%s].ports = %s", br->name, v->value);
        }
        if ((v = value_of(f, "BRIDGE_STP"))) {
                if (lg_suse_true(v->value) || !strcasecmp(v->value, "on"))
                        br->stp = BG_STP_ON;
                else if (!strcasecmp(v->value, "no") || !strcasecmp(v->value, "off") || !strcasecmp(v->value, "false"))
                        br->stp = BG_STP_OFF;
                else
                        bad(x, &sb, v, "not on or off", "'%s' is not on or off", v->value);
                if (br->stp != BG_STP_UNSET)
                        lg_vfate(c, &f->cfg, v, "bridges[%s].stp = %s", br->name, br->stp == BG_STP_ON ? "true" : "false");
        }
        static const struct {
                const char *key, *field;
                long lo, hi;
                size_t off;
        } times[] = {
                { "BRIDGE_FORWARDDELAY", "forward-delay", 0, 30, offsetof(struct bg_bridge, forward_delay) },
                { "BRIDGE_HELLOTIME", "hello-time", 1, 10, offsetof(struct bg_bridge, hello_time) },
                { "BRIDGE_MAXAGE", "max-age", 6, 40, offsetof(struct bg_bridge, max_age) },
        };
        for (size_t i = 0; i < BG_ARRAY_SIZE(times); i++) {
                int32_t s;
                if (!(v = value_of(f, times[i].key)) || (s = seconds(x, &sb, v, times[i].lo, times[i].hi)) < 0)
                        continue;
                *(int32_t *) ((char *) br + times[i].off) = s;
                lg_vfate(c, &f->cfg, v, "bridges[%s].%s = %d", br->name, times[i].field, s);
        }
        if ((v = value_of(f, "BRIDGE_PRIORITY"))) {
                char *end;
                unsigned long n = strtoul(v->value, &end, 10);
                if (*end || n > 65535)
                        bad(x, &sb, v, "not a priority", "'%s' is not a bridge priority (0-65535)", v->value);
                else {
                        br->priority = (int32_t) n;
                        lg_vfate(c, &f->cfg, v, "bridges[%s].priority = %lu", br->name, n);
                }
        }
        for (size_t i = 0; i < f->cfg.n; i++) {
                struct bg_ifcfg_var *o = &f->cfg.v[i];
                if (o->fate || o->overridden_by || !o->value || !*o->value || strncmp(o->key, "BRIDGE_", 7))
                        continue;
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, o->line, o->col, o->key,
                        "not converted: the model's bridges have STP, the STP times and the priority");
                lg_vfate(c, &f->cfg, o, "%s", "ignored: not converted (warned)");
        }
        struct suse_l3 t = { "bridges", br->name, &br->ipv4, &br->ipv6 };
        if ((r = lg_suse_bootproto(x, &sb, &t)) < 0 || (r = lg_suse_link(x, &sb, &t, &br->onboot, &br->mtu, &br->mac)) < 0)
                return r;
        lg_suse_sweep(c, f, NULL);
        if (sb.bad) {
                bg_model_pop_bridge(m);
                lg_diag(c, BG_DIAG_ERROR, f->cfg.path, 0, 0, f->ifname, "bridge not converted because of the errors above");
        }
        return 0;
}

/* A NIC that is only a bridge's port: its own addressing is not used
 * (wicked configures a port as part of the bridge). */
static void sweep_port(struct sctx *x, struct sfile *pf, const char *bridge) {
        static const char *const l3[] = { "BOOTPROTO", "IPADDR", "PREFIXLEN", "NETMASK", "BROADCAST" };

        pf->is_stack = true;
        for (size_t i = 0; i < pf->cfg.n; i++) {
                struct bg_ifcfg_var *v = &pf->cfg.v[i];
                if (v->fate || v->overridden_by)
                        continue;
                for (size_t k = 0; k < BG_ARRAY_SIZE(l3); k++)
                        if (!strncmp(v->key, l3[k], strlen(l3[k])))
                                lg_vfate(x->c, &pf->cfg, v, "ignored: a port of bridge %s has no IP configuration",
                                         bridge);
                if (!v->fate && !strcmp(v->key, "STARTMODE"))
                        lg_vfate(x->c, &pf->cfg, v, "ignored: a port comes up with bridge %s", bridge);
        }
        lg_suse_sweep(x->c, pf, NULL);
}

int lg_suse_stack(struct sctx *x, struct bg_model *m) {
        struct bg_ifcfg_var *v;
        int r;

        /* VLANs first: a bridge may have one as a port */
        for (size_t i = 0; i < x->n_files; i++) {
                struct sfile *f = &x->files[i];
                if (f->is_bond || !(v = value_of(f, "ETHERDEVICE")))
                        continue;
                f->is_stack = true;
                if ((r = build_vlan(x, f, m)) < 0)
                        return r;
        }
        for (size_t i = 0; i < x->n_files; i++) {
                struct sfile *f = &x->files[i];
                if (f->is_bond || f->is_stack || !(v = value_of(f, "BRIDGE")) || !lg_suse_true(v->value))
                        continue;
                f->is_stack = true;
                if ((r = build_bridge(x, f, m)) < 0)
                        return r;
                if ((v = value_of(f, "BRIDGE_PORTS"))) {
                        char *s = strdup(v->value), *save = NULL;
                        if (!s)
                                return -ENOMEM;
                        for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                                struct sfile *pf = lg_suse_file(x, w);
                                if (pf && !pf->is_bond && !pf->is_stack && pf->bond < 0)
                                        sweep_port(x, pf, f->ifname);
                        }
                        free(s);
                }
        }
        return 0;
}
