/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Apply as a transaction: what a bond looked like before apply touched it
 * (a snapshot), and bringing it back.
 *
 * The snapshot of a bond that existed is itself a model bond, written
 * from what the kernel reported: every option it reports, its ports in
 * the kernel's order, MTU, MAC, addresses and static routes. Restoring is
 * then planning from the running state to that bond with the same planner
 * apply uses, so the ordering rules (release before mode, down before
 * lacp_rate, ...) hold for the undo too. What a model bond cannot say is
 * kept beside it: bonds that did not exist (deleted on restore), the
 * up/down state of the bond and of every port concerned, the active port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "util/util.h"
#include "yaml/yaml.h"
#include "util/array.h"

void bg_snapshot_init(struct bg_snapshot *s) {
        memset(s, 0, sizeof(*s));
        bg_model_init(&s->model);
}

void bg_snapshot_free(struct bg_snapshot *s) {
        bg_model_free(&s->model);
        free(s->created);
        free(s->links);
        free(s->active);
        for (size_t i = 0; i < s->n_handed; i++)
                free(s->handed[i].data);
        free(s->handed);
        memset(s, 0, sizeof(*s));
}

static bool have_link(const struct bg_snapshot *s, const char *name) {
        for (size_t i = 0; i < s->n_links; i++)
                if (strcmp(s->links[i].name, name) == 0)
                        return true;
        return false;
}

static int add_link(struct bg_snapshot *s, const struct bg_nl_link *l) {
        struct bg_snap_link *v;

        if (have_link(s, l->name))
                return 0;
        if (!(v = BG_NEW_SLOT(s->links, s->n_links)))
                return -ENOMEM;
        snprintf(v->name, IFNAMSIZ, "%s", l->name);
        v->up = l->flags & IFF_UP;
        s->n_links++;
        return 0;
}

int bg_snapshot_add_created(struct bg_snapshot *s, const char *bond) {
        char (*v)[IFNAMSIZ];

        for (size_t i = 0; i < s->n_created; i++)
                if (strcmp(s->created[i], bond) == 0)
                        return 0;
        if (!(v = BG_NEW_SLOT(s->created, s->n_created)))
                return -ENOMEM;
        snprintf(*v, IFNAMSIZ, "%s", bond);
        s->n_created++;
        return 0;
}

int bg_snapshot_add_active(struct bg_snapshot *s, const char *bond, const char *port) {
        struct bg_snap_active *v = BG_NEW_SLOT(s->active, s->n_active);

        if (!v)
                return -ENOMEM;
        snprintf(v->bond, IFNAMSIZ, "%s", bond);
        snprintf(v->port, IFNAMSIZ, "%s", port);
        s->n_active++;
        return 0;
}

int bg_snapshot_add_handed(struct bg_snapshot *s, const char *bond, const char *data, size_t len) {
        struct bg_snap_handed *v;
        char *copy = NULL;

        for (size_t i = 0; i < s->n_handed; i++)
                if (strcmp(s->handed[i].bond, bond) == 0)
                        return 0;
        if (data && !(copy = malloc(len + 1)))
                return -ENOMEM;
        if (!(v = BG_NEW_SLOT(s->handed, s->n_handed))) {
                free(copy);
                return -ENOMEM;
        }
        if (copy) {
                memcpy(copy, data, len);
                copy[len] = 0;
        }
        snprintf(v->bond, IFNAMSIZ, "%s", bond);
        v->data = copy;
        v->len = copy ? len : 0;
        s->n_handed++;
        return 0;
}

/* The model a restart of the bond's bondgend would start from, as it is
 * now: apply rewrites it after a live change, the restore puts it back. A
 * file that cannot be read safely (bg_fwd_model_read) is not recorded and
 * so never written back. */
static int record_handed(struct bg_snapshot *s, const char *bond) {
        char *data = NULL;
        size_t len = 0;
        int r = bg_fwd_model_read(bond, &data, &len);

        if (r == -ENOENT)
                return bg_snapshot_add_handed(s, bond, NULL, 0);
        if (r < 0)
                return 0;
        r = bg_snapshot_add_handed(s, bond, data, len);
        free(data);
        return r;
}

int bg_snapshot_add_link_state(struct bg_snapshot *s, const char *name, bool up) {
        struct bg_nl_link l = { .flags = up ? IFF_UP : 0 };

        snprintf(l.name, sizeof(l.name), "%s", name);
        return add_link(s, &l);
}

