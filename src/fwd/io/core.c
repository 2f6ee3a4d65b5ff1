/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The forwarder core: set-up, the sd-event loop and the clean stop, the
 * I/O the logic layer calls (struct bg_fwd_io), logging and status. The
 * rest of the I/O layer, one concern a file: enslave.c (a port's
 * lifecycle), events.c (rtnetlink link and address events), timers.c,
 * addr.c (the bond's addresses), instance.c (the instance lock, the TAP
 * kept between runs), dp.c (the frames themselves).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "fwd/io/core-int.h"
#include "fwd/io/rundir.h"
#include "netlink/netlink.h"
#include "util/util.h"

#define now_usec bg_dp_now_usec

void bg_core_log(struct bg_core *c, int level, const char *fmt, ...) {
        char msg[600];
        va_list ap;

        if (level > c->log_level)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (c->journal)
                sd_journal_print(level, "%s: %s", c->bond.name, msg);
        else
                fprintf(stderr, "bondgend: %s: %s\n", c->bond.name, msg);
}

/* At most 5 refusal messages per 10 s: a client looping on a refused
 * request must not flood the journal. The number left out is told with
 * the next message that is let through. */
bool bg_core_ratelimit(struct bg_core *c) {
        uint64_t now = now_usec();

        if (now - c->rl_start > 10000000u) {
                if (c->rl_suppressed)
                        bg_core_log(c, LOG_NOTICE, "%u similar messages suppressed", c->rl_suppressed);
                c->rl_start = now;
                c->rl_count = 0;
                c->rl_suppressed = 0;
        }
        if (c->rl_count < 5) {
                c->rl_count++;
                return true;
        }
        c->rl_suppressed++;
        return false;
}

void bg_core_update_status(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        size_t up = 0;

        for (size_t i = 0; i < b->n_ports; i++)
                up += bg_fwd_port_up(b->ports[i]);
        sd_notifyf(false, "STATUS=%s: %s, %zu/%zu ports up%s%s", b->name, b->carrier ? "up" : "no carrier",
                   up, b->n_ports, b->active && b->ops->uses_active ? ", active " : "",
                   b->active && b->ops->uses_active ? b->active->name : "");
}


/* ---- I/O for the logic layer ---- */

static int io_set_port_mac(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t mac[6]) {
        return bg_fwd_link_set_mac(p->name, mac);
}

static int io_set_bond_mac(struct bg_fwd *b, const uint8_t mac[6]) {
        int r = bg_fwd_link_set_mac(b->name, mac);

        if (r >= 0) {
                memcpy(b->mac, mac, 6);
                bg_core_vlans_follow(bg_core_of(b));
        }
        return r;
}


static void io_carrier_changed(struct bg_fwd *b) {
        struct bg_core *c = bg_core_of(b);

        if (b->tap_fd >= 0)
                (void) bg_tap_set_carrier(b->tap_fd, b->carrier);
        bg_core_vlans_follow(c);
        bg_core_update_status(c);
}

static void io_log(struct bg_fwd *b, int level, const char *msg) {
        bg_core_log(bg_core_of(b), level, "%s", msg);
}

static void io_port_speed(struct bg_fwd *b, struct bg_fwd_port *p) {
        uint32_t speed;
        uint8_t duplex;

        bg_fwd_link_get_speed(p->name, &speed, &duplex);
        if (speed != p->speed_mbps || duplex != p->duplex)
                bg_core_log(bg_core_of(b), LOG_INFO, "%s: speed %u Mb/s, %s duplex", p->name, speed,
                            duplex == 1 ? "full" : duplex == 0 ? "half" : "unknown");
        p->speed_mbps = speed;
        p->duplex = duplex;
}

static bool io_ipv6_router(struct bg_fwd *b) {
        int v = 0;

        return bg_fwd_sysctl_get("ipv6", b->name, "forwarding", &v) == 0 && v > 0;
}

/* The port's ingress chain lets link-local frames through to its own
 * stack while the bond treats it as inactive (ingress.c). A change is one
 * nf_tables transaction; the kernel processes it inside sendmsg(), so the
 * ack is waiting when we read it (tens of microseconds, logged). */
