/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `apply --try`: the snapshot on disk, and a rollback timer that does not
 * live in the client, so a dropped SSH session still gets its network
 * back.
 *
 * RUNDIR/try/ holds previous.yaml (the bonds as they were, canonical
 * YAML), previous.yaml.state (what a model cannot say, and each
 * RUNDIR/BOND.yaml a bondgend restarts from, as it was) and `pending`
 * (deadline and timer). The timer is a transient systemd unit when
 * systemd runs (systemd-run --on-active), else a detached process in its
 * own session that sleeps until the deadline. Either runs `bondgen
 * rollback --timer`, which restores only while `pending` still exists;
 * `bondgen confirm` removes it. Both hold RUNDIR/try/lock, so a confirm
 * racing the deadline either wins completely or finds nothing pending.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "util/util.h"
#include "yaml/yaml.h"

#define TRY_UNIT "bondgen-try-rollback"

int bg_snapshot_save(const struct bg_snapshot *s, const char *path) {
        char *yaml = NULL, *state = NULL, spath[4096];
        size_t ylen = 0, slen = 0;
        FILE *f;
        int r;

        r = bg_yaml_dump(&s->model, &yaml, &ylen);
        if (r < 0)
                return r;
        f = open_memstream(&state, &slen);
        if (!f) {
                free(yaml);
                return -ENOMEM;
        }
        fprintf(f, "# bondgen snapshot: state beside %s\n", path);
        for (size_t i = 0; i < s->n_created; i++)
                fprintf(f, "created %s\n", s->created[i]);
        for (size_t i = 0; i < s->n_links; i++)
                fprintf(f, "link %s %s\n", s->links[i].name, s->links[i].up ? "up" : "down");
        for (size_t i = 0; i < s->n_active; i++)
                fprintf(f, "active %s %s\n", s->active[i].bond, s->active[i].port);
        /* the bytes follow their line as they are, and a newline */
        for (size_t i = 0; i < s->n_handed; i++) {
                const struct bg_snap_handed *h = &s->handed[i];
                if (!h->data) {
                        fprintf(f, "handed %s none\n", h->bond);
                        continue;
                }
                fprintf(f, "handed %s %zu\n", h->bond, h->len);
                fwrite(h->data, 1, h->len, f);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(yaml);
                free(state);
                return -ENOMEM;
        }
        snprintf(spath, sizeof(spath), "%s.state", path);
        r = bg_write_file_atomic(path, yaml, ylen, 0600, true);
        if (r >= 0)
                r = bg_write_file_atomic(spath, state, slen, 0600, true);
        free(yaml);
        free(state);
        return r;
}

static bool ifname_ok(const char *s) {
        return *s && strlen(s) < IFNAMSIZ && !strpbrk(s, "/ \t\n:");
}

/* Room for a model file (BG_YAML_MAX_SIZE) for each of many bonds. */
#define STATE_MAX (64u << 20)

