#!/bin/bash
# Convert benchmark: generate 10,000 synthetic host roots (2 bonds x 4
# ports each) and time converting them all on one core.
# Each flavour of tree (Red Hat, Debian, SUSE) is timed in the same run.
# Usage: bench/convert/run.sh BUILD_DIR [N=10000] [WORKDIR]
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [N] [WORKDIR]}" && pwd)
n=${2:-10000}
here=$(cd "$(dirname "$0")" && pwd)
work=${3:-$(mktemp -d /tmp/bgconv-bench-XXXXXX)}
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/roots"
echo "generating $n roots in $work ..."
python3 "$here/gen-roots.py" "$work/roots" "$n"
for flavor in debian suse; do
        mkdir -p "$work/$flavor"
        python3 "$here/gen-roots.py" "$work/$flavor" "$n" "$flavor"
done
# Warm the page cache so the run measures conversion, not the disk.
find "$work" -type f -exec cat {} + >/dev/null
for flavor in roots debian suse; do
        echo "library (source detection, reader, YAML dump), one core, ${flavor/roots/rh} trees:"
        taskset -c 0 "$build/bench/convert/bench-convert" "$work/$flavor"
done
# The command line, process start-up included, on a sample of 200 hosts.
sample=("$work"/roots/host-00[01]??)
start=$(date +%s%N)
for r in "${sample[@]}"; do
        taskset -c 0 "$build/src/cli/bondgen" convert --root "$r" >/dev/null 2>&1
done
end=$(date +%s%N)
echo "bondgen convert (new process per host, ${#sample[@]} hosts): $(( (end - start) / ${#sample[@]} / 1000 )) us per host"
