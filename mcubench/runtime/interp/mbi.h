/* mcubench interpreter (mbi): runs a .tflite flatbuffer embedded unchanged in flash.
 *
 * Setup reads the model through a bounds-checked flatbuffer reader (mbi_fb.c), records every
 * tensor's shape and location, lets each operator's prepare function compute its kernel parameters
 * from the float scales (mbi_prep.c: TFLite's QuantizeMultiplier arithmetic), and plans the
 * activations in the arena (mbi_plan.c: greedy over operator-order lifetimes, as ir/planner.py).
 * Invoke calls the same kernels as the AOT backend (runtime/kernels). Nothing allocates outside the
 * caller's arena: the interpreter's records are taken from the arena's top, the activations live at
 * its bottom.
 *
 * Every record kept in the arena is made of fixed-width integers only (offsets, never pointers), so
 * its size is the same on every target; backends/interp.py mirrors these sizes to compute the arena
 * offline, and the checks at the end of this file keep both in step.
 */
#ifndef MBI_H
#define MBI_H

#include <stdint.h>

#include "mb_kernels.h"
#include "mb_kernels_f32.h"
#include "mbi_records.h" /* the arena records, generated from mcubench/ops/ */

/* Setup/invoke results: 0 ok, else one of these (the harness prints "MB error=setup code=N"). */
#define MBI_OK 0
#define MBI_ERR_MODEL 1  /* malformed flatbuffer: an offset, table or vector outside the model */
#define MBI_ERR_SCHEMA 2 /* not a TFL3 file, schema version other than 3, or not one subgraph */
#define MBI_ERR_OP 3     /* an operator whose code is not linked (not in the registration table) */
#define MBI_ERR_TENSOR 4 /* tensor type, rank, size, alignment or quantization not supported */
#define MBI_ERR_PARAMS 5 /* operator options or shapes that do not fit together */
#define MBI_ERR_ARENA 6  /* the arena is too small (or misaligned) */
#define MBI_ERR_STATE 7  /* invoke without a successful setup */
/* Invoke also returns 8, mb_gather.h's MB_ERR_INDEX, for an index input out of range. */
/* An eval's status that is no error: TFLite Micro's kTfLiteAbort (CIRCULAR_BUFFER waiting for its
 * period). The rest of this invoke is skipped and invoke returns MBI_OK: never an invoke result. */
#define MBI_STOP 100

/* TFLite schema facts used here (schema.fbs). */
#define MBI_TFLITE_SCHEMA_VERSION 3
#define MBI_OP_ADD 0
#define MBI_OP_AVERAGE_POOL_2D 1
#define MBI_OP_CONV_2D 3
#define MBI_OP_DEPTHWISE_CONV_2D 4
#define MBI_OP_FULLY_CONNECTED 9
#define MBI_OP_MAX_POOL_2D 17
#define MBI_OP_RESHAPE 22
#define MBI_OP_SOFTMAX 25
#define MBI_OP_CUSTOM 32 /* registered by custom_code (mbi_registration.custom) */
#define MBI_OPT_CONV_2D 1 /* BuiltinOptions union types */
#define MBI_OPT_DEPTHWISE_CONV_2D 2
#define MBI_OPT_POOL_2D 5
#define MBI_OPT_FULLY_CONNECTED 8
#define MBI_OPT_SOFTMAX 9
#define MBI_OPT_ADD 11
#define MBI_TYPE_FLOAT32 0 /* TensorType */
#define MBI_TYPE_INT32 2
#define MBI_TYPE_UINT8 3
#define MBI_TYPE_INT64 4
#define MBI_TYPE_BOOL 6
#define MBI_TYPE_INT16 7
#define MBI_TYPE_INT8 9
#define MBI_TYPE_UINT64 12
#define MBI_TYPE_UINT32 15

/* Float bits without string.h (freestanding C99): GCC and Clang define union type punning. */
typedef union {
  float f;
  uint32_t u;
} mbi_f32_bits;
typedef union {
  double d;
  uint64_t u;
} mbi_f64_bits;

/* ---- flatbuffer reader (mbi_fb.c) ------------------------------------------------------------
 * Positions are byte offsets into the buffer. A read that would leave the buffer returns 0 (or the
 * absent result) and sets `err`, which stays set: callers check it once after a batch of reads. */
typedef struct {
  const uint8_t *buf;
  uint32_t size;
  int err;
} mbi_fb;

typedef struct {
  uint32_t pos;     /* the table's start (0: absent) */
  uint32_t vtable;  /* its vtable */
  uint16_t vt_size; /* vtable bytes */
  uint16_t size;    /* the table's inline bytes */
} mbi_table;

