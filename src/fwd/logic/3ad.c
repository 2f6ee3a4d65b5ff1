/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 802.3ad (drivers/net/bonding/bond_3ad.c): the LACP machines of lacp.c wired
 * into the forwarder. LACPDUs and markers are consumed on every port before
 * the rx-disabled rule; a port collects and distributes only when LACP says
 * so; transmit is usable[hash % n] over the distributing ports in enslave
 * order; carrier follows the active aggregator and min_links.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "fwd/logic/fwd.h"
#include "fwd/logic/lacp.h"

#define AD_TICK_USEC 100000ull   /* the kernel's 802.3ad tick: 10/s */

struct ad {
        struct bg_lacp *l;
        struct bg_fwd *b;
        struct bg_fwd_port *by_id[BG_LACP_MAX_PORTS];
        struct bg_fwd_port *usable[BG_FWD_MAX_PORTS];
        size_t n;
};

struct ad_port {
        unsigned id;
        bool added;
        bool distributing;      /* at the last rebuild */
};

static int ad_send(void *userdata, unsigned id, const void *frame, size_t len) {
        struct ad *ad = userdata;
        struct bg_fwd_port *p = id < BG_LACP_MAX_PORTS ? ad->by_id[id] : NULL;
        uint8_t buf[BG_LACPDU_FRAME_MAX + BG_FWD_HEADROOM];
        struct bg_fwd_frame fr = { .data = buf + BG_FWD_HEADROOM, .len = len,
                                   .cap = sizeof(buf) - BG_FWD_HEADROOM };

        if (!p || !p->present || len > BG_LACPDU_FRAME_MAX)
                return -ENETDOWN;
        memcpy(fr.data, frame, len);
        /* The source is the port's permanent MAC (bond_3ad.c:ad_lacpdu_send());
         * it may only be known once the port appeared. */
        if (!bg_mac_is_zero(p->perm_mac))
                memcpy(fr.data + 6, p->perm_mac, 6);
        return bg_fwd_port_send(ad->b, p, &fr);
}

/* A port the mux machine has just enabled for collecting and distributing
 * on the active aggregator (bond_3ad.c:ad_enable_collecting_distributing(),
 * not the partnerless fallback of ad_agg_selection_logic()): with
 * broadcast_neighbor, peer notification starts again
 * (ad_cond_set_peer_notif(), Linux 6.17); the miimon ticks send it. */
static bool mux_enabled(const struct ad *ad, const struct ad_port *ap, bool distributing) {
        struct bg_lacp_port_info pi;

        if (!distributing || ap->distributing || bg_lacp_port_get_info(ad->l, ap->id, &pi) < 0)
                return false;
        return pi.mux_state == BG_LACP_MUX_COLLECTING_DISTRIBUTING || pi.mux_state == BG_LACP_MUX_DISTRIBUTING;
}

static void rebuild(struct ad *ad) {
        struct bg_fwd *b = ad->b;
        bool notify = false;

        ad->n = 0;
        for (size_t i = 0; i < b->n_ports; i++) {
                struct bg_fwd_port *p = b->ports[i];
                struct ad_port *ap = p->mode_priv;
                bool distributing;

                if (!ap->added)
                        continue;
                if (bg_lacp_port_collecting(ad->l, ap->id))
                        bg_fwd_port_set_active_flags(b, p);
                else
                        bg_fwd_port_set_inactive_flags(b, p);
                distributing = bg_lacp_port_distributing(ad->l, ap->id);
                notify = notify || mux_enabled(ad, ap, distributing);
                ap->distributing = distributing;
                if (distributing && bg_fwd_port_can_tx(p))
                        ad->usable[ad->n++] = p;
        }
        if (notify && b->p.broadcast_neighbor)
                b->peer_notif_left =
                        b->p.num_peer_notif * (b->p.peer_notif_delay_ticks ? b->p.peer_notif_delay_ticks : 1);
}

size_t bg_fwd_3ad_usable(const struct bg_fwd *b) {
        const struct ad *ad = b->mode_priv;

        return b->ops && b->ops->mode == BG_MODE_8023AD && ad && ad->l ? ad->n : 0;
}

static void ad_changed(void *userdata) {
        struct ad *ad = userdata;

        /* the machines run inside bg_lacp_* calls made from init/port hooks
         * too: only act once everything is wired up */
        if (!ad->l)
                return;
        rebuild(ad);
        bg_fwd_update_carrier(ad->b);
}

