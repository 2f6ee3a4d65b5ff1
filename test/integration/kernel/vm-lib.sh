# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Reusable qemu harness: boot Debian's kernel (it ships bonding.ko) with a
# small initramfs built here from busybox-static, chosen binaries (with the
# shared libraries ldd lists) and chosen kernel modules (with their
# dependencies from modinfo). The guest's /init mounts the pseudo file
# systems, loads the modules, runs /bgvm/test.sh and powers off. Results
# are read from the serial console log; the qemu monitor is a pipe pair so
# no socat is needed.
#
# What a test builds with it (BGVM_WRAP puts qemu in the test's namespace;
# the test makes the bridge or bondgend and puts the TAPs on it):
#   host namespace NS                      qemu guest (serial -> NAME.serial,
#   [bridge / bondgend / nothing]           monitor on a pipe pair)
#     ├─ TAP tap0 ──── bgvm_nic n0 ──── virtio eth0 (MAC given)
#     └─ TAP tap1 ──── bgvm_nic n1 ──── virtio eth1
#   initramfs: busybox, /init, binaries + libraries, modules, /bgvm/test.sh
#   guest -> host: BGVM-BOOTED, BGVM-PLAN, BGVM-RESULT, BGVM-REQUEST, BGVM-DONE
# Cases: none of its own (a library); each test's header lists them.
#
# Usage (source it; see vm-apply.sh and vm-lacp.sh for complete tests):
#   bgvm_check || exit 77            # prints why on stderr
#   BGVM_DIR=$(mktemp -d)            # logs, monitor pipes, initrd
#   d=$(bgvm_initramfs_new "$BGVM_DIR")
#   bgvm_add_binary "$d" /path/bondgen     # -> /usr/sbin, with its libraries
#   bgvm_add_modules "$d" bonding virtio_net virtio_pci
#   bgvm_add_file "$d" local-file /bgvm/test.sh   # /init runs /bgvm/test.sh
#   bgvm_pack "$d" "$BGVM_DIR/initrd.gz"
#   BGVM_WRAP="ip netns exec NS"     # optional: run qemu (and its TAPs) in NS
#   bgvm_start vm1 "$BGVM_DIR/initrd.gz" -- $(bgvm_nic n0 tap0 52:54:00:00:00:01)
#   bgvm_wait_tap NS tap0            # qemu created it
#   bgvm_wait vm1 'BGVM-REQUEST x' 120     # grep -E on the serial log
#   bgvm_monitor vm1 'set_link n0 off'     # qemu monitor command
#   bgvm_wait vm1 'BGVM-DONE' 120; bgvm_stop vm1
#   bgvm_results vm1                 # BGVM-PLAN/BGVM-RESULT lines -> 0/1
# A test that needs its own /init (a real boot from an initramfs made by
# dracut or initramfs-tools) can skip bgvm_initramfs_new and pass its own
# image to bgvm_start; BGVM_APPEND adds kernel arguments.
#
# Environment: BGVM_KERNEL (vmlinuz path) and BGVM_KVER override the kernel
# choice; BGVM_MEM (MiB, default 384); BGVM_ACCEL=kvm opts in to KVM
# (default tcg); BGVM_REBOOT=1 lets a guest reboot (default: a reboot ends
# qemu), for "change the files and reboot" tests with a disk (-drive ...).

BGVM_DIR=${BGVM_DIR:-}
declare -A BGVM_PID=() BGVM_LOG=() BGVM_MONFD=()

bgvm_log() { printf 'bgvm: %s\n' "$*" >&2; }