/* The kernel's port order (join order, which decides the bond's MAC and
 * which port active-backup picks first) is in sysfs; the dump is in
 * ifindex order, the fallback when sysfs is not there. */
static size_t kernel_port_order(const char *bond, char names[][IFNAMSIZ], size_t max) {
        char path[96], line[1024], *save = NULL;
        size_t n = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/sys/class/net/%s/bonding/slaves", bond);
        f = fopen(path, "re");
        if (!f)
                return 0;
        if (fgets(line, sizeof(line), f))
                for (char *t = strtok_r(line, " \n", &save); t && n < max; t = strtok_r(NULL, " \n", &save))
                        snprintf(names[n++], IFNAMSIZ, "%s", t);
        fclose(f);
        return n;
}

static int snap_options(struct bg_bond *sb, const struct bg_nl_state *st, const struct bg_nl_link *cur) {
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                const struct bg_optval *v = &cur->bond.val[i];
                int r;

                if (!cur->bond.have[i] || !o->ifla || o->nla == BG_NLA_NONE ||
                    (o->flags & (BG_OF_MODULE_ONLY | BG_OF_RUNTIME | BG_OF_PER_PORT)))
                        continue;
                if (o->nla == BG_NLA_IFINDEX) {
                        const struct bg_nl_link *l = bg_nl_state_link_by_index(st, (int) v->num);
                        if (!l)
                                continue;
                        sb->opts[i] = (struct bg_optval){ .set = true, .str = strdup(l->name) };
                        if (!sb->opts[i].str)
                                return -ENOMEM;
                        continue;
                }
                r = bg_optval_copy(&sb->opts[i], v);
                if (r < 0)
                        return r;
                sb->opts[i].set = true;
        }
        return 0;
}

static int snap_ip(const struct bg_nl_state *st, const struct bg_nl_link *cur, int family, struct bg_ipcfg *c) {
        char a[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8], gw[INET6_ADDRSTRLEN];
        int r;

        c->method = BG_IP_NONE;
        for (size_t i = 0; i < st->n_addrs; i++) {
                const struct bg_nl_addr *x = &st->addrs[i];
                if (x->ifindex != cur->ifindex || x->family != family || x->scope == RT_SCOPE_LINK)
                        continue;
                inet_ntop(family, x->addr, a, sizeof(a));
                snprintf(text, sizeof(text), "%s/%u", a, x->prefixlen);
                r = bg_ipcfg_add_address(c, text);
                if (r < 0)
                        return r;
                c->method = BG_IP_STATIC;
        }
        /* The routes apply manages: static ones through the bond. */
        for (size_t i = 0; i < st->n_routes; i++) {
                const struct bg_nl_route *x = &st->routes[i];
                if (x->oif != cur->ifindex || x->family != family || x->protocol != RTPROT_STATIC)
                        continue;
                inet_ntop(family, x->dst, a, sizeof(a));
                snprintf(text, sizeof(text), "%s/%u", a, x->dst_len);
                if (x->has_gateway)
                        inet_ntop(family, x->gateway, gw, sizeof(gw));
                r = bg_ipcfg_add_route(c, x->dst_len ? text : "default", x->has_gateway ? gw : NULL,
                                       x->metric);
                if (r < 0)
                        return r;
                c->method = BG_IP_STATIC;
        }
        return 0;
}

/* VLAN cur on link low with id: its state. follow: a MAC equal to it is
 * the lower device's, not the VLAN's own (NULL: always its own). */
static int snap_vlan_on(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_nl_link *cur,
                        const char *low, unsigned id, const uint8_t *follow) {
        struct bg_vlan *v = bg_model_add_vlan(&s->model, cur->name, low, id);
        int r;

        if (!v)
                return -ENOMEM;
        v->onboot = cur->flags & IFF_UP;
        v->mtu = cur->mtu;
        if (cur->has_mac && !(follow && !memcmp(cur->mac, follow, 6))) {
                v->mac.len = 6;
                memcpy(v->mac.bytes, cur->mac, 6);
        }
        r = snap_ip(st, cur, AF_INET, &v->ipv4);
        return r < 0 ? r : snap_ip(st, cur, AF_INET6, &v->ipv6);
}

