#!/bin/bash
# Fault: bondgend killed with SIGKILL under traffic, three times in a
# row, and started again each time (as a service manager restarts it);
# active-backup, miimon 100, a 200/s ping stream from the partner:
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# What a crash leaves behind must not stop the next start: the control
# socket file (no process listens on it), the state file naming the ports
# and how they were found, the instance lock file, the TAP device. Each
# restart: the state file's ports are given back and taken again, the
# device is reattached (an address another tool put on it stays), the
# control socket answers again, the ports' AF_PACKET sockets are the new
# process's only, traffic flows. At the end a stop by signal leaves
# nothing: ports as they were found, no device, no socket, no state file,
# and a fresh start works. Printed: the outage of each restart.
# Cases:
#  kill -9 x3   after each kill: socket, state (h0 with its MAC as found)
#               and lock files left, the dead socket does not answer; the
#               restart logs "restored port h0" and "reattached", h0
#               active, h1 up, AF_PACKET sockets only on h0 and h1, the
#               foreign address 10.203.18.9/24 kept, traffic flows; worst
#               outage under the 200/s stream <= 2 s
#  clean stop   no device, socket or state file; h0 not NOARP, its MAC
#               as found
#  fresh start  h0 active, no port restored again, traffic flows
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.17.1 ADDR=10.203.17.2 B=bgfk9$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/r.yaml $B active-backup "h0 h1" "miimon: 100"
RUN=$BONDGEN_RUNDIR
orig_mac0=$(ip -n $H -br link show h0 | awk '{print $3}')

# the ifindexes AF_PACKET sockets are bound to in H (the test opens none)
packet_ifs() { ip netns exec $H awk 'NR > 1 { print $5 }' /proc/net/packet | sort -n | tr '\n' ' '; }
ports_ifs() { for p in h0 h1; do ip netns exec $H cat /sys/class/net/$p/ifindex; done | sort -n | tr '\n' ' '; }
gap_ms() { read -r g l < <(gap_of "$1" "$2"); echo $((g * 5)); }

start_bondgend $TMP/r.yaml $B
wait_until 3 active_is $B h0 || fail "h0 not active: $(active_of $B)"
ip -n $H addr add 10.203.18.9/24 dev $B   # another tool's address on the bond
reaches $S $ADDR || fail "no traffic before the first kill"
gaps=""
for round in 1 2 3; do
        ping_bg $S $ADDR 600 0.005 $TMP/k$round.log
        wait_until 3 grep -q "bytes from" $TMP/k$round.log || fail "round $round: the ping stream did not start"
        kill -9 $BPID; wait $BPID 2>/dev/null
        # what the crash left behind
        [ -S $RUN/$B.sock ] || fail "round $round: no control socket file left to test against"
        [ -s $RUN/$B.state ] || fail "round $round: no state file after the crash"
        [ -e $RUN/$B.lock ] || fail "round $round: no instance lock file after the crash"
        grep -q "^h0 $orig_mac0 " $RUN/$B.state || fail "round $round: state file lacks h0 as found: $(cat $RUN/$B.state)"
        "$BONDGEN" status $B > /dev/null 2>&1 && fail "round $round: a dead bondgend's socket answered"
        start_bondgend $TMP/r.yaml $B
        wait $PING_PID
        [ "$(grep -c "restored port h0 left behind by an earlier run" $TMP/bondgend-$B.log)" = $round ] ||
                fail "round $round: the state file's ports were not given back"
        [ "$(grep -c "reattached to the existing bond device" $TMP/bondgend-$B.log)" = $round ] ||
                fail "round $round: the device was not reattached"
        wait_until 3 active_is $B h0 || fail "round $round: h0 not active after the restart"
        wait_until 3 mii_is $B h1 up || fail "round $round: h1 not up after the restart"
        [ "$(packet_ifs)" = "$(ports_ifs)" ] ||
                fail "round $round: packet sockets on ifindexes $(packet_ifs), ports are $(ports_ifs)"
        ip -n $H addr show dev $B | grep -q 10.203.18.9/24 || fail "round $round: the other tool's address was lost"
        reaches $S $ADDR || fail "round $round: no traffic after the restart"
        gaps="$gaps $(gap_ms $TMP/k$round.log 600)"
done
worst=$(echo $gaps | tr ' ' '\n' | sort -n | tail -1)
# The outage is the restart itself (process start, the state file's ports
# given back and taken again): 90-260 ms over five runs when this test
# was written, on a loaded 2-core machine. Up to 2 s passes, so that a
# slow start on a CI machine does not fail it; the figures are printed.
[ "$worst" -le 2000 ] || fail "kill -9 and restart: outages$gaps ms"
ok "3 x kill -9 under a 200/s ping stream and restart: outages$gaps ms; socket, state and lock files" \
   "left by the crash did not stop the restart; device, foreign address and traffic kept"

# a stop by signal leaves nothing behind, and a fresh start works
stop_bondgend
ip -n $H link show $B > /dev/null 2>&1 && fail "a stop by signal left the bond device"
[ -e $RUN/$B.sock ] && fail "a stop left the control socket file"
[ -e $RUN/$B.state ] && fail "a stop left the state file"
ip -n $H link show h0 | grep -q NOARP && fail "a stop left h0 NOARP"
[ "$(ip -n $H -br link show h0 | awk '{print $3}')" = "$orig_mac0" ] || fail "a stop did not give h0 its MAC back"
start_bondgend $TMP/r.yaml $B
wait_until 3 active_is $B h0 || fail "fresh start: h0 not active"
[ "$(grep -c "restored port h0" $TMP/bondgend-$B.log)" = 3 ] || fail "the fresh start restored ports again"
reaches $S $ADDR || fail "fresh start: no traffic"
stop_bondgend
ok "a stop by signal after the crashes leaves no device, socket or state file; a fresh start works"
exit 0
