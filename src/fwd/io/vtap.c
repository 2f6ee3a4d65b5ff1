/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgend's own VLAN devices. Where the kernel has 802.1Q, a VLAN of a
 * user-space bond is an ordinary VLAN device on the bond's TAP, which
 * bondgen apply makes; frames reach the TAP tagged and leave it tagged.
 * Where it has none (CONFIG_VLAN_8021Q off: "Unknown device type"), each
 * VLAN of the bond is a TAP of bondgend's named as the VLAN, and the data
 * path tags what it sends and untags what arrives for it (logic/vlan.c).
 * The one test of which case holds is bg_nl_vlan_supported(), the same
 * apply asks.
 *
 * A VLAN device lives as the bond's TAP does between runs (instance.c):
 * kept by the service manager's fd store under FDNAME=vtap-NAME, or
 * persistent when bondgend runs by hand and deleted by a clean stop. Its
 * MTU, MAC and addresses come from the model's VLAN; without a MAC of its
 * own it carries the bond's, and follows it, as a VLAN device follows its
 * lower device's (vlan_dev.c: vlan_sync_address()); its carrier is the
 * bond's (netif_stacked_transfer_operstate()).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "fwd/io/core-int.h"
#include "netlink/netlink.h"

static const struct bg_vlan *model_vlan(const struct bg_core *c, const char *name) {
        for (size_t i = 0; i < c->n_model_vlans; i++)
                if (!strcmp(c->model_vlans[i]->name, name))
                        return c->model_vlans[i];
        return NULL;
}

static void fdstore_remove(const char *name) {
        char msg[64];

        snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=vtap-%s", name);
        (void) sd_notify(false, msg);
}

/* Close v's device; deleted unless the service manager keeps it (keep). */
static void vlan_close(struct bg_core *c, struct bg_dp_vlan *dv, bool keep) {
        struct bg_fwd *b = &c->bond;
        size_t k = 0;

        sd_event_source_disable_unref(dv->src);
        if (dv->v.fd >= 0) {
                if (!keep) {
                        (void) bg_tap_set_persist(dv->v.fd, false);
                        if (c->fdstore)
                                fdstore_remove(dv->v.name);
                }
                close(dv->v.fd);
        }
        for (size_t i = 0; i < b->n_vlans; i++)
                if (b->vlans[i] != &dv->v)
                        b->vlans[k++] = b->vlans[i];
        b->n_vlans = k;
        free(dv);
}

/* MTU, MAC, carrier, up, and the model's addresses and routes. */
static void vlan_setup(struct bg_core *c, struct bg_dp_vlan *dv, const struct bg_vlan *m) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_vlan *v = &dv->v;
        int r;

        v->own_mac = m && m->mac.len == 6;
        memcpy(v->mac, v->own_mac ? m->mac.bytes : b->mac, 6);
        if ((r = bg_fwd_link_set_mac(v->name, v->mac)) < 0)
                bg_core_log(c, LOG_WARNING, "%s: cannot set MAC: %s", v->name, strerror(-r));
        if ((r = bg_fwd_link_set_mtu(v->name, m && m->mtu ? m->mtu : b->mtu)) < 0)
                bg_core_log(c, LOG_WARNING, "%s: cannot set MTU: %s", v->name, strerror(-r));
        (void) bg_tap_set_carrier(v->fd, b->carrier);
        if ((!m || m->onboot) && (r = bg_fwd_link_set_flags(v->name, IFF_UP, 0)) < 0)
                bg_core_log(c, LOG_WARNING, "%s: cannot set it up: %s", v->name, strerror(-r));
        if (m && c->configure_addresses)
                bg_core_configure_l3(c, v->name, v->ifindex, &m->ipv4, &m->ipv6);
}

static int vlan_open(struct bg_core *c, const char *name, uint16_t id, char *why, size_t whylen) {
        struct bg_fwd *b = &c->bond;
        struct bg_dp_vlan *dv;
        char fdname[32];
        int fd, r;

        if (b->n_vlans >= BG_FWD_MAX_VLANS) {
                snprintf(why, whylen, "at most %d VLANs per bond", BG_FWD_MAX_VLANS);
                return -EINVAL;
        }
        dv = calloc(1, sizeof(*dv));
        if (!dv)
                return -ENOMEM;
        dv->core = c;
        snprintf(dv->v.name, sizeof(dv->v.name), "%s", name);
        dv->v.id = id;
        fd = bg_core_take_kept(c, name);
        if (fd >= 0)
                r = bg_tap_adopt(fd, name, &dv->v.ifindex);
        else if ((fd = r = bg_tap_open(name, &dv->v.ifindex)) >= 0 && c->fdstore) {
                snprintf(fdname, sizeof(fdname), "FDSTORE=1\nFDNAME=vtap-%s", name);
                (void) sd_pid_notify_with_fds(0, false, fdname, &fd, 1);
        }
        if (r >= 0)
                r = bg_tap_set_persist(fd, !c->fdstore);
        if (r >= 0)
                r = sd_event_add_io(c->ev, &dv->src, fd, EPOLLIN, bg_dp_on_vtap, &dv->v);
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                free(dv);
                snprintf(why, whylen, "cannot make the TAP device %s: %s (is another device using the name?)",
                         name, strerror(-r));
                return r;
        }
        dv->v.fd = fd;
        /* off, then the bond's: the device sees its carrier come, and
         * its operational state is up (not "unknown") */
        (void) bg_tap_set_carrier(fd, false);
        b->vlans[b->n_vlans++] = &dv->v;
        vlan_setup(c, dv, model_vlan(c, name));
        bg_core_log(c, LOG_INFO, "%s: VLAN %u of the bond, a device of bondgend's (the kernel has no 802.1Q)",
                    name, id);
        return 0;
}

