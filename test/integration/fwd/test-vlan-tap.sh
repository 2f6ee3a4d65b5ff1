#!/bin/bash
# bondgend's own VLAN devices, on a kernel without 802.1Q (CONFIG_VLAN_8021Q
# off: no VLAN device can sit on the bond's TAP), against Open vSwitch
# (topo_ovs 2, its ports re-made per mode) trunking VLANs 100 and 200 and
# the untagged network (VLAN 1, native untagged), each with a host at the
# same address and its own MAC:
#   ns H: bondgend BOND = {h0, h1}       ns S: Open vSwitch br-sw (netdev)
#         BOND      10.207.0.2/24        t0, t1 trunks ─ br-sw ─┬─ p1   (VLAN 1)
#         BOND.100  10.207.0.2/24 (TAP)                         ├─ p100 (VLAN 100)
#         BOND.200  10.207.0.2/24 (TAP,                         └─ p200 (VLAN 200)
#                   MAC 02:00:00:00:c8:01)
#         h0 ─ veth ─ t0, h1 ─ veth ─ t1
#   each pV ── veth ── e0 in ns nV, 10.207.0.1/24 with its own MAC;
#   t0, t1: two plain trunk ports (active-backup), a static bond
#   (balance-slb, balance-xor) or an LACP bond (balance-tcp, 802.3ad)
# Cases ("kept apart": a ping from BOND, BOND.100 and BOND.200 to
# 10.207.0.1 is answered, and only by the host of the untagged network,
# VLAN 100 and VLAN 200 respectively):
#  devices            the model's VLANs are TAPs named as the VLANs, with the
#                     model's MTU, MAC and address; status lists them
#  start              active-backup with primary h1: the active port
#                     changes from h0 to h1 while the ports are enslaved,
#                     before bondgend has read any address; its peer
#                     notification still announces 10.207.0.2 in every
#                     VLAN once it runs, as after a failover: from the
#                     bond's MAC untagged and in VLAN 100, from BOND.200's
#                     own MAC in VLAN 200 (the host stack sends none of its
#                     own: arp_notify off)
#  active-backup      kept apart (ARP learns each host's MAC in its VLAN);
#                     2 MB over TCP through BOND.100 arrive whole
#  failover           kept apart after the active port's partner goes down;
#                     the gratuitous ARPs of the failover reach each VLAN's
#                     host: 10.207.0.2 from the bond's MAC in VLANs 1 and
#                     100, from BOND.200's own MAC in VLAN 200
#  bridge             a bridge over BOND.200 (its address moved there)
#                     reaches VLAN 200's host: the promiscuous VLAN device
#                     gets frames for the bridge's MAC; after a failover
#                     VLAN 200's host gets the bridge's gratuitous ARP
#  balance-xor        kept apart (static neighbours: the static bond takes
#                     broadcasts only on its active member)
#  802.3ad            kept apart over an LACP aggregate; TCP as above
#  802.3ad notify     with broadcast_neighbor, the ports LACP enables send
#                     peer notification (bond_3ad.c ad_cond_set_peer_notif()):
#                     gratuitous ARPs reach VLANs 1 and 100 from the bond's
#                     MAC and VLAN 200 from BOND.200's, at start and again
#                     when a port's partner comes back
#  control            `vlan del` deletes a device, `vlan add` makes it again,
#                     a VLAN id in use by another is refused
#  stop               in each mode the VLAN devices are gone after bondgend
#                     stops
. "$(dirname "$0")/lib.sh"
require ip python3 ovs-vsctl ovs-vswitchd ovsdb-server ovsdb-tool ethtool tcpdump
if ip link add bgfvt$$ type veth peer name bgfvu$$ 2>/dev/null; then
        if ip link add link bgfvt$$ name bgfvt$$.7 type vlan id 7 2>/dev/null; then
                ip link del bgfvt$$
                skip "this kernel has 802.1Q: bondgend leaves VLANs to VLAN devices on its TAP (fwd-vlan covers that)"
        fi
        ip link del bgfvt$$