static int ad_init(struct bg_fwd *b) {
        struct ad *ad = b->mode_priv;
        struct bg_lacp_config c;
        static const struct bg_lacp_ops ops = { .send = ad_send, .changed = ad_changed };
        struct bg_lacp *l;
        int r;

        bg_lacp_config_init(&c);
        c.active = b->p.lacp_active;
        c.fast = b->p.lacp_rate;
        c.select = (enum bg_lacp_select) b->p.ad_select;
        if (b->p.ad_actor_sys_prio)
                c.system_priority = b->p.ad_actor_sys_prio;
        memcpy(c.system, b->p.ad_actor_system, 6);
        c.user_port_key = b->p.ad_user_port_key;
        c.min_links = b->p.min_links;
        c.strict = b->p.lacp_strict;
        c.independent = !b->p.coupled_control;
        ad->b = b;
        r = bg_lacp_new(&c, b->mac, &ops, ad, b->now, &l);
        if (r < 0)
                return r;
        ad->l = l;
        return 0;
}

static void ad_done(struct bg_fwd *b) {
        struct ad *ad = b->mode_priv;

        bg_lacp_free(ad->l);
        ad->l = NULL;
}

static void push_link(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct ad *ad = b->mode_priv;
        struct ad_port *ap = p->mode_priv;

        /* unknown duplex is taken as full: veth, TAP and many virtual NICs
         * do not say, and LACP would otherwise be off on them */
        (void) bg_lacp_port_link(ad->l, ap->id, bg_fwd_port_up(p), p->speed_mbps, p->duplex != 0, b->now);
}

static int ad_port_added(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct ad *ad = b->mode_priv;
        struct ad_port *ap = p->mode_priv;
        int r;

        bg_lacp_set_bond_mac(ad->l, b->mac, b->now);
        bg_fwd_port_set_inactive_flags(b, p);   /* LACP decides (bond_3ad.c mux) */
        r = bg_lacp_port_add(ad->l, p->perm_mac, 255, b->now, &ap->id);
        if (r < 0)
                return r;
        ad->by_id[ap->id] = p;
        ap->added = true;
        push_link(b, p);
        rebuild(ad);
        return 0;
}

static void ad_port_removed(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct ad *ad = b->mode_priv;
        struct ad_port *ap = p->mode_priv;

        if (!ap->added)
                return;
        ap->added = false;
        ap->distributing = false;
        (void) bg_lacp_port_remove(ad->l, ap->id, b->now);
        ad->by_id[ap->id] = NULL;
        /* p is still in b->ports: drop it rather than rebuild */
        bg_fwd_ports_drop(ad->usable, &ad->n, p);
}

static void ad_link_changed(struct bg_fwd *b, struct bg_fwd_port *p) {
        struct ad *ad = b->mode_priv;
        struct ad_port *ap = p->mode_priv;

        if (!ap->added)
                return;
        bg_lacp_set_bond_mac(ad->l, b->mac, b->now);
        push_link(b, p);
        rebuild(ad);
}

static enum bg_fwd_rx ad_rx(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_frame *fr) {
        struct ad *ad = b->mode_priv;
        struct ad_port *ap = p->mode_priv;

        if (!bg_lacp_frame_is_slow(fr->data, fr->len))
                return BG_FWD_RX_PASS;
        /* Other slow protocols (OAM 0x03, ESMC/OSSP 0x0a ...) go on like any
         * frame, as bond_3ad_rx_indication() leaves every subtype but LACP
         * and marker to the rest of the receive path. */
        if (fr->len < 15 || (fr->data[14] != BG_LACP_SUBTYPE_LACP && fr->data[14] != BG_LACP_SUBTYPE_MARKER))
                return BG_FWD_RX_PASS;
        /* bond_3ad_lacpdu_recv() takes only what is sent to the slow
         * protocols group and holds a whole LACPDU (110 bytes after the
         * Ethernet header): a shorter one, or one to another address, goes
         * on like any frame, to the bond from a collecting port; lacp.c
         * counts it (size error, or bondgend's own misaddressed counter,
         * which the kernel does not keep). */
        if (memcmp(fr->data, bg_lacp_slow_proto_mac, 6) != 0 || fr->len < BG_LACPDU_FRAME_LEN) {
                if (ap->added)
                        (void) bg_lacp_rx(ad->l, ap->id, fr->data, fr->len, b->now);
                return BG_FWD_RX_PASS;
        }
        /* LACPDUs, markers and bad ones of those never reach the bond; the
         * bad ones are counted by lacp.c */
        if (ap->added)
                (void) bg_lacp_rx(ad->l, ap->id, fr->data, fr->len, b->now);
        return BG_FWD_RX_CONSUMED;
}

/* ARP and IPv6 neighbour solicitations/advertisements (broadcast_neighbor) */
static bool is_neighbour(const struct bg_fwd_frame *fr) {
        struct bg_fwd_l2 l2;

        if (bg_fwd_frame_l2(fr->data, fr->len, &l2) < 0)
                return false;
        if (l2.proto == 0x0806)
                return true;
        return l2.proto == 0x86dd && fr->len >= l2.nhoff + 41 && fr->data[l2.nhoff + 6] == 58 &&
               (fr->data[l2.nhoff + 40] == 135 || fr->data[l2.nhoff + 40] == 136);
}

