#!/bin/bash
# bondgend's ARP monitor with its target behind a VLAN of the bond
# (bond_main.c:bond_arp_send_all(): the route to the target leaves through
# BOND.100, so the probes carry tag 100 and BOND.100's address), against
# Open vSwitch (topo_ovs 2) trunking VLAN 100 only: untagged frames from
# the bond are dropped, so only tagged probes are ever answered.
#   ns H: bondgend BOND = {h0, h1}        ns S: Open vSwitch br-sw (netdev)
#         BOND      ADDR/24 (no target)   t0, t1 trunks (VLAN 100 only) ─ br-sw ─ p100 (VLAN 100)
#         BOND.100  10.208.100.2/24       p100 ── veth ── e0 in ns N, TARGET/24
#         h0 ─ veth ─ t0, h1 ─ veth ─ t1
# BOND.100 is bondgend's own VLAN TAP where the kernel has no 802.1Q
# (bondgend(8), VLANS), else a kernel VLAN device on the bond's TAP.
# Cases:
#  tagged probes  every probe for TARGET seen on the switch's ports carries
#                 tag 100 and says "tell 10.208.100.2"; none goes untagged
#  ports up       both ports stay up for 3 s (the backup validated by the
#                 active port's tagged requests), no link failure counted
#  failover       the active port's partner goes down: the other port
#                 becomes active, the bond stays up, its probes are tagged
#  no route       BOND.100 loses its address: no route to TARGET, the
#                 probes go untagged from 0.0.0.0, nobody answers, the bond
#                 goes down; the address back: tagged again, bond up
#  vlan hint      bondgend again with no VLAN device, BOND at 10.208.100.2
#                 and the target "TARGET[100]" (arp_ip_target's VLAN hint):
#                 the route goes through the bond, yet the probes carry tag
#                 100, from BOND's address, and the bond comes up
. "$(dirname "$0")/lib.sh"
require ip python3 ovs-vsctl ovs-vswitchd ovsdb-server ovsdb-tool ethtool tcpdump
PEER=10.208.9.1 ADDR=10.208.9.2 TARGET=10.208.100.1 VADDR=10.208.100.2 B=bgfav$$
B=${B:0:11}
V=$B.100
have_8021q=0
if ip link add bgfav$$ type veth peer name bgfaw$$ 2>/dev/null; then
        ip link add link bgfav$$ name bgfav$$.7 type vlan id 7 2>/dev/null && have_8021q=1
        ip link del bgfav$$
fi
topo_ovs 2
vsc del-port br-sw bond0 -- add-port br-sw t0 vlan_mode=trunk trunks=100 -- add-port br-sw t1 vlan_mode=trunk trunks=100
netns $P-n
ip link add p100 netns $S type veth peer name e0 netns $P-n
ip -n $S link set p100 up
ip -n $P-n link set e0 up
ip -n $P-n addr add $TARGET/24 dev e0
vsc add-port br-sw p100 tag=100

write_config $TMP/a.yaml $B active-backup "h0 h1" "arp_interval: 100" "arp_ip_target: [$TARGET]" "arp_validate: all"
if [ $have_8021q = 0 ]; then
        add_vlan $TMP/a.yaml $V 100 $B $VADDR/24
fi
start_bondgend $TMP/a.yaml $B
if [ $have_8021q = 1 ]; then
        ip -n $H link add link $B name $V type vlan id 100
        ip -n $H addr add $VADDR/24 dev $V
        ip -n $H link set $V up
fi
has_link() { ip -n $H link show $1 >/dev/null 2>&1; }
no_link() { ! has_link $1; }
wait_until 5 has_link $V || fail "no device $V"

# watch I...: capture ARP, tagged or not, on the switch ports tI
watch() {
        local i
        rm -f $TMP/t0.log $TMP/t1.log
        touch $TMP/t0.log $TMP/t1.log
        for i in "$@"; do
                rm -f $TMP/t$i.err
                ip netns exec $S tcpdump -i t$i -nn -e -l "arp or (vlan and arp)" > $TMP/t$i.log 2>$TMP/t$i.err &
                PIDS+=($!)
                WPIDS+=($!)
        done
        for i in "$@"; do wait_until 5 capturing $TMP/t$i.err || fail "tcpdump on t$i did not start"; done
}
unwatch() { kill "${WPIDS[@]}" 2>/dev/null; wait "${WPIDS[@]}" 2>/dev/null; WPIDS=(); }
WPIDS=()
probes() { cat $TMP/t0.log $TMP/t1.log | grep "Request who-has $TARGET"; }
tagged_probes() { probes | grep -c "vlan 100, .*tell $VADDR,"; }
untagged_probes() { probes | grep -vc "vlan 100"; }
has_tagged() { [ "$(tagged_probes)" -ge "$1" ]; }
has_untagged() { [ "$(untagged_probes)" -ge 1 ]; }
failures() { st $B | awk '/^Link Failure Count: /{n += $NF} END {print n + 0}'; }
not_active() { [ "$(active_of $B)" != "$1" ]; }

