"""Every storage failure is one Chinese line and exit 2, with nothing written: a full disk during
an import, a read-only folder or file, another process's exclusive lock, a conflicting import, a
server URL (never echoed with its password), an empty file given as --db; cell text echoed to the
terminal has its control characters escaped."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from partybuild.cli import main, terminal_json, terminal_text
from partybuild.services.demo import build_demo
from partybuild.store.database import close_database, open_database
from tests.smalldisk import fill, read_only_mount, small_disk
from tests.test_crash_safety import integrity, snapshot

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=timeout,
    )


def one_line(res: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("errors")
    path = folder / "demo.sqlite3"
    build_demo(open_database(path))
    close_database()
    workbook = folder / "demo.xlsx"
    assert main(["export", "--db", str(path), "-o", str(workbook)]) == 0
    return workbook


def empty_ledger(path: Path) -> Path:
    open_database(path)
    close_database()
    return path


@pytest.mark.parametrize("where", ["write", "backup"])
def test_full_disk_during_import_is_one_line_and_changes_nothing(
    demo_workbook: Path, tmp_path: Path, where: str
) -> None:
    """The disk fills while the import writes (room for its backup, not for the rows), or
    already for the backup: exit 2, one line, the database as before and intact, and no 0-byte,
    partial or journaled copy in backups/."""
    with small_disk(tmp_path / "disk", 4096) as disk:
        if disk is None:
            pytest.skip("cannot mount a small filesystem here")
        db = empty_ledger(disk / "ledger.sqlite3")
        before = snapshot(db)
        size = db.stat().st_size
        fill(disk, size + 64 * 1024 if where == "write" else size // 2)
        res = run("import", str(demo_workbook), "--db", str(db))
        assert res.returncode == 2
        line = one_line(res)
        assert "磁盘空间已满" in line and ("未写入任何数据" in line or "未做任何改动" in line)
        assert integrity(db) == "ok" and snapshot(db) == before
        copies = sorted((disk / "backups").iterdir()) if (disk / "backups").exists() else []
        if where == "backup":
            assert copies == []
        for copy in copies:  # only complete, verified copies, each one closed file
            assert not copy.name.startswith(".") and copy.stat().st_size > 0
            assert integrity(copy) == "ok" and snapshot(copy) == before


def test_read_only_folder_is_one_line_for_every_command(tmp_path: Path) -> None:
    with small_disk(tmp_path / "ro", 4096) as disk:
        if disk is None:
            pytest.skip("cannot mount a small filesystem here")
        db = empty_ledger(disk / "ledger.sqlite3")
        with read_only_mount(disk) as ok:
            if not ok:
                pytest.skip("cannot remount read-only here")
            # Reading works (opened read-only: no -wal/-shm can be made there)…
            for argv in (["stats", "--json"], ["check", "--year", "2023"]):
                res = run(*argv, "--db", str(db))
                assert res.returncode == 0 and res.stderr == "", res.stderr
            # …and a write is one line.
            res = run("demo", "--db", str(db))
            assert res.returncode == 2 and "不可写" in one_line(res)


def test_exclusive_lock_of_another_process_is_busy_not_damage(tmp_path: Path) -> None:
    db = empty_ledger(tmp_path / "ledger.sqlite3")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "con.execute('PRAGMA locking_mode=EXCLUSIVE')\n"
            "con.execute('BEGIN EXCLUSIVE')\n"
            "con.execute('CREATE TABLE held (x)')\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = run("stats", "--db", str(db))
        assert res.returncode == 2
        line = one_line(res)
        assert "占用" in line and "损坏" not in line
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


def test_two_imports_of_the_same_file_at_once(demo_workbook: Path, tmp_path: Path) -> None:
    db = empty_ledger(tmp_path / "ledger.sqlite3")
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "import", str(demo_workbook), "--db", str(db)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(120), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stderr.close()  # type: ignore[union-attr]
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0  # one of them wrote everything
    for code, err in results:
        assert "Traceback" not in err
        if code:  # the other (if it did not see the first's rows in time) said so in one line
            assert code == 2 and len(err.strip().splitlines()) == 1 and "冲突" in err
    assert integrity(db) == "ok"
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM member").fetchone()[0] == 748
    con.close()


def test_a_server_url_is_never_echoed_with_its_password() -> None:
    for url in (
        "postgresql://clerk:s3cr%40t-pw@127.0.0.1:1/",
        "postgresql://clerk:s3cr%40t-pw@127.0.0.1:1",
        "postgresql://clerk:s3cr%40t-pw@127.0.0.1:1/ledger",
    ):
        res = run("stats", "--db", url)
        assert res.returncode == 2
        line = one_line(res)
        assert "s3cr" not in line
        if url.endswith(("1", "1/")):  # refused before connecting: the URL is shown, masked
            assert "postgresql://clerk@127.0.0.1:1" in line


def test_an_empty_file_becomes_a_private_database_and_the_user_is_told(tmp_path: Path) -> None:
    db = tmp_path / "touched.db"
    db.write_bytes(b"")
    db.chmod(0o644)
    res = run("demo", "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert (db.stat().st_mode & 0o777) == 0o600
    assert "0600" in res.stderr and "空文件" in res.stderr


def test_control_characters_from_cells_are_escaped_on_the_terminal(tmp_path: Path) -> None:
    workbook = tmp_path / "hostile.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["姓名", "性别", "身份证号", "类别", "备注"])
    # Excel's escapes: ESC and BEL in the 性别 cell (echoed in the error), a lone surrogate (read
    # as the literal text it is by the workbook reader, never as a broken character).
    ws.append(
        ["张_xD800_三", "男_x001B_[2J_x0007_", "11010519491231002X", "正式党员", "备注_x001B_]0;t"]
    )
    wb.save(workbook)
    db = empty_ledger(tmp_path / "ledger.sqlite3")
    before = digest(db)
    for extra in ([], ["--json"]):
        res = run("import", str(workbook), "--db", str(db), *extra)
        assert res.returncode == 1, res.stderr
        assert "Traceback" not in res.stderr
        out = res.stdout + res.stderr
        assert "\x1b" not in out and "\x07" not in out
        if not extra:
            assert "备注：含有不可见的控制字符 \\x1B（第 3 个字符）" in out
            assert "\\x1b[2J\\x07" in out  # the 性别 value, shown escaped in its message
    assert digest(db) == before


def test_terminal_helpers_escape_controls_and_keep_the_json_value() -> None:
    import json

    assert terminal_text("a\x1b[31mb\x07\x9b\ud800\n") == "a\\x1b[31mb\\x07\\x9b\\ud800\\x0a"
    assert terminal_text("行一\n行二\x1b", newlines=True) == "行一\n行二\\x1b"
    value = {"text": "a\x1b\x9b\ud800b"}
    printed = terminal_json(value)
    assert "\x9b" not in printed and "\x1b" not in printed
    assert json.loads(printed) == value


def test_restore_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    """Restore into a read-only folder: one line, the database untouched."""
    with small_disk(tmp_path / "ro2", 4096) as disk:
        if disk is None:
            pytest.skip("cannot mount a small filesystem here")
        db = empty_ledger(disk / "ledger.sqlite3")
        copy = tmp_path / "copy.sqlite3"
        shutil.copy(db, copy)
        before = digest(db)
        with read_only_mount(disk) as ok:
            if not ok:
                pytest.skip("cannot remount read-only here")
            res = run("restore", str(copy), "--db", str(db))
            assert res.returncode == 2
            one_line(res)
            assert digest(db) == before


def test_read_only_database_file_refuses_an_import_in_one_line(
    demo_workbook: Path, tmp_path: Path
) -> None:
    from tests.smalldisk import read_only_file

    db = empty_ledger(tmp_path / "ledger.sqlite3")
    before = snapshot(db)
    with read_only_file(db) as ok:
        if not ok:
            pytest.skip("cannot make a file read-only here")
        assert run("stats", "--db", str(db)).returncode == 0  # reading still works
        res = run("import", str(demo_workbook), "--db", str(db))
        assert res.returncode == 2
        assert "只读" in one_line(res)
    assert integrity(db) == "ok" and snapshot(db) == before


def test_a_lone_surrogate_or_control_character_in_a_text_cell_is_a_field_message() -> None:
    """Whatever reader hands over a lone surrogate (not a character: SQLite and every file format
    refuse it) or a control character, the text column refuses it by name, shown escaped."""
    from partybuild.exchange.read import CellError, parser
    from partybuild.ledgers import spec

    text = parser(spec.TEXT)
    with pytest.raises(CellError, match=r"孤立的代理码位.* \\uD800（第 2 个字符）"):
        text("张\ud800三")
    with pytest.raises(CellError, match=r"控制字符 \\x1B（第 3 个字符）"):
        parser(spec.LONGTEXT)("备注\x1b[31m")
    assert text("张三\t") == "张三"  # tab and newline are text, not controls to refuse
