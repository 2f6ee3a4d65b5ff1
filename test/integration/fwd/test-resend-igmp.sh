#!/bin/bash
# bondgend resend_igmp in active-backup against a Linux bridge (topo_bridge 2):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# A process on H joins 239.1.2.3 (any source), 232.1.1.1 from PEER only
# (source-specific) and ff05::1:3 on the bond, and 239.4.4.4 on V, a VLAN
# device (id 100) bondgend makes on the bond. After each failover the
# new active port carries resend_igmp (3) rounds of reports, as the
# kernel's bond_resend_igmp_join_requests_delayed() has the host send them
# (igmp.c:ip_mc_rejoin_groups(), one report per group in the bond's IGMP
# version; an MLDv2 report for the IPv6 groups), the rounds at least 150
# ms apart (the kernel's 200 ms, HZ/5). Cases:
#  v3         no querier heard: on h1 exactly 3 IGMPv3 reports to
#             224.0.0.22 (TTL 1, Router Alert) with the record
#             MODE_IS_EXCLUDE 239.1.2.3, no source, 3 with MODE_IS_INCLUDE
#             232.1.1.1 { PEER }, and 3 MLDv2 is_ex ff05::1:3; the host
#             stack's own state-change reports (to_ex, allow) do not count;
#             and 3 for V's 239.4.4.4 in VLAN 100 from V's address
#             (vlan_device_event() passes NETDEV_RESEND_IGMP on)
#  v2 querier an IGMPv2 general query from the partner: the bond's
#             /proc/net/igmp says V2; after a failover to h0, 3 IGMPv2
#             reports per group to the group itself and no IGMPv3 one
#             for them; V heard no query: IGMPv3 still in VLAN 100
#  force v1   force_igmp_version=1 on the bond: after a failover to h1, 3
#             IGMPv1 reports for 239.1.2.3
. "$(dirname "$0")/lib.sh"
require ip ping tcpdump python3
PEER=10.203.9.1 ADDR=10.203.9.2 B=bgfig$$ V=bgfiv$$ VADDR=10.203.19.2
B=${B:0:15} V=${V:0:15}
topo_bridge 2
write_config $TMP/m.yaml $B active-backup "h0 h1" "miimon: 50" "resend_igmp: 3"
add_vlan $TMP/m.yaml $V 100 $B $VADDR/24
start_bondgend $TMP/m.yaml $B
wait_until 3 active_is $B h0 || fail "h0 not active: $(active_of $B)"
vaddr() { ip -n $H -4 addr show dev $V 2>/dev/null | grep -q "$VADDR"; }
wait_until 5 vaddr || fail "no VLAN device $V with $VADDR"
ip netns exec $H python3 -c "
import socket, struct, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('239.1.2.3') + socket.inet_aton('$ADDR'))
ssm = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# struct ip_mreq_source: group, interface, source
ssm.setsockopt(socket.IPPROTO_IP, 39,   # IP_ADD_SOURCE_MEMBERSHIP
               socket.inet_aton('232.1.1.1') + socket.inet_aton('$ADDR') + socket.inet_aton('$PEER'))
sv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sv.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('239.4.4.4') + socket.inet_aton('$VADDR'))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
              socket.inet_pton(socket.AF_INET6, 'ff05::1:3') + struct.pack('@I', socket.if_nametoindex('$B')))
print('joined', flush=True)
time.sleep(120)
" > $TMP/join.log 2>&1 & PIDS+=($!)
joined() { grep -q joined $TMP/join.log && ip netns exec $H grep -q "$B" /proc/net/igmp &&
           ip netns exec $H grep -q "$V" /proc/net/igmp &&
           ip netns exec $H grep -q "$B.*ff050000000000000000000000010003" /proc/net/igmp6; }
wait_until 5 joined || fail "the groups were not joined: $(cat $TMP/join.log)"
# the Querier column of the bond's line ("IDX NAME : COUNT QUERIER"; a
# name of 10 characters or more runs into the colon)
querier() { ip netns exec $H awk -v b=$B '/^[0-9]/ {n = $2; sub(/:$/, "", n); if (n == b) print $NF}' /proc/net/igmp; }
[ "$(querier)" = V3 ] || fail "the bond's IGMP version is $(querier), want V3 before any query"

# capture PORT: the partner's side of PORT, what comes in, verbosely
capture() {
        ip netns exec $S tcpdump -i t$1 -Q in -nn -vv -e -l 'igmp or ether dst 33:33:00:00:00:16 or (vlan and igmp)' \
                > $TMP/c.log 2>$TMP/c.err &
        CPID=$!; PIDS+=($CPID)
        wait_until 5 capturing $TMP/c.err || fail "tcpdump did not start"
}
# count ERE: reports in the capture matching ERE
count() { grep -cE "$1" $TMP/c.log; }
# gaps ERE: ms between the reports matching ERE (their header lines)
gaps() {
        grep -B1 -E "$1" $TMP/c.log | grep -oE '^[0-9:.]{8,}' | python3 -c "
import sys
t = [sum(float(x) * m for x, m in zip(l.strip().split(':'), (3600, 60, 1))) for l in sys.stdin if l.strip()]
print(' '.join('%d' % round((b - a) * 1000) for a, b in zip(t, t[1:])))"
}
spaced() { for g in $(gaps "$1"); do [ "$g" -ge 150 ] || fail "$2: rounds $(gaps "$1") ms apart, want 200"; done; }
# rounds WHAT ERE...: exactly 3 reports matching each ERE (waiting for
# them, then a window in which no fourth may follow); the wait is long
# because on a loaded machine tcpdump may print seconds after capturing
rounds() {
        local what=$1 rx; shift
        three() { for rx in "$@"; do [ "$(count "$rx")" -ge 3 ] || return 1; done; }
        wait_until 10 three "$@" || fail "$what: reports after failover: $(for rx in "$@"; do echo -n "$(count "$rx") of '$rx', "; done) want 3 each: $(cat $TMP/c.log)"
        sleep 1
        for rx in "$@"; do
                [ "$(count "$rx")" = 3 ] || fail "$what: $(count "$rx") reports matching '$rx', want resend_igmp=3"
                spaced "$rx" "$what"
        done
}

