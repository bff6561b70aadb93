"""One operator of the kernel library beyond the original eight: what both backends need to know.

Each class here (one module per operator family in mcubench/ops/) declares an operator for the aot
and the interp backends at once:

- ``check(graph, op)``: raise ValueError naming what the kernels cannot run (LOAD-stage error);
- ``emit(gen, i, op)``: the aot backend's static data and kernel call (``gen`` is the aot
  generator: ``act(t, const)`` a typed arena pointer, ``weight(t)`` a constant array, ``struct``,
  ``table``, ``data``, ``calls``, ``kernels``, ``headers``);
- ``interp_records(graph, op)``: the bytes the operator's C prepare function takes from the
  interpreter's arena (the backend computes the arena offline from these);
- ``kernels``: files of runtime/kernels/ the operator needs (all data types: the interpreter picks
  the kernel at setup); ``interp_sources``: its files of runtime/interp/; ``header``: the
  runtime/include header declaring its kernels;
- ``alias``: the output may share the input's bytes (RESHAPE-like: no data moves).
"""
from __future__ import annotations

from typing import ClassVar

from ..ir.graph import Graph, Op

RECORD_ALIGN = 8  # runtime/interp/mbi.h MBI_RECORD_ALIGN


def records(n: int, size: int) -> int:
    """Bytes of one mbi_alloc(ctx, n, size): rounded up to the record alignment."""
    return (n * size + RECORD_ALIGN - 1) // RECORD_ALIGN * RECORD_ALIGN


class OpSpec:
    kind: ClassVar[str] = ""  # TFLite builtin name
    code: ClassVar[int] = -1  # TFLite BuiltinOperator value
    header: ClassVar[str] = ""
    kernels: ClassVar[tuple[str, ...]] = ()
    interp_sources: ClassVar[tuple[str, ...]] = ()
    alias: ClassVar[bool] = False
    # the interpreter's C functions; "" = mbi_<kind>_prepare / mbi_<kind>_eval
    prepare: ClassVar[str] = ""
    evaluate: ClassVar[str] = ""

    @property
    def prepare_fn(self) -> str:
        return self.prepare or f"mbi_{self.kind.lower()}_prepare"

    @property
    def eval_fn(self) -> str:
        return self.evaluate or f"mbi_{self.kind.lower()}_eval"

    def check(self, graph: Graph, op: Op) -> None:
        raise NotImplementedError

    def emit(self, gen, i: int, op: Op) -> None:
        raise NotImplementedError

    def interp_records(self, graph: Graph, op: Op) -> int:
        return 0
