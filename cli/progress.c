/*
 * progress: a drawing thread woken every 250 ms or on an update; see
 * progress.h.
 */
#include "progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define REDRAW_NS 250000000L

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Called with the lock held.  "\033[K" clears what a longer line left. */
static void draw(const struct progress *p)
{
    char edp[32] = "-";
    if (p->best_edp >= 0)
        snprintf(edp, sizeof edp, "%.4g", p->best_edp);
    fprintf(stderr, "\rlayers %d/%d  %s  evaluated %llu  last EDP %s  %.1f s\033[K",
            p->layers_done, p->layers_total, p->current, (unsigned long long)p->evaluated,
            edp, seconds_since(&p->start));
    fflush(stderr);
}

static void *run(void *arg)
{
    struct progress *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        draw(p);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += REDRAW_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
    }
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void progress_start(struct progress *p, int layers_total)
{
    memset(p, 0, sizeof *p);
    p->layers_total = layers_total;
    p->best_edp = -1;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    if (!isatty(STDERR_FILENO))
        return;
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        return;
    }
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    p->active = pthread_create(&p->thread, NULL, run, p) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!p->active) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
    }
}

void progress_begin(struct progress *p, const char *layer, const char *kernel)
{
    if (!p->active)
        return;
    pthread_mutex_lock(&p->lock);
    snprintf(p->current, sizeof p->current, "%s %s", layer, kernel);
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

void progress_update(struct progress *p, uint64_t evaluated, double edp, bool layer_done)
{
    if (!p->active)
        return;
    pthread_mutex_lock(&p->lock);
    p->evaluated += evaluated;
    p->best_edp = edp;
    p->layers_done += layer_done;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

void progress_stop(struct progress *p)
{
    if (!p->active)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    p->active = false;
}
