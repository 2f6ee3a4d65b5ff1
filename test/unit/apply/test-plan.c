/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plan computation against a fake current state: create, nothing to do,
 * change (with the kernel's ordering rules), adopt, refusals. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"

/* ---- a fake system: lo, eth0, eth1, eth2 and maybe bond0 ---- */
struct fake {
        struct bg_nl_link links[8];
        struct bg_nl_addr addrs[8];
        struct bg_nl_route routes[8];
        struct bg_nl_state st;
};

static struct bg_nl_link *fake_link(struct fake *f, const char *name, int ifindex, uint8_t mac_last) {
        struct bg_nl_link *l = &f->links[f->st.n_links++];

        memset(l, 0, sizeof(*l));
        snprintf(l->name, sizeof(l->name), "%s", name);
        l->ifindex = ifindex;
        l->mtu = 1500;
        l->has_mac = true;
        memcpy(l->mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, mac_last }), 6);
        l->has_perm_mac = true;
        memcpy(l->perm_mac, l->mac, 6);
        return l;
}

static void set_num(struct bg_nl_link *l, enum bg_opt id, uint64_t v) {
        l->bond.have[id] = true;
        l->bond.val[id] = (struct bg_optval){ .set = true, .num = v };
}

static void fake_init(struct fake *f) {
        memset(f, 0, sizeof(*f));
        f->st.links = f->links;
        f->st.addrs = f->addrs;
        f->st.routes = f->routes;
        fake_link(f, "lo", 1, 0)->has_perm_mac = false;
        fake_link(f, "eth0", 3, 0x10);
        fake_link(f, "eth1", 4, 0x11);
        fake_link(f, "eth2", 5, 0x12);
}

/* A bond as `modprobe bonding` leaves it: balance-rr, miimon 0, down. */
static struct bg_nl_link *fake_bond(struct fake *f) {
        struct bg_nl_link *b = fake_link(f, "bond0", 2, 0x99);

        b->is_bond = true;
        b->has_perm_mac = false;
        strcpy(b->kind, "bond");
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                /* what Debian's 6.1 reports outside mode 4 (test/unit/netlink/recorded.h) */
                if (o->ifla && o->ifla <= 32 && o->nla != BG_NLA_NESTED_IN4 && o->nla != BG_NLA_NESTED_IN6 &&
                    o->nla != BG_NLA_IFINDEX && o->nla != BG_NLA_MAC && i != BG_OPT_AD_ACTOR_SYS_PRIO &&
                    i != BG_OPT_AD_USER_PORT_KEY)
                        set_num(b, i, o->def);
        }
        set_num(b, BG_OPT_MIIMON, 0);
        return b;
}

/* Like the kernel: the first port to join gives the bond its MAC. */
static void enslave(struct fake *f, const char *port) {
        bool first = true;

        for (size_t i = 0; i < f->st.n_links; i++)
                first &= f->links[i].master != 2;
        for (size_t i = 0; i < f->st.n_links; i++)
                if (strcmp(f->links[i].name, port) == 0) {
                        for (size_t j = 0; first && j < f->st.n_links; j++)
                                if (f->links[j].ifindex == 2)
                                        memcpy(f->links[j].mac, f->links[i].mac, 6);
                        f->links[i].master = 2;
                        strcpy(f->links[i].slave_kind, "bond");
                }
}

static void fake_addr(struct fake *f, const char *a, unsigned plen) {
        struct bg_nl_addr *x = &f->addrs[f->st.n_addrs++];
        x->ifindex = 2;
        x->family = AF_INET;
        x->prefixlen = plen;
        inet_pton(AF_INET, a, x->addr);
}

static void fake_route(struct fake *f, const char *dst, unsigned len, const char *gw) {
        struct bg_nl_route *r = &f->routes[f->st.n_routes++];
        r->family = AF_INET;
        inet_pton(AF_INET, dst, r->dst);
        r->dst_len = len;
        r->has_gateway = true;
        inet_pton(AF_INET, gw, r->gateway);
        r->oif = 2;
        r->table = RT_TABLE_MAIN;
        r->protocol = RTPROT_STATIC;
}

