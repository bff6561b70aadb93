/* RFFT and IRFFT at setup (mbi_signal.h): kiss_fft's factors and twiddles computed in C, as its
 * kiss_fft_alloc and kiss_fftr_alloc compute them with the C library's cos and sin.
 *
 * No libm here: cos and sin come from a fast double evaluation (about 2 ulp); where such a value
 * could round to another twiddle than the exact one would (near a rounding boundary of the type),
 * they are evaluated again in double-double arithmetic (mb_dd.h) and rounded once to double, i.e.
 * correctly rounded but for values within 2^-100 of a boundary. The twiddles then round those
 * doubles exactly as kiss does (floor(0.5 + 32767 cos) for int16, 2^31 - 1 for int32, to float).
 * The reference (TFLite Micro on the host) takes glibc's cos and sin, which are one ulp off at a
 * few hundred of the phases kiss uses; no twiddle they round to changes there: tests/test_signal.py
 * compares every twiddle of every length up to 4096 (longer FFTs are not checked). */
#include "mb_dd.h"
#include "mbi_signal.h"

/* pi / 2 as three doubles (53 + 53 + 53 bits) */
#define PIO2_1 1.5707963267948966
#define PIO2_2 6.123233995736766e-17
#define PIO2_3 -1.4973849048591698e-33

/* cos and sin of x (|x| up to a few thousand), each correctly rounded to double. */
void mbi_cos_sin(double x, double *c, double *s) {
  double kf = x / PIO2_1;
  kf = kf < 0 ? (double)(int64_t)(kf - 0.5) : (double)(int64_t)(kf + 0.5); /* nearest */
  const int64_t k = (int64_t)kf;
  mb_dd r = {x, 0.0};
  r = mb_dd_add(r, mb_dd_neg(mb_dd_two_prod(kf, PIO2_1)));
  r = mb_dd_add(r, mb_dd_neg(mb_dd_two_prod(kf, PIO2_2)));
  r = mb_dd_add(r, mb_dd_neg(mb_dd_two_prod(kf, PIO2_3)));
  const mb_dd r2 = mb_dd_mul(r, r);
  mb_dd sn = r, cs = {1.0, 0.0}, term_s = r, term_c = {1.0, 0.0};
  for (int n = 2; n < 40; n += 2) { /* Taylor series, |r| <= pi / 4 */
    term_c = mb_dd_neg(mb_dd_div(mb_dd_mul(term_c, r2), (double)((n - 1) * n)));
    term_s = mb_dd_neg(mb_dd_div(mb_dd_mul(term_s, r2), (double)(n * (n + 1))));
    cs = mb_dd_add(cs, term_c);
    sn = mb_dd_add(sn, term_s);
  }
  const double cv = cs.hi + cs.lo, sv = sn.hi + sn.lo;
  switch ((int)(((k % 4) + 4) % 4)) {
  case 0: *c = cv, *s = sv; break;
  case 1: *c = -sv, *s = cv; break;
  case 2: *c = -cv, *s = -sv; break;
  default: *c = sv, *s = -cv; break;
  }
}

static double floor_d(double v) {
  const double t = (double)(int64_t)v;
  return t > v ? t - 1.0 : t;
}

static double abs_d(double v) { return v < 0 ? -v : v; }

/* One twiddle component as kiss rounds it to the type. */
static void put(void *table, uint32_t i, double v, uint8_t type) {
  if (type == MBI_TYPE_INT16) ((int16_t *)table)[i] = (int16_t)floor_d(0.5 + 32767 * v);
  else if (type == MBI_TYPE_INT32) ((int32_t *)table)[i] = (int32_t)floor_d(0.5 + 2147483647 * v);
  else ((float *)table)[i] = (float)v;
}

/* cos and sin within about 2 ulp, fast: pi/2 in three 33-bit parts (exact products for the
 * small quadrant counts here), Taylor polynomials on [-pi/4, pi/4] by Horner's rule. */
