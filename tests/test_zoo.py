"""Built-in models: deterministic, twins of the real MLPerf Tiny models, runnable, described, resolved."""
import copy
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from mcubench import models, zoo
from mcubench.cli import main
from mcubench.errors import ModelError
from mcubench.frontends.tflite import parse
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.samples import load_samples, quantize
from mcubench.ops import SPECS
from mcubench.zoo.describe import describe

TWINS = ("aww", "vww", "resnet", "toycar")


@pytest.fixture(scope="module")
def built():
    """name -> (bytes, graph read back from the bytes, float samples, CPU seconds to make)."""
    out = {}
    for name in zoo.names():
        start = time.process_time()  # CPU time: wall time on a busy machine says little
        graph, samples = zoo.generate(name)
        data = write_tflite(graph)
        out[name] = (data, parse(data, name), samples, time.process_time() - start)
    return out


def tflm(data: bytes, samples: list[list[np.ndarray]], n_outputs: int) -> list[list[np.ndarray]]:
    runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")
    interp = runtime.Interpreter.from_bytes(data, arena_size=1 << 23)
    results = []
    for sample in samples:
        interp.reset()
        for i, arr in enumerate(sample):
            interp.set_input(arr, i)
        interp.invoke()
        results.append([np.array(interp.get_output(o)) for o in range(n_outputs)])
    return results


# -- (a) deterministic and fast -------------------------------------------------------------------

@pytest.mark.parametrize("name", zoo.names())
def test_generation_is_deterministic_and_fast(built, name):
    data, _, samples, seconds = built[name]
    graph, samples2 = zoo.generate(name)
    assert write_tflite(graph) == data
    assert samples2.tobytes() == samples.tobytes()
    assert seconds < 2.0, f"{name} took {seconds:.2f} s to generate"


