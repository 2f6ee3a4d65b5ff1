#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# DHCP handed over by `bondgen apply` (bondgen(8) DHCP), in namespaces:
#
#   ns bgd-$$-a                       ns bgd-$$-b (peer)
#   br0 (dhcp) --- p0 ========== q0   10.33.0.1/24, dnsmasq 10.33.0.50-60
#
# Cases:
#  dhclient-lease          apply starts ISC dhclient (with the test's own
#                          script) and says so; br0 gets a lease from dnsmasq
#  dhclient-once           a second apply reports the running dhclient
#                          (its pid); still one dhclient in the namespace
#  networkd-file           BONDGEN_DHCP=networkd: 05-bondgen-br0.network
#                          with Name=br0 and DHCP=ipv4 written, and said
#  networkd-file-unchanged a second apply: "systemd-networkd has it"
#  networkd-file-removed   the model goes static: our file removed, the
#                          admin's 05-bondgen-admin.network kept
#  no-client               BONDGEN_DHCP=none: exit 3, an error naming br0
#  ipconfig-lease          BONDGEN_DHCP=ipconfig (klibc's, initramfs-tools'
#                          own client; dhclient stopped, br0's address
#                          flushed, a /run of its own): apply runs it in
#                          the foreground, br0 has a lease when apply
#                          returns 0, /run/net-br0.conf written
#  ipconfig-once           a second apply: "ipconfig has it", no new run
#  ipconfig-no-server      dnsmasq stopped, BONDGEN_DHCP_TIMEOUT=2: exit 3
#                          within the timeout, an error naming br0
# Usage: dhcp-ns.sh BONDGEN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../wait.sh
. "$here/../wait.sh"
bondgen=$(realpath "${1:?usage: dhcp-ns.sh BONDGEN}")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)" >&2; exit 77; }
ipconfig=/usr/lib/klibc/bin/ipconfig
[ -x $ipconfig ] || { echo "SKIP: $ipconfig missing (klibc-utils, test/deps/kernel.txt)" >&2; exit 77; }
for t in ip dnsmasq dhclient unshare; do
        command -v $t >/dev/null || { echo "SKIP: $t missing (test/deps/kernel.txt)" >&2; exit 77; }
done

a=bgd-$$-a
b=bgd-$$-b
work=$(mktemp -d /tmp/bgd-$$-XXXXXX)
export BONDGEN_RUNDIR=$work/run
cleanup() {
        # only the processes of our namespaces: dhclient (apply started it) and dnsmasq
        for ns in "$a" "$b"; do
                for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        done
        ip netns del "$a" 2>/dev/null || true
        ip netns del "$b" 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
n_fail=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; n_fail=$((n_fail + 1)); }
show() { sed 's/^/  | /' "$work/$1"; }
bg() {  # bg LOG ARGS...: bondgen in ns a, output in $work/LOG
        local log=$work/$1; shift
        ip netns exec "$a" "$bondgen" "$@" >"$log" 2>&1
}
leased() { ip -n "$a" -4 addr show dev br0 | grep -q 'inet 10\.33\.0\.\(5[0-9]\|60\)/24'; }

ip netns add "$a"
ip netns add "$b"
ip link add "bgd$$p" netns "$a" type veth peer name "bgd$$q" netns "$b"
ip -n "$a" link set "bgd$$p" name p0
ip -n "$b" link set "bgd$$q" name q0
ip -n "$b" addr add 10.33.0.1/24 dev q0
ip -n "$b" link set q0 up
ip netns exec "$b" dnsmasq --conf-file=/dev/null --keep-in-foreground --port=0 --no-resolv --no-hosts \
        --user=root --interface=q0 --bind-interfaces --dhcp-range=10.33.0.50,10.33.0.60,255.255.255.0,10m \
        --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" 2>"$work/dnsmasq.log" &

# The client's own script sets only the address: the host's resolv.conf
# and dhclient hooks stay out of it.
cat >"$work/dhclient-script" <<'EOS'
#!/bin/sh
case "$reason" in
PREINIT) ip link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT) ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
esac
exit 0
EOS
chmod 755 "$work/dhclient-script"

cat >"$work/dhcp.yaml" <<EOM
version: 1
bridges:
  - name: br0
    ports:
      - name: p0
    forward-delay: 0
    ipv4:
      method: dhcp
EOM

# ---- dhclient-lease ----
if BONDGEN_DHCP=dhclient BONDGEN_DHCLIENT_SCRIPT=$work/dhclient-script bg d1 apply -c "$work/dhcp.yaml" &&
   grep -q '^br0: DHCP: start .*dhclient -4$' "$work/d1" && wait_until 40 leased; then
        ok "dhclient-lease: br0 got $(ip -n "$a" -4 -br addr show dev br0 | awk '{print $3}') from dnsmasq"
else
        show d1; cat "$work/dnsmasq.log" >&2; fail "dhclient-lease"
fi

# ---- dhclient-once ----
BONDGEN_DHCP=dhclient BONDGEN_DHCLIENT_SCRIPT=$work/dhclient-script bg d2 apply -c "$work/dhcp.yaml" || true
n=$(for pid in $(ip netns pids "$a"); do cat "/proc/$pid/comm"; done | grep -c '^dhclient' || true)
if grep -q '^br0: DHCP: dhclient runs (pid [0-9]*)$' "$work/d2" && [ "$n" = 1 ]; then
        ok "dhclient-once: the second apply sees it, one dhclient"
