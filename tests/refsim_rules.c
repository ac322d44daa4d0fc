/*
 * The rules of MODEL.md one by one, on tiny hand-made cases whose numbers
 * are worked out in the comments, for the refsim suite (test_refsim.c):
 * the reference simulator must agree with hand arithmetic before the model
 * is held to it.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "refsim.h"

void refsim_add_rule_tests(TCase *tc);

static void eval_ok(const struct arch *a, const struct problem *p,
                    const struct mapping *m, struct model_stats *s)
{
    ck_assert_int_eq(refsim_eval(a, p, m, s), 0);
}

static void check_tensor(const struct model_stats *s, int l, enum slot slot,
                         uint64_t tile, uint64_t reads, uint64_t fills,
                         uint64_t updates)
{
    const struct tensor_stats *t = &s->level[l].tensor[slot];
    ck_assert_msg(t->kept, "level %d slot %d not kept", l, slot);
    ck_assert_uint_eq(t->tile_words, tile);
    ck_assert_uint_eq(t->reads, reads);
    ck_assert_uint_eq(t->fills, fills);
    ck_assert_uint_eq(t->updates, updates);
}


/* ---- R1: tiles ----------------------------------------------------------- */

/* A 1x1 stride-2 layer with P = 7 touches input rows 0, 2, .., 12; the
 * bounding box spans (7 - 1) * 2 + 1 = 13 of them. */
START_TEST(refsim_tile_should_span_the_strided_gaps)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .p = 7, .stride = 2 });
    mapping_init(&m, 2);
    m.level[1].temporal[DIM_P] = 7;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.level[1].tensor[SLOT_WEIGHTS].tile_words, 1);
    ck_assert_uint_eq(s.level[1].tensor[SLOT_INPUTS].tile_words, 13);
    ck_assert_uint_eq(s.level[1].tensor[SLOT_OUTPUTS].tile_words, 7);
    ck_assert_uint_eq(s.level[0].tensor[SLOT_INPUTS].tile_words, 13);
}
END_TEST

/* R = 3 with dilation 2 reads rows 0, 2, 4: (3 - 1) * 2 + 1 = 5 words; with
 * the R loop at level 0, level 1's tile is one row. */
START_TEST(refsim_tile_should_span_the_dilated_window)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .r = 3, .dilation = 2 });
    mapping_init(&m, 2);
    m.level[1].temporal[DIM_R] = 3;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.level[1].tensor[SLOT_INPUTS].tile_words, 5);
    mapping_init(&m, 2);
    m.level[0].temporal[DIM_R] = 3;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.level[0].tensor[SLOT_INPUTS].tile_words, 5);
    ck_assert_uint_eq(s.level[1].tensor[SLOT_INPUTS].tile_words, 1);
}
END_TEST

/* ---- R2: validity -------------------------------------------------------- */

/* The stride-2 layer above: level 1 holds W 1 + I 13 + O 7 = 21 words. */
static void strided_case(struct arch *a, struct problem *p, struct mapping *m)
{
    refsim_simple_arch(a, 2);
    refsim_derive_fanouts(a);
    refsim_conv_problem(p, KERNEL_FWD, (struct refsim_shape){ .p = 7, .stride = 2 });
    mapping_init(m, 2);
    m->level[1].temporal[DIM_P] = 7;
}

START_TEST(refsim_should_reject_factors_that_do_not_multiply_to_the_bound)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    strided_case(&a, &p, &m);
    m.level[1].temporal[DIM_P] = 6;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
}
END_TEST

/* floor(42 / 2) = 21 holds the 21 words; floor(41 / 2) = 20 does not. */
START_TEST(refsim_should_reject_tiles_over_the_buffered_capacity)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    strided_case(&a, &p, &m);
    a.level[1].size_kind = SIZE_SHARED;
    a.level[1].multiple_buffering = 2;
    a.level[1].size_words = 42;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), 0);
    a.level[1].size_words = 41;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
    /* Bypassing I leaves 1 + 7 = 8 words, within floor(16 / 2) = 8. */
    a.level[1].size_words = 16;
    m.level[1].bypass[SLOT_INPUTS] = true;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), 0);
}
END_TEST

