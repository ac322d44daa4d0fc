#!/bin/sh
# The MPI tests: the backend's own test program (sweep/dist_mpi.c under
# tests/mpi/) with 1, 3 and 4 ranks.  Everything runs on this machine only:
# --oversubscribe allows more ranks than cores, and the shared-memory
# transport (btl self,vader) keeps the messages off the network.  mpirun
# refuses to start as root unless told it may, and CI runs as root.
#
# Usage: scripts/test_mpi.sh BUILD_DIR   (run from the repository root)
set -eu
build=${1:-build/mpi}

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader
# A single-copy mechanism needs ptrace rights that containers often lack.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1

# A hung run must fail the tests, not hold up CI.
run() {
    n=$1
    shift
    timeout 120 mpirun --oversubscribe -np "$n" "$@"
}

for n in 1 3 4; do
    run "$n" "$build/test_dist_mpi"
done
