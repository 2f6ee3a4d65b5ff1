/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User-space bonds seen by apply: bondgend's control socket
 * (RUNDIR/BOND.sock, bondgend(8) CONTROL SOCKET) as a client library, the
 * `state` answer parsed, and that state laid over the netlink view so the
 * one planner (plan.c) compares a bondgend bond with the model exactly as
 * it compares a kernel bond: same stages, same words.
 *
 * The `state` answer, after the "ok" line (every line required in this
 * order, nothing else accepted):
 *   bond NAME
 *   option NAME VALUE      every option bondgend runs with (kernel names
 *                          and value syntax, lists joined by ',')
 *   port NAME MII          in enslave order; MII as IFLA_BOND_SLAVE_MII_STATUS
 *                          (0 up, 1 going down, 2 down, 3 going back)
 *   pending NAME           configured ports that do not exist yet
 *   active NAME            the active port, when there is one
 *   vlan NAME ID           bondgend's own VLAN devices (where the kernel
 *                          has no 802.1Q), if any
 *   end
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "config.h"
#include "util/util.h"
#include "yaml/yaml.h"

const char *bg_apply_rundir(void) {
        const char *e = getenv("BONDGEN_RUNDIR");

        return e && *e == '/' ? e : BG_RUNDIR;
}

int bg_fwd_model_path(const char *bond, char *buf, size_t len) {
        if ((size_t) snprintf(buf, len, "%s/%s.yaml", bg_apply_rundir(), bond) >= len)
                return -ENAMETOOLONG;
        return 0;
}

/* Whoever may write the run directory (bondgend's own user under
 * DynamicUser=) may put anything there: never follow a link, read only a
 * regular file with one name, so what is recorded and written back is
 * never another file's content. */
int bg_fwd_model_read(const char *bond, char **data, size_t *len) {
        char path[PATH_MAX];
        struct stat st;
        int fd, r;

        *data = NULL;
        *len = 0;
        r = bg_fwd_model_path(bond, path, sizeof(path));
        if (r < 0)
                return r;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return errno == ELOOP ? -EINVAL : -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
                close(fd);
                return -EINVAL;
        }
        r = bg_read_stream(fd, BG_YAML_MAX_SIZE, data, len);
        close(fd);
        return r;
}

/* b alone with the VLANs of m on it, as canonical text: the one-bond
 * model bondgend starts from. */
static int dump_one(const struct bg_bond *b, const struct bg_model *m, char **out, size_t *len) {
        struct bg_model one;
        struct bg_vlan *v = NULL;
        int r;

        memset(&one, 0, sizeof(one));
        one.bonds = (struct bg_bond *) b;
        one.n_bonds = 1;
        for (size_t i = 0; m && i < m->n_vlans; i++) {
                if (!m->vlans[i].link || strcmp(m->vlans[i].link, b->name))
                        continue;
                if (!v && !(v = calloc(m->n_vlans, sizeof(*v))))
                        return -ENOMEM;
                v[one.n_vlans++] = m->vlans[i];
        }
        one.vlans = v;
        r = bg_yaml_dump(&one, out, len);
        free(v);
        return r;
}

int bg_fwd_model_text(const struct bg_bond *b, const struct bg_model *m, char **text, size_t *len) {
        return dump_one(b, m, text, len);
}

/* The value bondgend runs with when no model sets the option: the
 * catalogue's default, no name, no address. */
static bool is_default(const struct bg_opt_info *o, const struct bg_optval *v) {
        switch (o->type) {
        case BG_OT_IFNAME:
                return !v->str || !v->str[0];
        case BG_OT_MAC:
                return !v->str || !v->str[strspn(v->str, "0:")];
        case BG_OT_IPV4_LIST:
        case BG_OT_IPV6_LIST:
        case BG_OT_QUEUE_ID:
                return v->n_list == 0;
        default:
                return v->num == o->def;
        }
}

