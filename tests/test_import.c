/*
 * Tests of the importers (workloads/import_*): ONNX models and PyTorch
 * summaries of real architectures against workloads written by hand
 * (tests/data/import/NAME.expected.json, the arithmetic in their comments),
 * compared field by field after both are loaded with workload_load; every
 * rejection with its exact message; layer naming; `trainmap import`.
 *
 * The ONNX models are built by tests/data/import/make_onnx.py, which also
 * prints the byte offsets of the truncated file (from its own reading of
 * the protobuf) and ONNX's own inferred output shapes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../workloads/import_onnx.h"
#include "../workloads/import_torch.h"
#include "../workloads/workload.h"

#define DATA "tests/data/import/"

/* Imports path (onnx or torch text) and loads the JSON the way
 * `trainmap import` writes it; notes, when asked for, get the notes. */
static struct workload *import_ok(const char *path, const struct import_opts *o,
                                  char **notes)
{
    struct import_net net;
    struct err e;
    char *json = NULL;
    struct workload *w = NULL;
    err_clear(&e);
    import_net_init(&net);
    bool onnx = strstr(path, ".onnx") != NULL;
    int rc = onnx ? import_onnx(path, o, &net, &e) : import_torch(path, o, &net, &e);
    ck_assert_msg(rc == 0, "import %s: %s", path, e.msg);
    ck_assert_int_eq(import_net_to_json(&net, &json, &e), 0);
    rc = workload_parse("imported.json", json, strlen(json), &w, &e);
    ck_assert_msg(rc == 0, "the import of %s does not load: %s\n%s", path, e.msg, json);
    if (notes)
        ck_assert_int_eq(import_net_notes(&net, notes, &e), 0);
    free(json);
    import_net_release(&net);
    return w;
}

static struct workload *load_ok(const char *path)
{
    struct workload *w = NULL;
    struct err e;
    err_clear(&e);
    ck_assert_msg(workload_load(path, &w, &e) == 0, "%s", e.msg);
    return w;
}

#define SAME(field) \
    ck_assert_msg(a->field == b->field, "layer %s: " #field " %llu, expected %llu", a->name, \
                  (unsigned long long)a->field, (unsigned long long)b->field)

/* got equals want: name, batch, optimizer, and every field of every layer. */
static void assert_same_workload(const struct workload *got, const struct workload *want,
                                 bool names)
{
    if (names)
        ck_assert_str_eq(got->name, want->name);
    ck_assert_uint_eq(got->batch, want->batch);
    ck_assert_int_eq(got->optimizer, want->optimizer);
    ck_assert_int_eq(got->nlayers, want->nlayers);
    for (int i = 0; i < got->nlayers; i++) {
        const struct layer *a = &got->layers[i], *b = &want->layers[i];
        ck_assert_str_eq(a->name, b->name);
        ck_assert_int_eq(a->type, b->type);
        SAME(N);
        SAME(C);
        SAME(K);
        SAME(groups);
        SAME(H);
        SAME(W);
        SAME(P);
        SAME(Q);
        SAME(R);
        SAME(S);
        SAME(stride_h);
        SAME(stride_w);
        SAME(dilation_h);
        SAME(dilation_w);
        SAME(pad_h);
        SAME(pad_w);
        ck_assert_int_eq(a->lowering, b->lowering);
    }
}

static void assert_imports_as(const char *model, const struct import_opts *o,
                              const char *expected)
{
    struct workload *got = import_ok(model, o, NULL), *want = load_ok(expected);
    assert_same_workload(got, want, true);
    workload_free(got);
    workload_free(want);
}

static const struct import_opts no_opts;

/* ---- ONNX --------------------------------------------------------------- */

START_TEST(import_onnx_resnet_block_should_equal_its_hand_written_workload)
{
    assert_imports_as(DATA "resnet_block.onnx", &no_opts, DATA "resnet_block.expected.json");
}
END_TEST

START_TEST(import_onnx_mobilenet_block_should_state_asymmetric_pads_by_p_and_q)
{
    assert_imports_as(DATA "mobilenet_block.onnx", &no_opts,
                      DATA "mobilenet_block.expected.json");
}
END_TEST

START_TEST(import_onnx_mlp_should_take_gemm_and_matmul_with_weights_as_fc_layers)
{
    assert_imports_as(DATA "mlp.onnx", &no_opts, DATA "mlp.expected.json");
}
END_TEST

