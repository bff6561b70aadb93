"""A session's report as one self-contained HTML page: no network at all (CSS and JS inline, figures
as inline SVG). A sortable, filterable results table, the figures, and per-run details read from the
session folder (resolved config, stage times, cached stages, failure reasons, artifact list)."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pandas as pd

from . import report

CSS = """
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #ffffff; --head: #f2f4f8;
        --bad: #b3261e; --badbg: #fdecea; --good: #1b7a3a; --accent: #2b5fb4; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--fg); background: var(--bg); margin: 0; padding: 20px 28px 60px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px;
     border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); margin: 2px 0; }
.meta code { background: var(--head); padding: 1px 5px; border-radius: 3px; font-size: 12.5px; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 600;
        margin-right: 6px; background: var(--head); }
.pill.bad { background: var(--badbg); color: var(--bad); }
.pill.good { color: var(--good); }
.controls { display: flex; gap: 14px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.controls input[type=search] { font: inherit; padding: 5px 9px; width: 320px;
                               border: 1px solid var(--line); border-radius: 5px; }
.wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; max-height: 70vh; }
table { border-collapse: collapse; font-size: 13px; }
#results { min-width: 100%; }
#results th { position: sticky; top: 0; background: var(--head); cursor: pointer;
              user-select: none; white-space: nowrap; text-align: left;
              padding: 7px 20px 7px 9px; border-bottom: 1px solid var(--line); }
#results th::after { content: "\\2195"; color: #a4abb8; position: absolute; margin-left: 5px;
                     font-size: 11px; }
#results th[aria-sort=ascending]::after { content: "\\25B2"; color: var(--accent); }
#results th[aria-sort=descending]::after { content: "\\25BC"; color: var(--accent); }
#results td { padding: 5px 9px; border-bottom: 1px solid #eef0f4; white-space: nowrap; }
#results tbody tr:nth-child(even) { background: #fafbfc; }
#results tbody tr:hover { background: #eef3fc; }
#results tr.failing td { background: var(--badbg); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.reason { max-width: 460px; overflow: hidden; text-overflow: ellipsis; color: var(--bad); }
.true { color: var(--good); font-weight: 600; }
.false { color: var(--bad); font-weight: 600; }
.figs { display: flex; flex-direction: column; gap: 18px; }
figure { margin: 0; }
figure svg { max-width: min(100%, 1300px); height: auto; }
figcaption { color: var(--muted); font-size: 12.5px; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 0 12px; }
details[open] { padding-bottom: 10px; }
summary { cursor: pointer; padding: 7px 0; font-weight: 600; }
summary .status { font-weight: 400; color: var(--muted); }
summary .status.bad { color: var(--bad); }
.cols { display: flex; gap: 28px; flex-wrap: wrap; align-items: flex-start; }
.kv td, .kv th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top;
                 font-size: 12.5px; }
.kv th { color: var(--muted); font-weight: 500; }
.kv td.num { text-align: right; }
h4 { margin: 10px 0 4px; font-size: 13px; }
pre { background: #f6f7f9; border: 1px solid var(--line); padding: 8px; overflow-x: auto;
      font-size: 12px; max-height: 260px; }
