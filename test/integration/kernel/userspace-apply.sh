#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `bondgen apply` choosing and starting the user-space forwarder: in a
# namespace with two veth ports bridged to a peer namespace, apply with
# --backend userspace spawns `bondgend -c FILE BOND` detached (systemd is
# hidden from it), the bond carries traffic, and a second apply (also with
# --backend auto) compares it through its control socket, finds nothing
# to do and starts nothing.
#
#   ns bgk-PID-u: bondgend BOND = {p0, p1}     ns bgk-PID-p: bridge bgk-br
#                 10.79.0.1/24 (a TAP)                       10.79.0.2/24
#                 p0 ───────────── veth ───────────── bgk<pid>b0 ─┐
#                 p1 ───────────── veth ───────────── bgk<pid>b1 ─┴─ bgk-br
#   (apply runs in its own mount namespace with /run/systemd hidden)
# Cases:
#  usage          --backend sideways exits 2; a missing model exits 1
#  dry run        prints "start bondgend -c FILE BOND" and creates nothing
#  apply          reports "backend userspace"; BOND appears as a TAP,
#                 bondgend runs in the namespace, the peer answers a ping
#  re-apply       with --backend userspace and auto: "nothing to do", auto
#                 says it chose userspace, no second bondgend started
#  auto, new bond dry run of a new bond on other ports: kernel when this
#                 kernel has a bonding driver (loaded or a module), else
#                 userspace, with the reason
# Usage: userspace-apply.sh BONDGEN BONDGEND
set -euo pipefail
bondgen=$(realpath "${1:?usage: userspace-apply.sh BONDGEN BONDGEND}")
bondgend=$(realpath "${2:?usage: userspace-apply.sh BONDGEN BONDGEND}")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)" >&2; exit 77; }
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) missing" >&2; exit 77; }

ns=bgk-$$-u
peer=bgk-$$-p
bond=bgku$$
work=$(mktemp -d /tmp/bgk-$$-XXXXXX)
cleanup() {
        # only what runs in our own namespace: the bondgend we started
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        sleep 0.3
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
        ip netns del "$peer" 2>/dev/null || true
        rm -f "/run/bondgen/$bond.sock" "/run/bondgen/$bond.status" "/run/bondgen/$bond.json"
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
fail() { echo "FAIL: $*" >&2; exit 1; }

ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link set lo up
ip -n "$peer" link set lo up
ip -n "$peer" link add bgk-br type bridge
ip -n "$peer" addr add 10.79.0.2/24 dev bgk-br
ip -n "$peer" link set bgk-br up
for i in 0 1; do
        ip link add "bgk$$a$i" netns "$ns" type veth peer name "bgk$$b$i" netns "$peer"
        ip -n "$ns" link set "bgk$$a$i" name "p$i"
        ip -n "$peer" link set "bgk$$b$i" master bgk-br up
done

cat >"$work/model.yaml" <<EOM
version: 1
bonds:
  - name: $bond
    backend: userspace
    mode: active-backup
    options:
      miimon: 100
    ports:
      - name: p0
      - name: p1
    ipv4:
      method: static
      addresses: [10.79.0.1/24]
EOM

# In the namespace's own mount namespace: hide systemd (so apply spawns
# bondgend itself) and find bondgend on PATH.
in_ns() {
        ip netns exec "$ns" sh -c 'mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && PATH="$0:$PATH" exec "$@"' \
                "$(dirname "$bondgend")" "$@"
}

# the command line contract (bondgen(8): usage errors exit 2)
rc=0; "$bondgen" apply --backend sideways -c "$work/model.yaml" --dry-run >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "bad --backend: exit $rc, want 2"
rc=0; "$bondgen" apply -c "$work/missing.yaml" --dry-run >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "missing model: exit $rc, want 1"

out=$(in_ns "$bondgen" apply -c "$work/model.yaml" --dry-run 2>&1) || fail "dry run: $out"
echo "$out"
grep -q "^$bond: start bondgend -c $work/model.yaml $bond\$" <<<"$out" || fail "dry run does not show the start"
ip -n "$ns" link show "$bond" >/dev/null 2>&1 && fail "dry run started something"

out=$(in_ns "$bondgen" apply -c "$work/model.yaml" 2>&1) || fail "apply: $out"
echo "$out"
grep -q "^$bond: backend userspace\$" <<<"$out" || fail "backend not reported"
for _ in $(seq 100); do ip -n "$ns" link show "$bond" >/dev/null 2>&1 && break; sleep 0.1; done
ip -n "$ns" -d link show "$bond" | grep -q 'tun' || fail "no TAP $bond from bondgend"
[ -n "$(ip netns pids "$ns")" ] || fail "bondgend is not running"
ok=0
for _ in $(seq 20); do
        if ip netns exec "$ns" ping -c 1 -W 1 10.79.0.2 >/dev/null 2>&1; then ok=1; break; fi
        sleep 0.5
done
[ $ok = 1 ] || fail "no answer from the peer through the user-space bond"

n_before=$(ip netns pids "$ns" | wc -l)
for be in userspace auto; do
        out=$(in_ns "$bondgen" apply -c "$work/model.yaml" --backend "$be" 2>&1) || fail "re-apply: $out"
        echo "$out"
        grep -q "^$bond: nothing to do\$" <<<"$out" || fail "re-apply ($be): not reconciled in place"
done
grep -q "^$bond: backend auto: userspace (bondgend runs it)\$" <<<"$out" || fail "auto did not say what it chose"
[ "$(ip netns pids "$ns" | wc -l)" -eq "$n_before" ] || fail "a second bondgend was started"
# auto on a bond that does not exist yet: the kernel when this kernel has
# a bonding driver (loaded, or a module to load), else user space.
# Other ports: p0 and p1 are the running bond's, which this model does
# not name, and apply refuses to take them without --prune.
sed -e "s/name: $bond/name: ${bond}x/" -e 's/backend: userspace/backend: auto/' \
    -e 's/name: p0/name: q0/' -e 's/name: p1/name: q1/' "$work/model.yaml" >"$work/auto.yaml"
if [ -e /sys/class/net/bonding_masters ] || [ -e /sys/module/bonding ] ||
   grep -qs '/bonding\.ko' "/lib/modules/$(uname -r)/modules.dep" "/lib/modules/$(uname -r)/modules.builtin"; then
        want="${bond}x: backend auto: kernel (bonding driver available)"
else
        want="${bond}x: backend auto: userspace (no bonding driver in this kernel)"
fi
out=$(in_ns "$bondgen" apply -c "$work/auto.yaml" --dry-run 2>&1) || fail "auto dry run: $out"
echo "$out"
grep -qxF "$want" <<<"$out" || fail "auto: expected '$want'"
echo PASS
