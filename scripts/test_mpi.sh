#!/bin/sh
# The MPI tests, run by `make test-mpi` from the repository root:
#  1. the backend's own test program (tests/mpi/test_dist_mpi.c) with 1, 3
#     and 4 ranks;
#  2. a small sweep (2 archs x 3 variants x 2 workloads) run by one process
#     and by `mpirun -np 3`: the reports (sweep report and cell reports)
#     must be byte-identical apart from the timing fields;
#  3. a worker killed (SIGKILL) while it holds a problem: mpirun ends the
#     job, the journal keeps what was finished, and --resume names the
#     problems the dead rank held and completes the sweep with the same
#     reports as an uninterrupted run;
#  4. SIGINT to rank 0: no more problems are handed out, those held are
#     finished, the reports are written and the run exits 130; --resume
#     completes it, again with the same reports;
#  5. runs that stop before the searches: --help (exit 0, printed once),
#     and a journal of another sweep, which only rank 0 reads (exit 2, the
#     other ranks stop with it instead of waiting).
# Everything runs on this machine only: --oversubscribe allows more ranks
# than cores, and the shared-memory transport (btl self,vader) keeps the
# messages off the network.  mpirun refuses to start as root unless told
# it may, and CI runs as root.
#
# Usage: scripts/test_mpi.sh BUILD_DIR
set -eu
build=${1:-build/mpi}
root=$(pwd)
bin=$root/$build/trainmap

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader
# A single-copy mechanism needs ptrace rights that containers often lack.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1

fail() {
    echo "test-mpi: $*" >&2
    exit 1
}

# A hung run must fail the tests, not hold up CI.
run() {
    n=$1
    shift
    timeout 120 mpirun --oversubscribe -np "$n" "$@"
}

# 1. the backend alone, then under ASan and UBSan: any report that names
# one of our files fails (OpenMPI's own leaks name none of them)
for n in 1 3 4; do
    run "$n" "$build/test_dist_mpi"
done
log=$build/test_dist_mpi_asan.log
# OpenMPI's own leaks make the exit status nonzero: the log decides
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run 3 "$build/test_dist_mpi_asan" > "$log" 2>&1 || true
if grep -q -e 'dist_mpi\.c' -e 'err\.c' -e 'runtime error' -e 'ERROR: AddressSanitizer' \
    "$log" || ! grep -q 'ok (0 failed checks)' "$log"; then
    cat "$log" >&2
    fail "the backend under ASan and UBSan: see above"
fi
echo "dist_mpi under ASan and UBSan with 3 ranks: no report in our code"

