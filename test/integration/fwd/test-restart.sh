#!/bin/bash
# The bond device outlives bondgend where it should: run by hand, a kill -9
# leaves the (persistent) TAP with what other tools put on it, and the next
# start reattaches; under a service manager the fd store keeps it across
# restarts and a stop deletes it. The outage of each restart is measured
# under a 1000/s ping stream from the partner (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}, ADDR/24   ns S: Linux bridge br0, PEER/24
#          + 10.203.9.9/24 on BOND, macvlan mv<pid> on BOND (another tool's)
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  kill -9 by hand   the device, the foreign address and the macvlan are
#                    kept, the restart logs "reattached", outage <= 1000 ms
#  stop by hand      a stop by signal deletes the bond device
#  service restart   under fake-manager.py (fd store), three restarts:
#                    address kept, worst outage under 100 ms
#  service stop      the device is deleted and h0 is no longer NOARP
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.8.1 ADDR=10.203.8.2 B=bgfrs$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/r.yaml $B active-backup "h0 h1" "miimon: 100"

# gap_ms LOG COUNT: longest run of lost pings (at 1 ms apart: ms)
gap_ms() { read g l < <(gap_of "$1" "$2"); echo "$g"; }

# ---- by hand: kill -9, restart, reattach ----
start_bondgend $TMP/r.yaml $B
ip -n $H addr add 10.203.9.9/24 dev $B           # another tool's address
ip -n $H link add mv$$ link $B type macvlan mode bridge   # and a device on the bond
ping_bg $S $ADDR 3000 0.001 $TMP/k9.log
sleep 0.8   # the stream runs before the kill (timed, not a wait)
kill -9 $BPID; wait $BPID 2>/dev/null
ip -n $H link show $B > /dev/null 2>&1 || fail "kill -9 deleted the bond device"
start_bondgend $TMP/r.yaml $B
wait $PING_PID
gap=$(gap_ms $TMP/k9.log 3000)
grep -q "reattached to the existing bond device" $TMP/bondgend-$B.log || fail "no reattach message"
ip -n $H addr show dev $B | grep -q 10.203.9.9/24 || fail "the other tool's address was lost"
ip -n $H link show mv$$ > /dev/null 2>&1 || fail "the macvlan on the bond was lost"
[ "$gap" -le 1000 ] || fail "kill -9 and restart: outage $gap ms"
ok "kill -9 and restart by hand: device, foreign address and macvlan kept; outage $gap ms"
stop_bondgend
ip -n $H link show $B > /dev/null 2>&1 && fail "a stop by signal left the bond device"
ok "a stop by signal (run by hand) deletes the bond device"

# ---- under a service manager: fd store across restarts ----
coproc MGR { python3 "$(dirname "$0")/fake-manager.py" $H $TMP "$BONDGEND" -c $TMP/r.yaml $B 2>> $TMP/bondgend-$B.log; }
PIDS+=($MGR_PID)
read -t 20 -u ${MGR[0]} line || fail "no start under the fake service manager"
[ "${line%% *}" = ready ] || fail "manager: $line"
ip -n $H addr add 10.203.9.9/24 dev $B
ip netns exec $S ping -n -c 2 -W 2 $ADDR > /dev/null || fail "no traffic under the service manager"
gaps=""
for round in 1 2 3; do
        ping_bg $S $ADDR 2000 0.001 $TMP/rs$round.log
        sleep 0.7   # the stream runs before the restart (timed, not a wait)
        echo restart >&${MGR[1]}
        read -t 20 -u ${MGR[0]} line; [ "${line%% *}" = exited ] || fail "restart: $line"
        read -t 20 -u ${MGR[0]} line; [ "${line%% *}" = ready ] || fail "restart: $line"
        wait $PING_PID
        gaps="$gaps $(gap_ms $TMP/rs$round.log 2000)"
done
ip -n $H addr show dev $B | grep -q 10.203.9.9/24 || fail "restart lost the other tool's address"
worst=$(echo $gaps | tr ' ' '\n' | sort -n | tail -1)
log "restart outages under 1000 pings/s:$gaps ms"
[ "$worst" -lt 100 ] || fail "restart outage $worst ms (goal: under 100 ms)"
ok "restart under a service manager keeps the device; outages$gaps ms"
echo stop >&${MGR[1]}
read -t 20 -u ${MGR[0]} line; [ "${line%% *}" = exited ] || fail "stop: $line"
read -t 20 -u ${MGR[0]} line; [ "$line" = stopped ] || fail "stop: $line"
no_bond() { ! ip -n $H link show $B > /dev/null 2>&1; }
wait_until 2 no_bond || fail "the bond device survived a stop of the unit"
ip -n $H link show h0 | grep -q NOARP && fail "ports not restored on stop"
ok "a stop of the unit deletes the device and restores the ports"
exit 0
