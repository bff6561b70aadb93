"""clang-16 + lld-16. Targets write their flags for the GNU driver (toolchains/gcc.py); this toolchain
translates the few that only the GNU driver knows: picolibc's --specs/--crt0/--oslib become explicit
include paths, start file and libraries, taken from the GNU cross toolchain's picolibc and libgcc
(`<triple>-gcc -print-...`), so both compilers link the same C library."""
from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

from ..component import Need
from ..config import Key
from ..errors import MissingDependency, StageError
from .base import CompileJob, Toolchain

CLANG = "clang-16"
GNU_ONLY = ("--specs=", "--crt0=", "--oslib=", "-misa-spec=", "-mfpu=auto")


class Llvm(Toolchain):
    name = "llvm"
    description = "clang-16 + lld-16 (autovectorizes RISC-V V and Cortex-M55 Helium)"
    keys = (
        Key("optimize", str, "2", "optimization level: 0, 1, 2, 3, s, z",
            ("0", "1", "2", "3", "s", "z")),
        Key("extra_cflags", str, "", "extra flags appended to every compile, space separated"),
    )
    needs = (Need(CLANG, "apt-get install clang-16"), Need("ld.lld-16", "apt-get install lld-16"))

    def command(self, job: CompileJob) -> list[str]:
        flags = [*job.arch_flags, *job.cflags]
        picolibc = "--specs=picolibc.specs" in flags
        arch = [f for f in job.arch_flags if not f.startswith(GNU_ONLY)]
        cmd = [CLANG, *clang_target(job.triple, arch), "-std=c99", f"-O{self['optimize']}", "-g",
               "-Wall", "-ffunction-sections", "-fdata-sections", "-fuse-ld=lld", *arch,
               *[f for f in job.cflags if not f.startswith(GNU_ONLY)]]
        if job.triple.startswith("riscv"):
            cmd.append("-mno-relax")  # the setting verified with lld-16 and picolibc
        cmd += [f"-D{k}={v}" for k, v in job.defines.items()]
        cmd += [f"-I{d}" for d in job.include_dirs]
        libs: list[str] = []
        if picolibc:
            lib = picolibc_lib(job.triple, tuple(multilib_flags(job.arch_flags)))
            crt0 = next((f.split("=", 1)[1] for f in flags if f.startswith("--crt0=")), "")
            oslib = next((f.split("=", 1)[1] for f in flags if f.startswith("--oslib=")), "")
            cmd += ["-isystem", str(lib.include), "-ftls-model=local-exec", "-nostdlib",
                    str(lib.dir / (f"crt0-{crt0}.o" if crt0 else "crt0.o"))]
            if "-DPICOLIBC_INTEGER_PRINTF_SCANF" in flags:
                # (not vfscanf too: lld would keep the unused integer scanf alive)
                cmd.append("-Wl,--defsym=vfprintf=__i_vfprintf")
            libs = ["-Wl,--start-group", str(lib.libgcc), "-lc", *([f"-l{oslib}"] if oslib else []),
                    "-Wl,--end-group", f"-L{lib.dir}"]
        cmd += [str(s) for s in job.sources]
        cmd += self["extra_cflags"].split()
        map_file = job.out_elf.with_suffix(".map")
        cmd += ["-o", str(job.out_elf), f"-Wl,-Map={map_file}", "-Wl,--gc-sections", *job.ldflags,
                *libs]
        return cmd


def clang_target(triple: str, arch_flags: list[str]) -> list[str]:
    if not triple:
        return []
    if triple.startswith("riscv"):
        march = next((f for f in arch_flags if f.startswith("-march=")), "-march=rv64")
        return [f"--target=riscv{32 if march.startswith('-march=rv32') else 64}-unknown-elf"]
    return [f"--target={triple}"]


def multilib_flags(arch_flags: list[str]) -> list[str]:
    """The GNU driver's multilib choice needs an -march it has a library for: RISC-V vector and
    z-extensions are dropped (rv32gcv links the rv32gc library, which contains no vector code)."""
    out = []
    for f in arch_flags:
        m = re.match(r"-march=(rv\d\d)([a-z]*)", f)
        out.append(f"-march={m.group(1)}{m.group(2).replace('v', '')}" if m else f)
    return out


class PicolibcLib:
    def __init__(self, include: Path, dir: Path, libgcc: Path):
        self.include, self.dir, self.libgcc = include, dir, libgcc


@functools.lru_cache(maxsize=None)
def picolibc_lib(triple: str, arch_flags: tuple[str, ...]) -> PicolibcLib:
    """Where the GNU cross toolchain keeps picolibc and libgcc for these flags."""
    gcc = f"{triple}-gcc"

    def ask(*args: str) -> str:
        try:
            proc = subprocess.run([gcc, *arch_flags, *args], capture_output=True, text=True)
        except FileNotFoundError:
            raise MissingDependency(f"{gcc} not found: clang links the GNU toolchain's picolibc "
                                    f"and libgcc (apt-get install gcc-{triple} picolibc-{triple})")
        if proc.returncode != 0:
            raise StageError(f"{gcc} {' '.join(args)} failed: {proc.stderr.strip()[-300:]}")
        return proc.stdout.strip()

    specs = Path(ask("-print-file-name=picolibc.specs"))
    if not specs.is_absolute():
        raise MissingDependency(f"picolibc for {triple} not found: "
                                f"apt-get install picolibc-{triple}")
    # The specs file names picolibc's folder in its default include path ":/usr/lib/picolibc/T/include}"
    m = re.search(r":(/[^;}\s]*/picolibc/" + re.escape(triple) + r")/include\}", specs.read_text())
    root = Path(m.group(1)) if m else Path("/usr/lib/picolibc") / triple
    multi = ask("--specs=picolibc.specs", "-print-multi-directory")
    return PicolibcLib(root / "include", root / "lib" / multi, Path(ask("-print-libgcc-file-name")))

