/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unsolicited neighbour advertisements of the peer notification, as the
 * kernel sends them (ndisc.c:ndisc_send_unsol_na()): override set but
 * for an optimistic address (ndisc_send_na()), solicited clear, Router
 * from the bond's IPv6 forwarding setting, and never for an address still
 * in duplicate address detection unless it is optimistic. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
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

static void check_na(bool router, bool optimistic) {
        uint8_t f[128];
        size_t len = bg_fwd_build_unsol_na(f, mac, addr, router, optimistic);
        const uint8_t *icmp = f + 54;
        uint8_t want = (uint8_t) ((router ? 0x80 : 0) | (optimistic ? 0 : 0x20));

        cr_assert_eq(len, 86);
        cr_assert_eq(icmp[0], 136);
        cr_assert_eq(icmp[4], want, "router %d optimistic %d: flags 0x%02x, want 0x%02x", router, optimistic, icmp[4],
                     want);
        cr_assert_arr_eq(icmp + 8, addr, 16, "target");
        cr_assert(icmp[24] == 2 && icmp[25] == 1, "target link-layer address option");
        uint32_t ps = sum(f + 22, 32, 0) + 32 + 58;
        cr_assert_eq(sum(icmp, 32, ps), 0xffff, "ICMPv6 checksum");
}

Test(notify, na_router_flag_follows_forwarding) {
        check_na(false, false);
        check_na(true, false);
}

/* ndisc_send_na() clears Override when the target is IFA_F_OPTIMISTIC;
 * Router stays as forwarding says */
Test(notify, na_for_an_optimistic_address_has_no_override) {
        check_na(false, true);
        check_na(true, true);
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

/* What is stacked on the bond (ifindex 2): kernel VLAN 100 on it (3), a
 * VLAN on another device (4 on 9), bondgend's own VLAN 200 (5, hung off
 * the bond), bridge 6 over VLAN 200, bridge 7 over the bond itself,
 * bridge 8 over nothing of ours. */
static struct bg_fwd_dev stack[8];
static size_t stacked(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root) {
        *devs = stack;
        *root = 2;
        return 8;
}
/* the peer notification asks which of the bond's addresses is optimistic,
 * and a stacked device's come with the flag */
static const uint8_t addr_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 };
static int addrs6_two(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16], size_t max6,
                      size_t *n6) {
        *n4 = 0;
        *n6 = 2;
        memcpy(v6[0], addr, 16);
        memcpy(v6[1], addr_b, 16);
        return 0;
}
static bool optimistic_b(struct bg_fwd *b, const uint8_t a[16]) {
        return !memcmp(a, addr_b, 16);
}
static struct bg_fwd_dev one_vlan[2];
static size_t stacked_one_vlan(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root) {
        *devs = one_vlan;
        *root = 2;
        return 2;
}

Test(notify, peer_notification_clears_override_for_optimistic_addresses_only) {
        struct bg_fwd_params p;
        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.miimon = 100;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        struct bg_fwd_io io = fake_io;
        io.bond_addrs = addrs6_two;
        io.ipv6_optimistic = optimistic_b;
        io.stacked = stacked_one_vlan;
        f->b.io = &io;
        memset(one_vlan, 0, sizeof(one_vlan));
        one_vlan[0] = (struct bg_fwd_dev){ .ifindex = 2 };
        one_vlan[1] = (struct bg_fwd_dev){ .ifindex = 3, .link = 2, .vlan_id = 100, .n6 = 2,
                                           .v6_optimistic = { true, false }, .mac = { 2, 0, 0, 0, 0, 3 } };
        memcpy(one_vlan[1].v6[0], addr, 16);
        memcpy(one_vlan[1].v6[1], addr_b, 16);
        fake_enslave(f, "eth0", true);
        f->n_log = 0;
        bg_fwd_send_peer_notif(&f->b);
        cr_assert_eq(f->n_log, 4, "two NAs of the bond, two of VLAN 100");
        /* the bond's: addr with Override, addr_b (optimistic) without */
        cr_expect_eq(f->log[0].data[54 + 4], 0x20);
        cr_expect_eq(f->log[0].data[54 + 8 + 15], 2);
        cr_expect_eq(f->log[1].data[54 + 4], 0x00, "optimistic: no Override");
        cr_expect_eq(f->log[1].data[54 + 8 + 15], 3);
        /* VLAN 100's, tagged (4 bytes on): here addr is the optimistic one */
        cr_expect_eq(f->log[2].data[58 + 4], 0x00, "the VLAN's optimistic address: no Override");
        cr_expect_eq(f->log[2].data[58 + 8 + 15], 2);
        cr_expect_eq(f->log[3].data[58 + 4], 0x20);
        /* each checksum covers the flags it carries */
        for (unsigned i = 0; i < 4; i++) {
                const uint8_t *ip = f->log[i].data + (i < 2 ? 14 : 18);
                uint32_t ps = sum(ip + 8, 32, 0) + 32 + 58;
                cr_expect_eq(sum(ip + 40, 32, ps), 0xffff, "NA %u: ICMPv6 checksum", i);
        }
        fake_free(f);
}

