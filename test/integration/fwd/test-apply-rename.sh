#!/bin/bash
# A change that needs a new device: the user-space bond renamed in the
# model (topo_bridge 2). Its ports are driven by the old bond's bondgend,
# so apply refuses without --prune (nothing changed), and with --prune
# stops that bondgend and starts one for the new name. systemd is hidden
# in H, so apply starts bondgend itself:
#   ns H:  bondgend A = {h0, h1},         ns S: Linux bridge br0, PEER/24
#          then N = {h0, h1}; ADDR/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  refused   without --prune: exit 1 naming the port and --prune; nothing
#            changed (the same process, no device N)
#  dry run   --prune --dry-run says "stop bondgend" for A and "start
#            bondgend" for N, and stops nothing
#  renamed   --prune under a 200/s ping stream from S: A gone, N there and
#            carrying traffic, one process in H, no drift (bondgen diff);
#            the outage is measured, reported, and under 5 s
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.14.1 ADDR=10.203.14.2 A=bgfra$$ N=bgfrn$$
A=${A:0:15} N=${N:0:15}
topo_bridge 2
apply_in_h
write_config $TMP/a.yaml $A active-backup "h0 h1" "miimon: 100"
write_config $TMP/n.yaml $N active-backup "h0 h1" "miimon: 100"

bg_h apply -c $TMP/a.yaml > $TMP/apply.log 2>&1 || fail "apply: $(cat $TMP/apply.log)"
wait_until 10 reaches $S $ADDR || fail "no traffic through $A"
old=$(ip netns pids $H)

rc=0; out=$(bg_h apply -c $TMP/n.yaml 2>&1) || rc=$?
[ $rc = 1 ] || fail "without --prune: exit $rc: $out"
grep -q "port h0 is driven by the bondgend of $A, which the model does not name; --prune stops it" <<<"$out" ||
        fail "without --prune: $out"
[ "$(ip netns pids $H)" = "$old" ] && ! ip -n $H link show $N > /dev/null 2>&1 || fail "a refused apply changed something"
ok "renamed bond without --prune: refused (exit 1), nothing changed"

out=$(bg_h apply --prune --dry-run -c $TMP/n.yaml 2>&1) || fail "dry run: $out"
grep -q "^$A: stop bondgend (not in the model, --prune; its ports go to $N, a new device)" <<<"$out" &&
        grep -q "^$N: start bondgend" <<<"$out" || fail "dry run: $out"
[ "$(ip netns pids $H)" = "$old" ] || fail "the dry run stopped something"
ok "--dry-run --prune says: stop the old bondgend, start the new"

# the outage: the longest time between two answers, on ping's own clock
# (-D), which also holds when a loaded machine stretches the interval
gap_ms() {
        python3 - "$1" <<'PY'
import re, sys
t = [float(m.group(1)) for m in re.finditer(r"^\[(\d+\.\d+)\] \d+ bytes from", open(sys.argv[1]).read(), re.M)]
print(int(max(b - a for a, b in zip(t, t[1:])) * 1000))
PY
}
ip netns exec $S ping -n -D -i 0.005 -W 1 $ADDR > $TMP/rename.log 2>&1 &
PING_PID=$!; PIDS+=($PING_PID)
wait_until 5 grep -q "bytes from" $TMP/rename.log || fail "no ping stream"
out=$(bg_h apply --prune -c $TMP/n.yaml 2>&1) || fail "apply --prune: $out"
wait_until 10 reaches $S $ADDR || fail "no traffic through $N"
sleep 0.5   # measured: the stream runs on after the path is back
kill -INT $PING_PID; wait $PING_PID 2>/dev/null
gap=$(gap_ms $TMP/rename.log)
log "rename $A -> $N: bondgend restarted on a new device; outage $gap ms (200 pings/s)"
ip -n $H link show $A > /dev/null 2>&1 && fail "$A still exists"
ip -n $H link show $N > /dev/null 2>&1 || fail "$N does not exist"
reaches $S $ADDR || fail "no traffic through $N"
[ "$(ip netns pids $H | wc -l)" = 1 ] || fail "processes in $H: $(ip netns pids $H | tr '\n' ' ')"
bg_h diff -c $TMP/n.yaml > /dev/null || fail "drift after the rename"
[ "$gap" -le 5000 ] || fail "outage $gap ms"
ok "renamed with --prune: old bondgend stopped, new one on a new device; outage $gap ms"
