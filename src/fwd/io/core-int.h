/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * What the files of bondgend's I/O core share with one another and with
 * nobody else (main.c and ctl.c use core.h): core.c, enslave.c,
 * events.c, timers.c, addr.c and instance.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "fwd/io/core.h"
#include "fwd/io/dp.h"

static inline struct bg_core *bg_core_of(struct bg_fwd *b) {
        return (struct bg_core *) b;   /* bond is the first member */
}

/* core.c: the service manager's STATUS= line */
void bg_core_update_status(struct bg_core *c);

/* enslave.c */
void bg_core_pending_add(struct bg_fwd *b, const char *name);
/* Give a port back: the ingress drop first, then the state it was found in. */
void bg_core_port_restore(struct bg_core *c, const char *name, const struct bg_port_io *io);
/* Bring p's ingress exception for link-local frames in line with
 * p->rx_disabled (core.c). */
void bg_core_ingress_follow(struct bg_core *c, struct bg_fwd_port *p);
/* Bring p's socket filter in line with what bondgend reads on it
 * (logic/rxkeep.c; core.c); _all: every port, after an option change. */
void bg_core_rx_filter_follow(struct bg_core *c, struct bg_fwd_port *p);
void bg_core_rx_filter_all(struct bg_core *c);
/* Release p; gone: its device was deleted (nothing to restore). */
void bg_core_release_port(struct bg_core *c, struct bg_fwd_port *p, bool gone);

/* events.c: sd-event handlers (s may be NULL to drain at once) */
int bg_core_on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata);
int bg_core_on_poll(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* timers.c: the monitors' and the mode's timers and the link poller */
int bg_core_start_timers(struct bg_core *c);
/* ... and stop them all (a mode rebuilt, miimon or arp_interval changed:
 * reconf.c) */
void bg_core_stop_timers(struct bg_core *c);
/* struct bg_fwd_io.arm_igmp */
void bg_core_arm_igmp(struct bg_fwd *b, uint64_t usec);

/* addr.c: the bond's addresses as the logic layer sees them */
struct bg_nl_addr;
/* An address the bond may announce: not an IPv6 address still in (or
 * failed) duplicate address detection, as ndisc_send_unsol_na() skips
 * IFA_F_TENTATIVE ones that are not also optimistic. */
bool bg_core_addr_usable(const struct bg_nl_addr *a);
void bg_core_addr_event(struct bg_core *c, const struct bg_nl_addr *a, bool dumped);
/* struct bg_fwd_io.ipv6_optimistic */
bool bg_core_io_ipv6_optimistic(struct bg_fwd *b, const uint8_t addr[16]);
int bg_core_io_bond_addrs(struct bg_fwd *b, uint32_t *v4, size_t max4, size_t *n4, uint8_t (*v6)[16],
                          size_t max6, size_t *n6);
void bg_core_read_addresses(struct bg_core *c);
int bg_core_io_groups(struct bg_fwd *b, int ifindex, struct bg_fwd_groups *g);
/* The model's addresses and routes on the bond (c->configure_addresses). */
void bg_core_configure_addresses(struct bg_core *c);
/* The static addresses and routes of an interface of the model on ifindex
 * (name for the messages). */
void bg_core_configure_l3(struct bg_core *c, const char *name, int ifindex, const struct bg_ipcfg *v4,
                          const struct bg_ipcfg *v6);
/* stacked.c: the devices stacked on the bond, from rtnetlink */
struct bg_nl_link;
void bg_core_stacked_link(struct bg_core *c, const struct bg_nl_link *l);
void bg_core_stacked_addr(struct bg_core *c, const struct bg_nl_addr *a);
/* all of them afresh (at the start of the run) */
void bg_core_stacked_read(struct bg_core *c);
/* struct bg_fwd_io.stacked */
size_t bg_core_io_stacked(struct bg_fwd *b, const struct bg_fwd_dev **devs, int *root);
/* route.c: the routes to the ARP targets (struct bg_fwd_io.route4) */
int bg_core_route_open(struct bg_core *c);
void bg_core_route_close(struct bg_core *c);
int bg_core_io_route4(struct bg_fwd *b, uint32_t dst_be);
/* instance.c: a TAP fd the service manager kept under fdname, or -1 */
int bg_core_take_kept(struct bg_core *c, const char *fdname);

/* instance.c */
int bg_core_take_instance_lock(struct bg_core *c, const char *name);
/* A service manager keeps our descriptors (FileDescriptorStoreMax=). */
bool bg_core_have_fdstore(void);
void bg_core_recover_log(const char *msg);
/* Create the TAP, or take the one the service manager or an earlier run
 * kept (c->reattached, c->fdstore). */
int bg_core_open_tap(struct bg_core *c, const char *name);

/* handover.c: the lock is held by a running bondgend: ask it for the
 * bond, then wait for its lock; -EADDRINUSE when it does not hand over. */
int bg_core_handover_take(struct bg_core *c, const char *name);
/* How the last bondgend found the port name (the state file it left) into
 * io's orig_*, when known. */
void bg_core_found_add(struct bg_core *c, const char *name, const struct bg_port_io *io);
void bg_core_found_apply(struct bg_core *c, const char *name, struct bg_port_io *io);
/* The AF_PACKET socket of port name the last bondgend handed over, if it
 * is bound to ifindex; else -1. */
int bg_core_handed_port(struct bg_core *c, const char *name, int ifindex);
/* After the model's ports are enslaved: the last bondgend's ports this
 * model does not name are given back; unused sockets closed. */
void bg_core_handover_finish(struct bg_core *c);
