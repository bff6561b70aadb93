"""The simulated microcontroller targets (spike, QEMU RISC-V, QEMU Cortex-M boards), end to end through
Target.compile and Target.run, with a hand-written model whose instruction count is known exactly
(fixtures/loopmodel.c: 5 instructions per loop iteration on RISC-V and Thumb alike)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mcubench.errors import ConfigError, StageError
from mcubench.targets.baremetal import corrected, parse_regions
from mcubench.targets.cortexm import (CortexM0, CortexM3, CortexM4, CortexM7, CortexM33,
                                      CortexM55)
from mcubench.targets.qemu import QemuRiscv32, QemuRiscv64
from mcubench.targets.spike import Spike
from mcubench.targets.xtensa import XtensaLx106
from mcubench.toolchains.gcc import Gcc
from mcubench.toolchains.llvm import Llvm

FIXTURE = Path(__file__).parent / "fixtures" / "loopmodel.c"
PER_ITERATION = 5
TRIPS = (1000, 2000)
TIMEOUT = 30.0
TARGETS = (Spike, QemuRiscv32, QemuRiscv64, CortexM0, CortexM3, CortexM4, CortexM7, CortexM33,
           CortexM55, XtensaLx106)


def make_target(cls, toolchain=None, config=None):
    toolchain = toolchain or Gcc()
    missing = [n for n in (*cls.needs, *toolchain.needs) if not n.present()]
    if missing:
        pytest.skip(f"{cls.name} with {toolchain.name}: not installed: "
                    + "; ".join(f"{n.name} ({n.install})" for n in missing))
    target = cls({"toolchain": toolchain.name, **(config or {})})
    target.toolchain = toolchain
    return target


def write_model(root: Path, trips: int, mode: int = 0, extra: str = "") -> tuple[Path, Path]:
    """A build folder with the loop model and its config, and an mb_data.c with one sample whose
    expected output is the trip count."""
    build = root / "build"
    build.mkdir(parents=True)
    shutil.copy(FIXTURE, build)
    (build / "loop_config.h").write_text(f"#define LOOP_N {trips}\n#define LOOP_MODE {mode}\n{extra}")
    expected = ", ".join(str(b) for b in trips.to_bytes(4, "little"))
    data_c = root / "mb_data.c"
    data_c.write_text(
        '#include "mb_data.h"\n'
        "const uint32_t mb_num_samples = 1;\n"
        "const int mb_validate = 1;\n"
        "static const uint8_t in0[4] MB_DATA_SECTION = {0};\n"
        f"static const uint8_t out0[4] MB_DATA_SECTION = {{{expected}}};\n"
        "const uint8_t *const mb_sample_in[] MB_DATA_SECTION = {in0};\n"
        "const uint8_t *const mb_sample_out[] MB_DATA_SECTION = {out0};\n"
        "const uint8_t mb_output_dtype[] = {MB_DTYPE_INT32};\n")
    return build, data_c


def build_and_run(target, root: Path, trips: int, mode: int = 0, extra: str = "",
                  timeout: float = TIMEOUT) -> tuple[dict, dict]:
    build, data_c = write_model(root, trips, mode, extra)
    mem = target.compile(build, data_c, root / "compile")
    (root / "run").mkdir()
    return mem, target.run(mem["elf"], root / "run", timeout)


def check_trip_counts(target, tmp_path: Path) -> None:
    results = {n: build_and_run(target, tmp_path / str(n), n) for n in TRIPS}
    (mem, small), (_, big) = results[TRIPS[0]], results[TRIPS[1]]
    for _, metrics in results.values():
        assert metrics["validation"] is True, metrics
    assert big["invoke_instructions"] - small["invoke_instructions"] == \
        (TRIPS[1] - TRIPS[0]) * PER_ITERATION
    assert small["setup_instructions"] == big["setup_instructions"] > 0
    # The loop is all of invoke but a few instructions of call, return and argument setup.
    assert 0 < small["invoke_instructions"] - TRIPS[0] * PER_ITERATION < 30
    assert mem["rom_code"] > 0 and mem["rom_rodata"] > 0 and mem["ram_data"] + mem["ram_bss"] > 0
    # setup uses a 256-byte buffer; the harness paints below its own frame, so give or take a few bytes
    assert 200 <= small["stack"] < 1024


@pytest.mark.parametrize("cls", TARGETS, ids=lambda c: c.name)
def test_trip_count_difference_is_exact(cls, tmp_path):
    check_trip_counts(make_target(cls), tmp_path)


@pytest.mark.parametrize("cls,config,vector", [
    (Spike, {"arch": "rv32gcv"}, "vsetvli"), (QemuRiscv32, {"arch": "rv32gcv"}, "vsetvli"),
    (CortexM4, {}, None), (CortexM55, {}, "vadd.i32")],
    ids=["spike-rv32gcv", "qemu-riscv32-rv32gcv", "cortex-m4", "cortex-m55"])
def test_llvm_trip_count_difference_is_exact(cls, config, vector, tmp_path):
    """Also: clang vectorizes the fixture's vector_check for V and Helium, and the simulator runs it
    right (a wrong sum fails setup)."""
    target = make_target(cls, Llvm(), config)
    check_trip_counts(target, tmp_path)
    objdump = shutil.which(f"{target.triple}-objdump")
    if vector and objdump:
        elf = tmp_path / str(TRIPS[0]) / "compile" / "firmware.elf"
        assert vector in subprocess.run([objdump, "-d", str(elf)], capture_output=True,
                                        text=True).stdout


def test_same_elf_same_counts_on_spike_and_qemu(tmp_path):
    spike, qemu = make_target(Spike), make_target(QemuRiscv32)
    build, data_c = write_model(tmp_path, 1234)
    mem = spike.compile(build, data_c, tmp_path / "compile")
    runs = {}
    for target in (spike, qemu):
        (tmp_path / target.name).mkdir()
        runs[target.name] = target.run(mem["elf"], tmp_path / target.name, TIMEOUT)
    a, b = runs["spike"], runs["qemu-riscv32"]
    assert (a["setup_instructions"], a["invoke_instructions"]) == \
        (b["setup_instructions"], b["invoke_instructions"])
    assert a["regions"] == b["regions"]


@pytest.mark.parametrize("cls,cause", [(Spike, "illegal instruction"),
                                       (QemuRiscv32, "illegal instruction"),
                                       (CortexM0, "hard fault"),
                                       (CortexM4, "undefined instruction"),
                                       (XtensaLx106, "illegal instruction")],
                         ids=lambda v: getattr(v, "name", v))
def test_trap_gives_clear_reason(cls, cause, tmp_path):
    target = make_target(cls)
    with pytest.raises(StageError, match=rf"firmware trapped \({cause} at pc 0x[0-9a-f]+ in "
                                         r"mb_model_invoke\)"):
        build_and_run(target, tmp_path, 10, mode=1)


@pytest.mark.parametrize("cls", (Spike, CortexM3), ids=lambda c: c.name)
def test_hang_is_killed_by_timeout(cls, tmp_path):
    target = make_target(cls)
    with pytest.raises(StageError, match=r"timeout: simulator still running after 1\.5 s"):
        build_and_run(target, tmp_path, 10, mode=2, timeout=1.5)


@pytest.mark.parametrize("toolchain", (Gcc, Llvm), ids=lambda c: c.name)
def test_too_big_does_not_fit(toolchain, tmp_path):
    target = make_target(CortexM3, toolchain())
    with pytest.raises(StageError, match=r"does not fit: needs 49\d\d kB RAM, target has 4096 kB"):
        build_and_run(target, tmp_path, 10, extra="#define LOOP_BSS_BYTES 5000000\n")


def test_memory_fills_the_board(tmp_path):
    """A 3.5 MB array fits the Cortex-M4 board's 4 MB of data RAM and its last byte is writable."""
    target = make_target(CortexM4)
    mem, metrics = build_and_run(target, tmp_path, 10, extra="#define LOOP_BSS_BYTES 3500000\n")
    assert mem["ram_bss"] > 3_500_000 and metrics["validation"] is True


def test_vector_arch_needs_llvm():
    target = Spike({"arch": "rv32gcv"})
    target.toolchain = Gcc()
    with pytest.raises(ConfigError, match="toolchain=llvm"):
        target.arch_flags()


def test_overhead_correction():
    raw = parse_regions("region=0 instructions=110 calls=1\nregion=1 instructions=5010 calls=1\n"
                        "region=2 instructions=10 calls=1\nregion=16 instructions=530 calls=3\n")
    assert corrected(raw) == {0: 100, 1: 5000, 16: 500}
    with pytest.raises(StageError, match="calibrate"):
        corrected({0: (1, 1), 1: (2, 1)})
