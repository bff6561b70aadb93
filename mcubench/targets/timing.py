"""Per-core timing models: estimated cycles from the executed instructions.

A model gives each instruction kind its issue cycles (from the core's technical reference manual
where the vendor publishes one), a taken-branch penalty, and the pipeline's interactions between
neighbours: load-use and ALU-to-address stalls, load/store pipelining (Cortex-M3/M4), and dual
issue (Cortex-M7). `write_table` classifies every instruction of an ELF (isa.py) and writes the
table the QEMU plugin (targets/plugin/mb_insn_count.c) applies to the executed stream.

These are estimates of the core alone: no caches, no flash wait states, no bus contention; branch
refills are taken at a fixed figure where the manual gives a range. `python3 -m
mcubench.targets.timing` prints the tables the README shows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .isa import KINDS, Insn, instructions


@dataclass(frozen=True)
class CoreTiming:
    name: str
    isa: str  # "arm" | "riscv" | "xtensa"
    source: str  # where the figures come from
    alu: int = 1
    mul: int = 1
    mul_by: dict[str, int] = field(default_factory=dict)  # mnemonic prefix -> cycles
    div: int = 7
    load: int = 2
    store: int = 1
    store_register_offset: int = 2
    wide: int = 3  # LDRD/STRD
    lsm_base: int = 1  # load/store multiple: lsm_base + N registers (x lsm_per_reg)
    lsm_per_reg: float = 1.0
    branch: int = 1  # issue cycles of a branch (a call adds call_extra)
    call_extra: int = 0
    taken: int = 2  # added when a branch is taken (pipeline refill)
    fp: int = 1
    fp_by: dict[str, int] = field(default_factory=dict)
    vec: int = 1
    other: int = 1
    load_use: int = 0  # stall when the next instruction reads a loaded register
    alu_addr: int = 0  # stall when a load/store address uses the previous ALU result
    ls_pipe: int = 0  # a load/store right after a load saves a cycle (no address dependency)
    mul_use: int = 0  # stall when the next instruction reads a multiply result
    shift_early: int = 0  # stall when a shifted operand reads the previous result
    dual: int = 0  # dual issue of the `pairs` (older kind, younger kind); never two shifted
    # operands in one cycle, a DSP instruction only as the older of a pair
    pairs: tuple[tuple[str, str], ...] = ()
    assumed: tuple[str, ...] = ()  # the figures the vendor does not publish

    def cost(self, insn: Insn) -> int:
        k = insn.kind
        if k == "alu":
            return self.alu
        if k == "mul":
            return next((c for p, c in self.mul_by.items() if insn.base.startswith(p)), self.mul)
        if k == "div":
            return self.div
        if k in ("load", "store"):
            if insn.wide:
                return self.wide
            if k == "store" and insn.register_offset:
                return self.store_register_offset
            return self.load if k == "load" else self.store
        if k == "lsm":
            return self.lsm_base + max(1, round(insn.regs * self.lsm_per_reg))
        if k == "branch":
            call = insn.base in ("bl", "blx", "jal", "call", "call0", "callx0")
            return self.branch + (self.call_extra if call else 0)
        if k == "fp":
            return self.fp_by.get(insn.base, self.fp)
        if k == "vec":
            return self.vec
        return self.other


ARM_FP = {"vmla": 3, "vmls": 3, "vnmla": 3, "vnmls": 3, "vfma": 3, "vfms": 3, "vfnma": 3,
          "vfnms": 3, "vdiv": 14, "vsqrt": 14, "vldr": 2, "vstr": 2}
M3_LONG = {"mla": 2, "mls": 2, "smull": 4, "umull": 4, "smlal": 6, "umlal": 6}
M7_PAIRS = tuple((a, b) for a in ("alu", "mul", "load", "store", "fp") for b in
                 ("alu", "mul", "load", "store", "fp", "branch")
                 if not (a in ("load", "store") and b in ("load", "store"))
                 and not (a == b == "mul") and not (a == b == "fp"))

MODELS = {m.name: m for m in (
    CoreTiming("cortex-m0", "arm", "Cortex-M0 TRM (Arm DDI 0432C), 3.3 Table 3-1", load=2,
               store=2, store_register_offset=2, wide=2, branch=1, call_extra=1, taken=2,
               assumed=("MULS 1 cycle: the fast-multiplier configuration (32 with the small "
                        "one)",)),
    CoreTiming("cortex-m0plus", "arm", "Cortex-M0+ TRM (Arm DDI 0484C), 3.3 Table 3-1", load=2,
               store=2, store_register_offset=2, wide=2, branch=1, call_extra=1, taken=1,
               assumed=("MULS 1 cycle: the fast-multiplier configuration (RP2040 has it)",)),
    CoreTiming("cortex-m3", "arm", "Cortex-M3 TRM (Arm DDI 0337I), 3.3 Table 3-1 and 3.3.2 "
               "load/store timings", mul_by=M3_LONG, div=7, taken=2, ls_pipe=1, alu_addr=1,
               assumed=("branch refill P = 2 (the manual: 1 to 3)", "SDIV/UDIV 7 (2 to 12)",
                        "SMULL/UMULL 4 (3 to 5), SMLAL/UMLAL 6 (4 to 7)")),
    CoreTiming("cortex-m4", "arm", "Cortex-M4 TRM (Arm DDI 0439B), 3.3 Table 3-1, 3.3.2, and "
               "7.2 Table 7-1 (FPU)", div=7, taken=2, ls_pipe=1, alu_addr=1, fp_by=ARM_FP,
               assumed=("branch refill P = 2 (the manual: 1 to 3)", "SDIV/UDIV 7 (2 to 12)")),
    CoreTiming("cortex-m7", "arm", "Cortex-M7 TRM (Arm DDI 0489F), 1.2 (six-stage dual-issue "
               "pipeline); Arm publishes no cycle table: issue rules from independent measurements "
               "(quinapalus.com, Cortex-M7 instruction cycle counts, STM32H730)", load=1, store=1,
               store_register_offset=1, wide=2, lsm_per_reg=0.5, taken=1, load_use=1, mul_use=1,
               alu_addr=1, shift_early=1, dual=1, pairs=M7_PAIRS, fp_by=ARM_FP,
               assumed=("everything: Arm publishes no Cortex-M7 timing", "SDIV/UDIV 7",
                        "pairs: an ALU, multiply, load, store or FP instruction with a younger one "
                        "of those or a branch, but one load/store, one multiply, one FP "
                        "operation per cycle",
                        "measured restrictions: one shifted operand (also extensions, bitfields, "
                        "immediates wider than 8 bits) per cycle, DSP instructions only as the "
                        "older of a pair, shifted operands and addresses need their input a "
                        "cycle early",
                        "taken branch +1 (predicted by the BTAC; mispredictions not modelled)")),
    CoreTiming("cortex-m33", "arm", "Cortex-M33 TRM (Arm 100230) describes a three-stage "
               "pipeline like the Cortex-M4's; no cycle table: Cortex-M4 figures used", div=7,
               taken=2, ls_pipe=1, alu_addr=1, fp_by=ARM_FP,
               assumed=("the Cortex-M4 table", "its limited dual issue of 16-bit pairs is not "
                        "modelled")),
    CoreTiming("cortex-m55", "arm", "Cortex-M55 TRM (Arm 101051): four-stage pipeline, MVE "
               "executes two beats per cycle (a 128-bit instruction in 2 cycles); scalar figures "
               "from the Cortex-M4 table", load=2, taken=2, ls_pipe=1, alu_addr=1, fp_by=ARM_FP,
               vec=2,
               assumed=("scalar: the Cortex-M4 table", "no overlap of successive MVE "
                        "instructions")),
    CoreTiming("rv32-inorder", "riscv", "ESP32-C3 TRM (Espressif, v1.1), 1 ESP-RISC-V CPU: a "
               "four-stage in-order scalar pipeline; no cycle table", load=1, store=1,
               store_register_offset=1, div=33, taken=2, load_use=1,
               assumed=("loads: 1 + 1 stall when the next instruction uses the result",
                        "taken branch or jump +2 (resolved in execute)", "DIV/REM 33 "
                        "(one bit per cycle)", "MUL 1")),
    CoreTiming("xtensa-lx106", "xtensa", "Xtensa ISA reference manual (Cadence): five-stage "
               "pipeline I R E M W; Cadence publishes no LX106 cycle table", load=1, store=1,
               store_register_offset=1, mul=2, taken=2, load_use=1,
               assumed=("loads return in M: a dependent instruction waits 1 cycle",
                        "taken branch +2 (resolved in E)", "MULL 2", "no hardware divide "
                        "(software division, as on the ESP8266)")),
)}


def write_table(elf: Path, triple: str, model: CoreTiming, out: Path) -> list[Insn]:
    """The plugin's table for `elf` under `model` (format: targets/plugin/mb_insn_count.c)."""
    insns = instructions(elf, triple, model.isa)
    lines = [f"p load_use {model.load_use}", f"p alu_addr {model.alu_addr}",
             f"p ls_pipe {model.ls_pipe}", f"p mul_use {model.mul_use}", f"p dual {model.dual}",
             f"p shift_early {model.shift_early}"]
    lines += [f"pair {KINDS.index(a)} {KINDS.index(b)}" for a, b in model.pairs]
    for i in insns:
        flags = ((1 if i.branch else 0) | (2 if i.wide or i.kind == "lsm" else 0)
                 | (4 if i.shifted else 0) | (8 if i.dsp else 0))
        lines.append(f"i {i.addr:x} {i.size} {KINDS.index(i.kind)} {model.cost(i)} "
                     f"{model.taken if i.branch else 0} {flags} {i.dst:x} {i.src:x} {i.asrc:x}")
    out.write_text("\n".join(lines) + "\n")
    return insns


