#!/bin/bash
# The handover: a second bondgend for a bond that one already serves takes
# it over from the first, as the real root's bondgend@BOND.service does
# from the bondgend the initramfs started (bondgen apply there runs it
# directly, with BONDGEN_INITRD=1 from bondgen-initrd-up). Active-backup,
# miimon 100, a 1000/s ping stream from the partner across each handover:
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          BOND.5: a VLAN on the bond (the kernel's on the TAP, or
#          bondgend's own TAP where the kernel has no 802.1Q)
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Printed: the pings lost and the longest gap of each handover (the goal
# is none), and how long the new bondgend waited for the old one to exit.
# Cases:
#  initramfs      the first bondgend, started with BONDGEN_INITRD=1, marks
#                 itself as a root-storage daemon: argv[0] starts with '@',
#                 its comm name stays "bondgend"
#  handover x3    under the stream a new bondgend starts for the bond: the
#                 old one logs the handover and exits 0, the new one logs
#                 "took the bond over", owns the control socket and answers
#                 status with h0 active and h1 up; the bond device, the
#                 VLAN device (same ifindexes), the other tool's address
#                 10.203.22.9/24 and the carrier stay; no port is restored
#                 (h0, h1 stay NOARP, IPv6 off, h1 keeps the bond's MAC);
#                 the AF_PACKET sockets are still those of the first start;
#                 at most 50 pings lost (the count is printed)
#  stop           a stop by signal after three handovers gives the ports
#                 back as the first bondgend found them (h0, h1 not NOARP,
#                 IPv6 on, h1 its own MAC) and deletes the devices
#  refused        the lock held by a process whose socket answers "error:
#                 unknown command" (a bondgend from before the handover):
#                 exit 3 naming the answer; the state file is neither
#                 read nor removed (h0 keeps its MTU), no device is made
. "$(dirname "$0")/lib.sh"
require ip ping python3 ss flock timeout
PEER=10.203.21.1 ADDR=10.203.21.2 B=bgfho$$
B=${B:0:13}
topo_bridge 2
RUN=$BONDGEN_RUNDIR
write_config $TMP/h.yaml $B active-backup "h0 h1" "miimon: 100"
# a VLAN on the bond: the kernel's where it has 802.1Q (made below, as
# another tool would), else bondgend's own device from the model
if ip -n $H link add bgfhv type veth peer name bgfhw 2>/dev/null &&
        ip -n $H link add link bgfhv name bgfhv.7 type vlan id 7 2>/dev/null; then
        KVLAN=1
else
        KVLAN=0
        cat >> $TMP/h.yaml <<EOF
vlans:
  - name: $B.5
    id: 5
    link: $B
EOF
fi
ip -n $H link del bgfhv 2>/dev/null
orig_mac1=$(ip -n $H -br link show h1 | awk '{print $3}')

sysctl_h() { ip netns exec $H cat /proc/sys/net/ipv6/conf/$1/disable_ipv6; }
ifindex() { ip netns exec $H cat /sys/class/net/$1/ifindex; }
# the socket inodes of the AF_PACKET sockets in H
packet_inodes() { ip netns exec $H awk 'NR > 1 { print $9 }' /proc/net/packet | sort -n | tr '\n' ' '; }
# the pid listening on BOND's control socket
listener() { ip netns exec $H ss -xlpn | grep -F "/$B.sock " | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
# start_instance: one more bondgend for the bond (PID, log $TMP/b$N.log)
N=0
start_instance() {
        N=$((N + 1))
        ip netns exec $H env "$@" "$BONDGEND" -c $TMP/h.yaml $B >> $TMP/b$N.log 2>&1 &
        PID=$!
        PIDS+=($PID)
}

start_instance BONDGEN_INITRD=1
FIRST=$PID
answers() { "$BONDGEN" status $B > /dev/null 2>&1; }
wait_until 5 answers || fail "the first bondgend does not answer: $(tail -5 $TMP/b1.log)"
wait_until 3 active_is $B h0 || fail "h0 not active: $(active_of $B)"
wait_until 3 mii_is $B h1 up || fail "h1 not up"
[ "$(head -c 1 /proc/$FIRST/cmdline)" = @ ] || fail "argv[0] of the initramfs bondgend: $(tr '\0' ' ' < /proc/$FIRST/cmdline)"
[ "$(cat /proc/$FIRST/comm)" = bondgend ] || fail "comm changed: $(cat /proc/$FIRST/comm)"
ok "started as in the initramfs: argv[0] '$(tr '\0' ' ' < /proc/$FIRST/cmdline | cut -c1-20)...', comm bondgend"

if [ $KVLAN = 1 ]; then
        VLAN=$B.7
        ip -n $H link add link $B name $VLAN type vlan id 7 || fail "VLAN device on the bond"
        ip -n $H link set $VLAN up
else
        VLAN=$B.5
        wait_until 3 ip -n $H link show $VLAN > /dev/null 2>&1 || fail "bondgend's VLAN device $VLAN missing"
fi
ip -n $H addr add 10.203.22.9/24 dev $B   # another tool's address on the bond
reaches $S $ADDR || fail "no traffic before the handover"
bond_if=$(ifindex $B) vlan_if=$(ifindex $VLAN) sockets=$(packet_inodes)
[ -n "$sockets" ] || fail "no AF_PACKET socket in H"

results=""
OLD=$FIRST
for round in 1 2 3; do
        ping_bg $S $ADDR 3000 0.001 $TMP/p$round.log
        wait_until 3 grep -q "bytes from" $TMP/p$round.log || fail "round $round: the ping stream did not start"
        sleep 0.5   # the stream runs on both sides of the handover
        start_instance
        NEW=$PID
        wait $OLD
        rc=$?
        [ $rc = 0 ] || fail "round $round: the old bondgend exited with $rc: $(tail -5 $TMP/b$((N - 1)).log)"
        grep -q "handed the bond .* over to pid $NEW; exiting" $TMP/b$((N - 1)).log ||
                fail "round $round: the old bondgend did not log the handover: $(tail -5 $TMP/b$((N - 1)).log)"
        grep -q "took the bond over" $TMP/b$N.log || fail "round $round: the new bondgend did not take over: $(tail -5 $TMP/b$N.log)"
        kill -0 $NEW 2>/dev/null || fail "round $round: the new bondgend exited: $(tail -5 $TMP/b$N.log)"
        wait_until 5 answers || fail "round $round: no answer on the control socket"
        [ "$(listener)" = $NEW ] || fail "round $round: the control socket is served by pid '$(listener)', not $NEW"
        wait $PING_PID
        active_is $B h0 || fail "round $round: h0 not active: $(active_of $B)"
        mii_is $B h1 up || fail "round $round: h1 not up"
        grep -q "restored port" $TMP/b$N.log && fail "round $round: ports were restored: $(grep restored $TMP/b$N.log)"
        [ "$(ifindex $B)" = "$bond_if" ] || fail "round $round: the bond device was made again"
        [ "$(ifindex $VLAN)" = "$vlan_if" ] || fail "round $round: the VLAN device was made again"
        ip -n $H addr show dev $B | grep -q 10.203.22.9/24 || fail "round $round: the other tool's address was lost"
        ip -n $H link show $B | grep -q LOWER_UP || fail "round $round: the bond has no carrier"
        for p in h0 h1; do
                ip -n $H link show $p | grep -q NOARP || fail "round $round: $p not NOARP: restored to the host"
                [ "$(sysctl_h $p)" = 1 ] || fail "round $round: $p has IPv6 on again"
        done
        [ "$(ip -n $H -br link show h1 | awk '{print $3}')" != "$orig_mac1" ] ||
                fail "round $round: h1 has its own MAC again: restored"
        [ "$(packet_inodes)" = "$sockets" ] ||
                fail "round $round: AF_PACKET sockets $(packet_inodes), the first start's were $sockets"
        read -r gap lost < <(gap_of $TMP/p$round.log 3000)
        held=$(sed -n 's/.*let go of the lock after \([0-9]*\) ms.*/\1/p' $TMP/b$N.log)
        results="$results $lost/${gap}ms/${held}ms"
        [ "$lost" -le 50 ] || fail "round $round: $lost of 3000 pings lost (longest gap $gap ms)"
        OLD=$NEW
done
ok "3 handovers under a 1000/s ping stream: lost/longest gap/old one gone after$results; device, VLAN, address, carrier" \
   "and port sockets kept, no port restored, the new bondgend serves"

BPID=$OLD
stop_bondgend
ip -n $H link show $B > /dev/null 2>&1 && fail "the stop left the bond device"
ip -n $H link show $VLAN > /dev/null 2>&1 && fail "the stop left the VLAN device"
for p in h0 h1; do
        ip -n $H link show $p | grep -q NOARP && fail "the stop left $p NOARP"
        [ "$(sysctl_h $p)" = 0 ] || fail "the stop left $p with IPv6 off"
done
[ "$(ip -n $H -br link show h1 | awk '{print $3}')" = "$orig_mac1" ] || fail "the stop did not give h1 its MAC back"
[ -e $RUN/$B.state ] && fail "the stop left the state file"
ok "a stop after the handovers gives the ports back as the first bondgend found them and deletes the devices"

# ---- refused: the lock's holder does not hand over (a bondgend from
# before the handover answers "error: unknown command") ----
python3 -c "
import fcntl, socket
lock = open('$RUN/$B.lock', 'a'); fcntl.flock(lock, fcntl.LOCK_EX)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind('$RUN/$B.sock'); s.listen(4)
print('listening', flush=True)
while True:
    c, _ = s.accept(); c.recv(100); c.sendall(b'error: unknown command\n'); c.close()
" > $TMP/old.log 2>&1 & PIDS+=($!)
listening() { grep -q listening $TMP/old.log; }
wait_until 10 listening || fail "the stand-in for an old bondgend did not start"
locked() { ! flock -n $RUN/$B.lock true; }
wait_until 5 locked || fail "the lock is not held"
echo "h0 02:00:00:00:00:99 1400 1 1 1 1" > $RUN/$B.state
mtu0=$(ip netns exec $H cat /sys/class/net/h0/mtu)
timeout 20 ip netns exec $H "$BONDGEND" -c $TMP/h.yaml $B > $TMP/refused.log 2>&1
rc=$?
[ $rc = 3 ] || fail "refused handover: exit $rc: $(cat $TMP/refused.log)"
grep -q "refused the handover: error: unknown command" $TMP/refused.log || fail "message: $(cat $TMP/refused.log)"
grep -q "did not hand it over" $TMP/refused.log || fail "message: $(cat $TMP/refused.log)"
[ "$(ip netns exec $H cat /sys/class/net/h0/mtu)" = "$mtu0" ] || fail "the refused bondgend restored the state file's h0"
[ -s $RUN/$B.state ] || fail "the refused bondgend removed the state file"
ip -n $H link show $B > /dev/null 2>&1 && fail "the refused bondgend made the bond device"
ok "a lock holder that does not hand over: exit 3 with its answer, no port, state file or device touched"
exit 0
