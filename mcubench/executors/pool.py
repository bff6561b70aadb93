"""The local executor: a process pool on this machine.

Processes, not threads: stages are Python-heavy (parsing, code generation) and the GIL would
serialize them. A worker process that dies (killed, out of memory, a crash in native code) breaks a
`ProcessPoolExecutor` and fails every future it holds. We restart the pool and resubmit what the
death did not concern. Which runs were on a worker at that moment comes from a shared array each
worker writes when it starts and ends a run. If only one was, it is the run that died. If several
were, they are retried one at a time: the one that kills its worker again alone becomes a failed row
"worker died", and the others get their real results."""
from __future__ import annotations

import ctypes
import json
import multiprocessing as mp
import os
import signal
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from ..run import execute
from . import Executor, Job, failed_result, internal_error

IDLE, DONE = 0, -1  # states in the shared array; a running job holds its worker's pid

_STATE = None  # the shared array, in each worker


def _init_worker(state, parent: int) -> None:
    global _STATE
    _STATE = state
    # Die with the session: a SIGKILLed main process must not leave workers finishing runs into a
    # folder that `--resume` is about to redo (Linux only; elsewhere the workers idle out).
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


WORKER_DIED = ("worker died: the process running this run was killed (a signal, the out-of-memory "
               "killer or a crash in native code); the other runs are unaffected")


def _saved_result(job: Job) -> dict | None:
    """The result.json a run wrote before its result was lost with a broken pool."""
    try:
        return json.loads((job.run_dir / "result.json").read_text())
    except (OSError, ValueError):
        return None


def _work(job: Job) -> dict:
    _STATE[job.index] = os.getpid()
    try:
        return execute(job.spec, job.run_dir, job.use_cache)
    finally:
        _STATE[job.index] = DONE


class PoolExecutor(Executor):
    name = "pool"

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self.pool: ProcessPoolExecutor | None = None

    def _new_pool(self, state) -> ProcessPoolExecutor:
        self.close()
        self.pool = ProcessPoolExecutor(self.jobs, initializer=_init_worker,
                                        initargs=(state, os.getpid()))
        return self.pool

    def run(self, jobs: list[Job]) -> Iterator[tuple[Job, dict]]:
        if not jobs:
            return
        state = mp.RawArray("q", max(j.index for j in jobs) + 1)
        queue = deque(jobs)
        isolate: deque[Job] = deque()  # in flight together when a worker died: retried one by one
        losses: dict[int, int] = {}  # job index -> pools that broke while holding it
        pool = self._new_pool(state)
        running: dict = {}
        alone = False  # the one running job is an isolated retry
        barren = 0  # pool restarts in a row that produced no result

        def submit(job: Job) -> bool:
            state[job.index] = IDLE
            try:
                running[pool.submit(_work, job)] = job
                return True
            except BrokenProcessPool:  # it broke while idle: the job never started
                (isolate if alone else queue).appendleft(job)
                return False

        while queue or isolate or running:
            if not running:
                alone = bool(isolate)
                if alone:
                    submit(isolate.popleft())
            while not alone and queue and len(running) < self.jobs:
                if not submit(queue.popleft()):
                    break
            if not running:  # nothing could be submitted: a fresh pool, unless that keeps failing
                barren += 1
                if barren > 3:
                    for job in [*isolate, *queue]:
                        yield job, failed_result(job, "run", "worker died: the process pool "
                                                 "could not be (re)started")
                    break
                pool = self._new_pool(state)
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:  # the result did not come back (pickling, say)
                    result = internal_error(running[fut], "the process pool", exc)
                barren = 0
                yield running.pop(fut), result
            if not broken:
                continue
            # A worker died, and the pool fails every future it still holds. Sort them out.
            lost = []
            for fut, job in running.items():
                try:  # finished before the break: the result is there
                    result = fut.result(timeout=0)
                except Exception:
                    result = _saved_result(job) if state[job.index] == DONE else None
                if result is not None:
                    yield job, result
                else:
                    lost.append(job)
            running.clear()
            in_flight = [j for j in lost if state[j.index] > 0]
            for j in lost:
                losses[j.index] = losses.get(j.index, 0) + 1
            if alone or len(in_flight) == 1:
                dead = {j.index for j in in_flight}
            else:  # several candidates: retry each alone; a run never loses more than 3 pools
                dead = {j.index for j in in_flight if losses[j.index] >= 3}
                isolate.extend(j for j in in_flight if j.index not in dead)
            for j in lost:
                if j.index in dead:
                    barren = 0
                    yield j, failed_result(j, "run", WORKER_DIED)
            queue.extendleft(reversed([j for j in lost if state[j.index] <= 0]))
            pool = self._new_pool(state)
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
