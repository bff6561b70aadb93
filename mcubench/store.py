"""The results database in the home (SQLite): sessions, runs and metrics, read back by
`mcubench sessions` and `mcubench report`."""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pandas as pd

from .report import COLUMNS, METRICS, frame

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, created REAL, command TEXT, label TEXT,
                                     runs INTEGER, failed INTEGER);
CREATE TABLE IF NOT EXISTS runs (session TEXT, run INTEGER, model TEXT, backend TEXT, target TEXT,
                                 features TEXT, config TEXT, failing INTEGER, reason TEXT, row TEXT,
                                 PRIMARY KEY (session, run));
CREATE TABLE IF NOT EXISTS metrics (session TEXT, run INTEGER, name TEXT, value REAL,
                                    PRIMARY KEY (session, run, name));
"""


class Store:
    def __init__(self, path: Path):
        self.path = path
        with self._db() as db:
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def add_session(self, sid: str, command: str, label: str) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO sessions VALUES (?,?,?,?,0,0)",
                       (sid, time.time(), command, label))

    def add_row(self, r: dict) -> None:
        """One run's row, written as soon as the run ends (so nothing measured is lost)."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (r["Session"], r["Run"], r["Model"], r["Backend"], r["Target"],
                        r["Features"], r["Config"], int(r["Failing"]), r["Reason"],
                        json.dumps(r, default=_plain)))
            for name in METRICS:
                v = r.get(name)
                if v is not None and not pd.isna(v):
                    db.execute("INSERT OR REPLACE INTO metrics VALUES (?,?,?,?)",
                               (r["Session"], r["Run"], name, float(v)))
            db.execute("UPDATE sessions SET runs=(SELECT COUNT(*) FROM runs WHERE session=?), "
                       "failed=(SELECT COUNT(*) FROM runs WHERE session=? AND failing=1) "
                       "WHERE id=?", (r["Session"], r["Session"], r["Session"]))

    def sessions(self) -> pd.DataFrame:
        with self._db() as db:
            df = pd.read_sql_query("SELECT id AS Session, created, label AS Label, runs AS Runs, "
                                   "failed AS Failed, command AS Command FROM sessions", db)
        df["Created"] = pd.to_datetime(df.pop("created"), unit="s").dt.strftime("%Y-%m-%d %H:%M")
        return df.sort_values("Created", kind="stable")

    def latest(self) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT id FROM sessions ORDER BY created DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def report(self, sid: str) -> pd.DataFrame:
        with self._db() as db:
            rows = [json.loads(r[0]) for r in
                    db.execute("SELECT row FROM runs WHERE session=? ORDER BY run", (sid,))]
        return frame([{c: r.get(c) for c in COLUMNS} for r in rows])


def _plain(v):
    if pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else str(v)