START_TEST(import_onnx_token_mlp_should_count_every_token_in_n)
{
    assert_imports_as(DATA "token_mlp.onnx", &no_opts, DATA "token_mlp.expected.json");
}
END_TEST

/* --batch 8 on a model stated for batch 2: 8 samples x 16 tokens = 128. */
START_TEST(import_onnx_batch_option_should_scale_the_token_rows)
{
    struct import_opts o = { .batch = 8 };
    struct workload *w = import_ok(DATA "token_mlp.onnx", &o, NULL);
    ck_assert_uint_eq(w->batch, 8);
    ck_assert_uint_eq(w->layers[0].N, 128);
    ck_assert_uint_eq(w->layers[1].N, 128);
    workload_free(w);
}
END_TEST

START_TEST(import_onnx_batch_option_should_set_the_workload_batch)
{
    struct import_opts o = { .batch = 64, .name = "mnist" };
    struct workload *w = import_ok(DATA "mlp.onnx", &o, NULL);
    ck_assert_str_eq(w->name, "mnist");
    ck_assert_uint_eq(w->batch, 64);
    for (int i = 0; i < w->nlayers; i++)
        ck_assert_uint_eq(w->layers[i].N, 64);
    workload_free(w);
}
END_TEST

/* resnet_block.onnx: 4 BatchNormalization (bn1, the block's two, the
 * shortcut's), 3 Relu, 1 Add, 1 GlobalAveragePool, 1 Flatten. */
START_TEST(import_onnx_should_list_the_skipped_operators_in_the_comment)
{
    char *notes;
    struct workload *w = import_ok(DATA "resnet_block.onnx", &no_opts, &notes);
    ck_assert_str_eq(notes, "skipped, no MACs: BatchNormalization x4, Relu x3, Add, "
                            "GlobalAveragePool, Flatten\n");
    ck_assert_str_eq(w->comment, "imported from resnet_block.onnx (ONNX, opset 13); "
                                 "skipped, no MACs: BatchNormalization x4, Relu x3, Add, "
                                 "GlobalAveragePool, Flatten");
    free(notes);
    workload_free(w);
}
END_TEST

START_TEST(import_onnx_should_note_a_matmul_without_constant_weights)
{
    char *notes;
    struct workload *w = import_ok(DATA "token_mlp.onnx", &no_opts, &notes);
    ck_assert_str_eq(notes, "skipped, no MACs: Relu, Transpose\n"
                            "node 'similarity' (MatMul): no constant weights, not a layer "
                            "(its MACs are not counted)\n");
    free(notes);
    workload_free(w);
}
END_TEST

/* decoder.onnx: enc (8 -> 16, 3x3 pad 1 on 8x8) and aspp (16 -> 16, 3x3
 * dilation 2 pad 2: P = 8 + 4 - 2*2 - 1 + 1 = 8, the box (8-1) + 2*2 + 1 =
 * 12) are the layers; the ConvTranspose is said, and the Sigmoid after it
 * still counted. */
START_TEST(import_onnx_should_note_an_operator_with_macs_it_does_not_import)
{
    char *notes;
    struct workload *w = import_ok(DATA "decoder.onnx", &no_opts, &notes);
    ck_assert_int_eq(w->nlayers, 2);
    ck_assert_str_eq(w->layers[0].name, "enc");
    ck_assert_uint_eq(w->layers[0].K, 16);
    ck_assert_uint_eq(w->layers[0].P, 8);
    ck_assert_str_eq(w->layers[1].name, "aspp");
    ck_assert_uint_eq(w->layers[1].dilation_h, 2);
    ck_assert_uint_eq(w->layers[1].dilation_w, 2);
    ck_assert_uint_eq(w->layers[1].pad_h, 2);
    ck_assert_uint_eq(w->layers[1].P, 8);
    ck_assert_uint_eq(w->layers[1].H, 12);
    ck_assert_str_eq(notes, "skipped, no MACs: Relu, Sigmoid\n"
                            "node 'up' (ConvTranspose): carries MACs but is not imported "
                            "(only Conv, Gemm and MatMul are); its MACs are not counted\n");
    free(notes);
    workload_free(w);
}
END_TEST

