#!/usr/bin/env python3
# Generate N synthetic CentOS/RHEL host roots for the convert benchmark:
# each has 2 bonds with 4 ports (ifcfg files, BONDING_OPTS on one, modprobe
# options on the other, a route file, sysconfig/network, rc.local).
# With FLAVOR debian or suse the same two bonds are written as a Debian
# etc/network/interfaces (+ interfaces.d) or SUSE sysconfig/network tree.
# Usage: gen-roots.py OUTDIR [N=10000] [FLAVOR=rh]
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
flavor = sys.argv[3] if len(sys.argv) > 3 else "rh"
ns = "etc/sysconfig/network-scripts"


def w(path, text):
    with open(path, "w") as f:
        f.write(text)


def debian(root, h, a, b):
    os.makedirs(os.path.join(root, "etc/network/interfaces.d"), exist_ok=True)
    w(os.path.join(root, "etc/network/interfaces"),
      "# generated\nauto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n")
    ports = "".join("iface eth%d inet manual\n    bond-master bond%d\n" % (p, p // 4) for p in range(8))
    w(os.path.join(root, "etc/network/interfaces.d/bonds"),
      "auto bond0\niface bond0 inet static\n    address 10.%d.%d.10/24\n    gateway 10.%d.%d.254\n"
      "    dns-nameservers 10.%d.%d.53\n    bond-slaves eth0 eth1 eth2 eth3\n    bond-mode active-backup\n"
      "    bond-miimon 100\n    bond-primary eth1\n\n"
      "auto bond1\niface bond1 inet static\n    address 172.16.%d.%d/16\n    mtu 9000\n"
      "    bond-slaves none\n    bond-mode 802.3ad\n    bond-miimon 100\n    bond-lacp-rate fast\n"
      "    up ip route add 10.200.0.0/16 via 172.16.%d.1\n"
      "iface bond1 inet6 static\n    address 2001:db8:%x::%x/64\n\n%s"
      % (a, b, a, b, a, b, a, b, a, h, b, ports.replace("bond-master bond0\n", "bond-master bond0\n", 1)))


def suse(root, h, a, b):
    d = os.path.join(root, "etc/sysconfig/network")
    os.makedirs(d, exist_ok=True)
    w(os.path.join(d, "ifcfg-bond0"),
      "STARTMODE='auto'\nBOOTPROTO='static'\nIPADDR='10.%d.%d.10/24'\nBONDING_MASTER='yes'\n"
      "BONDING_MODULE_OPTS='mode=active-backup miimon=100 primary=eth1'\n"
      "BONDING_SLAVE0='eth0'\nBONDING_SLAVE1='eth1'\nBONDING_SLAVE2='eth2'\nBONDING_SLAVE3='eth3'\n" % (a, b))
    w(os.path.join(d, "ifcfg-bond1"),
      "STARTMODE='auto'\nBOOTPROTO='static'\nIPADDR='172.16.%d.%d'\nNETMASK='255.255.0.0'\n"
      "IPADDR_6='2001:db8:%x::%x/64'\nMTU='9000'\nBONDING_MASTER='yes'\n"
      "BONDING_MODULE_OPTS='mode=802.3ad miimon=100 lacp_rate=fast'\n"
      "BONDING_SLAVE0='eth4'\nBONDING_SLAVE1='eth5'\nBONDING_SLAVE2='eth6'\nBONDING_SLAVE3='eth7'\n" % (a, b, h, b))
    for p in range(8):
        w(os.path.join(d, "ifcfg-eth%d" % p), "STARTMODE='hotplug'\nBOOTPROTO='none'\n")
    w(os.path.join(d, "routes"), "default 10.%d.%d.254 - -\n" % (a, b))
    w(os.path.join(d, "ifroute-bond1"), "10.200.0.0/16 172.16.%d.1 - -\n" % a)


for h in range(n):
    root = os.path.join(out, "host-%05d" % h)
    if flavor != "rh":
        (debian if flavor == "debian" else suse)(root, h, h // 250, h % 250 + 1)
        continue
    os.makedirs(os.path.join(root, ns), exist_ok=True)
    os.makedirs(os.path.join(root, "etc/rc.d"), exist_ok=True)
    a, b = h // 250, h % 250 + 1
    w(os.path.join(root, "etc/sysconfig/network"),
      "NETWORKING=yes\nHOSTNAME=host%05d.example.com\nGATEWAY=10.%d.%d.254\n" % (h, a, b))
    w(os.path.join(root, "etc/modprobe.conf"),
      "alias eth0 e1000e\nalias bond0 bonding\nalias bond1 bonding\n"
      "options bonding max_bonds=0\noptions bond1 mode=802.3ad miimon=100 lacp_rate=fast\n")
    w(os.path.join(root, ns, "ifcfg-bond0"),
      'DEVICE=bond0\nNAME="System bond0"\nTYPE=Bond\nBONDING_MASTER=yes\n'
      'BONDING_OPTS="mode=active-backup miimon=100 primary=eth1"\nBOOTPROTO=none\nONBOOT=yes\n'
      "IPADDR=10.%d.%d.10\nPREFIX=24\nDNS1=10.%d.%d.53\nNM_CONTROLLED=no\nUSERCTL=no\n" % (a, b, a, b))
    w(os.path.join(root, ns, "ifcfg-bond1"),
      "DEVICE=bond1\nBOOTPROTO=static\nONBOOT=yes\nIPADDR=172.16.%d.%d\nNETMASK=255.255.0.0\n"
      "IPV6INIT=yes\nIPV6ADDR=2001:db8:%x::%x/64\nMTU=9000\n" % (a, b, h, b))
    w(os.path.join(root, ns, "route-bond1"),
      "ADDRESS0=10.200.0.0\nNETMASK0=255.255.0.0\nGATEWAY0=172.16.%d.1\n" % a)
    for p in range(8):
        w(os.path.join(root, ns, "ifcfg-eth%d" % p),
          "DEVICE=eth%d\nHWADDR=52:54:00:%02x:%02x:%02x\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=none\n"
          "MASTER=bond%d\nSLAVE=yes\nNM_CONTROLLED=no\n" % (p, (h >> 8) & 255, h & 255, p, p // 4))
    w(os.path.join(root, "etc/rc.d/rc.local"),
      "#!/bin/sh\ntouch /var/lock/subsys/local\nifenslave bond1 eth4 eth5 eth6 eth7\n")
