/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VLAN and bridge plans against a fake current state (stack.c), and their
 * netlink requests decoded back by the parser. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"

struct fake {
        struct bg_nl_link links[8];
        struct bg_nl_addr addrs[4];
        struct bg_nl_state st;
};

static struct bg_nl_link *link_add(struct fake *f, const char *name, int ifindex, const char *kind, bool up) {
        struct bg_nl_link *l = &f->links[f->st.n_links++];

        memset(l, 0, sizeof(*l));
        snprintf(l->name, sizeof(l->name), "%s", name);
        snprintf(l->kind, sizeof(l->kind), "%s", kind);
        l->ifindex = ifindex;
        l->mtu = 1500;
        l->has_mac = true;
        memcpy(l->mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, (uint8_t) ifindex }), 6);
        l->flags = up ? IFF_UP : 0;
        l->is_bond = !strcmp(kind, "bond");
        return l;
}

/* bond0 (up) on eth0/eth1, eth2 down, tap0 (a VM's) */
static void fake_init(struct fake *f) {
        memset(f, 0, sizeof(*f));
        f->st.links = f->links;
        f->st.addrs = f->addrs;
        link_add(f, "lo", 1, "", true);
        link_add(f, "bond0", 2, "bond", true);
        link_add(f, "eth0", 3, "", true)->master = 2;
        link_add(f, "eth1", 4, "", true)->master = 2;
        link_add(f, "eth2", 5, "", false);
        link_add(f, "tap0", 6, "tun", true);
}

static void model_init(struct bg_model *m) {
        struct bg_bond *b;

        bg_model_init(m);
        b = bg_model_add_bond(m, "bond0");
        cr_assert(b && bg_bond_add_port(b, "eth0", NULL) && bg_bond_add_port(b, "eth1", NULL));
}

static const char *steps(const struct bg_plan *p) {
        static char buf[2048];

        buf[0] = 0;
        for (size_t i = 0; i < p->n_steps; i++)
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "|" : "", p->steps[i].desc);
        return buf;
}

Test(stack, vlan_created_on_bond_then_nothing_to_do) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        struct bg_vlan *v;

        fake_init(&f);
        model_init(&m);
        v = bg_model_add_vlan(&m, "bond0.100", "bond0", 100);
        cr_assert(v);
        v->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&v->ipv4, "192.0.2.10/24"), 0);
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, true, &p, &d), 0);
        /* the bond brings itself up: no "up bond0" */
        cr_assert_str_eq(steps(&p), "create VLAN 100 on bond0|up|add address 192.0.2.10/24");
        cr_assert_eq(p.steps[0].kind, BG_STEP_CREATE_VLAN);
        cr_assert_str_eq(p.steps[0].link, "bond0");
        cr_assert_eq(p.steps[0].vlan_id, 100);
        bg_plan_free(&p);

        /* as the kernel reports it after the apply */
        struct bg_nl_link *l = link_add(&f, "bond0.100", 7, "vlan", true);
        l->vlan_id = 100;
        l->link = 2;
        f.addrs[f.st.n_addrs++] = (struct bg_nl_addr){ .ifindex = 7, .family = AF_INET, .prefixlen = 24,
                                                       .addr = { 192, 0, 2, 10 } };
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, true, &p, &d), 0);
        cr_assert_eq(p.n_steps, 0, "%s", steps(&p));
        bg_plan_free(&p);

        /* another id: the kernel cannot change it, a new VLAN replaces it */
        l->vlan_id = 200;
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, true, &p, &d), 0);
        cr_assert_str_eq(steps(&p), "delete (id 200 on bond0; the kernel cannot change a VLAN's id or link)|"
                                    "create VLAN 100 on bond0|up|add address 192.0.2.10/24");
        bg_plan_free(&p);
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, false, &p, &d), -EINVAL);
        cr_assert(strstr(d.v[d.n - 1].msg, "the running VLAN is id 200 on bond0"), "%s", d.v[d.n - 1].msg);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(stack, vlan_on_a_nic_brings_it_up_and_refusals) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        struct bg_vlan *v;

        fake_init(&f);
        model_init(&m);
        v = bg_model_add_vlan(&m, "vlan300", "eth2", 300);
        v->mtu = 1400;
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, true, &p, &d), 0);
        cr_assert_str_eq(steps(&p), "create VLAN 300 on eth2|up eth2 (the VLAN's link)|mtu 1400|up");
        bg_plan_free(&p);

        /* the name is a NIC's */
        v = bg_model_add_vlan(&m, "tap0", "eth2", 301);
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, true, &p, &d), -EINVAL);
        cr_assert(strstr(d.v[d.n - 1].msg, "not a VLAN (kind 'tun')"), "%s", d.v[d.n - 1].msg);
        cr_assert_eq(p.n_steps, 0);

        /* a link that is not there (yet): a warning, nothing planned */
        v = bg_model_add_vlan(&m, "vlan5", "eth9", 5);
        cr_assert_eq(bg_plan_vlan(v, &m, &f.st, true, &p, &d), 0);
        cr_assert_eq(p.n_steps, 0);
        cr_assert_eq(d.v[d.n - 1].level, BG_DIAG_WARNING);
        cr_assert(strstr(d.v[d.n - 1].msg, "link eth9 not present"), "%s", d.v[d.n - 1].msg);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(stack, bridge_created_with_times_in_clock_t) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        struct bg_bridge *br;

        fake_init(&f);
        model_init(&m);
        br = bg_model_add_bridge(&m, "br0");
        cr_assert(bg_bridge_add_port(br, "bond0") && bg_bridge_add_port(br, "eth2"));
        br->stp = BG_STP_ON;
        br->forward_delay = 4;
        br->priority = 4096;
        cr_assert_eq(bg_plan_bridge(br, &m, &f.st, &p, &d), 0);
        cr_assert_str_eq(steps(&p), "create bridge (stp=on forward_delay=4s priority=4096)|enslave bond0|"
                                    "enslave eth2|up eth2 (a port of the bridge)|up");
        /* br_netlink.c takes times in clock_t (USER_HZ = 100 per second) */
        cr_assert(p.steps[0].br.have_forward_delay && p.steps[0].br.forward_delay == 400);
        cr_assert(p.steps[0].br.have_stp && p.steps[0].br.stp_state == 1);
        cr_assert(!p.steps[0].br.have_hello_time && !p.steps[0].br.have_max_age);
        cr_assert(p.steps[1].keep_up, "a bridge port is not taken down to join");
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}