# v3: failover h0 -> h1
capture 1
ip -n $S link set t0 down
wait_until 3 active_is $B h1 || fail "no failover to h1: $(active_of $B)"
ANY='gaddr 239\.1\.2\.3 is_ex \{ \}\]' SSM="gaddr 232\.1\.1\.1 is_in \{ ${PEER//./\\.} \}\]" MLD='gaddr ff05::1:3 is_ex'
VLAN="${VADDR//./\\.} > 224\.0\.0\.22: igmp v3 report, 1 group record\(s\) \[gaddr 239\.4\.4\.4 is_ex \{ \}\]"
rounds v3 "$ANY" "$SSM" "$MLD" "$VLAN"
tag=$(grep -B1 -E "$VLAN" $TMP/c.log | grep -c 'ethertype 802\.1Q (0x8100).*vlan 100, p 0, ethertype IPv4')
[ "$tag" = 3 ] || fail "v3: $tag of 3 reports for $V's group in VLAN 100: $(cat $TMP/c.log)"
# each IGMPv3 report: one record, to 224.0.0.22, TTL 1, Router Alert, DF
hdr=$(grep -B1 -E "$ANY" $TMP/c.log | grep -c 'tos 0xc0, ttl 1, id 0, offset 0, flags \[DF\], proto IGMP (2), length 40, options (RA)')
[ "$hdr" = 3 ] || fail "v3: $hdr of 3 reports for 239.1.2.3 with TOS 0xc0, TTL 1, DF, Router Alert: $(cat $TMP/c.log)"
dst=$(grep -cE "$ADDR > 224\.0\.0\.22: igmp v3 report, 1 group record\(s\) \[gaddr 239\.1\.2\.3" $TMP/c.log)
[ "$dst" = 3 ] || fail "v3: $dst of 3 reports from $ADDR to 224.0.0.22 with one record: $(cat $TMP/c.log)"
v2=$(count 'igmp v[12] report')
[ "$v2" = 0 ] || fail "v3: $v2 IGMPv1/v2 reports"
ok "v3: 3 IGMPv3 reports each for 239.1.2.3 (is_ex, no source) and 232.1.1.1 (is_in $PEER) to 224.0.0.22," \
        "3 MLDv2 for ff05::1:3 and 3 IGMPv3 in VLAN 100 for 239.4.4.4 on h1, $(gaps "$ANY") ms apart"
kill $CPID

# v2 querier: an IGMPv2 general query (max response 0.1 s) from the partner
ip -n $S link set t0 up
ip netns exec $S python3 -c "
import socket, struct
q = bytearray(struct.pack('!BBH4s', 0x11, 1, 0, bytes(4)))
s = sum(struct.unpack('!4H', bytes(q)))
s = (s & 0xffff) + (s >> 16)
q[2:4] = struct.pack('!H', ~s & 0xffff)
sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
sk.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('$PEER'))
sk.sendto(bytes(q), ('224.0.0.1', 0))
"
wait_until 3 eval '[ "$(querier)" = V2 ]' || fail "the bond did not hear the IGMPv2 query: $(querier)"
wait_until 3 mii_is $B h0 up || fail "h0 not back"
sleep 1   # the host's own answers to the query (within 0.1 s) are over
capture 0
ip -n $S link set t1 down
wait_until 3 active_is $B h0 || fail "no failover to h0: $(active_of $B)"
rounds "v2 querier" '> 239\.1\.2\.3: igmp v2 report 239\.1\.2\.3' '> 232\.1\.1\.1: igmp v2 report 232\.1\.1\.1' "$VLAN"
v3=$(count "$ADDR > 224\.0\.0\.22: igmp v3 report")
[ "$v3" = 0 ] || fail "v2 querier: $v3 IGMPv3 reports from the bond"
ok "v2 querier: the bond says V2; 3 IGMPv2 reports to each group on h0, no IGMPv3 one; $V's still IGMPv3"
kill $CPID

# force v1
ip netns exec $H sysctl -qw net.ipv4.conf.$B.force_igmp_version=1
[ "$(querier)" = V1 ] || fail "force_igmp_version=1: the bond says $(querier)"
ip -n $S link set t1 up
wait_until 3 mii_is $B h1 up || fail "h1 not back"
sleep 0.5
capture 1
ip -n $S link set t0 down
wait_until 3 active_is $B h1 || fail "no failover to h1: $(active_of $B)"
rounds "force v1" '> 239\.1\.2\.3: igmp v1 report 239\.1\.2\.3'
v23=$(count "$ADDR > [0-9.]*: igmp v[23] report")
[ "$v23" = 0 ] || fail "force v1: $v23 IGMPv2/v3 reports"
ok "force_igmp_version=1: 3 IGMPv1 reports for 239.1.2.3 on h1"
