"""ONNX -> IR: float32 models and int8 QDQ models, mapped to the IR the TFLite frontend produces.

The IR is TFLite's view of a model, so the mapping does what the TFLite converter does:
- activations are NHWC (ONNX is NCHW): every 4-D activation's IR shape is (N, H, W, C);
- weights in TFLite layouts: CONV_2D filter OHWI, DEPTHWISE_CONV_2D 1HWO (ONNX Conv with
  group == input channels), FULLY_CONNECTED out x in (Gemm/MatMul weights transposed as needed);
- int8 QDQ (QuantizeLinear/DequantizeLinear around float ops, onnxruntime's QDQ format): a tensor
  that a QuantizeLinear writes becomes an int8 IR tensor with its scale and zero point; a
  DequantizeLinear of a constant becomes that constant's quantization (per-channel along the output
  channel); the float op between them becomes the int8 IR op. Bias becomes int32 at scale
  input_scale * filter_scale, as TFLite's kernels expect (requantized when the file's differs);
- uint8 QDQ tensors become int8 ones (value - 128, zero point - 128): the same real numbers;
- Relu/Clip(0, 6)/Clip(-1, 1) after an op become its fused activation (a standalone one a RELU,
  RELU6 or RELU_N1_TO_1 op; fused when its producer can take it without changing the numbers);
  onnxruntime's quantizer drops such activations altogether, the zero point -128 clamps the same;
- Reshape/Flatten of an NHWC tensor with spatial extent reorders to NCHW first (a TRANSPOSE), as
  ONNX flattens channels first; a TRANSPOSE -> RESHAPE that only feeds a FULLY_CONNECTED is folded
  into that layer's weights instead (their columns permuted), so no data moves on the device;
- MatMul followed by Add of a constant is one FULLY_CONNECTED with bias; GlobalAveragePool an
  AVERAGE_POOL_2D over the whole map (what the TFLite twins use); explicit pads must amount to
  TFLite's SAME or VALID padding.

Every ONNX operator outside this list is reported at LOAD, all of them in one message; so is a
mapping TFLite cannot express (explicit pads that are neither SAME nor VALID, Gemm with alpha != 1,
a MatMul + Add bias that onnxruntime quantized apart, ...). A global average whose output
onnxruntime quantized differently from its input becomes a DEPTHWISE_CONV_2D with weights 1 (the
mean, requantized once), since int8 AVERAGE_POOL_2D cannot requantize; other requantizations
become int8 -> int8 QUANTIZE ops (TFLite's requantize, run by both C backends).

Validation tolerance. The golden reference for ONNX models is onnxruntime (``reference``). Its int8
kernels requantize in float with one rounding, halves to even, and average with halves to even;
TFLite's (so ours) requantize in fixed point with two roundings, the second halves away from zero.
So each int8 layer may land one LSB apart (about 0.1 to 0.3 % of the values). Conv and FC layers
rarely pass such a difference on; averages pass it on and add their own; a softmax turns a 1-LSB
logit difference into up to s/2, i.e. 128 s LSB of its 1/256 output (s: the logits' scale).
Measured on tests/test_onnx.py's nets (6 seeds x 100 samples): conv/depthwise/global average/gemm
1 LSB; conv/average pool/max pool/global average 3; a CNN ending in a softmax 5 (s about 0.04). So
``-c validate.tolerance=1`` for conv/FC nets, one more per average pool, 1 + 128 s after a
softmax. Float32 outputs are compared in ulp. TFLite models keep tolerance 0: TFLite Micro is
bit-exact with our kernels.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..component import Need
from ..errors import MissingDependency, ModelError
from ..ir.graph import Graph, Op, Quant, Tensor
from ..ir.validate import validate_graph
from .base import Frontend

SUPPORTED = ("QuantizeLinear", "DequantizeLinear", "Conv", "Gemm", "MatMul", "MaxPool",
             "AveragePool", "GlobalAveragePool", "Add", "Relu", "Clip", "Softmax", "Reshape",
             "Flatten", "Identity", "Dropout", "Constant")
FUSABLE = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "AVERAGE_POOL_2D",
           "MAX_POOL_2D")
SAME_QUANT = ("RESHAPE", "TRANSPOSE", "MAX_POOL_2D", "AVERAGE_POOL_2D")  # int8 kernels keep q
ACTIVATIONS = {(0.0, math.inf): "RELU", (0.0, 6.0): "RELU6", (-1.0, 1.0): "RELU_N1_TO_1"}
TO_NHWC, TO_NCHW = (0, 2, 3, 1), (0, 3, 1, 2)


@dataclass
class Port:
    """How an IR graph input/output relates to the ONNX one (for feeding onnxruntime)."""

    onnx: str
    dtype: str  # numpy name of the ONNX element type
    nchw: bool  # ONNX NCHW, IR NHWC
    scale: float | None = None  # ONNX float, IR int: real = scale * (q - zero_point)
    zero_point: int = 0  # the IR (int8) zero point
    shift: int = 0  # ONNX uint8 = IR int8 + 128

    def to_onnx(self, arr: np.ndarray) -> np.ndarray:
        a = np.asarray(arr)
        if self.nchw:
            a = a.transpose(TO_NCHW)
        if a.dtype == np.float32:
            return np.ascontiguousarray(a)
        if self.scale is not None and self.dtype == "float32":
            return ((a.astype(np.float32) - np.float32(self.zero_point))
                    * np.float32(self.scale)).astype(np.float32)
        return (a.astype(np.int32) + self.shift).astype(self.dtype)

    def from_onnx(self, arr: np.ndarray, ir_dtype: str) -> np.ndarray:
        a = np.asarray(arr)
        if self.nchw:
            a = a.transpose(TO_NHWC)
        if ir_dtype == "float32":
            return np.ascontiguousarray(a, dtype=np.float32)
        if self.scale is not None and a.dtype == np.float32:
            info = np.iinfo(ir_dtype)
            q = np.rint(a.astype(np.float64) / np.float32(self.scale)) + self.zero_point
            return np.clip(q, info.min, info.max).astype(ir_dtype)
        return (a.astype(np.int64) - self.shift).astype(ir_dtype)


class OnnxFrontend(Frontend):
    name = "onnx"
    description = ("ONNX models (.onnx): float32, and int8 QDQ (onnxruntime's quantization "
                   "format); validated against onnxruntime")
    extensions = (".onnx",)
    needs = (Need("onnx", "pip install onnx", "python"),
             Need("onnxruntime", "pip install onnxruntime", "python"))

    def load(self, path: Path) -> Graph:
        return convert(read_model(path), Path(path).stem)[0]

    def reference(self, path: Path, samples: list[list[np.ndarray]],
                  n_outputs: int) -> list[list[np.ndarray]]:
        """onnxruntime's outputs, in the IR's layout and types (int8 QDQ outputs requantized with
        their QuantizeLinear's scale and zero point, which gives back the exact int8 values)."""
        return ort_outputs(path, samples, n_outputs)


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MissingDependency("the onnx frontend needs the onnx package: pip install onnx "
                                "(or pip install mcubench[onnx])") from None
    return onnx


def read_model(path: Path):
    """Parse and check an .onnx file; anything malformed is a ModelError."""
    onnx = _onnx()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read model {path}: {exc.strerror}") from None
    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # protobuf's DecodeError and friends
        raise ModelError(f"{Path(path).name}: not a valid ONNX file ({type(exc).__name__}: "
                         f"{exc}); re-export the model") from None
    if not model.graph.node and not model.graph.output:
        raise ModelError(f"{Path(path).name}: not an ONNX model (empty graph)")
    try:
        onnx.checker.check_model(model)
    except Exception as exc:
        raise ModelError(f"{Path(path).name}: malformed ONNX model: "
                         f"{str(exc).strip().splitlines()[0]}") from None
    return model


def convert(model, name: str = "model") -> tuple[Graph, dict]:
    """ONNX ModelProto -> (IR graph, {"inputs": [Port], "outputs": [Port]})."""
    return _Converter(model, name).run()


def ort_outputs(path: Path, samples: list[list[np.ndarray]], n_outputs: int):
    try:
        import onnxruntime as ort
    except ImportError:
        raise MissingDependency("onnxruntime is the reference for ONNX models: pip install "
                                "onnxruntime (or pip install mcubench[onnx])") from None
    graph, io = convert(read_model(path), Path(path).stem)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    try:
        sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelError(f"{Path(path).name}: onnxruntime cannot load the model: "
                         f"{str(exc).strip().splitlines()[0]}") from None
    out_dtypes = [graph.tensors[i].dtype for i in graph.outputs]
    results = []
    for sample in samples:
        feed = {p.onnx: p.to_onnx(arr) for p, arr in zip(io["inputs"], sample)}
        got = sess.run([p.onnx for p in io["outputs"]], feed)
        results.append([p.from_onnx(a, d) for p, a, d in
                        zip(io["outputs"][:n_outputs], got, out_dtypes)])
    return results


def _np_dtype(onnx, elem_type: int) -> str:
    try:
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type)).name
    except Exception:
        return f"onnx type {elem_type}"


