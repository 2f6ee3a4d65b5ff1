/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Canonical YAML writer. The model is turned into the same string-only
 * y_doc the loader reads and saved by libcyaml with the same schema, so
 * the key order is the schema's (yaml-schema.c) and load(dump(m)) == m.
 * Unset values and defaults are left out; lists keep the model's order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml-internal.h"
#include "yaml.h"

static const cyaml_config_t dump_cfg = {
        .log_fn = NULL,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_STYLE_BLOCK,
};

/* Allocated with cyaml's allocator so that cyaml_free() can release the
 * whole tree with the schema. */
static char *dup_str(const char *s, int *oom) {
        size_t n;
        char *p;

        if (!s)
                return NULL;
        n = strlen(s) + 1;
        p = cyaml_mem(NULL, NULL, n);
        if (!p) {
                *oom = -ENOMEM;
                return NULL;
        }
        memcpy(p, s, n);
        return p;
}

static void *zalloc(size_t n, int *oom) {
        void *p = cyaml_mem(NULL, NULL, n ? n : 1);

        if (!p) {
                *oom = -ENOMEM;
                return NULL;
        }
        memset(p, 0, n ? n : 1);
        return p;
}

static char *fmt_str(int *oom, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *fmt_str(int *oom, const char *fmt, ...) {
        char buf[64];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return dup_str(buf, oom);
}

/* Lists: a non-NULL pointer even when empty, so that an explicitly empty
 * list is written as [] rather than left out. */
static char **dup_list(char *const *v, size_t n, uint32_t *count, int *oom) {
        char **out = zalloc(n * sizeof(char *), oom);

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++)
                out[i] = dup_str(v[i], oom);
        *count = (uint32_t)n;
        return out;
}

static char **dup_addrs(const struct bg_addr *v, size_t n, uint32_t *count, int *oom) {
        char **out = zalloc(n * sizeof(char *), oom);
        char t[BG_ADDR_STRLEN];

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++)
                out[i] = dup_str(bg_addr_format(&v[i], t), oom);
        *count = (uint32_t)n;
        return out;
}

static char *dup_addr(const struct bg_addr *a, int *oom) {
        char t[BG_ADDR_STRLEN];

        return bg_addr_set(a) ? dup_str(bg_addr_format(a, t), oom) : NULL;
}

static char *dup_hwaddr(const struct bg_hwaddr *h, int *oom) {
        char t[BG_HWADDR_STRLEN];

        return h->len ? dup_str(bg_hwaddr_format(h, t), oom) : NULL;
}

static bool ip_is_default(const struct bg_ipcfg *ip) {
        return ip->method == BG_IP_NONE && !ip->n_addresses && !bg_addr_set(&ip->gateway) &&
               !ip->n_routes && !ip->n_dns;
}

static struct y_ip *fill_ip(const struct bg_ipcfg *ip, int *oom) {
        struct y_ip *y;

        if (ip_is_default(ip))
                return NULL;
        y = zalloc(sizeof(*y), oom);
        if (!y)
                return NULL;
        if (ip->method != BG_IP_NONE)
                y->method = dup_str(bg_ip_method_name(ip->method), oom);
        if (ip->n_addresses)
                y->addresses = dup_addrs(ip->addresses, ip->n_addresses, &y->n_addresses, oom);
        y->gateway = dup_addr(&ip->gateway, oom);
        if (ip->n_routes) {
                y->routes = zalloc(ip->n_routes * sizeof(*y->routes), oom);
                if (y->routes) {
                        y->n_routes = (uint32_t)ip->n_routes;
                        for (size_t i = 0; i < ip->n_routes; i++) {
                                const struct bg_route *r = &ip->routes[i];
                                char t[BG_ADDR_STRLEN];

                                y->routes[i].to = r->is_default ? dup_str("default", oom)
                                                                : dup_str(bg_addr_format(&r->to, t), oom);
                                y->routes[i].via = dup_addr(&r->via, oom);
                                if (r->metric)
                                        y->routes[i].metric = fmt_str(oom, "%u", r->metric);
                        }
                }
        }
        if (ip->n_dns)
                y->dns = dup_addrs(ip->dns, ip->n_dns, &y->n_dns, oom);
        return y;
}

