/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The canonical model (bondgen.yaml(5)): construction, copy, comparison and the
 * small address helpers readers and emitters share.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"
#include "util/array.h"

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void bg_model_init(struct bg_model *m) {
        *m = (struct bg_model){ 0 };
}

static void ipcfg_free(struct bg_ipcfg *c) {
        free(c->addresses);
        free(c->routes);
        free(c->dns);
        *c = (struct bg_ipcfg){ 0 };
}

static void bond_free(struct bg_bond *b) {
        free(b->name);
        for (size_t i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&b->opts[i]);
        for (size_t i = 0; i < b->n_ports; i++)
                free(b->ports[i].name);
        free(b->ports);
        ipcfg_free(&b->ipv4);
        ipcfg_free(&b->ipv6);
        free(b->dhcp_hostname);
}

static void vlan_free(struct bg_vlan *v) {
        free(v->name);
        free(v->link);
        ipcfg_free(&v->ipv4);
        ipcfg_free(&v->ipv6);
        free(v->dhcp_hostname);
}

static void bridge_free(struct bg_bridge *br) {
        free(br->name);
        for (size_t i = 0; i < br->n_ports; i++)
                free(br->ports[i].name);
        free(br->ports);
        ipcfg_free(&br->ipv4);
        ipcfg_free(&br->ipv6);
        free(br->dhcp_hostname);
}

void bg_model_free(struct bg_model *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_bonds; i++)
                bond_free(&m->bonds[i]);
        free(m->bonds);
        for (size_t i = 0; i < m->n_vlans; i++)
                vlan_free(&m->vlans[i]);
        free(m->vlans);
        for (size_t i = 0; i < m->n_bridges; i++)
                bridge_free(&m->bridges[i]);
        free(m->bridges);
        strv_free(m->strings, m->n_strings);
        free(m->strings_slot);
        *m = (struct bg_model){ 0 };
}

/* FNV-1a: short file names, no adversary who can choose collisions cheaply
 * enough to matter next to reading the files themselves. */
static size_t str_hash(const char *s) {
        size_t h = 14695981039346656037ULL & SIZE_MAX;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
        return h;
}

static int index_grow(struct bg_model *m) {
        size_t cap = m->strings_cap ? m->strings_cap * 2 : 64;
        size_t *slot = calloc(cap, sizeof(*slot));

        if (!slot)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_strings; i++) {
                size_t h = str_hash(m->strings[i]) & (cap - 1);
                while (slot[h])
                        h = (h + 1) & (cap - 1);
                slot[h] = i + 1;
        }
        /* The string vector grows with the index: at most cap / 2 entries. */
        char **v = realloc(m->strings, cap / 2 * sizeof(*v));
        if (!v) {
                free(slot);
                return -ENOMEM;
        }
        m->strings = v;
        free(m->strings_slot);
        m->strings_slot = slot;
        m->strings_cap = cap;
        return 0;
}

const char *bg_model_intern(struct bg_model *m, const char *s) {
        size_t h;

        if (!s)
                return NULL;
        /* Keep the load factor under 1/2. */
        if ((m->n_strings + 1) * 2 > m->strings_cap && index_grow(m) < 0)
                return NULL;
        for (h = str_hash(s) & (m->strings_cap - 1); m->strings_slot[h];
             h = (h + 1) & (m->strings_cap - 1))
                if (strcmp(m->strings[m->strings_slot[h] - 1], s) == 0)
                        return m->strings[m->strings_slot[h] - 1];
        if (!(m->strings[m->n_strings] = strdup(s)))
                return NULL;
        m->strings_slot[h] = ++m->n_strings;
        return m->strings[m->n_strings - 1];
}

static void bond_init(struct bg_bond *b) {
        *b = (struct bg_bond){
                .backend = BG_BACKEND_AUTO,
                .onboot = true,
                .ipv4 = { .method = BG_IP_NONE },
                .ipv6 = { .method = BG_IP_NONE },
        };
}

struct bg_bond *bg_model_add_bond(struct bg_model *m, const char *name) {
        struct bg_bond *b;

        /* Geometric growth: a bond is large and trees have thousands. */
        if (BG_RESERVE(m->bonds, m->bonds_cap, m->n_bonds + 1) < 0)
                return NULL;
        b = &m->bonds[m->n_bonds];
        bond_init(b);
        if (name && !(b->name = strdup(name)))
                return NULL;
        m->n_bonds++;
        return b;
}

