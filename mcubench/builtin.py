"""Registers mcubench's own components, through the same entry point a third-party plugin uses."""
from __future__ import annotations


def register(registry) -> None:
    from .backends.aot import Aot
    from .features.validate import Validate
    from .frontends.tflite import TFLiteFrontend
    from .targets.host import Host
    from .toolchains.gcc import Gcc

    for cls in (TFLiteFrontend, Aot, Gcc, Host, Validate):
        registry.add(cls)
