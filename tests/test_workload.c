/*
 * Tests of workloads/: loading workload JSON (every rejection with its exact
 * message), the derivation of the training kernels as problems (bounds,
 * projections, tensor sizes, streams), the shipped networks against their
 * published MAC and parameter counts, and the `kernels` subcommand.
 *
 * Every expected number is worked out in the comment beside it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "../workloads/workload.h"

#define DATA "tests/data/workload/"
#define BAD DATA "bad/"

static struct workload *parse_ok(const char *text)
{
    struct workload *w = NULL;
    struct err e;
    err_clear(&e);
    int rc = workload_parse("t.json", text, strlen(text), &w, &e);
    ck_assert_msg(rc == 0, "unexpected error: %s", e.msg);
    return w;
}

static struct workload *load_ok(const char *path)
{
    struct workload *w = NULL;
    struct err e;
    err_clear(&e);
    int rc = workload_load(path, &w, &e);
    ck_assert_msg(rc == 0, "unexpected error: %s", e.msg);
    return w;
}

static struct problem derive_ok(const struct workload *w, int i, enum kernel k,
                                enum lowering lw)
{
    struct problem p;
    struct err e;
    err_clear(&e);
    int rc = workload_derive(w, i, k, lw, &p, &e);
    ck_assert_msg(rc == 0, "unexpected error: %s", e.msg);
    return p;
}

static uint64_t words(const struct problem *p, enum slot s)
{
    uint64_t n = 0;
    ck_assert(problem_tensor_words(p, s, &n));
    return n;
}

/* A tensor as text: "I[N,C+4G,2P+2R,3Q+S]", terms in dim order. */
static const char *fmt_tensor(const struct tensor_spec *t, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "%s[", t->name);
    for (int i = 0; i < t->rank; i++) {
        bool first = true;
        for (int d = 0; d < DIM_COUNT; d++) {
            int32_t c = t->index[i].coef[d];
            if (c == 0)
                continue;
            n += (size_t)snprintf(out + n, cap - n, "%s", first ? "" : "+");
            if (c != 1)
                n += (size_t)snprintf(out + n, cap - n, "%d", c);
            n += (size_t)snprintf(out + n, cap - n, "%c", dim_letter((enum dim)d));
            first = false;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s", i + 1 < t->rank ? "," : "");
    }
    snprintf(out + n, cap - n, "]");
    return out;
}

static void check_tensors(const struct problem *p, const char *w, const char *i,
                          const char *o)
{
    char buf[160];
    ck_assert_str_eq(fmt_tensor(&p->tensor[SLOT_WEIGHTS], buf, sizeof buf), w);
    ck_assert_str_eq(fmt_tensor(&p->tensor[SLOT_INPUTS], buf, sizeof buf), i);
    ck_assert_str_eq(fmt_tensor(&p->tensor[SLOT_OUTPUTS], buf, sizeof buf), o);
}

static void check_bounds(const struct problem *p, const uint64_t want[DIM_COUNT])
{
    for (int d = 0; d < DIM_COUNT; d++)
        ck_assert_msg(p->bound[d] == want[d], "%s bound %c: %llu, expected %llu",
                      kernel_name(p->kernel), dim_letter((enum dim)d),
                      (unsigned long long)p->bound[d], (unsigned long long)want[d]);
}

static void check_stream(const struct stream_tensor *t, const char *name, enum slot slot,
                         uint64_t n, bool read, bool written)
{
    ck_assert_str_eq(t->name, name);
    ck_assert_int_eq(t->slot, slot);
    ck_assert_uint_eq(t->words, n);
    ck_assert_int_eq(t->read, read);
    ck_assert_int_eq(t->written, written);
}

/*
 * The layer the projection tests use: N 3, C 8, K 6, groups 2 (Kg 3, Cg 4),
 * P 4, Q 5, R 3, S 2, stride 2 x 3, dilation 2 x 1.  Its input box is
 * H = (4-1)*2 + (3-1)*2 + 1 = 11 and W = (5-1)*3 + (2-1)*1 + 1 = 14.
 */
static const char *const grouped_layer =
    "{ \"name\": \"g\", \"batch\": 3, \"optimizer\": \"adam\", \"layers\": ["
    " { \"name\": \"first\", \"type\": \"fc\", \"C\": 2, \"K\": 8 },"
    " { \"name\": \"conv\", \"type\": \"conv\", \"C\": 8, \"K\": 6, \"groups\": 2,"
    "   \"P\": 4, \"Q\": 5, \"R\": 3, \"S\": 2, \"stride_h\": 2, \"stride_w\": 3,"
    "   \"dilation_h\": 2, \"dilation_w\": 1 } ] }";

