/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The canonical model (bondgen.yaml(5)). Every reader produces a struct bg_model;
 * everything after it (YAML dump, emitters, apply, forwarder) consumes it.
 * Depends on nothing but libc. All strings are owned (malloc'd) by the
 * model and freed by bg_model_free().
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "catalog.h"
#include "diag.h"

enum bg_backend { BG_BACKEND_AUTO, BG_BACKEND_KERNEL, BG_BACKEND_USERSPACE };
enum bg_ip_method { BG_IP_NONE, BG_IP_STATIC, BG_IP_DHCP };

/* A hardware address: a 6-byte Ethernet MAC (ETH_ALEN) or a 20-byte
 * InfiniBand address (INFINIBAND_ALEN, IPoIB ports). len 0 = unset. */
#define BG_HWADDR_MAX 20
#define BG_HWADDR_STRLEN (BG_HWADDR_MAX * 3) /* "aa:" per byte, last ':' is the NUL */
struct bg_hwaddr {
        uint8_t len;
        uint8_t bytes[BG_HWADDR_MAX];
};

/* An IP address, parsed once by the reader. is_prefix: written and
 * formatted as ADDR/LEN (interface addresses, route destinations); else a
 * plain address (gateways, DNS servers) whose prefixlen is 32 or 128.
 * family 0 = unset. loc is where the text was read; it is not part of
 * what the address says (bg_addr_equal() ignores it). */
#define BG_ADDR_STRLEN 50 /* INET6_ADDRSTRLEN + "/128" */
struct bg_addr {
        uint8_t family;      /* 0, AF_INET or AF_INET6 */
        uint8_t prefixlen;
        bool is_prefix;
        uint8_t bytes[16];   /* network byte order; IPv4 in the first 4 */
        struct bg_loc loc;
};

struct bg_port {
        char *name;          /* interface name; may be NULL when matched by MAC only */
        struct bg_hwaddr mac; /* len 0: match by name */
        /* IFLA_BOND_SLAVE_PRIO (kernel 6.0): with no usable primary, the
         * up port with the highest prio becomes active (active-backup,
         * balance-tlb, balance-alb); 0 is the kernel's default */
        int32_t prio;
        struct bg_loc loc, prio_loc;
};

struct bg_route {
        struct bg_addr to;   /* destination prefix; see is_default */
        bool is_default;     /* written "default": to is 0/0 of the section's family */
        struct bg_addr via;  /* family 0 = on-link */
        uint32_t metric;     /* 0 = unset */
        struct bg_loc loc;
};

struct bg_ipcfg {
        enum bg_ip_method method;
        struct bg_addr *addresses; /* prefixes: 10.10.10.1/24, 2001:db8::1/64 */
        size_t n_addresses;
        struct bg_addr gateway;    /* family 0 = none */
        struct bg_route *routes;
        size_t n_routes;
        struct bg_addr *dns;       /* plain addresses */
        size_t n_dns;
        struct bg_loc loc;
};

struct bg_bond {
        char *name;
        enum bg_backend backend;
        /* Options by catalogue id. opts[BG_OPT_MODE] holds the mode; unset
         * means the kernel default (balance-rr). */
        struct bg_optval opts[BG_OPT__MAX];
        struct bg_loc opt_loc[BG_OPT__MAX];
        struct bg_port *ports;
        size_t n_ports;
        bool onboot;         /* default true */
        uint32_t mtu;        /* 0 = unset */
        struct bg_hwaddr mac; /* len 0 = first port's MAC, as the kernel does */
        struct bg_ipcfg ipv4;
        struct bg_ipcfg ipv6;
        char *dhcp_hostname; /* host name sent with DHCP requests; NULL = the client's default */
        struct bg_loc loc;
};

/* An 802.1Q VLAN device on a parent link (a bond of the model or a NIC). */
struct bg_vlan {
        char *name;
        uint16_t id;         /* 1-4094; 0 = unset (an error) */
        char *link;          /* parent interface */
        bool onboot;         /* default true */
        uint32_t mtu;        /* 0 = unset */
        struct bg_hwaddr mac; /* len 0 = the parent's MAC, as the kernel does */
        struct bg_ipcfg ipv4;
        struct bg_ipcfg ipv6;
        char *dhcp_hostname;
        struct bg_loc loc, id_loc, link_loc;
};

enum bg_stp { BG_STP_UNSET, BG_STP_OFF, BG_STP_ON };

/* Bridge times are whole seconds (systemd.netdev(5) ForwardDelaySec=,
 * netplan, NetworkManager); the kernel keeps them in jiffies and iproute2
 * and sysfs speak hundredths of a second. */
#define BG_BR_UNSET (-1)
struct bg_bridge {
        char *name;
        struct bg_port *ports; /* by name (mac unused): bonds, VLANs or NICs */
        size_t n_ports;
        enum bg_stp stp;     /* unset: the kernel's default, off */
        int32_t forward_delay; /* seconds, BG_BR_UNSET or 0-30 */
        int32_t hello_time;  /* seconds, BG_BR_UNSET or 1-10 */
        int32_t max_age;     /* seconds, BG_BR_UNSET or 6-40 */
        int32_t priority;    /* BG_BR_UNSET or 0-65535 */
        bool onboot;
        uint32_t mtu;
        struct bg_hwaddr mac;
        struct bg_ipcfg ipv4;
        struct bg_ipcfg ipv6;
        char *dhcp_hostname;
        struct bg_loc loc;
};

struct bg_model {
        struct bg_bond *bonds;
        size_t n_bonds;
        size_t bonds_cap;    /* allocated; 0 = exactly n_bonds (set by whoever filled bonds) */
        struct bg_vlan *vlans;
        size_t n_vlans;
        struct bg_bridge *bridges;
        size_t n_bridges;
        /* Interned strings (file names) that struct bg_loc points at. */
        char **strings;
        size_t n_strings;
        /* Open-addressing index into strings (slot = index + 1, 0 = empty),
         * so interning stays O(1) with tens of thousands of files. */
        size_t *strings_slot;
        size_t strings_cap;
};

void bg_model_init(struct bg_model *m);
void bg_model_free(struct bg_model *m);
/* Keep a copy of s alive as long as the model; returns it (NULL on ENOMEM). */
const char *bg_model_intern(struct bg_model *m, const char *s);
/* A port's prio: a whole number in signed 32 bits (IFLA_BOND_SLAVE_PRIO
 * is an s32), decimal, an optional '-'; 0 or -EINVAL/-ERANGE. */
int bg_port_prio_parse(const char *s, int32_t *out);

/* Append a bond with defaults (backend auto, onboot true, methods none);
 * returns it or NULL (ENOMEM). The pointer is valid until the next add. */
struct bg_bond *bg_model_add_bond(struct bg_model *m, const char *name);
struct bg_bond *bg_model_find_bond(const struct bg_model *m, const char *name);
/* Frees the last bond added and removes it (a reader that built a bond and
 * then found it invalid). No-op on a model without bonds. */
void bg_model_drop_last_bond(struct bg_model *m);
/* VLANs and bridges (stack.c): same contract as bg_model_add_bond(). */
struct bg_vlan *bg_model_add_vlan(struct bg_model *m, const char *name, const char *link, uint16_t id);
struct bg_vlan *bg_model_find_vlan(const struct bg_model *m, const char *name);
struct bg_bridge *bg_model_add_bridge(struct bg_model *m, const char *name);
struct bg_bridge *bg_model_find_bridge(const struct bg_model *m, const char *name);
struct bg_port *bg_bridge_add_port(struct bg_bridge *br, const char *name);
/* Remove the last VLAN or bridge (a reader leaving out one it could not read). */
void bg_model_pop_vlan(struct bg_model *m);
void bg_model_pop_bridge(struct bg_model *m);
/* The bridge that has name as a port, or NULL. */
struct bg_bridge *bg_model_bridge_of(const struct bg_model *m, const char *name);
/* Replace *dst with a copy of name (NULL clears it); 0 or -ENOMEM. */
int bg_set_str(char **dst, const char *name);
/* Text constructors (readers, tests): the text is parsed here, once.
 * bg_bond_add_port() returns NULL with errno EINVAL for a MAC that does not
 * parse (bg_hwaddr_parse()) and ENOMEM otherwise; the int ones return
 * -EINVAL for bad text: an address needs a prefix length, a route's
 * destination is "default" or a prefix, via/gateway/DNS are plain. */
struct bg_port *bg_bond_add_port(struct bg_bond *b, const char *name, const char *mac);
struct bg_port *bg_bond_find_port(const struct bg_bond *b, const char *name);
int bg_ipcfg_add_address(struct bg_ipcfg *c, const char *addr);
int bg_ipcfg_add_route(struct bg_ipcfg *c, const char *to, const char *via, uint32_t metric);
int bg_ipcfg_add_dns(struct bg_ipcfg *c, const char *addr);
int bg_ipcfg_set_gateway(struct bg_ipcfg *c, const char *addr);
/* Typed constructors: values a reader already parsed (its own syntax). */
struct bg_port *bg_bond_add_port_hw(struct bg_bond *b, const char *name, const struct bg_hwaddr *mac);
int bg_ipcfg_add_addr(struct bg_ipcfg *c, const struct bg_addr *a);
int bg_ipcfg_add_dns_addr(struct bg_ipcfg *c, const struct bg_addr *a);
int bg_ipcfg_append_route(struct bg_ipcfg *c, const struct bg_route *r);

enum bg_mode bg_bond_mode(const struct bg_bond *b);
/* Number value of an option, or the catalogue default when unset. */
uint64_t bg_bond_opt_num(const struct bg_bond *b, enum bg_opt id);
/* Set an option from kernel-syntax text, recording where it came from.
 * Errors go to diags (with loc and the option name) and return -EINVAL. */
int bg_bond_set_opt_text(struct bg_bond *b, enum bg_opt id, const char *text,
                         const struct bg_loc *loc, struct bg_diags *diags);

int bg_model_copy(struct bg_model *dst, const struct bg_model *src);
bool bg_model_equal(const struct bg_model *a, const struct bg_model *b);

const char *bg_backend_name(enum bg_backend b);
int bg_backend_from_string(const char *s, enum bg_backend *out);
const char *bg_ip_method_name(enum bg_ip_method m);
int bg_ip_method_from_string(const char *s, enum bg_ip_method *out);

/* Address text <-> typed values (addr.c). Parsers return 0 or -EINVAL and
 * leave out->loc alone; formatters return buf. */
int bg_hwaddr_parse(const char *s, struct bg_hwaddr *out);   /* 6 or 20 bytes, ':' or '-' */
const char *bg_hwaddr_format(const struct bg_hwaddr *h, char buf[BG_HWADDR_STRLEN]);
bool bg_hwaddr_equal(const struct bg_hwaddr *a, const struct bg_hwaddr *b);
bool bg_hwaddr_usable(const struct bg_hwaddr *m, const char **why);  /* why: static text */
int bg_hwaddr_from_bytes(const uint8_t *bytes, size_t len, struct bg_hwaddr *out);
/* "10.0.0.1/24", "2001:db8::1/64": the prefix length is required. */
int bg_addr_parse_prefix(const char *s, struct bg_addr *out);
/* "10.0.0.1", "2001:db8::1": no prefix length. */
int bg_addr_parse_ip(const char *s, struct bg_addr *out);
/* family AF_INET/AF_INET6; bytes 4 or 16 long; prefixlen < 0: plain address. */
int bg_addr_make(int family, const void *bytes, int prefixlen, struct bg_addr *out);
/* "" for an unset address; ADDR/LEN when is_prefix. */
const char *bg_addr_format(const struct bg_addr *a, char buf[BG_ADDR_STRLEN]);
bool bg_addr_equal(const struct bg_addr *a, const struct bg_addr *b);
static inline bool bg_addr_set(const struct bg_addr *a) { return a->family != 0; }
static inline unsigned bg_addr_len(const struct bg_addr *a) { return a->family == AF_INET6 ? 16 : 4; }
/* The text of a value as an expression, for printf arguments: the buffer
 * is a compound literal that lives until the end of the enclosing block. */
#define BG_ADDR_STR(a) bg_addr_format((a), (char[BG_ADDR_STRLEN]){ 0 })
#define BG_HWADDR_STR(h) bg_hwaddr_format((h), (char[BG_HWADDR_STRLEN]){ 0 })
/* A route's destination as a prefix of family (0.0.0.0/0 or ::/0 for
 * "default"). */
struct bg_addr bg_route_dest(const struct bg_route *r, int family);

/* Older text helpers, kept for the option catalogue and readers. */
int bg_parse_mac(const char *s, uint8_t out[6]);             /* accepts aa:bb.. / AA-BB.. */
int bg_format_mac(const uint8_t mac[6], char buf[18]);
int bg_normalize_mac(const char *s, char buf[18]);
/* "10.0.0.1/24" or "2001:db8::1/64" -> family, address bytes, prefix. */
int bg_parse_prefix(const char *s, int *family, uint8_t addr[16], unsigned *prefixlen);
int bg_netmask_to_prefix(const char *netmask, unsigned *prefixlen);

/* Validation: appends errors and
 * warnings to diags, with the locations the model carries. Returns 0 when
 * there is no error (warnings allowed), -EINVAL otherwise. */
int bg_model_validate(const struct bg_model *m, struct bg_diags *diags);
