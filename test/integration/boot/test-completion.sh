#!/bin/bash
# The bash completion (units/bash-completion/bondgen) offers bondgen's
# commands, each command's options and values, and only options that the
# command really has. No network, no privileges.
# Cases:
#  commands     a prefix completes to the commands it starts (conv:
#               convert; con: confirm, convert; di: diff)
#  options      --backend of apply, --explain and --from of convert, --json
#               of status; the --convert alias and its --model
#  values       --format of metrics (openmetrics) and of convert (netplan,
#               networkd), --backend (kernel), --from (debian)
#  help agrees  every option offered for convert, apply, diff and metrics
#               is listed by "bondgen CMD --help"
# Usage: test-completion.sh SRCDIR BONDGEN
set -euo pipefail
src=$1 bondgen=$2
. "$src/units/bash-completion/bondgen"
complete_line() {   # complete_line WORDS... ; the last word is being completed
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMPREPLY=()
        _bondgen
        printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
expect() {   # expect "WANT" WORDS...
        local want=$1 got
        shift
        got=$(complete_line "$@")
        [ "$got" = "$want" ] || { echo "FAIL: '$*': got '$got', want '$want'" >&2; exit 1; }
        echo "ok: '$*' -> $got"
}
expect "convert " bondgen conv
expect "confirm convert " bondgen con
expect "diff " bondgen di
expect "openmetrics " bondgen metrics --format op
expect "--backend " bondgen apply --back
expect "kernel " bondgen apply --backend k
expect "netplan networkd " bondgen convert --format ne
expect "--explain " bondgen convert --exp
expect "debian " bondgen convert --from d
expect "--from " bondgen convert --fr
expect "--convert " bondgen --conv
expect "--model " bondgen --convert --mo
expect "debian " bondgen convert --from de
expect "--json " bondgen status --j
# Every option offered exists in the command's own --help.
for cmd in convert apply diff metrics; do
        for opt in $(complete_line bondgen $cmd -); do
                case "$opt" in --help | -o | -c) continue ;; esac
                help=$("$bondgen" $cmd --help 2>&1 || true)
                grep -q -- "$opt" <<<"$help" ||
                        { echo "FAIL: completion offers $cmd $opt, which --help does not list" >&2; exit 1; }
        done
done
echo "completion ok"
