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
SEEDS, DEFAULT = 5, 2  # configurations per operator: all in `make test-slow`, 2 by default
STATEFUL = ("DELAY", "FRAMER", "STACKER", "OVERLAP_ADD", "FILTER_BANK_SPECTRAL_SUBTRACTION",
            "CIRCULAR_BUFFER")
CASES = [pytest.param(k, d, s, id=f"{k}-{d}-{s}",
                      marks=[pytest.mark.slow] if s >= DEFAULT else [])
         for k, d in sorted(opgen.BUILDERS) if k in STATEFUL for s in range(SEEDS)]


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

    def get(*kinds: str) -> InterpLib:
        if kinds not in libs:
            libs[kinds] = InterpLib.build(tmp_path_factory.mktemp(f"seq_{kinds[0].lower()}"),
                                          gcc, kinds=set(kinds))
        return libs[kinds]
    return get


@pytest.mark.parametrize("kind,dtype,seed", CASES)
def test_sequence_matches_tflm(tflm, interp, tmp_path, kind, dtype, seed):
    graph, inputs, want = case(kind, dtype, seed)
    same(kind, graph, aot_build(graph, tmp_path).run_sequence(graph, inputs), want, "aot")
    same(kind, graph, interp(kind).run_sequence(graph, inputs), want, "interp")


@pytest.mark.parametrize("seed", range(4))
def test_circular_buffer_ends_the_invoke(tflm, interp, tmp_path, seed):
    """The operators after a CIRCULAR_BUFFER run only when its period comes (kTfLiteAbort in
    TFLite Micro): its output is compared at every invoke, the ABS after it where it ran."""
    from mcubench.ir.graph import Op, Tensor

    graph = opgen.make("CIRCULAR_BUFFER", "int8", seed)
    graph.ops[0].options = {"cycles_max": 2 + seed % 2}
    buf = graph.tensors[1]
    graph.tensors.append(Tensor("abs", buf.shape, "int8", buf.quant))
    graph.ops.append(Op("ABS", [1], [2]))
    graph.outputs = [1, 2]
    inputs = [opgen.inputs("CIRCULAR_BUFFER", graph, 1000 * seed + k) for k in range(STEPS)]
    want = tflm_outputs(write_tflite(graph), inputs, 2)
    cycles = graph.ops[0].options["cycles_max"]
    lib = interp("CIRCULAR_BUFFER", "ABS")
    for backend, got in (("aot", aot_build(graph, tmp_path).run_sequence(graph, inputs)),
                         ("interp", lib.run_sequence(graph, inputs))):
        for step, (g, w) in enumerate(zip(got, want)):
            assert np.array_equal(g[0], w[0].reshape(g[0].shape)), f"{backend} step {step}"
            if (step + 1) % cycles == 0:  # the ABS ran this time
                assert np.array_equal(g[1], w[1].reshape(g[1].shape)), f"{backend} step {step}"


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


def test_setup_twiddles_equal_the_hosts(gcc, tmp_path):
    """The twiddles the interpreter computes at setup (runtime/interp/mbi_fft.c, no libm: a fast
    cos and sin, recomputed correctly rounded where the fast value could round otherwise) equal
    the host's (glibc's, which the aot backend and TFLite Micro's reference use), for every phase
    of every length TFLite Micro's kiss_fft runs up to 4096, both directions, int16, int32 and
    float32: also where floor(0.5 + 32767 cos) sits on a rounding boundary (cos(pi/3)). glibc's
    sin and cos are themselves one ulp off the exact value at a few hundred of these phases; no
    rounded twiddle changes there, which this checks."""
    import ctypes as C
    import math

    from mcubench.ops.common.kissfft import _round, factors

    lib = InterpLib.build(tmp_path, gcc, kinds={"RFFT"})
    twiddle = lib.so.mbi_twiddle
    twiddle.argtypes = [C.c_double, C.c_uint8, C.c_void_p, C.c_uint32]
    exact = lib.so.mbi_cos_sin
    exact.argtypes = [C.c_double, C.POINTER(C.c_double), C.POINTER(C.c_double)]
    codes = {"int16": (7, C.c_int16), "int32": (2, C.c_int32), "float32": (0, C.c_float)}
    out = {t: (ct * 2)() for t, (_, ct) in codes.items()}
    c, s = C.c_double(), C.c_double()
    checked, bad, ulp = 0, [], 0
    for n in range(2, 2049):
        if max(factors(n)[0::2]) > 5:
            continue
        phases = [-2 * math.pi * i / n for i in range(n)] + \
            [-math.pi * ((i + 1) / n + 0.5) for i in range(n // 2)]
        for phase in phases + [-p for p in phases]:
            host = (math.cos(phase), math.sin(phase))
            exact(phase, C.byref(c), C.byref(s))
            ulp += (c.value, s.value) != host
            for dtype, (code, _) in codes.items():
                twiddle(phase, code, out[dtype], 0)
                checked += 1
                want = [_round(v, dtype) for v in host]
                if [float(v) if dtype == "float32" else int(v) for v in out[dtype]] != want:
                    bad.append((n, phase, dtype, list(out[dtype]), want))
    assert checked > 500000 and not bad, bad[:5]
    assert ulp < checked / 300  # the exact doubles and glibc's: mostly the same


def test_audio_pipeline_runs_on_both_backends(capsys):
    """The built-in audio_kws (raw audio -> TFLite Micro's signal front end -> DS-CNN) benchmarked
    on aot and interp: every one of its ten hops, invoked in order after one setup, bit-exact
    with TFLite Micro run the same way."""
    import json

    from mcubench import home, zoo
    from mcubench.cli import main

    graph, _ = zoo.generate("audio_kws")
    assert {"FRAMER", "WINDOW", "FFT_AUTO_SCALE", "RFFT", "ENERGY", "FILTER_BANK",
            "FILTER_BANK_SQUARE_ROOT", "FILTER_BANK_SPECTRAL_SUBTRACTION", "PCAN",
            "FILTER_BANK_LOG", "STACKER", "CONV_2D", "SOFTMAX"} <= set(graph.op_histogram())
    code = main(["run", "audio_kws", "-b", "aot", "-b", "interp", "-t", "host", "-f", "validate",
                 "-j", "2"])
    capsys.readouterr()
    sid = (home.sessions_dir() / "latest").resolve().name
    rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    assert code == 0 and sorted(r["Backend"] for r in rows) == ["aot", "interp"]
    for r in rows:
        assert not r["Failing"] and r["Validation"] is True and r["Max Abs Diff"] == 0, r
        assert r["Invoke Instructions"] > 1e6