static int ad_select(struct bg_fwd *b, struct bg_fwd_frame *fr, struct bg_fwd_port **out, size_t max) {
        struct ad *ad = b->mode_priv;

        if (!ad->n || !max)
                return 0;
        if (b->p.broadcast_neighbor && is_neighbour(fr)) {
                /* clone to every usable port (broadcast_neighbor) */
                size_t n = ad->n < max ? ad->n : max;
                memcpy(out, ad->usable, n * sizeof(out[0]));
                return (int) n;
        }
        out[0] = ad->usable[bg_fwd_xmit_hash(b->p.xmit_hash_policy, fr->data, fr->len) % ad->n];
        return 1;
}

static void ad_tick(struct bg_fwd *b) {
        struct ad *ad = b->mode_priv;

        bg_lacp_set_bond_mac(ad->l, b->mac, b->now);
        (void) bg_lacp_tick(ad->l, b->now);
}

static bool ad_carrier(struct bg_fwd *b) {
        struct ad *ad = b->mode_priv;
        return ad->l && bg_lacp_carrier(ad->l);
}

/* The kernel prints the nested blocks ("Active Aggregator Info:",
 * "details actor lacp pdu:") as indented lines; the status writer has one
 * key per line, so a nested block becomes one value spanning lines. That
 * keeps the text identical and the JSON keys unique. */
struct st {
        struct bg_fwd_stw *w;
        const char *section;
        char buf[512];
        size_t len;
        const char *indent;
};

static void st_flush(struct st *s) {
        if (!s->section)
                return;
        if (!strcmp(s->section, "aggregator"))
                bg_fwd_stw_kv(s->w, "Active Aggregator Info", "%s", s->buf);
        else
                bg_fwd_stw_kv(s->w, !strcmp(s->section, "actor") ? "details actor lacp pdu" :
                                                                   "details partner lacp pdu", "%s", s->buf);
        s->section = NULL;
        s->len = 0;
        s->buf[0] = 0;
}

static void st_kv(void *ctx, const char *section, const char *key, const char *value) {
        struct st *s = ctx;

        if (s->section && (!section || strcmp(section, s->section)))
                st_flush(s);
        if (!section) {
                bg_fwd_stw_kv(s->w, key, "%s", value);
                return;
        }
        s->section = section;
        int n = snprintf(s->buf + s->len, sizeof(s->buf) - s->len, "\n%s%s: %s",
                         !strcmp(section, "aggregator") ? "\t" : "    ", key, value);
        if (n > 0 && (size_t) n < sizeof(s->buf) - s->len)
                s->len += (size_t) n;
}

static void ad_status_bond(struct bg_fwd *b, struct bg_fwd_stw *w) {
        struct ad *ad = b->mode_priv;
        struct st s = { .w = w };

        bg_lacp_status_bond(ad->l, st_kv, &s);
        st_flush(&s);
        /* one line of likely cause when LACP is not up */
        unsigned ids[BG_LACP_MAX_PORTS];
        const char *names[BG_LACP_MAX_PORTS];
        size_t n = 0;
        char why[512];
        for (size_t i = 0; i < b->n_ports && n < BG_LACP_MAX_PORTS; i++) {
                const struct ad_port *ap = b->ports[i]->mode_priv;
                if (!ap->added)
                        continue;
                ids[n] = ap->id;
                names[n++] = b->ports[i]->name;
        }
        bg_lacp_health_of(ad->l, ids, names, n, why, sizeof(why));
        bg_fwd_stw_kv(w, "LACP health", "%s", why);
}

static void ad_status_port(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_stw *w) {
        struct ad *ad = b->mode_priv;
        struct ad_port *ap = p->mode_priv;
        struct st s = { .w = w };

        if (!ap->added)
                return;
        bg_lacp_status_port(ad->l, ap->id, st_kv, &s);
        st_flush(&s);
}

const struct bg_fwd_mode_ops bg_fwd_mode_8023ad = {
        .name = "802.3ad",
        .mode = BG_MODE_8023AD,
        .priv_size = sizeof(struct ad),
        .port_priv_size = sizeof(struct ad_port),
        .tick_usec = AD_TICK_USEC,
        .ports_use_bond_mac = true,
        .init = ad_init,
        .done = ad_done,
        .port_added = ad_port_added,
        .port_removed = ad_port_removed,
        .link_changed = ad_link_changed,
        .rx = ad_rx,
        .select_tx = ad_select,
        .tick = ad_tick,
        .carrier = ad_carrier,
        .status_bond = ad_status_bond,
        .status_port = ad_status_port,
};
