/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bond object shared by the logic and the I/O layer: ports in enslave
 * order, mode state, and the thin wrappers modes call for I/O. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fwd/logic/fwd.h"

struct bg_fwd_port *bg_fwd_find_port(struct bg_fwd *b, const char *name) {
        for (size_t i = 0; i < b->n_ports; i++)
                if (!strcmp(b->ports[i]->name, name))
                        return b->ports[i];
        return NULL;
}

struct bg_fwd_port *bg_fwd_find_port_ifindex(struct bg_fwd *b, int ifindex) {
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i]->ifindex == ifindex)
                        return b->ports[i];
        return NULL;
}

int bg_fwd_prio_request(const char *arg, char name[16], int32_t *prio) {
        const char *sp = strchr(arg, ' ');
        size_t n = sp ? (size_t) (sp - arg) : 0;

        if (!n || n >= 16 || memchr(arg, '/', n) || bg_port_prio_parse(sp + 1, prio) < 0)
                return -EINVAL;
        memcpy(name, arg, n);
        name[n] = 0;
        return 0;
}

int bg_fwd_port_new(struct bg_fwd *b, const char *name, struct bg_fwd_port **out) {
        struct bg_fwd_port *p;

        if (strlen(name) >= sizeof(p->name))
                return -EINVAL;
        if (b->n_ports >= BG_FWD_MAX_PORTS)
                return -E2BIG;
        if (bg_fwd_find_port(b, name))
                return -EEXIST;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        if (b->ops->port_priv_size) {
                p->mode_priv = calloc(1, b->ops->port_priv_size);
                if (!p->mode_priv) {
                        free(p);
                        return -ENOMEM;
                }
        }
        strcpy(p->name, name);
        p->fd = -1;
        p->link = BG_LINK_DOWN;
        p->duplex = 0xff;
        b->ports[b->n_ports++] = p;
        *out = p;
        return 0;
}

void bg_fwd_port_free(struct bg_fwd *b, struct bg_fwd_port *p) {
        size_t k = 0;

        if (!p)
                return;
        if (b->ops->port_removed)
                b->ops->port_removed(b, p);
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i] != p)
                        b->ports[k++] = b->ports[i];
        b->n_ports = k;
        if (b->active == p)
                b->active = NULL;
        free(p->mode_priv);
        free(p);
}

int bg_fwd_mode_setup(struct bg_fwd *b) {
        if (b->ops->priv_size) {
                b->mode_priv = calloc(1, b->ops->priv_size);
                if (!b->mode_priv)
                        return -ENOMEM;
        }
        if (b->ops->init) {
                int r = b->ops->init(b);
                if (r < 0) {
                        free(b->mode_priv);
                        b->mode_priv = NULL;
                        return r;
                }
        }
        return 0;
}

void bg_fwd_mode_teardown(struct bg_fwd *b) {
        if (b->ops && b->ops->done)
                b->ops->done(b);
        free(b->mode_priv);
        b->mode_priv = NULL;
}

void bg_fwd_logf(struct bg_fwd *b, int level, const char *fmt, ...) {
        char buf[512];
        va_list ap;

        if (!b->io || !b->io->log)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        b->io->log(b, level, buf);
}

int bg_fwd_port_send(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr) {
        if (!b->io || !b->io->send)
                return -ENOSYS;
        return b->io->send(b, p, fr);
}

int bg_fwd_port_set_mac(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t mac[6]) {
        int r = 0;

        if (!memcmp(p->mac, mac, 6))
                return 0;
        if (b->io && b->io->set_port_mac)
                r = b->io->set_port_mac(b, p, mac);
        if (r >= 0)
                memcpy(p->mac, mac, 6);
        return r;
}

int bg_fwd_set_bond_mac(struct bg_fwd *b, const uint8_t mac[6]) {
        int r = 0;

        if (!memcmp(b->mac, mac, 6))
                return 0;
        if (b->io && b->io->set_bond_mac)
                r = b->io->set_bond_mac(b, mac);
        if (r >= 0)
                memcpy(b->mac, mac, 6);
        return r;
}
