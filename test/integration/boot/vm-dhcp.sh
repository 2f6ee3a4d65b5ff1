#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "Drop your ifcfg files and reboot" for a DHCP bond (BOOTPROTO=dhcp on
# ifcfg-bond0): the bond must get its address from a DHCP server at boot,
# from the DHCP client the image has (bondgen(8) DHCP):
#   ns bgboot-$$-dpeer (qemu runs in it)        qemu VM: Debian's kernel, the image
#   bridge bgboot-br, 10.10.10.2/24
#   dnsmasq: 52:54:00:10:10:2x -> 10.10.10.77
#     ├─ TAP bgboot-d0 ══ virtio-net 52:54:00:10:10:21 ══ eth0 ─┐
#     └─ TAP bgboot-d1 ══ virtio-net 52:54:00:10:10:22 ══ eth1 ─┴─ bond0 (dhcp)
# There is no root file system; the bond comes up in the initramfs, before
# the root would be mounted, and the test stops qemu when it has checked.
# Cases:
#  images     dracut builds an image with systemd, systemd-networkd and
#             bonding.ko; mkinitramfs (initramfs-tools) builds one without
#             bonding.ko, with klibc's ipconfig
#  networkd   run 1, dracut + systemd (kernel bond): bondgen-apply.service
#             hands bond0's DHCP to systemd-networkd in the initrd (the
#             console shows the runtime .network file), dnsmasq leases
#             10.10.10.77 to the bond's MAC and 10.10.10.77 answers the
#             peer's ping, then at least 3 of 5 more
#  ipconfig   run 2, initramfs-tools (bondgend, no bonding.ko): apply runs
#             klibc's ipconfig on bond0 (the console shows it and its
#             "IP-Config: bond0 complete"), the same lease and pings
# Reuses the qemu harness of test/integration/kernel/vm-lib.sh.
# Usage: vm-dhcp.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2
# shellcheck source=../kernel/vm-lib.sh
. "$src/test/integration/kernel/vm-lib.sh"
# shellcheck source=../wait.sh
. "$src/test/integration/wait.sh"

bgvm_check || exit 77
for t in dracut lsinitrd mkinitramfs unmkinitramfs cpio ip dnsmasq; do
        command -v $t >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
[ -d /usr/lib/dracut/modules.d/01systemd-networkd ] ||
        { echo "SKIP: dracut's systemd-networkd module missing (dracut-network)" >&2; exit 77; }
[ -x /usr/lib/klibc/bin/ipconfig ] || { echo "SKIP: klibc's ipconfig missing (klibc-utils)" >&2; exit 77; }
[ -x "$build/src/fwd/bondgend" ] || { echo "SKIP: bondgend not built" >&2; exit 77; }

