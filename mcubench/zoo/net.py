"""A small int8 network builder that calibrates while it builds.

Every layer call adds the layer's int8 tensors and operator to an IR graph and, at the same time,
runs the layer in float64 over a calibration batch (the model's sample inputs), so each choice a
converter would make from data is made from data here too:

- Weights are seeded Gaussians shaped by the covariance of the layer's input (_emphasis), then every
  output channel is scaled by its RMS over the calibration batch and given a seeded gain and offset,
  which is what folding a trained batch norm into a conv does (_fold). Without these, activations of
  random deep nets shrink or blow up from layer to layer, and rounding differences grow.
- Weights are quantized symmetrically to [-127, 127], per output channel for conv and depthwise
  (axis 0 and 3), per tensor for fully connected layers, as the TFLite converter does; biases are
  int32 with scale input_scale * weight_scale.
- Output scales and zero points come from the 0.1 / 99.9 percentiles of the layer's activations,
  and the float pass continues with the quantized-then-dequantized values, so later layers are
  calibrated on what the int8 model will actually see.

Everything is float64 arithmetic on seeded data, stored as int8 / int32 / float32, so a run writes
the same bytes as the last one (tests check it).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.graph import Graph, Op, Quant, Tensor
from ..ops.common.qmath import conv_geometry

LOW, HIGH = 0.1, 99.9  # calibration percentiles for an activation's range
ALIGN, FLOOR = 0.5, 0.02  # see _emphasis


@dataclass
class Act:
    """An activation: its tensor and its float values over the calibration batch (leading axis)."""

    index: int
    value: np.ndarray
    scale: float
    zero_point: int


def _quant(scale, zero_point=0, axis: int = 0) -> Quant:
    scale = np.atleast_1d(np.asarray(scale, dtype=np.float32))
    zp = np.broadcast_to(np.asarray(zero_point, dtype=np.int64), scale.shape).copy()
    return Quant(scale=scale, zero_point=zp, axis=axis)


def fake_quant(value: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Round a float array through int8 and back."""
    q = np.clip(np.round(value / scale) + zero_point, -128, 127)
    return (q - zero_point) * scale


def activation_quant(value: np.ndarray, activation: str) -> tuple[float, int]:
    """(scale, zero point) of int8 values covering the calibration range; 0 is representable."""
    lo = min(float(np.percentile(value, LOW)), 0.0)
    hi = max(float(np.percentile(value, HIGH)), 0.0)
    if activation in ("RELU", "RELU6"):
        lo = 0.0
        if activation == "RELU6":
            hi = min(hi, 6.0)
    scale = float(np.float32(max(hi - lo, 1e-6) / 255))
    zero_point = int(np.clip(np.round(-128 - lo / scale), -128, 127))
    return scale, zero_point


def _activate(value: np.ndarray, activation: str) -> np.ndarray:
    if activation == "RELU":
        return np.maximum(value, 0)
    if activation == "RELU6":
        return np.clip(value, 0, 6)
    if activation == "NONE":
        return value
    raise ValueError(f"activation {activation!r} is not supported by the zoo builder")


def _windows(x: np.ndarray, kh: int, kw: int, stride: int, padding: str):
    """(tap row, tap col, the input slice under that tap for every output pixel)."""
    _, h, w, _ = x.shape
    oh, ow, ph, pw = conv_geometry(padding, h, w, kh, kw, stride, stride)
    xp = np.pad(x, ((0, 0), (ph, ph + kh), (pw, pw + kw), (0, 0)))  # zeros: the real value 0
    for i in range(kh):
        for j in range(kw):
            yield i, j, xp[:, i:i + stride * oh:stride, j:j + stride * ow:stride, :]


