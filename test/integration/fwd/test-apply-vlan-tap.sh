#!/bin/bash
# bondgen apply and bondgend agreeing on a bondgend bond's VLANs where the
# kernel has no 802.1Q: bondgend makes them as TAP devices of its own, apply
# adds, changes and (with --prune) deletes them through its control socket
# and sets their addresses as for any link (topo_bridge 2; systemd hidden
# in H, so apply starts bondgend itself):
#   ns H:  bondgend bond B = {h0, h1}, ADDR/24
#          B.100 (TAP, 10.207.1.2/24), B.200 (TAP, 10.207.2.2/24),
#          later B.300
#          h0 ───────────── veth ───────────── t0 ─┐   ns S: Linux bridge
#          h1 ───────────── veth ───────────── t1 ─┴─ br0 (PEER/24)
# Cases:
#  new       one apply starts bondgend, which makes B.100 and B.200 with
#            their addresses; diff finds no drift; a second apply has
#            nothing to do
#  add       a VLAN added to the model is made live by the same bondgend,
#            with its address; no drift
#  id        a VLAN's id changed: apply says so, bondgend runs the new id
#  restart   bondgend killed (-9) and started as bondgend@.service does (no
#            -c): the VLAN devices are the same, with their addresses, and
#            apply has nothing to do
#  prune     a VLAN left out of the model stays without --prune and is
#            deleted with it
. "$(dirname "$0")/lib.sh"
require ip python3
if ip link add bgfva$$ type veth peer name bgfvb$$ 2>/dev/null; then
        if ip link add link bgfva$$ name bgfva$$.7 type vlan id 7 2>/dev/null; then
                ip link del bgfva$$
                skip "this kernel has 802.1Q: apply makes VLAN devices on bondgend's TAP"
        fi
        ip link del bgfva$$
fi
PEER=10.207.16.1 ADDR=10.207.16.2 B=bgfav$$
B=${B:0:11}
topo_bridge 2
apply_in_h
# model FILE VLAN:ID...
model() {
        local f=$1 x; shift
        write_config $f $B active-backup "h0 h1" "miimon: 100"
        echo "vlans:" >> $f
        for x in "$@"; do
                cat >> $f <<EOF
  - name: $B.${x%%:*}
    id: ${x#*:}
    link: $B
    ipv4: {method: static, addresses: [10.207.$((${x%%:*} / 100)).2/24]}
EOF
        done
}
no_drift() { bg_h diff -c "$1" > $TMP/diff.out 2>&1 || fail "$2: drift: $(cat $TMP/diff.out)"; }
has_addr() { ip -n $H -br addr show $1 2>/dev/null | grep -q "$2"; }
kind() { ip -n $H -d -j link show $1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("linkinfo",{}).get("info_kind",""))'; }
ifindex() { ip -n $H -o link show "$1" | cut -d: -f1; }
running_id() { ctl $B state | awk -v n=$1 '$1 == "vlan" && $2 == n {print $3}'; }

# ---- new ----
model $TMP/m.yaml 100:100 200:200
out=$(bg_h apply -c $TMP/m.yaml 2>&1) || fail "apply: exit $?: $out"
for v in 100 200; do
        [ "$(kind $B.$v)" = tun ] || fail "$B.$v is a '$(kind $B.$v)' device, not bondgend's TAP: $out"
        wait_until 5 has_addr $B.$v 10.207.$((v / 100)).2/24 || fail "$B.$v has no address"
done
no_drift $TMP/m.yaml new
out=$(bg_h apply -c $TMP/m.yaml 2>&1) || fail "second apply: exit $?: $out"
echo "$out" | grep -q "^$B.100: nothing to do" || fail "second apply did something: $out"
ok "new: one apply starts bondgend with $B.100 and $B.200 and their addresses; no drift, nothing to do again"

# ---- add ----
pid=$(ip netns pids $H)
model $TMP/m.yaml 100:100 200:200 300:300
out=$(bg_h apply -c $TMP/m.yaml 2>&1) || fail "apply (add): exit $?: $out"
[ "$(ip netns pids $H)" = "$pid" ] || fail "bondgend was restarted to add a VLAN: $out"
[ "$(kind $B.300)" = tun ] || fail "no $B.300 after apply: $out"
wait_until 5 has_addr $B.300 10.207.3.2/24 || fail "$B.300 has no address: $out"
no_drift $TMP/m.yaml add
ok "add: $B.300 made live by the same bondgend, with its address; no drift"

# ---- id ----
model $TMP/m.yaml 100:100 200:200 300:301
out=$(bg_h apply -c $TMP/m.yaml 2>&1) || fail "apply (id): exit $?: $out"
echo "$out" | grep -q "$B.300: VLAN id 300 -> 301" || fail "apply did not say the id changes: $out"
[ "$(running_id $B.300)" = 301 ] || fail "bondgend runs $B.300 as VLAN $(running_id $B.300)"
wait_until 5 has_addr $B.300 10.207.3.2/24 || fail "$B.300 lost its address"
no_drift $TMP/m.yaml id
ok "id: $B.300 now VLAN 301, said by apply"

# ---- restart ----
idx=$(ifindex $B.100)
kill -9 $pid
gone() { ! kill -0 $pid 2>/dev/null; }
wait_until 5 gone || fail "bondgend $pid did not end"
ip netns exec $H "$BONDGEND" $B >> $TMP/bondgend-restart.log 2>&1 & PIDS+=($!)
answers() { st $B > /dev/null 2>&1; }
wait_until 10 answers || fail "the restarted bondgend does not answer: $(tail -5 $TMP/bondgend-restart.log)"
[ "$(ifindex $B.100)" = "$idx" ] || fail "a new $B.100 after the restart"
[ "$(running_id $B.300)" = 301 ] || fail "after the restart bondgend runs $B.300 as VLAN '$(running_id $B.300)'"
has_addr $B.100 10.207.1.2/24 || fail "$B.100 lost its address in the restart"
no_drift $TMP/m.yaml restart
out=$(bg_h apply -c $TMP/m.yaml 2>&1) || fail "apply after the restart: exit $?: $out"
echo "$out" | grep -q "^$B.300: nothing to do" || fail "apply after the restart did something: $out"
ok "restart: the VLAN devices are the same, with their addresses; apply has nothing to do"

# ---- prune ----
model $TMP/m.yaml 100:100 200:200
out=$(bg_h apply -c $TMP/m.yaml 2>&1) || fail "apply (removed): exit $?: $out"
[ "$(kind $B.300)" = tun ] || fail "$B.300 deleted without --prune: $out"
out=$(bg_h apply --prune -c $TMP/m.yaml 2>&1) || fail "apply --prune: exit $?: $out"
echo "$out" | grep -q "$B.300: delete (not in the model, --prune)" || fail "--prune did not say it deletes $B.300: $out"
no_link() { ! ip -n $H link show $1 >/dev/null 2>&1; }
wait_until 3 no_link $B.300 || fail "$B.300 still there after --prune"
[ -z "$(running_id $B.300)" ] || fail "bondgend still lists $B.300"
[ "$(kind $B.100)" = tun ] || fail "--prune took $B.100 too"
no_drift $TMP/m.yaml prune
ok "prune: a VLAN left out stays without --prune and is deleted with it"
