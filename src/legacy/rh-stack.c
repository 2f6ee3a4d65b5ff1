/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VLANs and bridges of Red Hat ifcfg files (initscripts ifup-vlan and
 * ifup-eth, network-functions; NetworkManager nms-ifcfg-rh-reader.c).
 *
 * VLANs:
 *  - A VLAN is a file with VLAN=yes (initscripts), or TYPE=Vlan
 *    (NetworkManager; initscripts needs VLAN=yes, which is warned).
 *  - The name gives parent and id: DEVICE=PARENT.VID (ifup-vlan's
 *    ^.+\.[0-9]{1,4}$, leading zeros allowed as VLAN_NAME_TYPE
 *    DEV_PLUS_VID makes them) or DEVICE=vlanVID (VLAN_PLUS_VID), which
 *    needs PHYSDEV. PHYSDEV wins over the parent in the name (both tools);
 *    VLAN_ID (NetworkManager) and VID (initscripts) win over the id in the
 *    name. The interface keeps the name DEVICE gives, so VLAN_NAME_TYPE,
 *    which only told vconfig how to name it, changes nothing.
 *  - REORDER_HDR: yes (the default) is the kernel's default; no is not
 *    kept and warned: it only changes whether packet sockets on the VLAN
 *    see the tag inside the frame, and the model keeps the kernel's
 *    default. GVRP, MVRP and the priority maps are warned, not converted.
 * Bridges:
 *  - TYPE=Bridge (initscripts compares exactly; NetworkManager in any
 *    case, which is warned). Ports are the files with BRIDGE=<bridge>:
 *    bonds, VLANs or NICs, in file order. ifup-eth adds such a device to
 *    the bridge and configures nothing else on it, so a port's own
 *    addresses are warned and left out.
 *  - STP=yes|on|no|off (brctl stp); DELAY=seconds (brctl setfd);
 *    BRIDGING_OPTS="key=value ..." is written by ifup-eth to
 *    /sys/class/net/<bridge>/bridge/<key>: priority as is, and
 *    forward_delay, hello_time and max_age in hundredths of a second
 *    (USER_HZ). NetworkManager reads those three as seconds: a value under
 *    100 is taken as seconds (the only reading the kernel accepts with STP
 *    on) and warned; other values must be whole seconds.
 * Both: addressing, DHCP and routes as for bonds (rh-ip.c), MTU, MACADDR,
 * ONBOOT.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "legacy-int.h"
#include "model/model.h"
#include "util/array.h"

