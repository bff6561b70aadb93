"""C programs as benchmarks: the program frontend and the `none` backend, on the host and the RISC-V
simulators; the harness's validation tolerance."""
from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from mcubench import models, run
from mcubench.backends.aot import Aot
from mcubench.backends.none import NoneBackend
from mcubench.data import write_data_c
from mcubench.errors import ModelError
from mcubench.frontends.program import (PROGRAMS_DIR, ProgramFrontend, builtin_program,
                                        programs)
from mcubench.targets.host import Host
from mcubench.toolchains.gcc import Gcc
from opmodels import make_op_graph

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="no host gcc")


@pytest.fixture(scope="module", autouse=True)
def registered():
    """The run machinery finds the components through the registry (builtin.py registers them;
    added here too while it does not)."""
    from mcubench.frontends.onnx import OnnxFrontend

    reg = run.get_registry()
    for cls in (OnnxFrontend, ProgramFrontend, NoneBackend):
        if cls.name not in reg.names(cls.kind):
            reg.add(cls)


def lcg(seed: int, n: int) -> np.ndarray:
    """The programs' linear congruential sequence (x = x * 1664525 + 1013904223 mod 2^32)."""
    out, x = np.empty(n, np.uint32), seed
    for i in range(n):
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = x
    return out


def checksum(name: str) -> int:
    return int(ProgramFrontend().reference(builtin_program(name), [[]], 1)[0][0][0])


def test_builtin_programs():
    assert programs() == ["crc32", "matmul", "sort"]
    assert builtin_program("program:crc32") == builtin_program("crc32") == PROGRAMS_DIR / "crc32.c"
    with pytest.raises(ModelError, match="program:crc32, program:matmul, program:sort"):
        builtin_program("nosuch")


def test_program_ir():
    g = ProgramFrontend().load(builtin_program("crc32"))
    assert [op.kind for op in g.ops] == ["PROGRAM"] and g.inputs == []
    out = g.tensors[g.outputs[0]]
    assert out.dtype == "int32" and out.shape == (1,)
    assert g.ops[0].options["setup"] is True and g.ops[0].options["file"] == "crc32.c"
    assert "int benchmark(void)" in g.ops[0].options["source"]


@needs_gcc
def test_host_checksums_are_the_known_answers():
    data = (lcg(12345, 4096) >> 24).astype(np.uint8).tobytes()
    assert checksum("crc32") == np.int32(np.uint32(zlib.crc32(data)))
    seq = (lcg(42, 2 * 24 * 24) >> 24).astype(np.int64) - 128
    a, b = seq[0::2].reshape(24, 24), seq[1::2].reshape(24, 24)
    weights = np.arange(1, 24 * 24 + 1, dtype=np.int64).reshape(24, 24)
    assert checksum("matmul") == np.int32(np.uint32(int((a @ b * weights).sum()) & 0xFFFFFFFF))
    values = np.sort((lcg(7, 512) >> 8).astype(np.int64) - (1 << 23))
    weighted = int((values * np.arange(1, 513)).sum()) & 0xFFFFFFFF
    assert checksum("sort") == np.int32(np.uint32(weighted))


def execute(tmp_path: Path, program: Path, target: str, samples: int = 2) -> dict:
    spec = run.RunSpec(str(program), "none", target, ("validate",),
                       (("validate.samples", str(samples)),))
    result = run.execute(spec, tmp_path / f"{program.stem}-{target}")
    assert not result["failing"], result["reason"]
    return result["metrics"]


@needs_gcc
def test_crc32_same_checksum_on_host_spike_and_qemu(tmp_path):
    """Validated everywhere against the host's checksum; the same rv32imc ELF costs the same
    instructions on spike and on QEMU."""
    reg = run.get_registry()
    metrics = {}
    for target in ("host", "spike", "qemu-riscv32"):
        cls = reg.get("target", target)
        missing = [n.name for n in (*cls.missing(), *Gcc.missing())]
        if target != "host" and (missing or shutil.which("riscv64-unknown-elf-gcc") is None):
            continue
        metrics[target] = m = execute(tmp_path, builtin_program("crc32"), target)
        assert m["validation"] is True and m["max_abs_diff"] == 0, (target, m)
        assert m["invoke_instructions"] > 4096 and m["setup_instructions"] > 256 * 8, (target, m)
        assert m["arena"] is None
    if not {"spike", "qemu-riscv32"} <= set(metrics):
        pytest.skip(f"RISC-V simulators not installed; ran on {', '.join(metrics)}")
    spike, qemu = metrics["spike"], metrics["qemu-riscv32"]
    assert spike["invoke_instructions"] == qemu["invoke_instructions"]
    assert spike["setup_instructions"] == qemu["setup_instructions"]


