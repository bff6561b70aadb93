"""`mcubench setup TARGET...`: install what the named components need (apt and pip only)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys

from .component import Component, Need


def plan(components: list[type[Component]]) -> list[list[str]]:
    """The commands that install every missing need, apt packages grouped into one call."""
    missing: list[Need] = []
    for comp in components:
        missing += [n for n in comp.missing() if n not in missing]
    apt, pip = [], []
    for need in missing:
        words = shlex.split(need.install)
        if words[:2] == ["apt-get", "install"]:
            apt += [w for w in words[2:] if w not in apt]
        elif words[:2] == ["pip", "install"]:
            pip.append(words[2:])
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    cmds = []
    if apt:
        cmds += [sudo + ["apt-get", "update", "-qq"], sudo + ["apt-get", "install", "-y", *apt]]
    cmds += [[sys.executable, "-m", "pip", "install", *args] for args in pip]
    return cmds


def install(components: list[type[Component]], dry_run: bool = False) -> int:
    cmds = plan(components)
    if not cmds:
        print("nothing to install: " + ", ".join(c.name for c in components) + " ready")
        return 0
    for cmd in cmds:
        print("$ " + " ".join(cmd))
        if not dry_run and subprocess.run(cmd, env={**os.environ,
                                                    "DEBIAN_FRONTEND": "noninteractive"}).returncode:
            print(f"setup failed at: {' '.join(cmd)}", file=sys.stderr)
            return 1
    return 0