/* The model: bond0, mode, miimon, eth0+eth1, an address, a route. */
static struct bg_bond *model_bond(struct bg_model *m, const char *mode, const char *miimon) {
        struct bg_diags d = { 0 };
        struct bg_bond *b;

        bg_model_init(m);
        b = bg_model_add_bond(m, "bond0");
        cr_assert_not_null(b);
        if (mode)
                cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, mode, NULL, &d), 0);
        if (miimon)
                cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MIIMON, miimon, NULL, &d), 0);
        cr_assert_not_null(bg_bond_add_port(b, "eth0", NULL));
        cr_assert_not_null(bg_bond_add_port(b, "eth1", NULL));
        b->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.77.0.1/24"), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "10.78.0.0/24", "10.77.0.2", 0), 0);
        bg_diags_free(&d);
        return b;
}

static void set_opt(struct bg_bond *b, enum bg_opt id, const char *text) {
        struct bg_diags d = { 0 };
        cr_assert_eq(bg_bond_set_opt_text(b, id, text, NULL, &d), 0, "%s=%s", bg_opt_get(id)->name, text);
        bg_diags_free(&d);
}

/* e.g. "create enslave:eth0 enslave:eth1 up addr+ route+" */
static void expect_plan(const struct bg_plan *p, const char *want) {
        static const char *names[] = {
                [BG_STEP_CREATE] = "create", [BG_STEP_DOWN] = "down", [BG_STEP_UP] = "up",
                [BG_STEP_RELEASE] = "release", [BG_STEP_ENSLAVE] = "enslave", [BG_STEP_OPTIONS] = "options",
                [BG_STEP_QUEUE_ID] = "queue_id", [BG_STEP_MTU] = "mtu", [BG_STEP_MAC] = "mac",
                [BG_STEP_ADDR_ADD] = "addr+", [BG_STEP_ADDR_DEL] = "addr-", [BG_STEP_ROUTE_ADD] = "route+",
                [BG_STEP_ROUTE_DEL] = "route-", [BG_STEP_DELETE] = "delete", [BG_STEP_START] = "start",
                [BG_STEP_PRIO] = "prio",
        };
        char got[1024] = "";

        for (size_t i = 0; i < p->n_steps; i++) {
                const struct bg_step *s = &p->steps[i];
                bool port = strcmp(s->ifname, s->bond) != 0;
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s%s%s", i ? " " : "",
                         names[s->kind], port ? ":" : "", port ? s->ifname : "");
        }
        cr_expect_str_eq(got, want);
}

static const struct bg_step *find_step(const struct bg_plan *p, enum bg_step_kind k) {
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].kind == k)
                        return &p->steps[i];
        cr_assert_fail("no step of kind %d", k);
        return NULL;
}

static bool has_warning(const struct bg_diags *d, const char *needle) {
        for (size_t i = 0; i < d->n; i++)
                if (d->v[i].level == BG_DIAG_WARNING && strstr(d->v[i].msg, needle))
                        return true;
        return false;
}

static void make_running(struct fake *f, uint64_t mode, uint64_t miimon) {
        struct bg_nl_link *bl = fake_bond(f);
        set_num(bl, BG_OPT_MODE, mode);
        set_num(bl, BG_OPT_MIIMON, miimon);
        bl->flags = IFF_UP;
        enslave(f, "eth0");
        enslave(f, "eth1");
        fake_addr(f, "10.77.0.1", 24);
        fake_route(f, "10.78.0.0", 24, "10.77.0.2");
}

