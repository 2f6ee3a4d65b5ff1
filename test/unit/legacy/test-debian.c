/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Debian ifupdown reader (src/legacy/debian*.c), case by case. */
#include "cases.h"

#define IF "etc/network/interfaces"
#define BOND_HDR "auto bond0\niface bond0 inet static\n    address 10.0.0.1/24\n"

static const struct rcase cases[] = {
        { "static bond with ports and options",
          { IF, BOND_HDR "    bond-slaves eth0 eth1\n    bond-mode 802.3ad\n    bond-miimon 100\n"
                "    bond-lacp-rate 1\n    bond-xmit-hash-policy layer3+4\n", NULL },
          0, { "mode: 802.3ad", "miimon: 100", "lacp_rate: fast", "xmit_hash_policy: layer3+4",
               "- name: eth0\n  - name: eth1", "addresses: [10.0.0.1/24]" },
          .xfile = IF, .xkey = "bond-lacp-rate", .xfate = "bonds[bond0].options.lacp_rate = fast" },
        { "'_' and '-' are one option name (IF_BOND_XMIT_HASH_POLICY)",
          { IF, BOND_HDR "    bond-slaves eth0\n    bond_xmit_hash_policy layer2+3\n    bond-miimon 100\n", NULL },
          0, { "xmit_hash_policy: layer2+3" } },
        { "netmask beats /len (ifupdown testcase.1)",
          { IF, "iface bond0 inet static\n    address 1.2.3.4/14\n    netmask 255.255.255.128\n"
                "    bond-slaves eth0\n    bond-miimon 100\n", NULL },
          0, { "addresses: [1.2.3.4/25]" }, .level = BG_DIAG_NOTE, .dkey = "netmask", .dtext = "overrides" },
        { "no netmask: host prefix, warned",
          { IF, "iface bond0 inet static\n    address 10.1.1.1\n    bond-slaves eth0\n    bond-miimon 100\n", NULL },
          0, { "addresses: [10.1.1.1/32]" }, .level = BG_DIAG_WARNING, .dkey = "address", .dtext = "host address",
          .dline = 2, .dcol = 13 },
        { "bond-slaves none: ports name their master (hotplug style)",
          { IF, "allow-hotplug eth0\niface eth0 inet manual\n  bond-master bond0\n"
                "allow-hotplug eth1\niface eth1 inet manual\n  bond-master bond0\n"
                "iface bond0 inet dhcp\n  bond-slaves none\n  bond-mode active-backup\n  bond-miimon 100\n"
                "  bond-primary eth1 eth0\n", NULL },
          0, { "- name: eth0\n  - name: eth1", "primary: eth1", "method: dhcp" }, "onboot: false",
          .xfile = IF, .xkey = "allow-hotplug", .xfate = "brings up bond bond0" },
        { "no auto and no hotplug port: not started at boot",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n", NULL },
          0, { "onboot: false" } },
        { "post-up ifenslave adds ports",
          { IF, "auto bond1\niface bond1 inet manual\n  bond-slaves none\n  bond-miimon 100\n"
                "  post-up /sbin/ifenslave bond1 eth2 eth3\n", NULL },
          0, { "name: bond1", "- name: eth2\n  - name: eth3" },
          .xfile = IF, .xkey = "post-up", .xfate = "bonds[bond1].ports (ifenslave)" },
        { "a backslash joins lines, '#' on the joined line is data",
          { IF, "auto bond0\niface bond0 inet manual\n  bond-slaves eth0 \\\n# eth1\n  bond-miimon 100\n", NULL },
          0, { "- name: eth0\n  - name: '#'" } },
        { "'#' after a value is data, not a comment",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-mode 1 # active-backup\n", NULL },
          -EINVAL, {}, "name: bond0", .level = BG_DIAG_ERROR, .dkey = "bond-mode", .dline = 3, .dcol = 13,
          .dtext = "mode" },
        { "unknown bond option with a suggestion",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimom 100\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "bond-miimom", "did you mean 'miimon'", 3, 15 },
        { "bond-slaves all cannot be converted",
          { IF, "iface bond0 inet manual\n  bond-slaves all\n  bond-miimon 100\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "bond-slaves", "name the ports", 2 },
        { "option outside a stanza",
          { IF, "bond-mode 1\nauto bond0\niface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n", NULL },
          -EINVAL, { "name: bond0" }, .level = BG_DIAG_ERROR, .dkey = "bond-mode", .dtext = "misplaced", .dline = 1 },
        { "option without a value",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon\n", NULL },
          -EINVAL, .level = BG_DIAG_ERROR, .dkey = "bond-miimon", .dtext = "without a value", .dline = 3 },
        { "unknown method",
          { IF, "iface bond0 inet fancy\n  bond-slaves eth0\n  bond-miimon 100\n", NULL },
          -EINVAL, .level = BG_DIAG_ERROR, .dkey = "iface", .dtext = "unknown address family or method", .dline = 1 },
        { "miimon and arp_interval: ifenslave writes miimon last, the MII monitor wins",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-mode 1\n  bond-arp-interval 200\n"
                "  bond-arp-ip-target 10.0.0.9 10.0.0.10\n  bond-miimon 100\n", NULL },
          0, { "miimon: 100", "arp_ip_target: [10.0.0.9, 10.0.0.10]" }, "arp_interval",
          BG_DIAG_WARNING, "bond-arp-interval", "MII monitor", 4,
          .xfile = IF, .xkey = "bond-arp-interval", .xfate = "miimon wins" },
        { "a port stanza agreeing by number is not a conflict",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-mode 802.3ad\n  bond-miimon 100\n"
                "iface eth0 inet manual\n  bond-master bond0\n  bond-mode 4\n", NULL },
          0, { "mode: 802.3ad" }, .xfile = IF, .xkey = "bond-mode", .xfate = "bonds[bond0].options.mode" },
        { "a port stanza that disagrees: the bond's own stanza wins, warned",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-mode 802.3ad\n  bond-miimon 100\n"
                "iface eth0 inet manual\n  bond-master bond0\n  bond-mode active-backup\n", NULL },
          0, { "mode: 802.3ad" }, .level = BG_DIAG_WARNING, .dkey = "bond-mode", .dtext = "comes up first", .dline = 7 },
        { "options only on the ports (ifenslave creates the bond from them)",
          { IF, "iface eth0 inet manual\n  bond-master bond0\n  bond-mode balance-xor\n  bond-miimon 100\n"
                "iface eth1 inet manual\n  bond-master bond0\n  bond-mode balance-xor\n  bond-miimon 100\n", NULL },
          0, { "name: bond0", "mode: balance-xor", "- name: eth0\n  - name: eth1" }, .level = BG_DIAG_NOTE,
          .dkey = "bond-master", .dtext = "no iface stanza of its own" },
        { "repeated option in one stanza",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n  bond-miimon 200\n", NULL },
          -EINVAL, .level = BG_DIAG_ERROR, .dkey = "bond-miimon", .dtext = "given twice", .dline = 4 },
        { "bond-slaves beside bond-master: a port",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n"
                "iface eth0 inet manual\n  bond-master bond0\n  bond-slaves eth7\n", NULL },
          0, { "- name: eth0\n" }, "eth7", BG_DIAG_WARNING, "bond-slaves", "also has bond-master", 6 },
        { "routes from up commands, gateway, inet6, mtu, hwaddress, dns",
          { IF, BOND_HDR "    gateway 10.0.0.254\n    bond-slaves eth0\n    bond-miimon 100\n    mtu 9000\n"
                "    hwaddress ether 52:54:00:00:00:0A\n    dns-nameservers 10.0.0.53 2001:db8::53\n"
                "    up route add -net 10.9.0.0 netmask 255.255.0.0 gw 10.0.0.9\n"
                "    post-up ip -6 route add 2001:db8:9::/48 via 2001:db8::9 dev bond0\n"
                "iface bond0 inet6 static\n    address 2001:db8::1/64\n    gateway 2001:db8::fe\n", NULL },
          0, { "gateway: 10.0.0.254", "routes: [{to: 10.9.0.0/16, via: 10.0.0.9}]", "mtu: 9000",
               "mac: \"52:54:00:00:00:0a\"", "routes: [{to: '2001:db8:9::/48', via: '2001:db8::9'}]",
               "gateway: 2001:db8::fe" } },
        { "a route in another table or a shell command: warned",
          { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n"
                "  up ip route add 10.0.0.0/8 via 10.1.1.1 table 100\n  up echo hi > /tmp/x\n", NULL },
          0, { "name: bond0" }, "routes", BG_DIAG_WARNING, "up", "policy routing", 4 },
        { "source with a relative wildcard, source-directory with run-parts names",
          { IF, "source interfaces.d/*.cfg\nsource-directory bonds\n",
            "etc/network/interfaces.d/a.cfg", "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n",
            "etc/network/bonds/bond1", "iface bond1 inet manual\n  bond-slaves eth1\n  bond-miimon 100\n",
            "etc/network/bonds/bond2.dpkg-old", "iface bond2 inet manual\n  bond-slaves eth2\n  bond-miimon 100\n",
            NULL },
          0, { "name: bond0", "name: bond1" }, "bond2", .xfile = IF, .xkey = "source-directory", .xfate = "read 1 file" },
        { "source-directory of a directory without files (qsort(NULL, 0) found by fuzz-debian)",
          { IF, "source-directory empty.d\niface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n",
            "etc/network/empty.d/.keep", "", NULL },
          0, { "name: bond0" }, .xfile = IF, .xkey = "source-directory", .xfate = "nothing to include" },
        { "interfaces.d not sourced: warned, not read",
          { IF, "auto lo\niface lo inet loopback\n",
            "etc/network/interfaces.d/bond0", "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n", NULL },
          0, {}, "bond0", BG_DIAG_WARNING, NULL, "never read it" },
        { "inherits is warned",
          { IF, "iface base inet manual\n  mtu 9000\niface bond0 inet manual inherits base\n  bond-slaves eth0\n"
                "  bond-miimon 100\n", NULL },
          0, { "name: bond0" }, "mtu", BG_DIAG_WARNING, "inherits", "not inherited", 3 },
        { "a stanza that is not a bond: every key accounted for",
          { IF, "auto eth5\niface eth5 inet dhcp\n  hostname box\n", NULL },
          0, {}, "name:", .xfile = IF, .xkey = "hostname", .xfate = "eth5 is not a bond" },
        { "VLAN named PARENT.ID on a bond, static",
          { IF, "auto bond0\niface bond0 inet manual\n  bond-slaves eth0 eth1\n  bond-miimon 100\n"
                "auto bond0.100\niface bond0.100 inet static\n  address 192.0.2.10/24\n  gateway 192.0.2.1\n", NULL },
          0, { "vlans:\n- name: bond0.100\n  id: 100\n  link: bond0", "addresses: [192.0.2.10/24]",
               "gateway: 192.0.2.1" }, "onboot: false",
          .xfile = IF, .xkey = "address", .xfate = "vlans[bond0.100].ipv4.addresses += 192.0.2.10/24" },
        { "VLAN with vlan-raw-device and DHCP with a host name",
          { IF, "iface vlan200 inet dhcp\n  vlan-raw-device bond0\n  hostname web1\n", NULL },
          0, { "- name: vlan200\n  id: 200\n  link: bond0\n  onboot: false", "method: dhcp",
               "dhcp-hostname: web1" },
          .xfile = IF, .xkey = "vlan-raw-device", .xfate = "vlans[vlan200].link = bond0" },
        { "VLAN without an id is refused",
          { IF, "iface uplink inet manual\n  vlan-raw-device eth0\n", NULL },
          -EINVAL, { "version: 1" }, "vlans:", .level = BG_DIAG_ERROR, .dkey = "iface",
          .dtext = "cannot tell the id of VLAN uplink" },
        { "bridge over a bond with STP, forward delay and priority",
          { IF, "auto bond1\niface bond1 inet manual\n  bond-slaves eth2 eth3\n  bond-mode active-backup\n"
                "  bond-miimon 100\nauto br0\niface br0 inet static\n  bridge_ports bond1\n  bridge_stp on\n"
                "  bridge-fd 4\n  bridge_bridgeprio 4096\n  bridge_maxwait 0\n  address 198.51.100.2/24\n"
                "iface br0 inet6 dhcp\n", NULL },
          0, { "bridges:\n- name: br0\n  ports:\n  - name: bond1\n  stp: true\n  forward-delay: 4\n  priority: 4096",
               "addresses: [198.51.100.2/24]", "ipv6:\n    method: dhcp" },
          .xfile = IF, .xkey = "bridge_stp", .xfate = "bridges[br0].stp = true" },
        { "bridge_ports all is not converted, other bridge options warned",
          { IF, "iface br1 inet manual\n  bridge_ports all\n  bridge_ageing 300\n", NULL },
          0, { "- name: br1" }, "ports:", .level = BG_DIAG_WARNING, .dkey = "bridge_ports",
          .dtext = "picks ports when ifup runs" },
};

Test(debian, cases) {
        run_cases(cases, sizeof(cases) / sizeof(cases[0]), BG_LEGACY_DEBIAN);
}

/* Autodetection finds the Debian tree without --from. */
Test(debian, detected) {
        const char *const files[] = { IF, "iface bond0 inet manual\n  bond-slaves eth0\n  bond-miimon 100\n", NULL };
        struct tree t;

        tree_read_from(&t, files, 0);
        cr_expect_eq(bg_legacy_detect(t.root), BG_LEGACY_DEBIAN);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(t.m.n_bonds, 1);
        tree_free(&t);
}

/* A file that includes itself is read once. */
Test(debian, source_loop) {
        const char *const files[] = { IF, "source interfaces\niface bond0 inet manual\n  bond-slaves eth0\n"
                                          "  bond-miimon 100\n", NULL };
        struct tree t;

        tree_read_from(&t, files, BG_LEGACY_DEBIAN);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(t.m.n_bonds, 1);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, NULL, "more than once"));
        tree_free(&t);
}
