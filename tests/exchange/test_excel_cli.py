"""``partybuild import / export / template`` as scripts use them: exit codes and the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from partybuild.cli import main
from partybuild.exchange.sheets import SEPARATE, SHEETS
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.exchange.conftest import MEMBER_HEADER, member_row, person_id, workbook

JSON_KEYS = {"written", "ledgers", "invalid_rows", "unknown_columns", "warnings"}


def count_members(db: str) -> int:
    open_database(db)
    try:
        return m.Member.select().count()
    finally:
        close_database()


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["import", *args, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_a_clean_file_imports_with_exit_0(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(1), member_row(2)]})
    code, report, err = run_json(capsys, str(path), "--db", ledger_db)
    assert code == 0 and err == ""
    assert set(report) == JSON_KEYS
    assert report == {
        "written": True,
        "ledgers": {"members": {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0}},
        "invalid_rows": [],
        "unknown_columns": [],
        "warnings": [
            {
                "ledger": "members",
                "sheet": "党员",
                "row": None,
                "message": "文件没有“状态”列，新增的 2 行记为“正常”",
            }
        ],
    }
    assert count_members(ledger_db) == 2
    assert list((tmp_path / "backups").glob("ledger-before-import-*.sqlite3"))
    code, report, _ = run_json(capsys, str(path), "--db", ledger_db)
    assert code == 0 and report["written"] is False
    assert report["ledgers"]["members"]["unchanged"] == 2


def test_invalid_rows_exit_1_and_write_nothing_unless_skipped(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(
        tmp_path / "mixed.xlsx",
        {"党员": [MEMBER_HEADER, member_row(1), member_row(2, 身份证号="12345"), ["籍贯"]]},
    )
    errors = tmp_path / "errors.xlsx"
    code, report, err = run_json(capsys, str(path), "--db", ledger_db, "--errors", str(errors))
    assert code == 1 and report["written"] is False
    assert report["invalid_rows"] == [
        {"ledger": "members", "sheet": "党员", "row": 3, "reason": "身份证号：应为18位，当前为5位"}
    ]
    assert report["ledgers"]["members"] == {"new": 1, "updated": 0, "unchanged": 0, "invalid": 1}
    assert len(err.strip().splitlines()) == 1 and "未写入任何数据" in err
    assert count_members(ledger_db) == 0
    rows = list(load_workbook(errors).active.iter_rows(values_only=True))
    assert rows[1][-2:] == ("身份证号：应为18位，当前为5位", 3)

    code, report, err = run_json(
        capsys, str(path), "--db", ledger_db, "--dry-run", "--skip-invalid"
    )
    assert code == 1 and report["written"] is False and count_members(ledger_db) == 0

    code, report, err = run_json(capsys, str(path), "--db", ledger_db, "--skip-invalid")
    assert code == 1 and report["written"] is True and "已写入" in err
    assert count_members(ledger_db) == 1


def test_dry_run_reports_without_writing(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(1)]})
    assert main(["import", str(path), "--db", ledger_db, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "党员（工作表“党员”，表头第 1 行）：新增 1" in out and "未写入数据库" in out
    assert count_members(ledger_db) == 0
    assert not (tmp_path / "backups").exists()


def test_unusable_files_exit_2_with_one_line(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.xls"  # an OLE header and nothing of a workbook after it
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert main(["import", str(old), "--db", ledger_db, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err == "partybuild: “old.xls”已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取\n"
    )
    assert main(["import", str(tmp_path / "none.xlsx"), "--db", ledger_db]) == 2
    capsys.readouterr()


def test_import_one_ledger_of_an_all_ledgers_file(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(
        tmp_path / "two.xlsx",
        {
            "企业": [["名称"], ["金诚新材料有限公司"]],
            "党员": [MEMBER_HEADER, member_row(1)],
        },
    )
    code, report, _ = run_json(capsys, str(path), "--db", ledger_db, "--ledger", "members")
    assert code == 0 and list(report["ledgers"]) == ["members"]


def test_export_and_template(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook(tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(1)]})
    assert main(["import", str(tmp_path / "ok.xlsx"), "--db", ledger_db]) == 0
    out = tmp_path / "all.xlsx"
    assert main(["export", "--db", ledger_db, "-o", str(out)]) == 0
    sheets = len(SHEETS) - len(SEPARATE)  # every sheet of an all-ledgers file, 党费 too
    assert f"已导出 {sheets} 个工作表" in capsys.readouterr().out
    assert load_workbook(out, read_only=True).sheetnames[:3] == ["党组织", "企业", "党员"]
    masked = tmp_path / "members.xlsx"
    assert (
        main(["export", "--db", ledger_db, "--ledger", "members", "--mask", "-o", str(masked)]) == 0
    )
    rows = list(load_workbook(masked).active.iter_rows(values_only=True))
    assert person_id(1) not in {c for row in rows for c in row}
    template = tmp_path / "template.xlsx"
    assert main(["template", "--ledger", "issues", "-o", str(template)]) == 0
    assert load_workbook(template).sheetnames == ["企业诉求", "填写说明"]
    assert main(["export", "--db", ledger_db, "-o", str(tmp_path / "out.csv")]) == 2
    assert main(["export", "--db", str(tmp_path / "missing.sqlite3"), "-o", str(out)]) == 2
