#!/bin/bash
# `bondgen apply` on a running user-space bond changes it in place through
# bondgend's control socket, as it changes a kernel bond over netlink:
# options, ports added and removed, the active port, a mode change; the
# same bondgend and the same device all along. `bondgen diff` and
# `apply --dry-run` say the same about it (exit 0 equal, 1 drift, --json).
#   $H: h0,h1,h2 ── veth ── t0,t1,t2 ── br0 ($PEER/24)   ($S)
#       bondgend bond $B ($ADDR/24), started and changed by bondgen apply
# Cases: a new bond with a non-zero queue_id refused before bondgend
# starts, start, no drift, drift shown alike by diff and --dry-run, options
# and ports changed live, the active port put back, a mode change live,
# a change bondgend cannot take (queue_id) refused before anything
# changes, queue_id 0 on a joining port taken; what a restart starts
# from: RUNDIR/BOND.yaml written at start and after each live change (not
# when nothing changed), and a bondgend killed (-9) and started again the
# way bondgend@.service does (no -c) runs the bond as changed live.
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.10.1 ADDR=10.203.10.2 B=bgfal$$
B=${B:0:15}
topo_bridge 3
# bondgend started by apply is detached: end it by its namespace
apply_in_h

# apply ARGS...: bondgen in $H with systemd hidden (apply then starts
# bondgend itself) and the built bondgend first on PATH
tap_index() { ip -n $H -o link show $B | cut -d: -f1; }
daemon_pid() { ip netns pids $H | head -1; }
HANDED=$BONDGEN_RUNDIR/$B.yaml

write_config $TMP/a.yaml $B active-backup "h0 h1" "miimon: 100"
write_config $TMP/b.yaml $B active-backup "h0 h1 h2" "miimon: 200" "updelay: 400" "primary: h1"
write_config $TMP/c.yaml $B balance-xor "h0 h1" "miimon: 100" "xmit_hash_policy: layer2"
write_config $TMP/q.yaml $B active-backup "h0 h1" "miimon: 100" "queue_id: [h0:2]"

# ---- a new bond bondgend could not run as written: nothing started ----
rc=0; out=$(bg_h apply -c $TMP/q.yaml 2>&1) || rc=$?
[ $rc = 1 ] && grep -q "error: queue_id: $B: queue_id h0:2: bondgend cannot honour queue_id" <<<"$out" ||
        fail "queue_id on a new bond: exit $rc: $out"
ip -n $H link show $B > /dev/null 2>&1 && fail "a bondgend was started for a refused bond"
[ -z "$(ip netns pids $H)" ] || fail "a process runs for a refused bond"
ok "a new bond with queue_id h0:2 is refused by name (exit 1) before bondgend starts"

# ---- start ----
out=$(bg_h apply -c $TMP/a.yaml 2>&1) || fail "apply: $out"
grep -qx "$B: start bondgend -c $TMP/a.yaml $B" <<<"$out" || fail "no start: $out"
wait_until 10 reaches $S $ADDR || fail "no traffic through the new bond"
pid=$(daemon_pid) idx=$(tap_index)
grep -q "miimon: 100" $HANDED && grep -q -- "- name: h1" $HANDED || fail "model not handed over: $(cat $HANDED 2>&1)"
ok "apply starts bondgend (pid $pid) and hands its model over as RUNDIR/$B.yaml"

# ---- equal: no drift ----
out=$(bg_h diff -c $TMP/a.yaml 2>&1) || fail "diff of an equal bond: exit $?: $out"
[ -z "$out" ] || fail "diff of an equal bond printed: $out"
cp -p $HANDED $TMP/handed-a.yaml
out=$(bg_h apply -c $TMP/a.yaml 2>&1) || fail "re-apply: $out"
grep -qx "$B: nothing to do" <<<"$out" || fail "re-apply: $out"
grep -q "write $HANDED" <<<"$out" && fail "re-apply rewrote $HANDED: $out"
[ $HANDED -ot $TMP/handed-a.yaml ] || [ $HANDED -nt $TMP/handed-a.yaml ] && fail "re-apply touched $HANDED"
json=$(bg_h diff --json -c $TMP/a.yaml)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["drift"] is False and d["bonds"][0]["backend"]=="userspace", d' "$json" ||
        fail "diff --json: $json"
