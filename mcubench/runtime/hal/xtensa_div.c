/* 32-bit division for the LX106, which has no divide instruction. Debian's libgcc for
 * xtensa-lx106-elf leaves these out (the ESP8266 has them in its mask ROM); plain restoring
 * division, one quotient bit per step, as such a ROM does it. */
#include <stdint.h>

uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t a, int32_t b);

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
