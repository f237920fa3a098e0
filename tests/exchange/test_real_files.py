"""Workbooks in the shapes real systems and offices produce, read as they show, field by field.

Each file is built in code (or, for .xls and .ods, saved by LibreOffice from one built in code:
``tests/exchange/files/make_files.py``) from synthetic people of the region 999999.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import peewee as pw
import pytest
from openpyxl import Workbook

from partybuild.exchange import importer as imp
from partybuild.exchange import read as rd
from partybuild.exchange import scan
from partybuild.services import records
from partybuild.store import models as m
from tests.exchange.conftest import MEMBER_HEADER, member_row, person_id, workbook

FILES = Path(__file__).parent / "files"
BRANCH_A, BRANCH_B = "第一联合党支部", "第二联合党支部"
FIRMS = {
    "恒远化工有限公司": BRANCH_A,
    "瑞丰医药有限公司": BRANCH_A,
    "华新材料有限公司": BRANCH_B,
}


@pytest.fixture
def park(sqlite_db: pw.Database) -> dict[str, int]:
    """Two branches and three enterprises, by name → id."""
    ids: dict[str, int] = {}
    for name in (BRANCH_A, BRANCH_B):
        ids[name] = records.create("branches", {"name": name, "kind": "joint"}).id
    for firm, branch in FIRMS.items():
        ids[firm] = records.create("enterprises", {"name": firm, "branch": ids[branch]}).id
    return ids


def stored_members() -> dict[str, m.Member]:
    return {x.id_number: x for x in m.Member.select()}


def warnings_of(plan: imp.ImportPlan) -> list[str]:
    return [w.message for w in plan.warnings]


def imported(path: Path, ledger: str | None = None) -> imp.ImportPlan:
    plan = imp.read_file(path, ledger)
    imp.plan(plan)
    return plan


def with_cached_values(path: Path, values: dict[str, str]) -> Path:
    """Give formula cells (by reference) the cached result Excel would have saved with them."""
    source = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for ref, value in values.items():
                    text, n = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                        rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>',
                        text,
                    )
                    assert n == 1, ref
                data = text.encode()
            new.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


# --------------------------------------------------------------------------- merged cells


def test_enterprise_and_branch_merged_over_each_enterprises_members(
    tmp_path: Path, park: dict[str, int]
) -> None:
    """12 members, 所在企业 merged over each enterprise's members and 所属党组织 over each
    branch's: every member gets the enterprise and branch the sheet shows beside them."""
    header = ["序号", "姓名", "身份证号", "所在企业", "所属党组织", "类别"]
    firms = [*["恒远化工有限公司"] * 5, *["瑞丰医药有限公司"] * 3, *["华新材料有限公司"] * 4]
    rows: list[list[Any]] = [["2023年党员花名册", *[None] * 5], header]
    for n, firm in enumerate(firms, start=1):
        first = n == 1 or firms[n - 2] != firm
        branch_first = n in (1, 9)
        rows.append(
            [
                n,
                f"示员{n:02d}",
                person_id(100 + n),
                firm if first else None,
                FIRMS[firm] if branch_first else None,
                "正式党员",
            ]
        )
    path = workbook(
        tmp_path / "花名册.xlsx",
        {"党员": rows},
        merge=["A1:F1", "D3:D7", "D8:D10", "D11:D14", "E3:E10", "E11:E14"],
    )
    plan = imported(path)
    assert [r.state for r in plan.rows()] == ["new"] * 12
    assert "有 5 处合并单元格，其值已填入合并区域覆盖的每一行" in warnings_of(plan)
    imp.apply(plan)
    stored = stored_members()
    assert len(stored) == 12
    for n, firm in enumerate(firms, start=1):
        member = stored[person_id(100 + n)]
        assert member.name == f"示员{n:02d}"
        assert member.enterprise_id == park[firm], n
        assert member.branch_id == park[FIRMS[firm]], n
        assert member.category == "full"


