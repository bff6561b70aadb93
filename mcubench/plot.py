"""Figures of a session: invoke instructions, ROM and RAM per model (one panel per model, one bar
per backend/target variant), and instructions per operator kind when per-layer profile data exist.

Panels per model rather than one axis for all: models differ by orders of magnitude (toycar 2 M
instructions, resnet 130 M), and the question a figure answers is how backends and targets compare
on the same model. Matplotlib's object API (no pyplot): no global state, safe in any process."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

SEGMENTS = {  # stacked parts of a memory bar: column -> legend label
    "rom": (("ROM code", "code"), ("ROM rodata", "rodata (weights, constants)"),
            ("ROM data", "data (initial values)")),
    "ram": (("RAM data", "data"), ("RAM bss", "bss (arena, buffers)"), ("RAM stack", "stack")),
}
PALETTE = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb",
           "#222255", "#994455", "#997700"]  # Paul Tol's colour-blind safe sets
OP_REGION0 = 16  # runtime/include/mb_hal.h: MB_REGION_OP0, first per-operator region


def variant_labels(df: pd.DataFrame) -> pd.Series:
    """backend/target, plus session, features and config when they differ between runs."""
    label = df["Backend"].astype(str) + "/" + df["Target"].astype(str)
    if "Session" in df and df["Session"].astype(str).nunique() > 1:
        label = "session " + df["Session"].astype(str) + "\n" + label
    for col, empty in (("Features", "(no features)"), ("Config", "(default config)")):
        if col in df and df[col].astype(str).nunique() > 1:
            label = label + df[col].fillna("").astype(str).map(lambda v: "\n" + (v or empty))
    return label


def _eng(x: float, unit: str = "") -> str:
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}{unit}"
    return f"{x:.3g}{unit}"


def _kib(x: float) -> str:
    return f"{x / 1024:.1f} KiB" if x < 1024 * 1024 else f"{x / 1024 / 1024:.2f} MiB"


def _grid(n: int) -> tuple[int, int]:
    cols = min(n, 4)
    return math.ceil(n / cols), cols


def _panels(df: pd.DataFrame, title: str, ylabel: str, stacks: list[tuple[str, str]], fmt,
            scale: float = 1.0, tick_unit: str = ""):
    """One panel per model; in each, one bar per variant, stacked from `stacks` (column, label)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    models = list(dict.fromkeys(df["Model"]))
    nrows, ncols = _grid(len(models))
    nvar = max(df.groupby("Model").size().max(), 1)
    fig = Figure(figsize=(max(3.0, 0.9 * nvar + 1.6) * ncols, 3.9 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    labels = variant_labels(df)
    colors = {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(dict.fromkeys(labels))}
    for ax, model in zip(axes, models):
        sub = df[df["Model"] == model]
        x = range(len(sub))
        bottom = [0.0] * len(sub)
        for si, (col, seg_label) in enumerate(stacks):
            vals = [float(v) if pd.notna(v) else 0.0 for v in sub[col]]
            color = ([colors[lab] for lab in labels[sub.index]] if len(stacks) == 1
                     else PALETTE[si % len(PALETTE)])
            ax.bar(x, [v * scale for v in vals], 0.7, bottom=[b * scale for b in bottom],
                   color=color, edgecolor="white", linewidth=0.6,
                   label=seg_label if model == models[0] else None)
            bottom = [b + v for b, v in zip(bottom, vals)]
        top = max(bottom) if bottom else 0
        for xi, (total, failing) in enumerate(zip(bottom, sub.get("Failing", [False] * len(sub)))):
            text = "failed" if failing else (fmt(total) if total else "no data")
            y = total * scale + top * scale * 0.01 if top else 0.45  # empty panel: mid-height
            ax.text(xi, y, text, ha="center", va="bottom", fontsize=8.5 if top else 10,
                    color="#aa0000" if failing else "#222222")
        ax.set_title(model, fontsize=11, fontweight="bold")
        ax.set_xticks(list(x), list(labels[sub.index]), fontsize=8.5,
                      rotation=30 if len(sub) > 3 else 0, ha="right" if len(sub) > 3 else "center")
        ax.set_ylim(0, (top * scale or 1) * 1.15)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _eng(v, tick_unit)))
        if not top:
            ax.set_yticks([])
        ax.set_ylabel(ylabel, fontsize=9)
        ax.tick_params(axis="y", labelsize=8.5)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes[len(models):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=13)
    if len(stacks) > 1:
        fig.legend(loc="outside lower center", ncols=min(len(stacks), 7), fontsize=9, frameon=False)
    return fig


