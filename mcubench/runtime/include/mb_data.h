/* Sample inputs and expected outputs, generated at LOAD by the validate feature (or one random input
 * when validation is off). Placed in their own section so that ROM figures leave them out. */
#ifndef MB_DATA_H
#define MB_DATA_H

#include <stdint.h>

#define MB_DTYPE_INT8 0
#define MB_DTYPE_UINT8 1
#define MB_DTYPE_INT16 2
#define MB_DTYPE_INT32 3
#define MB_DTYPE_FLOAT32 4

#if defined(__APPLE__)
#define MB_DATA_SECTION
#else
#define MB_DATA_SECTION __attribute__((section(".mb_samples")))
#endif

extern const uint32_t mb_num_samples;
extern const int mb_validate; /* expected outputs present */
extern const uint32_t mb_tolerance;          /* largest difference that still matches (LSB/ulp) */
extern const uint8_t *const mb_sample_in[];  /* [sample * num_inputs + i] */
extern const uint8_t *const mb_sample_out[]; /* [sample * num_outputs + o] */
extern const uint8_t mb_output_dtype[];      /* MB_DTYPE_* per output */

#endif
