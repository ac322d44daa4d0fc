/*
 * refsim: brute-force evaluation of one mapping, rule by rule (MODEL.md).
 *
 * Test-only, run a few thousand times per test run on tiny problems and once
 * per validation case: clarity over speed everywhere.  Every count comes
 * from walking the loop nest with explicit boxes and point sets; nothing is
 * derived in closed form.  See refsim.h.
 *
 * Where MODEL.md leaves room, this reading is taken:
 *  - a level's spatial loops run X before Y (only which instance gets which
 *    tile depends on it, never a count);
 *  - in a chain of fanout levels (R6, R8), a child of one fanout level is
 *    compared with its siblings by the deltas of all the consumers below
 *    it, position by position; each group then counts as its first child;
 *  - "current \ previous" is the exact point-set difference, also when the
 *    translation moves along several axes;
 *  - the MACs are the consumer of the innermost keeper: every cycle of the
 *    full nest is a step and receives its whole one-point box (R5);
 *  - R7's D spans all of p's spatial factors, X and Y;
 *  - R10's weight-, input- and output-shaped tensors follow from the kernel
 *    (DESIGN.md section 2's slot table), not from problem.shape_order.
 */
#include "refsim.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"

#define MAX_LOOPS (ARCH_MAX_LEVELS * DIM_COUNT * 3)

/* One loop of the flattened nest. */
struct loop {
    int level;
    int dim;
    uint64_t bound;
    bool spatial;
    /* How far dim moves per iteration: the product of the bounds of the
     * same dim's loops inside this one. */
    uint64_t stride;
};

/* The flattened nest: for each level from the outermost, its temporal loops
 * in order, then its spatial loops (X, then Y); loops of bound 1 dropped. */
struct nest {
    int nlevels;
    int nloops;
    struct loop loop[MAX_LOOPS];
    /* first[l]: index of level l's first loop; first[nlevels] = nloops, so
     * "the loops above level l" are loop[0 .. first[l]) and the MACs sit at
     * level nlevels with every loop above them. */
    int first[ARCH_MAX_LEVELS + 1];
};

static void nest_add(struct nest *n, int level, int dim, uint64_t bound, bool spatial)
{
    if (bound <= 1)
        return;
    struct loop *lp = &n->loop[n->nloops++];
    lp->level = level;
    lp->dim = dim;
    lp->bound = bound;
    lp->spatial = spatial;
}

static void nest_build(const struct mapping *m, struct nest *n)
{
    memset(n, 0, sizeof *n);
    n->nlevels = m->nlevels;
    for (int l = 0; l < m->nlevels; l++) {
        const struct mapping_level *ml = &m->level[l];
        n->first[l] = n->nloops;
        for (int i = 0; i < DIM_COUNT; i++)
            nest_add(n, l, ml->order[i], ml->temporal[ml->order[i]], false);
        for (int d = 0; d < DIM_COUNT; d++)
            nest_add(n, l, d, ml->spatial_x[d], true);
        for (int d = 0; d < DIM_COUNT; d++)
            nest_add(n, l, d, ml->spatial_y[d], true);
    }
    n->first[m->nlevels] = n->nloops;
    for (int j = 0; j < n->nloops; j++) {
        n->loop[j].stride = 1;
        for (int k = j + 1; k < n->nloops; k++)
            if (n->loop[k].dim == n->loop[j].dim)
                n->loop[j].stride *= n->loop[k].bound;
    }
}

/* ext[d]: the product of dim d's factors over the loops at level `from` and
 * inside it, and over level spatial_level's spatial loops (-1: none). */
static void nest_extents(const struct nest *n, int from, int spatial_level,
                         uint64_t ext[DIM_COUNT])
{
    for (int d = 0; d < DIM_COUNT; d++)
        ext[d] = 1;
    for (int j = 0; j < n->nloops; j++) {
        const struct loop *lp = &n->loop[j];
        if (lp->level >= from || (lp->level == spatial_level && lp->spatial))
            ext[lp->dim] *= lp->bound;
    }
}

/* ---- boxes and point sets ------------------------------------------------ */

