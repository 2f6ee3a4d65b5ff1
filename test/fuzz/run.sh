#!/bin/bash
# Build the libFuzzer targets with clang (ASan+UBSan) and run one of them.
#   test/fuzz/run.sh TARGET [SECONDS] [libFuzzer options...]
# TARGET: yaml ifcfg legacy debian suse options lacpdu lacp boot. Default 60 s, one job.
# Build dir: $BG_FUZZ_BUILD (default build-fuzz); corpus and crashes under
# it: corpus/TARGET (seeded by mkcorpus.py), artifacts/TARGET-crash-*.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BG_FUZZ_BUILD:-$top/build-fuzz}
target=${1:?usage: $0 TARGET [SECONDS] [libFuzzer options]}
secs=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$top" -Dfuzz=true \
                -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" "test/fuzz/fuzz-$target" >/dev/null
python3 "$top/test/fuzz/mkcorpus.py" "$build/corpus"
mkdir -p "$build/artifacts"
dict=()
case $target in
yaml) dict=(-dict="$top/test/fuzz/yaml.dict") ;;
ifcfg|legacy|suse) dict=(-dict="$top/test/fuzz/ifcfg.dict") ;;
debian) dict=(-dict="$top/test/fuzz/interfaces.dict") ;;
options) dict=(-dict="$top/test/fuzz/options.dict") ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
exec "$build/test/fuzz/fuzz-$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" "${dict[@]}" "$@" \
        "$build/corpus/$target"