def test_category_merged_over_a_section(tmp_path: Path, park: dict[str, int]) -> None:
    rows = [
        ["类别", "姓名", "身份证号", "所属党组织"],
        ["正式党员", "示甲", person_id(201), BRANCH_A],
        [None, "示乙", person_id(202), BRANCH_A],
        [None, "示丙", person_id(203), BRANCH_A],
        ["预备党员", "示丁", person_id(204), BRANCH_A],
        [None, "示戊", person_id(205), BRANCH_A],
        [None, "示己", person_id(206), BRANCH_A],
        [None, "示庚", person_id(207), BRANCH_A],
        [None, "示辛", person_id(208), BRANCH_A],
    ]
    path = workbook(tmp_path / "分类.xlsx", {"党员": rows}, merge=["A2:A4", "A5:A9"])
    imp.apply(imported(path))
    stored = stored_members()
    categories = [stored[person_id(n)].category for n in range(201, 209)]
    assert categories == ["full"] * 3 + ["probationary"] * 5


def test_training_name_merged_down_a_sign_in_list(sqlite_db: pw.Database, tmp_path: Path) -> None:
    training = records.create(
        "trainings",
        {
            "name": "党的二十大精神轮训第一期",
            "kind": "rotation",
            "start_date": dt.date(2023, 2, 16),
        },
    )
    rows = [
        ["培训名称", "姓名", "单位", "状态"],
        ["党的二十大精神轮训第一期", "示一", "恒远化工有限公司", "已签到"],
        [None, "示二", "恒远化工有限公司", "请假"],
        [None, "示三", "瑞丰医药有限公司", "已签到"],
        [None, "示四", "瑞丰医药有限公司", "缺席"],
    ]
    path = workbook(tmp_path / "签到表.xlsx", {"培训签到": rows}, merge=["A2:A5"])
    plan = imported(path)
    assert [r.state for r in plan.rows()] == ["new"] * 4, [r.reason for r in plan.rows()]
    imp.apply(plan)
    signed = {
        a.person_name: (a.training_id, a.person_unit, a.status)
        for a in m.Attendance.select().order_by(m.Attendance.id)
    }
    assert signed == {
        "示一": (training.id, "恒远化工有限公司", "signed"),
        "示二": (training.id, "恒远化工有限公司", "leave"),
        "示三": (training.id, "瑞丰医药有限公司", "signed"),
        "示四": (training.id, "瑞丰医药有限公司", "absent"),
    }


def test_a_header_merged_across_two_rows(tmp_path: Path, park: dict[str, int]) -> None:
    rows = [
        ["姓名", "身份证号", "组织关系", None],
        [None, None, "所属党组织", "类别"],
        ["示头", person_id(211), BRANCH_B, "预备党员"],
    ]
    path = workbook(tmp_path / "两行表头.xlsx", {"党员": rows}, merge=["A1:A2", "B1:B2", "C1:D1"])
    plan = imported(path)
    # Filled, the second row holds every header: 姓名 and 身份证号 are read there too.
    assert plan.sheets[0].header.rows[-1] == 2
    assert len(plan.sheets[0].header.mapping) == 4
    imp.apply(plan)
    member = stored_members()[person_id(211)]
    assert (member.name, member.branch_id, member.category) == (
        "示头",
        park[BRANCH_B],
        "probationary",
    )


# --------------------------------------------------------------------------- hidden sheets, rows


def test_owip_style_roster_with_a_hidden_stale_sheet(tmp_path: Path, park: dict[str, int]) -> None:
    """党员信息录入样表: the sheet people see, and a hidden older copy of it that must not be read
    as a second ledger (it used to block the import as a duplicate)."""
    header = ["序号", "姓名", "性别", "身份证号", "所属党组织", "类别", "入党日期", "联系电话"]
    current = [
        [
            1,
            "张示安",
            "男",
            person_id(301),
            BRANCH_A,
            "正式党员",
            dt.date(2008, 7, 1),
            "19900000301",
        ],
        [
            2,
            "李示芳",
            "女",
            person_id(302),
            BRANCH_A,
            "预备党员",
            dt.date(2023, 5, 4),
            "19900000302",
        ],
    ]
    stale = [[1, "张示安", "男", person_id(301), BRANCH_B, "入党积极分子", None, "13800000000"]]
    book = Workbook()
    ws = book.active
    ws.title = "党员信息录入样表"
    for row in [header, *current]:
        ws.append(row)
    old = book.create_sheet("党员信息录入样表 (2)")
    for row in [header, *stale]:
        old.append(row)
    old.sheet_state = "hidden"
    lookup = book.create_sheet("字典")
    lookup.append(["类别", "正式党员", "预备党员"])
    lookup.sheet_state = "veryHidden"
    path = tmp_path / "党员信息录入样表.xlsx"
    book.save(path)
    plan = imported(path)
    assert [s.title for s in plan.sheets] == ["党员信息录入样表"]
    assert [w.text() for w in plan.warnings if "隐藏" in w.message] == [
        "工作表“党员信息录入样表 (2)”：隐藏的工作表，未导入（如需导入，请先取消隐藏）",
        "工作表“字典”：深度隐藏（very hidden）的工作表，未导入（如需导入，请先取消隐藏）",
    ]
    assert plan.report(False)["warnings"][0] == {
        "ledger": None,
        "sheet": "党员信息录入样表 (2)",
        "row": None,
        "message": "隐藏的工作表，未导入（如需导入，请先取消隐藏）",
    }
    imp.apply(plan)
    stored = stored_members()
    assert len(stored) == 2
    first, second = stored[person_id(301)], stored[person_id(302)]
    assert (first.name, first.gender, first.branch_id, first.category) == (
        "张示安",
        "male",
        park[BRANCH_A],
        "full",
    )
    assert (first.joined_on, first.phone) == (dt.date(2008, 7, 1), "19900000301")
    assert (second.name, second.gender, second.category, second.joined_on) == (
        "李示芳",
        "female",
        "probationary",
        dt.date(2023, 5, 4),
    )


