"""发展党员 printouts: a branch's 发展党员工作台账 (one row a person) and a person's 发展党员纪实表
(every step with its date), as :class:`~partybuild.printing.layout.Document` s painted by the same
renderer as the sign-in sheets and rosters. ID numbers are masked: these sheets are handed round.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from partybuild.domain import dates, vocab
from partybuild.domain.validators import mask_id_number
from partybuild.printing.layout import BODY_PT, SMALL_PT, Column, Document, Table
from partybuild.services import records, recruitment
from partybuild.store import models as m

LEDGER_ROW_H = 11.0
#: The 阶段 column of the 台账, short enough for one line.
SHORT_STAGE = {"applicant": "申请人", "activist": "积极分子"}
RECORD_ROW_H = 9.5

#: The 台账's date columns: (field, header). One row a person.
LEDGER_STAGES: tuple[tuple[str, str], ...] = (
    ("applied_on", "递交\n申请书"),
    ("talked_on", "谈话"),
    ("activist_on", "确定\n积极分子"),
    ("candidate_on", "确定\n发展对象"),
    ("vetted_on", "政治\n审查"),
    ("training_end", "集中\n培训"),
    ("prechecked_on", "上级\n预审"),
    ("joined_on", "支部大会\n接收"),
    ("approved_on", "上级\n审批"),
    ("confirmed_on", "转正"),
)


def _day(value: dt.date | None) -> str:
    return "" if value is None else dates.shown(value).replace("-", ".")


def _people(branch_id: int | None) -> list[m.Member]:
    M = m.Member
    query = M.select().where(m.live(M), M.status.in_(recruitment.ACTIVE), spec_scope())
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    order = {
        c: i for i, c in enumerate(("applicant", "activist", "candidate", "probationary", "full"))
    }
    return sorted(
        query,
        key=lambda p: (
            order.get(p.category, 9),
            dates.earliest(p.applied_on) if p.applied_on else dt.date.max,
            p.name,
        ),
    )


def spec_scope() -> pw.Expression:
    from partybuild.ledgers import spec

    assert spec.RECRUITMENT.scope is not None
    return spec.RECRUITMENT.scope()


def recruitment_ledger(branch_id: int | None = None, today: dt.date | None = None) -> Document:
    """发展党员工作台账: everyone on the way in (of a branch, or of the park), stage dates in
    columns, the next step and its date in the last."""
    today = today or dt.date.today()
    branch = records.get("branches", branch_id) if branch_id is not None else None
    people = _people(branch_id)
    rules = recruitment.load_rules()
    columns = (
        Column("序号", 3.5, "center"),
        Column("姓名", 8, "center", font_pt=9),
        Column("身份证号", 14, "center", font_pt=7.5),
        Column("阶段", 8.5, "center", font_pt=8),
        *(Column(label, 8.2, "center", font_pt=7.5) for _, label in LEDGER_STAGES),
        Column("介绍人", 10, "center", font_pt=7.5),
        Column("下一步", 12, "left", font_pt=7.5),
    )
    rows = []
    for p in people:
        data = {name: getattr(p, name) for name in recruitment._PIPELINE_FIELDS if name != "branch"}
        step, earliest, deadline = recruitment.next_step(data, rules)
        when = deadline or earliest
        introducers = "\n".join(x.name for x in (p.introducer_1, p.introducer_2) if x is not None)
        rows.append(
            (
                p.name,
                mask_id_number(p.id_number),
                SHORT_STAGE.get(p.category, vocab.MEMBER_CATEGORY.label(p.category)),
                *(_day(getattr(p, name)) for name, _ in LEDGER_STAGES),
                introducers,
                step + (f"\n{'期限' if deadline else '可于'} {_day(when)}" if when else ""),
            )
        )
    counts = {c: 0 for c in ("applicant", "activist", "candidate", "probationary")}
    for p in people:
        if p.category in counts:
            counts[p.category] += 1
    info = (
        ("党组织", branch.name if branch is not None else "全部党组织"),
        ("制表日期", _day(today)),
        ("人数", "，".join(f"{vocab.MEMBER_CATEGORY.label(c)} {n} 人" for c, n in counts.items())),
        ("说明", "日期只知年月的按年月记；身份证号已隐去部分数字"),
    )
    title = f"{branch.name if branch is not None else ''}发展党员工作台账"
    return Document(
        "recruitment",
        title,
        info,
        (Table(columns, tuple(rows), LEDGER_ROW_H, numbered=True, font_pt=SMALL_PT),),
        landscape=True,
        names=tuple(p.name for p in people),
    )


def recruitment_record(member_id: int, today: dt.date | None = None) -> Document:
    """发展党员纪实表 of one person: who they are, then every step in order with its date."""
    today = today or dt.date.today()
    p: m.Member = records.get("recruitment", member_id)  # type: ignore[assignment]
    branch = p.branch.name if p.branch is not None and not p.branch.deleted else ""

    def votes(prefix: str) -> str:
        entitled = getattr(p, f"{prefix}_entitled")
        if entitled is None:
            return ""
        present, yes = getattr(p, f"{prefix}_present"), getattr(p, f"{prefix}_yes")
        return f"应到有表决权 {entitled} 人，实到 {present or 0} 人，赞成 {yes or 0} 人"

    introducers = "、".join(x.name for x in (p.introducer_1, p.introducer_2) if x is not None)
    training = ""
    if p.training_start or p.training_end:
        training = f"{_day(p.training_start)}—{_day(p.training_end)}"
    steps = (
        ("递交入党申请书", p.applied_on, ""),
        ("党组织派人谈话", p.talked_on, ""),
        ("确定为入党积极分子", p.activist_on, f"培养联系人：{p.mentors}" if p.mentors else ""),
        ("积极分子培训", None, p.activist_training or ""),
        ("最近一次考察", p.reviewed_on, ""),
        ("列入发展计划", p.plan_on, ""),
        ("确定为发展对象", p.candidate_on, ""),
        ("政治审查", p.vetted_on, ""),
        ("短期集中培训", p.training_end, training or (p.candidate_training or "")),
        ("发展对象公示", p.publicized_on, ""),
        ("上级党委预审", p.prechecked_on, ""),
        ("领取入党志愿书", p.pledge_on, f"编号 {p.pledge_number}" if p.pledge_number else ""),
        (
            "支部大会讨论接收预备党员",
            p.joined_on,
            "；".join(
                x
                for x in (votes("admission"), f"介绍人：{introducers}" if introducers else "")
                if x
            ),
        ),
        ("上级党委审批", p.approved_on, ""),
        ("延长预备期", None, f"{p.extension_months} 个月" if p.extension_months else ""),
        ("支部大会讨论转正", p.confirmed_on, votes("confirm")),
    )
    columns = (
        Column("序号", 6, "center"),
        Column("程序", 30, "left"),
        Column("日期", 18, "center"),
        Column("情况", 46, "left"),
    )
    rows = tuple((name, _day(day), note) for name, day, note in steps)
    info = (
        ("姓名", p.name),
        ("性别", vocab.GENDER.label(p.gender) if p.gender else ""),
        ("出生日期", _day(p.birth_date)),
        ("身份证号", mask_id_number(p.id_number)),
        ("所在党组织", branch),
        ("所在单位", p.enterprise.name if p.enterprise is not None else ""),
        ("当前阶段", vocab.MEMBER_CATEGORY.label(p.category)),
        ("制表日期", _day(today)),
    )
    return Document(
        "recruitment_record",
        "发展党员纪实表",
        info,
        (Table(columns, rows, RECORD_ROW_H, numbered=True, font_pt=BODY_PT),),
        landscape=False,
        names=(p.name,),
    )


def find_person(text: str) -> int:
    """The one person of 发展党员 ``text`` names (编号 or 姓名); ValidationError naming why not."""
    from partybuild.services.errors import ValidationError

    M = m.Member
    query = M.select(M.id, M.name).where(m.live(M), spec_scope())
    text = text.strip()
    found = list(query.where(M.id == int(text))) if text.isdigit() else []
    found = found or list(query.where(M.name == text))
    if len(found) == 1:
        return int(found[0].id)
    why = "有多人同名，请写人员编号" if found else "发展党员中没有此人"
    raise ValidationError({"member": f"“{text}”：{why}"}, {"member": "人员"})
