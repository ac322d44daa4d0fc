/*
 * sampling: the random and annealing strategies, for spaces too big to
 * cover.  Each shard draws from its own generator, seeded from the search
 * seed and the shard index, so results repeat for a given seed.
 *
 * random: uniform draws of bypass, factors and orders; a shard stops after
 *   its budget of valid evaluations, or once RANDOM_VICTORY valid draws in
 *   a row bring no improvement (Timeloop's victory condition).
 * anneal: simulated annealing from the best of a few random draws, moving
 *   one factor, swapping two loops or flipping one bypass per step, with a
 *   temperature on the relative cost change that falls geometrically.
 */
#include <math.h>

#include "strategy.h"

#define CHECK_EVERY 512
#define RANDOM_BUDGET 20000
#define RANDOM_VICTORY 500
#define ANNEAL_BUDGET 20000
#define ANNEAL_STARTS 64
#define ANNEAL_T0 0.2
#define ANNEAL_T1 0.0005

static uint64_t shard_seed(const struct search_ctx *c, uint64_t i)
{
    uint64_t s = c->opt->seed * 0x100000001B3ull + i + 1;
    mapspace_rand(&s);
    return s;
}

static void random_draw(const struct mapspace *s, struct mapping *m, uint64_t *rng)
{
    mapspace_set_bypass(s, mapspace_rand(rng) % mapspace_bypass_count(s), m);
    mapspace_random(s, m, rng);
}

/* Whether m obeys the constraints that sampling cannot build in. */
static bool allowed(const struct search_ctx *c, const struct mapping *m)
{
    const char *why;
    return constraints_allow(&c->space->cons, m, &why);
}

void random_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out)
{
    (void)n;
    const struct mapspace *s = c->space;
    uint64_t rng = shard_seed(c, i);
    uint64_t budget = c->opt->budget ? c->opt->budget : RANDOM_BUDGET;
    uint64_t valid = 0, stale = 0, draws = 0;
    struct mapping m;
    mapping_init(&m, s->nlevels);
    while (valid < budget && stale < RANDOM_VICTORY && draws < 64 * budget) {
        if (++draws % CHECK_EVERY == 0 && search_should_stop(c))
            return;
        random_draw(s, &m, &rng);
        if (!allowed(c, &m))
            continue;
        uint64_t before = out->evaluated;
        bool had = out->found;
        struct model_stats prev = out->stats;
        if (!search_offer(c, &m, out))
            continue;
        valid += out->evaluated - before;
        bool improved = out->found && (!had || search_better(c->opt->objective,
                                                             &out->stats, &prev));
        stale = improved ? 0 : stale + 1;
    }
    out->complete = true;
}

void anneal_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out)
{
    (void)n;
    const struct mapspace *s = c->space;
    enum objective obj = c->opt->objective;
    uint64_t rng = shard_seed(c, i);
    uint64_t budget = c->opt->budget ? c->opt->budget : ANNEAL_BUDGET;
    struct mapping cur, cand;
    struct model_stats cur_s, cand_s;
    mapping_init(&cur, s->nlevels);
    mapping_init(&cand, s->nlevels);
    bool have = false;
    for (uint64_t k = 0; k < ANNEAL_STARTS * 64 && (!have || k < ANNEAL_STARTS); k++) {
        if (k % 64 == 63 && search_should_stop(c))
            return;
        random_draw(s, &cand, &rng);
        if (!allowed(c, &cand) ||
            model_eval_prepared(&c->prep, &cand, &cand_s, NULL) != 0)
            continue;
        out->evaluated++;
        if (!have || search_better(obj, &cand_s, &cur_s)) {
            cur = cand;
            cur_s = cand_s;
            have = true;
        }
    }
    if (!have)
        return;
    search_offer(c, &cur, out);
    for (uint64_t step = 0; step < budget; step++) {
        if (step % CHECK_EVERY == 0 && search_should_stop(c))
            return;
        double temp = ANNEAL_T0 * pow(ANNEAL_T1 / ANNEAL_T0, (double)step / (double)budget);
        cand = cur;
        mapspace_neighbour(s, &cand, &rng);
        if (!allowed(c, &cand) ||
            model_eval_prepared(&c->prep, &cand, &cand_s, NULL) != 0)
            continue;
        out->evaluated++;
        if (cand_s.utilization < s->cons.min_utilization)
            continue;
        double x = search_cost(obj, &cand_s), y = search_cost(obj, &cur_s);
        double delta = y > 0 ? (x - y) / y : 0;
        double u = (double)(mapspace_rand(&rng) >> 11) * 0x1.0p-53;
        if (delta <= 0 || u < exp(-delta / temp)) {
            cur = cand;
            cur_s = cand_s;
            if (!out->found || search_better(obj, &cur_s, &out->stats)) {
                out->found = true;
                out->map = cur;
                out->stats = cur_s;
            }
        }
    }
    out->complete = true;
}