fi
PEER=10.207.9.1 ADDR=10.207.9.2 B=bgfvt$$
B=${B:0:11}
VMAC=02:00:00:00:c8:01
topo_ovs 2
TRUNK="vlan_mode=native-untagged tag=1 trunks=1,100,200"
partner() {
        vsc --if-exists del-port br-sw bond0 -- --if-exists del-port br-sw t0 -- --if-exists del-port br-sw t1
        case $1 in
        active-backup) vsc add-port br-sw t0 $TRUNK -- add-port br-sw t1 $TRUNK ;;
        balance-xor) vsc add-bond br-sw bond0 t0 t1 bond_mode=balance-slb lacp=off \
                        other_config:bond-detect-mode=carrier -- set port bond0 $TRUNK ;;
        802.3ad) vsc add-bond br-sw bond0 t0 t1 bond_mode=balance-tcp lacp=active other_config:lacp-time=fast \
                        other_config:bond-detect-mode=carrier -- set port bond0 $TRUNK ;;
        esac
}
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
        # OVS (netdev) passes frames on without finishing a checksum left
        # to the sender's "hardware": the hosts compute their own
        ip netns exec $P-n$v ethtool -K e0 tso off gso off tx off >/dev/null 2>&1
        ip -n $P-n$v addr add 10.207.0.1/24 dev e0
        vsc add-port br-sw p$v tag=$v
        NMAC[$v]=$(ip netns exec $P-n$v cat /sys/class/net/e0/address)
done

write_model() {   # MODE OPTIONS...
        write_config $TMP/v.yaml $B "$@"
        cat >> $TMP/v.yaml <<EOF
vlans:
  - name: $B.100
    id: 100
    link: $B
    ipv4: {method: static, addresses: [10.207.0.2/24]}
  - name: $B.200
    id: 200
    link: $B
    mtu: 1400
    mac: "$VMAC"
    ipv4: {method: static, addresses: [10.207.0.2/24]}
EOF
        sed -i "s|addresses: \[$ADDR/24\]|addresses: [10.207.0.2/24]|" $TMP/v.yaml
}
dev_of() { case $1 in 1) echo $B ;; *) echo $B.$1 ;; esac; }
no_link() { ! ip -n $H link show $1 >/dev/null 2>&1; }
has_link() { ip -n $H link show $1 >/dev/null 2>&1; }
not_active() { [ "$(active_of $1)" != "$2" ]; }
pings() { ip netns exec $H ping -n -q -c 1 -W 1 -I $1 10.207.0.1 >/dev/null 2>&1; }
# garp_watch: tcpdump of ARP in each VLAN's host, logs $TMP/garp-V.log
garp_watch() {
        local v
        for v in 1 100 200; do
                rm -f $TMP/garp-$v.log $TMP/garp-$v.err
                ip netns exec $P-n$v tcpdump -i e0 -nn -e -l arp > $TMP/garp-$v.log 2>$TMP/garp-$v.err & GPIDS+=($!)
                PIDS+=($!)
        done
        for v in 1 100 200; do wait_until 5 capturing $TMP/garp-$v.err || fail "tcpdump in VLAN $v did not start"; done
}
garp_stop() { kill "${GPIDS[@]}" 2>/dev/null; GPIDS=(); }
# garp_from V MAC: VLAN V's host saw a gratuitous ARP for 10.207.0.2 from MAC
garp_from() { grep -q "^[0-9:.]* $2 > ff:ff:ff:ff:ff:ff.*Request who-has 10.207.0.2 tell 10.207.0.2" $TMP/garp-$1.log; }
GPIDS=()

# static neighbours both ways (balance-xor: no broadcast needed)
static_neigh() {
        local v d
        for v in 1 100 200; do
                d=$(dev_of $v)
                ip -n $H neigh replace 10.207.0.1 lladdr ${NMAC[$v]} dev $d nud permanent
                ip -n $P-n$v neigh replace 10.207.0.2 lladdr $(ip netns exec $H cat /sys/class/net/$d/address) \
                        dev e0 nud permanent
        done
}
flush_neigh() {
        local v
        for v in 1 100 200; do
                ip -n $H neigh flush dev $(dev_of $v) 2>/dev/null
                ip -n $P-n$v neigh flush dev e0
        done
}

check() {   # LABEL: every network answers on its own device, and only it
        local v d got
        for v in 1 100 200; do
                d=$(dev_of $v)
                wait_until 5 pings $d || fail "$1: no answer through $d (VLAN $v)"
                got=$(ip -n $H neigh show 10.207.0.1 dev $d | awk '{print $3}')
                [ "$got" = "${NMAC[$v]}" ] || fail "$1: $d reached $got, want VLAN $v's host ${NMAC[$v]}"
        done
        ok "$1: VLANs 100, 200 and the untagged network kept apart"
}

