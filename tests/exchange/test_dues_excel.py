"""党费 in Excel: export → import round trip asserted field by field, the template with its
drop-downs, and the shapes branches and owip keep (月工资收入, 执行标准, 缴费起始/截止月份)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import peewee as pw
from openpyxl import load_workbook

from partybuild.domain.dates import PartialDate
from partybuild.exchange import export as exp
from partybuild.exchange import importer as imp
from partybuild.exchange import templates
from partybuild.exchange.mapping import parse_map
from partybuild.ledgers import spec
from partybuild.services import records
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.exchange.conftest import person_id, workbook

D = Decimal
FIELDS = [c.name for c in spec.DUES.columns]


def _ledger(path: Path) -> list[m.Member]:
    open_database(path)
    branch = records.create(spec.BRANCHES, {"name": "第一联合党支部", "kind": "joint"})
    people = [
        records.create(
            spec.MEMBERS,
            {"name": name, "id_number": person_id(n), "branch": branch.id},
        )
        for n, name in enumerate(("张示安", "李示华", "王示明"), start=1)
    ]
    return people


def _snapshot() -> list[dict[str, object]]:
    rows = []
    found = m.Dues.select().join(m.Member).order_by(m.Dues.month, m.Member.id_number)
    for r in found:
        values = {f: getattr(r, f) for f in FIELDS if f != "member"}
        values["member"] = r.member.id_number
        rows.append(values)
    return rows


def test_round_trip_field_by_field(tmp_path: Path) -> None:
    a, b, c = _ledger(tmp_path / "one.sqlite3")
    records.create(
        spec.DUES,
        {"member": a.id, "month": dt.date(2023, 5, 1), "base": "5100", "paid": "76.50",
         "paid_on": dt.date(2023, 5, 12), "method": "online", "note": "按时交纳"},
    )  # fmt: skip
    records.create(
        spec.DUES,
        {"member": b.id, "month": dt.date(2023, 4, 1), "until": dt.date(2023, 6, 1),
         "kind": "retired", "base": "5000.01", "paid": "150", "paid_on": dt.date(2023, 8, 2),
         "method": "cash"},
    )  # fmt: skip
    records.create(
        spec.DUES,
        {"member": c.id, "month": dt.date(2023, 5, 1), "base": "12000", "reduction": "reduced",
         "due": "100", "decision_on": dt.date(2023, 3, 1), "decision_doc": "园党委〔2023〕2号"},
    )  # fmt: skip
    records.create(spec.DUES, {"member": c.id, "month": dt.date(2023, 6, 1), "kind": "student"})
    before = _snapshot()
    out = tmp_path / "all.xlsx"
    exp.export(out)
    sheet = load_workbook(out)["党费"]
    header = [cell.value for cell in sheet[2]]
    assert header[:7] == [
        "党员身份证号",
        "姓名",
        "月份",
        "截止月份",
        "缴费类别",
        "缴费基数",
        "比例",
    ]
    first = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    assert first["月份"] == "2023.04" and first["截止月份"] == "2023.06"
    assert first["比例"] == "1%" and first["应交"] == 150 and sheet["H3"].number_format == "0.00"
    close_database()

    open_database(tmp_path / "two.sqlite3")
    plan = imp.plan_file(out)
    assert plan.counts()["dues"] == {"new": 4, "updated": 0, "unchanged": 0, "invalid": 0}
    imp.apply(plan, m.db_proxy.obj)
    after = _snapshot()
    assert len(after) == len(before) == 4
    for old, new in zip(before, after, strict=True):
        for field in FIELDS:
            assert new[field] == old[field], field
            assert type(new[field]) is type(old[field]), field
    assert after[0]["month"] == PartialDate(2023, 4) and after[0]["until"] == PartialDate(2023, 6)
    assert after[0]["due"] == D("150.00") and after[0]["rate"] == D("0.01")
    # Importing the same file again changes nothing.
    assert imp.plan_file(out).counts()["dues"]["unchanged"] == 4


def test_template_has_drop_downs_and_its_example_imports(
    tmp_path: Path, sqlite_db: pw.Database
) -> None:
    path = templates.write_template("dues", tmp_path / "dues.xlsx")
    ws = load_workbook(path)["党费"]
    headers = [cell.value for cell in ws[2]]
    assert headers[:3] == ["*党员身份证号", "姓名", "*月份"]
    lists = {v.formula1 for v in ws.data_validations.dataValidation}
    assert '"在职,离退休,学生,下岗失业,低保救济,农民,其他"' in lists
    assert '"现金,转账,线上,工资代扣,其他"' in lists
    assert '"减交,免交"' in lists


def test_a_branch_sheet_with_its_own_headers(tmp_path: Path) -> None:
    """序号, 姓名, 身份证号, 月工资收入, 执行标准, 月应缴, 实缴, 备注 — and the month given with
    --map; a 月应缴 that disagrees with the rule is refused naming the row, never stored."""
    a, b, _c = _ledger(tmp_path / "db.sqlite3")
    path = workbook(
        tmp_path / "branch.xlsx",
        {
            "2023年5月党费收缴表": [
                (
                    "序号",
                    "姓名",
                    "身份证号",
                    "月工资收入",
                    "执行标准",
                    "月应缴",
                    "实缴",
                    "缴费日期",
                    "备注",
                ),
                (1, "张示安", person_id(1), 5100, "1.5%", 76.5, 76.5, dt.date(2023, 5, 9), None),
                (2, "李示华", person_id(2), 4900, "1%", 45, None, None, "少算了"),
            ]
        },
    )
    plan = imp.plan_file(path, ledger="dues", mapping=parse_map("月份=2023.05", "dues"))
    rows = list(plan.rows())
    assert [r.state for r in rows] == ["new", "invalid"]
    assert rows[1].reasons[0].startswith("月应缴：45.00 与计算结果 49.00 不符")
    assert rows[1].row == 3
    imp.apply(plan, m.db_proxy.obj, skip_invalid=True)
    stored = m.Dues.get(m.Dues.member == a.id)
    assert (stored.month, stored.base, stored.rate, stored.due, stored.paid) == (
        PartialDate(2023, 5),
        D("5100.00"),
        D("0.015"),
        D("76.50"),
        D("76.50"),
    )
    assert not m.Dues.select().where(m.Dues.member == b.id).exists()


def test_owip_back_payment_columns(tmp_path: Path) -> None:
    """owip's 党费补缴: 缴费起始月份–缴费截止月份 is one row for the months it covers."""
    a, _b, _c = _ledger(tmp_path / "db.sqlite3")
    path = workbook(
        tmp_path / "owip.xlsx",
        {
            "党费补缴": [
                ("身份证号", "姓名", "缴费基数", "缴费起始月份", "缴费截止月份", "缴费金额", "缴费日期", "缴费说明"),
                (person_id(1), "张示安", 5100, "2023.01", "2023.03", 229.5, dt.date(2023, 6, 2), "外出务工补交"),
                (person_id(2), "李示华", None, "2023.01", "2023.02", 98, dt.date(2023, 6, 2), None),
            ]
        },
    )  # fmt: skip
    plan = imp.plan_file(path, ledger="dues")
    rows = list(plan.rows())
    assert [r.state for r in rows] == ["new", "invalid"]
    assert "须填写缴费基数" in rows[1].reasons[0]
    imp.apply(plan, m.db_proxy.obj, skip_invalid=True)
    stored = m.Dues.get(m.Dues.member == a.id)
    assert (stored.month, stored.until, stored.due, stored.paid, stored.note) == (
        PartialDate(2023, 1),
        PartialDate(2023, 3),
        D("229.50"),
        D("229.50"),
        "外出务工补交",
    )


def test_masked_export_hides_id_numbers_and_incomes(tmp_path: Path) -> None:
    a, _b, _c = _ledger(tmp_path / "db.sqlite3")
    records.create(spec.DUES, {"member": a.id, "month": dt.date(2023, 5, 1), "base": "5100"})
    out = tmp_path / "masked.xlsx"
    exp.export(out, ["dues"], mask=True)
    ws = load_workbook(out)["党费"]
    row = dict(zip([c.value for c in ws[2]], [c.value for c in ws[3]], strict=True))
    assert row["党员身份证号"] == "9999**********" + person_id(1)[-4:]
    assert row["缴费基数"] == "***" and row["应交"] == 76.5 and row["姓名"] == "张示安"
