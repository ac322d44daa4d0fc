/*
 * bench: the benchmarks `make bench` runs.  Each prints its figures and
 * returns non-zero only when it could not run (a missing input); none
 * asserts a speed.
 */
#ifndef TRAINMAP_BENCH_H
#define TRAINMAP_BENCH_H

/* model_eval evaluations per second on fixed mappings, single thread. */
int bench_model(void);

/* Mapper: time to solution and quality on fixed problems, evaluations per
 * second per thread during search, a whole network's training step. */
int bench_search(void);

#endif
