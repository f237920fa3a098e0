"""Crash safety: a process killed with SIGKILL at any moment leaves the database exactly as
before the operation or exactly as after it — never in between, never damaged."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partybuild.services.demo import build_demo
from partybuild.store.database import close_database, open_database
from partybuild.store.models import LEDGER_MODELS

ROOT = Path(__file__).resolve().parents[1]
TABLES = tuple(model._meta.table_name for model in LEDGER_MODELS)


VOLATILE = {"created_at", "updated_at"}  # stamped with the clock of each run


def snapshot(path: Path) -> str:
    """A digest of every ledger row (not the file bytes: WAL and free pages may differ), without
    the timestamps, so two runs of the same import compare equal."""
    con = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for table in TABLES:
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE)
            for row in con.execute(f'SELECT {kept} FROM "{table}" ORDER BY id'):
                digest.update(repr(row).encode())
            digest.update(f"{table}|".encode())
        return digest.hexdigest()
    finally:
        con.close()


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def kill_after(cmd: list[str], delay: float) -> int | None:
    """Start a command and SIGKILL it after ``delay`` seconds; its exit code if it finished."""
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None
    return proc.returncode


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def two_states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo ledger (before) and a different, smaller ledger to restore over it (after)."""
    folder = tmp_path_factory.mktemp("crash")
    before = folder / "before.sqlite3"
    build_demo(open_database(before))
    close_database()
    after = folder / "after.sqlite3"
    open_database(after)
    from partybuild.services import records

    records.create("branches", {"name": "恢复后的唯一支部", "kind": "joint"})
    close_database()
    return before, after


EDITOR = """
import sys
from partybuild.services import records
from partybuild.store.database import open_database
from partybuild.store import models as m
open_database(sys.argv[1])
team = m.Team.get(m.Team.name == "编辑测试队")
while True:
    team = records.update("teams", team.id, {"focus": f"第{team.version}次修改"}, team.version)
    print(team.version, flush=True)
"""


def test_edit_killed_at_any_moment(tmp_path: Path) -> None:
    db = tmp_path / "edit.sqlite3"
    open_database(db)
    from partybuild.services import records

    records.create("teams", {"name": "编辑测试队", "kind": "volunteer", "focus": "第0次修改"})
    close_database()
    for i in range(8):
        kill_after([sys.executable, "-c", EDITOR, str(db)], 0.6 + 0.13 * i)
        assert integrity(db) == "ok"
        con = sqlite3.connect(db)
        version, focus, team_id = con.execute(
            "SELECT version, focus, id FROM team WHERE name = '编辑测试队'"
        ).fetchone()
        logged = con.execute(
            "SELECT count(*) FROM audit_log WHERE ledger = 'teams' AND record_id = ?", (team_id,)
        ).fetchone()[0]
        con.close()
        # Each save is one transaction: the field, the version and its log entry move together.
        assert focus == f"第{version - 1}次修改"
        assert logged == version  # one create + one entry per saved edit
    assert version > 2  # the editor really ran between kills


def test_import_killed_at_any_moment(two_states: tuple[Path, Path], tmp_path: Path) -> None:
    """An all-ledgers workbook (the whole demo) imported into an empty database, killed at many
    points from reading the file to committing: the database holds nothing or everything."""
    demo_file, _ = two_states
    run = [sys.executable, str(ROOT / "main.py")]
    workbook = tmp_path / "demo.xlsx"
    subprocess.run([*run, "export", "--db", str(demo_file), "-o", str(workbook)], check=True)
    empty = tmp_path / "empty.sqlite3"
    open_database(empty)
    close_database()
    done = tmp_path / "done.sqlite3"
    done.write_bytes(empty.read_bytes())
    duration = timed([*run, "import", str(workbook), "--db", str(done)])
    before, after = snapshot(empty), snapshot(done)
    assert before != after
    outcomes = {"before": 0, "after": 0}
    points = 14
    for i in range(points):
        db = tmp_path / f"import{i}.sqlite3"
        db.write_bytes(empty.read_bytes())
        # Denser near the end, where the single write transaction runs and commits; the last
        # points fall after a normal run's end, so some imports finish before the kill.
        fraction = (i / (points - 1)) ** 0.5 * 1.3
        kill_after([*run, "import", str(workbook), "--db", str(db)], duration * fraction)
        assert integrity(db) == "ok", f"kill point {i}"
        state = snapshot(db)
        assert state in (before, after), f"kill point {i}: a partial import"
        outcomes["before" if state == before else "after"] += 1
    assert outcomes["before"] and outcomes["after"]


DEFERRING_IMPORT = """
import sys
from partybuild.exchange import importer
importer.DEFER_INDEXES_FROM = 1  # the large-import path (indexes built after the insert)
from partybuild.cli import main
sys.exit(main(["import", sys.argv[1], "--db", sys.argv[2]]))
"""


