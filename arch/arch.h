/*
 * arch: an accelerator's memory hierarchy, loaded from arch JSON.
 *
 * Levels are stored outermost (index 0, usually DRAM) first; the MAC array
 * sits below the innermost level.  Each level's fanout is the ratio of the
 * next inner level's mesh (or the MAC mesh, for the innermost level) to its
 * own, in X and in Y: the number of children one instance feeds.
 *
 * Ownership: arch_load returns a heap object the caller releases with
 * arch_free.  Nothing else in the struct is shared; after loading it is
 * read-only and safe to share between threads.
 */
#ifndef TRAINMAP_ARCH_H
#define TRAINMAP_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../workloads/problem.h"

#define ARCH_MAX_LEVELS 8
#define ARCH_NAME_MAX 64

enum level_class { LEVEL_DRAM, LEVEL_SRAM, LEVEL_REGFILE, LEVEL_CLASS_COUNT };

struct arch_level {
    char name[ARCH_NAME_MAX];
    enum level_class cls;
    uint32_t mesh_x, mesh_y;       /* instances = mesh_x * mesh_y */
    uint32_t fanout_x, fanout_y;   /* children per instance, derived */
    bool keeps[SLOT_COUNT];        /* slots this level may hold */
    /* Capacity in words per instance.  size_kind says how to read it. */
    enum { SIZE_UNBOUNDED, SIZE_SHARED, SIZE_PER_SLOT } size_kind;
    uint64_t size_words;           /* SIZE_SHARED */
    uint64_t slot_size_words[SLOT_COUNT]; /* SIZE_PER_SLOT; 0 for unkept */
    uint32_t multiple_buffering;   /* >= 1 */
    uint32_t block_words;          /* >= 1 */
    double read_pj, fill_pj, update_pj; /* per block access */
    /* Words per cycle per instance; INFINITY when absent (unlimited). */
    double read_bw, write_bw, shared_bw;
};

struct arch_compute {
    char name[ARCH_NAME_MAX];
    uint32_t mesh_x, mesh_y;
    double energy_pj;              /* per MAC */
};

struct arch {
    char name[ARCH_NAME_MAX];
    char *comment;                 /* owned; NULL when absent */
    uint32_t word_bits;
    double clock_mhz;
    int nlevels;
    struct arch_level level[ARCH_MAX_LEVELS];
    struct arch_compute compute;
};

/* Loads and validates an arch file.  Returns 0 and sets *out, or a
 * negative ERR_* code with err filled ("file: levels[2].mesh_x: ...");
 * *out is NULL on failure. */
int arch_load(const char *path, struct arch **out, struct err *err);

/* Same from an in-memory buffer; name is used in messages. */
int arch_parse(const char *name, const char *text, size_t len,
               struct arch **out, struct err *err);

/* Releases a; NULL is a no-op. */
void arch_free(struct arch *a);

/* Index of the level named name, or -1. */
int arch_find_level(const struct arch *a, const char *name);

/* Usable capacity of level l for slot s under multiple buffering, or
 * UINT64_MAX when unbounded.  For SIZE_SHARED this is the shared total. */
uint64_t arch_capacity_words(const struct arch_level *l, enum slot s);

/* Total number of MAC units. */
uint64_t arch_mac_count(const struct arch *a);

const char *level_class_name(enum level_class c);

#endif
