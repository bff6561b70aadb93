/* kiss_fft's real FFT (v1.3.0, as TFLite Micro builds it) for one scalar type: RFFT and IRFFT of
 * TFLite Micro's signal library, bit-exact (ops/common/kissfft.py explains the algorithm).
 *
 * Included by fft_s16.c, fft_s32.c and fft_f32.c, which define
 *   T, SFX        the scalar type and the functions' suffix
 *   MUL(a, b)     a times a twiddle component, rounded back to T (kiss's S_MUL)
 *   FIXDIV(x, k)  x divided by the radix k in fixed point (kiss's DIVSCALAR; floats: x)
 *   WIDE, NARROW  sums are taken in WIDE (int for int16, uint32_t for int32: modulo 2^32 as the
 *                 x86 build of TFLite Micro wraps, float for float) and stored with NARROW
 *   HALF(x)       half of a WIDE sum (kiss's HALF_OF)
 * Every expression follows kiss_fft's own, term by term and in its order, so integer rounding
 * and wrapping and float rounding all come out the same. */
#include "mb_signal.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define CPX CAT(cpx_, SFX)

typedef struct {
  T r, i;
} __attribute__((may_alias)) CPX; /* frames of T are read and written as pairs, as in kiss */

#define ADD(a, b) NARROW((WIDE)(a) + (WIDE)(b))
#define SUB(a, b) NARROW((WIDE)(a) - (WIDE)(b))

/* m = a * b, a complex product (kiss's C_MUL): CMUL_R and CMUL_I of the including file */
#define CMUL(m, a, b) ((m).r = CMUL_R(a, b), (m).i = CMUL_I(a, b))
/* c /= radix (kiss's C_FIXDIV) */
#define CFIXDIV(c, k) ((c).r = FIXDIV((c).r, k), (c).i = FIXDIV((c).i, k))

static void CAT(bfly2_, SFX)(CPX *out, int32_t fstride, const CPX *tw, int32_t m) {
  CPX *out2 = out + m, t;
  const CPX *tw1 = tw;
  do {
    CFIXDIV(*out, 2);
    CFIXDIV(*out2, 2);
    CMUL(t, *out2, *tw1);
    tw1 += fstride;
    out2->r = SUB(out->r, t.r), out2->i = SUB(out->i, t.i);
    out->r = ADD(out->r, t.r), out->i = ADD(out->i, t.i);
    ++out2, ++out;
  } while (--m);
}

static void CAT(bfly4_, SFX)(CPX *out, int32_t fstride, const CPX *tw, int32_t m, int inverse) {
  const CPX *tw1 = tw, *tw2 = tw, *tw3 = tw;
  CPX s[6];
  int32_t k = m;
  const int32_t m2 = 2 * m, m3 = 3 * m;
  do {
    CFIXDIV(out[0], 4);
    CFIXDIV(out[m], 4);
    CFIXDIV(out[m2], 4);
    CFIXDIV(out[m3], 4);
    CMUL(s[0], out[m], *tw1);
    CMUL(s[1], out[m2], *tw2);
    CMUL(s[2], out[m3], *tw3);
    s[5].r = SUB(out->r, s[1].r), s[5].i = SUB(out->i, s[1].i);
    out->r = ADD(out->r, s[1].r), out->i = ADD(out->i, s[1].i);
    s[3].r = ADD(s[0].r, s[2].r), s[3].i = ADD(s[0].i, s[2].i);
    s[4].r = SUB(s[0].r, s[2].r), s[4].i = SUB(s[0].i, s[2].i);
    out[m2].r = SUB(out->r, s[3].r), out[m2].i = SUB(out->i, s[3].i);
    tw1 += fstride, tw2 += fstride * 2, tw3 += fstride * 3;
    out->r = ADD(out->r, s[3].r), out->i = ADD(out->i, s[3].i);
    if (inverse) {
      out[m].r = SUB(s[5].r, s[4].i), out[m].i = ADD(s[5].i, s[4].r);
      out[m3].r = ADD(s[5].r, s[4].i), out[m3].i = SUB(s[5].i, s[4].r);
    } else {
      out[m].r = ADD(s[5].r, s[4].i), out[m].i = SUB(s[5].i, s[4].r);
      out[m3].r = SUB(s[5].r, s[4].i), out[m3].i = ADD(s[5].i, s[4].r);
    }
    ++out;
  } while (--k);
}

