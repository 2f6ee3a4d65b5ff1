#!/bin/bash
# The README's live demo (examples/demo) must work: run it against this
# build. Usage: test-demo.sh SRCDIR BUILDDIR
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
