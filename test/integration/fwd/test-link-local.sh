#!/bin/bash
# IEEE link-local frames (01:80:c2:00:00:00-0f: LLDP, STP, PAUSE, OAM...)
# on an inactive port reach that port's own stack, as the kernel's
# bond_handle_frame() passes them there (RX_HANDLER_PASS) for lldpd or a
# protocol socket bound to the port; on the active port they go to the bond
# only. Everything else stays off the ports' stack (the ingress drop).
# Linux-bridge partner (topo_bridge 2); frames are sent by the partner
# straight out of t0 or t1 (a bridge forwards no link-local group):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Receivers in H: protocol sockets (AF_PACKET bound to one device and one
# ethertype, which sit after the ingress hook) for LLDP (0x88cc) and for
# 0x88b5 on h0, h1 and the bond (and slow protocols, 0x8809, in 802.3ad).
# Cases, in active-backup and balance-tlb (then 802.3ad without failover):
#  active        LLDP from the active port's link reaches the bond, not
#                the port
#  inactive      LLDP from the other link reaches that port, not the bond;
#                so does a 0x88b5 frame to 01:80:c2:00:00:03; a broadcast,
#                a unicast to the port and a frame to 01:80:c2:00:00:10 (no
#                link-local group) with 0x88b5 reach neither
#  failover      `bondgen active` swaps the ports: the same frames take
#                the swapped ways
#  802.3ad       the partner speaks no LACP, so h1 is alone in an aggregator
#                that is not the active one: the cases above; and of the
#                slow protocols on h1 an OAM frame (subtype 3) reaches its
#                stack while a LACPDU and a marker (subtypes 1 and 2, which
#                bond_3ad_lacpdu_recv() consumes on every port) do not; a
#                LACPDU and a marker cut to 60 bytes (shorter than the 110
#                bytes after the Ethernet header that function needs, so
#                it lets them go on) do; an OAM frame and a cut LACPDU on
#                h0 reach the bond only
# Skips when the kernel has no nftables netdev ingress hook.
. "$(dirname "$0")/lib.sh"
require ip python3
PEER=10.203.7.1 ADDR=10.203.7.2 B=bgfll$$
B=${B:0:15}
PROBE="python3 $(dirname "$0")/frame-probe.py"
LLDP=01:80:c2:00:00:0e
topo_bridge 2

# listen NAME DEV ETHERTYPE: a protocol socket in H, its frames in $TMP/NAME.rx
listen() {
        ip netns exec $H $PROBE listen $2 $3 $TMP/$1.rx &
        PIDS+=($!)
}
send() { ip netns exec $S $PROBE send "$@"; }   # send DEV DST ETHERTYPE TAG
got() { grep -q " $2\$" $TMP/$1.rx; }           # got NAME TAG
ready() { grep -q '^ready$' $TMP/$1.rx 2>/dev/null; }

# check ACTIVE INACTIVE (port indexes) ROUND: the frames of the header
check() {
        local a=$1 i=$2 n=$3 mac
        mac=$(ip -n $H -br link show h$i | awk '{print $3}')
        send t$a $LLDP 0x88cc A$n-lldp
        send t$i $LLDP 0x88cc I$n-lldp
        send t$i ff:ff:ff:ff:ff:ff 0x88b5 I$n-bcast
        send t$i $mac 0x88b5 I$n-ucast
        send t$i 01:80:c2:00:00:10 0x88b5 I$n-group10
        send t$a ff:ff:ff:ff:ff:ff 0x88b5 A$n-bcast
        send t$i 01:80:c2:00:00:03 0x88b5 I$n-ll
        # what must arrive, then what must not (by then it would have)
        wait_until 5 got bond-lldp A$n-lldp || fail "$mode: LLDP on the active h$a did not reach the bond"
        wait_until 5 got h$i-lldp I$n-lldp || fail "$mode: LLDP on the inactive h$i did not reach h$i's stack"
        wait_until 5 got bond-x A$n-bcast || fail "$mode: a broadcast on the active h$a did not reach the bond"
        wait_until 5 got h$i-x I$n-ll || fail "$mode: 0x88b5 to 01:80:c2:00:00:03 on h$i did not reach its stack"
        sleep 0.3
        got h$a-lldp A$n-lldp && fail "$mode: LLDP on the active h$a reached h$a's stack"
        got bond-lldp I$n-lldp && fail "$mode: LLDP on the inactive h$i reached the bond"
        got h$a-lldp I$n-lldp && fail "$mode: LLDP on h$i reached h$a"
        for t in bcast ucast group10; do
                got h$i-x I$n-$t && fail "$mode: a $t frame on the inactive h$i reached h$i's stack"
                got bond-x I$n-$t && fail "$mode: a $t frame on the inactive h$i reached the bond"
        done
        got h$a-x A$n-bcast && fail "$mode: a broadcast on the active h$a reached h$a's stack"
        ok "$mode: h$a active, h$i inactive: LLDP to the bond from h$a, to h$i's stack from h$i; broadcast," \
                "unicast, 01:80:c2:00:00:10 on h$i to no one"
}