static int snap_vlan(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_nl_link *cur) {
        const struct bg_nl_link *low = cur->link_other_ns ? NULL : bg_nl_state_link_by_index(st, cur->link);

        if (!low || !cur->vlan_id)
                return 0;       /* nothing the model could make again */
        return snap_vlan_on(s, st, cur, low->name, cur->vlan_id, NULL);
}

/* bondgend's own VLAN devices on bond (a TAP each, vtap.c in bondgend):
 * VLANs of the model on it, so a restart of bondgend gets them back. A
 * device without a MAC of its own carries the bond's and follows it:
 * recorded without one. */
static int snap_fwd_vlans(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_nl_link *bond,
                          const struct bg_fwd_state *fs) {
        for (size_t i = 0; i < fs->n_vlans; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(st, fs->vlans[i]);
                int r;

                if (!l || bg_model_find_vlan(&s->model, l->name))
                        continue;
                r = snap_vlan_on(s, st, l, bond->name, fs->vlan_id[i], bond->has_mac ? bond->mac : NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_bond(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_bond *b,
                    const struct bg_fwd_state *fs) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, b->name);
        char order[64][IFNAMSIZ];
        struct bg_bond *sb;
        size_t n_order;
        int r;

        if (bg_model_find_bond(&s->model, b->name))
                return 0;
        /* Every port the model names, so a port that joins is put back up
         * or down as it was. */
        for (size_t i = 0; i < b->n_ports; i++) {
                const struct bg_nl_link *l = b->ports[i].name ? bg_nl_state_link(st, b->ports[i].name) : NULL;
                if (!l && b->ports[i].mac.len == 6)
                        l = bg_nl_state_link_by_mac(st, b->ports[i].mac.bytes);
                if (l && (r = add_link(s, l)) < 0)
                        return r;
        }
        /* a bond bondgend runs or may run after this apply */
        if ((!cur || fs || strcmp(cur->kind, "tun") == 0) && (r = record_handed(s, b->name)) < 0)
                return r;
        if (!cur)
                return bg_snapshot_add_created(s, b->name);
        if (!cur->is_bond)
                return 0;
        r = add_link(s, cur);
        if (r < 0)
                return r;
        sb = bg_model_add_bond(&s->model, b->name);
        if (!sb)
                return -ENOMEM;
        sb->backend = fs ? BG_BACKEND_USERSPACE : BG_BACKEND_KERNEL;
        sb->onboot = cur->flags & IFF_UP;
        sb->mtu = cur->mtu;
        if (cur->has_mac) {
                sb->mac.len = 6;
                memcpy(sb->mac.bytes, cur->mac, 6);
        }
        r = snap_options(sb, st, cur);
        if (r < 0)
                return r;
        if (fs) {
                /* bondgend's enslave order, which decides the MAC and the
                 * first active port as the kernel's does */
                n_order = fs->n_ports < BG_ARRAY_SIZE(order) ? fs->n_ports : BG_ARRAY_SIZE(order);
                memcpy(order, fs->ports, n_order * sizeof(order[0]));
        } else
                n_order = kernel_port_order(b->name, order, BG_ARRAY_SIZE(order));
        for (size_t i = 0; i < n_order; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(st, order[i]);
                if (!l || l->master != cur->ifindex)
                        continue;
                if (!bg_bond_add_port(sb, l->name, NULL))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < st->n_links; i++) {
                const struct bg_nl_link *l = &st->links[i];
                if (l->master != cur->ifindex || bg_bond_find_port(sb, l->name))
                        continue;
                if (!bg_bond_add_port(sb, l->name, NULL))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < sb->n_ports; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(st, sb->ports[i].name);
                /* a prio set by hand comes back too (IFLA_BOND_SLAVE_PRIO) */
                if (l && l->slave.have_prio)
                        sb->ports[i].prio = l->slave.prio;
                r = add_link(s, l);
                if (r < 0)
                        return r;
        }
        /* the ports bondgend keeps without a device, after the present
         * ones: the rollback asks for them again */
        for (size_t i = 0; fs && i < fs->n_pending; i++)
                if (!bg_bond_find_port(sb, fs->pending[i]) && !bg_bond_add_port(sb, fs->pending[i], NULL))
                        return -ENOMEM;
        if (cur->bond.have[BG_OPT_ACTIVE_SLAVE] && cur->bond.val[BG_OPT_ACTIVE_SLAVE].num) {
                const struct bg_nl_link *a =
                        bg_nl_state_link_by_index(st, (int) cur->bond.val[BG_OPT_ACTIVE_SLAVE].num);
                if (a && (r = bg_snapshot_add_active(s, b->name, a->name)) < 0)
                        return r;
        }
        r = snap_ip(st, cur, AF_INET, &sb->ipv4);
        if (r >= 0)
                r = snap_ip(st, cur, AF_INET6, &sb->ipv6);
        if (r >= 0 && fs)
                r = snap_fwd_vlans(s, st, cur, fs);
        return r;
}

static bool was_created(const struct bg_snapshot *s, const char *name) {
        for (size_t i = 0; i < s->n_created; i++)
                if (strcmp(s->created[i], name) == 0)
                        return true;
        return false;
}

/* A bridge time in the kernel's clock_t (hundredths of a second,
 * br_netlink.c) as the model's whole seconds, when the model can hold it. */
static int32_t br_secs(bool have, uint32_t clock_t_val, int32_t lo, int32_t hi) {
        int32_t v = (int32_t) ((clock_t_val + 50) / 100);

        return have && v >= lo && v <= hi ? v : BG_BR_UNSET;
}

static int snap_bridge(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_nl_link *cur) {
        struct bg_bridge *br = bg_model_add_bridge(&s->model, cur->name);
        int r;

        if (!br)
                return -ENOMEM;
        /* every port, the ones put in by hand too: the bridge plan brings
         * its ports up, and the last step of the restore puts each link's
         * state back */
        for (size_t i = 0; i < st->n_links; i++) {
                if (st->links[i].master != cur->ifindex)
                        continue;
                if (!bg_bridge_add_port(br, st->links[i].name) || (r = add_link(s, &st->links[i])) < 0)
                        return -ENOMEM;
        }
        if (cur->br.have_stp)
                br->stp = cur->br.stp_state ? BG_STP_ON : BG_STP_OFF;
        /* the model's ranges (bondgen.yaml(5) bridges) */
        br->forward_delay = br_secs(cur->br.have_forward_delay, cur->br.forward_delay, 0, 30);
        br->hello_time = br_secs(cur->br.have_hello_time, cur->br.hello_time, 1, 10);
        br->max_age = br_secs(cur->br.have_max_age, cur->br.max_age, 6, 40);
        if (cur->br.have_priority)
                br->priority = cur->br.priority;
        br->onboot = cur->flags & IFF_UP;
        br->mtu = cur->mtu;
        if (cur->has_mac) {
                br->mac.len = 6;
                memcpy(br->mac.bytes, cur->mac, 6);
        }
        r = snap_ip(st, cur, AF_INET, &br->ipv4);
        return r < 0 ? r : snap_ip(st, cur, AF_INET6, &br->ipv6);
}

int bg_snapshot_add_stacked(struct bg_snapshot *s, const struct bg_nl_state *st, const char *name, bool bridge) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, name);
        int r;

        if (bg_model_find_vlan(&s->model, name) || bg_model_find_bridge(&s->model, name) || was_created(s, name))
                return 0;
        if (!cur)
                return bg_snapshot_add_created(s, name);
        if (strcmp(cur->kind, bridge ? "bridge" : "vlan") != 0)
                return 0;       /* apply refuses to change it */
        r = add_link(s, cur);
        if (r < 0)
                return r;
        return bridge ? snap_bridge(s, st, cur) : snap_vlan(s, st, cur);
}

