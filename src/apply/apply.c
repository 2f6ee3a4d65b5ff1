/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Executing plans over netlink, the backend choice, and starting the
 * user-space forwarder (bondgen(8) apply --backend). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply-int.h"
#include "config.h"
#include "util/util.h"
#include "util/array.h"

void bg_apply_say(const struct bg_apply_opts *o, const char *fmt, ...) {
        char line[1024];
        va_list ap;

        if (!o->report)
                return;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        o->report(o->userdata, line);
}

static int ifindex_of(const char *name) {
        unsigned i = if_nametoindex(name);
        return i ? (int) i : -ENODEV;
}

/* "bond0: enslave eth0: Device or resource busy (kernel: ...; hint)". */
static void step_error(struct bg_diags *d, const struct bg_bond *b, const struct bg_step *s,
                       const struct nlmsghdr *req, const struct bg_nl_error *e, int r) {
        char what[600];
        const char *hint = bg_nl_errno_hint(r, s->kind == BG_STEP_CREATE);
        int opt = -1;

        if (req && e && e->offset >= 0)
                opt = bg_nl_bond_opt_at(req, (uint32_t) e->offset);
        if (opt >= 0) {
                const struct bg_opt_info *o = bg_opt_get(opt);
                char v[128] = "";
                bg_opt_format_value(o, &s->opts.val[opt], v, sizeof(v));
                snprintf(what, sizeof(what), "%s: option %s=%s", s->desc, o->name, v);
        } else
                snprintf(what, sizeof(what), "%s", s->desc);
        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: %s: %s%s%s%s%s%s", b->name, what, strerror(-r),
                    (e && e->msg[0]) || hint ? " (" : "",
                    e && e->msg[0] ? "kernel: " : "", e && e->msg[0] ? e->msg : "",
                    e && e->msg[0] && hint ? "; " : "", hint ? hint : "");
        if ((e && e->msg[0]) || hint)
                strcat(d->v[d->n - 1].msg, ")");
}

/* The address a plan adds before it removes the old one (no moment
 * without an address) is, in the same subnet, a secondary of it; the
 * kernel deletes the secondaries with their primary unless the link has
 * promote_secondaries (ip-sysctl.rst; __inet_del_ifa()), and with the last
 * address of the link its routes (fib_del_ifaddr()). systemd-networkd sets
 * it on every link it manages for the same reason. Best effort: without
 * it the old behaviour stays. */
static void promote_secondaries(const char *ifname) {
        char path[96];
        int fd;

        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/promote_secondaries", ifname);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        (void) !write(fd, "1", 1);
        close(fd);
}

