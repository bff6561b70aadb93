"""The static arena planner (mcubench/ir/planner.py): no two live tensors ever share a byte.

Besides hand-made cases, random graphs are checked by simulation: every operator "writes" a fresh
tag over its output's bytes, and every read must still find the tag its producer wrote. That tests
what matters (the data survives) without trusting the planner's own notion of lifetime.
"""
from __future__ import annotations

import numpy as np
import pytest

from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.ir.planner import Buffer, check_plan, greedy, lower_bound, place, plan_graph

Q = Quant(scale=np.array([0.1], np.float32), zero_point=np.array([0]))


def act(name: str, shape) -> Tensor:
    return Tensor(name, tuple(shape), "int8", Q)


def const(name: str, shape) -> Tensor:
    return Tensor(name, tuple(shape), "int8", Q, np.zeros(shape, np.int8))


# --- place(): buffers with given lifetimes ------------------------------------------------------

def test_disjoint_lifetimes_share_offset_zero():
    offsets, size = place([Buffer(0, 100, 0, 0), Buffer(1, 50, 1, 1)], align=16)
    assert offsets == {0: 0, 1: 0} and size == 112


def test_overlapping_lifetimes_are_stacked_and_aligned():
    offsets, size = place([Buffer(0, 10, 0, 1), Buffer(1, 10, 1, 2), Buffer(2, 10, 2, 3)], 16)
    assert offsets[1] % 16 == 0 and offsets[0] != offsets[1] and offsets[1] != offsets[2]
    assert size == 32  # 0 and 2 never meet: they share a slot


def test_greedy_fills_a_gap_between_two_placed_buffers():
    # A and C (big) live at step 0 with a hole between them only B fits into.
    bufs = [Buffer(0, 64, 0, 0), Buffer(1, 64, 1, 1), Buffer(2, 32, 0, 1), Buffer(3, 16, 1, 1)]
    offsets, size = greedy(bufs, 16)
    assert offsets == {0: 0, 1: 0, 2: 64, 3: 96} and size == 112


def test_bad_alignment_is_rejected():
    with pytest.raises(ValueError, match="power of two"):
        place([Buffer(0, 1, 0, 0)], align=12)


@pytest.mark.parametrize("seed", range(200))
def test_random_buffers_never_overlap_while_live(seed):
    rng = np.random.default_rng(seed)
    steps = int(rng.integers(1, 30))
    bufs = []
    for k in range(int(rng.integers(1, 40))):
        a, b = sorted(int(x) for x in rng.integers(0, steps, 2))
        bufs.append(Buffer(k, int(rng.choice([0, 1, 3, 16, 17, 100, 1000, 4096])), a, b))
    align = int(rng.choice([1, 4, 16, 64]))
    offsets, size = place(bufs, align)
    assert all(offsets[b.key] % align == 0 for b in bufs)
    assert size % align == 0 and size >= lower_bound(bufs)
    for i, a in enumerate(bufs):
        assert offsets[a.key] + a.size <= size
        for b in bufs[i + 1:]:
            if a.size and b.size and a.overlaps_in_time(b):
                oa, ob = offsets[a.key], offsets[b.key]
                assert oa + a.size <= ob or ob + b.size <= oa, (a, b)


# --- plan_graph(): lifetimes from a graph -------------------------------------------------------

def chain(n_ops: int, size: int = 100) -> Graph:
    """input -> FC -> ... -> output, every activation `size` bytes, one constant per op."""
    tensors = [act("t0", (1, size))]
    ops = []
    for i in range(n_ops):
        tensors.append(const(f"w{i}", (size, size)))
        tensors.append(act(f"t{i + 1}", (1, size)))
        ops.append(Op("FULLY_CONNECTED", [len(tensors) - 3 if i else 0, len(tensors) - 2],
                      [len(tensors) - 1]))
    return Graph("chain", tensors, ops, [0], [len(tensors) - 1])


def test_chain_ping_pongs_between_two_slots_and_skips_constants():
    g = chain(5)
    plan = plan_graph(g, align=4)
    check_plan(plan)
    assert plan.size == 200 == plan.lower_bound
    assert all(not g.tensors[t].is_const for t in plan.offsets)


def test_graph_input_is_live_from_the_start_and_output_until_the_end():
    # op0: a -> b; op1: b -> c; op2: x (graph input, first read here) + c -> y; op3: y -> z;
    # the graph outputs are b (produced first, read by nobody else) and z.
    tensors = [act("a", (64,)), act("b", (64,)), act("c", (64,)), act("x", (64,)),
               act("y", (64,)), act("z", (64,))]
    ops = [Op("SOFTMAX", [0], [1]), Op("SOFTMAX", [1], [2]), Op("ADD", [3, 2], [4]),
           Op("SOFTMAX", [4], [5])]
    g = Graph("io", tensors, ops, [0, 3], [1, 5])
    plan = plan_graph(g, align=1)
    check_plan(plan)
    life = {b.key: (b.first, b.last) for b in plan.buffers}
    assert life[3] == (0, 2) and life[1] == (0, 3)
    others = {plan.offsets[t] for t in (0, 1, 2)}
    assert plan.offsets[3] not in others  # x must survive ops 0 and 1 untouched