void bg_core_ingress_follow(struct bg_core *c, struct bg_fwd_port *p) {
        bool pass = p->present && p->rx_disabled;
        uint64_t t0;
        int r;

        if (!c->ingress)
                return;
        t0 = now_usec();
        r = bg_ingress_link_local(c->ingress, p->name, p->present ? p->ifindex : 0, pass);
        if (r < 0 && bg_core_ratelimit(c))
                bg_core_log(c, LOG_WARNING, "%s: link-local frames %s the port's stack: %s", p->name,
                            pass ? "cannot be let through to" : "may still reach", strerror(-r));
        else if (r > 0)
                bg_core_log(c, LOG_DEBUG, "%s: link-local frames %s the port's stack (%" PRIu64 " us)", p->name,
                            pass ? "reach" : "no longer reach", now_usec() - t0);
}

/* What an inactive port's socket still takes (logic/rxkeep.c): only the
 * frames the mode's rx hook or the ARP/NS monitor reads there, as the
 * kernel's bond_handle_frame() runs its receive probe and then drops the
 * frame (RX_HANDLER_EXACT), at the cost of its receive path only. The rest
 * costs no copy, no wake-up and no read, so a broadcast storm on an
 * inactive link costs bondgend what it costs the kernel bond. Link-local
 * frames still reach the port's own stack (bg_core_ingress_follow()).
 * Called when the port's inactive flag changes, when its socket is new or
 * handed over (it may carry the last bondgend's filter) and when options
 * change (bg_core_rx_filter_all()). */
void bg_core_rx_filter_follow(struct bg_core *c, struct bg_fwd_port *p) {
        struct sock_filter prog[160];
        struct bg_fwd_keep k;
        int n, r;

        if (!p->present || p->fd < 0)
                return;
        bg_fwd_rx_keep(&c->bond, p, &k);
        n = bg_fwd_rx_keep_prog(&k, prog, sizeof(prog) / sizeof(prog[0]));
        r = n < 0 ? n : bg_port_rx_filter(p->fd, prog, (size_t) n);
        if (r < 0) {
                /* taking every frame is what bondgend did without a filter:
                 * never leave a filter that keeps too little */
                (void) bg_port_rx_filter(p->fd, NULL, 0);
                if (bg_core_ratelimit(c))
                        bg_core_log(c, LOG_WARNING, "%s: the port's socket takes every frame: %s", p->name,
                                    strerror(-r));
        } else
                bg_core_log(c, LOG_DEBUG, "%s: the port's socket takes %s (filter 0x%x, %d instructions)", p->name,
                            !n ? "every frame" : k.what ? "what bondgend reads on an inactive port" : "no frame",
                            k.what, n);
}

void bg_core_rx_filter_all(struct bg_core *c) {
        for (size_t i = 0; i < c->bond.n_ports; i++)
                bg_core_rx_filter_follow(c, c->bond.ports[i]);
}

static void io_rx_state(struct bg_fwd *b, struct bg_fwd_port *p) {
        bg_core_ingress_follow(bg_core_of(b), p);
        bg_core_rx_filter_follow(bg_core_of(b), p);
}

static const struct bg_fwd_io core_io = {
        .send = bg_dp_send,
        .set_port_mac = io_set_port_mac,
        .set_bond_mac = io_set_bond_mac,
        .bond_addrs = bg_core_io_bond_addrs,
        .groups = bg_core_io_groups,
        .ipv6_router = io_ipv6_router,
        .ipv6_optimistic = bg_core_io_ipv6_optimistic,
        .arm_igmp = bg_core_arm_igmp,
        .stacked = bg_core_io_stacked,
        .route4 = bg_core_io_route4,
        .carrier_changed = io_carrier_changed,
        .log = io_log,
        .port_speed = io_port_speed,
        .rx_state = io_rx_state,
};

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct bg_core *c = userdata;

        bg_core_log(c, LOG_INFO, "signal %u: restoring ports and exiting", si->ssi_signo);
        sd_event_exit(c->ev, 0);
        return 0;
}

/* ---- lifecycle ---- */

static void found_add(void *ctx, const char *name, const struct bg_port_io *io) {
        bg_core_found_add(ctx, name, io);
}

/* Blocked from the start, before any port is touched, and handled by the
 * loop: a signal that arrives while ports are being set up ends the run
 * through the same clean stop. */
static void block_signals(void) {
        sigset_t ss;

        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigaddset(&ss, SIGHUP);
        sigprocmask(SIG_BLOCK, &ss, NULL);
}

/* Each step says what failed (c->step), for the one message main prints. */
#define STEP(what, expr)                 \
        do {                             \
                c->step = (what);        \
                if ((r = (expr)) < 0)    \
                        return r;        \
        } while (0)

