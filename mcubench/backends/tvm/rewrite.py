"""Relax dataflow-pattern rewrite: TFLite's quantized ops back to int8 integer arithmetic.

TVM's TFLite frontend imports every quantized operator as ``dequantize -> float op -> quantize``.
Each rule below matches one such chain with ``relax.dpl`` and replaces it with integer Relax ops
that compute exactly what TFLite Micro's reference kernels compute:

- CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: int8 x int8 products accumulated in int32, the
  input zero point folded into the bias (``sum((x - zx) w) = sum(x w) - zx sum(w)``); padding is an
  explicit ``nn.pad`` with the zero point as its value (real zero, as TFLite pads), which fuse.py
  merges into the convolution's kernel.
- ADD: both inputs offset, shifted up 20 bits and rescaled to a common grid, summed, rescaled.
- SOFTMAX: a TE kernel (kernels.py) with TFLite's fixed-point exp and reciprocal.
- AVERAGE_POOL_2D, RESHAPE: the frontend already keeps them in int8, average pooling as
  ``astype(int32) -> avg_pool2d -> astype(int8)``, which becomes one int8 ``avg_pool2d`` (no int32
  tensor between kernels), legalized with TFLite's rounding in kernels.py; float QDQ forms are
  mapped onto the same ops.

Requantization is TFLite's ``MultiplyByQuantizedMultiplier`` (double rounding) in elementwise ops,
so operator fusion folds it into the producing kernel: a rounding doubling high multiply in int64
(``(x * m + 2^30) >> 31`` is exactly gemmlowp's nudge-and-truncate) and a rounding right shift
written like TFLite's ``RoundingDivideByPOT`` (remainder against a threshold), which cannot
overflow. Multipliers and shifts come from mcubench.ir.quant, the same code the aot backend uses.
``tirx.q_multiply_shift`` is not used: it rounds once, TFLite twice, and they differ in the last
bit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import tvm
from tvm import relax
from tvm.relax import dpl

from ...ops.common import qmath as quant
from ...ops.softmax import softmax_quant
from . import kernels

INT8_MIN, INT8_MAX = -128, 127


@dataclass
class Report:
    """What the rewrite did: TFLite op kind -> count, and what stayed float."""

    rewritten: dict[str, int] = field(default_factory=dict)
    float_ops: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.rewritten[kind] = self.rewritten.get(kind, 0) + 1


# --- constants ------------------------------------------------------------------------------------

def const_value(expr, var2val=None) -> np.ndarray:
    """The value of a constant-only expression: constants under permute_dims/reshape/astype, looked
    up through the function's bindings (`var2val`) where the matcher hands out bound variables."""
    while isinstance(expr, relax.Var) and var2val is not None and expr in var2val:
        expr = var2val[expr]
    if isinstance(expr, tvm.ir.expr.GenericConst):
        return expr.value.numpy()
    if isinstance(expr, relax.Call) and isinstance(expr.op, tvm.ir.Op):
        name = expr.op.name
        arg = const_value(expr.args[0], var2val)
        if name == "relax.permute_dims":
            axes = expr.attrs.axes
            return np.transpose(arg, None if axes is None else [int(a) for a in axes])
        if name == "relax.reshape":
            return arg.reshape(shape_of(expr))
        if name == "relax.astype":
            return arg.astype(str(expr.attrs.dtype))
    raise ValueError(f"not a constant expression: {expr}")


def is_constant(expr, var2val=None) -> bool:
    try:
        const_value(expr, var2val)
        return True
    except (ValueError, AttributeError):
        return False


def shape_of(expr) -> tuple[int, ...]:
    return tuple(int(d) for d in expr.ty.shape)


def dtype_of(expr) -> str:
    return str(expr.ty.dtype)


def scalar(expr, var2val=None) -> float:
    v = np.asarray(const_value(expr, var2val))
    if v.size != 1:
        raise ValueError("per-channel activation quantization")
    return v.reshape(()).item()


def c(value, dtype: str, shape=None):
    """A Relax constant of `dtype`; shaped for broadcasting when `shape` is given."""
    arr = np.asarray(value).astype(dtype)
    if shape is not None:
        arr = arr.reshape(shape)
    return relax.const(arr, dtype)


# --- integer building blocks (Relax ops; fused into the producing kernel later) -------------------