static int run_step(struct bg_nl *nl, const struct bg_step *s, void *buf, struct nlmsghdr **req,
                    struct bg_nl_error *e, char *err, size_t errlen) {
        struct bg_nl_linkset ls;
        int r, bond = 0, link = 0;

        *req = NULL;
        if (s->kind != BG_STEP_CREATE && s->kind != BG_STEP_CREATE_VLAN && s->kind != BG_STEP_CREATE_BRIDGE) {
                bond = ifindex_of(s->bond);
                link = ifindex_of(s->ifname);
                if (bond < 0)
                        return bond;
                if (link < 0)
                        return link;
        }
        bg_nl_linkset_init(&ls);
        switch (s->kind) {
        case BG_STEP_CREATE:
        case BG_STEP_OPTIONS: {
                struct bg_nl_bond_opts o;
                memcpy(&o, &s->opts, sizeof(o));
                /* primary (and active_slave) go by ifindex; keep the name out
                 * of the copy so nothing is freed twice. */
                for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                        const struct bg_opt_info *oi = bg_opt_get(i);
                        if (!o.have[i] || oi->nla != BG_NLA_IFINDEX)
                                continue;
                        o.val[i] = (struct bg_optval){ .set = true };
                        if (s->opts.val[i].str && s->opts.val[i].str[0]) {
                                int idx = ifindex_of(s->opts.val[i].str);
                                if (idx < 0) {
                                        snprintf(err, errlen, "%s: no interface %s", oi->name,
                                                 s->opts.val[i].str);
                                        return idx;
                                }
                                o.val[i].num = (uint64_t) idx;
                        }
                }
                r = bg_nl_msg_bond(buf, 0, s->kind == BG_STEP_CREATE, s->kind == BG_STEP_CREATE ? s->bond : NULL,
                                   bond, &o, req, err, errlen);
                break;
        }
        case BG_STEP_CREATE_VLAN:
                link = ifindex_of(s->link);
                if (link < 0) {
                        snprintf(err, errlen, "no interface %s to put the VLAN on", s->link);
                        return link;
                }
                r = bg_nl_msg_vlan(buf, 0, s->bond, link, s->vlan_id, req);
                break;
        case BG_STEP_BRIDGE_OPTIONS:
                /* br_changelink() sets IFLA_BR_FORWARD_DELAY before
                 * IFLA_BR_STP_STATE, and br_set_forward_delay() refuses a
                 * delay under 2 s while STP runs (ERANGE): STP turned off
                 * goes in a message of its own first. */
                if (s->br.have_stp && !s->br.stp_state &&
                    (s->br.have_forward_delay || s->br.have_hello_time || s->br.have_max_age ||
                     s->br.have_priority)) {
                        struct bg_nl_bridge off = { .have_stp = true }, rest = s->br;

                        r = bg_nl_msg_bridge(buf, 0, false, s->bond, link, &off, req);
                        if (r >= 0)
                                r = bg_nl_call(nl, *req, e);
                        if (r < 0)
                                return r;
                        rest.have_stp = false;
                        r = bg_nl_msg_bridge(buf, 0, false, s->bond, link, &rest, req);
                        break;
                }
                /* fall through */
        case BG_STEP_CREATE_BRIDGE:
                r = bg_nl_msg_bridge(buf, 0, s->kind == BG_STEP_CREATE_BRIDGE, s->bond, link, &s->br, req);
                break;
        case BG_STEP_DOWN:
        case BG_STEP_UP:
                ls.up = s->kind == BG_STEP_UP;
                r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                break;
        case BG_STEP_RELEASE:
                ls.master = 0;
                r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                break;
        case BG_STEP_ENSLAVE:
                if (s->keep_up) {       /* a bridge takes its ports as they are */
                        ls.master = bond;
                        r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                        break;
                }
                /* The kernel refuses to enslave a port that is up. */
                ls.up = 0;
                r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                if (r >= 0)
                        r = bg_nl_call(nl, *req, e);
                if (r < 0)
                        return r;
                bg_nl_linkset_init(&ls);
                ls.master = bond;
                r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                break;
        case BG_STEP_QUEUE_ID:
                r = bg_nl_msg_slave_queue_id(buf, 0, link, s->queue_id, req);
                break;
        case BG_STEP_PRIO:
                r = bg_nl_msg_slave_prio(buf, 0, link, s->prio, req);
                break;
        case BG_STEP_MTU:
                ls.mtu = s->mtu;
                r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                break;
        case BG_STEP_MAC:
                ls.set_mac = true;
                memcpy(ls.mac, s->mac, 6);
                r = bg_nl_msg_setlink(buf, 0, link, &ls, req);
                break;
        case BG_STEP_ADDR_ADD:
        case BG_STEP_ADDR_DEL: {
                struct bg_nl_addr a = s->addr;
                a.ifindex = bond;
                if (s->kind == BG_STEP_ADDR_DEL && a.family == AF_INET)
                        promote_secondaries(s->bond);
                r = bg_nl_msg_addr(buf, 0, s->kind == BG_STEP_ADDR_ADD, &a, req);
                break;
        }
        case BG_STEP_DELETE:
                r = bg_nl_msg_dellink(buf, 0, link, req);
                break;
        case BG_STEP_ROUTE_ADD:
        case BG_STEP_ROUTE_DEL: {
                struct bg_nl_route rt = s->route;
                rt.oif = bond;
                r = bg_nl_msg_route(buf, 0, s->kind == BG_STEP_ROUTE_ADD, &rt, req);
                break;
        }
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        r = bg_nl_call(nl, *req, e);
        /* A route whose gateway was reachable only through an address an
         * earlier step removed is gone already: the kernel flushes the
         * routes that depended on it (fib_del_ifaddr(), fib_sync_down_dev()). */
        if (r == -ESRCH && s->kind == BG_STEP_ROUTE_DEL)
                r = 0;
        return r;
}

/* The steps bondgend takes over its control socket; the rest (up/down,
 * MTU, MAC, addresses, routes of the TAP) are netlink as for a kernel
 * bond, and bondgend follows them (MTU and MAC to the ports). */
static bool fwd_step(enum bg_step_kind k) {
        return k == BG_STEP_OPTIONS || k == BG_STEP_ENSLAVE || k == BG_STEP_RELEASE || k == BG_STEP_QUEUE_ID ||
               k == BG_STEP_PRIO;
}

static int run_fwd_step(const struct bg_step *s, char *err, size_t errlen) {
        char req[4096], why[300];
        int r = 0;

        why[0] = 0;
        switch (s->kind) {
        case BG_STEP_OPTIONS: {
                bool other = false;
                for (unsigned i = 0; i < BG_OPT__MAX; i++)
                        other |= s->opts.have[i] && i != BG_OPT_ACTIVE_SLAVE;
                if (other) {
                        r = bg_fwd_opts_request("set", &s->opts, req, sizeof(req));
                        if (r < 0) {
                                snprintf(err, errlen, "options do not fit one request: %s", strerror(-r));
                                return r;
                        }
                        r = bg_fwdctl_request(s->bond, req, NULL, why, sizeof(why));
                }
                if (r >= 0 && s->opts.have[BG_OPT_ACTIVE_SLAVE] && s->opts.val[BG_OPT_ACTIVE_SLAVE].str) {
                        snprintf(req, sizeof(req), "active %s\n", s->opts.val[BG_OPT_ACTIVE_SLAVE].str);
                        r = bg_fwdctl_request(s->bond, req, NULL, why, sizeof(why));
                }
                break;
        }
        case BG_STEP_ENSLAVE:
        case BG_STEP_RELEASE:
                /* a port without a device is kept by bondgend until it
                 * appears (bg_plan_fwd_pending) */
                snprintf(req, sizeof(req), "%s %s\n",
                         s->kind == BG_STEP_RELEASE ? "release" : if_nametoindex(s->ifname) ? "enslave" : "pending",
                         s->ifname);
                r = bg_fwdctl_request(s->bond, req, NULL, why, sizeof(why));
                break;
        case BG_STEP_PRIO:
                snprintf(req, sizeof(req), "prio %s %d\n", s->ifname, (int) s->prio);
                r = bg_fwdctl_request(s->bond, req, NULL, why, sizeof(why));
                break;
        default:
                snprintf(why, sizeof(why), "bondgend has no per-port queue_id");
                r = -EOPNOTSUPP;
        }
        if (r < 0)
                snprintf(err, errlen, "bondgend: %s", why[0] ? why : strerror(-r));
        return r;
}