static int addrs4(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16], size_t max6,
                  size_t *n6) {
        *n4 = 1;
        *n6 = 0;
        v4[0] = htonl(0x0a000002);
        return 0;
}

static void stack_init(void) {
        memset(stack, 0, sizeof(stack));
        stack[0] = (struct bg_fwd_dev){ .ifindex = 2, .master = 7 };
        stack[1] = (struct bg_fwd_dev){ .ifindex = 3, .link = 2, .vlan_id = 100, .n4 = 1,
                                        .v4 = { htonl(0x0a006402) }, .mac = { 2, 0, 0, 0, 0, 3 } };
        stack[2] = (struct bg_fwd_dev){ .ifindex = 4, .link = 9, .vlan_id = 300, .n4 = 1, .v4 = { htonl(0x0a012c02) } };
        stack[3] = (struct bg_fwd_dev){ .ifindex = 5, .link = 2, .vlan_id = 200, .master = 6, .n6 = 1,
                                        .mac = { 2, 0, 0, 0, 0, 5 } };
        memcpy(stack[3].v6[0], addr, 16);
        stack[4] = (struct bg_fwd_dev){ .ifindex = 6, .bridge = true, .n4 = 1, .v4 = { htonl(0x0a00c802) },
                                        .mac = { 2, 0, 0, 0, 0, 6 } };
        stack[5] = (struct bg_fwd_dev){ .ifindex = 7, .bridge = true, .n4 = 1, .v4 = { htonl(0x0a000102) },
                                        .mac = { 2, 0, 0, 0, 0, 7 } };
        stack[6] = (struct bg_fwd_dev){ .ifindex = 8, .bridge = true, .n4 = 1, .v4 = { htonl(0x0a000202) } };
        stack[7] = (struct bg_fwd_dev){ .ifindex = 10, .master = 8 };
}

Test(notify, walk_finds_the_vlans_on_the_bond_and_the_bridges_over_them) {
        struct bg_fwd_notify_dev on[8];
        size_t n;

        stack_init();
        n = bg_fwd_notify_walk(stack, 8, 2, on, 8);
        cr_assert_eq(n, 4);
        cr_expect(on[0].dev->ifindex == 3 && on[0].vid == 100);
        cr_expect(on[1].dev->ifindex == 5 && on[1].vid == 200);
        cr_expect(on[2].dev->ifindex == 7 && on[2].vid == 0, "the bridge over the bond, untagged");
        cr_expect(on[3].dev->ifindex == 6 && on[3].vid == 200, "the bridge over VLAN 200, tagged 200");
        cr_expect_eq(bg_fwd_notify_walk(stack, 8, 2, on, 2), 2, "at most max");
}

/* Each stacked device's addresses go out on the active port from its own
 * MAC, in an 802.1Q frame of its VLAN where it sits on one. */
Test(notify, stacked_addresses_are_announced_tagged) {
        struct bg_fwd_params p;
        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.miimon = 100;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        struct bg_fwd_io io = fake_io;
        io.bond_addrs = addrs4;
        io.stacked = stacked;
        f->b.io = &io;
        stack_init();
        fake_enslave(f, "eth0", true);
        f->n_log = 0;
        bg_fwd_send_peer_notif(&f->b);
        cr_assert_eq(f->n_log, 5, "bond, VLAN 100, VLAN 200 (NA), two bridges");
        /* the bond: untagged ARP */
        cr_expect(f->log[0].data[12] == 0x08 && f->log[0].data[13] == 0x06);
        /* VLAN 100: tagged, its MAC, its address */
        const uint8_t *g = f->log[1].data;
        cr_expect(g[12] == 0x81 && g[13] == 0x00 && g[14] == 0 && g[15] == 100, "tag 100");
        cr_expect(g[16] == 0x08 && g[17] == 0x06, "ARP inside");
        cr_expect_eq(g[11], 3, "VLAN 100's MAC");
        cr_expect(g[32] == 10 && g[33] == 0 && g[34] == 100 && g[35] == 2, "sender 10.0.100.2");
        /* VLAN 200: an NA tagged 200 */
        g = f->log[2].data;
        cr_expect(g[12] == 0x81 && g[15] == 200 && g[16] == 0x86 && g[17] == 0xdd, "NA tagged 200");
        cr_expect_eq(f->log[2].len, 90);
        /* bridges: over the bond untagged, over VLAN 200 tagged 200 */
        cr_expect(f->log[3].data[12] == 0x08 && f->log[3].data[11] == 7);
        cr_expect(f->log[4].data[12] == 0x81 && f->log[4].data[15] == 200 && f->log[4].data[11] == 6);
        fake_free(f);
}

