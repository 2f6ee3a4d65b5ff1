#!/usr/bin/python3
"""A stand-in for systemd's side of bondgend@.service, for the restart test:
the sd_notify socket (READY=1, FDSTORE=1 with FDNAME=) and the file
descriptor store, passed back on the next start as LISTEN_FDS,
LISTEN_FDNAMES and LISTEN_PID as sd_listen_fds(3) describes. Stored fds are
kept across `restart` and closed on `stop`, as the service manager does
for a unit that is restarted or stopped.

usage: fake-manager.py NETNS TMPDIR COMMAND... ; then reads lines from
stdin: "restart", "stop"; prints "ready SECONDS" after each start and
"exited STATUS" after each stop."""
import os
import signal
import socket
import subprocess
import sys
import time

ns, tmp, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
path = os.path.join(tmp, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
store = []   # (fd, name)


def start():
    fds = list(store)

    def child():
        for i, (fd, _) in enumerate(fds):
            os.dup2(fd, 3 + i)

    env = dict(os.environ, NOTIFY_SOCKET=path)
    if fds:
        env["LISTEN_FDS"] = str(len(fds))
        env["LISTEN_FDNAMES"] = ":".join(n for _, n in fds)
    # LISTEN_PID must be the daemon's own pid: set it in the shell that
    # then becomes the daemon (ip netns exec and exec keep the pid)
    argv = ["ip", "netns", "exec", ns, "sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh"] + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, preexec_fn=child, pass_fds=tuple(range(3, 3 + len(fds))))
    while True:
        msg, fds_in, _, _ = socket.recv_fds(sock, 4096, 8)
        fields = dict(l.split("=", 1) for l in msg.decode().splitlines() if "=" in l)
        if fields.get("FDSTORE") == "1":
            for fd in fds_in:
                store.append((fd, fields.get("FDNAME", "stored")))
        else:
            for fd in fds_in:
                os.close(fd)
        if fields.get("READY") == "1":
            break
    print("ready %.3f" % (time.monotonic() - t0), flush=True)
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    print("exited %d" % p.wait(), flush=True)


proc = start()
for line in sys.stdin:
    if line.strip() == "restart":
        stop(proc)
        proc = start()
    elif line.strip() == "stop":
        stop(proc)
        for fd, _ in store:
            os.close(fd)
        store.clear()
        print("stopped", flush=True)
        break
