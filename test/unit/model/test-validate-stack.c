/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of VLANs, bridges and stacking: each rule with a case that
 * triggers it and the nearest case that must not. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"

static struct bg_model m;
static struct bg_diags d;
static const char *file;
static unsigned line;

static void setup(void) {
        bg_model_init(&m);
        d = (struct bg_diags){ 0 };
        file = bg_model_intern(&m, "/etc/bondgen/host.yaml");
        line = 1;
}

static void teardown(void) {
        bg_model_free(&m);
        bg_diags_free(&d);
}

TestSuite(stack, .init = setup, .fini = teardown);

static struct bg_loc next_loc(void) {
        return (struct bg_loc){ file, line++, 3 };
}

/* An active-backup bond with a MII monitor and no addressing: no diagnostic. */
static struct bg_bond *bond(const char *name, const char *p1, const char *p2) {
        struct bg_loc loc = next_loc();
        struct bg_bond *b = bg_model_add_bond(&m, name);

        cr_assert_not_null(b);
        b->loc = loc;
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, "active-backup", &loc, &d), 0);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MIIMON, "100", &loc, &d), 0);
        cr_assert_not_null(bg_bond_add_port(b, p1, NULL));
        cr_assert_not_null(bg_bond_add_port(b, p2, NULL));
        return b;
}

static struct bg_vlan *vlan(const char *name, const char *link, uint16_t id) {
        struct bg_vlan *v = bg_model_add_vlan(&m, name, link, id);

        cr_assert_not_null(v);
        v->loc = next_loc();
        v->id_loc = next_loc();
        v->link_loc = next_loc();
        return v;
}

static struct bg_bridge *bridge(const char *name, const char *port) {
        struct bg_bridge *br = bg_model_add_bridge(&m, name);

        cr_assert_not_null(br);
        br->loc = next_loc();
        if (port)
                cr_assert_not_null(bg_bridge_add_port(br, port));
        return br;
}

static void static4(struct bg_ipcfg *c, const char *addr) {
        c->method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(c, addr), 0);
}

static int run(void) {
        return bg_model_validate(&m, &d);
}

static const struct bg_diag *find(enum bg_diag_level lvl, const char *key, const char *msg) {
        for (size_t i = 0; i < d.n; i++)
                if (d.v[i].level == lvl && d.v[i].key && !strcmp(d.v[i].key, key) &&
                    strstr(d.v[i].msg, msg))
                        return &d.v[i];
        return NULL;
}

static void dump_diags(void) {
        for (size_t i = 0; i < d.n; i++)
                fprintf(stderr, "  %s: %s: %s\n", bg_diag_level_name(d.v[i].level),
                        d.v[i].key ? d.v[i].key : "", d.v[i].msg);
}

static void expect_clean(void) {
        int r = run();

        if (r != 0 || d.n)
                dump_diags();
        cr_assert_eq(r, 0);
        cr_assert_eq(d.n, 0, "%zu diagnostics", d.n);
}

static void expect_error(const char *key, const char *msg) {
        int r = run();

        if (!find(BG_DIAG_ERROR, key, msg))
                dump_diags();
        cr_assert_eq(r, -EINVAL);
        cr_assert_not_null(find(BG_DIAG_ERROR, key, msg), "no error %s: %s", key, msg);
}

/* The whole host of bondgen.yaml(5): two VLANs on an LACP bond, a bridge
 * over a second bond, DHCP on a VLAN. */
Test(stack, whole_host_is_clean) {
        struct bg_vlan *v;
        struct bg_bridge *br;

        bond("bond0", "eth0", "eth1");
        bond("bond1", "eth2", "eth3");
        static4(&vlan("bond0.100", "bond0", 100)->ipv4, "192.0.2.10/24");
        v = vlan("bond0.200", "bond0", 200);
        v->ipv4.method = BG_IP_DHCP;
        cr_assert_eq(bg_set_str(&v->dhcp_hostname, "web1"), 0);
        br = bridge("br0", "bond1");
        br->stp = BG_STP_ON;
        br->forward_delay = 4;
        static4(&br->ipv4, "198.51.100.2/24");
        /* a VLAN on a NIC outside the model, and on a bridge */
        vlan("eth9.7", "eth9", 7);
        static4(&vlan("br0.30", "br0", 30)->ipv4, "203.0.113.1/24");
        expect_clean();
}

