#!/bin/sh
# Runs inside the VM (busybox sh): VLANs and a bridge over a kernel bond
# from `bondgen apply`. eth1 is moved into a peer network namespace with
# VLANs 100 and 300 of its own; the host's bridge joins eth0 and eth1, so
# tagged frames go out of the bond and come back to the peer.
#
#   bond0 (eth0) 10.77.0.1 ---- host bridge ---- eth1 10.77.0.9   (peer ns)
#   bond0.100    10.100.0.1                       eth1.100 10.100.0.2
#   bond0.300 in br0 10.30.0.1                    eth1.300 10.30.0.2
# Cases (result names in brackets):
#  apply        stack.yaml applies; its lines go bonds, VLANs, bridge
#               [stack-apply stack-order]
#  layout       bond0.100 is VLAN 100 on bond0; bond0.300 is a port of br0;
#               br0 forward_delay 0 [vlan-100-on-bond0 br0-port
#               br0-forward-delay]
#  traffic      pings untagged, on VLAN 100 and over br0 on VLAN 300
#               [ping-untagged ping-vlan-100 ping-bridge-over-vlan-300]
#  isolation    10.77.0.9 does not answer on bond0.100 [vlan-isolated]
#  idempotent   a second apply: exit 0, "nothing to do" for all four
#               [second-apply-nothing]
#  diff         address removed and bond0.300 released by hand: exit 1
#               naming both; --json has vlans and the enslave
#               [diff-drift diff-json-vlans-bridges]
#  fix          apply, then diff clean and pings pass [apply-fixes-drift]
#  VLAN id      bond0.100 made again with id 101 is deleted and made with
#               id 100 [vlan-id-reconciled]
#  prune        --prune with stack-pruned.yaml deletes br0 and bond0.300,
#               leaves the unmodelled brx, VLAN 100 still pings
#               [prune-vlan-and-bridge]
#  try          stack-try.yaml (VLAN 100 with MTU, MAC and a route, br0
#               over VLAN 300 with a route), then --try=6 of
#               stack-try-bad.yaml (VLAN 100 made again as 101, bond0.300
#               out of br0, bond0.400 made and put in, STP on) takes
#               effect and cuts VLAN 100; not confirmed, the timer rolls
#               back: links (ip -d -j, kind data, ids, MTU, MAC, flags,
#               masters), addresses and routes (every table) identical,
#               pings on VLAN 100 and over br0, diff clean
#               [try-stack-setup try-stack-apply try-stack-changed
#               try-stack-rollback-log try-stack-state-identical
#               try-stack-pings-back try-stack-diff-clean]
M=/bgvm
. /bgvm/lib.sh

run() {  # run LOGNAME COMMAND...: output in /tmp/LOGNAME.out, shown indented
        log=/tmp/$1.out; shift
        "$@" >"$log" 2>&1
        rc=$?
        sed 's/^/  | /' "$log"
        return $rc
}
wait_for() {  # wait_for SECONDS COMMAND...
        t=$(( $1 * 5 )); shift
        while [ $t -gt 0 ]; do
                "$@" && return 0
                sleep 0.2; t=$((t - 1))
        done
        return 1
}
own_ns() { [ "$(readlink /proc/$PP/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }
P() { nsenter -t "$PP" -n "$@"; }
lines() { grep -v ': backend' "/tmp/$1.out"; }
# iproute2 and jq of the host (busybox's ip has no -d -j)
IP=/usr/sbin/ip
JQ=/usr/sbin/jq
# The links, addresses and routes of bond0, its port, its VLANs and br0 as
# iproute2 reports them, all but what a device made again or the clock
# changes by itself: the ifindex, the bridge's running timers and the
# addresses' lifetimes.
stack_dump() {
        sel='select(.ifname | test("^(eth0|bond0|br0)"))'
        $IP -d -j link show | $JQ -S "[.[] | $sel | del(.ifindex) |
                walk(if type == \"object\" then with_entries(select(.key | test(\"timer$\") | not)) else . end)] |
                sort_by(.ifname) | .[]"
        $IP -j addr show | $JQ -S "[.[] | $sel | {ifname, addr_info: [.addr_info[] |
                del(.valid_life_time, .preferred_life_time)]}] | sort_by(.ifname) | .[]"
        for f in -4 -6; do
                $IP $f -d -j route show table all | $JQ -S '[.[] | select((.dev // "") | test("^(eth0|bond0|br0)"))] | sort | .[]'
        done
}
# every stacked link up and settled (DAD done) before a dump
stack_settled() {
        for l in bond0 bond0.100 bond0.300 br0; do
                [ "$(cat /sys/class/net/$l/operstate 2>/dev/null)" = up ] || return 1
        done
        ! $IP -6 addr show tentative | grep -q inet6
}

