/*
 * Tests of model/: conformance with every validation case (Timeloop's own
 * numbers, copied verbatim into tests/validation/), and one small case per
 * rule of MODEL.md whose counts are worked out by hand in the comments.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../common/json.h"
#include "../mapper/mapping_io.h"
#include "../model/model.h"
#include "../workloads/workload.h"
#include "refsim.h"

/* ---- loading a case ---- */

struct fixture {
    struct arch *arch;
    struct workload *wl;
    struct problem prob;
    struct mapping map;
};

static void fixture_release(struct fixture *f)
{
    arch_free(f->arch);
    workload_free(f->wl);
}

/* Loads arch and workload from JSON text and derives kernel k of layer 0. */
static void fixture_from_text(struct fixture *f, const char *arch_json,
                              const char *wl_json, enum kernel k)
{
    struct err e;
    memset(f, 0, sizeof *f);
    ck_assert_msg(arch_parse("arch", arch_json, strlen(arch_json), &f->arch, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(workload_parse("wl", wl_json, strlen(wl_json), &f->wl, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(workload_derive(f->wl, 0, k, LOWER_NONE, &f->prob, &e) == 0, "%s", e.msg);
    mapping_init(&f->map, f->arch->nlevels);
}

/* Sets level l's temporal factors and order from "P2 R3" style text. */
static void set_temporal(struct mapping *m, int l, const char *loops)
{
    int n = 0;
    for (const char *p = loops; *p;) {
        int d = dim_from_letter(*p++);
        ck_assert_int_ge(d, 0);
        unsigned f = (unsigned)strtoul(p, (char **)&p, 10);
        m->level[l].temporal[d] = f;
        m->level[l].order[n++] = (uint8_t)d;
        while (*p == ' ')
            p++;
    }
    for (int d = 0; d < DIM_COUNT; d++) {
        bool listed = false;
        for (int i = 0; i < n; i++)
            listed |= m->level[l].order[i] == d;
        if (!listed)
            m->level[l].order[n++] = (uint8_t)d;
    }
}

static const struct tensor_stats *ts(const struct model_stats *s, int l, enum slot slot)
{
    return &s->level[l].tensor[slot];
}

#define ck_counts(t, r, f, u)                        \
    do {                                             \
        ck_assert_uint_eq((t)->reads, (r));          \
        ck_assert_uint_eq((t)->fills, (f));          \
        ck_assert_uint_eq((t)->updates, (u));        \
    } while (0)

/* ---- conformance with the validation cases ---- */

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "missing %s", key);
    return v->valuedouble;
}

static void ck_close(double got, double want, const char *what)
{
    double tol = 1e-9 * fabs(want);
    ck_assert_msg(fabs(got - want) <= tol, "%s: got %.17g, expected %.17g", what, got, want);
}

static void check_case(const char *dir)
{
    char path[512];
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct mapping_file *mf = NULL;
    cJSON *exp = NULL;
    snprintf(path, sizeof path, "%s/arch.json", dir);
    ck_assert_msg(arch_load(path, &a, &e) == 0, "%s", e.msg);
    snprintf(path, sizeof path, "%s/workload.json", dir);
    ck_assert_msg(workload_load(path, &w, &e) == 0, "%s", e.msg);
    snprintf(path, sizeof path, "%s/mapping.json", dir);
    ck_assert_msg(mapping_load(path, &mf, &e) == 0, "%s", e.msg);
    int layer = workload_find_layer(w, mf->layer);
    ck_assert_int_ge(layer, 0);
    struct problem p;
    ck_assert_msg(workload_derive(w, layer, (enum kernel)mf->kernel, LOWER_NONE, &p, &e) == 0,
                  "%s", e.msg);
    struct mapping m;
    ck_assert_msg(mapping_bind(mf, path, a, &p, &m, &e) == 0, "%s", e.msg);
    struct model_stats s;
    ck_assert_msg(model_eval(a, &p, &m, &s, &e) == 0, "%s: %s", dir, e.msg);
    snprintf(path, sizeof path, "%s/expected.json", dir);
    ck_assert_msg(json_load(path, &exp, &e) == 0, "%s", e.msg);

    ck_assert_uint_eq(s.macs, (uint64_t)num(exp, "macs"));
    ck_assert_uint_eq(s.cycles, (uint64_t)num(exp, "cycles"));
    ck_assert_uint_eq(s.compute_cycles, (uint64_t)num(exp, "compute_cycles"));
    ck_close(s.energy_pj, num(exp, "energy_pj"), "energy_pj");
    ck_close(s.edp, num(exp, "edp"), "edp");
    ck_close(s.utilization, num(exp, "utilization"), "utilization");
    const cJSON *compute = cJSON_GetObjectItemCaseSensitive(exp, "compute");
    ck_assert_uint_eq(s.mac_instances_used, (uint64_t)num(compute, "instances_used"));
    ck_close(s.mac_energy_pj, num(compute, "energy_pj"), "compute.energy_pj");
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(exp, "levels");
    ck_assert_int_eq(cJSON_GetArraySize(levels), a->nlevels);
    for (int l = 0; l < a->nlevels; l++) {
        const cJSON *lv = cJSON_GetArrayItem(levels, l);
        const struct level_stats *ls = &s.level[l];
        ck_assert_str_eq(cJSON_GetObjectItem(lv, "name")->valuestring, a->level[l].name);
        ck_assert_uint_eq(ls->instances_used, (uint64_t)num(lv, "instances_used"));
        ck_assert_uint_eq(ls->cycles, (uint64_t)num(lv, "cycles"));
        ck_close(ls->energy_pj, num(lv, "energy_pj"), "level energy_pj");
        const cJSON *tensors = cJSON_GetObjectItemCaseSensitive(lv, "tensors");
        for (int t = 0; t < SLOT_COUNT; t++) {
            const cJSON *tv = cJSON_GetArrayItem(tensors, t);
            const struct tensor_stats *x = &ls->tensor[t];
            char what[128];
            snprintf(what, sizeof what, "%s %s %s", dir, a->level[l].name, x->name);
            ck_assert_msg(strcmp(cJSON_GetObjectItem(tv, "name")->valuestring, x->name) == 0,
                          "%s: tensor name", what);
            ck_assert_msg(x->kept == cJSON_IsTrue(cJSON_GetObjectItem(tv, "kept")), "%s kept", what);
            ck_assert_msg(x->tile_words == (uint64_t)num(tv, "tile_words"), "%s tile %llu",
                          what, (unsigned long long)x->tile_words);
            ck_assert_msg(x->reads == (uint64_t)num(tv, "reads_per_instance"), "%s reads %llu",
                          what, (unsigned long long)x->reads);
            ck_assert_msg(x->fills == (uint64_t)num(tv, "fills_per_instance"), "%s fills %llu",
                          what, (unsigned long long)x->fills);
            ck_assert_msg(x->updates == (uint64_t)num(tv, "updates_per_instance"),
                          "%s updates %llu", what, (unsigned long long)x->updates);
            ck_close(x->energy_pj, num(tv, "energy_pj"), what);
        }
    }
    cJSON_Delete(exp);
    mapping_file_free(mf);
    workload_free(w);
    arch_free(a);
}

START_TEST(model_eval_should_match_every_validation_case)
{
    DIR *d = opendir("tests/validation");
    ck_assert_ptr_nonnull(d);
    int cases = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char dir[300];
        snprintf(dir, sizeof dir, "tests/validation/%s", ent->d_name);
        check_case(dir);
        cases++;
    }
    closedir(d);
    ck_assert_int_eq(cases, 16);
}
END_TEST

/* ---- one case per rule, counted by hand ---- */

/* Two levels, one MAC; energies distinct per action so each shows. */
static const char *arch_2level =
    "{\"name\": \"two\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 110,"
    "  \"update_pj\": 120},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 1000, \"read_pj\": 2,"
    "  \"fill_pj\": 3, \"update_pj\": 4}],"
    " \"compute\": {\"name\": \"MAC\", \"energy_pj\": 1}}";

/* 1-D convolution: P4 R3, one channel: input 4 - 1 + 3 - 1 + 1 = 6 words. */
static const char *wl_conv1d =
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 1, \"P\": 4, \"Q\": 1, \"R\": 3, \"S\": 1}]}";

START_TEST(model_eval_should_credit_the_halo_of_a_sliding_window)
{
    struct fixture f;
    fixture_from_text(&f, arch_2level, wl_conv1d, KERNEL_FWD);
    set_temporal(&f.map, 0, "P2");
    set_temporal(&f.map, 1, "P2 R3");
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, &f.map, &s, &e) == 0, "%s", e.msg);
    /* Buf's input tile: P ext 2, R ext 3 -> 2 + 3 - 1 = 4 words.  The DRAM
     * P loop moves it by 2 rows: first tile 4, then 4 - (4 - 2) = 2 new
     * words: PAS = 6, the whole input once. */
    ck_assert_uint_eq(ts(&s, 1, SLOT_INPUTS)->tile_words, 4);
    ck_counts(ts(&s, 1, SLOT_INPUTS), 12, 6, 0);   /* 12 MAC cycles read it */
    ck_counts(ts(&s, 0, SLOT_INPUTS), 6, 0, 0);
    /* Weights: 3 words, stationary under the P loop (zero translation). */
    ck_counts(ts(&s, 1, SLOT_WEIGHTS), 12, 3, 0);
    ck_counts(ts(&s, 0, SLOT_WEIGHTS), 3, 0, 0);
    /* Outputs: Buf tile 2 moved by 2 -> PAS 4 = partition 4: no fills;
     * 12 updates, of which 4 are first writes: 8 reads. */
    ck_counts(ts(&s, 1, SLOT_OUTPUTS), 8, 0, 12);
    ck_counts(ts(&s, 0, SLOT_OUTPUTS), 0, 0, 4);
    /* Energy: DRAM 3*100 + 6*100 + 4*120 = 1380; Buf W 12*2 + 3*3 = 33,
     * I 12*2 + 6*3 = 42, O 8*2 + 12*4 = 64; MACs 12: 1380+139+12 = 1531. */
    ck_assert_double_eq_tol(s.energy_pj, 1531.0, 1e-9);
    ck_assert_uint_eq(s.cycles, 12);
    fixture_release(&f);
}
END_TEST

