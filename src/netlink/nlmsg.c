/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request builders. Pure functions over a caller buffer, so the unit tests
 * can compare the exact bytes. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "netlink.h"

void bg_nl_linkset_init(struct bg_nl_linkset *s) {
        memset(s, 0, sizeof(*s));
        s->up = -1;
        s->master = -1;
}

static struct nlmsghdr *put_header(void *buf, uint32_t seq, uint16_t type, uint16_t flags) {
        struct nlmsghdr *nlh;

        memset(buf, 0, BG_NL_BUFSIZE);
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = seq;
        return nlh;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int ifindex) {
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return ifi;
}

/* IFLA_LINKINFO { kind, data { ... } }: the link's own kind and attributes
 * (IFLA_INFO_KIND/DATA), or with port set those of a port under its master
 * (IFLA_INFO_SLAVE_KIND/SLAVE_DATA); the kernel's side is
 * rtnl_link_info_fill() in net/core/rtnetlink.c. The caller puts the
 * attributes between linkinfo_start() and linkinfo_end(). */
struct linkinfo {
        struct nlattr *info, *data;
};

static struct linkinfo linkinfo_start(struct nlmsghdr *nlh, bool port, const char *kind) {
        struct linkinfo li;

        li.info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, port ? IFLA_INFO_SLAVE_KIND : IFLA_INFO_KIND, kind);
        li.data = mnl_attr_nest_start(nlh, port ? IFLA_INFO_SLAVE_DATA : IFLA_INFO_DATA);
        return li;
}

static void linkinfo_end(struct nlmsghdr *nlh, struct linkinfo li) {
        mnl_attr_nest_end(nlh, li.data);
        mnl_attr_nest_end(nlh, li.info);
}

static int put_addr_list(struct nlmsghdr *nlh, const struct bg_opt_info *o,
                         const struct bg_optval *v, int family, char *err, size_t errlen) {
        struct nlattr *nest;
        size_t len = family == AF_INET ? 4 : 16;

        /* The kernel takes the whole list at once (it replaces the old one)
         * and reads each child's payload as a raw address; the child type is
         * just the slot number. An empty nest clears the list. */
        nest = mnl_attr_nest_start_check(nlh, BG_NL_BUFSIZE, o->ifla);
        if (!nest)
                return -EMSGSIZE;
        for (size_t i = 0; i < v->n_list; i++) {
                /* the model parsed each address once (struct bg_optaddr) */
                if (!v->addrs || v->addrs[i].family != family) {
                        if (err)
                                snprintf(err, errlen, "%s: '%s' is not an %s address", o->name,
                                         v->list[i], family == AF_INET ? "IPv4" : "IPv6");
                        return -EINVAL;
                }
                if (!mnl_attr_put_check(nlh, BG_NL_BUFSIZE, (uint16_t) i, len, v->addrs[i].bytes))
                        return -EMSGSIZE;
        }
        mnl_attr_nest_end(nlh, nest);
        return 0;
}

int bg_nl_put_bond_opt(struct nlmsghdr *nlh, const struct bg_opt_info *o,
                       const struct bg_optval *v, char *err, size_t errlen) {
        bool ok = true;

        if (o->ifla == 0 || o->nla == BG_NLA_NONE)
                return 0;
        switch (o->nla) {
        case BG_NLA_U8:
                if (v->num > UINT8_MAX)
                        goto range;
                ok = mnl_attr_put_u8_check(nlh, BG_NL_BUFSIZE, o->ifla, (uint8_t) v->num);
                break;
        case BG_NLA_U16:
                if (v->num > UINT16_MAX)
                        goto range;
                ok = mnl_attr_put_u16_check(nlh, BG_NL_BUFSIZE, o->ifla, (uint16_t) v->num);
                break;
        case BG_NLA_U32:
        case BG_NLA_IFINDEX:
                if (v->num > UINT32_MAX)
                        goto range;
                ok = mnl_attr_put_u32_check(nlh, BG_NL_BUFSIZE, o->ifla, (uint32_t) v->num);
                break;
        case BG_NLA_MAC: {
                if (!v->str) {
                        if (err)
                                snprintf(err, errlen, "%s: no MAC address", o->name);
                        return -EINVAL;
                }
                ok = mnl_attr_put_check(nlh, BG_NL_BUFSIZE, o->ifla, sizeof(v->mac), v->mac);
                break;
        }
        case BG_NLA_NESTED_IN4:
                return put_addr_list(nlh, o, v, AF_INET, err, errlen);
        case BG_NLA_NESTED_IN6:
                return put_addr_list(nlh, o, v, AF_INET6, err, errlen);
        case BG_NLA_NONE:
                return 0;
        }
        return ok ? 0 : -EMSGSIZE;
range:
        if (err)
                snprintf(err, errlen, "%s: value %llu does not fit the kernel's attribute",
                         o->name, (unsigned long long) v->num);
        return -EINVAL;
}

