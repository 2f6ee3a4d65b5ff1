#!/bin/bash
# bench/fwd/small.sh: 64-byte frames through the user-space bond, in one run
# on one topology, against the raw veth path and Open vSwitch's userspace
# bond. bg-blast (blast.c) offers frames at stepped rates; at each step the
# frames that reach the far device are counted (loss) and the forwarder's
# CPU time (all threads, including the kernel work its system calls
# cause: the scheduler's run time, /proc/PID/task/*/schedstat) gives CPU
# per frame. Paths:
#   veth        raw veth pair between two namespaces (the limit);
#   MODE        bondgend: bond0 = TAP in ns "host", ports h0/h1 -> veths ->
#               a Linux bridge br0 in ns "switch";
#   ovs         Open vSwitch userspace active-backup bond on the same veths.
# Directions: tap->wire (frames written to the bond device, counted at the
# switch's br0) and wire->tap (sent by br0 to the bond's MAC, counted at the
# bond device). The lossless rate is the highest rate received at a step
# with < 0.1 % loss (the generator shares the machine: at high steps it may
# offer less than asked, the "sent" column says what it did offer).
# Writes CSV (one row per step) and a PNG chart of loss against offered rate.
# Needs root. Usage:
#   sudo bench/fwd/small.sh [BUILD_DIR] [SECONDS_PER_STEP] [OUT_DIR]
# PERF_RATE=RATE records the forwarder with perf (cpu-clock samples, call
# graphs) during the step at that rate and writes OUT_DIR/perf-PATH-DIR.txt.
# RATES="50000 100000 ..." and MODES="active-backup ..." override the steps
# and the modes, PEERS=0 leaves out the raw veth and OVS, BASE=OTHER_BUILD
# also runs that build's bondgend in every mode (path "MODE@base"): a
# before/after comparison in the same run; RX_RINGS="2 3 0" runs each
# bondgend once per port receive path (BONDGEND_RX_RING, bondgend(8);
# path "MODE/rxN"); traffic stays inside namespaces
# created here (10.206.x.y).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/fwd/lib.sh"
build=${1:-$top/build}
T=${2:-2}
OUT=${3:-$top/bench/fwd/results}
RATES=${RATES:-"50000 100000 200000 300000 450000 600000 800000 1000000"}
PEERS=${PEERS:-1}
MODES=${MODES:-"active-backup balance-rr balance-xor broadcast 802.3ad balance-tlb balance-alb"}
BONDGEND=$build/src/fwd/bondgend BONDGEN=$build/src/cli/bondgen BLAST=$build/bench/fwd/bg-blast
[ "$(id -u)" = 0 ] || { echo "bench/fwd: needs root" >&2; exit 1; }
for t in python3 ip; do command -v $t >/dev/null || { echo "bench/fwd: $t missing" >&2; exit 1; }; done
[ -x "$BONDGEND" ] || { echo "bench/fwd: build first ($BONDGEND)" >&2; exit 1; }
[ -x "$BLAST" ] || { echo "bench/fwd: build bg-blast first (meson compile -C $build bg-blast)" >&2; exit 1; }
A=bgs$$-a Bn=bgs$$-b H=bgs$$-host S=bgs$$-switch
RUN=$(mktemp -d /tmp/bgs.XXXXXX)
export BONDGEN_RUNDIR=$RUN/run
PIDS=() OVS=""
cleanup() {
        for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done
        [ -n "$OVS" ] && for f in $OVS/ovs-vswitchd.pid $OVS/ovsdb-server.pid; do [ -s $f ] && kill $(cat $f) 2>/dev/null; done
        sleep 0.5
        for n in $A $Bn $H $S; do ip netns del $n 2>/dev/null; done
        rm -rf $RUN
}
trap cleanup EXIT
mkdir -p "$OUT"
CSV=$OUT/small.csv
echo "path,direction,offered_pps,sent_pps,received_pps,loss_pct,fwd_cores,fwd_us_per_frame,fwd_wait_share" > $CSV.new

rxc() { ip netns exec $1 cat /sys/class/net/$2/statistics/rx_packets; }
mac() { ip netns exec $1 cat /sys/class/net/$2/address; }
# CPU nanoseconds of a process: the scheduler's run time of each of its
# threads (/proc/PID/task/*/schedstat, first field), summed. utime + stime
# of /proc/PID/stat would also count threads that ended, but on VMs with
# tick-based accounting it read 0 for whole steps of a paced load; the
# forwarders measured here keep their threads for the whole run. Printed
# with %.0f: mawk's %d stops at 2^31 - 1, so past 2.1 s of CPU every later
# step of the forwarder read 0.
cpu_ns() { if [ -n "${1:-}" ]; then cat /proc/$1/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; else echo 0; fi; }

