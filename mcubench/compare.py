"""`mcubench compare A B`: the runs of two sessions joined by what they ran (model, backend, target,
features, config), every metric's change, and regressions over a threshold, for a kernel library's
CI: more instructions, ROM or RAM than before, validation turning False, or a run that now fails."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import ConfigError
from .postprocess.config2cols import parse_config
from .report import METRICS, TIMES

JOIN = ["Model", "Backend", "Target", "Features", "Config"]
DEFAULT_METRICS = ["Invoke Instructions", "Setup Instructions", "Total ROM", "Total RAM"]
COMPARABLE = [m for m in METRICS if m not in ("Validation", "Max Abs Diff")] + TIMES


@dataclass
class Comparison:
    table: pd.DataFrame  # one row per (joined run, metric): identity, Metric, A, B, Change, Status
    regressions: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    threshold: float = 0.01


def parse_threshold(text: str | float) -> float:
    """`1%`, `1` (percent) or `0.5%` -> a fraction (0.01, 0.01, 0.005)."""
    s = str(text).strip().rstrip("%").strip()
    try:
        value = float(s)
    except ValueError:
        raise ConfigError(f"--threshold {text!r}: expected a percentage such as 1% or 0.5") \
            from None
    if value < 0:
        raise ConfigError(f"--threshold {text!r}: must not be negative")
    return value / 100


def check_metrics(metrics: list[str]) -> list[str]:
    bad = [m for m in metrics if m not in COMPARABLE]
    if bad:
        raise ConfigError(f"--metric {', '.join(bad)}: not a comparable metric; valid: "
                          + ", ".join(COMPARABLE))
    return metrics


def _keyed(df: pd.DataFrame, ignore_config: tuple[str, ...]) -> pd.DataFrame:
    df = df.copy()
    for col in JOIN:
        df[col] = df[col].fillna("").astype(str)
    if ignore_config:
        df["Config"] = [",".join(f"{k}={v}" for k, v in sorted(parse_config(c).items())
                                 if k not in ignore_config) for c in df["Config"]]
    df["_n"] = df.groupby(JOIN).cumcount()  # the same run twice in a session: pair them in order
    return df


def _name(r) -> str:
    parts = [r["Model"], r["Backend"], r["Target"]]
    parts += [f"[{r[c]}]" for c in ("Features", "Config") if r[c]]
    return "/".join(parts[:3]) + "".join(" " + p for p in parts[3:])


def compare_sessions(a: pd.DataFrame, b: pd.DataFrame, metrics: list[str] | None = None,
                     threshold: float = 0.01, ignore_config: tuple[str, ...] = ()) -> Comparison:
    """Join the two reports and judge each pair: a metric more than `threshold` (a fraction) above
    A's value is a regression (every comparable metric is lower-is-better)."""
    metrics = check_metrics(list(metrics or DEFAULT_METRICS))
    ka, kb = _keyed(a, ignore_config), _keyed(b, ignore_config)
    joined = ka.merge(kb, on=[*JOIN, "_n"], how="outer", suffixes=(" A", " B"), indicator=True)
    cmp = Comparison(pd.DataFrame(), threshold=threshold)
    rows = []
    for _, r in joined.iterrows():
        name = _name(r)
        if r["_merge"] != "both":
            (cmp.only_a if r["_merge"] == "left_only" else cmp.only_b).append(name)
            continue
        fail_a, fail_b = bool(r["Failing A"]), bool(r["Failing B"])
        ident = {c: r[c] for c in JOIN}
        if fail_b and not fail_a:
            cmp.regressions.append(f"{name}: now fails ({r['Reason B']})")
            rows.append({**ident, "Metric": "Failing", "A": "ok", "B": "FAILED",
                         "Change": "", "Status": "REGRESSION"})
            continue
        if fail_a and not fail_b:
            cmp.improvements.append(f"{name}: failed before, passes now")
        if fail_a or fail_b:
            rows.append({**ident, "Metric": "Failing", "A": "FAILED" if fail_a else "ok",
                         "B": "FAILED" if fail_b else "ok", "Change": "", "Status": "failed"
                         if fail_b else "fixed"})
            continue
        va, vb = r.get("Validation A"), r.get("Validation B")
        if pd.notna(vb) and not bool(vb) and not (pd.notna(va) and not bool(va)):
            cmp.regressions.append(f"{name}: Validation turned False (max abs diff "
                                   f"{r.get('Max Abs Diff B')})")
            rows.append({**ident, "Metric": "Validation", "A": va, "B": vb, "Change": "",
                         "Status": "REGRESSION"})
        for m in metrics:
            xa, xb = r.get(f"{m} A"), r.get(f"{m} B")
            if pd.isna(xa) or pd.isna(xb):
                continue
            xa, xb = float(xa), float(xb)
            rel = (xb - xa) / xa if xa else (0.0 if xb == xa else float("inf"))
            status = "same"
            if rel > threshold:
                status = "REGRESSION"
                cmp.regressions.append(f"{name}: {m} {_num(xa)} -> {_num(xb)} ({_pct(rel)})")
            elif rel < -threshold:
                status = "improved"
                cmp.improvements.append(f"{name}: {m} {_num(xa)} -> {_num(xb)} ({_pct(rel)})")
            elif rel != 0:
                status = "within threshold"
            rows.append({**ident, "Metric": m, "A": _num(xa), "B": _num(xb), "Change": _pct(rel),
                         "Status": status})
    cmp.table = pd.DataFrame(rows, columns=[*JOIN, "Metric", "A", "B", "Change", "Status"])
    return cmp


def _num(x: float) -> str | int | float:
    return int(x) if float(x).is_integer() else round(x, 3)


def _pct(rel: float) -> str:
    return "+inf%" if rel == float("inf") else f"{100 * rel:+.2f}%"


def render(cmp: Comparison, sid_a: str, sid_b: str) -> str:
    t = cmp.table.rename(columns={"A": f"session {sid_a}", "B": f"session {sid_b}"})
    t = t.drop(columns=[c for c in ("Features", "Config") if (t[c] == "").all()])
    lines = [t.to_string(index=False) if len(t) else "no runs in common"]
    for title, items in ((f"only in session {sid_a}", cmp.only_a),
                         (f"only in session {sid_b}", cmp.only_b),
                         ("improvements", cmp.improvements)):
        if items:
            lines += ["", f"{title}:"] + [f"  {i}" for i in items]
    pct = f"{100 * cmp.threshold:g}%"
    if cmp.regressions:
        lines += ["", f"{len(cmp.regressions)} regression(s) over {pct} "
                      f"(session {sid_a} -> {sid_b}):"] + [f"  {i}" for i in cmp.regressions]
    else:
        lines += ["", f"no regression over {pct} (session {sid_a} -> {sid_b})"]
    return "\n".join(lines)
