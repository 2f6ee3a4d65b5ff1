#!/bin/bash
# bondgend active-backup against a Linux bridge (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  traffic         ping (no duplicate reply) and TCP both ways; only the
#                  active port transmits
#  failover        under a 1000/s ping stream: gap and loss bounds, two
#                  gratuitous ARPs and unsolicited NAs on the new active
#                  port, the old port's link failure counted
#  fail-back       the old port comes back as a backup (no primary)
#  backup socket   a backup port's socket takes no frame (a flood on its
#                  link is not read), before and after the failover
#  control socket  active / release / enslave / status --json; a port
#                  without link and a missing interface refused; non-root
#                  refused
#  hotplug         a port removed and re-added is enslaved again
#  SIGTERM         ports restored (ARP, MAC), TAP and socket gone
#  crash           a SIGKILLed run is cleaned up by the next start
#  primary         primary_reselect always, failure, better
. "$(dirname "$0")/lib.sh"
require ip ping iperf3 tcpdump python3 setpriv
PEER=10.203.1.1 ADDR=10.203.1.2 B=bgfab$$
B=${B:0:15}
topo_bridge 2
mac_h0=$(ip -n $H -j link show h0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')

write_config $TMP/ab.yaml $B active-backup "h0 h1" "miimon: 100" "num_grat_arp: 2"
start_bondgend $TMP/ab.yaml $B
ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > $TMP/ping.log || fail "ping through the bond"
grep -q DUP $TMP/ping.log && fail "duplicate replies: the host stack answered on a port"
ok "ping through $B"

iperf3_server $S
for dir in "" -R; do
        bps=$(ip netns exec $H iperf3 -c $PEER -t 2 -J $dir | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))') ||
                fail "iperf3 TCP $dir"
        [ "$bps" -gt 100000000 ] || fail "TCP $dir only $bps bit/s"
        ok "TCP ${dir:-TAP->bond} $((bps / 1000000)) Mbit/s"
done

act=$(active_of $B)
[ "$act" = h0 ] || fail "first active port should be h0, is '$act'"
bk=h1
tx_bk=$(port_stat $B $bk "TX Packets")
tx_act=$(port_stat $B $act "TX Packets")
ip netns exec $H ping -n -q -c 100 -i 0.005 $PEER > /dev/null || fail "ping burst"
[ "$(port_stat $B $bk "TX Packets")" = "$tx_bk" ] || fail "the backup port transmitted"
[ $(($(port_stat $B $act "TX Packets") - tx_act)) -ge 100 ] || fail "the active port did not carry the burst"
ok "only the active port transmits"

# A backup port's socket takes no frame while no ARP/NS monitor needs them
# (the kernel drops them in bond_handle_frame()): 20,000 frames on its link
# reach the port, none is read. After a failover and fail-back the roles
# swap (checked below).
backup_reads_nothing() {
        local r0 l0 r1 l1
        r0=$(port_stat $B $1 "RX Packets"); l0=$(link_stat $H $1 rx)
        flood_port $S $2 20000 || fail "flood on $2"
        sleep 0.3
        r1=$(port_stat $B $1 "RX Packets"); l1=$(link_stat $H $1 rx)
        log "$1 (backup) received $((l1 - l0)) frames, bondgend read $((r1 - r0))"
        [ $((l1 - l0)) -ge 20000 ] || fail "the flood did not reach $1"
        [ "$r1" = "$r0" ] || fail "bondgend read $((r1 - r0)) frames on the backup $1"
        [ "$(port_stat $B $1 "RX Socket Dropped")" = 0 ] || fail "$1's socket dropped frames it should not take"
}
backup_reads_nothing h1 t1
ok "the backup's socket takes no frame (20,000 on its link)"

# failover: partner end of the active port goes down under a 1000/s stream
ip netns exec $S tcpdump -i t1 -nn -l 'arp or icmp6' > $TMP/garp.log 2>$TMP/garp.err & PIDS+=($!)
wait_until 5 capturing $TMP/garp.err || fail "tcpdump did not start"
ping_bg $H $PEER 3000 0.001 $TMP/fo.log
sleep 1         # the stream runs for a second before the failure (timed)
ip -n $S link set t0 down
wait $PING_PID
read gap lost < <(gap_of $TMP/fo.log 3000)
log "failover h0 -> h1: longest gap $gap ms, $lost of 3000 lost"
[ "$(active_of $B)" = h1 ] || fail "no failover to h1"
[ "$gap" -le 250 ] || fail "failover gap $gap ms > 250 ms"
[ "$lost" -le 300 ] || fail "lost $lost frames"
garps_seen() { [ "$(grep -c "Request who-has $ADDR tell $ADDR" $TMP/garp.log)" -ge 2 ]; }
wait_until 3 garps_seen
n_garp=$(grep -c "Request who-has $ADDR tell $ADDR" $TMP/garp.log)
[ "$n_garp" -ge 2 ] || fail "expected 2 gratuitous ARPs on h1's partner, saw $n_garp"
n_na=$(grep -c "neighbor advertisement, tgt is fe80::" $TMP/garp.log)
[ "$n_na" -ge 1 ] || fail "no unsolicited neighbour advertisement for the bond's link-local address"
[ "$(port_stat $B h0 "Link Failure Count")" = 1 ] || fail "link failure count"
ok "failover: gap $gap ms, lost $lost, $n_garp gratuitous ARPs and $n_na unsolicited NAs on the new active port"

