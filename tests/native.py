"""Both C backends as host shared libraries, called through ctypes: what the per-operator tests
and the interpreter tests run.

- ``InterpLib``: the interpreter core with every operator it supports, compiled once; each graph is
  written to .tflite and set up from those bytes, as on a device.
- ``aot_outputs``: the aot backend's generated code for a batch of graphs, one shared library per
  graph (the generated code has fixed global names) with the kernels its build folder holds,
  compiled in parallel on all cores.
- ``tflm_golden``: TFLite Micro's reference kernels on the same .tflite bytes.
"""
from __future__ import annotations

import ctypes as C
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import mcubench
from mcubench.backends.aot import Aot
from mcubench.backends.interp import Interp, arena_layout, ops_table_c, runtime_files
from mcubench.backends.interp_opt import OPT_OPS, gemm_instances
from mcubench.frontends.tflite import parse
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph
from mcubench.ops.common.cstruct import write_headers
from mcubench.reference import tflm_outputs

RUNTIME = Path(mcubench.__file__).parent / "runtime"
STRICT = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding"]
NP = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32,
      "int64": np.int64, "float32": np.float32, "bool": np.bool_, "uint32": np.uint32,
      "uint64": np.uint64}

SHIM = r"""
#include "mbi.h"
static mbi_ctx ctx;
int shim_setup(const uint8_t *model, uint32_t size, uint8_t *arena, uint32_t arena_size,
               uint32_t align, uint32_t num_regs) {
  if (num_regs > mbi_num_registrations) num_regs = mbi_num_registrations;
  return mbi_setup(&ctx, model, size, arena, arena_size, align, mbi_registrations, num_regs);
}
int shim_invoke(void) { return mbi_invoke(&ctx); }
void *shim_input(uint32_t i) { return mbi_input(&ctx, i); }
void *shim_output(uint32_t i) { return mbi_output(&ctx, i); }
uint32_t shim_output_bytes(uint32_t i) { return mbi_output_bytes(&ctx, i); }
uint32_t shim_used(void) { return ctx.used; }
uint8_t *shim_arena(void) { return ctx.arena; }
uint32_t shim_op_data(uint32_t i) { return i < ctx.num_ops ? ctx.ops[i].data : 0; }
int64_t shim_offset(uint32_t t) {
  if (t >= ctx.num_tensors || !(ctx.tensors[t].flags & MBI_T_PLANNED)) return -1;
  return (int64_t)ctx.tensors[t].data;
}
"""


def aligned(data: bytes | int, align: int = 64):
    """A ctypes buffer whose address is a multiple of `align` (and the address)."""
    size = data if isinstance(data, int) else len(data)
    raw = C.create_string_buffer(size + align)
    addr = (C.addressof(raw) + align - 1) // align * align
    if not isinstance(data, int):
        C.memmove(addr, data, size)
    return raw, addr


def _set_inputs(so, graph: Graph, inputs, input_fn) -> None:
    for i, x in enumerate(inputs):
        data = np.ascontiguousarray(x, dtype=NP[graph.tensors[graph.inputs[i]].dtype]).tobytes()
        C.memmove(input_fn(i), data, len(data))


def _get_outputs(graph: Graph, output_fn, bytes_fn) -> list[np.ndarray]:
    outs = []
    for o, t in enumerate(graph.outputs):
        tensor = graph.tensors[t]
        raw = C.string_at(output_fn(o), bytes_fn(o))
        outs.append(np.frombuffer(raw, NP[tensor.dtype]).reshape(tensor.shape).copy())
    return outs


