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

#include "catalog.h"
#include "diag.h"

enum bg_backend { BG_BACKEND_AUTO, BG_BACKEND_KERNEL, BG_BACKEND_USERSPACE };
enum bg_ip_method { BG_IP_NONE, BG_IP_STATIC, BG_IP_DHCP };

struct bg_port {
        char *name;          /* interface name; may be NULL when matched by MAC only */
        char *mac;           /* "aa:bb:cc:dd:ee:ff" lower case, or NULL: match by MAC */
        struct bg_loc loc;
};

struct bg_route {
        char *to;            /* "10.20.0.0/16", "default" */
        char *via;           /* gateway address or NULL (on-link) */
        uint32_t metric;     /* 0 = unset */
        struct bg_loc loc;
};

struct bg_ipcfg {
        enum bg_ip_method method;
        char **addresses;    /* "10.10.10.1/24", "2001:db8::1/64" */
        size_t n_addresses;
        char *gateway;       /* NULL = none */
        struct bg_route *routes;
        size_t n_routes;
        char **dns;
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
        char *mac;           /* NULL = first port's MAC, as the kernel does */
        struct bg_ipcfg ipv4;
        struct bg_ipcfg ipv6;
        struct bg_loc loc;
};

struct bg_model {
        struct bg_bond *bonds;
        size_t n_bonds;
        size_t bonds_cap;    /* allocated; 0 = exactly n_bonds (set by whoever filled bonds) */
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

/* Append a bond with defaults (backend auto, onboot true, methods none);
 * returns it or NULL (ENOMEM). The pointer is valid until the next add. */
struct bg_bond *bg_model_add_bond(struct bg_model *m, const char *name);
struct bg_bond *bg_model_find_bond(const struct bg_model *m, const char *name);
struct bg_port *bg_bond_add_port(struct bg_bond *b, const char *name, const char *mac);
struct bg_port *bg_bond_find_port(const struct bg_bond *b, const char *name);
int bg_ipcfg_add_address(struct bg_ipcfg *c, const char *addr);
int bg_ipcfg_add_route(struct bg_ipcfg *c, const char *to, const char *via, uint32_t metric);
int bg_ipcfg_add_dns(struct bg_ipcfg *c, const char *addr);

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

/* Helpers for address text shared by readers and emitters. */
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
