#!/bin/sh
# Inside the differential harness's VM (busybox sh): a command server. The
# host (driver.py) writes "ID COMMAND" lines on the second serial line
# (/dev/ttyS1); each command runs here, its output comes back on the
# console as "BGDIFF-OUT ID LINE" and its end as "BGDIFF-ACK ID rc=N".
# The same script runs with and without bonding.ko: `bondgen apply` on a
# model with "backend: auto" makes a kernel bond in the first run and
# starts bondgend in the second, the only difference between the runs.
# Network and cases: vm-diff.sh's header.
IP=/usr/sbin/ip
# the partner side records every frame: no IPv6 chatter (router
# solicitations, MLD reports) from the bond or its ports
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for p in eth0 eth1; do sysctl -qw "net.ipv6.conf.$p.disable_ipv6=1"; done

# bond_up MODE KEY=VALUE...: write the model, apply it, wait for both ports
bond_up() {
        echo "$*" >/tmp/bond.args
        write_model "$@" && bondgen apply -c /tmp/m.yaml || return 1
        t=0
        while [ $t -lt 150 ]; do
                [ "$(bondgen status bond0 2>/dev/null | grep -c '^Slave Interface:')" = 2 ] &&
                        $IP link show bond0 | grep -q 'state UP' && break
                sleep 0.1; t=$((t + 1))
        done
        [ $t -lt 150 ] || { echo "bond0 not up with 2 ports"; bondgen status bond0; return 1; }
        # the flows' destinations, each with its own MAC (layer2 hashing
        # sees them): 10.88.0.N -> 02:00:00:00:01:0N
        for n in 2 3 4 5 6 7 8 9; do
                $IP neigh replace "10.88.0.$n" lladdr "02:00:00:00:01:0$n" dev bond0 nud permanent
        done
}
write_model() {
        mode=$1; shift
        {
                echo "version: 1"
                echo "bonds:"
                echo "  - name: bond0"
                echo "    backend: auto"
                echo "    mode: $mode"
                echo "    options:"
                for kv in "$@"; do
                        case "${kv%%=*}" in (*.*) ;; (*) echo "      ${kv%%=*}: ${kv#*=}" ;; esac
                done
                echo "    ports:"
                for p in eth0 eth1; do
                        echo "      - name: $p"
                        # PORT.KEY=VALUE: a key of that port's entry (eth1.prio=10)
                        for kv in "$@"; do
                                case "${kv%%=*}" in ("$p".*) k=${kv%%=*}; echo "        ${k#*.}: ${kv#*=}" ;; esac
                        done
                done
                echo "    ipv4:"
                echo "      method: static"
                echo "      addresses: [10.88.0.1/24]"
        } >/tmp/m.yaml
}
# opt KEY=VALUE...: change options of the running bond through apply
opt() {
        new="$*"
        # shellcheck disable=SC2046
        set -- $(cat /tmp/bond.args)
        for kv in "$@"; do
                shift
                case " $new " in (*" ${kv%%=*}="*) ;; (*) set -- "$@" "$kv" ;; esac
        done
        # shellcheck disable=SC2086
        set -- "$@" $new
        echo "$*" >/tmp/bond.args
        write_model "$@" && bondgen apply -c /tmp/m.yaml
}
bond_down() {
        p=$(pidof bondgend)
        [ -n "$p" ] && kill "$p"
        t=0
        while [ $t -lt 100 ] && pidof bondgend >/dev/null; do sleep 0.1; t=$((t + 1)); done
        $IP link del bond0 2>/dev/null
        t=0
        while [ $t -lt 100 ] && [ -e /sys/class/net/bond0 ]; do sleep 0.1; t=$((t + 1)); done
        [ ! -e /sys/class/net/bond0 ]
}
# wait_status ERE SECONDS: until `bondgen status bond0` matches (grep -E)
wait_status() {
        t=0
        while [ $t -lt $(($2 * 10)) ]; do
                bondgen status bond0 2>/dev/null | grep -qE "$1" && return 0
                sleep 0.1; t=$((t + 1))
        done
        echo "status never matched '$1'"; bondgen status bond0
        return 1
}
# wait_count ERE N SECONDS: until N lines of `bondgen status bond0` match
wait_count() {
        t=0
        while [ $t -lt $(($3 * 10)) ]; do
                [ "$(bondgen status bond0 2>/dev/null | grep -cE "$1")" -ge "$2" ] && return 0
                sleep 0.1; t=$((t + 1))
        done
        echo "status never had $2 lines matching '$1'"; bondgen status bond0
        return 1
}
udp() { bg-diff-udpsend "$@"; }
# link_set ARGS...: `ip link set bond0 ARGS` (mtu N, address MAC), as
# another tool would; links: the MTU and MAC of bond0 and its ports
link_set() { $IP link set bond0 "$@"; }
links() {
        for d in bond0 eth0 eth1; do
                echo "$d mtu $(cat /sys/class/net/$d/mtu) address $(cat /sys/class/net/$d/address)"
        done
}
# sniff_start SECONDS ETHERTYPE[,ETHERTYPE]: note on which device each
# frame of those EtherTypes comes up, in the background; sniff_report
# [all]: once that time is over, one line per device and subtype (or
# EtherType) with its count, LACPDUs and markers (subtypes 1 and 2: the
# partner's own, their number depends on timing) left out unless "all"
# (a scenario that checks they are consumed)
sniff_start() {
        rm -f /tmp/sniff.out
        bg-diff-udpsend sniff "$1" "$2" </dev/null >/tmp/sniff.out 2>&1 &
        echo $! >/tmp/sniff.pid
        t=0
        while [ $t -lt 100 ] && ! grep -q '^listening$' /tmp/sniff.out 2>/dev/null; do sleep 0.05; t=$((t + 1)); done
        grep -q '^listening$' /tmp/sniff.out || { echo "the probe did not start"; cat /tmp/sniff.out; return 1; }
}
sniff_report() {
        p=$(cat /tmp/sniff.pid)
        t=0
        while [ $t -lt 100 ] && [ -d "/proc/$p" ]; do sleep 0.1; t=$((t + 1)); done
        [ ! -d "/proc/$p" ] || { echo "the probe did not end"; return 1; }
        if [ "${1:-}" = all ]; then
                grep -v '^listening$' /tmp/sniff.out
        else
                grep -v -e ' subtype [12]$' -e '^listening$' /tmp/sniff.out
        fi | sort | uniq -c | sed 's/^ *//'
}
status() { bondgen status bond0; }
# IPv6 on bond0 only (the ports keep it off; the next bond0 is made with
# it off again): no router solicitations, the link-local address and
# 2001:db8::1/64, back once DAD is over
ipv6_on() {
        sysctl -qw net.ipv6.conf.bond0.router_solicitations=0 &&
                sysctl -qw net.ipv6.conf.bond0.disable_ipv6=0 &&
                $IP -6 addr add 2001:db8::1/64 dev bond0 || return 1
        t=0
        while [ $t -lt 100 ]; do
                [ "$($IP -6 addr show dev bond0 | grep -c inet6)" = 2 ] &&
                        [ -z "$($IP -6 addr show dev bond0 tentative)" ] && return 0
                sleep 0.1; t=$((t + 1))
        done
        echo "DAD never ended"; $IP -6 addr show dev bond0
        return 1
}
# ip6_router: bond0 forwards IPv6 (a router: the Router flag of its NAs)
ip6_router() { sysctl -qw net.ipv6.conf.bond0.forwarding=1; }
# ip6_tentative: 2001:db8::9 that stays tentative (DAD of 100 probes)
ip6_tentative() {
        sysctl -qw net.ipv6.conf.bond0.dad_transmits=100 &&
                $IP -6 addr add 2001:db8::9/64 dev bond0 &&
                $IP -6 addr show dev bond0 tentative | grep -q 2001:db8::9
}
# prios: each port's prio as the bond reports it; the kernel gives it
# over netlink only (IFLA_BOND_SLAVE_PRIO, shown by `ip -d link`), bondgend
# in its status ("Prio:")
prios() {
        if [ "$(backend)" = kernel ]; then
                for p in eth0 eth1; do
                        echo "$p prio $($IP -d link show "$p" | sed -n 's/.* prio \(-\{0,1\}[0-9]*\).*/\1/p')"
                done
        else
                bondgen status bond0 | sed -n 's/^Slave Interface: //p; s/^Prio: /prio /p' | while read -r a v; do
                        if [ "$a" = prio ]; then echo "$n prio $v"; else n=$a; fi
                done
        fi
}
backend() { if [ -e /sys/class/net/bonding_masters ]; then echo kernel; else echo userspace; fi; }

# bond0's link changes on the console, to tell a lost frame's cause
# (a carrier that went off for a moment drops what is sent meanwhile)
$IP -o monitor link | while read -r l; do
        case "$l" in (*bond0*) echo "BGDIFF-LINK $(cut -d' ' -f1 /proc/uptime) $l" ;; esac
done &

stty -F /dev/ttyS1 raw -echo
exec 3</dev/ttyS1
echo "BGDIFF-READY backend=$(backend)"
while read -r id cmd <&3; do
        [ "$cmd" = quit ] && { echo "BGDIFF-ACK $id rc=0"; break; }
        (eval "$cmd") >/tmp/out 2>&1
        rc=$?
        sed "s/^/BGDIFF-OUT $id /" /tmp/out
        echo "BGDIFF-ACK $id rc=$rc"
done
