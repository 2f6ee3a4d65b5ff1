#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The kernel backend in a VM: Debian's kernel (bonding.ko) under qemu,
# two virtio NICs on TAP devices bridged in a host namespace that holds the
# peer addresses. Inside, guest/test.sh runs `bondgen apply` for
# balance-rr, re-applies (nothing to do), reconciles to active-backup, and
# checks failover when the host pulls eth0's link from the qemu monitor.
#
#   host ns bgk-PID-host                     qemu guest (busybox /init)
#   bridge bgk-br 10.77.0.2/24 10.78.0.1/24  bond0 10.77.0.1/24, fd77::1/64
#     ├─ TAP bgk-tap0 ──── virtio n0 ──── eth0 52:54:00:77:00:10 ─┐
#     └─ TAP bgk-tap1 ──── virtio n1 ──── eth1 52:54:00:77:00:11 ─┴─ bond0
#   (route 10.78.0.0/24 via 10.77.0.2 in the guest's model)
# Cases: one BGVM-RESULT per check, listed in the header of the guest
# script run (guest/test.sh for kernel-vm-apply, guest/safe.sh for
# kernel-vm-safe); the host adds, when the guest printed them:
#  diff --json    the BGVM-DIFFJSON document parses (python3 json) with
#                 drift true, bond0, backend kernel and "enslave eth1"
#  metrics        the BGVM-OM / BGVM-PROM dumps parse with prometheus_client
#                 (metrics-check.py) and name bond0 active-backup, kernel,
#                 eth0 and eth1
#  set_link       on BGVM-REQUEST the host pulls n0's link (qemu monitor)
# Usage: vm-apply.sh BONDGEN [GUEST-SCRIPT]   (meson passes the built binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

bondgen=${1:?usage: vm-apply.sh BONDGEN [GUEST-SCRIPT]}
# guest/test.sh by default; guest/safe.sh checks diff, the transaction,
# --prune, --try/confirm and the bond's MAC
script=${2:-test.sh}
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
# the udev helper, where the build has it (guest/test.sh's hotplug case)
hotplug=$(dirname "$bondgen")/../boot/bondgen-hotplug
[ -x "$hotplug" ] && bgvm_add_binary "$d" "$hotplug"
bgvm_add_modules "$d" bonding virtio_net virtio_pci
for f in lib.sh "$script" rr.yaml ab.yaml bad.yaml try-bad.yaml; do bgvm_add_file "$d" "$here/guest/$f" "/bgvm/$f"; done
[ "$script" = test.sh ] || mv "$d/bgvm/$script" "$d/bgvm/test.sh"
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

if ! bgvm_wait vm 'BGVM-BOOTED' 300; then
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
# diff --json must be JSON a real parser takes, with the drift it names
json=$(tr -d '\r' <"$work/vm.serial" | sed -n 's/^BGVM-DIFFJSON //p')
# metrics: both formats through the prometheus_client parsers
if grep -qa '^BGVM-OM ' "$work/vm.serial"; then
        tr -d '\r' <"$work/vm.serial" | sed -n 's/^BGVM-OM //p' >"$work/m.om"
        tr -d '\r' <"$work/vm.serial" | sed -n 's/^BGVM-PROM //p' >"$work/m.prom"
        if /usr/bin/python3 "$here/../metrics-check.py" "$work/m.om" "$work/m.prom" bond0:active-backup:kernel:eth0,eth1; then
                echo "metrics: parsed by prometheus_client (OpenMetrics and text format)"
        else
                echo "FAIL: metrics did not parse or lack the bond" >&2; status=1
        fi
fi
if [ -n "$json" ]; then
        if python3 -c 'import json, sys
d = json.loads(sys.argv[1])
b = d["bonds"][0]
assert d["drift"] is True and b["name"] == "bond0" and b["backend"] == "kernel", d
assert {"kind": "enslave", "port": "eth1", "text": "enslave eth1"} in b["changes"], b' "$json"; then
                echo "diff --json: parsed by python3 json, drift and changes as expected"
        else
                echo "FAIL: diff --json did not parse or lacks the drift: $json" >&2; status=1
        fi
fi
echo "kernel $BGVM_KVER, accel $(bgvm_accel): qemu start to /init ${boot_s}s (guest uptime ${uptime_boot}s), whole test $((SECONDS - t_start))s"
if [ $status -ne 0 ]; then echo "FAIL" >&2; exit 1; fi
echo "PASS"
