#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bondgend 802.3ad against Open vSwitch (userspace datapath) as the switch-side
# LACP partner (ovs-vswitchd.conf.db(5) lacp, other_config:lacp-time), in
# fresh namespaces for each variant:
#   ns H: bondgend bgl0 = {h0, h1}         ns SW: ovs-vswitchd, bridge br-sw,
#         h0 ─────────── veth ─────────── s0 ─┐  bond0 = {s0, s1} with LACP
#         h1 ─────────── veth ─────────── s1 ─┴─ (balance-tcp), IP_SW on its
#         IP_H/24, lacp_rate fast,                internal port
#         xmit_hash_policy layer3+4
# Cases:
#  variants    OVS lacp=active and lacp=passive, each with lacp-time fast
#              and slow, and lacp=active fast against a passive bondgend
#              (lacp_active=off): both sides collecting+distributing
#              (bondgend status; OVS bond/show negotiated, lacp/show
#              current attached), OVS sees our system id, counts no bad
#              PDU from us, the bond has carrier, a ping passes
#  timeouts    OVS's partner state shows our short timeout (and Activity,
#              unless we are passive); our partner state has OVS's Timeout
#              bit exactly for lacp-time=fast; h1's actor state 63 (62
#              when passive)
#  actor ids   (passive slow) ad_actor_system, ad_actor_sys_prio and
#              ad_user_port_key reach OVS as partner sys_id, priority, key
# The rest in the "active fast" variant:
#  traffic     64 UDP flows to an echo server: at least 1200 of 1280
#              echoed, at least 100 frames sent and 100 received per port
#  port down   s1 down: h1 leaves collecting+distributing, OVS keeps one
#              member, a ping passes; s1 up: both renegotiate
#  bad PDUs    seven LACPDUs from scapy (bad TLV length, bad TLV type,
#              version 0, truncated, oversized, two misaddressed) counted
#              as 3 bad, 2 bad size, 2 misaddressed; aggregation and ping
#              unchanged
#  silent      ovs-vswitchd SIGSTOPped: h0's actor state Expired and not
#              collecting+distributing within 1.5-4 s (3 s short timeout
#              after the last PDU); both renegotiate after SIGCONT
# Prints LACP convergence times (bondgend start to both sides distributing).
. "$(dirname "$0")/lib.sh"
bgl_init
# ovs_sees STATE: OVS shows STATE as the partner state of both members
ovs_sees() { [ "$(app sw lacp/show bond0 | grep -c "partner state: $1\$")" = 2 ]; }
bgl_need_ovs
command -v ethtool >/dev/null || skip "ethtool missing"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import scapy" 2>/dev/null || skip "python3-scapy missing"

SW=$P-sw
H=$P-host
IP_SW=10.203.1.1
IP_H=10.203.1.2

# setup_partner LACP TIME: fresh namespaces, OVS bond0 {s0,s1} in SW, h0/h1 in H
setup_partner() {
        local lacp=$1 time=$2
        bgl_ns $SW
        bgl_ns $H
        for i in 0 1; do
                bgl_veth $H h$i $SW s$i
                bgl_quiet $SW s$i
        done
        ovs_start $SW sw
        vsc sw add-br br-sw -- set bridge br-sw datapath_type=netdev || fail "add-br"
        vsc sw add-bond br-sw bond0 s0 s1 bond_mode=balance-tcp lacp=$lacp \
                other_config:lacp-time=$time other_config:bond-detect-mode=carrier || fail "add-bond"
        ip -n $SW addr add $IP_SW/24 dev br-sw
        ip -n $SW link set br-sw up
}

teardown() {
        bgl_cleanup
        PIDS=() NSS=() OVS_DIRS=() BONDS=()
        RUN=$(mktemp -d /tmp/bgl.XXXXXX)
}

# port state (decimal) of BOND's port N (0-based), actor or partner
port_state() {
        bgl_status "$1" | awk -v want="$2" -v n="$3" '
                /^Slave Interface:/ {i++}
                /details actor lacp pdu/ {s="actor"} /details partner lacp pdu/ {s="partner"}
                /port state:/ && s == want && i == n + 1 {print $3}'
}