static void CAT(bfly3_, SFX)(CPX *out, int32_t fstride, const CPX *tw, int32_t m) {
  int32_t k = m;
  const int32_t m2 = 2 * m;
  const CPX *tw1 = tw, *tw2 = tw;
  const CPX epi3 = tw[fstride * m];
  CPX s[5];
  do {
    CFIXDIV(out[0], 3);
    CFIXDIV(out[m], 3);
    CFIXDIV(out[m2], 3);
    CMUL(s[1], out[m], *tw1);
    CMUL(s[2], out[m2], *tw2);
    s[3].r = ADD(s[1].r, s[2].r), s[3].i = ADD(s[1].i, s[2].i);
    s[0].r = SUB(s[1].r, s[2].r), s[0].i = SUB(s[1].i, s[2].i);
    tw1 += fstride, tw2 += fstride * 2;
    out[m].r = NARROW((WIDE)out->r - HALF((WIDE)s[3].r));
    out[m].i = NARROW((WIDE)out->i - HALF((WIDE)s[3].i));
    s[0].r = MUL(s[0].r, epi3.i), s[0].i = MUL(s[0].i, epi3.i);
    out->r = ADD(out->r, s[3].r), out->i = ADD(out->i, s[3].i);
    out[m2].r = ADD(out[m].r, s[0].i), out[m2].i = SUB(out[m].i, s[0].r);
    out[m].r = SUB(out[m].r, s[0].i), out[m].i = ADD(out[m].i, s[0].r);
    ++out;
  } while (--k);
}

static void CAT(bfly5_, SFX)(CPX *out, int32_t fstride, const CPX *tw, int32_t m) {
  const CPX ya = tw[fstride * m], yb = tw[fstride * 2 * m];
  CPX *o0 = out, *o1 = out + m, *o2 = out + 2 * m, *o3 = out + 3 * m, *o4 = out + 4 * m;
  CPX s[13];
  for (int32_t u = 0; u < m; ++u) {
    CFIXDIV(*o0, 5);
    CFIXDIV(*o1, 5);
    CFIXDIV(*o2, 5);
    CFIXDIV(*o3, 5);
    CFIXDIV(*o4, 5);
    s[0] = *o0;
    CMUL(s[1], *o1, tw[u * fstride]);
    CMUL(s[2], *o2, tw[2 * u * fstride]);
    CMUL(s[3], *o3, tw[3 * u * fstride]);
    CMUL(s[4], *o4, tw[4 * u * fstride]);
    s[7].r = ADD(s[1].r, s[4].r), s[7].i = ADD(s[1].i, s[4].i);
    s[10].r = SUB(s[1].r, s[4].r), s[10].i = SUB(s[1].i, s[4].i);
    s[8].r = ADD(s[2].r, s[3].r), s[8].i = ADD(s[2].i, s[3].i);
    s[9].r = SUB(s[2].r, s[3].r), s[9].i = SUB(s[2].i, s[3].i);
    o0->r = NARROW((WIDE)o0->r + ((WIDE)s[7].r + (WIDE)s[8].r));
    o0->i = NARROW((WIDE)o0->i + ((WIDE)s[7].i + (WIDE)s[8].i));
    s[5].r = NARROW((WIDE)s[0].r + (WIDE)MUL(s[7].r, ya.r) + (WIDE)MUL(s[8].r, yb.r));
    s[5].i = NARROW((WIDE)s[0].i + (WIDE)MUL(s[7].i, ya.r) + (WIDE)MUL(s[8].i, yb.r));
    s[6].r = NARROW((WIDE)MUL(s[10].i, ya.i) + (WIDE)MUL(s[9].i, yb.i));
    s[6].i = NARROW(-(WIDE)MUL(s[10].r, ya.i) - (WIDE)MUL(s[9].r, yb.i));
    o1->r = SUB(s[5].r, s[6].r), o1->i = SUB(s[5].i, s[6].i);
    o4->r = ADD(s[5].r, s[6].r), o4->i = ADD(s[5].i, s[6].i);
    s[11].r = NARROW((WIDE)s[0].r + (WIDE)MUL(s[7].r, yb.r) + (WIDE)MUL(s[8].r, ya.r));
    s[11].i = NARROW((WIDE)s[0].i + (WIDE)MUL(s[7].i, yb.r) + (WIDE)MUL(s[8].i, ya.r));
    s[12].r = NARROW(-(WIDE)MUL(s[10].i, yb.i) + (WIDE)MUL(s[9].i, ya.i));
    s[12].i = NARROW((WIDE)MUL(s[10].r, yb.i) - (WIDE)MUL(s[9].r, ya.i));
    o2->r = ADD(s[11].r, s[12].r), o2->i = ADD(s[11].i, s[12].i);
    o3->r = SUB(s[11].r, s[12].r), o3->i = SUB(s[11].i, s[12].i);
    ++o0, ++o1, ++o2, ++o3, ++o4;
  }
}

/* kiss's kf_work: p sub-FFTs of length m on decimated inputs, then one radix-p stage. */
static void CAT(work_, SFX)(const mb_fft_params *p, CPX *out, const CPX *f, int32_t fstride,
                            const int32_t *factors) {
  CPX *const begin = out;
  const int32_t radix = *factors++, m = *factors++;
  const CPX *const end = out + radix * m;
  const CPX *tw = (const CPX *)p->twiddles;
  if (m == 1) {
    do {
      *out = *f;
      f += fstride;
    } while (++out != end);
  } else {
    do {
      CAT(work_, SFX)(p, out, f, fstride * radix, factors);
      f += fstride;
    } while ((out += m) != end);
  }
  out = begin;
  switch (radix) { /* the length's checks allow radices 2..5 only */
  case 2: CAT(bfly2_, SFX)(out, fstride, tw, m); break;
  case 3: CAT(bfly3_, SFX)(out, fstride, tw, m); break;
  case 4: CAT(bfly4_, SFX)(out, fstride, tw, m, p->inverse); break;
  default: CAT(bfly5_, SFX)(out, fstride, tw, m); break;
  }
}

