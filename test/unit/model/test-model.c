/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Model construction, copy/compare, option setting, address helpers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "model/model.h"

Test(model, build_and_find) {
        struct bg_model m;
        struct bg_bond *b;

        bg_model_init(&m);
        b = bg_model_add_bond(&m, "bond0");
        cr_assert_not_null(b);
        cr_assert_eq(b->backend, BG_BACKEND_AUTO);
        cr_assert(b->onboot);
        cr_assert_eq(b->ipv4.method, BG_IP_NONE);
        cr_assert_eq(bg_bond_mode(b), BG_MODE_BALANCE_RR, "unset mode is the kernel default");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, NULL, "52:54:00:AB:CD:EF"));
        cr_assert_str_eq(BG_HWADDR_STR(&b->ports[1].mac), "52:54:00:ab:cd:ef", "MAC stored typed");
        errno = 0;
        cr_assert_null(bg_bond_add_port(b, "eth2", "bogus"), "bad MAC text is refused");
        cr_assert_eq(errno, EINVAL);
        cr_assert_eq(b->n_ports, 2);
        cr_assert_eq(bg_bond_find_port(b, "eth0"), &b->ports[0]);
        cr_assert_null(bg_bond_find_port(b, "eth9"));
        cr_assert_not_null(bg_model_add_bond(&m, "bond1"));
        cr_assert_eq(bg_model_find_bond(&m, "bond1"), &m.bonds[1]);
        cr_assert_null(bg_model_find_bond(&m, "bond7"));
        cr_assert_eq(bg_ipcfg_add_address(&m.bonds[0].ipv4, "10.0.0.1/24"), 0);
        cr_assert_eq(bg_ipcfg_add_route(&m.bonds[0].ipv4, "10.20.0.0/16", "10.0.0.254", 5), 0);
        cr_assert_eq(bg_ipcfg_add_route(&m.bonds[0].ipv4, "default", NULL, 0), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&m.bonds[0].ipv4, "10.0.0.53"), 0);
        cr_assert_eq(m.bonds[0].ipv4.n_routes, 2);
        cr_assert(!bg_addr_set(&m.bonds[0].ipv4.routes[1].via));
        cr_assert(m.bonds[0].ipv4.routes[1].is_default);
        bg_model_free(&m);
        cr_assert_eq(m.n_bonds, 0);
}

Test(model, intern) {
        struct bg_model m;
        const char *a, *b;

        bg_model_init(&m);
        a = bg_model_intern(&m, "/etc/x");
        b = bg_model_intern(&m, "/etc/x");
        cr_assert_eq(a, b, "same string interned once");
        cr_assert_neq(bg_model_intern(&m, "/etc/y"), a);
        cr_assert_null(bg_model_intern(&m, NULL));
        bg_model_free(&m);
}

Test(model, set_opt_text) {
        struct bg_model m;
        struct bg_diags d = { 0 };
        struct bg_bond *b;
        struct bg_loc loc;
        char line[1024];

        bg_model_init(&m);
        loc = (struct bg_loc){ bg_model_intern(&m, "ifcfg-bond0"), 3, 14 };
        b = bg_model_add_bond(&m, "bond0");
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, "4", &loc, &d), 0);
        cr_assert_eq(bg_bond_mode(b), BG_MODE_8023AD);
        cr_assert_eq(b->opt_loc[BG_OPT_MODE].line, 3);
        cr_assert_eq(bg_bond_opt_num(b, BG_OPT_MIIMON), 0, "default when unset");
        cr_assert_eq(bg_bond_opt_num(b, BG_OPT_AD_ACTOR_SYS_PRIO), 65535);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MIIMON, "100", NULL, &d), 0);
        cr_assert_eq(bg_bond_opt_num(b, BG_OPT_MIIMON), 100);
        cr_assert_eq(d.n, 0);

        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, "x", &loc, &d), -EINVAL);
        cr_assert_eq(bg_bond_mode(b), BG_MODE_8023AD, "a bad value leaves the old one");
        cr_assert_eq(d.n, 1);
        cr_assert_eq(bg_diag_format(&d.v[0], line, sizeof(line)) > 0, 1);
        cr_assert_str_eq(line, "ifcfg-bond0:3:14: error: unknown value 'x' for mode (expected "
                               "balance-rr, active-backup, balance-xor, broadcast, 802.3ad, "
                               "balance-tlb, balance-alb or 0-6)");
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_ARP_IP_TARGET, "+10.0.0.1", &loc, &d), 0);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_ARP_IP_TARGET, "+10.0.0.2", &loc, &d), 0);
        cr_assert_eq(b->opts[BG_OPT_ARP_IP_TARGET].n_list, 2, "repeated +ip accumulates");
        bg_diags_free(&d);
        bg_model_free(&m);
}

