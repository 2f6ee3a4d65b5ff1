/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `bondgen status` of a kernel bond: /proc/net/bonding/BOND as the kernel
 * writes it (bond_procfs.c), with what it lacks for 802.3ad added the way
 * bondgend adds it: the port state bits in words ("LACP actor flags",
 * "LACP partner flags") and one line of likely cause ("LACP health",
 * src/util/lacp-health.h). --json gives the same keys as bondgend's JSON:
 * lower case with underscores, nested blocks prefixed (actor_, partner_,
 * aggregator_), ports in "slaves".
 */
#include <ctype.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model/model.h"
#include "netlink/netlink.h"
#include "util/lacp-health.h"
#include "util/util.h"
#include "util/array.h"

#define MAX_PORTS 64

struct kv {
        char key[96];       /* with the section prefix for nested lines */
        char text[160];     /* the line as the kernel wrote it */
        char value[128];
};

struct block {
        struct kv *v;
        size_t n;
        struct bg_lacp_health_port hp;
        char name[IFNAMSIZ];
        bool lacp;
};

static int push(struct block *b, const char *key, const char *text, const char *value) {
        struct kv *v = BG_NEW_SLOT(b->v, b->n);

        if (!v)
                return -ENOMEM;
        snprintf(v->key, sizeof(v->key), "%s", key);
        snprintf(v->text, sizeof(v->text), "%s", text);
        snprintf(v->value, sizeof(v->value), "%s", value);
        b->n++;
        return 0;
}

/* What the health check needs from one port's lines. */
static void port_fact(struct block *p, const char *key, const char *v) {
        if (!strcmp(key, "MII Status"))
                p->hp.link_up = !strcmp(v, "up");
        else if (!strcmp(key, "Aggregator ID"))
                p->hp.aggregator = (unsigned) strtoul(v, NULL, 10), p->lacp = true;
        else if (!strcmp(key, "Actor Churn State"))
                p->hp.actor_churned = !strcmp(v, "churned");
        else if (!strcmp(key, "Partner Churn State"))
                p->hp.partner_churned = !strcmp(v, "churned");
        else if (!strcmp(key, "actor port key"))
                p->hp.actor_key = (uint16_t) strtoul(v, NULL, 10);
        else if (!strcmp(key, "partner oper key"))
                p->hp.partner_key = (uint16_t) strtoul(v, NULL, 10);
        else if (!strcmp(key, "actor port state"))
                p->hp.actor_state = (uint8_t) strtoul(v, NULL, 10);
        else if (!strcmp(key, "partner port state"))
                p->hp.partner_state = (uint8_t) strtoul(v, NULL, 10);
        else if (!strcmp(key, "partner system mac address"))
                bg_parse_mac(v, p->hp.partner_system);
}

static void print_block(FILE *f, const struct block *b, bool json, const char *extra[][2], size_t n_extra) {
        for (size_t i = 0; i < b->n; i++) {
                if (json && !b->v[i].key[0])
                        continue;
                if (json) {
                        fputc(',', f);
                        bg_json_key(f, b->v[i].key);
                        bg_json_value(f, b->v[i].value);
                } else
                        fprintf(f, "%s\n", b->v[i].text);
        }
        for (size_t i = 0; i < n_extra; i++) {
                if (json) {
                        fputc(',', f);
                        bg_json_key(f, extra[i][0]);
                        bg_json_str(f, extra[i][1]);
                } else
                        fprintf(f, "%s: %s\n", extra[i][0], extra[i][1]);
        }
}

/* The kernel's 802.3ad counters of each port (RTM_GETSTATS, what `ip -s
 * link xstats type bond_slave` shows; /proc/net/bonding has none), under
 * the names bondgend's status uses where it counts the same thing. A
 * port whose counters cannot be read is shown without them. */
static int add_3ad_counters(struct block *blocks, size_t nb) {
        static const char *const names[BG_NL_3AD_STAT__MAX] = {
                [BG_NL_3AD_LACPDU_RX] = "LACPDU RX",
                [BG_NL_3AD_LACPDU_TX] = "LACPDU TX",
                [BG_NL_3AD_LACPDU_UNKNOWN_RX] = "LACPDU RX unknown",
                [BG_NL_3AD_LACPDU_ILLEGAL_RX] = "LACPDU RX illegal",
                [BG_NL_3AD_MARKER_RX] = "Marker RX",
                [BG_NL_3AD_MARKER_TX] = "Marker TX",
                [BG_NL_3AD_MARKER_RESP_RX] = "Marker response RX",
                [BG_NL_3AD_MARKER_RESP_TX] = "Marker response TX",
                [BG_NL_3AD_MARKER_UNKNOWN_RX] = "Marker RX unknown",
        };
        struct bg_nl *nl = NULL;
        int r = 0;

        for (size_t i = 1; i < nb && r >= 0; i++) {
                struct bg_nl_3ad_stats st;
                unsigned idx;

                if (!blocks[i].lacp || !(idx = if_nametoindex(blocks[i].name)))
                        continue;
                if (!nl && bg_nl_open(&nl) < 0)
                        return 0;
                if (bg_nl_get_port_stats(nl, (int) idx, &st) < 0)
                        continue;
                for (int k = 0; k < BG_NL_3AD_STAT__MAX && r >= 0; k++) {
                        char v[24], t[160];
                        if (!st.have[k])
                                continue;
                        snprintf(v, sizeof(v), "%llu", (unsigned long long) st.v[k]);
                        snprintf(t, sizeof(t), "%s: %s", names[k], v);
                        r = push(&blocks[i], names[k], t, v);
                }
        }
        bg_nl_close(nl);
        return r;
}

