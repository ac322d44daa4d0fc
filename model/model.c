/*
 * model: validity, access counts, energy and cycles of one mapping
 * (MODEL.md R2, R3, R7-R11) and the lower bounds.
 *
 * The mapper evaluates millions of mappings of one problem per search:
 * model_prepare does the per-(arch, problem) work once, and
 * model_eval_prepared works from it on a nest built on the stack (nest.h),
 * allocates nothing, prints nothing, and runs its floating-point operations
 * in a fixed order so that the same inputs give bit-identical outputs.
 * model_eval and model_check prepare on every call, for the callers that
 * evaluate one mapping.
 */
#include "model.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "nest.h"

static void bounds_for(const struct arch *a, const struct problem *p,
                       const uint64_t *tensor_words, struct model_bounds *out);

static uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

static uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

/* "K8 C2" for the spatial factors of one axis, into out. */
static void describe_axis(const uint32_t *f, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int d = 0; d < DIM_COUNT; d++)
        if (f[d] > 1 && len < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s%c%u", len ? " " : "",
                                    dim_letter((enum dim)d), f[d]);
    if (!out[0])
        snprintf(out, cap, "none");
}

static int check_capacity(const struct model_prep *pp, const struct nest *n, int l,
                          struct err *err)
{
    const struct problem *p = pp->prob;
    const struct arch_level *al = &pp->arch->level[l];
    if (al->size_kind == SIZE_UNBOUNDED)
        return 0;
    uint64_t tile[SLOT_COUNT] = { 0 }, need = 0;
    for (int s = 0; s < SLOT_COUNT; s++)
        if (nest_keeps(n, l, s)) {
            tile[s] = n->tile[s][l];
            need = tile[s] > UINT64_MAX - need ? UINT64_MAX : need + tile[s];
        }
    if (al->size_kind == SIZE_SHARED) {
        uint64_t cap = pp->capacity_words[l][SLOT_WEIGHTS];
        if (need <= cap)
            return 0;
        if (!err)
            return ERR_INVALID_MAPPING;
        char parts[128];
        size_t len = 0;
        for (int s = 0; s < SLOT_COUNT; s++)
            if (nest_keeps(n, l, s) && len < sizeof parts)
                len += (size_t)snprintf(parts + len, sizeof parts - len, "%s%s %llu",
                                        len ? " + " : "", p->tensor[s].name,
                                        (unsigned long long)tile[s]);
        return err_set(err, ERR_INVALID_MAPPING,
                       "level '%s': tiles need %llu words (%s), capacity %llu",
                       al->name, (unsigned long long)need, parts,
                       (unsigned long long)cap);
    }
    for (int s = 0; s < SLOT_COUNT; s++) {
        if (!nest_keeps(n, l, s))
            continue;
        uint64_t cap = pp->capacity_words[l][s];
        if (tile[s] > cap)
            return err_set(err, ERR_INVALID_MAPPING,
                           "level '%s': %s tile needs %llu words (%s), capacity %llu",
                           al->name, slot_name((enum slot)s),
                           (unsigned long long)tile[s], p->tensor[s].name,
                           (unsigned long long)cap);
    }
    return 0;
}

