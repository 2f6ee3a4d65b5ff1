#!/bin/bash
# bondgend port priorities (the ports key prio, IFLA_BOND_SLAVE_PRIO) in
# active-backup against a Linux bridge (topo_bridge 3):
#   ns H:  bondgend BOND = {h0, h1, h2}   ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┼─ br0
#          h2 ───────────── veth ───────────── t2 ─┘
#   model prio: h0 0, h1 10, h2 5 (enslaved in that order)
# Cases:
#  start           with no primary the up port with the highest prio (h1)
#                  is active, not the first enslaved; status shows Prio
#                  per port and the state answer "port NAME MII PRIO"
#  failover        t1 down: h2 (prio 5) over h0 (enslaved first); t1 up:
#                  h1 takes over again (primary_reselect always); traffic
#                  flows through the active port
#  control always  `bondgen prio` h0 20: h0 active at once (the kernel's
#                  bond_option_prio_set() reselects), status and state
#                  show 20
#  control failure primary_reselect failure: the first port stays at
#                  start and after `bondgen prio` h2 30; when it fails
#                  h2 (30) is chosen over h1 (10)
#  primary         primary h0 enslaved but down: `bondgen prio` h2 50
#                  does not reselect (h1 stays); the next failure does,
#                  and picks h2
#  refusals        unknown port, bad numbers (client and raw request),
#                  balance-xor refuses prio at run time, and a balance-xor
#                  model with prio stops bondgend at start naming the key
#  active_slave    the model's active_slave h2 is active at start, over
#                  h1 (prio 10); with t2 down at start h1 carries traffic
#                  and h2 takes over when its link comes up; a name that
#                  is not a port, or balance-xor, stops bondgend at start
#                  naming active_slave
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.14.1 ADDR=10.203.14.2 B=bgfpr$$
B=${B:0:15}
topo_bridge 3

# prio_config FILE MODE OPTIONS...: the bond with h0 0, h1 10, h2 5
prio_config() {
        local f=$1 mode=$2; shift 2
        write_config "$f" $B "$mode" "h0 h1 h2" "$@"
        python3 - "$f" <<'PY'
import sys
f = sys.argv[1]
t = open(f).read()
t = t.replace("      - name: h1\n", "      - name: h1\n        prio: 10\n")
t = t.replace("      - name: h2\n", "      - name: h2\n        prio: 5\n")
open(f, "w").write(t)
PY
}
prio_of() { port_stat $B "$1" Prio; }
state_port() { ctl $B state | grep "^port $1 "; }
through() { ip netns exec $H ping -n -q -c 2 -i 0.2 -W 1 $PEER > /dev/null 2>&1; }
tx_of() { port_stat $B "$1" "TX Packets"; }

# start
prio_config $TMP/p.yaml active-backup "miimon: 100"
start_bondgend $TMP/p.yaml $B
wait_until 5 active_is $B h1 || fail "start: active is '$(active_of $B)', want h1 (prio 10)"
[ "$(prio_of h0)" = 0 ] && [ "$(prio_of h1)" = 10 ] && [ "$(prio_of h2)" = 5 ] ||
        fail "status Prio: h0 '$(prio_of h0)' h1 '$(prio_of h1)' h2 '$(prio_of h2)'"
[ "$(state_port h1)" = "port h1 0 10" ] || fail "state: '$(state_port h1)'"
[ "$(state_port h0)" = "port h0 0 0" ] || fail "state: '$(state_port h0)'"
ok "start: h1 (prio 10) active; status and state show the priorities"

# failover by priority, then back
tx=$(tx_of h1)
through || fail "no traffic through h1"
[ $(($(tx_of h1) - tx)) -ge 2 ] || fail "h1 did not carry the pings"
ip -n $S link set t1 down
wait_until 3 active_is $B h2 || fail "failover: active '$(active_of $B)', want h2 (prio 5 over h0)"
tx=$(tx_of h2)
through || fail "no traffic after the failover"
[ $(($(tx_of h2) - tx)) -ge 2 ] || fail "h2 did not carry the pings"
ip -n $S link set t1 up
wait_until 3 active_is $B h1 || fail "h1 did not take over again: '$(active_of $B)'"
ok "failover to h2 (prio 5, not the first port h0), back to h1 when it returns"

# control, primary_reselect always (the default)
"$BONDGEN" prio $B h0 20 || fail "bondgen prio"
[ "$(active_of $B)" = h0 ] || fail "prio 20 on h0: active '$(active_of $B)', want h0 at once"
[ "$(prio_of h0)" = 20 ] || fail "status Prio of h0: '$(prio_of h0)'"
[ "$(state_port h0)" = "port h0 0 20" ] || fail "state: '$(state_port h0)'"
"$BONDGEN" prio $B h0 -1 || fail "bondgen prio -1"
[ "$(active_of $B)" = h1 ] || fail "prio -1 on h0: active '$(active_of $B)', want h1"
ok "control: prio reselects at once (always); status and state follow"

