#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The user-space bond through systemd's switch-root: a dracut image with
# systemd in it (modules base, systemd, systemd-initrd, systemd-udevd,
# bondgen) and without bonding.ko, so bondgen-generator's
# bondgend@bond0.service (the initrd's bondgend-initrd@bond0.service, of
# which bondgend@ is an alias there) runs the bond in the initrd. The root
# is a tmpfs (root=tmpfs) that a unit of the test fills, before
# initrd-root-fs.target, with a copy of the image's own programs: a root
# with systemd, bondgen, the real bondgend@.service (no alias) and
# bondgend-initrd@.service with its drop-in as the package installs them,
# entered through initrd-cleanup.service's isolate of
# initrd-switch-root.target and initrd-switch-root.service's
# `systemctl switch-root`, while the peer pings the bond 100 times a
# second:
#   ns bgboot-$$-sr (qemu runs in it)            qemu VM: Debian's kernel, the image
#   bridge bgboot-br, 10.10.10.2/24
#     ├─ TAP bgboot-r0 ══ virtio-net 52:54:00:10:10:31 ══ eth0 ─┐
#     └─ TAP bgboot-r1 ══ virtio-net 52:54:00:10:10:32 ══ eth1 ─┴─ bond0 10.10.10.1/24
# The filling unit holds the switch until the guest has answered 50 of the
# stream's pings, so the stream covers the switch and the handover.
# Printed: pings lost and the longest gap, from the first answer to 2 s
# after the real root reports (the goal is none).
# Cases:
#  initrd     in the initrd, bondgend@bond0.service is the unit
#             bondgend-initrd@bond0.service, running as root, its argv[0]
#             starting with '@'
#  survives   early in the real root (before its bondgend@bond0 starts)
#             the initrd's bondgend still runs, its argv[0] starts with '@',
#             its program file is deleted (the initramfs is gone), and
#             systemd still knows it as the main process of
#             bondgend-initrd@bond0.service, active (loaded from the real
#             root's copy of that unit, kept by the boot's isolate)
#  handover   the real root's bondgend@bond0.service takes the bond over:
#             the console shows "took the bond over"; the initrd bondgend
#             exits within 10 s and its unit ends inactive, not failed;
#             bondgend@bond0.service is active with 0 restarts, runs the
#             real root's program, and answers status: the bond and both
#             ports up
#  pings      the stream went on through the switch and the handover: at
#             most 5% lost (the count and longest gap are printed)
# Reuses the kernel backend's qemu harness (test/integration/kernel/vm-lib.sh).
# Usage: vm-handover-systemd.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2
# shellcheck source=../kernel/vm-lib.sh
. "$src/test/integration/kernel/vm-lib.sh"

bgvm_check || exit 77
for t in dracut lsinitrd ip ping python3; do
        command -v $t >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
[ -x "$build/src/fwd/bondgend" ] || { echo "SKIP: bondgend not built" >&2; exit 77; }
[ -d /usr/lib/dracut/modules.d/01systemd-initrd ] || { echo "SKIP: dracut has no systemd-initrd module" >&2; exit 77; }

