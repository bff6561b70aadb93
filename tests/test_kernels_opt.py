"""The optimized kernels (runtime/kernels/opt/, parameters from mcubench.ir.fold) are bit-exact.

Against TFLite Micro on the random single-op configurations of opmodels (the same seeds as
test_kernels) and on 3x3 depthwise configurations (the only ones the optimized depthwise kernel
takes), on every operator of the real models, and through the aot backend on the whole real
models. Through the aot backend, too, on bundles of random single-op configurations (many
independent ops in one graph, one build each) that put at least 50 configurations on every
optimized path; test_simd runs the same bundles with the SIMD features. The one-step requantization is also checked directly against mb_requantize on accumulators
chosen to hit its rounding corners. Finally, `-f profile`'s per-operator counts add up to the
invoke count (host callgrind; spike when installed).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import mcubench
from kernel_lib import KernelLib, build_kernels
from mcubench.backends.aot import Aot
from mcubench.features import profile
from mcubench.frontends.tflite import TFLiteFrontend
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ops import SPECS, conv2d, fully_connected
from mcubench.ops.common import fold
from mcubench.ops.common.cstruct import write_headers
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.ops.common.qmath import conv_geometry
from mcubench.reference import tflm_outputs
from opmodels import make_op_graph, random_inputs
from test_aot import build_and_run, validation

RUNTIME = Path(mcubench.__file__).parent / "runtime"
OPT_KINDS = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "AVERAGE_POOL_2D"]
SEEDS = 64
ARENA = 1 << 20
MODELS = ("aww", "vww", "resnet", "toycar")


@pytest.fixture(scope="session")
def kernels(tmp_path_factory) -> KernelLib:
    try:
        return KernelLib(build_kernels(tmp_path_factory.mktemp("kernels_opt")))
    except FileNotFoundError as exc:
        pytest.skip(f"no host C compiler: {exc}")



def check_opt(kernels: KernelLib, tflm, graph: Graph, inputs: list[np.ndarray]) -> bool:
    """The optimized kernel's output equals TFLM's; returns whether the optimized kernel ran (False:
    the operator's module kept the reference kernel, as the backend would)."""
    ip = tflm.Interpreter.from_bytes(write_tflite(graph), arena_size=ARENA)
    for i, x in enumerate(inputs):
        ip.set_input(x, i)
    ip.invoke()
    expected = np.array(ip.get_output(0))
    got, used = kernels.run_opt(graph, graph.ops[0], dict(zip(graph.inputs, inputs)))
    if not np.array_equal(got, expected):
        bad = np.argwhere(got != expected)
        pytest.fail(f"{graph.name} ({'opt' if used else 'ref'} kernel): {len(bad)}/{got.size} "
                    f"outputs differ from TFLM; first at {tuple(bad[0])}: got "
                    f"{got[tuple(bad[0])]}, TFLM {expected[tuple(bad[0])]}; options "
                    f"{graph.ops[0].options}")
    return used


# --- random single-op models -----------------------------------------------------------------

@pytest.mark.parametrize("kind", OPT_KINDS)
def test_random_ops_match_tflm(kernels, tflm, kind):
    used = 0
    for seed in range(SEEDS):
        g = make_op_graph(kind, seed)
        used += check_opt(kernels, tflm, g, random_inputs(g, seed))
    if kind != "DEPTHWISE_CONV_2D":  # random depthwise filters are rarely 3x3: see below
        assert used >= SEEDS * 3 // 4, f"the optimized {kind} kernel ran on {used}/{SEEDS} only"


def _q(scale, zp=0, axis=0) -> Quant:
    scale = np.atleast_1d(np.asarray(scale, np.float32))
    return Quant(scale, np.broadcast_to(np.asarray(zp, np.int64), scale.shape).copy(), axis)


def depthwise_3x3(seed: int) -> Graph:
    """A random 3x3 depthwise conv (depth multiplier 1): the optimized kernel's domain."""
    rng = np.random.default_rng([seed, 3, 3])
    n = 1 if rng.random() < 0.8 else 2
    h, w = (int(v) for v in rng.integers(1, 14, 2))
    c = int(rng.integers(1, 20))
    padding = "SAME" if rng.random() < 0.6 else "VALID"
    if padding == "VALID":
        h, w = max(h, 3), max(w, 3)
    sh, sw = (int(v) for v in rng.choice([1, 1, 2, 3], 2))
    oh, ow, _, _ = conv_geometry(padding, h, w, 3, 3, sh, sw)
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    s_in, z_in = float(np.exp(rng.uniform(-5, -1))), int(rng.integers(-128, 128))
    s_out = float(np.exp(rng.uniform(-4, -1)))
    z_out = int(rng.integers(-128, 128)) if act == "NONE" else int(rng.integers(-128, -100))
    per_channel = rng.random() < 0.8
    fs = (s_out * 50 / (s_in * 3 * 74 * 74) *
          np.exp(rng.uniform(-1.5, 1.5, c if per_channel else 1))).astype(np.float32)
    tensors = [
        Tensor("input", (n, h, w, c), "int8", _q(s_in, z_in)),
        Tensor("filter", (1, 3, 3, c), "int8", _q(fs, 0, 3),
               rng.integers(-128, 128, (1, 3, 3, c)).astype(np.int8)),
        Tensor("bias", (c,), "int32", _q(np.float32(s_in) * np.broadcast_to(fs, (c,))),
               rng.integers(-20000, 20001, c).astype(np.int32)),
        Tensor("output", (n, oh, ow, c), "int8", _q(s_out, z_out)),
    ]
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "depth_multiplier": 1,
               "dilation_h_factor": 1, "dilation_w_factor": 1, "fused_activation_function": act}
    return Graph(f"dw3x3_{seed}", tensors, [Op("DEPTHWISE_CONV_2D", [0, 1, 2], [3], options)],
                 [0], [3])