static bool all_digits(const char *s, size_t max) {
        size_t n = strlen(s);

        return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

static struct bg_ifcfg_var *var(struct lg_file *f, const char *key) {
        struct bg_ifcfg_var *v = bg_ifcfg_find(&f->cfg, key);

        return v && v->value && *v->value ? v : NULL;
}

static void err(struct lg_ctx *c, struct lg_stack *s, struct bg_ifcfg_var *v, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void err(struct lg_ctx *c, struct lg_stack *s, struct bg_ifcfg_var *v, const char *key,
                const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        lg_diag(c, BG_DIAG_ERROR, s->file->cfg.path, v ? v->line : 0, v ? v->col : 0, key, "%s",
                msg ? msg : "?");
        if (v)
                lg_vfate(c, &s->file->cfg, v, "error: %s", msg ? msg : "?");
        free(msg);
        s->bad = true;
}

/* Parent and id of a VLAN file; false (reported) when they cannot be told. */
static bool vlan_ident(struct lg_ctx *c, struct lg_stack *s) {
        struct lg_file *f = s->file;
        const char *dev = f->device, *dot = strrchr(dev, '.');
        struct bg_ifcfg_var *phys = var(f, "PHYSDEV"), *vid = var(f, "VLAN_ID"), *ivid = var(f, "VID");
        char nparent[64] = "";
        long nid = -1;

        if (dot && dot > dev && all_digits(dot + 1, 4)) {
                snprintf(nparent, sizeof(nparent), "%.*s", (int)(dot - dev), dev);
                nid = strtol(dot + 1, NULL, 10);
        } else if (!strncmp(dev, "vlan", 4) && all_digits(dev + 4, 4))
                nid = strtol(dev + 4, NULL, 10);
        if (!vid)
                vid = ivid;
        if (vid) {
                if (!all_digits(vid->value, 4)) {
                        err(c, s, vid, vid->key, "'%s' is not a VLAN id (1-4094)", vid->value);
                        return false;
                }
                if (nid >= 0 && strtol(vid->value, NULL, 10) != nid)
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, vid->line, vid->col, vid->key,
                                "%s=%s differs from the id in the name %s; %s wins (as in %s)",
                                vid->key, vid->value, dev, vid->key,
                                strcmp(vid->key, "VID") ? "NetworkManager" : "initscripts");
                nid = strtol(vid->value, NULL, 10);
        }
        if (nid < 1 || nid > 4094) {
                if (nid < 0)
                        err(c, s, NULL, "DEVICE",
                            "cannot tell the id of VLAN %s: the name is neither PARENT.ID nor vlanID, "
                            "and there is no VLAN_ID", dev);
                else
                        err(c, s, vid, vid ? vid->key : "DEVICE",
                            "VLAN id %ld of %s is out of range (1-4094)", nid, dev);
                return false;
        }
        s->id = (unsigned)nid;
        if (phys) {
                if (*nparent && strcmp(nparent, phys->value))
                        lg_diag(c, BG_DIAG_NOTE, f->cfg.path, phys->line, phys->col, "PHYSDEV",
                                "PHYSDEV=%s wins over the parent %s in the name (as in both tools)",
                                phys->value, nparent);
                s->parent = strdup(phys->value);
        } else if (*nparent)
                s->parent = strdup(nparent);
        else {
                err(c, s, NULL, "PHYSDEV", "VLAN %s has no parent: a vlanID name needs PHYSDEV", dev);
                return false;
        }
        if (!s->parent) {
                c->syserr = c->syserr ?: -ENOMEM;
                return false;
        }
        return true;
}

static bool is_vlan(struct lg_ctx *c, struct lg_file *f) {
        struct bg_ifcfg_var *vl = var(f, "VLAN"), *type = var(f, "TYPE");

        if (vl && bg_ifcfg_bool(vl->value) == 1)
                return true;
        if (type && !strcasecmp(type->value, "vlan")) {
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, type->line, type->col, "TYPE",
                        "TYPE=%s without VLAN=yes: NetworkManager makes %s a VLAN, initscripts does not; "
                        "converted as a VLAN", type->value, f->device);
                return true;
        }
        return false;
}

static bool is_bridge(struct lg_ctx *c, struct lg_file *f) {
        struct bg_ifcfg_var *type = var(f, "TYPE");

        if (!type || strcasecmp(type->value, "bridge"))
                return false;
        if (strcmp(type->value, "Bridge"))
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, type->line, type->col, "TYPE",
                        "TYPE=%s: NetworkManager makes %s a bridge, initscripts only with TYPE=Bridge; "
                        "converted as a bridge", type->value, f->device);
        return true;
}

int lg_rh_stack_scan(struct lg_ctx *c) {
        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];
                struct lg_stack *s;
                bool vlan;

                if (f->used || f->read_failed || f->cfg.binary || f->alias)
                        continue;
                vlan = is_vlan(c, f);
                if (!vlan && !is_bridge(c, f))
                        continue;
                if (!(s = BG_NEW_SLOT(c->stack, c->n_stack)))
                        return -ENOMEM;
                c->n_stack++;
                *s = (struct lg_stack){ .file = f, .bridge = !vlan };
                f->used = true;
                if (vlan)
                        (void) vlan_ident(c, s);
        }
        /* NICs named as bridge ports belong to the conversion too. */
        for (size_t i = 0; i < c->n_files; i++) {
                struct lg_file *f = &c->files[i];

                if (!f->used && !f->read_failed && !f->cfg.binary && !f->alias &&
                    lg_rh_bridge(c, bg_ifcfg_get(&f->cfg, "BRIDGE")))
                        f->used = true;
        }
        return c->syserr;
}

const struct lg_stack *lg_rh_bridge(const struct lg_ctx *c, const char *name) {
        for (size_t i = 0; name && i < c->n_stack; i++)
                if (c->stack[i].bridge && !strcmp(c->stack[i].file->device, name))
                        return &c->stack[i];
        return NULL;
}

static bool l3_key(const char *k) {
        static const char *const prefixes[] = { "IPADDR", "PREFIX", "NETMASK", "GATEWAY", "DNS", "IPV6",
                                                "BROADCAST", "NETWORK" };
        static const char *const exact[] = { "BOOTPROTO", "DHCPV6C", "DHCP_HOSTNAME", "DEFROUTE",
                                             "PERSISTENT_DHCLIENT", "DOMAIN", "PEERDNS", "PEERROUTES" };

        for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
                if (!strncmp(k, prefixes[i], strlen(prefixes[i])))
                        return true;
        for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++)
                if (!strcmp(k, exact[i]))
                        return true;
        return false;
}