# Pick a kernel whose modules tree has bonding.ko: the newest installed
# linux-image (its version is usually not the running kernel's).
bgvm_find_kernel() {
        local k v
        if [ -n "${BGVM_KERNEL:-}" ] && [ -n "${BGVM_KVER:-}" ]; then
                return 0
        fi
        for k in $(ls -1v /boot/vmlinuz-* 2>/dev/null | tac); do
                v=${k#/boot/vmlinuz-}
                if [ -d "/lib/modules/$v/kernel/drivers/net/bonding" ]; then
                        BGVM_KERNEL=$k
                        BGVM_KVER=$v
                        return 0
                fi
        done
        return 1
}

# 0 if a VM can be booted here; otherwise prints the reason and returns 1.
bgvm_check() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "SKIP: needs root (tap devices in a network namespace)" >&2; return 1
        fi
        command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 not installed (package qemu-system-x86)" >&2; return 1; }
        BGVM_BUSYBOX=$(command -v busybox || true)
        if [ -z "$BGVM_BUSYBOX" ] || ! file -L "$BGVM_BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
                [ -x /bin/busybox ] && BGVM_BUSYBOX=/bin/busybox
                if ! ldd "$BGVM_BUSYBOX" 2>&1 | grep -q 'not a dynamic'; then
                        echo "SKIP: busybox-static not installed" >&2; return 1
                fi
        fi
        bgvm_find_kernel || { echo "SKIP: no /boot/vmlinuz-* with bonding.ko (package linux-image-amd64)" >&2; return 1; }
        [ -r "$BGVM_KERNEL" ] || { echo "SKIP: cannot read $BGVM_KERNEL" >&2; return 1; }
        [ -c /dev/net/tun ] || { echo "SKIP: /dev/net/tun missing" >&2; return 1; }
        return 0
}

# Software emulation (TCG) by default: it boots this initramfs in about
# 5 s, and nested KVM is known to hang or abort on some CI hosts (seen:
# "failed to set MSR 0x10a" with -cpu max, a spinning vCPU with -cpu host).
# BGVM_ACCEL=kvm opts in.
bgvm_accel() {
        echo "${BGVM_ACCEL:-tcg}"
}

bgvm_initramfs_new() {
        local work=$1 d="$1/root"
        rm -rf "$d"
        mkdir -p "$d"/{bin,sbin,etc,proc,sys,dev,run,tmp,lib,lib64,usr/lib,bgvm,lib/modules}
        cp "$BGVM_BUSYBOX" "$d/bin/busybox"
        local a
        for a in $("$BGVM_BUSYBOX" --list); do
                [ -e "$d/bin/$a" ] || ln -s busybox "$d/bin/$a"
        done
        cat >"$d/init" <<'INIT'
#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp /dev/pts
mount -t tmpfs tmpfs /run
echo "BGVM-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime)"
if [ -f /etc/bgvm-modules ]; then
        while read -r m; do
                insmod "/lib/modules/$m" || echo "BGVM-WARN insmod $m failed"
        done </etc/bgvm-modules
fi
ip link set lo up
rc=0
if [ -x /bgvm/test.sh ]; then
        /bgvm/test.sh || rc=$?
fi
echo "BGVM-DONE rc=$rc"
sync
poweroff -f
INIT
        chmod 755 "$d/init"
        echo "$d"
}

# Copy executables and the shared libraries they need (same paths inside).
bgvm_add_binary() {
        local d=$1; shift
        local f lib
        for f in "$@"; do
                mkdir -p "$d/usr/sbin"
                cp -L "$f" "$d/usr/sbin/$(basename "$f")"
                for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+'); do
                        [ -e "$d$lib" ] && continue
                        mkdir -p "$d$(dirname "$lib")"
                        cp -L "$lib" "$d$lib"
                done
        done
}

bgvm_add_file() {
        mkdir -p "$1$(dirname "$3")"
        cp -L "$2" "$1$3"
}