def test_depthwise_3x3_matches_tflm(kernels, tflm):
    used = 0
    for seed in range(SEEDS * 2):
        g = depthwise_3x3(seed)
        used += check_opt(kernels, tflm, g, random_inputs(g, seed))
    assert used >= SEEDS * 2 * 3 // 4


def dense_1x1(seed: int, any_depth: bool = False) -> Graph:
    """A random 1x1 stride-1 conv: the kernel specialized per input depth (conv1x1_tpl.h).
    Depths come from a short list (one host library each) unless `any_depth` (a firmware build
    compiles every depth in one go: the SIMD tails and chunks see every remainder)."""
    g = make_op_graph("CONV_2D", 0)  # its input/output quantization
    rng = np.random.default_rng([seed, 1, 1])
    n, h, w = 1 if rng.random() < 0.8 else 2, int(rng.integers(1, 8)), int(rng.integers(2, 8))
    k = int(rng.choice([1, 3, 8, 13, 16, 40]))  # a few depths: one kernel build each
    if any_depth:
        k = int(rng.integers(1, 70))
    out_c = int(rng.integers(4, 21))
    x, y = g.tensors[0], g.tensors[-1]
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    s_in, s_out = float(x.quant.scale[0]), float(y.quant.scale[0])
    fs = (s_out * 50 / (s_in * np.sqrt(k) * 74 * 74) *
          np.exp(rng.uniform(-1, 1, out_c))).astype(np.float32)
    tensors = [
        Tensor("input", (n, h, w, k), "int8", x.quant),
        Tensor("filter", (out_c, 1, 1, k), "int8", _q(fs),
               rng.integers(-128, 128, (out_c, 1, 1, k)).astype(np.int8)),
        Tensor("bias", (out_c,), "int32", _q(np.float32(s_in) * fs),
               rng.integers(-20000, 20001, out_c).astype(np.int32)),
        Tensor("output", (n, h, w, out_c), "int8", y.quant),
    ]
    options = {"padding": "VALID", "stride_h": 1, "stride_w": 1, "dilation_h_factor": 1,
               "dilation_w_factor": 1, "fused_activation_function": act}
    return Graph(f"conv1x1_{seed}", tensors, [Op("CONV_2D", [0, 1, 2], [3], options)], [0], [3])