def requantize(acc, pairs: list[tuple[int, int]], cshape) -> relax.Expr:
    """int32 `acc` times the quantized multipliers (per channel or one), TFLite-exact, int32 out.

    `cshape`: the broadcast shape of per-channel constants (e.g. (1, 1, 1, C) for NHWC)."""
    mult = np.array([m for m, _ in pairs], np.int64)
    shift = np.array([s for _, s in pairs], np.int64)
    left, right = np.maximum(shift, 0), np.maximum(-shift, 0)
    per_channel = len(pairs) > 1 and not (np.all(mult == mult[0]) and np.all(shift == shift[0]))
    shp = cshape if per_channel else ()
    pick = (lambda a: a) if per_channel else (lambda a: a[:1])
    # (x << left) * m as one int64 product: TFLite shifts in int32, which never overflows for
    # multipliers a converter writes (left > 0 only for real multipliers above one).
    prod = relax.op.multiply(relax.op.astype(acc, "int64"), c(pick(mult << left), "int64", shp))
    high = relax.op.right_shift(relax.op.add(prod, c(1 << 30, "int64")), c(31, "int64"))
    high = relax.op.astype(high, "int32")  # exactly gemmlowp's SaturatingRoundingDoublingHighMul
    if not np.any(right):
        return high
    # RoundingDivideByPOT: (x >> e) + (remainder > (mask >> 1) + (x < 0)), no overflow possible
    mask = (np.int64(1) << right) - 1
    neg = relax.op.bitwise_and(relax.op.right_shift(high, c(31, "int32")), c(1, "int32"))
    threshold = relax.op.add(neg, c(pick(mask >> 1), "int32", shp))  # tensor first: ConvertLayout
    remainder = relax.op.bitwise_and(high, c(pick(mask), "int32", shp))
    up = relax.op.astype(relax.op.greater(remainder, threshold), "int32")
    return relax.op.add(relax.op.right_shift(high, c(pick(right), "int32", shp)), up)


def to_int8(x32, zero_point: int, lo: int = INT8_MIN, hi: int = INT8_MAX) -> relax.Expr:
    """Add the output zero point, clamp to the activation range, narrow to int8."""
    x32 = relax.op.add(x32, c(zero_point, "int32"))
    x32 = relax.op.minimum(relax.op.maximum(x32, c(lo, "int32")), c(hi, "int32"))
    return relax.op.astype(x32, "int8")


# --- patterns -------------------------------------------------------------------------------------

def _deq(data=None):
    return dpl.is_op("relax.dequantize")(data or dpl.wildcard(), dpl.is_const(), dpl.is_const())


def _quantize(x):
    return dpl.is_op("relax.quantize")(x, dpl.is_const(), dpl.is_const())


def _qparams(call) -> tuple[float, int]:
    """(scale, zero point) of a per-tensor quantize/dequantize call."""
    return float(np.float32(scalar(call.args[1]))), int(scalar(call.args[2]))