def conv_forward(x: np.ndarray, w: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """NHWC conv with an OHWI filter, as TFLite's CONV_2D."""
    out = 0.0
    for i, j, win in _windows(x, w.shape[1], w.shape[2], stride, padding):
        out = out + np.einsum("nhwc,oc->nhwo", win, w[:, i, j, :])
    return out


def depthwise_forward(x: np.ndarray, w: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """NHWC depthwise conv, 1HWC filter (depth multiplier 1), as TFLite's DEPTHWISE_CONV_2D."""
    out = 0.0
    for i, j, win in _windows(x, w.shape[1], w.shape[2], stride, padding):
        out = out + win * w[0, i, j, :]
    return out


def _patches(x: np.ndarray, kh: int, kw: int, stride: int, padding: str) -> np.ndarray:
    """The input under the filter for every output pixel: rows x taps x channels."""
    wins = [win for _, _, win in _windows(x, kh, kw, stride, padding)]
    return np.stack(wins, axis=-2).reshape(-1, kh * kw, x.shape[-1])


def _emphasis(patches: np.ndarray) -> np.ndarray:
    """A matrix that stresses the directions the input varies in: cov^ALIGN with the eigenvalues
    scaled to max 1 and floored at FLOOR (so the weights keep full rank even when the calibration
    batch has fewer rows than the input has dimensions). For rows x d input vectors, d x d; for
    rows x d x C, one per channel (C x d x d).

    Random weights treat every input direction alike, so rounding noise passes through a layer as
    strongly as the signal does and, after normalization, grows from layer to layer: one LSB of
    difference between two int8 implementations became 50-250 LSB at the output of a 27-layer
    twin. Trained weights respond mostly to the directions the data varies in; multiplying the
    random weights by this matrix does the same, and keeps such differences at the few LSB the
    real models show."""
    if patches.ndim == 2:
        patches = patches[:, :, None]
    c = (patches - patches.mean(axis=0)).transpose(2, 0, 1)  # C, rows, d
    # einsum and small eigh, not matmul / svd: multithreaded BLAS crawls on a busy machine
    if c.shape[1] >= c.shape[2]:  # eigenvectors of the d x d covariance
        lam, v = np.linalg.eigh(np.einsum("crk,crl->ckl", c, c))
        v = v.transpose(0, 2, 1)
    else:  # fewer rows than dimensions: the same eigenvectors through the rows x rows Gram matrix
        lam, u = np.linalg.eigh(np.einsum("crk,csk->crs", c, c))
        v = np.einsum("crm,crk->cmk", u, c) / np.sqrt(np.maximum(lam, 1e-30))[:, :, None]
    lam = np.clip(lam, 0, None) / np.maximum(lam.max(axis=-1, keepdims=True), 1e-30)
    g = np.maximum(lam, FLOOR) ** ALIGN - FLOOR ** ALIGN  # 0 for directions the data lacks
    m = np.einsum("cmk,cml->ckl", v * g[:, :, None], v)
    return m + FLOOR ** ALIGN * np.eye(c.shape[-1])


class Net:
    """Builds one int8 graph; layer methods take and return Acts, as in a Keras functional model."""

    def __init__(self, name: str, seed: int | list[int]):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.tensors: list[Tensor] = []
        self.ops: list[Op] = []
        self.inputs: list[int] = []
        self._count: dict[str, int] = {}

    # -- plumbing -------------------------------------------------------------------------------

    def _add_tensor(self, name: str, shape, dtype: str, quant: Quant | None = None,
                    data: np.ndarray | None = None) -> int:
        self.tensors.append(Tensor(name, tuple(int(d) for d in shape), dtype, quant, data))
        return len(self.tensors) - 1

    def _layer(self, kind: str) -> str:
        n = self._count.get(kind, 0)
        self._count[kind] = n + 1
        return kind if n == 0 else f"{kind}_{n}"

    def _output(self, name: str, value: np.ndarray, activation: str,
                quant: tuple[float, int] | None = None) -> Act:
        scale, zp = quant or activation_quant(value, activation)
        index = self._add_tensor(f"{name}/out", (1,) + value.shape[1:], "int8", _quant(scale, zp))
        return Act(index, fake_quant(value, scale, zp), scale, zp)

    def _fold(self, pre: np.ndarray, gain: float, offset: float,
              center: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel (multiplier, bias) that give each channel of ``pre`` a seeded gain and
        offset, as a batch norm folded into the layer would. Channels are scaled by their RMS;
        ``center`` also removes their mean over the calibration batch (classifier heads: without
        it, logits of a random net hardly depend on the input). Centering every layer, as batch
        statistics do, makes a random network chaotic: one LSB of rounding difference grew to
        dozens at the output."""
        channels = pre.shape[-1]
        axes = tuple(range(pre.ndim - 1))
        mean = pre.mean(axis=axes) if center else np.zeros(channels)
        spread = np.sqrt(((pre - mean) ** 2).mean(axis=axes))
        spread = np.maximum(spread, np.median(spread) + 1e-12)  # quiet channels stay quiet
        g = gain * np.exp(self.rng.normal(0.0, 0.25, channels))
        beta = offset + 0.5 * self.rng.standard_normal(channels)
        mult = g / spread
        return mult, beta - mean * mult

    def _weights(self, kind: str, name: str, x: Act, w: np.ndarray, mult: np.ndarray,
                 bias: np.ndarray, axis: int, per_channel: bool) -> tuple[int, int, np.ndarray,
                                                                          np.ndarray]:
        """Quantize folded weights and bias; (weight index, bias index, dequantized w, b)."""
        shape = [1] * w.ndim
        shape[axis] = -1
        w = w * mult.reshape(shape)
        red = tuple(a for a in range(w.ndim) if a != axis)
        absmax = np.abs(w).max(axis=red) if per_channel else np.array([np.abs(w).max()])
        w_scale = (np.maximum(absmax, 1e-12) / 127).astype(np.float32)
        s = w_scale.astype(np.float64).reshape(shape if per_channel else [1] * w.ndim)
        w_q = np.clip(np.round(w / s), -127, 127).astype(np.int8)
        b_scale = (np.float32(x.scale) * w_scale).astype(np.float32)
        b_q = np.clip(np.round(bias / np.broadcast_to(b_scale.astype(np.float64), bias.shape)),
                      -(2**31), 2**31 - 1).astype(np.int32)
        wi = self._add_tensor(f"{name}/{'filter' if kind != 'FULLY_CONNECTED' else 'weights'}",
                              w_q.shape, "int8", _quant(w_scale, 0, axis if per_channel else 0),
                              w_q)
        bi = self._add_tensor(f"{name}/bias", b_q.shape, "int32", _quant(b_scale, 0), b_q)
        return wi, bi, w_q * s, b_q * np.broadcast_to(b_scale.astype(np.float64), bias.shape)

    # -- layers ---------------------------------------------------------------------------------

    def input(self, name: str, calibration: np.ndarray, scale: float, zero_point: int) -> Act:
        """The model input; ``calibration`` is a batch of real-valued inputs (leading axis)."""
        scale = float(np.float32(scale))
        index = self._add_tensor(name, (1,) + calibration.shape[1:], "int8",
                                 _quant(scale, zero_point))
        self.inputs.append(index)
        return Act(index, fake_quant(np.asarray(calibration, np.float64), scale, zero_point),
                   scale, zero_point)

    def conv2d(self, x: Act, filters: int, kernel: tuple[int, int], stride: int = 1,
               padding: str = "SAME", activation: str = "RELU", gain: float = 1.0,
               offset: float = 0.0) -> Act:
        name = self._layer("conv2d")
        kh, kw = kernel
        w = self.rng.standard_normal((filters, kh, kw, x.value.shape[-1]))
        m = _emphasis(x.value.reshape(-1, x.value.shape[-1]))[0]  # across channels, every tap
        w = np.einsum("oijc,cd->oijd", w, m)
        mult, bias = self._fold(conv_forward(x.value, w, stride, padding), gain, offset, False)
        wi, bi, w_dq, b_dq = self._weights("CONV_2D", name, x, w, mult, bias, 0, True)
        value = _activate(conv_forward(x.value, w_dq, stride, padding) + b_dq, activation)
        out = self._output(name, value, activation)
        self.ops.append(Op("CONV_2D", [x.index, wi, bi], [out.index], {
            "dilation_h_factor": 1, "dilation_w_factor": 1, "fused_activation_function": activation,
            "padding": padding, "quantized_bias_type": 0, "stride_h": stride, "stride_w": stride}))
        return out

    def depthwise(self, x: Act, kernel: int = 3, stride: int = 1, padding: str = "SAME",
                  activation: str = "RELU", gain: float = 1.0, offset: float = 0.0) -> Act:
        name = self._layer("depthwise_conv2d")
        w = self.rng.standard_normal((1, kernel, kernel, x.value.shape[-1]))
        m = _emphasis(_patches(x.value, kernel, kernel, stride, padding))  # one per channel
        w = np.einsum("kc,ckl->lc", w.reshape(kernel * kernel, -1), m).reshape(w.shape)
        mult, bias = self._fold(depthwise_forward(x.value, w, stride, padding), gain, offset,
                                False)
        wi, bi, w_dq, b_dq = self._weights("DEPTHWISE_CONV_2D", name, x, w, mult, bias, 3, True)
        value = _activate(depthwise_forward(x.value, w_dq, stride, padding) + b_dq, activation)
        out = self._output(name, value, activation)
        self.ops.append(Op("DEPTHWISE_CONV_2D", [x.index, wi, bi], [out.index], {
            "depth_multiplier": 1, "dilation_h_factor": 1, "dilation_w_factor": 1,
            "fused_activation_function": activation, "padding": padding, "stride_h": stride,
            "stride_w": stride}))
        return out

    def dense(self, x: Act, units: int, activation: str = "NONE", gain: float = 1.0,
              offset: float = 0.0, center: bool = False, align: bool = True,
              weights: np.ndarray | None = None, bias: np.ndarray | None = None) -> Act:
        """FULLY_CONNECTED; ``center`` for a classifier head (see _fold); ``align=False`` keeps
        plain random weights (see _emphasis); explicit float ``weights`` (units x in) and ``bias``
        skip both and the folding."""
        name = self._layer("dense")
        if weights is None:
            w = self.rng.standard_normal((units, x.value.shape[-1]))
            if align:
                w = np.einsum("oc,cd->od", w, _emphasis(x.value)[0])
            mult, b = self._fold(np.einsum("nc,oc->no", x.value, w), gain, offset, center)
        else:
            w, mult, b = np.asarray(weights, np.float64), np.ones(units), np.asarray(bias, float)
        wi, bi, w_dq, b_dq = self._weights("FULLY_CONNECTED", name, x, w, mult, b, 0, False)
        value = _activate(np.einsum("nc,oc->no", x.value, w_dq) + b_dq, activation)
        out = self._output(name, value, activation)
        self.ops.append(Op("FULLY_CONNECTED", [x.index, wi, bi], [out.index], {
            "asymmetric_quantize_inputs": False, "fused_activation_function": activation,
            "keep_num_dims": False, "quantized_bias_type": 0, "weights_format": 0}))
        return out

    def _pool(self, kind: str, x: Act, size: tuple[int, int], stride: tuple[int, int]) -> Act:
        name = self._layer(kind.lower())
        (fh, fw), (sh, sw) = size, stride
        _, h, w, _ = x.value.shape
        oh, ow, _, _ = conv_geometry("VALID", h, w, fh, fw, sh, sw)
        wins = [x.value[:, i:i + sh * oh:sh, j:j + sw * ow:sw, :] for i in range(fh)
                for j in range(fw)]
        value = np.mean(wins, axis=0) if kind == "AVERAGE_POOL_2D" else np.max(wins, axis=0)
        out = self._output(name, value, "NONE", (x.scale, x.zero_point))  # pools keep the quant
        self.ops.append(Op(kind, [x.index], [out.index], {
            "filter_height": fh, "filter_width": fw, "fused_activation_function": "NONE",
            "padding": "VALID", "stride_h": sh, "stride_w": sw}))
        return out

    def global_avg_pool(self, x: Act) -> Act:
        """AVERAGE_POOL_2D over the whole feature map, as Keras models export it."""
        _, h, w, _ = x.value.shape
        return self._pool("AVERAGE_POOL_2D", x, (h, w), (h, w))

    def max_pool(self, x: Act, size: int = 2) -> Act:
        return self._pool("MAX_POOL_2D", x, (size, size), (size, size))

    def add(self, a: Act, b: Act, activation: str = "RELU") -> Act:
        name = self._layer("add")
        out = self._output(name, _activate(a.value + b.value, activation), activation)
        self.ops.append(Op("ADD", [a.index, b.index], [out.index],
                           {"fused_activation_function": activation, "pot_scale_int16": True}))
        return out

    def flatten(self, x: Act) -> Act:
        """RESHAPE to (1, -1), with the shape as a constant operand."""
        name = self._layer("flatten")
        size = int(np.prod(x.value.shape[1:]))
        shape = self._add_tensor(f"{name}/shape", (2,), "int32", None,
                                 np.array([-1, size], np.int32))
        out = self._output(name, x.value.reshape(len(x.value), size), "NONE",
                           (x.scale, x.zero_point))
        self.ops.append(Op("RESHAPE", [x.index, shape], [out.index], {}))
        return out

    def softmax(self, x: Act) -> Act:
        name = self._layer("softmax")
        e = np.exp(x.value - x.value.max(axis=-1, keepdims=True))
        out = self._output(name, e / e.sum(axis=-1, keepdims=True), "NONE", (1 / 256, -128))
        self.ops.append(Op("SOFTMAX", [x.index], [out.index], {"beta": 1.0}))
        return out

    def graph(self, *outputs: Act) -> Graph:
        return Graph(self.name, self.tensors, self.ops, list(self.inputs),
                     [o.index for o in outputs])


def synthetic_inputs(rng: np.random.Generator, count: int, shape: tuple[int, ...], lo: float,
                     hi: float) -> np.ndarray:
    """``count`` real-valued inputs in [lo, hi]: smooth structure plus fine noise, with a different
    brightness and contrast per sample, so samples differ the way real ones do (for conv nets the
    coarse part gives neighbouring pixels correlated values, as in images and spectrograms)."""
    coarse_shape = tuple(max(1, -(-d // 4)) for d in shape)
    coarse = rng.standard_normal((count,) + coarse_shape)
    for axis, d in enumerate(shape):
        if d > 1:
            coarse = np.repeat(coarse, 4, axis=axis + 1).take(range(d), axis=axis + 1)
    fine = rng.standard_normal((count,) + tuple(shape))
    x = 0.8 * coarse + 0.6 * fine
    centre = 0.5 + 0.12 * rng.standard_normal((count,) + (1,) * len(shape))
    spread = 0.15 * np.exp(0.3 * rng.standard_normal((count,) + (1,) * len(shape)))
    return np.clip(lo + (hi - lo) * (centre + spread * x), lo, hi)
