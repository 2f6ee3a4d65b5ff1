#!/bin/bash
# The bond's MAC address is its first port's (the model's first) across
# bondgend restarts and whatever order the ports appear in, as the kernel
# and initscripts give a bond its first port's MAC and bondgen apply keeps
# it so (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  first start      the bond has h0's MAC; S reaches the bond
#  clean restart    SIGTERM and start (a new device): h0's MAC again
#  kill -9 restart  SIGKILL and start (the device kept): h0's MAC, which
#                   h1 carries too; S reaches the bond
#  late first port  h0 renamed away at start: the bond has h1's MAC; when
#                   h0 appears the bond takes h0's, h1 follows, and S
#                   reaches the bond
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.12.1 ADDR=10.203.12.2 B=bgfms$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/m.yaml $B active-backup "h0 h1" "miimon: 100"
mac_of() { ip -n $H -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
bond_mac_is() { [ "$(mac_of $B)" = "$1" ]; }
m0=$(mac_of h0) m1=$(mac_of h1)

start_bondgend $TMP/m.yaml $B
[ "$(mac_of $B)" = "$m0" ] || fail "first start: bond MAC $(mac_of $B), want h0's $m0"
wait_until 10 reaches $S $ADDR || fail "no traffic"
ok "first start: the bond has h0's MAC $m0"

stop_bondgend
start_bondgend $TMP/m.yaml $B
[ "$(mac_of $B)" = "$m0" ] || fail "clean restart: bond MAC $(mac_of $B), want $m0"
ok "clean restart (a new device): same MAC"

kill -9 $BPID; wait $BPID 2>/dev/null
start_bondgend $TMP/m.yaml $B
[ "$(mac_of $B)" = "$m0" ] || fail "kill -9 restart: bond MAC $(mac_of $B), want $m0"
[ "$(mac_of h1)" = "$m0" ] || fail "h1 does not carry the bond MAC after the restart"
wait_until 10 reaches $S $ADDR || fail "no traffic after the kill -9 restart"
ok "kill -9 and restart (the device kept): same MAC"

# the first port missing at start: h1 joins first and lends its MAC;
# when h0 appears the bond takes h0's, and h1 follows
stop_bondgend
ip -n $H link set h0 name hz$$
start_bondgend $TMP/m.yaml $B
[ "$(mac_of $B)" = "$m1" ] || fail "h0 missing: bond MAC $(mac_of $B), want h1's $m1"
ip -n $H link set hz$$ name h0
wait_until 5 bond_mac_is "$m0" || fail "h0 appeared: bond MAC $(mac_of $B), want h0's $m0"
[ "$(mac_of h1)" = "$m0" ] || fail "h1 did not follow the bond MAC: $(mac_of h1)"
wait_until 10 reaches $S $ADDR || fail "no traffic after h0 joined"
ok "h0 joined late: the bond took h0's MAC again (h1 follows), the same as every start"
