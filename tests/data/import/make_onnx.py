#!/usr/bin/python3
"""Builds the ONNX models of tests/data/import with Debian's python3-onnx.

    tests/data/import/make_onnx.py [OUTDIR]     (default: this script's folder)

The models are small but real architectures: a CIFAR ResNet stem and basic
block with a 1x1 stride-2 projection shortcut (He et al. 2016, option B), a
MobileNet depthwise-separable stack padded the TensorFlow way (asymmetric
SAME pads), an MNIST MLP written with both Gemm (as PyTorch exports Linear)
and MatMul + Add (as TensorFlow does), and a token MLP on rank-3 input with
an activation-by-activation MatMul, and a conv encoder with a transposed-conv
decoder (not a layer for the importer).  The bad_* files are deliberately broken
for the importer's error tests.  Weights come from a fixed seed, so the
output is the same on every run.  For each valid model the script checks it
with onnx.checker and prints the output shape ONNX's own shape inference
gives every Conv, Gemm and MatMul: the expected workloads are checked
against those.
"""
import os
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

OPSET = 13
rng = np.random.RandomState(0)


def weight(name, *shape):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    data = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape).astype(np.float32)
    return numpy_helper.from_array(data, name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def bn(name, x, y, c, inits):
    for p in ("scale", "bias", "mean", "var"):
        inits.append(floats(f"{name}.{p}", np.ones(c) if p in ("scale", "var")
                            else np.zeros(c)))
    return helper.make_node("BatchNormalization", [x, f"{name}.scale", f"{name}.bias",
                            f"{name}.mean", f"{name}.var"], [y], name=name)


def model(graph):
    m = helper.make_model(graph, producer_name="make_onnx.py",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 7
    return m


def tensor(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def resnet_block():
    """CIFAR ResNet stem + the first block of the 32-channel stage."""
    i = []
    n = [
        helper.make_node("Conv", ["input", "conv1.weight"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        bn("bn1", "c1", "b1", 16, i),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "layer2.0.conv1.weight"], ["c2"],
                         name="layer2.0.conv1", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        bn("layer2.0.bn1", "c2", "b2", 32, i),
        helper.make_node("Relu", ["b2"], ["r2"], name="layer2.0.relu"),
        helper.make_node("Conv", ["r2", "layer2.0.conv2.weight"], ["c3"],
                         name="layer2.0.conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        bn("layer2.0.bn2", "c3", "b3", 32, i),
        # The projection shortcut, named the way torch.onnx names nodes.
        helper.make_node("Conv", ["r1", "layer2.0.downsample.0.weight"], ["d1"],
                         name="/layer2/layer2.0/downsample/downsample.0/Conv",
                         kernel_shape=[1, 1], strides=[2, 2]),
        bn("layer2.0.downsample.1", "d1", "d2", 32, i),
        helper.make_node("Add", ["b3", "d2"], ["s"], name="layer2.0.add"),
        helper.make_node("Relu", ["s"], ["r3"], name="layer2.0.relu2"),
        helper.make_node("GlobalAveragePool", ["r3"], ["g"], name="avgpool"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten", axis=1),
        # Unnamed, as some exporters leave nodes: the layer takes the
        # output's name.
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], transB=1),
    ]
    i += [weight("conv1.weight", 16, 3, 3, 3), weight("layer2.0.conv1.weight", 32, 16, 3, 3),
          weight("layer2.0.conv2.weight", 32, 32, 3, 3),
          weight("layer2.0.downsample.0.weight", 32, 16, 1, 1),
          weight("fc.weight", 10, 32), floats("fc.bias", np.zeros(10))]
    g = helper.make_graph(n, "resnet_block", [tensor("input", ["N", 3, 32, 32])],
                          [tensor("logits", ["N", 10])], i)
    return model(g)


def mobilenet_block():
    """MobileNet v1 stem and two depthwise-separable blocks, TF padding."""
    i = [floats("relu6.min", 0.0), floats("relu6.max", 6.0)]
    n = []

    def relu6(x, y):
        n.append(helper.make_node("Clip", [x, "relu6.min", "relu6.max"], [y],
                                  name=f"{y}.relu6"))

    # TensorFlow's SAME padding of a stride-2 3x3 conv on an even input
    # pads one row and column at the end only.
    n.append(helper.make_node("Conv", ["image", "stem.weight"], ["s"], name="stem",
                              kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1]))
    n.append(bn("stem.bn", "s", "sb", 16, i))
    relu6("sb", "sr")
    n.append(helper.make_node("Conv", ["sr", "dw1.weight"], ["d1"], name="dw1",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=16))
    n.append(bn("dw1.bn", "d1", "d1b", 16, i))
    relu6("d1b", "d1r")
    n.append(helper.make_node("Conv", ["d1r", "pw1.weight"], ["p1"], name="pw1",
                              kernel_shape=[1, 1], auto_pad="SAME_UPPER"))
    n.append(bn("pw1.bn", "p1", "p1b", 32, i))
    relu6("p1b", "p1r")
    n.append(helper.make_node("Conv", ["p1r", "dw2.weight"], ["d2"], name="dw2",
                              kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_LOWER",
                              group=32))
    n.append(bn("dw2.bn", "d2", "d2b", 32, i))
    relu6("d2b", "d2r")
    n.append(helper.make_node("Conv", ["d2r", "pw2.weight"], ["p2"], name="pw2",
                              kernel_shape=[1, 1]))
    n.append(bn("pw2.bn", "p2", "p2b", 64, i))
    relu6("p2b", "p2r")
    n.append(helper.make_node("GlobalAveragePool", ["p2r"], ["gap"], name="gap"))
    # x.view(x.size(0), -1) as older PyTorch exported it.
    n += [helper.make_node("Shape", ["gap"], ["shape"], name="shape"),
          helper.make_node("Gather", ["shape", "zero"], ["batch"], name="gather", axis=0),
          helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="unsqueeze"),
          helper.make_node("Concat", ["batch1", "minus1"], ["newshape"], name="concat",
                           axis=0),
          helper.make_node("Reshape", ["gap", "newshape"], ["flat"], name="reshape"),
          helper.make_node("MatMul", ["flat", "classifier.weight"], ["mm"],
                           name="classifier"),
          helper.make_node("Add", ["mm", "classifier.bias"], ["logits"],
                           name="classifier.add")]
    i += [ints("zero", 0), ints("axes0", [0]), ints("minus1", [-1]),
          weight("stem.weight", 16, 3, 3, 3), weight("dw1.weight", 16, 1, 3, 3),
          weight("pw1.weight", 32, 16, 1, 1), weight("dw2.weight", 32, 1, 3, 3),
          weight("pw2.weight", 64, 32, 1, 1), weight("classifier.weight", 64, 10),
          floats("classifier.bias", np.zeros(10))]
    g = helper.make_graph(n, "mobilenet_block", [tensor("image", [1, 3, 64, 64])],
                          [tensor("logits", [1, 10])], i)
    return model(g)


def mlp():
    """MNIST 784-128-64-10."""
    n = [helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
         helper.make_node("Gemm", ["f", "fc1.weight", "fc1.bias"], ["h1"], name="fc1",
                          transB=1),
         helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
         helper.make_node("MatMul", ["a1", "fc2.weight"], ["m2"], name="fc2"),
         helper.make_node("Add", ["m2", "fc2.bias"], ["h2"], name="fc2.bias_add"),
         helper.make_node("Relu", ["h2"], ["a2"], name="relu2"),
         helper.make_node("Gemm", ["a2", "fc3.weight", "fc3.bias"], ["h3"], name="fc3"),
         helper.make_node("Softmax", ["h3"], ["probs"], name="softmax", axis=1)]
    i = [weight("fc1.weight", 128, 784), floats("fc1.bias", np.zeros(128)),
         weight("fc2.weight", 128, 64), floats("fc2.bias", np.zeros(64)),
         weight("fc3.weight", 64, 10), floats("fc3.bias", np.zeros(10))]
    g = helper.make_graph(n, "mlp", [tensor("x", ["batch", 1, 28, 28])],
                          [tensor("probs", ["batch", 10])], i)
    return model(g)


def token_mlp():
    """A transformer-style MLP on 16 tokens of 32 features, batch 2, and
    the token-by-token similarity x @ x^T (two activations, no weights)."""
    n = [helper.make_node("MatMul", ["tokens", "up.weight"], ["u"], name="up"),
         helper.make_node("Relu", ["u"], ["ua"], name="act"),
         helper.make_node("MatMul", ["ua", "down.weight"], ["d"], name="down"),
         helper.make_node("Transpose", ["d"], ["dt"], name="transpose", perm=[0, 2, 1]),
         helper.make_node("MatMul", ["d", "dt"], ["sim"], name="similarity")]
    i = [weight("up.weight", 32, 64), weight("down.weight", 64, 32)]
    g = helper.make_graph(n, "token_mlp", [tensor("tokens", [2, 16, 32])],
                          [tensor("sim", [2, 16, 16])], i)
    return model(g)


def decoder():
    """An encoder conv, a dilated conv and a transposed-conv decoder: the
    ConvTranspose has MACs the importer does not take as a layer."""
    n = [helper.make_node("Conv", ["x", "enc.weight"], ["e"], name="enc", kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["e"], ["er"], name="relu"),
         # An atrous conv as DeepLab's ASPP has them.
         helper.make_node("Conv", ["er", "aspp.weight"], ["a"], name="aspp",
                          kernel_shape=[3, 3], dilations=[2, 2], pads=[2, 2, 2, 2]),
         helper.make_node("ConvTranspose", ["a", "up.weight"], ["u"], name="up",
                          kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Sigmoid", ["u"], ["y"], name="sigmoid")]
    i = [weight("enc.weight", 16, 8, 3, 3), weight("aspp.weight", 16, 16, 3, 3),
         weight("up.weight", 16, 8, 2, 2)]
    g = helper.make_graph(n, "decoder", [tensor("x", [1, 8, 8, 8])],
                          [tensor("y", [1, 8, 16, 16])], i)
    return model(g)


def bad_missing_initializer():
    n = [helper.make_node("Conv", ["x", "conv1.weight"], ["c1"], name="conv1",
                          kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
         helper.make_node("Conv", ["r1", "conv3.weight"], ["c3"], name="conv3",
                          kernel_shape=[3, 3])]
    g = helper.make_graph(n, "bad", [tensor("x", [1, 3, 8, 8])], [tensor("c3", None)],
                          [weight("conv1.weight", 8, 3, 3, 3)])
    return model(g)


def bad_auto_pad():
    n = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv1", kernel_shape=[3, 3],
                          auto_pad="SAME_MIDDLE")]
    g = helper.make_graph(n, "bad", [tensor("x", [1, 3, 8, 8])], [tensor("y", None)],
                          [weight("w", 8, 3, 3, 3)])
    return model(g)


def bad_resize():
    n = [helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1]),
         helper.make_node("Resize", ["c1", "", "scales"], ["up"], name="up1",
                          mode="nearest"),
         helper.make_node("Conv", ["up", "w2"], ["c2"], name="conv2", kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1])]
    g = helper.make_graph(n, "bad", [tensor("x", [1, 3, 8, 8])], [tensor("c2", None)],
                          [weight("w1", 8, 3, 3, 3), weight("w2", 8, 8, 3, 3),
                           floats("scales", [1.0, 1.0, 2.0, 2.0])])
    return model(g)


