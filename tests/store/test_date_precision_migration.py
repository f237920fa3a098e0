"""Migration 0005: a precision column beside each date of record; existing dates keep their day."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import peewee as pw
from playhouse.migrations import Runner

from partybuild.domain.dates import PartialDate
from partybuild.services import records
from partybuild.store import models as m
from partybuild.store.database import APPLICATION_ID, HISTORY_TABLE, MIGRATIONS_DIR, open_database
from tests.store.schema import schema_diff

STAMP = "'2023-01-01 00:00:00', '2023-01-01 00:00:00', 1, 0"
PRECISION_COLUMNS = {
    "branch": {"founded_on_precision", "renewed_on_precision"},
    "member": {"birth_date_precision", "joined_on_precision", "confirmed_on_precision"},
    "team": {"founded_on_precision"},
}


def _schema_0003(path: Path, migrations: Path = MIGRATIONS_DIR) -> None:
    """A database as partybuild wrote it before dates had a precision, with dated records."""
    database = pw.SqliteDatabase(str(path))
    Runner(database, str(migrations), table_name=HISTORY_TABLE).up(target="0003_audit")
    database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    database.execute_sql(
        "INSERT INTO branch (created_at, updated_at, version, deleted, name, kind, founded_on,"
        f" renewed_on, has_committee, has_groups) VALUES ({STAMP}, '老支部', 'joint',"
        " '2005-03-01', '2021-06-18', 0, 0)"
    )
    database.execute_sql(
        "INSERT INTO member (created_at, updated_at, version, deleted, name, birth_date,"
        " id_number, category, joined_on, confirmed_on, status)"
        f" VALUES ({STAMP}, '张示安', '1985-06-15', '999999198506150010', 'full', '1998-11-01',"
        " '1999-11-01', 'normal')"
    )
    database.execute_sql(
        "INSERT INTO team (created_at, updated_at, version, deleted, name, kind, founded_on)"
        f" VALUES ({STAMP}, '老服务队', 'volunteer', '2019-03-01')"
    )
    database.close()


def _columns(path: Path, table: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
    finally:
        con.close()


def test_a_0003_database_gets_precision_columns_and_keeps_every_date_to_the_day(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    _schema_0003(path)
    assert not PRECISION_COLUMNS["member"] & _columns(path, "member")
    database = open_database(path)
    assert not schema_diff(database), "migrated schema differs from models"
    for table, columns in PRECISION_COLUMNS.items():
        assert columns <= _columns(path, table), table
    member = m.Member.get(m.Member.name == "张示安")
    # 1998-11-01 was a full date before and stays one: no precision is invented either way.
    assert type(member.joined_on) is dt.date and member.joined_on == dt.date(1998, 11, 1)
    assert member.joined_on_precision is None and member.confirmed_on == dt.date(1999, 11, 1)
    assert member.birth_date == dt.date(1985, 6, 15) and member.birth_date_precision is None
    branch = m.Branch.get(m.Branch.name == "老支部")
    assert (branch.founded_on, branch.renewed_on) == (dt.date(2005, 3, 1), dt.date(2021, 6, 18))
    assert branch.founded_on_precision is None and branch.renewed_on_precision is None
    assert m.Team.get(m.Team.name == "老服务队").founded_on == dt.date(2019, 3, 1)
    assert len(list((tmp_path / "backups").glob("old-before-upgrade-*.sqlite3"))) == 1
    # And the upgraded database takes dates to the month.
    records.update("branches", branch.id, {"founded_on": "2005"}, branch.version)
    assert m.Branch.get_by_id(branch.id).founded_on == PartialDate(2005)


def test_0005_applies_after_whatever_0004_does(tmp_path: Path) -> None:
    """0005 only adds its own nullable columns: it needs nothing of another 0004."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for step in MIGRATIONS_DIR.glob("000[1235]_*.py"):
        shutil.copy(step, folder / step.name)
    (folder / "0004_other.py").write_text(
        "from peewee import *\n\n\n"
        "def up(migrator, db):\n"
        "    migrator.migrate(migrator.add_column('member', 'other_0004', TextField(null=True)))\n"
        "    db.execute_sql('CREATE TABLE other_0004 (id INTEGER PRIMARY KEY, label TEXT)')\n\n\n"
        "def down(migrator, db):\n"
        "    pass\n",
        encoding="utf-8",
    )
    path = tmp_path / "old.sqlite3"
    _schema_0003(path, folder)
    database = pw.SqliteDatabase(str(path))
    Runner(database, str(folder), table_name=HISTORY_TABLE).up()
    applied = [r[0] for r in database.execute_sql(f"SELECT name FROM {HISTORY_TABLE}")]
    database.close()
    assert applied[-2:] == ["0004_other", "0005_date_precision"]
    assert PRECISION_COLUMNS["member"] | {"other_0004"} <= _columns(path, "member")
    con = sqlite3.connect(path)
    assert con.execute("SELECT joined_on, joined_on_precision FROM member").fetchall() == [
        ("1998-11-01", None)
    ]
    con.close()
