/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The forwarder core: link events, timers, the control socket and the
 * bond's lifecycle (enslave, release), on one sd-event loop. The frames
 * themselves move in dp.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fwd/io/core.h"
#include "fwd/io/dp.h"
#include "netlink/netlink.h"
#include "util/util.h"

static struct bg_core *core_of(struct bg_fwd *b) {
        return (struct bg_core *) b;   /* bond is the first member */
}

#define now_usec bg_dp_now_usec

void bg_core_log(struct bg_core *c, int level, const char *fmt, ...) {
        char msg[600];
        va_list ap;

        if (level > c->log_level)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (c->journal)
                sd_journal_print(level, "%s: %s", c->bond.name, msg);
        else
                fprintf(stderr, "bondgend: %s: %s\n", c->bond.name, msg);
}

/* At most 5 refusal messages per 10 s: a client looping on a refused
 * request must not flood the journal. The number left out is told with
 * the next message that is let through. */
bool bg_core_ratelimit(struct bg_core *c) {
        uint64_t now = now_usec();

        if (now - c->rl_start > 10000000u) {
                if (c->rl_suppressed)
                        bg_core_log(c, LOG_NOTICE, "%u similar messages suppressed", c->rl_suppressed);
                c->rl_start = now;
                c->rl_count = 0;
                c->rl_suppressed = 0;
        }
        if (c->rl_count < 5) {
                c->rl_count++;
                return true;
        }
        c->rl_suppressed++;
        return false;
}

static void update_status(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        size_t up = 0;

        for (size_t i = 0; i < b->n_ports; i++)
                up += bg_fwd_port_up(b->ports[i]);
        sd_notifyf(false, "STATUS=%s: %s, %zu/%zu ports up%s%s", b->name, b->carrier ? "up" : "no carrier",
                   up, b->n_ports, b->active && b->ops->uses_active ? ", active " : "",
                   b->active && b->ops->uses_active ? b->active->name : "");
}

/* ---- I/O for the logic layer ---- */

static int io_set_port_mac(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t mac[6]) {
        return bg_fwd_link_set_mac(p->name, mac);
}

static int io_set_bond_mac(struct bg_fwd *b, const uint8_t mac[6]) {
        return bg_fwd_link_set_mac(b->name, mac);
}

static int io_bond_addrs(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16],
                         size_t max6, size_t *n6) {
        struct bg_core *c = core_of(b);

        *n4 = c->n_addr4 < max4 ? c->n_addr4 : max4;
        *n6 = c->n_addr6 < max6 ? c->n_addr6 : max6;
        memcpy(v4, c->addr4, *n4 * sizeof(uint32_t));
        if (*n6)
                memcpy(v6, c->addr6, *n6 * 16);
        return 0;
}

static void addr_event(struct bg_core *c, int family, const uint8_t *a, bool deleted) {
        if (family == AF_INET) {
                uint32_t v;
                memcpy(&v, a, 4);
                for (size_t i = 0; i < c->n_addr4; i++)
                        if (c->addr4[i] == v) {
                                if (deleted)
                                        c->addr4[i] = c->addr4[--c->n_addr4];
                                return;
                        }
                if (!deleted && c->n_addr4 < 16)
                        c->addr4[c->n_addr4++] = v;
        } else {
                for (size_t i = 0; i < c->n_addr6; i++)
                        if (!memcmp(c->addr6[i], a, 16)) {
                                if (deleted)
                                        memcpy(c->addr6[i], c->addr6[--c->n_addr6], 16);
                                return;
                        }
                if (!deleted && c->n_addr6 < 16)
                        memcpy(c->addr6[c->n_addr6++], a, 16);
        }
}

static void io_carrier_changed(struct bg_fwd *b) {
        struct bg_core *c = core_of(b);

        if (b->tap_fd >= 0)
                (void) bg_tap_set_carrier(b->tap_fd, b->carrier);
        update_status(c);
}

