/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Behaviour of the emitters beyond the golden files: what each format
 * cannot express is warned about by bond and option name, units of time,
 * defaults that differ between the kernel and a target, odd models. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit-internal.h"
#include "models.h"

typedef int (*emit_fn)(const struct bg_model *, struct bg_emit_files *, struct bg_diags *);
static const emit_fn fmt_fn[] = { bg_emit_networkd, bg_emit_netplan, bg_emit_keyfile };
static const char *const fmt_main[] = { "10-bondgen-bond0.netdev", "10-bondgen-bond0.yaml",
                                        "bondgen-bond0.nmconnection" };

/* Emit one format for m; returns the text of file (NULL = the bond's main
 * file), kept valid until the next call. */
static struct bg_emit_files g_files;
static struct bg_diags g_diags;

static void reset(void) {
        bg_emit_files_free(&g_files);
        bg_diags_free(&g_diags);
}

static const char *emit(const struct bg_model *m, int f, const char *file) {
        const struct bg_emit_file *ef;

        reset();
        cr_assert_eq(fmt_fn[f](m, &g_files, &g_diags), 0);
        ef = tm_file(&g_files, file ? file : fmt_main[f]);
        cr_assert_not_null(ef, "no file %s", file ? file : fmt_main[f]);
        return ef->content;
}

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
                        return true;
        return false;
}

/* One option, one value, one mode; for each format either the line the
 * output must contain, or NULL: the format cannot express it, so a
 * warning keyed "bond0.<option>" and a "left out" comment are expected. */
struct gap_case {
        const char *mode;
        enum bg_opt opt;
        const char *value;
        const char *line[3]; /* networkd, netplan, keyfile */
};

static const struct gap_case gap_cases[] = {
        { "active-backup", BG_OPT_USE_CARRIER, "0", { NULL, NULL, "use_carrier=0" } },
        { "active-backup", BG_OPT_NS_IP6_TARGET, "2001:db8::1", { NULL, NULL, NULL } },
        { "active-backup", BG_OPT_ARP_MISSED_MAX, "3", { "ARPMissedMax=3", NULL, NULL } },
        { "balance-rr", BG_OPT_PACKETS_PER_SLAVE, "0", { "PacketsPerSlave=0", NULL, "packets_per_slave=0" } },
        { "balance-rr", BG_OPT_PACKETS_PER_SLAVE, "5", { "PacketsPerSlave=5", "        packets-per-member: 5", "packets_per_slave=5" } },
        { "active-backup", BG_OPT_RESEND_IGMP, "0", { "ResendIGMP=0", NULL, "resend_igmp=0" } },
        { "active-backup", BG_OPT_NUM_GRAT_ARP, "0", { "GratuitousARP=0", NULL, "num_grat_arp=0" } },
        { "active-backup", BG_OPT_NUM_GRAT_ARP, "3", { "GratuitousARP=3", "        gratuitous-arp: 3", "num_unsol_na=3" } },
        { "balance-xor", BG_OPT_XMIT_HASH_POLICY, "vlan+srcmac", { NULL, NULL, "xmit_hash_policy=vlan+srcmac" } },
        { "balance-xor", BG_OPT_XMIT_HASH_POLICY, "layer2+3", { "TransmitHashPolicy=layer2+3", "        transmit-hash-policy: \"layer2+3\"", "xmit_hash_policy=layer2+3" } },
        { "active-backup", BG_OPT_ARP_VALIDATE, "filter", { NULL, NULL, "arp_validate=filter" } },
        { "active-backup", BG_OPT_ARP_VALIDATE, "all", { "ARPValidate=all", "        arp-validate: \"all\"", "arp_validate=all" } },
        { "802.3ad", BG_OPT_AD_ACTOR_SYS_PRIO, "100", { "AdActorSystemPriority=100", NULL, "ad_actor_sys_prio=100" } },
        { "802.3ad", BG_OPT_AD_USER_PORT_KEY, "7", { "AdUserPortKey=7", NULL, "ad_user_port_key=7" } },
        { "802.3ad", BG_OPT_AD_ACTOR_SYSTEM, "02:00:00:00:00:01", { "AdActorSystem=02:00:00:00:00:01", NULL, "ad_actor_system=02:00:00:00:00:01" } },
        { "802.3ad", BG_OPT_AD_SELECT, "actor_port_prio", { NULL, NULL, NULL } },
        { "802.3ad", BG_OPT_AD_SELECT, "count", { "AdSelect=count", "        ad-select: \"count\"", "ad_select=count" } },
        { "802.3ad", BG_OPT_LACP_ACTIVE, "off", { NULL, NULL, NULL } },
        { "balance-tlb", BG_OPT_TLB_DYNAMIC_LB, "0", { "DynamicTransmitLoadBalancing=no", NULL, "tlb_dynamic_lb=0" } },
        { "active-backup", BG_OPT_ALL_SLAVES_ACTIVE, "1", { "AllSlavesActive=yes", "        all-members-active: true", "all_slaves_active=1" } },
        { "active-backup", BG_OPT_PEER_NOTIF_DELAY, "200", { "PeerNotifyDelaySec=200ms", NULL, "peer_notif_delay=200" } },
        { "active-backup", BG_OPT_FAIL_OVER_MAC, "active", { "FailOverMACPolicy=active", "        fail-over-mac-policy: \"active\"", "fail_over_mac=active" } },
        { "active-backup", BG_OPT_PRIMARY_RESELECT, "better", { "PrimaryReselectPolicy=better", "        primary-reselect-policy: \"better\"", "primary_reselect=better" } },
        { "active-backup", BG_OPT_QUEUE_ID, "eth0:1", { NULL, NULL, NULL } },
        /* primary that is not a port: networkd marks ports, netplan wants an ID */
        { "active-backup", BG_OPT_PRIMARY, "eth9", { NULL, NULL, "primary=eth9" } },
};

