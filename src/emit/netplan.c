/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netplan v2 YAML, one file per bond (10-bondgen-<bond>.yaml) holding the
 * bond and its ports: netplan merges all files, and a bond's members must
 * be declared somewhere (netplan: "interface '<x>' is not defined"). Key names come
 * from the catalogue; what netplan cannot hold is reported and written as
 * a comment, so a reviewer sees it next to the bond. The output is
 * checked with `netplan generate --root-dir` in the unit tests. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "emit/emit-internal.h"

/* A double-quoted YAML scalar, with escapes. */
static void put_quoted(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

/* A YAML scalar: plain when it is an ordinary interface-like word,
 * otherwise double-quoted with escapes. Plain words that YAML 1.1 would
 * read as something else (true, no, ~, numbers) are quoted too. */
static void put_scalar(FILE *f, const char *s) {
        static const char *const special[] = { "y", "n", "yes", "no", "true", "false", "on",
                                               "off", "null", "~" };
        bool plain = s[0] != 0 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));

        for (const char *p = s; plain && *p; p++)
                plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.' ||
                        *p == '@';
        for (size_t i = 0; plain && i < sizeof(special) / sizeof(special[0]); i++)
                if (strcasecmp(s, special[i]) == 0)
                        plain = false;
        if (plain)
                fputs(s, f);
        else
                put_quoted(f, s);
}

static void emit_routes(FILE *f, const struct bg_ipcfg *c) {
        if (bg_addr_set(&c->gateway)) {
                fputs("        - to: default\n          via: ", f);
                put_quoted(f, BG_ADDR_STR(&c->gateway));
                fputc('\n', f);
        }
        for (size_t i = 0; i < c->n_routes; i++) {
                const struct bg_route *r = &c->routes[i];

                fputs("        - to: ", f);
                if (r->is_default)
                        fputs("default", f);
                else
                        put_quoted(f, BG_ADDR_STR(&r->to));
                fputc('\n', f);
                if (bg_addr_set(&r->via)) {
                        fputs("          via: ", f);
                        put_quoted(f, BG_ADDR_STR(&r->via));
                        fputc('\n', f);
                } else
                        /* netplan wants a gateway unless the route is on-link. */
                        fputs("          scope: link\n", f);
                if (r->metric)
                        fprintf(f, "          metric: %" PRIu32 "\n", r->metric);
        }
}

static void emit_parameters(FILE *f, const struct bg_bond *b, struct bg_diags *diags) {
        fputs("      parameters:\n", f);
        for (unsigned id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                struct bg_optval mode;
                const struct bg_optval *v;
                const char *key, *why = NULL;
                char val[1024];

                if (!(v = bg_emit_opt_value(b, id, BG_EMIT_NETPLAN, &mode, diags, f, "        ", "")))
                        continue;
                key = bg_emit_key(o, BG_EMIT_NETPLAN);
                if (!key)
                        why = "netplan has no such setting";
                else if (id == BG_OPT_PRIMARY && v->str && v->str[0] &&
                         bg_emit_port_index(b, id) < 0)
                        /* netplan: "interface '<x>' is not defined". */
                        why = "netplan's primary must be one of the bond's interfaces";
                else
                        why = bg_emit_value_gap(o, v, BG_EMIT_NETPLAN);
                if (!why && bg_emit_format_value(o, v, BG_EMIT_NETPLAN, key, val, sizeof(val)) < 0)
                        why = "the value cannot be written";

                /* A zero that equals the default is what netplan means by
                 * leaving it out: nothing is lost, so no warning. */
                if (!why && key && (o->type == BG_OT_UINT || o->type == BG_OT_BOOL) &&
                    v->num == 0) {
                        fprintf(f, "        # %s: 0 is the default; netplan drops zeros\n", key);
                        continue;
                }
                if (id == BG_OPT_PRIMARY && (!v->str || !v->str[0]))
                        continue; /* primary= (empty) is the default: none */
                if (why) {
                        bg_emit_opt_refused(b, id, v, BG_EMIT_NETPLAN, why, diags, f, "        ", "");
                        continue;
                }
                fprintf(f, "        %s: %s\n", key, val);
        }
}

/* One YAML list item per address, quoted, after PREFIX ("    - "). */
static void put_addr_items(FILE *f, const char *prefix, const struct bg_addr *a, size_t n) {
        for (size_t i = 0; i < n; i++) {
                fputs(prefix, f);
                put_quoted(f, BG_ADDR_STR(&a[i]));
                fputc('\n', f);
        }
}

/* MAC, MTU, activation, DHCP and addressing of a bond, VLAN or bridge, at
 * the indentation of a device's keys. */
