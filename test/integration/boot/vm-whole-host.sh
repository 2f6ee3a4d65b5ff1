#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "Drop your ifcfg files and reboot" for a whole host: an 802.3ad bond
# with an untagged address, a static VLAN and a DHCP VLAN on it, and a
# bridge over a second (active-backup) bond, in initscripts' files. The
# image is built from them, the guest boots it, and every network must
# come up and stay apart; once with the kernel's bonding driver, once
# with bondgend (bonding.ko left out of the image).
#
#  ns bgwh-PID-peer (qemu runs in it)                      qemu VM, 4 virtio NICs
#  Open vSwitch br-sw (userspace datapath)
#   bond ag = {wh-t0, wh-t1}, LACP active, fast,
#   trunk: VLAN 1 native untagged, 100, 200 tagged
#     wh-t0 ══ 52:54:00:10:20:01 ══ eth0 ─┐ bond0 802.3ad   10.10.0.1/24
#     wh-t1 ══ 52:54:00:10:20:02 ══ eth1 ─┘  ├ bond0.100     10.100.0.1/24
#                                            └ vlan200       DHCP (10.200.0.77)
#   access ports, each a veth to a namespace of its own:
#     p1   (VLAN 1)   ── e0 in bgwh-PID-n1    10.10.0.2/24
#     p100 (VLAN 100) ── e0 in bgwh-PID-n100  10.100.0.2/24
#     p200 (VLAN 200) ── e0 in bgwh-PID-n200  10.200.0.1/24, dnsmasq:
#                        the NICs' MACs -> 10.200.0.77
#     every e0 also holds the other two networks' peer addresses
#     (10.10.0.2, 10.100.0.2, 10.200.0.1: the leak detectors)
#  Linux bridge wh-br, 10.30.0.2/24
#     wh-t2 ══ 52:54:00:10:20:03 ══ eth2 ─┐ bond1 active-backup
#     wh-t3 ══ 52:54:00:10:20:04 ══ eth3 ─┘  └ br0 (STP off) 10.30.0.1/24
# The kernel run boots a dracut image with systemd and systemd-networkd
# (bondgen-apply.service hands vlan200's DHCP to networkd); the bondgend
# run an initramfs-tools image without bonding.ko (apply runs klibc's
# ipconfig on vlan200). There is no root file system; the test stops qemu
# once it has checked. In the guest, wh-guest.sh (started after bondgen)
# waits for the lease, pings each peer and prints what it sees.
# Cases (each run, kernel then bondgend):
#  images     dracut builds the kernel run's image with the generator,
#             systemd-networkd, bonding.ko, 8021q and bridge;
#             mkinitramfs the bondgend run's with bondgend, ipconfig,
#             8021q and bridge, and without bonding.ko
#  backend    the console shows bond0 and bond1 on the expected backend
#             and vlan200's DHCP handed to networkd (kernel) or done by
#             ipconfig (bondgend)
#  addresses  the guest has 10.10.0.1/24 on bond0, 10.100.0.1/24 on
#             bond0.100, 10.30.0.1/24 on br0 and the reserved
#             10.200.0.77/24 on vlan200, which dnsmasq acknowledged
#  pings      the guest reaches each peer (untagged, VLAN 100, VLAN 200,
#             br0), and each peer's ping of the guest's address on its
#             network is answered (at least 3 of 5)
#  lacp       the guest's bond0 says "LACP health: ok: 2 ports collecting
#             and distributing"; OVS has negotiated LACP and both members'
#             partner state is collecting and distributing
#  no leak    each peer namespace has learnt, of the guest's four
#             addresses, only its own network's: the guest's ARP requests
#             for 10.100.0.2 and 10.200.0.1 would be answered by n1 (and
#             the others' by their wrong-network twins) had they left on
#             another VLAN or untagged
# Reuses the qemu harness of test/integration/kernel/vm-lib.sh. Env:
# BGWH_RUNS="kernel userspace" (the default) names the runs,
# BGBOOT_KEEP=1 keeps logs.
# Usage: vm-whole-host.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2
# shellcheck source=../kernel/vm-lib.sh
. "$src/test/integration/kernel/vm-lib.sh"
# shellcheck source=../wait.sh
. "$src/test/integration/wait.sh"