struct box {
    int rank;
    int64_t lo[TENSOR_MAX_RANK];
    int64_t ext[TENSOR_MAX_RANK];
};

/* R1: the bounding box of t's projection of the iteration box whose dim d
 * spans [base[d], base[d] + ext[d] - 1]. */
static void box_project(const struct tensor_spec *t, const int64_t base[DIM_COUNT],
                        const uint64_t ext[DIM_COUNT], struct box *b)
{
    b->rank = t->rank;
    for (int r = 0; r < t->rank; r++) {
        int64_t lo = 0, span = 0;
        for (int d = 0; d < DIM_COUNT; d++) {
            int64_t c = t->index[r].coef[d];
            int64_t last = (int64_t)ext[d] - 1;
            lo += c * base[d] + (c < 0 ? c * last : 0);
            span += (c < 0 ? -c : c) * last;
        }
        b->lo[r] = lo;
        b->ext[r] = span + 1;
    }
}

static uint64_t box_size(const struct box *b)
{
    uint64_t size = 1;
    for (int r = 0; r < b->rank; r++)
        size *= (uint64_t)b->ext[r];
    return size;
}

static bool box_contains(const struct box *b, const int64_t x[])
{
    for (int r = 0; r < b->rank; r++)
        if (x[r] < b->lo[r] || x[r] >= b->lo[r] + b->ext[r])
            return false;
    return true;
}

/* The words of tensor t at level `from` (R1), or of the box level p's
 * spatial loops span over it when p >= 0 (R7's D). */
static uint64_t tile_words(const struct nest *n, const struct tensor_spec *t,
                           int from, int p)
{
    uint64_t ext[DIM_COUNT];
    int64_t base[DIM_COUNT] = { 0 };
    struct box b;
    nest_extents(n, from, p, ext);
    box_project(t, base, ext, &b);
    return box_size(&b);
}

/* A set of points of one tensor, as sorted linear indices into the whole
 * tensor's box, so that two sets are equal exactly when their arrays are. */
struct pset {
    size_t n;
    int64_t *pt;
};

/* Point x's linear index in the whole tensor's box. */
static int64_t lin_index(const struct box *whole, const int64_t x[])
{
    int64_t v = 0;
    for (int r = 0; r < whole->rank; r++)
        v = v * whole->ext[r] + (x[r] - whole->lo[r]);
    return v;
}

/* s = cur \ prev, or all of cur when prev is NULL.  Points come out in
 * increasing linear order because the odometer runs the first index
 * slowest, as lin_index weighs it heaviest. */
static void pset_fill(struct pset *s, const struct box *whole, const struct box *cur,
                      const struct box *prev)
{
    int64_t x[TENSOR_MAX_RANK];
    s->n = 0;
    for (int r = 0; r < cur->rank; r++)
        x[r] = cur->lo[r];
    for (;;) {
        if (!prev || !box_contains(prev, x))
            s->pt[s->n++] = lin_index(whole, x);
        int r = cur->rank - 1;
        while (r >= 0 && ++x[r] == cur->lo[r] + cur->ext[r]) {
            x[r] = cur->lo[r];
            r--;
        }
        if (r < 0)
            break;
    }
}

static bool pset_equal(const struct pset *a, const struct pset *b)
{
    return a->n == b->n && memcmp(a->pt, b->pt, a->n * sizeof *a->pt) == 0;
}

/* ---- R4-R6: one server feeding one consumer ----------------------------- */

/* One consumer instance below the server instance being walked. */
struct child {
    struct box prev;
    bool remembered;                 /* a translation is remembered */
    int64_t translation[TENSOR_MAX_RANK];
    struct pset delta;               /* what it receives at this step */
};

/* R6: the server's reads for the children [base, base + span) at one step.
 * fan[0] is the number of children of one instance of the outermost fanout
 * level left, each owning span / fan[0] consecutive consumers.  Children
 * whose consumers' deltas are identical one by one form a group, read once;
 * each group's count is that of its first child, one level further in. */
