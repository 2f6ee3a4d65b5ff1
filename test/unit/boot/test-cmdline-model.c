/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bond= and ip= on the kernel command line -> canonical model and YAML. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/cmdline-model.h"
#include "util/util.h"
#include "yaml/yaml.h"

static char *dump(const char *cmdline, int want_r, size_t want_errors) {
        struct bg_model m, back;
        struct bg_diags d = { 0 };
        char *y;
        size_t len;

        bg_model_init(&m);
        cr_assert_eq(bg_boot_cmdline_model(cmdline, &m, &d), want_r, "%s", cmdline);
        cr_assert_eq(bg_diags_count(&d, BG_DIAG_ERROR), want_errors, "%s", cmdline);
        cr_assert_eq(bg_yaml_dump(&m, &y, &len), 0);
        /* What we write is canonical: it loads back to the same model. */
        cr_assert_eq(bg_yaml_load_data(y, len, "dump.yaml", &back, &d), 0, "%s", y);
        cr_assert(bg_model_equal(&m, &back), "%s", y);
        bg_model_free(&back);
        bg_model_free(&m);
        bg_diags_free(&d);
        return y;
}

Test(cmdline_model, lacp_bond_with_static_address) {
        char *y = dump("root=/dev/nfs bond=bond0:eth0,eth1:mode=4,miimon=100,lacp_rate=fast:9000 "
                       "ip=10.10.10.1::10.10.10.254:24:host:bond0:none ip=eth5:dhcp", 0, 0);
        cr_assert_str_eq(y,
                "version: 1\n"
                "bonds:\n"
                "- name: bond0\n"
                "  mode: 802.3ad\n"
                "  options:\n"
                "    miimon: 100\n"
                "    lacp_rate: fast\n"
                "  ports:\n"
                "  - name: eth0\n"
                "  - name: eth1\n"
                "  mtu: 9000\n"
                "  ipv4:\n"
                "    method: static\n"
                "    addresses: [10.10.10.1/24]\n"
                "    gateway: 10.10.10.254\n");
        free(y);
}

Test(cmdline_model, bare_bond_dhcp_and_arp_targets) {
        char *y = dump("bond ip=bond0:dhcp bond=bond1:ens3:mode=active-backup,arp_interval=200,"
                       "arp_ip_target=10.0.0.1;10.0.0.2", 0, 0);
        /* A bare "bond" is dracut's bond0:eth0,eth1:mode=balance-rr. */
        cr_assert(strstr(y, "- name: bond0\n  mode: balance-rr\n  ports:\n  - name: eth0\n  - name: eth1\n"
                            "  ipv4:\n    method: dhcp\n"), "%s", y);
        cr_assert(strstr(y, "    arp_interval: 200\n    arp_ip_target: [10.0.0.1, 10.0.0.2]\n"), "%s", y);
        free(y);
}

Test(cmdline_model, bad_bond_left_out_others_kept) {
        char *y = dump("bond=bond1:eth2:mode=7 bond=bond2:eth3:miimom=100 bond=bond3:eth4", -EINVAL, 2);
        cr_assert_str_eq(y, "version: 1\nbonds:\n- name: bond3\n  ports:\n  - name: eth4\n");
        free(y);
        y = dump("bond=bond3:eth4 ip=1.2.3.4::1.2.3.1:33::bond3:none", -EINVAL, 1);
        free(y);
}

Test(cmdline_model, program_writes_file) {
        char path[] = "/tmp/bg-boot-cmdline-XXXXXX", *cmd, *data = NULL;
        int fd = mkstemp(path), st;
        size_t len;

        cr_assert_geq(fd, 0);
        close(fd);
        cr_assert(asprintf(&cmd, "'%s' --cmdline 'quiet bond=bond0:eth0,eth1:mode=1' -o '%s'",
                           getenv("BG_BOOT_CMDLINE"), path) > 0);
        st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        cr_assert_eq(bg_read_file(path, 1 << 16, &data, &len), 0);
        cr_assert(strstr(data, "mode: active-backup"), "%s", data);
        free(cmd);
        free(data);
        cr_assert(asprintf(&cmd, "'%s' --cmdline 'quiet' -o '%s' 2>/dev/null", getenv("BG_BOOT_CMDLINE"), path) > 0);
        st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "no bond= is not an error");
        free(cmd);
        unlink(path);
}
