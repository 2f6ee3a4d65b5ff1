/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NetworkManager keyfiles (nm-settings-keyfile(5)): one profile for the
 * bond and one per port, mode 0600 because NetworkManager ignores
 * profiles readable by others. Layout as netplan's NM renderer writes it
 * (netplan src/nm.c), with master=/slave-type=, which every NM
 * version reads. UUIDs are derived from the profile id so the output is
 * reproducible. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "emit/emit-internal.h"

#define KF_PREFIX "bondgen-"

static int emit_connection(FILE *f, const char *id, const char *type, const char *ifname,
                           const char *master, const char *port_type, bool onboot, bool has_ports) {
        char uuid[37];
        int r;

        r = bg_emit_uuid(id, uuid);
        if (r < 0)
                return r;
        fprintf(f, "[connection]\nid=%s\nuuid=%s\ntype=%s\n", id, uuid, type);
        if (ifname)
                fprintf(f, "interface-name=%s\n", ifname);
        if (master)
                fprintf(f, "master=%s\nslave-type=%s\n", master, port_type);
        if (!onboot)
                fputs("autoconnect=false\n", f);
        /* ONBOOT=no: "ifup bond0" brought its ports along; NetworkManager
         * does that for ports that do not autoconnect only when asked. */
        if (!onboot && has_ports)
                fputs("autoconnect-slaves=1\n", f);
        return 0;
}

/* A memory stream holding a profile's [connection] section, or NULL with
 * *err set (nothing left to free). */
static FILE *open_profile(char **buf, size_t *len, int *err, const char *id, const char *type,
                          const char *ifname, const char *master, const char *port_type, bool onboot,
                          bool has_ports) {
        FILE *f = bg_emit_open(buf, len);

        if (!f) {
                *err = -ENOMEM;
                return NULL;
        }
        *err = emit_connection(f, id, type, ifname, master, port_type, onboot, has_ports);
        if (*err < 0) {
                fclose(f);
                free(*buf);
                *buf = NULL;
                return NULL;
        }
        return f;
}

static void emit_bond_options(FILE *f, const struct bg_bond *b, struct bg_diags *diags) {
        fputs("\n[bond]\n", f);
        for (unsigned id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                struct bg_optval mode;
                const struct bg_optval *v;
                const char *key, *why = NULL;
                char val[1024];

                if (id == BG_OPT_MIIMON && !b->opts[id].set &&
                    (!bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL) ||
                     bg_emit_opt_inert(b, BG_OPT_ARP_INTERVAL, BG_EMIT_KEYFILE)) &&
                    bg_bond_mode(b) != BG_MODE_8023AD && bg_bond_mode(b) != BG_MODE_BALANCE_TLB &&
                    bg_bond_mode(b) != BG_MODE_BALANCE_ALB) {
                        /* NetworkManager's default miimon is 100, the kernel's
                         * (and so the legacy setup's) is 0 outside 802.3ad,
                         * balance-tlb and balance-alb, where the kernel forces
                         * 100 (nm-setting-bond.c; bond_main.c bonding_defaults
                         * and bond_check_params()). */
                        fputs("# No link monitoring, as in the source: NetworkManager would default to 100.\n"
                              "miimon=0\n",
                              f);
                        continue;
                }
                if (!(v = bg_emit_opt_value(b, id, BG_EMIT_KEYFILE, &mode, diags, f, "", ".")))
                        continue;
                if ((o->type == BG_OT_IFNAME) && (!v->str || !v->str[0]))
                        continue; /* empty primary/active_slave: none, the default */
                key = bg_emit_key(o, BG_EMIT_KEYFILE);
                why = key ? bg_emit_value_gap(o, v, BG_EMIT_KEYFILE) : "NetworkManager has no such bond option";
                if (!why && bg_emit_format_value(o, v, BG_EMIT_KEYFILE, key, val, sizeof(val)) < 0)
                        why = "the value cannot be written";
                if (why) {
                        bg_emit_opt_refused(b, id, v, BG_EMIT_KEYFILE, why, diags, f, "", ".");
                        continue;
                }
                fprintf(f, "%s=%s\n", key, val);
                /* The kernel keeps one value for both; NetworkManager has two
                 * options and requires them to be equal (nm-setting-bond.c:verify()), and sets each
                 * one it knows, so give both as netplan does. */
                if (id == BG_OPT_NUM_GRAT_ARP && strcmp(key, "num_grat_arp") == 0)
                        fprintf(f, "num_unsol_na=%s\n", val);
        }
}