def layer_profile(run_dir: Path) -> dict[str, int] | None:
    """Instructions per operator kind of one run, from per-operator regions (ids 16 + op index) in
    result.json and the op kinds in load/summary.json; None when the run has no profile data."""
    try:
        result = json.loads((run_dir / "result.json").read_text())
    except (OSError, ValueError):
        return None
    regions = {int(k): v for k, v in (result.get("metrics", {}).get("regions") or {}).items()
               if int(k) >= OP_REGION0}
    if not regions:
        return None
    try:
        layers = json.loads((run_dir / "load" / "summary.json").read_text())["layers"]
    except (OSError, ValueError, KeyError):
        layers = []
    out: dict[str, int] = {}
    for rid, n in sorted(regions.items()):
        k = rid - OP_REGION0
        kind = layers[k]["kind"] if k < len(layers) else f"op {k}"
        out[kind] = out.get(kind, 0) + int(n)
    return out


def figures(df: pd.DataFrame, session_dir: Path | None = None) -> dict:
    """name -> matplotlib Figure, for the charts the data support."""
    df = df.reset_index(drop=True)
    figs = {}
    if df.empty or "Model" not in df:
        return figs
    if "Invoke Instructions" in df and df["Invoke Instructions"].notna().any():
        figs["instructions"] = _panels(df, "Instructions per inference (lower is better)",
                                       "instructions", [("Invoke Instructions", "invoke")], _eng)
    for kind, title in (("rom", "ROM: flash (lower is better)"),
                        ("ram", "RAM: data + bss + measured stack (lower is better)")):
        cols = [c for c, _ in SEGMENTS[kind]]
        if all(c in df for c in cols) and df[cols].notna().any().any():
            figs[kind] = _panels(df, title, "KiB", list(SEGMENTS[kind]), _kib, 1 / 1024)
    if session_dir is not None and "Run" in df:
        profiles = {i: layer_profile(Path(session_dir) / "runs" / str(r))
                    for i, r in df["Run"].items()}
        profiles = {i: p for i, p in profiles.items() if p}
        if profiles:
            kinds = sorted({k for p in profiles.values() for k in p},
                           key=lambda k: -sum(p.get(k, 0) for p in profiles.values()))
            prof = df.loc[list(profiles)].copy()
            for k in kinds:
                prof[f"op:{k}"] = [profiles[i].get(k, 0) for i in prof.index]
            figs["layers"] = _panels(prof, "Instructions per operator kind (profile)",
                                     "instructions", [(f"op:{k}", k) for k in kinds], _eng)
    return figs


def plot_session(df: pd.DataFrame, out_dir: Path, session_dir: Path | None = None,
                 formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write every chart as PNG and SVG into `out_dir`; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures(df, session_dir).items():
        for fmt in formats:
            path = out_dir / f"{name}.{fmt}"
            fig.savefig(path, dpi=130 if fmt == "png" else None, metadata=_metadata(fmt))
            paths.append(path)
    return paths


def svg_text(fig) -> str:
    """A figure as an inline <svg> element (no XML prolog, text kept as text)."""
    import io

    from matplotlib import rc_context

    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)  # RDF boilerplate
    return text[text.index("<svg"):]


def _metadata(fmt: str) -> dict:
    """Reproducible files: no creation date in SVG/PDF output."""
    return {"Date": None} if fmt in ("svg", "pdf") else {}
