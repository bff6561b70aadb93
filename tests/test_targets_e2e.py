"""Issue 3's acceptance matrix through the CLI: real models on RISC-V and Arm simulators."""
import json
import shutil

import pytest

from mcubench import home
from mcubench.cli import main

TARGETS = ["spike", "qemu-riscv32", "cortex-m0", "cortex-m4", "cortex-m55"]


@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("qemu-system-riscv32")
                         and shutil.which("riscv64-unknown-elf-gcc")),
                    reason="simulators/toolchains missing: run scripts/setup.sh")
def test_real_models_on_simulators(capsys, shared_models):
    args = ["run", "aww", "toycar", "--model-path", str(shared_models), "-b", "aot", "-f",
            "validate", "-j", "2"]
    for t in TARGETS:
        args += ["-t", t]
    assert main(args) == 0, capsys.readouterr().err
    sid = (home.sessions_dir() / "latest").resolve().name
    rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    assert len(rows) == 10
    for r in rows:
        assert r["Validation"] is True, r
        assert r["Invoke Instructions"] > 100_000 and r["Setup Instructions"] is not None
        assert r["ROM code"] > 0 and r["ROM rodata"] > 0 and r["RAM bss"] >= r["Arena"]
        assert 0 < r["RAM stack"] < 32768
    by = {(r["Model"], r["Target"]): r for r in rows}
    for model in ("aww", "toycar"):
        spike, qemu = by[(model, "spike")], by[(model, "qemu-riscv32")]
        # The same rv32imc ELF on two simulators: identical counts.
        assert spike["Invoke Instructions"] == qemu["Invoke Instructions"]
        assert spike["Setup Instructions"] == qemu["Setup Instructions"]
        assert spike["Total ROM"] == qemu["Total ROM"]