struct l3 {
        const char *name;
        const struct bg_ipcfg *v4, *v6;
        const char *hostname;
        const struct bg_loc *loc;
};

static void emit_ip(FILE *f, const struct l3 *x, const struct bg_ipcfg *c, int family,
                    struct bg_diags *diags) {
        const char *sec = family == AF_INET6 ? "ipv6" : "ipv4";
        const char *method;
        unsigned n = 0;

        /* IPv6 "auto" is router advertisements plus DHCPv6 as they ask,
         * which is what networkd's DHCP=ipv6 and netplan's dhcp6 do. */
        if (c->method == BG_IP_DHCP)
                method = "auto";
        else if (c->n_addresses > 0)
                method = "manual";
        else if (family == AF_INET6 && c->method == BG_IP_NONE)
                /* "ignore": IPv6 left to the kernel's defaults, which is how
                 * NetworkManager read a legacy file without IPv6 settings
                 * (nms-ifcfg-rh-reader.c: no IPV6INIT means "ignore"). */
                method = "ignore";
        else {
                /* NetworkManager rejects method=manual without an address. */
                if (c->method == BG_IP_STATIC && diags) {
                        char k[300];

                        snprintf(k, sizeof(k), "%s.%s", x->name, sec);
                        bg_diag_add(diags, BG_DIAG_WARNING, x->loc, k,
                                    "%s: static %s without an address; NetworkManager needs one for method=manual, written as method=disabled",
                                    x->name, sec);
                }
                method = "disabled";
        }
        fprintf(f, "\n[%s]\nmethod=%s\n", sec, method);
        for (size_t i = 0; i < c->n_addresses; i++)
                fprintf(f, "address%zu=%s\n", i + 1, BG_ADDR_STR(&c->addresses[i]));
        if (bg_addr_set(&c->gateway))
                fprintf(f, "gateway=%s\n", BG_ADDR_STR(&c->gateway));

        /* Servers go to the section of their own family, whatever list
         * the model kept them in. */
        for (int pass = 0; pass < 2; pass++) {
                const struct bg_ipcfg *src = pass == 0 ? x->v4 : x->v6;

                for (size_t i = 0; i < src->n_dns; i++) {
                        if (src->dns[i].family != family)
                                continue;
                        if (n++ == 0)
                                fputs("dns=", f);
                        fprintf(f, "%s;", BG_ADDR_STR(&src->dns[i]));
                }
        }
        if (n > 0)
                fputc('\n', f);
        if (c->method == BG_IP_DHCP && x->hostname)
                fprintf(f, "dhcp-hostname=%s\n", x->hostname);

        for (size_t i = 0; i < c->n_routes; i++) {
                const struct bg_route *r = &c->routes[i];
                const char *any = family == AF_INET6 ? "::" : "0.0.0.0";
                struct bg_addr to = bg_route_dest(r, family);

                fprintf(f, "route%zu=%s", i + 1, BG_ADDR_STR(&to));
                /* keyfile routes are "dest/plen,gateway,metric"; a route
                 * without gateway keeps the field with the any-address. */
                if (bg_addr_set(&r->via) || r->metric)
                        fprintf(f, ",%s", bg_addr_set(&r->via) ? BG_ADDR_STR(&r->via) : any);
                if (r->metric)
                        fprintf(f, ",%" PRIu32, r->metric);
                fputc('\n', f);
        }
}

static int emit_bond(struct bg_emit_files *out, const struct bg_model *m, const struct bg_bond *b,
                     struct bg_diags *diags) {
        struct l3 x = { b->name, &b->ipv4, &b->ipv6, b->dhcp_hostname, &b->loc };
        const struct bg_bridge *br;
        char id[300], *buf;
        size_t len;
        FILE *f;
        int r;

        snprintf(id, sizeof(id), KF_PREFIX "%s", b->name);
        br = bg_model_bridge_of(m, b->name);
        f = open_profile(&buf, &len, &r, id, "bond", b->name, br ? br->name : NULL, "bridge", b->onboot, b->n_ports > 0);
        if (!f)
                return r;
        if (b->mac.len || b->mtu) {
                fputs("\n[ethernet]\n", f);
                if (b->mac.len)
                        fprintf(f, "cloned-mac-address=%s\n", BG_HWADDR_STR(&b->mac));
                if (b->mtu)
                        fprintf(f, "mtu=%" PRIu32 "\n", b->mtu);
        }
        emit_bond_options(f, b, diags);
        /* A bridge port has no addressing of its own (validation). */
        if (!br) {
                emit_ip(f, &x, &b->ipv4, AF_INET, diags);
                emit_ip(f, &x, &b->ipv6, AF_INET6, diags);
        }

        return bg_emit_close_add(out, f, &buf, 0600, "%s.nmconnection", id);
}