def test_hidden_rows_are_imported_and_said_so(tmp_path: Path, park: dict[str, int]) -> None:
    rows = [MEMBER_HEADER[:3] + ["所属党组织", "类别"]]
    for n in range(1, 13):
        rows.append([n, f"示隐{n:02d}", person_id(400 + n), BRANCH_A, "正式党员"])
    path = workbook(tmp_path / "隐藏行.xlsx", {"党员": rows})
    book_path = _hide_rows(path, [5, 6, 7, 8, 9, 12])
    plan = imported(book_path)
    assert len([r for r in plan.rows() if r.state == "new"]) == 12
    assert "第 5–9、12 行是隐藏行，已照常导入" in warnings_of(plan)
    imp.apply(plan)
    assert {x.name for x in m.Member.select()} == {f"示隐{n:02d}" for n in range(1, 13)}


def _hide_rows(path: Path, hidden: list[int]) -> Path:
    from openpyxl import load_workbook

    book = load_workbook(path)
    for number in hidden:
        book.active.row_dimensions[number].hidden = True
    book.save(path)
    return path


# --------------------------------------------------------------------------- formulas


def test_formulas_without_results_are_refused_by_cell(tmp_path: Path, park: dict[str, int]) -> None:
    """A workbook written by a script: openpyxl saves formulas with no cached result, as some
    generators and WPS versions do. What such a cell shows is unknown: never read as empty."""
    book = Workbook()
    ws = book.active
    ws.title = "党员"
    ws.append(["姓名", "身份证号", "所属党组织", "类别", "备注"])
    ws.append(["示公一", person_id(501), BRANCH_A, "正式党员", None])
    ws.append(["示公二", person_id(502), "=C2", "正式党员", None])
    ws.append(["示公三", person_id(503), BRANCH_A, '=IF(1,"预备党员","正式党员")', '=A4&"备注"'])
    path = tmp_path / "脚本生成.xlsx"
    book.save(path)
    plan = imported(path)
    states = {r.row: (r.state, r.reason) for r in plan.rows()}
    assert states[2][0] == "new"
    assert states[3] == (
        "invalid",
        "“所属党组织”（C3 单元格）是公式，没有计算结果（文件可能由程序生成）："
        "请在 Excel/WPS 中打开并保存后再导入",
    )
    assert states[4][0] == "invalid"
    assert "“类别”（D4 单元格）是公式，没有计算结果" in states[4][1]
    assert "“备注”（E4 单元格）是公式，没有计算结果" in states[4][1]
    report = plan.report(False)
    assert [r["row"] for r in report["invalid_rows"]] == [3, 4]
    with pytest.raises(imp.ImportRefused):
        imp.apply(plan)
    assert m.Member.select().count() == 0


def test_formulas_with_cached_results_read_the_result(tmp_path: Path, park: dict[str, int]) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "党员"
    ws.append(["姓名", "身份证号", "所属党组织", "类别"])
    ws.append(["示算一", person_id(511), BRANCH_A, '=IF(1,"预备党员","正式党员")'])
    ws.append(["示算二", person_id(512), "=C2", "正式党员"])
    path = tmp_path / "已计算.xlsx"
    book.save(path)
    with_cached_values(path, {"D2": "预备党员", "C3": BRANCH_A})
    plan = imported(path)
    assert [r.state for r in plan.rows()] == ["new", "new"]
    imp.apply(plan)
    stored = stored_members()
    assert stored[person_id(511)].category == "probationary"
    assert stored[person_id(512)].branch_id == park[BRANCH_A]