ok "an equal bond: diff exit 0 and silent, apply 'nothing to do', --json drift false"

# ---- drift: diff and --dry-run in the same words ----
rc=0; d=$(bg_h diff -c $TMP/b.yaml 2>/dev/null) || rc=$?
[ $rc = 1 ] || fail "diff with drift: exit $rc"
dry=$(bg_h apply --dry-run -c $TMP/b.yaml 2>/dev/null | grep "^$B: " | grep -v "backend\|nothing to do")
[ "$d" = "$dry" ] || fail "diff and --dry-run differ: '$d' vs '$dry'"
grep -qx "$B: set miimon 100 -> 200, updelay 0 -> 400, primary none -> h1" <<<"$d" || fail "options: $d"
grep -qx "$B: enslave h2" <<<"$d" || fail "port: $d"
[ "$(daemon_pid)" = "$pid" ] || fail "diff or --dry-run restarted bondgend"
json=$(bg_h diff --json -c $TMP/b.yaml)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); k=[c["kind"] for c in d["bonds"][0]["changes"]]; assert d["drift"] and k==["options","enslave"], k' "$json" ||
        fail "diff --json: $json"
ok "drift: diff exit 1 with the --dry-run lines; --json lists options and enslave"

# ---- applied live ----
out=$(bg_h apply -c $TMP/b.yaml 2>&1) || fail "apply b: $out"
[ "$(daemon_pid)" = "$pid" ] && [ "$(tap_index)" = "$idx" ] || fail "apply restarted bondgend or made a new device"
grep -qx "$B: write $HANDED (what bondgend starts from after a restart)" <<<"$out" || fail "not persisted: $out"
grep -q "miimon: 200" $HANDED && grep -q -- "- name: h2" $HANDED || fail "$HANDED: $(cat $HANDED)"
st $B | grep -qx "MII Polling Interval (ms): 200" || fail "miimon not changed: $(st $B)"
st $B | grep -qx "Up Delay (ms): 400" || fail "updelay not changed"
st $B | grep -qx "Slave Interface: h2" || fail "h2 not enslaved"
wait_until 5 active_is $B h1 || fail "primary h1 not active: $(active_of $B)"
bg_h diff -c $TMP/b.yaml > /dev/null || fail "drift left after apply"
reaches $S $ADDR || fail "no traffic after the live change"
ok "options, a port and the primary changed in place (same pid, same ifindex $idx)"

# ---- the active port ----
"$BONDGEN" active $B h0 > /dev/null || fail "active h0"
active_is $B h0 || fail "active h0 did not take"
rc=0; d=$(bg_h diff -c $TMP/b.yaml 2>/dev/null) || rc=$?
[ $rc = 1 ] && grep -qx "$B: active h0 -> h1" <<<"$d" || fail "active drift: exit $rc: $d"
bg_h apply -c $TMP/b.yaml > /dev/null 2>&1 || fail "apply active"
active_is $B h1 || fail "apply did not put h1 back"
ok "an active port moved by hand is drift, and apply puts the primary back"

# ---- ports removed and a mode change, live ----
out=$(bg_h apply -c $TMP/c.yaml 2>&1) || fail "apply c: $out"
grep -q "^$B: set mode active-backup -> balance-xor" <<<"$out" || fail "mode change: $out"
[ "$(daemon_pid)" = "$pid" ] && [ "$(tap_index)" = "$idx" ] || fail "the mode change restarted bondgend"
st $B | grep -q "^Bonding Mode: load balancing (xor)" || fail "mode: $(st $B)"
st $B | grep -qx "Slave Interface: h2" && fail "h2 still a port"
wait_until 10 reaches $S $ADDR || fail "no traffic after the mode change"
bg_h diff -c $TMP/c.yaml > /dev/null || fail "drift after the mode change"
ok "mode changed and h2 released in place; traffic flows"

