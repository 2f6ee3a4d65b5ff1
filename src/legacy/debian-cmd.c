/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The commands of up/post-up lines that carry bond configuration:
 *   ifenslave [-f] BOND PORT...            ports, in that order
 *   ifenslave -c BOND PORT                 the active port
 *   route add [-net|-host] DEST [netmask M] [gw GW] [metric N] [dev IF]
 *   route add default gw GW
 *   route -A inet6 add DEST/LEN [gw GW] [metric N] [dev IF]
 *   ip [-4|-6] route add|replace DEST [via GW] [dev IF] [metric N] [onlink] [proto P]
 * ifupdown runs them with /bin/sh; one trailing "|| true" (a common guard)
 * is accepted, anything else that needs a shell is left for the caller to
 * report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "debian-cmd.h"
#include "readers-int.h"

void deb_cmd_free(struct deb_cmd *k) {
        for (size_t i = 0; i < k->n_ports; i++)
                free(k->ports[i]);
        free(k->ports);
        free(k->bond);
        *k = (struct deb_cmd) {};
}

static const char *base(const char *s) {
        const char *b = strrchr(s, '/');
        return b ? b + 1 : s;
}

static int ifenslave(char **w, size_t n, struct deb_cmd *k) {
        size_t i = 1;

        k->kind = DEB_CMD_IFENSLAVE;
        for (; i < n && w[i][0] == '-'; i++) {
                if (!strcmp(w[i], "-c") || !strcmp(w[i], "--change-active"))
                        k->change_active = true;
                else if (!strcmp(w[i], "-d") || !strcmp(w[i], "--detach"))
                        k->detach = true;
                else if (strcmp(w[i], "-f") && strcmp(w[i], "--force"))
                        return -EINVAL;
        }
        if (i + 1 >= n)
                return -EINVAL;
        if (!(k->bond = strdup(w[i++])) || !(k->ports = calloc(n - i, sizeof(char *))))
                return -ENOMEM;
        for (; i < n; i++)
                if (!(k->ports[k->n_ports++] = strdup(w[i])))
                        return -ENOMEM;
        return 0;
}

/* DEST and an optional netmask (dotted) -> "a.b.c.d/len"; "default" stays. */
static int dest(const char *d, const char *mask, bool host, int fam, char *out, size_t len) {
        unsigned plen;
        const char *slash = strchr(d, '/');

        if (!strcmp(d, "default") || !strcmp(d, "0.0.0.0/0") || !strcmp(d, "::/0")) {
                snprintf(out, len, "default");
                return 0;
        }
        if (slash && !mask) {
                uint8_t a[16];
                int f;
                if (bg_parse_prefix(d, &f, a, &plen) < 0 || (fam && f != fam))
                        return -EINVAL;
                snprintf(out, len, "%s", d);
                return 0;
        }
        if (slash || !(fam = fam ? fam : lg_addr_family(d)) || lg_addr_family(d) != fam)
                return -EINVAL;
        if (mask) {
                if (fam != AF_INET || bg_netmask_to_prefix(mask, &plen) < 0)
                        return -EINVAL;
        } else
                plen = fam == AF_INET ? 32 : 128;   /* -host, or a bare address */
        (void) host;
        snprintf(out, len, "%s/%u", d, plen);
        return 0;
}