/* Per-slot sizes: I's 13 words need 13 in the inputs slot. */
START_TEST(refsim_should_reject_a_tile_over_its_slot_size)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    strided_case(&a, &p, &m);
    a.level[1].size_kind = SIZE_PER_SLOT;
    a.level[1].slot_size_words[SLOT_WEIGHTS] = 1;
    a.level[1].slot_size_words[SLOT_INPUTS] = 13;
    a.level[1].slot_size_words[SLOT_OUTPUTS] = 7;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), 0);
    a.level[1].slot_size_words[SLOT_INPUTS] = 12;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
}
END_TEST

/* Two MACs below one level: a fanout of 2 x 1. */
START_TEST(refsim_should_reject_spatial_factors_beyond_the_fanout)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 1);
    a.compute.mesh_x = 2;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .k = 4 });
    mapping_init(&m, 1);
    m.level[0].spatial_x[DIM_K] = 2;
    m.level[0].temporal[DIM_K] = 2;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), 0);
    m.level[0].spatial_x[DIM_K] = 4;
    m.level[0].temporal[DIM_K] = 1;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
    m.level[0].spatial_x[DIM_K] = 1;
    m.level[0].spatial_y[DIM_K] = 2;
    m.level[0].temporal[DIM_K] = 2;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
}
END_TEST

START_TEST(refsim_should_reject_an_outermost_level_that_does_not_keep_a_tensor)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    strided_case(&a, &p, &m);
    m.level[0].bypass[SLOT_WEIGHTS] = true;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
    m.level[0].bypass[SLOT_WEIGHTS] = false;
    a.level[0].keeps[SLOT_INPUTS] = false;
    ck_assert_int_eq(refsim_eval(&a, &p, &m, &s), ERR_INVALID_MAPPING);
}
END_TEST

/* ---- R3: instances ------------------------------------------------------- */

/* Meshes 1x1, 2x1, 4x2 and MACs 4x4: fanouts 2x1, 2x2, 1x2.  K2 over level
 * 0's X, N2 over level 1's X (Y unused), C2 over level 2's Y: level 1 uses
 * 2 instances, level 2 uses 2 * 2 = 4 of 8, the MACs 4 * 2 = 8 of 16.  The
 * P2 loop is the only temporal one: 2 cycles, utilization 16 / (16 * 2). */
START_TEST(refsim_instances_should_multiply_the_spatial_factors_above)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 3);
    a.level[1].mesh_x = 2;
    a.level[2].mesh_x = 4;
    a.level[2].mesh_y = 2;
    a.compute.mesh_x = a.compute.mesh_y = 4;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .n = 2, .k = 2, .c = 2, .p = 2 });
    mapping_init(&m, 3);
    m.level[0].spatial_x[DIM_K] = 2;
    m.level[1].spatial_x[DIM_N] = 2;
    m.level[2].spatial_y[DIM_C] = 2;
    m.level[2].temporal[DIM_P] = 2;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.level[0].instances_used, 1);
    ck_assert_uint_eq(s.level[1].instances_used, 2);
    ck_assert_uint_eq(s.level[2].instances_used, 4);
    ck_assert_uint_eq(s.mac_instances_used, 8);
    ck_assert_uint_eq(s.macs, 16);
    ck_assert_uint_eq(s.compute_cycles, 2);
    ck_assert_uint_eq(s.cycles, 2);
    ck_assert(fabs(s.utilization - 0.5) < 1e-12);
    /* R1 with spatial loops: level 1's O tile spans its own N2 and P2 (the
     * K2 above it selects the instance): 4 words; level 2's W tile C2. */
    ck_assert_uint_eq(s.level[1].tensor[SLOT_OUTPUTS].tile_words, 4);
    ck_assert_uint_eq(s.level[2].tensor[SLOT_WEIGHTS].tile_words, 2);
}
END_TEST

/* ---- R4: temporal deltas ------------------------------------------------- */

