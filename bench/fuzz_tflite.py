#!/usr/bin/env python3
"""Fuzz the TFLite frontend for a given time: every input must parse or fail with a ModelError.

What parses then goes through the AOT backend's check and build (into a temporary folder): a graph
the frontend accepts must be sound enough that the backend, too, only builds or says ModelError.

Inputs are mutations, drawn by hypothesis, of real models (the MLPerf Tiny files, when found) and of
small generated ones (tests/opmodels.py graphs written by frontends/tflite_writer.py):
- byte level: flips, 32-bit words overwritten with boundary values (flatbuffer offsets and vector
  lengths), truncation, insertion, deletion, splices of two models;
- graph level, then written: huge, zero and negative dimensions, tensor indices out of range or
  forming cycles, quantization arrays of the wrong length or with NaN/zero/negative scales or
  out-of-range zero points.
Each input gets a bound on CPU time, so a loaded machine does not fake a hang (an input over it is
tried once more with ten times as much; a hang counts as a failure), and the process an address
space limit (unbounded memory shows up as MemoryError, a failure). A failing input is saved to --out
with its traceback; the exit code is 1 if any input failed.

    python3 bench/fuzz_tflite.py --seconds 600 [--models ../shared/models] [--seed N]
"""
from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mcubench.errors import ModelError  # noqa: E402
from mcubench.frontends.tflite import parse  # noqa: E402
from mcubench.frontends.tflite_writer import write_tflite  # noqa: E402
from mcubench.ir.graph import Graph, Quant  # noqa: E402

BOUNDARY = [0, 1, 2, 3, 4, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
            0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFC]


class Hang(BaseException):  # not an Exception: the frontend must not turn it into a ModelError
    pass


def _alarm(signum, frame):
    raise Hang()


def seeds(models_dir: Path | None) -> list[bytes]:
    out = []
    if models_dir and models_dir.is_dir():
        out += [p.read_bytes() for p in sorted(models_dir.glob("*/*.tflite"))
                if p.stat().st_size < 2_000_000]
    for g in generated_graphs():
        out.append(write_tflite(g))
    return out


def generated_graphs() -> list[Graph]:
    from opmodels import OPS, make_op_graph

    return [make_op_graph(kind, seed) for kind in OPS for seed in range(3)]


# --- byte-level mutations ----------------------------------------------------------------------
@st.composite
def byte_mutant(draw, corpus: list[bytes]) -> bytes:
    buf = bytearray(corpus[draw(st.integers(0, len(corpus) - 1))])
    for _ in range(draw(st.integers(1, 6))):
        n = len(buf)
        if n < 16:
            break
        kind = draw(st.sampled_from(["flip", "word", "word", "truncate", "insert", "delete",
                                     "splice"]))
        pos = draw(st.integers(8, n - 1))
        if kind == "flip":
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "word":
            pos &= ~3  # flatbuffers align offsets and lengths to 4 bytes
            value = draw(st.sampled_from(BOUNDARY)) if draw(st.booleans()) else \
                draw(st.integers(0, 2 * n))
            buf[pos:pos + 4] = int(value).to_bytes(4, "little")
        elif kind == "truncate":
            del buf[pos:]
        elif kind == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del buf[pos:pos + draw(st.integers(1, 64))]
        else:
            other = corpus[draw(st.integers(0, len(corpus) - 1))]
            at = draw(st.integers(0, len(other) - 1))
            buf[pos:pos + 64] = other[at:at + 64]
    buf[4:8] = b"TFL3"  # keep the identifier, or every input stops at the first check
    return bytes(buf)