def instruction_mix(plugin_text: str, insns: list[Insn]) -> dict:
    """The invoke region's executed instructions per mnemonic and per kind, from the plugin's
    per-block counts (mix=1): the invoke region's blocks minus the calibration region's, so the
    markers' own instructions drop out exactly as they do from the counts."""
    at = {i.addr: i for i in insns}
    by_mnemonic: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    unknown = 0
    for pc, n, inv, cal in re.findall(r"tb=0x([0-9a-f]+) n=(\d+) invoke=(\d+) calibrate=(\d+)",
                                      plugin_text):
        times = int(inv) - int(cal)
        addr = int(pc, 16)
        for _ in range(int(n) if times else 0):
            insn = at.get(addr)
            if insn is None:
                unknown += times
                continue
            by_mnemonic[insn.mnemonic] = by_mnemonic.get(insn.mnemonic, 0) + times
            by_kind[insn.kind] = by_kind.get(insn.kind, 0) + times
            addr += insn.size
    if unknown:  # nothing in an mcubench ELF; kept visible should it ever happen
        by_mnemonic["(not in the disassembly)"] = unknown
        by_kind["other"] = by_kind.get("other", 0) + unknown
    ordered = dict(sorted(by_mnemonic.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"total": sum(by_mnemonic.values()), "by_kind": dict(sorted(by_kind.items(),
            key=lambda kv: -kv[1])), "by_mnemonic": ordered}


NO_FPU = ("cortex-m0", "cortex-m0plus", "cortex-m3", "xtensa-lx106")
NO_DIVIDE = ("cortex-m0", "cortex-m0plus", "xtensa-lx106")


def rows(model: CoreTiming) -> list[tuple[str, str]]:
    """(class, cycles) of one core's table."""
    mul = str(model.mul) + (f" ({', '.join(f'{k} {v}' for k, v in model.mul_by.items())})"
                            if model.mul_by else "")
    fp = ("-" if model.name in NO_FPU else str(model.fp) if model.isa != "arm" else
          f"{model.fp} (VMLA/VFMA {model.fp_by.get('vmla', 1)}, VDIV {model.fp_by.get('vdiv', 1)})")
    return [("ALU", str(model.alu)), ("MUL/MAC", mul),
            ("divide", "-" if model.name in NO_DIVIDE else str(model.div)),
            ("load", str(model.load)),
            ("store (register offset)", f"{model.store} ({model.store_register_offset})"),
            ("load/store multiple of N", f"{model.lsm_base} + {model.lsm_per_reg:g} N"),
            ("branch, + when taken", f"{model.branch}, +{model.taken}"),
            ("load-use stall", str(model.load_use)),
            ("ALU result as next address", str(model.alu_addr)),
            ("load/store right after a load", f"-{model.ls_pipe}" if model.ls_pipe else "0"),
            ("multiply result used next", str(model.mul_use)),
            ("shifted operand reads the previous result", str(model.shift_early)),
            ("dual issue", "yes" if model.dual else "no"), ("FP", fp),
            ("MVE (Helium)", str(model.vec) if model.name == "cortex-m55" else "-")]


def markdown(model: CoreTiming) -> str:
    """One core's table, its source and what is assumed."""
    out = [f"### {model.name}", "", f"Source: {model.source}.", "", "| class | cycles |",
           "|---|---|"]
    out += [f"| {a} | {b} |" for a, b in rows(model)]
    if model.assumed:
        out += ["", "Assumed: " + "; ".join(model.assumed) + "."]
    return "\n".join(out)


def matrix() -> str:
    """All cores side by side: the README's summary (docs/timing.md has each with its sources)."""
    names = list(MODELS)
    table = {n: dict(rows(MODELS[n])) for n in names}
    out = ["| class | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for cls, _ in rows(MODELS[names[0]]):
        out.append(f"| {cls} | " + " | ".join(table[n][cls] for n in names) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--matrix"]:
        print(matrix())
    else:
        print("\n\n".join(markdown(m) for m in MODELS.values()))
