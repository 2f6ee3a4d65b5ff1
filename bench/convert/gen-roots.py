#!/usr/bin/env python3
# Generate N synthetic CentOS/RHEL host roots for the convert benchmark:
# each has 2 bonds with 4 ports (ifcfg files, BONDING_OPTS on one, modprobe
# options on the other, a route file, sysconfig/network, rc.local).
# Usage: gen-roots.py OUTDIR [N=10000]
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
ns = "etc/sysconfig/network-scripts"


def w(path, text):
    with open(path, "w") as f:
        f.write(text)


for h in range(n):
    root = os.path.join(out, "host-%05d" % h)
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
