"""Faults become rows, and a killed session resumes without running anything twice.

Every fault is injected through a real mechanism: config keys (a compiler prefix with a crashing
cc1, a header that makes the firmware segfault, hang or overflow RAM), a plugin in the home's
plugins folder (a target whose run kills its worker), or a full file system (a tiny tmpfs over a run
folder)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mcubench.run as run_mod
from mcubench import home
from mcubench.cli import main

REPO = Path(__file__).resolve().parents[1]

KILLER_PLUGIN = '''
import os, signal
from mcubench.targets.host import Host


class Killer(Host):
    """The host target, but RUN kills the process executing it (as the OOM killer would)."""
    name = "killer"
    description = "kills its own worker (reliability tests)"

    def run(self, elf, out_dir, timeout):
        os.kill(os.getpid(), signal.SIGKILL)


def register(registry):
    registry.add(Killer)
'''


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    """A home of its own (plugins, sessions, cache) for tests that change what a home holds."""
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


def latest_rows():
    return json.loads((home.sessions_dir() / "latest" / "report.json").read_text())


def header(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# --- faults --------------------------------------------------------------------------------------
def test_compiler_crash_is_a_row(capsys, shared_models, tmp_path):
    """`gcc -B DIR` finds a cc1 there that dies of SIGSEGV: gcc's "internal compiler error"."""
    bad = tmp_path / "badgcc"
    bad.mkdir()
    (bad / "cc1").write_text("#!/bin/sh\nkill -SEGV $$\n")
    (bad / "cc1").chmod(0o755)
    code, out, _ = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-j", "2",
                           "--until", "compile", "--config-gen", "_", "--config-gen",
                           f"gcc.extra_cflags=-B{bad}/")
    assert code == 1
    ok, crashed = latest_rows()
    assert not ok["Failing"] and ok["ROM code"] > 0
    assert crashed["Failing"]
    assert crashed["Reason"].startswith("compile: compiler failed: ")
    assert "internal compiler error: Segmentation fault" in crashed["Reason"]


def test_linker_overflow_is_a_row(capsys, shared_models, tmp_path):
    """4 MB of static data per translation unit on a Cortex-M0 board: the linker's region overflow
    becomes "does not fit"."""
    from mcubench.run import get_registry

    reg = get_registry()
    if "cortex-m0" not in reg.names("target") or reg.get("target", "cortex-m0").missing():
        pytest.skip("no bare-metal target with its toolchain installed (cortex-m0)")
    ballast = header(tmp_path, "ballast.h",
                     "static volatile char mb_ballast[1 << 22];\n"
                     "__attribute__((constructor)) static void mb_ballast_use(void) "
                     "{ mb_ballast[0] = 1; }\n")
    code, _, _ = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-t",
                         "cortex-m0", "--until", "compile", "-j", "2", "--config-gen", "_",
                         "--config-gen", f"gcc.extra_cflags=-include {ballast}")
    assert code == 1
    ok, full = latest_rows()
    assert not ok["Failing"] and ok["ROM code"] > 0
    assert full["Failing"] and full["Reason"].startswith("compile: does not fit: needs ")
    assert "kB RAM, target has" in full["Reason"]


def test_simulator_crash_and_hang_are_rows(capsys, shared_models, tmp_path):
    """Firmware that segfaults before main, and firmware that never ends (run.timeout)."""
    segv = header(tmp_path, "segv.h", "#include <signal.h>\n"
                  "__attribute__((constructor)) static void mb_fault(void) { raise(SIGSEGV); }\n")
    hang = header(tmp_path, "hang.h", "__attribute__((constructor)) static void mb_fault(void) "
                  "{ for (;;) __asm__ volatile(\"\"); }\n")
    t0 = time.monotonic()
    code, _, _ = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-j", "2",
                         "--config-gen", "_",
                         "--config-gen", f"gcc.extra_cflags=-include {segv}",
                         "--config-gen", f"gcc.extra_cflags=-include {hang}", "run.timeout=3")
    assert code == 1 and time.monotonic() - t0 < 60
    ok, crashed, hung = latest_rows()
    assert not ok["Failing"] and ok["Invoke Instructions"] > 0
    assert crashed["Failing"] and crashed["Reason"].startswith("run: firmware did not finish")
    assert "-11" in crashed["Reason"]  # SIGSEGV
    assert hung["Failing"] and hung["Reason"].startswith("run: timeout: simulator still running "
                                                         "after 3 s, killed")


def test_worker_death_is_a_row_and_other_runs_survive(capsys, shared_models, private_home):
    """A pool process killed mid-run breaks the ProcessPoolExecutor; the pool is restarted, the
    killed run becomes "worker died", the runs that shared the pool get their real results."""
    (private_home / "plugins").mkdir()
    (private_home / "plugins" / "killer.py").write_text(KILLER_PLUGIN)
    code, _, _ = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-t", "host",
                         "-t", "killer", "-j", "2", "--config-gen", "_", "--config-gen",
                         "gcc.optimize=s")
    assert code == 1
    rows = latest_rows()
    assert [r["Target"] for r in rows] == ["host", "killer", "host", "killer"]
    for r in rows:
        if r["Target"] == "killer":
            assert r["Failing"] and r["Reason"].startswith("run: worker died")
        else:
            assert not r["Failing"] and r["Invoke Instructions"] > 0 and r["Validation"] is None


