/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Option values in kernel syntax: parsing, canonical text, copy/compare.
 * The rules follow the kernel's drivers/net/bonding/bond_options.c
 * (bond_opt_parse(): a value is a name or a number within the table's
 * range) and the module parameters of bond_main.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "model.h"
#include "util/array.h"

#define IFNAMSIZ_ 16

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
        va_list ap;

        if (err && errlen) {
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

/* Copy of text without the blanks around it (the kernel strips the
 * trailing newline and spaces of sysfs writes). */
static char *strip_dup(const char *text) {
        const char *b = text, *e;
        char *r;

        while (isspace((unsigned char) *b))
                b++;
        e = b + strlen(b);
        while (e > b && isspace((unsigned char) e[-1]))
                e--;
        r = malloc((size_t) (e - b) + 1);
        if (!r)
                return NULL;
        memcpy(r, b, (size_t) (e - b));
        r[e - b] = '\0';
        return r;
}

/* Digits only, as the kernel's "numeric" test; no sign, no hex. */
static int parse_digits(const char *s, uint64_t *out) {
        uint64_t v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (!isdigit((unsigned char) *s))
                        return -EINVAL;
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        *out = v;
        return 0;
}

/* "balance-rr, active-backup, ... or 0-6" for messages. */
static void expected_enums(const struct bg_opt_info *o, char *buf, size_t len) {
        size_t n = 0, pos = 0;
        unsigned lo = ~0u, hi = 0;
        bool contiguous = true;

        buf[0] = '\0';
        for (const struct bg_enum_val *e = o->enums; e->name; e++) {
                int w = snprintf(buf + pos, len - pos, "%s%s", n ? ", " : "", e->name);
                if (w < 0 || (size_t) w >= len - pos)
                        return;
                pos += (size_t) w;
                if (e->num < lo)
                        lo = e->num;
                if (e->num > hi)
                        hi = e->num;
                n++;
        }
        for (unsigned v = lo; n && v <= hi; v++)
                if (!bg_opt_enum_name(o, v))
                        contiguous = false;
        if (n && contiguous)
                snprintf(buf + pos, len - pos, " or %u-%u", lo, hi);
}

static int parse_enum(const struct bg_opt_info *o, const char *s, uint64_t *num, char *err,
                      size_t errlen) {
        char exp[256];
        uint64_t v;

        for (const struct bg_enum_val *e = o->enums; e->name; e++)
                if (strcmp(e->name, s) == 0) {
                        *num = e->num;
                        return 0;
                }
        /* Digits: accepted only when listed, as the kernel does for tables
         * without a maxval entry. */
        if (parse_digits(s, &v) == 0 && bg_opt_enum_name(o, v)) {
                *num = v;
                return 0;
        }
        expected_enums(o, exp, sizeof(exp));
        return fail(err, errlen, "unknown value '%s' for %s (expected %s)", s, o->name, exp);
}

static int parse_uint(const struct bg_opt_info *o, const char *s, uint64_t *num, char *err,
                      size_t errlen) {
        const char *unit = o->type == BG_OT_MSEC ? " ms" : (o->flags & BG_OF_SECONDS) ? " s" : "";
        uint64_t v;
        int r;

        r = parse_digits(s, &v);
        if (r == -ERANGE || (r == 0 && (v < o->min || v > o->max)))
                return fail(err, errlen, "value %s for %s is out of range (%" PRIu64 "-%" PRIu64 "%s)",
                            s, o->name, o->min, o->max, unit);
        if (r < 0)
                return fail(err, errlen, "invalid value '%s' for %s (expected a number %" PRIu64
                            "-%" PRIu64 "%s)", s, o->name, o->min, o->max, unit);
        *num = v;
        return 0;
}

static bool ifname_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n >= IFNAMSIZ_ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if (*s == '/' || *s == ':' || isspace((unsigned char) *s) || !isprint((unsigned char) *s))
                        return false;
        return true;
}

/* Append item; for address lists addr too (NULL otherwise), so that
 * addrs[] stays parallel to list[]. */