/* A VLAN device of bondgend's made or deleted by the bondgend of s->link. */
static int run_fwd_vlan(const struct bg_step *s, char *err, size_t errlen) {
        char req[80], why[300] = "";
        int r;

        if (s->vlan_id)
                snprintf(req, sizeof(req), "vlan add %s %u\n", s->ifname, s->vlan_id);
        else
                snprintf(req, sizeof(req), "vlan del %s\n", s->ifname);
        r = bg_fwdctl_request(s->link, req, NULL, why, sizeof(why));
        if (r < 0)
                snprintf(err, errlen, "bondgend of %s: %s", s->link, why[0] ? why : strerror(-r));
        return r;
}

int bg_plan_execute(struct bg_nl *nl, const struct bg_plan *p, const struct bg_bond *b,
                    bg_report_fn rep, void *userdata, struct bg_diags *d) {
        return bg_plan_execute_on(nl, p, b, false, rep, userdata, d);
}

int bg_plan_execute_on(struct bg_nl *nl, const struct bg_plan *p, const struct bg_bond *b, bool fwd,
                       bg_report_fn rep, void *userdata, struct bg_diags *d) {
        static char buf[BG_NL_BUFSIZE];

        for (size_t i = 0; i < p->n_steps; i++) {
                const struct bg_step *s = &p->steps[i];
                struct bg_nl_error e = { .offset = -1 };
                struct nlmsghdr *req = NULL;
                char err[256] = "", line[600];
                int r;

                /* Say what is done as it is done: the output then ends at
                 * the step that failed. */
                if (rep) {
                        snprintf(line, sizeof(line), "%s: %s", b->name, s->desc);
                        rep(userdata, line);
                }
                if (s->kind == BG_STEP_FWD_VLAN)
                        r = run_fwd_vlan(s, err, sizeof(err));
                else if (fwd && fwd_step(s->kind))
                        r = run_fwd_step(s, err, sizeof(err));
                else
                        r = run_step(nl, s, buf, &req, &e, err, sizeof(err));
                if (r < 0) {
                        if (err[0])
                                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: %s: %s", b->name,
                                            s->desc, err);
                        else
                                step_error(d, b, s, req, &e, r);
                        return r;
                }
        }
        return 0;
}

/* Is there a bonding driver for the running kernel? The generator asks the
 * same question with the same function. */
bool bg_apply_kernel_has_bonding(void) {
        struct utsname u;

        return bg_have_bonding_driver(NULL, uname(&u) == 0 ? u.release : NULL);
}

/* Start `bondgend -c FILE BOND` detached (its own session, stdio on
 * /dev/null). A CLOEXEC pipe brings the daemon's pid, then the errno of
 * an exec that failed. */
static int spawn_bondgend(const char *file, const char *bond, pid_t *daemon) {
        int pfd[2], st, child_err = 0;
        pid_t pid;
        ssize_t n;

        *daemon = -1;
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(pfd[0]);
                close(pfd[1]);
                return r;
        }
        if (pid == 0) {
                close(pfd[0]);
                if (setsid() < 0)
                        _exit(1);
                pid_t g = fork();
                if (g != 0)
                        _exit(g < 0 ? 1 : 0);
                pid_t me = getpid();
                (void) !write(pfd[1], &me, sizeof(me));
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0) {
                        dup2(fd, STDIN_FILENO);
                        dup2(fd, STDOUT_FILENO);
                        dup2(fd, STDERR_FILENO);
                }
                char *argv[] = { (char *) "bondgend", (char *) "-c", (char *) file, (char *) bond, NULL };
                execvp("bondgend", argv);
                execv(BG_SBINDIR "/bondgend", argv);
                int e = errno;
                (void) !write(pfd[1], &e, sizeof(e));
                _exit(127);
        }
        close(pfd[1]);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (read(pfd[0], daemon, sizeof(*daemon)) != (ssize_t) sizeof(*daemon)) {
                close(pfd[0]);
                *daemon = -1;
                return -ECHILD;
        }
        n = read(pfd[0], &child_err, sizeof(child_err));
        close(pfd[0]);
        if (n == (ssize_t) sizeof(child_err))
                return -child_err;
        return 0;
}

/* bondgend@BOND.service is started without arguments: it reads the model
 * apply hands over as RUNDIR/BOND.yaml (bondgend without -c reads it
 * first). Without it the unit would look only at the default model paths,
 * and `apply -c FILE` or a model elsewhere ended in a restart loop. The
 * bond alone, as canonical YAML, not a copy of the user's file: the unit's
 * sandbox may not see the original, and another bond of that file that is
 * invalid (apply skips it) must not stop this one. Handed over also when
 * apply starts bondgend itself, so a restart without -c finds the bond as
 * apply set it up; and again after every live change (persist_fwd). */
