/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bg_model_validate(): each rule with a case that triggers it and one that must not. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"

static struct bg_hwaddr hw(const char *text) {
        struct bg_hwaddr h;

        cr_assert_eq(bg_hwaddr_parse(text, &h), 0, "%s", text);
        return h;
}

static struct bg_model m;
static struct bg_diags d;
static const char *file;

static void setup(void) {
        bg_model_init(&m);
        d = (struct bg_diags){ 0 };
        file = bg_model_intern(&m, "/etc/bondgen/test.yaml");
}

static void teardown(void) {
        bg_model_free(&m);
        bg_diags_free(&d);
}

TestSuite(validate, .init = setup, .fini = teardown);

/* A bond that validates without any diagnostic; each test breaks one thing. */
static struct bg_bond *good_bond(const char *name, const char *port1, const char *port2,
                                 unsigned line) {
        struct bg_loc loc = { file, line, 3 };
        struct bg_bond *b = bg_model_add_bond(&m, name);

        cr_assert_not_null(b);
        b->loc = loc;
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, "active-backup", &loc, &d), 0);
        loc.line++;
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MIIMON, "100", &loc, &d), 0);
        bg_bond_add_port(b, port1, NULL)->loc = (struct bg_loc){ file, line + 5, 7 };
        bg_bond_add_port(b, port2, NULL)->loc = (struct bg_loc){ file, line + 6, 7 };
        b->ipv4.method = BG_IP_STATIC;
        b->ipv4.loc = (struct bg_loc){ file, line + 8, 5 };
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.10.10.1/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "10.10.10.254"), 0);
        return b;
}

static void set(struct bg_bond *b, enum bg_opt id, const char *text, unsigned line) {
        struct bg_loc loc = { file, line, 12 };

        cr_assert_eq(bg_bond_set_opt_text(b, id, text, &loc, &d), 0, "%s=%s", bg_catalog[id].name, text);
}

static int run(void) {
        return bg_model_validate(&m, &d);
}

/* The diagnostic with this level whose key is key and whose text contains
 * msg, or NULL. */
static const struct bg_diag *find(enum bg_diag_level lvl, const char *key, const char *msg) {
        for (size_t i = 0; i < d.n; i++)
                if (d.v[i].level == lvl && d.v[i].key && strcmp(d.v[i].key, key) == 0 &&
                    strstr(d.v[i].msg, msg))
                        return &d.v[i];
        return NULL;
}

static void dump(void) {
        char buf[1024];

        for (size_t i = 0; i < d.n; i++) {
                bg_diag_format(&d.v[i], buf, sizeof(buf));
                fprintf(stderr, "  %s\n", buf);
        }
}

#define expect(lvl, key, msg)                                                                      \
        do {                                                                                       \
                if (!find(lvl, key, msg))                                                          \
                        dump();                                                                    \
                cr_assert_not_null(find(lvl, key, msg), "missing %s: %s", key, msg);               \
        } while (0)

static void expect_clean(void) {
        if (d.n)
                dump();
        cr_assert_eq(d.n, 0, "expected no diagnostics");
}

Test(validate, good_model_is_clean) {
        good_bond("bond0", "eth0", "eth1", 1);
        good_bond("bond1", "eth2", "eth3", 20);
        cr_assert_eq(run(), 0);
        expect_clean();
}

Test(validate, empty_model_warns) {
        cr_assert_eq(run(), 0);
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_WARNING), 1);
}

Test(validate, value_out_of_range_or_unknown) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        b->opts[BG_OPT_MIIMON].num = 1ull << 40;
        b->opts[BG_OPT_FAIL_OVER_MAC] = (struct bg_optval){ .set = true, .num = 7 };
        b->opt_loc[BG_OPT_FAIL_OVER_MAC] = (struct bg_loc){ file, 9, 4 };
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.miimon", "out of range");
        expect(BG_DIAG_ERROR, "bonds[bond0].options.fail_over_mac", "unknown value '7'");
        cr_assert_eq(find(BG_DIAG_ERROR, "bonds[bond0].options.fail_over_mac", "")->line, 9,
                     "the option's own location");
        cr_assert_str_eq(find(BG_DIAG_ERROR, "bonds[bond0].options.miimon", "")->file, file);
}

