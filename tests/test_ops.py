"""Every operator of mcubench/ops/ on both C backends against TFLite Micro's reference kernels.

Random single-op graphs (tests/opgen/, one seed each) are written to .tflite; TFLite Micro's output
is the golden one. int8 and int16 results must be bit-exact; float32 ones within the operator's
stated tolerance in units in the last place (its module's ``ulp``; 0 = exact). The aot side builds
each graph's generated code as a shared library; the interp side sets the same .tflite bytes up in
the interpreter compiled once with every operator, and checks that setup used exactly the arena
the backend computed offline. The default run takes the first DEFAULT seeds of every (operator,
type), `make test-slow` the rest of SEEDS.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

import opgen
from mcubench.ops import SPECS
from native import InterpLib, aot_outputs, tflm_golden

# configurations per (operator, type): all of them in `make test-slow`, the first DEFAULT in the
# default run (every (operator, type) still covered)
SEEDS = {"int8": 50, "int16": 20, "float32": 12}
DEFAULT = {"int8": 10, "int16": 5, "float32": 5}
CASES = sorted(opgen.BUILDERS)


def seeds(dtype: str) -> int:
    return SEEDS.get(dtype, 20)


def default(dtype: str) -> int:
    return DEFAULT.get(dtype, 5)


PARAMS = [pytest.param(k, d, s, id=f"{k}-{d}-{s}",
                       marks=[pytest.mark.slow] if s >= default(d) else [])
          for k, d in CASES for s in range(seeds(d))]


@functools.lru_cache(maxsize=None)
def case(kind: str, dtype: str, seed: int):
    graph = opgen.make(kind, dtype, seed)
    inputs = opgen.inputs(kind, graph, seed)
    return graph, inputs


@functools.lru_cache(maxsize=None)
def golden(kind: str, dtype: str, seed: int) -> list[np.ndarray]:
    return tflm_golden(*case(kind, dtype, seed))


@pytest.fixture(scope="session")
def interp_lib(gcc, tmp_path_factory):
    """The interpreter with one operator (and RESHAPE) per library: an operator's C files are
    compiled on first use, so one operator's build error fails only its own tests."""
    libs: dict = {}

    def get(kind: str) -> InterpLib:
        if kind not in libs:
            work = tmp_path_factory.mktemp(f"interp_{kind.lower()}")
            libs[kind] = InterpLib.build(work, gcc, kinds={kind, "RESHAPE"})
        return libs[kind]
    return get


@pytest.fixture(scope="session")
def aot_batch(gcc, tmp_path_factory):
    """Outputs of the seeds of one (kind, dtype) (the default run's, or the slow run's), built
    together in parallel on first use."""
    done: dict = {}
    work = tmp_path_factory.mktemp("aot_ops")

    def get(kind: str, dtype: str, seed: int):
        part = seed >= default(dtype)  # the default run's seeds, or the slow run's
        if (kind, dtype, part) not in done:
            chosen = range(default(dtype), seeds(dtype)) if part else range(default(dtype))
            cases = [case(kind, dtype, s) for s in chosen]
            outs = aot_outputs([g for g, _ in cases], [x for _, x in cases], work)
            done[(kind, dtype, part)] = dict(zip(chosen, outs))
        return done[(kind, dtype, part)][seed]
    return get


def compare(kind: str, dtype: str, seed: int, got: list[np.ndarray]) -> None:
    graph, _ = case(kind, dtype, seed)
    want = golden(kind, dtype, seed)
    assert len(got) == len(want) == len(graph.outputs)
    want = [np.asarray(w).reshape(graph.tensors[t].shape) for w, t in zip(want, graph.outputs)]
    for o, (g, w, m) in enumerate(zip(got, want, opgen.masks(kind, graph, want))):
        assert g.shape == w.shape and g.dtype == w.dtype, f"output {o}: {g.shape} vs {w.shape}"
        if m is not None:  # elements the operator leaves unwritten
            g, w = g[m], w[m]
        if g.dtype == np.float32:
            ulp = SPECS[kind].ulp
            if ulp == 0:
                assert np.array_equal(g, w), f"{graph.name} output {o}: not exact; options " \
                                             f"{graph.ops[0].options}"
            else:
                np.testing.assert_array_max_ulp(g, w, maxulp=ulp)
        elif not np.array_equal(g, w):
            diff = g.astype(np.int64) - w
            bad = np.argwhere(diff)
            pytest.fail(f"{graph.name} output {o}: {len(bad)}/{diff.size} values differ from "
                        f"TFLite Micro (max |diff| {np.abs(diff).max()}); first at "
                        f"{tuple(bad[0])}: got {g[tuple(bad[0])]}, TFLM {w[tuple(bad[0])]}; "
                        f"options {graph.ops[0].options}")


@pytest.mark.parametrize("kind,dtype,seed", PARAMS)
def test_aot_matches_tflm(aot_batch, tflm, kind, dtype, seed):
    result = aot_batch(kind, dtype, seed)
    if isinstance(result, Exception):
        raise result
    compare(kind, dtype, seed, result)


@pytest.mark.parametrize("kind,dtype,seed", PARAMS)
def test_interp_matches_tflm(interp_lib, tflm, kind, dtype, seed):
    graph, inputs = case(kind, dtype, seed)
    compare(kind, dtype, seed, interp_lib(kind).run_model(graph, inputs))


def test_every_operator_has_random_tests():
    """Each operator mcubench/ops/ declares has a generator here, so none goes untested; and each
    type it declares (its column in `mcubench list operators`) is one the generators draw."""
    assert set(SPECS) <= set(opgen.KINDS), sorted(set(SPECS) - set(opgen.KINDS))
    from opmodels import OPS  # the original eight, int8: tests/test_aot.py, test_interp.py

    drawn = {(k, d) for k, d in opgen.BUILDERS} | {(k, "int8") for k in OPS}
    for kind, spec in SPECS.items():
        for t in spec.types:
            main = t.split("->")[0] if kind != "QUANTIZE" else t.split("->")[1]
            assert (kind, main) in drawn or (kind, t.split("->")[0]) in drawn, (kind, t)


def test_readme_operator_table_is_generated():
    from mcubench.operators import markdown

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert markdown() in readme, "README's operator table is stale: python3 -m mcubench.operators"
