#!/bin/bash
# bondgend balance-xor (layer3+4) against a static Open vSwitch bond (topo_ovs 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Open vSwitch br-sw (netdev),
#          h0 ───────────── veth ───────────── t0 ─┐  static bond0 (balance-slb),
#          h1 ───────────── veth ───────────── t1 ─┴─ PEER/24 on br-sw
# Cases:
#  traffic   ping and TCP (over 50 Mbit/s) through the bond; status shows
#            the layer3+4 hash policy
#  formula   each of six UDP flows (200 datagrams) stays on the port the
#            kernel's formula picks, at most 5 frames on the other
#            (bond_main.c:__bond_xmit_hash(), computed here in Python)
#  spread    the six flows use both ports
#  failover  t0 goes down under a 1000/s ping stream: longest gap 250 ms
#            (the loss is reported, not bounded)
. "$(dirname "$0")/lib.sh"
require ip ping iperf3 python3 ovs-vsctl ovs-vswitchd ovsdb-server ovsdb-tool ethtool
PEER=10.203.3.1 ADDR=10.203.3.2 B=bgfxor$$
B=${B:0:15}
topo_ovs 2
write_config $TMP/x.yaml $B balance-xor "h0 h1" "miimon: 100" "xmit_hash_policy: layer3+4"
start_bondgend $TMP/x.yaml $B
# OVS's balance-slb takes broadcasts only on its active member, unlike a
# switch's static LAG; the bond's ARP request leaves on the port the layer2
# fallback hash picks for its random MAC, so half the runs would never
# resolve. Pin the neighbours both ways: every frame below is unicast.
bmac=$(ip -n $H -br link show $B | awk '{print $3}')
smac=$(ip -n $S -br link show br-sw | awk '{print $3}')
ip -n $S neigh replace $ADDR lladdr $bmac dev br-sw nud permanent
ip -n $H neigh replace $PEER lladdr $smac dev $B nud permanent
wait_until 5 reaches $H $PEER
ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > /dev/null 2>&1 || ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > $TMP/ping.log || fail "ping through the bond"
ok "ping through $B"
st $B | grep -q "^Transmit Hash Policy: layer3+4 (1)" || fail "status shows no hash policy"

iperf3_server $S
bps=$(ip netns exec $H iperf3 -c $PEER -t 2 -J | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))') ||
        fail "iperf3 TCP"
[ "$bps" -gt 50000000 ] || fail "TCP only $bps bit/s"
ok "TCP $((bps / 1000000)) Mbit/s"

# the kernel's layer3+4 formula, independently: native-endian (little) loads
expect() {
        python3 - "$ADDR" "$PEER" "$1" 9 <<'PY'
import socket, struct, sys
s, d = (struct.unpack("<I", socket.inet_aton(a))[0] for a in sys.argv[1:3])
ports = struct.unpack("<I", struct.pack(">HH", int(sys.argv[3]), int(sys.argv[4])))[0]
h = ports ^ s ^ d
h ^= h >> 16; h ^= h >> 8; h >>= 1
print(h % 2)
PY
}
seen=""
for sport in 40000 40001 40002 40003 40004 40005; do
        want=h$(expect $sport)
        a0=$(port_stat $B h0 "TX Packets"); a1=$(port_stat $B h1 "TX Packets")
        ip netns exec $H python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$ADDR', $sport))
for i in range(200):
    s.sendto(b'x' * 18, ('$PEER', 9)); time.sleep(0.0005)
" || fail "UDP sender"
        d0=$(($(port_stat $B h0 "TX Packets") - a0)); d1=$(($(port_stat $B h1 "TX Packets") - a1))
        if [ $want = h0 ]; then got=$d0 other=$d1; else got=$d1 other=$d0; fi
        log "flow $ADDR:$sport -> $PEER:9: formula says $want; h0 sent $d0, h1 sent $d1"
        [ $got -ge 200 ] || fail "flow $sport not on $want"
        [ $other -le 5 ] || fail "flow $sport leaked $other frames to the other port"
        seen="$seen $want"
done
echo "$seen" | grep -q h0 && echo "$seen" | grep -q h1 || fail "all flows on one port:$seen"
ok "every flow on the port of the kernel's formula, flows spread:$seen"

ping_bg $H $PEER 3000 0.001 $TMP/fo.log
sleep 1         # the stream runs for a second before the failure (timed)
ip -n $S link set t0 down
wait $PING_PID
read gap lost < <(gap_of $TMP/fo.log 3000)
log "h0 failed: longest gap $gap ms, $lost of 3000 lost"
[ "$gap" -le 250 ] || fail "gap $gap ms"
ok "failover (gap $gap ms, lost $lost)"
ip -n $S link set t0 up
stop_bondgend
exit 0