ip -n $S link set t0 up
wait_until 5 mii_is $B h0 up || fail "h0 not up again"
[ "$(active_of $B)" = h1 ] || fail "no primary: h0 must not take over again"
st $B | grep -A1 "^Slave Interface: h0" | grep -q "MII Status: up" || fail "h0 not up again"
ok "fail-back: h0 up again as backup"
backup_reads_nothing h0 t0
a0=$(port_stat $B h1 "RX Packets")
ip netns exec $H ping -n -q -c 20 -i 0.01 $PEER > /dev/null || fail "ping through h1"
[ $(($(port_stat $B h1 "RX Packets") - a0)) -ge 20 ] || fail "the new active port h1 reads no frames"
ok "after the failover h0's socket takes nothing and h1's takes the traffic"

# control socket
"$BONDGEN" active $B h0 || fail "bondgen active"
[ "$(active_of $B)" = h0 ] || fail "active h0 not applied"
ip -n $S link set t1 down; wait_until 3 mii_is $B h1 down || fail "h1 still up"
"$BONDGEN" active $B h1 2>/dev/null && fail "a port without link was made active"
ip -n $S link set t1 up; wait_until 3 mii_is $B h1 up || fail "h1 not up"
"$BONDGEN" release $B h1 || fail "bondgen release"
st $B | grep -q "Slave Interface: h1" && fail "h1 still enslaved"
ip -n $H link show h1 | grep -q NOARP && fail "h1 not restored after release"
"$BONDGEN" enslave $B h1 || fail "bondgen enslave"
st $B | grep -q "Slave Interface: h1" || fail "h1 not enslaved again"
"$BONDGEN" enslave $B nosuchif 2>/dev/null && fail "enslaved a missing interface"
st $B --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["currently_active_slave"]=="h0", d; assert len(d["slaves"])==2' ||
        fail "status --json"
chmod 755 $TMP; chmod 755 $BONDGEN_RUNDIR
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BONDGEN" status $B 2>&1) && fail "non-root got status: $out"
echo "$out" | grep -q "only root" || fail "non-root refusal message: $out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BONDGEN" release $B h0 2>&1) && fail "non-root released a port"
st $B | grep -q "Slave Interface: h0" || fail "h0 gone after a refused release"
ok "control socket: active, release, enslave, json; non-root refused"

# a port that disappears and comes back is enslaved again without restart
ip -n $H link del h1
pending() { st $B | grep -q "Pending Slave: h1"; }
wait_until 3 pending || fail "h1 not pending after it disappeared"
ip link add h1 netns $H type veth peer name t1 netns $S
ip -n $S link set t1 master br0; ip -n $S link set t1 up
enslaved() { st $B | grep -q "Slave Interface: h1"; }
wait_until 3 enslaved || fail "h1 not enslaved again when it appeared"
ok "port removed and re-added"

# SIGTERM restores the ports and removes the TAP
stop_bondgend
ip -n $H link show $B >/dev/null 2>&1 && fail "the bond device is still there"
ip -n $H link show h0 | grep -q NOARP && fail "h0 still NOARP"
[ "$(ip -n $H -j link show h0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')" = "$mac_h0" ] ||
        fail "h0 MAC not restored"
[ -e "$BONDGEN_RUNDIR/$B.sock" ] && fail "control socket left behind"
ok "ports restored on SIGTERM"

# a crashed run (SIGKILL) is cleaned up by the next start
start_bondgend $TMP/ab.yaml $B
kill -9 $BPID; wait $BPID 2>/dev/null
ip -n $H link show h0 | grep -q NOARP || fail "expected the killed run to leave h0 NOARP"
start_bondgend $TMP/ab.yaml $B
grep -q "left behind by an earlier run" $TMP/bondgend-$B.log || fail "no crash recovery"
stop_bondgend
ip -n $H link show h0 | grep -q NOARP && fail "h0 NOARP after recovery and stop"
ok "a crashed run is cleaned up"

# primary and primary_reselect
for rs in always failure better; do
        write_config $TMP/p.yaml $B active-backup "h0 h1" "miimon: 100" "primary: h1" "primary_reselect: $rs"
        start_bondgend $TMP/p.yaml $B
        [ "$(active_of $B)" = h1 ] || fail "$rs: primary h1 not active at start"
        ip -n $S link set t1 down
        wait_until 3 active_is $B h0 || fail "$rs: no failover from the primary"
        ip -n $S link set t1 up
        [ $rs = always ] && wait_until 3 active_is $B h1
        wait_until 3 mii_is $B h1 up || fail "$rs: h1 not up again"
        a=$(active_of $B)
        case $rs in
        always) [ "$a" = h1 ] || fail "always: the primary did not return" ;;
        failure) [ "$a" = h0 ] || fail "failure: the primary took over without a failure"
                 ip -n $S link set t0 down
                 wait_until 3 active_is $B h1 || fail "failure: primary not chosen on failure"
                 ip -n $S link set t0 up ;;
        better) [ "$a" = h0 ] || fail "better: equal speed must keep the current port" ;;
        esac
        stop_bondgend
        ok "primary_reselect $rs"
done
exit 0
