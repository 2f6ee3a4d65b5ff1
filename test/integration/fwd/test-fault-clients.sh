#!/bin/bash
# Fault: 1,000 control-socket clients at once (topo_bridge 2, active-backup):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  clients   1,000 threads connect at once and ask "status": every one gets
#            an answer starting "ok"; the time taken is printed; bondgend
#            forwards throughout (a ping stream runs; its loss is printed)
. "$(dirname "$0")/lib.sh"
require ip ping python3
PEER=10.203.12.1 ADDR=10.203.12.2 B=bgfcl$$
B=${B:0:15}
topo_bridge 2
write_config $TMP/c.yaml $B active-backup "h0 h1" "miimon: 100"
start_bondgend $TMP/c.yaml $B
reaches $H $PEER || fail "no ping before the clients"
ping_bg $H $PEER 100000 0.01 $TMP/ping.log
out=$(python3 - "$BONDGEN_RUNDIR/$B.sock" <<'PY'
import socket, sys, threading, time
path, n = sys.argv[1], 1000
ok, bad = [0], []
lock = threading.Lock()
go = threading.Event()
def client():
    go.wait()
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(path)
        s.sendall(b"status\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        with lock:
            if data.startswith(b"ok"):
                ok[0] += 1
            else:
                bad.append(data[:60])
    except Exception as e:
        with lock:
            bad.append(repr(e))
threads = [threading.Thread(target=client) for _ in range(n)]
for t in threads:
    t.start()
t0 = time.monotonic()
go.set()
for t in threads:
    t.join()
print("%d %.2f %s" % (ok[0], time.monotonic() - t0, bad[:2]))
PY
)
read -r served secs rest <<< "$out"
kill -0 $BPID 2>/dev/null || fail "bondgend died: $(tail -5 $TMP/bondgend-$B.log)"
[ "$served" = 1000 ] || fail "$served of 1000 clients served: $rest"
reaches $H $PEER || fail "no ping after the clients"
kill -INT $PING_PID 2>/dev/null; wait $PING_PID 2>/dev/null
stats=$(grep -o '[0-9]* packets transmitted, [0-9]* received' $TMP/ping.log)
ok "1000 concurrent control clients served in $secs s; ping meanwhile: $stats"