/* b as bondgend runs it after a live change (fs: its state then): an
 * option the model leaves out keeps the value it runs with, as the
 * planner leaves it (it compares only options the model sets), and the
 * ports go in enslave order, which decides the first active port. A
 * restart from it changes nothing. */
static int dump_running(const struct bg_bond *b, const struct bg_model *m, const struct bg_fwd_state *fs, char **out,
                        size_t *len) {
        struct bg_bond rb = *b;
        struct bg_port *ports = calloc(b->n_ports ? b->n_ports : 1, sizeof(*ports));
        bool *taken = calloc(b->n_ports ? b->n_ports : 1, sizeof(*taken));
        size_t n = 0;
        int r = 0;

        if (!ports || !taken) {
                free(ports);
                free(taken);
                return -ENOMEM;
        }
        for (size_t i = 0; i < fs->n_ports; i++)
                for (size_t k = 0; k < b->n_ports; k++)
                        if (!taken[k] && b->ports[k].name && !strcmp(b->ports[k].name, fs->ports[i])) {
                                ports[n++] = b->ports[k];
                                taken[k] = true;
                                break;
                        }
        for (size_t k = 0; k < b->n_ports; k++)
                if (!taken[k])
                        ports[n++] = b->ports[k];
        rb.ports = ports;
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);

                /* rb.opts[i] is b's until copied over here */
                if (b->opts[i].set || !fs->opts.have[i] || (o->flags & (BG_OF_RUNTIME | BG_OF_PER_PORT)) ||
                    is_default(o, &fs->opts.val[i])) {
                        taken[0] = taken[0];
                        continue;
                }
                memset(&rb.opts[i], 0, sizeof(rb.opts[i]));
                r = bg_optval_copy(&rb.opts[i], &fs->opts.val[i]);
                rb.opts[i].set = true;
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = dump_one(&rb, m, out, len);
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                if (!b->opts[i].set && rb.opts[i].set)
                        bg_optval_clear(&rb.opts[i]);
        free(ports);
        free(taken);
        return r;
}

/* text as bondgend would read it: loaded and validated alone. */
static bool loads_valid(const char *bond, const char *text, size_t len) {
        struct bg_model m;
        struct bg_diags d = { 0 };
        bool ok;

        bg_model_init(&m);
        ok = bg_yaml_load_data(text, len, bond, &m, &d) >= 0 && bg_model_find_bond(&m, bond) &&
             bg_model_validate(&m, &d) >= 0;
        bg_diags_free(&d);
        bg_model_free(&m);
        return ok;
}

/* Does the text of a model file say about bond what dump says? Compared
 * as canonical text of that one bond, so a whole model that holds it, or
 * another spelling, counts as the same. */
static bool says_the_same(const char *bond, const char *old, size_t olen, const char *dump, size_t len) {
        struct bg_model m;
        struct bg_diags d = { 0 };
        const struct bg_bond *ob;
        char *text = NULL;
        size_t tlen = 0;
        bool same = false;

        if (olen == len && memcmp(old, dump, len) == 0)
                return true;
        bg_model_init(&m);
        if (bg_yaml_load_data(old, olen, bond, &m, &d) >= 0 && (ob = bg_model_find_bond(&m, bond)) &&
            dump_one(ob, &m, &text, &tlen) >= 0)
                same = tlen == len && memcmp(text, dump, len) == 0;
        free(text);
        bg_diags_free(&d);
        bg_model_free(&m);
        return same;
}

