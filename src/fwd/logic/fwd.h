/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Forwarder internals shared between its files. Two layers, one
 * directory each (src/README.md):
 *  - logic/ (no I/O, unit-tested with a fake clock and fake I/O): the
 *    bond, monitors, selection, hashing, the mode files, LACP, status;
 *  - io/: the TAP, AF_PACKET ports, rtnetlink, control socket, main loop.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fwd/logic/mode.h"

/* ---- hash.c ---- */
struct bg_fwd_l2 {
        uint16_t proto;   /* EtherType after at most one VLAN tag, host order */
        uint16_t tci;     /* VLAN TCI, 0 if untagged */
        size_t nhoff;     /* offset of the L3 header */
        bool tagged;
};
int bg_fwd_frame_l2(const uint8_t *f, size_t len, struct bg_fwd_l2 *out);
/* The kernel's xmit hash for policy (enum bg_xmit_hash). */
uint32_t bg_fwd_xmit_hash(unsigned policy, const uint8_t *frame, size_t len);

/* ---- params.c: model -> params ---- */
/* Fill b->p from a bond of the model; diagnostics for options the
 * forwarder cannot honour go to err (a short text), -EINVAL. */
int bg_fwd_params_from_bond(const struct bg_bond *bond, struct bg_fwd_params *p, char *err,
                            size_t errlen);
void bg_fwd_params_default(struct bg_fwd_params *p, enum bg_mode mode);

/* ---- live.c: the running parameters as options, live changes ---- */
/* Every option b runs with, into b->opts (cleared first), as the model
 * writes them; bg_fwd_params_from_bond() of the result gives p back. */
int bg_fwd_params_to_bond(const struct bg_fwd_params *p, struct bg_bond *b);

/* The options the forwarder keeps as they are, one number each: which
 * field of struct bg_fwd_params holds option id (params.c). Both
 * directions above walk this one table. */
struct bg_fwd_num_param {
        enum bg_opt id;
        size_t offset, size;
};
extern const struct bg_fwd_num_param bg_fwd_num_params[];
extern const size_t bg_fwd_n_num_params;
uint64_t bg_fwd_num_param_get(const struct bg_fwd_params *p, const struct bg_fwd_num_param *n);
void bg_fwd_num_param_set(struct bg_fwd_params *p, const struct bg_fwd_num_param *n, uint64_t v);
/* Do old and nw differ only in what a running mode takes as it is? */
bool bg_fwd_params_live_only(const struct bg_fwd_params *old, const struct bg_fwd_params *nw);

/* ---- monitor.c: link state machine (bond_main.c:bond_miimon_inspect()) ---- */
/* Initial link state of a port that just joined (or appeared). */
void bg_fwd_mon_port_init(struct bg_fwd *b, struct bg_fwd_port *p, bool carrier);
/* Carrier changed (rtnetlink): inspect this port at once. */
void bg_fwd_mon_carrier(struct bg_fwd *b, struct bg_fwd_port *p, bool carrier);
/* A port's link settles at `to`, for either monitor (the kernel's
 * bond_miimon_commit() and bond_ab_arp_commit()): the failure count, the
 * time it came up and its speed read again on the way up, the kernel's log
 * line, the mode told. Whether to reselect is the caller's. */
void bg_fwd_mon_link_commit(struct bg_fwd *b, struct bg_fwd_port *p, enum bg_fwd_link to);
/* One miimon period elapsed (b->now is current). */
void bg_fwd_mon_mii_tick(struct bg_fwd *b);
/* One arp_interval elapsed: ARP monitor inspection and probes. */
void bg_fwd_mon_arp_tick(struct bg_fwd *b);
/* The ARP monitor starts (the kernel's bond_open()): the ports that joined
 * before it get their settling time from now; the first tick follows at
 * once. */
void bg_fwd_mon_arp_start(struct bg_fwd *b);
/* The ARP monitor's times of a port that just joined (bond_enslave()). */
void bg_fwd_mon_arp_port_init(struct bg_fwd *b, struct bg_fwd_port *p);
/* A frame arrived on p (ARP monitor bookkeeping, validation). */
void bg_fwd_mon_rx(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t *f, size_t len);
/* ---- nsmon.c: the ARP monitor's NS/NA half (ns_ip6_target) ---- */
/* Build a neighbour solicitation for target from (mac, src); from the
 * unspecified address it carries no source link-layer option. */