Test(emit, cannot_express_is_warned_by_bond_and_option) {
        for (size_t i = 0; i < sizeof(gap_cases) / sizeof(gap_cases[0]); i++) {
                const struct gap_case *c = &gap_cases[i];
                const char *name = bg_opt_get(c->opt)->name;
                struct bg_model m;
                struct bg_bond *b;
                char key[128], comment[256];

                bg_model_init(&m);
                b = tm_bond(&m, "bond0");
                tm_opt(b, BG_OPT_MODE, c->mode);
                tm_opt(b, c->opt, c->value);
                /* the monitor these options belong to, so only the format's
                 * own gap can leave them out */
                if (bg_opt_get(c->opt)->flags & BG_OF_NEEDS_MIIMON)
                        tm_opt(b, BG_OPT_MIIMON, "100");
                if (c->opt == BG_OPT_ARP_VALIDATE || c->opt == BG_OPT_ARP_MISSED_MAX ||
                    c->opt == BG_OPT_NS_IP6_TARGET) {
                        tm_opt(b, BG_OPT_ARP_INTERVAL, "100");
                        tm_opt(b, BG_OPT_ARP_IP_TARGET, "192.0.2.1");
                }
                cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
                cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
                cr_assert_eq(bg_hwaddr_parse("02:00:00:00:00:aa", &b->mac), 0); /* no netplan MAC warning */
                snprintf(key, sizeof(key), "bond0.%s", name);

                for (int f = 0; f < 3; f++) {
                        const char *text = emit(&m, f, NULL);
                        size_t nw = tm_warnings(&g_diags, key);

                        if (c->line[f]) {
                                cr_expect(has_line(text, c->line[f]), "%s=%s format %d: no line '%s' in\n%s",
                                          name, c->value, f, c->line[f], text);
                                cr_expect_eq(nw, 0, "%s=%s format %d: unexpected warning", name,
                                             c->value, f);
                        } else {
                                cr_expect_eq(nw, 1, "%s=%s format %d: %zu warnings for %s", name,
                                             c->value, f, nw, key);
                                snprintf(comment, sizeof(comment), "%s=", name);
                                cr_expect(strstr(text, "is left out") && strstr(text, comment),
                                          "%s=%s format %d: no comment in\n%s", name, c->value, f,
                                          text);
                        }
                        /* every warning names the bond and the option */
                        for (size_t k = 0; k < g_diags.n; k++)
                                if (g_diags.v[k].key && strcmp(g_diags.v[k].key, key) == 0) {
                                        cr_expect(strstr(g_diags.v[k].msg, "bond0"));
                                        cr_expect(strstr(g_diags.v[k].msg, name));
                                        cr_expect_eq(g_diags.v[k].line, 1u + (unsigned) c->opt,
                                                     "warning located at the option");
                                }
                }
                reset();
                bg_model_free(&m);
        }
}

