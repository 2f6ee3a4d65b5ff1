#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# LACP health in `bondgen status` and `bondgen metrics` for bondgend, each
# likely cause provoked for real in namespaces (bondgend as the partner):
#   ns A                      ns B / ns C
#   bgha {a0, a1}: a0 ── veth ── b0  bghb (B)      no partner, then
#                  a1 ── veth ── c0  bghc (C)      two aggregators, timeout
#   bghd {a2, a3}: a2 ── veth ── b1 ─┐ bghe (B)    ok (bgha stopped first)
#                  a3 ── veth ── b2 ─┘
# Cases:
#  no partner       B and C run no LACP yet: "no partner on a0, a1: no
#                   LACPDU received"; the actor flags in words; the JSON
#                   has lacp_health and the ports' partner flags
#  metrics          `bondgen metrics` (OpenMetrics and Prometheus) parse
#                   with the real parsers (metrics-check.py); a0 is not
#                   distributing
#  two aggregators  bghb and bghc, two partners with different system ids
#                   (two switches without MLAG): "ports in different
#                   aggregators", naming both partners' systems
#  partner timeout  bghb stops talking (SIGSTOP) after it agreed: "partner
#                   timeout on a0"
#  ok               bghd against bghe, one partner on both ports: "ok: 2
#                   ports collecting and distributing"; the partner flags
#                   in words; lacp_health "ok" in the JSON
# Churn and speed/duplex mismatch are provoked with the 802.3ad machines on
# a fake clock in test/unit/fwd/test-lacp-health.c (churn needs 60 s; veth
# links cannot change speed).
. "$(dirname "$0")/lib.sh"
bgl_init
[ -x "${BONDGEN:-}" ] || skip "bondgen not built"
export PYTHONPATH=${PYTHONPATH:-}
BONDS=()
A=$P-a B=$P-b C=$P-c

health() { BONDGEN_RUNDIR=$RUN/rundir-$1 "$BONDGEN" status "$1" | sed -n 's/^LACP health: //p'; }
health_is() { health "$1" | grep -q "^$2"; }
check_json() {  # BOND PYTHON-EXPR-ON-d
        BONDGEN_RUNDIR=$RUN/rundir-$1 "$BONDGEN" status "$1" --json |
                /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); assert $2, d" ||
                fail "$1: JSON status: $2"
}

bgl_ns $A; bgl_ns $B; bgl_ns $C
bgl_veth $A a0 $B b0
bgl_veth $A a1 $C c0
bgl_quiet $B b0; bgl_quiet $C c0

# ---- no partner: B and C run no LACP
bgl_bond $A bgha 802.3ad "a0 a1" 10.203.9.1/24 "lacp_rate=fast"
bgl_wait 8 health_is bgha "no partner" || fail "no partner not named: $(health bgha)"
health bgha | grep -q "no partner on a0, a1: no LACPDU received" || fail "no partner: $(health bgha)"
BONDGEN_RUNDIR=$RUN/rundir-bgha "$BONDGEN" status bgha | grep -q "^LACP actor flags: active, short timeout, aggregatable" ||
        fail "actor state not in words"
check_json bgha "d['lacp_health'].startswith('no partner') and 'lacp_partner_flags' in d['slaves'][0]"
log "no partner: $(health bgha)"

# metrics of a bondgend bond, through the real parsers
BONDGEN_RUNDIR=$RUN/rundir-bgha "$BONDGEN" metrics >"$RUN/m.om" || fail "metrics"
BONDGEN_RUNDIR=$RUN/rundir-bgha "$BONDGEN" metrics --format prometheus >"$RUN/m.prom" || fail "metrics --format prometheus"
grep -qx 'bondgen_port_lacp_distributing{bond="bgha",port="a0"} 0' "$RUN/m.om" || fail "metrics: a0 distributing"
/usr/bin/python3 "$(dirname "$0")/../metrics-check.py" "$RUN/m.om" "$RUN/m.prom" bgha:802.3ad:userspace:a0,a1 ||
        fail "metrics of bondgend do not parse: $(cat "$RUN/m.om")"

# ---- two partners with different system ids
bgl_bond $B bghb 802.3ad "b0" 10.203.9.2/24 "lacp_rate=fast"
bgl_bond $C bghc 802.3ad "c0" 10.203.9.3/24 "lacp_rate=fast"
bgl_wait 10 health_is bgha "ports in different aggregators" || fail "split not named: $(health bgha)"
health bgha | grep -q "a0's partner is system .*, a1's is .*: two switches without MLAG" || fail "split: $(health bgha)"
log "split: $(health bgha)"

# ---- partner timeout: B stops talking after agreeing
kill -STOP "$PID_bghb"
bgl_wait 6 health_is bgha "partner timeout on a0" || { kill -CONT "$PID_bghb"; fail "timeout not named: $(health bgha)"; }
log "timeout: $(health bgha)"
kill -CONT "$PID_bghb"
kill "$PID_bghb" "$PID_bghc"

# ---- healthy: one partner on both ports
bgl_veth $A a2 $B b1
bgl_veth $A a3 $B b2
kill "$PID_bgha"
bgl_gone() { ! kill -0 "$1" 2>/dev/null; }
bgl_wait 3 bgl_gone "$PID_bgha" || fail "bondgend $PID_bgha did not stop"
bgl_bond $A bghd 802.3ad "a2 a3" 10.203.9.1/24 "lacp_rate=fast"
bgl_bond $B bghe 802.3ad "b1 b2" 10.203.9.2/24 "lacp_rate=fast"
bgl_wait 10 health_is bghd "ok: 2 ports collecting and distributing" || fail "healthy bond: $(health bghd)"
BONDGEN_RUNDIR=$RUN/rundir-bghd "$BONDGEN" status bghd |
        grep -q "^LACP partner flags: active, short timeout, aggregatable, in sync, collecting, distributing$" ||
        fail "partner state in words"
check_json bghd "d['lacp_health'].startswith('ok')"
log "ok: $(health bghd)"
echo "PASS"
