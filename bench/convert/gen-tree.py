#!/usr/bin/env python3
# One host root with N bonds of 2 ports each (3 ifcfg files per bond): the
# shape that shows whether `bondgen convert` is linear in the number of files.
# Usage: gen-tree.py OUTDIR N
import os
import sys

out, n = sys.argv[1], int(sys.argv[2])
ns = os.path.join(out, "etc/sysconfig/network-scripts")
os.makedirs(ns, exist_ok=True)
for b in range(n):
    with open(os.path.join(ns, "ifcfg-bond%d" % b), "w") as f:
        f.write('DEVICE=bond%d\nTYPE=Bond\nBONDING_MASTER=yes\nBONDING_OPTS="mode=802.3ad miimon=100"\n'
                "BOOTPROTO=none\nONBOOT=yes\nIPADDR=10.%d.%d.1\nPREFIX=24\n" % (b, b // 250, b % 250))
    for p in range(2):
        with open(os.path.join(ns, "ifcfg-eth%d" % (2 * b + p)), "w") as f:
            f.write("DEVICE=eth%d\nMASTER=bond%d\nSLAVE=yes\nONBOOT=yes\nBOOTPROTO=none\n" % (2 * b + p, b))
