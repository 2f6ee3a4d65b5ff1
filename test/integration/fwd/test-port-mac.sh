#!/bin/bash
# Ports matched by MAC (HWADDR= in ifcfg files): bondgend enslaves the NIC
# that has the MAC, whatever the kernel named it, as the kernel backend
# does; a port given only by its MAC works too. Linux-bridge partner
# (topo_bridge 2, the host's ports renamed):
#   ns H:  bondgend BOND = {eth0 with nic0's MAC,   ns S: Linux bridge br0,
#                           nic1's MAC}                   PEER/24
#          nic0 ──────────── veth ───────────── t0 ─┐
#          nic1 ──────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  validate   the model (a port by name and MAC, a port by MAC only)
#             passes bondgen validate
#  MAC match  status shows nic0 and nic1 enslaved and no waiting eth0;
#             the log says "port eth0: MAC ... is nic0"
#  traffic    ping through the bond
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.6.1 ADDR=10.203.6.2 B=bgfmac$$
B=${B:0:15}
topo_bridge 2
# the legacy files said eth0/eth1; the kernel calls them nic0/nic1 now
ip -n $H link set h0 name nic0
ip -n $H link set h1 name nic1
m0=$(ip -n $H -br link show nic0 | awk '{print $3}')
m1=$(ip -n $H -br link show nic1 | awk '{print $3}')
cat > $TMP/m.yaml <<YAML
version: 1
bonds:
  - name: $B
    backend: userspace
    mode: active-backup
    options:
      miimon: 100
    ports:
      - name: eth0
        mac: "$m0"
      - mac: "$m1"
    ipv4:
      method: static
      addresses: [$ADDR/24]
YAML
"$BONDGEN" validate $TMP/m.yaml || fail "the model does not validate"
start_bondgend $TMP/m.yaml $B
st $B > $TMP/status.txt
grep -q "^Slave Interface: nic0" $TMP/status.txt || fail "eth0 (MAC $m0) was not matched to nic0: $(cat $TMP/status.txt)"
grep -q "^Slave Interface: nic1" $TMP/status.txt || fail "the MAC-only port $m1 was not matched to nic1"
grep -q "^Slave Interface: eth0" $TMP/status.txt && fail "a port named eth0 is waiting although its MAC is present"
ok "ports matched by MAC: nic0 and nic1 enslaved"
grep -q "port eth0: MAC $m0 is nic0" $TMP/bondgend-$B.log || fail "no log line for the MAC match"
ip netns exec $H ping -n -c 3 -i 0.2 -W 2 $PEER > $TMP/ping.log || fail "ping through the bond"
ok "ping through $B"
stop_bondgend
exit 0
