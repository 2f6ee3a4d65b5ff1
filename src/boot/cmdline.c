/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel command line: bondgen=off and dracut's bond= syntax
 * (dracut.cmdline(7): bond=<bondname>[:<bondslaves>:[:<options>[:<mtu>]]],
 * slaves and options comma-separated, arp_ip_target values separated by
 * ';' because ',' already separates options; a bare "bond" is
 * bond0:eth0,eth1:mode=balance-rr). systemd-network-generator reads the
 * same syntax (systemd-network-generator(8), dracut.cmdline(7)).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "util/util.h"

int bg_boot_cmdline_next(const char **p, char **key, char **value) {
        const char *s = *p;
        bool quoted = false;
        size_t n = 0, cap;
        char *w;

        *key = *value = NULL;
        while (*s && isspace((unsigned char) *s))
                s++;
        if (!*s) {
                *p = s;
                return 0;
        }
        cap = strlen(s) + 1;
        w = malloc(cap);
        if (!w)
                return -ENOMEM;
        /* The kernel groups a word with double quotes and drops them. */
        for (; *s; s++) {
                if (*s == '"') {
                        quoted = !quoted;
                        continue;
                }
                if (!quoted && isspace((unsigned char) *s))
                        break;
                w[n++] = *s;
        }
        w[n] = 0;
        *p = s;

        char *eq = strchr(w, '=');
        if (eq) {
                *value = strdup(eq + 1);
                if (!*value) {
                        free(w);
                        return -ENOMEM;
                }
                *eq = 0;
        }
        *key = w;
        return 1;
}

bool bg_boot_cmdline_disabled(const char *cmdline) {
        const char *p = cmdline ? cmdline : "";
        bool off = false;
        char *k, *v;

        while (bg_boot_cmdline_next(&p, &k, &v) > 0) {
                if (!strcmp(k, "bondgen")) {
                        /* Bare "bondgen" or any other value: enabled. */
                        off = v && (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no") ||
                                    !strcmp(v, "false"));
                }
                free(k);
                free(v);
        }
        return off;
}

/* Split s at the first c: returns the head (malloc'd), *rest after c or NULL. */
static char *field(const char **rest, char c) {
        const char *s = *rest, *e;
        char *r;

        if (!s)
                return NULL;
        e = strchr(s, c);
        r = e ? strndup(s, (size_t) (e - s)) : strdup(s);
        *rest = e ? e + 1 : NULL;
        return r;
}

static bool ifname_ok(const char *n) {
        size_t l = strlen(n);

        /* IFNAMSIZ-1, no '/', ':' or whitespace, not "." or ".." (the
         * kernel's dev_valid_name()); and printable ASCII only, as model
         * validation requires: the YAML dumper refuses anything else, and
         * one such name made bondgen-cmdline write no model at all. */
        if (l == 0 || l > 15 || !strcmp(n, ".") || !strcmp(n, ".."))
                return false;
        for (; *n; n++)
                if (*n == '/' || *n == ':' || isspace((unsigned char) *n) || !isprint((unsigned char) *n))
                        return false;
        return true;
}

static int parse_bond_word(const char *val, unsigned col, struct bg_boot_set *s,
                           struct bg_diags *diags) {
        static const struct bg_loc loc0 = { "/proc/cmdline", 1, 0 };
        struct bg_loc loc = loc0;
        char *name = NULL, *ports = NULL, *opts = NULL, *mtu = NULL;
        const char *rest = val;
        struct bg_boot_bond *b;
        int r = 0;

        loc.col = col;
        if (!val) {
                name = strdup("bond0");
                ports = strdup("eth0,eth1");
                opts = strdup("mode=balance-rr");
        } else {
                name = field(&rest, ':');
                ports = field(&rest, ':');
                opts = field(&rest, ':');
                mtu = field(&rest, ':');
                if (rest) {
                        bg_diag_add(diags, BG_DIAG_ERROR, &loc, "bond",
                                    "too many ':' fields in 'bond=%s' (bond=<bond>[:<ports>[:<options>[:<mtu>]]])",
                                    val);
                        r = -EINVAL;
                        goto out;
                }
        }
        if (!name || (!val && (!ports || !opts))) {
                r = -ENOMEM;
                goto out;
        }
        if (!ifname_ok(name)) {
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, "bond", "invalid bond name '%s'", name);
                r = -EINVAL;
                goto out;
        }
        if (bg_boot_set_find(s, name)) {
                bg_diag_add(diags, BG_DIAG_ERROR, &loc, "bond",
                            "bond '%s' given twice on the command line; the first one is used",
                            name);
                r = -EINVAL;
                goto out;
        }

        unsigned long m = 0;
        if (mtu && *mtu) {
                char *end;
                errno = 0;
                m = strtoul(mtu, &end, 10);
                if (errno || *end || m < 68 || m > 65535 || !isdigit((unsigned char) *mtu)) {
                        bg_diag_add(diags, BG_DIAG_ERROR, &loc, "bond",
                                    "invalid MTU '%s' for %s (68-65535)", mtu, name);
                        r = -EINVAL;
                        goto out;
                }
        }

        b = bg_boot_set_add(s, name);
        if (!b) {
                r = -ENOMEM;
                goto out;
        }
        b->mtu = (unsigned) m;

        for (const char *p = ports && *ports ? ports : NULL; p;) {
                _cleanup_free_ char *port = field(&p, ',');
                if (!port) {
                        r = -ENOMEM;
                        goto out;
                }
                if (!*port)
                        continue;
                if (!ifname_ok(port)) {
                        bg_diag_add(diags, BG_DIAG_ERROR, &loc, "bond",
                                    "invalid port name '%s' for %s; skipped", port, name);
                        r = -EINVAL;
                        continue;
                }
                if (bg_boot_bond_add_port(b, port, NULL) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        }

        if (opts && *opts) {
                /* Kernel option syntax for the model: pairs separated by
                 * spaces, list values by ','. */
                for (char *c = opts; *c; c++) {
                        if (*c == ',')
                                *c = ' ';
                        else if (*c == ';')
                                *c = ',';
                }
                b->options = opts;
                opts = NULL;
        }
out:
        free(name);
        free(ports);
        free(opts);
        free(mtu);
        return r;
}

int bg_boot_cmdline_bonds(const char *cmdline, struct bg_boot_set *s, struct bg_diags *diags) {
        const char *p = cmdline ? cmdline : "";
        int ret = 0;

        for (;;) {
                const char *start = p;
                char *k, *v;
                int r = bg_boot_cmdline_next(&p, &k, &v);
                if (r <= 0)
                        return r < 0 ? r : ret;
                while (isspace((unsigned char) *start))
                        start++;
                if (!strcmp(k, "bond")) {
                        r = parse_bond_word(v, (unsigned) (start - cmdline) + 1, s, diags);
                        if (r == -ENOMEM) {
                                free(k);
                                free(v);
                                return r;
                        }
                        if (r < 0)
                                ret = r;
                }
                free(k);
                free(v);
        }
}
