/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding of RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE messages, and the
 * lookups apply/ needs on the decoded state. Pure: no socket here. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "netlink.h"
#include "util/array.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000   /* linux/if.h; net/if.h lacks it */
#endif

/* Integers by payload length, not by the type we expect: the kernel has
 * reported some options with a wider type than it accepts (e.g.
 * RESEND_IGMP is put as u32), and this keeps older/newer kernels working. */
static int get_uint(const struct nlattr *a, uint64_t *out) {
        switch (mnl_attr_get_payload_len(a)) {
        case 1: *out = mnl_attr_get_u8(a); return 0;
        case 2: *out = mnl_attr_get_u16(a); return 0;
        case 4: *out = mnl_attr_get_u32(a); return 0;
        case 8: *out = mnl_attr_get_u64(a); return 0;
        default: return -EBADMSG;
        }
}

static const struct bg_opt_info *opt_by_ifla(uint16_t type) {
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                if (o && o->ifla == type && o->nla != BG_NLA_NONE)
                        return o;
        }
        return NULL;
}

static int decode_addr_list(const struct nlattr *nest, int family, struct bg_optval *v) {
        const struct nlattr *a;
        size_t len = family == AF_INET ? 4 : 16;

        mnl_attr_for_each_nested(a, nest) {
                char text[INET6_ADDRSTRLEN];
                struct bg_optaddr *t;
                char **l;

                if (mnl_attr_get_payload_len(a) != len)
                        return -EBADMSG;
                if (!inet_ntop(family, mnl_attr_get_payload(a), text, sizeof(text)))
                        return -EBADMSG;
                /* the typed form beside the text, as the model keeps it */
                if (!(t = BG_NEW_SLOT(v->addrs, v->n_list)))
                        return -ENOMEM;
                t->family = family;
                memcpy(t->bytes, mnl_attr_get_payload(a), len);
                if (!(l = BG_NEW_SLOT(v->list, v->n_list)) || !(*l = strdup(text)))
                        return -ENOMEM;
                v->n_list++;
        }
        return 0;
}

static int decode_ad_info(const struct nlattr *nest, struct bg_nl_ad_info *ad) {
        const struct nlattr *a;

        ad->have = true;
        mnl_attr_for_each_nested(a, nest) {
                switch (mnl_attr_get_type(a)) {
                case IFLA_BOND_AD_INFO_AGGREGATOR: ad->aggregator = mnl_attr_get_u16(a); break;
                case IFLA_BOND_AD_INFO_NUM_PORTS: ad->num_ports = mnl_attr_get_u16(a); break;
                case IFLA_BOND_AD_INFO_ACTOR_KEY: ad->actor_key = mnl_attr_get_u16(a); break;
                case IFLA_BOND_AD_INFO_PARTNER_KEY: ad->partner_key = mnl_attr_get_u16(a); break;
                case IFLA_BOND_AD_INFO_PARTNER_MAC:
                        if (mnl_attr_get_payload_len(a) == 6)
                                memcpy(ad->partner_mac, mnl_attr_get_payload(a), 6);
                        break;
                default: break;
                }
        }
        return 0;
}

static int decode_bond(const struct nlattr *data, struct bg_nl_link *l) {
        const struct nlattr *a;
        int r;

        mnl_attr_for_each_nested(a, data) {
                uint16_t type = mnl_attr_get_type(a);
                const struct bg_opt_info *o;
                struct bg_optval *v;

                if (type == IFLA_BOND_AD_INFO) {
                        decode_ad_info(a, &l->ad_info);
                        continue;
                }
                o = opt_by_ifla(type);
                if (!o)
                        continue;       /* newer kernel: an option we do not know */
                v = &l->bond.val[o->id];
                bg_optval_clear(v);
                switch (o->nla) {
                case BG_NLA_U8: case BG_NLA_U16: case BG_NLA_U32: case BG_NLA_IFINDEX:
                        r = get_uint(a, &v->num);
                        break;
                case BG_NLA_MAC: {
                        char buf[18];
                        if (mnl_attr_get_payload_len(a) != 6)
                                return -EBADMSG;
                        bg_format_mac(mnl_attr_get_payload(a), buf);
                        memcpy(v->mac, mnl_attr_get_payload(a), 6);
                        v->str = strdup(buf);
                        r = v->str ? 0 : -ENOMEM;
                        break;
                }
                case BG_NLA_NESTED_IN4:
                        r = decode_addr_list(a, AF_INET, v);
                        break;
                case BG_NLA_NESTED_IN6:
                        r = decode_addr_list(a, AF_INET6, v);
                        break;
                default:
                        r = 0;
                        break;
                }
                if (r < 0)
                        return r;
                v->set = true;
                l->bond.have[o->id] = true;
        }
        return 0;
}

