#!/bin/bash
# The boot's model reader on many model files: bondgen-generator and the
# udev hotplug helper (bondgen-hotplug --dry-run) on one root holding FILES
# files in /etc/bondgen (one bond of 4 ports each, with options, a MAC per
# port and an address). Reports CPU seconds (user+sys) and wall seconds
# per invocation, best of RUNS timings of 5 invocations each (the clock
# /usr/bin/time reads ticks in 10 ms), for each program. With a second build directory (e.g. one
# built from an older commit) both run on the same root in the same
# invocation and the CPU ratio baseline/new is printed (> 1: new is
# faster). CPU time is the figure to compare on a shared machine.
# The time budgets are lifted (BONDGEN_GENERATOR_BUDGET_MS=0,
# BONDGEN_HOTPLUG_BUDGET_MS=0) so that every file is read.
# Usage: bench/generator/files.sh BUILD_DIR [BASELINE_BUILD_DIR] [FILES=1000] [RUNS=5]
set -euo pipefail
build=$(cd "${1:?usage: files.sh BUILD_DIR [BASELINE_BUILD_DIR] [FILES] [RUNS]}" && pwd)
base=${2:-}
[ -z "$base" ] || base=$(cd "$base" && pwd)
files=${3:-1000}
runs=${4:-5}
work=$(mktemp -d /tmp/bg-bench-genfiles-XXXXXX)
out=$(mktemp -d /dev/shm/bg-bench-genfiles-XXXXXX)   # tmpfs, as /run/systemd/generator
trap 'rm -rf "$work" "$out"' EXIT

root=$work/root
mkdir -p "$root/etc/bondgen" "$root/sys/class/net/eth1"
for ((f = 0; f < files; f++)); do
        {
                echo "version: 1"
                echo "bonds:"
                printf '  - name: bond%d\n    backend: auto\n    mode: 802.3ad\n' "$f"
                printf '    options: {miimon: 100, lacp_rate: fast, xmit_hash_policy: layer3+4}\n    ports:\n'
                for ((p = 0; p < 4; p++)); do
                        printf '      - name: eth%d\n        mac: "52:54:00:%02x:%02x:%02x"\n' \
                                $((f * 4 + p + 2)) $((f / 256)) $((f % 256)) "$p"
                done
                printf '    ipv4: {method: static, addresses: [10.%d.%d.1/24]}\n' $((f / 250)) $((f % 250))
        } >"$root/etc/bondgen/$(printf '%05d' "$f").yaml"
done
echo "52:54:00:ff:ff:ff" >"$root/sys/class/net/eth1/address"   # a NIC no bond names: every file is read
find "$root" -type f -exec cat {} + >/dev/null   # warm the page cache

run_gen() {   # run_gen BUILD
        rm -rf "$out/o"
        mkdir "$out/o"
        BONDGEN_ROOT=$root BONDGEN_CMDLINE="" BONDGEN_KERNEL_RELEASE=bench BONDGEN_GENERATOR_BUDGET_MS=0 \
                "$1/src/boot/bondgen-generator" "$out/o" "$out/o" "$out/o"
}
run_hp() {    # run_hp BUILD
        BONDGEN_ROOT=$root BONDGEN_HOTPLUG_BUDGET_MS=0 "$1/src/boot/bondgen-hotplug" --dry-run eth1 >/dev/null
}

best() {   # best FUNC BUILD: "cpu wall" seconds, lowest CPU of $runs runs
        local fn=$1 b=$2 best_cpu="" best_wall="" u s e cpu
        export -f run_gen run_hp
        export root out
        for ((i = 0; i < runs; i++)); do
                /usr/bin/time -o "$work/time" -f '%U %S %e' bash -c "for k in 1 2 3 4 5; do $fn $b; done" >/dev/null 2>"$work/err" ||
                        { echo "$fn failed: $(tail -3 "$work/err")" >&2; exit 1; }
                read -r u s e <"$work/time"
                cpu=$(echo "scale=3; ($u + $s) / 5" | bc)
                e=$(echo "scale=3; $e / 5" | bc)
                if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then
                        best_cpu=$cpu
                        best_wall=$e
                fi
        done
        echo "$best_cpu $best_wall"
}

echo "$files model files in /etc/bondgen, best of $runs runs"
printf '%-22s %8s %8s' program "cpu s" "wall s"
[ -n "$base" ] && printf ' %13s %13s %8s' "baseline cpu" "baseline wall" "ratio"
echo
for fn in run_gen run_hp; do
        read -r cpu wall <<<"$(best "$fn" "$build")"
        label=bondgen-generator
        [ "$fn" = run_gen ] || label="bondgen-hotplug"
        printf '%-22s %8s %8s' "$label" "$cpu" "$wall"
        if [ -n "$base" ]; then
                read -r bcpu bwall <<<"$(best "$fn" "$base")"
                printf ' %13s %13s %8s' "$bcpu" "$bwall" "$(echo "scale=2; $bcpu / ($cpu + 0.001)" | bc)"
        fi
        echo
done
[ -d "$out/o/sysinit.target.wants" ] || { echo "the generator wrote no links" >&2; exit 1; }
