"""What the timing model and the instruction mix need to know about each instruction of an ELF:
its mnemonic, size, kind (ALU, multiply, load, ...) and the registers it reads and writes. Read from
the toolchain's objdump (Thumb-2 with FP and Helium, RISC-V, Xtensa); one parser per ISA."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import MissingDependency, StageError

# Instruction kinds; targets/plugin/mb_insn_count.c numbers them in this order.
KINDS = ("alu", "mul", "div", "load", "store", "lsm", "branch", "fp", "vec", "other")


@dataclass
class Insn:
    addr: int
    size: int
    mnemonic: str  # as objdump prints it, width suffix (.n/.w) removed
    kind: str
    dst: int = 0  # registers written, as a bit mask (numbering per ISA below)
    src: int = 0  # registers read as data
    asrc: int = 0  # registers read to form a memory address
    branch: bool = False  # may redirect control flow (the taken penalty applies)
    regs: int = 0  # registers moved by a load/store multiple
    register_offset: bool = False  # a load/store with a register offset (Arm)
    wide: bool = False  # a 64-bit load/store pair (Arm LDRD/STRD): never pipelined
    shifted: bool = False  # Arm: a shifted operand, bitfield, extension or wide immediate
    dsp: bool = False  # Arm: a DSP/SIMD instruction (SMLAD, SXTB16, QADD, SSAT, REV, ...)
    base: str = ""  # the mnemonic without condition code or type suffix, for cost lookups
    target: int | None = None  # a direct branch's destination


LINE = re.compile(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2,8} )+)\s*\t?([^\t\s]+)\s*(.*)$")


def disassemble(elf: Path, triple: str, start: int | None = None, stop: int | None = None) -> str:
    objdump = shutil.which(f"{triple}-objdump")
    if objdump is None:
        raise MissingDependency(f"{triple}-objdump not found (the timing model reads the ELF's "
                                "code with it): install the target's binutils")
    cmd = [objdump, "-d", str(elf)]
    if start is not None:
        cmd += [f"--start-address={start:#x}", f"--stop-address={stop:#x}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise StageError(f"{objdump} failed: {proc.stderr.strip()[-300:]}")
    return proc.stdout


def instructions(elf: Path, triple: str, isa: str) -> list[Insn]:
    """Every instruction of the ELF's code, sorted by address. A linear disassembly can lose step
    where code holds bytes that are no instruction (Xtensa pads branch targets for alignment, and
    has no mapping symbols to say so): every direct branch target the disassembly missed is
    decoded again from there, replacing what overlapped it, until none is missing."""
    found = {i.addr: i for i in parse(disassemble(elf, triple), isa)}
    for _ in range(20):
        missing = sorted({t for i in found.values() if i.branch for t in [branch_target(i)]
                          if t is not None and t not in found})
        if not missing:
            break
        for target in missing:
            for insn in parse(disassemble(elf, triple, target, target + 256), isa):
                same = found.get(insn.addr)
                if same is not None and same.size == insn.size:
                    break  # in step with the first pass again
                for a in [a for a in found if a < insn.addr + insn.size and
                          a + found[a].size > insn.addr]:
                    del found[a]
                found[insn.addr] = insn
    return [found[a] for a in sorted(found)]


def branch_target(insn: Insn) -> int | None:
    return insn.target


def parse(text: str, isa: str) -> list[Insn]:
    """objdump -d output -> instructions (data words in code, `.word`, are skipped)."""
    decode = {"arm": arm, "riscv": riscv, "xtensa": xtensa}[isa]
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if not m or m.group(3).startswith("."):
            continue
        addr, size = int(m.group(1), 16), len(m.group(2).replace(" ", "")) // 2
        ops = m.group(4).split(";")[0].split("@")[0].split("<")[0].strip()
        if isa == "riscv":
            ops = ops.split("#")[0].strip()
        mnemonic = m.group(3).lower()
        for suffix in (".n", ".w"):
            if mnemonic.endswith(suffix) and isa == "arm":
                mnemonic = mnemonic[: -len(suffix)]
        insn = decode(addr, size, mnemonic, ops)
        if insn.branch:
            last = re.search(r"(?:^|[\s,#])(?:0x)?([0-9a-f]+)$", ops)
            insn.target = int(last.group(1), 16) if last and "<" in m.group(4) else None
        out.append(insn)
    return out


def mask(regs) -> int:
    m = 0
    for r in regs:
        if r is not None and r >= 0:
            m |= 1 << r
    return m


def split_operands(ops: str) -> list[str]:
    """Top-level comma split that keeps [..] and {..} groups together."""
    parts, depth, cur = [], 0, ""
    for ch in ops:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


# --- Arm (Thumb-2, VFP, MVE) -------------------------------------------------------------------
# Numbering: r0-r15 -> 0-15, s0-s31 -> 16-47 (d<n> covers two, q<n> four).
ARM_ALIAS = {"sb": 9, "sl": 10, "fp": 11, "ip": 12, "sp": 13, "lr": 14, "pc": 15}
CONDS = ("eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt",
         "le", "al")
ARM_BRANCH = {"b", "bl", "blx", "bx", "cbz", "cbnz", "tbb", "tbh"}
ARM_MUL = ("mul", "mla", "mls", "smull", "umull", "smlal", "umlal", "umaal", "smla", "smul",
           "smlad", "smlsd", "smuad", "smusd", "smmul", "smmla", "smmls", "smlald", "smlsld")
ARM_DIV = {"sdiv", "udiv"}
ARM_OTHER = {"nop", "dsb", "dmb", "isb", "cpsid", "cpsie", "msr", "mrs", "bkpt", "svc", "udf",
             "wfi", "wfe", "sev", "it", "ite", "itt", "itee", "itte", "ittt", "itet", "iteee",
             "ittee", "ittte", "itttt", "itete", "iteet", "itett"}
ARM_NO_DEST = {"cmp", "cmn", "tst", "teq", "vcmp", "vcmpe"}
ARM_ACCUMULATE = ("mla", "mls", "smla", "smlal", "umlal", "umaal", "smlsd", "smmla", "smmls",
                  "vmla", "vmls", "vnmla", "vnmls", "vfma", "vfms", "vfnma", "vfnms")


def arm_reg(tok: str) -> list[int]:
    tok = tok.strip().lower().rstrip("!").strip()
    if tok in ARM_ALIAS:
        return [ARM_ALIAS[tok]]
    m = re.fullmatch(r"([rsdq])(\d+)", tok)
    if not m:
        return []
    kind, n = m.group(1), int(m.group(2))
    if kind == "r":
        return [n] if n < 16 else []
    if kind == "s":
        return [16 + n]
    if kind == "d":
        return [16 + 2 * n, 17 + 2 * n] if n < 16 else []
    return [16 + 4 * n + i for i in range(4)] if n < 8 else []


def arm_regs(text: str) -> list[int]:
    """All registers named in an operand (lists and ranges like {r4-r7} included)."""
    out = []
    for tok in re.split(r"[\s,\[\]{}#!]+", text):
        if "-" in tok:
            a, _, b = tok.partition("-")
            ra, rb = arm_reg(a), arm_reg(b)
            if ra and rb:
                out += list(range(ra[0], rb[-1] + 1))
                continue
        out += arm_reg(tok)
    return out


# Thumb's two-operand forms ("adds r3, #42", "muls r0, r1") read their destination too.
ARM_SHIFTED = ("sxt", "uxt", "ubfx", "sbfx", "bfi", "bfc", "rbit")
ARM_DSP = ("smla", "smlsd", "smua", "smus", "smul", "smmul", "smmla", "sadd", "ssub", "qadd",
           "qsub", "qdadd", "qdsub", "uadd", "usub", "sxtb16", "sxtab16", "uxtb16", "uxtab16",
           "pkh", "sel", "ssat", "usat", "rev", "shadd", "uhadd", "usad", "sasx", "ssax")
ARM_RMW = {"add", "adc", "sub", "sbc", "and", "orr", "eor", "bic", "lsl", "lsr", "asr", "ror",
           "mul"}
ARM_KNOWN = {"mov", "mvn", "add", "adc", "sub", "sbc", "rsb", "and", "orr", "eor", "bic", "orn",
             "lsl", "lsr", "asr", "ror", "rrx", "cmp", "cmn", "tst", "teq", "neg", "mul", "mla",
             "mls", "b", "bx", "bl", "blx", "sxtb", "uxtb", "sxth", "uxth", "ubfx", "sbfx", "clz"}


def arm_base(mnemonic: str) -> str:
    """The mnemonic without condition code and type suffix: "bne" -> "b", "addeq" -> "add",
    "ldrbne" -> "ldrb", "vmla.f32" -> "vmla"; flag-setting forms keep their s ("adds")."""
    base = mnemonic.split(".")[0]
    for cond in CONDS:
        head = base[: -len(cond)]
        if base.endswith(cond) and head and (head in ARM_KNOWN or head.rstrip("s") in ARM_KNOWN
                                             or head.startswith(("ldr", "str", "v"))):
            return head
    return base


def arm(addr: int, size: int, mnemonic: str, ops: str) -> Insn:
    base = arm_base(mnemonic)
    operands = split_operands(ops)
    regs = [arm_regs(o) for o in operands]
    typed = "." in mnemonic
    insn = Insn(addr, size, mnemonic, "alu", base=base)
    mem = next((o for o in operands if o.startswith("[")), None)
    writeback = "!" in ops or (mem is not None and operands.index(mem) < len(operands) - 1)
    if base in ARM_BRANCH or (base.startswith("b") and base[1:] in CONDS):
        insn.kind, insn.branch = "branch", True
        insn.src = mask(r for rs in regs for r in rs)
        if base in ("bl", "blx"):
            insn.dst = mask([14])
        return insn
    if base in ARM_OTHER or mnemonic.startswith("it"):
        insn.kind = "other"
        return insn
    vector = any(r >= 16 for rs in regs for r in rs) and any(o.startswith("q") for o in operands)
    if base in ("push", "pop", "vpush", "vpop") or base.startswith(("ldm", "stm", "vldm", "vstm")):
        listed = arm_regs(operands[-1]) if operands else []
        # A VFP list moves 64 bits per d register (arm_regs gives two s numbers for each).
        insn.kind = "lsm"
        insn.regs = max(1, len(listed) // 2 if base.startswith("v") else len(listed))
        load = base.startswith(("ldm", "pop", "vldm", "vpop"))
        stack = base in ("push", "pop", "vpush", "vpop")
        base_reg = [13] if stack else (regs[0] if regs else [])
        insn.asrc = mask(base_reg)
        insn.dst = mask(listed if load else []) | (mask(base_reg) if stack or "!" in ops else 0)
        insn.src = 0 if load else mask(listed)
        insn.branch = load and 15 in listed
        return insn
    if mem is not None and (base.startswith(("ldr", "str", "vldr", "vstr", "ldrex", "strex"))
                            or base.startswith(("vld", "vst"))):
        load = base.startswith(("ldr", "vldr", "vld"))
        insn.kind = "vec" if vector else ("load" if load else "store")
        data = [r for o in operands[: operands.index(mem)] for r in arm_regs(o)]
        address = arm_regs(mem) + [r for o in operands[operands.index(mem) + 1:]
                                   for r in arm_regs(o)]
        insn.asrc = mask(address)
        insn.register_offset = len(arm_regs(mem)) > 1
        insn.wide = base in ("ldrd", "strd")
        base_reg = arm_regs(mem)[:1]
        if load:
            insn.dst = mask(data) | (mask(base_reg) if writeback else 0)
            insn.branch = 15 in data
        else:
            insn.src = mask(data)
            insn.dst = mask(base_reg) if writeback else 0
        return insn
    flat = [r for rs in regs for r in rs]
    insn.dsp = base.startswith(ARM_DSP)
    imm = re.search(r"#(-?(?:0x[0-9a-f]+|\d+))", ops)
    insn.shifted = (base.startswith(ARM_SHIFTED) or bool(re.search(r",\s*(lsl|lsr|asr|ror)\b", ops))
                    or (imm is not None and not 0 <= int(imm.group(1), 0) <= 255))
    if base in ARM_DIV:
        insn.kind = "div"
    elif base.startswith(ARM_MUL):
        insn.kind = "mul"
    elif vector or (base.startswith("v") and typed and
                    any(t in mnemonic for t in (".i", ".s8", ".u8", ".s16"))):
        insn.kind = "vec"
    elif base.startswith("v"):
        insn.kind = "fp"
    if base in ARM_NO_DEST or not regs:
        insn.src = mask(flat)
        return insn
    ndst = 2 if base in ("smull", "umull", "smlal", "umlal", "umaal", "smlald", "smlsld") else 1
    dests = [r for rs in regs[:ndst] for r in rs]
    insn.dst = mask(dests)
    insn.src = mask([r for rs in regs[ndst:] for r in rs])
    two_operand_rmw = len(operands) == 2 and base.rstrip("s") in ARM_RMW
    if base.startswith(ARM_ACCUMULATE) or base in ("movt", "bfi") or two_operand_rmw:
        insn.src |= insn.dst
    if 15 in dests:
        insn.branch = True
    return insn


# --- RISC-V ---------------------------------------------------------------------------------------
# Numbering: x0-x31 -> 0-31, f0-f31 -> 32-63 (vector registers are not tracked).
RV_ABI = {"zero": 0, "ra": 1, "sp": 2, "gp": 3, "tp": 4, "t0": 5, "t1": 6, "t2": 7, "s0": 8,
          "fp": 8, "s1": 9, **{f"a{i}": 10 + i for i in range(8)},
          **{f"s{i}": 16 + i for i in range(2, 12)}, **{f"t{i}": 25 + i for i in range(3, 7)}}
RV_FABI = {**{f"ft{i}": i for i in range(8)}, "fs0": 8, "fs1": 9,
           **{f"fa{i}": 10 + i for i in range(8)}, **{f"fs{i}": 16 + i for i in range(2, 12)},
           **{f"ft{i}": 20 + i for i in range(8, 12)}}
RV_BRANCH = {"beq", "bne", "blt", "bge", "bltu", "bgeu", "beqz", "bnez", "blez", "bgez", "bltz",
             "bgtz", "bgt", "ble", "bgtu", "bleu", "j", "jal", "jalr", "jr", "ret", "call", "tail"}
RV_LOAD = {"lb", "lh", "lw", "lbu", "lhu", "ld", "lwu", "flw", "fld"}
RV_STORE = {"sb", "sh", "sw", "sd", "fsw", "fsd"}
RV_OTHER_PREFIX = ("csr", "ecall", "ebreak", "fence", "wfi", "mret", "sret", "unimp", "rdcycle",
                   "rdinstret", "rdtime", "nop")


def rv_reg(tok: str) -> int | None:
    tok = tok.strip()
    if tok in RV_ABI:
        return RV_ABI[tok]
    if tok in RV_FABI:
        return 32 + RV_FABI[tok]
    m = re.fullmatch(r"([xf])(\d+)", tok)
    if m:
        return int(m.group(2)) + (32 if m.group(1) == "f" else 0)
    return None


def riscv(addr: int, size: int, mnemonic: str, ops: str) -> Insn:
    base = mnemonic.split(".")[0] if not mnemonic.startswith(("f", "v")) else mnemonic
    insn = Insn(addr, size, mnemonic, "alu", base=base)
    operands = [o.strip() for o in ops.split(",") if o.strip()]
    if mnemonic in RV_BRANCH:
        insn.kind, insn.branch = "branch", True
        regs = [rv_reg(o) for o in operands]
        if mnemonic in ("jal", "jalr") and len(operands) >= 2:
            insn.dst, insn.src = mask(regs[:1]), mask(regs[1:])
        elif mnemonic in ("jal", "call"):
            insn.dst = mask([1])
        elif mnemonic == "jalr":
            insn.dst, insn.src = mask([1]), mask(regs)
        elif mnemonic == "ret":
            insn.src = mask([1])
        else:
            insn.src = mask(regs)
        return insn
    if mnemonic.startswith(RV_OTHER_PREFIX):
        insn.kind = "other"
        return insn
    if mnemonic in RV_LOAD or mnemonic in RV_STORE:
        load = mnemonic in RV_LOAD
        insn.kind = "load" if load else "store"
        data = rv_reg(operands[0]) if operands else None
        m = re.search(r"\((\w+)\)", ops)
        insn.asrc = mask([rv_reg(m.group(1))]) if m else 0
        if load:
            insn.dst = mask([data])
        else:
            insn.src = mask([data])
        return insn
    if mnemonic.startswith("v"):
        insn.kind = "vec"
        return insn
    if mnemonic.startswith(("mul", "mulh")):
        insn.kind = "mul"
    elif mnemonic.startswith(("div", "rem")):
        insn.kind = "div"
    elif mnemonic.startswith("f"):
        insn.kind = "fp"
    regs = [rv_reg(o) for o in operands]
    insn.dst = mask(regs[:1]) & ~1  # x0 is never written
    insn.src = mask(regs[1:])
    return insn


# --- Xtensa (LX106, call0 ABI) --------------------------------------------------------------------
XT_LOAD = {"l8ui", "l16ui", "l16si", "l32i", "l32r", "l32ai"}
XT_STORE = {"s8i", "s16i", "s32i", "s32ri"}
XT_MUL = {"mull", "mul16s", "mul16u", "muluh", "mulsh"}
XT_DIV = {"quos", "quou", "rems", "remu"}
XT_OTHER = {"nop", "memw", "isync", "rsync", "esync", "dsync", "rsr", "wsr", "xsr", "simcall",
            "break", "ill", "rfe", "rfde", "waiti", "extw", "excw"}


def xt_reg(tok: str) -> int | None:
    m = re.fullmatch(r"a(\d+)", tok.strip())
    return int(m.group(1)) if m else None


def xtensa(addr: int, size: int, mnemonic: str, ops: str) -> Insn:
    base = mnemonic.removesuffix(".n")
    insn = Insn(addr, size, mnemonic, "alu", base=base)
    operands = [o.strip() for o in ops.split(",") if o.strip()]
    regs = [xt_reg(o) for o in operands]
    if base in ("j", "jx", "call0", "callx0", "ret", "retw") or (base.startswith("b") and
                                                               base not in ("break",)):
        insn.kind, insn.branch = "branch", True
        insn.src = mask(regs) | (mask([0]) if base == "ret" else 0)
        if base.startswith("call"):
            insn.dst = mask([0])
        return insn
    if base in XT_OTHER or base.startswith(("rsr", "wsr", "xsr")):
        insn.kind = "other"
        insn.dst = mask(regs[:1]) if base.startswith("rsr") else 0
        return insn
    if base in XT_LOAD or base in XT_STORE:
        load = base in XT_LOAD
        insn.kind = "load" if load else "store"
        insn.asrc = mask(regs[1:2]) if base != "l32r" else 0
        if load:
            insn.dst = mask(regs[:1])
        else:
            insn.src = mask(regs[:1])
        return insn
    if base in XT_MUL:
        insn.kind = "mul"
    elif base in XT_DIV:
        insn.kind = "div"
    insn.dst = mask(regs[:1])
    insn.src = mask(regs[1:])
    return insn