/* 1-D conv K3 P4 R3 (I = p + r, 6 words; W 9; O 12); level 0 runs K3 P4 in
 * `order`, level 1 R3: 36 cycles, level 1 tiles W 3, I 3 (rows p..p+2), O 1. */
static void sliding_case(struct arch *a, struct problem *p, struct mapping *m,
                         const char *order)
{
    refsim_simple_arch(a, 2);
    refsim_derive_fanouts(a);
    refsim_conv_problem(p, KERNEL_FWD, (struct refsim_shape){ .k = 3, .p = 4, .r = 3 });
    mapping_init(m, 2);
    m->level[0].temporal[DIM_K] = 3;
    m->level[0].temporal[DIM_P] = 4;
    refsim_set_order(m, 0, order);
    m->level[1].temporal[DIM_R] = 3;
}

/* Order K, P.  Sampled steps (k, p), weight (3-1)^k * (4-1)^p:
 *  I: (0,0) whole 3, w1 = 3; (0,1) +1 row, none remembered: diff 1, w3 = 3;
 *     (1,0) p returns, -1 row != +1: whole 3, w2 = 6; (1,1) +1 again after
 *     forgetting: diff 1, w6 = 6.  PAS = 18 (3 + 3 * 1 per K sweep, x3).
 *  W: (0,0) 3; (0,1) zero move: 0; (1,0) K+1: whole 3, w2 = 6; (1,1) 0.  9.
 *  O: one word, every step moves it: 1 + 3 + 2 + 6 = 12; partition 12, so
 *     fills 12 - 12 = 0; level 1 updates 36 and reads 36 - 12 = 24.
 *  Level 0 reads what level 1 receives: W 9, I 18, O updates 12, reads 0. */
START_TEST(refsim_window_sliding_by_a_constant_step_should_be_credited_the_halo)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    sliding_case(&a, &p, &m, "KP");
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.compute_cycles, 36);
    check_tensor(&s, 1, SLOT_WEIGHTS, 3, 36, 9, 0);
    check_tensor(&s, 1, SLOT_INPUTS, 3, 36, 18, 0);
    check_tensor(&s, 1, SLOT_OUTPUTS, 1, 24, 0, 36);
    check_tensor(&s, 0, SLOT_WEIGHTS, 9, 9, 0, 0);
    check_tensor(&s, 0, SLOT_INPUTS, 6, 18, 0, 0);
    check_tensor(&s, 0, SLOT_OUTPUTS, 12, 0, 0, 12);
}
END_TEST

/* Order P, K: the K loop inside P moves I by zero, so the P steps never see
 * the remembered +1 row.  (0,0) whole 3; (0,1) zero: 0, remember zero;
 * (1,0) +1 != 0: whole 3, w3 = 9; (1,1) zero: 0.  PAS = 12 = 4 windows of
 * 3, no halo credit.  W now moves every K step: 3 * 12 = 36. */
START_TEST(refsim_irrelevant_loop_inside_a_sliding_loop_should_lose_the_halo_credit)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    sliding_case(&a, &p, &m, "PK");
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 1, SLOT_INPUTS, 3, 36, 12, 0);
    check_tensor(&s, 1, SLOT_WEIGHTS, 3, 36, 36, 0);
}
END_TEST

/* K2 P6 R3, P split 2 (level 0) x 3 (level 1) with K2 between them (level
 * 1 order K, P), R3 at level 2.  Level 2's I tile is 3 rows at 3 * po + pi;
 * steps (po, k, pi), weights 1, 1, 2:
 *   (0,0,0) row 0 whole 3 = 3     (0,0,1) +1: diff 1, w2 = 2
 *   (0,1,0) -1: whole 3 = 3       (0,1,1) +1: diff 1 = 2
 *   (1,0,0) +2 (e_po - e_k - e_pi = 3 - 0 - 1) != +1: whole 3 = 3
 *   (1,0,1) diff 1 = 2  (1,1,0) whole 3 = 3  (1,1,1) diff 1 = 2
 * PAS(2) = 20.  Level 1's tile: 3 + 3 - 1 = 5 rows; po moves it 3 rows:
 * 5 + 3 = 8; level 0 reads 8, level 1 reads 20. */