static void cos_sin_fast(double x, double *c, double *s) {
  double kf = x / PIO2_1;
  kf = kf < 0 ? (double)(int64_t)(kf - 0.5) : (double)(int64_t)(kf + 0.5);
  const double r = ((x - kf * 1.5707963267341256) - kf * 6.077100506303966e-11) -
                   kf * 2.0222662487959506e-21;
  /* 1 / ((n - 1) n) and 1 / (n (n + 1)) for n = 2, 4, ..., 20: no division at run time */
  static const double kc[10] = {1.0 / 2,   1.0 / 12,  1.0 / 30,  1.0 / 56,  1.0 / 90,
                                1.0 / 132, 1.0 / 182, 1.0 / 240, 1.0 / 306, 1.0 / 380};
  static const double ks[10] = {1.0 / 6,   1.0 / 20,  1.0 / 42,  1.0 / 72,  1.0 / 110,
                                1.0 / 156, 1.0 / 210, 1.0 / 272, 1.0 / 342, 1.0 / 420};
  const double r2 = r * r;
  double pc = 0.0, ps = 0.0;
  for (int k = 9; k >= 0; k--) { /* 1 - r^2/2! + ..., r - r^3/3! + ... */
    pc = 1.0 - r2 * kc[k] * pc;
    ps = 1.0 - r2 * ks[k] * ps;
  }
  const double cv = pc, sv = r * ps;
  switch ((int)((((int64_t)kf % 4) + 4) % 4)) {
  case 0: *c = cv, *s = sv; break;
  case 1: *c = -sv, *s = cv; break;
  case 2: *c = -cv, *s = -sv; break;
  default: *c = sv, *s = -cv; break;
  }
}

/* Whether v could round to another twiddle than the exact cos or sin does: within a margin of
 * the type's rounding boundary, far wider than the fast value's error (a few ulp, relative also
 * near a zero of cos or sin: the reduced argument keeps its relative precision there). */
static int near_boundary(double v, uint8_t type) {
  if (type != MBI_TYPE_FLOAT32) {
    const double t = 0.5 + (type == MBI_TYPE_INT16 ? 32767.0 : 2147483647.0) * v;
    const double d = t - floor_d(t), margin = type == MBI_TYPE_INT16 ? 1e-6 : 1e-3;
    return d < margin || d > 1.0 - margin;
  }
  mbi_f32_bits f, g;
  f.f = (float)v;
  if ((double)f.f == v) return 0;
  const int up = v > (double)f.f; /* the float on v's other side, then their midpoint */
  g.u = f.u + (((f.u >> 31) == 0) == up ? 1u : (uint32_t)-1);
  const double mid = ((double)f.f + (double)g.f) * 0.5;
  return abs_d(v - mid) <= abs_d(v) * (1.0 / 1099511627776.0); /* 2^-40 */
}

/* One twiddle, cos and sin of phase rounded as kiss rounds them to the type, into table[2i..]:
 * the fast values, or the correctly rounded ones where those could round differently. */
void mbi_twiddle(double phase, uint8_t type, void *table, uint32_t i) {
  double c, s;
  cos_sin_fast(phase, &c, &s);
  if (near_boundary(c, type) || near_boundary(s, type)) mbi_cos_sin(phase, &c, &s);
  put(table, 2 * i, c, type), put(table, 2 * i + 1, s, type);
}

/* kiss's kf_factor: radix 4 while it divides, then 2, then odd numbers up to floor(sqrt(n)). */
static uint32_t factor(int32_t n, int32_t *out, uint32_t room) {
  int32_t p = 4, root = 0;
  while ((int64_t)(root + 1) * (root + 1) <= n) root++;
  uint32_t k = 0;
  do {
    while (n % p) {
      p = p == 4 ? 2 : p == 2 ? 3 : p + 2;
      if (p > root) p = n;
    }
    n /= p;
    if (k + 2 > room) return 0;
    out[k++] = p, out[k++] = n;
  } while (n > 1);
  return k;
}