int bg_fwd_model_write(const struct bg_bond *b, const struct bg_model *m, const struct bg_fwd_state *fs,
                       bool if_differs, char *path, size_t pathlen) {
        char *yaml = NULL, *old = NULL;
        size_t len = 0, olen = 0;
        int r;

        r = bg_fwd_model_path(b->name, path, pathlen);
        if (r >= 0 && fs) {
                r = dump_running(b, m, fs, &yaml, &len);
                /* a combination of leftovers the model's rules refuse
                 * would keep bondgend from starting: the model's bond then */
                if (r >= 0 && !loads_valid(b->name, yaml, len)) {
                        free(yaml);
                        yaml = NULL;
                        fs = NULL;
                }
        }
        if (r >= 0 && !fs)
                r = dump_one(b, m, &yaml, &len);
        if (r >= 0 && if_differs && bg_fwd_model_read(b->name, &old, &olen) >= 0 &&
            says_the_same(b->name, old, olen, yaml, len))
                r = 1;
        if (r == 0) {
                r = bg_mkdir_p(bg_apply_rundir(), 0755);
                if (r >= 0)
                        r = bg_write_file_atomic(path, yaml, len, 0644, true);
        }
        free(old);
        free(yaml);
        return r < 0 ? r : r == 1 ? 0 : 1;
}

static long long mono_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int timeout_ms(void) {
        const char *e = getenv("BONDGEN_TIMEOUT");
        char *end;
        double v;

        if (!e || !*e)
                return 5000;
        v = strtod(e, &end);
        return *end || v <= 0 || v > 3600 ? 5000 : (int) (v * 1000);
}

static bool ifname_ok(const char *s) {
        return *s && strlen(s) < IFNAMSIZ && !strpbrk(s, "/ \t\n:") && strcmp(s, ".") && strcmp(s, "..");
}