static int emit_port(struct bg_emit_files *out, const struct bg_bond *b, size_t i,
                     struct bg_diags *diags) {
        const struct bg_port *p = &b->ports[i];
        char pid[256], id[300], *buf;
        size_t len;
        FILE *f;
        int r;

        r = bg_emit_port_id(b, i, pid, sizeof(pid));
        if (r < 0)
                return r;
        snprintf(id, sizeof(id), KF_PREFIX "%s", pid);
        /* A port matched by MAC is matched by its permanent MAC only: NM
         * does not rename devices, and requiring the legacy name as well
         * would leave the bond without the port wherever udev named it
         * differently (NetworkManager matches HWADDR alone, and so
         * did initscripts' rename_device). */
        f = open_profile(&buf, &len, &r, id, "ethernet", p->mac.len ? NULL : p->name, b->name, "bond", b->onboot,
                            false);
        if (!f)
                return r;
        if (p->mac.len) {
                fputs("\n[ethernet]\n", f);
                if (p->name)
                        fprintf(f, "# legacy name %s; keyfiles cannot pin a name (a .link file can)\n",
                                p->name);
                fprintf(f, "mac-address=%s\n", BG_HWADDR_STR(&p->mac));
                if (p->name && (bg_emit_port_index(b, BG_OPT_PRIMARY) == (long) i ||
                                bg_emit_port_index(b, BG_OPT_ACTIVE_SLAVE) == (long) i))
                        bg_emit_warn_bond(diags, b, "primary",
                                          "bond %s: the primary port %s is matched by MAC; a NetworkManager keyfile cannot give it that name, so primary=%s holds only if the device is named so (the networkd output's .link file does that)",
                                          b->name, p->name, p->name);
        }
        /* nm-settings-nmcli(5), bond-port: prio (NetworkManager 1.44) */
        if (p->prio)
                fprintf(f, "\n[bond-port]\nprio=%d\n", (int) p->prio);

        return bg_emit_close_add(out, f, &buf, 0600, "%s.nmconnection", id);
}

/* [ethernet] of a VLAN or bridge: its MAC and MTU. */
static void emit_link(FILE *f, const struct bg_hwaddr *mac, uint32_t mtu) {
        if (!mac->len && !mtu)
                return;
        fputs("\n[ethernet]\n", f);
        if (mac->len)
                fprintf(f, "cloned-mac-address=%s\n", BG_HWADDR_STR(mac));
        if (mtu)
                fprintf(f, "mtu=%" PRIu32 "\n", mtu);
}

static int emit_vlan(struct bg_emit_files *out, const struct bg_model *m, const struct bg_vlan *v,
                     struct bg_diags *diags) {
        struct l3 x = { v->name, &v->ipv4, &v->ipv6, v->dhcp_hostname, &v->loc };
        const struct bg_bridge *br = bg_model_bridge_of(m, v->name);
        char id[300], *buf;
        size_t len;
        FILE *f;
        int r;

        snprintf(id, sizeof(id), KF_PREFIX "%s", v->name);
        f = open_profile(&buf, &len, &r, id, "vlan", v->name, br ? br->name : NULL, "bridge", v->onboot, false);
        if (!f)
                return r;
        emit_link(f, &v->mac, v->mtu);
        /* flags=1: REORDER_HEADERS, the kernel's default (nm-setting-vlan.h). */
        fprintf(f, "\n[vlan]\nflags=1\nid=%u\nparent=%s\n", v->id, v->link);
        if (!br) {
                emit_ip(f, &x, &v->ipv4, AF_INET, diags);
                emit_ip(f, &x, &v->ipv6, AF_INET6, diags);
        }
        return bg_emit_close_add(out, f, &buf, 0600, "%s.nmconnection", id);
}

