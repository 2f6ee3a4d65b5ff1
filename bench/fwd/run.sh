#!/bin/bash
# bench/fwd: the user-space bond forwarder against its limits and its peer,
# side by side in one run on one topology (ratios from the same run):
#   1. raw veth pair between two namespaces (the physical limit);
#   2. bondgend in each mode (balance-rr, active-backup, balance-xor,
#      broadcast): bond0 = TAP in ns "host", ports h0/h1 -> veths -> a Linux
#      bridge in ns "switch" whose address runs the iperf3 server;
#   3. Open vSwitch (userspace datapath) active-backup bond over the same
#      veths, same partner.
# Metrics: TCP Gbit/s with 1 and 4 streams in both directions; 64-byte UDP:
# highest offered rate with < 0.1 % loss, forwarder CPU per frame at a fixed
# rate; forwarder CPU per Gbit/s (pidstat: per-process, exact); failover
# outage and frames lost under a 50 kpps stream, and fail-back loss.
# Needs root. Usage: sudo bench/fwd/run.sh [BUILD_DIR] [SECONDS]
# Traffic stays inside namespaces created here (10.204.x.y).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/fwd/lib.sh"
build=${1:-$top/build}
T=${2:-3}
BONDGEND=$build/src/fwd/bondgend BONDGEN=$build/src/cli/bondgen
[ "$(id -u)" = 0 ] || { echo "bench/fwd: needs root" >&2; exit 1; }
for t in iperf3 pidstat python3 ip; do command -v $t >/dev/null || { echo "bench/fwd: $t missing" >&2; exit 1; }; done
[ -x "$BONDGEND" ] || { echo "bench/fwd: build first ($BONDGEND)" >&2; exit 1; }
P=bgb$$ A=bgb$$-a Bn=bgb$$-b H=bgb$$-host S=bgb$$-switch
RUN=$(mktemp -d /tmp/bgb.XXXXXX)
export BONDGEN_RUNDIR=$RUN/run
PIDS=() FWD=""
cleanup() {
        for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done
        [ -n "${OVS:-}" ] && for f in $OVS/ovs-vswitchd.pid $OVS/ovsdb-server.pid; do [ -s $f ] && kill $(cat $f) 2>/dev/null; done
        sleep 0.5
        for n in $A $Bn $H $S; do ip netns del $n 2>/dev/null; done
        rm -rf $RUN
}
trap cleanup EXIT

