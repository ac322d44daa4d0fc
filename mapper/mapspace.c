/*
 * mapspace: the factor enumeration; see mapspace.h (mapspace_prep.c
 * prepares a space, orders.c enumerates orders, mapspace_sample.c draws
 * points).
 *
 * The factor enumeration is the exhaustive search's inner loop: it visits
 * every valid factorization once, checks each level's capacity as soon as
 * the level's factors are chosen (tiles only grow outward, so a level that
 * overflows cuts everything outside it), and keeps its state on the stack.
 * Most of its nodes are spatial choices of the inner levels: choosing a
 * product per dim instead of a pair (x, y) visits each cost once (on the
 * validation 3x3 conv's 4 x 4 PEs, 103 product vectors instead of 326
 * per-axis assignments).  The split check each such node needs costs
 * nothing while the product fits on X, at most 64 trial divisions up to a
 * product of 4096, and a walk over the product's divisors beyond.
 */
#include "mapspace.h"

#include <string.h>

static bool dim_allowed(uint8_t mask, int d) { return (mask >> d) & 1; }

/* Entries of the cache of spatial_room (a power of 2). */
#define ROOM_CACHE 1024

/* A cached spatial_room: valid while its level's walk is the one that
 * filled it (gen). */
struct room_entry {
    uint32_t gen;
    uint8_t level, i;
    uint64_t px, py, room;
};

struct fwalk {
    const struct mapspace *s;
    struct mapping *m;
    uint64_t shard, nshards, seq;
    mapspace_factor_fn fn;
    mapspace_prune_fn prune;
    void *ctx;
    bool stop;
    bool mirror_tied;            /* sigma's comparison undecided so far */
    uint64_t rem[DIM_COUNT];     /* what is left of each bound for the levels outward */
    uint64_t ext[DIM_COUNT];     /* product of the factors chosen so far */
    /* spatial_room depends on what is left of the dims still to come,
     * which stays the same through a level's walk: one walk per level
     * entry (gen counts them) asks again for the same few (i, px, py). */
    uint32_t gen[ARCH_MAX_LEVELS];
    struct room_entry room[ROOM_CACHE];
};

/* Whether level l's kept tiles fit when every dim spans ext. */
static bool fits(const struct mapspace *s, const struct mapping *m, int l,
                 const uint64_t *ext)
{
    const struct arch_level *al = &s->arch->level[l];
    if (al->size_kind == SIZE_UNBOUNDED)
        return true;
    uint64_t total = 0;
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        if (!al->keeps[sl] || m->level[l].bypass[sl])
            continue;
        uint64_t w = mapspace_box_words(s, sl, ext);
        if (al->size_kind == SIZE_PER_SLOT) {
            if (w > arch_capacity_words(al, (enum slot)sl))
                return false;
        } else {
            total += w;
        }
    }
    return al->size_kind != SIZE_SHARED || total <= arch_capacity_words(al, SLOT_WEIGHTS);
}

static void walk_level(struct fwalk *w, int l);

/* The largest divisor of n that is at most cap (n, cap >= 1), from the
 * prime powers n = prod pr[k]^ex[k]: a walk over the divisors that stops
 * a branch as soon as it passes cap. */
static uint64_t divisor_at_most(const uint64_t *pr, const int *ex, int n, int k,
                                uint64_t cur, uint64_t cap, uint64_t best)
{
    if (k == n)
        return cur > best ? cur : best;
    for (int j = 0;; j++) {
        best = divisor_at_most(pr, ex, n, k + 1, cur, cap, best);
        if (j == ex[k] || best == cap || cur > cap / pr[k])
            return best;
        cur *= pr[k];
    }
}

/* On level l, enumerated by product: the share D of the spatial product P
 * (the product over dims of ml's spatial_x * spatial_y) that goes to the X
 * axis, the largest divisor of P at most fanout_x; 0 when P / D exceeds
 * fanout_y, i.e. when no split of P over the axes fits (D minimises P / D
 * over the divisors that fit on X).  P's divisors are the products of
 * divisors of its per-dim factors, so a split of P is a split of the
 * dims.  Up to MAPSPACE_SPLIT_TABLE, the space's table has the answer;
 * above, the divisors of P at most fanout_x are walked.  ml is read only
 * there (it may be NULL below). */
