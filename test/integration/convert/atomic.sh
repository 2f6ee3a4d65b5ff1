#!/bin/bash
# `convert -o DIR` writes the whole set of files or nothing (bondgen(8),
# Output). No network; each case is its own meson test.
# Cases:
#  enospc      a 16 KiB tmpfs (private mount namespace, root): for networkd
#              and keyfile, into a new directory and into the empty mount
#              point, the output does not fit; convert exits 3 saying "No
#              space left on device; nothing was written" and the tmpfs is
#              left empty (no staging directory). After the file system
#              grows, the same command (no --force) writes the whole set
#              (60 networkd files, 36 keyfiles).
#  concurrent  at least 20 pairs of `convert --force` from two different
#              trees into one directory at the same time: afterwards every
#              file of the set comes from the same run, no staging file is
#              left, and a file of the user's in that directory is
#              untouched.
# A failure part-way through the writes and renames is the unit test
# test/unit/util/test-outset.c (a fault injected at every step).
# Usage: atomic.sh BONDGEN enospc|concurrent
set -euo pipefail
bondgen=$1 case=$2

if [ "$case" = enospc ] && [ -z "${BG_ATOMIC_NS:-}" ]; then
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mounts a tmpfs in a private mount namespace)" >&2; exit 77; }
        command -v unshare >/dev/null || { echo "SKIP: unshare (util-linux) missing" >&2; exit 77; }
        exec unshare -m --propagation private env BG_ATOMIC_NS=1 "$0" "$@"
fi
tmp=$(mktemp -d /tmp/bg-atomic-XXXXXX)
cleanup() {
        [ -n "${BG_ATOMIC_NS:-}" ] && umount "$tmp/mnt" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# tree ROOT N MODE ADDR-PREFIX: N bonds of two ports each.
tree() {
        local d=$1/etc/sysconfig/network-scripts i
        mkdir -p "$d"
        for ((i = 0; i < $2; i++)); do
                printf 'DEVICE=bond%d\nTYPE=Bond\nBONDING_OPTS="mode=%s miimon=100"\nIPADDR=%s.%d\nPREFIX=24\nONBOOT=yes\n' \
                        "$i" "$3" "$4" "$((i + 1))" >"$d/ifcfg-bond$i"
                printf 'DEVICE=eth%d\nMASTER=bond%d\nSLAVE=yes\n' "$((2 * i))" "$i" >"$d/ifcfg-eth$((2 * i))"
                printf 'DEVICE=eth%d\nMASTER=bond%d\nSLAVE=yes\n' "$((2 * i + 1))" "$i" >"$d/ifcfg-eth$((2 * i + 1))"
        done
}

if [ "$case" = enospc ]; then
        tree "$tmp/root" 12 active-backup 10.1.0
        mnt=$tmp/mnt
        mkdir "$mnt"
        mount -t tmpfs -o size=16k,mode=0755 bg-atomic "$mnt"
        for fmt in networkd keyfile; do
                for target in "$mnt/out" "$mnt"; do
                        rc=0; out=$("$bondgen" convert --root "$tmp/root" --format $fmt -o "$target" 2>&1) || rc=$?
                        [ "$rc" = 3 ] || fail "$fmt into $target on a full tmpfs: exit $rc, want 3: $out"
                        grep -q "No space left on device; nothing was written" <<<"$out" ||
                                fail "$fmt: ENOSPC not explained: $out"
                        left=$(ls -A "$mnt")
                        [ -z "$left" ] || fail "$fmt into $target: the tmpfs holds '$left' after the failure"
                done
        done
        echo "ok: a full file system leaves the target as it was (absent, or empty)"
        mount -o remount,size=4m "$mnt"
        for fmt in networkd keyfile; do
                "$bondgen" convert --root "$tmp/root" --format $fmt -o "$mnt/$fmt" 2>/dev/null ||
                        fail "$fmt: the retry after freeing space failed"
                n=$(ls "$mnt/$fmt" | wc -l)
                want=$([ $fmt = networkd ] && echo 60 || echo 36)
                [ "$n" = "$want" ] || fail "$fmt: $n files after the retry, want $want"
        done
        echo "ok: the retry after freeing space writes the whole set"
        exit 0
fi

# concurrent
tree "$tmp/a" 4 active-backup 10.1.0
tree "$tmp/b" 4 802.3ad 10.2.0
out=$tmp/net
mkdir "$out"
echo "user's file" >"$out/50-user.network"
# runs: one set per tree, for comparison.
"$bondgen" convert --root "$tmp/a" --format networkd -o "$tmp/set-a" 2>/dev/null
"$bondgen" convert --root "$tmp/b" --format networkd -o "$tmp/set-b" 2>/dev/null
names=$(ls "$tmp/set-a")
[ "$names" = "$(ls "$tmp/set-b")" ] || fail "the two trees do not give the same file names"
cmp -s "$tmp/set-a/10-bondgen-bond0.netdev" "$tmp/set-b/10-bondgen-bond0.netdev" &&
        fail "the two trees give the same .netdev: the test could not tell them apart"
cmp -s "$tmp/set-a/10-bondgen-bond0.network" "$tmp/set-b/10-bondgen-bond0.network" &&
        fail "the two trees give the same .network: the test could not tell them apart"
declare -A sum_a sum_b
while read -r sum f; do sum_a[$f]=$sum; done < <(cd "$tmp/set-a" && md5sum $names)
while read -r sum f; do sum_b[$f]=$sum; done < <(cd "$tmp/set-b" && md5sum $names)
# at least 20 pairs however slow the machine, up to 100 while 20 s last
pairs=0 start=$SECONDS
while [ "$pairs" -lt 20 ] || { [ "$pairs" -lt 100 ] && [ $((SECONDS - start)) -lt 20 ]; }; do
        "$bondgen" convert --root "$tmp/a" --format networkd --force -o "$out" 2>/dev/null & pa=$!
        "$bondgen" convert --root "$tmp/b" --format networkd --force -o "$out" 2>/dev/null & pb=$!
        wait "$pa" || fail "pair $pairs: the run from tree a failed"
        wait "$pb" || fail "pair $pairs: the run from tree b failed"
        # One md5sum per pair: spawning a cmp per file is slow on a loaded machine.
        (cd "$out" && md5sum $names) >"$tmp/sum"
        from=""
        while read -r sum f; do
                if [ "$sum" = "${sum_a[$f]}" ] && [ "$sum" = "${sum_b[$f]}" ]; then
                        continue   # the same in both runs
                elif [ "$sum" = "${sum_a[$f]}" ]; then
                        this=a
                else
                        [ "$sum" = "${sum_b[$f]}" ] || fail "pair $pairs: $f is from neither run"
                        this=b
                fi
                [ -z "$from" ] || [ "$from" = "$this" ] || fail "pair $pairs: $f is from run $this, files before it from run $from"
                from=$this
        done <"$tmp/sum"
        [ "$(cat "$out/50-user.network")" = "user's file" ] || fail "the user's file was changed"
        for f in "$out"/.[!.]*; do [ -e "$f" ] && fail "pair $pairs: $f was left in $out"; done
        pairs=$((pairs + 1))
done
echo "ok: $pairs pairs of concurrent convert --force, each result entirely from one run"