static uint64_t group_reads(const struct child *ch, const uint64_t *fan, int nfan,
                            size_t base, size_t span)
{
    if (nfan == 0)
        return ch[base].delta.n;
    size_t sub = span / fan[0];
    uint64_t reads = 0;
    for (size_t x = 0; x < fan[0]; x++) {
        bool joins = false;
        for (size_t y = 0; y < x && !joins; y++) {
            bool same = true;
            for (size_t k = 0; k < sub && same; k++)
                same = pset_equal(&ch[base + x * sub + k].delta,
                                  &ch[base + y * sub + k].delta);
            joins = same;
        }
        if (!joins)
            reads += group_reads(ch, fan + 1, nfan - 1, base + x * sub, sub);
    }
    return reads;
}

struct walk {
    uint64_t served;    /* words the server delivers, grouped: CA(server) */
    uint64_t received;  /* words consumer instance 0 receives: PAS(consumer) */
};

/* Walks tensor t from its server level to its consumer (a level, or the
 * MACs when consumer == nlevels) under server instance 0.  For a level the
 * time steps are R4's sampled nest; for the MACs every cycle of the full
 * nest, each receiving its whole (one-point) box (R5: no reuse over time). */
static int walk_pair(const struct nest *n, const struct tensor_spec *t,
                     const struct box *whole, int server, int consumer, struct walk *out)
{
    const bool macs = consumer == n->nlevels;
    const int above = n->first[consumer];
    int tl[MAX_LOOPS], nt = 0, sl[MAX_LOOPS], ns = 0, nfan = 0;
    uint64_t ext[DIM_COUNT], idx[MAX_LOOPS] = { 0 }, fan[ARCH_MAX_LEVELS];
    size_t nchild = 1;

    nest_extents(n, consumer, -1, ext);
    for (int j = 0; j < above; j++) {
        if (!n->loop[j].spatial)
            tl[nt++] = j;
        else if (n->loop[j].level >= server)
            sl[ns++] = j;
    }
    for (int l = server; l < consumer; l++) {
        uint64_t f = 1;
        for (int j = n->first[l]; j < n->first[l + 1]; j++)
            if (n->loop[j].spatial)
                f *= n->loop[j].bound;
        if (f > 1)
            fan[nfan++] = f;
        nchild *= f;
    }

    struct child *ch = calloc(nchild, sizeof *ch);
    if (!ch)
        return ERR_NOMEM;
    int rc = 0;
    {
        int64_t base[DIM_COUNT] = { 0 };
        struct box b;
        box_project(t, base, ext, &b);
        for (size_t k = 0; k < nchild; k++) {
            ch[k].delta.pt = malloc(box_size(&b) * sizeof(int64_t));
            if (!ch[k].delta.pt) {
                rc = ERR_NOMEM;
                goto out_free;
            }
        }
    }

    memset(out, 0, sizeof *out);
    bool first_step = true;
    for (;;) {
        /* R4: a step counts w = the product of (n - 1) over the loops at
         * iteration 1 (every MAC cycle counts once). */
        uint64_t w = 1;
        for (int i = 0; i < nt && !macs; i++)
            if (idx[tl[i]] == 1)
                w *= n->loop[tl[i]].bound - 1;
        for (size_t k = 0; k < nchild; k++) {
            size_t rest = k;
            for (int i = ns - 1; i >= 0; i--) {
                idx[sl[i]] = rest % n->loop[sl[i]].bound;
                rest /= n->loop[sl[i]].bound;
            }
            int64_t base[DIM_COUNT] = { 0 };
            for (int j = 0; j < above; j++)
                base[n->loop[j].dim] += (int64_t)(idx[j] * n->loop[j].stride);
            struct box cur;
            box_project(t, base, ext, &cur);

            /* R4: the first box is received whole, and so is every MAC
             * cycle's (R5); otherwise the translation decides:
             *   none remembered: current \ previous, remember it;
             *   the remembered one: current \ previous;
             *   any other: the whole box, forget the remembered one. */
            struct child *c = &ch[k];
            bool all = first_step || macs;
            if (!all) {
                int64_t tr[TENSOR_MAX_RANK];
                bool same = true;
                for (int r = 0; r < cur.rank; r++) {
                    tr[r] = cur.lo[r] - c->prev.lo[r];
                    same = same && tr[r] == c->translation[r];
                }
                if (!c->remembered) {
                    c->remembered = true;
                    memcpy(c->translation, tr, sizeof tr);
                } else if (!same) {
                    all = true;
                    c->remembered = false;
                }
            }
            pset_fill(&c->delta, whole, &cur, all ? NULL : &c->prev);
            c->prev = cur;
        }
        out->served += w * group_reads(ch, fan, nfan, 0, nchild);
        out->received += w * ch[0].delta.n;
        first_step = false;

        /* The next step in time order: the innermost loop advances first;
         * sampled loops run iterations 0 and 1, the MACs' every one. */
        int i = nt - 1;
        for (; i >= 0; i--) {
            const struct loop *lp = &n->loop[tl[i]];
            if (++idx[tl[i]] < (macs ? lp->bound : 2))
                break;
            idx[tl[i]] = 0;
        }
        if (i < 0)
            break;
    }

out_free:
    for (size_t k = 0; k < nchild; k++)
        free(ch[k].delta.pt);
    free(ch);
    return rc;
}

