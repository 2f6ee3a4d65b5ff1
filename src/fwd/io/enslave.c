/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A port's lifecycle: admitted, set up and enslaved, kept pending while
 * its device does not exist, released and given back as it was found;
 * and the administrative choice of the active port.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fwd/io/core-int.h"
#include "netlink/netlink.h"

#define now_usec bg_dp_now_usec

static bool wants_bond_mac(const struct bg_fwd *b) {
        if (!b->ops->ports_use_bond_mac)
                return false;
        return !(b->p.mode == BG_MODE_ACTIVE_BACKUP && b->p.fail_over_mac != BG_FOM_NONE);
}

static void save_state(struct bg_core *c) {
        if (c->state_path[0] && bg_port_state_save(c->state_path, &c->bond) < 0)
                bg_core_log(c, LOG_WARNING, "cannot write %s", c->state_path);
}

void bg_core_pending_add(struct bg_fwd *b, const char *name) {
        for (size_t i = 0; i < b->n_pending; i++)
                if (!strcmp(b->pending[i], name))
                        return;
        if (b->n_pending < BG_FWD_MAX_PORTS)
                snprintf(b->pending[b->n_pending++], sizeof(b->pending[0]), "%s", name);
}

static bool pending_del(struct bg_fwd *b, const char *name) {
        for (size_t i = 0; i < b->n_pending; i++)
                if (!strcmp(b->pending[i], name)) {
                        memmove(b->pending[i], b->pending[i + 1], (b->n_pending - i - 1) * sizeof(b->pending[0]));
                        b->n_pending--;
                        return true;
                }
        return false;
}

/* Give a port back: the ingress drop first, so the port is never left
 * deaf, then the state it was found in. */
void bg_core_port_restore(struct bg_core *c, const char *name, const struct bg_port_io *io) {
        (void) bg_ingress_drop(c->ingress, name, false);
        bg_port_restore(name, io);
}

/* The model's prio of a port (by name, or by the permanent MAC of a port
 * the model matches by MAC); 0, the kernel's default, for any other. */
static int32_t model_prio(const struct bg_core *c, const char *name, const uint8_t mac[6]) {
        const struct bg_bond *m = c->model;

        for (size_t i = 0; m && i < m->n_ports; i++) {
                const struct bg_port *mp = &m->ports[i];
                if ((mp->name && !strcmp(mp->name, name)) || (mp->mac.len == 6 && !memcmp(mp->mac.bytes, mac, 6)))
                        return mp->prio;
        }
        return 0;
}

