"""The reductions, ARG_MAX/ARG_MIN, CUMSUM, the gathers, the softmaxes and L2_NORMALIZATION beyond
their random tests: what TFLite Micro refuses, mcubench refuses at LOAD on both C backends with the
operator's reason (and TFLite Micro really refuses it: the evidence is checked here); an index out
of range fails invoke on both backends with MB_ERR_INDEX, as TFLite Micro fails it."""
from __future__ import annotations

import ctypes as C

import numpy as np
import pytest
from native import InterpLib, aot_build

from mcubench.backends.aot import Aot
from mcubench.backends.interp import Interp
from mcubench.errors import ModelError
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.reference import tflm_outputs

MB_ERR_INDEX = 8


def _q(scale: float, zp: int = 0) -> Quant:
    return Quant(scale=np.array([scale], np.float32), zero_point=np.array([zp]))


def _axis(*values: int) -> Tensor:
    return Tensor("axis", (len(values),), "int32", None, np.array(values, np.int32))


def _one_op(kind: str, tensors: list[Tensor], options=None, inputs=None) -> Graph:
    n = len(tensors) - 1
    ins = list(range(n))
    graph_inputs = inputs if inputs is not None else [k for k in ins if not tensors[k].is_const]
    return Graph(kind.lower(), tensors, [Op(kind, ins, [n], options or {})], graph_inputs, [n])


def _tflm_refuses(graph: Graph) -> None:
    feed = [np.zeros(graph.tensors[t].shape, graph.tensors[t].dtype) for t in graph.inputs]
    with pytest.raises(RuntimeError):
        tflm_outputs(write_tflite(graph), [feed], 1)