# measure NS DST LABEL [iperf3 args]: one run; prints a result line and
# appends "LABEL value cpu" to $RUN/results
measure() {
        local ns=$1 dst=$2 label=$3; shift 3
        python3 - "$ns" "$dst" "$T" "$FWD" "$label" "$RUN/results" "$@" <<'PY'
import json, subprocess, sys
ns, dst, secs, fwd, label, out = sys.argv[1:7]; extra = sys.argv[7:]
env = {"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
ps = subprocess.Popen(["pidstat", "-p", fwd, secs, "1"], stdout=subprocess.PIPE, text=True, env=env) if fwd else None
p = subprocess.run(["ip", "netns", "exec", ns, "iperf3", "-c", dst, "-t", secs, "-J"] + extra, capture_output=True, text=True)
cpu = float("nan")
if ps:
    lines = [l.split() for l in ps.communicate()[0].splitlines() if l.startswith("Average:")]
    cpu = sum(float(l[7]) for l in lines if len(l) > 7 and l[2].isdigit()) / 100.0
try:
    e = json.loads(p.stdout)["end"]
except Exception:
    print("%-34s ERROR %s" % (label, p.stdout[-200:] + p.stderr[-200:])); sys.exit(0)
if "sum" in e and "lost_packets" in e["sum"]:
    s = e["sum"]; rx = (s["packets"] - s["lost_packets"]) / s["seconds"]
    print("%-34s %9.0f pps rcvd  loss %6.2f%%  fwd %.2f cores = %.2f us/frame"
          % (label, rx, s["lost_percent"], cpu, cpu / rx * 1e6 if rx else float("nan")))
    val, extra_v = rx, s["lost_percent"]
else:
    g = e["sum_received"]["bits_per_second"] / 1e9
    print("%-34s %7.2f Gbit/s  retr %-6s fwd %.2f cores = %.3f cores per Gbit/s"
          % (label, g, e["sum_sent"].get("retransmits"), cpu, cpu / g if g else float("nan")))
    val, extra_v = g, 0
open(out, "a").write("%s %f %f %f\n" % (label.replace(" ", "_"), val, cpu, extra_v))
PY
}

tcp_set() {   # NS DST PREFIX
        measure $1 $2 "$3 TCP 1 stream TAP->wire"
        measure $1 $2 "$3 TCP 1 stream wire->TAP" -R
        measure $1 $2 "$3 TCP 4 streams TAP->wire" -P 4
        measure $1 $2 "$3 TCP 4 streams wire->TAP" -P 4 -R
}

udp_set() {   # NS DST PREFIX: 64-byte frames at stepped rates
        local r
        for r in 50000 100000 200000 300000 450000; do
                measure $1 $2 "$3 UDP64 ${r}pps" -u -l 18 -b $((r * 18 * 8))
        done
}

# failover NS DST DOWN_NS DOWN_DEV LABEL: a 50 kpps stream of 64-byte frames
# for 5 s; DOWN_DEV (the partner end of the active port) goes down at 1.5 s
# and up again at 3.5 s. The same stream without any link change runs first:
# what a busy machine loses anyway is not the failover's. Then the longest
# gap of a 1000/s ping stream over the same down/up.
failover() {
        local p
        ip netns exec $1 iperf3 -c $2 -u -l 18 -b $((50000 * 18 * 8)) -t 5 -J > $RUN/fo0.json
        ip netns exec $1 iperf3 -c $2 -u -l 18 -b $((50000 * 18 * 8)) -t 5 -J > $RUN/fo.json &
        p=$!
        sleep 1.5; ip -n $3 link set $4 down
        sleep 2; ip -n $3 link set $4 up
        wait $p
        sleep 1
        ip netns exec $1 ping -n -i 0.001 -c 4000 -W 1 $2 > $RUN/ping.log 2>&1 &
        p=$!
        sleep 1.5; ip -n $3 link set $4 down
        sleep 1.5; ip -n $3 link set $4 up
        wait $p
        python3 - $RUN/fo0.json $RUN/fo.json $RUN/ping.log "$5" <<'PY'
import json, re, sys
s0 = json.load(open(sys.argv[1]))["end"]["sum"]; s = json.load(open(sys.argv[2]))["end"]["sum"]
seqs = {int(m.group(1)) for m in re.finditer(r"icmp_seq=(\d+) ", open(sys.argv[3]).read())}
best = run = 0
for q in range(1, 4001):
    run = run + 1 if q not in seqs else 0; best = max(best, run)
extra = max(0, s["lost_packets"] - s0["lost_packets"])
print("%-34s 50 kpps: lost %d with down+up vs %d without -> %d frames = %.2f ms; ping 1000/s: longest gap %d ms, %d lost"
      % (sys.argv[4], s["lost_packets"], s0["lost_packets"], extra, extra / 50.0, best, 4000 - len(seqs)))
PY
}

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"

# 1. raw veth pair
ip netns add $A; ip netns add $Bn
ip link add va netns $A type veth peer name vb netns $Bn
ip -n $A addr add 10.204.0.1/24 dev va; ip -n $Bn addr add 10.204.0.2/24 dev vb
for n in $A $Bn; do ip -n $n link set lo up; done
ip -n $A link set va up; ip -n $Bn link set vb up
ip netns exec $Bn iperf3 -s -D -p 5201 --pidfile $RUN/iperf-b.pid; sleep 0.5; PIDS+=($(cat $RUN/iperf-b.pid))
echo "== 1. raw veth pair"
tcp_set $A 10.204.0.2 "veth"
measure $A 10.204.0.2 "veth UDP64 unlimited" -u -l 18 -b 0

# 2. bondgend per mode, against a Linux bridge
bench_bridge_topo $H $S 10.204.1.1/24
ip netns exec $S iperf3 -s -D -p 5201 --pidfile $RUN/iperf-s.pid; sleep 0.5; PIDS+=($(cat $RUN/iperf-s.pid))
for mode in active-backup balance-rr balance-xor broadcast; do
        cat > $RUN/b.yaml <<Y
version: 1
bonds:
  - name: bond0
    mode: $mode
    options: {miimon: 100, xmit_hash_policy: layer3+4}
    ports: [{name: h0}, {name: h1}]
    ipv4: {method: static, addresses: [10.204.1.2/24]}
Y
        ip netns exec $H "$BONDGEND" -c $RUN/b.yaml bond0 > $RUN/bondgend-$mode.log 2>&1 &
        FWD=$!; PIDS+=($FWD)
        for i in $(seq 50); do "$BONDGEN" status bond0 >/dev/null 2>&1 && break; sleep 0.1; done
        ip netns exec $H ping -c 2 -i 0.2 -q 10.204.1.1 >/dev/null
        echo "== 2. bondgend $mode (pid $FWD)"
        tcp_set $H 10.204.1.1 "bondgend $mode"
        # broadcast: the bridge partner delivers every frame twice, so
        # iperf3's loss count is meaningless there
        [ $mode = broadcast ] || udp_set $H 10.204.1.1 "bondgend $mode"
        if [ $mode = active-backup ]; then
                for k in 1 2 3; do
                        act=$("$BONDGEN" status bond0 | sed -n 's/^Currently Active Slave: h//p')
                        failover $H 10.204.1.1 $S t$act "bondgend failover run $k"
                        sleep 1
                done
        fi
        kill $FWD; wait $FWD 2>/dev/null; FWD=""
done

# 3. Open vSwitch userspace active-backup bond over the same veths
if command -v ovs-vswitchd >/dev/null; then
        OVS=$RUN/ovs; mkdir -p $OVS
        ovsdb-tool create $OVS/conf.db
        ip netns exec $H ovsdb-server $OVS/conf.db --remote=punix:$OVS/db.sock --pidfile=$OVS/ovsdb-server.pid \
                --unixctl=$OVS/ovsdb-server.ctl --detach --no-chdir --log-file=$OVS/ovsdb-server.log
        ovs-vsctl --db=unix:$OVS/db.sock --no-wait init
        ip netns exec $H ovs-vswitchd unix:$OVS/db.sock --pidfile=$OVS/ovs-vswitchd.pid --unixctl=$OVS/ovs-vswitchd.ctl \
                --detach --no-chdir --log-file=$OVS/ovs-vswitchd.log 2>/dev/null
        # OVS reads its ports without virtio-net headers (recipe 3)
        for i in 0 1; do ip netns exec $S ethtool -K t$i tx off >/dev/null 2>&1
                ip -n $H link set h$i up arp off; ip netns exec $H sysctl -qw net.ipv6.conf.h$i.disable_ipv6=1; done
        ovs-vsctl --db=unix:$OVS/db.sock add-br br-h -- set bridge br-h datapath_type=netdev
        ovs-vsctl --db=unix:$OVS/db.sock add-bond br-h bond1 h0 h1 bond_mode=active-backup lacp=off \
                other_config:bond-detect-mode=carrier
        ip -n $H addr add 10.204.1.3/24 dev br-h; ip -n $H link set br-h up
        sleep 2
        ip netns exec $H ping -c 2 -i 0.2 -q 10.204.1.1 >/dev/null
        FWD=$(cat $OVS/ovs-vswitchd.pid)
        echo "== 3. Open vSwitch userspace active-backup (ovs-vswitchd pid $FWD)"
        tcp_set $H 10.204.1.1 "ovs active-backup"
        measure $H 10.204.1.1 "ovs active-backup UDP64 100000pps" -u -l 18 -b $((100000 * 18 * 8))
        FWD=""
fi

echo "== summary"
python3 - $RUN/results <<'PY'
import sys, collections
r = collections.OrderedDict()
for l in open(sys.argv[1]):
    k, v, cpu, loss = l.split(); r[k] = (float(v), float(cpu), float(loss))
def g(k): return r.get(k, (float("nan"),) * 3)
veth = g("veth_TCP_1_stream_TAP->wire")[0]
ovs = g("ovs_active-backup_TCP_1_stream_TAP->wire")[0]
ovs_r = g("ovs_active-backup_TCP_1_stream_wire->TAP")[0]
print("%-16s %9s %9s %9s %9s %8s %8s %9s %10s %11s" % ("mode", "TCP1 tx", "TCP1 rx", "TCP4 tx", "TCP4 rx",
      "x veth", "x OVS", "cores/G", "lossless", "us/frame"))
for m in ["active-backup", "balance-rr", "balance-xor", "broadcast"]:
    p = "bondgend_" + m + "_"
    t1, t1r = g(p + "TCP_1_stream_TAP->wire"), g(p + "TCP_1_stream_wire->TAP")
    t4, t4r = g(p + "TCP_4_streams_TAP->wire"), g(p + "TCP_4_streams_wire->TAP")
    lossless = 0
    for rate in [50000, 100000, 200000, 300000, 450000]:
        v = g(p + "UDP64_%dpps" % rate)
        if v[2] < 0.1: lossless = rate
    u = g(p + "UDP64_100000pps")
    if m == "broadcast": lossless = float("nan")
    print("%-16s %9.2f %9.2f %9.2f %9.2f %8.2f %8.1f %9.3f %10.0f %11.2f" % (m, t1[0], t1r[0], t4[0], t4r[0],
          t1[0] / veth, t1[0] / ovs, t1[1] / t1[0] if t1[0] else float("nan"), lossless,
          u[1] / u[0] * 1e6 if u[0] else float("nan")))
print("raw veth TCP 1 stream %.2f Gbit/s; OVS userspace bond %.2f / %.2f Gbit/s (TAP->wire / wire->TAP)" % (veth, ovs, ovs_r))
PY
