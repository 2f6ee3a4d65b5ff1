/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VLANs and bridges in the kernel backend: plans (pure, unit-tested like
 * the bonds' in plan.c) and their execution after the bonds, in the order
 * the kernel needs: a VLAN after the link it sits on, a bridge after its
 * ports. The words are the bonds' ("create", "enslave", "mtu", "up",
 * "add address"), so `diff` and `apply --dry-run` read the same.
 *
 * A VLAN on a bondgend bond where the kernel has no 802.1Q is a TAP of
 * bondgend's (bondgend(8) VLANs): made, given a new id and deleted
 * through bondgend's control socket (BG_STEP_FWD_VLAN), its MTU, MAC and
 * addresses planned as for a VLAN device; bg_nl_vlan_supported() is the
 * one test, which bondgend asks too.
 *
 * Which VLANs and bridges `--prune` may delete: only those an apply since
 * boot brought up from the model, remembered in RUNDIR/stack (kind, name,
 * ifindex). A bridge made by libvirt, Docker or the admin is never
 * bondgen's to delete, even though it is a bridge the model does not name.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply-int.h"
#include "util/util.h"
#include "util/array.h"

/* Whether name is a bond, VLAN or bridge of the model: those bring
 * themselves up (their own `onboot`); a NIC under a VLAN or in a bridge
 * is brought up for them. */
static bool model_has(const struct bg_model *m, const char *name) {
        return name && (bg_model_find_bond(m, name) || bg_model_find_vlan(m, name) || bg_model_find_bridge(m, name));
}

static int plan_up_lower(struct bg_plan *p, const struct bg_model *m, const char *upper,
                         const struct bg_nl_link *l, const char *why) {
        if (!l || (l->flags & IFF_UP) || model_has(m, l->name))
                return 0;
        return bg_plan_add(p, BG_STEP_UP, upper, l->name, "up %s (%s)", l->name, why) ? 0 : -ENOMEM;
}

/* MTU, MAC and up, the same for both kinds; cur NULL: being created. */
static int plan_link(struct bg_plan *p, const char *name, const struct bg_nl_link *cur, uint32_t mtu,
                     const struct bg_hwaddr *mac, bool onboot, struct bg_diags *d, const struct bg_loc *loc) {
        struct bg_step *s;
        char from[18], to[18];

        if (mtu && (!cur || cur->mtu != mtu)) {
                s = cur ? bg_plan_add(p, BG_STEP_MTU, name, name, "mtu %u -> %u", cur->mtu, mtu) :
                          bg_plan_add(p, BG_STEP_MTU, name, name, "mtu %u", mtu);
                if (!s)
                        return -ENOMEM;
                s->mtu = mtu;
        }
        if (mac->len && mac->len != 6) {
                bg_diag_add(d, BG_DIAG_ERROR, loc, "mac", "%s: MAC '%s' is not an Ethernet MAC", name,
                            BG_HWADDR_STR(mac));
                return -EINVAL;
        }
        if (mac->len && !(cur && cur->has_mac && memcmp(cur->mac, mac->bytes, 6) == 0)) {
                bg_format_mac(mac->bytes, to);
                s = cur && cur->has_mac && bg_format_mac(cur->mac, from) == 0 ?
                            bg_plan_add(p, BG_STEP_MAC, name, name, "mac %s -> %s", from, to) :
                            bg_plan_add(p, BG_STEP_MAC, name, name, "mac %s", to);
                if (!s)
                        return -ENOMEM;
                memcpy(s->mac, mac->bytes, 6);
        }
        if (onboot && !(cur && (cur->flags & IFF_UP)) && !bg_plan_add(p, BG_STEP_UP, name, name, "up"))
                return -ENOMEM;
        return 0;
}