static void sample(struct bg_model *m, const char *file) {
        struct bg_loc loc = { bg_model_intern(m, file), 1, 1 };
        struct bg_bond *b = bg_model_add_bond(m, "bond0");

        b->loc = loc;
        b->mtu = 9000;
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:00:01", &b->mac), 0);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, "active-backup", &loc, NULL), 0);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_ARP_IP_TARGET, "10.0.0.9", &loc, NULL), 0);
        bg_bond_add_port(b, "eth0", NULL)->loc = loc;
        bg_bond_add_port(b, NULL, "52:54:00:00:00:02");
        b->ipv4.method = BG_IP_STATIC;
        bg_ipcfg_add_address(&b->ipv4, "10.0.0.1/24");
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "10.0.0.254"), 0);
        bg_ipcfg_add_route(&b->ipv4, "10.1.0.0/16", "10.0.0.253", 10);
        b->ipv4.routes[0].loc = loc;
        bg_ipcfg_add_dns(&b->ipv4, "10.0.0.53");
        b->ipv6.method = BG_IP_DHCP;
}

Test(model, copy_and_equal) {
        struct bg_model a, b, c;

        bg_model_init(&a);
        bg_model_init(&c);
        sample(&a, "one.yaml");
        sample(&c, "other.yaml");
        cr_assert_eq(bg_model_copy(&b, &a), 0);
        cr_assert(bg_model_equal(&a, &b));
        cr_assert(bg_model_equal(&a, &c), "locations do not count");
        cr_assert_neq(b.bonds[0].loc.file, a.bonds[0].loc.file, "copy owns its file names");
        bg_model_free(&a);
        cr_assert_str_eq(b.bonds[0].loc.file, "one.yaml", "copy survives its source");
        cr_assert_str_eq(b.bonds[0].ipv4.routes[0].loc.file, "one.yaml");
        cr_assert_str_eq(b.bonds[0].ports[0].loc.file, "one.yaml");

        b.bonds[0].ipv4.routes[0].metric = 11;
        cr_assert(!bg_model_equal(&b, &c));
        b.bonds[0].ipv4.routes[0].metric = 10;
        cr_assert(bg_model_equal(&b, &c));
        b.bonds[0].onboot = false;
        cr_assert(!bg_model_equal(&b, &c));
        b.bonds[0].onboot = true;
        cr_assert_eq(bg_bond_set_opt_text(&b.bonds[0], BG_OPT_MIIMON, "100", NULL, NULL), 0);
        cr_assert(!bg_model_equal(&b, &c));
        bg_optval_clear(&b.bonds[0].opts[BG_OPT_MIIMON]);
        cr_assert(bg_model_equal(&b, &c));
        b.bonds[0].ports[1].mac.bytes[5] = 3;
        cr_assert(!bg_model_equal(&b, &c));
        b.bonds[0].ports[1].mac.bytes[5] = 2;
        cr_assert(bg_model_equal(&b, &c));
        b.bonds[0].ipv4.addresses[0].prefixlen = 25;
        cr_assert(!bg_model_equal(&b, &c), "a prefix length is content");
        b.bonds[0].ipv4.addresses[0].prefixlen = 24;
        b.bonds[0].ipv4.addresses[0].loc = (struct bg_loc){ "elsewhere", 9, 9 };
        cr_assert(bg_model_equal(&b, &c), "an address's position is not content");
        b.bonds[0].ipv4.gateway.bytes[3] = 1;
        cr_assert(!bg_model_equal(&b, &c));
        bg_model_free(&b);
        bg_model_free(&c);
}

