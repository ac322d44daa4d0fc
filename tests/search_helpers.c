/*
 * search_helpers: see search_helpers.h.
 */
#include "search_helpers.h"

#include <check.h>
#include <string.h>

const char *const sh_arch_small =
    "{\"name\": \"small\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 24, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"size_words\": 6,"
    "  \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"energy_pj\": 1}}";

const char *const sh_arch_chain =
    "{\"name\": \"chain\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 64, \"fill_pj\": 64,"
    "  \"update_pj\": 80, \"block_words\": 2, \"read_bw\": 1},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 16, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8, \"shared_bw\": 2},"
    " {\"name\": \"Row\", \"class\": \"sram\", \"mesh_x\": 2, \"keeps\": []},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
    "  \"size_words\": 4, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}";

void sh_fixture_load(struct sh_fixture *f, const char *arch_json, const char *wl_json,
                     enum kernel k)
{
    struct err e;
    memset(f, 0, sizeof *f);
    ck_assert_msg(arch_parse("arch", arch_json, strlen(arch_json), &f->arch, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(workload_parse("wl", wl_json, strlen(wl_json), &f->wl, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(workload_derive(f->wl, 0, k, LOWER_NONE, &f->prob, &e) == 0, "%s", e.msg);
}

void sh_fixture_release(struct sh_fixture *f)
{
    arch_free(f->arch);
    workload_free(f->wl);
}

struct constraints_file *sh_constraints(const struct arch *a, const char *text,
                                        struct constraints *c)
{
    struct constraints_file *cf;
    struct err e;
    ck_assert_msg(constraints_parse("c.json", text, strlen(text), &cf, &e) == 0, "%s", e.msg);
    ck_assert_msg(constraints_bind(cf, a, c, &e) == 0, "%s", e.msg);
    return cf;
}

struct search_options sh_options(enum strategy st, enum objective o, int threads)
{
    struct search_options opt = { .strategy = st, .objective = o, .threads = threads,
                                  .seed = 7, .time_limit_s = 120 };
    return opt;
}

/* Every permutation of the problem's dims at each level, from level l. */
static void plain_orders(struct sh_plain *pl, int l)
{
    if (l == pl->a->nlevels) {
        struct model_stats s;
        const char *why;
        if ((pl->cons && !constraints_allow(pl->cons, &pl->m, &why)) ||
            model_eval(pl->a, pl->p, &pl->m, &s, NULL) != 0)
            return;
        pl->evaluated++;
        if (!pl->have || search_cost(pl->obj, &s) < search_cost(pl->obj, &pl->best) ||
            (search_cost(pl->obj, &s) == search_cost(pl->obj, &pl->best) &&
             s.energy_pj < pl->best.energy_pj)) {
            pl->have = true;
            pl->best = s;
        }
        return;
    }
    int perm[DIM_COUNT];
    memcpy(perm, pl->dims, sizeof perm);
    int n = pl->ndims;
    /* Heap's algorithm, iterative. */
    int c[DIM_COUNT] = { 0 };
    for (int k = 0;;) {
        uint8_t *order = pl->m.level[l].order;
        int used[DIM_COUNT] = { 0 }, o = 0;
        for (int i = 0; i < n; i++) {
            order[o++] = (uint8_t)perm[i];
            used[perm[i]] = 1;
        }
        for (int d = 0; d < DIM_COUNT; d++)
            if (!used[d])
                order[o++] = (uint8_t)d;
        plain_orders(pl, l + 1);
        while (k < n && c[k] >= k) {
            c[k] = 0;
            k++;
        }
        if (k >= n)
            break;
        int j = k % 2 ? c[k] : 0;
        int t = perm[j]; perm[j] = perm[k]; perm[k] = t;
        c[k]++;
        k = 0;
    }
}

/* Every way to split what is left of dim pl->dims[i] over the loops from
 * loop number `loop` on (temporal, X, Y of each level). */
static void plain_factors(struct sh_plain *pl, int i, int loop, uint64_t rem)
{
    int L = pl->a->nlevels;
    if (i == pl->ndims) {
        plain_orders(pl, 0);
        return;
    }
    int d = pl->dims[i];
    if (loop == 3 * L) {
        if (rem == 1)
            plain_factors(pl, i + 1, 0, pl->p->bound[pl->dims[i + 1 < pl->ndims ? i + 1 : i]]);
        return;
    }
    const struct arch_level *al = &pl->a->level[loop / 3];
    if ((loop % 3 == 1 && al->fanout_x == 1) || (loop % 3 == 2 && al->fanout_y == 1)) {
        plain_factors(pl, i, loop + 1, rem);    /* an axis with no fanout */
        return;
    }
    struct mapping_level *ml = &pl->m.level[loop / 3];
    uint32_t *f = loop % 3 == 0 ? &ml->temporal[d] : loop % 3 == 1 ? &ml->spatial_x[d]
                                                                   : &ml->spatial_y[d];
    for (uint64_t x = 1; x <= rem; x++) {
        if (rem % x)
            continue;
        *f = (uint32_t)x;
        plain_factors(pl, i, loop + 1, rem / x);
    }
    *f = 1;
}

void sh_plain_search(struct sh_plain *pl)
{
    int L = pl->a->nlevels;
    pl->ndims = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        if (pl->p->bound[d] > 1)
            pl->dims[pl->ndims++] = d;
    int free = 0;
    for (int l = 1; l < L; l++)
        for (int s = 0; s < SLOT_COUNT; s++)
            free += pl->a->level[l].keeps[s];
    for (uint64_t b = 0; b < (1ull << free); b++) {
        mapping_init(&pl->m, L);
        int k = 0;
        for (int l = 1; l < L; l++)
            for (int s = 0; s < SLOT_COUNT; s++)
                if (pl->a->level[l].keeps[s])
                    pl->m.level[l].bypass[s] = (b >> k++) & 1;
        plain_factors(pl, 0, 0, pl->p->bound[pl->dims[0]]);
    }
}

void sh_expect_plain_optimum(const char *arch_json, const char *wl_json, enum kernel k,
                             enum objective o)
{
    struct sh_fixture f;
    sh_fixture_load(&f, arch_json, wl_json, k);
    struct sh_plain pl = { .a = f.arch, .p = &f.prob, .obj = o };
    sh_plain_search(&pl);
    ck_assert(pl.have);
    struct search_options opt = sh_options(STRATEGY_EXHAUSTIVE, o, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &opt, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    ck_assert_msg(search_cost(o, &r.stats) == search_cost(o, &pl.best),
                  "kernel %d objective %d: search %.17g, plain %.17g (%llu mappings)", (int)k,
                  (int)o, search_cost(o, &r.stats), search_cost(o, &pl.best),
                  (unsigned long long)pl.evaluated);
    struct model_stats again;
    ck_assert_int_eq(model_eval(f.arch, &f.prob, &r.best, &again, NULL), 0);
    ck_assert(again.energy_pj == r.stats.energy_pj && again.cycles == r.stats.cycles);
    sh_fixture_release(&f);
}
