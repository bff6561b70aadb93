/* Gather kernels (runtime/kernels/gather.c, gather_nd.c, embedding_lookup.c): GATHER, GATHER_ND
 * and EMBEDDING_LOOKUP copy slices of their data selected by int32 indices, byte for byte, so one
 * kernel serves every element type (TFLite Micro's int8 and float32); EMBEDDING_LOOKUP's int8 ->
 * float32 rows are dequantized as TFLite Micro's Dequantize does, (value - 0) x scale in float.
 *
 * Each returns 0, or MB_ERR_INDEX for an index that selects a slice outside its data, before
 * reading outside it (the output is then incomplete, and invoke fails with that code).
 */
#ifndef MB_GATHER_H
#define MB_GATHER_H

#include <stdint.h>

#include "mb_params.h" /* the params structs, generated from mcubench/ops/ */

#ifdef __cplusplus
extern "C" {
#endif

#define MB_ERR_INDEX 8 /* an index input out of range: what invoke returns (both backends) */

int32_t mb_gather(const mb_gather_params *p, const void *in, const int32_t *coords, void *out);
int32_t mb_gather_nd(const mb_gather_nd_params *p, const void *in, const int32_t *indices,
                     void *out);
int32_t mb_embedding_lookup(const mb_embedding_lookup_params *p, const int32_t *lookup,
                            const void *value, void *out);

#ifdef __cplusplus
}
#endif

#endif
