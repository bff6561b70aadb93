/* Kernels of TFLite Micro's custom operators: its signal library (the audio front end),
 * CIRCULAR_BUFFER and DETECTION_POSTPROCESS; one operator per file in runtime/kernels/, bit-exact
 * with TFLite Micro. The params structs are generated (mb_params.h). */
#ifndef MB_SIGNAL_H
#define MB_SIGNAL_H

#include <stdint.h>

#include "mb_params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* WINDOW: out = sat16((in * window) >> shift), window after window. */
void mb_window_s16(const mb_window_params *p, const int16_t *in, const int16_t *window,
                   int16_t *out);

#ifdef __cplusplus
}
#endif

#endif
