/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The option catalogue: one row per kernel bonding option (src/README.md).
 *
 * Facts: names, value tables, ranges, defaults, modes and flags from the
 * kernel's drivers/net/bonding/bond_options.c (bond_opts[]); IFLA_BOND_*
 * numbers from include/uapi/linux/if_link.h and their types from
 * bond_netlink.c (bond_policy); module parameters from bond_main.c. The
 * networkd names from systemd.netdev(5) [Bond], netplan's from its
 * src/parse.c bond_params_handlers, the keyfile's from NetworkManager's
 * nm-setting-bond.c.
 * Value parsing lives in optval.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

#define INT_MAX_U 2147483647ull

#define M(x) BG_MODE_BIT(BG_MODE_##x)
#define M_RR M(BALANCE_RR)
#define M_AB M(ACTIVE_BACKUP)
#define M_XOR M(BALANCE_XOR)
#define M_BC M(BROADCAST)
#define M_AD M(8023AD)
#define M_TLB M(BALANCE_TLB)
#define M_ALB M(BALANCE_ALB)
/* The modes that can use the ARP monitor: 4, 5 and 6 cannot (EACCES). */
#define M_ARP (M_RR | M_AB | M_XOR | M_BC)

static const struct bg_enum_val mode_vals[] = {
        { "balance-rr", 0 },  { "active-backup", 1 }, { "balance-xor", 2 }, { "broadcast", 3 },
        { "802.3ad", 4 },     { "balance-tlb", 5 },   { "balance-alb", 6 }, { NULL, 0 },
};
static const struct bg_enum_val bool_vals[] = { { "off", 0 }, { "on", 1 }, { NULL, 0 } };
static const struct bg_enum_val arp_validate_vals[] = {
        { "none", 0 },   { "active", 1 },        { "backup", 2 },        { "all", 3 },
        { "filter", 4 }, { "filter_active", 5 }, { "filter_backup", 6 }, { NULL, 0 },
};
static const struct bg_enum_val arp_all_targets_vals[] = { { "any", 0 }, { "all", 1 }, { NULL, 0 } };
static const struct bg_enum_val primary_reselect_vals[] = {
        { "always", 0 }, { "better", 1 }, { "failure", 2 }, { NULL, 0 },
};
static const struct bg_enum_val fail_over_mac_vals[] = {
        { "none", 0 }, { "active", 1 }, { "follow", 2 }, { NULL, 0 },
};
static const struct bg_enum_val xmit_hash_vals[] = {
        { "layer2", 0 },   { "layer3+4", 1 }, { "layer2+3", 2 },    { "encap2+3", 3 },
        { "encap3+4", 4 }, { "vlan+srcmac", 5 }, { NULL, 0 },
};
static const struct bg_enum_val lacp_rate_vals[] = { { "slow", 0 }, { "fast", 1 }, { NULL, 0 } };
/* actor_port_prio (3) is the newest kernels' policy (net-next 2025, "bonding:
 * add support for per-port LACP actor priority"). */
static const struct bg_enum_val ad_select_vals[] = {
        { "stable", 0 }, { "bandwidth", 1 }, { "count", 2 }, { "actor_port_prio", 3 }, { NULL, 0 },
};

static const char *const num_grat_arp_aliases[] = { "num_unsol_na", NULL };

#define ROW(ID, ...) [BG_OPT_##ID] = { .id = BG_OPT_##ID, __VA_ARGS__ }