static void decode_slave(const struct nlattr *data, struct bg_nl_slave *s) {
        const struct nlattr *a;

        s->have = true;
        mnl_attr_for_each_nested(a, data) {
                uint64_t n = 0;

                if (mnl_attr_get_type(a) == IFLA_BOND_SLAVE_PERM_HWADDR) {
                        if (mnl_attr_get_payload_len(a) == 6) {
                                memcpy(s->perm_hwaddr, mnl_attr_get_payload(a), 6);
                                s->has_perm_hwaddr = true;
                        }
                        continue;
                }
                if (get_uint(a, &n) < 0)
                        continue;
                switch (mnl_attr_get_type(a)) {
                case IFLA_BOND_SLAVE_STATE: s->state = (uint8_t) n; break;
                case IFLA_BOND_SLAVE_MII_STATUS: s->mii_status = (uint8_t) n; break;
                case IFLA_BOND_SLAVE_LINK_FAILURE_COUNT: s->link_failure_count = (uint32_t) n; break;
                case IFLA_BOND_SLAVE_QUEUE_ID: s->queue_id = (uint16_t) n; break;
                case IFLA_BOND_SLAVE_AD_AGGREGATOR_ID: s->ad_aggregator_id = (uint16_t) n; break;
                case IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE: s->ad_actor_oper_port_state = (uint8_t) n; break;
                case IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE: s->ad_partner_oper_port_state = (uint16_t) n; break;
                case IFLA_BOND_SLAVE_PRIO: s->prio = (int32_t) (uint32_t) n, s->have_prio = true; break;
                default: break;
                }
        }
}

static void decode_vlan(const struct nlattr *data, struct bg_nl_link *l) {
        const struct nlattr *a;

        mnl_attr_for_each_nested(a, data) {
                if (mnl_attr_get_type(a) == IFLA_VLAN_ID && mnl_attr_get_payload_len(a) == 2)
                        l->vlan_id = mnl_attr_get_u16(a);
                else if (mnl_attr_get_type(a) == IFLA_VLAN_PROTOCOL && mnl_attr_get_payload_len(a) == 2)
                        l->vlan_proto = ntohs(mnl_attr_get_u16(a));   /* big-endian on the wire */
        }
}

static void decode_bridge(const struct nlattr *data, struct bg_nl_bridge *br) {
        const struct nlattr *a;

        mnl_attr_for_each_nested(a, data) {
                uint64_t n;

                if (get_uint(a, &n) < 0)
                        continue;
                switch (mnl_attr_get_type(a)) {
                case IFLA_BR_STP_STATE: br->stp_state = (uint32_t) n, br->have_stp = true; break;
                case IFLA_BR_FORWARD_DELAY: br->forward_delay = (uint32_t) n, br->have_forward_delay = true; break;
                case IFLA_BR_HELLO_TIME: br->hello_time = (uint32_t) n, br->have_hello_time = true; break;
                case IFLA_BR_MAX_AGE: br->max_age = (uint32_t) n, br->have_max_age = true; break;
                case IFLA_BR_PRIORITY: br->priority = (uint16_t) n, br->have_priority = true; break;
                default: break;
                }
        }
}

static void copy_str(char *dst, size_t len, const struct nlattr *a) {
        size_t n = mnl_attr_get_payload_len(a);
        const char *s = mnl_attr_get_payload(a);

        if (n >= len)
                n = len - 1;
        memcpy(dst, s, n);
        dst[n] = 0;
}

static int decode_linkinfo(const struct nlattr *li, struct bg_nl_link *l) {
        const struct nlattr *a, *data = NULL, *sdata = NULL;

        mnl_attr_for_each_nested(a, li) {
                switch (mnl_attr_get_type(a)) {
                case IFLA_INFO_KIND: copy_str(l->kind, sizeof(l->kind), a); break;
                case IFLA_INFO_SLAVE_KIND: copy_str(l->slave_kind, sizeof(l->slave_kind), a); break;
                case IFLA_INFO_DATA: data = a; break;
                case IFLA_INFO_SLAVE_DATA: sdata = a; break;
                default: break;
                }
        }
        l->is_bond = strcmp(l->kind, "bond") == 0;
        if (l->is_bond && data) {
                int r = decode_bond(data, l);
                if (r < 0)
                        return r;
        }
        if (strcmp(l->kind, "vlan") == 0 && data)
                decode_vlan(data, l);
        if (strcmp(l->kind, "bridge") == 0 && data)
                decode_bridge(data, &l->br);
        if (strcmp(l->slave_kind, "bond") == 0 && sdata)
                decode_slave(sdata, &l->slave);
        return 0;
}

