"""Rosters, meeting records, sign-in lists and problem ledgers written with everyday and
standard spellings import as they are, and every value is stored as the file says it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from partybuild.exchange import importer as imp
from partybuild.exchange.importer import INVALID, NEW
from partybuild.services import records
from partybuild.store import models as m
from tests.exchange.conftest import BRANCH, FIRM, Registry, person_id, workbook

HEADER = ["姓名", "性别", "民族", "身份证号", "学历", "所在企业", "所属党组织", "类别", "状态"]

# (学历, 性别, 民族, 类别, 状态) as rosters write them → what is stored.
ROSTER = [
    (("本科", "男性", "汉", "正式", "正常"), ("bachelor", "male", "汉族", "full", "normal")),
    (
        ("大专", "女性", "壮", "预备", "流动党员"),
        ("college", "female", "壮族", "probationary", "mobile"),
    ),
    (
        ("专科", "M", "维吾尔", "中共党员", "失联党员"),
        ("college", "male", "维吾尔族", "full", "lost"),
    ),
    (
        ("硕士", "F", "01", "中共预备党员", "停止党籍"),
        ("master", "female", "汉族", "probationary", "suspended"),
    ),
    (
        ("博士", "男", "回族", "积极分子", "死亡"),
        ("doctor", "male", "回族", "activist", "deceased"),
    ),
    (
        ("硕士研究生", "女", "土家", "申请人", "正常"),
        ("master", "female", "土家族", "applicant", "normal"),
    ),
    (("初中", "男", "满", "正式党员", "正常"), ("middle_school", "male", "满族", "full", "normal")),
    (("小学", "男", "苗", "正式党员", "正常"), ("primary", "male", "苗族", "full", "normal")),
    (
        ("高中及以下", "男", "汉族", "正式党员", "正常"),
        ("high_school_or_below", "male", "汉族", "full", "normal"),
    ),
    (
        ("博士及以上", "女", "穿青人", "正式党员", "正常"),
        ("doctor", "female", "穿青人", "full", "normal"),
    ),
    (
        ("中技", "男", "畲", "正式党员", "正常"),
        ("technical_school", "male", "畲族", "full", "normal"),
    ),
    (
        ("技工学校", "男", "彝", "正式党员", "正常"),
        ("technical_school", "male", "彝族", "full", "normal"),
    ),
    (
        ("21 大学", "男", "外国血统中国籍人士", "正式党员", "正常"),
        ("bachelor", "male", "外国血统中国籍人士", "full", "normal"),
    ),
    (
        ("大学本科（21）", "男", "藏", "正式党员", "正常"),
        ("bachelor", "male", "藏族", "full", "normal"),
    ),
    ((" 本 科。", "男", "汉", "正式党员", "正常"), ("bachelor", "male", "汉族", "full", "normal")),
    ((21, "男", "汉", "正式党员", "正常"), ("bachelor", "male", "汉族", "full", "normal")),
]


def id_for(n: int, gender: str) -> str:
    """An ID number whose sex digit agrees with the gender (odd: a man)."""
    return person_id(2 * n + (1 if gender == "male" else 2))


def test_a_roster_in_everyday_spellings_is_stored_exactly(
    tmp_path: Path, registry: Registry
) -> None:
    rows = [HEADER]
    for n, ((education, gender, ethnicity, category, status), out) in enumerate(ROSTER, start=1):
        number = id_for(n, out[1])
        rows.append(
            [f"示员{n}", gender, ethnicity, number, education, FIRM, BRANCH, category, status]
        )
    path = workbook(tmp_path / "花名册.xlsx", {"党员": rows})
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == [NEW] * len(ROSTER), [r.reason for r in plan.rows()]
    imp.apply(plan)
    for n, (_, (education, gender, ethnicity, category, status)) in enumerate(ROSTER, start=1):
        member = m.Member.get(m.Member.id_number == id_for(n, gender))
        assert member.name == f"示员{n}"
        assert member.education == education, n
        assert member.gender == gender, n
        assert member.ethnicity == ethnicity, n
        assert member.category == category, n
        assert member.status == status, n
        assert member.enterprise_id == registry.enterprise.id


def test_ambiguous_and_unfinished_education_is_refused_not_guessed(
    tmp_path: Path, registry: Registry
) -> None:
    rows = [
        HEADER,
        ["示甲", "男", "汉", person_id(1), "大学", FIRM, BRANCH, "正式党员", "正常"],
        ["示乙", "男", "汉", person_id(5), "22", FIRM, BRANCH, "正式党员", "正常"],
        ["示丙", "男", "火星", person_id(3), "本科", FIRM, BRANCH, "正式党员", "正常"],
        ["示丁", "男", "汉", person_id(7), "本科", FIRM, BRANCH, "党员", "正常"],
    ]
    plan = imp.plan_file(workbook(tmp_path / "含糊.xlsx", {"党员": rows}))
    assert [r.state for r in plan.rows()] == [INVALID] * 4
    reasons = [r.reason for r in plan.rows()]
    assert reasons[0] == "学历：“大学”没有说明是大学本科还是大学专科，请填写“大学本科”或“大学专科”"
    assert reasons[1].startswith("学历：“22”：GB/T 4658 的“大学本科结业”未毕业")
    assert reasons[2].startswith("民族：“火星”不是 GB/T 3304 的民族名称")
    assert reasons[3] == "类别：“党员”没有说明是正式党员还是预备党员"
    assert m.Member.select().count() == 0


def test_meetings_sign_ins_and_problems_in_other_systems_words(
    tmp_path: Path, registry: Registry
) -> None:
    kinds = {
        "党员大会": "general_meeting",
        "支部大会": "general_meeting",
        "支委会": "committee_meeting",
        "支委会议": "committee_meeting",
        "党小组会议": "group_meeting",
        "上党课": "party_lesson",
        "讲党课": "party_lesson",
        "主题党日活动": "theme_day",
        "民主评议": "review",
    }
    activity_rows = [["党组织", "类型", "日期", "主题"]]
    for day, word in enumerate(kinds, start=1):
        activity_rows.append([BRANCH, word, dt.date(2023, 3, day), f"议题{day}"])
    member = records.create(
        "members", {"name": "示签", "id_number": person_id(90), "branch": registry.branch.id}
    )
    signs = {"签到": "signed", "√": "signed", "出席": "signed", "未到": "absent", "假": "leave"}
    sign_rows = [["培训名称", "培训开始日期", "党员身份证号", "姓名", "单位", "状态"]]
    sign_rows.append(
        [registry.training.name, registry.training.start_date, person_id(90), None, None, "到"]
    )
    for n, word in enumerate(signs, start=1):
        sign_rows.append(
            [registry.training.name, registry.training.start_date, None, f"来宾{n}", "园区", word]
        )
    states = [
        ("已办结", "非常满意", "resolved", "very_satisfied"),
        ("办结", "比较满意", "resolved", "rather_satisfied"),
        ("正在办理", None, "in_progress", None),
        ("待办理", None, "open", None),
    ]
    issue_rows = [["企业", "受理日期", "类别", "问题描述", "状态", "办结日期", "企业评价"]]
    for n, (state, evaluation, _, _) in enumerate(states, start=1):
        resolved = dt.date(2023, 5, n + 1) if state in ("已办结", "办结") else None
        issue_rows.append(
            [FIRM, dt.date(2023, 5, n), "用工", f"诉求{n}", state, resolved, evaluation]
        )
    path = workbook(
        tmp_path / "台账.xlsx",
        {"组织生活": activity_rows, "培训签到": sign_rows, "企业诉求": issue_rows},
    )
    plan = imp.plan_file(path)
    assert all(r.state == NEW for r in plan.rows()), [r.reason for r in plan.rows()]
    imp.apply(plan)
    stored = {a.topic: a.kind for a in m.Activity.select()}
    assert stored == {f"议题{day}": code for day, code in enumerate(kinds.values(), start=1)}
    attendance = {(a.person_name or a.member.name): a.status for a in m.Attendance.select()}
    assert attendance == {
        "示签": "signed",
        **{f"来宾{n}": code for n, code in enumerate(signs.values(), start=1)},
    }
    issues = {i.description: (i.state, i.evaluation) for i in m.EnterpriseIssue.select()}
    assert issues == {
        f"诉求{n}": (state, evaluation)
        for n, (_, _, state, evaluation) in enumerate(states, start=1)
    }
    assert member.id


def test_templates_offer_the_park_items_and_never_an_overlong_list(
    tmp_path: Path, sqlite_db: object
) -> None:
    from openpyxl import load_workbook

    from partybuild.domain import vocab
    from partybuild.exchange import templates
    from partybuild.services import vocabularies

    items = vocabularies.items(vocab.ISSUE_CATEGORY)
    items.append(vocabularies.Item(None, "人才引进"))
    vocabularies.save(vocab.ISSUE_CATEGORY, items)
    ws = load_workbook(templates.write_template("issues", tmp_path / "issues.xlsx"))["企业诉求"]
    lists = [v.formula1 for v in ws.data_validations.dataValidation]
    assert any("人才引进" in f for f in lists)
    members = load_workbook(templates.write_template("members", tmp_path / "m.xlsx"))["党员"]
    ethnic = [v.formula1 for v in members.data_validations.dataValidation if "汉族" in v.formula1]
    assert len(ethnic) == 1 and "穿青人" in ethnic[0]
    many = [vocabularies.Item(None, f"园区自定问题类别{n}") for n in range(30)]
    vocabularies.save(vocab.ISSUE_CATEGORY, [*vocabularies.items(vocab.ISSUE_CATEGORY), *many])
    ws = load_workbook(templates.write_template("issues", tmp_path / "long.xlsx"))["企业诉求"]
    lists = [v.formula1 for v in ws.data_validations.dataValidation]
    assert all(len(f) <= 255 for f in lists)
    assert not any("园区自定问题类别" in f for f in lists)  # listed in the header's note instead
