/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The option catalogue: every row, value parsing, suggestions, splitting. */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/catalog.h"

static int parse(enum bg_opt id, const char *text, struct bg_optval *v) {
        char err[512];
        int r = bg_opt_parse_value(bg_opt_get(id), text, v, err, sizeof(err));

        if (r < 0)
                cr_assert_neq(err[0], '\0', "no explanation for rejected '%s'", text);
        return r;
}

static uint64_t num_of(enum bg_opt id, const char *text) {
        struct bg_optval v = { 0 };
        int r = parse(id, text, &v);

        cr_assert_eq(r, 0, "%s=%s rejected", bg_opt_get(id)->name, text);
        uint64_t n = v.num;

        cr_assert(v.set);
        bg_optval_clear(&v);
        return n;
}

static bool rejects(enum bg_opt id, const char *text) {
        struct bg_optval v = { 0 };
        int r = parse(id, text, &v);

        bg_optval_clear(&v);
        return r == -EINVAL;
}

Test(catalog, rows_are_consistent) {
        for (size_t i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = &bg_catalog[i];

                cr_assert_eq((size_t) o->id, i, "row %zu has id %d", i, o->id);
                cr_assert_not_null(o->name, "row %zu has no name", i);
                cr_assert_not_null(o->doc, "%s has no doc", o->name);
                cr_assert_eq(bg_opt_get(o->id), o);
                cr_assert_eq(bg_opt_lookup(o->name), o, "lookup(%s)", o->name);
                for (const char *const *a = o->aliases; a && *a; a++)
                        cr_assert_eq(bg_opt_lookup(*a), o, "alias %s", *a);
                cr_assert_eq(o->effect_modes & ~o->modes, 0u, "%s: effect outside accepted modes", o->name);
                cr_assert_neq(o->modes, 0u, "%s accepted in no mode", o->name);
                if (o->type == BG_OT_ENUM || o->type == BG_OT_BOOL) {
                        cr_assert_not_null(o->enums, "%s has no value table", o->name);
                        cr_assert_not_null(bg_opt_enum_name(o, o->def), "%s default unnamed", o->name);
                }
                if (o->type == BG_OT_UINT || o->type == BG_OT_MSEC)
                        cr_assert(o->def >= o->min && o->def <= o->max, "%s default out of range", o->name);
                if (o->type == BG_OT_IPV4_LIST || o->type == BG_OT_IPV6_LIST || o->type == BG_OT_QUEUE_ID)
                        cr_assert(o->flags & BG_OF_LIST, "%s list type without BG_OF_LIST", o->name);
                /* Each attribute number belongs to one option. */
                for (size_t k = 0; k < i && o->ifla; k++)
                        cr_assert_neq(bg_catalog[k].ifla, o->ifla, "%s and %s share IFLA %u",
                                      bg_catalog[k].name, o->name, o->ifla);
                cr_assert_eq(o->ifla != 0, o->nla != BG_NLA_NONE, "%s: ifla/nla mismatch", o->name);
        }
        cr_assert_null(bg_opt_get(BG_OPT__MAX));
        cr_assert_null(bg_opt_lookup("nonsense"));
        cr_assert_null(bg_opt_lookup("MODE"), "names are case-sensitive like the kernel's");
}

