"""Runs on a Dask cluster (`--executor dask --scheduler tcp://HOST:PORT`) or on a LocalCluster this
process starts (`--executor dask-local -j N`).

Workers need mcubench (and the tools of the runs they get) installed; each calls `run.execute`.
Artifacts: a worker that sees the session folder (same machine, or shared storage) writes the run
straight into it; a worker that does not (no shared storage) runs in a temporary folder and returns
it as a tar blob with the result, unpacked here into `runs/<n>/`. Which case holds is detected per
run from a token file in the session folder (`--shared-storage auto`), or forced with `yes`/`no`.
The stage cache lives in each worker's own home, so it is shared when that home is on shared
storage.

A run that needs a physical resource says `-c run.resource=board-stm32f7` (or `name=count`, several
separated by commas); it becomes a Dask worker resource, so only a worker started with `--resources
board-stm32f7=1` gets it. A worker that dies while running a run (killed, out of memory) is replaced
by Dask and the run retried; one that kills its worker again becomes a failed row."""
from __future__ import annotations

import io
import logging
import secrets
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import ConfigError, McubenchError
from ..run import execute
from . import Executor, Job, failed_result, internal_error

TOKEN = ".storage-token"


def resources_of(job: Job) -> dict[str, float]:
    """`run.resource=a,b=2` -> {"a": 1, "b": 2}."""
    raw = dict(job.spec.config).get("run.resource", "")
    out = {}
    for item in filter(None, (s.strip() for s in raw.split(","))):
        name, _, count = item.partition("=")
        try:
            out[name.strip()] = float(count) if count else 1.0
        except ValueError:
            raise ConfigError(f"run.resource={raw!r}: write NAME or NAME=COUNT, comma separated") \
                from None
    return out


def _work(job: Job, token: str, mode: str) -> dict:
    """On a worker: one run, into the session folder if this worker sees it, else into a temporary
    folder sent back as a tar blob."""
    from distributed import get_worker

    try:
        where = get_worker().address
    except ValueError:
        where = ""
    token_file = job.run_dir.parent / TOKEN
    shared = mode == "yes" or (mode == "auto" and _read(token_file) == token)
    if shared:
        return {"result": execute(job.spec, job.run_dir, job.use_cache), "worker": where,
                "tar": None}
    with tempfile.TemporaryDirectory(prefix="mcubench-run-") as tmp:
        local = Path(tmp) / job.run_dir.name
        result = execute(job.spec, local, job.use_cache)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
            tar.add(local, arcname=".")
        return {"result": result, "worker": where, "tar": buf.getvalue()}


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _unpack(blob: bytes, run_dir: Path) -> None:
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        tar.extractall(run_dir, filter="data")


class DaskExecutor(Executor):
    def __init__(self, jobs: int, scheduler: str | None = None, shared_storage: str = "auto"):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise McubenchError("the Dask executor needs the `dask[distributed]` packages: "
                                "pip install 'mcubench[dask]'") from None
        self.shared_storage = shared_storage
        self.cluster = None
        self.name = "dask" if scheduler else "dask-local"
        if scheduler is None:
            # One thread per worker (stages are Python-heavy); a run that kills its worker twice
            # fails instead of taking down a third one. Workers get exactly this process's
            # environment, as pool workers do (firmware measurements like the stack depth under
            # callgrind can depend on the size of the environment a simulator passes on).
            with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                                  "distributed.nanny.pre-spawn-environ": {}}):
                self.cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1,
                                            processes=True, dashboard_address=None,
                                            silence_logs=logging.ERROR)
            scheduler = self.cluster.scheduler_address
        try:
            self.client = Client(scheduler, timeout=15)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise McubenchError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        self.futures: dict = {}

    def _offered(self) -> dict[str, float]:
        """Resource name -> the most any one worker offers."""
        out: dict[str, float] = {}
        for w in self.client.scheduler_info(n_workers=-1)["workers"].values():
            for name, n in (w.get("resources") or {}).items():
                out[name] = max(out.get(name, 0), n)
        return out

    def run(self, jobs: list[Job]) -> Iterator[tuple[Job, dict]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        token = secrets.token_hex(16)
        for parent in {j.run_dir.parent for j in jobs}:
            parent.mkdir(parents=True, exist_ok=True)
            (parent / TOKEN).write_text(token)
        offered = self._offered()
        for job in jobs:
            res = resources_of(job)
            short = [f"{n}={c:g}" for n, c in res.items() if offered.get(n, 0) < c]
            if short:
                yield job, failed_result(
                    job, "run", f"no Dask worker offers resource {', '.join(short)}; start one "
                    f"with `dask worker SCHEDULER --resources {short[0]}`")
                continue
            fut = self.client.submit(_work, job, token, self.shared_storage, resources=res or None,
                                     pure=False, key=f"mcubench-run-{job.index}-{token[:8]}")
            self.futures[fut] = job
        for fut in as_completed(list(self.futures)):
            job = self.futures.pop(fut)
            try:
                out = fut.result()
            except KilledWorker:
                result = failed_result(
                    job, "run", "worker died: the Dask worker running this run was lost (killed, "
                    "out of memory or crashed), also on retry; see the worker's log")
            except Exception as exc:  # e.g. mcubench missing or a different version on the worker
                result = internal_error(job, "the Dask worker", exc)
            else:
                result = out["result"]
                if out.get("tar") is not None:
                    try:
                        _unpack(out["tar"], job.run_dir)
                    except (OSError, tarfile.TarError) as exc:
                        result = failed_result(job, "run", "artifacts from worker could not be "
                                               f"unpacked into {job.run_dir}: {exc}")
                result["worker"] = out.get("worker", "")
            yield job, result

    def close(self) -> None:
        for fut in list(getattr(self, "futures", {})):
            fut.cancel()
        client, self.client = getattr(self, "client", None), None
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
