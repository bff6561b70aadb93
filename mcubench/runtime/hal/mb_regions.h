/* Region bookkeeping shared by the bare-metal HALs (riscv.c, cortexm.c).
 *
 * Both markers read one byte at mb_region_id_base + id (runtime/ld/mb_sections.ld: the last kB of
 * ROM): QEMU's counting plugin (targets/plugin/mb_insn_count.c) cannot read registers, so it learns
 * the region id from that load's address. Where the core has a readable instruction counter (spike's
 * minstret), the HAL also counts here: MB_HAL_COUNTER() returns it as a uint64_t.
 *
 * The markers run the same instructions for every id (no branch on it): the calibration region then
 * measures exactly their overhead. The plugin sees ids modulo 1024; the HAL's own counters keep ids
 * below MB_HAL_MAX_REGIONS - 1 and pool all others in the last slot, which is not reported. */
#ifndef MB_REGIONS_H
#define MB_REGIONS_H

#include <stdint.h>
#include <stdio.h>

#include "mb_hal.h"

#ifndef MB_HAL_COUNTER_NAME
#define MB_HAL_COUNTER_NAME "instructions" /* what MB_HAL_COUNTER counts ("cycles" on a board) */
#endif

#ifndef MB_HAL_MAX_REGIONS
#define MB_HAL_MAX_REGIONS 4 /* setup, invoke, calibrate; per-op profiling raises it (defines) */
#endif

extern const volatile uint8_t mb_region_id_base[]; /* linker script: the last kB of ROM */

#ifdef MB_HAL_COUNTER
static uint64_t mb_region_start[MB_HAL_MAX_REGIONS];
static uint64_t mb_region_total[MB_HAL_MAX_REGIONS];
static uint32_t mb_region_calls[MB_HAL_MAX_REGIONS];

/* id, or the pool slot for ids out of range; without a branch. */
static inline unsigned mb_region_slot(int id) {
  unsigned u = (unsigned)id, inside = u < MB_HAL_MAX_REGIONS - 1u;
  return (u & (0u - inside)) | ((MB_HAL_MAX_REGIONS - 1u) & (inside - 1u));
}
#endif

MB_NOINLINE void mb_hal_region_begin(int id) {
  (void)mb_region_id_base[(unsigned)id & 1023u];
#ifdef MB_HAL_COUNTER
  mb_region_start[mb_region_slot(id)] = MB_HAL_COUNTER();
#endif
}

MB_NOINLINE void mb_hal_region_end(int id) {
#ifdef MB_HAL_COUNTER
  uint64_t now = MB_HAL_COUNTER();
  unsigned i = mb_region_slot(id);
  mb_region_total[i] += now - mb_region_start[i];
  mb_region_calls[i]++;
#endif
  (void)mb_region_id_base[(unsigned)id & 1023u];
}

#ifdef MB_HAL_COUNTER
/* Raw counts (markers included); the target subtracts calls x the calibration region's count.
 * 64-bit numbers are formatted here: picolibc's integer-only printf has no %llu. */
static void mb_regions_print(void) {
  for (unsigned i = 0; i < MB_HAL_MAX_REGIONS - 1; i++) {
    if (!mb_region_calls[i]) continue;
    char digits[21], *p = digits + sizeof digits - 1;
    uint64_t v = mb_region_total[i];
    *p = 0;
    do *--p = (char)('0' + v % 10); while (v /= 10);
    printf("MB region=%u " MB_HAL_COUNTER_NAME "=%s calls=%lu\n", i, p,
           (unsigned long)mb_region_calls[i]);
  }
}
#endif

#endif