int bg_snapshot_load(const char *path, struct bg_snapshot *s, struct bg_diags *d) {
        char spath[4096], line[256], a[64], b[64], *text = NULL;
        size_t len = 0, at = 0;
        unsigned n = 0;
        int r;

        bg_snapshot_free(s);
        bg_snapshot_init(s);
        bg_model_free(&s->model);
        r = bg_yaml_load_file(path, &s->model, d);
        if (r < 0)
                return r;
        snprintf(spath, sizeof(spath), "%s.state", path);
        r = bg_read_file(spath, STATE_MAX, &text, &len);
        if (r < 0) {
                bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s: %s", spath, bg_read_strerror(r));
                return r;
        }
        while (r >= 0 && at < len) {
                const char *eol = memchr(text + at, '\n', len - at);
                size_t l = eol ? (size_t) (eol - (text + at)) : len - at;
                unsigned long long sz;
                char *end;

                n++;
                if (l >= sizeof(line)) {
                        bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s:%u: line too long", spath, n);
                        r = -EINVAL;
                        break;
                }
                memcpy(line, text + at, l);
                line[l] = 0;
                at += l + 1;
                if (line[0] == '#' || line[0] == 0)
                        continue;
                if (sscanf(line, "created %63s", a) == 1 && ifname_ok(a))
                        r = bg_snapshot_add_created(s, a);
                else if (sscanf(line, "link %63s %63s", a, b) == 2 && ifname_ok(a) &&
                         (!strcmp(b, "up") || !strcmp(b, "down")))
                        r = bg_snapshot_add_link_state(s, a, !strcmp(b, "up"));
                else if (sscanf(line, "active %63s %63s", a, b) == 2 && ifname_ok(a) && ifname_ok(b))
                        r = bg_snapshot_add_active(s, a, b);
                else if (sscanf(line, "handed %63s %63s", a, b) == 2 && ifname_ok(a) && !strcmp(b, "none"))
                        r = bg_snapshot_add_handed(s, a, NULL, 0);
                else if (sscanf(line, "handed %63s %63s", a, b) == 2 && ifname_ok(a) && b[0] >= '0' &&
                         b[0] <= '9' && (sz = strtoull(b, &end, 10), !*end) && sz < len &&
                         at <= len - (size_t) sz - 1 && text[at + sz] == '\n') {
                        r = bg_snapshot_add_handed(s, a, text + at, (size_t) sz);
                        for (size_t k = at; k <= at + (size_t) sz; k++)
                                n += text[k] == '\n';
                        at += (size_t) sz + 1;
                } else {
                        bg_diag_add(d, BG_DIAG_ERROR, NULL, NULL, "%s:%u: not a snapshot line", spath, n);
                        r = -EINVAL;
                }
        }
        free(text);
        return r;
}

/* ---- the pending try ---- */

static void try_path(const char *rundir, const char *file, char *buf, size_t len) {
        snprintf(buf, len, "%s/try/%s", rundir, file);
}

int bg_try_lock(const char *rundir) {
        char dir[4096], lock[4096];
        int fd;

        snprintf(dir, sizeof(dir), "%s/try", rundir);
        if (mkdir(rundir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        try_path(rundir, "lock", lock, sizeof(lock));
        fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int bg_try_pending(const char *rundir, struct bg_try_info *info) {
        char path[4096], line[256];
        FILE *f;

        memset(info, 0, sizeof(*info));
        try_path(rundir, "pending", path, sizeof(path));
        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : -errno;
        while (fgets(line, sizeof(line), f)) {
                long long v;
                char u[128];
                if (sscanf(line, "deadline %lld", &v) == 1)
                        info->deadline = (time_t) v;
                else if (sscanf(line, "started %lld", &v) == 1)
                        info->started = (time_t) v;
                else if (sscanf(line, "armed_ms %lld", &v) == 1)
                        info->armed_ms = v;
                else if (sscanf(line, "seconds %lld", &v) == 1)
                        info->seconds = (unsigned) v;
                else if (sscanf(line, "pid %lld", &v) == 1)
                        info->pid = (pid_t) v;
                else if (sscanf(line, "unit %127s", u) == 1)
                        snprintf(info->unit, sizeof(info->unit), "%s", u);
        }
        fclose(f);
        return 1;
}

static int write_pending(const char *rundir, const struct bg_try_info *info) {
        char path[4096], text[512];
        int n;

        try_path(rundir, "pending", path, sizeof(path));
        n = snprintf(text, sizeof(text), "started %lld\ndeadline %lld\narmed_ms %lld\nseconds %u\n%s%s%s",
                     (long long) info->started, (long long) info->deadline, info->armed_ms, info->seconds,
                     info->unit[0] ? "unit " : "", info->unit, info->unit[0] ? "\n" : "");
        if (info->pid > 0)
                n += snprintf(text + n, sizeof(text) - (size_t) n, "pid %lld\n", (long long) info->pid);
        return bg_write_file_atomic(path, text, (size_t) n, 0600, true);
}

void bg_try_clear(const char *rundir) {
        static const char *const files[] = { "pending", "previous.yaml", "previous.yaml.state" };
        char path[4096];

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                try_path(rundir, files[i], path, sizeof(path));
                unlink(path);
        }
}

/* A process in its own session that survives the client, sleeps until the
 * deadline and runs `EXE rollback --timer`. Returns its pid. */
static pid_t spawn_sleeper(const char *exe, const char *rundir, unsigned seconds) {
        int pfd[2], st;
        pid_t pid, grandchild = -1;

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                close(pfd[0]);
                close(pfd[1]);
                return -errno;
        }
        if (pid == 0) {
                close(pfd[0]);
                if (setsid() < 0)
                        _exit(1);
                pid_t g = fork();
                if (g != 0) {
                        (void) !write(pfd[1], &g, sizeof(g));
                        _exit(g < 0 ? 1 : 0);
                }
                close(pfd[1]);
                int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0) {
                        dup2(fd, STDIN_FILENO);
                        dup2(fd, STDOUT_FILENO);
                        dup2(fd, STDERR_FILENO);
                }
                /* Nothing of the client's: above all not the lock on
                 * RUNDIR/try/lock, which confirm must be able to take. */
                close_range(3, ~0U, 0);
                signal(SIGHUP, SIG_IGN);
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += seconds;
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
                        ;
                setenv("BONDGEN_RUNDIR", rundir, 1);
                execl(exe, exe, "rollback", "--timer", (char *) NULL);
                _exit(127);
        }
        close(pfd[1]);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (read(pfd[0], &grandchild, sizeof(grandchild)) != (ssize_t) sizeof(grandchild))
                grandchild = -EIO;
        close(pfd[0]);
        return grandchild;
}

