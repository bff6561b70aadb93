"""Results people read: postprocesses, `mcubench compare` (a regression fails the command), plots,
the HTML report in a real headless Chromium, Excel and zip exports, -q/-v and the session log."""
import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mcubench import home
from mcubench.cli import main
from mcubench.compare import compare_sessions, parse_threshold
from mcubench.errors import ConfigError
from mcubench.report import frame
from mcubench.run import get_registry

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"  # gitignored: screenshots and files a person may look at
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True, scope="module")
def own_home(tmp_path_factory):
    """This module's own home (sessions, cache, database): its cached runs must not make another
    module's "first run is not cached" assumption false, nor the other way round."""
    old = os.environ.get("MCUBENCH_HOME")
    os.environ["MCUBENCH_HOME"] = str(tmp_path_factory.mktemp("results-home"))
    yield
    os.environ["MCUBENCH_HOME"] = old if old is not None else ""
    if old is None:
        del os.environ["MCUBENCH_HOME"]


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def latest_sid() -> str:
    return (home.sessions_dir() / "latest").resolve().name


def pp(name, **config):
    return get_registry().get("postprocess", name)({k: str(v) for k, v in config.items()})


def table():
    """A synthetic report: two models x two backends, one failed run, one validation mismatch."""
    base = dict(Session="9", Target="host", Features="validate", Cached="", Failing=False,
                Reason="", Validation=True, **{"Max Abs Diff": 0})
    rows = [
        dict(base, Run=0, Model="aww", Backend="aot", Config="gcc.optimize=s",
             **{"Invoke Instructions": 1000, "Total ROM": 400, "ROM code": 100, "ROM rodata": 280,
                "ROM data": 20, "RAM data": 20, "RAM bss": 500, "RAM stack": 80}),
        dict(base, Run=1, Model="aww", Backend="interp", Config="gcc.optimize=s",
             **{"Invoke Instructions": 1500, "Total ROM": 600, "ROM code": 300, "ROM rodata": 280,
                "ROM data": 20, "RAM data": 20, "RAM bss": 700, "RAM stack": 80}),
        dict(base, Run=2, Model="toycar", Backend="aot", Config="gcc.optimize=s",
             **{"Invoke Instructions": 200, "Total ROM": 300, "ROM code": 50, "ROM rodata": 240,
                "ROM data": 10, "RAM data": 10, "RAM bss": 50, "RAM stack": 40}),
        dict(base, Run=3, Model="toycar", Backend="interp", Config="gcc.optimize=s",
             Failing=True, Reason="run: boom", Validation=None),
    ]
    for r in rows:
        if "ROM code" in r:
            r["Total RAM"] = r["RAM data"] + r["RAM bss"] + r["RAM stack"]
    return frame(rows)


# --- postprocesses (no runs needed) ------------------------------------------------------------

def test_filter_and_rename_cols():
    df = table()
    out = pp("filter_cols", keep="Model,Backend,*Instructions").process(df)
    assert list(out.columns) == ["Model", "Backend", "Setup Instructions", "Invoke Instructions"]
    out = pp("filter_cols", drop="*Time,ROM *,RAM *").process(df)
    assert "Load Time" not in out and "ROM code" not in out and "Total ROM" in out
    with pytest.raises(ConfigError, match="no column matches 'Nope'"):
        pp("filter_cols", keep="Nope").process(df)
    out = pp("rename_cols", mapping="Invoke Instructions:Cycles, Total ROM:Flash").process(df)
    assert "Cycles" in out and "Flash" in out and "Invoke Instructions" not in out
    with pytest.raises(ConfigError, match="no column 'Nope'"):
        pp("rename_cols", mapping="Nope:X").process(df)


def test_config2cols_and_features2cols():
    df = table()
    df.loc[0, "Config"] = "gcc.extra_cflags=-g,-fno-inline,gcc.optimize=0"
    df.loc[1, "Features"] = ""
    out = pp("config2cols").process(df)
    cols = list(out.columns)
    assert cols[cols.index("Config") + 1:cols.index("Config") + 3] == [
        "config_gcc.extra_cflags", "config_gcc.optimize"]
    assert out.loc[0, "config_gcc.extra_cflags"] == "-g,-fno-inline"  # a comma inside a value
    assert list(out["config_gcc.optimize"]) == ["0", "s", "s", "s"]
    out = pp("features2cols", drop=True).process(df)
    assert "Features" not in out and list(out["feature_validate"]) == [True, False, True, True]


