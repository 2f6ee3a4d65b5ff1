#!/bin/bash
# bondgen convert on bad input: for each broken tree, the diagnostic
# (file:line:col, key, text), the exit status of bondgen(8), and that
# nothing is written with -o (YAML nor networkd). No network, no
# privileges (the permission case uses setpriv when run as root).
# Cases:
#  unterminated    an unterminated quote in BONDING_OPTS: exit 1, located
#  binary          NUL bytes in an ifcfg file: exit 1
#  typo            BONDING_OPTS miimom: exit 1, "did you mean 'miimon'?"
#  mode7           mode=7 in BONDING_OPTS and in a modprobe options line:
#                  exit 1, located in each file
#  nomaster        a port whose master has no ifcfg file: a warning, the
#                  port left out, bond0 kept (exit 0); with 'alias bond1
#                  bonding' (aliasmaster) bond1 comes from modprobe and
#                  takes the port
#  mcastmac        a multicast and an all-zero MACADDR: a warning each,
#                  only that key lost
#  twomasters      a port claimed by ifcfg and by rc.local's ifenslave:
#                  exit 1 naming both
#  isdir, noperm   a directory in a file's place (exit 1); a file without
#                  read permission (exit 3, nothing written)
#  missing         a missing root: exit 3
#  onebad          one bad bond does not stop the others: bond0 printed,
#                  bond1 "not converted", exit 1; with -o nothing written,
#                  with --partial bond0 written (YAML and networkd), still
#                  exit 1; a tree of bad bonds only writes nothing
#  force           -o never replaces a file (or one file of a networkd
#                  set) without --force; --force replaces it
#  usage           --format xml, an unknown option, an extra argument, a
#                  missing value: exit 2
#  examples        every example converts with exit 0, and --explain
#                  explains every key of every ifcfg file
#  active          ifenslave -c: networkd marks the port ActiveSlave=true;
#                  the YAML warns that the active port is run-time state
#  multi           Red Hat, Debian and SUSE trees side by side: three bonds
#                  found, --from picks one each, --from gentoo exits 2, a
#                  bond defined by two of them is refused (exit 1)
# Usage: cli-corpus.sh BONDGEN EXAMPLES_DIR
set -uo pipefail
bondgen=${1:?bondgen binary}
examples=${2:?examples dir}
tmp=$(mktemp -d /tmp/bgconv-corpus-XXXXXX)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fails=0
ns=etc/sysconfig/network-scripts

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# base tree: bond0 with two ports, like the CentOS example
mkbase() {
        local r=$1
        mkdir -p "$r/$ns"
        printf 'DEVICE=bond0\nBONDING_OPTS="mode=1 miimon=100"\nIPADDR=10.0.0.1\nPREFIX=24\n' >"$r/$ns/ifcfg-bond0"
        printf 'DEVICE=eth0\nMASTER=bond0\nSLAVE=yes\n' >"$r/$ns/ifcfg-eth0"
        printf 'DEVICE=eth1\nMASTER=bond0\nSLAVE=yes\n' >"$r/$ns/ifcfg-eth1"
}

# check NAME WANT_STATUS REGEX [convert args...]: root is $tmp/NAME/root
check() {
        local name=$1 want=$2 regex=$3
        shift 3
        local d=$tmp/$name out err st
        out=$d/out
        "$bondgen" convert --root "$d/root" -o "$out" "$@" >"$d/stdout" 2>"$d/stderr"
        st=$?
        [ "$st" -eq "$want" ] || fail "$name: exit $st, want $want ($(head -c 300 "$d/stderr"))"
        grep -Eq -- "$regex" "$d/stderr" || fail "$name: stderr does not match '$regex': $(head -c 400 "$d/stderr")"
        if [ "$want" -ne 0 ] && [ -e "$out" ]; then
                fail "$name: $out was written despite errors"
        fi
        # the networkd form writes nothing either
        if [ "$want" -ne 0 ]; then
                "$bondgen" convert --root "$d/root" --format networkd -o "$d/nd" >/dev/null 2>&1
                [ -e "$d/nd" ] && [ -n "$(ls -A "$d/nd")" ] && fail "$name: networkd files written despite errors"
        fi
}