def bad_symbolic():
    n = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv1", kernel_shape=[3, 3])]
    g = helper.make_graph(n, "bad", [tensor("x", ["N", 3, "H", "W"])], [tensor("y", None)],
                          [weight("w", 8, 3, 3, 3)])
    return model(g)


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def graph_field(data):
    """Offset, header length and length of the model's field 7 (graph)."""
    i = 0
    while i < len(data):
        start = i
        key = 0
        shift = 0
        while True:
            b = data[i]
            i += 1
            key |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                break
        wire = key & 7
        if wire == 0:
            while data[i] & 0x80:
                i += 1
            i += 1
            continue
        n = 0
        shift = 0
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                break
        if key >> 3 == 7:
            return start, i - start, n
        i += n
    raise ValueError("no graph")


def report(name, m):
    inferred = shape_inference.infer_shapes(m)
    dims = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.output):
        dims[v.name] = [d.dim_value if d.HasField("dim_value") else d.dim_param
                        for d in v.type.tensor_type.shape.dim]
    for node in m.graph.node:
        if node.op_type in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            print(f"  {name}: {node.op_type} {node.name or '(unnamed)'} -> "
                  f"{dims.get(node.output[0])}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    good = {"resnet_block": resnet_block(), "mobilenet_block": mobilenet_block(),
            "mlp": mlp(), "token_mlp": token_mlp(), "decoder": decoder()}
    for name, m in good.items():
        onnx.checker.check_model(m)
        report(name, m)
        onnx.save(m, os.path.join(out, name + ".onnx"))
    bad = {"bad_missing_initializer": bad_missing_initializer(),
           "bad_auto_pad": bad_auto_pad(), "bad_resize": bad_resize(),
           "bad_symbolic": bad_symbolic()}
    for name, m in bad.items():
        onnx.save(m, os.path.join(out, name + ".onnx"))

    # The first 600 bytes of the ResNet block: the graph field is cut.
    data = good["resnet_block"].SerializeToString()
    start, head, length = graph_field(data)
    cut = 600
    with open(os.path.join(out, "bad_truncated.onnx"), "wb") as f:
        f.write(data[:cut])
    print(f"  bad_truncated: graph field at byte {start}, {length} bytes long, "
          f"{cut - start - head} remain")
    # A text file, a zip archive (as torch.save writes), a bad wire type.
    with open(os.path.join(out, "bad_text.onnx"), "w") as f:
        f.write('{ "name": "resnet18", "layers": [] }\n')
    with zipfile.ZipFile(os.path.join(out, "bad_checkpoint.pt"), "w") as z:
        z.writestr(zipfile.ZipInfo("archive/data.pkl", (2024, 1, 1, 0, 0, 0)),
                   b"\x80\x02}q\x00.")
    with open(os.path.join(out, "bad_wire.onnx"), "wb") as f:
        f.write(b"\x0f\xff\xfe\x00")
    # Outline intact, a node inside the graph corrupt: its input claims 5
    # bytes, 2 follow.
    node = b"\x0a" + varint(5) + b"ab"                  # NodeProto.input
    graph = b"\x0a" + varint(len(node)) + node         # GraphProto.node
    model_bytes = b"\x08\x07" + b"\x3a" + varint(len(graph)) + graph
    with open(os.path.join(out, "bad_node.onnx"), "wb") as f:
        f.write(model_bytes)


if __name__ == "__main__":
    main()