void bg_model_drop_last_bond(struct bg_model *m) {
        if (!m->n_bonds)
                return;
        bond_free(&m->bonds[--m->n_bonds]);
}

struct bg_bond *bg_model_find_bond(const struct bg_model *m, const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < m->n_bonds; i++)
                if (m->bonds[i].name && strcmp(m->bonds[i].name, name) == 0)
                        return &m->bonds[i];
        return NULL;
}

int bg_set_str(char **dst, const char *name) {
        char *n = NULL;

        if (name && !(n = strdup(name)))
                return -ENOMEM;
        free(*dst);
        *dst = n;
        return 0;
}

static void vlan_init(struct bg_vlan *v) {
        *v = (struct bg_vlan){ .onboot = true };
}

static void bridge_init(struct bg_bridge *br) {
        *br = (struct bg_bridge){
                .onboot = true,
                .forward_delay = BG_BR_UNSET,
                .hello_time = BG_BR_UNSET,
                .max_age = BG_BR_UNSET,
                .priority = BG_BR_UNSET,
        };
}

/* VLANs and bridges are few per host; plain growth by one is enough. */
struct bg_vlan *bg_model_add_vlan(struct bg_model *m, const char *name, const char *link, uint16_t id) {
        struct bg_vlan *n = BG_NEW_SLOT(m->vlans, m->n_vlans);

        if (!n)
                return NULL;
        vlan_init(n);
        n->id = id;
        if (bg_set_str(&n->name, name) < 0 || bg_set_str(&n->link, link) < 0) {
                vlan_free(n);
                return NULL;
        }
        m->n_vlans++;
        return n;
}

struct bg_vlan *bg_model_find_vlan(const struct bg_model *m, const char *name) {
        for (size_t i = 0; name && i < m->n_vlans; i++)
                if (m->vlans[i].name && strcmp(m->vlans[i].name, name) == 0)
                        return &m->vlans[i];
        return NULL;
}

struct bg_bridge *bg_model_add_bridge(struct bg_model *m, const char *name) {
        struct bg_bridge *n = BG_NEW_SLOT(m->bridges, m->n_bridges);

        if (!n)
                return NULL;
        bridge_init(n);
        if (bg_set_str(&n->name, name) < 0) {
                bridge_free(n);
                return NULL;
        }
        m->n_bridges++;
        return n;
}

struct bg_bridge *bg_model_find_bridge(const struct bg_model *m, const char *name) {
        for (size_t i = 0; name && i < m->n_bridges; i++)
                if (m->bridges[i].name && strcmp(m->bridges[i].name, name) == 0)
                        return &m->bridges[i];
        return NULL;
}

struct bg_port *bg_bridge_add_port(struct bg_bridge *br, const char *name) {
        struct bg_port p = { 0 };

        if (!name) {
                errno = EINVAL;
                return NULL;
        }
        if (!(p.name = strdup(name)))
                return NULL;
        if (BG_APPEND(br->ports, br->n_ports, p) < 0) {
                free(p.name);
                return NULL;
        }
        return &br->ports[br->n_ports - 1];
}

void bg_model_pop_vlan(struct bg_model *m) {
        if (m->n_vlans)
                vlan_free(&m->vlans[--m->n_vlans]);
}

void bg_model_pop_bridge(struct bg_model *m) {
        if (m->n_bridges)
                bridge_free(&m->bridges[--m->n_bridges]);
}

struct bg_bridge *bg_model_bridge_of(const struct bg_model *m, const char *name) {
        for (size_t i = 0; name && i < m->n_bridges; i++)
                for (size_t k = 0; k < m->bridges[i].n_ports; k++)
                        if (m->bridges[i].ports[k].name && !strcmp(m->bridges[i].ports[k].name, name))
                                return &m->bridges[i];
        return NULL;
}

struct bg_port *bg_bond_add_port_hw(struct bg_bond *b, const char *name, const struct bg_hwaddr *mac) {
        struct bg_port p = { 0 };

        if (mac) {
                if (mac->len != 6 && mac->len != BG_HWADDR_MAX) {
                        errno = EINVAL;
                        return NULL;
                }
                p.mac = *mac;
        }
        if (name && !(p.name = strdup(name)))
                return NULL;
        if (BG_APPEND(b->ports, b->n_ports, p) < 0) {
                free(p.name);
                return NULL;
        }
        return &b->ports[b->n_ports - 1];
}

struct bg_port *bg_bond_add_port(struct bg_bond *b, const char *name, const char *mac) {
        struct bg_hwaddr h;