# slow N: the slow protocol frames of the 802.3ad case; a whole LACPDU or
# marker is 110 bytes after the Ethernet header (its body zeros here: a
# malformed one, consumed all the same), a cut one 60 bytes in all
slow() {
        local n=$1 whole
        whole=$(printf '%0216d' 0)
        send t1 01:80:c2:00:00:02 0x8809 I$n-lacpdu 0101$whole
        send t1 01:80:c2:00:00:02 0x8809 I$n-marker 0201$whole
        send t1 01:80:c2:00:00:02 0x8809 I$n-lacpcut 01010000
        send t1 01:80:c2:00:00:02 0x8809 I$n-markercut 02010000
        send t1 01:80:c2:00:00:02 0x8809 I$n-oam 030000
        send t0 01:80:c2:00:00:02 0x8809 A$n-oam 030000
        send t0 01:80:c2:00:00:02 0x8809 A$n-lacpcut 01010000
        wait_until 5 got h1-slow I$n-oam || fail "802.3ad: OAM on the inactive h1 did not reach h1's stack"
        wait_until 5 got h1-slow I$n-lacpcut || fail "802.3ad: a cut LACPDU on the inactive h1 did not reach h1's stack"
        wait_until 5 got h1-slow I$n-markercut || fail "802.3ad: a cut marker on the inactive h1 did not reach h1's stack"
        wait_until 5 got bond-slow A$n-oam || fail "802.3ad: OAM on the active h0 did not reach the bond"
        wait_until 5 got bond-slow A$n-lacpcut || fail "802.3ad: a cut LACPDU on the active h0 did not reach the bond"
        sleep 0.3
        got h1-slow I$n-lacpdu && fail "802.3ad: a LACPDU on h1 reached h1's stack"
        got h1-slow I$n-marker && fail "802.3ad: a marker on h1 reached h1's stack"
        for t in oam lacpcut markercut; do
                got bond-slow I$n-$t && fail "802.3ad: $t on the inactive h1 reached the bond"
        done
        got h0-slow A$n-oam && fail "802.3ad: OAM on the active h0 reached h0's stack"
        got h0-slow A$n-lacpcut && fail "802.3ad: a cut LACPDU on the active h0 reached h0's stack"
        st $B | grep -A80 '^Slave Interface: h1$' | grep -q '^Slave State: backup' ||
                fail "802.3ad: h1 left its inactive aggregator during the test"
        ok "802.3ad: on the inactive h1 OAM and cut LACPDUs and markers reach its stack, whole LACPDU and" \
                "marker do not; OAM and a cut LACPDU on h0 to the bond"
}

for mode in active-backup balance-tlb 802.3ad; do
        write_config $TMP/h.yaml $B $mode "h0 h1" "miimon: 100" "lacp_rate: fast"
        [ $mode = 802.3ad ] || sed -i '/lacp_rate/d' $TMP/h.yaml
        start_bondgend $TMP/h.yaml $B
        grep -q "no nftables netdev ingress hook" $TMP/bondgend-$B.log && skip "the kernel has no nftables netdev ingress hook"
        grep -q "ingress drop takes link-local" $TMP/bondgend-$B.log && fail "$mode: no link-local exception"
        if [ $mode = 802.3ad ]; then
                inactive() { st $B | grep -A80 '^Slave Interface: h1$' | grep -q '^Slave State: backup'; }
                wait_until 5 inactive || fail "802.3ad: h1 is not in an inactive aggregator"
        else
                wait_until 3 active_is $B h0 || fail "$mode: h0 not active"
        fi
        wait_until 3 mii_is $B h1 up || fail "$mode: h1 not up"
        rm -f $TMP/*.rx
        for d in h0 h1 $B; do
                n=$d; [ $d = $B ] && n=bond
                listen $n-lldp $d 0x88cc
                listen $n-x $d 0x88b5
                [ $mode = 802.3ad ] && listen $n-slow $d 0x8809
                wait_until 20 ready $n-lldp && wait_until 20 ready $n-x || fail "listener on $d"
                [ $mode = 802.3ad ] && { wait_until 20 ready $n-slow || fail "listener on $d"; }
        done
        check 0 1 1
        if [ $mode = 802.3ad ]; then
                slow 1
        else
                "$BONDGEN" active $B h1 > /dev/null || fail "$mode: bondgen active h1"
                wait_until 3 active_is $B h1 || fail "$mode: h1 not active"
                check 1 0 2
        fi
        for pid in "${PIDS[@]}"; do [ "$pid" = "$BPID" ] || kill $pid 2>/dev/null; done
        stop_bondgend
done
exit 0
