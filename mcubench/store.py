"""The results database: sessions, runs and metrics, read back by `mcubench sessions` and `mcubench
report`. Through SQLAlchemy: SQLite in the home by default (`results.db`), or any URL given with
`--db`, the environment's MCUBENCH_DB or `db:` in the home config, e.g.
`postgresql://user@host/mcubench` for a database a team shares. The schema is the same everywhere
(and the same as before SQLAlchemy, so existing results.db files keep working)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from . import home
from .errors import McubenchError
from .report import COLUMNS, METRICS, frame

META = sa.MetaData()
SESSIONS = sa.Table(
    "sessions", META,
    sa.Column("id", sa.Text, primary_key=True), sa.Column("created", sa.Float),
    sa.Column("command", sa.Text), sa.Column("label", sa.Text),
    sa.Column("runs", sa.Integer), sa.Column("failed", sa.Integer))
RUNS = sa.Table(
    "runs", META,
    sa.Column("session", sa.Text, primary_key=True), sa.Column("run", sa.Integer, primary_key=True),
    *(sa.Column(c, sa.Text) for c in ("model", "backend", "target", "features", "config")),
    sa.Column("failing", sa.Integer), sa.Column("reason", sa.Text), sa.Column("row", sa.Text))
METRIC = sa.Table(
    "metrics", META,
    sa.Column("session", sa.Text, primary_key=True), sa.Column("run", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, primary_key=True), sa.Column("value", sa.Float))


def db_url(given: str | None = None) -> str:
    """--db, then MCUBENCH_DB, then `db:` in $MCUBENCH_HOME/config.yml, then the home's SQLite file.
    A plain path means an SQLite file."""
    url = given or os.environ.get("MCUBENCH_DB") or home.user_config().get("db")
    if not url:
        return f"sqlite:///{home.db_path()}"
    url = str(url)
    return url if "://" in url else f"sqlite:///{Path(url).expanduser().resolve()}"


def safe_url(url: str) -> str:
    """The URL without its password, for messages and stored commands."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"


def open_store(url: str | None = None) -> Store:
    return Store(db_url(url))


def _with_driver(url: str) -> str:
    """`postgresql://` means psycopg (3) to SQLAlchemy 2.1; use psycopg2 when only that is there."""
    import importlib.util

    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None and \
            importlib.util.find_spec("psycopg2") is not None:
        return "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


