"""Where runs execute: a local process pool, or a Dask cluster. One tiny interface.

An executor gets every job of a session at once and yields ``(job, result)`` as runs finish, in
completion order. ``result`` is what `run.execute` returns (a run's result.json); an executor never
raises for one run's failure, it turns it into a failed result (a worker that died, an unknown
resource), so the session always completes with one row per job."""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import ConfigError
from ..run import RunSpec

EXECUTORS = ("pool", "dask", "dask-local")


@dataclass(frozen=True)
class Job:
    index: int  # the run's number in its session (its folder runs/<index>)
    spec: RunSpec
    run_dir: Path
    use_cache: bool = True


class Executor:
    name = ""

    def run(self, jobs: list[Job]) -> Iterator[tuple[Job, dict]]:
        """Submit the jobs; yield each job with its result as soon as it finishes."""
        raise NotImplementedError

    def close(self) -> None:
        """Cancel what has not finished and release workers (safe to call twice)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def failed_result(job: Job, stage: str, reason: str) -> dict:
    """The result of a run that could not produce its own (its worker died, say)."""
    return {"spec": job.spec.to_json(), "metrics": {}, "times": {}, "cached": [],
            "failing": True, "reason": f"{stage}: {reason}", "resolved": {}}


def internal_error(job: Job, where: str, exc: BaseException) -> dict:
    """An unexpected exception outside `run.execute` (a result that did not pickle, say)."""
    try:
        job.run_dir.mkdir(parents=True, exist_ok=True)
        (job.run_dir / "error.log").write_text("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    return failed_result(job, "run", f"internal error in {where}: {type(exc).__name__}: {exc}")


def check_executor(kind: str, scheduler: str | None = None, shared_storage: str = "auto") -> str:
    """The executor `kind` the flags ask for, or a ConfigError before anything runs."""
    if scheduler and kind == "pool":
        kind = "dask"
    if kind not in EXECUTORS:
        raise ConfigError(f"unknown executor {kind!r}; executors: {', '.join(EXECUTORS)}")
    if kind == "dask" and not scheduler:
        raise ConfigError("--executor dask needs --scheduler tcp://HOST:PORT (or use "
                          "--executor dask-local for a cluster on this machine)")
    if kind == "dask-local" and scheduler:
        raise ConfigError("--executor dask-local starts its own cluster; drop --scheduler "
                          "or use --executor dask")
    if shared_storage not in ("auto", "yes", "no"):
        raise ConfigError(f"shared storage {shared_storage!r}: one of auto, yes, no")
    return kind


def make_executor(kind: str, jobs: int, scheduler: str | None = None,
                  shared_storage: str = "auto") -> Executor:
    kind = check_executor(kind, scheduler, shared_storage)
    if kind == "pool":
        from .pool import PoolExecutor

        return PoolExecutor(jobs)
    from .dask import DaskExecutor

    return DaskExecutor(jobs, scheduler if kind == "dask" else None, shared_storage)