Test(plan, create) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        const struct bg_step *s;

        fake_init(&f);
        struct bg_bond *b = model_bond(&m, "active-backup", "100");
        set_opt(b, BG_OPT_PRIMARY, "eth1");
        set_opt(b, BG_OPT_FAIL_OVER_MAC, "active");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "create enslave:eth0 enslave:eth1 up addr+ route+");
        s = find_step(&p, BG_STEP_CREATE);
        /* options the kernel takes only without ports or while down go
         * with the creation, and so does primary (the port exists) */
        cr_expect(s->opts.have[BG_OPT_MODE] && s->opts.val[BG_OPT_MODE].num == 1);
        cr_expect(s->opts.have[BG_OPT_MIIMON] && s->opts.val[BG_OPT_MIIMON].num == 100);
        cr_expect(s->opts.have[BG_OPT_FAIL_OVER_MAC]);
        cr_expect(s->opts.have[BG_OPT_PRIMARY]);
        cr_expect_str_eq(s->opts.val[BG_OPT_PRIMARY].str, "eth1");
        cr_expect_not(s->opts.have[BG_OPT_UPDELAY]);     /* unset: the kernel default */
        cr_expect(strstr(s->desc, "mode=active-backup"), "%s", s->desc);
        /* born with eth0's permanent MAC: udev's MACAddressPolicy cannot
         * give it another before eth0 joins */
        cr_expect(s->opts.have_mac);
        cr_expect_arr_eq(s->opts.mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x10 }), 6);
        cr_expect(strstr(s->desc, ", mac 52:54:00:00:00:10 (eth0's)"), "%s", s->desc);
        s = find_step(&p, BG_STEP_ROUTE_ADD);
        cr_expect_eq(s->route.dst_len, 24u);
        cr_expect(s->route.has_gateway);
        cr_expect_eq(s->route.protocol, RTPROT_STATIC);
        cr_expect_str_eq(s->desc, "add route 10.78.0.0/24 via 10.77.0.2");
        cr_expect_eq(bg_diags_count(&d, BG_DIAG_ERROR), 0u);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, adopt_modprobe_bond0) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        fake_bond(&f);
        struct bg_bond *b = model_bond(&m, "balance-rr", "100");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        /* no second bond: the existing one gets miimon (mode is already 0) */
        expect_plan(&p, "options enslave:eth0 enslave:eth1 up addr+ route+");
        cr_expect_str_eq(p.steps[0].desc, "set miimon 0 -> 100");
        cr_expect_not(p.steps[0].opts.have[BG_OPT_MODE]);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, nothing_to_do) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 0, 100);
        struct bg_bond *b = model_bond(&m, "balance-rr", "100");
        /* the kernel keeps delays in miimon ticks: 250 reads back as 200 */
        set_opt(b, BG_OPT_UPDELAY, "250");
        set_num(&f.links[f.st.n_links - 1], BG_OPT_UPDELAY, 200);
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        cr_expect_eq(d.n, 0u);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, change_miimon_only) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 0, 100);
        struct bg_bond *b = model_bond(&m, "balance-rr", "200");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        /* miimon needs neither down nor release */
        expect_plan(&p, "options");
        cr_expect_str_eq(p.steps[0].desc, "set miimon 100 -> 200");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, change_mode_respects_kernel_order) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 0, 100);
        struct bg_bond *b = model_bond(&m, "active-backup", "200");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        /* mode: no ports (ENOTEMPTY) and down (EBUSY); going down drops the
         * routes, so the route comes back after up; the IPv4 address stays */
        expect_plan(&p, "release:eth0 release:eth1 down options enslave:eth0 enslave:eth1 up route+");
        const struct bg_step *s = find_step(&p, BG_STEP_OPTIONS);
        cr_expect(s->opts.have[BG_OPT_MODE] && s->opts.have[BG_OPT_MIIMON]);
        cr_expect_str_eq(s->desc, "set mode balance-rr -> active-backup, miimon 100 -> 200");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, ifdown_option_without_release) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 4, 100);
        struct bg_bond *b = model_bond(&m, "802.3ad", NULL);
        set_opt(b, BG_OPT_LACP_RATE, "fast");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        /* lacp_rate is IFDOWN but not NOSLAVES: the ports stay */
        expect_plan(&p, "down options up route+");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, miimon_never_with_arp_in_one_message) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        struct bg_bond *b = model_bond(&m, "active-backup", "100");
        set_opt(b, BG_OPT_ARP_INTERVAL, "1000");
        set_opt(b, BG_OPT_ARP_IP_TARGET, "10.77.0.2");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "create options enslave:eth0 enslave:eth1 up addr+ route+");
        cr_expect_not(p.steps[0].opts.have[BG_OPT_MIIMON]);
        cr_expect(p.steps[0].opts.have[BG_OPT_ARP_INTERVAL]);
        cr_expect(p.steps[1].opts.have[BG_OPT_MIIMON]);
        cr_expect_not(p.steps[1].opts.have[BG_OPT_ARP_INTERVAL]);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, ports_addresses_routes_reconciled) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 0, 100);
        enslave(&f, "eth2");                        /* not in the model */
        fake_addr(&f, "10.99.0.1", 16);             /* not in the model */
        fake_route(&f, "10.98.0.0", 16, "10.77.0.9");
        f.routes[f.st.n_routes - 1].protocol = RTPROT_BOOT;  /* made by `ip route`: not ours */
        fake_route(&f, "10.97.0.0", 16, "10.77.0.9"); /* static, ours, stale */
        struct bg_bond *b = model_bond(&m, "balance-rr", "100");
        b->mtu = 9000;
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:00:01", &b->mac), 0);
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "release:eth2 mtu mac addr- route-");
        cr_expect_str_eq(find_step(&p, BG_STEP_ADDR_DEL)->desc, "remove address 10.99.0.1/16");
        cr_expect_str_eq(find_step(&p, BG_STEP_ROUTE_DEL)->desc, "remove route 10.97.0.0/16");
        cr_expect_str_eq(find_step(&p, BG_STEP_MTU)->desc, "mtu 1500 -> 9000");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, port_by_mac_and_missing_port) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        bg_model_init(&m);
        struct bg_bond *b = bg_model_add_bond(&m, "bond0");
        bg_bond_add_port(b, "nic-a", "52:54:00:00:00:12");   /* HWADDR: it is eth2 */
        bg_bond_add_port(b, "eth7", NULL);                    /* not there (yet) */
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "create enslave:eth2 up");
        cr_expect(has_warning(&d, "port eth7 not present"));
        /* the first port (found by its HWADDR) gives the MAC at creation */
        cr_expect(find_step(&p, BG_STEP_CREATE)->opts.have_mac);
        cr_expect_arr_eq(find_step(&p, BG_STEP_CREATE)->opts.mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x12 }), 6);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);

        /* the first port missing: nothing to go by, the kernel chooses */
        fake_init(&f);
        bg_model_init(&m);
        b = bg_model_add_bond(&m, "bond0");
        bg_bond_add_port(b, "eth7", NULL);
        bg_bond_add_port(b, "eth1", NULL);
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "create enslave:eth1 up");
        cr_expect_not(find_step(&p, BG_STEP_CREATE)->opts.have_mac);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, refusals) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        /* the name is taken by something that is not a bond */
        fake_init(&f);
        struct bg_nl_link *x = fake_link(&f, "bond0", 2, 0x99);
        strcpy(x->kind, "dummy");
        struct bg_bond *b = model_bond(&m, "balance-rr", NULL);
        cr_expect_eq(bg_plan_bond(b, &f.st, &p, &d), -EINVAL);
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 1u);
        cr_expect(strstr(d.v[0].msg, "not a bond (kind 'dummy')"), "%s", d.v[0].msg);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);

        /* a port owned by another bond */
        fake_init(&f);
        struct bg_nl_link *other = fake_link(&f, "bond1", 9, 0x98);
        other->is_bond = true;
        strcpy(other->kind, "bond");
        f.links[2].master = 9;                      /* eth1 */
        b = model_bond(&m, "balance-rr", NULL);
        cr_expect_eq(bg_plan_bond(b, &f.st, &p, &d), -EINVAL);
        cr_assert_geq(d.n, 1u);
        cr_expect(strstr(d.v[0].msg, "eth1 already belongs to bond1"), "%s", d.v[0].msg);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, options_the_kernel_cannot_take_here) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 4, 100);
        struct bg_bond *b = model_bond(&m, "802.3ad", "100");
        set_opt(b, BG_OPT_LACP_STRICT, "on");       /* the fake (6.1) kernel does not report it */
        set_opt(b, BG_OPT_PRIMARY, "eth0");         /* not a mode-4 option */
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        cr_expect(has_warning(&d, "does not know lacp_strict"));
        cr_expect(has_warning(&d, "primary is not supported in mode 802.3ad"));
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, primary_and_lists_compared_by_meaning) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        struct bg_nl_link *bl;
        char err[128];

        fake_init(&f);
        make_running(&f, 1, 0);
        bl = &f.links[f.st.n_links - 1];
        set_num(bl, BG_OPT_PRIMARY, 4);             /* eth1 by ifindex */
        set_num(bl, BG_OPT_ARP_INTERVAL, 500);
        bl->bond.have[BG_OPT_ARP_IP_TARGET] = true;
        cr_assert_eq(bg_opt_parse_value(bg_opt_get(BG_OPT_ARP_IP_TARGET), "10.0.0.2,10.0.0.1",
                                        &bl->bond.val[BG_OPT_ARP_IP_TARGET], err, sizeof(err)), 0);
        struct bg_bond *b = model_bond(&m, "active-backup", NULL);
        set_opt(b, BG_OPT_PRIMARY, "eth1");
        set_opt(b, BG_OPT_ARP_INTERVAL, "500");
        set_opt(b, BG_OPT_ARP_IP_TARGET, "10.0.0.1,10.0.0.2");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);

        set_opt(b, BG_OPT_PRIMARY, "eth0");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "options");
        cr_expect_str_eq(p.steps[0].desc, "set primary eth1 -> eth0");
        bg_plan_free(&p);
        bg_optval_clear(&bl->bond.val[BG_OPT_ARP_IP_TARGET]);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(plan, unset_mode_means_balance_rr) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 1, 100);                   /* left in active-backup */
        struct bg_bond *b = model_bond(&m, NULL, "100");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "release:eth0 release:eth1 down options enslave:eth0 enslave:eth1 up route+");
        cr_expect_str_eq(find_step(&p, BG_STEP_OPTIONS)->desc, "set mode active-backup -> balance-rr");
        cr_expect_not(b->opts[BG_OPT_MODE].set);    /* the model itself is not touched */
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

