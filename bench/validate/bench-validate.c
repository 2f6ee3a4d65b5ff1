/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bg_model_validate() on a large model, against loading the same model
 * (bg_yaml_load_data), both timed in this run on this machine: the ratio
 * validate/load is what to compare between versions, not the absolute
 * times. Loading is linear in the file size, so a validate/load ratio that
 * stays flat as the model grows means validation is linear too; the run
 * at half and a quarter of the size shows the growth directly.
 *
 *   bench-validate [-n BONDS] [-r ROUNDS] [-o FILE] [FILE]
 *
 * Without FILE a model of BONDS bonds (default 6113, just under the 1 MiB
 * limit of the loader) is generated: two named ports each, one port
 * matched by MAC on every fourth bond, a static address and a gateway in
 * its subnet, so a correct validation reports nothing. -o writes the
 * generated model to FILE (for bondgen validate).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"
#include "yaml/yaml.h"

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static char *generate(size_t n, size_t *len) {
        size_t cap = 256 + n * 256, pos = 0;
        char *buf = malloc(cap);

        if (!buf)
                return NULL;
        pos += (size_t) snprintf(buf + pos, cap - pos, "version: 1\nbonds:\n");
        for (size_t i = 0; i < n; i++) {
                unsigned a = (unsigned) (i >> 8) & 0xff, b = (unsigned) i & 0xff;
                char port2[64];

                if (i % 4 == 0)
                        snprintf(port2, sizeof(port2), "mac: 02:00:00:%02x:%02x:%02x",
                                 (unsigned) (i >> 16) & 0xff, a, b);
                else
                        snprintf(port2, sizeof(port2), "name: p%zub", i);
                pos += (size_t) snprintf(buf + pos, cap - pos,
                                         "- name: b%zu\n"
                                         "  mode: active-backup\n"
                                         "  options: {miimon: 100}\n"
                                         "  ports:\n"
                                         "  - name: p%zua\n"
                                         "  - %s\n"
                                         "  ipv4:\n"
                                         "    method: static\n"
                                         "    addresses: [10.%u.%u.1/24]\n",
                                         i, i, port2, a, b);
        }
        *len = pos;
        return buf;
}

/* Median of rounds timings of load (validate == false) or load+validate
 * minus load of the same model. */
static int measure(const char *data, size_t len, unsigned rounds, double *load_s, double *val_s,
                   size_t *n_diags) {
        double *tl = calloc(rounds, sizeof(double)), *tv = calloc(rounds, sizeof(double));
        int r = 0;

        if (!tl || !tv) {
                free(tl);
                free(tv);
                return -ENOMEM;
        }
        for (unsigned i = 0; i < rounds && r == 0; i++) {
                struct bg_model m;
                struct bg_diags d = { 0 };
                double t0, t1, t2;

                t0 = now();
                r = bg_yaml_load_data(data, len, "bench.yaml", &m, &d);
                t1 = now();
                if (r == 0) {
                        (void) bg_model_validate(&m, &d);
                        *n_diags = d.n;
                }
                t2 = now();
                if (r < 0)
                        bg_diags_print(&d, stderr);
                bg_model_free(&m);
                bg_diags_free(&d);
                tl[i] = t1 - t0;
                tv[i] = t2 - t1;
        }
        qsort(tl, rounds, sizeof(double), cmp_double);
        qsort(tv, rounds, sizeof(double), cmp_double);
        *load_s = tl[rounds / 2];
        *val_s = tv[rounds / 2];
        free(tl);
        free(tv);
        return r;
}

int main(int argc, char **argv) {
        size_t n = 6113, len = 0;
        unsigned rounds = 3;
        const char *out = NULL;
        char *data = NULL;
        int c;

        while ((c = getopt(argc, argv, "n:r:o:")) >= 0)
                switch (c) {
                case 'n':
                        n = strtoul(optarg, NULL, 10);
                        break;
                case 'r':
                        rounds = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'o':
                        out = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: %s [-n BONDS] [-r ROUNDS] [-o FILE] [FILE]\n", argv[0]);
                        return 2;
                }
        if (rounds == 0)
                rounds = 1;

        if (optind < argc) {
                double lt, vt;
                size_t nd = 0;
                FILE *f = fopen(argv[optind], "re");

                if (!f) {
                        perror(argv[optind]);
                        return 3;
                }
                data = malloc(BG_YAML_MAX_SIZE + 1);
                len = data ? fread(data, 1, BG_YAML_MAX_SIZE + 1, f) : 0;
                fclose(f);
                if (measure(data, len, rounds, &lt, &vt, &nd) < 0)
                        return 1;
                printf("%s: %zu bytes, load %.1f ms, validate %.1f ms (%.2fx load), %zu diagnostics\n",
                       argv[optind], len, lt * 1e3, vt * 1e3, vt / lt, nd);
                free(data);
                return 0;
        }

        printf("%-7s %-8s %10s %12s %14s %6s\n", "bonds", "bytes", "load ms", "validate ms",
               "validate/load", "diags");
        for (size_t div = 4; div >= 1; div /= 2) {
                size_t nb = n / div;
                double lt, vt;
                size_t nd = 0;

                data = generate(nb, &len);
                if (!data)
                        return 3;
                if (div == 1 && out) {
                        FILE *f = fopen(out, "we");

                        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
                                perror(out);
                                return 3;
                        }
                }
                if (measure(data, len, rounds, &lt, &vt, &nd) < 0) {
                        free(data);
                        return 1;
                }
                printf("%-7zu %-8zu %10.1f %12.1f %14.2f %6zu\n", nb, len, lt * 1e3, vt * 1e3, vt / lt, nd);
                free(data);
        }
        return 0;
}