# ---- refused before anything changes ----
# queue_id picks a port by a frame's transmit queue, which a TAP reader
# never sees: a non-zero one is refused by name, 0 (every port's) is not
qmsg="queue_id h0:2: bondgend cannot honour queue_id (a frame's transmit queue is not visible through its TAP device; see bondgend(8)); nothing changed"
rc=0; out=$(bg_h apply -c $TMP/q.yaml 2>&1) || rc=$?
[ $rc = 1 ] || fail "queue_id: exit $rc: $out"
grep -q "^$TMP/q.yaml:[0-9]*:[0-9]*: error: queue_id: $B: $qmsg" <<<"$out" || fail "queue_id: $out"
st $B | grep -q "^Bonding Mode: load balancing (xor)" || fail "a refused apply changed the bond"
write_config $TMP/q0.yaml $B active-backup "h0 h1 h2" "miimon: 100" "queue_id: [h2:0]"
out=$(bg_h apply -c $TMP/q0.yaml 2>&1) || fail "queue_id 0: $out"
grep -qx "$B: enslave h2" <<<"$out" && ! grep -q "queue_id" <<<"$out" || fail "queue_id 0: $out"
wait_until 10 reaches $S $ADDR || fail "no traffic after queue_id 0"
bg_h diff -c $TMP/q0.yaml > /dev/null || fail "drift after queue_id 0: $(bg_h diff -c $TMP/q0.yaml 2>&1)"
ok "a change bondgend cannot take (queue_id h0:2 on the running bond) is refused by name before the first step (exit 1); queue_id 0 is taken"

# ---- a restart starts from what was changed live ----
# an option, the primary and a port changed live, then bondgend killed
# (a crash: its TAP stays, as the fd store keeps it under systemd) and
# started as bondgend@.service starts it: `bondgend BOND`, no -c
write_config $TMP/e.yaml $B active-backup "h0 h2" "miimon: 300" "primary: h2"
out=$(bg_h apply -c $TMP/e.yaml 2>&1) || fail "apply e: $out"
grep -qx "$B: release h1 (not in the model)" <<<"$out" && grep -qx "$B: write $HANDED (what bondgend starts from after a restart)" <<<"$out" ||
        fail "apply e: $out"
wait_until 5 active_is $B h2 || fail "primary h2 not active: $(active_of $B)"
# updelay 400 from b.yaml, in whole miimon ticks: e.yaml leaves it out and
# apply leaves it running, so the restart must keep it too
grep -q "updelay: 300" $HANDED || fail "the updelay bondgend runs with is not kept: $(cat $HANDED)"
state() { python3 "$(dirname "$0")/../bond-state.py" -n $H $B h0 h1 h2 > "$1" || fail "bond-state.py: $(cat "$1")"; }
state $TMP/live.json
pid=$(daemon_pid)
kill -9 $pid
gone() { ! kill -0 $pid 2>/dev/null; }
wait_until 5 gone || fail "bondgend $pid did not end"
t0=$(date +%s%N)
ip netns exec $H "$BONDGEND" $B >> $TMP/bondgend-restart.log 2>&1 & PIDS+=($!)
answers() { st $B > /dev/null 2>&1; }
wait_until 10 answers || fail "the restarted bondgend does not answer: $(tail -5 $TMP/bondgend-restart.log)"
wait_until 5 active_is $B h2 || fail "h2 not active after the restart: $(st $B)"
wait_until 10 reaches $S $ADDR || fail "no traffic after the restart"
t1=$(date +%s%N)
state $TMP/restarted.json
cmp -s $TMP/live.json $TMP/restarted.json ||
        fail "the restarted bond is not the one changed live: $(diff -u $TMP/live.json $TMP/restarted.json)"
bg_h diff -c $TMP/e.yaml > /dev/null || fail "drift after the restart: $(bg_h diff -c $TMP/e.yaml 2>&1)"
log "restart from $HANDED to traffic: $(( (t1 - t0) / 1000000 )) ms"
ok "killed and started again without -c: miimon 300, primary h2, ports h0 h2 as changed live (bond-state.py identical, no drift)"