/* Every row: its spellings, numbers, "default", and the values just outside. */
Test(catalog, every_row_parses_and_rejects) {
        char buf[64];

        for (size_t i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = &bg_catalog[i];

                switch (o->type) {
                case BG_OT_ENUM:
                case BG_OT_BOOL: {
                        uint64_t maxn = 0;

                        for (const struct bg_enum_val *e = o->enums; e->name; e++) {
                                cr_assert_eq(num_of(o->id, e->name), e->num, "%s=%s", o->name, e->name);
                                snprintf(buf, sizeof(buf), "%u", e->num);
                                cr_assert_eq(num_of(o->id, buf), e->num, "%s=%s", o->name, buf);
                                if (e->num > maxn)
                                        maxn = e->num;
                        }
                        snprintf(buf, sizeof(buf), "%" PRIu64, maxn + 1);
                        cr_assert(rejects(o->id, buf), "%s accepts %s", o->name, buf);
                        cr_assert(rejects(o->id, "bogus"), "%s accepts bogus", o->name);
                        cr_assert(rejects(o->id, "-1"), "%s accepts -1", o->name);
                        cr_assert(rejects(o->id, ""), "%s accepts empty", o->name);
                        cr_assert_eq(num_of(o->id, "default"), o->def);
                        break;
                }
                case BG_OT_UINT:
                case BG_OT_MSEC:
                        snprintf(buf, sizeof(buf), "%" PRIu64, o->min);
                        cr_assert_eq(num_of(o->id, buf), o->min);
                        snprintf(buf, sizeof(buf), "%" PRIu64, o->max);
                        cr_assert_eq(num_of(o->id, buf), o->max);
                        snprintf(buf, sizeof(buf), "%" PRIu64, o->max + 1);
                        cr_assert(rejects(o->id, buf), "%s accepts %s", o->name, buf);
                        if (o->min > 0) {
                                snprintf(buf, sizeof(buf), "%" PRIu64, o->min - 1);
                                cr_assert(rejects(o->id, buf), "%s accepts %s", o->name, buf);
                        }
                        cr_assert(rejects(o->id, "abc"), "%s", o->name);
                        cr_assert(rejects(o->id, "-1"), "%s", o->name);
                        cr_assert(rejects(o->id, "0x10"), "%s", o->name);
                        cr_assert(rejects(o->id, ""), "%s", o->name);
                        cr_assert(rejects(o->id, "99999999999999999999999"), "%s", o->name);
                        cr_assert_eq(num_of(o->id, "default"), o->def);
                        break;
                case BG_OT_IFNAME:
                        cr_assert(!rejects(o->id, "eth0"));
                        cr_assert(!rejects(o->id, ""), "empty = none");
                        cr_assert(rejects(o->id, "a/b"));
                        cr_assert(rejects(o->id, "a:b"));
                        cr_assert(rejects(o->id, "sixteen-chars-xx"));
                        break;
                case BG_OT_MAC:
                        cr_assert(rejects(o->id, "01:00:5e:00:00:01"));
                        cr_assert(rejects(o->id, "00:11:22:33:44"));
                        break;
                default:
                        break;
                }
        }
}