def gathered_conv(seed: int) -> Graph:
    """A random conv whose fields all go through im2col (short rows, more than 8 channels, or
    dilation): the specialized kernel's mb_conv_s8_k<k> variant."""
    g = make_op_graph("CONV_2D", 1)
    rng = np.random.default_rng([seed, 2, 2])
    n, h, w = 1 if rng.random() < 0.8 else 2, int(rng.integers(2, 12)), int(rng.integers(2, 12))
    c_in, out_c = int(rng.choice([1, 2])), int(rng.integers(9, 21))
    fh, fw = int(rng.choice([1, 2, 5])), int(rng.choice([2, 3]))
    dh, dw = (1, 1) if rng.random() < 0.7 else (int(rng.integers(1, 3)), 2)
    padding = "SAME" if rng.random() < 0.6 else "VALID"
    if padding == "VALID":
        fh, fw = min(fh, (h - 1) // dh + 1), min(fw, (w - 1) // dw + 1)
    sh, sw = (int(v) for v in rng.choice([1, 2], 2))
    oh, ow, _, _ = conv_geometry(padding, h, w, fh, fw, sh, sw, dh, dw)
    x, y = g.tensors[0], g.tensors[-1]
    s_in, s_out = float(x.quant.scale[0]), float(y.quant.scale[0])
    k = fh * fw * c_in
    fs = (s_out * 50 / (s_in * np.sqrt(k) * 74 * 74) *
          np.exp(rng.uniform(-1, 1, out_c))).astype(np.float32)
    tensors = [
        Tensor("input", (n, h, w, c_in), "int8", x.quant),
        Tensor("filter", (out_c, fh, fw, c_in), "int8", _q(fs),
               rng.integers(-128, 128, (out_c, fh, fw, c_in)).astype(np.int8)),
        Tensor("bias", (out_c,), "int32", _q(np.float32(s_in) * fs),
               rng.integers(-20000, 20001, out_c).astype(np.int32)),
        Tensor("output", (n, oh, ow, out_c), "int8", y.quant),
    ]
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "dilation_h_factor": dh,
               "dilation_w_factor": dw, "fused_activation_function": str(rng.choice(["NONE",
                                                                                     "RELU"]))}
    return Graph(f"gathered_{seed}", tensors, [Op("CONV_2D", [0, 1, 2], [3], options)], [0], [3])


def test_gathered_conv_matches_tflm(kernels, tflm):
    used = 0
    for seed in range(SEEDS):
        g = gathered_conv(seed)
        p = conv2d.prepare_opt(g, g.ops[0])
        used += p is not None and bool(p.get("im2col"))
        check_opt(kernels, tflm, g, random_inputs(g, seed))
    assert used >= SEEDS // 2, f"the specialized im2col kernel ran on {used}/{SEEDS} only"


def test_dense_1x1_matches_tflm(kernels, tflm):
    used = 0
    for seed in range(SEEDS):
        g = dense_1x1(seed)
        p = conv2d.prepare_opt(g, g.ops[0])
        used += p is not None and "k" in p
        check_opt(kernels, tflm, g, random_inputs(g, seed))
    assert used >= SEEDS * 3 // 4, f"the specialized 1x1 kernel ran on {used}/{SEEDS} only"


def conv_1x1(seed: int) -> Graph:
    """A random 1x1 conv of any depth, stride 1 or 2, few or many pixels and channels: on
    mb_conv2d_s8_opt's GEMM when specialization is off (or does not apply)."""
    from opmodels import _filter_scales, _out_q

    rng = np.random.default_rng([seed, 1, 2])
    n, h, w = 1 if rng.random() < 0.8 else 2, int(rng.integers(1, 10)), int(rng.integers(1, 10))
    c_in, out_c = int(rng.integers(1, 49)), int(rng.integers(1, 25))
    stride = int(rng.choice([1, 1, 2]))
    padding = "SAME" if rng.random() < 0.5 else "VALID"
    oh, ow, _, _ = conv_geometry(padding, h, w, 1, 1, stride, stride)
    act = str(rng.choice(["NONE", "RELU", "RELU6"]))
    s_in, z_in = float(np.exp(rng.uniform(-5, -1))), int(rng.integers(-128, 128))
    s_out, z_out = _out_q(rng, act)
    fs = _filter_scales(rng, s_in, s_out, c_in, out_c if rng.random() < 0.8 else 1)
    tensors = [
        Tensor("input", (n, h, w, c_in), "int8", _q(s_in, z_in)),
        Tensor("filter", (out_c, 1, 1, c_in), "int8", _q(fs),
               rng.integers(-128, 128, (out_c, 1, 1, c_in)).astype(np.int8)),
        Tensor("bias", (out_c,), "int32", _q(np.float32(s_in) * np.broadcast_to(fs, (out_c,))),
               rng.integers(-20000, 20001, out_c).astype(np.int32)),
        Tensor("output", (n, oh, ow, out_c), "int8", _q(s_out, z_out)),
    ]
    options = {"padding": padding, "stride_h": stride, "stride_w": stride, "dilation_h_factor": 1,
               "dilation_w_factor": 1, "fused_activation_function": act}
    return Graph(f"conv1x1s_{seed}", tensors, [Op("CONV_2D", [0, 1, 2], [3], options)], [0], [3])


