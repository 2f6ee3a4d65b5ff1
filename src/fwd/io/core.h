/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The forwarder's I/O core: TAP, AF_PACKET ports, rtnetlink, timers,
 * control socket, on one sd-event loop. */
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "fwd/logic/batch.h"
#include "fwd/logic/fwd.h"
#include "fwd/logic/rxring.h"

struct bg_nl;
struct bg_dp;
struct mnl_socket;

/* ---- link.c: per-link settings that are not rtnetlink (ioctl, ethtool,
 * sysctl); rtnetlink is src/netlink ---- */
int bg_fwd_link_get_flags(const char *name, unsigned *flags);
int bg_fwd_link_set_flags(const char *name, unsigned set, unsigned clear);
int bg_fwd_link_get_mtu(const char *name, uint32_t *mtu);
int bg_fwd_link_set_mtu(const char *name, uint32_t mtu);
int bg_fwd_link_get_mac(const char *name, uint8_t mac[6]);
int bg_fwd_link_set_mac(const char *name, const uint8_t mac[6]);
int bg_fwd_link_ifindex(const char *name);
void bg_fwd_link_get_speed(const char *name, uint32_t *speed, uint8_t *duplex);
int bg_fwd_sysctl_get(const char *fam, const char *ifname, const char *key, int *val);
int bg_fwd_sysctl_set(const char *fam, const char *ifname, const char *key, int val);

/* ---- addr.c: the model's addresses ("10.0.0.1/24") and routes (to
 * "default" or a prefix, via a gateway or NULL for on-link) on ifindex ---- */
int bg_fwd_add_address(struct bg_nl *nl, int ifindex, const struct bg_addr *addr);
int bg_fwd_add_route(struct bg_nl *nl, int ifindex, int family, const struct bg_addr *to,
                     const struct bg_addr *via, uint32_t metric);

/* ---- admit.c ---- */
struct bg_nl_link;
/* May the link l become a port of b? 0, or -errno with the reason in why
 * (what the kernel's bond_enslave() refuses: the bond itself, loopback,
 * non-Ethernet, a device with a master or driven by another bondgend, a
 * device stacked on the bond). */
int bg_port_admit(struct bg_nl *rtnl, const struct bg_fwd *b, const struct bg_nl_link *l, char *why,
                  size_t whylen);

/* ---- ingress.c: an nftables netdev ingress drop on each port, after the
 * packet taps (the frames still reach our socket, not the host stack) ---- */
struct bg_ingress;
/* The mark (SO_MARK) of bondgend's port sockets: on egress, frames without
 * it (the host stack's) are dropped. */
#define BG_PORT_MARK 0x62670d01u
/* lacp: the bond is 802.3ad (LACPDUs and markers stay the bond's on
 * every port). */
int bg_ingress_open(const char *bond, bool lacp, struct bg_ingress **out);
/* The port's chain (on) or none (off). 0; 1: in place but dropping
 * link-local frames too (the exception's rules were refused); -errno. */
int bg_ingress_drop(struct bg_ingress *in, const char *port, bool on);
/* Let IEEE link-local frames (01:80:c2:00:00:0X) that arrive on the port
 * (ifindex) through to the port's own stack (pass: the bond treats it as
 * inactive), or drop them with the rest. One set element added or
 * removed; 1 when it changed, 0 when it was so already, -errno. */
int bg_ingress_link_local(struct bg_ingress *in, const char *port, int ifindex, bool pass);
void bg_ingress_close(struct bg_ingress *in);

/* ---- tap.c ---- */
int bg_tap_open(const char *name, int *ifindex);
int bg_tap_set_carrier(int fd, bool on);
/* Use a TAP fd kept by the service manager: it must be the TAP `name`. */
int bg_tap_adopt(int fd, const char *name, int *ifindex);
/* TUNSETPERSIST: the device outlives its last fd. */
int bg_tap_set_persist(int fd, bool on);

