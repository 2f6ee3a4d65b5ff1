/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One test per key family of the Red Hat readers (bondgen(8) CONVERT). */
#include "tree.h"

static struct bg_bond *only_bond(struct tree *t, const char *name) {
        struct bg_bond *b = bg_model_find_bond(&t->m, name);
        if (!b)
                tree_dump_diags(t);
        cr_assert_not_null(b, "bond %s missing", name);
        return b;
}

Test(keys, device_wins_over_file_name) {
        const char *f[] = { IFCFG("uplink"), "DEVICE=bond7\nBONDING_OPTS=mode=1\n", PORT("eth0", "bond7"), NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        only_bond(&t, "bond7");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_NOTE, "DEVICE", "differs from the file name"));
        tree_free(&t);
}

Test(keys, bond_detection) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nTYPE=Bond\n",
                IFCFG("bond1"), "DEVICE=bond1\nTYPE=Bonding\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_MASTER=yes\n",
                IFCFG("bond3"), "DEVICE=bond3\nTYPE=Ethernet\nBONDING_OPTS=\"mode=4\"\n",
                IFCFG("bond4"), "DEVICE=bond4\n",
                IFCFG("eth9"), "DEVICE=eth9\nIPADDR=10.9.9.9\n",
                "etc/modprobe.d/b.conf", "alias bond4 bonding\n",
                PORT("eth0", "bond0"), PORT("eth1", "bond1"), PORT("eth2", "bond2"),
                PORT("eth3", "bond3"), PORT("eth4", "bond4"), NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(t.m.n_bonds, 5);
        cr_expect_null(bg_model_find_bond(&t.m, "eth9"));
        cr_expect_eq(bg_bond_mode(only_bond(&t, "bond3")), BG_MODE_8023AD);
        cr_expect_str_eq(tree_fate(&t, IFCFG("eth9"), "IPADDR"), "ignored: eth9 is neither a bond, a bond port, a VLAN nor a bridge");
        tree_free(&t);
}

Test(keys, master_from_file_without_bond_markers_warns) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nIPADDR=10.0.0.1\nPREFIX=8\n", PORT("eth0", "bond0"), NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        only_bond(&t, "bond0");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, NULL, "initscripts would not have made it a bond"));
        tree_free(&t);
}

Test(keys, master_slave_forms) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS='mode=1'\nUUID=0e1f2a3b-0000-4000-8000-000000000001\n",
                IFCFG("eth0"), "DEVICE=eth0\nMASTER=\"bond0\"\nSLAVE=\"yes\"\n",
                IFCFG("eth1"), "DEVICE=eth1\nMASTER='bond0'\n",
                IFCFG("eth2"), "DEVICE=eth2\nMASTER_UUID=0e1f2a3b-0000-4000-8000-000000000001\nSLAVE=yes\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_assert_eq(b->n_ports, 3);
        cr_expect_str_eq(b->ports[0].name, "eth0");
        cr_expect_str_eq(b->ports[1].name, "eth1");
        cr_expect_str_eq(b->ports[2].name, "eth2");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "MASTER", "not SLAVE=yes"));
        tree_free(&t);
}

Test(keys, hwaddr_and_macaddr) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nMACADDR=02:AA:BB:CC:DD:EE\n",
                IFCFG("eth0"), "DEVICE=eth0\nHWADDR=00:1B:21:3A:4C:10\nMASTER=bond0\nSLAVE=yes\n",
                IFCFG("eth1"), "DEVICE=eth1\nHWADDR=nonsense\nMASTER=bond0\nSLAVE=yes\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);  /* eth1's HWADDR spoils bond0 */
        cr_expect_eq(t.m.n_bonds, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "HWADDR", "not a MAC address"));
        tree_free(&t);
        f[5] = "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\n";
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(BG_HWADDR_STR(&only_bond(&t, "bond0")->ports[0].mac), "00:1b:21:3a:4c:10");
        cr_expect_eq(only_bond(&t, "bond0")->ports[1].mac.len, 0);
        cr_expect_str_eq(BG_HWADDR_STR(&only_bond(&t, "bond0")->mac), "02:aa:bb:cc:dd:ee");
        tree_free(&t);
}