def large_add(seed: int) -> Graph:
    """A random ADD (opmodels' quantization) of 256 to ~8k elements: large enough for
    mb_add_s8_opt's rescaling tables (opmodels' ADDs are mostly smaller)."""
    from dataclasses import replace

    g = make_op_graph("ADD", seed)
    rng = np.random.default_rng([seed, 5, 5])
    shape = (1, int(rng.integers(4, 17)), int(rng.integers(4, 17)), int(rng.integers(16, 33)))
    g.tensors = [replace(t, shape=shape) for t in g.tensors]
    return g


def large_fc(seed: int) -> Graph:
    """A random FULLY_CONNECTED (opmodels' quantization and options) with 1k to 60k
    multiply-accumulates: above fully_connected.SMALL_MACS, on the GEMM."""
    from opmodels import _filter_scales

    g = make_op_graph("FULLY_CONNECTED", seed)
    rng = np.random.default_rng([seed, 6, 6])
    batches, f, u = int(rng.integers(1, 4)), int(rng.integers(64, 301)), int(rng.integers(16, 65))
    x, w, y = g.tensors[:3]
    s_in, s_out = float(x.quant.scale[0]), float(y.quant.scale[0])
    fs = _filter_scales(rng, s_in, s_out, f, u if w.quant.scale.size > 1 else 1)
    tensors = [Tensor(x.name, (batches, f), "int8", x.quant),
               Tensor(w.name, (u, f), "int8", _q(fs),
                      rng.integers(-128, 128, (u, f)).astype(np.int8)),
               Tensor(y.name, (batches, u), "int8", y.quant)]
    if len(g.tensors) > 3:
        tensors.append(Tensor("bias", (u,), "int32",
                              _q(np.float32(s_in) * np.broadcast_to(fs, (u,))),
                              rng.integers(-20000, 20001, u).astype(np.int32)))
    return Graph(f"fc_large_{seed}", tensors, g.ops, g.inputs, g.outputs)


def opt_path(graph: Graph, specialize: bool = True) -> str:
    """Which optimized code path the aot backend runs a single-op graph on ("ref": none)."""
    op = graph.ops[0]
    p = SPECS[op.kind].prepare_opt(graph, op, {"specialize": specialize})
    if p is None:
        return "ref"
    if p.get("small"):
        return "fc_small"
    if op.kind == "ADD":  # small ones rescale directly, large ones through tables in scratch
        return "ADD" if p["scratch"] else "ADD_direct"
    if op.kind != "CONV_2D":
        return op.kind
    if "k" in p:
        return "conv_im2col_k" if p.get("im2col") else "conv_1x1_k"
    return "gemm_1x1" if graph.tensors[op.inputs[1]].shape[1:3] == (1, 1) else "gemm"


def bundle(name: str, graphs: list[Graph]) -> Graph:
    """Single-op graphs side by side in one graph (inputs and outputs of all of them): one
    firmware build checks them all."""
    from dataclasses import replace

    tensors: list[Tensor] = []
    ops: list[Op] = []
    inputs: list[int] = []
    outputs: list[int] = []
    for k, g in enumerate(graphs):
        base = len(tensors)
        tensors += [replace(t, name=f"{g.name}/{t.name}") for t in g.tensors]
        ops += [Op(op.kind, [t + base if t >= 0 else -1 for t in op.inputs],
                   [t + base for t in op.outputs], dict(op.options)) for op in g.ops]
        inputs += [t + base for t in g.inputs]
        outputs += [t + base for t in g.outputs]
    return Graph(name, tensors, ops, inputs, outputs)


