/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * The handover of a running bond from one bondgend to the next (bondgend(8),
 * HANDOVER): the request on the control socket and the answer that goes
 * with the file descriptors, one line per descriptor in the order of the
 * descriptors (SCM_RIGHTS): "tap NAME" (the bond's TAP), "port NAME" (a
 * port's AF_PACKET socket), "vtap NAME" (a VLAN device of bondgend's).
 * Pure text, no I/O: io/handover.c sends and receives.
 */
#include <stddef.h>

#include "fwd/logic/mode.h"

#define BG_HANDOVER_REQUEST "handover"
/* the bond's TAP, its ports' sockets, its VLAN devices; under the kernel's
 * SCM_MAX_FD (253) */
#define BG_HANDOVER_MAX_FDS (1 + BG_FWD_MAX_PORTS + BG_FWD_MAX_VLANS)

enum bg_handover_kind { BG_HO_TAP, BG_HO_PORT, BG_HO_VTAP };

struct bg_handover_fd {
        enum bg_handover_kind kind;
        char name[16];   /* an interface name: IFNAMSIZ */
};

/* The answer's body for n descriptors into buf: 0, or -ENOBUFS when it
 * does not fit, -EINVAL for a bad name or count. */
int bg_handover_format(const struct bg_handover_fd *fds, size_t n, char *buf, size_t len);
/* The body received with nfds descriptors (at most BG_HANDOVER_MAX_FDS)
 * into out: 0, or -EBADMSG when a line is not one of the three forms, a
 * name is not an interface name, a name comes twice for one kind, there
 * is more than one tap, or the lines and the descriptors differ in number. */
int bg_handover_parse(const char *body, size_t nfds, struct bg_handover_fd *out);
