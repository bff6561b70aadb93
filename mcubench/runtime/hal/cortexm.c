/* Cortex-M HAL for QEMU's MPS2/MPS3 boards (picolibc, console and exit through semihosting).
 *
 * Instructions are counted from outside by QEMU's plugin (targets/plugin/mb_insn_count.c); the markers
 * only tell it the region id (mb_regions.h). The vector table is ours: every exception goes to one
 * fault handler that prints "MB trap=<cause> pc=... value=<CFSR> sp=..." and exits with MB_EXIT_TRAP
 * (pc 0 when the stacked frame is unreadable). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mb_hal.h"

#ifdef MB_SERIAL
/* The serial target (targets/serial.py): the core's cycle counter DWT CYCCNT, read in the markers
 * (32 bits: a region must stay below 2^32 cycles), and the console on the CMSDK APB UART0 of Arm's
 * MPS2 boards (a real board brings its own UART code: serial.hal). */
#define MB_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define MB_DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define MB_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define MB_UART0 ((volatile uint32_t *)0x40004000u) /* DATA, STATE, CTRL, INTSTATUS, BAUDDIV */
static inline uint64_t mb_cyccnt(void) { return MB_DWT_CYCCNT; }
#define MB_HAL_COUNTER mb_cyccnt
#define MB_HAL_COUNTER_NAME "cycles"
#endif
#include "mb_regions.h"

#define MB_EXIT_TRAP 64
#define MB_CFSR (*(volatile uint32_t *)0xE000ED28u) /* Armv7-M / Armv8-M Mainline only */

extern uint32_t __stack[], __mb_stack_bottom[];
extern void _start(void);
void mb_fault_entry(void);

/* Picolibc's crt0 references __interrupt_vector; this definition replaces its weak default table. */
__attribute__((section(".vectors"), used)) void (*const __interrupt_vector[16])(void) = {
    (void (*)(void))__stack, _start, mb_fault_entry, mb_fault_entry, mb_fault_entry,
    mb_fault_entry,          mb_fault_entry, mb_fault_entry, 0, 0, 0, mb_fault_entry,
    mb_fault_entry,          0, mb_fault_entry, mb_fault_entry,
};

static const char *mb_fault_cause(uint32_t exception, uint32_t cfsr) {
#if __ARM_ARCH >= 7 && !defined(__ARM_ARCH_8M_BASE__)
  static const struct { uint32_t bit; const char *name; } causes[] = {
      {1u << 16, "undefined_instruction"}, {1u << 17, "invalid_state"}, {1u << 18, "invalid_pc"},
      {1u << 19, "no_coprocessor"},        {1u << 24, "unaligned_access"}, {1u << 25, "divide_by_zero"},
      {1u << 0, "instruction_access_violation"}, {1u << 1, "data_access_violation"},
      {1u << 8, "instruction_bus_error"},  {1u << 9, "data_bus_error"}, {1u << 10, "data_bus_error"},
      {1u << 12, "stacking_error"},        {1u << 4, "stacking_error"},
  };
  for (unsigned i = 0; i < sizeof causes / sizeof causes[0]; i++)
    if (cfsr & causes[i].bit) return causes[i].name;
#else
  (void)cfsr;
#endif
  switch (exception) {
  case 2: return "nmi";
  case 3: return "hard_fault";
  case 4: return "memmanage_fault";
  case 5: return "bus_fault";
  case 6: return "usage_fault";
  case 7: return "secure_fault";
  default: return "unexpected_exception";
  }
}

/* Called with the exception frame the core pushed on the main stack (it may be invalid after a stack
 * overflow, so it is checked against the stack bounds first). */
__attribute__((noreturn, used)) void mb_fault(uint32_t *frame);
void mb_fault(uint32_t *frame) {
  uint32_t ipsr, cfsr = 0;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
#if __ARM_ARCH >= 7 && !defined(__ARM_ARCH_8M_BASE__)
  cfsr = MB_CFSR;
#endif
  int frame_ok = frame >= __mb_stack_bottom && frame + 8 <= __stack;
  printf("\nMB trap=%s pc=0x%lx value=0x%lx sp=0x%lx\n", mb_fault_cause(ipsr & 0x1ffu, cfsr),
         (unsigned long)(frame_ok ? frame[6] : 0), (unsigned long)cfsr, (unsigned long)frame);
  _exit(MB_EXIT_TRAP);
}

/* Takes the frame address, then moves to a fresh stack before any C code runs (the old one may be the
 * reason for the fault). */
__attribute__((naked)) void mb_fault_entry(void) {
  __asm__ volatile("mrs r0, msp\n\t"
                   "ldr r1, =__stack\n\t"
                   "mov sp, r1\n\t"
                   "bl mb_fault\n\t"
                   ".ltorg");
}

#ifdef MB_SERIAL
static int mb_uart_put(char c, FILE *f) {
  (void)f;
  while (MB_UART0[1] & 1u) {
  }
  MB_UART0[0] = (uint8_t)c;
  return (unsigned char)c;
}

static FILE mb_console = FDEV_SETUP_STREAM(mb_uart_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &mb_console;
FILE *const stdout = &mb_console;
FILE *const stderr = &mb_console;

void _exit(int code) {
  (void)code;
  for (;;) {
  }
}

void mb_hal_init(void) {
  MB_UART0[4] = 16;        /* BAUDDIV */
  MB_UART0[2] = 1u | 2u;   /* TX and RX enable */
  MB_DEMCR |= 1u << 24;    /* TRCENA: the DWT on */
  MB_DWT_CYCCNT = 0;
  MB_DWT_CTRL |= 1u;       /* CYCCNTENA */
  while (!(MB_UART0[1] & 2u)) { /* serial protocol: wait for the host's start byte */
  }
  (void)MB_UART0[0];
}

void mb_hal_report(void) { mb_regions_print(); }
#else
void mb_hal_init(void) {}

void mb_hal_report(void) {}
#endif
