#!/bin/sh
# Runs inside the VM (busybox sh). Prints one BGVM-RESULT line per check;
# the host parses them. BGVM-REQUEST lines ask the host to act through the
# qemu monitor.
# Network: vm-apply.sh's header (eth0, eth1 on a host bridge holding
# 10.77.0.2 and 10.78.0.1). Cases (BGVM-PLAN 42; result names in brackets):
#  adopt        bond0 made by insmod is adopted, not duplicated
#               [adopt-precondition rr-adopted rr-no-duplicate]
#  rr apply     rr.yaml: auto picks the kernel; mode, miimon, updelay,
#               ports in sysfs and /proc/net/bonding; IPv4, IPv6, route;
#               pings to the peer and through the route
#               [rr-apply auto-chose-kernel rr-mode rr-miimon rr-updelay
#               rr-slaves rr-procfs-* rr-address rr-route rr-address6
#               rr-ping-peer rr-ping-via-route]
#  idempotent   a second apply prints only "nothing to do"
#               [rr-second-apply-nothing-to-do ab-second-apply-nothing-to-do]
#  dry run      ab.yaml --dry-run shows the mode change and changes nothing
#               [dry-run-plan-only]
#  reconcile    ab.yaml in place: mode, miimon, primary, ports, MTU 1400;
#               address and route kept, IPv6 restored, eth0 active, ping
#               [ab-apply ab-mode ab-miimon ab-primary ab-slaves ab-mtu
#               ab-address-and-route-kept ab-address6-restored
#               ab-active-primary ab-ping-peer]
#  failover     the host pulls n0 (BGVM-REQUEST set_link n0 off): eth0
#               loses carrier, eth1 active, ping, eth0 MII down in procfs
#               [failover-*]
#  refused      bad.yaml (port lo): exit 1, message names bondx and lo,
#               no bondx; the other bond (bond1, balance-xor, layer2+3)
#               is created [bad-*]
#  mac          eth1 released; mac.yaml creates bond2 with eth1: the bond
#               is born with eth1's MAC (addr_assign_type 3, "set"), and
#               apply says so [mac-create-said mac-born-with-first-port]
#  hotplug      bond2 loses eth1 and gets another MAC, as udev's
#               MACAddressPolicy=persistent gives a bond that came up
#               without ports; bondgen-hotplug eth1 (the model in
#               /etc/bondgen) gives bond2 eth1's MAC, then enslaves it
#               [hotplug-first-port-mac hotplug-enslaved]
PEER=10.77.0.2
FAR=10.78.0.1
M=/bgvm
. /bgvm/lib.sh

apply() {  # apply LOGNAME ARGS...
        log=/tmp/$1.out; shift
        bondgen apply "$@" >"$log" 2>&1
        rc=$?
        sed 's/^/  | /' "$log"
        return $rc
}
wait_for() {  # wait_for SECONDS COMMAND...
        t=$(( $1 * 5 )); shift
        while [ $t -gt 0 ]; do
                "$@" && return 0
                sleep 0.2; t=$((t - 1))
        done
        return 1
}

echo "BGVM-PLAN 42"
# insmod bonding made bond0 (max_bonds=1): apply must adopt it.
idx0=$(cat /sys/class/net/bond0/ifindex 2>/dev/null)
result adopt-precondition "$([ -n "$idx0" ] && echo 0 || echo 1)" "no bond0 from the module"

t0=$(cut -d' ' -f1 /proc/uptime)
apply rr1 -c $M/rr.yaml; result rr-apply $? "see output above"
grep -q '^bond0: backend auto: kernel' /tmp/rr1.out; result auto-chose-kernel $? "$(head -2 /tmp/rr1.out)"
t1=$(cut -d' ' -f1 /proc/uptime)
echo "BGVM-TIME first-apply $t0 $t1"
check_eq rr-adopted "$(cat /sys/class/net/bond0/ifindex)" "$idx0"
check_eq rr-no-duplicate "$(cat /sys/class/net/bonding_masters)" "bond0"
check_eq rr-mode "$(sysb mode)" "balance-rr 0"
check_eq rr-miimon "$(sysb miimon)" "100"
check_eq rr-updelay "$(sysb updelay)" "200"
check_eq rr-slaves "$(sysb slaves)" "eth0 eth1"
grep -q '^Bonding Mode: load balancing (round-robin)' /proc/net/bonding/bond0; result rr-procfs-mode $? "$(head -3 /proc/net/bonding/bond0)"
check_eq rr-procfs-slaves "$(grep -c '^Slave Interface: eth[01]' /proc/net/bonding/bond0)" 2
ip -4 addr show dev bond0 | grep -q 'inet 10.77.0.1/24'; result rr-address $? "$(ip -4 addr show dev bond0)"
ip route show 10.78.0.0/24 | grep -q 'via 10.77.0.2 dev bond0'; result rr-route $? "$(ip route)"
ip -6 addr show dev bond0 | grep -q 'inet6 fd77::1/64'; result rr-address6 $? "$(ip -6 addr show dev bond0)"
wait_for 10 grep -q 'MII Status: up' /proc/net/bonding/bond0
ping_ok $PEER; result rr-ping-peer $? "no answer from $PEER"
ping_ok $FAR; result rr-ping-via-route $? "no answer from $FAR"

