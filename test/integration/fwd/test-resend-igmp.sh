#!/bin/bash
# bondgend resend_igmp in active-backup against a Linux bridge (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# A process on H joins 239.1.2.3 and ff05::1:3 on the bond.
# Cases:
#  failover   h0's partner goes down: on h1, the new active port, exactly
#             resend_igmp (3) IGMPv2 reports for 239.1.2.3 and exactly 3
#             MLDv2 reports (is_ex ff05::1:3), as the kernel's
#             bond_resend_igmp_join_requests_delayed() has the host send
#             them, their rounds at least 150 ms apart (the kernel's
#             200 ms, HZ/5); the host stack's own reports (IGMPv3 / to_ex)
#             are not counted
. "$(dirname "$0")/lib.sh"
require ip ping tcpdump python3
PEER=10.203.9.1 ADDR=10.203.9.2 B=bgfig$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/m.yaml $B active-backup "h0 h1" "miimon: 50" "resend_igmp: 3"
start_bondgend $TMP/m.yaml $B
wait_until 3 active_is $B h0 || fail "h0 not active: $(active_of $B)"
ip netns exec $H python3 -c "
import socket, struct, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('239.1.2.3') + socket.inet_aton('$ADDR'))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
              socket.inet_pton(socket.AF_INET6, 'ff05::1:3') + struct.pack('@I', socket.if_nametoindex('$B')))
print('joined', flush=True)
time.sleep(60)
" > $TMP/join.log 2>&1 & PIDS+=($!)
joined() { grep -q joined $TMP/join.log && grep -q "$B" <(ip netns exec $H cat /proc/net/igmp) &&
           ip netns exec $H grep -q "$B.*ff050000000000000000000000010003" /proc/net/igmp6; }
wait_until 5 joined || fail "the groups were not joined: $(cat $TMP/join.log)"

ip netns exec $S tcpdump -i t1 -Q in -nn -v -l 'igmp or ether dst 33:33:00:00:00:16' > $TMP/t1.log 2>$TMP/t1.err & PIDS+=($!)
wait_until 5 capturing $TMP/t1.err || fail "tcpdump did not start"
ip -n $S link set t0 down
wait_until 3 active_is $B h1 || fail "no failover to h1: $(active_of $B)"
v2() { grep -c "igmp v2 report 239.1.2.3" $TMP/t1.log; }
isex() { grep -c "is_ex ff05::1:3\|gaddr ff05::1:3 is_ex" $TMP/t1.log; }
three() { [ "$(v2)" -ge 3 ] && [ "$(isex)" -ge 3 ]; }
wait_until 3 three || fail "reports on h1 after failover: $(v2) IGMPv2, $(isex) MLDv2 is_ex (want 3 each): $(cat $TMP/t1.log)"
sleep 1   # measured window: no fourth round may follow
[ "$(v2)" = 3 ] || fail "$(v2) IGMPv2 reports, want exactly resend_igmp=3"
[ "$(isex)" = 3 ] || fail "$(isex) MLDv2 reports, want exactly 3"
# spacing of the rounds: the kernel's 200 ms (HZ/5); never sooner
gaps=$(grep -B1 "igmp v2 report 239.1.2.3" $TMP/t1.log | grep -o '^[0-9:.]*' | python3 -c "
import sys
t = [sum(float(x) * m for x, m in zip(l.strip().split(':'), (3600, 60, 1))) for l in sys.stdin if l.strip()]
print(' '.join('%d' % round((b - a) * 1000) for a, b in zip(t, t[1:])))")
for g in $gaps; do [ "$g" -ge 150 ] || fail "rounds $gaps ms apart, want 200"; done
ok "failover to h1: 3 IGMPv2 reports for 239.1.2.3 and 3 MLDv2 reports for ff05::1:3 on h1, $gaps ms apart"