int bg_nl_parse_link(const struct nlmsghdr *nlh, struct bg_nl_link *l) {
        const struct ifinfomsg *ifi;
        const struct nlattr *a;
        int r;

        memset(l, 0, sizeof(*l));
        if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
            nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
                return -EBADMSG;
        ifi = mnl_nlmsg_get_payload(nlh);
        /* An RTM_DELLINK of family AF_BRIDGE says a port left its bridge
         * (br_netlink.c:br_ifinfo_notify()); the device is still there. */
        l->deleted = nlh->nlmsg_type == RTM_DELLINK && ifi->ifi_family != AF_BRIDGE;
        l->ifindex = ifi->ifi_index;
        l->flags = ifi->ifi_flags;
        l->type = ifi->ifi_type;
        mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
                switch (mnl_attr_get_type(a)) {
                case IFLA_IFNAME: copy_str(l->name, sizeof(l->name), a); break;
                case IFLA_MTU: l->mtu = mnl_attr_get_u32(a); break;
                case IFLA_MASTER: l->master = (int) mnl_attr_get_u32(a); break;
                case IFLA_LINK: l->link = (int) mnl_attr_get_u32(a); break;
                case IFLA_LINK_NETNSID: l->link_other_ns = true; break;
                case IFLA_OPERSTATE: l->operstate = mnl_attr_get_u8(a); break;
                case IFLA_CARRIER:
                        l->carrier = mnl_attr_get_u8(a) != 0;
                        l->has_carrier = true;
                        break;
                case IFLA_ADDRESS:
                        if (mnl_attr_get_payload_len(a) == 6) {
                                memcpy(l->mac, mnl_attr_get_payload(a), 6);
                                l->has_mac = true;
                        }
                        break;
                case IFLA_PERM_ADDRESS:
                        if (mnl_attr_get_payload_len(a) == 6) {
                                memcpy(l->perm_mac, mnl_attr_get_payload(a), 6);
                                l->has_perm_mac = true;
                        }
                        break;
                case IFLA_LINKINFO:
                        r = decode_linkinfo(a, l);
                        if (r < 0) {
                                bg_nl_link_clear(l);
                                return r;
                        }
                        break;
                default: break;
                }
        }
        if (!l->name[0]) {
                bg_nl_link_clear(l);
                return -EBADMSG;
        }
        return 0;
}

void bg_nl_link_clear(struct bg_nl_link *l) {
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&l->bond.val[i]);
        memset(&l->bond, 0, sizeof(l->bond));
}

bool bg_nl_link_running(const struct bg_nl_link *l) {
        if (!(l->flags & IFF_UP))
                return false;
        return l->has_carrier ? l->carrier : (l->flags & IFF_LOWER_UP) != 0;
}

int bg_nl_parse_addr(const struct nlmsghdr *nlh, struct bg_nl_addr *out) {
        const struct ifaddrmsg *ifa;
        const struct nlattr *a, *local = NULL, *addr = NULL;
        size_t len;

        memset(out, 0, sizeof(*out));
        if ((nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR) ||
            nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
                return -EBADMSG;
        ifa = mnl_nlmsg_get_payload(nlh);
        out->deleted = nlh->nlmsg_type == RTM_DELADDR;
        out->family = ifa->ifa_family;
        out->prefixlen = ifa->ifa_prefixlen;
        out->scope = ifa->ifa_scope;
        out->ifindex = (int) ifa->ifa_index;
        out->flags = ifa->ifa_flags;
        len = out->family == AF_INET ? 4 : out->family == AF_INET6 ? 16 : 0;
        if (!len)
                return -EAFNOSUPPORT;
        mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
                if (mnl_attr_get_type(a) == IFA_LOCAL)
                        local = a;
                else if (mnl_attr_get_type(a) == IFA_ADDRESS)
                        addr = a;
                else if (mnl_attr_get_type(a) == IFA_FLAGS && mnl_attr_get_payload_len(a) == 4)
                        out->flags = mnl_attr_get_u32(a);   /* the 32-bit flags (ifa_flags has 8) */
        }
        /* IFA_LOCAL is the own address on point-to-point links; IPv6 sends
         * only IFA_ADDRESS. */
        if (local)
                addr = local;
        if (!addr || mnl_attr_get_payload_len(addr) != len)
                return -EBADMSG;
        memcpy(out->addr, mnl_attr_get_payload(addr), len);
        return 0;
}

