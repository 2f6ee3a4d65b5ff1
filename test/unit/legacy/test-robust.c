/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad input never crashes the readers: seeded random trees built from
 * fragments of real syntax (quotes, escapes, shell operators, NUL and
 * 0xff bytes, option names, addresses) must give a status of 0, -EINVAL or
 * a system error, and a model that dumps. Run under ASan/UBSan in CI. */
#include "tree.h"
#include "yaml/yaml.h"

static const char *const toks[] = {
        "DEVICE=", "bond0", "bond1", "eth0", "MASTER=", "SLAVE=yes", "BONDING_OPTS=", "\"", "'", "$",
        "$'", "\\", "\n", " ", "\t", "#", ";", "`", "(", ")", "<<", "EOF", "mode=", "7", "4",
        "miimon=100", "arp_ip_target=", "+1.2.3.4", ",", "=", "IPADDR=", "10.0.0.1", "PREFIX=", "33",
        "24", "NETMASK=", "GATEWAY", "0", "IPV6ADDR=", "::1", "/64", "\xff", "\r", "export ",
        "TYPE=Bond", "alias ", "options ", "install ", "bonding", "-o", "ifenslave ", "-c",
        "ADDRESS0=", "via", "default", "dev", "metric", ":1", "MTU=", "%bond0", "DNS1=", "HWADDR=",
        "00:11:22:33:44:55", "\\\n", "$'\\x41", "\\u00e9'", "ifcfg", "IPADDR1=", "GATEWAY0=",
};

static unsigned rnd(unsigned *s) {
        *s = *s * 1103515245u + 12345u;
        return (*s >> 16) & 0x7fff;
}

static char *junk(unsigned *s, unsigned max) {
        size_t n = rnd(s) % max, cap = 16 * max + 1, len = 0;
        char *b = calloc(cap, 1);
        cr_assert_not_null(b);
        for (size_t i = 0; i < n; i++) {
                const char *t = toks[rnd(s) % (sizeof(toks) / sizeof(toks[0]))];
                size_t l = strlen(t);
                if (len + l >= cap)
                        break;
                memcpy(b + len, t, l);
                len += l;
        }
        return b;
}

Test(robust, random_trees, .timeout = 120) {
        static const char *const names[] = {
                IFCFG("bond0"), IFCFG("bond1"), IFCFG("eth0"), IFCFG("eth1"), IFCFG("bond0:1"),
                IFCFG("bond0.5"), "etc/sysconfig/network-scripts/route-bond0",
                "etc/sysconfig/network-scripts/route6-bond0", "etc/modprobe.conf",
                "etc/modprobe.d/x.conf", "etc/rc.d/rc.local", "etc/sysconfig/network",
        };
        enum { N = sizeof(names) / sizeof(names[0]) };

        for (unsigned seed = 1; seed <= 150; seed++) {
                unsigned s = seed;
                char *content[N];
                const char *f[2 * N + 1];
                struct tree t;
                char *y = NULL;
                size_t len;

                for (size_t i = 0; i < N; i++) {
                        content[i] = junk(&s, 60);
                        f[2 * i] = names[i];
                        f[2 * i + 1] = content[i];
                }
                f[2 * N] = NULL;
                tree_read(&t, f);
                cr_expect(t.r == 0 || t.r == -EINVAL, "seed %u: status %d", seed, t.r);
                cr_expect_eq(bg_yaml_dump(&t.m, &y, &len), 0, "seed %u", seed);
                for (size_t i = 0; i < t.e.n; i++)
                        cr_expect(t.e.v[i].fate != NULL, "seed %u: entry without fate", seed);
                free(y);
                tree_free(&t);
                for (size_t i = 0; i < N; i++)
                        free(content[i]);
        }
}
