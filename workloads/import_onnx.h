/*
 * import_onnx: ONNX models (the protobuf ModelProto) as workload layers.
 *
 * Every Conv becomes a conv layer (strides, pads, dilations, group), every
 * Gemm or MatMul whose second operand is a constant (an initializer or a
 * Constant node) a fully connected layer; shapes are inferred through the
 * graph from the graph inputs' shapes.  Operators without MACs are counted
 * and listed in the notes, as are those with MACs that are not layers here
 * (ConvTranspose, LSTM, a MatMul of two activations); one that blocks the
 * shape inference a layer needs is an error naming that node.  Called once
 * per import.
 *
 * Ownership: the layers go into a caller-owned struct import_net.
 */
#ifndef TRAINMAP_IMPORT_ONNX_H
#define TRAINMAP_IMPORT_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "import_net.h"

/* The largest model file read (protobuf's own limit). */
#define IMPORT_ONNX_MAX_BYTES ((size_t)2 << 30)

/*
 * Reads the ONNX model at path into net (initialized by the caller; its
 * name, source, batch and layers are set).  Errors name the file and the
 * place: "model.onnx: byte 1187: ... truncated", "model.onnx: node 'conv3'
 * (Conv): ...".  Returns 0, ERR_IO, ERR_SCHEMA (not a model, or a model
 * this importer cannot read), ERR_TOO_LARGE, ERR_USAGE (a bad --name) or
 * ERR_NOMEM.  On failure net may hold some layers: release it.
 */
int import_onnx(const char *path, const struct import_opts *opts,
                struct import_net *net, struct err *err);

/* As import_onnx on len bytes in memory; name is used in messages. */
int import_onnx_parse(const char *name, const uint8_t *data, size_t len,
                      const struct import_opts *opts, struct import_net *net,
                      struct err *err);

#endif