static void emit_l3(FILE *f, const struct bg_hwaddr *mac, uint32_t mtu, bool onboot, const struct bg_ipcfg *v4,
                    const struct bg_ipcfg *v6, const char *hostname) {
        if (mac->len) {
                fputs("      macaddress: ", f);
                put_quoted(f, BG_HWADDR_STR(mac));
                fputc('\n', f);
        }
        if (mtu)
                fprintf(f, "      mtu: %" PRIu32 "\n", mtu);
        if (!onboot)
                fputs("      activation-mode: manual\n", f);
        if (v4->method == BG_IP_DHCP)
                fputs("      dhcp4: true\n", f);
        if (v6->method == BG_IP_DHCP)
                fputs("      dhcp6: true\n", f);
        /* netplan's networkd renderer wants the same overrides for both
         * families; the host name is one. */
        if (hostname && v4->method == BG_IP_DHCP) {
                fputs("      dhcp4-overrides:\n        hostname: ", f);
                put_scalar(f, hostname);
                fputc('\n', f);
        }
        if (hostname && v6->method == BG_IP_DHCP) {
                fputs("      dhcp6-overrides:\n        hostname: ", f);
                put_scalar(f, hostname);
                fputc('\n', f);
        }
        if (v4->n_addresses + v6->n_addresses > 0) {
                fputs("      addresses:\n", f);
                put_addr_items(f, "        - ", v4->addresses, v4->n_addresses);
                put_addr_items(f, "        - ", v6->addresses, v6->n_addresses);
        }
        if (bg_addr_set(&v4->gateway) || bg_addr_set(&v6->gateway) || v4->n_routes + v6->n_routes > 0) {
                /* gateway4/gateway6 are deprecated in netplan (it warns): a
                 * default route says the same. */
                fputs("      routes:\n", f);
                emit_routes(f, v4);
                emit_routes(f, v6);
        }
        if (v4->n_dns + v6->n_dns > 0) {
                fputs("      nameservers:\n", f);
                fputs("        addresses:\n", f);
                put_addr_items(f, "          - ", v4->dns, v4->n_dns);
                put_addr_items(f, "          - ", v6->dns, v6->n_dns);
        }
}

/* A netplan document: the header line, then "network: version: 2". */
static FILE *open_doc(char **buf, size_t *len) {
        FILE *f = bg_emit_open(buf, len);

        if (f)
                fputs("network:\n  version: 2\n", f);
        return f;
}

static int emit_bond(struct bg_emit_files *out, const struct bg_bond *b, struct bg_diags *diags) {
        char id[256], *buf;
        size_t len, n_usable = 0;
        FILE *f;
        int r;

        f = open_doc(&buf, &len);
        if (!f)
                return -ENOMEM;

        bg_emit_warn_port_prio(diags, b, "netplan", "netplan(5), bonds: parameters");
        for (size_t i = 0; i < b->n_ports; i++)
                if (bg_emit_port_usable(diags, b, i, BG_EMIT_NETPLAN))
                        n_usable++;
        if (n_usable > 0) {
                fputs("  ethernets:\n", f);
                for (size_t i = 0; i < b->n_ports; i++) {
                        const struct bg_port *p = &b->ports[i];

                        if (!p->name && !p->mac.len)
                                continue;
                        r = bg_emit_port_id(b, i, id, sizeof(id));
                        if (r < 0)
                                goto fail;
                        fputs("    ", f);
                        put_scalar(f, id);
                        if (!p->mac.len) {
                                fputs(": {}\n", f);
                                continue;
                        }
                        /* HWADDR: match the permanent MAC, and keep the legacy
                         * name with set-name, as netplan documents for renamed NICs. */
                        fputs(":\n      match:\n        macaddress: ", f);
                        put_quoted(f, BG_HWADDR_STR(&p->mac));
                        fputc('\n', f);
                        if (p->name) {
                                fputs("      set-name: ", f);
                                put_scalar(f, p->name);
                                fputc('\n', f);
                        }
                }
        }

        fputs("  bonds:\n    ", f);
        put_scalar(f, b->name);
        fputs(":\n", f);
        if (n_usable > 0) {
                bool first = true;

                fputs("      interfaces: [", f);
                for (size_t i = 0; i < b->n_ports; i++) {
                        if (!b->ports[i].name && !b->ports[i].mac.len)
                                continue;
                        r = bg_emit_port_id(b, i, id, sizeof(id));
                        if (r < 0)
                                goto fail;
                        fputs(first ? "" : ", ", f);
                        first = false;
                        put_scalar(f, id);
                }
                fputs("]\n", f);
        }
        if (!b->mac.len)
                /* netplan has no way to say "leave the MAC to the kernel":
                 * its networkd output lets networkd generate one (systemd.netdev(5)
                 * MACAddress=). */
                bg_emit_warn_bond(diags, b, "mac",
                                  "bond %s: netplan cannot keep the first port's MAC address; networkd will generate one from the name and machine-id (set a mac in the model to pin one)",
                                  b->name);
        emit_l3(f, &b->mac, b->mtu, b->onboot, &b->ipv4, &b->ipv6, b->dhcp_hostname);
        emit_parameters(f, b, diags);

        /* netplan warns about configuration readable by others (it may hold
         * secrets), so write it 0600 like netplan itself. */
        return bg_emit_close_add(out, f, &buf, 0600, BG_EMIT_PREFIX "%s.yaml", b->name);
fail:
        fclose(f);
        free(buf);
        return r;
}

