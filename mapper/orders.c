/*
 * orders: the loop orders the exhaustive search evaluates for one
 * factorization, one per class of orders that cost the same by
 * construction (see mapspace.h).
 *
 * Called once per factorization that survives the search's bounds, i.e.
 * up to millions of times per search: the classes of a level are found by
 * a depth-first walk that fixes the level's loops from the innermost
 * outward and stops as soon as the class is decided, so a level of k loops
 * costs far fewer than k! steps when its classes are few.  Nothing here
 * allocates: the class lists live in the caller's struct.
 *
 * Why an order's class is its signature (MODEL.md R4).  Only the words a
 * level receives from its parent (PAS) depend on orders, and PAS(t, c)
 * depends only on the temporal loops above c.  Call a dim an anchor of t
 * when it has bound > 1 and every index of t that uses it uses no other dim
 * of bound > 1.  A step of a loop at or outside the innermost anchor loop
 * a above c moves t's box by at least its extent along that anchor's index
 * (loop strides only grow outward, and inner loops of the same dim return
 * by less than one outer step), so it receives the whole box whatever was
 * remembered, and it leaves a translation that no loop inside a can repeat
 * (those have a zero component on the anchor's index).  So the walk inside
 * a restarts after every such step in a class that only the walk inside a
 * decides, and PAS(t, c) is a function of: the sequence of loops from a
 * inward, and the product of the loops outside a.  For a tensor without
 * sliding windows the loops inside a are irrelevant to it and receive
 * nothing, so their set suffices.  A level's signature for t is therefore:
 * the loops after its innermost anchor of t (their set without windows,
 * else the anchor and the sequence after it); without an anchor at the
 * level, nothing for a tensor without windows (all its loops there are
 * irrelevant) and the whole order for one with windows.  Only tensors kept
 * by some level inward of this one (and outward of the MACs) count.
 */
#include "mapspace.h"

#include <string.h>

int mapspace_canonical_order(const struct mapspace *s, struct mapping *m, int l, int *prefix)
{
    const struct level_constraint *lc = &s->cons.level[l];
    struct mapping_level *ml = &m->level[l];
    bool used[DIM_COUNT] = { false };
    int n = 0;
    for (int i = 0; i < lc->order_prefix_len; i++) {
        ml->order[n++] = lc->order_prefix[i];
        used[lc->order_prefix[i]] = true;
    }
    *prefix = n;
    int free = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        if (!used[d] && ml->temporal[d] > 1) {
            ml->order[n++] = (uint8_t)d;
            used[d] = true;
            free++;
        }
    for (int d = 0; d < DIM_COUNT; d++)
        if (!used[d])
            ml->order[n++] = (uint8_t)d;
    return free;
}

/* Lexicographic next permutation of a[0..n); false (and sorted) after the
 * last. */
static bool next_permutation(uint8_t *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0) {
        for (int lo = 0, hi = n - 1; lo < hi; lo++, hi--) {
            uint8_t t = a[lo]; a[lo] = a[hi]; a[hi] = t;
        }
        return false;
    }
    int j = n - 1;
    while (a[j] <= a[i])
        j--;
    uint8_t t = a[i]; a[i] = a[j]; a[j] = t;
    for (int lo = i + 1, hi = n - 1; lo < hi; lo++, hi--) {
        t = a[lo]; a[lo] = a[hi]; a[hi] = t;
    }
    return true;
}

/* ---- every permutation (the plain enumeration, kept for probing) ---- */

void mapspace_orders_first(const struct mapspace *s, struct mapping *m,
                           struct mapspace_orders *o)
{
    o->nlevels = 0;
    for (int l = 0; l < s->nlevels; l++) {
        int prefix;
        int free = mapspace_canonical_order(s, m, l, &prefix);
        if (l == s->nlevels - 1 || free < 2)
            continue;
        o->level[o->nlevels] = (uint8_t)l;
        o->prefix[o->nlevels] = (uint8_t)prefix;
        o->ndims[o->nlevels++] = (uint8_t)free;
    }
}

