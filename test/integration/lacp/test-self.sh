#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bondgend 802.3ad against bondgend: two namespaces joined by two
# veth pairs, a bondgend in each, fresh for each case.
#   ns A: bgla = {a0, a1}  a0 ──── veth ──── b0  ns B: bglb = {b0, b1}
#         10.203.2.1/24    a1 ──── veth ──── b1        10.203.2.2/24
# Cases:
#  active/active    both reach collecting+distributing; each side's partner
#                   system is the other's system (they echo each other
#                   exactly, as a standard partner's SYNC needs), A's
#                   aggregator has both ports, a ping passes, A counts no
#                   bad PDU; the convergence time is printed
#  active/passive   B (lacp_active off) says "LACP active: off" and its actor
#                   state has no Activity bit; both sides still reach
#                   collecting+distributing and a ping passes
#  passive/passive  nobody sends an LACPDU in 4 s (lacp_active off never
#                   starts) and A claims no collecting+distributing, yet,
#                   as with the kernel's partnerless fallback, A has
#                   carrier and a ping passes on one port
#  min_links        with min_links 2, b1 down drops A's carrier (status and
#                   TAP); b1 up brings it back
. "$(dirname "$0")/lib.sh"
bgl_init

A=$P-a
B=$P-b

setup() {
        bgl_ns $A
        bgl_ns $B
        for i in 0 1; do bgl_veth $A a$i $B b$i; done
}

teardown() {
        bgl_cleanup
        PIDS=() NSS=() OVS_DIRS=() BONDS=()
        RUN=$(mktemp -d /tmp/bgl.XXXXXX)
}

field() { bgl_status "$1" | sed -n "s/^$2: //p" | head -n 1; }
sum_field() { bgl_status "$1" | sed -n "s/^$2: //p" | awk '{s += $1} END {print s + 0}'; }

# ---- active / active
setup
t0=$(now_ms)
bgl_bond $A bgla 802.3ad "a0 a1" 10.203.2.1/24 "lacp_rate=fast"
bgl_bond $B bglb 802.3ad "b0 b1" 10.203.2.2/24 "lacp_rate=fast"
t0b=$(now_ms)   # B answers on its socket: both run
bgl_wait 10 bgl_all_cd bgla || fail "A not collecting+distributing"
bgl_wait 5 bgl_all_cd bglb || fail "B not collecting+distributing"
t1=$(now_ms)
log "bondgend<->bondgend converged $((t1 - t0b)) ms after both ran ($((t1 - t0)) ms after A was started)"
# each side's partner system is the other's system
[ "$(bgl_status bgla | sed -n 's/^\tPartner Mac Address: //p')" = "$(field bglb 'System MAC address')" ] ||
        fail "A's partner is not B"
[ "$(bgl_status bglb | sed -n 's/^\tPartner Mac Address: //p')" = "$(field bgla 'System MAC address')" ] ||
        fail "B's partner is not A"
[ "$(bgl_status bgla | sed -n 's/^\tNumber of ports: //p')" = 2 ] || fail "A's aggregator lacks a port"
ip netns exec $A ping -c 3 -i 0.2 -W 2 10.203.2.2 >/dev/null || fail "no ping A -> B"
[ "$(sum_field bgla 'LACPDU RX bad')" = 0 ] || fail "A counted bad PDUs from B"
teardown

# ---- active / passive
setup
bgl_bond $A bgla 802.3ad "a0 a1" 10.203.2.1/24 "lacp_rate=fast"
bgl_bond $B bglb 802.3ad "b0 b1" 10.203.2.2/24 "lacp_active=off"
bgl_wait 10 bgl_all_cd bgla || fail "A not collecting+distributing against a passive B"
bgl_wait 5 bgl_all_cd bglb || fail "passive B not collecting+distributing"
bgl_status bglb | grep -q '^LACP active: off' || fail "B does not say it is passive"
# B is passive: its actor state has no Activity bit
for s in $(bgl_states bglb); do
        case $s in a*) [ $(( ${s:1} & 1 )) = 0 ] || fail "passive actor state ${s:1}";; esac
done
ip netns exec $A ping -c 2 -i 0.2 -W 2 10.203.2.2 >/dev/null || fail "no ping A -> passive B"
teardown

# ---- passive / passive: silence
setup
bgl_bond $A bgla 802.3ad "a0 a1" 10.203.2.1/24 "lacp_active=off"
bgl_bond $B bglb 802.3ad "b0 b1" 10.203.2.2/24 "lacp_active=off"
sleep 4         # what must NOT happen: no LACPDU in 4 s (timed, not a wait)
[ "$(sum_field bgla 'LACPDU TX')" = 0 ] || fail "passive A sent LACPDUs"
[ "$(sum_field bglb 'LACPDU TX')" = 0 ] || fail "passive B sent LACPDUs"
bgl_all_cd bgla 1 && fail "passive A claims collecting+distributing without a partner"
bgl_status bgla | grep -q '^MII Status: up' || fail "no partnerless fallback carrier"
ip netns exec $A ping -c 2 -i 0.2 -W 2 10.203.2.2 >/dev/null || fail "no ping over the fallback port"
teardown

# ---- min_links
setup
bgl_bond $A bgla 802.3ad "a0 a1" 10.203.2.1/24 "lacp_rate=fast min_links=2"
bgl_bond $B bglb 802.3ad "b0 b1" 10.203.2.2/24 "lacp_rate=fast"
bgl_wait 10 bgl_all_cd bgla || fail "A not collecting+distributing (min_links)"
bgl_status bgla | grep -q '^MII Status: up' || fail "carrier down with 2 of min_links 2"
ip -n $B link set b1 down
carrier_down() { bgl_status bgla | grep -q '^MII Status: down'; }
bgl_wait 3 carrier_down || fail "carrier still up with 1 link < min_links 2"
ip netns exec $A ip link show bgla | grep -q 'NO-CARRIER\|state DOWN' || fail "TAP carrier not dropped"
ip -n $B link set b1 up
carrier_up() { bgl_status bgla | grep -q '^MII Status: up'; }
bgl_wait 10 carrier_up || fail "carrier not back"
teardown

echo "PASS"