/* ---- R2: validity -------------------------------------------------------- */

static bool level_keeps(const struct arch *a, const struct mapping *m, int l, int s)
{
    return a->level[l].keeps[s] && !m->level[l].bypass[s];
}

/* Children per instance of level l along X and Y: the next mesh over its. */
static void level_fanout(const struct arch *a, int l, uint64_t *fx, uint64_t *fy)
{
    uint64_t cx = l + 1 < a->nlevels ? a->level[l + 1].mesh_x : a->compute.mesh_x;
    uint64_t cy = l + 1 < a->nlevels ? a->level[l + 1].mesh_y : a->compute.mesh_y;
    *fx = cx / a->level[l].mesh_x;
    *fy = cy / a->level[l].mesh_y;
}

/* What must hold before the nest can even be built: one mapping level per
 * arch level, each order a permutation of the dims. */
static bool mapping_shaped(const struct arch *a, const struct problem *p,
                           const struct mapping *m)
{
    if (p->is_stream || a->nlevels < 1 || a->nlevels > ARCH_MAX_LEVELS ||
        m->nlevels != a->nlevels || !a->compute.mesh_x || !a->compute.mesh_y)
        return false;
    for (int l = 0; l < m->nlevels; l++) {
        bool seen[DIM_COUNT] = { false };
        if (!a->level[l].mesh_x || !a->level[l].mesh_y)
            return false;
        for (int i = 0; i < DIM_COUNT; i++) {
            int d = m->level[l].order[i];
            if (d >= DIM_COUNT || seen[d])
                return false;
            seen[d] = true;
        }
    }
    return true;
}

/* R2 on a shaped mapping: factor products, fanouts, the outermost level
 * keeping every slot, capacities. */
static bool mapping_fits(const struct arch *a, const struct problem *p,
                         const struct mapping *m, const struct nest *n)
{
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t prod = 1;
        for (int l = 0; l < m->nlevels; l++) {
            const struct mapping_level *ml = &m->level[l];
            if (ml->temporal[d] < 1 || ml->spatial_x[d] < 1 || ml->spatial_y[d] < 1)
                return false;
            prod *= (uint64_t)ml->temporal[d] * ml->spatial_x[d] * ml->spatial_y[d];
        }
        if (prod != p->bound[d])
            return false;
    }
    for (int l = 0; l < m->nlevels; l++) {
        uint64_t fx, fy, px = 1, py = 1;
        level_fanout(a, l, &fx, &fy);
        for (int d = 0; d < DIM_COUNT; d++) {
            px *= m->level[l].spatial_x[d];
            py *= m->level[l].spatial_y[d];
        }
        if (px > fx || py > fy)
            return false;
        const struct arch_level *al = &a->level[l];
        uint64_t mb = al->multiple_buffering ? al->multiple_buffering : 1, sum = 0;
        for (int s = 0; s < SLOT_COUNT; s++) {
            if (!level_keeps(a, m, l, s)) {
                if (l == 0)
                    return false;
                continue;
            }
            uint64_t tile = tile_words(n, &p->tensor[s], l, -1);
            sum += tile;
            if (al->size_kind == SIZE_PER_SLOT && tile > al->slot_size_words[s] / mb)
                return false;
        }
        if (al->size_kind == SIZE_SHARED && sum > al->size_words / mb)
            return false;
    }
    return true;
}

