#!/bin/bash
# Benchmark of bg_model_validate() on large models (same run,
# ratios). Builds bench-validate in its own build directory and prints,
# for a generated model of 6113 bonds (just under the 1 MiB limit of the
# YAML loader) and for a half and a quarter of it, the median load time,
# the median validation time and their ratio. Linear validation keeps the
# ratio flat across the three sizes; a quadratic one doubles it per row.
#   bench/validate/run.sh [bench-validate args: -n BONDS -r ROUNDS FILE]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BG_BENCH_BUILD:-$top/build-bench}
if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" "$top" -Dtests=false >/dev/null
fi
ninja -C "$build" bench/validate/bench-validate >/dev/null
exec "$build/bench/validate/bench-validate" "$@"