Test(model, names) {
        enum bg_backend be;
        enum bg_ip_method me;

        cr_assert_str_eq(bg_backend_name(BG_BACKEND_USERSPACE), "userspace");
        cr_assert_eq(bg_backend_from_string("kernel", &be), 0);
        cr_assert_eq(be, BG_BACKEND_KERNEL);
        cr_assert_eq(bg_backend_from_string("Kernel", &be), -EINVAL);
        cr_assert_null(bg_backend_name((enum bg_backend) 9));
        cr_assert_str_eq(bg_ip_method_name(BG_IP_DHCP), "dhcp");
        cr_assert_eq(bg_ip_method_from_string("static", &me), 0);
        cr_assert_eq(me, BG_IP_STATIC);
        cr_assert_eq(bg_ip_method_from_string("manual", &me), -EINVAL);
}

Test(model, mac_helpers) {
        uint8_t mac[6];
        char buf[18];

        cr_assert_eq(bg_parse_mac("00:1A:2b:3C:4d:5E", mac), 0);
        cr_assert_eq(mac[1], 0x1a);
        cr_assert_eq(mac[5], 0x5e);
        cr_assert_eq(bg_format_mac(mac, buf), 0);
        cr_assert_str_eq(buf, "00:1a:2b:3c:4d:5e");
        cr_assert_eq(bg_normalize_mac("AA-BB-CC-DD-EE-FF", buf), 0);
        cr_assert_str_eq(buf, "aa:bb:cc:dd:ee:ff");
        cr_assert_eq(bg_parse_mac("aa:bb-cc:dd:ee:ff", mac), -EINVAL, "mixed separators");
        cr_assert_eq(bg_parse_mac("aa:bb:cc:dd:ee", mac), -EINVAL);
        cr_assert_eq(bg_parse_mac("aa:bb:cc:dd:ee:ff:00", mac), -EINVAL);
        cr_assert_eq(bg_parse_mac("a:bb:cc:dd:ee:fff", mac), -EINVAL);
        cr_assert_eq(bg_parse_mac("gg:bb:cc:dd:ee:ff", mac), -EINVAL);
        cr_assert_eq(bg_parse_mac("aabbccddeeff", mac), -EINVAL);
        cr_assert_eq(bg_parse_mac(NULL, mac), -EINVAL);
}

Test(model, prefix_helpers) {
        uint8_t a[16];
        unsigned plen;
        int fam;

        cr_assert_eq(bg_parse_prefix("10.10.10.1/24", &fam, a, &plen), 0);
        cr_assert_eq(fam, AF_INET);
        cr_assert_eq(plen, 24);
        cr_assert_eq(a[0], 10);
        cr_assert_eq(a[3], 1);
        cr_assert_eq(bg_parse_prefix("2001:db8::1/64", &fam, a, &plen), 0);
        cr_assert_eq(fam, AF_INET6);
        cr_assert_eq(plen, 64);
        cr_assert_eq(a[1], 0x01);
        cr_assert_eq(a[15], 1);
        cr_assert_eq(bg_parse_prefix("0.0.0.0/0", &fam, a, &plen), 0);
        cr_assert_eq(bg_parse_prefix("10.0.0.1/33", &fam, a, &plen), -EINVAL);
        cr_assert_eq(bg_parse_prefix("2001:db8::1/129", &fam, a, &plen), -EINVAL);
        cr_assert_eq(bg_parse_prefix("10.0.0.1", &fam, a, &plen), -EINVAL, "prefix required");
        cr_assert_eq(bg_parse_prefix("10.0.0.1/", &fam, a, &plen), -EINVAL);
        cr_assert_eq(bg_parse_prefix("10.0.0.1/-1", &fam, a, &plen), -EINVAL);
        cr_assert_eq(bg_parse_prefix("10.0.0.1/2a", &fam, a, &plen), -EINVAL);
        cr_assert_eq(bg_parse_prefix("10.0.0/24", &fam, a, &plen), -EINVAL);
        cr_assert_eq(bg_parse_prefix("/24", &fam, a, &plen), -EINVAL);

        cr_assert_eq(bg_netmask_to_prefix("255.255.255.0", &plen), 0);
        cr_assert_eq(plen, 24);
        cr_assert_eq(bg_netmask_to_prefix("255.255.254.0", &plen), 0);
        cr_assert_eq(plen, 23);
        cr_assert_eq(bg_netmask_to_prefix("255.255.255.255", &plen), 0);
        cr_assert_eq(plen, 32);
        cr_assert_eq(bg_netmask_to_prefix("0.0.0.0", &plen), 0);
        cr_assert_eq(plen, 0);
        cr_assert_eq(bg_netmask_to_prefix("255.0.255.0", &plen), -EINVAL);
        cr_assert_eq(bg_netmask_to_prefix("255.255.255", &plen), -EINVAL);
        cr_assert_eq(bg_netmask_to_prefix("24", &plen), -EINVAL);
}