int bg_snapshot_add_bond(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_bond *b) {
        return add_bond(s, st, b, NULL);
}

int bg_snapshot_add_fwd_bond(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_bond *b,
                             const struct bg_fwd_state *fs) {
        return add_bond(s, st, b, fs);
}

/* A model bond that bondgend runs: its state over the netlink view. */
static int take_fwd(struct bg_snapshot *s, struct bg_nl_state *st, const struct bg_bond *b) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, b->name);
        struct bg_fwd_state fs;
        char err[256];
        int r;

        if (!cur || cur->is_bond || strcmp(cur->kind, "tun") != 0)
                return 0;
        r = bg_fwd_state_read(b->name, &fs, err, sizeof(err));
        if (r < 0)
                return r == -ENOENT || r == -ECONNREFUSED ? 0 : r;
        r = bg_fwd_state_overlay(st, &fs);
        if (r >= 0)
                r = add_bond(s, st, b, &fs);
        bg_fwd_state_free(&fs);
        return r;
}

struct take_owned {
        struct bg_snapshot *s;
        const struct bg_model *m;
        const struct bg_nl_state *st;
};

static int take_owned(void *ud, const char *name, bool bridge) {
        struct take_owned *t = ud;

        if (bg_model_find_vlan(t->m, name) || bg_model_find_bridge(t->m, name))
                return 0;
        return bg_snapshot_add_stacked(t->s, t->st, name, bridge);
}

