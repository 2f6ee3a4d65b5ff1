/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Canonical YAML: round trips, canonical form, locations, robustness. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "yaml/yaml.h"

static const char *srcdir(void) {
        const char *s = getenv("BG_TEST_SRCDIR");

        cr_assert(s, "BG_TEST_SRCDIR not set (run through meson test)");
        return s;
}

static const char *topdir(void) {
        const char *s = getenv("BG_TEST_TOPDIR");

        cr_assert(s, "BG_TEST_TOPDIR not set (run through meson test)");
        return s;
}

static char *dump(const struct bg_model *m) {
        char *out = NULL;
        size_t len = 0;
        int r = bg_yaml_dump(m, &out, &len);

        cr_assert_eq(r, 0, "dump failed: %d", r);
        cr_assert_eq(strlen(out), len);
        return out;
}

static void print_diags(const struct bg_diags *d) {
        bg_diags_print(d, stderr);
}

/* dump -> load -> equal model -> dump again byte-identical */
static void assert_round_trip(const struct bg_model *m) {
        struct bg_diags d = { 0 };
        struct bg_model m2;
        char *a = dump(m), *b;
        int r;

        r = bg_yaml_load_data(a, strlen(a), "rt.yaml", &m2, &d);
        if (r != 0) {
                fprintf(stderr, "%s", a);
                print_diags(&d);
        }
        cr_assert_eq(r, 0, "reload of the dump failed");
        cr_assert_eq(d.n, 0);
        cr_assert(bg_model_equal(m, &m2), "load(dump(m)) != m; dump:\n%s", a);
        b = dump(&m2);
        cr_assert_str_eq(a, b);
        free(a);
        free(b);
        bg_model_free(&m2);
        bg_diags_free(&d);
}

static void set_opt(struct bg_bond *b, enum bg_opt id, const char *text) {
        struct bg_diags d = { 0 };
        int r = bg_bond_set_opt_text(b, id, text, NULL, &d);

        if (r)
                print_diags(&d);
        cr_assert_eq(r, 0, "cannot set %s=%s", bg_opt_get(id)->name, text);
        bg_diags_free(&d);
}

/* A value different from the default, for every type in the catalogue. */
static void set_nondefault(struct bg_bond *b, const struct bg_opt_info *o) {
        char buf[64];

        switch (o->type) {
        case BG_OT_UINT:
        case BG_OT_MSEC: {
                uint64_t v = o->def + 1 <= o->max ? o->def + 1 : o->min;

                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
                set_opt(b, o->id, buf);
                return;
        }
        case BG_OT_ENUM: {
                const struct bg_enum_val *e = o->enums, *last = NULL;

                for (; e->name; e++)
                        if (e->num != o->def)
                                last = e;
                cr_assert(last, "%s has one value only", o->name);
                set_opt(b, o->id, last->name);
                return;
        }
        case BG_OT_BOOL:
                set_opt(b, o->id, o->def ? "0" : "1");
                return;
        case BG_OT_IFNAME:
                set_opt(b, o->id, "eth1");
                return;
        case BG_OT_MAC:
                set_opt(b, o->id, "02:00:00:00:00:01");
                return;
        case BG_OT_IPV4_LIST:
                set_opt(b, o->id, "10.0.0.1,10.0.0.2");
                return;
        case BG_OT_IPV6_LIST:
                set_opt(b, o->id, "2001:db8::1");
                set_opt(b, o->id, "2001:db8::2");
                return;
        case BG_OT_QUEUE_ID:
                set_opt(b, o->id, "eth0:1");
                set_opt(b, o->id, "eth1:2");
                return;
        }
        cr_assert_fail("option type %d of %s not covered", o->type, o->name);
}

Test(yaml, every_option_round_trips) {
        struct bg_model m;
        struct bg_bond *b;
        char *text;
        size_t n_set = 0;

        bg_model_init(&m);
        b = bg_model_add_bond(&m, "bond0");
        cr_assert(b);
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);

                if (id == BG_OPT_MODE || (o->flags & BG_OF_RUNTIME))
                        continue;
                set_nondefault(b, o);
                n_set++;
        }
        cr_assert_gt(n_set, 30);
        text = dump(&m);
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                char key[80];

                if (id == BG_OPT_MODE || (o->flags & BG_OF_RUNTIME))
                        continue;
                snprintf(key, sizeof(key), "\n    %s: ", o->name);
                cr_expect(strstr(text, key), "%s missing from the dump:\n%s", o->name, text);
        }
        free(text);
        assert_round_trip(&m);
        bg_model_free(&m);
}

