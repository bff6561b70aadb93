"""Static arena planning: every activation tensor gets a fixed offset in one arena, at build time.

A buffer is live from the operator that writes it to the last operator that reads it (both
inclusive, so an operator's inputs and outputs never share bytes: no kernel works in place). Graph
inputs are live from the start (the caller fills them before invoke), graph outputs until the end
(the caller reads them after). Constant tensors are not planned: they stay in flash.

Placement is TFLite Micro's greedy scheme: buffers sorted by size, largest first, each put at the
lowest aligned offset where it overlaps no already placed buffer whose lifetime intersects its own.
The same greedy pass also runs with two other orders (size x lifetime, then first use) and the
smallest arena wins: on MobileNet (vww) largest-first leaves 9 kB unused that size x lifetime does
not; on the four MLPerf Tiny models the result equals the lower bound, the most bytes live at any
one operator.

RESHAPE moves no data, so its output is planned as the same buffer as its input (one buffer, the
union of both lifetimes; chains of reshapes collapse into one). That is always valid here: kernels
never write their inputs, so two names for the same bytes can never disagree, and the union of two
intervals that meet at the reshape is again an interval. It also never costs memory: without the
alias both buffers would be live together at the reshape. Graph inputs/outputs may take part too;
the harness only writes inputs before invoke and reads outputs after it. Aliasing needs equal byte
sizes (always true for a valid RESHAPE); otherwise the backend must copy.

Kernel scratch memory (im2col columns, padded rows of the optimized kernels) is planned like a
tensor that lives during its one operator only, so it reuses bytes that are free at that point.

Operator-order-aware overlap: a kernel that has finished reading the start of an input before it
writes the start of its output may have the output placed over that input, when the input dies at
that operator. The backend states it per operator as (output, input, lag): the output may start at
most `lag` bytes after the input's start (a negative lag: at least -lag bytes before it), derived
from the kernel's access order (ir/fold.py); an element-wise kernel has lag 0 (fully in place). The
greedy pass then forbids only the offsets that break the lag for that pair.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .graph import Graph


def _alias_kinds() -> frozenset[str]:
    """RESHAPE and the mcubench/ops/ operators that move no data (SQUEEZE, EXPAND_DIMS)."""
    from ..ops import SPECS

    return frozenset({"RESHAPE"} | {k for k, spec in SPECS.items() if spec.alias})


@dataclass
class Buffer:
    """One block to place: live during operators first..last (inclusive), `size` bytes."""

    key: int
    size: int
    first: int
    last: int

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass
class Plan:
    offsets: dict[int, int]  # tensor index -> byte offset in the arena (aliases share their root's)
    size: int  # arena bytes (a multiple of the alignment)
    aliases: dict[int, int] = field(default_factory=dict)  # reshape output -> tensor it shares with
    buffers: list[Buffer] = field(default_factory=list)  # the placed blocks, keyed by root tensor
    lower_bound: int = 0  # the most bytes live at one operator: what a perfect plan would need
    scratch: dict[int, int] = field(default_factory=dict)  # operator index -> its scratch's offset
    overlaps: dict[tuple[int, int], int] = field(default_factory=dict)  # (out, in) key -> lag used
    scratch_base: int = 0  # buffer key of operator i's scratch: scratch_base + i


def _align_up(x: int, align: int) -> int:
    return (x + align - 1) // align * align


# Orders the greedy pass tries; the first is TFLite Micro's. Ties keep the earlier order.
ORDERS = {
    "size": lambda b: (-b.size, b.first, b.key),
    "size_x_lifetime": lambda b: (-b.size * (b.last - b.first + 1), -b.size, b.first, b.key),
    "first_use": lambda b: (b.first, -b.size, b.key),
    # later buffers first: an operator's output is placed before its input, which can then go
    # right after the output's start (the overlap a kernel allows, see plan_graph)
    "size_late_first": lambda b: (-b.size, -b.first, b.key),
    "last_use": lambda b: (-b.last, -b.size, b.key),
}


def _forbidden(buf: Buffer, off: int, other: Buffer, overlaps: dict[tuple[int, int], int]
               ) -> tuple[int, int]:
    """The open interval of start offsets `buf` may not take, given `other` placed at `off`."""
    lag = overlaps.get((buf.key, other.key))
    if lag is not None:  # buf is the output: at most `lag` past the input's start, or after it
        return off + lag, off + other.size
    lag = overlaps.get((other.key, buf.key))
    if lag is not None:  # buf is the input of the placed output: at least `lag` before it, or
        return off - buf.size, off - lag  # entirely before it
    return off - buf.size, off + other.size


def greedy(buffers: list[Buffer], align: int, order=ORDERS["size"],
           overlaps: dict[tuple[int, int], int] | None = None) -> tuple[dict[int, int], int]:
    """One greedy pass in `order`: each buffer at the lowest aligned offset that is free for the
    whole of its lifetime. Returns ({key: offset}, arena size rounded up to `align`)."""
    if overlaps:
        return _greedy_overlapping(buffers, align, order, overlaps)
    placed: list[tuple[int, Buffer]] = []
    offsets: dict[int, int] = {}
    for buf in sorted(buffers, key=order):
        busy = sorted((off, off + other.size) for off, other in placed
                      if other.size and buf.overlaps_in_time(other))
        offset = 0
        for start, end in busy:  # the first gap before `start` that fits, else continue after `end`
            if offset + buf.size <= start:
                break
            offset = max(offset, _align_up(end, align))
        offsets[buf.key] = offset
        placed.append((offset, buf))
    size = max((off + b.size for off, b in placed), default=0)
    return offsets, _align_up(size, align)


def _greedy_overlapping(buffers: list[Buffer], align: int, order,
                        overlaps: dict[tuple[int, int], int]) -> tuple[dict[int, int], int]:
    """greedy() with allowed overlaps: the lowest aligned offset outside all forbidden intervals."""
    placed: list[tuple[int, Buffer]] = []
    offsets: dict[int, int] = {}
    for buf in sorted(buffers, key=order):
        bad = [_forbidden(buf, off, other, overlaps) for off, other in placed
               if other.size and buf.size and buf.overlaps_in_time(other)]
        candidates = sorted({0} | {_align_up(max(hi, 0), align) for _, hi in bad})
        offset = next(c for c in candidates if not any(lo < c < hi for lo, hi in bad))
        offsets[buf.key] = offset
        placed.append((offset, buf))
    size = max((off + b.size for off, b in placed), default=0)
    return offsets, _align_up(size, align)


STRATEGIES = ("greedy", "best")  # greedy: TFLite Micro's one pass by size; best: every order


def place(buffers: list[Buffer], align: int = 16, strategy: str = "best",
          overlaps: dict[tuple[int, int], int] | None = None) -> tuple[dict[int, int], int]:
    """The smallest of the greedy passes over ORDERS (strategy "best"), or only the first, TFLite
    Micro's (strategy "greedy"): ({key: offset}, arena size). Deterministic."""
    if align < 1 or align & (align - 1):
        raise ValueError(f"alignment must be a power of two, got {align}")
    if strategy not in STRATEGIES:
        raise ValueError(f"planner strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")
    orders = list(ORDERS.values())
    best = None
    for order in orders if strategy == "best" else orders[:1]:
        offsets, size = greedy(buffers, align, order, overlaps)
        if best is None or size < best[1]:
            best = (offsets, size)
    return best


