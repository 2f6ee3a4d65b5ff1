#!/bin/sh
# Inside the VM: the kernel's 802.3ad bond against bondgend on the host
# (the VM's two NICs are bondgend's ports). Both LACP actors must reach
# collecting+distributing: ours is the actor state, bondgend's the partner
# state in /proc/net/bonding/bond0.
# Network: vm-lacp.sh's header. Cases (result names in brackets):
#  802.3ad up    apply ad.yaml: mode, lacp_rate, ports; both sides
#                collecting+distributing, one aggregator with both ports,
#                partner known, ping to bondgend's address [ad-apply ad-mode
#                ad-lacp-rate ad-slaves ad-both-sides-collecting-distributing
#                ad-one-aggregator ad-aggregator-has-both-ports
#                ad-partner-known ad-ping-bondgend]
#  status        bondgen status of the kernel bond: "LACP health: ok: 2
#                ports", partner flags in words on both ports, LACPDU RX/TX
#                non-zero and RX illegal 0 on both, --json health and
#                actor state [status-*]
#  metrics       both ports: LACPDUs received, distributing 1 [metrics-*]
#  port lost     the host pulls n1 (after BGVM-REQUEST host-check): eth1
#                carrier 0, ping over eth0 alone still passes
#                [ad-port-lost ad-ping-after-port-loss]
PEER=10.77.0.2
. /bgvm/lib.sh

# "eth0 63 61" per port: actor and partner port state from /proc
port_states() {
        awk '/^Slave Interface:/ { s = $3 }
             /details actor lacp pdu:/ { w = "a" }
             /details partner lacp pdu:/ { w = "p" }
             /port state:/ { st[s, w] = $3 }
             END { for (k in st) { split(k, x, SUBSEP); if (x[2] == "a") print x[1], st[x[1], "a"], st[x[1], "p"] } }' \
                /proc/net/bonding/bond0 | sort
}
both_cd() {  # collecting (0x10) and distributing (0x20) on both sides of both ports
        n=0
        for st in $(port_states | awk '{ print $2; print $3 }'); do
                [ $(( st & 48 )) = 48 ] && n=$((n + 1))
        done
        [ $n = 4 ]
}

echo "BGVM-PLAN 18"
bondgen apply -c /bgvm/ad.yaml >/tmp/ad.out 2>&1; rc=$?
sed 's/^/  | /' /tmp/ad.out
result ad-apply $rc "see output above"
check_eq ad-mode "$(sysb mode)" "802.3ad 4"
check_eq ad-lacp-rate "$(sysb lacp_rate)" "fast 1"
check_eq ad-slaves "$(sysb slaves)" "eth0 eth1"

t=0
while [ $t -lt 150 ] && ! both_cd; do sleep 0.2; t=$((t + 1)); done
echo "BGVM-TIME lacp-converged-after-ms $((t * 200))"
both_cd; result ad-both-sides-collecting-distributing $? "$(port_states; cat /proc/net/bonding/bond0)"
check_eq ad-one-aggregator "$(grep '^Aggregator ID:' /proc/net/bonding/bond0 | sort -u | wc -l)" "1"
grep -A6 '^Active Aggregator Info:' /proc/net/bonding/bond0 | grep -q 'Number of ports: 2'
result ad-aggregator-has-both-ports $? "$(cat /proc/net/bonding/bond0)"
grep -A6 '^Active Aggregator Info:' /proc/net/bonding/bond0 | grep 'Partner Mac Address:' | grep -qv '00:00:00:00:00:00'
result ad-partner-known $? "$(grep -A6 '^Active Aggregator Info:' /proc/net/bonding/bond0)"
ping_ok $PEER; result ad-ping-bondgend $? "no answer from bondgend's bond at $PEER"
# bondgen status of the kernel bond: /proc/net/bonding plus the state bits
# in words and the likely-cause line; the same in JSON; metrics
bondgen status bond0 >/tmp/st.out; result status-kernel-bond $? "$(cat /tmp/st.out)"
sed 's/^/  | /' /tmp/st.out
grep -q '^LACP health: ok: 2 ports collecting and distributing in aggregator' /tmp/st.out
result status-lacp-health-ok $? "$(grep 'LACP health' /tmp/st.out)"
check_eq status-partner-flags "$(grep -c '^LACP partner flags: active, short timeout, aggregatable, in sync, collecting, distributing$' /tmp/st.out)" 2
# the kernel's per-port LACPDU counters (RTM_GETSTATS, bond_slave xstats):
# both ports have received and sent LACPDUs by now (fast rate: one a second)
check_eq status-lacpdu-counters "$(awk -F': ' '/^LACPDU RX: [1-9]/ { rx++ } /^LACPDU TX: [1-9]/ { tx++ } /^LACPDU RX illegal: 0$/ { ok++ } END { print rx + 0, tx + 0, ok + 0 }' /tmp/st.out)" "2 2 2"
bondgen status bond0 --json >/tmp/st.json
grep -q '"lacp_health":"ok: 2 ports' /tmp/st.json && grep -q '"actor_port_state":' /tmp/st.json
result status-json $? "$(cat /tmp/st.json)"
echo "BGVM-STATUSJSON $(cat /tmp/st.json)"
bondgen metrics >/tmp/m.om
check_eq metrics-lacpdu "$(grep -c '^bondgen_port_lacpdu_received_total{bond="bond0",port="eth[01]"} [1-9]' /tmp/m.om)" 2
check_eq metrics-lacp-distributing "$(grep -c '^bondgen_port_lacp_distributing{bond="bond0",port="eth[01]"} 1$' /tmp/m.om)" 2
echo "BGVM-REQUEST host-check"
# The host checks bondgend's side, then pulls eth1's cable: traffic must
# keep flowing over eth0 alone.
t=0
while [ $t -lt 300 ] && [ "$(cat /sys/class/net/eth1/carrier)" != 0 ]; do sleep 0.2; t=$((t + 1)); done
check_eq ad-port-lost "$(cat /sys/class/net/eth1/carrier)" 0
ping_ok $PEER; result ad-ping-after-port-loss $? "no answer from $PEER with eth0 alone"
echo "BGVM-FAILED $n_fail"
[ $n_fail = 0 ]