tcp_check() {   # LABEL: 2 MB through BOND.100 to VLAN 100's host
        local out=$TMP/tcp.out
        rm -f $out
        ip netns exec $P-n100 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.207.0.1", 5300)); s.listen(1); print("listening", flush=True)
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
print(n, flush=True)' > $out 2>&1 &
        PIDS+=($!)
        wait_until 15 grep -q listening $out || fail "$1: the TCP server did not start: $(cat $out)"
        ip netns exec $H python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, sys.argv[1].encode())
s.settimeout(10); s.connect(("10.207.0.1", 5300)); s.sendall(b"x" * 2000000); s.close()' $B.100 ||
                fail "$1: TCP through $B.100 failed"
        wait_until 10 grep -q '^2000000$' $out || fail "$1: VLAN 100's host got $(tail -1 $out) bytes, want 2000000"
        ok "$1: 2 MB over TCP through $B.100 arrive whole"
}

# ---- start: peer notification covers the VLANs' addresses ----
# the host stack's own gratuitous ARPs (arp_notify) off: what reaches the
# VLANs' hosts is bondgend's
ip netns exec $H sysctl -qw net.ipv4.conf.all.arp_notify=0 net.ipv4.conf.default.arp_notify=0
partner active-backup
write_model active-backup "h0 h1" "miimon: 100" "primary: h1"
garp_watch
start_bondgend $TMP/v.yaml $B
wait_until 5 has_link $B.200 || fail "start: no device $B.200"
wait_until 10 ready active-backup || fail "start: the switch did not bring its ports up"
grep -q "making interface h1 the new active one" $TMP/bondgend-$B.log ||
        fail "start: h1 (primary) did not take over while enslaved: $(cat $TMP/bondgend-$B.log)"
bmac=$(ip netns exec $H cat /sys/class/net/$B/address)
for v in 1 100; do
        wait_until 3 garp_from $v $bmac || fail "start: no gratuitous ARP from $bmac in VLAN $v: $(cat $TMP/garp-$v.log)"
done
wait_until 3 garp_from 200 $VMAC || fail "start: no gratuitous ARP from $VMAC in VLAN 200: $(cat $TMP/garp-200.log)"
garp_stop
stop_bondgend
wait_until 2 no_link $B.100 || fail "start: $B.100 still exists after bondgend stopped"
ok "start: with the active port changed while enslaving, the peer notification reaches VLANs 1, 100 and 200, each from its device's MAC"