int bg_nl_msg_bond(void *buf, uint32_t seq, bool create, const char *name, int ifindex,
                   const struct bg_nl_bond_opts *opts, struct nlmsghdr **out,
                   char *err, size_t errlen) {
        struct nlmsghdr *nlh;
        struct linkinfo li;
        int r;

        nlh = put_header(buf, seq, RTM_NEWLINK,
                         NLM_F_ACK | (create ? NLM_F_CREATE | NLM_F_EXCL : 0));
        put_ifinfo(nlh, create ? 0 : ifindex);
        if (name && !mnl_attr_put_strz_check(nlh, BG_NL_BUFSIZE, IFLA_IFNAME, name))
                return -EMSGSIZE;
        /* Born with its MAC (addr_assign_type NET_ADDR_SET), a bond keeps
         * it when its first port joins (bond_enslave() takes the port's MAC
         * only for a NET_ADDR_RANDOM bond), and udev's MACAddressPolicy
         * (systemd.link(5): "persistent" in 99-default.link) leaves it
         * alone, where it would otherwise race the first enslave. */
        if (create && opts && opts->have_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, opts->mac);
        li = linkinfo_start(nlh, false, "bond");
        for (unsigned i = 0; opts && i < BG_OPT__MAX; i++) {
                if (!opts->have[i])
                        continue;
                r = bg_nl_put_bond_opt(nlh, bg_opt_get(i), &opts->val[i], err, errlen);
                if (r < 0)
                        return r;
        }
        linkinfo_end(nlh, li);
        *out = nlh;
        return 0;
}

int bg_nl_msg_vlan(void *buf, uint32_t seq, const char *name, int parent, uint16_t id,
                   struct nlmsghdr **out) {
        struct nlmsghdr *nlh;
        struct linkinfo li;

        if (!name || !name[0] || strlen(name) >= IFNAMSIZ || parent <= 0 || id < 1 || id > 4094)
                return -EINVAL;
        nlh = put_header(buf, seq, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        put_ifinfo(nlh, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t) parent);
        li = linkinfo_start(nlh, false, "vlan");
        mnl_attr_put_u16(nlh, IFLA_VLAN_ID, id);
        linkinfo_end(nlh, li);
        *out = nlh;
        return 0;
}

/* A request the kernel answers with EOPNOTSUPP ("Unknown device type")
 * when it has no 802.1Q driver, and otherwise refuses for want of the VLAN
 * attributes (vlan_netlink.c:vlan_validate(): "VLAN properties not
 * specified", EINVAL) before anything is made: rtnl_newlink() looks the
 * kind up, loading the module as a real create would, before it asks the
 * kind to validate. No name, no link, no data: never a device. */