/* Ports that joined in another order gave the bond the wrong port's MAC:
 * the plan brings back the first port's, and says so. */
Test(plan, mac_of_first_port_whatever_the_join_order) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        struct bg_nl_link *bl = fake_bond(&f);
        set_num(bl, BG_OPT_MIIMON, 100);
        bl->flags = IFF_UP;
        enslave(&f, "eth1");
        enslave(&f, "eth0");
        fake_addr(&f, "10.77.0.1", 24);
        fake_route(&f, "10.78.0.0", 24, "10.77.0.2");
        struct bg_bond *b = model_bond(&m, NULL, "100");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "mac");
        cr_expect_str_eq(p.steps[0].desc, "mac 52:54:00:00:00:11 -> 52:54:00:00:00:10 (eth0's)");
        cr_expect_arr_eq(p.steps[0].mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x10 }), 6);
        bg_plan_free(&p);
        /* fail_over_mac=active: the bond's MAC follows the active port */
        set_opt(b, BG_OPT_MODE, "active-backup");
        set_opt(b, BG_OPT_FAIL_OVER_MAC, "active");
        set_num(bl, BG_OPT_MODE, 1);
        set_num(bl, BG_OPT_FAIL_OVER_MAC, 1);
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

/* An up primary that is not the active port (primary_reselect always) is
 * drift, and the fix is one change of the active port. */