Test(yaml, every_mode_round_trips) {
        struct bg_model m;

        bg_model_init(&m);
        for (int mode = 0; mode < BG_MODE__MAX; mode++) {
                char name[16];
                struct bg_bond *b;

                snprintf(name, sizeof(name), "bond%d", mode);
                b = bg_model_add_bond(&m, name);
                cr_assert(b);
                set_opt(b, BG_OPT_MODE, bg_mode_name(mode));
                cr_assert(bg_bond_add_port(b, mode % 2 ? "eth0" : NULL, "52:54:00:00:00:01"));
        }
        assert_round_trip(&m);
        bg_model_free(&m);
}

Test(yaml, every_structure_round_trips) {
        struct bg_model m;
        struct bg_bond *b;

        bg_model_init(&m);
        b = bg_model_add_bond(&m, "bond7");
        cr_assert(b);
        b->backend = BG_BACKEND_USERSPACE;
        b->onboot = false;
        b->mtu = 9000;
        cr_assert_eq(bg_hwaddr_parse("02:00:00:00:00:aa", &b->mac), 0);
        cr_assert(bg_bond_add_port(b, "eth9", NULL));
        cr_assert(bg_bond_add_port(b, NULL, "52:54:00:00:00:02"));
        cr_assert(bg_bond_add_port(b, "eth1", "52:54:00:00:00:03"));
        b->ipv4.method = BG_IP_STATIC;
        /* user order is kept, not sorted */
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.1.0.1/16"), 0);
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv4, "10.0.0.1/24"), 0);
        cr_assert_eq(bg_ipcfg_set_gateway(&b->ipv4, "10.1.0.254"), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "192.168.0.0/16", "10.1.0.253", 50), 0);
        cr_assert_eq(bg_ipcfg_add_route(&b->ipv4, "default", NULL, 0), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv4, "10.1.0.53"), 0);
        cr_assert_eq(bg_ipcfg_add_dns(&b->ipv4, "2001:db8::53"), 0);
        b->ipv6.method = BG_IP_DHCP;
        cr_assert_eq(bg_ipcfg_add_address(&b->ipv6, "2001:db8::7/64"), 0);
        /* an explicitly empty list stays "set" */
        b->opts[BG_OPT_ARP_IP_TARGET].set = true;
        b = bg_model_add_bond(&m, "bond8");
        cr_assert(b);
        assert_round_trip(&m);
        bg_model_free(&m);
}

Test(yaml, defaults_are_left_out) {
        struct bg_model m;
        char *text;

        bg_model_init(&m);
        cr_assert(bg_model_add_bond(&m, "bond0"));
        text = dump(&m);
        cr_assert_str_eq(text, "version: 1\nbonds:\n- name: bond0\n");
        free(text);
        bg_model_free(&m);

        bg_model_init(&m);
        text = dump(&m);
        cr_assert_str_eq(text, "version: 1\n");
        free(text);
        bg_model_free(&m);
}

static void load_ok(const char *text, struct bg_model *m) {
        struct bg_diags d = { 0 };
        int r = bg_yaml_load_data(text, strlen(text), "t.yaml", m, &d);

        if (r)
                print_diags(&d);
        cr_assert_eq(r, 0);
        cr_assert_eq(d.n, 0);
        bg_diags_free(&d);
}

Test(yaml, input_is_normalised) {
        static const char in[] =
                "bonds:\n"
                "  - options: {lacp_rate: 1, use_carrier: \"0\", num_unsol_na: 4, miimon: 100}\n"
                "    mode: 4\n"
                "    ports: [{mac: 52-54-00-AB-CD-EF}, {name: eth1}]\n"
                "    name: bond0\n"
                "    onboot: true\n"
                "    backend: auto\n"
                "    ipv6: {method: none}\n"
                "version: 1\n";
        static const char want[] =
                "version: 1\n"
                "bonds:\n"
                "- name: bond0\n"
                "  mode: 802.3ad\n"
                "  options:\n"
                "    miimon: 100\n"
                "    use_carrier: false\n"
                "    num_grat_arp: 4\n"
                "    lacp_rate: fast\n"
                "  ports:\n"
                "  - mac: \"52:54:00:ab:cd:ef\"\n"
                "  - name: eth1\n";
        struct bg_model m;
        char *text;

        load_ok(in, &m);
        text = dump(&m);
        cr_assert_str_eq(text, want);
        free(text);
        bg_model_free(&m);
}

