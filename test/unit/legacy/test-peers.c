/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shapes of legacy trees that other tools write (cloud-init, os-net-config,
 * NetworkManager's ifcfg-rh writer, bonding.rst's examples) and that
 * initscripts brings up: each converts to the bond initscripts made, with a
 * warning where a key is lost or another reader would differ. One test per
 * shape; the trees are written here, in this project's own words. */
#include "tree.h"

static struct bg_bond *bond(struct tree *t, const char *name) {
        struct bg_bond *b = bg_model_find_bond(&t->m, name);

        if (!b)
                tree_dump_diags(t);
        cr_assert_not_null(b, "bond %s missing", name);
        return b;
}

static bool has_errors(const struct tree *t) {
        return bg_diags_has_errors(&t->d);
}

#define BOND(dev, opts) IFCFG(dev), "DEVICE=" dev "\nBONDING_OPTS=\"" opts "\"\nIPADDR=192.0.2.10\nPREFIX=24\n"

/* bonding.rst: "options bond0 -o bond0 mode=... miimon=..." loads the
 * module once per bond under that name; "-o NAME" belongs to modprobe. */
Test(peers, modprobe_options_with_dash_o) {
        const char *f[] = {
                "etc/modprobe.conf",
                "alias bond0 bonding\noptions bond0 -o bond0 mode=balance-rr miimon=100\n"
                "alias bond1 bonding\noptions bond1 -o bond1 mode=balance-alb miimon=50\n",
                IFCFG("bond0"), "DEVICE=bond0\nIPADDR=192.0.2.1\nPREFIX=24\n",
                IFCFG("bond1"), "DEVICE=bond1\nIPADDR=198.51.100.1\nPREFIX=24\n",
                PORT("eth0", "bond0"), PORT("eth1", "bond1"), NULL };
        struct tree t;
        char buf[64];

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_not(has_errors(&t));
        cr_expect_eq(bg_bond_mode(bond(&t, "bond0")), BG_MODE_BALANCE_RR);
        cr_expect_str_eq(opt_text(bond(&t, "bond0"), BG_OPT_MIIMON, buf, sizeof(buf)), "100");
        cr_expect_eq(bg_bond_mode(bond(&t, "bond1")), BG_MODE_BALANCE_ALB);
        cr_expect_str_eq(opt_text(bond(&t, "bond1"), BG_OPT_MIIMON, buf, sizeof(buf)), "50");
        /* each bond had its own module instance: no "loaded once" warning */
        cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, "options", "loaded once"));
        cr_expect(strstr(tree_fate(&t, "etc/modprobe.conf", "options bond1"), "own module instance"));
        tree_free(&t);
}

/* os-net-config writes ETHTOOL_OPTS="-K ${DEVICE} ...": bondgen does not
 * use the key, so it alone is lost; an unreadable key bondgen uses still
 * spoils the bond. */
Test(peers, unexpandable_value_in_unused_key) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimon=100\"\n"
                                "ETHTOOL_OPTS=\"-K ${DEVICE} tx off\"\n",
                IFCFG("eth0"), "DEVICE=eth0\nMASTER=bond0\nSLAVE=yes\nETHTOOL_OPTS=\"-K ${DEVICE} gro off\"\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=\"mode=1 miimon=${MII}\"\n",
                PORT("eth1", "bond1"), NULL };
        struct tree t;

        tree_read(&t, f);
        cr_expect_eq(t.r, -EINVAL);  /* bond1 only */
        cr_expect_eq(bond(&t, "bond0")->n_ports, 1);
        cr_expect_null(bg_model_find_bond(&t.m, "bond1"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "ETHTOOL_OPTS", "only it is lost"));
        cr_expect_null(tree_diag(&t, BG_DIAG_ERROR, "ETHTOOL_OPTS", ""));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "BONDING_OPTS", "expansion"));
        cr_expect(strncmp(tree_fate(&t, IFCFG("eth0"), "ETHTOOL_OPTS"), "ignored", 7) == 0);
        tree_free(&t);
}

/* IP over InfiniBand: HWADDR has 20 bytes; the port is kept (by name) and
 * the kernel's active-backup-only rule is said. */