const struct bg_opt_info bg_catalog[BG_OPT__MAX] = {
        ROW(MODE, .name = "mode", .type = BG_OT_ENUM, .enums = mode_vals, .def = 0,
            .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_IFDOWN | BG_OF_NOSLAVES | BG_OF_MODULE_PARAM,
            .ifla = 1, .nla = BG_NLA_U8,
            .networkd = "Mode", .netplan = "mode", .keyfile = "mode",
            .doc = "bonding policy: how frames are spread over the ports"),
        ROW(MIIMON, .name = "miimon", .type = BG_OT_MSEC, .min = 0, .max = INT_MAX_U, .def = 0,
            .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL, .flags = BG_OF_MODULE_PARAM,
            .ifla = 3, .nla = BG_NLA_U32,
            .networkd = "MIIMonitorSec", .netplan = "mii-monitor-interval", .keyfile = "miimon",
            .doc = "MII link monitoring interval in ms (0 = off)"),
        ROW(UPDELAY, .name = "updelay", .type = BG_OT_MSEC, .min = 0, .max = INT_MAX_U, .def = 0,
            .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_NEEDS_MIIMON | BG_OF_MODULE_PARAM, .ifla = 4, .nla = BG_NLA_U32,
            .networkd = "UpDelaySec", .netplan = "up-delay", .keyfile = "updelay",
            .doc = "ms to wait before enabling a port whose link came up (multiple of miimon)"),
        ROW(DOWNDELAY, .name = "downdelay", .type = BG_OT_MSEC, .min = 0, .max = INT_MAX_U, .def = 0,
            .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_NEEDS_MIIMON | BG_OF_MODULE_PARAM, .ifla = 5, .nla = BG_NLA_U32,
            .networkd = "DownDelaySec", .netplan = "down-delay", .keyfile = "downdelay",
            .doc = "ms to wait before disabling a port whose link went down (multiple of miimon)"),
        /* Netlink caps it at 300000 (older kernels INT_MAX); not a module parameter.
         * It spaces the peer notifications, so it matters where those are sent. */
        ROW(PEER_NOTIF_DELAY, .name = "peer_notif_delay", .type = BG_OT_MSEC, .min = 0,
            .max = 300000, .def = 0, .modes = BG_MODES_ALL, .effect_modes = M_AB | M_AD,
            .flags = BG_OF_NEEDS_MIIMON, .ifla = 28, .nla = BG_NLA_U32,
            .networkd = "PeerNotifyDelaySec", .keyfile = "peer_notif_delay",
            .doc = "ms between repeated peer notifications after a failover (multiple of miimon)"),
        /* Obsolete in recent kernels (only 1 is valid there) but still accepted. */
        ROW(USE_CARRIER, .name = "use_carrier", .type = BG_OT_BOOL, .enums = bool_vals, .min = 0,
            .max = 1, .def = 1, .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_MODULE_PARAM, .ifla = 6, .nla = BG_NLA_U8, .keyfile = "use_carrier",
            .doc = "take link state from the carrier (on) or from MII/ethtool ioctls (off)"),
        ROW(ARP_INTERVAL, .name = "arp_interval", .type = BG_OT_MSEC, .min = 0, .max = INT_MAX_U,
            .def = 0, .modes = M_ARP, .effect_modes = M_ARP, .flags = BG_OF_MODULE_PARAM,
            .ifla = 7, .nla = BG_NLA_U32,
            .networkd = "ARPIntervalSec", .netplan = "arp-interval", .keyfile = "arp_interval",
            .doc = "ARP link monitoring interval in ms (0 = off)"),
        ROW(ARP_IP_TARGET, .name = "arp_ip_target", .type = BG_OT_IPV4_LIST, .min = 0, .max = 16,
            .modes = M_ARP, .effect_modes = M_ARP, .flags = BG_OF_MODULE_PARAM | BG_OF_LIST,
            .ifla = 8, .nla = BG_NLA_NESTED_IN4,
            .networkd = "ARPIPTargets", .netplan = "arp-ip-targets", .keyfile = "arp_ip_target",
            .doc = "IPv4 addresses the ARP monitor probes (up to 16)"),
        ROW(NS_IP6_TARGET, .name = "ns_ip6_target", .type = BG_OT_IPV6_LIST, .min = 0, .max = 16,
            .modes = M_ARP, .effect_modes = M_ARP, .flags = BG_OF_LIST,
            .ifla = 31, .nla = BG_NLA_NESTED_IN6,
            .doc = "IPv6 addresses the NS monitor probes (up to 16)"),
        ROW(ARP_VALIDATE, .name = "arp_validate", .type = BG_OT_ENUM, .enums = arp_validate_vals,
            .def = 0, .modes = M_ARP, .effect_modes = M_ARP, .flags = BG_OF_MODULE_PARAM,
            .ifla = 9, .nla = BG_NLA_U32,
            .networkd = "ARPValidate", .netplan = "arp-validate", .keyfile = "arp_validate",
            .doc = "which ARP replies count as proof of a working link"),
        ROW(ARP_ALL_TARGETS, .name = "arp_all_targets", .type = BG_OT_ENUM,
            .enums = arp_all_targets_vals, .def = 0, .modes = BG_MODES_ALL, .effect_modes = M_AB,
            .flags = BG_OF_MODULE_PARAM, .ifla = 10, .nla = BG_NLA_U32,
            .networkd = "ARPAllTargets", .netplan = "arp-all-targets", .keyfile = "arp_all_targets",
            .doc = "a port is up when any (or all) ARP targets answer"),
        /* networkd and netplan express primary on the port (PrimarySlave=, a
         * netplan ID), not as a [Bond] key: emitters handle it themselves. */
        ROW(PRIMARY, .name = "primary", .type = BG_OT_IFNAME, .modes = M_AB | M_TLB | M_ALB,
            .effect_modes = M_AB | M_TLB | M_ALB, .flags = BG_OF_MODULE_PARAM,
            .ifla = 11, .nla = BG_NLA_IFINDEX, .netplan = "primary", .keyfile = "primary",
            .doc = "preferred port while its link is up"),
        ROW(PRIMARY_RESELECT, .name = "primary_reselect", .type = BG_OT_ENUM,
            .enums = primary_reselect_vals, .def = 0, .modes = BG_MODES_ALL,
            .effect_modes = M_AB | M_TLB | M_ALB, .flags = BG_OF_MODULE_PARAM,
            .ifla = 12, .nla = BG_NLA_U8, .networkd = "PrimaryReselectPolicy",
            .netplan = "primary-reselect-policy", .keyfile = "primary_reselect",
            .doc = "when the primary port takes over again after it came back"),
        ROW(FAIL_OVER_MAC, .name = "fail_over_mac", .type = BG_OT_ENUM, .enums = fail_over_mac_vals,
            .def = 0, .modes = BG_MODES_ALL, .effect_modes = M_AB,
            .flags = BG_OF_NOSLAVES | BG_OF_MODULE_PARAM, .ifla = 13, .nla = BG_NLA_U8,
            .networkd = "FailOverMACPolicy", .netplan = "fail-over-mac-policy",
            .keyfile = "fail_over_mac", .doc = "how MAC addresses move on failover"),
        /* Used by balance-xor, 802.3ad and tlb/alb (tlb/alb: with tlb_dynamic_lb=0). */
        ROW(XMIT_HASH_POLICY, .name = "xmit_hash_policy", .type = BG_OT_ENUM,
            .enums = xmit_hash_vals, .def = 0, .modes = BG_MODES_ALL,
            .effect_modes = M_XOR | M_AD | M_TLB | M_ALB, .flags = BG_OF_MODULE_PARAM,
            .ifla = 14, .nla = BG_NLA_U8, .networkd = "TransmitHashPolicy",
            .netplan = "transmit-hash-policy", .keyfile = "xmit_hash_policy",
            .doc = "which header fields choose the transmit port"),
        ROW(RESEND_IGMP, .name = "resend_igmp", .type = BG_OT_UINT, .min = 0, .max = 255, .def = 1,
            .modes = BG_MODES_ALL, .effect_modes = M_RR | M_AB | M_TLB | M_ALB,
            .flags = BG_OF_MODULE_PARAM, .ifla = 15, .nla = BG_NLA_U32,
            .networkd = "ResendIGMP", .netplan = "resend-igmp", .keyfile = "resend_igmp",
            .doc = "IGMP membership reports sent after a failover"),
        ROW(NUM_GRAT_ARP, .name = "num_grat_arp", .aliases = num_grat_arp_aliases,
            .type = BG_OT_UINT, .min = 0, .max = 255, .def = 1, .modes = BG_MODES_ALL,
            .effect_modes = M_AB | M_AD, .flags = BG_OF_MODULE_PARAM, .ifla = 16,
            .nla = BG_NLA_U8, .networkd = "GratuitousARP", .netplan = "gratuitous-arp",
            .keyfile = "num_grat_arp",
            .doc = "peer notifications (gratuitous ARP / unsolicited NA) after a failover"),
        ROW(ALL_SLAVES_ACTIVE, .name = "all_slaves_active", .type = BG_OT_BOOL, .enums = bool_vals,
            .min = 0, .max = 1, .def = 0, .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_MODULE_PARAM, .ifla = 17, .nla = BG_NLA_U8,
            .networkd = "AllSlavesActive", .netplan = "all-members-active",
            .keyfile = "all_slaves_active", .doc = "deliver frames received on inactive ports"),
        ROW(MIN_LINKS, .name = "min_links", .type = BG_OT_UINT, .min = 0, .max = INT_MAX_U, .def = 0,
            .modes = BG_MODES_ALL, .effect_modes = M_AD, .flags = BG_OF_MODULE_PARAM,
            .ifla = 18, .nla = BG_NLA_U32, .networkd = "MinLinks", .netplan = "min-links",
            .keyfile = "min_links", .doc = "ports that must be up before carrier is asserted"),
        ROW(LP_INTERVAL, .name = "lp_interval", .type = BG_OT_UINT, .min = 1, .max = INT_MAX_U,
            .def = 1, .modes = BG_MODES_ALL, .effect_modes = M_TLB | M_ALB,
            .flags = BG_OF_MODULE_PARAM | BG_OF_SECONDS, .ifla = 19, .nla = BG_NLA_U32,
            .networkd = "LearnPacketIntervalSec", .netplan = "learn-packet-interval",
            .keyfile = "lp_interval", .doc = "seconds between learning packets to the switch"),
        ROW(PACKETS_PER_SLAVE, .name = "packets_per_slave", .type = BG_OT_UINT, .min = 0,
            .max = 65535, .def = 1, .modes = M_RR, .effect_modes = M_RR,
            .flags = BG_OF_MODULE_PARAM, .ifla = 20, .nla = BG_NLA_U32,
            .networkd = "PacketsPerSlave", .netplan = "packets-per-member",
            .keyfile = "packets_per_slave",
            .doc = "frames sent on a port before moving to the next (0 = random)"),
        ROW(LACP_ACTIVE, .name = "lacp_active", .type = BG_OT_BOOL, .enums = bool_vals, .min = 0,
            .max = 1, .def = 1, .modes = M_AD, .effect_modes = M_AD, .flags = BG_OF_IFDOWN,
            .ifla = 29, .nla = BG_NLA_U8, .keyfile = "lacp_active",
            .doc = "send LACPDUs on our own (on) or only in reply (off)"),
        ROW(LACP_RATE, .name = "lacp_rate", .type = BG_OT_ENUM, .enums = lacp_rate_vals, .def = 0,
            .modes = M_AD, .effect_modes = M_AD, .flags = BG_OF_IFDOWN | BG_OF_MODULE_PARAM,
            .ifla = 21, .nla = BG_NLA_U8, .networkd = "LACPTransmitRate", .netplan = "lacp-rate",
            .keyfile = "lacp_rate", .doc = "LACPDU rate asked of the partner (slow 30 s, fast 1 s)"),
        ROW(AD_SELECT, .name = "ad_select", .type = BG_OT_ENUM, .enums = ad_select_vals, .def = 0,
            .modes = BG_MODES_ALL, .effect_modes = M_AD,
            .flags = BG_OF_IFDOWN | BG_OF_MODULE_PARAM, .ifla = 22, .nla = BG_NLA_U8,
            .networkd = "AdSelect", .netplan = "ad-select", .keyfile = "ad_select",
            .doc = "how the active aggregator is chosen"),
        ROW(AD_ACTOR_SYS_PRIO, .name = "ad_actor_sys_prio", .type = BG_OT_UINT, .min = 1,
            .max = 65535, .def = 65535, .modes = M_AD, .effect_modes = M_AD, .ifla = 24,
            .nla = BG_NLA_U16, .networkd = "AdActorSystemPriority", .keyfile = "ad_actor_sys_prio",
            .doc = "LACP system priority"),
        ROW(AD_USER_PORT_KEY, .name = "ad_user_port_key", .type = BG_OT_UINT, .min = 0, .max = 1023,
            .def = 0, .modes = M_AD, .effect_modes = M_AD, .flags = BG_OF_IFDOWN, .ifla = 25,
            .nla = BG_NLA_U16, .networkd = "AdUserPortKey", .keyfile = "ad_user_port_key",
            .doc = "upper 10 bits of the LACP port key"),
        /* All-zero means "use the bond's MAC" and is the default. */
        ROW(AD_ACTOR_SYSTEM, .name = "ad_actor_system", .type = BG_OT_MAC, .modes = M_AD,
            .effect_modes = M_AD, .ifla = 26, .nla = BG_NLA_MAC, .networkd = "AdActorSystem",
            .keyfile = "ad_actor_system", .doc = "LACP system id (MAC address)"),
        ROW(TLB_DYNAMIC_LB, .name = "tlb_dynamic_lb", .type = BG_OT_BOOL, .enums = bool_vals,
            .min = 0, .max = 1, .def = 1, .modes = M_TLB | M_ALB, .effect_modes = M_TLB | M_ALB,
            .flags = BG_OF_IFDOWN, .ifla = 27, .nla = BG_NLA_U8,
            .networkd = "DynamicTransmitLoadBalancing", .keyfile = "tlb_dynamic_lb",
            .doc = "balance flows by load (on) or by xmit_hash_policy (off)"),
        ROW(ARP_MISSED_MAX, .name = "arp_missed_max", .type = BG_OT_UINT, .min = 1, .max = 255,
            .def = 2, .modes = M_ARP, .effect_modes = M_ARP, .ifla = 30, .nla = BG_NLA_U8,
            .networkd = "ARPMissedMax",
            .doc = "ARP intervals without reply before a port is down"),
        ROW(COUPLED_CONTROL, .name = "coupled_control", .type = BG_OT_BOOL, .enums = bool_vals,
            .min = 0, .max = 1, .def = 1, .modes = M_AD, .effect_modes = M_AD,
            .flags = BG_OF_IFDOWN, .ifla = 32, .nla = BG_NLA_U8,
            .doc = "one mux state for collecting and distributing (on) or two (off)"),
        ROW(BROADCAST_NEIGHBOR, .name = "broadcast_neighbor", .type = BG_OT_BOOL,
            .enums = bool_vals, .min = 0, .max = 1, .def = 0, .modes = M_AD, .effect_modes = M_AD,
            .ifla = 33, .nla = BG_NLA_U8,
            .doc = "send ARP and IPv6 ND on every port of the active aggregator, and notify peers "
                   "(num_grat_arp) each time a port starts distributing"),
        ROW(LACP_STRICT, .name = "lacp_strict", .type = BG_OT_BOOL, .enums = bool_vals, .min = 0,
            .max = 1, .def = 0, .modes = M_AD, .effect_modes = M_AD, .ifla = 34, .nla = BG_NLA_U8,
            .doc = "carrier only with ports that really collect and distribute"),
        /* Runtime choice (sysfs, netlink, ifenslave -c); NM keeps it as a
         * deprecated alias of primary, networkd as ActiveSlave= on the port. */
        ROW(ACTIVE_SLAVE, .name = "active_slave", .type = BG_OT_IFNAME,
            .modes = M_AB | M_TLB | M_ALB, .effect_modes = M_AB | M_TLB | M_ALB,
            .flags = BG_OF_RUNTIME, .ifla = 2, .nla = BG_NLA_IFINDEX, .keyfile = "active_slave",
            .doc = "the port made active at start, once it is up"),
        /* Per port: IFLA_BOND_SLAVE_QUEUE_ID (5, u16) in IFLA_INFO_SLAVE_DATA,
         * not a bond attribute; NM has it as [bond-port] queue-id=. */
        ROW(QUEUE_ID, .name = "queue_id", .type = BG_OT_QUEUE_ID, .min = 0, .max = 65535,
            .modes = BG_MODES_ALL, .effect_modes = M_RR | M_AB,
            .flags = BG_OF_LIST | BG_OF_PER_PORT,
            .doc = "transmit queue of a port, as ifname:queue"),
        ROW(MAX_BONDS, .name = "max_bonds", .type = BG_OT_UINT, .min = 0, .max = INT_MAX_U, .def = 1,
            .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_MODULE_ONLY | BG_OF_MODULE_PARAM,
            .doc = "bonds the module creates when it is loaded"),
        ROW(TX_QUEUES, .name = "tx_queues", .type = BG_OT_UINT, .min = 1, .max = 255, .def = 16,
            .modes = BG_MODES_ALL, .effect_modes = BG_MODES_ALL,
            .flags = BG_OF_MODULE_ONLY | BG_OF_MODULE_PARAM,
            .doc = "transmit queues of each new bond"),
};