Test(yaml, locations) {
        static const char in[] =
                "version: 1\n"                        /* 1 */
                "bonds:\n"                            /* 2 */
                "  - name: bond0\n"                   /* 3 */
                "    mode: active-backup\n"           /* 4 */
                "    options:\n"                      /* 5 */
                "      miimon: 100\n"                 /* 6 */
                "    ports:\n"                        /* 7 */
                "      - name: eth0\n"                /* 8 */
                "      - {name: eth1}\n"              /* 9 */
                "    ipv4:\n"                         /* 10 */
                "      method: static\n"              /* 11 */
                "      routes:\n"                     /* 12 */
                "        - to: default\n"             /* 13 */
                "          via: 10.0.0.1\n";          /* 14 */
        struct bg_model m;
        const struct bg_bond *b;

        load_ok(in, &m);
        cr_assert_eq(m.n_bonds, 1);
        b = &m.bonds[0];
        cr_assert_str_eq(b->loc.file, "t.yaml");
        cr_assert_eq(b->loc.line, 3);
        cr_assert_eq(b->loc.col, 5);
        cr_assert_eq(b->opt_loc[BG_OPT_MODE].line, 4);
        cr_assert_eq(b->opt_loc[BG_OPT_MODE].col, 5);
        cr_assert_eq(b->opt_loc[BG_OPT_MIIMON].line, 6);
        cr_assert_eq(b->opt_loc[BG_OPT_MIIMON].col, 7);
        cr_assert_str_eq(b->opt_loc[BG_OPT_MIIMON].file, "t.yaml");
        cr_assert_eq(b->n_ports, 2);
        cr_assert_eq(b->ports[0].loc.line, 8);
        cr_assert_eq(b->ports[0].loc.col, 9);
        cr_assert_eq(b->ports[1].loc.line, 9);
        cr_assert_eq(b->ports[1].loc.col, 9);
        cr_assert_eq(b->ipv4.loc.line, 10);
        cr_assert_eq(b->ipv4.n_routes, 1);
        cr_assert_eq(b->ipv4.routes[0].loc.line, 13);
        cr_assert_eq(b->ipv4.routes[0].loc.col, 11);
        /* the file name is interned in the model, not borrowed */
        cr_assert(b->loc.file != (const char *)in);
        bg_model_free(&m);
}

/* Every canonical file in the tree loads and dumps back byte for byte. */
static size_t check_canonical_dir(const char *dir) {
        struct dirent *de;
        size_t n = 0;
        DIR *d = opendir(dir);

        cr_assert(d, "cannot open %s: %m", dir);
        while ((de = readdir(d))) {
                struct bg_diags diags = { 0 };
                struct bg_model m;
                char path[4096], *data, *out;
                size_t len;

                if (!strstr(de->d_name, ".yaml"))
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                cr_assert_eq(bg_read_file(path, 1 << 20, &data, &len), 0);
                if (bg_yaml_load_data(data, len, path, &m, &diags) != 0)
                        print_diags(&diags);
                cr_assert_eq(diags.n, 0, "%s does not load cleanly", path);
                out = dump(&m);
                cr_expect_str_eq(out, data, "%s is not canonical", path);
                free(out);
                free(data);
                bg_model_free(&m);
                bg_diags_free(&diags);
                n++;
        }
        closedir(d);
        return n;
}

Test(yaml, canonical_files_are_byte_identical) {
        char dir[4096];

        snprintf(dir, sizeof(dir), "%s/examples/models", topdir());
        cr_assert_geq(check_canonical_dir(dir), 3);
        snprintf(dir, sizeof(dir), "%s/good", srcdir());
        cr_assert_geq(check_canonical_dir(dir), 2);
}