static const struct {
    const char *file, *msg;
} onnx_errors[] = {
    /* make_onnx.py: the graph field starts at byte 16, is 64070 bytes
     * long; the file is cut at 600 bytes, 580 of them after the field's
     * 4-byte header. */
    { "bad_truncated.onnx", "byte 16: field 7 (graph) is 64070 bytes long but only 580 "
                            "remain: the file is truncated" },
    { "bad_text.onnx", "not an ONNX model: the file is text (an ONNX model is a binary "
                       "protobuf)" },
    { "bad_checkpoint.pt", "not an ONNX model: a zip archive (a PyTorch checkpoint? export "
                           "the model with torch.onnx.export)" },
    /* 0x0f: field 1, wire type 7, which protobuf does not have. */
    { "bad_wire.onnx", "byte 0: not an ONNX model (field 1, ir_version, with wire type 7)" },
    { "bad_node.onnx", "not a valid ONNX model (the protobuf does not decode)" },
    { "bad_missing_initializer.onnx", "node 'conv3' (Conv): input 'conv3.weight' is not "
                                      "defined (not an initializer, a graph input or an "
                                      "output of an earlier node)" },
    { "bad_auto_pad.onnx", "node 'conv1' (Conv): auto_pad 'SAME_MIDDLE' is not one of "
                           "NOTSET, SAME_UPPER, SAME_LOWER, VALID" },
    { "bad_resize.onnx", "node 'conv2' (Conv): the shape of input 'up' is unknown: node "
                         "'up1' (Resize): the operator is not supported" },
    { "bad_symbolic.onnx", "node 'conv1' (Conv): the shape of input 'x' is unknown: graph "
                           "input 'x': dimension 2 is symbolic ('H')" },
};

