"""Opening databases: create, upgrade with a backup first, refuse what is not ours — untouched."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import peewee as pw
import pytest
from playhouse.migrations import Runner

from partybuild.store import models as m
from partybuild.store.database import (
    APPLICATION_ID,
    HISTORY_TABLE,
    MIGRATIONS_DIR,
    DatabaseRefused,
    close_database,
    known_migrations,
    open_database,
    resolve_location,
)
from tests.store.schema import schema_diff


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_sqlite_database_has_every_table_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    database = open_database(path)
    assert not schema_diff(database), "migrated schema differs from the models"
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert database.execute_sql("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert (path.stat().st_mode & 0o777) == 0o600, "member data must be readable by its owner only"


def test_server_database_gets_the_same_schema(pg_url: str) -> None:
    database = open_database(pg_url)
    assert not schema_diff(database)
    close_database()
    # Opening again applies nothing and keeps the data.
    open_database(pg_url)
    m.Branch.create(name="甲", kind="joint")
    close_database()
    open_database(pg_url)
    assert m.Branch.select().count() == 1


def test_default_location_is_the_user_data_folder(tmp_path: Path) -> None:
    location = resolve_location(None)
    assert location.path is not None
    assert str(location.path).startswith(str(tmp_path / "xdg-data"))


def test_environment_variable_picks_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTYBUILD_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_location(None).path == tmp_path / "env.sqlite3"
    assert resolve_location(str(tmp_path / "arg.sqlite3")).path == tmp_path / "arg.sqlite3"


def _make_first_version(path: Path) -> None:
    """A database as the first released schema wrote it, with one branch in it."""
    database = pw.SqliteDatabase(str(path))
    Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE).up(target="0001_initial")
    database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    database.execute_sql(
        "INSERT INTO branch (created_at, updated_at, version, deleted, name, kind, has_committee,"
        " has_groups) VALUES ('2023-01-01 00:00:00', '2023-01-01 00:00:00', 1, 0, '老支部', 'joint', 0, 0)"
    )
    database.close()


def test_first_schema_version_is_upgraded_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _make_first_version(path)
    before = digest(path)
    database = open_database(path)
    assert not schema_diff(database)
    assert [b.name for b in m.Branch.select()] == ["老支部"]
    applied = [r[0] for r in database.execute_sql(f"SELECT name FROM {HISTORY_TABLE}")]
    assert applied == known_migrations()
    backups = list((tmp_path / "backups").glob("old-before-upgrade-*.sqlite3"))
    assert len(backups) == 1
    # The copy is the database as it was: first schema, same branch.
    con = sqlite3.connect(backups[0])
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "setting" not in tables
    assert con.execute("SELECT name FROM branch").fetchall() == [("老支部",)]
    con.close()
    assert before  # the original was a real file


def test_up_to_date_database_is_not_backed_up_again(tmp_path: Path) -> None:
    path = tmp_path / "cur.sqlite3"
    open_database(path)
    close_database()
    open_database(path)
    assert not list(tmp_path.rglob("*before-upgrade*"))


@pytest.mark.parametrize(
    "content",
    [
        b"# README\nnot a database\n",
        b"SQLite format 3\x00" + b"\x00" * 84 + b"garbage" * 100,
        bytes(range(256)) * 10,
    ],
    ids=["text", "truncated-sqlite", "binary"],
)
def test_garbage_file_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "file.sqlite3"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(DatabaseRefused) as err:
        open_database(path)
    assert "\n" not in str(err.value)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.sqlite3"]


def test_database_of_another_application_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO customers (name) VALUES ('x')")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(DatabaseRefused, match="不是党建台账数据库"):
        open_database(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_empty_database_of_another_application_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 1234")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(DatabaseRefused, match="其他程序"):
        open_database(path)
    assert digest(path) == before


def _make_newer(path: Path) -> None:
    open_database(path)
    m.Branch.create(name="甲", kind="joint")
    m.db_proxy.obj.execute_sql(
        f"INSERT INTO {HISTORY_TABLE} (name, applied) VALUES ('0099_future', '2030-01-01')"
    )
    close_database()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    _make_newer(path)
    before = digest(path)
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DatabaseRefused, match="更新版本"):
        open_database(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def _pg_snapshot(url: str) -> list[tuple]:
    import psycopg2

    con = psycopg2.connect(url)
    try:
        with con.cursor() as cur:
            cur.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                " WHERE table_schema='public' ORDER BY 1, 2"
            )
            rows = cur.fetchall()
            for table in sorted({r[0] for r in rows}):
                cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')
                rows.extend((table, *r) for r in cur.fetchall())
        return rows
    finally:
        con.close()


def test_server_database_of_another_application_is_refused_untouched(pg_url: str) -> None:
    import psycopg2

    con = psycopg2.connect(pg_url)
    with con, con.cursor() as cur:
        cur.execute("CREATE TABLE invoices (id serial primary key, amount int)")
        cur.execute("INSERT INTO invoices (amount) VALUES (42)")
    con.close()
    before = _pg_snapshot(pg_url)
    with pytest.raises(DatabaseRefused, match="不是党建台账数据库"):
        open_database(pg_url)
    assert _pg_snapshot(pg_url) == before


def test_server_database_of_newer_schema_is_refused_untouched(pg_url: str) -> None:
    _make_newer_url = pg_url
    open_database(_make_newer_url)
    m.db_proxy.obj.execute_sql(
        f"INSERT INTO {HISTORY_TABLE} (name, applied) VALUES ('0099_future', '2030-01-01')"
    )
    close_database()
    before = _pg_snapshot(pg_url)
    with pytest.raises(DatabaseRefused, match="更新版本"):
        open_database(pg_url)
    assert _pg_snapshot(pg_url) == before


def test_unreachable_server_is_a_one_line_refusal() -> None:
    with pytest.raises(DatabaseRefused) as err:
        open_database("postgresql://nobody@127.0.0.1:1/none")
    assert "\n" not in str(err.value)


def test_missing_file_can_be_refused_instead_of_created(tmp_path: Path) -> None:
    with pytest.raises(DatabaseRefused, match="不存在"):
        open_database(tmp_path / "missing.sqlite3", create=False)
    assert not (tmp_path / "missing.sqlite3").exists()
