"""发展党员 on the command line: ``check --json`` lists, ``import --ledger recruitment``, the two
printouts, on a copy of the demo ledger."""

from __future__ import annotations

import json
from pathlib import Path

import peewee as pw
import pytest

from partybuild.cli import main
from partybuild.store.database import close_database


@pytest.fixture
def demo_path(demo: pw.Database) -> Path:
    path = Path(demo.database)
    close_database()
    return path


def test_check_json_has_recruitment_and_renewal_lists(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--db", str(demo_path), "--year", "2023", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "reminders" in data and "quorum" in data  # the existing keys stay
    late = [r for r in data["recruitment"] if r["overdue"]]
    assert [(r["rule_key"], r["rule"]) for r in late] == [("approval", "应报上级党委审批")]
    item = late[0]
    assert set(item) == {
        "branch",
        "person",
        "member_id",
        "rule",
        "rule_key",
        "basis",
        "due",
        "overdue",
    }
    assert item["due"] < "2023-12-31" and "第二十六条" in item["basis"]
    renewal = data["renewal"]
    assert {r["branch"] for r in renewal if r["overdue"]} == {"绿源新材料有限公司党支部"}
    assert set(renewal[0]) == {"branch", "branch_id", "rule", "rule_key", "basis", "due", "overdue"}


def test_check_text_lists_the_groups(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--db", str(demo_path), "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "发展党员提醒（" in out and "换届提醒（" in out and "应报上级党委审批" in out


def test_print_recruitment_and_record(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger, record = tmp_path / "台账.pdf", tmp_path / "纪实表.pdf"
    args = ["print", "recruitment", "--db", str(demo_path), "--branch", "宏图医药有限公司党支部"]
    assert main([*args, "-o", str(ledger)]) == 0
    assert ledger.stat().st_size > 0
    assert (
        main(["print", "record", "--db", str(demo_path), "--member", "唐示文", "-o", str(record)])
        == 0
    )
    assert "发展党员纪实表：1 页" in capsys.readouterr().out
    assert (
        main(["print", "record", "--db", str(demo_path), "--member", "无此人", "-o", str(record)])
        == 1
    )
    assert "发展党员中没有此人" in capsys.readouterr().err


def test_export_and_import_the_pipeline(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "发展党员.xlsx"
    assert main(["export", "--db", str(demo_path), "--ledger", "recruitment", "-o", str(out)]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "import",
                "--db",
                str(demo_path),
                "--ledger",
                "recruitment",
                "--dry-run",
                "--json",
                str(out),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    counts = report["ledgers"]["recruitment"]
    assert report["written"] is False
    assert (
        counts["new"] == counts["updated"] == counts["invalid"] == 0 and counts["unchanged"] > 100
    )
