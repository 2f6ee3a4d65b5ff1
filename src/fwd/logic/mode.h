/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The interface between the forwarder core (TAP, ports, link monitors,
 * control socket) and one bonding mode. Each mode is one file (rr.c, ab.c,
 * xor.c, bcast.c, 3ad.c; tlb.c holds both balance-tlb and balance-alb) exporting one
 * `const struct bg_fwd_mode_ops bg_fwd_mode_<name>`; bg_fwd_mode_find()
 * (mode.c) maps enum bg_mode to it.
 *
 * Threading: everything runs on the one sd-event loop thread; hooks never
 * block. Time is CLOCK_MONOTONIC in microseconds (struct bg_fwd.now), so the
 * unit tests can drive the monitors and modes with a fake clock.
 *
 * What the core does for every mode (as bond_main.c does):
 *  - keeps ports in enslave order (bond->ports[0..n_ports)), as the kernel's
 *    slave list and hence every `usable[hash % n]` array depend on that order;
 *  - runs the link state machine (UP/FAIL/DOWN/BACK, miimon/updelay/downdelay
 *    on top of rtnetlink carrier events, or the ARP monitor) and calls
 *    link_changed() after each commit;
 *  - drops frames the bond sent itself (PACKET_OUTGOING is never read; a
 *    frame arriving with the bond MAC as source is our own, reflected), and
 *    frames received on a port with rx_disabled set unless the mode's rx
 *    hook returned BG_FWD_RX_ACCEPT (LACPDUs must be consumed in the hook);
 *  - unless the bond is promiscuous, drops unicast whose destination is not
 *    the bond MAC, as a NIC carrying the bond MAC would: a mode that
 *    receives on per-port MACs (ALB) rewrites the destination to b->mac in
 *    its rx hook;
 *  - writes frames the mode accepts into the TAP, and the frames the mode
 *    selects onto the ports.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#include "model/catalog.h"
#include "model/model.h"

struct bg_fwd;
struct bg_fwd_port;
struct bg_fwd_dev;
struct bg_fwd_stw;

/* Link state of a port, numbered as IFLA_BOND_SLAVE_MII_STATUS. */
enum bg_fwd_link {
        BG_LINK_UP = 0,
        BG_LINK_FAIL = 1,   /* going down: downdelay running */
        BG_LINK_DOWN = 2,
        BG_LINK_BACK = 3,   /* going back up: updelay running */
};

/* One frame with its virtio-net header (GSO/checksum offload state). A
 * frame built by a mode (LACPDU, gratuitous ARP) has vh zeroed. data may be
 * modified in place (MAC rewrites) up to len bytes; it has at least
 * BG_FWD_HEADROOM bytes free before data and room up to cap. */
struct bg_fwd_frame {
        struct virtio_net_hdr vh;
        uint8_t *data;
        size_t len;
        size_t cap;
};
#define BG_FWD_HEADROOM 4  /* room to push one VLAN tag */

struct bg_fwd_port_stats {
        uint64_t rx_packets, rx_bytes, rx_dropped;  /* rx_dropped: rx-disabled/filtered */
        uint64_t tx_packets, tx_bytes, tx_errors;
        /* Frames the kernel dropped at the port's packet socket before
         * bondgend read them (receive buffer or ring full): the sum of
         * PACKET_STATISTICS' tp_drops, which the kernel resets on each
         * read (bg_fwd_port_add_sock_drops()). */
        uint64_t rx_sock_dropped;
};

struct bg_fwd_port {
        char name[16];             /* IFNAMSIZ */
        int ifindex;               /* 0 while the port is missing (not plugged yet) */
        int fd;                    /* AF_PACKET socket, -1 while missing */
        bool present;              /* device exists and the socket is open */
        uint8_t perm_mac[6];       /* MAC found at enslave (restored on release) */
        uint8_t mac[6];            /* the MAC the port carries in hardware now */
        uint32_t orig_mtu;
        unsigned orig_flags;       /* IFF_UP/IFF_NOARP as found, restored on release */

        /* Link state (bond_main.c:bond_miimon_inspect()). */
        bool carrier;              /* raw carrier from rtnetlink (IFF_LOWER_UP and IFF_UP) */
        enum bg_fwd_link link;
        int delay;                 /* miimon ticks left in FAIL/BACK */
        uint32_t link_failure_count;
        uint32_t speed_mbps;       /* ethtool; 0 = unknown */
        uint8_t duplex;            /* 0 half, 1 full, 0xff unknown */

