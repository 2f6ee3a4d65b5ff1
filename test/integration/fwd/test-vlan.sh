#!/bin/bash
# 802.1Q tags through bondgend, against Open vSwitch (topo_ovs 2, its
# ports then re-made per mode) trunking VLANs 100 and 200 and the untagged
# network (VLAN 1, native untagged), each with a host at the same address
# and its own MAC:
#   ns H: bondgend BOND = {h0, h1}       ns S: Open vSwitch br-sw (netdev)
#         h0 ──────────── veth ──────────── t0 ─┐
#         h1 ──────────── veth ──────────── t1 ─┴─ br-sw ─┬─ p1   (VLAN 1)
#                                                         ├─ p100 (VLAN 100)
#                                                         └─ p200 (VLAN 200)
#   each pV ── veth ── e0 in ns nV, 10.207.0.1/24 with its own MAC;
#   t0, t1 trunks (VLAN 1 native untagged, 100 and 200 tagged): two plain
#   ports for active-backup, one static bond0 (balance-slb) for balance-xor
# Cases (each "kept apart": an ARP request the bond sends in VLAN v, for
# VLANs 1 untagged, 100 and 200, is answered by VLAN v's host only, and
# the reply arrives in VLAN v):
#  active-backup           kept apart
#  active-backup failover  kept apart after the active port's partner
#                          goes down
#  balance-xor             kept apart (requests unicast to each host's MAC)
#  stop                    in each mode the bond device is gone after
#                          bondgend stops
#
# What it guards: AF_PACKET hands the forwarder received frames whose tag
# the kernel moved out of the data into the packet auxdata; bondgend must
# put it back before the frame reaches the bond device, and frames the
# bond sends tagged must leave tagged. (This kernel may lack 802.1Q
# devices, so the bond side speaks tagged frames from a raw socket,
# vlan-probe.py.) Each mode gets the partner it is made for (bonding.rst
# "5. Switch Configuration"): active-backup two independent trunk ports
# of a learning switch, so replies follow the bond's MAC to its active
# port; balance-xor a static bond (OVS balance-slb). That static bond
# takes broadcasts only on its active member while balance-xor sends each
# on the port its hash picks, so in balance-xor the requests are unicast
# to the host's MAC.
. "$(dirname "$0")/lib.sh"
require ip python3 ovs-vsctl ovs-vswitchd ovsdb-server ovsdb-tool ethtool
PEER=10.207.9.1 ADDR=10.207.9.2 B=bgfvl$$
B=${B:0:15}
PROBE="$(dirname "$0")/vlan-probe.py"
topo_ovs 2
TRUNK="vlan_mode=native-untagged tag=1 trunks=1,100,200"   # VLAN 1 untagged, 100 and 200 tagged
# partner MODE: the switch side for MODE, its ports trunks
partner() {
        vsc --if-exists del-port br-sw bond0 -- --if-exists del-port br-sw t0 -- --if-exists del-port br-sw t1
        if [ $1 = active-backup ]; then
                vsc add-port br-sw t0 $TRUNK -- add-port br-sw t1 $TRUNK
        else
                vsc add-bond br-sw bond0 t0 t1 bond_mode=balance-slb lacp=off \
                        other_config:bond-detect-mode=carrier -- set port bond0 $TRUNK
        fi
}
# ready MODE: OVS forwards on both ports
ready() {
        if [ $1 = active-backup ]; then
                [ "$(vsc get interface t0 link_state)" = up ] && [ "$(vsc get interface t1 link_state)" = up ]
        else
                [ "$(app bond/show bond0 | grep -c '^member .*: enabled')" = 2 ]
        fi
}
declare -A NMAC
for v in 1 100 200; do
        netns $P-n$v
        ip link add p$v netns $S type veth peer name e0 netns $P-n$v
        ip -n $S link set p$v up
        ip -n $P-n$v link set e0 up
        ip -n $P-n$v addr add 10.207.0.1/24 dev e0
        vsc add-port br-sw p$v tag=$v
        NMAC[$v]=$(ip netns exec $P-n$v cat /sys/class/net/e0/address)
done

no_link() { ! ip -n $H link show $1 >/dev/null 2>&1; }
not_active() { [ "$(active_of $1)" != "$2" ]; }

check() {   # LABEL: every network answers in its own VLAN, and only it
        local v want out UNI
        for v in 1 100 200; do
                UNI=""; [ $mode = balance-xor ] && UNI=${NMAC[$v]}
                want="${NMAC[$v]} $v"; [ $v = 1 ] && want="${NMAC[1]} 0"
                out=$(ip netns exec $H python3 "$PROBE" $B $([ $v = 1 ] && echo 0 || echo $v) "$BMAC" 10.207.0.2 10.207.0.1 $UNI) ||
                        fail "$1: no ARP reply in VLAN $v"
                [ "$out" = "$want" ] || fail "$1: VLAN $v: replies '$(echo $out)', want only '$want'"
        done
        ok "$1: VLANs 100, 200 and the untagged network kept apart"
}

for mode in active-backup balance-xor; do
        partner $mode
        write_config $TMP/v.yaml $B $mode "h0 h1" "miimon: 100"
        start_bondgend $TMP/v.yaml $B
        BMAC=$(ip netns exec $H cat /sys/class/net/$B/address)
        wait_until 10 ready $mode || fail "$mode: the switch did not bring its ports up"
        check "$mode"
        if [ $mode = active-backup ]; then
                act=$(active_of $B)
                ip -n $S link set t${act#h} down
                wait_until 3 not_active $B $act || fail "no failover from $act"
                check "$mode after failover to $(active_of $B)"
                ip -n $S link set t${act#h} up
        fi
        stop_bondgend
        wait_until 2 no_link $B || fail "$B still exists after bondgend stopped"
done