apply rr2 -c $M/rr.yaml; rc=$?
grep -q '^bond0: nothing to do$' /tmp/rr2.out && [ $rc = 0 ] && [ "$(grep -vc -e 'backend' -e 'nothing to do' /tmp/rr2.out)" = 0 ]
result rr-second-apply-nothing-to-do $? "rc=$rc"

# A dry run of the changed model shows the plan and changes nothing.
apply dry -c $M/ab.yaml --dry-run; rc=$?
grep -q 'mode balance-rr -> active-backup' /tmp/dry.out && [ "$(sysb mode)" = "balance-rr 0" ] && [ $rc = 0 ]
result dry-run-plan-only $? "rc=$rc mode=$(sysb mode)"

apply ab1 -c $M/ab.yaml; result ab-apply $? "see output above"
check_eq ab-mode "$(sysb mode)" "active-backup 1"
check_eq ab-miimon "$(sysb miimon)" "200"
check_eq ab-primary "$(sysb primary)" "eth0"
check_eq ab-slaves "$(sysb slaves)" "eth0 eth1"
check_eq ab-mtu "$(cat /sys/class/net/bond0/mtu)" "1400"
ip -4 addr show dev bond0 | grep -q 'inet 10.77.0.1/24' && ip route show 10.78.0.0/24 | grep -q 'via 10.77.0.2 dev bond0'
result ab-address-and-route-kept $? "$(ip -4 addr show dev bond0; ip route)"
# going down for the mode change flushed the IPv6 address; apply put it back
ip -6 addr show dev bond0 | grep -q 'inet6 fd77::1/64'; result ab-address6-restored $? "$(ip -6 addr show dev bond0)"
wait_for 10 sh -c '[ "$(cat /sys/class/net/bond0/bonding/active_slave)" = eth0 ]'
check_eq ab-active-primary "$(sysb active_slave)" "eth0"
ping_ok $PEER; result ab-ping-peer $? "no answer from $PEER"

apply ab2 -c $M/ab.yaml; rc=$?
grep -q '^bond0: nothing to do$' /tmp/ab2.out && [ $rc = 0 ]; result ab-second-apply-nothing-to-do $? "rc=$rc"

# Failover: the host pulls eth0's cable (qemu monitor set_link).
echo "BGVM-REQUEST set_link n0 off"
wait_for 30 sh -c '[ "$(cat /sys/class/net/eth0/carrier)" = 0 ]'; result failover-carrier-lost $? "eth0 carrier still up"
wait_for 10 sh -c '[ "$(cat /sys/class/net/bond0/bonding/active_slave)" = eth1 ]'
check_eq failover-active-eth1 "$(sysb active_slave)" "eth1"
ping_ok $PEER; result failover-ping-peer $? "no answer from $PEER after failover"
grep -A1 '^Slave Interface: eth0' /proc/net/bonding/bond0 | grep -q 'MII Status: down'; result failover-procfs-eth0-down $? "$(cat /proc/net/bonding/bond0)"

# One bond the kernel would refuse (it will not enslave lo), one it
# accepts: the bad one is refused before anything is sent (exit status 1,
# a message naming bond and port, no bondx), the good bond is created.
apply bad -c $M/bad.yaml; rc=$?
check_eq bad-exit-status "$rc" 1
grep -q 'error: ports: bondx: port lo is a loopback device' /tmp/bad.out
result bad-error-names-bond-and-port $? "$(cat /tmp/bad.out)"
[ ! -e /sys/class/net/bondx ]; result bad-refused-before-any-change $? "bondx was created"
check_eq bad-other-bond-created "$(cat /sys/class/net/bond1/bonding/mode 2>/dev/null)" "balance-xor 2"
check_eq bad-other-bond-hash "$(cat /sys/class/net/bond1/bonding/xmit_hash_policy 2>/dev/null)" "layer2+3 2"

# The bond's MAC is its first port's, also where udev would give it one.
ip link set eth1 nomaster
cat >/tmp/mac.yaml <<'EOM'
version: 1
bonds:
  - name: bond2
    backend: kernel
    mode: active-backup
    options:
      miimon: 100
    ports:
      - name: eth1
EOM
apply mac -c /tmp/mac.yaml
grep -q '^bond2: create bond (.*), mac 52:54:00:77:00:11 (eth1.s)$' /tmp/mac.out; result mac-create-said $? "$(cat /tmp/mac.out)"
check_eq mac-born-with-first-port "$(cat /sys/class/net/bond2/address) $(cat /sys/class/net/bond2/addr_assign_type)" "52:54:00:77:00:11 3"
ip link set eth1 nomaster
ip link set bond2 address 8a:3e:29:00:00:02
mkdir -p /etc/bondgen
cp /tmp/mac.yaml /etc/bondgen/mac.yaml
bondgen-hotplug eth1 >/tmp/hp.out 2>&1
sed 's/^/  | /' /tmp/hp.out
check_eq hotplug-first-port-mac "$(cat /sys/class/net/bond2/address)" "52:54:00:77:00:11"
check_eq hotplug-enslaved "$(cat /sys/class/net/bond2/bonding/slaves)" "eth1"

echo "BGVM-FAILED $n_fail"
[ $n_fail = 0 ]
