#!/bin/bash
# bondgend balance-rr against a static Open vSwitch bond (topo_ovs 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Open vSwitch br-sw (netdev),
#          h0 ───────────── veth ───────────── t0 ─┐  static bond0 (balance-slb),
#          h1 ───────────── veth ───────────── t1 ─┴─ PEER/24 on br-sw
# Cases:
#  traffic   ping and TCP (over 50 Mbit/s) through the bond
#  spread    400 echo requests split over h0 and h1, at least 160 on each
#  failover  t0 goes down under a 1000/s ping stream: longest gap 250 ms,
#            at most 300 of 3000 lost; then h0 sends nothing more
. "$(dirname "$0")/lib.sh"
require ip ping iperf3 python3 ovs-vsctl ovs-vswitchd ovsdb-server ovsdb-tool ethtool
PEER=10.203.2.1 ADDR=10.203.2.2 B=bgfrr$$
B=${B:0:15}
topo_ovs 2
write_config $TMP/rr.yaml $B balance-rr "h0 h1" "miimon: 100"
start_bondgend $TMP/rr.yaml $B
# OVS's balance-slb takes broadcasts only on its active member, unlike a
# switch's static LAG; which port carries the bond's ARP request depends on
# the round-robin position, so resolution could fail. Pin the neighbours
# both ways: every frame below is unicast.
bmac=$(ip -n $H -br link show $B | awk '{print $3}')
smac=$(ip -n $S -br link show br-sw | awk '{print $3}')
ip -n $S neigh replace $ADDR lladdr $bmac dev br-sw nud permanent
ip -n $H neigh replace $PEER lladdr $smac dev $B nud permanent
wait_until 5 reaches $H $PEER
ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > $TMP/ping.log 2>&1 || ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > $TMP/ping.log || fail "ping through the bond"
ok "ping through $B"

iperf3_server $S
bps=$(ip netns exec $H iperf3 -c $PEER -t 2 -J | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))') ||
        fail "iperf3 TCP"
[ "$bps" -gt 50000000 ] || fail "TCP only $bps bit/s"
ok "TCP $((bps / 1000000)) Mbit/s"

a0=$(port_stat $B h0 "TX Packets"); a1=$(port_stat $B h1 "TX Packets")
ip netns exec $H ping -n -q -c 400 -i 0.002 $PEER > /dev/null || fail "ping burst"
d0=$(($(port_stat $B h0 "TX Packets") - a0)); d1=$(($(port_stat $B h1 "TX Packets") - a1))
log "400 echo requests: h0 sent $d0, h1 sent $d1"
[ $((d0 + d1)) -ge 400 ] || fail "frames missing"
[ $d0 -ge 160 ] && [ $d1 -ge 160 ] || fail "round-robin is not even: $d0 / $d1"
ok "round-robin spreads evenly ($d0 / $d1)"

ping_bg $H $PEER 3000 0.001 $TMP/fo.log
sleep 1         # the stream runs for a second before the failure (timed)
ip -n $S link set t0 down
wait $PING_PID
read gap lost < <(gap_of $TMP/fo.log 3000)
log "h0 failed: longest gap $gap ms, $lost of 3000 lost"
[ "$gap" -le 250 ] || fail "gap $gap ms"
[ "$lost" -le 300 ] || fail "lost $lost"
b1=$(port_stat $B h1 "TX Packets"); b0=$(port_stat $B h0 "TX Packets")
ip netns exec $H ping -n -q -c 50 -i 0.005 $PEER > /dev/null || fail "ping with one port"
[ "$(port_stat $B h0 "TX Packets")" = "$b0" ] || fail "frames still sent on the failed port"
ok "a failed port is skipped (gap $gap ms, lost $lost)"
ip -n $S link set t0 up
stop_bondgend
exit 0