/* A control byte from a broken file is printed escaped, never raw. */
Test(diag, format_escapes_control_bytes) {
        struct bg_diags d = {};
        struct bg_loc loc = { "x.cfg", 3, 7 };
        char buf[256];

        cr_assert_eq(bg_diag_add(&d, BG_DIAG_ERROR, &loc, "bond", "invalid bond name '%s'", "bo\033[2Jnd\tx"), 0);
        cr_assert_gt(bg_diag_format(&d.v[0], buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "x.cfg:3:7: error: bond: invalid bond name 'bo\\x1b[2Jnd\\x09x'");
        bg_diags_free(&d);
}

Test(model, hwaddr_parse_format) {
        static const char ib[] = "80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0c:8d:41";
        struct bg_hwaddr h, g;

        cr_assert_eq(bg_hwaddr_parse("00:1A:2b:3C:4d:5E", &h), 0);
        cr_assert_eq(h.len, 6);
        cr_assert_eq(h.bytes[1], 0x1a);
        cr_assert_str_eq(BG_HWADDR_STR(&h), "00:1a:2b:3c:4d:5e");
        cr_assert_eq(bg_hwaddr_parse("00-1a-2b-3c-4d-5e", &g), 0);
        cr_assert(bg_hwaddr_equal(&h, &g), "'-' and ':' spell the same MAC");
        /* IPoIB: 20 bytes (4 of QPN, 16 of GID), as ip link prints them. */
        cr_assert_eq(bg_hwaddr_parse(ib, &h), 0);
        cr_assert_eq(h.len, 20);
        cr_assert_eq(h.bytes[0], 0x80);
        cr_assert_eq(h.bytes[19], 0x41);
        cr_assert_str_eq(BG_HWADDR_STR(&h), ib, "round trip of a 20-byte address");
        cr_assert(!bg_hwaddr_equal(&h, &g));
        h.len = 0;
        cr_assert_str_eq(BG_HWADDR_STR(&h), "", "unset formats empty");

        const char *bad[] = { "", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa:bb-cc:dd:ee:ff",
                              "gg:bb:cc:dd:ee:ff", "aabbccddeeff", "aa:bb:cc:dd:ee:f",
                              "80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0c:8d",
                              "80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0c:8d:41:00",
                              "aa:bb:cc:dd:ee:ff ", " aa:bb:cc:dd:ee:ff" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
                cr_assert_eq(bg_hwaddr_parse(bad[i], &g), -EINVAL, "'%s' must be refused", bad[i]);
        cr_assert_eq(bg_hwaddr_parse(NULL, &g), -EINVAL);
        cr_assert_eq(bg_hwaddr_from_bytes(h.bytes, 7, &g), -EINVAL);
        cr_assert_eq(bg_hwaddr_from_bytes(h.bytes, 20, &g), 0);
        cr_assert_eq(g.len, 20);
}

Test(model, addr_parse_format) {
        struct bg_addr a = { .loc = { "f", 3, 4 } }, b = { 0 };

        cr_assert_eq(bg_addr_parse_prefix("10.10.10.1/24", &a), 0);
        cr_assert_eq(a.family, AF_INET);
        cr_assert_eq(a.prefixlen, 24);
        cr_assert(a.is_prefix);
        cr_assert_eq(a.bytes[0], 10);
        cr_assert_eq(a.bytes[3], 1);
        cr_assert_str_eq(a.loc.file, "f", "the caller's position is kept");
        cr_assert_str_eq(BG_ADDR_STR(&a), "10.10.10.1/24");
        cr_assert_eq(bg_addr_parse_prefix("2001:DB8:0:0::1/64", &a), 0);
        cr_assert_eq(a.family, AF_INET6);
        cr_assert_str_eq(BG_ADDR_STR(&a), "2001:db8::1/64", "canonical text (RFC 5952)");
        cr_assert_eq(bg_addr_parse_prefix("2001:db8::1/64", &b), 0);
        cr_assert(bg_addr_equal(&a, &b), "equal whatever the spelling and position");
        cr_assert_eq(bg_addr_parse_ip("192.0.2.1", &b), 0);
        cr_assert(!b.is_prefix);
        cr_assert_eq(b.prefixlen, 32);
        cr_assert_str_eq(BG_ADDR_STR(&b), "192.0.2.1");
        cr_assert_eq(bg_addr_parse_ip("fe80::1", &b), 0);
        cr_assert_eq(b.prefixlen, 128);
        cr_assert_str_eq(BG_ADDR_STR(&b), "fe80::1");

        const char *bad_prefix[] = { "10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "2001:db8::1/129",
                                     "10.0.0.1/-1", "10.0.0.1/ 8", "10.0.0/24", "/24", "010.0.0.1/8",
                                     "default", "", "10.0.0.1/24x" };
        for (size_t i = 0; i < sizeof(bad_prefix) / sizeof(*bad_prefix); i++)
                cr_assert_eq(bg_addr_parse_prefix(bad_prefix[i], &b), -EINVAL, "'%s'", bad_prefix[i]);
        const char *bad_ip[] = { "10.0.0.1/24", "10.0.0", "::g", "", "1.2.3.4 ", "localhost" };
        for (size_t i = 0; i < sizeof(bad_ip) / sizeof(*bad_ip); i++)
                cr_assert_eq(bg_addr_parse_ip(bad_ip[i], &b), -EINVAL, "'%s'", bad_ip[i]);
        b = (struct bg_addr){ 0 };
        cr_assert_str_eq(BG_ADDR_STR(&b), "", "unset formats empty");
}

Test(model, text_constructors_refuse_bad_text) {
        struct bg_ipcfg c = { 0 };
        struct bg_route r;

        cr_assert_eq(bg_ipcfg_add_address(&c, "10.0.0.1"), -EINVAL, "a prefix length is required");
        cr_assert_eq(bg_ipcfg_add_address(&c, "nonsense/24"), -EINVAL);
        cr_assert_eq(bg_ipcfg_add_address(&c, NULL), -EINVAL);
        cr_assert_eq(bg_ipcfg_add_dns(&c, "10.0.0.53/32"), -EINVAL, "a server has no prefix");
        cr_assert_eq(bg_ipcfg_add_route(&c, "10.1.0.0", NULL, 0), -EINVAL);
        cr_assert_eq(bg_ipcfg_add_route(&c, "10.1.0.0/16", "10.0.0.0/8", 0), -EINVAL);
        cr_assert_eq(bg_ipcfg_add_route(&c, NULL, NULL, 0), -EINVAL);
        cr_assert_eq(bg_ipcfg_set_gateway(&c, "gateway"), -EINVAL);
        cr_assert_eq(c.n_addresses + c.n_dns + c.n_routes, 0, "nothing was added");
        cr_assert(!bg_addr_set(&c.gateway));

        cr_assert_eq(bg_ipcfg_add_route(&c, "default", "fd00::1", 7), 0);
        r = c.routes[0];
        cr_assert(r.is_default);
        cr_assert_eq(r.via.family, AF_INET6);
        cr_assert_eq(r.metric, 7);
        struct bg_addr d = bg_route_dest(&r, AF_INET6);
        cr_assert_str_eq(BG_ADDR_STR(&d), "::/0");
        cr_assert_eq(bg_ipcfg_add_route(&c, "default", NULL, 0), 0);
        d = bg_route_dest(&c.routes[1], AF_INET);
        cr_assert_str_eq(BG_ADDR_STR(&d), "0.0.0.0/0", "the section gives the family");
        cr_assert_eq(bg_ipcfg_add_route(&c, "10.20.0.0/16", NULL, 0), 0);
        d = bg_route_dest(&c.routes[2], AF_INET);
        cr_assert_str_eq(BG_ADDR_STR(&d), "10.20.0.0/16");
        free(c.routes);
}