/* ---- R7-R10: assembling the stats ---------------------------------------- */

/* Counts of one tensor at one level, per instance (R7's inputs). */
struct counts {
    uint64_t ca, pas, partition;
};

static int tensor_counts(const struct arch *a, const struct mapping *m,
                         const struct nest *n, const struct problem *p, int s,
                         struct counts cnt[ARCH_MAX_LEVELS])
{
    const struct tensor_spec *t = &p->tensor[s];
    struct box whole;
    {
        int64_t base[DIM_COUNT] = { 0 };
        uint64_t ext[DIM_COUNT];
        for (int d = 0; d < DIM_COUNT; d++)
            ext[d] = p->bound[d];
        box_project(t, base, ext, &whole);
    }
    memset(cnt, 0, ARCH_MAX_LEVELS * sizeof *cnt);

    /* R4-R6, R8: each keeper serves the next keeper inward, the innermost
     * keeper the MACs. */
    for (int server = 0; server < n->nlevels; server++) {
        if (!level_keeps(a, m, server, s))
            continue;
        int consumer = server + 1;
        while (consumer < n->nlevels && !level_keeps(a, m, consumer, s))
            consumer++;
        struct walk w;
        int rc = walk_pair(n, t, &whole, server, consumer, &w);
        if (rc)
            return rc;
        cnt[server].ca = w.served;
        if (consumer < n->nlevels)
            cnt[consumer].pas = w.received;
    }

    /* R7: partitions, level by level through every level. */
    cnt[0].partition = box_size(&whole);
    for (int c = 1; c < n->nlevels; c++) {
        int pl = c - 1;
        bool fans = false;
        for (int j = n->first[pl]; j < n->first[c]; j++)
            fans = fans || n->loop[j].spatial;
        uint64_t size = tile_words(n, t, c, -1);
        uint64_t d = fans ? tile_words(n, t, c, pl) : size;
        cnt[c].partition = cnt[pl].partition * size / d;
    }
    return 0;
}

static uint64_t sub_floor0(uint64_t x, uint64_t y)
{
    return x > y ? x - y : 0;
}

static uint64_t blocks(uint64_t words, uint32_t block_words)
{
    uint64_t b = block_words ? block_words : 1;
    return (words + b - 1) / b;
}

/* The slots in the order of the weight-, input- and output-shaped tensors
 * (R10), from the kernel's slot assignment (DESIGN.md section 2). */
static void shape_order(enum kernel k, int order[SLOT_COUNT])
{
    static const int fwd[SLOT_COUNT] = { SLOT_WEIGHTS, SLOT_INPUTS, SLOT_OUTPUTS };
    static const int bwd_data[SLOT_COUNT] = { SLOT_WEIGHTS, SLOT_OUTPUTS, SLOT_INPUTS };
    static const int bwd_weight[SLOT_COUNT] = { SLOT_OUTPUTS, SLOT_INPUTS, SLOT_WEIGHTS };
    const int *o = k == KERNEL_BWD_DATA ? bwd_data : k == KERNEL_BWD_WEIGHT ? bwd_weight : fwd;
    memcpy(order, o, sizeof fwd);
}

/* R10: one level's cycles from its per-instance counts. */
static uint64_t level_cycles(const struct arch_level *al, const struct level_stats *ls,
                             uint64_t compute_cycles, enum kernel k)
{
    int order[SLOT_COUNT];
    double cc = (double)compute_cycles, rd = 0.0, wd = 0.0, slowdown = 1.0;
    shape_order(k, order);
    for (int i = 0; i < SLOT_COUNT; i++) {
        const struct tensor_stats *ts = &ls->tensor[order[i]];
        rd += (double)ts->reads / cc;
        wd += (double)(ts->fills + ts->updates) / cc;
    }
    const double bw[3] = { al->read_bw, al->write_bw, al->shared_bw };
    const double demand[3] = { rd, wd, rd + wd };
    for (int i = 0; i < 3; i++) {
        if (isinf(bw[i]) || demand[i] == 0.0)
            continue;
        double q = bw[i] / demand[i];
        if (q < slowdown)
            slowdown = q;
    }
    return (uint64_t)ceil(cc / slowdown);
}

