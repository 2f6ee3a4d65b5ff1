/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bondgend bonds in apply: the `state` answer parsed strictly, laid over
 * the netlink view, and planned by the one planner in the words it uses
 * for kernel bonds; the snapshot of such a bond restores it exactly. */
#include <criterion/criterion.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/apply.h"
#include "util/util.h"
#include "yaml/yaml.h"

struct fake {
        struct bg_nl_link links[8];
        struct bg_nl_state st;
};

static struct bg_nl_link *fake_link(struct fake *f, const char *name, int ifindex, uint8_t mac_last) {
        struct bg_nl_link *l = &f->links[f->st.n_links++];

        memset(l, 0, sizeof(*l));
        snprintf(l->name, sizeof(l->name), "%s", name);
        l->ifindex = ifindex;
        l->mtu = 1500;
        l->flags = IFF_UP | IFF_RUNNING | 0x10000 /* IFF_LOWER_UP */;
        l->has_mac = true;
        memcpy(l->mac, ((uint8_t[]){ 0x52, 0x54, 0, 0, 0, mac_last }), 6);
        l->has_perm_mac = true;
        memcpy(l->perm_mac, l->mac, 6);
        return l;
}

/* bond0 is bondgend's TAP (kind tun, no master on its ports), its MAC
 * eth1's, as bondgend gives it when eth1 joins first. */
static void fake_init(struct fake *f) {
        memset(f, 0, sizeof(*f));
        f->st.links = f->links;
        fake_link(f, "lo", 1, 0)->has_perm_mac = false;
        struct bg_nl_link *t = fake_link(f, "bond0", 2, 0x11);
        strcpy(t->kind, "tun");
        t->has_perm_mac = false;
        fake_link(f, "eth0", 3, 0x10);
        fake_link(f, "eth1", 4, 0x11);
        fake_link(f, "eth2", 5, 0x12);
}

/* The overlay copies option values into the links, as a netlink dump does. */
static void fake_free(struct fake *f) {
        for (size_t i = 0; i < f->st.n_links; i++)
                bg_nl_link_clear(&f->links[i]);
}

static const char *state_ab =
        "bond bond0\n"
        "option mode active-backup\n"
        "option miimon 100\n"
        "option updelay 200\n"
        "option primary eth1\n"
        "option xmit_hash_policy layer2\n"
        "option arp_ip_target 10.0.0.1,10.0.0.2\n"
        "port eth1 0\n"
        "port eth0 2\n"
        "pending eth9\n"
        "active eth1\n"
        "end\n";

static void model(struct bg_model *m, const char *mode, const char *miimon, const char *ports) {
        struct bg_diags d = { 0 };
        char buf[64], *save = NULL;

        bg_model_init(m);
        struct bg_bond *b = bg_model_add_bond(m, "bond0");
        cr_assert_not_null(b);
        b->backend = BG_BACKEND_USERSPACE;
        b->onboot = true;
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MODE, mode, NULL, &d), 0);
        cr_assert_eq(bg_bond_set_opt_text(b, BG_OPT_MIIMON, miimon, NULL, &d), 0);
        snprintf(buf, sizeof(buf), "%s", ports);
        for (char *p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save))
                cr_assert_not_null(bg_bond_add_port(b, p, NULL));
        bg_diags_free(&d);
}

static void plan_text(const struct bg_plan *p, char *out, size_t len) {
        out[0] = 0;
        for (size_t i = 0; i < p->n_steps; i++)
                snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "; " : "", p->steps[i].desc);
}

Test(fwd_state, parses_every_line) {
        struct bg_fwd_state s;
        char err[256];

        cr_assert_eq(bg_fwd_state_parse(state_ab, &s, err, sizeof(err)), 0, "%s", err);
        cr_expect_str_eq(s.name, "bond0");
        cr_expect(s.opts.have[BG_OPT_MODE]);
        cr_expect_eq(s.opts.val[BG_OPT_MODE].num, BG_MODE_ACTIVE_BACKUP);
        cr_expect_eq(s.opts.val[BG_OPT_UPDELAY].num, 200);
        cr_expect_str_eq(s.opts.val[BG_OPT_PRIMARY].str, "eth1");
        cr_expect_eq(s.opts.val[BG_OPT_ARP_IP_TARGET].n_list, 2);
        cr_expect(!s.opts.have[BG_OPT_LACP_RATE]);
        cr_expect_eq(s.n_ports, 2);
        cr_expect_str_eq(s.ports[0], "eth1");
        cr_expect_eq(s.mii[1], 2);
        cr_expect_eq(s.n_pending, 1);
        cr_expect_str_eq(s.active, "eth1");
        bg_fwd_state_free(&s);
}