static void io_log(struct bg_fwd *b, int level, const char *msg) {
        bg_core_log(core_of(b), level, "%s", msg);
}

static void io_port_speed(struct bg_fwd *b, struct bg_fwd_port *p) {
        uint32_t speed;
        uint8_t duplex;

        bg_fwd_link_get_speed(p->name, &speed, &duplex);
        if (speed != p->speed_mbps || duplex != p->duplex)
                bg_core_log(core_of(b), LOG_INFO, "%s: speed %u Mb/s, %s duplex", p->name, speed,
                            duplex == 1 ? "full" : duplex == 0 ? "half" : "unknown");
        p->speed_mbps = speed;
        p->duplex = duplex;
}

static const struct bg_fwd_io core_io = {
        .send = bg_dp_send,
        .set_port_mac = io_set_port_mac,
        .set_bond_mac = io_set_bond_mac,
        .bond_addrs = io_bond_addrs,
        .carrier_changed = io_carrier_changed,
        .log = io_log,
        .port_speed = io_port_speed,
};

/* ---- ports ---- */

static int on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static bool wants_bond_mac(const struct bg_fwd *b) {
        if (!b->ops->ports_use_bond_mac)
                return false;
        return !(b->p.mode == BG_MODE_ACTIVE_BACKUP && b->p.fail_over_mac != BG_FOM_NONE);
}

static void save_state(struct bg_core *c) {
        if (c->state_path[0] && bg_port_state_save(c->state_path, &c->bond) < 0)
                bg_core_log(c, LOG_WARNING, "cannot write %s", c->state_path);
}

