"""发展党员 from Excel: owip's 党员发展信息录入样表 columns, people created from the identity
columns or matched by ID number, each hard rule refusing exactly its row with the rule named;
and the pipeline exported and read back unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook

from partybuild.domain.dates import PartialDate
from partybuild.exchange import export as exp
from partybuild.exchange import importer as imp
from partybuild.exchange.importer import INVALID, NEW, UNCHANGED, UPDATE
from partybuild.services import records
from partybuild.store import models as m
from tests.exchange.conftest import person_id, workbook

BRANCH = "恒远化工党支部"
OWIP_HEADERS = (
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "所在党支部",
    "提交书面申请书时间",
    "确定为入党积极分子时间",
    "积极分子培训起止时间",
    "确定为发展对象时间",
    "发展对象培训起止时间",
    "列入发展计划时间",
    "领取志愿书时间",
    "志愿书编号",
    "入党时间",
    "转正时间",
    "当前发展阶段",
    # Columns branches add beside owip's:
    "入党介绍人一身份证号",
    "入党介绍人二身份证号",
    "延长预备期（月）",
)
YOUNG = dt.date(2003, 5, 20)


@pytest.fixture
def world(sqlite_db: pw.Database) -> dict[str, object]:
    branch = records.create("branches", {"name": BRANCH, "kind": "standalone"})
    introducers = [
        records.create(
            "members",
            {
                "name": name,
                "id_number": person_id(201 + 2 * i, dt.date(1978, 3, 1 + i)),
                "branch": branch,
                "category": "full",
                "joined_on": dt.date(2004, 7, 1),
                "confirmed_on": dt.date(2005, 7, 1),
            },
        )
        for i, name in enumerate(("李介绍", "王介绍"))
    ]
    known = records.create(
        "members",
        {
            "name": "赵已在",
            "id_number": person_id(301),
            "branch": branch,
            "category": "applicant",
            "phone": "13800138000",
        },
    )
    return {"branch": branch, "introducers": introducers, "known": known}


def row(n: int, name: str, ident: str, **cells: object) -> list[object]:
    values = {"序号": n, "姓名": name, "身份证号": ident, "所在党支部": BRANCH, **cells}
    return [values.get(h) for h in OWIP_HEADERS]


def owip_sheet(tmp_path: Path, world: dict[str, object]) -> Path:
    intro = [p.id_number for p in world["introducers"]]  # type: ignore[attr-defined]
    rows = [
        ["党员发展信息录入样表"],
        list(OWIP_HEADERS),
        # 3: a new applicant, dates to the month as owip keeps them
        row(1, "钱申请", person_id(11), 提交书面申请书时间="2023.03", 当前发展阶段="入党申请人"),
        # 4: the one already on the roster, matched by ID number: becomes an activist
        row(
            2,
            "赵已在",
            person_id(301),
            提交书面申请书时间="2022.01.10",
            确定为入党积极分子时间="2022.09.01",
            积极分子培训起止时间="2022.10-2022.11",
        ),
        # 5: application at 17 years 364 days
        row(3, "孙太早", person_id(13, YOUNG), 提交书面申请书时间="2021-05-19"),
        # 6: 发展对象 a year less a day after 积极分子
        row(
            4,
            "周差一天",
            person_id(15),
            提交书面申请书时间="2020-01-06",
            确定为入党积极分子时间="2020-09-01",
            确定为发展对象时间="2021-08-31",
        ),
        # 7: one 介绍人 only
        row(
            5,
            "吴一人",
            person_id(17),
            提交书面申请书时间="2019-01-06",
            确定为入党积极分子时间="2019-09-01",
            确定为发展对象时间="2020-09-10",
            入党时间="2021-03-01",
            入党介绍人一身份证号=intro[0],
        ),
        # 8: 转正 a day before the year is out
        row(
            6,
            "郑提前",
            person_id(19),
            提交书面申请书时间="2019-01-06",
            确定为入党积极分子时间="2019-09-01",
            确定为发展对象时间="2020-09-10",
            入党时间="2021-03-01",
            转正时间="2022-02-28",
            入党介绍人一身份证号=intro[0],
            入党介绍人二身份证号=intro[1],
        ),
        # 9: an extension of 13 months
        row(
            7,
            "冯延长",
            person_id(21),
            提交书面申请书时间="2019-01-06",
            确定为入党积极分子时间="2019-09-01",
            确定为发展对象时间="2020-09-10",
            入党时间="2021-03-01",
            **{"延长预备期（月）": 13},
        ),
        # 10: 积极分子 dated before the application
        row(
            8,
            "陈倒序",
            person_id(23),
            提交书面申请书时间="2021-06-01",
            确定为入党积极分子时间="2021-05-01",
        ),
        # 11: a full admission, confirmed on the day, with its training range read
        row(
            9,
            "褚合规",
            person_id(25),
            提交书面申请书时间="2019.01",
            确定为入党积极分子时间="2019.09",
            确定为发展对象时间="2020.10",
            发展对象培训起止时间="2020.11.02-2020.11.05",
            列入发展计划时间="2020.10",
            领取志愿书时间="2021.02",
            志愿书编号="20210007",
            入党时间="2021-03-01",
            转正时间="2022-03-01",
            入党介绍人一身份证号=intro[0],
            入党介绍人二身份证号=intro[1],
            当前发展阶段="正式党员",
        ),
    ]
    return workbook(tmp_path / "党员发展信息录入样表.xlsx", {"党员发展信息": rows})


def test_owip_sheet_each_hard_rule_refuses_exactly_its_row(
    tmp_path: Path, world: dict[str, object]
) -> None:
    plan = imp.plan_file(owip_sheet(tmp_path, world), "recruitment")
    states = {r.row: r.state for r in plan.rows()}
    assert states == {
        3: NEW,
        4: UPDATE,
        5: INVALID,
        6: INVALID,
        7: INVALID,
        8: INVALID,
        9: INVALID,
        10: INVALID,
        11: NEW,
    }
    why = {r.row: r.reason for r in plan.rows() if r.state == INVALID}
    assert "未满18周岁" in why[5] and "第五条" in why[5]
    assert "不满1年" in why[6] and "第十四条" in why[6]
    assert "只填写了 1 名入党介绍人" in why[7] and "第十五条" in why[7]
    assert "早于预备期满之日 2022-03-01" in why[8] and "党章" in why[8]
    assert "应为 6–12 个月" in why[9]
    assert "早于递交入党申请书" in why[10]
    for text in why.values():  # each row names its own rule, not another's
        assert text.count("不符合") == 1, text


def test_valid_rows_written_as_the_file_shows(tmp_path: Path, world: dict[str, object]) -> None:
    plan = imp.plan_file(owip_sheet(tmp_path, world), "recruitment")
    imp.apply(plan, skip_invalid=True)
    people = {p.name: p for p in m.Member.select()}
    new = people["钱申请"]
    assert (new.category, new.applied_on, new.applied_on.precision) == (
        "applicant",
        PartialDate(2023, 3),
        "month",
    )
    assert new.branch.name == BRANCH and new.gender == "male"  # from the ID number
    known = people["赵已在"]
    assert known.id == world["known"].id  # type: ignore[attr-defined]
    assert known.category == "activist" and known.phone == "13800138000"  # the rest kept
    assert known.activist_training == "2022.10-2022.11"
    full = people["褚合规"]
    assert full.category == "full" and full.confirmed_on == dt.date(2022, 3, 1)
    assert (full.training_start, full.training_end) == (dt.date(2020, 11, 2), dt.date(2020, 11, 5))
    assert full.pledge_number == "20210007" and full.plan_on == PartialDate(2020, 10)
    assert {full.introducer_1.name, full.introducer_2.name} == {"李介绍", "王介绍"}
    for refused in ("孙太早", "周差一天", "吴一人", "郑提前", "冯延长", "陈倒序"):
        assert refused not in people


def test_pipeline_export_reads_back_unchanged(tmp_path: Path, world: dict[str, object]) -> None:
    imp.apply(imp.plan_file(owip_sheet(tmp_path, world), "recruitment"), skip_invalid=True)
    out = tmp_path / "发展党员.xlsx"
    counts = exp.export(out, ["recruitment"])
    assert counts == {"recruitment": 3}  # the two introducers are full members with no stages
    book = load_workbook(out, read_only=True)
    rows = book.worksheets[0].iter_rows(max_row=5)
    header = next([c.value for c in r] for r in rows if r[0].value == "姓名")
    book.close()
    for name in (
        "提交书面申请书时间",
        "确定为入党积极分子时间",
        "发展对象培训起止时间",
        "入党时间",
        "转正时间",
        "当前发展阶段",
    ):
        assert name in header
    again = imp.plan_file(out, "recruitment")
    assert {r.state for r in again.rows()} == {UNCHANGED}


def test_an_all_ledgers_export_has_no_pipeline_sheet(
    tmp_path: Path, world: dict[str, object]
) -> None:
    out = tmp_path / "全部.xlsx"
    counts = exp.export(out)
    assert "recruitment" not in counts and counts["members"] == 3


def test_without_a_ledger_named_sheets_decide(tmp_path: Path, world: dict[str, object]) -> None:
    """A sheet named 发展党员 is the pipeline; beside a 党员 sheet it is left for its own import."""
    path = owip_sheet(tmp_path, world)
    plan = imp.read_file(path)
    assert [s.spec.name for s in plan.sheets] == ["recruitment"]
    roster = [
        ["姓名", "身份证号", "所属党组织", "类别"],
        ["钱花名", person_id(31), BRANCH, "正式党员"],
    ]
    both = workbook(
        tmp_path / "两表.xlsx",
        {"党员": roster, "发展党员": [list(OWIP_HEADERS), row(1, "钱申请", person_id(11))]},
    )
    plan = imp.read_file(both)
    assert [s.spec.name for s in plan.sheets] == ["members"]
    assert any("发展党员台账" in note and "请单独导入" in note for note in plan.ignored)
    unnamed = workbook(tmp_path / "花名册.xlsx", {"Sheet1": roster})
    assert [s.spec.name for s in imp.read_file(unnamed).sheets] == ["members"]
