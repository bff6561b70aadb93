"""Operator specs (mcubench/ops/base.py): every module here adds operators to both C backends.

``SPECS`` maps a TFLite operator name to its spec instance; modules are found by listing this
package, so a new operator family is a new file and touches no shared table."""
from __future__ import annotations

import importlib
import pkgutil

from .base import OpSpec


def _discover() -> dict[str, OpSpec]:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            importlib.import_module(f"{__name__}.{mod.name}")
    specs: dict[str, OpSpec] = {}
    todo = list(OpSpec.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.kind:
            if cls.kind in specs:
                raise RuntimeError(f"operator {cls.kind} is declared twice "
                                   f"({type(specs[cls.kind]).__name__}, {cls.__name__})")
            specs[cls.kind] = cls()
    return specs


SPECS = _discover()
CUSTOM = {spec.custom: kind for kind, spec in SPECS.items() if spec.custom}  # custom_code -> kind
