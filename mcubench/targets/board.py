"""Boards by name (`-t stm32f4`): each is the generic target of its core (boards.yml `runs_on`: the
same simulator, the same exact instruction counts), linked to the board's own flash and SRAM sizes,
so "does not fit" means does not fit that board, and timed with its core's model at its clock
(`Latency (ms)` = estimated invoke cycles / clock). A board the registries have no toolchain or
simulator for (`unsupported`) fails before anything runs, saying so."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import yaml

from ..component import Need
from ..config import Key
from ..errors import ConfigError, StageError
from ..toolchains.base import CompileJob
from .base import Target
from .baremetal import LD_DIR
from .cortexm import CortexM0, CortexM3, CortexM4, CortexM7, CortexM33, CortexM55
from .qemu import QemuRiscv32
from .timing import MODELS
from .xtensa import XtensaLx106

BOARDS_FILE = Path(__file__).with_name("boards.yml")
CORES = {c.name: c for c in (CortexM0, CortexM3, CortexM4, CortexM7, CortexM33, CortexM55,
                             QemuRiscv32, XtensaLx106)}
FIXED_KEYS = ("arch", "vlen")  # the silicon's ISA: the board's, not the user's to change
MEMORY = re.compile(r"MEMORY\s*\{(.*?)\}", re.S)
REGION = re.compile(r"(\w+)\s*\(([^)]*)\)\s*:\s*ORIGIN\s*=\s*(0[xX][0-9a-fA-F]+|\d+)\s*,\s*"
                    r"LENGTH\s*=\s*(0[xX][0-9a-fA-F]+|\d+)\s*([KkMm]?)")


@lru_cache(maxsize=1)
def load_boards() -> dict[str, dict]:
    return yaml.safe_load(BOARDS_FILE.read_text())


def board_script(base: Path, flash: int, sram: int) -> str:
    """The core's linker script with `rom` cut to the board's flash and `ram` to its SRAM; the
    simulator's memory past the flash holds the validation samples (region `samples`)."""
    text = base.read_text()
    body = MEMORY.search(text)
    regions = {}
    for name, attrs, origin, length, unit in REGION.findall(body.group(1)):
        size = int(length, 0) * {"": 1, "k": 1024, "m": 1 << 20}[unit.lower()]
        regions[name] = (attrs, int(origin, 0), size)
    _, rom_origin, rom_size = regions["rom"]
    _, ram_origin, ram_size = regions["ram"]
    if flash >= rom_size or sram > ram_size:
        raise ConfigError(f"board memory ({flash // 1024} kB flash, {sram // 1024} kB SRAM) is "
                          f"larger than its simulator's ({rom_size // 1024} kB, "
                          f"{ram_size // 1024} kB) in {base.name}")
    regions["rom"] = ("rx", rom_origin, flash)
    regions["ram"] = ("rwx", ram_origin, sram)
    regions["samples"] = ("r", rom_origin + flash, rom_size - flash)
    memory = "\n".join(f"  {n} ({a}) : ORIGIN = {o:#x}, LENGTH = {s:#x}"
                       for n, (a, o, s) in regions.items())
    text = text[:body.start()] + "MEMORY\n{\n" + memory + "\n}" + text[body.end():]
    return text.replace('REGION_ALIAS("samples", rom);\n', "")


class Board:
    """Mixed in front of the core's target class; `spec` is the board's table."""

    spec: ClassVar[dict] = {}
    extra_sources = ()

    def __init__(self, config=None, toolchain=None):
        if "unsupported" in self.spec:
            raise ConfigError(f"target {self.name} ({self.spec['core']}): "
                              + " ".join(self.spec["unsupported"].split()))
        super().__init__(config, toolchain)
        self.config.update({k: v for k, v in self.spec.get("config", {}).items()
                            if k in FIXED_KEYS})

    @property
    def flash(self) -> int:
        return self.spec["flash_kb"] * 1024

    @property
    def sram(self) -> int:
        return self.spec["sram_kb"] * 1024

    def timing_model(self):
        return MODELS[self.spec["timing"]]

    def compile_job(self, build_dir: Path, data_c: Path, out_dir: Path) -> CompileJob:
        job = super().compile_job(build_dir, data_c, out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        script = out_dir / "board.ld"
        script.write_text(board_script(LD_DIR / self.ld_script, self.flash, self.sram))
        stack = self["stack_kb"] * 1024
        # Painting covers the reserve but for the frames above main (the harness's and crt0's).
        job.defines["MB_STACK_PAINT_BYTES"] = str(stack - 1024)
        job.ldflags = [f"-T{script}" if f.startswith("-T") else
                       f"-Wl,--defsym=__stack_size={stack:#x}" if "__stack_size" in f else f
                       for f in job.ldflags]
        return job

    def compile(self, build_dir: Path, data_c: Path, out_dir: Path,
                defines: dict[str, str] | None = None) -> dict:
        try:
            return super().compile(build_dir, data_c, out_dir, defines)
        except StageError as exc:
            text = str(exc)
            if not text.startswith("does not fit: "):
                raise
            raise StageError(f"does not fit on {self.name} ({self.spec['flash_kb']} kB flash, "
                             f"{self.spec['sram_kb']} kB SRAM): {text[len('does not fit: '):]}"
                             ) from None

    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        metrics = super().run(elf, out_dir, timeout)
        clock = self.spec["clock_mhz"]
        metrics["clock_mhz"] = clock
        metrics["simulator"] = self.spec["runs_on"]
        if metrics.get("invoke_cycles") is not None:
            metrics["latency_ms"] = round(metrics["invoke_cycles"] / (clock * 1000.0), 4)
        return metrics


def board_classes() -> list[type[Target]]:
    """One target class per board of boards.yml."""
    out = []
    for name, spec in load_boards().items():
        core = CORES.get(spec.get("runs_on"), Target)
        keys = tuple(k for k in core.keys if k.name not in FIXED_KEYS)
        if "unsupported" not in spec:
            keys += (Key("stack_kb", int, spec["stack_kb"], "stack reserve linked into the "
                         "board's SRAM, in kB"),)
        memory = f"{spec['flash_kb']} kB flash, {spec['sram_kb']} kB SRAM"
        what = (f"not supported: {spec['core']}" if "unsupported" in spec else
                f"{spec['core']}, {spec['clock_mhz']} MHz, {memory}; on {spec['runs_on']}")
        attrs = {"name": name, "description": what, "spec": spec, "keys": keys,
                 # An unsupported board lacks its toolchain: `mcubench doctor` says so.
                 "needs": core.needs if "unsupported" not in spec else
                 (Need(spec.get("toolchain", "its toolchain"), "in neither Debian nor PyPI (see "
                       f"`mcubench run ... -t {name}` for why); nothing to install"),),
                 "__module__": __name__, "__doc__": f"Board {name}: {spec['source']}",
                 "extra_sources": (*getattr(core, "extra_sources", ()), BOARDS_FILE)}
        out.append(type(f"Board_{name}", (Board, core), attrs))
    return out