START_TEST(model_eval_should_lose_the_halo_under_an_irrelevant_inner_loop)
{
    static const char *wl =
        "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
        " \"C\": 1, \"K\": 2, \"P\": 4, \"Q\": 1, \"R\": 3, \"S\": 1}]}";
    struct fixture f;
    fixture_from_text(&f, arch_2level, wl, KERNEL_FWD);
    set_temporal(&f.map, 0, "P2 K2");
    set_temporal(&f.map, 1, "P2 R3");
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, &f.map, &s, &e) == 0, "%s", e.msg);
    /* Sampled walk of the input tile (4 words) under P2 (e = 2) and K2
     * (e = 0): first tile 4; K steps by 0: nothing remembered, receives 0,
     * remembers 0; P steps by 2 - 0 = 2, not the remembered 0: whole tile 4,
     * forget; K again: 0.  PAS = 8, not the 6 of a pure slide. */
    ck_counts(ts(&s, 1, SLOT_INPUTS), 24, 8, 0);
    ck_counts(ts(&s, 0, SLOT_INPUTS), 8, 0, 0);
    fixture_release(&f);
}
END_TEST

/* DRAM -> Buf (1 instance) -> PE (2 x 2 instances) -> one MAC per PE. */
static const char *arch_array =
    "{\"name\": \"array\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 110,"
    "  \"update_pj\": 120},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 4096, \"read_pj\": 2,"
    "  \"fill_pj\": 3, \"update_pj\": 4},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
    "  \"size_words\": 64, \"read_pj\": 0.5, \"fill_pj\": 0.25, \"update_pj\": 0.75}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}";