# Modules with their dependencies, loaded in dependency order at boot.
bgvm_add_modules() {
        local d=$1; shift
        local -a order=()
        local -A seen=()
        _bgvm_mod() {
                local m=$1 dep p
                [ -n "${seen[$m]:-}" ] && return 0
                seen[$m]=1
                p=$(modinfo -k "$BGVM_KVER" -n "$m" 2>/dev/null) || { bgvm_log "module $m not found for $BGVM_KVER"; return 1; }
                case "$p" in (builtin|"") return 0 ;; (/*) ;; (*) return 0 ;; esac
                for dep in $(modinfo -k "$BGVM_KVER" -F depends "$m" | tr ',' ' '); do
                        _bgvm_mod "$dep" || return 1
                done
                local rel=${p#/lib/modules/$BGVM_KVER/}
                mkdir -p "$d/lib/modules/$(dirname "$rel")"
                case "$p" in
                (*.ko.xz) xz -dc "$p" >"$d/lib/modules/${rel%.xz}"; rel=${rel%.xz} ;;
                (*.ko.zst) zstd -qdc "$p" >"$d/lib/modules/${rel%.zst}"; rel=${rel%.zst} ;;
                (*) cp "$p" "$d/lib/modules/$rel" ;;
                esac
                order+=("$rel")
        }
        local m
        for m in "$@"; do _bgvm_mod "$m" || return 1; done
        printf '%s\n' "${order[@]}" >>"$d/etc/bgvm-modules"
}

bgvm_pack() {
        (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$2"
}

# The boot tests' machine (boot/vm-*.sh): bgvm_boot_machine WORK SRC
# BUILD puts the CentOS example's /etc under WORK/root and bondgen's
# programs from the build under WORK/sbin and WORK/libexec, where the
# image configurations look for them.
bgvm_boot_machine() {
        local work=$1 src=$2 build=$3
        mkdir -p "$work/root/etc" "$work/sbin" "$work/libexec" &&
                cp -a "$src/examples/centos-bond0/root/etc/." "$work/root/etc/" &&
                cp "$build/src/cli/bondgen" "$build/src/fwd/bondgend" "$work/sbin/" &&
                cp "$build/src/boot/bondgen-cmdline" "$build/src/boot/bondgen-hotplug" \
                        "$build/units/bondgen-initrd-up" "$work/libexec/"
}

# The boot tests' partner: bgvm_boot_partner NS makes the namespace NS
# with the bridge bgboot-br (10.10.10.2/24) that the guest's NICs join.
bgvm_boot_partner() {
        local ns=$1
        ip netns add "$ns" && ip -n "$ns" link set lo up &&
                ip -n "$ns" link add bgboot-br type bridge &&
                ip -n "$ns" addr add 10.10.10.2/24 dev bgboot-br &&
                ip -n "$ns" link set bgboot-br up
}

# The handover tests' run under a ping stream: bgvm_boot_stream NAME IMG NS
# MARKER WAIT TAP0 MAC0 TAP1 MAC1 starts machine NAME from IMG with two
# NICs joined to NS's bgboot-br (bgvm_boot_partner), waits up to 480 s for
# the guest's 10.10.10.1 to answer, then pings it every 10 ms into
# $BGVM_DIR/stream.log until the console shows MARKER (at most WAIT
# seconds) and 2 s more, and stops the machine. The stream's pid is in
# BGVM_STREAM meanwhile (a caller's cleanup kills it). 1, with the
# console's tail, when the guest never answered.
BGVM_STREAM=
bgvm_boot_stream() {
        local name=$1 img=$2 ns=$3 marker=$4 wait=$5 tap0=$6 mac0=$7 tap1=$8 mac1=$9 tap deadline up=
        # shellcheck disable=SC2046
        bgvm_start "$name" "$img" -- $(bgvm_nic n0 "$tap0" "$mac0") $(bgvm_nic n1 "$tap1" "$mac1") || return 1
        for tap in "$tap0" "$tap1"; do
                bgvm_wait_tap "$ns" "$tap" || { cat "$BGVM_DIR/$name.qemu.log" >&2; bgvm_log "qemu made no $tap"; return 1; }
                ip -n "$ns" link set "$tap" master bgboot-br
                ip -n "$ns" link set "$tap" up
        done
        deadline=$((SECONDS + 480))
        while [ $SECONDS -lt $deadline ]; do
                if ip netns exec "$ns" ping -c 1 -W 3 10.10.10.1 >/dev/null 2>&1; then up=1; break; fi
                kill -0 "${BGVM_PID[$name]}" 2>/dev/null || break
                sleep 0.2
        done
        [ -n "$up" ] || { tr -d '\r' <"${BGVM_LOG[$name]}" | tail -40 >&2; bgvm_log "10.10.10.1 never answered"; return 1; }
        ip netns exec "$ns" ping -n -i 0.01 -W 1 10.10.10.1 >"$BGVM_DIR/stream.log" 2>&1 &
        BGVM_STREAM=$!
        bgvm_wait "$name" "$marker" "$wait" || true
        sleep 2
        kill -INT "$BGVM_STREAM"; wait "$BGVM_STREAM" 2>/dev/null || true
        BGVM_STREAM=
        bgvm_stop "$name"
}

# The boot tests' initramfs-tools images (boot/vm-*.sh):
# bgvm_itools_conf CONFDIR BUILDDIR: a configuration directory for
# mkinitramfs -d (MODULES=list with the virtio NIC drivers, gzip) holding
# bondgen's hook and init-premount script from the build; a test may add
# hooks and scripts of its own.
bgvm_itools_conf() {
        local conf=$1 build=$2
        mkdir -p "$conf/conf.d" "$conf/hooks" "$conf/scripts/init-premount"
        sed -e 's/^MODULES=.*/MODULES=list/' -e 's/^COMPRESS=.*/COMPRESS=gzip/' /etc/initramfs-tools/initramfs.conf \
                >"$conf/initramfs.conf"
        printf 'virtio_pci\nvirtio_net\n' >"$conf/modules"
        install -m 755 "$build/units/initramfs-hook-bondgen" "$conf/hooks/bondgen"
        install -m 755 "$build/units/initramfs-premount-bondgen" "$conf/scripts/init-premount/bondgen"
}

# bgvm_itools_image CONFDIR WORK IMAGE: mkinitramfs with that configuration,
# bondgen's files staged in WORK/sbin and WORK/libexec and the host in
# WORK/root; the image is also unpacked into WORK/x, and BGVM_ITOP names its
# main tree, for a test to change (the user-space runs delete bonding.ko)
# and pack again with bgvm_pack. 1 (with mkinitramfs's log) on failure.
bgvm_itools_image() {
        local conf=$1 work=$2 img=$3
        BONDGEN_SRC_SBINDIR=$work/sbin BONDGEN_SRC_LIBEXECDIR=$work/libexec BONDGEN_SRC_ROOT=$work/root \
                mkinitramfs -d "$conf" -o "$img" "$BGVM_KVER" >"$work/mkinitramfs.log" 2>&1 ||
                { cat "$work/mkinitramfs.log" >&2; return 1; }
        mkdir "$work/x"
        (cd "$work/x" && unmkinitramfs "$img" .) || return 1
        BGVM_ITOP=$work/x
        [ -d "$work/x/main" ] && BGVM_ITOP=$work/x/main
        return 0
}

# bgvm_start NAME INITRD [-- qemu args...]: boots in the background. The
# serial console goes to $BGVM_DIR/NAME.serial, the monitor is a pipe pair.
bgvm_start() {
        local name=$1 initrd=$2; shift 2
        [ "${1:-}" = "--" ] && shift
        local dir=${BGVM_DIR:?BGVM_DIR not set}
        local accel; accel=$(bgvm_accel)
        local cpu=max extra=
        [ "$accel" = kvm ] && cpu=host
        # Under TCG on a loaded host the guest's check that the timer
        # interrupt works (check_timer(), arch/x86/kernel/apic/io_apic.c)
        # can miss its window and panic before the initramfs runs;
        # no_timer_check skips it, as for any slow virtual machine.
        [ "$accel" = tcg ] && extra=no_timer_check
        local mon="$dir/$name.mon"
        rm -f "$mon.in" "$mon.out"
        mkfifo "$mon.in" "$mon.out"
        BGVM_LOG[$name]="$dir/$name.serial"
        : >"${BGVM_LOG[$name]}"
        bgvm_log "starting $name: kernel $BGVM_KVER, accel $accel"
        ${BGVM_WRAP:-} qemu-system-x86_64 -machine "q35,accel=$accel" -cpu "$cpu" -m "${BGVM_MEM:-384}" -smp 1 \
                -nodefaults -no-user-config -display none $([ "${BGVM_REBOOT:-0}" = 1 ] || echo -no-reboot) \
                -kernel "$BGVM_KERNEL" -initrd "$initrd" \
                -append "console=ttyS0 panic=-1 quiet loglevel=4 $extra ${BGVM_APPEND:-}" \
                -serial "file:${BGVM_LOG[$name]}" -monitor "pipe:$mon" \
                "$@" >"$dir/$name.qemu.log" 2>&1 &
        BGVM_PID[$name]=$!
        local fd
        exec {fd}<>"$mon.in"
        BGVM_MONFD[$name]=$fd
        cat "$mon.out" >"$dir/$name.monitor.log" 2>/dev/null &
}

bgvm_monitor() {
        local name=$1; shift
        printf '%s\n' "$*" >&"${BGVM_MONFD[$name]}"
}

# bgvm_wait NAME ERE TIMEOUT: 0 when the serial log matches, 1 on timeout
# or when qemu exited first.
bgvm_wait() {
        local name=$1 re=$2 t=${3:-60} end
        end=$((SECONDS + t))
        while [ $SECONDS -lt $end ]; do
                grep -qaE "$re" "${BGVM_LOG[$name]}" 2>/dev/null && return 0
                if ! kill -0 "${BGVM_PID[$name]}" 2>/dev/null; then
                        grep -qaE "$re" "${BGVM_LOG[$name]}" 2>/dev/null && return 0
                        return 1
                fi
                sleep 0.2
        done
        return 1
}

bgvm_wait_exit() {
        local name=$1 t=${2:-60} end
        end=$((SECONDS + t))
        while kill -0 "${BGVM_PID[$name]}" 2>/dev/null; do
                [ $SECONDS -ge $end ] && return 1
                sleep 0.2
        done
        return 0
}

bgvm_stop() {
        local name=$1
        local pid=${BGVM_PID[$name]:-}
        [ -n "$pid" ] || return 0
        if kill -0 "$pid" 2>/dev/null; then
                bgvm_monitor "$name" quit 2>/dev/null || true
                bgvm_wait_exit "$name" 5 || kill "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null || true
        local fd=${BGVM_MONFD[$name]:-}
        if [ -n "$fd" ]; then exec {fd}>&-; fi
        unset "BGVM_PID[$name]" "BGVM_MONFD[$name]"
}

bgvm_stop_all() {
        local n
        for n in "${!BGVM_PID[@]}"; do bgvm_stop "$n"; done
}

# bgvm_results NAME: summarise the guest's checks from the serial log:
#   BGVM-PLAN N               number of checks the guest will report
#   BGVM-RESULT PASS|FAIL name[: detail]
#   BGVM-DONE rc=N            written by /init after the test script
# Prints the console and a summary; 0 only if every planned check passed.
bgvm_results() {
        local name=$1 log planned passed failed
        log=$(tr -d '\r' <"${BGVM_LOG[$name]}")
        echo "---- $name: serial console ----"
        printf '%s\n' "$log"
        echo "---- end of $name ----"
        planned=$(sed -n 's/^BGVM-PLAN \([0-9]*\)$/\1/p' <<<"$log")
        passed=$(grep -c '^BGVM-RESULT PASS ' <<<"$log" || true)
        failed=$(grep -c '^BGVM-RESULT FAIL ' <<<"$log" || true)
        echo "$name: checks planned ${planned:-?}, passed $passed, failed $failed"
        [ -n "$planned" ] && [ "$failed" -eq 0 ] && [ "$passed" -eq "$planned" ] &&
                grep -q '^BGVM-DONE rc=0' <<<"$log"
}

# bgvm_nic ID TAP MAC: qemu arguments for a virtio NIC on a TAP device
# (qemu creates it in the namespace qemu runs in; see BGVM_WRAP). The NIC
# reports a speed and duplex: 802.3ad keeps ports without them down.
bgvm_nic() {
        printf -- '-netdev tap,id=%s,ifname=%s,script=no,downscript=no -device virtio-net-pci,netdev=%s,mac=%s,speed=10000,duplex=full ' \
                "$1" "$2" "$1" "$3"
}

# bgvm_wait_tap NS TAP: wait (5 s at most) until qemu has made the TAP.
bgvm_wait_tap() {
        local i
        for i in $(seq 50); do
                ip -n "$1" link show "$2" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}
