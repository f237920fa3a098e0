"""Backups and restore: online copies, pruned to N, checked before use, reversible."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from partybuild.services import audit, backup, records
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "ledger.sqlite3"
    open_database(path)
    records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    return path


def names() -> list[str]:
    return [b.name for b in m.Branch.select().order_by(m.Branch.name)]


def test_backup_then_restore_brings_the_old_data_back(ledger: Path, tmp_path: Path) -> None:
    copy = backup.backup_to(tmp_path / "copy.sqlite3")
    assert (copy.stat().st_mode & 0o777) == 0o600
    records.create("branches", {"name": "第二联合党支部", "kind": "joint"})
    assert names() == ["第一联合党支部", "第二联合党支部"]
    before = backup.restore_from(copy)
    assert names() == ["第一联合党支部"]
    # The state before the restore was kept, and the restore is in the log.
    con = sqlite3.connect(before)
    assert con.execute("SELECT count(*) FROM branch").fetchone()[0] == 2
    con.close()
    assert audit.entries()[0].action == "db_restore"


def test_backup_refuses_to_overwrite(ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_text("keep me")
    with pytest.raises(backup.BackupError, match="已存在"):
        backup.backup_to(target)
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("kind", ["garbage", "foreign", "newer", "corrupt"])
def test_restore_checks_the_file_before_touching_anything(
    ledger: Path, tmp_path: Path, kind: str
) -> None:
    bad = tmp_path / f"{kind}.sqlite3"
    if kind == "garbage":
        bad.write_bytes(b"not a database at all" * 50)
    elif kind == "foreign":
        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE x (a)")
        con.commit()
        con.close()
    elif kind == "newer":
        backup.backup_to(bad)
        con = sqlite3.connect(bad)
        con.execute(
            "INSERT INTO schema_migration (name, applied) VALUES ('0099_future', '2030-01-01')"
        )
        con.commit()
        con.close()
    else:
        backup.backup_to(bad)
        data = bytearray(bad.read_bytes())
        for offset in range(4096, min(len(data), 4096 * 6), 7):
            data[offset] ^= 0x5A  # scribble over the first table pages
        bad.write_bytes(bytes(data))
    db_before = digest(ledger)
    with pytest.raises(backup.BackupError):
        backup.restore_from(bad)
    assert digest(ledger) == db_before
    assert not list((ledger.parent / "backups").glob("*before-restore*"))


def test_automatic_backups_are_pruned_to_the_setting(ledger: Path) -> None:
    backup.set_keep_count(3)
    made = [backup.backup_now("import") for _ in range(5)]
    kept = backup.automatic_backups(ledger)
    assert kept == made[-3:]
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in kept)


def test_daily_backup_once_a_day(ledger: Path) -> None:
    first = backup.daily_backup_if_due()
    assert first is not None and first.exists()
    assert backup.daily_backup_if_due() is None


def test_postgres_is_backed_up_on_its_server(pg_url: str) -> None:
    open_database(pg_url)
    with pytest.raises(backup.BackupError, match="pg_dump"):
        backup.backup_to(Path("/nonexistent/x.sqlite3"))


def test_restore_of_an_older_schema_upgrades_it(ledger: Path, tmp_path: Path) -> None:
    from tests.store.test_database import _make_first_version

    old = tmp_path / "first.sqlite3"
    _make_first_version(old)
    backup.restore_from(old)
    assert names() == ["老支部"]
    assert m.AuditEntry.select().count() == 1  # the restore itself, in the upgraded schema


def test_cli_backup_and_restore(ledger: Path, tmp_path: Path) -> None:
    close_database()
    run = [sys.executable, str(ROOT / "main.py")]
    out = tmp_path / "cli.sqlite3"
    res = subprocess.run(
        [*run, "backup", "--db", str(ledger), "-o", str(out)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    again = subprocess.run(
        [*run, "backup", "--db", str(ledger), "-o", str(out)], capture_output=True, text=True
    )
    assert again.returncode == 2 and "已存在" in again.stderr
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("nope")
    res = subprocess.run(
        [*run, "restore", str(bad), "--db", str(ledger)], capture_output=True, text=True
    )
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    res = subprocess.run(
        [*run, "restore", str(out), "--db", str(ledger)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert dt.date.today().strftime("%Y%m%d") in res.stdout
