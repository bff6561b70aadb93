"""float32 on the aot and interp backends: the mb_*_f32 reference kernels
(runtime/kernels/<op>_f32.c) against TFLite's float reference kernels and onnxruntime, end to end on
the host. (tests/test_ops.py runs tests/opgen/classic_f32.py's random float graphs on both backends
with these tolerances too.)

Tolerances are in validate.tolerance's float32 unit: ulp of the largest magnitude of the reference
output (see mb_compare_f32 in runtime/harness/main.c), i.e. an absolute error on the output's own
scale, as an LSB is for integers.

- single operators (random shapes from opmodels, weights dequantized to float) as .tflite, validated
  against TFLite Micro's float reference kernels (the .tflite frontend's reference): our kernels
  sum in the same order with the bias last and the build does not contract a*b+c into fused
  multiply-adds (-std=c99 implies -ffp-contract=off), so conv, depthwise conv, fully connected,
  pooling, add and reshape are bit-exact (tolerance 0). Softmax differs by its exp (Cephes' expf
  against libm's): F32_SOFTMAX_TOL.
  The same on the interp backend, whose operators pick the float kernels at setup.
- whole float32 models (the float twins of zoo models, covering all eight operators) through the
  interp backend's build folder as a host library: the arena and every prepared float record equal
  the offline computation, outputs within F32_SOFTMAX_TOL ulp of TFLite Micro (only the final
  softmax is inexact) and bit-identical to the aot backend's.
- issue 5's acceptance: a float32 ONNX CNN (conv + relu, depthwise + clip, 1x1 conv, residual add,
  max pool, flatten, gemm, softmax) through `mcubench run net.onnx -b aot -t host -f validate -c
  validate.tolerance=ONNX_TOL` validates against onnxruntime. onnxruntime's MLAS sums in its own
  blocked order (and with FMA where the CPU has it) and computes softmax with its own exp, so the
  results differ by a few float roundings per layer: measured 7 on this net, 4 on the deep one;
  ONNX_TOL = 32 leaves room for another CPU's MLAS path without hiding a wrong layout, which is off
  by about the output's size (millions of units).
"""
from __future__ import annotations

import ctypes as C
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mcubench import run, zoo
from mcubench.cli import main as cli_main
from mcubench.errors import ConfigError, ModelError
from mcubench.backends.aot import Aot
from mcubench.backends.interp import Interp
from mcubench.ops import add, conv2d, depthwise_conv2d, fully_connected, softmax
from mcubench.ops.common import conv, pool
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Tensor
from mcubench.reference import tflm_outputs

from native import RUNTIME, SHIM, STRICT, InterpLib, aot_build
from opmodels import make_op_graph

F32_SOFTMAX_TOL = 4
ONNX_TOL = 32
KINDS = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D",
         "ADD", "SOFTMAX", "RESHAPE"]


def to_float(g: Graph) -> Graph:
    """The int8 graph's float twin: activations float32, constants dequantized (bias too)."""
    tensors = []
    for t in g.tensors:
        if t.dtype == "int32" and t.quant is None:  # shape operands stay
            tensors.append(t)
            continue
        data = None
        if t.data is not None:
            q, shape = t.quant, [1] * t.data.ndim
            if len(q.scale) > 1:
                shape[q.axis] = -1
            data = ((t.data.astype(np.float64) - q.zero_point.reshape(shape)) *
                    q.scale.astype(np.float64).reshape(shape)).astype(np.float32)
        tensors.append(Tensor(t.name, tuple(t.shape), "float32", None, data))
    return Graph(g.name + "_f32", tensors, g.ops, g.inputs, g.outputs)


def execute(tmp_path: Path, model: Path, tolerance: int, backend: str = "aot", **config) -> dict:
    spec = run.RunSpec(str(model), backend, "host", ("validate",),
                       (("validate.tolerance", str(tolerance)),
                        *((k, str(v)) for k, v in config.items())))
    result = run.execute(spec, tmp_path / f"run-{backend}-{model.stem}")
    assert not result["failing"], result["reason"]
    return result["metrics"]


@pytest.mark.parametrize("backend", ["aot", "interp"])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("kind", KINDS)
def test_single_float_op_matches_tflite_reference(tmp_path, kind, seed, backend):
    g = to_float(make_op_graph(kind, seed))
    path = tmp_path / f"{g.name}.tflite"
    path.write_bytes(write_tflite(g))
    tol = F32_SOFTMAX_TOL if kind == "SOFTMAX" else 0
    m = execute(tmp_path, path, tol, backend, **{"validate.samples": 4})
    assert m["validation"] is True and m["validation_samples"] == 4, m
    assert m["max_abs_diff"] <= tol


def test_float_ops_in_a_mixed_type_operator_are_a_model_error():
    g = to_float(make_op_graph("FULLY_CONNECTED", 0))
    g.tensors[g.inputs[0]] = make_op_graph("FULLY_CONNECTED", 0).tensors[g.inputs[0]]  # int8 in
    with pytest.raises(ModelError, match="all of an operator's tensors float32 or all int8"):
        Aot().check(g)
    with pytest.raises(ModelError, match="all of an operator's tensors float32 or all int8"):
        Interp().check(g)