static void pending_add(struct bg_fwd *b, const char *name) {
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
static void port_restore(struct bg_core *c, const char *name, const struct bg_port_io *io) {
        (void) bg_ingress_drop(c->ingress, name, false);
        bg_port_restore(name, io);
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
                pending_add(b, name);
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
        if (r < 0) {
                port_restore(c, name, &pa->io);
                goto fail;
        }
        if (c->ingress && (r = bg_ingress_drop(c->ingress, name, true)) < 0)
                bg_core_log(c, LOG_WARNING, "%s: no ingress drop (%s); only sysctls keep the host stack off it",
                            name, strerror(-r));
        memcpy(p->perm_mac, pa->io.orig_mac, 6);
        memcpy(p->mac, pa->io.orig_mac, 6);
        /* The first port lends the bond its MAC unless one is configured. */
        if (b->mac_from_port && b->n_ports == 1)
                (void) bg_fwd_set_bond_mac(b, p->perm_mac);
        if (wants_bond_mac(b))
                (void) bg_fwd_port_set_mac(b, p, b->mac);
        bg_fwd_link_get_speed(name, &p->speed_mbps, &p->duplex);
        /* Setting the port up (and a MAC on a device that takes one only
         * while down) queued link events for it: consume them now, while the
         * port has no ifindex here, so they are not mistaken for carrier
         * changes; its state is read afresh below. */
        (void) on_netlink(NULL, -1, 0, c);
        fd = bg_port_socket(link.ifindex);
        if (fd < 0) {
                r = fd;
                port_restore(c, name, &pa->io);
                goto fail;
        }
        p->fd = fd;
        p->ifindex = link.ifindex;
        p->present = true;
        r = sd_event_add_io(c->ev, &pa->io.src, fd, EPOLLIN, bg_dp_on_port, p);
        if (r < 0) {
                close(fd);
                port_restore(c, name, &pa->io);
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
                close(fd);
                port_restore(c, name, &pa->io);
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
        update_status(c);
        return 0;
fail:
        bg_fwd_port_free(b, p);
        free(pa);
        if (pending_ok)
                pending_add(b, name);
        return r;
}

static void release_port(struct bg_core *c, struct bg_fwd_port *p, bool gone) {
        struct bg_fwd *b = &c->bond;
        struct bg_dp_port *pa = (struct bg_dp_port *) p->core;
        char name[16];

        snprintf(name, sizeof(name), "%s", p->name);
        bg_dp_port_forget(c, p);   /* drop the frames still queued for it */
        p->present = false;
        p->link = BG_LINK_DOWN;
        bg_fwd_mon_port_gone(b, p);
        sd_event_source_disable_unref(pa->io.src);
        if (p->fd >= 0)
                close(p->fd);
        p->fd = -1;
        if (!gone)
                port_restore(c, name, &pa->io);
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
        update_status(c);
}

int bg_core_release(struct bg_core *c, const char *name) {
        struct bg_fwd_port *p = bg_fwd_find_port(&c->bond, name);

        if (!p)
                return pending_del(&c->bond, name) ? 0 : -ENODEV;
        release_port(c, p, false);
        return 0;
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
        b->now = now_usec();
        bg_fwd_change_active(b, p);
        bg_fwd_update_carrier(b);
        update_status(c);
        return 0;
}

/* ---- link events ---- */

static void resync_links(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        struct bg_nl_link l;

        for (size_t i = 0; i < b->n_ports; i++)
                if (bg_nl_get_link(c->rtnl, 0, b->ports[i]->name, &l) == 0) {
                        bool carrier = bg_nl_link_running(&l);
                        if (carrier != b->ports[i]->carrier)
                                bg_fwd_mon_carrier(b, b->ports[i], carrier);
                        bg_nl_link_clear(&l);
                }
        for (size_t i = 0; i < b->n_pending; )
                if (bg_fwd_link_ifindex(b->pending[i]) > 0) {
                        char name[16];
                        snprintf(name, sizeof(name), "%s", b->pending[i]);
                        if (bg_core_enslave(c, name, true) < 0)
                                i++;
                } else
                        i++;
}

/* Another tool (networkd MTUBytes=, NetworkManager, ip link, a udev MAC
 * policy) changed the bond's MTU: push it down to every port as the
 * kernel's bond_change_mtu() does, and if a port cannot take it, put the
 * ports and the bond back and say so, as the kernel refuses such a change. */
static void bond_mtu_changed(struct bg_core *c, uint32_t mtu) {
        struct bg_fwd *b = &c->bond;
        size_t i;
        int r = 0;

        for (i = 0; i < b->n_ports; i++)
                if ((r = bg_fwd_link_set_mtu(b->ports[i]->name, mtu)) < 0)
                        break;
        if (r < 0) {
                bg_core_log(c, LOG_ERR, "MTU %u set on the bond refused: port %s: %s; back to %u", mtu,
                            b->ports[i]->name, strerror(-r), b->mtu);
                while (i--)
                        (void) bg_fwd_link_set_mtu(b->ports[i]->name, b->mtu);
                (void) bg_fwd_link_set_mtu(b->name, b->mtu);
                return;
        }
        bg_core_log(c, LOG_INFO, "bond MTU changed from %u to %u; ports follow", b->mtu, mtu);
        b->mtu = mtu;
}

/* ... and its MAC (bond_set_mac_address()): the ports that carry the bond
 * MAC take the new one and the receive filter follows. Active-backup with
 * fail_over_mac keeps its MAC (the kernel accepts the request and ignores
 * it); TLB/ALB, whose tables hold the bond MAC, keep it too, with a
 * message (bondgend(8)). */
static void bond_mac_changed(struct bg_core *c, const uint8_t mac[6]) {
        struct bg_fwd *b = &c->bond;
        char s[18];

        snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        if (!b->ops->ports_use_bond_mac || (b->p.mode == BG_MODE_ACTIVE_BACKUP && b->p.fail_over_mac)) {
                bg_core_log(c, LOG_WARNING, "MAC %s set on the bond ignored in mode %s%s", s, b->ops->name,
                            b->ops->ports_use_bond_mac ? " with fail_over_mac" : "");
                (void) bg_fwd_link_set_mac(b->name, b->mac);
                return;
        }
        memcpy(b->mac, mac, 6);
        b->mac_from_port = false;   /* the user's MAC stays when ports come and go */
        for (size_t i = 0; i < b->n_ports; i++) {
                int r = bg_fwd_port_set_mac(b, b->ports[i], mac);
                if (r < 0)
                        bg_core_log(c, LOG_ERR, "cannot give port %s the bond MAC %s: %s", b->ports[i]->name, s,
                                    strerror(-r));
        }
        bg_core_log(c, LOG_INFO, "bond MAC changed to %s; ports follow", s);
}

/* The event may describe an older state than ours (our own changes are
 * reported too): act on the device's present MTU and MAC only. */
static void bond_dev_changed(struct bg_core *c, const struct bg_nl_link *l) {
        struct bg_fwd *b = &c->bond;
        uint32_t mtu;
        uint8_t mac[6];

        if (l->mtu && l->mtu != b->mtu && bg_fwd_link_get_mtu(b->name, &mtu) == 0 && mtu != b->mtu)
                bond_mtu_changed(c, mtu);
        if (l->has_mac && memcmp(l->mac, b->mac, 6) && bg_fwd_link_get_mac(b->name, mac) == 0 &&
            memcmp(mac, b->mac, 6))
                bond_mac_changed(c, mac);
}

/* One event; the link's own state, not the event's order, decides. */
static void link_event(struct bg_core *c, const struct bg_nl_link *l) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_port *p;
        bool carrier = bg_nl_link_running(l);

        if (l->ifindex == b->tap_ifindex) {
                if (l->deleted) {
                        bg_core_log(c, LOG_ERR, "the bond device was deleted; exiting");
                        sd_event_exit(c->ev, 3);
                } else {
                        b->tap_promisc = l->flags & IFF_PROMISC;
                        bond_dev_changed(c, l);
                }
                return;
        }
        p = bg_fwd_find_port_ifindex(b, l->ifindex);
        if (p) {
                if (l->deleted) {
                        char name[16];
                        snprintf(name, sizeof(name), "%s", p->name);
                        release_port(c, p, true);
                        pending_add(b, name);
                } else if (carrier != p->carrier) {
                        bg_core_log(c, LOG_DEBUG, "%s: carrier %s", p->name, carrier ? "on" : "off");
                        bg_fwd_mon_carrier(b, p, carrier);
                        update_status(c);
                }
                return;
        }
        if (!l->deleted && l->name[0] && !bg_fwd_find_port(b, l->name)) {
                for (size_t i = 0; i < b->n_pending; i++)
                        if (!strcmp(b->pending[i], l->name)) {
                                int r = bg_core_enslave(c, l->name, true);
                                if (r < 0)
                                        bg_core_log(c, LOG_ERR, "cannot enslave %s: %s", l->name, strerror(-r));
                                break;
                        }
        }
}

static void nl_event(const struct nlmsghdr *nlh, void *userdata) {
        struct bg_core *c = userdata;

        if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
                struct bg_nl_addr a;
                if (bg_nl_parse_addr(nlh, &a) == 0 && a.ifindex == c->bond.tap_ifindex)
                        addr_event(c, a.family, a.addr, a.deleted);
        } else if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
                struct bg_nl_link l;
                if (bg_nl_parse_link(nlh, &l) == 0) {
                        link_event(c, &l);
                        bg_nl_link_clear(&l);
                }
        }
}