static int sock_path(const char *bond, struct sockaddr_un *sa) {
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        if (!ifname_ok(bond))
                return -EINVAL;
        if ((size_t) snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s.sock", bg_apply_rundir(), bond) >=
            sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        return 0;
}

int bg_fwdctl_check_rundir(uid_t *owner, char *err, size_t errlen) {
        const char *dir = bg_apply_rundir();
        struct stat st;

        *owner = 0;
        if (stat(dir, &st) < 0)
                return 0;   /* missing: connect() says no bondgend runs */
        /* anyone who can write it could put a socket of their own there
         * and answer for bondgend */
        if (st.st_mode & 022) {
                snprintf(err, errlen, "%s: refused: the run directory must be writable by no one but its owner "
                         "(owner %u, mode %04o)", dir, (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        *owner = st.st_uid;
        return 0;
}

/* Connect to BOND's socket, checking that root (or the run directory's
 * owner, bondgend's user: DynamicUser= chowns RuntimeDirectory=) serves
 * it; *pid is the server's. connect(2) on a unix socket whose backlog is
 * full (bondgend hung) blocks for the send timeout, which is the
 * client's. */
static int ctl_connect(const char *bond, pid_t *pid, char *err, size_t errlen) {
        struct sockaddr_un sa;
        struct ucred cred;
        socklen_t cl = sizeof(cred);
        uid_t owner = 0;
        int fd, r, t = timeout_ms();
        struct timeval tv = { t / 1000, (t % 1000) * 1000 };

        r = sock_path(bond, &sa);
        if (r < 0) {
                snprintf(err, errlen, r == -EINVAL ? "not a usable bond name" : "name too long");
                return r;
        }
        r = bg_fwdctl_check_rundir(&owner, err, errlen);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = -errno;
                snprintf(err, errlen, "socket: %s", strerror(-r));
                return r;
        }
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = -errno;
                close(fd);
                if (r == -EAGAIN || r == -EINPROGRESS || r == -ETIMEDOUT) {
                        snprintf(err, errlen, "bondgend does not accept connections within %d.%03d s (hung?): %s",
                                 t / 1000, t % 1000, sa.sun_path);
                        return -ETIMEDOUT;
                }
                if (r == -ENOENT || r == -ECONNREFUSED)
                        snprintf(err, errlen, "no bondgend is running for this bond (%s)", sa.sun_path);
                else if (r == -EACCES || r == -EPERM)
                        snprintf(err, errlen, "permission denied: only root may control bondgend");
                else
                        snprintf(err, errlen, "%s: %s", sa.sun_path, strerror(-r));
                return r == -EPERM ? -EACCES : r;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
                r = -errno;
                close(fd);
                snprintf(err, errlen, "refused: %s: who serves it is unknown (SO_PEERCRED: %s)", sa.sun_path,
                         strerror(-r));
                return -EPERM;
        }
        if (cred.uid != 0 && cred.uid != owner) {
                close(fd);
                snprintf(err, errlen, "refused: %s is served by uid %u, neither root nor the run directory's owner",
                         sa.sun_path, (unsigned) cred.uid);
                return -EPERM;
        }
        if (pid)
                *pid = cred.pid;
        return fd;
}

int bg_fwdctl_pid(const char *bond, pid_t *pid) {
        char err[256];
        int fd = ctl_connect(bond, pid, err, sizeof(err));

        if (fd < 0)
                return fd;
        close(fd);
        return 0;
}

int bg_fwdctl_request(const char *bond, const char *req, char **body, char *err, size_t errlen) {
        return bg_fwdctl_call(bond, req, body, NULL, 0, err, errlen);
}

int bg_fwdctl_call(const char *bond, const char *req, char **body, char *note, size_t notelen, char *err,
                   size_t errlen) {
        char *buf = NULL, *nl;
        size_t len = 0, cap = 0;
        int t = timeout_ms();
        long long deadline = mono_ms() + t;
        int fd;

        err[0] = 0;
        if (note && notelen)
                note[0] = 0;
        if (body)
                *body = NULL;
        fd = ctl_connect(bond, NULL, err, errlen);
        if (fd < 0)
                return fd;
        /* a refused request may be answered before it is fully sent: read
         * the answer whatever send() says */
        (void) send(fd, req, strlen(req), MSG_NOSIGNAL);
        shutdown(fd, SHUT_WR);
        for (;;) {
                struct pollfd p = { fd, POLLIN, 0 };
                long long left = deadline - mono_ms();
                ssize_t n;
                int k;

                if (len + 4096 > cap) {
                        char *nb = realloc(buf, cap + 65536);
                        if (!nb) {
                                free(buf);
                                close(fd);
                                snprintf(err, errlen, "%s", strerror(ENOMEM));
                                return -ENOMEM;
                        }
                        buf = nb;
                        cap += 65536;
                }
                k = left > 0 ? poll(&p, 1, (int) left) : 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        free(buf);
                        close(fd);
                        snprintf(err, errlen, "no answer from bondgend within %d.%03d s (hung?)", t / 1000, t % 1000);
                        return -ETIMEDOUT;
                }
                n = recv(fd, buf + len, cap - len - 1, MSG_DONTWAIT);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n <= 0)
                        break;
                len += (size_t) n;
        }
        close(fd);
        if (!len) {
                free(buf);
                snprintf(err, errlen, "no answer from bondgend");
                return -EIO;
        }
        buf[len] = 0;
        nl = strchr(buf, '\n');
        if (nl)
                *nl++ = 0;
        if (strncmp(buf, "ok", 2) != 0 || (buf[2] && buf[2] != ':')) {
                snprintf(err, errlen, "%s", !strncmp(buf, "error: ", 7) ? buf + 7 : buf);
                free(buf);
                /* "unknown command": a bondgend older than this request */
                return strstr(err, "unknown command") ? -EOPNOTSUPP : -EINVAL;
        }
        if (note && notelen && buf[2] == ':')
                snprintf(note, notelen, "%s", buf + 3 + (buf[3] == ' '));
        if (body) {
                *body = strdup(nl ? nl : "");
                if (!*body) {
                        free(buf);
                        return -ENOMEM;
                }
        }
        free(buf);
        return 0;
}

void bg_fwd_state_free(struct bg_fwd_state *s) {
        for (unsigned i = 0; i < BG_OPT__MAX; i++)
                bg_optval_clear(&s->opts.val[i]);
        memset(s, 0, sizeof(*s));
}

static int bad(char *err, size_t errlen, unsigned n, const char *what) {
        snprintf(err, errlen, "bondgend's state, line %u: %s", n, what);
        return -EPROTO;
}