const struct bg_opt_info *bg_opt_get(enum bg_opt id) {
        if ((unsigned) id >= BG_OPT__MAX)
                return NULL;
        return &bg_catalog[id];
}

const struct bg_opt_info *bg_opt_lookup(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = &bg_catalog[i];

                if (strcmp(o->name, name) == 0)
                        return o;
                for (const char *const *a = o->aliases; a && *a; a++)
                        if (strcmp(*a, name) == 0)
                                return o;
        }
        return NULL;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps),
 * case-insensitive: "MIIMON", "miimom" and "mimion" all find miimon. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t *d;
        size_t r;

        if (la > 64 || lb > 64)
                return (size_t) -1;
        d = calloc((la + 1) * (lb + 1), sizeof(*d));
        if (!d)
                return (size_t) -1;
#define D(i, j) d[(i) * (lb + 1) + (j)]
        for (size_t i = 0; i <= la; i++)
                D(i, 0) = i;
        for (size_t j = 0; j <= lb; j++)
                D(0, j) = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        int ca = tolower((unsigned char) a[i - 1]);
                        int cb = tolower((unsigned char) b[j - 1]);
                        size_t cost = ca != cb;
                        size_t v = D(i - 1, j) + 1;

                        if (D(i, j - 1) + 1 < v)
                                v = D(i, j - 1) + 1;
                        if (D(i - 1, j - 1) + cost < v)
                                v = D(i - 1, j - 1) + cost;
                        if (i > 1 && j > 1 && ca == tolower((unsigned char) b[j - 2]) &&
                            tolower((unsigned char) a[i - 2]) == cb && D(i - 2, j - 2) + 1 < v)
                                v = D(i - 2, j - 2) + 1;
                        D(i, j) = v;
                }
        r = D(la, lb);
