"""The pieces of the tvm-aot backend (backends/tvm_aot.py); every module here imports TVM.

pipeline.py  import (TFLite -> Relax), the int8 rewrite, layout, legalization, fusion, memory plan
rewrite.py   relax.dpl rules: dequantize -> float op -> quantize chains back to int8 arithmetic
kernels.py   TE kernels Relax has no integer form of (int8 softmax, TFLite-rounding average pool)
fuse.py      padding / casts fused into the kernel that consumes them
schedule.py  generic TIR schedules (inline, fused requantization, hoisted init, unrolling)
emit_c.py    lowered TIR -> plain typed-pointer C functions
emit_model.py  the planned Relax main -> model.c over one static arena, model_weights.c
"""
