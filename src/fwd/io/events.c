/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kernel tells bondgend: link events of the ports and the bond
 * device (carrier, deletion, a pending port appearing, MTU and MAC set on
 * the bond by another tool), address events, and the carrier reports of
 * the link poller (linkpoll.c).
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "fwd/io/core-int.h"
#include "netlink/netlink.h"

#define now_usec bg_dp_now_usec

/* A port whose device is gone, as its RTM_DELLINK would have: released,
 * its socket closed, and pending again under its name. */
static void port_gone(struct bg_core *c, struct bg_fwd_port *p) {
        char name[16];

        snprintf(name, sizeof(name), "%s", p->name);
        bg_core_release_port(c, p, true);
        bg_core_pending_add(&c->bond, name);
}

static void resync_links(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        struct bg_nl_link l;

        for (size_t i = 0; i < b->n_ports; ) {
                struct bg_fwd_port *p = b->ports[i];
                int r = bg_nl_get_link(c->rtnl, 0, p->name, &l);

                /* Deleted, or deleted and created again under the same
                 * name, while the events were lost: the port's socket is
                 * bound to an ifindex that no longer exists. */
                if (r == -ENODEV || (r == 0 && l.ifindex != p->ifindex)) {
                        if (r == 0)
                                bg_nl_link_clear(&l);
                        port_gone(c, p);
                        continue;
                }
                if (r == 0) {
                        bool carrier = bg_nl_link_running(&l);
                        if (carrier != p->carrier)
                                bg_fwd_mon_carrier(b, p, carrier);
                        bg_nl_link_clear(&l);
                }
                i++;
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
        bg_core_vlans_follow(c);
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
        bg_core_stacked_link(c, l);
        if (bg_core_vlan_link_event(c, l))
                return;
        p = bg_fwd_find_port_ifindex(b, l->ifindex);
        if (p) {
                if (l->deleted)
                        port_gone(c, p);
                else if (carrier != p->carrier) {
                        bg_core_log(c, LOG_DEBUG, "%s: carrier %s", p->name, carrier ? "on" : "off");
                        bg_fwd_mon_carrier(b, p, carrier);
                        bg_core_update_status(c);
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
                        bg_core_addr_event(c, &a, false);
                else if (bg_nl_parse_addr(nlh, &a) == 0)
                        bg_core_stacked_addr(c, &a);
        } else if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
                struct bg_nl_link l;
                if (bg_nl_parse_link(nlh, &l) == 0) {
                        link_event(c, &l);
                        bg_nl_link_clear(&l);
                }
        }
}

int bg_core_on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
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

int bg_core_on_poll(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct bg_core *c = userdata;
        int rec[2];

        c->bond.now = now_usec();
        while (read(fd, rec, sizeof(rec)) == sizeof(rec)) {
                struct bg_fwd_port *p = bg_fwd_find_port_ifindex(&c->bond, rec[0]);
                if (p && (bool) rec[1] != p->carrier) {
                        bg_core_log(c, LOG_DEBUG, "%s: carrier %s (poll)", p->name, rec[1] ? "on" : "off");
                        bg_fwd_mon_carrier(&c->bond, p, rec[1]);
                        bg_core_update_status(c);
                }
        }
        return 0;
}