int bg_core_init(struct bg_core *c, const char *name, const struct bg_fwd_params *p,
                 const uint8_t *mac, uint32_t mtu) {
        struct bg_fwd *b = &c->bond;
        int r;

        memset(c, 0, sizeof(*c));
        c->ctl_fd = -1;
        c->lock_fd = -1;
        c->handed_tap = -1;
        block_signals();
        c->log_level = LOG_INFO;
        b->tap_fd = -1;
        c->step = "check the bond name";
        if (strlen(name) >= sizeof(b->name))
                return -EINVAL;
        strcpy(b->name, name);
        b->p = *p;
        c->step = "find the bonding mode";
        b->ops = bg_fwd_mode_find(p->mode);
        if (!b->ops)
                return -EOPNOTSUPP;
        b->io = &core_io;
        b->mtu = mtu ? mtu : 1500;
        b->now = now_usec();
        c->journal = getenv("JOURNAL_STREAM") != NULL;

        STEP("allocate the frame buffers", bg_dp_init(c));
        STEP("set up the bonding mode", bg_fwd_mode_setup(b));
        STEP("create the event loop", sd_event_default(&c->ev));
        STEP("open the run directory (owned by root or bondgend's user, writable by no one else)",
             bg_rundir_open(NULL, 0));
        c->step = "take the instance lock in the run directory";
        r = bg_core_take_instance_lock(c, name);
        /* held: a running bondgend serves the bond; it hands it over */
        if (r == -EADDRINUSE)
                r = bg_core_handover_take(c, name);
        if (r < 0)
                return r;
        STEP("check for a running bondgend", bg_ctl_probe_live(name));
        snprintf(c->state_path, sizeof(c->state_path), "%s/%s.state", bg_rundir(), name);
        /* A crashed run's ports are given back; a handed-over bond's stay
         * as they are, and how they were found is kept for our stop. */
        if (c->took_over)
                bg_port_state_each(c->state_path, bg_core_recover_log, found_add, c);
        else
                bg_port_state_recover(c->state_path, bg_core_recover_log);

        STEP("open an rtnetlink socket", bg_nl_open(&c->rtnl));
        STEP("subscribe to rtnetlink link and address events", bg_nl_open_events(&c->nl));
        STEP("watch rtnetlink events", sd_event_add_io(c->ev, &c->nl_src, bg_nl_fd(c->nl), EPOLLIN, bg_core_on_netlink, c));
        r = bg_core_route_open(c);
        if (r < 0) {
                bg_core_log(c, LOG_WARNING, "no rtnetlink socket for the routes to the ARP targets (%s): probes "
                            "go untagged from the bond's address", strerror(-r));
                bg_core_route_close(c);
        }
        r = bg_ingress_open(name, p->mode == BG_MODE_8023AD, &c->ingress);
        if (r < 0)
                bg_core_log(c, LOG_WARNING, "no nftables netdev ingress hook (%s): only sysctls keep the host stack "
                            "off the ports", strerror(-r));
        STEP("create or attach the TAP device (is another device using the name?)", bg_core_open_tap(c, name));
        /* a handed-over bond keeps its carrier: no link flap for the host
         * stack and what is stacked on the bond */
        if (!c->took_over)
                (void) bg_tap_set_carrier(b->tap_fd, false);
        if (mac) {
                memcpy(b->mac, mac, 6);
                STEP("set the bond's MAC address", bg_fwd_link_set_mac(name, mac));
        } else {
                (void) bg_fwd_link_get_mac(name, b->mac);
                b->mac_from_port = true;
        }
        STEP("set the bond's MTU", bg_fwd_link_set_mtu(name, b->mtu));
        STEP("watch the TAP device", sd_event_add_io(c->ev, &c->tap_src, b->tap_fd, EPOLLIN, bg_dp_on_tap, c));
        bg_core_log(c, LOG_DEBUG, "TAP reads and writes: %s", bg_dp_batched(c) ? "batched with io_uring" :
                    "one system call per frame");
        c->step = NULL;
        return 0;
}

