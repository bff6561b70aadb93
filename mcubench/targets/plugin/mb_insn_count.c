/* mb_insn_count: exact per-region instruction counts of mcubench firmware under QEMU (TCG plugin).
 *
 * Arguments (-plugin mb_insn_count.so,begin=A,begin_size=N,end=A,end_size=N,idbase=A,out=PATH):
 *   begin, end      entry addresses of mb_hal_region_begin / mb_hal_region_end (Thumb bit cleared)
 *   begin_size ...  their sizes in bytes (from the ELF symbol table)
 *   idbase          the markers read the byte at idbase + region id (see below)
 *   out             file written at exit: "region=<id> instructions=<n> calls=<k>" lines, "total=<n>"
 *   model           optional: a timing table written by targets/timing.py: the core's pipeline
 *                   parameters and, per instruction address of the ELF, its class, issue cycles,
 *                   taken-branch penalty and the registers it reads and writes. Adds
 *                   "cregion=<id> cycles=<n> calls=<k>" lines: estimated cycles, split into regions
 *                   exactly as the instructions are (see "Estimated cycles" below).
 *   mix             optional (mix=1): per translation block, how often it ran in the invoke and in
 *                   the calibration region: "tb=<pc> n=<insns> invoke=<k> calibrate=<k>" lines, which
 *                   features/instr_mix.py maps to mnemonics.
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
 *
 * Estimated cycles (with model=)
 *   Within a TB the instructions run in a fixed order, so their cycles are computed once, at
 *   translation: each instruction's issue cycles, plus a stall when it reads the result of the load
 *   (load_use) or, as an address, of the ALU operation (alu_addr) just before it, minus one for a
 *   load/store pipelined behind a load (ls_pipe, Cortex-M3/M4), a stall when a shifted operand reads
 *   the result just before it (shift_early), and zero for the younger of a pair the core issues
 *   together (dual, Cortex-M7: the pair table, no dependency, one pair per cycle, not two shifted
 *   operands, a DSP instruction only as the older). What
 *   depends on the path is added when a TB starts: the previous TB's last instruction was a taken
 *   branch (the next pc is not its fall-through: its refill penalty), or a load whose result this TB's
 *   first instruction reads. A TB callback adds the cycles of the instructions before its first marker
 *   entry; a marker's callback adds its own span's, after taking the snapshot, exactly as for counts.
 *   Addresses missing from the table (none in a linked ELF) cost one cycle each.
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
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* ---- State. One vCPU (the boards run a single core), so plain globals suffice. */
#define MB_MAX_REGIONS 1024 /* the HALs read idbase + (id & 1023) */
#define MB_REGION_INVOKE 1  /* runtime/include/mb_hal.h */
#define MB_REGION_CALIBRATE 2

enum { EV_BEGIN = 0, EV_END = 1 };

static uint64_t begin_addr, begin_size, end_addr, end_size, id_base;
static char out_path[4096];

static uint64_t total;          /* instructions executed so far (inline adds + marker callbacks) */
static uint64_t cycles;         /* estimated cycles so far (timing model only) */
static int pending_kind = -1;   /* a marker entered whose id has not been seen yet */
static uint64_t pending_snap, pending_csnap;
static uint64_t region_start[MB_MAX_REGIONS], region_cstart[MB_MAX_REGIONS];
static uint64_t region_count[MB_MAX_REGIONS], region_cycles[MB_MAX_REGIONS];
static uint64_t region_calls[MB_MAX_REGIONS];
static uint64_t unmatched;      /* end without begin, or an id load without a marker entry */

/* ---- The timing table (model=). Instruction kinds, as targets/timing.py numbers them. */
enum { K_ALU, K_MUL, K_DIV, K_LOAD, K_STORE, K_LSM, K_BRANCH, K_FP, K_VEC, K_OTHER, K_KINDS };
/* May redirect control flow; never pipelined or paired; has a shifted operand (or extension,
 * bitfield, wide immediate); a DSP instruction (pairs only as the older one). */
enum { F_BRANCH = 1, F_NOPIPE = 2, F_SHIFT = 4, F_DSP = 8 };

typedef struct {
  uint64_t addr, dst, src, asrc; /* registers written, read, read for the address (bit masks) */
  uint32_t size, issue, taken;   /* bytes; issue cycles; extra cycles when it branches */
  uint32_t kind, flags;
} insn_info;