/* An option without effect in the bond's mode, or without the monitor it
 * belongs to, is left out of every format (networkd's request would make
 * the kernel refuse the bond, NetworkManager would refuse the profile),
 * with a note naming bond, option and reason. */
struct inert_case {
        const char *mode;
        enum bg_opt opt;
        const char *value;
        const char *extra_opt; /* "name=value" or NULL */
        unsigned formats;      /* bit per format where it is left out */
};

static const struct inert_case inert_cases[] = {
        { "balance-rr", BG_OPT_AD_ACTOR_SYS_PRIO, "100", NULL, 7 },
        { "balance-alb", BG_OPT_ARP_INTERVAL, "200", "arp_ip_target=192.0.2.1", 7 },
        { "balance-alb", BG_OPT_ARP_IP_TARGET, "192.0.2.1", "arp_interval=200", 7 },
        { "balance-rr", BG_OPT_LACP_RATE, "fast", NULL, 7 },
        { "802.3ad", BG_OPT_PRIMARY, "eth0", NULL, 7 },
        { "balance-xor", BG_OPT_PRIMARY_RESELECT, "better", NULL, 7 },
        { "active-backup", BG_OPT_ARP_IP_TARGET, "192.0.2.1", NULL, 7 },
        { "active-backup", BG_OPT_ARP_VALIDATE, "all", "miimon=100", 7 },
        { "active-backup", BG_OPT_XMIT_HASH_POLICY, "layer3+4", NULL, 7 },
        { "active-backup", BG_OPT_PACKETS_PER_SLAVE, "3", NULL, 7 },
        { "balance-rr", BG_OPT_TLB_DYNAMIC_LB, "0", NULL, 7 },
        { "balance-rr", BG_OPT_MIN_LINKS, "2", NULL, 7 },
        { "active-backup", BG_OPT_UPDELAY, "200", "miimon=0", 7 },
        { "active-backup", BG_OPT_DOWNDELAY, "200", "arp_interval=100", 7 },
        /* only NetworkManager refuses an ARP interval without a target */
        { "active-backup", BG_OPT_ARP_INTERVAL, "200", NULL, 4 },
};

Test(emit, options_without_effect_are_left_out) {
        for (size_t i = 0; i < sizeof(inert_cases) / sizeof(inert_cases[0]); i++) {
                const struct inert_case *c = &inert_cases[i];
                const char *name = bg_opt_get(c->opt)->name;
                struct bg_model m;
                struct bg_bond *b;
                char key[128], written[64];

                bg_model_init(&m);
                b = tm_bond(&m, "bond0");
                tm_opt(b, BG_OPT_MODE, c->mode);
                tm_opt(b, c->opt, c->value);
                if (c->extra_opt) {
                        char buf[64], *eq;

                        snprintf(buf, sizeof(buf), "%s", c->extra_opt);
                        eq = strchr(buf, '=');
                        *eq = 0;
                        tm_opt(b, bg_opt_lookup(buf)->id, eq + 1);
                }
                cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
                cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
                cr_assert_eq(bg_hwaddr_parse("02:00:00:00:00:aa", &b->mac), 0);
                snprintf(key, sizeof(key), "bond0.%s", name);
                for (int f = 0; f < 3; f++) {
                        const char *text = emit(&m, f, NULL);
                        const char *k = bg_emit_key(bg_opt_get(c->opt), (enum bg_emit_format) f);
                        bool noted = false;

                        for (size_t d = 0; d < g_diags.n; d++)
                                if (g_diags.v[d].key && !strcmp(g_diags.v[d].key, key) &&
                                    strstr(g_diags.v[d].msg, "left out of the"))
                                        noted = true;
                        /* networkd and netplan mark the primary on the port */
                        if (c->opt == BG_OPT_PRIMARY && f != 2)
                                k = f == 0 ? "PrimarySlave" : "primary";
                        snprintf(written, sizeof(written), f == 0 ? "%s=" : f == 1 ? "%s:" : "%s=",
                                 k ? k : name);
                        if (c->formats & (1u << f)) {
                                cr_expect(noted, "%s in %s, format %d: no note", name, c->mode, f);
                                for (size_t n = 0; n < g_files.n; n++) {
                                        const char *hit = strstr(g_files.v[n].content, written);
                                        /* only as part of the "is left out" comment */
                                        cr_expect(!hit || (hit > g_files.v[n].content && hit[-1] == ' '),
                                                  "%s in %s, format %d: written in %s:\n%s", name, c->mode,
                                                  f, g_files.v[n].name, g_files.v[n].content);
                                }
                        } else {
                                cr_expect_not(noted, "%s in %s, format %d: unexpected note", name, c->mode, f);
                                cr_expect(strstr(text, written), "%s, format %d: not written", name, f);
                        }
                }
                reset();
                bg_model_free(&m);
        }
}

