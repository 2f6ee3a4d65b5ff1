/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libcyaml schema of the canonical file (bondgen.yaml(5)). Everything is a
 * string on this level; yaml.c parses values through the catalogue and the
 * model helpers, so that errors name the value and its position.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "yaml-internal.h"

#define F_OPT (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)
#define F_REQ (CYAML_FLAG_POINTER)

#define STR(key, flags, type, member) \
        CYAML_FIELD_STRING_PTR(key, flags, type, member, 1, Y_MAX_STRING)

static const cyaml_schema_value_t str_entry = {
        CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, Y_MAX_STRING),
};

static const cyaml_schema_field_t port_fields[] = {
        STR("name", F_OPT, struct y_port, name),
        /* Quoted on output: YAML 1.1 readers take 52:54:00 for a base-60 number. */
        STR("mac", F_OPT | CYAML_FLAG_SCALAR_QUOTE_DOUBLE, struct y_port, mac),
        STR("prio", F_OPT, struct y_port, prio),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t port_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_port, port_fields),
};

static const cyaml_schema_field_t route_fields[] = {
        STR("to", F_REQ, struct y_route, to),
        STR("via", F_OPT, struct y_route, via),
        STR("metric", F_OPT, struct y_route, metric),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t route_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_FLOW, struct y_route, route_fields),
};

static const cyaml_schema_field_t ip_fields[] = {
        STR("method", F_OPT, struct y_ip, method),
        CYAML_FIELD_SEQUENCE_COUNT("addresses", F_OPT | CYAML_FLAG_FLOW, struct y_ip, addresses,
                                   n_addresses, &str_entry, 0, CYAML_UNLIMITED),
        STR("gateway", F_OPT, struct y_ip, gateway),
        CYAML_FIELD_SEQUENCE_COUNT("routes", F_OPT | CYAML_FLAG_FLOW, struct y_ip, routes,
                                   n_routes, &route_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_SEQUENCE_COUNT("dns", F_OPT | CYAML_FLAG_FLOW, struct y_ip, dns, n_dns,
                                   &str_entry, 0, CYAML_UNLIMITED),
        CYAML_FIELD_END,
};

/* The keys of struct y_l3, member l3 of every interface kind; an
 * initializer list has no other way to share entries. dhcp: is read and
 * folded into ipv4/ipv6.method; the dump writes the methods, so a v1 file
 * stays byte for byte what it was. */
#define L3_FIELDS(type) \
        STR("onboot", F_OPT, type, l3.onboot), \
        STR("mtu", F_OPT, type, l3.mtu), \
        STR("mac", F_OPT | CYAML_FLAG_SCALAR_QUOTE_DOUBLE, type, l3.mac), \
        CYAML_FIELD_MAPPING_PTR("ipv4", F_OPT, type, l3.ipv4, ip_fields), \
        CYAML_FIELD_MAPPING_PTR("ipv6", F_OPT, type, l3.ipv6, ip_fields), \
        STR("dhcp", F_OPT, type, l3.dhcp), \
        STR("dhcp-hostname", F_OPT, type, l3.dhcp_hostname)

/* Key order here is the canonical order of the dump. The options entry is
 * completed at run time by y_schema_build(). */
static const cyaml_schema_field_t bond_fields_tmpl[] = {
        STR("name", F_REQ, struct y_bond, name),
        STR("backend", F_OPT, struct y_bond, backend),
        STR("mode", F_OPT, struct y_bond, mode),
        { .key = "options", .data_offset = offsetof(struct y_bond, options) },
        CYAML_FIELD_SEQUENCE_COUNT("ports", F_OPT, struct y_bond, ports, n_ports, &port_entry, 0,
                                   CYAML_UNLIMITED),
        L3_FIELDS(struct y_bond),
        CYAML_FIELD_END,
};

static const cyaml_schema_field_t vlan_fields[] = {
        STR("name", F_REQ, struct y_vlan, name),
        STR("id", F_REQ, struct y_vlan, id),
        STR("link", F_REQ, struct y_vlan, link),
        L3_FIELDS(struct y_vlan),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t vlan_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_vlan, vlan_fields),
};

