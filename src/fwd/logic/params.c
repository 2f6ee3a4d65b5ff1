/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bond options of the canonical model -> the forwarder's parameters, stored
 * the way the kernel stores them (bond_options.c: delays in whole
 * miimon periods, rounded down). */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/fwd.h"

#define NUM(opt, field) \
        { opt, offsetof(struct bg_fwd_params, field), sizeof(((struct bg_fwd_params *) 0)->field) }
const struct bg_fwd_num_param bg_fwd_num_params[] = {
        NUM(BG_OPT_ARP_VALIDATE, arp_validate),
        NUM(BG_OPT_ARP_ALL_TARGETS, arp_all_targets),
        NUM(BG_OPT_PRIMARY_RESELECT, primary_reselect),
        NUM(BG_OPT_FAIL_OVER_MAC, fail_over_mac),
        NUM(BG_OPT_XMIT_HASH_POLICY, xmit_hash_policy),
        NUM(BG_OPT_NUM_GRAT_ARP, num_peer_notif),
        NUM(BG_OPT_RESEND_IGMP, resend_igmp),
        NUM(BG_OPT_PACKETS_PER_SLAVE, packets_per_slave),
        NUM(BG_OPT_MIN_LINKS, min_links),
        NUM(BG_OPT_ALL_SLAVES_ACTIVE, all_slaves_active),
        NUM(BG_OPT_LP_INTERVAL, lp_interval),
        NUM(BG_OPT_LACP_ACTIVE, lacp_active),
        NUM(BG_OPT_LACP_RATE, lacp_rate),
        NUM(BG_OPT_AD_SELECT, ad_select),
        NUM(BG_OPT_COUPLED_CONTROL, coupled_control),
        NUM(BG_OPT_BROADCAST_NEIGHBOR, broadcast_neighbor),
        NUM(BG_OPT_LACP_STRICT, lacp_strict),
        NUM(BG_OPT_TLB_DYNAMIC_LB, tlb_dynamic_lb),
        NUM(BG_OPT_AD_ACTOR_SYS_PRIO, ad_actor_sys_prio),
        NUM(BG_OPT_AD_USER_PORT_KEY, ad_user_port_key),
};
#undef NUM
const size_t bg_fwd_n_num_params = sizeof(bg_fwd_num_params) / sizeof(bg_fwd_num_params[0]);

uint64_t bg_fwd_num_param_get(const struct bg_fwd_params *p, const struct bg_fwd_num_param *n) {
        const char *f = (const char *) p + n->offset;
        uint32_t u32;
        uint16_t u16;

        switch (n->size) {
        case 1:
                return *(const bool *) f;
        case 2:
                memcpy(&u16, f, 2);
                return u16;
        default:
                memcpy(&u32, f, 4);
                return u32;
        }
}

void bg_fwd_num_param_set(struct bg_fwd_params *p, const struct bg_fwd_num_param *n, uint64_t v) {
        char *f = (char *) p + n->offset;
        uint32_t u32 = (uint32_t) v;
        uint16_t u16 = (uint16_t) v;

        switch (n->size) {
        case 1:
                *(bool *) f = v != 0;
                break;
        case 2:
                memcpy(f, &u16, 2);
                break;
        default:
                memcpy(f, &u32, 4);
                break;
        }
}

void bg_fwd_params_default(struct bg_fwd_params *p, enum bg_mode mode) {
        memset(p, 0, sizeof(*p));
        p->mode = mode;
        p->arp_missed_max = 2;
        p->num_peer_notif = 1;
        p->resend_igmp = 1;
        p->packets_per_slave = 1;
        p->lp_interval = 1;
        p->lacp_active = 1;
        p->coupled_control = 1;
        p->tlb_dynamic_lb = 1;
        p->ad_actor_sys_prio = 65535;
}

