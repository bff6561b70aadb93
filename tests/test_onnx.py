"""The ONNX frontend: float32 and int8 QDQ models -> the TFLite-style IR, checked against
onnxruntime.

Models are built with the `onnx` helper API; int8 QDQ versions come from onnxruntime's own quantizer
(quantize_static, QDQ format, per-channel weights), as users make them, plus a few hand edits for
the less common spellings (uint8, int8 graph inputs, quantize-in-graph weights, kept activations).

Three levels:
- mapping: op kinds, NHWC shapes, filter layouts (OHWI, 1HWO, out x in), quantization axes, bias
  scale input_scale * filter_scale, fused activations, folded flatten;
- numbers without compiling: the IR written back to .tflite and run by TFLite Micro (bit-exact with
  our int8 kernels) or LiteRT (float) against onnxruntime on the original model;
- end to end: `run.execute` on `-b aot -t host -f validate` (and interp), validated against
  onnxruntime inside the firmware.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from mcubench import run  # noqa: E402
from mcubench.backends.none import NoneBackend  # noqa: E402
from mcubench.errors import ModelError  # noqa: E402
from mcubench.frontends.onnx import OnnxFrontend  # noqa: E402
from mcubench.frontends.program import ProgramFrontend  # noqa: E402
from mcubench.frontends.tflite_writer import write_tflite  # noqa: E402
from mcubench.samples import load_samples  # noqa: E402

OPSET = 13


@pytest.fixture(scope="module", autouse=True)
def registered():
    """The run machinery finds the components through the registry (builtin.py registers them;
    added here too while it does not)."""
    reg = run.get_registry()
    for cls in (OnnxFrontend, ProgramFrontend, NoneBackend):
        if cls.name not in reg.names(cls.kind):
            reg.add(cls)


# --- model builders ---------------------------------------------------------------------------
class Net:
    """A float ONNX graph under construction: weights are seeded normal values."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []

    def w(self, name: str, shape, scale: float = 0.3) -> str:
        arr = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def const(self, name: str, arr) -> str:
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def op(self, kind: str, inputs, output: str, **attrs) -> str:
        self.nodes.append(helper.make_node(kind, list(inputs), [output], **attrs))
        return output

    def model(self, inputs: dict, outputs: dict, opset: int = OPSET):
        g = helper.make_graph(self.nodes, "net",
                              [helper.make_tensor_value_info(k, TensorProto.FLOAT, v)
                               for k, v in inputs.items()],
                              [helper.make_tensor_value_info(k, TensorProto.FLOAT, v)
                               for k, v in outputs.items()], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        onnx.checker.check_model(m)
        return m


def cnn(seed: int = 0):
    """Conv (stride 2, SAME-like pads) + Relu, depthwise + Clip(0, 6), 1x1 conv, residual Add +
    Relu, MaxPool, Flatten of a 2x2 map, Gemm, Softmax."""
    n = Net(seed)
    x = n.op("Conv", ["x", n.w("w1", (8, 3, 3, 3)), n.w("b1", (8,), .1)], "c1", pads=[1] * 4,
             strides=[2, 2])
    r1 = n.op("Relu", [x], "r1")
    x = n.op("Conv", [r1, n.w("w2", (8, 1, 3, 3)), n.w("b2", (8,), .1)], "c2", pads=[1] * 4,
             group=8)
    x = n.op("Clip", [x, n.const("lo", np.float32(0)), n.const("hi", np.float32(6))], "r2")
    x = n.op("Conv", [x, n.w("w3", (8, 8, 1, 1)), n.w("b3", (8,), .1)], "c3")
    x = n.op("Relu", [n.op("Add", [x, r1], "a1")], "r3")
    x = n.op("MaxPool", [x], "p1", kernel_shape=[2, 2], strides=[2, 2])
    x = n.op("Flatten", [x], "f1")
    x = n.op("Gemm", [x, n.w("w4", (10, 32)), n.w("b4", (10,), .1)], "logits", transB=1)
    n.op("Softmax", [x], "y", axis=-1)
    return n.model({"x": [1, 3, 9, 9]}, {"y": [1, 10]})


def deep(seed: int = 0, depth: int = 4):
    """Alternating 3x3 convs and depthwise convs with Relu, GlobalAveragePool, Gemm (logits)."""
    n, x, c = Net(seed), "x", 8
    for i in range(depth):
        if i % 2:
            x = n.op("Conv", [x, n.w(f"w{i}", (c, 1, 3, 3), .4), n.w(f"b{i}", (c,), .1)],
                     f"c{i}", group=c, pads=[1] * 4)
        else:
            x = n.op("Conv", [x, n.w(f"w{i}", (c, c, 3, 3), .15), n.w(f"b{i}", (c,), .1)],
                     f"c{i}", pads=[1] * 4)
        x = n.op("Relu", [x], f"r{i}")
    x = n.op("Flatten", [n.op("GlobalAveragePool", [x], "gp")], "fl")
    n.op("Gemm", [x, n.w("wf", (10, c), .5), n.w("bf", (10,), .1)], "y", transB=1)
    return n.model({"x": [1, c, 10, 10]}, {"y": [1, 10]})


def pools(seed: int = 0):
    """Conv, AveragePool 3x3 SAME (padding excluded from the average), MaxPool 3x3/2 VALID,
    GlobalAveragePool as the output."""
    n = Net(seed)
    x = n.op("Conv", ["x", n.w("w", (6, 4, 3, 3)), n.w("b", (6,), .1)], "c", pads=[1] * 4)
    x = n.op("AveragePool", [x], "ap", kernel_shape=[3, 3], auto_pad="SAME_UPPER")
    x = n.op("MaxPool", [x], "mp", kernel_shape=[3, 3], strides=[2, 2])
    n.op("GlobalAveragePool", [x], "y")
    return n.model({"x": [1, 4, 11, 11]}, {"y": [1, 6, 1, 1]})


def mlp(seed: int = 0):
    """MatMul on a 3-D input + Add bias (one FC with keep_num_dims), Relu, Gemm with transB=0."""
    n = Net(seed)
    x = n.op("Add", [n.op("MatMul", ["x", n.w("w1", (16, 12))], "m1"), n.w("b1", (12,), .1)], "h")
    x = n.op("Relu", [x], "r")
    x = n.op("Reshape", [x, n.const("s", np.array([1, 48], np.int64))], "flat")
    n.op("Gemm", [x, n.w("w2", (48, 5)), n.w("b2", (5,), .1)], "y")
    return n.model({"x": [1, 4, 16]}, {"y": [1, 5]})


def quantize(model, path: Path, **options) -> Path:
    """onnxruntime's quantize_static, QDQ format, per-channel weights, calibrated on seeded normal
    inputs; a softmax output gets TFLite's fixed int8 quantization (scale 1/256, zero point
    -128)."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)

    float_path = path.with_suffix(".float.onnx")
    onnx.save(model, float_path)
    shapes = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim]
              for i in model.graph.input}

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(1)
            self.data = iter([{k: rng.standard_normal(s).astype(np.float32)
                               for k, s in shapes.items()} for _ in range(16)])

        def get_next(self):
            return next(self.data, None)

    overrides = {}
    for node in model.graph.node:
        if node.op_type == "Softmax":
            overrides[node.output[0]] = [{"scale": np.array(1 / 256, np.float32),
                                          "zero_point": np.array(-128, np.int8)}]
    extra = {"TensorQuantOverrides": overrides, **options.pop("extra_options", {})}
    logging.disable(logging.WARNING)  # the quantizer's advice to preprocess
    try:
        quantize_static(str(float_path), str(path), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=options.pop("activation_type",
                                                                      QuantType.QInt8),
                        weight_type=QuantType.QInt8, extra_options=extra, **options)
    finally:
        logging.disable(logging.NOTSET)
    return path


def save(model, path: Path) -> Path:
    onnx.save(model, path)
    return path


def ops(graph) -> list[str]:
    return [op.kind for op in graph.ops]


def tflm_vs_onnxruntime(path: Path, n: int = 30) -> np.ndarray:
    """|TFLite Micro on our IR - onnxruntime on the file|, over n seeded samples (all outputs)."""
    from mcubench.reference import tflm_outputs

    fe = OnnxFrontend()
    graph = fe.load(path)
    samples = load_samples(None, graph, n, seed=5)
    ours = tflm_outputs(write_tflite(graph), samples, len(graph.outputs))
    ref = fe.reference(path, samples, len(graph.outputs))
    return np.concatenate([np.abs(a.astype(np.int64) - b.astype(np.int64)).ravel()
                           for sa, sb in zip(ours, ref) for a, b in zip(sa, sb)])


def softmax_tolerance(graph) -> int:
    """A 1-LSB difference in softmax logits (scale s) moves a probability by up to s/2, i.e. 128 s
    LSB of the 1/256 output; plus one for the output's own rounding."""
    op = next(op for op in graph.ops if op.kind == "SOFTMAX")
    return 1 + math.ceil(128 * float(graph.tensors[op.inputs[0]].quant.scale[0]))


# --- mapping -----------------------------------------------------------------------------------
def test_qdq_cnn_maps_to_tflite_style_ir(tmp_path):
    path = quantize(cnn(), tmp_path / "cnn.onnx")
    g = OnnxFrontend().load(path)
    assert ops(g) == ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "ADD", "MAX_POOL_2D", "RESHAPE",
                      "FULLY_CONNECTED", "SOFTMAX"]
    x = g.tensors[g.inputs[0]]
    assert x.shape == (1, 9, 9, 3) and x.dtype == "int8" and x.quant is not None
    conv, dw, pw, add, pool, reshape, fc, softmax = g.ops
    src = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    # CONV_2D: OHWI, per output channel along axis 0; bias int32 at input scale x filter scale
    f = g.tensors[conv.inputs[1]]
    assert f.shape == (8, 3, 3, 8 // 8 * 3) and f.dtype == "int8" and f.quant.axis == 0
    assert np.array_equal(f.data, src["w1_quantized"].transpose(0, 2, 3, 1))
    assert len(f.quant.scale) == 8 and not np.any(f.quant.zero_point)
    b = g.tensors[conv.inputs[2]]
    assert b.dtype == "int32" and np.allclose(b.quant.scale, x.quant.scale[0] * f.quant.scale)
    assert conv.options["padding"] == "SAME" and conv.options["stride_h"] == 2
    # DEPTHWISE_CONV_2D: 1HWO, per channel along axis 3
    f = g.tensors[dw.inputs[1]]
    assert f.shape == (1, 3, 3, 8) and f.quant.axis == 3 and dw.options["depth_multiplier"] == 1
    assert np.array_equal(f.data, src["w2_quantized"].transpose(1, 2, 3, 0))
    assert pw.options["padding"] == "VALID"
    # onnxruntime's quantizer removes Relu/Clip: the zero point -128 clamps at zero instead
    assert g.tensors[conv.outputs[0]].quant.zero_point[0] == -128
    assert sorted(add.inputs) == sorted([pw.outputs[0], conv.outputs[0]])
    assert pool.options["filter_height"] == 2 and pool.options["padding"] == "VALID"
    # Flatten of a 2x2x8 map: no TRANSPOSE, the FC's columns are permuted from CHW to HWC order
    assert g.tensors[reshape.inputs[0]].shape == (1, 2, 2, 8)
    w = g.tensors[fc.inputs[1]]
    assert w.shape == (10, 32) and w.quant.axis == 0
    chw = src["w4_quantized"].reshape(10, 8, 2, 2)
    assert np.array_equal(w.data, chw.transpose(0, 2, 3, 1).reshape(10, 32))
    out = g.tensors[softmax.outputs[0]]
    assert out.shape == (1, 10) and out.quant.zero_point[0] == -128
    assert math.isclose(out.quant.scale[0], 1 / 256)


def test_float_cnn_maps_fused_activations_and_float_tensors(tmp_path):
    g = OnnxFrontend().load(save(cnn(), tmp_path / "cnn.onnx"))
    assert ops(g) == ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "ADD", "MAX_POOL_2D", "RESHAPE",
                      "FULLY_CONNECTED", "SOFTMAX"]
    assert [op.options.get("fused_activation_function") for op in g.ops[:5]] == \
        ["RELU", "RELU6", "NONE", "RELU", "NONE"]
    assert all(t.dtype in ("float32", "int32") and t.quant is None for t in g.tensors)
    assert g.tensors[g.ops[0].inputs[1]].shape == (8, 3, 3, 3)
    assert g.tensors[g.ops[1].inputs[1]].shape == (1, 3, 3, 8)


