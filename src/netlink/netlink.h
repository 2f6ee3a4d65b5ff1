/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * rtnetlink for the kernel backend, on libmnl.
 *
 * Three layers, so that the byte-exact parts can be unit-tested without
 * privileges:
 *   - builders (bg_nl_msg_*): put one request into a caller buffer;
 *   - parsers (bg_nl_parse_*): decode one RTM_NEWLINK/NEWADDR/NEWROUTE
 *     message into plain structs;
 *   - the socket (bg_nl_open/bg_nl_call/bg_nl_read_state).
 *
 * Bond options are encoded and decoded from the catalogue's `ifla` and
 * `nla` columns only (src/model/catalog.h); there is no second table.
 * Option values are struct bg_optval as everywhere else, with one twist:
 * for BG_NLA_IFINDEX options (primary, active_slave) `num` is the ifindex,
 * because that is what the kernel takes and reports.
 */
#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/catalog.h"

/* Enough for any request we build and one dump datagram. */
#define BG_NL_BUFSIZE 32768

struct bg_nl_bond_opts {
        bool have[BG_OPT__MAX];
        struct bg_optval val[BG_OPT__MAX];
        bool have_mac;          /* create only: the bond's MAC (IFLA_ADDRESS) */
        uint8_t mac[6];
};

struct bg_nl_ad_info {
        bool have;
        uint16_t aggregator;
        uint16_t num_ports;
        uint16_t actor_key;
        uint16_t partner_key;
        uint8_t partner_mac[6];
};

/* IFLA_INFO_SLAVE_DATA of a bond port (IFLA_BOND_SLAVE_*, bond_netlink.c:
 * bond_fill_slave_info()). */
struct bg_nl_slave {
        bool have;
        uint8_t state;              /* 0 active, 1 backup */
        uint8_t mii_status;         /* 0 up, 1 fail, 2 down, 3 back */
        uint32_t link_failure_count;
        bool has_perm_hwaddr;
        uint8_t perm_hwaddr[6];
        uint16_t queue_id;
        uint16_t ad_aggregator_id;
        uint8_t ad_actor_oper_port_state;
        uint16_t ad_partner_oper_port_state;
        int32_t prio;
        bool have_prio;             /* reported: Linux 6.0 or newer, bondgend with port priorities */
};

/* IFLA_INFO_DATA of a bridge (IFLA_BR_*, br_netlink.c:br_fill_info()).
 * Times are in clock_t (USER_HZ, hundredths of a second), as the kernel
 * takes and reports them. have_* says what a request sets or a report
 * held. */
struct bg_nl_bridge {
        bool have_stp, have_forward_delay, have_hello_time, have_max_age, have_priority;
        uint32_t stp_state;         /* 0 off, else on (1 kernel, 2 user-space STP) */
        uint32_t forward_delay;
        uint32_t hello_time;
        uint32_t max_age;
        uint16_t priority;
};

struct bg_nl_link {
        int ifindex;
        char name[IFNAMSIZ];
        unsigned flags;             /* IFF_* */
        uint32_t mtu;
        bool has_mac;
        uint8_t mac[6];
        bool has_perm_mac;          /* IFLA_PERM_ADDRESS (5.6+) */
        uint8_t perm_mac[6];
        int master;                 /* ifindex, 0 = none */
        int link;                   /* IFLA_LINK: the lower device (VLAN, macvlan), 0 = none */
        bool link_other_ns;         /* IFLA_LINK_NETNSID: link is an ifindex of another namespace */
        unsigned short type;        /* ARPHRD_* */
        uint8_t operstate;
        bool has_carrier;           /* IFLA_CARRIER was present */
        bool carrier;
        bool deleted;               /* an RTM_DELLINK event */
        char kind[32];              /* IFLA_INFO_KIND, "" = none */
        char slave_kind[32];        /* IFLA_INFO_SLAVE_KIND */
        bool is_bond;               /* kind == "bond" */
        uint16_t vlan_id;           /* kind "vlan": IFLA_VLAN_ID, 0 = not reported */
        uint16_t vlan_proto;        /* kind "vlan": IFLA_VLAN_PROTOCOL, host order, 0 = not reported */
        struct bg_nl_bridge br;     /* kind "bridge" */
        struct bg_nl_bond_opts bond;
        struct bg_nl_ad_info ad_info;
        struct bg_nl_slave slave;
};

