/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Validation of VLANs and bridges and of how interfaces stack: a VLAN on a
 * bond or a NIC, a bridge over bonds, VLANs or NICs.
 *
 * What the kernel refuses is an error: a VLAN id outside 1-4094
 * (vlan_validate()), a second VLAN with the same id on one link
 * (vlan_check_real_dev(): EEXIST), a bridge as a port of a bridge and a
 * bridge port already enslaved elsewhere (br_add_if(): ELOOP, EBUSY), a
 * forward delay outside 2-30 s while STP runs (br_set_forward_delay():
 * ERANGE), an interface that depends on itself. Configurations no
 * consumer can do right are errors too: an address on a bond or VLAN that
 * is a bridge port (the bridge's rx_handler takes every frame the port
 * receives, so the address belongs on the bridge), a VLAN on a bond port
 * (the bond's rx_handler takes the port's frames first).
 *
 * Names are looked up in sorted indexes (validate-int.h): a model may hold
 * thousands of bonds and validation stays O(n log n).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "validate-int.h"

enum kind { K_BOND, K_VLAN, K_BRIDGE };

struct node {
        enum kind kind;
        size_t idx;
};

struct sctx {
        const struct bg_model *m;
        struct bg_diags *diags;
        struct node *nodes;     /* bonds, then VLANs, then bridges */
        size_t n_nodes;
        struct bg_sindex names; /* (name, node) */
        struct bg_sindex bports; /* (port name, bond, port) */
        int r;
};

static const char *const kind_names[] = { "bond", "VLAN", "bridge" };

static void sdiag(struct sctx *c, enum bg_diag_level lvl, const struct bg_loc *loc, const char *key,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void sdiag(struct sctx *c, enum bg_diag_level lvl, const struct bg_loc *loc, const char *key,
                  const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = bg_diag_addv(c->diags, lvl, loc, key, fmt, ap);
        va_end(ap);
        if (r < 0 && c->r == 0)
                c->r = r;
}

static const char *node_name(const struct sctx *c, size_t n) {
        const struct node *x = &c->nodes[n];

        return x->kind == K_BOND ? c->m->bonds[x->idx].name :
               x->kind == K_VLAN ? c->m->vlans[x->idx].name : c->m->bridges[x->idx].name;
}

static const struct bg_loc *node_loc(const struct sctx *c, size_t n) {
        const struct node *x = &c->nodes[n];

        return x->kind == K_BOND ? &c->m->bonds[x->idx].loc :
               x->kind == K_VLAN ? &c->m->vlans[x->idx].loc : &c->m->bridges[x->idx].loc;
}

static void node_key(const struct sctx *c, size_t n, const char *suffix, char *buf, size_t len) {
        const struct node *x = &c->nodes[n];
        const char *name = node_name(c, n);
        static const char *const list[] = { "bonds", "vlans", "bridges" };

        if (name && *name)
                snprintf(buf, len, "%s[%s]%s", list[x->kind], name, suffix ? suffix : "");
        else
                snprintf(buf, len, "%s[%zu]%s", list[x->kind], x->idx, suffix ? suffix : "");
}

/* The first node named s, or SIZE_MAX. */
static size_t lookup(const struct sctx *c, const char *s) {
        size_t first;

        if (!s || bg_sindex_run(&c->names, s, &first) == first)
                return SIZE_MAX;
        return c->names.v[first].bond;
}

/* The bond that has s as a port, or SIZE_MAX. */
static size_t bond_of_port(const struct sctx *c, const char *s) {
        size_t first;

        if (!s || bg_sindex_run(&c->bports, s, &first) == first)
                return SIZE_MAX;
        return c->bports.v[first].bond;
}

static bool has_l3(const struct bg_ipcfg *v4, const struct bg_ipcfg *v6) {
        return v4->method != BG_IP_NONE || v6->method != BG_IP_NONE || v4->n_addresses ||
               v6->n_addresses || v4->n_routes || v6->n_routes;
}

static bool node_l3(const struct sctx *c, size_t n) {
        const struct node *x = &c->nodes[n];

        if (x->kind == K_BOND)
                return has_l3(&c->m->bonds[x->idx].ipv4, &c->m->bonds[x->idx].ipv6);
        if (x->kind == K_VLAN)
                return has_l3(&c->m->vlans[x->idx].ipv4, &c->m->vlans[x->idx].ipv6);
        return false;
}

static int build(struct sctx *c) {
        const struct bg_model *m = c->m;
        size_t n = m->n_bonds + m->n_vlans + m->n_bridges, k = 0;

        c->nodes = calloc(n ? n : 1, sizeof(*c->nodes));
        if (!c->nodes)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_bonds; i++)
                c->nodes[k++] = (struct node){ K_BOND, i };
        for (size_t i = 0; i < m->n_vlans; i++)
                c->nodes[k++] = (struct node){ K_VLAN, i };
        for (size_t i = 0; i < m->n_bridges; i++)
                c->nodes[k++] = (struct node){ K_BRIDGE, i };
        c->n_nodes = n;
        for (size_t i = 0; i < n; i++)
                if (bg_sindex_add(&c->names, node_name(c, i), i, 0) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < m->n_bonds; i++)
                for (size_t p = 0; p < m->bonds[i].n_ports; p++)
                        if (bg_sindex_add(&c->bports, m->bonds[i].ports[p].name, i, p) < 0)
                                return -ENOMEM;
        bg_sindex_sort(&c->names);
        bg_sindex_sort(&c->bports);
        return 0;
}

