/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VLANs, bridges and DHCP of Red Hat ifcfg files (bondgen(8) CONVERT):
 * every initscripts spelling, what NetworkManager reads differently, and
 * what is warned. */
#include "tree.h"

#define BOND0 IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimon=100\"\n", \
        PORT("eth0", "bond0"), PORT("eth1", "bond0")

static const struct bg_vlan *vlan(struct tree *t, const char *name) {
        const struct bg_vlan *v = bg_model_find_vlan(&t->m, name);

        if (!v)
                tree_dump_diags(t);
        cr_assert_not_null(v, "VLAN %s missing", name);
        return v;
}

static void no_not_converted(const struct tree *t) {
        for (size_t i = 0; i < t->d.n; i++)
                cr_expect_null(strstr(t->d.v[i].msg, "not converted because"), "%s", t->d.v[i].msg);
}

Test(stack, vlan_spellings) {
        const char *f[] = {
                BOND0,
                /* PARENT.ID with VLAN=yes */
                IFCFG("bond0.100"), "DEVICE=bond0.100\nVLAN=yes\nIPADDR=10.100.0.1\nPREFIX=24\n",
                /* vlanID with PHYSDEV and the name type vconfig used */
                IFCFG("vlan200"), "DEVICE=vlan200\nVLAN=yes\nPHYSDEV=bond0\nVLAN_NAME_TYPE=VLAN_PLUS_VID_NO_PAD\n",
                /* DEV_PLUS_VID: zero-padded id */
                IFCFG("eth5.0007"), "DEVICE=eth5.0007\nVLAN=yes\nVLAN_NAME_TYPE=DEV_PLUS_VID\n",
                /* NetworkManager's VLAN_ID wins over the name, PHYSDEV over its parent */
                IFCFG("eth6.9"), "DEVICE=eth6.9\nVLAN=yes\nVLAN_ID=10\nPHYSDEV=eth7\n",
                /* initscripts' VID; REORDER_HDR=no is warned */
                IFCFG("mgmt"), "DEVICE=mgmt\nVLAN=yes\nVID=300\nPHYSDEV=bond0\nREORDER_HDR=no\n",
                /* TYPE=Vlan alone: NetworkManager's reading, warned */
                IFCFG("bond0.400"), "DEVICE=bond0.400\nTYPE=Vlan\nONBOOT=no\nMTU=1400\n",
                NULL };
        struct tree t;

        tree_read(&t, f);
        if (t.r)
                tree_dump_diags(&t);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(t.m.n_vlans, 6);
        cr_expect_str_eq(vlan(&t, "bond0.100")->link, "bond0");
        cr_expect_eq(vlan(&t, "bond0.100")->id, 100);
        cr_expect_eq(vlan(&t, "bond0.100")->ipv4.method, BG_IP_STATIC);
        cr_expect_eq(vlan(&t, "bond0.100")->ipv4.n_addresses, 1);
        cr_expect_str_eq(vlan(&t, "vlan200")->link, "bond0");
        cr_expect_eq(vlan(&t, "vlan200")->id, 200);
        cr_expect_eq(vlan(&t, "eth5.0007")->id, 7);
        cr_expect_str_eq(vlan(&t, "eth5.0007")->link, "eth5");
        cr_expect_eq(vlan(&t, "eth6.9")->id, 10);
        cr_expect_str_eq(vlan(&t, "eth6.9")->link, "eth7");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "VLAN_ID", "VLAN_ID wins"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_NOTE, "PHYSDEV", "wins over the parent eth6"));
        cr_expect_eq(vlan(&t, "mgmt")->id, 300);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "REORDER_HDR", "reorder_hdr"));
        cr_expect_str_eq(tree_fate(&t, IFCFG("mgmt"), "REORDER_HDR"),
                         "ignored: the kernel default reorder_hdr on is kept (warned)");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "TYPE", "without VLAN=yes"));
        cr_expect_not(vlan(&t, "bond0.400")->onboot);
        cr_expect_eq(vlan(&t, "bond0.400")->mtu, 1400);
        cr_expect_str_eq(tree_fate(&t, IFCFG("vlan200"), "PHYSDEV"), "vlans[vlan200].link = bond0");
        cr_expect_str_eq(tree_fate(&t, IFCFG("bond0.100"), "IPADDR"), "vlans[bond0.100].ipv4.addresses += 10.100.0.1/24");
        cr_expect(!strncmp(tree_fate(&t, IFCFG("vlan200"), "VLAN_NAME_TYPE"), "nothing to convert", 18));
        for (size_t i = 0; i < t.d.n; i++)
                cr_expect_null(strstr(t.d.v[i].msg, "not converted ("), "%s", t.d.v[i].msg);
        no_not_converted(&t);
        tree_free(&t);
}