Test(emit, time_units) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        tm_opt(b, BG_OPT_MODE, "balance-alb");
        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_UPDELAY, "200");
        tm_opt(b, BG_OPT_DOWNDELAY, "300");
        tm_opt(b, BG_OPT_ARP_INTERVAL, "250");
        tm_opt(b, BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2");
        tm_opt(b, BG_OPT_LP_INTERVAL, "2");

        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(has_line(t, "MIIMonitorSec=100ms"), "%s", t);
        cr_expect(has_line(t, "UpDelaySec=200ms"));
        cr_expect(has_line(t, "DownDelaySec=300ms"));
        cr_expect(!has_line(t, "ARPIntervalSec=250ms")); /* no ARP monitor in balance-alb */
        cr_expect(!has_line(t, "ARPIPTargets=10.0.0.1 10.0.0.2")); /* no ARP monitor in balance-alb */
        /* lp_interval is in seconds in the kernel too */
        cr_expect(has_line(t, "LearnPacketIntervalSec=2s"));
        cr_expect(!strstr(t, "Sec=100\n") && !strstr(t, "Sec=200\n"), "bare number = seconds");
        cr_expect_eq(tm_warnings(&g_diags, "bond0.lp_interval"), 0);

        t = emit(&m, BG_EMIT_NETPLAN, NULL);
        cr_expect(has_line(t, "        mii-monitor-interval: \"100\""), "%s", t);
        cr_expect(has_line(t, "        up-delay: \"200\""));
        cr_expect(has_line(t, "        down-delay: \"300\""));
        cr_expect(!has_line(t, "        arp-interval: \"250\"")); /* no ARP monitor in balance-alb */
        cr_expect(!has_line(t, "        arp-ip-targets: [\"10.0.0.1\", \"10.0.0.2\"]")); /* no ARP monitor in balance-alb */
        cr_expect(has_line(t, "        learn-packet-interval: 2"));

        t = emit(&m, BG_EMIT_KEYFILE, NULL);
        cr_expect(has_line(t, "miimon=100"), "%s", t);
        cr_expect(has_line(t, "updelay=200"));
        cr_expect(!has_line(t, "arp_interval=250")); /* no ARP monitor in balance-alb */
        cr_expect(!has_line(t, "arp_ip_target=10.0.0.1,10.0.0.2")); /* no ARP monitor in balance-alb */
        cr_expect(has_line(t, "lp_interval=2"));
        reset();
        bg_model_free(&m);
}

/* networkd sends lp_interval only inside its ARP branch
 * (netdev_bond_fill_message_create()). */
Test(emit, networkd_new_keys_carry_their_systemd_version) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        tm_opt(b, BG_OPT_MODE, "active-backup");
        tm_opt(b, BG_OPT_MIIMON, "100");
        tm_opt(b, BG_OPT_PEER_NOTIF_DELAY, "200");
        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(has_line(t, "# PeerNotifyDelaySec needs systemd 256 or later; older networkd ignores it."), "%s", t);
        cr_expect(has_line(t, "PeerNotifyDelaySec=200ms"));
        cr_expect(!strstr(t, "MIIMonitorSec needs"));
        cr_expect_eq(bg_diags_count(&g_diags, BG_DIAG_NOTE), 1);
        cr_expect_eq(bg_diags_count(&g_diags, BG_DIAG_WARNING), 0);
        reset();
        bg_model_free(&m);

        /* ARPMissedMax belongs to the ARP monitor */
        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        tm_opt(b, BG_OPT_MODE, "active-backup");
        tm_opt(b, BG_OPT_ARP_INTERVAL, "100");
        tm_opt(b, BG_OPT_ARP_IP_TARGET, "192.0.2.1");
        tm_opt(b, BG_OPT_ARP_MISSED_MAX, "3");
        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(has_line(t, "ARPMissedMax=3"), "%s", t);
        cr_expect(has_line(t, "# ARPMissedMax needs systemd 256 or later; older networkd ignores it."), "%s", t);
        cr_expect_eq(bg_diags_count(&g_diags, BG_DIAG_NOTE), 1);
        cr_expect_eq(bg_diags_count(&g_diags, BG_DIAG_WARNING), 0);
        reset();
        bg_model_free(&m);
}