int bg_fwd_state_parse(const char *text, struct bg_fwd_state *s, char *err, size_t errlen) {
        enum { S_BOND, S_OPTION, S_PORT, S_PENDING, S_ACTIVE, S_VLAN, S_END } at = S_BOND;
        const char *p = text;
        unsigned n = 0;

        memset(s, 0, sizeof(*s));
        while (*p) {
                const char *eol = strchr(p, '\n');
                char line[1024], *key, *a, *b, *save = NULL;
                size_t len;

                n++;
                if (!eol)
                        return bad(err, errlen, n, "not terminated by a newline");
                len = (size_t) (eol - p);
                if (len >= sizeof(line))
                        return bad(err, errlen, n, "too long");
                memcpy(line, p, len);
                line[len] = 0;
                p = eol + 1;
                if (at == S_END)
                        return bad(err, errlen, n, "text after 'end'");
                key = strtok_r(line, " ", &save);
                a = key ? strtok_r(NULL, " ", &save) : NULL;
                b = a ? strtok_r(NULL, "", &save) : NULL;
                if (!key)
                        return bad(err, errlen, n, "empty line");
                if (!strcmp(key, "bond") && at == S_BOND && a && !b && ifname_ok(a)) {
                        snprintf(s->name, sizeof(s->name), "%s", a);
                        at = S_OPTION;
                } else if (!strcmp(key, "option") && at == S_OPTION && a) {
                        const struct bg_opt_info *o = bg_opt_lookup(a);
                        char e[200];
                        if (!o || strcmp(o->name, a) || (o->flags & (BG_OF_MODULE_ONLY | BG_OF_PER_PORT)))
                                return bad(err, errlen, n, "not a bond option");
                        if (s->opts.have[o->id])
                                return bad(err, errlen, n, "option given twice");
                        if (bg_opt_parse_value(o, b ? b : "", &s->opts.val[o->id], e, sizeof(e)) < 0)
                                return bad(err, errlen, n, "bad option value");
                        s->opts.val[o->id].set = true;
                        s->opts.have[o->id] = true;
                } else if (!strcmp(key, "port") && (at == S_OPTION || at == S_PORT) && a && b &&
                           ifname_ok(a) && (b[1] == 0 || b[1] == ' ') && b[0] >= '0' && b[0] <= '3') {
                        int32_t prio = 0;
                        /* "port NAME LINK [PRIO]": a bondgend before port priorities gives no PRIO */
                        if (b[1] == ' ' && bg_port_prio_parse(b + 2, &prio) < 0)
                                return bad(err, errlen, n, "bad port prio");
                        if (s->n_ports && s->have_prio != (b[1] == ' '))
                                return bad(err, errlen, n, "port lines with and without prio");
                        s->have_prio = b[1] == ' ';
                        if (s->n_ports >= BG_FWD_STATE_MAX)
                                return bad(err, errlen, n, "too many ports");
                        snprintf(s->ports[s->n_ports], IFNAMSIZ, "%s", a);
                        s->prio[s->n_ports] = prio;
                        s->mii[s->n_ports++] = (uint8_t) (b[0] - '0');
                        at = S_PORT;
                } else if (!strcmp(key, "pending") && at >= S_OPTION && at <= S_PENDING && a && !b &&
                           ifname_ok(a)) {
                        if (s->n_pending >= BG_FWD_STATE_MAX)
                                return bad(err, errlen, n, "too many pending ports");
                        snprintf(s->pending[s->n_pending++], IFNAMSIZ, "%s", a);
                        at = S_PENDING;
                } else if (!strcmp(key, "active") && at >= S_OPTION && at <= S_PENDING && a && !b &&
                           ifname_ok(a)) {
                        snprintf(s->active, sizeof(s->active), "%s", a);
                        at = S_ACTIVE;
                } else if (!strcmp(key, "vlan") && at >= S_OPTION && at <= S_VLAN && a && b && ifname_ok(a) &&
                           strspn(b, "0123456789") == strlen(b) && strlen(b) <= 4 && atoi(b) >= 1 &&
                           atoi(b) <= 4094) {
                        if (s->n_vlans >= BG_FWD_STATE_MAX)
                                return bad(err, errlen, n, "too many VLANs");
                        snprintf(s->vlans[s->n_vlans], IFNAMSIZ, "%s", a);
                        s->vlan_id[s->n_vlans++] = (uint16_t) atoi(b);
                        at = S_VLAN;
                } else if (!strcmp(key, "end") && at >= S_OPTION && !a) {
                        at = S_END;
                } else
                        return bad(err, errlen, n, "unexpected line");
        }
        if (at != S_END)
                return bad(err, errlen, n + 1, "missing 'end' (answer cut short?)");
        if (!s->opts.have[BG_OPT_MODE])
                return bad(err, errlen, n, "no mode");
        return 0;
}