ns=bgboot-$$-sr
work=$(mktemp -d /tmp/bgboot-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        [ -n "$BGVM_STREAM" ] && kill "$BGVM_STREAM" 2>/dev/null
        bgvm_stop_all
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGBOOT_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bgvm_boot_machine "$work" "$src" "$build" || fail "staging the machine"
mkdir -p "$work/units" "$work/dconf" "$work/extra/etc/bgtest" "$work/extra/etc/systemd/system/initrd-root-fs.target.wants"
cp "$build/units/bondgen-apply.service" "$build/units/bondgend@.service" "$build/units/90-bondgen.rules" "$work/units/"
cp -a /usr/lib/dracut "$work/dracut"
mkdir -p "$work/dracut/modules.d/90bondgen"
install -m 755 "$build/units/module-setup.sh" "$build/units/bondgen-settled.sh" "$work/dracut/modules.d/90bondgen/"
install -m 644 "$build/units/bondgend-initrd.conf" "$work/dracut/modules.d/90bondgen/"

# The initrd's part of the test: fill the tmpfs root, once the bond has
# answered 50 echo requests.
cat >"$work/extra/etc/bgtest/fill-root.sh" <<'EOS'
#!/bin/sh
# the guest's IcmpInEchos (/proc/net/snmp)
echos() { awk '$1 == "Icmp:" && $2 ~ /^[0-9]+$/ { print $10; exit }' /proc/net/snmp; }
i=0
while [ "$(echos)" -lt 50 ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(systemctl show -P MainPID bondgend@bond0.service)
echo "BGSR: initrd: bondgend@bond0.service is $(systemctl show -P Id bondgend@bond0.service)" \
        "pid $pid uid $(awk '$1 == "Uid:" { print $2 }' /proc/$pid/status) argv0 '$(head -c 1 /proc/$pid/cmdline)'," \
        "after $(echos) echo requests"
echo "$pid" >/run/bgtest-initrd-pid
r=/sysroot
for d in usr etc bin sbin lib lib64; do
        [ -e "/$d" ] && cp -a "/$d" "$r/"
done
mkdir -p $r/dev $r/proc $r/sys $r/run $r/tmp $r/var $r/root
# a root, not an initrd: os-release of its own, no initrd-release
rm -f $r/etc/initrd-release $r/usr/lib/initrd-release $r/etc/os-release
cp /usr/lib/os-release $r/etc/os-release 2>/dev/null || printf 'NAME=bgtest\nID=bgtest\n' >$r/etc/os-release
# bondgen as the package installs it in a root: bondgend@.service itself
# instead of the initrd's alias, and bondgend-initrd@.service with its
# drop-in (what systemd loads for the initrd's unit after the switch)
u=$r/usr/lib/systemd/system
rm -f $u/bondgend@.service
cp $u/bondgend-initrd@.service $u/bondgend@.service
rm -f $r/etc/systemd/system/initrd-root-fs.target.wants/bgtest-fill-root.service
# the real root boots into the test's target
cp -a /etc/bgtest/real/. $r/etc/systemd/system/
ln -sf bgtest.target $r/etc/systemd/system/default.target
echo "BGSR: initrd: the root is filled; switching"
EOS
cat >"$work/extra/etc/systemd/system/bgtest-fill-root.service" <<'EOS'
[Unit]
Description=bondgen test: fill the tmpfs root
DefaultDependencies=no
Requires=sysroot.mount
After=sysroot.mount bondgen-apply.service
Before=initrd-root-fs.target
[Service]
Type=oneshot
RemainAfterExit=yes
StandardOutput=journal+console
ExecStart=/bin/sh /etc/bgtest/fill-root.sh
EOS
ln -s ../bgtest-fill-root.service "$work/extra/etc/systemd/system/initrd-root-fs.target.wants/"

# The real root's part: a target, a look at the initrd's bondgend before
# the real bondgend@bond0 starts, and the checks after it.
real=$work/extra/etc/bgtest/real
mkdir -p "$real/sysinit.target.wants" "$real/bgtest.target.wants"
cat >"$real/bgtest.target" <<'EOS'
[Unit]
Description=bondgen test: the real root
Requires=basic.target
After=basic.target
AllowIsolate=yes
EOS
cat >"$real/bgtest-early.service" <<'EOS'
[Unit]
Description=bondgen test: the initrd bondgend in the real root
DefaultDependencies=no
Before=bondgend@bond0.service bondgen-apply.service
[Service]
Type=oneshot
StandardOutput=journal+console
ExecStart=/bin/sh /etc/systemd/system/bgtest-early.sh
EOS
cat >"$real/bgtest-early.sh" <<'EOS'
#!/bin/sh
old=$(cat /run/bgtest-initrd-pid)
if [ -d /proc/$old ]; then
        a0=$(head -c 1 /proc/$old/cmdline)
        echo "BGSR: real: initrd bondgend pid $old argv0 '$a0' exe '$(readlink /proc/$old/exe)'"
else
        echo "BGSR: real: initrd bondgend pid $old did not survive the switch"
fi
u=bondgend-initrd@bond0.service
echo "BGSR: real: unit $u load $(systemctl show -P LoadState $u) state $(systemctl show -P ActiveState $u)" \
        "$(systemctl show -P SubState $u) main $(systemctl show -P MainPID $u)"
echo "BGSR: real: unit bondgend@bond0.service state $(systemctl show -P ActiveState bondgend@bond0.service)"
EOS
cat >"$real/bgtest-check.service" <<'EOS'
[Unit]
Description=bondgen test: after the takeover
After=bondgend@bond0.service bondgen-apply.service
[Service]
Type=oneshot
StandardOutput=journal+console
ExecStart=/bin/sh /etc/systemd/system/bgtest-check.sh
EOS
cat >"$real/bgtest-check.sh" <<'EOS'
#!/bin/sh
old=$(cat /run/bgtest-initrd-pid)
i=0
while [ -d /proc/$old ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -d /proc/$old ]; then echo "BGSR: real: initrd bondgend still runs"; else echo "BGSR: real: initrd bondgend gone"; fi
sleep 1
u=bondgend-initrd@bond0.service
echo "BGSR: real: after: $u state $(systemctl show -P ActiveState $u) result $(systemctl show -P Result $u)"
u=bondgend@bond0.service
pid=$(systemctl show -P MainPID $u)
echo "BGSR: real: after: $u state $(systemctl show -P ActiveState $u) restarts $(systemctl show -P NRestarts $u)" \
        "pid $pid exe '$(readlink /proc/$pid/exe)'"
bondgen status bond0 | while read -r a b c rest; do
        case "$a $b" in "Bonding Mode:") echo "BGSR: status mode $c $rest" ;; "MII Status:") echo "BGSR: status mii $c" ;; esac