typedef struct {
  uint32_t pos; /* the first element (just past the length) */
  uint32_t len; /* elements */
} mbi_vec;

uint32_t mbi_fb_u32(mbi_fb *fb, uint32_t pos);
int mbi_fb_root(mbi_fb *fb, mbi_table *root); /* 1 ok */
int mbi_fb_table_at(mbi_fb *fb, uint32_t pos, mbi_table *t); /* the table at pos; 1 ok */
/* Scalar fields by slot number (the field's index in the schema table); absent -> the default. */
uint32_t mbi_fb_uint(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t width, uint32_t dflt);
int32_t mbi_fb_int(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t width, int32_t dflt);
float mbi_fb_f32(mbi_fb *fb, const mbi_table *t, uint32_t slot, float dflt);
uint64_t mbi_fb_u64(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint64_t dflt);
/* Reference fields: 1 if present and valid, 0 if absent (or invalid: then err is set). */
int mbi_fb_table(mbi_fb *fb, const mbi_table *t, uint32_t slot, mbi_table *out);
int mbi_fb_vec(mbi_fb *fb, const mbi_table *t, uint32_t slot, uint32_t elem_bytes, mbi_vec *out);
/* Vector elements (the index is checked against the length). */
int32_t mbi_fb_vec_i32(mbi_fb *fb, const mbi_vec *v, uint32_t i);
int64_t mbi_fb_vec_i64(mbi_fb *fb, const mbi_vec *v, uint32_t i);
float mbi_fb_vec_f32(mbi_fb *fb, const mbi_vec *v, uint32_t i);
int mbi_fb_vec_table(mbi_fb *fb, const mbi_vec *v, uint32_t i, mbi_table *out);

/* ---- interpreter state ----------------------------------------------------------------------- */
#define MBI_T_CONST 1u   /* data lives in the model */
#define MBI_T_PLANNED 2u /* data lives in the arena */
#define MBI_T_BAD 4u     /* a type, rank or size the interpreter cannot use (fatal only if used) */

static inline uint32_t mbi_type_bytes(uint32_t type) {
  switch (type) {
  case MBI_TYPE_INT8: case MBI_TYPE_UINT8: case MBI_TYPE_BOOL: return 1;
  case MBI_TYPE_INT16: return 2;
  case MBI_TYPE_INT32: case MBI_TYPE_UINT32: case MBI_TYPE_FLOAT32: return 4;
  case MBI_TYPE_INT64: case MBI_TYPE_UINT64: return 8;
  default: return 0;
  }
}

/* A tensor's bytes (setup keeps every element count below 2^26, so this fits). */
static inline uint32_t mbi_bytes(const mbi_tensor *t) {
  return (uint32_t)t->dims.n * (uint32_t)t->dims.h * (uint32_t)t->dims.w * (uint32_t)t->dims.c *
         mbi_type_bytes(t->type);
}

#define MBI_MAX_DIMS 6 /* tensor rank limit (TFLite Micro's, for its shape-only ops) */
typedef struct mbi_ctx mbi_ctx;

/* One linked operator: prepare runs once at setup (options: the operator's builtin options table,
 * pos 0 if it has none), eval at every invoke. Both return MBI_OK or an MBI_ERR_* code. */
#define MBI_REG_ALIAS 1u /* the output may share its input's bytes (RESHAPE, SQUEEZE, ...) */
typedef struct {
  int32_t code; /* BuiltinOperator */
  int (*prepare)(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options);
  int (*eval)(const mbi_ctx *ctx, const mbi_op *op);
  uint32_t flags; /* MBI_REG_* */
  const char *custom; /* code MBI_OP_CUSTOM: the operator code's custom_code it runs */
} mbi_registration;

struct mbi_ctx {
  mbi_fb fb;          /* the model */
  mbi_vec fb_tensors; /* the subgraph's Tensor tables (quantization is read from there) */
  uint8_t *arena;
  uint32_t arena_size;
  uint32_t top;   /* records occupy [top, arena_size) */
  uint32_t align; /* of every activation's offset */
  uint32_t used;  /* after setup: the arena bytes needed (as backends/interp.py computes them) */
  mbi_tensor *tensors;
  mbi_op *ops;
  int32_t *inputs, *outputs;
  uint32_t num_tensors, num_ops, num_inputs, num_outputs;
  const mbi_registration *regs;
  uint32_t num_regs;
  mbi_vec custom; /* while a custom operator's prepare runs: its custom_options bytes */
  int ready;
};

/* mbi_interp.c */
int mbi_setup(mbi_ctx *ctx, const uint8_t *model, uint32_t model_size, uint8_t *arena,
              uint32_t arena_size, uint32_t align, const mbi_registration *regs,
              uint32_t num_regs);
