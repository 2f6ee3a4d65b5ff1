/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bondgen diff [-c FILE|DIR] [BOND] [--json]: what differs between the
 * model and the running system. It is `apply --dry-run` with its output
 * collected: the same planner, the same words, no second comparison.
 *
 * bondgen confirm / bondgen rollback: end a pending `apply --try`
 * (src/apply/try.c) by keeping it or by restoring the state before.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "cli.h"
#include "config.h"
#include "model/model.h"
#include "util/util.h"

/* The run directory of every subcommand: the one bondgend's client uses. */
const char *bg_cli_rundir(void) {
        return bg_apply_rundir();
}

/* JSON: one array per kind of device, filled as plans come (bonds,
 * then VLANs and bridges in the order they stack) and printed at the end. */
enum { SEC_BONDS, SEC_VLANS, SEC_BRIDGES, SEC__MAX };
struct diff_ctx {
        const char *only;        /* NAME argument or NULL */
        bool json, found;
        size_t n_drift;
        FILE *out;
        struct {
                char *buf;
                size_t len, n;
                FILE *f;
        } sec[SEC__MAX];
};

static void on_plan(void *userdata, const struct bg_bond *b, enum bg_backend be, const struct bg_plan *p) {
        struct diff_ctx *c = userdata;

        if (c->only && strcmp(c->only, b->name) != 0)
                return;
        c->found = true;
        if (p->n_steps)
                c->n_drift++;
        if (!c->json) {
                for (size_t i = 0; i < p->n_steps; i++)
                        fprintf(c->out, "%s: %s\n", b->name, p->steps[i].desc);
                return;
        }
        int k = !p->kind ? SEC_BONDS : !strcmp(p->kind, "vlan") ? SEC_VLANS : SEC_BRIDGES;
        FILE *f = c->sec[k].f;
        if (!f)
                return;
        fputs(c->sec[k].n++ ? ",\n  " : "\n  ", f);
        fputs("{\"name\":", f);
        bg_json_str(f, b->name);
        if (k == SEC_BONDS)
                fprintf(f, ",\"backend\":\"%s\"", bg_backend_name(be));
        fprintf(f, ",\"drift\":%s,\"changes\":[", p->n_steps ? "true" : "false");
        for (size_t i = 0; i < p->n_steps; i++) {
                fprintf(f, "%s{\"kind\":\"%s\",\"port\":", i ? "," : "", bg_step_kind_name(p->steps[i].kind));
                if (strcmp(p->steps[i].ifname, b->name) != 0)
                        bg_json_str(f, p->steps[i].ifname);
                else
                        fputs("null", f);
                fputs(",\"text\":", f);
                bg_json_str(f, p->steps[i].desc);
                fputc('}', f);
        }
        fputs("]}", f);
}

/* {"bonds":[...],"vlans":[...],"bridges":[...],"drift":...}: VLANs and
 * bridges only when the model or the plans have some. */
static void print_json(struct diff_ctx *c, const struct bg_model *m) {
        static const char *const names[SEC__MAX] = { "bonds", "vlans", "bridges" };
        bool any[SEC__MAX] = { true, m->n_vlans > 0, m->n_bridges > 0 };

        for (int k = 0; k < SEC__MAX; k++) {
                if (c->sec[k].f)
                        fclose(c->sec[k].f);
                c->sec[k].f = NULL;
                if (!any[k] && !c->sec[k].n)
                        continue;
                printf("%s\"%s\":[%s%s]", k ? "," : "{", names[k], c->sec[k].buf ? c->sec[k].buf : "",
                       c->sec[k].n ? "\n" : "");
        }
        printf(",\"drift\":%s}\n", c->n_drift ? "true" : "false");
        for (int k = 0; k < SEC__MAX; k++)
                free(c->sec[k].buf);
}

/* The dry run's own lines ("backend auto: ...", "nothing to do") are not
 * differences. */
static void quiet(void *userdata, const char *line) {
        (void) userdata;
        (void) line;
}

int bg_cmd_diff(int argc, char **argv) {
        static const struct option longopts[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct diff_ctx ctx = { .out = stdout };
        struct bg_apply_opts o = { .dry_run = true, .report = quiet, .on_plan = on_plan, .plan_userdata = &ctx };
        struct bg_diags d = { 0 };
        struct bg_model m;
        const char *path = NULL, *used = NULL;
        bool *skip = NULL;
        size_t n_skip = 0;
        int c, status;

        optind = 1;
        while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        path = optarg;
                        break;
                case 'j':
                        ctx.json = true;
                        break;
                case 'h':
                        printf("Usage: bondgen diff [-c FILE|DIR] [NAME] [--json]\n"
                               "Print what differs between the model and the running system, in the words of\n"
                               "'apply --dry-run'. Exit status 0: no difference, 1: drift.\n");
                        return BG_EXIT_OK;
                default:
                        return BG_EXIT_USAGE;
                }
        }
        if (optind < argc)
                ctx.only = argv[optind++];
        if (optind < argc) {
                fprintf(stderr, "bondgen diff: unexpected argument '%s'\n", argv[optind]);
                return BG_EXIT_USAGE;
        }
        status = bg_cli_prepare(path, &m, &skip, &n_skip, &used, "diff");
        if (status) {
                bg_model_free(&m);
                return status;
        }
        if (ctx.only && !bg_model_find_bond(&m, ctx.only) && !bg_model_find_vlan(&m, ctx.only) &&
            !bg_model_find_bridge(&m, ctx.only)) {
                fprintf(stderr, "bondgen diff: no bond, VLAN or bridge %s in %s\n", ctx.only, used);
                bg_model_free(&m);
                free(skip);
                return BG_EXIT_INVALID;
        }
        o.skip = skip;
        for (int k = 0; ctx.json && k < SEC__MAX; k++)
                ctx.sec[k].f = open_memstream(&ctx.sec[k].buf, &ctx.sec[k].len);
        status = bg_apply_model(&m, &o, &d);
        if (ctx.json)
                print_json(&ctx, &m);
        bg_diags_print(&d, stderr);
        bg_diags_free(&d);
        bg_model_free(&m);
        free(skip);
        /* A refused bond (name taken by a non-bond, port owned elsewhere)
         * differs from the model too; a system error stays one. */
        if (status == BG_EXIT_SYSTEM)
                return status;
        return ctx.n_drift || status || n_skip ? 1 : 0;
}

