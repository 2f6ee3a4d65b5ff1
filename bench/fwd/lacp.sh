#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/fwd/lacp.sh: 802.3ad, balance-tlb and balance-alb figures.
#   1. LACP convergence: bondgend start -> every port of both sides
#      collecting+distributing (bondgend status and OVS bond/show), against
#      Open vSwitch (userspace datapath, balance-tcp, lacp=active) with
#      lacp-time fast and slow, and against another bondgend; N runs each;
#   2. partner expiry: partner stopped (SIGSTOP) -> our ports stop
#      distributing, with our lacp_rate fast (3 s timeout);
#   3. TCP Gbit/s (iperf3, 1 stream, both directions) and forwarder CPU for
#      802.3ad against OVS, and OVS<->OVS balance-tcp on the same topology
#      as the reference; tlb and alb against a Linux bridge;
#   4. TCP Gbit/s, 1 stream both ways, 802.3ad bondgend <-> bondgend on
#      two veth pairs, next to one raw veth pair in the same run (the
#      ratio is the figure that carries over).
# Needs root, iperf3, pidstat, openvswitch-switch, ethtool.
# Usage: sudo bench/fwd/lacp.sh [BUILD_DIR] [RUNS] [SECONDS]
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
N=${2:-5}
T=${3:-3}
BONDGEND=$build/src/fwd/bondgend
. "$top/test/integration/lacp/lib.sh"
fail() { echo "bench/fwd/lacp: $*" >&2; bgl_dump; exit 1; }
skip() { echo "bench/fwd/lacp: $*" >&2; exit 1; }
bgl_init
bgl_need_ovs
for t in iperf3 pidstat ethtool; do command -v $t >/dev/null || skip "$t missing"; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

SW=$P-sw H=$P-host
reset() {
        bgl_cleanup
        PIDS=() NSS=() OVS_DIRS=() BONDS=()
        RUN=$(mktemp -d /tmp/bgl.XXXXXX)
}

ovs_partner() {
        bgl_ns $SW
        bgl_ns $H
        for i in 0 1; do bgl_veth $H h$i $SW s$i; bgl_quiet $SW s$i; done
        ovs_start $SW sw
        vsc sw add-br br-sw -- set bridge br-sw datapath_type=netdev
        vsc sw add-bond br-sw bond0 s0 s1 bond_mode=balance-tcp lacp=active \
                other_config:lacp-time=$1 other_config:bond-detect-mode=carrier
        ip -n $SW addr add 10.205.1.1/24 dev br-sw
        ip -n $SW link set br-sw up
}

stats() {
        /usr/bin/python3 -c '
import statistics, sys
v = [float(x) for x in sys.argv[1:]]
print("median %.0f ms (min %.0f, max %.0f, n=%d)" % (statistics.median(v), min(v), max(v), len(v)))' "$@"
}