def _nhwc(shape) -> tuple[int, ...]:
    shape = tuple(shape)
    return (shape[0], shape[2], shape[3], shape[1]) if len(shape) == 4 else shape


class _Converter:
    def __init__(self, model, name: str):
        self.onnx = _onnx()
        self.name = name
        self.model = model
        g = model.graph
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                          13)
        self.consts: dict[str, np.ndarray] = {}
        for t in g.initializer:
            self.consts[t.name] = self._array(t)
        self.graph_inputs = [i for i in g.input if i.name not in self.consts]
        self.graph_outputs = [o.name for o in g.output]
        self.quantized = any(n.op_type in ("QuantizeLinear", "DequantizeLinear") for n in g.node)
        self.consumers = Counter(x for n in g.node for x in n.input if x)
        self.consumers.update(self.graph_outputs)
        self.tensors: list[Tensor] = []
        self.ops: list[Op] = []
        self.val: dict[str, int] = {}  # ONNX name -> IR tensor (float activations, Q outputs)
        self.dq: dict[str, int] = {}  # DequantizeLinear output -> the int8 IR tensor it reads
        self.qconst: dict[str, tuple[np.ndarray, Quant]] = {}  # Q/DQ of a constant
        self.pending: dict[str, Op] = {}  # float output of an op, waiting for its Q (or Relu)
        self.in_ports: dict[str, tuple[int, Port]] = {}
        self.zero_biases: set[int] = set()  # written for a Conv without one: an Add may replace
        self._check_ops()  # first: shape inference may choke on an operator it does not know
        self._shapes()

    # --- helpers -----------------------------------------------------------------------------
    def _array(self, t) -> np.ndarray:
        try:
            return np.asarray(self.onnx.numpy_helper.to_array(t))
        except Exception as exc:
            raise ModelError(f"{self.name}: constant {t.name!r} cannot be read ({exc})") from None

    def _shapes(self) -> None:
        """Static shapes of every tensor: a symbolic batch dimension is pinned to 1."""
        onnx = self.onnx
        m = onnx.ModelProto()
        m.CopyFrom(self.model)
        inputs = {i.name for i in self.graph_inputs}
        for vi in m.graph.input:
            if vi.name not in inputs:
                continue
            for k, d in enumerate(vi.type.tensor_type.shape.dim):
                if not d.HasField("dim_value"):
                    if k != 0:
                        raise ModelError(f"{self.name}: input {vi.name!r} has a dynamic dimension "
                                         f"{k} ({d.dim_param or '?'}); only the batch dimension "
                                         "may be dynamic (it becomes 1)")
                    d.Clear()
                    d.dim_value = 1
        for vi in m.graph.output:  # recomputed by the inference, from the pinned inputs
            if any(not d.HasField("dim_value") for d in vi.type.tensor_type.shape.dim):
                vi.type.tensor_type.ClearField("shape")
        del m.graph.value_info[:]
        try:
            m = onnx.shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
        except Exception as exc:
            raise ModelError(f"{self.name}: ONNX shape inference failed: "
                             f"{str(exc).strip().splitlines()[0]}") from None
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.dtypes: dict[str, str] = {}
        for vi in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
            tt = vi.type.tensor_type
            self.dtypes[vi.name] = _np_dtype(onnx, tt.elem_type)
            if tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim):
                self.shapes[vi.name] = tuple(int(d.dim_value) for d in tt.shape.dim)
        for k, v in self.consts.items():
            self.shapes[k], self.dtypes[k] = tuple(v.shape), v.dtype.name

    def shape(self, name: str, node=None) -> tuple[int, ...]:
        if name not in self.shapes:
            where = f" (output of {self._where(node)})" if node is not None else ""
            raise ModelError(f"{self.name}: the shape of tensor {name!r}{where} is unknown after "
                             "shape inference; export the model with static shapes")
        return self.shapes[name]

    @staticmethod
    def _where(node) -> str:
        return f"{node.op_type} {node.name!r}" if node.name else f"{node.op_type} node"

    def err(self, node, msg: str) -> ModelError:
        return ModelError(f"{self.name}: {self._where(node)}: {msg}")

    def attrs(self, node) -> dict:
        return {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}

    def add_tensor(self, name: str, shape, dtype: str, quant: Quant | None = None,
                   data: np.ndarray | None = None) -> int:
        self.tensors.append(Tensor(name, tuple(int(d) for d in shape), dtype, quant, data))
        return len(self.tensors) - 1

    # --- the conversion ----------------------------------------------------------------------
    def run(self) -> tuple[Graph, dict]:
        if not self.quantized:
            for vi in self.graph_inputs:
                dtype = self.dtypes.get(vi.name)
                if dtype != "float32":
                    raise ModelError(f"{self.name}: input {vi.name!r} is {dtype}; a model "
                                     "without QuantizeLinear/DequantizeLinear must be float32")
                shape = self.shape(vi.name)
                idx = self.add_tensor(vi.name, _nhwc(shape), "float32")
                self.val[vi.name] = idx
                self.in_ports[vi.name] = (idx, Port(vi.name, "float32", len(shape) == 4))
        for node in self.model.graph.node:
            handler = getattr(self, "op_" + node.op_type)
            handler(node)
        outputs, out_ports = [], []
        for name in self.graph_outputs:
            idx, port = self._output(name)
            outputs.append(idx)
            out_ports.append(port)
        for name, op in list(self.pending.items()):
            if self.quantized:
                raise ModelError(f"{self.name}: the output {name!r} of a {op.kind} is never "
                                 "quantized (no QuantizeLinear follows it)")
            self._materialize(name)  # an output nothing reads: computed all the same
        missing = [vi.name for vi in self.graph_inputs if vi.name not in self.in_ports]
        if missing:
            raise ModelError(f"{self.name}: input(s) {', '.join(missing)} are not used, or not "
                             "quantized by a QuantizeLinear")
        inputs = [self.in_ports[vi.name][0] for vi in self.graph_inputs]
        in_ports = [self.in_ports[vi.name][1] for vi in self.graph_inputs]
        for op in self.ops:
            op.options.pop("_global", None)
        graph = Graph(self.name, self.tensors, self.ops, inputs, outputs)
        _fuse_activations(graph)
        _fold_flatten_into_fc(graph)
        graph = _compact(graph)
        return validate_graph(graph), {"inputs": in_ports, "outputs": out_ports}

    def _check_ops(self) -> None:
        bad = Counter(n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}"
                      for n in self.model.graph.node
                      if n.domain not in ("", "ai.onnx") or n.op_type not in SUPPORTED)
        if bad:
            listed = ", ".join(f"{k} (x{v})" if v > 1 else k for k, v in sorted(bad.items()))
            hint = ""
            if any("QLinear" in k or "Integer" in k for k in bad):
                hint = ("; quantized operators in QOperator format are not read: quantize with "
                        "onnxruntime's quant_format=QuantFormat.QDQ instead")
            raise ModelError(f"{self.name}: unsupported ONNX operator(s): {listed}; supported: "
                             f"{', '.join(sorted(SUPPORTED))}{hint}")

    def _output(self, name: str) -> tuple[int, Port]:
        dtype = self.dtypes.get(name, "float32")
        if name in self.dq:  # a DequantizeLinear: float outside, int8 inside
            idx = self.dq[name]
            t = self.tensors[idx]
            return idx, Port(name, dtype, len(t.shape) == 4, float(t.quant.scale[0]),
                             int(t.quant.zero_point[0]))
        if name in self.pending:
            if self.quantized:
                raise ModelError(f"{self.name}: output {name!r} is float, written by a "
                                 f"{self.pending[name].kind}: quantize it (QuantizeLinear -> "
                                 "DequantizeLinear) or export a float model")
            self._materialize(name)
        if name in self.val:
            idx = self.val[name]
            t = self.tensors[idx]
            return idx, Port(name, dtype, len(t.shape) == 4, shift=128 if dtype == "uint8" else 0)
        raise ModelError(f"{self.name}: graph output {name!r} is not computed by a supported "
                         "operator")

    # --- values ------------------------------------------------------------------------------
    def act(self, name: str, node) -> int:
        """The IR tensor of an activation input."""
        if name in self.dq:
            return self.dq[name]
        if name in self.pending:
            if self.quantized:
                raise self.err(node, f"reads the float tensor {name!r} written by a "
                                     f"{self.pending[name].kind}; in a QDQ model every operator "
                                     "input must come through QuantizeLinear -> DequantizeLinear")
            return self._materialize(name)
        if name in self.val:
            return self.val[name]
        if name in self.consts or name in self.qconst:
            raise self.err(node, f"its input {name!r} is a constant; only activations are "
                                 "supported there")
        raise self.err(node, f"its input {name!r} is not computed by a supported operator")

    def _materialize(self, name: str) -> int:
        op = self.pending.pop(name)
        idx = self.add_tensor(name, _nhwc(self.shape(name)), "float32")
        op.outputs = [idx]
        self.val[name] = idx
        return idx

    def weight(self, name: str, node) -> tuple[np.ndarray, Quant | None]:
        """A constant operand: int8 data and quantization (QDQ), or float32 data."""
        if name in self.qconst:
            return self.qconst[name]
        if name in self.consts:
            data = self.consts[name]
            if self.quantized and data.dtype.kind == "f":
                raise self.err(node, f"its constant {name!r} is float in a QDQ model; quantize the "
                                     "weights (DequantizeLinear of int8) as onnxruntime does")
            return data.astype(np.float32) if data.dtype.kind == "f" else data, None
        raise self.err(node, f"its weights {name!r} are not constant; only constant weights are "
                             "supported")

    def emit(self, node, kind: str, inputs: list[int], options: dict, out_name: str | None = None,
             out_shape=None) -> Op:
        """Append an IR op; its output waits in `pending` until a Q (or, float, a consumer).
        An op reading int8 directly (no DequantizeLinear, e.g. MaxPool on int8) writes int8."""
        op = Op(kind, inputs, [], options)
        self.ops.append(op)
        out_name = out_name or node.output[0]
        src = self.tensors[inputs[0]]
        if node.input[0] in self.val and src.dtype != "float32":  # int8 in, no DequantizeLinear
            if kind not in (*SAME_QUANT, *ACTIVATIONS.values()):
                raise self.err(node, f"reads the int8 tensor {node.input[0]!r} directly; put a "
                                     "DequantizeLinear before it")
            shape = out_shape if out_shape is not None else _nhwc(self.shape(out_name, node))
            idx = self.add_tensor(out_name, shape, src.dtype, src.quant)
            op.outputs = [idx]
            self.val[out_name] = idx
        else:
            self.pending[out_name] = op
        return op

    def intermediate(self, kind: str, src: int, shape, extra: list[int], options: dict,
                     name: str) -> int:
        """An op whose output is an internal tensor (same dtype and quantization as `src`)."""
        t = self.tensors[src]
        idx = self.add_tensor(name, shape, t.dtype, t.quant)
        self.ops.append(Op(kind, [src, *extra], [idx], options))
        return idx

    def int_const(self, name: str, values) -> int:
        arr = np.asarray(values, dtype=np.int32)
        return self.add_tensor(name, arr.shape, "int32", None, arr)

    # --- quantization --------------------------------------------------------------------------
    def qparams(self, node, data_rank: int | None, int32: bool = False) -> Quant:
        """Scale, zero point and axis of a QuantizeLinear/DequantizeLinear (uint8 -> int8);
        `int32`: an int32 constant (a bias) may be dequantized."""
        a = self.attrs(node)
        if node.input[1] not in self.consts:
            raise self.err(node, "its scale is not a constant")
        scale = self.consts[node.input[1]].astype(np.float32).reshape(-1)
        if len(node.input) > 2 and node.input[2]:
            if node.input[2] not in self.consts:
                raise self.err(node, "its zero point is not a constant")
            zp_arr = self.consts[node.input[2]]
        else:
            zp_arr = np.zeros(1, np.uint8)
        dtype = zp_arr.dtype.name
        if "output_dtype" in a and a["output_dtype"]:
            dtype = _np_dtype(self.onnx, a["output_dtype"])
        if dtype not in ("int8", "uint8") and not (int32 and dtype == "int32"):
            raise self.err(node, f"quantizes to {dtype}; int8 and uint8 are supported")
        zp = np.broadcast_to(zp_arr.astype(np.int64).reshape(-1), scale.shape).copy()
        if dtype == "uint8":
            zp -= 128
        if "block_size" in a and a["block_size"]:
            raise self.err(node, "blocked quantization is not supported")
        axis = int(a.get("axis", 1))
        if len(scale) > 1 and data_rank is not None:
            axis %= data_rank
        return Quant(scale=scale, zero_point=zp, axis=axis if len(scale) > 1 else 0)

    @staticmethod
    def _to_int8(data: np.ndarray) -> np.ndarray:
        if data.dtype == np.uint8:
            return (data.astype(np.int16) - 128).astype(np.int8)
        return data

    def op_QuantizeLinear(self, node) -> None:
        x, out = node.input[0], node.output[0]
        shape = self.shape(x, node) if x not in self.consts else self.consts[x].shape
        q = self.qparams(node, len(shape))
        if x in self.consts:  # a float constant quantized in the graph: quantize it now
            data = self.consts[x].astype(np.float32)
            scale = q.scale.reshape([-1 if k == q.axis else 1 for k in range(data.ndim)]) \
                if len(q.scale) > 1 else q.scale[0]
            zp = q.zero_point.reshape(np.shape(scale)) if len(q.scale) > 1 else q.zero_point[0]
            qd = np.clip(np.rint(data / scale) + zp, -128, 127).astype(np.int8)
            self.qconst[out] = (qd, q)
            return
        if q.per_channel:
            raise self.err(node, f"quantizes the activation {x!r} per channel; int8 kernels take "
                                 "one scale per activation tensor")
        if x in self.pending:  # the float output of an op: the op writes this int8 tensor
            op = self.pending.pop(x)
            if self.consumers[x] > 1:
                raise self.err(node, f"the float tensor {x!r} has {self.consumers[x]} readers; "
                                     "quantize it once")
            idx = self.add_tensor(out, _nhwc(self.shape(out, node)), "int8", q)
            src = self.tensors[op.inputs[0]]
            if op.options.get("_global") and not _same_quant(src.quant, q):
                self._mean_as_depthwise(op)
                op.outputs = [idx]
            elif op.kind in SAME_QUANT and not _same_quant(src.quant, q):
                # int8 pooling and reshapes keep the quantization: requantize after them
                mid = self.add_tensor(out + "/unrequantized", self.tensors[idx].shape, "int8",
                                      src.quant)
                op.outputs = [mid]
                self.ops.append(Op("QUANTIZE", [mid], [idx], {}))
            else:
                op.outputs = [idx]
            self.val[out] = idx
            return
        if x in self.dq:  # requantization of an int8 tensor
            src = self.dq[x]
            if _same_quant(self.tensors[src].quant, q):
                self.val[out] = src
            else:
                idx = self.add_tensor(out, self.tensors[src].shape, "int8", q)
                self.ops.append(Op("QUANTIZE", [src], [idx], {}))
                self.val[out] = idx
            return
        graph_in = {vi.name for vi in self.graph_inputs}
        if x in graph_in:
            if self.dtypes.get(x) != "float32":
                raise self.err(node, f"input {x!r} is {self.dtypes.get(x)}, expected float32")
            if x in self.in_ports:
                raise self.err(node, f"input {x!r} is quantized twice; quantize it once")
            idx = self.add_tensor(out, _nhwc(shape), "int8", q)
            self.val[out] = idx
            self.in_ports[x] = (idx, Port(x, "float32", len(shape) == 4, float(q.scale[0]),
                                          int(q.zero_point[0])))
            return
        raise self.err(node, f"quantizes {x!r}, which is neither a model input, a constant nor "
                             "the output of a supported operator")

    def op_DequantizeLinear(self, node) -> None:
        x, out = node.input[0], node.output[0]
        if x in self.qconst or x in self.consts:
            data, _ = self.qconst.get(x, (self.consts.get(x), None))
            if data.dtype not in (np.int8, np.uint8, np.int32):
                raise self.err(node, f"dequantizes a {data.dtype} constant; int8, uint8 (weights) "
                                     "and int32 (bias) are supported")
            q = self.qparams(node, data.ndim, int32=data.dtype == np.int32)
            self.qconst[out] = (self._to_int8(data), q)
            return
        q = self.qparams(node, len(self.shape(x, node)))
        if x in self.val:
            idx = self.val[x]
            if not _same_quant(self.tensors[idx].quant, q):
                raise self.err(node, f"dequantizes {x!r} with other parameters than it was "
                                     "quantized with")
            self.dq[out] = idx
            return
        graph_in = {vi.name for vi in self.graph_inputs}
        if x in graph_in:
            dtype = self.dtypes.get(x)
            if dtype not in ("int8", "uint8"):
                raise self.err(node, f"input {x!r} is {dtype}; expected int8 or uint8")
            shape = self.shape(x)
            idx = self.add_tensor(x, _nhwc(shape), "int8", q)
            self.val[x] = self.dq[out] = idx
            self.in_ports[x] = (idx, Port(x, dtype, len(shape) == 4,
                                          shift=128 if dtype == "uint8" else 0))
            return
        raise self.err(node, f"dequantizes {x!r}, which is not an int8 tensor of the model")

    def bias(self, name: str, node, x: Tensor, w_quant: Quant | None, n_out: int) -> int:
        """A bias operand as TFLite's kernels read it: int32 at input_scale * filter_scale per
        output channel (requantized if the file's scale differs), or float32."""
        data, bq = self.weight(name, node)
        data = np.asarray(data).reshape(-1)
        if data.size == 1 and n_out > 1:
            data = np.repeat(data, n_out)
        if data.size != n_out:
            raise self.err(node, f"bias {name!r} has {data.size} values for {n_out} outputs")
        if w_quant is None:
            if data.dtype != np.float32:
                raise self.err(node, f"bias {name!r} is {data.dtype} in a float model")
            return self.add_tensor(name, (n_out,), "float32", None, data.astype(np.float32))
        s_w = np.broadcast_to(w_quant.scale, (n_out,)).astype(np.float64)
        want = (np.float64(np.float32(x.quant.scale[0])) * s_w).astype(np.float32)
        if bq is not None and data.dtype == np.int32 and np.all(bq.zero_point == 0) and \
                np.allclose(np.broadcast_to(bq.scale, (n_out,)), want, rtol=1e-6, atol=0):
            q32 = data
        else:
            real = data.astype(np.float64)
            if bq is not None:
                real = (real - np.broadcast_to(bq.zero_point, (n_out,))) * \
                    np.broadcast_to(bq.scale, (n_out,)).astype(np.float64)
            q32 = np.rint(real / want.astype(np.float64))
            q32 = np.clip(q32, -(2**31), 2**31 - 1)
        quant = Quant(scale=want, zero_point=np.zeros(n_out, np.int64), axis=0)
        return self.add_tensor(name, (n_out,), "int32", quant, q32.astype(np.int32))

    def zero_bias(self, name: str, x: Tensor, w_quant: Quant | None, n_out: int) -> int:
        if w_quant is None:
            idx = self.add_tensor(name, (n_out,), "float32", None, np.zeros(n_out, np.float32))
        else:
            scale = (np.float32(x.quant.scale[0]) *
                     np.broadcast_to(w_quant.scale, (n_out,))).astype(np.float32)
            idx = self.add_tensor(name, (n_out,), "int32", Quant(scale, np.zeros(n_out, np.int64)),
                                  np.zeros(n_out, np.int32))
        self.zero_biases.add(idx)
        return idx

    # --- operators ---------------------------------------------------------------------------
    def op_Constant(self, node) -> None:
        a = self.attrs(node)
        if "value" in a:
            self.consts[node.output[0]] = self._array(a["value"])
        elif "value_float" in a or "value_floats" in a:
            self.consts[node.output[0]] = np.asarray(a.get("value_float", a.get("value_floats")),
                                                     np.float32)
        elif "value_int" in a or "value_ints" in a:
            self.consts[node.output[0]] = np.asarray(a.get("value_int", a.get("value_ints")),
                                                     np.int64)
        else:
            raise self.err(node, f"constant kind {', '.join(a)} is not supported")
        self.shapes[node.output[0]] = self.consts[node.output[0]].shape

    def op_Identity(self, node) -> None:
        self._alias(node, node.input[0], node.output[0])

    def op_Dropout(self, node) -> None:
        if len(node.output) > 1 and node.output[1] and self.consumers[node.output[1]]:
            raise self.err(node, "its mask output is used; inference has no dropout mask")
        self._alias(node, node.input[0], node.output[0])

    def _alias(self, node, src: str, dst: str) -> None:
        for table in (self.dq, self.val, self.qconst, self.consts):
            if src in table:
                table[dst] = table[src]
                return
        if src in self.pending:
            self.pending[dst] = self.pending.pop(src)
            self.consumers[dst] += self.consumers[src] - 1
            return
        raise self.err(node, f"its input {src!r} is not computed by a supported operator")

    def _padding(self, node, in_hw, k_hw, strides, dilations, out_hw, a) -> str:
        """TFLite's SAME or VALID for an ONNX window, or an error: explicit pads must agree."""
        auto = a.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if auto == "VALID":
            pads = [0, 0, 0, 0]
        fits = {}
        for mode in ("VALID", "SAME"):
            ok = True
            for d in range(2):
                n, k, s, dil, out = in_hw[d], k_hw[d], strides[d], dilations[d], out_hw[d]
                eff = (k - 1) * dil + 1
                if mode == "VALID":
                    want_out, want_pad, begin = (n - eff) // s + 1, 0, pads[d]
                else:  # TFLite: the odd pad goes at the end
                    want_out = (n + s - 1) // s
                    total = max((want_out - 1) * s + eff - n, 0)
                    want_pad = total // 2
                    begin = {"SAME_UPPER": total // 2, "SAME_LOWER": total - total // 2}.get(
                        auto, pads[d])
                ok &= out == want_out and begin == want_pad
            fits[mode] = ok
        if auto in ("SAME_UPPER", "SAME_LOWER") and fits["SAME"]:
            return "SAME"
        if fits["VALID"] and (not any(pads) or not fits["SAME"]):
            return "VALID"
        if fits["SAME"]:
            return "SAME"
        raise self.err(node, f"padding {auto if auto != 'NOTSET' else pads} for input {in_hw}, "
                             f"window {k_hw}, strides {strides} is neither SAME nor VALID (TFLite "
                             "style); other paddings need a PAD operator, not supported")

    def op_Conv(self, node) -> None:
        a = self.attrs(node)
        x = self.act(node.input[0], node)
        xt = self.tensors[x]
        w, wq = self.weight(node.input[1], node)
        if w.ndim != 4 or len(xt.shape) != 4:
            raise self.err(node, f"is a {w.ndim - 2}-D convolution; only 2-D Conv (NCHW) is "
                                 "supported")
        out_shape = self.shape(node.output[0], node)
        n_out, cin_g, kh, kw = w.shape
        cin, group = xt.shape[3], int(a.get("group", 1))
        strides = list(a.get("strides", [1, 1]))
        dil = list(a.get("dilations", [1, 1]))
        padding = self._padding(node, xt.shape[1:3], (kh, kw), strides, dil, out_shape[2:], a)
        options = {"dilation_h_factor": int(dil[0]), "dilation_w_factor": int(dil[1]),
                   "fused_activation_function": "NONE", "padding": padding,
                   "stride_h": int(strides[0]), "stride_w": int(strides[1])}
        if wq is not None and wq.per_channel and wq.axis != 0:
            raise self.err(node, f"weights are quantized per channel along axis {wq.axis}; the "
                                 "output channel (axis 0) is supported")
        if group == cin and cin_g == 1 and cin > 1:  # depthwise: filter 1HWO, quant axis 3
            kind = "DEPTHWISE_CONV_2D"
            filt = np.ascontiguousarray(w.transpose(1, 2, 3, 0))
            options["depth_multiplier"] = n_out // cin
            axis = 3
        else:  # regular (or grouped) conv: filter OHWI
            kind = "CONV_2D"
            filt = np.ascontiguousarray(w.transpose(0, 2, 3, 1))
            options["quantized_bias_type"] = 0
            axis = 0
        fq = None if wq is None else Quant(wq.scale, wq.zero_point, axis if wq.per_channel else 0)
        fi = self.add_tensor(node.input[1], filt.shape, filt.dtype.name, fq, filt)
        if len(node.input) > 2 and node.input[2]:
            bi = self.bias(node.input[2], node, xt, fq, n_out)
        else:  # TFLite's converter always writes one (and TFLite's float conv needs it)
            bi = self.zero_bias(node.output[0] + "/bias", xt, fq, n_out)
        self.emit(node, kind, [x, fi, bi], dict(sorted(options.items())))

    def _fc(self, node, x: int, w: np.ndarray, wq: Quant | None, bias_name: str | None,
            keep_dims: bool) -> None:
        xt = self.tensors[x]
        if w.shape[1] != xt.shape[-1] and xt.size % w.shape[1]:
            raise self.err(node, f"weights {w.shape} do not fit input {xt.shape}")
        fi = self.add_tensor(node.input[1], w.shape, w.dtype.name, wq, np.ascontiguousarray(w))
        bi = self.bias(bias_name, node, xt, wq, w.shape[0]) if bias_name else -1
        self.emit(node, "FULLY_CONNECTED", [x, fi, bi],
                  {"asymmetric_quantize_inputs": False, "fused_activation_function": "NONE",
                   "keep_num_dims": keep_dims, "quantized_bias_type": 0, "weights_format": 0})

    def _fc_weights(self, node, name: str, transposed: bool) -> tuple[np.ndarray, Quant | None]:
        """(out, in) weights; `transposed`: the file holds (in, out)."""
        w, wq = self.weight(name, node)
        if w.ndim != 2:
            raise self.err(node, f"weights {name!r} have shape {w.shape}; 2-D expected")
        out_axis = 1 if transposed else 0
        if wq is not None and wq.per_channel and wq.axis != out_axis:
            raise self.err(node, "weights are quantized per channel along the input axis; per "
                                 "output channel (or per tensor) is supported")
        if transposed:
            w = w.T
        return w, None if wq is None else Quant(wq.scale, wq.zero_point, 0)

    def op_Gemm(self, node) -> None:
        a = self.attrs(node)
        if a.get("transA", 0) or float(a.get("alpha", 1.0)) != 1.0 or \
                (len(node.input) > 2 and node.input[2] and float(a.get("beta", 1.0)) != 1.0):
            raise self.err(node, "only Gemm with transA=0, alpha=1, beta=1 is supported")
        x = self.act(node.input[0], node)
        w, wq = self._fc_weights(node, node.input[1], not a.get("transB", 0))
        bias = node.input[2] if len(node.input) > 2 and node.input[2] else None
        self._fc(node, x, w, wq, bias, False)

    def op_MatMul(self, node) -> None:
        x = self.act(node.input[0], node)
        xt = self.tensors[x]
        if len(xt.shape) == 4:
            raise self.err(node, "MatMul on a 4-D activation is not supported")
        w, wq = self._fc_weights(node, node.input[1], True)
        self._fc(node, x, w, wq, None, len(xt.shape) > 2)

    def _pool(self, node, kind: str, kernel, strides, padding: str) -> None:
        x = self.act(node.input[0], node)
        self.emit(node, kind, [x], {"filter_height": int(kernel[0]), "filter_width": int(kernel[1]),
                                    "fused_activation_function": "NONE", "padding": padding,
                                    "stride_h": int(strides[0]), "stride_w": int(strides[1])})

    def _window_pool(self, node, kind: str) -> None:
        a = self.attrs(node)
        if len(node.output) > 1 and node.output[1] and self.consumers[node.output[1]]:
            raise self.err(node, "its Indices output is not supported")
        xt = self.tensors[self.act(node.input[0], node)]
        kernel = list(a["kernel_shape"])
        if len(kernel) != 2 or len(xt.shape) != 4:
            raise self.err(node, "only 2-D pooling (NCHW) is supported")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise self.err(node, "dilated pooling is not supported")
        strides = list(a.get("strides", [1, 1]))
        out_shape = self.shape(node.output[0], node)
        padding = self._padding(node, xt.shape[1:3], kernel, strides, [1, 1], out_shape[2:], a)
        if kind == "AVERAGE_POOL_2D" and a.get("count_include_pad", 0) and padding == "SAME":
            total = [max((o - 1) * s + k - n, 0) for o, s, k, n in
                     zip(out_shape[2:], strides, kernel, xt.shape[1:3])]
            if any(total):
                raise self.err(node, "count_include_pad=1 with padding is not supported (TFLite "
                                     "averages over the valid elements only)")
        self._pool(node, kind, kernel, strides, padding)

    def op_MaxPool(self, node) -> None:
        self._window_pool(node, "MAX_POOL_2D")

    def op_AveragePool(self, node) -> None:
        self._window_pool(node, "AVERAGE_POOL_2D")

    def op_GlobalAveragePool(self, node) -> None:
        xt = self.tensors[self.act(node.input[0], node)]
        if len(xt.shape) != 4:
            raise self.err(node, "only 4-D (NCHW) inputs are supported")
        hw = xt.shape[1:3]
        self._pool(node, "AVERAGE_POOL_2D", hw, hw, "VALID")
        self.ops[-1].options["_global"] = True  # see _mean_as_depthwise; dropped in run()

    def _mean_as_depthwise(self, op: Op) -> None:
        """A global average whose output is quantized differently from its input (onnxruntime's
        quantizer does that; int8 AVERAGE_POOL_2D cannot requantize): a DEPTHWISE_CONV_2D over the
        whole map with weights 1 at scale 1/(H*W), which is the mean, requantized, rounded once."""
        xt = self.tensors[op.inputs[0]]
        _, h, w, c = xt.shape
        ones = np.ones((1, h, w, c), np.int8)
        quant = Quant(scale=np.array([1.0 / (h * w)], np.float32), zero_point=np.zeros(1, np.int64))
        fi = self.add_tensor(xt.name + "/mean_weights", ones.shape, "int8", quant, ones)
        op.kind, op.inputs = "DEPTHWISE_CONV_2D", [op.inputs[0], fi, -1]
        op.options = {"depth_multiplier": 1, "dilation_h_factor": 1, "dilation_w_factor": 1,
                      "fused_activation_function": op.options["fused_activation_function"],
                      "padding": "VALID", "stride_h": h, "stride_w": w}

    def op_Add(self, node) -> None:
        a_name, b_name = node.input[0], node.input[1]
        const = [n in self.consts or n in self.qconst for n in (a_name, b_name)]
        if all(const):
            raise self.err(node, "adds two constants; fold them before export")
        if any(const):
            act_name, c_name = (b_name, a_name) if const[0] else (a_name, b_name)
            op = self.pending.get(act_name)
            if op is not None and op.kind in ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D") \
                    and (op.inputs[2] == -1 or op.inputs[2] in self.zero_biases) \
                    and self.consumers[act_name] == 1:
                self._fuse_bias(node, op, act_name, c_name)
                return
            x = self.act(act_name, node)
            data, q = self.weight(c_name, node)
            onnx_shape = self.shape(act_name, node)
            if tuple(data.shape) != tuple(onnx_shape):
                hint = ""
                if data.size == onnx_shape[-1]:  # a bias quantized apart from its MatMul
                    hint = ("; a MatMul + Add bias quantized separately: fuse them into a Gemm "
                            "before quantizing (onnxruntime.quantization.quant_pre_process)")
                raise self.err(node, f"adds a constant of shape {data.shape} to {onnx_shape}; "
                                     f"broadcasting is not supported{hint}")
            if data.ndim == 4:
                data = np.ascontiguousarray(data.transpose(TO_NHWC))
            ci = self.add_tensor(c_name, data.shape, data.dtype.name, q, data)
            ins = [x, ci] if not const[0] else [ci, x]
        else:
            ins = [self.act(a_name, node), self.act(b_name, node)]
        self.emit(node, "ADD", ins, {"fused_activation_function": "NONE", "pot_scale_int16": True})

    def _fuse_bias(self, node, op: Op, act_name: str, c_name: str) -> None:
        """MatMul/Conv + constant Add -> the op's bias."""
        data, _ = self.weight(c_name, node)
        n_out = self.tensors[op.inputs[1]].shape[0 if op.kind != "DEPTHWISE_CONV_2D" else 3]
        channel = -1 if op.kind == "FULLY_CONNECTED" else -3  # ONNX: (..., N) or (C, H, W)
        if data.size != 1 and (data.size != n_out or data.ndim < -channel or
                               data.shape[channel] != n_out):
            raise self.err(node, f"adds a constant of shape {data.shape} that is not a bias of "
                                 f"the {op.kind} before it")
        op.inputs[2] = self.bias(c_name, node, self.tensors[op.inputs[0]],
                                 self.tensors[op.inputs[1]].quant, n_out)
        self.pending.pop(act_name)
        self.pending[node.output[0]] = op

    def _activation(self, node, lo: float, hi: float) -> None:
        kind = ACTIVATIONS.get((lo, hi))
        if kind is None:
            raise self.err(node, f"clips to [{lo}, {hi}]; supported: [0, inf) (Relu), [0, 6] "
                                 "(Relu6), [-1, 1]")
        src = node.input[0]
        op = self.pending.get(src)
        if op is not None and op.kind in FUSABLE and \
                op.options.get("fused_activation_function") == "NONE" and self.consumers[src] == 1:
            op.options["fused_activation_function"] = kind
            self.pending[node.output[0]] = self.pending.pop(src)
            return
        x = self.act(src, node)
        self.emit(node, kind, [x], {})

    def op_Relu(self, node) -> None:
        self._activation(node, 0.0, math.inf)

    def op_Clip(self, node) -> None:
        a = self.attrs(node)
        lo, hi = float(a.get("min", -math.inf)), float(a.get("max", math.inf))
        for k, default in ((1, -math.inf), (2, math.inf)):
            if len(node.input) > k and node.input[k]:
                name = node.input[k]
                if name in self.qconst:
                    d, q = self.qconst[name]
                    value = float((d.reshape(-1)[0] - q.zero_point[0]) * q.scale[0])
                elif name in self.consts:
                    value = float(self.consts[name].reshape(-1)[0])
                else:
                    raise self.err(node, "its bounds are not constant")
                lo, hi = (value, hi) if k == 1 else (lo, value)
            elif self.opset >= 11:
                lo, hi = (default, hi) if k == 1 else (lo, default)
        self._activation(node, lo, hi)

    def op_Softmax(self, node) -> None:
        x = self.act(node.input[0], node)
        shape = self.shape(node.input[0], node)
        rank = len(shape)
        axis = int(self.attrs(node).get("axis", -1 if self.opset >= 13 else 1)) % rank
        channel = 1 if rank == 4 else rank - 1  # the IR's last axis
        # opset < 13: softmax over all axes from `axis` on, flattened
        reduced = [axis] if self.opset >= 13 else list(range(axis, rank))
        if channel not in reduced or any(shape[d] != 1 for d in reduced if d != channel):
            raise self.err(node, f"softmax over axis {axis} of {shape}; only over the channels "
                                 "(the last NHWC axis) is supported")
        self.emit(node, "SOFTMAX", [x], {"beta": 1.0})

    def op_Reshape(self, node) -> None:
        if len(node.input) > 1 and node.input[1] not in self.consts:
            raise self.err(node, "its shape is not a constant")
        if self.attrs(node).get("allowzero", 0):
            raise self.err(node, "allowzero=1 is not supported")
        self._reshape(node)

    def op_Flatten(self, node) -> None:
        self._reshape(node)

    def _reshape(self, node) -> None:
        """ONNX reshapes NCHW data; the IR holds 4-D activations NHWC: transpose around the reshape
        where a spatial extent makes the orders differ."""
        x = self.act(node.input[0], node)
        in_shape, out_shape = self.shape(node.input[0], node), self.shape(node.output[0], node)
        src, base = x, node.output[0]
        if len(in_shape) == 4 and in_shape[2] * in_shape[3] != 1:
            src = self.intermediate("TRANSPOSE", src, in_shape, [self.int_const(
                base + "/perm_in", TO_NCHW)], {}, base + "/nchw")
        if len(out_shape) == 4 and out_shape[2] * out_shape[3] != 1:
            mid = self.intermediate("RESHAPE", src, out_shape, [self.int_const(
                base + "/shape", out_shape)], {"new_shape": list(out_shape)}, base + "/nchw_out")
            self.emit(node, "TRANSPOSE", [mid, self.int_const(base + "/perm_out", TO_NHWC)], {},
                      out_shape=_nhwc(out_shape))
            return
        target = _nhwc(out_shape)
        self.emit(node, "RESHAPE", [src, self.int_const(base + "/shape", target)],
                  {"new_shape": list(target)}, out_shape=target)


