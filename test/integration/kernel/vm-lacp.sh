#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# 802.3ad interoperability: the VM's kernel bond (bondgen apply, Debian's
# bonding.ko) against bondgend on the host, whose two ports are the TAPs of
# the VM's NICs in a host namespace. Both LACP implementations must reach
# collecting+distributing and pass traffic, and keep passing it when one
# link goes down (qemu monitor set_link).
#
#   host ns bgk-PID-lacp                       qemu guest (busybox /init)
#   bondgend bgkh<pid> 802.3ad, 10.77.0.2/24   bond0 802.3ad, 10.77.0.1/24
#     ├─ TAP bgk-tap0 ──── virtio n0 ──── eth0 52:54:00:77:00:10 ─┐
#     └─ TAP bgk-tap1 ──── virtio n1 ──── eth1 52:54:00:77:00:11 ─┴─ bond0
# Cases: the guest's are listed in guest/ad-test.sh; when the guest asks
# (BGVM-REQUEST host-check) the host checks, then pulls n1's link:
#  bondgend-ports-collecting-distributing   both ports in bondgen status
#  bondgend-partner-is-the-vm  partner MAC is one of the VM's NICs
#  bondgend-pings-vm           10.77.0.1 answers from the host namespace
#  vm-reached-host-check       (fails if the guest never asked)
# Usage: vm-lacp.sh BONDGEN BONDGEND
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

bondgen=$(realpath "${1:?usage: vm-lacp.sh BONDGEN BONDGEND}")
bondgend=$(realpath "${2:?usage: vm-lacp.sh BONDGEN BONDGEND}")
bgvm_check || exit 77
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) missing" >&2; exit 77; }

ns=bgk-$$-lacp
hbond=bgkh$$
work=$(mktemp -d /tmp/bgk-$$-XXXXXX)
BGVM_DIR=$work
fwd_pid=
cleanup() {
        bgvm_stop_all
        if [ -n "$fwd_pid" ]; then kill "$fwd_pid" 2>/dev/null || true; wait "$fwd_pid" 2>/dev/null || true; fi
        ip netns del "$ns" 2>/dev/null || true
        rm -f "/run/bondgen/$hbond.sock" "/run/bondgen/$hbond.status" "/run/bondgen/$hbond.json"
        if [ "${BGK_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT
t_start=$SECONDS

ip netns add "$ns"
ip -n "$ns" link set lo up
cat >"$work/host.yaml" <<EOM
version: 1
bonds:
  - name: $hbond
    backend: userspace
    mode: 802.3ad
    options:
      miimon: 100
      lacp_rate: fast
      xmit_hash_policy: layer3+4
    ports:
      - name: bgk-tap0
      - name: bgk-tap1
    ipv4:
      method: static
      addresses: [10.77.0.2/24]
EOM

d=$(bgvm_initramfs_new "$work")
bgvm_add_binary "$d" "$bondgen"
bgvm_add_modules "$d" bonding virtio_net virtio_pci
for f in lib.sh ad-test.sh ad.yaml; do bgvm_add_file "$d" "$here/guest/$f" "/bgvm/$f"; done
mv "$d/bgvm/ad-test.sh" "$d/bgvm/test.sh"
chmod 755 "$d/bgvm/test.sh"
bgvm_pack "$d" "$work/initrd.gz"

BGVM_WRAP="ip netns exec $ns"
t_boot=$SECONDS
# shellcheck disable=SC2046
bgvm_start vm "$work/initrd.gz" -- $(bgvm_nic n0 bgk-tap0 52:54:00:77:00:10) $(bgvm_nic n1 bgk-tap1 52:54:00:77:00:11)
for tap in bgk-tap0 bgk-tap1; do
        bgvm_wait_tap "$ns" "$tap" || { echo "FAIL: qemu made no $tap" >&2; cat "$work/vm.qemu.log" >&2; exit 1; }
done
# The partner: bondgend with the two TAPs as ports.
ip netns exec "$ns" "$bondgend" -c "$work/host.yaml" "$hbond" >"$work/bondgend.log" 2>&1 &
fwd_pid=$!

if ! bgvm_wait vm 'BGVM-BOOTED' 120; then
        echo "FAIL: the VM did not boot" >&2; cat "$work/vm.serial" "$work/vm.qemu.log" >&2; exit 1
fi
boot_s=$((SECONDS - t_boot))

host_fail=0
hresult() { if [ "$2" = 0 ]; then echo "host: PASS $1"; else echo "host: FAIL $1: $3"; host_fail=$((host_fail + 1)); fi; }
if bgvm_wait vm 'BGVM-REQUEST host-check|BGVM-DONE' 180 && grep -qa 'BGVM-REQUEST host-check' "$work/vm.serial"; then
        status=$(ip netns exec "$ns" "$bondgen" status "$hbond" 2>&1 || true)
        echo "$status" | sed 's/^/  bondgend | /'
        n=$(grep -c 'collecting_distributing' <<<"$status" || true)
        hresult bondgend-ports-collecting-distributing "$([ "$n" -ge 2 ] && echo 0 || echo 1)" "$n port(s)"
        grep -q 'Partner Mac Address: 52:54:00:77:00:1[01]' <<<"$status"
        hresult bondgend-partner-is-the-vm $? "partner MAC not the VM bond's"
        ok=1
        for _ in 1 2 3 4 5; do ip netns exec "$ns" ping -c 1 -W 2 10.77.0.1 >/dev/null 2>&1 && { ok=0; break; }; done
        hresult bondgend-pings-vm $ok "no answer from 10.77.0.1"
        bgvm_monitor vm 'set_link n1 off'
else
        hresult vm-reached-host-check 1 "the VM never asked"
fi
bgvm_wait vm 'BGVM-DONE' 120 || echo "FAIL: the test in the VM did not finish" >&2
bgvm_stop vm

status=0
bgvm_results vm || status=1
[ $host_fail -eq 0 ] || status=1
echo "kernel $BGVM_KVER, accel $(bgvm_accel): qemu start to /init ${boot_s}s, whole test $((SECONDS - t_start))s"
if [ $status -ne 0 ]; then
        echo "---- bondgend log ----"; cat "$work/bondgend.log"
        echo "FAIL" >&2; exit 1
fi
echo "PASS"
