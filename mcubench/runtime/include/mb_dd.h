/* Double-double arithmetic (a value as the unevaluated sum of two doubles, about 106 bits) for
 * the few transcendental values the runtime needs without libm, correctly rounded to double:
 * cos and sin of the FFT twiddles (interp/mbi_fft.c), exp in DETECTION_POSTPROCESS
 * (kernels/detection_postprocess.c). Products are exact by Dekker's splitting (no fused
 * multiply-add needed; -std=c99 contracts nothing). */
#ifndef MB_DD_H
#define MB_DD_H

typedef struct {
  double hi, lo;
} mb_dd;

static inline mb_dd mb_dd_two_sum(double a, double b) {
  const double s = a + b, v = s - a;
  const mb_dd r = {s, (a - (s - v)) + (b - v)};
  return r;
}

static inline mb_dd mb_dd_two_prod(double a, double b) {
  const double ta = 134217729.0 * a, tb = 134217729.0 * b; /* 2^27 + 1: split into halves */
  const double ah = ta - (ta - a), al = a - ah, bh = tb - (tb - b), bl = b - bh;
  const double p = a * b;
  const mb_dd r = {p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
  return r;
}

static inline mb_dd mb_dd_add(mb_dd a, mb_dd b) {
  mb_dd s = mb_dd_two_sum(a.hi, b.hi);
  s.lo += a.lo + b.lo;
  return mb_dd_two_sum(s.hi, s.lo); /* after cancellation lo may outweigh hi */
}

static inline mb_dd mb_dd_mul(mb_dd a, mb_dd b) {
  mb_dd p = mb_dd_two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return mb_dd_two_sum(p.hi, p.lo);
}

static inline mb_dd mb_dd_div(mb_dd a, double k) { /* k: a small integer */
  const double q1 = a.hi / k;
  const mb_dd p = mb_dd_two_prod(q1, k);
  return mb_dd_two_sum(q1, ((a.hi - p.hi) - p.lo + a.lo) / k);
}

static inline mb_dd mb_dd_neg(mb_dd a) {
  const mb_dd r = {-a.hi, -a.lo};
  return r;
}

#endif