START_TEST(import_onnx_should_reject_a_malformed_model_saying_where)
{
    char path[256], want[1024];
    snprintf(path, sizeof path, DATA "%s", onnx_errors[_i].file);
    snprintf(want, sizeof want, "%s: %s", path, onnx_errors[_i].msg);
    struct import_net net;
    struct err e;
    import_net_init(&net);
    err_clear(&e);
    ck_assert_int_eq(import_onnx(path, &no_opts, &net, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, want);
    import_net_release(&net);
}
END_TEST

START_TEST(import_onnx_should_reject_an_empty_or_missing_file)
{
    struct import_net net;
    struct err e;
    import_net_init(&net);
    ck_assert_int_eq(import_onnx_parse("m.onnx", (const uint8_t *)"", 0, &no_opts, &net, &e),
                     ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "m.onnx: empty file, expected an ONNX model");
    ck_assert_int_eq(import_onnx(DATA "absent.onnx", &no_opts, &net, &e), ERR_IO);
    ck_assert_str_eq(e.msg, DATA "absent.onnx: cannot open: No such file or directory");
    import_net_release(&net);
}
END_TEST

/* ---- torch -------------------------------------------------------------- */

START_TEST(import_torch_print_of_resnet18_should_equal_its_hand_written_workload)
{
    struct import_opts o = { .batch = 32, .in_c = 3, .in_h = 224, .in_w = 224 };
    assert_imports_as(DATA "resnet18_print.txt", &o, DATA "resnet18_print.expected.json");
}
END_TEST

/* The shipped ResNet-18 was written by hand from the same model with the
 * same names: every layer must agree. */
START_TEST(import_torch_print_of_resnet18_should_equal_the_shipped_resnet18)
{
    struct import_opts o = { .batch = 32, .in_c = 3, .in_h = 224, .in_w = 224 };
    struct workload *got = import_ok(DATA "resnet18_print.txt", &o, NULL);
    struct workload *want = load_ok("workloads/nets/resnet18.json");
    assert_same_workload(got, want, false);
    workload_free(got);
    workload_free(want);
}
END_TEST

START_TEST(import_torch_torchinfo_of_alexnet_should_equal_its_hand_written_workload)
{
    assert_imports_as(DATA "alexnet_torchinfo.txt", &no_opts,
                      DATA "alexnet_torchinfo.expected.json");
}
END_TEST

START_TEST(import_torch_torchinfo_of_resnet18_should_equal_its_hand_written_workload)
{
    assert_imports_as(DATA "resnet18_torchinfo.txt", &no_opts,
                      DATA "resnet18_torchinfo.expected.json");
}
END_TEST

START_TEST(import_torch_torchinfo_should_read_var_names_and_the_groups_column)
{
    assert_imports_as(DATA "dsnet_torchinfo.txt", &no_opts, DATA "dsnet_torchinfo.expected.json");
}
END_TEST

START_TEST(import_torch_torchinfo_should_find_the_groups_from_the_parameter_count)
{
    struct import_opts o = { .batch = 8 };
    assert_imports_as(DATA "dsnet_torchinfo_params.txt", &o,
                      DATA "dsnet_torchinfo_params.expected.json");
}
END_TEST

/* At depth 3 the downsample Sequentials are rows 3-18, 3-31 and 3-44 on
 * lines 31, 47 and 63 (the first stage's two blocks take lines 9-23, each
 * later stage 16 lines, a downsample 7 lines into it). */
START_TEST(import_torch_should_report_the_rows_it_cannot_use_by_line)
{
    char *notes;
    struct workload *w = import_ok(DATA "resnet18_torchinfo.txt", &no_opts, &notes);
    const char *tail = "Sequential: not a Conv2d or Linear, and its modules are not shown "
                       "(a larger depth= in summary shows them); its MACs, if any, are not "
                       "counted\n";
    char want[2048];
    snprintf(want, sizeof want,
             "skipped, no MACs: BatchNorm2d x17, ReLU x17, MaxPool2d, AdaptiveAvgPool2d\n"
             "groups are not in the table: taken as 1 (add \"groups\" to col_names for "
             "grouped or depthwise convolutions)\n"
             "strides inferred from the shapes (torchinfo prints no strides, padding or "
             "dilation; dilation taken as 1)\n"
             "line 31: %sline 47: %sline 63: %s", tail, tail, tail);
    ck_assert_str_eq(notes, want);
    free(notes);
    workload_free(w);
}
END_TEST

/* Parses text as t.txt; returns the error code, e filled. */
static int torch_text(const char *text, const struct import_opts *o, struct err *e)
{
    struct import_net net;
    char *json = NULL;
    import_net_init(&net);
    err_clear(e);
    int rc = import_torch_parse("t.txt", text, strlen(text), o, &net, e);
    if (rc == 0)
        rc = import_net_to_json(&net, &json, e);
    free(json);
    import_net_release(&net);
    return rc;
}

#define DIV "==========================================================================\n"
#define HEAD "Layer (type:depth-idx)                   Input Shape               " \
             "Output Shape              Kernel Shape\n"
#define ROW_CONV "\xe2\x94\x9c\xe2\x94\x80" "Conv2d: 1-1                            " \
                 "[1, 3, 8, 8]              [1, 4, 8, 8]              [3, 3]\n"

static const struct {
    const char *text, *msg;
    int code;
    uint64_t in_c;
} torch_errors[] = {
    { DIV HEAD DIV "Net                                      [1, 3, 8, 8]  [1, 4, 8, 8]  --\n"
      ROW_CONV "hello world\n" DIV,
      "t.txt:6: expected a row of the torchinfo table, got 'hello world'", ERR_SCHEMA, 0 },
    { DIV "Layer (type:depth-idx)                   Input Shape               Shape\n",
      "t.txt:2: unknown column 'Shape'", ERR_SCHEMA, 0 },
    { DIV "Layer (type:depth-idx)                   Output Shape              Param #\n",
      "t.txt:2: the table has no Input Shape or no Output Shape column: call summary(model, "
      "input_size=..., col_names=(\"input_size\", \"output_size\", \"kernel_size\"))",
      ERR_SCHEMA, 0 },
    { DIV HEAD DIV "Net                                      [1, 3, 8, 8]  [1, 4, 8, 8]\n",
      "t.txt:4: expected 3 columns after the layer name, got fewer", ERR_SCHEMA, 0 },
    { DIV HEAD DIV "Net                                      [1, 3, 8, 8]  [1, 4, 8, 8]  --\n"
      ROW_CONV DIV, "t.txt: --input is for print(model) text; a torchinfo table states its "
      "shapes", ERR_USAGE, 3 },
    { "Net(\n  (fc): Linear(in_features=4, out_features=2, bias=True)\n)\n",
      "t.txt: print(model) text does not state the input shape: give it with --input CxHxW",
      ERR_USAGE, 0 },
    { "Net(\n  (conv): Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1))\n)\n",
      "t.txt:2: Conv2d expects 4 input channels, the modules before it produce 3 (only "
      "sequential models can be read from print(model))", ERR_SCHEMA, 3 },
    { "Net(\n  (conv): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n  garbage\n)\n",
      "t.txt:3: expected a line of print(model), got '  garbage'", ERR_SCHEMA, 3 },
    { "Net(\n  (conv): Conv2d(3, 8, kernel_size=(3, 3), strides=(1, 1))\n)\n",
      "t.txt:2: cannot read the arguments of Conv2d: '3, 8, kernel_size=(3, 3), "
      "strides=(1, 1)'", ERR_SCHEMA, 3 },
    { "Net(\n   (fc): Linear(in_features=192, out_features=2, bias=True)\n)\n",
      "t.txt:2: expected an indent of 2 spaces, got 3", ERR_SCHEMA, 3 },
    /* 3 x 8 x 8 = 192 features reach the Linear. */
    { "Net(\n  (fc): Linear(in_features=100, out_features=2, bias=True)\n)\n",
      "t.txt:2: Linear expects 100 input features, the modules before it produce 192",
      ERR_SCHEMA, 3 },
    { "Net(\n  (body): Sequential(\n    (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n",
      "t.txt:4: the text ends inside the module opened on line 2 (cut short?)", ERR_SCHEMA,
      3 },
    { "Net(\n  (attn): MultiheadAttention(embed_dim=8)\n"
      "  (conv): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n)\n",
      "t.txt:3: Conv2d: the shape of its input is unknown (after the module on line 2)",
      ERR_SCHEMA, 3 },
    /* The block's input is 3x8x8; its main path ends 8x8x8, the shortcut
     * 4x8x8. */
    { "Net(\n  (block): Block(\n    (conv): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), "
      "padding=(1, 1))\n    (downsample): Sequential(\n      (0): Conv2d(3, 4, kernel_size=(1, "
      "1), stride=(1, 1))\n    )\n  )\n)\n",
      "t.txt:6: the branch 'block.downsample' (line 4) ends with 4x8x8, the main path with "
      "8x8x8", ERR_SCHEMA, 3 },
    { "hello\n", "t.txt:1: expected a torchinfo table or the text of print(model), got "
      "'hello'", ERR_SCHEMA, 0 },
    { "\n\n", "t.txt: empty, expected a torchinfo table or the text of print(model)",
      ERR_SCHEMA, 0 },
};

START_TEST(import_torch_should_reject_a_malformed_summary_saying_where)
{
    struct import_opts o = { .in_c = torch_errors[_i].in_c, .in_h = 8, .in_w = 8 };
    struct err e;
    ck_assert_int_eq(torch_text(torch_errors[_i].text, &o, &e), torch_errors[_i].code);
    ck_assert_str_eq(e.msg, torch_errors[_i].msg);
}
END_TEST

/*
 * print(model) of a small net on 3x9x9: 'same' padding (3x3: pad 1 each
 * side; 2x2: 1 in all, odd, so stated by P, Q = 4); MaxPool 3/2 with
 * ceil_mode: ceil((9 - 3)/2) + 1 = 4; the squeeze-excitation convs see
 * 1x1 and the block hands on 16x4x4; AvgPool 2/2: 2x2; Flatten: 32*2*2 =
 * 128 features.
 */
START_TEST(import_torch_print_should_follow_same_padding_pooling_and_squeeze_excitation)
{
    const char *text =
        "Net(\n"
        "  (features): Sequential(\n"
        "    (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=same)\n"
        "    (1): MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=True)\n"
        "    (2): SqueezeExcitation(\n"
        "      (avgpool): AdaptiveAvgPool2d(output_size=1)\n"
        "      (fc1): Conv2d(16, 4, kernel_size=(1, 1), stride=(1, 1))\n"
        "      (fc2): Conv2d(4, 16, kernel_size=(1, 1), stride=(1, 1))\n"
        "      (activation): ReLU()\n"
        "      (scale_activation): Sigmoid()\n"
        "    )\n"
        "    (3): Conv2d(16, 32, kernel_size=(2, 2), stride=(1, 1), padding=same, bias=False)\n"
        "    (4): AvgPool2d(kernel_size=2, stride=2, padding=0)\n"
        "  )\n"
        "  (flatten): Flatten(start_dim=1, end_dim=-1)\n"
        "  (classifier): Linear(in_features=128, out_features=10, bias=True)\n"
        ")\n";
    const char *want_json =
        "{ \"name\": \"t\", \"layers\": [\n"
        "{ \"name\": \"features.0\", \"type\": \"conv\", \"C\": 3, \"K\": 16, \"H\": 9, "
        "\"W\": 9, \"R\": 3, \"S\": 3, \"pad\": 1 },\n"
        "{ \"name\": \"features.2.fc1\", \"type\": \"conv\", \"C\": 16, \"K\": 4, \"H\": 1, "
        "\"W\": 1, \"R\": 1, \"S\": 1 },\n"
        "{ \"name\": \"features.2.fc2\", \"type\": \"conv\", \"C\": 4, \"K\": 16, \"H\": 1, "
        "\"W\": 1, \"R\": 1, \"S\": 1 },\n"
        "{ \"name\": \"features.3\", \"type\": \"conv\", \"C\": 16, \"K\": 32, \"P\": 4, "
        "\"Q\": 4, \"R\": 2, \"S\": 2 },\n"
        "{ \"name\": \"classifier\", \"type\": \"fc\", \"C\": 128, \"K\": 10 } ] }";
    struct import_opts o = { .in_c = 3, .in_h = 9, .in_w = 9 };
    struct import_net net;
    struct err e;
    char *json;
    struct workload *got, *want;
    import_net_init(&net);
    ck_assert_msg(import_torch_parse("t.txt", text, strlen(text), &o, &net, &e) == 0, "%s",
                  e.msg);
    ck_assert_int_eq(import_net_to_json(&net, &json, &e), 0);
    ck_assert_int_eq(workload_parse("got", json, strlen(json), &got, &e), 0);
    ck_assert_msg(workload_parse("want", want_json, strlen(want_json), &want, &e) == 0, "%s",
                  e.msg);
    assert_same_workload(got, want, true);
    workload_free(got);
    workload_free(want);
    free(json);
    import_net_release(&net);
}
END_TEST

/* A module the importer does not know is reported by line; it loses the
 * shape, but a Linear after it states its own. */
START_TEST(import_torch_print_should_note_an_unknown_module_by_line)
{
    const char *text = "Net(\n  (conv): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n"
                       "  (lstm): LSTM(8, 16)\n"
                       "  (fc): Linear(in_features=16, out_features=2, bias=True)\n)\n";
    struct import_opts o = { .in_c = 3, .in_h = 8, .in_w = 8 };
    struct import_net net;
    struct err e;
    char *notes;
    import_net_init(&net);
    ck_assert_int_eq(import_torch_parse("t.txt", text, strlen(text), &o, &net, &e), 0);
    ck_assert_int_eq(net.nlayers, 2);
    ck_assert_int_eq(import_net_notes(&net, &notes, &e), 0);
    ck_assert_str_eq(notes, "line 3: LSTM: not a module the importer knows; its MACs, if "
                            "any, are not counted\n");
    free(notes);
    import_net_release(&net);
}
END_TEST

/* ---- names and JSON ----------------------------------------------------- */

START_TEST(import_net_should_make_names_safe_and_unique)
{
    struct import_net net;
    struct import_layer l = import_layer_conv();
    struct err e;
    l.C = l.K = l.H = l.W = 1;
    import_net_init(&net);
    const char *raws[] = { "/features/features.0/Conv", "conv 1", "conv 1", "conv_1", "",
                           "__.x.__" };
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++)
        ck_assert_int_eq(import_net_add(&net, raws[i], "Conv_7", &l, &e), 0);
    ck_assert_str_eq(net.names[0], "features_features.0_Conv");
    ck_assert_str_eq(net.names[1], "conv_1");
    ck_assert_str_eq(net.names[2], "conv_1_2");
    ck_assert_str_eq(net.names[3], "conv_1_3");
    ck_assert_str_eq(net.names[4], "Conv_7");
    ck_assert_str_eq(net.names[5], "x");
    /* 70 characters are cut to 63; the second one keeps 61 and "_2". */
    char longname[71];
    memset(longname, 'a', 70);
    longname[70] = '\0';
    ck_assert_int_eq(import_net_add(&net, longname, "", &l, &e), 0);
    ck_assert_int_eq(import_net_add(&net, longname, "", &l, &e), 0);
    ck_assert_uint_eq(strlen(net.names[6]), 63);
    ck_assert_uint_eq(strlen(net.names[7]), 63);
    ck_assert_str_eq(net.names[7] + 61, "_2");
    import_net_release(&net);
}
END_TEST