/* "port NAME MII PRIO"; a bondgend before port priorities wrote
 * "port NAME MII", read as prio 0 and as a bond that reports none */
Test(fwd_state, port_prio_with_and_without) {
        static const char with[] = "bond bond0\noption mode active-backup\nport eth0 0 -3\nport eth1 2 "
                                   "2147483647\nactive eth0\nend\n";
        struct bg_fwd_state s;
        struct fake f;
        char err[256];

        cr_assert_eq(bg_fwd_state_parse(with, &s, err, sizeof(err)), 0, "%s", err);
        cr_expect(s.have_prio);
        cr_expect_eq(s.prio[0], -3);
        cr_expect_eq(s.prio[1], INT32_MAX);
        cr_expect_eq(s.mii[1], 2);
        fake_init(&f);
        cr_assert_eq(bg_fwd_state_overlay(&f.st, &s), 0);
        cr_expect(f.links[2].slave.have_prio);
        cr_expect_eq(f.links[2].slave.prio, -3);
        cr_expect_eq(f.links[3].slave.prio, INT32_MAX);
        bg_fwd_state_free(&s);
        fake_free(&f);

        cr_assert_eq(bg_fwd_state_parse(state_ab, &s, err, sizeof(err)), 0, "%s", err);
        cr_expect(!s.have_prio);
        cr_expect_eq(s.prio[0], 0);
        cr_expect_eq(s.prio[1], 0);
        fake_init(&f);
        cr_assert_eq(bg_fwd_state_overlay(&f.st, &s), 0);
        cr_expect(f.links[2].slave.have && !f.links[2].slave.have_prio);
        bg_fwd_state_free(&s);
        fake_free(&f);
}