int bg_nl_msg_vlan_probe(void *buf, uint32_t seq, struct nlmsghdr **out) {
        struct nlmsghdr *nlh = put_header(buf, seq, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        struct nlattr *info;

        put_ifinfo(nlh, 0);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vlan");
        mnl_attr_nest_end(nlh, info);
        *out = nlh;
        return 0;
}

int bg_nl_msg_bridge(void *buf, uint32_t seq, bool create, const char *name, int ifindex,
                     const struct bg_nl_bridge *br, struct nlmsghdr **out) {
        struct nlmsghdr *nlh;
        struct linkinfo li;

        if (create ? !name || !name[0] || strlen(name) >= IFNAMSIZ : ifindex <= 0)
                return -EINVAL;
        nlh = put_header(buf, seq, RTM_NEWLINK, NLM_F_ACK | (create ? NLM_F_CREATE | NLM_F_EXCL : 0));
        put_ifinfo(nlh, create ? 0 : ifindex);
        if (create)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        li = linkinfo_start(nlh, false, "bridge");
        /* br_changelink() applies the times before IFLA_BR_STP_STATE and
         * checks the forward delay against the STP state it finds, so a
         * request turning STP on with a new delay is taken in one go. */
        if (br && br->have_forward_delay)
                mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, br->forward_delay);
        if (br && br->have_hello_time)
                mnl_attr_put_u32(nlh, IFLA_BR_HELLO_TIME, br->hello_time);
        if (br && br->have_max_age)
                mnl_attr_put_u32(nlh, IFLA_BR_MAX_AGE, br->max_age);
        if (br && br->have_stp)
                mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, br->stp_state);
        if (br && br->have_priority)
                mnl_attr_put_u16(nlh, IFLA_BR_PRIORITY, br->priority);
        linkinfo_end(nlh, li);
        *out = nlh;
        return 0;
}

int bg_nl_msg_setlink(void *buf, uint32_t seq, int ifindex, const struct bg_nl_linkset *s,
                      struct nlmsghdr **out) {
        struct nlmsghdr *nlh = put_header(buf, seq, RTM_NEWLINK, NLM_F_ACK);
        struct ifinfomsg *ifi = put_ifinfo(nlh, ifindex);

        if (s->up >= 0) {
                ifi->ifi_change = IFF_UP;
                ifi->ifi_flags = s->up ? IFF_UP : 0;
        }
        if (s->master >= 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) s->master);
        if (s->mtu)
                mnl_attr_put_u32(nlh, IFLA_MTU, s->mtu);
        if (s->set_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, s->mac);
        *out = nlh;
        return 0;
}

/* RTM_NEWLINK with IFLA_INFO_SLAVE_DATA of a bond port holding one
 * attribute (len bytes): bond_netlink.c:bond_slave_changelink(). The
 * kernel takes slave data only for a link that is already a port (the
 * master's ops decide), so it cannot ride in the enslave message. */
static int slave_attr(void *buf, uint32_t seq, int ifindex, uint16_t type, const void *data, size_t len,
                      struct nlmsghdr **out) {
        struct nlmsghdr *nlh = put_header(buf, seq, RTM_NEWLINK, NLM_F_ACK);
        struct linkinfo li;

        put_ifinfo(nlh, ifindex);
        li = linkinfo_start(nlh, true, "bond");
        mnl_attr_put(nlh, type, len, data);
        linkinfo_end(nlh, li);
        *out = nlh;
        return 0;
}

int bg_nl_msg_slave_queue_id(void *buf, uint32_t seq, int ifindex, uint16_t queue_id,
                             struct nlmsghdr **out) {
        return slave_attr(buf, seq, ifindex, IFLA_BOND_SLAVE_QUEUE_ID, &queue_id, sizeof(queue_id), out);
}

int bg_nl_msg_slave_prio(void *buf, uint32_t seq, int ifindex, int32_t prio, struct nlmsghdr **out) {
        return slave_attr(buf, seq, ifindex, IFLA_BOND_SLAVE_PRIO, &prio, sizeof(prio), out);
}

int bg_nl_msg_dellink(void *buf, uint32_t seq, int ifindex, struct nlmsghdr **out) {
        struct nlmsghdr *nlh = put_header(buf, seq, RTM_DELLINK, NLM_F_ACK);

        put_ifinfo(nlh, ifindex);
        *out = nlh;
        return 0;
}