static uint64_t product_split(const struct mapspace *s, int l, const struct mapping_level *ml,
                              uint64_t P)
{
    uint64_t fx = s->arch->level[l].fanout_x, fy = s->arch->level[l].fanout_y;
    if (P <= fx)
        return P;
    if (P > fx * fy)
        return 0;
    if (P <= MAPSPACE_SPLIT_TABLE)
        return s->split[l][P];
    uint64_t pr[DIM_COUNT * MAPSPACE_MAX_PRIMES];
    int ex[DIM_COUNT * MAPSPACE_MAX_PRIMES], n = 0;
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t q = (uint64_t)ml->spatial_x[d] * ml->spatial_y[d];
        for (int j = 0; j < s->nprimes[d] && q > 1; j++) {
            uint64_t p = s->prime[d][j];
            int e = 0;
            for (; q % p == 0; q /= p)
                e++;
            if (!e)
                continue;
            int k = 0;
            while (k < n && pr[k] != p)
                k++;
            if (k == n) {
                pr[n] = p;
                ex[n++] = 0;
            }
            ex[k] += e;
        }
    }
    uint64_t best = divisor_at_most(pr, ex, n, 0, 1, fx, 1);
    return P / best <= fy ? best : 0;
}

/* Writes level l's canonical split of its per-dim products over the axes
 * (see mapspace.h), D = product_split going to X greedily in dim order. */
static void write_split(struct mapping_level *ml, uint64_t D)
{
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t q = (uint64_t)ml->spatial_x[d] * ml->spatial_y[d], a = q, b = D;
        while (b) {
            uint64_t r = a % b;
            a = b;
            b = r;
        }
        ml->spatial_x[d] = (uint32_t)a;
        ml->spatial_y[d] = (uint32_t)(q / a);
        D /= a;
    }
}

/* Leaves the search for the most the dims still to come can add to a
 * level's spatial product, past which the fanouts' room is the answer. */
#define REACH_STEPS 256

/* The largest product q <= room of divisors of what is left of the dims
 * walk_order[i..] allowed a spatial factor on level l, times *best's
 * candidates so far (q), such that P * q splits over the axes (by product
 * levels; per axis, the room is all that is checked).  Stops early, with
 * room, after REACH_STEPS candidates. */
static void reach(const struct fwalk *w, int l, int i, uint64_t P, uint64_t q, uint64_t room,
                  uint64_t *best, int *steps)
{
    const struct mapspace *s = w->s;
    if (*best == room)
        return;
    if (++*steps > REACH_STEPS) {
        *best = room;
        return;
    }
    if (i == DIM_COUNT) {
        bool fits = !s->by_product[l] || P * q > MAPSPACE_SPLIT_TABLE ||
                    product_split(s, l, NULL, P * q);
        if (fits && q > *best)
            *best = q;
        return;
    }
    int d = s->walk_order[i];
    const struct level_constraint *lc = &s->cons.level[l];
    uint64_t rem = w->rem[d];
    if (rem == 1 || !(dim_allowed(lc->spatial_x_dims, d) || dim_allowed(lc->spatial_y_dims, d))) {
        reach(w, l, i + 1, P, q, room, best, steps);
        return;
    }
    const uint32_t *dv = s->divisor[d];
    for (uint32_t k = s->ndivisors[d]; k-- > 0;)
        if (dv[k] <= rem && rem % dv[k] == 0 && dv[k] <= room / q)
            reach(w, l, i + 1, P, q * dv[k], room, best, steps);
}

/* An upper bound of level l's final spatial product when its spatial
 * products so far are px, py (by product: px = P, py = 1) and the dims
 * walk_order[i..] are still to come: what the fanouts leave room for, and
 * no more than the divisors of what is left of those dims make. */
static uint64_t spatial_room(struct fwalk *w, int l, int i, uint64_t px, uint64_t py)
{
    const struct mapspace *s = w->s;
    uint64_t fx = s->arch->level[l].fanout_x, fy = s->arch->level[l].fanout_y;
    if (fx * fy == 1)
        return 1;
    uint64_t h = (px * 0x9e3779b97f4a7c15ull) ^ (py * 0xc2b2ae3d27d4eb4full) ^
                 ((uint64_t)i << 8 | (uint64_t)l);
    struct room_entry *c = &w->room[(h ^ h >> 29) & (ROOM_CACHE - 1)];
    if (c->gen == w->gen[l] && c->level == l && c->i == i && c->px == px && c->py == py)
        return c->room;
    uint64_t room = s->by_product[l] ? (fx * fy) / px : (fx / px) * (fy / py);
    uint64_t best = 1;
    int steps = 0;
    reach(w, l, i, px * py, 1, room, &best, &steps);
    *c = (struct room_entry){ w->gen[l], (uint8_t)l, (uint8_t)i, px, py, px * py * best };
    return c->room;
}