void lg_rh_port_l3(struct lg_ctx *c, struct lg_file *f, const char *bridge) {
        bool warned = false;

        for (size_t i = 0; i < f->cfg.n; i++) {
                struct bg_ifcfg_var *v = &f->cfg.v[i];

                if (v->fate || v->overridden_by || !l3_key(v->key))
                        continue;
                /* BOOTPROTO=none and empty values configure nothing. */
                if (!warned && v->value && *v->value &&
                    !(!strcmp(v->key, "BOOTPROTO") && (!strcmp(v->value, "none") || !strcmp(v->value, "static"))) &&
                    strncmp(v->key, "IPV6INIT", 8)) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, v->key,
                                "%s is a port of bridge %s: initscripts ifup-eth configures no address "
                                "on it; its addressing is left out (put it on %s)", f->device, bridge, bridge);
                        warned = true;
                }
                lg_vfate(c, &f->cfg, v, "ignored: %s is a bridge port (addressing belongs on %s)",
                         f->device, bridge);
        }
}

/* MTU, MACADDR and ONBOOT of a VLAN or bridge file. */
static void link_keys(struct lg_ctx *c, struct lg_stack *s, const char *list, bool *onboot,
                      uint32_t *mtu, struct bg_hwaddr *mac) {
        struct lg_file *f = s->file;
        struct bg_ifcfg_var *v;
        const char *name = f->device;

        if ((v = var(f, "ONBOOT"))) {
                int t = bg_ifcfg_bool(v->value);

                *onboot = t != 0;
                lg_vfate(c, &f->cfg, v, "%s[%s].onboot = %s", list, name, *onboot ? "true" : "false");
        }
        if ((v = var(f, "MTU"))) {
                char *end;
                unsigned long n = strtoul(v->value, &end, 10);

                if (*end || n < 68 || n > 65535)
                        err(c, s, v, "MTU", "'%s' is not an MTU (68-65535)", v->value);
                else {
                        *mtu = (uint32_t)n;
                        lg_vfate(c, &f->cfg, v, "%s[%s].mtu = %lu", list, name, n);
                }
        }
        if ((v = var(f, "MACADDR"))) {
                if (bg_hwaddr_parse(v->value, mac) < 0 || mac->len != 6) {
                        *mac = (struct bg_hwaddr){ 0 };
                        err(c, s, v, "MACADDR", "'%s' is not a MAC address", v->value);
                } else if (!lg_mac_keep(c, f->cfg.path, v->line, v->col, "MACADDR", name, mac)) {
                        lg_vfate(c, &f->cfg, v, "ignored: the kernel refuses %s as a device address (warned)",
                                 BG_HWADDR_STR(mac));
                        *mac = (struct bg_hwaddr){ 0 };
                } else
                        lg_vfate(c, &f->cfg, v, "%s[%s].mac = %s", list, name, BG_HWADDR_STR(mac));
        }
        lg_kfate(c, &f->cfg, "DEVICE", "%s[%s].name", list, name);
        lg_kfate(c, &f->cfg, "HWADDR", "ignored: names the device; %s takes its MAC from %s",
                 name, s->bridge ? "its first port" : "its parent");
}

