/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ARP monitor (bond_main.c:bond_loadbalance_arp_mon(),
 * bond_activebackup_arp_mon()): every arp_interval
 * ms, ARP requests to each arp_ip_target; a port is up while it both sends
 * and receives within the allowed number of intervals. Load-balancing modes
 * probe on every port; active-backup probes on the active port only, or
 * rotates a probing port while there is none. The NS/NA targets ride on
 * the same ticks (nsmon.c).
 */
#include <string.h>
#include <syslog.h>

#include "fwd/logic/fwd.h"

/* bond_time_in_interval(): t - d <= now <= t + k*d + d/2 */
static bool in_interval(const struct bg_fwd *b, uint64_t t, unsigned k) {
        uint64_t d = (uint64_t) b->p.arp_interval * 1000;

        return t && b->now + d >= t && b->now <= t + k * d + d / 2;
}

static uint64_t port_last_rx(const struct bg_fwd *b, const struct bg_fwd_port *p) {
        uint64_t m = UINT64_MAX;

        /* arp_all_targets=all with validation: the oldest per-target
         * time, of the ARP and the NS targets alike */
        if (b->p.arp_all_targets && b->p.arp_validate && (b->p.n_arp_targets || b->p.n_ns_targets)) {
                for (size_t i = 0; i < b->p.n_arp_targets; i++)
                        if (p->target_last_rx[i] < m)
                                m = p->target_last_rx[i];
                for (size_t i = 0; i < b->p.n_ns_targets; i++)
                        if (p->target_last_rx[BG_FWD_NS_SLOT + i] < m)
                                m = p->target_last_rx[BG_FWD_NS_SLOT + i];
                return m;
        }
        return p->last_rx;
}

/* bond_arp_send_all(): one request per target, from the address and with
 * the tags of the way the host routes it (arppath.c). */
static void probe(struct bg_fwd *b, struct bg_fwd_port *p) {
        uint8_t buf[4 * BG_FWD_MAX_TAGS + 64];
        struct bg_fwd_tag tags[BG_FWD_MAX_TAGS];
        struct bg_fwd_frame fr = { .cap = 64 };
        size_t ntags;
        uint32_t sip;

        for (size_t i = 0; i < b->p.n_arp_targets; i++) {
                if (!bg_fwd_arp_probe_path(b, i, &sip, tags, &ntags))
                        continue;
                fr.data = buf + 4 * BG_FWD_MAX_TAGS;
                fr.len = bg_fwd_build_arp_req(fr.data, p->mac, sip, b->p.arp_targets[i]);
                bg_fwd_push_tags(&fr, tags, ntags);
                (void) bg_fwd_port_send(b, p, &fr);
        }
        bg_fwd_mon_ns_probe(b, p);   /* bond_send_validate(): NS after ARP */
}

static void set_link(struct bg_fwd *b, struct bg_fwd_port *p, enum bg_fwd_link to) {
        bool reselect;

        bg_fwd_mon_link_commit(b, p, to);
        if (to == BG_LINK_DOWN) {
                reselect = p == b->active;
        } else {
                struct bg_fwd_port *prim = b->p.primary[0] ? bg_fwd_find_port(b, b->p.primary) : NULL;
                reselect = !b->active || p == prim || bg_fwd_is_wanted(b, p);
        }
        if (reselect)
                bg_fwd_reselect(b);
        bg_fwd_update_carrier(b);
}

static void lb_tick(struct bg_fwd *b) {
        for (size_t i = 0; i < b->n_ports; i++) {
                struct bg_fwd_port *p = b->ports[i];
                if (p->link != BG_LINK_UP) {
                        if (p->carrier && in_interval(b, p->last_tx, 1) &&
                            in_interval(b, port_last_rx(b, p), 1))
                                set_link(b, p, BG_LINK_UP);
                } else if (!in_interval(b, p->last_tx, b->p.arp_missed_max) ||
                           !in_interval(b, port_last_rx(b, p), b->p.arp_missed_max))
                        set_link(b, p, BG_LINK_DOWN);
        }
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i]->carrier)
                        probe(b, b->ports[i]);
}

static struct bg_fwd_port *probing;   /* the kernel's current_arp_slave */