static int list_append_addr(struct bg_optval *v, const char *item, const struct bg_optaddr *addr) {
        char **l = BG_NEW_SLOT(v->list, v->n_list);

        if (!l)
                return -ENOMEM;
        if (addr) {
                struct bg_optaddr *a = BG_NEW_SLOT(v->addrs, v->n_list);
                if (!a)
                        return -ENOMEM;
                *a = *addr;
        }
        if (!(*l = strdup(item)))
                return -ENOMEM;
        v->n_list++;
        return 0;
}

static int list_append(struct bg_optval *v, const char *item) {
        return list_append_addr(v, item, NULL);
}

static void list_remove(struct bg_optval *v, const char *item) {
        for (size_t i = 0; i < v->n_list; i++)
                if (strcmp(v->list[i], item) == 0) {
                        free(v->list[i]);
                        memmove(&v->list[i], &v->list[i + 1], (v->n_list - i - 1) * sizeof(char *));
                        if (v->addrs)
                                memmove(&v->addrs[i], &v->addrs[i + 1],
                                        (v->n_list - i - 1) * sizeof(*v->addrs));
                        v->n_list--;
                        return;
                }
}

/* An arp_ip_target VLAN hint, "[10/20]" or "[]", in the syntax proposed
 * for the kernel's bonding driver ("ipv4-address[vlan-tag/...]", the
 * net-next series "bonding: Extend arp_ip_target format to allow for a
 * list of vlan tags", 2025; parsed by iproute2 and passed over netlink
 * only): VLAN ids 1-4094 separated by '/', outermost first, at most
 * BG_OPT_MAX_HINT_VLANS, nothing after the ']'. */
static int parse_hint(const char *h, struct bg_optaddr *out) {
        const char *p = h + 1;

        out->hinted = true;
        while (*p != ']') {
                char *end;
                unsigned long id;

                if (out->n_vlans == BG_OPT_MAX_HINT_VLANS || *p < '0' || *p > '9')
                        return -EINVAL;
                errno = 0;
                id = strtoul(p, &end, 10);
                if (errno || id < 1 || id > 4094 || (*end != '/' && *end != ']') ||
                    (*end == '/' && end[1] == ']'))
                        return -EINVAL;
                out->vlans[out->n_vlans++] = (uint16_t) id;
                p = *end == '/' ? end + 1 : end;
        }
        return p[1] ? -EINVAL : 0;
}

/* One address of arp_ip_target / ns_ip6_target into canonical text. */
static int parse_target(const struct bg_opt_info *o, const char *s, char *canon, size_t len,
                        struct bg_optaddr *out, char *err, size_t errlen) {
        *out = (struct bg_optaddr){ 0 };
        if (o->type == BG_OT_IPV4_LIST) {
                struct in_addr a;
                uint32_t h;

                char ip[INET_ADDRSTRLEN];
                const char *hint = strchr(s, '[');
                size_t iplen = hint ? (size_t) (hint - s) : strlen(s);

                if (iplen >= sizeof(ip))
                        return fail(err, errlen, "invalid IPv4 address '%s' in %s", s, o->name);
                memcpy(ip, s, iplen);
                ip[iplen] = '\0';
                if (inet_pton(AF_INET, ip, &a) != 1)
                        return fail(err, errlen, "invalid IPv4 address '%s' in %s", s, o->name);
                if (hint && parse_hint(hint, out) < 0)
                        return fail(err, errlen,
                                    "%s: bad VLAN hint in '%s' (expected ADDRESS[ID/ID...]: up to %d VLAN ids "
                                    "1-4094, outermost first, or [] for none)",
                                    o->name, s, BG_OPT_MAX_HINT_VLANS);
                h = ntohl(a.s_addr);
                /* The kernel refuses zeronet and limited broadcast targets. */
                if ((h >> 24) == 0 || h == 0xffffffffu)
                        return fail(err, errlen, "%s cannot be used as an ARP target", s);
                inet_ntop(AF_INET, &a, canon, (socklen_t) len);
                if (out->hinted) {
                        size_t k = strlen(canon);

                        k += (size_t) snprintf(canon + k, len - k, "[");
                        for (size_t i = 0; i < out->n_vlans; i++)
                                k += (size_t) snprintf(canon + k, len - k, "%s%u", i ? "/" : "", out->vlans[i]);
                        snprintf(canon + k, len - k, "]");
                }
                out->family = AF_INET;
                memcpy(out->bytes, &a, 4);
        } else {
                struct in6_addr a;

                if (inet_pton(AF_INET6, s, &a) != 1)
                        return fail(err, errlen, "invalid IPv6 address '%s' in %s", s, o->name);
                if (IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) ||
                    IN6_IS_ADDR_MULTICAST(&a))
                        return fail(err, errlen, "%s cannot be used as an NS target", s);
                inet_ntop(AF_INET6, &a, canon, (socklen_t) len);
                out->family = AF_INET6;
                memcpy(out->bytes, &a, 16);
        }
        return 0;
}