Test(plan, active_port_back_to_primary) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 1, 100);
        struct bg_nl_link *bl = &f.links[f.st.n_links - 1];
        cr_assert_str_eq(bl->name, "bond0");
        set_num(bl, BG_OPT_PRIMARY, 3);
        set_num(bl, BG_OPT_ACTIVE_SLAVE, 4);
        for (size_t i = 0; i < f.st.n_links; i++) {
                f.links[i].flags |= IFF_UP;
                f.links[i].has_carrier = f.links[i].carrier = true;
        }
        struct bg_bond *b = model_bond(&m, "active-backup", "100");
        set_opt(b, BG_OPT_PRIMARY, "eth0");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "options");
        cr_expect_str_eq(p.steps[0].desc, "active eth1 -> eth0");
        cr_expect(p.steps[0].opts.have[BG_OPT_ACTIVE_SLAVE]);
        cr_expect_str_eq(p.steps[0].opts.val[BG_OPT_ACTIVE_SLAVE].str, "eth0");
        bg_plan_free(&p);
        /* primary down: the kernel is right to use eth1 */
        f.links[1].carrier = false;
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

/* The snapshot of a running bond is a model bond the planner finds equal
 * to that state (a fixed point: restoring an unchanged bond does nothing),
 * and planning from a changed state to it undoes the change in the
 * kernel's order. */