else
        show d2; fail "dhclient-once ($n dhclient)"
fi

# ---- networkd-file (BONDGEN_DHCP=networkd: as when networkd runs) ----
nd=$work/networkd
mkdir -p "$nd"
printf '[Match]\nName=x\n' >"$nd/05-bondgen-admin.network"
export BONDGEN_NETWORKD_DIR=$nd
f=$nd/05-bondgen-br0.network
BONDGEN_DHCP=networkd bg n1 apply -c "$work/dhcp.yaml" || true
if grep -qx 'Name=br0' "$f" && grep -qx 'DHCP=ipv4' "$f" && grep -qx "br0: DHCP: hand to systemd-networkd ($f)" "$work/n1"; then
        ok "networkd-file: $f written"
else
        show n1; cat "$f" >&2 || true; fail "networkd-file"
fi
BONDGEN_DHCP=networkd bg n2 apply -c "$work/dhcp.yaml" || true
grep -qx "br0: DHCP: systemd-networkd has it ($f)" "$work/n2" && ok "networkd-file-unchanged" || { show n2; fail "networkd-file-unchanged"; }
sed 's/method: dhcp/method: static\n      addresses: [10.33.0.9\/24]/' "$work/dhcp.yaml" >"$work/static.yaml"
BONDGEN_DHCP=networkd bg n3 apply -c "$work/static.yaml" || true
if [ ! -e "$f" ] && [ -e "$nd/05-bondgen-admin.network" ] && grep -q '^br0: DHCP: remove ' "$work/n3"; then
        ok "networkd-file-removed: ours gone, the admin's kept"
else
        show n3; ls "$nd" >&2; fail "networkd-file-removed"
fi
unset BONDGEN_NETWORKD_DIR

# ---- no-client ----
set +e
BONDGEN_DHCP=none bg none apply -c "$work/dhcp.yaml"; rc=$?
set -e
if [ $rc = 3 ] && grep -q "error: method: br0: DHCP wanted, but systemd-networkd does not run here and no DHCP client .* br0 has no dynamic address" "$work/none"; then
        ok "no-client: exit 3, the link named"
else
        show none; fail "no-client (rc $rc)"
fi

# ---- ipconfig (klibc): initramfs-tools' own DHCP client ----
for pid in $(ip netns pids "$a"); do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dhclient ] && kill "$pid"
done
wait_until 10 sh -c "! ip netns pids $a | grep -q ." || true
ip -n "$a" -4 addr flush dev br0
# ipconfig writes /run/net-NAME.conf: give it a /run of its own
inrun() {  # inrun SCRIPT: sh in ns a with a private tmpfs on /run
        ip netns exec "$a" unshare -m sh -c "mount -t tmpfs bgd-run /run && $1"
}
t0=$(date +%s.%N)
inrun "BONDGEN_DHCP=ipconfig '$bondgen' apply -c '$work/dhcp.yaml' >'$work/i1' 2>&1; echo \$? >'$work/i1.rc'
       ip -4 -br addr show dev br0 >'$work/i1.addr'; cat /run/net-br0.conf >'$work/i1.conf' 2>/dev/null
       BONDGEN_DHCP=ipconfig '$bondgen' apply -c '$work/dhcp.yaml' >'$work/i2' 2>&1; echo \$? >'$work/i2.rc'" || true
t1=$(date +%s.%N)
if [ "$(cat "$work/i1.rc")" = 0 ] && grep -q "^br0: DHCP: $ipconfig, up to 30 s$" "$work/i1" &&
   grep -q 'br0 .* 10\.33\.0\.\(5[0-9]\|60\)/24' "$work/i1.addr" && grep -q '^DEVICE=.*br0' "$work/i1.conf"; then
        ok "ipconfig-lease: br0 $(awk '{print $3}' "$work/i1.addr") when apply returned ($(awk "BEGIN{printf \"%.2f\", $t1 - $t0}") s for both applies)"
else
        show i1; cat "$work/i1.rc" "$work/i1.addr" "$work/i1.conf" >&2 || true; fail "ipconfig-lease"
fi
if [ "$(cat "$work/i2.rc")" = 0 ] && grep -qx "br0: DHCP: ipconfig has it (/run/net-br0.conf)" "$work/i2"; then
        ok "ipconfig-once"
else
        show i2; fail "ipconfig-once"
fi
kill "$(cat "$work/dnsmasq.pid")" 2>/dev/null || true
wait_until 10 sh -c "! ip netns pids $b | grep -q ." || true
ip -n "$a" -4 addr flush dev br0
t0=$(date +%s)
inrun "BONDGEN_DHCP=ipconfig BONDGEN_DHCP_TIMEOUT=2 '$bondgen' apply -c '$work/dhcp.yaml' >'$work/i3' 2>&1; echo \$? >'$work/i3.rc'" || true
took=$(($(date +%s) - t0))
if [ "$(cat "$work/i3.rc")" = 3 ] && [ $took -le 10 ] &&
   grep -q "error: method: br0: DHCP: no lease (.*ipconfig -t 2 exited with status [0-9]*); the link has no dynamic address" "$work/i3"; then
        ok "ipconfig-no-server: exit 3 after ${took} s, br0 named"
else
        show i3; fail "ipconfig-no-server (rc $(cat "$work/i3.rc"), ${took} s)"
fi

if [ $n_fail -ne 0 ]; then echo "FAIL: $n_fail case(s)" >&2; exit 1; fi
echo PASS
