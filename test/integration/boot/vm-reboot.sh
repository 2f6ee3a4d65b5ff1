#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "Drop your ifcfg files and reboot", end to end: the CentOS example's
# ifcfg files and modprobe.conf are the host configuration an initramfs is
# built from with mkinitramfs and bondgen's initramfs-tools hook (which
# converts them); Debian's kernel boots that image under qemu with two
# virtio NICs bridged to a peer namespace. The bond must come up in the
# init-premount phase with 10.10.10.1/24 and answer the peer's ping:
#   ns bgboot-$$-peer (qemu runs in it)         qemu VM: Debian's kernel, the image
#   bridge bgboot-br, 10.10.10.2/24
#     ├─ TAP bgboot-t0 ══ virtio-net 52:54:00:10:10:01 ══ eth0 ─┐
#     └─ TAP bgboot-t1 ══ virtio-net 52:54:00:10:10:02 ══ eth1 ─┴─ bond0 10.10.10.1/24
# There is no root file system: initramfs-tools is stopped before it would
# mount one (break=mount), with the bond up; the test then stops qemu.
# Cases:
#  image      mkinitramfs with bondgen's hook builds the image, which holds
#             bonding.ko; a copy without it is made
#  kernel     run 1, the image as built (the kernel's bonding driver):
#             10.10.10.1 answers the peer within 480 s, then at least 3 of
#             5 more pings; the console shows "bond0: backend auto: kernel"
#  userspace  run 2, the image without bonding.ko (bondgend): the same
#             pings; the console shows backend userspace and apply
#             starting bondgend on the converted /etc/bondgen/legacy.yaml
# Reuses the kernel backend's qemu harness (test/integration/kernel/vm-lib.sh).
# Usage: vm-reboot.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2
# shellcheck source=../kernel/vm-lib.sh
. "$src/test/integration/kernel/vm-lib.sh"

bgvm_check || exit 77
for t in mkinitramfs unmkinitramfs cpio ip; do
        command -v $t >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
[ -x "$build/src/fwd/bondgend" ] || { echo "SKIP: bondgend not built" >&2; exit 77; }

ns=bgboot-$$-peer
work=$(mktemp -d /tmp/bgboot-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        bgvm_stop_all
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGBOOT_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The "machine": its old configuration, and bondgen as installed.
bgvm_boot_machine "$work" "$src" "$build" || fail "staging the machine"

conf=$work/itconf
bgvm_itools_conf "$conf" "$build"
bgvm_itools_image "$conf" "$work" "$work/kernel.img" || fail "mkinitramfs"

# The same image without the bonding driver.
top=$BGVM_ITOP
n=$(find "$top" -name 'bonding.ko*' | wc -l)
[ "$n" -ge 1 ] || fail "bonding.ko not in the image"
find "$top" -name 'bonding.ko*' -delete
bgvm_pack "$top" "$work/userspace.img"

bgvm_boot_partner "$ns" || fail "partner namespace"
BGVM_WRAP="ip netns exec $ns"
BGVM_MEM=512
# No root file system exists: break=mount stops initramfs-tools after
# init-premount (where bondgen runs) and, with an empty panic=, leaves it in
# its shell instead of rebooting, so the bond stays up until the checks
# are done. (rootdelay= would not do: init-top/udev sleeps that long before
# anything else.)
BGVM_APPEND="root=/dev/disk/by-label/bgboot-none net.ifnames=0 break=mount panic="

run() {   # run NAME IMAGE BACKEND-ERE
        local name=$1 img=$2 backend=$3 t0=$SECONDS tap
        # shellcheck disable=SC2046
        bgvm_start "$name" "$img" -- $(bgvm_nic n0 bgboot-t0 52:54:00:10:10:01) $(bgvm_nic n1 bgboot-t1 52:54:00:10:10:02)
        for tap in bgboot-t0 bgboot-t1; do
                bgvm_wait_tap "$ns" "$tap" || { cat "$work/$name.qemu.log" >&2; fail "$name: qemu made no $tap"; }
                ip -n "$ns" link set "$tap" master bgboot-br
                ip -n "$ns" link set "$tap" up
        done
        local ok= deadline=$((SECONDS + 480))
        while [ $SECONDS -lt $deadline ]; do
                if ip netns exec "$ns" ping -c 1 -W 3 10.10.10.1 >/dev/null 2>&1; then
                        ok=1
                        break
                fi
                kill -0 "${BGVM_PID[$name]}" 2>/dev/null || break
                sleep 0.5
        done
        local took=$((SECONDS - t0))
        # A few more pings: the bond keeps answering, not just once.
        local answered=0
        if [ -n "$ok" ]; then
                answered=$(ip netns exec "$ns" ping -c 5 -i 0.5 -W 5 10.10.10.1 2>/dev/null |
                           sed -n 's/.* \([0-9]*\) received.*/\1/p')
        fi
        bgvm_stop "$name"
        echo "---- $name: console ----"
        tr -d '\r' <"${BGVM_LOG[$name]}" | grep -v '^$' | tail -40 || true
        echo "---- end ----"
        [ -n "$ok" ] || fail "$name: 10.10.10.1 never answered the peer's ping"
        [ "${answered:-0}" -ge 3 ] || fail "$name: only ${answered:-0} of 5 later pings answered"
        grep -qaE "$backend" "${BGVM_LOG[$name]}" ||
                fail "$name: the console does not show bond0 on the expected backend ($backend)"
        echo "ok: $name: bond0 up with 10.10.10.1/24, ping answered ${took}s after qemu started ($answered/5 after)"
        ip -n "$ns" link del bgboot-t0 2>/dev/null || true
        ip -n "$ns" link del bgboot-t1 2>/dev/null || true
}

run kernel "$work/kernel.img" "bond0: backend auto: kernel"
run userspace "$work/userspace.img" "bond0: backend auto: userspace"
grep -qa "start bondgend -c /etc/bondgen/legacy.yaml bond0" "${BGVM_LOG[userspace]}" ||
        fail "userspace: apply did not start bondgend on the converted model"
echo "drop-in-and-reboot: both backends passed"
