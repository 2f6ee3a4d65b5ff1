/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Convert benchmark: reads every host root under DIR (bg_legacy_read plus
 * the canonical YAML dump, i.e. `bondgen convert` without process start-up)
 * on one thread and reports wall and CPU milliseconds per host. Each host
 * must convert without error to exactly 2 bonds of 4 ports.
 * Usage: bench-convert DIR   (see bench/convert/README.md)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "legacy/legacy.h"
#include "yaml/yaml.h"

static double now(clockid_t c) {
        struct timespec ts;
        clock_gettime(c, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
        char **names = NULL;
        size_t n = 0, bad = 0;
        struct dirent *de;
        double w0, c0, w1, c1;
        DIR *d;

        if (argc != 2) {
                fprintf(stderr, "usage: %s DIR\n", argv[0]);
                return 2;
        }
        if (!(d = opendir(argv[1]))) {
                perror(argv[1]);
                return 1;
        }
        while ((de = readdir(d))) {
                char **v;
                if (de->d_name[0] == '.')
                        continue;
                if (!(v = realloc(names, (n + 1) * sizeof(*v))) || asprintf(&v[n], "%s/%s", argv[1], de->d_name) < 0)
                        return 1;
                names = v;
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), cmp);

        w0 = now(CLOCK_MONOTONIC);
        c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
                struct bg_model m;
                struct bg_diags dg = {};
                char *y = NULL;
                size_t len;
                int r;

                bg_model_init(&m);
                r = bg_legacy_read_sources(names[i], 0, &m, &dg, NULL);  /* detection included */
                if (r < 0 || m.n_bonds != 2 || m.bonds[0].n_ports != 4 || m.bonds[1].n_ports != 4 ||
                    bg_yaml_dump(&m, &y, &len) < 0) {
                        if (!bad++)
                                bg_diags_print(&dg, stderr);
                }
                free(y);
                bg_model_free(&m);
                bg_diags_free(&dg);
        }
        c1 = now(CLOCK_PROCESS_CPUTIME_ID);
        w1 = now(CLOCK_MONOTONIC);
        printf("hosts: %zu (2 bonds x 4 ports each), failed: %zu\n", n, bad);
        printf("total: %.0f ms wall, %.0f ms CPU\n", w1 - w0, c1 - c0);
        printf("per host: %.3f ms wall, %.3f ms CPU (target: < 1 ms on one core)\n",
               n ? (w1 - w0) / (double)n : 0, n ? (c1 - c0) / (double)n : 0);
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return bad ? 1 : 0;
}
