/* Xtensa LX106 HAL for QEMU's sim machine (picolibc; console and exit through QEMU's simcall
 * semihosting, -semihosting).
 *
 * Instructions are counted from outside by QEMU's plugin (targets/plugin/mb_insn_count.c), as on Arm;
 * the markers only tell it the region id (mb_regions.h). Reset and exception vectors are in
 * xtensa_vectors.S; an exception prints "MB trap=<cause> pc=... value=<EXCVADDR> sp=..." and exits
 * with MB_EXIT_TRAP. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "mb_hal.h"
#include "mb_regions.h"

#define MB_EXIT_TRAP 64
#define MB_SYS_EXIT 1  /* QEMU target/xtensa/xtensa-semi.c: TARGET_SYS_exit */
#define MB_SYS_WRITE 4 /* TARGET_SYS_write */

static int mb_simcall(int nr, int a, int b, int c) {
  register int a2 __asm__("a2") = nr;
  register int a3 __asm__("a3") = a;
  register int a4 __asm__("a4") = b;
  register int a5 __asm__("a5") = c;
  __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
  return a2;
}

static int mb_console_put(char c, FILE *f) {
  (void)f;
  mb_simcall(MB_SYS_WRITE, 1, (int)(uintptr_t)&c, 1);
  return (unsigned char)c;
}

static FILE mb_console = FDEV_SETUP_STREAM(mb_console_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &mb_console;
FILE *const stdout = &mb_console;
FILE *const stderr = &mb_console;

void _exit(int code) {
  mb_simcall(MB_SYS_EXIT, code, 0, 0);
  for (;;) {
  }
}

/* EXCCAUSE values (Xtensa ISA reference manual, table "Exception causes"). */
static const char *mb_trap_name(unsigned cause) {
  switch (cause) {
  case 0: return "illegal_instruction";
  case 2: return "instruction_fetch_error";
  case 3: return "load_store_error";
  case 6: return "integer_divide_by_zero";
  case 9: return "load_store_alignment";
  case 20: return "instruction_fetch_prohibited";
  case 28: return "load_prohibited";
  case 29: return "store_prohibited";
  default: return "exception";
  }
}

/* Called by xtensa_vectors.S on a fresh stack with the faulting one. Never returns. */
__attribute__((noreturn, used)) void mb_trap(uint32_t sp);
void mb_trap(uint32_t sp) {
  uint32_t cause, pc, vaddr;
  __asm__ volatile("rsr.exccause %0\n\trsr.epc1 %1\n\trsr.excvaddr %2"
                   : "=r"(cause), "=r"(pc), "=r"(vaddr));
  printf("\nMB trap=%s pc=0x%lx value=0x%lx sp=0x%lx\n", mb_trap_name(cause), (unsigned long)pc,
         (unsigned long)vaddr, (unsigned long)sp);
  _exit(MB_EXIT_TRAP);
}

void mb_hal_init(void) {}

void mb_hal_report(void) {}