static bool timing_on, mix_on;
static insn_info *table;
static size_t table_len;
static uint32_t p_load_use, p_alu_addr, p_ls_pipe, p_mul_use, p_dual, p_shift_early;
static bool p_pair[K_KINDS][K_KINDS]; /* (older, younger) kinds the core issues in one cycle */
static const insn_info unknown_insn = {0, 0, 0, 0, 0, 1, 0, K_OTHER, F_NOPIPE};

/* What a TB contributes: its cycles before the first marker, and what the next TB needs to know. */
typedef struct tb_info {
  uint64_t pc, fallthrough, last_dst, first_reads;
  uint64_t head_cycles; /* instructions [0, first marker) */
  uint32_t n, taken, last_load;
  uint64_t mix[2];      /* executions inside the invoke / calibration region (mix=1) */
  struct tb_info *next;
} tb_info;

static tb_info *all_tbs, *last_tb;
static int mix_slot = -1;

static const insn_info *lookup(uint64_t addr) {
  size_t lo = 0, hi = table_len;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (table[mid].addr == addr) return &table[mid];
    if (table[mid].addr < addr) lo = mid + 1; else hi = mid;
  }
  return &unknown_insn;
}

static int cmp_addr(const void *a, const void *b) {
  uint64_t x = ((const insn_info *)a)->addr, y = ((const insn_info *)b)->addr;
  return x < y ? -1 : x > y;
}

/* "p <name> <value>", "pair <older kind> <younger kind>", then one "i <addr> <size> <kind>
 * <issue> <taken> <flags> <dst> <src> <asrc>" line per instruction (masks and addresses in hex). */
static bool timing_load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "mb_insn_count: cannot read the timing table %s\n", path);
    return false;
  }
  size_t cap = 4096;
  table = malloc(cap * sizeof *table);
  char line[512], name[64];
  while (fgets(line, sizeof line, f)) {
    insn_info t = {0};
    unsigned v, a, b;
    if (sscanf(line, "i %" SCNx64 " %u %u %u %u %u %" SCNx64 " %" SCNx64 " %" SCNx64, &t.addr,
               &t.size, &t.kind, &t.issue, &t.taken, &t.flags, &t.dst, &t.src, &t.asrc) == 9) {
      if (t.kind >= K_KINDS) t.kind = K_OTHER;
      if (table_len == cap) table = realloc(table, (cap *= 2) * sizeof *table);
      table[table_len++] = t;
    } else if (sscanf(line, "pair %u %u", &a, &b) == 2 && a < K_KINDS && b < K_KINDS) {
      p_pair[a][b] = true;
    } else if (sscanf(line, "p %63s %u", name, &v) == 2) {
      if (!strcmp(name, "load_use")) p_load_use = v;
      else if (!strcmp(name, "alu_addr")) p_alu_addr = v;
      else if (!strcmp(name, "ls_pipe")) p_ls_pipe = v;
      else if (!strcmp(name, "mul_use")) p_mul_use = v;
      else if (!strcmp(name, "dual")) p_dual = v;
      else if (!strcmp(name, "shift_early")) p_shift_early = v;
    }
  }
  fclose(f);
  qsort(table, table_len, sizeof *table, cmp_addr);
  timing_on = true;
  return true;
}

static bool is_mem(const insn_info *t) {
  return t->kind == K_LOAD || t->kind == K_STORE || t->kind == K_LSM;
}

/* Cycles of `cur` when it follows `prev` (NULL: first of its TB); *paired: cur issued with prev. */
static uint64_t insn_cycles(const insn_info *prev, const insn_info *cur, bool prev_paired,
                            bool *paired) {
  uint64_t c = cur->issue;
  *paired = false;
  if (!prev) return c;
  uint64_t reads = cur->src | cur->asrc;
  bool dep = (reads & prev->dst) != 0;
  if (prev->kind == K_LOAD && dep) c += p_load_use;
  if (prev->kind == K_MUL && dep) c += p_mul_use;
  if ((prev->kind == K_ALU || prev->kind == K_MUL) && is_mem(cur) && (cur->asrc & prev->dst))
    c += p_alu_addr;
  if ((cur->flags & F_SHIFT) && dep) c += p_shift_early;
  if (p_ls_pipe && prev->kind == K_LOAD && (cur->kind == K_LOAD || cur->kind == K_STORE) &&
      !(cur->asrc & prev->dst) && !((prev->flags | cur->flags) & F_NOPIPE) && c > 1)
    c -= 1;
  if (p_dual && !prev_paired && !dep && prev->issue == 1 && cur->issue == 1 &&
      !((prev->flags | cur->flags) & F_NOPIPE) && !(prev->flags & F_BRANCH) &&
      !((prev->flags & cur->flags) & F_SHIFT) && !(cur->flags & F_DSP) &&
      p_pair[prev->kind][cur->kind] && c == 1) {
    *paired = true;
    c = 0;
  }
  return c;
}