def test_matmul_add_is_one_fully_connected_and_transb0_is_transposed(tmp_path):
    model = mlp()
    g = OnnxFrontend().load(save(model, tmp_path / "mlp.onnx"))
    assert ops(g) == ["FULLY_CONNECTED", "RESHAPE", "FULLY_CONNECTED"]
    fc1, _, fc2 = g.ops
    assert fc1.options["keep_num_dims"] and fc1.options["fused_activation_function"] == "RELU"
    assert fc1.inputs[2] >= 0 and g.tensors[fc1.outputs[0]].shape == (1, 4, 12)
    src = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    assert np.array_equal(g.tensors[fc1.inputs[1]].data, src["w1"].T)
    assert np.array_equal(g.tensors[fc2.inputs[1]].data, src["w2"].T)


@pytest.mark.parametrize("build", [cnn, deep, pools, mlp])
def test_float_ir_computes_what_onnxruntime_computes(tmp_path, build):
    """The float IR written as .tflite and run by LiteRT equals onnxruntime on the ONNX file:
    layouts, transposed weights, paddings and fusions are right."""
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    path = save(build(3), tmp_path / "net.onnx")
    fe = OnnxFrontend()
    g = fe.load(path)
    samples = load_samples(None, g, 5, seed=2)
    ref = fe.reference(path, samples, len(g.outputs))
    ip = litert.Interpreter(model_content=write_tflite(g))
    ip.allocate_tensors()
    for sample, want in zip(samples, ref):
        for d, arr in zip(ip.get_input_details(), sample):
            ip.set_tensor(d["index"], arr)
        ip.invoke()
        got = ip.get_tensor(ip.get_output_details()[0]["index"])
        assert got.shape == want[0].shape
        np.testing.assert_allclose(got, want[0], rtol=1e-4, atol=1e-5)