void bg_core_read_sock_drops(struct bg_core *c, struct bg_fwd_port *p) {
        struct bg_fwd *b = &c->bond;

        for (size_t i = 0; i < b->n_ports; i++) {
                struct bg_fwd_port *q = b->ports[i];
                uint32_t n;

                if ((p && q != p) || q->fd < 0)
                        continue;
                if (bg_port_read_drops(q->fd, &n) == 0)
                        bg_fwd_port_add_sock_drops(&q->stats, n);
        }
        if (!p)
                c->drops_read = bg_dp_now_usec();
}

int bg_core_run(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        int r;

        /* SIGHUP (a closed terminal, or a reload request) stops as cleanly
         * as SIGTERM: its default action would end the daemon without
         * giving the ports back. A peer closing the control socket must
         * not kill it either. */
        bg_core_handover_finish(c);
        c->step = "watch for signals";
        r = sd_event_add_signal(c->ev, NULL, SIGTERM, on_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->ev, NULL, SIGINT, on_signal, c);
        if (r >= 0)
                r = sd_event_add_signal(c->ev, NULL, SIGHUP, on_signal, c);
        if (r < 0)
                return r;
        r = bg_core_start_timers(c);
        if (r < 0)
                return r;
        (void) sd_event_set_watchdog(c->ev, true);

        STEP("set the bond device up", bg_fwd_link_set_flags(b->name, IFF_UP, 0));
        bg_core_configure_addresses(c);
        bg_core_vlans_start(c);
        bg_core_stacked_read(c);
        /* addresses present before the event socket saw them */
        (void) bg_core_on_netlink(NULL, -1, 0, c);
        bg_core_read_addresses(c);
        /* the first active port was chosen while the ports were
         * enslaved, before the addresses above were known; a handed-over
         * bond changed nothing the partner must hear */
        if (!c->took_over)
                bg_fwd_peer_notif_restart(b);
        STEP("listen on the control socket", bg_ctl_listen(c));
        c->step = NULL;
        bg_core_update_status(c);
        sd_notify(false, "READY=1");
        bg_core_log(c, LOG_INFO, "running in mode %s with %zu port(s), %zu pending", b->ops->name,
                    b->n_ports, b->n_pending);
        r = sd_event_loop(c->ev);
        sd_notify(false, "STOPPING=1");
        return r;
}

void bg_core_free(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;

        if (c->poll) {
                bg_linkpoll_stop(c->poll);
                c->poll = NULL;
                sd_event_source_disable_unref(c->poll_src);
                close(c->poll_fd);
        }
        /* Give every port back as it was found, without failing over
         * between them on the way out; handed over, they stay as they
         * are for the next bondgend (handover.c), and so do the state
         * file, the VLAN devices and the bond device. */
        while (b->n_ports) {
                struct bg_fwd_port *p = b->ports[b->n_ports - 1];
                struct bg_dp_port *pa = (struct bg_dp_port *) p->core;
                sd_event_source_disable_unref(pa->io.src);
                bg_port_close(&pa->io, p->fd);
                if (!c->handed_over && bg_fwd_link_ifindex(p->name) > 0)
                        bg_core_port_restore(c, p->name, &pa->io);
                b->active = NULL;
                bg_fwd_port_free(b, p);
                free(pa);
        }
        bg_core_handover_finish(c);   /* what a failed start did not use */
        bg_ingress_close(c->ingress);
        bg_core_route_close(c);
        bg_ctl_close(c);
        if (c->state_path[0] && !c->handed_over)
                (void) unlink(c->state_path);
        bg_core_vlans_free(c);
        sd_event_source_disable_unref(c->tap_src);
        sd_event_source_disable_unref(c->nl_src);
        sd_event_source_disable_unref(c->mii_src);
        sd_event_source_disable_unref(c->arp_src);
        sd_event_source_disable_unref(c->tick_src);
        sd_event_source_disable_unref(c->igmp_src);
        /* Run by hand, a stop deletes the device; under a service manager
         * its fd store keeps it until the unit is stopped (instance.c: bg_core_open_tap()). */
        if (b->tap_fd >= 0 && !c->fdstore && !c->handed_over)
                (void) bg_tap_set_persist(b->tap_fd, false);
        if (b->tap_fd >= 0)
                close(b->tap_fd);
        bg_nl_close(c->nl);
        bg_nl_close(c->rtnl);
        bg_fwd_mode_teardown(b);
        sd_event_unref(c->ev);
        bg_dp_free(c);
        if (c->handed_tap >= 0)
                close(c->handed_tap);
        if (c->lock_fd >= 0)
                close(c->lock_fd);   /* last: the ports are given back */
}

