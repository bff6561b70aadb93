/* Host HAL: the firmware runs natively under valgrind's callgrind, which counts the instructions of
 * the harness's setup and invoke functions from outside. Callgrind starts with instrumentation off
 * and the markers switch it on only around the measured regions, so the unmeasured validation
 * samples run many times faster. */
#include "mb_hal.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define MB_HAVE_CALLGRIND 1
#endif
#endif

void mb_hal_init(void) {}

MB_NOINLINE void mb_hal_region_begin(int id) {
#ifdef MB_HAVE_CALLGRIND
  if (id == MB_REGION_SETUP || id == MB_REGION_INVOKE) CALLGRIND_START_INSTRUMENTATION;
#endif
  __asm__ volatile("" ::"r"(id) : "memory");
}

MB_NOINLINE void mb_hal_region_end(int id) {
#ifdef MB_HAVE_CALLGRIND
  if (id == MB_REGION_SETUP || id == MB_REGION_INVOKE) CALLGRIND_STOP_INSTRUMENTATION;
#endif
  __asm__ volatile("" ::"r"(id) : "memory");
}

void mb_hal_report(void) {}
