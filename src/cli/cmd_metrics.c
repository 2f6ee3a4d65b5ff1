/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen metrics [--format openmetrics|prometheus] [-o FILE]: the state
 * of every bond in the OpenMetrics text format (the default; what
 * Prometheus scrapes) or the Prometheus text format 0.0.4 (what
 * node_exporter's textfile collector reads). The two differ only in the
 * TYPE/HELP lines of counters and info metrics and in "# EOF"; the
 * samples are the same.
 *
 * Kernel bonds come from rtnetlink (IFLA_BOND_*, IFLA_BOND_SLAVE_*) and
 * the ports' /sys/class/net/PORT/statistics; user-space bonds from each
 * bondgend's status (the /proc/net/bonding layout, src/fwd/logic/status.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "util/util.h"
#include "model/catalog.h"
#include "netlink/netlink.h"
#include "apply/apply.h"
#include "util/array.h"

/* The first C_SYS_MAX are the port's own (sysfs, or bondgend's count);
 * the LACPDU ones are 802.3ad's (the kernel's BOND_3AD_STAT_*, bondgend's
 * LACP counters): bad = unknown + illegal LACPDUs for the kernel, PDUs
 * bondgend could not take for bondgend. C_RX_SOCK_DROPPED is bondgend's
 * only: frames the kernel dropped at the port's packet socket before
 * bondgend read them. */
enum { C_RX_PACKETS, C_RX_BYTES, C_RX_DROPPED, C_TX_PACKETS, C_TX_BYTES, C_TX_DROPPED, C_SYS_MAX,
       C_LACPDU_RX = C_SYS_MAX, C_LACPDU_TX, C_LACPDU_BAD, C_RX_SOCK_DROPPED, C__MAX };

struct mport {
        char name[IFNAMSIZ];
        bool up, active, lacp;
        uint64_t link_failures;
        uint64_t agg_id;
        uint64_t actor_state, partner_state;
        bool have_c[C__MAX];
        uint64_t c[C__MAX];
};

struct mbond {
        char name[IFNAMSIZ];
        char mode[32];
        const char *backend;
        bool up, lacp;
        uint64_t active_agg;      /* 0: none */
        struct mport *ports;
        size_t n_ports;
};

struct mset {
        struct mbond *v;
        size_t n;
};

static struct mbond *add_bond(struct mset *s, const char *name, const char *backend) {
        struct mbond *v = BG_NEW_SLOT(s->v, s->n);

        if (!v)
                return NULL;
        snprintf(v->name, IFNAMSIZ, "%s", name);
        v->backend = backend;
        s->n++;
        return v;
}

static struct mport *add_port(struct mbond *b, const char *name) {
        struct mport *v = BG_NEW_SLOT(b->ports, b->n_ports);

        if (!v)
                return NULL;
        snprintf(v->name, IFNAMSIZ, "%s", name);
        b->n_ports++;
        return v;
}

static void mset_free(struct mset *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i].ports);
        free(s->v);
}

/* ---- kernel bonds ---- */

static void sys_counters(struct mport *p) {
        static const char *const files[C_SYS_MAX] = { "rx_packets", "rx_bytes", "rx_dropped",
                                                      "tx_packets", "tx_bytes", "tx_dropped" };
        for (int i = 0; i < C_SYS_MAX; i++) {
                char path[128];
                unsigned long long v;
                FILE *f;

                snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", p->name, files[i]);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fscanf(f, "%llu", &v) == 1) {
                        p->c[i] = v;
                        p->have_c[i] = true;
                }
                fclose(f);
        }
}