int bg_snapshot_take(const struct bg_model *m, const bool *skip, bool prune, struct bg_snapshot *s) {
        struct bg_nl *nl = NULL;
        struct bg_nl_state st = { 0 };
        int r;

        r = bg_nl_open_read_state(&nl, &st);
        for (size_t i = 0; r >= 0 && i < m->n_bonds; i++)
                if (!skip || !skip[i])
                        r = take_fwd(s, &st, &m->bonds[i]);
        for (size_t i = 0; r >= 0 && i < m->n_bonds; i++)
                if (!skip || !skip[i])
                        r = bg_snapshot_add_bond(s, &st, &m->bonds[i]);
        /* --prune stops the bondgend of a bond the model does not name:
         * recorded like the others, so the rollback starts it again */
        for (size_t i = 0; r >= 0 && prune && i < st.n_links; i++) {
                struct bg_bond gone = { .name = st.links[i].name };
                if (!bg_model_find_bond(m, gone.name) && take_fwd(s, &st, &gone) < 0)
                        continue;   /* a TAP that is not a bondgend bond */
        }
        for (size_t i = 0; r >= 0 && prune && i < st.n_links; i++) {
                struct bg_bond gone = { .name = st.links[i].name };
                if (st.links[i].is_bond && !bg_model_find_bond(m, gone.name) &&
                    !bg_model_find_bond(&s->model, gone.name))
                        r = bg_snapshot_add_bond(s, &st, &gone);
        }
        /* VLANs and bridges: those the model makes or changes, and with
         * --prune those it would delete */
        for (size_t i = 0; r >= 0 && i < m->n_vlans; i++)
                r = bg_snapshot_add_stacked(s, &st, m->vlans[i].name, false);
        for (size_t i = 0; r >= 0 && i < m->n_bridges; i++)
                r = bg_snapshot_add_stacked(s, &st, m->bridges[i].name, true);
        if (r >= 0 && prune) {
                struct take_owned t = { s, m, &st };
                r = bg_stack_owned_each(&st, take_owned, &t);
        }
        bg_nl_state_free(&st);
        bg_nl_close(nl);
        return r;
}

bool bg_snapshot_empty(const struct bg_snapshot *s) {
        return s->model.n_bonds == 0 && s->model.n_vlans == 0 && s->model.n_bridges == 0 && s->n_created == 0 &&
               s->n_links == 0;
}

/* ---- restore ---- */

