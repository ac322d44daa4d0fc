/*
 * import_torch: PyTorch model summaries, as users paste them, as workload
 * layers.
 *
 * Two texts are read, told apart by their first line:
 *  - the table of torchinfo.summary(model, input_size=..., col_names=(
 *    "input_size", "output_size", "kernel_size")): every Conv2d and Linear
 *    row becomes a layer with the shapes the table states.  torchinfo
 *    prints no strides, padding or dilation: strides are inferred from the
 *    shapes, and the layer is written with its output extent (P, Q).
 *    Groups come from a "Groups" or "Param #" column when there is one.
 *  - print(model) with the input shape given (--input CxHxW): the model is
 *    read as a sequence of modules, shapes carried from one to the next,
 *    except that a "downsample" or "shortcut" container starts again from
 *    its block's input (torchvision's ResNets) and a squeeze-excitation
 *    block leaves its input's shape unchanged.
 * Lines that cannot be used are reported with their line numbers in the
 * notes; lines that are not part of either format are errors.  Called once
 * per import; every PCRE2 pattern is compiled once per call.
 *
 * Ownership: the layers go into a caller-owned struct import_net.
 */
#ifndef TRAINMAP_IMPORT_TORCH_H
#define TRAINMAP_IMPORT_TORCH_H

#include <stddef.h>

#include "../common/err.h"
#include "import_net.h"

#define IMPORT_TORCH_MAX_BYTES ((size_t)64 << 20)

/*
 * Reads the summary at path into net (initialized by the caller; its name,
 * source, batch and layers are set).  Errors name the file and the line:
 * "summary.txt:14: ...".  Returns 0, ERR_IO, ERR_SCHEMA, ERR_USAGE (--input
 * missing for print(model) text, or given for a torchinfo table; a bad
 * --name), ERR_TOO_LARGE or ERR_NOMEM.  On failure net may hold some
 * layers: release it.
 */
int import_torch(const char *path, const struct import_opts *opts,
                 struct import_net *net, struct err *err);

/* As import_torch on text in memory (len bytes); name is used in
 * messages. */
int import_torch_parse(const char *name, const char *text, size_t len,
                       const struct import_opts *opts, struct import_net *net,
                       struct err *err);

#endif