START_TEST(derive_should_project_the_three_conv_kernels_over_one_iteration_space)
{
    struct workload *w = parse_ok(grouped_layer);
    ck_assert_uint_eq(w->layers[1].H, 11);
    ck_assert_uint_eq(w->layers[1].W, 14);
    /* N, K/groups, C/groups, P, Q, R, S, groups */
    static const uint64_t bounds[DIM_COUNT] = { 3, 3, 4, 4, 5, 3, 2, 2 };
    struct problem f = derive_ok(w, 1, KERNEL_FWD, LOWER_NONE);
    struct problem d = derive_ok(w, 1, KERNEL_BWD_DATA, LOWER_NONE);
    struct problem g = derive_ok(w, 1, KERNEL_BWD_WEIGHT, LOWER_NONE);
    check_bounds(&f, bounds);
    check_bounds(&d, bounds);
    check_bounds(&g, bounds);
    /* The G coefficient of an output channel is Kg = 3, of an input channel
     * Cg = 4; rows are stride*p + dilation*r. */
    check_tensors(&f, "W[K+3G,C,R,S]", "I[N,C+4G,2P+2R,3Q+S]", "O[N,K+3G,P,Q]");
    check_tensors(&d, "W[K+3G,C,R,S]", "dO[N,K+3G,P,Q]", "dI[N,C+4G,2P+2R,3Q+S]");
    check_tensors(&g, "dO[N,K+3G,P,Q]", "I[N,C+4G,2P+2R,3Q+S]", "dW[K+3G,C,R,S]");
    /* shape_order: the slots of the weight-, input- and output-shaped
     * tensor, as the tables above place them. */
    ck_assert_int_eq(f.shape_order[0] * 100 + f.shape_order[1] * 10 + f.shape_order[2],
                     SLOT_WEIGHTS * 100 + SLOT_INPUTS * 10 + SLOT_OUTPUTS);
    ck_assert_int_eq(d.shape_order[0] * 100 + d.shape_order[1] * 10 + d.shape_order[2],
                     SLOT_WEIGHTS * 100 + SLOT_OUTPUTS * 10 + SLOT_INPUTS);
    ck_assert_int_eq(g.shape_order[0] * 100 + g.shape_order[1] * 10 + g.shape_order[2],
                     SLOT_OUTPUTS * 100 + SLOT_INPUTS * 10 + SLOT_WEIGHTS);
    /* MACs: 3*3*4*4*5*3*2*2 = 8640 for all three. */
    ck_assert_uint_eq(f.macs, 8640);
    ck_assert_uint_eq(d.macs, 8640);
    ck_assert_uint_eq(g.macs, 8640);
    ck_assert(!f.is_stream && !d.is_stream && !g.is_stream);
    ck_assert_str_eq(f.layer, "conv");
    ck_assert_int_eq(g.kernel, KERNEL_BWD_WEIGHT);
    /* Words: W = K*Cg*R*S = 6*4*3*2 = 144 (index extents (2+3*1+1)*4*3*2);
     * I = N*C*H*W = 3*8*11*14 = 3696; O = N*K*P*Q = 3*6*4*5 = 360. */
    ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 144);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), 3696);
    ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 360);
    ck_assert_uint_eq(words(&d, SLOT_INPUTS), 360);
    ck_assert_uint_eq(words(&d, SLOT_OUTPUTS), 3696);
    ck_assert_uint_eq(words(&g, SLOT_WEIGHTS), 360);
    ck_assert_uint_eq(words(&g, SLOT_OUTPUTS), 144);
    workload_free(w);
}
END_TEST

START_TEST(derive_should_lower_conv_kernels_to_gemms_with_the_same_macs)
{
    struct workload *w = parse_ok(grouped_layer);
    /* N' = N*P*Q = 3*4*5 = 60, K' = Kg = 3, C' = Cg*R*S = 4*3*2 = 24, G 2. */
    static const uint64_t bounds[DIM_COUNT] = { 60, 3, 24, 1, 1, 1, 1, 2 };
    struct problem f = derive_ok(w, 1, KERNEL_FWD, LOWER_IM2COL);
    struct problem d = derive_ok(w, 1, KERNEL_BWD_DATA, LOWER_IM2COL);
    struct problem g = derive_ok(w, 1, KERNEL_BWD_WEIGHT, LOWER_IM2COL);
    check_bounds(&f, bounds);
    check_bounds(&d, bounds);
    check_bounds(&g, bounds);
    check_tensors(&f, "W[K+3G,C]", "I_col[C+24G,N]", "O[K+3G,N]");
    check_tensors(&d, "W[K+3G,C]", "dO[K+3G,N]", "dI_col[C+24G,N]");
    check_tensors(&g, "dO[K+3G,N]", "I_col[C+24G,N]", "dW[K+3G,C]");
    /* 60*3*24*2 = 8640, as direct. */
    ck_assert_uint_eq(f.macs, 8640);
    ck_assert_uint_eq(d.macs, 8640);
    ck_assert_uint_eq(g.macs, 8640);
    /* W = 6*24 = 144; I_col = C*R*S x N*P*Q = 48*60 = 2880; O = 6*60 = 360. */
    ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 144);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), 2880);
    ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 360);

    /* im2col reads the input box N*C*H*W = 3*8*11*14 = 3696 and writes
     * I_col, 2880 words, one operation per I_col word; col2im the reverse
     * in the outputs slot. */
    struct problem i2c = derive_ok(w, 1, KERNEL_IM2COL, LOWER_IM2COL);
    ck_assert(i2c.is_stream);
    ck_assert_int_eq(i2c.stream.ntensors, 2);
    check_stream(&i2c.stream.tensor[0], "I", SLOT_INPUTS, 3696, true, false);
    check_stream(&i2c.stream.tensor[1], "I_col", SLOT_INPUTS, 2880, false, true);
    ck_assert_uint_eq(i2c.stream.ops, 2880);
    ck_assert_uint_eq(i2c.macs, 2880);
    struct problem c2i = derive_ok(w, 1, KERNEL_COL2IM, LOWER_IM2COL);
    check_stream(&c2i.stream.tensor[0], "dI_col", SLOT_OUTPUTS, 2880, true, false);
    check_stream(&c2i.stream.tensor[1], "dI", SLOT_OUTPUTS, 3696, false, true);
    ck_assert_uint_eq(c2i.macs, 2880);
    workload_free(w);
}
END_TEST

START_TEST(derive_should_leave_g_out_of_the_projections_when_groups_is_1)
{
    struct workload *w = parse_ok(
        "{ \"name\": \"t\", \"batch\": 2, \"layers\": [ { \"name\": \"c\", \"type\": \"conv\","
        " \"C\": 64, \"K\": 64, \"P\": 14, \"Q\": 14, \"R\": 3, \"S\": 3 } ] }");
    struct problem f = derive_ok(w, 0, KERNEL_FWD, LOWER_NONE);
    check_tensors(&f, "W[K,C,R,S]", "I[N,C,P+R,Q+S]", "O[N,K,P,Q]");
    /* The validation case conv3x3_fwd: W = 64*64*3*3 = 36864;
     * I = 2*64*(13+2+1)^2 = 2*64*256 = 32768; O = 2*64*14*14 = 25088;
     * MACs = 2*64*64*14*14*3*3 = 14450688. */
    ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 36864);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), 32768);
    ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 25088);
    ck_assert_uint_eq(f.macs, 14450688);
    struct problem l = derive_ok(w, 0, KERNEL_FWD, LOWER_IM2COL);
    check_tensors(&l, "W[K,C]", "I_col[C,N]", "O[K,N]");
    workload_free(w);
}
END_TEST