static int emit_bridge(struct bg_emit_files *out, const struct bg_bridge *br, struct bg_diags *diags) {
        struct l3 x = { br->name, &br->ipv4, &br->ipv6, br->dhcp_hostname, &br->loc };
        char id[300], *buf;
        size_t len;
        FILE *f;
        int r;

        snprintf(id, sizeof(id), KF_PREFIX "%s", br->name);
        f = open_profile(&buf, &len, &r, id, "bridge", br->name, NULL, NULL, br->onboot, br->n_ports > 0);
        if (!f)
                return r;
        emit_link(f, &br->mac, br->mtu);
        /* NetworkManager turns STP on unless told (nm-setting-bridge.c),
         * and writes only what differs from that; the model's unset is the
         * kernel's default, off. */
        fputs(br->stp == BG_STP_ON ? "\n[bridge]\n" : "\n[bridge]\nstp=false\n", f);
        /* NetworkManager's defaults are the kernel's (15, 2, 20, 32768 in
         * nm-setting-bridge.c) and it leaves them out of its own files. */
        if (br->forward_delay != BG_BR_UNSET && br->forward_delay != 15)
                fprintf(f, "forward-delay=%d\n", br->forward_delay);
        if (br->hello_time != BG_BR_UNSET && br->hello_time != 2)
                fprintf(f, "hello-time=%d\n", br->hello_time);
        if (br->max_age != BG_BR_UNSET && br->max_age != 20)
                fprintf(f, "max-age=%d\n", br->max_age);
        if (br->priority != BG_BR_UNSET && br->priority != 32768)
                fprintf(f, "priority=%d\n", br->priority);
        emit_ip(f, &x, &br->ipv4, AF_INET, diags);
        emit_ip(f, &x, &br->ipv6, AF_INET6, diags);
        return bg_emit_close_add(out, f, &buf, 0600, "%s.nmconnection", id);
}

/* A NIC outside the model as a bridge port: an ethernet profile that only
 * makes it the port. */
static int emit_nic_port(struct bg_emit_files *out, const struct bg_bridge *br, const char *nic) {
        char id[300], *buf;
        size_t len;
        FILE *f;
        int r;

        snprintf(id, sizeof(id), KF_PREFIX "%s", nic);
        f = open_profile(&buf, &len, &r, id, "ethernet", nic, br->name, "bridge", br->onboot, false);
        if (!f)
                return r;
        return bg_emit_close_add(out, f, &buf, 0600, "%s.nmconnection", id);
}

static bool in_model(const struct bg_model *m, const char *name) {
        return bg_model_find_bond(m, name) || bg_model_find_vlan(m, name) || bg_model_find_bridge(m, name);
}

static int emit_stack(struct bg_emit_files *out, const struct bg_model *m, struct bg_diags *diags) {
        int r;

        for (size_t i = 0; i < m->n_vlans; i++)
                if (bg_emit_name_safe(diags, m->vlans[i].name, m->vlans[i].link, &m->vlans[i].loc,
                                      BG_EMIT_KEYFILE) &&
                    (r = emit_vlan(out, m, &m->vlans[i], diags)) < 0)
                        return r;
        for (size_t i = 0; i < m->n_bridges; i++) {
                const struct bg_bridge *br = &m->bridges[i];

                if (!bg_emit_name_safe(diags, br->name, NULL, &br->loc, BG_EMIT_KEYFILE))
                        continue;
                if ((r = emit_bridge(out, br, diags)) < 0)
                        return r;
                for (size_t k = 0; k < br->n_ports; k++)
                        if (!in_model(m, br->ports[k].name) &&
                            bg_emit_name_safe(diags, br->ports[k].name, NULL, &br->ports[k].loc, BG_EMIT_KEYFILE) &&
                            (r = emit_nic_port(out, br, br->ports[k].name)) < 0)
                                return r;
        }
        return 0;
}

int bg_emit_keyfile(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags) {
        int r;

        if (!m || !out)
                return -EINVAL;
        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *b = &m->bonds[i];

                if (!bg_emit_bond_safe(diags, b, BG_EMIT_KEYFILE))
                        continue;
                r = emit_bond(out, m, b, diags);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < b->n_ports; j++) {
                        if (!bg_emit_port_usable(diags, b, j, BG_EMIT_KEYFILE))
                                continue;
                        r = emit_port(out, b, j, diags);
                        if (r < 0)
                                return r;
                }
        }
        return emit_stack(out, m, diags);
}