Test(stack, a_model_of_only_vlans_is_not_empty) {
        static4(&vlan("eth0.5", "eth0", 5)->ipv4, "192.0.2.1/24");
        expect_clean();
}

Test(stack, vlan_id_out_of_range) {
        vlan("v0", "eth0", 0);
        vlan("v1", "eth0", 4094);
        expect_error("vlans[v0].id", "VLAN id 0 is out of range (1-4094)");
        cr_assert_null(find(BG_DIAG_ERROR, "vlans[v1].id", "out of range"));
}

Test(stack, vlan_id_twice_on_one_link) {
        bond("bond0", "eth0", "eth1");
        vlan("bond0.100", "bond0", 100);
        vlan("vlan100", "bond0", 100);
        vlan("eth9.100", "eth9", 100); /* same id, other link: fine */
        expect_error("vlans[vlan100].id", "VLAN id 100 on bond0 is also bond0.100");
        cr_assert_null(find(BG_DIAG_ERROR, "vlans[eth9.100].id", "also"));
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 1);
}

Test(stack, vlan_on_a_bond_port) {
        bond("bond0", "eth0", "eth1");
        vlan("eth1.5", "eth1", 5);
        expect_error("vlans[eth1.5].link", "eth1 is a port of bond bond0");
}

Test(stack, vlan_on_a_vlan_or_itself) {
        vlan("eth0.5", "eth0", 5);
        vlan("eth0.5.6", "eth0.5", 6);
        vlan("self", "self", 7);
        expect_error("vlans[eth0.5.6].link", "is a VLAN");
        cr_assert_not_null(find(BG_DIAG_ERROR, "vlans[self].link", "cannot be its own link"));
}

Test(stack, vlan_without_link) {
        vlan("v5", NULL, 5);
        expect_error("vlans[v5].link", "needs a link");
}

Test(stack, one_name_for_two_interfaces) {
        bond("bond0", "eth0", "eth1");
        vlan("bond0", "eth5", 5);
        bridge("eth1", NULL);
        expect_error("vlans[bond0].name", "bond0 is defined twice (also a bond)");
        cr_assert_not_null(find(BG_DIAG_ERROR, "bridges[eth1].name", "is also a port of bond bond0"));
}

Test(stack, port_in_two_bridges) {
        bridge("br0", "eth0");
        bridge("br1", "eth0");
        expect_error("bridges[br1].ports[eth0]", "also a port of bridge br0");
        cr_assert_null(find(BG_DIAG_ERROR, "bridges[br0].ports[eth0]", "also"));
}

Test(stack, port_listed_twice) {
        struct bg_bridge *br = bridge("br0", "eth0");

        cr_assert_not_null(bg_bridge_add_port(br, "eth0"));
        expect_error("bridges[br0].ports[eth0]", "listed twice");
}

Test(stack, bond_port_also_bridge_port) {
        bond("bond0", "eth0", "eth1");
        bridge("br0", "eth1");
        expect_error("bridges[br0].ports[eth1]", "port of bond bond0 and of bridge br0");
}

Test(stack, bridge_in_bridge_and_itself) {
        bridge("br0", "br1");
        bridge("br1", "br1");
        expect_error("bridges[br0].ports[br1]", "br1 is a bridge");
        cr_assert_not_null(find(BG_DIAG_ERROR, "bridges[br1].ports[br1]", "its own port"));
}

Test(stack, addresses_on_a_bridge_port) {
        struct bg_bond *b = bond("bond0", "eth0", "eth1");
        struct bg_vlan *v = vlan("eth5.9", "eth5", 9);

        bridge("br0", "bond0");
        bridge("br1", "eth5.9");
        static4(&b->ipv4, "10.0.0.1/24");
        v->ipv6.method = BG_IP_DHCP;
        expect_error("bridges[br0].ports[bond0]", "the addresses (and DHCP) belong on br0");
        cr_assert_not_null(find(BG_DIAG_ERROR, "bridges[br1].ports[eth5.9]", "belong on br1"));
}

Test(stack, bond_without_addresses_as_bridge_port) {
        bond("bond0", "eth0", "eth1");
        static4(&bridge("br0", "bond0")->ipv4, "10.0.0.1/24");
        expect_clean();
}

