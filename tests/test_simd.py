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


# Random single-op models through the SIMD paths, bundled (test_kernels_opt.BUNDLES): every
# optimized path on at least 50 random configurations (the GEMM's row segments, odd depths: the
# scalar tails after the SIMD quads and vector chunks, per-tensor and per-channel requantization,
# depthwise strides and channel counts that are not a multiple of the lanes), one firmware build per
# bundle and target, validated against TFLite Micro on two samples.
SIMD_SETUPS = {"dsp": ("cortex-m4", []),
               "vext": ("spike", [("spike.arch", "rv32gcv"), ("spike.toolchain", "llvm")])}


def run_bundles(tmp_path, feature: str) -> dict[str, dict]:
    """Each bundle built with `feature` on its target: bundle name -> report row."""
    from mcubench.frontends.tflite_writer import write_tflite
    from mcubench.session import expand, run_session
    from test_kernels_opt import BUNDLES, make_bundle

    target, config = SIMD_SETUPS[feature]
    specs, names = [], []
    for name in BUNDLES:
        g, _, aot = make_bundle(name)
        path = tmp_path / f"{feature}_{name}.tflite"
        path.write_bytes(write_tflite(g))
        cfg = [*config, ("validate.samples", "2"),
               ("aot.specialize", str(aot["specialize"]).lower())]
        specs += expand([str(path)], ["aot"], [target], ["validate", feature], [], cfg, [], [])
        names.append(name)
    _, df = run_session(specs, jobs=2, label=f"test_simd bundles {feature}")
    return {names[int(r["Run"])]: r.to_dict() for _, r in df.iterrows()}


@pytest.mark.parametrize("feature", [
    pytest.param("dsp", marks=pytest.mark.skipif(not ARM, reason="qemu-system-arm / "
                                                               "arm-none-eabi-gcc missing")),
    pytest.param("vext", marks=pytest.mark.skipif(not RVV, reason="spike / clang-16 / lld-16 "
                                                                "missing")),
])
def test_simd_random_op_bundles_bit_exact(tmp_path, feature):
    rows = run_bundles(tmp_path, feature)
    from test_kernels_opt import BUNDLES

    assert set(rows) == set(BUNDLES)
    for name, r in rows.items():
        assert not r["Failing"] and r["Validation"] is True and r["Max Abs Diff"] == 0, (name, r)