# 1. unterminated quote
mkbase "$tmp/unterminated/root"
printf 'DEVICE=bond0\nBONDING_OPTS="mode=1 miimon=100\nIPADDR=10.0.0.1\n' >"$tmp/unterminated/root/$ns/ifcfg-bond0"
check unterminated 1 "ifcfg-bond0:2:14: error: BONDING_OPTS: unterminated double quote"

# 2. binary garbage
mkbase "$tmp/binary/root"
head -c 300 /dev/urandom | tr -d '\n' | sed 's/^/\x00/' >"$tmp/binary/root/$ns/ifcfg-eth1"
printf 'DEVICE=eth1\x00\x01\x02\xff' >"$tmp/binary/root/$ns/ifcfg-eth1"
check binary 1 "ifcfg-eth1:1: error: the file contains NUL bytes"

# 3. BONDING_OPTS typo
mkbase "$tmp/typo/root"
printf 'DEVICE=bond0\nBONDING_OPTS="mode=1 miimom=100"\n' >"$tmp/typo/root/$ns/ifcfg-bond0"
check typo 1 "ifcfg-bond0:2:22: error: BONDING_OPTS: unknown bonding option 'miimom'; did you mean 'miimon'\?"

# 4. unknown mode, in BONDING_OPTS and in modprobe options
mkbase "$tmp/mode7/root"
printf 'DEVICE=bond0\nBONDING_OPTS="mode=7"\n' >"$tmp/mode7/root/$ns/ifcfg-bond0"
check mode7 1 "ifcfg-bond0:2:15: error: BONDING_OPTS: .*mode"
mkbase "$tmp/mode7mp/root"
printf 'DEVICE=bond0\n' >"$tmp/mode7mp/root/$ns/ifcfg-bond0"
printf 'alias bond0 bonding\noptions bond0 mode=7 miimon=100\n' >"$tmp/mode7mp/root/etc/modprobe.conf"
check mode7mp 1 "modprobe.conf:2:15: error: mode: .*mode"

# 5. a port whose master has no ifcfg file: neither initscripts nor
# NetworkManager enslaves it, so it is left out with a warning and the
# rest converts; with 'alias bond1 bonding' ifup-eth creates the master
mkbase "$tmp/nomaster/root"
printf 'DEVICE=eth2\nMASTER=bond1\nSLAVE=yes\n' >"$tmp/nomaster/root/$ns/ifcfg-eth2"
check nomaster 0 "ifcfg-eth2:2:1: warning: MASTER: eth2's master bond1 has no ifcfg file .*not converted"
grep -q 'name: bond1' "$tmp/nomaster/out" && fail "nomaster: bond1 was made up"
grep -q 'name: eth2' "$tmp/nomaster/out" && fail "nomaster: eth2 was converted"
grep -q 'name: bond0' "$tmp/nomaster/out" || fail "nomaster: bond0 was lost"
mkbase "$tmp/aliasmaster/root"
printf 'DEVICE=eth2\nMASTER=bond1\nSLAVE=yes\n' >"$tmp/aliasmaster/root/$ns/ifcfg-eth2"
printf 'alias bond1 bonding\noptions bond1 mode=4 miimon=100\n' >"$tmp/aliasmaster/root/etc/modprobe.conf"
check aliasmaster 0 "ifcfg-eth2:2:1: warning: MASTER: bond1 has no ifcfg file: converted from the modprobe"
grep -A1 'name: bond1' "$tmp/aliasmaster/out" | grep -q 'mode: 802.3ad' || fail "aliasmaster: bond1 is not the modprobe bond: $(cat "$tmp/aliasmaster/out")"
grep -q 'name: eth2' "$tmp/aliasmaster/out" || fail "aliasmaster: eth2 was not enslaved"

