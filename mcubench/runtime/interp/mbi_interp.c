/* Interpreter setup and invoke: the model's tensors and operators become records in the arena.
 *
 * Arena layout after setup (arena_size rounded down to MBI_RECORD_ALIGN):
 *   [0, plan)          activations, placed by mbi_plan (during setup: the planner's scratch)
 *   [top, arena_size)  records: tensors, operators, graph inputs/outputs, operator parameters
 * Records are taken top-down in that order. Needed: align8(max(plan, scratch)) + records, which
 * backends/interp.py computes offline from the same sizes.
 */
#include "mbi.h"

#define MBI_MAX_ELEMENTS (1u << 26) /* per tensor: keeps every byte count and index in int32 */
#define MBI_MAX_ARENA (1u << 30)

void *mbi_alloc(mbi_ctx *ctx, uint32_t n, uint32_t bytes) {
  if (bytes == 0 || n > ctx->top / bytes) return (void *)0;
  uint32_t need = (n * bytes + (MBI_RECORD_ALIGN - 1)) & ~(uint32_t)(MBI_RECORD_ALIGN - 1);
  if (need > ctx->top) return (void *)0;
  ctx->top -= need;
  for (uint32_t i = ctx->top; i < ctx->top + need; i++) ctx->arena[i] = 0;
  return ctx->arena + ctx->top;
}

/* Tensor i: shape, type and, for a constant, where its bytes are in the model. A type or shape the
 * interpreter cannot use only marks the tensor bad; a malformed table fails setup. */
static int read_tensor(mbi_ctx *ctx, const mbi_vec *tensors, const mbi_vec *buffers, uint32_t i) {
  mbi_fb *fb = &ctx->fb;
  mbi_tensor *rec = &ctx->tensors[i];
  mbi_table t, b;
  mbi_vec shape, data;
  mbi_fb_vec_table(fb, tensors, i, &t);
  mbi_fb_vec(fb, &t, 0, 4, &shape);
  uint32_t type = mbi_fb_uint(fb, &t, 1, 1, 0);
  uint32_t buffer = mbi_fb_uint(fb, &t, 2, 4, 0);
  if (fb->err || buffer >= buffers->len) return MBI_ERR_MODEL;

  int32_t dims[MBI_MAX_DIMS] = {1, 1, 1, 1, 1, 1};
  uint32_t width = mbi_type_bytes(type), elements = 1;
  int bad = width == 0 || shape.len > MBI_MAX_DIMS;
  for (uint32_t k = 0; !bad && k < shape.len; k++) {
    int32_t d = mbi_fb_vec_i32(fb, &shape, k);
    dims[MBI_MAX_DIMS - shape.len + k] = d;
    if (d < 0 || (d > 0 && elements > MBI_MAX_ELEMENTS / (uint32_t)d)) bad = 1;
    else elements *= (uint32_t)d;
  }
  /* NHWC of the last four dimensions; leading ones (rank 5, 6) fold into n */
  for (uint32_t k = 0; k < MBI_MAX_DIMS - 4; k++) dims[MBI_MAX_DIMS - 4] *= dims[k];
  for (uint32_t k = 0; k < 4; k++) dims[k] = dims[MBI_MAX_DIMS - 4 + k];
  rec->type = (uint8_t)type;
  rec->rank = (uint8_t)(shape.len > MBI_MAX_DIMS ? MBI_MAX_DIMS : shape.len);
  rec->dims.n = dims[0], rec->dims.h = dims[1], rec->dims.w = dims[2], rec->dims.c = dims[3];

  if (buffer > 0) { /* buffer 0 is the schema's empty sentinel */
    mbi_fb_vec_table(fb, buffers, buffer, &b);
    uint32_t pos = 0, size = 0;
    if (mbi_fb_vec(fb, &b, 0, 1, &data) && data.len > 0) {
      pos = data.pos, size = data.len;
    } else { /* data stored past the flatbuffer (models > 2 GB): an offset from the file's start */
      uint64_t offset = mbi_fb_u64(fb, &b, 1, 0), bytes = mbi_fb_u64(fb, &b, 2, 0);
      if (offset > 1 && bytes > 0) {
        if (offset > fb->size || bytes > fb->size - offset) return MBI_ERR_MODEL;
        pos = (uint32_t)offset, size = (uint32_t)bytes;
      }
    }
    if (fb->err) return MBI_ERR_MODEL;
    if (size > 0) {
      rec->flags |= MBI_T_CONST;
      rec->data = pos;
      /* the kernels read constants in place: their size must match, int32 biases be aligned */
      if (size != elements * width || ((uintptr_t)(fb->buf + pos) & (width - 1)) != 0) bad = 1;
    }
  }
  if (bad) rec->flags |= MBI_T_BAD, rec->dims.n = rec->dims.h = rec->dims.w = rec->dims.c = 0;
  return MBI_OK;
}

/* A custom_code string (bytes at name) equals a registration's name. */
static int same_name(const mbi_fb *fb, const mbi_vec *name, const char *want) {
  if (!want) return 0;
  uint32_t k = 0;
  while (k < name->len && want[k] && fb->buf[name->pos + k] == (uint8_t)want[k]) k++;
  return k == name->len && !want[k];
}

