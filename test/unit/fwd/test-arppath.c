/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the ARP monitor's probes go, as bond_main.c:bond_arp_send_all()
 * sends them: the route's device gives the tags (bond_verify_device_path())
 * and the source (bond_confirm_addr()); a device not stacked on the bond
 * gets no probe; no route gives an untagged probe from 0.0.0.0; an
 * arp_ip_target VLAN hint replaces the path's tags. Replies to a tagged
 * probe count (bond_has_this_ip() takes the stacked devices' addresses). */
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "test-fwd-fake.h"

static uint32_t ip(const char *s) {
        struct in_addr a;
        inet_pton(AF_INET, s, &a);
        return a.s_addr;
}

/* The bond is ifindex 2 (10.0.0.2/24); on it VLAN 100 (3, 10.0.100.2/24),
 * bridge 7 (10.0.1.2/24) has the bond as a port, bondgend's VLAN 200 (5)
 * is a port of bridge 6 (10.0.200.2/24), VLAN 300 (4) sits on another
 * device (9), an 802.1ad VLAN 20 (11) on the bond carries VLAN 30 (12,
 * 10.0.30.2/24), and VLAN 40 (13, 10.0.40.2/24) sits on bridge 7. */
#define N 10
static struct bg_fwd_dev stack[N];
static int route_to;   /* what route4 answers */

static size_t stacked(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root) {
        *devs = stack;
        *root = 2;
        return N;
}

static int route4(struct bg_fwd *b, uint32_t dst) {
        return route_to;
}

static void stack_init(void) {
        memset(stack, 0, sizeof(stack));
        stack[0] = (struct bg_fwd_dev){ .ifindex = 2, .master = 7, .n4 = 1, .v4 = { ip("10.0.0.2") }, .plen4 = { 24 } };
        stack[1] = (struct bg_fwd_dev){ .ifindex = 3, .link = 2, .vlan_id = 100, .n4 = 1,
                                        .v4 = { ip("10.0.100.2") }, .plen4 = { 24 } };
        stack[2] = (struct bg_fwd_dev){ .ifindex = 4, .link = 9, .vlan_id = 300, .n4 = 1,
                                        .v4 = { ip("10.1.44.2") }, .plen4 = { 24 } };
        stack[3] = (struct bg_fwd_dev){ .ifindex = 5, .link = 2, .vlan_id = 200, .vlan_proto = 0x8100, .master = 6 };
        stack[4] = (struct bg_fwd_dev){ .ifindex = 6, .bridge = true, .n4 = 1, .v4 = { ip("10.0.200.2") },
                                        .plen4 = { 24 } };
        stack[5] = (struct bg_fwd_dev){ .ifindex = 7, .bridge = true, .n4 = 1, .v4 = { ip("10.0.1.2") },
                                        .plen4 = { 24 } };
        stack[6] = (struct bg_fwd_dev){ .ifindex = 11, .link = 2, .vlan_id = 20, .vlan_proto = 0x88a8 };
        stack[7] = (struct bg_fwd_dev){ .ifindex = 12, .link = 11, .vlan_id = 30, .n4 = 1,
                                        .v4 = { ip("10.0.30.2") }, .plen4 = { 24 } };
        stack[8] = (struct bg_fwd_dev){ .ifindex = 13, .link = 7, .vlan_id = 40, .n4 = 1,
                                        .v4 = { ip("10.0.40.2") }, .plen4 = { 24 } };
        stack[9] = (struct bg_fwd_dev){ .ifindex = 9, .n4 = 1, .v4 = { ip("10.9.0.2") }, .plen4 = { 24 } };
}

Test(arppath, device_path_gives_the_vlan_tags_from_the_bond_up) {
        struct bg_fwd_tag t[BG_FWD_MAX_TAGS];

        stack_init();
        cr_expect_eq(bg_fwd_dev_path(stack, N, 2, 2, t, 5), 0, "the bond itself");
        cr_assert_eq(bg_fwd_dev_path(stack, N, 2, 3, t, 5), 1);
        cr_expect(t[0].proto == 0x8100 && t[0].id == 100, "a VLAN without a reported TPID is 802.1Q");
        cr_assert_eq(bg_fwd_dev_path(stack, N, 2, 7, t, 5), 1);
        cr_expect(t[0].id == 0, "a bridge over the bond adds no tag");
        cr_assert_eq(bg_fwd_dev_path(stack, N, 2, 6, t, 5), 2);
        cr_expect(t[0].id == 200 && t[1].id == 0, "bridge over VLAN 200");
        cr_assert_eq(bg_fwd_dev_path(stack, N, 2, 12, t, 5), 2);
        cr_expect(t[0].proto == 0x88a8 && t[0].id == 20 && t[1].proto == 0x8100 && t[1].id == 30, "QinQ");
        cr_assert_eq(bg_fwd_dev_path(stack, N, 2, 13, t, 5), 2);
        cr_expect(t[0].id == 0 && t[1].id == 40, "VLAN over the bridge over the bond");
        cr_expect_eq(bg_fwd_dev_path(stack, N, 2, 4, t, 5), -1, "a VLAN on another device");
        cr_expect_eq(bg_fwd_dev_path(stack, N, 2, 9, t, 5), -1, "another device");
        cr_expect_eq(bg_fwd_dev_path(stack, N, 2, 99, t, 5), -1, "an unknown device");
}

Test(arppath, a_loop_in_the_table_ends) {
        struct bg_fwd_tag t[BG_FWD_MAX_TAGS];
        struct bg_fwd_dev loop[2] = {
                { .ifindex = 2, .link = 3, .vlan_id = 5 },
                { .ifindex = 3, .link = 2, .vlan_id = 6 },
        };

        cr_expect_eq(bg_fwd_dev_path(loop, 2, 2, 42, t, 5), -1);
}

Test(arppath, confirm_addr_takes_the_address_on_the_targets_subnet) {
        struct bg_fwd_dev d = { .n4 = 3, .v4 = { ip("10.0.0.2"), ip("192.168.1.5"), ip("10.0.5.3") },
                                .plen4 = { 16, 24, 24 } };

        cr_expect_eq(bg_fwd_confirm_addr(&d, ip("192.168.1.9")), ip("192.168.1.5"));
        cr_expect_eq(bg_fwd_confirm_addr(&d, ip("10.0.9.9")), ip("10.0.0.2"));
        cr_expect_eq(bg_fwd_confirm_addr(&d, ip("10.0.5.9")), ip("10.0.0.2"),
                     "the first subnet holding the target holds the first address too");
        cr_expect_eq(bg_fwd_confirm_addr(&d, ip("172.16.0.1")), 0, "off every subnet: 0.0.0.0");
        cr_expect_eq(bg_fwd_confirm_addr(NULL, ip("10.0.0.1")), 0);
        d.plen4[0] = 32;
        cr_expect_eq(bg_fwd_confirm_addr(&d, ip("10.0.5.9")), ip("10.0.5.3"));
}

Test(arppath, tags_are_pushed_outermost_first) {
        uint8_t buf[20 + 64];
        struct bg_fwd_frame fr = { .data = buf + 20, .cap = 64 };
        const struct bg_fwd_tag t[3] = { { 0x88a8, 20 }, { 0, 0 }, { 0x8100, 30 } };

        fr.len = bg_fwd_build_arp_req(fr.data, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, 0, ip("10.0.0.1"));
        bg_fwd_push_tags(&fr, t, 3);
        cr_assert_eq(fr.len, 68);
        cr_expect(fr.data[12] == 0x88 && fr.data[13] == 0xa8 && fr.data[15] == 20);
        cr_expect(fr.data[16] == 0x81 && fr.data[17] == 0x00 && fr.data[19] == 30);
        cr_expect(fr.data[20] == 0x08 && fr.data[21] == 0x06);
}

static struct fake *probing(struct bg_fwd_io *io, const char *target) {
        struct bg_fwd_params p;

        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.arp_interval = 100;
        p.n_arp_targets = 1;
        p.arp_targets[0] = ip(target);
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        *io = fake_io;
        io->stacked = stacked;
        io->route4 = route4;
        f->b.io = io;
        f->b.tap_ifindex = 2;
        stack_init();
        fake_enslave(f, "eth0", true);
        return f;
}

/* One probe round; the frame sent (NULL: none). */
static const uint8_t *probe(struct fake *f, size_t *len) {
        f->n_log = 0;
        f->b.now += 100000;
        bg_fwd_mon_arp_tick(&f->b);
        if (!f->n_log)
                return NULL;
        *len = f->log[0].len;
        return f->log[0].data;
}

static uint32_t sender(const uint8_t *g, size_t off) {
        uint32_t s;
        memcpy(&s, g + off + 14, 4);
        return s;
}

Test(arppath, probe_follows_the_route) {
        struct bg_fwd_io io;
        struct fake *f = probing(&io, "10.0.100.1");
        const uint8_t *g;
        size_t len;

        route_to = 3;
        g = probe(f, &len);
        cr_assert(g, "a probe through VLAN 100");
        cr_expect(g[12] == 0x81 && g[13] == 0x00 && g[14] == 0 && g[15] == 100 && g[16] == 0x08 && g[17] == 0x06);
        cr_expect_eq(sender(g, 18), ip("10.0.100.2"), "from VLAN 100's address");

        route_to = 2;
        f->b.p.arp_targets[0] = ip("10.0.0.1");
        g = probe(f, &len);
        cr_assert(g);
        cr_expect(g[12] == 0x08 && g[13] == 0x06, "through the bond: untagged");
        cr_expect_eq(sender(g, 14), ip("10.0.0.2"));

        route_to = 12;
        f->b.p.arp_targets[0] = ip("10.0.30.1");
        g = probe(f, &len);
        cr_assert(g);
        cr_expect(g[12] == 0x88 && g[13] == 0xa8 && g[15] == 20 && g[16] == 0x81 && g[19] == 30, "QinQ");
        cr_expect_eq(sender(g, 22), ip("10.0.30.2"));

        route_to = 7;
        f->b.p.arp_targets[0] = ip("10.7.0.1");
        g = probe(f, &len);
        cr_assert(g);
        cr_expect(g[12] == 0x08 && sender(g, 14) == 0, "through the bridge, off its subnet: from 0.0.0.0");

        route_to = 9;
        cr_expect_null(probe(f, &len), "a route out of a device not on the bond: no probe");

        route_to = 0;
        g = probe(f, &len);
        cr_assert(g, "no route: a probe anyway");
        cr_expect(g[12] == 0x08 && sender(g, 14) == 0, "untagged, from 0.0.0.0");

        route_to = -1;
        g = probe(f, &len);
        cr_assert(g);
        cr_expect(g[12] == 0x08 && sender(g, 14) == ip("10.0.0.2"), "route not known yet: the bond's address");
        fake_free(f);
}

Test(arppath, a_vlan_hint_replaces_the_paths_tags) {
        struct bg_fwd_io io;
        struct fake *f = probing(&io, "10.0.100.1");
        const uint8_t *g;
        size_t len;

        f->b.p.arp_user_tags[0] = true;
        f->b.p.n_arp_tags[0] = 2;
        f->b.p.arp_tags[0][0] = (struct bg_fwd_tag){ 0x8100, 10 };
        f->b.p.arp_tags[0][1] = (struct bg_fwd_tag){ 0x8100, 20 };
        route_to = 3;
        g = probe(f, &len);
        cr_assert(g);
        cr_expect(g[15] == 10 && g[16] == 0x81 && g[19] == 20 && g[20] == 0x08, "10 outside, 20 inside");
        cr_expect_eq(sender(g, 22), ip("10.0.100.2"), "the source is still the routed device's");

        route_to = 9;
        f->b.p.arp_targets[0] = ip("10.9.0.1");
        g = probe(f, &len);
        cr_assert(g, "with a hint, a device not on the bond still gets its probe");
        cr_expect(g[15] == 10 && sender(g, 22) == ip("10.9.0.2"), "from that device's address");

        f->b.p.n_arp_tags[0] = 0;   /* "10.0.100.1[]": no discovery */
        f->b.p.arp_targets[0] = ip("10.0.100.1");
        route_to = 3;
        g = probe(f, &len);
        cr_assert(g);
        cr_expect(g[12] == 0x08 && sender(g, 14) == ip("10.0.100.2"), "empty hint: untagged");
        fake_free(f);
}

Test(arppath, a_reply_to_a_vlans_address_validates) {
        struct bg_fwd_io io;
        struct fake *f = probing(&io, "10.0.100.1");
        struct bg_fwd_port *p = f->b.ports[0];
        uint8_t fr[64] = { 0 };

        f->b.p.arp_validate = BG_ARPV_ALL;
        memcpy(fr, f->b.mac, 6);
        fr[6] = 2, fr[11] = 0x77;
        fr[12] = 0x81, fr[15] = 100, fr[16] = 0x08, fr[17] = 0x06;
        fr[19] = 1, fr[20] = 0x08, fr[22] = 6, fr[23] = 4, fr[25] = 2;
        uint32_t s = ip("10.0.100.1"), t = ip("10.0.100.2");
        memcpy(fr + 32, &s, 4);
        memcpy(fr + 42, &t, 4);
        p->last_rx = 0;
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, p, fr, sizeof(fr));
        cr_expect_eq(p->last_rx, f->b.now, "the target's tagged reply to VLAN 100's address");
        t = ip("10.1.44.2");
        memcpy(fr + 42, &t, 4);
        p->last_rx = 0;
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, p, fr, sizeof(fr));
        cr_expect_eq(p->last_rx, 0, "an address of a VLAN on another device is not ours");
        fake_free(f);
}
