"""Typed config keys. Each component declares its keys once; everything else is rejected early."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Key:
    name: str
    type: type
    default: Any
    help: str = ""
    choices: tuple = ()

    def parse(self, owner: str, value: Any) -> Any:
        """Turn a command-line string (or a typed value) into this key's type."""
        try:
            if self.type is bool and isinstance(value, str):
                if value.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                out = value.lower() in ("1", "true", "yes", "on")
            else:
                out = self.type(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{owner}.{self.name}={value!r}: expected {self.type.__name__} ({self.help})"
            ) from None
        if self.choices and out not in self.choices:
            raise ConfigError(
                f"{owner}.{self.name}={value!r}: must be one of {', '.join(map(str, self.choices))}"
            )
        return out


def parse_assignments(items: list[str]) -> dict[str, str]:
    """`-c key=value` strings -> dict; a bare key means True."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if "." not in key:
            raise ConfigError(
                f"config key {key!r} must be written COMPONENT.KEY=VALUE (e.g. aot.arena_align=16)"
            )
        out[key] = value.strip() if sep else "1"
    return out
