/* The integer helpers Debian's libgcc for xtensa-lx106-elf leaves out (the ESP8266 has them in its
 * mask ROM): 32-bit division (the LX106 has no divide instruction; plain restoring division, one
 * quotient bit per step) and 64-bit multiplication from 16-bit halves on the 32-bit MULL. The
 * float helpers (__addsf3, __mulsf3, ...) are missing too and are not provided: float32 models do
 * not link for the LX106 (targets/xtensa.py says so). */
#include <stdint.h>

uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t a, int32_t b);
uint64_t __umulsidi3(uint32_t a, uint32_t b);
int64_t __muldi3(int64_t a, int64_t b);

uint32_t __udivsi3(uint32_t n, uint32_t d) {
  uint32_t q = 0, r = 0;
  for (int i = 31; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1u);
    if (r >= d) {
      r -= d;
      q |= 1u << i;
    }
  }
  return q;
}

uint32_t __umodsi3(uint32_t n, uint32_t d) { return n - __udivsi3(n, d) * d; }

int32_t __divsi3(int32_t a, int32_t b) {
  uint32_t ua = a < 0 ? 0u - (uint32_t)a : (uint32_t)a, ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
  uint32_t q = __udivsi3(ua, ub);
  return (a < 0) != (b < 0) ? (int32_t)(0u - q) : (int32_t)q;
}

/* Full 32 x 32 -> 64-bit unsigned product without a 64-bit multiply. */
uint64_t __umulsidi3(uint32_t a, uint32_t b) {
  uint32_t al = a & 0xffffu, ah = a >> 16, bl = b & 0xffffu, bh = b >> 16;
  uint32_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  uint32_t mid = (ll >> 16) + (lh & 0xffffu) + (hl & 0xffffu);
  uint32_t lo = (ll & 0xffffu) | (mid << 16);
  uint32_t hi = hh + (lh >> 16) + (hl >> 16) + (mid >> 16);
  return ((uint64_t)hi << 32) | lo;
}

/* The low 64 bits of a 64 x 64-bit product (the same for signed and unsigned operands). */
int64_t __muldi3(int64_t a, int64_t b) {
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
  uint32_t alo = (uint32_t)ua, ahi = (uint32_t)(ua >> 32);
  uint32_t blo = (uint32_t)ub, bhi = (uint32_t)(ub >> 32);
  uint64_t p = __umulsidi3(alo, blo);
  uint32_t hi = (uint32_t)(p >> 32) + alo * bhi + ahi * blo;
  return (int64_t)(((uint64_t)hi << 32) | (uint32_t)p);
}