class Store:
    def __init__(self, url: str | Path):
        if isinstance(url, Path) or "://" not in str(url):
            url = f"sqlite:///{Path(url)}"
        self.url = _with_driver(str(url))
        try:
            if self.url.startswith("sqlite"):
                # Several sessions may write at once: wait for the lock instead of failing.
                self.engine = sa.create_engine(self.url, connect_args={"timeout": 30},
                                               poolclass=sa.pool.NullPool)
            else:
                self.engine = sa.create_engine(self.url, pool_pre_ping=True)
            for attempt in range(3):  # two first sessions may race to create the tables
                try:
                    META.create_all(self.engine)
                    break
                except (IntegrityError, sa.exc.ProgrammingError):
                    if attempt == 2:
                        raise
                    time.sleep(0.2)
        except ModuleNotFoundError as exc:
            raise McubenchError(f"results database {safe_url(self.url)}: driver {exc.name!r} is "
                                "not installed (PostgreSQL: pip install 'mcubench[postgres]', i.e. "
                                "psycopg[binary])") from None
        except SQLAlchemyError as exc:
            raise McubenchError(f"cannot open the results database {safe_url(self.url)}: "
                                f"{_short(exc)}") from None

    def claim_session(self, sid: str, command: str, label: str) -> bool:
        """Insert a new session; False if the id is taken (by another machine sharing the DB)."""
        try:
            with self.engine.begin() as db:
                db.execute(SESSIONS.insert().values(id=sid, created=time.time(), command=command,
                                                    label=label, runs=0, failed=0))
            return True
        except IntegrityError:
            return False

    def add_session(self, sid: str, command: str, label: str) -> None:
        with self.engine.begin() as db:
            db.execute(SESSIONS.delete().where(SESSIONS.c.id == sid))
            db.execute(SESSIONS.insert().values(id=sid, created=time.time(), command=command,
                                                label=label, runs=0, failed=0))

    def ensure_session(self, sid: str, command: str, label: str) -> None:
        """A session record for `--resume` (kept as it is when it exists)."""
        with self.engine.connect() as db:
            exists = db.execute(sa.select(SESSIONS.c.id).where(SESSIONS.c.id == sid)).first()
        if not exists:
            self.claim_session(sid, command, label)

    def numeric_ids(self) -> list[int]:
        with self.engine.connect() as db:
            ids = db.execute(sa.select(SESSIONS.c.id)).scalars().all()
        return [int(i) for i in ids if str(i).isdigit()]

    def add_row(self, r: dict) -> None:
        """One run's row, written as soon as the run ends (so nothing measured is lost)."""
        sid, run = str(r["Session"]), int(r["Run"])
        key_runs = (RUNS.c.session == sid) & (RUNS.c.run == run)
        key_metrics = (METRIC.c.session == sid) & (METRIC.c.run == run)
        metrics = [{"session": sid, "run": run, "name": name, "value": float(r[name])}
                   for name in METRICS if r.get(name) is not None and not pd.isna(r.get(name))]
        for attempt in range(5):
            try:
                with self.engine.begin() as db:
                    db.execute(RUNS.delete().where(key_runs))
                    db.execute(RUNS.insert().values(
                        session=sid, run=run, model=r["Model"], backend=r["Backend"],
                        target=r["Target"], features=r["Features"], config=r["Config"],
                        failing=int(bool(r["Failing"])), reason=r["Reason"],
                        row=json.dumps(r, default=_plain)))
                    db.execute(METRIC.delete().where(key_metrics))
                    if metrics:
                        db.execute(METRIC.insert(), metrics)
                    counts = sa.select(sa.func.count(), sa.func.coalesce(
                        sa.func.sum(RUNS.c.failing), 0)).where(RUNS.c.session == sid)
                    n, failed = db.execute(counts).one()
                    db.execute(SESSIONS.update().where(SESSIONS.c.id == sid)
                               .values(runs=int(n), failed=int(failed)))
                return
            except (IntegrityError, OperationalError):  # a concurrent writer of the same row
                if attempt == 4:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def sessions(self) -> pd.DataFrame:
        q = sa.select(SESSIONS.c.id.label("Session"), SESSIONS.c.created,
                      SESSIONS.c.label.label("Label"), SESSIONS.c.runs.label("Runs"),
                      SESSIONS.c.failed.label("Failed"), SESSIONS.c.command.label("Command")) \
            .order_by(SESSIONS.c.created)
        with self.engine.connect() as db:
            df = pd.DataFrame(db.execute(q).mappings().all(),
                              columns=["Session", "created", "Label", "Runs", "Failed", "Command"])
        df["Created"] = pd.to_datetime(df.pop("created"), unit="s").dt.strftime("%Y-%m-%d %H:%M")
        return df

    def latest(self) -> str | None:
        q = sa.select(SESSIONS.c.id).order_by(SESSIONS.c.created.desc()).limit(1)
        with self.engine.connect() as db:
            row = db.execute(q).first()
        return row[0] if row else None

    def report(self, sid: str) -> pd.DataFrame:
        q = sa.select(RUNS.c.row).where(RUNS.c.session == str(sid)).order_by(RUNS.c.run)
        with self.engine.connect() as db:
            rows = [json.loads(x) for x in db.execute(q).scalars()]
        return frame([{c: r.get(c) for c in COLUMNS} for r in rows])


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _plain(v):
    if pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else str(v)
