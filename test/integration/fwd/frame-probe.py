#!/usr/bin/python3
# frame-probe.py listen IFACE ETHERTYPE OUT: a protocol socket (AF_PACKET
# bound to IFACE and ETHERTYPE, so it sees what the device's stack is
# given, after the ingress hook, unlike an ETH_P_ALL tap); writes one line
# "DST TAG" per frame to OUT, after a line "ready" once bound.
# frame-probe.py send IFACE DST ETHERTYPE TAG [HEX]: one frame out of IFACE
# to DST with ETHERTYPE, its payload the bytes HEX (a slow protocol's
# subtype...) then the ASCII TAG (padded to 60 bytes).
import re, socket, sys

mode, ifc = sys.argv[1], sys.argv[2]
if mode == "listen":
    proto, out = int(sys.argv[3], 0), sys.argv[4]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    s.bind((ifc, proto))
    with open(out, "a", buffering=1) as f:
        f.write("ready\n")
        while True:
            try:
                data, addr = s.recvfrom(2048)
            except OSError:   # the device went down or away: the test is over
                break
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            tag = (re.findall(rb"[A-Za-z0-9-]{3,}", data[14:]) or [b"-"])[0].decode()
            f.write("%s %s\n" % (data[:6].hex(":"), tag))
else:
    dst, proto, tag = sys.argv[3], int(sys.argv[4], 0), sys.argv[5]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    src = s.getsockname()[4]
    head = bytes.fromhex(sys.argv[6]) if len(sys.argv) > 6 else b""
    frame = bytes.fromhex(dst.replace(":", "")) + src + proto.to_bytes(2, "big") + head + tag.encode()
    s.send(frame + b"\0" * max(0, 60 - len(frame)))
