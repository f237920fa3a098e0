"""Backups and restore: online copies, pruned to N, checked before use, reversible."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
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


def _damage_a_table_page(path: Path) -> None:
    con = sqlite3.connect(path)
    page = con.execute(
        "SELECT pageno FROM dbstat WHERE name = 'branch' AND pagetype = 'leaf' LIMIT 1"
    ).fetchone()[0]
    con.close()
    with path.open("r+b") as fh:
        fh.seek((page - 1) * 4096)
        fh.write(random.Random(7).randbytes(4096))


def test_a_copy_of_a_damaged_database_is_never_reported_good(ledger: Path, tmp_path: Path) -> None:
    from partybuild.store.database import CopyDamaged, backup_sqlite

    close_database()
    _damage_a_table_page(ledger)
    target = tmp_path / "out" / "copy.sqlite3"
    target.parent.mkdir()
    with pytest.raises(CopyDamaged):
        backup_sqlite(ledger, target)
    with pytest.raises(backup.BackupError, match="已损坏"):
        backup.backup_now("import", ledger)
    assert list(target.parent.iterdir()) == []
    assert list((ledger.parent / "backups").iterdir()) == []  # no copy, not even a temporary one


def test_an_explicit_backup_is_one_closed_private_verified_file(
    ledger: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    target = backup.backup_to(folder / "copy.sqlite3")
    assert [p.name for p in folder.iterdir()] == ["copy.sqlite3"]  # no -journal, -wal, temp
    assert (target.stat().st_mode & 0o777) == 0o600
    header = target.read_bytes()[:100]
    assert header[18:20] == b"\x01\x01"  # rollback-journal mode: opening it creates no -wal
    con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in con.execute("SELECT name FROM branch")] == ["第一联合党支部"]
    con.close()


def test_backup_into_a_missing_folder_is_one_line(ledger: Path, tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="不存在"):
        backup.backup_to(tmp_path / "nowhere" / "copy.sqlite3")


def test_full_disk_during_backup_leaves_nothing(ledger: Path, tmp_path: Path) -> None:
    from tests.smalldisk import fill, small_disk

    with small_disk(tmp_path / "small", 256) as disk:
        if disk is None:
            pytest.skip("cannot mount a small filesystem here")
        fill(disk, 8 * 1024)
        target = disk / "copy.sqlite3"
        with pytest.raises(backup.BackupError, match="磁盘空间已满"):
            backup.backup_to(target)
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_restore_waits_for_a_writer_and_keeps_its_write(ledger: Path, tmp_path: Path) -> None:
    """Another process commits a write while the restore waits for the lock: the write is in the
    before-restore copy (and the restore then replaces it, as asked)."""
    copy = backup.backup_to(tmp_path / "copy.sqlite3")
    close_database()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from partybuild.services import records\n"
            "from partybuild.store.database import open_database\n"
            "db = open_database(sys.argv[1])\n"
            "with db.atomic():\n"
            "    records.create('branches', {'name': '等待期间写入的支部', 'kind': 'joint'})\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(1.5)\n",
            str(ledger),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
    from partybuild.cli import main

    assert main(["restore", str(copy), "--db", str(ledger)]) == 0
    assert writer.wait(10) == 0
    writer.stdout.close()
    close_database()
    (before,) = (ledger.parent / "backups").glob("*-before-restore-*.sqlite3")
    con = sqlite3.connect(before)
    kept = {r[0] for r in con.execute("SELECT name FROM branch")}
    con.close()
    assert kept == {"第一联合党支部", "等待期间写入的支部"}
    con = sqlite3.connect(ledger)
    assert {r[0] for r in con.execute("SELECT name FROM branch")} == {"第一联合党支部"}
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log")]
    con.close()
    assert actions.count("db_restore") == 1