static const char *wl_fc =
    "{\"name\": \"fc\", \"batch\": 2, \"layers\": [{\"name\": \"fc\", \"type\": \"fc\","
    " \"C\": 4, \"K\": 4}]}";

START_TEST(model_eval_should_multicast_operands_and_reduce_results)
{
    struct fixture f;
    fixture_from_text(&f, arch_array, wl_fc, KERNEL_FWD);
    /* fc N2 K4 C4; Buf spreads K2 over X and C2 over Y; each PE runs
     * N2 K2 C2 (8 cycles). */
    f.map.level[1].spatial_x[DIM_K] = 2;
    f.map.level[1].spatial_y[DIM_C] = 2;
    set_temporal(&f.map, 2, "N2 K2 C2");
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, &f.map, &s, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(s.compute_cycles, 8);
    ck_assert_uint_eq(s.level[2].instances_used, 4);
    /* PE tiles: W K2 C2 = 4, I N2 C2 = 4, O N2 K2 = 4, each received once:
     * PAS = 4 per PE.  Buf reads W for 4 distinct (k, c) PEs: 16; I is the
     * same for the two K columns: 2 groups, 8 reads; O's deltas are the same
     * for the two C rows: 2 groups reduced, 8 updates. */
    ck_counts(ts(&s, 1, SLOT_WEIGHTS), 16, 16, 0);
    ck_counts(ts(&s, 1, SLOT_INPUTS), 8, 8, 0);
    /* Partitions: O is 8 words; Buf's part 8; PE's part: Buf's spatial loops
     * span K ext 4 (N2 K4 = 8 words) over the PE tile of 4: 8 * 4 / 8 = 4.
     * PE: 8 updates, 8 - 4 = 4 reads, fills 4 - 4 = 0.  Buf: updates 4 * 2
     * groups = 8, reads 8 - 8 = 0. */
    ck_counts(ts(&s, 2, SLOT_OUTPUTS), 4, 0, 8);
    ck_counts(ts(&s, 1, SLOT_OUTPUTS), 0, 0, 8);
    ck_counts(ts(&s, 2, SLOT_WEIGHTS), 8, 4, 0);
    fixture_release(&f);
}
END_TEST