static void say(bg_report_fn rep, void *ud, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(bg_report_fn rep, void *ud, const char *fmt, ...) {
        char line[700];
        va_list ap;

        if (!rep)
                return;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        rep(ud, line);
}

struct prefixed {
        bg_report_fn rep;
        void *ud;
};

/* Steps of a restore read "bond0: restore: enslave eth0". */
static void restore_line(void *userdata, const char *line) {
        const struct prefixed *p = userdata;
        const char *colon = strstr(line, ": ");

        if (!p->rep)
                return;
        if (colon)
                say(p->rep, p->ud, "%.*s: restore: %s", (int) (colon - line), line, colon + 2);
        else
                p->rep(p->ud, line);
}

static int set_link(struct bg_nl *nl, int ifindex, const struct bg_nl_linkset *ls) {
        static char buf[BG_NL_BUFSIZE];
        struct nlmsghdr *req;
        int r = bg_nl_msg_setlink(buf, 0, ifindex, ls, &req);

        return r < 0 ? r : bg_nl_call(nl, req, NULL);
}

static int restore_fwd_active(const struct bg_snap_active *a, bg_report_fn rep, void *ud, struct bg_diags *d) {
        struct bg_fwd_state fs;
        char why[300], req[64];
        int r = bg_fwd_state_read(a->bond, &fs, why, sizeof(why));

        if (r >= 0) {
                bool same = !strcmp(fs.active, a->port);
                bg_fwd_state_free(&fs);
                if (same)
                        return 0;
                say(rep, ud, "%s: restore: active %s", a->bond, a->port);
                snprintf(req, sizeof(req), "active %s\n", a->port);
                r = bg_fwdctl_request(a->bond, req, NULL, why, sizeof(why));
        }
        if (r < 0)
                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: active %s: %s", a->bond, a->port, why);
        return r;
}

int bg_snapshot_fwd_model(const struct bg_snapshot *s, const struct bg_bond *b, char **text, size_t *len) {
        *text = NULL;
        *len = 0;
        for (size_t i = 0; i < s->n_handed; i++) {
                const struct bg_snap_handed *h = &s->handed[i];
                if (strcmp(h->bond, b->name) || !h->data)
                        continue;
                if (!(*text = malloc(h->len + 1)))
                        return -ENOMEM;
                memcpy(*text, h->data, h->len);
                (*text)[h->len] = 0;
                *len = h->len;
                return 0;
        }
        return bg_fwd_model_text(b, &s->model, text, len);
}

/* A bondgend bond of the snapshot whose bondgend was stopped (--prune):
 * started again from the model it had (bg_snapshot_fwd_model(): its
 * RUNDIR/BOND.yaml as it was, else the snapshot's bond, every option it
 * ran with, its ports in their order, MTU, MAC, addresses, routes, and
 * its own VLAN devices), handed over as RUNDIR/BOND.yaml; the start
 * waits until it answers. */
static int restart_fwd(const struct bg_snapshot *s, const struct bg_bond *b, struct prefixed *pf,
                       struct bg_diags *d) {
        char *text = NULL;
        size_t len = 0;
        int r = bg_snapshot_fwd_model(s, b, &text, &len);

        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: start bondgend: %s", b->name, strerror(-r));
                return r;
        }
        r = bg_apply_start_fwd(b, text, len, restore_line, pf, d);
        free(text);
        return r;
}

/* A device of the snapshot's created list that is one of bondgend's own
 * VLAN devices (a TAP, on a bond of the snapshot bondgend runs): made by
 * the applied change through bondgend, so deleted through it, as
 * `--prune` deletes one. 1 when it was one, 0 when not. */
static int delete_created_fwd_vlan(struct bg_nl *nl, const struct bg_snapshot *s, const char *name, bg_report_fn rep,
                                   void *ud, struct bg_diags *d) {
        for (size_t i = 0; i < s->model.n_bonds; i++) {
                const struct bg_bond *sb = &s->model.bonds[i];
                struct bg_bond gone = { .name = (char *) name, .backend = BG_BACKEND_USERSPACE };
                struct bg_plan plan = { .kind = "vlan" };
                struct bg_fwd_state fs;
                struct bg_step *st;
                char why[300];
                bool ours = false;
                int r;

                if (sb->backend != BG_BACKEND_USERSPACE || bg_fwd_state_read(sb->name, &fs, why, sizeof(why)) < 0)
                        continue;
                for (size_t k = 0; k < fs.n_vlans; k++)
                        ours = ours || !strcmp(fs.vlans[k], name);
                bg_fwd_state_free(&fs);
                if (!ours)
                        continue;
                st = bg_plan_add(&plan, BG_STEP_FWD_VLAN, name, name, "delete (it did not exist)");
                if (!st)
                        return -ENOMEM;
                snprintf(st->link, sizeof(st->link), "%s", sb->name);
                r = bg_plan_execute_on(nl, &plan, &gone, false, rep, ud, d);
                bg_plan_free(&plan);
                return r < 0 ? r : 1;
        }
        return 0;
}

/* RUNDIR/BOND.yaml back as it was, byte for byte (or gone, if there was
 * none), once the bond itself is back: a later restart of bondgend starts
 * from what it would have started from before. Untouched when equal. */