Test(peers, infiniband_port) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=active-backup miimon=100\"\n",
                IFCFG("ib0"), "DEVICE=ib0\nTYPE=InfiniBand\nMASTER=bond0\nSLAVE=yes\n"
                              "HWADDR=80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:31:78:f2\n",
                IFCFG("ib1"), "DEVICE=ib1\nTYPE=InfiniBand\nMASTER=bond0\nSLAVE=yes\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=\"mode=balance-rr miimon=100\"\n",
                IFCFG("ib2"), "DEVICE=ib2\nMASTER=bond1\nSLAVE=yes\n"
                              "HWADDR=80:00:02:08:FE:80:00:00:00:00:00:00:00:02:c9:03:00:31:78:f3\n",
                NULL };
        struct tree t;
        struct bg_bond *b;

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = bond(&t, "bond0");
        cr_assert_eq(b->n_ports, 2);
        cr_expect_str_eq(b->ports[0].name, "ib0");
        cr_expect_eq(b->ports[0].mac.len, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "HWADDR", "20-byte InfiniBand"));
        cr_expect_eq(bond(&t, "bond1")->n_ports, 1);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "MASTER", "only in mode active-backup, not balance-rr"));
        /* a 20-byte value that is not hex is still not an address */
        tree_free(&t);
        f[3] = "DEVICE=ib0\nMASTER=bond0\nSLAVE=yes\nHWADDR=80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:31:78:zz\n";
        tree_read(&t, f);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "HWADDR", "not a MAC address"));
        cr_expect_null(bg_model_find_bond(&t.m, "bond0"));
        tree_free(&t);
}

/* cloud-init writes TYPE=Bond and BONDING_MASTER=yes into port files next
 * to MASTER= and SLAVE=yes; initscripts enslaves them. A device that
 * another file names as MASTER stays a bond (and nesting is refused). */
Test(peers, port_file_with_bond_markers) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nTYPE=Bond\nBONDING_MASTER=yes\nBONDING_SLAVE0=enp1s0\n"
                                "BONDING_SLAVE1=enp9s9\nIPADDR=192.0.2.5\nNETMASK=255.255.255.0\n",
                IFCFG("enp1s0"), "DEVICE=enp1s0\nTYPE=Bond\nBONDING_MASTER=yes\nMASTER=bond0\nSLAVE=yes\n",
                IFCFG("enp2s0"), "DEVICE=enp2s0\nTYPE=Bond\nBONDING_MASTER=yes\nMASTER=bond0\nSLAVE=yes\n",
                NULL };
        struct tree t;
        struct bg_bond *b;

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(t.m.n_bonds, 1);
        b = bond(&t, "bond0");
        cr_assert_eq(b->n_ports, 2);
        cr_expect_str_eq(b->ports[0].name, "enp1s0");
        cr_expect_str_eq(b->ports[1].name, "enp2s0");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, NULL, "initscripts enslaves it"));
        cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, "BONDING_MASTER", "unknown key"));
        /* the list initscripts does not read: a name it lists that no file
         * enslaves is reported */
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BONDING_SLAVE1", "enp9s9"));
        cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, "BONDING_SLAVE0", ""));
        tree_free(&t);

        /* enp1s0 is named as MASTER by eth5: a real bond in a bond */
        const char *g[] = { f[0], f[1], f[2], f[3], PORT("eth5", "enp1s0"), NULL };
        tree_read(&t, g);
        cr_expect_eq(t.r, -EINVAL);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "MASTER", "nested bonds"));
        tree_free(&t);
}

/* miimon with arp_interval: initscripts writes miimon first and the ARP
 * interval turns MII monitoring off; the delays then need miimon. In a
 * mode without the ARP monitor miimon stays. */
Test(peers, miimon_with_arp_interval) {
        const char *f[] = {
                BOND("bond0", "mode=0 miimon=100 updelay=200 arp_ip_target=192.0.2.1 arp_interval=200"),
                PORT("eth0", "bond0"),
                BOND("bond1", "mode=802.3ad miimon=100 arp_interval=200"),
                PORT("eth1", "bond1"), NULL };
        struct tree t;
        struct bg_bond *b;
        char buf[64];

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = bond(&t, "bond0");
        cr_expect_not(b->opts[BG_OPT_MIIMON].set);
        cr_expect_not(b->opts[BG_OPT_UPDELAY].set);
        cr_expect_str_eq(opt_text(b, BG_OPT_ARP_INTERVAL, buf, sizeof(buf)), "200");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "miimon", "the ARP monitor wins"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "updelay", "needs MII monitoring"));
        cr_expect(strstr(tree_fate(&t, IFCFG("bond0"), "BONDING_OPTS"), "miimon dropped"));
        b = bond(&t, "bond1");
        cr_expect_str_eq(opt_text(b, BG_OPT_MIIMON, buf, sizeof(buf)), "100");
        tree_free(&t);
}