Test(keys, mtu_onboot) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nMTU=9000\nONBOOT=no\n",
                            IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nMTU=jumbo\n",
                            IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=mode=1\nONBOOT=maybe\n", NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);
        cr_expect_eq(only_bond(&t, "bond0")->mtu, 9000);
        cr_expect_not(only_bond(&t, "bond0")->onboot);
        cr_expect_null(bg_model_find_bond(&t.m, "bond1"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "MTU", "not an MTU"));
        cr_expect(only_bond(&t, "bond2")->onboot);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "ONBOOT", "not a boolean"));
        tree_free(&t);
}

Test(keys, bootproto) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nBOOTPROTO=dhcp\nIPADDR=10.0.0.1\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nBOOTPROTO=DHCP\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=mode=1\nBOOTPROTO=static\n",
                IFCFG("bond3"), "DEVICE=bond3\nBONDING_OPTS=mode=1\nBOOTPROTO=bootp\n",
                IFCFG("bond4"), "DEVICE=bond4\nBONDING_OPTS=mode=1\nBOOTPROTO=weird\nIPADDR=10.4.0.1\nPREFIX=16\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(only_bond(&t, "bond0")->ipv4.method, BG_IP_DHCP);
        cr_expect_eq(only_bond(&t, "bond0")->ipv4.n_addresses, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "IPADDR", "next to BOOTPROTO=dhcp"));
        cr_expect_eq(only_bond(&t, "bond1")->ipv4.method, BG_IP_DHCP);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BOOTPROTO", "static to initscripts"));
        cr_expect_eq(only_bond(&t, "bond2")->ipv4.method, BG_IP_NONE);
        cr_expect_eq(only_bond(&t, "bond3")->ipv4.method, BG_IP_DHCP);
        cr_expect_eq(only_bond(&t, "bond4")->ipv4.method, BG_IP_STATIC);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BOOTPROTO", "converted as static"));
        tree_free(&t);
}

Test(keys, addresses_numbering_and_classful) {
        const char *f[] = { IFCFG("bond0"),
                "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.1.0.1\nIPADDR0=172.16.0.1\nIPADDR1=192.168.1.1\n"
                "PREFIX1=25\nIPADDR2=192.168.2.1\nNETMASK2=255.255.255.0\nIPADDR4=192.168.4.1\nPREFIX7=8\n", NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_assert_eq(b->ipv4.n_addresses, 4);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[0]), "10.1.0.1/8");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[1]), "172.16.0.1/16");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[2]), "192.168.1.1/25");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[3]), "192.168.2.1/24");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "IPADDR", "classful prefix /8"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "IPADDR4", "after a gap"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "PREFIX7", "no matching IPADDRn"));
        tree_free(&t);
}

Test(keys, bad_addresses_are_errors) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=1.2.3.4/24\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nIPADDR=1.2.3.4\nPREFIX=33\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=mode=1\nIPADDR=1.2.3.4\nNETMASK=255.0.255.0\n",
                IFCFG("bond3"), "DEVICE=bond3\nBONDING_OPTS=mode=1\nIPADDR=1.2.3\n",
                IFCFG("bond4"), "DEVICE=bond4\nBONDING_OPTS=mode=1\nDNS1=garbage\n",
                IFCFG("bond5"), "DEVICE=bond5\nBONDING_OPTS=mode=1\nIPADDR=10.5.0.1\nPREFIX=16\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);
        cr_expect_eq(t.m.n_bonds, 1);
        only_bond(&t, "bond5");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "IPADDR", "SUSE syntax"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "PREFIX", "not a prefix length"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "NETMASK", "not a netmask"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "IPADDR", "not an IPv4 address"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "DNS1", "not an IP address"));
        tree_free(&t);
}

Test(keys, network_broadcast_checked) {
        const char *f[] = { IFCFG("bond0"),
                "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=24\nNETWORK=10.0.1.0\nBROADCAST=10.0.0.255\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "NETWORK", "does not match"));
        cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, "BROADCAST", ""));
        cr_expect_str_eq(tree_fate(&t, IFCFG("bond0"), "BROADCAST"), "checked: equals the computed broadcast");
        tree_free(&t);
}

