/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DHCP on a bond, VLAN or bridge of the model: apply makes the link and its
 * static part, then hands the dynamic part to what the system has
 * (bondgen(8) DHCP):
 *
 *   - systemd-networkd (it runs, or is enabled and starts after
 *     bondgen-apply.service): a runtime .network file per link under
 *     /run/systemd/network, named 05-bondgen-NAME.network so it sorts
 *     before the administrator's (systemd.network(5): the first file in
 *     lexical order that matches a link wins), then `networkctl reload`
 *     when networkd already runs;
 *   - else ISC dhclient (Debian 12 isc-dhcp-client, RHEL dhcp-client):
 *     the unit bondgen-dhcp@NAME.service (bondgen-dhcp6@ for IPv6),
 *     started without waiting (apply runs before network-pre.target), or
 *     without systemd `dhclient -nw` itself with its pid file in RUNDIR;
 *   - else klibc's ipconfig, initramfs-tools' own DHCP client (its
 *     configure_networking() runs it the same way): only where it is on
 *     the initramfs's PATH (/bin, /usr/bin; the real root keeps it under
 *     /usr/lib/klibc/bin), IPv4 only, in the foreground until it has a
 *     lease or BONDGEN_DHCP_TIMEOUT seconds (30) pass, because it neither
 *     renews nor stays: the boot goes on with the address set, and its
 *     /run/net-NAME.conf is what initramfs-tools' NFS root reads;
 *   - else an error naming the link: it has no address.
 *
 * networkd manages only the links of its network namespace (PID 1's), so
 * in another namespace the client is used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply-int.h"
#include "util/util.h"

#define NETWORKD_PREFIX "05-bondgen-"
#define NETWORKD_HEADER "# Written by bondgen apply: DHCP of this link, handed to systemd-networkd.\n"

static const char *networkd_dir(void) {
        const char *e = getenv("BONDGEN_NETWORKD_DIR");
        return e && *e == '/' ? e : "/run/systemd/network";
}

int bg_dhcp_networkd_file(const char *name, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6,
                          const char *hostname, char **out, size_t *len) {
        FILE *f = open_memstream(out, len);
        bool d4 = v4->method == BG_IP_DHCP, d6 = v6->method == BG_IP_DHCP;

        if (!f)
                return -ENOMEM;
        fprintf(f, NETWORKD_HEADER
                   "# bondgen made the link and set its static part; it rewrites or removes this\n"
                   "# file when the model changes (bondgen(8), DHCP).\n"
                   "[Match]\nName=%s\n\n[Network]\nDHCP=%s\n",
                name, d4 && d6 ? "yes" : d4 ? "ipv4" : "ipv6");
        /* what apply set (static addresses, routes) stays */
        fputs("KeepConfiguration=static\nConfigureWithoutCarrier=yes\n", f);
        fprintf(f, "LinkLocalAddressing=%s\n", d6 || v6->method == BG_IP_STATIC ? "ipv6" : "no");
        if (d6)
                fputs("IPv6AcceptRA=yes\n", f);
        if (hostname && d4)
                fprintf(f, "\n[DHCPv4]\nHostname=%s\n", hostname);
        return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* Is systemd-networkd there for the links apply makes? */
static bool networkd_wanted(bool *running) {
        const char *force = getenv("BONDGEN_DHCP");
        char a[64] = "", b[64] = "";

        *running = false;
        if (force)
                return !strcmp(force, "networkd");
        if (access("/run/systemd/system", F_OK) != 0)
                return false;
        /* networkd serves PID 1's namespace only */
        if (readlink("/proc/1/ns/net", a, sizeof(a) - 1) < 0 || readlink("/proc/self/ns/net", b, sizeof(b) - 1) < 0 ||
            strcmp(a, b) != 0)
                return false;
        char *active[] = { (char *) "systemctl", (char *) "-q", (char *) "is-active", (char *) "systemd-networkd.service",
                           NULL };
        char *enabled[] = { (char *) "systemctl", (char *) "-q", (char *) "is-enabled", (char *) "systemd-networkd.service",
                            NULL };
        if (bg_run(active, true) == 0)
                return *running = true;
        return bg_run(enabled, true) == 0;
}

static const char *dhclient_path(void) {
        static const char *const paths[] = { "/usr/sbin/dhclient", "/sbin/dhclient", "/usr/bin/dhclient" };
        const char *force = getenv("BONDGEN_DHCP");

        if (force && strcmp(force, "dhclient"))
                return NULL;
        for (size_t i = 0; i < BG_ARRAY_SIZE(paths); i++)
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        return NULL;
}

/* A dhclient from an earlier apply still serving the link. */
static pid_t client_alive(const char *pidfile) {
        char *data = NULL, path[64], comm[64] = "";
        size_t len;
        long pid;
        FILE *f;

        if (bg_read_file(pidfile, 64, &data, &len) < 0)
                return 0;
        pid = strtol(data, NULL, 10);
        free(data);
        if (pid <= 1 || kill((pid_t) pid, 0) != 0)
                return 0;
        snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
        f = fopen(path, "re");
        if (f) {
                if (!fgets(comm, sizeof(comm), f))
                        comm[0] = 0;
                fclose(f);
        }
        return strncmp(comm, "dhclient", 8) == 0 ? (pid_t) pid : 0;
}

/* klibc's ipconfig as initramfs-tools installs it (hooks/klibc-utils
 * copies /usr/lib/klibc/bin/ into the image's /bin); that directory itself
 * only when asked for by name (tests, BONDGEN_DHCP=ipconfig). */
static const char *ipconfig_path(void) {
        static const char *const paths[] = { "/bin/ipconfig", "/usr/bin/ipconfig", "/usr/lib/klibc/bin/ipconfig" };
        const char *force = getenv("BONDGEN_DHCP");
        size_t n = BG_ARRAY_SIZE(paths) - 1;

        if (force && strcmp(force, "ipconfig"))
                return NULL;
        if (force)
                n++;
        for (size_t i = 0; i < n; i++)
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        return NULL;
}

/* A bondgend bond started without systemd has its device only once
 * bondgend has opened it, a moment after apply started it: a client run
 * directly needs the device, so wait for it (up to `secs`). */
static bool link_appears(const char *name, long secs) {
        for (long i = 0; i < secs * 20; i++) {
                if (if_nametoindex(name) > 0)
                        return true;
                usleep(50 * 1000);
        }
        return if_nametoindex(name) > 0;
}

struct dhcp_ctx {
        const struct bg_apply_opts *o;
        struct bg_diags *d;
        bool networkd, networkd_running, reload, systemd;
        const char *dhclient, *ipconfig;
};

static int to_networkd(struct dhcp_ctx *c, const char *name, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6,
                       const char *hostname, const struct bg_loc *loc) {
        char path[PATH_MAX], *buf = NULL, *old = NULL;
        size_t len = 0, old_len = 0;
        int r;

        snprintf(path, sizeof(path), "%s/" NETWORKD_PREFIX "%s.network", networkd_dir(), name);
        r = bg_dhcp_networkd_file(name, v4, v6, hostname, &buf, &len);
        if (r < 0)
                return r;
        if (bg_read_file(path, 1 << 16, &old, &old_len) >= 0 && old_len == len && memcmp(old, buf, len) == 0) {
                bg_apply_say(c->o, "%s: DHCP: systemd-networkd has it (%s)", name, path);
        } else {
                bg_apply_say(c->o, "%s: DHCP: hand to systemd-networkd (%s)", name, path);
                if (!c->o->dry_run) {
                        r = bg_mkdir_p(networkd_dir(), 0755);
                        if (r >= 0)
                                r = bg_write_file_atomic(path, buf, len, 0644, true);
                        if (r < 0)
                                bg_diag_add(c->d, BG_DIAG_ERROR, loc, "method",
                                            "%s: DHCP: cannot write %s: %s; the link has no dynamic address",
                                            name, path, strerror(-r));
                        c->reload |= r >= 0;
                }
        }
        free(old);
        free(buf);
        return r;
}

/* name as a unit instance (systemd-escape(1)): '-' and other bytes as
 * \xXX, so that %I gives the name back. */
static void unit_escape(const char *name, char *out, size_t len) {
        size_t n = 0;

        for (const char *p = name; *p && n + 5 < len; p++) {
                bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                             *p == ':' || *p == '_' || (*p == '.' && p != name);
                if (plain)
                        out[n++] = *p;
                else
                        n += (size_t) snprintf(out + n, len - n, "\\x%02x", (unsigned char) *p);
        }
        out[n] = 0;
}

/* Is the unit file there, in the directories systemd loads system units
 * from (systemd.unit(5) "Unit File Load Path")? */
static bool unit_installed(const char *unit) {
        static const char *const dirs[] = {
                "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                "/usr/lib/systemd/system", "/lib/systemd/system",
        };
        char path[PATH_MAX];

        for (size_t i = 0; i < BG_ARRAY_SIZE(dirs); i++) {
                snprintf(path, sizeof(path), "%s/%s", dirs[i], unit);
                if (access(path, F_OK) == 0)
                        return true;
        }
        return false;
}

static int to_dhclient(struct dhcp_ctx *c, const char *name, bool v6, const struct bg_loc *loc) {
        const char *fam = v6 ? "-6" : "-4";
        char pidfile[PATH_MAX], lease[PATH_MAX], unit[4 * IFNAMSIZ + 32], esc[4 * IFNAMSIZ + 1];
        pid_t pid;
        int r;

        if (c->systemd && !unit_installed(v6 ? "bondgen-dhcp6@.service" : "bondgen-dhcp@.service")) {
                /* a systemd initramfs built without our DHCP units (dracut
                 * with network-legacy, which brings dhclient, and no
                 * systemd-networkd) */
                bg_apply_say(c->o, "%s: DHCP: bondgen-dhcp%s@.service is not installed here; dhclient runs "
                             "outside systemd", name, v6 ? "6" : "");
        } else if (c->systemd) {
                unit_escape(name, esc, sizeof(esc));
                snprintf(unit, sizeof(unit), "bondgen-dhcp%s@%s.service", v6 ? "6" : "", esc);
                bg_apply_say(c->o, "%s: DHCP: start %s (dhclient)", name, unit);
                if (c->o->dry_run)
                        return 0;
                /* --no-block: the unit is ordered after bondgen-apply.service */
                char *argv[] = { (char *) "systemctl", (char *) "start", (char *) "--no-block", unit, NULL };
                r = bg_run(argv, true);
                if (r != 0)
                        bg_diag_add(c->d, BG_DIAG_ERROR, loc, "method",
                                    "%s: DHCP: systemctl start %s failed (status %d); the link has no dynamic address",
                                    name, unit, r);
                return r ? -EIO : 0;
        }
        snprintf(pidfile, sizeof(pidfile), "%s/dhclient%s-%s.pid", bg_apply_rundir(), v6 ? "6" : "", name);
        snprintf(lease, sizeof(lease), "%s/dhclient%s-%s.leases", bg_apply_rundir(), v6 ? "6" : "", name);
        pid = client_alive(pidfile);
        if (pid) {
                bg_apply_say(c->o, "%s: DHCP: dhclient runs (pid %ld)", name, (long) pid);
                return 0;
        }
        bg_apply_say(c->o, "%s: DHCP: start %s %s", name, c->dhclient, fam);
        if (c->o->dry_run)
                return 0;
        if (!link_appears(name, 10)) {
                bg_diag_add(c->d, BG_DIAG_ERROR, loc, "method",
                            "%s: DHCP: the link did not appear within 10 s; it has no dynamic address", name);
                return -ENODEV;
        }
        r = bg_mkdir_p(bg_apply_rundir(), 0755);
        if (r < 0)
                return r;
        const char *script = getenv("BONDGEN_DHCLIENT_SCRIPT");
        char *argv[12];
        int n = 0;
        argv[n++] = (char *) c->dhclient;
        argv[n++] = (char *) fam;
        argv[n++] = (char *) "-nw";     /* daemon at once: the lease comes when it comes */
        argv[n++] = (char *) "-pf";
        argv[n++] = pidfile;
        argv[n++] = (char *) "-lf";
        argv[n++] = lease;
        if (script && *script == '/') {
                argv[n++] = (char *) "-sf";
                argv[n++] = (char *) script;
        }
        argv[n++] = (char *) name;
        argv[n] = NULL;
        r = bg_run(argv, true);
        if (r != 0) {
                bg_diag_add(c->d, BG_DIAG_ERROR, loc, "method", "%s: DHCP: %s exited with status %d; the link has no dynamic address",
                            name, c->dhclient, r);
                return -EIO;
        }
        return 0;
}

/* ipconfig -t T -c dhcp -d NAME, as initramfs-tools' configure_networking()
 * calls it; a /run/net-NAME.conf means an earlier run has the lease. */
static int to_ipconfig(struct dhcp_ctx *c, const char *name, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6,
                       const struct bg_loc *loc) {
        const char *t = getenv("BONDGEN_DHCP_TIMEOUT");
        char conf[PATH_MAX], secs[16];
        long timeout = 30;
        int ret = 0, r;

        if (t && *t) {
                char *end;
                long v = strtol(t, &end, 10);
                if (!*end && v > 0 && v <= 3600)
                        timeout = v;
        }
        if (v6->method == BG_IP_DHCP) {
                bg_diag_add(c->d, c->o->dry_run ? BG_DIAG_WARNING : BG_DIAG_ERROR, &v6->loc, "method",
                            "%s: DHCPv6 wanted, but the only DHCP client here is klibc's ipconfig, which speaks "
                            "DHCPv4 only: %s has no dynamic IPv6 address", name, name);
                ret = c->o->dry_run ? 0 : -ENOENT;
        }
        if (v4->method != BG_IP_DHCP)
                return ret;
        snprintf(conf, sizeof(conf), "/run/net-%s.conf", name);
        if (access(conf, F_OK) == 0) {
                bg_apply_say(c->o, "%s: DHCP: ipconfig has it (%s)", name, conf);
                return ret;
        }
        bg_apply_say(c->o, "%s: DHCP: %s, up to %ld s", name, c->ipconfig, timeout);
        if (c->o->dry_run)
                return ret;
        if (!link_appears(name, timeout)) {
                bg_diag_add(c->d, BG_DIAG_ERROR, loc, "method",
                            "%s: DHCP: the link did not appear within %ld s; it has no dynamic address", name, timeout);
                return -ENODEV;
        }
        snprintf(secs, sizeof(secs), "%ld", timeout);
        char *argv[] = { (char *) c->ipconfig, (char *) "-t", secs, (char *) "-c", (char *) "dhcp", (char *) "-d",
                         (char *) name, NULL };
        r = bg_run(argv, false);
        if (r != 0) {
                bg_diag_add(c->d, BG_DIAG_ERROR, loc, "method",
                            "%s: DHCP: no lease (%s -t %ld exited with status %d); the link has no dynamic address",
                            name, c->ipconfig, timeout, r);
                return -EIO;
        }
        return ret;
}

static int one(struct dhcp_ctx *c, const char *name, const struct bg_ipcfg *v4, const struct bg_ipcfg *v6,
               const char *hostname, const struct bg_loc *loc) {
        int r = 0;

        if (v4->method != BG_IP_DHCP && v6->method != BG_IP_DHCP)
                return 0;
        if (c->networkd)
                return to_networkd(c, name, v4, v6, hostname, loc);
        if (!c->dhclient && c->ipconfig) {
                if (hostname && !c->o->dry_run)
                        bg_diag_add(c->d, BG_DIAG_NOTE, loc, "dhcp-hostname",
                                    "%s: dhcp-hostname %s is not sent by klibc's ipconfig", name, hostname);
                return to_ipconfig(c, name, v4, v6, loc);
        }
        if (!c->dhclient) {
                /* a dry run only says what apply would find */
                bg_diag_add(c->d, c->o->dry_run ? BG_DIAG_WARNING : BG_DIAG_ERROR, v4->method == BG_IP_DHCP ? &v4->loc : &v6->loc, "method",
                            "%s: DHCP wanted, but systemd-networkd does not run here and no DHCP client "
                            "(dhclient: Debian isc-dhcp-client, RHEL dhcp-client; klibc's ipconfig in an "
                            "initramfs-tools image) is installed: %s has no dynamic address",
                            name, name);
                return c->o->dry_run ? 0 : -ENOENT;
        }
        if (hostname && !c->o->dry_run)
                bg_diag_add(c->d, BG_DIAG_NOTE, loc, "dhcp-hostname",
                            "%s: dhcp-hostname %s is sent by systemd-networkd only; dhclient sends what "
                            "dhclient.conf(5) says", name, hostname);
        if (v4->method == BG_IP_DHCP)
                r = to_dhclient(c, name, false, loc);
        if (r >= 0 && v6->method == BG_IP_DHCP)
                r = to_dhclient(c, name, true, loc);
        return r;
}

/* Files of ours for links that no longer want DHCP go (only ours: our
 * prefix and our first line). */
static void networkd_cleanup(struct dhcp_ctx *c, const struct bg_model *m) {
        DIR *dir = opendir(networkd_dir());
        struct dirent *e;

        if (!dir)
                return;
        while ((e = readdir(dir))) {
                char name[NAME_MAX + 1], path[PATH_MAX], *data = NULL;
                size_t len = 0, n = strlen(e->d_name), pl = strlen(NETWORKD_PREFIX);
                const struct bg_ipcfg *v4 = NULL, *v6 = NULL;

                if (n <= pl + 8 || strncmp(e->d_name, NETWORKD_PREFIX, pl) || strcmp(e->d_name + n - 8, ".network"))
                        continue;
                snprintf(name, sizeof(name), "%.*s", (int) (n - pl - 8), e->d_name + pl);
                const struct bg_bond *b = bg_model_find_bond(m, name);
                const struct bg_vlan *v = bg_model_find_vlan(m, name);
                const struct bg_bridge *br = bg_model_find_bridge(m, name);
                if (b)
                        v4 = &b->ipv4, v6 = &b->ipv6;
                else if (v)
                        v4 = &v->ipv4, v6 = &v->ipv6;
                else if (br)
                        v4 = &br->ipv4, v6 = &br->ipv6;
                if (v4 && (v4->method == BG_IP_DHCP || v6->method == BG_IP_DHCP) && c->networkd)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", networkd_dir(), e->d_name);
                if (bg_read_file(path, 1 << 16, &data, &len) < 0 || len < strlen(NETWORKD_HEADER) ||
                    memcmp(data, NETWORKD_HEADER, strlen(NETWORKD_HEADER)) != 0) {
                        free(data);
                        continue;
                }
                free(data);
                bg_apply_say(c->o, "%s: DHCP: remove %s (the model no longer hands it to systemd-networkd)", name, path);
                if (!c->o->dry_run && unlink(path) == 0)
                        c->reload = true;
        }
        closedir(dir);
}

int bg_dhcp_handoff(const struct bg_model *m, const bool *skip, const struct bg_apply_opts *o, struct bg_diags *d) {
        struct dhcp_ctx c = { .o = o, .d = d };
        int ret = 0;

        c.networkd = networkd_wanted(&c.networkd_running);
        c.systemd = !getenv("BONDGEN_DHCP") && access("/run/systemd/system", F_OK) == 0;
        c.dhclient = c.networkd ? NULL : dhclient_path();
        c.ipconfig = c.networkd || c.dhclient ? NULL : ipconfig_path();
        for (size_t i = 0; i < m->n_bonds; i++)
                if (!(skip && skip[i]) &&
                    one(&c, m->bonds[i].name, &m->bonds[i].ipv4, &m->bonds[i].ipv6, m->bonds[i].dhcp_hostname,
                        &m->bonds[i].loc) < 0)
                        ret = -EIO;
        for (size_t i = 0; i < m->n_vlans; i++)
                if (one(&c, m->vlans[i].name, &m->vlans[i].ipv4, &m->vlans[i].ipv6, m->vlans[i].dhcp_hostname,
                        &m->vlans[i].loc) < 0)
                        ret = -EIO;
        for (size_t i = 0; i < m->n_bridges; i++)
                if (one(&c, m->bridges[i].name, &m->bridges[i].ipv4, &m->bridges[i].ipv6,
                        m->bridges[i].dhcp_hostname, &m->bridges[i].loc) < 0)
                        ret = -EIO;
        networkd_cleanup(&c, m);
        if (c.reload && c.networkd_running && !o->dry_run) {
                char *argv[] = { (char *) "networkctl", (char *) "reload", NULL };
                bg_apply_say(o, "DHCP: networkctl reload");
                if (bg_run(argv, true) != 0)
                        bg_diag_add(d, BG_DIAG_WARNING, NULL, NULL,
                                    "DHCP: networkctl reload failed; systemd-networkd reads the files when it restarts");
        }
        return ret;
}