/* Operator i: its registration, tensors, and its prepare function. */
static int read_op(mbi_ctx *ctx, const mbi_vec *ops, const mbi_vec *codes, uint32_t i) {
  mbi_fb *fb = &ctx->fb;
  mbi_op *op = &ctx->ops[i];
  mbi_table o, code, options;
  mbi_vec ins, outs;
  mbi_fb_vec_table(fb, ops, i, &o);
  uint32_t opcode = mbi_fb_uint(fb, &o, 0, 4, 0);
  mbi_fb_vec(fb, &o, 1, 4, &ins);
  mbi_fb_vec(fb, &o, 2, 4, &outs);
  uint8_t options_type = (uint8_t)mbi_fb_uint(fb, &o, 3, 1, 0);
  mbi_fb_table(fb, &o, 4, &options);
  if (fb->err || opcode >= codes->len) return MBI_ERR_MODEL;
  mbi_fb_vec_table(fb, codes, opcode, &code);
  int32_t deprecated = mbi_fb_int(fb, &code, 0, 1, 0), builtin = mbi_fb_int(fb, &code, 3, 4, 0);
  if (fb->err) return MBI_ERR_MODEL;
  int32_t kind = builtin > deprecated ? builtin : deprecated;
  mbi_vec name = {0, 0};
  ctx->custom = name;
  if (kind == MBI_OP_CUSTOM) { /* found by its custom_code; its options are a flexbuffer */
    mbi_fb_vec(fb, &code, 1, 1, &name);
    mbi_fb_vec(fb, &o, 5, 1, &ctx->custom);
    if (fb->err) return MBI_ERR_MODEL;
  }

  uint32_t r = 0;
  while (r < ctx->num_regs &&
         (ctx->regs[r].code != kind ||
          (kind == MBI_OP_CUSTOM && !same_name(fb, &name, ctx->regs[r].custom))))
    r++;
  if (r == ctx->num_regs) return MBI_ERR_OP;
  if (ins.len > 255 || outs.len < 1 || outs.len > 255) return MBI_ERR_PARAMS;
  op->reg = (uint16_t)r;
  op->n_in = (uint8_t)ins.len;
  op->n_out = (uint8_t)outs.len;
  int32_t small[MBI_MAX_INPUTS + 1], *io = small; /* the list goes to the arena if it must */
  if (ins.len > MBI_MAX_INPUTS || outs.len > 1) {
    io = (int32_t *)mbi_alloc(ctx, ins.len + outs.len, sizeof(int32_t));
    if (!io) return MBI_ERR_ARENA;
    op->io = mbi_offset(ctx, io);
  }
  for (uint32_t k = 0; k < ins.len + outs.len; k++) {
    int32_t t = k < ins.len ? mbi_fb_vec_i32(fb, &ins, k) : mbi_fb_vec_i32(fb, &outs, k - ins.len);
    if (fb->err || t < (k < ins.len ? -1 : 0) || t >= (int32_t)ctx->num_tensors)
      return MBI_ERR_MODEL;
    io[k] = t;
  }
  for (uint32_t k = 0; k < MBI_MAX_INPUTS; k++) op->in[k] = k < ins.len ? io[k] : -1;
  op->out = io[ins.len];
  return ctx->regs[r].prepare(ctx, op, options_type, &options);
}

/* Graph inputs or outputs: activation tensors the harness reads or writes. */
static int read_io(mbi_ctx *ctx, const mbi_vec *v, int32_t *out) {
  for (uint32_t k = 0; k < v->len; k++) {
    int32_t t = mbi_fb_vec_i32(&ctx->fb, v, k);
    if (ctx->fb.err || t < 0 || t >= (int32_t)ctx->num_tensors) return MBI_ERR_MODEL;
    if (ctx->tensors[t].flags & (MBI_T_CONST | MBI_T_BAD)) return MBI_ERR_TENSOR;
    out[k] = t;
  }
  return MBI_OK;
}

