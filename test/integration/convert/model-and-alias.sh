#!/bin/bash
# `bondgen convert --model FILE|DIR` gives from a canonical model exactly
# what converting the legacy tree gives, with the same -o rules and
# diagnostics; `bondgen --convert` is the same command as `bondgen
# convert`. No network, no privileges.
# Cases:
#  same output     for every example with an expected.yaml and every format
#                  (yaml, networkd, netplan, keyfile) on stdout, --model and
#                  --convert give byte for byte what convert --root gives;
#                  --model -o writes the example's golden networkd files
#  directory       --model DIR converts every *.yaml in it (two bonds)
#  no overwrite    -o does not replace files without --force (exit 1, "not
#                  overwritten"); with --force it does
#  invalid model   FILE:6:COL naming miimon, exit 1, "nothing written", no
#                  output
#  duplicate       one bond name in two files of a directory: "defined
#                  twice", exit 1, nothing written
#  exit codes      a missing model exits 3; --root, --from, --explain,
#                  --partial with --model, and --convert --format bogus,
#                  exit 2; --convert --help shows --model
# Usage: model-and-alias.sh BONDGEN EXAMPLES_DIR
set -uo pipefail
bondgen=${1:?bondgen binary}
examples=${2:?examples dir}
tmp=$(mktemp -d /tmp/bgconv-model-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

for e in "$examples"/*/; do
        [ -f "$e/expected.yaml" ] || continue
        name=$(basename "$e")
        for f in yaml networkd netplan keyfile; do
                "$bondgen" convert --root "$e/root" --format "$f" >"$tmp/legacy" 2>/dev/null ||
                        fail "$name $f: legacy convert failed"
                "$bondgen" convert --model "$e/expected.yaml" --format "$f" >"$tmp/model" 2>"$tmp/err" ||
                        fail "$name $f: --model failed: $(cat "$tmp/err")"
                cmp -s "$tmp/legacy" "$tmp/model" || fail "$name $f: --model differs from the legacy tree's output"
                "$bondgen" --convert --root "$e/root" --format "$f" >"$tmp/alias" 2>/dev/null ||
                        fail "$name $f: --convert failed"
                cmp -s "$tmp/legacy" "$tmp/alias" || fail "$name $f: --convert differs from convert"
                n=$((n + 1))
        done
        # -o from the model writes the example's golden files
        if [ -d "$e/networkd" ]; then
                "$bondgen" convert --model "$e/expected.yaml" --format networkd -o "$tmp/$name.nd" 2>/dev/null ||
                        fail "$name: --model -o failed"
                diff -r "$e/networkd" "$tmp/$name.nd" >/dev/null || fail "$name: --model -o differs from the golden files"
        fi
done
[ $n -gt 0 ] || fail "no example with expected.yaml"

# a directory of models: every *.yaml, in name order
mkdir -p "$tmp/dir"
cp "$examples/models/centos-bond0.yaml" "$tmp/dir/10-a.yaml"
cp "$examples/models/active-backup-arp.yaml" "$tmp/dir/20-b.yaml"
"$bondgen" convert --model "$tmp/dir" --format keyfile -o "$tmp/dir.kf" 2>"$tmp/err" || fail "dir: $(cat "$tmp/err")"
[ -f "$tmp/dir.kf/bondgen-bond0.nmconnection" ] && [ -f "$tmp/dir.kf/bondgen-bond1.nmconnection" ] ||
        fail "dir: not both bonds written: $(ls "$tmp/dir.kf" 2>&1)"

# -o never replaces a file without --force
st=0
"$bondgen" convert --model "$tmp/dir" --format keyfile -o "$tmp/dir.kf" 2>"$tmp/err" || st=$?
[ $st -eq 1 ] && grep -q "not overwritten" "$tmp/err" || fail "exists: exit $st: $(cat "$tmp/err")"
"$bondgen" convert --model "$tmp/dir" --format keyfile -o "$tmp/dir.kf" --force 2>/dev/null || fail "--force refused"

# an invalid model: FILE:LINE:COL, exit 1, nothing written
printf 'version: 1\nbonds:\n  - name: bond0\n    mode: balance-rr\n    options:\n      miimon: fast\n' >"$tmp/bad.yaml"
st=0
"$bondgen" convert --model "$tmp/bad.yaml" --format networkd -o "$tmp/bad.out" >"$tmp/out" 2>"$tmp/err" || st=$?
[ $st -eq 1 ] || fail "invalid: exit $st, want 1"
grep -Eq "bad.yaml:6:[0-9]+: error: .*miimon" "$tmp/err" || fail "invalid: no located error: $(cat "$tmp/err")"
grep -q "nothing written to $tmp/bad.out" "$tmp/err" || fail "invalid: no 'nothing written': $(cat "$tmp/err")"
[ -e "$tmp/bad.out" ] && fail "invalid: output written"
# two bonds with one name across a directory: refused, nothing written
cp "$examples/models/centos-bond0.yaml" "$tmp/dir/30-c.yaml"
st=0
"$bondgen" convert --model "$tmp/dir" --format networkd -o "$tmp/dup.out" 2>"$tmp/err" || st=$?
[ $st -eq 1 ] && grep -q "defined twice" "$tmp/err" && [ ! -e "$tmp/dup.out" ] || fail "duplicate: exit $st: $(cat "$tmp/err")"

# a missing model is a system error; legacy-only options are usage errors
st=0
"$bondgen" convert --model "$tmp/none.yaml" >/dev/null 2>&1 || st=$?
[ $st -eq 3 ] || fail "missing model: exit $st, want 3"
for opt in "--root /" "--from rh" "--explain" "--partial"; do
        st=0
        # shellcheck disable=SC2086
        "$bondgen" convert --model "$tmp/dir/10-a.yaml" $opt >/dev/null 2>&1 || st=$?
        [ $st -eq 2 ] || fail "--model with $opt: exit $st, want 2"
done
st=0
"$bondgen" --convert --format bogus >/dev/null 2>&1 || st=$?
[ $st -eq 2 ] || fail "--convert --format bogus: exit $st, want 2"
"$bondgen" --convert --help | grep -q -- "--model" || fail "--convert --help"

[ $fails -eq 0 ] || exit 1
echo "--model and --convert: $n example conversions agree"