struct bg_nl_addr {
        int ifindex;
        int family;
        uint8_t addr[16];
        unsigned prefixlen;
        uint8_t scope;
        uint32_t flags;             /* IFA_F_* (IFA_FLAGS when present, else ifa_flags) */
        bool deleted;               /* an RTM_DELADDR event */
};

struct bg_nl_route {
        int family;
        uint8_t dst[16];
        unsigned dst_len;
        bool has_gateway;
        uint8_t gateway[16];
        int oif;
        uint32_t metric;
        uint32_t table;
        uint8_t protocol;
        uint8_t scope;
        uint8_t type;
};

/* A bond port's 802.3ad counters (nlstats.c), in BOND_3AD_STAT_* order. */
enum bg_nl_3ad_stat {
        BG_NL_3AD_LACPDU_RX,
        BG_NL_3AD_LACPDU_TX,
        BG_NL_3AD_LACPDU_UNKNOWN_RX,
        BG_NL_3AD_LACPDU_ILLEGAL_RX,
        BG_NL_3AD_MARKER_RX,
        BG_NL_3AD_MARKER_TX,
        BG_NL_3AD_MARKER_RESP_RX,
        BG_NL_3AD_MARKER_RESP_TX,
        BG_NL_3AD_MARKER_UNKNOWN_RX,
        BG_NL_3AD_STAT__MAX,
};

struct bg_nl_3ad_stats {
        int ifindex;
        bool have[BG_NL_3AD_STAT__MAX];
        uint64_t v[BG_NL_3AD_STAT__MAX];
};

/* What the kernel reports: links, addresses, routes of the main table. */
struct bg_nl_state {
        struct bg_nl_link *links;
        size_t n_links;
        struct bg_nl_addr *addrs;
        size_t n_addrs;
        struct bg_nl_route *routes;
        size_t n_routes;
};

/* Changes to a link in one RTM_NEWLINK; fields left at their "none" value
 * are not sent. Init with bg_nl_linkset_init(). */
struct bg_nl_linkset {
        int up;                     /* -1 no change, 0 down, 1 up */
        int master;                 /* -1 no change, 0 release, >0 enslave to ifindex */
        uint32_t mtu;               /* 0 no change */
        bool set_mac;
        uint8_t mac[6];
};

void bg_nl_linkset_init(struct bg_nl_linkset *s);

/* ---- builders: return the message (inside buf, BG_NL_BUFSIZE bytes) or
 * NULL with errno-style failure in *ret (-EINVAL for a value that cannot be
 * encoded, -EMSGSIZE). `err` gets the reason for -EINVAL when not NULL. */

/* RTM_NEWLINK creating (create=true: NLM_F_CREATE|NLM_F_EXCL, by name) or
 * changing (by ifindex) a bond. Only options with opts->have[] set are
 * put, in catalogue order; options without an IFLA_BOND_* number are
 * skipped. */
int bg_nl_msg_bond(void *buf, uint32_t seq, bool create, const char *name, int ifindex,
                   const struct bg_nl_bond_opts *opts, struct nlmsghdr **out,
                   char *err, size_t errlen);
/* Put one option as an IFLA_BOND_* attribute (exposed for the tests). */
int bg_nl_put_bond_opt(struct nlmsghdr *nlh, const struct bg_opt_info *o,
                       const struct bg_optval *v, char *err, size_t errlen);
/* RTM_NEWLINK creating VLAN `name` with `id` on the link `parent`
 * (IFLA_LINK, IFLA_INFO_KIND "vlan", IFLA_VLAN_ID). */
