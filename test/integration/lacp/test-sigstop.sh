#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault: bondgend stopped (SIGSTOP) for 5 s in 802.3ad, then continued
# (SIGCONT), against another bondgend as the partner (lacp_rate fast):
#   ns A: bgsa = {a0, a1}  a0 ──── veth ──── b0  ns B: bgsb = {b0, b1}
#         10.203.14.1/24   a1 ──── veth ──── b1        10.203.14.2/24
# Cases:
#  expiry    while A is stopped, B's partner information times out (the
#            short timeout of IEEE 802.1AX, 3 s) and B stops distributing
#            to A within 5 s; the time is printed
#  recovery  within 10 s of SIGCONT both sides collect and distribute
#            again, a ping passes and A is still running; the time from
#            SIGCONT is printed
. "$(dirname "$0")/lib.sh"
bgl_init
A=$P-a B=$P-b
bgl_ns $A; bgl_ns $B
for i in 0 1; do bgl_veth $A a$i $B b$i; done
bgl_bond $A bgsa 802.3ad "a0 a1" 10.203.14.1/24 "lacp_rate=fast"
bgl_bond $B bgsb 802.3ad "b0 b1" 10.203.14.2/24 "lacp_rate=fast"
bgl_wait 15 bgl_all_cd bgsa || fail "A not collecting+distributing"
bgl_wait 5 bgl_all_cd bgsb || fail "B not collecting+distributing"
ip netns exec $A ping -c 2 -i 0.2 -W 2 10.203.14.2 > /dev/null || fail "no ping before the stop"

kill -STOP "$PID_bgsa"
t0=$(now_ms)
expired() { ! bgl_all_cd bgsb; }
bgl_wait 5 expired || { kill -CONT "$PID_bgsa"; fail "B still distributes to a stopped A after 5 s"; }
t_exp=$(($(now_ms) - t0))
while [ $(($(now_ms) - t0)) -lt 5000 ]; do sleep 0.1; done   # measured window: the 5 s stop
kill -CONT "$PID_bgsa"
t1=$(now_ms)
both_cd() { bgl_all_cd bgsa && bgl_all_cd bgsb; }
bgl_wait 10 both_cd || fail "no recovery 10 s after SIGCONT: A $(bgl_states bgsa) B $(bgl_states bgsb)"
t_rec=$(($(now_ms) - t1))
ip netns exec $A ping -c 2 -i 0.2 -W 2 10.203.14.2 > /dev/null || fail "no ping after SIGCONT"
kill -0 "$PID_bgsa" || fail "A died"
echo "ok: A stopped 5 s: B stopped distributing after $t_exp ms; both collecting+distributing $t_rec ms after SIGCONT"
