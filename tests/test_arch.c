/*
 * Tests of arch/: the reference cases' arch files and the shipped presets
 * load with the fields and fanouts their sources give; malformed files
 * (tests/data/arch/) fail with the exact message; capacities honour
 * multiple buffering and per-slot sizes.
 */
#include <check.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"

#define VALIDATION_ARCHS "tests/validation/*/arch.json"
#define DATA "tests/data/arch/"

static struct arch *load_ok(const char *path)
{
    struct arch *a = NULL;
    struct err e;
    err_clear(&e);
    int rc = arch_load(path, &a, &e);
    ck_assert_msg(rc == 0, "%s: %s", path, e.msg);
    ck_assert_ptr_nonnull(a);
    return a;
}

static struct arch *parse_ok(const char *text)
{
    struct arch *a = NULL;
    struct err e;
    err_clear(&e);
    int rc = arch_parse("inline.json", text, strlen(text), &a, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    return a;
}

/* ---- the reference cases' arch files ---- */

START_TEST(arch_load_should_accept_every_validation_arch)
{
    glob_t g;
    ck_assert_int_eq(glob(VALIDATION_ARCHS, 0, NULL, &g), 0);
    /* 16 cases, one folder each (the validation README's table). */
    ck_assert_uint_eq(g.gl_pathc, 16);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct arch *a = load_ok(g.gl_pathv[i]);
        ck_assert_int_ge(a->nlevels, 1);
        ck_assert_uint_ge(arch_mac_count(a), 1);
        arch_free(a);
    }
    globfree(&g);
}
END_TEST

START_TEST(arch_load_should_read_the_16pe_reference_arch)
{
    struct arch *a = load_ok("tests/validation/conv3x3_fwd/arch.json");
    ck_assert_str_eq(a->name, "validation-16pe");
    ck_assert_ptr_nonnull(a->comment);
    ck_assert(strncmp(a->comment, "DRAM -> 64 Ki-word global buffer", 32) == 0);
    ck_assert_uint_eq(a->word_bits, 16);
    ck_assert(a->clock_mhz == 1000.0);
    ck_assert_int_eq(a->nlevels, 3);

    const struct arch_level *dram = &a->level[0], *gb = &a->level[1], *rf = &a->level[2];
    ck_assert_str_eq(dram->name, "DRAM");
    ck_assert_int_eq(dram->cls, LEVEL_DRAM);
    ck_assert_int_eq(dram->size_kind, SIZE_UNBOUNDED);
    ck_assert(dram->keeps[SLOT_WEIGHTS] && dram->keeps[SLOT_INPUTS] && dram->keeps[SLOT_OUTPUTS]);
    ck_assert(dram->read_pj == 200.0 && dram->fill_pj == 200.0 && dram->update_pj == 200.0);
    ck_assert(isinf(dram->read_bw) && isinf(dram->write_bw) && isinf(dram->shared_bw));
    /* DRAM (1x1) feeds one GlobalBuffer (1x1). */
    ck_assert_uint_eq(dram->fanout_x, 1);
    ck_assert_uint_eq(dram->fanout_y, 1);

    ck_assert_str_eq(gb->name, "GlobalBuffer");
    ck_assert_int_eq(gb->cls, LEVEL_SRAM);
    ck_assert_int_eq(gb->size_kind, SIZE_SHARED);
    ck_assert_uint_eq(gb->size_words, 65536);
    ck_assert(gb->read_pj == 6.0 && gb->fill_pj == 6.5 && gb->update_pj == 7.0);
    ck_assert_uint_eq(gb->multiple_buffering, 1);
    ck_assert_uint_eq(gb->block_words, 1);
    /* The 4x4 register files under the one (1x1) global buffer. */
    ck_assert_uint_eq(gb->fanout_x, 4);
    ck_assert_uint_eq(gb->fanout_y, 4);

    ck_assert_int_eq(rf->cls, LEVEL_REGFILE);
    ck_assert_uint_eq(rf->mesh_x, 4);
    ck_assert_uint_eq(rf->mesh_y, 4);
    ck_assert_uint_eq(rf->size_words, 256);
    ck_assert(rf->read_pj == 0.5 && rf->fill_pj == 0.6 && rf->update_pj == 0.7);
    /* MAC mesh 4x4 over the register files' 4x4: one MAC each. */
    ck_assert_uint_eq(rf->fanout_x, 1);
    ck_assert_uint_eq(rf->fanout_y, 1);

    ck_assert_str_eq(a->compute.name, "MACC");
    ck_assert(a->compute.energy_pj == 1.0);
    ck_assert_uint_eq(arch_mac_count(a), 16); /* 4 x 4 */
    ck_assert_int_eq(arch_find_level(a, "RegisterFile"), 2);
    ck_assert_int_eq(arch_find_level(a, "DRAM"), 0);
    ck_assert_int_eq(arch_find_level(a, "L2"), -1);
    ck_assert_uint_eq(arch_capacity_words(gb, SLOT_INPUTS), 65536);
    ck_assert_uint_eq(arch_capacity_words(dram, SLOT_WEIGHTS), UINT64_MAX);
    arch_free(a);
}
END_TEST