Test(fwd_state, vlan_lines_list_bondgends_own_vlan_devices) {
        static const char text[] = "bond bond0\noption mode active-backup\nport eth0 0\nactive eth0\n"
                                   "vlan bond0.100 100\nvlan v200 200\nend\n";
        struct bg_fwd_state s;
        char err[256];

        cr_assert_eq(bg_fwd_state_parse(text, &s, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(s.n_vlans, 2);
        cr_expect_str_eq(s.vlans[0], "bond0.100");
        cr_expect_eq(s.vlan_id[0], 100);
        cr_expect_str_eq(s.vlans[1], "v200");
        cr_expect_eq(s.vlan_id[1], 200);
        bg_fwd_state_free(&s);
}

Test(fwd_state, refuses_anything_else) {
        static const char *const bad[] = {
                "",                                                   /* no end */
                "bond bond0\noption mode active-backup\n",            /* cut short */
                "bond bond0\nend\n",                                  /* no mode */
                "bond bond0\noption mode active-backup\nend\nx\n",    /* after end */
                "bond bond0\noption mode active-backup\nend",         /* no newline */
                "bond bond0\noption mode sideways\nend\n",            /* bad value */
                "bond bond0\noption mood active-backup\nend\n",       /* unknown option */
                "bond bond0\noption max_bonds 2\noption mode 1\nend\n", /* module parameter */
                "bond bond0\noption mode 1\noption mode 1\nend\n",    /* twice */
                "bond bond0\noption mode 1\nport eth0 7\nend\n",      /* MII out of range */
                "bond bond0\noption mode 1\nport eth0\nend\n",        /* MII missing */
                "bond bond0\noption mode 1\nport eth0 0 x\nend\n",    /* prio not a number */
                "bond bond0\noption mode 1\nport eth0 0 \nend\n",     /* prio empty */
                "bond bond0\noption mode 1\nport eth0 0 2147483648\nend\n", /* prio too big */
                "bond bond0\noption mode 1\nport eth0 0 1 2\nend\n",  /* extra word */
                "bond bond0\noption mode 1\nport eth0 01\nend\n",     /* MII two digits */
                "bond bond0\noption mode 1\nport eth0 0 1\nport eth1 0\nend\n", /* prio on some lines */
                "bond bond0\noption mode 1\nport ../x 0\nend\n",      /* not a name */
                "bond bond0\noption mode 1\nactive eth0\nport eth0 0\nend\n", /* order */
                "option mode 1\nbond bond0\nend\n",                   /* order */
                "bond bond0\noption mode 1\n\nend\n",                 /* empty line */
                "bond bond0 x\noption mode 1\nend\n",                 /* extra word */
                "bond bond0\noption mode 1\nvlan bond0.5 0\nend\n",    /* VLAN id 0 */
                "bond bond0\noption mode 1\nvlan bond0.5 4095\nend\n", /* VLAN id too big */
                "bond bond0\noption mode 1\nvlan bond0.5\nend\n",      /* no id */
                "bond bond0\noption mode 1\nvlan bond0.5 5\nactive eth0\nend\n", /* order */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct bg_fwd_state s;
                char err[256] = "";
                cr_expect_eq(bg_fwd_state_parse(bad[i], &s, err, sizeof(err)), -EPROTO, "case %zu accepted", i);
                cr_expect(strstr(err, "line") != NULL, "case %zu: %s", i, err);
                bg_fwd_state_free(&s);
        }
}

/* The planner sees bondgend's bond as a kernel bond: the same steps, the
 * same words ("set miimon 100 -> 200", "enslave eth2"). */
Test(fwd_state, planned_in_the_kernel_words) {
        struct fake f;
        struct bg_fwd_state s;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        char err[256], text[2048];

        fake_init(&f);
        cr_assert_eq(bg_fwd_state_parse(state_ab, &s, err, sizeof(err)), 0);
        cr_assert_eq(bg_fwd_state_overlay(&f.st, &s), 0);
        cr_expect(f.links[1].is_bond);
        cr_expect_eq(f.links[2].master, 2);
        cr_expect_eq(f.links[3].master, 2);
        cr_expect_eq(f.links[4].master, 0);
        cr_expect_eq(f.links[1].bond.val[BG_OPT_PRIMARY].num, 4);        /* by ifindex */
        cr_expect_eq(f.links[1].bond.val[BG_OPT_ACTIVE_SLAVE].num, 4);

        model(&m, "active-backup", "100", "eth1 eth0");
        cr_assert_eq(bg_plan_bond(&m.bonds[0], &f.st, &p, &d), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect_str_eq(text, "");
        bg_plan_free(&p);
        bg_model_free(&m);

        model(&m, "active-backup", "200", "eth1 eth2");
        cr_assert_eq(bg_plan_bond(&m.bonds[0], &f.st, &p, &d), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect_str_eq(text, "set miimon 100 -> 200; release eth0 (not in the model); enslave eth2");
        cr_assert_eq(bg_fwd_opts_request("set", &p.steps[0].opts, err, sizeof(err)), 0);
        cr_expect_str_eq(err, "set miimon=200\n");
        bg_plan_free(&p);
        bg_model_free(&m);

        /* a mode change: the ports leave first, as the kernel needs */
        model(&m, "balance-rr", "100", "eth1 eth0");
        cr_assert_eq(bg_plan_bond(&m.bonds[0], &f.st, &p, &d), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect_str_eq(text, "release eth0 (option needs a bond without ports); release eth1 (option needs a "
                               "bond without ports); down (option needs the bond down); set mode active-backup -> "
                               "balance-rr; enslave eth1; enslave eth0; up");
        bg_plan_free(&p);
        bg_model_free(&m);
        bg_fwd_state_free(&s);
        bg_diags_free(&d);
        fake_free(&f);
}

/* The snapshot of a bondgend bond keeps bondgend's port order and every
 * option it reports; planning back to it from the same state is empty,
 * and from a changed state gives the undo. */
Test(fwd_state, snapshot_restores_exactly) {
        struct fake f, g;
        struct bg_fwd_state s, t;
        struct bg_snapshot snap;
        struct bg_model m;
        struct bg_plan p = { 0 };
        struct bg_diags d = { 0 };
        char err[256], text[2048];

        fake_init(&f);
        cr_assert_eq(bg_fwd_state_parse(state_ab, &s, err, sizeof(err)), 0);
        cr_assert_eq(bg_fwd_state_overlay(&f.st, &s), 0);
        model(&m, "balance-rr", "100", "eth1 eth0");
        bg_snapshot_init(&snap);
        cr_assert_eq(bg_snapshot_add_fwd_bond(&snap, &f.st, &m.bonds[0], &s), 0);
        cr_assert_eq(snap.model.n_bonds, 1);
        const struct bg_bond *sb = &snap.model.bonds[0];
        cr_expect_eq(sb->backend, BG_BACKEND_USERSPACE);
        /* present ports in enslave order, then the one bondgend waits for */
        cr_assert_eq(sb->n_ports, 3);
        cr_expect_str_eq(sb->ports[0].name, "eth1");
        cr_expect_str_eq(sb->ports[1].name, "eth0");
        cr_expect_str_eq(sb->ports[2].name, "eth9");
        cr_expect_str_eq(sb->opts[BG_OPT_PRIMARY].str, "eth1");
        cr_expect_eq(snap.n_active, 1);
        cr_assert_eq(bg_plan_bond(sb, &f.st, &p, &d), 0);
        cr_assert_eq(bg_plan_fwd_pending(sb, &f.st, &s, &p), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect_str_eq(text, "");
        bg_plan_free(&p);

        /* after a bad change: balance-rr, miimon 300, eth0 only */
        fake_init(&g);
        cr_assert_eq(bg_fwd_state_parse("bond bond0\noption mode balance-rr\noption miimon 300\n"
                                        "port eth0 0\nend\n", &t, err, sizeof(err)), 0);
        cr_assert_eq(bg_fwd_state_overlay(&g.st, &t), 0);
        cr_assert_eq(bg_plan_bond(sb, &g.st, &p, &d), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect(strstr(text, "release eth0 (option needs a bond without ports); down (option needs the bond down); "
                               "set mode balance-rr -> active-backup, miimon 300 -> 100") == text, "%s", text);
        cr_expect(strstr(text, "enslave eth1; enslave eth0; up") != NULL, "%s", text);
        bg_plan_free(&p);
        /* the bad change dropped eth9, which does not exist: asked for again */
        cr_assert_eq(bg_plan_fwd_pending(sb, &g.st, &t, &p), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect_str_eq(text, "enslave eth9 when it appears (not present)");
        bg_plan_free(&p);
        /* and the other way: a model without eth9 drops it */
        cr_assert_eq(bg_plan_fwd_pending(&m.bonds[0], &f.st, &s, &p), 0);
        plan_text(&p, text, sizeof(text));
        cr_expect_str_eq(text, "release eth9 (not in the model; not present)");
        bg_plan_free(&p);
        bg_fwd_state_free(&t);
        bg_snapshot_free(&snap);
        bg_model_free(&m);
        bg_fwd_state_free(&s);
        bg_diags_free(&d);
        fake_free(&f);
        fake_free(&g);
}

Test(fwd_state, option_request_is_one_line) {
        struct bg_nl_bond_opts o;
        char buf[256];

        memset(&o, 0, sizeof(o));
        o.have[BG_OPT_MODE] = true;
        o.val[BG_OPT_MODE] = (struct bg_optval){ .set = true, .num = BG_MODE_8023AD };
        o.have[BG_OPT_LACP_RATE] = true;
        o.val[BG_OPT_LACP_RATE] = (struct bg_optval){ .set = true, .num = 1 };
        o.have[BG_OPT_PRIMARY] = true;
        o.val[BG_OPT_PRIMARY] = (struct bg_optval){ .set = true, .str = (char *) "" };
        cr_assert_eq(bg_fwd_opts_request("check", &o, buf, sizeof(buf)), 0);
        cr_expect_str_eq(buf, "check mode=802.3ad primary= lacp_rate=fast\n");
        cr_expect_eq(bg_fwd_opts_request("check", &o, buf, 20), -ENOBUFS);
}

/* A run directory of the test's own (each Test runs in its own process). */
static void own_rundir(char *dir, size_t len) {
        snprintf(dir, len, "/tmp/bg-apply-fwd-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(setenv("BONDGEN_RUNDIR", dir, 1), 0);
}

static void remove_rundir(const char *dir) {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_expect_eq(system(cmd), 0);
}

/* RUNDIR/BOND.yaml after a live change: the bond alone, written when it
 * says something else than the model's bond, left alone when a file says
 * the same (a whole model holding the bond too), and never read through
 * a link. */
Test(fwd_model, written_when_it_differs) {
        char dir[64], path[256], other[300], *data = NULL;
        size_t len = 0;
        struct bg_model m;

        own_rundir(dir, sizeof(dir));
        model(&m, "active-backup", "100", "eth0 eth1");
        cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), -ENOENT);
        cr_assert_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, true, path, sizeof(path)), 1);
        cr_expect(strstr(path, "/bond0.yaml") != NULL, "%s", path);
        cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), 0);
        cr_expect(strstr(data, "name: bond0") && strstr(data, "miimon: 100") && strstr(data, "- name: eth1"), "%s",
                  data);
        free(data);
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, true, path, sizeof(path)), 0);
        /* another spelling of the same bond, beside a second bond */
        const char *whole = "version: 1\nbonds:\n"
                            "  - name: bond9\n    mode: balance-rr\n    ports: [{name: eth7}]\n"
                            "  - name: bond0\n    backend: userspace\n    mode: active-backup\n"
                            "    options: {miimon: 100}\n    ports: [{name: eth0}, {name: eth1}]\n";
        cr_assert_eq(bg_write_file_atomic(path, whole, strlen(whole), 0644, true), 0);
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, true, path, sizeof(path)), 0);
        cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), 0);
        cr_expect_str_eq(data, whole);
        free(data);
        /* the bond changed live: rewritten; without if_differs, always */
        bg_model_free(&m);
        model(&m, "active-backup", "200", "eth0 eth1 eth2");
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, true, path, sizeof(path)), 1);
        cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), 0);
        cr_expect(strstr(data, "miimon: 200") && strstr(data, "- name: eth2") && !strstr(data, "bond9"), "%s", data);
        free(data);
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, false, path, sizeof(path)), 1);
        /* a link planted in its place is not read */
        snprintf(other, sizeof(other), "%s/elsewhere", dir);
        cr_assert_eq(bg_write_file_atomic(other, "secret\n", 7, 0600, true), 0);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(symlink(other, path), 0);
        cr_expect_eq(bg_fwd_model_read("bond0", &data, &len), -EINVAL);
        cr_expect_null(data);
        bg_model_free(&m);
        remove_rundir(dir);
}

