#!/bin/bash
# bondgend broadcast against a Linux bridge (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  traffic     ping through the bond (duplicate replies expected from a
#              bridge partner) and TCP (over 10 Mbit/s)
#  every port  100 echo requests leave on both ports, the same count on
#              each (the bridge delivers duplicates, as it would for a
#              kernel bond)
#  failover    t0 goes down under a 1000/s ping stream: longest gap 100 ms
. "$(dirname "$0")/lib.sh"
require ip ping iperf3 python3
PEER=10.203.4.1 ADDR=10.203.4.2 B=bgfbc$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/b.yaml $B broadcast "h0 h1" "miimon: 100"
start_bondgend $TMP/b.yaml $B
ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > $TMP/ping.log || fail "ping through the bond"
ok "ping through $B ($(grep -c DUP $TMP/ping.log) duplicate replies, expected with a bridge partner)"

# Both ports' counters from one status answer: bondgend serves it on the
# loop that sends, so it never falls between a frame's two copies, while
# two answers could straddle a frame of the host's own (an IPv6 router
# solicitation, an MLD report).
tx_pair() { st $B | awk '/^Slave Interface: /{p=$3} /^TX Packets: /{c[p]=$NF} END{print c["h0"], c["h1"]}'; }
read -r a0 a1 < <(tx_pair)
ip netns exec $H ping -n -q -c 100 -i 0.005 $PEER > /dev/null
read -r b0 b1 < <(tx_pair)
d0=$((b0 - a0)); d1=$((b1 - a1))
log "100 echo requests: h0 sent $d0, h1 sent $d1"
[ $d0 -ge 100 ] && [ $d1 -ge 100 ] || fail "not every frame on every port"
[ $d0 -eq $d1 ] || fail "ports sent different counts: $d0 / $d1"
ok "every frame on every port"

iperf3_server $S
bps=$(ip netns exec $H iperf3 -c $PEER -t 2 -J | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))') ||
        fail "iperf3 TCP"
[ "$bps" -gt 10000000 ] || fail "TCP only $bps bit/s"
ok "TCP $((bps / 1000000)) Mbit/s"

ping_bg $H $PEER 2000 0.001 $TMP/fo.log
sleep 0.8       # the stream runs before the failure (timed)
ip -n $S link set t0 down
wait $PING_PID
read gap lost < <(gap_of $TMP/fo.log 2000)
log "h0 failed: longest gap $gap ms, $lost of 2000 lost"
[ "$gap" -le 100 ] || fail "gap $gap ms"
ok "a failed port costs nothing (gap $gap ms)"
stop_bondgend
exit 0