# tcp NS DST LABEL PID [iperf3 args]: Gbit/s and forwarder CPU (pidstat)
tcp() {
        local ns=$1 dst=$2 label=$3 pid=$4
        shift 4
        /usr/bin/python3 - "$ns" "$dst" "$T" "$pid" "$label" "$@" <<'PY'
import json, subprocess, sys
ns, dst, secs, pid, label = sys.argv[1:6]; extra = sys.argv[6:]
env = {"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
ps = subprocess.Popen(["pidstat", "-p", pid, secs, "1"], stdout=subprocess.PIPE, text=True, env=env)
p = subprocess.run(["ip", "netns", "exec", ns, "iperf3", "-c", dst, "-t", secs, "-J"] + extra,
                   capture_output=True, text=True)
lines = [l.split() for l in ps.communicate()[0].splitlines() if l.startswith("Average:")]
cpu = sum(float(l[7]) for l in lines if len(l) > 7 and l[2].isdigit()) / 100.0
try:
    g = json.loads(p.stdout)["end"]["sum_received"]["bits_per_second"] / 1e9
    print("%-40s %6.2f Gbit/s  forwarder %.2f cores = %.2f cores per Gbit/s" % (label, g, cpu, cpu / g if g else 0))
except Exception:
    print("%-40s ERROR %s" % (label, (p.stdout + p.stderr)[-200:]))
PY
}

echo "== 1. LACP convergence (bondgend start -> both sides collecting+distributing)"
for time in fast slow; do
        v=()
        for r in $(seq $N); do
                ovs_partner $time
                t0=$(now_ms)
                bgl_bond $H bgl0 802.3ad "h0 h1" 10.205.1.2/24 "lacp_rate=fast"
                bgl_wait 15 bgl_all_cd bgl0 || fail "no convergence"
                bgl_wait 5 ovs_negotiated sw || fail "OVS did not negotiate"
                v+=($(( $(now_ms) - t0 )))
                reset
        done
        echo "bondgend vs OVS lacp-time=$time: $(stats "${v[@]}")  [${v[*]}]"
done
# every partner port state BOND shows has collecting+distributing
partner_cd() {
        local s n=0
        for s in $(bgl_states "$1"); do
                case $s in p*) n=$((n + 1)); [ $(( ${s:1} & 0x30 )) = $((0x30)) ] || return 1 ;; esac
        done
        [ "$n" -ge 2 ]
}
v=() w=() pa=() pb=()
for r in $(seq $N); do
        bgl_ns $P-a
        bgl_ns $P-b
        for i in 0 1; do bgl_veth $P-a a$i $P-b b$i; done
        t0=$(now_ms)
        bgl_bond $P-a bgla 802.3ad "a0 a1" 10.205.2.1/24 "lacp_rate=fast"
        t1=$(now_ms)
        bgl_bond $P-b bglb 802.3ad "b0 b1" 10.205.2.2/24 "lacp_rate=fast"
        # when each side first sees its partner collecting+distributing,
        # from its own start (to within a status round trip)
        ta="" tb=""
        while [ -z "$ta" ] || [ -z "$tb" ]; do
                [ -z "$ta" ] && partner_cd bgla && ta=$(now_ms)
                [ -z "$tb" ] && partner_cd bglb && tb=$(now_ms)
                [ $(( $(now_ms) - t0 )) -lt 15000 ] || fail "no convergence"
        done
        pa+=($(( ta - t0 )))
        pb+=($(( tb - t1 )))
        bgl_wait 15 bgl_all_cd bgla || fail "no convergence"
        bgl_wait 5 bgl_all_cd bglb || fail "no convergence"
        t2=$(now_ms)
        v+=($(( t2 - t0 )))
        w+=($(( t2 - t1 )))
        reset
done
echo "bondgend vs bondgend:           $(stats "${v[@]}")  [${v[*]}]"
echo "  from the second's start:      $(stats "${w[@]}")  [${w[*]}]"
echo "  first sees its partner C+D:   $(stats "${pa[@]}")  [${pa[*]}] (from its start)"
echo "  second sees its partner C+D:  $(stats "${pb[@]}")  [${pb[*]}] (from its start)"

echo "== 2. partner silent (SIGSTOP) -> our ports stop distributing (lacp_rate fast)"
v=()
for r in $(seq $N); do
        ovs_partner fast
        bgl_bond $H bgl0 802.3ad "h0 h1" 10.205.1.2/24 "lacp_rate=fast"
        bgl_wait 15 bgl_all_cd bgl0 || fail "no convergence"
        sleep 0.$((RANDOM % 10))
        kill -STOP "$(ovs_pid sw)"
        t0=$(now_ms)
        while bgl_status bgl0 | grep -q '^LACP distributing: yes'; do
                [ $(( $(now_ms) - t0 )) -lt 8000 ] || fail "no expiry"
                sleep 0.05
        done
        v+=($(( $(now_ms) - t0 )))
        kill -CONT "$(ovs_pid sw)"
        reset
done
echo "expiry after partner silence:   $(stats "${v[@]}")  [${v[*]}]"

