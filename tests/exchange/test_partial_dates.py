"""Rosters keep 入党时间 “1998.11”, 转正时间 “1999年11月”, 成立时间 “2005”: imported as written,
stored with their precision, shown and exported as written, and read back unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from partybuild.domain.dates import PartialDate
from partybuild.exchange import export as exp
from partybuild.exchange import importer as imp
from partybuild.exchange.importer import INVALID, NEW, UNCHANGED
from partybuild.ledgers import spec
from partybuild.ledgers.display import display_value
from partybuild.services import details
from partybuild.services.query import Filters, LedgerQuery
from partybuild.store import models as m
from tests.exchange.conftest import Registry, person_id, workbook

BRANCH_2 = "第二联合党支部"


def month_roster(path: Path) -> Path:
    return workbook(
        path,
        {
            "党组织": [
                ["党组织名称", "党组织类型", "成立时间", "换届时间"],
                [BRANCH_2, "联合党支部", "2005", "2021.06"],
            ],
            "党员": [
                ["姓名", "身份证号", "所属党组织", "类别", "入党时间", "转正时间"],
                ["张示安", person_id(1), BRANCH_2, "正式党员", "1998.11", "1999年11月"],
                ["李示芳", person_id(2), BRANCH_2, "正式党员", "2001-07-01", "2002-07-01"],
                ["王示明", person_id(3), BRANCH_2, "预备党员", "2023-05", None],
                ["赵示华", person_id(5), BRANCH_2, "正式党员", "1998.11", "1999.10"],  # < 1 year
                ["钱示文", person_id(7), BRANCH_2, "正式党员", 1998.1, None],  # Jan or Oct?
            ],
            "志愿服务队": [
                ["服务队名称", "队伍类型", "成立时间"],
                ["第二支部志愿服务队", "党员志愿服务队", "2019.3"],
            ],
        },
    )


def test_a_roster_kept_to_the_month_imports_exactly_as_written(
    tmp_path: Path, registry: Registry
) -> None:
    plan = imp.plan_file(month_roster(tmp_path / "roster.xlsx"))
    states = {(r.sheet.title, r.row): r.state for r in plan.rows()}
    assert states == {
        ("党组织", 2): NEW,
        ("党员", 2): NEW,
        ("党员", 3): NEW,
        ("党员", 4): NEW,
        ("党员", 5): INVALID,
        ("党员", 6): INVALID,
        ("志愿服务队", 2): NEW,
    }
    why = {r.row: r.reason for r in plan.rows() if r.state == INVALID}
    assert why[5] == "转正时间：转正日期距入党日期（1998.11）不足一年，预备期为一年"
    assert why[6] == (
        "入党时间：数字“1998.1”无法确定月份：可能是 1998年1月，也可能是 1998年10月"
        "（Excel 会去掉数字末尾的 0）；请将该列设为文本，填写 1998.01 或 1998.10"
    )
    imp.apply(plan, skip_invalid=True)

    branch = m.Branch.get(m.Branch.name == BRANCH_2)
    assert branch.founded_on == PartialDate(2005) and branch.founded_on_precision == "year"
    assert branch.renewed_on == PartialDate(2021, 6) and branch.renewed_on_precision == "month"
    people = {p.name: p for p in m.Member.select()}
    zhang, li, wang = people["张示安"], people["李示芳"], people["王示明"]
    assert zhang.joined_on == PartialDate(1998, 11) and zhang.joined_on_precision == "month"
    assert zhang.confirmed_on == PartialDate(1999, 11) and zhang.confirmed_on_precision == "month"
    assert zhang.birth_date == dt.date(1985, 6, 15) and zhang.birth_date_precision is None
    assert li.joined_on == dt.date(2001, 7, 1) and type(li.joined_on) is dt.date
    assert li.joined_on_precision is None and li.confirmed_on == dt.date(2002, 7, 1)
    assert wang.joined_on == PartialDate(2023, 5) and wang.confirmed_on is None
    team = m.Team.get(m.Team.name == "第二支部志愿服务队")
    assert team.founded_on == PartialDate(2019, 3) and team.founded_on_precision == "month"
    # The DATE column holds the first day, so SQL sorts and filters by year as before.
    raw = (
        m.Member.select(m.Member.joined_on, m.Member.joined_on_precision)
        .where(m.Member.id == zhang.id)
        .tuples()
        .get()
    )
    assert raw == (dt.date(1998, 11, 1), "month") and type(raw[0]) is dt.date

    # Shown as written: the members page, its filters and sorting, the detail.
    ledger = spec.MEMBERS
    joined = [c.name for c in ledger.columns].index("joined_on")
    confirmed = [c.name for c in ledger.columns].index("confirmed_on")
    query = LedgerQuery(ledger, Filters(year=1998), sort_column="joined_on")
    rows = query.rows()
    assert [display_value(ledger.columns[joined], r.values[joined]) for r in rows] == ["1998.11"]
    assert display_value(ledger.columns[confirmed], rows[0].values[confirmed]) == "1999.11"
    everyone = LedgerQuery(ledger, Filters(branch_id=branch.id), sort_column="joined_on").rows()
    shown = [display_value(ledger.columns[joined], r.values[joined]) for r in everyone]
    assert shown == ["1998.11", "2001-07-01", "2023.05"]
    detail = details.member_detail(zhang.id, today=dt.date(2023, 11, 15))
    assert detail.joined_on == PartialDate(1998, 11) and detail.confirmed_on.shown() == "1999.11"
    # 党龄 from 转正 “1999.11” on 2023-11-15: 24 years if on the 1st, 23 if on the 30th → 23.
    assert detail.party_years == 23 and detail.party_years_at_least
    assert details.member_detail(zhang.id, today=dt.date(2023, 12, 1)).party_years == 24
    assert details.member_detail(li.id, today=dt.date(2023, 11, 15)).party_years == 21
    assert not details.member_detail(li.id, today=dt.date(2023, 11, 15)).party_years_at_least
    branches = LedgerQuery(spec.BRANCHES, Filters(year=2005)).rows()
    founded = [c.name for c in spec.BRANCHES.columns].index("founded_on")
    assert [display_value(spec.BRANCHES.columns[founded], r.values[founded]) for r in branches] == [
        "2005"
    ]


def test_month_dates_export_as_written_and_reimport_unchanged(
    tmp_path: Path, registry: Registry
) -> None:
    imp.apply(imp.plan_file(month_roster(tmp_path / "roster.xlsx")), skip_invalid=True)
    out = tmp_path / "export.xlsx"
    exp.export(out)
    book = load_workbook(out)
    members = book["党员"]
    header = [c.value for c in members[2]]
    by_name = {row[0].value: row for row in members.iter_rows(min_row=3)}
    zhang = by_name["张示安"]
    joined = zhang[header.index("入党日期")]
    assert joined.value == "1998.11" and joined.data_type == "s" and joined.number_format == "@"
    assert zhang[header.index("转正日期")].value == "1999.11"
    li = by_name["李示芳"]
    assert li[header.index("入党日期")].value == dt.datetime(2001, 7, 1)  # a full date stays one
    branches = book["党组织"]
    branch_header = [c.value for c in branches[2]]
    row = next(r for r in branches.iter_rows(min_row=3) if r[0].value == BRANCH_2)
    assert row[branch_header.index("成立日期")].value == "2005"
    assert row[branch_header.index("换届日期")].value == "2021.06"

    # The same file read back: nothing to change.
    again = imp.plan_file(out)
    assert {r.state for r in again.rows()} == {UNCHANGED}
    # Into an empty database: the same values, field by field.
    before = {
        p.id_number: (p.joined_on, p.joined_on_precision, p.confirmed_on, p.confirmed_on_precision)
        for p in m.Member.select()
    }
    for model in reversed(m.LEDGER_MODELS):
        model.delete().execute()
    m.AuditEntry.delete().execute()
    imp.apply(imp.plan_file(out))
    after = {
        p.id_number: (p.joined_on, p.joined_on_precision, p.confirmed_on, p.confirmed_on_precision)
        for p in m.Member.select()
    }
    assert after == before
    assert after[person_id(1)] == (PartialDate(1998, 11), "month", PartialDate(1999, 11), "month")
    assert m.Branch.get(m.Branch.name == BRANCH_2).founded_on == PartialDate(2005)
    second = tmp_path / "again.xlsx"
    exp.export(second)
    first_cells = [[c.value for c in r] for r in load_workbook(out)["党员"].iter_rows()]
    second_cells = [[c.value for c in r] for r in load_workbook(second)["党员"].iter_rows()]
    assert first_cells == second_cells


def test_a_month_replacing_a_day_is_an_update_with_its_trail(
    tmp_path: Path, registry: Registry
) -> None:
    """A member stored 1998-11-01 and a roster saying 1998.11 differ: an update, not 'unchanged'."""
    from partybuild.services import audit, records

    member = records.create(
        "members",
        {
            "name": "张示安",
            "id_number": person_id(1),
            "joined_on": dt.date(1998, 11, 1),
            "confirmed_on": dt.date(1999, 11, 1),
        },
    )
    path = workbook(
        tmp_path / "months.xlsx",
        {"党员": [["姓名", "身份证号", "入党时间"], ["张示安", person_id(1), "1998.11"]]},
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == ["update"]
    imp.apply(plan)
    stored = m.Member.get_by_id(member.id)
    assert stored.joined_on == PartialDate(1998, 11) and stored.joined_on_precision == "month"
    change = next(e for e in audit.entries() if e.record_id == member.id and e.action == "import")
    change = change.changes
    assert {
        "field": "joined_on",
        "label": "入党日期",
        "old": "1998-11-01",
        "new": "1998.11",
    } in change


def test_the_template_takes_a_month_as_typed_and_says_so(
    tmp_path: Path, registry: Registry
) -> None:
    from partybuild.exchange import templates

    path = templates.write_template("members", tmp_path / "members.xlsx")
    book = load_workbook(path)
    ws = book["党员"]
    headers = [str(c.value).lstrip("*") for c in ws[2]]
    letter = ws.cell(row=2, column=headers.index("入党日期") + 1).column_letter
    # Text, so Excel keeps “1998.11” as typed instead of turning it into a day.
    assert ws.column_dimensions[letter].number_format == "@"
    assert ws[f"{letter}3"].value == "2010-07-01"
    notes = [row[0].value for row in book["填写说明"].iter_rows() if row[0].value]
    assert any("只知道年月时写 1998.11" in str(n) and "不补日" in str(n) for n in notes)
    assert not any("无法导入" in str(n) and "2019.07" in str(n) for n in notes)
    ws.append([None] * len(headers))
    row = ws.max_row
    for header, value in {
        "姓名": "张示安",
        "身份证号": person_id(1),
        "类别": "正式党员",  # a blank 类别 is asked for, never defaulted
        "入党日期": "1998.11",
    }.items():
        ws.cell(row=row, column=headers.index(header) + 1, value=value)
    book.save(path)
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW]
    assert next(iter(plan.rows())).values["joined_on"] == PartialDate(1998, 11)
