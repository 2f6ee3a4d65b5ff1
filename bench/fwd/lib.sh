# SPDX-License-Identifier: LGPL-2.1-or-later
# What the bench/fwd scripts share (sourced; root).

# bench_bridge_topo H S CIDR: namespaces H and S, two veth pairs h0/h1 (in
# H, the bond's ports) to t0/t1 (in S), bridged by br0 with address CIDR.
bench_bridge_topo() {
        local h=$1 s=$2 cidr=$3 i
        ip netns add $h; ip netns add $s
        for n in $h $s; do ip -n $n link set lo up; done
        ip -n $s link add br0 type bridge
        for i in 0 1; do
                ip link add h$i netns $h type veth peer name t$i netns $s
                ip -n $s link set t$i master br0; ip -n $s link set t$i up
        done
        ip -n $s link set br0 up; ip -n $s addr add $cidr dev br0
}