Test(keys, gateway_family) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=24\nGATEWAY=10.0.0.1\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nIPADDR0=10.1.0.5\nPREFIX0=24\nGATEWAY0=10.1.0.1\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=mode=1\nIPADDR=10.2.0.5\nPREFIX=24\nGATEWAY=10.2.0.1\nDEFROUTE=no\n",
                IFCFG("bond3"), "DEVICE=bond3\nBONDING_OPTS=mode=1\nIPADDR=10.3.0.5\nPREFIX=24\nGATEWAY=192.168.0.1\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(BG_ADDR_STR(&only_bond(&t, "bond0")->ipv4.gateway), "10.0.0.1");
        cr_expect_str_eq(BG_ADDR_STR(&only_bond(&t, "bond1")->ipv4.gateway), "10.1.0.1");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_NOTE, "GATEWAY0", "initscripts reads only GATEWAY"));
        cr_expect(!bg_addr_set(&only_bond(&t, "bond2")->ipv4.gateway));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "GATEWAY", "DEFROUTE=no"));
        cr_expect(!bg_addr_set(&only_bond(&t, "bond3")->ipv4.gateway));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "GATEWAY", "not on-link"));
        tree_free(&t);
}

Test(keys, ipv6_family) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPV6INIT=yes\nIPV6ADDR=2001:db8::5\n"
                                "IPV6ADDR_SECONDARIES=\"2001:db8::6/56 2001:db8:1::7/64\"\nIPV6_DEFAULTGW=fe80::1%bond0\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nIPV6INIT=no\nIPV6ADDR=2001:db8::9/64\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=mode=1\nIPV6INIT=yes\nDHCPV6C=yes\n",
                IFCFG("bond3"), "DEVICE=bond3\nBONDING_OPTS=mode=1\nIPV6ADDR=not-an-address\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);
        b = only_bond(&t, "bond0");
        cr_expect_eq(b->ipv6.method, BG_IP_STATIC);
        cr_assert_eq(b->ipv6.n_addresses, 3);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv6.addresses[0]), "2001:db8::5/64");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv6.addresses[1]), "2001:db8::6/56");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv6.gateway), "fe80::1");
        cr_expect_eq(only_bond(&t, "bond1")->ipv6.n_addresses, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "IPV6ADDR", "IPv6 is off"));
        cr_expect_eq(only_bond(&t, "bond2")->ipv6.method, BG_IP_DHCP);
        cr_expect_null(bg_model_find_bond(&t.m, "bond3"));
        tree_free(&t);
}

Test(keys, dns_and_domain) {
        const char *f[] = { IFCFG("bond0"),
                "DEVICE=bond0\nBONDING_OPTS=mode=1\nDNS1=10.0.0.53\nDNS2=2001:db8::53\nDNS4=10.0.0.54\nDOMAIN=example.com\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_assert_eq(b->ipv4.n_dns, 1);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.dns[0]), "10.0.0.53");
        cr_assert_eq(b->ipv6.n_dns, 1);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "DNS4", "after a gap"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "DOMAIN", "not converted"));
        tree_free(&t);
}

Test(keys, route_files_both_forms) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=24\n",
                "etc/sysconfig/network-scripts/route-bond0",
                "ADDRESS0=10.20.0.0\nNETMASK0=255.255.0.0\nGATEWAY0=10.0.0.254\nADDRESS1=10.30.0.1\nGATEWAY1=10.0.0.253\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nIPADDR=10.1.0.5\nPREFIX=24\n",
                "etc/sysconfig/network-scripts/route-bond1",
                "# comment\n10.20.0.0/16 via 10.1.0.254 dev bond1\ndefault via 10.1.0.1 metric 10\n"
                "10.50.0.0/16 via 10.1.0.254 table 100\n10.60.0.0/16 dev eth7\n",
                "etc/sysconfig/network-scripts/route6-bond1", "2001:db8:9::/48 via fe80::1\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_assert_eq(b->ipv4.n_routes, 2);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.routes[0].to), "10.20.0.0/16");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.routes[0].via), "10.0.0.254");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.routes[1].to), "10.30.0.1/32");
        b = only_bond(&t, "bond1");
        cr_assert_eq(b->ipv4.n_routes, 2);
        cr_expect(b->ipv4.routes[1].is_default);
        cr_expect_eq(b->ipv4.routes[1].metric, 10);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "route", "'table' cannot be expressed"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "route", "device eth7"));
        cr_assert_eq(b->ipv6.n_routes, 1);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv6.routes[0].to), "2001:db8:9::/48");
        tree_free(&t);
}

Test(keys, alias_files) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=24\n",
                IFCFG("bond0:1"), "DEVICE=bond0:1\nIPADDR=10.0.0.6\nONBOOT=yes\n",
                IFCFG("bond0:2"), "DEVICE=bond0:2\nIPADDR=10.9.0.6\nNETMASK=255.255.0.0\n",
                IFCFG("bond0:3"), "IPADDR=10.0.0.7\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_assert_eq(b->ipv4.n_addresses, 3);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[1]), "10.0.0.6/24");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[2]), "10.9.0.6/16");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "DEVICE", "alias file without DEVICE=bond0:3"));
        tree_free(&t);
}

