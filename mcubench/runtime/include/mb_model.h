/* What every backend's generated code provides to the harness. */
#ifndef MB_MODEL_H
#define MB_MODEL_H

#include <stdint.h>

/* 0 on success; a backend-specific non-zero code otherwise (e.g. arena too small). */
int mb_model_setup(void);
int mb_model_invoke(void);

int mb_model_num_inputs(void);
int mb_model_num_outputs(void);
void *mb_model_input(int i);
void *mb_model_output(int i);
uint32_t mb_model_input_bytes(int i);
uint32_t mb_model_output_bytes(int i);

#endif
