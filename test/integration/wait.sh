# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# wait_until SECONDS CMD [ARG...]: run CMD every 0.05 s until it succeeds
# (return 0) or SECONDS (may have a fraction: 2.5) have passed (return
# CMD's status from one last try). For tests that wait for a condition (a
# link state, a status line, a pid file): they go on as soon as it holds and
# fail with their own message when it never does, instead of sleeping a
# fixed time that is too long on a quiet machine and too short on a loaded
# one. Keep a plain `sleep` only where the test itself measures time (a
# stream running across a failover, a timer that must NOT fire). CMD may be
# a shell function of the caller. Needs bash 5 (EPOCHREALTIME).
wait_until() {
        local secs=$1 whole frac deadline
        shift
        whole=${secs%%.*}
        frac=${secs#"$whole"}; frac=${frac#.}000000; frac=${frac:0:6}
        deadline=$((${EPOCHREALTIME/./} + ${whole:-0} * 1000000 + 10#$frac))
        until "$@"; do
                if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
                        "$@"
                        return
                fi
                sleep 0.05
        done
}