        /* Slave flags: backup = not the active one; rx_disabled = frames
         * received here do not reach the bond ("inactive"). */
        bool backup;
        bool rx_disabled;
        int32_t prio;              /* IFLA_BOND_SLAVE_PRIO, higher preferred */
        uint16_t queue_id;

        /* ARP monitor bookkeeping, CLOCK_MONOTONIC usec. */
        uint64_t last_rx, last_tx, last_link_up;
        /* per target: arp_ip_target i at i, ns_ip6_target i at
         * BG_FWD_NS_SLOT + i */
        uint64_t target_last_rx[32];

        struct bg_fwd_port_stats stats;
        void *mode_priv;           /* ops->port_priv_size bytes, zeroed, owned by the core */
        void *core;                /* I/O state of the core (socket, event source) */
};

/* Result of a mode's rx hook. */
enum bg_fwd_rx {
        BG_FWD_RX_PASS,      /* deliver to the bond (TAP), subject to rx_disabled */
        BG_FWD_RX_ACCEPT,    /* deliver to the bond even if the port is rx-disabled */
        BG_FWD_RX_DROP,      /* do not deliver */
        BG_FWD_RX_CONSUMED,  /* the mode used it (LACPDU, marker); not delivered */
};

#define BG_FWD_MAX_PORTS 32
#define BG_FWD_MAX_VLANS 32
#define BG_FWD_NS_SLOT 16

/* A VLAN of the bond that bondgend presents as a TAP device of its own,
 * where the kernel has no 802.1Q driver to stack a VLAN device on the
 * bond's TAP (bondgend(8), VLANS): frames it sends leave the ports tagged
 * id, frames received tagged id reach it untagged (vlan.c). */
struct bg_fwd_vlan {
        char name[16];
        uint16_t id;
        int fd, ifindex;           /* its TAP; fd -1 while not open */
        uint8_t mac[6];
        bool own_mac;              /* the model sets it; else the bond's, followed */
        bool promisc;              /* every frame of the VLAN goes up (a bridge port) */
};

struct bg_fwd_mode_ops {
        const char *name;          /* kernel name: "active-backup" */
        enum bg_mode mode;
        size_t priv_size;          /* bond->mode_priv, zeroed, owned by the core */
        size_t port_priv_size;     /* port->mode_priv */
        uint64_t tick_usec;        /* period of tick(); 0 = no periodic tick */

        /* Does this mode keep a current active port (modes 1, 5, 6)? The
         * core then runs active-port selection (bg_fwd_reselect) and the
         * control socket's `active` command applies. */
        bool uses_active;
        /* Do ports carry the bond MAC on the wire (everything but
         * active-backup with fail_over_mac != none, TLB and ALB)? */
        bool ports_use_bond_mac;

        /* All hooks may be NULL. Return 0 or -errno. */
        int (*init)(struct bg_fwd *b);
        void (*done)(struct bg_fwd *b);
        /* A port joined (present or still missing) / is about to leave. */
        int (*port_added)(struct bg_fwd *b, struct bg_fwd_port *p);
        void (*port_removed)(struct bg_fwd *b, struct bg_fwd_port *p);
        /* After the monitor committed p->link (UP or DOWN) or p appeared. */
        void (*link_changed)(struct bg_fwd *b, struct bg_fwd_port *p);
        /* The current active port changed (old may be NULL). */
        void (*active_changed)(struct bg_fwd *b, struct bg_fwd_port *old, struct bg_fwd_port *new_);

        /* TX: a frame read from the TAP. Put the ports to send it on into
         * out[] (at most max) and return how many; 0 drops it. The mode may
         * rewrite fr->data (source MAC for TLB). The core sends the same
         * bytes on every port returned (broadcast). */
        int (*select_tx)(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out,
                         size_t max);
        /* RX: a frame received on p (never one the bond sent). Runs before
         * the rx_disabled rule, like the kernel's per-mode receive hook. */
        enum bg_fwd_rx (*rx)(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_frame *fr);
        /* Periodic work every tick_usec (LACP state machines, learning
         * packets, peer notification counters). */
        void (*tick)(struct bg_fwd *b);
        /* Carrier of the bond. NULL = on when any port's link is UP. */
        bool (*carrier)(struct bg_fwd *b);