/* After a live change the file says what bondgend runs: options the
 * model leaves out keep their running value (not the defaults), ports go
 * in enslave order, the ports it waits for after them. */
/* The VLANs on the bond go with it (bondgend makes them where the kernel
 * has no 802.1Q); those on other links do not; a VLAN changed is a
 * difference. */
Test(fwd_model, carries_the_vlans_on_the_bond) {
        char dir[64], path[256], *data = NULL;
        size_t len = 0;
        struct bg_model m;

        own_rundir(dir, sizeof(dir));
        model(&m, "active-backup", "100", "eth0 eth1");
        cr_assert_not_null(bg_model_add_vlan(&m, "bond0.100", "bond0", 100));
        cr_assert_not_null(bg_model_add_vlan(&m, "eth5.7", "eth5", 7));
        cr_assert_eq(bg_fwd_model_write(&m.bonds[0], &m, NULL, true, path, sizeof(path)), 1);
        cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), 0);
        cr_expect(strstr(data, "vlans:") && strstr(data, "name: bond0.100") && strstr(data, "id: 100") &&
                  !strstr(data, "eth5"), "%s", data);
        free(data);
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], &m, NULL, true, path, sizeof(path)), 0);
        m.vlans[0].id = 101;
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], &m, NULL, true, path, sizeof(path)), 1);
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, true, path, sizeof(path)), 1,
                     "without its VLANs, the bond is another model");
        bg_model_free(&m);
        remove_rundir(dir);
}

