#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Differential test: the kernel's bonding driver is the oracle for bondgend.
# The same VM image boots twice; the only difference is bonding.ko, present
# in run 1 (`bondgen apply` on a "backend: auto" model makes a kernel bond)
# and left out in run 2 (the same apply starts bondgend). Each run plays
# every scenario (scenarios/*.scn) against the same partner: the driver on
# the host side of the VM's NICs records the frames the bond sends on each
# port (in order, normalised, with timing classes), injects the partner's
# frames (ARP, ping, LACPDUs of a scripted LACP partner), pulls links with
# the qemu monitor and reads the bond's status. The two records are then
# compared; a difference fails unless the scenario accepts it with an
# `expect` line that says why the kernel is not matched.
#
#   host ns bgdiff-PID                          qemu guest (busybox /init, guest.sh)
#   driver.py: AF_PACKET on each TAP            bond0 10.88.0.1/24, "backend: auto":
#   (records, injects, LACP partner)              run 1 kernel bond (bonding.ko)
#                                                 run 2 bondgend (no bonding.ko)
#     ├─ TAP bgd-k0 ───── virtio n0 ──── eth0 52:54:00:dd:00:10 (NIC0) ─┐
#     └─ TAP bgd-k1 ───── virtio n1 ──── eth1 52:54:00:dd:00:11 (NIC1) ─┴─ bond0
#   (run 2's VM, booted at the same time, is on TAPs bgd-u0 and bgd-u1)
#   serial ttyS0 -> vm.serial (results)   ttyS1 <- driver's commands (pipe)
#   partner addresses 10.88.0.N, N=2..9, MAC 02:00:00:00:01:0N (PEERn),
#   static neighbours in the guest
# Cases: one per scenario file (its first comment says what it shows):
#  ab-failover    active-backup: traffic on the active port, a ping on the
#                 backup port unanswered, link pulled: gratuitous ARPs
#                 (num_grat_arp) on the new port, traffic moves, status;
#                 link back: the primary returns
#  ab-first-port  active-backup: both links down, one comes up under the
#                 running bond: its announcements and traffic, status
#  ab-primary-change  active-backup: primary changed by `bondgen apply` on
#                 the running bond: the active port follows, announcements,
#                 traffic moves
#  ab-prio        active-backup with per-port prio set by apply: the
#                 highest prio active, failover and return, a live prio
#                 change, primary_reselect failure keeps the current port
#  ab-na          active-backup with IPv6 on bond0: unsolicited NAs after
#                 a failover (flags, source, Router as forwarding says,
#                 no tentative address), the MLD and IGMPv3 reports of
#                 resend_igmp
#  arp-mon        active-backup with the ARP monitor against a partner that
#                 answers and floods like a switch: probes, the backup kept
#                 up, failover when the active link is pulled
#  arp-validate   active-backup with the ARP monitor: what keeps the backup
#                 up under arp_validate active, backup, filter and none
#                 (unasked replies, flooded probes, pings, ARP between
#                 other hosts, frames to another host's MAC)
#  rr             balance-rr: per-packet alternation of one flow's datagrams
#  rr-link-down   balance-rr with a link down, then back: one port, then
#                 alternation again; the joined group reported again on
#                 the port that now carries IGMP
#  bcast-link-down  broadcast with a link down: frames on the other only
#  xor-l2         balance-xor layer2: each destination MAC's port
#  xor-l34        balance-xor layer3+4: each UDP flow's port
#  xor-l23        balance-xor layer2+3: each destination's port
#  broadcast      broadcast: every frame on both ports
#  lacp           802.3ad with a scripted partner: the LACPDUs (actor key,
#                 state bits, port numbers and priorities, system), flow
#                 placement once distributing, status
#  lacp-partner-gone  802.3ad, the partner falls silent: EXPIRED after the
#                 short timeout, DEFAULTED after another, announced once,
#                 then the slow rate; partnerless aggregators, the same one
#                 active as the kernel's; status
#  lacp-port-loss 802.3ad, a port's link pulled and back: flows on the
#                 other port, the port restarts (EXPIRED), rejoins and
#                 distributes again; flow placement, status
#  slow-3ad       802.3ad, the partner on port 0 only (port 1 defaults, its
#                 mux never enables it): OAM, ESMC and LLDP from the
#                 partner come up on bond0 from port 0 and on eth1 from
#                 port 1; a marker is answered on each port and comes up
#                 nowhere; an LACPDU cut short is not consumed and comes
#                 up like OAM
#  ll-ab          active-backup: a link-local frame (OAM) from the partner
#                 comes up on bond0 from the active port and on the port
#                 itself from the backup; the same after a failover
#  mtu-mac        active-backup: MTU 9000 and a new MAC set on bond0 with
#                 ip link reach the ports; 8000-byte datagrams leave whole,
#                 frames carry the new MAC, a ping to it is answered
#  tlb            balance-tlb: transmit placement; a ping answered only
#                 through the active port
#  tlb-failover   balance-tlb, active link pulled: the other port takes the
#                 bond's MAC, carries everything, answers the ping
#  alb            balance-alb: ARP replies to three clients (receive load
#                 balancing rewrites them per client); OAM and LLDP from
#                 the partner come up on bond0 from the current port and
#                 on the other port itself
#  records-made   both runs recorded every scenario
# Usage: vm-diff.sh BONDGEN BONDGEND UDPSEND [SCENARIO...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../kernel/vm-lib.sh
. "$here/../kernel/vm-lib.sh"
# shellcheck source=../wait.sh
. "$here/../wait.sh"