/* The numbers and names the kernel uses (bond_options.c value tables). */
Test(catalog, kernel_value_tables) {
        static const struct {
                enum bg_opt id;
                const char *name;
                unsigned num;
        } t[] = {
                { BG_OPT_MODE, "balance-rr", 0 },         { BG_OPT_MODE, "active-backup", 1 },
                { BG_OPT_MODE, "balance-xor", 2 },        { BG_OPT_MODE, "broadcast", 3 },
                { BG_OPT_MODE, "802.3ad", 4 },            { BG_OPT_MODE, "balance-tlb", 5 },
                { BG_OPT_MODE, "balance-alb", 6 },        { BG_OPT_XMIT_HASH_POLICY, "layer2", 0 },
                { BG_OPT_XMIT_HASH_POLICY, "layer3+4", 1 }, { BG_OPT_XMIT_HASH_POLICY, "layer2+3", 2 },
                { BG_OPT_XMIT_HASH_POLICY, "encap2+3", 3 }, { BG_OPT_XMIT_HASH_POLICY, "encap3+4", 4 },
                { BG_OPT_XMIT_HASH_POLICY, "vlan+srcmac", 5 }, { BG_OPT_LACP_RATE, "slow", 0 },
                { BG_OPT_LACP_RATE, "fast", 1 },          { BG_OPT_AD_SELECT, "stable", 0 },
                { BG_OPT_AD_SELECT, "bandwidth", 1 },     { BG_OPT_AD_SELECT, "count", 2 },
                { BG_OPT_AD_SELECT, "actor_port_prio", 3 }, { BG_OPT_ARP_VALIDATE, "none", 0 },
                { BG_OPT_ARP_VALIDATE, "active", 1 },     { BG_OPT_ARP_VALIDATE, "backup", 2 },
                { BG_OPT_ARP_VALIDATE, "all", 3 },        { BG_OPT_ARP_VALIDATE, "filter", 4 },
                { BG_OPT_ARP_VALIDATE, "filter_active", 5 }, { BG_OPT_ARP_VALIDATE, "filter_backup", 6 },
                { BG_OPT_FAIL_OVER_MAC, "none", 0 },      { BG_OPT_FAIL_OVER_MAC, "active", 1 },
                { BG_OPT_FAIL_OVER_MAC, "follow", 2 },    { BG_OPT_PRIMARY_RESELECT, "always", 0 },
                { BG_OPT_PRIMARY_RESELECT, "better", 1 }, { BG_OPT_PRIMARY_RESELECT, "failure", 2 },
                { BG_OPT_ARP_ALL_TARGETS, "any", 0 },     { BG_OPT_ARP_ALL_TARGETS, "all", 1 },
                { BG_OPT_USE_CARRIER, "off", 0 },         { BG_OPT_USE_CARRIER, "on", 1 },
                { BG_OPT_TLB_DYNAMIC_LB, "on", 1 },       { BG_OPT_ALL_SLAVES_ACTIVE, "1", 1 },
        };
        char buf[64];

        for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
                struct bg_optval v = { 0 };

                cr_assert_eq(num_of(t[i].id, t[i].name), t[i].num, "%s", t[i].name);
                cr_assert_eq(parse(t[i].id, t[i].name, &v), 0);
                cr_assert_eq(bg_opt_format_value(bg_opt_get(t[i].id), &v, buf, sizeof(buf)), 0);
                if (t[i].name[0] < '0' || t[i].name[0] > '9')
                        cr_assert_str_eq(buf, t[i].name);
                bg_optval_clear(&v);
        }
        cr_assert(rejects(BG_OPT_MODE, "7"));
        cr_assert(rejects(BG_OPT_MODE, "802.3AD"));
        cr_assert(rejects(BG_OPT_XMIT_HASH_POLICY, "6"));
        cr_assert(rejects(BG_OPT_LACP_RATE, "2"));
        cr_assert(rejects(BG_OPT_ARP_VALIDATE, "7"));
        cr_assert(rejects(BG_OPT_FAIL_OVER_MAC, "3"));
        cr_assert(rejects(BG_OPT_PRIMARY_RESELECT, "3"));
        cr_assert(rejects(BG_OPT_ARP_ALL_TARGETS, "2"));
        cr_assert(rejects(BG_OPT_USE_CARRIER, "yes"));
        cr_assert_eq(num_of(BG_OPT_MIIMON, " 100\n"), 100, "sysfs-style trailing newline");
        cr_assert_eq(num_of(BG_OPT_MODE, "default"), 0);
        cr_assert(rejects(BG_OPT_PEER_NOTIF_DELAY, "300001"));
        cr_assert(rejects(BG_OPT_AD_USER_PORT_KEY, "1024"));
        cr_assert(rejects(BG_OPT_AD_ACTOR_SYS_PRIO, "0"));
        cr_assert(rejects(BG_OPT_ARP_MISSED_MAX, "0"));
        cr_assert(rejects(BG_OPT_RESEND_IGMP, "256"));
}

