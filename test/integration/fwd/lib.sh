# Shared helpers for the bondgend namespace tests (sourced, bash).
# Every namespace, process and file a test creates is named with $P and
# removed by the EXIT trap, also when the test fails.
#
# The two topologies a test builds (H = $P-h, S = $P-s; the test sets
# PEER and ADDR, write_config gives the bond ADDR/24):
#  topo_bridge N   the switch is a Linux bridge
#   ns H:  bondgend BOND = {h0 .. h(N-1)}  ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┼─ br0
#          ...                                 ... ┘
#  topo_ovs N      the switch is Open vSwitch (userspace datapath, no
#                  kernel module), a static bond of the t ports
#   ns H:  bondgend BOND = {h0 .. h(N-1)}  ns S: Open vSwitch br-sw (netdev),
#          h0 ───────────── veth ───────────── t0 ─┐  static bond0 (balance-slb),
#          h1 ───────────── veth ───────────── t1 ─┴─ PEER/24 on br-sw
#          (h ports without offloads; t ports without ARP and IPv6)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../wait.sh"
P=bgf$$
TMP=$(mktemp -d /tmp/bgf-test.XXXXXX)
export BONDGEN_RUNDIR=$TMP/run
PIDS=()
NSES=()
OVS_DIRS=()
FAILED=0

log() { echo "# $*"; }
fail() { echo "FAIL: $*" >&2; FAILED=1; exit 1; }
ok() { echo "ok: $*"; }
skip() { echo "SKIP: $*" >&2; exit 77; }

