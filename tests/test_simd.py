"""The SIMD kernel variants (features `dsp` and `vext`, mcubench/features/simd.py): bit-exact with
TFLite Micro (`-f validate`) on the real models and on random single-op models, fewer instructions
than the scalar optimized kernels, and a clear compile error on a core without the extension."""
import json
import shutil

import pytest

from mcubench import home
from mcubench.cli import main

ARM = bool(shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc"))
RVV = bool(shutil.which("spike") and shutil.which("clang-16") and shutil.which("ld.lld-16"))
RVV_CONFIG = ["-c", "spike.arch=rv32gcv", "-c", "spike.toolchain=llvm"]


def session_rows(capsys, args: list[str], ok: bool = True) -> list[dict]:
    code = main(args)
    if ok:
        assert code == 0, capsys.readouterr().err
    sid = (home.sessions_dir() / "latest").resolve().name
    return json.loads((home.sessions_dir() / sid / "report.json").read_text())


def by_model_and_features(rows: list[dict]) -> dict[tuple[str, str], dict]:
    simd = ("dsp", "vext")
    return {(r["Model"], "simd" if any(f in r["Features"] for f in simd) else "opt"): r
            for r in rows}


def check_simd(rows: list[dict], faster: tuple[str, ...] = ("aww", "toycar")) -> None:
    assert len(rows) == 4
    for r in rows:
        assert not r["Failing"], r
        assert r["Validation"] is True and r["Max Abs Diff"] == 0, r
    by = by_model_and_features(rows)
    for model in ("aww", "toycar"):
        opt = by[(model, "opt")]["Invoke Instructions"]
        simd = by[(model, "simd")]["Invoke Instructions"]
        if model in faster:
            assert simd < opt, (model, opt, simd)


@pytest.mark.skipif(not ARM, reason="qemu-system-arm / arm-none-eabi-gcc missing")
def test_dsp_cortex_m4_bit_exact_and_faster(capsys, shared_models):
    rows = session_rows(capsys, ["run", "aww", "toycar", "--model-path", str(shared_models),
                                 "-b", "aot", "-t", "cortex-m4", "-f", "validate",
                                 "--feature-gen", "_", "--feature-gen", "dsp", "-j", "4"])
    check_simd(rows, faster=("aww", "toycar"))


@pytest.mark.skipif(not RVV, reason="spike / clang-16 / lld-16 missing")
def test_vext_spike_rv32gcv_bit_exact_and_faster(capsys, shared_models):
    rows = session_rows(capsys, ["run", "aww", "toycar", "--model-path", str(shared_models),
                                 "-b", "aot", "-t", "spike", *RVV_CONFIG, "-f", "validate",
                                 "--feature-gen", "_", "--feature-gen", "vext", "-j", "4"])
    check_simd(rows, faster=("aww", "toycar"))


@pytest.mark.skipif(not (ARM and RVV), reason="simulators/toolchains missing")
@pytest.mark.parametrize("feature,target,config,needs", [
    ("dsp", "cortex-m3", [], "DSP extension"),
    ("dsp", "cortex-m4", ["-c", "cortex-m4.dsp=false"], "DSP extension"),
    ("dsp", "spike", [], "DSP extension"),
    ("vext", "spike", [], "V extension"),
    ("vext", "cortex-m4", [], "V extension"),
])
def test_simd_without_the_extension_fails_clearly(capsys, shared_models, feature, target, config,
                                                  needs):
    rows = session_rows(capsys, ["run", "toycar", "--model-path", str(shared_models), "-b", "aot",
                                 "-t", target, *config, "-f", feature], ok=False)
    assert len(rows) == 1 and rows[0]["Failing"], rows
    err = json.dumps(rows[0])
    assert f"feature {feature} needs" in err and needs in err, err


# Random single-op models (tests/opmodels.py, test_kernels_opt.depthwise_3x3) through the SIMD
# paths: the GEMM's row segments, odd depths (the scalar tails after the SIMD quads), per-tensor and
# per-channel requantization, depthwise strides and channel counts that are not a multiple of 8.
OP_SEEDS = {"CONV_2D": range(12), "FULLY_CONNECTED": range(8), "DEPTHWISE_3X3": range(8)}


@pytest.mark.skipif(not (ARM and RVV), reason="simulators/toolchains missing")
def test_simd_random_ops_bit_exact(capsys, tmp_path):
    from mcubench.frontends.tflite_writer import write_tflite
    from opmodels import make_op_graph
    from test_kernels_opt import depthwise_3x3

    files = []
    for kind, seeds in OP_SEEDS.items():
        for seed in seeds:
            path = tmp_path / f"{kind.lower()}_{seed}.tflite"
            g = depthwise_3x3(seed) if kind == "DEPTHWISE_3X3" else make_op_graph(kind, seed)
            path.write_bytes(write_tflite(g))
            files.append(str(path))
    common = ["-b", "aot", "-f", "validate", "-c", "validate.samples=2", "-j", "8"]
    for target, feature, config in (("cortex-m4", "dsp", []), ("spike", "vext", RVV_CONFIG)):
        rows = session_rows(capsys, ["run", *files, "-t", target, *config, "-f", feature, *common])
        assert len(rows) == len(files)
        for r in rows:
            assert not r["Failing"] and r["Validation"] is True and r["Max Abs Diff"] == 0, r