# nanoseconds the process's main thread waited runnable for a CPU
# (/proc/PID/schedstat, second field); 0 without a forwarder
wait_ns() { if [ -n "${1:-}" ]; then awk '{printf "%.0f\n", $2}' /proc/$1/schedstat 2>/dev/null; else echo 0; fi; }
# times a process's threads were put on a CPU (schedstat, third field)
runs() { cat /proc/$1/task/*/schedstat 2>/dev/null | awk '{s += $3} END {printf "%.0f\n", s}'; }

# sweep PATH DIR GEN_NS GEN_DEV DST_MAC SRC_MAC SIP DIP RX_NS RX_DEV PID COPIES
# COPIES: how many times each frame reaches RX_DEV (2 in broadcast mode).
sweep() {
        local path=$1 dir=$2 gns=$3 gdev=$4 dmac=$5 smac=$6 sip=$7 dip=$8 rns=$9 rdev=${10} pid=${11} copies=${12}
        local rate bad=0 r0 r1 c0 c1 out
        for rate in $RATES; do
                r0=$(rxc $rns $rdev); c0=$(cpu_ns $pid); q0=$(wait_ns $pid)
                prof=""
                if [ "${PERF_RATE:-}" = $rate ] && [ -n "$pid" ] && command -v perf >/dev/null; then
                        # where the forwarder's time goes at this step: its
                        # threads sampled on the CPU clock (hardware counters
                        # may be absent on VMs), user and kernel together
                        perf record -q -e cpu-clock -F 2000 -g -p $pid -o $RUN/perf.data -- sleep $T >/dev/null 2>&1 &
                        prof=$!
                fi
                out=$(ip netns exec $gns "$BLAST" $gdev $dmac $smac $sip $dip $rate $T)
                if [ -n "$prof" ]; then
                        wait $prof
                        # self time per function, then time inside each
                        # function and what it called (system calls whole)
                        f="$OUT/perf-$(echo "$path-$dir" | tr -c 'a-zA-Z0-9.\n-' _).txt"
                        { perf report -i $RUN/perf.data --no-children --sort dso,sym -g none --stdio 2>/dev/null | grep -v '^$' | head -70
                          perf report -i $RUN/perf.data --children --sort sym -g none --stdio 2>/dev/null | grep -v '^$' | head -70
                        } > "$f"
                fi
                sleep 0.3
                r1=$(rxc $rns $rdev); c1=$(cpu_ns $pid); q1=$(wait_ns $pid)
                bad=$(python3 - "$path" "$dir" $rate "$out" $r0 $r1 $c0 $c1 $T $copies "$CSV.new" $bad ${q0:-0} ${q1:-0} <<'PY'
import sys
path, d, rate, out, r0, r1, c0, c1, secs, copies, csv, bad, q0, q1 = sys.argv[1:]
w = out.split(); sent = int(w[1]); wall = float(w[3]); secs = float(secs)
rx = (int(r1) - int(r0)) / int(copies)
loss = max(0.0, 100.0 * (1 - rx / sent)) if sent else 100.0
cores = (int(c1) - int(c0)) / 1e9 / wall
us = cores * wall * 1e6 / rx if rx else float("nan")
# the share of the step the forwarder's main thread spent runnable but
# waiting for a CPU (schedstat): the machine's load, not the forwarder
waits = (int(q1) - int(q0)) / 1e9 / wall
print("%-14s %-9s offered %8d sent %8.0f pps rcvd %8.0f pps loss %6.2f%% fwd %.2f cores %6.2f us/frame, waited %3.0f%%"
      % (path, d, int(rate), sent / wall, rx / wall, loss, cores, us, 100 * waits), file=sys.stderr)
open(csv, "a").write("%s,%s,%s,%.0f,%.0f,%.3f,%.3f,%.3f,%.3f\n" % (path, d, rate, sent / wall, rx / wall, loss, cores, us, waits))
print(int(bad) + 1 if loss > 5 else 0)
PY
)
                [ "$bad" -ge 2 ] && break   # two steps far past the limit: the rest only burns time
        done
}

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)" | tee $OUT/small.txt

# 1. raw veth pair
[ $PEERS = 1 ] && {
ip netns add $A; ip netns add $Bn
ip link add va netns $A type veth peer name vb netns $Bn
ip -n $A link set va up; ip -n $Bn link set vb up
ip -n $A addr add 10.206.0.1/24 dev va; ip -n $Bn addr add 10.206.0.2/24 dev vb
sweep veth a-\>b $A va $(mac $Bn vb) $(mac $A va) 10.206.0.1 10.206.0.2 $Bn vb "" 1 2>&1 | tee -a $OUT/small.txt
ip netns del $A; ip netns del $Bn
}

# 2. bondgend per mode against a Linux bridge
bench_bridge_topo $H $S 10.206.1.1/24
ip netns exec $S sysctl -qw net.ipv6.conf.all.disable_ipv6=1
SMAC=$(mac $S br0)
for mode in $MODES; do for bld in $build ${BASE:-}; do for rx in ${RX_RINGS:-default}; do
        label=$mode; [ $bld = $build ] || label=$mode@base
        [ $rx = default ] || label=$label/rx$rx
        cat > $RUN/b.yaml <<Y
version: 1
bonds:
  - name: bond0
    mode: $mode
    options: {miimon: 100, xmit_hash_policy: layer3+4}
    ports: [{name: h0}, {name: h1}]
    ipv4: {method: static, addresses: [10.206.1.2/24]}
Y
        if [ $rx = default ]; then unset BONDGEND_RX_RING; else export BONDGEND_RX_RING=$rx; fi
        ip netns exec $H "$bld/src/fwd/bondgend" -c $RUN/b.yaml bond0 > $RUN/bondgend-$mode.log 2>&1 &
        FWD=$!; PIDS+=($FWD)
        for i in $(seq 50); do "$BONDGEN" status bond0 >/dev/null 2>&1 && break; sleep 0.1; done
        ip netns exec $H ping -c 3 -i 0.2 -q -W 1 10.206.1.1 >/dev/null 2>&1 || echo "# $mode: ping through the bond failed"
        BMAC=$(mac $H bond0); c=1; [ $mode = broadcast ] && c=2
        { echo "== bondgend $label (pid $FWD, $bld)"
          sweep $label tap-\>wire $H bond0 $SMAC $BMAC 10.206.1.2 10.206.1.1 $S br0 $FWD $c
          ip netns exec $H ping -c 2 -i 0.2 -q -W 1 10.206.1.1 >/dev/null 2>&1   # the bridge learns the bond MAC again
          sweep $label wire-\>tap $S br0 $BMAC $SMAC 10.206.1.1 10.206.1.2 $H bond0 $FWD 1
          # round trip through the bond at a low rate: a receive ring hands
          # frames over per block, so a lone frame may wait for its timeout
          echo "$label ping rtt min/avg/max/mdev: $(ip netns exec $H ping -c 20 -i 0.05 -q -W 1 10.206.1.1 2>/dev/null | awk -F' = ' '/^rtt/ {print $2}')"
          # after a second's rest (a TAP write's stack work can be
          # accounted late), 4 s without traffic: CPU and how often the
          # forwarder's threads ran (the timers: miimon, LACP)
          sleep 1; i0=$(cpu_ns $FWD); w0=$(runs $FWD); sleep 4; i1=$(cpu_ns $FWD); w1=$(runs $FWD)
          echo "$label idle: $(( (i1 - i0) / 4000 )) us of CPU per second, $(( (w1 - w0) / 4 )) runs per second (no traffic); VmRSS $(awk '/VmRSS/ {print $2, $3}' /proc/$FWD/status)"
        } 2>&1 | tee -a $OUT/small.txt
        kill $FWD; wait $FWD 2>/dev/null
done; done; done

# 3. Open vSwitch userspace active-backup bond over the same veths
if [ $PEERS = 1 ] && command -v ovs-vswitchd >/dev/null; then
        OVS=$RUN/ovs; mkdir -p $OVS
        ovsdb-tool create $OVS/conf.db
        ip netns exec $H ovsdb-server $OVS/conf.db --remote=punix:$OVS/db.sock --pidfile=$OVS/ovsdb-server.pid \
                --unixctl=$OVS/ovsdb-server.ctl --detach --no-chdir --log-file=$OVS/ovsdb-server.log
        ovs-vsctl --db=unix:$OVS/db.sock --no-wait init
        ip netns exec $H ovs-vswitchd unix:$OVS/db.sock --pidfile=$OVS/ovs-vswitchd.pid --unixctl=$OVS/ovs-vswitchd.ctl \
                --detach --no-chdir --log-file=$OVS/ovs-vswitchd.log 2>/dev/null
        for i in 0 1; do ip -n $H link set h$i up arp off; ip netns exec $H sysctl -qw net.ipv6.conf.h$i.disable_ipv6=1; done
        ovs-vsctl --db=unix:$OVS/db.sock add-br br-h -- set bridge br-h datapath_type=netdev
        ovs-vsctl --db=unix:$OVS/db.sock add-bond br-h bond1 h0 h1 bond_mode=active-backup lacp=off \
                other_config:bond-detect-mode=carrier
        ip -n $H addr add 10.206.1.3/24 dev br-h; ip -n $H link set br-h up
        sleep 2
        ip netns exec $H ping -c 3 -i 0.2 -q -W 1 10.206.1.1 >/dev/null 2>&1 || echo "# ovs: ping failed"
        FWD=$(cat $OVS/ovs-vswitchd.pid) OMAC=$(mac $H br-h)
        { echo "== Open vSwitch userspace active-backup (ovs-vswitchd pid $FWD)"
          sweep ovs tap-\>wire $H br-h $SMAC $OMAC 10.206.1.3 10.206.1.1 $S br0 $FWD 1
          ip netns exec $H ping -c 2 -i 0.2 -q -W 1 10.206.1.1 >/dev/null 2>&1
          sweep ovs wire-\>tap $S br0 $OMAC $SMAC 10.206.1.1 10.206.1.3 $H br-h $FWD 1
        } 2>&1 | tee -a $OUT/small.txt
fi
mv $CSV.new $CSV
"$top/bench/fwd/small-report.py" $CSV $OUT/small.png | tee -a $OUT/small.txt
