/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgend's own VLAN devices: where the kernel has no 802.1Q driver
 * (CONFIG_VLAN_8021Q off), a VLAN of the bond is a TAP of bondgend's and
 * the forwarder tags and untags for it, as vlan_dev_hard_start_xmit() and
 * vlan_do_receive() would for a VLAN device on the bond. Which device a
 * received frame goes to, and the filter each device applies, are here,
 * without I/O.
 */
#include <string.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/fwd.h"

struct bg_fwd_vlan *bg_fwd_vlan_find(const struct bg_fwd *b, uint16_t id) {
        for (size_t i = 0; i < b->n_vlans; i++)
                if (b->vlans[i]->id == id)
                        return b->vlans[i];
        return NULL;
}

struct bg_fwd_vlan *bg_fwd_vlan_by_name(const struct bg_fwd *b, const char *name) {
        for (size_t i = 0; i < b->n_vlans; i++)
                if (!strcmp(b->vlans[i]->name, name))
                        return b->vlans[i];
        return NULL;
}

struct bg_fwd_vlan *bg_fwd_vlan_demux(const struct bg_fwd *b, struct bg_fwd_frame *fr) {
        struct bg_fwd_vlan *v;
        uint8_t *d = fr->data;

        if (!b->n_vlans || fr->len < 18 || d[12] != 0x81 || d[13] != 0x00)
                return NULL;
        v = bg_fwd_vlan_find(b, (uint16_t) ((d[14] << 8 | d[15]) & 0x0fff));
        if (!v)
                return NULL;
        memmove(d + 4, d, 12);
        fr->data = d + 4;
        fr->len -= 4;
        /* the header's offsets count from the start of the frame */
        if ((fr->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && fr->vh.csum_start >= 4)
                fr->vh.csum_start = (uint16_t) (fr->vh.csum_start - 4);
        if (fr->vh.hdr_len >= 4)
                fr->vh.hdr_len = (uint16_t) (fr->vh.hdr_len - 4);
        return v;
}

bool bg_fwd_vlan_accepts(const struct bg_fwd *b, const struct bg_fwd_vlan *v, const struct bg_fwd_frame *fr) {
        const uint8_t *mac = v ? v->mac : b->mac;
        bool promisc = v ? v->promisc : b->tap_promisc;

        if (fr->len < 14 || !memcmp(fr->data + 6, mac, 6))
                return false;
        return promisc || (fr->data[0] & 1) || !memcmp(fr->data, mac, 6);
}

int bg_fwd_vlan_tag(const struct bg_fwd_vlan *v, struct bg_fwd_frame *fr) {
        return bg_vlan_insert(&fr->data, &fr->len, &fr->vh, 0x8100, v->id);
}