START_TEST(model_eval_should_serve_a_bypassed_tensor_from_the_next_level_out)
{
    struct fixture f;
    fixture_from_text(&f, arch_array, wl_fc, KERNEL_FWD);
    f.map.level[1].spatial_x[DIM_K] = 2;
    f.map.level[1].spatial_y[DIM_C] = 2;
    set_temporal(&f.map, 2, "N2 K2 C2");
    f.map.level[2].bypass[SLOT_WEIGHTS] = true;
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, &f.map, &s, &e) == 0, "%s", e.msg);
    /* Weights skip the PEs: Buf feeds the MACs directly, one word per MAC
     * per cycle, the 4 MACs needing 4 distinct weights: 8 cycles * 4 = 32. */
    ck_assert(!ts(&s, 2, SLOT_WEIGHTS)->kept);
    ck_counts(ts(&s, 2, SLOT_WEIGHTS), 0, 0, 0);
    ck_counts(ts(&s, 1, SLOT_WEIGHTS), 32, 16, 0);
    fixture_release(&f);
}
END_TEST

START_TEST(model_eval_should_charge_energy_per_block_rounded_up)
{
    static const char *arch =
        "{\"name\": \"blk\", \"word_bits\": 8, \"clock_mhz\": 1000, \"levels\": ["
        " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 64, \"fill_pj\": 64,"
        "  \"update_pj\": 80, \"block_words\": 4},"
        " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 1000, \"read_pj\": 2,"
        "  \"fill_pj\": 3, \"update_pj\": 4}],"
        " \"compute\": {\"name\": \"MAC\", \"energy_pj\": 1}}";
    struct fixture f;
    fixture_from_text(&f, arch, wl_conv1d, KERNEL_FWD);
    set_temporal(&f.map, 1, "P4 R3");
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, &f.map, &s, &e) == 0, "%s", e.msg);
    /* DRAM reads W 3 words -> ceil(3/4) = 1 block = 64 pJ; I 6 words -> 2
     * blocks = 128 pJ; O 4 updates -> 1 block = 80 pJ. */
    ck_assert_double_eq_tol(ts(&s, 0, SLOT_WEIGHTS)->energy_pj, 64.0, 1e-9);
    ck_assert_double_eq_tol(ts(&s, 0, SLOT_INPUTS)->energy_pj, 128.0, 1e-9);
    ck_assert_double_eq_tol(ts(&s, 0, SLOT_OUTPUTS)->energy_pj, 80.0, 1e-9);
    fixture_release(&f);
}
END_TEST

