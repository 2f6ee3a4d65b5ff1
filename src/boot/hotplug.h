/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The udev hotplug helper's decision (hotplug.c), separate from acting on
 * it so that it can be tested without privileges against a fake root. */
#include <stdbool.h>

#include "model/diag.h"

#define IFNAMSIZ_BG 16

/* sysfs gives every attribute file the size of a page (4096, or 65536 on
 * 64 KiB-page machines) whatever it holds: the limit for reading one */
#define BG_SYSFS_ATTR_MAX 65536

enum bg_hotplug_action {
        BG_HP_NOT_A_PORT,    /* no bond names this interface: nothing to do */
        BG_HP_BOND_NOT_UP,   /* a port, but its bond does not exist yet */
        BG_HP_ALREADY,       /* already a port of that bond */
        BG_HP_KERNEL,        /* enslave over rtnetlink */
        BG_HP_SOCKET,        /* "enslave IFACE" on bondgend's control socket */
};

struct bg_hotplug_decision {
        enum bg_hotplug_action action;
        char ifname[IFNAMSIZ_BG];
        char bond[IFNAMSIZ_BG];
        char sock[108];      /* sun_path of the control socket (BG_HP_SOCKET) */
        /* BG_HP_KERNEL: the interface is the model's first port of a bond
         * that takes its MAC from that port; mac is the interface's */
        bool first_port;
        char mac[18];
};

const char *bg_hotplug_action_name(enum bg_hotplug_action a);

/* Read the model (root/etc/bondgen/\*.yaml, else root/run/bondgen/\*.yaml)
 * and root/sys, decide for ifname. mac: the interface's address, or NULL to
 * read root/sys/class/net/IFNAME/address. Returns 0, -EINVAL (a name that
 * cannot be an interface), -ENOMEM. Model problems go to diags. */
int bg_hotplug_decide(const char *root, const char *ifname, const char *mac,
                      struct bg_hotplug_decision *out, struct bg_diags *diags);
