#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "Drop your ifcfg files and reboot" with systemd in the initrd: a dracut
# image (modules base, systemd, systemd-udevd, bondgen) built from the
# CentOS example's files. In the guest, systemd runs bondgen-generator,
# which links bondgen-apply.service into the boot; the bond must come up
# with 10.10.10.1/24 and answer the peer's ping. Shows that the generator,
# its drop-ins and the units work under a real service manager:
#   ns bgboot-$$-sdpeer (qemu runs in it)       qemu VM: Debian's kernel, the image
#   bridge bgboot-br, 10.10.10.2/24
#     ├─ TAP bgboot-s0 ══ virtio-net 52:54:00:10:10:11 ══ eth0 ─┐
#     └─ TAP bgboot-s1 ══ virtio-net 52:54:00:10:10:12 ══ eth1 ─┴─ bond0 10.10.10.1/24
# The root never appears; the bond comes up in sysinit, long before
# systemd gives up on it (rd.timeout).
# Cases:
#  images     dracut builds both images with the generator in them;
#             bonding.ko is in the first and not in the second
#             (--omit-drivers bonding)
#  kernel     run 1, with bonding.ko (bondgen-apply.service, kernel bond):
#             10.10.10.1 answers the peer within 480 s, then at least 3 of
#             5 more pings; the console shows "Finished
#             bondgen-apply.service" and "bond0: backend auto: kernel"
#  userspace  run 2, without it (the generator links bondgend@bond0.service,
#             which runs in its sandbox, and apply finds it running): the
#             same pings; the console shows "Started
#             bondgend-initrd@bond0.service" (the initrd's name of the unit,
#             of which bondgend@ is an alias there),
#             backend userspace and "Finished bondgen-apply.service"
#  restart    run 2 also has a unit of the test (bgtest-restart.service,
#             after bondgen-apply.service) that changes miimon 100 -> 250
#             live with `bondgen apply`, then `systemctl restart
#             bondgend@bond0.service`: the console shows apply writing
#             /run/bondgen/bond0.yaml and miimon 250 both before and after
#             the restart (the generator's drop-in passes --prefer-handed)
#  run dir    in both runs bondgend keeps its run directory: no
#             RuntimeDirectory= migration of /run/private/bondgen, no
#             "cannot write /run/bondgen", no "cannot listen on the control
#             socket" on the console
# Reuses the qemu harness of test/integration/kernel/vm-lib.sh.
# Usage: vm-reboot-systemd.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2
# shellcheck source=../kernel/vm-lib.sh
. "$src/test/integration/kernel/vm-lib.sh"
# shellcheck source=../wait.sh
. "$src/test/integration/wait.sh"

bgvm_check || exit 77
for t in dracut lsinitrd ip; do
        command -v $t >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
[ -x "$build/src/fwd/bondgend" ] || { echo "SKIP: bondgend not built" >&2; exit 77; }

ns=bgboot-$$-sdpeer
work=$(mktemp -d /tmp/bgboot-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        bgvm_stop_all
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGBOOT_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bgvm_boot_machine "$work" "$src" "$build" || fail "staging the machine"
mkdir -p "$work/units" "$work/dconf"
cp "$build/units/bondgen-apply.service" "$build/units/bondgend@.service" "$build/units/90-bondgen.rules" "$work/units/"
cp -a /usr/lib/dracut "$work/dracut"
mkdir -p "$work/dracut/modules.d/90bondgen"
install -m 755 "$build/units/module-setup.sh" "$build/units/bondgen-settled.sh" "$work/dracut/modules.d/90bondgen/"
install -m 644 "$build/units/bondgend-initrd.conf" "$work/dracut/modules.d/90bondgen/"
# gzip at its fastest (dracut's own gzip is -9 --rsyncable: ~7 s of CPU per image)
mkimage() {   # mkimage IMAGE [DRACUT ARGS...]
        local img=$1
        shift
        BONDGEN_SRC_SBINDIR=$work/sbin BONDGEN_SRC_LIBEXECDIR=$work/libexec BONDGEN_SRC_ROOT=$work/root \
        BONDGEN_SRC_UNITDIR=$work/units BONDGEN_SRC_GENERATOR=$build/src/boot/bondgen-generator \
        BONDGEN_SRC_MODDIR=$work/dracut/modules.d/90bondgen dracutbasedir=$work/dracut \
                dracut --force --no-hostonly --no-early-microcode --conf /dev/null --confdir "$work/dconf" \
                --compress "gzip -n -1" --modules "base systemd systemd-udevd bondgen" \
                --add-drivers "virtio_pci virtio_net" "$@" \
                --kver "$BGVM_KVER" "$img" >"$img.log" 2>&1 ||
                { cat "$img.log" >&2; fail "dracut"; }
        lsinitrd "$img" >"$img.list"
        grep -q "system-generators/bondgen-generator$" "$img.list" || fail "generator not in $img"
}
mkimage "$work/kernel.img"
grep -q "bonding.ko" "$work/kernel.img.list" || fail "bonding.ko not in the image"
# the test's unit for run 2: a live change, then a restart of the unit
mkdir -p "$work/extra/etc/bgtest" "$work/extra/etc/systemd/system/sysinit.target.wants"
"$build/src/cli/bondgen" convert --root "$work/root" --force --partial -o "$work/extra/etc/bgtest/changed.yaml" \
        2>/dev/null || fail "convert"
sed -i 's/miimon: 100$/miimon: 250/' "$work/extra/etc/bgtest/changed.yaml"
grep -q "miimon: 250" "$work/extra/etc/bgtest/changed.yaml" || fail "no miimon to change in the model"
cat >"$work/extra/etc/bgtest/restart.sh" <<'EOS'
#!/bin/sh
mii() { bondgen status bond0 | while IFS= read -r l; do case $l in "MII Polling"*) echo "$l"; break;; esac; done; }
bondgen apply -c /etc/bgtest/changed.yaml 2>&1 | while IFS= read -r l; do echo "bgtest: apply: $l"; done
echo "bgtest: applied: $(mii)"
systemctl restart bondgend@bond0.service
echo "bgtest: restarted: $(mii)"
EOS
cat >"$work/extra/etc/systemd/system/bgtest-restart.service" <<'EOS'
[Unit]
Description=bondgen test: a live change survives a restart of bondgend@bond0
DefaultDependencies=no
After=bondgen-apply.service bondgend@bond0.service
[Service]
Type=oneshot
StandardOutput=journal+console
ExecStart=/bin/sh /etc/bgtest/restart.sh
EOS
ln -s ../bgtest-restart.service "$work/extra/etc/systemd/system/sysinit.target.wants/bgtest-restart.service"
mkimage "$work/userspace.img" --omit-drivers bonding --include "$work/extra" /
if grep -q "bonding.ko" "$work/userspace.img.list"; then fail "bonding.ko still in the image"; fi

