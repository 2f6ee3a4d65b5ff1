/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The devices stacked on the bond, for peer notification: VLAN devices
 * (the kernel's on the bond's TAP, and bondgend's own, vtap.c), bridges
 * and the bond itself, with their usable addresses, kept from rtnetlink
 * events as the bond's own addresses are (addr.c): a query at failover
 * time would wait for the RTNL lock the link change holds.
 */
#include <linux/if_addr.h>
#include <string.h>

#include "fwd/io/core-int.h"
#include "netlink/netlink.h"

static struct bg_fwd_dev *find(struct bg_core *c, int ifindex) {
        for (size_t i = 0; i < c->n_stacked; i++)
                if (c->stacked[i].ifindex == ifindex)
                        return &c->stacked[i];
        return NULL;
}

void bg_core_stacked_link(struct bg_core *c, const struct bg_nl_link *l) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_dev *d = find(c, l->ifindex);
        const struct bg_fwd_vlan *own = NULL;
        bool keep;

        for (size_t i = 0; i < b->n_vlans; i++)
                if (b->vlans[i]->ifindex == l->ifindex)
                        own = b->vlans[i];
        keep = !l->deleted && (l->ifindex == b->tap_ifindex || own || !strcmp(l->kind, "vlan") ||
                               !strcmp(l->kind, "bridge"));
        if (!keep) {
                if (d)
                        *d = c->stacked[--c->n_stacked];
                return;
        }
        if (!d) {
                if (c->n_stacked >= BG_CORE_MAX_STACKED)
                        return;
                d = &c->stacked[c->n_stacked++];
                memset(d, 0, sizeof(*d));
                d->ifindex = l->ifindex;
        }
        d->master = l->master;
        d->bridge = !strcmp(l->kind, "bridge");
        /* bondgend's own VLAN devices hang off the bond as a VLAN device
         * on it would */
        d->link = own ? b->tap_ifindex : l->link_other_ns ? 0 : l->link;
        d->vlan_id = own ? own->id : l->vlan_id;
        d->vlan_proto = own ? 0x8100 : l->vlan_proto;
        if (l->has_mac)
                memcpy(d->mac, l->mac, 6);
}

void bg_core_stacked_addr(struct bg_core *c, const struct bg_nl_addr *a) {
        struct bg_fwd_dev *d = find(c, a->ifindex);
        bool gone = a->deleted || !bg_core_addr_usable(a);

        if (!d)
                return;
        if (a->family == AF_INET) {
                uint32_t v;
                memcpy(&v, a->addr, 4);
                for (size_t i = 0; i < d->n4; i++)
                        if (d->v4[i] == v) {
                                if (gone) {
                                        d->v4[i] = d->v4[--d->n4];
                                        d->plen4[i] = d->plen4[d->n4];
                                } else
                                        d->plen4[i] = (uint8_t) a->prefixlen;
                                return;
                        }
                if (!gone && d->n4 < BG_FWD_DEV_ADDRS) {
                        d->plen4[d->n4] = (uint8_t) a->prefixlen;
                        d->v4[d->n4++] = v;
                }
        } else if (a->family == AF_INET6) {
                bool optimistic = !gone && (a->flags & IFA_F_OPTIMISTIC);
                for (size_t i = 0; i < d->n6; i++)
                        if (!memcmp(d->v6[i], a->addr, 16)) {
                                if (gone) {
                                        memcpy(d->v6[i], d->v6[--d->n6], 16);
                                        d->v6_optimistic[i] = d->v6_optimistic[d->n6];
                                } else
                                        d->v6_optimistic[i] = optimistic;
                                return;
                        }
                if (!gone && d->n6 < BG_FWD_DEV_ADDRS) {
                        d->v6_optimistic[d->n6] = optimistic;
                        memcpy(d->v6[d->n6++], a->addr, 16);
                }
        }
}

void bg_core_stacked_read(struct bg_core *c) {
        struct bg_nl_state st = { 0 };

        if (bg_nl_read_state(c->rtnl, &st) < 0)
                return;
        for (size_t i = 0; i < st.n_links; i++)
                bg_core_stacked_link(c, &st.links[i]);
        for (size_t i = 0; i < st.n_addrs; i++)
                bg_core_stacked_addr(c, &st.addrs[i]);
        bg_nl_state_free(&st);
}

size_t bg_core_io_stacked(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root) {
        struct bg_core *c = bg_core_of(b);

        *devs = c->stacked;
        *root = b->tap_ifindex;
        return c->n_stacked;
}