int bg_fwd_params_from_bond(const struct bg_bond *bond, struct bg_fwd_params *p, char *err,
                            size_t errlen) {
        const struct bg_optval *t;
        uint32_t ud, dd, pd;

        bg_fwd_params_default(p, bg_bond_mode(bond));
        p->miimon = (uint32_t) bg_bond_opt_num(bond, BG_OPT_MIIMON);
        p->arp_interval = (uint32_t) bg_bond_opt_num(bond, BG_OPT_ARP_INTERVAL);
        /* The two monitors exclude each other; the kernel keeps the last one
         * set, and netlink applies miimon first. */
        if (p->miimon && p->arp_interval)
                p->miimon = 0;
        if (p->mode >= BG_MODE_8023AD && !p->miimon) {
                p->miimon = 100;
                p->arp_interval = 0;
        }
        ud = (uint32_t) bg_bond_opt_num(bond, BG_OPT_UPDELAY);
        dd = (uint32_t) bg_bond_opt_num(bond, BG_OPT_DOWNDELAY);
        pd = (uint32_t) bg_bond_opt_num(bond, BG_OPT_PEER_NOTIF_DELAY);
        if (p->miimon) {
                p->updelay_ticks = ud / p->miimon;
                p->downdelay_ticks = dd / p->miimon;
                p->peer_notif_delay_ticks = pd / p->miimon;
        }
        p->arp_missed_max = (uint32_t) bg_bond_opt_num(bond, BG_OPT_ARP_MISSED_MAX);
        if (!p->arp_missed_max)
                p->arp_missed_max = 2;
        t = &bond->opts[BG_OPT_ARP_IP_TARGET];
        for (size_t i = 0; t->set && i < t->n_list && p->n_arp_targets < 16; i++) {
                /* parsed once by the model (struct bg_optaddr) */
                if (!t->addrs || t->addrs[i].family != AF_INET) {
                        snprintf(err, errlen, "arp_ip_target: bad address '%s'", t->list[i]);
                        return -EINVAL;
                }
                /* a VLAN hint gives the probe's tags (802.1Q each) */
                p->arp_user_tags[p->n_arp_targets] = t->addrs[i].hinted;
                p->n_arp_tags[p->n_arp_targets] = t->addrs[i].n_vlans;
                for (size_t k = 0; k < t->addrs[i].n_vlans && k < BG_FWD_MAX_TAGS; k++)
                        p->arp_tags[p->n_arp_targets][k] = (struct bg_fwd_tag){ 0x8100, t->addrs[i].vlans[k] };
                memcpy(&p->arp_targets[p->n_arp_targets++], t->addrs[i].bytes, 4);
        }
        /* the NS/NA half of the ARP monitor (nsmon.c) */
        t = &bond->opts[BG_OPT_NS_IP6_TARGET];
        for (size_t i = 0; t->set && i < t->n_list && p->n_ns_targets < 16; i++) {
                if (!t->addrs || t->addrs[i].family != AF_INET6) {
                        snprintf(err, errlen, "ns_ip6_target: bad address '%s'", t->list[i]);
                        return -EINVAL;
                }
                memcpy(p->ns_targets[p->n_ns_targets++], t->addrs[i].bytes, 16);
        }
        /* queue_id picks a port by the tx queue the host stack chose for
         * a frame (bond_main.c:bond_slave_override()); a TAP reader never
         * sees that queue, so a non-zero queue_id cannot be honoured. */
        t = &bond->opts[BG_OPT_QUEUE_ID];
        for (size_t i = 0; t->set && i < t->n_list; i++) {
                const char *colon = t->list[i] ? strrchr(t->list[i], ':') : NULL;
                if (colon && strtoul(colon + 1, NULL, 10) != 0) {
                        snprintf(err, errlen, "queue_id %s: bondgend cannot honour it: the kernel's transmit queue "
                                 "of a frame is not visible through the TAP device; see bondgend(8)",
                                 t->list[i]);
                        return -EOPNOTSUPP;
                }
        }
        if (p->arp_interval && !p->n_arp_targets && !p->n_ns_targets) {
                /* as the kernel's module parameter: no targets, no ARP monitor */
                p->arp_interval = 0;
        }
        /* active_slave: the port made active at start once it is up
         * (select.c; bondgend sets bg_fwd.want_active from it). The kernel
         * takes it in the modes with an active port only, and only for
         * one of the bond's ports (bond_option_active_slave_set()). */
        t = &bond->opts[BG_OPT_ACTIVE_SLAVE];
        if (t->set && t->str && t->str[0]) {
                bool named = false, unnamed = false;
                if (p->mode != BG_MODE_ACTIVE_BACKUP && p->mode != BG_MODE_BALANCE_TLB &&
                    p->mode != BG_MODE_BALANCE_ALB) {
                        snprintf(err, errlen, "active_slave %s: only active-backup, balance-tlb and balance-alb "
                                 "have an active port", t->str);
                        return -EOPNOTSUPP;
                }
                for (size_t i = 0; i < bond->n_ports; i++) {
                        named |= bond->ports[i].name && !strcmp(bond->ports[i].name, t->str);
                        unnamed |= !bond->ports[i].name;
                }
                /* a port matched by MAC only may turn out to have the name */
                if (!named && !unnamed) {
                        snprintf(err, errlen, "active_slave %s: not a port of %s", t->str,
                                 bond->name ? bond->name : "the bond");
                        return -EINVAL;
                }
        }
        if (bond->opts[BG_OPT_PRIMARY].set && bond->opts[BG_OPT_PRIMARY].str)
                snprintf(p->primary, sizeof(p->primary), "%s", bond->opts[BG_OPT_PRIMARY].str);
        for (size_t i = 0; i < bg_fwd_n_num_params; i++)
                bg_fwd_num_param_set(p, &bg_fwd_num_params[i], bg_bond_opt_num(bond, bg_fwd_num_params[i].id));
        if (bond->opts[BG_OPT_AD_ACTOR_SYSTEM].set && bond->opts[BG_OPT_AD_ACTOR_SYSTEM].str)
                memcpy(p->ad_actor_system, bond->opts[BG_OPT_AD_ACTOR_SYSTEM].mac, 6);
        return 0;
}
