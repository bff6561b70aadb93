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

/* FFT_AUTO_SCALE: out = in << bits with the largest magnitude using 15 bits; returns bits. */
int32_t mb_fft_auto_scale_s16(int32_t size, const int16_t *in, int16_t *out);

/* ENERGY: out[i] = re^2 + im^2 of bin i (int16 pairs) for start <= i < end. */
void mb_energy_s16(const mb_energy_params *p, const int16_t *in, uint32_t *out);

/* FILTER_BANK: the mel channels of a uint32 energy spectrum (TFLite Micro's layout of
 * weights, unweights and per-channel starts and widths, num_channels + 1 entries). */
void mb_filter_bank_u32(const mb_filter_bank_params *p, const uint32_t *in,
                        const int16_t *weights, const int16_t *unweights,
                        const int16_t *freq_starts, const int16_t *weight_starts,
                        const int16_t *widths, uint64_t *out);

/* FILTER_BANK_SQUARE_ROOT: out = rounded sqrt(in) >> (shift mod 32). */
void mb_filter_bank_square_root_u64(int32_t size, const uint64_t *in, int32_t shift,
                                    uint32_t *out);

/* FILTER_BANK_LOG: out = min(round(ln(in << correction_bits) * output_scale), 32767). */
void mb_filter_bank_log_u32(const mb_filter_bank_log_params *p, const uint32_t *in,
                            int16_t *out);

/* PCAN: per-channel gain from the noise estimate through the gain table, then shrink. */
void mb_pcan_u32(const mb_pcan_params *p, const uint32_t *in, const uint32_t *noise,
                 const int16_t *lut, uint32_t *out);

/* Circular buffers of int16 (kernels/signal_cbuf.c): TFLite Micro's CircularBuffer. A buffer is
 * an mb_cbuf header followed by its samples, mb_cbuf_words(capacity) 4-byte words in all. */
uint32_t mb_cbuf_words(int32_t capacity);
void mb_cbuf_reset(mb_cbuf *cb, int32_t capacity); /* empty, samples zeroed */
int32_t mb_cbuf_available(const mb_cbuf *cb);
void mb_cbuf_write(mb_cbuf *cb, const int16_t *values, int32_t n); /* values 0: zeros */
void mb_cbuf_extend(mb_cbuf *cb, int32_t count, int32_t times); /* the last count, again */
void mb_cbuf_get(const mb_cbuf *cb, int32_t n, int16_t *out);     /* the oldest n, kept */
void mb_cbuf_discard(mb_cbuf *cb, int32_t n);

/* DELAY: state of `outer` buffers (ops/delay.py's size), reset before the first invoke. */
void mb_delay_reset(const mb_delay_params *p, int32_t *state);
void mb_delay_s16(const mb_delay_params *p, int32_t *state, const int16_t *in, int16_t *out);

/* FRAMER: returns the valid flag (0: a frame was not complete and is not written). */
void mb_framer_reset(const mb_framer_params *p, int32_t *state);
int32_t mb_framer_s16(const mb_framer_params *p, int32_t *state, const int16_t *in,
                      int16_t *out);

/* STACKER: returns the valid flag (0: no stack this time, out not written). */
void mb_stacker_reset(const mb_stacker_params *p, int32_t *state);
int32_t mb_stacker_s16(const mb_stacker_params *p, int32_t *state, const int16_t *in,
                       int16_t *out);

/* OVERLAP_ADD: state of p->words words (zeroed by reset), frame_size values per row. */
void mb_overlap_add_reset(const mb_overlap_add_params *p, int32_t *state);
void mb_overlap_add_s16(const mb_overlap_add_params *p, int16_t *state, const int16_t *in,
                        int16_t *out);
void mb_overlap_add_f32(const mb_overlap_add_params *p, float *state, const float *in,
                        float *out);

/* FILTER_BANK_SPECTRAL_SUBTRACTION: noise = num_channels estimates kept between invokes. */
void mb_spectral_subtraction_reset(const mb_spectral_subtraction_params *p, uint32_t *noise);
void mb_spectral_subtraction_u32(const mb_spectral_subtraction_params *p, uint32_t *noise,
                                 const uint32_t *in, uint32_t *out, uint32_t *noise_out);

/* RFFT / IRFFT (kernels/fft_tpl.h): `frames` frames, in_stride and out_stride values apart;
 * RFFT pads each frame of in_len values to 2n and puts out n + 1 complex values (re, im),
 * IRFFT takes n + 1 complex values and puts out 2n. */
void mb_rfft_s16(const mb_fft_params *p, int32_t frames, int32_t in_len, int32_t in_stride,
                 int32_t out_stride, const int16_t *in, int16_t *out);
void mb_rfft_s32(const mb_fft_params *p, int32_t frames, int32_t in_len, int32_t in_stride,
                 int32_t out_stride, const int32_t *in, int32_t *out);
void mb_rfft_f32(const mb_fft_params *p, int32_t frames, int32_t in_len, int32_t in_stride,
                 int32_t out_stride, const float *in, float *out);
void mb_irfft_s16(const mb_fft_params *p, int32_t frames, int32_t in_len, int32_t in_stride,
                  int32_t out_stride, const int16_t *in, int16_t *out);
void mb_irfft_s32(const mb_fft_params *p, int32_t frames, int32_t in_len, int32_t in_stride,
                  int32_t out_stride, const int32_t *in, int32_t *out);
void mb_irfft_f32(const mb_fft_params *p, int32_t frames, int32_t in_len, int32_t in_stride,
                  int32_t out_stride, const float *in, float *out);

/* CIRCULAR_BUFFER: returns 0 while its period has not come (the invoke ends there). */
void mb_circular_buffer_reset(const mb_circular_buffer_params *p, int32_t *state);
int32_t mb_circular_buffer_s8(const mb_circular_buffer_params *p, int32_t *state,
                              const int8_t *in, int8_t *out);

/* DETECTION_POSTPROCESS: scratch of ops/detection_postprocess.py's scratch_words; returns 1
 * (TFLite Micro's invoke fails) when a decoded box's corners are out of order, else 0. */
int32_t mb_detection_postprocess_f32(const mb_detection_postprocess_params *p, int32_t *scratch,
                                     const float *enc, const float *scores, const float *anchors,
                                     float *boxes, float *classes, float *out_scores,
                                     float *count);

/* The signal library's integer math (kernels/signal_math.c): the position of the highest set bit
 * (1-based; 32 or 64 for 0, as TFLite Micro's GCC build), rounded square roots and
 * round(ln(x) * out_scale) for x > 1. */
uint32_t mb_msb32(uint32_t x);
uint32_t mb_msb64(uint64_t x);
uint32_t mb_sqrt32(uint32_t num);
uint32_t mb_sqrt64(uint64_t num);
uint32_t mb_log32(uint32_t x, uint32_t out_scale);

#ifdef __cplusplus
}
#endif

#endif