def test_compare_postprocess_relative_to_baseline_backend():
    out = pp("compare", baseline="Backend:aot").process(table())
    col = "Invoke Instructions vs aot (%)"
    assert list(out.columns).index(col) == list(out.columns).index("Invoke Instructions") + 1
    assert out[col].tolist()[:3] == [0.0, 50.0, 0.0]
    assert pd.isna(out[col][3])  # the failed run has no metrics
    assert out["Total ROM vs aot (%)"][1] == 50.0
    ratio = pp("compare", baseline="Backend:aot", mode="ratio",
               metrics="Invoke Instructions").process(table())
    assert ratio["Invoke Instructions vs aot (x)"][1] == 1.5 and "Total ROM vs aot (x)" not in ratio
    with pytest.raises(ConfigError, match="no row has Backend = 'tvm'"):
        pp("compare", baseline="Backend:tvm").process(table())


def test_pivot_models_by_backend_target():
    out = pp("pivot", metric="Invoke Instructions").process(table())
    assert list(out.columns) == ["Model", "aot/host", "interp/host"]
    assert out["Model"].tolist() == ["aww", "toycar"]
    assert out["interp/host"][0] == 1500 and pd.isna(out["interp/host"][1])  # failed: empty cell
    out = pp("pivot", metric="Total ROM", columns="Backend").process(table())
    assert list(out.columns) == ["Model", "aot", "interp"]


def test_validate_report_flags_invalid_rows():
    p = pp("validate_report")
    df = table()
    assert p.process(df) is df and "run 3 (toycar/interp/host) failed: run: boom" in p.failure
    df = table()[:3]
    p = pp("validate_report")
    p.process(df)
    assert p.failure == ""
    df.loc[1, "Validation"] = False
    p.process(df)
    assert "run 1 (aww/interp/host): outputs differ" in p.failure


def test_compare_sessions_logic():
    a, b = table(), table()
    b.loc[0, "Invoke Instructions"] = 1005  # +0.5 %: within a 1 % threshold
    b.loc[1, "Total RAM"] = 1000  # +25 %
    b.loc[2, "Validation"] = False
    cmp = compare_sessions(a, b, threshold=parse_threshold("1%"))
    text = "\n".join(cmp.regressions)
    assert len(cmp.regressions) == 2
    assert "aww/interp/host" in text and "Total RAM 800 -> 1000 (+25.00%)" in text
    assert "toycar/aot/host" in text and "Validation turned False" in text
    assert len(compare_sessions(a, b, threshold=0.3).regressions) == 1  # only Validation left
    b = table()
    b.loc[0, "Failing"], b.loc[0, "Reason"] = True, "compile: broke"
    assert "now fails (compile: broke)" in compare_sessions(a, b).regressions[0]
    assert parse_threshold("0.5") == 0.005
    with pytest.raises(ConfigError):
        parse_threshold("lots")
    with pytest.raises(ConfigError, match="not a comparable metric"):
        compare_sessions(a, b, ["Bananas"])


# --- real sessions -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sessions(shared_models, tmp_path_factory):
    """Two real sessions of toycar: the second compiled with -O0, so its kernels are slower. Plus a
    session with a failing run (a missing model) for the report's failure details."""
    def run(*args):
        code = main(["run", "toycar", *args, "--model-path", str(shared_models), "-f", "validate",
                     "-q"])
        return code, latest_sid()

    code_a, a = run()
    code_b, b = run("-c", "gcc.optimize=0")
    code_c, c = run("no_such_model")
    assert (code_a, code_b, code_c) == (0, 0, 1)
    return {"fast": a, "slow": b, "mixed": c}


def test_compare_flags_the_slower_kernel(capsys, sessions):
    fast, slow = sessions["fast"], sessions["slow"]
    code, out, _ = run_cli(capsys, "compare", fast, slow, "--ignore-config", "gcc.optimize",
                           "--threshold", "1%")
    assert code == 1, out
    assert "REGRESSION" in out and "regression(s) over 1%" in out
    assert "toycar/aot/host [validate]: Invoke Instructions " in out
    # the other way round it is an improvement, and a session against itself is clean
    code, out, _ = run_cli(capsys, "compare", slow, fast, "--ignore-config", "gcc.optimize")
    assert code == 0 and "improvements:" in out and "no regression over 1%" in out
    code, out, _ = run_cli(capsys, "compare", fast, fast, "--metric", "Total ROM")
    assert code == 0 and "Invoke Instructions" not in out
    # without ignoring the differing key the runs do not join: nothing to flag, both listed
    code, out, _ = run_cli(capsys, "compare", fast, slow)
    assert code == 0 and f"only in session {fast}" in out and f"only in session {slow}" in out