# refusals while it runs
out=$("$BONDGEN" prio $B nosuch 1 2>&1) && fail "prio of a port that is not there: $out"
echo "$out" | grep -q "nosuch" || fail "refusal does not name the port: $out"
out=$("$BONDGEN" prio $B h0 2147483648 2>&1); rc=$?
[ $rc = 2 ] || fail "prio out of range: exit $rc ($out)"
out=$("$BONDGEN" prio $B h0 x 2>&1); rc=$?
[ $rc = 2 ] || fail "prio not a number: exit $rc ($out)"
out=$(ctl $B "prio h0") && fail "raw 'prio h0' accepted: $out"
echo "$out" | grep -q "expected prio IF N" || fail "raw refusal: $out"
out=$(ctl $B "prio h0 1x") && fail "raw 'prio h0 1x' accepted: $out"
[ "$(prio_of h0)" = -1 ] || fail "a refused request changed h0's prio: $(prio_of h0)"
stop_bondgend

# primary_reselect failure
prio_config $TMP/f.yaml active-backup "miimon: 100" "primary_reselect: failure"
start_bondgend $TMP/f.yaml $B
wait_until 3 mii_is $B h2 up || fail "failure: h2 not up"
[ "$(active_of $B)" = h0 ] || fail "failure: at start '$(active_of $B)', want h0 (the current port stays)"
"$BONDGEN" prio $B h2 30 || fail "bondgen prio h2 30"
[ "$(active_of $B)" = h0 ] || fail "failure: prio moved the active port to '$(active_of $B)'"
ip -n $S link set t0 down
wait_until 3 active_is $B h2 || fail "failure: after h0 failed '$(active_of $B)', want h2 (prio 30)"
ip -n $S link set t0 up
wait_until 3 mii_is $B h0 up || fail "failure: h0 not up again"
[ "$(active_of $B)" = h2 ] || fail "failure: h0's return moved the active port"
stop_bondgend
ok "control, primary_reselect failure: no move while the port is up; h2 (30) on failure"

# an enslaved primary, down, stops reselection on a prio change
prio_config $TMP/pr.yaml active-backup "miimon: 100" "primary: h0"
start_bondgend $TMP/pr.yaml $B
wait_until 3 active_is $B h0 || fail "primary: h0 not active at start"
ip -n $S link set t0 down
wait_until 3 active_is $B h1 || fail "primary down: '$(active_of $B)', want h1 (prio 10)"
"$BONDGEN" prio $B h2 50 || fail "bondgen prio h2 50"
[ "$(active_of $B)" = h1 ] || fail "primary enslaved: prio reselected to '$(active_of $B)'"
grep -q "h2: prio 50" $TMP/bondgend-$B.log || fail "prio change not logged"
ip -n $S link set t1 down
wait_until 3 active_is $B h2 || fail "after h1 failed: '$(active_of $B)', want h2 (prio 50)"
ip -n $S link set t0 up; ip -n $S link set t1 up
wait_until 3 active_is $B h0 || fail "the primary did not return"
stop_bondgend
ok "primary enslaved (down): no reselection on prio; the next failure uses it"

# modes without port priorities
write_config $TMP/x.yaml $B balance-xor "h0 h1" "miimon: 100"
start_bondgend $TMP/x.yaml $B
out=$(ctl $B "prio h0 1") && fail "balance-xor took a prio: $out"
echo "$out" | grep -q "active-backup, balance-tlb and balance-alb only" || fail "xor refusal: $out"
stop_bondgend
prio_config $TMP/xp.yaml balance-xor "miimon: 100"
ip netns exec $H "$BONDGEND" -c $TMP/xp.yaml $B > $TMP/xp.out 2>&1 && fail "bondgend started with prio in balance-xor"
grep -q "ports\[h1\].prio: prio 10" $TMP/xp.out || fail "the refusal does not name the key: $(cat $TMP/xp.out)"
ok "refusals: unknown port, bad numbers, balance-xor at run time and at start (by key)"

# active_slave at start
prio_config $TMP/as.yaml active-backup "miimon: 100" "active_slave: h2"
start_bondgend $TMP/as.yaml $B
wait_until 3 active_is $B h2 || fail "active_slave h2: '$(active_of $B)' active at start"
stop_bondgend
ip -n $S link set t2 down
start_bondgend $TMP/as.yaml $B
wait_until 3 active_is $B h1 || fail "h2 without link: '$(active_of $B)', want h1"
grep -q "active_slave h2: made active when its link is up" $TMP/bondgend-$B.log || fail "no note of the wait"
ip -n $S link set t2 up
wait_until 3 active_is $B h2 || fail "h2 not made active when its link came up: '$(active_of $B)'"
stop_bondgend
write_config $TMP/as9.yaml $B active-backup "h0 h1" "miimon: 100" "active_slave: h9"
ip netns exec $H "$BONDGEND" -c $TMP/as9.yaml $B > $TMP/as9.out 2>&1 && fail "bondgend started with active_slave h9"
grep -q "active_slave h9: not a port of $B" $TMP/as9.out || fail "h9 refusal: $(cat $TMP/as9.out)"
write_config $TMP/asx.yaml $B balance-xor "h0 h1" "miimon: 100" "active_slave: h1"
ip netns exec $H "$BONDGEND" -c $TMP/asx.yaml $B > $TMP/asx.out 2>&1 && fail "bondgend started with active_slave in balance-xor"
grep -q "active_slave h1: only active-backup, balance-tlb and balance-alb" $TMP/asx.out || fail "xor refusal: $(cat $TMP/asx.out)"
ok "active_slave: active at start, or when its link comes up; refused by name where it cannot be"
exit 0
