#!/bin/bash
# systemd-analyze verify on every unit bondgen installs, alone and with the
# drop-ins bondgen-generator writes for each kind of source. The units are
# configured from their .in files with stub executables, so the check does
# not depend on which binaries other parts of the build have produced yet.
# No network, no privileges.
# Cases:
#  units            bondgen-apply.service with bondgend@bond0.service, and
#                   bondgen-metrics.timer with its service, verify clean;
#                   no @PLACEHOLDER@ left unsubstituted
#  generator        the generator's drop-ins for the legacy, yaml, both and
#                   broken fixture trees verify clean with the units they
#                   link
#  cmdline          with only bond= on the kernel command line the drop-in
#                   runs bondgen-cmdline and verifies clean
#  initrd           bondgend@.service as an alias of bondgend-initrd@.service
#                   with the dracut module's initrd drop-in and the
#                   generator's drop-in for bond0 verifies clean, and so
#                   does bondgend-initrd@bond0.service itself (the real
#                   root's copy)
#  hostile names    model files named with a space, a % specifier and a
#                   newline followed by a setting: each ExecStart= carries
#                   the name as one quoted, unexpanded argument, no setting
#                   is injected, and the units verify clean
#  can fail         a bad Type= in a unit and a bad drop-in next to a good
#                   unit are both caught
# Usage: test-units.sh SRCDIR GENERATOR
set -euo pipefail
src=$1 gen=$2
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing" >&2; exit 77; }