int bg_plan_vlan(const struct bg_vlan *v, const struct bg_model *m, const struct bg_nl_state *st,
                 bool recreate, struct bg_plan *p, struct bg_diags *d) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, v->name);
        const struct bg_nl_link *parent = v->link ? bg_nl_state_link(st, v->link) : NULL;
        struct bg_step *s;
        int r;

        if (cur && strcmp(cur->kind, "vlan") != 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &v->loc, "name",
                            "%s: an interface with this name exists and is not a VLAN (kind '%s')", v->name,
                            cur->kind[0] ? cur->kind : "none");
                return -EINVAL;
        }
        if (!parent && !model_has(m, v->link)) {
                bg_diag_add(d, BG_DIAG_WARNING, v->link_loc.file ? &v->link_loc : &v->loc, "link",
                            "%s: link %s not present; the VLAN is created when apply runs after it appears",
                            v->name, v->link ? v->link : "");
                return 0;
        }
        /* The kernel cannot change a VLAN's id or lower device
         * (vlan_changelink() takes neither): a new one replaces it. */
        if (cur && (cur->vlan_id != v->id || !parent || cur->link != parent->ifindex || cur->link_other_ns)) {
                const struct bg_nl_link *was = bg_nl_state_link_by_index(st, cur->link);
                char from[64];

                snprintf(from, sizeof(from), "id %u on %s", cur->vlan_id,
                         was && !cur->link_other_ns ? was->name : "another link");
                if (!recreate) {
                        bg_diag_add(d, BG_DIAG_ERROR, &v->loc, "id",
                                    "%s: the running VLAN is %s; the kernel cannot change a VLAN's id or link", v->name,
                                    from);
                        return -EINVAL;
                }
                if (!bg_plan_add(p, BG_STEP_DELETE, v->name, v->name,
                                 "delete (%s; the kernel cannot change a VLAN's id or link)", from))
                        return -ENOMEM;
                cur = NULL;
        }
        if (!cur) {
                s = bg_plan_add(p, BG_STEP_CREATE_VLAN, v->name, v->name, "create VLAN %u on %s", v->id, v->link);
                if (!s)
                        return -ENOMEM;
                snprintf(s->link, sizeof(s->link), "%s", v->link);
                s->vlan_id = v->id;
        }
        r = plan_up_lower(p, m, v->name, parent, "the VLAN's link");
        if (r >= 0)
                r = plan_link(p, v->name, cur, v->mtu, &v->mac, v->onboot, d, &v->loc);
        if (r >= 0)
                r = bg_plan_l3(p, v->name, st, cur, &v->ipv4, &v->ipv6, d);
        return r < 0 ? r : 0;
}

int bg_plan_fwd_vlan(const struct bg_vlan *v, const struct bg_nl_state *st, unsigned running_id,
                     struct bg_plan *p, struct bg_diags *d) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, v->name);
        struct bg_step *s;
        int r;

        if (cur && strcmp(cur->kind, "tun") != 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &v->loc, "name",
                            "%s: an interface with this name exists and is not a VLAN device of bondgend's (kind '%s')",
                            v->name, cur->kind[0] ? cur->kind : "none");
                return -EINVAL;
        }
        if (!cur || running_id != v->id) {
                s = running_id ? bg_plan_add(p, BG_STEP_FWD_VLAN, v->name, v->name,
                                             "VLAN id %u -> %u (bondgend makes its device again)", running_id, v->id) :
                                 bg_plan_add(p, BG_STEP_FWD_VLAN, v->name, v->name,
                                             "create VLAN %u on %s (a device of bondgend's: this kernel has no 802.1Q)",
                                             v->id, v->link);
                if (!s)
                        return -ENOMEM;
                snprintf(s->link, sizeof(s->link), "%s", v->link);
                s->vlan_id = v->id;
                cur = NULL;
        }
        r = plan_link(p, v->name, cur, v->mtu, &v->mac, v->onboot, d, &v->loc);
        if (r >= 0)
                r = bg_plan_l3(p, v->name, st, cur, &v->ipv4, &v->ipv6, d);
        return r < 0 ? r : 0;
}

/* The model's bridge parameters in the kernel's units (clock_t: USER_HZ,
 * hundredths of a second, br_netlink.c). */
static void bridge_want(const struct bg_bridge *br, struct bg_nl_bridge *w) {
        memset(w, 0, sizeof(*w));
        if (br->stp != BG_STP_UNSET)
                w->have_stp = true, w->stp_state = br->stp == BG_STP_ON;
        if (br->forward_delay != BG_BR_UNSET)
                w->have_forward_delay = true, w->forward_delay = (uint32_t) br->forward_delay * 100;
        if (br->hello_time != BG_BR_UNSET)
                w->have_hello_time = true, w->hello_time = (uint32_t) br->hello_time * 100;
        if (br->max_age != BG_BR_UNSET)
                w->have_max_age = true, w->max_age = (uint32_t) br->max_age * 100;
        if (br->priority != BG_BR_UNSET)
                w->have_priority = true, w->priority = (uint16_t) br->priority;
}

