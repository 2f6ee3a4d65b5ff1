/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Links and addresses for the forwarder: rtnetlink (libmnl) for link
 * events, link queries and addresses/routes on the TAP; classic ioctls for
 * the simple per-link settings (flags, MTU, MAC) and ethtool speed/duplex.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fwd/core.h"

static int ctl_sock(void) {
        static int fd = -1;

        if (fd < 0)
                fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        return fd;
}

static int ifreq_for(const char *name, struct ifreq *ifr) {
        memset(ifr, 0, sizeof(*ifr));
        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
        return 0;
}

int bg_nl_get_flags(const char *name, unsigned *flags) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        *flags = (unsigned short) ifr.ifr_flags;
        return 0;
}

int bg_nl_set_flags(const char *name, unsigned set, unsigned clear) {
        struct ifreq ifr;
        unsigned f;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        f = ((unsigned short) ifr.ifr_flags | set) & ~clear;
        if (f == (unsigned short) ifr.ifr_flags)
                return 0;
        ifr.ifr_flags = (short) f;
        if (ioctl(ctl_sock(), SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}

int bg_nl_get_mtu(const char *name, uint32_t *mtu) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFMTU, &ifr) < 0)
                return -errno;
        *mtu = (uint32_t) ifr.ifr_mtu;
        return 0;
}

int bg_nl_set_mtu(const char *name, uint32_t mtu) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        ifr.ifr_mtu = (int) mtu;
        if (ioctl(ctl_sock(), SIOCSIFMTU, &ifr) < 0)
                return -errno;
        return 0;
}

int bg_nl_get_mac(const char *name, uint8_t mac[6]) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFHWADDR, &ifr) < 0)
                return -errno;
        if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
                return -EPROTONOSUPPORT;
        memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
        return 0;
}

int bg_nl_set_mac(const char *name, const uint8_t mac[6]) {
        struct ifreq ifr;
        unsigned flags;
        int r;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
        memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
        if (ioctl(ctl_sock(), SIOCSIFHWADDR, &ifr) >= 0)
                return 0;
        if (errno != EBUSY)
                return -errno;
        /* A device that cannot change its address while up. */
        r = bg_nl_get_flags(name, &flags);
        if (r < 0)
                return r;
        (void) bg_nl_set_flags(name, 0, IFF_UP);
        r = ioctl(ctl_sock(), SIOCSIFHWADDR, &ifr) < 0 ? -errno : 0;
        if (flags & IFF_UP)
                (void) bg_nl_set_flags(name, IFF_UP, 0);
        return r;
}

int bg_nl_ifindex(const char *name) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFINDEX, &ifr) < 0)
                return -errno;
        return ifr.ifr_ifindex;
}

void bg_nl_get_speed(const char *name, uint32_t *speed, uint8_t *duplex) {
        struct ethtool_cmd ec = { .cmd = ETHTOOL_GSET };
        struct ifreq ifr;

        *speed = 0;
        *duplex = 0xff;
        if (ifreq_for(name, &ifr) < 0)
                return;
        ifr.ifr_data = (void *) &ec;
        if (ioctl(ctl_sock(), SIOCETHTOOL, &ifr) < 0)
                return;
        uint32_t s = ethtool_cmd_speed(&ec);
        if (s != (uint32_t) SPEED_UNKNOWN && s != 0xffff)
                *speed = s;
        if (ec.duplex == DUPLEX_FULL || ec.duplex == DUPLEX_HALF)
                *duplex = ec.duplex == DUPLEX_FULL;
}

/* /proc/sys/net/ipv{4,6}/conf/IF/KEY */
int bg_nl_sysctl_get(const char *fam, const char *ifname, const char *key, int *val) {
        char path[256], buf[32];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", fam, ifname, key);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = 0;
        *val = atoi(buf);
        return 0;
}

int bg_nl_sysctl_set(const char *fam, const char *ifname, const char *key, int val) {
        char path[256], buf[32];
        int fd, len, r = 0;

        snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", fam, ifname, key);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        len = snprintf(buf, sizeof(buf), "%d\n", val);
        if (write(fd, buf, (size_t) len) != len)
                r = -errno;
        close(fd);
        return r;
}

/* ---- rtnetlink ---- */

struct mnl_socket *bg_nl_open_events(void) {
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
        int one = 1;

        if (!nl)
                return NULL;
        if (mnl_socket_bind(nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
                mnl_socket_close(nl);
                return NULL;
        }
        /* A burst of events must not silently drop carrier changes. */
        (void) setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 1 << 20 },
                          sizeof(int));
        (void) one;
        return nl;
}

static int link_attr_cb(const struct nlattr *a, void *data) {
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(a);

        if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
                return MNL_CB_OK;
        tb[type] = a;
        return MNL_CB_OK;
}

int bg_nl_parse_link(const struct nlmsghdr *nlh, struct bg_nl_link *out) {
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *tb[IFLA_MAX + 1] = {};

        if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
                return -EINVAL;
        memset(out, 0, sizeof(*out));
        mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb);
        out->deleted = nlh->nlmsg_type == RTM_DELLINK;
        out->ifindex = ifi->ifi_index;
        out->flags = ifi->ifi_flags;
        if (tb[IFLA_IFNAME])
                snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
        if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
                memcpy(out->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
                out->has_mac = true;
        }
        if (tb[IFLA_MTU])
                out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
        out->carrier = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
        if (tb[IFLA_CARRIER])
                out->carrier = (ifi->ifi_flags & IFF_UP) && mnl_attr_get_u8(tb[IFLA_CARRIER]);
        return 0;
}