class InterpLib:
    """The interpreter as a host shared library: setup from model bytes, invoke, read outputs."""

    def __init__(self, path: Path):
        self.so = so = C.CDLL(str(path))
        so.shim_setup.argtypes = [C.c_void_p, C.c_uint32, C.c_void_p, C.c_uint32, C.c_uint32,
                                  C.c_uint32]
        so.shim_input.restype = so.shim_output.restype = C.c_void_p
        so.shim_input.argtypes = so.shim_output.argtypes = [C.c_uint32]
        so.shim_output_bytes.restype = so.shim_used.restype = C.c_uint32
        so.shim_output_bytes.argtypes = [C.c_uint32]
        so.shim_arena.restype = C.c_void_p
        so.shim_op_data.restype = C.c_uint32
        so.shim_op_data.argtypes = [C.c_uint32]
        so.shim_offset.restype = C.c_int64
        so.shim_offset.argtypes = [C.c_uint32]
        so.mbi_quantize_multiplier.argtypes = [C.c_double, C.POINTER(C.c_int32),
                                               C.POINTER(C.c_int32)]
        so.mbi_frexp.restype = C.c_double
        so.mbi_frexp.argtypes = [C.c_double, C.POINTER(C.c_int)]
        so.mbi_activation_range.argtypes = [C.c_uint32, C.c_float, C.c_int32,
                                            C.POINTER(C.c_int32), C.POINTER(C.c_int32)]
        self._keep: list = []
        self.kernels = "ref"

    @classmethod
    def build(cls, work: Path, cc: str = "gcc", kinds=None, kernels: str = "ref",
              depths=()) -> "InterpLib":
        """These operators (default: every one the interp backend supports), warnings as
        errors. kernels "opt": the optimized operators registered first, every reference one
        after them; `depths`: GEMM instances compiled for these depths (interp.specialize)."""
        kinds = Interp.supported_ops if kinds is None else kinds
        opt = set(OPT_OPS) & set(kinds) if kernels == "opt" else set()
        (work / "interp_ops.c").write_text(ops_table_c(kinds, opt))
        (work / "shim.c").write_text(SHIM)
        write_headers(work)
        generated = []
        for name, text in (gemm_instances(depths) if opt else {}).items():
            (work / name).write_text(text)
            generated.append(work / name)
        sources = [RUNTIME / f for f in runtime_files(kinds, opt)
                   if f.endswith(".c") and not f.endswith("mbi_model.c")]
        so = work / "libmbi.so"
        proc = subprocess.run([cc, *STRICT, "-shared", "-fPIC", f"-I{work}",
                               f"-I{RUNTIME / 'include'}", f"-I{RUNTIME / 'interp'}", f"-I{RUNTIME / 'kernels' / 'opt'}",
                               *map(str, sources + generated),
                               str(work / "interp_ops.c"), str(work / "shim.c"), "-o", str(so)],
                              capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"interpreter build failed:\n{proc.stderr}")
        lib = cls(so)
        lib.kernels = kernels
        return lib

    def setup(self, model: bytes, arena_size: int, align: int = 16, num_regs: int = 999) -> int:
        self._keep = [aligned(model), aligned(max(arena_size, 1))]
        (_, m), (_, a) = self._keep
        return self.so.shim_setup(m, len(model), a, arena_size, align, num_regs)

    def run(self, graph: Graph, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Invoke after a successful setup of `graph`'s model."""
        _set_inputs(self.so, graph, inputs, self.so.shim_input)
        rc = self.so.shim_invoke()
        if rc:
            raise RuntimeError(f"{graph.name}: interpreter invoke returned {rc}")
        return _get_outputs(graph, self.so.shim_output, self.so.shim_output_bytes)

    def run_model(self, graph: Graph, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Write, set up (arena as computed offline, which must equal what setup used), run."""
        model = write_tflite(graph)
        layout = arena_layout(parse(model, graph.name), kernels=self.kernels)
        rc = self.setup(model, layout["arena"])
        if rc:
            raise RuntimeError(f"{graph.name}: interpreter setup returned {rc}")
        used = self.so.shim_used()
        if used != layout["used"]:
            raise RuntimeError(f"{graph.name}: setup used {used} arena bytes, the backend "
                               f"computed {layout['used']}")
        return self.run(graph, inputs)

    def run_sequence(self, graph: Graph, steps: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
        """One setup, then an invoke per step (state kept between them): outputs per step."""
        self.run_model(graph, steps[0])
        first = _get_outputs(graph, self.so.shim_output, self.so.shim_output_bytes)
        return [first] + [self.run(graph, x) for x in steps[1:]]


class _Model(C.CDLL):
    """One aot-generated model as a shared library (the mb_model.h API)."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.mb_model_input.restype = self.mb_model_output.restype = C.c_void_p
        self.mb_model_input.argtypes = self.mb_model_output.argtypes = [C.c_int]
        self.mb_model_output_bytes.restype = C.c_uint32
        self.mb_model_output_bytes.argtypes = [C.c_int]

    def run(self, graph: Graph, inputs) -> list[np.ndarray]:
        _set_inputs(self, graph, inputs, self.mb_model_input)
        if self.mb_model_setup() or self.mb_model_invoke():
            raise RuntimeError(f"{graph.name}: aot setup/invoke failed")
        return _get_outputs(graph, self.mb_model_output, self.mb_model_output_bytes)

    def run_sequence(self, graph: Graph, steps: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
        """One setup, then an invoke per step (state kept between them): outputs per step."""
        if self.mb_model_setup():
            raise RuntimeError(f"{graph.name}: aot setup failed")
        outs = []
        for inputs in steps:
            _set_inputs(self, graph, inputs, self.mb_model_input)
            if self.mb_model_invoke():
                raise RuntimeError(f"{graph.name}: aot invoke failed")
            outs.append(_get_outputs(graph, self.mb_model_output, self.mb_model_output_bytes))
        return outs


def aot_build(graph: Graph, work: Path, cc: str = "gcc", **config) -> _Model:
    """Generate, compile (warnings as errors) and load one graph's aot code."""
    build = work / graph.name
    Aot(config).build(graph, build)
    so = build / "model.so"
    proc = subprocess.run([cc, *STRICT, "-O1", "-shared", "-fPIC", f"-I{RUNTIME / 'include'}",
                           f"-I{build}", *map(str, sorted(build.glob("*.c"))), "-o", str(so)],
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{graph.name}: aot code does not compile:\n{proc.stderr[-3000:]}")
    return _Model(so)


def aot_outputs(graphs: list[Graph], inputs: list[list[np.ndarray]], work: Path,
                **config) -> list[list[np.ndarray] | Exception]:
    """Every graph through the aot backend, built in parallel; an exception in place of the
    outputs of a graph that failed (so one bad configuration does not hide the others)."""
    def one(k: int):
        try:
            return aot_build(graphs[k], work, **config).run(graphs[k], inputs[k])
        except Exception as exc:  # reported by the test of that graph
            return exc

    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        return list(pool.map(one, range(len(graphs))))


def tflm_golden(graph: Graph, inputs: list[np.ndarray]) -> list[np.ndarray]:
    return tflm_outputs(write_tflite(graph), [inputs], len(graph.outputs))[0]