echo "BGVM-PLAN 22"
unshare -n sleep 100000 &
PP=$!
wait_for 5 own_ns || echo "BGVM-WARN no peer namespace"
ip link set eth1 netns "$PP"
P ip link set lo up
P ip link set eth1 up
P ip addr add 10.77.0.9/24 dev eth1
for v in 100 300; do
        P ip link add link eth1 name eth1.$v type vlan id $v
        P ip link set eth1.$v up
done
P ip addr add 10.100.0.2/24 dev eth1.100
P ip addr add 10.30.0.2/24 dev eth1.300
# the peer answers ARP only on the interface that has the address, so a
# frame that crossed from one VLAN into another would go unanswered
P sh -c 'echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore'

run a1 bondgen apply -c $M/stack.yaml; result stack-apply $? "see output above"
# bonds, then VLANs, then the bridge over a VLAN
o=$(grep -n -e '^bond0: enslave eth0' -e '^bond0.300: create VLAN 300 on bond0' -e '^br0: create bridge' /tmp/a1.out | cut -d: -f1 | tr '\n' ' ')
n1=$(echo "$o" | cut -d' ' -f1); n2=$(echo "$o" | cut -d' ' -f2); n3=$(echo "$o" | cut -d' ' -f3)
[ -n "$n3" ] && [ "$n1" -lt "$n2" ] && [ "$n2" -lt "$n3" ]; result stack-order $? "lines $o"
grep -q 'bond0.100 *| 100 *| bond0' /proc/net/vlan/config; result vlan-100-on-bond0 $? "$(cat /proc/net/vlan/config)"
check_eq br0-port "$(basename "$(readlink /sys/class/net/bond0.300/master)")" br0
check_eq br0-forward-delay "$(cat /sys/class/net/br0/bridge/forward_delay)" 0
wait_for 10 grep -q 'MII Status: up' /proc/net/bonding/bond0
ping_ok 10.77.0.9; result ping-untagged $? ""
ping_ok 10.100.0.2; result ping-vlan-100 $? ""
ping_ok 10.30.0.2; result ping-bridge-over-vlan-300 $? ""
! ping -c 1 -W 1 -I bond0.100 10.77.0.9 >/dev/null 2>&1; result vlan-isolated $? "10.77.0.9 answered on VLAN 100"

run a2 bondgen apply -c $M/stack.yaml; rc=$?
check_eq second-apply-nothing "$rc $(lines a2 | tr '\n' ',')" "0 bond0: nothing to do,bond0.100: nothing to do,bond0.300: nothing to do,br0: nothing to do,"

# drift behind bondgen's back
ip addr del 10.100.0.1/24 dev bond0.100
ip link set bond0.300 nomaster
run d1 bondgen diff -c $M/stack.yaml; rc=$?
check_eq diff-drift "$rc $(tr '\n' ',' </tmp/d1.out)" "1 bond0.100: add address 10.100.0.1/24,br0: enslave bond0.300,"
run d1j bondgen diff --json -c $M/stack.yaml
grep -q '"vlans":\[' /tmp/d1j.out && grep -q '"kind":"enslave","port":"bond0.300"' /tmp/d1j.out
result diff-json-vlans-bridges $? "$(cat /tmp/d1j.out)"
run a3 bondgen apply -c $M/stack.yaml && run d2 bondgen diff -c $M/stack.yaml && ping_ok 10.30.0.2 && ping_ok 10.100.0.2
result apply-fixes-drift $? "see output above"