/* At start the active port may change while the ports are enslaved, with
 * the carrier already on (a primary that joins second), before the core
 * knows any address: that round announces nothing. The restart, once the
 * addresses are in, sends them all from the first round again; only in
 * active-backup, the one mode whose change of active port notifies. */
static bool addrs_known;
static int addrs_late(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16], size_t max6,
                      size_t *n6) {
        *n4 = addrs_known ? 1 : 0;
        *n6 = 0;
        v4[0] = htonl(0x0a000002);
        return 0;
}

static void restart_case(enum bg_mode mode, unsigned want) {
        struct bg_fwd_params p;
        bg_fwd_params_default(&p, mode);
        p.miimon = 100;
        struct fake *f = fake_new(mode, &p);
        struct bg_fwd_io io = fake_io;
        io.bond_addrs = addrs_late;
        io.stacked = stacked;
        f->b.io = &io;
        stack_init();
        addrs_known = false;
        fake_enslave(f, "eth0", true);
        struct bg_fwd_port *second = fake_enslave(f, "eth1", true);
        if (mode == BG_MODE_ACTIVE_BACKUP) {
                cr_assert(f->b.carrier);
                memset(stack, 0, sizeof(stack));   /* nothing read yet */
                bg_fwd_change_active(&f->b, second);
                cr_assert_eq(f->b.peer_notif_left, 0, "the one round went, empty");
                stack_init();
        }
        addrs_known = true;
        f->n_log = 0;
        bg_fwd_peer_notif_restart(&f->b);
        cr_assert_eq(f->n_log, want, "%s: %u frames", bg_mode_name(mode), f->n_log);
        for (unsigned i = 0; i < f->n_log; i++)
                cr_expect_eq(f->log[i].port, 1, "on the active port");
        /* and not again on the next tick (num_grat_arp 1) */
        f->n_log = 0;
        bg_fwd_peer_notif_tick(&f->b);
        cr_expect_eq(f->n_log, 0);
        fake_free(f);
}

Test(notify, restart_at_start_announces_what_was_read_after_the_first_round) {
        restart_case(BG_MODE_ACTIVE_BACKUP, 5);
        restart_case(BG_MODE_BALANCE_XOR, 0);
}

/* The order of the peer notification's advertisements is the kernel's
 * list order (addrconf.c:ipv6_link_dev_addr()): global before site-local
 * before link-local, and each new address before the older ones of its
 * scope, whatever order their duplicate address detection ends in. */
static void add6(uint8_t (*list)[16], size_t *n, const char *s) {
        uint8_t a[16];

        cr_assert_eq(inet_pton(AF_INET6, s, a), 1);
        size_t at = bg_fwd_addr6_insert_at((const uint8_t (*)[16]) list, *n, a);
        memmove(list[at + 1], list[at], (*n - at) * 16);
        memcpy(list[at], a, 16);
        (*n)++;
}

Test(notify, ipv6_addresses_in_the_kernels_order) {
        static const char *added[] = { "fe80::1", "2001:db8::1", "fec0::5", "2001:db8::2", "::1", "fe80::2" };
        static const char *want[] = { "2001:db8::2", "2001:db8::1", "fec0::5", "fe80::2", "fe80::1", "::1" };
        uint8_t list[8][16];
        size_t n = 0;
        char buf[INET6_ADDRSTRLEN];

        for (size_t i = 0; i < 6; i++)
                add6(list, &n, added[i]);
        for (size_t i = 0; i < 6; i++)
                cr_assert_str_eq(inet_ntop(AF_INET6, list[i], buf, sizeof(buf)), want[i], "position %zu", i);
}