/* IFLA_BOND_* numbers and flags (include/uapi/linux/if_link.h, bond_netlink.c bond_policy). */
Test(catalog, netlink_attributes_and_flags) {
        static const struct {
                enum bg_opt id;
                uint16_t ifla;
                enum bg_nla_type nla;
        } t[] = {
                { BG_OPT_MODE, 1, BG_NLA_U8 },              { BG_OPT_ACTIVE_SLAVE, 2, BG_NLA_IFINDEX },
                { BG_OPT_MIIMON, 3, BG_NLA_U32 },           { BG_OPT_UPDELAY, 4, BG_NLA_U32 },
                { BG_OPT_DOWNDELAY, 5, BG_NLA_U32 },        { BG_OPT_USE_CARRIER, 6, BG_NLA_U8 },
                { BG_OPT_ARP_INTERVAL, 7, BG_NLA_U32 },     { BG_OPT_ARP_IP_TARGET, 8, BG_NLA_NESTED_IN4 },
                { BG_OPT_ARP_VALIDATE, 9, BG_NLA_U32 },     { BG_OPT_ARP_ALL_TARGETS, 10, BG_NLA_U32 },
                { BG_OPT_PRIMARY, 11, BG_NLA_IFINDEX },     { BG_OPT_PRIMARY_RESELECT, 12, BG_NLA_U8 },
                { BG_OPT_FAIL_OVER_MAC, 13, BG_NLA_U8 },    { BG_OPT_XMIT_HASH_POLICY, 14, BG_NLA_U8 },
                { BG_OPT_RESEND_IGMP, 15, BG_NLA_U32 },     { BG_OPT_NUM_GRAT_ARP, 16, BG_NLA_U8 },
                { BG_OPT_ALL_SLAVES_ACTIVE, 17, BG_NLA_U8 }, { BG_OPT_MIN_LINKS, 18, BG_NLA_U32 },
                { BG_OPT_LP_INTERVAL, 19, BG_NLA_U32 },     { BG_OPT_PACKETS_PER_SLAVE, 20, BG_NLA_U32 },
                { BG_OPT_LACP_RATE, 21, BG_NLA_U8 },        { BG_OPT_AD_SELECT, 22, BG_NLA_U8 },
                { BG_OPT_AD_ACTOR_SYS_PRIO, 24, BG_NLA_U16 }, { BG_OPT_AD_USER_PORT_KEY, 25, BG_NLA_U16 },
                { BG_OPT_AD_ACTOR_SYSTEM, 26, BG_NLA_MAC }, { BG_OPT_TLB_DYNAMIC_LB, 27, BG_NLA_U8 },
                { BG_OPT_PEER_NOTIF_DELAY, 28, BG_NLA_U32 }, { BG_OPT_LACP_ACTIVE, 29, BG_NLA_U8 },
                { BG_OPT_ARP_MISSED_MAX, 30, BG_NLA_U8 },   { BG_OPT_NS_IP6_TARGET, 31, BG_NLA_NESTED_IN6 },
                { BG_OPT_COUPLED_CONTROL, 32, BG_NLA_U8 },  { BG_OPT_BROADCAST_NEIGHBOR, 33, BG_NLA_U8 },
                { BG_OPT_LACP_STRICT, 34, BG_NLA_U8 },      { BG_OPT_MAX_BONDS, 0, BG_NLA_NONE },
                { BG_OPT_TX_QUEUES, 0, BG_NLA_NONE },       { BG_OPT_QUEUE_ID, 0, BG_NLA_NONE },
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
                cr_assert_eq(bg_catalog[t[i].id].ifla, t[i].ifla, "%s", bg_catalog[t[i].id].name);
                cr_assert_eq(bg_catalog[t[i].id].nla, t[i].nla, "%s", bg_catalog[t[i].id].name);
        }
        cr_assert(bg_catalog[BG_OPT_MODE].flags & BG_OF_IFDOWN);
        cr_assert(bg_catalog[BG_OPT_MODE].flags & BG_OF_NOSLAVES);
        cr_assert(bg_catalog[BG_OPT_FAIL_OVER_MAC].flags & BG_OF_NOSLAVES);
        cr_assert(bg_catalog[BG_OPT_UPDELAY].flags & BG_OF_NEEDS_MIIMON);
        cr_assert(bg_catalog[BG_OPT_PEER_NOTIF_DELAY].flags & BG_OF_NEEDS_MIIMON);
        cr_assert(!(bg_catalog[BG_OPT_PEER_NOTIF_DELAY].flags & BG_OF_MODULE_PARAM));
        cr_assert(bg_catalog[BG_OPT_MAX_BONDS].flags & BG_OF_MODULE_ONLY);
        cr_assert(bg_catalog[BG_OPT_LP_INTERVAL].flags & BG_OF_SECONDS);
        cr_assert_eq(bg_catalog[BG_OPT_ARP_INTERVAL].modes & BG_MODE_BIT(BG_MODE_8023AD), 0u);
        cr_assert_eq(bg_catalog[BG_OPT_PACKETS_PER_SLAVE].modes, BG_MODE_BIT(BG_MODE_BALANCE_RR));
        cr_assert_str_eq(bg_catalog[BG_OPT_MIIMON].networkd, "MIIMonitorSec");
        cr_assert_str_eq(bg_catalog[BG_OPT_NUM_GRAT_ARP].netplan, "gratuitous-arp");
        cr_assert_null(bg_catalog[BG_OPT_AD_ACTOR_SYSTEM].netplan, "netplan cannot express it");
        cr_assert_null(bg_catalog[BG_OPT_USE_CARRIER].networkd, "networkd cannot express it");
        cr_assert_eq(bg_opt_lookup("num_unsol_na"), &bg_catalog[BG_OPT_NUM_GRAT_ARP]);
}

