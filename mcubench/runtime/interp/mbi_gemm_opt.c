/* The interpreter's GEMM for any depth (k at run time): what a depth without a compiled instance
 * (mbi_gemm_kernels) runs on. */
#define MB_FN mbi_gemm_any
#include "mbi_gemm_tpl.h"
