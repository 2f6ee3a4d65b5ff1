#!/bin/bash
# Fault: 1,000 control-socket clients at once (topo_bridge 2, active-backup):
#   ns H:  bondgend BOND = {h0, h1}       ns S: Linux bridge br0, PEER/24
#          h0 ───────────── veth ───────────── t0 ─┐
#          h1 ───────────── veth ───────────── t1 ─┴─ br0
# Cases:
#  clients   1,000 connections in flight at once ask "status": every one gets
#            an answer starting "ok"; the time taken is printed; bondgend
#            forwards throughout (a ping stream runs; its loss is printed);
#            after them bondgend is alive and a ping passes
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
# One thread opens the 1,000 connections back to back, each sending its
# request as soon as it is connected (threads would leave some connected
# but silent past bondgend's 2 s request timeout when the interpreter is
# slow to schedule them), then reads every answer as it comes.
import selectors, socket, sys, time
path, n = sys.argv[1], 1000
sel = selectors.DefaultSelector()
data, bad = {}, []
t0 = time.monotonic()
for i in range(n):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(path)
        s.sendall(b"status\n")
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
        data[i] = b""
    except Exception as e:
        bad.append(repr(e))
ok, left = 0, len(data)
deadline = time.monotonic() + 30
while left and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=1):
        s, i = key.fileobj, key.data
        try:
            chunk = s.recv(65536)
        except BlockingIOError:
            continue
        except Exception as e:
            chunk, bad = b"", bad + [repr(e)]
            data[i] = b"!"
        if chunk:
            data[i] += chunk
            continue
        sel.unregister(s)
        s.close()
        left -= 1
        if data[i].startswith(b"ok"):
            ok += 1
        elif data[i] != b"!":
            bad.append(data[i][:60])
print("%d %.2f %s" % (ok, time.monotonic() - t0, bad[:2]))
PY
)
read -r served secs rest <<< "$out"
kill -0 $BPID 2>/dev/null || fail "bondgend died: $(tail -5 $TMP/bondgend-$B.log)"
[ "$served" = 1000 ] || fail "$served of 1000 clients served: $rest"
reaches $H $PEER || fail "no ping after the clients"
kill -INT $PING_PID 2>/dev/null; wait $PING_PID 2>/dev/null
stats=$(grep -o '[0-9]* packets transmitted, [0-9]* received' $TMP/ping.log)
ok "1000 concurrent control clients served in $secs s; ping meanwhile: $stats"
