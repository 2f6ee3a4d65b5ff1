#!/bin/bash
# NetworkManager itself accepts every keyfile the examples produce, with
# no daemon and nothing touching the host's interfaces. No privileges.
# Cases (for every *.nmconnection under the DIRs: the examples and the
# emitter's golden cases, which the golden tests keep equal to what
# convert writes):
#  accepted  the profile goes through NetworkManager's keyfile reader and
#            nm_connection verify() (`nmcli --offline connection modify`,
#            NetworkManager 1.40 and later)
#  kept      every key=value bondgen wrote comes back in NetworkManager's
#            own rewrite of the profile, so nothing was refused or silently
#            dropped (nmcli drops unknown bond options without a word).
#            Two rewrites are the same setting: NetworkManager folds
#            gateway= into address1=ADDR,GW and writes MAC addresses in
#            upper case.
#  not empty at least one keyfile was checked
# Skips (77) when nmcli is absent.
# Usage: nm-keyfile.sh DIR...
set -uo pipefail
shopt -s nullglob
[ $# -gt 0 ] || { echo "usage: $0 DIR..." >&2; exit 2; }
if ! command -v nmcli >/dev/null; then
        echo "SKIP: nmcli is not installed (Debian package network-manager)" >&2
        exit 77
fi
tmp=$(mktemp -d /tmp/bgconv-nm-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0

# check FILE: NetworkManager accepts it and keeps every line
check() {
        local f=$1 id out
        id=$(sed -n 's/^id=//p' "$f" | head -1)
        if ! out=$(nmcli --offline connection modify connection.id "$id" <"$f" 2>&1); then
                echo "FAIL: $f: NetworkManager refuses it: $out" >&2
                fails=$((fails + 1))
                return
        fi
        n=$((n + 1))
        printf '%s\n' "$out" >"$tmp/nm"
        awk -v F="$f" '
                function norm(sec, line,   k, v, a) {
                        k = substr(line, 1, index(line, "=") - 1)
                        v = substr(line, index(line, "=") + 1)
                        if (k ~ /mac-address$/) v = tolower(v)
                        return sec "|" k "=" v
                }
                FNR == NR {
                        if ($0 ~ /^\[/) { sec = $0; next }
                        if ($0 !~ /=/) next
                        k = substr($0, 1, index($0, "=") - 1)
                        if (k ~ /^address[0-9]+$/ && index($0, ",")) {
                                split(substr($0, index($0, "=") + 1), a, ",")
                                have[sec "|" k "=" a[1]] = 1
                                have[sec "|gateway=" a[2]] = 1
                                next
                        }
                        have[norm(sec, $0)] = 1
                        next
                }
                /^\[/ { sec = $0; next }
                /^#/ || !/=/ { next }
                !(norm(sec, $0) in have) { print "FAIL: " F ": NetworkManager dropped " sec " " $0; bad = 1 }
                END { exit bad }
        ' "$tmp/nm" "$f" >&2 || fails=$((fails + 1))
}

# The goldens; the golden tests keep them equal to what convert writes.
while IFS= read -r -d '' f; do
        check "$f"
done < <(find "$@" -name '*.nmconnection' -print0)
[ $n -gt 0 ] || { echo "FAIL: no keyfile checked" >&2; exit 1; }
[ $fails -eq 0 ] || exit 1
echo "NetworkManager accepts all $n keyfiles and keeps every setting"