Test(validate, value_in_range_is_fine) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_FAIL_OVER_MAC, "follow", 9);
        set(b, BG_OPT_NUM_GRAT_ARP, "255", 10);
        cr_assert_eq(run(), 0);
        expect_clean();
}

Test(validate, list_value_checked) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);
        struct bg_optval *v = &b->opts[BG_OPT_ARP_IP_TARGET];

        /* As a careless reader might build it, bypassing the parser. */
        v->set = true;
        v->list = calloc(2, sizeof(char *));
        v->list[0] = strdup("10.0.0.1");
        v->list[1] = strdup("255.255.255.255");
        v->n_list = 2;
        bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
        set(b, BG_OPT_ARP_INTERVAL, "100", 5);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.arp_ip_target", "255.255.255.255");
}

Test(validate, option_without_effect_in_mode) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_LACP_RATE, "fast", 7);
        set(b, BG_OPT_XMIT_HASH_POLICY, "layer3+4", 8);
        cr_assert_eq(run(), 0, "warnings only");
        expect(BG_DIAG_WARNING, "bonds[bond0].options.lacp_rate",
               "lacp_rate has no effect in mode active-backup (only in 802.3ad)");
        expect(BG_DIAG_WARNING, "bonds[bond0].options.xmit_hash_policy", "active-backup");
        cr_assert_eq(find(BG_DIAG_WARNING, "bonds[bond0].options.lacp_rate", "")->line, 7);
}

Test(validate, option_with_effect_in_mode) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_MODE, "802.3ad", 2);
        set(b, BG_OPT_LACP_RATE, "fast", 7);
        set(b, BG_OPT_XMIT_HASH_POLICY, "layer3+4", 8);
        cr_assert_eq(run(), 0);
        expect_clean();
}

Test(validate, miimon_and_arp_interval) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_ARP_INTERVAL, "200", 6);
        set(b, BG_OPT_ARP_IP_TARGET, "10.10.10.254", 7);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.arp_interval", "both set");
}

Test(validate, arp_interval_alone_with_targets) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_MIIMON, "0", 2);
        set(b, BG_OPT_ARP_INTERVAL, "200", 6);
        set(b, BG_OPT_ARP_IP_TARGET, "10.10.10.254", 7);
        set(b, BG_OPT_ARP_VALIDATE, "all", 8);
        cr_assert_eq(run(), 0);
        expect_clean();
}

Test(validate, arp_interval_without_targets) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
        set(b, BG_OPT_ARP_INTERVAL, "200", 6);
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].options.arp_interval", "no arp_ip_target");
}

Test(validate, arp_validate_with_miimon_and_targets_without_interval) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_ARP_VALIDATE, "active", 6);
        set(b, BG_OPT_ARP_IP_TARGET, "10.10.10.254", 7);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.arp_validate", "miimon");
        expect(BG_DIAG_WARNING, "bonds[bond0].options.arp_ip_target", "without arp_interval");
}

Test(validate, delays_not_multiple_of_miimon) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_UPDELAY, "250", 6);
        set(b, BG_OPT_DOWNDELAY, "200", 7);
        set(b, BG_OPT_PEER_NOTIF_DELAY, "150", 8);
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].options.updelay", "rounds it down to 200");
        expect(BG_DIAG_WARNING, "bonds[bond0].options.peer_notif_delay", "rounds it down to 100");
        cr_assert_null(find(BG_DIAG_WARNING, "bonds[bond0].options.downdelay", ""));
        cr_assert_eq(d.n, 2);
}

Test(validate, delays_without_miimon) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
        set(b, BG_OPT_ARP_INTERVAL, "200", 5);
        set(b, BG_OPT_ARP_IP_TARGET, "10.10.10.254", 5);
        set(b, BG_OPT_DOWNDELAY, "200", 7);
        set(b, BG_OPT_UPDELAY, "0", 8);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.downdelay", "EPERM");
        cr_assert_null(find(BG_DIAG_ERROR, "bonds[bond0].options.updelay", ""), "0 is no delay");
}

Test(validate, delays_with_forced_miimon) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        /* 802.3ad without miimon: the kernel sets miimon=100 before the delays. */
        set(b, BG_OPT_MODE, "802.3ad", 2);
        bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
        set(b, BG_OPT_UPDELAY, "200", 7);
        cr_assert_eq(run(), 0);
        cr_assert_null(find(BG_DIAG_ERROR, "bonds[bond0].options.updelay", ""));
        expect(BG_DIAG_WARNING, "bonds[bond0].options.miimon", "miimon=100");
}