static void secs(char *buf, size_t len, uint32_t clock_t_val) {
        if (clock_t_val % 100)
                snprintf(buf, len, "%u.%02us", clock_t_val / 100, clock_t_val % 100);
        else
                snprintf(buf, len, "%us", clock_t_val / 100);
}

/* What differs (all of want when cur is NULL), as "stp off -> on, ..." or
 * "stp=on ..." and the attributes to send. */
static void bridge_diff(const struct bg_nl_bridge *want, const struct bg_nl_link *cur, struct bg_nl_bridge *send,
                        char *text, size_t len) {
        const struct bg_nl_bridge *have = cur ? &cur->br : NULL;
        size_t n = 0;

        memset(send, 0, sizeof(*send));
        text[0] = 0;
#define ITEM(field, flag, show)                                                                                \
        do {                                                                                                   \
                char a[32], b[32];                                                                             \
                if (!want->flag || (have && have->flag && want->field == have->field))                         \
                        break;                                                                                 \
                send->flag = true;                                                                             \
                send->field = want->field;                                                                     \
                show(a, sizeof(a), (uint32_t) want->field);                                                    \
                if (have && have->flag) {                                                                      \
                        show(b, sizeof(b), (uint32_t) have->field);                                            \
                        n += (size_t) snprintf(text + n, n < len ? len - n : 0, "%s%s %s -> %s", n ? ", " : "", \
                                               #field, b, a);                                                  \
                } else                                                                                         \
                        n += (size_t) snprintf(text + n, n < len ? len - n : 0, "%s%s=%s", n ? " " : "",       \
                                               #field, a);                                                     \
        } while (0)
#define NUM(buf, l, v) snprintf(buf, l, "%u", (unsigned) (v))
        /* stp compares on/off only: the kernel reports 2 when a user-space
         * STP daemon (bridge-stp) runs it. */
        if (want->have_stp && !(have && have->have_stp && (have->stp_state != 0) == (want->stp_state != 0))) {
                send->have_stp = true;
                send->stp_state = want->stp_state;
                if (have && have->have_stp)
                        n += (size_t) snprintf(text + n, n < len ? len - n : 0, "stp %s -> %s",
                                               have->stp_state ? "on" : "off", want->stp_state ? "on" : "off");
                else
                        n += (size_t) snprintf(text + n, n < len ? len - n : 0, "stp=%s",
                                               want->stp_state ? "on" : "off");
        }
        ITEM(forward_delay, have_forward_delay, secs);
        ITEM(hello_time, have_hello_time, secs);
        ITEM(max_age, have_max_age, secs);
        ITEM(priority, have_priority, NUM);
#undef ITEM
#undef NUM
}

/* A port the bridge has that the model does not list is released when it
 * is a NIC (no kind) or an interface of the model; anything else (a VM's
 * tap, a container's veth, attached at run time by libvirt or a
 * container runtime) is not bondgen's and stays. */
static bool foreign_port_ours(const struct bg_model *m, const struct bg_nl_link *l) {
        return !l->kind[0] || model_has(m, l->name);
}

int bg_plan_bridge(const struct bg_bridge *br, const struct bg_model *m, const struct bg_nl_state *st,
                   struct bg_plan *p, struct bg_diags *d) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, br->name);
        struct bg_nl_bridge want, send;
        char text[300];
        struct bg_step *s;
        int r = 0, bad = 0;

        if (cur && strcmp(cur->kind, "bridge") != 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &br->loc, "name",
                            "%s: an interface with this name exists and is not a bridge (kind '%s')", br->name,
                            cur->kind[0] ? cur->kind : "none");
                return -EINVAL;
        }
        /* Ports first checked: nothing is planned for a bridge that
         * cannot have them. */
        for (size_t i = 0; i < br->n_ports; i++) {
                const struct bg_port *pt = &br->ports[i];
                const struct bg_nl_link *l = pt->name ? bg_nl_state_link(st, pt->name) : NULL;

                if (!l)
                        continue;
                if (l->master && (!cur || l->master != cur->ifindex)) {
                        const struct bg_nl_link *o = bg_nl_state_link_by_index(st, l->master);
                        bg_diag_add(d, BG_DIAG_ERROR, &pt->loc, "ports", "%s: port %s already belongs to %s; release it first",
                                    br->name, l->name, o ? o->name : "another master");
                        bad = -EINVAL;
                } else if (!strcmp(l->kind, "bridge")) {
                        bg_diag_add(d, BG_DIAG_ERROR, &pt->loc, "ports",
                                    "%s: port %s is a bridge; the kernel refuses a bridge in a bridge", br->name,
                                    l->name);
                        bad = -EINVAL;
                }
        }
        if (bad)
                return bad;
        bridge_want(br, &want);
        bridge_diff(&want, cur, &send, text, sizeof(text));
        if (!cur) {
                s = bg_plan_add(p, BG_STEP_CREATE_BRIDGE, br->name, br->name, "create bridge%s%s%s",
                                text[0] ? " (" : "", text, text[0] ? ")" : "");
                if (!s)
                        return -ENOMEM;
                s->br = send;
        } else if (text[0]) {
                s = bg_plan_add(p, BG_STEP_BRIDGE_OPTIONS, br->name, br->name, "set %s", text);
                if (!s)
                        return -ENOMEM;
                s->br = send;
        }
        for (size_t i = 0; cur && i < st->n_links; i++) {
                const struct bg_nl_link *l = &st->links[i];
                bool listed = false;

                if (l->master != cur->ifindex)
                        continue;
                for (size_t k = 0; k < br->n_ports && !listed; k++)
                        listed = br->ports[k].name && !strcmp(br->ports[k].name, l->name);
                if (!listed && foreign_port_ours(m, l) &&
                    !bg_plan_add(p, BG_STEP_RELEASE, br->name, l->name, "release %s (not in the model)", l->name))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < br->n_ports && r >= 0; i++) {
                const struct bg_port *pt = &br->ports[i];
                const struct bg_nl_link *l = pt->name ? bg_nl_state_link(st, pt->name) : NULL;

                if (!l && !model_has(m, pt->name)) {
                        bg_diag_add(d, BG_DIAG_WARNING, &pt->loc, "ports",
                                    "%s: port %s not present; it joins when apply runs after it appears", br->name,
                                    pt->name ? pt->name : "");
                        continue;
                }
                if (!l || !cur || l->master != cur->ifindex) {
                        s = bg_plan_add(p, BG_STEP_ENSLAVE, br->name, pt->name, "enslave %s", pt->name);
                        if (!s)
                                return -ENOMEM;
                        s->keep_up = true;
                }
                r = plan_up_lower(p, m, br->name, l, "a port of the bridge");
        }
        if (r >= 0)
                r = plan_link(p, br->name, cur, br->mtu, &br->mac, br->onboot, d, &br->loc);
        if (r >= 0)
                r = bg_plan_l3(p, br->name, st, cur, &br->ipv4, &br->ipv6, d);
        return r < 0 ? r : 0;
}

