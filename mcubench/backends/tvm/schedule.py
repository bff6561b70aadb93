"""Generic TIR schedules for microcontrollers (meta_schedule crashes in this wheel and has no MCU
runner, so there is no tuning: a few rules that suit every fused kernel instead).

``default``, per PrimFunc (every kernel is a reduction, e.g. a convolution, with producers and an
epilogue, or a plain elementwise/injective nest):
1. padded rows: a padding producer of a reduction is computed per output row into a small workspace
   (``compute_at``, output-channel loops moved inside), so the multiply-accumulate loop reads it
   without a bounds check;
2. inline: every other producer (layout transposes, casts) and every epilogue stage (bias,
   requantization, clamp, cast) is inlined, so what remains is the reduction and one output block;
3. fused requantize: the output block moves under the reduction's innermost spatial loop
   (``reverse_compute_at``): each accumulator is requantized right after its reduction and the int32
   intermediate shrinks to one element (a register) instead of a tensor in the workspace;
4. hoisted accumulator init: ``decompose_reduction`` sets ``acc = 0`` before the reduction loops
   instead of an ``if (first iteration)`` inside them;
5. the innermost reduction loop is unrolled by 4 (fully when shorter): loop overhead is a large part
   of an int8 multiply-accumulate on a microcontroller.

``simple``: no scheduling: TVM's legalized TIR as is (each stage materialized in the workspace).

Every primitive is tried and skipped when TVM refuses it. Some primitives are known to produce wrong
code silently (``reverse_compute_at`` onto a larger domain drops the rest: guarded below), so every
generated model is validated, never trusted unchecked.
"""
from __future__ import annotations

import tvm
from tvm import s_tir, tirx

from .kernels import KEEP_STAGES

SPATIAL, REDUCE = 0, 2  # IterVar types


def _is_reduction(sch, block) -> bool:
    return any(int(iv.iter_type) == REDUCE for iv in sch.get(block).iter_vars)


def _extents(sch, loops) -> list[int]:
    """Loop extents, as a multiset (a consumer may iterate the same domain in another order)."""
    return sorted(int(sch.get(lp).extent) for lp in loops)


def _try(fn, *args) -> bool:
    try:
        fn(*args)
        return True
    except Exception:  # noqa: BLE001 - TVM raises ScheduleError and friends; the state is unchanged
        return False


def _vars(expr) -> set:
    found = set()

    def visit(e):
        if isinstance(e, tirx.Var):
            found.add(e)
        for name in ("a", "b", "value"):
            sub = getattr(e, name, None)
            if sub is not None and not isinstance(sub, (int, float)) and hasattr(sub, "ty"):
                visit(sub)
        for sub in getattr(e, "args", None) or []:
            visit(sub)

    visit(expr)
    return found


def _elementwise(sch, block) -> bool:
    b = sch.get(block)
    return len(b.writes) == 1 and all(tuple(r.source.shape) == tuple(b.writes[0].source.shape)
                                      for r in b.reads)


def _pad_at_rows(sch, producer, reduction) -> bool:
    """A padding (or other reshaping) producer of a reduction: computed under the reduction's
    first non-unit spatial loop that indexes it (its output rows), after moving the spatial loops
    that do not index it (output channels) inside. Returns whether it was scheduled so."""
    pblock, rblock = sch.get(producer), sch.get(reduction)
    if _is_reduction(sch, producer) or len(pblock.writes) != 1:
        return False
    out = pblock.writes[0].source
    if _elementwise(sch, producer):
        return False  # inlining costs nothing
    reads = [r for r in rblock.reads if r.source.same_as(out)]
    if len(reads) != 1:
        return False
    used = set()
    for rng in reads[0].region:
        used |= _vars(rng.min)
    # legalized blocks bind their spatial loops in order, one loop per iteration variable
    spatial = [iv.var for iv in rblock.iter_vars if int(iv.iter_type) == SPATIAL]
    loops = sch.get_loops(reduction)[:len(spatial)]
    order = [i for i, v in enumerate(spatial) if v in used] + \
            [i for i, v in enumerate(spatial) if v not in used]
    if order != sorted(order) and not _try(sch.reorder, *[loops[i] for i in order]):
        return False
    n_used = sum(v in used for v in spatial)  # after the reorder, the loops that index it lead
    target = next((lp for lp in sch.get_loops(reduction)[:n_used]
                   if int(sch.get(lp).extent) > 1), None)
    return target is not None and _try(sch.compute_at, producer, target, True)