def test_reshape_not_into_fc_transposes_to_onnx_order(tmp_path):
    """Flatten of an NHWC map that is an output itself keeps ONNX's CHW order: a TRANSPOSE."""
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    n = Net(1)
    n.op("Flatten", [n.op("Conv", ["x", n.w("w", (3, 2, 1, 1))], "c")], "y")
    path = save(n.model({"x": [1, 2, 3, 4]}, {"y": [1, 36]}), tmp_path / "flat.onnx")
    fe = OnnxFrontend()
    g = fe.load(path)
    assert ops(g) == ["CONV_2D", "TRANSPOSE", "RESHAPE"]
    (sample,) = load_samples(None, g, 1)
    ip = litert.Interpreter(model_content=write_tflite(g))
    ip.allocate_tensors()
    ip.set_tensor(ip.get_input_details()[0]["index"], sample[0])
    ip.invoke()
    got = ip.get_tensor(ip.get_output_details()[0]["index"])
    np.testing.assert_allclose(got, fe.reference(path, [sample], 1)[0][0], rtol=1e-5, atol=1e-6)


def test_global_average_pool_that_requantizes_becomes_a_depthwise_mean(tmp_path):
    g = OnnxFrontend().load(quantize(deep(), tmp_path / "deep.onnx"))
    mean = g.ops[-3]
    assert ops(g)[-3:] == ["DEPTHWISE_CONV_2D", "RESHAPE", "FULLY_CONNECTED"]
    w = g.tensors[mean.inputs[1]]
    assert w.shape == (1, 10, 10, 8) and np.all(w.data == 1)
    assert math.isclose(w.quant.scale[0], 1 / 100, rel_tol=1e-6)
    assert mean.options["stride_h"] == 10 and mean.options["padding"] == "VALID"


