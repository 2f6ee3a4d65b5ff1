#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# balance-alb and balance-tlb: bondgend with two ports into a Linux
# bridge "switch" with four client namespaces behind it, fresh for each
# mode (BOND is bgla for alb, bglt for tlb):
#   ns H: bondgend BOND = {h0, h1}     ns S: Linux bridge br0     ns c1..c4
#         BOND_IP/24 (10.203.3.1)
#         h0 ───────── veth ───────── s0 ─┐       ┌─ c1 ── veth ── eth0 10.203.3.11/24
#         h1 ───────── veth ───────── s1 ─┴─ br0 ─┼─ ...
#                                                 └─ c4 ── veth ── eth0 10.203.3.14/24
# Cases:
#  alb spread    every client reaches the bond; the clients' ARP entries
#                for the bond hold at least two different MACs (our ARP
#                replies), so their pings arrive on both ports (at least
#                15 frames each); status counts RLB clients
#  alb failover  s1 down: every client still reaches the bond
#  tlb spread    after the 10 s rebalance, the bond's pings to the four
#                clients leave on both ports (at least 20 frames each in a
#                1.5 s window); status shows a TLB load
#  tlb failover  s1 down: the bond still reaches every client
. "$(dirname "$0")/lib.sh"
bgl_init
[ -x /usr/bin/python3 ] || skip "python3 missing"

H=$P-host
S=$P-sw
NCLI=4
BOND_IP=10.203.3.1

setup() {
        bgl_ns $H
        bgl_ns $S
        ip -n $S link add br0 type bridge || fail "bridge"
        ip -n $S link set br0 up
        for i in 0 1; do
                bgl_veth $H h$i $S s$i
                ip -n $S link set s$i master br0
        done
        for c in $(seq $NCLI); do
                bgl_ns $P-c$c
                bgl_veth $P-c$c eth0 $S c$c
                ip -n $S link set c$c master br0
                ip -n $P-c$c addr add 10.203.3.$((10 + c))/24 dev eth0
        done
}

teardown() {
        bgl_cleanup
        PIDS=() NSS=() OVS_DIRS=() BONDS=()
        RUN=$(mktemp -d /tmp/bgl.XXXXXX)
}

carrier_up() { bgl_status "$1" | grep -q '^MII Status: up'; }

# the MAC client C has for the bond's address
client_mac() {
        ip -n $P-c$1 neigh show $BOND_IP | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

all_clients_ping() {
        local c
        for c in $(seq $NCLI); do
                ip netns exec $P-c$c ping -c 1 -W 1 $BOND_IP >/dev/null || return 1
        done
}

# ---------------------------------------------------------------- alb
setup
bgl_bond $H bgla balance-alb "h0 h1" $BOND_IP/24 ""
bgl_wait 5 carrier_up bgla || fail "alb bond has no carrier"
bgl_wait 5 all_clients_ping || fail "alb: not every client reaches the bond"
# the clients were answered from different ports
macs=$(for c in $(seq $NCLI); do client_mac $c; done | sort -u)
log "alb: client ARP entries for the bond: $(echo $macs)"
[ "$(echo "$macs" | wc -l)" -ge 2 ] || fail "alb: every client got the same MAC: $macs"
rx0=$(rxp $H h0) rx1=$(rxp $H h1)
pp=()
for c in $(seq $NCLI); do
        ip netns exec $P-c$c ping -c 20 -i 0.01 -W 1 -q $BOND_IP >/dev/null &
        pp+=($!)
done
wait "${pp[@]}"
drx0=$(( $(rxp $H h0) - rx0 )) drx1=$(( $(rxp $H h1) - rx1 ))
log "alb: received on h0 $drx0, on h1 $drx1"
# each port at least one client's share (20 pings, a few lost): the
# clients are spread over the ports, not necessarily evenly
[ $drx0 -ge 15 ] && [ $drx1 -ge 15 ] || fail "alb: receive not spread over both ports ($drx0/$drx1)"
bgl_status bgla | grep -q '^RLB clients: [1-9]' || fail "alb: status shows no clients"

# a port fails: its clients are moved and told, everyone stays reachable
ip -n $S link set s1 down
bgl_wait 5 all_clients_ping || fail "alb: a client is unreachable after the failover"
for c in $(seq $NCLI); do
        ip netns exec $P-c$c ping -c 3 -i 0.2 -W 1 -q $BOND_IP >/dev/null || fail "alb: client $c lost"
done
ip -n $S link set s1 up
teardown

# ---------------------------------------------------------------- tlb
setup
bgl_bond $H bglt balance-tlb "h0 h1" $BOND_IP/24 ""
bgl_wait 5 carrier_up bglt || fail "tlb bond has no carrier"
host_pings() {
        local c
        for c in $(seq $NCLI); do
                ip netns exec $H ping -c 1 -W 1 10.203.3.$((10 + c)) >/dev/null || return 1
        done
}
bgl_wait 5 host_pings || fail "tlb: the bond does not reach every client"
# 11 s of traffic to every client: the 10 s rebalance then spreads the
# entries by their load history
pp=()
for c in $(seq $NCLI); do
        ip netns exec $H ping -c 1000 -i 0.02 -W 1 -q 10.203.3.$((10 + c)) >/dev/null &
        pp+=($!)
done
sleep 11.5      # past the 10 s rebalance (timed)
tx0=$(txp $H h0) tx1=$(txp $H h1)
sleep 1.5       # a counting window (timed)
dtx0=$(( $(txp $H h0) - tx0 )) dtx1=$(( $(txp $H h1) - tx1 ))
kill "${pp[@]}" 2>/dev/null
wait "${pp[@]}" 2>/dev/null
log "tlb: after rebalance, sent on h0 $dtx0, on h1 $dtx1"
[ $dtx0 -ge 20 ] && [ $dtx1 -ge 20 ] || fail "tlb: transmit not spread over both ports ($dtx0/$dtx1)"
load=$(bgl_status bglt | sed -n 's/^TLB load: //p' | sort -n | tail -n 1)
[ "${load:-0}" -gt 0 ] || fail "tlb: status shows no load"

ip -n $S link set s1 down
bgl_wait 5 host_pings || fail "tlb: a client is unreachable after the failover"
for c in $(seq $NCLI); do
        ip netns exec $H ping -c 3 -i 0.2 -W 1 -q 10.203.3.$((10 + c)) >/dev/null || fail "tlb: client $c lost"
done
teardown

echo "PASS"
