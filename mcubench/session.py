"""A session: the matrix of runs one command asks for, executed by an executor (a local process pool
by default, or a Dask cluster: executors/).

Nothing finished is ever lost: each run writes its result.json atomically the moment it ends (in the
worker), and the session writes its row into the results database as soon as the result arrives. The
session folder keeps every run's spec in session.json, so `mcubench run --resume SESSION` runs only
what is missing or failed, even after the main process was SIGKILLed half-way."""
from __future__ import annotations

import fcntl
import itertools
import json
import logging
import os
import time
from pathlib import Path

import pandas as pd
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from . import home, report
from .errors import McubenchError
from .executors import Job, check_executor, make_executor
from .run import RunSpec, assemble, get_registry
from .store import Store, open_store

log = logging.getLogger("mcubench.session")


def expand(models: list[str], backends: list[str], targets: list[str], features: list[str],
           feature_gen: list[list[str]], config: list[tuple[str, str]],
           config_gen: list[list[tuple[str, str]]], model_paths: list[str],
           until: str = "postprocess") -> list[RunSpec]:
    """models x feature variants x config variants x backends x targets, as MLonMCU counts them."""
    fvars = feature_gen or [[]]
    cvars = config_gen or [[]]
    specs = []
    for model, fv, cv, backend, target in itertools.product(models, fvars, cvars, backends,
                                                            targets):
        feats = tuple(dict.fromkeys([*features, *fv]))
        cfg = dict(config)
        cfg.update(dict(cv))
        specs.append(RunSpec(model, backend, target, feats, tuple(sorted(cfg.items())),
                             tuple(model_paths), until))
    return specs


def validate(specs: list[RunSpec]) -> None:
    """Fail before anything runs on unknown components or config keys (not on model files: a
    broken or missing model is one failed row, not a failed session)."""
    reg = get_registry()
    for spec in dict.fromkeys(RunSpec(s.model, s.backend, s.target, s.features, s.config)
                              for s in specs):
        assemble(spec, reg, resolve_model=False)


def new_session(store: Store, command: str, label: str) -> tuple[str, Path]:
    """The next free session number, free both as a folder in this home and in the database (which
    other machines may share)."""
    root = home.sessions_dir()
    root.mkdir(parents=True, exist_ok=True)
    local = [int(p.name) for p in root.iterdir() if p.name.isdigit()]
    n = max([*local, *store.numeric_ids()], default=-1) + 1
    while True:
        try:
            (root / str(n)).mkdir()
        except FileExistsError:
            n += 1
            continue
        if store.claim_session(str(n), command, label):
            return str(n), root / str(n)
        (root / str(n)).rmdir()
        n += 1


def new_session_dir() -> tuple[str, Path]:
    """A session folder without a database record (kept for callers of the old API)."""
    return new_session(open_store(), "", "")


def session_dir(sid: str) -> Path:
    sdir = home.sessions_dir() / sid
    if sid == "latest":
        if not sdir.exists():
            raise McubenchError("no sessions yet: run `mcubench run ...` first")
        sdir = sdir.resolve()
    if not (sdir / "session.json").is_file():
        raise McubenchError(f"session {sid!r} not found in {home.sessions_dir()} (no "
                            "session.json); see `mcubench sessions`")
    return sdir