START_TEST(arch_load_should_read_dram_bandwidths)
{
    struct arch *a = load_ok("tests/validation/conv3x3_fwd_dram_bw/arch.json");
    ck_assert(a->level[0].read_bw == 0.1 && a->level[0].write_bw == 0.1);
    ck_assert(isinf(a->level[0].shared_bw));
    ck_assert(isinf(a->level[1].read_bw));
    arch_free(a);
}
END_TEST

START_TEST(arch_load_should_derive_fanout_below_the_outermost_level)
{
    struct arch *a = load_ok("tests/validation/tutorial_04_cp/arch.json");
    ck_assert_int_eq(a->nlevels, 3);
    /* MainMemory (1) over GlobalBuffer (mesh_x 16): 16 x 1. */
    ck_assert_uint_eq(a->level[0].fanout_x, 16);
    ck_assert_uint_eq(a->level[0].fanout_y, 1);
    ck_assert_uint_eq(a->level[1].fanout_x, 1); /* 16 register files / 16 */
    ck_assert_uint_eq(a->level[2].fanout_x, 1); /* 16 MACs / 16 */
    ck_assert_uint_eq(a->level[0].block_words, 32);
    ck_assert_uint_eq(a->level[1].block_words, 8);
    ck_assert_uint_eq(arch_mac_count(a), 16);
    arch_free(a);
}
END_TEST

START_TEST(arch_load_should_default_a_single_level_arch)
{
    struct arch *a = load_ok("tests/validation/tutorial_00_1level/arch.json");
    ck_assert_int_eq(a->nlevels, 1);
    ck_assert_uint_eq(a->level[0].size_words, 64);
    ck_assert_uint_eq(a->level[0].mesh_x, 1);
    ck_assert_uint_eq(a->compute.mesh_x, 1); /* compute mesh absent: 1 x 1 */
    ck_assert_uint_eq(a->compute.mesh_y, 1);
    ck_assert_uint_eq(arch_mac_count(a), 1);
    ck_assert(a->compute.energy_pj == 0.845);
    arch_free(a);
}
END_TEST

/* ---- malformed files ---- */

struct bad_case {
    const char *file;  /* under tests/data/arch/ ("" for the folder itself) */
    int code;
    const char *tail;  /* the message after the path */
};