int mbi_setup(mbi_ctx *ctx, const uint8_t *model, uint32_t model_size, uint8_t *arena,
              uint32_t arena_size, uint32_t align, const mbi_registration *regs,
              uint32_t num_regs) {
  static const mbi_ctx empty;
  *ctx = empty;
  ctx->fb.buf = model;
  ctx->fb.size = model_size;
  ctx->arena = arena;
  ctx->arena_size = arena_size;
  ctx->align = align;
  ctx->regs = regs;
  ctx->num_regs = num_regs;
  if (align == 0 || (align & (align - 1)) != 0 || align > 4096 || arena_size > MBI_MAX_ARENA ||
      ((uintptr_t)arena & (align - 1)) != 0 || ((uintptr_t)arena & (MBI_RECORD_ALIGN - 1)) != 0)
    return MBI_ERR_ARENA;
  ctx->top = arena_size & ~(uint32_t)(MBI_RECORD_ALIGN - 1);

  mbi_fb *fb = &ctx->fb;
  if (model_size < 8 || model[4] != 'T' || model[5] != 'F' || model[6] != 'L' || model[7] != '3')
    return MBI_ERR_SCHEMA; /* the file identifier */
  mbi_table root, subgraph;
  mbi_vec codes, subgraphs, buffers, tensors, inputs, outputs, ops;
  if (!mbi_fb_root(fb, &root)) return MBI_ERR_MODEL;
  uint32_t version = mbi_fb_uint(fb, &root, 0, 4, 0);
  mbi_fb_vec(fb, &root, 1, 4, &codes);
  mbi_fb_vec(fb, &root, 2, 4, &subgraphs);
  mbi_fb_vec(fb, &root, 4, 4, &buffers);
  if (fb->err) return MBI_ERR_MODEL;
  if (version != MBI_TFLITE_SCHEMA_VERSION || subgraphs.len != 1) return MBI_ERR_SCHEMA;
  mbi_fb_vec_table(fb, &subgraphs, 0, &subgraph);
  mbi_fb_vec(fb, &subgraph, 0, 4, &tensors);
  mbi_fb_vec(fb, &subgraph, 1, 4, &inputs);
  mbi_fb_vec(fb, &subgraph, 2, 4, &outputs);
  mbi_fb_vec(fb, &subgraph, 3, 4, &ops);
  if (fb->err) return MBI_ERR_MODEL;

  ctx->fb_tensors = tensors;
  ctx->num_tensors = tensors.len, ctx->num_ops = ops.len;
  ctx->num_inputs = inputs.len, ctx->num_outputs = outputs.len;
  ctx->tensors = (mbi_tensor *)mbi_alloc(ctx, tensors.len, sizeof(mbi_tensor));
  ctx->ops = (mbi_op *)mbi_alloc(ctx, ops.len, sizeof(mbi_op));
  ctx->inputs = (int32_t *)mbi_alloc(ctx, inputs.len, sizeof(int32_t));
  ctx->outputs = (int32_t *)mbi_alloc(ctx, outputs.len, sizeof(int32_t));
  if (!ctx->tensors || !ctx->ops || !ctx->inputs || !ctx->outputs) return MBI_ERR_ARENA;

  int rc = MBI_OK;
  for (uint32_t i = 0; rc == MBI_OK && i < tensors.len; i++)
    rc = read_tensor(ctx, &tensors, &buffers, i);
  if (rc == MBI_OK) rc = read_io(ctx, &inputs, ctx->inputs);
  if (rc == MBI_OK) rc = read_io(ctx, &outputs, ctx->outputs);
  for (uint32_t i = 0; rc == MBI_OK && i < ops.len; i++) rc = read_op(ctx, &ops, &codes, i);
  if (rc == MBI_OK) rc = mbi_plan(ctx);
  if (rc == MBI_OK && fb->err) rc = MBI_ERR_MODEL;
  ctx->ready = rc == MBI_OK;
  return rc;
}

int mbi_invoke(const mbi_ctx *ctx) {
  if (!ctx->ready) return MBI_ERR_STATE;
  for (uint32_t i = 0; i < ctx->num_ops; i++) {
    const mbi_op *op = &ctx->ops[i];
    int rc = ctx->regs[op->reg].eval(ctx, op);
    if (rc == MBI_STOP) return MBI_OK; /* kTfLiteAbort: the rest waits for a later invoke */
    if (rc != MBI_OK) return rc;
  }
  return MBI_OK;
}

void *mbi_input(const mbi_ctx *ctx, uint32_t i) {
  return ctx->ready && i < ctx->num_inputs ? mbi_out_data(ctx, ctx->inputs[i]) : (void *)0;
}

void *mbi_output(const mbi_ctx *ctx, uint32_t i) {
  return ctx->ready && i < ctx->num_outputs ? mbi_out_data(ctx, ctx->outputs[i]) : (void *)0;
}

uint32_t mbi_input_bytes(const mbi_ctx *ctx, uint32_t i) {
  return ctx->ready && i < ctx->num_inputs ? mbi_bytes(&ctx->tensors[ctx->inputs[i]]) : 0;
}

uint32_t mbi_output_bytes(const mbi_ctx *ctx, uint32_t i) {
  return ctx->ready && i < ctx->num_outputs ? mbi_bytes(&ctx->tensors[ctx->outputs[i]]) : 0;
}

int mbi_shape(const mbi_ctx *ctx, int32_t t, int32_t *dims) {
  if (t < 0 || (uint32_t)t >= ctx->num_tensors || (ctx->tensors[t].flags & MBI_T_BAD)) return -1;
  mbi_fb fb = ctx->fb; /* a copy: the context stays const, its reads were checked at setup */
  mbi_table table;
  mbi_vec shape;
  mbi_fb_vec_table(&fb, &ctx->fb_tensors, (uint32_t)t, &table);
  mbi_fb_vec(&fb, &table, 0, 4, &shape);
  if (fb.err || shape.len > MBI_MAX_DIMS) return -1;
  for (uint32_t k = 0; k < shape.len; k++) dims[k] = mbi_fb_vec_i32(&fb, &shape, k);
  return fb.err ? -1 : (int)shape.len;
}