Test(emit, networkd_lp_interval_without_arp_is_warned) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        tm_opt(b, BG_OPT_MODE, "balance-tlb");
        tm_opt(b, BG_OPT_LP_INTERVAL, "5");
        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(has_line(t, "LearnPacketIntervalSec=5s"));
        cr_expect_eq(tm_warnings(&g_diags, "bond0.lp_interval"), 1);
        reset();
        bg_model_free(&m);
}

/* networkd, netplan and NetworkManager take ARP targets as addresses
 * only: a VLAN hint is left out of the value, with a warning. */
Test(emit, arp_ip_target_vlan_hints_are_written_as_addresses) {
        static const char *const want[] = { "ARPIPTargets=10.0.0.1 10.0.0.2",
                                            "        arp-ip-targets: [\"10.0.0.1\", \"10.0.0.2\"]",
                                            "arp_ip_target=10.0.0.1,10.0.0.2" };
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        for (int f = 0; f < 3; f++) {
                bg_model_init(&m);
                b = tm_bond(&m, "bond0");
                tm_opt(b, BG_OPT_MODE, "active-backup");
                tm_opt(b, BG_OPT_ARP_INTERVAL, "100");
                tm_opt(b, BG_OPT_ARP_IP_TARGET, "10.0.0.1[100/200],10.0.0.2");
                t = emit(&m, f, NULL);
                cr_expect(has_line(t, want[f]), "%s", t);
                cr_expect(!strstr(t, "[100"), "no hint anywhere: %s", t);
                cr_expect_eq(tm_warnings(&g_diags, "bond0.arp_ip_target"), 1);
                reset();
                bg_model_free(&m);
        }
}

/* NetworkManager defaults miimon to 100, the kernel to 0. */
Test(emit, keyfile_keeps_kernel_miimon_default) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        t = emit(&m, BG_EMIT_KEYFILE, NULL);
        cr_expect(has_line(t, "mode=balance-rr"), "%s", t);
        cr_expect(has_line(t, "miimon=0"), "%s", t);

        tm_opt(b, BG_OPT_ARP_INTERVAL, "100");
        tm_opt(b, BG_OPT_ARP_IP_TARGET, "10.0.0.1");
        t = emit(&m, BG_EMIT_KEYFILE, NULL);
        cr_expect(!strstr(t, "miimon="), "ARP monitoring: no miimon line\n%s", t);
        reset();
        bg_model_free(&m);
}

Test(emit, primary_and_active_slave_on_ports_for_networkd) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        tm_opt(b, BG_OPT_MODE, "active-backup");
        tm_opt(b, BG_OPT_PRIMARY, "eth1");
        tm_opt(b, BG_OPT_ACTIVE_SLAVE, "eth0");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));

        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(!strstr(t, "rimary") && !strstr(t, "ctive_slave"), "%s", t);
        t = tm_file(&g_files, "10-bondgen-eth1.network")->content;
        cr_expect(has_line(t, "PrimarySlave=true"));
        cr_expect(!has_line(t, "ActiveSlave=true"));
        t = tm_file(&g_files, "10-bondgen-eth0.network")->content;
        cr_expect(has_line(t, "ActiveSlave=true"));
        cr_expect(!has_line(t, "PrimarySlave=true"));
        cr_expect_eq(g_diags.n, 0);
        reset();
        bg_model_free(&m);
}

Test(emit, bond_mac) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(has_line(t, "MACAddress=none"));
        t = tm_file(&g_files, "10-bondgen-bond0.link")->content;
        cr_expect(has_line(t, "MACAddressPolicy=none"));
        cr_expect(has_line(t, "OriginalName=bond0"));
        emit(&m, BG_EMIT_NETPLAN, NULL);
        cr_expect_eq(tm_warnings(&g_diags, "bond0.mac"), 1);

        cr_assert_eq(bg_hwaddr_parse("02:11:22:33:44:55", &b->mac), 0);
        t = emit(&m, BG_EMIT_NETWORKD, NULL);
        cr_expect(has_line(t, "MACAddress=02:11:22:33:44:55"));
        cr_expect_null(tm_file(&g_files, "10-bondgen-bond0.link"));
        t = emit(&m, BG_EMIT_NETPLAN, NULL);
        cr_expect(has_line(t, "      macaddress: \"02:11:22:33:44:55\""));
        cr_expect_eq(tm_warnings(&g_diags, "bond0.mac"), 0);
        t = emit(&m, BG_EMIT_KEYFILE, NULL);
        cr_expect(has_line(t, "cloned-mac-address=02:11:22:33:44:55"));
        reset();
        bg_model_free(&m);
}