# Random single-op configurations per optimized code path, bundled into one firmware each:
# bundle -> (aot.specialize, generators); each generator runs BUNDLE_SEEDS seeds. With
# specialization off every conv runs on mb_conv2d_s8_opt's GEMM (KxK through im2col, 1x1 direct).
BUNDLE_SEEDS = 64
BUNDLES = {
    "gemm": (False, (lambda s: make_op_graph("CONV_2D", s), conv_1x1)),
    "conv_k": (True, (lambda s: dense_1x1(s, any_depth=True), gathered_conv)),
    "depthwise_3x3": (True, (depthwise_3x3,)),
    "fc_add_pool": (True, (lambda s: make_op_graph("FULLY_CONNECTED", s), large_fc, large_add,
                           lambda s: make_op_graph("FULLY_CONNECTED", s + BUNDLE_SEEDS),
                           lambda s: make_op_graph("ADD", s),
                           lambda s: make_op_graph("AVERAGE_POOL_2D", s))),
}
# every optimized path, with at least this many random configurations on it
MIN_PER_PATH = 50
PATHS = ("gemm", "gemm_1x1", "conv_1x1_k", "conv_im2col_k", "DEPTHWISE_CONV_2D",
         "FULLY_CONNECTED", "fc_small", "ADD", "AVERAGE_POOL_2D")


def make_bundle(name: str) -> tuple[Graph, dict[str, int], dict]:
    """The bundle's graph, how many of its ops run on each path, and its aot config."""
    specialize, gens = BUNDLES[name]
    graphs = [gen(seed) for gen in gens for seed in range(BUNDLE_SEEDS)]
    paths: dict[str, int] = {}
    for g in graphs:
        path = opt_path(g, specialize)
        paths[path] = paths.get(path, 0) + 1
    return bundle(f"opt_{name}", graphs), paths, {"specialize": specialize}


def test_bundles_cover_every_optimized_path():
    covered: dict[str, int] = {}
    for name in BUNDLES:
        for path, n in make_bundle(name)[1].items():
            covered[path] = covered.get(path, 0) + n
    short = {p: covered.get(p, 0) for p in PATHS if covered.get(p, 0) < MIN_PER_PATH}
    assert not short, f"paths with fewer than {MIN_PER_PATH} random configurations: {short}"


@pytest.mark.parametrize("name", BUNDLES)
def test_random_op_bundles_bit_exact_on_host(gcc, tflm, tmp_path, name):
    """Every path through the aot backend (emitted params, planned scratch and overlaps)."""
    g, _, config = make_bundle(name)
    samples = [random_inputs(g, s) for s in range(2)]
    expected = tflm_outputs(write_tflite(g), samples, len(g.outputs))
    meta, out = build_and_run(g, samples, expected, tmp_path, **config)
    assert validation(out) == {"samples": 2, "mismatched": 0, "max_abs_diff": 0}


def test_grouped_conv_keeps_the_reference(kernels, tflm):
    g = make_op_graph("CONV_2D", 5, grouped_conv=True)
    assert conv2d.prepare_opt(g, g.ops[0]) is None or \
        g.tensors[1].shape[3] == g.tensors[0].shape[3]
    check_opt(kernels, tflm, g, random_inputs(g, 5))


# --- every op of the real models -------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS)
def test_real_model_ops_match_tflm(kernels, tflm, shared_models, model):
    from test_kernels import _single_op_graph

    g = TFLiteFrontend().load(shared_models / model / f"{model}.tflite")
    ops = [op for op in g.ops if op.kind in OPT_KINDS]
    used = 0
    for k, op in enumerate(ops):
        single = _single_op_graph(g, op)
        used += check_opt(kernels, tflm, single, random_inputs(single, k))
    assert used == len(ops), "every conv, depthwise, FC and ADD of the real models runs optimized"


# --- the one-step requantization against the reference's two steps ---------------------------

