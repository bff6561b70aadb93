/* RISC-V bare-metal HAL, one ELF for spike and QEMU's virt board (machine mode, picolibc).
 *
 * Console: the ns16550 UART at 0x10000000, which both simulators have. Exit: spike is told through
 * HTIF (tohost), QEMU virt through its test finisher at 0x100000; spike is recognised by its marchid
 * (5, from the RISC-V marchid registry).
 * Counting: the region markers read minstret (exact on spike); QEMU ignores those numbers and counts
 * with its plugin instead, and only spike prints them. Built with MB_SERIAL (the serial target, a
 * real board or QEMU on a pty) the markers read mcycle, the counts are printed as cycles, and
 * mb_hal_init first waits for a byte from the host. A trap prints
 * "MB trap=<cause> pc=... value=<mtval> sp=..." and exits with MB_EXIT_TRAP. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "mb_hal.h"

#define MB_UART 0x10000000u
#define MB_UART_LSR_THRE 0x20u
#define MB_VIRT_FINISHER 0x100000u
#define MB_SPIKE_MARCHID 5u
#define MB_EXIT_TRAP 64

/* HTIF mailboxes spike looks up by name. */
volatile uint64_t tohost __attribute__((section(".htif"), aligned(8)));
volatile uint64_t fromhost __attribute__((section(".htif"), aligned(8)));

static inline uint64_t mb_instret(void) {
#if __riscv_xlen == 32
  uint32_t hi, lo, hi2;
  __asm__ volatile("csrr %0, minstreth\n\tcsrr %1, minstret\n\tcsrr %2, minstreth"
                   : "=r"(hi), "=r"(lo), "=r"(hi2));
  /* If the low word wrapped between the reads, a small lo belongs with hi2. Branch-free, so the
   * markers always run the same number of instructions. */
  uint32_t after_wrap = (lo >> 31) ^ 1u;
  hi += (hi2 - hi) & (0u - after_wrap);
  return ((uint64_t)hi << 32) | lo;
#else
  uint64_t v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v;
#endif
}

#ifdef MB_SERIAL
/* The serial target (targets/serial.py): a board's cycle counter, read in the markers. */
static inline uint64_t mb_mcycle(void) {
#if __riscv_xlen == 32
  uint32_t hi, lo, hi2;
  __asm__ volatile("csrr %0, mcycleh\n\tcsrr %1, mcycle\n\tcsrr %2, mcycleh"
                   : "=r"(hi), "=r"(lo), "=r"(hi2));
  uint32_t after_wrap = (lo >> 31) ^ 1u;
  hi += (hi2 - hi) & (0u - after_wrap);
  return ((uint64_t)hi << 32) | lo;
#else
  uint64_t v;
  __asm__ volatile("csrr %0, mcycle" : "=r"(v));
  return v;
#endif
}
#define MB_HAL_COUNTER mb_mcycle
#define MB_HAL_COUNTER_NAME "cycles"
#else
#define MB_HAL_COUNTER mb_instret
#endif
#include "mb_regions.h"

static int mb_on_spike(void) {
  unsigned long id;
  __asm__ volatile("csrr %0, marchid" : "=r"(id));
  return id == MB_SPIKE_MARCHID;
}

static int mb_uart_put(char c, FILE *f) {
  (void)f;
  volatile uint8_t *uart = (volatile uint8_t *)MB_UART;
  while (!(uart[5] & MB_UART_LSR_THRE)) {
  }
  uart[0] = (uint8_t)c;
  return (unsigned char)c;
}

static FILE mb_console = FDEV_SETUP_STREAM(mb_uart_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &mb_console;
FILE *const stdout = &mb_console;
FILE *const stderr = &mb_console;

void _exit(int code) {
#ifdef MB_SERIAL
  /* A board stays up after the run (ending QEMU's pty now could drop the last lines unread). */
  (void)code;
  for (;;) {
  }
#endif
  if (mb_on_spike()) {
    tohost = ((uint64_t)(uint32_t)code << 1) | 1u;
  } else {
    volatile uint32_t *finisher = (volatile uint32_t *)MB_VIRT_FINISHER;
    *finisher = code == 0 ? 0x5555u : ((uint32_t)code << 16) | 0x3333u;
  }
  for (;;) {
  }
}

static const char *const mb_trap_names[] = {
    "instruction_misaligned", "instruction_access_fault", "illegal_instruction", "breakpoint",
    "load_misaligned",        "load_access_fault",        "store_misaligned",    "store_access_fault",
    "ecall_u",                "ecall_s",                  "reserved",            "ecall_m",
    "instruction_page_fault", "load_page_fault",          "reserved",            "store_page_fault",
};

/* The C part of the trap handler. Never returns, so nothing is saved. */
__attribute__((noreturn, used)) void mb_trap(void);
void mb_trap(void) {
  unsigned long cause, pc, value, sp;
  __asm__ volatile("csrr %0, mcause\n\tcsrr %1, mepc\n\tcsrr %2, mtval\n\tcsrr %3, mscratch"
                   : "=r"(cause), "=r"(pc), "=r"(value), "=r"(sp));
  const char *name = cause < 16 ? mb_trap_names[cause] : "interrupt";
  printf("\nMB trap=%s pc=0x%lx value=0x%lx sp=0x%lx\n", name, pc, value, sp);
  _exit(MB_EXIT_TRAP);
}

/* mtvec target (direct mode: 4-byte aligned). Keeps the stack pointer in mscratch and moves to a fresh
 * stack: a stack overflow may be what trapped. */
__attribute__((naked, aligned(4))) void mb_trap_entry(void) {
  __asm__ volatile("csrw mscratch, sp\n\tla sp, __stack\n\ttail mb_trap");
}

/* First thing in main: traps go to mb_trap_entry, and the vector unit is switched on (picolibc's crt0
 * already enables the FPU; mstatus.VS is ignored on cores without V). Not a constructor: .init_array
 * would be a writable section in ROM. */
void mb_hal_init(void) {
  __asm__ volatile("csrw mtvec, %0" ::"r"((unsigned long)&mb_trap_entry));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1ul << 9));
#ifdef MB_SERIAL
  /* Serial protocol: wait for one byte from the host (it keeps sending until it hears from us), so
   * no output is lost before the host has the port open. */
  volatile uint8_t *uart = (volatile uint8_t *)MB_UART;
  while (!(uart[5] & 0x01u)) {
  }
  (void)uart[0];
#endif
}

void mb_hal_report(void) {
#ifdef MB_SERIAL
  mb_regions_print();
#else
  if (mb_on_spike()) mb_regions_print();
#endif
}
