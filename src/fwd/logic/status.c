/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Status in the kernel's /proc/net/bonding/BOND layout (bond_procfs.c: the
 * same lines in the same order, so scripts that parse it keep working), and
 * the same data as JSON. Lines the kernel does not have (counters, pending
 * ports) come after the kernel's lines of each block.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/logic/fwd.h"
#include "util/util.h"

struct bg_fwd_stw {
        FILE *f;
        enum bg_fwd_stw_format fmt;
        bool first;          /* no member written yet in the current JSON object */
};

void bg_fwd_stw_kv(struct bg_fwd_stw *w, const char *key, const char *fmt, ...) {
        char v[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(v, sizeof(v), fmt, ap);
        va_end(ap);
        if (w->fmt == BG_STW_PROC) {
                fprintf(w->f, "%s: %s\n", key, v);
                return;
        }
        if (!w->first)
                fputc(',', w->f);
        w->first = false;
        bg_json_key(w->f, key);
        bg_json_value(w->f, v);
}

static const char *proc_mode_name(enum bg_mode m) {
        switch (m) {
        case BG_MODE_BALANCE_RR: return "load balancing (round-robin)";
        case BG_MODE_ACTIVE_BACKUP: return "fault-tolerance (active-backup)";
        case BG_MODE_BALANCE_XOR: return "load balancing (xor)";
        case BG_MODE_BROADCAST: return "fault-tolerance (broadcast)";
        case BG_MODE_8023AD: return "IEEE 802.3ad Dynamic link aggregation";
        case BG_MODE_BALANCE_TLB: return "transmit load balancing";
        case BG_MODE_BALANCE_ALB: return "adaptive load balancing";
        default: return "unknown";
        }
}

static const char *const fom_names[] = { "none", "active", "follow" };
static const char *const reselect_names[] = { "always", "better", "failure" };
static const char *const hash_names[] = { "layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4",
                                          "vlan+srcmac" };

static void fmt_mac(const uint8_t m[6], char buf[18]) {
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool uses_xmit_hash(const struct bg_fwd *b) {
        return b->p.mode == BG_MODE_BALANCE_XOR || b->p.mode == BG_MODE_8023AD ||
               (b->p.mode == BG_MODE_BALANCE_TLB && !b->p.tlb_dynamic_lb);
}

static bool uses_primary(const struct bg_fwd *b) {
        return b->p.mode == BG_MODE_ACTIVE_BACKUP || b->p.mode == BG_MODE_BALANCE_TLB ||
               b->p.mode == BG_MODE_BALANCE_ALB;
}

static void bond_block(struct bg_fwd *b, struct bg_fwd_stw *w) {
        char mac[18];

        if (b->p.mode == BG_MODE_ACTIVE_BACKUP && b->p.fail_over_mac && b->p.fail_over_mac < 3)
                bg_fwd_stw_kv(w, "Bonding Mode", "%s (fail_over_mac %s)", proc_mode_name(b->p.mode),
                              fom_names[b->p.fail_over_mac]);
        else
                bg_fwd_stw_kv(w, "Bonding Mode", "%s", proc_mode_name(b->p.mode));
        if (uses_xmit_hash(b) && b->p.xmit_hash_policy < 6)
                bg_fwd_stw_kv(w, "Transmit Hash Policy", "%s (%u)", hash_names[b->p.xmit_hash_policy],
                              b->p.xmit_hash_policy);
        if (uses_primary(b)) {
                struct bg_fwd_port *prim = b->p.primary[0] ? bg_fwd_find_port(b, b->p.primary) : NULL;
                if (prim && b->p.primary_reselect < 3)
                        bg_fwd_stw_kv(w, "Primary Slave", "%s (primary_reselect %s)", prim->name,
                                      reselect_names[b->p.primary_reselect]);
                else
                        bg_fwd_stw_kv(w, "Primary Slave", "None");
                bg_fwd_stw_kv(w, "Currently Active Slave", "%s", b->active ? b->active->name : "None");
        }
        bg_fwd_stw_kv(w, "MII Status", "%s", b->carrier ? "up" : "down");
        bg_fwd_stw_kv(w, "MII Polling Interval (ms)", "%u", b->p.miimon);
        bg_fwd_stw_kv(w, "Up Delay (ms)", "%u", b->p.updelay_ticks * b->p.miimon);
        bg_fwd_stw_kv(w, "Down Delay (ms)", "%u", b->p.downdelay_ticks * b->p.miimon);
        bg_fwd_stw_kv(w, "Peer Notification Delay (ms)", "%u", b->p.peer_notif_delay_ticks * b->p.miimon);
        if (b->p.arp_interval) {
                char t[16 * 17] = "";
                size_t o = 0;
                bg_fwd_stw_kv(w, "ARP Polling Interval (ms)", "%u", b->p.arp_interval);
                bg_fwd_stw_kv(w, "ARP Missed Max", "%u", b->p.arp_missed_max);
                for (size_t i = 0; i < b->p.n_arp_targets; i++) {
                        const uint8_t *a = (const uint8_t *) &b->p.arp_targets[i];
                        o += (size_t) snprintf(t + o, sizeof(t) - o, "%s%u.%u.%u.%u", i ? ", " : "",
                                               a[0], a[1], a[2], a[3]);
                }
                bg_fwd_stw_kv(w, "ARP IP target/s (n.n.n.n form)", "%s", t);
                /* bond_procfs.c:bond_info_show_master(), the line that
                 * follows (empty without targets, as there) */
                char t6[16 * (INET6_ADDRSTRLEN + 2)] = "";
                o = 0;
                for (size_t i = 0; i < b->p.n_ns_targets; i++) {
                        char a[INET6_ADDRSTRLEN];
                        inet_ntop(AF_INET6, b->p.ns_targets[i], a, sizeof(a));
                        o += (size_t) snprintf(t6 + o, sizeof(t6) - o, "%s%s", i ? ", " : "", a);
                }
                bg_fwd_stw_kv(w, "NS IPv6 target/s (xx::xx form)", "%s", t6);
        }
        if (b->ops && b->ops->status_bond)
                b->ops->status_bond(b, w);
        /* bondgen additions */
        fmt_mac(b->mac, mac);
        bg_fwd_stw_kv(w, "Bond HW addr", "%s", mac);
        bg_fwd_stw_kv(w, "Backend", "user space (bondgend)");
        if (b->n_vlans) {
                char t[BG_FWD_MAX_VLANS * 26] = "";
                size_t o = 0;
                for (size_t i = 0; i < b->n_vlans && o < sizeof(t); i++)
                        o += (size_t) snprintf(t + o, sizeof(t) - o, "%s%s (%u)", i ? ", " : "", b->vlans[i]->name,
                                               b->vlans[i]->id);
                bg_fwd_stw_kv(w, "VLAN devices of bondgend", "%s", t);
        }
}

static void port_block(struct bg_fwd *b, struct bg_fwd_port *p, struct bg_fwd_stw *w) {
        char mac[18];

        bg_fwd_stw_kv(w, "Slave Interface", "%s", p->name);
        bg_fwd_stw_kv(w, "MII Status", "%s", bg_fwd_link_name(p->link));
        if (p->speed_mbps)
                bg_fwd_stw_kv(w, "Speed", "%u Mbps", p->speed_mbps);
        else
                bg_fwd_stw_kv(w, "Speed", "Unknown");
        if (p->duplex <= 1)
                bg_fwd_stw_kv(w, "Duplex", "%s", p->duplex ? "full" : "half");
        else
                bg_fwd_stw_kv(w, "Duplex", "Unknown");
        bg_fwd_stw_kv(w, "Link Failure Count", "%u", p->link_failure_count);
        fmt_mac(p->perm_mac, mac);
        bg_fwd_stw_kv(w, "Permanent HW addr", "%s", mac);
        bg_fwd_stw_kv(w, "Slave queue ID", "%u", p->queue_id);
        if (b->ops && b->ops->status_port)
                b->ops->status_port(b, p, w);
        bg_fwd_stw_kv(w, "Slave State", "%s", p->backup ? "backup" : "active");
        /* IFLA_BOND_SLAVE_PRIO; the kernel reports it over netlink only */
        bg_fwd_stw_kv(w, "Prio", "%d", (int) p->prio);
        bg_fwd_stw_kv(w, "RX Packets", "%llu", (unsigned long long) p->stats.rx_packets);
        bg_fwd_stw_kv(w, "RX Bytes", "%llu", (unsigned long long) p->stats.rx_bytes);
        bg_fwd_stw_kv(w, "RX Dropped", "%llu", (unsigned long long) p->stats.rx_dropped);
        bg_fwd_stw_kv(w, "TX Packets", "%llu", (unsigned long long) p->stats.tx_packets);
        bg_fwd_stw_kv(w, "TX Bytes", "%llu", (unsigned long long) p->stats.tx_bytes);
        bg_fwd_stw_kv(w, "TX Errors", "%llu", (unsigned long long) p->stats.tx_errors);
        bg_fwd_stw_kv(w, "RX Socket Dropped", "%llu", (unsigned long long) p->stats.rx_sock_dropped);
}

void bg_fwd_port_add_sock_drops(struct bg_fwd_port_stats *s, uint32_t drops_since_last_read) {
        s->rx_sock_dropped += drops_since_last_read;
}

int bg_fwd_status_render(struct bg_fwd *b, enum bg_fwd_stw_format fmt, char **out) {
        struct bg_fwd_stw w = { .fmt = fmt, .first = true };
        char *buf = NULL;
        size_t len = 0;

        w.f = open_memstream(&buf, &len);
        if (!w.f)
                return -ENOMEM;
        if (fmt == BG_STW_PROC) {
                fprintf(w.f, "Ethernet Channel Bonding Driver: bondgend %s (user space)\n\n",
                        BONDGEN_VERSION);
                bond_block(b, &w);
                for (size_t i = 0; i < b->n_pending; i++)
                        bg_fwd_stw_kv(&w, "Pending Slave", "%s (not present)", b->pending[i]);
                for (size_t i = 0; i < b->n_ports; i++) {
                        fputc('\n', w.f);
                        port_block(b, b->ports[i], &w);
                }
        } else {
                fputc('{', w.f);
                bg_fwd_stw_kv(&w, "Bond", "%s", b->name);
                bond_block(b, &w);
                fputs(",\"pending_slaves\":[", w.f);
                for (size_t i = 0; i < b->n_pending; i++) {
                        if (i)
                                fputc(',', w.f);
                        bg_json_str(w.f, b->pending[i]);
                }
                fputs("],\"slaves\":[", w.f);
                for (size_t i = 0; i < b->n_ports; i++) {
                        fputs(i ? ",{" : "{", w.f);
                        w.first = true;
                        port_block(b, b->ports[i], &w);
                        fputc('}', w.f);
                }
                fputs("]}\n", w.f);
        }
        if (fclose(w.f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *out = buf;
        return 0;
}
