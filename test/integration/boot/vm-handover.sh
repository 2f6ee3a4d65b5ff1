#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The user-space bond through a real switch to the real root: an
# initramfs-tools image without bonding.ko (so `bondgen apply` in
# init-premount starts bondgend, from the initramfs) boots with a root
# file system of its own: a tmpfs that the test's boot script
# (boot=bghoroot: mountroot fills it with a copy of the image's programs
# and a /sbin/init of the test) mounts, then initramfs-tools' run-init
# deletes the initramfs and executes that init. The real root's init
# starts `bondgend bond0` as bondgend@bond0.service does (ExecStart=
# bondgend %I, Restart=on-failure emulated: it counts its starts), while
# the peer pings the bond 100 times a second:
#   ns bgboot-$$-ho (qemu runs in it)           qemu VM: Debian's kernel, the image
#   bridge bgboot-br, 10.10.10.2/24
#     ├─ TAP bgboot-h0 ══ virtio-net 52:54:00:10:10:21 ══ eth0 ─┐
#     └─ TAP bgboot-h1 ══ virtio-net 52:54:00:10:10:22 ══ eth1 ─┴─ bond0 10.10.10.1/24
# The boot script holds the switch until the guest has answered 50 of the
# stream's pings, so the stream covers the switch and the handover.
# Printed: pings lost and the longest gap, from the first answer to 2 s
# after the guest reports the handover (the goal is none).
# Cases:
#  survives   after run-init the initramfs' bondgend still runs, its
#             argv[0] starts with '@' and its program file is deleted
#  handover   the real root's bondgend starts once (no restart), the
#             initramfs one is gone within 10 s, the new one runs the real
#             root's program and answers status: the bond and both ports
#             up (the example's bond is balance-rr)
#  pings      the stream went on through the switch and the handover: at
#             most 5% lost (the count and longest gap are printed)
# Reuses the kernel backend's qemu harness (test/integration/kernel/vm-lib.sh).
# Usage: vm-handover.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2
# shellcheck source=../kernel/vm-lib.sh
. "$src/test/integration/kernel/vm-lib.sh"

bgvm_check || exit 77
for t in mkinitramfs unmkinitramfs cpio ip ping python3; do
        command -v $t >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
[ -x "$build/src/fwd/bondgend" ] || { echo "SKIP: bondgend not built" >&2; exit 77; }

ns=bgboot-$$-ho
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
conf=$work/itconf
bgvm_itools_conf "$conf" "$build"
bgvm_itools_image "$conf" "$work" "$work/itools.img" || fail "mkinitramfs"
top=$BGVM_ITOP
find "$top" -name 'bonding.ko*' -delete