class Rules:
    """Every rewrite rule, as (pattern, callback); callbacks return the original call to decline."""

    def __init__(self, builder: relax.BlockBuilder, softmax_betas=()):
        self.report = Report()
        # TVM's frontend drops SOFTMAX's beta; the caller passes them from the TFLite model
        self.softmax_betas = list(softmax_betas)
        self.builder = builder  # holds the module; new PrimFuncs (softmax) are added to it
        self.var2val = {}

    def value(self, expr) -> np.ndarray:
        return const_value(expr, self.var2val)

    # CONV_2D, DEPTHWISE_CONV_2D ------------------------------------------------------------------
    def conv_pattern(self):
        self.p_x = _deq()
        self.p_w = _deq(dpl.is_const() | dpl.is_op("relax.permute_dims")(dpl.is_const()))
        self.p_w_reshaped = dpl.is_op("relax.reshape")(self.p_w, dpl.wildcard())
        self.p_conv = dpl.is_op("relax.nn.conv2d")(self.p_x, self.p_w | self.p_w_reshaped)
        self.p_bias = _deq(dpl.is_const())
        self.p_acc = dpl.is_op("relax.add")(self.p_conv, self.p_bias)
        self.p_q = _quantize(self.p_acc | self.p_conv)
        return self.p_q

    def conv(self, orig, m):
        conv, x_deq, w_deq = m[self.p_conv], m[self.p_x], m[self.p_w]
        a = conv.attrs
        if str(a.data_layout) != "NHWC" or str(a.kernel_layout) not in ("HWIO", "HWOI"):
            return orig
        try:
            s_in, z_in = _qparams(x_deq)
            s_out, z_out = _qparams(orig)
            w = self.value(w_deq.args[0])
            w_scale = np.atleast_1d(self.value(w_deq.args[1])).astype(np.float32)
            w_zp = np.atleast_1d(self.value(w_deq.args[2]))
        except ValueError:
            return orig
        if w.dtype != np.int8 or np.any(w_zp != 0) or dtype_of(x_deq.args[0]) != "int8" \
                or str(orig.attrs.out_dtype) != "int8":
            return orig
        if self.p_w_reshaped in m:
            w = w.reshape(shape_of(m[self.p_w_reshaped]))
        o_axis = str(a.kernel_layout).index("O")
        cout = w.shape[o_axis]
        bias = np.zeros(cout, np.int64)
        if self.p_acc in m:
            b = self.value(m[self.p_bias].args[0])
            if b.dtype != np.int32 or b.size != cout:
                return orig
            bias = b.astype(np.int64).reshape(cout)
        scales = np.broadcast_to(w_scale, (cout,))
        pairs = quant.requant_per_channel(s_in, scales, s_out)
        data, padding = x_deq.args[0], [int(p) for p in a.padding]
        if any(padding) and z_in != 0:  # padding must be the real value 0, i.e. the zero point
            top, left, bottom, right = padding
            data = relax.op.nn.pad(data, [0, 0, top, bottom, left, right, 0, 0],
                                   pad_value=float(z_in))
            padding = [0, 0, 0, 0]
        sum_w = w.astype(np.int64).sum(axis=tuple(i for i in range(4) if i != o_axis))
        bias = bias - z_in * sum_w
        acc = relax.op.nn.conv2d(data, relax.const(w, "int8"), a.strides, padding, a.dilation,
                                 int(a.groups), "NHWC", str(a.kernel_layout), "NHWC", "int32")
        acc = relax.op.add(acc, c(bias, "int32", (1, 1, 1, cout)))
        self.report.add("DEPTHWISE_CONV_2D" if int(a.groups) > 1 else "CONV_2D")
        return to_int8(requantize(acc, pairs, (1, 1, 1, cout)), z_out)

    # FULLY_CONNECTED ------------------------------------------------------------------------------
    def fc_pattern(self):
        self.p_fx = _deq()
        self.p_fw = _deq(dpl.is_op("relax.permute_dims")(dpl.is_const()) | dpl.is_const())
        self.p_mm = dpl.is_op("relax.matmul")(self.p_fx, self.p_fw)
        self.p_fbias = _deq(dpl.is_const())
        self.p_facc = dpl.is_op("relax.add")(self.p_mm, self.p_fbias)
        return _quantize(self.p_facc | self.p_mm)

    def fc(self, orig, m):
        x_deq, w_deq = m[self.p_fx], m[self.p_fw]
        try:
            s_in, z_in = _qparams(x_deq)
            s_out, z_out = _qparams(orig)
            w = self.value(w_deq.args[0])  # (in, out)
            w_scale = np.atleast_1d(self.value(w_deq.args[1])).astype(np.float32)
            w_zp = np.atleast_1d(self.value(w_deq.args[2]))
        except ValueError:
            return orig
        x = x_deq.args[0]
        if w.dtype != np.int8 or w.ndim != 2 or np.any(w_zp != 0) or dtype_of(x) != "int8" \
                or str(orig.attrs.out_dtype) != "int8":
            return orig
        n_out = w.shape[1]
        bias = np.zeros(n_out, np.int64)
        if self.p_facc in m:
            b = self.value(m[self.p_fbias].args[0])
            if b.dtype != np.int32 or b.size != n_out:
                return orig
            bias = b.astype(np.int64).reshape(n_out)
        bias = bias - z_in * w.astype(np.int64).sum(axis=0)
        if w_scale.size > 1:
            pairs = quant.requant_per_channel(s_in, w_scale, s_out)
        else:
            pairs = [quant.requant_per_tensor(s_in, w_scale[0], s_out)]
        acc = relax.op.matmul(x, relax.const(w, "int8"), out_dtype="int32")
        acc = relax.op.add(acc, c(bias, "int32", (n_out,)))
        self.report.add("FULLY_CONNECTED")
        return to_int8(requantize(acc, pairs, (n_out,)), z_out)

    # ADD ------------------------------------------------------------------------------------------
    def add_pattern(self):
        self.p_a, self.p_b = _deq(), _deq()
        self.p_sum = dpl.is_op("relax.add")(self.p_a, self.p_b)
        self.p_relu = dpl.is_op("relax.nn.relu")(self.p_sum)
        self.p_fclip = dpl.is_op("relax.clip")(self.p_sum, dpl.wildcard(), dpl.wildcard())
        return _quantize(self.p_sum | self.p_relu | self.p_fclip)

    def add(self, orig, m):
        a, b = m[self.p_a], m[self.p_b]
        if any(is_constant(x.args[0], self.var2val) or dtype_of(x.args[0]) != "int8"
               for x in (a, b)) or str(orig.attrs.out_dtype) != "int8":
            return orig
        fused = "NONE"
        if self.p_relu in m:
            fused = "RELU"
        elif self.p_fclip in m:
            bounds = tuple(_prim(v) for v in m[self.p_fclip].args[1:])
            fused = {(0.0, 6.0): "RELU6", (-1.0, 1.0): "RELU_N1_TO_1"}.get(bounds)
            if fused is None:
                return orig
        try:
            (sa, za), (sb, zb), (so, zo) = _qparams(a), _qparams(b), _qparams(orig)
        except ValueError:
            return orig
        p = quant.add_quant(sa, za, sb, zb, so, zo, fused)

        def scaled(x, offset, pair):
            x32 = relax.op.add(relax.op.astype(x, "int32"), c(offset, "int32"))
            x32 = relax.op.multiply(x32, c(1 << p["left_shift"], "int32"))
            return requantize(x32, [pair], ())

        total = relax.op.add(scaled(a.args[0], p["input1_offset"], p["input1"]),
                             scaled(b.args[0], p["input2_offset"], p["input2"]))
        self.report.add("ADD")
        return to_int8(requantize(total, [p["output"]], ()), p["output_offset"], p["act_min"],
                       p["act_max"])

    # SOFTMAX --------------------------------------------------------------------------------------
    def softmax_pattern(self):
        self.p_sx = _deq()
        self.p_sm = dpl.is_op("relax.nn.softmax")(self.p_sx)
        return _quantize(self.p_sm)

    def softmax(self, orig, m):
        x_deq, sm = m[self.p_sx], m[self.p_sm]
        x = x_deq.args[0]
        shape = shape_of(x)
        axis = int(sm.attrs.axis)
        if dtype_of(x) != "int8" or axis not in (-1, len(shape) - 1):
            return orig
        try:
            s_in, _ = _qparams(x_deq)
            s_out, z_out = _qparams(orig)
        except ValueError:
            return orig
        if z_out != -128 or abs(s_out - 1 / 256) > 1e-3 / 256:
            return orig
        beta = self.softmax_betas.pop(0) if self.softmax_betas else 1.0
        p = softmax_quant(beta, s_in)
        func = kernels.softmax_s8(shape, p["input_multiplier"], p["input_left_shift"],
                                  p["diff_min"])
        gv = self.builder.add_func(func, "softmax_s8")
        self.report.add("SOFTMAX")
        return relax.call_tir(gv, (x,), relax.TensorType(shape, "int8"))

    # AVERAGE_POOL_2D in QDQ form (the frontend usually keeps it int8 itself) ----------------------
    def pool_pattern(self):
        self.p_px = _deq()
        self.p_pool = dpl.is_op("relax.nn.avg_pool2d")(self.p_px)
        return _quantize(self.p_pool)

    def pool(self, orig, m):
        x_deq, pool = m[self.p_px], m[self.p_pool]
        try:
            same = _qparams(x_deq) == _qparams(orig)
        except ValueError:
            return orig
        if not same or dtype_of(x_deq.args[0]) != "int8" or str(orig.attrs.out_dtype) != "int8":
            return orig
        a = pool.attrs
        self.report.add("AVERAGE_POOL_2D")
        return relax.op.nn.avg_pool2d(x_deq.args[0], a.pool_size, a.strides, a.padding, a.dilation,
                                      bool(a.ceil_mode), bool(a.count_include_pad), str(a.layout),
                                      str(a.out_layout))

    # AVERAGE_POOL_2D as the frontend writes it: astype(int32) -> avg_pool2d -> astype(int8) -------
    def int_pool_pattern(self):
        self.p_ix = dpl.wildcard()
        self.p_ipool = dpl.is_op("relax.nn.avg_pool2d")(dpl.is_op("relax.astype")(self.p_ix))
        return dpl.is_op("relax.astype")(self.p_ipool)

    def int_pool(self, orig, m):
        x, pool = m[self.p_ix], m[self.p_ipool]
        if dtype_of(x) != "int8" or dtype_of(orig) != "int8" or dtype_of(pool) != "int32":
            return orig
        a = pool.attrs
        self.report.add("AVERAGE_POOL_2D")
        return relax.op.nn.avg_pool2d(x, a.pool_size, a.strides, a.padding, a.dilation,
                                      bool(a.ceil_mode), bool(a.count_include_pad), str(a.layout),
                                      str(a.out_layout))

    # RESHAPE in QDQ form --------------------------------------------------------------------------
    def reshape_pattern(self):
        self.p_rx = _deq()
        self.p_rs = dpl.is_op("relax.reshape")(self.p_rx, dpl.wildcard())
        return _quantize(self.p_rs)

    def reshape(self, orig, m):
        x_deq = m[self.p_rx]
        try:
            same = _qparams(x_deq) == _qparams(orig)
        except ValueError:
            return orig
        if not same or dtype_of(x_deq.args[0]) != "int8":
            return orig
        self.report.add("RESHAPE")
        return relax.op.reshape(x_deq.args[0], shape_of(orig))

    # integer clip: the frontend's fused-activation clamp after quantize ---------------------------
    def clip_pattern(self):
        self.p_cx = dpl.wildcard()
        return dpl.is_op("relax.clip")(self.p_cx, dpl.wildcard(), dpl.wildcard())

    def clip(self, orig, m):
        x = m[self.p_cx]
        if dtype_of(x) != "int8":
            return orig
        lo, hi = (_prim(v) for v in orig.args[1:])
        lo, hi = max(int(np.ceil(lo)), INT8_MIN), min(int(np.floor(hi)), INT8_MAX)
        if (lo, hi) == (INT8_MIN, INT8_MAX):
            return x
        # maximum/minimum instead of clip: ConvertLayout knows them, and they fuse like any other
        return relax.op.minimum(relax.op.maximum(x, c(lo, "int8")), c(hi, "int8"))

    def all(self):
        return [(self.conv_pattern(), self.conv), (self.fc_pattern(), self.fc),
                (self.add_pattern(), self.add), (self.softmax_pattern(), self.softmax),
                (self.pool_pattern(), self.pool), (self.int_pool_pattern(), self.int_pool),
                (self.reshape_pattern(), self.reshape),
                (self.clip_pattern(), self.clip)]


