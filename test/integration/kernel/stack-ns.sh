#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `bondgen apply` bringing up bridges (and VLANs, where the kernel has
# 802.1Q) over rtnetlink, in a namespace:
#
#   ns bgs-$$-a                        ns bgs-$$-b (peer)
#   br0 10.31.0.1/24 --- p0 ======= q0  10.31.0.2/24
#   p1.100 10.32.0.1/24 - p1 ======= q1 - q1.100 10.32.0.2/24   (with 8021q)
#
#   (br0's model route: 10.131.0.0/16 via 10.31.0.2; later vm0, a veth
#   put in br0 by hand, and brx, a bridge made by hand)
#
# Cases:
#  create-and-ping        br0 made with p0 in it; 10.31.0.2 answers
#  bridge-params          forward_delay 2 s (200), stp 0, p0's master br0
#  route-on-bridge        the model's route is on br0
#  second-apply-nothing   "br0: nothing to do", nothing changed
#  diff-equal             diff exits 0 with no output
#  diff-drift             p0 released, address removed, forward_delay 4 s
#                         by hand: exit 1, one line each for the delay,
#                         port, address and route
#  diff-same-words-as-dry-run  apply --dry-run prints the same br0 lines
#  apply-fixes-drift      apply, then diff exits 0 and the peer answers
#  foreign-port-kept      vm0 stays in br0 and apply does not mention it
#  try-rollback           apply --try moves br0 to another address and
#                         forward_delay and makes br5; rollback puts back
#                         br0's delay, address and route, deletes br5,
#                         keeps vm0 in br0, and leaves no timer process
#  stp-off-short-delay    br7 made by hand with STP on and forward_delay
#                         4 s; a model with stp false and forward-delay 0
#                         applies (the kernel refuses a delay under 2 s
#                         while STP runs, so STP goes off first)
#  refused-name-taken     a bridge named p1 (a veth): exit 1 with the
#                         message, p0 still in br0
#  prune-owned-only       --prune to a model with only br9: the dry run
#                         names br0's delete; br0 deleted, brx kept and
#                         not mentioned, br9 made
#  vlan-create-and-ping   p1.100 made, p1 brought up, 10.32.0.2 answers
#                         tagged (skipped without 8021q; the VM test
#                         kernel-vm-stack covers VLANs on a bond)
#  vlan-second-apply-nothing  a second apply of the VLAN model prints
#                         only "p1.100: nothing to do" (also skipped)
# Usage: stack-ns.sh BONDGEN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../wait.sh
. "$here/../wait.sh"
bondgen=$(realpath "${1:?usage: stack-ns.sh BONDGEN}")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)" >&2; exit 77; }
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) missing" >&2; exit 77; }

a=bgs-$$-a
b=bgs-$$-b
work=$(mktemp -d /tmp/bgs-$$-XXXXXX)
export BONDGEN_RUNDIR=$work/run
cleanup() {
        ip netns del "$a" 2>/dev/null || true
        ip netns del "$b" 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
n_fail=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; n_fail=$((n_fail + 1)); }
A() { ip netns exec "$a" "$@"; }
bg() {  # bg LOG ARGS...: bondgen in ns a, output in $work/LOG
        local log=$work/$1; shift
        A "$bondgen" "$@" >"$log" 2>&1
}
show() { sed 's/^/  | /' "$work/$1"; }
ping_b() { A ping -c 1 -W 1 "$1" >/dev/null 2>&1; }

ip netns add "$a"
ip netns add "$b"
for i in 0 1; do
        ip link add "bgs$$p$i" netns "$a" type veth peer name "bgs$$q$i" netns "$b"
        ip -n "$a" link set "bgs$$p$i" name "p$i"
        ip -n "$b" link set "bgs$$q$i" name "q$i"
        ip -n "$b" link set "q$i" up
done
ip -n "$b" addr add 10.31.0.2/24 dev q0

cat >"$work/br.yaml" <<EOM
version: 1
bridges:
  - name: br0
    ports:
      - name: p0
    stp: false
    forward-delay: 2
    ipv4:
      method: static
      addresses: [10.31.0.1/24]
      routes: [{to: 10.131.0.0/16, via: 10.31.0.2}]
EOM

# ---- create-and-ping ----
if bg apply apply -c "$work/br.yaml" && wait_until 10 ping_b 10.31.0.2; then
        ok "create-and-ping: br0 made, p0 in it, 10.31.0.2 answers"