        if (mac && bg_hwaddr_parse(mac, &h) < 0) {
                errno = EINVAL;
                return NULL;
        }
        return bg_bond_add_port_hw(b, name, mac ? &h : NULL);
}

struct bg_port *bg_bond_find_port(const struct bg_bond *b, const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i].name && strcmp(b->ports[i].name, name) == 0)
                        return &b->ports[i];
        return NULL;
}

static int addr_append(struct bg_addr **v, size_t *n, const struct bg_addr *a) {
        if (!a || (a->family != AF_INET && a->family != AF_INET6))
                return -EINVAL;
        return BG_APPEND(*v, *n, *a);
}

int bg_ipcfg_add_addr(struct bg_ipcfg *c, const struct bg_addr *a) {
        if (!a || !a->is_prefix)
                return -EINVAL;
        return addr_append(&c->addresses, &c->n_addresses, a);
}

int bg_ipcfg_add_dns_addr(struct bg_ipcfg *c, const struct bg_addr *a) {
        if (!a || a->is_prefix)
                return -EINVAL;
        return addr_append(&c->dns, &c->n_dns, a);
}

int bg_ipcfg_add_address(struct bg_ipcfg *c, const char *addr) {
        struct bg_addr a = { 0 };

        if (bg_addr_parse_prefix(addr, &a) < 0)
                return -EINVAL;
        return bg_ipcfg_add_addr(c, &a);
}

int bg_ipcfg_add_dns(struct bg_ipcfg *c, const char *addr) {
        struct bg_addr a = { 0 };

        if (bg_addr_parse_ip(addr, &a) < 0)
                return -EINVAL;
        return bg_ipcfg_add_dns_addr(c, &a);
}

int bg_ipcfg_set_gateway(struct bg_ipcfg *c, const char *addr) {
        struct bg_addr a = { .loc = c->gateway.loc };

        if (bg_addr_parse_ip(addr, &a) < 0)
                return -EINVAL;
        c->gateway = a;
        return 0;
}

int bg_ipcfg_append_route(struct bg_ipcfg *c, const struct bg_route *r) {
        if (!r || (!r->is_default && (!bg_addr_set(&r->to) || !r->to.is_prefix)) ||
            (bg_addr_set(&r->via) && r->via.is_prefix))
                return -EINVAL;
        return BG_APPEND(c->routes, c->n_routes, *r);
}

int bg_ipcfg_add_route(struct bg_ipcfg *c, const char *to, const char *via, uint32_t metric) {
        struct bg_route r = { .metric = metric };

        if (!to)
                return -EINVAL;
        if (via && bg_addr_parse_ip(via, &r.via) < 0)
                return -EINVAL;
        if (strcmp(to, "default") == 0) {
                static const uint8_t zero[16];

                r.is_default = true;
                /* The family is the section's; via tells it when there is one. */
                if (via)
                        bg_addr_make(r.via.family, zero, 0, &r.to);
        } else if (bg_addr_parse_prefix(to, &r.to) < 0)
                return -EINVAL;
        return bg_ipcfg_append_route(c, &r);
}

enum bg_mode bg_bond_mode(const struct bg_bond *b) {
        if (b->opts[BG_OPT_MODE].set && b->opts[BG_OPT_MODE].num < BG_MODE__MAX)
                return (enum bg_mode) b->opts[BG_OPT_MODE].num;
        return BG_MODE_BALANCE_RR;
}

uint64_t bg_bond_opt_num(const struct bg_bond *b, enum bg_opt id) {
        if ((unsigned) id >= BG_OPT__MAX)
                return 0;
        if (b->opts[id].set)
                return b->opts[id].num;
        return bg_catalog[id].def;
}

