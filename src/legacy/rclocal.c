/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rc.local (etc/rc.d/rc.local, then etc/rc.local): only ifenslave lines
 * are read (bonding.rst documents them for distributions without script
 * support, "Configuring Bonding Manually"):
 *   ifenslave [-f|--force] bondN ethX ethY ...   adds ports, in that order
 *   ifenslave -c|--change-active bondN ethX      makes ethX the active port
 *   ifenslave -d|--detach bondN ethX             reported, not converted
 * Every other line is ignored without comment: rc.local is a shell script
 * and anything else in it is not bonding configuration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "legacy-int.h"
#include "util/array.h"

static int add(struct lg_ctx *c, struct rc_enslave **out) {
        if (!(*out = BG_NEW_SLOT(c->rc, c->n_rc)))
                return -ENOMEM;
        c->n_rc++;
        return 0;
}

static int parse_command(struct lg_ctx *c, const char *file, unsigned line, char *s) {
        char *w[64];
        size_t n = 0;
        struct rc_enslave *e;
        bool force = false, change = false, detach = false;
        size_t i;
        int r;

        for (char *tok = strtok(s, " \t\r"); tok && n < 64; tok = strtok(NULL, " \t\r"))
                w[n++] = tok;
        if (n == 0)
                return 0;
        {
                const char *b = strrchr(w[0], '/');
                if (strcmp(b ? b + 1 : w[0], "ifenslave"))
                        return 0;
        }
        for (i = 1; i < n && w[i][0] == '-'; i++) {
                if (!strcmp(w[i], "-f") || !strcmp(w[i], "--force"))
                        force = true;
                else if (!strcmp(w[i], "-c") || !strcmp(w[i], "--change-active"))
                        change = true;
                else if (!strcmp(w[i], "-d") || !strcmp(w[i], "--detach"))
                        detach = true;
        }
        (void)force;  /* -f only skips ifenslave's own checks */
        if ((r = add(c, &e)) < 0)
                return r;
        e->file = file;
        e->line = line;
        e->change_active = change;
        e->detach = detach;
        if (i >= n) {
                lg_diag(c, BG_DIAG_WARNING, file, line, 0, "ifenslave",
                        "ifenslave without a bond name; ignored");
                lg_fate(&e->fate, "ignored: no bond named");
                return 0;
        }
        if (!(e->bond = strdup(w[i++])))
                return -ENOMEM;
        if (i < n && !(e->ports = calloc(n - i, sizeof(char *))))
                return -ENOMEM;
        for (; i < n; i++)
                if (!(e->ports[e->n_ports++] = strdup(w[i])))
                        return -ENOMEM;
        if (detach) {
                lg_diag(c, BG_DIAG_WARNING, file, line, 0, "ifenslave",
                        "'ifenslave -d' (detach) is not converted");
                lg_fate(&e->fate, "ignored: detaching is not configuration (warned)");
        } else if (e->n_ports == 0) {
                lg_diag(c, BG_DIAG_WARNING, file, line, 0, "ifenslave",
                        "ifenslave %s without ports; ignored", e->bond);
                lg_fate(&e->fate, "ignored: no ports named");
        }
        return 0;
}

/* One line: a comment ends it; ';', '&&', '||' and '|' separate commands
 * ("test -x /sbin/ifenslave && ifenslave bond0 eth0 eth1"). */
static int parse_line(struct lg_ctx *c, const char *file, unsigned line, char *s) {
        char *hash = strchr(s, '#');
        char *p = s;
        int r;

        if (hash)
                *hash = 0;
        for (;;) {
                char *q = p + strcspn(p, ";&|");
                bool last = !*q;

                *q = 0;
                if ((r = parse_command(c, file, line, p)) < 0)
                        return r;
                if (last)
                        return 0;
                p = q + 1;
                while (*p == '&' || *p == '|')
                        p++;
        }
}

static int read_one(struct lg_ctx *c, const char *rel) {
        const char *shown;
        char *data, *p;
        size_t len;
        unsigned line = 1;
        int r = lg_read(c, rel, &data, &len, &shown);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        /* A binary rc.local is not a script anything ran; its bytes are not
         * looked at beyond the first NUL. */
        for (p = data; *p; line++) {
                char *eol = strchr(p, '\n');
                if (eol)
                        *eol = 0;
                if ((r = parse_line(c, shown, line, p)) < 0) {
                        free(data);
                        return r;
                }
                if (!eol)
                        break;
                p = eol + 1;
        }
        free(data);
        return 0;
}

int lg_rclocal_read(struct lg_ctx *c) {
        int r = read_one(c, "etc/rc.d/rc.local");

        /* On RHEL etc/rc.local is a symlink to rc.d/rc.local: read it once. */
        if (r >= 0 && !lg_same_file(c, "etc/rc.d/rc.local", "etc/rc.local"))
                r = read_one(c, "etc/rc.local");
        return r;
}

void lg_rclocal_explain(struct lg_ctx *c) {
        for (size_t i = 0; i < c->n_rc; i++)
                if (!c->rc[i].fate)
                        lg_fate(&c->rc[i].fate, "ignored: %s is not a bond bondgen converts",
                                c->rc[i].bond ? c->rc[i].bond : "?");
}

void lg_rclocal_free(struct lg_ctx *c) {
        for (size_t i = 0; i < c->n_rc; i++) {
                struct rc_enslave *e = &c->rc[i];
                for (size_t k = 0; k < e->n_ports; k++)
                        free(e->ports[k]);
                free(e->ports);
                free(e->bond);
                free(e->fate);
        }
        free(c->rc);
        c->rc = NULL;
        c->n_rc = 0;
}