Test(catalog, mode_names) {
        enum bg_mode m;

        cr_assert_str_eq(bg_mode_name(BG_MODE_8023AD), "802.3ad");
        cr_assert_str_eq(bg_mode_name(BG_MODE_ACTIVE_BACKUP), "active-backup");
        cr_assert_null(bg_mode_name(BG_MODE__MAX));
        cr_assert_eq(bg_mode_from_string("balance-alb", &m), 0);
        cr_assert_eq(m, BG_MODE_BALANCE_ALB);
        cr_assert_eq(bg_mode_from_string("4", &m), 0);
        cr_assert_eq(m, BG_MODE_8023AD);
        cr_assert_eq(bg_mode_from_string("7", &m), -EINVAL);
        cr_assert_eq(bg_mode_from_string("lacp", &m), -EINVAL);
        cr_assert_eq(bg_mode_from_string(NULL, &m), -EINVAL);
}

Test(catalog, enum_error_message_lists_values) {
        char err[512];
        struct bg_optval v = { 0 };

        cr_assert_eq(bg_opt_parse_value(bg_opt_get(BG_OPT_MODE), "x", &v, err, sizeof(err)), -EINVAL);
        cr_assert_str_eq(err, "unknown value 'x' for mode (expected balance-rr, active-backup, "
                              "balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb or 0-6)");
        cr_assert(!v.set, "a failed parse leaves the value unset");
        cr_assert_eq(bg_opt_parse_value(bg_opt_get(BG_OPT_MIIMON), "4294967296000", &v, err,
                                        sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "out of range") != NULL, "%s", err);
}

Test(catalog, suggest) {
        cr_assert_str_eq(bg_opt_suggest("miimom"), "miimon");
        cr_assert_str_eq(bg_opt_suggest("MIIMON"), "miimon");
        cr_assert_str_eq(bg_opt_suggest("updleay"), "updelay");
        cr_assert_str_eq(bg_opt_suggest("arp_ip_targets"), "arp_ip_target");
        cr_assert_str_eq(bg_opt_suggest("num_unsol_nb"), "num_unsol_na");
        cr_assert_str_eq(bg_opt_suggest("xmit_hash_polcy"), "xmit_hash_policy");
        cr_assert_null(bg_opt_suggest("completely_unrelated"));
        cr_assert_null(bg_opt_suggest("ab"));
        cr_assert_null(bg_opt_suggest(""));
        cr_assert_null(bg_opt_suggest(NULL));
}

Test(catalog, arp_ip_target_lists) {
        const struct bg_opt_info *o = bg_opt_get(BG_OPT_ARP_IP_TARGET);
        struct bg_optval v = { 0 };
        char buf[1024], err[256];

        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2", &v), 0);
        cr_assert_eq(v.n_list, 2);
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "+10.0.0.3", &v), 0, "sysfs add appends");
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "-10.0.0.1", &v), 0);
        cr_assert_eq(bg_opt_format_value(o, &v, buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "10.0.0.2,10.0.0.3");
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "-10.0.0.9", &v), -EINVAL, "remove unknown");
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "+10.0.0.2", &v), -EINVAL, "duplicate");
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0.7,10.0.0.7", &v), -EINVAL, "duplicate in list");
        cr_assert_eq(v.n_list, 2, "failed edit leaves the list unchanged");
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "0.1.2.3", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "255.255.255.255", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "2001:db8::1", &v), -EINVAL);
        bg_optval_clear(&v);

        /* 16 fit, the 17th does not. */
        for (int i = 1; i <= 16; i++) {
                snprintf(buf, sizeof(buf), "+192.168.1.%d", i);
                cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, buf, &v), 0);
        }
        cr_assert_eq(bg_opt_parse_value(o, "+192.168.1.17", &v, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, "16") != NULL, "%s", err);
        cr_assert_eq(v.n_list, 16);
        bg_optval_clear(&v);

        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "", &v), 0, "empty list = no targets");
        cr_assert(v.set);
        cr_assert_eq(v.n_list, 0);
        bg_optval_clear(&v);
}

/* VLAN hints, the kernel's proposed "ipv4-address[vlan-tag/...]": ids
 * 1-4094 outermost first, at most 5, "[]" for none; one entry per address
 * whatever its hint. */