/* ---- port.c ---- */
#define BG_SLOT (65536 + 512)   /* a whole 64 KB GSO frame plus the virtio-net header */

struct bg_port_io {
        sd_event_source *src;
        /* state found at enslave, restored at release */
        uint8_t orig_mac[6];
        uint32_t orig_mtu;
        bool orig_up, orig_noarp;
        int orig_disable_ipv6, orig_rp_filter;
        /* pending transmit batch (sendmmsg) */
        struct bg_txb txb;
        bool queued;
        /* the socket's receive ring, one of the two (map NULL: recvmmsg()) */
        struct bg_rxring ring;
        struct bg_rxring2 ring2;
        /* a socket handed over, its ring not made yet: the frames queued
         * on it are read with recvmmsg() first, since making the ring
         * drops them (af_packet.c: packet_set_ring() purges the queue) */
        bool drain;
};

/* Open the AF_PACKET socket of a port (vnet header, promiscuous, ignore
 * outgoing, large buffers) with its receive ring in io->ring where the
 * kernel gives one. */
int bg_port_socket(int ifindex, struct bg_port_io *io);
/* Which frames the port's socket takes: the classic BPF program prog
 * (len instructions, run by the kernel before it copies a frame into the
 * socket; bg_fwd_rx_keep_prog()) replaces any filter there was; len 0
 * takes the filter off. 0 or -errno. */
struct sock_filter;
int bg_port_rx_filter(int fd, const struct sock_filter *prog, size_t len);
/* Unmap the ring and close the socket (fd < 0: only the ring). */
void bg_port_close(struct bg_port_io *io, int fd);
/* The frames the kernel dropped at the socket since the last read
 * (PACKET_STATISTICS' tp_drops; the read resets it), or -errno. */
int bg_port_read_drops(int fd, uint32_t *drops);
/* Take the ring off the socket (it queues frames for recv() again), so that
 * the socket can be handed to another bondgend; and make one on a socket
 * received so, once the frames queued on it are read (io->drain). */
void bg_port_ring_detach(struct bg_port_io *io, int fd);
void bg_port_ring_attach(struct bg_port_io *io, int fd);
/* Quiet the port for the host stack (ARP off, IPv6 off, strict rp_filter),
 * set MTU and bring it up, remembering the original state in io. */
int bg_port_setup(const char *name, uint32_t mtu, struct bg_port_io *io);
void bg_port_restore(const char *name, const struct bg_port_io *io);
/* State file so that a crashed run's ports can be restored on the next
 * start: one line per port. */
int bg_port_state_save(const char *path, struct bg_fwd *b);
void bg_port_state_recover(const char *path, void (*log)(const char *msg));
/* Each port of the state file, which is kept (a handover: handover.c). */
void bg_port_state_each(const char *path, void (*log)(const char *msg),
                        void (*each)(void *ctx, const char *name, const struct bg_port_io *io), void *ctx);

/* How a port was found before any bondgend touched it, read from the state
 * file of the bondgend that handed the bond over (handover.c). */
struct bg_port_found {
        char name[16];
        struct bg_port_io io;
        bool used;                  /* enslaved again: io is its orig_* */
};