int bg_core_vlan_add(struct bg_core *c, const char *name, unsigned id, char *why, size_t whylen) {
        struct bg_fwd *b = &c->bond;
        struct bg_fwd_vlan *v = bg_fwd_vlan_by_name(b, name), *same = bg_fwd_vlan_find(b, (uint16_t) id);

        why[0] = 0;
        if (c->have_8021q) {
                snprintf(why, whylen, "this kernel has 802.1Q: make %s a VLAN device on %s", name, b->name);
                return -EOPNOTSUPP;
        }
        if (id < 1 || id > 4094 || !name[0] || strlen(name) >= IFNAMSIZ || !strcmp(name, b->name)) {
                snprintf(why, whylen, "bad VLAN %s id %u", name, id);
                return -EINVAL;
        }
        if (same && same != v) {
                snprintf(why, whylen, "VLAN %u is %s already", id, same->name);
                return -EINVAL;
        }
        if (v && v->id == id)
                return -EEXIST;
        if (v) {
                /* a new id: as a VLAN device, made again */
                bg_core_log(c, LOG_INFO, "%s: VLAN id %u -> %u", name, v->id, id);
                vlan_close(c, (struct bg_dp_vlan *) v, false);
        }
        return vlan_open(c, name, (uint16_t) id, why, whylen);
}

int bg_core_vlan_del(struct bg_core *c, const char *name) {
        struct bg_fwd_vlan *v = bg_fwd_vlan_by_name(&c->bond, name);

        if (!v)
                return -ENOENT;
        bg_core_log(c, LOG_INFO, "%s: VLAN %u deleted", name, v->id);
        vlan_close(c, (struct bg_dp_vlan *) v, false);
        return 0;
}

void bg_core_vlans_start(struct bg_core *c) {
        char why[200];
        int r = bg_nl_vlan_supported(c->rtnl);

        c->have_8021q = r != 0;
        if (r < 0)
                bg_core_log(c, LOG_WARNING, "cannot tell whether the kernel has 802.1Q (%s): VLANs are left to "
                            "VLAN devices on the bond", strerror(-r));
        if (c->have_8021q) {
                for (size_t i = 0; i < c->n_model_vlans; i++)
                        bg_core_log(c, LOG_INFO, "%s: the kernel has 802.1Q: a VLAN device on the bond (bondgen "
                                    "apply makes it)", c->model_vlans[i]->name);
        } else
                for (size_t i = 0; i < c->n_model_vlans; i++) {
                        const struct bg_vlan *m = c->model_vlans[i];
                        r = bg_core_vlan_add(c, m->name, m->id, why, sizeof(why));
                        if (r < 0 && r != -EEXIST)
                                bg_core_log(c, LOG_ERR, "%s: %s", m->name, why[0] ? why : strerror(-r));
                }
        /* a VLAN the service manager kept that the model no longer has */
        while (c->n_kept) {
                c->n_kept--;
                bg_core_log(c, LOG_INFO, "%s: no longer a VLAN of the bond; deleted", c->kept_name[c->n_kept]);
                (void) bg_tap_set_persist(c->kept_fd[c->n_kept], false);
                fdstore_remove(c->kept_name[c->n_kept]);
                close(c->kept_fd[c->n_kept]);
        }
}

void bg_core_vlans_free(struct bg_core *c) {
        while (c->bond.n_vlans) {
                struct bg_dp_vlan *dv = (struct bg_dp_vlan *) c->bond.vlans[c->bond.n_vlans - 1];
                vlan_close(c, dv, c->fdstore || c->handed_over);
        }
}

bool bg_core_vlan_link_event(struct bg_core *c, const struct bg_nl_link *l) {
        struct bg_fwd *b = &c->bond;

        for (size_t i = 0; i < b->n_vlans; i++) {
                struct bg_fwd_vlan *v = b->vlans[i];
                if (v->ifindex != l->ifindex)
                        continue;
                if (l->deleted) {
                        bg_core_log(c, LOG_WARNING, "%s: the VLAN device was deleted; its frames go nowhere", v->name);
                        vlan_close(c, (struct bg_dp_vlan *) v, false);
                        return true;
                }
                v->promisc = l->flags & IFF_PROMISC;
                /* set by another tool (ip link, networkd): that MAC is
                 * the device's now, and stays when the bond's changes */
                if (l->has_mac && memcmp(l->mac, v->mac, 6) && bg_fwd_link_get_mac(v->name, v->mac) == 0)
                        v->own_mac = memcmp(v->mac, b->mac, 6) != 0;
                return true;
        }
        return false;
}

void bg_core_vlans_follow(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;

        for (size_t i = 0; i < b->n_vlans; i++) {
                struct bg_fwd_vlan *v = b->vlans[i];
                if (!v->own_mac && memcmp(v->mac, b->mac, 6) && bg_fwd_link_set_mac(v->name, b->mac) == 0)
                        memcpy(v->mac, b->mac, 6);
                (void) bg_tap_set_carrier(v->fd, b->carrier);
        }
}