static int restore_handed(const struct bg_snap_handed *h, bg_report_fn rep, void *ud, struct bg_diags *d) {
        char path[4096], *now = NULL;
        size_t len = 0;
        int r = bg_fwd_model_read(h->bond, &now, &len);
        bool same = h->data ? r >= 0 && len == h->len && memcmp(now, h->data, len) == 0 : r == -ENOENT;

        free(now);
        if (same)
                return 0;
        r = bg_fwd_model_path(h->bond, path, sizeof(path));
        if (r >= 0 && h->data) {
                say(rep, ud, "%s: restore: %s as it was", h->bond, path);
                r = bg_write_file_atomic(path, h->data, h->len, 0644, true);
        } else if (r >= 0) {
                say(rep, ud, "%s: restore: remove %s (there was none)", h->bond, path);
                r = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
        }
        if (r < 0)
                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: %s: %s", h->bond, path, strerror(-r));
        return r;
}

/* A link the applied change made: deleted, said as "the KIND". */
static int delete_created(struct bg_nl *nl, const struct bg_nl_link *l, const char *kind, bg_report_fn rep,
                          void *ud, struct bg_diags *d) {
        static char buf[BG_NL_BUFSIZE];
        struct nlmsghdr *req;
        int r;

        say(rep, ud, "%s: restore: delete the %s (it did not exist)", l->name, kind);
        r = bg_nl_msg_dellink(buf, 0, l->ifindex, &req);
        if (r >= 0)
                r = bg_nl_call(nl, req, NULL);
        if (r < 0)
                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: delete: %s", l->name, strerror(-r));
        return r;
}