int bg_try_arm(const char *rundir, const char *exe, unsigned seconds, struct bg_try_info *info) {
        char on[64], env[4200];
        int r;

        struct timespec bt;

        memset(info, 0, sizeof(*info));
        info->started = time(NULL);
        info->deadline = info->started + (time_t) seconds;
        info->seconds = seconds;
        clock_gettime(CLOCK_BOOTTIME, &bt);
        info->armed_ms = (long long) bt.tv_sec * 1000 + bt.tv_nsec / 1000000;
        if (access("/run/systemd/system", F_OK) == 0) {
                snprintf(on, sizeof(on), "--on-active=%us", seconds);
                snprintf(env, sizeof(env), "--setenv=BONDGEN_RUNDIR=%s", rundir);
                char *argv[] = { (char *) "systemd-run", (char *) "--quiet", (char *) "--unit=" TRY_UNIT,
                                 (char *) "--timer-property=AccuracySec=100ms", on, env, (char *) exe,
                                 (char *) "rollback", (char *) "--timer", NULL };
                /* A unit left over from an earlier try that was confirmed
                 * while it ran would make systemd-run fail. */
                char *reset[] = { (char *) "systemctl", (char *) "reset-failed", (char *) TRY_UNIT ".service",
                                  NULL };
                bg_run(reset, true);
                r = bg_run(argv, true);
                if (r == 0) {
                        snprintf(info->unit, sizeof(info->unit), TRY_UNIT);
                        return write_pending(rundir, info);
                }
                /* no systemd-run, or it refused: the process timer below */
        }
        pid_t pid = spawn_sleeper(exe, rundir, seconds);
        if (pid < 0)
                return (int) pid;
        info->pid = pid;
        return write_pending(rundir, info);
}

void bg_try_disarm(const struct bg_try_info *info) {
        if (info->unit[0]) {
                char timer[160];
                snprintf(timer, sizeof(timer), "%s.timer", info->unit);
                char *argv[] = { (char *) "systemctl", (char *) "stop", timer, NULL };
                bg_run(argv, true);
        }
        /* Only our sleeper: its command line is "... rollback --timer". */
        if (info->pid > 0 && info->pid != getpid()) {
                char path[64], cmd[512] = "";
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int) info->pid);
                FILE *f = fopen(path, "re");
                size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
                if (f)
                        fclose(f);
                for (size_t i = 0; i < n; i++)
                        if (!cmd[i])
                                cmd[i] = ' ';
                cmd[n] = 0;
                /* the sleeper is still the forked apply until it execs */
                if (strstr(cmd, "bondgen") && strstr(cmd, "apply"))
                        kill(info->pid, SIGTERM);
        }
}
