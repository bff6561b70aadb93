"""A session: the matrix of runs one command asks for, executed in a process pool.

Processes, not threads: stages are Python-heavy (parsing, code generation) and the GIL would
serialize them. Each run's result is written into the database the moment it ends, so a session that
is interrupted keeps everything already measured."""
from __future__ import annotations

import itertools
import json
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import home, report
from .run import RunSpec, assemble, execute, get_registry
from .store import Store


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


def new_session_dir() -> tuple[str, Path]:
    root = home.sessions_dir()
    root.mkdir(parents=True, exist_ok=True)
    n = max([int(p.name) for p in root.iterdir() if p.name.isdigit()], default=-1) + 1
    while True:
        try:
            (root / str(n)).mkdir()
            return str(n), root / str(n)
        except FileExistsError:
            n += 1


def _execute(args):
    spec, run_dir, use_cache = args
    return execute(spec, run_dir, use_cache)


def run_session(specs: list[RunSpec], jobs: int | None = None, progress: bool = False,
                command: str = "", label: str = "", use_cache: bool = True,
                on_row=None) -> tuple[str, pd.DataFrame]:
    sid, sdir = new_session_dir()
    store = Store(home.db_path())
    store.add_session(sid, command, label)
    (sdir / "session.json").write_text(json.dumps(
        {"command": command, "label": label, "runs": [s.to_json() for s in specs]}, indent=1))
    latest = home.sessions_dir() / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(sid)

    rows: dict[int, dict] = {}
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(specs)))
    bar = Progress(TextColumn(f"session {sid}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[last]}"), TimeElapsedColumn(), disable=not progress)
    with bar, ProcessPoolExecutor(max_workers=jobs) as pool:
        task = bar.add_task("runs", total=len(specs), last="")
        pending = {pool.submit(_execute, (spec, sdir / "runs" / str(i), use_cache)): i
                   for i, spec in enumerate(specs)}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    r = report.row(sid, i, fut.result())
                    rows[i] = r
                    store.add_row(r)
                    if on_row:
                        on_row(r)
                    bar.update(task, advance=1,
                               last=f"{r['Model']}/{r['Backend']}/{r['Target']}"
                                    + (" FAILED" if r["Failing"] else ""))
        except KeyboardInterrupt:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            df = report.frame([rows[i] for i in sorted(rows)])
            report.write(df, sdir)
            raise
    df = report.frame([rows[i] for i in sorted(rows)])
    report.write(df, sdir)
    return sid, df