Test(stack, vlan_errors) {
        const char *f[] = {
                IFCFG("vlan5"), "DEVICE=vlan5\nVLAN=yes\n",                 /* no PHYSDEV */
                IFCFG("eth0.5000"), "DEVICE=eth0.5000\nVLAN=yes\n",         /* id out of range */
                IFCFG("foo"), "DEVICE=foo\nVLAN=yes\nPHYSDEV=eth0\n",       /* no id at all */
                IFCFG("eth1.7"), "DEVICE=eth1.7\nVLAN=yes\nVLAN_ID=x7\n",   /* bad VLAN_ID */
                IFCFG("eth2.8"), "DEVICE=eth2.8\nVLAN=yes\n",
                NULL };
        struct tree t;

        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "PHYSDEV", "needs PHYSDEV"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "DEVICE", "out of range"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "DEVICE", "cannot tell the id of VLAN foo"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "VLAN_ID", "'x7' is not a VLAN id"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "vlan5", "VLAN not converted because of the errors above"));
        /* the good one is kept */
        cr_expect_eq(t.m.n_vlans, 1);
        cr_expect_eq(vlan(&t, "eth2.8")->id, 8);
        tree_free(&t);
}

Test(stack, bridge_over_bond_vlan_and_nic) {
        const char *f[] = {
                BOND0,
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=\"mode=4 miimon=100\"\nBRIDGE=br0\n"
                                "IPADDR=10.0.0.9\nPREFIX=24\n",
                PORT("eth2", "bond1"), PORT("eth3", "bond1"),
                IFCFG("br0"), "DEVICE=br0\nTYPE=Bridge\nSTP=yes\nDELAY=4\n"
                              "BRIDGING_OPTS=\"priority=4096 hello_time=200 max_age=1200 ageing_time=30000\"\n"
                              "BOOTPROTO=dhcp\nDHCP_HOSTNAME=host1.example.com\nPERSISTENT_DHCLIENT=yes\n",
                IFCFG("bond0.50"), "DEVICE=bond0.50\nVLAN=yes\nBRIDGE=br0\n",
                IFCFG("eth9"), "DEVICE=eth9\nTYPE=Ethernet\nHWADDR=52:54:00:00:00:09\nBRIDGE=br0\nONBOOT=yes\n",
                IFCFG("br1"), "DEVICE=br1\nTYPE=Bridge\nSTP=off\nBRIDGING_OPTS=\"forward_delay=2 stp_state=0\"\n",
                NULL };
        struct tree t;
        const struct bg_bridge *br, *br1;

        tree_read(&t, f);
        if (t.r)
                tree_dump_diags(&t);
        cr_expect_eq(t.r, 0);
        cr_assert_eq(t.m.n_bridges, 2);
        br = bg_model_find_bridge(&t.m, "br0");
        cr_assert_not_null(br);
        cr_assert_eq(br->n_ports, 3);
        /* file order: ifcfg-bond0.50, ifcfg-bond1, ifcfg-eth9 */
        cr_expect_str_eq(br->ports[0].name, "bond0.50");
        cr_expect_str_eq(br->ports[1].name, "bond1");
        cr_expect_str_eq(br->ports[2].name, "eth9");
        cr_expect_eq(br->stp, BG_STP_ON);
        cr_expect_eq(br->forward_delay, 4);
        cr_expect_eq(br->priority, 4096);
        cr_expect_eq(br->hello_time, 2);
        cr_expect_eq(br->max_age, 12);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BRIDGING_OPTS", "ageing_time is not part of the model"));
        cr_expect_eq(br->ipv4.method, BG_IP_DHCP);
        cr_expect_str_eq(br->dhcp_hostname, "host1.example.com");
        cr_expect_str_eq(tree_fate(&t, IFCFG("br0"), "DHCP_HOSTNAME"), "bridges[br0].dhcp-hostname = host1.example.com");
        cr_expect(!strncmp(tree_fate(&t, IFCFG("br0"), "PERSISTENT_DHCLIENT"), "nothing to convert", 18));
        /* the bond port's own address is left out, warned */
        cr_expect_eq(bg_model_find_bond(&t.m, "bond1")->ipv4.method, BG_IP_NONE);
        cr_expect_eq(bg_model_find_bond(&t.m, "bond1")->ipv4.n_addresses, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "IPADDR", "bond1 is a port of bridge br0"));
        cr_expect_str_eq(tree_fate(&t, IFCFG("eth9"), "BRIDGE"), "bridges[br0].ports += eth9");
        cr_expect_str_eq(tree_fate(&t, IFCFG("bond1"), "BRIDGE"), "bridges[br0].ports += bond1");
        br1 = bg_model_find_bridge(&t.m, "br1");
        cr_expect_eq(br1->stp, BG_STP_OFF);
        cr_expect_eq(br1->forward_delay, 2);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BRIDGING_OPTS", "NetworkManager reads seconds"));
        no_not_converted(&t);
        for (size_t i = 0; i < t.d.n; i++)
                cr_expect_null(strstr(t.d.v[i].msg, "bridges are not converted"), "%s", t.d.v[i].msg);
        tree_free(&t);
}