static int on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        for (;;) {
                int r = bg_nl_read_events(c->nl, nl_event, c);
                if (r == -ENOBUFS) {
                        /* events were lost: read the state again */
                        bg_core_log(c, LOG_WARNING, "netlink overrun, resynchronising links");
                        resync_links(c);
                        continue;
                }
                if (r <= 0)
                        break;
        }
        return 0;
}

static int on_poll(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_core *c = userdata;
        int rec[2];

        c->bond.now = now_usec();
        while (read(fd, rec, sizeof(rec)) == sizeof(rec)) {
                struct bg_fwd_port *p = bg_fwd_find_port_ifindex(&c->bond, rec[0]);
                if (p && (bool) rec[1] != p->carrier) {
                        bg_core_log(c, LOG_DEBUG, "%s: carrier %s (poll)", p->name, rec[1] ? "on" : "off");
                        bg_fwd_mon_carrier(&c->bond, p, rec[1]);
                        update_status(c);
                }
        }
        return 0;
}

/* ---- timers ---- */

/* Monitor timers fire within BG_TIMER_ACCURACY of their time (sd-event's
 * default accuracy, 250 ms, would make a 100 ms miimon tick late and then
 * catch up in bursts). A tick that ran late schedules the next one a whole
 * period after now, as the kernel's delayed work re-queues itself, instead
 * of firing the missed ones back to back. */
