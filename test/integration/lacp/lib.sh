# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the 802.3ad / TLB / ALB namespace tests. Source it from
# bash with BONDGEND set to the forwarder binary. Everything it creates is
# named bgl-$$-* (namespaces) or lives under $RUN, and is removed by
# bgl_cleanup (installed as the EXIT trap by bgl_init).
#
# No fixed topology: each test draws its own at its top, built from
#   bgl_ns NS                      a namespace, lo up
#   bgl_veth NS_A IF_A NS_B IF_B   a veth pair between two namespaces, up
#   bgl_bond NS BOND MODE PORTS..  bondgend in NS over PORTS (their ARP and
#                                  IPv6 off), control socket in
#                                  $RUN/rundir-BOND
#   ovs_start NS NAME              a private Open vSwitch in NS
# most often two namespaces joined by two veth pairs, the partner being
# another bondgend, Open vSwitch with an LACP bond, or a Linux bridge:
#   ns A: bondgend BOND = {a0, a1}     ns B: the partner
#         a0 ──────────── veth ──────────── b0 ─┐
#         a1 ──────────── veth ──────────── b1 ─┴─ bondgend / OVS / br0
#
# The Open vSwitch partner:
# a private ovsdb-server + ovs-vswitchd inside the switch namespace, the
# userspace (netdev) datapath, no kernel module.

set -u
. "$(dirname "${BASH_SOURCE[0]}")/../wait.sh"

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; bgl_dump; exit 1; }
log() { echo "# $*" >&2; }

PIDS=()
NSS=()
OVS_DIRS=()