int bg_fwd_state_read(const char *bond, struct bg_fwd_state *s, char *err, size_t errlen) {
        char *body = NULL;
        int r = bg_fwdctl_request(bond, "state\n", &body, err, errlen);

        if (r < 0)
                return r;
        r = bg_fwd_state_parse(body, s, err, errlen);
        free(body);
        if (r >= 0 && strcmp(s->name, bond) != 0) {
                snprintf(err, errlen, "bondgend answered for bond %s", s->name);
                r = -EPROTO;
        }
        if (r < 0)
                bg_fwd_state_free(s);
        return r;
}

/* bondgend's ports have no master in the kernel's eyes (AF_PACKET
 * sockets, not IFLA_MASTER): make them ports of the TAP here, and the TAP
 * a bond with bondgend's options, so the planner reads them as it reads a
 * kernel bond. Options naming a port (primary) go by ifindex, as the
 * kernel reports them; one naming no present port is left unreported,
 * as bond_fill_info() leaves it. */
int bg_fwd_state_overlay(struct bg_nl_state *st, const struct bg_fwd_state *fs) {
        struct bg_nl_link *tap = NULL;

        for (size_t i = 0; i < st->n_links; i++)
                if (!strcmp(st->links[i].name, fs->name))
                        tap = &st->links[i];
        if (!tap)
                return -ENODEV;
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                bg_optval_clear(&tap->bond.val[i]);
                tap->bond.have[i] = false;
        }
        tap->is_bond = true;
        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *o = bg_opt_get(i);
                const struct bg_optval *v = &fs->opts.val[i];
                int r;

                if (!fs->opts.have[i])
                        continue;
                if (o->nla == BG_NLA_IFINDEX) {
                        const struct bg_nl_link *l = v->str && v->str[0] ? bg_nl_state_link(st, v->str) : NULL;
                        if (!l)
                                continue;
                        tap->bond.val[i] = (struct bg_optval){ .set = true, .num = (uint64_t) l->ifindex };
                        tap->bond.have[i] = true;
                        continue;
                }
                r = bg_optval_copy(&tap->bond.val[i], v);
                if (r < 0)
                        return r;
                tap->bond.have[i] = true;
        }
        for (size_t i = 0; i < fs->n_ports; i++) {
                struct bg_nl_link *l = NULL;
                for (size_t j = 0; j < st->n_links && !l; j++)
                        if (!strcmp(st->links[j].name, fs->ports[i]))
                                l = &st->links[j];
                if (!l)
                        continue;
                l->master = tap->ifindex;
                l->slave.have = true;
                l->slave.mii_status = fs->mii[i];
                l->slave.prio = fs->prio[i];
                l->slave.have_prio = fs->have_prio;
                if (fs->active[0] && !strcmp(fs->active, l->name)) {
                        tap->bond.val[BG_OPT_ACTIVE_SLAVE] = (struct bg_optval){ .set = true,
                                                                                 .num = (uint64_t) l->ifindex };
                        tap->bond.have[BG_OPT_ACTIVE_SLAVE] = true;
                }
        }
        return 0;
}

/* "set miimon=100 mode=active-backup": the options of a plan step, in
 * the catalogue's order (the kernel's bond_changelink() order). */