bgvm_check || exit 77
for t in dracut lsinitrd mkinitramfs unmkinitramfs cpio ip dnsmasq ethtool ping \
         ovs-vsctl ovs-appctl ovs-vswitchd ovsdb-server ovsdb-tool; do
        command -v $t >/dev/null || { echo "SKIP: $t missing" >&2; exit 77; }
done
[ -d /usr/lib/dracut/modules.d/01systemd-networkd ] ||
        { echo "SKIP: dracut's systemd-networkd module missing (dracut-network)" >&2; exit 77; }
[ -x /usr/lib/klibc/bin/ipconfig ] || { echo "SKIP: klibc's ipconfig missing (klibc-utils)" >&2; exit 77; }
[ -x "$build/src/fwd/bondgend" ] || { echo "SKIP: bondgend not built" >&2; exit 77; }
for m in 8021q bridge; do
        modinfo -k "$BGVM_KVER" -n $m >/dev/null 2>&1 ||
                { echo "SKIP: the VM kernel $BGVM_KVER has no $m module" >&2; exit 77; }
done

P=bgwh-$$
ns=$P-peer
work=$(mktemp -d /tmp/bgwh-$$-XXXXXX)
BGVM_DIR=$work
cleanup() {
        bgvm_stop_all
        local f
        for f in "$work/dnsmasq.pid" "$work/ovs/ovs-vswitchd.pid" "$work/ovs/ovsdb-server.pid"; do
                [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
        done
        for f in peer n1 n100 n200; do ip netns del "$P-$f" 2>/dev/null || true; done
        if [ "${BGBOOT_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
t_start=$SECONDS

# ---- the "machine": its initscripts files, and bondgen as installed ----
nsd=$work/root/etc/sysconfig/network-scripts
mkdir -p "$nsd" "$work/sbin" "$work/libexec" "$work/units" "$work/dconf"
cat >"$nsd/ifcfg-bond0" <<'EOF'
DEVICE=bond0
TYPE=Bond
BONDING_MASTER=yes
BONDING_OPTS="mode=802.3ad miimon=100 lacp_rate=fast xmit_hash_policy=layer2+3"
BOOTPROTO=none
IPADDR=10.10.0.1
PREFIX=24
ONBOOT=yes
EOF
cat >"$nsd/ifcfg-bond0.100" <<'EOF'
DEVICE=bond0.100
VLAN=yes
BOOTPROTO=none
IPADDR=10.100.0.1
PREFIX=24
ONBOOT=yes
EOF
cat >"$nsd/ifcfg-vlan200" <<'EOF'
DEVICE=vlan200
VLAN=yes
PHYSDEV=bond0
VLAN_ID=200
BOOTPROTO=dhcp
ONBOOT=yes
EOF
cat >"$nsd/ifcfg-bond1" <<'EOF'
DEVICE=bond1
BONDING_OPTS="mode=active-backup miimon=100"
BRIDGE=br0
ONBOOT=yes
EOF
cat >"$nsd/ifcfg-br0" <<'EOF'
DEVICE=br0
TYPE=Bridge
STP=no
DELAY=0
BOOTPROTO=static
IPADDR=10.30.0.1
NETMASK=255.255.255.0
ONBOOT=yes
EOF
for i in 0 1 2 3; do
        printf 'DEVICE=eth%s\nTYPE=Ethernet\nMASTER=bond%s\nSLAVE=yes\nBOOTPROTO=none\nONBOOT=yes\n' $i $((i / 2)) \
                >"$nsd/ifcfg-eth$i"
done
cp "$build/src/cli/bondgen" "$build/src/fwd/bondgend" "$work/sbin/"
cp "$build/src/boot/bondgen-cmdline" "$build/src/boot/bondgen-hotplug" "$build/units/bondgen-initrd-up" "$work/libexec/"
cp "$build/units/bondgen-apply.service" "$build/units/bondgend@.service" "$build/units/90-bondgen.rules" "$work/units/"

# ---- images ----
runs=${BGWH_RUNS:-kernel userspace}
# The kernel run: dracut, systemd, networkd; the guest script as a unit
# after bondgen-apply.service (Type=simple: it holds nothing up).
mkdir -p "$work/extra/etc/bgtest" "$work/extra/etc/systemd/system/sysinit.target.wants"
install -m 755 "$src/test/integration/boot/wh-guest.sh" "$work/extra/etc/bgtest/wh-guest.sh"
cat >"$work/extra/etc/systemd/system/bgtest-wh.service" <<'EOS'
[Unit]
Description=bondgen test: what the whole host sees
DefaultDependencies=no
After=bondgen-apply.service
[Service]
Type=simple
StandardOutput=journal+console
ExecStart=/bin/sh /etc/bgtest/wh-guest.sh
EOS
ln -s ../bgtest-wh.service "$work/extra/etc/systemd/system/sysinit.target.wants/bgtest-wh.service"
if [[ " $runs " == *" kernel "* ]]; then
        cp -a /usr/lib/dracut "$work/dracut"
        mkdir -p "$work/dracut/modules.d/90bondgen"
        install -m 755 "$build/units/module-setup.sh" "$build/units/bondgen-settled.sh" "$work/dracut/modules.d/90bondgen/"
        install -m 644 "$build/units/bondgend-initrd.conf" "$work/dracut/modules.d/90bondgen/"
        # gzip at its fastest (dracut's own gzip is -9 --rsyncable: ~7 s of CPU per image)
        BONDGEN_SRC_SBINDIR=$work/sbin BONDGEN_SRC_LIBEXECDIR=$work/libexec BONDGEN_SRC_ROOT=$work/root \
        BONDGEN_SRC_UNITDIR=$work/units BONDGEN_SRC_GENERATOR=$build/src/boot/bondgen-generator \
        BONDGEN_SRC_MODDIR=$work/dracut/modules.d/90bondgen dracutbasedir=$work/dracut \
                dracut --force --no-hostonly --no-early-microcode --conf /dev/null --confdir "$work/dconf" \
                --compress "gzip -n -1" --modules "base systemd systemd-udevd systemd-networkd bondgen" \
                --add-drivers "virtio_pci virtio_net" --include "$work/extra" / --install "$(command -v ping)" \
                --kver "$BGVM_KVER" "$work/kernel.img" >"$work/dracut.log" 2>&1 ||
                { cat "$work/dracut.log" >&2; fail "images: dracut"; }
        lsinitrd "$work/kernel.img" >"$work/kernel.list"
        for f in system-generators/bondgen-generator systemd-networkd bonding.ko 8021q.ko bridge.ko \
                 etc/bondgen/legacy.yaml bgtest-wh.service; do
                grep -q "$f" "$work/kernel.list" || fail "images: $f not in the dracut image"
        done
        ok "images: dracut with the generator, systemd-networkd, bonding.ko, 8021q and bridge"
fi
if [[ " $runs " == *" userspace "* ]]; then
        conf=$work/itconf
        bgvm_itools_conf "$conf" "$build"
        # the test's own: ping and the guest script, run after bondgen's
        cat >"$conf/hooks/bgtest" <<EOS
#!/bin/sh
[ "\$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
copy_exec $(command -v ping) /usr/bin/ping
mkdir -p "\$DESTDIR/etc/bgtest"
cp $src/test/integration/boot/wh-guest.sh "\$DESTDIR/etc/bgtest/wh-guest.sh"
EOS
        cat >"$conf/scripts/init-premount/bgtest" <<'EOS'
#!/bin/sh
PREREQ="bondgen"
prereqs() { echo "$PREREQ"; }
case "$1" in prereqs) prereqs; exit 0 ;; esac
sh /etc/bgtest/wh-guest.sh
EOS
        chmod 755 "$conf/hooks/bgtest" "$conf/scripts/init-premount/bgtest"
        bgvm_itools_image "$conf" "$work" "$work/it.img" || fail "images: mkinitramfs"
        top=$BGVM_ITOP
        find "$top" -name 'bonding.ko*' -delete
        [ -x "$top/bin/ipconfig" ] || [ -x "$top/usr/bin/ipconfig" ] || fail "images: ipconfig not in the initramfs-tools image"
        for f in 8021q.ko bridge.ko bondgend etc/bondgen/legacy.yaml; do
                [ -n "$(find "$top" -path "*$f*" | head -1)" ] || fail "images: $f not in the initramfs-tools image"
        done
        bgvm_pack "$top" "$work/userspace.img"
        ok "images: initramfs-tools with bondgend, ipconfig, 8021q and bridge, without bonding.ko"
fi
echo "images built at $((SECONDS - t_start)) s"

# ---- the partner side ----
nsadd() { ip netns add "$1" && ip -n "$1" link set lo up; }
nsadd "$ns"
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
OVS=$work/ovs
mkdir -p "$OVS"
ovsdb-tool create "$OVS/conf.db" >/dev/null
ip netns exec "$ns" ovsdb-server "$OVS/conf.db" --remote=punix:"$OVS/db.sock" --pidfile="$OVS/ovsdb-server.pid" \
        --unixctl="$OVS/ovsdb-server.ctl" --detach --no-chdir --log-file="$OVS/ovsdb-server.log" 2>/dev/null
vsc() { ovs-vsctl --db=unix:"$OVS/db.sock" "$@"; }
app() { ovs-appctl -t "$OVS/ovs-vswitchd.ctl" "$@"; }
vsc --no-wait init
ip netns exec "$ns" ovs-vswitchd unix:"$OVS/db.sock" --pidfile="$OVS/ovs-vswitchd.pid" \
        --unixctl="$OVS/ovs-vswitchd.ctl" --detach --no-chdir --log-file="$OVS/ovs-vswitchd.log" 2>/dev/null
vsc add-br br-sw -- set bridge br-sw datapath_type=netdev
declare -A NADDR=([1]=10.10.0.2 [100]=10.100.0.2 [200]=10.200.0.1)
declare -A GADDR=([1]=10.10.0.1 [100]=10.100.0.1 [200]=10.200.0.77)
for v in 1 100 200; do
        nsadd "$P-n$v"
        ip link add p$v netns "$ns" type veth peer name e0 netns "$P-n$v"
        ip netns exec "$P-n$v" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        ip -n "$ns" link set p$v up
        ip -n "$P-n$v" link set e0 up
        # OVS reads its ports without virtio-net headers: checksums are
        # finished in the kernel before a frame reaches it
        ip netns exec "$P-n$v" ethtool -K e0 tx off >/dev/null 2>&1
        ip -n "$P-n$v" addr add "${NADDR[$v]}/24" dev e0
        for w in 1 100 200; do
                [ $w = $v ] || ip -n "$P-n$v" addr add "${NADDR[$w]}/24" dev e0
        done
        vsc add-port br-sw p$v tag=$v
done
ip netns exec "$P-n200" dnsmasq --conf-file=/dev/null --keep-in-foreground --log-facility=- --port=0 --no-resolv \
        --no-hosts --user=root --interface=e0 --bind-interfaces \
        --dhcp-range=10.200.0.50,10.200.0.99,255.255.255.0,10m \
        --dhcp-host=52:54:00:10:20:01,52:54:00:10:20:02,10.200.0.77 \
        --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" --log-dhcp 2>"$work/dnsmasq.log" &
wait_until 10 test -s "$work/dnsmasq.pid" || fail "dnsmasq did not start: $(cat "$work/dnsmasq.log")"
ip -n "$ns" link add wh-br type bridge
ip -n "$ns" addr add 10.30.0.2/24 dev wh-br
ip -n "$ns" link set wh-br up
BGVM_WRAP="ip netns exec $ns"
BGVM_MEM=768

member_up() { [ "$(app bond/show ag 2>/dev/null | grep -c '^member .*: enabled')" = 2 ]; }
pings() {   # pings NS ADDR: how many of 5 answered (none: ping fails, the count stays)
        ip netns exec "$1" ping -c 5 -i 0.5 -W 3 "$2" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p' || true
}

run() {   # run NAME IMAGE APPEND CONSOLE-ERE...
        local name=$1 img=$2 t0=$SECONDS tap v re log got= n seen
        seen=$(wc -l <"$work/dnsmasq.log")
        BGVM_APPEND=$3
        shift 3
        # shellcheck disable=SC2046
        bgvm_start "$name" "$img" -- $(bgvm_nic n0 wh-t0 52:54:00:10:20:01) $(bgvm_nic n1 wh-t1 52:54:00:10:20:02) \
                $(bgvm_nic n2 wh-t2 52:54:00:10:20:03) $(bgvm_nic n3 wh-t3 52:54:00:10:20:04)
        for tap in wh-t0 wh-t1 wh-t2 wh-t3; do
                bgvm_wait_tap "$ns" "$tap" || { cat "$work/$name.qemu.log" >&2; fail "$name: qemu made no $tap"; }
                ip -n "$ns" link set "$tap" up
        done
        ip -n "$ns" link set wh-t2 master wh-br
        ip -n "$ns" link set wh-t3 master wh-br
        vsc add-bond br-sw ag wh-t0 wh-t1 bond_mode=balance-tcp lacp=active other_config:lacp-time=fast \
                other_config:bond-detect-mode=carrier -- set port ag vlan_mode=native-untagged tag=1 trunks=1,100,200
        log=${BGVM_LOG[$name]}
        bgvm_wait "$name" 'bgtest: done' 420 || { tr -d '\r' <"$log" | tail -80 >&2; cat "$work/dnsmasq.log" >&2
                                                  fail "$name: the guest never finished its checks"; }
        local took=$((SECONDS - t0))
        echo "---- $name: console (bondgen, bgtest, DHCP lines) ----"
        tr -d '\r' <"$log" | grep -aE "bondgen|bgtest|bond[01]|vlan200|br0|IP-Config" | grep -av "bgtest: status: " | tail -50 || true
        echo "----"
        # backend
        for re in "$@"; do
                grep -qaE "$re" "$log" || fail "$name: backend: the console does not show: $re"
        done
        ok "$name: backend: $*"
        # addresses
        for want in "bond0 10.10.0.1/24" "bond0.100 10.100.0.1/24" "vlan200 10.200.0.77/24" "br0 10.30.0.1/24"; do
                grep -qa "bgtest: addr $want" "$log" ||
                        fail "$name: addresses: no $want; the guest has: $(grep -a 'bgtest: addr' "$log" | tr -d '\r' | tr '\n' ' ')"
        done
        tail -n +$((seen + 1)) "$work/dnsmasq.log" | grep -qE "DHCPACK\(e0\) 10\.200\.0\.77 52:54:00:10:20:0[12]" ||
                fail "$name: addresses: dnsmasq acknowledged no lease of 10.200.0.77"
        ok "$name: addresses: bond0, bond0.100, br0 static; vlan200 10.200.0.77 leased ($(grep -a 'bgtest: lease' "$log" | tr -d '\r'))"
        # pings, the guest's first (they ran before the host's)
        for re in 10.10.0.2 10.100.0.2 10.200.0.1 10.30.0.2; do
                grep -qa "bgtest: ping $re ok" "$log" || fail "$name: pings: the guest did not reach $re"
        done
        for v in 1 100 200; do
                n=$(pings "$P-n$v" "${GADDR[$v]}")
                [ "${n:-0}" -ge 3 ] || fail "$name: pings: VLAN $v's peer: ${n:-0} of 5 answers from ${GADDR[$v]}"
                got="$got VLAN $v $n/5,"
        done
        n=$(pings "$ns" 10.30.0.1)
        [ "${n:-0}" -ge 3 ] || fail "$name: pings: br0's peer: ${n:-0} of 5 answers from 10.30.0.1"
        ok "$name: pings: guest to every peer; peers to the guest:$got br0 $n/5"
        # lacp
        grep -qa "bgtest: status: LACP health: ok: 2 ports collecting and distributing" "$log" ||
                fail "$name: lacp: the guest's bond0: $(grep -a 'bgtest: status' "$log" | tr -d '\r')"
        app lacp/show ag >"$work/$name.lacp" 2>&1 || true
        app bond/show ag >"$work/$name.bond" 2>&1 || true
        grep -q "lacp_status: negotiated" "$work/$name.bond" || { cat "$work/$name.bond"; fail "$name: lacp: OVS has not negotiated"; }
        n=$(grep -c "partner state: .*collecting distributing" "$work/$name.lacp" || true)
        [ "$n" = 2 ] || { cat "$work/$name.lacp"; fail "$name: lacp: $n of OVS's 2 members see the guest collecting and distributing"; }
        member_up || { cat "$work/$name.bond"; fail "$name: lacp: OVS has not enabled both members"; }
        ok "$name: lacp: the guest's bond0 and OVS both collecting and distributing on 2 ports"
        # no leak: of the guest's addresses, each peer knows only its own
        # network's (a reply to an ARP request that crossed networks would
        # have taught a peer another one)
        for v in 1 100 200; do
                got=$(ip -n "$P-n$v" -4 neigh show dev e0 | cut -d' ' -f1 | sort -u | tr '\n' ' ')
                [ "$got" = "${GADDR[$v]} " ] || fail "$name: no leak: VLAN $v's peer learnt '$got', want only ${GADDR[$v]}"
        done
        ok "$name: no leak: each peer learnt only its own network's guest address"
        bgvm_stop "$name"
        echo "$name: the guest's checks done ${took}s after qemu started; run $((SECONDS - t0)) s"
        vsc del-port br-sw ag
        for tap in wh-t0 wh-t1 wh-t2 wh-t3; do ip -n "$ns" link del "$tap" 2>/dev/null || true; done
        for v in 1 100 200; do ip -n "$P-n$v" neigh flush dev e0; done
}

if [[ " $runs " == *" kernel "* ]]; then
        # The root never appears; systemd waits for it long after the checks.
        run kernel "$work/kernel.img" \
                "root=/dev/disk/by-label/bgboot-none net.ifnames=0 rd.timeout=600 systemd.journald.forward_to_console=1 systemd.show_status=0" \
                "bond0: backend auto: kernel" "bond1: backend auto: kernel" \
                "vlan200: DHCP: hand to systemd-networkd \(/run/systemd/network/05-bondgen-vlan200.network\)"
fi
if [[ " $runs " == *" userspace "* ]]; then
        # break=mount stops initramfs-tools after init-premount, where bondgen
        # and the guest script run.
        run userspace "$work/userspace.img" "root=/dev/disk/by-label/bgboot-none net.ifnames=0 break=mount panic=" \
                "bond0: (backend auto: userspace|backend auto: the kernel cannot create bonds; using userspace)" \
                "bond1: (backend auto: userspace|backend auto: the kernel cannot create bonds; using userspace)" \
                "vlan200: DHCP: /(usr/)?bin/ipconfig, up to 30 s" "IP-Config: vlan200 complete"
fi
echo "kernel $BGVM_KVER, accel $(bgvm_accel), whole test $((SECONDS - t_start)) s"
echo PASS