/* num_grat_arp and num_unsol_na are one kernel field. */
Test(peers, num_grat_arp_and_num_unsol_na) {
        const char *f[] = {
                BOND("bond0", "mode=1 miimon=100 num_grat_arp=3 num_unsol_na=4"), PORT("eth0", "bond0"),
                BOND("bond1", "mode=1 miimon=100 num_grat_arp=2 num_unsol_na=2"), PORT("eth1", "bond1"),
                NULL };
        struct tree t;
        char buf[64];

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(opt_text(bond(&t, "bond0"), BG_OPT_NUM_GRAT_ARP, buf, sizeof(buf)), "4");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "num_grat_arp", "bond0: num_grat_arp=3 and num_unsol_na=4"));
        cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, "num_grat_arp", "bond1:"));
        tree_free(&t);
}

/* NetworkManager's port keys and METRIC: known, reported, not "unknown";
 * BOND_PORT_PRIO becomes the port's prio. */
Test(peers, port_queue_prio_and_metric) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimon=100\"\nBOOTPROTO=dhcp\nMETRIC=300\n",
                IFCFG("eth0"), "DEVICE=eth0\nMASTER=bond0\nSLAVE=yes\nBOND_PORT_QUEUE_ID=2\n",
                IFCFG("eth1"), "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\nBOND_PORT_PRIO=10\n",
                NULL };
        struct tree t;

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(bond(&t, "bond0")->n_ports, 2);
        cr_expect_null(tree_diag(&t, BG_DIAG_WARNING, NULL, "unknown key"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "BOND_PORT_QUEUE_ID", "queue_id=eth0:N"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_NOTE, "BOND_PORT_PRIO", "priority 10 of port eth1 converted"));
        cr_expect_eq(bond(&t, "bond0")->ports[1].prio, 10, "BOND_PORT_PRIO is the port's prio");
        cr_expect_eq(bond(&t, "bond0")->ports[0].prio, 0);
        cr_expect(strstr(tree_fate(&t, IFCFG("eth1"), "BOND_PORT_PRIO"), "ports[eth1].prio = 10"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "METRIC", "METRIC=300"));
        cr_expect(strstr(tree_fate(&t, IFCFG("bond0"), "METRIC"), "route metric"));
        tree_free(&t);

        const char *bad[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 miimon=100\"\n",
                IFCFG("eth1"), "DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\nBOND_PORT_PRIO=2147483648\n",
                NULL };
        tree_read(&t, bad);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_ERROR, "BOND_PORT_PRIO", "invalid port priority '2147483648'"));
        tree_free(&t);
}

/* rule-BOND / rule6-BOND: policy routing the model cannot hold is
 * reported line by line, in diagnostics and --explain. */
Test(peers, policy_routing_rules) {
        const char *f[] = {
                BOND("bond0", "mode=1 miimon=100"), PORT("eth0", "bond0"),
                "etc/sysconfig/network-scripts/rule-bond0", "# table 100\nfrom 192.0.2.10 table 100\n\n",
                "etc/sysconfig/network-scripts/rule6-bond0", "from 2001:db8::10 table 100  \n",
                NULL };
        struct tree t;

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "rule", "'from 192.0.2.10 table 100' of bond0"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "rule", "'from 2001:db8::10 table 100' of bond0"));
        cr_expect(strstr(tree_fate(&t, "etc/sysconfig/network-scripts/rule-bond0", "rule"), "IPv4 policy routing"));
        cr_expect(strstr(tree_fate(&t, "etc/sysconfig/network-scripts/rule6-bond0", "rule"), "IPv6 policy routing"));
        tree_free(&t);
}

/* arp_interval without arp_ip_target: the kernel, initscripts and netplan
 * bring the bond up; it converts with a warning. */
Test(peers, arp_interval_without_target) {
        const char *f[] = { BOND("bond0", "mode=1 arp_interval=200"), PORT("eth0", "bond0"), NULL };
        struct tree t;
        char buf[64];

        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(opt_text(bond(&t, "bond0"), BG_OPT_ARP_INTERVAL, buf, sizeof(buf)), "200");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "bonds[bond0].options.arp_interval", "has no target"));
        tree_free(&t);
}
