"""Boards by name (targets/boards.yml, targets/board.py): the table, the board's memory limits,
the refusal of a board nothing can measure, and issue 18's acceptance matrix on the real models."""
from __future__ import annotations

import json
import shutil

import pytest

from mcubench import home
from mcubench.cli import main
from mcubench.errors import StageError
from mcubench.registry import load
from mcubench.targets.board import LD_DIR, board_classes, board_script, load_boards
from mcubench.targets.timing import MODELS

from test_targets import build_and_run, make_target

SEED = ("esp32c3", "stm32f4", "stm32f7", "stm32h7", "nrf52840", "rp2040", "stm32l4", "gd32vf103",
        "esp8266", "esp32")


def board(name):
    return next(c for c in board_classes() if c.name == name)


def test_every_board_has_its_datasheet_figures():
    boards = load_boards()
    assert set(SEED) <= set(boards)
    targets = load().names("target")
    for name, spec in boards.items():
        for key in ("core", "clock_mhz", "flash_kb", "sram_kb", "source"):
            assert spec.get(key), (name, key)
        assert name in targets
        if "unsupported" not in spec:
            assert spec["runs_on"] in targets and spec["timing"] in MODELS, name
    # The seed's figures (issue 18).
    assert (boards["stm32f4"]["clock_mhz"], boards["stm32f4"]["flash_kb"],
            boards["stm32f4"]["sram_kb"]) == (100, 1536, 320)
    assert (boards["stm32f7"]["clock_mhz"], boards["stm32f7"]["flash_kb"],
            boards["stm32f7"]["sram_kb"]) == (216, 2048, 512)
    assert (boards["esp32c3"]["clock_mhz"], boards["esp32c3"]["sram_kb"]) == (160, 384)


def test_board_script_cuts_the_simulator_memory_to_the_board():
    text = board_script(LD_DIR / "mps2.ld", 1536 * 1024, 320 * 1024)
    assert "rom (rx) : ORIGIN = 0x0, LENGTH = 0x180000" in text
    assert "ram (rwx) : ORIGIN = 0x20000000, LENGTH = 0x50000" in text
    assert "samples (r) : ORIGIN = 0x180000, LENGTH = 0x280000" in text
    assert 'REGION_ALIAS("samples", rom)' not in text and "INCLUDE mb_sections.ld" in text


def test_esp32_is_refused_before_anything_runs(capsys):
    assert main(["run", "sine", "-b", "aot", "-t", "esp32"]) == 2
    err = capsys.readouterr().err
    assert "esp32" in err and "LX6" in err and "esp8266" in err
    assert "registries" in err
    assert not (home.sessions_dir() / "latest").exists() or \
        "esp32" not in (home.sessions_dir() / "latest" / "report.csv").read_text()


def test_too_big_for_the_board_names_it_and_its_limits(tmp_path):
    target = make_target(board("gd32vf103"))
    with pytest.raises(StageError, match=r"does not fit on gd32vf103 \(128 kB flash, 32 kB SRAM\): "
                                         r"needs \d+ kB RAM, target has 32 kB; RAM includes a 4 kB "
                                         r"stack reserve"):
        build_and_run(target, tmp_path, 10, extra="#define LOOP_BSS_BYTES 40000\n")


def test_board_runs_with_latency_at_its_clock(tmp_path):
    target = make_target(board("stm32l4"))
    mem, metrics = build_and_run(target, tmp_path, 1000)
    assert metrics["validation"] is True and metrics["simulator"] == "cortex-m4"
    assert metrics["latency_ms"] == round(metrics["invoke_cycles"] / 80_000, 4)
    assert 0 < metrics["stack"] < 7 * 1024


@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("qemu-system-xtensa")
                         and shutil.which("xtensa-lx106-elf-gcc")),
                    reason="simulators/toolchains missing: run scripts/setup.sh")
def test_seed_boards_on_the_real_models(capsys, shared_models):
    """Issue 18's acceptance: 8 valid rows with cycles and latency; the dual-issue Cortex-M7 needs
    fewer estimated cycles per instruction than the Cortex-M4 on aww, both more than one."""
    args = ["run", "aww", "toycar", "--model-path", str(shared_models), "-b", "aot", "-f",
            "validate", "-j", "2"]
    for t in ("esp32c3", "stm32f4", "stm32f7", "esp8266"):
        args += ["-t", t]
    assert main(args) == 0, capsys.readouterr().err
    sid = (home.sessions_dir() / "latest").resolve().name
    rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    assert len(rows) == 8
    clock = {"esp32c3": 160, "stm32f4": 100, "stm32f7": 216, "esp8266": 80}
    for r in rows:
        assert r["Validation"] is True and r["Max Abs Diff"] == 0, r
        assert r["Invoke Cycles"] > r["Invoke Instructions"] * 0.5
        assert r["Latency (ms)"] == pytest.approx(r["Invoke Cycles"] / (clock[r["Target"]] * 1e3),
                                                  abs=1e-4)
    cpi = {r["Target"]: r["Invoke Cycles"] / r["Invoke Instructions"] for r in rows
           if r["Model"] == "aww"}
    assert 1 < cpi["stm32f7"] < cpi["stm32f4"]
