/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The precedence rules bondgen chose where sources overlap (bondgen(8),
 * CONVERT, Precedence). */
#include "tree.h"

static const char *miimon_of(struct tree *t, const char *bond, char *buf, size_t len) {
        struct bg_bond *b = bg_model_find_bond(&t->m, bond);
        cr_assert_not_null(b);
        return opt_text(b, BG_OPT_MIIMON, buf, len);
}

/* kernel defaults < options bonding < options bondN < install < BONDING_OPTS */
struct optcase {
        const char *modprobe, *bonding_opts, *miimon, *mode;
};

Test(precedence, option_sources) {
        static const struct optcase cases[] = {
                { "", NULL, "(unset)", "(unset)" },
                { "options bonding miimon=200 mode=1\n", NULL, "200", "active-backup" },
                { "options bonding miimon=200 mode=1\nalias bond0 bonding\noptions bond0 miimon=300\n", NULL,
                  "300", "active-backup" },
                { "options bonding miimon=200 mode=1\nalias bond0 bonding\noptions bond0 miimon=300\n", "miimon=400",
                  "400", "active-backup" },
                { "alias bond0 bonding\noptions bond0 miimon=300 mode=2\n"
                  "install bond0 /sbin/modprobe --ignore-install bonding -o bond0 miimon=500\n", NULL, "500",
                  "balance-xor" },
                { "install bond0 /sbin/modprobe --ignore-install bonding -o bond0 miimon=500 mode=6\n", "mode=4",
                  "500", "802.3ad" },
                /* the last of repeated keys wins */
                { "options bonding miimon=10 miimon=20\n", "miimon=30 miimon=40", "40", "(unset)" },
                { "options bonding miimon=10 miimon=20\n", NULL, "20", "(unset)" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char ifcfg[256], buf[64];
                const char *f[] = { IFCFG("bond0"), ifcfg, "etc/modprobe.conf", cases[i].modprobe, NULL };
                struct tree t;
                struct bg_bond *b;

                snprintf(ifcfg, sizeof(ifcfg), "DEVICE=bond0\nTYPE=Bond\n%s%s%s\n",
                         cases[i].bonding_opts ? "BONDING_OPTS=\"" : "",
                         cases[i].bonding_opts ? cases[i].bonding_opts : "", cases[i].bonding_opts ? "\"" : "");
                tree_read(&t, f);
                cr_expect_eq(t.r, 0, "case %zu", i);
                b = bg_model_find_bond(&t.m, "bond0");
                cr_assert_not_null(b, "case %zu", i);
                cr_expect_str_eq(miimon_of(&t, "bond0", buf, sizeof(buf)), cases[i].miimon, "case %zu", i);
                cr_expect_str_eq(opt_text(b, BG_OPT_MODE, buf, sizeof(buf)), cases[i].mode, "case %zu", i);
                tree_free(&t);
        }
}

Test(precedence, module_wide_options_reach_every_bond) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1\"\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=\"mode=2 miimon=50\"\n",
                "etc/modprobe.d/bonding.conf", "options bonding miimon=100 max_bonds=0\n", NULL };
        struct tree t;
        char buf[32];
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(miimon_of(&t, "bond0", buf, sizeof(buf)), "100");
        cr_expect_str_eq(miimon_of(&t, "bond1", buf, sizeof(buf)), "50");
        cr_expect_str_eq(tree_fate(&t, "etc/modprobe.d/bonding.conf", "options bonding max_bonds"),
                         "ignored: module-wide parameter, not a per-bond option");
        cr_expect(strstr(tree_fate(&t, "etc/modprobe.d/bonding.conf", "options bonding miimon"),
                         "bond1: miimon overridden by") != NULL);
        tree_free(&t);
}

Test(precedence, literal_runtime_differences_warn) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1\"\n",
                IFCFG("bond1"), "DEVICE=bond1\n",
                IFCFG("bond2"), "DEVICE=bond2\nTYPE=Bond\n",
                "etc/modprobe.conf", "alias bond0 bonding\noptions bond0 miimon=100\nalias bond1 bonding\n"
                                     "options bond1 mode=4\noptions bond2 mode=6\n", NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "options", "did not apply at boot"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "options", "the module is loaded once"));
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "options", "no 'alias bond2 bonding'"));
        cr_expect_eq(bg_bond_mode(bg_model_find_bond(&t.m, "bond1")), BG_MODE_8023AD);
        cr_expect_eq(bg_bond_mode(bg_model_find_bond(&t.m, "bond2")), BG_MODE_BALANCE_ALB);
        tree_free(&t);
}

Test(precedence, arp_ip_target_accumulates) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1 arp_interval=100 arp_ip_target=+10.0.0.2 "
                                "arp_ip_target=+10.0.0.3\"\n",
                "etc/modprobe.conf", "options bonding arp_ip_target=10.0.0.1\n", NULL };
        struct tree t;
        char buf[128];
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(opt_text(bg_model_find_bond(&t.m, "bond0"), BG_OPT_ARP_IP_TARGET, buf, sizeof(buf)),
                         "10.0.0.1,10.0.0.2,10.0.0.3");
        tree_free(&t);
}