static bool in_model(const struct bg_model *m, const char *name) {
        return bg_model_find_bond(m, name) || bg_model_find_vlan(m, name) || bg_model_find_bridge(m, name);
}

/* A NIC outside the model that a VLAN or bridge names must be declared:
 * netplan refuses an undefined link or interface. Files merge, so the
 * same empty declaration in several files is fine. */
static void emit_nic(FILE *f, const char *name) {
        fputs("  ethernets:\n    ", f);
        put_scalar(f, name);
        fputs(": {}\n", f);
}

static int emit_vlan(struct bg_emit_files *out, const struct bg_model *m, const struct bg_vlan *v) {
        char *buf;
        size_t len;
        FILE *f = open_doc(&buf, &len);

        if (!f)
                return -ENOMEM;
        if (!in_model(m, v->link))
                emit_nic(f, v->link);
        fputs("  vlans:\n    ", f);
        put_scalar(f, v->name);
        fprintf(f, ":\n      id: %u\n      link: ", v->id);
        put_scalar(f, v->link);
        fputc('\n', f);
        emit_l3(f, &v->mac, v->mtu, v->onboot, &v->ipv4, &v->ipv6, v->dhcp_hostname);
        /* netplan reads its files in name order and a link must be defined
         * in an earlier file: bonds (10-), VLANs on them or on NICs (11-),
         * bridges (12-), VLANs on bridges (13-). */
        return bg_emit_close_add(out, f, &buf, 0600, "%d-bondgen-%s.yaml",
                                 bg_model_find_bridge(m, v->link) ? 13 : 11, v->name);
}

static int emit_bridge(struct bg_emit_files *out, const struct bg_model *m, const struct bg_bridge *br) {
        bool nics = false;
        char *buf;
        size_t len;
        FILE *f = open_doc(&buf, &len);

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < br->n_ports; i++) {
                if (in_model(m, br->ports[i].name))
                        continue;
                fputs(nics ? "    " : "  ethernets:\n    ", f);
                nics = true;
                put_scalar(f, br->ports[i].name);
                fputs(": {}\n", f);
        }
        fputs("  bridges:\n    ", f);
        put_scalar(f, br->name);
        fputs(":\n", f);
        if (br->n_ports) {
                fputs("      interfaces: [", f);
                for (size_t i = 0; i < br->n_ports; i++) {
                        fputs(i ? ", " : "", f);
                        put_scalar(f, br->ports[i].name);
                }
                fputs("]\n", f);
        }
        emit_l3(f, &br->mac, br->mtu, br->onboot, &br->ipv4, &br->ipv6, br->dhcp_hostname);
        /* netplan turns STP on when stp: is left out; the model's unset is
         * the kernel's default, off. */
        fprintf(f, "      parameters:\n        stp: %s\n", br->stp == BG_STP_ON ? "true" : "false");
        if (br->forward_delay != BG_BR_UNSET)
                fprintf(f, "        forward-delay: %d\n", br->forward_delay);
        if (br->hello_time != BG_BR_UNSET)
                fprintf(f, "        hello-time: %d\n", br->hello_time);
        if (br->max_age != BG_BR_UNSET)
                fprintf(f, "        max-age: %d\n", br->max_age);
        if (br->priority != BG_BR_UNSET)
                fprintf(f, "        priority: %d\n", br->priority);
        return bg_emit_close_add(out, f, &buf, 0600, "12-bondgen-%s.yaml", br->name);
}

static int emit_stack(struct bg_emit_files *out, const struct bg_model *m, struct bg_diags *diags) {
        int r;

        for (size_t i = 0; i < m->n_vlans; i++)
                if (bg_emit_name_safe(diags, m->vlans[i].name, m->vlans[i].link, &m->vlans[i].loc,
                                      BG_EMIT_NETPLAN) &&
                    (r = emit_vlan(out, m, &m->vlans[i])) < 0)
                        return r;
        for (size_t i = 0; i < m->n_bridges; i++) {
                const struct bg_bridge *br = &m->bridges[i];
                bool ok = bg_emit_name_safe(diags, br->name, NULL, &br->loc, BG_EMIT_NETPLAN);

                for (size_t k = 0; ok && k < br->n_ports; k++)
                        ok = bg_emit_name_safe(diags, br->ports[k].name, NULL, &br->ports[k].loc, BG_EMIT_NETPLAN);
                if (ok && (r = emit_bridge(out, m, br)) < 0)
                        return r;
        }
        return 0;
}

int bg_emit_netplan(const struct bg_model *m, struct bg_emit_files *out, struct bg_diags *diags) {
        if (!m || !out)
                return -EINVAL;
        for (size_t i = 0; i < m->n_bonds; i++) {
                int r;

                if (!bg_emit_bond_safe(diags, &m->bonds[i], BG_EMIT_NETPLAN))
                        continue;
                r = emit_bond(out, &m->bonds[i], diags);

                if (r < 0)
                        return r;
        }
        return emit_stack(out, m, diags);
}