Test(catalog, arp_ip_target_vlan_hints) {
        const struct bg_opt_info *o = bg_opt_get(BG_OPT_ARP_IP_TARGET);
        struct bg_optval v = { 0 };
        char buf[256], err[256];

        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0.1[10/20], 10.0.0.2[] ,10.0.0.3", &v), 0);
        cr_assert_eq(v.n_list, 3);
        cr_expect(v.addrs[0].hinted && v.addrs[0].n_vlans == 2 && v.addrs[0].vlans[0] == 10 &&
                  v.addrs[0].vlans[1] == 20);
        cr_expect(v.addrs[1].hinted && v.addrs[1].n_vlans == 0, "[]: no tags, no discovery");
        cr_expect(!v.addrs[2].hinted);
        cr_expect(v.addrs[0].bytes[0] == 10 && v.addrs[0].bytes[3] == 1);
        cr_assert_eq(bg_opt_format_value(o, &v, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "10.0.0.1[10/20],10.0.0.2[],10.0.0.3");
        cr_expect_eq(parse(BG_OPT_ARP_IP_TARGET, "+10.0.0.3[5]", &v), -EINVAL, "the same address, another hint");
        cr_expect_eq(parse(BG_OPT_ARP_IP_TARGET, "-10.0.0.1", &v), 0, "removed by its address");
        cr_expect_eq(v.n_list, 2);
        bg_optval_clear(&v);
        cr_expect_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0.1[1/2/3/4/4094]", &v), 0, "five, up to 4094");
        bg_optval_clear(&v);
        static const char *const bad[] = { "10.0.0.1[0]", "10.0.0.1[4095]", "10.0.0.1[1/2/3/4/5/6]", "10.0.0.1[10",
                                           "10.0.0.1[10/]", "10.0.0.1[/10]", "10.0.0.1[a]", "10.0.0.1[10]x",
                                           "10.0.0.1[10,20]", "10.0.0.[1]", "[10]", "10.0.0.1[ 10]" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_expect_eq(bg_opt_parse_value(o, bad[i], &v, err, sizeof(err)), -EINVAL, "%s", bad[i]);
                bg_optval_clear(&v);
        }
        cr_assert_eq(bg_opt_parse_value(o, "10.0.0.1[4095]", &v, err, sizeof(err)), -EINVAL);
        cr_expect(strstr(err, "VLAN hint") && strstr(err, "10.0.0.1[4095]") && strstr(err, "1-4094"), "%s", err);
        bg_optval_clear(&v);
}

Test(catalog, ns_ip6_target_and_mac_and_queue_id) {
        struct bg_optval v = { 0 };
        char buf[256];

        cr_assert_eq(parse(BG_OPT_NS_IP6_TARGET, "2001:DB8:0::1,fe80::1", &v), 0);
        cr_assert_eq(bg_opt_format_value(bg_opt_get(BG_OPT_NS_IP6_TARGET), &v, buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "2001:db8::1,fe80::1", "canonical text");
        cr_assert_eq(parse(BG_OPT_NS_IP6_TARGET, "+2001:db8::1", &v), -EINVAL, "duplicate by value");
        cr_assert_eq(parse(BG_OPT_NS_IP6_TARGET, "::", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_NS_IP6_TARGET, "::1", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_NS_IP6_TARGET, "ff02::1", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_NS_IP6_TARGET, "10.0.0.1", &v), -EINVAL);
        bg_optval_clear(&v);

        cr_assert_eq(parse(BG_OPT_AD_ACTOR_SYSTEM, "02-AA-BB-CC-DD-EE", &v), 0);
        cr_assert_str_eq(v.str, "02:aa:bb:cc:dd:ee");
        cr_assert_eq(parse(BG_OPT_AD_ACTOR_SYSTEM, "00:00:00:00:00:00", &v), 0, "zero = bond MAC");
        bg_optval_clear(&v);

        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth1:2", &v), 0);
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth2:3", &v), 0);
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth1:4", &v), 0, "same port again replaces");
        cr_assert_eq(bg_opt_format_value(bg_opt_get(BG_OPT_QUEUE_ID), &v, buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "eth1:4,eth2:3");
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth3:3", &v), -EINVAL, "queue already used");
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth3:0", &v), 0, "queue 0 may repeat");
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth4", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth4:x", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, "eth4:65536", &v), -EINVAL);
        cr_assert_eq(parse(BG_OPT_QUEUE_ID, ":1", &v), -EINVAL);
        bg_optval_clear(&v);
}

Test(catalog, format_value_errors) {
        const struct bg_opt_info *o = bg_opt_get(BG_OPT_ARP_IP_TARGET);
        struct bg_optval v = { 0 };
        char small[8];

        cr_assert_eq(bg_opt_format_value(o, &v, small, sizeof(small)), -ENODATA);
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2", &v), 0);
        cr_assert_eq(bg_opt_format_value(o, &v, small, sizeof(small)), -ENOBUFS);
        bg_optval_clear(&v);
}

Test(catalog, optval_copy_equal) {
        struct bg_optval a = { 0 }, b = { 0 };

        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2", &a), 0);
        cr_assert_eq(bg_optval_copy(&b, &a), 0);
        cr_assert(bg_optval_equal(&a, &b));
        cr_assert_neq(a.list[0], b.list[0], "deep copy");
        cr_assert_eq(parse(BG_OPT_ARP_IP_TARGET, "-10.0.0.2", &b), 0);
        cr_assert(!bg_optval_equal(&a, &b));
        bg_optval_clear(&a);
        bg_optval_clear(&b);
        cr_assert(bg_optval_equal(&a, &b));
        cr_assert_eq(parse(BG_OPT_PRIMARY, "eth0", &a), 0);
        cr_assert_eq(parse(BG_OPT_PRIMARY, "eth1", &b), 0);
        cr_assert(!bg_optval_equal(&a, &b));
        bg_optval_clear(&a);
        bg_optval_clear(&b);
}

struct pair {
        char key[32], value[64];
        bool has_value;
        unsigned col;
};
struct pairs {
        struct pair p[8];
        size_t n;
        int stop_at;
};

static int collect(const char *key, const char *value, unsigned col, void *userdata) {
        struct pairs *ps = userdata;
        struct pair *p;

        if (ps->stop_at && (int) ps->n == ps->stop_at)
                return -ECANCELED;
        cr_assert_lt(ps->n, 8);
        p = &ps->p[ps->n++];
        snprintf(p->key, sizeof(p->key), "%s", key);
        p->has_value = value != NULL;
        snprintf(p->value, sizeof(p->value), "%s", value ? value : "");
        p->col = col;
        return 0;
}

Test(catalog, split) {
        struct pairs ps = { 0 };

        cr_assert_eq(bg_opt_split("mode=1  miimon=100\tarp_ip_target=10.0.0.1,10.0.0.2 primary= foo",
                                  collect, &ps), 0);
        cr_assert_eq(ps.n, 5);
        cr_assert_str_eq(ps.p[0].key, "mode");
        cr_assert_str_eq(ps.p[0].value, "1");
        cr_assert_eq(ps.p[0].col, 1);
        cr_assert_str_eq(ps.p[1].key, "miimon");
        cr_assert_eq(ps.p[1].col, 9);
        cr_assert_str_eq(ps.p[2].value, "10.0.0.1,10.0.0.2", "commas do not split");
        cr_assert_eq(ps.p[2].col, 20);
        cr_assert_str_eq(ps.p[3].key, "primary");
        cr_assert(ps.p[3].has_value);
        cr_assert_str_eq(ps.p[3].value, "");
        cr_assert_str_eq(ps.p[4].key, "foo");
        cr_assert(!ps.p[4].has_value, "a word without '=' has no value");

        ps = (struct pairs){ 0 };
        cr_assert_eq(bg_opt_split("   ", collect, &ps), 0);
        cr_assert_eq(ps.n, 0);

        ps = (struct pairs){ 0 };
        cr_assert_eq(bg_opt_split("primary=\"eth0\" mode='4'", collect, &ps), 0);
        cr_assert_str_eq(ps.p[0].value, "eth0");
        cr_assert_str_eq(ps.p[1].value, "4");

        ps = (struct pairs){ .stop_at = 1 };
        cr_assert_eq(bg_opt_split("a=1 b=2 c=3", collect, &ps), -ECANCELED);
        cr_assert_eq(ps.n, 1, "stops at the first negative return");
        cr_assert_eq(bg_opt_split(NULL, collect, &ps), -EINVAL);
}
