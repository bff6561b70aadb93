/* Integer matrix multiply: C = A x B with 24x24 int16 matrices and int32 accumulation (13824
 * multiply-accumulates), the inner loop of every dense layer. Setup fills A and B with a linear
 * congruential sequence in [-128, 127]; benchmark() multiplies and returns a position-weighted
 * sum of C (unsigned arithmetic: wraps, never overflows). */
#include <stdint.h>

#define MATMUL_N 24

static int16_t mm_a[MATMUL_N][MATMUL_N];
static int16_t mm_b[MATMUL_N][MATMUL_N];
static int32_t mm_c[MATMUL_N][MATMUL_N];

void benchmark_setup(void) {
  uint32_t x = 42u;
  for (int i = 0; i < MATMUL_N; i++)
    for (int j = 0; j < MATMUL_N; j++) {
      x = x * 1664525u + 1013904223u;
      mm_a[i][j] = (int16_t)((int32_t)(x >> 24) - 128);
      x = x * 1664525u + 1013904223u;
      mm_b[i][j] = (int16_t)((int32_t)(x >> 24) - 128);
    }
}

int benchmark(void) {
  for (int i = 0; i < MATMUL_N; i++)
    for (int j = 0; j < MATMUL_N; j++) {
      int32_t acc = 0;
      for (int k = 0; k < MATMUL_N; k++) acc += (int32_t)mm_a[i][k] * mm_b[k][j];
      mm_c[i][j] = acc;
    }
  uint32_t sum = 0;
  for (int i = 0; i < MATMUL_N; i++)
    for (int j = 0; j < MATMUL_N; j++) sum += (uint32_t)mm_c[i][j] * (uint32_t)(i * MATMUL_N + j + 1);
  return (int)sum;
}
