#!/bin/bash
# 100 `bondgen apply` cycles on one running bondgend bond (topo_bridge 3),
# alternating two models that differ in mode (active-backup /
# balance-xor), one port (h2 joins and leaves) and miimon, under a 100/s
# ping stream from the partner. systemd is hidden in H, so apply starts
# bondgend itself:
#   ns H:  bondgend BOND = {h0, h1[, h2]}  ns S: Linux bridge br0, PEER/24
#          ADDR/24, started and changed by bondgen apply
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┼─ br0
#          h2 ───────────── veth ───────────── t2 ─┘
# Cases:
#  in place  every cycle applied live by the same bondgend (same pid), no
#            other process left in H
#  no leaks  no drift (bondgen diff) after the last cycle; bondgend's file
#            descriptors and nftables rules the same after cycle 2 and the
#            last, its RSS grown by at most 1 MiB
#  loss      only this test's two namespaces left; the loss per cycle is
#            reported and its outage stays under 1 s
# CHURN_CYCLES sets another number of cycles.
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.13.1 ADDR=10.203.13.2 B=bgfch$$
B=${B:0:15}
CYCLES=${CHURN_CYCLES:-100}
topo_bridge 3
apply_in_h
# in_h CMD...: in $H with systemd hidden (apply then starts bondgend
# itself) and the built bondgend first on PATH
in_h() {
        ip netns exec $H sh -c 'mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && PATH="$0:$PATH" exec "$@"' \
                "$(dirname "$BONDGEND")" "$@"
}
bg_h() { in_h "$BONDGEN" "$@"; }
write_config $TMP/a.yaml $B active-backup "h0 h1" "miimon: 100"
write_config $TMP/b.yaml $B balance-xor "h0 h1 h2" "miimon: 50" "xmit_hash_policy: layer2"
fds() { ls /proc/$1/fd | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/$1/status; }
# bondgend's nftables ingress rules on the ports (none when nft is missing)
rules() { command -v nft > /dev/null && ip netns exec $H nft list ruleset 2>/dev/null | grep -c . || echo 0; }

bg_h apply -c $TMP/a.yaml > $TMP/apply.log 2>&1 || fail "apply: $(cat $TMP/apply.log)"
wait_until 10 reaches $S $ADDR || fail "no traffic"
pid=$(ip netns pids $H)
[ "$(echo $pid | wc -w)" = 1 ] || fail "expected one process in $H: $pid"

ip netns exec $S ping -n -i 0.01 -W 1 $ADDR > $TMP/churn-ping.log 2>&1 &
PING=$!; PIDS+=($PING)
wait_until 5 grep -q "bytes from" $TMP/churn-ping.log || fail "no ping stream"
# cycles FIRST LAST: apply b, a, b, ... in one shell in $H
cycles() {
        in_h sh -c 'for i in $(seq $2 $3); do
                        if [ $((i % 2)) = 1 ]; then m=$0/b.yaml; else m=$0/a.yaml; fi
                        "$1" apply -c $m > $0/apply.log 2>&1 || { echo "cycle $i failed"; exit 1; }
                done' $TMP "$BONDGEN" "$1" "$2" || fail "$(cat $TMP/apply.log)"
}
t0=$(date +%s%N)
cycles 1 2
fd2=$(fds $pid) rss2=$(rss_kb $pid) rules2=$(rules)
cycles 3 $CYCLES
t1=$(date +%s%N)
# the last model (a) must carry traffic before the stream ends
wait_until 10 reaches $S $ADDR || fail "no traffic after the last cycle"
kill -INT $PING; wait $PING 2>/dev/null
fd100=$(fds $pid) rss100=$(rss_kb $pid) rules100=$(rules)
read sent got < <(python3 - $TMP/churn-ping.log <<'PY'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"(\d+) packets transmitted, (\d+) received", t)
print(m.group(1), m.group(2))
PY
)
lost=$((sent - got)) ms=$(( (t1 - t0) / 1000000 ))
# ping keeps its interval only roughly on a loaded machine: the outage of
# a cycle is the share of pings lost times the cycle's duration
outage=$(( lost * ms / sent / CYCLES ))
log "$CYCLES cycles in $ms ms ($((ms / CYCLES)) ms each); pings sent $sent, lost $lost: $(python3 -c "print(f'{$lost / $CYCLES:.1f}')") per cycle, ~$outage ms of outage per cycle"
log "bondgend pid $pid: fds $fd2 -> $fd100, RSS $rss2 -> $rss100 kB, nftables lines $rules2 -> $rules100"

[ "$(ip netns pids $H)" = "$pid" ] || fail "processes in $H after the churn: $(ip netns pids $H | tr '\n' ' ') (bondgend was $pid)"
ok "$CYCLES cycles applied in place: the same bondgend (pid $pid), no other process left"
bg_h diff -c $TMP/a.yaml > /dev/null || fail "drift after the churn"
[ "$fd100" = "$fd2" ] || fail "file descriptors leak: $fd2 after cycle 2, $fd100 after cycle $CYCLES"
[ "$rss100" -le $((rss2 + 1024)) ] || fail "RSS grew from $rss2 to $rss100 kB"
[ "$rules100" = "$rules2" ] || fail "nftables rules leak: $rules2 -> $rules100 lines"
ok "bondgend's file descriptors ($fd100), RSS ($rss2 -> $rss100 kB) and nftables rules ($rules100 lines) flat"
[ "$(ip netns list | grep -c "^$P-")" = 2 ] || fail "namespaces of this test: $(ip netns list | grep "^$P-")"
[ $outage -le 1000 ] || fail "more than 1 s of outage per cycle ($outage ms)"
ok "loss: $lost of $sent pings over $CYCLES cycles, ~$outage ms of outage per cycle (each a mode change)"
