"""The app's start opens an SQLite file before its damage check and checks it in the background:
reads go through at once, every write waits for the verdict, and a damaged file is never written
to — refused, with the same message naming the newest good backup. The CLI still checks first."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import peewee as pw
import pytest

from partybuild.cli import main
from partybuild.services import backup, records
from partybuild.services.demo import build_demo
from partybuild.store import models as m
from partybuild.store.database import (
    Cancel,
    Cancelled,
    DatabaseDamaged,
    close_database,
    open_database,
    opening_check,
)
from tests.store.test_damage import damage


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("opening")
    path = folder / "ledger.sqlite3"
    build_demo(open_database(path))
    backup.backup_now("daily", path)
    close_database()
    return path


@pytest.fixture
def good(demo_source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    shutil.copy(demo_source, path)
    return path


@pytest.fixture(params=["index", "table"])
def damaged(request: pytest.FixtureRequest, demo_source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite3"
    shutil.copy(demo_source, path)
    (tmp_path / "backups").mkdir()
    for copy in (demo_source.parent / "backups").glob("*.sqlite3"):
        shutil.copy(copy, tmp_path / "backups" / copy.name)
    damage(path, request.param)
    return path


def check_later_in(seconds: float) -> threading.Thread:
    """Run the open database's check from another thread after ``seconds``."""
    check = opening_check()
    assert check is not None and not check.done

    def later() -> None:
        time.sleep(seconds)
        check.run()

    thread = threading.Thread(target=later)
    thread.start()
    return thread


def test_a_file_in_wal_mode_opens_before_its_check_and_reads_at_once(good: Path) -> None:
    open_database(good, check_later=True)
    check = opening_check()
    assert check is not None and not check.done
    assert m.Member.select().count() > 600  # a read needs no verdict
    assert not check.done
    assert check.run() is None and check.passed


def test_a_write_waits_for_the_check_then_goes_through(good: Path) -> None:
    open_database(good, check_later=True)
    check = opening_check()
    thread = check_later_in(0.3)
    branch = records.create("branches", {"name": "新建联合党支部", "kind": "joint"})
    assert check.done and check.passed  # the write could only happen after the verdict
    thread.join()
    assert m.Branch.get_by_id(branch.id).name == "新建联合党支部"


def test_a_write_before_the_check_has_begun_makes_it_first(good: Path) -> None:
    """The app starts the check after the first paint: a write that comes before then (nobody
    is checking yet) has the check made on its own thread, then goes through."""
    open_database(good, check_later=True)
    check = opening_check()
    assert check is not None and not check.done
    branch = records.create("branches", {"name": "新建联合党支部", "kind": "joint"})
    assert check.done and check.passed
    assert check.run() is None  # made once: a later start of the check finds the verdict
    assert m.Branch.get_by_id(branch.id).name == "新建联合党支部"


def test_a_damaged_file_written_before_its_check_has_begun_is_refused(damaged: Path) -> None:
    before = digest(damaged)
    open_database(damaged, check_later=True)
    check = opening_check()
    with pytest.raises((pw.DatabaseError, sqlite3.DatabaseError)):
        records.create("branches", {"name": "新建联合党支部", "kind": "joint"})
    assert isinstance(check.damage, DatabaseDamaged)
    close_database()
    assert digest(damaged) == before


@pytest.mark.parametrize(
    "write",
    [
        "records",
        "INSERT INTO setting (key, value) VALUES ('x', 'y')",
        "UPDATE member SET name = 'x'",
        "DELETE FROM branch",
        "CREATE TABLE t (x)",
        "PRAGMA user_version = 7",
        "BEGIN IMMEDIATE",
    ],
)
def test_a_damaged_file_opened_before_its_check_is_never_written(damaged: Path, write: str) -> None:
    before = digest(damaged)
    database = open_database(damaged, check_later=True)
    check = opening_check()
    thread = check_later_in(0.2)
    with pytest.raises((pw.DatabaseError, sqlite3.DatabaseError)):
        if write == "records":
            records.create("branches", {"name": "新建联合党支部", "kind": "joint"})
        else:
            database.execute_sql(write)
    thread.join()
    assert isinstance(check.damage, DatabaseDamaged)
    assert "已损坏" in str(check.damage) and "partybuild restore" in str(check.damage)
    assert "ledger-daily-" in str(check.damage)  # the newest good backup is named
    close_database()
    assert digest(damaged) == before
    wal = damaged.with_name(damaged.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # nothing waiting to be written either


def test_a_file_not_in_wal_mode_is_checked_before_it_is_opened(damaged: Path) -> None:
    """Opening it would switch it to WAL (a write): such a file is checked first, as before."""
    con = sqlite3.connect(damaged)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.DatabaseError:
        pytest.skip("damaged past switching its journal mode")
    finally:
        con.close()
    before = digest(damaged)
    with pytest.raises(DatabaseDamaged):
        open_database(damaged, check_later=True)
    assert digest(damaged) == before


def test_an_upgrade_is_never_deferred(good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from partybuild.store import database as store

    known = store.known_migrations()
    monkeypatch.setattr(store, "known_migrations", lambda: [*known, "9999_future_step"])
    monkeypatch.setattr(store, "_migrate", lambda _db: None)
    open_database(good, check_later=True)
    assert opening_check() is None  # checked (and copied aside) before it was opened


def test_the_cli_still_checks_before_it_opens(damaged: Path) -> None:
    before = digest(damaged)
    assert main(["stats", "--year", "2023", "--db", str(damaged)]) == 2
    assert digest(damaged) == before


def test_an_interrupted_check_lets_no_write_through(good: Path) -> None:
    database = open_database(good, check_later=True)
    check = opening_check()
    cancel = Cancel()
    cancel.set()
    check.run(cancel)
    assert check.done and not check.passed and isinstance(check.error, Cancelled)
    with pytest.raises(pw.DatabaseError):
        database.execute_sql("INSERT INTO setting (key, value) VALUES ('x', 'y')")
    assert m.Member.select().count() > 600  # still readable


class CancelAfter(Cancel):
    """A quit that comes after ``steps`` steps of a copy."""

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps

    def check(self) -> None:
        self.steps -= 1
        if self.steps <= 0:
            self.set()
        super().check()


def test_a_backup_abandoned_mid_copy_leaves_nothing(
    good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partybuild.store import database as store

    monkeypatch.setattr(store, "COPY_STEP_PAGES", 8)  # many steps: the quit comes in the middle
    open_database(good)
    (good.parent / "backups").mkdir()
    with pytest.raises(Cancelled):
        backup.daily_backup_if_due(good, cancel=CancelAfter(5))
    assert list((good.parent / "backups").iterdir()) == []
    assert sorted(p.name for p in good.parent.iterdir() if p.name.startswith(".")) == []
    assert backup.daily_backup_due(good)  # the next start takes it
    made = backup.daily_backup_if_due(good, cancel=Cancel())
    assert made is not None and backup.check_backup_file(made)


def test_a_backup_abandoned_during_its_verification_leaves_nothing(
    good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quit comes while the copy is being checked: no verdict, so no copy is named."""
    from partybuild.store import database as store

    open_database(good)
    cancel = Cancel()
    check = store.check_connection

    def quit_while_checking(con: sqlite3.Connection, *args: object, **kwargs: object) -> object:
        cancel.set()
        return check(con, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "check_connection", quit_while_checking)
    with pytest.raises(Cancelled):
        backup.backup_now("daily", good, cancel=cancel)
    folder = good.parent / "backups"
    assert sorted(p.name for p in folder.iterdir()) == []