Test(fwd_model, written_as_running) {
        char dir[64], path[256], err[256], *data = NULL;
        size_t len = 0;
        struct bg_fwd_state s;
        struct bg_model m;

        own_rundir(dir, sizeof(dir));
        model(&m, "active-backup", "100", "eth0 eth9 eth1");
        cr_assert_eq(bg_fwd_state_parse("bond bond0\noption mode active-backup\noption miimon 100\n"
                                        "option updelay 200\noption primary eth1\noption xmit_hash_policy layer2\n"
                                        "option ad_actor_system 00:00:00:00:00:00\noption resend_igmp 1\n"
                                        "port eth1 0\nport eth0 2\npending eth9\nactive eth1\nend\n",
                                        &s, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(bg_fwd_model_write(&m.bonds[0], NULL, &s, true, path, sizeof(path)), 1);
        cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), 0);
        cr_expect(strstr(data, "updelay: 200") && strstr(data, "primary: eth1"), "%s", data);
        cr_expect(!strstr(data, "xmit_hash_policy") && !strstr(data, "ad_actor_system") && !strstr(data, "resend_igmp"),
                  "defaults written out: %s", data);
        const char *p1 = strstr(data, "- name: eth1"), *p0 = strstr(data, "- name: eth0"),
                   *p9 = strstr(data, "- name: eth9");
        cr_expect(p1 && p0 && p9 && p1 < p0 && p0 < p9, "port order: %s", data);
        free(data);
        /* the model's bond itself is untouched */
        cr_expect(!m.bonds[0].opts[BG_OPT_UPDELAY].set);
        cr_expect_str_eq(m.bonds[0].ports[0].name, "eth0");
        cr_expect_eq(bg_fwd_model_write(&m.bonds[0], NULL, &s, true, path, sizeof(path)), 0);
        bg_fwd_state_free(&s);
        bg_model_free(&m);
        remove_rundir(dir);
}

