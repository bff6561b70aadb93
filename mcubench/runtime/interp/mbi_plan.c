/* The arena planner, run at setup: the same algorithm as mcubench/ir/planner.py, so both backends
 * place every activation at the same offset.
 *
 * A buffer lives from the first operator that touches it to the last (graph inputs from step 0,
 * graph outputs to the last step). A RESHAPE's output shares its input's buffer. A greedy pass
 * places the buffers in some order, each at the first gap that is free for its whole lifetime;
 * three orders are tried (largest first as TFLite Micro, size x lifetime, first use) and the
 * smallest arena wins. The planner's scratch (six words per tensor) is the bottom of the arena,
 * which the activations take over after.
 */
#include "mbi.h"

static int planned(const mbi_ctx *ctx, int32_t t) {
  return t >= 0 && !(ctx->tensors[t].flags & (MBI_T_CONST | MBI_T_BAD));
}

static int32_t find(const int32_t *root, int32_t t) {
  while (root[t] >= 0) t = root[t]; /* chains end: a root is only ever set to another root */
  return t;
}

static void touch(const mbi_ctx *ctx, const int32_t *root, int32_t *first, int32_t *last,
                  int32_t t, int32_t step) {
  if (!planned(ctx, t)) return;
  int32_t r = find(root, t);
  if (first[r] < 0 || step < first[r]) first[r] = step;
  if (step > last[r]) last[r] = step;
}

static uint32_t align_up(uint32_t x, uint32_t align) { return (x + align - 1) & ~(align - 1); }

/* The orders of planner.ORDERS: is buffer a placed before buffer b? (equal keys: by index) */
#define MBI_PLAN_ORDERS 3
static int before(const uint32_t *size, const int32_t *first, const int32_t *last, uint32_t which,
                  int32_t a, int32_t b) {
  const uint32_t sa = size[a], sb = size[b];
  if (which == 1) { /* size x lifetime, then size */
    uint64_t ka = (uint64_t)sa * (uint64_t)(last[a] - first[a] + 1);
    uint64_t kb = (uint64_t)sb * (uint64_t)(last[b] - first[b] + 1);
    if (ka != kb) return ka > kb;
  }
  if (which == 2) { /* first use, then size */
    if (first[a] != first[b]) return first[a] < first[b];
    return sa > sb;
  }
  if (sa != sb) return sa > sb; /* size, then first use */
  return first[a] < first[b];
}

/* One greedy pass in order `which`: every buffer at the lowest aligned offset that is free for its
 * whole lifetime, scanning the buffers placed so far in order of offset. Writes each root's offset
 * into its tensor record; returns the arena bytes (aligned), or UINT32_MAX if over ctx->top. */
typedef struct {
  int32_t *first, *last; /* lifetime of each root, in operator steps (-1: untouched) */
  int32_t *root;         /* the tensor a reshape output shares bytes with (-1: itself) */
  uint32_t *size;        /* bytes of each tensor */
  int32_t *order;        /* the buffers in placement order */
  int32_t *placed;       /* the buffers placed so far, by (offset, end) */
} plan_scratch;

static uint32_t greedy(mbi_ctx *ctx, const plan_scratch *s, uint32_t which) {
  const int32_t *first = s->first, *last = s->last, *root = s->root;
  const uint32_t *bytes = s->size;
  int32_t *order = s->order, *placed = s->placed;
  mbi_tensor *ts = ctx->tensors;
  uint32_t count = 0; /* the buffers (roots in use), sorted by insertion */
  for (uint32_t t = 0; t < ctx->num_tensors; t++) {
    if (root[t] >= 0 || first[t] < 0) continue;
    uint32_t j = count++;
    while (j > 0 && before(bytes, first, last, which, (int32_t)t, order[j - 1])) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = (int32_t)t;
  }
  uint32_t placed_count = 0, end_max = 0;
  for (uint32_t i = 0; i < count; i++) {
    const int32_t b = order[i];
    const uint32_t size = bytes[b];
    uint32_t offset = 0;
    for (uint32_t j = 0; j < placed_count; j++) { /* placed: sorted by (offset, end) */
      const int32_t o = placed[j];
      if (bytes[o] == 0 || first[b] > last[o] || first[o] > last[b]) continue;
      if (offset + size <= ts[o].data) break;
      uint32_t end = align_up(ts[o].data + bytes[o], ctx->align);
      if (end > offset) offset = end;
    }
    if (size > ctx->top || offset > ctx->top - size) return UINT32_MAX; /* keeps sums in range */
    ts[b].data = offset;
    uint32_t j = placed_count++;
    while (j > 0) {
      const int32_t o = placed[j - 1];
      if (ts[o].data < offset || (ts[o].data == offset && bytes[o] <= size)) break;
      placed[j] = o;
      j--;
    }
    placed[j] = b;
    if (offset + size > end_max) end_max = offset + size;
  }
  return align_up(end_max, ctx->align);
}