static void ab_tick(struct bg_fwd *b) {
        uint64_t d = (uint64_t) b->p.arp_interval * 1000;

        for (size_t i = 0; i < b->n_ports; i++) {
                struct bg_fwd_port *p = b->ports[i];
                uint64_t rx = port_last_rx(b, p);

                if (p->link != BG_LINK_UP) {
                        if (p->carrier && in_interval(b, rx, 1)) {
                                /* bond_ab_arp_commit(), BOND_LINK_UP: the
                                 * probing port is made inactive again and
                                 * no longer probing; the selection that
                                 * follows makes the chosen port active.
                                 * Left active, a probing port the
                                 * selection passed over kept receiving
                                 * beside the active one. */
                                if (probing) {
                                        struct bg_fwd_port *q = probing;
                                        probing = NULL;
                                        bg_fwd_port_set_inactive_flags(b, q);
                                }
                                set_link(b, p, BG_LINK_UP);
                        } else if (p->link == BG_LINK_BACK) {
                                /* bond_ab_arp_commit(), BOND_LINK_FAIL: the
                                 * probed port had no answer; it stops
                                 * receiving before the next one is probed,
                                 * so two ports never receive at once */
                                p->link = BG_LINK_DOWN;
                                bg_fwd_port_set_inactive_flags(b, p);
                        }
                        continue;
                }
                /* made active or enslaved within the last two intervals
                 * (bond_time_in_interval(last_link_up, 2), its half
                 * interval of slack included): the receive times need a
                 * whole cycle of probes to be updated. A backup counts the
                 * active port's requests only once the active port has
                 * heard a reply, which at the first probe often arrives
                 * after the request reached the backup: the backup is
                 * validated one probe later than the active port. */
                if (b->now <= p->last_link_up + 2 * d + d / 2)
                        continue;
                if (p != b->active) {
                        if (!probing && !in_interval(b, rx, b->p.arp_missed_max + 1))
                                set_link(b, p, BG_LINK_DOWN);
                } else if (!in_interval(b, p->last_tx, b->p.arp_missed_max) ||
                           !in_interval(b, rx, b->p.arp_missed_max))
                        set_link(b, p, BG_LINK_DOWN);
        }

        if (b->active) {
                probing = NULL;
                if (b->active->carrier)
                        probe(b, b->active);
                return;
        }
        /* No active port: rotate a probing port through the ones with carrier. */
        size_t start = 0;
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i] == probing)
                        start = i + 1;
        probing = NULL;
        for (size_t k = 0; k < b->n_ports; k++) {
                struct bg_fwd_port *p = b->ports[(start + k) % b->n_ports];
                if (!p->carrier)
                        continue;
                probing = p;
                p->link = BG_LINK_BACK;
                bg_fwd_port_set_active_flags(b, p);
                p->last_link_up = b->now;
                probe(b, p);
                break;
        }
}

/* bond_enslave(): a new port last heard and sent an interval and a tick
 * ago: outside the one-interval window that brings a port up, inside the
 * wider windows that keep it up. */
void bg_fwd_mon_arp_port_init(struct bg_fwd *b, struct bg_fwd_port *p) {
        uint64_t d = (uint64_t) b->p.arp_interval * 1000;
        uint64_t t = b->now > d + 1 ? b->now - d - 1 : 1;

        if (p->last_rx < t)
                p->last_rx = t;
        if (p->last_tx < t)
                p->last_tx = t;
        for (size_t i = 0; i < sizeof(p->target_last_rx) / sizeof(p->target_last_rx[0]); i++)
                if (p->target_last_rx[i] < t)
                        p->target_last_rx[i] = t;
}

/* bond_open() starts the ARP monitor with no delay, and the kernel's ports
 * join a bond whose monitor runs, so each gets its settling time (above)
 * while probes go out. bondgend enslaves its ports first and starts the
 * monitor after setting up the device, addresses and control socket,
 * which on a loaded machine took longer than that settling time: ports
 * were then judged before the first probe was sent, and an idle bond
 * failed over or counted a link failure right after its start. */
void bg_fwd_mon_arp_start(struct bg_fwd *b) {
        if (!b->p.arp_interval)
                return;
        for (size_t i = 0; i < b->n_ports; i++) {
                struct bg_fwd_port *p = b->ports[i];
                if (p->link == BG_LINK_UP)
                        p->last_link_up = b->now;
                bg_fwd_mon_arp_port_init(b, p);
        }
}

void bg_fwd_mon_arp_forget(struct bg_fwd_port *p) {
        if (probing == p)
                probing = NULL;
}

void bg_fwd_mon_arp_tick(struct bg_fwd *b) {
        if (!b->p.arp_interval)
                return;
        if (b->ops->uses_active)
                ab_tick(b);
        else
                lb_tick(b);
        bg_fwd_peer_notif_tick(b);
}

static bool is_target(const struct bg_fwd *b, uint32_t ip, size_t *idx) {
        for (size_t i = 0; i < b->p.n_arp_targets; i++)
                if (b->p.arp_targets[i] == ip) {
                        *idx = i;
                        return true;
                }
        return false;
}