START_TEST(model_eval_should_slow_down_to_the_scarcest_bandwidth)
{
    static const char *arch =
        "{\"name\": \"bw\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
        " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
        "  \"update_pj\": 100, \"read_bw\": 0.5, \"write_bw\": 0.25},"
        " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 1000, \"read_pj\": 2,"
        "  \"fill_pj\": 3, \"update_pj\": 4, \"shared_bw\": 2}],"
        " \"compute\": {\"name\": \"MAC\", \"energy_pj\": 1}}";
    struct fixture f;
    fixture_from_text(&f, arch, wl_conv1d, KERNEL_FWD);
    set_temporal(&f.map, 1, "P4 R3");
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, &f.map, &s, &e) == 0, "%s", e.msg);
    /* 12 compute cycles.  DRAM reads 3 + 6 = 9 words at 0.5/cycle: 18
     * cycles; writes 4 at 0.25/cycle: 16.  Buf: reads 12 + 12 + 8 = 32,
     * writes fills 3 + 6 + updates 12 = 21; 53 words at 2/cycle: 26.5 ->
     * 27 cycles.  The run takes the slowest: 27. */
    ck_assert_uint_eq(s.compute_cycles, 12);
    ck_assert_uint_eq(s.level[0].cycles, 18);
    ck_assert_uint_eq(s.level[1].cycles, 27);
    ck_assert_uint_eq(s.cycles, 27);
    ck_assert_double_eq_tol(s.utilization, 12.0 / 27.0, 1e-12);
    fixture_release(&f);
}
END_TEST

START_TEST(model_check_should_name_the_level_that_does_not_fit)
{
    struct fixture f;
    struct err e;
    fixture_from_text(&f, arch_array, wl_fc, KERNEL_FWD);
    /* Everything in the PE: W 16 + I 8 + O 8 = 32 words fits 64... so ask
     * for a spatial split the mesh cannot hold first. */
    f.map.level[1].spatial_x[DIM_K] = 4;
    set_temporal(&f.map, 2, "N2 C4");
    ck_assert_int_eq(model_check(f.arch, &f.prob, &f.map, &e), ERR_INVALID_MAPPING);
    ck_assert_str_eq(e.msg, "level 'Buf': spatial factors need 4 x 1 instances "
                            "(X: K4; Y: none), fanout is 2 x 2");
    fixture_release(&f);

    static const char *wl =
        "{\"name\": \"fc\", \"batch\": 8, \"layers\": [{\"name\": \"fc\", \"type\": \"fc\","
        " \"C\": 8, \"K\": 4}]}";
    fixture_from_text(&f, arch_array, wl, KERNEL_FWD);
    set_temporal(&f.map, 2, "N8 K4 C8");
    /* PE tiles: W 4*8 = 32, I 8*8 = 64, O 8*4 = 32: 128 > 64. */
    ck_assert_int_eq(model_check(f.arch, &f.prob, &f.map, &e), ERR_INVALID_MAPPING);
    ck_assert_str_eq(e.msg, "level 'PE': tiles need 128 words (W 32 + I 64 + O 32), "
                            "capacity 64");
    fixture_release(&f);
}
END_TEST

START_TEST(model_eval_should_stream_the_sgd_update_through_the_weight_levels)
{
    struct fixture f;
    fixture_from_text(&f, arch_2level, wl_conv1d, KERNEL_UPDATE);
    struct model_stats s;
    struct err e;
    ck_assert_msg(model_eval(f.arch, &f.prob, NULL, &s, &e) == 0, "%s", e.msg);
    /* 3 weights; SGD: one op per weight; W read and written, dW read.
     * DRAM: W 3 reads + 3 updates, dW 3 reads: 3*100 + 3*120 + 3*100 = 960.
     * Buf: W 3 reads, 3 fills, 3 updates: 6 + 9 + 12 = 27; dW 3 reads + 3
     * fills: 6 + 9 = 15.  MAC 3.  Total 1005; 3 cycles on one MAC. */
    ck_assert_uint_eq(s.macs, 3);
    ck_assert_uint_eq(s.cycles, 3);
    ck_assert_double_eq_tol(s.energy_pj, 1005.0, 1e-9);
    fixture_release(&f);
}
END_TEST