REQUANT_SHIM = r"""
#include <stdint.h>
#include <stdio.h>
#include "mb_kernels_opt.h"
/* xorshift: reproducible accumulators in every magnitude */
static uint32_t s = 2463534242u;
static uint32_t next(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; }
int main(void) {
  long bad = 0, n = 0;
  for (int32_t e = 1; e <= 31; e++) {
    for (int i = 0; i < 20000; i++, n++) {
      int32_t mult = (int32_t)((1u << 30) | (next() >> 2));
      if (i % 7 == 0) mult = 1 << 30;                           /* an exact power of two */
      int32_t acc = (int32_t)next() >> (next() % 32);
      if (i % 5 == 0) {  /* near a rounding tie of either step */
        int64_t t = ((int64_t)(next() % 4096) - 2048) << (31 + e - 1);
        acc = (int32_t)(t / mult) + (int32_t)(next() % 5) - 2;
      }
      if (i == 0) acc = INT32_MIN;
      if (i == 1) acc = INT32_MAX;
      if (i == 2) acc = -1;
      int32_t ref = mb_requantize(acc, mult, -e);
      int32_t got = mb_requant_fast(acc, (int32_t)(2u * (uint32_t)mult), e - 1, 0);
      /* relu: only the negative results may differ, and those must stay <= 0 */
      int32_t relu = mb_requant_fast(acc, (int32_t)(2u * (uint32_t)mult), e - 1, 1);
      if (got != ref || (ref > 0 ? relu != ref : relu > 0)) {
        if (bad++ < 5) printf("acc=%ld mult=%ld e=%ld ref=%ld fast=%ld relu=%ld\n", (long)acc,
                              (long)mult, (long)e, (long)ref, (long)got, (long)relu);
      }
    }
  }
  printf("checked=%ld bad=%ld\n", n, bad);
  return bad != 0;
}
"""