for mode in active-backup balance-xor 802.3ad; do
        partner $mode
        opts=("miimon: 100")
        [ $mode = 802.3ad ] && opts+=("lacp_rate: fast")
        write_model $mode "h0 h1" "${opts[@]}"
        start_bondgend $TMP/v.yaml $B
        wait_until 5 has_link $B.200 || fail "$mode: no device $B.200"
        wait_until 10 ready $mode || fail "$mode: the switch did not bring its ports up"
        flush_neigh
        if [ $mode = active-backup ]; then
                [ "$(ip netns exec $H cat /sys/class/net/$B.200/address)" = $VMAC ] || fail "$B.200: not the model's MAC"
                [ "$(ip netns exec $H cat /sys/class/net/$B.200/mtu)" = 1400 ] || fail "$B.200: not the model's MTU"
                [ "$(ip netns exec $H cat /sys/class/net/$B.100/address)" = "$(ip netns exec $H cat /sys/class/net/$B/address)" ] ||
                        fail "$B.100: not the bond's MAC"
                ip -n $H -br addr show $B.100 | grep -q 10.207.0.2/24 || fail "$B.100: no model address"
                st $B | grep -q "^VLAN devices of bondgend: $B.100 (100), $B.200 (200)$" || fail "status: $(st $B | tail -2)"
                ok "devices: $B.100 and $B.200 are TAPs with the model's MTU, MAC and address; status lists them"
        fi
        [ $mode = balance-xor ] && static_neigh
        check "$mode"
        [ $mode = balance-xor ] || tcp_check "$mode"
        if [ $mode = active-backup ]; then
                act=$(active_of $B)
                bmac=$(ip netns exec $H cat /sys/class/net/$B/address)
                garp_watch
                ip -n $S link set t${act#h} down
                wait_until 3 not_active $B $act || fail "no failover from $act"
                for v in 1 100; do
                        wait_until 3 garp_from $v $bmac || fail "no gratuitous ARP from $bmac in VLAN $v: $(cat $TMP/garp-$v.log)"
                done
                wait_until 3 garp_from 200 $VMAC || fail "no gratuitous ARP from $VMAC in VLAN 200: $(cat $TMP/garp-200.log)"
                garp_stop
                ok "failover: the gratuitous ARPs reach VLANs 1, 100 and 200, each from its device's MAC"
                flush_neigh
                check "$mode after failover to $(active_of $B)"
                ip -n $S link set t${act#h} up

                # a bridge over the VLAN device
                ip -n $H link add brv type bridge
                ip -n $H addr del 10.207.0.2/24 dev $B.200
                ip -n $H link set $B.200 master brv
                ip -n $H addr add 10.207.0.2/24 dev brv
                ip -n $H link set brv up
                brmac=$(ip netns exec $H cat /sys/class/net/brv/address)
                bridge_pings() { ip netns exec $H ping -n -q -c 1 -W 1 -I brv 10.207.0.1 >/dev/null 2>&1; }
                wait_until 10 bridge_pings || fail "bridge over $B.200: no answer"
                [ "$(ip -n $H neigh show 10.207.0.1 dev brv | awk '{print $3}')" = ${NMAC[200]} ] ||
                        fail "bridge over $B.200 reached the wrong host"
                ip -n $P-n200 neigh show 10.207.0.2 | grep -q "$brmac" || fail "VLAN 200's host did not learn the bridge's MAC"
                # a failover back: the bridge's address is announced in VLAN 200
                wait_until 5 mii_is $B h${act#h} up || fail "$act did not come back"
                act=$(active_of $B)
                garp_watch
                ip -n $S link set t${act#h} down
                wait_until 3 not_active $B $act || fail "no failover from $act"
                wait_until 3 garp_from 200 $brmac || fail "no gratuitous ARP from the bridge in VLAN 200: $(cat $TMP/garp-200.log)"
                garp_stop
                ip -n $S link set t${act#h} up
                ip -n $H link del brv
                ok "bridge: a bridge over $B.200 reaches VLAN 200's host with its own MAC and announces it after a failover"

                # the control socket
                ctl $B "vlan del $B.100" >/dev/null || fail "vlan del refused"
                wait_until 2 no_link $B.100 || fail "$B.100 still there after vlan del"
                out=$(ctl $B "vlan add $B.100 200") || true
                echo "$out" | grep -q "VLAN 200 is $B.200 already" ||
                        fail "a second device for VLAN 200 was not refused: $out"
                ctl $B "vlan add $B.100 100" >/dev/null || fail "vlan add refused"
                wait_until 2 has_link $B.100 || fail "vlan add made no $B.100"
                ok "control: vlan del deletes a device, vlan add makes it again, a VLAN id in use is refused"
        fi
        stop_bondgend
        wait_until 2 no_link $B.100 || fail "$mode: $B.100 still exists after bondgend stopped"
        no_link $B.200 || fail "$mode: $B.200 still exists after bondgend stopped"
        ok "stop ($mode): the VLAN devices are gone"
done

# ---- 802.3ad notify: broadcast_neighbor, a port enabled by LACP notifies ----
garp_all() {   # LABEL: every VLAN's host saw the gratuitous ARP from its device's MAC
        local v
        for v in 1 100; do
                wait_until 5 garp_from $v $bmac || fail "$1: no gratuitous ARP from $bmac in VLAN $v: $(cat $TMP/garp-$v.log)"
        done
        wait_until 5 garp_from 200 $VMAC || fail "$1: no gratuitous ARP from $VMAC in VLAN 200: $(cat $TMP/garp-200.log)"
}
partner 802.3ad
write_model 802.3ad "h0 h1" "miimon: 100" "lacp_rate: fast" "broadcast_neighbor: true"
garp_watch
start_bondgend $TMP/v.yaml $B
wait_until 5 has_link $B.200 || fail "802.3ad notify: no device $B.200"
wait_until 10 ready 802.3ad || fail "802.3ad notify: the switch did not bring its ports up"
bmac=$(ip netns exec $H cat /sys/class/net/$B/address)
garp_all "802.3ad notify at start"
garp_stop
ip -n $S link set t0 down
wait_until 5 mii_is $B h0 down || fail "802.3ad notify: h0 did not go down"
garp_watch
ip -n $S link set t0 up
wait_until 10 ready 802.3ad || fail "802.3ad notify: h0 did not rejoin the aggregate"
garp_all "802.3ad notify after h0 came back"
garp_stop
stop_bondgend
wait_until 2 no_link $B.100 || fail "802.3ad notify: $B.100 still exists after bondgend stopped"
ok "802.3ad notify: with broadcast_neighbor the gratuitous ARPs reach VLANs 1, 100 and 200 when LACP enables a port"