# 5b. a MAC the kernel refuses (I/G bit set, all zero) costs that key only
mkbase "$tmp/mcastmac/root"
printf 'DEVICE=bond0\nBONDING_OPTS="mode=1 miimon=100"\nMACADDR=bb:bb:bb:bb:bb:aa\n' >"$tmp/mcastmac/root/$ns/ifcfg-bond0"
printf 'DEVICE=br0\nTYPE=Bridge\nMACADDR=00:00:00:00:00:00\nIPADDR=10.0.0.1\nPREFIX=24\n' >"$tmp/mcastmac/root/$ns/ifcfg-br0"
printf 'DEVICE=eth2\nBRIDGE=br0\n' >"$tmp/mcastmac/root/$ns/ifcfg-eth2"
check mcastmac 0 "ifcfg-bond0:3:1: warning: MACADDR: bb:bb:bb:bb:bb:aa is a multicast address"
grep -q "ifcfg-br0:3:1: warning: MACADDR: 00:00:00:00:00:00 is all zero" "$tmp/mcastmac/stderr" || fail "mcastmac: no warning for br0's zero MAC"
grep -q 'mac:' "$tmp/mcastmac/out" && fail "mcastmac: a refused MAC was converted"
grep -q 'name: br0' "$tmp/mcastmac/out" || fail "mcastmac: br0 was lost"

# 6. a port claimed by two masters
mkbase "$tmp/twomasters/root"
mkdir -p "$tmp/twomasters/root/etc/rc.d"
printf 'DEVICE=bond1\nBONDING_OPTS="mode=4"\n' >"$tmp/twomasters/root/$ns/ifcfg-bond1"
printf '#!/bin/sh\nifenslave bond1 eth1\n' >"$tmp/twomasters/root/etc/rc.d/rc.local"
check twomasters 1 "rc.local:2: error: eth1: eth1 is claimed by two bonds: bond0 .*ifcfg-eth1:2.* and bond1"

# 7. an unreadable file: a directory where a file should be (exit 1), and a
#    file without read permission (exit 3, system error) when we can lose
#    root's DAC override
mkbase "$tmp/isdir/root"
rm "$tmp/isdir/root/$ns/ifcfg-eth1" && mkdir "$tmp/isdir/root/$ns/ifcfg-eth1"
check isdir 1 "ifcfg-eth1: error: cannot read: Is a directory"
mkbase "$tmp/noperm/root"
chmod 000 "$tmp/noperm/root/$ns/ifcfg-eth1"
chmod -R o+rX "$tmp" 2>/dev/null
chmod 000 "$tmp/noperm/root/$ns/ifcfg-eth1"
if [ "$(id -u)" -ne 0 ]; then
        check noperm 3 "ifcfg-eth1: error: cannot read: Permission denied"
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$bondgen" 2>/dev/null; then
        chmod 1777 "$tmp"
        st=0
        setpriv --reuid=65534 --regid=65534 --clear-groups "$bondgen" convert --root "$tmp/noperm/root" \
                -o "$tmp/noperm/out" >/dev/null 2>"$tmp/noperm.err" || st=$?
        [ "$st" -eq 3 ] || fail "noperm: exit $st, want 3"
        grep -q "ifcfg-eth1: error: cannot read: Permission denied" "$tmp/noperm.err" || fail "noperm: $(cat "$tmp/noperm.err")"
        [ -e "$tmp/noperm/out" ] && fail "noperm: output written"
        chmod 700 "$tmp"
else
        echo "note: permission case not run (root without setpriv access to the binary)" >&2
fi

# 8. a missing root
mkdir -p "$tmp/missing"
check missing 3 "error: root directory: No such file or directory"