def test_fast_requant_equals_mb_requantize(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("no host gcc")
    (tmp_path / "shim.c").write_text(REQUANT_SHIM)
    write_headers(tmp_path)
    exe = tmp_path / "shim"
    subprocess.run(["gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", f"-I{tmp_path}",
                    f"-I{RUNTIME / 'include'}", f"-I{RUNTIME / 'kernels' / 'opt'}",
                    str(tmp_path / "shim.c"), str(RUNTIME / "kernels" / "requant.c"), "-o",
                    str(exe)], check=True, capture_output=True, text=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "checked=620000 bad=0" in proc.stdout


# --- ops/common/fold.py ----------------------------------------------------------------------------------

def test_pack_gemm_order():
    w = np.arange(13 * 3).reshape(13, 3).astype(np.int8)  # 13 channels: 8 + 4 + 1
    packed = fold.pack_gemm(w)
    assert packed.size == w.size
    assert list(packed[:8]) == list(w[:8, 0]) and list(packed[8:16]) == list(w[:8, 1])
    assert list(packed[24:28]) == list(w[8:12, 0])
    assert list(packed[-3:]) == list(w[12])


def test_fold_bias_wraps_like_int32():
    taps = np.full((1, 4), 127, np.int64)
    assert fold.fold_bias(np.array([2**31 - 1]), taps, 128)[0] == \
        np.int32(np.int64(2**31 - 1 + 128 * 508 - 2**32))
    assert fold.fold_bias(None, taps, -3)[0] == -3 * 508


def test_fast_requant_needs_a_right_shift():
    mult2, shift = fold.fast_requant([(1 << 30, -2), (0, 0), ((1 << 31) - 1, -31)])
    assert shift.tolist() == [1, 0, 30] and mult2.tolist() == [-(1 << 31), 0, -2]
    assert fold.fast_requant([(1 << 30, 0)]) is None
    assert fold.fast_requant([(1 << 30, 3)]) is None


# --- whole models through the aot backend -----------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_real_models_bit_exact_with_opt(shared_models, gcc, tflm, tmp_path, model):
    from mcubench.samples import load_samples

    folder = shared_models / model
    graph = TFLiteFrontend().load(folder / f"{model}.tflite")
    samples = load_samples(folder, graph, 5, seed=0)
    expected = tflm_outputs((folder / f"{model}.tflite").read_bytes(), samples,
                              len(graph.outputs))
    meta, out = build_and_run(graph, samples, expected, tmp_path, kernels="opt",
                              planner="greedy")
    assert validation(out) == {"samples": 5, "mismatched": 0, "max_abs_diff": 0}
    assert len(meta["opt_ops"]) == sum(op.kind in OPT_KINDS for op in graph.ops)


TFLM_ARENA = {"aww": 22780, "vww": 100668, "resnet": 54364, "toycar": 2380}


def test_planner_strategies_and_overlap(shared_models, tmp_path):
    for model in MODELS:
        graph = TFLiteFrontend().load(shared_models / model / f"{model}.tflite")
        greedy = Aot({"planner": "greedy"}).build(graph, tmp_path / model / "g")
        best = Aot({"planner": "best"}).build(graph, tmp_path / model / "b")
        flat = Aot({"overlap": "0"}).build(graph, tmp_path / model / "f")
        ref = Aot({"kernels": "ref"}).build(graph, tmp_path / model / "r")
        assert best["arena"] <= greedy["arena"] and best["arena"] <= flat["arena"]
        assert flat["arena"] == flat["arena_lower_bound"]
        assert ref["arena"] == ref["arena_lower_bound"]
        assert best["arena"] <= 0.9 * TFLM_ARENA[model], model


# --- -f profile --------------------------------------------------------------------------------

def test_profile_code_marks_every_op_on_the_first_invoke_only(shared_models, tmp_path):
    graph = TFLiteFrontend().load(shared_models / "aww" / "aww.tflite")
    meta = Aot({"profile": "1"}).build(graph, tmp_path)
    text = (tmp_path / "model.c").read_text()
    assert meta["profile"] is True
    for i in range(len(graph.ops)):
        assert f"MB_NOINLINE void mb_op_{i}(void) {{" in text
        assert f"if (profiling) mb_hal_region_begin(MB_REGION_OP0 + {i});" in text
    assert "mb_profiling = 0;" in text
    Aot().build(graph, tmp_path / "plain")
    assert "mb_hal_region" not in (tmp_path / "plain" / "model.c").read_text()


def test_profile_sums_to_invoke_on_host(shared_models, gcc, tmp_path):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind not installed")
    from mcubench.data import write_data_c
    from mcubench.targets.host import Host
    from mcubench.toolchains.gcc import Gcc

    graph = TFLiteFrontend().load(shared_models / "toycar" / "toycar.tflite")
    build = tmp_path / "build"
    Aot({"profile": "1"}).build(graph, build)
    data_c = tmp_path / "data.c"
    write_data_c(data_c, [[np.zeros(graph.tensors[graph.inputs[0]].shape, np.int8)]], None,
                 ["int8"])
    host = Host(toolchain=Gcc())
    host.compile(build, data_c, tmp_path / "compile")
    metrics = host.run(tmp_path / "compile" / "firmware.elf", tmp_path, 120)
    counts = Host.inclusive_counts(tmp_path / "callgrind.out",
                                   tuple(profile.HOST_FUNCTION.format(i)
                                         for i in range(len(graph.ops))))
    metrics["regions"] = {profile.MB_REGION_OP0 + i: counts[profile.HOST_FUNCTION.format(i)]
                          for i in range(len(graph.ops))}
    profile.check_sum(metrics, graph.summary())


def test_profile_sums_to_invoke_on_spike(shared_models, tmp_path):
    if shutil.which("spike") is None or shutil.which("riscv64-unknown-elf-gcc") is None:
        pytest.skip("spike or the RISC-V toolchain is not installed")
    from mcubench.data import write_data_c
    from mcubench.targets.spike import Spike
    from mcubench.toolchains.gcc import Gcc

    graph = TFLiteFrontend().load(shared_models / "toycar" / "toycar.tflite")
    build = tmp_path / "build"
    Aot({"profile": "1"}).build(graph, build)
    data_c = tmp_path / "data.c"
    write_data_c(data_c, [[np.zeros(graph.tensors[graph.inputs[0]].shape, np.int8)]], None,
                 ["int8"])
    spike = Spike(toolchain=Gcc())
    job = spike.compile_job(build, data_c, tmp_path / "compile")
    job.defines.update(profile.Profile.compile_defines(len(graph.ops)))
    spike.toolchain.compile(job)
    metrics = spike.run(job.out_elf, tmp_path, 120)
    diff = profile.check_sum(metrics, graph.summary())
    assert diff < 0.01
    assert re.search(r"MB region=16 ", (tmp_path / "run.log").read_text())


# --- overlapping outputs: chains of optimized ops through the aot backend ----------------------

def _chain(seed: int) -> Graph:
    """input -> conv -> depthwise 3x3 -> 1x1 conv -> add (with the depthwise output) -> conv.
    Every intermediate tensor dies at an optimized kernel, so the planner may overlap it with that
    kernel's output (the ADD fully in place)."""
    from opmodels import _filter_scales, _out_q

    rng = np.random.default_rng([seed, 77])
    tensors: list[Tensor] = []

    def act(shape, scale, zp) -> int:
        tensors.append(Tensor(f"t{len(tensors)}", tuple(int(d) for d in shape), "int8",
                              _q(scale, zp)))
        return len(tensors) - 1

    def const(data, scale, axis=0) -> int:
        dtype = "int32" if data.dtype == np.int32 else "int8"
        tensors.append(Tensor(f"c{len(tensors)}", data.shape, dtype, _q(scale, 0, axis), data))
        return len(tensors) - 1

    ops: list[Op] = []

    def conv(x: int, fh: int, fw: int, out_c: int, depthwise: bool, stride: int, padding: str):
        n, h, w, c = tensors[x].shape
        oh, ow, _, _ = conv_geometry(padding, h, w, fh, fw, stride, stride)
        act_fn = str(rng.choice(["NONE", "RELU", "RELU6"]))
        s_in = float(tensors[x].quant.scale[0])
        s_out, z_out = _out_q(rng, act_fn)
        out_c = c if depthwise else out_c
        fs = _filter_scales(rng, s_in, s_out, fh * fw * (1 if depthwise else c), out_c)
        shape = (1, fh, fw, out_c) if depthwise else (out_c, fh, fw, c)
        f = const(rng.integers(-128, 128, shape).astype(np.int8), fs, 3 if depthwise else 0)
        b = const(rng.integers(-20000, 20001, out_c).astype(np.int32),
                  np.float32(s_in) * np.broadcast_to(fs, (out_c,)))
        y = act((n, oh, ow, out_c), s_out, z_out)
        options = {"padding": padding, "stride_w": stride, "stride_h": stride,
                   "dilation_w_factor": 1, "dilation_h_factor": 1,
                   "fused_activation_function": act_fn}
        if depthwise:
            options["depth_multiplier"] = 1
        ops.append(Op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, f, b], [y], options))
        return y

    h, w = (int(v) for v in rng.integers(5, 14, 2))
    x0 = act((1, h, w, int(rng.integers(1, 9))), float(np.exp(rng.uniform(-5, -2))),
             int(rng.integers(-128, 128)))
    pad = lambda: "SAME" if rng.random() < 0.7 else "VALID"  # noqa: E731
    k = int(rng.choice([1, 3]))
    c1 = conv(x0, k, k, int(rng.integers(2, 17)), False, int(rng.choice([1, 2])), pad())
    d = conv(c1, 3, 3, 0, True, int(rng.choice([1, 1, 2])), pad() if k == 1 else "SAME")
    c2 = conv(d, 1, 1, tensors[d].shape[3], False, 1, "VALID")
    s_add, z_add = _out_q(rng, "NONE")
    a = act(tensors[d].shape, s_add, z_add)
    ops.append(Op("ADD", [d, c2], [a], {"fused_activation_function": "NONE"}))
    out = conv(a, 3, 3, int(rng.integers(1, 9)), False, 1, "SAME")
    return Graph(f"chain_{seed}", tensors, ops, [x0], [out])


