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
#  socket drops the ports' packet-socket drop counter ("RX Socket Dropped",
#              bondgen_port_receive_socket_dropped_total): 0 on both ports
#              after quiet traffic; with bondgend stopped (SIGSTOP), 60,000
#              frames sent to h0 overflow its socket's receive buffer: once
#              bondgend runs again, the frames it read plus the drops it
#              reports are what h0 received (+-5), the drops are more
#              than 0 and stay put in a second status and in the metrics
#              (the kernel resets the counter on each read: bondgend adds)
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

for p in h0 h1; do
        d=$(port_stat $B $p "RX Socket Dropped")
        [ "$d" = 0 ] || fail "$p: RX Socket Dropped '$d' after quiet traffic"
done
ok "no socket drops after quiet traffic"

# The flood: 60,000 frames (flood_port) sent on t0 so that only h0
# receives them. The port socket's receive buffer is 16 MB (SO_RCVBUFFORCE
# 8 MB, doubled by the kernel), some 20,000 such frames.
stopped() { [ "$(awk '{print $3}' /proc/$BPID/stat)" = T ]; }
r0=$(port_stat $B h0 "RX Packets"); l0=$(link_stat $H h0 rx)
kill -STOP $BPID
wait_until 5 stopped || { kill -CONT $BPID; fail "bondgend did not stop"; }
flood_port $S t0 60000 || { kill -CONT $BPID; fail "flood"; }
kill -CONT $BPID
# drained: RX Packets no longer moves
settled() {
        local a b
        a=$(port_stat $B h0 "RX Packets"); sleep 0.3; b=$(port_stat $B h0 "RX Packets")
        [ "$a" = "$b" ]
}
wait_until 20 settled || fail "bondgend did not read the queued frames"
r1=$(port_stat $B h0 "RX Packets"); l1=$(link_stat $H h0 rx)
d=$(port_stat $B h0 "RX Socket Dropped")
log "h0 received $((l1 - l0)); bondgend read $((r1 - r0)), the socket dropped $d"
[ "$d" -gt 0 ] || fail "no socket drops after 60,000 frames to a stopped bondgend"
# within the few frames of the host's own (an IPv6 router solicitation
# reflected by the bridge) that can fall between the two counters' reads
sum=$((r1 - r0 + d)) got=$((l1 - l0))
[ $sum -ge $((got - 5)) ] && [ $sum -le $((got + 5)) ] || fail "read $((r1 - r0)) + dropped $d != received $got"
[ "$(port_stat $B h0 "RX Socket Dropped")" = "$d" ] || fail "drops changed on a second read (not accumulated?)"
[ "$(port_stat $B h1 "RX Socket Dropped")" = 0 ] || fail "h1 counted socket drops"
"$BONDGEN" metrics > $TMP/m.om || fail "bondgen metrics"
grep -qx "bondgen_port_receive_socket_dropped_total{bond=\"$B\",port=\"h0\"} $d" $TMP/m.om ||
        fail "metrics: $(grep socket_dropped $TMP/m.om)"
ok "socket drops counted: $d of 60000, in status and metrics"

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
