"""Importing messy workbooks: one quirk per workbook, the exact outcome per row, on SQLite and
PostgreSQL; then all-or-nothing, updates by natural key and links inside one file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook

from partybuild.exchange import importer as imp
from partybuild.exchange.importer import INVALID, NEW, UNCHANGED, UPDATE
from partybuild.services import audit, records
from partybuild.store import models as m
from tests.exchange.conftest import (
    BRANCH,
    CODE_A,
    FIRM,
    MEMBER_HEADER,
    Registry,
    member_row,
    person_id,
    workbook,
)


def outcome(plan: imp.ImportPlan) -> list[tuple[str, int, str]]:
    return [(r.sheet.title, r.row, r.state) for r in plan.rows()]


def reasons(plan: imp.ImportPlan) -> dict[int, str]:
    return {r.row: r.reason for r in plan.rows() if r.state == INVALID}


def members() -> dict[str, m.Member]:
    return {x.id_number: x for x in m.Member.select()}


# --------------------------------------------------------------------------- quirks, one each


def test_title_row_header_in_any_order_with_aliases_and_serial_numbers(
    tmp_path: Path, registry: Registry
) -> None:
    header = ["联系方式", "序号", "公民身份号码", "党员姓名", "所在单位", "党组织", "人员类别"]
    path = workbook(
        tmp_path / "roster.xlsx",
        {
            "Sheet1": [
                ["恒远化工党员花名册（2023年）", None, None, None, None, None, None],
                [None] * 7,
                header,
                ["19900001111", 1, person_id(11), "张示安", FIRM, BRANCH, "正式党员"],
                ["19900001112", 2, person_id(12), "李示芳", FIRM, BRANCH, "预备党员"],
            ]
        },
        merge=["A1:G1"],
    )
    plan = imp.plan_file(path)
    sheet = plan.sheets[0]
    assert sheet.spec.name == "members" and sheet.header.rows == (3,)
    assert outcome(plan) == [("Sheet1", 4, NEW), ("Sheet1", 5, NEW)]
    assert plan.unknown_columns() == []
    imp.apply(plan)
    stored = members()[person_id(12)]
    assert (stored.name, stored.phone, stored.category) == ("李示芳", "19900001112", "probationary")
    assert stored.enterprise_id == registry.enterprise.id and stored.branch_id == registry.branch.id
    assert stored.gender == "female" and stored.birth_date == dt.date(1985, 6, 15)


def test_a_second_header_row_under_group_labels(tmp_path: Path, registry: Registry) -> None:
    path = workbook(
        tmp_path / "two-rows.xlsx",
        {
            "党员": [
                ["序号", "姓名", "身份信息", None, "组织关系", None],
                [None, None, "身份证号", "出生日期", "所属党组织", "类别"],
                [1, "张示安", person_id(21), dt.date(1985, 6, 15), BRANCH, "正式党员"],
            ]
        },
    )
    plan = imp.plan_file(path)
    sheet = plan.sheets[0]
    assert sheet.header.rows == (1, 2)
    assert {c.header for c in sheet.header.mapping.values()} == {
        "姓名",
        "身份证号",
        "出生日期",
        "所属党组织",
        "类别",
    }
    assert sheet.header.unknown == []
    assert outcome(plan) == [("党员", 3, NEW)]


def test_date_forms_and_excel_serials(tmp_path: Path, registry: Registry) -> None:
    day = dt.date(2015, 4, 18)
    forms = [
        "2015.4.18",
        "2015年4月18日",
        "2015/4/18",
        "2015-04-18",
        dt.datetime(2015, 4, 18),
        42112,  # the serial Excel stores for 2015-04-18
        "２０１５．４．１８",  # full-width digits
        "20150418",
    ]
    bad = {
        "2019.13": "不是有效的日期",
        1985.1: "无法确定月份",  # January, or October that lost its trailing zero
        "明年春天": "无法识别的日期",
    }
    rows = [member_row(i + 1, 入党日期=form) for i, form in enumerate(forms)]
    rows += [member_row(50 + i, 入党日期=form) for i, form in enumerate(bad)]
    path = workbook(tmp_path / "dates.xlsx", {"党员": [MEMBER_HEADER, *rows]})
    plan = imp.plan_file(path)
    states = [r.state for r in plan.rows()]
    assert states == [NEW] * len(forms) + [INVALID] * len(bad)
    assert all(r.values["joined_on"] == day for r in plan.rows() if r.state == NEW)
    why = list(reasons(plan).values())
    for text, expected in zip(why, bad.values(), strict=True):
        assert text.startswith("入党日期：") and expected in text


def test_an_event_date_needs_its_day(tmp_path: Path, registry: Registry) -> None:
    """A training happened on a day: a month or a bare year in 培训日期 is refused, said why."""
    header = ["培训名称", "培训类型", "培训日期"]
    rows = [
        ["党课甲", "专题党课", "2019.07"],
        ["党课乙", "专题党课", 2019.07],
        ["党课丙", "专题党课", "2019"],
        ["党课丁", "专题党课", "2019-07-05"],
    ]
    path = workbook(tmp_path / "trainings.xlsx", {"培训": [header, *rows]})
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [INVALID, INVALID, INVALID, NEW]
    why = list(reasons(plan).values())
    assert "只精确到月" in why[0] and "只精确到月" in why[1] and "只有年份" in why[2]


def test_id_number_stored_as_a_number_is_reported_never_repaired(
    tmp_path: Path, registry: Registry
) -> None:
    damaged = float(person_id(31)[:17] + "0")  # what Excel keeps of an 18-digit number
    path = workbook(
        tmp_path / "numbers.xlsx",
        {"党员": [MEMBER_HEADER, member_row(31, 身份证号=damaged), member_row(32)]},
    )
    plan = imp.plan_file(path)
    assert outcome(plan) == [("党员", 2, INVALID), ("党员", 3, NEW)]
    assert reasons(plan)[2] == "身份证号以数字形式保存，已丢失末位，请将该列设为文本后重新录入"
    with pytest.raises(imp.ImportRefused):
        imp.apply(plan)
    assert m.Member.select().count() == 0


def test_full_width_characters_and_stray_spaces_are_normalised(
    tmp_path: Path, registry: Registry
) -> None:
    full_width_id = person_id(41).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    path = workbook(
        tmp_path / "spaces.xlsx",
        {
            "党员": [
                MEMBER_HEADER,
                member_row(
                    41,
                    name=" 张\u3000示 ",
                    身份证号=f" {full_width_id} ",
                    所在企业=f"  {FIRM}\u3000",
                    类别="正式党员 ",
                    联系电话="199 0000 0041",
                ),
                member_row(42, name="王  示", 身份证号=person_id(42).lower()),
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW, NEW], reasons(plan)
    first, second = (r.values for r in plan.rows())
    assert first["name"] == "张示" and first["id_number"] == person_id(41)
    assert first["phone"] == "19900000041" and first["enterprise"] == registry.enterprise.id
    assert second["name"] == "王示" and second["id_number"] == person_id(42)


def test_choices_by_label_or_code_and_unknown_choices_named(
    tmp_path: Path, registry: Registry
) -> None:
    path = workbook(
        tmp_path / "choices.xlsx",
        {
            "党员": [
                MEMBER_HEADER,
                member_row(51, 类别="预备党员"),
                member_row(52, 类别="probationary"),
                member_row(53, 类别="群众"),
                member_row(54, 类别="党员"),
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW, NEW, INVALID, INVALID]
    assert {r.values.get("category") for r in plan.rows() if r.state == NEW} == {"probationary"}
    assert reasons(plan)[4].startswith("类别：“群众”不是可选值（可选：正式党员、预备党员")
    # A word known to be ambiguous is refused with what it leaves open, never guessed.
    assert reasons(plan)[5] == "类别：“党员”没有说明是正式党员还是预备党员"


def test_links_resolve_by_name_and_unknown_ones_are_reported(
    tmp_path: Path, registry: Registry
) -> None:
    path = workbook(
        tmp_path / "links.xlsx",
        {
            "党员": [
                MEMBER_HEADER,
                member_row(61),
                member_row(62, 所在企业="恒远化工", 所属党组织="第九联合党支部"),
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW, INVALID]
    assert reasons(plan)[3] == (
        "所在企业：找不到“恒远化工”（是否为“恒远化工有限公司”？）；"
        "所属党组织：找不到“第九联合党支部”"
    )


def test_footer_lines_blank_rows_and_extra_sheets_are_skipped(
    tmp_path: Path, registry: Registry
) -> None:
    path = workbook(
        tmp_path / "footer.xlsx",
        {
            "党员": [
                MEMBER_HEADER,
                member_row(71),
                [None] * 8,
                [3, None, None, None, None, None, None, None],  # a numbered empty row
                member_row(72),
                [None] * 8,
                ["填报人：张示安", None, None, "审核人：李示华", None, None, None, None],
                ["填报日期：2023年12月", None, None, None, None, None, None, None],
            ],
            "统计": [["支部", "人数"], [BRANCH, 2]],
        },
    )
    plan = imp.plan_file(path)
    assert outcome(plan) == [("党员", 2, NEW), ("党员", 5, NEW)]
    assert plan.sheets[0].skipped_footer == 1  # 填报日期 fills no column of the ledger: blank
    assert plan.ignored == ["工作表“统计”未识别为任何台账，已忽略"]


def test_unknown_columns_are_reported_and_ignored(tmp_path: Path, registry: Registry) -> None:
    path = workbook(
        tmp_path / "unknown.xlsx",
        {"党员": [[*MEMBER_HEADER, "籍贯"], [*member_row(81), "江西"]]},
    )
    plan = imp.plan_file(path)
    assert outcome(plan) == [("党员", 2, NEW)]
    assert plan.report(False)["unknown_columns"] == [
        {"ledger": "members", "sheet": "党员", "column": "籍贯"}
    ]


def test_duplicate_keys_in_one_file_make_every_copy_invalid(
    tmp_path: Path, registry: Registry
) -> None:
    path = workbook(
        tmp_path / "dupes.xlsx",
        {"党员": [MEMBER_HEADER, member_row(91), member_row(92), member_row(91, name="张示安二")]},
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [INVALID, NEW, INVALID]
    assert reasons(plan) == {
        2: "与第 4 行的身份证号相同（文件中重复，请只保留一行）",
        4: "与第 2 行的身份证号相同（文件中重复，请只保留一行）",
    }


def test_a_masked_export_is_refused_row_by_row(tmp_path: Path, registry: Registry) -> None:
    path = workbook(
        tmp_path / "masked.xlsx",
        {"党员": [MEMBER_HEADER, member_row(93, 身份证号="9999**********1234")]},
    )
    plan = imp.plan_file(path)
    assert "已脱敏" in reasons(plan)[2]


# --------------------------------------------------------------------------- updates


def test_updates_keep_the_id_and_bump_the_version_unchanged_rows_are_not_written(
    tmp_path: Path, registry: Registry
) -> None:
    first = workbook(
        tmp_path / "v1.xlsx", {"党员": [MEMBER_HEADER, member_row(101), member_row(102)]}
    )
    imp.apply(imp.plan_file(first))
    before = members()
    second = workbook(
        tmp_path / "v2.xlsx",
        {"党员": [MEMBER_HEADER, member_row(101), member_row(102, 联系电话="13800138000")]},
    )
    plan = imp.plan_file(second)
    assert [r.state for r in plan.rows()] == [UNCHANGED, UPDATE]
    assert plan.rows().__next__().changes == []
    changed = [r for r in plan.rows() if r.state == UPDATE][0]
    assert changed.changes == [("联系电话", "19900000102", "13800138000")]
    result = imp.apply(plan)
    assert result.written == 1
    after = members()
    same, moved = person_id(101), person_id(102)
    assert after[same].version == before[same].version == 1
    assert after[same].updated_at == before[same].updated_at
    assert after[moved].id == before[moved].id and after[moved].version == 2
    assert after[moved].phone == "13800138000"
    logged = [e for e in audit.entries() if e.action == "import"]
    assert [(e.record_id, e.summary()) for e in logged if e.record_id] == [
        (after[moved].id, "联系电话：199****0102 → 138****8000；说明：由“党员”第 3 行导入")
    ]
    assert "新增 0 条，更新 1 条" in logged[0].summary() + logged[1].summary()
    # A column left out of the sheet keeps its stored value.
    partial = workbook(
        tmp_path / "v3.xlsx", {"党员": [["身份证号", "联系电话"], [moved, "13800138001"]]}
    )
    plan = imp.plan_file(partial)
    assert [r.state for r in plan.rows()] == [UPDATE]
    imp.apply(plan)
    final = members()[moved]
    assert (final.phone, final.name, final.enterprise_id) == (
        "13800138001",
        "张示安",
        registry.enterprise.id,
    )


def test_a_record_in_the_recycle_bin_is_not_silently_revived(
    tmp_path: Path, registry: Registry
) -> None:
    member = records.create("members", {"name": "张示安", "id_number": person_id(111)})
    records.soft_delete("members", member.id)
    plan = imp.plan_file(
        workbook(tmp_path / "bin.xlsx", {"党员": [MEMBER_HEADER, member_row(111)]})
    )
    assert reasons(plan)[2] == "与回收站中的记录“张示安”相同，请先在回收站中恢复后再导入"


def test_enterprises_match_by_credit_code_else_by_name(tmp_path: Path, registry: Registry) -> None:
    header = ["名称", "统一社会信用代码", "职工数"]
    path = workbook(
        tmp_path / "firms.xlsx",
        {
            "企业": [
                header,
                ["恒远化工股份有限公司", CODE_A, 320],  # renamed: found by its credit code
                ["瑞丰医药有限公司", None, 80],  # no code: found by name
                ["金诚新材料有限公司", None, 12],  # new
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [UPDATE, UPDATE, NEW]
    imp.apply(plan)
    renamed = m.Enterprise.get(m.Enterprise.credit_code == CODE_A)
    assert renamed.id == registry.enterprise.id and renamed.name == "恒远化工股份有限公司"
    assert m.Enterprise.get_by_id(registry.other_enterprise.id).employees == 80


# --------------------------------------------------------------------------- all or nothing


def test_one_invalid_row_means_nothing_is_written_unless_skipped(
    tmp_path: Path, registry: Registry
) -> None:
    path = workbook(
        tmp_path / "mixed.xlsx",
        {
            "党员": [
                MEMBER_HEADER,
                member_row(121),
                member_row(122, 身份证号="123"),
                member_row(123),
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW, INVALID, NEW]
    assert reasons(plan)[3] == "身份证号：应为18位，当前为3位"
    with pytest.raises(imp.ImportRefused, match="有 1 行错误，未写入任何数据"):
        imp.apply(plan)
    assert m.Member.select().count() == 0
    result = imp.apply(plan, skip_invalid=True)
    assert result.written == 2
    assert set(members()) == {person_id(121), person_id(123)}


def test_a_failure_while_writing_rolls_everything_back(
    tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(
        tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(131), member_row(132)]}
    )
    plan = imp.plan_file(path)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 1  # after the first rows went in

    with pytest.raises(imp.ImportCancelled):
        imp.apply(plan, cancel=cancel)
    assert m.Member.select().count() == 0
    # A record changed by someone else after the preview refuses the whole import.
    imp.apply(imp.plan_file(path))
    again = imp.plan_file(
        workbook(
            tmp_path / "v2.xlsx",
            {"党员": [MEMBER_HEADER, member_row(131, 联系电话="13800138000"), member_row(133)]},
        )
    )
    member = m.Member.get(m.Member.id_number == person_id(131))
    records.update("members", member.id, {"note": "他人修改"}, member.version)
    with pytest.raises(imp.ImportRefused, match="已被他人修改"):
        imp.apply(again)
    assert m.Member.select().count() == 2
    assert m.Member.get(m.Member.id == member.id).phone == "19900000131"


def test_sqlite_is_backed_up_before_the_import(tmp_path: Path, sqlite_registry: Registry) -> None:
    path = workbook(tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(141)]})
    result = imp.apply(imp.plan_file(path))
    assert result.backup is not None and result.backup.parent.name == "backups"
    assert result.backup.name.startswith("ledger-before-import-")
    assert result.backup.suffix == ".sqlite3"
    copy = pw.SqliteDatabase(str(result.backup))
    assert copy.execute_sql("SELECT COUNT(*) FROM member").fetchone()[0] == 0
    assert copy.execute_sql("SELECT COUNT(*) FROM branch").fetchone()[0] == 1
    copy.close()


# --------------------------------------------------------------------------- links in one file


def test_rows_linking_to_an_invalid_row_of_the_file_are_invalid_too(
    tmp_path: Path, registry: Registry
) -> None:
    path = workbook(
        tmp_path / "chain.xlsx",
        {
            "企业": [["名称", "统一社会信用代码"], ["金诚新材料有限公司", "91360281MA35ABCDX"]],
            "党员": [
                MEMBER_HEADER,
                member_row(151, 所在企业="金诚新材料有限公司"),
                member_row(152),
            ],
        },
    )
    plan = imp.plan_file(path)
    assert outcome(plan) == [("企业", 2, INVALID), ("党员", 2, INVALID), ("党员", 3, NEW)]
    firm, member = plan.invalid
    assert (
        firm.reason == "统一社会信用代码：统一社会信用代码校验位不正确"
        or firm.reason.startswith("统一社会信用代码")
    )
    assert member.reason == "所在企业：“金诚新材料有限公司”所在行（企业 第 2 行）有错误"


def test_new_records_link_to_each_other_within_one_file(tmp_path: Path, registry: Registry) -> None:
    path = workbook(
        tmp_path / "whole.xlsx",
        {
            "党组织": [
                ["名称", "类型", "上级党组织"],
                ["园区第二联合党支部", "联合党支部", "园区综合党委"],  # parent is a later row
                ["园区综合党委", "临时党支部", None],
                ["甲支部", "独立党支部", "乙支部"],
                ["乙支部", "独立党支部", "甲支部"],  # a loop
            ],
            "企业": [["名称", "所属党组织"], ["金诚新材料有限公司", "园区第二联合党支部"]],
            "党员": [
                MEMBER_HEADER,
                member_row(161, 所在企业="金诚新材料有限公司", 所属党组织="园区第二联合党支部"),
            ],
            "培训签到": [
                ["培训名称", "党员身份证号", "姓名", "单位", "状态"],
                [
                    "党的二十大精神轮训第一期",
                    person_id(161),
                    "张示安",
                    "金诚新材料有限公司",
                    "已签到",
                ],
                ["党的二十大精神轮训第一期", None, "赵示明", "瑞丰医药有限公司", "已签到"],
            ],
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW, NEW, INVALID, INVALID, NEW, NEW, NEW, NEW]
    assert "形成循环" in reasons(plan)[4] and "形成循环" in reasons(plan)[5]
    imp.apply(plan, skip_invalid=True)
    child = m.Branch.get(m.Branch.name == "园区第二联合党支部")
    assert child.parent.name == "园区综合党委"
    member = m.Member.get(m.Member.id_number == person_id(161))
    assert member.enterprise.name == "金诚新材料有限公司" and member.branch_id == child.id
    sign_in = list(m.Attendance.select().order_by(m.Attendance.id))
    assert [(a.member_id, a.person_name, a.person_unit) for a in sign_in] == [
        (member.id, None, None),  # the member's own name and unit are not copied
        (None, "赵示明", "瑞丰医药有限公司"),
    ]


def test_attendance_names_a_training_by_name_and_start_date(
    tmp_path: Path, registry: Registry
) -> None:
    records.create(
        "trainings",
        {
            "name": "党的二十大精神轮训第一期",
            "kind": "rotation",
            "start_date": dt.date(2024, 2, 16),
        },
    )
    member = records.create("members", {"name": "张示安", "id_number": person_id(171)})
    header = ["培训名称", "培训开始日期", "党员身份证号", "姓名", "状态"]
    path = workbook(
        tmp_path / "sign-in.xlsx",
        {
            "培训签到": [
                header,
                [
                    "党的二十大精神轮训第一期",
                    dt.date(2023, 2, 16),
                    person_id(171),
                    "张示安",
                    "已签到",
                ],
                ["党的二十大精神轮训第一期", None, person_id(171), "张示安", "已签到"],
                [
                    "党的二十大精神轮训第一期",
                    dt.date(2024, 2, 16),
                    person_id(171),
                    "李示华",
                    "请假",
                ],
            ]
        },
    )
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW, INVALID, INVALID]
    assert reasons(plan)[3] == (
        "培训名称：“党的二十大精神轮训第一期”有多期（2023-02-16、2024-02-16），请填写培训开始日期"
    )
    assert reasons(plan)[4] == "姓名：“李示华”与身份证号对应的党员“张示安”不一致"
    assert [r.values["member"] for r in plan.rows() if r.state == NEW] == [member.id]


# --------------------------------------------------------------------------- the same rules as the form


@pytest.mark.parametrize(
    "data",
    [
        {"name": "张示安", "id_number": person_id(181), "category": "full"},
        {"name": "张示安", "id_number": person_id(181)[:17] + "0"},
        {"name": "", "id_number": person_id(181), "joined_on": dt.date(1980, 1, 1)},
        {"name": "张示安", "id_number": person_id(181), "gender": "female"},
        {"name": "张示安", "id_number": person_id(181), "confirmed_on": dt.date(2020, 1, 1)},
        {
            "name": "张示安",
            "id_number": person_id(181),
            "category": "activist",
            "joined_on": dt.date(2020, 1, 1),
        },
        {"name": "张示安\n二", "id_number": person_id(181), "phone": "12345"},
    ],
)
def test_cleaning_agrees_with_the_forms_validation(sqlite_db: pw.Database, data: dict) -> None:
    from partybuild.ledgers import spec
    from partybuild.services.errors import ValidationError

    ledger = spec.ledger("members")
    values, errors = imp.clean_values(ledger, data)
    try:
        expected = records.validate(ledger, data)
    except ValidationError as exc:
        assert errors == exc.errors
    else:
        assert errors == {} and values == expected


# --------------------------------------------------------------------------- error workbook


def test_the_error_workbook_holds_the_rows_as_they_were_with_the_reason(
    tmp_path: Path, registry: Registry
) -> None:
    damaged = float(person_id(191)[:17] + "0")
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "党员": [
                ["党员花名册"],
                MEMBER_HEADER,
                member_row(191, 身份证号=damaged),
                member_row(192),
                member_row(193, name='=HYPERLINK("http://example.com","x")', 入党日期="2019.13"),
            ]
        },
    )
    plan = imp.plan_file(path)
    out = tmp_path / "errors.xlsx"
    assert imp.write_error_workbook(plan, out) == 2
    ws = load_workbook(out)["党员"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (*MEMBER_HEADER, "错误原因", "原行号")
    assert rows[1][2] == damaged and rows[1][-1] == 3 and "丢失末位" in rows[1][-2]
    assert rows[2][1] == '=HYPERLINK("http://example.com","x")' and rows[2][-1] == 5
    assert ws.cell(row=3, column=2).data_type == "s"
    assert rows[2][6] == "2019.13" and "不是有效的日期" in rows[2][-2]
    # Fixed and imported again, the extra columns are not "unknown".
    again = imp.plan_file(out)
    assert again.unknown_columns() == []


def test_birth_month_is_completed_from_the_id_number(tmp_path: Path, registry: Registry) -> None:
    """出生年月 “1985.06” (how rosters write it) takes the day from a valid ID number that agrees;
    a disagreeing ID number is refused, never chosen between. A member always has an ID number,
    so the stored birth date is the full one. The *number* 1985.1 is January or October: refused."""
    header = [*MEMBER_HEADER, "出生年月"]
    born = dt.date(1985, 6, 15)  # what person_id() puts in every ID number
    rows = [
        [*member_row(1), "1985.06"],
        [*member_row(2), 1985.06],  # typed as a number
        [*member_row(3), "1985年7月"],  # disagrees with the ID number
        [*member_row(4, 身份证号=None), "1985.06"],  # nothing to complete it from
        [*member_row(5), 1985.1],  # 1985.1 or 1985.10 with its zero dropped by Excel
        [*member_row(6), "1985"],  # a year: the ID number supplies the rest
    ]
    path = workbook(tmp_path / "months.xlsx", {"党员": [header, *rows]})
    plan = imp.plan_file(path)
    states = [r.state for r in plan.rows()]
    assert states == [NEW, NEW, INVALID, INVALID, INVALID, NEW]
    planned = list(plan.rows())
    assert planned[0].values["birth_date"] == born
    assert planned[1].values["birth_date"] == born
    assert planned[5].values["birth_date"] == born
    why = list(reasons(plan).values())
    assert why[0] == "出生年月：1985年7月与身份证号中的出生日期 1985-06-15 不一致"
    assert why[1] == "身份证号：必填"
    assert why[2] == (
        "出生年月：数字“1985.1”无法确定月份：可能是 1985年1月，也可能是 1985年10月"
        "（Excel 会去掉数字末尾的 0）；请将该列设为文本，填写 1985.01 或 1985.10"
    )
    imp.apply(plan, skip_invalid=True)
    stored = members()[person_id(1)]
    assert stored.birth_date == born and stored.birth_date_precision is None