Test(stack, bridge_reconciled_foreign_ports_kept) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        struct bg_bridge *br;
        struct bg_nl_link *l;

        fake_init(&f);
        model_init(&m);
        br = bg_model_add_bridge(&m, "br0");
        cr_assert(bg_bridge_add_port(br, "bond0"));
        br->stp = BG_STP_ON;
        br->forward_delay = 4;
        /* as `ip link add br0 type bridge` leaves it, bond0 in it, plus a
         * VM's tap (libvirt's) and a NIC someone added */
        l = link_add(&f, "br0", 7, "bridge", true);
        l->br = (struct bg_nl_bridge){ .have_stp = true, .stp_state = 0, .have_forward_delay = true,
                                       .forward_delay = 1500, .have_priority = true, .priority = 32768 };
        f.links[1].master = 7;
        f.links[5].master = 7;
        f.links[4].master = 7;
        cr_assert_eq(bg_plan_bridge(br, &m, &f.st, &p, &d), 0);
        cr_assert_str_eq(steps(&p), "set stp off -> on, forward_delay 15s -> 4s|release eth2 (not in the model)");
        cr_assert_eq(p.steps[0].kind, BG_STEP_BRIDGE_OPTIONS);
        cr_assert(!p.steps[0].br.have_priority, "an unset priority is left as it is");
        bg_plan_free(&p);

        /* as it is after that apply: nothing to do; user-space STP (2) is on */
        l->br.stp_state = 2;
        l->br.forward_delay = 400;
        f.links[4].master = 0;
        cr_assert_eq(bg_plan_bridge(br, &m, &f.st, &p, &d), 0);
        cr_assert_eq(p.n_steps, 0, "%s", steps(&p));
        bg_plan_free(&p);

        /* a port another master has is refused before anything is planned */
        cr_assert(bg_bridge_add_port(br, "eth0"));
        cr_assert_eq(bg_plan_bridge(br, &m, &f.st, &p, &d), -EINVAL);
        cr_assert(strstr(d.v[d.n - 1].msg, "port eth0 already belongs to bond0"), "%s", d.v[d.n - 1].msg);
        cr_assert_eq(p.n_steps, 0);
        bg_diags_free(&d);
        bg_model_free(&m);
}

/* The requests decode as the kernel would report the device. */
Test(stack, requests_decode_back) {
        static char buf[BG_NL_BUFSIZE];
        struct nlmsghdr *nlh;
        struct bg_nl_link l;
        struct bg_nl_bridge br = { .have_stp = true, .stp_state = 1, .have_forward_delay = true,
                                   .forward_delay = 400, .have_priority = true, .priority = 4096 };

        cr_assert_eq(bg_nl_msg_vlan(buf, 1, "bond0.100", 2, 100, &nlh), 0);
        cr_assert_eq(bg_nl_parse_link(nlh, &l), 0);
        cr_assert_str_eq(l.kind, "vlan");
        cr_assert_eq(l.vlan_id, 100);
        cr_assert_eq(l.link, 2);
        cr_assert_str_eq(l.name, "bond0.100");
        bg_nl_link_clear(&l);
        cr_assert_eq(bg_nl_msg_vlan(buf, 1, "x", 2, 4095, &nlh), -EINVAL);
        cr_assert_eq(bg_nl_msg_vlan(buf, 1, "x", 0, 5, &nlh), -EINVAL);

        cr_assert_eq(bg_nl_msg_bridge(buf, 1, true, "br0", 0, &br, &nlh), 0);
        cr_assert_eq(bg_nl_parse_link(nlh, &l), 0);
        cr_assert_str_eq(l.kind, "bridge");
        cr_assert(l.br.have_stp && l.br.stp_state == 1);
        cr_assert(l.br.have_forward_delay && l.br.forward_delay == 400);
        cr_assert(l.br.have_priority && l.br.priority == 4096);
        cr_assert(!l.br.have_hello_time && !l.br.have_max_age);
        bg_nl_link_clear(&l);
}

