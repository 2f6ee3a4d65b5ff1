#!/bin/bash
# The man pages are clean. No network, no privileges.
# Cases:
#  mandoc lint   every page in man/ is clean for mandoc -Tlint at warning
#                level (style notes allowed)
#  groff         every page is clean for groff -ww (when groff is there)
#  all pages     bondgen.8, bondgen.yaml.5, bondgend.8 and
#                bondgen-generator.8 (the pages of man/meson.build) exist
#  can fail      a page with a broken macro is flagged by mandoc
# Usage: test-man.sh SRCDIR
set -euo pipefail
src=$1
command -v mandoc >/dev/null || { echo "SKIP: mandoc missing (test/deps/boot.txt)" >&2; exit 77; }
status=0
shopt -s nullglob
pages=("$src"/man/*.[1-9])
[ ${#pages[@]} -gt 0 ] || { echo "FAIL: no man pages" >&2; exit 1; }
for p in "${pages[@]}"; do
        out=$(mandoc -Tlint -Wwarning "$p" 2>&1) || true
        if [ -n "$out" ]; then
                echo "FAIL: mandoc -Tlint ${p#$src/}:" >&2
                echo "$out" >&2
                status=1
        fi
        if command -v groff >/dev/null; then
                out=$(groff -ww -z -man "$p" 2>&1) || true
                if [ -n "$out" ]; then
                        echo "FAIL: groff -ww ${p#$src/}:" >&2
                        echo "$out" >&2
                        status=1
                fi
        fi
        echo "checked ${p#$src/}"
done
for want in bondgen.8 bondgen.yaml.5 bondgend.8 bondgen-generator.8; do
        [ -e "$src/man/$want" ] || { echo "FAIL: man/$want missing" >&2; status=1; }
done
# The check can fail: a page with a broken macro is caught.
bad=$(mktemp /tmp/bg-boot-man-XXXXXX.8)
trap 'rm -f "$bad"' EXIT
printf '.TH X 8 2026-01-01\n.SH NAME\nx \\- y\n.BR\n.RE\n' >"$bad"
if [ -z "$(mandoc -Tlint -Wwarning "$bad" 2>&1)" ]; then
        echo "FAIL: mandoc did not flag a broken page" >&2
        status=1
fi
exit $status