static int kernel_bonds(struct mset *s) {
        struct bg_nl *nl = NULL;
        struct bg_nl_state st = { 0 };
        int r;

        r = bg_nl_open_read_state(&nl, &st);
        for (size_t i = 0; r >= 0 && i < st.n_links; i++) {
                const struct bg_nl_link *l = &st.links[i];
                struct mbond *b;

                if (!l->is_bond)
                        continue;
                b = add_bond(s, l->name, "kernel");
                if (!b) {
                        r = -ENOMEM;
                        break;
                }
                snprintf(b->mode, sizeof(b->mode), "%s",
                         l->bond.have[BG_OPT_MODE] ? bg_mode_name((enum bg_mode) l->bond.val[BG_OPT_MODE].num) : "unknown");
                b->up = bg_nl_link_running(l);
                b->lacp = l->bond.have[BG_OPT_MODE] && l->bond.val[BG_OPT_MODE].num == BG_MODE_8023AD;
                if (b->lacp && l->ad_info.have)
                        b->active_agg = l->ad_info.aggregator;
                for (size_t j = 0; j < st.n_links; j++) {
                        const struct bg_nl_link *pl = &st.links[j];
                        struct mport *p;

                        if (pl->master != l->ifindex || !pl->slave.have)
                                continue;
                        p = add_port(b, pl->name);
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        p->up = pl->slave.mii_status == 0;
                        p->link_failures = pl->slave.link_failure_count;
                        p->active = l->bond.have[BG_OPT_ACTIVE_SLAVE] &&
                                    l->bond.val[BG_OPT_ACTIVE_SLAVE].num == (uint64_t) pl->ifindex;
                        p->lacp = b->lacp;
                        p->agg_id = pl->slave.ad_aggregator_id;
                        p->actor_state = pl->slave.ad_actor_oper_port_state;
                        p->partner_state = pl->slave.ad_partner_oper_port_state;
                        sys_counters(p);
                        struct bg_nl_3ad_stats ad;
                        if (p->lacp && bg_nl_get_port_stats(nl, pl->ifindex, &ad) == 0) {
                                p->c[C_LACPDU_RX] = ad.v[BG_NL_3AD_LACPDU_RX];
                                p->c[C_LACPDU_TX] = ad.v[BG_NL_3AD_LACPDU_TX];
                                p->c[C_LACPDU_BAD] = ad.v[BG_NL_3AD_LACPDU_UNKNOWN_RX] +
                                                     ad.v[BG_NL_3AD_LACPDU_ILLEGAL_RX];
                                p->have_c[C_LACPDU_RX] = ad.have[BG_NL_3AD_LACPDU_RX];
                                p->have_c[C_LACPDU_TX] = ad.have[BG_NL_3AD_LACPDU_TX];
                                p->have_c[C_LACPDU_BAD] = ad.have[BG_NL_3AD_LACPDU_UNKNOWN_RX];
                        }
                }
        }
        bg_nl_state_free(&st);
        bg_nl_close(nl);
        return r;
}

/* ---- user-space bonds: bondgend's status text ---- */


static const char *mode_from_proc(const char *v) {
        static const struct {
                const char *needle, *mode;
        } map[] = {
                { "round-robin", "balance-rr" }, { "active-backup", "active-backup" },
                { "(xor)", "balance-xor" },      { "broadcast", "broadcast" },
                { "802.3ad", "802.3ad" },        { "transmit load", "balance-tlb" },
                { "adaptive load", "balance-alb" },
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (strstr(v, map[i].needle))
                        return map[i].mode;
        return "unknown";
}

static uint64_t num(const char *v) {
        return strtoull(v, NULL, 10);
}

static int parse_bondgend(struct mbond *b, char *text) {
        static const struct {
                const char *key;
                int c;
        } counters[] = {
                { "RX Packets", C_RX_PACKETS }, { "RX Bytes", C_RX_BYTES },   { "RX Dropped", C_RX_DROPPED },
                { "TX Packets", C_TX_PACKETS }, { "TX Bytes", C_TX_BYTES },   { "TX Errors", C_TX_DROPPED },
                { "LACPDU RX", C_LACPDU_RX },   { "LACPDU TX", C_LACPDU_TX }, { "LACPDU RX bad", C_LACPDU_BAD },
                { "RX Socket Dropped", C_RX_SOCK_DROPPED },
        };
        char active[IFNAMSIZ] = "", *save = NULL;
        struct mport *p = NULL;

        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *sep = strstr(line, ": ");
                const char *k = line, *v;

                /* nested lines of a block are indented; only top-level keys */
                if (!sep || line[0] == ' ' || line[0] == '\t')
                        continue;
                *sep = 0;
                v = sep + 2;
                if (!strcmp(k, "Slave Interface")) {
                        p = add_port(b, v);
                        if (!p)
                                return -ENOMEM;
                        p->lacp = b->lacp;
                        p->active = !strcmp(active, v);
                        continue;
                }
                if (!p) {
                        if (!strcmp(k, "Bonding Mode")) {
                                snprintf(b->mode, sizeof(b->mode), "%s", mode_from_proc(v));
                                b->lacp = !strcmp(b->mode, "802.3ad");
                        } else if (!strcmp(k, "MII Status"))
                                b->up = !strcmp(v, "up");
                        else if (!strcmp(k, "Currently Active Slave"))
                                snprintf(active, sizeof(active), "%s", v);
                        else if (!strcmp(k, "Active aggregator ID"))
                                b->active_agg = num(v);
                        continue;
                }
                if (!strcmp(k, "MII Status"))
                        p->up = !strcmp(v, "up");
                else if (!strcmp(k, "Link Failure Count"))
                        p->link_failures = num(v);
                else if (!strcmp(k, "Aggregator ID"))
                        p->agg_id = num(v);
                else if (!strcmp(k, "LACP actor state"))
                        p->actor_state = num(v);
                else if (!strcmp(k, "LACP partner state"))
                        p->partner_state = num(v);
                for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
                        if (!strcmp(k, counters[i].key)) {
                                p->c[counters[i].c] = num(v);
                                p->have_c[counters[i].c] = true;
                        }
        }
        return 0;
}

