/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bond device is a TAP. With IFF_VNET_HDR and TUNSETOFFLOAD the kernel
 * hands us whole 64 KB GSO frames with partial checksums and a virtio-net
 * header describing them, which the ports pass on unchanged with
 * PACKET_VNET_HDR (packet(7)): no segmentation and no
 * checksumming in user space, and TCP works although the peers' stacks
 * leave checksums to "hardware".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>

#include "fwd/io/core.h"

int bg_tap_open(const char *name, int *ifindex) {
        struct ifreq ifr = {};
        int fd, r, hdr = sizeof(struct virtio_net_hdr);
        unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                goto fail;
        if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
                goto fail;
        if (ioctl(fd, TUNSETOFFLOAD, off) < 0) {
                /* older kernels lack TSO_ECN: at least checksums */
                if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0)
                        goto fail;
        }
        /* A longer queue towards us absorbs the moments the loop is not
         * scheduled (the kernel drops at the TAP when it is full). */
        {
                struct ifreq q = {};
                int sfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                strncpy(q.ifr_name, name, IFNAMSIZ - 1);
                q.ifr_qlen = 4096;
                if (sfd >= 0) {
                        (void) ioctl(sfd, SIOCSIFTXQLEN, &q);
                        close(sfd);
                }
        }
        r = bg_fwd_link_ifindex(name);
        if (r < 0) {
                close(fd);
                return r;
        }
        *ifindex = r;
        return fd;
fail:
        r = -errno;
        close(fd);
        return r;
}

int bg_tap_adopt(int fd, const char *name, int *ifindex) {
        struct ifreq ifr = {};
        int r;

        if (ioctl(fd, TUNGETIFF, &ifr) < 0)
                return -errno;
        if (strncmp(ifr.ifr_name, name, IFNAMSIZ) || !(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_VNET_HDR))
                return -EINVAL;
        (void) fcntl(fd, F_SETFL, O_NONBLOCK);
        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        r = bg_fwd_link_ifindex(name);
        if (r < 0)
                return r;
        *ifindex = r;
        return 0;
}

int bg_tap_set_persist(int fd, bool on) {
        if (ioctl(fd, TUNSETPERSIST, (unsigned long) on) < 0)
                return -errno;
        return 0;
}

int bg_tap_set_carrier(int fd, bool on) {
        int v = on;

        if (ioctl(fd, TUNSETCARRIER, &v) < 0)
                return -errno;
        return 0;
}