int bg_snapshot_restore(struct bg_nl *nl, const struct bg_snapshot *s, bg_report_fn rep, void *ud,
                        struct bg_diags *d) {
        struct prefixed pf = { rep, ud };
        struct bg_nl_state st = { 0 };
        int r, ret = 0;

        r = bg_nl_read_state(nl, &st);
        if (r < 0)
                return r;
        /* VLANs and bridges that did not exist go before the bonds under
         * them (the kernel would take a VLAN away with its bond, but not a
         * bridge). */
        for (size_t i = 0; i < s->n_created; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(&st, s->created[i]);

                if (l && (strcmp(l->kind, "vlan") == 0 || strcmp(l->kind, "bridge") == 0) &&
                    (r = delete_created(nl, l, l->kind, rep, ud, d)) < 0)
                        ret = r;
        }
        r = bg_nl_reread_state(nl, &st);
        if (r < 0)
                return r;
        /* Bonds that did not exist go first, so their ports are free for
         * the bonds that get them back. */
        for (size_t i = 0; i < s->n_created; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(&st, s->created[i]);

                if (l && !l->is_bond && strcmp(l->kind, "tun") == 0) {
                        char why[300];
                        r = delete_created_fwd_vlan(nl, s, l->name, restore_line, &pf, d);
                        if (r != 0) {
                                if (r < 0)
                                        ret = r;
                                continue;
                        }
                        say(rep, ud, "%s: restore: stop bondgend (the bond did not exist)", l->name);
                        r = bg_fwd_stop(l->name, why, sizeof(why));
                        if (r < 0) {
                                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: stop bondgend: %s",
                                            l->name, why);
                                ret = r;
                        }
                        /* its own VLAN devices went with it */
                        r = bg_nl_reread_state(nl, &st);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (l && l->is_bond && (r = delete_created(nl, l, "bond", rep, ud, d)) < 0)
                        ret = r;
        }
        for (size_t i = 0; i < s->model.n_bonds; i++) {
                const struct bg_bond *b = &s->model.bonds[i];
                struct bg_plan plan = { 0 };
                struct bg_diags scratch = { 0 };
                struct bg_fwd_state fs;
                bool fwd;

                if (s->n_created) {
                        r = bg_nl_reread_state(nl, &st);
                        if (r < 0)
                                return r;
                }
                fwd = b->backend == BG_BACKEND_USERSPACE;
                memset(&fs, 0, sizeof(fs));
                if (fwd) {
                        char why[300];
                        r = bg_fwd_state_read(b->name, &fs, why, sizeof(why));
                        if (r == -ENOENT || r == -ECONNREFUSED) {
                                /* stopped by --prune: started again */
                                r = restart_fwd(s, b, &pf, d);
                                if (r >= 0) {
                                        r = bg_nl_reread_state(nl, &st);
                                }
                                if (r >= 0)
                                        r = bg_fwd_state_read(b->name, &fs, why, sizeof(why));
                                else
                                        why[0] = 0;
                        }
                        if (r >= 0)
                                r = bg_fwd_state_overlay(&st, &fs);
                        else if (why[0])
                                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: %s", b->name, why);
                        if (r < 0) {
                                bg_fwd_state_free(&fs);
                                ret = r;
                                continue;
                        }
                }
                /* Warnings about options the old mode ignores are noise
                 * here; errors are kept. */
                r = bg_plan_bond(b, &st, &plan, &scratch);
                if (r >= 0 && fwd)
                        r = bg_plan_fwd_pending(b, &st, &fs, &plan);
                bg_fwd_state_free(&fs);
                for (size_t j = 0; j < scratch.n; j++)
                        if (scratch.v[j].level == BG_DIAG_ERROR)
                                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: %s", b->name,
                                            scratch.v[j].msg);
                bg_diags_free(&scratch);
                if (r >= 0)
                        r = bg_plan_execute_on(nl, &plan, b, fwd, restore_line, &pf, d);
                bg_plan_free(&plan);
                if (r < 0)
                        ret = r;
                r = bg_nl_reread_state(nl, &st);
                if (r < 0)
                        return r;
        }
        if (s->model.n_bonds == 0 && s->n_created) {
                r = bg_nl_reread_state(nl, &st);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < s->n_active; i++) {
                const struct bg_bond *sb = bg_model_find_bond(&s->model, s->active[i].bond);
                if (sb && sb->backend == BG_BACKEND_USERSPACE) {
                        r = restore_fwd_active(&s->active[i], rep, ud, d);
                        if (r < 0)
                                ret = r;
                        continue;
                }
                const struct bg_nl_link *b = bg_nl_state_link(&st, s->active[i].bond);
                const struct bg_nl_link *p = bg_nl_state_link(&st, s->active[i].port);
                struct bg_nl_bond_opts o;
                struct nlmsghdr *req;
                static char buf[BG_NL_BUFSIZE];

                if (!b || !p || p->master != b->ifindex ||
                    (b->bond.have[BG_OPT_ACTIVE_SLAVE] &&
                     b->bond.val[BG_OPT_ACTIVE_SLAVE].num == (uint64_t) p->ifindex))
                        continue;
                say(rep, ud, "%s: restore: active %s", b->name, p->name);
                memset(&o, 0, sizeof(o));
                o.have[BG_OPT_ACTIVE_SLAVE] = true;
                o.val[BG_OPT_ACTIVE_SLAVE] = (struct bg_optval){ .set = true, .num = (uint64_t) p->ifindex };
                r = bg_nl_msg_bond(buf, 0, false, NULL, b->ifindex, &o, &req, NULL, 0);
                if (r >= 0)
                        r = bg_nl_call(nl, req, NULL);
                if (r < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: active %s: %s", b->name,
                                    p->name, strerror(-r));
                        ret = r;
                }
        }
        /* VLANs and bridges that existed: made again (a VLAN deleted for a
         * new id or link) and given back their addresses, MTU, MAC,
         * ports and bridge times, by the same planner as apply; the
         * bonds, restored above, tell it which VLANs are bondgend's own
         * devices (made and changed through bondgend) */
        if (s->model.n_vlans || s->model.n_bridges) {
                struct bg_apply_opts ro = { .report = restore_line, .userdata = &pf };

                r = bg_nl_reread_state(nl, &st);
                if (r < 0)
                        return r;
                r = bg_apply_stack(nl, &s->model, &st, &ro, d);
                if (r < 0)
                        ret = r;
        }
        r = bg_nl_reread_state(nl, &st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_links; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(&st, s->links[i].name);
                struct bg_nl_linkset ls;

                if (!l || !!(l->flags & IFF_UP) == s->links[i].up)
                        continue;
                say(rep, ud, "%s: restore: %s", l->name, s->links[i].up ? "up" : "down");
                bg_nl_linkset_init(&ls);
                ls.up = s->links[i].up;
                r = set_link(nl, l->ifindex, &ls);
                if (r < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: restore: %s: %s", l->name,
                                    s->links[i].up ? "up" : "down", strerror(-r));
                        ret = r;
                }
        }
        for (size_t i = 0; i < s->n_handed; i++)
                if ((r = restore_handed(&s->handed[i], rep, ud, d)) < 0)
                        ret = r;
        bg_nl_state_free(&st);
        return ret;
}