static void vlan_keys(struct lg_ctx *c, struct lg_stack *s) {
        struct lg_file *f = s->file;
        struct bg_ifcfg_var *v;
        const char *name = f->device;
        static const char *const dropped[] = { "GVRP", "MVRP", "VLAN_EGRESS_PRIORITY_MAP",
                                               "VLAN_INGRESS_PRIORITY_MAP", "VLAN_FLAGS" };

        lg_kfate(c, &f->cfg, "VLAN", "marks %s as a VLAN", name);
        lg_kfate(c, &f->cfg, "TYPE", "marks %s as a VLAN", name);
        lg_kfate(c, &f->cfg, "PHYSDEV", "vlans[%s].link = %s", name, s->parent);
        lg_kfate(c, &f->cfg, "VLAN_ID", "vlans[%s].id = %u", name, s->id);
        lg_kfate(c, &f->cfg, "VID", "vlans[%s].id = %u", name, s->id);
        if ((v = var(f, "VLAN_NAME_TYPE"))) {
                static const char *const types[] = { "VLAN_PLUS_VID", "VLAN_PLUS_VID_NO_PAD", "DEV_PLUS_VID",
                                                     "DEV_PLUS_VID_NO_PAD" };
                bool known = false;

                for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
                        known |= !strcmp(v->value, types[i]);
                if (!known)
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, "VLAN_NAME_TYPE",
                                "unknown name type '%s'; the VLAN keeps the name %s", v->value, name);
                lg_vfate(c, &f->cfg, v, "nothing to convert: the VLAN keeps the name DEVICE gives (%s)", name);
        }
        if ((v = var(f, "REORDER_HDR"))) {
                if (bg_ifcfg_bool(v->value) == 0) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, "REORDER_HDR",
                                "REORDER_HDR=%s is not kept: the model leaves reorder_hdr at the kernel's "
                                "default (on); only packet sockets on %s, which then see the tag inside "
                                "the frame, notice", v->value, name);
                        lg_vfate(c, &f->cfg, v, "ignored: the kernel default reorder_hdr on is kept (warned)");
                } else
                        lg_vfate(c, &f->cfg, v, "nothing to convert: reorder_hdr on is the kernel's default");
        }
        for (size_t i = 0; i < sizeof(dropped) / sizeof(*dropped); i++)
                if ((v = var(f, dropped[i]))) {
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, dropped[i],
                                "%s is not part of the model; not converted", dropped[i]);
                        lg_vfate(c, &f->cfg, v, "ignored: not expressible (warned)");
                }
}

/* A time of BRIDGING_OPTS (sysfs: hundredths of a second) in seconds. */
static bool bridging_time(struct lg_ctx *c, struct lg_stack *s, struct bg_ifcfg_var *v, const char *key,
                          const char *val, int32_t *out) {
        unsigned long n;
        char *end;

        n = strtoul(val, &end, 10);
        if (*end || !*val || n > 100000) {
                err(c, s, v, "BRIDGING_OPTS", "%s=%s is not a time", key, val);
                return false;
        }
        if (n < 100) {
                lg_diag(c, BG_DIAG_WARNING, s->file->cfg.path, v->line, v->col, "BRIDGING_OPTS",
                        "%s=%s: initscripts writes it to sysfs, where it means hundredths of a second, "
                        "NetworkManager reads seconds; taken as %lu s", key, val, n);
                *out = (int32_t)n;
                return true;
        }
        if (n % 100)
                lg_diag(c, BG_DIAG_WARNING, s->file->cfg.path, v->line, v->col, "BRIDGING_OPTS",
                        "%s=%s hundredths of a second is rounded down to %lu s (the model keeps whole "
                        "seconds)", key, val, n / 100);
        *out = (int32_t)(n / 100);
        return true;
}

static void bridge_keys(struct lg_ctx *c, struct lg_stack *s, struct bg_bridge *br) {
        struct lg_file *f = s->file;
        struct bg_ifcfg_var *v;
        const char *name = f->device;

        lg_kfate(c, &f->cfg, "TYPE", "marks %s as a bridge", name);
        if ((v = var(f, "STP"))) {
                int t = bg_ifcfg_bool(v->value);

                if (t < 0)
                        err(c, s, v, "STP", "'%s' is not yes or no", v->value);
                else {
                        br->stp = t ? BG_STP_ON : BG_STP_OFF;
                        lg_vfate(c, &f->cfg, v, "bridges[%s].stp = %s", name, t ? "true" : "false");
                }
        }
        if ((v = var(f, "DELAY"))) {
                char *end;
                double d = strtod(v->value, &end);

                if (*end || d < 0 || d > 30)
                        err(c, s, v, "DELAY", "'%s' is not a forward delay (0-30 seconds)", v->value);
                else {
                        br->forward_delay = (int32_t)(d + 0.5);
                        if ((double)br->forward_delay != d)
                                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, "DELAY",
                                        "DELAY=%s is rounded to %d s (the model keeps whole seconds)",
                                        v->value, br->forward_delay);
                        lg_vfate(c, &f->cfg, v, "bridges[%s].forward-delay = %d", name, br->forward_delay);
                }
        }
        if ((v = var(f, "BRIDGING_OPTS"))) {
                char *copy = strdup(v->value), *save = NULL, *tok;
                bool any = false;

                if (!copy) {
                        c->syserr = c->syserr ?: -ENOMEM;
                        return;
                }
                for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
                        char *eq = strchr(tok, '=');
                        const char *val;

                        if (!eq) {
                                err(c, s, v, "BRIDGING_OPTS", "'%s' is not key=value", tok);
                                continue;
                        }
                        *eq = 0;
                        val = eq + 1;
                        if (!strcmp(tok, "priority")) {
                                char *end;
                                unsigned long n = strtoul(val, &end, 10);

                                if (*end || !*val || n > 65535)
                                        err(c, s, v, "BRIDGING_OPTS", "priority=%s is not 0-65535", val);
                                else
                                        br->priority = (int32_t)n;
                        } else if (!strcmp(tok, "stp_state") && (!strcmp(val, "0") || !strcmp(val, "1")))
                                br->stp = val[0] == '1' ? BG_STP_ON : BG_STP_OFF;
                        else if (!strcmp(tok, "forward_delay"))
                                (void) bridging_time(c, s, v, tok, val, &br->forward_delay);
                        else if (!strcmp(tok, "hello_time"))
                                (void) bridging_time(c, s, v, tok, val, &br->hello_time);
                        else if (!strcmp(tok, "max_age"))
                                (void) bridging_time(c, s, v, tok, val, &br->max_age);
                        else {
                                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, v->line, v->col, "BRIDGING_OPTS",
                                        "bridge option %s is not part of the model; not converted", tok);
                                continue;
                        }
                        any = true;
                }
                free(copy);
                if (!s->bad)
                        lg_vfate(c, &f->cfg, v, any ? "bridges[%s]: priority, STP times" :
                                                      "ignored: nothing convertible (warned)", name);
        }
}

