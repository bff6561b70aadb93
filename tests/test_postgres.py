"""A shared results database: a private PostgreSQL cluster on loopback, three sessions from three
homes (three "machines") writing into it at once, each naming the database its own way (--db,
MCUBENCH_DB, `db:` in the home config)."""
from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg", reason="pip install 'mcubench[postgres]'")

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """initdb + pg_ctl from Debian's `postgresql` package, trust auth, 127.0.0.1 on a free port, the
    unix socket in a temporary folder. PostgreSQL refuses to run as root: as root the cluster runs
    as the `postgres` user (runuser)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("PostgreSQL not installed (apt-get install postgresql; scripts/setup.sh does)")
    bindir = Path(bins[-1]).parent
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as non-root")
        try:
            import pwd

            pg = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="mcubench-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if as_user:
        os.chown(root, pg.pw_uid, pg.pw_gid)
        os.chown(sock, pg.pw_uid, pg.pw_gid)
    port = _free_port()

    def pg(*cmd):
        return subprocess.run([*as_user, *map(str, cmd)], capture_output=True, text=True,
                              timeout=120)

    init = pg(bindir / "initdb", "-D", data, "-U", "mcubench", "--auth=trust", "-E", "UTF8",
              "--no-sync")
    assert init.returncode == 0, init.stderr
    start = pg(bindir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "60",
               "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    assert start.returncode == 0, start.stderr + (root / "server.log").read_text()
    try:
        made = pg(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "mcubench",
                  "mcubench")
        assert made.returncode == 0, made.stderr
        yield f"postgresql://mcubench@127.0.0.1:{port}/mcubench"
    finally:
        pg(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_concurrent_sessions_share_one_database(postgres, shared_models, tmp_path):
    homes = [tmp_path / f"machine{i}" for i in range(3)]
    for h in homes:
        h.mkdir()
    (homes[2] / "config.yml").write_text(f"db: {postgres}\n")
    base = [sys.executable, "-m", "mcubench.cli", "run", "toycar", "--model-path",
            str(shared_models), "--until", "build", "-j", "1", "--config-gen", "_",
            "--config-gen", "aot.arena_align=32"]
    env = {k: v for k, v in os.environ.items() if k != "MCUBENCH_DB"}
    variants = [(base + ["--db", postgres, "--label", "via-flag"], {}),
                (base + ["--label", "via-env"], {"MCUBENCH_DB": postgres}),
                (base + ["--label", "via-config"], {})]
    procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**env, "MCUBENCH_HOME": str(h), **extra})
             for (cmd, extra), h in zip(variants, homes)]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, out + err

    engine = sa.create_engine(postgres)
    with engine.connect() as db:
        sessions = db.execute(sa.text("SELECT id, label, runs, failed FROM sessions")).all()
        n_runs = db.execute(sa.text("SELECT COUNT(*) FROM runs")).scalar()
        n_arena = db.execute(sa.text(
            "SELECT COUNT(*) FROM metrics WHERE name = 'Arena' AND value > 0")).scalar()
    engine.dispose()
    assert sorted(s.label for s in sessions) == ["via-config", "via-env", "via-flag"]
    assert len({s.id for s in sessions}) == 3  # three homes, yet no session id collides
    assert all((s.runs, s.failed) == (2, 0) for s in sessions)
    assert n_runs == 6 and n_arena == 6

    # Any machine reads every session back through the CLI.
    env = {**env, "MCUBENCH_HOME": str(homes[0])}
    listed = subprocess.run([sys.executable, "-m", "mcubench.cli", "sessions", "--db", postgres],
                            cwd=REPO, capture_output=True, text=True, env=env)
    assert listed.returncode == 0 and all(lbl in listed.stdout for lbl in ("via-env",
                                                                          "via-config"))
    sid = next(s.id for s in sessions if s.label == "via-config")
    rep = subprocess.run([sys.executable, "-m", "mcubench.cli", "report", sid, "--db", postgres,
                          "--format", "json"], cwd=REPO, capture_output=True, text=True, env=env)
    assert rep.returncode == 0, rep.stderr
    rows = json.loads(rep.stdout)
    assert [r["Config"] for r in rows] == ["", "aot.arena_align=32"]
    assert all(r["Arena"] > 0 and r["Session"] == sid for r in rows)


def test_unreachable_database_is_a_clear_error(tmp_path):
    env = {**os.environ, "MCUBENCH_HOME": str(tmp_path)}
    url = f"postgresql://nobody:secret@127.0.0.1:{_free_port()}/none"
    proc = subprocess.run([sys.executable, "-m", "mcubench.cli", "sessions", "--db", url],
                          cwd=REPO, capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "cannot open the results database postgresql://nobody:***@127.0.0.1" in proc.stderr
    assert "secret" not in proc.stderr