# a VLAN made again by hand with another id: deleted and made as modelled
ip link del bond0.100
ip link add link bond0 name bond0.100 type vlan id 101
ip link set bond0.100 up
run a4 bondgen apply -c $M/stack.yaml && grep -q '^bond0.100: delete (id 101 on bond0; ' /tmp/a4.out &&
        grep -q 'bond0.100 *| 100 *| bond0' /proc/net/vlan/config && ping_ok 10.100.0.2
result vlan-id-reconciled $? "see output above"

# --prune: br0 and bond0.300 left the model
ip link add brx type bridge
run p1 bondgen apply --prune -c $M/stack-pruned.yaml
[ ! -e /sys/class/net/br0 ] && [ ! -e /sys/class/net/bond0.300 ] && [ -e /sys/class/net/brx ] &&
        grep -qx 'br0: delete (not in the model, --prune)' /tmp/p1.out && ping_ok 10.100.0.2
result prune-vlan-and-bridge $? "see output above"

# ---- apply --try of a bad VLAN and bridge change, not confirmed ----
P ip link add link eth1 name eth1.101 type vlan id 101
P ip link set eth1.101 up
P ip addr add 10.101.0.2/24 dev eth1.101
# bond0.100 made by this apply, its MAC set before it comes up: the
# kernel derives its IPv6 link-local address from the MAC it has when it
# comes up and keeps it when the MAC changes, so a VLAN whose MAC was
# changed while up would come back from a rollback (made again, MAC, then
# up) with another link-local address than it had
ip link del bond0.100
run t0 bondgen apply -c $M/stack-try.yaml; result try-stack-setup $? "see output above"
ping_ok 10.100.0.2 && ping_ok 10.30.0.2
wait_for 20 stack_settled || echo "BGVM-WARN the stack did not settle: $($IP -br link)"
stack_dump >/tmp/stack-before
run t1 bondgen apply --try=6 -c $M/stack-try-bad.yaml; result try-stack-apply $? "see output above"
grep -q 'bond0.100 *| 101 *| bond0' /proc/net/vlan/config &&
        [ "$(basename "$(readlink /sys/class/net/bond0.400/master)")" = br0 ] &&
        [ ! -e /sys/class/net/bond0.300/master ] && [ "$(cat /sys/class/net/br0/bridge/stp_state)" = 1 ] &&
        ping_ok 10.101.0.2 && ! ping -c 1 -W 1 10.100.0.2 >/dev/null 2>&1
result try-stack-changed $? "$(cat /proc/net/vlan/config; $IP -br link; $IP -br addr)"
wait_for 60 grep -q "^rollback: done in" /run/bondgen/try/rollback.log 2>/dev/null
result try-stack-rollback-log $? "$(cat /run/bondgen/try/rollback.log 2>/dev/null)"
sed 's/^/  | /' /run/bondgen/try/rollback.log
ping_ok 10.100.0.2 && ping_ok 10.30.0.2
wait_for 20 stack_settled || echo "BGVM-WARN the stack did not settle: $($IP -br link)"
stack_dump >/tmp/stack-after
diff /tmp/stack-before /tmp/stack-after >/tmp/stack-try.diff
result try-stack-state-identical $? "$(cat /tmp/stack-try.diff)"
ping_ok 10.100.0.2 && ping_ok 10.30.0.2 && ! ping -c 1 -W 1 10.101.0.2 >/dev/null 2>&1
result try-stack-pings-back $? ""
run t2 bondgen diff -c $M/stack-try.yaml; result try-stack-diff-clean $? "see output above"

kill "$PP"
echo "BGVM-SUMMARY failed=$n_fail"