done
echo "BGSR-DONE"
EOS
ln -s ../bgtest-early.service "$real/sysinit.target.wants/"
ln -s ../bgtest-check.service "$real/bgtest.target.wants/"

# gzip at its fastest (dracut's own gzip is -9 --rsyncable: ~7 s of CPU per image)
img=$work/sr.img
BONDGEN_SRC_SBINDIR=$work/sbin BONDGEN_SRC_LIBEXECDIR=$work/libexec BONDGEN_SRC_ROOT=$work/root \
BONDGEN_SRC_UNITDIR=$work/units BONDGEN_SRC_GENERATOR=$build/src/boot/bondgen-generator \
BONDGEN_SRC_MODDIR=$work/dracut/modules.d/90bondgen dracutbasedir=$work/dracut \
        dracut --force --no-hostonly --no-early-microcode --conf /dev/null --confdir "$work/dconf" \
        --compress "gzip -n -1" --modules "base systemd systemd-initrd systemd-udevd bondgen" \
        --add-drivers "virtio_pci virtio_net" --omit-drivers bonding --include "$work/extra" / \
        --install "awk head readlink tr cp" \
        --kver "$BGVM_KVER" "$img" >"$img.log" 2>&1 || { cat "$img.log" >&2; fail "dracut"; }
lsinitrd "$img" >"$img.list"
grep -q "system/bondgend-initrd@.service$" "$img.list" || fail "no bondgend-initrd@.service in the image"
grep -q "system/initrd-switch-root.service$" "$img.list" || fail "no initrd-switch-root.service in the image"
if grep -q "bonding.ko" "$img.list"; then fail "bonding.ko still in the image"; fi