def test_error_values_are_refused_not_read_as_empty(tmp_path: Path, park: dict[str, int]) -> None:
    path = workbook(
        tmp_path / "错误值.xlsx",
        {
            "党员": [
                ["姓名", "身份证号", "类别", "所属党组织"],
                ["示错", person_id(521), "正式党员", "=VLOOKUP(1,A:A,2)"],
            ]
        },
    )
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(
                    rb'<c r="D2"[^>]*>.*?</c>', b'<c r="D2" t="e"><v>#N/A</v></c>', body, flags=re.S
                )
            new.writestr(info, body)
    path.write_bytes(data.getvalue())
    plan = imported(path)
    row = next(plan.rows())
    assert row.state == "invalid"
    assert row.reason == "所属党组织：单元格是 Excel 错误值 #N/A，请修正公式或填写数值"


# --------------------------------------------------------------------------- what a cell holds


@pytest.mark.parametrize(
    "written",
    [
        "\u200b{id}",
        "{id}\u200b",
        "\ufeff{id}",
        "{id}\u2060",
        "\u00ad{id}",
        "'{id}",
        "{a}-{b}-{c}",
        "{a} {b} {c}",
        "\u200b'{a}-{b}-{c}\ufeff",
    ],
)
def test_id_numbers_with_invisible_characters_apostrophes_and_separators(
    tmp_path: Path, park: dict[str, int], written: str
) -> None:
    number = person_id(601)
    text = written.format(id=number, a=number[:6], b=number[6:14], c=number[14:])
    path = workbook(
        tmp_path / "身份证.xlsx",
        {
            "党员": [
                ["姓名", "身份证号", "所属党组织", "类别"],
                ["\u200b示隐形", text, BRANCH_A, "正式"],
            ]
        },
    )
    plan = imported(path)
    row = next(plan.rows())
    assert row.state == "new", row.reason
    imp.apply(plan)
    member = m.Member.get()
    assert (member.id_number, member.name) == (number, "示隐形")
    assert member.birth_date == dt.date(1985, 6, 15)


def test_grouped_id_numbers_still_need_a_right_check_digit(
    tmp_path: Path, park: dict[str, int]
) -> None:
    number = person_id(602)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    text = f"{wrong[:6]}-{wrong[6:14]}-{wrong[14:]}"
    path = workbook(
        tmp_path / "校验.xlsx",
        {"党员": [["姓名", "身份证号", "所属党组织"], ["示校", text, BRANCH_A]]},
    )
    row = next(imported(path).rows())
    assert row.state == "invalid" and "校验" in row.reason


def test_a_leading_apostrophe_marks_only_numbers_and_formulas_as_text(
    tmp_path: Path, park: dict[str, int]
) -> None:
    path = workbook(
        tmp_path / "撇号.xlsx",
        {
            "党员": [
                ["姓名", "身份证号", "所属党组织", "联系电话", "备注", "类别"],
                ["示撇", f"'{person_id(611)}", BRANCH_A, "'03718888666", "'t Hooft 的说明", "正式"],
            ]
        },
    )
    imp.apply(imported(path))
    member = m.Member.get()
    assert (member.id_number, member.phone, member.note) == (
        person_id(611),
        "03718888666",
        "'t Hooft 的说明",
    )