static const struct bad_case bad_cases[] = {
    { "syntax.json", ERR_SYNTAX, ":4:3: expected ',' or '}', got '\"'" },
    { "empty.json", ERR_SYNTAX, ":1:1: expected a value, got end of file" },
    /* NaN is not JSON: 'N' is the 51st character of line 3. */
    { "nan.json", ERR_SYNTAX, ":3:51: expected a value, got 'N'" },
    { "top_not_object.json", ERR_SCHEMA, ": (top level): expected an arch object, got an array" },
    { "unknown_top_key.json", ERR_SCHEMA,
      ": frequency_mhz: unknown key, expected one of: name, word_bits, clock_mhz, levels, "
      "compute, comment" },
    { "unknown_level_key.json", ERR_SCHEMA,
      ": levels[1].size: unknown key, expected one of: name, class, mesh_x, mesh_y, size_words, "
      "keeps, read_pj, fill_pj, update_pj, write_pj, read_bw, write_bw, shared_bw, "
      "multiple_buffering, block_words, comment" },
    { "duplicate_key.json", ERR_SCHEMA, ": levels[0].read_pj: duplicate key" },
    { "wrong_type.json", ERR_SCHEMA, ": levels[1].mesh_x: expected a positive integer, got \"4\"" },
    { "missing_name.json", ERR_SCHEMA,
      ": name: missing, expected a non-empty string of at most 63 bytes" },
    { "word_bits_out_of_range.json", ERR_SCHEMA,
      ": word_bits: expected an integer from 1 to 64, got 128" },
    { "zero_clock.json", ERR_SCHEMA, ": clock_mhz: expected a positive number, got 0" },
    { "missing_levels.json", ERR_SCHEMA, ": levels: missing, expected an array of 1 to 8 levels" },
    { "empty_levels.json", ERR_SCHEMA,
      ": levels: expected an array of 1 to 8 levels, got an empty array" },
    { "too_many_levels.json", ERR_SCHEMA,
      ": levels: expected an array of 1 to 8 levels, got 9 levels" },
    { "level_not_object.json", ERR_SCHEMA, ": levels[1]: expected a level object, got 5" },
    { "missing_class.json", ERR_SCHEMA,
      ": levels[0].class: missing, expected one of \"dram\", \"sram\", \"regfile\"" },
    { "unknown_class.json", ERR_SCHEMA,
      ": levels[0].class: expected one of \"dram\", \"sram\", \"regfile\", got \"hbm\"" },
    { "negative_size.json", ERR_SCHEMA,
      ": levels[1].size_words: expected a positive integer, got -4" },
    { "huge_size.json", ERR_TOO_LARGE,
      ": levels[1].size_words: 1e+30 is too large (at most 9007199254740992)" },
    { "zero_mesh.json", ERR_SCHEMA, ": levels[1].mesh_y: expected a positive integer, got 0" },
    { "mesh_too_large.json", ERR_TOO_LARGE,
      ": levels[1].mesh_x: 4294967296 is too large (at most 4294967295)" },
    { "outer_mesh.json", ERR_SCHEMA, ": levels[0].mesh_x: expected 1 at the outermost level, got 2" },
    { "mesh_not_multiple.json", ERR_SCHEMA,
      ": levels[2].mesh_x: expected a multiple of 4 (the mesh_x of level 'GlobalBuffer'), got 6" },
    { "compute_mesh_not_multiple.json", ERR_SCHEMA,
      ": compute.mesh_y: expected a multiple of 4 (the mesh_y of level 'RegisterFile'), got 6" },
    { "duplicate_level_name.json", ERR_SCHEMA,
      ": levels[2].name: expected a name not used by an earlier level, got \"Buffer\"" },
    { "negative_energy.json", ERR_SCHEMA,
      ": levels[1].read_pj: expected a non-negative number, got -1" },
    { "missing_fill.json", ERR_SCHEMA,
      ": levels[0].fill_pj: missing, expected a non-negative number" },
    { "write_and_fill.json", ERR_SCHEMA,
      ": levels[1].write_pj: expected either write_pj or fill_pj and update_pj, "
      "got write_pj together with fill_pj" },
    { "negative_bandwidth.json", ERR_SCHEMA,
      ": levels[0].read_bw: expected a positive number, got -2" },
    { "zero_bandwidth.json", ERR_SCHEMA,
      ": levels[1].shared_bw: expected a positive number, got 0" },
    { "unknown_keeps_slot.json", ERR_SCHEMA,
      ": levels[1].keeps[1]: expected one of \"weights\", \"inputs\", \"outputs\", got \"psums\"" },
    { "duplicate_keeps.json", ERR_SCHEMA,
      ": levels[1].keeps[1]: expected a slot not listed before, got \"inputs\"" },
    { "first_level_partial.json", ERR_SCHEMA,
      ": levels[0].keeps: expected the outermost level to keep weights, inputs and outputs, "
      "got inputs, outputs" },
    { "size_object_unknown_slot.json", ERR_SCHEMA,
      ": levels[1].size_words.psums: unknown key, expected one of: weights, inputs, outputs, "
      "comment" },
    { "size_object_unkept_slot.json", ERR_SCHEMA,
      ": levels[1].size_words.weights: expected only slots in keeps (inputs, outputs), "
      "got weights" },
    { "size_object_missing_kept_slot.json", ERR_SCHEMA,
      ": levels[1].size_words.inputs: missing, expected a positive integer" },
    { "fanout_level_with_size.json", ERR_SCHEMA,
      ": levels[1].size_words: expected no size_words on a level that keeps nothing, got 16" },
    { "multiple_buffering_exceeds_size.json", ERR_SCHEMA,
      ": levels[1].multiple_buffering: expected at most 1 (the size_words of inputs), got 2" },
    /* 2^53 words x (2^32 - 1)^2 instances overflows 64 bits. */
    { "total_capacity_overflow.json", ERR_TOO_LARGE,
      ": levels[1]: 9007199254740992 words per instance x 4294967295 x 4294967295 instances "
      "is too large (the total must fit in 64 bits)" },
    { "missing_compute.json", ERR_SCHEMA, ": compute: missing, expected a compute object" },
    { "", ERR_IO, ": is a directory, expected a JSON file" },
};

