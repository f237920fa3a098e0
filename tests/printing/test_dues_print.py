"""党费收缴公示表 and 台账 printed to PDF and read back: figures, states, incomes masked by the
setting, and the CLI's exit codes."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import peewee as pw
import pytest

from partybuild.cli import main
from partybuild.domain import dues as rules_mod
from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import dues, records
from tests.printing.conftest import read_pdf


@pytest.fixture
def branch_dues(sqlite_db: pw.Database) -> str:
    branch = records.create(spec.BRANCHES, {"name": "化工园第一党支部", "kind": "standalone"})
    people = [("赵甲甲", "5100"), ("钱乙乙", "12000"), ("孙丙丙", "4900")]
    for seq, (name, base) in enumerate(people, start=1):
        who = records.create(
            spec.MEMBERS,
            {
                "name": name,
                "id_number": make_id_number("999999", dt.date(1980, 1, 1), seq),
                "branch": branch.id,
            },
        )
        for month in (4, 5, 6):
            data = {"member": who.id, "month": dt.date(2023, month, 1), "base": base}
            if not (name == "孙丙丙" and month == 6):
                day = dt.date(2023, 7, 3) if (name == "钱乙乙" and month == 5) else None
                data["paid"] = dues.calculate("working", rules_mod.money(base)).due
                data["paid_on"] = day or dt.date(2023, month, 8)
            records.create(spec.DUES, data)
    return str(sqlite_db.database)


def test_monthly_notice_read_back(branch_dues: str, tmp_path: Path) -> None:
    out = tmp_path / "gs.pdf"
    code = main(
        ["print", "dues", "--db", branch_dues, "--branch", "化工园第一党支部",
         "--month", "2023-06", "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    text = read_pdf(out).text
    assert "化工园第一党支部2023年6月党费收缴公示表" in text
    assert "应交合计：365.50 元" in text and "实交合计：316.50 元（收缴率 86.6%）" in text
    for name, due in (("赵甲甲", "76.50"), ("钱乙乙", "240.00"), ("孙丙丙", "49.00")):
        assert name in text and due in text
    assert "未交" in text and "已交" in text
    assert "5100.00" not in text and "12000.00" not in text  # incomes hidden by default
    assert "缴费基数（收入）已隐去" in text


def test_committee_setting_shows_incomes_and_saves_privately(
    branch_dues: str, tmp_path: Path
) -> None:
    dues.save_rules(rules_mod.with_changes(dues.load_rules(), committee_print=True))
    out = tmp_path / "committee.pdf"
    args = ["print", "dues", "--db", branch_dues, "--branch", "化工园第一党支部"]
    assert main([*args, "--quarter", "2023-Q2", "-o", str(out)]) == 0
    text = read_pdf(out).text
    assert "2023年4月至6月党费收缴公示表" in text
    assert "5100.00" in text and "12000.00" in text and "仅供党委内部使用" in text
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_yearly_ledger_marks_back_payment(branch_dues: str, tmp_path: Path) -> None:
    out = tmp_path / "tz.pdf"
    args = ["print", "dues", "--db", branch_dues, "--branch", "化工园第一党支部"]
    assert main([*args, "--year", "2023", "-o", str(out)]) == 0
    text = read_pdf(out).text
    assert "化工园第一党支部2023年党费收缴台账" in text
    assert "240.00*" in text  # 钱乙乙's May paid in July: 补交
    assert "720.00" in text  # 钱乙乙 全年应缴 (three months)
    assert "147.00" in text and "98.00" in text  # 孙丙丙 全年应缴 / 全年实缴


def test_bad_month_and_unknown_branch(branch_dues: str, tmp_path: Path, capsys) -> None:
    args = ["print", "dues", "--db", branch_dues, "-o", str(tmp_path / "x.pdf")]
    assert main([*args, "--branch", "化工园第一党支部", "--month", "2023-13"]) == 2
    assert "--month 应写成 YYYY-MM" in capsys.readouterr().err
    assert main([*args, "--branch", "没有这个支部", "--month", "2023-06"]) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_the_print_lists_members_in_the_chosen_name_order(branch_dues: str) -> None:
    from partybuild.printing import dues as dues_print
    from partybuild.store import models as m

    branch = m.Branch.get(m.Branch.name == "化工园第一党支部")
    month = dt.date(2023, 6, 1)
    assert dues_print.notice(branch.id, month, order="stroke").names == (
        "孙丙丙",
        "赵甲甲",
        "钱乙乙",
    )
    assert dues_print.notice(branch.id, month, order="pinyin").names == (
        "钱乙乙",
        "孙丙丙",
        "赵甲甲",
    )
    assert dues_print.notice(branch.id, month, order="entry").names == (
        "赵甲甲",
        "钱乙乙",
        "孙丙丙",
    )
    ledger = dues_print.yearly_ledger(branch.id, 2023, order="stroke")
    assert ledger.names == ("孙丙丙", "赵甲甲", "钱乙乙")
