#!/usr/bin/env python3
"""bond-state.py [-n NETNS] BOND [PORT...]: the state of a bond that
`bondgen apply --try` and its rollback must bring back, as canonical JSON,
so two dumps compare byte for byte.

Everything but traffic counters:
- "control": what the bond runs with. For a bondgend bond its control
  socket's `state` answer (every option in kernel syntax, the ports in
  enslave order, the ports it waits for, the active port); for a kernel
  bond every IFLA_BOND_* attribute iproute2 reports and the kernel's port
  order (/sys/class/net/BOND/bonding/slaves).
- "status": `bondgen status --json BOND` (mode, active port, per-port
  state and permanent MAC, LACP actor/partner, keys, state bits,
  aggregator ids) without counters: packets, bytes, drops, errors, link
  failure and churn counts, LACPDU and marker counters.
- "links": the bond, its ports and the PORT arguments as iproute2 sees
  them: flags (up, lower up), operstate, MTU, MAC, master, promiscuity,
  link kind and the kernel's per-port bonding data (no ifindex: a
  restarted bondgend makes its device anew).
- "addresses" and "routes" of the bond (lifetimes and DAD flags left out:
  they run down and settle by themselves).

Environment: BONDGEN (the bondgen binary, default `bondgen`),
BONDGEN_RUNDIR (where bondgend's sockets are).
"""
import json
import os
import re
import socket
import subprocess
import sys

COUNTER = re.compile(r"(^|_)(rx|tx)(_|$)|_count$|lacpdu|marker|slow_protocol|_errors?$|_dropped$")
LINK_KEYS = ("ifname", "flags", "mtu", "operstate", "address", "master", "promiscuity", "allmulti")


def run(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def strip_counters(v):
    if isinstance(v, dict):
        return {k: strip_counters(x) for k, x in v.items() if not COUNTER.search(k)}
    if isinstance(v, list):
        return [strip_counters(x) for x in v]
    return v


def ip(netns, *args):
    return json.loads(run(["ip"] + (["-n", netns] if netns else []) + ["-j"] + list(args)) or "[]")


def link(netns, name):
    try:
        got = ip(netns, "-d", "link", "show", "dev", name)
    except subprocess.CalledProcessError:
        return {"ifname": name, "missing": True}
    d = got[0]
    out = {k: d[k] for k in LINK_KEYS if k in d}
    info = d.get("linkinfo", {})
    for k in ("info_kind", "info_slave_kind", "info_slave_data"):
        if k in info:
            out[k] = strip_counters(info[k])
    if info.get("info_kind") == "tun":
        out["info_data"] = info.get("info_data")
    return out


def fwd_state(bond):
    path = os.path.join(os.environ.get("BONDGEN_RUNDIR", "/run/bondgen"), bond + ".sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    s.sendall(b"state\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        x = s.recv(65536)
        if not x:
            break
        data += x
    s.close()
    return data.decode().splitlines()


def main():
    args = sys.argv[1:]
    netns = None
    if args[:1] == ["-n"]:
        netns, args = args[1], args[2:]
    if not args:
        sys.exit("usage: bond-state.py [-n NETNS] BOND [PORT...]")
    bond, extra = args[0], args[1:]
    state = {}

    ctl = fwd_state(bond)
    if ctl is not None:
        state["control"] = ctl
    else:
        d = ip(netns, "-d", "link", "show", "dev", bond)[0]
        state["control"] = strip_counters(d.get("linkinfo", {}).get("info_data", {}))
        with open("/sys/class/net/%s/bonding/slaves" % bond) as f:
            state["control"]["port_order"] = f.read().split()

    st = json.loads(run([os.environ.get("BONDGEN", "bondgen"), "status", "--json", bond]))
    state["status"] = strip_counters(st)

    names = [bond] + [p["slave_interface"] for p in st.get("slaves", [])]
    names += [p for p in st.get("pending_slaves", []) + extra if p not in names]
    state["links"] = [link(netns, n) for n in names]

    addrs = []
    for a in ip(netns, "addr", "show", "dev", bond)[0].get("addr_info", []):
        addrs.append({k: a[k] for k in ("family", "local", "prefixlen", "scope", "noprefixroute") if k in a})
    state["addresses"] = addrs
    routes = []
    for fam in ("-4", "-6"):
        for r in ip(netns, fam, "route", "show", "dev", bond):
            routes.append({k: r[k] for k in ("dst", "gateway", "protocol", "scope", "prefsrc", "metric")
                           if k in r})
    state["routes"] = routes
    print(json.dumps(state, indent=1))


if __name__ == "__main__":
    main()