size_t bg_fwd_build_ns(uint8_t *buf, const uint8_t mac[6], const uint8_t src[16], const uint8_t target[16]);
/* The bond's address to solicit target from (:: when none fits). */
void bg_fwd_ns_source(struct bg_fwd *b, const uint8_t target[16], uint8_t out[16]);
/* One solicitation per ns_ip6_target on p. */
void bg_fwd_mon_ns_probe(struct bg_fwd *b, struct bg_fwd_port *p);
/* An IPv6 packet (ip6, len bytes) on p that p may trust, with sender and
 * target swapped for a backup (bond_na_rcv()): does it count? */
bool bg_fwd_mon_ns_rx(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t *ip6, size_t len, bool swap);
/* Forget a port that is being freed (ARP monitor's probing port). */
void bg_fwd_mon_arp_forget(struct bg_fwd_port *p);
/* Recompute the bond carrier; calls io->carrier_changed on change. */
void bg_fwd_update_carrier(struct bg_fwd *b);
/* A port left: fix up active port etc. (before it is freed). */
void bg_fwd_mon_port_gone(struct bg_fwd *b, struct bg_fwd_port *p);

const char *bg_fwd_link_name(enum bg_fwd_link l);

/* ---- mcast.c: membership reports after a failover (resend_igmp) ---- */
#define BG_FWD_IGMP_INTERVAL_USEC 200000u   /* HZ/5, bond_resend_igmp_join_requests_delayed() */
#define BG_FWD_GROUP_SRCS 32                /* sources kept per IPv4 group */
#define BG_FWD_MAX_GROUPS4 32
#define BG_FWD_MAX_GROUPS6 16
/* An IPv4 group of the bond as an IGMPv3 Current-State Record tells it
 * (RFC 3376 4.2.12): its filter mode and the record's sources. */
struct bg_fwd_group4 {
        uint32_t group;                 /* network byte order */
        bool include;                   /* MODE_IS_INCLUDE, else MODE_IS_EXCLUDE */
        size_t n_src;
        uint32_t src[BG_FWD_GROUP_SRCS];   /* network byte order */
};
/* The bond's groups, and the IGMP version its reports take (1, 2 or 3:
 * igmp.c's IGMP_V1_SEEN() / IGMP_V2_SEEN(), a querier of that version
 * heard lately or force_igmp_version). */
struct bg_fwd_groups {
        int igmp_version;
        struct bg_fwd_group4 v4[BG_FWD_MAX_GROUPS4];
        size_t n4;
        uint8_t v6[BG_FWD_MAX_GROUPS6][16];
        size_t n6;
};
/* One membership report for group g, as the kernel's ip_mc_rejoin_groups()
 * has it sent: version 1 or 2 a report to the group (igmp_send_report()),
 * version 3 a report to 224.0.0.22 with g's Current-State Record
 * (igmpv3_send_report() for one group); IP TOS 0xc0, DF, TTL 1, Router
 * Alert. Returns the frame's length, 0 when cap is too small. */
size_t bg_fwd_build_igmp_report(uint8_t *buf, size_t cap, const uint8_t mac[6], uint32_t src_be, int version,
                                const struct bg_fwd_group4 *g);
/* The IPv4 part of g (igmp_version, v4, n4) for the device ifindex from
 * the texts of /proc/net/igmp and /proc/net/mcfilter; llm_reports: the
 * igmp_link_local_mcast_reports sysctl (224.0.0.x groups are reported). */
void bg_fwd_parse_igmp4(const char *igmp, const char *mcfilter, int ifindex, bool llm_reports,
                        struct bg_fwd_groups *g);
/* One MLDv2 report with a record per group (at most 16). */
size_t bg_fwd_build_mld2_report(uint8_t *buf, size_t cap, const uint8_t mac[6], const uint8_t src[16],
                                const uint8_t (*groups)[16], size_t n);
/* The active port changed: start resend_igmp rounds of reports. */
void bg_fwd_igmp_start(struct bg_fwd *b);
void bg_fwd_igmp_tick(struct bg_fwd *b);

/* ---- notify.c ---- */
/* The Internet checksum (RFC 1071) of len bytes at p, written big-endian
 * at at[0..1]; the field itself must be zero or outside p. */
void bg_fwd_put_csum(uint8_t *at, const uint8_t *p, size_t len);
/* The ICMPv6 checksum (RFC 4443 2.3: with the pseudo-header from the IPv6
 * header ip6) of the icmp_len bytes at icmp, written at icmp[2..3]. */
void bg_fwd_put_icmp6_csum(const uint8_t *ip6, uint8_t *icmp, size_t icmp_len);
/* Ethernet (dmac, smac) and IPv6 (src, dst, hop limit 255, ICMPv6 of
 * icmp_len bytes) headers of a neighbour discovery message at f, and its
 * ICMPv6 part zeroed with this type; returns that part (f + 54). */