int bg_core_enslave(struct bg_core *c, const char *name, bool pending_ok) {
        struct bg_fwd *b = &c->bond;
        struct bg_dp_port *pa;
        struct bg_fwd_port *p;
        struct bg_nl_link link;
        int r, fd;

        c->refusal[0] = 0;
        if (bg_fwd_find_port(b, name))
                return -EEXIST;
        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        if (!strcmp(name, b->name)) {
                snprintf(c->refusal, sizeof(c->refusal), "%s is the bond itself", name);
                bg_core_log(c, LOG_ERR, "refusing port: %s", c->refusal);
                return -EPERM;
        }
        r = bg_nl_get_link(c->rtnl, 0, name, &link);
        if (r < 0) {
                if (!pending_ok)
                        return r;
                bg_core_pending_add(b, name);
                bg_core_log(c, LOG_NOTICE, "port %s does not exist yet; enslaving it when it appears", name);
                return 0;
        }
        r = bg_port_admit(c->rtnl, b, &link, c->refusal, sizeof(c->refusal));
        bg_nl_link_clear(&link);
        if (r < 0) {
                if (bg_core_ratelimit(c))
                        bg_core_log(c, LOG_ERR, "refusing port: %s", c->refusal);
                return r;
        }
        pa = calloc(1, sizeof(*pa));
        if (!pa)
                return -ENOMEM;
        pa->core = c;
        r = bg_fwd_port_new(b, name, &p);
        if (r < 0) {
                free(pa);
                return r;
        }
        p->core = &pa->io;
        pending_del(b, name);
        r = bg_port_setup(name, b->mtu, &pa->io);
        /* handed over: the port is set up already; how it was found is
         * what the last bondgend recorded */
        bg_core_found_apply(c, name, &pa->io);
        if (r < 0) {
                bg_core_port_restore(c, name, &pa->io);
                goto fail;
        }
        if (c->ingress) {
                int d = bg_ingress_drop(c->ingress, name, true);
                if (d < 0)
                        bg_core_log(c, LOG_WARNING, "%s: no ingress drop (%s); only sysctls keep the host stack "
                                    "off it", name, strerror(-d));
                else if (d > 0)
                        bg_core_log(c, LOG_WARNING, "%s: the ingress drop takes link-local frames too, also while "
                                    "the port is inactive", name);
        }
        memcpy(p->perm_mac, pa->io.orig_mac, 6);
        memcpy(p->mac, pa->io.orig_mac, 6);
        p->prio = model_prio(c, name, p->perm_mac);
        /* The first port lends the bond its MAC unless one is configured.
         * The model's first port does so even when it joins late (it was
         * missing when bondgend started), as bondgen apply sets it on a
         * kernel bond: the bond's MAC then does not depend on the order
         * ports appear in, across restarts and reboots. Only where the
         * ports carry the bond's MAC: TLB/ALB tables and fail_over_mac
         * keep what they have. Only its first join: a device deleted and
         * created again under the same name (a veth, a virtual NIC with a
         * new random MAC) while other ports carry the traffic leaves the
         * bond's MAC alone, as the kernel keeps a bond's "stolen" MAC
         * while it has ports (bond_enslave() copies a slave's MAC only
         * into a bond whose MAC is still random); changing it under
         * traffic strands every neighbour's ARP entry. */
        bool first = c->first_port[0] && !strcmp(name, c->first_port);
        if (b->mac_from_port && b->n_ports == 1)
                (void) bg_fwd_set_bond_mac(b, p->perm_mac);
        else if (b->mac_from_port && first && !c->first_port_joined && wants_bond_mac(b) &&
                 memcmp(b->mac, p->perm_mac, 6)) {
                (void) bg_fwd_set_bond_mac(b, p->perm_mac);
                for (size_t i = 0; i + 1 < b->n_ports; i++)
                        (void) bg_fwd_port_set_mac(b, b->ports[i], b->mac);
                bg_core_log(c, LOG_INFO, "%s, the first port of the model, joined: the bond takes its MAC", name);
        }
        if (first)
                c->first_port_joined = true;
        if (wants_bond_mac(b))
                (void) bg_fwd_port_set_mac(b, p, b->mac);
        bg_fwd_link_get_speed(name, &p->speed_mbps, &p->duplex);
        /* Setting the port up (and a MAC on a device that takes one only
         * while down) queued link events for it: consume them now, while the
         * port has no ifindex here, so they are not mistaken for carrier
         * changes; its state is read afresh below. */
        (void) bg_core_on_netlink(NULL, -1, 0, c);
        /* the last bondgend's socket: what arrived meanwhile waits in it */
        fd = bg_core_handed_port(c, name, link.ifindex);
        if (fd >= 0)
                pa->io.drain = true;   /* its ring comes after (dp.c) */
        else
                fd = bg_port_socket(link.ifindex, &pa->io);
        if (fd < 0) {
                r = fd;
                bg_core_port_restore(c, name, &pa->io);
                goto fail;
        }
        p->fd = fd;
        p->ifindex = link.ifindex;
        p->present = true;
        /* a handed socket may carry the last bondgend's filter */
        bg_core_rx_filter_follow(c, p);
        r = sd_event_add_io(c->ev, &pa->io.src, fd, EPOLLIN, bg_dp_on_port, p);
        if (r < 0) {
                bg_port_close(&pa->io, fd);
                bg_core_port_restore(c, name, &pa->io);
                goto fail;
        }
        pending_del(b, name);
        b->now = now_usec();
        /* fresh link state: carrier may have changed since the query */
        if (bg_nl_get_link(c->rtnl, 0, name, &link) == 0) {
                bg_fwd_mon_port_init(b, p, bg_nl_link_running(&link));
                bg_nl_link_clear(&link);
        }
        if (b->ops->port_added && (r = b->ops->port_added(b, p)) < 0) {
                sd_event_source_unref(pa->io.src);
                bg_port_close(&pa->io, fd);
                bg_core_port_restore(c, name, &pa->io);
                goto fail;
        }
        if (b->ops->uses_active) {
                if (b->p.primary[0] && !strcmp(b->p.primary, name))
                        b->force_primary = true;
                bg_fwd_reselect(b);
        } else if (!b->active && bg_fwd_port_up(p))
                b->active = p;
        bg_fwd_update_carrier(b);
        bg_linkpoll_set(c->poll, b);
        bg_core_log(c, LOG_INFO, "enslaved %s (link %s)", name, bg_fwd_link_name(p->link));
        save_state(c);
        bg_core_update_status(c);
        return 0;
fail:
        bg_fwd_port_free(b, p);
        free(pa);
        if (pending_ok)
                bg_core_pending_add(b, name);
        return r;
}