int bg_fwd_opts_request(const char *verb, const struct bg_nl_bond_opts *o, char *buf, size_t len) {
        size_t n = (size_t) snprintf(buf, len, "%s", verb);

        for (unsigned i = 0; i < BG_OPT__MAX; i++) {
                const struct bg_opt_info *oi = bg_opt_get(i);
                char v[600] = "";

                if (!o->have[i] || i == BG_OPT_ACTIVE_SLAVE)
                        continue;
                if (oi->nla == BG_NLA_IFINDEX)
                        snprintf(v, sizeof(v), "%s", o->val[i].str ? o->val[i].str : "");
                else if (bg_opt_format_value(oi, &o->val[i], v, sizeof(v)) < 0 && o->val[i].set &&
                         (o->val[i].str || o->val[i].n_list))
                        return -ENOBUFS;
                if (strpbrk(v, " \n"))
                        return -EINVAL;
                n += (size_t) snprintf(buf + n, n < len ? len - n : 0, " %s=%s", oi->name, v);
                if (n >= len)
                        return -ENOBUFS;
        }
        if (n + 2 > len)
                return -ENOBUFS;
        buf[n++] = '\n';
        buf[n] = 0;
        return 0;
}

int bg_fwd_wait_ready(const char *bond, pid_t pid, int ms, char *why, size_t whylen) {
        long long until = mono_ms() + ms;

        why[0] = 0;
        for (;;) {
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                struct bg_fwd_state fs;

                if (bg_fwd_state_read(bond, &fs, why, whylen) >= 0) {
                        bg_fwd_state_free(&fs);
                        return 0;
                }
                if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH) {
                        snprintf(why, whylen, "bondgend (pid %d) exited at start; run it in a terminal to see why",
                                 (int) pid);
                        return -ESRCH;
                }
                if (mono_ms() >= until) {
                        char last[200];
                        snprintf(last, sizeof(last), "%s", why);
                        snprintf(why, whylen, "bondgend does not answer within %d.%03d s: %s", ms / 1000, ms % 1000,
                                 last);
                        return -ETIMEDOUT;
                }
                nanosleep(&ts, NULL);
        }
}

static bool unit_active(const char *unit) {
        char *argv[] = { (char *) "systemctl", (char *) "--quiet", (char *) "is-active", (char *) unit, NULL };

        return access("/run/systemd/system", F_OK) == 0 && bg_run(argv, true) == 0;
}

/* Stop the bondgend of BOND: its unit when the service manager runs it
 * (the unit's stop also releases the TAP it keeps), else SIGTERM to the
 * process serving the socket, which gives the ports back and deletes the
 * device. Waits until it is gone. */
int bg_fwd_stop(const char *bond, char *err, size_t errlen) {
        char unit[IFNAMSIZ + 32];
        long long until;
        pid_t pid;
        int r;

        err[0] = 0;
        snprintf(unit, sizeof(unit), "bondgend@%s.service", bond);
        if (unit_active(unit)) {
                char *argv[] = { (char *) "systemctl", (char *) "stop", unit, NULL };

                r = bg_run(argv, false);
                if (r < 0)
                        return r;
                if (r != 0) {
                        snprintf(err, errlen, "systemctl stop %s failed", unit);
                        return -EIO;
                }
                return 0;
        }
        r = bg_fwdctl_pid(bond, &pid);
        if (r < 0) {
                snprintf(err, errlen, "no bondgend answers for it: %s", strerror(-r));
                return r;
        }
        if (pid <= 1 || kill(pid, SIGTERM) < 0) {
                snprintf(err, errlen, "cannot signal bondgend (pid %d)", (int) pid);
                return -ESRCH;
        }
        until = mono_ms() + 10000;
        while (mono_ms() < until) {
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                if (kill(pid, 0) < 0 && errno == ESRCH)
                        return 0;
                nanosleep(&ts, NULL);
        }
        snprintf(err, errlen, "bondgend (pid %d) did not stop within 10 s", (int) pid);
        return -ETIMEDOUT;
}
