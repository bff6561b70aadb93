from __future__ import annotations

from ..component import Need
from ..config import Key
from .base import CompileJob, Toolchain


class Gcc(Toolchain):
    name = "gcc"
    description = "GNU C compiler (host gcc, riscv64-unknown-elf-gcc, arm-none-eabi-gcc)"
    keys = (
        Key("optimize", str, "2", "optimization level: 0, 1, 2, 3, s", ("0", "1", "2", "3", "s")),
        Key("extra_cflags", str, "", "extra flags appended to every compile, space separated"),
    )
    needs = (Need("gcc", "apt-get install gcc"),)

    def command(self, job: CompileJob) -> list[str]:
        cc = f"{job.triple}-gcc" if job.triple else "gcc"
        cmd = [cc, "-std=c99", f"-O{self['optimize']}", "-g", "-Wall", "-ffunction-sections",
               "-fdata-sections", *job.arch_flags, *job.cflags]
        cmd += [f"-D{k}={v}" for k, v in job.defines.items()]
        cmd += [f"-I{d}" for d in job.include_dirs]
        cmd += [str(s) for s in job.sources]
        cmd += self["extra_cflags"].split()
        map_file = job.out_elf.with_suffix(".map")
        cmd += ["-o", str(job.out_elf), f"-Wl,-Map={map_file}", "-Wl,--gc-sections", *job.ldflags]
        return cmd