static int userspace_bonds(struct mset *s) {
        DIR *d = opendir(bg_cli_rundir());
        struct dirent *de;
        int r = 0;

        if (!d)
                return 0;   /* no run directory: no bondgend */
        while (r >= 0 && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                char name[IFNAMSIZ], *text = NULL, err[256];
                struct mbond *b;

                if (l < 6 || l - 5 >= sizeof(name) || strcmp(de->d_name + l - 5, ".sock"))
                        continue;
                memcpy(name, de->d_name, l - 5);
                name[l - 5] = 0;
                /* the one control-socket client (run directory checked,
                 * BONDGEN_TIMEOUT); a bondgend that does not answer is left out */
                if (bg_fwdctl_request(name, "status\n", &text, err, sizeof(err)) < 0) {
                        fprintf(stderr, "bondgen metrics: %s: %s; left out\n", name, err);
                        continue;
                }
                b = add_bond(s, name, "userspace");
                r = b ? parse_bondgend(b, text) : -ENOMEM;
                free(text);
        }
        closedir(d);
        return r;
}

/* ---- output ---- */

struct out {
        FILE *f;
        bool om;   /* OpenMetrics */
        /* A family's TYPE/HELP lines wait for its first sample: a family
         * without samples (LACP with no 802.3ad bond) is left out. */
        char header[600];
};

static void label(FILE *f, const char *k, const char *v) {
        fprintf(f, "%s=\"", k);
        for (; *v; v++) {
                if (*v == '\\' || *v == '"')
                        fprintf(f, "\\%c", *v);
                else if (*v == '\n')
                        fputs("\\n", f);
                else
                        fputc(*v, f);
        }
        fputc('"', f);
}

/* kind: "gauge", "counter" (samples NAME_total), "info" (NAME_info). */
static void family(struct out *o, const char *name, const char *kind, const char *help) {
        bool counter = !strcmp(kind, "counter"), info = !strcmp(kind, "info");
        const char *suffix = o->om ? "" : counter ? "_total" : info ? "_info" : "";

        if (o->om)
                snprintf(o->header, sizeof(o->header), "# TYPE %s %s\n# HELP %s %s\n", name, kind, name, help);
        else
                snprintf(o->header, sizeof(o->header), "# HELP %s%s %s\n# TYPE %s%s %s\n", name, suffix, help,
                         name, suffix, counter ? "counter" : "gauge");
}

static void sample_start(struct out *o, const char *name) {
        fputs(o->header, o->f);
        o->header[0] = 0;
        fprintf(o->f, "%s{", name);
}

static void bond_sample(struct out *o, const char *name, const struct mbond *b, uint64_t v) {
        sample_start(o, name);
        label(o->f, "bond", b->name);
        fprintf(o->f, "} %" PRIu64 "\n", v);
}

static void port_sample(struct out *o, const char *name, const struct mbond *b, const struct mport *p,
                        uint64_t v) {
        sample_start(o, name);
        label(o->f, "bond", b->name);
        fputc(',', o->f);
        label(o->f, "port", p->name);
        fprintf(o->f, "} %" PRIu64 "\n", v);
}

