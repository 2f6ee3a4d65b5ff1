#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The kernel backend in a VM: Debian's kernel (bonding.ko) under qemu,
# two virtio NICs on TAP devices bridged in a host namespace that holds the
# peer addresses. Inside, guest/test.sh runs `bondgen apply` for
# balance-rr, re-applies (nothing to do), reconciles to active-backup, and
# checks failover when the host pulls eth0's link from the qemu monitor.
# Usage: vm-apply.sh BONDGEN   (meson passes the built binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

bondgen=${1:?usage: vm-apply.sh BONDGEN}
bgvm_check || exit 77
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) missing" >&2; exit 77; }

ns=bgk-$$-host
work=$(mktemp -d /tmp/bgk-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        bgvm_stop_all
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGK_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

t_start=$SECONDS

# The peer: a bridge with the VM's two TAPs as ports, 10.77.0.2 (on the
# bond's subnet) and 10.78.0.1 (reached through the model's route).
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add bgk-br type bridge
ip -n "$ns" addr add 10.77.0.2/24 dev bgk-br
ip -n "$ns" addr add 10.78.0.1/24 dev bgk-br
ip -n "$ns" link set bgk-br up

d=$(bgvm_initramfs_new "$work")
bgvm_add_binary "$d" "$bondgen"
bgvm_add_modules "$d" bonding virtio_net virtio_pci
for f in lib.sh test.sh rr.yaml ab.yaml bad.yaml; do bgvm_add_file "$d" "$here/guest/$f" "/bgvm/$f"; done
chmod 755 "$d/bgvm/test.sh"
bgvm_pack "$d" "$work/initrd.gz"

BGVM_WRAP="ip netns exec $ns"
t_boot=$SECONDS
# shellcheck disable=SC2046
bgvm_start vm "$work/initrd.gz" -- $(bgvm_nic n0 bgk-tap0 52:54:00:77:00:10) $(bgvm_nic n1 bgk-tap1 52:54:00:77:00:11)

# qemu creates the TAPs as it starts; put them on the bridge at once.
for tap in bgk-tap0 bgk-tap1; do
        bgvm_wait_tap "$ns" "$tap" || { echo "FAIL: qemu made no $tap" >&2; cat "$work/vm.qemu.log" >&2; exit 1; }
        ip -n "$ns" link set "$tap" master bgk-br
        ip -n "$ns" link set "$tap" up
done

if ! bgvm_wait vm 'BGVM-BOOTED' 120; then
        echo "FAIL: the VM did not boot" >&2
        cat "$work/vm.serial" "$work/vm.qemu.log" >&2
        exit 1
fi
boot_s=$((SECONDS - t_boot))

bgvm_wait vm 'BGVM-REQUEST set_link n0 off|BGVM-DONE' 240 || true
if grep -qa 'BGVM-REQUEST set_link n0 off' "$work/vm.serial"; then
        bgvm_monitor vm 'set_link n0 off'
fi
bgvm_wait vm 'BGVM-DONE' 120 || echo "FAIL: the test in the VM did not finish" >&2
bgvm_stop vm

uptime_boot=$(tr -d '\r' <"$work/vm.serial" | sed -n 's/^BGVM-BOOTED uptime=\(.*\)$/\1/p')
status=0
bgvm_results vm || status=1
echo "kernel $BGVM_KVER, accel $(bgvm_accel): qemu start to /init ${boot_s}s (guest uptime ${uptime_boot}s), whole test $((SECONDS - t_start))s"
if [ $status -ne 0 ]; then echo "FAIL" >&2; exit 1; fi
echo "PASS"
