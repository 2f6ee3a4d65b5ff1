/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The running bond's parameters as model options (what the control
 * socket's `state` reports, as the kernel reports its bond over netlink:
 * delays in ms rebuilt from whole miimon ticks, bond_netlink.c:
 * bond_fill_info()), and which parameters a running bond can take as they
 * are, without rebuilding its mode.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/fwd.h"

static void set_num(struct bg_bond *b, enum bg_opt id, uint64_t v) {
        bg_optval_clear(&b->opts[id]);
        b->opts[id] = (struct bg_optval){ .set = true, .num = v };
}

static int set_str(struct bg_bond *b, enum bg_opt id, const char *s) {
        bg_optval_clear(&b->opts[id]);
        b->opts[id] = (struct bg_optval){ .set = true, .str = strdup(s) };
        return b->opts[id].str ? 0 : -ENOMEM;
}

/* n addresses of family, size bytes apart from addrs, as the list option
 * id; p (IPv4 only, else NULL) gives the arp_ip_target VLAN hints */
static int set_targets(struct bg_bond *b, enum bg_opt id, int family, const void *addrs, size_t size, size_t n,
                       const struct bg_fwd_params *p) {
        char text[16 * (INET6_ADDRSTRLEN + 32) + 1] = "", err[128];
        int r;

        if (!n)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char a[INET6_ADDRSTRLEN];
                inet_ntop(family, (const uint8_t *) addrs + i * size, a, sizeof(a));
                snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i ? "," : "", a);
                if (!p || !p->arp_user_tags[i])
                        continue;
                for (size_t k = 0; k < p->n_arp_tags[i]; k++)
                        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%u", k ? "/" : "[",
                                 p->arp_tags[i][k].id);
                snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s]", p->n_arp_tags[i] ? "" : "[");
        }
        r = bg_opt_parse_value(bg_opt_get(id), text, &b->opts[id], err, sizeof(err));
        if (r < 0)
                return r;
        b->opts[id].set = true;
        return 0;
}

int bg_fwd_params_to_bond(const struct bg_fwd_params *p, struct bg_bond *b) {
        int r;

        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&b->opts[i]);
        set_num(b, BG_OPT_MODE, p->mode);
        set_num(b, BG_OPT_MIIMON, p->miimon);
        set_num(b, BG_OPT_UPDELAY, (uint64_t) p->updelay_ticks * p->miimon);
        set_num(b, BG_OPT_DOWNDELAY, (uint64_t) p->downdelay_ticks * p->miimon);
        set_num(b, BG_OPT_PEER_NOTIF_DELAY, (uint64_t) p->peer_notif_delay_ticks * p->miimon);
        set_num(b, BG_OPT_ARP_INTERVAL, p->arp_interval);
        if ((r = set_targets(b, BG_OPT_ARP_IP_TARGET, AF_INET, p->arp_targets, 4, p->n_arp_targets, p)) < 0 ||
            (r = set_targets(b, BG_OPT_NS_IP6_TARGET, AF_INET6, p->ns_targets, 16, p->n_ns_targets, NULL)) < 0)
                return r;
        if (p->primary[0] && (r = set_str(b, BG_OPT_PRIMARY, p->primary)) < 0)
                return r;
        if (!bg_mac_is_zero(p->ad_actor_system)) {
                char mac[18];
                bg_format_mac(p->ad_actor_system, mac);
                if ((r = set_str(b, BG_OPT_AD_ACTOR_SYSTEM, mac)) < 0)
                        return r;
                memcpy(b->opts[BG_OPT_AD_ACTOR_SYSTEM].mac, p->ad_actor_system, 6);
        }
        set_num(b, BG_OPT_ARP_MISSED_MAX, p->arp_missed_max);
        for (size_t i = 0; i < bg_fwd_n_num_params; i++)
                set_num(b, bg_fwd_num_params[i].id, bg_fwd_num_param_get(p, &bg_fwd_num_params[i]));
        /* as validation and the kernel: an option outside its modes is
         * not part of the bond (bond_opt_check_deps() refuses it) */
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                if (!(bg_opt_get(i)->modes & BG_MODE_BIT(p->mode)))
                        bg_optval_clear(&b->opts[i]);
        return 0;
}

/* The parameters the monitors, the selection and the transmit hash read
 * afresh each time (so a running bond takes them at once, as the kernel
 * takes them without BOND_OPTFLAG_IFDOWN/NOSLAVES); everything else is
 * read when the mode starts (the LACP machines copy their configuration,
 * TLB/ALB build their tables) and needs the mode rebuilt. */
bool bg_fwd_params_live_only(const struct bg_fwd_params *old, const struct bg_fwd_params *nw) {
        struct bg_fwd_params t = *nw;

        t.miimon = old->miimon;
        t.updelay_ticks = old->updelay_ticks;
        t.downdelay_ticks = old->downdelay_ticks;
        t.peer_notif_delay_ticks = old->peer_notif_delay_ticks;
        t.arp_interval = old->arp_interval;
        t.arp_missed_max = old->arp_missed_max;
        memcpy(t.arp_targets, old->arp_targets, sizeof(t.arp_targets));
        t.n_arp_targets = old->n_arp_targets;
        memcpy(t.arp_user_tags, old->arp_user_tags, sizeof(t.arp_user_tags));
        memcpy(t.n_arp_tags, old->n_arp_tags, sizeof(t.n_arp_tags));
        memcpy(t.arp_tags, old->arp_tags, sizeof(t.arp_tags));
        memcpy(t.ns_targets, old->ns_targets, sizeof(t.ns_targets));
        t.n_ns_targets = old->n_ns_targets;
        t.arp_validate = old->arp_validate;
        t.arp_all_targets = old->arp_all_targets;
        memcpy(t.primary, old->primary, sizeof(t.primary));
        t.primary_reselect = old->primary_reselect;
        t.xmit_hash_policy = old->xmit_hash_policy;
        t.num_peer_notif = old->num_peer_notif;
        t.resend_igmp = old->resend_igmp;
        t.packets_per_slave = old->packets_per_slave;
        t.min_links = old->min_links;
        t.all_slaves_active = old->all_slaves_active;
        t.lp_interval = old->lp_interval;
        return memcmp(&t, old, sizeof(t)) == 0;
}
