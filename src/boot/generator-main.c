/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen-generator NORMAL [EARLY LATE] (systemd.generator(7)). Exits 0
 * whatever happens: a generator that fails cannot stop the boot anyway,
 * and a broken bondgen file must not look like a broken system. Problems
 * go to /dev/kmsg when run by the service manager, to stderr otherwise.
 *
 * Environment for tests (all optional): BONDGEN_ROOT (read configuration
 * below this directory), BONDGEN_CMDLINE (instead of /proc/cmdline),
 * BONDGEN_KERNEL_RELEASE (instead of uname -r), BONDGEN_DEVICE_TIMEOUT
 * (seconds bondgen-apply.service waits for a named port, default 10),
 * BONDGEN_UNITDIR, BONDGEN_SBINDIR, BONDGEN_LIBEXECDIR (installed paths the
 * links and drop-ins name, so that a test can verify them against a build).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "util/util.h"

static int log_fd = -1;

static void log_line(int prio, const char *text) {
        if (log_fd >= 0) {
                char buf[1024];
                int n = snprintf(buf, sizeof(buf), "<%d>bondgen-generator: %s\n", prio, text);
                if (n > 0 && write(log_fd, buf, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1) > 0)
                        return;
        }
        fprintf(stderr, "bondgen-generator: %s\n", text);
}

static void log_diags(const struct bg_diags *d) {
        for (size_t i = 0; i < d->n; i++) {
                char buf[900];
                int prio = d->v[i].level == BG_DIAG_ERROR ? 3 : d->v[i].level == BG_DIAG_WARNING ? 4 : 5;
                if (bg_diag_format(&d->v[i], buf, sizeof(buf)) >= 0)
                        log_line(prio, buf);
        }
}

static bool debug_enabled(void) {
        const char *l = getenv("SYSTEMD_LOG_LEVEL");
        return l && (!strcmp(l, "debug") || !strcmp(l, "7"));
}

int main(int argc, char **argv) {
        struct bg_gen_opts o = {
                .root = "/",
                .unit_dir = BG_SYSTEMD_UNITDIR,
                .sbin_dir = BG_SBINDIR,
                .libexec_dir = BG_LIBEXECDIR,
                .device_timeout_sec = 10,
        };
        struct bg_gen_result res;
        struct bg_diags diags = { 0 };
        _cleanup_free_ char *cmdline = NULL;
        struct utsname u;
        const char *e;
        int r;

        if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                printf("Usage: %s NORMAL-DIR [EARLY-DIR LATE-DIR]\n"
                       "systemd generator: links bondgen-apply.service and bondgend@.service\n"
                       "into the boot when bonds are configured. See bondgen-generator(8).\n",
                       argv[0]);
                return 0;
        }
        if (argc == 2 && !strcmp(argv[1], "--version")) {
                printf("bondgen-generator %s\n", BONDGEN_VERSION);
                return 0;
        }
        if (getenv("SYSTEMD_SCOPE"))
                log_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (argc != 2 && argc != 4) {
                log_line(3, "expected 1 or 3 arguments: NORMAL-DIR [EARLY-DIR LATE-DIR]");
                return 0;
        }
        o.normal_dir = argv[1];
        o.early_dir = argc == 4 ? argv[2] : argv[1];
        o.late_dir = argc == 4 ? argv[3] : argv[1];

        if ((e = getenv("BONDGEN_ROOT")) && *e)
                o.root = e;
        if ((e = getenv("BONDGEN_CMDLINE")))
                o.cmdline = e;
        else {
                size_t len;
                r = bg_read_file("/proc/cmdline", 1 << 16, &cmdline, &len);
                if (r < 0) {
                        char msg[128];
                        snprintf(msg, sizeof(msg), "cannot read /proc/cmdline: %s", strerror(-r));
                        log_line(4, msg);
                }
                o.cmdline = cmdline ? cmdline : "";
        }
        if ((e = getenv("BONDGEN_KERNEL_RELEASE")) && *e)
                o.release = e;
        else if (uname(&u) == 0)
                o.release = u.release;
        if ((e = getenv("BONDGEN_UNITDIR")) && *e)
                o.unit_dir = e;
        if ((e = getenv("BONDGEN_SBINDIR")) && *e)
                o.sbin_dir = e;
        if ((e = getenv("BONDGEN_LIBEXECDIR")) && *e)
                o.libexec_dir = e;
        if ((e = getenv("BONDGEN_DEVICE_TIMEOUT")) && *e) {
                char *end;
                unsigned long t = strtoul(e, &end, 10);
                if (!*end && t <= 3600)
                        o.device_timeout_sec = (unsigned) t;
        }

        /* The boot waits for generators: whatever the trees hold, stop
         * reading after this long and say what was skipped. */
        bg_boot_scan_budget_from_env("BONDGEN_GENERATOR_BUDGET_MS", 2000);
        r = bg_boot_generate(&o, &res, &diags);
        log_diags(&diags);
        if (r < 0 && !bg_diags_has_errors(&diags)) {
                char msg[128];
                snprintf(msg, sizeof(msg), "failed: %s", strerror(-r));
                log_line(3, msg);
        }
        if (debug_enabled()) {
                char msg[256];
                snprintf(msg, sizeof(msg),
                         "source=%s bonds=%zu userspace=%zu bonding-driver=%s disabled=%s",
                         bg_boot_source_name(res.source), res.n_bonds, res.n_userspace,
                         res.have_bonding ? "yes" : "no", res.disabled ? "yes" : "no");
                log_line(7, msg);
        }
        bg_diags_free(&diags);
        if (log_fd >= 0)
                close(log_fd);
        return 0;
}