static const cyaml_schema_field_t bridge_port_fields[] = {
        STR("name", F_REQ, struct y_port, name),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t bridge_port_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_port, bridge_port_fields),
};

static const cyaml_schema_field_t bridge_fields[] = {
        STR("name", F_REQ, struct y_bridge, name),
        CYAML_FIELD_SEQUENCE_COUNT("ports", F_OPT, struct y_bridge, ports, n_ports, &bridge_port_entry,
                                   0, CYAML_UNLIMITED),
        STR("stp", F_OPT, struct y_bridge, stp),
        STR("forward-delay", F_OPT, struct y_bridge, forward_delay),
        STR("hello-time", F_OPT, struct y_bridge, hello_time),
        STR("max-age", F_OPT, struct y_bridge, max_age),
        STR("priority", F_OPT, struct y_bridge, priority),
        L3_FIELDS(struct y_bridge),
        CYAML_FIELD_END,
};

static const cyaml_schema_value_t bridge_entry = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_bridge, bridge_fields),
};

_Static_assert(sizeof(bond_fields_tmpl) <= sizeof(((struct y_schema *)0)->bond_fields),
               "y_schema.bond_fields too small");

/* Options that live elsewhere: mode is a bond key. active_slave is kept:
 * the port to make active once it is up, as networkd's ActiveSlave= and
 * NetworkManager's active_slave keep it. */
static bool opt_in_options_map(const struct bg_opt_info *o) {
        return o->id != BG_OPT_MODE;
}

static bool opt_is_list(const struct bg_opt_info *o) {
        return o->type == BG_OT_IPV4_LIST || o->type == BG_OT_IPV6_LIST ||
               o->type == BG_OT_QUEUE_ID || (o->flags & BG_OF_LIST);
}

bool y_word_needs_quotes(const char *s) {
        static const char *const words[] = {
                "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                "true", "True", "TRUE", "false", "False", "FALSE",
                "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
        };

        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (!strcmp(s, words[i]))
                        return true;
        return false;
}

static void fill_opt_field(cyaml_schema_field_t *f, const char *key, size_t slot,
                           const struct bg_opt_info *o) {
        size_t base = slot * sizeof(struct y_optslot);

        f->key = key;
        if (opt_is_list(o)) {
                f->data_offset = base + offsetof(struct y_optslot, list);
                f->count_offset = base + offsetof(struct y_optslot, n_list);
                f->count_size = sizeof(uint32_t);
                f->value = (cyaml_schema_value_t){
                        CYAML_VALUE_SEQUENCE(F_OPT | CYAML_FLAG_FLOW, char *, &str_entry, 0,
                                             CYAML_UNLIMITED),
                };
                return;
        }
        unsigned flags = F_OPT;
        if (o->type == BG_OT_MAC)
                flags |= CYAML_FLAG_SCALAR_QUOTE_DOUBLE;
        if (o->type == BG_OT_ENUM && o->enums)
                for (const struct bg_enum_val *e = o->enums; e->name; e++)
                        if (y_word_needs_quotes(e->name))
                                flags |= CYAML_FLAG_SCALAR_QUOTE_DOUBLE;
        f->data_offset = base + offsetof(struct y_optslot, scalar);
        f->value = (cyaml_schema_value_t){
                CYAML_VALUE_STRING(flags, char, 1, Y_MAX_STRING),
        };
}

static void schema_free(struct y_schema *s);

