"""float32 on the aot backend: the mb_*_f32 reference kernels (runtime/kernels/<op>_f32.c) against
TFLite's float reference kernels and onnxruntime, end to end on the host.

Tolerances are in validate.tolerance's float32 unit: ulp of the largest magnitude of the reference
output (see mb_compare_f32 in runtime/harness/main.c), i.e. an absolute error on the output's own
scale, as an LSB is for integers.

- single operators (random shapes from opmodels, weights dequantized to float) as .tflite, validated
  against TFLite Micro's float reference kernels (the .tflite frontend's reference): our kernels
  sum in the same order with the bias last and the build does not contract a*b+c into fused
  multiply-adds (-std=c99 implies -ffp-contract=off), so conv, depthwise conv, fully connected,
  pooling, add and reshape are bit-exact (tolerance 0). Softmax differs by its exp (Cephes' expf
  against libm's): F32_SOFTMAX_TOL.
- issue 5's acceptance: a float32 ONNX CNN (conv + relu, depthwise + clip, 1x1 conv, residual add,
  max pool, flatten, gemm, softmax) through `mcubench run net.onnx -b aot -t host -f validate -c
  validate.tolerance=ONNX_TOL` validates against onnxruntime. onnxruntime's MLAS sums in its own
  blocked order (and with FMA where the CPU has it) and computes softmax with its own exp, so the
  results differ by a few float roundings per layer: measured 7 on this net, 4 on the deep one;
  ONNX_TOL = 32 leaves room for another CPU's MLAS path without hiding a wrong layout, which is off
  by about the output's size (millions of units).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mcubench import run
from mcubench.cli import main as cli_main
from mcubench.errors import ConfigError, ModelError
from mcubench.backends.aot import Aot
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Tensor

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


def execute(tmp_path: Path, model: Path, tolerance: int, **config) -> dict:
    spec = run.RunSpec(str(model), "aot", "host", ("validate",),
                       (("validate.tolerance", str(tolerance)),
                        *((k, str(v)) for k, v in config.items())))
    result = run.execute(spec, tmp_path / f"run-{model.stem}")
    assert not result["failing"], result["reason"]
    return result["metrics"]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("kind", KINDS)
def test_single_float_op_matches_tflite_reference(tmp_path, kind, seed):
    g = to_float(make_op_graph(kind, seed))
    path = tmp_path / f"{g.name}.tflite"
    path.write_bytes(write_tflite(g))
    tol = F32_SOFTMAX_TOL if kind == "SOFTMAX" else 0
    m = execute(tmp_path, path, tol, **{"validate.samples": 4})
    assert m["validation"] is True and m["validation_samples"] == 4, m
    assert m["max_abs_diff"] <= tol


def test_float_ops_in_a_mixed_type_operator_are_a_model_error():
    g = to_float(make_op_graph("FULLY_CONNECTED", 0))
    g.tensors[g.inputs[0]] = make_op_graph("FULLY_CONNECTED", 0).tensors[g.inputs[0]]  # int8 in
    with pytest.raises(ModelError, match="all of an operator's tensors float32 or all int8"):
        Aot().check(g)


def test_float_needs_a_word_aligned_arena(tmp_path):
    g = to_float(make_op_graph("ADD", 0))
    with pytest.raises(ConfigError, match="float32 tensors need 4"):
        Aot({"arena_align": 2}).build(g, tmp_path)


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