/* The --try snapshot keeps each RUNDIR/BOND.yaml byte for byte (its bytes
 * after its line in PATH.state, newlines and all) or that there was none,
 * and the restore puts back exactly that. */
Test(fwd_model, snapshot_keeps_the_bytes) {
        char dir[64], snap_path[256], path[256], *data = NULL;
        size_t len = 0;
        struct bg_snapshot s, t;
        struct bg_diags d = { 0 };
        const char file[] = "# as the admin wrote it\nversion: 1\n\nbonds: []\nhanded x 3\n";

        own_rundir(dir, sizeof(dir));
        bg_snapshot_init(&s);
        cr_assert_eq(bg_snapshot_add_handed(&s, "bond0", file, strlen(file)), 0);
        cr_assert_eq(bg_snapshot_add_handed(&s, "bond1", NULL, 0), 0);
        cr_assert_eq(bg_snapshot_add_handed(&s, "bond0", "no", 2), 0);   /* once per bond */
        cr_assert_eq(bg_snapshot_add_active(&s, "bond0", "eth1"), 0);
        snprintf(snap_path, sizeof(snap_path), "%s/previous.yaml", dir);
        cr_assert_eq(bg_snapshot_save(&s, snap_path), 0);
        bg_snapshot_init(&t);
        cr_assert_eq(bg_snapshot_load(snap_path, &t, &d), 0, "%s", d.n ? d.v[0].msg : "");
        cr_assert_eq(t.n_handed, 2);
        cr_expect_str_eq(t.handed[0].bond, "bond0");
        cr_expect_eq(t.handed[0].len, strlen(file));
        cr_expect(memcmp(t.handed[0].data, file, strlen(file)) == 0);
        cr_expect_str_eq(t.handed[1].bond, "bond1");
        cr_expect_null(t.handed[1].data);
        cr_expect_eq(t.n_active, 1);

        /* restored: bond0's file back as it was, bond1's removed */
        struct bg_model m;
        model(&m, "active-backup", "300", "eth0");
        cr_assert_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, false, path, sizeof(path)), 1);
        bg_model_free(&m);
        bg_model_init(&m);
        cr_assert_not_null(bg_model_add_bond(&m, "bond1"));
        cr_assert_eq(bg_fwd_model_write(&m.bonds[0], NULL, NULL, false, path, sizeof(path)), 1);
        bg_model_free(&m);
        bg_snapshot_free(&t);
        bg_snapshot_init(&t);
        cr_assert_eq(bg_snapshot_add_handed(&t, "bond0", file, strlen(file)), 0);
        cr_assert_eq(bg_snapshot_add_handed(&t, "bond1", NULL, 0), 0);
        struct bg_nl *nl = NULL;
        if (bg_nl_open(&nl) == 0) {     /* netlink may be closed to the test */
                cr_expect_eq(bg_snapshot_restore(nl, &t, NULL, NULL, &d), 0);
                bg_nl_close(nl);
                cr_assert_eq(bg_fwd_model_read("bond0", &data, &len), 0);
                cr_expect_eq(len, strlen(file));
                cr_expect(memcmp(data, file, len) == 0, "%s", data);
                free(data);
                cr_expect_eq(bg_fwd_model_read("bond1", &data, &len), -ENOENT);
        }

        /* a cut or lying length is refused by line, not read past */
        char state[300];
        snprintf(state, sizeof(state), "%s.state", snap_path);
        cr_assert_eq(bg_write_file_atomic(state, "handed bond0 50\nshort\n", 22, 0600, true), 0);
        bg_snapshot_free(&t);
        bg_snapshot_init(&t);
        bg_diags_free(&d);
        cr_expect_eq(bg_snapshot_load(snap_path, &t, &d), -EINVAL);
        cr_expect(d.n && strstr(d.v[d.n - 1].msg, "previous.yaml.state:1: not a snapshot line"));
        bg_snapshot_free(&t);
        bg_snapshot_free(&s);
        bg_diags_free(&d);
        remove_rundir(dir);
}

