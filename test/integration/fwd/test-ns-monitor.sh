#!/bin/bash
# bondgend's ARP monitor with an IPv6 target only (arp_interval,
# ns_ip6_target, arp_validate all) in active-backup against a Linux
# bridge; the target host T sits behind the partner switch:
#   ns H:  bondgend BOND = {h0, h1}         ns S: Linux bridge br0 (no address)
#          BOND 2001:db8:ca::2/64
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┼─ br0
#   ns T:  target 2001:db8:ca::1/64  x0 ── veth ── tg ─┘
# "Isolated" bridge ports (bridge link ... isolated on) reach only the
# ports that are not isolated; carrier stays up on every port.
# Cases:
#  probing     status shows the NS target; neighbour solicitations for the
#              target reach T; both ports up (the backup validated by the
#              active port's solicitations it sees); ping6 passes
#  backup      t0 and t1 isolated (each still reaches T, not each other):
#              the backup no longer sees the active port's solicitations
#              and goes down while the active port stays up and active
#  failover    t0 and tg isolated instead (h0 no longer reaches T): h0 goes
#              down (its failure count grows), h1 becomes active, ping6
#              passes through it
#  recovery    no isolation: h0 back up as a backup, h1 still active
. "$(dirname "$0")/lib.sh"
require ip ping tcpdump bridge
TGT=2001:db8:ca::1 ADDR6=2001:db8:ca::2 ADDR=10.203.9.2 B=bgfns$$
B=${B:0:15}
H=$P-h S=$P-s T=$P-t
netns $H; netns $S; netns $T
ip netns exec $S sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n $S link add br0 type bridge
for i in 0 1; do
        ip link add h$i netns $H type veth peer name t$i netns $S
done
ip link add x0 netns $T type veth peer name tg netns $S
for p in t0 t1 tg; do
        ip -n $S link set $p master br0
        ip -n $S link set $p up
done
ip -n $S link set br0 up
ip -n $T addr add $TGT/64 dev x0 nodad
ip -n $T link set x0 up
isolate() { for p in t0 t1 tg; do ip -n $S link set dev $p type bridge_slave isolated off; done
            for p in "$@"; do ip -n $S link set dev $p type bridge_slave isolated on; done; }
isolate
write_config $TMP/n.yaml $B active-backup "h0 h1" "arp_interval: 200" "ns_ip6_target: ['$TGT']" \
        "arp_validate: all"
start_bondgend $TMP/n.yaml $B
ip -n $H addr add $ADDR6/64 dev $B nodad
st $B | grep -q "^ARP Polling Interval (ms): 200" || fail "status lacks the ARP monitor: $(st $B | head -12)"
st $B | grep -q "^NS IPv6 target/s (xx::xx form): $TGT\$" || fail "status lacks the NS target: $(st $B | head -14)"
ip netns exec $T tcpdump -i x0 -nn -l icmp6 > $TMP/ns.log 2>$TMP/ns.err & PIDS+=($!)
wait_until 5 capturing $TMP/ns.err || fail "tcpdump did not start"
solicited() { grep -q "$ADDR6 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has $TGT" $TMP/ns.log; }
wait_until 3 solicited || fail "no solicitation for $TGT from $ADDR6: $(head -3 $TMP/ns.log)"
wait_until 3 bond_mii_is $B up || fail "bond not up with the target answering: $(st $B | grep -E 'MII|Active')"
wait_until 3 mii_is $B h1 up || fail "backup h1 not validated: $(st $B | grep -A1 Interface)"
active_is $B h0 || fail "active $(active_of $B), not h0"
ip netns exec $H ping -6 -n -c 3 -i 0.2 -W 2 $TGT > /dev/null || fail "ping6 through the bond"
ok "solicitations for $TGT reach it; bond up, both ports validated"

isolate t0 t1
wait_until 3 mii_is $B h1 down || fail "backup still up without the active port's solicitations"
sleep 0.5   # the active port keeps hearing the target meanwhile
mii_is $B h0 up || fail "active port h0 went down while the target answers it"
active_is $B h0 || fail "active $(active_of $B) after the backup failed"
ok "backup that sees no solicitations goes down; h0 stays active"

fails0=$(port_stat $B h0 "Link Failure Count")
isolate t0 tg
wait_until 3 active_is $B h1 || fail "no failover: active $(active_of $B), $(st $B | grep -A1 Interface)"
# h0 may come back up as a backup at once: it sees h1's solicitations
[ "$(port_stat $B h0 "Link Failure Count")" -gt "$fails0" ] || fail "h0 never went down without answers"
ip netns exec $H ping -6 -n -c 2 -i 0.2 -W 2 $TGT > /dev/null || fail "ping6 after the failover"
ok "target silent on h0: h0 down, h1 active"

isolate
wait_until 3 mii_is $B h0 up || fail "h0 not back as a backup: $(st $B | grep -A1 Interface)"
active_is $B h1 || fail "active moved to $(active_of $B)"
ok "recovery: h0 up as a backup, h1 still active"
stop_bondgend
exit 0