START_TEST(refsim_split_sliding_loop_should_get_a_whole_box_after_the_outer_step)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 3);
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .k = 2, .p = 6, .r = 3 });
    mapping_init(&m, 3);
    m.level[0].temporal[DIM_P] = 2;
    m.level[1].temporal[DIM_K] = 2;
    m.level[1].temporal[DIM_P] = 3;
    refsim_set_order(&m, 1, "KP");
    m.level[2].temporal[DIM_R] = 3;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 2, SLOT_INPUTS, 3, 36, 20, 0);
    check_tensor(&s, 1, SLOT_INPUTS, 5, 20, 8, 0);
    check_tensor(&s, 0, SLOT_INPUTS, 8, 8, 0, 0);
}
END_TEST

/* P2 at level 0, R2 at level 1; level 2's I tile is the single row p + r:
 * (0,0) row 0 whole 1; (0,1) row 1, +1: diff 1; (1,0) row 1 again, move 0
 * != +1: whole 1; (1,1) row 2, +1: diff 1.  PAS = 4, though only 3 rows
 * exist.  Level 1's tile (rows p..p+1): 2, then +1: 1; 3 in all. */
START_TEST(refsim_window_returning_to_where_it_was_should_be_charged_whole)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 3);
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .p = 2, .r = 2 });
    mapping_init(&m, 3);
    m.level[0].temporal[DIM_P] = 2;
    m.level[1].temporal[DIM_R] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 2, SLOT_INPUTS, 1, 4, 4, 0);
    check_tensor(&s, 1, SLOT_INPUTS, 2, 4, 3, 0);
}
END_TEST

/* ---- R5: the innermost level --------------------------------------------- */

/* One level above 2 x 2 MACs: N2 over X, C2 over Y, K3 in time: 3 cycles.
 * Per cycle the 4 MACs (n, c) touch W[k, c]: 2 distinct; I[n, c]: 4;
 * O[n, k]: 2 (reduced over c).  Reads W 3 * 2 = 6, I 3 * 4 = 12; O updates
 * 3 * 2 = 6, reads 6 - 6 (the whole O) = 0. */
START_TEST(refsim_innermost_level_should_serve_each_distinct_element_once_a_cycle)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 1);
    a.compute.mesh_x = a.compute.mesh_y = 2;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .n = 2, .k = 3, .c = 2 });
    mapping_init(&m, 1);
    m.level[0].spatial_x[DIM_N] = 2;
    m.level[0].spatial_y[DIM_C] = 2;
    m.level[0].temporal[DIM_K] = 3;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.compute_cycles, 3);
    check_tensor(&s, 0, SLOT_WEIGHTS, 6, 6, 0, 0);
    check_tensor(&s, 0, SLOT_INPUTS, 4, 12, 0, 0);
    check_tensor(&s, 0, SLOT_OUTPUTS, 6, 0, 0, 6);
}
END_TEST

/* N4 at level 1: W (one word) is stationary, filled once, yet read by the
 * MAC in each of the 4 cycles. */
START_TEST(refsim_stationary_operand_should_still_be_read_every_cycle)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .n = 4 });
    mapping_init(&m, 2);
    m.level[1].temporal[DIM_N] = 4;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 1, SLOT_WEIGHTS, 1, 4, 1, 0);
    check_tensor(&s, 0, SLOT_WEIGHTS, 1, 1, 0, 0);
}
END_TEST

/* ---- R6: spatial fanout -------------------------------------------------- */

/* P2 R2, I = p + r (3 rows).  Chain: level 0 spreads P2 over 2 instances of
 * a fanout-only level 1, which spreads R2 over 2 instances of level 2 each:
 * level 2 instance (p, r) needs row p + r, once (no loops in time).
 * Level 0's children: p = 0 needs rows {0, 1}, p = 1 rows {1, 2}: 2 groups;
 * level 1's children (r = 0, 1): 2 groups.  I reads 1 * 2 * 2 = 4.
 * W[r]: 1 group (P irrelevant) x 2 = 2 reads.  O[p]: 2 x 1 = 2 updates,
 * reads 2 - 2 = 0.  A fanout-only level's bandwidth meets no demand. */