START_TEST(arch_load_should_reject_malformed_files_with_exact_messages)
{
    const struct bad_case *c = &bad_cases[_i];
    char path[256], want[1024];
    if (c->file[0])
        snprintf(path, sizeof path, DATA "%s", c->file);
    else
        snprintf(path, sizeof path, "tests/data/arch");
    snprintf(want, sizeof want, "%s%s", path, c->tail);
    static struct arch sentinel;
    struct arch *a = &sentinel; /* must be reset to NULL */
    struct err e;
    err_clear(&e);
    ck_assert_int_eq(arch_load(path, &a, &e), c->code);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(e.code, c->code);
    ck_assert_str_eq(e.msg, want);
}
END_TEST

START_TEST(arch_load_should_have_a_data_file_for_every_case)
{
    glob_t g;
    ck_assert_int_eq(glob(DATA "*.json", 0, NULL, &g), 0);
    /* Every file under tests/data/arch is pinned by one case (the folder
     * case has no file). */
    ck_assert_uint_eq(g.gl_pathc, sizeof bad_cases / sizeof bad_cases[0] - 1);
    globfree(&g);
}
END_TEST

START_TEST(arch_parse_should_name_the_buffer_in_messages)
{
    const char *text = "{\"name\": \"x\"}";
    struct arch *a = NULL;
    struct err e;
    ck_assert_int_eq(arch_parse("mem.json", text, strlen(text), &a, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "mem.json: word_bits: missing, expected an integer from 1 to 64");
    ck_assert_ptr_null(a);
}
END_TEST

/* ---- capacities, per-slot sizes, fanout-only levels ---- */

static const char cap_arch[] =
    "{ \"name\": \"cap\", \"word_bits\": 16, \"clock_mhz\": 500,\n"
    "  \"levels\": [\n"
    "    { \"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 200, \"write_pj\": 210 },\n"
    "    { \"name\": \"Buffer\", \"class\": \"sram\", \"size_words\": 1001,\n"
    "      \"multiple_buffering\": 2, \"read_pj\": 6, \"write_pj\": 6 },\n"
    "    { \"name\": \"Columns\", \"class\": \"regfile\", \"mesh_x\": 2, \"keeps\": [] },\n"
    "    { \"name\": \"Spad\", \"class\": \"regfile\", \"mesh_x\": 4, \"mesh_y\": 3,\n"
    "      \"keeps\": [\"outputs\", \"weights\", \"inputs\"],\n"
    "      \"size_words\": { \"weights\": 224, \"inputs\": 13, \"outputs\": 24 },\n"
    "      \"multiple_buffering\": 2, \"read_pj\": 1, \"fill_pj\": 1.5, \"update_pj\": 2 },\n"
    "    { \"name\": \"Regs\", \"class\": \"regfile\", \"mesh_x\": 8, \"mesh_y\": 3,\n"
    "      \"size_words\": { \"weights\": 2 }, \"multiple_buffering\": 2,\n"
    "      \"read_pj\": 0.1, \"write_pj\": 0.2, \"shared_bw\": 2.5, \"block_words\": 4 } ],\n"
    "  \"compute\": { \"name\": \"MAC\", \"mesh_x\": 8, \"mesh_y\": 6, \"energy_pj\": 1 } }\n";

START_TEST(arch_capacity_words_should_divide_by_multiple_buffering)
{
    struct arch *a = parse_ok(cap_arch);
    ck_assert_int_eq(a->nlevels, 5);
    ck_assert_ptr_null(a->comment);
    /* Shared 1001 words double-buffered: floor(1001 / 2) = 500, whatever
     * the slot asked about (the total the kept slots share). */
    const struct arch_level *buf = &a->level[1];
    ck_assert_int_eq(buf->size_kind, SIZE_SHARED);
    ck_assert_uint_eq(arch_capacity_words(buf, SLOT_WEIGHTS), 500);
    ck_assert_uint_eq(arch_capacity_words(buf, SLOT_OUTPUTS), 500);
    ck_assert_uint_eq(arch_capacity_words(&a->level[0], SLOT_INPUTS), UINT64_MAX);
    arch_free(a);
}
END_TEST

START_TEST(arch_capacity_words_should_read_per_slot_sizes)
{
    struct arch *a = parse_ok(cap_arch);
    const struct arch_level *spad = &a->level[3], *regs = &a->level[4];
    ck_assert_int_eq(spad->size_kind, SIZE_PER_SLOT);
    ck_assert(spad->keeps[SLOT_WEIGHTS] && spad->keeps[SLOT_INPUTS] && spad->keeps[SLOT_OUTPUTS]);
    /* 224 / 2 = 112, floor(13 / 2) = 6, 24 / 2 = 12. */
    ck_assert_uint_eq(arch_capacity_words(spad, SLOT_WEIGHTS), 112);
    ck_assert_uint_eq(arch_capacity_words(spad, SLOT_INPUTS), 6);
    ck_assert_uint_eq(arch_capacity_words(spad, SLOT_OUTPUTS), 12);
    ck_assert(spad->read_pj == 1.0 && spad->fill_pj == 1.5 && spad->update_pj == 2.0);
    /* Without keeps, the level keeps exactly the slots its sizes name. */
    ck_assert(regs->keeps[SLOT_WEIGHTS] && !regs->keeps[SLOT_INPUTS] && !regs->keeps[SLOT_OUTPUTS]);
    ck_assert_uint_eq(arch_capacity_words(regs, SLOT_WEIGHTS), 1); /* 2 / 2 */
    ck_assert_uint_eq(arch_capacity_words(regs, SLOT_INPUTS), 0);
    ck_assert_uint_eq(regs->slot_size_words[SLOT_OUTPUTS], 0);
    ck_assert(regs->fill_pj == 0.2 && regs->update_pj == 0.2); /* write_pj sets both */
    ck_assert(regs->shared_bw == 2.5 && isinf(regs->read_bw));
    ck_assert_uint_eq(regs->block_words, 4);
    arch_free(a);
}
END_TEST

START_TEST(arch_load_should_accept_fanout_only_levels)
{
    struct arch *a = parse_ok(cap_arch);
    const struct arch_level *col = &a->level[2];
    ck_assert(!col->keeps[SLOT_WEIGHTS] && !col->keeps[SLOT_INPUTS] && !col->keeps[SLOT_OUTPUTS]);
    ck_assert_int_eq(col->size_kind, SIZE_UNBOUNDED);
    ck_assert(col->read_pj == 0 && col->fill_pj == 0 && col->update_pj == 0);
    /* Meshes 1x1, 1x1, 2x1, 4x3, 8x3, MACs 8x6: fanouts are the ratios. */
    ck_assert_uint_eq(a->level[1].fanout_x, 2);
    ck_assert_uint_eq(a->level[1].fanout_y, 1);
    ck_assert_uint_eq(col->fanout_x, 2);
    ck_assert_uint_eq(col->fanout_y, 3);
    ck_assert_uint_eq(a->level[3].fanout_x, 2);
    ck_assert_uint_eq(a->level[3].fanout_y, 1);
    ck_assert_uint_eq(a->level[4].fanout_x, 1);
    ck_assert_uint_eq(a->level[4].fanout_y, 2);
    ck_assert_uint_eq(arch_mac_count(a), 48); /* 8 x 6 */
    ck_assert_int_eq(arch_find_level(a, "Spad"), 3);
    ck_assert_str_eq(level_class_name(a->level[1].cls), "sram");
    ck_assert_str_eq(level_class_name(LEVEL_DRAM), "dram");
    ck_assert_str_eq(level_class_name(LEVEL_REGFILE), "regfile");
    arch_free(a);
}
END_TEST

START_TEST(arch_free_should_accept_null)
{
    arch_free(NULL);
}
END_TEST

/* ---- the shipped presets ---- */

struct preset_case {
    const char *file;
    int nlevels;
    uint64_t macs;
};

/* MAC counts from the sources' array sizes (see each preset's comment). */
static const struct preset_case presets[] = {
    { "validation-16pe.json", 3, 16 },   /* 4 x 4 PEs */
    { "eyeriss.json", 3, 168 },          /* 14 x 12 PEs, one MAC each */
    { "gemmini.json", 4, 256 },          /* 16 x 16 systolic array */
    { "simba.json", 6, 1024 },           /* 16 PEs x 8 vector MACs x 8 lanes */
    { "tpu-v1.json", 5, 65536 },         /* 256 x 256 matrix unit */
    { "training-hbm.json", 4, 65536 },   /* 2 cores x 2 MXUs x 128 x 128 */
};

START_TEST(arch_load_should_accept_every_preset)
{
    glob_t g;
    size_t n = sizeof presets / sizeof presets[0];
    ck_assert_int_eq(glob("arch/presets/*.json", 0, NULL, &g), 0);
    ck_assert_uint_eq(g.gl_pathc, n); /* every preset has a row below */
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *base = strrchr(g.gl_pathv[i], '/') + 1;
        const struct preset_case *p = NULL;
        for (size_t j = 0; j < n; j++)
            if (strcmp(presets[j].file, base) == 0)
                p = &presets[j];
        ck_assert_msg(p != NULL, "no expectations for preset %s", base);
        struct arch *a = load_ok(g.gl_pathv[i]);
        ck_assert_msg(a->nlevels == p->nlevels, "%s: %d levels", base, a->nlevels);
        ck_assert_msg(arch_mac_count(a) == p->macs, "%s: %llu MACs", base,
                      (unsigned long long)arch_mac_count(a));
        ck_assert_msg(a->comment && strlen(a->comment) > 40, "%s: no sources", base);
        arch_free(a);
    }
    globfree(&g);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(1 << 16);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

START_TEST(preset_validation_16pe_should_equal_the_reference_arch)
{
    size_t n1, n2;
    char *a = slurp("arch/presets/validation-16pe.json", &n1);
    char *b = slurp("tests/validation/conv3x3_fwd/arch.json", &n2);
    ck_assert_uint_eq(n1, n2);
    ck_assert(memcmp(a, b, n1) == 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(preset_eyeriss_should_follow_the_eyeriss_chip)
{
    struct arch *a = load_ok("arch/presets/eyeriss.json");
    const struct arch_level *gb = &a->level[1], *pe = &a->level[2];
    /* 108 KB = 110592 bytes = 55296 16-bit words; weights bypass it. */
    ck_assert_uint_eq(gb->size_words, 55296);
    ck_assert(!gb->keeps[SLOT_WEIGHTS] && gb->keeps[SLOT_INPUTS] && gb->keeps[SLOT_OUTPUTS]);
    ck_assert_uint_eq(gb->fanout_x, 14);
    ck_assert_uint_eq(gb->fanout_y, 12);
    ck_assert_int_eq(pe->size_kind, SIZE_PER_SLOT);
    ck_assert_uint_eq(pe->slot_size_words[SLOT_WEIGHTS], 224);
    ck_assert_uint_eq(pe->slot_size_words[SLOT_INPUTS], 12);
    ck_assert_uint_eq(pe->slot_size_words[SLOT_OUTPUTS], 24);
    /* Normalized costs 200x / 6x / 1x of a 1 pJ MAC. */
    ck_assert(a->level[0].read_pj == 200.0 && gb->read_pj == 6.0 && pe->read_pj == 1.0);
    arch_free(a);
}
END_TEST

START_TEST(preset_bandwidths_should_follow_the_papers)
{
    struct arch *a = load_ok("arch/presets/tpu-v1.json");
    /* 34 GB/s at 700 MHz in 8-bit words: 34e9 / 700e6 = 48.571... */
    ck_assert(fabs(a->level[0].shared_bw - 34e9 / 700e6) < 0.01);
    ck_assert_uint_eq(a->level[1].size_words, 24u << 20); /* 24 MiB */
    ck_assert_uint_eq(arch_capacity_words(&a->level[4], SLOT_WEIGHTS), 1);
    arch_free(a);
    a = load_ok("arch/presets/training-hbm.json");
    /* 900 GB/s at 940 MHz in 16-bit words: 900e9 / 940e6 / 2 = 478.72... */
    ck_assert(fabs(a->level[0].shared_bw - 900e9 / 940e6 / 2) < 0.01);
    ck_assert_uint_eq(a->level[1].fanout_x, 2);   /* 4 MXUs over 2 cores */
    ck_assert_uint_eq(a->level[2].fanout_x, 128); /* 512 / 4 */
    ck_assert_uint_eq(a->level[2].fanout_y, 128);
    arch_free(a);
    a = load_ok("arch/presets/gemmini.json");
    ck_assert(a->level[0].shared_bw == 16.0); /* 128-bit bus, 8-bit words */
    ck_assert_uint_eq(a->level[1].size_words, 256u << 10); /* 256 KiB */
    ck_assert_uint_eq(a->level[2].size_words, (64u << 10) / 4); /* 64 KiB of 32-bit */
    arch_free(a);
}
END_TEST

Suite *arch_suite(void)
{
    Suite *s = suite_create("arch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, arch_load_should_accept_every_validation_arch);
    tcase_add_test(tc, arch_load_should_read_the_16pe_reference_arch);
    tcase_add_test(tc, arch_load_should_read_dram_bandwidths);
    tcase_add_test(tc, arch_load_should_derive_fanout_below_the_outermost_level);
    tcase_add_test(tc, arch_load_should_default_a_single_level_arch);
    tcase_add_loop_test(tc, arch_load_should_reject_malformed_files_with_exact_messages, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, arch_load_should_have_a_data_file_for_every_case);
    tcase_add_test(tc, arch_parse_should_name_the_buffer_in_messages);
    tcase_add_test(tc, arch_capacity_words_should_divide_by_multiple_buffering);
    tcase_add_test(tc, arch_capacity_words_should_read_per_slot_sizes);
    tcase_add_test(tc, arch_load_should_accept_fanout_only_levels);
    tcase_add_test(tc, arch_free_should_accept_null);
    tcase_add_test(tc, arch_load_should_accept_every_preset);
    tcase_add_test(tc, preset_validation_16pe_should_equal_the_reference_arch);
    tcase_add_test(tc, preset_eyeriss_should_follow_the_eyeriss_chip);
    tcase_add_test(tc, preset_bandwidths_should_follow_the_papers);
    suite_add_tcase(s, tc);
    return s;
}
