"""A plain C benchmark as the "model": for calibrating targets and comparing simulators.

The program is one C99 file that defines ``int benchmark(void)`` and, optionally,
``void benchmark_setup(void)``. With backend ``none`` it runs through the same harness, targets and
metrics as a model: the setup region is ``benchmark_setup()`` (empty without one), the invoke region
one ``benchmark()`` call. The return value is the program's checksum: the IR's single output, an
int32 tensor. Validation compiles the program natively with the host gcc at LOAD and compares the
checksum it returns; so ``benchmark()`` must return the same value on every call (the harness calls
it once per validation sample) and on every target (fixed-width types, no undefined behaviour).

A program is a path to a ``.c`` file, or a built-in one by name, spelled ``program:NAME``
(``mcubench run program:crc32 -b none -t spike``): see ``PROGRAMS`` (mcubench/programs/).

The IR is a Graph with one operator of kind ``PROGRAM`` that writes the checksum; its options hold
the file name, the source text (so the build is self-contained and cached by content) and whether
a setup function is defined.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..errors import MissingDependency, ModelError
from ..ir.graph import Graph, Op, Tensor
from ..ir.validate import validate_graph
from .base import Frontend

PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "programs"
PREFIX = "program:"
BENCHMARK = re.compile(r"\bint\s+benchmark\s*\(\s*(void)?\s*\)\s*\{")
SETUP = re.compile(r"\bbenchmark_setup\s*\(\s*(void)?\s*\)\s*\{")
HOST_TIMEOUT = 120.0  # seconds the native reference run may take

HOST_MAIN = """\
#include <stdio.h>
int benchmark(void);
%s
int main(void) {
  %s
  int first = benchmark();
  int second = benchmark();
  printf("%%d %%d\\n", first, second);
  return 0;
}
"""


def programs() -> list[str]:
    """Names of the built-in programs."""
    return sorted(p.stem for p in PROGRAMS_DIR.glob("*.c"))


def builtin_program(name: str) -> Path:
    """The file of a built-in program, by name ("crc32") or spelled "program:crc32"."""
    if name.startswith(PREFIX):
        name = name[len(PREFIX):]
    path = PROGRAMS_DIR / f"{name}.c"
    if not re.fullmatch(r"\w+", name) or not path.is_file():
        raise ModelError(f"no built-in program {name!r}; built-in programs: "
                         + ", ".join(f"{PREFIX}{p}" for p in programs())
                         + " (or give a path to a .c file)")
    return path


class ProgramFrontend(Frontend):
    name = "program"
    description = ("a C benchmark (.c with `int benchmark(void)`, or program:NAME): run with "
                   "backend `none`; validated against the same program compiled for the host")
    extensions = (".c",)  # the host gcc is needed for validation only: checked there

    def load(self, path: Path) -> Graph:
        path = Path(path)
        source = read_source(path)
        if not BENCHMARK.search(source):
            raise ModelError(f"{path.name}: no definition of `int benchmark(void)`; a program "
                             "benchmark defines it (and optionally `void benchmark_setup(void)`)")
        options = {"file": path.name, "source": source, "setup": bool(SETUP.search(source))}
        checksum = Tensor("checksum", (1,), "int32")
        return validate_graph(Graph(path.stem, [checksum], [Op("PROGRAM", [], [0], options)], [],
                                    [0]))

    def reference(self, path: Path, samples, n_outputs: int) -> list[list[np.ndarray]]:
        """The checksum of the program compiled and run natively; the same for every sample."""
        value = host_checksum(Path(path))
        return [[np.array([value], dtype=np.int32)] for _ in samples]


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read program {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ModelError(f"{path.name}: not a C source file (not UTF-8 text)") from None


def host_checksum(path: Path) -> int:
    """Compile `path` with a small main for the host, run it, return benchmark()'s value."""
    if shutil.which("gcc") is None:
        raise MissingDependency("the host gcc computes the program's reference checksum: "
                                "apt-get install gcc")
    source = read_source(path)
    setup = bool(SETUP.search(source))
    with tempfile.TemporaryDirectory(prefix="mcubench-program-") as tmp:
        tmp = Path(tmp)
        (tmp / "program.c").write_text(source)
        decl, call = ("void benchmark_setup(void);", "benchmark_setup();") if setup else ("", "")
        (tmp / "main.c").write_text(HOST_MAIN % (decl, call))
        exe = tmp / "program"
        proc = subprocess.run(["gcc", "-std=c99", "-O1", "-o", str(exe), str(tmp / "program.c"),
                               str(tmp / "main.c")], capture_output=True, text=True)
        if proc.returncode != 0:
            first = next((ln for ln in proc.stderr.splitlines() if "error" in ln),
                         proc.stderr.strip()[-300:])
            raise ModelError(f"{path.name}: does not compile for the host: "
                             f"{first.replace(str(tmp) + '/', '')}")
        try:
            run = subprocess.run([str(exe)], capture_output=True, text=True,
                                 timeout=HOST_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ModelError(f"{path.name}: the host run did not finish in {HOST_TIMEOUT:g} s") \
                from None
    values = run.stdout.split()
    if run.returncode != 0 or len(values) != 2:
        raise ModelError(f"{path.name}: the host run failed (exit code {run.returncode})")
    first, second = int(values[0]), int(values[1])
    if first != second:
        raise ModelError(f"{path.name}: benchmark() returned {first}, then {second}: it must "
                         "return the same checksum on every call (validation calls it once per "
                         "sample); reset its state at the start of each call")
    return first