/* ---- execution ---- */

struct owned {
        char kind[8];           /* "vlan" or "bridge" */
        char name[IFNAMSIZ];
        int ifindex;
};

static int owned_path(char *buf, size_t len) {
        return (size_t) snprintf(buf, len, "%s/stack", bg_apply_rundir()) < len ? 0 : -ENAMETOOLONG;
}

/* RUNDIR/stack: one "KIND NAME IFINDEX" line per VLAN or bridge an apply
 * brought up; a missing file is an empty list. */
static int owned_read(struct owned **out, size_t *n) {
        char path[PATH_MAX], *data = NULL, *save = NULL;
        size_t len = 0;
        int r;

        *out = NULL;
        *n = 0;
        if ((r = owned_path(path, sizeof(path))) < 0)
                return r;
        r = bg_read_file(path, 1 << 20, &data, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct owned o = { 0 };
                if (sscanf(line, "%7s %15s %d", o.kind, o.name, &o.ifindex) != 3 ||
                    (strcmp(o.kind, "vlan") && strcmp(o.kind, "bridge")))
                        continue;       /* not ours to guess at: never deleted */
                if (BG_APPEND(*out, *n, o) < 0) {
                        free(data);
                        return -ENOMEM;
                }
        }
        free(data);
        return 0;
}

static bool owned_live(const struct owned *o, const struct bg_nl_state *st) {
        const struct bg_nl_link *l = bg_nl_state_link(st, o->name);
        return l && l->ifindex == o->ifindex && !strcmp(l->kind, o->kind);
}

int bg_stack_owned_each(const struct bg_nl_state *st, int (*fn)(void *ud, const char *name, bool bridge),
                        void *ud) {
        struct owned *v = NULL;
        size_t n = 0;
        int r = owned_read(&v, &n);

        for (size_t i = 0; r >= 0 && i < n; i++)
                if (owned_live(&v[i], st))
                        r = fn(ud, v[i].name, strcmp(v[i].kind, "bridge") == 0);
        free(v);
        return r;
}