bgl_init() {
        [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
        [ -x "${BONDGEND:-}" ] || skip "bondgend not built"
        command -v ip >/dev/null || skip "iproute2 missing"
        RUN=$(mktemp -d /tmp/bgl.XXXXXX)
        P=bgl-$$
        trap bgl_cleanup EXIT
}

bgl_need_ovs() {
        for t in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl; do
                command -v $t >/dev/null || skip "$t missing (openvswitch-switch)"
        done
}

bgl_cleanup() {
        local pid d n
        for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
        for d in "${OVS_DIRS[@]}"; do
                for f in "$d"/ovs-vswitchd.pid "$d"/ovsdb-server.pid; do
                        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
                done
        done
        gone() { for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && return 1; done; return 0; }
        wait_until 1 gone
        for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
        for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done
        [ -n "${RUN:-}" ] && rm -rf "$RUN"
}

bgl_dump() {
        [ -n "${RUN:-}" ] || return 0
        for f in "$RUN"/*.log "$RUN"/*/ovs-vswitchd.log; do
                [ -f "$f" ] || continue
                echo "---- $f (tail)" >&2
                tail -n 30 "$f" >&2
        done
        for b in "${BONDS[@]:-}"; do
                [ -n "$b" ] || continue
                echo "---- status $b" >&2
                bgl_status "$b" >&2 || true
        done
}

bgl_ns() {
        ip netns add "$1" || fail "cannot create namespace $1"
        NSS+=("$1")
        ip -n "$1" link set lo up
}

# veth NS_A IF_A NS_B IF_B
bgl_veth() {
        ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || fail "veth $2/$4"
        ip -n "$1" link set "$2" up
        ip -n "$3" link set "$4" up
}

# The namespace's own stack must not answer on ports: a frame AF_PACKET
# reads still reaches the host stack too.
bgl_quiet() {
        ip -n "$1" link set "$2" arp off
        ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
}

# ovs_start NS NAME: a private OVS in NS, state under $RUN/NAME.
ovs_start() {
        local ns=$1 d=$RUN/$2
        mkdir -p "$d"
        OVS_DIRS+=("$d")
        ovsdb-tool create "$d/conf.db" >/dev/null || fail "ovsdb-tool create"
        ip netns exec "$ns" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --pidfile="$d/ovsdb-server.pid" \
                --unixctl="$d/ovsdb-server.ctl" --detach --no-chdir --log-file="$d/ovsdb-server.log" ||
                fail "ovsdb-server"
        ovs-vsctl --db="unix:$d/db.sock" --no-wait init
        ip netns exec "$ns" ovs-vswitchd "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" \
                --unixctl="$d/ovs-vswitchd.ctl" --detach --no-chdir --log-file="$d/ovs-vswitchd.log" \
                2>"$d/vswitchd.stderr" || fail "ovs-vswitchd"
}
vsc() { local d=$RUN/$1; shift; ovs-vsctl --timeout=10 --db="unix:$d/db.sock" "$@"; }
app() { local d=$RUN/$1; shift; ovs-appctl --timeout=10 -t "$d/ovs-vswitchd.ctl" "$@"; }
ovs_pid() { cat "$RUN/$1/ovs-vswitchd.pid"; }

# bgl_bond NS BOND MODE "PORT..." ADDR "KEY: VAL..." : write a model and start
# bondgend for it in NS; the control socket is under $RUN/rundir-BOND.
BONDS=()
bgl_bond() {
        local ns=$1 bond=$2 mode=$3 ports=$4 addr=$5 opts=$6 p o
        local cfg=$RUN/$bond.yaml
        {
                echo "version: 1"
                echo "bonds:"
                echo "  - name: $bond"
                echo "    backend: userspace"
                echo "    mode: $mode"
                echo "    options:"
                echo "      miimon: 100"
                for o in $opts; do echo "      ${o%%=*}: ${o#*=}"; done
                echo "    ports:"
                for p in $ports; do echo "      - name: $p"; done
                echo "    ipv4:"
                echo "      method: static"
                echo "      addresses: [$addr]"
        } > "$cfg"
        for p in $ports; do bgl_quiet "$ns" "$p"; done
        mkdir -p "$RUN/rundir-$bond"
        BONDGEN_RUNDIR=$RUN/rundir-$bond ip netns exec "$ns" "$BONDGEND" -c "$cfg" "$bond" \
                > "$RUN/$bond.log" 2>&1 &
        PIDS+=($!)
        eval "PID_$bond=$!"
        BONDS+=("$bond")
        wait_until 5 test -S "$RUN/rundir-$bond/$bond.sock" || fail "bondgend for $bond did not come up"
}

# bgl_status BOND [json]: the forwarder's status text.
bgl_status() {
        /usr/bin/python3 - "$RUN/rundir-$1/$1.sock" "status${2:+ $2}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode())
PY
}

# The "port state:" values of BOND's ports, actor then partner per port.
bgl_states() {
        bgl_status "$1" | awk '/details actor lacp pdu/ {s="a"} /details partner lacp pdu/ {s="p"}
                /port state:/ {printf "%s%s ", s, $3}'
}

# bgl_wait SECONDS CMD...: wait_until with CMD's output discarded.
bgl_wait() {
        wait_until "$@" >/dev/null 2>&1
}

# every actor and partner port state of BOND has collecting+distributing.
bgl_all_cd() {
        local s n=0
        for s in $(bgl_states "$1"); do
                n=$((n + 1))
                [ $(( ${s:1} & 0x30 )) = $((0x30)) ] || return 1
        done
        [ "$n" -ge "${2:-4}" ]
}

# OVS side: every member of bond0 "current attached" and may_enable.
ovs_negotiated() {
        local o
        o=$(app "$1" bond/show bond0) || return 1
        echo "$o" | grep -q "lacp_status: negotiated" || return 1
        [ "$(echo "$o" | grep -c 'may_enable: true')" = "${2:-2}" ] || return 1
        # OVS enables a member a moment after may_enable; a hash bucket first
        # used before that sticks to the members enabled then until the next
        # rebalance (bond.c choose_output_member), so wait for "enabled" too.
        [ "$(echo "$o" | grep -c '^member .*: enabled')" = "${2:-2}" ]
}

now_ms() { date +%s%3N; }

# rx/tx packet counters of a device
rxp() { ip -n "$1" -s -j link show "$2" | /usr/bin/python3 -c 'import json,sys;print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'; }
txp() { ip -n "$1" -s -j link show "$2" | /usr/bin/python3 -c 'import json,sys;print(json.load(sys.stdin)[0]["stats64"]["tx"]["packets"])'; }