START_TEST(import_net_should_reject_a_size_above_2_to_the_31)
{
    struct import_net net;
    struct import_layer l = import_layer_conv();
    struct err e;
    l.C = 1;
    l.K = 2147483648u;
    import_net_init(&net);
    ck_assert_int_eq(import_net_add(&net, "x", "", &l, &e), ERR_TOO_LARGE);
    ck_assert_str_eq(e.msg, "K = 2147483648 is too large (at most 2147483647)");
    import_net_release(&net);
}
END_TEST

/* ---- the command -------------------------------------------------------- */

static int run(const char *args)
{
    const char *t = getenv("TRAINMAP");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", t && t[0] ? t : "build/trainmap",
             args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(import_command_should_write_a_workload_that_loads)
{
    char path[] = "/tmp/trainmap-import-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char args[256];
    snprintf(args, sizeof args, "import onnx " DATA "resnet_block.onnx -o %s", path);
    ck_assert_int_eq(run(args), 0);
    struct workload *got = load_ok(path), *want = load_ok(DATA "resnet_block.expected.json");
    assert_same_workload(got, want, true);
    workload_free(got);
    workload_free(want);
    unlink(path);
}
END_TEST

START_TEST(import_command_should_leave_no_file_on_error)
{
    char args[256];
    const char *out = "/tmp/trainmap-import-never.json";
    unlink(out);
    snprintf(args, sizeof args, "import onnx " DATA "bad_truncated.onnx -o %s", out);
    ck_assert_int_eq(run(args), 2);
    ck_assert_int_ne(access(out, F_OK), 0);
}
END_TEST

Suite *import_suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("onnx");
    tcase_add_test(tc, import_onnx_resnet_block_should_equal_its_hand_written_workload);
    tcase_add_test(tc, import_onnx_mobilenet_block_should_state_asymmetric_pads_by_p_and_q);
    tcase_add_test(tc, import_onnx_mlp_should_take_gemm_and_matmul_with_weights_as_fc_layers);
    tcase_add_test(tc, import_onnx_token_mlp_should_count_every_token_in_n);
    tcase_add_test(tc, import_onnx_batch_option_should_scale_the_token_rows);
    tcase_add_test(tc, import_onnx_batch_option_should_set_the_workload_batch);
    tcase_add_test(tc, import_onnx_should_list_the_skipped_operators_in_the_comment);
    tcase_add_test(tc, import_onnx_should_note_a_matmul_without_constant_weights);
    tcase_add_test(tc, import_onnx_should_note_an_operator_with_macs_it_does_not_import);
    tcase_add_loop_test(tc, import_onnx_should_reject_a_malformed_model_saying_where, 0,
                        (int)(sizeof onnx_errors / sizeof onnx_errors[0]));
    tcase_add_test(tc, import_onnx_should_reject_an_empty_or_missing_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("torch");
    tcase_add_test(tc, import_torch_print_of_resnet18_should_equal_its_hand_written_workload);
    tcase_add_test(tc, import_torch_print_of_resnet18_should_equal_the_shipped_resnet18);
    tcase_add_test(tc, import_torch_torchinfo_of_alexnet_should_equal_its_hand_written_workload);
    tcase_add_test(tc,
                   import_torch_torchinfo_of_resnet18_should_equal_its_hand_written_workload);
    tcase_add_test(tc, import_torch_torchinfo_should_read_var_names_and_the_groups_column);
    tcase_add_test(tc, import_torch_torchinfo_should_find_the_groups_from_the_parameter_count);
    tcase_add_test(tc, import_torch_should_report_the_rows_it_cannot_use_by_line);
    tcase_add_loop_test(tc, import_torch_should_reject_a_malformed_summary_saying_where, 0,
                        (int)(sizeof torch_errors / sizeof torch_errors[0]));
    tcase_add_test(tc, import_torch_print_should_note_an_unknown_module_by_line);
    tcase_add_test(tc,
                   import_torch_print_should_follow_same_padding_pooling_and_squeeze_excitation);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, import_net_should_make_names_safe_and_unique);
    tcase_add_test(tc, import_net_should_reject_a_size_above_2_to_the_31);
    suite_add_tcase(s, tc);

    tc = tcase_create("command");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, import_command_should_write_a_workload_that_loads);
    tcase_add_test(tc, import_command_should_leave_no_file_on_error);
    suite_add_tcase(s, tc);
    return s;
}