@pytest.mark.parametrize("kind", KINDS[:-1])
def test_mixed_type_operators_fail_the_interpreters_setup(gcc, tmp_path, kind):
    """A file the backend would refuse (float activations with int8 weights, as TFLite's dynamic
    range quantization writes; or one int8 tensor in a float operator) still never runs on the
    wrong kernel on the device: setup fails with MBI_ERR_TENSOR (4)."""
    lib = InterpLib.build(tmp_path, gcc, kinds={kind})
    q = make_op_graph(kind, 0)
    for k in range(len(q.tensors)):
        if q.tensors[k].dtype != "int8":
            continue
        g = to_float(q)
        g.tensors[k] = q.tensors[k]
        assert lib.setup(write_tflite(g), 1 << 16) == 4, f"{kind}: {g.tensors[k].name} int8"


def test_float_needs_a_word_aligned_arena(tmp_path):
    g = to_float(make_op_graph("ADD", 0))
    with pytest.raises(ConfigError, match="float32 tensors need 4"):
        Aot({"arena_align": 2}).build(g, tmp_path)


# --- whole float32 models on the interpreter ------------------------------------------------------
# the float records of the interpreter, per operator kind (declared in mcubench/ops/)
F32_RECORDS = {
    "CONV_2D": conv.CONV_F32_DATA, "DEPTHWISE_CONV_2D": conv.CONV_F32_DATA,
    "FULLY_CONNECTED": fully_connected.DATA_F32, "AVERAGE_POOL_2D": pool.PARAMS_F32,
    "MAX_POOL_2D": pool.PARAMS_F32, "ADD": add.PARAMS_F32, "SOFTMAX": softmax.DATA_F32,
}


def _prepare_f32(g: Graph, op) -> dict:
    """What the aot backend prepares offline for a float32 operator (its params and sizes)."""
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        return (conv2d if op.kind == "CONV_2D" else depthwise_conv2d).params_f32(g, op)
    if op.kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        return pool.params_f32(g, op)
    if op.kind == "FULLY_CONNECTED":
        return {**conv.f32_clamp(op), **fully_connected.sizes(g, op)}
    if op.kind == "SOFTMAX":
        rows, depth = softmax.rows_depth(g, op)
        return {"beta": float(op.options.get("beta", 1.0)), "rows": rows, "depth": depth}
    return conv.f32_clamp(op)


def _flat(record: dict) -> dict:
    out = {}
    for k, v in record.items():
        out.update(_flat(v) if isinstance(v, dict) else {k: v})
    return out


def interp_library(build: Path, work: Path) -> InterpLib:
    """The interp backend's build folder (only the operators and kernels it copied) as a host
    library, with the test shim's access to the interpreter's state."""
    (work / "shim.c").write_text(SHIM)
    so = work / "libmodel.so"
    proc = subprocess.run(["gcc", *STRICT, "-shared", "-fPIC", f"-I{RUNTIME / 'include'}",
                           f"-I{build}", *map(str, sorted(build.glob("*.c"))),
                           str(work / "shim.c"), "-o", str(so)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return InterpLib(so)


def check_f32_records(lib: InterpLib, g: Graph) -> int:
    """Every float operator's record in the arena holds what the aot backend prepares offline;
    returns how many fields were compared."""
    arena, checked = lib.so.shim_arena(), 0
    for i, op in enumerate(g.ops):
        if op.kind == "RESHAPE":
            continue
        struct = F32_RECORDS[op.kind]
        rec = _flat(struct.read(C.string_at(arena + lib.so.shim_op_data(i), struct.size(8))))
        for key, want in _prepare_f32(g, op).items():
            if key in rec:
                want = np.clip(np.float32(want), -np.finfo(np.float32).max,
                               np.finfo(np.float32).max)  # inf is FLT_MAX in C
                assert np.float32(rec[key]) == want, f"op {i} ({op.kind}) {key}"
                checked += 1
    return checked


@pytest.mark.parametrize("name", ["tinycnn", "resnet", "aww"])
def test_float_zoo_model_on_the_interpreter(gcc, tflm, tmp_path, name):
    graph, samples = zoo.generate(name)
    g = to_float(graph)
    model = write_tflite(g)
    meta = Interp().build(g, tmp_path / "build", model=model)
    assert "softmax_f32" in meta["kernels"] and "conv2d_f32" in meta["kernels"]
    lib = interp_library(tmp_path / "build", tmp_path)
    assert lib.setup(model, meta["arena"]) == 0
    assert lib.so.shim_used() == meta["arena_needed"]
    assert check_f32_records(lib, g) >= 4 * len(g.ops)
    aot = aot_build(g, tmp_path / "aot")
    inputs = [[s[None]] for s in samples[:4]]
    for x, want in zip(inputs, tflm_outputs(model, inputs, 1)):
        got = lib.run(g, x)[0]
        np.testing.assert_array_max_ulp(got, want[0].reshape(got.shape), F32_SOFTMAX_TOL)
        assert np.array_equal(got, aot.run(g, x)[0])


# --- issue 5: a float32 ONNX CNN against onnxruntime ----------------------------------------------
def test_float_onnx_cnn_validates_against_onnxruntime_via_the_cli(tmp_path, capsys):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from test_onnx import cnn, save

    path = save(cnn(), tmp_path / "net.onnx")
    rc = cli_main(["run", str(path), "-b", "aot", "-t", "host", "-f", "validate",
                   "-c", f"validate.tolerance={ONNX_TOL}", "-j", "1"])
    out = capsys.readouterr().out
    assert rc == 0, out
    m = execute(tmp_path, path, ONNX_TOL)
    assert m["validation"] is True and m["validation_samples"] == 10
    assert 0 < m["max_abs_diff"] <= ONNX_TOL  # > 0: onnxruntime does round differently