/* A VLAN's or bridge's name against every other interface of the model
 * (two bonds of one name are reported by the bond checks). */
static void check_name(struct sctx *c, size_t n) {
        const char *name = node_name(c, n);
        size_t first, end, b;
        char key[64];

        node_key(c, n, ".name", key, sizeof(key));
        if (!name || !*name || strlen(name) > 15 || strpbrk(name, "/: \t\n")) {
                sdiag(c, BG_DIAG_ERROR, node_loc(c, n), key,
                      "interface name '%s' is not valid (1-15 bytes, no '/', ':' or white space)",
                      name ? name : "");
                return;
        }
        end = bg_sindex_run(&c->names, name, &first);
        if (first < end && c->names.v[first].bond != n)
                sdiag(c, BG_DIAG_ERROR, node_loc(c, n), key,
                      "%s is defined twice (also a %s)", name,
                      kind_names[c->nodes[c->names.v[first].bond].kind]);
        if ((b = bond_of_port(c, name)) != SIZE_MAX)
                sdiag(c, BG_DIAG_ERROR, node_loc(c, n), key,
                      "%s %s is also a port of bond %s", kind_names[c->nodes[n].kind], name,
                      c->m->bonds[b].name);
}

static int vlan_cmp(const void *x, const void *y, void *arg) {
        const struct bg_vlan *v = arg;
        const struct bg_vlan *a = &v[*(const size_t *)x], *b = &v[*(const size_t *)y];
        int r = strcmp(a->link ? a->link : "", b->link ? b->link : "");

        if (r)
                return r;
        if (a->id != b->id)
                return a->id < b->id ? -1 : 1;
        return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static void check_vlans(struct sctx *c) {
        const struct bg_model *m = c->m;
        size_t *order;
        char key[64];

        for (size_t i = 0; i < m->n_vlans; i++) {
                const struct bg_vlan *v = &m->vlans[i];
                size_t n = m->n_bonds + i, l, b;

                check_name(c, n);
                node_key(c, n, NULL, key, sizeof(key));
                if (bg_validate_l3(c->diags, key, v->name, &v->loc, v->mtu, &v->mac, &v->ipv4, &v->ipv6) < 0)
                        c->r = -ENOMEM;
                node_key(c, n, ".id", key, sizeof(key));
                if (v->id < 1 || v->id > 4094)
                        sdiag(c, BG_DIAG_ERROR, v->id_loc.file ? &v->id_loc : &v->loc, key,
                              "VLAN id %u is out of range (1-4094)", v->id);
                node_key(c, n, ".link", key, sizeof(key));
                if (!v->link || !*v->link) {
                        sdiag(c, BG_DIAG_ERROR, &v->loc, key, "a VLAN needs a link (a bond or a NIC)");
                        continue;
                }
                if (v->name && !strcmp(v->name, v->link)) {
                        sdiag(c, BG_DIAG_ERROR, v->link_loc.file ? &v->link_loc : &v->loc, key,
                              "VLAN %s cannot be its own link", v->name);
                        continue;
                }
                l = lookup(c, v->link);
                if (l != SIZE_MAX && c->nodes[l].kind == K_VLAN)
                        sdiag(c, BG_DIAG_ERROR, v->link_loc.file ? &v->link_loc : &v->loc, key,
                              "%s is a VLAN; VLANs stacked on VLANs (802.1ad) are not supported",
                              v->link);
                if (l == SIZE_MAX && (b = bond_of_port(c, v->link)) != SIZE_MAX)
                        sdiag(c, BG_DIAG_ERROR, v->link_loc.file ? &v->link_loc : &v->loc, key,
                              "%s is a port of bond %s, which receives its frames; put the VLAN on %s",
                              v->link, m->bonds[b].name, m->bonds[b].name);
        }
        /* One id per link: sort (link, id) and compare neighbours. */
        if (m->n_vlans < 2)
                return;
        order = calloc(m->n_vlans, sizeof(*order));
        if (!order) {
                c->r = -ENOMEM;
                return;
        }
        for (size_t i = 0; i < m->n_vlans; i++)
                order[i] = i;
        qsort_r(order, m->n_vlans, sizeof(*order), vlan_cmp, m->vlans);
        for (size_t k = 1; k < m->n_vlans; k++) {
                const struct bg_vlan *a = &m->vlans[order[k - 1]], *v = &m->vlans[order[k]];

                if (!a->link || !v->link || strcmp(a->link, v->link) || a->id != v->id || !v->id)
                        continue;
                node_key(c, m->n_bonds + order[k], ".id", key, sizeof(key));
                sdiag(c, BG_DIAG_ERROR, v->id_loc.file ? &v->id_loc : &v->loc, key,
                      "VLAN id %u on %s is also %s", v->id, v->link, a->name ? a->name : "another VLAN");
        }
        free(order);
}

static void check_bridge_ports(struct sctx *c, size_t bi, struct bg_sindex *seen) {
        const struct bg_bridge *br = &c->m->bridges[bi];
        size_t n = c->m->n_bonds + c->m->n_vlans + bi;
        char key[96];

        for (size_t k = 0; k < br->n_ports; k++) {
                const struct bg_port *p = &br->ports[k];
                const struct bg_loc *loc = p->loc.file ? &p->loc : &br->loc;
                size_t first, end, l, b;
                char suffix[40];

                snprintf(suffix, sizeof(suffix), ".ports[%s]", p->name ? p->name : "");
                node_key(c, n, suffix, key, sizeof(key));
                if (!p->name) {
                        sdiag(c, BG_DIAG_ERROR, loc, key, "a bridge port needs a name");
                        continue;
                }
                if (br->name && !strcmp(p->name, br->name)) {
                        sdiag(c, BG_DIAG_ERROR, loc, key, "bridge %s cannot be its own port", br->name);
                        continue;
                }
                for (l = 0; l < k; l++)
                        if (br->ports[l].name && !strcmp(br->ports[l].name, p->name))
                                break;
                if (l < k) {
                        sdiag(c, BG_DIAG_ERROR, loc, key, "port %s is listed twice", p->name);
                        continue;
                }
                end = bg_sindex_run(seen, p->name, &first);
                if (first < end) {
                        size_t o = seen->v[first].bond;

                        sdiag(c, BG_DIAG_ERROR, loc, key,
                              "port %s is also a port of bridge %s; an interface has one master",
                              p->name, c->m->bridges[o].name ? c->m->bridges[o].name : "");
                        continue;
                }
                l = lookup(c, p->name);
                if (l != SIZE_MAX && c->nodes[l].kind == K_BRIDGE)
                        sdiag(c, BG_DIAG_ERROR, loc, key,
                              "%s is a bridge; the kernel does not put a bridge in a bridge", p->name);
                else if (l != SIZE_MAX && node_l3(c, l))
                        sdiag(c, BG_DIAG_ERROR, loc, key,
                              "%s %s is a port of bridge %s but has addressing of its own; the bridge "
                              "receives the port's frames, so the addresses (and DHCP) belong on %s",
                              kind_names[c->nodes[l].kind], p->name, br->name, br->name);
                if (l == SIZE_MAX && (b = bond_of_port(c, p->name)) != SIZE_MAX)
                        sdiag(c, BG_DIAG_ERROR, loc, key,
                              "%s is a port of bond %s and of bridge %s; an interface has one master "
                              "(make %s the bridge port)",
                              p->name, c->m->bonds[b].name, br->name, c->m->bonds[b].name);
        }
}

static void check_bridges(struct sctx *c) {
        const struct bg_model *m = c->m;
        struct bg_sindex seen = { 0 };
        char key[64];

        for (size_t i = 0; i < m->n_bridges; i++) {
                const struct bg_bridge *br = &m->bridges[i];
                size_t n = m->n_bonds + m->n_vlans + i;

                check_name(c, n);
                node_key(c, n, NULL, key, sizeof(key));
                if (bg_validate_l3(c->diags, key, br->name, &br->loc, br->mtu, &br->mac, &br->ipv4, &br->ipv6) < 0)
                        c->r = -ENOMEM;
                node_key(c, n, ".forward-delay", key, sizeof(key));
                if (br->stp == BG_STP_ON && br->forward_delay != BG_BR_UNSET &&
                    (br->forward_delay < 2 || br->forward_delay > 30))
                        sdiag(c, BG_DIAG_ERROR, &br->loc, key,
                              "forward delay %d s is outside 2-30 s, which the kernel requires while "
                              "STP runs", br->forward_delay);
                /* seen: the ports of the bridges before this one. */
                check_bridge_ports(c, i, &seen);
                for (size_t k = 0; k < br->n_ports; k++)
                        if (bg_sindex_add(&seen, br->ports[k].name, i, k) < 0)
                                c->r = -ENOMEM;
                bg_sindex_sort(&seen);
        }
        bg_sindex_free(&seen);
}

/* What node n needs to exist first: a bond its ports, a VLAN its link, a
 * bridge its ports; only those that are nodes of the model count. */
static size_t dep(const struct sctx *c, size_t n, size_t k, bool *more) {
        const struct node *x = &c->nodes[n];
        const char *s = NULL;

        *more = false;
        if (x->kind == K_BOND && k < c->m->bonds[x->idx].n_ports) {
                s = c->m->bonds[x->idx].ports[k].name;
                *more = true;
        } else if (x->kind == K_VLAN && k == 0) {
                s = c->m->vlans[x->idx].link;
                *more = true;
        } else if (x->kind == K_BRIDGE && k < c->m->bridges[x->idx].n_ports) {
                s = c->m->bridges[x->idx].ports[k].name;
                *more = true;
        }
        return lookup(c, s);
}

/* Depth-first over the dependencies, iteratively (a hostile chain must
 * not exhaust the stack); a node met again while on the path is a loop,
 * reported once at the VLAN or bridge that closes it. */
static void check_loops(struct sctx *c) {
        enum { WHITE, GREY, BLACK };
        unsigned char *color = calloc(c->n_nodes ? c->n_nodes : 1, 1);
        size_t *stack = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*stack));
        size_t *next = calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*next));
        char key[64];

        if (!color || !stack || !next) {
                c->r = -ENOMEM;
                goto out;
        }
        /* Bonds alone cannot loop (nested bonds are refused by the bond
         * checks), so start from the VLANs and bridges. */
        for (size_t s = c->m->n_bonds; s < c->n_nodes; s++) {
                size_t top = 0;

                if (color[s] != WHITE)
                        continue;
                stack[top++] = s;
                color[s] = GREY;
                next[s] = 0;
                while (top) {
                        size_t n = stack[top - 1], d;
                        bool more;

                        d = dep(c, n, next[n]++, &more);
                        if (!more) {
                                color[n] = BLACK;
                                top--;
                                continue;
                        }
                        if (d == SIZE_MAX || d == n || color[d] == BLACK)
                                continue; /* d == n: reported as "its own port"/own link */
                        if (color[d] == GREY) {
                                node_key(c, n, NULL, key, sizeof(key));
                                sdiag(c, BG_DIAG_ERROR, node_loc(c, n), key,
                                      "%s %s and %s %s depend on each other (a loop)",
                                      kind_names[c->nodes[n].kind], node_name(c, n),
                                      kind_names[c->nodes[d].kind], node_name(c, d));
                                continue;
                        }
                        color[d] = GREY;
                        next[d] = 0;
                        stack[top++] = d;
                }
        }