.empty { color: var(--muted); font-style: italic; }
pre.reason { white-space: pre-wrap; color: var(--bad); }
"""

JS = """
(function () {
  const table = document.getElementById('results');
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const count = document.getElementById('count');
  const search = document.getElementById('filter');
  const failing = document.getElementById('failing-only');
  function key(td) {
    return td.hasAttribute('data-v') ? td.getAttribute('data-v') : td.textContent.trim();
  }
  function sortBy(th) {
    const col = th.cellIndex;
    const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    Array.from(table.tHead.rows[0].cells).forEach(c => c.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', dir);
    const vals = rows.map(r => key(r.cells[col]));
    const numeric = vals.every(v => v === '' || !isNaN(Number(v)));
    const order = rows.map((r, i) => i).sort((a, b) => {
      let x = vals[a], y = vals[b];
      if (x === '' && y !== '') return 1;          // empty cells last in both directions
      if (y === '' && x !== '') return -1;
      let c = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, {numeric: true});
      if (c === 0) c = a - b;                        // stable
      return dir === 'ascending' ? c : -c;
    });
    order.forEach(i => body.appendChild(rows[i]));
  }
  Array.from(table.tHead.rows[0].cells)
    .forEach(th => th.addEventListener('click', () => sortBy(th)));
  function filter() {
    const terms = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    rows.forEach(r => {
      const text = r.textContent.toLowerCase();
      const ok = terms.every(t => text.includes(t))
        && (!failing.checked || r.classList.contains('failing'));
      r.hidden = !ok;
      shown += ok;
    });
    count.textContent = shown + ' of ' + rows.length + ' runs';
  }
  search.addEventListener('input', filter);
  failing.addEventListener('change', filter);
  filter();
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style></head>
<body>
<h1>{title}</h1>
{meta}
<h2>Results</h2>
<div class="controls">
  <input type="search" id="filter" placeholder="Filter: words every shown row contains">
  <label><input type="checkbox" id="failing-only"> failing runs only</label>
  <span id="count" class="meta"></span>
  <span class="meta">Click a column header to sort.</span>
</div>
<div class="wrap">{table}</div>
<h2>Figures</h2>
<div class="figs">{figures}</div>
<h2>Runs</h2>
{runs}
<script>{js}</script>
</body></html>
"""

E = html.escape


def _cell(col: str, v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return '<td data-v=""></td>'
    if isinstance(v, (bool,)) or col in ("Validation", "Failing"):
        b = bool(v)
        cls = ("true" if b else "false") if col == "Validation" else ("false" if b else "")
        return f'<td class="{cls}" data-v="{int(b)}">{b}</td>'
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if isinstance(v, float) and not v.is_integer():
            text = f"{v:,.3f}"
        else:
            text = f"{int(v):,}"
        return f'<td class="num" data-v="{v}">{text}</td>'
    if col == "Run":
        n = E(str(v))
        return f'<td class="num" data-v="{n}"><a href="#run-{n}">{n}</a></td>'
    if col == "Reason":  # one line in the table; the whole text in the title and the run details
        return f'<td class="reason" title="{E(str(v))}">{E(str(v))}</td>'
    return f"<td>{E(str(v))}</td>"


def table_html(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    head = "".join(f'<th scope="col">{E(str(c))}</th>' for c in cols)
    body = []
    for rec in df.astype(object).to_dict("records"):
        cls = ' class="failing"' if rec.get("Failing") is True else ""
        cells = "".join(_cell(c, _plain(rec[c])) for c in cols)
        body.append(f"<tr{cls}>{cells}</tr>")
    return (f'<table id="results"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _plain(v):
    if hasattr(v, "item") and not isinstance(v, str):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    return v


def _kv(pairs, num: bool = False) -> str:
    rows = "".join(f"<tr><th>{E(str(k))}</th><td{' class=num' if num else ''}>{E(str(v))}</td></tr>"
                   for k, v in pairs)
    return f'<table class="kv">{rows}</table>' if rows else '<p class="empty">none</p>'


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _size(n: int) -> str:
    return f"{n:,} B" if n < 10240 else f"{n / 1024:,.1f} KiB" if n < 10 * 2 ** 20 \
        else f"{n / 2 ** 20:,.1f} MiB"


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_details(run_dir: Path, row: dict, link_prefix: str | None) -> str:
    """One run's <details>: status, stage times, resolved config, metrics, artifacts, logs."""
    n = row.get("Run")
    result = _read_json(run_dir / "result.json")
    config = _read_json(run_dir / "config.json") or result.get("resolved", {})
    failing = bool(row.get("Failing"))
    reason = str(row.get("Reason") or "")
    status = (f"FAILED in {reason.split(':', 1)[0]}" if ":" in reason else "FAILED") if failing \
        else "ok"
    title = f"Run {n}: {row.get('Model')} / {row.get('Backend')} / {row.get('Target')}"
    extra = [str(row[c]) for c in ("Features", "Config") if row.get(c)]
    if extra:
        title += " [" + "; ".join(extra) + "]"
    times = result.get("times", {})
    cached = set(result.get("cached", []))
    stage_rows = [(s, f"{t:.3f} s" + (" (cached)" if s in cached else ""))
                  for s, t in times.items()]
    metrics = {k: v for k, v in result.get("metrics", {}).items() if k != "regions"}
    files = []
    if run_dir.is_dir():
        for p in sorted(run_dir.rglob("*")):
            if p.is_file():
                rel = p.relative_to(run_dir).as_posix()
                if link_prefix is not None:
                    href = E(f"{link_prefix}runs/{n}/{rel}")
                    name = f'<a href="{href}">{E(rel)}</a>'
                else:
                    name = E(rel)
                size = _size(p.stat().st_size)
                files.append(f"<tr><th>{name}</th><td class=num>{size}</td></tr>")
    parts = [f'<details id="run-{E(str(n))}"{" open" if failing else ""}>',
             f'<summary>{E(title)} <span class="status{" bad" if failing else ""}">'
             f"{E(status)}</span></summary>"]
    if failing:
        parts.append(f"<h4>Failure</h4><pre class=\"reason\">{E(str(row.get('Reason', '')))}</pre>")
        for log in ("error.log", "run/run.log", "compile/compile.log"):
            text = _tail(run_dir / log)
            if text.strip():
                parts.append(f"<h4>{E(log)} (last lines)</h4><pre>{E(text)}</pre>")
    parts.append('<div class="cols">')
    parts.append(f"<div><h4>Stage times</h4>{_kv(stage_rows)}</div>")
    parts.append(f"<div><h4>Metrics</h4>{_kv(sorted(metrics.items()))}</div>")
    parts.append(f"<div><h4>Config (resolved)</h4>{_kv(sorted(config.items()))}</div>")
    parts.append("<div><h4>Artifacts</h4>" + (f'<table class="kv">{"".join(files)}</table>' if files
                 else '<p class="empty">run folder not found</p>') + "</div>")
    mix = _read_json(run_dir / "run" / "instr_mix.json")
    if mix and "instr_mix" in str(row.get("Features") or "").split(","):
        from .features.instr_mix import run_rows, run_top

        top = run_top(run_dir)
        for group in ("class", "mnemonic"):
            cells = [(r["Name"], f"{r['Instructions']:,} ({r['Share']:.1%})")
                     for r in run_rows(mix, top) if r["Group"] == group]
            title = "Instruction mix by class" if group == "class" else f"Top {top} mnemonics"
            parts.append(f"<div><h4>{title}</h4>{_kv(cells)}</div>")
    parts.append("</div></details>")
    return "\n".join(parts)


CAPTIONS = {
    "instructions": "Instructions of one inference (the invoke region), per model and variant.",
    "rom": "ROM (flash) per model and variant: code, read-only data (weights), initialised data.",
    "ram": "RAM per model and variant: initialised data, bss (with the arena), measured stack.",
    "layers": "Instructions of one inference by operator kind (per-operator profile regions).",
}


def render(df: pd.DataFrame, session_dir: Path | None = None, meta: dict | None = None,
           link_prefix: str | None = None, with_figures: bool = True) -> str:
    """The page for one session's report `df`. `session_dir` (sessions/<id>) provides per-run
    details and profile data; `link_prefix` (the session folder relative to the page, "" when the
    page is inside it) turns artifact names into links."""
    meta = meta or {}
    sid = meta.get("session", df["Session"].iloc[0] if "Session" in df and len(df) else "?")
    title = f"mcubench session {sid}" + (f" \u2013 {meta['label']}" if meta.get("label") else "")
    failed = int(df["Failing"].astype(bool).sum()) if "Failing" in df else 0
    valid = df["Validation"] if "Validation" in df else pd.Series(dtype=object)
    n_valid = int((valid == True).sum())  # noqa: E712  (nullable column)
    pills = [f'<span class="pill">{len(df)} runs</span>',
             f'<span class="pill {"bad" if failed else "good"}">{failed} failed</span>']
    if valid.notna().any():
        pills.append(f'<span class="pill {"good" if n_valid == valid.notna().sum() else "bad"}">'
                     f"{n_valid} of {int(valid.notna().sum())} validated</span>")
    lines = [f'<p class="meta">{"".join(pills)}</p>']
    if meta.get("command"):
        lines.append(f'<p class="meta">Command: <code>{E(meta["command"])}</code></p>')
    if meta.get("created"):
        lines.append(f'<p class="meta">Created: {E(str(meta["created"]))}</p>')
    if session_dir is not None:
        lines.append(f'<p class="meta">Session folder: <code>{E(str(session_dir))}</code></p>')

    figs = []
    if with_figures:
        from .plot import figures, svg_text

        for name, fig in figures(df, session_dir).items():
            figs.append(f'<figure id="fig-{name}">{svg_text(fig)}'
                        f"<figcaption>{E(CAPTIONS.get(name, name))}</figcaption></figure>")
    runs = []
    for rec in df.astype(object).to_dict("records"):
        rec = {k: _plain(v) for k, v in rec.items()}
        rec = {k: (None if not isinstance(v, str) and v is not None and _isnan(v) else v)
               for k, v in rec.items()}
        run_dir = Path(session_dir or "/nonexistent") / "runs" / str(rec.get("Run"))
        runs.append(run_details(run_dir, rec, link_prefix))
    return PAGE.format(title=E(title), css=CSS, js=JS, meta="\n".join(lines),
                       table=table_html(report.compact(df)),
                       figures="\n".join(figs) or '<p class="empty">no data to plot</p>',
                       runs="\n".join(runs) or '<p class="empty">no runs</p>')


def _isnan(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def write(df: pd.DataFrame, out: Path, session_dir: Path | None = None,
          meta: dict | None = None) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    prefix = None
    if session_dir is not None:
        rel = os.path.relpath(Path(session_dir).resolve(), out.parent.resolve())
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
    out.write_text(render(df, session_dir, meta, prefix))
    return out