def test_numbers_with_units_where_the_field_is_numeric(
    sqlite_db: pw.Database, tmp_path: Path
) -> None:
    team = records.create("teams", {"name": "恒远化工党员志愿服务队", "kind": "volunteer"})
    services = [
        ["服务队", "日期", "主题", "时长（小时）"],
        [team.name, dt.date(2023, 3, 5), "学雷锋", "2小时"],
        [team.name, dt.date(2023, 3, 6), "清洁园区", "1.5小时"],
        [team.name, dt.date(2023, 3, 7), "安全宣传", "2 h"],
        [team.name, dt.date(2023, 3, 8), "走访慰问", 3],
        [team.name, dt.date(2023, 3, 9), "义务植树", "2天"],
        [team.name, dt.date(2023, 3, 10), "扶贫帮困", "30分钟"],
    ]
    trainings = [
        ["名称", "类型", "开始日期", "学时"],
        ["示范轮训一期", "轮训", dt.date(2023, 4, 1), "3学时"],
        ["示范轮训二期", "轮训", dt.date(2023, 5, 1), "2小时"],
    ]
    enterprises = [["名称", "职工数"], ["示范精工有限公司", "120人"], ["示范新材有限公司", "12名"]]
    path = workbook(
        tmp_path / "单位.xlsx",
        {"志愿服务活动": services, "培训": trainings, "企业": enterprises},
    )
    plan = imported(path)
    reasons = {(r.sheet.title, r.row): r.reason for r in plan.rows() if r.state == "invalid"}
    assert reasons == {
        ("志愿服务活动", 6): "时长（小时）：“2天”的单位“天”与本列不符（本列以小时计）",
        ("志愿服务活动", 7): "时长（小时）：“30分钟”的单位“分钟”与本列不符（本列以小时计）",
        ("培训", 3): "学时：“2小时”的单位“小时”与本列不符（本列以学时计）",
    }
    imp.apply(plan, skip_invalid=True)
    hours = {s.topic: s.hours for s in m.Service.select()}
    assert hours == {"学雷锋": 2.0, "清洁园区": 1.5, "安全宣传": 2.0, "走访慰问": 3.0}
    assert {t.name: t.hours for t in m.Training.select()} == {"示范轮训一期": 3}
    assert {e.name: e.employees for e in m.Enterprise.select()} == {
        "示范精工有限公司": 120,
        "示范新材有限公司": 12,
    }


def test_escaped_control_characters_and_literal_escapes(
    tmp_path: Path, park: dict[str, int]
) -> None:
    """Excel writes a line break typed in a cell as _x000D_; a literal “_x0041_” typed by a person
    is written _x005F_x0041_. The reader undoes each exactly once."""
    book = Workbook()
    ws = book.active
    ws.title = "党员"
    ws.append(["姓名", "身份证号", "所属党组织", "类别", "备注"])
    ws.append(["示转义", person_id(621), BRANCH_A, "正式", "第一行_x000D_\n第二行 _x005F_x0041_"])
    path = tmp_path / "转义.xlsx"
    book.save(path)
    imp.apply(imported(path))
    assert m.Member.get().note == "第一行\n第二行 _x0041_"


# --------------------------------------------------------------------------- a long blank run


LATER = 600_000  # one more member, far below the bordered region's blank rows


