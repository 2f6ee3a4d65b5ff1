#!/usr/bin/python3
# vlan-probe.py IFACE VLAN SRC_MAC SRC_IP TARGET_IP [DST_MAC]: send ARP
# requests for TARGET_IP on IFACE (broadcast, or unicast to DST_MAC), tagged with 802.1Q VLAN (0 = untagged), and print
# every ARP reply for SRC_IP that comes back as "MAC VLAN" (VLAN 0 =
# untagged), the tag read from the packet auxdata (where the kernel keeps
# it) or from the data. Exit 0 if at least one reply came, 1 if none.
import select, socket, struct, sys, time

SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
ifc, vlan, smac, sip, tip = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
mac = bytes.fromhex(smac.replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind((ifc, 0))
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, socket.inet_aton(sip), b"\0" * 6, socket.inet_aton(tip))
tag = struct.pack("!HH", 0x8100, vlan) if vlan else b""
dst = bytes.fromhex(sys.argv[6].replace(":", "")) if len(sys.argv) > 6 else b"\xff" * 6
frame = dst + mac + tag + b"\x08\x06" + arp
frame += b"\0" * max(0, 60 - len(frame))
seen = set()
end = time.time() + 3
nxt = 0
while time.time() < end and not seen:
    if time.time() >= nxt:
        s.send(frame)
        nxt = time.time() + 0.3
    if not select.select([s], [], [], 0.1)[0]:
        continue
    data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(32))
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    v = 0
    for lvl, typ, d in anc:
        if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
            status, _, _, _, _, tci = struct.unpack("IIIHHH", d[:18])
            if status & TP_STATUS_VLAN_VALID:
                v = tci & 0xfff
    off = 12
    if data[12:14] == b"\x81\x00":
        v, off = struct.unpack("!H", data[14:16])[0] & 0xfff, 16
    if data[off:off + 2] != b"\x08\x06":
        continue
    op, sha, spa, tha, tpa = struct.unpack("!6x H 6s 4s 6s 4s", data[off + 2:off + 30])
    if op == 2 and tpa == socket.inet_aton(sip) and spa == socket.inet_aton(tip):
        seen.add("%s %d" % (sha.hex(":"), v))
time.sleep(0.3)   # late replies from a network that should not have answered
while select.select([s], [], [], 0.2)[0]:
    data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(32))
    v = 0
    for lvl, typ, d in anc:
        if lvl == SOL_PACKET and typ == PACKET_AUXDATA:
            status, _, _, _, _, tci = struct.unpack("IIIHHH", d[:18])
            if status & TP_STATUS_VLAN_VALID:
                v = tci & 0xfff
    off = 16 if data[12:14] == b"\x81\x00" else 12
    if data[off:off + 2] == b"\x08\x06":
        op, sha, spa, tha, tpa = struct.unpack("!6x H 6s 4s 6s 4s", data[off + 2:off + 30])
        if op == 2 and tpa == socket.inet_aton(sip):
            seen.add("%s %d" % (sha.hex(":"), v))
for x in sorted(seen):
    print(x)
sys.exit(0 if seen else 1)
