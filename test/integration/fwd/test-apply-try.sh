#!/bin/bash
# `bondgen apply --try` on user-space bonds: a change that cuts the
# management path is rolled back by the timer (no confirm), the path is
# back within the timeout + 1 s, and the bond is as before, byte for byte
# (bond-state.py), also the port it waits for that the bad change dropped;
# a good change is kept by `bondgen confirm`; a second try while one is
# pending is refused; a bondgend that --prune stopped is started again by
# the rollback, as it was.
#   $H: h0,h1 ── veth ── t0,t1 ── br0 ($PEER/24)   ($S)
#       h2    ── veth ── t2 (on no bridge: a dead end)
#       h3    ── veth ── t3 ── br0
#       bondgend bond $B ($ADDR/24, ports h0 h1 and h9, which does not
#       exist yet), $B2 ($ADDR2/24, port h3); started and changed by
#       bondgen apply
#       VLANs: $V1 (id 400 on $B, made by the bad change), $V2 (id 300 on
#       $B2, $VADDR/24): bondgend's own devices where the kernel has no
#       802.1Q, else VLAN devices on its TAP
# Cases: bad change rolled back in time and state identical (h9 waited
# for again, enslaved when it appears, the VLAN it made deleted), good
# change confirmed, second try refused, pruned bondgend restarted by the
# rollback with its state and its VLAN device with its address; the
# model a restart starts from (RUNDIR/BOND.yaml), rewritten by the live
# change, is back byte for byte after each rollback and kept by confirm.
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.11.1 ADDR=10.203.11.2 ADDR2=10.203.11.3 B=bgfat$$ B2=bgfau$$ V1=bgfav$$ V2=bgfaw$$
B=${B:0:15} B2=${B2:0:15} V1=${V1:0:15} V2=${V2:0:15} VADDR=10.203.12.3
# long enough that a loaded machine still sees the cut before the rollback
TRY=6
topo_bridge 4
ip -n $S link set t2 nomaster
apply_in_h
# Everything the rollback must bring back, but for the traffic counters
# the management pings themselves move: bondgend's options, ports in
# order, active port, status, MTU, MAC, link state, addresses, routes
# (test/integration/bond-state.py says what exactly).
state() {  # state FILE [BOND PORT...]
        local f=$1; shift
        [ $# -gt 0 ] || set -- $B h0 h1 h2
        python3 "$(dirname "$0")/../bond-state.py" -n $H "$@" > "$f" || fail "bond-state.py: $(cat "$f")"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rolled_back() { grep -q "^rollback: done" $BONDGEN_RUNDIR/try/rollback.log 2>/dev/null; }

write_config $TMP/good.yaml $B active-backup "h0 h1 h9" "miimon: 100"
write_config $TMP/bad.yaml $B balance-xor "h2" "miimon: 50"
printf 'vlans:\n  - name: %s\n    id: 400\n    link: %s\n' $V1 $B >> $TMP/bad.yaml
write_config $TMP/good2.yaml $B active-backup "h0 h1" "miimon: 200"

bg_h apply -c $TMP/good.yaml > $TMP/apply.log 2>&1 || fail "apply: $(cat $TMP/apply.log)"
wait_until 10 reaches $S $ADDR || fail "no management path"
wait_until 5 active_is $B h0 || fail "h0 not active"
st $B | grep -q "h9" || fail "h9 is not waited for: $(st $B)"
state $TMP/state-before.json
pid=$(ip netns pids $H)
HANDED=$BONDGEN_RUNDIR/$B.yaml HANDED2=$BONDGEN_RUNDIR/$B2.yaml
cp $HANDED $TMP/handed-before.yaml || fail "apply handed no model over"

# ---- a bad change, not confirmed ----
# 20 pings a second from the partner, time-stamped (-D)
ip netns exec $S ping -n -D -i 0.05 -W 1 $ADDR > $TMP/mgmt.log 2>&1 &
PIDS+=($!)
wait_until 5 grep -q "bytes from" $TMP/mgmt.log || fail "no management pings"
# each line of apply's output with the time it arrived: the "try:" line
# comes out once the timer is armed, before the first change
stamp() { local l; while IFS= read -r l; do echo "$(now_ms) $l"; done; }
t0=$(now_ms)
bg_h apply --try=$TRY -c $TMP/bad.yaml 2>&1 | stamp > $TMP/try.out
[ "${PIPESTATUS[0]}" = 0 ] || fail "apply --try: $(cat $TMP/try.out)"
t1=$(now_ms)
armed=$(sed -n 's/^\([0-9]*\) try: .*/\1/p' $TMP/try.out)
out=$(cut -d' ' -f2- $TMP/try.out)
[ -n "$armed" ] || fail "no try line: $out"
grep -q "^try: the state before is saved in .* it comes back in ${TRY}s unless 'bondgen confirm' runs (timer process)" \
        <<<"$out" || fail "try: $out"
reaches $S $ADDR && fail "the bad change did not cut the management path"
grep -q "mode: balance-xor" $HANDED || fail "the live change is not in $HANDED: $(cat $HANDED)"
ip -n $H link show $V1 > /dev/null 2>&1 || fail "the bad change made no $V1"
wait_until $((TRY + 5)) rolled_back || fail "no rollback: $(cat $BONDGEN_RUNDIR/try/rollback.log 2>&1)"
wait_until 3 reaches $S $ADDR || fail "the management path did not come back"
# the first answer after the cut, on the pings' own clock, counted from
# the moment the timer was armed
back=$(python3 - $TMP/mgmt.log $armed $t1 <<'PY'
import re, sys
t0, t1 = int(sys.argv[2]) / 1000, int(sys.argv[3]) / 1000
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+\.\d+)\] \d+ bytes from", line)
    if m and float(m.group(1)) > t1 + 0.5:
        print(int((float(m.group(1)) - t0) * 1000)); break
PY
)
[ -n "$back" ] || fail "no management answer after the rollback"
log "apply --try took $((t1 - t0)) ms (timer armed after $((armed - t0)) ms); the path was back $back ms after the timer was armed (timeout ${TRY} s)"
[ "$back" -le $(( (TRY + 1) * 1000 )) ] || fail "the path came back after $back ms (> ${TRY} s + 1 s)"
log "$(grep '^rollback: ' $BONDGEN_RUNDIR/try/rollback.log | tr '\n' ' ')"
wait_until 5 active_is $B h0 || fail "h0 is not active again"
state $TMP/state-after.json
cmp -s $TMP/state-before.json $TMP/state-after.json ||
        fail "state after the rollback differs: $(diff -u $TMP/state-before.json $TMP/state-after.json)"
