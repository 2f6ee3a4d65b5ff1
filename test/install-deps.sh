#!/bin/bash
# Install the Debian packages the build and the test suite need: the union
# of test/deps/*.txt, or of the list files given as arguments (one package
# a line, '#' comments; examples/demo passes its own). Packages already
# installed are skipped; apt-get runs only when something is missing, and
# never installs recommended packages (qemu alone would pull a desktop).
# Usage: test/install-deps.sh [LIST...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then lists=("$@"); else lists=("$here"/deps/*.txt); fi
mapfile -t want < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${lists[@]}" | grep -v '^$' | sort -u)
missing=()
for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
        echo "install-deps: all ${#want[@]} packages present"
        exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages (run as root to install): ${missing[*]}" >&2
        exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Installing must not start services on the host (network-manager would
# start managing its interfaces, openvswitch-switch its own daemons): the
# tests start what they need themselves, in namespaces they create. A
# policy-rc.d that refuses every start is put in place for the install
# (invoke-rc.d and deb-systemd-invoke honour it), unless one exists.
if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# No translated package descriptions: nothing here reads them, and they
# are the largest index a fresh machine downloads.
apt-get update -q -o Acquire::Languages=none
apt-get install -y -q --no-install-recommends "${missing[@]}"
