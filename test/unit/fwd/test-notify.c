/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unsolicited neighbour advertisements of the peer notification, as the
 * kernel sends them (ndisc.c:ndisc_send_unsol_na()): override set,
 * solicited clear, Router from the bond's IPv6 forwarding setting, and
 * never for an address still in duplicate address detection. */
#include <criterion/criterion.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

#include "test-fwd-fake.h"

static uint16_t sum(const uint8_t *p, size_t len, uint32_t s) {
        for (size_t i = 0; i + 1 < len; i += 2)
                s += (uint32_t) (p[i] << 8 | p[i + 1]);
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        return (uint16_t) s;
}

static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };

static void check_na(bool router) {
        uint8_t f[128];
        size_t len = bg_fwd_build_unsol_na(f, mac, addr, router);
        const uint8_t *icmp = f + 54;

        cr_assert_eq(len, 86);
        cr_assert_eq(icmp[0], 136);
        cr_assert_eq(icmp[4], router ? 0xa0 : 0x20, "flags 0x%02x", icmp[4]);
        uint32_t ps = sum(f + 22, 32, 0) + 32 + 58;
        cr_assert_eq(sum(icmp, 32, ps), 0xffff, "ICMPv6 checksum");
}

Test(notify, na_router_flag_follows_forwarding) {
        check_na(false);
        check_na(true);
}

static bool forwarding;
static bool fake_router(struct bg_fwd *b) {
        return forwarding;
}
static int addrs6(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16], size_t max6,
                  size_t *n6) {
        *n4 = 0;
        *n6 = 1;
        memcpy(v6[0], addr, 16);
        return 0;
}

Test(notify, peer_notification_asks_the_bond_whether_it_routes) {
        struct bg_fwd_params p;
        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.miimon = 100;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        struct bg_fwd_io io = fake_io;
        io.ipv6_router = fake_router;
        io.bond_addrs = addrs6;
        f->b.io = &io;
        fake_enslave(f, "eth0", true);
        struct bg_fwd_port *b = fake_enslave(f, "eth1", true);

        for (int fw = 0; fw < 2; fw++) {
                forwarding = fw;
                f->n_log = 0;
                bg_fwd_change_active(&f->b, fw ? f->b.ports[0] : b);
                bg_fwd_send_peer_notif(&f->b);
                bool seen = false;
                for (unsigned i = 0; i < f->n_log; i++)
                        if (f->log[i].len == 86 && f->log[i].data[54] == 136) {
                                cr_assert_eq(f->log[i].data[58], fw ? 0xa0 : 0x20);
                                seen = true;
                        }
                cr_assert(seen, "no NA sent");
        }
        fake_free(f);
}

Test(notify, tentative_addresses_are_not_announced) {
        cr_assert(bg_fwd_addr_announceable(AF_INET6, 0));
        cr_assert(bg_fwd_addr_announceable(AF_INET6, IFA_F_PERMANENT));
        cr_assert(!bg_fwd_addr_announceable(AF_INET6, IFA_F_TENTATIVE));
        cr_assert(bg_fwd_addr_announceable(AF_INET6, IFA_F_TENTATIVE | IFA_F_OPTIMISTIC));
        cr_assert(!bg_fwd_addr_announceable(AF_INET6, IFA_F_DADFAILED | IFA_F_PERMANENT));
        cr_assert(bg_fwd_addr_announceable(AF_INET, IFA_F_TENTATIVE), "IPv4 has no DAD here");
}