/* bond_main.c:bond_has_this_ip(): an IPv4 address of the bond or of a
 * device stacked on it (the source of a probe that left tagged) */
static bool is_ours(struct bg_fwd *b, uint32_t ip) {
        uint32_t v4[16];
        uint8_t v6[1][16];
        size_t n4 = 0, n6 = 0;

        if (b->io && b->io->bond_addrs && b->io->bond_addrs(b, v4, 16, &n4, v6, 0, &n6) >= 0)
                for (size_t i = 0; i < n4; i++)
                        if (v4[i] == ip)
                                return true;
        if (b->io && b->io->stacked) {
                const struct bg_fwd_dev *devs;
                int root = b->tap_ifindex;
                size_t n = b->io->stacked(b, &devs, &root);

                return bg_fwd_stack_has_ip(devs, n, root, ip);
        }
        return false;
}

/* bond_main.c:bond_validate_arp(): sip must be a target and tip one of
 * our addresses; then the port heard the target. */
static void validate(struct bg_fwd *b, struct bg_fwd_port *p, uint32_t sip, uint32_t tip) {
        size_t idx;

        if (!sip || !is_ours(b, tip) || !is_target(b, sip, &idx))
                return;
        p->last_rx = p->target_last_rx[idx] = b->now;
}

/* bond_arp_rcv() and bond_na_rcv(): may p trust what it hears? 1: as it
 * is, -1: with sender and target swapped, 0: not at all. */
static int trust(const struct bg_fwd *b, const struct bg_fwd_port *p, bool reply) {
        if (!p->backup)
                return 1;   /* the active port (or the probing one) hears the targets */
        /* A backup hears the active port's requests to the targets, so
         * sender and target swap; only while the active port itself hears
         * the targets, or a backup would stay up on requests nobody
         * answers. */
        if (b->active && port_last_rx(b, b->active) > b->active->last_link_up)
                return -1;
        /* no active port: a reply to the probing port's request */
        if (probing && reply && in_interval(b, probing->last_tx, 1))
                return 1;
        return 0;
}

/* The ports are promiscuous (AF_PACKET), a kernel port is not: a unicast
 * frame for another MAC (the kernel's PACKET_OTHERHOST) would never have
 * reached the kernel's monitor, so it proves nothing here either. */
static bool for_other_host(const struct bg_fwd *b, const struct bg_fwd_port *p, const uint8_t *f) {
        return !(f[0] & 1) && memcmp(f, p->mac, 6) && memcmp(f, b->mac, 6) && !b->tap_promisc;
}

/* bond_main.c:bond_arp_rcv() */
void bg_fwd_mon_rx(struct bg_fwd *b, struct bg_fwd_port *p, const uint8_t *f, size_t len) {
        struct bg_fwd_l2 l2;
        unsigned v = b->p.arp_validate;
        bool do_validate, filter = v >= BG_ARPV_FILTER;
        const uint8_t *arp;
        bool is_arp;
        uint32_t sip, tip;
        int t;

        if (!b->p.arp_interval)
                return;
        if (len < 14 || bg_fwd_frame_l2(f, len, &l2) < 0 || for_other_host(b, p, f))
                return;
        is_arp = l2.proto == 0x0806 && len >= l2.nhoff + 28;
        /* bit 0 validates the active port, bit 1 backups; filter_* likewise */
        if (v == BG_ARPV_FILTER)
                do_validate = false;
        else
                do_validate = (p->backup ? (v & 2) : (v & 1)) != 0;
        if (!do_validate) {
                if (!filter || is_arp || l2.proto == 0x86dd)
                        p->last_rx = b->now;
                return;
        }
        if (l2.proto == 0x86dd) {
                if (b->p.n_ns_targets && (t = trust(b, p, true)))
                        (void) bg_fwd_mon_ns_rx(b, p, f + l2.nhoff, len - l2.nhoff, t < 0);
                return;
        }
        if (!is_arp)
                return;
        arp = f + l2.nhoff;
        /* Ethernet/IPv4 ARP only, as arp_hdr_len() and the checks of
         * bond_arp_rcv() require */
        if (arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0x00 || arp[4] != 6 || arp[5] != 4)
                return;
        memcpy(&sip, arp + 14, 4);
        memcpy(&tip, arp + 24, 4);
        t = trust(b, p, arp[7] == 2);
        if (t > 0)
                validate(b, p, sip, tip);
        else if (t < 0)
                validate(b, p, tip, sip);
}
