/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NS/NA half of the ARP monitor (ns_ip6_target) with a fake clock:
 * the solicitation bond_main.c:bond_ns_send_all() sends (solicited-node
 * group, the bond's address of the target's scope, the port's MAC in the
 * source link-layer option), what bond_na_rcv()/bond_validate_na() count
 * (an NS or NA from a target to all nodes or to one of the bond's
 * addresses; on a backup the active port's solicitation, sender and
 * target swapped), and a failover when the target stops answering, on
 * the ARP monitor's arp_interval and arp_missed_max. */
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "test-fwd-fake.h"

#define TARGET "2001:db8::1"
#define OURS "2001:db8::2"
#define OURS_LL "fe80::2"

static const uint8_t target_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };
static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };

static void ip6(const char *s, uint8_t out[16]) {
        cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "%s", s);
}

/* the bond has fe80::2 and 2001:db8::2 (link-local first, as the kernel
 * lists them) */
static int addrs6(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16], size_t max6,
                  size_t *n6) {
        (void) b, (void) v4, (void) max4;
        *n4 = 0;
        *n6 = 0;
        if (max6 < 2)
                return 0;
        ip6(OURS_LL, v6[0]);
        ip6(OURS, v6[1]);
        *n6 = 2;
        return 0;
}

static int no_addrs(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16], size_t max6,
                    size_t *n6) {
        (void) b, (void) v4, (void) max4, (void) v6, (void) max6;
        *n4 = *n6 = 0;
        return 0;
}

static struct bg_fwd_io io6, io_none;

static struct fake *ab_ns(unsigned validate, unsigned all_targets, struct bg_fwd_port **a,
                          struct bg_fwd_port **b) {
        struct bg_fwd_params p;

        io6 = fake_io;
        io6.bond_addrs = addrs6;
        bg_fwd_params_default(&p, BG_MODE_ACTIVE_BACKUP);
        p.arp_interval = 100;
        p.n_ns_targets = 1;
        ip6(TARGET, p.ns_targets[0]);
        p.arp_validate = validate;
        p.arp_all_targets = all_targets;
        struct fake *f = fake_new(BG_MODE_ACTIVE_BACKUP, &p);
        f->b.io = &io6;
        *a = fake_enslave(f, "eth0", true);
        *b = fake_enslave(f, "eth1", true);
        memcpy((*a)->mac, f->b.mac, 6);
        memcpy((*b)->mac, f->b.mac, 6);
        cr_assert_eq(f->b.active, *a);
        return f;
}

/* An NS (type 135) or NA (136) from sip to dip, to the Ethernet dst. */
static size_t nd(uint8_t *f, const uint8_t *dst, unsigned type, const char *sip, const char *dip) {
        uint8_t *ip = f + 14, *icmp = f + 54;

        memset(f, 0, 86);
        memcpy(f, dst, 6);
        memcpy(f + 6, target_mac, 6);
        f[12] = 0x86, f[13] = 0xdd;
        ip[0] = 0x60, ip[5] = 32, ip[6] = 58, ip[7] = 255;
        ip6(sip, ip + 8);
        ip6(dip, ip + 24);
        icmp[0] = (uint8_t) type;
        ip6(type == 136 ? sip : dip, icmp + 8);
        bg_fwd_put_icmp6_csum(ip, icmp, 32);
        return 86;
}

static bool counts(struct fake *f, struct bg_fwd_port *p, const uint8_t *fr, size_t len) {
        p->last_rx = 0;
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, p, fr, len);
        return p->last_rx == f->b.now;
}

/* RFC 4443 2.3: the sum over pseudo-header and message folds to 0xffff */
static bool icmp6_sum_ok(const uint8_t *ip, const uint8_t *icmp, size_t len) {
        uint32_t s = 58 + (uint32_t) len;
        for (size_t i = 8; i < 40; i += 2)
                s += (uint32_t) (ip[i] << 8 | ip[i + 1]);
        for (size_t i = 0; i + 1 < len; i += 2)
                s += (uint32_t) (icmp[i] << 8 | icmp[i + 1]);
        while (s >> 16)
                s = (s & 0xffff) + (s >> 16);
        return s == 0xffff;
}