bool mapspace_orders_next(const struct mapspace_orders *o, struct mapping *m)
{
    for (int i = o->nlevels - 1; i >= 0; i--) {
        uint8_t *seg = m->level[o->level[i]].order + o->prefix[i];
        if (next_permutation(seg, o->ndims[i]))
            return true;
    }
    return false;
}

/* ---- one order per class ---- */

/* The signature of a level's order (see the top of the file): one word per
 * counted tensor.  Windowed: 4 bits of length, then 3 bits per dim from
 * the innermost anchor on (or of the whole order).  Otherwise: a mask of
 * the dims after the innermost anchor, with bit 31 set. */
static void signature(const struct mapspace *s, const struct mapping_level *ml,
                      uint8_t counted, uint32_t *sig)
{
    uint8_t loops[DIM_COUNT];
    int k = 0;
    for (int i = 0; i < DIM_COUNT; i++)
        if (ml->temporal[ml->order[i]] > 1)
            loops[k++] = ml->order[i];
    for (int t = 0; t < SLOT_COUNT; t++) {
        sig[t] = 0;
        if (!((counted >> t) & 1))
            continue;
        int a = k - 1;
        while (a >= 0 && !((s->anchor[t] >> loops[a]) & 1))
            a--;
        if (s->sliding[t]) {
            int from = a < 0 ? 0 : a;
            uint32_t v = (uint32_t)(k - from);
            for (int i = from; i < k; i++)
                v |= (uint32_t)loops[i] << (4 + 3 * (i - from));
            sig[t] = v;
        } else if (a >= 0) {
            uint32_t v = 1u << 31;
            for (int i = a + 1; i < k; i++)
                v |= 1u << loops[i];
            sig[t] = v;
        }
    }
}

/* Open addressing over the signatures found, twice the most classes: the
 * walk meets each class many times, and a level may have hundreds. */
#define SIG_TABLE (2 * MAPSPACE_MAX_CLASSES)
_Static_assert((SIG_TABLE & (SIG_TABLE - 1)) == 0 && SIG_TABLE < 65536,
               "the signature table is indexed by masking and holds 16-bit entries");

struct dfs {
    const struct mapspace *s;
    struct mapping_level *ml;
    struct mapspace_level_orders *lo;
    uint8_t counted;            /* tensors whose PAS the order reaches */
    uint8_t need;               /* tensors whose innermost anchor is not placed */
    uint8_t seg[DIM_COUNT];     /* the free dims, being arranged */
    bool overflow;
    uint16_t table[SIG_TABLE];  /* 1 + a class of lo, or 0 */
};

/* Whether sig is new to lo; if so, *slot is the free table entry it
 * takes once listed. */
static bool sig_new(struct dfs *f, const uint32_t *sig, uint32_t *slot)
{
    uint32_t h = sig[0] * 0x9e3779b1u ^ sig[1] * 0x85ebca77u ^ sig[2] * 0xc2b2ae3du;
    for (uint32_t i = (h ^ h >> 15) & (SIG_TABLE - 1);; i = (i + 1) & (SIG_TABLE - 1)) {
        uint16_t k = f->table[i];
        if (!k) {
            *slot = i;
            return true;
        }
        if (memcmp(f->lo->sig[k - 1], sig, SLOT_COUNT * sizeof *sig) == 0)
            return false;
    }
}