def reshape_graph(graph_in_is_reshaped: bool) -> Graph:
    tensors = [act("in", (1, 2, 2, 4)), act("a", (1, 2, 2, 4)), Tensor("shape", (2,), "int32",
               None, np.array([1, 16], np.int32)), act("r", (1, 16)), act("r2", (16,)),
               act("out", (1, 16))]
    src = 0 if graph_in_is_reshaped else 1
    ops = [Op("SOFTMAX", [0], [1]), Op("RESHAPE", [src, 2], [3]), Op("RESHAPE", [3, 2], [4]),
           Op("SOFTMAX", [4], [5])]
    return Graph("reshape", tensors, ops, [0], [5])


@pytest.mark.parametrize("graph_in", [False, True])
def test_reshape_chains_share_one_buffer(graph_in):
    g = reshape_graph(graph_in)
    plan = plan_graph(g, align=16)
    check_plan(plan)
    src = 0 if graph_in else 1
    assert plan.offsets[3] == plan.offsets[4] == plan.offsets[src]
    assert plan.aliases == {3: src, 4: src}  # aliases point at the chain's root
    assert 3 not in {b.key for b in plan.buffers}  # one buffer for the whole chain
    assert plan.offsets[5] != plan.offsets[4]


def test_reshape_aliasing_can_be_turned_off():
    plan = plan_graph(reshape_graph(False), align=16, alias_reshapes=False)
    check_plan(plan)
    assert not plan.aliases and plan.offsets[1] != plan.offsets[3] != plan.offsets[4]


def test_reshape_to_a_graph_output_keeps_the_source_alive_to_the_end():
    tensors = [act("in", (2, 8)), act("a", (2, 8)), act("out", (16,)), act("b", (2, 8))]
    ops = [Op("SOFTMAX", [0], [1]), Op("RESHAPE", [1], [2]), Op("SOFTMAX", [1], [3])]
    g = Graph("tail", tensors, ops, [0], [2, 3])
    plan = plan_graph(g, align=1)
    check_plan(plan)
    assert plan.offsets[2] == plan.offsets[1] and plan.offsets[3] != plan.offsets[1]


# --- simulation over random graphs --------------------------------------------------------------

def random_graph(rng: np.random.Generator) -> Graph:
    """A random DAG of 1-2 input ops, some RESHAPEs, several graph inputs and outputs."""
    sizes = [1, 7, 16, 33, 64, 100, 256]
    tensors: list[Tensor] = []
    available: list[int] = []
    inputs = []
    for k in range(int(rng.integers(1, 4))):
        tensors.append(act(f"in{k}", (int(rng.choice(sizes)),)))
        available.append(len(tensors) - 1)
        inputs.append(len(tensors) - 1)
    ops = []
    for i in range(int(rng.integers(1, 25))):
        if rng.random() < 0.2:
            src = int(rng.choice(available))
            tensors.append(act(f"r{i}", (1, tensors[src].shape[-1])))  # same bytes, new shape
            ops.append(Op("RESHAPE", [src], [len(tensors) - 1]))
        else:
            srcs = [int(x) for x in rng.choice(available, size=min(len(available),
                                                                   int(rng.integers(1, 3))))]
            tensors.append(const(f"w{i}", (4,)))
            tensors.append(act(f"t{i}", (int(rng.choice(sizes)),)))
            ops.append(Op("ADD", srcs + [len(tensors) - 2], [len(tensors) - 1]))
        available.append(len(tensors) - 1)
        if len(available) > 6:  # let old tensors die sometimes
            available.pop(int(rng.integers(0, len(available))))
    outputs = sorted({int(x) for x in rng.choice(available, size=int(rng.integers(1, 3)))})
    return Graph("random", tensors, ops, inputs, outputs)


def simulate(g: Graph, plan) -> None:
    """Fill the arena with tags as the ops run; every read must see its producer's tag."""
    arena = np.full(plan.size, -1, np.int64)
    tag = {}

    def write(t, value):
        arena[plan.offsets[t]:plan.offsets[t] + g.tensors[t].nbytes] = value
        tag[t] = value

    def read(t):
        view = arena[plan.offsets[t]:plan.offsets[t] + g.tensors[t].nbytes]
        assert (view == tag[t]).all(), f"tensor {t} was overwritten while live"
    for t in g.inputs:
        write(t, 1000 + t)
    for step, op in enumerate(g.ops):
        for t in op.inputs:
            if not g.tensors[t].is_const:
                read(t)
        for t in op.outputs:
            if op.kind == "RESHAPE" and plan.offsets[t] == plan.offsets[op.inputs[0]]:
                tag[t] = tag[op.inputs[0]]  # in place: no data moves
            else:
                write(t, step)
    for t in g.outputs:
        read(t)


@pytest.mark.parametrize("seed", range(300))
def test_random_graphs_keep_every_live_tensor_intact(seed):
    rng = np.random.default_rng(seed)
    g = random_graph(rng)
    for alias in (True, False):
        plan = plan_graph(g, align=int(rng.choice([1, 8, 16])), alias_reshapes=alias)
        check_plan(plan)
        simulate(g, plan)


# --- the real models ----------------------------------------------------------------------------

TFLM_ARENA = {"aww": 22780, "vww": 100668, "resnet": 54364, "toycar": 2380}


@pytest.mark.parametrize("model", list(TFLM_ARENA))
def test_real_models_plan_at_the_lower_bound(shared_models, model):
    from mcubench.frontends.tflite import TFLiteFrontend

    g = TFLiteFrontend().load(shared_models / model / f"{model}.tflite")
    plan = plan_graph(g, align=16)
    check_plan(plan)
    simulate(g, plan)
    assert plan.size == plan.lower_bound < TFLM_ARENA[model]