# The boot script: a tmpfs root holding a copy of the image's programs
# (so the real root's bondgend is another file than the initramfs' one),
# entered once the bond has answered 50 echo requests.
mkdir -p "$top/scripts"
cat >"$top/scripts/bghoroot" <<'EOF'
# the guest's IcmpInEchos (/proc/net/snmp), with shell built-ins only
bgho_echos() {
        while read -r t a b c d e f g h echos rest; do
                case "$t $a" in "Icmp: "[0-9]*) echo "$echos"; return ;; esac
        done </proc/net/snmp
        echo 0
}
mountroot() {
        i=0
        while [ "$(bgho_echos)" -lt 50 ] && [ $i -lt 3000 ]; do
                sleep 0.1; i=$((i + 1))
        done
        echo "BGHO: switching to the real root after $(bgho_echos) echo requests"
        mount -t tmpfs -o size=256m bghoroot "${rootmnt}"
        for d in bin sbin lib lib32 lib64 libx32 usr etc; do
                [ -e "/$d" ] && cp -a "/$d" "${rootmnt}/"
        done
        mkdir -p "${rootmnt}/dev" "${rootmnt}/run" "${rootmnt}/sys" "${rootmnt}/proc" "${rootmnt}/tmp"
        rm -f "${rootmnt}/sbin/init"
        cp /bghoinit "${rootmnt}/sbin/init"
        chmod 755 "${rootmnt}/sbin/init"
}
EOF
# The real root's init: what systemd would do with bondgend@bond0.service.
cat >"$top/bghoinit" <<'EOF'
#!/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
# running, not a zombie waiting for this init to reap it
alive() {
        [ -d /proc/$1 ] || return 1
        while read -r k v rest; do
                [ "$k" = State: ] && { [ "$v" != Z ]; return; }
        done </proc/$1/status
        return 1
}
old=
for p in /proc/[0-9]*; do
        [ "$(cat $p/comm 2>/dev/null)" = bondgend ] && old=${p#/proc/}
done
if [ -n "$old" ]; then
        IFS= read -r a0 </proc/$old/cmdline
        echo "BGHO: initramfs bondgend pid $old argv0 '${a0%"${a0#?}"}' exe '$(readlink /proc/$old/exe)'"
else
        echo "BGHO: no bondgend survived the switch"
fi
# ExecStart=bondgend %I, Restart=on-failure (RestartSec=1s)
(
        n=0
        while :; do
                n=$((n + 1))
                echo "BGHO: unit start $n"
                bondgend bond0 </dev/null >/dev/console 2>&1
                rc=$?
                echo "BGHO: unit exit $rc"
                [ $rc = 0 ] || [ $n -ge 5 ] && break
                sleep 1
        done
) &
i=0
while [ -n "$old" ] && alive $old && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -n "$old" ] && alive $old; then echo "BGHO: initramfs bondgend still runs"; else echo "BGHO: initramfs bondgend gone"; fi
sleep 1
for p in /proc/[0-9]*; do
        [ "$(cat $p/comm 2>/dev/null)" = bondgend ] && [ "${p#/proc/}" != "$old" ] &&
                echo "BGHO: real root bondgend pid ${p#/proc/} exe '$(readlink $p/exe)'"
done
bondgen status bond0 | while read -r a b c rest; do
        case "$a $b" in "Bonding Mode:") echo "BGHO: status mode $c $rest" ;; "MII Status:") echo "BGHO: status mii $c" ;; esac
done
echo "BGHO-DONE"
while :; do sleep 1000; done
EOF
chmod 755 "$top/bghoinit"
bgvm_pack "$top" "$work/ho.img"

bgvm_boot_partner "$ns" || fail "partner namespace"
BGVM_WRAP="ip netns exec $ns"
BGVM_MEM=512
BGVM_APPEND="boot=bghoroot net.ifnames=0 ${BGHO_APPEND:-}"

bgvm_boot_stream ho "$work/ho.img" "$ns" BGHO-DONE 300 bgboot-h0 52:54:00:10:10:21 bgboot-h1 52:54:00:10:10:22 || fail "the machine or its ping stream"
log=$(tr -d '\r' <"${BGVM_LOG[ho]}")
echo "---- console ----"; grep -aE "BGHO|bondgend|bond0" <<<"$log" | tail -40; echo "---- end ----"
grep -q "BGHO-DONE" <<<"$log" || fail "the real root's init did not finish"
grep -qE "BGHO: initramfs bondgend pid [0-9]+ argv0 '@' exe '.*\(deleted\)'" <<<"$log" ||
        fail "the initramfs bondgend did not survive the switch as a root-storage daemon"
echo "ok: the initramfs bondgend survived run-init: argv[0] '@', its program deleted"
[ "$(grep -c "BGHO: unit start" <<<"$log")" = 1 ] || fail "bondgend@bond0 restarted: $(grep "BGHO: unit" <<<"$log" | tr '\n' ' ')"
grep -q "BGHO: unit exit" <<<"$log" && fail "the real root's bondgend exited: $(grep "BGHO: unit exit" <<<"$log")"
grep -q "BGHO: initramfs bondgend gone" <<<"$log" || fail "the initramfs bondgend did not hand over"
grep -q "took the bond over" <<<"$log" || fail "the real root's bondgend did not log the takeover"
grep -qE "BGHO: real root bondgend pid [0-9]+ exe '[^']*/bondgend'" <<<"$log" ||
        fail "no bondgend from the real root runs"
grep -q "BGHO: status mode" <<<"$log" || fail "the real root's bondgend does not answer status"
[ "$(grep -c "BGHO: status mii up" <<<"$log")" = 3 ] || fail "bond or ports not up after the handover: $(grep "BGHO: status" <<<"$log" | tr '\n' ' ')"
echo "ok: the real root's bondgend (started once, no restart) took the bond over; the initramfs one exited"
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
