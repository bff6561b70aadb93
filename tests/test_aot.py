"""The AOT backend end to end: IR -> C -> host executable, outputs bit-exact with TFLite Micro.

The generated sources (model.c, model_weights.c and the copied kernels) are compiled with
``-std=c99 -Wall -Wextra -Werror -ffreestanding``, then linked with the common harness, which
validates all samples against TFLite Micro's outputs and prints one ``MB validate`` line.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import mcubench
from mcubench.backends.aot import Aot
from mcubench.data import write_data_c
from mcubench.errors import ConfigError, ModelError
from mcubench.frontends.tflite import TFLiteFrontend
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.samples import load_samples, quantize
from mcubench.reference import tflm_outputs
from opmodels import OPS, make_op_graph, random_inputs

RUNTIME = Path(mcubench.__file__).parent / "runtime"
MODELS = ("aww", "vww", "resnet", "toycar")
TFLM_ARENA = {"aww": 22780, "vww": 100668, "resnet": 54364, "toycar": 2380}  # measured, README
STRICT = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding"]





def build_and_run(graph: Graph, samples, expected, work: Path, **config) -> tuple[dict, str]:
    """Aot build, strict compile of the generated code, link with the harness, run natively."""
    build = work / "build"
    meta = Aot(config).build(graph, build)
    data_c = work / "data.c"
    write_data_c(data_c, samples, expected, [graph.tensors[o].dtype for o in graph.outputs])
    objs = work / "obj"
    objs.mkdir()
    generated = sorted(build.glob("*.c"))
    proc = subprocess.run(["gcc", *STRICT, "-c", f"-I{RUNTIME / 'include'}", f"-I{build}",
                           *map(str, generated)], cwd=objs, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    elf = work / "firmware"
    proc = subprocess.run(["gcc", "-std=c99", "-O2", f"-I{RUNTIME / 'include'}",
                           *map(str, sorted(objs.glob("*.o"))), str(data_c),
                           str(RUNTIME / "harness" / "main.c"), str(RUNTIME / "hal" / "host.c"),
                           "-o", str(elf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run([str(elf)], capture_output=True, text=True, timeout=60)
    return meta, run.stdout


def validation(stdout: str) -> dict[str, int]:
    m = re.search(r"MB validate samples=(\d+) mismatched=(\d+) max_abs_diff=(\d+)", stdout)
    assert m, stdout
    return dict(zip(("samples", "mismatched", "max_abs_diff"), map(int, m.groups())))


# --- the real models ----------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS)
def test_real_model_bit_exact(shared_models, gcc, tflm, tmp_path, model):
    folder = shared_models / model
    graph = TFLiteFrontend().load(folder / f"{model}.tflite")
    samples = load_samples(folder, graph, 10, seed=0)
    expected = tflm_outputs((folder / f"{model}.tflite").read_bytes(), samples,
                        len(graph.outputs))
    meta, out = build_and_run(graph, samples, expected, tmp_path)
    assert validation(out) == {"samples": 10, "mismatched": 0, "max_abs_diff": 0}
    # the optimized kernels' outputs may overlap their inputs: below the no-overlap lower bound
    assert meta["arena"] <= meta["arena_lower_bound"] and meta["arena"] <= 0.9 * TFLM_ARENA[model]
    assert set(meta) >= {"arena", "kernels", "weight_bytes", "ops", "reshapes_in_place"}


def test_reshape_copy_when_not_in_place(shared_models, gcc, tflm, tmp_path):
    folder = shared_models / "aww"
    graph = TFLiteFrontend().load(folder / "aww.tflite")
    samples = load_samples(folder, graph, 3, seed=0)
    expected = tflm_outputs((folder / "aww.tflite").read_bytes(), samples, 1)
    meta, out = build_and_run(graph, samples, expected, tmp_path, reshape_in_place=False)
    assert validation(out)["mismatched"] == 0
    assert "copy" in meta["kernels"] and meta["reshapes_in_place"] == 0
    assert "mb_copy_s8(" in (tmp_path / "build" / "model.c").read_text()


def test_only_used_kernels_are_copied(shared_models, tmp_path):
    Aot().build(TFLiteFrontend().load(shared_models / "aww" / "aww.tflite"), tmp_path)
    graph = TFLiteFrontend().load(shared_models / "toycar" / "toycar.tflite")
    meta = Aot({"kernels": "ref"}).build(graph, tmp_path)  # the same folder: aww's kernels must go
    assert meta["kernels"] == ["fully_connected"]
    # (mb_params.h: the params structs, generated from their declarations in mcubench/ops/)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fully_connected.c", "mb_params.h", "model.c", "model_weights.c", "model_weights.h",
        "requant.c"]
    meta = Aot().build(graph, tmp_path)  # the optimized kernels (the default) replace them
    assert meta["kernels"] == ["fully_connected_opt", "gemm"] and meta["opt_ops"] == list(range(10))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fully_connected_opt.c", "gemm.c", "mb_kernels_opt.h", "mb_params.h", "model.c",
        "model_weights.c", "model_weights.h"]
    text = (tmp_path / "model.c").read_text()
    assert "malloc" not in text and "printf" not in text
    assert "static uint8_t mb_arena[MB_ARENA_BYTES] __attribute__((aligned(16)))" in text


def test_arena_align_is_applied(shared_models, tmp_path):
    graph = TFLiteFrontend().load(shared_models / "aww" / "aww.tflite")
    meta = Aot({"arena_align": "64"}).build(graph, tmp_path)
    assert meta["arena"] % 64 == 0
    offsets = [int(x) for x in re.findall(r"mb_arena \+ (\d+)", (tmp_path / "model.c").read_text())]
    assert offsets and all(o % 64 == 0 for o in offsets)


# --- every operator on random single-op graphs --------------------------------------------------

@pytest.mark.parametrize("kind", OPS)
def test_single_op_graphs_bit_exact(gcc, tflm, tmp_path, kind):
    for seed in range(3):
        graph = make_op_graph(kind, seed)
        samples = [random_inputs(graph, seed * 10 + s) for s in range(3)]
        expected = tflm_outputs(write_tflite(graph), samples, len(graph.outputs))
        work = tmp_path / str(seed)
        work.mkdir()
        _, out = build_and_run(graph, samples, expected, work)
        assert validation(out)["mismatched"] == 0, f"{kind} seed {seed}"


# --- what the backend refuses -------------------------------------------------------------------

def q(scale=0.05, zp=0) -> Quant:
    return Quant(scale=np.array([scale], np.float32), zero_point=np.array([zp]))


def test_mixed_type_model_is_refused_clearly():
    g = Graph("m", [Tensor("a", (1, 4), "int8", q()), Tensor("b", (1, 4), "float32")],
              [Op("SOFTMAX", [0], [1], {"beta": 1.0})], [0], [1])
    with pytest.raises(ModelError, match="operator 0 \\(SOFTMAX\\).*float32.*int8"):
        Aot().check(g)


def test_broadcasting_add_is_refused():
    g = Graph("m", [Tensor("a", (1, 4), "int8", q()), Tensor("b", (1, 1), "int8", q()),
                    Tensor("c", (1, 4), "int8", q())], [Op("ADD", [0, 1], [2])], [0], [2])
    with pytest.raises(ModelError, match="broadcasting"):
        Aot().check(g)


def test_asymmetric_filter_is_refused():
    w = Tensor("w", (2, 4), "int8", q(0.1, 3), np.ones((2, 4), np.int8))
    g = Graph("m", [Tensor("a", (1, 4), "int8", q()), w, Tensor("c", (1, 2), "int8", q())],
              [Op("FULLY_CONNECTED", [0, 1, -1], [2])], [0], [2])
    with pytest.raises(ModelError, match="symmetric"):
        Aot().check(g)


def test_activation_that_is_no_clamp_is_refused():
    w = Tensor("w", (2, 4), "int8", q(0.1), np.ones((2, 4), np.int8))
    g = Graph("m", [Tensor("a", (1, 4), "int8", q()), w, Tensor("c", (1, 2), "int8", q())],
              [Op("FULLY_CONNECTED", [0, 1, -1], [2], {"fused_activation_function": "TANH"})],
              [0], [2])
    with pytest.raises(ModelError, match="operator 0 \\(FULLY_CONNECTED\\).*TANH"):
        Aot().check(g)


def test_bad_alignment_is_a_config_error():
    with pytest.raises(ConfigError, match="power of two"):
        Aot({"arena_align": "24"})


# --- sample inputs --------------------------------------------------------------------------------

def test_random_samples_are_seeded_and_typed():
    g = Graph("m", [Tensor("a", (1, 3, 3, 2), "int8", q()), Tensor("b", (5,), "uint8", q())],
              [], [0, 1], [0])
    one, two = load_samples(None, g, 4, seed=7), load_samples(None, g, 4, seed=7)
    assert len(one) == 4 and all(len(s) == 2 for s in one)
    assert one[0][0].dtype == np.int8 and one[0][0].shape == (1, 3, 3, 2)
    assert one[0][1].dtype == np.uint8 and one[0][1].shape == (5,)
    assert all((a == b).all() for sa, sb in zip(one, two) for a, b in zip(sa, sb))
    assert not (load_samples(None, g, 1, seed=8)[0][0] == one[0][0]).all()


def test_quantize_rounds_halves_away_from_zero():
    t = Tensor("a", (4,), "int8", q(0.5, 1))
    assert quantize(np.array([0.25, -0.25, 100.0, -100.0]), t).tolist() == [2, 0, 127, -128]


def test_zoo_samples(shared_models):
    resnet = TFLiteFrontend().load(shared_models / "resnet" / "resnet.tflite")
    pixels = np.frombuffer((shared_models / "resnet" / "input" / "3.bin").read_bytes(), np.uint8)
    samples = load_samples(shared_models / "resnet", resnet, 12, seed=0)
    assert len(samples) == 12  # ten files, then two random ones
    assert (samples[3][0].ravel().astype(int) == pixels.astype(int) - 128).all()
    aww = TFLiteFrontend().load(shared_models / "aww" / "aww.tflite")
    real = np.frombuffer((shared_models / "aww" / "input" / "0.bin").read_bytes(), "<f4")
    t = aww.tensors[aww.inputs[0]]
    want = np.clip(np.floor(real / t.quant.scale[0] + 0.5) + t.quant.zero_point[0], -128, 127)
    got = load_samples(shared_models / "aww", aww, 1, seed=0)[0][0]
    assert got.dtype == np.int8 and got.shape == (1, 49, 10, 1)
    assert np.abs(got.ravel().astype(int) - want.astype(int)).max() <= 1  # only ties may differ