/* The keys every interface kind has; onboot and mtu only where they are
 * not the default. */
static void fill_l3(struct y_l3 *y, bool onboot, uint32_t mtu, const struct bg_hwaddr *mac,
                    const struct bg_ipcfg *v4, const struct bg_ipcfg *v6, const char *dhcp_hostname,
                    int *oom) {
        if (!onboot)
                y->onboot = dup_str("false", oom);
        if (mtu)
                y->mtu = fmt_str(oom, "%u", mtu);
        y->mac = dup_hwaddr(mac, oom);
        y->ipv4 = fill_ip(v4, oom);
        y->ipv6 = fill_ip(v6, oom);
        y->dhcp_hostname = dup_str(dhcp_hostname, oom);
}

static void fill_options(const struct y_schema *s, const struct bg_bond *b, struct y_bond *y,
                         int *oom) {
        bool any = false;

        for (int id = 0; id < BG_OPT__MAX; id++)
                if (s->opt_slot[id] != SIZE_MAX && b->opts[id].set)
                        any = true;
        if (!any)
                return;
        y->options = zalloc(s->n_opt_fields * sizeof(*y->options), oom);
        if (!y->options)
                return;
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                const struct bg_optval *v = &b->opts[id];
                struct y_optslot *slot;
                char buf[1024];

                if (s->opt_slot[id] == SIZE_MAX || !v->set)
                        continue;
                slot = &y->options[s->opt_slot[id]];
                if (s->opt_fields[s->opt_slot[id]].value.type == CYAML_SEQUENCE) {
                        slot->list = dup_list(v->list, v->n_list, &slot->n_list, oom);
                        continue;
                }
                if (o->type == BG_OT_BOOL) {
                        slot->scalar = dup_str(v->num ? "true" : "false", oom);
                        continue;
                }
                if (bg_opt_format_value(o, v, buf, sizeof(buf)) < 0) {
                        /* A value the catalogue cannot print is a bug in
                         * whoever filled the model; do not write a file that
                         * silently lacks it. */
                        *oom = -EINVAL;
                        continue;
                }
                slot->scalar = dup_str(buf, oom);
        }
}

static void fill_bond(const struct y_schema *s, const struct bg_bond *b, struct y_bond *y,
                      int *oom) {
        y->name = dup_str(b->name ? b->name : "", oom);
        if (b->backend != BG_BACKEND_AUTO)
                y->backend = dup_str(bg_backend_name(b->backend), oom);
        if (b->opts[BG_OPT_MODE].set) {
                char buf[64];

                if (bg_opt_format_value(bg_opt_get(BG_OPT_MODE), &b->opts[BG_OPT_MODE], buf,
                                        sizeof(buf)) < 0)
                        *oom = -EINVAL;
                else
                        y->mode = dup_str(buf, oom);
        }
        fill_options(s, b, y, oom);
        if (b->n_ports) {
                y->ports = zalloc(b->n_ports * sizeof(*y->ports), oom);
                if (y->ports) {
                        y->n_ports = (uint32_t)b->n_ports;
                        for (size_t i = 0; i < b->n_ports; i++) {
                                y->ports[i].name = dup_str(b->ports[i].name, oom);
                                y->ports[i].mac = dup_hwaddr(&b->ports[i].mac, oom);
                                if (b->ports[i].prio) {
                                        char n[16];
                                        snprintf(n, sizeof(n), "%d", (int) b->ports[i].prio);
                                        y->ports[i].prio = dup_str(n, oom);
                                }
                        }
                }
        }
        fill_l3(&y->l3, b->onboot, b->mtu, &b->mac, &b->ipv4, &b->ipv6, b->dhcp_hostname, oom);
}

static void fill_vlan(const struct bg_vlan *v, struct y_vlan *y, int *oom) {
        y->name = dup_str(v->name ? v->name : "", oom);
        y->id = fmt_str(oom, "%u", v->id);
        y->link = dup_str(v->link ? v->link : "", oom);
        fill_l3(&y->l3, v->onboot, v->mtu, &v->mac, &v->ipv4, &v->ipv6, v->dhcp_hostname, oom);
}