/* Places the dim of free position pos (filling from the innermost). */
static void dfs_place(struct dfs *f, int pos, uint8_t used)
{
    struct mapspace_level_orders *lo = f->lo;
    if (f->overflow)
        return;
    if (!f->need || pos < 0) {
        /* Decided: the outer free positions take the rest in dim order. */
        int p = 0;
        for (int i = 0; i < lo->nfree; i++)
            if (!((used >> i) & 1))
                f->seg[p++] = lo->dims[i];
        memcpy(f->ml->order + lo->prefix, f->seg, (size_t)lo->nfree);
        uint32_t sig[SLOT_COUNT], slot;
        signature(f->s, f->ml, f->counted, sig);
        if (!sig_new(f, sig, &slot))
            return;
        if (lo->n == MAPSPACE_MAX_CLASSES) {
            f->overflow = true;
            return;
        }
        f->table[slot] = (uint16_t)(lo->n + 1);
        memcpy(lo->sig[lo->n], sig, sizeof sig);
        memcpy(lo->order[lo->n++], f->ml->order, DIM_COUNT);
        return;
    }
    uint8_t need = f->need;
    for (int i = 0; i < lo->nfree; i++) {
        if ((used >> i) & 1)
            continue;
        uint8_t d = lo->dims[i];
        f->seg[pos] = d;
        for (int t = 0; t < SLOT_COUNT; t++)
            if ((f->s->anchor[t] >> d) & 1)
                f->need &= (uint8_t)~(1u << t);
        dfs_place(f, pos - 1, (uint8_t)(used | (1u << i)));
        f->need = need;
    }
}

/* Fills lo with level l's classes; m's order at l is left canonical. */
static void level_classes(const struct mapspace *s, struct mapping *m, int l,
                          struct mapspace_level_orders *lo)
{
    struct mapping_level *ml = &m->level[l];
    int prefix;
    lo->level = l;
    lo->nfree = mapspace_canonical_order(s, m, l, &prefix);
    lo->prefix = prefix;
    lo->n = 0;
    lo->all = false;
    memcpy(lo->dims, ml->order + prefix, (size_t)lo->nfree);
    if (lo->nfree < 2)
        return;
    /* The tensors kept by some level inward of l, outward of the MACs. */
    uint8_t counted = 0, free_mask = 0;
    for (int c = l + 1; c < s->nlevels; c++)
        for (int t = 0; t < SLOT_COUNT; t++)
            if (s->arch->level[c].keeps[t] && !m->level[c].bypass[t])
                counted |= (uint8_t)(1u << t);
    for (int i = 0; i < lo->nfree; i++)
        free_mask |= (uint8_t)(1u << lo->dims[i]);
    struct dfs f = { .s = s, .ml = ml, .lo = lo, .counted = counted };
    for (int t = 0; t < SLOT_COUNT; t++) {
        if (!((counted >> t) & 1))
            continue;
        if (s->anchor[t] & free_mask)
            f.need |= (uint8_t)(1u << t);
        else if (s->sliding[t])
            lo->all = true;     /* its signature is the whole order */
    }
    if (!lo->all) {
        dfs_place(&f, lo->nfree - 1, 0);
        lo->all = f.overflow;
    }
    mapspace_canonical_order(s, m, l, &prefix);
}

/* Puts class i of lo (or the first permutation) into m. */
static void level_set(const struct mapspace_level_orders *lo, struct mapping *m, int i)
{
    if (lo->all)
        memcpy(m->level[lo->level].order + lo->prefix, lo->dims, (size_t)lo->nfree);
    else
        memcpy(m->level[lo->level].order, lo->order[i], DIM_COUNT);
}

void mapspace_level_first(const struct mapspace_level_orders *lo, struct mapping *m)
{
    level_set(lo, m, 0);
}

bool mapspace_level_next(const struct mapspace_level_orders *lo, struct mapping *m,
                         int *cursor)
{
    if (lo->all)
        return next_permutation(m->level[lo->level].order + lo->prefix, lo->nfree);
    if (++*cursor < lo->n) {
        level_set(lo, m, *cursor);
        return true;
    }
    *cursor = 0;
    level_set(lo, m, 0);
    return false;
}

void mapspace_classes_first(const struct mapspace *s, struct mapping *m,
                            struct mapspace_classes *o)
{
    o->nlevels = 0;
    for (int l = 0; l < s->nlevels; l++) {
        int prefix;
        if (l == s->nlevels - 1) {
            mapspace_canonical_order(s, m, l, &prefix);
            continue;
        }
        struct mapspace_level_orders *lo = &o->lv[o->nlevels];
        level_classes(s, m, l, lo);
        if (lo->all || lo->n > 1)
            o->nlevels++;
        if (lo->all || lo->n >= 1)
            level_set(lo, m, 0);
    }
}
