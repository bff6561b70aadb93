"""ROM and RAM figures from an ELF's section headers (pyelftools)."""
from __future__ import annotations

from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

# Sections that are not part of the deployed program: validation samples, and the stack/heap
# reservations of bare-metal linker scripts (the stack is measured by painting instead).
EXCLUDED = (".mb_samples", ".stack", ".heap")


def elf_memory(path: Path) -> dict[str, int]:
    out = {"rom_code": 0, "rom_rodata": 0, "rom_data": 0, "ram_data": 0, "ram_bss": 0}
    with open(path, "rb") as f:
        for sec in ELFFile(f).iter_sections():
            flags = sec["sh_flags"]
            if not flags & SH_FLAGS.SHF_ALLOC or sec.name.startswith(EXCLUDED):
                continue
            size = sec["sh_size"]
            if sec["sh_type"] == "SHT_NOBITS":
                out["ram_bss"] += size
            elif flags & SH_FLAGS.SHF_EXECINSTR:
                out["rom_code"] += size
            elif flags & SH_FLAGS.SHF_WRITE:
                out["rom_data"] += size  # the initial image lives in flash and is copied to RAM
                out["ram_data"] += size
            else:
                out["rom_rodata"] += size
    return out


def symbol_address(path: Path, name: str) -> int | None:
    with open(path, "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        if symtab is None:
            return None
        syms = symtab.get_symbol_by_name(name)
        return syms[0]["st_value"] if syms else None
