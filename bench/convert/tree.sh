#!/bin/bash
# Convert benchmark, one large tree: `bondgen convert --root` on a single
# root holding N bonds (2 ports each, 3 ifcfg files per bond) for each N.
# Reports CPU seconds (user+sys, the figure that does not depend on what
# else the machine runs) and wall seconds, best of RUNS. With a second
# build directory (e.g. one built from an older commit) both are run in
# the same invocation and the ratio is printed. "linearity" is the CPU
# time per bond relative to the first size: 1.0 means linear growth.
# Usage: bench/convert/tree.sh BUILD_DIR [BASELINE_BUILD_DIR] [SIZES="1000 5000 10000"] [RUNS=3]
set -euo pipefail
build=$(cd "${1:?usage: tree.sh BUILD_DIR [BASELINE_BUILD_DIR] [SIZES] [RUNS]}" && pwd)
base=${2:-}
sizes=${3:-1000 2000 5000 10000}
runs=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/bgconv-tree-XXXXXX)
trap 'rm -rf "$work"' EXIT

best() {   # best BIN ROOT: "cpu wall" seconds, lowest CPU of $runs runs
        local bin=$1 root=$2 out best_cpu="" best_wall=""
        for ((i = 0; i < runs; i++)); do
                /usr/bin/time -o "$work/time" -f '%U %S %e' "$bin" convert --root "$root" >/dev/null 2>&1 || true
                read -r u s e <"$work/time"
                cpu=$(echo "$u + $s" | bc)
                if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then
                        best_cpu=$cpu
                        best_wall=$e
                fi
        done
        echo "$best_cpu $best_wall"
}

printf '%8s %12s %10s %10s' bonds "cpu s" "wall s" "linearity"
[ -n "$base" ] && printf ' %14s %12s %8s' "baseline cpu" "baseline wall" "ratio"
echo
for n in $sizes; do
        python3 "$here/gen-tree.py" "$work/t$n" "$n"
        find "$work/t$n" -type f -exec cat {} + >/dev/null   # warm the page cache
        read -r cpu wall <<<"$(best "$build/src/cli/bondgen" "$work/t$n")"
        # CPU per bond relative to the first (smallest) size: 1.0 is linear.
        [ -n "${first_n:-}" ] || { first_n=$n first_cpu=$cpu; }
        lin=$(echo "scale=2; ($cpu * $first_n) / ($n * ($first_cpu + 0.001))" | bc)
        printf '%8d %12s %10s %10s' "$n" "$cpu" "$wall" "$lin"
        if [ -n "$base" ]; then
                read -r bcpu bwall <<<"$(best "$base/src/cli/bondgen" "$work/t$n")"
                printf ' %14s %12s %8s' "$bcpu" "$bwall" "$(echo "scale=1; $bcpu / ($cpu + 0.001)" | bc)"
        fi
        echo
        rm -rf "$work/t$n"
done
