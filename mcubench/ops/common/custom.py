"""Custom operators' options and tensors: the LOAD checks TFLite Micro's custom operators (its
signal library, CIRCULAR_BUFFER) share.

Most of them read their flexbuffer options by position (FlexbufferWrapper::ElementAsInt32(i): the
raw bytes of the map's i-th slot), the positions of the keys TFLite Micro's kernel names in
alphabetical order. So a map is accepted only with exactly those keys, each an inline integer or
bool: with another key set the positions would shift, and an indirect or float value would be
read as its raw bytes."""
from __future__ import annotations

from ...ir.graph import Graph, Op, Tensor
from ..base import OpSpec, records
from .check import need


def positional(op: Op, keys: tuple[str, ...]) -> dict[str, int]:
    """The options `keys` (alphabetical, as TFLite Micro indexes them) as ints (bools 0/1);
    the values of TFLite Micro's ElementAsInt32 and ElementAsBool (!= 0) both."""
    got = list(op.options)
    need(got == list(keys), f"custom options {got or 'none'}; TFLite Micro reads exactly "
                            f"{list(keys)} by position")
    out = {}
    for k in keys:
        v = op.options[k]
        need(isinstance(v, int), f"custom option {k}={v!r} is not an inline signed integer or "
                                 "bool; TFLite Micro reads the slot's raw bytes as one")
        need(-2**31 <= int(v) < 2**31, f"custom option {k}={v} does not fit int32")
        out[k] = int(v)
    return out


def io(graph: Graph, op: Op, n_in: int, n_out: int) -> tuple[list[Tensor], list[Tensor]]:
    """The inputs and outputs, all present; outputs are activations."""
    need(len(op.inputs) == n_in and min(op.inputs, default=0) >= 0,
         f"has {len(op.inputs)} inputs, expected {n_in}")
    need(len(op.outputs) == n_out, f"has {len(op.outputs)} outputs, expected {n_out}")
    ins = [graph.tensors[t] for t in op.inputs]
    outs = [graph.tensors[t] for t in op.outputs]
    for t in outs:
        need(not t.is_const, f"output {t.name!r} is a constant")
    return ins, outs


def typed(t: Tensor, role: str, dtype: str, rank: int | None = None) -> Tensor:
    """`t` is of `dtype` (and of `rank`), as TFLite Micro's prepare insists."""
    need(t.dtype == dtype, f"{role} {t.name!r} is {t.dtype}; TFLite Micro needs {dtype}")
    if rank is not None:
        need(len(t.shape) == rank, f"{role} {t.name!r} has rank {len(t.shape)}; TFLite Micro "
                                   f"needs {rank}")
    return t


def operand(gen, t: int) -> str:
    """An input's C expression in the aot code: a constant's array, else its arena address."""
    return gen.weight(t) if gen.g.tensors[t].is_const else gen.act(t, True)


class CustomOp(OpSpec):
    """A TFLite Micro custom operator: builtin code 32, found by its custom_code; its kernels'
    prototypes in mb_signal.h, its interpreter file reads its flexbuffer options (mbi_flex.c,
    mbi_signal.c). Most keep one params struct as their interpreter record (``record_struct``):
    ``params(graph, op)`` computes its fields and checks the operator (LOAD), ``call`` emits the
    aot kernel call with it."""

    code = 32
    options = None
    header = "mb_signal.h"

    @staticmethod
    def params(graph: Graph, op: Op) -> dict:
        raise NotImplementedError

    def check(self, graph: Graph, op: Op) -> None:
        self.params(graph, op)

    def record_values(self, graph: Graph, op: Op) -> dict:
        return self.params(graph, op)

    @property
    def interp_files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(("interp/mbi_flex.c", "interp/mbi_signal.h",
                                    "interp/mbi_signal.c", *super().interp_files)))

    def struct(self, gen, i: int, op: Op) -> str:
        """Its params struct as static data of the aot code (and its kernel files used)."""
        gen.use(*(f"kernels/{k}" for k in self.kernels))
        return gen.struct(f"op{i}_params", self.record_struct(**self.params(gen.g, op)))

    def call(self, gen, i: int, op: Op, fn: str, *args: str) -> None:
        """The aot call fn(&params, args...)."""
        gen.calls.append(f"  {fn}({', '.join((self.struct(gen, i, op), *args))});")


class StatefulOp(CustomOp):
    """A custom operator that keeps state between invokes, in 4-byte words (``state_words``):
    in the aot code static memory reset in mb_model_setup by ``reset`` (default
    mb_<kind>_reset)(params, state), in the interpreter right after its params record, reset by
    its prepare."""

    state_type = "int32_t"
    reset = ""

    def state_words(self, graph: Graph, op: Op) -> int:
        raise NotImplementedError

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, self.record_struct.size() + 4 * self.state_words(graph, op))

    def state(self, gen, i: int, op: Op) -> tuple[str, str]:
        """(params, state) C expressions of the aot code: the state declared and reset."""
        ref = self.struct(gen, i, op)
        state = gen.static(f"op{i}_state", self.state_type, self.state_words(gen.g, op),
                           f"{self.kind} operator {i}")
        gen.resets.append(f"  {self.reset or f'mb_{self.kind.lower()}_reset'}({ref}, {state});")
        return ref, state