static int usage_simple(int argc, char **argv, const char *text, bool *timer) {
        for (int i = 1; i < argc; i++) {
                if (timer && !strcmp(argv[i], "--timer"))
                        *timer = true;
                else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        printf("%s", text);
                        return BG_EXIT_OK;
                } else {
                        fprintf(stderr, "%s", text);
                        return BG_EXIT_USAGE;
                }
        }
        return -1;
}

int bg_cmd_confirm(int argc, char **argv) {
        const char *rundir = bg_cli_rundir();
        struct bg_try_info info;
        int lock, r;

        r = usage_simple(argc, argv, "Usage: bondgen confirm\nKeep what a pending 'apply --try' changed.\n", NULL);
        if (r >= 0)
                return r;
        lock = bg_try_lock(rundir);
        if (lock < 0) {
                fprintf(stderr, "bondgen confirm: %s/try: %s\n", rundir, strerror(-lock));
                return BG_EXIT_SYSTEM;
        }
        r = bg_try_pending(rundir, &info);
        if (r <= 0) {
                fprintf(stderr, "bondgen confirm: no try is pending%s\n",
                        r == 0 ? " (it was confirmed, or rolled back: see " : "");
                if (r == 0)
                        fprintf(stderr, "  %s/try/rollback.log)\n", rundir);
                close(lock);
                return r < 0 ? BG_EXIT_SYSTEM : BG_EXIT_INVALID;
        }
        bg_try_disarm(&info);
        bg_try_clear(rundir);
        close(lock);
        printf("confirmed: the changes stay (%llds before the rollback)\n",
               (long long) (info.deadline - time(NULL)));
        return BG_EXIT_OK;
}

static void log_line(void *userdata, const char *line) {
        FILE *const *f = userdata;

        for (int i = 0; i < 2; i++)
                if (f[i]) {
                        fprintf(f[i], "%s\n", line);
                        fflush(f[i]);
                }
}

int bg_cmd_rollback(int argc, char **argv) {
        const char *rundir = bg_cli_rundir();
        struct bg_try_info info;
        struct bg_snapshot snap;
        struct bg_diags d = { 0 };
        struct bg_nl *nl = NULL;
        char path[4096], logp[4096];
        FILE *outs[2] = { stdout, NULL };
        bool timer = false;
        struct timespec t0, t1;
        char done[128];
        int lock, r;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = usage_simple(argc, argv,
                         "Usage: bondgen rollback\nRestore now what a pending 'apply --try' changed.\n", &timer);
        if (r >= 0)
                return r;
        lock = bg_try_lock(rundir);
        if (lock < 0) {
                fprintf(stderr, "bondgen rollback: %s/try: %s\n", rundir, strerror(-lock));
                return BG_EXIT_SYSTEM;
        }
        r = bg_try_pending(rundir, &info);
        if (r <= 0) {
                close(lock);
                /* the timer of a try that was confirmed meanwhile */
                if (timer && r == 0)
                        return BG_EXIT_OK;
                fprintf(stderr, "bondgen rollback: no try is pending\n");
                return r < 0 ? BG_EXIT_SYSTEM : BG_EXIT_INVALID;
        }
        if (!timer)
                bg_try_disarm(&info);
        snprintf(path, sizeof(path), "%s/try/previous.yaml", rundir);
        snprintf(logp, sizeof(logp), "%s/try/rollback.log", rundir);
        outs[1] = fopen(logp, "we");
        {
                /* on the clock of /proc/uptime, so a log reader can tell how
                 * late the timer fired */
                struct timespec bt;
                char first[160];
                clock_gettime(CLOCK_BOOTTIME, &bt);
                long long now_ms = (long long) bt.tv_sec * 1000 + bt.tv_nsec / 1000000;
                long long late = now_ms - info.armed_ms - (long long) info.seconds * 1000;
                if (late >= 0 || timer)
                        snprintf(first, sizeof(first), "rollback: %s (%lld ms after the deadline)",
                                 timer ? "the try was not confirmed in time" : "asked for", late);
                else
                        snprintf(first, sizeof(first), "rollback: asked for (%lld ms before the deadline)", -late);
                log_line(outs, first);
        }
        bg_snapshot_init(&snap);
        r = bg_snapshot_load(path, &snap, &d);
        if (r >= 0)
                r = bg_nl_open(&nl);
        if (r >= 0)
                r = bg_snapshot_restore(nl, &snap, log_line, outs, &d);
        bg_nl_close(nl);
        bg_snapshot_free(&snap);
        bg_diags_print(&d, stderr);
        if (outs[1])
                bg_diags_print(&d, outs[1]);
        bg_diags_free(&d);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        snprintf(done, sizeof(done), "rollback: %s in %lld ms", r < 0 ? "NOT complete (see the errors)" : "done",
                 (long long) (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
        log_line(outs, done);
        if (outs[1])
                fclose(outs[1]);
        /* The snapshot stays when the restore failed, so it can be retried. */
        if (r >= 0)
                bg_try_clear(rundir);
        close(lock);
        return r < 0 ? BG_EXIT_SYSTEM : BG_EXIT_OK;
}