tmp=$(mktemp -d /tmp/bg-boot-units-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/units"
for b in bondgen bondgend bondgen-hotplug bondgen-cmdline dhclient; do
        printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/$b"
        chmod 755 "$tmp/bin/$b"
done
for u in bondgen-apply.service bondgend@.service bondgen-metrics.service bondgen-dhcp@.service bondgen-dhcp6@.service; do
        sed -e "s|@SBINDIR@|$tmp/bin|g" -e "s|@LIBEXECDIR@|$tmp/bin|g" -e "s|@DHCLIENT@|$tmp/bin/dhclient|g" \
                "$src/units/$u.in" >"$tmp/units/$u"
done
cp "$src/units/bondgen-metrics.timer" "$tmp/units/"
if grep -n '@[A-Z]*@' "$tmp/units/"*; then
        echo "FAIL: unsubstituted placeholder" >&2
        exit 1
fi

verify() {
        local out
        # Verify prints problems but may exit 0 for some of them: any output
        # about our units counts as a failure.
        if ! out=$(SYSTEMD_LOG_LEVEL=notice SYSTEMD_UNIT_PATH="$1:$tmp/units:" \
                   systemd-analyze verify --man=no "${@:2}" 2>&1); then
                echo "FAIL: systemd-analyze verify ${*:2}:" >&2
                echo "$out" >&2
                return 1
        fi
        if grep -E "bondgen|$tmp" <<<"$out"; then
                echo "FAIL: systemd-analyze verify complained about our units" >&2
                return 1
        fi
        echo "ok: verify ${*:2} (${1##*/})"
}

mkdir -p "$tmp/empty"
verify "$tmp/empty" "$tmp/units/bondgen-apply.service" "bondgend@bond0.service"
verify "$tmp/empty" "$tmp/units/bondgen-metrics.timer" "$tmp/units/bondgen-metrics.service"
verify "$tmp/empty" 'bondgen-dhcp@bond0.100.service' 'bondgen-dhcp6@br\x2dlan.service'

for fx in legacy yaml both broken; do
        rm -rf "$tmp/gen"
        mkdir -p "$tmp/gen"
        env -u SYSTEMD_SCOPE BONDGEN_ROOT="$src/test/unit/boot/fixtures/$fx" BONDGEN_CMDLINE="" \
            BONDGEN_KERNEL_RELEASE=none BONDGEN_UNITDIR="$tmp/units" BONDGEN_SBINDIR="$tmp/bin" \
            BONDGEN_LIBEXECDIR="$tmp/bin" "$gen" "$tmp/gen" "$tmp/gen" "$tmp/gen" 2>/dev/null
        units=(bondgen-apply.service)
        for l in "$tmp/gen/sysinit.target.wants/"bondgend@*.service; do
                [ -e "$l" ] && units+=("$(basename "$l")")
        done
        verify "$tmp/gen" "${units[@]}"
done

# The cmdline source (bondgen-cmdline in ExecStartPre)
rm -rf "$tmp/gen"; mkdir -p "$tmp/gen"
env -u SYSTEMD_SCOPE BONDGEN_ROOT="$tmp/empty" BONDGEN_CMDLINE="bond=bond0:eth0,eth1:mode=1" \
    BONDGEN_KERNEL_RELEASE=none BONDGEN_UNITDIR="$tmp/units" BONDGEN_SBINDIR="$tmp/bin" \
    BONDGEN_LIBEXECDIR="$tmp/bin" "$gen" "$tmp/gen"
grep -q "bondgen-cmdline" "$tmp/gen/bondgen-apply.service.d/50-bondgen-generator.conf"
verify "$tmp/gen" bondgen-apply.service bondgend@bond0.service

# A systemd initrd as dracut's module lays it out: bondgend@.service an
# alias of bondgend-initrd@.service with the initrd drop-in, under the
# generator's drop-in for bond0 (the yaml fixture).
mkdir -p "$tmp/initrd/bondgend-initrd@.service.d"
cp "$tmp/units/bondgend@.service" "$tmp/initrd/bondgend-initrd@.service"
ln -s bondgend-initrd@.service "$tmp/initrd/bondgend@.service"
cp "$src/units/dracut/90bondgen/bondgend-initrd.conf" "$tmp/initrd/bondgend-initrd@.service.d/50-initrd.conf"
rm -rf "$tmp/gen"; mkdir -p "$tmp/gen"
env -u SYSTEMD_SCOPE BONDGEN_ROOT="$src/test/unit/boot/fixtures/yaml" BONDGEN_CMDLINE="" \
    BONDGEN_KERNEL_RELEASE=none BONDGEN_UNITDIR="$tmp/units" BONDGEN_SBINDIR="$tmp/bin" \
    BONDGEN_LIBEXECDIR="$tmp/bin" "$gen" "$tmp/gen" "$tmp/gen" "$tmp/gen" 2>/dev/null
[ -e "$tmp/gen/bondgend@bond0.service.d/50-bondgen-generator.conf" ] || { echo "FAIL: no drop-in for bondgend@bond0" >&2; exit 1; }
verify "$tmp/gen:$tmp/initrd" bondgen-apply.service bondgend@bond0.service
# the real root's copy, which systemd loads for the initrd's running unit
# after the switch
verify "$tmp/initrd" bondgend-initrd@bond0.service

# Model file names an admin can choose: a space, a specifier, a newline
# that would start a new setting. Each stays one argument, unexpanded.
hostile=$tmp/hostile/etc/bondgen
mkdir -p "$hostile"
names=("my bond.yaml" "50%n.yaml" $'a\nExecStartPre=touch x\n.yaml')
for i in 0 1 2; do
        printf 'version: 1\nbonds:\n  - name: bond%d\n    backend: userspace\n    ports:\n      - name: eth%d\n' \
                "$i" "$i" >"$hostile/${names[$i]}"
done
rm -rf "$tmp/gen"; mkdir -p "$tmp/gen"
env -u SYSTEMD_SCOPE BONDGEN_ROOT="$tmp/hostile" BONDGEN_CMDLINE="" \
    BONDGEN_KERNEL_RELEASE=none BONDGEN_UNITDIR="$tmp/units" BONDGEN_SBINDIR="$tmp/bin" \
    BONDGEN_LIBEXECDIR="$tmp/bin" "$gen" "$tmp/gen" "$tmp/gen" "$tmp/gen" 2>/dev/null
expect=('-c "/etc/bondgen/my bond.yaml" %I' '-c "/etc/bondgen/50%%n.yaml" %I'
        '-c "/etc/bondgen/a\x0aExecStartPre=touch x\x0a.yaml" %I')
for i in 0 1 2; do
        f=$tmp/gen/bondgend@bond$i.service.d/50-bondgen-generator.conf
        grep -qxF "ExecStart=$tmp/bin/bondgend --prefer-handed ${expect[$i]}" "$f" ||
                { echo "FAIL: bond$i: ExecStart= does not carry the file name as one quoted argument:" >&2; cat "$f" >&2; exit 1; }
        if grep -q '^ExecStartPre' "$f"; then
                echo "FAIL: bond$i: a file name injected a setting" >&2; exit 1
        fi
done
verify "$tmp/gen" bondgen-apply.service bondgend@bond0.service bondgend@bond1.service bondgend@bond2.service

# The check can fail: a broken unit, and a broken drop-in next to a good
# unit (which proves drop-ins from the generator directory are read).
sed 's/^Type=oneshot/Type=oneshott/' "$tmp/units/bondgen-apply.service" >"$tmp/empty/bad-apply.service"
if verify "$tmp/empty" "$tmp/empty/bad-apply.service" >/dev/null 2>&1; then
        echo "FAIL: a bad Type= was not detected" >&2
        exit 1
fi
mkdir -p "$tmp/gen/bondgen-apply.service.d"
printf '[Service]\nExecStart=\nExecStart=/nonexistent/bondgen apply\n' >"$tmp/gen/bondgen-apply.service.d/99-bad.conf"
if verify "$tmp/gen" bondgen-apply.service >/dev/null 2>&1; then
        echo "FAIL: a bad drop-in was not detected" >&2
        exit 1
fi
echo "all units verified"
