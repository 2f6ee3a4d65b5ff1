#!/bin/bash
# Hostile input an admin can create by mistake or a local user can plant.
# Each case fails when the promise breaks. No network (bondgend runs in an
# empty network namespace of its own); needs root, as the run directory
# must be owned by root.
# Cases:
#  FIFOs          a FIFO in place of an ifcfg file or a model: convert
#                 exits 1 naming it, the generator exits 0; neither hangs
#  --root         an absolute symlink resolves inside the root, never
#                 outside; a symlink loop and a directory in a file's place
#                 are invalid input (exit 1)
#  hung daemon    status against a bondgend that accepts and never answers:
#                 exit 3, "no answer from bondgend within 1.000 s", in
#                 under 5 s; enslave against a socket nobody listens on:
#                 exit 3, "no bondgend is running"
#  foreign socket a socket served by uid 65534 (neither root nor the run
#                 directory's owner): status and enslave refuse it, exit 1,
#                 naming the uid
#  open run dir   a run directory others can write is refused by bondgen
#                 (exit 1, for one bond and for all)
#  time budget    the generator over its time budget skips the remaining
#                 files, names them, and still exits 0
#  hotplug budget the udev hotplug helper over its time budget skips the
#                 remaining model files, names the first, exits 0; with
#                 the budget lifted it finds the port in the last file
#  bondgend       bondgend refuses a 0777 run directory (exit 1, naming it)
#                 and a state file that is a symbolic link or writable by
#                 others: lo is not "restored" from it, the planted file is
#                 unchanged
# Usage: hostile.sh BONDGEN GENERATOR BONDGEND HOTPLUG
set -euo pipefail
bondgen=$1 gen=$2 bondgend=$3 hotplug=$4
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the run directory must be owned by root)" >&2; exit 77; }
tmp=$(mktemp -d /tmp/bg-hostile-XXXXXX)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/../wait.sh"

