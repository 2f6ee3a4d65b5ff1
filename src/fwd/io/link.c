/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The forwarder's per-link settings that are not rtnetlink: classic ioctls
 * for flags, MTU, MAC and ifindex, ethtool speed/duplex, and the per-link
 * sysctls. Everything rtnetlink (link events and queries, addresses,
 * routes) is src/netlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fwd/io/core.h"

static int ctl_sock(void) {
        static int fd = -1;

        if (fd < 0)
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        return fd;
}

static int ifreq_for(const char *name, struct ifreq *ifr) {
        memset(ifr, 0, sizeof(*ifr));
        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
        return 0;
}

int bg_fwd_link_get_flags(const char *name, unsigned *flags) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        *flags = (unsigned short) ifr.ifr_flags;
        return 0;
}

int bg_fwd_link_set_flags(const char *name, unsigned set, unsigned clear) {
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

int bg_fwd_link_get_mtu(const char *name, uint32_t *mtu) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFMTU, &ifr) < 0)
                return -errno;
        *mtu = (uint32_t) ifr.ifr_mtu;
        return 0;
}

int bg_fwd_link_set_mtu(const char *name, uint32_t mtu) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        ifr.ifr_mtu = (int) mtu;
        if (ioctl(ctl_sock(), SIOCSIFMTU, &ifr) < 0)
                return -errno;
        return 0;
}

int bg_fwd_link_get_mac(const char *name, uint8_t mac[6]) {
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

int bg_fwd_link_set_mac(const char *name, const uint8_t mac[6]) {
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
        r = bg_fwd_link_get_flags(name, &flags);
        if (r < 0)
                return r;
        (void) bg_fwd_link_set_flags(name, 0, IFF_UP);
        r = ioctl(ctl_sock(), SIOCSIFHWADDR, &ifr) < 0 ? -errno : 0;
        if (flags & IFF_UP)
                (void) bg_fwd_link_set_flags(name, IFF_UP, 0);
        return r;
}

int bg_fwd_link_ifindex(const char *name) {
        struct ifreq ifr;

        if (ifreq_for(name, &ifr) < 0)
                return -EINVAL;
        if (ioctl(ctl_sock(), SIOCGIFINDEX, &ifr) < 0)
                return -errno;
        return ifr.ifr_ifindex;
}

void bg_fwd_link_get_speed(const char *name, uint32_t *speed, uint8_t *duplex) {
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
int bg_fwd_sysctl_get(const char *fam, const char *ifname, const char *key, int *val) {
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

int bg_fwd_sysctl_set(const char *fam, const char *ifname, const char *key, int val) {
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