[ "$(ip netns pids $H | grep -c "^$pid\$")" = 1 ] || fail "bondgend was restarted"
cmp -s $TMP/handed-before.yaml $HANDED || fail "$HANDED after the rollback: $(diff -u $TMP/handed-before.yaml $HANDED)"
grep -q "^$B: restore: $HANDED as it was" $BONDGEN_RUNDIR/try/rollback.log ||
        fail "the rollback did not say it put $HANDED back: $(cat $BONDGEN_RUNDIR/try/rollback.log)"
bg_h diff -c $TMP/good.yaml > /dev/null || fail "drift after the rollback: $(bg_h diff -c $TMP/good.yaml 2>&1)"
grep -q "^$B: restore: enslave h9 when it appears (not present)" $BONDGEN_RUNDIR/try/rollback.log ||
        fail "h9 not asked for again: $(cat $BONDGEN_RUNDIR/try/rollback.log)"
ip -n $H link show $V1 > /dev/null 2>&1 && fail "$V1, made by the bad change, is left: $(cat $BONDGEN_RUNDIR/try/rollback.log)"
grep -q "^$V1: restore: delete" $BONDGEN_RUNDIR/try/rollback.log ||
        fail "the rollback did not say it deleted $V1: $(cat $BONDGEN_RUNDIR/try/rollback.log)"
# the port waited for again joins when it appears
ip link add h9 netns $H type veth peer name t9 netns $S
ip -n $S link set t9 master br0
ip -n $S link set t9 up
wait_until 5 mii_is $B h9 up || fail "h9 did not join when it appeared: $(st $B)"
ok "bad change rolled back unconfirmed: path back $back ms after the timer was armed (limit $(( (TRY + 1) * 1000 )) ms), state byte-identical (bond-state.py: all but traffic counters), $B.yaml byte-identical, h9 dropped by the bad change waited for again and joined when it appeared, $V1 made by it deleted"

# ---- a good change, confirmed; a second try refused while pending ----
bg_h apply --try=30 -c $TMP/good2.yaml > $TMP/try2.log 2>&1 || fail "apply --try good: $(cat $TMP/try2.log)"
rc=0; out=$(bg_h apply --try=30 -c $TMP/good.yaml 2>&1) || rc=$?
[ $rc = 1 ] && grep -q "a try is pending" <<<"$out" || fail "second try: exit $rc: $out"
st $B | grep -qx "MII Polling Interval (ms): 200" || fail "the refused try changed the bond"
out=$(bg_h confirm 2>&1) || fail "confirm: $out"
grep -q "^confirmed" <<<"$out" || fail "confirm: $out"
[ -e $BONDGEN_RUNDIR/try/pending ] && fail "pending left after confirm"
bg_h diff -c $TMP/good2.yaml > /dev/null || fail "the confirmed change is not in place"
grep -q "miimon: 200" $HANDED || fail "the confirmed change is not in $HANDED: $(cat $HANDED)"
ok "a good change confirmed stays; a second --try while one is pending is refused (exit 1)"