def test_dynamic_batch_is_pinned_to_one(tmp_path):
    model = deep()
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    model.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    g = OnnxFrontend().load(save(model, tmp_path / "dyn.onnx"))
    assert g.tensors[g.inputs[0]].shape == (1, 10, 10, 8)
    assert g.tensors[g.outputs[0]].shape == (1, 10)


# --- int8 numbers against onnxruntime (TFLite Micro runs the IR: bit-exact with our kernels) ------
# onnxruntime requantizes in float with one rounding (halves to even), TFLite in fixed point with
# two (the second halves away from zero), and averages round halves differently: each int8 layer may
# land one LSB apart. Through conv/FC layers that rarely grows (a 1-LSB input difference seldom
# moves an output by a whole LSB); an average passes its inputs' differences on and adds its own.
# Measured over six seeds x 100 samples: deep (conv/depthwise/global average/gemm) 1, pools
# (conv, average pool 3x3, max pool, global average) 3, cnn (... softmax) 5 = softmax_tolerance.
TOLERANCE = {"deep": 1, "pools": 3}


@pytest.mark.parametrize("build", [deep, pools])
def test_int8_ir_within_rounding_of_onnxruntime(tmp_path, build):
    diff = tflm_vs_onnxruntime(quantize(build(), tmp_path / "net.onnx"))
    assert diff.max() <= TOLERANCE[build.__name__]
    assert np.mean(diff > 0) < 0.3  # a wrong mapping differs almost everywhere, and by more