static int schema_build(struct y_schema *s) {
        size_t n = 0, i = 0;

        memset(s, 0, sizeof(*s));
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);

                s->opt_slot[id] = SIZE_MAX;
                if (!o || !o->name || !opt_in_options_map(o))
                        continue;
                n++;
                for (const char *const *a = o->aliases; a && *a; a++)
                        n++;
        }
        s->opt_fields = calloc(n + 1, sizeof(*s->opt_fields));
        s->opt_ids = calloc(n + 1, sizeof(*s->opt_ids));
        if (!s->opt_fields || !s->opt_ids) {
                schema_free(s);
                return -ENOMEM;
        }
        /* Kernel names first, in catalogue order (the dump order), then
         * the aliases, which load into their own slots so that giving an
         * option twice under two names can be reported. */
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);

                if (!o || !o->name || !opt_in_options_map(o))
                        continue;
                s->opt_slot[id] = i;
                s->opt_ids[i] = id;
                fill_opt_field(&s->opt_fields[i], o->name, i, o);
                i++;
        }
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);

                if (!o || !o->name || !opt_in_options_map(o))
                        continue;
                for (const char *const *a = o->aliases; a && *a; a++) {
                        s->opt_ids[i] = id;
                        fill_opt_field(&s->opt_fields[i], *a, i, o);
                        i++;
                }
        }
        s->n_opt_fields = n;

        memcpy(s->bond_fields, bond_fields_tmpl, sizeof(bond_fields_tmpl));
        for (cyaml_schema_field_t *f = s->bond_fields; f->key; f++) {
                if (strcmp(f->key, "options"))
                        continue;
                f->value = (cyaml_schema_value_t){
                        .type = CYAML_MAPPING,
                        .flags = F_OPT,
                        .data_size = (uint32_t)(n * sizeof(struct y_optslot)),
                        .mapping = { .fields = s->opt_fields },
                };
        }
        s->bond_value = (cyaml_schema_value_t){
                CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct y_bond, s->bond_fields),
        };
        s->doc_fields[0] = (cyaml_schema_field_t)STR("version", F_REQ, struct y_doc, version);
        s->doc_fields[1] = (cyaml_schema_field_t)CYAML_FIELD_SEQUENCE_COUNT(
                "bonds", F_OPT, struct y_doc, bonds, n_bonds, &s->bond_value, 0, CYAML_UNLIMITED);
        s->doc_fields[2] = (cyaml_schema_field_t)CYAML_FIELD_SEQUENCE_COUNT(
                "vlans", F_OPT, struct y_doc, vlans, n_vlans, &vlan_entry, 0, CYAML_UNLIMITED);
        s->doc_fields[3] = (cyaml_schema_field_t)CYAML_FIELD_SEQUENCE_COUNT(
                "bridges", F_OPT, struct y_doc, bridges, n_bridges, &bridge_entry, 0, CYAML_UNLIMITED);
        s->doc_fields[4] = (cyaml_schema_field_t)CYAML_FIELD_END;
        s->top = (cyaml_schema_value_t){
                CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct y_doc, s->doc_fields),
        };
        return 0;
}

static void schema_free(struct y_schema *s) {
        free(s->opt_fields);
        free(s->opt_ids);
        s->opt_fields = NULL;
        s->opt_ids = NULL;
}

/* The schema depends on the catalogue only: built on first use and kept
 * for the life of the process (the generator and the hotplug helper load
 * a thousand files with it). Loads run on one thread. */
const struct y_schema *y_schema_get(void) {
        static struct y_schema schema;
        static bool built;

        if (!built) {
                if (schema_build(&schema) < 0)
                        return NULL;
                built = true;
        }
        return &schema;
}

unsigned y_edit_distance(const char *a, const char *b, unsigned max) {
        size_t la = strlen(a), lb = strlen(b);
        unsigned row[64];

        if (la >= 63 || lb >= 63)
                return max + 1;
        if ((la > lb ? la - lb : lb - la) > max)
                return max + 1;
        for (size_t j = 0; j <= lb; j++)
                row[j] = (unsigned)j;
        for (size_t i = 1; i <= la; i++) {
                unsigned diag = row[0], best;

                row[0] = (unsigned)i;
                best = row[0];
                for (size_t j = 1; j <= lb; j++) {
                        unsigned up = row[j];
                        unsigned v = diag + (a[i - 1] != b[j - 1]);

                        if (up + 1 < v)
                                v = up + 1;
                        if (row[j - 1] + 1 < v)
                                v = row[j - 1] + 1;
                        diag = up;
                        row[j] = v;
                        if (v < best)
                                best = v;
                }
                if (best > max)
                        return max + 1;
        }
        return row[lb];
}