/* Level l's factors are chosen (under its bypass choice, made first, so
 * that capacity cuts see the tiles the level really keeps): go outward. */
static void complete_level(struct fwalk *w, int l, uint64_t sp)
{
    struct mapspace_node node = { l, DIM_COUNT, w->ext, sp, sp };
    if (w->prune && w->prune(w->ctx, w->m, &node))
        return;
    if (l == 0)
        w->stop = w->fn(w->ctx, w->m);
    else
        walk_level(w, l - 1);
}

static void walk_dim(struct fwalk *w, int l, int i, uint64_t px, uint64_t py, bool mirrored);

/* Chooses the temporal factor at level l of d, the i-th dim of the walk
 * order, whose spatial factors x, y are set (px, py: the level's spatial
 * products with them), then the dims after it. */
static void walk_temporal(struct fwalk *w, int l, int i, uint64_t x, uint64_t y,
                          uint64_t px, uint64_t py, bool mirrored)
{
    const struct mapspace *s = w->s;
    int d = s->walk_order[i];
    const struct level_constraint *lc = &s->cons.level[l];
    struct mapping_level *ml = &w->m->level[l];
    uint64_t rem = w->rem[d], inner = w->ext[d];
    bool exact_excluded = lc->order_exact;
    if (exact_excluded)
        for (int k = 0; k < lc->order_prefix_len; k++)
            exact_excluded &= lc->order_prefix[k] != d;
    const uint32_t *dv = s->divisor[d];
    uint32_t ndv = s->ndivisors[d];
    uint64_t left = rem / x / y;
    /* Of a mapping and its mirror under sigma, the one whose first unequal
     * (spatial product, temporal factor) of a mirror pair is larger on the
     * earlier dim. */
    bool tied = w->mirror_tied, compare = tied && s->mirror_of[i] >= 0;
    uint64_t mirror_q = 1, mirror_t = 1;
    if (compare) {
        int e = s->mirror_of[i];
        mirror_q = (uint64_t)ml->spatial_x[e] * ml->spatial_y[e];
        mirror_t = ml->temporal[e];
        if (mirror_q < x * y)
            return;
    }
    /* The same for every temporal factor of d: it bounds the dims after d
     * (read only by the prune of a dim of bound > 1). */
    bool bounded = w->prune && i + 1 < DIM_COUNT && s->prob->bound[d] > 1;
    uint64_t spatial_max = bounded ? spatial_room(w, l, i + 1, px, py) : px * py;
    /* Level 0 takes what is left; inner levels any divisor of it. */
    for (uint32_t k = 0; k < ndv && dv[k] <= left; k++) {
        uint64_t t = l == 0 ? left : dv[k];
        if (l == 0 && k > 0)
            break;
        if (left % t || (lc->temporal[d] && lc->temporal[d] != t) ||
            (t > 1 && exact_excluded))
            continue;
        if (compare && mirror_q == x * y && t > mirror_t)
            break;      /* larger factors follow */
        w->mirror_tied = compare ? mirror_q == x * y && t == mirror_t : tied;
        ml->temporal[d] = (uint32_t)t;
        ml->spatial_x[d] = (uint32_t)x;
        ml->spatial_y[d] = (uint32_t)y;
        w->ext[d] = inner * x * y * t;
        w->rem[d] = left / t;
        /* Dims after d still span their inner extent: a lower bound of
         * the final tiles, so an overflow here is final.  A dim of bound 1
         * changes nothing a bound could see: its node is its parent. */
        struct mapspace_node node = { l, i + 1, w->ext, px * py, spatial_max };
        if (fits(s, w->m, l, w->ext) &&
            !(bounded && w->prune(w->ctx, w->m, &node)))
            walk_dim(w, l, i + 1, px, py, mirrored);
        w->rem[d] = rem;
        w->ext[d] = inner;
        w->mirror_tied = tied;
        if (w->stop)
            return;
    }
}

/* Chooses the factors at level l of the i-th dim of the walk order, given
 * the spatial products px, py of the dims before it (by product: px = P,
 * py = 1).  mirrored: an earlier dim of this level already has more on X
 * than on Y, so the mirror of what follows is not in the enumeration. */
