#!/bin/bash
# Fault: hostile frames at the ports of an 802.3ad bond (topo_bridge 2; the
# bridge speaks no LACP, so the ports forward as "individual"):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  hostile   from S, on t0 and t1 (AF_PACKET): runts (14-59 bytes), frames
#            of 1514-9014 bytes, LACPDUs and markers with random bodies,
#            versions and lengths, other slow-protocol subtypes, frames
#            with the bond's own source MAC
#            (broadcast ARP, unicast to the bond), random garbage; then
#            bondgend is alive, answers status and still forwards
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.13.1 ADDR=10.203.13.2 B=bgfho$$
B=${B:0:15}
topo_bridge 2
ip -n $S link set t0 mtu 9000; ip -n $S link set t1 mtu 9000
write_config $TMP/h.yaml $B 802.3ad "h0 h1" "miimon: 100" "lacp_rate: fast"
start_bondgend $TMP/h.yaml $B
wait_until 10 reaches $H $PEER || fail "no ping before the frames"
mac=$(ip -n $H -j link show $B | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['address'])")
ping_bg $H $PEER 100000 0.02 $TMP/ping.log
sent=$(ip netns exec $S python3 - "$mac" <<'PY'
import os, random, socket, struct, sys
bond = bytes.fromhex(sys.argv[1].replace(":", ""))
slow = bytes.fromhex("0180c2000002")
bc = b"\xff" * 6
rnd = lambda n: os.urandom(n)
def frames():
    for _ in range(1000):
        yield rnd(random.randint(14, 59))                                    # runts
    for _ in range(200):
        yield rnd(6) + rnd(6) + b"\x08\x00" + rnd(random.choice([1500, 1504, 4000, 9000]))  # large
    for _ in range(2000):                                                    # bogus LACPDUs
        body = bytearray(rnd(random.choice([1, 20, 50, 110, 200])))
        if body and random.random() < 0.7:
            body[0] = random.choice([0, 1, 2, 255])                          # version
        yield slow + rnd(6) + b"\x88\x09\x01" + bytes(body)
    for _ in range(1000):                                                    # bogus markers
        yield slow + rnd(6) + b"\x88\x09\x02" + rnd(random.choice([1, 20, 100]))
    for _ in range(1000):                                                    # other slow protocols
        yield slow + rnd(6) + b"\x88\x09" + bytes([random.randint(3, 255)]) + rnd(50)
    for _ in range(1000):                                                    # our own source MAC
        yield bc + bond + b"\x08\x06" + rnd(28)
        yield bond + bond + b"\x08\x00" + rnd(60)
    for _ in range(2000):                                                    # garbage
        yield rnd(random.randint(14, 1514))
n = 0
socks = []
for dev in ("t0", "t1"):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    socks.append(s)
for f in frames():
    for s in socks:
        try:
            s.send(f)
            n += 1
        except OSError:
            pass
print(n)
PY
)
kill -0 $BPID 2>/dev/null || fail "bondgend died: $(tail -5 $TMP/bondgend-$B.log)"
st $B > /dev/null || fail "bondgend does not answer status"
wait_until 10 reaches $H $PEER || fail "no ping after the frames"
kill -INT $PING_PID 2>/dev/null; wait $PING_PID 2>/dev/null
stats=$(grep -o '[0-9]* packets transmitted, [0-9]* received' $TMP/ping.log)
ok "$sent hostile frames on the ports: bondgend alive, status answers, ping passes (meanwhile: $stats)"
