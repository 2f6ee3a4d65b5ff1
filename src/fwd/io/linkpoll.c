/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MII polling on a thread of its own. Carrier changes reach user space as
 * rtnetlink events from the kernel's linkwatch, which delays a non-urgent
 * event by up to a second after the previous one; the kernel bond's miimon
 * instead reads netif_carrier_ok() every miimon ms. So, besides acting on
 * events at once, bondgend asks for each port's IFF_LOWER_UP every miimon
 * ms. The query waits for the RTNL lock, which a concurrent link change
 * holds for tens of ms: on the main loop that would stall the data path,
 * hence the thread. It reports changes through a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fwd/io/core.h"
#include "netlink/netlink.h"

struct bg_linkpoll {
        pthread_t thread;
        pthread_mutex_t lock;
        int ifindex[BG_FWD_MAX_PORTS];
        signed char seen[BG_FWD_MAX_PORTS];   /* -1 unknown */
        size_t n;
        uint32_t period_ms;
        int wfd;
        volatile int stop;
};

/* The port's carrier (0/1), or -errno. */
static int query(struct bg_nl *nl, int ifindex) {
        struct bg_nl_link l;
        int r;

        r = bg_nl_get_link(nl, ifindex, NULL, &l);
        if (r < 0)
                return r;
        r = bg_nl_link_running(&l);
        bg_nl_link_clear(&l);
        return r;
}

static void *run(void *arg) {
        struct bg_linkpoll *lp = arg;
        struct bg_nl *nl;

        /* A socket of its own: a struct bg_nl is not shared between threads. */
        if (bg_nl_open(&nl) < 0)
                return NULL;
        while (!lp->stop) {
                struct timespec ts = { lp->period_ms / 1000, (long) (lp->period_ms % 1000) * 1000000L };
                int idx[BG_FWD_MAX_PORTS];
                size_t n;

                nanosleep(&ts, NULL);
                pthread_mutex_lock(&lp->lock);
                n = lp->n;
                memcpy(idx, lp->ifindex, n * sizeof(int));
                pthread_mutex_unlock(&lp->lock);
                for (size_t i = 0; i < n && !lp->stop; i++) {
                        int c = query(nl, idx[i]);
                        if (c < 0)
                                continue;
                        pthread_mutex_lock(&lp->lock);
                        for (size_t k = 0; k < lp->n; k++)
                                if (lp->ifindex[k] == idx[i] && lp->seen[k] != c) {
                                        int rec[2] = { idx[i], c };
                                        lp->seen[k] = (signed char) c;
                                        (void) !write(lp->wfd, rec, sizeof(rec));
                                }
                        pthread_mutex_unlock(&lp->lock);
                }
        }
        bg_nl_close(nl);
        return NULL;
}

int bg_linkpoll_start(uint32_t period_ms, int *rfd, struct bg_linkpoll **out) {
        struct bg_linkpoll *lp = calloc(1, sizeof(*lp));
        int p[2], r;

        if (!lp)
                return -ENOMEM;
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
                free(lp);
                return -errno;
        }
        pthread_mutex_init(&lp->lock, NULL);
        lp->period_ms = period_ms ? period_ms : 100;
        lp->wfd = p[1];
        r = pthread_create(&lp->thread, NULL, run, lp);
        if (r != 0) {
                close(p[0]);
                close(p[1]);
                free(lp);
                return -r;
        }
        *rfd = p[0];
        *out = lp;
        return 0;
}

void bg_linkpoll_set(struct bg_linkpoll *lp, struct bg_fwd *b) {
        if (!lp)
                return;
        pthread_mutex_lock(&lp->lock);
        lp->n = 0;
        for (size_t i = 0; i < b->n_ports; i++)
                if (b->ports[i]->ifindex > 0) {
                        lp->ifindex[lp->n] = b->ports[i]->ifindex;
                        lp->seen[lp->n] = (signed char) b->ports[i]->carrier;
                        lp->n++;
                }
        pthread_mutex_unlock(&lp->lock);
}

void bg_linkpoll_stop(struct bg_linkpoll *lp) {
        if (!lp)
                return;
        lp->stop = 1;
        pthread_join(lp->thread, NULL);
        close(lp->wfd);
        pthread_mutex_destroy(&lp->lock);
        free(lp);
}
