#!/bin/bash
# A broadcast storm on an inactive port costs bondgend what it costs the
# kernel bond: the port's socket takes only the frames bondgend still
# reads there (a socket filter, as bond_handle_frame() drops the rest after
# the mode's or the monitor's receive probe). Each case floods an inactive
# port's link from the switch side (flood_port) and compares the frames
# the port received (its rx counter) with what bondgend read ("RX Packets"
# in status), on topo_bridge 2 with a fresh bondgend:
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  ab-arp       active-backup, ARP monitor (arp_validate all): 20,000
#               broadcast frames and 5,000 ARP requests between other
#               hosts on the backup's link are not read; the active port's
#               probes, reflected by the bridge, still are: the backup
#               stays up, and takes over when the active link goes
#  ab-arp-filter arp_validate filter: the same flood is not read, the
#               backup stays up on the probes
#  live         active-backup without a monitor: the backup reads none of
#               a flood, every frame once all_slaves_active=1 is set on
#               the running bond, none again once it is cleared
#  tlb          balance-tlb: nothing of the flood is read on the port that
#               is not the current one
#  alb          balance-alb: the broadcast flood is not read there; unicast
#               to the port's own MAC and ARP (receive load balancing)
#               still are, every frame
#  802.3ad      no LACP partner (the bridge): the ports stay attached, not
#               collecting; on one the flood is not read, every marker PDU
#               is
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.9.1 ADDR=10.203.9.2 B=bgfst$$
B=${B:0:15}
FLOOD=20000

BCAST=ffffffffffff02cccccccccc88b5$(printf '0%.0s' {1..92})
# ARP request who-has 10.203.9.99 tell 10.203.9.98 (neither the target nor ours)
ARP_OTHER=ffffffffffff02dddddddddd0806000108000604000102dddddddddd0acb0962000000000000""0acb0963$(printf '0%.0s' {1..36})

# flooded PORT LINK COUNT:HEX...: send each COUNT frames HEX on the switch
# end of PORT's link; prints "received read ms" (the port's rx counter and
# bondgend's RX Packets, differences; the time from the flood's start to
# the last count)
flooded() {
        local port=$1 link=$2 r0 l0 r1 l1 spec settled_r t0
        shift 2
        t0=${EPOCHREALTIME/./}
        r0=$(port_stat $B $port "RX Packets"); l0=$(link_stat $H $port rx)
        for spec in "$@"; do
                flood_port $S $link "${spec%%:*}" "${spec#*:}" || fail "flood on $link"
        done
        # drained: RX Packets no longer moves
        settled_r=-1
        for _ in $(seq 20); do
                sleep 0.1
                r1=$(port_stat $B $port "RX Packets")
                [ "$r1" = "$settled_r" ] && break
                settled_r=$r1
        done
        l1=$(link_stat $H $port rx)
        echo "$((l1 - l0)) $((r1 - r0)) $(((${EPOCHREALTIME/./} - t0) / 1000))"
}
other_port() { [ "$1" = h0 ] && echo h1 || echo h0; }
tlink() { echo "t${1#h}"; }
no_socket_drops() { [ "$(port_stat $B $1 "RX Socket Dropped")" = 0 ] || fail "$1's socket dropped frames"; }

topo_bridge 2