def test_run_with_postprocesses(capsys, shared_models, sessions):
    code, out, err = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-f",
                             "validate", "--config-gen", "_", "--config-gen", "gcc.optimize=0",
                             "--postprocess", "compare", "-c", "compare.baseline=Config:",
                             "-c", "compare.metrics=Invoke Instructions",
                             "--postprocess", "validate_report")
    assert code == 0, err
    assert "Invoke Instructions vs baseline (%)" in out and "Total ROM vs" not in out
    rows = json.loads((home.sessions_dir() / latest_sid() / "report.json").read_text())
    assert all("compare." not in r["Config"] for r in rows)  # postprocess keys are not run config
    # validate_report fails a session whose rows are not validated, when asked to
    code, out, err = run_cli(capsys, "run", "toycar", "--model-path", shared_models,
                             "--postprocess", "validate_report",
                             "-c", "validate_report.require_validation=1")
    assert code == 1 and "not validated" in err
    code, _, err = run_cli(capsys, "run", "toycar", "--postprocess", "pivot",
                           "-c", "pivot.nosuch=1")
    assert code == 2 and "pivot.nosuch" in err and "pivot.metric" in err


def test_quiet_verbose_and_session_log(capsys, shared_models):
    code, out, err = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-q")
    assert code == 0 and "Invoke Instructions" not in out and "1 runs, 0 failed" in out
    code, out, err = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-v")
    assert code == 0 and "run 0 toycar/aot/host: ok" in err
    log = (home.sessions_dir() / latest_sid() / "session.log").read_text()
    assert "run 0 toycar/aot/host" in log and "ok" in log