int refsim_eval(const struct arch *a, const struct problem *p,
                const struct mapping *m, struct model_stats *out)
{
    struct nest *n = malloc(sizeof *n);
    struct counts cnt[SLOT_COUNT][ARCH_MAX_LEVELS];
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (!n)
        return ERR_NOMEM;
    if (!mapping_shaped(a, p, m)) {
        rc = ERR_INVALID_MAPPING;
        goto out_free;
    }
    nest_build(m, n);
    if (!mapping_fits(a, p, m, n)) {
        rc = ERR_INVALID_MAPPING;
        goto out_free;
    }
    for (int s = 0; s < SLOT_COUNT; s++)
        if ((rc = tensor_counts(a, m, n, p, s, cnt[s])) != 0)
            goto out_free;

    /* R3 and R10's compute cycles, by counting loops. */
    out->macs = 1;
    for (int d = 0; d < DIM_COUNT; d++)
        out->macs *= p->bound[d];
    out->compute_cycles = 1;
    out->mac_instances_used = 1;
    for (int j = 0; j < n->nloops; j++) {
        if (n->loop[j].spatial)
            out->mac_instances_used *= n->loop[j].bound;
        else
            out->compute_cycles *= n->loop[j].bound;
    }

    out->nlevels = n->nlevels;
    out->cycles = out->compute_cycles;
    for (int l = 0; l < n->nlevels; l++) {
        const struct arch_level *al = &a->level[l];
        struct level_stats *ls = &out->level[l];
        ls->instances_used = 1;
        for (int j = 0; j < n->first[l]; j++)
            if (n->loop[j].spatial)
                ls->instances_used *= n->loop[j].bound;
        ls->ntensors = SLOT_COUNT;
        for (int s = 0; s < SLOT_COUNT; s++) {
            struct tensor_stats *ts = &ls->tensor[s];
            const struct counts *c = &cnt[s][l];
            memcpy(ts->name, p->tensor[s].name, sizeof ts->name);
            ts->name[sizeof ts->name - 1] = '\0';
            ts->slot = (enum slot)s;
            ts->kept = level_keeps(a, m, l, s);
            if (!ts->kept)
                continue;
            ts->tile_words = tile_words(n, &p->tensor[s], l, -1);
            /* R7's table. */
            if (s == SLOT_OUTPUTS) {
                ts->reads = sub_floor0(c->ca, c->partition);
                ts->fills = l == 0 ? 0 : sub_floor0(c->pas, c->partition);
                ts->updates = c->ca;
            } else {
                ts->reads = c->ca;
                ts->fills = l == 0 ? 0 : c->pas;
                ts->updates = 0;
            }
            /* R9. */
            ts->energy_pj = (double)ls->instances_used *
                            ((double)blocks(ts->reads, al->block_words) * al->read_pj +
                             (double)blocks(ts->fills, al->block_words) * al->fill_pj +
                             (double)blocks(ts->updates, al->block_words) * al->update_pj);
            ls->energy_pj += ts->energy_pj;
        }
        ls->cycles = level_cycles(al, ls, out->compute_cycles, p->kernel);
        if (ls->cycles > out->cycles)
            out->cycles = ls->cycles;
        out->energy_pj += ls->energy_pj;
    }
    out->mac_energy_pj = (double)out->macs * a->compute.energy_pj;
    out->energy_pj += out->mac_energy_pj;
    out->edp = out->energy_pj * (double)out->cycles;
    out->utilization = (double)out->macs /
                       ((double)a->compute.mesh_x * a->compute.mesh_y * (double)out->cycles);

out_free:
    free(n);
    return rc;
}