Test(validate, link_monitor_for_lacp_tlb_alb) {
        static const char *const modes[] = { "802.3ad", "balance-tlb", "balance-alb" };
        static const char *const ports[][2] = { { "eth0", "eth1" }, { "eth2", "eth3" }, { "eth4", "eth5" } };

        for (size_t i = 0; i < 3; i++) {
                char name[16];
                struct bg_bond *b;

                snprintf(name, sizeof(name), "bond%zu", i);
                b = good_bond(name, ports[i][0], ports[i][1], 1 + 10 * (unsigned) i);
                set(b, BG_OPT_MODE, modes[i], 2);
                bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
        }
        set(good_bond("bond9", "eth6", "eth7", 40), BG_OPT_MODE, "802.3ad", 41);
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].options.miimon", "mode 802.3ad needs a link monitor");
        expect(BG_DIAG_WARNING, "bonds[bond1].options.miimon", "balance-tlb");
        expect(BG_DIAG_WARNING, "bonds[bond2].options.miimon", "balance-alb");
        cr_assert_null(find(BG_DIAG_WARNING, "bonds[bond9].options.miimon", ""), "miimon=100 set");
        cr_assert_eq(d.n, 3);
}

Test(validate, primary_must_be_a_port) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_PRIMARY, "eth9", 6);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.primary", "eth9 is not a port of bond0");
}

Test(validate, primary_among_ports) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        set(b, BG_OPT_PRIMARY, "eth1", 6);
        set(b, BG_OPT_QUEUE_ID, "eth0:1", 7);
        cr_assert_eq(run(), 0);
        expect_clean();
}

Test(validate, primary_with_mac_only_ports_warns) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        free(b->ports[1].name);
        b->ports[1].name = NULL;
        b->ports[1].mac = hw("52:54:00:00:00:01");
        set(b, BG_OPT_PRIMARY, "eth1", 6);
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].options.primary", "not a named port");
}

Test(validate, port_in_two_bonds) {
        good_bond("bond0", "eth0", "eth1", 1);
        good_bond("bond1", "eth1", "eth2", 20);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond1].ports[eth1]", "also a port of bond0");
        cr_assert_eq(find(BG_DIAG_ERROR, "bonds[bond1].ports[eth1]", "")->line, 25, "port's line");
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 1);
}

Test(validate, port_mac_in_two_bonds_and_twice_in_one) {
        struct bg_bond *b;

        bg_bond_add_port(good_bond("bond0", "eth0", "eth1", 1), NULL, "52:54:00:00:00:01");
        b = good_bond("bond1", "eth2", "eth3", 20);
        bg_bond_add_port(b, NULL, "52:54:00:00:00:01");
        bg_bond_add_port(b, "eth2", NULL);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond1].ports[2]", "also matches a port of bond0");
        expect(BG_DIAG_ERROR, "bonds[bond1].ports[eth2]", "listed twice");
}

Test(validate, bond_without_ports) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        for (size_t i = 0; i < b->n_ports; i++)
                free(b->ports[i].name);
        free(b->ports);
        b->ports = NULL;
        b->n_ports = 0;
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].ports", "no ports");
        cr_assert_eq(find(BG_DIAG_WARNING, "bonds[bond0].ports", "")->line, 1, "bond's line");
}

Test(validate, gateway_outside_subnet) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        /* The bundled CentOS example: IPADDR 10.10.10.1/24, GATEWAY 192.168.0.1. */
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "192.168.0.1"), 0);
        b->ipv6.method = BG_IP_STATIC;
        bg_ipcfg_add_address(&b->ipv6, "2001:db8:1::1/64");
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv6, "2001:db8:2::1"), 0);
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].ipv4.gateway",
               "gateway 192.168.0.1 is not inside any subnet of bond0 (10.10.10.1/24)");
        expect(BG_DIAG_WARNING, "bonds[bond0].ipv6.gateway", "2001:db8:2::1");
        cr_assert_eq(find(BG_DIAG_WARNING, "bonds[bond0].ipv4.gateway", "")->line, 9);
}

