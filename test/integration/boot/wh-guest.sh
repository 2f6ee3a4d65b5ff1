#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs in the guest of vm-whole-host.sh once bondgen has brought the host
# up (a unit after bondgen-apply.service in the systemd initrd, an
# init-premount script after bondgen's in initramfs-tools). It changes
# nothing: it waits for the DHCP lease on vlan200, pings every network's
# peer from the guest (so that the guest itself sends an ARP request on
# each network, which a peer of another network would answer and learn if
# it leaked there), and prints what the host checks, each line starting
# "bgtest: ". Network and Cases: vm-whole-host.sh's header.
# bondgen where the build installs it (/usr/local/sbin by default)
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
say() { echo "bgtest: $*"; }
i=0
while [ $i -lt 240 ]; do
        case "$(ip -4 -o addr show dev vlan200 2>/dev/null)" in
        *" inet "*) break ;;
        esac
        sleep 0.5
        i=$((i + 1))
done
say "lease after $((i / 2)) s"
for p in 10.10.0.2 10.100.0.2 10.200.0.1 10.30.0.2; do
        r=failed
        for t in 1 2 3 4 5; do
                if ping -c 1 -W 2 "$p" >/dev/null 2>&1; then r=ok; break; fi
        done
        say "ping $p $r"
done
ip -4 -o addr show | while read -r _ dev _ a _; do say "addr $dev $a"; done
bondgen status bond0 2>&1 | while IFS= read -r l; do say "status: $l"; done
say "done"