/* ---- core.c ---- */
struct bg_core {
        struct bg_fwd bond;
        sd_event *ev;
        sd_event_source *tap_src, *nl_src, *mii_src, *arp_src, *tick_src, *ctl_src, *wd_src;
        sd_event_source *igmp_src;  /* one-shot: the next resend_igmp round */
        struct bg_nl *nl;           /* link and address events */
        struct bg_nl *rtnl;         /* requests: link queries, addresses, routes */
        int ctl_fd;
        char ctl_path[108];
        char state_path[128];
        const struct bg_bond *model;   /* addresses and routes; may be NULL */
        bool configure_addresses;
        bool journal;
        int log_level;
        struct bg_dp *dp;           /* data path state (dp.c) */
        bool stopping;
        struct bg_linkpoll *poll;
        sd_event_source *poll_src;
        int poll_fd;
        /* The bond's addresses, kept from rtnetlink events: querying them at
         * failover time would wait for the RTNL lock that the link change
         * itself is holding. */
        uint32_t addr4[16];
        /* IPv6: in the kernel's order (bg_fwd_addr6_insert_at()), those
         * still in duplicate address detection too, which keep their
         * place once usable */
        uint8_t addr6[16][16];
        bool addr6_usable[16];
        bool addr6_optimistic[16];  /* usable, in DAD still (IFA_F_OPTIMISTIC) */
        size_t n_addr4, n_addr6;
        int lock_fd;                /* RUNDIR/BOND.lock, held for the whole run */
        /* Why the last enslave was refused, for the control socket's
         * answer ("" when it was not a refusal). */
        char refusal[160];
        bool fdstore;               /* the service manager keeps the TAP (instance.c: bg_core_open_tap()) */
        /* The model's first port: its MAC is the bond's whenever it is a
         * port ("" when unknown); set by main.c. */
        char first_port[16];
        bool first_port_joined;     /* it has been a port since the start */
        struct bg_ingress *ingress; /* NULL: the kernel has no nftables netdev hook */
        bool reattached;            /* the TAP existed: addresses, uppers kept */
        const char *step;           /* the set-up step that failed, for the message */
        /* VLANs of the model on this bond (vtap.c), and whether the kernel
         * makes them (1: VLAN devices on the TAP, apply's) or bondgend
         * does (0: TAPs of its own) */
        const struct bg_vlan *model_vlans[BG_FWD_MAX_VLANS];
        size_t n_model_vlans;
        int have_8021q;
        /* TAP fds of VLAN devices the service manager kept for us
         * (FDNAME=vtap-NAME), until their VLAN takes them back */
        int kept_fd[BG_FWD_MAX_VLANS];
        char kept_name[BG_FWD_MAX_VLANS][16];
        size_t n_kept;
        /* what is stacked on the bond, for peer notification (stacked.c) */
#define BG_CORE_MAX_STACKED 64
        struct bg_fwd_dev stacked[BG_CORE_MAX_STACKED];
        size_t n_stacked;
        /* the routes to the ARP targets, asked without waiting (route.c) */
#define BG_CORE_MAX_ROUTES 16
        struct bg_route_ent {
                bool used;
                uint32_t dst;       /* network byte order */
                int oif;            /* -1 not answered yet, 0 no on-link route */
                uint32_t seq;
                uint64_t asked;     /* usec of the last question */
        } routes[BG_CORE_MAX_ROUTES];
        uint32_t route_seq;
        struct mnl_socket *route_sk;
        sd_event_source *route_src;
        uint64_t rl_start;          /* bg_core_ratelimit() window */
        uint64_t drops_read;        /* usec of the last bg_core_read_sock_drops() */
        unsigned rl_count, rl_suppressed;
        /* The handover (handover.c): given to the next bondgend (the stop
         * then undoes nothing: bg_core_free()), or taken from the last one:
         * its TAP and its ports' sockets until they are used, and how it
         * found the ports. */
        bool handed_over, took_over;
        int handed_tap;
        struct {
                char name[16];
                int fd;
        } handed_port[BG_FWD_MAX_PORTS];
        size_t n_handed_port;
        struct bg_port_found found[BG_FWD_MAX_PORTS];
        size_t n_found;
};

int bg_core_init(struct bg_core *c, const char *name, const struct bg_fwd_params *p,
                 const uint8_t *mac, uint32_t mtu);
/* Enslave a port by name. A port that does not exist yet is kept pending
 * (when pending_ok) and enslaved when it appears. */
int bg_core_enslave(struct bg_core *c, const char *name, bool pending_ok);
int bg_core_release(struct bg_core *c, const char *name);
int bg_core_set_active(struct bg_core *c, const char *name);
/* The model's active_slave: made active now if it is up, else when its
 * link comes up (select.c, bg_fwd.want_active). */