Test(plan, snapshot_is_a_fixed_point_and_undoes) {
        struct fake f, g;
        struct bg_snapshot snap;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 0, 100);
        bg_snapshot_init(&snap);
        struct bg_bond want = { .name = (char *) "bond0" };
        cr_assert_eq(bg_snapshot_add_bond(&snap, &f.st, &want), 0);
        cr_assert_eq(snap.model.n_bonds, 1);
        const struct bg_bond *sb = &snap.model.bonds[0];
        cr_expect_eq(sb->n_ports, 2);
        cr_expect_eq(sb->mac.len, 6);
        cr_expect_arr_eq(sb->mac.bytes, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x10 }), 6);
        cr_assert_eq(bg_plan_bond(sb, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);

        /* what an interrupted mode change left: active-backup, no ports,
         * down, the address kept, the route gone */
        fake_init(&g);
        struct bg_nl_link *bl = fake_bond(&g);
        set_num(bl, BG_OPT_MODE, 1);
        set_num(bl, BG_OPT_MIIMON, 100);
        memcpy(bl->mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x10 }), 6);
        fake_addr(&g, "10.77.0.1", 24);
        cr_assert_eq(bg_plan_bond(sb, &g.st, &p, &d), 0);
        expect_plan(&p, "options enslave:eth0 enslave:eth1 up route+");
        cr_expect_str_eq(p.steps[0].desc, "set mode active-backup -> balance-rr");
        bg_plan_free(&p);
        /* the links it records: the bond up, both ports */
        cr_expect_eq(snap.n_links, 3);
        cr_expect_eq(snap.n_created, 0);
        bg_snapshot_free(&snap);

        /* a bond that did not exist is recorded as created */
        bg_snapshot_init(&snap);
        struct bg_bond nb = { .name = (char *) "bond7" };
        cr_assert_eq(bg_snapshot_add_bond(&snap, &f.st, &nb), 0);
        cr_expect_eq(snap.n_created, 1);
        cr_expect_str_eq(snap.created[0], "bond7");
        cr_expect_eq(snap.model.n_bonds, 0);
        bg_snapshot_free(&snap);
        bg_diags_free(&d);
}