wait_until 5 bond_mii_is $B up || fail "bond not up: $(st $B | grep -E 'MII|Active')"
wait_until 5 mii_is $B h0 up && wait_until 5 mii_is $B h1 up || fail "ports not up: $(st $B | grep -E 'Interface|MII')"
watch 0 1
wait_until 3 has_tagged 10 || fail "no tagged probes: $(probes | tail -3)"
[ "$(untagged_probes)" = 0 ] || fail "untagged probes: $(probes | grep -v 'vlan 100' | tail -2)"
[ "$(probes | grep -vc "tell $VADDR,")" = 0 ] || fail "a probe not from $VADDR: $(probes | grep -v "tell $VADDR," | tail -1)"
ok "tagged probes: $(tagged_probes) probes for $TARGET, all with tag 100 from $VADDR"

f0=$(failures)
sleep 3   # the monitor's judgement over 30 intervals is the point
mii_is $B h0 up && mii_is $B h1 up || fail "a port went down: $(st $B | grep -E 'Interface|MII')"
[ "$(failures)" = "$f0" ] || fail "link failures counted: $f0 -> $(failures)"
ok "ports up: h0 and h1 up for 3 s, no link failure"

act=$(active_of $B)
ip -n $S link set t${act#h} down
wait_until 3 not_active $act || fail "no failover from $act"
new=$(active_of $B)
unwatch
watch ${new#h}
wait_until 3 has_tagged 5 || fail "no tagged probes after the failover"
bond_mii_is $B up || fail "bond down after the failover"
[ "$(grep -c "Request who-has $TARGET" $TMP/t${new#h}.log)" -ge 5 ] || fail "the new active port $new does not probe"
ok "failover: $act -> $new, bond up, probes tagged 100 on $new"
ip -n $S link set t${act#h} up
wait_until 5 mii_is $B $act up || fail "$act not back up"

unwatch
watch 0 1
ip -n $H addr del $VADDR/24 dev $V
wait_until 3 has_untagged || fail "no untagged probe without a route: $(probes | tail -2)"
probes | grep -v "vlan 100" | tail -1 | grep -q "tell 0.0.0.0," || fail "untagged probe not from 0.0.0.0: $(probes | tail -1)"
wait_until 3 bond_mii_is $B down || fail "bond still up with nobody answering: $(st $B | grep -E 'MII')"
ip -n $H addr add $VADDR/24 dev $V
wait_until 5 bond_mii_is $B up || fail "bond not back up with the address back"
unwatch
watch 0 1
wait_until 3 has_tagged 3 || fail "no tagged probes with the address back"
ok "no route: untagged probes from 0.0.0.0, bond down; address back: tagged, bond up"
unwatch
stop_bondgend
[ $have_8021q = 1 ] && ip -n $H link del $V 2>/dev/null

wait_until 5 no_link $V || fail "$V still there after bondgend stopped"
ADDR=$VADDR
write_config $TMP/h.yaml $B active-backup "h0 h1" "arp_interval: 100" "arp_ip_target: [\"$TARGET[100]\"]" \
        "arp_validate: all"
start_bondgend $TMP/h.yaml $B
# the kernel's /proc/net/bonding shows the address alone, hint or not
st $B | grep -q "^ARP IP target/s (n.n.n.n form): $TARGET$" || fail "status lacks the target: $(st $B | grep ARP)"
wait_until 5 bond_mii_is $B up || fail "bond not up with the hint: $(st $B | grep -E 'MII|Active')"
watch 0 1
wait_until 3 has_tagged 5 || fail "no tagged probes with the hint: $(probes | tail -2)"
[ "$(untagged_probes)" = 0 ] || fail "untagged probes with the hint: $(probes | grep -v 'vlan 100' | tail -1)"
ok "vlan hint: $TARGET[100] through the bond itself: probes tagged 100 from $VADDR, bond up"
unwatch
stop_bondgend
exit 0
