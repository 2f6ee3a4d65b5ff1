/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"

struct bg_bond *tm_bond(struct bg_model *m, const char *name) {
        struct bg_bond *b = bg_model_add_bond(m, name);

        cr_assert_not_null(b);
        return b;
}

void tm_opt(struct bg_bond *b, enum bg_opt id, const char *text) {
        struct bg_diags d = { 0 };
        struct bg_loc loc = { .file = "test.conf", .line = 1 + (unsigned) id, .col = 1 };

        cr_assert_eq(bg_bond_set_opt_text(b, id, text, &loc, &d), 0, "option %s=%s",
                     bg_opt_get(id)->name, text);
        bg_diags_free(&d);
}

void tm_str(char **dst, const char *s) {
        free(*dst);
        *dst = strdup(s);
        cr_assert_not_null(*dst);
}

const struct bg_emit_file *tm_file(const struct bg_emit_files *files, const char *name) {
        for (size_t i = 0; i < files->n; i++)
                if (strcmp(files->v[i].name, name) == 0)
                        return &files->v[i];
        return NULL;
}

size_t tm_warnings(const struct bg_diags *d, const char *key) {
        size_t n = 0;

        for (size_t i = 0; i < d->n; i++)
                if (d->v[i].level == BG_DIAG_WARNING && d->v[i].key && strcmp(d->v[i].key, key) == 0)
                        n++;
        return n;
}

/* The CentOS documentation example: modprobe.conf
 * "options bond0 miimon=100 mode=0", ports eth0 eth1, 10.10.10.1/24 with
 * the (off-link) gateway 192.168.0.1. */
static void build_centos(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond0");

        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_MODE, "0");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        b->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.10.10.1/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "192.168.0.1"), 0);
}

/* RHEL6/7 style: BONDING_OPTS="mode=active-backup miimon=100 primary=eth1"
 * with HWADDR-matched ports and DNS. */
static void build_active_backup(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond0");

        tm_opt(b, BG_OPT_MODE, "active-backup");
        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_PRIMARY, "eth1");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", "52:54:00:AA:00:01"));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", "52:54:00:aa:00:02"));
        b->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "192.168.1.10/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "192.168.1.1"), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv4, "192.168.1.2"), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv4, "192.168.1.3"), 0);
}

/* 802.3ad with lacp_rate=fast xmit_hash_policy=layer3+4, a route file,
 * IPv6 and jumbo frames. */
static void build_lacp(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond0");

        tm_opt(b, BG_OPT_MODE, "802.3ad");
        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_UPDELAY, "200");
        tm_opt(b, BG_OPT_LACP_RATE, "fast");
        tm_opt(b, BG_OPT_XMIT_HASH_POLICY, "layer3+4");
        tm_opt(b, BG_OPT_MIN_LINKS, "1");
        cr_assert_not_null(bg_bond_add_port(b, "ens1f0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "ens1f1", NULL));
        b->mtu = 9000;
        b->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.0.0.10/24"), 0);
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.0.1.10/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "10.0.0.1"), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "10.20.0.0/16", "10.0.0.254", 50), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "172.16.0.0/12", "10.0.0.253", 0), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "192.168.50.0/24", NULL, 0), 0);
        b->ipv6.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv6, "2001:db8::10/64"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv6, "2001:db8::1"), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv6, "2001:db8:100::/48", "2001:db8::fe", 0), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv6, "2001:db8::53"), 0);
}

/* DHCP for both families, a fixed bond MAC, not started at boot, and a
 * second bond with a port matched by MAC only. */
static void build_dhcp(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond1");

        tm_opt(b, BG_OPT_MODE, "balance-xor");
        tm_opt(b, BG_OPT_MIIMON, "50");
        tm_opt(b, BG_OPT_XMIT_HASH_POLICY, "layer2+3");
        cr_assert_not_null(bg_bond_add_port(b, "eth2", NULL));
        cr_assert_not_null(bg_bond_add_port(b, NULL, "52:54:00:bb:00:03"));
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:01:01", &b->mac), 0);
        b->onboot = false;
        b->ipv4.method = BG_IP_DHCP;
        b->ipv6.method = BG_IP_DHCP;
}