START_TEST(refsim_fanout_chain_should_multiply_its_group_counts)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 3);
    a.level[1].mesh_x = 2;
    a.level[2].mesh_x = 4;
    a.compute.mesh_x = 4;
    for (int t = 0; t < SLOT_COUNT; t++)
        a.level[1].keeps[t] = false;
    a.level[1].read_bw = a.level[1].write_bw = a.level[1].shared_bw = 0.001;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .p = 2, .r = 2 });
    mapping_init(&m, 3);
    m.level[0].spatial_x[DIM_P] = 2;
    m.level[1].spatial_x[DIM_R] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 0, SLOT_INPUTS, 3, 4, 0, 0);
    check_tensor(&s, 0, SLOT_WEIGHTS, 2, 2, 0, 0);
    check_tensor(&s, 0, SLOT_OUTPUTS, 2, 0, 0, 2);
    check_tensor(&s, 2, SLOT_INPUTS, 1, 1, 1, 0);
    ck_assert(!s.level[1].tensor[SLOT_INPUTS].kept);
    ck_assert_uint_eq(s.level[1].tensor[SLOT_INPUTS].reads, 0);
    ck_assert_uint_eq(s.level[1].cycles, 1);
    ck_assert_uint_eq(s.level[2].instances_used, 4);
}
END_TEST

/* The same 4 instances under one merged 2 x 2 fanout: rows p + r are
 * 0, 1, 1, 2: 3 groups, 3 reads. */
START_TEST(refsim_merged_fanout_should_group_across_the_whole_mesh)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    a.level[1].mesh_x = a.level[1].mesh_y = 2;
    a.compute.mesh_x = a.compute.mesh_y = 2;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .p = 2, .r = 2 });
    mapping_init(&m, 2);
    m.level[0].spatial_x[DIM_P] = 2;
    m.level[0].spatial_y[DIM_R] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 0, SLOT_INPUTS, 3, 3, 0, 0);
}
END_TEST

/* K2 C4: level 0 runs C2 K2 (order C, K) and spreads C2 over 2 instances
 * of level 1; 4 cycles.  Level 1's O tile is one word O[k]; steps (c, k):
 * whole 1, +1: 1, back: whole 1, +1: 1: PAS 4.  Partition: level 0 holds
 * O's 2 words; its C2 spread spans 1 word of O over level 1's 1-word tile,
 * so partition(1) = floor(2 * 1 / 1) = 2: fills 4 - 2 = 2 (the partial sums
 * multicast back to both C instances), updates 4 (a MAC a cycle), reads 2.
 * Level 0 receives one update per group (C reduced): 4, reads 4 - 2 = 2.
 * Energy of level 1's O: 2 instances * (2 * 1 + 2 * 2 + 4 * 3) = 36 pJ.
 * W[k, c]: level 1 receives 4 distinct words; 2 groups: level 0 reads 8. */
START_TEST(refsim_reduced_partial_sums_should_come_back_as_fills_to_every_child)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    a.level[1].mesh_x = 2;
    a.compute.mesh_x = 2;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .k = 2, .c = 4 });
    mapping_init(&m, 2);
    m.level[0].temporal[DIM_C] = 2;
    m.level[0].temporal[DIM_K] = 2;
    refsim_set_order(&m, 0, "CK");
    m.level[0].spatial_x[DIM_C] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 1, SLOT_OUTPUTS, 1, 2, 2, 4);
    check_tensor(&s, 0, SLOT_OUTPUTS, 2, 2, 0, 4);
    ck_assert(fabs(s.level[1].tensor[SLOT_OUTPUTS].energy_pj - 36.0) < 1e-9);
    check_tensor(&s, 1, SLOT_WEIGHTS, 1, 4, 4, 0);
    check_tensor(&s, 0, SLOT_WEIGHTS, 8, 8, 0, 0);
}
END_TEST

/* ---- R7: partitions ------------------------------------------------------ */

