"""TE kernels for the int8 ops Relax has no integer form of, bit-exact with TFLite Micro.

- ``softmax_s8``: TFLite's int8 softmax (gemmlowp fixed point: exp on negative values, sum of exps
  in Q12.19, a Newton-Raphson reciprocal). Each fixed-point step is its own TE stage, so no
  expression is duplicated; the PrimFunc is tagged so the scheduler keeps the stages apart.
- ``avg_pool_int``: a legalization of integer ``relax.nn.avg_pool2d`` with TFLite's rounding (the
  sum over the in-bounds window divided by its size, halves away from zero). TVM's own legalization
  truncates, which differs from TFLite in the last bit.
"""
from __future__ import annotations

import tvm
from tvm import te, tirx

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
KEEP_STAGES = "mcubench.keep_stages"  # PrimFunc attribute: the scheduler leaves the function alone


def _i32(v):
    return tirx.const(v, "int32")


def _i64(v):
    return tirx.const(v, "int64")


def doubling_high_mul(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul (the only overflow case, both INT32_MIN, cannot
    occur in softmax): (a * b + 2^30) >> 31 in int64 equals its nudge-and-truncate."""
    ab = tirx.Cast("int64", a) * tirx.Cast("int64", b)
    return tirx.Cast("int32", (ab + _i64(1 << 30)) >> _i64(31))


def rounding_shift_right(x, exponent):
    """gemmlowp RoundingDivideByPOT, for a constant or computed exponent, in int64 (no overflow)."""
    if isinstance(exponent, int) and exponent == 0:
        return x
    x64 = tirx.Cast("int64", x)
    e = _i64(exponent) if isinstance(exponent, int) else tirx.Cast("int64", exponent)
    mask = (_i64(1) << e) - _i64(1)
    threshold = (mask >> _i64(1)) + tirx.Cast("int64", x < _i32(0))
    up = tirx.Cast("int64", (x64 & mask) > threshold)
    return tirx.Cast("int32", (x64 >> e) + up)


def saturating_shift_left(x, exponent: int):
    """gemmlowp SaturatingRoundingMultiplyByPOT for a positive exponent."""
    threshold = (1 << (31 - exponent)) - 1
    return tirx.Select(x > _i32(threshold), _i32(INT32_MAX),
                       tirx.Select(x < _i32(-threshold), _i32(INT32_MIN),
                                   x * _i32(1 << exponent)))


DIFF_INTEGER_BITS = 5
ACCUM_INTEGER_BITS = 12
EXP_NEG_POW2 = (1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242)


def softmax_s8(shape, input_multiplier: int, input_left_shift: int, diff_min: int):
    """TFLite int8 softmax over the last axis of `shape`; output scale 1/256, zero point -128."""
    shape = tuple(int(d) for d in shape)
    rows, depth = shape[:-1], shape[-1]
    x = te.placeholder(shape, "int8", name="x")

    def each(name, fn):  # one elementwise stage over the input shape
        return te.compute(shape, lambda *i: fn(*i), name=name)

    def per_row(name, fn):
        return te.compute(rows, lambda *r: fn(*r), name=name)

    k = te.reduce_axis((0, depth), name="k")
    row_max = te.compute(rows, lambda *r: te.max(tirx.Cast("int32", x[(*r, k)]), axis=k),
                         name="row_max")
    diff = each("diff", lambda *i: tirx.Cast("int32", x[i]) - row_max[i[:-1]])
    # diff below diff_min is never used; clamping it keeps the scaling free of int32 overflow
    scaled = each("scaled", lambda *i: doubling_high_mul(
        tirx.max(diff[i], _i32(diff_min)) * _i32(1 << input_left_shift), _i32(input_multiplier)))
    # exp_on_negative_values(scaled): Q5.26 in, Q0.31 out
    frac_bits = 31 - DIFF_INTEGER_BITS
    quarter = 1 << (frac_bits - 2)
    amq = each("a_mod_quarter", lambda *i: (scaled[i] & _i32(quarter - 1)) - _i32(quarter))
    ex = each("exp_x", lambda *i: saturating_shift_left(amq[i], DIFF_INTEGER_BITS) + _i32(1 << 28))
    ex2 = each("exp_x2", lambda *i: doubling_high_mul(ex[i], ex[i]))
    ex3 = each("exp_x3", lambda *i: doubling_high_mul(ex2[i], ex[i]))
    ex4 = each("exp_x4", lambda *i: doubling_high_mul(ex2[i], ex2[i]))
    poly = each("exp_poly", lambda *i: rounding_shift_right(
        doubling_high_mul(rounding_shift_right(ex4[i], 2) + ex3[i], _i32(715827883)) + ex2[i], 1))
    e18 = _i32(1895147668)  # exp(-1/8) in Q0.31
    result = each("exp_r0", lambda *i: e18 + doubling_high_mul(e18, ex[i] + poly[i]))
    remainder = each("exp_rem", lambda *i: amq[i] - scaled[i])
    for n, factor in enumerate(EXP_NEG_POW2):
        prev = result
        result = each(f"exp_r{n + 1}", lambda *i, prev=prev, n=n, factor=factor: tirx.Select(
            (remainder[i] & _i32(1 << (frac_bits - 2 + n))) != _i32(0),
            doubling_high_mul(prev[i], _i32(factor)), prev[i]))
    last = result
    exp = each("exp", lambda *i: tirx.Select(scaled[i] == _i32(0), _i32(INT32_MAX), last[i]))
    j = te.reduce_axis((0, depth), name="j")
    sum_of_exps = te.compute(rows, lambda *r: te.sum(tirx.Select(
        diff[(*r, j)] >= _i32(diff_min), rounding_shift_right(exp[(*r, j)], ACCUM_INTEGER_BITS),
        _i32(0)), axis=j), name="sum_of_exps")
    # 1 / sum: normalize to [1, 2), 1/(1 + f) by Newton-Raphson, shift back
    clz = per_row("headroom", lambda *r: tirx.Cast("int32", tirx.clz(sum_of_exps[r])))

    def headroom(r):
        # Clamped where it is used (1..12 in fact): TVM's bound analysis mis-bounds a right shift by
        # an amount that may exceed the bit width, and would then drop the final clamp as redundant.
        return tirx.min(tirx.max(clz[r], _i32(0)), _i32(31))

    shifted = per_row("shifted_sum_minus_one", lambda *r: tirx.Cast("int32", (
        tirx.Cast("int64", sum_of_exps[r]) << tirx.Cast("int64", headroom(r))) - _i64(1 << 31)))
    half_den = per_row("half_denominator", lambda *r: tirx.Cast("int32", (
        tirx.Cast("int64", shifted[r]) + _i64(INT32_MAX) + _i64(1)) >> _i64(1)))
    recip = per_row("recip0", lambda *r: _i32(1515870810) + doubling_high_mul(
        half_den[r], _i32(-1010580540)))
    for n in range(3):
        prev = recip
        recip = per_row(f"recip{n + 1}", lambda *r, prev=prev: prev[r] + saturating_shift_left(
            doubling_high_mul(prev[r], _i32(1 << 29) - doubling_high_mul(half_den[r], prev[r])), 2))
    last_recip = recip
    scale = per_row("shifted_scale", lambda *r: saturating_shift_left(last_recip[r], 1))

    def out(*i):
        r = i[:-1]
        bits_over_unit = _i32(ACCUM_INTEGER_BITS) - headroom(r)
        v = rounding_shift_right(doubling_high_mul(scale[r], exp[i]),
                                 bits_over_unit + _i32(31 - 8)) - _i32(128)
        v = tirx.min(tirx.max(v, _i32(-128)), _i32(127))
        return tirx.Cast("int8", tirx.Select(diff[i] >= _i32(diff_min), v, _i32(-128)))

    y = te.compute(shape, out, name="softmax")
    return te.create_prim_func([x, y]).without_attr("global_symbol").with_attr(KEEP_STAGES, True)


def avg_pool_int(data, pool_size, strides, padding, dilation, count_include_pad, layout):
    """Integer average pooling with TFLite's rounding, summed in int32, output in data's type (the
    mean of values of a type always fits it)."""
    h_axis, w_axis = layout.index("H"), layout.index("W")
    shape = [int(d) for d in data.shape]
    fh, fw = (int(v) for v in pool_size)
    sh, sw = (int(v) for v in strides)
    dh, dw = (int(v) for v in dilation)
    pt, pl, pb, pr = (int(v) for v in padding)
    in_h, in_w = shape[h_axis], shape[w_axis]
    out_h = (in_h + pt + pb - ((fh - 1) * dh + 1)) // sh + 1
    out_w = (in_w + pl + pr - ((fw - 1) * dw + 1)) // sw + 1
    out_shape = list(shape)
    out_shape[h_axis], out_shape[w_axis] = out_h, out_w
    ry = te.reduce_axis((0, fh), name="ry")
    rx = te.reduce_axis((0, fw), name="rx")
    padded = bool(pt or pl or pb or pr)

    def window_sum(*i):
        y = i[h_axis] * sh - pt + ry * dh
        x = i[w_axis] * sw - pl + rx * dw
        idx = list(i)
        idx[h_axis], idx[w_axis] = y, x
        value = tirx.Cast("int32", data[tuple(idx)])
        if padded:
            inside = tirx.all(y >= 0, y < in_h, x >= 0, x < in_w)
            value = tirx.if_then_else(inside, value, _i32(0))
        return te.sum(value, axis=[ry, rx])

    total = te.compute(out_shape, window_sum, name="pool_sum")

    def count(size, stride, pad, filt, dil, o):
        if count_include_pad or not padded:
            return _i32(filt)
        start = o * stride - pad
        first = tirx.max(_i32(0), tirx.truncdiv(-start + _i32(dil - 1), _i32(dil)))
        last = tirx.min(_i32(filt), tirx.truncdiv(_i32(size) - start + _i32(dil - 1), _i32(dil)))
        return last - first

    def mean(*i):
        n = count(in_h, sh, pt, fh, dh, i[h_axis]) * count(in_w, sw, pl, fw, dw, i[w_axis])
        s = total[i]
        half = tirx.truncdiv(n, _i32(2))
        avg = tirx.truncdiv(tirx.Select(s > _i32(0), s + half, s - half), n)
        return avg if data.dtype == "int32" else tirx.Cast(data.dtype, avg)

    return te.compute(out_shape, mean, name="pool_avg")


def legalize_avg_pool2d(bb, call):
    """customize_legalize_map entry: integer avg_pool2d the TFLite way, float as TVM does."""
    if str(call.ty.dtype).startswith("int"):
        a = call.attrs
        if str(a.layout) != str(a.out_layout or a.layout):
            raise ValueError("integer avg_pool2d with a layout change")
        return bb.call_te(avg_pool_int, call.args[0], list(a.pool_size), list(a.strides),
                          list(a.padding), list(a.dilation), bool(a.count_include_pad),
                          str(a.layout), primfunc_name_hint="avg_pool_int")
    default = tvm.ir.Op.get("relax.nn.avg_pool2d").get_attr("FLegalize")
    return default(bb, call)