START_TEST(model_bounds_should_charge_compulsory_traffic_and_one_access_per_cycle)
{
    struct fixture f;
    fixture_from_text(&f, arch_2level, wl_conv1d, KERNEL_FWD);
    struct model_bounds b;
    model_bounds(f.arch, &f.prob, &b);
    /* 12 MACs on 1 MAC unit: 12 cycles.  Energy: MACs 12; W 3 words read
     * from DRAM (300) + (12 - 3) * 2 cheapest read; I 6 * 100 + 6 * 2;
     * O 4 * 120 + 8 * 4 (cheapest update).  12 + 318 + 612 + 512 = 1454. */
    ck_assert_double_eq_tol(b.cycles, 12.0, 1e-12);
    ck_assert_double_eq_tol(b.energy_pj, 1454.0, 1e-9);
    fixture_release(&f);
}
END_TEST


/* ---- the fast model against the brute-force reading of the rules ---- */

static bool same_stats(const struct model_stats *x, const struct model_stats *y,
                       char *why, size_t cap)
{
    if (x->macs != y->macs || x->cycles != y->cycles ||
        x->compute_cycles != y->compute_cycles ||
        x->mac_instances_used != y->mac_instances_used || x->nlevels != y->nlevels) {
        snprintf(why, cap, "totals: cycles %llu vs %llu",
                 (unsigned long long)x->cycles, (unsigned long long)y->cycles);
        return false;
    }
    for (int l = 0; l < x->nlevels; l++) {
        const struct level_stats *a = &x->level[l], *b = &y->level[l];
        if (a->instances_used != b->instances_used || a->cycles != b->cycles) {
            snprintf(why, cap, "level %d: instances or cycles", l);
            return false;
        }
        for (int t = 0; t < SLOT_COUNT; t++) {
            const struct tensor_stats *u = &a->tensor[t], *v = &b->tensor[t];
            if (u->kept != v->kept || u->tile_words != v->tile_words ||
                u->reads != v->reads || u->fills != v->fills || u->updates != v->updates) {
                snprintf(why, cap, "level %d tensor %s: tile %llu/%llu reads %llu/%llu "
                         "fills %llu/%llu updates %llu/%llu", l, u->name,
                         (unsigned long long)u->tile_words, (unsigned long long)v->tile_words,
                         (unsigned long long)u->reads, (unsigned long long)v->reads,
                         (unsigned long long)u->fills, (unsigned long long)v->fills,
                         (unsigned long long)u->updates, (unsigned long long)v->updates);
                return false;
            }
            if (fabs(u->energy_pj - v->energy_pj) > 1e-9 * fabs(v->energy_pj)) {
                snprintf(why, cap, "level %d tensor %s: energy", l, u->name);
                return false;
            }
        }
    }
    if (fabs(x->energy_pj - y->energy_pj) > 1e-9 * fabs(y->energy_pj)) {
        snprintf(why, cap, "total energy");
        return false;
    }
    return true;
}

/* 10,000 random triples (2-4 levels, meshes up to 4x4, fanout-only levels,
 * strides, dilation, groups, im2col GEMMs, bypass, bandwidths, blocks, all
 * three training kernels): every count, tile and cycle equal to the
 * brute-force simulator's, energies to 1e-9. */
START_TEST(model_eval_should_equal_the_brute_force_simulator_on_random_cases)
{
    for (uint64_t seed = 1; seed <= 10000; seed++) {
        struct arch a;
        struct problem p;
        struct mapping m;
        ck_assert_int_eq(refsim_random_case(seed, &a, &p, &m), 0);
        struct model_stats fast, slow;
        struct err e;
        ck_assert_msg(model_eval(&a, &p, &m, &fast, &e) == 0, "seed %llu: %s",
                      (unsigned long long)seed, e.msg);
        ck_assert_int_eq(refsim_eval(&a, &p, &m, &slow), 0);
        char why[256];
        ck_assert_msg(same_stats(&fast, &slow, why, sizeof why), "seed %llu: %s",
                      (unsigned long long)seed, why);
    }
}
END_TEST