Test(nsmon, the_active_port_solicits_each_target_from_the_address_of_its_scope) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_ns(BG_ARPV_ALL, 0, &a, &b);
        uint8_t want[16];

        f->b.p.n_ns_targets = 2;
        ip6("fe80::1:abcd:ef12", f->b.p.ns_targets[1]);
        f->b.peer_notif_left = 0;   /* no unsolicited NA in the log */
        f->n_log = 0;
        f->b.now += 100000;
        bg_fwd_mon_arp_tick(&f->b);
        cr_assert_eq(f->n_log, 2, "one NS per target, no ARP without ARP targets: %u frames", f->n_log);
        for (unsigned k = 0; k < 2; k++) {
                const uint8_t *fr = f->log[k].data, *ip = fr + 14, *icmp = fr + 54;
                const uint8_t *t = f->b.p.ns_targets[k];
                cr_assert_eq(f->log[k].port, 0, "on the active port");
                cr_assert_eq(f->log[k].len, 86);
                const uint8_t mac[6] = { 0x33, 0x33, 0xff, t[13], t[14], t[15] };
                cr_assert(!memcmp(fr, mac, 6), "to the solicited-node group's MAC");
                cr_assert(!memcmp(fr + 6, a->mac, 6), "from the port's MAC");
                cr_assert_eq(ip[7], 255, "hop limit 255");
                const uint8_t grp[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, [13] = t[13], [14] = t[14], [15] = t[15] };
                cr_assert(!memcmp(ip + 24, grp, 16), "to ff02::1:ffXX:XXXX");
                ip6(k == 0 ? OURS : OURS_LL, want);
                cr_assert(!memcmp(ip + 8, want, 16), "target %u: the source of its scope", k);
                cr_assert_eq(icmp[0], 135);
                cr_assert(!memcmp(icmp + 8, t, 16), "the target address");
                cr_assert(icmp[24] == 1 && icmp[25] == 1 && !memcmp(icmp + 26, a->mac, 6), "source link-layer option");
                cr_assert(icmp6_sum_ok(ip, icmp, 32), "ICMPv6 checksum");
        }
        cr_assert_eq(a->last_tx, f->b.now, "a probe counts as sent");
        fake_free(f);
}

Test(nsmon, without_an_address_of_the_targets_scope_the_solicitation_comes_from_unspecified) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_ns(BG_ARPV_ALL, 0, &a, &b);
        static const uint8_t any[16];

        io_none = fake_io;
        io_none.bond_addrs = no_addrs;
        f->b.io = &io_none;
        f->n_log = 0;
        f->b.now += 100000;
        bg_fwd_mon_arp_tick(&f->b);
        cr_assert_eq(f->n_log, 1);
        cr_assert_eq(f->log[0].len, 78, "no source link-layer option from ::");
        cr_assert(!memcmp(f->log[0].data + 22, any, 16));
        cr_assert(icmp6_sum_ok(f->log[0].data + 14, f->log[0].data + 54, 24));
        fake_free(f);

        /* only a link-local address, a global target */
        uint8_t src[16], ll[16], t[16];
        f = ab_ns(BG_ARPV_ALL, 0, &a, &b);
        ip6(TARGET, t);
        bg_fwd_ns_source(&f->b, t, src);
        ip6(OURS, ll);
        cr_assert(!memcmp(src, ll, 16), "the global address for a global target");
        fake_free(f);
}

Test(nsmon, the_active_port_counts_only_nd_between_a_target_and_the_bond) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_ns(BG_ARPV_ALL, 0, &a, &b);
        uint8_t fr[86];

        cr_assert(counts(f, a, fr, nd(fr, f->b.mac, 136, TARGET, OURS)), "the target's NA to us");
        cr_assert(counts(f, a, fr, nd(fr, f->b.mac, 136, TARGET, "ff02::1")), "the target's NA to all nodes");
        cr_assert(counts(f, a, fr, nd(fr, f->b.mac, 135, TARGET, OURS_LL)), "the target's NS to our link-local");
        cr_assert(!counts(f, a, fr, nd(fr, f->b.mac, 136, "2001:db8::9", OURS)), "an NA from a non-target");
        cr_assert(!counts(f, a, fr, nd(fr, f->b.mac, 136, TARGET, "2001:db8::7")), "to another host");
        cr_assert(!counts(f, a, fr, nd(fr, f->b.mac, 136, "::", OURS)), "from the unspecified address");
        cr_assert(!counts(f, a, fr, nd(fr, other, 136, TARGET, OURS)), "unicast for another MAC");
        nd(fr, f->b.mac, 136, TARGET, OURS);
        fr[54] = 128;
        cr_assert(!counts(f, a, fr, 86), "an echo request is not ND");
        nd(fr, f->b.mac, 136, TARGET, OURS);
        fr[20] = 17;
        cr_assert(!counts(f, a, fr, 86), "not ICMPv6");
        cr_assert(!counts(f, a, fr, nd(fr, f->b.mac, 136, TARGET, OURS) - 40), "a runt");
        cr_assert_eq(a->target_last_rx[BG_FWD_NS_SLOT], f->b.now - 7000, "the target's own time");
        fake_free(f);
}