/* bwd_data, P4 R2: dI[p + r] has 5 words.  Level 1 runs P2 in time and
 * spreads P2 over 2 instances of level 2 (instance 1 one row further), level
 * 2 runs R2: 4 cycles; level 2's dI tile is 2 rows.
 * partition(1) = 5 (level 0 does not fan out); level 1's spread spans
 * P2 R2 = 3 rows over level 2's 2-row tile: partition(2) = floor(5 * 2 / 3)
 * = 3.  Level 2: updates 4, reads 4 - 3 = 1; its tile moves 2 rows (rows
 * 0-1, then 2-3): PAS 2 + 2 = 4, fills 4 - 3 = 1.  Level 1 at each step
 * gets 2 distinct 2-row deltas: CA 2 * (2 + 2) = 8: updates 8, reads 8 - 5
 * = 3; it receives its whole 5-row tile once: fills 5 - 5 = 0.  Level 0:
 * updates 5, reads 0. */
START_TEST(refsim_partition_should_round_down_when_child_tiles_overlap)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 3);
    a.level[2].mesh_x = 2;
    a.compute.mesh_x = 2;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_BWD_DATA, (struct refsim_shape){ .p = 4, .r = 2 });
    mapping_init(&m, 3);
    m.level[1].temporal[DIM_P] = 2;
    m.level[1].spatial_x[DIM_P] = 2;
    m.level[2].temporal[DIM_R] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 2, SLOT_OUTPUTS, 2, 1, 1, 4);
    check_tensor(&s, 1, SLOT_OUTPUTS, 5, 3, 0, 8);
    check_tensor(&s, 0, SLOT_OUTPUTS, 5, 0, 0, 5);
}
END_TEST

/* bwd_data of a 1x1 stride-2 layer, P2: dI rows 0 and 2 are written, row 1
 * never; the box is 3 words.  Level 0 runs P2, level 1 holds one word:
 * partition 3 everywhere.  Level 1: updates 2 < 3: reads 0; PAS 2 (the word
 * moves 2 rows): fills 0.  Level 0: updates 2, reads 0. */
START_TEST(refsim_result_with_gaps_should_have_no_reads_or_fills)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_BWD_DATA, (struct refsim_shape){ .p = 2, .stride = 2 });
    mapping_init(&m, 2);
    m.level[0].temporal[DIM_P] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 1, SLOT_OUTPUTS, 1, 0, 0, 2);
    check_tensor(&s, 0, SLOT_OUTPUTS, 3, 0, 0, 2);
}
END_TEST

/* ---- R8: bypass ---------------------------------------------------------- */

/* N4 K2: level 1 spreads N2 over X and K2 over Y onto 4 instances of level
 * 2 (one MAC each), which runs N2 in time: 2 cycles.  Kept at level 2, W[k]
 * (one word) arrives once and level 1 reads it once per group (K2): 2.
 * Bypassing level 2, level 1 serves the 4 MACs every cycle: per cycle 2
 * distinct words (N2 multicast), 2 cycles: 4. */
START_TEST(refsim_bypassed_weight_should_be_read_from_the_next_level_once_a_cycle)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 3);
    a.level[2].mesh_x = a.level[2].mesh_y = 2;
    a.compute.mesh_x = a.compute.mesh_y = 2;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_FWD, (struct refsim_shape){ .n = 4, .k = 2 });
    mapping_init(&m, 3);
    m.level[1].spatial_x[DIM_N] = 2;
    m.level[1].spatial_y[DIM_K] = 2;
    m.level[2].temporal[DIM_N] = 2;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 2, SLOT_WEIGHTS, 1, 2, 1, 0);
    check_tensor(&s, 1, SLOT_WEIGHTS, 2, 2, 2, 0);
    m.level[2].bypass[SLOT_WEIGHTS] = true;
    eval_ok(&a, &p, &m, &s);
    ck_assert(!s.level[2].tensor[SLOT_WEIGHTS].kept);
    ck_assert_uint_eq(s.level[2].tensor[SLOT_WEIGHTS].tile_words, 0);
    check_tensor(&s, 1, SLOT_WEIGHTS, 2, 4, 2, 0);
}
END_TEST

/* ---- R9: energy ---------------------------------------------------------- */

