/*
 * mapping: construction of the identity mapping.
 */
#include "mapping.h"

#include <string.h>

void mapping_init(struct mapping *m, int nlevels)
{
    memset(m, 0, sizeof *m);
    m->nlevels = nlevels;
    for (int l = 0; l < ARCH_MAX_LEVELS; l++) {
        struct mapping_level *ml = &m->level[l];
        for (int d = 0; d < DIM_COUNT; d++) {
            ml->temporal[d] = 1;
            ml->spatial_x[d] = 1;
            ml->spatial_y[d] = 1;
            ml->order[d] = (uint8_t)d;
        }
    }
}
