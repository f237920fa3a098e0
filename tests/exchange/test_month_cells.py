"""“1998-11” typed into Excel becomes the date 1998-11-01 formatted ``yyyy-mm``: the sheet shows
a month, and a month is what is stored — never the made-up 1st (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from partybuild.domain.dates import PartialDate
from partybuild.exchange import importer as imp
from partybuild.exchange import read as rd
from partybuild.exchange import scan
from partybuild.exchange.importer import INVALID, NEW
from partybuild.store import models as m
from tests.exchange.conftest import Registry, person_id

BRANCH_3 = "第三联合党支部"
YM = "yyyy-mm"
YM_CN = 'yyyy"年"m"月"'
Y = "yyyy"
YMD = "yyyy-mm-dd"


def formatted(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook whose cells are values, or (date, number format) as Excel keeps a typed
    “1998-11”."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, tuple):
                    cell = ws.cell(r, c, value[0])
                    cell.number_format = value[1]
                else:
                    ws.cell(r, c, value)
    book.save(path)
    return path


def roster(path: Path) -> Path:
    nov = dt.date(1998, 11, 1)
    return formatted(
        path,
        {
            "党组织": [
                ["党组织名称", "党组织类型", "成立时间", "换届时间"],
                [BRANCH_3, "联合党支部", (dt.date(2005, 1, 1), Y), (dt.date(2021, 6, 1), YM_CN)],
            ],
            "党员": [
                ["姓名", "身份证号", "所属党组织", "类别", "出生日期", "入党时间", "转正时间"],
                [
                    "张示安",
                    person_id(1),
                    BRANCH_3,
                    "正式党员",
                    (dt.date(1985, 6, 1), YM),  # the ID number gives the day
                    (nov, YM),
                    (dt.date(1999, 11, 1), YM_CN),
                ],
                [
                    "李示芳",
                    person_id(2),
                    BRANCH_3,
                    "正式党员",
                    None,
                    (dt.date(2001, 7, 1), YMD),  # a full date stays one, 1st or not
                    (dt.date(2002, 7, 1), YMD),
                ],
                [
                    "王示明",
                    person_id(3),
                    BRANCH_3,
                    "正式党员",
                    None,
                    (dt.date(1990, 1, 1), Y),
                    (dt.date(1991, 3, 1), "mmm-yy"),
                ],
            ],
            "志愿服务队": [
                ["服务队名称", "队伍类型", "成立时间"],
                ["第三支部志愿服务队", "党员志愿服务队", (dt.date(2019, 3, 1), "yyyy.mm")],
            ],
        },
    )


FILES = Path(__file__).parent / "files"


def test_month_formatted_date_cells_are_stored_as_the_month_they_show(
    tmp_path: Path, registry: Registry
) -> None:
    assert_stored_as_shown(roster(tmp_path / "roster.xlsx"))


def test_libreoffice_month_date_styles_are_read_the_same(registry: Registry) -> None:
    """The same roster saved by LibreOffice as .ods: ``number:date-style`` without a day."""
    assert_stored_as_shown(FILES / "month-cells-libreoffice.ods")


def assert_stored_as_shown(path: Path) -> None:
    plan = imp.plan_file(path)
    assert {(r.sheet.title, r.row): r.state for r in plan.rows()} == {
        ("党组织", 2): NEW,
        ("党员", 2): NEW,
        ("党员", 3): NEW,
        ("党员", 4): NEW,
        ("志愿服务队", 2): NEW,
    }
    imp.apply(plan)

    branch = m.Branch.get(m.Branch.name == BRANCH_3)
    assert branch.founded_on == PartialDate(2005) and branch.founded_on_precision == "year"
    assert branch.renewed_on == PartialDate(2021, 6) and branch.renewed_on_precision == "month"
    people = {p.name: p for p in m.Member.select()}
    zhang, li, wang = people["张示安"], people["李示芳"], people["王示明"]
    assert zhang.joined_on == PartialDate(1998, 11) and zhang.joined_on_precision == "month"
    assert zhang.confirmed_on == PartialDate(1999, 11) and zhang.confirmed_on_precision == "month"
    assert zhang.birth_date == dt.date(1985, 6, 15) and zhang.birth_date_precision is None
    assert li.joined_on == dt.date(2001, 7, 1) and li.joined_on_precision is None
    assert li.confirmed_on == dt.date(2002, 7, 1) and li.confirmed_on_precision is None
    assert wang.joined_on == PartialDate(1990) and wang.joined_on_precision == "year"
    assert wang.confirmed_on == PartialDate(1991, 3) and wang.confirmed_on_precision == "month"
    team = m.Team.get(m.Team.name == "第三支部志愿服务队")
    assert team.founded_on == PartialDate(2019, 3) and team.founded_on_precision == "month"


def test_an_event_on_a_month_formatted_cell_is_refused_never_padded(
    tmp_path: Path, registry: Registry
) -> None:
    header = ["培训名称", "培训类型", "培训日期"]
    path = formatted(
        tmp_path / "trainings.xlsx",
        {
            "培训": [
                header,
                ["党课甲", "专题党课", (dt.date(2019, 7, 1), YM)],
                ["党课乙", "专题党课", (dt.date(2019, 7, 1), YM_CN)],
                ["党课丙", "专题党课", (dt.date(2019, 1, 1), Y)],
                ["党课丁", "专题党课", (dt.date(2019, 7, 1), YMD)],
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [INVALID, INVALID, INVALID, NEW]
    why = [r.reason for r in plan.rows() if r.state == INVALID]
    assert why == [
        "培训日期：“2019-07”只精确到月，无法确定具体日期，请填写完整日期（如 2019-07-01）",
        "培训日期：“2019年7月”只精确到月，无法确定具体日期，请填写完整日期（如 2019-07-01）",
        "培训日期：“2019”只有年份，请填写完整日期（如 2019-07-01）",
    ]
    imp.apply(plan, skip_invalid=True)
    assert [(t.name, t.start_date) for t in m.Training.select().where(m.Training.name == "党课丁")]
    assert (
        not m.Training.select().where(m.Training.name.in_(["党课甲", "党课乙", "党课丙"])).count()
    )
    day = m.Training.get(m.Training.name == "党课丁").start_date
    assert day == dt.date(2019, 7, 1)


def test_a_text_column_gets_what_the_month_cell_shows(tmp_path: Path, registry: Registry) -> None:
    path = formatted(
        tmp_path / "post.xlsx",
        {
            "党员": [
                ["姓名", "身份证号", "所属党组织", "类别", "党内职务"],
                [
                    "张示安",
                    person_id(1),
                    registry.branch.name,
                    "正式党员",
                    (dt.date(1998, 11, 1), YM),
                ],
            ]
        },
    )
    imp.apply(imp.plan_file(path))
    assert m.Member.get(m.Member.name == "张示安").party_post == "1998-11"


def test_the_styles_are_read_once_and_only_dayless_date_formats_count(tmp_path: Path) -> None:
    path = formatted(
        tmp_path / "styles.xlsx",
        {
            "表": [
                [(dt.date(1998, 11, 1), YM), (dt.date(1998, 11, 1), YMD), (dt.date(1998, 1, 1), Y)],
                [(1985.1, "0.00"), (dt.date(1998, 11, 1), 'm"月"d"日"'), "1998-11"],
            ]
        },
    )
    with zipfile.ZipFile(path) as archive:
        styles = scan.date_styles(archive)
    assert sorted(styles.values()) == [("month", YM), ("year", Y)]
    with rd.open_workbook(path) as book:
        rows = dict(book.sheets[0].rows())
    assert [str(c) if type(c) is rd.ShownDate else c for c in rows[1]] == [
        "1998-11",
        dt.date(1998, 11, 1),
        "1998",
    ]
    assert [type(c) for c in rows[1]] == [rd.ShownDate, dt.date, rd.ShownDate]
    assert rows[2] == (1985.1, dt.date(1998, 11, 1), "1998-11")
    assert scan.format_precision('[$-804]yyyy"年"m"月";@') == "month"
    assert scan.format_precision("0.00E+00") is None
    assert scan.format_precision("General") is None
    assert scan.format_precision("yyyy-mm-dd hh:mm") is None


def test_month_cells_of_a_writer_that_leaves_out_cell_references(tmp_path: Path) -> None:
    """``r=`` is optional on cells: the month cells are then found by counting, row by row."""
    path = formatted(
        tmp_path / "plain.xlsx",
        {"表": [["甲", (dt.date(1998, 11, 1), YM)], [(dt.date(2005, 1, 1), Y), "乙"]]},
    )
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bare, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'(<c\b[^>]*?) r="[A-Z]+\d+"', rb"\1", data)
                assert b'<c r="' not in data
            out.writestr(info, data)
    with rd.open_workbook(bare) as book:
        rows = dict(book.sheets[0].rows())
    assert [str(c) for c in rows[1]] == ["甲", "1998-11"] and type(rows[1][1]) is rd.ShownDate
    assert [str(c) for c in rows[2]] == ["2005", "乙"] and type(rows[2][0]) is rd.ShownDate
