/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Regressions found by the fuzzers (test/fuzz/fuzz-boot.c), one test each. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "boot/cmdline-model.h"
#include "yaml/yaml.h"

/* "bond=bo\x9bd0:eth0 bond=bond1:eth1" took the first name although the
 * model allows printable ASCII only: the YAML dump of the whole model then
 * failed (EINVAL) and bondgen-cmdline wrote nothing, losing bond1 too. */
Test(boot_robust, cmdline_bond_name_with_control_byte) {
        struct bg_model m;
        struct bg_diags d = { 0 };
        char *yaml = NULL;
        size_t len;

        bg_model_init(&m);
        cr_assert_eq(bg_boot_cmdline_model("quiet bond=bo\x9b" "d0:eth0 bond=bond1:eth1 bond=bond2:et\x01h2",
                                           &m, &d), -EINVAL);
        cr_assert_eq(m.n_bonds, 2, "bond1, and bond2 without its port");
        cr_assert_str_eq(m.bonds[0].name, "bond1");
        cr_assert_str_eq(m.bonds[1].name, "bond2");
        cr_assert_eq(m.bonds[1].n_ports, 0);
        cr_assert_eq(bg_yaml_dump(&m, &yaml, &len), 0);
        free(yaml);
        bg_model_free(&m);
        bg_diags_free(&d);
}

/* "ip=10.0.0.2::10.010.0.0.1:255.255.255.0:host:bond0:none" put the
 * gateway into the model unchecked; bondgen-cmdline wrote YAML that the
 * loader then refused, so bondgen-apply had no model at all. */
Test(boot_robust, cmdline_ip_with_bad_gateway) {
        struct bg_model m, m2;
        struct bg_diags d = { 0 };
        char *yaml = NULL;
        size_t len;

        bg_model_init(&m);
        cr_assert_eq(bg_boot_cmdline_model("bond ip=10.0.0.2::10.010.0.0.1:255.255.255.0:host:bond0:none "
                                           "ip=[2001:db8::2]::[2001:db8::zz]:64::bond0:none",
                                           &m, &d), -EINVAL);
        cr_assert_eq(m.n_bonds, 1);
        cr_assert(!bg_addr_set(&m.bonds[0].ipv4.gateway));
        cr_assert(!bg_addr_set(&m.bonds[0].ipv6.gateway));
        cr_assert_eq(d.n, 2, "one error per ip=");
        cr_assert(strstr(d.v[0].msg, "bad gateway '10.010.0.0.1'"), "%s", d.v[0].msg);
        cr_assert_eq(bg_yaml_dump(&m, &yaml, &len), 0);
        cr_assert_eq(bg_yaml_load_data(yaml, len, "cmdline.yaml", &m2, &d), 0, "%s", yaml);
        free(yaml);
        bg_model_free(&m2);
        bg_model_free(&m);
        bg_diags_free(&d);
}