Test(precedence, prefix_over_netmask) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=16\nNETMASK=255.255.255.0\n", NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(BG_ADDR_STR(&bg_model_find_bond(&t.m, "bond0")->ipv4.addresses[0]), "10.0.0.5/16");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "NETMASK", "PREFIX wins"));
        tree_free(&t);
}

Test(precedence, prefix_n_pairs_with_ipaddr_n_only) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR0=192.168.5.5\nPREFIX=16\n", NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        /* PREFIX belongs to IPADDR: IPADDR0 is classful, PREFIX is unused */
        cr_expect_str_eq(BG_ADDR_STR(&bg_model_find_bond(&t.m, "bond0")->ipv4.addresses[0]), "192.168.5.5/24");
        cr_expect_not_null(tree_diag(&t, BG_DIAG_WARNING, "PREFIX", "no matching IPADDRn"));
        tree_free(&t);
}

Test(precedence, ipaddr_before_ipaddr0) {
        const char *f[] = { IFCFG("bond0"),
                "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR0=10.0.0.2\nPREFIX0=24\nIPADDR=10.0.0.1\nPREFIX=24\nGATEWAY=10.0.0.254\n", NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = bg_model_find_bond(&t.m, "bond0");
        cr_assert_eq(b->ipv4.n_addresses, 2);
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[0]), "10.0.0.1/24");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.addresses[1]), "10.0.0.2/24");
        cr_expect_str_eq(BG_ADDR_STR(&b->ipv4.gateway), "10.0.0.254");
        tree_free(&t);
}

Test(precedence, gateway_ifcfg_over_sysconfig_network) {
        const char *f[] = {
                "etc/sysconfig/network", "GATEWAY=10.0.0.1\n",
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=24\nGATEWAY=10.0.0.254\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nBOOTPROTO=dhcp\n",
                IFCFG("bond2"), "DEVICE=bond2\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.6\nPREFIX=24\n",
                IFCFG("bond3"), "DEVICE=bond3\nBONDING_OPTS=mode=1\nIPADDR=10.9.0.6\nPREFIX=24\n",
                NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_str_eq(BG_ADDR_STR(&bg_model_find_bond(&t.m, "bond0")->ipv4.gateway), "10.0.0.254");
        cr_expect(!bg_addr_set(&bg_model_find_bond(&t.m, "bond1")->ipv4.gateway));  /* DHCP */
        cr_expect_str_eq(BG_ADDR_STR(&bg_model_find_bond(&t.m, "bond2")->ipv4.gateway), "10.0.0.1");
        cr_expect(!bg_addr_set(&bg_model_find_bond(&t.m, "bond3")->ipv4.gateway));  /* not on-link */
        tree_free(&t);
}

Test(precedence, port_order_ifcfg_then_rclocal) {
        const char *f[] = {
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\n",
                PORT("eth2", "bond0"), PORT("eth10", "bond0"),
                "etc/rc.d/rc.local", "ifenslave bond0 eth0 eth2\n", NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = bg_model_find_bond(&t.m, "bond0");
        cr_assert_eq(b->n_ports, 3);
        /* C-locale file name order (the shell glob initscripts uses), then rc.local */
        cr_expect_str_eq(b->ports[0].name, "eth10");
        cr_expect_str_eq(b->ports[1].name, "eth2");
        cr_expect_str_eq(b->ports[2].name, "eth0");
        tree_free(&t);
}

Test(precedence, duplicate_key_last_wins) {
        const char *f[] = { IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=\"mode=1\"\nBONDING_OPTS=\"mode=4\"\n", NULL };
        struct tree t;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        cr_expect_eq(bg_bond_mode(bg_model_find_bond(&t.m, "bond0")), BG_MODE_8023AD);
        cr_expect_str_eq(tree_fate(&t, IFCFG("bond0"), "BONDING_OPTS"), "ignored: set again on line 3");
        tree_free(&t);
}

Test(precedence, gatewaydev_without_gateway_is_a_device_route) {
        const char *f[] = {
                "etc/sysconfig/network", "GATEWAYDEV=bond0\n",
                IFCFG("bond0"), "DEVICE=bond0\nBONDING_OPTS=mode=1\nIPADDR=10.0.0.5\nPREFIX=24\n",
                IFCFG("bond1"), "DEVICE=bond1\nBONDING_OPTS=mode=1\nIPADDR=10.1.0.5\nPREFIX=24\n",
                NULL };
        struct tree t;
        struct bg_bond *b;
        tree_read(&t, f);
        cr_expect_eq(t.r, 0);
        b = bg_model_find_bond(&t.m, "bond0");
        cr_assert_eq(b->ipv4.n_routes, 1);
        cr_expect(b->ipv4.routes[0].is_default);
        cr_expect(!bg_addr_set(&b->ipv4.routes[0].via));
        cr_expect_eq(bg_model_find_bond(&t.m, "bond1")->ipv4.n_routes, 0);
        tree_free(&t);
}