START_TEST(derive_should_model_depthwise_convs_as_groups_of_one_channel)
{
    /* MobileNetV2's features.2.conv.1.0: 96 channels, groups 96, 3x3 stride
     * 2 pad 1 on 112x112: P = floor((112+2-3)/2)+1 = 56. */
    struct workload *w = parse_ok(
        "{ \"name\": \"t\", \"batch\": 1, \"layers\": [ { \"name\": \"dw\", \"type\": \"conv\","
        " \"C\": 96, \"K\": 96, \"groups\": 96, \"H\": 112, \"W\": 112, \"R\": 3, \"S\": 3,"
        " \"stride\": 2, \"pad\": 1 } ] }");
    static const uint64_t bounds[DIM_COUNT] = { 1, 1, 1, 56, 56, 3, 3, 96 };
    struct problem f = derive_ok(w, 0, KERNEL_FWD, LOWER_NONE);
    check_bounds(&f, bounds);
    check_tensors(&f, "W[K+G,C,R,S]", "I[N,C+G,2P+R,2Q+S]", "O[N,K+G,P,Q]");
    /* MACs = 96*56*56*9 = 2709504; W = 96*1*9 = 864;
     * I = 96*(55*2+3)^2 = 96*113^2 = 1225824; O = 96*56*56 = 301056. */
    ck_assert_uint_eq(f.macs, 2709504);
    ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 864);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), 1225824);
    ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 301056);
    /* Lowered: C' = 1*3*3 = 9 per group, so I_col[C+9G,N]. */
    struct problem l = derive_ok(w, 0, KERNEL_FWD, LOWER_IM2COL);
    check_tensors(&l, "W[K+G,C]", "I_col[C+9G,N]", "O[K+G,N]");
    ck_assert_uint_eq(l.macs, 2709504);
    workload_free(w);
}
END_TEST

START_TEST(derive_should_treat_fc_as_a_conv_with_unit_extents_never_lowered)
{
    /* fc 64 -> 32 at batch 4: MACs 4*32*64 = 8192; W 2048, I 256, O 128. */
    struct workload *w = parse_ok(
        "{ \"name\": \"t\", \"batch\": 4, \"layers\": ["
        " { \"name\": \"a\", \"type\": \"fc\", \"C\": 16, \"K\": 64 },"
        " { \"name\": \"fc\", \"type\": \"fc\", \"C\": 64, \"K\": 32 } ] }");
    const struct layer *l = &w->layers[1];
    ck_assert_uint_eq(l->P * l->Q * l->R * l->S * l->H * l->W, 1);
    static const uint64_t bounds[DIM_COUNT] = { 4, 32, 64, 1, 1, 1, 1, 1 };
    for (int lw = LOWER_NONE; lw <= LOWER_IM2COL; lw++) {
        struct problem f = derive_ok(w, 1, KERNEL_FWD, (enum lowering)lw);
        check_bounds(&f, bounds);
        check_tensors(&f, "W[K,C,R,S]", "I[N,C,P+R,Q+S]", "O[N,K,P,Q]");
        ck_assert_uint_eq(f.macs, 8192);
        ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 2048);
        ck_assert_uint_eq(words(&f, SLOT_INPUTS), 256);
        ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 128);
    }
    struct problem p;
    struct err e;
    ck_assert_int_eq(workload_derive(w, 1, KERNEL_IM2COL, LOWER_IM2COL, &p, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "layer fc: no im2col kernel (im2col and col2im exist only for "
                            "conv layers under im2col lowering)");
    workload_free(w);
}
END_TEST

START_TEST(derive_should_stream_the_weights_through_the_optimizer_update)
{
    /* The grouped conv has K*C/groups*R*S = 6*4*3*2 = 144 weights.  SGD
     * reads W and dW and writes W: 1 op per weight; momentum adds M (2 ops);
     * Adam adds M and V (4 ops). */
    static const struct {
        const char *opt;
        int ntensors;
        uint64_t ops;
    } cases[] = { { "sgd", 2, 144 }, { "momentum", 3, 288 }, { "adam", 4, 576 } };
    static const char *const names[] = { "W", "dW", "M", "V" };
    static const bool written[] = { true, false, true, true };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{ \"name\": \"u\", \"optimizer\": \"%s\", \"layers\": [ { \"name\": \"g\","
                 " \"type\": \"conv\", \"C\": 8, \"K\": 6, \"groups\": 2, \"P\": 4, \"Q\": 5,"
                 " \"R\": 3, \"S\": 2 } ] }",
                 cases[c].opt);
        struct workload *w = parse_ok(text);
        struct problem u = derive_ok(w, 0, KERNEL_UPDATE, LOWER_NONE);
        ck_assert(u.is_stream);
        ck_assert_int_eq(u.stream.ntensors, cases[c].ntensors);
        for (int t = 0; t < u.stream.ntensors; t++)
            check_stream(&u.stream.tensor[t], names[t], SLOT_WEIGHTS, 144, true, written[t]);
        ck_assert_uint_eq(u.stream.ops, cases[c].ops);
        ck_assert_uint_eq(u.macs, cases[c].ops);
        for (int d = 0; d < DIM_COUNT; d++)
            ck_assert_uint_eq(u.bound[d], 1);
        workload_free(w);
    }
}
END_TEST

