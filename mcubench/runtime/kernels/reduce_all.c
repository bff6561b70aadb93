/* REDUCE_ALL of bool tensors (mb_reduce.h), TFLite Micro's ReduceGeneric with `in && current`
 * from true: an output is 1 when all its inputs are nonzero. */
#include <stdint.h>

#include "mb_reduce.h"

void mb_reduce_all_bool(const mb_reduce_params *p, const uint8_t *in, uint8_t *out) {
  MB_REDUCE_LOOP(p, uint8_t, uint8_t, 1, acc = (uint8_t)(v != 0 && acc), out[k] = acc)
}