Test(emit, odd_models_do_not_crash) {
        struct bg_model m;
        struct bg_bond *b;
        int r;

        /* empty model: no files */
        bg_model_init(&m);
        for (int f = 0; f < 3; f++) {
                reset();
                cr_expect_eq(fmt_fn[f](&m, &g_files, &g_diags), 0);
                cr_expect_eq(g_files.n, 0);
        }

        /* a port without name or MAC, a bond without ports, static without address */
        b = tm_bond(&m, "bond0");
        cr_assert_not_null(bg_bond_add_port(b, NULL, NULL));
        b->ipv4.method = BG_IP_STATIC;
        tm_bond(&m, "bond1");
        for (int f = 0; f < 3; f++) {
                reset();
                cr_expect_eq(fmt_fn[f](&m, &g_files, &g_diags), 0, "format %d", f);
                cr_expect_geq(tm_warnings(&g_diags, "bond0"), 1, "format %d: port warned", f);
                for (size_t i = 0; i < g_files.n; i++)
                        cr_expect(!strstr(g_files.v[i].content, "(null)"), "%s",
                                  g_files.v[i].content);
        }
        cr_expect_eq(tm_warnings(&g_diags, "bond0.ipv4"), 1, "keyfile: manual needs an address");

        /* two emitted files with the same name: refused, not overwritten */
        bg_model_free(&m);
        bg_model_init(&m);
        b = tm_bond(&m, "bond1");
        cr_assert_not_null(bg_bond_add_port(b, NULL, "52:54:00:00:00:01"));
        b = tm_bond(&m, "bond2");
        cr_assert_not_null(bg_bond_add_port(b, "bond1-port1", NULL));
        reset();
        r = bg_emit_networkd(&m, &g_files, &g_diags);
        cr_expect_eq(r, -EEXIST);
        reset();
        bg_model_free(&m);

        cr_expect_eq(bg_emit_networkd(NULL, &g_files, NULL), -EINVAL);
}

Test(emit, netplan_quotes_odd_names) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        cr_assert_not_null(bg_bond_add_port(b, "yes", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "1", NULL));
        t = emit(&m, BG_EMIT_NETPLAN, NULL);
        cr_expect(has_line(t, "    \"yes\": {}"), "%s", t);
        cr_expect(has_line(t, "    \"1\": {}"), "%s", t);
        cr_expect(has_line(t, "      interfaces: [\"yes\", \"1\"]"), "%s", t);
        reset();
        bg_model_free(&m);
}

static void hex(const uint8_t *h, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", h[i]);
}

