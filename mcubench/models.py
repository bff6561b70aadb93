"""Model names -> files, through search paths (MLonMCU zoo layout `<dir>/<name>/<name>.tflite`)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelError
from .home import home_dir, user_config

EXTENSIONS = (".tflite",)


@dataclass(frozen=True)
class ModelRef:
    name: str
    path: Path
    folder: Path | None  # the zoo folder with input/ and output_* samples, if any


def search_paths(extra: list[str] | None = None) -> list[Path]:
    paths = [Path(p) for p in extra or []]
    paths += [Path(p) for p in os.environ.get("MCUBENCH_MODELS", "").split(":") if p]
    paths += [Path(p).expanduser() for p in user_config().get("model_paths", [])]
    paths.append(home_dir() / "models")
    return paths


def groups() -> dict[str, list[str]]:
    return dict(user_config().get("model_groups", {}))


def expand(names: list[str]) -> list[str]:
    out: list[str] = []
    g = groups()
    for n in names:
        out += g.get(n, [n])
    return out


def resolve(name: str, extra_paths: list[str] | None = None) -> ModelRef:
    p = Path(name)
    if p.suffix in EXTENSIONS or p.exists():
        if not p.is_file():
            raise ModelError(f"model file {p} does not exist")
        folder = p.parent if (p.parent / "input").is_dir() else None
        return ModelRef(p.stem, p.resolve(), folder and folder.resolve())
    tried = search_paths(extra_paths)
    for root in tried:
        for ext in EXTENSIONS:
            for cand in (root / name / f"{name}{ext}", root / f"{name}{ext}"):
                if cand.is_file():
                    folder = cand.parent if cand.parent.name == name else None
                    return ModelRef(name, cand.resolve(), folder and folder.resolve())
    raise ModelError(
        f"model {name!r} not found; searched {', '.join(map(str, tried))}. Give a path to a .tflite "
        "file, or add a folder with --model-path DIR or MCUBENCH_MODELS=DIR"
    )