START_TEST(step_kernels_should_skip_bwd_data_of_the_first_layer_and_add_lowering_streams)
{
    struct workload *w = parse_ok(grouped_layer);
    enum kernel k[KERNEL_COUNT];
    /* Layer 0 (fc): no bwd_data; fc is never lowered. */
    ck_assert_int_eq(workload_step_kernels(w, 0, LOWER_IM2COL, k), 3);
    ck_assert_int_eq(k[0], KERNEL_FWD);
    ck_assert_int_eq(k[1], KERNEL_BWD_WEIGHT);
    ck_assert_int_eq(k[2], KERNEL_UPDATE);
    ck_assert_int_eq(workload_step_kernels(w, 1, LOWER_NONE, k), 4);
    ck_assert_int_eq(k[0], KERNEL_FWD);
    ck_assert_int_eq(k[1], KERNEL_BWD_DATA);
    ck_assert_int_eq(k[2], KERNEL_BWD_WEIGHT);
    ck_assert_int_eq(k[3], KERNEL_UPDATE);
    ck_assert_int_eq(workload_step_kernels(w, 1, LOWER_IM2COL, k), 6);
    ck_assert_int_eq(k[0], KERNEL_FWD);
    ck_assert_int_eq(k[1], KERNEL_IM2COL);
    ck_assert_int_eq(k[2], KERNEL_BWD_DATA);
    ck_assert_int_eq(k[3], KERNEL_COL2IM);
    ck_assert_int_eq(k[4], KERNEL_BWD_WEIGHT);
    ck_assert_int_eq(k[5], KERNEL_UPDATE);
    /* bwd_data of the first layer can still be derived, for eval. */
    struct problem p = derive_ok(w, 0, KERNEL_BWD_DATA, LOWER_NONE);
    ck_assert_uint_eq(p.macs, 3 * 8 * 2);
    workload_free(w);
}
END_TEST

START_TEST(step_kernels_should_follow_a_layers_own_lowering)
{
    struct workload *w = parse_ok(
        "{ \"name\": \"t\", \"layers\": ["
        " { \"name\": \"a\", \"type\": \"conv\", \"C\": 1, \"K\": 1, \"P\": 2, \"Q\": 2 },"
        " { \"name\": \"b\", \"type\": \"conv\", \"C\": 1, \"K\": 1, \"P\": 2, \"Q\": 2,"
        "   \"lowering\": \"im2col\" } ] }");
    enum kernel k[KERNEL_COUNT];
    ck_assert_int_eq(workload_step_kernels(w, 0, LOWER_NONE, k), 3);
    ck_assert_int_eq(workload_step_kernels(w, 1, LOWER_NONE, k), 6);
    struct problem p = derive_ok(w, 1, KERNEL_FWD, LOWER_NONE);
    ck_assert_str_eq(p.tensor[SLOT_INPUTS].name, "I_col");
    struct problem q;
    struct err e;
    ck_assert_int_eq(workload_derive(w, 0, KERNEL_COL2IM, LOWER_NONE, &q, &e), ERR_USAGE);
    ck_assert_int_eq(workload_derive(w, 2, KERNEL_FWD, LOWER_NONE, &q, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "t: no layer 2 (it has 2)");
    ck_assert_int_eq(workload_find_layer(w, "b"), 1);
    ck_assert_int_eq(workload_find_layer(w, "c"), -1);
    workload_free(w);
}
END_TEST

/* P from H per axis, and the box the kernels see. */
struct extent_case {
    uint64_t in, pad, filter, stride, dilation;
    uint64_t out, box; /* worked out in the comments of extent_cases */
};

static const struct extent_case extent_cases[] = {
    /* odd size, stride 2: P = floor((7-3)/2)+1 = 3; box (3-1)*2+3 = 7 */
    { 7, 0, 3, 2, 1, 3, 7 },
    /* stride 2 with padding: P = floor((8+2-3)/2)+1 = 4; box 3*2+3 = 9,
     * one of the 10 padded rows is never read */
    { 8, 1, 3, 2, 1, 4, 9 },
    /* dilation 2: span 2*2+1 = 5; P = 10-5+1 = 6; box 5*1+4+1 = 10 */
    { 10, 0, 3, 1, 2, 6, 10 },
    /* dilation 2, stride 2, pad 2: P = floor((11+4-5)/2)+1 = 6;
     * box 5*2+4+1 = 15 = 11+2*2 */
    { 11, 2, 3, 2, 2, 6, 15 },
    /* AlexNet conv1: P = floor((224+4-11)/4)+1 = 55; box 54*4+11 = 227 */
    { 224, 2, 11, 4, 1, 55, 227 },
    /* 1x1 stride 2 (ResNet downsample): P = floor(55/2)+1 = 28; box 55 */
    { 56, 0, 1, 2, 1, 28, 55 },
    /* the filter just fits: P = 1; box 3 */
    { 3, 0, 3, 1, 1, 1, 3 },
    /* padding larger than the filter: P = 5+6-1+1 = 11; box 11 */
    { 5, 3, 1, 1, 1, 11, 11 },
    /* a single pixel padded to 3: P = 1; box 3 */
    { 1, 1, 3, 1, 1, 1, 3 },
};
#define N_EXTENT (int)(sizeof extent_cases / sizeof extent_cases[0])

START_TEST(load_should_derive_p_and_q_from_h_w_pad_stride_and_dilation)
{
    /* Rows from case _i, columns from the next case, through the _h/_w
     * keys, so that the two axes are shown to be independent. */
    const struct extent_case *h = &extent_cases[_i], *v = &extent_cases[(_i + 1) % N_EXTENT];
    char text[1024];
    snprintf(text, sizeof text,
             "{ \"name\": \"t\", \"layers\": [ { \"name\": \"c\", \"type\": \"conv\","
             " \"C\": 1, \"K\": 1, \"H\": %llu, \"W\": %llu, \"pad_h\": %llu, \"pad_w\": %llu,"
             " \"R\": %llu, \"S\": %llu, \"stride_h\": %llu, \"stride_w\": %llu,"
             " \"dilation_h\": %llu, \"dilation_w\": %llu } ] }",
             (unsigned long long)h->in, (unsigned long long)v->in,
             (unsigned long long)h->pad, (unsigned long long)v->pad,
             (unsigned long long)h->filter, (unsigned long long)v->filter,
             (unsigned long long)h->stride, (unsigned long long)v->stride,
             (unsigned long long)h->dilation, (unsigned long long)v->dilation);
    struct workload *w = parse_ok(text);
    const struct layer *l = &w->layers[0];
    ck_assert_uint_eq(l->P, h->out);
    ck_assert_uint_eq(l->Q, v->out);
    ck_assert_uint_eq(l->H, h->box);
    ck_assert_uint_eq(l->W, v->box);
    ck_assert_uint_eq(l->pad_h, h->pad);
    ck_assert_uint_eq(l->pad_w, v->pad);
    /* The kernels see the same box: I = 1*1*H*W. */
    struct problem f = derive_ok(w, 0, KERNEL_FWD, LOWER_NONE);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), h->box * v->box);
    workload_free(w);
}
END_TEST