int bg_nl_msg_vlan(void *buf, uint32_t seq, const char *name, int parent, uint16_t id,
                   struct nlmsghdr **out);
/* RTM_NEWLINK creating (create=true, by name) or changing (by ifindex) a
 * bridge; only the br->have_* attributes are put. */
/* RTM_NEWLINK of kind "vlan" without name, link or data: see
 * bg_nl_vlan_supported(). */
int bg_nl_msg_vlan_probe(void *buf, uint32_t seq, struct nlmsghdr **out);
int bg_nl_msg_bridge(void *buf, uint32_t seq, bool create, const char *name, int ifindex,
                     const struct bg_nl_bridge *br, struct nlmsghdr **out);
int bg_nl_msg_setlink(void *buf, uint32_t seq, int ifindex, const struct bg_nl_linkset *s,
                      struct nlmsghdr **out);
/* Per-port option: IFLA_INFO_SLAVE_DATA { IFLA_BOND_SLAVE_QUEUE_ID }. */
int bg_nl_msg_slave_queue_id(void *buf, uint32_t seq, int ifindex, uint16_t queue_id,
                             struct nlmsghdr **out);
/* Per-port option: IFLA_INFO_SLAVE_DATA { IFLA_BOND_SLAVE_PRIO } (s32). */
int bg_nl_msg_slave_prio(void *buf, uint32_t seq, int ifindex, int32_t prio, struct nlmsghdr **out);
int bg_nl_msg_dellink(void *buf, uint32_t seq, int ifindex, struct nlmsghdr **out);
int bg_nl_msg_addr(void *buf, uint32_t seq, bool add, const struct bg_nl_addr *a,
                   struct nlmsghdr **out);
int bg_nl_msg_route(void *buf, uint32_t seq, bool add, const struct bg_nl_route *r,
                    struct nlmsghdr **out);
/* RTM_GETROUTE of one IPv4 destination (network byte order): the kernel
 * answers with the route it would use (RTM_NEWROUTE, RTA_OIF) or an
 * error (-ENETUNREACH, ...). */
int bg_nl_msg_getroute4(void *buf, uint32_t seq, uint32_t dst_be, struct nlmsghdr **out);
/* RTM_GETLINK / RTM_GETADDR / RTM_GETROUTE dump requests. */
int bg_nl_msg_dump(void *buf, uint32_t seq, uint16_t type, struct nlmsghdr **out);
/* RTM_GETLINK of one link, by ifindex (> 0) or else by name. */
int bg_nl_msg_getlink(void *buf, uint32_t seq, int ifindex, const char *name,
                      struct nlmsghdr **out);

/* ---- parsers ----
 * parse_link also takes RTM_DELLINK and parse_addr RTM_DELADDR (events);
 * `deleted` tells them apart. */
int bg_nl_parse_link(const struct nlmsghdr *nlh, struct bg_nl_link *out);
int bg_nl_parse_addr(const struct nlmsghdr *nlh, struct bg_nl_addr *out);
int bg_nl_parse_route(const struct nlmsghdr *nlh, struct bg_nl_route *out);
void bg_nl_link_clear(struct bg_nl_link *l);
/* Whether the link can carry traffic: administratively up and with carrier
 * (IFLA_CARRIER, or IFF_LOWER_UP when the kernel did not send it). */
bool bg_nl_link_running(const struct bg_nl_link *l);
/* Which bond option the attribute at byte offset `off` of a bond request
 * is (for the kernel's extended ack NLMSGERR_ATTR_OFFS); -1 if none. */
int bg_nl_bond_opt_at(const struct nlmsghdr *req, uint32_t off);

