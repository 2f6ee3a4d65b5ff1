/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The option catalogue: ONE row per kernel bonding option (src/README.md, "Adding an option").
 * Legacy parsing (BONDING_OPTS, modprobe), validation, YAML, every emitter
 * and netlink read this table. Adding an option is adding a row here and in
 * catalog.c; nothing else should need to change.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bg_mode {
        BG_MODE_BALANCE_RR = 0,
        BG_MODE_ACTIVE_BACKUP = 1,
        BG_MODE_BALANCE_XOR = 2,
        BG_MODE_BROADCAST = 3,
        BG_MODE_8023AD = 4,
        BG_MODE_BALANCE_TLB = 5,
        BG_MODE_BALANCE_ALB = 6,
        BG_MODE__MAX,
};
#define BG_MODE_BIT(m) (1u << (m))
#define BG_MODES_ALL 0x7fu

/* Enumerated values by kernel number, for code that switches on them. */
enum bg_xmit_hash { BG_HASH_LAYER2 = 0, BG_HASH_LAYER34 = 1, BG_HASH_LAYER23 = 2,
                    BG_HASH_ENCAP23 = 3, BG_HASH_ENCAP34 = 4, BG_HASH_VLAN_SRCMAC = 5 };
enum bg_primary_reselect { BG_RESELECT_ALWAYS = 0, BG_RESELECT_BETTER = 1, BG_RESELECT_FAILURE = 2 };
enum bg_fail_over_mac { BG_FOM_NONE = 0, BG_FOM_ACTIVE = 1, BG_FOM_FOLLOW = 2 };
enum bg_arp_validate { BG_ARPV_NONE = 0, BG_ARPV_ACTIVE = 1, BG_ARPV_BACKUP = 2, BG_ARPV_ALL = 3,
                       BG_ARPV_FILTER = 4, BG_ARPV_FILTER_ACTIVE = 5, BG_ARPV_FILTER_BACKUP = 6 };
enum bg_ad_select { BG_ADSEL_STABLE = 0, BG_ADSEL_BANDWIDTH = 1, BG_ADSEL_COUNT = 2,
                    BG_ADSEL_ACTOR_PORT_PRIO = 3 };

/* Option ids: the row index in the catalogue. Order = the kernel's
 * bond_changelink order where there is one (netlink encodes in id order). */
enum bg_opt {
        BG_OPT_MODE,
        BG_OPT_MIIMON,
        BG_OPT_UPDELAY,
        BG_OPT_DOWNDELAY,
        BG_OPT_PEER_NOTIF_DELAY,
        BG_OPT_USE_CARRIER,
        BG_OPT_ARP_INTERVAL,
        BG_OPT_ARP_IP_TARGET,
        BG_OPT_NS_IP6_TARGET,
        BG_OPT_ARP_VALIDATE,
        BG_OPT_ARP_ALL_TARGETS,
        BG_OPT_PRIMARY,
        BG_OPT_PRIMARY_RESELECT,
        BG_OPT_FAIL_OVER_MAC,
        BG_OPT_XMIT_HASH_POLICY,
        BG_OPT_RESEND_IGMP,
        BG_OPT_NUM_GRAT_ARP,          /* num_unsol_na is the same value */
        BG_OPT_ALL_SLAVES_ACTIVE,
        BG_OPT_MIN_LINKS,
        BG_OPT_LP_INTERVAL,
        BG_OPT_PACKETS_PER_SLAVE,
        BG_OPT_LACP_ACTIVE,
        BG_OPT_LACP_RATE,
        BG_OPT_AD_SELECT,
        BG_OPT_AD_ACTOR_SYS_PRIO,
        BG_OPT_AD_USER_PORT_KEY,
        BG_OPT_AD_ACTOR_SYSTEM,
        BG_OPT_TLB_DYNAMIC_LB,
        BG_OPT_ARP_MISSED_MAX,
        BG_OPT_COUPLED_CONTROL,
        BG_OPT_BROADCAST_NEIGHBOR,
        BG_OPT_LACP_STRICT,
        BG_OPT_ACTIVE_SLAVE,          /* runtime (sysfs/netlink) only; ifenslave -c */
        BG_OPT_QUEUE_ID,              /* per port "ifname:qid", repeatable */
        BG_OPT_MAX_BONDS,             /* module parameter only */
        BG_OPT_TX_QUEUES,             /* module parameter only */
        BG_OPT__MAX,
};

enum bg_opt_type {
        BG_OT_UINT,        /* decimal number in [min,max] */
        BG_OT_MSEC,        /* milliseconds, decimal, [min,max] */
        BG_OT_ENUM,        /* name or number from enums[] */
        BG_OT_BOOL,        /* enum with off=0/on=1 (also accepts 0/1) */
        BG_OT_IFNAME,      /* interface name, may be empty (= none) */
        BG_OT_MAC,         /* MAC address aa:bb:cc:dd:ee:ff */
        BG_OT_IPV4_LIST,   /* up to 16 IPv4 addresses */
        BG_OT_IPV6_LIST,   /* up to 16 IPv6 addresses */
        BG_OT_QUEUE_ID,    /* list of "ifname:qid" */
};

/* How the kernel wants the value on the wire (IFLA_BOND_*). */
enum bg_nla_type { BG_NLA_NONE, BG_NLA_U8, BG_NLA_U16, BG_NLA_U32, BG_NLA_MAC,
                   BG_NLA_NESTED_IN4, BG_NLA_NESTED_IN6, BG_NLA_IFINDEX };