REFUSED = {
    "REDUCE_MAX int8 requantized": (
        _one_op("REDUCE_MAX", [Tensor("x", (2, 3), "int8", _q(0.1, 3)), _axis(1),
                               Tensor("y", (2,), "int8", _q(0.2, 3))]),
        "needs the input's quantization on the output"),
    "REDUCE_MIN int16": (
        _one_op("REDUCE_MIN", [Tensor("x", (2, 3), "int16", _q(0.1)), _axis(1),
                               Tensor("y", (2,), "int16", _q(0.1))]),
        "int16 -> int16; supported: int8, float32"),
    "REDUCE_ALL int8": (
        _one_op("REDUCE_ALL", [Tensor("x", (2, 3), "int8", _q(0.1)), _axis(1),
                               Tensor("y", (2,), "int8", _q(0.1))]),
        "int8 -> int8; supported: bool"),
    "ARG_MAX int16": (
        _one_op("ARG_MAX", [Tensor("x", (2, 3), "int16", _q(0.1)), _axis(1),
                            Tensor("y", (2,), "int32")], {"output_type": 2}),
        "int16 -> int32; TFLite Micro takes"),
    "ARG_MIN into int64": (
        _one_op("ARG_MIN", [Tensor("x", (2, 3), "float32"), _axis(1),
                            Tensor("y", (2,), "int64")], {"output_type": 4}),
        "float32 -> int64"),
    "CUMSUM int16": (
        _one_op("CUMSUM", [Tensor("x", (2, 3), "int16", _q(0.1)), _axis(1),
                           Tensor("y", (2, 3), "int16", _q(0.1))]),
        "TFLite Micro takes int8 or float32"),
    "GATHER int16": (
        _one_op("GATHER", [Tensor("x", (4, 3), "int16", _q(0.1)),
                           Tensor("i", (2,), "int32"), Tensor("y", (2, 3), "int16", _q(0.1))]),
        "TFLite Micro takes int8 or float32"),
    "GATHER_ND depth above rank": (
        _one_op("GATHER_ND", [Tensor("x", (4, 3), "float32"), Tensor("i", (2, 3), "int32"),
                              Tensor("y", (2,), "float32")]),
        "at most the data's rank"),
    "EMBEDDING_LOOKUP int8 -> float32 with a zero point": (
        _one_op("EMBEDDING_LOOKUP", [Tensor("i", (2,), "int32"),
                                     Tensor("v", (4, 3), "int8", _q(0.1, 5)),
                                     Tensor("y", (2, 3), "float32")]),
        "zero point 0"),
    "SOFTMAX int8 output scale not exactly 1/256": (
        _one_op("SOFTMAX", [Tensor("x", (2, 3), "int8", _q(0.1)),
                            Tensor("y", (2, 3), "int8", _q(1 / 256 * (1 + 2**-20), -128))],
                {"beta": 1.0}),
        r"scale 1/256 \(exactly\)"),
    "SOFTMAX int8 -> int16 with zero point 0": (
        _one_op("SOFTMAX", [Tensor("x", (2, 3), "int8", _q(0.1)),
                            Tensor("y", (2, 3), "int16", _q(1 / 65536, 0))], {"beta": 1.0}),
        "zero point -32768"),
    "LOG_SOFTMAX int8 output not 16/256, 127": (
        _one_op("LOG_SOFTMAX", [Tensor("x", (2, 3), "int8", _q(0.1)),
                                Tensor("y", (2, 3), "int8", _q(16 / 256, 0))]),
        r"scale 16/256 \(exactly\) and zero point 127"),
    "LOG_SOFTMAX int16": (
        _one_op("LOG_SOFTMAX", [Tensor("x", (2, 3), "int16", _q(0.1)),
                                Tensor("y", (2, 3), "int16", _q(0.1))]),
        "TFLite Micro takes int8 or float32"),
    "L2_NORMALIZATION with a fused RELU": (
        _one_op("L2_NORMALIZATION", [Tensor("x", (2, 3), "float32"),
                                     Tensor("y", (2, 3), "float32")],
                {"fused_activation_function": "RELU"}),
        "TFLite Micro takes none"),
    "L2_NORMALIZATION rank 5": (
        _one_op("L2_NORMALIZATION", [Tensor("x", (1, 1, 1, 2, 3), "int8", _q(0.1)),
                                     Tensor("y", (1, 1, 1, 2, 3), "int8", _q(1 / 128))]),
        "rank 1..4"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_tflite_micro_refuses_is_refused_at_load(tflm, case):
    graph, reason = REFUSED[case]
    _tflm_refuses(graph)
    for backend in (Aot, Interp):
        with pytest.raises(ModelError, match=reason):
            backend().check(graph)


def _gather_nd() -> Graph:
    return _one_op("GATHER_ND", [Tensor("x", (4, 3), "float32"), Tensor("i", (2, 2), "int32"),
                                 Tensor("y", (2,), "float32")])


def _lookup() -> Graph:
    return _one_op("EMBEDDING_LOOKUP", [Tensor("i", (2,), "int32"),
                                        Tensor("v", (4, 3), "int8", _q(0.5)),
                                        Tensor("y", (2, 3), "int8", _q(0.5))])


def _gather() -> Graph:
    return _one_op("GATHER", [Tensor("x", (4, 3), "int8", _q(0.5)), Tensor("i", (2,), "int32"),
                              Tensor("y", (2, 3), "int8", _q(0.5))], {"axis": 0})


BAD_INDEX = {  # a graph and inputs with one index outside its data; does TFLite Micro check it?
    "GATHER_ND": (_gather_nd, [np.ones((4, 3), np.float32), np.array([[1, 2], [3, 3]], np.int32)],
                  True),
    "EMBEDDING_LOOKUP": (_lookup, [np.array([0, 4], np.int32), np.ones((4, 3), np.int8)], True),
    # TFLite Micro only asserts this in debug builds: its release build reads outside the input
    "GATHER": (_gather, [np.ones((4, 3), np.int8), np.array([1, -1], np.int32)], False),
}


@pytest.mark.parametrize("kind", sorted(BAD_INDEX))
def test_an_index_out_of_range_fails_invoke(gcc, tflm, tmp_path, kind):
    make, inputs, tflm_checks = BAD_INDEX[kind]
    graph = make()
    if tflm_checks:
        with pytest.raises(RuntimeError):
            tflm_outputs(write_tflite(graph), [inputs], 1)
    (tmp_path / "interp").mkdir()
    lib = InterpLib.build(tmp_path / "interp", gcc, kinds={kind})
    with pytest.raises(RuntimeError, match=f"invoke returned {MB_ERR_INDEX}"):
        lib.run_model(graph, inputs)
    model = aot_build(graph, tmp_path / "aot", gcc)
    for k, x in enumerate(inputs):
        data = np.ascontiguousarray(x).tobytes()
        C.memmove(model.mb_model_input(k), data, len(data))
    assert model.mb_model_setup() == 0
    assert model.mb_model_invoke() == MB_ERR_INDEX
    good = [x.copy() for x in inputs]
    good[1 if kind != "EMBEDDING_LOOKUP" else 0][...] = 0
    assert model.run(graph, good)  # the same firmware runs valid indices


def test_a_fallible_call_compiles_with_per_operator_profiling(gcc, tmp_path):
    """With profile on, each operator is a function; one that can fail returns its code."""
    import subprocess

    from native import RUNTIME, STRICT

    build = tmp_path / "profiled"
    Aot({"profile": True}).build(_gather_nd(), build)
    text = (build / "model.c").read_text()
    assert "MB_NOINLINE int mb_op_0(void)" in text and "if (stop0) return stop0 - 1;" in text
    proc = subprocess.run([gcc, *STRICT, "-c", f"-I{RUNTIME / 'include'}", f"-I{build}",
                           str(build / "model.c"), "-o", str(tmp_path / "model.o")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