out:
        free(color);
        free(stack);
        free(next);
}

/* A host name for DHCP is only sent when the item uses DHCP. */
static void check_hostnames(struct sctx *c) {
        char key[64];

        for (size_t n = 0; n < c->n_nodes; n++) {
                const struct node *x = &c->nodes[n];
                const struct bg_ipcfg *v4, *v6;
                const char *h;

                if (x->kind == K_BOND) {
                        v4 = &c->m->bonds[x->idx].ipv4, v6 = &c->m->bonds[x->idx].ipv6;
                        h = c->m->bonds[x->idx].dhcp_hostname;
                } else if (x->kind == K_VLAN) {
                        v4 = &c->m->vlans[x->idx].ipv4, v6 = &c->m->vlans[x->idx].ipv6;
                        h = c->m->vlans[x->idx].dhcp_hostname;
                } else {
                        v4 = &c->m->bridges[x->idx].ipv4, v6 = &c->m->bridges[x->idx].ipv6;
                        h = c->m->bridges[x->idx].dhcp_hostname;
                }
                if (!h || v4->method == BG_IP_DHCP || v6->method == BG_IP_DHCP)
                        continue;
                node_key(c, n, ".dhcp-hostname", key, sizeof(key));
                sdiag(c, BG_DIAG_WARNING, node_loc(c, n), key,
                      "ignored: %s uses no DHCP", node_name(c, n) ? node_name(c, n) : "the interface");
        }
}

int bg_validate_stack(const struct bg_model *m, struct bg_diags *diags) {
        struct sctx c = { .m = m, .diags = diags };

        if (build(&c) < 0)
                c.r = -ENOMEM;
        if (c.r == 0) {
                check_vlans(&c);
                check_bridges(&c);
                check_loops(&c);
                check_hostnames(&c);
        }
        bg_sindex_free(&c.names);
        bg_sindex_free(&c.bports);
        free(c.nodes);
        return c.r;
}