/* The target at addr's address, whatever its VLAN hint (the kernel keeps
 * one entry per address), or SIZE_MAX. */
static size_t addr_index(const struct bg_optval *v, const struct bg_optaddr *addr) {
        for (size_t i = 0; v->addrs && i < v->n_list; i++)
                if (v->addrs[i].family == addr->family && !memcmp(v->addrs[i].bytes, addr->bytes, 16))
                        return i;
        return SIZE_MAX;
}

static int parse_target_list(const struct bg_opt_info *o, const char *s, struct bg_optval *v,
                             char *err, size_t errlen) {
        char canon[INET6_ADDRSTRLEN];
        struct bg_optaddr addr;
        char *copy, *save = NULL;
        int r;

        /* sysfs style: "+addr" adds one, "-addr" removes one. */
        if (s[0] == '+' || s[0] == '-') {
                r = parse_target(o, s + 1, canon, sizeof(canon), &addr, err, errlen);
                if (r < 0)
                        return r;
                if (s[0] == '-') {
                        size_t i = addr_index(v, &addr);
                        if (i == SIZE_MAX)
                                return fail(err, errlen, "%s: cannot remove %s, it is not a target",
                                            o->name, canon);
                        list_remove(v, v->list[i]);
                        return 0;
                }
                if (addr_index(v, &addr) != SIZE_MAX)
                        return fail(err, errlen, "%s: %s is listed twice", o->name, canon);
                if (v->n_list >= o->max)
                        return fail(err, errlen, "%s: too many targets (at most %" PRIu64 ")",
                                    o->name, o->max);
                return list_append_addr(v, canon, &addr);
        }

        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        r = 0;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *t = strip_dup(tok);

                if (!t) {
                        r = -ENOMEM;
                        break;
                }
                if (!*t) {
                        free(t);
                        continue;
                }
                r = parse_target(o, t, canon, sizeof(canon), &addr, err, errlen);
                free(t);
                if (r < 0)
                        break;
                if (addr_index(v, &addr) != SIZE_MAX) {
                        r = fail(err, errlen, "%s: %s is listed twice", o->name, canon);
                        break;
                }
                if (v->n_list >= o->max) {
                        r = fail(err, errlen, "%s: too many targets (at most %" PRIu64 ")",
                                 o->name, o->max);
                        break;
                }
                r = list_append_addr(v, canon, &addr);
                if (r < 0)
                        break;
        }
        free(copy);
        return r;
}

/* "eth1:2": a later entry for the same port replaces the earlier one, like
 * writing sysfs again; two ports with the same non-zero queue are refused. */