/* RHEL5: two bonds from "install bondN ... -o bondN mode=..." lines. */
static void build_two_bonds(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond0");

        tm_opt(b, BG_OPT_MODE, "1");
        tm_opt(b, BG_OPT_MIIMON, "100");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        b->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "192.168.10.5/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "192.168.10.1"), 0);

        b = tm_bond(m, "bond1");
        tm_opt(b, BG_OPT_MODE, "6");
        tm_opt(b, BG_OPT_MIIMON, "80");
        tm_opt(b, BG_OPT_DOWNDELAY, "160");
        cr_assert_not_null(bg_bond_add_port(b, "eth2", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth3", NULL));
        b->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.1.0.5/16"), 0);
}

/* Options some formats cannot hold, to show the warnings and the
 * "left out" comments in review. */
static void build_gaps(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond0");

        tm_opt(b, BG_OPT_MODE, "802.3ad");
        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_USE_CARRIER, "0");
        tm_opt(b, BG_OPT_AD_ACTOR_SYS_PRIO, "1000");
        tm_opt(b, BG_OPT_AD_ACTOR_SYSTEM, "02:00:00:00:00:01");
        tm_opt(b, BG_OPT_XMIT_HASH_POLICY, "vlan+srcmac");
        tm_opt(b, BG_OPT_NUM_GRAT_ARP, "0");
        tm_opt(b, BG_OPT_MIN_LINKS, "0");
        tm_opt(b, BG_OPT_LACP_ACTIVE, "on");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:00:10", &b->mac), 0);
}

/* A whole host: two VLANs on an LACP bond (one static, one DHCP with a
 * host name to send), a bridge with STP over a second bond, and a DHCP
 * VLAN on the bridge. */
static void build_whole_host(struct bg_model *m) {
        struct bg_bond *b = tm_bond(m, "bond0");
        struct bg_vlan *v;
        struct bg_bridge *br;

        tm_opt(b, BG_OPT_MODE, "802.3ad");
        tm_opt(b, BG_OPT_MIIMON, "100");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:02:01", &b->mac), 0);
        b = tm_bond(m, "bond1");
        tm_opt(b, BG_OPT_MODE, "active-backup");
        tm_opt(b, BG_OPT_MIIMON, "100");
        cr_assert_not_null(bg_bond_add_port(b, "eth2", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth3", NULL));
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:02:02", &b->mac), 0);

        v = bg_model_add_vlan(m, "bond0.100", "bond0", 100);
        cr_assert_not_null(v);
        v->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&v->ipv4, "192.0.2.10/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&v->ipv4, "192.0.2.1"), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&v->ipv4, "192.0.2.53"), 0);
        v->mtu = 1496;
        v = bg_model_add_vlan(m, "bond0.200", "bond0", 200);
        cr_assert_not_null(v);
        v->ipv4.method = BG_IP_DHCP;
        tm_str(&v->dhcp_hostname, "web1");

        br = bg_model_add_bridge(m, "br0");
        cr_assert_not_null(br);
        cr_assert_not_null(bg_bridge_add_port(br, "bond1"));
        br->stp = BG_STP_ON;
        br->forward_delay = 4;
        br->hello_time = 1;
        br->max_age = 10;
        br->priority = 4096;
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:02:03", &br->mac), 0);
        br->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&br->ipv4, "198.51.100.2/24"), 0);
        br->ipv6.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&br->ipv6, "2001:db8:1::2/64"), 0);
        v = bg_model_add_vlan(m, "br0.30", "br0", 30);
        cr_assert_not_null(v);
        v->ipv4.method = BG_IP_DHCP;
        v->ipv6.method = BG_IP_DHCP;
}

/* VLANs and a bridge on plain NICs, outside any bond: the NICs get files
 * of their own for VLAN= and Bridge=. STP off with no forward delay, as
 * ifcfg files with STP=no DELAY=0 say. */
static void build_nic_stack(struct bg_model *m) {
        struct bg_vlan *v;
        struct bg_bridge *br;

        v = bg_model_add_vlan(m, "eth4.7", "eth4", 7);
        cr_assert_not_null(v);
        v->ipv6.method = BG_IP_DHCP;
        v->onboot = false;
        br = bg_model_add_bridge(m, "br1");
        cr_assert_not_null(br);
        cr_assert_not_null(bg_bridge_add_port(br, "eth5"));
        cr_assert_not_null(bg_bridge_add_port(br, "eth6"));
        br->stp = BG_STP_OFF;
        br->forward_delay = 0;
        br->ipv4.method = BG_IP_DHCP;
        tm_str(&br->dhcp_hostname, "host2.example.com");
}

const struct test_model test_models[] = {
        { "centos-balance-rr", build_centos },
        { "active-backup-mac", build_active_backup },
        { "lacp-routes-ipv6", build_lacp },
        { "dhcp-mac-only", build_dhcp },
        { "rhel5-two-bonds", build_two_bonds },
        { "cannot-express", build_gaps },
        { "whole-host", build_whole_host },
        { "nic-vlan-bridge", build_nic_stack },
};
const size_t n_test_models = sizeof(test_models) / sizeof(test_models[0]);