static int check_nest(const struct model_prep *pp, const struct mapping *m,
                      const struct nest *n, struct err *err)
{
    const struct arch *a = pp->arch;
    const struct problem *p = pp->prob;
    if (m->nlevels != a->nlevels)
        return err_set(err, ERR_INVALID_MAPPING, "mapping has %d levels, arch '%s' has %d",
                       m->nlevels, a->name, a->nlevels);
    if (n->overflow)
        return err_set(err, ERR_TOO_LARGE, "mapping factors are too large");
    for (int d = 0; d < DIM_COUNT && !n->factors_ok; d++)
        if (n->ext[0][d] != p->bound[d])
            return err_set(err, ERR_INVALID_MAPPING,
                           "dim %c: factors multiply to %llu, expected the bound %llu",
                           dim_letter((enum dim)d), (unsigned long long)n->ext[0][d],
                           (unsigned long long)p->bound[d]);
    for (int s = 0; s < SLOT_COUNT; s++)
        if (!nest_keeps(n, 0, s))
            return err_set(err, ERR_INVALID_MAPPING,
                           "level '%s': the outermost level must keep every tensor, "
                           "but %s bypasses it", a->level[0].name, p->tensor[s].name);
    for (int l = 0; l < a->nlevels; l++) {
        const struct mapping_level *ml = &m->level[l];
        const struct arch_level *al = &a->level[l];
        uint64_t fx = n->fanout_x[l], fy = n->fanout_y[l];
        if (fx > al->fanout_x || fy > al->fanout_y) {
            if (!err)
                return ERR_INVALID_MAPPING;
            char xs[64], ys[64];
            describe_axis(ml->spatial_x, xs, sizeof xs);
            describe_axis(ml->spatial_y, ys, sizeof ys);
            return err_set(err, ERR_INVALID_MAPPING,
                           "level '%s': spatial factors need %llu x %llu instances "
                           "(X: %s; Y: %s), fanout is %u x %u", al->name,
                           (unsigned long long)fx, (unsigned long long)fy, xs, ys,
                           al->fanout_x, al->fanout_y);
        }
        int rc = check_capacity(pp, n, l, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int model_check_prepared(const struct model_prep *prep, const struct mapping *m,
                         struct err *err)
{
    if (prep->prob->is_stream)
        return 0;
    struct nest n;
    nest_build(&n, prep, m);
    return check_nest(prep, m, &n, err);
}

int model_check(const struct arch *a, const struct problem *p,
                const struct mapping *m, struct err *err)
{
    struct model_prep prep;
    model_prepare(&prep, a, p);
    return model_check_prepared(&prep, m, err);
}

/* Energy of one tensor at one level (R9), all used instances together. */
static double tensor_energy(const struct arch_level *al, uint64_t instances,
                            const struct tensor_stats *ts)
{
    uint64_t b = al->block_words;
    if (b == 1)
        return (double)instances * ((double)ts->reads * al->read_pj +
                                    (double)ts->fills * al->fill_pj +
                                    (double)ts->updates * al->update_pj);
    return (double)instances *
           ((double)ceil_div(ts->reads, b) * al->read_pj +
            (double)ceil_div(ts->fills, b) * al->fill_pj +
            (double)ceil_div(ts->updates, b) * al->update_pj);
}

/* Cycles of one level under its bandwidths (R10).  order lists the tensors
 * in the order their demands are summed. */
static uint64_t level_cycles(const struct arch_level *al, const struct level_stats *ls,
                             const uint8_t *order, uint64_t compute_cycles)
{
    double cc = (double)compute_cycles, rd = 0, wd = 0;
    for (int i = 0; i < ls->ntensors; i++) {
        const struct tensor_stats *ts = &ls->tensor[order[i]];
        rd += (double)ts->reads / cc;
        wd += (double)(ts->fills + ts->updates) / cc;
    }
    double slowdown = 1.0;
    if (isfinite(al->read_bw) && rd > 0 && al->read_bw / rd < slowdown)
        slowdown = al->read_bw / rd;
    if (isfinite(al->write_bw) && wd > 0 && al->write_bw / wd < slowdown)
        slowdown = al->write_bw / wd;
    if (isfinite(al->shared_bw) && rd + wd > 0 && al->shared_bw / (rd + wd) < slowdown)
        slowdown = al->shared_bw / (rd + wd);
    if (slowdown >= 1.0)
        return compute_cycles;
    return (uint64_t)ceil(cc / slowdown);
}

/* Cycles, utilization, energy and EDP from the per-level counts. */
static void finish(const struct model_prep *pp, const uint8_t *order,
                   struct model_stats *out)
{
    const struct arch *a = pp->arch;
    double energy = 0;
    out->cycles = out->compute_cycles;
    for (int l = 0; l < out->nlevels; l++) {
        struct level_stats *ls = &out->level[l];
        const struct arch_level *al = &a->level[l];
        /* Summed in a local, in the same order: a sum kept in memory makes
         * every addition wait for the previous store. */
        double level_pj = 0;
        for (int i = 0; i < ls->ntensors; i++) {
            struct tensor_stats *ts = &ls->tensor[i];
            double pj = ts->kept ? tensor_energy(al, ls->instances_used, ts) : 0;
            ts->energy_pj = pj;
            level_pj += pj;
        }
        ls->energy_pj = level_pj;
        ls->cycles = pp->bandwidth_bound[l]
                         ? level_cycles(al, ls, order, out->compute_cycles)
                         : out->compute_cycles;
        if (ls->cycles > out->cycles)
            out->cycles = ls->cycles;
        energy += level_pj;
    }
    out->mac_energy_pj = (double)out->macs * a->compute.energy_pj;
    out->energy_pj = energy + out->mac_energy_pj;
    out->edp = out->energy_pj * (double)out->cycles;
    out->utilization = (double)out->macs /
                       ((double)pp->mac_count * (double)out->cycles);
}

/* R11: a streaming kernel passes each of its tensors once through every
 * level that keeps the tensor's slot, spread evenly over the level's
 * instances; the MACs do its operations. */
static int eval_stream(const struct model_prep *pp, struct model_stats *out)
{
    const struct arch *a = pp->arch;
    const struct problem *p = pp->prob;
    const struct stream *st = &p->stream;
    uint64_t macs = pp->mac_count;
    memset(out, 0, sizeof *out);
    out->macs = st->ops;
    out->compute_cycles = st->ops ? ceil_div(st->ops, macs) : 1;
    out->mac_instances_used = macs;
    out->nlevels = a->nlevels;
    uint8_t order[MODEL_MAX_TENSORS];
    for (int l = 0; l < a->nlevels; l++) {
        const struct arch_level *al = &a->level[l];
        struct level_stats *ls = &out->level[l];
        ls->instances_used = (uint64_t)al->mesh_x * al->mesh_y;
        ls->ntensors = st->ntensors;
        for (int i = 0; i < st->ntensors; i++) {
            const struct stream_tensor *t = &st->tensor[i];
            struct tensor_stats *ts = &ls->tensor[i];
            order[i] = (uint8_t)i;
            memcpy(ts->name, t->name, sizeof ts->name);
            ts->slot = t->slot;
            ts->kept = al->keeps[t->slot];
            if (!ts->kept)
                continue;
            uint64_t words = ceil_div(t->words, ls->instances_used);
            if (t->read)
                ts->reads = words;
            if (l > 0)
                ts->fills = words;
            if (t->written)
                ts->updates = words;
        }
    }
    finish(pp, order, out);
    out->bounds = pp->bounds;
    return 0;
}

int model_eval_prepared(const struct model_prep *prep, const struct mapping *m,
                        struct model_stats *out, struct err *err)
{
    const struct arch *a = prep->arch;
    const struct problem *p = prep->prob;
    if (p->is_stream)
        return eval_stream(prep, out);
    struct nest n;
    nest_build(&n, prep, m);
    int rc = check_nest(prep, m, &n, err);
    if (rc < 0)
        return rc;
    int L = a->nlevels;
    /* Clear only what this arch uses: the struct is large and this is the
     * mapper's hot path. */
    memset(out, 0, offsetof(struct model_stats, level));
    memset(out->level, 0, sizeof out->level[0] * (size_t)L);
    out->macs = p->macs;
    out->compute_cycles = n.compute_cycles;
    out->nlevels = L;
    uint64_t inst = 1;
    for (int l = 0; l < L; l++) {
        out->level[l].instances_used = inst;
        out->level[l].ntensors = SLOT_COUNT;
        inst *= n.children[l];
    }
    out->mac_instances_used = inst;
    uint64_t part[ARCH_MAX_LEVELS];
    nest_partitions(&n, SLOT_OUTPUTS, part);
    for (int s = 0; s < SLOT_COUNT; s++) {
        bool result = s == SLOT_OUTPUTS;
        unsigned uses = prep->tensor[s].uses;
        for (int l = 0; l < L; l++) {
            struct tensor_stats *ts = &out->level[l].tensor[s];
            memcpy(ts->name, p->tensor[s].name, sizeof ts->name);
            ts->slot = (enum slot)s;
            ts->kept = nest_keeps(&n, l, s);
        }
        /* From each keeper to the next one inward (or the MACs, at L). */
        uint64_t pas = 0;   /* what the current keeper receives */
        unsigned keepers = n.keepers[s] | 1u << L;
        for (int l = __builtin_ctz(keepers); l < L;) {
            unsigned inward = keepers & ~((2u << l) - 1);
            int c = __builtin_ctz(inward);
            uint64_t child = c < L ? nest_received_words(&n, (enum slot)s, c)
                                   : n.compute_cycles;
            uint64_t groups = 1;
            for (int f = l; f < c; f++)
                if (n.spread[f] & uses)
                    groups *= nest_groups(&n, (enum slot)s, f);
            uint64_t ca;
            if (__builtin_mul_overflow(child, groups, &ca))
                n.overflow = true;
            struct tensor_stats *ts = &out->level[l].tensor[s];
            ts->tile_words = n.tile[s][l];
            if (result) {
                ts->updates = ca;
                ts->reads = sat_sub(ca, part[l]);
                ts->fills = l == 0 ? 0 : sat_sub(pas, part[l]);
            } else {
                ts->reads = ca;
                ts->fills = l == 0 ? 0 : pas;
            }
            pas = child;
            l = c;
        }
    }
    if (n.overflow)
        return err_set(err, ERR_TOO_LARGE, "access counts of the mapping are too large");
    finish(prep, p->shape_order, out);
    out->bounds = prep->bounds;
    return 0;
}

int model_eval(const struct arch *a, const struct problem *p,
               const struct mapping *m, struct model_stats *out,
               struct err *err)
{
    struct model_prep prep;
    model_prepare(&prep, a, p);
    return model_eval_prepared(&prep, m, out, err);
}

/* Where index i of pt reads its extent from: a dim's own extent, the
 * constant 1, or a compound, added to prep's list unless already there. */
static uint8_t prep_value(struct model_prep *prep, const struct model_prep_tensor *pt,
                          int i)
{
    int nt = pt->nterms[i];
    if (nt == 0)
        return MODEL_VALUE_ONE;
    if (nt == 1 && pt->coef[i][0] == 1)
        return pt->dim[i][0];
    int k = 0;
    for (; k < prep->ncompounds; k++) {
        const struct model_prep_compound *cp = &prep->compound[k];
        bool same = cp->nterms == nt;
        for (int j = 0; j < nt && same; j++)
            same = cp->dim[j] == pt->dim[i][j] && cp->coef[j] == pt->coef[i][j];
        if (same)
            break;
    }
    if (k == prep->ncompounds) {
        struct model_prep_compound *cp = &prep->compound[prep->ncompounds++];
        cp->nterms = (uint8_t)nt;
        for (int j = 0; j < nt; j++) {
            cp->dim[j] = pt->dim[i][j];
            cp->coef[j] = pt->coef[i][j];
        }
    }
    return (uint8_t)(MODEL_VALUE_ONE + 1 + k);
}

void model_prepare(struct model_prep *prep, const struct arch *a,
                   const struct problem *p)
{
    /* No memset of the whole (about 4.5 KB): model_eval prepares on every
     * call, so only the counts and masks are cleared. */
    prep->arch = a;
    prep->prob = p;
    prep->nlevels = a->nlevels;
    prep->mac_count = arch_mac_count(a);
    for (int l = 0; l < a->nlevels; l++) {
        const struct arch_level *al = &a->level[l];
        for (int s = 0; s < SLOT_COUNT; s++)
            prep->capacity_words[l][s] = arch_capacity_words(al, (enum slot)s);
        prep->may_keep[l] = 0;
        for (int s = 0; s < SLOT_COUNT; s++)
            prep->may_keep[l] |= (uint8_t)(al->keeps[s] << s);
        prep->bandwidth_bound[l] = isfinite(al->read_bw) || isfinite(al->write_bw) ||
                                   isfinite(al->shared_bw);
    }
    if (p->is_stream) {
        model_bounds(a, p, &prep->bounds);
        return;
    }
    uint64_t words[SLOT_COUNT];
    prep->ncompounds = 0;
    for (int s = 0; s < SLOT_COUNT; s++) {
        const struct tensor_spec *t = &p->tensor[s];
        struct model_prep_tensor *pt = &prep->tensor[s];
        pt->uses = 0;
        pt->windows = 0;
        memset(pt->nterms, 0, sizeof pt->nterms);
        memset(pt->step, 0, sizeof pt->step);
        memset(pt->couple, 0, sizeof pt->couple);
        pt->rank = (uint8_t)(t->rank < 0 ? 0 : t->rank > TENSOR_MAX_RANK ? TENSOR_MAX_RANK
                                                                          : t->rank);
        /* The whole tensor as a mapping's outermost tile: R1's formula,
         * unchecked like the tiles (the derivation checked the sizes). */
        uint64_t w = 1;
        for (int i = 0; i < pt->rank; i++) {
            uint64_t e = 1;
            unsigned dims = 0;
            for (int d = 0; d < DIM_COUNT; d++) {
                int64_t c = t->index[i].coef[d];
                if (c == 0)
                    continue;
                uint64_t mag = (uint64_t)(c < 0 ? -c : c);
                e += mag * (p->bound[d] - 1);
                if (p->bound[d] <= 1)
                    continue;   /* extent 1 in every tile: no term */
                dims |= 1u << d;
                pt->step[d][i] = c;
                pt->dim[i][pt->nterms[i]] = (uint8_t)d;
                pt->coef[i][pt->nterms[i]++] = mag;
            }
            w *= e;
            pt->value[i] = prep_value(prep, pt, i);
            pt->uses |= (uint8_t)dims;
            if (dims & (dims - 1))      /* two dims or more */
                pt->windows |= (uint8_t)dims;
            for (unsigned b = dims; b; b &= b - 1)
                pt->couple[__builtin_ctz(b)] |= (uint8_t)dims;
        }
        words[s] = w;
    }
    bounds_for(a, p, words, &prep->bounds);
}

/* Cheapest per-word price of an action among the levels that may keep s. */
static double cheapest_pj(const struct arch *a, enum slot s, bool update)
{
    double best = INFINITY;
    for (int l = 0; l < a->nlevels; l++) {
        const struct arch_level *al = &a->level[l];
        if (!al->keeps[s])
            continue;
        double pj = (update ? al->update_pj : al->read_pj) / al->block_words;
        if (pj < best)
            best = pj;
    }
    return best;
}

/* The bounds, given the words of each slot's whole tensor. */
static void bounds_for(const struct arch *a, const struct problem *p,
                       const uint64_t *tensor_words, struct model_bounds *out)
{
    const struct arch_level *top = &a->level[0];
    double macs = (double)arch_mac_count(a);
    double energy = (double)p->macs * a->compute.energy_pj;
    double cycles = ceil((double)p->macs / macs);
    double rd = 0, wr = 0;
    if (p->is_stream) {
        for (int i = 0; i < p->stream.ntensors; i++) {
            const struct stream_tensor *t = &p->stream.tensor[i];
            if (t->read) {
                energy += (double)t->words * top->read_pj / top->block_words;
                rd += (double)t->words;
            }
            if (t->written) {
                energy += (double)t->words * top->update_pj / top->block_words;
                wr += (double)t->words;
            }
        }
    } else {
        double accesses = (double)p->macs / macs;
        for (int s = 0; s < SLOT_COUNT; s++) {
            bool result = s == SLOT_OUTPUTS;
            uint64_t words = tensor_words[s];
            double e_top = (result ? top->update_pj : top->read_pj) / top->block_words;
            double e_min = cheapest_pj(a, (enum slot)s, result);
            energy += (double)words * e_top;
            if (accesses > (double)words)
                energy += (accesses - (double)words) * e_min;
            if (result)
                wr += (double)words;
            else
                rd += (double)words;
        }
    }
    if (isfinite(top->read_bw) && rd / top->read_bw > cycles)
        cycles = rd / top->read_bw;
    if (isfinite(top->write_bw) && wr / top->write_bw > cycles)
        cycles = wr / top->write_bw;
    if (isfinite(top->shared_bw) && (rd + wr) / top->shared_bw > cycles)
        cycles = (rd + wr) / top->shared_bw;
    out->energy_pj = energy;
    out->cycles = cycles;
}

void model_bounds(const struct arch *a, const struct problem *p,
                  struct model_bounds *out)
{
    uint64_t words[SLOT_COUNT] = { 0 };
    if (!p->is_stream)
        for (int s = 0; s < SLOT_COUNT; s++)
            if (!problem_tensor_words(p, (enum slot)s, &words[s]))
                words[s] = UINT64_MAX;
    bounds_for(a, p, words, out);
}