START_TEST(load_should_apply_defaults_and_per_layer_batch)
{
    struct workload *w = parse_ok(
        "{ \"name\": \"d\", \"comment\": \"hello\", \"layers\": ["
        " { \"name\": \"a\", \"type\": \"conv\", \"C\": 2, \"K\": 2, \"P\": 3, \"Q\": 3 },"
        " { \"name\": \"b\", \"type\": \"fc\", \"N\": 7, \"C\": 18, \"K\": 4 } ] }");
    ck_assert_str_eq(w->name, "d");
    ck_assert_str_eq(w->comment, "hello");
    ck_assert_uint_eq(w->batch, 1);
    ck_assert_int_eq(w->optimizer, OPT_SGD);
    ck_assert_str_eq(optimizer_name(w->optimizer), "sgd");
    ck_assert_int_eq(w->nlayers, 2);
    const struct layer *a = &w->layers[0], *b = &w->layers[1];
    ck_assert_int_eq(a->type, LAYER_CONV);
    ck_assert_uint_eq(a->N, 1);
    ck_assert_uint_eq(a->R * a->S * a->groups * a->stride_h * a->stride_w, 1);
    ck_assert_uint_eq(a->dilation_h * a->dilation_w, 1);
    ck_assert_uint_eq(a->pad_h + a->pad_w, 0);
    ck_assert_uint_eq(a->H, 3);
    ck_assert_int_eq(a->lowering, LOWER_NONE);
    ck_assert_int_eq(b->type, LAYER_FC);
    ck_assert_uint_eq(b->N, 7);
    workload_free(w);
    workload_free(NULL);
}
END_TEST

/* The error code named on the first line of a .err file. */
static int code_from_name(const char *name)
{
#define ERR_NAME(n, value, text) if (strcmp(name, #n) == 0) return value;
    ERR_TABLE(ERR_NAME)
#undef ERR_NAME
    ck_abort_msg("unknown error code %s", name);
    return 0;
}

/* Every tests/data/workload/bad/NAME.json is rejected with the code and the
 * exact message of NAME.err (see the README there). */
START_TEST(load_should_reject_malformed_workloads_with_exact_messages)
{
    DIR *dir = opendir(BAD);
    ck_assert_ptr_nonnull(dir);
    int n = 0;
    for (struct dirent *de; (de = readdir(dir)) != NULL;) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        char path[512], errpath[512], code[32] = "", want[ERR_MSG_MAX] = "";
        snprintf(path, sizeof path, BAD "%s", de->d_name);
        snprintf(errpath, sizeof errpath, BAD "%.*s.err", (int)(len - 5), de->d_name);
        FILE *f = fopen(errpath, "r");
        ck_assert_msg(f != NULL, "%s has no .err file", path);
        ck_assert(fgets(code, sizeof code, f) && fgets(want, sizeof want, f));
        fclose(f);
        code[strcspn(code, "\n")] = '\0';
        want[strcspn(want, "\n")] = '\0';
        struct workload *w = (struct workload *)1;
        struct err e;
        err_clear(&e);
        ck_assert_int_eq(workload_load(path, &w, &e), code_from_name(code));
        ck_assert_ptr_null(w);
        ck_assert_str_eq(e.msg, want);
        n++;
    }
    closedir(dir);
    ck_assert_int_ge(n, 27);
}
END_TEST

START_TEST(load_should_report_a_missing_file)
{
    struct workload *w = NULL;
    struct err e;
    ck_assert_int_eq(workload_load(DATA "no_such.json", &w, &e), ERR_IO);
    ck_assert_str_eq(e.msg, DATA "no_such.json: cannot open: No such file or directory");
}
END_TEST

/*
 * The shipped networks.  fwd_macs_batch1 was computed once from the
 * architectures' definitions (not from these files) with
 * MACs = sum over layers of P*Q*K*(C/groups)*R*S, fc layers C*K:
 *   AlexNet: 55^2*64*3*121 + 27^2*192*64*25 + 13^2*384*192*9
 *            + 13^2*256*384*9 + 13^2*256*256*9 + 9216*4096 + 4096^2 + 4096*1000
 *          = 714188480 (torchvision's AlexNet_Weights metadata: 0.714 GFLOPS);
 *   VGG-16:  3x3 pad-1 convs 64,64 @224; 128,128 @112; 256 x3 @56; 512 x3
 *            @28; 512 x3 @14; fc 25088*4096 + 4096^2 + 4096*1000
 *          = 15470264320 (15.47);
 *   ResNet-18: conv1 112^2*64*3*49, 2 blocks per stage of two 3x3 convs,
 *            1x1 stride-2 projections, fc 512*1000 = 1814073344 (1.814);
 *   ResNet-50 v1.5: bottlenecks 3,4,6,3 with the stride on the 3x3 conv
 *            and 1x1 projections, fc 2048*1000 = 4089184256 (4.089);
 *   MobileNetV2: the paper's table 2 with expansion 6, depthwise 3x3,
 *            last conv 320->1280, fc 1280*1000 = 300774272 (0.301);
 *   BERT-base: per token 12*(4*768^2 + 2*768*3072) = 84934656, times 128
 *            tokens = 10871635968.
 * weights (the update kernels' W words) are the published parameter counts
 * less the parameters that are not conv or fc weights:
 *   AlexNet 61100840 - 10344 biases = 61090496;
 *   VGG-16 138357544 - 13416 biases = 138344128;
 *   ResNet-18 11689512 - 2*4800 batch-norm - 1000 fc bias = 11678912;
 *   ResNet-50 25557032 - 2*26560 batch-norm - 1000 = 25502912;
 *   MobileNetV2 3504872 - 2*17056 batch-norm - 1000 = 3469760
 *   (torchvision's weights metadata, num_params);
 *   BERT-base 109482240 (bert-base-uncased) - 23837184 embeddings
 *   - 590592 pooler - 119808 encoder biases and layer norms = 84934656.
 */