# ---- --prune stops a bondgend; the rollback starts it again, as it was ----
write_config $TMP/b2.yaml $B2 active-backup "h3" "miimon: 100"
sed -i "s#$ADDR/24#$ADDR2/24#" $TMP/b2.yaml
{ cat $TMP/good2.yaml; tail -n +3 $TMP/b2.yaml
  printf 'vlans:\n  - name: %s\n    id: 300\n    link: %s\n    ipv4: {method: static, addresses: [%s/24]}\n' \
        $V2 $B2 $VADDR; } > $TMP/two.yaml
bg_h apply -c $TMP/two.yaml > $TMP/two.log 2>&1 || fail "apply two: $(cat $TMP/two.log)"
wait_until 10 reaches $S $ADDR2 || fail "no path to $B2"
vlan_addr() { ip -n $H -br addr show $V2 2>/dev/null | grep -q " $VADDR/24"; }
wait_until 5 vlan_addr || fail "no $V2 with $VADDR/24: $(ip -n $H addr show $V2 2>&1)"
wait_until 5 active_is $B2 h3 || fail "h3 not active in $B2"
state $TMP/b2-before.json $B2 h3
cp $HANDED2 $TMP/handed2-before.yaml || fail "apply handed no model over for $B2"
rm -f $BONDGEN_RUNDIR/try/rollback.log
ip netns exec $S ping -n -D -i 0.05 -W 1 $ADDR2 > $TMP/mgmt2.log 2>&1 &
PIDS+=($!)
wait_until 5 grep -q "bytes from" $TMP/mgmt2.log || fail "no pings to $B2"
bg_h apply --try=$TRY --prune -c $TMP/good2.yaml > $TMP/prune.log 2>&1 || fail "apply --try --prune: $(cat $TMP/prune.log)"
t1=$(now_ms)
grep -q "^$B2: stop bondgend (not in the model, --prune)" $TMP/prune.log || fail "not pruned: $(cat $TMP/prune.log)"
reaches $S $ADDR2 && fail "$B2 still answers after --prune"
ip -n $H link show $V2 > /dev/null 2>&1 && fail "$V2 is still there after $B2's bondgend stopped"
st $B2 > /dev/null 2>&1 && fail "$B2's bondgend still runs"
wait_until $((TRY + 5)) rolled_back || fail "no rollback: $(cat $BONDGEN_RUNDIR/try/rollback.log 2>&1)"
grep -q "^$B2: restore: start bondgend" $BONDGEN_RUNDIR/try/rollback.log ||
        fail "$B2 not started again: $(cat $BONDGEN_RUNDIR/try/rollback.log)"
wait_until 5 reaches $S $ADDR2 || fail "the path to $B2 did not come back"
wait_until 5 active_is $B2 h3 || fail "h3 not active in $B2 again"
state $TMP/b2-after.json $B2 h3
cmp -s $TMP/b2-before.json $TMP/b2-after.json ||
        fail "$B2 after the rollback differs: $(diff -u $TMP/b2-before.json $TMP/b2-after.json)"
cmp -s $TMP/handed2-before.yaml $HANDED2 || fail "$HANDED2 after the rollback: $(diff -u $TMP/handed2-before.yaml $HANDED2)"
wait_until 5 vlan_addr || fail "$V2 with $VADDR/24 did not come back: $(ip -n $H addr show $V2 2>&1); $(cat $BONDGEN_RUNDIR/try/rollback.log)"
bg_h diff -c $TMP/two.yaml > /dev/null || fail "drift after the rollback: $(bg_h diff -c $TMP/two.yaml 2>&1)"
log "$(grep '^rollback: ' $BONDGEN_RUNDIR/try/rollback.log | tr '\n' ' ')"
# how long the path was down: the last answer before the cut to the first
# after the restart, on the pings' own clock (the timeout is most of it)
gap=$(python3 - $TMP/mgmt2.log $t1 <<'PY'
import re, sys
t1 = int(sys.argv[2]) / 1000
last = None
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+\.\d+)\] \d+ bytes from", line)
    if not m:
        continue
    t = float(m.group(1))
    if t > t1 + 0.5 and last is not None and t - last > 1:
        print(int((t - last) * 1000)); break
    last = t
PY
)
[ -n "$gap" ] || fail "no answer from $B2 after its restart"
log "$B2 was unreachable for $gap ms (the try's ${TRY} s, then the rollback's restart of bondgend)"
ok "a bondgend stopped by --prune is started again by the rollback: state byte-identical, $V2 back with its address, path back after $gap ms"
