#!/bin/bash
# Build initramfs images with bondgen in them, with mkinitramfs
# (initramfs-tools) and with dracut (shell init and systemd init), for
# Debian's kernel, and assert that bondgen, the helpers, the model, the
# boot scripts or units and the kernel modules are inside. Nothing on the
# host is changed: initramfs-tools runs with its own -d CONFDIR, dracut
# with its own copy of /usr/lib/dracut (dracutbasedir). No network.
# Cases:
#  mkinitramfs      the image has bondgen, bondgend (when built),
#                   bondgen-initrd-up, bondgen-cmdline, the model (the same
#                   bytes as the host's), the init-premount script (in its
#                   ORDER file), bonding.ko, tun.ko, 8021q.ko, bridge.ko
#                   and libyaml
#  BONDGEN=n        leaves bondgen out of the mkinitramfs image
#  dracut shell     the image has bondgen, bondgend (when built),
#                   bondgen-hotplug, bondgen-initrd-up, the model, the udev
#                   rule, the initqueue/settled hook, bonding.ko, tun.ko,
#                   8021q.ko, bridge.ko
#  dracut systemd   the image has bondgen, the generator,
#                   bondgen-apply.service, bondgend@.service, the model,
#                   and not the shell-init hook nor bondgen-dhcp@.service
#  systemd initrd unit   in that image bondgend@.service is an alias of
#                   bondgend-initrd@.service (the build's bondgend@.service
#                   byte for byte) with a drop-in setting IgnoreOnIsolate=yes,
#                   ConditionPathExists=/etc/initrd-release, DynamicUser=no,
#                   User= and WatchdogSec=0; nothing ties it
#                   to initrd-switch-root.target or shutdown.target;
#                   systemd-analyze verify --root on the unpacked image is
#                   clean and systemd-analyze security --offline --root
#                   names bondgend@bond0.service bondgend-initrd@bond0.service
#                   and reports it running as root
#  dracut systemd + network-legacy   bondgen-dhcp@.service and
#                   bondgen-dhcp6@.service beside dracut's dhclient (apply
#                   starts them where no systemd-networkd runs)
#  dracut legacy    a host with legacy files only: the image carries
#                   etc/bondgen/legacy.yaml describing bond0 (when this
#                   build has bondgen convert)
# Usage: test-initramfs.sh SRCDIR BUILDDIR
set -euo pipefail
src=$1 build=$2

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (mkinitramfs, dracut)" >&2; exit 77; }
for t in mkinitramfs lsinitramfs dracut lsinitrd cpio; do
        command -v $t >/dev/null || { echo "SKIP: $t missing (test/deps/boot.txt)" >&2; exit 77; }
done
kver=
for d in /lib/modules/*/; do
        d=${d%/}
        if [ -e "$d/modules.dep" ] && [ -n "$(find "$d/kernel/drivers/net/bonding" -name 'bonding.ko*' 2>/dev/null)" ]; then
                kver=${d##*/}
        fi
done
[ -n "$kver" ] || { echo "SKIP: no kernel with bonding.ko under /lib/modules (linux-image-amd64)" >&2; exit 77; }