echo "== 3. TCP, 1 stream, ${T} s"
ovs_partner fast
bgl_bond $H bgl0 802.3ad "h0 h1" 10.205.1.2/24 "lacp_rate=fast xmit_hash_policy=layer3+4"
ip netns exec $H ethtool -K bgl0 tx off tso off gso off >/dev/null
bgl_wait 15 bgl_all_cd bgl0 || fail "no convergence"
ip netns exec $SW iperf3 -s -D -p 5201 --pidfile $RUN/iperf.pid
PIDS+=($(sleep 0.5; cat $RUN/iperf.pid))
tcp $H 10.205.1.1 "802.3ad bondgend -> OVS partner" "$PID_bgl0"
tcp $H 10.205.1.1 "802.3ad OVS partner -> bondgend" "$PID_bgl0" -R
# the reference: an OVS actor in place of bondgend on the same veths
kill "$PID_bgl0"
sleep 0.5
ovs_start $H host
vsc host add-br br-h -- set bridge br-h datapath_type=netdev
vsc host add-bond br-h bond0 h0 h1 bond_mode=balance-tcp lacp=active other_config:lacp-time=fast \
        other_config:bond-detect-mode=carrier
ip -n $H addr add 10.205.1.3/24 dev br-h
ip -n $H link set br-h up
bgl_wait 10 ovs_negotiated host || fail "OVS<->OVS did not negotiate"
tcp $H 10.205.1.1 "balance-tcp OVS -> OVS partner" "$(ovs_pid host)"
tcp $H 10.205.1.1 "balance-tcp OVS partner -> OVS" "$(ovs_pid host)" -R
reset

for mode in balance-tlb balance-alb; do
        bgl_ns $SW
        bgl_ns $H
        ip -n $SW link add br0 type bridge
        ip -n $SW link set br0 up
        for i in 0 1; do bgl_veth $H h$i $SW s$i; ip -n $SW link set s$i master br0; done
        ip -n $SW addr add 10.205.3.1/24 dev br0
        bgl_bond $H bglt $mode "h0 h1" 10.205.3.2/24 ""
        up() { bgl_status bglt | grep -q '^MII Status: up'; }
        bgl_wait 5 up || fail "$mode: no carrier"
        ip netns exec $SW iperf3 -s -D -p 5201 --pidfile $RUN/iperf.pid
        PIDS+=($(sleep 0.5; cat $RUN/iperf.pid))
        tcp $H 10.205.3.1 "$mode bondgend -> bridge" "$PID_bglt"
        tcp $H 10.205.3.1 "$mode bridge -> bondgend" "$PID_bglt" -R
        reset
done

echo "== 4. TCP, 1 stream, ${T} s: 802.3ad bondgend <-> bondgend against a raw veth pair"
bgl_ns $P-a
bgl_ns $P-b
ip link add va netns $P-a type veth peer name vb netns $P-b
ip -n $P-a link set va up
ip -n $P-b link set vb up
ip -n $P-a addr add 10.205.4.1/24 dev va
ip -n $P-b addr add 10.205.4.2/24 dev vb
ip netns exec $P-b iperf3 -s -D -p 5201 --pidfile $RUN/iperf.pid
PIDS+=($(sleep 0.5; cat $RUN/iperf.pid))
# no forwarder: the CPU column reads the iperf3 server's
tcp $P-a 10.205.4.2 "raw veth a -> b" "$(cat $RUN/iperf.pid)"
tcp $P-a 10.205.4.2 "raw veth b -> a" "$(cat $RUN/iperf.pid)" -R
reset
bgl_ns $P-a
bgl_ns $P-b
for i in 0 1; do bgl_veth $P-a a$i $P-b b$i; bgl_quiet $P-a a$i; bgl_quiet $P-b b$i; done
bgl_bond $P-a bgla 802.3ad "a0 a1" 10.205.2.1/24 "lacp_rate=fast xmit_hash_policy=layer3+4"
bgl_bond $P-b bglb 802.3ad "b0 b1" 10.205.2.2/24 "lacp_rate=fast xmit_hash_policy=layer3+4"
bgl_wait 15 bgl_all_cd bgla || fail "no convergence"
bgl_wait 5 bgl_all_cd bglb || fail "no convergence"
ip netns exec $P-b iperf3 -s -D -p 5201 --pidfile $RUN/iperf.pid
PIDS+=($(sleep 0.5; cat $RUN/iperf.pid))
tcp $P-a 10.205.2.2 "802.3ad bondgend a -> bondgend b (a's CPU)" "$PID_bgla"
tcp $P-a 10.205.2.2 "802.3ad bondgend b -> bondgend a (a's CPU)" "$PID_bgla" -R
reset