        /* Status: extra bond lines after the common ones, and extra lines in
         * each port's block (e.g. 802.3ad aggregator info). */
        void (*status_bond)(struct bg_fwd *b, struct bg_fwd_stw *w);
        void (*status_port)(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_stw *w);
};

struct bg_fwd_groups;

/* The I/O the logic (monitor, selection, modes) needs from the core; the
 * unit tests plug in fakes. */
struct bg_fwd_io {
        int (*send)(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr);
        int (*set_port_mac)(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t mac[6]);
        int (*set_bond_mac)(struct bg_fwd *b, const uint8_t mac[6]);
        /* The bond's (TAP's) addresses, for gratuitous ARP / NA and ARP
         * probes: IPv4 in network byte order, IPv6 as 16 bytes each. */
        int (*bond_addrs)(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4,
                          uint8_t (*v6)[16], size_t max6, size_t *n6);
        /* Carrier of the bond changed (b->carrier). */
        void (*carrier_changed)(struct bg_fwd *b);
        void (*log)(struct bg_fwd *b, int level, const char *msg);
        /* Read p's speed and duplex again into p->speed_mbps/p->duplex: a
         * NIC still negotiating reports 0 when it is enslaved, so the
         * kernel's bond_update_speed_duplex() runs on every link-up. */
        void (*port_speed)(struct bg_fwd *b, struct bg_fwd_port *p);
        /* The multicast groups the device ifindex (the bond's TAP or a
         * device stacked on it) has joined and the IGMP version of its
         * reports (struct bg_fwd_groups, fwd.h; resend_igmp). */
        int (*groups)(struct bg_fwd *b, int ifindex, struct bg_fwd_groups *g);
        /* Does the bond forward IPv6 (its forwarding sysctl)? The Router
         * flag of its neighbour advertisements. NULL: no. */
        bool (*ipv6_router)(struct bg_fwd *b);
        /* Is addr, an IPv6 address of the bond, optimistic (IFA_F_OPTIMISTIC,
         * RFC 4429: announced while still in duplicate address detection)?
         * Its advertisement then has Override clear. NULL: none is. */
        bool (*ipv6_optimistic)(struct bg_fwd *b, const uint8_t addr[16]);
        /* Call bg_fwd_igmp_tick() once, usec from now. */
        void (*arm_igmp)(struct bg_fwd *b, uint64_t usec);
        /* The devices stacked on the bond as rtnetlink last told them
         * (struct bg_fwd_dev, fwd.h), *root the bond's ifindex among them;
         * peer notification announces their addresses too. NULL: none. */
        size_t (*stacked)(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root);
        /* The device the host routes dst (IPv4, network byte order) out of,
         * as the ARP monitor's ip_route_output() asks: its ifindex, 0 when
         * there is no on-link route, -1 when not known (yet). NULL: never
         * known. Must not block. */
        int (*route4)(struct bg_fwd *b, uint32_t dst_be);
        /* p->rx_disabled changed (bg_fwd_port_set_{active,inactive}_flags):
         * the host stack's view of the port follows (link-local frames on
         * an inactive port, bond_handle_frame()). NULL: nothing to do. */
        void (*rx_state)(struct bg_fwd *b, struct bg_fwd_port *p);
};

/* One VLAN tag of an ARP probe (struct bond_vlan_tag): its TPID (0x8100,
 * 0x88a8; 0 with id 0 for a level of the path that is no VLAN, a bridge)
 * and VLAN id. */
struct bg_fwd_tag {
        uint16_t proto, id;
};
/* Tags an arp_ip_target VLAN hint may give (BOND_MAX_VLAN_TAGS), and the
 * levels of devices bondgend follows up from the bond. */
#define BG_FWD_MAX_TAGS 5
#define BG_FWD_MAX_LEVELS 8

/* Bond options the core reads once from the model (numbers as the kernel
 * stores them: delays in miimon ticks, times in ms). */