#define BG_TIMER_ACCURACY 1000   /* usec */

static void rearm(sd_event_source *s, uint64_t usec, uint64_t period) {
        uint64_t now = 0, next = usec + period;

        if (sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now) >= 0 && next <= now)
                next = now + period;
        (void) sd_event_source_set_time(s, next);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int on_mii(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        bg_fwd_mon_mii_tick(&c->bond);
        rearm(s, usec, (uint64_t) c->bond.p.miimon * 1000);
        return 0;
}

static int on_arp(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        bg_fwd_mon_arp_tick(&c->bond);
        rearm(s, usec, (uint64_t) c->bond.p.arp_interval * 1000);
        return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        if (c->bond.ops->tick)
                c->bond.ops->tick(&c->bond);
        rearm(s, usec, c->bond.ops->tick_usec);
        return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct bg_core *c = userdata;

        bg_core_log(c, LOG_INFO, "signal %u: restoring ports and exiting", si->ssi_signo);
        sd_event_exit(c->ev, 0);
        return 0;
}

/* ---- lifecycle ---- */

/* Blocked from the start, before any port is touched, and handled by the
 * loop: a signal that arrives while ports are being set up ends the run
 * through the same clean stop. */
static void block_signals(void) {
        sigset_t ss;

        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigaddset(&ss, SIGHUP);
        sigprocmask(SIG_BLOCK, &ss, NULL);
}

/* One bondgend per bond: an exclusive lock on RUNDIR/BOND.lock, taken
 * before the state file of an earlier run is read, so a second instance
 * never "restores" the ports a live first one is driving. The kernel drops
 * the lock with the process, however it ends. */
static int take_instance_lock(struct bg_core *c, const char *name) {
        char path[160];
        int fd;

        if ((size_t) snprintf(path, sizeof(path), "%s/%s.lock", bg_rundir(), name) >= sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;
                close(fd);
                return r;
        }
        c->lock_fd = fd;
        return 0;
}

const char *bg_rundir(void) {
        const char *e = getenv("BONDGEN_RUNDIR");

        return e && *e == '/' ? e : BG_RUNDIR;
}

static void recover_log(const char *msg) {
        fprintf(stderr, "bondgend: %s\n", msg);
}

/* The TAP fd kept for us by the service manager (FDSTORE=1, passed back
 * as LISTEN_FDS with the name "tap"), or -1. */
static int stored_tap_fd(void) {
        char **names = NULL;
        int n = sd_listen_fds_with_names(true, &names), fd = -1;

        for (int i = 0; i < n; i++) {
                if (fd < 0 && names && names[i] && !strcmp(names[i], "tap"))
                        fd = SD_LISTEN_FDS_START + i;
                else
                        close(SD_LISTEN_FDS_START + i);
        }
        if (names)
                for (int i = 0; names[i]; i++)
                        free(names[i]);
        free(names);
        return fd;
}

