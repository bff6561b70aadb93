/* mb_insn_count: exact per-region instruction counts of mcubench firmware under QEMU (TCG plugin).
 *
 * Arguments (-plugin mb_insn_count.so,begin=A,begin_size=N,end=A,end_size=N,idbase=A,out=PATH):
 *   begin, end      entry addresses of mb_hal_region_begin / mb_hal_region_end (Thumb bit cleared)
 *   begin_size ...  their sizes in bytes (from the ELF symbol table)
 *   idbase          the markers read the byte at idbase + region id (see below)
 *   out             file written at exit: "region=<id> instructions=<n> calls=<k>" lines, "total=<n>"
 * The same plugin serves every guest architecture: it only looks at addresses.
 *
 * How counting works
 *   - Every translation block (TB) gets one inline "total += instructions in this TB" op at its start
 *     (generated code adding a constant, not a callback per instruction).
 *   - A marker entry (mb_hal_region_begin/end) is the first instruction of its TB in practice: markers
 *     are reached by a call, and a call ends the caller's TB. The code still handles an entry at any
 *     index k: the inline add covers instructions [0, k), and a callback on instruction k takes the
 *     snapshot and then adds the remaining n - k itself.
 *   - snapshot = instructions executed before the marker's first instruction. A region's raw count is
 *     snapshot(end) - snapshot(begin): every instruction from the first of mb_hal_region_begin up to,
 *     not including, the first of mb_hal_region_end, i.e. begin's body and return, then the caller's
 *     code up to and including its call into mb_hal_region_end.
 *   - The region id: API version 1 can read neither registers nor memory, so the markers load the byte
 *     at idbase + id, and a memory callback on the markers' instructions turns that load's address
 *     into the id of the pending begin/end event.
 *
 * Why the corrected counts are exact
 *   1. Each executed instruction is counted once: a TB's inline add counts exactly its instructions,
 *      and measured code runs its TBs to completion (no interrupts are enabled, no semihosting or
 *      faults inside regions). A TB cut short by an exception would be counted whole; only a fault,
 *      which ends the run, does that.
 *   2. The markers run the same instructions for every id (the HALs keep them branch-free), so raw(id)
 *      - calls x raw(calibrate) removes them exactly (done in Python, targets/baremetal.py), leaving the
 *      caller's instructions between begin's return and the call of end, minus the calibration pair's
 *      (its argument load for the end call, which every region has too).
 *   3. spike reads minstret at fixed points inside the same markers; after the same subtraction its
 *      numbers reduce to the same quantity, so one ELF gives identical setup and invoke counts on spike
 *      and QEMU (tests/test_targets.py checks it; so do the MLPerf Tiny models).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The parts of QEMU's plugin ABI (qemu-plugin.h, API version 1, QEMU 7.2) used here. Debian
 * does not ship the header, so the declarations are written out; they match the documented ABI. */
typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

typedef struct {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
                                      void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* ---- State. One vCPU (the boards run a single core), so plain globals suffice. */
#define MB_MAX_REGIONS 1024 /* the HALs read idbase + (id & 1023) */

enum { EV_BEGIN = 0, EV_END = 1 };

static uint64_t begin_addr, begin_size, end_addr, end_size, id_base;
static char out_path[4096];

static uint64_t total;          /* instructions executed so far (inline adds + marker callbacks) */
static int pending_kind = -1;   /* a marker entered whose id has not been seen yet */
static uint64_t pending_snap;
static uint64_t region_start[MB_MAX_REGIONS];
static uint64_t region_count[MB_MAX_REGIONS];
static uint64_t region_calls[MB_MAX_REGIONS];
static uint64_t unmatched;      /* end without begin, or an id load without a marker entry */

/* Userdata of a marker instruction callback: kind in bit 0, instructions left in the TB above it. */
static void *pack(int kind, uint64_t rest) { return (void *)(uintptr_t)((rest << 1) | (uint64_t)kind); }

static void on_marker(unsigned int vcpu, void *udata) {
  (void)vcpu;
  uintptr_t v = (uintptr_t)udata;
  pending_kind = (int)(v & 1);
  pending_snap = total;
  total += v >> 1;
}

static bool in_marker(uint64_t pc) {
  return (pc >= begin_addr && pc < begin_addr + begin_size) ||
         (pc >= end_addr && pc < end_addr + end_size);
}

static void on_marker_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata) {
  (void)vcpu, (void)udata;
  /* Other loads in the markers (Arm literal pools, the counter arrays) are not the id read. */
  if (qemu_plugin_mem_is_store(info) || vaddr < id_base || vaddr >= id_base + MB_MAX_REGIONS ||
      in_marker(vaddr))
    return;
  unsigned id = (unsigned)(vaddr - id_base);
  if (pending_kind == EV_BEGIN) {
    region_start[id] = pending_snap;
  } else if (pending_kind == EV_END) {
    region_count[id] += pending_snap - region_start[id];
    region_calls[id]++;
  } else {
    unmatched++;
  }
  pending_kind = -1;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  size_t first_marker = n; /* instructions before the first marker entry are added inline */
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t pc = qemu_plugin_insn_vaddr(insn);
    if (pc == begin_addr || pc == end_addr) {
      /* Instructions from here to the next marker entry (or the TB's end) are added by the callback. */
      size_t next = i + 1;
      while (next < n) {
        uint64_t p = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, next));
        if (p == begin_addr || p == end_addr) break;
        next++;
      }
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                             pack(pc == end_addr ? EV_END : EV_BEGIN, next - i));
      if (first_marker == n) first_marker = i;
    }
    /* QEMU 7.2 reports no loads to a callback registered for QEMU_PLUGIN_MEM_R alone (seen, not
     * documented), so ask for both and drop the stores. */
    if (in_marker(pc))
      qemu_plugin_register_vcpu_mem_cb(insn, on_marker_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
                                       NULL);
  }
  if (first_marker > 0)
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, first_marker);
}

static void write_counts(qemu_plugin_id_t id, void *udata) {
  (void)id, (void)udata;
  FILE *f = fopen(out_path, "w");
  if (!f) {
    qemu_plugin_outs("mb_insn_count: cannot write the output file\n");
    return;
  }
  for (unsigned r = 0; r < MB_MAX_REGIONS; r++)
    if (region_calls[r])
      fprintf(f, "region=%u instructions=%" PRIu64 " calls=%" PRIu64 "\n", r, region_count[r],
              region_calls[r]);
  fprintf(f, "total=%" PRIu64 "\nunmatched=%" PRIu64 "\n", total, unmatched);
  fclose(f);
}

static bool parse_arg(const char *arg, const char *key, uint64_t *value) {
  size_t len = strlen(key);
  if (strncmp(arg, key, len) != 0 || arg[len] != '=') return false;
  *value = strtoull(arg + len + 1, NULL, 0);
  return true;
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t *info, int argc,
                                                               char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (parse_arg(a, "begin", &begin_addr) || parse_arg(a, "begin_size", &begin_size) ||
        parse_arg(a, "end", &end_addr) || parse_arg(a, "end_size", &end_size) ||
        parse_arg(a, "idbase", &id_base))
      continue;
    if (strncmp(a, "out=", 4) == 0 && strlen(a + 4) < sizeof out_path) {
      strcpy(out_path, a + 4);
      continue;
    }
    fprintf(stderr, "mb_insn_count: unknown argument %s\n", a);
    return -1;
  }
  if (!begin_size || !end_size || !out_path[0]) {
    fprintf(stderr, "mb_insn_count: needs begin=, end=, idbase= and out=\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, write_counts, NULL);
  return 0;
}
