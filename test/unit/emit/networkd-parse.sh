#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real systemd-networkd must read every emitted .netdev/.network file
# (the golden files, which test-emit-golden proves equal to the emitter's
# output) without a single config warning: no unknown key, no value it
# fails to parse. networkd runs in private mount and network namespaces
# with a tmpfs over its config directories, so the host is not touched; it
# is stopped after it has loaded its configuration. A deliberately broken
# file checks that the warnings are still detected.
# Each argument is a directory whose CASE/networkd/ subdirectories are read:
# the emitter's golden cases and the example trees' expected output.
# Usage: networkd-parse.sh DIR...
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 DIR..." >&2; exit 2; }
networkd=/lib/systemd/systemd-networkd
[ -x "$networkd" ] || networkd=/usr/lib/systemd/systemd-networkd

skip() { echo "SKIP: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (mount and network namespaces)"
[ -x "$networkd" ] || skip "systemd-networkd not installed"
command -v unshare >/dev/null || skip "unshare (util-linux) missing"
getent passwd systemd-network >/dev/null || skip "no systemd-network user"
unshare -m -n true 2>/dev/null || skip "cannot create namespaces here"

# Runs inside the namespaces: $1 = directory with the files to load.
load() {
        mount --make-rprivate /
        mount -t tmpfs tmpfs /run
        mkdir -p /run/systemd/network
        chown systemd-network:systemd-network /run/systemd
        [ -d /etc/systemd/network ] && mount -t tmpfs tmpfs /etc/systemd/network
        cp "$1"/*.netdev "$1"/*.network /run/systemd/network/ 2>/dev/null || true
        # timeout stops the networkd it started, nothing else.
        SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 \
                timeout 2 "$networkd" 2>&1 || true
}
export -f load
export networkd

check_dir() {
        local dir=$1 log netdev name kind
        log=$(unshare -m -n bash -c 'load "$0"' "$dir")
        # networkd's config parser prefixes every problem with FILE:LINE.
        if grep -E '^/run/systemd/network/[^:]+:[0-9]+: ' <<<"$log"; then
                echo "FAIL: networkd warned about $dir" >&2
                return 1
        fi
        for netdev in "$dir"/*.netdev; do
                [ -e "$netdev" ] || continue
                name=$(sed -n 's/^Name=//p' "$netdev")
                kind=$(sed -n 's/^Kind=//p' "$netdev")
                if ! grep -qF "$name: loaded \"$kind\"" <<<"$log"; then
                        echo "FAIL: networkd did not load $netdev" >&2
                        echo "$log" | head -40 >&2
                        return 1
                fi
        done
        echo "ok: $dir"
}

# The detector itself: a broken file must be reported.
bad=$(mktemp -d /tmp/bgemit-nd-XXXXXX)
trap 'rm -rf "$bad"' EXIT
printf '[NetDev]\nName=bgemitbad0\nKind=bond\n\n[Bond]\nMIIMonitorSec=100ms\nNoSuchKey=1\n' \
        >"$bad/10-bad.netdev"
if check_dir "$bad" >/dev/null 2>&1; then
        echo "FAIL: a file with an unknown key was not reported; the check is blind" >&2
        exit 1
fi

status=0
n=0
for top in "$@"; do
        m=0
        for dir in "$top"/*/networkd; do
                [ -d "$dir" ] || continue
                check_dir "$dir" || status=1
                m=$((m + 1))
        done
        [ "$m" -gt 0 ] || { echo "FAIL: no networkd directories under $top" >&2; exit 1; }
        n=$((n + m))
done
echo "networkd read $n directories of .netdev/.network files"
exit $status