Test(yaml, load_dir_merges_in_name_order) {
        char tmpl[] = "/tmp/bgyaml-XXXXXX", path[64];
        struct bg_diags d = { 0 };
        struct bg_model m;
        size_t n = 0;
        FILE *f;

        cr_assert(mkdtemp(tmpl));
        snprintf(path, sizeof(path), "%s/20-b.yaml", tmpl);
        f = fopen(path, "w");
        fputs("version: 1\nbonds:\n- name: bond2\n", f);
        fclose(f);
        snprintf(path, sizeof(path), "%s/10-a.yaml", tmpl);
        f = fopen(path, "w");
        fputs("version: 1\nbonds:\n- name: bond1\n", f);
        fclose(f);
        snprintf(path, sizeof(path), "%s/.hidden.yaml", tmpl);
        f = fopen(path, "w");
        fputs("garbage: [", f);
        fclose(f);
        cr_assert_eq(bg_yaml_load_dir(tmpl, &m, &d, &n), 0);
        cr_assert_eq(n, 2);
        cr_assert_eq(m.n_bonds, 2);
        cr_assert_str_eq(m.bonds[0].name, "bond1");
        cr_assert_str_eq(m.bonds[1].name, "bond2");
        cr_assert(strstr(m.bonds[1].loc.file, "20-b.yaml"));
        bg_model_free(&m);
        snprintf(path, sizeof(path), "%s/10-a.yaml", tmpl);
        unlink(path);
        snprintf(path, sizeof(path), "%s/20-b.yaml", tmpl);
        unlink(path);
        snprintf(path, sizeof(path), "%s/.hidden.yaml", tmpl);
        unlink(path);
        rmdir(tmpl);
        cr_assert_eq(bg_yaml_load_dir(tmpl, &m, &d, &n), -ENOENT);
        bg_model_free(&m);
        bg_diags_free(&d);
}

/* A failed load must explain itself with a position. */
static void assert_clean_result(const char *data, size_t len) {
        struct bg_diags d = { 0 };
        struct bg_model m;
        int r = bg_yaml_load_data(data, len, "f.yaml", &m, &d);

        cr_assert(r == 0 || r == -EINVAL, "unexpected %d", r);
        if (r == -EINVAL) {
                cr_assert_gt(bg_diags_count(&d, BG_DIAG_ERROR), 0);
                for (size_t i = 0; i < d.n; i++) {
                        cr_assert_str_eq(d.v[i].file, "f.yaml");
                        /* the pre-pass catches all libcyaml would reject */
                        cr_assert(strncmp(d.v[i].msg, "libcyaml:", 9),
                                  "pre-pass missed: %s\ninput:\n%.*s", d.v[i].msg, (int)len,
                                  data);
                        cr_assert(d.v[i].line > 0 && d.v[i].col > 0,
                                  "error without a position: %s\ninput:\n%.*s", d.v[i].msg,
                                  (int)len, data);
                }
        } else {
                cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), 0);
        }
        bg_model_free(&m);
        bg_diags_free(&d);
}

Test(yaml, every_truncation_and_mutation_fails_cleanly) {
        char path[4096], *data, *buf;
        static const char junk[] = ":-[]{},&*!|>'\"%@`#? \n\t\\0aZ~";
        unsigned seed = 12345;
        size_t len;

        snprintf(path, sizeof(path), "%s/examples/models/active-backup-arp.yaml", topdir());
        cr_assert_eq(bg_read_file(path, 1 << 20, &data, &len), 0);
        for (size_t i = 0; i <= len; i++)
                assert_clean_result(data, i);
        buf = malloc(len + 1);
        for (int round = 0; round < 3000; round++) {
                memcpy(buf, data, len);
                for (int k = 0; k < 1 + round % 4; k++) {
                        seed = seed * 1103515245u + 12345u;
                        size_t pos = (seed >> 8) % len;
                        seed = seed * 1103515245u + 12345u;
                        buf[pos] = round % 7 == 0 ? (char)(seed >> 16)
                                                  : junk[(seed >> 16) % (sizeof(junk) - 1)];
                }
                assert_clean_result(buf, len);
        }
        free(buf);
        free(data);
}

Test(yaml, hostile_sizes) {
        struct bg_diags d = { 0 };
        struct bg_model m;
        size_t n = 200000;
        char *big = malloc(2 * n + 32);
        int r;

        /* deep nesting is cut off, not recursed into */
        strcpy(big, "version: 1\nbonds: ");
        memset(big + strlen(big), '[', n);
        big[strlen("version: 1\nbonds: ") + n] = 0;
        assert_clean_result(big, strlen(big));
        /* more than BG_YAML_MAX_SIZE */
        free(big);
        big = malloc(BG_YAML_MAX_SIZE + 2);
        memset(big, '#', BG_YAML_MAX_SIZE + 1);
        r = bg_yaml_load_data(big, BG_YAML_MAX_SIZE + 1, "big.yaml", &m, &d);
        cr_assert_eq(r, -EINVAL);
        cr_assert_eq(d.n, 1);
        cr_assert(strstr(d.v[0].msg, "too large"));
        bg_model_free(&m);
        bg_diags_free(&d);
        free(big);
}