static size_t addr_len(int family) {
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int bg_nl_msg_addr(void *buf, uint32_t seq, bool add, const struct bg_nl_addr *a,
                   struct nlmsghdr **out) {
        struct nlmsghdr *nlh;
        struct ifaddrmsg *ifa;
        size_t len = addr_len(a->family);

        if (!len || a->prefixlen > len * 8 || a->ifindex <= 0)
                return -EINVAL;
        nlh = put_header(buf, seq, add ? RTM_NEWADDR : RTM_DELADDR,
                         NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0));
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (uint8_t) a->family;
        ifa->ifa_prefixlen = (uint8_t) a->prefixlen;
        ifa->ifa_scope = a->scope;
        ifa->ifa_index = (uint32_t) a->ifindex;
        /* IPv4 wants both: IFA_LOCAL is the interface address, IFA_ADDRESS
         * the peer (equal on broadcast links), as ip-address(8) sends. */
        mnl_attr_put(nlh, IFA_LOCAL, len, a->addr);
        mnl_attr_put(nlh, IFA_ADDRESS, len, a->addr);
        *out = nlh;
        return 0;
}

int bg_nl_msg_route(void *buf, uint32_t seq, bool add, const struct bg_nl_route *r,
                    struct nlmsghdr **out) {
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
        size_t len = addr_len(r->family);

        if (!len || r->dst_len > len * 8)
                return -EINVAL;
        nlh = put_header(buf, seq, add ? RTM_NEWROUTE : RTM_DELROUTE,
                         NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0));
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (uint8_t) r->family;
        rtm->rtm_dst_len = (uint8_t) r->dst_len;
        rtm->rtm_table = r->table < 256 ? (uint8_t) r->table : RT_TABLE_UNSPEC;
        rtm->rtm_protocol = r->protocol;
        rtm->rtm_scope = r->scope;
        rtm->rtm_type = r->type ? r->type : RTN_UNICAST;
        if (r->dst_len)
                mnl_attr_put(nlh, RTA_DST, len, r->dst);
        if (r->has_gateway)
                mnl_attr_put(nlh, RTA_GATEWAY, len, r->gateway);
        if (r->oif > 0)
                mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t) r->oif);
        if (r->metric)
                mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
        if (r->table >= 256)
                mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
        *out = nlh;
        return 0;
}

int bg_nl_msg_getroute4(void *buf, uint32_t seq, uint32_t dst_be, struct nlmsghdr **out) {
        struct nlmsghdr *nlh = put_header(buf, seq, RTM_GETROUTE, 0);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

        rtm->rtm_family = AF_INET;
        rtm->rtm_dst_len = 32;
        mnl_attr_put(nlh, RTA_DST, 4, &dst_be);
        *out = nlh;
        return 0;
}

int bg_nl_msg_dump(void *buf, uint32_t seq, uint16_t type, struct nlmsghdr **out) {
        struct nlmsghdr *nlh = put_header(buf, seq, type, NLM_F_DUMP);

        switch (type) {
        case RTM_GETLINK:
                put_ifinfo(nlh, 0);
                /* Ask for the stats-free form; VF info is not wanted either. */
                mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
                break;
        case RTM_GETADDR: {
                struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
                ifa->ifa_family = AF_UNSPEC;
                break;
        }
        case RTM_GETROUTE: {
                struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
                rtm->rtm_family = AF_UNSPEC;
                break;
        }
        default:
                return -EINVAL;
        }
        *out = nlh;
        return 0;
}

int bg_nl_msg_getlink(void *buf, uint32_t seq, int ifindex, const char *name,
                      struct nlmsghdr **out) {
        struct nlmsghdr *nlh;

        if (ifindex <= 0 && (!name || !name[0] || strlen(name) >= IFNAMSIZ))
                return -EINVAL;
        nlh = put_header(buf, seq, RTM_GETLINK, 0);
        put_ifinfo(nlh, ifindex > 0 ? ifindex : 0);
        if (ifindex <= 0)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        /* Only what a link query needs: no stats, no VF info. */
        mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        *out = nlh;
        return 0;
}