def lower_bound(buffers: list[Buffer]) -> int:
    """The most bytes live at any one step: no placement can use less (alignment aside)."""
    steps = {b.first for b in buffers}  # the live set only grows at a buffer's first step
    return max((sum(b.size for b in buffers if b.first <= s <= b.last) for s in steps), default=0)


def plan_graph(graph: Graph, align: int = 16, alias_reshapes: bool = True,
               scratch: dict[int, int] | None = None, strategy: str = "best",
               overlaps: dict[int, list[tuple[int, int]]] | None = None) -> Plan:
    """Plan every non-constant tensor the operators (or the graph's inputs/outputs) touch, and the
    scratch bytes `scratch` asks for per operator index (buffer keys len(tensors) + index).
    `overlaps`: operator index -> [(input tensor, lag)] its output may overlap (module doc); a pair
    is used only where the input's buffer dies at that operator and the output's is born there."""
    n = len(graph.ops)
    last_step = max(n - 1, 0)
    root: dict[int, int] = {}  # alias -> root tensor

    def find(t: int) -> int:
        while t in root:
            t = root[t]
        return t

    def planned(t: int) -> bool:
        return t >= 0 and not graph.tensors[t].is_const

    if alias_reshapes:
        alias_kinds = _alias_kinds()
        for op in graph.ops:
            if op.kind not in alias_kinds or not op.inputs or len(op.outputs) != 1:
                continue
            src, dst = op.inputs[0], op.outputs[0]
            if planned(src) and planned(dst) and src != dst and \
                    graph.tensors[src].nbytes == graph.tensors[dst].nbytes:
                root[dst] = find(src)

    first: dict[int, int] = {}
    last: dict[int, int] = {}

    def touch(t: int, step: int) -> None:
        r = find(t)
        first[r] = min(first.get(r, step), step)
        last[r] = max(last.get(r, step), step)

    for t in graph.inputs:
        if planned(t):
            touch(t, 0)
    for step, op in enumerate(graph.ops):
        for t in list(op.inputs) + list(op.outputs):
            if planned(t):
                touch(t, step)
    for t in graph.outputs:
        if planned(t):
            touch(t, last_step)

    buffers = [Buffer(r, graph.tensors[r].nbytes, first[r], last[r]) for r in sorted(first)]
    base = len(graph.tensors)
    buffers += [Buffer(base + i, n, i, i) for i, n in sorted((scratch or {}).items()) if n > 0]
    pairs: dict[tuple[int, int], int] = {}
    for i, allowed in sorted((overlaps or {}).items()):
        out = find(graph.ops[i].outputs[0])
        for t, lag in allowed:
            inp = find(t)
            if inp != out and last.get(inp) == i and first.get(out) == i and \
                    t not in graph.outputs and t not in graph.inputs:
                pairs[(out, inp)] = lag
    offsets, size = place(buffers, align, strategy, pairs)
    members = {t for t in first} | set(root)
    all_offsets = {t: offsets[find(t)] for t in sorted(members) if find(t) in offsets}
    aliases = {t: root[t] for t in root if find(t) in offsets}
    return Plan(offsets=all_offsets, size=size, aliases=aliases, buffers=buffers,
                lower_bound=lower_bound(buffers),
                scratch={b.key - base: offsets[b.key] for b in buffers if b.key >= base},
                overlaps=pairs, scratch_base=base)


def check_plan(plan: Plan) -> None:
    """AssertionError if two buffers live at the same time share a byte (used by the tests)."""
    items = [(plan.offsets[b.key] if b.key in plan.offsets else
              plan.scratch[b.key - plan.scratch_base], b) for b in plan.buffers]
    for i, (oa, a) in enumerate(items):
        assert oa + a.size <= plan.size, f"buffer {a.key} ends past the arena"
        for ob, b in items[i + 1:]:
            lag = plan.overlaps.get((a.key, b.key))
            if lag is not None:  # a is b's output: a may start up to `lag` past b's start
                assert oa <= ob + lag or oa >= ob + b.size, f"{a.key} breaks its lag over {b.key}"
                continue
            lag = plan.overlaps.get((b.key, a.key))
            if lag is not None:
                assert ob <= oa + lag or ob >= oa + a.size, f"{b.key} breaks its lag over {a.key}"
                continue
            if a.size and b.size and a.overlaps_in_time(b):
                assert oa + a.size <= ob or ob + b.size <= oa, \
                    f"buffers {a.key}@{oa}+{a.size} and {b.key}@{ob}+{b.size} overlap while live"