# 9. one bad bond does not stop the others: bond1 is broken, bond0 is printed
mkbase "$tmp/onebad/root"
printf 'DEVICE=bond1\nBONDING_OPTS="mode=7"\n' >"$tmp/onebad/root/$ns/ifcfg-bond1"
st=0
"$bondgen" convert --root "$tmp/onebad/root" >"$tmp/onebad.out" 2>"$tmp/onebad.err" || st=$?
[ "$st" -eq 1 ] || fail "onebad: exit $st, want 1"
grep -q "name: bond0" "$tmp/onebad.out" || fail "onebad: bond0 missing from the output"
grep -q "name: bond1" "$tmp/onebad.out" && fail "onebad: the broken bond1 was printed"
grep -q "bond1: bond not converted" "$tmp/onebad.err" || fail "onebad: no 'not converted' message"
# ... and with -o nothing is written, unless --partial (boot): then bond0 is
# written, bond1 is not, and the status is still 1
st=0
"$bondgen" convert --root "$tmp/onebad/root" -o "$tmp/onebad.yaml" 2>/dev/null || st=$?
[ "$st" -eq 1 ] || fail "onebad -o: exit $st, want 1"
[ -e "$tmp/onebad.yaml" ] && fail "onebad -o: written despite errors"
st=0
"$bondgen" convert --root "$tmp/onebad/root" --partial -o "$tmp/onebad.yaml" 2>/dev/null || st=$?
[ "$st" -eq 1 ] || fail "onebad --partial: exit $st, want 1"
grep -q "name: bond0" "$tmp/onebad.yaml" || fail "onebad --partial: bond0 not written"
grep -q "name: bond1" "$tmp/onebad.yaml" && fail "onebad --partial: the broken bond1 was written"
st=0
"$bondgen" convert --root "$tmp/onebad/root" --partial --format networkd -o "$tmp/onebad.nd" 2>/dev/null || st=$?
[ "$st" -eq 1 ] || fail "onebad --partial networkd: exit $st, want 1"
[ -e "$tmp/onebad.nd/10-bondgen-bond0.netdev" ] || fail "onebad --partial networkd: bond0 not written"
ls "$tmp/onebad.nd" | grep -q bond1 && fail "onebad --partial networkd: bond1 written"
# a tree where every bond is bad writes nothing even with --partial
mkdir -p "$tmp/allbad/root/$ns"
printf 'DEVICE=bond1\nBONDING_OPTS="mode=7"\n' >"$tmp/allbad/root/$ns/ifcfg-bond1"
st=0
"$bondgen" convert --root "$tmp/allbad/root" --partial -o "$tmp/allbad.yaml" 2>/dev/null || st=$?
[ "$st" -eq 1 ] || fail "allbad --partial: exit $st, want 1"
[ -e "$tmp/allbad.yaml" ] && fail "allbad --partial: written"

# 10. -o refuses to replace a file without --force; --force replaces it
mkbase "$tmp/force/root"
echo keep >"$tmp/force/out.yaml"
st=0
"$bondgen" convert --root "$tmp/force/root" -o "$tmp/force/out.yaml" 2>"$tmp/force.err" || st=$?
[ "$st" -eq 1 ] || fail "force: exit $st, want 1"
[ "$(cat "$tmp/force/out.yaml")" = keep ] || fail "force: file replaced without --force"
grep -q "not overwritten" "$tmp/force.err" || fail "force: no message"
"$bondgen" convert --root "$tmp/force/root" -o "$tmp/force/out.yaml" --force 2>/dev/null || fail "force: --force failed"
grep -q "name: bond0" "$tmp/force/out.yaml" || fail "force: file not replaced with --force"
mkdir -p "$tmp/force/nd" && echo keep >"$tmp/force/nd/10-bondgen-eth1.network"
st=0
"$bondgen" convert --root "$tmp/force/root" --format networkd -o "$tmp/force/nd" 2>/dev/null || st=$?
[ "$st" -eq 1 ] || fail "force: networkd exit $st, want 1"
[ "$(ls "$tmp/force/nd")" = 10-bondgen-eth1.network ] || fail "force: networkd wrote some files: $(ls "$tmp/force/nd")"

# 11. usage errors
for args in "--format xml" "--bogus" "extra-arg" "--root"; do
        st=0
        # shellcheck disable=SC2086
        "$bondgen" convert $args >/dev/null 2>&1 || st=$?
        [ "$st" -eq 2 ] || fail "usage '$args': exit $st, want 2"
