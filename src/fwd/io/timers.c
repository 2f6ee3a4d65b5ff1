/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loop's timers: the MII and ARP monitors' ticks, the mode's own
 * tick (LACP, TLB/ALB rebalancing), and the link poller that feeds the
 * MII monitor.
 */
#include <systemd/sd-event.h>
#include <time.h>

#include "fwd/io/core-int.h"

#define now_usec bg_dp_now_usec

/* Monitor timers fire within BG_TIMER_ACCURACY of their time (sd-event's
 * default accuracy, 250 ms, would make a 100 ms miimon tick late and then
 * catch up in bursts). A tick less than a period late keeps the next one
 * on its grid; one held up a period or more (the process starved of CPU)
 * schedules the next a whole period after now, as the kernel's delayed
 * work re-queues itself, instead of firing the missed ones back to back.
 * Delays counted in ticks (updelay, downdelay, as bond_miimon_inspect()
 * counts them) then grow by the ticks not run, as the kernel's would. */
#define BG_TIMER_ACCURACY 1000   /* usec */

static void rearm(sd_event_source *s, uint64_t usec, uint64_t period) {
        uint64_t now = 0, next = usec + period;

        if (sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now) >= 0 && next <= now)
                next = now + period;
        (void) sd_event_source_set_time(s, next);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int on_mii(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        bg_fwd_mon_mii_tick(&c->bond);
        if (c->bond.now - c->drops_read >= BG_CORE_DROPS_PERIOD)
                bg_core_read_sock_drops(c, NULL);
        rearm(s, usec, (uint64_t) c->bond.p.miimon * 1000);
        return 0;
}

static int on_arp(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        bg_fwd_mon_arp_tick(&c->bond);
        rearm(s, usec, (uint64_t) c->bond.p.arp_interval * 1000);
        return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        if (c->bond.ops->tick)
                c->bond.ops->tick(&c->bond);
        rearm(s, usec, c->bond.ops->tick_usec);
        return 0;
}

static int add_timer(struct bg_core *c, sd_event_source **src, uint64_t period, sd_event_time_handler_t cb) {
        uint64_t now;
        int r;

        r = sd_event_now(c->ev, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        return sd_event_add_time(c->ev, src, CLOCK_MONOTONIC, now + period, BG_TIMER_ACCURACY, cb, c);
}


static int on_igmp(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bg_core *c = userdata;

        c->bond.now = now_usec();
        bg_fwd_igmp_tick(&c->bond);   /* re-arms through bg_core_arm_igmp() while rounds are left */
        return 0;
}

void bg_core_arm_igmp(struct bg_fwd *b, uint64_t usec) {
        struct bg_core *c = bg_core_of(b);
        uint64_t now;

        if (!c->ev || sd_event_now(c->ev, CLOCK_MONOTONIC, &now) < 0)
                return;
        if (c->igmp_src) {
                (void) sd_event_source_set_time(c->igmp_src, now + usec);
                (void) sd_event_source_set_enabled(c->igmp_src, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_add_time(c->ev, &c->igmp_src, CLOCK_MONOTONIC, now + usec, BG_TIMER_ACCURACY,
                                         on_igmp, c);
}

int bg_core_start_timers(struct bg_core *c) {
        struct bg_fwd *b = &c->bond;
        int r;

        c->step = "start the MII monitor timer";
        if (b->p.miimon && (r = add_timer(c, &c->mii_src, (uint64_t) b->p.miimon * 1000, on_mii)) < 0)
                return r;
        if (b->p.miimon) {
                c->step = "start the link poller";
                r = bg_linkpoll_start(b->p.miimon, &c->poll_fd, &c->poll);
                if (r < 0)
                        return r;
                bg_linkpoll_set(c->poll, b);
                r = sd_event_add_io(c->ev, &c->poll_src, c->poll_fd, EPOLLIN, bg_core_on_poll, c);
                if (r < 0)
                        return r;
        }
        c->step = "start the ARP monitor timer";
        if (b->p.arp_interval) {
                b->now = now_usec();
                bg_fwd_mon_arp_start(b);
                /* the first tick at once, as bond_open() queues it */
                if ((r = add_timer(c, &c->arp_src, 0, on_arp)) < 0)
                        return r;
        }
        c->step = "start the mode's timer";
        if (b->ops->tick && b->ops->tick_usec && (r = add_timer(c, &c->tick_src, b->ops->tick_usec, on_tick)) < 0)
                return r;
        return 0;
}

void bg_core_stop_timers(struct bg_core *c) {
        if (c->poll) {
                bg_linkpoll_stop(c->poll);
                c->poll = NULL;
                c->poll_src = sd_event_source_disable_unref(c->poll_src);
                close(c->poll_fd);
                c->poll_fd = -1;
        }
        c->mii_src = sd_event_source_disable_unref(c->mii_src);
        c->arp_src = sd_event_source_disable_unref(c->arp_src);
        c->tick_src = sd_event_source_disable_unref(c->tick_src);
}
