/* The common firmware entry: shared by every backend and target.
 *
 * Measures setup and one inference (sample 0) between HAL region markers, then runs the other samples
 * unmeasured and compares every output with the expected one. Prints one "MB key=value ..." line per
 * fact, so targets parse the same format everywhere. Exit codes: 0 ok, 3 validation mismatch,
 * 10+rc setup failed, 20+rc invoke failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mb_data.h"
#include "mb_hal.h"
#include "mb_model.h"

#ifndef MB_STACK_PAINT_BYTES
#define MB_STACK_PAINT_BYTES 32768
#endif
#define MB_STACK_PATTERN 0xA5

/* mb_data.c sets the tolerance; a hand-written data file without one means 0 (bit-exact): a weak
 * default, read through a volatile access so that the compiler cannot fold this 0 in. */
#if defined(__GNUC__) && !defined(__APPLE__)
__attribute__((weak)) const uint32_t mb_tolerance = 0;
#endif
static uint32_t mb_tolerance_value(void) { return *(const volatile uint32_t *)&mb_tolerance; }

/* Paint the stack below main's frame, then scan it after the work: the deepest byte that changed
 * is the high-water mark. Both helpers are called from main, so their frames start at the same depth. */
static MB_NOINLINE void mb_stack_paint(void) {
  volatile uint8_t area[MB_STACK_PAINT_BYTES];
  for (uint32_t i = 0; i < MB_STACK_PAINT_BYTES; i++) area[i] = MB_STACK_PATTERN;
  (void)area[0];
}

/* Reads bytes this frame never wrote: deliberately, they hold what the painted stack kept. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#endif
static MB_NOINLINE uint32_t mb_stack_used(void) {
  volatile uint8_t area[MB_STACK_PAINT_BYTES];
  uint32_t i = 0; /* the stack grows down: area[0] is the deepest byte */
  while (i < MB_STACK_PAINT_BYTES && area[i] == MB_STACK_PATTERN) i++;
  return MB_STACK_PAINT_BYTES - i;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

static MB_NOINLINE int mb_bench_setup(void) { return mb_model_setup(); }
static MB_NOINLINE int mb_bench_invoke(void) { return mb_model_invoke(); }

static void mb_load_sample(uint32_t s) {
  int n = mb_model_num_inputs();
  for (int i = 0; i < n; i++)
    memcpy(mb_model_input(i), mb_sample_in[s * (uint32_t)n + (uint32_t)i], mb_model_input_bytes(i));
}

static int32_t mb_read(const uint8_t *p, uint32_t k, uint8_t dtype) {
  switch (dtype) {
  case MB_DTYPE_INT8: return ((const int8_t *)p)[k];
  case MB_DTYPE_UINT8: return p[k];
  case MB_DTYPE_INT16: { int16_t v; memcpy(&v, p + 2 * k, 2); return v; }
  default: { int32_t v; memcpy(&v, p + 4 * k, 4); return v; }
  }
}

/* float32 as a signed count of units u = ulp(floor), for the magnitudes below floor (biased
 * exponent floor_exp), continued by one per representable float above it. Below the floor the
 * count is truncated toward zero. */
static int64_t mb_f32_units(uint32_t bits, uint32_t floor_exp) {
  const uint32_t mag = bits & 0x7fffffffu, e = mag >> 23, m = mag & 0x7fffffu;
  int64_t units;
  if (e >= floor_exp) {
    units = (int64_t)mag - ((int64_t)floor_exp << 23) + ((int64_t)1 << 23);
  } else {
    const uint32_t shift = e ? floor_exp - e : floor_exp - 1; /* subnormals: m * 2^-149 */
    const uint32_t sig = e ? m | 0x800000u : m;
    units = shift < 32 ? (int64_t)(sig >> shift) : 0;
  }
  return (bits >> 31) ? -units : units;
}

/* float32 difference of one output: in ulp of the reference output's largest magnitude (its
 * "peak"), i.e. an absolute error on the tensor's own scale, as an LSB is for integers (and, like
 * bit counts, above the peak one per float). Plain ulp of each element would explode near zero,
 * where sums cancel: 1e-9 against 0 is ~800 million float steps apart. 0 only when every element
 * is equal (+0 and -0 count as equal); a NaN against anything else is the largest difference. */