/* The state of each port, in the order it is written; lacp: only for the
 * ports of 802.3ad bonds. */
enum port_metric { PM_UP, PM_ACTIVE, PM_LINK_FAILURES, PM_LACP_AGG, PM_LACP_ACTOR, PM_LACP_PARTNER, PM_LACP_DIST };

static const struct {
        const char *name, *kind, *help;
        bool lacp;
} port_metrics[] = {
        [PM_UP] = { "bondgen_port_up", "gauge", "1 when the port's link is up (MII status).", false },
        [PM_ACTIVE] = { "bondgen_port_active", "gauge",
                        "1 for the active port of active-backup, TLB and ALB bonds.", false },
        [PM_LINK_FAILURES] = { "bondgen_port_link_failures", "counter", "Times the port's link went down.", false },
        [PM_LACP_AGG] = { "bondgen_port_lacp_aggregator", "gauge",
                          "802.3ad: aggregator ID of the port, 0 when none.", true },
        [PM_LACP_ACTOR] = { "bondgen_port_lacp_actor_state", "gauge",
                            "802.3ad: actor port state bits (IEEE 802.1AX: 1 activity, 2 timeout, 4 aggregation, "
                            "8 synchronization, 16 collecting, 32 distributing, 64 defaulted, 128 expired).", true },
        [PM_LACP_PARTNER] = { "bondgen_port_lacp_partner_state", "gauge",
                              "802.3ad: partner port state bits, as the actor's.", true },
        [PM_LACP_DIST] = { "bondgen_port_lacp_distributing", "gauge",
                           "802.3ad: 1 when actor and partner are in sync, collecting and distributing.", true },
};

static uint64_t port_value(const struct mport *p, enum port_metric m) {
        switch (m) {
        case PM_UP: return p->up;
        case PM_ACTIVE: return p->active;
        case PM_LINK_FAILURES: return p->link_failures;
        case PM_LACP_AGG: return p->agg_id;
        case PM_LACP_ACTOR: return p->actor_state;
        case PM_LACP_PARTNER: return p->partner_state;
        case PM_LACP_DIST:
                /* synchronization, collecting and distributing (0x38) on both sides */
                return (p->actor_state & 0x38) == 0x38 && (p->partner_state & 0x38) == 0x38;
        }
        return 0;
}