/* bondgen.yaml(5) documents every option the options: mapping takes, and
 * its examples are canonical files. */
Test(yaml, man_page_in_sync) {
        char path[4096], *man, *p;
        size_t n_examples = 0;

        snprintf(path, sizeof(path), "%s/man/bondgen.yaml.5", topdir());
        cr_assert_eq(bg_read_file(path, 1 << 20, &man, NULL), 0);
        for (int id = 0; id < BG_OPT__MAX; id++) {
                const struct bg_opt_info *o = bg_opt_get(id);
                char entry[96];

                if (id == BG_OPT_MODE || (o->flags & BG_OF_RUNTIME))
                        continue;
                snprintf(entry, sizeof(entry), "\n.TP\n.B %s\n", o->name);
                cr_expect(strstr(man, entry), "bondgen.yaml(5) does not document %s", o->name);
        }
        for (p = man; (p = strstr(p, "\n.RS\nversion: 1\n")); ) {
                struct bg_diags d = { 0 };
                struct bg_model m;
                char *start = p + strlen("\n.RS\n"), *end = strstr(start, "\n.RE\n"), *text, *out;

                cr_assert(end);
                text = strndup(start, (size_t)(end - start) + 1);
                cr_assert_eq(bg_yaml_load_data(text, strlen(text), "man", &m, &d), 0,
                             "example in bondgen.yaml(5) does not load:\n%s", text);
                out = dump(&m);
                cr_expect_str_eq(out, text, "example in bondgen.yaml(5) is not canonical");
                free(out);
                free(text);
                bg_model_free(&m);
                bg_diags_free(&d);
                n_examples++;
                p = end;
        }
        cr_assert_geq(n_examples, 3);
        free(man);
}

/* dhcp: is shorthand for the sections' methods and is written back as them;
 * VLANs and bridges round-trip with every key. */
Test(yaml, dhcp_shorthand_and_stack_round_trip) {
        static const char in[] =
                "version: 1\n"
                "vlans:\n"
                "- {name: v1, id: 1, link: eth0, dhcp: both, dhcp-hostname: h1}\n"
                "- {name: v2, id: 2, link: eth0, dhcp: ipv6, ipv6: {method: dhcp}}\n"
                "- {name: v3, id: 3, link: eth0, dhcp: 'no'}\n"
                "bridges:\n"
                "- {name: br0, dhcp: ipv4, stp: true, ports: [{name: v3}]}\n";
        struct bg_model m;
        char *text;

        load_ok(in, &m);
        cr_assert_eq(m.n_vlans, 3);
        cr_assert_eq(m.vlans[0].ipv4.method, BG_IP_DHCP);
        cr_assert_eq(m.vlans[0].ipv6.method, BG_IP_DHCP);
        cr_assert_str_eq(m.vlans[0].dhcp_hostname, "h1");
        cr_assert_eq(m.vlans[1].ipv4.method, BG_IP_NONE);
        cr_assert_eq(m.vlans[1].ipv6.method, BG_IP_DHCP);
        cr_assert_eq(m.vlans[2].ipv4.method, BG_IP_NONE);
        cr_assert_eq(m.vlans[2].ipv6.method, BG_IP_NONE);
        cr_assert_eq(m.bridges[0].ipv4.method, BG_IP_DHCP);
        cr_assert_eq(m.bridges[0].stp, BG_STP_ON);
        cr_assert_eq(m.bridges[0].forward_delay, BG_BR_UNSET);
        cr_assert_eq(m.vlans[0].link_loc.line, 3);
        text = dump(&m);
        cr_assert_str_eq(text,
                         "version: 1\n"
                         "vlans:\n"
                         "- name: v1\n  id: 1\n  link: eth0\n  ipv4:\n    method: dhcp\n"
                         "  ipv6:\n    method: dhcp\n  dhcp-hostname: h1\n"
                         "- name: v2\n  id: 2\n  link: eth0\n  ipv6:\n    method: dhcp\n"
                         "- name: v3\n  id: 3\n  link: eth0\n"
                         "bridges:\n"
                         "- name: br0\n  ports:\n  - name: v3\n  stp: true\n  ipv4:\n    method: dhcp\n");
        free(text);
        assert_round_trip(&m);
        bg_model_free(&m);
}
