"""TFLite Micro's stateful custom operators over sequences of invokes, and the signal library's
numeric table.

Each stateful operator (a framer, a delay line, a stacker, overlap-add, a noise estimate, the
circular buffer) is set up once and invoked STEPS times with new inputs on both C backends, as
TFLite Micro's reference is (no reset between invokes); every output of every step must equal
TFLite Micro's (where an output's valid flag is false, TFLite Micro leaves the data unwritten and
it is not compared)."""
from __future__ import annotations

import functools

import numpy as np
import opgen
import pytest
from native import InterpLib, aot_build

from mcubench.frontends.tflite_writer import write_tflite
from mcubench.reference import tflm_outputs

STEPS = 10
SEEDS = 5
STATEFUL = ("DELAY", "FRAMER", "STACKER", "OVERLAP_ADD", "FILTER_BANK_SPECTRAL_SUBTRACTION")
CASES = [pytest.param(k, d, s, id=f"{k}-{d}-{s}") for k, d in sorted(opgen.BUILDERS)
         if k in STATEFUL for s in range(SEEDS)]


@functools.lru_cache(maxsize=None)
def case(kind: str, dtype: str, seed: int):
    graph = opgen.make(kind, dtype, seed)
    inputs = [opgen.inputs(kind, graph, 1000 * seed + k) for k in range(STEPS)]
    want = tflm_outputs(write_tflite(graph), inputs, len(graph.outputs))
    return graph, inputs, want


def same(kind: str, graph, got: list[list[np.ndarray]], want, backend: str) -> None:
    for step, (g_out, w_out) in enumerate(zip(got, want)):
        w_out = [np.asarray(w).reshape(graph.tensors[t].shape) for w, t in
                 zip(w_out, graph.outputs)]
        for o, (g, w, m) in enumerate(zip(g_out, w_out, opgen.masks(kind, graph, w_out))):
            if m is not None:
                g, w = g[m], w[m]
            assert np.array_equal(g, w), \
                f"{backend} {graph.name} step {step} output {o}: {np.count_nonzero(g != w)} of " \
                f"{g.size} values differ from TFLite Micro; options {graph.ops[0].options}"


@pytest.fixture(scope="module")
def interp(gcc, tmp_path_factory):
    libs = {}

    def get(kind: str) -> InterpLib:
        if kind not in libs:
            libs[kind] = InterpLib.build(tmp_path_factory.mktemp(f"seq_{kind.lower()}"), gcc,
                                         kinds={kind})
        return libs[kind]
    return get


@pytest.mark.parametrize("kind,dtype,seed", CASES)
def test_sequence_matches_tflm(tflm, interp, tmp_path, kind, dtype, seed):
    graph, inputs, want = case(kind, dtype, seed)
    same(kind, graph, aot_build(graph, tmp_path).run_sequence(graph, inputs), want, "aot")
    same(kind, graph, interp(kind).run_sequence(graph, inputs), want, "interp")


def test_log_table_is_the_formula():
    """kernels/signal_math.c's table: round(2^16 (log2(1 + k/128) - k/128)), TFLite Micro's."""
    import re

    from native import RUNTIME

    text = (RUNTIME / "kernels" / "signal_math.c").read_text()
    body = re.search(r"mb_log_lut\[130\] = \{([^}]*)\}", text).group(1)
    table = [int(v) for v in body.replace("\n", " ").split(",") if v.strip()]
    k = np.arange(129)
    want = np.round(65536 * (np.log2(1 + k / 128) - k / 128)).astype(int)
    assert table[:129] == list(want) and table[129] == 0