int bg_nl_parse_route(const struct nlmsghdr *nlh, struct bg_nl_route *out) {
        const struct rtmsg *rtm;
        const struct nlattr *a;
        size_t len;

        memset(out, 0, sizeof(*out));
        if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
                return -EBADMSG;
        rtm = mnl_nlmsg_get_payload(nlh);
        out->family = rtm->rtm_family;
        out->dst_len = rtm->rtm_dst_len;
        out->table = rtm->rtm_table;
        out->protocol = rtm->rtm_protocol;
        out->scope = rtm->rtm_scope;
        out->type = rtm->rtm_type;
        len = out->family == AF_INET ? 4 : out->family == AF_INET6 ? 16 : 0;
        if (!len)
                return -EAFNOSUPPORT;
        mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
                switch (mnl_attr_get_type(a)) {
                case RTA_DST:
                        if (mnl_attr_get_payload_len(a) == len)
                                memcpy(out->dst, mnl_attr_get_payload(a), len);
                        break;
                case RTA_GATEWAY:
                        if (mnl_attr_get_payload_len(a) == len) {
                                memcpy(out->gateway, mnl_attr_get_payload(a), len);
                                out->has_gateway = true;
                        }
                        break;
                case RTA_OIF: out->oif = (int) mnl_attr_get_u32(a); break;
                case RTA_PRIORITY: out->metric = mnl_attr_get_u32(a); break;
                case RTA_TABLE: out->table = mnl_attr_get_u32(a); break;
                default: break;
                }
        }
        return 0;
}

int bg_nl_bond_opt_at(const struct nlmsghdr *req, uint32_t off) {
        const struct nlattr *a, *b, *c;

        if (req->nlmsg_type != RTM_NEWLINK || off >= req->nlmsg_len)
                return -1;
        mnl_attr_for_each(a, req, sizeof(struct ifinfomsg)) {
                if (mnl_attr_get_type(a) != IFLA_LINKINFO)
                        continue;
                mnl_attr_for_each_nested(b, a) {
                        if (mnl_attr_get_type(b) != IFLA_INFO_DATA)
                                continue;
                        mnl_attr_for_each_nested(c, b) {
                                uint32_t start = (uint32_t) ((const char *) c - (const char *) req);
                                const struct bg_opt_info *o;

                                if (off < start || off >= start + c->nla_len)
                                        continue;
                                o = opt_by_ifla(mnl_attr_get_type(c));
                                return o ? (int) o->id : -1;
                        }
                }
        }
        return -1;
}

void bg_nl_state_free(struct bg_nl_state *s) {
        for (size_t i = 0; i < s->n_links; i++)
                bg_nl_link_clear(&s->links[i]);
        free(s->links);
        free(s->addrs);
        free(s->routes);
        memset(s, 0, sizeof(*s));
}

const struct bg_nl_link *bg_nl_state_link(const struct bg_nl_state *s, const char *name) {
        for (size_t i = 0; name && i < s->n_links; i++)
                if (strcmp(s->links[i].name, name) == 0)
                        return &s->links[i];
        return NULL;
}

const struct bg_nl_link *bg_nl_state_link_by_index(const struct bg_nl_state *s, int ifindex) {
        for (size_t i = 0; ifindex > 0 && i < s->n_links; i++)
                if (s->links[i].ifindex == ifindex)
                        return &s->links[i];
        return NULL;
}

const struct bg_nl_link *bg_nl_state_link_by_mac(const struct bg_nl_state *s, const uint8_t mac[6]) {
        /* A port enslaved to a balance-rr bond carries the bond's MAC; its
         * own is kept as the bond's PERM_HWADDR or the device's
         * PERM_ADDRESS. Prefer those, then fall back to the current MAC. */
        for (size_t i = 0; i < s->n_links; i++) {
                const struct bg_nl_link *l = &s->links[i];
                if (l->slave.has_perm_hwaddr && memcmp(l->slave.perm_hwaddr, mac, 6) == 0)
                        return l;
                if (l->has_perm_mac && memcmp(l->perm_mac, mac, 6) == 0)
                        return l;
        }
        for (size_t i = 0; i < s->n_links; i++) {
                const struct bg_nl_link *l = &s->links[i];
                if (!l->slave.has_perm_hwaddr && !l->has_perm_mac && l->has_mac &&
                    !l->is_bond && memcmp(l->mac, mac, 6) == 0)
                        return l;
        }
        return NULL;
}