void bg_nl_state_free(struct bg_nl_state *s);
const struct bg_nl_link *bg_nl_state_link(const struct bg_nl_state *s, const char *name);
const struct bg_nl_link *bg_nl_state_link_by_index(const struct bg_nl_state *s, int ifindex);
/* A link whose permanent MAC (or current one if unknown) is mac. */
const struct bg_nl_link *bg_nl_state_link_by_mac(const struct bg_nl_state *s, const uint8_t mac[6]);

/* ---- the socket ---- */
struct bg_nl;

/* The kernel's answer to a failed request: errno and, if it sent one, the
 * extended ack text and the offset of the offending attribute. */
struct bg_nl_error {
        int error;                  /* negative errno, 0 = ok */
        char msg[256];              /* NLMSGERR_ATTR_MSG or "" */
        int32_t offset;             /* NLMSGERR_ATTR_OFFS or -1 */
};

int bg_nl_open(struct bg_nl **out);
void bg_nl_close(struct bg_nl *nl);
uint32_t bg_nl_next_seq(struct bg_nl *nl);
/* RTM_GETSTATS of a bond port for its 802.3ad counters, and the answer's
 * decoding: -ENODATA when the port's bond is not in 802.3ad mode (or it
 * is no bond port), -EBADMSG when malformed. */
int bg_nl_msg_get_port_stats(void *buf, uint32_t seq, int ifindex, struct nlmsghdr **out);
int bg_nl_parse_port_stats(const struct nlmsghdr *nlh, struct bg_nl_3ad_stats *out);
int bg_nl_get_port_stats(struct bg_nl *nl, int ifindex, struct bg_nl_3ad_stats *out);
/* Send a request built with the builders and wait for its ack. */
int bg_nl_call(struct bg_nl *nl, struct nlmsghdr *req, struct bg_nl_error *e);
/* Dump links, addresses and routes (main table). */
int bg_nl_read_state(struct bg_nl *nl, struct bg_nl_state *out);
/* The same into a state read before (freed first), to see what changed. */
int bg_nl_reread_state(struct bg_nl *nl, struct bg_nl_state *st);
/* bg_nl_open() then bg_nl_read_state(); *nl is for bg_nl_close() whatever
 * the result. */
int bg_nl_open_read_state(struct bg_nl **nl, struct bg_nl_state *out);
/* Can this kernel make 802.1Q VLAN devices (CONFIG_VLAN_8021Q, the 8021q
 * module loadable)? 1 yes, 0 no, -errno when the kernel would not say
 * (no CAP_NET_ADMIN). The one test apply and bondgend both use: where the
 * answer is no, bondgend makes a bond's VLANs itself (bondgend(8)). */
int bg_nl_vlan_supported(struct bg_nl *nl);

/* One link, by ifindex (> 0) or else by name; -ENODEV if there is none.
 * Free out with bg_nl_link_clear(). */
int bg_nl_get_link(struct bg_nl *nl, int ifindex, const char *name, struct bg_nl_link *out);
/* Dump the addresses of one link (ifindex 0: of all links) into a
 * malloc'ed array. */
int bg_nl_get_addrs(struct bg_nl *nl, int ifindex, struct bg_nl_addr **out, size_t *n);

/* An event socket: non-blocking, subscribed to link and IPv4/IPv6 address
 * changes (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR). Poll
 * bg_nl_fd() and call bg_nl_read_events() when readable. Not for
 * requests. */
int bg_nl_open_events(struct bg_nl **out);
int bg_nl_fd(const struct bg_nl *nl);
typedef void (*bg_nl_event_fn)(const struct nlmsghdr *nlh, void *userdata);
/* Read one pending datagram and hand each message in it to fn. Returns 1
 * if one was read, 0 if none was pending, -ENOBUFS if the kernel dropped
 * events (the receiver must read the state again), other -errno. */
int bg_nl_read_events(struct bg_nl *nl, bg_nl_event_fn fn, void *userdata);

/* A short explanation of what an errno means for a bond request, e.g.
 * EBUSY -> "the option can be changed only while the bond is down". */
const char *bg_nl_errno_hint(int error, bool for_create);
