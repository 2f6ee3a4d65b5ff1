#!/bin/bash
# netplan accepts what bondgen writes for it. No network, no privileges.
# Cases (for every example tree):
#  accepted  `netplan generate --root-dir` accepts the netplan output
#            (bondgen convert --format netplan)
#  mode      the networkd .netdev netplan generates has the bond mode we
#            converted
# Skips (77) only when netplan is not installed.
# Usage: netplan-generate.sh BONDGEN EXAMPLES_DIR
set -uo pipefail
bondgen=${1:?bondgen binary}
examples=${2:?examples dir}
if ! command -v netplan >/dev/null; then
        echo "SKIP: netplan is not installed (Debian package netplan.io)" >&2
        exit 77
fi
tmp=$(mktemp -d /tmp/bgconv-netplan-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
for d in "$examples"/*/root; do
        name=$(basename "$(dirname "$d")")
        r=$tmp/$name
        mkdir -p "$r/etc/netplan"
        if ! "$bondgen" convert --root "$d" --format netplan -o "$r/etc/netplan" 2>"$tmp/$name.err"; then
                echo "FAIL: $name: convert failed: $(cat "$tmp/$name.err")" >&2
                fails=$((fails + 1))
                continue
        fi
        chmod 600 "$r"/etc/netplan/*.yaml
        if ! netplan generate --root-dir "$r" 2>"$tmp/$name.gen"; then
                echo "FAIL: $name: netplan generate: $(cat "$tmp/$name.gen")" >&2
                fails=$((fails + 1))
                continue
        fi
        mode=$(sed -n 's/^ *mode: "\(.*\)"/\1/p' "$r"/etc/netplan/*.yaml | head -1)
        if ! grep -qx "Mode=$mode" "$r"/run/systemd/network/*.netdev; then
                echo "FAIL: $name: generated .netdev lacks Mode=$mode" >&2
                fails=$((fails + 1))
        fi
done
[ $fails -eq 0 ] || exit 1
echo "netplan generate accepts every example"