def test_same_bytes_in_a_fresh_process(built):
    code = ("import hashlib, sys; from mcubench import zoo; "
            "print(' '.join(hashlib.sha1(zoo.tflite_bytes(n)).hexdigest() for n in zoo.names()))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[1], check=True).stdout.split()
    assert out == [hashlib.sha1(built[n][0]).hexdigest() for n in zoo.names()]


# -- (b) twin fidelity ----------------------------------------------------------------------------

def layout(graph) -> list:
    """Per operator: kind, options, and every input/output tensor's shape, dtype, constness and
    quantization layout (per-channel axis or per-tensor). Scales and values are left out."""
    rows = []
    for op in graph.ops:
        tensors = []
        for i in op.inputs + op.outputs:
            t = graph.tensor(i)
            q = t.quant
            qlayout = None if q is None else ("per-channel", q.axis) if q.per_channel else "tensor"
            tensors.append((t.shape, t.dtype, t.is_const, qlayout))
        # An options table with nothing set reads back as empty lists; the same model to TFLite.
        options = {k: v for k, v in op.options.items() if not (isinstance(v, list) and not v)}
        rows.append((op.kind, options, tensors))
    return rows


@pytest.mark.parametrize("name", TWINS)
def test_twin_has_the_real_models_layout(shared_models, built, name):
    real = parse((shared_models / name / f"{name}.tflite").read_bytes(), name)
    twin = built[name][1]
    assert [op.kind for op in twin.ops] == [op.kind for op in real.ops]
    for k, (a, b) in enumerate(zip(layout(real), layout(twin))):
        assert a == b, f"{name} operator {k}"
    for io in ("inputs", "outputs"):
        assert [twin.tensors[i].shape for i in getattr(twin, io)] == \
            [real.tensors[i].shape for i in getattr(real, io)]
    ti, ri = twin.tensors[twin.inputs[0]], real.tensors[real.inputs[0]]
    assert (ti.quant.scale[0], ti.quant.zero_point[0]) == (ri.quant.scale[0], ri.quant.zero_point[0])
    a, b = describe(real, name), describe(twin, name)
    assert (a.macs, a.weight_bytes, a.ops) == (b.macs, b.weight_bytes, b.ops)


def test_macs_match_the_published_figures(built):
    macs = {n: describe(built[n][1], n).macs for n in TWINS}
    assert macs == {"aww": 2_656_768, "vww": 7_489_664, "resnet": 12_501_632, "toycar": 264_192}


# -- (c) runnable, with healthy activations -------------------------------------------------------

@pytest.mark.parametrize("name", zoo.names())
def test_tflm_runs_the_samples_with_healthy_activations(isolated_home, name):
    path = zoo.ensure(name)
    data = path.read_bytes()
    graph = parse(data, name)
    samples = load_samples(path.parent, graph, 10)
    assert len(list((path.parent / "input").glob("*.bin"))) == 10

    # Every activation becomes a graph output, so TFLite Micro shows all of them.
    probe = copy.copy(graph)
    probe.outputs = [op.outputs[0] for op in graph.ops]
    results = tflm(write_tflite(probe), samples, len(probe.outputs))
    for k, op in enumerate(graph.ops):
        values = np.stack([r[k].reshape(-1) for r in results])
        assert len(np.unique(values)) >= 8, f"{name} op {k} {op.kind}: nearly constant"
        # A confident softmax rightly sits at -128 / 127; sine's ramps plateau at their top code;
        # in a tensor of a few values, the calibration extremes themselves are a good share.
        t = graph.tensors[op.outputs[0]]
        if op.kind != "SOFTMAX" and name != "sine" and values.shape[1] >= 64 and \
                t.dtype == "int8":  # (audio_kws's front end computes in int16 and uint32)
            zp = t.quant.zero_point[0]  # -128 here: ReLU's 0, fine
            saturated = np.mean(values == 127) + (np.mean(values == -128) if zp != -128 else 0)
            assert saturated < 0.02, f"{name} op {k} {op.kind}: {saturated:.0%} saturated"
    final = np.stack([r[-1].reshape(-1) for r in results])
    assert len({row.tobytes() for row in final}) >= 8, f"{name}: output hardly varies"


def test_sine_computes_a_sine(built):
    data, graph, _, _ = built["sine"]
    x = np.linspace(0, 2 * np.pi, 64)
    inp, out = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    results = tflm(data, [[quantize(np.array([v]), inp)] for v in x], 1)
    y = np.array([(int(r[0].item()) - out.quant.zero_point[0]) * out.quant.scale[0]
                  for r in results])
    assert np.abs(y - np.sin(x)).max() < 0.1


@pytest.mark.parametrize("name", zoo.names())
def test_litert_reads_them_and_agrees_with_tflm(built, name):
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    data, graph, samples, _ = built[name]
    custom = sorted({op.kind for op in graph.ops if SPECS[op.kind].custom})
    if custom:
        pytest.skip(f"{name} uses TFLite Micro's custom operators {custom}, which LiteRT lacks")
    interp = litert.Interpreter(model_content=data)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    quantized = [[quantize(s, graph.tensors[graph.inputs[0]])] for s in samples]
    for sample, ref in zip(quantized, tflm(data, quantized, 1)):
        interp.set_tensor(inp["index"], sample[0])
        interp.invoke()
        got = interp.get_tensor(out["index"]).astype(int)
        # The two round some requantizations differently; the real models differ by 1-3 LSB too.
        assert np.abs(got - ref[0].reshape(got.shape).astype(int)).max() <= 8


def test_sample_files_are_the_generated_samples(isolated_home, built):
    path = zoo.ensure("aww")
    _, graph, samples, _ = built["aww"]
    loaded = load_samples(path.parent, graph, 10)
    for got, real in zip(loaded, samples):
        np.testing.assert_array_equal(got[0], quantize(real, graph.tensors[graph.inputs[0]]))
    definition = yaml.safe_load((path.parent / "definition.yml").read_text())
    assert definition["generator"] == {"name": "mcubench.zoo", "version": zoo.VERSION}
    assert definition["network"]["hash"]["value"] == hashlib.sha1(path.read_bytes()).hexdigest()
    assert "synthetic weights" in definition["description"]


# -- (d) `mcubench models` ------------------------------------------------------------------------

def test_models_command_prints_the_table(capsys):
    assert main(["models", "aww", "sine"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:5] == ["model", "source", "inputs", "outputs", "ops"]
    aww = next(line for line in out.splitlines() if line.startswith("aww "))
    assert "built-in" in aww and "int8[1,49,10,1]" in aww and "2.66 M" in aww and "13" in aww
    assert "aww: CONV_2D x5, DEPTHWISE_CONV_2D x4, AVERAGE_POOL_2D" in out
    assert "sine: FULLY_CONNECTED x3" in out


def test_models_command_detailed_and_groups(capsys):
    assert main(["models", "tinymlperf", "--detailed"]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.split("\n\n")[0].splitlines()[2:]]
    assert rows == list(TWINS)
    assert "3x3 s2 SAME RELU per-channel(axis 3)" in out  # a strided depthwise layer of vww
    assert "2,656,768" in out  # aww's total MACs


def test_models_command_shows_where_a_model_came_from(capsys, shared_models):
    assert main(["models", "resnet", "--model-path", str(shared_models)]) == 0
    out = capsys.readouterr().out
    assert f"zoo {shared_models}" in out and "12.50 M" in out


# -- (e) name resolution --------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MCUBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MCUBENCH_MODELS", raising=False)
    return tmp_path / "home"


def test_a_model_in_a_search_path_wins_over_the_builtin(home, tmp_path, built, monkeypatch):
    mine = tmp_path / "mine"
    (mine / "aww").mkdir(parents=True)
    (mine / "aww" / "aww.tflite").write_bytes(built["sine"][0])  # any other model
    ref = models.resolve("aww", [str(mine)])
    assert ref.path == (mine / "aww" / "aww.tflite").resolve() and ref.source == str(mine)
    monkeypatch.setenv("MCUBENCH_MODELS", str(mine))
    assert models.resolve("aww").path == ref.path
    assert not (home / "models" / "aww").exists()  # nothing generated


def test_a_real_model_wins_over_the_builtin(home, shared_models):
    ref = models.resolve("vww", [str(shared_models)])
    assert ref.path == (shared_models / "vww" / "vww.tflite").resolve()


def test_builtin_is_generated_once_then_found(home, built):
    ref = models.resolve("toycar")
    assert ref.source == "built-in" and ref.path == (home / "models" / "toycar" /
                                                     "toycar.tflite").resolve()
    assert ref.folder == ref.path.parent and ref.path.read_bytes() == built["toycar"][0]
    stamp = ref.path.stat().st_mtime_ns
    again = models.resolve("toycar")
    assert again == ref and again.path.stat().st_mtime_ns == stamp


def test_a_stale_builtin_is_regenerated(home, built):
    path = models.resolve("sine").path
    definition = path.parent / "definition.yml"
    data = yaml.safe_load(definition.read_text())
    data["generator"]["version"] = zoo.VERSION - 1
    definition.write_text(yaml.safe_dump(data))
    path.write_bytes(b"old")
    assert models.resolve("sine").path.read_bytes() == built["sine"][0]


def test_a_foreign_folder_is_not_overwritten(home):
    folder = home / "models" / "vww"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ModelError, match="holds no vww.tflite"):
        models.resolve("vww")
    assert (folder / "notes.txt").read_text() == "mine"


def test_unknown_name_lists_the_builtins(home):
    with pytest.raises(ModelError, match="Built-in models: aww, vww"):
        models.resolve("nosuchmodel")


def test_groups_builtin_and_user_defined(home):
    assert models.expand(["tinymlperf"]) == list(TWINS)
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yml").write_text(yaml.safe_dump(
        {"model_groups": {"tinymlperf": ["sine"], "quick": ["sine", "tinycnn"]}}))
    assert models.expand(["tinymlperf", "quick"]) == ["sine", "sine", "tinycnn"]


def test_descriptions_say_what_the_models_are():
    for name in TWINS:
        assert "architecture twin" in zoo.BUILTIN[name].description
        assert "for performance benchmarking, not accuracy" in zoo.BUILTIN[name].description
    assert all(zoo.BUILTIN[n].description for n in zoo.names())


def test_twins_cost_what_the_real_models_cost(capsys, shared_models):
    """Issue 5: invoke instructions of twin and real model differ by less than 2% (host, aot)."""
    import json

    from mcubench import home
    from mcubench.cli import main

    def invoke_counts(*extra):
        assert main(["run", "tinymlperf", "-b", "aot", "-t", "host", "-j", "2", *extra]) == 0
        capsys.readouterr()
        sid = (home.sessions_dir() / "latest").resolve().name
        rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
        return {r["Model"]: r["Invoke Instructions"] for r in rows}

    twins = invoke_counts()
    real = invoke_counts("--model-path", str(shared_models))
    assert set(twins) == {"aww", "vww", "resnet", "toycar"}
    for name, count in real.items():
        assert abs(twins[name] - count) / count < 0.02, (name, twins[name], count)