def schema(path: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        con.close()


def test_import_with_deferred_indexes_killed_at_any_moment(
    two_states: tuple[Path, Path], tmp_path: Path
) -> None:
    """A large import drops the table's indexes and its search trigger and makes them again
    after the insert, inside its one transaction: killed anywhere, the database holds nothing or
    everything, with every index and trigger as it was."""
    demo_file, _ = two_states
    workbook = tmp_path / "demo.xlsx"
    main = [sys.executable, str(ROOT / "main.py")]
    subprocess.run([*main, "export", "--db", str(demo_file), "-o", str(workbook)], check=True)
    empty = tmp_path / "empty.sqlite3"
    open_database(empty)
    close_database()
    run = [sys.executable, "-c", DEFERRING_IMPORT, str(workbook)]
    done = tmp_path / "done.sqlite3"
    done.write_bytes(empty.read_bytes())
    duration = timed([*run, str(done)])
    before, after, indexes = snapshot(empty), snapshot(done), schema(empty)
    assert before != after and schema(done) == indexes
    outcomes = {"before": 0, "after": 0}
    points = 8
    for i in range(points):
        db = tmp_path / f"import{i}.sqlite3"
        db.write_bytes(empty.read_bytes())
        fraction = (i / (points - 1)) ** 0.5 * 1.3
        kill_after([*run, str(db)], duration * fraction)
        assert integrity(db) == "ok", f"kill point {i}"
        state = snapshot(db)
        assert state in (before, after), f"kill point {i}: a partial import"
        assert schema(db) == indexes, f"kill point {i}: indexes or triggers changed"
        outcomes["before" if state == before else "after"] += 1
    assert outcomes["before"] and outcomes["after"]


def audit_restores(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM audit_log WHERE action = 'db_restore'").fetchone()[
            0
        ]
    finally:
        con.close()


def test_restore_killed_at_any_moment_keeps_its_audit_entry_with_the_data(
    two_states: tuple[Path, Path], tmp_path: Path
) -> None:
    """ "After" includes the 恢复数据库 entry: never the restored data without it."""
    before_file, after_file = two_states
    before, after = snapshot(before_file), snapshot(after_file)
    run = [sys.executable, str(ROOT / "main.py")]
    probe = tmp_path / "probe.sqlite3"
    probe.write_bytes(before_file.read_bytes())
    duration = timed([*run, "restore", str(after_file), "--db", str(probe)])
    outcomes = {"before": 0, "after": 0}
    points = 12
    for i in range(points):
        db = tmp_path / f"kill{i}.sqlite3"
        db.write_bytes(before_file.read_bytes())
        # The start-up is spent importing, not restoring; the last points fall after a normal run's
        # end (a loaded machine runs slower than the timed run).
        fraction = 0.3 + 1.5 * i / (points - 1)
        kill_after([*run, "restore", str(after_file), "--db", str(db)], duration * fraction)
        assert integrity(db) == "ok", f"kill point {i}"
        state = snapshot(db)
        assert state in (before, after), f"kill point {i}: neither before nor after"
        restored = audit_restores(db)
        assert restored == (1 if state == after else 0), f"kill point {i}: audit {restored}"
        outcomes["before" if state == before else "after"] += 1
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(f".kill{i}")]
        assert all(TEMP in name for name in leftovers), leftovers
    assert outcomes["before"] and outcomes["after"]


TEMP = ".partybuild-tmp"


def test_backup_killed_at_any_moment_leaves_nothing_half_written(
    two_states: tuple[Path, Path], tmp_path: Path
) -> None:
    """`backup -o FILE` killed at any point: FILE is absent or a complete, verified copy; beside it
    at most a private dot-named temporary file, which the next backup into the folder removes."""
    demo, _ = two_states
    big = tmp_path / "big.sqlite3"
    big.write_bytes(demo.read_bytes())
    con = sqlite3.connect(big)
    con.execute("CREATE TABLE padding (x BLOB)")  # make the copy take long enough to hit
    con.executemany("INSERT INTO padding VALUES (randomblob(4000))", [()] * 12_000)
    con.commit()
    con.close()
    expected = snapshot(big)
    run = [sys.executable, str(ROOT / "main.py")]
    out = tmp_path / "out"
    out.mkdir()
    duration = timed([*run, "backup", "--db", str(big), "-o", str(out / "probe.sqlite3")])
    (out / "probe.sqlite3").unlink()
    seen = {"absent": 0, "complete": 0}
    points = 10
    for i in range(points):
        folder = out / f"k{i}"
        folder.mkdir()
        target = folder / "copy.sqlite3"
        # The last points fall well after a normal run's end (a loaded machine runs slower than
        # the timed run), so both outcomes are hit.
        fraction = 0.2 + 2.3 * i / (points - 1)
        kill_after([*run, "backup", "--db", str(big), "-o", str(target)], duration * fraction)
        names = sorted(p.name for p in folder.iterdir())
        for name in names:
            if name == "copy.sqlite3":
                continue
            assert name.startswith(".copy.sqlite3.") and TEMP in name, names
            assert ((folder / name).stat().st_mode & 0o777) == 0o600
        if target.exists():
            assert integrity(target) == "ok" and snapshot(target) == expected
            assert (target.stat().st_mode & 0o777) == 0o600
            seen["complete"] += 1
        else:
            seen["absent"] += 1
        # What a kill left behind is removed by the next backup into the folder (once stale).
        old = time.time() - 7200
        for p in folder.iterdir():
            os.utime(p, (old, old))
        again = folder / "again.sqlite3"
        subprocess.run([*run, "backup", "--db", str(big), "-o", str(again)], check=True)
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    assert seen["absent"] and seen["complete"]
