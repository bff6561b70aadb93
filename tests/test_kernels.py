"""The int8 kernels (runtime/kernels/*.c) against TFLite Micro, bit for bit.

Every case is an IR graph: written to .tflite by tflite_writer and run by TFLite Micro's reference
kernels (the golden output), and run through the C kernels with parameters from the operator modules (mcubench/ops/).
Random configurations come from opmodels (one seed each); the hand-made cases below pin down the
corners random shapes rarely reach (rounding ties, multipliers above one, float32 products in the
multiplier, softmax's clamped beta).
"""
from __future__ import annotations

import numpy as np
import pytest

from kernel_lib import KernelLib, build_kernels
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ops import fully_connected, softmax
from mcubench.ops.common import qmath as quant
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from opmodels import OPS, make_op_graph, random_inputs

SEEDS = 64
ARENA = 1 << 20  # TFLM's default arena (10x the model) is too small for tiny models


@pytest.fixture(scope="session")
def kernels(tmp_path_factory) -> KernelLib:
    try:
        return KernelLib(build_kernels(tmp_path_factory.mktemp("kernels")))
    except FileNotFoundError as exc:
        pytest.skip(f"no host C compiler: {exc}")


@pytest.fixture(scope="session")
def tflm():
    return pytest.importorskip("tflite_micro.python.tflite_micro.runtime",
                               reason="TFLite Micro (pip install --pre tflite-micro) is the "
                                      "golden reference for the kernels")


def tflm_run(runtime, graph: Graph, inputs: list[np.ndarray]) -> np.ndarray:
    ip = runtime.Interpreter.from_bytes(write_tflite(graph), arena_size=ARENA)
    for i, x in enumerate(inputs):
        ip.set_input(x, i)
    ip.invoke()
    return np.array(ip.get_output(0))


def check(kernels: KernelLib, tflm, graph: Graph, inputs: list[np.ndarray]) -> np.ndarray:
    """Run both sides and require identical int8 outputs; return them."""
    expected = tflm_run(tflm, graph, inputs)
    got = kernels.run(graph, graph.ops[0], dict(zip(graph.inputs, inputs)))
    assert got.shape == expected.shape and got.dtype == expected.dtype
    if not np.array_equal(got, expected):
        diff = got.astype(np.int32) - expected
        bad = np.argwhere(diff)
        pytest.fail(f"{graph.name}: {len(bad)}/{diff.size} outputs differ from TFLM (max |diff| "
                    f"{np.abs(diff).max()}); first at {tuple(bad[0])}: got "
                    f"{got[tuple(bad[0])]}, TFLM {expected[tuple(bad[0])]}; options "
                    f"{graph.ops[0].options}")
    return got


# --- random single-op models -----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(SEEDS))
@pytest.mark.parametrize("kind", OPS)
def test_random_op_matches_tflm(kernels, tflm, kind, seed):
    g = make_op_graph(kind, seed)
    check(kernels, tflm, g, random_inputs(g, seed))


@pytest.mark.parametrize("seed", range(16))
def test_grouped_conv_matches_tflm(kernels, tflm, seed):
    g = make_op_graph("CONV_2D", seed, grouped_conv=True)
    check(kernels, tflm, g, random_inputs(g, seed))


# --- hand-made corners -----------------------------------------------------------------------


def _q(scale, zp=0) -> Quant:
    scale = np.atleast_1d(np.asarray(scale, np.float32))
    return Quant(scale, np.broadcast_to(np.asarray(zp, np.int64), scale.shape).copy())


