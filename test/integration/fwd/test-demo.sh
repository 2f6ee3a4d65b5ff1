#!/bin/bash
# The README's live demo (examples/demo) must work: run it against this
# build. The demo builds its own namespaces and bonds the CentOS example
# (balance-rr, miimon 100) with bondgend:
#   ns host:   bondgend bond0 = {eth0, eth1}, 10.10.10.1/24
#              eth0 ────── veth ────── sw-eth0 ─┐  ns switch:
#              eth1 ────── veth ────── sw-eth1 ─┼─ Linux bridge sw
#   ns peer:   peer0 ───── veth ────── sw-peer ─┘
#              10.10.10.254/24
# Cases:
#  runs      the demo exits 0
#  ping      its 3 pings through bond0 are all answered
#  failover  bondgend logs "link status definitely down for interface eth0"
#  status    bondgen status then shows "Link Failure Count: 1"
# Usage: test-demo.sh SRCDIR BUILDDIR
[ "$(id -u)" = 0 ] || { echo "SKIP: the demo needs root" >&2; exit 77; }
src=$1 build=$2
out=$(mktemp /tmp/bgf-demo.XXXXXX)
trap 'rm -f "$out"' EXIT
bash "$src/examples/demo" "$build" > "$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || { echo "FAIL: demo exited $rc" >&2; exit 1; }
grep -q "3 packets transmitted, 3 received" "$out" || { echo "FAIL: no ping through bond0" >&2; exit 1; }
grep -q "link status definitely down for interface eth0" "$out" || { echo "FAIL: no failover shown" >&2; exit 1; }
grep -q "^Link Failure Count: 1" "$out" || { echo "FAIL: status does not show the failure" >&2; exit 1; }
echo "ok: demo"