/* What the model names and the system has, plus earlier entries that are
 * still there as they were (left by an apply without --prune). */
static int owned_write(const struct bg_model *m, const struct owned *old, size_t n_old, const struct bg_nl_state *st) {
        char path[PATH_MAX], *buf = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        if ((r = owned_path(path, sizeof(path))) < 0)
                return r;
        f = open_memstream(&buf, &len);
        if (!f)
                return -errno;
        for (size_t i = 0; i < m->n_vlans + m->n_bridges; i++) {
                bool vlan = i < m->n_vlans;
                const char *name = vlan ? m->vlans[i].name : m->bridges[i - m->n_vlans].name;
                const struct bg_nl_link *l = bg_nl_state_link(st, name);
                if (l && !strcmp(l->kind, vlan ? "vlan" : "bridge"))
                        fprintf(f, "%s %s %d\n", l->kind, l->name, l->ifindex);
        }
        for (size_t i = 0; i < n_old; i++)
                if (!bg_model_find_vlan(m, old[i].name) && !bg_model_find_bridge(m, old[i].name) &&
                    owned_live(&old[i], st))
                        fprintf(f, "%s %s %d\n", old[i].kind, old[i].name, old[i].ifindex);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        r = bg_mkdir_p(bg_apply_rundir(), 0755);
        if (r >= 0)
                r = bg_write_file_atomic(path, buf, len, 0644, true);
        free(buf);
        return r;
}

/* Plan, show and run one VLAN or bridge; a device this run created and
 * then failed to finish is deleted again. */
/* Is v a VLAN bondgend makes: its link a bond of the model that bondgend
 * runs (or that apply starts in user space), on a kernel without 802.1Q
 * (kernel_vlans false)? */
static bool fwd_vlan(const struct bg_model *m, const struct bg_vlan *v, const struct bg_nl_state *st,
                     bool kernel_vlans) {
        const struct bg_bond *b = v->link ? bg_model_find_bond(m, v->link) : NULL;
        const struct bg_nl_link *l = b ? bg_nl_state_link(st, b->name) : NULL;

        if (kernel_vlans || !b)
                return false;
        /* kind, not is_bond: a dry run lays bondgend's state over the
         * TAP so that it reads as a bond (bg_fwd_state_overlay()) */
        if (l)
                return !strcmp(l->kind, "tun");
        return b->backend == BG_BACKEND_USERSPACE ||
               (b->backend == BG_BACKEND_AUTO && !bg_apply_kernel_has_bonding());
}

/* The id bondgend of bond runs VLAN device name with; 0 when none (or no
 * bondgend answers). */
static unsigned fwd_running_id(const char *bond, const char *name) {
        struct bg_fwd_state fs;
        char why[300];
        unsigned id = 0;

        if (bg_fwd_state_read(bond, &fs, why, sizeof(why)) < 0)
                return 0;
        for (size_t i = 0; i < fs.n_vlans; i++)
                if (!strcmp(fs.vlans[i], name))
                        id = fs.vlan_id[i];
        bg_fwd_state_free(&fs);
        return id;
}