int mbi_fft_prepare(mbi_ctx *ctx, mbi_op *op, int inverse) {
  static const char *const keys[] = {"T", "fft_length"};
  int32_t v[2], xd[MBI_MAX_DIMS], yd[MBI_MAX_DIMS], f[MB_FFT_FACTORS];
  if (op->n_in != 1 || op->n_out != 1) return MBI_ERR_PARAMS;
  int rc = mbi_signal_options(ctx, keys, 2, v);
  if (rc != MBI_OK) return rc;
  const uint8_t type = v[0] == 7 ? MBI_TYPE_INT16 : v[0] == 2 ? MBI_TYPE_INT32 :
                       v[0] == 0 ? MBI_TYPE_FLOAT32 : 0xFF;
  const int rank = mbi_shape(ctx, op->in[0], xd);
  const mbi_tensor *x = mbi_signal_tensor(ctx, op->in[0], type, -1);
  const mbi_tensor *y = mbi_signal_tensor(ctx, op->out, type, rank);
  if (!x || !y || rank < 1 || mbi_shape(ctx, op->out, yd) != rank || (x->flags & MBI_T_CONST))
    return MBI_ERR_TENSOR;
  const int32_t length = v[1], n = length / 2, in_w = xd[rank - 1], out_w = yd[rank - 1];
  if (length < 4 || length % 2 != 0 || in_w < 1) return MBI_ERR_PARAMS;
  const uint32_t nf = factor(n, f, MB_FFT_FACTORS);
  if (nf == 0) return MBI_ERR_PARAMS;
  for (uint32_t k = 0; k < nf; k += 2)
    if (f[k] > 5) return MBI_ERR_PARAMS; /* TFLite Micro's kiss_fft has no memory for these */
  const int32_t frames = mbi_signal_count(x) / in_w;
  if (!inverse && (in_w > length || out_w != 2 * (n + 1))) return MBI_ERR_PARAMS;
  if (inverse && (in_w % 2 != 0 || in_w / 2 < n + 1 || out_w != length)) return MBI_ERR_PARAMS;
  if ((int64_t)frames * out_w != mbi_signal_count(y)) return MBI_ERR_PARAMS;

  const uint32_t b = mbi_type_bytes(type);
  mbi_fft_data *d = (mbi_fft_data *)mbi_alloc(ctx, 1, sizeof(mbi_fft_data));
  int32_t *factors = (int32_t *)mbi_alloc(ctx, nf, 4);
  uint8_t *tw = (uint8_t *)mbi_alloc(ctx, 2 * (uint32_t)n, b);
  uint8_t *super = (uint8_t *)mbi_alloc(ctx, (uint32_t)n, b);
  uint8_t *tmp = (uint8_t *)mbi_alloc(ctx, 2 * (uint32_t)n, b);
  uint8_t *work = inverse ? 0 : (uint8_t *)mbi_alloc(ctx, 2 * (uint32_t)n, b);
  if (!d || !factors || !tw || !super || !tmp || (!inverse && !work)) return MBI_ERR_ARENA;
  op->data = mbi_offset(ctx, d);
  d->n = n, d->inverse = inverse, d->frames = frames;
  d->in_len = in_w, d->in_stride = in_w, d->out_stride = out_w;
  for (uint32_t k = 0; k < nf; k++) factors[k] = f[k];
  for (int32_t i = 0; i < n; i++) { /* kiss_fft_alloc */
    double phase = -2 * 3.141592653589793 * i / n;
    if (inverse) phase *= -1;
    mbi_twiddle(phase, type, tw, (uint32_t)i);
  }
  for (int32_t i = 0; i < n / 2; i++) { /* kiss_fftr_alloc */
    double phase = -3.141592653589793 * ((double)(i + 1) / n + .5);
    if (inverse) phase *= -1;
    mbi_twiddle(phase, type, super, (uint32_t)i);
  }
  d->factors = mbi_offset(ctx, factors), d->twiddles = mbi_offset(ctx, tw);
  d->super_twiddles = mbi_offset(ctx, super), d->tmp = mbi_offset(ctx, tmp);
  d->work = work ? mbi_offset(ctx, work) : 0;
  return MBI_OK;
}

int mbi_fft_eval(const mbi_ctx *ctx, const mbi_op *op) {
  const mbi_fft_data *d = (const mbi_fft_data *)mbi_record(ctx, op->data);
  mb_fft_params p;
  p.n = d->n, p.inverse = d->inverse;
  p.factors = (const int32_t *)mbi_record(ctx, d->factors);
  p.twiddles = mbi_record(ctx, d->twiddles);
  p.super_twiddles = mbi_record(ctx, d->super_twiddles);
  p.tmp = mbi_record(ctx, d->tmp);
  p.work = d->work ? mbi_record(ctx, d->work) : 0;
  const void *in = mbi_in_data(ctx, op->in[0]);
  void *out = mbi_out_data(ctx, op->out);
  const int32_t f = d->frames, len = d->in_len, is = d->in_stride, os = d->out_stride;
  switch (mbi_t(ctx, op->out)->type) {
  case MBI_TYPE_INT16:
    if (d->inverse) mb_irfft_s16(&p, f, len, is, os, (const int16_t *)in, (int16_t *)out);
    else mb_rfft_s16(&p, f, len, is, os, (const int16_t *)in, (int16_t *)out);
    break;
  case MBI_TYPE_INT32:
    if (d->inverse) mb_irfft_s32(&p, f, len, is, os, (const int32_t *)in, (int32_t *)out);
    else mb_rfft_s32(&p, f, len, is, os, (const int32_t *)in, (int32_t *)out);
    break;
  default:
    if (d->inverse) mb_irfft_f32(&p, f, len, is, os, (const float *)in, (float *)out);
    else mb_rfft_f32(&p, f, len, is, os, (const float *)in, (float *)out);
    break;
  }
  return MBI_OK;
}