struct net_case {
    const char *file;
    int nlayers;
    uint64_t batch1_N; /* N of one sample: 1 image, or 128 tokens */
    uint64_t fwd_macs_batch1;
    double published, rounding; /* published total and its last digit */
    uint64_t weights;
};

static const struct net_case net_cases[] = {
    /* 5 conv + 3 fc */
    { "alexnet.json", 8, 1, 714188480ull, 0.714e9, 0.001e9, 61090496ull },
    /* 13 conv + 3 fc */
    { "vgg16.json", 16, 1, 15470264320ull, 15.47e9, 0.01e9, 138344128ull },
    /* conv1 + 8 blocks x 2 + 3 projections + fc */
    { "resnet18.json", 21, 1, 1814073344ull, 1.814e9, 0.001e9, 11678912ull },
    /* conv1 + 16 blocks x 3 + 4 projections + fc */
    { "resnet50.json", 54, 1, 4089184256ull, 4.089e9, 0.001e9, 25502912ull },
    /* conv + (1 block x 2 + 16 blocks x 3) + last conv + fc */
    { "mobilenet_v2.json", 53, 1, 300774272ull, 0.301e9, 0.001e9, 3469760ull },
    /* 12 encoder layers x 6 linear layers */
    { "bert_base.json", 72, 128, 10871635968ull, 84934656.0 * 128, 1, 84934656ull },
};

START_TEST(shipped_network_should_match_its_published_macs_and_weights)
{
    const struct net_case *c = &net_cases[_i];
    char path[256];
    snprintf(path, sizeof path, "workloads/nets/%s", c->file);
    struct workload *w = load_ok(path);
    ck_assert_int_eq(w->nlayers, c->nlayers);
    ck_assert_msg(w->comment != NULL, "%s has no comment", c->file);
    uint64_t macs = 0, weights = 0;
    for (int i = 0; i < w->nlayers; i++) {
        w->layers[i].N = c->batch1_N;
        macs += derive_ok(w, i, KERNEL_FWD, LOWER_NONE).macs;
        weights += derive_ok(w, i, KERNEL_UPDATE, LOWER_NONE).stream.tensor[0].words;
    }
    ck_assert_uint_eq(macs, c->fwd_macs_batch1);
    ck_assert_uint_eq(weights, c->weights);
    double diff = (double)macs - c->published;
    ck_assert_msg(diff < c->rounding / 2 && -diff <= c->rounding / 2,
                  "%s: %llu MACs is not %g to the published rounding", c->file,
                  (unsigned long long)macs, c->published);
    workload_free(w);
}
END_TEST

START_TEST(shipped_network_kernels_should_share_macs_direct_and_lowered)
{
    const struct net_case *c = &net_cases[_i];
    char path[256];
    snprintf(path, sizeof path, "workloads/nets/%s", c->file);
    struct workload *w = load_ok(path);
    for (int i = 0; i < w->nlayers; i++) {
        uint64_t m = derive_ok(w, i, KERNEL_FWD, LOWER_NONE).macs;
        for (int lw = LOWER_NONE; lw <= LOWER_IM2COL; lw++) {
            struct problem f = derive_ok(w, i, KERNEL_FWD, (enum lowering)lw);
            struct problem d = derive_ok(w, i, KERNEL_BWD_DATA, (enum lowering)lw);
            struct problem g = derive_ok(w, i, KERNEL_BWD_WEIGHT, (enum lowering)lw);
            ck_assert_msg(f.macs == m && d.macs == m && g.macs == m,
                          "%s layer %s: MACs differ across kernels", c->file,
                          w->layers[i].name);
            /* The same tensors in other roles: W of fwd is dW of
             * bwd_weight, O of fwd is dO of bwd_data and bwd_weight, I of
             * fwd is dI of bwd_data. */
            ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), words(&g, SLOT_OUTPUTS));
            ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), words(&d, SLOT_WEIGHTS));
            ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), words(&d, SLOT_INPUTS));
            ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), words(&g, SLOT_WEIGHTS));
            ck_assert_uint_eq(words(&f, SLOT_INPUTS), words(&d, SLOT_OUTPUTS));
            ck_assert_uint_eq(words(&f, SLOT_INPUTS), words(&g, SLOT_INPUTS));
        }
    }
    workload_free(w);
}
END_TEST