/* Every field equal, the energies bit for bit. */
static bool identical_stats(const struct model_stats *x, const struct model_stats *y)
{
    if (x->macs != y->macs || x->compute_cycles != y->compute_cycles ||
        x->cycles != y->cycles || x->utilization != y->utilization ||
        x->energy_pj != y->energy_pj || x->edp != y->edp ||
        x->mac_instances_used != y->mac_instances_used ||
        x->mac_energy_pj != y->mac_energy_pj || x->nlevels != y->nlevels ||
        x->bounds.energy_pj != y->bounds.energy_pj || x->bounds.cycles != y->bounds.cycles)
        return false;
    for (int l = 0; l < x->nlevels; l++) {
        const struct level_stats *a = &x->level[l], *b = &y->level[l];
        if (a->instances_used != b->instances_used || a->cycles != b->cycles ||
            a->energy_pj != b->energy_pj || a->ntensors != b->ntensors)
            return false;
        for (int t = 0; t < a->ntensors; t++) {
            const struct tensor_stats *u = &a->tensor[t], *v = &b->tensor[t];
            if (strcmp(u->name, v->name) != 0 || u->slot != v->slot || u->kept != v->kept ||
                u->tile_words != v->tile_words || u->reads != v->reads ||
                u->fills != v->fills || u->updates != v->updates ||
                u->energy_pj != v->energy_pj)
                return false;
        }
    }
    return true;
}

/* One prepared context serves any number of mappings of its problem, in any
 * order, and keeps nothing from one to the next: each result equals
 * model_eval's bit for bit.  The second mapping (every level's loop order
 * reversed) is valid when the first is, and the simulator checks it too. */
START_TEST(model_eval_prepared_should_equal_model_eval_for_every_mapping_it_serves)
{
    for (uint64_t seed = 1; seed <= 500; seed++) {
        struct arch a;
        struct problem p;
        struct mapping m[2];
        ck_assert_int_eq(refsim_random_case(seed, &a, &p, &m[0]), 0);
        m[1] = m[0];
        for (int l = 0; l < m[1].nlevels; l++)
            for (int i = 0; i < DIM_COUNT; i++)
                m[1].level[l].order[i] = m[0].level[l].order[DIM_COUNT - 1 - i];
        struct model_prep prep;
        model_prepare(&prep, &a, &p);
        for (int k = 0; k < 3; k++) {
            const struct mapping *mk = &m[k % 2];
            struct model_stats fresh, prepared, slow;
            ck_assert_int_eq(model_check_prepared(&prep, mk, NULL), 0);
            ck_assert_int_eq(model_eval(&a, &p, mk, &fresh, NULL), 0);
            ck_assert_int_eq(model_eval_prepared(&prep, mk, &prepared, NULL), 0);
            ck_assert_msg(identical_stats(&prepared, &fresh), "seed %llu, mapping %d",
                          (unsigned long long)seed, k);
            ck_assert_int_eq(refsim_eval(&a, &p, mk, &slow), 0);
            char why[256];
            ck_assert_msg(same_stats(&prepared, &slow, why, sizeof why), "seed %llu: %s",
                          (unsigned long long)seed, why);
        }
    }
}
END_TEST

Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, model_eval_should_match_every_validation_case);
    tcase_add_test(tc, model_eval_should_credit_the_halo_of_a_sliding_window);
    tcase_add_test(tc, model_eval_should_lose_the_halo_under_an_irrelevant_inner_loop);
    tcase_add_test(tc, model_eval_should_multicast_operands_and_reduce_results);
    tcase_add_test(tc, model_eval_should_serve_a_bypassed_tensor_from_the_next_level_out);
    tcase_add_test(tc, model_eval_should_charge_energy_per_block_rounded_up);
    tcase_add_test(tc, model_eval_should_slow_down_to_the_scarcest_bandwidth);
    tcase_add_test(tc, model_check_should_name_the_level_that_does_not_fit);
    tcase_add_test(tc, model_eval_should_stream_the_sgd_update_through_the_weight_levels);
    tcase_add_test(tc, model_bounds_should_charge_compulsory_traffic_and_one_access_per_cycle);
    tcase_add_test(tc, model_eval_should_equal_the_brute_force_simulator_on_random_cases);
    tcase_add_test(tc, model_eval_prepared_should_equal_model_eval_for_every_mapping_it_serves);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