def schedule_default(func: tirx.PrimFunc) -> tirx.PrimFunc:
    sch = s_tir.Schedule(func)
    root = sch.get_sblock("root") if _try(sch.get_sblock, "root") else None
    if root is None:
        return func

    def blocks():
        return sch.get_child_blocks(root)

    def inline_all(keep, elementwise_only):
        changed = True
        while changed:
            changed = False
            for b in blocks():
                if _is_reduction(sch, b) or sch.get(b).name_hint in keep:
                    continue
                if elementwise_only and not _elementwise(sch, b):
                    continue
                if _try(sch.compute_inline, b):
                    changed = True
                    break

    # 1. padded rows; first inline elementwise copies (conv2d's own zero-width pad_temp) so the pad
    # becomes the reduction's direct producer
    inline_all(set(), elementwise_only=True)
    keep = set()
    for r in blocks():
        if _is_reduction(sch, r):
            for p in sch.get_producers(r):
                if _pad_at_rows(sch, p, r):
                    keep.add(sch.get(p).name_hint)
    # 2. inline the other producers and the epilogue stages until nothing changes
    inline_all(keep, elementwise_only=False)
    # 3. move each reduction's consumer under its spatial loops, 4. hoist the init
    for b in blocks():
        if not _is_reduction(sch, b):
            continue
        n_spatial = sum(int(iv.iter_type) == SPATIAL for iv in sch.get(b).iter_vars)
        loops = sch.get_loops(b)
        consumers = sch.get_consumers(b)
        # only onto the same iteration domain: reverse_compute_at of a consumer covering more (a
        # padded output) silently drops the part outside the reduction's loops
        if n_spatial and len(consumers) == 1 and len(loops) > n_spatial \
                and _extents(sch, loops[:n_spatial]) == _extents(sch, sch.get_loops(consumers[0])):
            _try(sch.reverse_compute_at, consumers[0], loops[n_spatial - 1], True)
        loops = sch.get_loops(b)
        if len(loops) > n_spatial:
            _try(sch.decompose_reduction, b, loops[n_spatial])
            _unroll_innermost(sch, b)
    return sch.mod["main"]


UNROLL = 4  # multiply-accumulates per iteration of the innermost reduction loop


def _unroll_innermost(sch, block) -> None:
    """Step 5: unroll the innermost reduction loop by UNROLL, fully when it is not longer."""
    loop = sch.get_loops(block)[-1]
    extent = int(sch.get(loop).extent)
    if extent <= UNROLL:
        _try(sch.unroll, loop)
    elif extent % UNROLL == 0:
        try:
            _, inner = sch.split(loop, [None, UNROLL])
            sch.unroll(inner)
        except Exception:  # noqa: BLE001 - leave the loop as it is
            pass


@tvm.transform.module_pass(opt_level=0, name="McubenchSchedule")
class Schedule:
    def __init__(self, kind: str = "default"):
        self.kind = kind

    def transform_module(self, mod: tvm.IRModule, _ctx) -> tvm.IRModule:
        if self.kind == "simple":
            return mod
        out = tvm.IRModule(mod.functions, attrs=mod.attrs)
        for gv, func in mod.functions.items():
            if not isinstance(func, tirx.PrimFunc):
                continue
            if func.attrs is not None and KEEP_STAGES in func.attrs:
                continue
            out[gv] = schedule_default(func)
        return out
