/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Transmit load balancing (TLB) and receive load balancing (RLB, the "A" in
 * ALB) tables as the kernel keeps them (drivers/net/bonding/bond_alb.c).
 *
 * Pure: slaves are small slot numbers owned by the caller, with the facts
 * the tables need (can it transmit, speed, MAC). The caller calls
 * bg_alb_tick() every BG_ALB_TICK_USEC and sends the frames the tables ask
 * for through the send callback.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BG_ALB_MAX_SLAVES 32
#define BG_ALB_TICK_USEC 100000ull          /* the kernel's alb monitor: 10/s */
#define BG_TLB_TABLE_SIZE 256
#define BG_TLB_REBALANCE_TICKS 100          /* 10 s */
#define BG_RLB_TABLE_SIZE 256
#define BG_RLB_UPDATE_DELAY_TICKS 20        /* 2 s after we send an ARP request */
#define BG_RLB_UPDATE_RETRY 3               /* ticks of repeated updates */
#define BG_RLB_ARP_BURST 2                  /* ARP replies per client update */
#define BG_ALB_LEARN_ETHERTYPE 0x9000u      /* loopback: learning packets */

struct bg_alb_slave {
        bool used;
        bool can_tx;
        uint32_t speed;         /* Mbit/s; 0 = unknown */
        uint8_t mac[6];         /* the MAC this slave answers to on the wire */
};

struct bg_tlb_entry {
        int16_t slave;          /* -1 = unassigned */
        uint64_t tx_bytes;      /* bytes in the current interval */
        uint64_t load_history;  /* from the last interval */
};

struct bg_rlb_client {
        bool assigned;
        bool ntt;               /* an ARP update is due */
        uint32_t ip_src;        /* our (server) address, network order */
        uint32_t ip_dst;        /* the client's address, network order */
        uint8_t mac_src[6];     /* the MAC we answered with before rewriting */
        uint8_t mac_dst[6];     /* the client's MAC; broadcast until learnt */
        int16_t slave;
        uint16_t vlan;          /* VLAN id the client talked on, 0 = none */
};

struct bg_arp {
        uint16_t op;            /* 1 request, 2 reply */
        uint8_t sha[6];
        uint32_t sip;           /* network order */
        uint8_t tha[6];
        uint32_t tip;           /* network order */
        uint16_t vlan;          /* from an 802.1Q tag, 0 = none */
        size_t arp_off;         /* offset of the ARP header in the frame */
};

struct bg_alb;

struct bg_alb_ops {
        /* Send a frame the tables built (client ARP update, learning packet). */
        int (*send)(void *userdata, int slave, const void *frame, size_t len);
};

/* rlb = false gives plain TLB (no client table, no ARP rewriting). */
int bg_alb_new(bool rlb, const struct bg_alb_ops *ops, void *userdata, struct bg_alb **ret);
void bg_alb_free(struct bg_alb *a);

/* Describe a slot. A slave that stops being able to transmit loses its
 * tx entries and, with RLB, its clients move to another slave. A slave
 * that can transmit again (or is new) triggers a tx and rx rebalance. */
int bg_alb_slave_set(struct bg_alb *a, int slot, const struct bg_alb_slave *s);
int bg_alb_slave_remove(struct bg_alb *a, int slot);
/* The current active slave (receives broadcast, sends unbalanced traffic
 * with the bond MAC), -1 for none. */
void bg_alb_set_active(struct bg_alb *a, int slot);
int bg_alb_active(const struct bg_alb *a);
/* The bond's MAC: our own ARP packets are recognised by it. */
void bg_alb_set_bond_mac(struct bg_alb *a, const uint8_t mac[6]);

/* TLB: the slave for a balanced frame of len bytes whose table index is
 * idx (TLB: xmit hash & 0xff; ALB: XOR of the destination IP bytes), or -1:
 * then send on the active slave and count the bytes with
 * bg_tlb_unbalanced(). */
int bg_tlb_choose(struct bg_alb *a, uint8_t idx, size_t len);
void bg_tlb_unbalanced(struct bg_alb *a, size_t len);
/* Load on a slave (sum of its entries' history), for tests and status. */
uint64_t bg_tlb_slave_load(const struct bg_alb *a, int slot);
const struct bg_tlb_entry *bg_tlb_entry(const struct bg_alb *a, uint8_t idx);

/* RLB, transmit side: the bond sends an ARP packet (parsed in arp, frame
 * writable). Returns the slave to send it on, or -1 to leave it to the
 * default path. Replies get their sender hardware address (and, off the
 * active slave, the caller rewrites the Ethernet source) set to the chosen
 * slave's MAC. */
int bg_rlb_arp_xmit(struct bg_alb *a, uint8_t *frame, size_t len, const struct bg_arp *arp);
/* RLB, receive side: every ARP seen on any slave (not consumed). */
void bg_rlb_arp_recv(struct bg_alb *a, const struct bg_arp *arp);
const struct bg_rlb_client *bg_rlb_client(const struct bg_alb *a, uint32_t client_ip_be);
unsigned bg_rlb_count_on(const struct bg_alb *a, int slot);

/* Every BG_ALB_TICK_USEC: tx rebalance every 10 s, pending rx rebalance,
 * client ARP updates. Learning packets are the caller's (lp_interval). */
void bg_alb_tick(struct bg_alb *a);

/* ARP in an Ethernet frame, after at most one 802.1Q/802.1ad tag. */
int bg_alb_parse_arp(const uint8_t *frame, size_t len, struct bg_arp *ret);
/* The client update: an ARP reply to (client MAC, client IP) from
 * (slave MAC, server IP), tagged with vlan when non-zero. Returns its
 * length (60 or 64) or -ENOBUFS. */
int bg_alb_build_arp_update(uint8_t *buf, size_t size, const struct bg_rlb_client *c, const uint8_t slave_mac[6]);
/* A learning packet: 60 bytes, destination = source = mac, EtherType 0x9000. */
int bg_alb_build_learning(uint8_t *buf, size_t size, const uint8_t mac[6]);
/* The ALB tx table index: XOR of the bytes (kernel _simple_hash). */
uint8_t bg_alb_simple_hash(const uint8_t *p, size_t n);
