/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the ARP monitor's probe for a target goes, as
 * bond_main.c:bond_arp_send_all() decides it: the host's route to the
 * target names a device; the bond itself sends untagged, a device stacked
 * on the bond (a VLAN, a bridge over the bond, a VLAN over that bridge...)
 * gives the tags of the VLAN devices on the way down to the bond
 * (bond_verify_device_path()), any other device sends nothing. The source
 * address is the routed device's address on the target's subnet
 * (bond_confirm_addr()). With no route at all the probe still goes, from
 * 0.0.0.0 and untagged, to make some traffic. A VLAN hint of the target
 * (arp_ip_target "10.0.0.1[10/20]") replaces the path's tags.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/fwd.h"

static const struct bg_fwd_dev *dev_of(const struct bg_fwd_dev *devs, size_t n, int ifindex) {
        for (size_t i = 0; i < n; i++)
                if (devs[i].ifindex == ifindex)
                        return &devs[i];
        return NULL;
}

/* Depth first over cur's upper devices, in the order the table holds
 * them: the VLAN devices on cur, then the bridge cur is a port of, as
 * netdev_for_each_upper_dev_rcu() walks the kernel's adjacency list. */
static int walk(const struct bg_fwd_dev *devs, size_t n, int cur, int dev, int level, struct bg_fwd_tag *tags,
                size_t max) {
        const struct bg_fwd_dev *c;
        int r;

        if (cur == dev)
                return level;
        if (level >= BG_FWD_MAX_LEVELS)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const struct bg_fwd_dev *u = &devs[i];

                if (!u->vlan_id || u->link != cur || u->ifindex == cur)
                        continue;
                r = walk(devs, n, u->ifindex, dev, level + 1, tags, max);
                if (r < 0)
                        continue;
                if ((size_t) level < max)
                        tags[level] = (struct bg_fwd_tag){ u->vlan_proto ? u->vlan_proto : 0x8100, u->vlan_id };
                return r;
        }
        c = dev_of(devs, n, cur);
        if (c && c->master > 0) {
                const struct bg_fwd_dev *m = dev_of(devs, n, c->master);

                if (m && m->bridge && (r = walk(devs, n, m->ifindex, dev, level + 1, tags, max)) >= 0) {
                        if ((size_t) level < max)
                                tags[level] = (struct bg_fwd_tag){ 0, 0 };
                        return r;
                }
        }
        return -1;
}

int bg_fwd_dev_path(const struct bg_fwd_dev *devs, size_t n, int root, int dev, struct bg_fwd_tag *tags,
                    size_t max) {
        return walk(devs, n, root, dev, 0, tags, max);
}

static bool in_subnet(uint32_t a_be, uint32_t net_be, unsigned plen) {
        uint32_t mask = plen ? (plen >= 32 ? 0xffffffffu : ~(0xffffffffu >> plen)) : 0;

        return ((ntohl(a_be) ^ ntohl(net_be)) & mask) == 0;
}

/* devinet.c:confirm_addr_indev() with local 0 and scope RT_SCOPE_HOST
 * (every address qualifies): the first address of the device if it lies in
 * the subnet of the first address whose subnet holds dst, else that
 * address; 0 when no subnet of the device holds dst. */
uint32_t bg_fwd_confirm_addr(const struct bg_fwd_dev *d, uint32_t dst_be) {
        if (!d || !d->n4)
                return 0;
        for (size_t i = 0; i < d->n4; i++) {
                if (!in_subnet(dst_be, d->v4[i], d->plen4[i]))
                        continue;
                return in_subnet(d->v4[0], d->v4[i], d->plen4[i]) ? d->v4[0] : d->v4[i];
        }
        return 0;
}

bool bg_fwd_stack_has_ip(const struct bg_fwd_dev *devs, size_t n, int root, uint32_t ip_be) {
        struct bg_fwd_tag t[BG_FWD_MAX_LEVELS];

        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < devs[i].n4; k++)
                        if (devs[i].v4[k] == ip_be &&
                            bg_fwd_dev_path(devs, n, root, devs[i].ifindex, t, BG_FWD_MAX_LEVELS) >= 0)
                                return true;
        return false;
}

/* bond_arp_send(): tags[0] is the outer tag (the kernel puts it in the
 * skb's accelerated tag, which the port writes outermost); the others are
 * pushed into the data from tags[1] on, each in front of the one before. */
void bg_fwd_push_tags(struct bg_fwd_frame *fr, const struct bg_fwd_tag *tags, size_t n) {
        for (size_t i = 1; i < n; i++)
                if (tags[i].id)
                        (void) bg_vlan_insert(&fr->data, &fr->len, &fr->vh, tags[i].proto, tags[i].id);
        if (n && tags[0].id)
                (void) bg_vlan_insert(&fr->data, &fr->len, &fr->vh, tags[0].proto, tags[0].id);
}

static void user_tags(const struct bg_fwd *b, size_t i, struct bg_fwd_tag *tags, size_t *ntags) {
        *ntags = b->p.n_arp_tags[i];
        memcpy(tags, b->p.arp_tags[i], *ntags * sizeof(*tags));
}

bool bg_fwd_arp_probe_path(struct bg_fwd *b, size_t i, uint32_t *sip, struct bg_fwd_tag *tags, size_t *ntags) {
        const struct bg_fwd_dev *devs = NULL;
        uint32_t target = b->p.arp_targets[i];
        bool user = b->p.arp_user_tags[i];
        size_t n = 0;
        int root = b->tap_ifindex, out, level;

        *sip = 0;
        *ntags = 0;
        if (user)
                user_tags(b, i, tags, ntags);
        out = b->io && b->io->route4 ? b->io->route4(b, target) : -1;
        if (b->io && b->io->stacked)
                n = b->io->stacked(b, &devs, &root);
        if (out < 0) {
                /* the route is not known (yet): the bond's first address,
                 * untagged unless hinted */
                uint32_t v4[16];
                uint8_t v6[1][16];
                size_t n4 = 0, n6 = 0;

                if (b->io && b->io->bond_addrs)
                        (void) b->io->bond_addrs(b, v4, 16, &n4, v6, 0, &n6);
                *sip = n4 ? v4[0] : 0;
                return true;
        }
        if (out == 0)
                return true;   /* no route: from 0.0.0.0, to make traffic */
        if (out != root && !user) {
                level = bg_fwd_dev_path(devs, n, root, out, tags, BG_FWD_MAX_TAGS);
                if (level < 0)
                        return false;   /* not our device */
                *ntags = (size_t) level < BG_FWD_MAX_TAGS ? (size_t) level : BG_FWD_MAX_TAGS;
        }
        *sip = bg_fwd_confirm_addr(dev_of(devs, n, out), target);
        return true;
}
