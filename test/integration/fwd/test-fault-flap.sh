#!/bin/bash
# Fault: a flap storm on the active port (topo_bridge 2), active-backup
# with primary h0, miimon 10:
#   ns H:  bondgend BOND = {h0 (primary), h1}   ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  storm     200 down/up of t0 (h0's partner) at random 5-50 ms intervals
#            under a ping stream: bondgend stays up, its RSS flat (within
#            1 MiB), h0 (the primary, up at the end) active again, the
#            stream flows afterwards; the loss during the storm is printed
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.11.1 ADDR=10.203.11.2 B=bgffl$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/f.yaml $B active-backup "h0 h1" "miimon: 10" "primary: h0"
start_bondgend $TMP/f.yaml $B
wait_until 3 active_is $B h0 || fail "h0 not active: $(active_of $B)"
reaches $H $PEER || fail "no ping before the storm"
rss() { awk '/^VmRSS:/{print $2}' /proc/$BPID/status; }
rss0=$(rss)
ping_bg $H $PEER 100000 0.01 $TMP/ping.log
start=$EPOCHREALTIME
ip netns exec $S python3 - <<'PY'
# SIOCGIFFLAGS/SIOCSIFFLAGS from one process: the intervals are the sleeps,
# not the cost of starting ip(8) 400 times
import fcntl, random, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def flags(up):
    req = struct.pack("16sH14x", b"t0", 0)
    cur = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, req))[1]
    new = cur | 1 if up else cur & ~1
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"t0", new))
for i in range(200):
    flags(False)
    time.sleep(random.uniform(0.005, 0.05))
    flags(True)
    time.sleep(random.uniform(0.005, 0.05))
PY
secs=$(python3 -c "print('%.1f' % ($EPOCHREALTIME - $start))")
kill -0 $BPID 2>/dev/null || fail "bondgend died in the storm: $(tail -5 $TMP/bondgend-$B.log)"
wait_until 5 active_is $B h0 || fail "after the storm the active port is $(active_of $B), not the primary h0"
mii_is $B h0 up || fail "h0 not up after the storm"
reaches $H $PEER || fail "no ping after the storm"
kill -INT $PING_PID 2>/dev/null; wait $PING_PID 2>/dev/null
rss1=$(rss)
[ $((rss1 - rss0)) -le 1024 ] || fail "RSS grew from $rss0 to $rss1 KiB"
stats=$(grep -o '[0-9]* packets transmitted, [0-9]* received' $TMP/ping.log)
ok "200 flaps of h0's partner in $secs s: bondgend alive, RSS $rss0 -> $rss1 KiB, h0 active again; ping: $stats"