counter() {
        bgl_status "$1" | awk -v n="$2" -v key="$3" '
                /^Slave Interface:/ {i++}
                i == n + 1 && index($0, key ": ") == 1 {print substr($0, length(key) + 3)}'
}

h1_out() {
        local s
        s=$(port_state bgl0 actor 1) && [ -n "$s" ] && [ $((s & 0x30)) = 0 ]
}

converge_ms=()
for variant in "active fast" "active slow" "passive fast" "passive slow" "active fast us-passive"; do
        set -- $variant
        lacp=$1 time=$2 us=${3:-}
        log "== OVS lacp=$lacp lacp-time=$time, bondgend lacp_rate=fast ${us}"
        setup_partner $lacp $time
        t0=$(now_ms)
        extra=""
        # one variant with the actor options set: OVS must see them
        [ "$variant" = "passive slow" ] &&
                extra='ad_actor_system="02:11:22:33:44:55" ad_actor_sys_prio=100 ad_user_port_key=5'
        # and once we are the passive side (lacp_active off) of an active OVS
        [ "$us" = us-passive ] && extra="lacp_active=off"
        bgl_bond $H bgl0 802.3ad "h0 h1" $IP_H/24 "lacp_rate=fast xmit_hash_policy=layer3+4 $extra"
        # OVS reads its veths with plain AF_PACKET and passes frames on as
        # they are: the checksums and segments our stack leaves to "hardware"
        # would reach the switch's stack unfinished. Finish them here.
        ip netns exec $H ethtool -K bgl0 tx off tso off gso off >/dev/null 2>&1 ||
                fail "ethtool -K bgl0 tx off"
        bgl_wait 10 bgl_all_cd bgl0 || fail "bondgend ports not collecting+distributing ($lacp/$time)"
        bgl_wait 5 ovs_negotiated sw || fail "OVS did not negotiate ($lacp/$time)"
        # we asked for short timeouts: OVS shows it in its partner state,
        # once our last PDU (collecting, distributing) has reached it
        want_state="activity timeout aggregation synchronized collecting distributing"
        [ "$us" = us-passive ] && want_state="timeout aggregation synchronized collecting distributing"
        bgl_wait 3 ovs_sees "$want_state" || fail "OVS partner state: $(app sw lacp/show bond0)"
        t1=$(now_ms)
        converge_ms+=($((t1 - t0)))
        log "converged in $((t1 - t0)) ms"

        show=$(app sw lacp/show bond0)
        [ "$(echo "$show" | grep -c 'current attached')" = 2 ] || fail "OVS members not current attached: $show"
        echo "$show" | grep -q "partner sys_id: $(bgl_status bgl0 | sed -n 's/^System MAC address: //p')" ||
                fail "OVS does not see our system id"
        if [ "$variant" = "passive slow" ]; then
                echo "$show" | grep -q "partner sys_id: 02:11:22:33:44:55" || fail "ad_actor_system not seen: $show"
                echo "$show" | grep -q "partner sys_priority: 100" || fail "ad_actor_sys_prio not seen"
                # key = user key << 6 | speed code (10G: 7) << 1 | full duplex
                echo "$show" | grep -q "partner key: $(( (5 << 6) | (7 << 1) | 1 ))" || fail "ad_user_port_key not seen"
        fi
        # OVS's own timeout bit reaches our partner state (0x02)
        ps=$(port_state bgl0 partner 0)
        if [ $time = fast ]; then [ $((ps & 2)) = 2 ] || fail "partner state $ps lacks Timeout"
        else [ $((ps & 2)) = 0 ] || fail "partner state $ps has Timeout for lacp-time=slow"; fi
        [ $((ps & 0x3c)) = $((0x3c)) ] || fail "partner state $ps"
        want_actor=63
        [ "$us" = us-passive ] && want_actor=62
        [ "$(port_state bgl0 actor 1)" = $want_actor ] || fail "actor state of h1: $(port_state bgl0 actor 1)"
        bgl_status bgl0 | grep -q '^MII Status: up' || fail "bond carrier"
        stats=$(app sw lacp/show-stats bond0)
        echo "$stats" | grep -q 'RX Bad PDUs: [1-9]' && fail "OVS counted bad PDUs from us: $stats"
        ip netns exec $H ping -c 2 -i 0.2 -W 2 $IP_SW >/dev/null || fail "no ping over the bond"

        if [ "$variant" = "active fast" ]; then
                # ---- traffic over both ports, both ways: 64 UDP flows to an echo server
                ip netns exec $SW /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9000))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)' &
                PIDS+=($!)
                echo_up() { ip netns exec $SW ss -Huln 'sport = :9000' | grep -q .; }
                bgl_wait 3 echo_up || fail "UDP echo server did not start"
                # OVS fills all its hash buckets (balance-tcp, recirculation)
                # at once, and one filled while a member was not yet enabled
                # stays on the other member until the next rebalance (10 s);
                # a new hash basis empties them, to be filled again now that
                # both members are enabled
                vsc sw set port bond0 other_config:bond-hash-basis=$RANDOM
                bgl_wait 5 ovs_negotiated sw || fail "OVS lost its members after the new hash basis"
                tx0=$(txp $H h0) tx1=$(txp $H h1) rx0=$(rxp $H h0) rx1=$(rxp $H h1)
                got=$(ip netns exec $H /usr/bin/python3 -c '
import select, socket, time
socks = []
for i in range(64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 20000 + i))
    s.setblocking(False)
    socks.append(s)