done

# 12. every example converts with status 0, and --explain lists each key
for d in "$examples"/*/root; do
        st=0
        "$bondgen" convert --root "$d" --explain >"$tmp/explain" 2>/dev/null || st=$?
        [ "$st" -eq 0 ] || fail "$d: exit $st"
        for f in "$d"/etc/sysconfig/network-scripts/ifcfg-* "$d"/etc/sysconfig/network/ifcfg-*; do
                [ -f "$f" ] || continue
                n=$(grep -cE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*=' "$f")
                m=$(grep -cF "$f:" "$tmp/explain")
                [ "$n" -eq "$m" ] || fail "$f: $n keys but $m explained"
        done
done

# 13. ifenslave -c: networkd marks the active port; the YAML keeps it as active_slave
mkbase "$tmp/active/root"
mkdir -p "$tmp/active/root/etc/rc.d"
printf 'ifenslave -c bond0 eth1\n' >"$tmp/active/root/etc/rc.d/rc.local"
"$bondgen" convert --root "$tmp/active/root" --format networkd -o "$tmp/active/nd" 2>/dev/null || fail "active: networkd failed"
grep -qx "ActiveSlave=true" "$tmp/active/nd/10-bondgen-eth1.network" 2>/dev/null || fail "active: no ActiveSlave=true for eth1"
"$bondgen" convert --root "$tmp/active/root" >"$tmp/active.yaml" 2>"$tmp/active.err" || fail "active: yaml failed"
grep -qx "    active_slave: eth1" "$tmp/active.yaml" || fail "active: no active_slave in the YAML: $(cat "$tmp/active.yaml")"
"$bondgen" validate "$tmp/active.yaml" 2>"$tmp/active.err" || fail "active: the YAML does not validate: $(cat "$tmp/active.err")"

# 14. --from and autodetection: a Debian and a SUSE tree beside a Red Hat one
mkbase "$tmp/multi/root"
mkdir -p "$tmp/multi/root/etc/network" "$tmp/multi/root/etc/sysconfig/network"
printf 'auto bond1\niface bond1 inet manual\n    bond-slaves eth4 eth5\n    bond-mode 1\n    bond-miimon 100\n' \
        >"$tmp/multi/root/etc/network/interfaces"
printf "BONDING_MASTER=yes\nBONDING_SLAVE0=eth6\nBONDING_MODULE_OPTS='mode=4 miimon=100'\nSTARTMODE=auto\n" \
        >"$tmp/multi/root/etc/sysconfig/network/ifcfg-bond2"
"$bondgen" convert --root "$tmp/multi/root" >"$tmp/multi.yaml" 2>/dev/null || fail "multi: autodetect failed"
[ "$(grep -c '^- name: bond' "$tmp/multi.yaml")" -eq 3 ] || fail "multi: not 3 bonds: $(cat "$tmp/multi.yaml")"
for src in rh:bond0 debian:bond1 suse:bond2; do
        "$bondgen" convert --root "$tmp/multi/root" --from "${src%%:*}" >"$tmp/multi.one" 2>/dev/null ||
                fail "multi: --from ${src%%:*} failed"
        [ "$(grep '^- name:' "$tmp/multi.one")" = "- name: ${src#*:}" ] || fail "multi: --from ${src%%:*}: $(cat "$tmp/multi.one")"
done
st=0
"$bondgen" convert --from gentoo >/dev/null 2>&1 || st=$?
[ "$st" -eq 2 ] || fail "multi: --from gentoo: exit $st, want 2"
printf 'auto bond0\niface bond0 inet manual\n    bond-slaves eth8\n    bond-miimon 100\n' >"$tmp/multi/root/etc/network/interfaces"
check multi 1 "interfaces:2: error: bond0: bond0 is also defined by .*ifcfg-bond0.*--from"

if [ $fails -ne 0 ]; then
        echo "$fails failure(s)" >&2
        exit 1
fi
echo "all convert CLI cases pass"