else
        show apply; fail "create-and-ping"
fi
fd=$(A cat /sys/class/net/br0/bridge/forward_delay)
stp=$(A cat /sys/class/net/br0/bridge/stp_state)
master=$(basename "$(A readlink /sys/class/net/p0/master)")
# sysfs speaks clock_t (hundredths of a second)
[ "$fd/$stp/$master" = 200/0/br0 ] && ok "bridge-params: forward_delay 2s (200), stp 0, p0 in br0" ||
        fail "bridge-params: forward_delay=$fd stp=$stp master=$master"
A ip route show 10.131.0.0/16 | grep -q 'via 10.31.0.2 dev br0' && ok "route-on-bridge" || fail "route-on-bridge"

# ---- second-apply-nothing ----
# what apply sets, without the bridge's running timers
state() { A ip -br link show; A ip -br addr show; A ip route show; A cat /sys/class/net/br0/bridge/forward_delay /sys/class/net/br0/bridge/stp_state; }
before=$(state)
bg again apply -c "$work/br.yaml"; rc=$?
after=$(state)
if [ $rc = 0 ] && [ "$(cat "$work/again")" = "br0: nothing to do" ] && [ "$before" = "$after" ]; then
        ok "second-apply-nothing: 'br0: nothing to do', nothing changed"
else
        show again; fail "second-apply-nothing (rc $rc)"
fi
bg d0 diff -c "$work/br.yaml" && [ ! -s "$work/d0" ] && ok "diff-equal: exit 0, no output" || { show d0; fail "diff-equal"; }

# ---- diff-drift-same-words, apply-fixes-drift ----
A ip link set p0 nomaster
A ip addr del 10.31.0.1/24 dev br0
A ip link set br0 type bridge forward_delay 400
set +e
bg d1 diff -c "$work/br.yaml"; rc=$?
set -e
want="br0: set forward_delay 4s -> 2s
br0: enslave p0
br0: add address 10.31.0.1/24
br0: add route 10.131.0.0/16 via 10.31.0.2"
if [ $rc = 1 ] && [ "$(cat "$work/d1")" = "$want" ]; then
        ok "diff-drift: exit 1, names the delay, the port, the address and its route"
else
        show d1; fail "diff-drift (rc $rc)"
fi
bg dry apply --dry-run -c "$work/br.yaml"
[ "$(grep '^br0: ' "$work/dry")" = "$want" ] && ok "diff-same-words-as-dry-run" || { show dry; fail "diff-same-words-as-dry-run"; }
if bg fix apply -c "$work/br.yaml" && bg d2 diff -c "$work/br.yaml" && wait_until 10 ping_b 10.31.0.2; then
        ok "apply-fixes-drift: diff exit 0 after, ping works"
else
        show fix; show d2; fail "apply-fixes-drift"
fi

# ---- foreign-port-kept: a VM's port (here a veth) attached by hand ----
A ip link add vm0 type veth peer name vm0p
A ip link set vm0 master br0
bg fp apply -c "$work/br.yaml" || true
[ "$(basename "$(A readlink /sys/class/net/vm0/master)")" = br0 ] && ! grep -q vm0 "$work/fp" &&
        ok "foreign-port-kept: vm0 stays in br0" || { show fp; fail "foreign-port-kept"; }

# ---- try-rollback: apply --try changes br0 and makes br5; rollback ----
cat >"$work/try.yaml" <<EOM
version: 1
bridges:
  - name: br0
    ports:
      - name: p0
    stp: false
    forward-delay: 5
    ipv4:
      method: static
      addresses: [10.31.0.9/24]
  - name: br5
    forward-delay: 3
EOM
before=$(state)
bg try apply --try=120 -c "$work/try.yaml" || true
tried="$(A cat /sys/class/net/br0/bridge/forward_delay) $(A ip -4 -o addr show dev br0 | awk '{print $4}')"
A ip link show br5 >/dev/null 2>&1 && tried="$tried br5"
bg rb rollback; rc=$?
after=$(state)
if [ "$tried" = "500 10.31.0.9/24 br5" ] && [ $rc = 0 ] && [ "$before" = "$after" ] && ! A ip link show br5 >/dev/null 2>&1 &&
   [ "$(basename "$(A readlink /sys/class/net/vm0/master)")" = br0 ] && grep -qx 'br5: restore: delete the bridge (it did not exist)' "$work/rb" &&
   [ -z "$(ip netns pids "$a")" ] && wait_until 10 ping_b 10.31.0.2; then
        ok "try-rollback: br0's delay, address and route back, br5 deleted, vm0 kept, no timer left"