static int addr_attr_cb(const struct nlattr *a, void *data) {
        const struct nlattr **tb = data;

        if (mnl_attr_type_valid(a, IFA_MAX) < 0)
                return MNL_CB_OK;
        tb[mnl_attr_get_type(a)] = a;
        return MNL_CB_OK;
}

int bg_nl_parse_addr(const struct nlmsghdr *nlh, int *ifindex, int *family, uint8_t addr[16], bool *deleted) {
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *tb[IFA_MAX + 1] = {};
        const struct nlattr *a;

        if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
                return -EINVAL;
        mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
        a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
        if (!a)
                return -EINVAL;
        *ifindex = (int) ifa->ifa_index;
        *family = ifa->ifa_family;
        *deleted = nlh->nlmsg_type == RTM_DELADDR;
        if (ifa->ifa_family == AF_INET && mnl_attr_get_payload_len(a) == 4)
                memcpy(addr, mnl_attr_get_payload(a), 4);
        else if (ifa->ifa_family == AF_INET6 && mnl_attr_get_payload_len(a) == 16)
                memcpy(addr, mnl_attr_get_payload(a), 16);
        else
                return -EINVAL;
        return 0;
}

static int request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        char buf[16384];
        uint32_t seq = (uint32_t) time(NULL), portid;
        ssize_t n;
        int r;

        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                mnl_socket_close(nl);
                return r;
        }
        portid = mnl_socket_get_portid(nl);
        nlh->nlmsg_seq = seq;
        nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
                r = -errno;
                mnl_socket_close(nl);
                return r;
        }
        r = 0;
        while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
                r = mnl_cb_run(buf, (size_t) n, seq, portid, cb, data);
                if (r <= MNL_CB_STOP)
                        break;
        }
        if (n < 0)
                r = -errno;
        else if (r < 0)
                r = -errno;
        else
                r = 0;
        mnl_socket_close(nl);
        return r;
}

struct link_query {
        struct bg_nl_link *out;
        bool found;
};

static int link_query_cb(const struct nlmsghdr *nlh, void *data) {
        struct link_query *q = data;

        if (bg_nl_parse_link(nlh, q->out) == 0)
                q->found = true;
        return MNL_CB_OK;
}

int bg_nl_get_link(const char *name, struct bg_nl_link *out) {
        char buf[8192];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;
        struct link_query q = { .out = out };
        int r;

        nlh->nlmsg_type = RTM_GETLINK;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        r = request(nlh, link_query_cb, &q);
        if (r < 0)
                return r;
        return q.found ? 0 : -ENODEV;
}

/* Add an address ("10.0.0.1/24", "2001:db8::1/64") to ifindex. */
int bg_nl_add_address(int ifindex, const char *cidr) {
        char buf[8192], a[64];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifaddrmsg *ifa;
        unsigned char bin[16];
        char *slash;
        int fam, plen;

        snprintf(a, sizeof(a), "%s", cidr);
        slash = strchr(a, '/');
        if (slash)
                *slash++ = 0;
        fam = strchr(a, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(fam, a, bin) != 1)
                return -EINVAL;
        plen = slash ? atoi(slash) : (fam == AF_INET ? 32 : 128);
        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (unsigned char) fam;
        ifa->ifa_prefixlen = (unsigned char) plen;
        ifa->ifa_index = (unsigned) ifindex;
        mnl_attr_put(nlh, IFA_LOCAL, fam == AF_INET ? 4 : 16, bin);
        mnl_attr_put(nlh, IFA_ADDRESS, fam == AF_INET ? 4 : 16, bin);
        return request(nlh, NULL, NULL);
}

/* Add a route (to "default" or a prefix, via gateway or NULL) on ifindex. */
int bg_nl_add_route(int ifindex, const char *to, const char *via, uint32_t metric) {
        char buf[8192], a[64];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct rtmsg *rtm;
        unsigned char dst[16], gw[16];
        int fam = AF_INET, plen = 0;
        bool has_dst = false;

        if (to && strcmp(to, "default")) {
                char *slash;
                snprintf(a, sizeof(a), "%s", to);
                slash = strchr(a, '/');
                if (slash)
                        *slash++ = 0;
                fam = strchr(a, ':') ? AF_INET6 : AF_INET;
                if (inet_pton(fam, a, dst) != 1)
                        return -EINVAL;
                plen = slash ? atoi(slash) : (fam == AF_INET ? 32 : 128);
                has_dst = true;
        } else if (via && strchr(via, ':'))
                fam = AF_INET6;
        if (via && inet_pton(fam, via, gw) != 1)
                return -EINVAL;
        nlh->nlmsg_type = RTM_NEWROUTE;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (unsigned char) fam;
        rtm->rtm_dst_len = (unsigned char) plen;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
        rtm->rtm_type = RTN_UNICAST;
        if (has_dst)
                mnl_attr_put(nlh, RTA_DST, fam == AF_INET ? 4 : 16, dst);
        if (via)
                mnl_attr_put(nlh, RTA_GATEWAY, fam == AF_INET ? 4 : 16, gw);
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t) ifindex);
        if (metric)
                mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
        return request(nlh, NULL, NULL);
}

int bg_nl_get_addrs(const char *ifname, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16],
                    size_t max6, size_t *n6) {
        struct ifaddrs *ifa, *i;

        *n4 = *n6 = 0;
        if (getifaddrs(&ifa) < 0)
                return -errno;
        for (i = ifa; i; i = i->ifa_next) {
                if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
                        continue;
                if (i->ifa_addr->sa_family == AF_INET && *n4 < max4)
                        v4[(*n4)++] = ((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr;
                else if (i->ifa_addr->sa_family == AF_INET6 && *n6 < max6)
                        memcpy(v6[(*n6)++], &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, 16);
        }
        freeifaddrs(ifa);
        return 0;
}