static void walk_dim(struct fwalk *w, int l, int i, uint64_t px, uint64_t py, bool mirrored)
{
    const struct mapspace *s = w->s;
    struct mapping_level *ml = &w->m->level[l];
    if (i == DIM_COUNT) {
        if (l == s->nlevels - 1 && w->seq++ % w->nshards != w->shard)
            return;
        if (s->by_product[l])
            write_split(ml, product_split(s, l, ml, px));
        complete_level(w, l, px * py);
        return;
    }
    int d = s->walk_order[i];
    const struct arch_level *al = &s->arch->level[l];
    const struct level_constraint *lc = &s->cons.level[l];
    uint64_t rem = w->rem[d];
    /* Every factor divides the bound: walk its divisors, not every value
     * (a bound or a fanout may be near 2^31). */
    const uint32_t *dv = s->divisor[d];
    uint32_t ndv = s->ndivisors[d];
    if (s->by_product[l]) {
        uint64_t room = (uint64_t)al->fanout_x * al->fanout_y;
        bool allowed = dim_allowed(lc->spatial_x_dims, d);
        for (uint32_t k = 0; k < ndv && dv[k] <= rem && dv[k] <= room / px; k++) {
            uint64_t q = dv[k];
            if (rem % q || (q > 1 && !allowed))
                continue;
            ml->spatial_x[d] = (uint32_t)q;
            ml->spatial_y[d] = 1;
            if (q == 1 || product_split(s, l, ml, px * q))
                walk_temporal(w, l, i, q, 1, px * q, 1, false);
            if (w->stop)
                return;
        }
        ml->temporal[d] = ml->spatial_x[d] = ml->spatial_y[d] = 1;
        return;
    }
    for (uint32_t kx = 0; kx < ndv && dv[kx] <= rem && px * dv[kx] <= al->fanout_x; kx++) {
        uint64_t x = dv[kx];
        if (rem % x || (x > 1 && !dim_allowed(lc->spatial_x_dims, d)) ||
            (lc->spatial_x[d] && lc->spatial_x[d] != x))
            continue;
        for (uint32_t ky = 0; ky < ndv && dv[ky] <= rem / x && py * dv[ky] <= al->fanout_y;
             ky++) {
            uint64_t y = dv[ky];
            if ((rem / x) % y || (y > 1 && !dim_allowed(lc->spatial_y_dims, d)) ||
                (lc->spatial_y[d] && lc->spatial_y[d] != y))
                continue;
            bool undecided = s->xy_mirror[l] && !mirrored;
            if (undecided && x < y)
                continue;       /* the mirror is enumerated instead */
            walk_temporal(w, l, i, x, y, px * x, py * y, mirrored || x > y);
            if (w->stop)
                return;
        }
    }
    ml->temporal[d] = ml->spatial_x[d] = ml->spatial_y[d] = 1;
}

/* Each bypass choice of level l, then its factors.  On return the level
 * keeps only what it must again, as levels not yet walked do. */
static void walk_level(struct fwalk *w, int l)
{
    const struct mapspace *s = w->s;
    struct mapping_level *ml = &w->m->level[l];
    int slot[SLOT_COUNT], n = 0;
    for (int f = 0; f < s->nfree; f++)
        if (s->free_level[f] == l)
            slot[n++] = s->free_slot[f];
    for (int sl = 0; sl < SLOT_COUNT; sl++)
        ml->bypass[sl] = !s->forced_keep[l][sl];
    if (++w->gen[l] == 0)       /* what is left of every dim has changed */
        memset(w->room, 0, sizeof w->room);     /* (after 2^32 entries) */
    for (uint32_t choice = 0; choice < (1u << n) && !w->stop; choice++) {
        for (int i = 0; i < n; i++)
            ml->bypass[slot[i]] = !((choice >> i) & 1);
        walk_dim(w, l, 0, 1, 1, false);
    }
    for (int i = 0; i < n; i++)
        ml->bypass[slot[i]] = true;
}

bool mapspace_factorizations(const struct mapspace *s, struct mapping *m,
                             uint64_t shard, uint64_t nshards,
                             mapspace_factor_fn fn, mapspace_prune_fn prune,
                             void *ctx)
{
    struct fwalk w = { .s = s, .m = m, .shard = shard, .nshards = nshards,
                       .fn = fn, .prune = prune, .ctx = ctx, .mirror_tied = true };
    for (int d = 0; d < DIM_COUNT; d++) {
        w.rem[d] = s->prob->bound[d];
        w.ext[d] = 1;
    }
    for (int l = 0; l < s->nlevels; l++) {
        for (int d = 0; d < DIM_COUNT; d++) {
            m->level[l].temporal[d] = m->level[l].spatial_x[d] = m->level[l].spatial_y[d] = 1;
            m->level[l].order[d] = (uint8_t)d;
        }
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            m->level[l].bypass[sl] = !s->forced_keep[l][sl];
    }
    walk_level(&w, s->nlevels - 1);
    return w.stop;
}