static int hand_model(const struct bg_bond *b, const struct bg_model *m, const char *text, size_t tlen, char *path,
                      size_t pathlen, struct bg_diags *d) {
        int r;

        /* text: the bytes to start from, as they are (a rollback's) */
        if (text) {
                r = bg_fwd_model_path(b->name, path, pathlen);
                if (r >= 0)
                        r = bg_mkdir_p(bg_apply_rundir(), 0755);
                if (r >= 0)
                        r = bg_write_file_atomic(path, text, tlen, 0644, true);
        } else
                r = bg_fwd_model_write(b, m, NULL, false, path, pathlen);

        if (r < 0)
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: cannot hand the model to bondgend as %s: %s",
                            b->name, path, strerror(-r));
        return r;
}

static int start_fwd(const struct bg_bond *b, const struct bg_model *m, const char *text, size_t tlen,
                     const struct bg_apply_opts *o, struct bg_diags *d) {
        const char *file = o->config_path ? o->config_path : b->loc.file;
        bool systemd = access("/run/systemd/system", F_OK) == 0;
        char unit[IFNAMSIZ + 32], handed[PATH_MAX], why[300];
        pid_t pid;
        int r;

        if (o->on_plan) {
                struct bg_step st = { .kind = BG_STEP_START };
                struct bg_plan p = { .steps = &st, .n_steps = 1 };
                snprintf(st.desc, sizeof(st.desc), "start bondgend");
                o->on_plan(o->plan_userdata, b, BG_BACKEND_USERSPACE, &p);
        }
        r = bg_fwd_model_path(b->name, handed, sizeof(handed));
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: %s", b->name, strerror(-r));
                return r;
        }
        /* the user's file when there is one (that is what the user reads
         * in `ps`), else the one handed over */
        if (!file)
                file = handed;
        if (systemd) {
                snprintf(unit, sizeof(unit), "bondgend@%s.service", b->name);
                bg_apply_say(o, "%s: start %s", b->name, unit);
                if (o->dry_run)
                        return 0;
                r = hand_model(b, m, text, tlen, handed, sizeof(handed), d);
                if (r < 0)
                        return r;
                char *argv[] = { (char *) "systemctl", (char *) "start", unit, NULL };
                r = bg_run(argv, false);
                /* 5: the unit is not installed (bondgen run from a build
                 * tree): start the forwarder ourselves. */
                if (r == 5) {
                        bg_apply_say(o, "%s: %s is not installed; start bondgend -c %s %s", b->name, unit,
                               file, b->name);
                        goto spawn;
                }
                if (r != 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: systemctl start %s failed (%s %d)",
                                    b->name, unit, r < 0 ? strerror(-r) : "status", r);
                        return -EIO;
                }
                return 0;
        }
        bg_apply_say(o, "%s: start bondgend -c %s %s", b->name, file, b->name);
        if (o->dry_run)
                return 0;
        r = hand_model(b, m, text, tlen, handed, sizeof(handed), d);
        if (r < 0)
                return r;
spawn:
        r = spawn_bondgend(file, b->name, &pid);
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: cannot start bondgend: %s", b->name,
                            strerror(-r));
                return r;
        }
        /* as `systemctl start` waits for READY=1: what comes after (a
         * VLAN or bridge on the bond, the next bond) finds the device */
        r = bg_fwd_wait_ready(b->name, pid, 10000, why, sizeof(why));
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: bondgend -c %s %s: %s", b->name, file, b->name,
                            why);
                return r;
        }
        return 0;
}

static int start_userspace(const struct bg_bond *b, const struct bg_model *m, const struct bg_apply_opts *o,
                           struct bg_diags *d) {
        return start_fwd(b, m, NULL, 0, o, d);
}

int bg_apply_start_fwd(const struct bg_bond *b, const char *text, size_t len, bg_report_fn rep, void *userdata,
                       struct bg_diags *d) {
        struct bg_apply_opts o = { .report = rep, .userdata = userdata };
        struct bg_bond one = *b;

        /* b is no user's: bondgend starts from the text handed over */
        one.loc.file = NULL;
        return start_fwd(&one, NULL, text, len, &o, d);
}

static int run_plan(struct bg_nl *nl, const struct bg_bond *b, const struct bg_nl_state *st,
                    const struct bg_fwd_state *fs, const struct bg_plan *plan, const struct bg_apply_opts *o,
                    struct bg_diags *d);

/* queue_id picks a port by the transmit queue the host stack chose for a
 * frame (bond_main.c:bond_slave_override()); bondgend reads frames from
 * its TAP device, which does not tell that queue. It refuses a non-zero
 * queue_id at start with the same words; apply refuses it before
 * anything changes, for a bond it would start and for a running one. */
#define FWD_NO_QUEUE_ID                                                                                       \
        "bondgend cannot honour queue_id (a frame's transmit queue is not visible through its TAP device; " \
        "see bondgend(8))"