# ---------------------------------------------------------------- ab-arp
# 200 ms and 5 missed: a backup without a receive for 1.3 s goes down (a
# filter keeping too little fails within the flood), while a loaded
# machine's scheduling does not fail the active port over
ARPMON="arp_interval: 200"
write_config $TMP/ab.yaml $B active-backup "h0 h1" "$ARPMON" "arp_missed_max: 5" "arp_ip_target: [$PEER]" "arp_validate: all"
start_bondgend $TMP/ab.yaml $B
wait_until 5 mii_is $B h0 up || fail "h0 not up"
wait_until 5 mii_is $B h1 up || fail "h1 not up: $(st $B | grep -A2 h1)"
act=$(active_of $B) bk=$(other_port $(active_of $B))
fails0=$(st $B | grep -A3 "^Slave Interface: $bk" | sed -n 's/^Link Failure Count: //p')
read rx rd ms < <(flooded $bk $(tlink $bk) $FLOOD:$BCAST 5000:$ARP_OTHER)
[ "$(active_of $B)" = $act ] || fail "the active port changed under the flood: $(grep -v '^$' $TMP/bondgend-$B.log | tail -5)"
log "ab-arp: backup $bk received $rx frames in $ms ms, bondgend read $rd"
[ "$rx" -ge $((FLOOD + 5000)) ] || fail "the flood did not reach $bk ($rx)"
# what the monitor reads: the active port's probes (5/s) reflected by the
# bridge and the target's own requests for us; a bound of 30/s
[ "$rd" -ge 1 ] || fail "bondgend read none of the probes on the backup"
[ "$rd" -le $((20 + 30 * ms / 1000)) ] || fail "bondgend read $rd frames of the flood on the backup $bk in $ms ms"
no_socket_drops $bk
sleep 1
mii_is $B $bk up || fail "the backup $bk went down: $(st $B | grep -A3 "^Slave Interface: $bk")"
fails1=$(st $B | grep -A3 "^Slave Interface: $bk" | sed -n 's/^Link Failure Count: //p')
[ "$fails1" = "$fails0" ] || fail "the backup $bk failed meanwhile ($fails0 -> $fails1)"
ok "ab-arp: the backup read $rd of $rx frames and stayed up on the probes"
# the active link goes: the backup, still validated, takes over
ip -n $S link set $(tlink $act) down
wait_until 5 active_is $B $bk || fail "$bk did not take over: $(st $B | grep -E 'Active|MII')"
ip netns exec $H ping -n -q -c 3 -i 0.2 -W 2 $PEER > /dev/null || fail "no ping through $bk"
ok "ab-arp: $bk took over when $act's link went"
ip -n $S link set $(tlink $act) up
stop_bondgend

# ---------------------------------------------------------------- ab-arp-filter
write_config $TMP/abf.yaml $B active-backup "h0 h1" "$ARPMON" "arp_missed_max: 5" "arp_ip_target: [$PEER]" "arp_validate: filter"
start_bondgend $TMP/abf.yaml $B
wait_until 5 mii_is $B h0 up || fail "h0 not up"
wait_until 5 mii_is $B h1 up || fail "h1 not up"
act=$(active_of $B) bk=$(other_port $(active_of $B))
read rx rd ms < <(flooded $bk $(tlink $bk) $FLOOD:$BCAST)
[ "$(active_of $B)" = $act ] || fail "the active port changed under the flood: $(grep -v '^$' $TMP/bondgend-$B.log | tail -5)"
log "ab-arp-filter: backup $bk received $rx frames in $ms ms, bondgend read $rd"
[ "$rx" -ge $FLOOD ] || fail "the flood did not reach $bk ($rx)"
[ "$rd" -ge 1 ] && [ "$rd" -le $((20 + 30 * ms / 1000)) ] || fail "bondgend read $rd frames on the backup $bk in $ms ms"
sleep 1
mii_is $B $bk up || fail "the backup $bk went down"
ok "ab-arp-filter: the backup read $rd of $rx frames and stayed up"
stop_bondgend

# ---------------------------------------------------------------- live
# the filter follows options changed on the running bond ("set" on the
# control socket, as bondgen apply sends them): the backup of a bond
# without a monitor reads nothing; all_slaves_active=1 makes it read
# every frame (bond_option_all_slaves_active_set()); back to 0, nothing
write_config $TMP/abl.yaml $B active-backup "h0 h1" "miimon: 100"
start_bondgend $TMP/abl.yaml $B
wait_until 5 mii_is $B h0 up && wait_until 5 mii_is $B h1 up || fail "live: ports not up"
bk=$(other_port $(active_of $B))
read rx rd ms < <(flooded $bk $(tlink $bk) 5000:$BCAST)
[ "$rx" -ge 5000 ] && [ "$rd" -le 5 ] || fail "live: the backup $bk read $rd of $rx frames before the change"
ctl $B "set all_slaves_active=1" > /dev/null || fail "live: all_slaves_active=1 refused"
read rx rd ms < <(flooded $bk $(tlink $bk) 5000:$BCAST)
log "live: all_slaves_active=1: backup $bk received $rx frames, bondgend read $rd"
[ "$rd" -ge 5000 ] || fail "live: with all_slaves_active=1 the backup $bk read only $rd of $rx frames"
ctl $B "set all_slaves_active=0" > /dev/null || fail "live: all_slaves_active=0 refused"
read rx rd ms < <(flooded $bk $(tlink $bk) 5000:$BCAST)
[ "$rd" -le 5 ] || fail "live: back to all_slaves_active=0 the backup $bk read $rd of $rx frames"
ok "live: the backup's filter followed all_slaves_active set and cleared on the running bond"
stop_bondgend