static int parse_queue_id(const struct bg_opt_info *o, const char *s, struct bg_optval *v,
                          char *err, size_t errlen) {
        const char *colon = strrchr(s, ':');
        char name[IFNAMSIZ_ + 1], item[IFNAMSIZ_ + 16];
        size_t nl, same = SIZE_MAX;
        uint64_t q;

        if (!colon)
                return fail(err, errlen, "invalid value '%s' for queue_id (expected IFNAME:QUEUE)", s);
        nl = (size_t) (colon - s);
        if (nl == 0 || nl >= sizeof(name))
                return fail(err, errlen, "invalid interface name in queue_id '%s'", s);
        memcpy(name, s, nl);
        name[nl] = '\0';
        if (!ifname_valid(name))
                return fail(err, errlen, "invalid interface name in queue_id '%s'", s);
        if (parse_digits(colon + 1, &q) < 0 || q > o->max)
                return fail(err, errlen, "invalid queue in queue_id '%s' (expected 0-%" PRIu64 ")",
                            s, o->max);
        snprintf(item, sizeof(item), "%s:%" PRIu64, name, q);
        /* Check every other port first: a port moving to a queue another
         * port uses is refused too (bond_options.c:bond_option_queue_id_set()
         * rejects a duplicate non-zero queue id). */
        for (size_t i = 0; i < v->n_list; i++) {
                const char *c = strrchr(v->list[i], ':');

                if (!c)
                        continue;
                if ((size_t) (c - v->list[i]) == nl && strncmp(v->list[i], name, nl) == 0) {
                        same = i;
                        continue;
                }
                /* Both canonical ("03" was stored as "3"). */
                if (q != 0 && strcmp(c + 1, strrchr(item, ':') + 1) == 0)
                        return fail(err, errlen, "queue_id: queue %" PRIu64 " is already used by %.*s",
                                    q, (int) (c - v->list[i]), v->list[i]);
        }
        if (same < v->n_list) {
                char *dup = strdup(item);

                if (!dup)
                        return -ENOMEM;
                free(v->list[same]);
                v->list[same] = dup;
                return 0;
        }
        return list_append(v, item);
}

int bg_opt_parse_value(const struct bg_opt_info *o, const char *text, struct bg_optval *out,
                       char *err, size_t errlen) {
        struct bg_optval nv = { 0 };
        uint8_t mac[6];
        char *s;
        int r = 0;

        if (err && errlen)
                err[0] = '\0';
        if (!o || !text || !out)
                return -EINVAL;
        s = strip_dup(text);
        if (!s)
                return -ENOMEM;

        /* Work on a copy so that a failed list edit leaves out untouched. */
        if (o->flags & BG_OF_LIST) {
                r = bg_optval_copy(&nv, out);
                if (r < 0)
                        goto done;
        }

        if (strcmp(s, "default") == 0 && o->type != BG_OT_IFNAME && !(o->flags & BG_OF_LIST) &&
            o->type != BG_OT_MAC) {
                nv.num = o->def;
                goto ok;
        }

        switch (o->type) {
        case BG_OT_ENUM:
        case BG_OT_BOOL:
                r = parse_enum(o, s, &nv.num, err, errlen);
                break;
        case BG_OT_UINT:
        case BG_OT_MSEC:
                r = parse_uint(o, s, &nv.num, err, errlen);
                break;
        case BG_OT_IFNAME:
                /* Empty = no primary / clear active slave. */
                if (*s && !ifname_valid(s))
                        r = fail(err, errlen, "invalid interface name '%s' for %s", s, o->name);
                else if (!(nv.str = strdup(s)))
                        r = -ENOMEM;
                break;
        case BG_OT_MAC:
                if (strcmp(s, "default") == 0 || !*s)
                        memset(mac, 0, sizeof(mac));
                else if (bg_parse_mac(s, mac) < 0) {
                        r = fail(err, errlen, "invalid MAC address '%s' for %s", s, o->name);
                        break;
                }
                if (mac[0] & 1) {
                        r = fail(err, errlen, "%s must not be a multicast address (%s)", o->name, s);
                        break;
                }
                nv.str = malloc(18);
                if (!nv.str)
                        r = -ENOMEM;
                else
                        bg_format_mac(mac, nv.str);
                memcpy(nv.mac, mac, sizeof(nv.mac));
                break;
        case BG_OT_IPV4_LIST:
        case BG_OT_IPV6_LIST:
                r = parse_target_list(o, s, &nv, err, errlen);
                break;
        case BG_OT_QUEUE_ID:
                r = parse_queue_id(o, s, &nv, err, errlen);
                break;
        default:
                r = fail(err, errlen, "%s: unsupported option type", o->name);
        }
        if (r < 0)
                goto done;
ok:
        nv.set = true;
        bg_optval_clear(out);
        *out = nv;
        nv = (struct bg_optval){ 0 };
done:
        if (r == -ENOMEM && err && errlen)
                snprintf(err, errlen, "out of memory");
        bg_optval_clear(&nv);
        free(s);
        return r;
}