int mbi_plan(mbi_ctx *ctx) {
  const uint32_t n = ctx->num_tensors;
  mbi_tensor *ts = ctx->tensors;
  if (n > ctx->top / MBI_PLAN_SCRATCH) return MBI_ERR_ARENA;
  int32_t *first = (int32_t *)ctx->arena, *last = first + n, *root = last + n;
  plan_scratch s = {first, last, root, (uint32_t *)(root + n), root + 2 * n, root + 3 * n};
  for (uint32_t t = 0; t < n; t++) {
    first[t] = last[t] = root[t] = -1;
    s.size[t] = mbi_bytes(&ts[t]);
  }

  for (uint32_t i = 0; i < ctx->num_ops; i++) { /* reshapes alias their input */
    const mbi_op *op = &ctx->ops[i];
    int32_t src = op->in[0], dst = op->out;
    if (!(ctx->regs[op->reg].flags & MBI_REG_ALIAS) || op->n_in == 0 || op->n_out != 1 ||
        !planned(ctx, src) ||
        !planned(ctx, dst) || src == dst || s.size[src] != s.size[dst])
      continue;
    int32_t r = find(root, src);
    if (r != dst) root[dst] = r;
  }

  const int32_t last_step = ctx->num_ops > 0 ? (int32_t)ctx->num_ops - 1 : 0;
  for (uint32_t k = 0; k < ctx->num_inputs; k++) touch(ctx, root, first, last, ctx->inputs[k], 0);
  for (uint32_t i = 0; i < ctx->num_ops; i++) {
    const mbi_op *op = &ctx->ops[i];
    for (uint32_t k = 0; k < op->n_in; k++)
      touch(ctx, root, first, last, mbi_op_input(ctx, op, k), (int32_t)i);
    for (uint32_t k = 0; k < op->n_out; k++)
      touch(ctx, root, first, last, mbi_op_output(ctx, op, k), (int32_t)i);
  }
  for (uint32_t k = 0; k < ctx->num_outputs; k++)
    touch(ctx, root, first, last, ctx->outputs[k], last_step);

  /* one greedy pass per order; the smallest arena wins (ties: the earlier order), as planner.py */
  uint32_t best_order = 0, best = UINT32_MAX;
  for (uint32_t k = 0; k < MBI_PLAN_ORDERS; k++) {
    uint32_t size = greedy(ctx, &s, k);
    if (size < best) best = size, best_order = k;
  }
  if (best > ctx->top) return MBI_ERR_ARENA;
  if (best_order != MBI_PLAN_ORDERS - 1) greedy(ctx, &s, best_order);
  const uint32_t plan = best;

  for (uint32_t t = 0; t < n; t++) {
    if (!planned(ctx, (int32_t)t)) continue;
    int32_t r = find(root, (int32_t)t);
    if (first[r] < 0) continue;
    ts[t].data = ts[r].data;
    ts[t].flags |= MBI_T_PLANNED;
  }
  const uint32_t scratch = n * MBI_PLAN_SCRATCH;
  const uint32_t records = (ctx->arena_size & ~(uint32_t)(MBI_RECORD_ALIGN - 1)) - ctx->top;
  const uint32_t bottom = plan > scratch ? plan : scratch;
  ctx->used = ((bottom + MBI_RECORD_ALIGN - 1) & ~(uint32_t)(MBI_RECORD_ALIGN - 1)) + records;
  return MBI_OK;
}