def test_int8_softmax_output_within_the_amplified_tolerance(tmp_path):
    path = quantize(cnn(), tmp_path / "cnn.onnx")
    diff = tflm_vs_onnxruntime(path)
    assert diff.max() <= softmax_tolerance(OnnxFrontend().load(path))


def test_uint8_qdq_becomes_int8(tmp_path):
    from onnxruntime.quantization import QuantType

    path = quantize(pools(), tmp_path / "u8.onnx", activation_type=QuantType.QUInt8)
    assert any(t.data_type == TensorProto.UINT8 for t in onnx.load(path).graph.initializer)
    g = OnnxFrontend().load(path)
    assert all(g.tensors[i].dtype == "int8" for op in g.ops for i in op.outputs)
    assert tflm_vs_onnxruntime(path).max() <= TOLERANCE["pools"]


def test_int8_model_input_and_output(tmp_path):
    """A model that takes int8 (DequantizeLinear on the input) and returns int8 (ends in a
    QuantizeLinear): fed and compared as int8, no float in between."""
    model = onnx.load(quantize(deep(), tmp_path / "q.onnx"))
    g = model.graph
    q_in = next(nd for nd in g.node if nd.op_type == "QuantizeLinear" and nd.input[0] == "x")
    dq_out = next(nd for nd in g.node if nd.op_type == "DequantizeLinear" and
                  nd.output[0] == "y")
    g.node.remove(q_in)
    g.node.remove(dq_out)
    g.input.remove(g.input[0])
    g.input.insert(0, helper.make_tensor_value_info(q_in.output[0], TensorProto.INT8,
                                                    [1, 8, 10, 10]))
    g.output.remove(g.output[0])
    g.output.append(helper.make_tensor_value_info(dq_out.input[0], TensorProto.INT8, [1, 10]))
    path = save(model, tmp_path / "int8io.onnx")
    ir = OnnxFrontend().load(path)
    assert ir.tensors[ir.inputs[0]].dtype == "int8" and ir.tensors[ir.outputs[0]].dtype == "int8"
    assert tflm_vs_onnxruntime(path).max() <= 1