def _lock(sdir: Path, wait: float = 0.0) -> int:
    """Hold the session's lock while it runs (released by the OS however the process ends; forked
    pool workers share it, so a session whose workers still run counts as running)."""
    fd = os.open(sdir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise McubenchError(f"session {sdir.name} is still running (its lock "
                                    f"{sdir}/.lock is held); wait for it or stop it first") \
                    from None
            time.sleep(0.2)


def _atomic_json(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _point_latest(sid: str) -> None:
    latest = home.sessions_dir() / "latest"
    tmp = home.sessions_dir() / f".latest-{os.getpid()}"
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(sid)
    os.replace(tmp, latest)


def run_session(specs: list[RunSpec], jobs: int | None = None, progress: bool = False,
                command: str = "", label: str = "", use_cache: bool = True,
                on_row=None, executor: str = "pool", scheduler: str | None = None,
                shared_storage: str = "auto", db: str | None = None) -> tuple[str, pd.DataFrame]:
    check_executor(executor, scheduler, shared_storage)
    store = open_store(db)
    sid, sdir = new_session(store, command, label)
    lock = _lock(sdir)
    try:
        _atomic_json(sdir / "session.json", {"command": command, "label": label,
                                             "use_cache": use_cache,
                                             "runs": [s.to_json() for s in specs]})
        _point_latest(sid)
        df = _execute(sid, sdir, specs, {}, store, jobs, progress, use_cache, on_row, executor,
                      scheduler, shared_storage)
    finally:
        os.close(lock)
    return sid, df


def finished_runs(sdir: Path, specs: list[RunSpec]) -> dict[int, dict]:
    """Runs of a session that finished without failing (their result.json matches their spec)."""
    done = {}
    for i, spec in enumerate(specs):
        try:
            result = json.loads((sdir / "runs" / str(i) / "result.json").read_text())
        except (OSError, ValueError):
            continue
        if not result.get("failing") and result.get("spec") == json.loads(json.dumps(
                spec.to_json())):
            done[i] = result
    return done


def resume_session(sid: str, jobs: int | None = None, progress: bool = False,
                   use_cache: bool | None = None, on_row=None, executor: str = "pool",
                   scheduler: str | None = None, shared_storage: str = "auto",
                   db: str | None = None) -> tuple[str, pd.DataFrame]:
    """Run what a session is missing or failed; rows of finished runs are kept as they are."""
    check_executor(executor, scheduler, shared_storage)
    sdir = session_dir(sid)
    sid = sdir.name
    lock = _lock(sdir, wait=10.0)
    try:
        meta = json.loads((sdir / "session.json").read_text())
        specs = [RunSpec.from_json(d) for d in meta["runs"]]
        kept = finished_runs(sdir, specs)
        validate([s for i, s in enumerate(specs) if i not in kept])
        store = open_store(db)
        store.ensure_session(sid, meta.get("command", ""), meta.get("label", ""))
        if use_cache is None:
            use_cache = meta.get("use_cache", True)
        _point_latest(sid)
        df = _execute(sid, sdir, specs, kept, store, jobs, progress, use_cache, on_row, executor,
                      scheduler, shared_storage)
    finally:
        os.close(lock)
    return sid, df


# Report columns that say a run got through a stage (progress shows these counts).
STAGE_TIMES = {"load": "Load Time", "build": "Build Time", "compile": "Compile Time",
               "run": "Run Time"}


def _execute(sid: str, sdir: Path, specs: list[RunSpec], kept: dict[int, dict], store: Store,
             jobs: int | None, progress: bool, use_cache: bool, on_row, executor: str,
             scheduler: str | None, shared_storage: str) -> pd.DataFrame:
    rows: dict[int, dict] = {}
    handler = logging.FileHandler(sdir / "session.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    if kept:
        log.info("session %s: resuming, %d of %d runs finished, running %d", sid, len(kept),
                 len(specs), len(specs) - len(kept))
    for i, result in kept.items():  # idempotent: a run may have ended after its session was killed
        rows[i] = report.row(sid, i, result)
        store.add_row(rows[i])
    todo = [Job(i, spec, sdir / "runs" / str(i), use_cache) for i, spec in enumerate(specs)
            if i not in kept]
    jobs = max(1, min(jobs or os.cpu_count() or 1, max(1, len(todo))))
    bar = Progress(TextColumn(f"session {sid}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                   TextColumn("{task.fields[stages]}  {task.fields[last]}"),
                   disable=not progress)
    reached = {stage: 0 for stage in STAGE_TIMES}  # finished runs that completed each stage
    tally = {"cached": 0, "failed": 0}
    try:
        with bar:
            task = bar.add_task("runs", total=len(specs), completed=len(kept), last="",
                                stages="")
            if todo:
                with make_executor(executor, jobs, scheduler, shared_storage) as ex:
                    log.info("session %s: %d runs on %s (%d parallel)", sid, len(todo), ex.name,
                             jobs)
                    for job, result in ex.run(todo):
                        r = report.row(sid, job.index, result)
                        rows[job.index] = r
                        store.add_row(r)
                        log.info("run %d %s/%s/%s%s%s: %s%s", job.index, r["Model"],
                                 r["Backend"], r["Target"],
                                 f" [{r['Features']}]" if r["Features"] else "",
                                 f" {r['Config']}" if r["Config"] else "",
                                 f"FAILED {r['Reason']}" if r["Failing"] else "ok",
                                 f" (on {result['worker']})" if result.get("worker") else "")
                        if on_row:
                            on_row(r)
                        for stage, col in STAGE_TIMES.items():
                            reached[stage] += r.get(col) is not None
                        tally["cached"] += bool(r["Cached"])
                        tally["failed"] += bool(r["Failing"])
                        stages = " ".join(f"{k} {v}" for k, v in reached.items())
                        bar.update(task, advance=1,
                                   stages=f"({stages} | cached {tally['cached']} "
                                          f"failed {tally['failed']})",
                                   last=f"{r['Model']}/{r['Backend']}/{r['Target']}"
                                        + (" FAILED" if r["Failing"] else ""))
    finally:  # also on Ctrl-C: the report holds every run that finished
        log.removeHandler(handler)
        handler.close()
        df = report.frame([rows[i] for i in sorted(rows)])
        report.write(df, sdir)
    return df
