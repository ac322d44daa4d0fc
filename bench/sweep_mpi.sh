#!/bin/sh
# make bench: a sweep's throughput (distinct problems searched per second
# of the sweep's wall time, as its report gives it) in one process with 1
# and 2 threads, then over MPI with 1, 2 and 4 worker ranks.  "Ranks" counts the
# workers: mpirun starts one more process, rank 0, which hands out the
# problems and writes the reports but searches nothing.  The sweep:
# bench/data/sweep_mid.json on gb_rf4 with 2 register-file sizes = 14
# problems, 10 of them searches of about half a second.  On one machine
# the ranks share its cores (--oversubscribe), so beyond the core count
# the figure stops growing.  Prints figures only.
#
# Usage: bench/sweep_mpi.sh MPI_BUILD_DIR   (run from the repository root)
set -eu
build=${1:-build/mpi}
root=$(pwd)
bin=$root/$build/trainmap

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1

d=$root/tests/data/sweep
args="-a $d/gb_rf4.json -w $root/bench/data/sweep_mid.json
      --vary RegisterFile.size_words=16,64 -o sweep.json"
work=$build/bench-sweep
rm -rf "$work"

# Runs the sweep in $work/$1 with the sweep options $3 and the rest of the
# arguments in front of the command, and prints its figures titled $2.
bench() {
    dir=$work/$1
    title=$2
    opts=$3
    shift 3
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    if ! (cd "$dir" && "$@" "$bin" sweep $args $opts > stdout 2> stderr); then
        echo "  $title: failed: $(cat "$dir/stderr")"
        return 0
    fi
    problems=$(sed -n 's/.* \([0-9]*\) distinct problems.*/\1/p' "$dir/stdout")
    wall=$(sed -n 's/.*"wall_s":[[:space:]]*\([-+0-9.eE]*\).*/\1/p' "$dir/sweep.json")
    awk -v t="$title" -v n="$problems" -v s="$wall" \
        'BEGIN { printf "  %-40s %3d problems in %6.2f s: %6.1f problems/s\n", t, n, s, n / s }'
}

echo "sweep throughput ($(nproc) cores):"
for j in 1 2; do
    bench "threads$j" "one process, -j $j" "-j $j" env
done
for w in 1 2 4; do
    bench "ranks$w" "MPI, $w worker rank$([ "$w" = 1 ] || echo s) (mpirun -np $((w + 1)))" \
        "" timeout 600 mpirun --oversubscribe -np $((w + 1))
done
rm -rf "$work"