# The reports of the sweep in directory $1 (sweep.json and sweep.cells/)
# copied to $2 with the timing fields' values (wall_s, search_s) replaced
# by a fixed word; with a third argument, also what tells a resumed run
# (the resumed flag, --resume on the command line).
normalize() {
    mkdir -p "$2/sweep.cells"
    for f in "$1"/sweep.json "$1"/sweep.cells/*.json; do
        if [ $# -gt 2 ]; then
            sed -E -e 's/"(wall_s|search_s)":([[:space:]]*)[-+0-9.eE]+/"\1":\2T/' \
                -e 's/"resumed":([[:space:]]*)(true|false)/"resumed":\1R/' \
                -e 's/ --resume"/"/' "$f" > "$2/${f#"$1"/}"
        else
            sed -E -e 's/"(wall_s|search_s)":([[:space:]]*)[-+0-9.eE]+/"\1":\2T/' \
                "$f" > "$2/${f#"$1"/}"
        fi
    done
}

# The pid of rank $2 of the sweep running in directory $1 (empty if none).
rank_pid() {
    here=$(cd "$1" && pwd -P)
    for p in $(pgrep -x trainmap); do
        [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$here" ] || continue
        if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null |
            grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
            echo "$p"
        fi
    done
}

# Waits until the journal in directory $1 holds a result.
wait_result() {
    i=0
    until grep -q '^{"done"' "$1/sweep.json.journal" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 600 ] || fail "no result in $1/sweep.json.journal after 60 s"
        sleep 0.1
    done
}

work=$build/test-mpi
rm -rf "$work"
mkdir -p "$work"
d=$root/tests/data/sweep

# 2. one process and three ranks give the same reports.  Both run in
# directories of their own with the same -o, so that the paths the
# reports hold are the same.
small="-a $d/rf4.json -a $d/gb_rf4.json -w $d/conv.json -w $d/twins.json
       --vary RegisterFile.size_words=16,32,64 -j 2 -o sweep.json"
mkdir -p "$work/one" "$work/three"
# shellcheck disable=SC2086
(cd "$work/one" && "$bin" sweep $small > stdout 2> stderr) ||
    fail "single-process sweep failed: $(cat "$work/one/stderr")"
# shellcheck disable=SC2086
(cd "$work/three" && run 3 "$bin" sweep $small > stdout 2> stderr) ||
    fail "sweep over 3 ranks failed: $(cat "$work/three/stderr")"
normalize "$work/one" "$work/one.norm"
normalize "$work/three" "$work/three.norm"
diff -r "$work/one.norm" "$work/three.norm" ||
    fail "the sweep over 3 ranks reports differently from the single process"
[ -s "$work/three/stderr" ] && fail "the sweep over 3 ranks printed on stderr"
grep -q '^sweep: 6 arch variants x 2 workloads = 12 cells' "$work/three/stdout" ||
    fail "the sweep over 3 ranks printed no summary (or more than one)"
[ "$(grep -c '^sweep:' "$work/three/stdout")" = 1 ] ||
    fail "more than one rank printed the summary"
echo "sweep over 3 ranks: same reports as one process"

# 3. a worker killed mid-run.  Each search of slow.json on gb_rf4 takes
# over a second, so once the first result is in the journal both workers
# hold a problem; rank 1 is then killed.
slow="-a $d/gb_rf4.json -w $root/tests/data/mpi/slow.json
      --vary RegisterFile.size_words=32,64 -j 2 -o sweep.json"
mkdir -p "$work/ref" "$work/killed"
# shellcheck disable=SC2086
(cd "$work/ref" && "$bin" sweep $slow > stdout 2> stderr) ||
    fail "single-process slow sweep failed: $(cat "$work/ref/stderr")"
# shellcheck disable=SC2086
(cd "$work/killed" && run 3 "$bin" sweep $slow > stdout 2> stderr) &
job=$!
wait_result "$work/killed"
victim=$(rank_pid "$work/killed" 1)
[ -n "$victim" ] || fail "rank 1 not found"
kill -9 "$victim"
if wait "$job"; then fail "mpirun succeeded although rank 1 was killed"; fi
done_before=$(grep -c '^{"done"' "$work/killed/sweep.json.journal")
(cd "$work/killed" && run 3 "$bin" sweep $slow --resume > stdout 2> stderr) ||
    fail "resumed sweep failed: $(cat "$work/killed/stderr")"
grep -q "resuming from sweep.json.journal: $done_before of 6 problems done" \
    "$work/killed/stderr" || fail "resume did not keep the $done_before results: \
$(cat "$work/killed/stderr")"
grep -q '^trainmap sweep: worker 1 died holding problem [0-9]* (layer .s1. [a-z_]*, cells* [0-9]' \
    "$work/killed/stderr" ||
    fail "resume did not name the problem rank 1 held: $(cat "$work/killed/stderr")"
normalize "$work/ref" "$work/ref.norm" resumed
normalize "$work/killed" "$work/killed.norm" resumed
diff -r "$work/ref.norm" "$work/killed.norm" ||
    fail "the resumed sweep reports differently from an uninterrupted one"
echo "worker killed mid-sweep: journal kept $done_before results; resume completed it identically"

# 4. SIGINT to rank 0 (mpirun itself, on Ctrl-C, ends the job at once).
mkdir -p "$work/stopped"
# shellcheck disable=SC2086
(cd "$work/stopped" && run 3 "$bin" sweep $slow > stdout 2> stderr) &
job=$!
wait_result "$work/stopped"
coordinator=$(rank_pid "$work/stopped" 0)
[ -n "$coordinator" ] || fail "rank 0 not found"
kill -INT "$coordinator"
rc=0
wait "$job" || rc=$?
[ $rc = 130 ] || fail "interrupted sweep over 3 ranks exited $rc, not 130: \
$(cat "$work/stopped/stderr")"
[ -s "$work/stopped/sweep.json" ] || fail "interrupted sweep wrote no report"
# every problem handed out came back: as many results as assignments
j=$work/stopped/sweep.json.journal
[ "$(grep -c '^{"assigned"' "$j")" = "$(grep -c '^{"done"' "$j")" ] ||
    fail "interrupted sweep left problems held: $(cat "$j")"
(cd "$work/stopped" && run 3 "$bin" sweep $slow --resume > stdout 2> stderr) ||
    fail "resumed sweep failed: $(cat "$work/stopped/stderr")"
grep -q 'died holding' "$work/stopped/stderr" &&
    fail "resume after SIGINT names a dead worker: $(cat "$work/stopped/stderr")"
normalize "$work/stopped" "$work/stopped.norm" resumed
diff -r "$work/ref.norm" "$work/stopped.norm" ||
    fail "the sweep resumed after SIGINT reports differently from an uninterrupted one"
echo "SIGINT to rank 0: held problems finished, reports written, exit 130; resume completed it identically"

# 5. --help on every rank; a failure on rank 0 alone before the searches
# (the journal of the small sweep is not this sweep's).
out=$work/help
run 3 "$bin" sweep --help > "$out" 2>&1 || fail "--help over 3 ranks failed: $(cat "$out")"
[ "$(grep -c '^usage: trainmap sweep' "$out")" = 1 ] ||
    fail "--help over 3 ranks printed $(grep -c '^usage:' "$out") usage texts"
rc=0
# shellcheck disable=SC2086
(cd "$work/three" && run 3 "$bin" sweep $slow --resume > stdout 2> stderr) || rc=$?
[ $rc = 2 ] || fail "resume from another sweep's journal over 3 ranks exited $rc, not 2"
[ "$(grep -c 'written for other inputs or options' "$work/three/stderr")" = 1 ] ||
    fail "resume from another sweep's journal: $(cat "$work/three/stderr")"
echo "runs stopped before the searches: every rank stops, the error printed once"
rm -rf "$work"