def _same_quant(a: Quant | None, b: Quant | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a.scale) == len(b.scale) and np.array_equal(np.float32(a.scale),
                                                           np.float32(b.scale)) and \
        np.array_equal(a.zero_point, b.zero_point)


def _readers(graph: Graph) -> Counter:
    c = Counter(x for op in graph.ops for x in op.inputs if x >= 0)
    c.update(graph.outputs)
    return c


def _fuse_activations(graph: Graph) -> None:
    """A standalone RELU/RELU6/RELU_N1_TO_1 becomes its producer's fused activation when that
    changes no number: the producer can fuse one, its output feeds only this op, and (int8) both
    tensors share the quantization."""
    readers = _readers(graph)
    writer = {o: op for op in graph.ops for o in op.outputs}
    for act in [op for op in graph.ops if op.kind in ACTIVATIONS.values()]:
        src = act.inputs[0]
        prod = writer.get(src)
        if prod is None or prod.kind not in FUSABLE or readers[src] != 1 or \
                prod.options.get("fused_activation_function") != "NONE" or \
                not _same_quant(graph.tensors[src].quant, graph.tensors[act.outputs[0]].quant):
            continue
        prod.options["fused_activation_function"] = act.kind
        prod.outputs = list(act.outputs)
        writer[act.outputs[0]] = prod
        graph.ops.remove(act)