bool lg_is_stack_file(const struct lg_ctx *c, const struct lg_file *f) {
        for (size_t i = 0; i < c->n_stack; i++)
                if (c->stack[i].file == f)
                        return true;
        return false;
}

/* L3 through the bond reader (rh-ip.c) into a scratch bond, then moved. */
static int build_l3(struct lg_ctx *c, struct lg_stack *s, const char *list, struct bg_ipcfg *v4,
                    struct bg_ipcfg *v6, char **hostname, const struct bg_loc *loc) {
        struct lg_bond lb = { .name = (char *)s->file->device, .file = s->file };
        struct bg_model tmp;
        struct bg_bond *b;
        int r;

        bg_model_init(&tmp);
        b = bg_model_add_bond(&tmp, s->file->device);
        if (!b) {
                bg_model_free(&tmp);
                return -ENOMEM;
        }
        b->loc = *loc;
        c->l3_list = list;
        r = lg_build_ip(c, &lb, b, c->model);
        c->l3_list = NULL;
        if (r >= 0) {
                *v4 = b->ipv4;
                *v6 = b->ipv6;
                *hostname = b->dhcp_hostname;
                b->ipv4 = (struct bg_ipcfg){ 0 };
                b->ipv6 = (struct bg_ipcfg){ 0 };
                b->dhcp_hostname = NULL;
        }
        bg_model_free(&tmp);
        return r;
}

static bool bridge_port(const struct lg_ctx *c, const struct lg_stack *s, const struct lg_file *pf) {
        const struct lg_stack *br = lg_rh_bridge(c, bg_ifcfg_get(&pf->cfg, "BRIDGE"));

        return br && br->file == s->file;
}

/* A NIC's file that only makes it a bridge port. */
static void nic_port(struct lg_ctx *c, struct lg_file *pf, const char *bridge) {
        static const char *const dropped[] = { "MTU", "MACADDR", "ETHTOOL_OPTS" };
        struct bg_ifcfg_var *v;

        lg_kfate(c, &pf->cfg, "DEVICE", "bridges[%s].ports[%s].name", bridge, pf->device);
        lg_kfate(c, &pf->cfg, "TYPE", "ignored: %s is a NIC", pf->device);
        lg_kfate(c, &pf->cfg, "HWADDR", "ignored: names the NIC");
        lg_kfate(c, &pf->cfg, "ONBOOT", "ignored: the port comes up with %s", bridge);
        for (size_t i = 0; i < sizeof(dropped) / sizeof(*dropped); i++)
                if ((v = var(pf, dropped[i]))) {
                        lg_diag(c, BG_DIAG_WARNING, pf->cfg.path, v->line, v->col, dropped[i],
                                "the model has no NIC settings; %s of bridge port %s is not converted",
                                dropped[i], pf->device);
                        lg_vfate(c, &pf->cfg, v, "ignored: NIC setting (warned)");
                }
        lg_rh_port_l3(c, pf, bridge);
        lg_sweep_file(c, pf, pf->device);
}