Test(nsmon, a_backup_counts_the_active_ports_solicitation_while_the_active_port_hears_the_target) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_ns(BG_ARPV_ALL, 0, &a, &b);
        uint8_t fr[86], grp[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };

        cr_assert(b->backup);
        a->last_rx = 0;
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, a, fr, nd(fr, f->b.mac, 136, TARGET, "2001:db8::7"));
        cr_assert(!counts(f, b, fr, nd(fr, grp, 135, OURS, "ff02::1:ff00:1")),
                  "solicitations nobody answers keep no backup up");
        f->b.now += 1000;
        bg_fwd_mon_rx(&f->b, a, fr, nd(fr, f->b.mac, 136, TARGET, OURS));
        cr_assert(counts(f, b, fr, nd(fr, grp, 135, OURS, "ff02::1:ff00:1")),
                  "our solicitation for the target, seen on a backup");
        cr_assert(!counts(f, b, fr, nd(fr, grp, 135, OURS, "ff02::1:ff00:9")), "for a non-target");
        cr_assert(!counts(f, b, fr, nd(fr, grp, 135, "2001:db8::5", "ff02::1:ff00:1")), "someone else's");
        cr_assert(!counts(f, b, fr, nd(fr, f->b.mac, 136, TARGET, OURS)),
                  "the target's answer, which only the active port would get, swapped");
        fake_free(f);

        /* arp_validate active: a backup is not validated, anything counts */
        f = ab_ns(BG_ARPV_ACTIVE, 0, &a, &b);
        uint8_t ip4[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, [12] = 0x08, [13] = 0x00 };
        cr_assert(counts(f, b, ip4, sizeof(ip4)));
        cr_assert(!counts(f, a, ip4, sizeof(ip4)));
        fake_free(f);
}

/* One probe round as the wire delivers it: the tick, the active port's
 * solicitation flooded to the backup, then (if the target answers) its
 * NA on the active port. */
static void round_trip(struct fake *f, bool answer) {
        uint8_t fr[86], grp[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
        struct bg_fwd_port *act;

        f->b.now += 100000;
        bg_fwd_mon_arp_tick(&f->b);
        act = f->b.active;
        if (!act)
                return;
        f->b.now += 200;
        for (size_t i = 0; i < f->b.n_ports; i++)
                if (f->b.ports[i] != act)
                        bg_fwd_mon_rx(&f->b, f->b.ports[i], fr, nd(fr, grp, 135, OURS, "ff02::1:ff00:1"));
        f->b.now += 300;
        if (answer)
                bg_fwd_mon_rx(&f->b, act, fr, nd(fr, f->b.mac, 136, TARGET, OURS));
}

Test(nsmon, the_active_port_fails_over_when_the_target_stops_answering) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_ns(BG_ARPV_ALL, 0, &a, &b);
        int down_at = -1;

        bg_fwd_mon_arp_start(&f->b);
        for (int i = 0; i < 30; i++)
                round_trip(f, true);
        cr_assert_eq(f->b.active, a, "an answered target keeps the active port");
        cr_assert_eq(a->link_failure_count + b->link_failure_count, 0);
        cr_assert_eq(b->link, BG_LINK_UP, "the backup validated by the active port's solicitations");
        for (int i = 0; i < 10 && down_at < 0; i++) {
                round_trip(f, false);
                if (a->link == BG_LINK_DOWN)
                        down_at = i + 1;
        }
        /* bond_ab_arp_inspect(): down once the last answer is more than
         * arp_missed_max (2) intervals and a half old */
        cr_assert(down_at == 3, "the active port went down at tick %d", down_at);
        cr_assert_eq(f->b.active, b, "the backup took over");
        cr_assert_eq(a->link_failure_count, 1);
        fake_free(f);
}

Test(nsmon, arp_all_targets_all_needs_the_ns_targets_too) {
        struct bg_fwd_port *a, *b;
        struct fake *f = ab_ns(BG_ARPV_ACTIVE, 1, &a, &b);
        uint8_t fr[60];

        f->b.p.n_arp_targets = 1;
        inet_pton(AF_INET, "10.0.0.1", &f->b.p.arp_targets[0]);
        bg_fwd_mon_arp_start(&f->b);
        for (int i = 0; i < 10 && f->b.active == a; i++) {
                f->b.now += 100000;
                bg_fwd_mon_arp_tick(&f->b);
                /* the ARP target answers, the NS target does not */
                memset(fr, 0, sizeof(fr));
                memcpy(fr, f->b.mac, 6);
                fr[12] = 0x08, fr[13] = 0x06, fr[15] = 1, fr[16] = 0x08, fr[18] = 6, fr[19] = 4, fr[21] = 2;
                inet_pton(AF_INET, "10.0.0.1", fr + 28);
                inet_pton(AF_INET, "10.0.0.2", fr + 38);
                f->b.now += 500;
                bg_fwd_mon_rx(&f->b, a, fr, sizeof(fr));
        }
        cr_assert_neq(f->b.active, a, "one silent target of the two takes the port down");
        cr_assert_eq(a->link_failure_count, 1);
        fake_free(f);
}