bgvm_boot_partner "$ns" || fail "partner namespace"
BGVM_WRAP="ip netns exec $ns"
BGVM_MEM=768
# The root never appears; the bonds come up in sysinit, long before systemd
# gives up on it (rd.timeout). Service output goes to the console.
BGVM_APPEND="root=/dev/disk/by-label/bgboot-none net.ifnames=0 rd.timeout=600 systemd.journald.forward_to_console=1 systemd.show_status=0"

run() {   # run NAME IMAGE CONSOLE-ERE...
        local name=$1 img=$2 t0=$SECONDS tap re
        shift 2
        # shellcheck disable=SC2046
        bgvm_start "$name" "$img" -- $(bgvm_nic n0 bgboot-s0 52:54:00:10:10:11) $(bgvm_nic n1 bgboot-s1 52:54:00:10:10:12)
        for tap in bgboot-s0 bgboot-s1; do
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
        local took=$((SECONDS - t0)) answered=0
        if [ -n "$ok" ]; then
                answered=$(ip netns exec "$ns" ping -c 5 -i 0.5 -W 5 10.10.10.1 2>/dev/null |
                           sed -n 's/.* \([0-9]*\) received.*/\1/p')
        fi
        # a console line the run still waits for (WAIT_FOR)
        if [ -n "$ok" ] && [ -n "${WAIT_FOR:-}" ]; then
                shown() { grep -qaE "$WAIT_FOR" "${BGVM_LOG[$name]}"; }
                wait_until 180 shown || true
        fi
        bgvm_stop "$name"
        echo "---- $name: console (bondgen lines) ----"
        tr -d '\r' <"${BGVM_LOG[$name]}" | grep -aE "bondgen|bond0" | tail -30 || true
        echo "----"
        [ -n "$ok" ] || { tr -d '\r' <"${BGVM_LOG[$name]}" | tail -60 >&2; fail "$name: 10.10.10.1 never answered the peer's ping"; }
        [ "${answered:-0}" -ge 3 ] || fail "$name: only ${answered:-0} of 5 later pings answered"
        for re in "$@"; do
                grep -qaE "$re" "${BGVM_LOG[$name]}" || fail "$name: the console does not show: $re"
        done
        # the run directory stays bondgend's: no unit moves it under a
        # running bondgend (two units naming RuntimeDirectory=bondgen, one
        # with DynamicUser=, made systemd move it back and forth)
        ! grep -qaE "RuntimeDirectory= directory /run/private/bondgen, migrating|cannot write /run/bondgen|cannot listen on the control socket" \
                "${BGVM_LOG[$name]}" || fail "$name: bondgend lost its run directory: $(grep -aE 'migrating|cannot (write|listen)' "${BGVM_LOG[$name]}" | head -3)"
        echo "ok: $name: bond0 up under systemd; ping answered ${took}s after qemu started ($answered/5 after)"
        ip -n "$ns" link del bgboot-s0 2>/dev/null || true
        ip -n "$ns" link del bgboot-s1 2>/dev/null || true
}

run kernel "$work/kernel.img" \
        "Finished bondgen-apply.service" "bond0: backend auto: kernel"
WAIT_FOR="bgtest: restarted:" run userspace "$work/userspace.img" \
        "Started bondgend-initrd@bond0.service" "bond0: (backend auto: userspace|.*using userspace)" \
        "Finished bondgen-apply.service" \
        "bgtest: apply: bond0: write /run/bondgen/bond0.yaml" \
        "bgtest: applied: MII Polling Interval \(ms\): 250" \
        "bgtest: restarted: MII Polling Interval \(ms\): 250"
echo "systemd initrd: both backends passed"
