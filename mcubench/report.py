"""Run results -> one pandas DataFrame, one row per run, and its printed/CSV/Markdown/JSON forms."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

IDENTITY = ["Session", "Run", "Model", "Backend", "Target", "Features", "Config"]
METRICS = ["Setup Instructions", "Invoke Instructions", "Setup Cycles", "Invoke Cycles",
           "Latency (ms)", "Total ROM", "ROM code", "ROM rodata",
           "ROM data", "Total RAM", "RAM data", "RAM bss", "RAM stack", "Arena", "Validation",
           "Max Abs Diff"]
TIMES = ["Load Time", "Build Time", "Compile Time", "Run Time"]
STATUS = ["Cached", "Failing", "Reason"]
COLUMNS = IDENTITY + METRICS + TIMES + STATUS


def row(session: str, run: int, result: dict) -> dict:
    """Flatten one run's result.json into a report row (missing metrics stay empty)."""
    spec, m = result["spec"], result.get("metrics", {})
    given = {k: v for k, v in spec["config"]}
    regions_ok = "invoke_instructions" in m
    r = {
        "Session": session, "Run": run, "Model": Path(spec["model"]).stem,
        "Backend": spec["backend"], "Target": spec["target"],
        "Features": ",".join(spec["features"]),
        "Config": ",".join(f"{k}={v}" for k, v in sorted(given.items())),
        "Setup Instructions": m.get("setup_instructions") if regions_ok else None,
        "Invoke Instructions": m.get("invoke_instructions"),
        # Estimated by the core's timing model (targets/timing.py); latency at a board's clock.
        "Setup Cycles": m.get("setup_cycles") if "invoke_cycles" in m else None,
        "Invoke Cycles": m.get("invoke_cycles"), "Latency (ms)": m.get("latency_ms"),
        "ROM code": m.get("rom_code"), "ROM rodata": m.get("rom_rodata"),
        "ROM data": m.get("rom_data"), "RAM data": m.get("ram_data"),
        "RAM bss": m.get("ram_bss"), "RAM stack": m.get("stack"), "Arena": m.get("arena"),
        "Validation": m.get("validation"), "Max Abs Diff": m.get("max_abs_diff"),
        "Cached": ",".join(result.get("cached", [])), "Failing": bool(result.get("failing")),
        "Reason": result.get("reason", ""),
    }
    if r["ROM code"] is not None:
        r["Total ROM"] = r["ROM code"] + r["ROM rodata"] + r["ROM data"]
        r["Total RAM"] = r["RAM data"] + r["RAM bss"] + (r["RAM stack"] or 0)
    for stage, col in zip(("load", "build", "compile", "run"), TIMES):
        r[col] = result.get("times", {}).get(stage)
    return r


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    for col in METRICS[:-2]:
        if col != "Latency (ms)":
            df[col] = df[col].astype("Int64")  # integers that may be missing
    return df


def compact(df: pd.DataFrame) -> pd.DataFrame:
    """What the terminal shows: columns that carry something, times rounded."""
    out = df.dropna(axis=1, how="all")
    drop = [c for c in ("Session", "Config", "Features", "Reason", "Cached") if c in out
            and (out[c].astype(str) == "").all()]
    return out.drop(columns=drop)


def write(df: pd.DataFrame, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"csv": folder / "report.csv", "md": folder / "report.md",
             "json": folder / "report.json"}
    df.to_csv(paths["csv"], index=False)
    paths["md"].write_text(to_markdown(df) + "\n")
    paths["json"].write_text(to_json(df))
    return paths


def to_markdown(df: pd.DataFrame) -> str:
    return df.to_markdown(index=False)


def to_json(df: pd.DataFrame) -> str:
    return json.dumps(json.loads(df.to_json(orient="records")), indent=1)


def render(df: pd.DataFrame, fmt: str = "table") -> str:
    if fmt == "csv":
        return df.to_csv(index=False)
    if fmt == "md":
        return to_markdown(df)
    if fmt == "json":
        return to_json(df)
    return compact(df).to_string(index=False, na_rep="-")


def to_xlsx(df: pd.DataFrame, path: Path, sheet: str = "Report") -> Path:
    """An Excel workbook (openpyxl): bold frozen header, an autofilter, columns sized to fit."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.astype(object).where(df.notna(), None)  # pd.NA cells -> empty cells
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        out.to_excel(xw, sheet_name=sheet, index=False)
        ws = xw.sheets[sheet]
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E8ECF3")
        for i, col in enumerate(out.columns, 1):
            width = max([len(str(col))] + [len(str(v)) for v in out[col] if v is not None][:500])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
            if pd.api.types.is_integer_dtype(df[col].dtype):
                for cell in ws[get_column_letter(i)][1:]:
                    cell.number_format = "#,##0"
    return path


def export_zip(df: pd.DataFrame, session_dir: Path, out: Path, meta: dict | None = None) -> Path:
    """One zip with everything needed to read and reproduce a session: the reports (csv, md, json,
    xlsx, html) and the whole session folder (every run's spec, resolved config and artifacts)."""
    import tempfile
    import zipfile

    from . import html

    session_dir, out = Path(session_dir), Path(out)
    root = f"mcubench-session-{session_dir.name}"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        gen = Path(tmp)
        write(df, gen)
        to_xlsx(df, gen / "report.xlsx")
        # the page sits at the zip's root, next to runs/: its artifact links point there
        (gen / "report.html").write_text(html.render(df, session_dir, meta, link_prefix=""))
        written = set()
        for p in sorted(gen.iterdir()):
            zf.write(p, f"{root}/{p.name}")
            written.add(p.name)
        for p in sorted(session_dir.rglob("*")):
            rel = p.relative_to(session_dir).as_posix()
            hidden = any(part.startswith(".") for part in p.relative_to(session_dir).parts)
            if p.is_file() and not p.is_symlink() and not hidden and rel not in written:
                zf.write(p, f"{root}/{rel}")
    return out