static int fwd_refuse_queue_id(const struct bg_bond *b, struct bg_diags *d) {
        const struct bg_optval *v = &b->opts[BG_OPT_QUEUE_ID];

        for (size_t i = 0; v->set && i < v->n_list; i++) {
                const char *c = v->list[i] ? strrchr(v->list[i], ':') : NULL;
                if (c && strtoul(c + 1, NULL, 10) != 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, &b->opt_loc[BG_OPT_QUEUE_ID], "queue_id",
                                    "%s: queue_id %s: " FWD_NO_QUEUE_ID "; nothing changed", b->name, v->list[i]);
                        return -EINVAL;
                }
        }
        return 0;
}

/* A running bondgend bond: its state laid over the netlink view, the same
 * planner as for a kernel bond, and the steps through its control socket.
 * What bondgend would refuse is asked first (`check`), so nothing changes
 * when one option is wrong. */
/* A bond's plan: handed to on_plan, then shown (a dry run, or no netlink)
 * or run as a transaction; "nothing to do" when it is empty. */
static int show_or_run(struct bg_nl *nl, const struct bg_bond *b, const struct bg_nl_state *st,
                       const struct bg_fwd_state *fs, const struct bg_plan *plan, enum bg_backend backend,
                       const struct bg_apply_opts *o, struct bg_diags *d) {
        if (o->on_plan)
                o->on_plan(o->plan_userdata, b, backend, plan);
        if (plan->n_steps == 0)
                bg_apply_say(o, "%s: nothing to do", b->name);
        if (o->dry_run || !nl) {
                for (size_t i = 0; i < plan->n_steps; i++)
                        bg_apply_say(o, "%s: %s", b->name, plan->steps[i].desc);
                return 0;
        }
        return plan->n_steps ? run_plan(nl, b, st, fs, plan, o, d) : 0;
}

/* After bondgend took the model's bond live: RUNDIR/BOND.yaml says so
 * too, or a restart (systemctl restart, Restart= after a crash, bondgend
 * without -c) would start from the bond as it was and undo the change
 * without a word. Left alone when it already says the same; a failure is
 * a system error, though the change itself is in place. */
static int persist_fwd(const struct bg_bond *b, const struct bg_model *m, const struct bg_apply_opts *o,
                       struct bg_diags *d) {
        struct bg_fwd_state fs;
        char path[PATH_MAX], why[300];
        int r = bg_fwd_state_read(b->name, &fs, why, sizeof(why));

        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL,
                            "%s: changed live, but cannot read bondgend's state to write what it restarts from: %s",
                            b->name, why[0] ? why : strerror(-r));
                return -EIO;
        }
        r = bg_fwd_model_write(b, m, &fs, true, path, sizeof(path));
        bg_fwd_state_free(&fs);
        if (r > 0)
                bg_apply_say(o, "%s: write %s (what bondgend starts from after a restart)", b->name, path);
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL,
                            "%s: changed live, but cannot write %s: %s; a restart of bondgend would undo the change",
                            b->name, path, strerror(-r));
                return -EIO;
        }
        return 0;
}

static int apply_fwd_live(struct bg_nl *nl, const struct bg_model *m, const struct bg_bond *b,
                          struct bg_nl_state *st, const struct bg_fwd_state *fs, const struct bg_apply_opts *o,
                          struct bg_diags *d) {
        struct bg_plan plan = { 0 };
        char req[4096], why[300];
        int r;

        r = bg_fwd_state_overlay(st, fs);
        if (r >= 0)
                r = bg_plan_bond(b, st, &plan, d);
        if (r >= 0)
                r = bg_plan_fwd_pending(b, st, fs, &plan);
        for (size_t i = 0; r >= 0 && i < plan.n_steps; i++) {
                const struct bg_step *s = &plan.steps[i];
                bool other = false;

                if (s->kind == BG_STEP_QUEUE_ID) {
                        bg_diag_add(d, BG_DIAG_ERROR, &b->opt_loc[BG_OPT_QUEUE_ID], "queue_id",
                                    "%s: %s: " FWD_NO_QUEUE_ID "; nothing changed", b->name, s->desc);
                        r = -EINVAL;
                        break;
                }
                if (s->kind != BG_STEP_OPTIONS)
                        continue;
                for (unsigned k = 0; k < BG_OPT__MAX; k++)
                        other |= s->opts.have[k] && k != BG_OPT_ACTIVE_SLAVE;
                if (!other)
                        continue;
                r = bg_fwd_opts_request("check", &s->opts, req, sizeof(req));
                if (r >= 0)
                        r = bg_fwdctl_request(b->name, req, NULL, why, sizeof(why));
                if (r == -EOPNOTSUPP)
                        break;
                if (r < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: %s: bondgend refuses: %s; nothing changed",
                                    b->name, s->desc, why[0] ? why : strerror(-r));
                        r = r == -EINVAL ? -EINVAL : -EIO;
                }
        }
        if (r >= 0) {
                r = show_or_run(nl, b, st, fs, &plan, BG_BACKEND_USERSPACE, o, d);
                if (r < 0 && r != -ENOMEM)
                        r = -EIO;
        }
        if (r >= 0 && !o->dry_run && nl)
                r = persist_fwd(b, m, o, d);
        bg_plan_free(&plan);
        return r;
}

static int start_userspace(const struct bg_bond *b, const struct bg_model *m, const struct bg_apply_opts *o,
                           struct bg_diags *d);