@pytest.mark.parametrize("seed", range(10))
def test_overlapping_chains_bit_exact(gcc, tflm, tmp_path, seed):
    g = _chain(seed)
    samples = [random_inputs(g, seed * 3 + s) for s in range(2)]
    expected = tflm_outputs(write_tflite(g), samples, 1)
    meta, out = build_and_run(g, samples, expected, tmp_path)
    assert validation(out)["mismatched"] == 0, f"{g.name}, overlaps {meta['overlaps']}"
    # within one alignment step of the most bytes live at once (each buffer starts 16-aligned)
    assert meta["overlaps"] >= 2
    assert meta["arena"] <= -(-meta["arena_lower_bound"] // 16) * 16 + 16


def test_profile_feature_end_to_end(capsys, isolated_home):
    """`-f profile`: a per-operator table whose counts add up to the invoke count within 1%."""
    import json

    import pandas as pd

    from mcubench import home
    from mcubench.cli import main

    targets = ["-t", "host"] + (["-t", "spike"] if shutil.which("spike") else [])
    assert main(["run", "aww", *targets, "-f", "profile", "-j", "2"]) == 0
    out = capsys.readouterr().out
    assert "Instructions per operator" in out
    sdir = (home.sessions_dir() / "latest").resolve()
    prof = pd.read_csv(sdir / "profile.csv")
    rows = json.loads((sdir / "report.json").read_text())
    for r in rows:
        ops = prof[prof["Run"] == r["Run"]]
        assert len(ops) == 13 and (ops["Kind"] == "CONV_2D").sum() == 5
        total = ops["Instructions"].fillna(0).sum()
        assert abs(total - r["Invoke Instructions"]) / r["Invoke Instructions"] < 0.01