/* The TB callback: path-dependent cycles, then the static ones before the first marker. */
static void on_tb_exec(unsigned int vcpu, void *udata) {
  (void)vcpu;
  tb_info *tb = udata;
  if (timing_on) {
    if (last_tb) {
      if (tb->pc != last_tb->fallthrough) cycles += last_tb->taken;
      else if (last_tb->last_load && (tb->first_reads & last_tb->last_dst)) cycles += p_load_use;
    }
    cycles += tb->head_cycles;
  }
  if (mix_slot >= 0) tb->mix[mix_slot]++;
  last_tb = tb;
}

/* Userdata of a marker instruction callback. */
typedef struct {
  int kind;
  uint64_t rest;   /* instructions from this one to the next marker entry or the TB's end */
  uint64_t cycles; /* their estimated cycles */
} marker_info;

static void on_marker(unsigned int vcpu, void *udata) {
  (void)vcpu;
  const marker_info *m = udata;
  pending_kind = m->kind;
  pending_snap = total;
  pending_csnap = cycles;
  total += m->rest;
  cycles += m->cycles;
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
    region_cstart[id] = pending_csnap;
    mix_slot = id == MB_REGION_INVOKE ? 0 : id == MB_REGION_CALIBRATE ? 1 : mix_slot;
  } else if (pending_kind == EV_END) {
    region_count[id] += pending_snap - region_start[id];
    region_cycles[id] += pending_csnap - region_cstart[id];
    region_calls[id]++;
    if (id == MB_REGION_INVOKE || id == MB_REGION_CALIBRATE) mix_slot = -1;
  } else {
    unmatched++;
  }
  pending_kind = -1;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  size_t first_marker = n; /* instructions before the first marker entry are added inline */
  uint64_t *cyc = timing_on ? calloc(n ? n : 1, sizeof *cyc) : NULL;
  const insn_info *prev = NULL, *info = NULL;
  bool paired = false;
  for (size_t i = 0; i < n && cyc; i++) {
    info = lookup(qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i)));
    cyc[i] = insn_cycles(prev, info, paired, &paired);
    prev = info;
  }
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
      marker_info *m = calloc(1, sizeof *m);
      m->kind = pc == end_addr ? EV_END : EV_BEGIN;
      m->rest = next - i;
      for (size_t k = i; k < next && cyc; k++) m->cycles += cyc[k];
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, m);
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
  if (timing_on || mix_on) {
    tb_info *t = calloc(1, sizeof *t);
    t->pc = qemu_plugin_tb_vaddr(tb);
    t->n = (uint32_t)n;
    for (size_t i = 0; i < first_marker && cyc; i++) t->head_cycles += cyc[i];
    if (n && timing_on) {
      const insn_info *first = lookup(t->pc);
      t->first_reads = first->src | first->asrc;
      t->fallthrough = info->addr ? info->addr + info->size : 0;
      t->taken = (info->flags & F_BRANCH) ? info->taken : 0;
      t->last_load = info->kind == K_LOAD;
      t->last_dst = info->dst;
    }
    t->next = all_tbs;
    all_tbs = t;
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, t);
  }
  free(cyc);
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
  for (unsigned r = 0; r < MB_MAX_REGIONS && timing_on; r++)
    if (region_calls[r])
      fprintf(f, "cregion=%u cycles=%" PRIu64 " calls=%" PRIu64 "\n", r, region_cycles[r],
              region_calls[r]);
  for (const tb_info *t = all_tbs; t && mix_on; t = t->next)
    if (t->mix[0] || t->mix[1])
      fprintf(f, "tb=0x%" PRIx64 " n=%u invoke=%" PRIu64 " calibrate=%" PRIu64 "\n", t->pc, t->n,
              t->mix[0], t->mix[1]);
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
    if (strncmp(a, "model=", 6) == 0) {
      if (!timing_load(a + 6)) return -1;
      continue;
    }
    if (strcmp(a, "mix=1") == 0) {
      mix_on = true;
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