Test(keys, consumed_keys_have_reasons) {
        const char *f[] = { IFCFG("bond0"),
                "DEVICE=bond0\nBONDING_OPTS=mode=1\nUSERCTL=no\nNM_CONTROLLED=no\nNAME=\"System bond0\"\n"
                "UUID=c0ffee00-0000-4000-8000-000000000000\nPEERDNS=no\nIPV4_FAILURE_FATAL=no\nFROBNICATE=1\n", NULL };
        const char *keys[] = { "USERCTL", "NM_CONTROLLED", "NAME", "UUID", "PEERDNS", "IPV4_FAILURE_FATAL" };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                const char *fate = tree_fate(&t, IFCFG("bond0"), keys[i]);
                cr_expect(fate && !strncmp(fate, "ignored: ", 9) && strlen(fate) > 20, "%s: %s", keys[i],
                          fate ? fate : "(none)");
                cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, keys[i], ""), "%s warned", keys[i]);
        }
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "FROBNICATE", "unknown key"));
        tree_free(&t);
}

Test(keys, sysconfig_network) {
        const char *f[] = {
                "etc/sysconfig/network", "NETWORKING=yes\nGATEWAY=10.1.0.1\nGATEWAYDEV=bond1\nNETWORKING_IPV6=no\n",
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.1.0.5\nPREFIX=24\nIPV6ADDR=2001:db8::1/64\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nIPADDR=10.1.0.6\nPREFIX=24\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect(!bg_addr_set(&only_bond(&t, "bond0")->ipv4.gateway));  /* GATEWAYDEV names bond1 */
        cr_expect_str_eq(BG_ADDR_STR(&only_bond(&t, "bond1")->ipv4.gateway), "10.1.0.1");
        cr_expect_eq(only_bond(&t, "bond0")->ipv6.n_addresses, 0);  /* NETWORKING_IPV6=no */
        cr_expect_str_eq(tree_fate(&t, "etc/sysconfig/network", "GATEWAY"), "bonds[bond1].ipv4.gateway = 10.1.0.1");
        tree_free(&t);
}

Test(keys, rclocal_ifenslave) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\n",
                "etc/modprobe.conf", "alias bond1 bonding\noptions bond1 mode=2\n",
                "etc/rc.d/rc.local", "#!/bin/sh\ntouch /var/lock/subsys/local\n/sbin/ifenslave bond0 eth0 eth1\n"
                                     "ifenslave -c bond0 eth1\ntest -x /sbin/ifenslave && ifenslave -f bond1 eth2 eth3 # second\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_assert_eq(b->n_ports, 2);
        cr_expect_str_eq(b->ports[1].name, "eth1");
        cr_expect_str_eq(b->opts[BG_OPT_ACTIVE_SLAVE].str, "eth1");
        cr_expect_str_eq(tree_fate(&t, "etc/rc.d/rc.local", "ifenslave"), "bonds[bond0].ports += eth0; bonds[bond0].ports += eth1");
        b = only_bond(&t, "bond1");
        cr_expect_eq(bg_bond_mode(b), BG_MODE_BALANCE_XOR);
        cr_expect_eq(b->n_ports, 2);
        tree_free(&t);
}

Test(keys, modprobe_syntax) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\n",
                "etc/modprobe.d/bonding.conf", "# comment\nalias bond0 bonding\noptions bond0 mode=active-backup \\\n"
                                               "  miimon=250\nalias eth0 e1000e\noptions e1000e InterruptThrottleRate=1\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        char buf[32];
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_expect_eq(bg_bond_mode(b), BG_MODE_ACTIVE_BACKUP);
        cr_expect_str_eq(opt_text(b, BG_OPT_MIIMON, buf, sizeof(buf)), "250");
        tree_free(&t);
}