static int route(char **w, size_t n, struct deb_cmd *k) {
        const char *d = NULL, *mask = NULL;
        bool host = false;
        int fam = 0;
        size_t i = 1;

        k->kind = DEB_CMD_ROUTE;
        if (i + 1 < n && !strcmp(w[i], "-A")) {
                if (!strcmp(w[i + 1], "inet6"))
                        fam = AF_INET6;
                else if (!strcmp(w[i + 1], "inet"))
                        fam = AF_INET;
                else
                        return -EINVAL;
                i += 2;
        }
        if (i >= n || strcmp(w[i++], "add"))
                return -EINVAL;
        for (; i < n; i++) {
                if (!strcmp(w[i], "-net"))
                        continue;
                if (!strcmp(w[i], "-host")) {
                        host = true;
                        continue;
                }
                if (i + 1 < n && !strcmp(w[i], "netmask"))
                        mask = w[++i];
                else if (i + 1 < n && (!strcmp(w[i], "gw") || !strcmp(w[i], "gateway")))
                        snprintf(k->via, sizeof(k->via), "%s", w[++i]);
                else if (i + 1 < n && !strcmp(w[i], "metric"))
                        k->metric = (uint32_t) strtoul(w[++i], NULL, 10);
                else if (i + 1 < n && !strcmp(w[i], "dev"))
                        snprintf(k->dev, sizeof(k->dev), "%s", w[++i]);
                else if (!d)
                        d = w[i];
                else if (i + 1 == n)
                        snprintf(k->dev, sizeof(k->dev), "%s", w[i]);  /* route add ... IF */
                else
                        return -EINVAL;
        }
        if (!d || dest(d, mask, host, fam, k->to, sizeof(k->to)) < 0)
                return -EINVAL;
        return 0;
}

static int ip_route(char **w, size_t n, struct deb_cmd *k) {
        size_t i = 1;
        int fam = 0;
        const char *d = NULL;

        k->kind = DEB_CMD_ROUTE;
        for (; i < n && w[i][0] == '-'; i++)
                if (!strcmp(w[i], "-6"))
                        fam = AF_INET6;
                else if (!strcmp(w[i], "-4"))
                        fam = AF_INET;
                else
                        return -EINVAL;
        if (i + 1 >= n || (strcmp(w[i], "route") && strcmp(w[i], "r") && strcmp(w[i], "ro")))
                return -EINVAL;
        i++;
        if (strcmp(w[i], "add") && strcmp(w[i], "replace") && strcmp(w[i], "a"))
                return -EINVAL;
        for (i++; i < n; i++) {
                if (i + 1 < n && !strcmp(w[i], "via"))
                        snprintf(k->via, sizeof(k->via), "%s", w[++i]);
                else if (i + 1 < n && !strcmp(w[i], "dev"))
                        snprintf(k->dev, sizeof(k->dev), "%s", w[++i]);
                else if (i + 1 < n && (!strcmp(w[i], "metric") || !strcmp(w[i], "preference") ||
                                       !strcmp(w[i], "priority")))
                        k->metric = (uint32_t) strtoul(w[++i], NULL, 10);
                else if (i + 1 < n && !strcmp(w[i], "proto"))
                        i++;
                else if (!strcmp(w[i], "onlink"))
                        continue;
                else if (i + 1 < n && !strcmp(w[i], "table")) {
                        k->table = true;
                        i++;
                } else if (!d && strcmp(w[i], "to"))
                        d = w[i];
                else if (strcmp(w[i], "to"))
                        return -EINVAL;
        }
        if (!d || dest(d, NULL, false, fam, k->to, sizeof(k->to)) < 0)
                return -EINVAL;
        return 0;
}

int deb_cmd_parse(const char *text, struct deb_cmd *k) {
        char *s = strdup(text), *w[64];
        size_t n = 0;
        int r = -EINVAL;

        *k = (struct deb_cmd) {};
        if (!s)
                return -ENOMEM;
        for (char *t = strtok(s, " \t"); t && n < 64; t = strtok(NULL, " \t"))
                w[n++] = t;
        if (n >= 2 && !strcmp(w[n - 2], "||") && (!strcmp(w[n - 1], "true") || !strcmp(w[n - 1], ":")))
                n -= 2;
        for (size_t i = 0; i < n; i++)
                if (strpbrk(w[i], ";&|<>$`(){}'\"\\*?"))
                        goto out;
        if (n == 0)
                goto out;
        if (!strcmp(base(w[0]), "ifenslave"))
                r = ifenslave(w, n, k);
        else if (!strcmp(base(w[0]), "route"))
                r = route(w, n, k);
        else if (!strcmp(base(w[0]), "ip"))
                r = ip_route(w, n, k);
out:
        free(s);
        if (r < 0 && r != -ENOMEM) {
                deb_cmd_free(k);
                k->kind = DEB_CMD_OTHER;
                r = 0;
        }
        return r;
}