Test(validate, gateway_inside_subnet) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        bg_ipcfg_add_address(&b->ipv4, "192.168.0.10/23");
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "192.168.1.1"), 0);
        b->ipv6.method = BG_IP_STATIC;
        bg_ipcfg_add_address(&b->ipv6, "2001:db8:1::1/48");
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv6, "2001:db8:1:ff::1"), 0);
        bg_ipcfg_add_route(&b->ipv6, "default", "fe80::1", 0);
        bg_ipcfg_add_route(&b->ipv4, "10.20.0.0/16", "10.10.10.253", 0);
        cr_assert_eq(run(), 0);
        expect_clean();
}

Test(validate, bad_addresses_routes_dns) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        /* Text that is no address never reaches the model ... */
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.0.0.1"), -EINVAL);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "nowhere", NULL, 0), -EINVAL);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv4, "dns.example"), -EINVAL);
        /* ... but an address of the other family in a section does. */
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "2001:db8::1/64"), 0);
        b->ipv4.addresses[1].loc = (struct bg_loc){ file, 42, 9 };
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "10.20.0.0/16", "10.99.0.1", 0), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "2001:db8:5::/48", NULL, 0), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "10.30.0.0/16", "fe80::1", 0), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv4, "2001:db8::53"), 0);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].ipv4.addresses[1]", "'2001:db8::1/64' is not an IPv4 address");
        cr_assert_eq(find(BG_DIAG_ERROR, "bonds[bond0].ipv4.addresses[1]", "")->line, 42,
                     "the address's own position");
        expect(BG_DIAG_WARNING, "bonds[bond0].ipv4.routes[0]", "route via 10.99.0.1");
        expect(BG_DIAG_ERROR, "bonds[bond0].ipv4.routes[1]", "2001:db8:5::/48");
        expect(BG_DIAG_ERROR, "bonds[bond0].ipv4.routes[2]", "route via 'fe80::1' is not an IPv4 address");
        expect(BG_DIAG_ERROR, "bonds[bond0].ipv4.dns[0]", "2001:db8::53");
}

Test(validate, duplicate_bond_names) {
        good_bond("bond0", "eth0", "eth1", 1);
        good_bond("bond0", "eth2", "eth3", 20);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].name", "defined twice");
        cr_assert_eq(find(BG_DIAG_ERROR, "bonds[bond0].name", "twice")->line, 20, "the second one");
}

Test(validate, invalid_names) {
        good_bond("bond-with-long-name", "eth0", "eth1", 1);
        good_bond("a/b", "eth2", "eth 3", 20);
        good_bond("bond_15_chars_x", "eth4", "eth5", 40);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond-with-long-name].name", "longer than 15");
        expect(BG_DIAG_ERROR, "bonds[a/b].name", "'/'");
        expect(BG_DIAG_ERROR, "bonds[a/b].ports[eth 3]", "whitespace");
        cr_assert_null(find(BG_DIAG_ERROR, "bonds[bond_15_chars_x].name", ""), "15 is allowed");
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 3);
}

Test(validate, bond_as_own_or_nested_port) {
        good_bond("bond0", "bond0", "eth1", 1);
        good_bond("bond1", "bond2", "eth3", 20);
        good_bond("bond2", "eth4", "eth5", 40);
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].ports[bond0]", "its own port");
        expect(BG_DIAG_ERROR, "bonds[bond2].name", "nested");
}

Test(validate, mac_and_mtu) {
        struct bg_bond *a, *b, *c;

        /* Pointers from bg_model_add_bond() move with the next add. */
        good_bond("bond0", "eth0", "eth1", 1);
        good_bond("bond1", "eth2", "eth3", 20);
        good_bond("bond2", "eth4", "eth5", 40);
        a = &m.bonds[0];
        b = &m.bonds[1];
        c = &m.bonds[2];
        a->mac = hw("01:00:5e:00:00:01");
        a->mtu = 67;
        b->mac = hw("80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0c:8d:41");
        b->mtu = 65536;
        b->ports[0].mac = hw("00:00:00:00:00:00");
        c->mac = hw("02:00:00:00:00:01");
        c->mtu = 9000;
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].mac", "multicast");
        expect(BG_DIAG_ERROR, "bonds[bond0].mtu", "out of range (68-65535)");
        expect(BG_DIAG_ERROR, "bonds[bond1].mac", "not a 6-byte Ethernet address");
        expect(BG_DIAG_ERROR, "bonds[bond1].mtu", "65536");
        expect(BG_DIAG_ERROR, "bonds[bond1].ports[eth2]", "all zero");
        cr_assert_null(find(BG_DIAG_ERROR, "bonds[bond2].mac", ""));
        cr_assert_null(find(BG_DIAG_ERROR, "bonds[bond2].mtu", ""));
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 5);
}

