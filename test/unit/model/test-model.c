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
        cr_assert_str_eq(b->ports[1].mac, "52:54:00:ab:cd:ef", "MAC stored normalized");
        cr_assert_not_null(bg_bond_add_port(b, "eth2", "bogus"));
        cr_assert_str_eq(b->ports[2].mac, "bogus", "kept as given for validation to report");
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
        cr_assert_null(m.bonds[0].ipv4.routes[1].via);
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
        b->mac = strdup("02:00:00:00:00:01");
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, "active-backup", &loc, NULL), 0);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_ARP_IP_TARGET, "10.0.0.9", &loc, NULL), 0);
        bg_bond_add_port(b, "eth0", NULL)->loc = loc;
        bg_bond_add_port(b, NULL, "52:54:00:00:00:02");
        b->ipv4.method = BG_IP_STATIC;
        bg_ipcfg_add_address(&b->ipv4, "10.0.0.1/24");
        b->ipv4.gateway = strdup("10.0.0.254");
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
        free(b.bonds[0].ports[1].mac);
        b.bonds[0].ports[1].mac = strdup("52:54:00:00:00:03");
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