void bg_core_release_port(struct bg_core *c, struct bg_fwd_port *p, bool gone) {
        struct bg_fwd *b = &c->bond;
        struct bg_dp_port *pa = (struct bg_dp_port *) p->core;
        char name[16];

        snprintf(name, sizeof(name), "%s", p->name);
        bg_dp_port_forget(c, p);   /* drop the frames still queued for it */
        p->present = false;
        p->link = BG_LINK_DOWN;
        bg_fwd_mon_port_gone(b, p);
        sd_event_source_disable_unref(pa->io.src);
        bg_core_read_sock_drops(c, p);
        bg_port_close(&pa->io, p->fd);
        p->fd = -1;
        if (!gone)
                bg_core_port_restore(c, name, &pa->io);
        else
                (void) bg_ingress_drop(c->ingress, name, false);
        if (b->active == p)
                b->active = NULL;
        bg_fwd_port_free(b, p);
        free(pa);
        if (b->ops->uses_active)
                bg_fwd_reselect(b);
        else if (!b->active)
                for (size_t i = 0; i < b->n_ports; i++)
                        if (bg_fwd_port_up(b->ports[i])) {
                                b->active = b->ports[i];
                                break;
                        }
        bg_fwd_update_carrier(b);
        bg_linkpoll_set(c->poll, b);
        bg_core_log(c, LOG_INFO, "released %s%s", name, gone ? " (device gone)" : "");
        save_state(c);
        bg_core_update_status(c);
}

int bg_core_release(struct bg_core *c, const char *name) {
        struct bg_fwd_port *p = bg_fwd_find_port(&c->bond, name);

        if (!p)
                return pending_del(&c->bond, name) ? 0 : -ENODEV;
        bg_core_release_port(c, p, false);
        return 0;
}

/* bond_options.c:bond_option_prio_set() (select.c: bg_fwd_set_prio()). */
int bg_core_set_prio(struct bg_core *c, const char *name, int32_t prio) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_port *p = bg_fwd_find_port(b, name);
        int r;

        if (!p)
                return -ENODEV;
        b->now = now_usec();
        r = bg_fwd_set_prio(b, p, prio);
        if (r < 0)
                return r;
        bg_core_log(c, LOG_INFO, "%s: prio %d", name, (int) prio);
        bg_core_update_status(c);
        return 0;
}

void bg_core_want_active(struct bg_core *c, const char *name) {
        struct bg_fwd *b = &c->bond;

        snprintf(b->want_active, sizeof(b->want_active), "%s", name);
        b->now = now_usec();
        bg_fwd_reselect(b);
        if (b->want_active[0])
                bg_core_log(c, LOG_INFO, "active_slave %s: made active when its link is up", name);
        bg_core_update_status(c);
}

int bg_core_set_active(struct bg_core *c, const char *name) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_port *p;

        if (!b->ops->uses_active)
                return -EOPNOTSUPP;
        p = bg_fwd_find_port(b, name);
        if (!p)
                return -ENODEV;
        if (p == b->active)
                return 0;
        /* bond_option_active_slave_set: only an up port, and only when an
         * active port exists */
        if (!b->active || !bg_fwd_port_up(p))
                return -EINVAL;
        /* a choice by hand replaces the configuration's active_slave */
        b->want_active[0] = 0;
        b->now = now_usec();
        bg_fwd_change_active(b, p);
        bg_fwd_update_carrier(b);
        bg_core_update_status(c);
        return 0;
}