int bg_bond_set_opt_text(struct bg_bond *b, enum bg_opt id, const char *text,
                         const struct bg_loc *loc, struct bg_diags *diags) {
        const struct bg_opt_info *o = bg_opt_get(id);
        char err[512];
        int r;

        if (!o || !text)
                return -EINVAL;
        r = bg_opt_parse_value(o, text, &b->opts[id], err, sizeof(err));
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* The message already names the option ("... for mode ..."). */
                if (diags && bg_diag_add(diags, BG_DIAG_ERROR, loc, NULL, "%s", err) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if (loc)
                b->opt_loc[id] = *loc;
        return 0;
}

/* ---- copy and compare ---- */

static int dup_str(char **dst, const char *src) {
        *dst = NULL;
        if (src && !(*dst = strdup(src)))
                return -ENOMEM;
        return 0;
}

static int copy_loc(struct bg_model *dst, struct bg_loc *d, const struct bg_loc *s) {
        *d = *s;
        if (s->file && !(d->file = bg_model_intern(dst, s->file)))
                return -ENOMEM;
        return 0;
}

static int copy_addrs(struct bg_model *dm, struct bg_addr **d, size_t *nd, const struct bg_addr *s, size_t ns) {
        if (!ns)
                return 0;
        *d = malloc(ns * sizeof(**d));
        if (!*d)
                return -ENOMEM;
        memcpy(*d, s, ns * sizeof(**d));
        *nd = ns;
        for (size_t i = 0; i < ns; i++)
                if (copy_loc(dm, &(*d)[i].loc, &s[i].loc) < 0)
                        return -ENOMEM;
        return 0;
}

static int copy_ipcfg(struct bg_model *dm, struct bg_ipcfg *d, const struct bg_ipcfg *s) {
        d->method = s->method;
        d->gateway = s->gateway;
        if (copy_loc(dm, &d->loc, &s->loc) < 0 || copy_loc(dm, &d->gateway.loc, &s->gateway.loc) < 0 ||
            copy_addrs(dm, &d->addresses, &d->n_addresses, s->addresses, s->n_addresses) < 0 ||
            copy_addrs(dm, &d->dns, &d->n_dns, s->dns, s->n_dns) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_routes; i++) {
                const struct bg_route *r = &s->routes[i];
                struct bg_route *n;

                if (bg_ipcfg_append_route(d, r) < 0)
                        return -ENOMEM;
                n = &d->routes[i];
                if (copy_loc(dm, &n->loc, &r->loc) < 0 || copy_loc(dm, &n->to.loc, &r->to.loc) < 0 ||
                    copy_loc(dm, &n->via.loc, &r->via.loc) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int copy_bond(struct bg_model *dm, struct bg_bond *d, const struct bg_bond *s) {
        d->backend = s->backend;
        d->onboot = s->onboot;
        d->mtu = s->mtu;
        d->mac = s->mac;
        if (dup_str(&d->name, s->name) < 0 ||
            copy_loc(dm, &d->loc, &s->loc) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < BG_OPT__MAX; i++)
                if (bg_optval_copy(&d->opts[i], &s->opts[i]) < 0 ||
                    copy_loc(dm, &d->opt_loc[i], &s->opt_loc[i]) < 0)
                        return -ENOMEM;
        if (s->n_ports) {
                d->ports = calloc(s->n_ports, sizeof(*d->ports));
                if (!d->ports)
                        return -ENOMEM;
                for (size_t i = 0; i < s->n_ports; i++) {
                        d->n_ports = i + 1;
                        d->ports[i].mac = s->ports[i].mac;
                        d->ports[i].prio = s->ports[i].prio;
                        if (dup_str(&d->ports[i].name, s->ports[i].name) < 0 ||
                            copy_loc(dm, &d->ports[i].loc, &s->ports[i].loc) < 0 ||
                            copy_loc(dm, &d->ports[i].prio_loc, &s->ports[i].prio_loc) < 0)
                                return -ENOMEM;
                }
        }
        if (copy_ipcfg(dm, &d->ipv4, &s->ipv4) < 0 || copy_ipcfg(dm, &d->ipv6, &s->ipv6) < 0 ||
            dup_str(&d->dhcp_hostname, s->dhcp_hostname) < 0)
                return -ENOMEM;
        return 0;
}

static int copy_vlan(struct bg_model *dm, struct bg_vlan *d, const struct bg_vlan *s) {
        *d = (struct bg_vlan){ .id = s->id, .onboot = s->onboot, .mtu = s->mtu, .mac = s->mac };
        if (dup_str(&d->name, s->name) < 0 || dup_str(&d->link, s->link) < 0 ||
            dup_str(&d->dhcp_hostname, s->dhcp_hostname) < 0 || copy_loc(dm, &d->loc, &s->loc) < 0 ||
            copy_loc(dm, &d->id_loc, &s->id_loc) < 0 || copy_loc(dm, &d->link_loc, &s->link_loc) < 0 ||
            copy_ipcfg(dm, &d->ipv4, &s->ipv4) < 0 || copy_ipcfg(dm, &d->ipv6, &s->ipv6) < 0)
                return -ENOMEM;
        return 0;
}

static int copy_bridge(struct bg_model *dm, struct bg_bridge *d, const struct bg_bridge *s) {
        *d = (struct bg_bridge){
                .stp = s->stp, .forward_delay = s->forward_delay, .hello_time = s->hello_time,
                .max_age = s->max_age, .priority = s->priority, .onboot = s->onboot, .mtu = s->mtu,
                .mac = s->mac,
        };
        if (dup_str(&d->name, s->name) < 0 || dup_str(&d->dhcp_hostname, s->dhcp_hostname) < 0 ||
            copy_loc(dm, &d->loc, &s->loc) < 0 || copy_ipcfg(dm, &d->ipv4, &s->ipv4) < 0 ||
            copy_ipcfg(dm, &d->ipv6, &s->ipv6) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_ports; i++) {
                struct bg_port *p = bg_bridge_add_port(d, s->ports[i].name);

                if (!p || copy_loc(dm, &p->loc, &s->ports[i].loc) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Locations in the copy point at the copy's own interned strings, so the
 * source may be freed first. dst is overwritten (it must not hold data). */
int bg_model_copy(struct bg_model *dst, const struct bg_model *src) {
        struct bg_model n;

        bg_model_init(&n);
        for (size_t i = 0; i < src->n_strings; i++)
                if (!bg_model_intern(&n, src->strings[i]))
                        goto oom;
        if (src->n_bonds) {
                n.bonds = calloc(src->n_bonds, sizeof(*n.bonds));
                if (!n.bonds)
                        goto oom;
                for (size_t i = 0; i < src->n_bonds; i++) {
                        bond_init(&n.bonds[i]);
                        n.n_bonds = i + 1;
                        if (copy_bond(&n, &n.bonds[i], &src->bonds[i]) < 0)
                                goto oom;
                }
        }
        if (src->n_vlans) {
                if (!(n.vlans = calloc(src->n_vlans, sizeof(*n.vlans))))
                        goto oom;
                for (size_t i = 0; i < src->n_vlans; i++) {
                        n.n_vlans = i + 1;
                        if (copy_vlan(&n, &n.vlans[i], &src->vlans[i]) < 0)
                                goto oom;
                }
        }
        if (src->n_bridges) {
                if (!(n.bridges = calloc(src->n_bridges, sizeof(*n.bridges))))
                        goto oom;
                for (size_t i = 0; i < src->n_bridges; i++) {
                        n.n_bridges = i + 1;
                        if (copy_bridge(&n, &n.bridges[i], &src->bridges[i]) < 0)
                                goto oom;
                }
        }
        *dst = n;
        return 0;
oom:
        bg_model_free(&n);
        return -ENOMEM;
}

static bool str_eq(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static bool addrs_eq(const struct bg_addr *a, size_t na, const struct bg_addr *b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!bg_addr_equal(&a[i], &b[i]))
                        return false;
        return true;
}

static bool ipcfg_eq(const struct bg_ipcfg *a, const struct bg_ipcfg *b) {
        if (a->method != b->method || !bg_addr_equal(&a->gateway, &b->gateway) ||
            !addrs_eq(a->addresses, a->n_addresses, b->addresses, b->n_addresses) ||
            !addrs_eq(a->dns, a->n_dns, b->dns, b->n_dns) || a->n_routes != b->n_routes)
                return false;
        for (size_t i = 0; i < a->n_routes; i++) {
                const struct bg_route *x = &a->routes[i], *y = &b->routes[i];

                if (x->is_default != y->is_default || (!x->is_default && !bg_addr_equal(&x->to, &y->to)) ||
                    !bg_addr_equal(&x->via, &y->via) || x->metric != y->metric)
                        return false;
        }
        return true;
}

/* Content only: locations and interned strings are where a model came
 * from, not what it says, so a dumped and reloaded model compares equal. */
static bool l3_eq(uint32_t mtu1, const struct bg_hwaddr *mac1, const struct bg_ipcfg *v4a,
                  const struct bg_ipcfg *v6a, const char *h1, uint32_t mtu2, const struct bg_hwaddr *mac2,
                  const struct bg_ipcfg *v4b, const struct bg_ipcfg *v6b, const char *h2) {
        return mtu1 == mtu2 && bg_hwaddr_equal(mac1, mac2) && ipcfg_eq(v4a, v4b) && ipcfg_eq(v6a, v6b) &&
               str_eq(h1, h2);
}

static bool stack_equal(const struct bg_model *a, const struct bg_model *b) {
        if (a->n_vlans != b->n_vlans || a->n_bridges != b->n_bridges)
                return false;
        for (size_t i = 0; i < a->n_vlans; i++) {
                const struct bg_vlan *x = &a->vlans[i], *y = &b->vlans[i];

                if (!str_eq(x->name, y->name) || !str_eq(x->link, y->link) || x->id != y->id ||
                    x->onboot != y->onboot ||
                    !l3_eq(x->mtu, &x->mac, &x->ipv4, &x->ipv6, x->dhcp_hostname, y->mtu, &y->mac,
                           &y->ipv4, &y->ipv6, y->dhcp_hostname))
                        return false;
        }
        for (size_t i = 0; i < a->n_bridges; i++) {
                const struct bg_bridge *x = &a->bridges[i], *y = &b->bridges[i];

                if (!str_eq(x->name, y->name) || x->stp != y->stp || x->forward_delay != y->forward_delay ||
                    x->hello_time != y->hello_time || x->max_age != y->max_age ||
                    x->priority != y->priority || x->onboot != y->onboot || x->n_ports != y->n_ports ||
                    !l3_eq(x->mtu, &x->mac, &x->ipv4, &x->ipv6, x->dhcp_hostname, y->mtu, &y->mac,
                           &y->ipv4, &y->ipv6, y->dhcp_hostname))
                        return false;
                for (size_t k = 0; k < x->n_ports; k++)
                        if (!str_eq(x->ports[k].name, y->ports[k].name))
                                return false;
        }
        return true;
}

bool bg_model_equal(const struct bg_model *a, const struct bg_model *b) {
        if (a->n_bonds != b->n_bonds || !stack_equal(a, b))
                return false;
        for (size_t i = 0; i < a->n_bonds; i++) {
                const struct bg_bond *x = &a->bonds[i], *y = &b->bonds[i];

                if (!str_eq(x->name, y->name) || x->backend != y->backend ||
                    x->onboot != y->onboot || x->mtu != y->mtu || !bg_hwaddr_equal(&x->mac, &y->mac) ||
                    x->n_ports != y->n_ports || !ipcfg_eq(&x->ipv4, &y->ipv4) ||
                    !ipcfg_eq(&x->ipv6, &y->ipv6) || !str_eq(x->dhcp_hostname, y->dhcp_hostname))
                        return false;
                for (size_t k = 0; k < BG_OPT__MAX; k++)
                        if (!bg_optval_equal(&x->opts[k], &y->opts[k]))
                                return false;
                for (size_t k = 0; k < x->n_ports; k++)
                        if (!str_eq(x->ports[k].name, y->ports[k].name) ||
                            !bg_hwaddr_equal(&x->ports[k].mac, &y->ports[k].mac) ||
                            x->ports[k].prio != y->ports[k].prio)
                                return false;
        }
        return true;
}

/* ---- names ---- */

static const char *const backend_names[] = {
        [BG_BACKEND_AUTO] = "auto", [BG_BACKEND_KERNEL] = "kernel", [BG_BACKEND_USERSPACE] = "userspace",
};
static const char *const method_names[] = {
        [BG_IP_NONE] = "none", [BG_IP_STATIC] = "static", [BG_IP_DHCP] = "dhcp",
};

const char *bg_backend_name(enum bg_backend b) {
        return (unsigned) b < sizeof(backend_names) / sizeof(*backend_names) ? backend_names[b] : NULL;
}

int bg_backend_from_string(const char *s, enum bg_backend *out) {
        for (unsigned i = 0; s && i < sizeof(backend_names) / sizeof(*backend_names); i++)
                if (strcmp(s, backend_names[i]) == 0) {
                        if (out)
                                *out = (enum bg_backend) i;
                        return 0;
                }
        return -EINVAL;
}

const char *bg_ip_method_name(enum bg_ip_method m) {
        return (unsigned) m < sizeof(method_names) / sizeof(*method_names) ? method_names[m] : NULL;
}

int bg_ip_method_from_string(const char *s, enum bg_ip_method *out) {
        for (unsigned i = 0; s && i < sizeof(method_names) / sizeof(*method_names); i++)
                if (strcmp(s, method_names[i]) == 0) {
                        if (out)
                                *out = (enum bg_ip_method) i;
                        return 0;
                }
        return -EINVAL;
}

int bg_port_prio_parse(const char *s, int32_t *out) {
        bool neg = *s == '-';
        int64_t v = 0;

        s += neg;
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (*s - '0');
                if (v > (int64_t) INT32_MAX + neg)
                        return -ERANGE;
        }
        *out = (int32_t) (neg ? -v : v);
        return 0;
}