@pytest.fixture(scope="module")
def bordered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A roster pre-bordered down to row 1,048,576 (every row a formatted, empty cell per column)
    with 12 members under the header, as offices prepare them, and one more member typed far
    below at row 600,000. Written as sheet XML directly (zlib level 1), so the test is fast."""
    folder = tmp_path_factory.mktemp("bordered")
    base = workbook(
        folder / "base.xlsx", {"党员": [MEMBER_HEADER, *[member_row(n) for n in range(1, 13)]]}
    )
    path = folder / "预置边框.xlsx"
    with (
        zipfile.ZipFile(base) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, data)
                continue
            head, rest = data.split(b"<sheetData>")
            body, tail = rest.split(b"</sheetData>")
            template = (
                '<row r="{0}" spans="1:8" s="1" customFormat="1">'
                + "".join(f'<c r="{c}{{0}}" s="1"/>' for c in "ABCDEFGH")
                + "</row>"
            )
            with out.open(info.filename, "w") as fh:
                fh.write(head + b"<sheetData>" + body)
                for start in range(14, 1_048_577, 10_000):
                    numbers = range(start, min(start + 10_000, 1_048_577))
                    fh.write("".join(map(template.format, numbers)).encode())
                    if start <= LATER < start + 10_000:
                        fh.write(
                            f'<row r="{LATER}"><c r="B{LATER}" t="inlineStr"><is><t>示远</t></is>'
                            f'</c><c r="C{LATER}"><v>1</v></c></row>'.encode()
                        )
                fh.write(b"</sheetData>" + tail)
    return path


def test_a_long_blank_run_ends_the_sheet(bordered: Path) -> None:
    started = time.perf_counter()
    with rd.open_workbook(bordered) as book:
        sheet = book.sheets[0]
        rows = list(sheet.rows())
    elapsed = time.perf_counter() - started
    assert [n for n, _ in rows] == list(range(1, 14))  # the header and 12 members, nothing more
    assert (sheet.last_row, sheet.content_after) == (13, LATER)
    assert elapsed < 5  # 76 s with openpyxl, well under a second here: asserted loosely


def test_only_a_sheet_that_cannot_be_a_bordered_template_is_parsed_beside_its_scan(
    bordered: Path, tmp_path: Path
) -> None:
    """Parsing the cells while the XML is scanned saves a third of the read, but a template
    bordered to the bottom must be cut by the scan first (parsed whole, it takes seconds)."""
    roster = workbook(
        tmp_path / "roster.xlsx", {"党员": [MEMBER_HEADER, *[member_row(n) for n in range(1, 4)]]}
    )
    with rd.open_workbook(roster) as book:
        ahead = book.parse_ahead(book.sheets[0])
        assert ahead is not None
        ahead.wait()
        assert [n for n, _ in book.sheets[0].rows()] == [1, 2, 3, 4]
    with rd.open_workbook(bordered) as book:  # its <dimension> says 13 rows; its XML, a million
        assert book.parse_ahead(book.sheets[0]) is None
    declared = tmp_path / "declared.xlsx"  # as Excel saves one: the dimension tells
    with zipfile.ZipFile(roster) as source, zipfile.ZipFile(declared, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:H1048576"', data)
                assert b"A1:H1048576" in data
            out.writestr(info, data)
    with rd.open_workbook(declared) as book:
        assert book.parse_ahead(book.sheets[0]) is None
        assert [n for n, _ in book.sheets[0].rows()] == [1, 2, 3, 4]


def test_a_bordered_template_imports_its_rows_and_says_what_it_left(
    bordered: Path, park: dict[str, int]
) -> None:
    plan = imported(bordered)
    assert [r.state for r in plan.rows()] == ["new"] * 12, [r.reason for r in plan.rows()]
    assert (
        f"第 13 行之后有 {LATER - 14:,} 行空行，读取到此为止；第 {LATER} 行起的内容未导入"
        "（如需导入，请删去中间的空行）"
    ) in warnings_of(plan)
    imp.apply(plan)
    assert sorted(stored_members()) == sorted(person_id(n) for n in range(1, 13))


def test_a_blank_run_that_is_short_does_not_end_the_sheet(tmp_path: Path) -> None:
    gap = [[None] * len(MEMBER_HEADER)] * (scan.BLANK_RUN - 1)
    path = workbook(
        tmp_path / "空行.xlsx", {"党员": [MEMBER_HEADER, member_row(1), *gap, member_row(2)]}
    )
    plan = imp.read_file(path)
    assert [r.row for r in plan.rows()] == [2, 2 + scan.BLANK_RUN]


# --------------------------------------------------------------------------- other formats


@pytest.mark.parametrize("name", ["members-libreoffice.xls", "members-libreoffice.ods"])
def test_libreoffice_saved_xls_and_ods_import(name: str, park: dict[str, int]) -> None:
    """Saved by LibreOffice from a roster with merged 所在企业/所属党组织, a hidden row and a
    hidden stale sheet (tests/exchange/files/make_files.py)."""
    plan = imported(FILES / name)
    assert [s.title for s in plan.sheets] == ["党员"]
    assert [r.state for r in plan.rows()] == ["new"] * 5, [r.reason for r in plan.rows()]
    notes = warnings_of(plan)
    assert "隐藏的工作表，未导入（如需导入，请先取消隐藏）" in notes
    assert "有 3 处合并单元格，其值已填入合并区域覆盖的每一行" in notes
    if name.endswith(".ods"):  # .xls does not tell its hidden rows through the reader
        assert "第 6 行是隐藏行，已照常导入" in notes
    imp.apply(plan)
    stored = stored_members()
    expected = [
        (31, "张示安", "恒远化工有限公司", "full", dt.date(2008, 7, 1)),
        (32, "李示芳", "恒远化工有限公司", "full", dt.date(2012, 6, 28)),
        (33, "王示明", "恒远化工有限公司", "probationary", dt.date(2023, 5, 4)),
        (34, "赵示红", "瑞丰医药有限公司", "full", dt.date(2015, 11, 20)),
        (35, "钱示刚", "瑞丰医药有限公司", "probationary", dt.date(2023, 6, 30)),
    ]
    assert len(stored) == 5
    for n, person, firm, category, joined in expected:
        member = stored[person_id(n)]
        assert member.name == person
        assert member.enterprise_id == park[firm]
        assert member.branch_id == park[BRANCH_A]
        assert member.category == category
        assert member.joined_on == joined
        assert member.phone == f"1990000{n:04d}"
        assert member.birth_date == dt.date(1985, 6, 15)


def test_an_xls_renamed_xlsx_is_read_by_its_content(tmp_path: Path, park: dict[str, int]) -> None:
    renamed = tmp_path / "花名册.xlsx"
    renamed.write_bytes((FILES / "members-libreoffice.xls").read_bytes())
    plan = imported(renamed)
    assert [r.state for r in plan.rows()] == ["new"] * 5


def test_strict_open_xml_is_read(tmp_path: Path, park: dict[str, int]) -> None:
    path = workbook(
        tmp_path / "transitional.xlsx",
        {
            "党员": [
                ["姓名", "身份证号", "所属党组织", "类别"],
                ["示严", person_id(701), BRANCH_A, "正式"],
            ]
        },
    )
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(strict, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            data = data.replace(
                b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                b"http://purl.oclc.org/ooxml/spreadsheetml/main",
            ).replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships",
            )
            new.writestr(info, data)
    imp.apply(imported(strict))
    member = m.Member.get()
    assert (member.name, member.id_number, member.branch_id) == (
        "示严",
        person_id(701),
        park[BRANCH_A],
    )


def test_unreadable_strict_open_xml_says_what_it_is(tmp_path: Path) -> None:
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(strict, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheets>'
            '<sheet name="党员" sheetId="1"/></sheets></workbook>',
        )
    with pytest.raises(rd.WorkbookRefused) as info:
        imp.read_file(strict)
    assert str(info.value) == (
        "“strict.xlsx”是 Strict Open XML 格式（严格 OOXML），无法读取，"
        "请在 Excel 中另存为普通的“Excel 工作簿（*.xlsx）”后再导入"
    )


def test_damaged_ods_and_odt_files_are_refused_with_what_they_are(tmp_path: Path) -> None:
    good = (FILES / "members-libreoffice.ods").read_bytes()
    truncated = tmp_path / "half.ods"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(rd.WorkbookRefused, match="已损坏或不完整"):
        imp.read_file(truncated)
    damaged = tmp_path / "damaged.ods"
    with zipfile.ZipFile(io.BytesIO(good)) as old, zipfile.ZipFile(damaged, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "content.xml":
                body = body[: len(body) // 2]
            new.writestr(info, body)
    with pytest.raises(rd.WorkbookRefused) as info:
        imp.read_file(damaged)
    assert "damaged.ods" in str(info.value) and "OpenDocument 表格（.ods）" in str(info.value)
    odt = tmp_path / "说明.ods"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(rd.WorkbookRefused) as info:
        imp.read_file(odt)
    assert str(info.value) == "“说明.ods”是 OpenDocument 文本文档（.odt），不是表格"


def test_an_html_page_named_xls_is_refused_with_what_it_is(tmp_path: Path) -> None:
    page = tmp_path / "导出.xls"
    page.write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(rd.WorkbookRefused) as info:
        imp.read_file(page)
    assert str(info.value) == (
        "“导出.xls”其实是网页（HTML/XML）文件，不是 Excel 工作簿，"
        "请在 Excel/WPS 中打开后另存为 .xlsx 再导入"
    )


def test_a_workbook_whose_only_ledger_is_hidden_says_so(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "封面"
    book.active["A1"] = "2023年党员名册"
    hidden = book.create_sheet("党员")
    hidden.append(MEMBER_HEADER)
    hidden.append(member_row(1))
    hidden.sheet_state = "hidden"
    path = tmp_path / "只有隐藏.xlsx"
    book.save(path)
    with pytest.raises(rd.WorkbookRefused) as info:
        imp.read_file(path)
    assert "工作表“党员”是隐藏的工作表，未导入（如需导入，请先取消隐藏）" in str(info.value)


def test_old_word_and_powerpoint_files_are_refused_with_what_they_are(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    for name, stream, what in (
        ("通知.xls", "WordDocument", "Word 文档"),
        ("汇报.xls", "PowerPoint Document", "PowerPoint 文稿"),
    ):
        path = tmp_path / name
        path.write_bytes(ole + stream.encode("utf-16-le") + b"\0" * 100)
        with pytest.raises(rd.WorkbookRefused) as info:
            imp.read_file(path)
        assert str(info.value) == f"“{name}”是 {what}，不是 Excel 工作簿"