def _try_mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


DISK_FULL_PLUGIN = '''
import errno, os
from mcubench.targets.host import Host


class FullDisk(Host):
    """The host target on a full disk: writing the firmware fails with ENOSPC."""
    name = "fulldisk"
    description = "a full disk (reliability tests, when no tmpfs can be mounted)"

    def compile(self, build_dir, data_c, out_dir):
        path = out_dir / "firmware.elf"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def register(registry):
    registry.add(FullDisk)
'''


def test_disk_full_in_run_folder_is_a_row(capsys, shared_models, private_home):
    """A 32 kB tmpfs over one run folder (root), else an ENOSPC from a plugin target."""
    args = ["toycar", "--model-path", shared_models, "--until", "compile", "-j", "2",
            "--config-gen", "_", "--config-gen", "gcc.optimize=s"]
    assert run_cli(capsys, "run", *args)[0] == 0
    sid = (home.sessions_dir() / "latest").resolve().name
    run1 = home.sessions_dir() / sid / "runs" / "1"
    shutil.rmtree(run1)
    run1.mkdir()
    mounted = _try_mount_tmpfs(run1, "32k")
    try:
        if mounted:
            code, _, _ = run_cli(capsys, "run", "--resume", sid, "-j", "2")
        else:
            (private_home / "plugins").mkdir()
            (private_home / "plugins" / "fulldisk.py").write_text(DISK_FULL_PLUGIN)
            run_mod._REGISTRY = None
            code, _, _ = run_cli(capsys, "run", *args[:-4], "-t", "host", "-t", "fulldisk")
        assert code == 1
        ok, full = latest_rows()
        assert not ok["Failing"] and ok["ROM code"] > 0
        assert full["Failing"]
        assert "disk full: no space left on device" in full["Reason"], full["Reason"]
    finally:
        if mounted:
            subprocess.run(["umount", str(run1)], check=False)


# --- resume --------------------------------------------------------------------------------------
def test_sigkill_then_resume_runs_only_what_is_missing(capsys, shared_models, private_home):
    """Eight toycar variants in a subprocess, SIGKILLed after some finished; `--resume` completes
    the session, and no finished run is executed again (its result.json is untouched)."""
    cmd = [sys.executable, "-m", "mcubench.cli", "run", "toycar", "--model-path",
           str(shared_models), "-j", "2", "--feature-gen", "_", "--feature-gen", "validate"]
    for opt in ("0", "1", "2", "s"):
        cmd += ["--config-gen", f"gcc.optimize={opt}"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "MCUBENCH_HOME": str(private_home)})
    runs = private_home / "sessions" / "0" / "runs"
    deadline = time.monotonic() + 120
    while len(list(runs.glob("*/result.json"))) < 3:
        assert proc.poll() is None, f"session ended before it could be killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name: (p.stat().st_mtime_ns, p.stat().st_ino)
                for p in runs.glob("*/result.json")}
    assert 3 <= len(finished) < 8, "the kill came too late to test anything"

    code, out, err = run_cli(capsys, "run", "--resume", "0", "-j", "2")
    assert code == 0, err
    rows = latest_rows()
    assert [r["Run"] for r in rows] == list(range(8))
    assert all(not r["Failing"] and r["Invoke Instructions"] > 0 for r in rows)
    assert sorted(r["Config"] for r in rows) == sorted(
        f"gcc.optimize={o}" for o in ("0", "1", "2", "s") for _ in range(2))
    for name, (mtime, ino) in finished.items():
        p = runs / name / "result.json"
        assert (p.stat().st_mtime_ns, p.stat().st_ino) == (mtime, ino), f"run {name} ran again"
    log = (private_home / "sessions" / "0" / "session.log").read_text()
    assert f"resuming, {len(finished)} of 8 runs finished, running {8 - len(finished)}" in log
    # The database holds the whole session too (runs that ended after the kill included).
    code, out, _ = run_cli(capsys, "report", "0", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 8
    # Nothing left to do: a second resume runs nothing.
    assert run_cli(capsys, "run", "--resume", "latest")[0] == 0
    for name in finished:
        assert (runs / name / "result.json").stat().st_mtime_ns == finished[name][0]


def test_resume_errors_are_clear(capsys, private_home):
    code, _, err = run_cli(capsys, "run", "--resume", "42")
    assert code == 2 and "session '42' not found" in err
    code, _, err = run_cli(capsys, "run", "--resume", "42", "toycar")
    assert code == 2 and "give no models" in err