# --- graph-level mutations ---------------------------------------------------------------------
@st.composite
def graph_mutant(draw, graphs: list[Graph]) -> bytes | None:
    import copy

    g = copy.deepcopy(graphs[draw(st.integers(0, len(graphs) - 1))])
    n = len(g.tensors)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["shape", "index", "cycle", "quant", "zp", "axis", "ioindex"]))
        t = g.tensors[draw(st.integers(0, n - 1))]
        if kind == "shape" and not t.is_const:
            dims = list(t.shape) or [1]
            dims[draw(st.integers(0, len(dims) - 1))] = draw(st.sampled_from(
                [0, -1, 1 << 20, (1 << 31) - 1, 1 << 30, 3]))
            t.shape = tuple(dims)
        elif kind == "index":
            op = g.ops[draw(st.integers(0, len(g.ops) - 1))]
            lst = op.inputs if draw(st.booleans()) or not op.outputs else op.outputs
            if lst:
                lst[draw(st.integers(0, len(lst) - 1))] = draw(st.integers(-3, n + 3))
        elif kind == "cycle":
            op = g.ops[-1]
            if op.inputs and op.outputs:
                op.inputs[0] = op.outputs[0]
        elif kind == "quant" and t.quant is not None:
            k = draw(st.integers(0, 4))
            scale = draw(st.sampled_from([0.0, -1.0, float("nan"), float("inf"), 1e-3]))
            t.quant = Quant(np.full(k, scale, np.float32), np.zeros(draw(st.integers(0, 4)),
                                                                   np.int64), t.quant.axis)
        elif kind == "zp" and t.quant is not None:
            t.quant = Quant(t.quant.scale, np.full(len(t.quant.scale), draw(st.sampled_from(
                [-129, 128, 300, -(1 << 40)])), np.int64), t.quant.axis)
        elif kind == "axis" and t.quant is not None:
            t.quant = Quant(t.quant.scale, t.quant.zero_point, draw(st.integers(-2, 6)))
        elif kind == "ioindex":
            target = g.inputs if draw(st.booleans()) else g.outputs
            target[0] = draw(st.integers(-2, n + 2))
    try:
        return write_tflite(g)
    except (ValueError, TypeError, OverflowError, IndexError, KeyError, AttributeError):
        return None  # the writer refuses it: nothing to parse


def run(seconds: float, corpus: list[bytes], graphs: list[Graph], per_input: float, out: Path,
        seed: int, backend: bool = True) -> tuple[int, dict]:
    import tempfile

    from mcubench.backends.aot import Aot

    failures: dict[str, tuple[bytes, str]] = {}
    count = 0
    stop = time.monotonic() + seconds
    build_dir = Path(tempfile.mkdtemp(prefix="fuzz-build-"))

    def check(buf: bytes | None) -> None:
        nonlocal count
        if buf is None or time.monotonic() > stop:
            return
        count += 1
        for bound in (per_input, per_input * 10):  # a timeout is tried again with more time
            signal.setitimer(signal.ITIMER_PROF, bound)
            try:
                graph = parse(buf, "fuzz")
                if backend:
                    Aot().build(graph, build_dir)
            except ModelError:
                pass
            except Hang:
                if bound > per_input:
                    failures.setdefault("hang", (buf, f"still busy after {bound} s of CPU time"))
                continue
            except BaseException as exc:  # noqa: BLE001 - anything but ModelError is the finding
                tb = traceback.format_exc()
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                failures.setdefault(f"{type(exc).__name__} at {Path(frame.filename).name}:"
                                    f"{frame.lineno}", (buf, tb))
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            break

    common = dict(deadline=None, database=None, derandomize=False, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), max_examples=300)

    @settings(**common)
    @given(byte_mutant(corpus))
    def fuzz_bytes(buf):
        check(buf)

    @settings(**common)
    @given(graph_mutant(graphs))
    def fuzz_graph(buf):
        check(buf)

    rng = np.random.default_rng(seed)
    while time.monotonic() < stop:
        (fuzz_graph if rng.random() < 0.25 else fuzz_bytes)()
    shutil.rmtree(build_dir, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    for key, (buf, tb) in failures.items():
        h = hashlib.sha256(buf).hexdigest()[:12]
        (out / f"{h}.tflite").write_bytes(buf)
        (out / f"{h}.txt").write_text(f"{key}\n\n{tb}")
    return count, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--models", type=Path, default=REPO.parent / "shared" / "models",
                    help="folder of real models in the zoo layout (skipped when missing)")
    ap.add_argument("--per-input", type=float, default=2.0,
                    help="CPU seconds one input may take")
    ap.add_argument("--memory-mb", type=int, default=1024,
                    help="address space the fuzzer may grow by (beyond what it starts with)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"),
                    help="where failing inputs are saved")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--no-backend", action="store_true",
                    help="only parse; do not build what parses with the AOT backend")
    args = ap.parse_args()

    signal.signal(signal.SIGPROF, _alarm)
    corpus = seeds(args.models)
    graphs = generated_graphs()
    vm = _vm_bytes()
    if vm:
        limit = vm + args.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    t0 = time.monotonic()
    count, failures = run(args.seconds, corpus, graphs, args.per_input, args.out, args.seed,
                          not args.no_backend)
    took = time.monotonic() - t0
    print(f"fuzz_tflite: {count} inputs in {took:.0f} s from {len(corpus)} seed models "
          f"(seed {args.seed}), {len(failures)} distinct failures")
    for key in failures:
        print(f"  FAIL {key}  (saved in {args.out})")
    return 1 if failures else 0


def _vm_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


if __name__ == "__main__":
    sys.exit(main())
