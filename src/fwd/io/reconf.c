/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A running bond changed in place, for `bondgen apply` (the control
 * socket's `state`, `check` and `set`): bondgend keeps its device, its
 * addresses and whatever is stacked on it, as the kernel keeps a bond
 * whose options are written over netlink.
 *
 * Options the monitors and the selection read afresh (miimon, delays, the
 * ARP monitor's, primary, the transmit hash, min_links, ...) take effect
 * at once. The others (mode, fail_over_mac, the LACP and TLB/ALB ones)
 * are read when a mode starts; the kernel takes them only from a bond
 * that is down or has no ports (BOND_OPTFLAG_IFDOWN/NOSLAVES), here the
 * mode is rebuilt: its ports are released and enslaved again in their
 * order, so the bond keeps its MAC and the first port's role.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fwd/io/core-int.h"
#include "util/util.h"

static void free_bond(struct bg_bond *b) {
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&b->opts[i]);
        for (size_t i = 0; i < b->n_ports; i++)
                free(b->ports[i].name);
        free(b->ports);
        memset(b, 0, sizeof(*b));
}

int bg_core_state_render(struct bg_core *c, char **out) {
        struct bg_fwd *b = &c->bond;
        struct bg_bond cur = { .name = b->name };
        size_t len = 0;
        FILE *f;
        int r;

        *out = NULL;
        r = bg_fwd_params_to_bond(&b->p, &cur);
        if (r < 0) {
                free_bond(&cur);
                return r;
        }
        f = open_memstream(out, &len);
        if (!f) {
                free_bond(&cur);
                return -ENOMEM;
        }
        fprintf(f, "bond %s\n", b->name);
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                char v[512];
                if (!cur.opts[i].set || bg_opt_format_value(bg_opt_get(i), &cur.opts[i], v, sizeof(v)) < 0)
                        continue;
                fprintf(f, "option %s %s\n", bg_opt_get(i)->name, v);
        }
        for (size_t i = 0; i < b->n_ports; i++)
                fprintf(f, "port %s %d %d\n", b->ports[i]->name, (int) b->ports[i]->link, (int) b->ports[i]->prio);
        for (size_t i = 0; i < b->n_pending; i++)
                fprintf(f, "pending %s\n", b->pending[i]);
        if (b->ops->uses_active && b->active)
                fprintf(f, "active %s\n", b->active->name);
        for (size_t i = 0; i < b->n_vlans; i++)
                fprintf(f, "vlan %s %u\n", b->vlans[i]->name, b->vlans[i]->id);
        fputs("end\n", f);
        free_bond(&cur);
        if (fclose(f) != 0) {
                free(*out);
                *out = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* "name=value name=value": kernel names only (no alias, no module
 * parameter, nothing per port or runtime-only), each once; a value
 * replaces the option's whole value ("arp_ip_target=" clears the list). */
static int parse_request(struct bg_bond *nb, char *args, bool given[BG_OPT__MAX], char *err, size_t errlen) {
        char *save = NULL;
        bool any = false;

        for (char *tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
                char *eq = strchr(tok, '='), e[256];
                const struct bg_opt_info *o;

                if (!eq) {
                        snprintf(err, errlen, "'%.40s': expected name=value", tok);
                        return -EINVAL;
                }
                *eq = 0;
                o = bg_opt_lookup(tok);
                if (!o || strcmp(o->name, tok) ||
                    (o->flags & (BG_OF_MODULE_ONLY | BG_OF_RUNTIME | BG_OF_PER_PORT))) {
                        snprintf(err, errlen, "'%.40s' is not a bond option bondgend takes here", tok);
                        return -EINVAL;
                }
                if (given[o->id]) {
                        snprintf(err, errlen, "%s given twice", o->name);
                        return -EINVAL;
                }
                given[o->id] = true;
                any = true;
                bg_optval_clear(&nb->opts[o->id]);
                if (!eq[1] && (o->type == BG_OT_IFNAME || o->type == BG_OT_IPV4_LIST ||
                               o->type == BG_OT_IPV6_LIST || o->type == BG_OT_MAC))
                        continue;   /* none */
                if (bg_opt_parse_value(o, eq + 1, &nb->opts[o->id], e, sizeof(e)) < 0) {
                        snprintf(err, errlen, "%s", e);
                        return -EINVAL;
                }
                nb->opts[o->id].set = true;
        }
        if (!any) {
                snprintf(err, errlen, "no option given");
                return -EINVAL;
        }
        return 0;
}

/* Rebuild the mode with new parameters: ports out (given back as they
 * were found), the mode's state rebuilt, the ports in again in order. */
static int rebuild(struct bg_core *c, const struct bg_fwd_params *np) {
        struct bg_fwd *b = &c->bond;
        char names[BG_FWD_MAX_PORTS][16];
        size_t n = b->n_ports;
        int r;

        for (size_t i = 0; i < n; i++)
                snprintf(names[i], sizeof(names[i]), "%s", b->ports[i]->name);
        for (size_t i = n; i-- > 0;)
                (void) bg_core_release(c, names[i]);
        bg_core_stop_timers(c);
        bg_fwd_mode_teardown(b);
        b->p = *np;
        b->ops = bg_fwd_mode_find(np->mode);
        b->active = NULL;
        r = bg_fwd_mode_setup(b);
        if (r < 0)
                return r;
        r = bg_core_start_timers(c);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                int e = bg_core_enslave(c, names[i], true);
                if (e < 0)
                        bg_core_log(c, LOG_ERR, "cannot enslave %s again: %s", names[i], strerror(-e));
        }
        return 0;
}

int bg_core_set_options(struct bg_core *c, char *args, bool apply, char *err, size_t errlen) {
        struct bg_fwd *b = &c->bond;
        struct bg_bond nb = { .name = b->name };
        struct bg_fwd_params np;
        bool given[BG_OPT__MAX] = { false };
        char why[256] = "";
        int r;

        err[0] = 0;
        r = bg_fwd_params_to_bond(&b->p, &nb);
        if (r >= 0)
                r = parse_request(&nb, args, given, err, errlen);
        if (r >= 0 && bg_fwd_params_from_bond(&nb, &np, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "%s", why);
                r = -EINVAL;
        }
        if (r >= 0 && !bg_fwd_mode_find(np.mode)) {
                snprintf(err, errlen, "mode %s is not supported by this build of bondgend", bg_mode_name(np.mode));
                r = -EINVAL;
        }
        free_bond(&nb);
        if (r < 0 || !apply)
                return r;
        if (!memcmp(&np, &b->p, sizeof(np)))
                return 0;
        b->now = bg_dp_now_usec();
        if (bg_fwd_params_live_only(&b->p, &np)) {
                bool new_primary = strcmp(np.primary, b->p.primary) != 0;
                bool retime = np.miimon != b->p.miimon || np.arp_interval != b->p.arp_interval;

                bool all_active_changed = np.all_slaves_active != b->p.all_slaves_active;

                if (retime)
                        bg_core_stop_timers(c);
                b->p = np;
                if (all_active_changed)
                        bg_fwd_set_all_slaves_active(b, np.all_slaves_active);
                if (retime && (r = bg_core_start_timers(c)) < 0) {
                        snprintf(err, errlen, "cannot restart the monitor timers: %s", strerror(-r));
                        return r;
                }
                /* bond_option_primary_set(): the new primary is chosen at once */
                if (b->ops->uses_active && new_primary) {
                        b->force_primary = np.primary[0] != 0;
                        bg_fwd_reselect(b);
                }
                bg_fwd_update_carrier(b);
                bg_core_log(c, LOG_INFO, "options changed in place");
        } else {
                const char *old = b->ops->name;
                r = rebuild(c, &np);
                if (r < 0) {
                        snprintf(err, errlen, "cannot rebuild the mode: %s", strerror(-r));
                        return r;
                }
                bg_core_log(c, LOG_INFO, "mode %s rebuilt as %s with new options; %zu port(s) enslaved again", old,
                            b->ops->name, b->n_ports);
        }
        /* what an inactive port must still take depends on the mode, the
         * monitor, arp_validate and the targets */
        bg_core_rx_filter_all(c);
        return 0;
}