void bg_core_want_active(struct bg_core *c, const char *name);
/* A port's prio (IFLA_BOND_SLAVE_PRIO): -ENODEV, -EOPNOTSUPP outside
 * active-backup, balance-tlb and balance-alb. */
int bg_core_set_prio(struct bg_core *c, const char *name, int32_t prio);
/* Add what each port's socket dropped since the last read to its
 * rx_sock_dropped (p == NULL: every port). Never per frame: at a status
 * request, before a socket is closed, and every BG_CORE_DROPS_PERIOD on
 * the MII monitor's tick, so that the kernel's 32-bit counter cannot wrap
 * between two reads. */
#define BG_CORE_DROPS_PERIOD (10 * 1000000ull)
void bg_core_read_sock_drops(struct bg_core *c, struct bg_fwd_port *p);

int bg_core_run(struct bg_core *c);
void bg_core_free(struct bg_core *c);
/* Rate limit for messages a client can trigger at will (refusals). */
bool bg_core_ratelimit(struct bg_core *c);
void bg_core_log(struct bg_core *c, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Run directory: $BONDGEN_RUNDIR if set (tests, the demo), else /run/bondgen. */
const char *bg_rundir(void);

/* ---- linkpoll.c ---- */
struct bg_linkpoll;
int bg_linkpoll_start(uint32_t period_ms, int *rfd, struct bg_linkpoll **out);
/* Poll the ports of b (call after every enslave/release). */
void bg_linkpoll_set(struct bg_linkpoll *lp, struct bg_fwd *b);
void bg_linkpoll_stop(struct bg_linkpoll *lp);

/* ---- reconf.c: a running bond changed in place (the control socket's
 * state/check/set) ---- */
/* The `state` answer's body (bondgen apply's view of the bond). */
int bg_core_state_render(struct bg_core *c, char **out);
/* args: "name=value ..."; check only unless apply. -EINVAL with the
 * reason in err when refused. */
int bg_core_set_options(struct bg_core *c, char *args, bool apply, char *err, size_t errlen);

/* ---- vtap.c: bondgend's VLAN devices where the kernel has no 802.1Q ---- */
/* At the start of the run: find out whether the kernel has 802.1Q and, if
 * not, make the model's VLANs of the bond. */
void bg_core_vlans_start(struct bg_core *c);
/* Make VLAN id of the bond as the TAP name (the model's VLAN when it
 * names one, for its MTU, MAC, addresses and routes), or give the one of
 * that name this id: the control socket's `vlan add`. -EOPNOTSUPP where
 * the kernel makes VLANs, -EINVAL (why) for a bad name or id. */
int bg_core_vlan_add(struct bg_core *c, const char *name, unsigned id, char *why, size_t whylen);
int bg_core_vlan_del(struct bg_core *c, const char *name);
/* The end of the run: the devices are closed (deleted when no service
 * manager keeps them). */
void bg_core_vlans_free(struct bg_core *c);
/* A link event of one of them (true), or not theirs (false). */
struct bg_nl_link;
bool bg_core_vlan_link_event(struct bg_core *c, const struct bg_nl_link *l);
/* The bond's MAC or carrier changed: VLANs without a MAC of their own
 * take the bond's, and every one the bond's carrier. */
void bg_core_vlans_follow(struct bg_core *c);

/* ---- handover.c ---- */
/* The control socket's "handover" from peer: the descriptors sent on fd
 * and the loop told to exit; -errno with the reason in err. */
int bg_core_handover_give(struct bg_core *c, int fd, pid_t peer, char *err, size_t errlen);

/* ---- ctl.c ---- */
int bg_ctl_listen(struct bg_core *c);
/* -EADDRINUSE when a bondgend already serves this bond. */
int bg_ctl_probe_live(const char *bond);
/* A connection to BOND's control socket, with send and receive timeouts;
 * the fd or -errno. */
int bg_ctl_connect(const char *bond, unsigned timeout_s);
void bg_ctl_close(struct bg_core *c);