START_TEST(shipped_resnet50_should_have_the_hand_computed_tensor_sizes)
{
    struct workload *w = load_ok("workloads/nets/resnet50.json");
    ck_assert_uint_eq(w->batch, 32);
    /* conv1: 7x7 stride 2 pad 3 on 224: P = floor((224+6-7)/2)+1 = 112,
     * box (112-1)*2+7 = 229.  W = 64*3*49 = 9408; I = 32*3*229^2 = 5034336;
     * O = 32*64*112^2 = 25690112. */
    int i = workload_find_layer(w, "conv1");
    ck_assert_int_eq(i, 0);
    struct problem f = derive_ok(w, i, KERNEL_FWD, LOWER_NONE);
    ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 9408);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), 5034336);
    ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 25690112);
    /* layer2.0.downsample.0: 1x1 stride 2, 256 -> 512 on 56: P = 28, box
     * 55.  W = 512*256 = 131072; I = 32*256*55^2 = 24780800;
     * O = 32*512*28^2 = 12845056; MACs = 32*512*256*28^2 = 3288334336. */
    i = workload_find_layer(w, "layer2.0.downsample.0");
    ck_assert_int_ge(i, 0);
    f = derive_ok(w, i, KERNEL_FWD, LOWER_NONE);
    check_tensors(&f, "W[K,C,R,S]", "I[N,C,2P+R,2Q+S]", "O[N,K,P,Q]");
    ck_assert_uint_eq(words(&f, SLOT_WEIGHTS), 131072);
    ck_assert_uint_eq(words(&f, SLOT_INPUTS), 24780800);
    ck_assert_uint_eq(words(&f, SLOT_OUTPUTS), 12845056);
    ck_assert_uint_eq(f.macs, 3288334336ull);
    /* Its im2col: I_col = C*R*S x N*P*Q = 256 x 32*784 = 6422528 words, a
     * quarter of the input box it reads (stride 2 skips 3 of 4 pixels). */
    struct problem s = derive_ok(w, i, KERNEL_IM2COL, LOWER_IM2COL);
    ck_assert_uint_eq(s.stream.tensor[0].words, 24780800);
    ck_assert_uint_eq(s.stream.tensor[1].words, 6422528);
    /* layer2.0.conv2 carries the stride (v1.5): 3x3 stride 2 pad 1 on 56. */
    i = workload_find_layer(w, "layer2.0.conv2");
    ck_assert_uint_eq(w->layers[i].stride_h, 2);
    ck_assert_uint_eq(w->layers[i].P, 28);
    ck_assert_uint_eq(w->layers[workload_find_layer(w, "layer2.0.conv1")].stride_h, 1);
    workload_free(w);
}
END_TEST

/* ---- the kernels subcommand ---- */

static const char *trainmap(void)
{
    const char *t = getenv("TRAINMAP");
    return t ? t : "build/trainmap";
}

/* Runs the command, captures stdout (and stderr when merge), returns the
 * exit status. */
static int run(const char *args, bool merge, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s %s", trainmap(), args, merge ? "2>&1" : "2>/dev/null");
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The node at a dotted path: "layers.0.kernels.1.kernel" (numbers index
 * arrays). */
static const cJSON *at(const cJSON *node, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *key = strtok_r(buf, ".", &save); key && node;
         key = strtok_r(NULL, ".", &save))
        node = cJSON_IsArray(node) ? cJSON_GetArrayItem(node, atoi(key))
                                   : cJSON_GetObjectItemCaseSensitive(node, key);
    ck_assert_msg(node != NULL, "no %s", path);
    return node;
}

static uint64_t num_at(const cJSON *root, const char *path)
{
    const cJSON *v = at(root, path);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", path);
    return (uint64_t)v->valuedouble;
}

static const char *str_at(const cJSON *root, const char *path)
{
    const cJSON *v = at(root, path);
    ck_assert_msg(cJSON_IsString(v), "%s is not a string", path);
    return v->valuestring;
}

/*
 * tiny.json at batch 2.  Layer a: conv 4 -> 8, 3x3 pad 1 on 6x6, P = Q = 6,
 * box 8x8: MACs 2*8*4*36*9 = 20736; W 8*4*9 = 288, I 2*4*64 = 512,
 * O 2*8*36 = 576.  Layer b: fc 288 -> 10: MACs 2*10*288 = 5760; W 2880.
 * Step: a has no bwd_data.  fwd 20736 + 5760 = 26496; bwd_data 5760;
 * bwd_weight 26496; update 288 + 2880 = 3168; step 61920.
 */
START_TEST(kernels_command_should_print_the_json_shape_with_totals)
{
    static char out[1 << 16];
    ck_assert_int_eq(run("kernels -w " DATA "tiny.json --json", false, out, sizeof out), 0);
    cJSON *root = cJSON_Parse(out);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(cJSON_GetArraySize(at(root, "layers")), 2);
    ck_assert_str_eq(str_at(root, "layers.0.name"), "a");
    ck_assert_int_eq(cJSON_GetArraySize(at(root, "layers.0.kernels")), 3);
    ck_assert_str_eq(str_at(root, "layers.0.kernels.0.kernel"), "fwd");
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.macs"), 20736);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.N"), 2);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.K"), 8);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.C"), 4);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.P"), 6);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.R"), 3);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.G"), 1);
    ck_assert_int_eq(cJSON_GetArraySize(at(root, "layers.0.kernels.0.tensors")), 3);
    ck_assert_str_eq(str_at(root, "layers.0.kernels.0.tensors.1.name"), "I");
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.tensors.0.words"), 288);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.tensors.1.words"), 512);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.tensors.2.words"), 576);
    ck_assert_str_eq(str_at(root, "layers.0.kernels.1.kernel"), "bwd_weight");
    ck_assert_str_eq(str_at(root, "layers.1.kernels.1.kernel"), "bwd_data");
    ck_assert_uint_eq(num_at(root, "totals.fwd.macs"), 26496);
    ck_assert_uint_eq(num_at(root, "totals.bwd_data.macs"), 5760);
    ck_assert_uint_eq(num_at(root, "totals.bwd_weight.macs"), 26496);
    ck_assert_uint_eq(num_at(root, "totals.update.macs"), 3168);
    ck_assert_uint_eq(num_at(root, "totals.step.macs"), 61920);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(at(root, "totals"), "im2col"));
    cJSON_Delete(root);
}
END_TEST

/* Lowered, layer a adds im2col: I 512 words in, I_col C*R*S x N*P*Q =
 * 36 x 72 = 2592 out; no col2im for the first layer.  step 61920 + 2592. */
START_TEST(kernels_command_should_lower_conv_layers_on_request)
{
    static char out[1 << 16];
    ck_assert_int_eq(run("kernels --workload=" DATA "tiny.json --json --lowering im2col",
                         false, out, sizeof out), 0);
    cJSON *root = cJSON_Parse(out);
    ck_assert_ptr_nonnull(root);
    ck_assert_uint_eq(num_at(root, "totals.im2col.macs"), 2592);
    ck_assert_uint_eq(num_at(root, "totals.fwd.macs"), 26496);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(at(root, "totals"), "col2im"));
    ck_assert_uint_eq(num_at(root, "totals.step.macs"), 64512);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.N"), 72);
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.0.dims.C"), 36);
    ck_assert_str_eq(str_at(root, "layers.0.kernels.1.kernel"), "im2col");
    ck_assert_uint_eq(num_at(root, "layers.0.kernels.1.tensors.1.words"), 2592);
    cJSON_Delete(root);
}
END_TEST

