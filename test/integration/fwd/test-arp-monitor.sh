#!/bin/bash
# bondgend's ARP monitor (arp_interval, arp_ip_target, arp_validate all)
# in active-backup against a Linux bridge (topo_bridge 2); the target is PEER:
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  probing     status shows the ARP interval and target; ARP requests for
#              the target reach the switch (seen on t0); the bond is up
#              and a ping passes
#  no replies  the target's address goes away: the bond's MII status down
#              within 3 s, the bond device without carrier
#  recovery    the target answers again: bond up, ping passes
. "$(dirname "$0")/lib.sh"
require ip ping tcpdump python3
PEER=10.203.5.1 ADDR=10.203.5.2 B=bgfarp$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/a.yaml $B active-backup "h0 h1" "arp_interval: 100" "arp_ip_target: [$PEER]" "arp_validate: all"
start_bondgend $TMP/a.yaml $B
st $B | grep -q "^ARP Polling Interval (ms): 100" || fail "status lacks the ARP monitor: $(st $B | head -12)"
st $B | grep -q "^ARP IP target/s (n.n.n.n form): $PEER" || fail "status lacks the target"
ip netns exec $S tcpdump -i t0 -nn -l arp > $TMP/probes.log 2>$TMP/probes.err & PIDS+=($!)
wait_until 5 capturing $TMP/probes.err || fail "tcpdump did not start"
probed() { grep -q "Request who-has $PEER" $TMP/probes.log; }
wait_until 3 probed
wait_until 3 bond_mii_is $B up
ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > /dev/null || fail "ping through the bond"
grep -q "Request who-has $PEER" $TMP/probes.log || fail "no ARP probes for the target"
[ "$(st $B | sed -n 's/^MII Status: //p' | head -1)" = up ] || fail "bond not up with the target answering"
ok "ARP probes for $PEER; bond up"

# the target stops answering: its address goes away
ip -n $S addr del $PEER/24 dev br0
wait_until 3 bond_mii_is $B down || fail "bond still up without ARP replies: $(st $B | grep -E 'MII|Active')"
ip -n $H link show $B | grep -q NO-CARRIER || fail "bond device still has carrier"
ok "no replies: ports down, bond without carrier"

ip -n $S addr add $PEER/24 dev br0
wait_until 3 bond_mii_is $B up || fail "bond not back after the target returned"
ip netns exec $H ping -n -c 2 -i 0.2 -W 2 $PEER > /dev/null || fail "ping after recovery"
ok "target answers again: bond up"
stop_bondgend
exit 0
