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
#  egress        a packet socket in H sends an LLDP frame (0x88cc to
#                01:80:c2:00:00:0e) on h0 and on h1 (in active-backup the
#                active and the backup port): the partner receives both, as
#                a kernel bond lets lldpd or an 802.1X supplicant send on a
#                port; a frame to 01:80:c2:00:00:10 (no link-local group)
#                and the ARP request of h1's own stack (an address put on
#                h1, ARP on) leave neither port: the egress drop
#  restore       after bondgend stops, the ports have ARP again, and the
#                same ARP request from h1 now reaches the partner (the
#                probe does send one)
# Skips when the kernel has no nftables netdev ingress hook.
. "$(dirname "$0")/lib.sh"
require ip ping python3 tcpdump
PROBE="python3 $(dirname "$0")/frame-probe.py"
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

        # egress: what may leave a port besides bondgend's own frames
        TP=()
        for i in 0 1; do
                ip netns exec $S tcpdump -i t$i -Q in -nn -e -l -A 'ether proto 0x88cc or arp' \
                        > $TMP/out$i.log 2> $TMP/out$i.err & PIDS+=($!); TP+=($!)
                wait_until 5 capturing $TMP/out$i.err || fail "$mode: tcpdump on t$i did not start"
        done
        ip -n $H addr add 10.203.66.77/24 dev h1
        for i in 0 1; do
                ip netns exec $H $PROBE send h$i 01:80:c2:00:00:0e 0x88cc Lldp-$mode-h$i ||
                        fail "$mode: cannot send LLDP on h$i"
                # dropped at egress: the send itself may fail (ENOBUFS)
                ip netns exec $H $PROBE send h$i 01:80:c2:00:00:10 0x88cc Group10-$mode-h$i 2> /dev/null
        done
        ip netns exec $H ping -n -c 1 -W 1 -I h1 10.203.66.1 > /dev/null 2>&1
        for i in 0 1; do
                wait_until 5 grep -q "Lldp-$mode-h$i" $TMP/out$i.log ||
                        fail "$mode: LLDP sent on h$i did not reach the partner: $(cat $TMP/out$i.log)"
        done
        sleep 0.5
        for i in 0 1; do
                grep -q "Group10-$mode" $TMP/out$i.log && fail "$mode: a frame to 01:80:c2:00:00:10 left h$i"
                grep -q "tell 10.203.66.77" $TMP/out$i.log && fail "$mode: h1's own ARP request left a port"
        done
        ok "$mode: LLDP from a packet socket leaves h0 and h1; a frame to 01:80:c2:00:00:10 and h1's own" \
                "ARP request do not"

        stop_bondgend
        for p in h0 h1; do ip -n $H link show $p | grep -q NOARP && fail "$p not restored"; done
        # the same probe without bondgend (which left h1 down, as it found
        # it): its ARP request is seen
        ip -n $H link set h1 up
        ip -n $H neigh flush dev h1
        ip netns exec $H ping -n -c 1 -W 1 -I h1 10.203.66.1 > /dev/null 2>&1
        wait_until 5 grep -q "tell 10.203.66.77" $TMP/out1.log ||
                fail "$mode: the ARP probe sent nothing even without bondgend: $(cat $TMP/out1.log)"
        ok "$mode: without bondgend h1's ARP request reaches the partner"
        ip -n $H addr del 10.203.66.77/24 dev h1
        ip -n $H link set h1 down
        kill "${TP[@]}" 2>/dev/null
        ip netns exec $H sysctl -qw net.ipv4.conf.all.rp_filter=0
done
exit 0
