/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Shared between the loader, the position pre-pass and the dumper.
 *
 * Every scalar of the canonical file is loaded by libcyaml as a string and
 * parsed by bondgen: libcyaml's CYAML_BOOL takes any unknown word as true and
 * its number errors carry no usable position (libcyaml 1.3 src/load.c).
 * The same schema tables drive libcyaml and the libyaml pre-pass
 * (yaml-prepass.c) that records line/column of every node and reports
 * structural errors with positions before libcyaml ever runs.
 */
#include <cyaml/cyaml.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "yaml/yaml.h"

/* Limits that keep hostile input cheap; a real model is a few KiB. */
#define Y_MAX_STRING 1024u      /* longest scalar */
#define Y_MAX_ERRORS 20u        /* stop reporting after this many */
#define Y_MAX_DEPTH BG_YAML_MAX_DEPTH         /* nesting depth, also inside skipped subtrees */

/* One option key of the options: mapping. Scalars land in scalar, lists
 * (arp_ip_target, ns_ip6_target, queue_id) in list/n_list. */
struct y_optslot {
        char *scalar;
        char **list;
        uint32_t n_list;
};

struct y_port {
        char *name;
        char *mac;
        char *prio;
};

struct y_route {
        char *to;
        char *via;
        char *metric;
};

struct y_ip {
        char *method;
        char **addresses;
        uint32_t n_addresses;
        char *gateway;
        struct y_route *routes;
        uint32_t n_routes;
        char **dns;
        uint32_t n_dns;
};

/* The keys every interface kind has (bonds, VLANs, bridges), after the
 * kind's own keys. */
struct y_l3 {
        char *onboot;
        char *mtu;
        char *mac;
        struct y_ip *ipv4;
        struct y_ip *ipv6;
        char *dhcp;
        char *dhcp_hostname;
};

struct y_bond {
        char *name;
        char *backend;
        char *mode;
        struct y_optslot *options;   /* y_schema.n_opt_fields slots */
        struct y_port *ports;
        uint32_t n_ports;
        struct y_l3 l3;
};

struct y_vlan {
        char *name;
        char *id;
        char *link;
        struct y_l3 l3;
};

struct y_bridge {
        char *name;
        struct y_port *ports;
        uint32_t n_ports;
        char *stp;
        char *forward_delay;
        char *hello_time;
        char *max_age;
        char *priority;
        struct y_l3 l3;
};

struct y_doc {
        char *version;
        struct y_bond *bonds;
        uint32_t n_bonds;
        struct y_vlan *vlans;
        uint32_t n_vlans;
        struct y_bridge *bridges;
        uint32_t n_bridges;
};

/* The schema is built at run time because the options: mapping has one
 * field per catalogue name and alias: adding a catalogue row adds a key. */
struct y_schema {
        cyaml_schema_field_t *opt_fields;      /* n_opt_fields + terminator */
        enum bg_opt *opt_ids;                  /* field index -> option */
        size_t n_opt_fields;
        size_t opt_slot[BG_OPT__MAX];          /* option -> slot of its kernel name; SIZE_MAX none */
        cyaml_schema_field_t bond_fields[14];
        cyaml_schema_value_t bond_value;
        cyaml_schema_field_t doc_fields[5];
        cyaml_schema_value_t top;
};

/* The schema, built once per process; NULL when out of memory. */
const struct y_schema *y_schema_get(void);
/* true when s is a word some YAML reader would not read as a string
 * (YAML 1.1 booleans and null, numbers): the dumper quotes those. */
bool y_word_needs_quotes(const char *s);

/* Positions of the nodes of one document, by key path
 * ("bonds[0].options.miimon", "bonds[1].ports[0]"). */
struct y_node {
        char *path;
        unsigned key_line, key_col;   /* 0 for sequence entries and the root */
        unsigned line, col;           /* the value (scalar, mapping or sequence start) */
        bool plain;                   /* plain scalar (not quoted, not block) */
};

struct y_index {
        struct y_node *v;
        size_t n, cap;
};

/* Walk the document with libyaml against the schema; fills idx and reports
 * every structural problem (syntax, unknown or duplicate key, wrong node
 * type, missing key, aliases, several documents) to diags with file:line:col.
 * Returns 0 when libcyaml can load the document, -EINVAL if not, -ENOMEM. */
int y_prepass(const char *data, size_t len, const struct y_schema *s, const char *file,
              struct y_index *idx, struct bg_diags *diags);
void y_index_sort(struct y_index *idx);
const struct y_node *y_index_find(const struct y_index *idx, const char *path);
void y_index_free(struct y_index *idx);

/* Edit distance capped at max+1, for "did you mean" hints. */
unsigned y_edit_distance(const char *a, const char *b, unsigned max);
