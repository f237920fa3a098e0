"""A damaged database is detected on opening and refused by every command and by the app, with
one line pointing to the newest good backup and to ``partybuild restore``; restore repairs it."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from partybuild.cli import main
from partybuild.services import backup
from partybuild.services.demo import build_demo
from partybuild.store.database import (
    DatabaseDamaged,
    check_sqlite,
    close_database,
    open_database,
)

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def page_of(path: Path, name: str) -> tuple[int, int]:
    """(page number, page size) of a leaf page of the table or index ``name``, found with dbstat."""
    con = sqlite3.connect(path)
    try:
        page = con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno "
            "LIMIT 1 OFFSET 1",
            (name,),
        ).fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    return page, size


def damage(path: Path, kind: str) -> None:
    """Random bytes over part of an index page (the ID-number index) or a whole table page."""
    rng = random.Random(20231231)
    if kind == "index":
        page, size = page_of(path, "member_id_number")
        offset, junk = (page - 1) * size + size // 2, rng.randbytes(256)
    else:
        page, size = page_of(path, "member")
        offset, junk = (page - 1) * size, rng.randbytes(size)
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(junk)


@pytest.fixture(scope="module")
def demo_with_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("damage")
    path = folder / "ledger.sqlite3"
    build_demo(open_database(path))
    backup.backup_now("daily", path)
    close_database()
    workbook = folder / "demo.xlsx"
    assert main(["export", "--db", str(path), "-o", str(workbook)]) == 0
    return path, workbook


@pytest.fixture(params=["index", "table"])
def damaged(
    request: pytest.FixtureRequest, demo_with_backup: tuple[Path, Path], tmp_path: Path
) -> tuple[Path, Path, Path]:
    """A copy of the demo ledger with one damaged page, its good backup, and a newer backup that
    is itself damaged (a copy made before copies were verified): the message must skip it."""
    source, workbook = demo_with_backup
    path = tmp_path / "ledger.sqlite3"
    shutil.copy(source, path)
    (tmp_path / "backups").mkdir()
    good = next((source.parent / "backups").glob("ledger-daily-*.sqlite3"))
    kept = tmp_path / "backups" / good.name
    shutil.copy(good, kept)
    os.utime(kept, (time.time() - 3600, time.time() - 3600))
    damage(path, request.param)
    bad_copy = tmp_path / "backups" / "ledger-daily-29991231-000000-000000.sqlite3"
    shutil.copy(path, bad_copy)
    return path, kept, workbook


def test_damage_is_found_by_the_check(damaged: tuple[Path, Path, Path]) -> None:
    path, _good, _ = damaged
    assert check_sqlite(path) is not None
    with pytest.raises(DatabaseDamaged):
        open_database(path)


COMMANDS = {
    "stats": ["stats", "--year", "2023"],
    "check": ["check", "--year", "2023"],
    "export": ["export", "-o", "{tmp}/out.xlsx"],
    "report": ["report", "--year", "2023", "-o", "{tmp}/report.xlsx"],
    "print": ["print", "roster", "--branch", "第一联合党支部", "-o", "{tmp}/roster.pdf"],
    "import": ["import", "{workbook}"],
    "backup": ["backup", "-o", "{tmp}/copy.sqlite3"],
    "demo": ["demo"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_refuses_a_damaged_database(
    damaged: tuple[Path, Path, Path],
    command: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, good, workbook = damaged
    before = digest(path)
    listing = sorted(p.name for p in path.parent.iterdir())
    argv = [a.format(tmp=path.parent, workbook=workbook) for a in COMMANDS[command]] + [
        "--db",
        str(path),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "已损坏" in err and str(good) in err and "partybuild restore" in err
    assert "29991231" not in err  # the newer copy is itself damaged: not offered
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing  # nothing written beside


def test_a_damaged_database_gives_no_traceback_from_the_real_process(
    damaged: tuple[Path, Path, Path],
) -> None:
    path, good, _ = damaged
    res = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "stats", "--db", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and str(good) in res.stderr


def test_the_app_refuses_a_damaged_database_with_its_dialog(
    damaged: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from partybuild.ui import app

    path, good, _ = damaged
    before = digest(path)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert app.run(str(path)) == 2
    assert len(shown) == 1 and "已损坏" in shown[0] and str(good) in shown[0]
    assert digest(path) == before


def test_restore_repairs_a_damaged_database_and_keeps_the_damaged_file(
    damaged: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, good, _ = damaged
    damaged_bytes = path.read_bytes()
    assert main(["restore", str(good), "--db", str(path)]) == 0
    assert check_sqlite(path) is None
    assert main(["stats", "--year", "2023", "--db", str(path)]) == 0
    kept = list((path.parent / "backups").glob("ledger-before-restore-damaged-*.sqlite3"))
    # Page for page the file as it was (page 1's header changes: journal mode, change counter).
    assert len(kept) == 1 and kept[0].read_bytes()[4096:] == damaged_bytes[4096:]
    # The damaged copy is kept for the record, never offered as a good backup.
    from partybuild.store.database import newest_good_backup

    assert newest_good_backup(path) != kept[0]


def test_a_good_database_passes_quickly(demo_with_backup: tuple[Path, Path]) -> None:
    path, _ = demo_with_backup
    started = time.perf_counter()
    assert check_sqlite(path) is None
    assert time.perf_counter() - started < 1.0