def _bias_fc(in_scale, f_scales, out_scale, out_zp, bias, act="NONE") -> Graph:
    """FC with one zero input feature: the accumulator of unit u is exactly bias[u]."""
    units = len(bias)
    f_scales = np.broadcast_to(np.asarray(f_scales, np.float32), (units,)) \
        if np.ndim(f_scales) else np.float32(f_scales)
    tensors = [
        Tensor("input", (1, 1), "int8", _q(in_scale, 0)),
        Tensor("filter", (units, 1), "int8", _q(f_scales), np.ones((units, 1), np.int8)),
        Tensor("bias", (units,), "int32", _q(np.float32(in_scale) * np.asarray(f_scales)),
               np.asarray(bias, np.int32)),
        Tensor("output", (1, units), "int8", _q(out_scale, out_zp)),
    ]
    op = Op("FULLY_CONNECTED", [0, 1, 2], [3], {"fused_activation_function": act})
    return Graph("bias_fc", tensors, [op], [0], [3])


def _requant_np(acc: np.ndarray, mult: int, shift: int) -> np.ndarray:
    """A numpy model of mb_requantize, only to find discriminating accumulators below."""
    x = acc.astype(np.int64) << max(shift, 0)
    ab = x * mult + np.where(x >= 0, 1 << 30, 1 - (1 << 30))
    hi = np.where(ab >= 0, ab >> 31, -((-ab) >> 31))  # truncating division
    right = max(-shift, 0)
    mask = (1 << right) - 1
    return (hi >> right) + ((hi & mask) > (mask >> 1) + (hi < 0))


def test_requantize_rounds_twice_like_tflm(kernels, tflm):
    # multiplier 0.375 = 0.75 * 2^-1: rounding 1 * 0.75 first gives 1, then 1 / 2 -> 1 (ties away
    # from zero), where a single rounding of 0.375 would give 0; TFLM's double rounding is the law.
    g = _bias_fc(0.5, 0.75, 1.0, 0, [1, -1, 3, -3, 5, -5, 7, -7, 2, -2, 0, 9])
    assert fully_connected.params_s8(g, g.ops[0])["requant"] == [(3 << 29, -1)]
    out = check(kernels, tflm, g, [np.zeros((1, 1), np.int8)])
    assert out[0, 0] == 1 and out[0, 1] == -1


def test_fully_connected_multiplier_in_double(kernels, tflm):
    # TFLite's older per-tensor FC prepare formed input_scale * filter_scale in float32; TFLM takes
    # every product in double. Find scales and accumulators where the two round differently.
    rng = np.random.default_rng(0)
    for _ in range(2000):
        s_in, s_f = (float(s) for s in np.exp(rng.uniform(-7, -1, 2)).astype(np.float32))
        s_out = float(np.float32(s_in * s_f / np.exp(rng.uniform(-7, -1))))
        m64 = quant.requant_per_tensor(s_in, s_f, s_out)
        m32 = quant.quantize_multiplier(float(np.float32(s_in) * np.float32(s_f)) / s_out)
        if m32 == m64:
            continue
        real = s_in * s_f / s_out
        acc = np.arange(-int(100 / real), int(100 / real) + 1, dtype=np.int64)
        acc = acc[np.abs(acc) < 1 << 20]
        differ = acc[_requant_np(acc, *m32) != _requant_np(acc, *m64)]
        if len(differ):
            break
    else:
        pytest.fail("no discriminating scales found")
    g = _bias_fc(s_in, s_f, s_out, 0, differ[:32])
    out = check(kernels, tflm, g, [np.zeros((1, 1), np.int8)])
    np.testing.assert_array_equal(out[0], _requant_np(differ[:32], *m64))


def test_multiplier_above_one(kernels, tflm):
    # real multiplier 3.3 -> positive shift: the accumulator is shifted left before the multiply
    g = _bias_fc(1.0, 1.0, 0.3, -3, list(range(-40, 41, 3)))
    assert fully_connected.params_s8(g, g.ops[0])["requant"][0][1] > 0
    check(kernels, tflm, g, [np.zeros((1, 1), np.int8)])


