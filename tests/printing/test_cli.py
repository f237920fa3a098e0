"""``partybuild print …`` as scripts use it: exit 0 with a PDF, 1 naming what is unknown or
ambiguous, 2 for an unusable database, argument or output."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from partybuild.cli import main
from partybuild.services import records
from partybuild.store.database import close_database
from tests.printing.conftest import Park, read_pdf, training_with

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ledger(park: Park, tmp_path: Path) -> Path:
    """A database file with the park, 30 people on the first training and a second training."""
    training_with(park, 30)
    records.create(
        "trainings",
        {
            "name": "2023年党员轮训（第二期）",
            "kind": "rotation",
            "start_date": dt.date(2023, 9, 12),
        },
    )
    records.create(
        "activities",
        {
            "branch": park.branches[0],
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 28),
            "topic": "第一季度党员大会",
        },
    )
    close_database()
    return tmp_path / "ledger.sqlite3"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["print", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "args",
    [
        ("signin", "--training", "2023年党员轮训（第一期）"),
        ("signin", "--training", "1"),
        ("summary", "--training", "第一期"),
        ("signin", "--activity", "1"),
        ("roster", "--branch", "测试第一联合党支部"),
    ],
)
def test_success_writes_the_pdf(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    out_file = tmp_path / "out.pdf"
    code, out, err = cli(capsys, *args, "--db", str(ledger), "-o", str(out_file))
    assert (code, err) == (0, "")
    pdf = read_pdf(out_file)
    assert len(pdf.pages) >= 1 and f"共 {len(pdf.pages)} 页" in pdf.pages[0]
    assert str(out_file) in out and f"{len(pdf.pages)} 页" in out


def test_roster_unmasked_only_when_asked(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from partybuild.store import models as m
    from partybuild.store.database import open_database

    open_database(ledger)
    member = m.Member.select().where(m.Member.branch_id == 1).first()
    close_database()
    masked, full = tmp_path / "masked.pdf", tmp_path / "full.pdf"
    assert (
        cli(
            capsys,
            "roster",
            "--branch",
            "测试第一联合党支部",
            "--db",
            str(ledger),
            "-o",
            str(masked),
        )[0]
        == 0
    )
    assert (
        cli(
            capsys,
            "roster",
            "--branch",
            "测试第一联合党支部",
            "--unmasked",
            "--db",
            str(ledger),
            "-o",
            str(full),
        )[0]
        == 0
    )
    assert member.id_number not in read_pdf(masked).text
    assert member.id_number in read_pdf(full).text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("signin", "--training", "不存在的培训"), ["不存在的培训"]),
        (("summary", "--training", "999"), ["999"]),
        (
            ("signin", "--training", "党员轮训"),
            ["2023年党员轮训（第一期）（2023-06-20", "2023年党员轮训（第二期）（2023-09-12"],
        ),
        (("roster", "--branch", "第九支部"), ["第九支部"]),
        (("roster", "--branch", "测试"), ["测试第一联合党支部", "测试第二联合党支部"]),
        (("signin", "--activity", "999"), ["999"]),
    ],
)
def test_unknown_or_ambiguous_exits_1_naming_it(
    ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    expected: list[str],
) -> None:
    out_file = tmp_path / "out.pdf"
    code, out, err = cli(capsys, *args, "--db", str(ledger), "-o", str(out_file))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    for text in expected:
        assert text in err
    assert not out_file.exists()


def test_unusable_database_argument_or_output_exits_2(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = str(tmp_path / "out.pdf")
    missing = str(tmp_path / "missing.sqlite3")
    not_db = tmp_path / "notes.txt"
    not_db.write_text("不是数据库\n", encoding="utf-8")
    for args in (
        ("signin", "--training", "1", "--db", missing, "-o", out_file),
        ("signin", "--training", "1", "--db", str(not_db), "-o", out_file),
        ("signin", "--activity", "abc", "--db", str(ledger), "-o", out_file),
        ("signin", "--training", "1", "--db", str(ledger), "-o", str(tmp_path / "no" / "x.pdf")),
    ):
        code, out, err = cli(capsys, *args)
        assert code == 2, args
        assert out == "" and len(err.strip().splitlines()) == 1
    assert not Path(missing).exists()


def test_a_500_name_sheet_from_a_real_process(park: Park, tmp_path: Path) -> None:
    """The entry point as a script runs it, with no display and no QT_QPA_PLATFORM set."""
    training_with(park, 500)
    close_database()
    out_file = tmp_path / "big.pdf"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    res = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "print", "signin", "--training", "第一期",
         "--db", str(tmp_path / "ledger.sqlite3"), "-o", str(out_file)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "24 页" in res.stdout
    assert len(read_pdf(out_file).pages) == 24