def test_plots_png_and_svg(capsys, sessions, tmp_path):
    code, out, _ = run_cli(capsys, "plot", sessions["mixed"], "-o", tmp_path)
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["instructions.png", "instructions.svg", "ram.png", "ram.svg", "rom.png",
                     "rom.svg"]
    assert (tmp_path / "rom.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "instructions.svg").read_text()
    assert "toycar" in svg and "failed" in svg  # the missing model's panel says so
    ARTIFACTS.mkdir(exist_ok=True)
    for p in tmp_path.glob("*.png"):
        shutil.copy(p, ARTIFACTS / p.name)


def test_run_with_plot_feature(capsys, shared_models):
    code, out, err = run_cli(capsys, "run", "toycar", "--model-path", shared_models, "-f", "plot",
                             "-c", "plot.formats=svg", "-q")
    assert code == 0, err
    plots = home.sessions_dir() / latest_sid() / "plots"
    assert f"plots: 3 files in {plots}" in out
    assert sorted(p.name for p in plots.iterdir()) == ["instructions.svg", "ram.svg", "rom.svg"]


def test_layer_profile_plot(tmp_path):
    """Per-operator regions (ids 16 + op index) become a stacked bar per op kind."""
    from mcubench.plot import layer_profile, plot_session

    run = tmp_path / "sess" / "runs" / "0"
    (run / "load").mkdir(parents=True)
    (run / "load" / "summary.json").write_text(json.dumps({"layers": [
        {"kind": "CONV_2D"}, {"kind": "DEPTHWISE_CONV_2D"}, {"kind": "CONV_2D"},
        {"kind": "FULLY_CONNECTED"}]}))
    (run / "result.json").write_text(json.dumps({"metrics": {"regions": {
        "0": 5, "1": 1000, "16": 500, "17": 200, "18": 250, "19": 50}}}))
    assert layer_profile(run) == {"CONV_2D": 750, "DEPTHWISE_CONV_2D": 200, "FULLY_CONNECTED": 50}
    df = table()[:1]
    paths = plot_session(df, tmp_path / "plots", tmp_path / "sess", ("png",))
    assert tmp_path / "plots" / "layers.png" in paths


def test_xlsx_and_zip_export(capsys, sessions, tmp_path):
    from openpyxl import load_workbook

    sid = sessions["mixed"]
    code, out, _ = run_cli(capsys, "report", sid, "--format", "xlsx", "-o", tmp_path / "r.xlsx")
    assert code == 0
    ws = load_workbook(tmp_path / "r.xlsx").active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Session", "Run", "Model"] and ws.max_row == 3
    models = {ws.cell(r, 3).value for r in (2, 3)}
    assert models == {"no_such_model", "toycar"}
    code, out, _ = run_cli(capsys, "report", sid, "--format", "md", "-o", tmp_path / "r.md")
    assert code == 0 and "| toycar" in (tmp_path / "r.md").read_text()

    code, out, _ = run_cli(capsys, "export", sid, tmp_path / "s.zip")
    assert code == 0
    names = zipfile.ZipFile(tmp_path / "s.zip").namelist()
    root = f"mcubench-session-{sid}/"
    for rel in ("report.csv", "report.md", "report.json", "report.xlsx", "report.html",
                "session.json", "session.log", "runs/1/spec.json", "runs/0/config.json",
                "runs/0/compile/firmware.elf", "runs/0/build/model.c", "runs/0/run/run.log"):
        assert root + rel in names, rel
    assert not [n for n in names if "/." in n]  # no lock or temporary files


# --- the HTML report in a real browser ---------------------------------------------------------

class Chromium:
    """Headless Chromium driven by the DevTools protocol over a pipe (--remote-debugging-pipe):
    fd 3 carries our commands, fd 4 the answers, each message JSON ended by a NUL byte."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-pipe"]

    def __init__(self, exe: str, width: int = 1400, height: int = 900):
        self.profile = tempfile.mkdtemp(prefix="mcubench-chromium-")
        cmd_r, self.w = os.pipe()
        self.r, ans_w = os.pipe()
        hi = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (cmd_r, ans_w)]  # clear of 3 and 4

        def child():
            os.dup2(hi[0], 3)
            os.dup2(hi[1], 4)

        self.proc = subprocess.Popen(
            [exe, *self.FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"], close_fds=False, preexec_fn=child, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        for fd in (cmd_r, ans_w, *hi):
            os.close(fd)
        self.buf, self.n, self.events, self.session = b"", 0, [], None
        page = next(t for t in self.call("Target.getTargets")["targetInfos"]
                    if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"],
                                 flatten=True)["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _message(self, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while b"\0" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium exited")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, timeout: float = 30, **params):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._message(timeout)
            if m.get("id") == self.n:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._message(end - time.monotonic()))

    def js(self, expr: str):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click at the element's centre (not element.click())."""
        x, y = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                       "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                       "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def type(self, selector: str, text: str) -> None:
        self.click(selector)
        self.call("Input.insertText", text=text)

    def screenshot(self, path: Path, full: bool = False) -> None:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=full)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium not installed (scripts/setup.sh installs Debian's chromium)")
    b = Chromium(CHROMIUM)
    yield b
    b.close()


def test_html_report_in_chromium(capsys, sessions, browser, tmp_path):
    sid = sessions["mixed"]
    page = tmp_path / "report.html"
    code, out, _ = run_cli(capsys, "report", sid, "--format", "html", "-o", page)
    assert code == 0 and page.is_file()
    text = page.read_text()
    assert "<svg" in text and not re.search(r"(src|href)=[\"']?(https?:)?//", text)

    browser.call("Page.enable")
    browser.call("Network.enable")
    browser.call("Page.navigate", url=page.as_uri())
    browser.wait_event("Page.loadEventFired")
    rows = browser.js("Array.from(document.querySelectorAll('#results tbody tr'))"
                      ".map(r => Array.from(r.cells).map(c => c.textContent))")
    head = browser.js("Array.from(document.querySelectorAll('#results th'))"
                      ".map(h => h.textContent)")
    assert len(rows) == 2 and {r[head.index("Model")] for r in rows} == {"toycar", "no_such_model"}
    assert browser.js("document.querySelectorAll('#results tr.failing').length") == 1
    assert browser.js("document.querySelectorAll('figure svg').length") == 3

    def column(name):
        i = head.index(name)
        return browser.js(f"Array.from(document.querySelectorAll('#results tbody tr'))"
                          f".map(r => r.cells[{i}].textContent)")

    i = head.index("Model") + 1
    browser.click(f"#results th:nth-child({i})")
    assert column("Model") == ["no_such_model", "toycar"]
    browser.click(f"#results th:nth-child({i})")
    assert column("Model") == ["toycar", "no_such_model"]
    assert browser.js(f"document.querySelector('#results th:nth-child({i})')"
                      ".getAttribute('aria-sort')") == "descending"
    r = head.index("Run") + 1
    browser.click(f"#results th:nth-child({r})")
    assert column("Run") == ["0", "1"]  # numeric sort of the data values

    browser.type("#filter", "no_such")
    assert browser.js("document.getElementById('count').textContent") == "1 of 2 runs"
    browser.js("document.getElementById('filter').value = ''; "
               "document.getElementById('filter').dispatchEvent(new Event('input'))")
    # per-run details: the failing run is open with its reason, the other has its config
    details = browser.js("Array.from(document.querySelectorAll('details')).map(d => "
                         "[d.id, d.open, d.textContent])")
    assert [d[0] for d in details] == ["run-0", "run-1"]
    failing = next(d for d in details if "no_such_model" in d[2])
    assert failing[1] and "not found" in failing[2]
    ok = next(d for d in details if "toycar" in d[2])
    assert "gcc.optimize" in ok[2] and "firmware.elf" in ok[2] and "compile" in ok[2]

    # self-contained: the page loaded nothing but itself
    urls = [e["params"]["request"]["url"] for e in browser.events
            if e.get("method") == "Network.requestWillBeSent"]
    assert urls == [page.as_uri()], urls

    browser.click("#run-0 summary")
    assert browser.js("document.getElementById('run-0').open") is True
    ARTIFACTS.mkdir(exist_ok=True)
    browser.js("window.scrollTo(0, 0)")
    browser.screenshot(ARTIFACTS / "report.png")
    browser.screenshot(ARTIFACTS / "report-full.png", full=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