static int run_one(struct bg_nl *nl, const struct bg_model *m, const struct bg_vlan *v, const struct bg_bridge *br,
                   const struct bg_nl_state *st, bool fwd, const struct bg_apply_opts *o, struct bg_diags *d) {
        const enum bg_backend be = fwd ? BG_BACKEND_USERSPACE : BG_BACKEND_KERNEL;
        struct bg_bond item = { .name = v ? v->name : br->name, .loc = v ? v->loc : br->loc, .backend = be };
        bool existed = bg_nl_state_link(st, item.name) != NULL;
        struct bg_plan plan = { .kind = v ? "vlan" : "bridge" };
        int r;

        if (fwd)
                r = bg_plan_fwd_vlan(v, st, fwd_running_id(v->link, v->name), &plan, d);
        else
                r = v ? bg_plan_vlan(v, m, st, true, &plan, d) : bg_plan_bridge(br, m, st, &plan, d);
        if (r < 0) {
                bg_plan_free(&plan);
                return r;
        }
        if (o->on_plan)
                o->on_plan(o->plan_userdata, &item, be, &plan);
        if (plan.n_steps == 0)
                bg_apply_say(o, "%s: nothing to do", item.name);
        if (o->dry_run || !nl) {
                for (size_t i = 0; i < plan.n_steps; i++)
                        bg_apply_say(o, "%s: %s", item.name, plan.steps[i].desc);
        } else if (plan.n_steps) {
                r = bg_plan_execute_on(nl, &plan, &item, false, o->report, o->userdata, d);
                if (r < 0) {
                        struct bg_nl_link now;
                        bg_apply_say(o, "%s: failed", item.name);
                        if (!existed && bg_nl_get_link(nl, 0, item.name, &now) >= 0) {
                                static char buf[BG_NL_BUFSIZE];
                                struct nlmsghdr *req;
                                bg_apply_say(o, "%s: restore: delete it (it did not exist)", item.name);
                                if (bg_nl_msg_dellink(buf, 0, now.ifindex, &req) >= 0)
                                        (void) bg_nl_call(nl, req, NULL);
                                bg_nl_link_clear(&now);
                        } else if (existed)
                                bg_apply_say(o, "%s: the steps above that ran are kept (a VLAN's or bridge's earlier "
                                       "state is not restored)", item.name);
                        r = r == -ENOMEM ? r : -EIO;
                }
        }
        bg_plan_free(&plan);
        return r;
}

/* A VLAN or bridge is ready when what it stacks on that the model makes
 * (a VLAN or bridge under it) has had its turn. Bonds were applied before. */
static bool ready(const struct bg_model *m, size_t i, const bool *done) {
        const char *dep[1] = { NULL };

        if (i < m->n_vlans) {
                dep[0] = m->vlans[i].link;
                const struct bg_vlan *x = bg_model_find_vlan(m, dep[0] ? dep[0] : "");
                const struct bg_bridge *y = bg_model_find_bridge(m, dep[0] ? dep[0] : "");
                return (!x || done[x - m->vlans]) && (!y || done[m->n_vlans + (size_t) (y - m->bridges)]);
        }
        const struct bg_bridge *br = &m->bridges[i - m->n_vlans];
        for (size_t k = 0; k < br->n_ports; k++) {
                const struct bg_vlan *x = br->ports[k].name ? bg_model_find_vlan(m, br->ports[k].name) : NULL;
                if (x && !done[x - m->vlans])
                        return false;
        }
        return true;
}

static bool has_ready(const struct bg_model *m, const bool *done, size_t from, size_t n) {
        for (size_t k = from; k < n; k++)
                if (!done[k] && ready(m, k, done))
                        return true;
        return false;
}

static int prune_stack(struct bg_nl *nl, const struct bg_model *m, const struct owned *old, size_t n_old,
                       const struct bg_nl_state *st, const struct bg_apply_opts *o, struct bg_diags *d) {
        int ret = 0;

        for (size_t i = 0; i < n_old; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(st, old[i].name);
                struct bg_bond gone = { .name = (char *) old[i].name, .backend = BG_BACKEND_KERNEL };
                struct bg_plan plan = { .kind = old[i].kind };
                int r = 0;

                if (bg_model_find_vlan(m, old[i].name) || bg_model_find_bridge(m, old[i].name) ||
                    bg_model_find_bond(m, old[i].name) || !owned_live(&old[i], st))
                        continue;
                if (!bg_plan_add(&plan, BG_STEP_DELETE, l->name, l->name, "delete (not in the model, --prune)"))
                        return -ENOMEM;
                if (o->on_plan)
                        o->on_plan(o->plan_userdata, &gone, BG_BACKEND_KERNEL, &plan);
                if (o->dry_run || !nl)
                        bg_apply_say(o, "%s: %s", l->name, plan.steps[0].desc);
                else
                        r = bg_plan_execute_on(nl, &plan, &gone, false, o->report, o->userdata, d);
                bg_plan_free(&plan);
                if (r < 0)
                        ret = -EIO;
        }
        return ret;
}

/* bondgend's VLAN devices the model does not name (or names on another
 * link): deleted with --prune, as VLAN devices apply brought up are; kept
 * otherwise. */