static int build_one(struct lg_ctx *c, struct lg_stack *s, struct bg_model *m) {
        struct lg_file *f = s->file;
        struct bg_ifcfg_var *d = bg_ifcfg_find(&f->cfg, "DEVICE");
        struct bg_loc loc = { bg_model_intern(m, f->cfg.path), d ? d->line : 0, d ? d->col : 0 };
        const char *port_of = bg_ifcfg_get(&f->cfg, "BRIDGE");
        int r = 0;

        if (!loc.file)
                return -ENOMEM;
        if (!s->bridge) {
                struct bg_vlan *v = bg_model_add_vlan(m, f->device, s->parent, (uint16_t)s->id);

                if (!v)
                        return -ENOMEM;
                v->loc = v->id_loc = v->link_loc = loc;
                vlan_keys(c, s);
                link_keys(c, s, "vlans", &v->onboot, &v->mtu, &v->mac);
                if (lg_rh_bridge(c, port_of))
                        lg_rh_port_l3(c, f, port_of);
                else
                        r = build_l3(c, s, "vlans", &v->ipv4, &v->ipv6, &v->dhcp_hostname, &loc);
        } else {
                struct bg_bridge *br = bg_model_add_bridge(m, f->device);

                if (!br)
                        return -ENOMEM;
                br->loc = loc;
                bridge_keys(c, s, br);
                link_keys(c, s, "bridges", &br->onboot, &br->mtu, &br->mac);
                /* Ports in file order: bonds, VLANs and NICs alike. */
                for (size_t i = 0; i < c->n_files; i++) {
                        struct lg_file *pf = &c->files[i];
                        struct bg_ifcfg_var *bv = bg_ifcfg_find(&pf->cfg, "BRIDGE");
                        struct bg_port *p;

                        if (pf->alias || pf->read_failed || pf->cfg.binary || !bridge_port(c, s, pf))
                                continue;
                        if (!(p = bg_bridge_add_port(br, pf->device)))
                                return -ENOMEM;
                        p->loc = (struct bg_loc){ bg_model_intern(m, pf->cfg.path), bv->line, bv->col };
                        lg_vfate(c, &pf->cfg, bv, "bridges[%s].ports += %s", f->device, pf->device);
                        /* A NIC port's file is used for nothing else. */
                        if (!pf->is_bond && !pf->is_port && !lg_is_stack_file(c, pf))
                                nic_port(c, pf, f->device);
                }
                if (port_of)
                        lg_diag(c, BG_DIAG_WARNING, f->cfg.path, 0, 0, "BRIDGE",
                                "bridge %s is a port of %s: the kernel does not put a bridge in a bridge; "
                                "not converted", f->device, port_of);
                r = build_l3(c, s, "bridges", &br->ipv4, &br->ipv6, &br->dhcp_hostname, &loc);
        }
        if (r >= 0 && f->device == f->suffix)
                lg_diag(c, BG_DIAG_WARNING, f->cfg.path, 0, 0, "DEVICE", "no DEVICE; the file name gives %s",
                        f->device);
        if (r >= 0)
                lg_sweep_file(c, f, f->device);
        return r;
}

int lg_rh_stack_build(struct lg_ctx *c, struct bg_model *m) {
        struct bg_model *saved = c->model;
        int r = 0;

        c->model = m;
        for (size_t i = 0; i < c->n_stack && r >= 0; i++) {
                struct lg_stack *s = &c->stack[i];
                size_t errors = bg_diags_count(c->diags, BG_DIAG_ERROR), nv = m->n_vlans, nb = m->n_bridges;

                if (s->bad)
                        continue;
                r = build_one(c, s, m);
                if (r >= 0 && (s->bad || bg_diags_count(c->diags, BG_DIAG_ERROR) > errors)) {
                        /* Leave it out, as a bond with errors is. */
                        s->bad = true;
                        if (m->n_vlans > nv)
                                bg_model_pop_vlan(m);
                        if (m->n_bridges > nb)
                                bg_model_pop_bridge(m);
                }
        }
        for (size_t i = 0; i < c->n_stack; i++)
                if (c->stack[i].bad)
                        lg_diag(c, BG_DIAG_ERROR, c->stack[i].file->cfg.path, 0, 0, c->stack[i].file->device,
                                "%s not converted because of the errors above",
                                c->stack[i].bridge ? "bridge" : "VLAN");
        c->model = saved;
        return r < 0 ? r : c->syserr;
}

void lg_rh_stack_free(struct lg_ctx *c) {
        for (size_t i = 0; i < c->n_stack; i++)
                free(c->stack[i].parent);
        free(c->stack);
        c->stack = NULL;
        c->n_stack = 0;
}
