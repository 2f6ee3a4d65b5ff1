/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * `bondgen apply`: reconcile the model with the running system.
 *
 * plan.c is pure: (one bond of the model, the state read back over
 * netlink) -> an ordered list of steps that respects the kernel's ordering
 * rules (bond_options.c flags BOND_OPTFLAG_NOSLAVES/IFDOWN,
 * bond_netlink.c:bond_changelink() order): mode and fail_over_mac only without
 * ports, mode/lacp_rate/ad_select/... only while down, miimon never in the
 * same message as a non-zero arp_interval/arp_validate, primary after the
 * port exists. Only options the model sets are enforced; an unset option
 * keeps whatever the kernel has (its default for a bond we create), the way
 * networkd treats unset keys. Applying the same model twice yields no step.
 *
 * apply.c executes plans over netlink, chooses the backend and starts the
 * user-space forwarder when needed. Library code: nothing is printed, lines
 * for the user go through the report callback, problems into bg_diags.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "model/model.h"
#include "netlink/netlink.h"

enum bg_step_kind {
        BG_STEP_CREATE,         /* new bond with its options */
        BG_STEP_DOWN,           /* set a link down */
        BG_STEP_UP,
        BG_STEP_RELEASE,        /* port leaves the bond (IFLA_MASTER 0) */
        BG_STEP_ENSLAVE,        /* port down, then IFLA_MASTER */
        BG_STEP_OPTIONS,        /* one changelink with opts */
        BG_STEP_QUEUE_ID,
        BG_STEP_MTU,
        BG_STEP_MAC,
        BG_STEP_ADDR_ADD,
        BG_STEP_ADDR_DEL,
        BG_STEP_ROUTE_ADD,
        BG_STEP_ROUTE_DEL,
        BG_STEP_DELETE,         /* delete a bond (--prune) */
        BG_STEP_START,          /* start bondgend (never run by bg_plan_execute) */
        BG_STEP_CREATE_VLAN,    /* new VLAN: vlan_id on link */
        BG_STEP_CREATE_BRIDGE,  /* new bridge with br */
        BG_STEP_BRIDGE_OPTIONS, /* one changelink with br */
        BG_STEP_FWD_VLAN,       /* bondgend `link` makes VLAN vlan_id as ifname, or deletes it (0) */
        BG_STEP_PRIO,           /* a port's prio (IFLA_BOND_SLAVE_PRIO) */
        BG_STEP__MAX,
};

/* "enslave", "address-add", ...: the kind as `diff --json` names it. */
const char *bg_step_kind_name(enum bg_step_kind k);

struct bg_step {
        enum bg_step_kind kind;
        char bond[IFNAMSIZ];
        char ifname[IFNAMSIZ];  /* the link acted on: the bond or a port */
        /* CREATE/OPTIONS. For BG_NLA_IFINDEX options `str` holds the port
         * name; it is turned into an ifindex when the step runs. */
        struct bg_nl_bond_opts opts;
        uint32_t mtu;
        uint8_t mac[6];
        uint16_t queue_id;
        int32_t prio;             /* PRIO */
        struct bg_nl_addr addr;   /* ifindex filled in when run */
        struct bg_nl_route route; /* oif filled in when run */
        char link[IFNAMSIZ];      /* CREATE_VLAN: the parent link */
        uint16_t vlan_id;         /* CREATE_VLAN */
        bool keep_up;             /* ENSLAVE to a bridge: the port stays up */
        struct bg_nl_bridge br;   /* CREATE_BRIDGE/BRIDGE_OPTIONS */
        char desc[512];           /* what the user reads in the plan */
};

struct bg_plan {
        struct bg_step *steps;
        size_t n_steps;
        const char *kind;       /* what it is for: NULL a bond, "vlan", "bridge" */
};

void bg_plan_free(struct bg_plan *p);

/* Append the steps that bring bond b from `cur` to the model. Problems
 * that make the bond impossible to apply (its name taken by a non-bond,
 * a port owned by another master, ...) are errors in diags and return
 * -EINVAL; a missing port is a warning (udev enslaves it when it appears). */