static char *secs(int32_t v, int *oom) {
        return v == BG_BR_UNSET ? NULL : fmt_str(oom, "%d", v);
}

static void fill_bridge(const struct bg_bridge *br, struct y_bridge *y, int *oom) {
        y->name = dup_str(br->name ? br->name : "", oom);
        if (br->n_ports) {
                y->ports = zalloc(br->n_ports * sizeof(*y->ports), oom);
                if (y->ports) {
                        y->n_ports = (uint32_t)br->n_ports;
                        for (size_t i = 0; i < br->n_ports; i++)
                                y->ports[i].name = dup_str(br->ports[i].name ? br->ports[i].name : "", oom);
                }
        }
        if (br->stp != BG_STP_UNSET)
                y->stp = dup_str(br->stp == BG_STP_ON ? "true" : "false", oom);
        y->forward_delay = secs(br->forward_delay, oom);
        y->hello_time = secs(br->hello_time, oom);
        y->max_age = secs(br->max_age, oom);
        y->priority = secs(br->priority, oom);
        fill_l3(&y->l3, br->onboot, br->mtu, &br->mac, &br->ipv4, &br->ipv6, br->dhcp_hostname, oom);
}

int bg_yaml_dump(const struct bg_model *m, char **out, size_t *len) {
        const struct y_schema *s = y_schema_get();
        struct y_doc *doc;
        char *text = NULL;
        size_t n = 0;
        int oom = 0, r;
        cyaml_err_t e;

        if (!s)
                return -ENOMEM;
        doc = zalloc(sizeof(*doc), &oom);
        if (!doc)
                return -ENOMEM;
        doc->version = dup_str("1", &oom);
        if (m->n_bonds) {
                doc->bonds = zalloc(m->n_bonds * sizeof(*doc->bonds), &oom);
                if (doc->bonds) {
                        doc->n_bonds = (uint32_t)m->n_bonds;
                        for (size_t i = 0; i < m->n_bonds; i++)
                                fill_bond(s, &m->bonds[i], &doc->bonds[i], &oom);
                }
        }
        if (m->n_vlans) {
                doc->vlans = zalloc(m->n_vlans * sizeof(*doc->vlans), &oom);
                if (doc->vlans) {
                        doc->n_vlans = (uint32_t)m->n_vlans;
                        for (size_t i = 0; i < m->n_vlans; i++)
                                fill_vlan(&m->vlans[i], &doc->vlans[i], &oom);
                }
        }
        if (m->n_bridges) {
                doc->bridges = zalloc(m->n_bridges * sizeof(*doc->bridges), &oom);
                if (doc->bridges) {
                        doc->n_bridges = (uint32_t)m->n_bridges;
                        for (size_t i = 0; i < m->n_bridges; i++)
                                fill_bridge(&m->bridges[i], &doc->bridges[i], &oom);
                }
        }
        r = oom;
        if (r == 0) {
                e = cyaml_save_data(&text, &n, &dump_cfg, &s->top, doc, 0);
                if (e == CYAML_ERR_OOM)
                        r = -ENOMEM;
                else if (e != CYAML_OK)
                        r = -EINVAL;
        }
        if (r == 0) {
                char *buf = malloc(n + 1);

                if (!buf) {
                        r = -ENOMEM;
                } else {
                        memcpy(buf, text, n);
                        buf[n] = 0;
                        *out = buf;
                        if (len)
                                *len = n;
                }
        }
        if (text)
                cyaml_mem(NULL, text, 0);
        cyaml_free(&dump_cfg, &s->top, doc, 0);
        return r;
}

int bg_yaml_dump_file(const struct bg_model *m, FILE *f) {
        char *text;
        size_t len;
        int r;

        r = bg_yaml_dump(m, &text, &len);
        if (r < 0)
                return r;
        if (fwrite(text, 1, len, f) != len || fflush(f) != 0)
                r = -EIO;
        free(text);
        return r;
}
