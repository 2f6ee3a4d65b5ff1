/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The data path of bondgend (dp.c): frames between the TAP and the ports.
 * The rest of the I/O layer (enslave.c, events.c, timers.c, ctl.c) owns
 * the lifecycle and calls in here; the data path takes no lock and does no
 * allocation per frame, and logs only on errors that end a batch.
 */
#include <stdint.h>
#include <time.h>

#include "fwd/io/core.h"

/* p->core of every enslaved port: its I/O state and the core it belongs
 * to, so the per-port event callback finds both. */
struct bg_dp_port {
        struct bg_port_io io;
        struct bg_core *core;
};

/* What b->vlans[] point at (vtap.c): a VLAN device of bondgend's, its
 * event source and the core it belongs to. */
struct bg_dp_vlan {
        struct bg_fwd_vlan v;
        struct bg_core *core;
        sd_event_source *src;
};
static inline struct bg_core *bg_core_of_vlan(const struct bg_fwd_vlan *v) {
        return ((const struct bg_dp_vlan *) v)->core;
}

/* Buffers and batch state of one bond (c->dp). */
int bg_dp_init(struct bg_core *c);
void bg_dp_free(struct bg_core *c);
/* Whether TAP reads and writes go in batches (io_uring: tapio.h). */
bool bg_dp_batched(const struct bg_core *c);

/* sd-event handlers: the TAP is readable (userdata = the core), a port is
 * readable (userdata = the struct bg_fwd_port). */
int bg_dp_on_tap(sd_event_source *s, int fd, uint32_t revents, void *userdata);
int bg_dp_on_port(sd_event_source *s, int fd, uint32_t revents, void *userdata);
/* One of bondgend's VLAN devices is readable (userdata = its struct bg_fwd_vlan). */
int bg_dp_on_vtap(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* p is being released: forget the frames still queued for it. */
void bg_dp_port_forget(struct bg_core *c, struct bg_fwd_port *p);

/* One frame built by the logic layer (LACPDU, ARP probe, gratuitous ARP),
 * sent at once: struct bg_fwd_io.send. */
int bg_dp_send(struct bg_fwd *b, struct bg_fwd_port *p, const struct bg_fwd_frame *fr);

static inline uint64_t bg_dp_now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}