int mbi_invoke(const mbi_ctx *ctx);
/* n records of `bytes` each from the arena's top, zeroed, MBI_RECORD_ALIGN aligned; 0 if full. */
void *mbi_alloc(mbi_ctx *ctx, uint32_t n, uint32_t bytes);
static inline uint32_t mbi_offset(const mbi_ctx *ctx, const void *record) {
  return (uint32_t)((const uint8_t *)record - ctx->arena);
}
void *mbi_input(const mbi_ctx *ctx, uint32_t i);
void *mbi_output(const mbi_ctx *ctx, uint32_t i);
uint32_t mbi_input_bytes(const mbi_ctx *ctx, uint32_t i);
uint32_t mbi_output_bytes(const mbi_ctx *ctx, uint32_t i);

/* mbi_plan.c: place the activations; MBI_ERR_ARENA if they do not fit below ctx->top. */
int mbi_plan(mbi_ctx *ctx);

static inline const mbi_tensor *mbi_t(const mbi_ctx *ctx, int32_t t) {
  return &ctx->tensors[t];
}
static inline const void *mbi_in_data(const mbi_ctx *ctx, int32_t t) {
  if (t < 0) return (const void *)0;
  const mbi_tensor *x = &ctx->tensors[t];
  return (x->flags & MBI_T_CONST ? ctx->fb.buf : ctx->arena) + x->data;
}
static inline void *mbi_out_data(const mbi_ctx *ctx, int32_t t) {
  return ctx->arena + ctx->tensors[t].data;
}
static inline void *mbi_record(const mbi_ctx *ctx, uint32_t offset) {
  return ctx->arena + offset;
}
/* Input k / output k of an operator (k below n_in / n_out; -1: an absent optional input). */
static inline int32_t mbi_op_input(const mbi_ctx *ctx, const mbi_op *op, uint32_t k) {
  if (!op->io) return k < MBI_MAX_INPUTS ? op->in[k] : -1;
  return ((const int32_t *)(const void *)(ctx->arena + op->io))[k];
}
static inline int32_t mbi_op_output(const mbi_ctx *ctx, const mbi_op *op, uint32_t k) {
  if (!op->io) return op->out;
  return ((const int32_t *)(const void *)(ctx->arena + op->io))[op->n_in + k];
}
/* Tensor t's full shape from the model (dims[MBI_MAX_DIMS]); returns its rank, -1 if unusable.
 * The tensor record keeps ranks above 4 with the leading dimensions folded into n. */
int mbi_shape(const mbi_ctx *ctx, int32_t t, int32_t *dims);

/* ---- custom operators' options: flexbuffer maps (mbi_flex.c) -------------------------------
 * A custom operator's custom_options are a flexbuffer map (keys sorted). TFLite Micro reads most
 * of them by position in that map (FlexbufferWrapper: the raw inline bytes of value i as an
 * integer of the map's width); the modules check at LOAD that the keys are the ones TFLite Micro
 * expects, so finding a key here gives TFLite Micro's position. Every read is bounds-checked;
 * a malformed map sets err. */
typedef struct {
  const uint8_t *buf;
  uint32_t size;
  uint32_t values; /* position of value 0 */
  uint32_t keys;   /* position of key 0's offset */
  uint32_t len;
  uint8_t width, key_width; /* bytes per value, per key offset */
  int err;
} mbi_flex_map;

/* The running custom operator's options (ctx->custom) as a map: MBI_OK or MBI_ERR_PARAMS. */
int mbi_custom_options(const mbi_ctx *ctx, mbi_flex_map *m);
int mbi_flex_map_at(mbi_flex_map *m, const uint8_t *buf, uint32_t size); /* the root map */
int32_t mbi_flex_find(mbi_flex_map *m, const char *key); /* its index, -1 if absent */
uint8_t mbi_flex_type(mbi_flex_map *m, int32_t i);      /* FBT_*, 0 (null) if absent */
int64_t mbi_flex_raw(mbi_flex_map *m, int32_t i);       /* FlexbufferWrapper::ElementAsInt64 */
/* flexbuffers' Reference::AsInt64 / AsDouble of value i (numbers and bools; else, or absent, 0) */
int64_t mbi_flex_int(mbi_flex_map *m, int32_t i);
double mbi_flex_double(mbi_flex_map *m, int32_t i);
/* The raw integer of key `key` into *out, as TFLite Micro's ElementAsInt32 at its position;
 * MBI_ERR_PARAMS if the key is missing. */
int mbi_flex_i32(mbi_flex_map *m, const char *key, int32_t *out);