static void emit(struct out *o, const struct mset *s) {
        static const struct {
                const char *name, *help;
        } cnames[C__MAX] = {
                { "bondgen_port_receive_packets", "Packets received on the port." },
                { "bondgen_port_receive_bytes", "Bytes received on the port." },
                { "bondgen_port_receive_dropped", "Received packets dropped on the port." },
                { "bondgen_port_transmit_packets", "Packets sent on the port." },
                { "bondgen_port_transmit_bytes", "Bytes sent on the port." },
                { "bondgen_port_transmit_dropped", "Packets the port could not send (dropped or errors)." },
                { "bondgen_port_lacpdu_received", "802.3ad: LACPDUs received on the port." },
                { "bondgen_port_lacpdu_sent", "802.3ad: LACPDUs sent on the port." },
                { "bondgen_port_lacpdu_bad", "802.3ad: LACPDUs received that could not be used (unknown or illegal)." },
                { "bondgen_port_receive_socket_dropped",
                  "bondgend: frames the kernel dropped at the port's packet socket (receive buffer or ring full) "
                  "before bondgend read them." },
        };

        family(o, "bondgen_bond", "info", "A bond, its mode and backend (kernel or userspace, bondgend).");
        for (size_t i = 0; i < s->n; i++) {
                sample_start(o, "bondgen_bond_info");
                label(o->f, "bond", s->v[i].name);
                fputc(',', o->f);
                label(o->f, "mode", s->v[i].mode);
                fputc(',', o->f);
                label(o->f, "backend", s->v[i].backend);
                fputs("} 1\n", o->f);
        }
        family(o, "bondgen_bond_up", "gauge", "1 when the bond has carrier.");
        for (size_t i = 0; i < s->n; i++)
                bond_sample(o, "bondgen_bond_up", &s->v[i], s->v[i].up);
        family(o, "bondgen_bond_ports", "gauge", "Ports of the bond.");
        for (size_t i = 0; i < s->n; i++)
                bond_sample(o, "bondgen_bond_ports", &s->v[i], s->v[i].n_ports);
        family(o, "bondgen_bond_ports_up", "gauge", "Ports of the bond whose link is up.");
        for (size_t i = 0; i < s->n; i++) {
                uint64_t n = 0;
                for (size_t j = 0; j < s->v[i].n_ports; j++)
                        n += s->v[i].ports[j].up;
                bond_sample(o, "bondgen_bond_ports_up", &s->v[i], n);
        }
        family(o, "bondgen_bond_lacp_active_aggregator", "gauge",
               "802.3ad: ID of the aggregator that carries traffic, 0 when none.");
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].lacp)
                        bond_sample(o, "bondgen_bond_lacp_active_aggregator", &s->v[i], s->v[i].active_agg);
        for (size_t m = 0; m < BG_ARRAY_SIZE(port_metrics); m++) {
                char sample[96];

                family(o, port_metrics[m].name, port_metrics[m].kind, port_metrics[m].help);
                snprintf(sample, sizeof(sample), "%s%s", port_metrics[m].name,
                         strcmp(port_metrics[m].kind, "counter") ? "" : "_total");
                for (size_t i = 0; i < s->n; i++)
                        for (size_t j = 0; j < s->v[i].n_ports; j++) {
                                const struct mport *p = &s->v[i].ports[j];

                                if (!port_metrics[m].lacp || p->lacp)
                                        port_sample(o, sample, &s->v[i], p, port_value(p, m));
                        }
        }
        for (int c = 0; c < C__MAX; c++) {
                char sample[96];
                family(o, cnames[c].name, "counter", cnames[c].help);
                snprintf(sample, sizeof(sample), "%s_total", cnames[c].name);
                for (size_t i = 0; i < s->n; i++)
                        for (size_t j = 0; j < s->v[i].n_ports; j++)
                                if (s->v[i].ports[j].have_c[c])
                                        port_sample(o, sample, &s->v[i], &s->v[i].ports[j], s->v[i].ports[j].c[c]);
        }
        if (o->om)
                fputs("# EOF\n", o->f);
}

int bg_cmd_metrics(int argc, char **argv) {
        static const struct option longopts[] = {
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct out o = { .om = true };
        struct mset s = { 0 };
        const char *path = NULL;
        char *text = NULL;
        size_t len = 0;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        if (!strcmp(optarg, "openmetrics"))
                                o.om = true;
                        else if (!strcmp(optarg, "prometheus"))
                                o.om = false;
                        else {
                                fprintf(stderr, "bondgen metrics: --format: expected openmetrics or prometheus, not '%s'\n",
                                        optarg);
                                return BG_EXIT_USAGE;
                        }
                        break;
                case 'o':
                        path = optarg;
                        break;
                case 'h':
                        printf("Usage: bondgen metrics [--format openmetrics|prometheus] [-o FILE]\n"
                               "Print the state of every bond (kernel and bondgend) as metrics; -o writes FILE\n"
                               "atomically (for node_exporter's textfile collector: --format prometheus).\n");
                        return BG_EXIT_OK;
                default:
                        return BG_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "bondgen metrics: unexpected argument '%s'\n", argv[optind]);
                return BG_EXIT_USAGE;
        }
        r = kernel_bonds(&s);
        if (r < 0) {
                fprintf(stderr, "bondgen metrics: cannot read the bonds over netlink: %s\n", strerror(-r));
                mset_free(&s);
                return BG_EXIT_SYSTEM;
        }
        r = userspace_bonds(&s);
        o.f = r < 0 ? NULL : open_memstream(&text, &len);
        if (!o.f) {
                mset_free(&s);
                return BG_EXIT_SYSTEM;
        }
        emit(&o, &s);
        mset_free(&s);
        if (fclose(o.f) != 0) {
                free(text);
                return BG_EXIT_SYSTEM;
        }
        if (path) {
                r = bg_write_file_atomic(path, text, len, 0644, true);
                if (r < 0)
                        fprintf(stderr, "bondgen metrics: %s: %s\n", path, strerror(-r));
        } else
                r = fwrite(text, 1, len, stdout) == len ? 0 : -EIO;
        free(text);
        return r < 0 ? BG_EXIT_SYSTEM : BG_EXIT_OK;
}