# 1. A FIFO where a config file belongs: convert and the generator finish
#    (timeout 10 s guards the test itself) and name the file.
root=$tmp/fifo
mkdir -p "$root/etc/sysconfig/network-scripts" "$root/etc/bondgen"
printf 'DEVICE=bond0\nBONDING_OPTS="mode=1"\n' >"$root/etc/sysconfig/network-scripts/ifcfg-bond0"
mkfifo "$root/etc/sysconfig/network-scripts/ifcfg-eth0" "$root/etc/modprobe.conf"
rc=0; out=$(timeout 10 "$bondgen" convert --root "$root" 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "convert on a FIFO: exit $rc, want 1: $out"
grep -q "ifcfg-eth0: error: cannot read: not a regular file" <<<"$out" || fail "FIFO not named: $out"
mkfifo "$root/etc/bondgen/a.yaml"
mkdir -p "$tmp/gen"
rc=0; timeout 10 env BONDGEN_ROOT="$root" BONDGEN_CMDLINE="" BONDGEN_KERNEL_RELEASE=none \
        "$gen" "$tmp/gen" "$tmp/gen" "$tmp/gen" 2>"$tmp/gen.err" || rc=$?
[ "$rc" = 0 ] || fail "generator on FIFOs: exit $rc (124 = hung): $(cat "$tmp/gen.err")"
echo "ok: FIFOs never block convert or the generator"

# 2. --root means the root: an absolute symlink resolves inside it, a loop
#    and a directory in a file's place are both invalid input (exit 1).
root=$tmp/links
mkdir -p "$root/etc/sysconfig/network-scripts" "$root/etc/modprobe.d" "$root/inside"
printf 'alias bond9 bonding\n' >"$tmp/host-modprobe.conf"
printf 'alias bond1 bonding\n' >"$root/inside/modprobe.conf"
ln -s "$tmp/host-modprobe.conf" "$root/etc/modprobe.d/host.conf"   # not under the root
ln -s /inside/modprobe.conf "$root/etc/modprobe.conf"               # the root's /inside
printf 'DEVICE=bond1\nONBOOT=yes\n' >"$root/etc/sysconfig/network-scripts/ifcfg-bond1"
printf 'DEVICE=eth1\nMASTER=bond1\n' >"$root/etc/sysconfig/network-scripts/ifcfg-eth1"
out=$("$bondgen" convert --root "$root" 2>&1) || fail "convert with in-root links: $out"
grep -q "name: bond1" <<<"$out" || fail "the root's /inside/modprobe.conf was not read: $out"
grep -q bond9 <<<"$out" && fail "a link left the root: $out"
ln -s /etc/modprobe.d/b.conf "$root/etc/modprobe.d/a.conf"
ln -s a.conf "$root/etc/modprobe.d/b.conf"
rc=0; out=$("$bondgen" convert --root "$root" 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "symlink loop: exit $rc, want 1: $out"
grep -q "symbolic links" <<<"$out" || fail "loop not explained: $out"
rm "$root/etc/modprobe.d/"[ab].conf
mkdir "$root/etc/modprobe.d/dir.conf"
echo x >"$root/etc/modprobe.d/dir.conf/x"
rc=0; out=$("$bondgen" convert --root "$root" 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "directory in a file's place: exit $rc, want 1: $out"
echo "ok: --root resolves inside the root; loops and directories are invalid input"

# 3. bondgen status/enslave against a stopped or hung bondgend: a clear
#    message within the timeout, never a hang.
run=$tmp/run
mkdir -m 0755 "$run"
python3 - "$run/bond0.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()     # accept, read nothing, answer nothing: a hung daemon
time.sleep(60)
PY
pids+=($!)
for _ in $(seq 50); do [ -S "$run/bond0.sock" ] && break; sleep 0.1; done
start=$(date +%s%N)
rc=0; out=$(BONDGEN_RUNDIR=$run BONDGEN_TIMEOUT=1 timeout 10 "$bondgen" status bond0 2>&1) || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" = 3 ] || fail "hung bondgend: exit $rc, want 3: $out"
grep -q "no answer from bondgend within 1.000 s" <<<"$out" || fail "hung bondgend: $out"
[ "$ms" -lt 5000 ] || fail "the 1 s timeout took $ms ms"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$run/bond1.sock"
rc=0; out=$(BONDGEN_RUNDIR=$run timeout 10 "$bondgen" enslave bond1 eth0 2>&1) || rc=$?
[ "$rc" = 3 ] && grep -q "no bondgend is running" <<<"$out" || fail "stopped bondgend: exit $rc: $out"
echo "ok: a hung or stopped bondgend gives a message in time"

# 3b. A socket whose server is neither root nor the run directory's owner
#     is not bondgend: refused by the one client status and enslave use.
python3 - "$run/bond2.sock" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
os.setgid(65534); os.setuid(65534)   # the peer's credentials are taken at listen()
s.listen(4)
time.sleep(30)
PY
pids+=($!)
for _ in $(seq 50); do [ -S "$run/bond2.sock" ] && break; sleep 0.1; done
for cmd in "status bond2" "enslave bond2 eth0"; do
        rc=0; out=$(BONDGEN_RUNDIR=$run timeout 10 "$bondgen" $cmd 2>&1) || rc=$?
        [ "$rc" = 1 ] && grep -q "^bondgen: bond2: refused: $run/bond2.sock is served by uid 65534, neither root nor the run directory's owner\$" <<<"$out" ||
                fail "socket of another user ($cmd): exit $rc: $out"
done
echo "ok: a socket served by another user is refused"

# 4. A run directory others can write is refused: its socket could be theirs.
chmod 0777 "$run"
rc=0; out=$(BONDGEN_RUNDIR=$run timeout 10 "$bondgen" status bond0 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q "writable by no one but its owner" <<<"$out" || fail "writable run dir: exit $rc: $out"
rc=0; out=$(BONDGEN_RUNDIR=$run timeout 10 "$bondgen" status 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "writable run dir (all bonds): exit $rc: $out"
echo "ok: a writable run directory is refused"
# 5. The generator's time budget: spent, it skips the rest, says so, and
#    still exits 0 (it must never fail the boot).
root=$tmp/budget
mkdir -p "$root/etc/sysconfig/network-scripts"
for i in $(seq 0 299); do
        printf 'DEVICE=bond%d\nBONDING_OPTS="mode=1"\n' "$i" >"$root/etc/sysconfig/network-scripts/ifcfg-bond$i"
done
rm -rf "$tmp/gen"; mkdir -p "$tmp/gen"
rc=0; BONDGEN_GENERATOR_BUDGET_MS=1 BONDGEN_ROOT="$root" BONDGEN_CMDLINE="" BONDGEN_KERNEL_RELEASE=none \
        timeout 10 "$gen" "$tmp/gen" "$tmp/gen" "$tmp/gen" 2>"$tmp/gen.err" || rc=$?
[ "$rc" = 0 ] || fail "generator over budget: exit $rc"
grep -q "ifcfg-bond.*skipped, with every file read after it.*time budget is spent" "$tmp/gen.err" ||
        fail "the skipped files are not named: $(cat "$tmp/gen.err")"
echo "ok: the generator keeps its time budget and names what it skipped"
# 5b. The hotplug helper's time budget (udev stops slow RUN programs): 300
#     model files, the port named in the last one.
root=$tmp/hpbudget
mkdir -p "$root/etc/bondgen"
for i in $(seq 0 299); do
        printf 'version: 1\nbonds:\n  - name: bond%d\n    ports: [{name: hp%d}]\n' "$i" "$i" \
                >"$root/etc/bondgen/$(printf '%03d' "$i").yaml"
done
rc=0; out=$(BONDGEN_HOTPLUG_BUDGET_MS=1 BONDGEN_ROOT="$root" timeout 10 "$hotplug" --dry-run hp299 2>"$tmp/hp.err") ||
        rc=$?
[ "$rc" = 0 ] && [ "$out" = "hp299 not-a-port -" ] || fail "hotplug over budget: exit $rc: $out"
grep -q "etc/bondgen/[0-9]*\.yaml.*skipped, with every file read after it.*time budget is spent" "$tmp/hp.err" ||
        fail "the hotplug helper does not name what it skipped: $(cat "$tmp/hp.err")"
rc=0; out=$(BONDGEN_HOTPLUG_BUDGET_MS=0 BONDGEN_ROOT="$root" timeout 10 "$hotplug" --dry-run hp299 2>&1) || rc=$?
[ "$rc" = 0 ] && [ "$out" = "hp299 bond-not-up bond299" ] || fail "hotplug without a budget: exit $rc: $out"
echo "ok: the hotplug helper keeps its time budget and names what it skipped"
# 6. bondgend trusts its run directory only when nobody else can write it,
#    and reads only its own state file there: a planted one (a symbolic
#    link to a file of the attacker's, or a file others can write) would
#    make it "restore" any interface. bondgend runs in a network namespace
#    of its own (unshare -n); the planted state names that namespace's lo.
cat >"$tmp/model.yaml" <<'EOF_MODEL'
version: 1
bonds:
  - name: bgh0
    backend: userspace
    mode: active-backup
    ports:
      - name: bghp0
EOF_MODEL
brun=$tmp/brun
mkdir -m 0777 "$brun"
rc=0; out=$(BONDGEN_RUNDIR=$brun timeout 10 unshare -n "$bondgend" -c "$tmp/model.yaml" bgh0 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "bondgend with a 0777 run directory: exit $rc, want 1: $out"
grep -q "$brun: refused: the run directory must be owned by root" <<<"$out" ||
        fail "bondgend does not name the run directory it refuses: $out"
chmod 0755 "$brun"
planted="lo 02:00:00:00:00:01 1280 0 0 0 0"
for kind in symlink writable; do
        rm -f "$brun/bgh0.state" "$tmp/planted"
        echo "$planted" >"$tmp/planted"
        if [ $kind = symlink ]; then
                ln -s "$tmp/planted" "$brun/bgh0.state"
        else
                cp "$tmp/planted" "$brun/bgh0.state"
                chmod 0666 "$brun/bgh0.state"
        fi
        log=$tmp/bondgend-$kind.log
        BONDGEN_RUNDIR=$brun unshare -n sh -c 'ip link set lo up; exec "$@"' sh \
                "$bondgend" -c "$tmp/model.yaml" bgh0 >"$log" 2>&1 &
        pid=$!
        pids+=("$pid")
        wait_until 10 grep -q "bgh0.state: refused" "$log" || fail "$kind state file: not refused: $(cat "$log")"
        mtu=$(nsenter -t "$pid" -n ip -o link show lo | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
        [ "$mtu" != 1280 ] || fail "$kind state file: lo was \"restored\" from it"
        grep -q "restored port lo" "$log" && fail "$kind state file: bondgend restored lo"
        [ "$(cat "$tmp/planted")" = "$planted" ] || fail "$kind state file: the planted file was changed"
        kill "$pid"; wait "$pid" 2>/dev/null || true
done
echo "ok: bondgend refuses an open run directory and a state file not its own"
echo "all hostile-input cases pass"