uint8_t *bg_fwd_put_nd_headers(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], const uint8_t src[16],
                               const uint8_t dst[16], size_t icmp_len, uint8_t type);
/* Build a gratuitous ARP (request, sender = target = ip) from mac. */
size_t bg_fwd_build_garp(uint8_t *buf, const uint8_t mac[6], uint32_t ip_be);
/* May an address with these IFA_F_* flags be announced? Not an IPv6 one
 * in duplicate address detection (tentative and not optimistic) or that
 * failed it, as ndisc.c:ndisc_send_unsol_na() skips them. */
bool bg_fwd_addr_announceable(int family, uint32_t flags);
/* Where a new IPv6 address goes in a device's list of n, kept as the
 * kernel keeps it (addrconf.c:ipv6_link_dev_addr()): by scope, global
 * before site-local before link-local, and a new address before the
 * others of its scope. The peer notification walks the list in that
 * order (ndisc_send_unsol_na()). */
size_t bg_fwd_addr6_insert_at(const uint8_t (*list)[16], size_t n, const uint8_t addr[16]);
/* Build an unsolicited neighbour advertisement for addr from mac; router:
 * the Router flag (the bond forwards IPv6); Override set unless addr is
 * optimistic (ndisc.c:ndisc_send_na()). */
size_t bg_fwd_build_unsol_na(uint8_t *buf, const uint8_t mac[6], const uint8_t addr[16], bool router,
                             bool optimistic);
/* Build an ARP request for target from (mac, sip). */
size_t bg_fwd_build_arp_req(uint8_t *buf, const uint8_t mac[6], uint32_t sip_be, uint32_t tip_be);
/* A device that may be stacked on the bond, as rtnetlink reports it:
 * VLAN devices (the kernel's on the bond's TAP, or bondgend's own),
 * bridges, and the bond itself; with its usable addresses. */
#define BG_FWD_DEV_ADDRS 8
struct bg_fwd_dev {
        int ifindex;
        int link;                  /* a VLAN's lower device (IFLA_LINK) */
        int master;                /* the bridge it is a port of (IFLA_MASTER) */
        uint16_t vlan_id;          /* a VLAN device's id, else 0 */
        uint16_t vlan_proto;       /* its TPID, host order (0: 0x8100) */
        bool bridge;
        uint8_t mac[6];
        uint32_t v4[BG_FWD_DEV_ADDRS];
        uint8_t plen4[BG_FWD_DEV_ADDRS];   /* v4[i]'s prefix length */
        size_t n4;
        uint8_t v6[BG_FWD_DEV_ADDRS][16];
        bool v6_optimistic[BG_FWD_DEV_ADDRS];   /* v6[i] is IFA_F_OPTIMISTIC */
        size_t n6;
};
/* One device a peer notification speaks for, and the tag its frames leave
 * with. */
struct bg_fwd_notify_dev {
        const struct bg_fwd_dev *dev;
        uint16_t vid;
};
/* The devices stacked on root whose addresses a peer notification
 * announces, each with its tag: the VLAN devices on root (tagged with
 * their id), the bridges root or one of those is a port of (the port's
 * tag), in the order of devs; at most max. */
size_t bg_fwd_notify_walk(const struct bg_fwd_dev *devs, size_t n, int root, struct bg_fwd_notify_dev *out,
                          size_t max);
/* ---- arppath.c: where an ARP probe goes (bond_main.c:bond_arp_send_all()) ---- */
/* bond_verify_device_path(): is dev stacked on root, through VLAN devices
 * and bridges? Its level above root (0: dev is root), with tags[l] the tag
 * of the device at level l + 1 ({0, 0} for a bridge), or -1. */
int bg_fwd_dev_path(const struct bg_fwd_dev *devs, size_t n, int root, int dev, struct bg_fwd_tag *tags,
                    size_t max);
/* bond_confirm_addr(dev, dst, 0), inet_confirm_addr(): an address of d on
 * dst's subnet, 0 when d has none (dst only reachable through a gateway). */
uint32_t bg_fwd_confirm_addr(const struct bg_fwd_dev *d, uint32_t dst_be);
/* bond_has_this_ip(): is ip an address of root or of a device stacked on
 * it? */
bool bg_fwd_stack_has_ip(const struct bg_fwd_dev *devs, size_t n, int root, uint32_t ip_be);
/* The probe for arp_ip_target i: false when none goes (the route leaves
 * through a device not stacked on the bond); else its source address and
 * its tags, outermost first. */