bgvm_boot_partner "$ns" || fail "partner namespace"
BGVM_WRAP="ip netns exec $ns"
BGVM_MEM=1024
BGVM_APPEND="root=tmpfs net.ifnames=0 rd.timeout=600 systemd.journald.forward_to_console=1 systemd.show_status=0 ${BGSR_APPEND:-}"

bgvm_boot_stream sr "$img" "$ns" BGSR-DONE 400 bgboot-r0 52:54:00:10:10:31 bgboot-r1 52:54:00:10:10:32 || fail "the machine or its ping stream"
log=$(tr -d '\r' <"${BGVM_LOG[sr]}")
echo "---- console ----"; grep -aE "BGSR|bondgend|bond0|switch|Switch" <<<"$log" | tail -60; echo "---- end ----"
grep -q "BGSR-DONE" <<<"$log" || { tail -60 <<<"$log"; fail "the real root's checks did not finish"; }
grep -qE "BGSR: initrd: bondgend@bond0.service is bondgend-initrd@bond0.service pid [0-9]+ uid 0 argv0 '@'," <<<"$log" ||
        fail "in the initrd bondgend@bond0 is not the initrd's unit running as root"
echo "ok: initrd: bondgend@bond0.service is bondgend-initrd@bond0.service, as root"
grep -qE "BGSR: real: initrd bondgend pid [0-9]+ argv0 '@' exe '.*\(deleted\)'" <<<"$log" ||
        fail "the initrd bondgend did not survive the switch as a root-storage daemon"
ipid=$(sed -n 's/.*BGSR: initrd: bondgend@bond0.service is .* pid \([0-9]*\) uid .*/\1/p' <<<"$log" | head -1)
grep -qE "BGSR: real: unit bondgend-initrd@bond0.service load loaded state active running main $ipid\$" <<<"$log" ||
        fail "systemd in the real root does not know the initrd bondgend as its unit's main process"
echo "ok: survives: argv[0] '@', its program deleted, the main process of bondgend-initrd@bond0.service (running)"
grep -q "took the bond over" <<<"$log" || fail "the real root's bondgend did not log the takeover"
grep -q "BGSR: real: initrd bondgend gone" <<<"$log" || fail "the initrd bondgend did not hand over and exit"
grep -qE "BGSR: real: after: bondgend-initrd@bond0.service state inactive result success" <<<"$log" ||
        fail "the initrd unit did not end inactive: $(grep "after: bondgend-initrd" <<<"$log")"
grep -qE "BGSR: real: after: bondgend@bond0.service state active restarts 0 pid [0-9]+ exe '[^']*/bondgend'" <<<"$log" ||
        fail "the real root's bondgend@bond0 is not active with no restart: $(grep "after: bondgend@" <<<"$log")"
[ "$(grep -c "BGSR: status mii up" <<<"$log")" = 3 ] || fail "bond or ports not up after the handover: $(grep "BGSR: status" <<<"$log" | tr '\n' ' ')"
echo "ok: handover: the real root's bondgend@bond0 (no restart) took the bond over; the initrd unit ended inactive"
read -r gap lost sent < <(python3 - "$work/stream.log" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
seqs = sorted({int(m.group(1)) for m in re.finditer(r"icmp_seq=(\d+) ", t)})
m = re.search(r"(\d+) packets transmitted", t)
sent = int(m.group(1)) if m else (seqs[-1] if seqs else 0)
got = set(seqs); best = run = 0
for s in range(1, sent + 1):
    run = run + 1 if s not in got else 0
    best = max(best, run)
print(best * 10, sent - len(got), sent)
PY
)
[ "$sent" -gt 100 ] || fail "the ping stream sent only $sent"
[ $((lost * 20)) -le "$sent" ] || fail "$lost of $sent pings lost (longest gap $gap ms)"
echo "ok: 100/s ping stream through switch-root and handover: $lost of $sent lost, longest gap $gap ms"