/* Every catalogue option that belongs to a bond is accepted in BONDING_OPTS. */
Test(keys, bonding_opts_every_catalogue_option) {
        for (size_t i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get((enum bg_opt)i);
                char opts[256], val[64];
                const char *f[] = { IFCFG("bond0"), opts, NULL };
                struct tree t;
                struct bg_bond *b;

                if (o->flags & (BG_OF_MODULE_ONLY | BG_OF_RUNTIME))
                        continue;
                switch (o->type) {
                case BG_OT_UINT: case BG_OT_MSEC: snprintf(val, sizeof(val), "%llu", (unsigned long long)o->max); break;
                case BG_OT_ENUM: case BG_OT_BOOL: snprintf(val, sizeof(val), "%s", o->enums[1].name ? o->enums[1].name : o->enums[0].name); break;
                case BG_OT_IFNAME: snprintf(val, sizeof(val), "eth1"); break;
                case BG_OT_MAC: snprintf(val, sizeof(val), "02:00:00:00:00:01"); break;
                case BG_OT_IPV4_LIST: snprintf(val, sizeof(val), "10.0.0.1"); break;
                case BG_OT_IPV6_LIST: snprintf(val, sizeof(val), "2001:db8::1"); break;
                case BG_OT_QUEUE_ID: snprintf(val, sizeof(val), "eth1:2"); break;
                }
                snprintf(opts, sizeof(opts), "DEVICE=bond0\nBONDING_OPTS=\"%s=%s\"\n", o->name, val);
                tree_read(&t, f);
                b = bg_model_find_bond(&t.m, "bond0");
                /* Reading must accept it; whether the combination validates
                 * (e.g. updelay without miimon) is the model's business. */
                cr_expect_null(tree_diag(&t, BG_DIAG_ERROR, "BONDING_OPTS", ""), "%s=%s gave an error", o->name, val);
                {
                        const char *fate = tree_fate(&t, IFCFG("bond0"), "BONDING_OPTS");
                        char want[96];
                        snprintf(want, sizeof(want), "bonds[bond0].options.%s = ", o->name);
                        cr_expect(fate && strstr(fate, want), "%s=%s: fate %s", o->name, val, fate ? fate : "(none)");
                }
                if (b)
                        cr_expect(b->opts[i].set, "%s=%s not set", o->name, val);
                tree_free(&t);
        }
}

Test(keys, bonding_opts_numbers_and_names) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=4 xmit_hash_policy=1 lacp_rate=1\tad_select=2\"\n", NULL };
        struct tree t;
        struct bg_bond *b;
        char buf[32];
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = only_bond(&t, "bond0");
        cr_expect_eq(bg_bond_mode(b), BG_MODE_8023AD);
        cr_expect_str_eq(opt_text(b, BG_OPT_XMIT_HASH_POLICY, buf, sizeof(buf)), "layer3+4");
        cr_expect_str_eq(opt_text(b, BG_OPT_LACP_RATE, buf, sizeof(buf)), "fast");
        cr_expect_str_eq(opt_text(b, BG_OPT_AD_SELECT, buf, sizeof(buf)), "count");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_NOTE, "BONDING_OPTS", "tab"));
        tree_free(&t);
}

Test(keys, bonding_opts_errors) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimom=100\"\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=\"mode=7\"\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=\"mode=1 miimon\"\n",
                IFCFG("bond3"), "DEVICE=bond3\nBONDING_OPTS=\"mode=1 max_bonds=2\"\n",
                IFCFG("bond4"), "DEVICE=bond4\nBONDING_OPTS=\"mode=1 miimon=0 updelay=200\"\n",
                NULL };
        struct tree t;
        const struct bg_diag *d;
        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);
        d = tree_diag(&t, BG_DIAG_ERROR, "BONDING_OPTS", "did you mean 'miimon'");
        cr_assert_not_null(d);
        cr_expect_eq(d->line, 2);
        cr_expect_eq(d->col, 22);
        cr_expect(strstr(d->msg, "miimom") != NULL);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "BONDING_OPTS", "mode"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "BONDING_OPTS", "has no value"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BONDING_OPTS", "module parameter"));
        /* validation errors leave the bond out too */
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "bonds[bond4].options.updelay", "needs miimon"));
        cr_expect_null(bg_model_find_bond(&t.m, "bond4"));
        cr_expect_eq(t.m.n_bonds, 1);
        only_bond(&t, "bond3");
        tree_free(&t);
}

Test(keys, modprobe_positions_across_continuations) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\n",
                "etc/modprobe.conf", "alias bond0 bonding\n  options bond0 mode=1 \\\n    miimom=250\n", NULL };
        struct tree t;
        const struct bg_diag *d;
        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);
        d = tree_diag(&t, BG_DIAG_ERROR, "miimom", "did you mean 'miimon'");
        cr_assert_not_null(d);
        cr_expect_eq(d->line, 3);
        cr_expect_eq(d->col, 5);
        tree_free(&t);
}