bool bg_fwd_arp_probe_path(struct bg_fwd *b, size_t i, uint32_t *sip, struct bg_fwd_tag *tags, size_t *ntags);
/* Push tags (outermost first, id 0 skipped) onto fr, which has room for
 * 4 bytes each before its data. */
void bg_fwd_push_tags(struct bg_fwd_frame *fr, const struct bg_fwd_tag *tags, size_t n);

/* Send one round of peer notification now: on the active port, or in
 * 802.3ad through the transmit path (broadcast_neighbor: every usable
 * port). */
void bg_fwd_send_peer_notif(struct bg_fwd *b);
/* 802.3ad: how many ports transmit now (the kernel's usable_slaves); 0 in
 * other modes. */
size_t bg_fwd_3ad_usable(const struct bg_fwd *b);
/* Per miimon tick (or arp_interval): count down and send as the kernel. */
void bg_fwd_peer_notif_tick(struct bg_fwd *b);

/* ---- vlan.c: bondgend's own VLAN devices (struct bg_fwd_vlan) ---- */
struct bg_fwd_vlan *bg_fwd_vlan_find(const struct bg_fwd *b, uint16_t id);
struct bg_fwd_vlan *bg_fwd_vlan_by_name(const struct bg_fwd *b, const char *name);
/* A received frame, as it was on the wire (its tag back in the data):
 * the VLAN device it is for, its tag taken out of fr, or NULL for the bond
 * device (fr unchanged: tagged frames of other VLANs stay tagged). Only
 * an 802.1Q tag (TPID 0x8100) names a VLAN, as a VLAN device of kind
 * 802.1Q takes only those (vlan_do_receive()). */
struct bg_fwd_vlan *bg_fwd_vlan_demux(const struct bg_fwd *b, struct bg_fwd_frame *fr);
/* Would the device that receives fr (v, or the bond for NULL) take it:
 * not its own frame reflected by the partner, and a unicast frame only to
 * its MAC unless it is promiscuous, as a NIC's filter with the device's
 * MAC in it would. */
bool bg_fwd_vlan_accepts(const struct bg_fwd *b, const struct bg_fwd_vlan *v, const struct bg_fwd_frame *fr);
/* A frame v's device sent: tagged with v's id (PCP 0), ready for
 * select_tx, which hashes it as the kernel hashes a tagged frame. */
int bg_fwd_vlan_tag(const struct bg_fwd_vlan *v, struct bg_fwd_frame *fr);

/* ---- status.c ---- */
enum bg_fwd_stw_format { BG_STW_PROC, BG_STW_JSON };
/* Render the bond's status into a malloc'd string. */
int bg_fwd_status_render(struct bg_fwd *b, enum bg_fwd_stw_format fmt, char **out);
/* Add one read of a port socket's drop counter (PACKET_STATISTICS'
 * tp_drops): the kernel resets the counter on each read (af_packet.c:
 * packet_getsockopt()), so each read is the count since the one before
 * and is added, never taken as a total. The sum is 64 bits; the kernel's
 * counter is 32, so reads must come often enough that it cannot wrap
 * between two (io/core.c reads it at least every 10 s while the MII
 * monitor runs, and at every status request). */
void bg_fwd_port_add_sock_drops(struct bg_fwd_port_stats *s, uint32_t drops_since_last_read);

/* ---- bond object helpers (logic layer; io/enslave.c adds the I/O) ---- */
struct bg_fwd_port *bg_fwd_find_port(struct bg_fwd *b, const char *name);
struct bg_fwd_port *bg_fwd_find_port_ifindex(struct bg_fwd *b, int ifindex);
/* The control request "prio IF N" after its verb (arg = "IF N"): IF a
 * valid interface name, N a signed 32-bit decimal; 0 or -EINVAL. */
int bg_fwd_prio_request(const char *arg, char name[16], int32_t *prio);
/* Allocate a port (with mode_priv) and append it in enslave order. */
int bg_fwd_port_new(struct bg_fwd *b, const char *name, struct bg_fwd_port **out);
/* Unlink and free a port (calls ops->port_removed first). */
void bg_fwd_port_free(struct bg_fwd *b, struct bg_fwd_port *p);
/* Allocate mode state; ops must be set. */
int bg_fwd_mode_setup(struct bg_fwd *b);
void bg_fwd_mode_teardown(struct bg_fwd *b);

static inline bool bg_mac_is_zero(const uint8_t m[6]) {
        return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}
