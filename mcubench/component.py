"""The one base class of every pluggable part: frontends, backends, toolchains, targets, features,
postprocesses. A component declares its name, its typed config keys and what must be installed."""
from __future__ import annotations

import hashlib
import importlib.util
import inspect
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from . import __version__
from .config import Key
from .errors import ConfigError


@dataclass(frozen=True)
class Need:
    """Something a component needs installed: an executable on PATH or an importable Python module."""

    name: str
    install: str  # the command that installs it, shown to the user
    kind: str = "exe"  # "exe" | "python"

    def present(self) -> bool:
        if self.kind == "exe":
            return shutil.which(self.name) is not None
        return importlib.util.find_spec(self.name) is not None


class Component:
    kind: ClassVar[str] = ""
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    keys: ClassVar[tuple[Key, ...]] = ()
    needs: ClassVar[tuple[Need, ...]] = ()

    def __init__(self, config: dict[str, Any] | None = None):
        """`config` holds this component's keys without the prefix; unknown keys are an error."""
        self.config = self.resolve(config or {})

    @classmethod
    def resolve(cls, given: dict[str, Any]) -> dict[str, Any]:
        valid = {k.name: k for k in cls.keys}
        out = {k.name: k.default for k in cls.keys}
        for name, value in given.items():
            if name not in valid:
                raise ConfigError(
                    f"unknown config key {cls.name}.{name}; valid keys of {cls.kind} {cls.name!r}: "
                    + (", ".join(f"{cls.name}.{k}" for k in valid) or "(none)")
                )
            out[name] = valid[name].parse(cls.name, value)
        return out

    @classmethod
    def keys_default(cls, name: str, fallback: Any = "gcc") -> Any:
        return next((k.default for k in cls.keys if k.name == name), fallback)

    @classmethod
    def missing(cls) -> list[Need]:
        return [n for n in cls.needs if not n.present()]

    @classmethod
    def version(cls) -> str:
        """Changes whenever the component's code changes: part of every cache key it touches."""
        try:
            src = inspect.getsource(inspect.getmodule(cls))
        except (OSError, TypeError):
            src = ""
        return __version__ + ":" + hashlib.sha256(src.encode()).hexdigest()[:12]

    def __getitem__(self, key: str) -> Any:
        return self.config[key]


def digest_tree(*roots: Path, suffixes=(".c", ".h", ".ld", ".S")) -> str:
    """Hash of the files below `roots` (runtime C sources): part of cache keys that compile them."""
    h = hashlib.sha256()
    for root in roots:
        for p in sorted(root.rglob("*")) if root.is_dir() else ():
            if p.is_file() and p.suffix in suffixes:
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


RUNTIME_DIR = Path(__file__).parent / "runtime"