n = 0
for r in range(20):
    for s in socks:
        s.sendto(b"x" * 100, ("'$IP_SW'", 9000))
    end = time.monotonic() + 1
    want = n + 64
    while n < want and time.monotonic() < end:
        rd, _, _ = select.select(socks, [], [], 0.1)
        for s in rd:
            try:
                s.recv(2048); n += 1
            except OSError:
                pass
print(n)')
                dtx0=$(( $(txp $H h0) - tx0 )) dtx1=$(( $(txp $H h1) - tx1 ))
                drx0=$(( $(rxp $H h0) - rx0 )) drx1=$(( $(rxp $H h1) - rx1 ))
                log "echoed $got/1280; tx h0 $dtx0 h1 $dtx1; rx h0 $drx0 h1 $drx1"
                [ "$got" -ge 1200 ] || fail "only $got of 1280 datagrams echoed"
                [ $dtx0 -ge 100 ] && [ $dtx1 -ge 100 ] || fail "transmit not spread: h0 $dtx0 h1 $dtx1"
                [ $drx0 -ge 100 ] && [ $drx1 -ge 100 ] || fail "receive not spread: h0 $drx0 h1 $drx1"

                # ---- a port down leaves the aggregator; back up renegotiates
                ip -n $SW link set s1 down
                bgl_wait 3 h1_out ||
                        fail "h1 still collecting/distributing with its link down"
                bgl_wait 3 ovs_negotiated sw 1 || fail "OVS did not drop s1"
                ip netns exec $H ping -c 2 -i 0.2 -W 2 $IP_SW >/dev/null || fail "no ping on one port"
                t2=$(now_ms)
                ip -n $SW link set s1 up
                bgl_wait 10 bgl_all_cd bgl0 || fail "h1 did not renegotiate"
                bgl_wait 5 ovs_negotiated sw || fail "OVS did not take s1 back"
                log "port back in $(( $(now_ms) - t2 )) ms"

                # ---- bad LACPDUs from the partner's side are counted and ignored
                good=$(mktemp -p $RUN)
                before_bad=$(counter bgl0 0 "LACPDU RX bad")
                before_size=$(counter bgl0 0 "LACPDU RX bad size")
                before_mis=$(counter bgl0 0 "LACPDU RX misaddressed")
                ip netns exec $SW /usr/bin/python3 - s0 <<'PY' || fail "scapy injection failed"