def test_per_channel_fc_with_mixed_shifts(kernels, tflm):
    bias = np.arange(-600, 600, 37)
    scales = np.exp(np.linspace(-4, 2, len(bias))).astype(np.float32)
    g = _bias_fc(0.05, scales, 0.1, 7, bias, act="RELU6")
    check(kernels, tflm, g, [np.zeros((1, 1), np.int8)])


def _softmax(shape, scale, zp, beta) -> Graph:
    tensors = [Tensor("input", shape, "int8", _q(scale, zp)),
               Tensor("output", shape, "int8", _q(1 / 256, -128))]
    return Graph("softmax", tensors, [Op("SOFTMAX", [0], [1], {"beta": beta})], [0], [1])


@pytest.mark.parametrize("scale,beta", [(0.5, 200.0), (1e-4, 1.0), (0.0390625, 1.0), (0.1, 0.05)])
def test_softmax_extremes(kernels, tflm, scale, beta):
    # (0.5, 200): beta*scale*2^26 exceeds int32, TFLite clamps the multiplier; (1e-4, 1): nearly
    # uniform; 0.039 = 10/256: a power-of-two multiplier; (0.1, 0.05): a small beta.
    rng = np.random.default_rng(1)
    x = rng.integers(-128, 128, (4, 40), dtype=np.int8)
    x[1] = 5  # all equal
    x[2, :] = -128
    x[2, 7] = 127  # one dominant value
    check(kernels, tflm, _softmax((4, 40), scale, 3, beta), [x])


def test_softmax_depth_one(kernels, tflm):
    x = np.array([[-128], [0], [127]], np.int8)
    out = check(kernels, tflm, _softmax((3, 1), 0.1, 0, 1.0), [x])
    assert (out == 127).all()


@pytest.mark.parametrize("s1,s2,so", [(1e-3, 1.0, 0.5), (0.02, 0.02, 0.04), (0.3, 0.01, 0.02)])
def test_add_scale_ratios(kernels, tflm, s1, s2, so):
    shape = (1, 5, 7, 3)
    tensors = [Tensor("a", shape, "int8", _q(s1, -17)), Tensor("b", shape, "int8", _q(s2, 100)),
               Tensor("out", shape, "int8", _q(so, -5))]
    g = Graph("add", tensors, [Op("ADD", [0, 1], [2], {"fused_activation_function": "NONE"})],
              [0, 1], [2])
    check(kernels, tflm, g, random_inputs(g, 3))


# --- every op of the real MLPerf Tiny models, one at a time ----------------------------------


def _single_op_graph(g: Graph, op: Op) -> Graph:
    """The op alone: its tensors renumbered, its non-constant inputs as the graph inputs."""
    used = list(dict.fromkeys([i for i in op.inputs if i >= 0] + op.outputs))
    new = {old: k for k, old in enumerate(used)}
    inputs = [new[i] for i in op.inputs if i >= 0 and not g.tensors[i].is_const]
    outputs = [new[i] for i in op.outputs]
    single = Op(op.kind, [new.get(i, -1) for i in op.inputs], outputs, dict(op.options))
    return Graph(f"{g.name}_{op.kind.lower()}", [g.tensors[i] for i in used], [single], inputs,
                 outputs)


@pytest.mark.parametrize("model", ["aww", "vww", "resnet", "toycar"])
def test_real_model_ops_match_tflm(kernels, tflm, shared_models, model):
    from mcubench.frontends.tflite import parse

    g = parse((shared_models / model / f"{model}.tflite").read_bytes(), model)
    ops = [op for op in g.ops if op.kind in OPS and g.tensors[op.inputs[0]].dtype == "int8"]
    assert ops
    for k, op in enumerate(ops):
        single = _single_op_graph(g, op)
        check(kernels, tflm, single, random_inputs(single, k))


# --- the preparation helpers and the writer, without TFLM -----------------------------------