ns=bgboot-$$-dpeer
work=$(mktemp -d /tmp/bgboot-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        bgvm_stop_all
        [ -s "$work/dnsmasq.pid" ] && kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGBOOT_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The "machine": a DHCP bond in initscripts' files, and bondgen as installed.
nsd=$work/root/etc/sysconfig/network-scripts
mkdir -p "$nsd" "$work/sbin" "$work/libexec" "$work/units" "$work/dconf"
printf 'DEVICE=bond0\nTYPE=Bond\nBONDING_MASTER=yes\nBOOTPROTO=dhcp\nONBOOT=yes\nBONDING_OPTS="mode=active-backup miimon=100"\n' \
        >"$nsd/ifcfg-bond0"
for i in 0 1; do
        printf 'DEVICE=eth%s\nMASTER=bond0\nSLAVE=yes\nBOOTPROTO=none\nONBOOT=yes\n' $i >"$nsd/ifcfg-eth$i"
done
cp "$build/src/cli/bondgen" "$build/src/fwd/bondgend" "$work/sbin/"
cp "$build/src/boot/bondgen-cmdline" "$build/src/boot/bondgen-hotplug" "$build/units/bondgen-initrd-up" "$work/libexec/"
cp "$build/units/bondgen-apply.service" "$build/units/bondgend@.service" "$build/units/90-bondgen.rules" "$work/units/"

# ---- images ----
cp -a /usr/lib/dracut "$work/dracut"
mkdir -p "$work/dracut/modules.d/90bondgen"
install -m 755 "$build/units/module-setup.sh" "$build/units/bondgen-settled.sh" "$work/dracut/modules.d/90bondgen/"
install -m 644 "$build/units/bondgend-initrd.conf" "$work/dracut/modules.d/90bondgen/"
# gzip at its fastest (dracut's own gzip is -9 --rsyncable: ~7 s of CPU per image)
BONDGEN_SRC_SBINDIR=$work/sbin BONDGEN_SRC_LIBEXECDIR=$work/libexec BONDGEN_SRC_ROOT=$work/root \
BONDGEN_SRC_UNITDIR=$work/units BONDGEN_SRC_GENERATOR=$build/src/boot/bondgen-generator \
BONDGEN_SRC_MODDIR=$work/dracut/modules.d/90bondgen dracutbasedir=$work/dracut \
        dracut --force --no-hostonly --no-early-microcode --conf /dev/null --confdir "$work/dconf" \
        --compress "gzip -n -1" --modules "base systemd systemd-udevd systemd-networkd bondgen" \
        --add-drivers "virtio_pci virtio_net" --kver "$BGVM_KVER" "$work/networkd.img" >"$work/dracut.log" 2>&1 ||
        { cat "$work/dracut.log" >&2; fail "dracut"; }
lsinitrd "$work/networkd.img" >"$work/networkd.list"
for f in system-generators/bondgen-generator systemd-networkd bonding.ko; do
        grep -q "$f" "$work/networkd.list" || fail "images: $f not in the dracut image"
done

conf=$work/itconf
bgvm_itools_conf "$conf" "$build"
bgvm_itools_image "$conf" "$work" "$work/it.img" || fail "mkinitramfs"
top=$BGVM_ITOP
find "$top" -name 'bonding.ko*' -delete
[ -x "$top/bin/ipconfig" ] || [ -x "$top/usr/bin/ipconfig" ] || fail "images: ipconfig not in the initramfs-tools image"
bgvm_pack "$top" "$work/ipconfig.img"
echo "ok: images: dracut with systemd-networkd and bonding.ko; initramfs-tools with ipconfig, without bonding.ko"

# ---- the peer: a bridge and a DHCP server that gives the bond 10.10.10.77 ----
bgvm_boot_partner "$ns" || fail "partner namespace"
ip netns exec "$ns" dnsmasq --conf-file=/dev/null --keep-in-foreground --log-facility=- --port=0 --no-resolv --no-hosts --user=root \
        --interface=bgboot-br --bind-interfaces --dhcp-range=10.10.10.50,10.10.10.99,255.255.255.0,10m \
        --dhcp-host=52:54:00:10:10:21,52:54:00:10:10:22,10.10.10.77 \
        --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" --log-dhcp 2>"$work/dnsmasq.log" &
wait_until 10 test -s "$work/dnsmasq.pid" || fail "dnsmasq did not start: $(cat "$work/dnsmasq.log")"
BGVM_WRAP="ip netns exec $ns"
BGVM_MEM=768

run() {   # run NAME IMAGE APPEND CONSOLE-ERE...
        local name=$1 img=$2 t0=$SECONDS tap re seen
        seen=$(wc -l <"$work/dnsmasq.log")
        BGVM_APPEND=$3
        shift 3
        # shellcheck disable=SC2046
        bgvm_start "$name" "$img" -- $(bgvm_nic n0 bgboot-d0 52:54:00:10:10:21) $(bgvm_nic n1 bgboot-d1 52:54:00:10:10:22)
        for tap in bgboot-d0 bgboot-d1; do
                bgvm_wait_tap "$ns" "$tap" || { cat "$work/$name.qemu.log" >&2; fail "$name: qemu made no $tap"; }
                ip -n "$ns" link set "$tap" master bgboot-br
                ip -n "$ns" link set "$tap" up
        done
        local ok= deadline=$((SECONDS + 480))
        while [ $SECONDS -lt $deadline ]; do
                if ip netns exec "$ns" ping -c 1 -W 3 10.10.10.77 >/dev/null 2>&1; then
                        ok=1
                        break
                fi
                kill -0 "${BGVM_PID[$name]}" 2>/dev/null || break
                sleep 0.5
        done
        local took=$((SECONDS - t0)) answered=0
        if [ -n "$ok" ]; then
                answered=$(ip netns exec "$ns" ping -c 5 -i 0.5 -W 5 10.10.10.77 2>/dev/null |
                           sed -n 's/.* \([0-9]*\) received.*/\1/p')
        fi
        bgvm_stop "$name"
        echo "---- $name: console (bondgen, bond0, DHCP lines) ----"
        tr -d '\r' <"${BGVM_LOG[$name]}" | grep -aiE "bondgen|bond0|dhcp|ip-config" | tail -30 || true
        echo "----"
        [ -n "$ok" ] || { tr -d '\r' <"${BGVM_LOG[$name]}" | tail -60 >&2; cat "$work/dnsmasq.log" >&2
                          fail "$name: 10.10.10.77 (the bond's lease) never answered the peer's ping"; }
        [ "${answered:-0}" -ge 3 ] || fail "$name: only ${answered:-0} of 5 later pings answered"
        for re in "$@"; do
                grep -qaE "$re" "${BGVM_LOG[$name]}" || fail "$name: the console does not show: $re"
        done
        tail -n +$((seen + 1)) "$work/dnsmasq.log" | grep -qE "DHCPACK\(bgboot-br\) 10\.10\.10\.77 52:54:00:10:10:2[12]" ||
                fail "$name: dnsmasq acknowledged no lease of 10.10.10.77"
        echo "ok: $name: bond0 got 10.10.10.77 by DHCP; ping answered ${took}s after qemu started ($answered/5 after)"
        ip -n "$ns" link del bgboot-d0 2>/dev/null || true
        ip -n "$ns" link del bgboot-d1 2>/dev/null || true
}

# The root never appears; systemd waits for it long after the checks.
run networkd "$work/networkd.img" \
        "root=/dev/disk/by-label/bgboot-none net.ifnames=0 rd.timeout=600 systemd.journald.forward_to_console=1 systemd.show_status=0" \
        "bond0: backend auto: kernel" "bond0: DHCP: hand to systemd-networkd \(/run/systemd/network/05-bondgen-bond0.network\)"
# break=mount stops initramfs-tools after init-premount, where bondgen runs.
run ipconfig "$work/ipconfig.img" "root=/dev/disk/by-label/bgboot-none net.ifnames=0 break=mount panic=" \
        "bond0: backend auto: userspace" \
        "bond0: DHCP: /(usr/)?bin/ipconfig, up to 30 s" "IP-Config: bond0 complete"
echo PASS