struct bg_fwd_params {
        enum bg_mode mode;
        uint32_t miimon, updelay_ticks, downdelay_ticks, peer_notif_delay_ticks;
        uint32_t arp_interval, arp_missed_max;
        uint32_t arp_targets[16];   /* network byte order */
        size_t n_arp_targets;
        /* arp_ip_target VLAN hints ("10.0.0.1[10/20]", "10.0.0.1[]"): the
         * tags target i's probes carry, outermost first, instead of those
         * of the path to it */
        bool arp_user_tags[16];
        uint8_t n_arp_tags[16];
        struct bg_fwd_tag arp_tags[16][BG_FWD_MAX_TAGS];
        uint8_t ns_targets[16][16];
        size_t n_ns_targets;
        unsigned arp_validate, arp_all_targets;
        char primary[16];
        unsigned primary_reselect, fail_over_mac, xmit_hash_policy;
        uint32_t num_peer_notif, resend_igmp, packets_per_slave, min_links;
        bool all_slaves_active;
        uint32_t lp_interval;
        /* 802.3ad (used by the LACP mode only). */
        unsigned lacp_active, lacp_rate, ad_select, coupled_control, broadcast_neighbor,
                lacp_strict, tlb_dynamic_lb;
        uint16_t ad_actor_sys_prio, ad_user_port_key;
        uint8_t ad_actor_system[6];
};

struct bg_fwd {
        char name[16];
        const struct bg_fwd_mode_ops *ops;
        void *mode_priv;
        struct bg_fwd_params p;

        uint8_t mac[6];            /* bond (TAP) MAC */
        bool mac_from_port;        /* "stolen" from the first port, as the kernel does */
        uint32_t mtu;
        int tap_fd, tap_ifindex;
        bool tap_promisc;          /* bond in promiscuous mode: pass every frame */
        bool carrier;

        struct bg_fwd_port *ports[BG_FWD_MAX_PORTS];  /* enslave order */
        size_t n_ports;
        /* Configured ports that do not exist yet: enslaved when they appear
         * (rtnetlink RTM_NEWLINK), in that order. */
        char pending[BG_FWD_MAX_PORTS][16];
        size_t n_pending;
        struct bg_fwd_port *active;     /* modes with uses_active */
        bool force_primary;             /* kernel's force_primary: next reselect picks primary */
        /* The model's active_slave: made active once, as soon as the port
         * is up (select.c); "" when taken, cancelled or not set. */
        char want_active[16];
        uint32_t peer_notif_left;       /* gratuitous ARP/NA still to send (ticks) */
        uint32_t igmp_left;             /* membership report rounds still to send */
        struct bg_fwd_vlan *vlans[BG_FWD_MAX_VLANS];   /* bondgend's VLAN devices */
        size_t n_vlans;

        uint64_t now;              /* CLOCK_MONOTONIC usec, updated by the loop (or a test) */
        uint64_t mii_next;         /* next miimon tick (usec) */
        const struct bg_fwd_io *io;
        void *core;                /* event loop, netlink, control socket: core-private */
};

/* ---- services of the core for modes ---- */

/* Send a frame built by the mode (LACPDU, learning packet, gratuitous ARP)
 * on one port, bypassing select_tx. */
int bg_fwd_port_send(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr);
/* Change the MAC a port carries in hardware (ALB, fail_over_mac=follow). */
int bg_fwd_port_set_mac(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t mac[6]);
/* Change the bond's (TAP's) MAC (fail_over_mac=active). */
int bg_fwd_set_bond_mac(struct bg_fwd *b, const uint8_t mac[6]);
/* Can p transmit: present, carrier, link UP and not backup (kernel can_tx). */
static inline bool bg_fwd_port_can_tx(const struct bg_fwd_port *p) {
        return p->present && p->link == BG_LINK_UP && !p->backup;
}
/* Take p out of a mode's array of usable ports (v, *n entries), keeping
 * the order of the others: a removed port leaves the transmit array at
 * once, before the next rebuild. */
static inline void bg_fwd_ports_drop(struct bg_fwd_port **v, size_t *n, const struct bg_fwd_port *p) {
        size_t k = 0;

        for (size_t i = 0; i < *n; i++)
                if (v[i] != p)
                        v[k++] = v[i];
        *n = k;
}
/* Link UP regardless of backup state. */
static inline bool bg_fwd_port_up(const struct bg_fwd_port *p) {
        return p->present && p->link == BG_LINK_UP;
}
/* Make a port active (backup=0, rx enabled) or inactive (backup=1 and
 * rx_disabled unless all_slaves_active), as the kernel's
 * bond_set_slave_{active,inactive}_flags. */
void bg_fwd_port_set_active_flags(struct bg_fwd *b, struct bg_fwd_port *p);
void bg_fwd_port_set_inactive_flags(struct bg_fwd *b, struct bg_fwd_port *p);
/* all_slaves_active changed on a running bond: the backups' rx_disabled
 * follows at once. */