/* The halo case (counts above) with 8-word blocks at level 0.  Level 0:
 * W ceil(9/8) = 2 blocks * 2.0 = 4; I ceil(18/8) = 3 * 2.0 = 6; O updates
 * ceil(12/8) = 2 * 3.0 = 6: 16.  Level 1 (read 0.5, fill 0.25, update
 * 0.75): W 36 * 0.5 + 9 * 0.25 = 20.25; I 18 + 18 * 0.25 = 22.5; O 24 * 0.5
 * + 36 * 0.75 = 39: 81.75.  MACs 36 * 1.5 = 54.  Total 151.75; EDP
 * 151.75 * 36 = 5463. */
START_TEST(refsim_energy_should_charge_whole_blocks)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    sliding_case(&a, &p, &m, "KP");
    a.level[0].block_words = 8;
    a.level[0].read_pj = 2.0;
    a.level[0].fill_pj = 2.5;
    a.level[0].update_pj = 3.0;
    a.level[1].read_pj = 0.5;
    a.level[1].fill_pj = 0.25;
    a.level[1].update_pj = 0.75;
    a.compute.energy_pj = 1.5;
    eval_ok(&a, &p, &m, &s);
    ck_assert(fabs(s.level[0].tensor[SLOT_WEIGHTS].energy_pj - 4.0) < 1e-9);
    ck_assert(fabs(s.level[0].tensor[SLOT_INPUTS].energy_pj - 6.0) < 1e-9);
    ck_assert(fabs(s.level[0].tensor[SLOT_OUTPUTS].energy_pj - 6.0) < 1e-9);
    ck_assert(fabs(s.level[0].energy_pj - 16.0) < 1e-9);
    ck_assert(fabs(s.level[1].energy_pj - 81.75) < 1e-9);
    ck_assert(fabs(s.mac_energy_pj - 54.0) < 1e-9);
    ck_assert(fabs(s.energy_pj - 151.75) < 1e-9);
    ck_assert(fabs(s.edp - 5463.0) < 1e-9);
}
END_TEST

/* ---- R10: cycles --------------------------------------------------------- */

/* The halo case: level 0 reads 9 + 18 + 0 = 27 and writes 12 in 36 cycles;
 * in double precision 9/36 + 18/36 + 0/36 = 0.75 and 12/36 =
 * 0.3333333333333333.
 *  read_bw 0.75: equal to the demand, no slowdown: 36.
 *  read_bw 0.6: 0.6 / 0.75 = 0.7999999999999999 and 36 / that =
 *    45.00000000000001, so ceil gives 46 where exact arithmetic gives 45.
 *  write_bw 0.25: 0.25 / 0.3333333333333333 = 0.75, 36 / 0.75 = 48.
 *  shared_bw 1: 0.75 + 0.3333333333333333 = 1.0833333333333333, 1 / that
 *    = 0.9230769230769231, 36 / that = 39. */
START_TEST(refsim_cycles_should_follow_the_bandwidth_in_double_precision)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    sliding_case(&a, &p, &m, "KP");
    a.level[0].read_bw = 0.75;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.level[0].cycles, 36);
    ck_assert_uint_eq(s.cycles, 36);
    a.level[0].read_bw = 0.6;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.level[0].cycles, 46);
    ck_assert_uint_eq(s.level[1].cycles, 36);
    ck_assert_uint_eq(s.cycles, 46);
    ck_assert(fabs(s.utilization - 36.0 / 46.0) < 1e-12);
    a.level[0].read_bw = INFINITY;
    a.level[0].write_bw = 0.25;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.cycles, 48);
    a.level[0].write_bw = INFINITY;
    a.level[0].shared_bw = 1.0;
    eval_ok(&a, &p, &m, &s);
    ck_assert_uint_eq(s.cycles, 39);
}
END_TEST