int bg_opt_format_value(const struct bg_opt_info *o, const struct bg_optval *v, char *buf,
                        size_t len) {
        size_t pos = 0;
        const char *name;
        int w;

        if (!o || !v || !buf || len == 0)
                return -EINVAL;
        buf[0] = '\0';
        if (!v->set)
                return -ENODATA;
        switch (o->type) {
        case BG_OT_ENUM:
        case BG_OT_BOOL:
                name = bg_opt_enum_name(o, v->num);
                w = name ? snprintf(buf, len, "%s", name) : snprintf(buf, len, "%" PRIu64, v->num);
                break;
        case BG_OT_UINT:
        case BG_OT_MSEC:
                w = snprintf(buf, len, "%" PRIu64, v->num);
                break;
        case BG_OT_IFNAME:
        case BG_OT_MAC:
                w = snprintf(buf, len, "%s", v->str ? v->str : "");
                break;
        default:
                for (size_t i = 0; i < v->n_list; i++) {
                        w = snprintf(buf + pos, len - pos, "%s%s", i ? "," : "", v->list[i]);
                        if (w < 0 || (size_t) w >= len - pos)
                                return -ENOBUFS;
                        pos += (size_t) w;
                }
                return 0;
        }
        if (w < 0 || (size_t) w >= len)
                return -ENOBUFS;
        return 0;
}

void bg_optval_clear(struct bg_optval *v) {
        if (!v)
                return;
        free(v->str);
        for (size_t i = 0; i < v->n_list; i++)
                free(v->list[i]);
        free(v->list);
        free(v->addrs);
        *v = (struct bg_optval){ 0 };
}

int bg_optval_copy(struct bg_optval *dst, const struct bg_optval *src) {
        struct bg_optval n = { .set = src->set, .num = src->num };

        memcpy(n.mac, src->mac, sizeof(n.mac));

        if (src->str && !(n.str = strdup(src->str)))
                return -ENOMEM;
        if (src->n_list) {
                n.list = calloc(src->n_list, sizeof(char *));
                if (!n.list) {
                        bg_optval_clear(&n);
                        return -ENOMEM;
                }
                if (src->addrs) {
                        n.addrs = malloc(src->n_list * sizeof(*n.addrs));
                        if (!n.addrs) {
                                bg_optval_clear(&n);
                                return -ENOMEM;
                        }
                        memcpy(n.addrs, src->addrs, src->n_list * sizeof(*n.addrs));
                }
                for (size_t i = 0; i < src->n_list; i++) {
                        n.list[i] = strdup(src->list[i]);
                        n.n_list = i + 1;
                        if (!n.list[i]) {
                                bg_optval_clear(&n);
                                return -ENOMEM;
                        }
                }
        }
        bg_optval_clear(dst);
        *dst = n;
        return 0;
}

static bool str_eq(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

bool bg_optval_equal(const struct bg_optval *a, const struct bg_optval *b) {
        if (a->set != b->set)
                return false;
        if (!a->set)
                return true;
        if (a->num != b->num || !str_eq(a->str, b->str) || a->n_list != b->n_list)
                return false;
        for (size_t i = 0; i < a->n_list; i++)
                if (!str_eq(a->list[i], b->list[i]))
                        return false;
        return true;
}