Test(stack, port_of_a_missing_bridge_is_warned) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimon=100\"\nBRIDGE=br9\n",
                            PORT("eth0", "bond0"), NULL };
        struct tree t;

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BRIDGE", "no ifcfg file with TYPE=Bridge"));
        cr_expect_eq(t.m.n_bridges, 0);
        tree_free(&t);
}

Test(stack, dhcp_on_bonds_and_vlans) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimon=100\"\nBOOTPROTO=dhcp\n"
                                "DHCPV6C=yes\nDHCP_HOSTNAME=web1\n",
                PORT("eth0", "bond0"),
                IFCFG("bond0.200"), "DEVICE=bond0.200\nVLAN=yes\nBOOTPROTO=dhcp\nDHCP_HOSTNAME=bad_name\n",
                IFCFG("bond0.300"), "DEVICE=bond0.300\nVLAN=yes\nBOOTPROTO=none\nDHCP_HOSTNAME=h\n",
                NULL };
        struct tree t;
        const struct bg_bond *b;

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = bg_model_find_bond(&t.m, "bond0");
        cr_assert_not_null(b);
        cr_expect_eq(b->ipv4.method, BG_IP_DHCP);
        cr_expect_eq(b->ipv6.method, BG_IP_DHCP);
        cr_expect_str_eq(b->dhcp_hostname, "web1");
        cr_expect_eq(vlan(&t, "bond0.200")->ipv4.method, BG_IP_DHCP);
        cr_expect_null(vlan(&t, "bond0.200")->dhcp_hostname);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "DHCP_HOSTNAME", "'bad_name' is not a host name"));
        cr_expect_str_eq(tree_fate(&t, IFCFG("bond0.300"), "DHCP_HOSTNAME"), "ignored: bond0.300 uses no DHCP");
        cr_expect_eq(vlan(&t, "bond0.300")->ipv4.method, BG_IP_NONE);
        tree_free(&t);
}