/* A rollback that restarts bondgend (a --prune stopped it) hands it the
 * model it had: bondgend's own VLAN devices (the kernel has no 802.1Q)
 * are VLANs of the snapshot's model on the bond, with their id, MTU,
 * addresses and a MAC only where it is not the bond's; they survive the
 * snapshot's round trip through its files; and what bondgend restarts
 * from is its RUNDIR/BOND.yaml as it was when there was one, else the
 * snapshot's bond with those VLANs. */
Test(fwd_model, rollback_restart_keeps_bondgends_vlans) {
        static const char state[] = "bond bond0\noption mode active-backup\noption miimon 100\nport eth1 0\n"
                                    "port eth0 0\nactive eth1\nvlan bond0.100 100\nvlan v200 200\nend\n";
        struct fake f;
        struct bg_fwd_state fs;
        struct bg_snapshot snap, back;
        struct bg_model m, loaded;
        struct bg_diags d = { 0 };
        struct bg_nl_addr addrs[2] = {
                { .ifindex = 6, .family = AF_INET, .addr = { 10, 0, 100, 2 }, .prefixlen = 24 },
                { .ifindex = 7, .family = AF_INET, .addr = { 10, 0, 200, 2 }, .prefixlen = 24 },
        };
        char err[256], dir[64], path[256], *text = NULL;
        size_t len = 0;

        own_rundir(dir, sizeof(dir));   /* no RUNDIR/bond0.yaml: recorded as none */
        fake_init(&f);
        /* bond0.100 carries the bond's MAC (eth1's); v200 has its own */
        struct bg_nl_link *v = fake_link(&f, "bond0.100", 6, 0x11);
        strcpy(v->kind, "tun");
        v = fake_link(&f, "v200", 7, 0x20);
        strcpy(v->kind, "tun");
        v->mtu = 1400;
        f.st.addrs = addrs;
        f.st.n_addrs = 2;
        cr_assert_eq(bg_fwd_state_parse(state, &fs, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(bg_fwd_state_overlay(&f.st, &fs), 0);
        model(&m, "active-backup", "100", "eth1 eth0");
        bg_snapshot_init(&snap);
        cr_assert_eq(bg_snapshot_add_fwd_bond(&snap, &f.st, &m.bonds[0], &fs), 0);

        cr_assert_eq(snap.model.n_vlans, 2);
        const struct bg_vlan *a = bg_model_find_vlan(&snap.model, "bond0.100");
        const struct bg_vlan *b = bg_model_find_vlan(&snap.model, "v200");
        cr_assert(a && b);
        cr_expect_str_eq(a->link, "bond0");
        cr_expect_eq(a->id, 100);
        cr_expect_eq(a->mac.len, 0, "the bond's MAC: follows the bond, not its own");
        cr_expect_eq(a->ipv4.method, BG_IP_STATIC);
        cr_assert_eq(a->ipv4.n_addresses, 1);
        cr_expect_str_eq(BG_ADDR_STR(&a->ipv4.addresses[0]), "10.0.100.2/24");
        cr_expect_str_eq(b->link, "bond0");
        cr_expect_eq(b->id, 200);
        cr_expect_eq(b->mtu, 1400);
        cr_expect(b->mac.len == 6 && b->mac.bytes[5] == 0x20, "v200's own MAC");

        /* through the snapshot's files and back */
        snprintf(path, sizeof(path), "%s/previous.yaml", dir);
        cr_assert_eq(bg_snapshot_save(&snap, path), 0);
        bg_snapshot_init(&back);
        cr_assert_eq(bg_snapshot_load(path, &back, &d), 0, "%s", d.n ? d.v[0].msg : "");
        cr_expect_eq(back.model.n_vlans, 2);

        /* no RUNDIR/bond0.yaml before: the snapshot's bond and its VLANs */
        cr_assert_eq(back.n_handed, 1);
        cr_expect_null(back.handed[0].data);
        cr_assert_eq(bg_snapshot_fwd_model(&back, &back.model.bonds[0], &text, &len), 0);
        bg_model_init(&loaded);
        cr_assert_eq(bg_yaml_load_data(text, len, "handed", &loaded, &d), 0, "%s", text);
        cr_expect_eq(bg_model_validate(&loaded, &d), 0, "%s", d.n ? d.v[0].msg : "");
        cr_expect_eq(loaded.n_bonds, 1);
        cr_assert_eq(loaded.n_vlans, 2, "%s", text);
        cr_expect(bg_model_find_vlan(&loaded, "bond0.100") && bg_model_find_vlan(&loaded, "v200"), "%s", text);
        cr_expect_eq(bg_model_find_vlan(&loaded, "v200")->id, 200);
        bg_model_free(&loaded);
        free(text);

        /* with one: those bytes, as they were */
        const char file[] = "# as apply handed it\nversion: 1\nbonds:\n  - name: bond0\n    backend: userspace\n"
                            "    mode: active-backup\n    ports: [eth1, eth0]\nvlans:\n  - {name: v200, id: 200, "
                            "link: bond0}\n";
        cr_assert_eq(bg_fwd_model_path("bond0", path, sizeof(path)), 0);
        cr_assert_eq(bg_write_file_atomic(path, file, strlen(file), 0644, true), 0);
        bg_snapshot_free(&snap);
        bg_snapshot_init(&snap);
        cr_assert_eq(bg_snapshot_add_fwd_bond(&snap, &f.st, &m.bonds[0], &fs), 0);
        cr_assert_eq(bg_snapshot_fwd_model(&snap, &snap.model.bonds[0], &text, &len), 0);
        cr_expect_eq(len, strlen(file));
        cr_expect(memcmp(text, file, len) == 0, "%s", text);
        free(text);

        remove_rundir(dir);
        bg_snapshot_free(&back);
        bg_snapshot_free(&snap);
        bg_model_free(&m);
        bg_fwd_state_free(&fs);
        bg_diags_free(&d);
        fake_free(&f);
}