static int prune_fwd_vlans(struct bg_nl *nl, const struct bg_model *m, const struct bg_nl_state *st,
                           const struct bg_apply_opts *o, struct bg_diags *d) {
        int ret = 0;

        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_nl_link *l = bg_nl_state_link(st, m->bonds[i].name);
                struct bg_fwd_state fs;
                char why[300];

                if (!l || strcmp(l->kind, "tun") ||
                    bg_fwd_state_read(m->bonds[i].name, &fs, why, sizeof(why)) < 0)
                        continue;
                for (size_t k = 0; k < fs.n_vlans; k++) {
                        const struct bg_vlan *v = bg_model_find_vlan(m, fs.vlans[k]);
                        struct bg_bond gone = { .name = fs.vlans[k], .backend = BG_BACKEND_USERSPACE };
                        struct bg_plan plan = { .kind = "vlan" };
                        struct bg_step *s;
                        int r = 0;

                        if (!o->prune || (v && v->link && !strcmp(v->link, fs.name)))
                                continue;
                        s = bg_plan_add(&plan, BG_STEP_FWD_VLAN, fs.vlans[k], fs.vlans[k],
                                        "delete (not in the model, --prune)");
                        if (!s) {
                                bg_fwd_state_free(&fs);
                                return -ENOMEM;
                        }
                        snprintf(s->link, sizeof(s->link), "%s", fs.name);
                        if (o->on_plan)
                                o->on_plan(o->plan_userdata, &gone, BG_BACKEND_USERSPACE, &plan);
                        if (o->dry_run || !nl)
                                bg_apply_say(o, "%s: %s", fs.vlans[k], s->desc);
                        else
                                r = bg_plan_execute_on(nl, &plan, &gone, false, o->report, o->userdata, d);
                        bg_plan_free(&plan);
                        if (r < 0)
                                ret = -EIO;
                }
                bg_fwd_state_free(&fs);
        }
        return ret;
}

int bg_apply_stack(struct bg_nl *nl, const struct bg_model *m, struct bg_nl_state *st, const struct bg_apply_opts *o,
                   struct bg_diags *d) {
        size_t n = m->n_vlans + m->n_bridges, left = n;
        struct owned *old = NULL;
        size_t n_old = 0;
        bool *done = calloc(n + 1, sizeof(*done)), refused = false, failed = false, kernel_vlans;
        int r;

        if (!done)
                return -ENOMEM;
        /* one question, asked as bondgend asks it (bondgend(8) VLANs) */
        kernel_vlans = !nl || bg_nl_vlan_supported(nl) != 0;
        r = owned_read(&old, &n_old);
        if (r < 0)
                bg_diag_add(d, BG_DIAG_WARNING, NULL, NULL,
                            "cannot read which VLANs and bridges earlier applies brought up (%s/stack): %s; "
                            "--prune leaves them all", bg_apply_rundir(), strerror(-r));
        while (left) {
                bool progress = false;

                /* in passes: each takes those whose lower devices had
                 * their turn; a pass without one (a loop, which
                 * validation reports) takes the first left */
                for (size_t i = 0; i < n; i++) {
                        if (done[i] || (!ready(m, i, done) && (progress || has_ready(m, done, i + 1, n))))
                                continue;
                        r = i < m->n_vlans ? run_one(nl, m, &m->vlans[i], NULL, st,
                                                     fwd_vlan(m, &m->vlans[i], st, kernel_vlans), o, d) :
                                             run_one(nl, m, NULL, &m->bridges[i - m->n_vlans], st, false, o, d);
                        if (r == -EINVAL)
                                refused = true;
                        else if (r < 0)
                                failed = true;
                        done[i] = true;
                        left--;
                        progress = true;
                        /* later ones see what this one made */
                        if (!o->dry_run && nl) {
                                if (bg_nl_reread_state(nl, st) < 0) {
                                        free(done);
                                        free(old);
                                        return -EIO;
                                }
                        }
                }
        }
        if (o->prune && prune_stack(nl, m, old, n_old, st, o, d) < 0)
                failed = true;
        if (!kernel_vlans && prune_fwd_vlans(nl, m, st, o, d) < 0)
                failed = true;
        if (!o->dry_run && nl) {
                r = bg_nl_reread_state(nl, st);
                if (r >= 0)
                        r = owned_write(m, old, n_old, st);
                if (r < 0)
                        bg_diag_add(d, BG_DIAG_WARNING, NULL, NULL,
                                    "cannot record the VLANs and bridges apply brought up (%s/stack): %s; "
                                    "--prune will not delete them", bg_apply_rundir(), strerror(-r));
        }
        free(done);
        free(old);
        return failed ? -EIO : refused ? -EINVAL : 0;
}