def test_weights_quantized_in_the_graph(tmp_path):
    """Float weights -> QuantizeLinear -> DequantizeLinear (some exporters write that): quantized
    at load to the same int8 values."""
    model = onnx.load(quantize(pools(), tmp_path / "q.onnx"))
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    dq = next(nd for nd in g.node
              if nd.op_type == "DequantizeLinear" and nd.input[0] == "w_quantized")
    q8 = numpy_helper.to_array(inits["w_quantized"])
    scale = numpy_helper.to_array(inits[dq.input[1]])
    real = (q8.astype(np.float32) * scale.reshape(-1, 1, 1, 1)).astype(np.float32)
    g.initializer.remove(inits["w_quantized"])
    g.initializer.append(numpy_helper.from_array(real, "w_float"))
    g.node.insert(0, helper.make_node("QuantizeLinear", ["w_float", dq.input[1], dq.input[2]],
                                      ["w_quantized"], axis=0))
    path = save(model, tmp_path / "qw.onnx")
    ir = OnnxFrontend().load(path)
    assert np.array_equal(ir.tensors[ir.ops[0].inputs[1]].data, q8.transpose(0, 2, 3, 1))
    assert tflm_vs_onnxruntime(path).max() <= TOLERANCE["pools"]


def test_kept_activation_is_fused_only_when_exact(tmp_path):
    """QDQ Relu kept by the quantizer (which gives it its input's quantization): the conv's fused
    activation. Hand-edited to quantize its output differently: a RELU op of its own."""
    path = quantize(deep(depth=2), tmp_path / "keep.onnx",
                    extra_options={"QDQKeepRemovableActivations": True})
    model = onnx.load(path)
    assert sum(nd.op_type == "Relu" for nd in model.graph.node) == 2
    ir = OnnxFrontend().load(path)
    assert "RELU" not in ops(ir)
    assert [op.options["fused_activation_function"] for op in ir.ops[:2]] == ["RELU", "RELU"]
    g = model.graph
    relu = next(nd for nd in g.node if nd.op_type == "Relu")
    scale_name = next(nd for nd in g.node if nd.op_type == "QuantizeLinear" and
                      nd.input[0] == relu.output[0]).input[1]
    scale = numpy_helper.to_array(next(t for t in g.initializer if t.name == scale_name))
    g.initializer.append(numpy_helper.from_array(np.float32(scale * 1.25), "relu_scale"))
    for nd in g.node:  # its QuantizeLinear and the DequantizeLinear after it
        if nd.op_type in ("QuantizeLinear", "DequantizeLinear") and nd.input[1] == scale_name \
                and (nd.input[0] == relu.output[0] or nd.input[0].startswith(relu.output[0])):
            nd.input[1] = "relu_scale"
    path = save(model, tmp_path / "apart.onnx")
    ir = OnnxFrontend().load(path)
    assert ops(ir)[:3] == ["CONV_2D", "RELU", "DEPTHWISE_CONV_2D"]
    assert ir.ops[0].options["fused_activation_function"] == "NONE"
    assert tflm_vs_onnxruntime(path).max() <= 1


