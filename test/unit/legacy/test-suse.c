/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SUSE wicked reader (src/legacy/suse.c), case by case. */
#include "cases.h"

#define NET "etc/sysconfig/network/"
#define B0 NET "ifcfg-bond0"
#define HDR "BONDING_MASTER=yes\nBONDING_SLAVE0=eth0\nBONDING_SLAVE1=eth1\nSTARTMODE=auto\n"

static const struct rcase cases[] = {
        { "static bond, prefix inside IPADDR",
          { B0, HDR "BONDING_MODULE_OPTS='mode=802.3ad miimon=100 lacp_rate=fast'\nIPADDR='10.0.0.1/24'\n", NULL },
          0, { "mode: 802.3ad", "lacp_rate: fast", "- name: eth0\n  - name: eth1", "addresses: [10.0.0.1/24]" },
          "onboot", .xfile = B0, .xkey = "BONDING_SLAVE1", .xfate = "bonds[bond0].ports += eth1" },
        { "NETMASK and PREFIXLEN with suffixes; the /len wins over PREFIXLEN",
          { B0, HDR "BONDING_MODULE_OPTS='mode=1 miimon=100'\nIPADDR=10.0.0.1\nNETMASK=255.255.0.0\n"
                "IPADDR_x=10.1.0.1\nPREFIXLEN_x=20\nIPADDR_y=10.2.0.1/28\nPREFIXLEN_y=8\n", NULL },
          0, { "addresses: [10.0.0.1/16, 10.1.0.1/20, 10.2.0.1/28]" },
          .xfile = B0, .xkey = "PREFIXLEN_y", .xfate = "the /len in the address wins" },
        { "no prefix at all: host prefix, warned",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nIPADDR=10.0.0.1\n", NULL },
          0, { "addresses: [10.0.0.1/32]" }, .level = BG_DIAG_WARNING, .dkey = "IPADDR", .dtext = "host prefix",
          .dline = 6 },
        { "IPv6 address and 0.0.0.0 (YaST's empty address)",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nIPADDR=0.0.0.0\nIPADDR_1='2001:db8::5/64'\n", NULL },
          0, { "addresses: ['2001:db8::5/64']" }, "0.0.0.0", .xfile = B0, .xkey = "IPADDR",
          .xfate = "unspecified address" },
        { "no BONDING_SLAVE: wicked refuses the bond",
          { B0, "BONDING_MASTER=yes\nBONDING_MODULE_OPTS='miimon=100'\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BONDING_SLAVE", "no BONDING_SLAVE" },
        { "no monitor: wicked refuses the bond",
          { B0, HDR "BONDING_MODULE_OPTS='mode=active-backup'\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BONDING_MODULE_OPTS", "insufficient monitoring", 5 },
        { "unknown option in BONDING_MODULE_OPTS, with its column",
          { B0, HDR "BONDING_MODULE_OPTS='mode=1 miimom=100'\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BONDING_MODULE_OPTS", "did you mean 'miimon'", 5, 29 },
        { "a token without '='",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100 fast'\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BONDING_MODULE_OPTS", "not KEY=VALUE" },
        { "BONDING_OPTS is not read by wicked",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nBONDING_OPTS='mode=4'\n", NULL },
          0, { "miimon: 100" }, "802.3ad", BG_DIAG_WARNING, "BONDING_OPTS", "wicked ignores BONDING_OPTS", 6 },
        { "BOOTPROTO=dhcp: both families; static addresses ignored",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nBOOTPROTO=dhcp\nIPADDR=10.0.0.1/24\n", NULL },
          0, { "ipv4:\n    method: dhcp", "ipv6:\n    method: dhcp" }, "10.0.0.1", BG_DIAG_WARNING, "IPADDR",
          "BOOTPROTO" },
        { "BOOTPROTO=dhcp4 and an unknown BOOTPROTO",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nBOOTPROTO=dhcp4+bogus\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BOOTPROTO", "'bogus' is not supported" },
        { "STARTMODE missing: manual, not at boot",
          { B0, "BONDING_MASTER=yes\nBONDING_SLAVE0=eth0\nBONDING_MODULE_OPTS='miimon=100'\n", NULL },
          0, { "onboot: false" }, .level = BG_DIAG_NOTE, .dkey = "STARTMODE", .dtext = "manual" },
        { "MTU and LLADDR",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nMTU=9000\nLLADDR=52:54:00:AA:BB:CC\n", NULL },
          0, { "mtu: 9000", "mac: \"52:54:00:aa:bb:cc\"" } },
        { "bad LLADDR",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nLLADDR=nope\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "LLADDR", "not a MAC address", 6 },
        { "routes file (interface '-': the bond with the gateway on-link) and ifroute-bond0",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\nIPADDR=192.168.50.7/24\n",
            NET "routes", "# global\ndefault 192.168.50.1 - -\n10.9.0.0 192.168.7.1 255.255.0.0 -\n",
            NET "ifroute-bond0", "10.20.0.0/16 192.168.50.254 - -\n172.16.0.0 192.168.50.253 12 bond0 unicast metric 5\n",
            NULL },
          0, { "gateway: 192.168.50.1", "{to: 10.20.0.0/16, via: 192.168.50.254}",
               "{to: 172.16.0.0/12, via: 192.168.50.253,", "metric: 5}" }, "10.9.0.0",
          .xfile = NET "routes", .xkey = "route", .xfate = "gateway = 192.168.50.1" },
        { "a port in two bonds",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\n",
            NET "ifcfg-bond1", "BONDING_MASTER=yes\nBONDING_SLAVE0=eth1\nBONDING_MODULE_OPTS='miimon=100'\n", NULL },
          -EINVAL, { "name: bond0" }, "name: bond1", BG_DIAG_ERROR, "BONDING_SLAVE0", "already a port of bond0" },
        { "the bond as its own port",
          { B0, "BONDING_MASTER=yes\nBONDING_SLAVE0=bond0\nBONDING_MODULE_OPTS='miimon=100'\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BONDING_SLAVE0", "its own port", 2 },
        { "BONDING_MASTER=1 is not true for wicked",
          { B0, "BONDING_MASTER=1\nBONDING_SLAVE0=eth0\nBONDING_MODULE_OPTS='miimon=100'\n", NULL },
          0, {}, "name: bond0", BG_DIAG_WARNING, "BONDING_MASTER", "only yes, true or on", 1 },
        { "port files: no IP configuration, every key accounted for",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\n",
            NET "ifcfg-eth0", "BOOTPROTO=none\nSTARTMODE=hotplug\nIPADDR=10.9.9.9/24\n", NULL },
          0, { "name: bond0" }, "10.9.9.9", .xfile = NET "ifcfg-eth0", .xkey = "IPADDR",
          .xfate = "no IP configuration" },
        { "sysconfig/network without ifcfg files (qsort(NULL, 0) found by fuzz-suse)",
          { NET "config", "NETCONFIG_DNS_POLICY=auto\n", NULL }, 0, {}, "name:" },
        { "unterminated quote in a bond file fails that bond",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100\n", NULL },
          -EINVAL, {}, "name: bond0", BG_DIAG_ERROR, "BONDING_MODULE_OPTS", "unterminated" },
        { "VLANs: the id from the name or VLAN_ID (which wins, warned), static and DHCP",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\n",
            NET "ifcfg-bond0.100", "ETHERDEVICE=bond0\nBOOTPROTO=static\nIPADDR=192.0.2.1/24\nSTARTMODE=auto\n",
            NET "ifcfg-vlan7", "ETHERDEVICE=bond0\nVLAN_ID=200\nBOOTPROTO=dhcp\nSTARTMODE=auto\n", NULL },
          0, { "- name: bond0.100\n  id: 100\n  link: bond0\n", "addresses: [192.0.2.1/24]",
               "- name: vlan7\n  id: 200\n  link: bond0\n  ipv4:\n    method: dhcp" },
          .level = BG_DIAG_WARNING, .dkey = "VLAN_ID", .dtext = "VLAN_ID 200 wins over the id 7", .dline = 2,
          .xfile = NET "ifcfg-vlan7", .xkey = "VLAN_ID", .xfate = "vlans[vlan7].id = 200" },
        { "a VLAN without an id anywhere",
          { NET "ifcfg-uplink", "ETHERDEVICE=eth0\nSTARTMODE=auto\n", NULL },
          -EINVAL, {}, "vlans:", BG_DIAG_ERROR, "VLAN_ID", "no VLAN_ID and no id in the name" },
        { "a bridge over a bond and a NIC: ports, STP, times in seconds, priority; the NIC's addressing unused",
          { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\n",
            NET "ifcfg-br0", "BRIDGE=yes\nBRIDGE_PORTS='bond0 eth5'\nBRIDGE_STP=off\nBRIDGE_FORWARDDELAY=0\n"
                             "BRIDGE_HELLOTIME=2.0\nBRIDGE_PRIORITY=4096\nBRIDGE_AGEINGTIME=300\nBOOTPROTO=dhcp\n"
                             "STARTMODE=auto\n",
            NET "ifcfg-eth5", "BOOTPROTO=static\nIPADDR=10.5.5.5/24\nSTARTMODE=auto\n", NULL },
          0, { "- name: br0\n  ports:\n  - name: bond0\n  - name: eth5\n  stp: false\n  forward-delay: 0\n"
               "  hello-time: 2\n  priority: 4096\n", "ipv4:\n    method: dhcp" },
          "10.5.5.5", BG_DIAG_WARNING, "BRIDGE_AGEINGTIME", "not converted", 7,
          .xfile = NET "ifcfg-eth5", .xkey = "IPADDR", .xfate = "a port of bridge br0 has no IP configuration" },
        { "a bridge with a bad STP value and a forward delay out of range",
          { NET "ifcfg-br0", "BRIDGE=yes\nBRIDGE_STP=maybe\nBRIDGE_FORWARDDELAY=31\nSTARTMODE=auto\n", NULL },
          -EINVAL, {}, "bridges:", BG_DIAG_ERROR, "BRIDGE_STP", "'maybe' is not on or off", 2 },
};

Test(suse, cases) {
        run_cases(cases, sizeof(cases) / sizeof(cases[0]), BG_LEGACY_SUSE);
}

/* etc/sysconfig/network as a directory means SUSE; as a file, Red Hat. */
Test(suse, detected) {
        const char *const files[] = { B0, HDR "BONDING_MODULE_OPTS='miimon=100'\n", NULL };
        struct tree t;

        tree_read_from(&t, files, 0);
        cr_expect_eq(bg_legacy_detect(t.root), BG_LEGACY_SUSE);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(t.m.n_bonds, 1);
        tree_free(&t);
}
