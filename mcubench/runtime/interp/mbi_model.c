/* runtime/include/mb_model.h for the interpreter: the generated interp_model.c provides the model
 * bytes and the arena, interp_ops.c the operator table; setup runs the interpreter's setup once. */
#include "mb_model.h"
#include "mbi.h"

static mbi_ctx mbi_context;

int mb_model_setup(void) {
  return mbi_setup(&mbi_context, mbi_model_data, mbi_model_size, mbi_arena, mbi_arena_size,
                   mbi_arena_align, mbi_registrations, mbi_num_registrations);
}

int mb_model_invoke(void) { return mbi_invoke(&mbi_context); }

int mb_model_num_inputs(void) { return mbi_context.ready ? (int)mbi_context.num_inputs : 0; }
int mb_model_num_outputs(void) { return mbi_context.ready ? (int)mbi_context.num_outputs : 0; }

void *mb_model_input(int i) { return i < 0 ? (void *)0 : mbi_input(&mbi_context, (uint32_t)i); }
void *mb_model_output(int i) { return i < 0 ? (void *)0 : mbi_output(&mbi_context, (uint32_t)i); }

uint32_t mb_model_input_bytes(int i) {
  return i < 0 ? 0 : mbi_input_bytes(&mbi_context, (uint32_t)i);
}
uint32_t mb_model_output_bytes(int i) {
  return i < 0 ? 0 : mbi_output_bytes(&mbi_context, (uint32_t)i);
}