bondgen=$(realpath "${1:?usage: vm-diff.sh BONDGEN BONDGEND UDPSEND [SCENARIO...]}")
bondgend=$(realpath "${2:?}")
udpsend=$(realpath "${3:?}")
shift 3
bgvm_check || exit 77
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
command -v ip >/dev/null || { echo "SKIP: ip (iproute2) missing" >&2; exit 77; }
iproute=$(command -v ip)

scen=("$@")
if [ ${#scen[@]} -eq 0 ]; then scen=("$here"/scenarios/*.scn); fi
for i in "${!scen[@]}"; do
        case "${scen[$i]}" in (*/*) ;; (*) scen[i]=$here/scenarios/${scen[$i]%.scn}.scn ;; esac
done

ns=bgdiff-$$
work=$(mktemp -d /tmp/bgdiff-$$-XXXXXX)
BGVM_DIR=$work
declare -A drv_pids=()
cleanup() {
        local p
        for p in "${drv_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
        bgvm_stop_all
        ip netns del "$ns" 2>/dev/null || true
        if [ "${BGDIFF_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT
fail() { echo "FAIL: $*" >&2; exit 1; }
t_start=$SECONDS

ip netns add "$ns"
ip -n "$ns" link set lo up
# the TAPs' host side must stay silent (no IPv6 router solicitations)
ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1

# One image per backend: the same files, bonding.ko in the first only.
for run in kernel userspace; do
        d=$(bgvm_initramfs_new "$work/$run")
        bgvm_add_binary "$d" "$bondgen" "$bondgend" "$udpsend" "$iproute"
        # nf_tables: bondgend keeps the host stack off its ports with a
        # netdev ingress chain (bondgend(8)); without it the ports' own
        # stack would see what the kernel's rx_handler takes
        if [ "$run" = kernel ]; then
                bgvm_add_modules "$d" bonding tun virtio_net virtio_pci crc32c_generic nf_tables
        else
                bgvm_add_modules "$d" tun virtio_net virtio_pci crc32c_generic nf_tables
        fi
        bgvm_add_file "$d" "$here/guest.sh" /bgvm/test.sh
        chmod 755 "$d/bgvm/test.sh"
        bgvm_pack "$d" "$work/$run.gz"
done

BGVM_WRAP="ip netns exec $ns"
# Under TCG on a loaded host the kernel's check that the timer interrupt
# works (io_apic.c:check_timer()) can fail and panic the boot; the check
# proves nothing about bonding.
BGVM_APPEND="no_timer_check"
# Both VMs boot at once and play the scenarios at the same time.
declare -A taps=([kernel]="bgd-k0 bgd-k1" [userspace]="bgd-u0 bgd-u1")
for run in kernel userspace; do
        mkdir -p "$work/rec-$run"
        rm -f "$work/$run.ctl.in" "$work/$run.ctl.out"
        mkfifo "$work/$run.ctl.in" "$work/$run.ctl.out"
        read -r t0 t1 <<<"${taps[$run]}"
        # shellcheck disable=SC2046
        bgvm_start "$run" "$work/$run.gz" -- $(bgvm_nic n0 "$t0" 52:54:00:dd:00:10) \
                $(bgvm_nic n1 "$t1" 52:54:00:dd:00:11) -serial "pipe:$work/$run.ctl"
        cat "$work/$run.ctl.out" >/dev/null 2>&1 &
done
status=0
for run in kernel userspace; do
        for tap in ${taps[$run]}; do
                bgvm_wait_tap "$ns" "$tap" || { cat "$work/$run.qemu.log" >&2; fail "$run: qemu made no $tap"; }
                ip -n "$ns" link set "$tap" up
        done
done
for run in kernel userspace; do
        bgvm_wait "$run" 'BGDIFF-READY' 240 || { tr -d '\r' <"$work/$run.serial" >&2; fail "$run: the guest never became ready"; }
        grep -qa "BGDIFF-READY backend=$run" "$work/$run.serial" ||
                fail "$run: the guest's backend is not $run: $(grep -a BGDIFF-READY "$work/$run.serial")"
        echo "$run: guest ready at $((SECONDS - t_start)) s"
done
# Both runs play the scenarios at the same time, each with its own driver
# on its own VM's TAPs (nothing connects the two): the record's timing
# classes are times the driver measures from its own events, and a guest
# that is mostly waiting leaves a core to the other. One after the other
# took twice as long.
t_run=$SECONDS
for run in kernel userspace; do
        BGDIFF_RUN=$run BGDIFF_TAPS="${taps[$run]}" ip netns exec "$ns" python3 "$here/driver.py" run "$work/rec-$run" \
                "$work/$run.serial" "$work/$run.ctl.in" "$work/$run.mon.in" "${scen[@]}" &
        drv_pids[$run]=$!
done
for run in kernel userspace; do
        rc=0
        wait "${drv_pids[$run]}" || rc=$?
        unset "drv_pids[$run]"
        [ $rc -eq 0 ] || { echo "$run: the driver reported problems (exit $rc)"; status=1; }
        bgvm_wait "$run" 'BGVM-DONE' 30 || echo "$run: the guest did not finish"
        bgvm_stop "$run"
        echo "$run: ${#scen[@]} scenario(s) recorded in $((SECONDS - t_run)) s"
        if [ "${BGDIFF_VERBOSE:-0}" = 1 ]; then tr -d '\r' <"$work/$run.serial"; fi
done

n=0
for s in "${scen[@]}"; do
        b=$(basename "$s" .scn)
        [ -s "$work/rec-kernel/$b.txt" ] && [ -s "$work/rec-userspace/$b.txt" ] && n=$((n + 1))
done
[ "$n" -eq ${#scen[@]} ] || { echo "FAIL records-made: $n of ${#scen[@]} scenarios recorded by both runs"; status=1; }
python3 "$here/driver.py" diff "$work/rec-kernel" "$work/rec-userspace" "${scen[@]}" || status=1
echo "kernel $BGVM_KVER, accel $(bgvm_accel): whole test $((SECONDS - t_start)) s"
if [ $status -ne 0 ]; then
        echo "---- userspace run: console ----"; tr -d '\r' <"$work/userspace.serial" | grep -v '^BGDIFF-OUT' | tail -40
        echo FAIL >&2; exit 1
fi
echo PASS