def _prim(v) -> float:
    """A PrimValue / PrimExpr argument (clip bounds) as a Python float."""
    v = getattr(v, "value", v)
    v = getattr(v, "value", v)
    return float(v)


FLOAT_OP_NAMES = {
    "relax.nn.conv2d": "CONV_2D", "relax.matmul": "FULLY_CONNECTED", "relax.add": "ADD",
    "relax.nn.softmax": "SOFTMAX", "relax.nn.avg_pool2d": "AVERAGE_POOL_2D",
    "relax.nn.max_pool2d": "MAX_POOL_2D", "relax.reshape": "RESHAPE", "relax.multiply": "MUL",
    "relax.subtract": "SUB", "relax.nn.relu": "RELU", "relax.tanh": "TANH",
    "relax.sigmoid": "LOGISTIC", "relax.mean": "MEAN", "relax.concat": "CONCATENATION",
}


def float_ops(func: relax.Function) -> dict[str, int]:
    """Operators still computing in float32 (what the rewrite left in QDQ form), by TFLite name."""
    found: dict[str, int] = {}

    def visit(expr):
        if isinstance(expr, relax.Call) and isinstance(expr.op, tvm.ir.Op):
            name = expr.op.name
            if name not in ("relax.dequantize", "relax.quantize") and \
                    getattr(expr.ty, "dtype", None) is not None and str(expr.ty.dtype) == "float32":
                if not all(is_constant(a) for a in expr.args if isinstance(a, relax.Expr)):
                    label = FLOAT_OP_NAMES.get(name, name.replace("relax.", ""))
                    found[label] = found.get(label, 0) + 1

    relax.analysis.post_order_visit(func.body, visit)
    return found


def rewrite_int8(mod: tvm.IRModule, softmax_betas=()) -> tuple[tvm.IRModule, Report]:
    """Apply every rule to `main`; the report names the ops rewritten and those left in float.

    `softmax_betas`: beta of every SOFTMAX of the model, in operator order (the frontend drops
    it)."""
    builder = relax.BlockBuilder(mod)
    rules = Rules(builder, softmax_betas)
    func = mod["main"]
    for pattern, callback in rules.all():
        rules.var2val = relax.analysis.get_var2val(func)
        func = dpl.rewrite_call(pattern, callback, func)
    mod = builder.get()
    mod["main"] = func
    mod = relax.transform.DeadCodeElimination(["main"])(mod)
    rules.report.float_ops = float_ops(mod["main"])
    return mod, rules.report
