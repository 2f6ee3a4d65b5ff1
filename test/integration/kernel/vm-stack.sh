#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# VLANs and bridges over a kernel bond, in a VM (Debian's kernel has
# bonding, 8021q and bridge; this host's may lack 8021q): two virtio NICs
# on TAPs joined by a bridge in a host namespace. guest/stack.sh moves eth1
# into a peer namespace with VLANs of its own, applies guest/stack.yaml and
# checks pings per VLAN, isolation, idempotence, diff, reconciliation,
# --prune and the rollback of an unconfirmed --try of VLANs and a bridge.
#
#   host ns bgv-PID-host, bridge bgv-br      qemu guest
#     ├─ TAP bgv-tap0 ──── virtio n0 ──── eth0 52:54:00:78:00:10 (bond0)
#     └─ TAP bgv-tap1 ──── virtio n1 ──── eth1 52:54:00:78:00:11 (peer ns)
#   the guest's own namespaces, VLANs and bridge are drawn in
#   guest/stack.sh, which holds the Cases.
# Usage: vm-stack.sh BONDGEN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

bondgen=${1:?usage: vm-stack.sh BONDGEN}
bgvm_check || exit 77
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) missing" >&2; exit 77; }

ns=bgv-$$-host
work=$(mktemp -d /tmp/bgv-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        bgvm_stop_all
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGK_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add bgv-br type bridge
ip -n "$ns" link set bgv-br up

d=$(bgvm_initramfs_new "$work")
bgvm_add_binary "$d" "$bondgen"
# iproute2's ip and jq for the dumps the --try case compares (busybox's ip
# has no -d -j)
for b in ip jq; do
        p=$(command -v $b) || { echo "SKIP: $b missing" >&2; exit 77; }
        bgvm_add_binary "$d" "$(readlink -f "$p")"
done
bgvm_add_modules "$d" bonding 8021q bridge virtio_net virtio_pci
for f in lib.sh stack.sh stack.yaml stack-pruned.yaml stack-try.yaml stack-try-bad.yaml; do bgvm_add_file "$d" "$here/guest/$f" "/bgvm/$f"; done
mv "$d/bgvm/stack.sh" "$d/bgvm/test.sh"
chmod 755 "$d/bgvm/test.sh"
bgvm_pack "$d" "$work/initrd.gz"

BGVM_WRAP="ip netns exec $ns"
# shellcheck disable=SC2046
bgvm_start vm "$work/initrd.gz" -- $(bgvm_nic n0 bgv-tap0 52:54:00:78:00:10) $(bgvm_nic n1 bgv-tap1 52:54:00:78:00:11)
for tap in bgv-tap0 bgv-tap1; do
        bgvm_wait_tap "$ns" "$tap" || { echo "FAIL: qemu made no $tap" >&2; cat "$work/vm.qemu.log" >&2; exit 1; }
        ip -n "$ns" link set "$tap" master bgv-br
        ip -n "$ns" link set "$tap" up
done
if ! bgvm_wait vm 'BGVM-BOOTED' 300; then
        echo "FAIL: the VM did not boot" >&2
        cat "$work/vm.serial" "$work/vm.qemu.log" >&2
        exit 1
fi
bgvm_wait vm 'BGVM-DONE' 300 || echo "FAIL: the test in the VM did not finish" >&2
bgvm_stop vm
status=0
bgvm_results vm || status=1
echo "kernel $BGVM_KVER, accel $(bgvm_accel), whole test ${SECONDS}s"
if [ $status -ne 0 ]; then echo "FAIL" >&2; exit 1; fi
echo "PASS"
