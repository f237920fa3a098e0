"""PostgreSQL's driver is loaded when a PostgreSQL database is opened, not on an SQLite start
(peewee would import it with itself: partybuild.store imports peewee with it held back)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SQLITE = """
import sys
from partybuild.store.database import open_database
from partybuild.store import models as m
open_database(sys.argv[1])
m.Branch.create(name=f"第{m.Branch.select().count() + 1}联合党支部", kind="joint")
print(m.Branch.select().count(), "psycopg2" in sys.modules)
"""

POSTGRES = """
import sys, uuid
from partybuild.store.database import close_database, open_database
from partybuild.store import models as m
import peewee as pw
assert "psycopg2" not in sys.modules and pw.psycopg2 is None  # held back until now
database = open_database(sys.argv[1])
m.Branch.create(name="第一联合党支部", kind="joint")
with database.atomic():  # peewee's transaction states come from the driver
    m.Branch.create(name="第二联合党支部", kind="joint")
value = database.execute_sql("SELECT %s::uuid", (uuid.UUID(int=7),)).fetchone()[0]
print(m.Branch.select().count(), "psycopg2" in sys.modules, value)
close_database()
"""


def run(code: str, target: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, target],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_sqlite_start_does_not_load_the_postgresql_driver(tmp_path: Path) -> None:
    path = str(tmp_path / "ledger.sqlite3")
    run(SQLITE, path)  # made (the migrations' module for both servers loads it)
    assert run(SQLITE, path) == "2 False"  # opened, read and written: never loaded


def test_opening_postgresql_loads_the_driver_as_peewee_would(pg_url: str) -> None:
    assert run(POSTGRES, pg_url) == "2 True 00000000-0000-0000-0000-000000000007"