/* Who keeps the bond device between runs. Under systemd with a file
 * descriptor store (the unit sets FileDescriptorStoreMax=), the service
 * manager holds a TAP fd for as long as the unit is not stopped: restarts,
 * crashes and watchdog kills keep the device and whatever is stacked on
 * it, and `systemctl stop` deletes it. Run by hand, the TAP is persistent
 * (TUNSETPERSIST), so a crash leaves it for the next run, and a stop by
 * signal deletes it. */
static bool have_fdstore(void) {
        const char *e = getenv("FDSTORE");

        return getenv("NOTIFY_SOCKET") && !(e && atoi(e) == 0);
}

static int open_tap(struct bg_core *c, const char *name) {
        struct bg_fwd *b = &c->bond;
        bool existed = bg_fwd_link_ifindex(name) > 0;
        int fd = stored_tap_fd(), r;

        c->fdstore = have_fdstore();
        if (fd >= 0) {
                r = bg_tap_adopt(fd, name, &b->tap_ifindex);
                if (r < 0) {
                        close(fd);
                        return r;
                }
                c->reattached = true;
        } else {
                fd = bg_tap_open(name, &b->tap_ifindex);
                if (fd < 0)
                        return fd;
                c->reattached = existed;
                if (c->fdstore) {
                        r = sd_pid_notify_with_fds(0, false, "FDSTORE=1\nFDNAME=tap", &fd, 1);
                        if (r <= 0)
                                c->fdstore = false;
                }
        }
        b->tap_fd = fd;
        r = bg_tap_set_persist(fd, !c->fdstore);
        if (r < 0)
                return r;
        if (c->reattached)
                bg_core_log(c, LOG_INFO, "reattached to the existing bond device %s%s; port counters start from zero",
                            name, c->fdstore ? " (kept by the service manager)" : "");
        return 0;
}

/* Each step says what failed (c->step), for the one message main prints. */
#define STEP(what, expr)                 \
        do {                             \
                c->step = (what);        \
                if ((r = (expr)) < 0)    \
                        return r;        \
        } while (0)

int bg_core_init(struct bg_core *c, const char *name, const struct bg_fwd_params *p,
                 const uint8_t *mac, uint32_t mtu) {
        struct bg_fwd *b = &c->bond;
        int r;

        memset(c, 0, sizeof(*c));
        c->ctl_fd = -1;
        c->lock_fd = -1;
        block_signals();
        c->log_level = LOG_INFO;
        b->tap_fd = -1;
        c->step = "check the bond name";
        if (strlen(name) >= sizeof(b->name))
                return -EINVAL;
        strcpy(b->name, name);
        b->p = *p;
        c->step = "find the bonding mode";
        b->ops = bg_fwd_mode_find(p->mode);
        if (!b->ops)
                return -EOPNOTSUPP;
        b->io = &core_io;
        b->mtu = mtu ? mtu : 1500;
        b->now = now_usec();
        c->journal = getenv("JOURNAL_STREAM") != NULL;

        STEP("allocate the frame buffers", bg_dp_init(c));
        STEP("set up the bonding mode", bg_fwd_mode_setup(b));
        STEP("create the event loop", sd_event_default(&c->ev));
        STEP("create the run directory", bg_mkdir_p(bg_rundir(), 0755));
        STEP("take the instance lock in the run directory", take_instance_lock(c, name));
        STEP("check for a running bondgend", bg_ctl_probe_live(name));
        snprintf(c->state_path, sizeof(c->state_path), "%s/%s.state", bg_rundir(), name);
        bg_port_state_recover(c->state_path, recover_log);

        STEP("open an rtnetlink socket", bg_nl_open(&c->rtnl));
        STEP("subscribe to rtnetlink link and address events", bg_nl_open_events(&c->nl));
        STEP("watch rtnetlink events", sd_event_add_io(c->ev, &c->nl_src, bg_nl_fd(c->nl), EPOLLIN, on_netlink, c));
        r = bg_ingress_open(name, &c->ingress);
        if (r < 0)
                bg_core_log(c, LOG_WARNING, "no nftables netdev ingress hook (%s): only sysctls keep the host stack "
                            "off the ports", strerror(-r));
        STEP("create or attach the TAP device (is another device using the name?)", open_tap(c, name));
        (void) bg_tap_set_carrier(b->tap_fd, false);
        if (mac) {
                memcpy(b->mac, mac, 6);
                STEP("set the bond's MAC address", bg_fwd_link_set_mac(name, mac));
        } else {
                (void) bg_fwd_link_get_mac(name, b->mac);
                b->mac_from_port = true;
        }
        STEP("set the bond's MTU", bg_fwd_link_set_mtu(name, b->mtu));
        STEP("watch the TAP device", sd_event_add_io(c->ev, &c->tap_src, b->tap_fd, EPOLLIN, bg_dp_on_tap, c));
        c->step = NULL;
        return 0;
}

