"""Runs on Dask: a LocalCluster gives the same report as the process pool; remote-style workers send
artifacts back; worker resources route runs; a dead worker is one failed row."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

pytest.importorskip("distributed")

import mcubench.run as run_mod  # noqa: E402
from mcubench import home  # noqa: E402
from mcubench.cli import main  # noqa: E402
from mcubench.report import METRICS  # noqa: E402
from test_reliability import KILLER_PLUGIN  # noqa: E402



@pytest.fixture
def private_home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("MCUBENCH_HOME", str(h))
    run_mod._REGISTRY = None
    yield h
    run_mod._REGISTRY = None


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def session(sid: str) -> tuple[list[dict], str]:
    sdir = home.sessions_dir() / sid
    return json.loads((sdir / "report.json").read_text()), (sdir / "session.log").read_text()


def test_local_cluster_matches_process_pool(capsys, shared_models, private_home):
    """The acceptance matrix: 12 runs (toycar and aww x no feature/validate x three configs) on the
    pool, then on a 2-worker LocalCluster with the cache off: every metric identical (the host
    target runs its firmware with a fixed environment and path, so even the stack matches)."""
    matrix = ["toycar", "aww", "--model-path", shared_models, "-t", "host", "-j", "2",
              "--feature-gen", "_", "--feature-gen", "validate", "--config-gen", "_",
              "--config-gen", "gcc.optimize=s", "--config-gen", "aot.arena_align=32"]
    assert run_cli(capsys, "run", *matrix)[0] == 0
    assert run_cli(capsys, "run", *matrix, "--executor", "dask-local", "--no-cache")[0] == 0
    pool, _ = session("0")
    dask, log = session("1")
    assert len(pool) == len(dask) == 12
    assert "12 runs on dask-local (2 parallel)" in log and log.count("(on tcp://") == 12
    for a, b in zip(pool, dask):
        assert (a["Model"], a["Features"], a["Config"]) == (b["Model"], b["Features"], b["Config"])
        assert not a["Failing"] and not b["Failing"] and b["Cached"] == ""
        assert {m: a[m] for m in METRICS} == {m: b[m] for m in METRICS}
    assert sum(r["Validation"] is True for r in dask) == 6


@pytest.fixture
def cluster(tmp_path):
    """A scheduler with one plain worker, plus a worker process started like on a lab machine that
    has a board: `dask worker SCHEDULER --resources board-stm32f7=1`."""
    from distributed import Client, LocalCluster

    lc = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
    board = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                              lc.scheduler_address, "--nthreads", "1", "--no-dashboard",
                              "--resources", "board-stm32f7=1", "--name", "board-worker"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with Client(lc.scheduler_address) as c:
            c.wait_for_workers(2, timeout=60)
            info = c.scheduler_info(n_workers=-1)["workers"]
            board_addr = next(a for a, w in info.items() if w.get("resources"))
        yield lc.scheduler_address, board_addr
    finally:
        board.terminate()
        board.wait(timeout=30)
        lc.close()


def test_remote_workers_send_artifacts_back_and_resources_route_runs(capsys, shared_models,
                                                                     cluster):
    scheduler, board_addr = cluster
    code, _, _ = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-j", "2",
                         "--scheduler", scheduler, "--shared-storage", "no",
                         "--config-gen", "_", "--config-gen", "run.resource=board-stm32f7",
                         "--config-gen", "run.resource=board-nrf52", "--no-cache")
    assert code == 1
    sid = (home.sessions_dir() / "latest").resolve().name
    (plain, on_board, nowhere), log = session(sid)
    assert not plain["Failing"] and not on_board["Failing"]
    assert plain["Invoke Instructions"] == on_board["Invoke Instructions"] > 0
    assert nowhere["Failing"] and "no Dask worker offers resource board-nrf52=1" in \
        nowhere["Reason"]
    assert f"run 1 toycar/aot/host run.resource=board-stm32f7: ok (on {board_addr})" in log
    # Workers ran in temporary folders; their artifacts came back as tar blobs.
    for n in ("0", "1"):
        run_dir = home.sessions_dir() / sid / "runs" / n
        for rel in ("spec.json", "result.json", "load/toycar.tflite", "compile/firmware.elf",
                    "run/run.log"):
            assert (run_dir / rel).is_file(), rel


def test_dask_worker_death_is_a_row(capsys, shared_models, private_home):
    """A run that kills its Dask worker is retried once on a fresh worker, then a failed row;
    the runs on the other worker are unaffected."""
    (private_home / "plugins").mkdir()
    (private_home / "plugins" / "killer.py").write_text(KILLER_PLUGIN)
    t0 = time.monotonic()
    code, _, _ = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-t", "host",
                         "-t", "killer", "-j", "2", "--executor", "dask-local",
                         "--config-gen", "_", "--config-gen", "gcc.optimize=s")
    assert code == 1 and time.monotonic() - t0 < 120
    rows, _ = session("0")
    assert [r["Target"] for r in rows] == ["host", "killer", "host", "killer"]
    for r in rows:
        if r["Target"] == "killer":
            assert r["Failing"] and r["Reason"].startswith("run: worker died"), r["Reason"]
        else:
            assert not r["Failing"] and r["Invoke Instructions"] > 0


def test_executor_flags_are_checked(capsys):
    code, _, err = run_cli(capsys, "run", "toycar", "--executor", "dask")
    assert code == 2 and "needs --scheduler" in err
    code, _, err = run_cli(capsys, "run", "toycar", "--executor", "dask-local", "--scheduler",
                           "tcp://127.0.0.1:1")
    assert code == 2 and "drop --scheduler" in err
