"""The whole path through the CLI: matrix, cache, failures, config errors, reports, replay."""
import json
import time

from mcubench import home
from mcubench.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def latest_rows():
    sid = (home.sessions_dir() / "latest").resolve().name
    return json.loads((home.sessions_dir() / sid / "report.json").read_text())


def test_unknown_config_key_fails_before_running(capsys):
    code, out, err = run_cli(capsys, "run", "x.tflite", "-c", "aot.nonexistent=1")
    assert code == 2
    assert "aot.nonexistent" in err and "valid keys" in err and "aot.arena_align" in err


def test_unknown_component_lists_valid_names(capsys):
    code, _, err = run_cli(capsys, "run", "x.tflite", "-b", "nosuch")
    assert code == 2 and "unknown backend 'nosuch'" in err and "aot" in err
    code, _, err = run_cli(capsys, "run", "x.tflite", "-t", "nosuch")
    assert code == 2 and "unknown target" in err and "host" in err


def test_bad_config_value_type(capsys):
    code, _, err = run_cli(capsys, "run", "x.tflite", "-c", "aot.arena_align=many")
    assert code == 2 and "expected int" in err


def test_broken_model_is_one_failed_row(capsys, shared_models, tmp_path):
    broken = tmp_path / "broken.tflite"
    broken.write_bytes((shared_models / "toycar" / "toycar.tflite").read_bytes()[:5000])
    code, out, _ = run_cli(capsys, "run", str(broken), str(shared_models / "toycar" /
                                                        "toycar.tflite"), "-j", "2")
    assert code == 1
    rows = {r["Model"]: r for r in latest_rows()}
    assert rows["broken"]["Failing"] and rows["broken"]["Reason"].startswith("load: ")
    assert "malformed or truncated" in rows["broken"]["Reason"]
    assert not rows["toycar"]["Failing"] and rows["toycar"]["Invoke Instructions"] > 0


def test_missing_model_name_is_a_failed_row(capsys):
    code, out, _ = run_cli(capsys, "run", "no_such_model")
    assert code == 1
    (row,) = latest_rows()
    assert "not found" in row["Reason"] and "--model-path" in row["Reason"]


def test_rerun_is_cached_and_config_invalidates_only_its_stages(capsys, shared_models):
    args = ["run", "toycar", "--model-path", str(shared_models), "-f", "validate"]
    t0 = time.perf_counter()
    assert run_cli(capsys, *args)[0] == 0
    first = time.perf_counter() - t0
    (row,) = latest_rows()
    assert row["Validation"] is True and row["Setup Instructions"] is not None
    t0 = time.perf_counter()
    assert run_cli(capsys, *args)[0] == 0
    second = time.perf_counter() - t0
    (again,) = latest_rows()
    assert again["Cached"] == "load,build,compile,run"
    assert again["Invoke Instructions"] == row["Invoke Instructions"]
    assert second < first
    # A backend key: LOAD stays cached, everything downstream is recomputed.
    assert run_cli(capsys, *args, "-c", "aot.arena_align=32")[0] == 0
    assert latest_rows()[0]["Cached"] == "load"
    # A toolchain key: LOAD and BUILD stay cached.
    assert run_cli(capsys, *args, "-c", "gcc.optimize=s")[0] == 0
    assert latest_rows()[0]["Cached"] == "load,build"


def test_matrix_size_and_variants(capsys, shared_models):
    code, out, _ = run_cli(capsys, "flow", "run", "toycar", "--model-path", str(shared_models),
                           "--feature-gen", "_", "--feature-gen", "validate", "--config-gen", "_",
                           "--config-gen", "gcc.optimize=s", "--until", "compile")
    assert code == 0
    rows = latest_rows()
    assert len(rows) == 4
    assert sorted(r["Features"] for r in rows) == ["", "", "validate", "validate"]
    assert sorted(r["Config"] for r in rows) == ["", "", "gcc.optimize=s", "gcc.optimize=s"]
    assert all(r["Invoke Instructions"] is None and r["ROM code"] > 0 for r in rows)


def test_artifacts_replay_and_reports(capsys, shared_models):
    assert run_cli(capsys, "run", "toycar", "--model-path", str(shared_models))[0] == 0
    sid = (home.sessions_dir() / "latest").resolve().name
    run_dir = home.sessions_dir() / sid / "runs" / "0"
    for rel in ("load/toycar.tflite", "load/summary.json", "build/model.c", "compile/firmware.elf",
                "compile/compile_command.txt", "run/run.log", "config.json", "spec.json"):
        assert (run_dir / rel).is_file(), rel
    assert json.loads((run_dir / "config.json").read_text())["gcc.optimize"] == "2"
    assert run_cli(capsys, "run", "--replay", str(run_dir))[0] == 0
    replayed = latest_rows()[0]
    code, out, _ = run_cli(capsys, "report", sid, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("Session,Run,Model")
    assert str(replayed["Invoke Instructions"]) in out
    code, out, _ = run_cli(capsys, "sessions")
    assert code == 0 and sid in out


def test_list_shows_components_with_keys(capsys):
    code, out, _ = run_cli(capsys, "list", "backends")
    assert code == 0 and "aot" in out and "aot.arena_align" in out
    code, out, _ = run_cli(capsys, "list", "features")
    assert "validate" in out and "run.timeout" in out


def test_home_plugin_registers_a_target(capsys, isolated_home):
    plugins = isolated_home / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "myboard.py").write_text(
        "from mcubench.targets.host import Host\n"
        "class MyBoard(Host):\n    name = 'myboard'\n    description = 'a plugin target'\n"
        "def register(registry):\n    registry.add(MyBoard)\n")
    import mcubench.run as run_mod
    run_mod._REGISTRY = None
    try:
        code, out, _ = run_cli(capsys, "list", "targets")
        assert code == 0 and "myboard" in out
    finally:
        (plugins / "myboard.py").unlink()
        run_mod._REGISTRY = None


def test_mlperf_tiny_on_host_all_valid(capsys, shared_models):
    """The issue's acceptance command: four rows, all bit-exact with TFLite Micro on 10 samples."""
    code, out, _ = run_cli(capsys, "run", "aww", "vww", "resnet", "toycar", "--model-path",
                           str(shared_models), "-b", "aot", "-t", "host", "-f", "validate", "-j", "2")
    assert code == 0
    rows = latest_rows()
    assert [r["Model"] for r in rows] == ["aww", "vww", "resnet", "toycar"]
    for r in rows:
        assert r["Validation"] is True and r["Max Abs Diff"] == 0
        assert r["Invoke Instructions"] > 100_000 and r["Setup Instructions"] >= 0
        assert r["ROM code"] > 0 and r["ROM rodata"] > r["Arena"] / 100 and r["RAM stack"] > 0
        assert r["Total RAM"] >= r["Arena"]
    assert "Invoke Instructions" in out and "vww" in out
