/* The tiny hardware abstraction the harness needs from a target (runtime/hal/<target>.c). */
#ifndef MB_HAL_H
#define MB_HAL_H

#define MB_REGION_SETUP 0
#define MB_REGION_INVOKE 1
#define MB_REGION_CALIBRATE 2 /* an empty region: the measurement's own overhead */
#define MB_REGION_OP0 16      /* per-operator regions (profile feature) start here */

#if defined(__GNUC__)
#define MB_NOINLINE __attribute__((noinline))
#else
#define MB_NOINLINE
#endif

void mb_hal_init(void);
/* Region markers. Targets that count from outside (QEMU plugin, callgrind) find these by symbol;
 * targets with a readable counter (spike's minstret) read it here. Never inlined. */
MB_NOINLINE void mb_hal_region_begin(int id);
MB_NOINLINE void mb_hal_region_end(int id);
/* Print the counts the firmware measured itself, as "MB region=<id> instructions=<n>" lines. */
void mb_hal_report(void);

#endif