enum {
        BG_OF_IFDOWN = 1u << 0,      /* kernel: only while the bond is down (EBUSY) */
        BG_OF_NOSLAVES = 1u << 1,    /* kernel: only while the bond has no ports (ENOTEMPTY) */
        BG_OF_NEEDS_MIIMON = 1u << 2,/* meaningful only with miimon != 0 (EPERM otherwise) */
        BG_OF_MODULE_ONLY = 1u << 3, /* module parameter, not a per-bond option */
        BG_OF_RUNTIME = 1u << 4,     /* not a bond attribute at creation: active_slave, taken once its port is up */
        BG_OF_MODULE_PARAM = 1u << 5,/* also accepted as a bonding.ko module parameter */
        BG_OF_LIST = 1u << 6,        /* takes several values */
        BG_OF_SECONDS = 1u << 7,     /* UINT in seconds (lp_interval): networkd wants "Ns" */
        BG_OF_PER_PORT = 1u << 8,    /* value belongs to ports (queue_id: IFLA_BOND_SLAVE_QUEUE_ID) */
};

struct bg_enum_val {
        const char *name;
        unsigned num;
};

struct bg_opt_info {
        enum bg_opt id;
        const char *name;              /* kernel/sysfs name, as in BONDING_OPTS */
        const char *const *aliases;    /* other accepted names, NULL-terminated, may be NULL */
        enum bg_opt_type type;
        const struct bg_enum_val *enums; /* NULL-terminated by name == NULL; ENUM/BOOL */
        uint64_t min, max;             /* UINT/MSEC range; list length max for lists */
        uint64_t def;                  /* default number (enum number for enums) */
        unsigned modes;                /* BG_MODE_BIT set where the kernel accepts it */
        unsigned effect_modes;         /* where it has an effect (validation warns outside) */
        unsigned flags;                /* BG_OF_* */
        uint16_t ifla;                 /* IFLA_BOND_* number, 0 = none */
        enum bg_nla_type nla;
        const char *networkd;          /* [Bond] key in .netdev, NULL = cannot express */
        const char *netplan;           /* bonds.<id>.parameters key, NULL = cannot express */
        const char *keyfile;           /* NM keyfile [bond] key, NULL = cannot express */
        const char *doc;               /* one line for man pages / --help */
};

/* One address of arp_ip_target or ns_ip6_target, parsed once. */
#define BG_OPT_MAX_HINT_VLANS 5   /* BOND_MAX_VLAN_TAGS of the proposed kernel syntax */
struct bg_optaddr {
        int family;          /* AF_INET or AF_INET6 */
        uint8_t bytes[16];   /* network byte order; IPv4 in the first 4 */
        /* arp_ip_target's VLAN hint ("10.0.0.1[10/20]", "10.0.0.1[]"): the
         * VLAN ids its probes carry, outermost first, instead of those the
         * path to the target would give */
        bool hinted;
        uint8_t n_vlans;
        uint16_t vlans[BG_OPT_MAX_HINT_VLANS];
};

/* Parsed value of one option. Scalars use num (enum/bool: the kernel
 * number) or str (ifname, MAC); lists use list/n_list (strings in canonical
 * text form, e.g. "10.0.0.1"). The text is what is written back (YAML,
 * emitters); the typed forms beside it are what apply and bondgend use, so
 * nothing outside src/model parses a value again. */
struct bg_optval {
        bool set;
        uint64_t num;
        char *str;
        char **list;
        size_t n_list;
        /* BG_OT_IPV4_LIST / BG_OT_IPV6_LIST: addrs[i] is list[i] */
        struct bg_optaddr *addrs;
        /* BG_OT_MAC: the address str spells (all zero = none) */
        uint8_t mac[6];
};

extern const struct bg_opt_info bg_catalog[BG_OPT__MAX];

const struct bg_opt_info *bg_opt_get(enum bg_opt id);
/* By kernel name or alias (exact, case-sensitive as the kernel). NULL if unknown. */
const struct bg_opt_info *bg_opt_lookup(const char *name);
/* Closest known name for a typo (edit distance <= 2), or NULL. */
const char *bg_opt_suggest(const char *name);

/* Parse one value in kernel syntax ("100", "802.3ad", "4", "+10.0.0.1",
 * "10.0.0.1,10.0.0.2"). For lists the parsed items are APPENDED to out
 * ("+a" adds, "-a" removes, a plain list adds all). On error returns
 * -EINVAL and writes a human explanation (no key, no location) to err. */
int bg_opt_parse_value(const struct bg_opt_info *o, const char *text, struct bg_optval *out,
                       char *err, size_t errlen);
/* Canonical text of a value: enum name, decimal, list joined by ','.
 * Returns 0, -ENOBUFS when buf is too small, -ENODATA when v is unset. */
int bg_opt_format_value(const struct bg_opt_info *o, const struct bg_optval *v, char *buf,
                        size_t len);
/* Enum name for a number, NULL if none. */
const char *bg_opt_enum_name(const struct bg_opt_info *o, uint64_t num);

const char *bg_mode_name(enum bg_mode m);
int bg_mode_from_string(const char *s, enum bg_mode *out); /* name or 0-6 */

/* Split an option string ("mode=1 miimon=100", "mode=1,miimon=100" is NOT
 * split on commas since arp_ip_target uses them) into key/value pairs and
 * call cb for each. Whitespace separates pairs; a pair without '=' is
 * passed with value NULL. col is the 1-based column of the key in s.
 * Stops and returns cb's value when it is negative. */
typedef int (*bg_opt_pair_cb)(const char *key, const char *value, unsigned col, void *userdata);
int bg_opt_split(const char *s, bg_opt_pair_cb cb, void *userdata);

void bg_optval_clear(struct bg_optval *v);
int bg_optval_copy(struct bg_optval *dst, const struct bg_optval *src);
bool bg_optval_equal(const struct bg_optval *a, const struct bg_optval *b);