static uint32_t mb_compare_f32(const uint8_t *got, const uint8_t *want, uint32_t count) {
  uint32_t peak = 0, worst = 0;
  for (uint32_t k = 0; k < count; k++) {
    uint32_t w;
    memcpy(&w, want + 4 * k, 4);
    w &= 0x7fffffffu;
    if (w <= 0x7f800000u && w > peak) peak = w; /* NaN excluded */
  }
  const uint32_t floor_exp = (peak >> 23) ? (peak >> 23) : 1;
  for (uint32_t k = 0; k < count; k++) {
    uint32_t g, w;
    memcpy(&g, got + 4 * k, 4);
    memcpy(&w, want + 4 * k, 4);
    if (g == w || ((g | w) & 0x7fffffffu) == 0) continue;
    if ((g & 0x7fffffffu) > 0x7f800000u || (w & 0x7fffffffu) > 0x7f800000u) return UINT32_MAX;
    int64_t d = mb_f32_units(g, floor_exp) - mb_f32_units(w, floor_exp);
    d = d < 0 ? -d : d;
    const uint32_t a = d == 0 ? 1 : (d > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d);
    if (a > worst) worst = a;
  }
  return worst;
}

/* Largest difference over all outputs: in LSB for integers, for float32 in ulp of each output's
 * largest reference magnitude (mb_compare_f32). */
static uint32_t mb_compare(uint32_t s) {
  int n = mb_model_num_outputs();
  uint32_t worst = 0;
  for (int o = 0; o < n; o++) {
    const uint8_t *got = (const uint8_t *)mb_model_output(o);
    const uint8_t *want = mb_sample_out[s * (uint32_t)n + (uint32_t)o];
    uint8_t dt = mb_output_dtype[o];
    uint32_t width = (dt <= MB_DTYPE_UINT8) ? 1 : (dt == MB_DTYPE_INT16 ? 2 : 4);
    uint32_t count = mb_model_output_bytes(o) / width;
    if (dt == MB_DTYPE_FLOAT32) {
      uint32_t a = mb_compare_f32(got, want, count);
      if (a > worst) worst = a;
      continue;
    }
    for (uint32_t k = 0; k < count; k++) {
      int64_t d = (int64_t)mb_read(got, k, dt) - (int64_t)mb_read(want, k, dt);
      uint32_t a = (uint32_t)(d < 0 ? -d : d);
      if (a > worst) worst = a;
    }
  }
  return worst;
}

int main(void) {
  mb_hal_init();
  mb_hal_region_begin(MB_REGION_CALIBRATE);
  mb_hal_region_end(MB_REGION_CALIBRATE);

  mb_stack_paint();
  mb_hal_region_begin(MB_REGION_SETUP);
  int rc = mb_bench_setup();
  mb_hal_region_end(MB_REGION_SETUP);
  if (rc != 0) {
    printf("MB error=setup code=%d\n", rc);
    return 10 + (rc & 7);
  }
  mb_load_sample(0);
  mb_hal_region_begin(MB_REGION_INVOKE);
  rc = mb_bench_invoke();
  mb_hal_region_end(MB_REGION_INVOKE);
  uint32_t stack = mb_stack_used();
  if (rc != 0) {
    printf("MB error=invoke code=%d\n", rc);
    return 20 + (rc & 7);
  }
  mb_hal_report();
  printf("MB stack_used=%lu\n", (unsigned long)stack);

  if (!mb_validate) {
    printf("MB done\n");
    return 0;
  }
  /* mismatched: samples with an output differing by more than mb_tolerance */
  uint32_t tolerance = mb_tolerance_value();
  uint32_t worst = mb_compare(0), bad = worst > tolerance ? 1 : 0;
  for (uint32_t s = 1; s < mb_num_samples; s++) {
    mb_load_sample(s);
    if (mb_model_invoke() != 0) return 21;
    uint32_t d = mb_compare(s);
    if (d > tolerance) bad++;
    if (d > worst) worst = d;
  }
  printf("MB validate samples=%lu mismatched=%lu max_abs_diff=%lu\n", (unsigned long)mb_num_samples,
         (unsigned long)bad, (unsigned long)worst);
  printf("MB done\n");
  return bad ? 3 : 0;
}