def test_quantize_multiplier():
    assert quant.quantize_multiplier(0.0) == (0, 0)
    assert quant.quantize_multiplier(0.5) == (1 << 30, 0)
    assert quant.quantize_multiplier(1.0) == (1 << 30, 1)
    assert quant.quantize_multiplier(0.375) == (3 << 29, -1)
    assert quant.quantize_multiplier(1 - 2.0 ** -40) == (1 << 30, 1)  # rounds up to 2^31
    assert quant.quantize_multiplier(2.0 ** -40) == (0, 0)  # below 2^-31: flushed
    rng = np.random.default_rng(0)
    for real in np.exp(rng.uniform(-20, 5, 200)):
        m, s = quant.quantize_multiplier(float(real))
        assert 1 << 30 <= m < 1 << 31
        assert abs(m * 2.0 ** (s - 31) - real) <= real * 2.0 ** -30


def test_round_half_away():
    assert [quant.round_half_away(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4999)] == \
        [1, 2, 3, -1, -3, 2]


def test_activation_range():
    assert quant.activation_range("NONE", 0.1, 5) == (-128, 127)
    assert quant.activation_range("RELU", 0.1, -128) == (-128, 127)
    assert quant.activation_range("RELU6", 6 / 255, -128) == (-128, 127)
    assert quant.activation_range("RELU6", 0.05, -10) == (-10, 110)
    assert quant.activation_range("RELU_N1_TO_1", 0.05, 0) == (-20, 20)
    with pytest.raises(ValueError, match="valid"):
        quant.activation_range("TANH", 0.1, 0)


def test_conv_geometry():
    # SAME keeps ceil(in / stride); odd padding puts the extra row at the bottom
    assert quant.conv_geometry("SAME", 10, 10, 3, 3, 2, 2) == (5, 5, 0, 0)
    assert quant.conv_geometry("SAME", 9, 8, 3, 4, 1, 1) == (9, 8, 1, 1)
    assert quant.conv_geometry("VALID", 10, 7, 3, 3, 1, 2, 2, 1) == (6, 3, 0, 0)
    assert quant.conv_geometry("SAME", 5, 5, 3, 3, 1, 1, 2, 2) == (5, 5, 2, 2)
    assert quant.pool_geometry("VALID", 4, 4, 2, 2, 2, 2) == (2, 2, 0, 0)


def test_softmax_quant_matches_by_hand():
    p = softmax.softmax_quant(1.0, 1 / 16)  # beta * scale * 2^26 = 2^22: multiplier 0.5 * 2^23
    assert p == {"input_multiplier": 1 << 30, "input_left_shift": 23, "diff_min": -248}


@pytest.mark.parametrize("seed", [7, 12])
@pytest.mark.parametrize("kind", OPS)
def test_writer_round_trips_through_frontend(kind, seed):
    from mcubench.frontends.tflite import parse

    g = make_op_graph(kind, seed)
    back = parse(write_tflite(g), g.name)
    assert [(t.shape, t.dtype) for t in back.tensors] == [(t.shape, t.dtype) for t in g.tensors]
    for a, b in zip(g.tensors, back.tensors):
        if a.is_const:
            np.testing.assert_array_equal(a.data, b.data)
        if a.quant is not None:
            np.testing.assert_array_equal(np.float32(a.quant.scale), b.quant.scale)
            np.testing.assert_array_equal(a.quant.zero_point, b.quant.zero_point)
            assert a.quant.axis == b.quant.axis
    (op,) = back.ops
    inputs = list(g.ops[0].inputs)
    while inputs[-1] < 0:  # an omitted trailing input is not written
        inputs.pop()
    assert (op.kind, op.inputs, op.outputs) == (kind, inputs, g.ops[0].outputs)
    for key, value in g.ops[0].options.items():
        assert op.options[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    assert (back.inputs, back.outputs) == (g.inputs, g.outputs)


def test_writer_rejects_unknown_option():
    g = make_op_graph("ADD", 0)
    g.ops[0].options["stride_w"] = 2
    with pytest.raises(ValueError, match="FusedActivationFunction"):
        write_tflite(g)