import sys
from scapy.all import Ether, Raw, sendp
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
dev = sys.argv[1]
slow = "01:80:c2:00:00:02"
src = "02:66:66:66:66:01"
def pdu(actor_tlv=b"\x01\x14", partner_tlv=b"\x02\x14", version=1):
    info = b"\xff\xff" + bytes.fromhex("026666666601") + b"\x00\x01\x00\xff\x00\x07\x3f\x00\x00\x00"
    body = bytes([1, version]) + actor_tlv + info + partner_tlv + info + b"\x03\x10" + b"\x00" * 14
    return body + b"\x00" * (110 - len(body))
frames = [
    Ether(dst=slow, src=src, type=0x8809) / Raw(pdu(actor_tlv=b"\x01\x13")),   # bad TLV length
    Ether(dst=slow, src=src, type=0x8809) / Raw(pdu(partner_tlv=b"\x07\x14")), # bad TLV type
    Ether(dst=slow, src=src, type=0x8809) / Raw(pdu(version=0)),               # version 0
    Ether(dst=slow, src=src, type=0x8809) / Raw(pdu()[:60]),                   # truncated
    Ether(dst=slow, src=src, type=0x8809) / Raw(pdu() + b"\x00" * 400),        # oversized
    Ether(dst="02:00:00:00:00:09", src=src, type=0x8809) / Raw(pdu()),         # misaddressed
    Ether(dst="01:80:c2:00:00:03", src=src, type=0x8809) / Raw(pdu()),         # misaddressed
]
sendp(frames, iface=dev, verbose=False)
PY
                all_counted() {
                        [ $(( $(counter bgl0 0 "LACPDU RX bad") - before_bad )) = 3 ] &&
                        [ $(( $(counter bgl0 0 "LACPDU RX bad size") - before_size )) = 2 ] &&
                        [ $(( $(counter bgl0 0 "LACPDU RX misaddressed") - before_mis )) = 2 ]
                }
                bgl_wait 3 all_counted
                [ $(( $(counter bgl0 0 "LACPDU RX bad") - before_bad )) = 3 ] || fail "bad PDUs not counted"
                [ $(( $(counter bgl0 0 "LACPDU RX bad size") - before_size )) = 2 ] || fail "bad sizes not counted"
                [ $(( $(counter bgl0 0 "LACPDU RX misaddressed") - before_mis )) = 2 ] ||
                        fail "misaddressed PDUs not counted"
                bgl_all_cd bgl0 || fail "bad PDUs disturbed the aggregation"
                ovs_negotiated sw || fail "OVS lost negotiation"
                ip netns exec $H ping -c 1 -W 2 $IP_SW >/dev/null || fail "no ping after bad PDUs"

                # ---- a silent partner expires within the short timeout
                kill -STOP "$(ovs_pid sw)"
                t3=$(now_ms)
                # poll the actor state of h0 until Collecting/Distributing are gone
                expired=""
                for i in $(seq 60); do
                        s=$(port_state bgl0 actor 0)
                        if [ $((s & 0x30)) = 0 ] && [ $((s & 0x80)) = $((0x80)) ]; then expired=$(now_ms); break; fi
                        sleep 0.1
                done
                kill -CONT "$(ovs_pid sw)"
                [ -n "$expired" ] || fail "h0 did not expire within 6 s of partner silence"
                log "silent partner expired after $((expired - t3)) ms"
                # 3 s after the last PDU, which left up to 1 s before the stop;
                # plus our 100 ms tick and the status polling
                [ $((expired - t3)) -le 4000 ] || fail "expiry took $((expired - t3)) ms (> 3 s timeout)"
                [ $((expired - t3)) -ge 1500 ] || fail "expired too early: $((expired - t3)) ms"
                bgl_wait 10 bgl_all_cd bgl0 || fail "no renegotiation after the partner came back"
                bgl_wait 5 ovs_negotiated sw || fail "OVS did not renegotiate"
        fi
        teardown
done

echo "LACP convergence (bondgend start -> both sides distributing), ms: ${converge_ms[*]}"
echo "PASS"
