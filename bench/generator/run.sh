#!/bin/bash
# bondgen-generator on large trees (target: under 5 ms per boot).
# Builds synthetic roots in a temporary directory, runs the generator N times
# on each into a fresh output directory, and reports the mean wall time per
# run, next to /bin/true run the same way (the cost of fork+exec alone).
# Usage: bench/generator/run.sh [BUILDDIR] [BONDS] [RUNS]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
bonds=${2:-500}
runs=${3:-50}
gen=$build/src/boot/bondgen-generator
[ -x "$gen" ] || { echo "build first: $gen missing" >&2; exit 1; }

tmp=$(mktemp -d /tmp/bg-bench-gen-XXXXXX)
# Output on tmpfs, as /run/systemd/generator is at boot.
outbase=$(mktemp -d /dev/shm/bg-bench-gen-XXXXXX)
trap 'rm -rf "$tmp" "$outbase"' EXIT

# Legacy: BONDS bonds of 4 ports each (ifcfg files), one modprobe.d file
# per bond, plus as many unrelated DHCP NICs.
mkdir -p "$tmp/legacy/etc/sysconfig/network-scripts" "$tmp/legacy/etc/modprobe.d"
ns=$tmp/legacy/etc/sysconfig/network-scripts
for ((b = 0; b < bonds; b++)); do
        printf 'DEVICE=bond%d\nTYPE=Bond\nBONDING_MASTER=yes\nBONDING_OPTS="mode=802.3ad miimon=100 lacp_rate=fast xmit_hash_policy=layer3+4"\nIPADDR=10.%d.%d.1\nPREFIX=24\nONBOOT=yes\nBOOTPROTO=none\nUSERCTL=no\nNM_CONTROLLED=no\n' \
                $b $((b / 250)) $((b % 250)) >"$ns/ifcfg-bond$b"
        for ((p = 0; p < 4; p++)); do
                printf 'DEVICE=eth%d\nHWADDR=52:54:00:%02x:%02x:%02x\nMASTER=bond%d\nSLAVE=yes\nONBOOT=yes\nBOOTPROTO=none\nUSERCTL=no\n' \
                        $((b * 4 + p)) $((b / 256)) $((b % 256)) $p $b >"$ns/ifcfg-eth$((b * 4 + p))"
        done
        printf 'DEVICE=dhcp%d\nBOOTPROTO=dhcp\nONBOOT=yes\n' $b >"$ns/ifcfg-dhcp$b"
        printf 'alias bond%d bonding\noptions bond%d miimon=100 mode=4\n' $b $b >"$tmp/legacy/etc/modprobe.d/bond$b.conf"
done

# YAML: the same bonds in 10 files.
mkdir -p "$tmp/yaml/etc/bondgen"
for ((f = 0; f < 10; f++)); do
        {
                echo "version: 1"
                echo "bonds:"
                for ((b = f; b < bonds; b += 10)); do
                        printf '  - name: bond%d\n    backend: auto\n    mode: 802.3ad\n    options: {miimon: 100, lacp_rate: fast, xmit_hash_policy: layer3+4}\n    ports:\n' $b
                        for ((p = 0; p < 4; p++)); do
                                printf '      - name: eth%d\n        mac: "52:54:00:%02x:%02x:%02x"\n' $((b * 4 + p)) $((b / 256)) $((b % 256)) $p
                        done
                        printf '    ipv4: {method: static, addresses: [10.%d.%d.1/24]}\n' $((b / 250)) $((b % 250))
                done
        } >"$tmp/yaml/etc/bondgen/$f.yaml"
done

# A typical host: the CentOS example (1 bond, 2 ports).
mkdir -p "$tmp/small/etc/sysconfig/network-scripts"
cp "$top"/test/unit/boot/fixtures/legacy/etc/sysconfig/network-scripts/ifcfg-{bond0,eth0,eth1} \
        "$tmp/small/etc/sysconfig/network-scripts/"
mkdir -p "$tmp/none/etc"

mean_ms() {   # mean_ms ROOT CMD...: only the runs are timed, not the set-up
        local root=$1 t0 t1
        shift
        rm -rf "$outbase/out"
        mkdir -p "$outbase/out"
        for ((i = 0; i < runs; i++)); do
                mkdir "$outbase/out/$i"
        done
        export BONDGEN_ROOT=$root BONDGEN_CMDLINE="" BONDGEN_KERNEL_RELEASE=bench
        t0=$(date +%s%N)
        for ((i = 0; i < runs; i++)); do
                "$@" "$outbase/out/$i" 2>/dev/null
        done
        t1=$(date +%s%N)
        echo "scale=3; ($t1 - $t0) / $runs / 1000000" | bc
}

base=$(mean_ms "$tmp/none" /bin/true)
echo "runs per case: $runs; fork+exec baseline (/bin/true): ${base} ms"
printf '%-40s %10s %12s\n' "case" "ms/run" "minus base"
for c in none small legacy yaml; do
        case $c in
        none) what="no bonds" ;;
        small) what="CentOS example (1 bond)" ;;
        legacy) what="legacy: $bonds bonds, $((bonds * 6)) ifcfg + $bonds modprobe.d" ;;
        yaml) what="yaml: $bonds bonds in 10 files" ;;
        esac
        ms=$(mean_ms "$tmp/$c" "$gen")
        printf '%-40s %10s %12s\n' "$what" "$ms" "$(echo "scale=3; $ms - $base" | bc)"
done
echo "last run (yaml tree) wrote $(find "$outbase/out/0" -type l | wc -l) links and $(find "$outbase/out/0" -name '*.conf' | wc -l) drop-ins"