@needs_gcc
@pytest.mark.parametrize("name", ["matmul", "sort"])
def test_builtin_programs_validate_on_host(tmp_path, name):
    m = execute(tmp_path, builtin_program(name), "host")
    assert m["validation"] is True and m["invoke_instructions"] > 10_000


@needs_gcc
def test_user_program_without_setup(tmp_path):
    src = tmp_path / "fib.c"
    src.write_text("int benchmark(void) {\n  unsigned a = 0, b = 1;\n"
                   "  for (int i = 0; i < 1000; i++) { unsigned t = a + b; a = b; b = t; }\n"
                   "  return (int)a;\n}\n")
    assert ProgramFrontend().load(src).ops[0].options["setup"] is False
    m = execute(tmp_path, src, "host")
    assert m["validation"] is True and m["setup_instructions"] < 50
    assert m["invoke_instructions"] > 1000


@needs_gcc
def test_program_errors(tmp_path):
    fe = ProgramFrontend()
    bad = tmp_path / "nobench.c"
    bad.write_text("int main(void) { return 0; }\n")
    with pytest.raises(ModelError, match="no definition of `int benchmark"):
        fe.load(bad)
    stateful = tmp_path / "stateful.c"
    stateful.write_text("static int n;\nint benchmark(void) { return ++n; }\n")
    fe.load(stateful)
    with pytest.raises(ModelError, match="returned 1, then 2"):
        fe.reference(stateful, [[]], 1)
    broken = tmp_path / "broken.c"
    broken.write_text("int benchmark(void) { return undefined_thing; }\n")
    with pytest.raises(ModelError, match="does not compile for the host.*undefined_thing"):
        fe.reference(broken, [[]], 1)
    result = run.execute(run.RunSpec(str(stateful), "none", "host", ("validate",)),
                         tmp_path / "run")
    assert result["failing"] and result["reason"].startswith("load: ")


def test_backends_and_graphs_match_up():
    with pytest.raises(ModelError, match="backend 'none' runs C programs.*aot or interp"):
        NoneBackend().check(make_op_graph("CONV_2D", 0))
    with pytest.raises(ModelError, match="PROGRAM"):
        Aot().check(ProgramFrontend().load(builtin_program("sort")))


def test_program_spelling_resolves():
    try:
        ref = models.resolve("program:crc32")
    except ModelError:
        pytest.skip("models.resolve does not know program:NAME yet")
    assert ref.path == builtin_program("crc32") and ref.name == "crc32"


@needs_gcc
@pytest.mark.parametrize("tolerance", [0, 1])
def test_harness_counts_only_samples_beyond_the_tolerance(tmp_path, tolerance):
    """Expected checksum off by one: max_abs_diff 1 either way; mismatched unless tolerance >= 1."""
    fe = ProgramFrontend()
    g = fe.load(builtin_program("crc32"))
    build = tmp_path / "build"
    NoneBackend().build(g, build)
    expected = [[o + 1 for o in sample] for sample in fe.reference(builtin_program("crc32"),
                                                                  [[]] * 3, 1)]
    data_c = tmp_path / "mb_data.c"
    write_data_c(data_c, [[]] * 3, expected, ["int32"], tolerance)
    target = Host({"valgrind": False})
    target.toolchain = Gcc()
    mem = target.compile(build, data_c, tmp_path / "compile")
    (tmp_path / "run").mkdir()
    m = target.run(mem["elf"], tmp_path / "run", 60)
    assert m["max_abs_diff"] == 1 and m["validation_samples"] == 3
    assert m["validation"] is (tolerance >= 1)
