/*
 * derive: the workload module's kernel derivation, shared between its two
 * source files (workload.c loads and validates, derive.c derives).  Not part
 * of the module's interface: everything outside workloads/ uses workload.h.
 */
#ifndef TRAINMAP_DERIVE_H
#define TRAINMAP_DERIVE_H

#include "workload.h"

/*
 * The kernels of layer i under the given lowering, in execution order.
 * with_first_bwd_data includes bwd_data (and col2im) for layer 0 too, which
 * a training step leaves out.  Returns how many were written to out.
 */
int derive_kernels(const struct workload *w, int i, enum lowering lowering,
                   bool with_first_bwd_data, enum kernel out[KERNEL_COUNT]);

/*
 * As workload_derive, for a kernel derive_kernels lists; where opens any
 * error message ("file.json: layers[3]" at load time, "layer conv1"
 * later).  Returns 0 or ERR_TOO_LARGE.
 */
int derive_problem(const struct workload *w, int i, enum kernel k,
                   enum lowering lowering, const char *where,
                   struct problem *out, struct err *err);

#endif