/* bwd_weight N1 K2 C3 P3, stride 2: level 0 runs K2 C3 (order K, C), level
 * 1 runs P3: 18 cycles.  Level 1 tiles: dO[k, p] 3 words, I[c, 2p] 5, dW 1.
 * Fills: dO changes with K only: 3 + 3 = 6; I with C (no overlap between
 * channels): whole 5 at each of the 6 (k, c): 30; dW: 6 steps of 1 word,
 * partition 6: 0; updates 18.  Write demand in R10's order dW, I, dO:
 * 18/18 + 30/18 = 2.666666666666667, + 6/18 = 3.0000000000000004 in double
 * (slot order dO, I, dW would give exactly 3.0).  write_bw 1.5: 1.5 / that
 * = 0.49999999999999994, 18 / that = 36.00000000000001: 37 cycles. */
START_TEST(refsim_demands_should_be_summed_weight_input_output_shaped)
{
    struct arch a; struct problem p; struct mapping m; struct model_stats s;
    refsim_simple_arch(&a, 2);
    a.level[1].write_bw = 1.5;
    refsim_derive_fanouts(&a);
    refsim_conv_problem(&p, KERNEL_BWD_WEIGHT,
                 (struct refsim_shape){ .k = 2, .c = 3, .p = 3, .stride = 2 });
    mapping_init(&m, 2);
    m.level[0].temporal[DIM_K] = 2;
    m.level[0].temporal[DIM_C] = 3;
    refsim_set_order(&m, 0, "KC");
    m.level[1].temporal[DIM_P] = 3;
    eval_ok(&a, &p, &m, &s);
    check_tensor(&s, 1, SLOT_WEIGHTS, 3, 18, 6, 0);
    check_tensor(&s, 1, SLOT_INPUTS, 5, 18, 30, 0);
    check_tensor(&s, 1, SLOT_OUTPUTS, 1, 12, 0, 18);
    ck_assert_uint_eq(s.level[1].cycles, 37);
}
END_TEST

void refsim_add_rule_tests(TCase *tc)
{
    tcase_add_test(tc, refsim_tile_should_span_the_strided_gaps);
    tcase_add_test(tc, refsim_tile_should_span_the_dilated_window);
    tcase_add_test(tc, refsim_should_reject_factors_that_do_not_multiply_to_the_bound);
    tcase_add_test(tc, refsim_should_reject_tiles_over_the_buffered_capacity);
    tcase_add_test(tc, refsim_should_reject_a_tile_over_its_slot_size);
    tcase_add_test(tc, refsim_should_reject_spatial_factors_beyond_the_fanout);
    tcase_add_test(tc, refsim_should_reject_an_outermost_level_that_does_not_keep_a_tensor);
    tcase_add_test(tc, refsim_instances_should_multiply_the_spatial_factors_above);
    tcase_add_test(tc, refsim_window_sliding_by_a_constant_step_should_be_credited_the_halo);
    tcase_add_test(tc, refsim_irrelevant_loop_inside_a_sliding_loop_should_lose_the_halo_credit);
    tcase_add_test(tc, refsim_split_sliding_loop_should_get_a_whole_box_after_the_outer_step);
    tcase_add_test(tc, refsim_window_returning_to_where_it_was_should_be_charged_whole);
    tcase_add_test(tc, refsim_innermost_level_should_serve_each_distinct_element_once_a_cycle);
    tcase_add_test(tc, refsim_stationary_operand_should_still_be_read_every_cycle);
    tcase_add_test(tc, refsim_fanout_chain_should_multiply_its_group_counts);
    tcase_add_test(tc, refsim_merged_fanout_should_group_across_the_whole_mesh);
    tcase_add_test(tc, refsim_reduced_partial_sums_should_come_back_as_fills_to_every_child);
    tcase_add_test(tc, refsim_partition_should_round_down_when_child_tiles_overlap);
    tcase_add_test(tc, refsim_result_with_gaps_should_have_no_reads_or_fills);
    tcase_add_test(tc, refsim_bypassed_weight_should_be_read_from_the_next_level_once_a_cycle);
    tcase_add_test(tc, refsim_energy_should_charge_whole_blocks);
    tcase_add_test(tc, refsim_cycles_should_follow_the_bandwidth_in_double_precision);
    tcase_add_test(tc, refsim_demands_should_be_summed_weight_input_output_shaped);
}
