"""One operator, everything both C backends need to know about it.

Each module of mcubench/ops/ declares one operator as an ``OpSpec`` subclass (found by listing the
package; no table elsewhere names it), with its params structs declared next to it
(common/cstruct.py). The backends hold no per-operator code:

LOAD
- ``check(graph, op)``: raise ValueError naming what the kernels cannot run (per input/output
  type); the backend turns it into a LOAD error naming the model and operator.
- ``check_interp(graph, op)``: limits of the interpreter's C prepare beyond those (default none).

aot backend (backends/aot.py: the planner plus a generic emitter)
- ``emit(gen, i, op)``: the reference kernel's static data and call (``gen``: the generator's
  ``act``, ``weight``, ``array``, ``table``, ``struct``, ``dims``, ``use``, ``calls``, ...).
- ``prepare_opt(graph, op, config)``: the optimized kernels' parameters, or None where they do not
  apply (then ``emit`` runs); the dict holds "scratch" (arena bytes its kernel needs during the
  call) and "overlap" (how far the output may overlap its inputs: ir/planner.py).
- ``emit_opt(gen, i, op, prepared)``; ``finish(gen)``: once per model after every operator, for
  sources generated per model (e.g. kernels compiled for one depth).

the model file
- ``code`` (TFLite BuiltinOperator) and ``options`` (its BuiltinOptions table: the TFLite writer
  needs it; the reader is generic), both derived from ``kind`` unless the class sets them
- a custom operator (TFLite Micro's CIRCULAR_BUFFER, DETECTION_POSTPROCESS, the signal library):
  ``code`` 32 (CUSTOM) and ``custom``, the operator code's custom_code; its options are the
  flexbuffer map of custom_options, read into a dict (frontends/tflite.py) and written back from
  it (frontends/tflite_writer.py); the interpreter finds it by that name (mbi_registration.custom)

interp backend (backends/interp.py)
- ``prepare_fn`` / ``eval_fn`` (its C registration, default
  ``mbi_<kind>_prepare`` / ``mbi_<kind>_eval``), ``alias`` (the output may share the input's bytes:
  RESHAPE-like, MBI_REG_ALIAS);
- ``interp_records(graph, op)``: the arena bytes its C prepare takes (sizes from the declared
  record structs, never written out);
- ``interp_record(graph, op)``: what its C prepare writes into its record, computed here with the
  aot backend's arithmetic: (record struct, {field: value}) or (None, Table) for a record that is
  one table; tests/test_prepare.py compares it with the C setup's on random operators, so the
  Python and C preparations stay bit-identical;
- ``interp_files``: its runtime/interp and runtime/kernels files (every type it takes: the eval
  picks the kernel by the tensors' type at run time): ``interp_sources`` (default
  ``mbi_op_<kind>.c``) and ``kernels``;
- optimized registration (``interp.kernels=opt``): ``opt_prepare_fn`` / ``opt_eval_fn`` /
  ``opt_files``, and ``interp_opt_plan(graph, op)`` that mirrors its C prepare's decision: None
  (handed to the reference registration) or {"records": bytes (None: the reference's), "scratch":
  bytes its eval needs, "k": the GEMM depth it runs, or None}.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..ir.graph import Graph, Op
from .common.records import record, records  # noqa: F401 - re-exported for operator modules


@dataclass(frozen=True)
class Table:
    """In an operator's expected interpreter record (``interp_record``): an arena table, of
    elements of `type` (a declared struct or a scalar CType), that a record field points at by
    its offset, or that is the record itself."""

    type: object
    values: list


# the type sets most operators take (OpSpec.types)
INT8_INT16_F32 = ("int8", "int16", "float32")
INT8_F32 = ("int8", "float32")
META = ("kind", "code", "options", "types", "ulp", "note", "custom")  # class keywords: kind="ABS"


class OpSpec:
    """An operator of mcubench/ops/ (see the module docstring). Its identity goes in the class
    statement: ``class Abs(OpSpec, kind="ABS", types=INT8_INT16_F32, note="..."):``."""

    kind: ClassVar[str] = ""  # TFLite builtin name
    # derived from the kind unless a class sets them: TFLite's BuiltinOperator value, and its
    # BuiltinOptions table (<CamelCase>Options where the schema has it, else None)
    code: ClassVar[int] = -1
    options: ClassVar[str | None] = None
    custom: ClassVar[str] = ""  # a custom operator's custom_code (code 32, options None)
    # what it runs: the types of its tensors ("int8", or "float32->int8" where they differ), the
    # float32 results' distance to TFLite Micro's in ulp (0: exact), a remark for the README
    types: ClassVar[tuple[str, ...]] = ()
    ulp: ClassVar[int] = 0
    note: ClassVar[str] = ""
    header: ClassVar[str] = ""  # runtime/include header declaring its kernels
    kernels: ClassVar[tuple[str, ...]] = ()  # runtime/kernels/ files, every type
    interp_sources: ClassVar[tuple[str, ...]] = ()  # runtime/interp/ files
    alias: ClassVar[bool] = False
    # the interpreter's C functions; "" = mbi_<kind>_prepare / mbi_<kind>_eval
    prepare: ClassVar[str] = ""
    evaluate: ClassVar[str] = ""
    # the optimized kernels' interpreter registration (prepare, eval), runtime files
    opt_interp: ClassVar[tuple[str, str] | None] = None
    opt_files: ClassVar[tuple[str, ...]] = ()
    # an operator whose interpreter record is one params struct: it, and record_values() its fields
    record_struct: ClassVar[object] = None

    def __init_subclass__(cls, **meta):
        unknown = set(meta) - set(META)
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown operator keyword(s) {sorted(unknown)}; "
                            f"valid: {', '.join(META)}")
        super().__init_subclass__()
        for key, value in meta.items():
            setattr(cls, key, value)
        if not cls.kind:
            return
        import tflite

        declared = {k for c in cls.__mro__ if c is not OpSpec for k in c.__dict__} | set(meta)
        if "code" not in declared:
            cls.code = getattr(tflite.BuiltinOperator, cls.kind, -1)
        if "options" not in declared:
            camel = "".join(p[0] + p[1:].lower() if p[0].isalpha() else p
                            for p in cls.kind.split("_"))
            cls.options = f"{camel}Options" if hasattr(tflite, f"{camel}OptionsStart") else None
        if "interp_sources" not in declared and "interp_files" not in declared:
            cls.interp_sources = (f"mbi_op_{cls.kind.lower()}.c",)

    @property
    def prepare_fn(self) -> str:
        return self.prepare or f"mbi_{self.kind.lower()}_prepare"

    @property
    def eval_fn(self) -> str:
        return self.evaluate or f"mbi_{self.kind.lower()}_eval"

    @property
    def interp_files(self) -> tuple[str, ...]:
        """runtime-relative files of its reference registration."""
        return tuple(dict.fromkeys(
            [f if "/" in f else f"interp/{f}" for f in self.interp_sources] +
            [f if "/" in f else f"kernels/{f}" for f in self.kernels]))

    # LOAD ------------------------------------------------------------------------------------
    def check(self, graph: Graph, op: Op) -> None:
        raise NotImplementedError

    def check_interp(self, graph: Graph, op: Op) -> None:
        """What the interpreter's C prepare refuses beyond `check` (default: nothing more)."""

    # aot -------------------------------------------------------------------------------------
    def emit(self, gen, i: int, op: Op) -> None:
        raise NotImplementedError

    def prepare_opt(self, graph: Graph, op: Op, config: dict) -> dict | None:
        """The optimized kernel's preparation, or None: the reference kernel runs (default)."""
        return None

    def emit_opt(self, gen, i: int, op: Op, prepared: dict) -> None:
        raise NotImplementedError

    def finish(self, gen) -> None:
        """After every operator of a model was emitted (once per operator kind it uses)."""

    # interp ----------------------------------------------------------------------------------
    def interp_records(self, graph: Graph, op: Op) -> int:
        return record(self.record_struct) if self.record_struct else 0

    def interp_record(self, graph: Graph, op: Op) -> tuple | None:
        """(struct, expected fields) of its record; None: it keeps no record."""
        if self.record_struct is None:
            return None
        return self.record_struct, self.record_values(graph, op)

    def record_values(self, graph: Graph, op: Op) -> dict:
        raise NotImplementedError

    def interp_opt_plan(self, graph: Graph, op: Op) -> dict | None:
        return None