int bg_plan_bond(const struct bg_bond *b, const struct bg_nl_state *cur, struct bg_plan *plan,
                 struct bg_diags *diags);

/* VLANs and bridges (stack.c), the same way: the steps that bring one
 * from `cur` to the model, in the kernel's order (create, ports, MTU,
 * MAC, up, addresses, routes). A name taken by another kind of device, a
 * VLAN whose id or link differ (recreated only with recreate: the kernel
 * cannot change them), a port owned by another master are errors in
 * diags (-EINVAL); a missing parent or port is a warning. */
int bg_plan_vlan(const struct bg_vlan *v, const struct bg_model *m, const struct bg_nl_state *cur,
                 bool recreate, struct bg_plan *plan, struct bg_diags *diags);
/* A VLAN of a bondgend bond where the kernel has no 802.1Q: bondgend's own
 * device (bondgend(8) VLANs). running_id: the id bondgend runs it with,
 * 0 when it has none. */
int bg_plan_fwd_vlan(const struct bg_vlan *v, const struct bg_nl_state *cur, unsigned running_id,
                     struct bg_plan *plan, struct bg_diags *diags);
int bg_plan_bridge(const struct bg_bridge *br, const struct bg_model *m, const struct bg_nl_state *cur,
                   struct bg_plan *plan, struct bg_diags *diags);
/* Addresses and routes of link `name` (cur: as running, NULL when it is
 * being created), shared by bonds, VLANs and bridges (plan.c). */
int bg_plan_l3(struct bg_plan *plan, const char *name, const struct bg_nl_state *st,
               const struct bg_nl_link *cur, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6,
               struct bg_diags *diags);