# --- errors ------------------------------------------------------------------------------------
def test_unsupported_ops_are_all_listed_at_load(tmp_path):
    n = Net()
    x = n.op("Conv", ["x", n.w("w", (4, 3, 1, 1))], "c")
    x = n.op("Mul", [n.op("Sigmoid", [x], "s"), x], "m")
    x = n.op("Tanh", [n.op("Tanh", [x], "t1")], "t2")
    n.op("Transpose", [x], "y", perm=[0, 2, 3, 1])
    path = save(n.model({"x": [1, 3, 4, 4]}, {"y": [1, 4, 4, 4]}), tmp_path / "bad.onnx")
    with pytest.raises(ModelError) as err:
        OnnxFrontend().load(path)
    msg = str(err.value)
    assert "unsupported ONNX operator(s): Mul, Sigmoid, Tanh (x2), Transpose" in msg
    assert "Conv" in msg.split("supported:")[-1]
    result = run.execute(run.RunSpec(str(path), "aot", "host", ("validate",)),
                         tmp_path / "run")
    assert result["failing"] and result["reason"].startswith("load: ")
    assert "Sigmoid" in result["reason"] and "Transpose" in result["reason"]


def test_custom_domain_and_qoperator_ops_are_named_with_a_hint(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    nodes = [helper.make_node("FusedGelu", ["x"], ["g"], domain="com.microsoft"),
             helper.make_node("QLinearMatMul", ["g"] * 8, ["y"])]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y]),
                              opset_imports=[helper.make_opsetid("", OPSET),
                                             helper.make_opsetid("com.microsoft", 1)])
    with pytest.raises(ModelError, match=r"QLinearMatMul, com\.microsoft\.FusedGelu.*QDQ"):
        OnnxFrontend().load(save(model, tmp_path / "q.onnx"))


@pytest.mark.parametrize("data", [b"", b"\x00garbage\xff" * 10, "truncated"])
def test_malformed_files_are_model_errors(tmp_path, data):
    if data == "truncated":
        data = cnn().SerializeToString()[:700]
    path = tmp_path / "broken.onnx"
    path.write_bytes(data)
    with pytest.raises(ModelError):
        OnnxFrontend().load(path)


def test_structurally_invalid_model_is_a_model_error(tmp_path):
    n = Net()
    n.op("Relu", ["nowhere"], "y")
    g = helper.make_graph(n.nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                        [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    with pytest.raises(ModelError, match="malformed ONNX model"):
        OnnxFrontend().load(save(model, tmp_path / "bad.onnx"))


def test_padding_tflite_cannot_express_is_named(tmp_path):
    """pads 1 with stride 2 on an even size pads the top, TFLite's SAME the bottom: different."""
    n = Net()
    n.op("Conv", ["x", n.w("w", (4, 3, 3, 3))], "y", pads=[1] * 4, strides=[2, 2])
    path = save(n.model({"x": [1, 3, 8, 8]}, {"y": [1, 4, 4, 4]}), tmp_path / "pad.onnx")
    with pytest.raises(ModelError, match="neither SAME nor VALID"):
        OnnxFrontend().load(path)


# --- end to end ----------------------------------------------------------------------------------
def execute(tmp_path: Path, model: Path, backend: str, tolerance: int) -> dict:
    spec = run.RunSpec(str(model), backend, "host", ("validate",),
                       (("validate.tolerance", str(tolerance)),))
    result = run.execute(spec, tmp_path / f"run-{model.stem}-{backend}")
    assert not result["failing"], result["reason"]
    return result["metrics"]


@pytest.mark.parametrize("build", [deep, pools])
def test_int8_end_to_end_on_aot_validates_against_onnxruntime(tmp_path, build):
    tol = TOLERANCE[build.__name__]
    m = execute(tmp_path, quantize(build(), tmp_path / f"{build.__name__}.onnx"), "aot", tol)
    assert m["validation"] is True and m["validation_samples"] == 10
    assert m["max_abs_diff"] <= tol and m["invoke_instructions"] > 0


@pytest.mark.parametrize("backend", ["aot", "interp"])
def test_int8_cnn_with_softmax_end_to_end(tmp_path, backend):
    path = quantize(cnn(), tmp_path / "cnn.onnx")
    tol = softmax_tolerance(OnnxFrontend().load(path))
    m = execute(tmp_path, path, backend, tolerance=tol)
    assert m["validation"] is True and m["max_abs_diff"] <= tol
