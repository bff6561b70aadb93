"""One registry for all component kinds. Built-ins register exactly like third-party plugins: through
the `mcubench.plugins` entry point group (a callable taking the registry), or a Python file in
`$MCUBENCH_HOME/plugins/` that defines `register(registry)`."""
from __future__ import annotations

import importlib.util
from importlib.metadata import entry_points
from pathlib import Path

from .component import Component
from .errors import ConfigError, McubenchError

KINDS = ("frontend", "backend", "toolchain", "target", "feature", "postprocess")


class Registry:
    def __init__(self):
        self._items: dict[str, dict[str, type[Component]]] = {k: {} for k in KINDS}

    def add(self, cls: type[Component]) -> type[Component]:
        if cls.kind not in self._items:
            raise McubenchError(f"component {cls.__name__} has unknown kind {cls.kind!r}")
        self._items[cls.kind][cls.name] = cls
        return cls

    def names(self, kind: str) -> list[str]:
        return sorted(self._items[kind])

    def get(self, kind: str, name: str) -> type[Component]:
        try:
            return self._items[kind][name]
        except KeyError:
            raise ConfigError(
                f"unknown {kind} {name!r}; valid: {', '.join(self.names(kind)) or '(none)'}"
            ) from None

    def find(self, name: str) -> type[Component] | None:
        """The component of any kind called `name` (config prefixes are component names)."""
        for kind in KINDS:
            if name in self._items[kind]:
                return self._items[kind][name]
        return None

    def all(self):
        for kind in KINDS:
            yield from self._items[kind].values()


def load(home_plugins: Path | None = None) -> Registry:
    reg = Registry()
    for ep in entry_points(group="mcubench.plugins"):
        ep.load()(reg)
    if not reg.names("backend"):  # running from a source tree without an installed entry point
        from . import builtin

        builtin.register(reg)
    if home_plugins and home_plugins.is_dir():
        for path in sorted(home_plugins.glob("*.py")):
            spec = importlib.util.spec_from_file_location(f"mcubench_plugin_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
                module.register(reg)
            except Exception as exc:  # a broken user plugin must not take the tool down
                raise McubenchError(f"plugin {path} failed to load: {exc}") from exc
    return reg