Test(emit, sha1_vectors) {
        static const struct {
                const char *in, *out;
        } v[] = {
                { "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
                { "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
        };
        uint8_t h[20];
        char s[41];

        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                bg_emit_sha1(v[i].in, strlen(v[i].in), h);
                hex(h, 20, s);
                cr_expect_str_eq(s, v[i].out);
        }
}

Test(emit, uuid_is_v5_and_stable) {
        char a[37], b[37], c[37];

        cr_assert_eq(bg_emit_uuid("bondgen-bond0", a), 0);
        cr_assert_eq(bg_emit_uuid("bondgen-bond0", b), 0);
        cr_assert_eq(bg_emit_uuid("bondgen-bond1", c), 0);
        cr_expect_str_eq(a, b);
        cr_expect_str_neq(a, c);
        cr_expect_eq(strlen(a), 36);
        cr_expect(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
        cr_expect_eq(a[14], '5', "version 5: %s", a);
        cr_expect(strchr("89ab", a[19]), "RFC 4122 variant: %s", a);
        cr_expect_eq(bg_emit_uuid(NULL, a), -EINVAL);
}

Test(emit, by_name) {
        struct bg_model m;

        bg_model_init(&m);
        tm_bond(&m, "bond0");
        for (int f = 0; f < 3; f++) {
                static const char *const names[] = { "networkd", "netplan", "keyfile" };

                reset();
                cr_expect_eq(bg_emit_by_name(names[f], &m, &g_files, NULL), 0);
                cr_expect_not_null(tm_file(&g_files, fmt_main[f]), "%s", names[f]);
                cr_expect_not_null(bg_emit_default_dir(names[f]));
        }
        cr_expect_eq(bg_emit_by_name("yaml", &m, &g_files, NULL), -EINVAL);
        cr_expect_eq(bg_emit_by_name(NULL, &m, &g_files, NULL), -EINVAL);
        cr_expect_null(bg_emit_default_dir("nmstate"));
        reset();
        bg_model_free(&m);
}

/* A line break in a value would inject keys or sections into the file. */
Test(emit, control_characters_refuse_the_bond_only) {
        static const char *const evil = "eth0\n[Network]\nDHCP=yes";
        struct bg_model m;
        struct bg_bond *b;

        for (int variant = 0; variant < 7; variant++) {
                bg_model_init(&m);
                b = tm_bond(&m, variant == 0 ? "bond0\nKind=vlan" : variant == 4 ? "../bond0" : "bond0");
                switch (variant) {
                case 5:
                        cr_assert_not_null(bg_bond_add_port(b, "../../etc/x", NULL));
                        break;
                case 6: /* addresses are typed: a broken one never reaches an emitter */
                        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, NULL, NULL, 0), -EINVAL);
                        cr_assert_not_null(bg_bond_add_port(b, "eth\001", NULL));
                        break;
                case 1:
                        cr_assert_not_null(bg_bond_add_port(b, evil, NULL));
                        break;
                case 2:
                        b->ipv4.method = BG_IP_STATIC;
                        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.0.0.1/24\nDNS=1.1.1.1"), -EINVAL);
                        cr_assert_not_null(bg_bond_add_port(b, "eth0\r", NULL));
                        break;
                case 3:
                        cr_assert_eq(bg_ipcfg_add_route(&b->ipv6, "default", "fe80::1\r", 0), -EINVAL);
                        cr_assert_not_null(bg_bond_add_port(b, "eth0\177", NULL));
                        break;
                }
                tm_bond(&m, "bond9");
                for (int f = 0; f < 3; f++) {
                        reset();
                        cr_expect_eq(fmt_fn[f](&m, &g_files, &g_diags), 0);
                        cr_expect(bg_diags_has_errors(&g_diags), "variant %d format %d", variant, f);
                        for (size_t i = 0; i < g_files.n; i++) {
                                cr_expect(!strstr(g_files.v[i].name, "bond0"), "%s", g_files.v[i].name);
                                cr_expect(!strchr(g_files.v[i].name, '\n'));
                                cr_expect(!strchr(g_files.v[i].name, '/'), "%s", g_files.v[i].name);
                        }
                        cr_expect_geq(g_files.n, 1, "bond9 still emitted");
                }
                reset();
                bg_model_free(&m);
        }
}

/* The rule, for every option of the catalogue and every value
 * class: an option set in the model either shows up in the output under
 * the format's name, or is reported by a warning naming bond and option.
 * Nothing may vanish silently. */
static bool shows_up(int f, const struct bg_opt_info *o, const struct bg_emit_files *files) {
        const char *key = bg_emit_key(o, (enum bg_emit_format) f);
        char pat[128];

        if (f == BG_EMIT_NETWORKD && (o->id == BG_OPT_PRIMARY || o->id == BG_OPT_ACTIVE_SLAVE)) {
                const struct bg_emit_file *p = tm_file(files, "10-bondgen-eth0.network");

                return p && strstr(p->content, o->id == BG_OPT_PRIMARY ? "\nPrimarySlave=true\n"
                                                                       : "\nActiveSlave=true\n");
        }
        if (!key)
                return false;
        for (size_t i = 0; i < files->n; i++) {
                const char *c = files->v[i].content;

                snprintf(pat, sizeof(pat), f == BG_EMIT_NETPLAN ? "\n        %s: " : "\n%s=", key);
                if (strstr(c, pat))
                        return true;
                /* netplan: a zero equal to the default, said in a comment */
                snprintf(pat, sizeof(pat), "\n        # %s: 0 is the default", key);
                if (f == BG_EMIT_NETPLAN && strstr(c, pat))
                        return true;
        }
        return false;
}