/* kiss_fftr on one frame of 2n values (in) to n + 1 complex values (out). */
static void CAT(fftr_, SFX)(const mb_fft_params *p, const T *in, CPX *out) {
  const int32_t n = p->n;
  CPX *tmp = (CPX *)p->tmp;
  const CPX *super = (const CPX *)p->super_twiddles;
  CAT(work_, SFX)(p, tmp, (const CPX *)(const void *)in, 1, p->factors);
  CPX tdc = tmp[0];
  CFIXDIV(tdc, 2);
  out[0].r = ADD(tdc.r, tdc.i);
  out[n].r = SUB(tdc.r, tdc.i);
  out[n].i = out[0].i = 0;
  for (int32_t k = 1; k <= n / 2; ++k) {
    CPX fpk = tmp[k], fpnk, f1k, f2k, t;
    fpnk.r = tmp[n - k].r;
    fpnk.i = NARROW(-(WIDE)tmp[n - k].i);
    CFIXDIV(fpk, 2);
    CFIXDIV(fpnk, 2);
    f1k.r = ADD(fpk.r, fpnk.r), f1k.i = ADD(fpk.i, fpnk.i);
    f2k.r = SUB(fpk.r, fpnk.r), f2k.i = SUB(fpk.i, fpnk.i);
    CMUL(t, f2k, super[k - 1]);
    out[k].r = NARROW(HALF((WIDE)f1k.r + (WIDE)t.r));
    out[k].i = NARROW(HALF((WIDE)f1k.i + (WIDE)t.i));
    out[n - k].r = NARROW(HALF((WIDE)f1k.r - (WIDE)t.r));
    out[n - k].i = NARROW(HALF((WIDE)t.i - (WIDE)f1k.i));
  }
}

/* kiss_fftri on one frame of n + 1 complex values (in) to 2n values (out). */
static void CAT(fftri_, SFX)(const mb_fft_params *p, const CPX *in, T *out) {
  const int32_t n = p->n;
  CPX *tmp = (CPX *)p->tmp;
  const CPX *super = (const CPX *)p->super_twiddles;
  tmp[0].r = ADD(in[0].r, in[n].r);
  tmp[0].i = SUB(in[0].r, in[n].r);
  CFIXDIV(tmp[0], 2);
  for (int32_t k = 1; k <= n / 2; ++k) {
    CPX fk = in[k], fnkc, fek, fok, t;
    fnkc.r = in[n - k].r;
    fnkc.i = NARROW(-(WIDE)in[n - k].i);
    CFIXDIV(fk, 2);
    CFIXDIV(fnkc, 2);
    fek.r = ADD(fk.r, fnkc.r), fek.i = ADD(fk.i, fnkc.i);
    t.r = SUB(fk.r, fnkc.r), t.i = SUB(fk.i, fnkc.i);
    CMUL(fok, t, super[k - 1]);
    tmp[k].r = ADD(fek.r, fok.r), tmp[k].i = ADD(fek.i, fok.i);
    tmp[n - k].r = SUB(fek.r, fok.r), tmp[n - k].i = SUB(fek.i, fok.i);
    tmp[n - k].i = NARROW(tmp[n - k].i * (WIDE)-1);
  }
  CAT(work_, SFX)(p, (CPX *)(void *)out, tmp, 1, p->factors);
}

void CAT(mb_rfft_, SFX)(const mb_fft_params *p, int32_t frames, int32_t in_len,
                        int32_t in_stride, int32_t out_stride, const T *in, T *out) {
  T *work = (T *)p->work;
  for (int32_t f = 0; f < frames; f++) { /* a frame, zero-padded to 2n, in the work buffer */
    for (int32_t i = 0; i < 2 * p->n; i++) work[i] = i < in_len ? in[f * in_stride + i] : 0;
    CAT(fftr_, SFX)(p, work, (CPX *)(void *)(out + f * out_stride));
  }
}

void CAT(mb_irfft_, SFX)(const mb_fft_params *p, int32_t frames, int32_t in_len,
                         int32_t in_stride, int32_t out_stride, const T *in, T *out) {
  (void)in_len;
  for (int32_t f = 0; f < frames; f++) {
    T *frame = out + f * out_stride;
    CAT(fftri_, SFX)(p, (const CPX *)(const void *)(in + f * in_stride), frame);
    IRFFT_SCALE(frame, 2 * p->n);
  }
}
