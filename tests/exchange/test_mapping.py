"""Other systems' files, in their own headers: owip's 党员信息录入样表, 三会一课录入样表,
主题党日活动录入样表, 参训人员录入样表 and 党支部录入样表, and another system's 党员花名册 with a
staffing column beside 党籍状态, decorated headers and a 必填/选填 row. Every value is checked as
stored, field by field; ambiguous and missing columns are said, never guessed; ``--map``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import peewee as pw
import pytest

from partybuild.cli import main
from partybuild.exchange import importer as imp
from partybuild.exchange import mapping as mp
from partybuild.exchange.importer import INVALID, NEW
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.exchange.conftest import (
    BRANCH,
    FIRM,
    Registry,
    person_id,
    workbook,
)

# --------------------------------------------------------------------------- the shapes

# owip's 党员信息录入样表 (校外人员), the columns a park's roster has, in owip's order and words.
OWIP_MEMBER_HEADER = [
    "工作证号",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证号码",
    "手机号码",
    "所在单位",
    "最高学历",
    "编制类别",
    "人员类别",
    "党籍状态（正式党员或预备党员）",
    "所在分党委",
    "所在党支部",
    "入党时间",
    "转正时间",
    "党内职务",
]


def owip_member(n: int, name: str, category: str, joined: dt.date, confirmed: dt.date | None):
    born = dt.date(1985, 6, 15)
    return [
        f"ZG{n:06d}",
        name,
        "男" if n % 2 else "女",
        dt.datetime.combine(born, dt.time()),
        "汉族",
        person_id(n, born),
        f"1390000{n:04d}",
        FIRM,
        "本科" if n % 2 else "硕士",  # owip's own spellings
        "事业编制",
        "普通编制",  # owip's 人员类别: a staffing type, not a party category
        category,
        "中共示例园区综合委员会",
        BRANCH,
        dt.datetime.combine(joined, dt.time()),
        dt.datetime.combine(confirmed, dt.time()) if confirmed else None,
        "组织委员" if n == 1 else None,
    ]


OWIP_MEETING_HEADER = [
    "所在分党委编码",
    "所在分党委",
    "所在党支部编码",
    "所在党支部",
    "会议类型",
    "主持人学工号",
    "主持人姓名",
    "记录人学工号",
    "记录人姓名",
    "会议名称",
    "计划会议时间",
    "实际会议时间",
    "会议地点",
    "应到人数",
    "实到人数",
    "请假人数",
    "列席人员",
    "会议议题",
    "会议内容",
    "会议决议",
]

OWIP_THEME_DAY_HEADER = [
    "所在分党委编码",
    "所在分党委",
    "所在党支部编码",
    "所在党支部",
    "记录人学工号",
    "活动名称",
    "计划时间",
    "实际时间",
    "活动地点",
    "活动主题",
    "主要内容及特色",
    "应到人数",
    "实到人数",
    "请假人数",
    "列席人员",
]

OWIP_TRAINEE_HEADER = [
    "工号",
    "姓名",
    "时任单位及职务",
    "参训人员类型",
    "年度",
    "培训班主办方",
    "培训班类型",
    "培训班名称",
    "培训形式",
    "培训开始时间",
    "培训结束时间",
    "培训学时",
    "培训地点",
    "是否计入年度学习任务",
    "备注",
]

OWIP_BRANCH_HEADER = [
    "党支部名称",
    "简称",
    "成立时间",
    "所属分党委",
    "所属分党委编码",
    "支部类别",
    "所在单位属性",
    "是否联合党支部(企业)",
    "联系电话",
]


def members() -> dict[str, m.Member]:
    return {x.id_number: x for x in m.Member.select()}


def messages(plan: imp.ImportPlan) -> list[str]:
    return [w.message for w in plan.warnings]


# --------------------------------------------------------------------------- owip's templates


def test_owip_member_template_imports_field_by_field_and_ignores_its_staffing_column(
    tmp_path: Path, registry: Registry
) -> None:
    rows = [
        owip_member(1, "张示安", "正式党员", dt.date(2008, 6, 30), dt.date(2009, 6, 30)),
        owip_member(2, "李示芳", "预备党员", dt.date(2023, 5, 12), None),
        owip_member(3, "王示明", "预备党员", dt.date(2023, 5, 12), None),
    ]
    path = workbook(tmp_path / "党员信息录入样表.xlsx", {"Sheet1": [OWIP_MEMBER_HEADER, *rows]})
    plan = imp.plan_file(path)
    sheet = plan.sheets[0]
    assert sheet.spec.name == "members"
    assert [r.state for r in plan.rows()] == [NEW, NEW, NEW]
    by_header = {sheet.header.headers[i]: c.header for i, c in sheet.header.mapping.items()}
    assert by_header["党籍状态（正式党员或预备党员）"] == "类别"
    assert "人员类别" not in by_header
    assert (
        "“人员类别”列的值（普通编制）不是“类别”，已按“党籍状态（正式党员或预备党员）”列导入类别，"
        "“人员类别”列未导入"
    ) in messages(plan)
    imp.apply(plan)
    stored = members()
    first, second = stored[person_id(1)], stored[person_id(2)]
    assert (first.name, first.gender, first.ethnicity) == ("张示安", "male", "汉族")
    assert first.birth_date == dt.date(1985, 6, 15)
    assert (first.phone, first.education) == ("13900000001", "bachelor")
    assert first.enterprise_id == registry.enterprise.id and first.branch_id == registry.branch.id
    assert (first.category, first.joined_on, first.confirmed_on) == (
        "full",
        dt.date(2008, 6, 30),
        dt.date(2009, 6, 30),
    )
    assert first.party_post == "组织委员"
    assert (second.name, second.gender, second.category) == ("李示芳", "female", "probationary")
    assert second.education == "master"
    assert (second.joined_on, second.confirmed_on) == (dt.date(2023, 5, 12), None)
    assert stored[person_id(3)].category == "probationary"
    assert m.Member.select().where(m.Member.category == "full").count() == 1


def test_owip_meeting_template_three_meetings_one_lesson(
    tmp_path: Path, registry: Registry
) -> None:
    row = [
        "000001",
        "中共示例园区综合委员会",
        "0000011",
        BRANCH,
        "支部党员大会",
        "000001",
        "张示安",
        "000002",
        "李示芳",
        "支部党员大会",
        "2023/3/8  14:30",
        "2023/3/8  14:30",
        "党员活动室101",
        20,
        18,
        2,
        "无",
        "学习贯彻党的二十大精神",
        "传达学习二十大报告，交流心得",
        "按季度开展专题学习",
    ]
    path = workbook(tmp_path / "三会一课录入样表.xlsx", {"Sheet1": [OWIP_MEETING_HEADER, row]})
    plan = imp.plan_file(path)
    assert [(s.spec.name, r.state) for s in plan.sheets for r in s.rows] == [("activities", NEW)]
    imp.apply(plan)
    stored = m.Activity.get()
    assert stored.branch_id == registry.branch.id
    assert (stored.kind, stored.date) == ("general_meeting", dt.date(2023, 3, 8))
    assert stored.topic == "学习贯彻党的二十大精神"
    assert (stored.place, stored.host, stored.recorder) == ("党员活动室101", "张示安", "李示芳")
    assert stored.minutes == "传达学习二十大报告，交流心得"
    assert stored.resolutions == "按季度开展专题学习"
    unknown = {u["column"] for u in plan.unknown_columns()}
    assert {"计划会议时间", "应到人数", "主持人学工号", "会议名称（重复的列，已忽略）"} <= unknown


def test_owip_theme_day_template_takes_its_kind_from_the_activity_name_when_it_fits(
    tmp_path: Path, registry: Registry
) -> None:
    # owip writes 主题党日活动 here: a kind once the vocabulary's synonyms read it.
    row = [
        "00001",
        "中共示例园区综合委员会",
        "0000012",
        BRANCH,
        "000001",
        "主题党日活动",
        "2023/4/3  14:30",
        "2023/4/6  14:30",
        "恒远化工会议室",
        "重温入党誓词",
        "参观廉政教育基地并重温入党誓词",
        10,
        9,
        1,
        "无",
    ]
    path = workbook(
        tmp_path / "主题党日活动录入样表.xlsx", {"Sheet1": [OWIP_THEME_DAY_HEADER, row]}
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW]
    imp.apply(plan)
    stored = m.Activity.get()
    assert (stored.branch_id, stored.kind, stored.date) == (
        registry.branch.id,
        "theme_day",
        dt.date(2023, 4, 6),
    )
    assert (stored.topic, stored.place) == ("重温入党誓词", "恒远化工会议室")
    assert stored.minutes == "参观廉政教育基地并重温入党誓词"


def test_an_activity_name_that_is_not_a_kind_is_not_taken_as_the_kind(
    tmp_path: Path, registry: Registry
) -> None:
    header = ["所在党支部", "活动名称", "实际时间", "活动主题"]
    rows = [header, [BRANCH, "春季植树", "2023/4/6", "义务植树"]]
    path = workbook(tmp_path / "活动.xlsx", {"Sheet1": rows})
    with pytest.raises(imp.rd.WorkbookRefused) as refused:
        imp.read_file(path)
    assert "最接近“组织生活”，缺少：类型" in str(refused.value)
    plan = imp.read_file(path, "activities")
    assert plan.sheets[0].problem == (
        "工作表缺少必需的列：类型（可在文件中加上该列，或用 --map 指定哪一列是它）"
    )
    assert (
        "“活动名称”列的值（春季植树）不是“类型”，未导入；如该列就是类型，"
        '请用 --map "活动名称=类型" 指定'
    ) in messages(plan)


def test_owip_trainee_template_is_a_sign_in_list(tmp_path: Path, registry: Registry) -> None:
    training = registry.training  # 党的二十大精神轮训第一期, 2023-02-16
    rows = [
        OWIP_TRAINEE_HEADER,
        [
            "95102",
            "张示安",
            "恒远化工 车间主任",
            "党员",
            2023,
            "园区综合党委",
            "园区培训",
            training.name,
            "线下培训",
            dt.datetime(2023, 2, 16),
            dt.datetime(2023, 2, 17),
            12,
            "园区党群服务中心",
            "是",
            "全程参加",
        ],
    ]
    path = workbook(tmp_path / "参训人员录入样表.xlsx", {"Sheet1": rows})
    plan = imp.plan_file(path)
    assert [(s.spec.name, r.state) for s in plan.sheets for r in s.rows] == [("attendance", NEW)]
    assert "文件没有“状态”列，新增的 1 行记为“未签到”" in messages(plan)
    imp.apply(plan)
    stored = m.Attendance.get()
    assert stored.training_id == training.id and stored.member_id is None
    assert (stored.person_name, stored.status, stored.note) == ("张示安", "expected", "全程参加")


def test_owip_branch_template_needs_its_kind_and_takes_it_from_map(
    tmp_path: Path, db: pw.Database
) -> None:
    rows = [
        OWIP_BRANCH_HEADER,
        [
            "恒远化工党支部",
            "恒远支部",
            dt.datetime(2017, 9, 1),
            "中共示例园区综合委员会",
            "020100",
            "在职教工党支部",
            "企业",
            "否",
            None,
        ],
    ]
    path = workbook(tmp_path / "党支部录入样表.xlsx", {"Sheet1": rows})
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [INVALID]
    assert plan.invalid[0].reason.startswith("工作表缺少必填的列：类型，新增的行无法导入")
    assert (
        "“支部类别”列的值（在职教工党支部）不是“类型”，未导入；如该列就是类型，"
        '请用 --map "支部类别=类型" 指定'
    ) in messages(plan)
    plan = imp.plan_file(path, mapping=mp.parse_map("类型=独立党支部"))
    assert [r.state for r in plan.rows()] == [NEW]
    imp.apply(plan)
    stored = m.Branch.get()
    assert (stored.name, stored.kind, stored.founded_on) == (
        "恒远化工党支部",
        "standalone",
        dt.date(2017, 9, 1),
    )


# --------------------------------------------------------------------------- another roster


def test_a_roster_with_decorated_headers_a_note_row_and_a_staffing_column(
    tmp_path: Path, registry: Registry
) -> None:
    header = [
        "序号",
        "【必填】姓名",
        "身份证号*",
        "性别（选填）",
        "联系电话/手机",
        "所属党组织\n名称",
        "人员类别",
        "党籍状态",
        "加入党组织\n日期",
        "转为正式党员日期",
    ]
    notes = ["", "必填", "必填", "选填", "选填", "必填", "选填", "必填", "格式：YYYY-MM-DD", "选填"]
    rows = [
        ["恒远化工有限公司党员花名册"],
        header,
        notes,
        [1, "张示安", person_id(61), "男", "13900000061", BRANCH, "在编", "正式党员",
         "2010-07-01", "2011-07-01"],
        [2, "李示芳", person_id(62), "女", "13900000062", BRANCH, "聘用", "预备党员",
         "2023-05-12", None],
    ]  # fmt: skip
    path = workbook(tmp_path / "党员花名册.xlsx", {"党员花名册": rows})
    plan = imp.plan_file(path)
    sheet = plan.sheets[0]
    assert sheet.spec.name == "members" and sheet.header.rows == (2,)
    assert sheet.header.note_rows == (3,)
    assert [(r.row, r.state) for r in plan.rows()] == [(4, NEW), (5, NEW)]
    assert "表头下的第 3 行是填写说明（必填、选填、格式等），不是数据，已跳过" in messages(plan)
    assert any(w.row == 3 for w in plan.warnings)
    imp.apply(plan)
    first, second = members()[person_id(61)], members()[person_id(62)]
    assert (first.name, first.gender, first.phone) == ("张示安", "male", "13900000061")
    assert (first.branch_id, first.category) == (registry.branch.id, "full")
    assert (first.joined_on, first.confirmed_on) == (dt.date(2010, 7, 1), dt.date(2011, 7, 1))
    assert (second.name, second.category, second.joined_on) == (
        "李示芳",
        "probationary",
        dt.date(2023, 5, 12),
    )
    assert second.confirmed_on is None


def test_two_columns_that_both_fit_a_field_are_flagged_not_guessed(
    tmp_path: Path, registry: Registry
) -> None:
    header = ["姓名", "身份证号", "党籍状态", "政治面貌"]
    rows = [header, ["张示安", person_id(71), "预备党员", "正式党员"]]
    path = workbook(tmp_path / "两列.xlsx", {"党员": rows})
    plan = imp.plan_file(path)
    sheet = plan.sheets[0]
    assert sheet.problem == (
        "无法判断哪一列是“类别”：“党籍状态”、“政治面貌”都可能是。"
        '请用 --map 指定（如 --map "党籍状态=类别,政治面貌=不导入"），'
        "或在导入向导的“列对应”一步中选择"
    )
    assert set(sheet.header.ambiguous) == {2, 3}
    assert [r.reason for r in plan.rows()] == [sheet.problem]
    chosen = mp.parse_map("党籍状态=不导入,政治面貌=类别")
    plan = imp.plan_file(path, mapping=chosen)
    assert [r.state for r in plan.rows()] == [NEW]
    imp.apply(plan)
    assert members()[person_id(71)].category == "full"


# --------------------------------------------------------------------------- the command line


def stored_categories(db: str) -> dict[str, str]:
    open_database(db)
    try:
        return {x.name: x.category for x in m.Member.select()}
    finally:
        close_database()


def no_category_roster(folder: Path) -> Path:
    rows = [["姓名", "身份证号", "所属党组织"]]
    rows += [[f"示{n}", person_id(80 + n), BRANCH] for n in range(3)]
    return workbook(folder / "无类别.xlsx", {"党员": rows})


def test_a_roster_without_category_is_refused_on_the_command_line(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = no_category_roster(tmp_path)
    assert main(["import", str(path), "--db", ledger_db]) == 1
    out, err = capsys.readouterr()
    said = (
        "文件没有“类别”列：新增的人员都会记为“正式党员”，因此未导入。"
        '加 --map "类别=正式党员" 全部记为正式党员，或在文件中加上该列'
    )
    assert out.count(said) == 1  # once for the sheet, not once per row
    assert "错误：工作表“党员”第 2–4 行中的 3 行：" + said in out
    assert said in err and err.count("\n") == 1
    assert stored_categories(ledger_db) == {}
    code = main(["import", str(path), "--db", ledger_db, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and [r["reason"] for r in report["invalid_rows"]] == [said] * 3

    assert main(["import", str(path), "--db", ledger_db, "--map", "类别=正式党员"]) == 0
    assert stored_categories(ledger_db) == {"示0": "full", "示1": "full", "示2": "full"}


def test_the_constant_is_any_value_of_the_field(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = no_category_roster(tmp_path)
    assert main(["import", str(path), "--db", ledger_db, "--map", "类别=预备党员"]) == 0
    assert set(stored_categories(ledger_db).values()) == {"probationary"}
    capsys.readouterr()
    assert main(["import", str(path), "--db", ledger_db, "--map", "类别=党小组长"]) == 2
    err = capsys.readouterr().err
    assert "“党小组长”不是任何台账的字段" in err or "“党小组长”不是可选值" in err


def test_map_on_the_command_line(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ["姓名", "身份证号", "人员类别", "党籍状态", "所在党支部"]
    rows = [header, ["张示安", person_id(91), "正式党员", "预备党员", BRANCH]]
    path = workbook(tmp_path / "花名册.xlsx", {"Sheet1": rows})
    # Without --map the better header wins (党籍状态 over owip's loose 人员类别).
    assert main(["import", str(path), "--db", ledger_db, "--dry-run", "--json"]) == 0
    capsys.readouterr()
    code = main(["import", str(path), "--db", ledger_db, "--map", "人员类别=类别,党籍状态=不导入"])
    assert code == 0
    assert stored_categories(ledger_db) == {"张示安": "full"}
    # The issue's own example: the staffing column ignored, 党籍状态 taken.
    code = main(["import", str(path), "--db", ledger_db, "--map", "人员类别=不导入,党籍状态=类别"])
    assert code == 0
    assert stored_categories(ledger_db) == {"张示安": "probationary"}
    capsys.readouterr()


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("籍贯=类别", "--map 中的“籍贯=类别”在文件中用不上"),
        ("党籍状态=党籍", "“党籍”不是任何台账的字段，也不是“不导入”"),
        ("党籍状态", "应写成“文件列=字段”、“文件列=不导入”或“字段=值”"),
    ],
)
def test_unknown_names_in_map_exit_2_naming_them(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str], given: str, said: str
) -> None:
    rows = [["姓名", "身份证号", "党籍状态"], ["张示安", person_id(95), "正式党员"]]
    path = workbook(tmp_path / "花名册.xlsx", {"党员": rows})
    assert main(["import", str(path), "--db", ledger_db, "--map", given]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1
    assert stored_categories(ledger_db) == {}


def test_map_with_ledger_checks_the_fields_of_that_ledger(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["姓名", "身份证号", "党籍状态"], ["张示安", person_id(96), "正式党员"]]
    path = workbook(tmp_path / "花名册.xlsx", {"党员": rows})
    args = ["import", str(path), "--db", ledger_db, "--ledger", "members"]
    assert main([*args, "--map", "党籍状态=受理日期"]) == 2
    assert "不是“党员”的字段" in capsys.readouterr().err


def test_an_unrecognised_sheet_names_the_nearest_ledger_and_its_missing_columns(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ["所在党支部", "会议地点", "会议议题", "主持人姓名"]
    path = workbook(tmp_path / "会议.xlsx", {"记录": [header, [BRANCH, "会议室", "学习", "张"]]})
    assert main(["import", str(path), "--db", ledger_db]) == 2
    err = capsys.readouterr().err
    assert "工作表“记录”未识别为任何台账（最接近“组织生活”，缺少：类型、日期）" in err
    # With --map the same file imports.
    code = main(["import", str(path), "--db", ledger_db, "--map", "类型=党课,日期=2023-05-20"])
    assert code == 0
    open_database(ledger_db)
    try:
        stored = m.Activity.get()
        assert (stored.kind, stored.date, stored.topic, stored.host) == (
            "party_lesson",
            dt.date(2023, 5, 20),
            "学习",
            "张",
        )
    finally:
        close_database()


def test_with_ledger_a_missing_key_column_is_said_once(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["姓名", "类别"], *[[f"示{n}", "正式党员"] for n in range(5)]]
    path = workbook(tmp_path / "无身份证.xlsx", {"名单": rows})
    assert main(["import", str(path), "--db", ledger_db, "--ledger", "members"]) == 1
    out, err = capsys.readouterr()
    assert out.count("缺少必需的列：身份证号") == 1
    assert "错误行" not in out
    assert "工作表“名单”：工作表缺少必需的列：身份证号" in err


# --------------------------------------------------------------------------- remembered


def test_mappings_are_remembered_per_ledger_and_header_set(db: pw.Database) -> None:
    headers = ["姓名", "身份证号", "人员类别", "党籍状态"]
    chosen = mp.SheetMapping("members", {0: "name", 1: "id_number", 2: None, 3: "category"})
    assert mp.remembered("members", headers) is None
    mp.remember(headers, chosen)
    again = mp.remembered("members", ["姓名", "身份证号", "人员类别", "党籍状态"])
    assert again is not None and again.columns == chosen.columns
    assert mp.remembered("members", [*headers, "备注"]) is None  # another header set
    assert mp.remembered("activities", headers) is None  # another ledger
    key = mp.header_key("members", headers)
    assert key.startswith("import_mapping:members:") and m.Setting.get_by_id(key)
    mp.remember(headers, mp.SheetMapping("members", {2: "category", 3: None}))
    again = mp.remembered("members", headers)
    assert again is not None and again.columns == {2: "category", 3: None}


def test_a_blank_category_cell_is_not_a_full_member(tmp_path: Path, registry: Registry) -> None:
    rows = [
        ["姓名", "身份证号", "类别"],
        ["张示安", person_id(97), None],
        ["李示芳", person_id(98), "预备党员"],
    ]
    path = workbook(tmp_path / "空类别.xlsx", {"党员": rows})
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [INVALID, NEW]
    assert plan.invalid[0].reason == "类别：为空；新增的行不会默认记为“正式党员”，请填写"


def test_the_command_line_names_the_mapping_the_wizard_remembered(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = no_category_roster(tmp_path)
    open_database(ledger_db)
    try:
        headers = imp.read_file(path).sheets[0].headers
        mp.remember(
            headers,
            mp.SheetMapping(
                "members", {0: "name", 1: "id_number", 2: "branch#0"}, {"category": "预备党员"}
            ),
        )
    finally:
        close_database()
    assert main(["import", str(path), "--db", ledger_db]) == 1  # not applied by itself
    out = capsys.readouterr().out
    assert (
        '要同样导入请加 --map "姓名=姓名,身份证号=身份证号,所属党组织=所属党组织,类别=预备党员"'
        in out
    )
    assert stored_categories(ledger_db) == {}


def test_map_items_in_any_order(
    tmp_path: Path, ledger_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["姓名", "身份证号", "人员类别"], ["张示安", person_id(99), "在编"]]
    path = workbook(tmp_path / "编制.xlsx", {"党员": rows})
    assert main(["import", str(path), "--db", ledger_db]) == 1
    assert "“人员类别”列的值（在编）不是“类别”，未导入" in capsys.readouterr().out
    code = main(["import", str(path), "--db", ledger_db, "--map", "类别=正式党员,人员类别=不导入"])
    assert code == 0
    assert stored_categories(ledger_db) == {"张示安": "full"}
