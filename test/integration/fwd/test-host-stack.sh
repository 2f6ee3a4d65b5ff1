#!/bin/bash
# Ports stay away from the host's IP stack by construction, not only by
# sysctls: with ARP on, IPv6 on and rp_filter 0 on the ports (what
# `sysctl --system` or an admin may do), a ping stream to the bond gets no
# duplicate answers and loses (nearly) nothing, because the frames end at
# the ports' ingress hook after bondgend's packet sockets took them.
# Linux-bridge partner (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases (in active-backup, then in balance-rr):
#  sysctls flip  ARP on, IPv6 on, rp_filter 0 on h0 and h1 under a 200/s
#                ping stream from S to the bond: no duplicate answer, at
#                most 3 of 600 pings lost
#  restore       after bondgend stops, the ports have ARP again
# Skips when the kernel has no nftables netdev ingress hook.
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.6.1 ADDR=10.203.6.2 B=bgfhs$$
B=${B:0:15}
topo_bridge 2
for mode in active-backup balance-rr; do
        write_config $TMP/h.yaml $B $mode "h0 h1" "miimon: 100"
        start_bondgend $TMP/h.yaml $B
        grep -q "no nftables netdev ingress hook" $TMP/bondgend-$B.log && skip "the kernel has no nftables netdev ingress hook"
        ip netns exec $S ping -n -c 3 -W 2 $ADDR > /dev/null || fail "$mode: ping before the sysctls flip"
        ping_bg $S $ADDR 600 0.005 $TMP/flip.log
        sleep 0.5   # the stream runs before the flip (timed, not a wait)
        for p in h0 h1; do
                ip -n $H link set $p arp on
                ip netns exec $H sysctl -qw net.ipv4.conf.$p.rp_filter=0 net.ipv4.conf.all.rp_filter=0 \
                        net.ipv6.conf.$p.disable_ipv6=0
        done
        wait $PING_PID
        dups=$(grep -c DUP $TMP/flip.log)
        read gap lost < <(gap_of $TMP/flip.log 600)
        [ "$dups" = 0 ] || fail "$mode: $dups duplicate answers: the host stack answered on a port"
        [ "$lost" -le 3 ] || fail "$mode: $lost of 600 pings lost while the sysctls flipped"
        ok "$mode: sysctls flipped under 200 pings/s: 0 duplicates, $lost lost"
        stop_bondgend
        for p in h0 h1; do ip -n $H link show $p | grep -q NOARP && fail "$p not restored"; done
        ip netns exec $H sysctl -qw net.ipv4.conf.all.rp_filter=0
done
exit 0