def _fold_flatten_into_fc(graph: Graph) -> None:
    """TRANSPOSE(NHWC->NCHW) -> RESHAPE(N, C*H*W) -> FULLY_CONNECTED: permute the layer's weight
    columns from CHW to HWC order instead and reshape the NHWC tensor directly."""
    readers = _readers(graph)
    writer = {o: op for op in graph.ops for o in op.outputs}
    for fc in [op for op in graph.ops if op.kind == "FULLY_CONNECTED"]:
        rs = writer.get(fc.inputs[0])
        if rs is None or rs.kind != "RESHAPE" or readers[rs.outputs[0]] != 1:
            continue
        tr = writer.get(rs.inputs[0])
        if tr is None or tr.kind != "TRANSPOSE" or readers[tr.outputs[0]] != 1 or \
                tuple(graph.tensors[tr.inputs[1]].data.tolist()) != TO_NCHW:
            continue
        n, h, w, c = graph.tensors[tr.inputs[0]].shape
        wt = graph.tensors[fc.inputs[1]]
        if wt.shape[1] != c * h * w:
            continue
        wt.data = np.ascontiguousarray(wt.data.reshape(wt.shape[0], c, h, w)
                                       .transpose(0, 2, 3, 1).reshape(wt.shape))
        rs.inputs[0] = tr.inputs[0]
        graph.ops.remove(tr)


def _compact(graph: Graph) -> Graph:
    """Drop tensors no op, input or output refers to any more; renumber."""
    used = sorted({x for op in graph.ops for x in (*op.inputs, *op.outputs) if x >= 0}
                  | set(graph.inputs) | set(graph.outputs))
    new = {old: k for k, old in enumerate(used)}
    for op in graph.ops:
        op.inputs = [new[x] if x >= 0 else -1 for x in op.inputs]
        op.outputs = [new[x] for x in op.outputs]
    return Graph(graph.name, [graph.tensors[i] for i in used], graph.ops,
                 [new[i] for i in graph.inputs], [new[i] for i in graph.outputs])