Test(validate, static_without_addresses) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        b->ipv6.method = BG_IP_STATIC;
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].ipv6.method", "at least one address");
        cr_assert_null(find(BG_DIAG_ERROR, "bonds[bond0].ipv4.method", ""));
}

Test(validate, addresses_with_dhcp_or_none) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        b->ipv4.method = BG_IP_DHCP;
        bg_ipcfg_add_address(&b->ipv6, "2001:db8::1/64");
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_WARNING, "bonds[bond0].ipv4.addresses", "method dhcp");
        expect(BG_DIAG_ERROR, "bonds[bond0].ipv6.addresses", "method is none");
}

Test(validate, no_location_without_file) {
        struct bg_bond *b = bg_model_add_bond(&m, "bond0");
        char buf[512];

        bg_bond_add_port(b, "eth0", NULL);
        bg_bond_add_port(b, "eth1", NULL);
        b->opts[BG_OPT_MODE] = (struct bg_optval){ .set = true, .num = 4 };
        cr_assert_eq(run(), 0);
        cr_assert_eq(d.n, 1);
        bg_diag_format(&d.v[0], buf, sizeof(buf));
        cr_assert_str_eq(buf, "warning: bonds[bond0].options.miimon: mode 802.3ad needs a link "
                              "monitor but miimon is not set; the kernel uses miimon=100");
}

/* bonding.rst "prio": a port priority is valid in active-backup,
 * balance-tlb and balance-alb only; the kernel refuses it elsewhere. */
Test(validate, port_prio_only_in_the_modes_that_choose_an_active_port) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        b->ports[0].prio = 5;
        b->ports[1].prio = -3;
        run();
        expect_clean();
        set(b, BG_OPT_MODE, "balance-alb", 20);
        run();
        expect_clean();
        set(b, BG_OPT_MODE, "balance-xor", 20);
        b->ports[1].prio_loc = (struct bg_loc){ file, 8, 15 };
        run();
        expect(BG_DIAG_ERROR, "bonds[bond0].ports[eth0].prio", "prio 5: a port priority applies in active-backup");
        const struct bg_diag *e = find(BG_DIAG_ERROR, "bonds[bond0].ports[eth1].prio", "mode balance-xor");
        cr_assert_not_null(e);
        cr_expect_eq(e->line, 8, "the prio's own position");
}

/* arp_ip_target VLAN hints: bondgend honours them; the kernel backend
 * cannot hand them to the bonding driver (refused), and an automatic
 * backend may end up there (a warning). */
Test(validate, arp_ip_target_vlan_hints_by_backend) {
        struct bg_bond *b = good_bond("bond0", "eth0", "eth1", 1);

        bg_optval_clear(&b->opts[BG_OPT_MIIMON]);
        set(b, BG_OPT_ARP_INTERVAL, "200", 6);
        set(b, BG_OPT_ARP_IP_TARGET, "10.10.10.254[100]", 7);
        b->backend = BG_BACKEND_USERSPACE;
        cr_assert_eq(run(), 0);
        expect_clean();
        b->backend = BG_BACKEND_AUTO;
        cr_assert_eq(run(), 0);
        expect(BG_DIAG_WARNING, "bonds[bond0].options.arp_ip_target", "10.10.10.254[100]");
        bg_diags_free(&d);
        d = (struct bg_diags){ 0 };
        b->backend = BG_BACKEND_KERNEL;
        cr_assert_eq(run(), -EINVAL);
        expect(BG_DIAG_ERROR, "bonds[bond0].options.arp_ip_target", "user-space backend only");
        cr_expect_eq(find(BG_DIAG_ERROR, "bonds[bond0].options.arp_ip_target", "user-space")->line, 7);
}