Test(stack, loops) {
        struct bg_bond *b;

        /* a VLAN on a bridge that has the VLAN as a port */
        bridge("br0", "br0.5");
        vlan("br0.5", "br0", 5);
        expect_error("bridges[br0]", "depend on each other");
        bg_diags_free(&d);
        d = (struct bg_diags){ 0 };
        bg_model_free(&m);
        setup();
        /* a bond with its own VLAN as a port */
        b = bond("bond0", "eth0", "bond0.7");
        vlan("bond0.7", "bond0", 7);
        (void) b;
        expect_error("bonds[bond0]", "bond bond0 and VLAN bond0.7 depend on each other");
}

Test(stack, stp_forward_delay) {
        struct bg_bridge *on, *off;

        bridge("br0", NULL);
        bridge("br1", NULL);
        on = &m.bridges[0];
        off = &m.bridges[1];
        on->stp = BG_STP_ON;
        on->forward_delay = 0;
        off->stp = BG_STP_OFF;
        off->forward_delay = 0;
        expect_error("bridges[br0].forward-delay", "outside 2-30 s");
        cr_assert_null(find(BG_DIAG_ERROR, "bridges[br1].forward-delay", "outside"));
}

Test(stack, l3_rules_apply_to_vlans_and_bridges) {
        struct bg_vlan *v = vlan("eth0.5", "eth0", 5);
        struct bg_bridge *br = bridge("br0", NULL);

        v->ipv4.method = BG_IP_STATIC; /* without an address */
        v->mtu = 40;
        cr_assert_eq(bg_hwaddr_parse("01:00:5e:00:00:01", &br->mac), 0);
        expect_error("vlans[eth0.5].ipv4.method", "needs at least one address");
        cr_assert_not_null(find(BG_DIAG_ERROR, "vlans[eth0.5].mtu", "out of range"));
        cr_assert_not_null(find(BG_DIAG_ERROR, "bridges[br0].mac", "multicast"));
}

Test(stack, dhcp_hostname_without_dhcp) {
        struct bg_bridge *br = bridge("br0", NULL);

        cr_assert_eq(bg_set_str(&br->dhcp_hostname, "h1"), 0);
        cr_assert_eq(run(), 0);
        cr_assert_not_null(find(BG_DIAG_WARNING, "bridges[br0].dhcp-hostname", "uses no DHCP"));
        bg_diags_free(&d);
        d = (struct bg_diags){ 0 };
        br->ipv6.method = BG_IP_DHCP;
        expect_clean();
}

Test(stack, copy_and_equal_cover_vlans_and_bridges) {
        struct bg_model c;
        struct bg_vlan *v;
        struct bg_bridge *br;

        bond("bond0", "eth0", "eth1");
        v = vlan("bond0.5", "bond0", 5);
        static4(&v->ipv4, "192.0.2.1/24");
        br = bridge("br0", "eth7");
        br->stp = BG_STP_ON;
        br->priority = 0;
        cr_assert_eq(bg_model_copy(&c, &m), 0);
        cr_assert(bg_model_equal(&c, &m));
        cr_assert_eq(c.vlans[0].link_loc.line, v->link_loc.line);
        cr_assert_neq((const void *)c.vlans[0].loc.file, (const void *)file, "locations are re-interned");
        c.bridges[0].priority = 1;
        cr_assert_not(bg_model_equal(&c, &m));
        c.bridges[0].priority = 0;
        c.vlans[0].id = 6;
        cr_assert_not(bg_model_equal(&c, &m));
        c.vlans[0].id = 5;
        cr_assert_eq(bg_set_str(&c.vlans[0].dhcp_hostname, "x"), 0);
        cr_assert_not(bg_model_equal(&c, &m));
        bg_model_free(&c);
        cr_assert_eq(bg_model_bridge_of(&m, "eth7"), &m.bridges[0]);
        cr_assert_null(bg_model_bridge_of(&m, "eth0"));
        cr_assert_eq(bg_model_find_vlan(&m, "bond0.5"), &m.vlans[0]);
        cr_assert_eq(bg_model_find_bridge(&m, "br0"), &m.bridges[0]);
}
