/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd-networkd: per bond a .netdev (the device and its [Bond]
 * options), a .network (addresses, gateway, routes), a .link that keeps
 * the legacy MAC behaviour, and per port a .network with Bond= (plus a
 * .link pinning the port's name when the model matches it by MAC).
 * Layout and key order follow what netplan writes (its src/networkd.c),
 * so both tools' outputs can be compared line by line. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "emit/emit-internal.h"

#define NAME_MAX_LEN 256

/* [Bond] keys newer than the systemd many long-lived systems run
 * (systemd.netdev(5) marks them "Added in version 256"); systemd 252 logs "Unknown
 * key" and ignores them, verified with Debian 12's networkd. */
static unsigned key_min_systemd(const char *key) {
        static const struct {
                const char *key;
                unsigned version;
        } keys[] = {
                { "PeerNotifyDelaySec", 256 },
                { "ARPMissedMax", 256 },
        };

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if (strcmp(keys[i].key, key) == 0)
                        return keys[i].version;
        return 0;
}

static int emit_bond_options(FILE *f, const struct bg_bond *b, struct bg_diags *diags) {
        bool section = false;

        for (unsigned id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                struct bg_optval mode;
                const struct bg_optval *v;
                const char *key, *why;
                char val[1024];

                if (!(v = bg_emit_opt_value(b, id, BG_EMIT_NETWORKD, &mode, diags, f, "", ".")))
                        continue;
                /* networkd has no [Bond] key for these: the port's .network
                 * says PrimarySlave=true / ActiveSlave=true (systemd.network(5) [Network]). */
                if (id == BG_OPT_PRIMARY || id == BG_OPT_ACTIVE_SLAVE) {
                        if (!v->str || !v->str[0] || bg_emit_port_index(b, id) >= 0)
                                continue;
                        key = NULL;
                        why = "it names no port of the bond, and networkd marks the port itself";
                } else {
                        key = bg_emit_key(o, BG_EMIT_NETWORKD);
                        why = key ? bg_emit_value_gap(o, v, BG_EMIT_NETWORKD)
                                  : "networkd has no such setting";
                }
                if (!section) {
                        fputs("\n[Bond]\n", f);
                        section = true;
                }

                if (!why && bg_emit_format_value(o, v, BG_EMIT_NETWORKD, key, val, sizeof(val)) < 0)
                        why = "the value cannot be written";
                if (why) {
                        bg_emit_opt_refused(b, id, v, BG_EMIT_NETWORKD, why, diags, f, "", ".");
                        continue;
                }
                /* networkd sends lp_interval only together with a non-zero
                 * ARP interval (systemd src/network/netdev/bond.c:
                 * netdev_bond_fill_message_create()). */
                if (id == BG_OPT_LP_INTERVAL && bg_bond_opt_num(b, BG_OPT_ARP_INTERVAL) == 0)
                        bg_emit_warn_bond(diags, b, o->name,
                                          "bond %s: networkd applies lp_interval (LearnPacketIntervalSec=) only when arp_interval is non-zero; it is written but will have no effect",
                                          b->name);
                if (key_min_systemd(key)) {
                        unsigned ver = key_min_systemd(key);
                        char k[128];

                        fprintf(f, "# %s needs systemd %u or later; older networkd ignores it.\n",
                                key, ver);
                        snprintf(k, sizeof(k), "%s.%s", b->name, o->name);
                        if (diags)
                                bg_diag_add(diags, BG_DIAG_NOTE, &b->opt_loc[id], k,
                                            "bond %s: %s is written as %s=, which networkd reads only from systemd %u on",
                                            b->name, o->name, key, ver);
                }
                fprintf(f, "%s=%s\n", key, val);
        }
        return 0;
}

static int emit_netdev(struct bg_emit_files *out, const struct bg_bond *b, struct bg_diags *diags) {
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        fprintf(f, "[NetDev]\nName=%s\n", b->name);
        if (b->mac.len)
                fprintf(f, "MACAddress=%s\n", BG_HWADDR_STR(&b->mac));
        else
                /* bond_main.c:bond_enslave() gives an address-less bond its first
                 * port's MAC; initscripts behaved the same. */
                fprintf(f,
                        "# The kernel and the legacy initscripts give a bond the MAC address of\n"
                        "# its first port, while networkd would generate one from the name and\n"
                        "# the machine-id. With \"none\" the kernel starts with a random address,\n"
                        "# and a bond whose address is still random takes its first port's MAC on\n"
                        "# enslave. " BG_EMIT_PREFIX "%s.link stops udev from replacing it first.\n"
                        "MACAddress=none\n",
                        b->name);
        if (b->mtu)
                fprintf(f, "MTUBytes=%" PRIu32 "\n", b->mtu);
        fputs("Kind=bond\n", f);
        emit_bond_options(f, b, diags);
        bg_emit_warn_port_prio(diags, b, "systemd-networkd", "systemd.netdev(5) [Bond], systemd.network(5) [Network]");

        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.netdev", b->name);
}

/* Without this, 99-default.link (MACAddressPolicy=persistent) gives the
 * bond a fixed address before any port is added and the kernel keeps it
 * (systemd issues #3375 and #21783). */
static int emit_bond_link(struct bg_emit_files *out, const struct bg_bond *b) {
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        fprintf(f,
                "# Keeps the kernel's MAC address choice for %s (its first port's MAC),\n"
                "# which 99-default.link would otherwise replace with a persistent one.\n"
                "[Match]\nType=bond\nOriginalName=%s\n\n[Link]\nMACAddressPolicy=none\n",
                b->name, b->name);
        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.link", b->name);
}

static void emit_routes(FILE *f, const struct bg_ipcfg *c, int family) {
        for (size_t i = 0; i < c->n_routes; i++) {
                const struct bg_route *r = &c->routes[i];
                struct bg_addr to = bg_route_dest(r, family);

                fprintf(f, "\n[Route]\nDestination=%s\n", BG_ADDR_STR(&to));
                if (bg_addr_set(&r->via))
                        fprintf(f, "Gateway=%s\n", BG_ADDR_STR(&r->via));
                if (r->metric)
                        fprintf(f, "Metric=%" PRIu32 "\n", r->metric);
        }
}

/* What a .network of an interface says about the ones stacked on it: the
 * VLANs whose link it is (VLAN=) and the bridge it is a port of (Bridge=),
 * both in [Network] (systemd.network(5)). */
static void emit_stack_lines(FILE *f, const struct bg_model *m, const char *name) {
        const struct bg_bridge *br = bg_model_bridge_of(m, name);

        for (size_t i = 0; i < m->n_vlans; i++)
                if (m->vlans[i].link && !strcmp(m->vlans[i].link, name))
                        fprintf(f, "VLAN=%s\n", m->vlans[i].name);
        if (br)
                fprintf(f, "Bridge=%s\n", br->name);
}

struct l3 {
        const char *name;
        uint32_t mtu;
        bool onboot;
        const struct bg_ipcfg *v4, *v6;
        const char *hostname;
};

static int emit_l3_network(struct bg_emit_files *out, const struct bg_model *m, const struct l3 *x,
                           struct bg_diags *diags, const struct bg_loc *loc) {
        const struct bg_ipcfg *v4 = x->v4, *v6 = x->v6;
        bool port = bg_model_bridge_of(m, x->name) != NULL;
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        fprintf(f, "[Match]\nName=%s\n", x->name);

        if (x->mtu || !x->onboot) {
                fputs("\n[Link]\n", f);
                if (x->mtu)
                        fprintf(f, "MTUBytes=%" PRIu32 "\n", x->mtu);
                if (!x->onboot)
                        /* ONBOOT=no: configured, but brought up by hand only,
                         * and not waited for by wait-online. */
                        fputs("ActivationPolicy=manual\nRequiredForOnline=no\n", f);
        }

        fputs("\n[Network]\n", f);
        if (v4->method == BG_IP_DHCP && v6->method == BG_IP_DHCP)
                fputs("DHCP=yes\n", f);
        else if (v4->method == BG_IP_DHCP)
                fputs("DHCP=ipv4\n", f);
        else if (v6->method == BG_IP_DHCP)
                fputs("DHCP=ipv6\n", f);
        /* IPv6 without a method is left to the kernel's defaults (a
         * link-local address, router advertisements), as legacy initscripts
         * and NetworkManager's reading of IPV6INIT did (nms-ifcfg-rh-reader.c);
         * it is spelled out so the file reads the same as
         * netplan's. IPv4 link-local never existed in the legacy setups.
         * Addresses are written whatever the method: the model holds only
         * what its reader meant to configure. A bridge port has no
         * addressing of its own (validation refuses it). */
        fputs(port ? "LinkLocalAddressing=no\n" : "LinkLocalAddressing=ipv6\n", f);
        for (size_t i = 0; i < v4->n_addresses; i++)
                fprintf(f, "Address=%s\n", BG_ADDR_STR(&v4->addresses[i]));
        for (size_t i = 0; i < v6->n_addresses; i++)
                fprintf(f, "Address=%s\n", BG_ADDR_STR(&v6->addresses[i]));
        if (bg_addr_set(&v4->gateway))
                fprintf(f, "Gateway=%s\n", BG_ADDR_STR(&v4->gateway));
        if (bg_addr_set(&v6->gateway))
                fprintf(f, "Gateway=%s\n", BG_ADDR_STR(&v6->gateway));
        for (size_t i = 0; i < v4->n_dns; i++)
                fprintf(f, "DNS=%s\n", BG_ADDR_STR(&v4->dns[i]));
        for (size_t i = 0; i < v6->n_dns; i++)
                fprintf(f, "DNS=%s\n", BG_ADDR_STR(&v6->dns[i]));
        /* Legacy ifup configured the bond's addresses whether or not a port
         * had carrier; netplan does the same for virtual devices. */
        fputs("ConfigureWithoutCarrier=yes\n", f);
        emit_stack_lines(f, m, x->name);
        if (x->hostname && v4->method == BG_IP_DHCP)
                fprintf(f, "\n[DHCPv4]\nHostname=%s\n", x->hostname);
        else if (x->hostname && v6->method == BG_IP_DHCP && diags)
                bg_diag_add(diags, BG_DIAG_WARNING, loc, x->name,
                            "%s: dhcp-hostname %s is not written: networkd's DHCPv6 client has no "
                            "Hostname= (it sends the system's host name)", x->name, x->hostname);
        emit_routes(f, v4, AF_INET);
        emit_routes(f, v6, AF_INET6);

        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.network", x->name);
}

static int emit_bond_network(struct bg_emit_files *out, const struct bg_model *m, const struct bg_bond *b,
                             struct bg_diags *diags) {
        struct l3 x = { b->name, b->mtu, b->onboot, &b->ipv4, &b->ipv6, b->dhcp_hostname };

        return emit_l3_network(out, m, &x, diags, &b->loc);
}

/* HWADDR + DEVICE pinned the name through udev's rename_device in the
 * legacy setup (initscripts src/rename_device.c); a .link file is how udev
 * does it now. netplan writes the same for match + set-name. */
static int emit_port_link(struct bg_emit_files *out, const struct bg_port *p, const char *id) {
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        fprintf(f,
                "# Gives the device with this permanent MAC the name %s, as HWADDR= with\n"
                "# DEVICE= did. Renaming into the kernel's own ethN names can fail when the\n"
                "# name is taken; the port's .network matches by MAC, so the bond still\n"
                "# gets its port.\n"
                "[Match]\nPermanentMACAddress=%s\n\n[Link]\nName=%s\n",
                p->name, BG_HWADDR_STR(&p->mac), p->name);
        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.link", id);
}

static int emit_port_network(struct bg_emit_files *out, const struct bg_bond *b, size_t i,
                             const char *id) {
        const struct bg_port *p = &b->ports[i];
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        fputs("[Match]\n", f);
        if (p->mac.len) {
                /* The permanent MAC: a port's current MAC is rewritten to the
                 * bond's on enslave (netplan PR #278, PermanentMACAddress=). */
                if (p->name)
                        fprintf(f, "# %s, matched by its MAC address\n", p->name);
                fprintf(f, "PermanentMACAddress=%s\n", BG_HWADDR_STR(&p->mac));
        } else
                fprintf(f, "Name=%s\n", p->name);
        fprintf(f, "\n[Network]\nLinkLocalAddressing=no\nBond=%s\n", b->name);
        if (bg_emit_port_index(b, BG_OPT_PRIMARY) == (long) i &&
            !bg_emit_opt_inert(b, BG_OPT_PRIMARY, BG_EMIT_NETWORKD))
                fputs("PrimarySlave=true\n", f);
        if (bg_emit_port_index(b, BG_OPT_ACTIVE_SLAVE) == (long) i &&
            !bg_emit_opt_inert(b, BG_OPT_ACTIVE_SLAVE, BG_EMIT_NETWORKD))
                fputs("ActiveSlave=true\n", f);

        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.network", id);
}

/* [NetDev] of a VLAN or bridge. */
static void netdev_head(FILE *f, const char *name, const char *kind, const struct bg_hwaddr *mac, uint32_t mtu) {
        fprintf(f, "[NetDev]\nName=%s\nKind=%s\n", name, kind);
        if (mac->len)
                fprintf(f, "MACAddress=%s\n", BG_HWADDR_STR(mac));
        if (mtu)
                fprintf(f, "MTUBytes=%" PRIu32 "\n", mtu);
}

static int emit_vlan_netdev(struct bg_emit_files *out, const struct bg_vlan *v) {
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        netdev_head(f, v->name, "vlan", &v->mac, v->mtu);
        fprintf(f, "\n[VLAN]\nId=%u\n", v->id);
        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.netdev", v->name);
}

static int emit_bridge_netdev(struct bg_emit_files *out, const struct bg_bridge *br) {
        char *buf;
        size_t len;
        FILE *f = bg_emit_open(&buf, &len);

        if (!f)
                return -ENOMEM;
        netdev_head(f, br->name, "bridge", &br->mac, br->mtu);
        /* [Bridge] keys left out keep the kernel's defaults (STP off,
         * forward delay 15 s, hello 2 s, max age 20 s, priority 32768). */
        if (br->stp != BG_STP_UNSET || br->forward_delay != BG_BR_UNSET || br->hello_time != BG_BR_UNSET ||
            br->max_age != BG_BR_UNSET || br->priority != BG_BR_UNSET)
                fputs("\n[Bridge]\n", f);
        if (br->stp != BG_STP_UNSET)
                fprintf(f, "STP=%s\n", br->stp == BG_STP_ON ? "yes" : "no");
        if (br->forward_delay != BG_BR_UNSET)
                fprintf(f, "ForwardDelaySec=%d\n", br->forward_delay);
        if (br->hello_time != BG_BR_UNSET)
                fprintf(f, "HelloTimeSec=%d\n", br->hello_time);
        if (br->max_age != BG_BR_UNSET)
                fprintf(f, "MaxAgeSec=%d\n", br->max_age);
        if (br->priority != BG_BR_UNSET)
                fprintf(f, "Priority=%d\n", br->priority);
        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.netdev", br->name);
}

/* A NIC outside the model that is a VLAN's link or a bridge port gets a
 * .network for VLAN= / Bridge= alone. networkd applies only the first
 * .network that matches a link, so say that it replaces any other. */
static int emit_nic_network(struct bg_emit_files *out, const struct bg_model *m, const char *name,
                            struct bg_diags *diags, const struct bg_loc *loc) {
        char *buf, want[300];
        size_t len;
        FILE *f;

        snprintf(want, sizeof(want), BG_EMIT_PREFIX "%s.network", name);
        if (bg_emit_files_find(out, want))
                return 0; /* already written for this NIC */
        if (!(f = bg_emit_open(&buf, &len)))
                return -ENOMEM;
        fprintf(f, "# %s is not in the model: this file only stacks on it what the model\n"
                   "# puts there, and as networkd applies the first matching .network, any other\n"
                   "# configuration of %s is no longer used.\n[Match]\nName=%s\n\n[Network]\n",
                name, name, name);
        fputs(bg_model_bridge_of(m, name) ? "LinkLocalAddressing=no\n" : "LinkLocalAddressing=ipv6\n", f);
        emit_stack_lines(f, m, name);
        if (diags)
                bg_diag_add(diags, BG_DIAG_NOTE, loc, name,
                            "%s is not in the model; its .network carries only the VLANs and bridge "
                            "stacked on it", name);
        return bg_emit_close_add(out, f, &buf, 0644, BG_EMIT_PREFIX "%s.network", name);
}

static bool in_model(const struct bg_model *m, const char *name) {
        return bg_model_find_bond(m, name) || bg_model_find_vlan(m, name) || bg_model_find_bridge(m, name);
}

static int emit_stack(struct bg_emit_files *out, const struct bg_model *m, struct bg_diags *diags) {
        int r;

        for (size_t i = 0; i < m->n_vlans; i++) {
                const struct bg_vlan *v = &m->vlans[i];
                struct l3 x = { v->name, v->mtu, v->onboot, &v->ipv4, &v->ipv6, v->dhcp_hostname };

                if (!bg_emit_name_safe(diags, v->name, v->link, &v->loc, BG_EMIT_NETWORKD))
                        continue;
                if ((r = emit_vlan_netdev(out, v)) < 0 || (r = emit_l3_network(out, m, &x, diags, &v->loc)) < 0)
                        return r;
                if (!in_model(m, v->link) && (r = emit_nic_network(out, m, v->link, diags, &v->link_loc)) < 0)
                        return r;
        }
        for (size_t i = 0; i < m->n_bridges; i++) {
                const struct bg_bridge *br = &m->bridges[i];
                struct l3 x = { br->name, br->mtu, br->onboot, &br->ipv4, &br->ipv6, br->dhcp_hostname };

                if (!bg_emit_name_safe(diags, br->name, NULL, &br->loc, BG_EMIT_NETWORKD))
                        continue;
                if ((r = emit_bridge_netdev(out, br)) < 0 || (r = emit_l3_network(out, m, &x, diags, &br->loc)) < 0)
                        return r;
                for (size_t k = 0; k < br->n_ports; k++)
                        if (br->ports[k].name && !in_model(m, br->ports[k].name) &&
                            bg_emit_name_safe(diags, br->ports[k].name, NULL, &br->ports[k].loc, BG_EMIT_NETWORKD) &&
                            (r = emit_nic_network(out, m, br->ports[k].name, diags, &br->ports[k].loc)) < 0)
                                return r;
        }
        return 0;
}

int bg_emit_networkd(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags) {
        int r;

        if (!m || !out)
                return -EINVAL;
        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *b = &m->bonds[i];

                if (!bg_emit_bond_safe(diags, b, BG_EMIT_NETWORKD))
                        continue;
                r = emit_netdev(out, b, diags);
                if (r < 0)
                        return r;
                if (!b->mac.len) {
                        r = emit_bond_link(out, b);
                        if (r < 0)
                                return r;
                }
                r = emit_bond_network(out, m, b, diags);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < b->n_ports; j++) {
                        char id[NAME_MAX_LEN];

                        if (!bg_emit_port_usable(diags, b, j, BG_EMIT_NETWORKD))
                                continue;
                        r = bg_emit_port_id(b, j, id, sizeof(id));
                        if (r < 0)
                                return r;
                        if (b->ports[j].mac.len && b->ports[j].name) {
                                r = emit_port_link(out, &b->ports[j], id);
                                if (r < 0)
                                        return r;
                        }
                        r = emit_port_network(out, b, j, id);
                        if (r < 0)
                                return r;
                }
        }
        return emit_stack(out, m, diags);
}