tmp=$(mktemp -d /tmp/bg-boot-initrd-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# What the build installs, staged where the hooks look for it.
mkdir -p "$tmp/sbin" "$tmp/libexec" "$tmp/units" "$tmp/root/etc/bondgen"
cp "$build/src/cli/bondgen" "$tmp/sbin/"
have_bondgend=
if [ -x "$build/src/fwd/bondgend" ]; then
        cp "$build/src/fwd/bondgend" "$tmp/sbin/"
        have_bondgend=1
fi
cp "$build/src/boot/bondgen-hotplug" "$build/src/boot/bondgen-cmdline" "$build/units/bondgen-initrd-up" "$tmp/libexec/"
cp "$build/units/bondgen-apply.service" "$build/units/bondgend@.service" "$build/units/90-bondgen.rules" \
        "$build/units/bondgen-dhcp@.service" "$build/units/bondgen-dhcp6@.service" "$tmp/units/"
cp "$src/test/unit/boot/fixtures/yaml/etc/bondgen/10-bonds.yaml" "$tmp/root/etc/bondgen/"
export BONDGEN_SRC_SBINDIR=$tmp/sbin BONDGEN_SRC_LIBEXECDIR=$tmp/libexec BONDGEN_SRC_ROOT=$tmp/root
export BONDGEN_SRC_UNITDIR=$tmp/units BONDGEN_SRC_GENERATOR=$build/src/boot/bondgen-generator

# Installed paths, as the configured scripts name them.
sbindir=$(sed -n 's/^sbindir="\(.*\)"$/\1/p' "$build/units/initramfs-hook-bondgen")
libexecdir=$(sed -n 's/^libexecdir="\(.*\)"$/\1/p' "$build/units/initramfs-hook-bondgen")
[ -n "$sbindir" ] && [ -n "$libexecdir" ] || fail "cannot read the install paths from the hook"
sbindir=${sbindir#/} libexecdir=${libexecdir#/}

has() {   # has LISTING PATTERN WHAT
        grep -qE "$2" "$1" || fail "$3 missing from the image ($2)"
}

# Legacy-only host: the image gets the model converted at build time (when
# the converter is in this build).
legacy_ok=
if "$tmp/sbin/bondgen" convert --root "$src/test/unit/boot/fixtures/legacy" >/dev/null 2>&1; then
        legacy_ok=1
fi

echo "== mkinitramfs ($kver)"
conf=$tmp/itconf
mkdir -p "$conf/conf.d" "$conf/hooks" "$conf/scripts/init-premount"
sed -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' /etc/initramfs-tools/initramfs.conf >"$conf/initramfs.conf"
echo "BONDGEN=y" >"$conf/conf.d/bondgen"
install -m 755 "$build/units/initramfs-hook-bondgen" "$conf/hooks/bondgen"
install -m 755 "$build/units/initramfs-premount-bondgen" "$conf/scripts/init-premount/bondgen"
mkinitramfs -d "$conf" -o "$tmp/it.img" "$kver" >"$tmp/it.log" 2>&1 || { cat "$tmp/it.log" >&2; fail "mkinitramfs"; }
lsinitramfs "$tmp/it.img" >"$tmp/it.list"
has "$tmp/it.list" "^$sbindir/bondgen\$" "bondgen"
[ -z "$have_bondgend" ] || has "$tmp/it.list" "^$sbindir/bondgend\$" "bondgend"
has "$tmp/it.list" "^$libexecdir/bondgen-initrd-up\$" "bondgen-initrd-up"
has "$tmp/it.list" "^$libexecdir/bondgen-cmdline\$" "bondgen-cmdline"
has "$tmp/it.list" "^etc/bondgen/10-bonds.yaml\$" "the model"
has "$tmp/it.list" "^scripts/init-premount/bondgen\$" "the init-premount script"
has "$tmp/it.list" "/kernel/drivers/net/bonding/bonding.ko" "bonding.ko"
has "$tmp/it.list" "/kernel/drivers/net/tun.ko" "tun.ko"
has "$tmp/it.list" "/kernel/net/8021q/8021q.ko" "8021q.ko (VLANs)"
has "$tmp/it.list" "/kernel/net/bridge/bridge.ko" "bridge.ko (bridges)"
has "$tmp/it.list" "libyaml" "libyaml (a library of bondgen)"
# The premount script is registered in the ORDER file the init reads.
mkdir -p "$tmp/x" && (cd "$tmp/x" && unmkinitramfs "$tmp/it.img" . >/dev/null 2>&1 || true)
order=$(find "$tmp/x" -path '*scripts/init-premount/ORDER' | head -1)
[ -n "$order" ] && grep -q "/scripts/init-premount/bondgen" "$order" || fail "init-premount/ORDER does not run bondgen"
cmp -s "$(find "$tmp/x" -path '*etc/bondgen/10-bonds.yaml' | head -1)" "$tmp/root/etc/bondgen/10-bonds.yaml" ||
        fail "the model in the image differs from the host's"
echo "ok: mkinitramfs image has bondgen"

# BONDGEN=n leaves it out.
echo "BONDGEN=n" >"$conf/conf.d/bondgen"
mkinitramfs -d "$conf" -o "$tmp/it2.img" "$kver" >"$tmp/it2.log" 2>&1 || { cat "$tmp/it2.log" >&2; fail "mkinitramfs (BONDGEN=n)"; }
lsinitramfs "$tmp/it2.img" >"$tmp/it2.list"
if grep -q "^$sbindir/bondgen\$" "$tmp/it2.list"; then
        fail "BONDGEN=n still put bondgen in the image"
fi
echo "ok: BONDGEN=n leaves bondgen out"

echo "== dracut ($kver)"
cp -a /usr/lib/dracut "$tmp/dracut"
mkdir -p "$tmp/dracut/modules.d/90bondgen"
install -m 755 "$build/units/module-setup.sh" "$build/units/bondgen-settled.sh" "$tmp/dracut/modules.d/90bondgen/"
install -m 644 "$build/units/bondgend-initrd.conf" "$tmp/dracut/modules.d/90bondgen/"
export BONDGEN_SRC_MODDIR=$tmp/dracut/modules.d/90bondgen
mkdir -p "$tmp/dconf"
# gzip at its fastest (dracut's own gzip is -9 --rsyncable: ~7 s of CPU per image)
dr() {   # dr IMAGE MODULES...
        local img=$1
        shift
        dracutbasedir=$tmp/dracut dracut --quiet --force --no-hostonly --no-early-microcode \
                --conf /dev/null --confdir "$tmp/dconf" --compress "gzip -n -1" \
                --modules "$*" --kver "$kver" "$img" >"$img.log" 2>&1 || { cat "$img.log" >&2; fail "dracut $*"; }
        lsinitrd "$img" >"$img.list"
}
dr "$tmp/dracut-sh.img" base bondgen
l=$tmp/dracut-sh.img.list
has "$l" " $sbindir/bondgen\$" "bondgen"
[ -z "$have_bondgend" ] || has "$l" " $sbindir/bondgend\$" "bondgend"
has "$l" " $libexecdir/bondgen-hotplug\$" "bondgen-hotplug"
has "$l" " $libexecdir/bondgen-initrd-up\$" "bondgen-initrd-up"
has "$l" " etc/bondgen/10-bonds.yaml\$" "the model"
has "$l" " etc/udev/rules.d/90-bondgen.rules\$" "the udev rule"
has "$l" "initqueue/settled/90-bondgen-settled.sh\$" "the initqueue/settled hook"
has "$l" "bonding.ko" "bonding.ko"
has "$l" "/tun.ko" "tun.ko"
has "$l" "/8021q.ko" "8021q.ko (VLANs)"
has "$l" "/bridge.ko" "bridge.ko (bridges)"
echo "ok: dracut (shell init) image has bondgen"

dr "$tmp/dracut-sd.img" base systemd systemd-udevd bondgen
l=$tmp/dracut-sd.img.list
has "$l" " $sbindir/bondgen\$" "bondgen"
has "$l" "system-generators/bondgen-generator\$" "the generator"
has "$l" "system/bondgen-apply.service\$" "bondgen-apply.service"
has "$l" "system/bondgend-initrd@.service\$" "bondgend-initrd@.service"
has "$l" "system/bondgend@.service -> bondgend-initrd@.service\$" "bondgend@.service, an alias of bondgend-initrd@.service"
has "$l" "system/bondgend-initrd@.service.d/50-initrd.conf\$" "the initrd drop-in"
has "$l" " etc/bondgen/10-bonds.yaml\$" "the model"
if grep -q "initqueue/settled/90-bondgen-settled.sh" "$l"; then
        fail "systemd image should not carry the shell-init hook"
fi
if grep -q "system/bondgen-dhcp@.service" "$l"; then
        fail "the systemd image without a DHCP client should not carry bondgen-dhcp@.service"
fi
echo "ok: dracut (systemd) image has bondgen"
# What the initrd's systemd makes of bondgend@bond0.service, read from the
# image itself: the unit is the build's bondgend@.service under the name
# bondgend-initrd@ (the real root has no such unit, so its own bondgend@
# starts and takes the bond over), kept on isolate, run as root (the '@'
# of argv[0] only counts for root's processes), without the watchdog; it
# verifies clean.
mkdir "$tmp/sd" && (cd "$tmp/sd" && lsinitrd --unpack "$tmp/dracut-sd.img" >/dev/null 2>&1) || fail "unpacking the systemd image"
sysd=$tmp/sd/usr/lib/systemd/system
cmp -s "$sysd/bondgend-initrd@.service" "$build/units/bondgend@.service" ||
        fail "bondgend-initrd@.service in the image is not the build's bondgend@.service"
for kv in IgnoreOnIsolate=yes ConditionPathExists=/etc/initrd-release DynamicUser=no User= WatchdogSec=0; do
        grep -qx "$kv" "$sysd/bondgend-initrd@.service.d/50-initrd.conf" || fail "the initrd drop-in does not set $kv"
done
if grep -qE "^(Conflicts|Before|Requires|BindsTo|PartOf)=.*(initrd-switch-root|shutdown)\.target" \
        "$sysd/bondgend-initrd@.service" "$sysd/bondgend-initrd@.service.d/"*.conf; then
        fail "the initrd's bondgend@ is tied to initrd-switch-root.target or shutdown.target"
fi
grep -qx "DefaultDependencies=no" "$sysd/bondgend-initrd@.service" || fail "bondgend@.service has default dependencies"
if out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$tmp/sd" bondgend@bond0.service 2>&1) &&
        [ -z "$out" ]; then
        echo "ok: bondgend@bond0.service verifies clean in the image's root"
else
        fail "systemd-analyze verify in the image's root: $out"
fi
sec=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze security --offline=yes --root="$tmp/sd" bondgend@bond0.service 2>&1) ||
        fail "systemd-analyze security in the image's root: $sec"
grep -q "exposure level for bondgend-initrd@bond0.service:" <<<"$sec" ||
        fail "bondgend@bond0.service is not bondgend-initrd@bond0.service in the image: $(tail -1 <<<"$sec")"
grep -qE "User=/DynamicUser=.*runs as root user" <<<"$sec" || fail "the initrd's bondgend@ does not run as root"
echo "ok: in the image bondgend@bond0.service is bondgend-initrd@bond0.service, as root ($(sed -n 's/.*Overall exposure level for [^:]*: //p' <<<"$sec"))"

# systemd without systemd-networkd, DHCP by dracut's network-legacy
# (dhclient): apply starts bondgen-dhcp@LINK.service, so it must be there
if [ -x /usr/sbin/dhclient ] || [ -x /sbin/dhclient ]; then
        dr "$tmp/dracut-sdl.img" base systemd systemd-udevd network-legacy bondgen
        has "$tmp/dracut-sdl.img.list" "system/bondgen-dhcp@.service\$" "bondgen-dhcp@.service"
        has "$tmp/dracut-sdl.img.list" "system/bondgen-dhcp6@.service\$" "bondgen-dhcp6@.service"
        has "$tmp/dracut-sdl.img.list" "bin/dhclient\$" "dhclient"
        echo "ok: dracut (systemd, network-legacy) image has the DHCP units and dhclient"
else
        echo "note: no dhclient here (isc-dhcp-client); the network-legacy image is not checked"
fi

if [ -n "$legacy_ok" ]; then
        rm -f "$tmp/root/etc/bondgen/"*.yaml
        cp -a "$src/test/unit/boot/fixtures/legacy/etc/." "$tmp/root/etc/"
        dr "$tmp/dracut-legacy.img" base bondgen
        has "$tmp/dracut-legacy.img.list" " etc/bondgen/legacy.yaml\$" "the model converted from legacy files"
        lsinitrd -f etc/bondgen/legacy.yaml "$tmp/dracut-legacy.img" >"$tmp/legacy.yaml"
        grep -q "name: bond0" "$tmp/legacy.yaml" ||
                fail "legacy.yaml in the image does not describe bond0"
        echo "ok: legacy files converted into the dracut image"
else
        echo "note: bondgen convert not in this build; legacy conversion into the image not checked"
fi
echo "all initramfs checks passed"