/* bondgend bonds the model does not name, with their state: RUNDIR's
 * sockets whose bond has a TAP here and answers. */
static size_t stale_fwd_bonds(const struct bg_model *m, const struct bg_nl_state *st, struct bg_fwd_state **out) {
        struct bg_fwd_state *v = NULL;
        size_t n = 0;
        DIR *dir = opendir(bg_apply_rundir());
        struct dirent *de;

        *out = NULL;
        while (dir && (de = readdir(dir))) {
                size_t l = strlen(de->d_name);
                const struct bg_nl_link *tap;
                char name[IFNAMSIZ], err[256];
                struct bg_fwd_state fs;

                if (l < 6 || l - 5 >= sizeof(name) || strcmp(de->d_name + l - 5, ".sock"))
                        continue;
                memcpy(name, de->d_name, l - 5);
                name[l - 5] = 0;
                tap = bg_nl_state_link(st, name);
                if (bg_model_find_bond(m, name) || !tap || strcmp(tap->kind, "tun") != 0 ||
                    bg_fwd_state_read(name, &fs, err, sizeof(err)) < 0)
                        continue;
                if (BG_APPEND(v, n, fs) < 0) {
                        bg_fwd_state_free(&fs);
                        break;
                }
        }
        if (dir)
                closedir(dir);
        *out = v;
        return n;
}

static bool fwd_has_port(const struct bg_fwd_state *fs, const char *port) {
        for (size_t i = 0; i < fs->n_ports; i++)
                if (!strcmp(fs->ports[i], port))
                        return true;
        for (size_t i = 0; i < fs->n_pending; i++)
                if (!strcmp(fs->pending[i], port))
                        return true;
        return false;
}

static void plan_stop(const struct bg_apply_opts *o, const char *bond, const char *why) {
        struct bg_bond gone = { .name = (char *) bond };
        struct bg_step s = { .kind = BG_STEP_DELETE };
        struct bg_plan p = { .steps = &s, .n_steps = 1 };

        snprintf(s.bond, sizeof(s.bond), "%s", bond);
        snprintf(s.ifname, sizeof(s.ifname), "%s", bond);
        snprintf(s.desc, sizeof(s.desc), "stop bondgend (%s)", why);
        if (o->on_plan)
                o->on_plan(o->plan_userdata, &gone, BG_BACKEND_USERSPACE, &p);
        bg_apply_say(o, "%s: %s", bond, s.desc);
}

/* A new user-space bond whose ports another bondgend drives, for a bond
 * the model no longer names (the bond was renamed): the ports can move
 * only to a new device, so that bondgend is stopped first, with --prune
 * (the bond is down until the new one has its ports); without --prune
 * the new bond is refused before anything changes. */
static int take_ports_from_stale(const struct bg_model *m, const struct bg_bond *b, const struct bg_nl_state *st,
                                 const struct bg_apply_opts *o, struct bg_diags *d) {
        struct bg_fwd_state *v;
        size_t n = stale_fwd_bonds(m, st, &v);
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++) {
                const char *port = NULL;
                char why[300];

                for (size_t k = 0; k < b->n_ports && !port; k++)
                        if (b->ports[k].name && fwd_has_port(&v[i], b->ports[k].name))
                                port = b->ports[k].name;
                if (!port)
                        continue;
                if (!o->prune) {
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, "ports",
                                    "%s: port %s is driven by the bondgend of %s, which the model does not name; "
                                    "--prune stops it (a new device: the bond is down until %s has its ports)",
                                    b->name, port, v[i].name, b->name);
                        r = -EINVAL;
                        break;
                }
                snprintf(why, sizeof(why), "not in the model, --prune; its ports go to %s, a new device", b->name);
                plan_stop(o, v[i].name, why);
                if (!o->dry_run && (r = bg_fwd_stop(v[i].name, why, sizeof(why))) < 0)
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: cannot stop bondgend: %s", v[i].name, why);
        }
        for (size_t i = 0; i < n; i++)
                bg_fwd_state_free(&v[i]);
        free(v);
        return r;
}

/* The user-space backend for one bond: start bondgend when the bond does
 * not run, reconcile it live when it does. A bondgend too old to take
 * live changes is restarted: the one case where the bond's device is
 * recreated, with the outage that implies (said as it happens). */