/* The runtime file that hands a link's DHCP to systemd-networkd. */
Test(stack, networkd_dhcp_file) {
        struct bg_ipcfg v4 = { .method = BG_IP_DHCP }, v6 = { .method = BG_IP_DHCP }, none = { 0 };
        char *buf = NULL;
        size_t len = 0;

        cr_assert_eq(bg_dhcp_networkd_file("vlan200", &v4, &v6, "web1.example.com", &buf, &len), 0);
        cr_assert(strstr(buf, "[Match]\nName=vlan200\n"), "%s", buf);
        cr_assert(strstr(buf, "DHCP=yes\n") && strstr(buf, "IPv6AcceptRA=yes\n"), "%s", buf);
        cr_assert(strstr(buf, "KeepConfiguration=static\n"), "%s", buf);
        cr_assert(strstr(buf, "\n[DHCPv4]\nHostname=web1.example.com\n"), "%s", buf);
        cr_assert_eq(strlen(buf), len);
        free(buf);
        buf = NULL;
        cr_assert_eq(bg_dhcp_networkd_file("bond0", &v4, &none, NULL, &buf, &len), 0);
        cr_assert(strstr(buf, "DHCP=ipv4\n") && strstr(buf, "LinkLocalAddressing=no\n"), "%s", buf);
        cr_assert(!strstr(buf, "[DHCPv4]") && !strstr(buf, "IPv6AcceptRA"), "%s", buf);
        free(buf);
}

/* A VLAN of a bondgend bond on a kernel without 802.1Q: bondgend makes
 * its device (created through its control socket), then the netlink steps
 * as for any link; a new id makes it again; another kind of device with
 * the name is refused. */
Test(stack, vlan_of_bondgend_without_8021q) {
        struct fake f;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        struct bg_vlan *v;

        fake_init(&f);
        model_init(&m);
        v = bg_model_add_vlan(&m, "tap0.100", "tap0", 100);
        cr_assert(v);
        v->mtu = 1400;
        v->ipv4.method = BG_IP_STATIC;
        cr_assert_eq(bg_ipcfg_add_address(&v->ipv4, "192.0.2.10/24"), 0);
        cr_assert_eq(bg_plan_fwd_vlan(v, &f.st, 0, &p, &d), 0);
        cr_assert_str_eq(steps(&p), "create VLAN 100 on tap0 (a device of bondgend's: this kernel has no 802.1Q)|"
                                    "mtu 1400|up|add address 192.0.2.10/24");
        cr_expect_eq(p.steps[0].kind, BG_STEP_FWD_VLAN);
        cr_expect_str_eq(p.steps[0].link, "tap0");
        cr_expect_str_eq(p.steps[0].ifname, "tap0.100");
        cr_expect_eq(p.steps[0].vlan_id, 100);
        bg_plan_free(&p);

        /* as bondgend runs it, with apply's steps done */
        struct bg_nl_link *l = link_add(&f, "tap0.100", 7, "tun", true);
        l->mtu = 1400;
        f.addrs[f.st.n_addrs++] = (struct bg_nl_addr){ .ifindex = 7, .family = AF_INET, .prefixlen = 24,
                                                       .addr = { 192, 0, 2, 10 } };
        cr_assert_eq(bg_plan_fwd_vlan(v, &f.st, 100, &p, &d), 0);
        cr_expect_eq(p.n_steps, 0, "%s", steps(&p));
        bg_plan_free(&p);

        cr_assert_eq(bg_plan_fwd_vlan(v, &f.st, 300, &p, &d), 0);
        cr_expect_str_eq(steps(&p), "VLAN id 300 -> 100 (bondgend makes its device again)|mtu 1400|up|"
                                    "add address 192.0.2.10/24");
        bg_plan_free(&p);

        snprintf(l->kind, sizeof(l->kind), "vlan");
        cr_expect_eq(bg_plan_fwd_vlan(v, &f.st, 0, &p, &d), -EINVAL);
        cr_expect_eq(d.n, 1);
        bg_plan_free(&p);
        bg_diags_free(&d);
        bg_model_free(&m);
}