else
        echo "  tried: $tried; rollback rc $rc"; show try; show rb
        diff <(echo "$before") <(echo "$after") | sed 's/^/  | /' || true
        fail "try-rollback"
fi

# ---- stp-off-short-delay: STP off before the delay STP would refuse ----
A ip link add br7 type bridge stp_state 1 forward_delay 400
printf 'version: 1\nbridges:\n  - name: br7\n    stp: false\n    forward-delay: 0\n' >"$work/br7.yaml"
set +e
bg s7 apply -c "$work/br7.yaml"; rc=$?
set -e
got="$rc $(A cat /sys/class/net/br7/bridge/stp_state) $(A cat /sys/class/net/br7/bridge/forward_delay)"
[ "$got" = "0 0 0" ] && grep -qx 'br7: set stp on -> off, forward_delay 4s -> 0s' "$work/s7" &&
        ok "stp-off-short-delay: STP off and forward_delay 0 in one apply" ||
        { show s7; fail "stp-off-short-delay: rc, stp_state, forward_delay: $got"; }
A ip link del br7

# ---- refused-name-taken: nothing is changed ----
sed 's/name: br0/name: p1/' "$work/br.yaml" >"$work/taken.yaml"
set +e
bg taken apply -c "$work/taken.yaml"; rc=$?
set -e
if [ $rc = 1 ] && grep -q "error: name: p1: an interface with this name exists and is not a bridge (kind 'veth')" "$work/taken" &&
   [ "$(basename "$(A readlink /sys/class/net/p0/master)")" = br0 ]; then
        ok "refused-name-taken: exit 1, named, nothing changed"
else
        show taken; fail "refused-name-taken (rc $rc)"
fi

# ---- prune-owned-only: br0 (apply made it) goes, brx (made by hand) stays ----
A ip link add brx type bridge
printf 'version: 1\n' >"$work/empty.yaml"
printf 'version: 1\nbridges:\n  - name: br9\n' >"$work/other.yaml"
bg pdry apply --dry-run --prune -c "$work/other.yaml" || true
bg prune apply --prune -c "$work/other.yaml"; rc=$?
if grep -qx 'br0: delete (not in the model, --prune)' "$work/pdry" && [ $rc = 0 ] &&
   ! A ip link show br0 >/dev/null 2>&1 && A ip link show brx >/dev/null 2>&1 && A ip link show br9 >/dev/null 2>&1 &&
   ! grep -q brx "$work/prune"; then
        ok "prune-owned-only: br0 deleted, brx kept, br9 made"
else
        show pdry; show prune; fail "prune-owned-only (rc $rc)"
fi

# ---- vlan-create-and-ping ----
if A ip link add link p1 name probe.7 type vlan id 7 2>/dev/null; then
        A ip link del probe.7
        ip -n "$b" link add link q1 name q1.100 type vlan id 100
        ip -n "$b" addr add 10.32.0.2/24 dev q1.100
        ip -n "$b" link set q1.100 up
        cat >"$work/vlan.yaml" <<EOM
version: 1
vlans:
  - name: p1.100
    id: 100
    link: p1
    ipv4:
      method: static
      addresses: [10.32.0.1/24]
EOM
        if bg vl apply -c "$work/vlan.yaml" && wait_until 10 ping_b 10.32.0.2 && grep -qx 'p1.100: up p1 (the VLAN.s link)' "$work/vl"; then
                ok "vlan-create-and-ping: p1.100 made, p1 up, 10.32.0.2 answers tagged"
        else
                show vl; fail "vlan-create-and-ping"
        fi
        bg vl2 apply -c "$work/vlan.yaml" && [ "$(cat "$work/vl2")" = "p1.100: nothing to do" ] &&
                ok "vlan-second-apply-nothing" || { show vl2; fail "vlan-second-apply-nothing"; }
else
        echo "skip: vlan-create-and-ping: this kernel has no 802.1Q VLAN support (kernel-vm-stack covers it)"
fi

if [ $n_fail -ne 0 ]; then echo "FAIL: $n_fail case(s)" >&2; exit 1; fi
echo PASS
