#!/bin/bash
# What is stacked on a bondgend bond (a bridge made by bondgen apply over
# rtnetlink, with the bond as its port) across a restart of bondgend and
# across the changes that need a new bond device (topo_bridge 2; systemd
# hidden in H, so apply starts bondgend itself):
#   ns H:  bridge BR (ADDR/24) ── bondgend bond B = {h0, h1}
#          h0 ───────────── veth ───────────── t0 ─┐   ns S: Linux bridge
#          h1 ───────────── veth ───────────── t1 ─┴─ br0 (PEER/24)
#          then the bond renamed to N, BR's port N
# Cases:
#  new          one apply starts bondgend and puts B in BR: exit 0, PEER
#               reaches ADDR through BR, no drift
#  crash        bondgend killed (-9) and started as bondgend@.service
#               does (no -c): the device (same ifindex) is still BR's
#               port, traffic, no drift, and apply has nothing to do
#  stopped      bondgend stopped by SIGTERM (its device is deleted, BR
#               loses the port): one apply starts it and puts the new
#               device back in BR, no drift
#  renamed      the bond renamed in the model, --prune: the old device
#               goes, one apply makes N and puts it in BR, no drift
# (VLANs take the same step of apply after the bonds, bg_apply_stack;
# this kernel may have no 802.1Q, so the VLAN on a bond is in the VM
# tests.)
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.15.1 ADDR=10.203.15.2 B=bgfsb$$ N=bgfsn$$ BR=bgfsr$$
B=${B:0:15} N=${N:0:15} BR=${BR:0:15}
topo_bridge 2
apply_in_h
# model FILE BOND: BOND (no address of its own) as the one port of BR
model() {
        cat > "$1" <<EOF
version: 1
bonds:
  - name: $2
    backend: userspace
    mode: active-backup
    options:
      miimon: 100
    ports:
      - name: h0
      - name: h1
bridges:
  - name: $BR
    ports:
      - name: $2
    stp: false
    ipv4:
      method: static
      addresses: [$ADDR/24]
EOF
}
master_of() { ip -n $H -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("master",""))'; }
in_bridge() { [ "$(master_of "$1")" = $BR ]; }
ifindex() { ip -n $H -o link show "$1" | cut -d: -f1; }
no_drift() { bg_h diff -c "$1" > $TMP/diff.out 2>&1 || fail "drift: $(cat $TMP/diff.out)"; }
model $TMP/b.yaml $B
model $TMP/n.yaml $N

# ---- new: bond and bridge in one apply ----
out=$(bg_h apply -c $TMP/b.yaml 2>&1) || fail "apply: exit $?: $out"
in_bridge $B || fail "$B is not a port of $BR after one apply: $out"
wait_until 10 reaches $S $ADDR || fail "no traffic through $BR and $B"
no_drift $TMP/b.yaml
ok "one apply starts bondgend and puts $B in $BR; traffic, no drift"

# ---- crash: kill -9, started again as the unit starts it ----
pid=$(ip netns pids $H) idx=$(ifindex $B)
kill -9 $pid
gone() { ! kill -0 $pid 2>/dev/null; }
wait_until 5 gone || fail "bondgend $pid did not end"
ip netns exec $H "$BONDGEND" $B >> $TMP/bondgend-restart.log 2>&1 & PIDS+=($!)
answers() { st $B > /dev/null 2>&1; }
wait_until 10 answers || fail "the restarted bondgend does not answer: $(tail -5 $TMP/bondgend-restart.log)"
[ "$(ifindex $B)" = "$idx" ] || fail "a new device after the restart"
in_bridge $B || fail "$B left $BR across the restart"
wait_until 10 reaches $S $ADDR || fail "no traffic after the restart"
no_drift $TMP/b.yaml
out=$(bg_h apply -c $TMP/b.yaml 2>&1) || fail "apply after the restart: $out"
grep -qx "$B: nothing to do" <<<"$out" && grep -qx "$BR: nothing to do" <<<"$out" || fail "apply after the restart: $out"
ok "killed (-9) and started again without -c: same device (ifindex $idx), still in $BR, nothing to do"

# ---- stopped: a new device, put back by one apply ----
pid=$(ip netns pids $H)
kill $pid
wait_until 10 gone || fail "bondgend $pid did not stop"
ip -n $H link show $B > /dev/null 2>&1 && fail "SIGTERM left $B"
out=$(bg_h apply -c $TMP/b.yaml 2>&1) || fail "apply after the stop: exit $?: $out"
grep -qx "$BR: enslave $B" <<<"$out" || fail "apply after the stop: $out"
in_bridge $B || fail "the new $B is not in $BR: $out"
wait_until 10 reaches $S $ADDR || fail "no traffic after the new device"
no_drift $TMP/b.yaml
ok "bondgend stopped (device gone): one apply starts it and puts the new $B back in $BR"

# ---- renamed: --prune, a new device under a new name ----
out=$(bg_h apply --prune -c $TMP/n.yaml 2>&1) || fail "apply --prune: exit $?: $out"
ip -n $H link show $B > /dev/null 2>&1 && fail "$B still exists: $out"
in_bridge $N || fail "$N is not a port of $BR after one apply: $out"
wait_until 10 reaches $S $ADDR || fail "no traffic through $N"
no_drift $TMP/n.yaml
ok "renamed with --prune: one apply makes $N and puts it in $BR; traffic, no drift"
