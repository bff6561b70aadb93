"""The quantization arithmetic that exists twice, in Python (offline, for the aot backend) and in C
(the interpreter's setup), stays bit-identical: for every operator that keeps a record, on random
single-op models of every type it takes (tests/opgen/), the record the C setup wrote into the
arena equals what its module computes (``interp_record``), field by field, requantization and
lookup tables included. Record layouts come from the one declaration of each struct
(ops/common/cstruct.py), so nothing here mirrors a C struct by hand."""
from __future__ import annotations

import ctypes as C
import functools

import numpy as np
import opgen
import pytest
from native import InterpLib

from mcubench.backends.interp import Interp, arena_layout
from mcubench.frontends.tflite import parse
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ops import SPECS
from mcubench.ops.base import Table
from mcubench.ops.common.cstruct import CType, Struct

SEEDS = 8
CASES = [pytest.param(k, d, id=f"{k}-{d}") for k, d in sorted(opgen.BUILDERS)]


@pytest.fixture(scope="module")
def lib(gcc, tmp_path_factory) -> InterpLib:
    return InterpLib.build(tmp_path_factory.mktemp("prepare_lib"), gcc, Interp.supported_ops)


def _read_table(addr: int, table: Table) -> list:
    t = table.type
    n = len(table.values)
    if isinstance(t, Struct):
        size = t.size(C.sizeof(C.c_void_p))
        return [t.read(C.string_at(addr + k * size, size)) for k in range(n)]
    assert isinstance(t, CType)
    return list((t.ctypes * n).from_address(addr))


def _same(got, want, where: str) -> int:
    """Assert got == want (the C record's value, the Python one); returns values compared."""
    if isinstance(want, dict):
        return sum(_same(got[k], v, f"{where}.{k}") for k, v in want.items())
    if isinstance(want, tuple) and isinstance(got, dict):  # a (mult, shift) pair
        assert (got["mult"], got["shift"]) == tuple(int(x) for x in want), where
        return 2
    if isinstance(want, (list, np.ndarray)):
        want = list(want)
        assert len(got) >= len(want), where  # fewer given: the entries C leaves unused
        return sum(_same(g, w, f"{where}[{k}]") for k, (g, w) in enumerate(zip(got, want)))
    if isinstance(want, (float, np.floating)):  # +-inf is +-FLT_MAX in C (cstruct.c_float)
        want = np.clip(np.float32(want), -np.finfo(np.float32).max, np.finfo(np.float32).max)
        assert np.float32(got) == want, f"{where}: C {got}, Python {want}"
        return 1
    assert int(got) == int(want), f"{where}: C {got}, Python {want}"
    return 1


def compare_record(arena: int, offset: int, spec_record: tuple, where: str) -> int:
    struct, want = spec_record
    addr = arena + offset
    if struct is None:  # the record is one table
        return _same(_read_table(addr, want), want.values, where)
    rec = struct.read(C.string_at(addr, struct.size(C.sizeof(C.c_void_p))))
    n = 0
    for key, value in want.items():
        if key == "then":  # records right after this one
            n += _same(_read_table(addr + struct.size(), value), value.values, f"{where}+")
        elif isinstance(value, Table):  # a field holding a table's arena offset
            n += _same(_read_table(arena + rec[key], value), value.values, f"{where}.{key}")
        else:
            n += _same(rec[key], value, f"{where}.{key}")
    return n


@functools.lru_cache(maxsize=None)
def _graph(kind: str, dtype: str, seed: int):
    g = opgen.make(kind, dtype, seed)
    model = write_tflite(g)
    return parse(model, g.name), model


@pytest.mark.parametrize("kind,dtype", CASES)
def test_c_setup_equals_python_preparation(lib, kind, dtype):
    spec, compared, records = SPECS[kind], 0, 0
    for seed in range(SEEDS):
        graph, model = _graph(kind, dtype, seed)
        layout = arena_layout(graph)
        assert lib.setup(model, layout["arena"]) == 0, f"{graph.name}: setup failed"
        arena = lib.so.shim_arena()
        for i, op in enumerate(graph.ops):
            expected = spec.interp_record(graph, op)
            if expected is None:
                continue
            records += 1
            compared += compare_record(arena, lib.so.shim_op_data(i), expected,
                                       f"{graph.name} op {i}")
    if records:
        assert compared >= records, f"{kind} {dtype}: nothing compared"
    else:  # operators without a record (RESHAPE-like, float activations)
        assert spec.interp_records(graph, graph.ops[0]) == 0


def test_every_operator_with_a_record_declares_it():
    """An operator whose C prepare takes arena bytes says what they hold (so the test above
    compares it)."""
    missing = []
    for kind, dtype in sorted(opgen.BUILDERS):
        graph, _ = _graph(kind, dtype, 0)
        op = graph.ops[0]
        if SPECS[kind].interp_records(graph, op) and SPECS[kind].interp_record(graph, op) is None:
            missing.append(f"{kind} {dtype}")
    assert not missing, missing