static int apply_userspace(struct bg_nl *nl, const struct bg_model *m, const struct bg_bond *b,
                           struct bg_nl_state *st, const struct bg_apply_opts *o, struct bg_diags *d) {
        const struct bg_nl_link *cur = bg_nl_state_link(st, b->name);
        struct bg_fwd_state fs;
        char why[300];
        int r;

        r = fwd_refuse_queue_id(b, d);
        if (r < 0)
                return r;
        if (!cur) {
                r = take_ports_from_stale(m, b, st, o, d);
                return r < 0 ? r : start_userspace(b, m, o, d);
        }
        if (cur->is_bond || strcmp(cur->kind, "tun") != 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, "backend",
                            "%s: the name is taken by a %s device, not a bondgend bond; a user-space bond needs "
                            "its own new device: delete it first, or use backend: kernel",
                            b->name, cur->is_bond ? "kernel bond" : cur->kind[0] ? cur->kind : "network");
                return -EINVAL;
        }
        r = bg_fwd_state_read(b->name, &fs, why, sizeof(why));
        if (r == -ENOENT || r == -ECONNREFUSED) {
                /* the TAP of a bondgend that ended without deleting it
                 * (a crash): a new bondgend takes it over */
                bg_apply_say(o, "%s: the device is there but no bondgend runs for it", b->name);
                return start_userspace(b, m, o, d);
        }
        if (r == -EOPNOTSUPP) {
                if (o->on_plan) {
                        struct bg_step s = { .kind = BG_STEP_START };
                        struct bg_plan p = { .steps = &s, .n_steps = 1 };
                        snprintf(s.desc, sizeof(s.desc), "restart bondgend (the running one takes no live changes)");
                        o->on_plan(o->plan_userdata, b, BG_BACKEND_USERSPACE, &p);
                }
                bg_apply_say(o, "%s: restart bondgend (the running one takes no live changes; the bond is "
                          "down until the new one has its ports)", b->name);
                if (o->dry_run)
                        return 0;
                r = bg_fwd_stop(b->name, why, sizeof(why));
                if (r < 0) {
                        bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: cannot stop bondgend: %s", b->name, why);
                        return -EIO;
                }
                return start_userspace(b, m, o, d);
        }
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: cannot read bondgend's state: %s", b->name,
                            why[0] ? why : strerror(-r));
                return -EIO;
        }
        r = apply_fwd_live(nl, m, b, st, &fs, o, d);
        bg_fwd_state_free(&fs);
        return r;
}

/* Run a plan as a transaction: on failure, undo what was done and say
 * what was restored. */
static int run_plan(struct bg_nl *nl, const struct bg_bond *b, const struct bg_nl_state *st,
                    const struct bg_fwd_state *fs, const struct bg_plan *plan, const struct bg_apply_opts *o,
                    struct bg_diags *d) {
        struct bg_snapshot snap;
        int r;

        bg_snapshot_init(&snap);
        r = fs ? bg_snapshot_add_fwd_bond(&snap, st, b, fs) : bg_snapshot_add_bond(&snap, st, b);
        if (r < 0) {
                bg_snapshot_free(&snap);
                bg_diag_add(d, BG_DIAG_ERROR, &b->loc, NULL, "%s: cannot record the state before apply: %s",
                            b->name, strerror(-r));
                return r;
        }
        r = bg_plan_execute_on(nl, plan, b, fs != NULL, o->report, o->userdata, d);
        if (r < 0) {
                int u;

                bg_apply_say(o, "%s: failed; undoing what was done", b->name);
                u = bg_snapshot_restore(nl, &snap, o->report, o->userdata, d);
                if (u < 0)
                        bg_apply_say(o, "%s: NOT fully restored (see the errors)", b->name);
                else if (snap.model.n_bonds)
                        bg_apply_say(o, "%s: restored as before: options, ports, MTU, MAC, addresses, routes, link state",
                               b->name);
                else
                        bg_apply_say(o, "%s: restored as before: the bond is gone, its ports are as they were",
                               b->name);
        }
        bg_snapshot_free(&snap);
        return r;
}

static int apply_kernel(struct bg_nl *nl, const struct bg_bond *b, const struct bg_nl_state *st,
                        const struct bg_apply_opts *o, struct bg_diags *d) {
        struct bg_plan plan = { 0 };
        int r;

        /* networkd and NetworkManager set it when the port joins; apply
         * leaves the choice to the kernel and says so */
        if (b->opts[BG_OPT_ACTIVE_SLAVE].set && b->opts[BG_OPT_ACTIVE_SLAVE].str &&
            b->opts[BG_OPT_ACTIVE_SLAVE].str[0])
                bg_diag_add(d, BG_DIAG_WARNING, &b->opt_loc[BG_OPT_ACTIVE_SLAVE], "active_slave",
                            "%s: active_slave %s: not set on a kernel bond by bondgen apply (the kernel chooses "
                            "the active port; primary makes it prefer one); bondgend takes it at start",
                            b->name, b->opts[BG_OPT_ACTIVE_SLAVE].str);
        r = bg_plan_bond(b, st, &plan, d);
        if (r >= 0) {
                r = show_or_run(nl, b, st, NULL, &plan, BG_BACKEND_KERNEL, o, d);
                /* The kernel said no: a system error (exit status 3), whatever
                 * the errno, except a missing driver, which auto handles. */
                if (r < 0 && r != -EOPNOTSUPP && r != -ENOMEM)
                        r = -EIO;
        }
        bg_plan_free(&plan);
        return r;
}

/* --prune: kernel bonds the model does not name are deleted (their ports
 * are released by the kernel and come back as free links). */