static int add_timer(struct bg_core *c, sd_event_source **src, uint64_t period, sd_event_time_handler_t cb) {
        uint64_t now;
        int r;

        r = sd_event_now(c->ev, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        return sd_event_add_time(c->ev, src, CLOCK_MONOTONIC, now + period, BG_TIMER_ACCURACY, cb, c);
}

/* Addresses and routes of the model on the bond: the TAP lives and dies
 * with bondgend, so bondgend (re)applies them each time it creates it. */
static void configure_addresses(struct bg_core *c) {
        const struct bg_bond *m = c->model;
        const struct bg_ipcfg *cfgs[2];
        int r;

        if (!m || !c->configure_addresses)
                return;
        cfgs[0] = &m->ipv4;
        cfgs[1] = &m->ipv6;
        for (int k = 0; k < 2; k++) {
                const struct bg_ipcfg *ip = cfgs[k];
                if (ip->method != BG_IP_STATIC)
                        continue;
                for (size_t i = 0; i < ip->n_addresses; i++) {
                        r = bg_fwd_add_address(c->rtnl, c->bond.tap_ifindex, &ip->addresses[i]);
                        if (r < 0)
                                bg_core_log(c, LOG_WARNING, "cannot add address %s: %s",
                                            BG_ADDR_STR(&ip->addresses[i]), strerror(-r));
                }
        }
        for (int k = 0; k < 2; k++) {
                const struct bg_ipcfg *ip = cfgs[k];
                if (ip->method != BG_IP_STATIC)
                        continue;
                int fam = k ? AF_INET6 : AF_INET;
                if (bg_addr_set(&ip->gateway) &&
                    (r = bg_fwd_add_route(c->rtnl, c->bond.tap_ifindex, fam, NULL, &ip->gateway, 0)) < 0)
                        bg_core_log(c, LOG_WARNING, "cannot add default route via %s: %s",
                                    BG_ADDR_STR(&ip->gateway), strerror(-r));
                for (size_t i = 0; i < ip->n_routes; i++) {
                        const struct bg_route *rt = &ip->routes[i];
                        r = bg_fwd_add_route(c->rtnl, c->bond.tap_ifindex, fam, rt->is_default ? NULL : &rt->to,
                                             &rt->via, rt->metric);
                        if (r < 0)
                                bg_core_log(c, LOG_WARNING, "cannot add route to %s: %s",
                                            rt->is_default ? "default" : BG_ADDR_STR(&rt->to), strerror(-r));
                }
        }
}

int bg_core_run(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        int r;

        /* SIGHUP (a closed terminal, or a reload request) stops as cleanly
         * as SIGTERM: its default action would end the daemon without
         * giving the ports back. A peer closing the control socket must
         * not kill it either. */
        r = sd_event_add_signal(c->ev, NULL, SIGTERM, on_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->ev, NULL, SIGINT, on_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->ev, NULL, SIGHUP, on_signal, c);
        if (r < 0)
                return r;
        if (b->p.miimon && (r = add_timer(c, &c->mii_src, (uint64_t) b->p.miimon * 1000, on_mii)) < 0)
                return r;
        if (b->p.miimon) {
                r = bg_linkpoll_start(b->p.miimon, &c->poll_fd, &c->poll);
                if (r < 0)
                        return r;
                bg_linkpoll_set(c->poll, b);
                r = sd_event_add_io(c->ev, &c->poll_src, c->poll_fd, EPOLLIN, on_poll, c);
                if (r < 0)
                        return r;
        }
        if (b->p.arp_interval &&
            (r = add_timer(c, &c->arp_src, (uint64_t) b->p.arp_interval * 1000, on_arp)) < 0)
                return r;
        if (b->ops->tick && b->ops->tick_usec && (r = add_timer(c, &c->tick_src, b->ops->tick_usec, on_tick)) < 0)
                return r;
        (void) sd_event_set_watchdog(c->ev, true);

        r = bg_fwd_link_set_flags(b->name, IFF_UP, 0);
        if (r < 0)
                return r;
        configure_addresses(c);
        /* addresses present before the event socket saw them */
        (void) on_netlink(NULL, -1, 0, c);
        {
                struct bg_nl_addr *addrs;
                size_t n;
                if (bg_nl_get_addrs(c->rtnl, b->tap_ifindex, &addrs, &n) == 0) {
                        for (size_t i = 0; i < n; i++)
                                addr_event(c, addrs[i].family, addrs[i].addr, false);
                        free(addrs);
                }
        }
        r = bg_ctl_listen(c);
        if (r < 0)
                return r;
        update_status(c);
        sd_notify(false, "READY=1");
        bg_core_log(c, LOG_INFO, "running in mode %s with %zu port(s), %zu pending", b->ops->name,
                    b->n_ports, b->n_pending);
        r = sd_event_loop(c->ev);
        sd_notify(false, "STOPPING=1");
        return r;
}

void bg_core_free(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;

        if (c->poll) {
                bg_linkpoll_stop(c->poll);
                c->poll = NULL;
                sd_event_source_disable_unref(c->poll_src);
                close(c->poll_fd);
        }
        /* Give every port back as it was found, without failing over
         * between them on the way out. */
        while (b->n_ports) {
                struct bg_fwd_port *p = b->ports[b->n_ports - 1];
                struct bg_dp_port *pa = (struct bg_dp_port *) p->core;
                sd_event_source_disable_unref(pa->io.src);
                if (p->fd >= 0)
                        close(p->fd);
                if (bg_fwd_link_ifindex(p->name) > 0)
                        port_restore(c, p->name, &pa->io);
                b->active = NULL;
                bg_fwd_port_free(b, p);
                free(pa);
        }
        bg_ingress_close(c->ingress);
        bg_ctl_close(c);
        if (c->state_path[0])
                (void) unlink(c->state_path);
        sd_event_source_disable_unref(c->tap_src);
        sd_event_source_disable_unref(c->nl_src);
        sd_event_source_disable_unref(c->mii_src);
        sd_event_source_disable_unref(c->arp_src);
        sd_event_source_disable_unref(c->tick_src);
        /* Run by hand, a stop deletes the device; under a service manager
         * its fd store keeps it until the unit is stopped (open_tap()). */
        if (b->tap_fd >= 0 && !c->fdstore)
                (void) bg_tap_set_persist(b->tap_fd, false);
        if (b->tap_fd >= 0)
                close(b->tap_fd);
        bg_nl_close(c->nl);
        bg_nl_close(c->rtnl);
        bg_fwd_mode_teardown(b);
        sd_event_unref(c->ev);
        bg_dp_free(c);
        if (c->lock_fd >= 0)
                close(c->lock_fd);   /* last: the ports are given back */
}
