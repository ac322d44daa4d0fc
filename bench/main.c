/*
 * The benchmark runner: `make bench` (from the repository root).
 */
#include "bench.h"

int main(void)
{
    int failed = bench_model();
    failed |= bench_search();
    return failed;
}