static void try_value(enum bg_opt id, const char *text, unsigned *n_checked) {
        const struct bg_opt_info *o = bg_opt_get(id);
        struct bg_model m;
        struct bg_bond *b;
        struct bg_diags d = { 0 };
        char key[128];

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        if (bg_bond_set_opt_text(b, id, text, NULL, &d) < 0) {
                bg_diags_free(&d);
                bg_model_free(&m);
                return; /* not a value the catalogue accepts */
        }
        bg_diags_free(&d);
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        snprintf(key, sizeof(key), "bond0.%s", o->name);
        for (int f = 0; f < 3; f++) {
                bool warned, shown;

                reset();
                cr_assert_eq(fmt_fn[f](&m, &g_files, &g_diags), 0);
                warned = tm_warnings(&g_diags, key) > 0;
                /* left out because it has no effect in the bond as it is:
                 * said by a note (the model's validation warns) */
                for (size_t k = 0; k < g_diags.n; k++)
                        if (g_diags.v[k].key && !strcmp(g_diags.v[k].key, key) &&
                            strstr(g_diags.v[k].msg, "is left out of the"))
                                warned = true;
                shown = shows_up(f, o, &g_files);
                cr_expect(warned || shown, "%s=%s vanished from format %d without a warning",
                          o->name, text, f);
                cr_expect(!(warned && shown && id != BG_OPT_LP_INTERVAL),
                          "%s=%s in format %d: written and warned as left out", o->name, text, f);
                (*n_checked)++;
        }
        reset();
        bg_model_free(&m);
}

Test(emit, no_option_vanishes_silently) {
        unsigned n = 0;

        for (unsigned id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                char num[32];

                if (id == BG_OPT_MODE)
                        continue; /* always written, see golden files */
                switch (o->type) {
                case BG_OT_ENUM:
                case BG_OT_BOOL:
                        for (const struct bg_enum_val *e = o->enums; e && e->name; e++)
                                try_value(id, e->name, &n);
                        break;
                case BG_OT_UINT:
                case BG_OT_MSEC:
                        snprintf(num, sizeof(num), "%llu", (unsigned long long) o->min);
                        try_value(id, num, &n);
                        snprintf(num, sizeof(num), "%llu", (unsigned long long) o->max);
                        try_value(id, num, &n);
                        snprintf(num, sizeof(num), "%llu", (unsigned long long) o->min + 1);
                        try_value(id, num, &n);
                        break;
                case BG_OT_IFNAME:
                        try_value(id, "eth0", &n);
                        break;
                case BG_OT_MAC:
                        try_value(id, "02:00:00:00:00:01", &n);
                        break;
                case BG_OT_IPV4_LIST:
                        try_value(id, "10.0.0.1,10.0.0.2", &n);
                        break;
                case BG_OT_IPV6_LIST:
                        try_value(id, "2001:db8::1", &n);
                        break;
                case BG_OT_QUEUE_ID:
                        try_value(id, "eth0:1", &n);
                        break;
                }
        }
        cr_expect_gt(n, 3 * 60, "only %u option/value/format combinations checked", n);
}

/* A port's prio: NetworkManager's [bond-port] prio; networkd and netplan
 * have no such setting, so each port with one is warned, by name. */
Test(emit, port_prio) {
        struct bg_model m;
        struct bg_bond *b;
        const char *t;

        bg_model_init(&m);
        b = tm_bond(&m, "bond0");
        tm_opt(b, BG_OPT_MODE, "active-backup");
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        b->ports[1].prio = -7;

        emit(&m, BG_EMIT_KEYFILE, NULL);
        t = tm_file(&g_files, "bondgen-eth1.nmconnection")->content;
        cr_expect(strstr(t, "\n[bond-port]\nprio=-7\n"), "%s", t);
        t = tm_file(&g_files, "bondgen-eth0.nmconnection")->content;
        cr_expect(!strstr(t, "bond-port"), "prio 0 is the default: %s", t);
        cr_expect_eq(g_diags.n, 0);
        for (int f = BG_EMIT_NETWORKD; f <= BG_EMIT_NETPLAN; f++) {
                unsigned n = 0;
                emit(&m, f, NULL);
                for (size_t k = 0; k < g_diags.n; k++)
                        if (!strcmp(g_diags.v[k].key, "bond0.ports.prio")) {
                                n++;
                                cr_expect(strstr(g_diags.v[k].msg, "port eth1 has prio -7"), "format %d: %s", f,
                                          g_diags.v[k].msg);
                        }
                cr_expect_eq(n, 1, "format %d: %u warnings about prio", f, n);
        }
        reset();
        bg_model_free(&m);
}