cleanup() {
        local rc=$?
        for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
        for d in "${OVS_DIRS[@]}"; do
                for f in "$d"/ovs-vswitchd.pid "$d"/ovsdb-server.pid; do
                        [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
                done
        done
        gone() { for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && return 1; done; return 0; }
        wait_until 1 gone
        for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
        for n in "${NSES[@]}"; do ip netns del "$n" 2>/dev/null; done
        if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
                for f in "$TMP"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done
        fi
        rm -rf "$TMP"
        exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# For tests in which `bondgen apply` in ns H starts bondgend there:
# apply_in_h makes the EXIT trap end what runs in H before cleanup, and
# bg_h runs bondgen in H with bondgend on its PATH and a private empty
# /run/systemd, so apply starts bondgend itself and not through a unit.
apply_in_h() {
        trap 'rc=$?; ns_kill; (exit $rc); cleanup' EXIT
}
ns_kill() { local p; for p in $(ip netns pids $H 2>/dev/null); do kill $p 2>/dev/null; done; }
bg_h() {
        ip netns exec $H sh -c 'mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && PATH="$0:$PATH" exec "$@"' \
                "$(dirname "$BONDGEND")" "$BONDGEN" "$@"
}

require() {
        [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
        for t in "$@"; do command -v "$t" >/dev/null || skip "$t not installed"; done
        [ -x "${BONDGEND:-}" ] || skip "BONDGEND not set to the built bondgend"
        [ -x "${BONDGEN:-}" ] || skip "BONDGEN not set to the built bondgen"
        [ -c /dev/net/tun ] || skip "no /dev/net/tun"
}

netns() { ip netns add "$1" && NSES+=("$1") && ip -n "$1" link set lo up; }

# topo_bridge N: host ns $H with ports h0..h(N-1) whose peers t0.. sit in the
# switch ns $S on Linux bridge br0 with address $PEER/24 (drawn at the top).
topo_bridge() {
        local n=$1 i
        H=$P-h S=$P-s
        netns $H; netns $S
        ip -n $S link add br0 type bridge
        for ((i = 0; i < n; i++)); do
                ip link add h$i netns $H type veth peer name t$i netns $S
                ip -n $S link set t$i master br0
                ip -n $S link set t$i up
        done
        ip -n $S link set br0 up
        ip -n $S addr add $PEER/24 dev br0
        ip netns exec $S sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}

# ovs_start NS DIR: private ovsdb-server + ovs-vswitchd (userspace datapath, no kernel module)
ovs_start() {
        local ns=$1 d=$2
        mkdir -p "$d"; OVS_DIRS+=("$d")
        ovsdb-tool create "$d/conf.db" >/dev/null
        ip netns exec "$ns" ovsdb-server "$d/conf.db" --remote=punix:"$d/db.sock" \
                --pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" --detach --no-chdir \
                --log-file="$d/ovsdb-server.log" || return 1
        ovs-vsctl --db=unix:"$d/db.sock" --no-wait init
        ip netns exec "$ns" ovs-vswitchd unix:"$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" \
                --unixctl="$d/ovs-vswitchd.ctl" --detach --no-chdir --log-file="$d/ovs-vswitchd.log" 2>/dev/null
}
vsc() { ovs-vsctl --db=unix:"$OVS/db.sock" "$@"; }
app() { ovs-appctl -t "$OVS/ovs-vswitchd.ctl" "$@"; }

# topo_ovs N: like topo_bridge, the switch being an Open vSwitch userspace
# (netdev) bridge br-sw with a static bond (balance-slb, no LACP) of the
# t ports; the peer address is on the internal port (drawn at the top).
topo_ovs() {
        local n=$1 i ports=""
        H=$P-h S=$P-s OVS=$TMP/ovs
        netns $H; netns $S
        for ((i = 0; i < n; i++)); do
                ip link add h$i netns $H type veth peer name t$i netns $S
                ip -n $S link set t$i up
                ip -n $S link set t$i arp off
                ip netns exec $S sysctl -qw net.ipv6.conf.t$i.disable_ipv6=1
                # OVS reads ports without virtio-net headers: segment and
                # checksum in the kernel before frames reach it, as a NIC
                # without offloads would.
                ip netns exec $H ethtool -K h$i tso off gso off tx off >/dev/null 2>&1
                ports="$ports t$i"
        done
        ovs_start $S "$OVS" || fail "ovs did not start"
        vsc add-br br-sw -- set bridge br-sw datapath_type=netdev
        vsc add-bond br-sw bond0 $ports bond_mode=balance-slb lacp=off other_config:bond-detect-mode=carrier
        ip -n $S addr add $PEER/24 dev br-sw
        ip -n $S link set br-sw up
}

# write_config FILE BOND MODE PORTS OPTIONS...: canonical YAML for one bond
write_config() {
        local f=$1 bond=$2 mode=$3 ports=$4; shift 4
        {
                echo "version: 1"
                echo "bonds:"
                echo "  - name: $bond"
                echo "    backend: userspace"
                echo "    mode: $mode"
                if [ $# -gt 0 ]; then
                        echo "    options:"
                        for o in "$@"; do echo "      $o"; done
                fi
                echo "    ports:"
                for p in $ports; do echo "      - name: $p"; done
                echo "    ipv4:"
                echo "      method: static"
                echo "      addresses: [$ADDR/24]"
        } > "$f"
}

# start_bondgend CONFIG BOND: start it in $H, wait until its control socket answers
# add_vlan FILE NAME ID LINK ADDR/PREFIX: a VLAN device with a static
# IPv4 address in the model FILE (write_config's), "vlans:" added once
add_vlan() {
        grep -q '^vlans:' "$1" || echo "vlans:" >> "$1"
        printf '  - name: %s\n    id: %s\n    link: %s\n    ipv4: {method: static, addresses: [%s]}\n' \
                "$2" "$3" "$4" "$5" >> "$1"
}

start_bondgend() {
        local cfg=$1 bond=$2 i
        ip netns exec $H "$BONDGEND" -c "$cfg" "$bond" >> "$TMP/bondgend-$bond.log" 2>&1 &
        BPID=$!
        PIDS+=($BPID)
        answers() { "$BONDGEN" status "$1" > /dev/null 2>&1 || ! kill -0 $BPID 2>/dev/null; }
        wait_until 5 answers "$bond"
        kill -0 $BPID 2>/dev/null || fail "bondgend exited: $(tail -5 "$TMP/bondgend-$bond.log")"
        "$BONDGEN" status "$bond" > /dev/null 2>&1 || fail "bondgend did not create its control socket"
}

stop_bondgend() {
        kill -TERM $BPID 2>/dev/null
        wait $BPID 2>/dev/null
}

st() { "$BONDGEN" status "$@"; }
# ctl BOND REQUEST: one request line to BOND's control socket; prints the
# answer, fails unless it starts with "ok"
ctl() {
        python3 - "$BONDGEN_RUNDIR/$1.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    d = s.recv(65536)
    if not d: break
    out += d
print(out.decode(), end="")
sys.exit(0 if out.startswith(b"ok") else 1)
PY
}
active_of() { st "$1" | sed -n 's/^Currently Active Slave: //p'; }
# Conditions for wait_until: active_is BOND PORT; mii_is BOND PORT up|down;
# bond_mii_is BOND up|down; started_daemon PIDFILE (iperf3 -D writes it
# after the parent returned); capturing LOG (tcpdump said "listening").
active_is() { [ "$(active_of "$1")" = "$2" ]; }
mii_is() { st "$1" | grep -A1 "^Slave Interface: $2\$" | grep -q "MII Status: $3"; }
bond_mii_is() { [ "$(st "$1" | sed -n 's/^MII Status: //p' | head -1)" = "$2" ]; }
started_daemon() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
capturing() { grep -q "listening on" "$1" 2>/dev/null; }
reaches() { ip netns exec "$1" ping -n -q -c 1 -W 1 "$2" > /dev/null 2>&1; }
# iperf3_server NS: a daemon on port 5201, registered for cleanup
iperf3_server() {
        ip netns exec "$1" iperf3 -s -D -p 5201 --pidfile $TMP/iperf.pid || fail "iperf3 server"
        wait_until 5 started_daemon $TMP/iperf.pid || fail "iperf3 server did not start"
        PIDS+=($(cat $TMP/iperf.pid))
}
# port_tx BOND PORT: "TX Packets" of a port from bondgen status
# flood_port NS DEV COUNT [HEX]: COUNT frames sent on DEV in NS as fast as
# a loop can: the frame HEX, else 60 bytes to a MAC nobody has with an
# ethertype nobody takes (local experimental).
flood_port() {
        ip netns exec "$1" python3 - "$2" "$3" "${4:-02bbbbbbbbbb02cccccccccc88b5}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
f = bytes.fromhex(sys.argv[3])
f += bytes(max(0, 60 - len(f)))
for _ in range(int(sys.argv[2])):
    s.send(f)
PY
}
port_stat() { st "$1" | awk -v p="$2" -v k="$3" '/^Slave Interface: /{cur=$3} cur==p && index($0, k": ")==1 {print $NF}'; }
link_stat() { ip -n "$1" -s -j link show "$2" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['stats64']['$3']['packets'])"; }

# ping_gap NS DST COUNT INTERVAL OUTFILE: run in the background; gap_of
# prints the longest run of missing sequence numbers and the total lost.
ping_bg() { ip netns exec "$1" ping -n -i "$4" -c "$3" -W 1 "$2" > "$5" 2>&1 & PING_PID=$!; PIDS+=($PING_PID); }
gap_of() {
        python3 - "$1" "$2" <<'PY'
import re, sys
seqs = sorted({int(m.group(1)) for m in re.finditer(r"icmp_seq=(\d+) ", open(sys.argv[1]).read())})
count = int(sys.argv[2])
got = set(seqs); best = run = 0
for s in range(1, count + 1):
    run = run + 1 if s not in got else 0
    best = max(best, run)
print(best, count - len(got))
PY
}