/* Append a step (plan.c); NULL on ENOMEM. */
struct bg_step *bg_plan_add(struct bg_plan *p, enum bg_step_kind kind, const char *bond, const char *ifname,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

typedef void (*bg_report_fn)(void *userdata, const char *line);

struct bg_apply_opts {
        enum bg_backend backend;   /* --backend, for every bond ... */
        bool backend_forced;       /* ... when given; else each bond's own `backend:` */
        bool dry_run;
        const char *config_path;   /* passed to bondgend -c; NULL = the bond's source file */
        const bool *skip;          /* per bond of the model, may be NULL: leave it alone */
        bool prune;                /* delete kernel bonds that are not in the model */
        bg_report_fn report;
        void *userdata;
        /* Called with each bond's plan (dry run or not) before it runs;
         * `diff` builds its output from it. May be NULL. */
        void (*on_plan)(void *userdata, const struct bg_bond *b, enum bg_backend be,
                        const struct bg_plan *p);
        void *plan_userdata;
};

/* Apply every bond; one failing bond does not stop the others. Returns the
 * CLI exit status (bondgen(8) EXIT STATUS): 0 all applied, 1 some bond was refused
 * before anything was sent (it conflicts with this system: name taken,
 * port owned elsewhere), 3 a system error (the kernel refused a request,
 * netlink, permissions, bondgend could not be started). */
int bg_apply_model(const struct bg_model *m, const struct bg_apply_opts *o,
                   struct bg_diags *diags);
/* The VLANs and bridges of m after its bonds (stack.c), st the state read
 * after the bonds (re-read as devices are made). 0, -EINVAL some were
 * refused before a change, -EIO the kernel refused a request. With
 * o->prune, VLANs and bridges earlier applies brought up (RUNDIR/stack)
 * that m no longer names are deleted. */
/* DHCP of the model's bonds (not skipped), VLANs and bridges, handed to
 * systemd-networkd or a DHCP client (dhcp.c; bondgen(8) DHCP). 0 or -EIO
 * when some link is left without its DHCP (said in diags). */
int bg_dhcp_handoff(const struct bg_model *m, const bool *skip, const struct bg_apply_opts *o,
                    struct bg_diags *diags);
/* The runtime .network file that hands link name's DHCP to networkd. */
int bg_dhcp_networkd_file(const char *name, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6,
                          const char *hostname, char **out, size_t *len);
int bg_apply_stack(struct bg_nl *nl, const struct bg_model *m, struct bg_nl_state *st,
                   const struct bg_apply_opts *o, struct bg_diags *diags);
/* fn for each VLAN or bridge an earlier apply brought up (RUNDIR/stack)
 * that st still has as it was: what --prune may delete. Stops at the first
 * negative return of fn, which it returns. */
int bg_stack_owned_each(const struct bg_nl_state *st, int (*fn)(void *ud, const char *name, bool bridge),
                        void *ud);

/* Execute a plan, reporting each step before it runs; stops at the first
 * failure, whose explanation (bond, port or option, errno, the kernel's
 * extended ack, a hint) goes to diags. */
int bg_plan_execute(struct bg_nl *nl, const struct bg_plan *p, const struct bg_bond *b,
                    bg_report_fn report, void *userdata, struct bg_diags *diags);
/* The same for a bondgend bond when fwd: options, enslave and release go
 * through its control socket (fwdctl.c). */
int bg_plan_execute_on(struct bg_nl *nl, const struct bg_plan *p, const struct bg_bond *b, bool fwd,
                       bg_report_fn report, void *userdata, struct bg_diags *diags);

/* ---- bondgend bonds (fwdctl.c) ----
 * The control socket as a client library and bondgend's `state` answer
 * (its format is at the top of fwdctl.c). */
#define BG_FWD_STATE_MAX 32
struct bg_fwd_state {
        char name[IFNAMSIZ];
        struct bg_nl_bond_opts opts;   /* primary by name (.str) */
        char ports[BG_FWD_STATE_MAX][IFNAMSIZ];   /* enslave order */
        uint8_t mii[BG_FWD_STATE_MAX];            /* 0 up, 1 fail, 2 down, 3 back */
        int32_t prio[BG_FWD_STATE_MAX];           /* 0 from a bondgend that does not say */
        bool have_prio;                           /* port lines carry PRIO */
        size_t n_ports;
        char pending[BG_FWD_STATE_MAX][IFNAMSIZ];
        size_t n_pending;
        char active[IFNAMSIZ];                    /* "" = none */
        /* bondgend's own VLAN devices (where the kernel has no 802.1Q) */
        char vlans[BG_FWD_STATE_MAX][IFNAMSIZ];
        uint16_t vlan_id[BG_FWD_STATE_MAX];
        size_t n_vlans;
};

/* $BONDGEN_RUNDIR or /run/bondgen. */
const char *bg_apply_rundir(void);
/* RUNDIR/BOND.yaml: the model a bondgend started without -c reads first,
 * so the one bondgend@BOND.service starts from, also after a restart or a
 * crash (bondgend(8)). */
int bg_fwd_model_path(const char *bond, char *buf, size_t len);
/* Its bytes (malloc'd, NUL-terminated): -ENOENT when there is none,
 * -EINVAL for a link or anything but a regular file. */
int bg_fwd_model_read(const char *bond, char **data, size_t *len);
/* b alone with the VLANs of m (NULL: none) whose link is b, as canonical
 * YAML: what bondgend starts from (*text malloc'd). */
int bg_fwd_model_text(const struct bg_bond *b, const struct bg_model *m, char **text, size_t *len);
/* Write b alone there as canonical YAML, atomically (path: the file's
 * name), with the VLANs of m (NULL: none) whose link is b: bondgend makes
 * them where the kernel has no 802.1Q. With fs, bondgend's state after a live change: what b leaves
 * out as bondgend runs it (options it keeps, port order), so a restart
 * changes nothing. if_differs: leave a file that already says the same
 * about the bond. 1 written, 0 left as it was, or -errno. */
int bg_fwd_model_write(const struct bg_bond *b, const struct bg_model *m, const struct bg_fwd_state *fs,
                       bool if_differs, char *path, size_t pathlen);
/* One request line to BOND's bondgend; 0 and the body after the "ok"
 * line (malloc'd, may be NULL) or -errno with the reason in err:
 * -ENOENT/-ECONNREFUSED no bondgend, -EINVAL refused (bondgend's words
 * in err), -EOPNOTSUPP a bondgend that does not know the request. */
int bg_fwdctl_request(const char *bond, const char *req, char **body, char *err, size_t errlen);
/* The same, with the text of an "ok: TEXT" first line in note ("" for a
 * bare "ok"; note may be NULL). err always says what went wrong, in words
 * for the user: no bondgend (-ENOENT, -ECONNREFUSED), not root (-EACCES),
 * an unsafe run directory or a socket served by someone else (-EPERM), no
 * answer within BONDGEN_TIMEOUT (-ETIMEDOUT), refused (-EINVAL). */
int bg_fwdctl_call(const char *bond, const char *req, char **body, char *note, size_t notelen, char *err,
                   size_t errlen);
/* 0 when the run directory may be trusted (or is missing), with its
 * owner; -EPERM and the reason when others can write it. */
int bg_fwdctl_check_rundir(uid_t *owner, char *err, size_t errlen);
/* The pid of the bondgend serving BOND (SO_PEERCRED). */
int bg_fwdctl_pid(const char *bond, pid_t *pid);
int bg_fwd_state_parse(const char *text, struct bg_fwd_state *s, char *err, size_t errlen);
int bg_fwd_state_read(const char *bond, struct bg_fwd_state *s, char *err, size_t errlen);
void bg_fwd_state_free(struct bg_fwd_state *s);
/* Make the TAP of fs a bond in st (options, ports as its slaves, active
 * port), as the planner expects a kernel bond. */
int bg_fwd_state_overlay(struct bg_nl_state *st, const struct bg_fwd_state *fs);
/* Wait until BOND's bondgend answers `state` (it listens once its device
 * is up and its ports taken), at most ms; with pid > 0, give up when that
 * process is gone (-ESRCH). -ETIMEDOUT after ms; why says it in words. */
int bg_fwd_wait_ready(const char *bond, pid_t pid, int ms, char *why, size_t whylen);
/* Stop BOND's bondgend (its unit, else SIGTERM) and wait until it is gone. */
int bg_fwd_stop(const char *bond, char *err, size_t errlen);
/* Complete the plan of a bondgend bond (plan.c) with the ports it keeps
 * without a device: model ports not present are asked for (an enslave
 * step, sent as "pending NAME"), kept ports the model does not name are
 * released. */
int bg_plan_fwd_pending(const struct bg_bond *b, const struct bg_nl_state *st, const struct bg_fwd_state *fs,
                        struct bg_plan *p);
/* Start BOND's bondgend from text (a one-bond model, as
 * bg_snapshot_fwd_model() gives it) handed over as RUNDIR/BOND.yaml (its
 * unit when systemd runs), as apply does for a new user-space bond. */
int bg_apply_start_fwd(const struct bg_bond *b, const char *text, size_t len, bg_report_fn report, void *userdata,
                       struct bg_diags *diags);
/* "VERB name=value ...\n" for the options of a step (active_slave left out). */
int bg_fwd_opts_request(const char *verb, const struct bg_nl_bond_opts *o, char *buf, size_t len);

/* ---- transactions (txn.c) ----
 * A snapshot is what the bonds an apply touches looked like before: bonds
 * that existed as model bonds written from the kernel's report (every
 * option, ports in the kernel's order, MTU, MAC, addresses, static
 * routes), bonds that did not exist, the up/down state of each bond and
 * port concerned, and active ports. */
struct bg_snap_link {
        char name[IFNAMSIZ];
        bool up;
};

struct bg_snap_active {
        char bond[IFNAMSIZ];
        char port[IFNAMSIZ];
};

/* RUNDIR/BOND.yaml as it was (bg_fwd_model_path): what a restart of the
 * bond's bondgend would have started from. */
struct bg_snap_handed {
        char bond[IFNAMSIZ];
        char *data;             /* NULL: there was none */
        size_t len;
};

struct bg_snapshot {
        struct bg_model model;
        char (*created)[IFNAMSIZ];
        size_t n_created;
        struct bg_snap_link *links;
        size_t n_links;
        struct bg_snap_active *active;
        size_t n_active;
        struct bg_snap_handed *handed;
        size_t n_handed;
};

void bg_snapshot_init(struct bg_snapshot *s);
void bg_snapshot_free(struct bg_snapshot *s);
bool bg_snapshot_empty(const struct bg_snapshot *s);
/* Record model bond b (and the ports it names) as it is in st, once. */
int bg_snapshot_add_bond(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_bond *b);
/* The same for a bondgend bond, st overlaid with its state fs; with it
 * bondgend's own VLAN devices (fs's vlan lines, where the kernel has no
 * 802.1Q) as VLANs of the snapshot's model on the bond: id, MTU, MAC
 * when it is not the bond's (without one it follows the bond's),
 * addresses and routes. */
int bg_snapshot_add_fwd_bond(struct bg_snapshot *s, const struct bg_nl_state *st, const struct bg_bond *b,
                             const struct bg_fwd_state *fs);
int bg_snapshot_add_created(struct bg_snapshot *s, const char *bond);
/* A VLAN or bridge (bridge true) of the model as it is in st, once: its
 * state, or "created" when it does not exist yet (the rollback deletes
 * it). A link of another kind is not recorded: apply refuses it. */
int bg_snapshot_add_stacked(struct bg_snapshot *s, const struct bg_nl_state *st, const char *name, bool bridge);
int bg_snapshot_add_active(struct bg_snapshot *s, const char *bond, const char *port);
int bg_snapshot_add_link_state(struct bg_snapshot *s, const char *name, bool up);
/* RUNDIR/BOND.yaml's bytes (data NULL: there was none), once per bond. */
int bg_snapshot_add_handed(struct bg_snapshot *s, const char *bond, const char *data, size_t len);
/* What a rollback starts bond b's bondgend from (b: the snapshot's): the
 * RUNDIR/BOND.yaml it would have restarted from before the change, byte
 * for byte, when the snapshot has it; else the snapshot's bond with the
 * VLANs on it, as canonical YAML. *text malloc'd. */
int bg_snapshot_fwd_model(const struct bg_snapshot *s, const struct bg_bond *b, char **text, size_t *len);
/* Bring the system back to the snapshot, reporting each step as
 * "BOND: restore: ..."; returns 0 or the first failure (the rest is still
 * tried). */
int bg_snapshot_restore(struct bg_nl *nl, const struct bg_snapshot *s, bg_report_fn report,
                        void *userdata, struct bg_diags *diags);
/* A snapshot as two files: PATH (canonical YAML of the bonds) and
 * PATH.state (created/link/active/handed lines, each handed model's bytes
 * after its line), both written atomically. */
int bg_snapshot_save(const struct bg_snapshot *s, const char *path);
int bg_snapshot_load(const char *path, struct bg_snapshot *s, struct bg_diags *diags);
/* Snapshot every bond of m that is not skipped (and, with prune, every
 * kernel bond m does not name) as the system has it now. */
int bg_snapshot_take(const struct bg_model *m, const bool *skip, bool prune, struct bg_snapshot *s);

/* ---- apply --try (try.c) ----
 * Files in RUNDIR/try/: previous.yaml(.state), pending, lock. */
struct bg_try_info {
        time_t started, deadline;
        long long armed_ms;        /* CLOCK_BOOTTIME (/proc/uptime) at arming, ms */
        unsigned seconds;
        pid_t pid;                 /* the sleeping timer process, or 0 */
        char unit[128];            /* the transient systemd unit, or "" */
};

/* Create RUNDIR/try and hold its lock: returns the fd (close to release). */
int bg_try_lock(const char *rundir);
/* 1 and info when a try is pending, 0 when not, -errno. */
int bg_try_pending(const char *rundir, struct bg_try_info *info);
/* Start the rollback timer running `exe rollback --timer` after `seconds`
 * and write RUNDIR/try/pending. */
int bg_try_arm(const char *rundir, const char *exe, unsigned seconds, struct bg_try_info *info);
/* Stop the timer of a pending try (confirm). */
void bg_try_disarm(const struct bg_try_info *info);
/* Remove pending and the snapshot files. */
void bg_try_clear(const char *rundir);