static int prune(struct bg_nl *nl, const struct bg_model *m, const struct bg_nl_state *st,
                 const struct bg_apply_opts *o, struct bg_diags *d) {
        int ret = 0;

        for (size_t i = 0; i < st->n_links; i++) {
                const struct bg_nl_link *l = &st->links[i];
                struct bg_plan plan = { 0 };
                struct bg_bond gone = { .name = (char *) l->name };
                struct bg_step *s;
                int r;

                if (!l->is_bond || bg_model_find_bond(m, l->name))
                        continue;
                s = calloc(1, sizeof(*s));
                if (!s)
                        return -ENOMEM;
                s->kind = BG_STEP_DELETE;
                snprintf(s->bond, sizeof(s->bond), "%s", l->name);
                snprintf(s->ifname, sizeof(s->ifname), "%s", l->name);
                snprintf(s->desc, sizeof(s->desc), "delete (not in the model, --prune)");
                plan.steps = s;
                plan.n_steps = 1;
                if (o->on_plan)
                        o->on_plan(o->plan_userdata, &gone, BG_BACKEND_KERNEL, &plan);
                if (o->dry_run || !nl) {
                        bg_apply_say(o, "%s: %s", l->name, s->desc);
                        r = 0;
                } else
                        r = run_plan(nl, &gone, st, NULL, &plan, o, d);
                bg_plan_free(&plan);
                if (r < 0)
                        ret = r;
        }
        return ret;
}

int bg_apply_model(const struct bg_model *m, const struct bg_apply_opts *o, struct bg_diags *d) {
        struct bg_nl *nl = NULL;
        struct bg_nl_state st = { 0 };
        bool refused = false, failed = false;
        int r;

        r = bg_nl_open_read_state(&nl, &st);
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "cannot read the network state over netlink: %s",
                            strerror(-r));
                bg_nl_close(nl);
                return 3;
        }
        for (size_t i = 0; i < m->n_bonds; i++) {
                const struct bg_bond *b = &m->bonds[i];
                const struct bg_nl_link *cur = bg_nl_state_link(&st, b->name);
                const enum bg_backend want = o->backend_forced ? o->backend : b->backend;
                enum bg_backend be = want;
                const char *why = "";

                if (o->skip && o->skip[i])
                        continue;
                if (be == BG_BACKEND_AUTO) {
                        if (cur && cur->is_bond)
                                be = BG_BACKEND_KERNEL, why = "a kernel bond exists";
                        else if (cur && strcmp(cur->kind, "tun") == 0)
                                be = BG_BACKEND_USERSPACE, why = "bondgend runs it";
                        else if (bg_apply_kernel_has_bonding())
                                be = BG_BACKEND_KERNEL, why = "bonding driver available";
                        else
                                be = BG_BACKEND_USERSPACE, why = "no bonding driver in this kernel";
                        bg_apply_say(o, "%s: backend auto: %s (%s)", b->name, bg_backend_name(be), why);
                } else
                        bg_apply_say(o, "%s: backend %s", b->name, bg_backend_name(be));

                if (be == BG_BACKEND_KERNEL) {
                        size_t nd = d->n;
                        r = apply_kernel(nl, b, &st, o, d);
                        /* auto: a create refused for lack of a driver falls
                         * back to user space. */
                        if (r == -EOPNOTSUPP && want == BG_BACKEND_AUTO &&
                            !(cur && cur->is_bond)) {
                                while (d->n > nd) {
                                        struct bg_diag *x = &d->v[--d->n];
                                        free(x->file);
                                        free(x->key);
                                        free(x->msg);
                                }
                                bg_apply_say(o, "%s: backend auto: the kernel cannot create bonds; using userspace",
                                       b->name);
                                r = fwd_refuse_queue_id(b, d);
                                if (r >= 0)
                                        r = start_userspace(b, m, o, d);
                        }
                } else
                        r = apply_userspace(nl, m, b, &st, o, d);
                if (r == -EINVAL)
                        refused = true;
                else if (r < 0)
                        failed = true;
                /* Later bonds see what this one changed (ports, names). */
                if (!o->dry_run && i + 1 < m->n_bonds) {
                        if (bg_nl_reread_state(nl, &st) < 0)
                                failed = true;
                }
        }
        /* VLANs and bridges after the bonds they stack on */
        if (m->n_vlans || m->n_bridges || o->prune) {
                if (!o->dry_run) {
                        if (bg_nl_reread_state(nl, &st) < 0)
                                failed = true;
                }
                r = bg_apply_stack(nl, m, &st, o, d);
                if (r == -EINVAL)
                        refused = true;
                else if (r < 0)
                        failed = true;
        }
        /* the dynamic part last, once the links are there; diff shows no
         * DHCP (a lease is not drift) */
        if (!o->on_plan && bg_dhcp_handoff(m, o->skip, o, d) < 0)
                failed = true;
        if (o->prune) {
                struct bg_fwd_state *v;
                size_t n;

                if (bg_nl_reread_state(nl, &st) < 0 || prune(nl, m, &st, o, d) < 0)
                        failed = true;
                /* bondgend bonds that left the model (apply without
                 * --prune never stops one) */
                n = stale_fwd_bonds(m, &st, &v);
                for (size_t i = 0; i < n; i++) {
                        char why[300];
                        plan_stop(o, v[i].name, "not in the model, --prune");
                        if (!o->dry_run && bg_fwd_stop(v[i].name, why, sizeof(why)) < 0) {
                                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: cannot stop bondgend: %s", v[i].name,
                                            why);
                                failed = true;
                        }
                        bg_fwd_state_free(&v[i]);
                }
                free(v);
        }
        bg_nl_state_free(&st);
        bg_nl_close(nl);
        return failed ? 3 : refused ? 1 : 0;
}