# ---------------------------------------------------------------- tlb
# start_lb MODE: bondgend in balance-tlb or -alb, both ports up; $in is
# the port that is not the current one
start_lb() {
        write_config $TMP/$1.yaml $B $1 "h0 h1" "miimon: 100"
        start_bondgend $TMP/$1.yaml $B
        wait_until 5 mii_is $B h0 up && wait_until 5 mii_is $B h1 up || fail "$1: ports not up"
        wait_until 5 eval '[ -n "$(active_of $B)" ] && [ "$(active_of $B)" != None ]' || fail "$1: no current port"
        in=$(other_port $(active_of $B))
}
start_lb balance-tlb
read rx rd ms < <(flooded $in $(tlink $in) $FLOOD:$BCAST)
log "tlb: inactive $in received $rx frames, bondgend read $rd"
[ "$rx" -ge $FLOOD ] || fail "the flood did not reach $in ($rx)"
[ "$rd" = 0 ] || fail "tlb: bondgend read $rd frames on the inactive port $in"
ip netns exec $H ping -n -q -c 3 -i 0.2 -W 2 $PEER > /dev/null || fail "tlb: no ping"
ok "tlb: the inactive port read none of $rx frames"
stop_bondgend

# ---------------------------------------------------------------- alb
start_lb balance-alb
read rx rd ms < <(flooded $in $(tlink $in) $FLOOD:$BCAST)
log "alb: inactive $in received $rx broadcast frames, bondgend read $rd"
[ "$rx" -ge $FLOOD ] || fail "the flood did not reach $in ($rx)"
# the bond's own ARP, reflected by the bridge, may be read
[ "$rd" -le 20 ] || fail "alb: bondgend read $rd broadcast frames on the inactive port $in"
mac=$(ip -n $H -j link show $in | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"].replace(":", ""))')
UNI=${mac}02cccccccccc88b5$(printf '0%.0s' {1..92})
read rx rd ms < <(flooded $in $(tlink $in) 2000:$UNI 2000:$ARP_OTHER)
log "alb: inactive $in received $rx unicast and ARP frames, bondgend read $rd"
[ "$rd" -ge 4000 ] && [ "$rd" -le 4020 ] || fail "alb: bondgend read $rd of 2,000 unicast and 2,000 ARP frames on $in"
no_socket_drops $in
ok "alb: the inactive port read none of the broadcast flood, every unicast and ARP frame"
stop_bondgend

# ---------------------------------------------------------------- 802.3ad
write_config $TMP/ad.yaml $B 802.3ad "h0 h1" "miimon: 100" "lacp_rate: fast"
start_bondgend $TMP/ad.yaml $B
mux() { st $B | awk -v p="$1" '/^Slave Interface: /{cur=$3} cur==p && /^LACP mux state: /{print $4; exit}'; }
# without a partner's LACPDUs the ports stay attached, never collecting
# (the mux machine waits for the partner's synchronization): both inactive
attached() { [ "$(mux h1)" = attached ]; }
wait_until 5 attached || fail "802.3ad: h1 not attached: $(mux h1)"
in=h1
# a marker PDU (802.1AX 6.5.3.3): Marker Information from port 7 of
# 02:cc:cc:cc:cc:cc, transaction 1
MARKER=0180c200000202cccccccccc8809020101100007""02cccccccccc00000001000000""$(printf '0%.0s' {1..180})
read rx rd ms < <(flooded $in $(tlink $in) $FLOOD:$BCAST 500:$MARKER)
log "802.3ad: $in ($(mux $in)) received $rx frames, bondgend read $rd"
[ "$rx" -ge $((FLOOD + 500)) ] || fail "the flood did not reach $in ($rx)"
[ "$rd" = 500 ] || fail "802.3ad: bondgend read $rd frames on $in, not the 500 markers"
no_socket_drops $in
ok "802.3ad: the port not collecting read the 500 markers and none of $FLOOD broadcast frames"
stop_bondgend
exit 0