void bg_fwd_set_all_slaves_active(struct bg_fwd *b, bool on);

/* What p's packet socket must still take (rxkeep.c): every frame while
 * p is not rx_disabled; on an inactive port only what bondgend still reads
 * there (the mode's rx hook, the ARP/NS monitor), as the kernel's
 * bond_handle_frame() runs the receive probe and then drops the frame. */
enum {
        BG_FWD_KEEP_ALL = 1u << 0,         /* every frame: no filter */
        BG_FWD_KEEP_UNICAST = 1u << 1,     /* destination not a group address */
        BG_FWD_KEEP_ARP = 1u << 2,         /* any ARP */
        BG_FWD_KEEP_ARP_TARGETS = 1u << 3, /* ARP with a target as sender or target address */
        BG_FWD_KEEP_IPV6 = 1u << 4,        /* any IPv6 */
        BG_FWD_KEEP_NDISC = 1u << 5,       /* ICMPv6 NS or NA right after the IPv6 header */
        BG_FWD_KEEP_LACP = 1u << 6,        /* slow protocols: LACPDUs and markers */
};
struct bg_fwd_keep {
        unsigned what;                     /* BG_FWD_KEEP_*; 0 keeps nothing */
        const uint32_t *targets;           /* for ARP_TARGETS, network byte order */
        size_t n_targets;
};
void bg_fwd_rx_keep(const struct bg_fwd *b, const struct bg_fwd_port *p, struct bg_fwd_keep *k);
struct sock_filter;
/* The classic BPF socket filter keeping what k says, into out (max
 * instructions; 160 are enough for 16 targets): its length, 0 for
 * BG_FWD_KEEP_ALL (no filter), -ENOSPC or -E2BIG. */
int bg_fwd_rx_keep_prog(const struct bg_fwd_keep *k, struct sock_filter *out, size_t max);

/* Active port selection and change for modes with uses_active
 * (bond_main.c:bond_select_active_slave(); select.c). */
struct bg_fwd_port *bg_fwd_find_best(struct bg_fwd *b);
void bg_fwd_reselect(struct bg_fwd *b);
/* A port's prio (bond_options.c:bond_option_prio_set()): only in
 * active-backup, balance-tlb and balance-alb (-EOPNOTSUPP elsewhere);
 * then a new choice of the active port, unless a primary port is
 * enslaved (its presence, not its link, stops the reselection). */
int bg_fwd_set_prio(struct bg_fwd *b, struct bg_fwd_port *p, int32_t prio);
/* p is the port want_active names (its link coming up must reselect). */
bool bg_fwd_is_wanted(const struct bg_fwd *b, const struct bg_fwd_port *p);
/* Make p the active port now (NULL = none); calls ops->active_changed. */
void bg_fwd_change_active(struct bg_fwd *b, struct bg_fwd_port *p);

/* Peer notification (gratuitous ARP + unsolicited NA for the bond's
 * addresses) on the active port: num_peer_notif times, peer_notif_delay
 * apart, driven by the core. */
void bg_fwd_notify_peers(struct bg_fwd *b);
/* The same again from the first round, when active-backup has an active
 * port: at start, once the addresses are read. */
void bg_fwd_peer_notif_restart(struct bg_fwd *b);

/* Status writer: one key/value per call; the core renders it as the
 * /proc/net/bonding text ("Key: value") or as a JSON member. */
void bg_fwd_stw_kv(struct bg_fwd_stw *w, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Logging (journal under systemd, stderr otherwise). level = LOG_* */
void bg_fwd_logf(struct bg_fwd *b, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* ---- the modes ---- */
extern const struct bg_fwd_mode_ops bg_fwd_mode_rr;
extern const struct bg_fwd_mode_ops bg_fwd_mode_ab;
extern const struct bg_fwd_mode_ops bg_fwd_mode_xor;
extern const struct bg_fwd_mode_ops bg_fwd_mode_bcast;
extern const struct bg_fwd_mode_ops bg_fwd_mode_8023ad;
extern const struct bg_fwd_mode_ops bg_fwd_mode_tlb;
extern const struct bg_fwd_mode_ops bg_fwd_mode_alb;
/* NULL if the mode is not implemented in this build. */
const struct bg_fwd_mode_ops *bg_fwd_mode_find(enum bg_mode m);