START_TEST(kernels_command_should_print_a_table_and_step_totals)
{
    static char out[1 << 16];
    ck_assert_int_eq(run("kernels -w " DATA "tiny.json", false, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "W=288 I=512 O=576"));
    ck_assert_ptr_nonnull(strstr(out, "  step        61920\n"));
    ck_assert_ptr_nonnull(strstr(out, "  fwd         26496\n"));
}
END_TEST

START_TEST(kernels_command_should_exit_2_on_bad_input_and_usage)
{
    static char out[4096];
    ck_assert_int_eq(run("kernels -w " BAD "zero_stride.json", true, out, sizeof out), 2);
    ck_assert_str_eq(out, "trainmap: " BAD "zero_stride.json: layers[3].stride: expected a "
                          "positive integer, got 0\n");
    ck_assert_int_eq(run("kernels", true, out, sizeof out), 2);
    ck_assert_str_eq(out, "trainmap kernels: missing -w WORKLOAD\n"
                          "run 'trainmap kernels --help' for usage\n");
    ck_assert_int_eq(run("kernels -w " DATA "tiny.json --lowering winograd", true, out,
                         sizeof out), 2);
    ck_assert_str_eq(out, "trainmap kernels: --lowering expects none or im2col, got "
                          "'winograd'\nrun 'trainmap kernels --help' for usage\n");
    ck_assert_int_eq(run("kernels --help", false, out, sizeof out), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: trainmap kernels -w WORKLOAD"));
}
END_TEST

START_TEST(same_shape_should_ignore_layer_names_and_nothing_else)
{
    /* resnet18: layer1.0.conv1 (index 1) and layer1.1.conv1 (3) are the
     * same 64->64 3x3 conv on 56x56; layer2.0.conv2 (6) has 128 channels;
     * layer2.0.conv1 (5) has the same C, R, S as 1 but stride 2. */
    struct workload *w = load_ok("workloads/nets/resnet18.json");
    struct problem a = derive_ok(w, 1, KERNEL_FWD, LOWER_NONE);
    struct problem b = derive_ok(w, 3, KERNEL_FWD, LOWER_NONE);
    ck_assert_str_ne(a.layer, b.layer);
    ck_assert(problem_same_shape(&a, &b));
    struct problem c = derive_ok(w, 6, KERNEL_FWD, LOWER_NONE);
    ck_assert(!problem_same_shape(&a, &c));
    struct problem d = derive_ok(w, 5, KERNEL_FWD, LOWER_NONE);
    ck_assert(!problem_same_shape(&a, &d));
    /* Same layer, other kernel; and the same update stream twice. */
    struct problem e = derive_ok(w, 1, KERNEL_BWD_WEIGHT, LOWER_NONE);
    ck_assert(!problem_same_shape(&a, &e));
    struct problem u1 = derive_ok(w, 1, KERNEL_UPDATE, LOWER_NONE);
    struct problem u3 = derive_ok(w, 3, KERNEL_UPDATE, LOWER_NONE);
    struct problem u6 = derive_ok(w, 6, KERNEL_UPDATE, LOWER_NONE);
    ck_assert(problem_same_shape(&u1, &u3));
    ck_assert(!problem_same_shape(&u1, &u6));
    workload_free(w);
}
END_TEST

Suite *workload_suite(void)
{
    Suite *s = suite_create("workload");
    TCase *tc = tcase_create("derive");
    tcase_add_test(tc, derive_should_project_the_three_conv_kernels_over_one_iteration_space);
    tcase_add_test(tc, derive_should_lower_conv_kernels_to_gemms_with_the_same_macs);
    tcase_add_test(tc, derive_should_leave_g_out_of_the_projections_when_groups_is_1);
    tcase_add_test(tc, derive_should_model_depthwise_convs_as_groups_of_one_channel);
    tcase_add_test(tc, derive_should_treat_fc_as_a_conv_with_unit_extents_never_lowered);
    tcase_add_test(tc, derive_should_stream_the_weights_through_the_optimizer_update);
    tcase_add_test(tc, step_kernels_should_skip_bwd_data_of_the_first_layer_and_add_lowering_streams);
    tcase_add_test(tc, step_kernels_should_follow_a_layers_own_lowering);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_loop_test(tc, load_should_derive_p_and_q_from_h_w_pad_stride_and_dilation, 0,
                        N_EXTENT);
    tcase_add_test(tc, load_should_apply_defaults_and_per_layer_batch);
    tcase_add_test(tc, load_should_reject_malformed_workloads_with_exact_messages);
    tcase_add_test(tc, load_should_report_a_missing_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("nets");
    tcase_set_timeout(tc, 30);
    int nnets = (int)(sizeof net_cases / sizeof net_cases[0]);
    tcase_add_loop_test(tc, shipped_network_should_match_its_published_macs_and_weights, 0, nnets);
    tcase_add_loop_test(tc, shipped_network_kernels_should_share_macs_direct_and_lowered, 0, nnets);
    tcase_add_test(tc, shipped_resnet50_should_have_the_hand_computed_tensor_sizes);
    tcase_add_test(tc, same_shape_should_ignore_layer_names_and_nothing_else);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, kernels_command_should_print_the_json_shape_with_totals);
    tcase_add_test(tc, kernels_command_should_lower_conv_layers_on_request);
    tcase_add_test(tc, kernels_command_should_print_a_table_and_step_totals);
    tcase_add_test(tc, kernels_command_should_exit_2_on_bad_input_and_usage);
    suite_add_tcase(s, tc);
    return s;
}
