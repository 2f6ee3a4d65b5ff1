# Sourced by the guest test scripts (busybox sh): one BGVM-RESULT line per
# check, which bgvm_results (vm-lib.sh) parses on the host.
n_fail=0
result() {  # result NAME 0|1 DETAIL
        if [ "$2" = 0 ]; then echo "BGVM-RESULT PASS $1"; else echo "BGVM-RESULT FAIL $1: $3"; n_fail=$((n_fail + 1)); fi
}
check_eq() {  # check_eq NAME GOT WANT
        if [ "$2" = "$3" ]; then result "$1" 0; else result "$1" 1 "got '$2', want '$3'"; fi
}
sysb() { cat "/sys/class/net/bond0/bonding/$1" 2>/dev/null; }
ping_ok() {  # a few tries: bridges learn, ARP resolves
        for i in 1 2 3 4 5; do
                ping -c 1 -W 2 "$1" >/dev/null 2>&1 && return 0
        done
        return 1
}
