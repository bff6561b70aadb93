/* Heapsort of 512 int32 values (no recursion, no allocation): data-dependent branches and
 * irregular memory access. Setup fills the source with a linear congruential sequence; benchmark()
 * copies it (so every call sorts the same input), sorts, and returns a position-weighted sum of
 * the sorted values, or -1 if they are out of order. */
#include <stdint.h>

#define SORT_N 512

static int32_t sort_src[SORT_N];
static int32_t sort_work[SORT_N];

void benchmark_setup(void) {
  uint32_t x = 7u;
  for (int i = 0; i < SORT_N; i++) {
    x = x * 1664525u + 1013904223u;
    sort_src[i] = (int32_t)(x >> 8) - (1 << 23);
  }
}

static void sift_down(int32_t *a, int root, int end) {
  while (2 * root + 1 < end) {
    int child = 2 * root + 1;
    if (child + 1 < end && a[child] < a[child + 1]) child++;
    if (a[root] >= a[child]) return;
    int32_t t = a[root];
    a[root] = a[child];
    a[child] = t;
    root = child;
  }
}

int benchmark(void) {
  int32_t *a = sort_work;
  for (int i = 0; i < SORT_N; i++) a[i] = sort_src[i];
  for (int i = SORT_N / 2 - 1; i >= 0; i--) sift_down(a, i, SORT_N);
  for (int end = SORT_N - 1; end > 0; end--) {
    int32_t t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end);
  }
  uint32_t sum = 0;
  for (int i = 0; i < SORT_N; i++) {
    if (i && a[i - 1] > a[i]) return -1;
    sum += (uint32_t)a[i] * (uint32_t)(i + 1);
  }
  return (int)sum;
}