int bg_cli_kernel_status(const char *bond, bool json) {
        char path[128], *text = NULL, *save = NULL, section[32] = "";
        struct block blocks[MAX_PORTS + 1];
        size_t nb = 1, len;
        unsigned active_agg = 0;
        bool in_active_agg = false;
        int r;

        snprintf(path, sizeof(path), "/proc/net/bonding/%s", bond);
        r = bg_read_file(path, 1 << 20, &text, &len);
        if (r < 0)
                return r;
        memset(blocks, 0, sizeof(blocks));
        snprintf(blocks[0].name, IFNAMSIZ, "%s", bond);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                bool nested = line[0] == ' ' || line[0] == '\t';
                char *l = line, *sep, key[96];
                struct block *cur = &blocks[nb - 1];

                while (*l == ' ' || *l == '\t')
                        l++;
                sep = strchr(l, ':');
                if (!sep) {
                        /* "802.3ad info": a heading, text only */
                        r = *l && !json ? push(cur, "", line, "") : 0;
                        if (r < 0)
                                goto out;
                        continue;
                }
                *sep = 0;
                const char *v = sep[1] == ' ' ? sep + 2 : sep + 1;
                if (!nested) {
                        section[0] = 0;
                        in_active_agg = !strcmp(l, "Active Aggregator Info");
                        if (!strcmp(l, "details actor lacp pdu"))
                                snprintf(section, sizeof(section), "actor");
                        else if (!strcmp(l, "details partner lacp pdu"))
                                snprintf(section, sizeof(section), "partner");
                        else if (in_active_agg)
                                snprintf(section, sizeof(section), "aggregator");
                        if (section[0]) {
                                /* the block header itself: kept as text only */
                                char t[160];
                                snprintf(t, sizeof(t), "%s:", l);
                                r = json ? 0 : push(cur, "", t, "");
                                if (r < 0)
                                        goto out;
                                continue;
                        }
                }
                if (!nested && !strcmp(l, "Slave Interface")) {
                        if (nb > MAX_PORTS)
                                break;
                        cur = &blocks[nb++];
                        snprintf(cur->name, IFNAMSIZ, "%s", v);
                        cur->hp.name = cur->name;
                }
                snprintf(key, sizeof(key), "%s%s%s", nested ? section : "", nested && section[0] ? " " : "", l);
                if (nested && in_active_agg && !strcmp(l, "Aggregator ID"))
                        active_agg = (unsigned) strtoul(v, NULL, 10);
                if (nb > 1)
                        port_fact(cur, key, v);
                char t[160];
                snprintf(t, sizeof(t), "%s%s: %s", nested ? (in_active_agg ? "\t" : "    ") : "", l, v);
                r = push(cur, key, t, v);
                if (r < 0)
                        goto out;
        }

        r = add_3ad_counters(blocks, nb);
        if (r < 0)
                goto out;

        /* bondgend's additions, computed the same way */
        struct bg_lacp_health_port hp[MAX_PORTS];
        char why[512] = "", words[MAX_PORTS][2][160];
        bool lacp = false;
        for (size_t i = 1; i < nb; i++) {
                hp[i - 1] = blocks[i].hp;
                lacp |= blocks[i].lacp;
                bg_lacp_state_words(blocks[i].hp.actor_state, words[i - 1][0], sizeof(words[0][0]));
                bg_lacp_state_words(blocks[i].hp.partner_state, words[i - 1][1], sizeof(words[0][1]));
        }
        if (lacp)
                bg_lacp_health(hp, nb - 1, active_agg, why, sizeof(why));

        FILE *f = stdout;
        const char *bextra[2][2] = { { "LACP health", why }, { "Backend", "kernel" } };
        if (json) {
                fputs("{\"bond\":", f);
                bg_json_str(f, bond);
                print_block(f, &blocks[0], true, lacp ? bextra : bextra + 1, lacp ? 2 : 1);
                fputs(",\"slaves\":[", f);
        } else {
                print_block(f, &blocks[0], false, lacp ? bextra : bextra + 1, lacp ? 2 : 1);
        }
        for (size_t i = 1; i < nb; i++) {
                const char *pextra[2][2] = { { "LACP actor flags", words[i - 1][0] },
                                             { "LACP partner flags", words[i - 1][1] } };
                if (json) {
                        fputs(i > 1 ? ",{\"name\":" : "{\"name\":", f);
                        bg_json_str(f, blocks[i].name);
                        print_block(f, &blocks[i], true, pextra, blocks[i].lacp ? 2 : 0);
                        fputc('}', f);
                } else {
                        fputc('\n', f);
                        print_block(f, &blocks[i], false, pextra, blocks[i].lacp ? 2 : 0);
                }
        }
        if (json)
                fputs("]}\n", f);
        r = 0;
out:
        for (size_t i = 0; i < nb; i++)
                free(blocks[i].v);
        free(text);
        return r;
}