Test(plan, queue_id_only_where_it_differs) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        /* a port joins with queue_id 0 (bond_enslave() makes it anew):
         * 0 needs no step, 3 does */
        fake_init(&f);
        struct bg_bond *b = model_bond(&m, "active-backup", "100");
        set_opt(b, BG_OPT_QUEUE_ID, "eth0:0");
        set_opt(b, BG_OPT_QUEUE_ID, "eth1:3");
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "create enslave:eth0 enslave:eth1 queue_id:eth1 up addr+ route+");
        cr_expect_str_eq(find_step(&p, BG_STEP_QUEUE_ID)->desc, "set queue_id of eth1 to 3");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

static bool has_error(const struct bg_diags *d, const char *needle) {
        for (size_t i = 0; i < d->n; i++)
                if (d->v[i].level == BG_DIAG_ERROR && strstr(d->v[i].msg, needle))
                        return true;
        return false;
}

/* IFLA_BOND_SLAVE_PRIO: a joining port starts at 0 (bond_enslave()), a
 * port already in the bond is compared with what the kernel reports */
Test(plan, prio_only_where_it_differs) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        struct bg_bond *b = model_bond(&m, "active-backup", "100");
        b->ports[1].prio = 7;
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "create enslave:eth0 enslave:eth1 prio:eth1 up addr+ route+");
        cr_expect_str_eq(find_step(&p, BG_STEP_PRIO)->desc, "set prio of eth1 to 7");
        cr_expect_eq(find_step(&p, BG_STEP_PRIO)->prio, 7);
        bg_plan_free(&p);

        /* running, the reported prio equal: nothing to do */
        fake_init(&f);
        make_running(&f, 1, 100);
        for (int i = 1; i <= 2; i++)
                f.links[i].slave.have = f.links[i].slave.have_prio = true;
        f.links[2].slave.prio = 7;
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);

        /* differs (both ways: set by hand, or a new value in the model) */
        f.links[2].slave.prio = 3;
        b->ports[0].prio = -2;
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "prio:eth0 prio:eth1");
        cr_expect_eq(p.steps[0].prio, -2);
        cr_expect_eq(p.steps[1].prio, 7);
        cr_expect_eq(d.n, 0u);
        bg_plan_free(&p);

        /* a kernel before 6.0 reports no prio and would ignore the
         * attribute: refused by name rather than sent for nothing */
        f.links[2].slave.have_prio = false;
        f.links[2].slave.prio = 0;
        b->ports[0].prio = 0;
        cr_expect_lt(bg_plan_bond(b, &f.st, &p, &d), 0);
        cr_expect(has_error(&d, "port eth1: prio 7"), "%s", d.n ? d.v[0].msg : "no diagnostic");
        bg_plan_free(&p);
        bg_diags_free(&d);
        /* ... unless the model asks for the default */
        b->ports[1].prio = 0;
        cr_assert_eq(bg_plan_bond(b, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

/* A prio set by hand is part of what a rollback restores */
Test(plan, snapshot_keeps_port_prio) {
        struct fake f;
        struct bg_snapshot snap;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };

        fake_init(&f);
        make_running(&f, 1, 100);
        for (int i = 1; i <= 2; i++)
                f.links[i].slave.have = f.links[i].slave.have_prio = true;
        f.links[2].slave.prio = -4;
        bg_snapshot_init(&snap);
        struct bg_bond want = { .name = (char *) "bond0" };
        cr_assert_eq(bg_snapshot_add_bond(&snap, &f.st, &want), 0);
        const struct bg_bond *sb = &snap.model.bonds[0];
        cr_assert_eq(sb->n_ports, 2);
        cr_expect_eq(sb->ports[0].prio, 0);
        cr_expect_eq(sb->ports[1].prio, -4);
        cr_assert_eq(bg_plan_bond(sb, &f.st, &p, &d), 0);
        expect_plan(&p, "");
        bg_plan_free(&p);
        f.links[2].slave.prio = 0;
        cr_assert_eq(bg_plan_bond(sb, &f.st, &p, &d), 0);
        expect_plan(&p, "prio:eth1");
        bg_plan_free(&p);
        bg_snapshot_free(&snap);
        bg_diags_free(&d);
}