#undef D
        free(d);
        return r;
}

const char *bg_opt_suggest(const char *name) {
        const char *best = NULL;
        size_t best_d = 3;

        if (!name || !*name)
                return NULL;
        for (size_t i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = &bg_catalog[i];
                size_t dist = edit_distance(name, o->name);

                if (dist < best_d) {
                        best_d = dist;
                        best = o->name;
                }
                for (const char *const *a = o->aliases; a && *a; a++) {
                        dist = edit_distance(name, *a);
                        if (dist < best_d) {
                                best_d = dist;
                                best = *a;
                        }
                }
        }
        /* A distance of 2 on a 2-3 letter word matches nearly anything. */
        if (best && best_d >= strlen(name))
                return NULL;
        return best;
}

const char *bg_opt_enum_name(const struct bg_opt_info *o, uint64_t num) {
        if (!o || !o->enums)
                return NULL;
        for (const struct bg_enum_val *e = o->enums; e->name; e++)
                if (e->num == num)
                        return e->name;
        return NULL;
}

const char *bg_mode_name(enum bg_mode m) {
        return bg_opt_enum_name(&bg_catalog[BG_OPT_MODE], (uint64_t) m);
}

int bg_mode_from_string(const char *s, enum bg_mode *out) {
        struct bg_optval v = { 0 };
        char err[256];
        int r;

        if (!s)
                return -EINVAL;
        r = bg_opt_parse_value(&bg_catalog[BG_OPT_MODE], s, &v, err, sizeof(err));
        if (r < 0)
                return r;
        if (out)
                *out = (enum bg_mode) v.num;
        bg_optval_clear(&v);
        return 0;
}

int bg_opt_split(const char *s, bg_opt_pair_cb cb, void *userdata) {
        char *buf;
        size_t i = 0, len;
        int r = 0;

        if (!s || !cb)
                return -EINVAL;
        len = strlen(s);
        buf = strdup(s);
        if (!buf)
                return -ENOMEM;
        while (i < len) {
                size_t start, end;
                char *eq;

                while (i < len && isspace((unsigned char) buf[i]))
                        i++;
                if (i >= len)
                        break;
                start = i;
                while (i < len && !isspace((unsigned char) buf[i]))
                        i++;
                end = i;
                buf[end] = '\0';
                i = end + 1;
                eq = strchr(buf + start, '=');
                if (eq) {
                        size_t vl;

                        *eq = '\0';
                        /* key="value": a quoted value whose quotes a shell would have removed */
                        vl = strlen(eq + 1);
                        if (vl >= 2 && (eq[1] == '"' || eq[1] == '\'') && eq[vl] == eq[1]) {
                                eq[vl] = '\0';
                                eq++;
                        }
                }
                r = cb(buf + start, eq ? eq + 1 : NULL, (unsigned) start + 1, userdata);
                if (r < 0)
                        break;
                r = 0;
        }
        free(buf);
        return r;
}