/* ---- preparation helpers (mbi_prep.c) -------------------------------------------------------- */
/* TFLite QuantizeMultiplier in double precision: real = mult * 2^(shift-31). MBI_ERR_TENSOR if the
 * multiplier is not finite, negative, or too large for the kernels (shift > 31). */
int mbi_quantize_multiplier(double real, int32_t *mult, int32_t *shift);
/* TFLite's frexp, for any double (no libm needed). */
double mbi_frexp(double x, int *exponent);
/* CalculateActivationRangeQuantized for int8; MBI_ERR_PARAMS for an activation that is no clamp. */
int mbi_activation_range(uint32_t fused, float scale, int32_t zero_point, int32_t *act_min,
                         int32_t *act_max);
/* ComputeOutSize + ComputePadding (padding 0 SAME, 1 VALID); MBI_ERR_PARAMS if no output fits. */
int mbi_window(uint32_t padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
               int32_t *out, int32_t *pad);
/* Tensor t if the index is valid, the tensor usable (not MBI_T_BAD), of `type`, and a constant
 * exactly if want_const; else 0 (so also for an absent optional input, t = -1). */
const mbi_tensor *mbi_tensor_of(const mbi_ctx *ctx, int32_t t, uint8_t type, int want_const);
/* Per-tensor quantization (first scale / zero point) of an int8 activation tensor. */
int mbi_quant(mbi_ctx *ctx, int32_t t, float *scale, int32_t *zero_point);
/* All scales of a (filter) tensor; every zero point must be 0. */
int mbi_filter_scales(mbi_ctx *ctx, int32_t t, mbi_vec *scales);
/* The output requantization of conv, depthwise conv and fully connected: one (mult, shift) per
 * filter scale, or `n` copies of the one per-tensor scale; allocated in the arena. */
int mbi_prepare_requant(mbi_ctx *ctx, int32_t input, int32_t filter, int32_t output, uint32_t n,
                        uint32_t *requant_offset);

/* TFLite's CalculateActivationRange<float>: NONE is [-FLT_MAX, FLT_MAX]; MBI_ERR_PARAMS for an
 * activation that is no clamp (TANH, SIGN_BIT), as for int8. */
#define MBI_FLT_MAX 3.40282347e+38f
static inline int mbi_activation_range_f32(uint32_t fused, float *act_min, float *act_max) {
  switch (fused) {
  case 0: *act_min = -MBI_FLT_MAX, *act_max = MBI_FLT_MAX; return MBI_OK; /* NONE */
  case 1: *act_min = 0.0f, *act_max = MBI_FLT_MAX; return MBI_OK;         /* RELU */
  case 2: *act_min = -1.0f, *act_max = 1.0f; return MBI_OK;               /* RELU_N1_TO_1 */
  case 3: *act_min = 0.0f, *act_max = 6.0f; return MBI_OK;                /* RELU6 */
  default: return MBI_ERR_PARAMS;
  }
}

/* CONV_2D and DEPTHWISE_CONV_2D (depthwise 1) options, shapes and parameters (mbi_op_conv.c). */
int mbi_conv_prepare(mbi_ctx *ctx, mbi_op *op, uint8_t options_type, const mbi_table *options,
                     int depthwise);

/* Operators (runtime/interp/mbi_op_*.c); the generated interp_ops.c lists the ones a model uses. */
int mbi_conv2d_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);
int mbi_conv2d_eval(const mbi_ctx *, const mbi_op *);
int mbi_depthwise_conv2d_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);
int mbi_depthwise_conv2d_eval(const mbi_ctx *, const mbi_op *);
int mbi_fully_connected_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);
int mbi_fully_connected_eval(const mbi_ctx *, const mbi_op *);
int mbi_pool_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *); /* both pools */
int mbi_avg_pool_eval(const mbi_ctx *, const mbi_op *);
int mbi_max_pool_eval(const mbi_ctx *, const mbi_op *);
int mbi_add_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);
int mbi_add_eval(const mbi_ctx *, const mbi_op *);
int mbi_softmax_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);
int mbi_softmax_eval(const mbi_ctx *, const mbi_op *);
int mbi_reshape_prepare(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);
int mbi_reshape_eval(const mbi_ctx *, const mbi_op *);

/* Generated per model: interp_model.c (the .tflite bytes, the arena), interp_ops.c (the table). */
extern const uint8_t mbi_model_data[];
extern const uint32_t mbi_model_size;
extern uint8_t mbi_arena[];
extern const uint32_t mbi_arena_size;
extern const uint32_t mbi_arena_align;
extern const mbi_registration mbi_registrations[];
extern const uint32_t mbi_num_registrations;

#endif
