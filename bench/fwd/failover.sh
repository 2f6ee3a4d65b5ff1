#!/bin/bash
# bench/fwd/failover.sh: the outage of an active-backup bondgend when the
# active port's partner end goes down under a steady stream of 64-byte
# frames (bg-blast, 50 kpps by default), measured against the same stream
# without a failure, which must itself be lossless for the figure to mean
# anything. Topology as small.sh: bond0 = TAP in ns "host", ports h0/h1 ->
# veths t0/t1 -> a Linux bridge br0 in ns "switch"; frames go tap->wire
# (written to bond0, counted at br0). A run is one bondgend started
# afresh: the stream runs SECONDS, and in a failover run t0 (h0's partner
# end, h0 being the active port) goes down after one second. Outage =
# frames lost / rate. Needs root and bg-blast (meson compile -C BUILD
# bg-blast). Usage:
#   sudo bench/fwd/failover.sh [BUILD_DIR] [RUNS] [OUT_DIR]
# RATE=50000 and SECONDS_PER_RUN=3 change the stream; RX_RINGS="3 0" runs
# each receive path of bondgend (BONDGEND_RX_RING, bondgend(8)). Traffic
# stays inside namespaces created here (10.208.x.y).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/fwd/lib.sh"
build=${1:-$top/build}
RUNS=${2:-3}
OUT=${3:-$top/bench/fwd/results}
RATE=${RATE:-50000}
T=${SECONDS_PER_RUN:-3}
BONDGEND=$build/src/fwd/bondgend BONDGEN=$build/src/cli/bondgen BLAST=$build/bench/fwd/bg-blast
[ "$(id -u)" = 0 ] || { echo "bench/fwd: needs root" >&2; exit 1; }
[ -x "$BONDGEND" ] && [ -x "$BLAST" ] || { echo "bench/fwd: build bondgend and bg-blast first" >&2; exit 1; }
H=bgo$$-host S=bgo$$-switch
RUN=$(mktemp -d /tmp/bgo.XXXXXX)
export BONDGEN_RUNDIR=$RUN/run
FWD=""
cleanup() {
        [ -n "$FWD" ] && kill $FWD 2>/dev/null && wait $FWD 2>/dev/null
        for n in $H $S; do ip netns del $n 2>/dev/null; done
        rm -rf $RUN
}
trap cleanup EXIT
mkdir -p "$OUT"
CSV=$OUT/failover.csv
echo "path,run,kind,rate_pps,sent,received,lost,outage_ms" > $CSV.new
rxc() { ip netns exec $S cat /sys/class/net/br0/statistics/rx_packets; }

bench_bridge_topo $H $S 10.208.1.1/24
ip netns exec $S sysctl -qw net.ipv6.conf.all.disable_ipv6=1
SMAC=$(ip netns exec $S cat /sys/class/net/br0/address)
cat > $RUN/b.yaml <<Y
version: 1
bonds:
  - name: bond0
    mode: active-backup
    options: {miimon: 100}
    ports: [{name: h0}, {name: h1}]
    ipv4: {method: static, addresses: [10.208.1.2/24]}
Y
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $RATE pps for $T s per run" | tee $OUT/failover.txt
for rx in ${RX_RINGS:-default}; do
        path=active-backup; [ $rx = default ] || path=active-backup/rx$rx
        for run in $(seq $RUNS); do for kind in baseline failover; do
                ip -n $S link set t0 up
                if [ $rx = default ]; then unset BONDGEND_RX_RING; else export BONDGEND_RX_RING=$rx; fi
                ip netns exec $H "$BONDGEND" -c $RUN/b.yaml bond0 > $RUN/bondgend.log 2>&1 &
                FWD=$!
                for i in $(seq 50); do "$BONDGEN" status bond0 2>/dev/null | grep -q "Currently Active Slave: h0" && break; sleep 0.1; done
                ip netns exec $H ping -c 2 -i 0.2 -q -W 1 10.208.1.1 >/dev/null 2>&1
                BMAC=$(ip netns exec $H cat /sys/class/net/bond0/address)
                r0=$(rxc)
                ip netns exec $H "$BLAST" bond0 $SMAC $BMAC 10.208.1.2 10.208.1.1 $RATE $T > $RUN/blast.out &
                B=$!
                if [ $kind = failover ]; then sleep 1; ip -n $S link set t0 down; fi
                wait $B
                sleep 0.3
                r1=$(rxc)
                sent=$(awk '{print $2}' $RUN/blast.out)
                python3 - "$path" $run $kind $RATE $sent $r0 $r1 "$CSV.new" <<'PY' | tee -a $OUT/failover.txt
import sys
path, run, kind, rate, sent, r0, r1, csv = sys.argv[1:]
rate, sent = int(rate), int(sent)
rx = int(r1) - int(r0)
lost = max(0, sent - rx)
out = 1000.0 * lost / rate
print("%-20s run %s %-8s sent %7d rcvd %7d lost %6d = %8.2f ms of the stream" % (path, run, kind, sent, rx, lost, out))
open(csv, "a").write("%s,%s,%s,%d,%d,%d,%d,%.3f\n" % (path, run, kind, rate, sent, rx, lost, out))
PY
                kill $FWD; wait $FWD 2>/dev/null; FWD=""
        done; done
done
mv $CSV.new $CSV
python3 - $CSV <<'PY' | tee -a $OUT/failover.txt
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for path in dict.fromkeys(r["path"] for r in rows):
    b = [int(r["lost"]) for r in rows if r["path"] == path and r["kind"] == "baseline"]
    f = [float(r["outage_ms"]) for r in rows if r["path"] == path and r["kind"] == "failover"]
    print("%s: baseline lost %s frames (runs); failover outage median %.2f ms (%s)"
          % (path, "/".join(map(str, b)), statistics.median(f), " ".join("%.2f" % x for x in f)))
PY
