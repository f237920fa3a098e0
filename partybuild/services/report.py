"""The annual summary (年度党建工作总结) written from the data, and the records behind each figure.

At year end the committee office writes sentences like “组织了党的二十大精神轮训6期，培训党员650余
人 … 为企业解决发展难题50余件” (seed, section 一.8), counting by hand across many sheets. Here
every number comes from :func:`partybuild.services.stats.year_stats` (so the summary and
``partybuild stats --json`` never disagree) and every name of a training series from the
training records themselves; the templates hold words, never figures.

The overview page drills down from a card or a bar to exactly the records it counts: the
``*_ids`` functions below select them with the definitions of :mod:`partybuild.services.stats`,
and the overview shows ``len(ids)`` — the number on a card is the length of the list it opens.
Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from partybuild.domain import overdue, vocab
from partybuild.services import compliance, dues, recruitment, stats
from partybuild.store import models as m

ORDINALS = "一二三四五六七八九十"
ACTIVE = ("normal", "mobile")
PARTY = ("full", "probationary")


def _exists_at(field: pw.Field, end: dt.date) -> pw.Expression:
    """As stats counts it (stats._existing): a partial founding counts when certainly by ``end``."""
    if isinstance(field, m.PartialDateField):
        return field.is_null() | m.certainly_by(field, end)
    return field.is_null() | (field <= end)


def _ids(query: pw.ModelSelect, model: type[m.BaseModel]) -> list[int]:
    """The records' ids, ascending. Read straight off the cursor (ids need no conversion into row
    tuples) and sorted here: at 200,000 members a card's 160,000 ids come off the figures' index
    (migration 0011) in its own order, and sorting them in Python is cheaper than in SQL."""
    cursor = model._meta.database.execute(query.select(model.id).order_by())
    ids = [row[0] for row in cursor]
    ids.sort()
    return ids


# --------------------------------------------------------------------------- records behind figures


def branch_ids(period: stats.Period, kind: str) -> list[int]:
    """Live branches of a kind existing at the end of the period (``branches.<kind>``)."""
    B = m.Branch
    return _ids(
        B.select().where(m.live(B), _exists_at(B.founded_on, period.end), B.kind == kind), B
    )


def party_member_ids(period: stats.Period | None = None) -> list[int]:
    """Full and probationary members on the roll at the period's end (today without one) —
    ``members.full + members.probationary`` (stats.members_at_end)."""
    M = m.Member
    if period is None:
        query = M.select().where(m.live(M), M.status.in_(ACTIVE))
    else:
        query = stats.members_at_end(period)
    return _ids(query.where(M.category.in_(PARTY)), M)


def training_ids(period: stats.Period, kind: str | None = None) -> list[int]:
    """Live trainings starting in the period (``trainings.<kind>.sessions``)."""
    T = m.Training
    query = T.select().where(m.live(T), T.start_date.between(period.start, period.end))
    if kind is not None:
        query = query.where(T.kind == kind)
    return _ids(query, T)


def team_ids(period: stats.Period, kind: str) -> list[int]:
    """Live teams of a kind existing at the end of the period (``teams.<kind>``)."""
    T = m.Team
    return _ids(
        T.select().where(m.live(T), _exists_at(T.founded_on, period.end), T.kind == kind), T
    )


def service_ids(period: stats.Period, team_id: int | None = None) -> list[int]:
    """Live services of live teams in the period (``services.count``)."""
    S, T = m.Service, m.Team
    query = S.select().join(T).where(m.live(S), m.live(T), S.date.between(period.start, period.end))
    if team_id is not None:
        query = query.where(S.team == team_id)
    return _ids(query, S)


def _issues() -> pw.ModelSelect:
    I, E = m.EnterpriseIssue, m.Enterprise
    return I.select().join(E).where(m.live(I), m.live(E))


def resolved_issue_ids(period: stats.Period, category: str | None = None) -> list[int]:
    """Resolved (已解决) with 办结日期 in the period (``issues.resolved``)."""
    I = m.EnterpriseIssue
    query = _issues().where(I.state == "resolved", I.resolved_on.between(period.start, period.end))
    if category is not None:
        query = query.where(I.category == category)
    return _ids(query, I)


def pending_issue_ids(period: stats.Period, overdue_only: bool = False) -> list[int]:
    """Received by the period's end and not closed then; ``overdue_only``: past 办结时限 too."""
    I = m.EnterpriseIssue
    query = _issues().where(I.received_on <= period.end, I.open_on(period.end))
    if overdue_only:
        query = query.where(I.overdue_on(overdue.as_of(period.end)))
    return _ids(query, I)


def latest_year_with_data() -> int:
    """The year the overview opens on: the latest with trainings or activities (not after
    this year), else this year."""
    years = []
    for day in (m.Training.start_date, m.Activity.date):
        model = day.model
        latest = model.select(pw.fn.MAX(day).coerce(False)).where(m.live(model)).scalar()
        if latest:
            years.append(int(str(latest)[:4]))
    this_year = dt.date.today().year
    return min(max(years), this_year) if years else this_year


# --------------------------------------------------------------------------- chart data


@dataclass(frozen=True)
class MonthRow:
    month: int
    training_ids: tuple[int, ...]  # trainings starting this month
    signed: int  # signed-in attendances (已签到) at those trainings
    signed_training_ids: tuple[int, ...]  # the trainings those attendances belong to


def trainings_by_month(year: int) -> list[MonthRow]:
    """Trainings and signed-in attendances per month of the training's start (as ``stats``)."""
    T, A, M = m.Training, m.Attendance, m.Member
    period = stats.Period.year(year)
    month = {tid: day.month for tid, day in _trainings_in(period).tuples()}
    signed: dict[int, int] = defaultdict(int)
    for tid, n in (
        A.select(A.training, pw.fn.COUNT(A.id))
        .join(T)
        .switch(A)
        .join(M, pw.JOIN.LEFT_OUTER)
        .where(
            m.live(T),
            T.start_date.between(period.start, period.end),
            m.live(A),
            A.member.is_null() | m.live(M),
            A.status == "signed",
        )
        .group_by(A.training)
        .tuples()
    ):
        signed[tid] = int(n)
    rows = []
    for mo in range(1, 13):
        ids = tuple(sorted(t for t, m_ in month.items() if m_ == mo))
        rows.append(
            MonthRow(
                mo,
                ids,
                sum(signed[t] for t in ids),
                tuple(t for t in ids if signed[t]),
            )
        )
    return rows


def _trainings_in(period: stats.Period) -> pw.ModelSelect:
    T = m.Training
    return T.select(T.id, T.start_date).where(
        m.live(T), T.start_date.between(period.start, period.end)
    )


def issues_by_category_and_state(year: int) -> dict[tuple[str, str], list[int]]:
    """Problems received in the year (``issues.received``), by category and current state."""
    I = m.EnterpriseIssue
    period = stats.Period.year(year)
    result: dict[tuple[str, str], list[int]] = defaultdict(list)
    for issue_id, category, state in (
        _issues()
        .select(I.id, I.category, I.state)
        .where(I.received_on.between(period.start, period.end))
        .order_by(I.id)
        .tuples()
    ):
        result[(category, state)].append(issue_id)
    return dict(result)


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    kind: str
    service_ids: tuple[int, ...]


def services_by_team(year: int) -> list[TeamRow]:
    """Every live team of the year (existing at its end, or with services in it), busiest first."""
    S, T = m.Service, m.Team
    period = stats.Period.year(year)
    per_team: dict[int, list[int]] = defaultdict(list)
    for sid, tid in (
        S.select(S.id, S.team)
        .join(T)
        .where(m.live(S), m.live(T), S.date.between(period.start, period.end))
        .order_by(S.id)
        .tuples()
    ):
        per_team[tid].append(sid)
    teams = T.select(T.id, T.name, T.kind).where(
        m.live(T), _exists_at(T.founded_on, period.end) | T.id.in_(list(per_team) or [-1])
    )
    rows = [TeamRow(tid, name, kind, tuple(per_team[tid])) for tid, name, kind in teams.tuples()]
    rows.sort(key=lambda r: (-len(r.service_ids), r.name))
    return rows


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class Section:
    """One paragraph of the summary: an optional lead (“一是扎实开展轮训工作。”) and its text."""

    lead: str
    text: str

    def full(self) -> str:
        return f"{self.lead}{self.text}"


@dataclass(frozen=True)
class BranchRow:
    branch_id: int
    name: str
    kind: str
    members: int  # full + probationary
    full: int
    enterprises: int
    meetings_held: int
    meetings_due: int
    attendances: int  # signed-in training attendances of the branch's members
    services: int  # services of the branch's teams
    problems_solved: int  # problems of the branch's enterprises resolved in the year

    @property
    def kind_label(self) -> str:
        return vocab.BRANCH_KIND.label(self.kind)


@dataclass(frozen=True)
class KindRow:
    """三会一课 of one kind: how many periods were due and how many were held."""

    kind: str
    label: str
    period_label: str
    due: int
    held: int

    @property
    def rate(self) -> float | None:
        return self.held / self.due if self.due else None


@dataclass
class AnnualSummary:
    year: int
    as_of: dt.date
    title: str
    subtitle: str
    figures: dict[str, Any]
    sections: list[Section]
    branch_rows: list[BranchRow]
    kind_rows: list[KindRow]
    compliance: compliance.ComplianceReport
    issue_rows: list[compliance.ResolveTime] = field(default_factory=list)
    # 党费收缴情况 per branch (services.dues.branch_table): 应交, 实交, 收缴率.
    dues_rows: list[tuple[str, int, str, str, str, int]] = field(default_factory=list)

    def text(self) -> str:
        """The summary as plain text: title, subtitle and paragraphs."""
        return "\n".join([self.title, self.subtitle, *(s.full() for s in self.sections)])

    def branch_total(self) -> BranchRow:
        rows = self.branch_rows
        return BranchRow(
            0,
            "合计",
            "",
            *(
                sum(getattr(r, name) for r in rows)
                for name in (
                    "members",
                    "full",
                    "enterprises",
                    "meetings_held",
                    "meetings_due",
                    "attendances",
                    "services",
                    "problems_solved",
                )
            ),
        )


BRANCH_TABLE_HEADERS = (
    "序号",
    "党组织",
    "类型",
    "党员（名）",
    "覆盖企业（家）",
    "组织生活（已开/应开）",
    "培训签到（人次）",
    "志愿服务（次）",
    "解决难题（件）",
)
KIND_TABLE_HEADERS = ("组织生活", "频次", "应开展（次）", "已开展（次）", "未开展（次）", "落实率")
ISSUE_TABLE_HEADERS = ("诉求类别", "解决（件）", "平均用时（天）", "中位用时（天）")


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


_SERIAL = re.compile(
    r"\s*(?:[（(]?第\s*[0-9一二三四五六七八九十百]+\s*[期场次讲课轮批][）)]?|[（(][0-9一二三四五六七八九十]+[）)])\s*$"
)


def series_name(names: list[str]) -> str:
    """What a series of trainings is called: the common start of its names, serials removed.

    党的二十大精神轮训第一期 … 第六期 → 党的二十大精神轮训; 主题教育专题党课：… → 主题教育专题党课.
    """
    cleaned = [_SERIAL.sub("", n).strip() for n in names if n]
    if not cleaned:
        return ""
    prefix = os.path.commonprefix(cleaned)
    if len(cleaned) > 1 and prefix not in cleaned:
        # Cut a half-word back to the last separator, if any.
        for sep in ("：", ":", "——", "—", "·", " "):
            if sep in prefix:
                prefix = prefix[: prefix.rindex(sep)]
                break
    return prefix.strip(" ：:，,、（(—-·第")


def _series(period: stats.Period, kind: str, must_contain: str) -> str:
    """``must_contain`` itself unless the trainings' own common name says it better."""
    T = m.Training
    names = [
        n
        for (n,) in T.select(T.name)
        .where(m.live(T), T.kind == kind, T.start_date.between(period.start, period.end))
        .order_by(T.start_date, T.id)
        .tuples()
    ]
    name = series_name(names)
    return name if must_contain in name else must_contain


def _first_names(period: stats.Period, kind: str, limit: int = 2) -> list[str]:
    T = m.Training
    return [
        _SERIAL.sub("", n).strip()
        for (n,) in T.select(T.name)
        .where(m.live(T), T.kind == kind, T.start_date.between(period.start, period.end))
        .order_by(T.start_date, T.id)
        .limit(limit)
        .tuples()
    ]


def _join(parts: list[str]) -> str:
    return "，".join(p for p in parts if p)


def _count_phrase(pairs: list[tuple[str, int]], unit: str) -> str:
    """独立党支部15个、联合党支部6个 — zero counts left out."""
    return "、".join(f"{label}{n}{unit}" for label, n in pairs if n)


def _regional_without_members(period: stats.Period) -> bool:
    """Whether every enterprise a regional branch covers has no party member (the report's words)."""
    E, B, M = m.Enterprise, m.Branch, m.Member
    with_members = (
        E.select()
        .join(B, on=(E.branch == B.id))
        .where(
            m.live(E),
            m.live(B),
            B.kind == "regional",
            _exists_at(B.founded_on, period.end),
            E.id.in_(
                M.select(M.enterprise).where(m.live(M), M.status.in_(ACTIVE), M.category.in_(PARTY))
            ),
        )
    )
    return not with_members.exists()


def _sections(
    period: stats.Period,
    figures: dict[str, Any],
    check: compliance.ComplianceReport,
    running: bool,
) -> list[Section]:
    year = period.start.year
    b, cov, mem = figures["branches"], figures["enterprises_covered"], figures["members"]
    t, teams, svc, iss = (
        figures["trainings"],
        figures["teams"],
        figures["services"],
        figures["issues"],
    )
    act = figures["activities"]
    as_of = check.as_of
    when = f"截至{as_of.month}月{as_of.day}日" if running else f"截至{year}年底"
    all_year = "今年以来" if running else "全年"
    sections: list[Section] = []

    # Opening: the organisation as it stands.
    kinds = [(vocab.BRANCH_KIND.label(k), b[k]) for k in vocab.BRANCH_KIND.codes]
    opening = [
        f"{year}年，园区不断完善非公综合党委领导机构和工作机制，为推动园区高质量发展提供坚强的组织保证"
    ]
    if b["total"]:
        org = f"{when}，园区共有党组织{b['total']}个"
        detail = _count_phrase(kinds, "个")
        if detail:
            org += f"（{detail}）"
        if figures["enterprises"]["covered"]:
            org += f"，覆盖企业{figures['enterprises']['covered']}家"
        opening.append(org)
    party = mem["full"] + mem["probationary"]
    if party:
        people = f"有党员{party}名（正式党员{mem['full']}名、预备党员{mem['probationary']}名）"
        others = mem["total"] - party
        if others:
            people += f"，发展对象、入党积极分子和入党申请人{others}名"
        opening.append(people)
    first, *rest = opening
    sections.append(Section("", f"{first}。" + ("；".join(rest) + "。" if rest else "")))

    numbered: list[tuple[str, str]] = []

    # 一是 轮训 (and business trainings).
    rot, biz = t["rotation"], t["business"]
    if rot["sessions"] or biz["sessions"]:
        parts = []
        if rot["sessions"]:
            series = _series(period, "rotation", "轮训")
            parts.append(f"园区扎实开展了{series}工作，组织了{series}{rot['sessions']}期")
            if rot["attendances"]:
                rate = f"，签到率{percent(rot['rate'])}" if rot["rate"] is not None else ""
                parts.append(f"培训党员{rot['attendances']}人次{rate}")
        if biz["sessions"]:
            examples = _first_names(period, "business")
            names = "、".join(examples)
            more = "等" if biz["sessions"] > len(examples) else ""
            text = f"举办{names}{more}业务培训{biz['sessions']}期"
            if biz["attendances"]:
                text += f"，培训党务工作者{biz['attendances']}人次"
            parts.append(text)
        numbered.append(
            (
                "扎实开展轮训工作" if rot["sessions"] else "扎实开展党员培训",
                _join(parts) + "，有效地激发了全体党员的责任感和使命感。",
            )
        )

    # 二是 组织建设: branches founded, 三会一课, setup.
    parts = []
    if b["joint"]:
        parts.append(f"{cov['joint']}家企业联合成立为{b['joint']}个联合党支部")
    if b["regional"]:
        without = "没有党员的" if _regional_without_members(period) else ""
        parts.append(f"{without}{cov['regional']}家企业组建{b['regional']}个区域党支部")
    if b["standalone"]:
        if cov["standalone"] == b["standalone"]:
            parts.append(f"{cov['standalone']}家企业单独建立了党支部")
        else:
            parts.append(f"建立独立党支部{b['standalone']}个")
    meetings = [
        (f"召开{vocab.ACTIVITY_KIND.label('general_meeting')}", act["general_meeting"], "次"),
        ("支委会", act["committee_meeting"], "次"),
        ("党小组会", act["group_meeting"], "次"),
        ("讲党课", act["party_lesson"], "次"),
        ("开展主题党日", act["theme_day"], "次"),
        ("召开组织生活会", act["life_meeting"], "次"),
        ("开展民主评议党员", act["review"], "次"),
    ]
    held_list = "、".join(f"{label}{n}{unit}" for label, n, unit in meetings if n)
    organisation = "；".join(
        p
        for p in (
            "，".join(parts),
            f"各党支部认真落实“三会一课”制度，{all_year}{held_list}" if held_list else "",
        )
        if p
    )
    closed = [d for d in check.dues if not d.running]
    if closed:
        held = sum(d.held for d in closed)
        missing = len(closed) - held
        organisation += f"，按规定应开展的组织生活{len(closed)}次中已开展{held}次，落实率{percent(held / len(closed))}"
        if missing:
            organisation += f"，尚有{missing}次未按期开展，已列入提醒清单"
    if check.setup_warnings:
        organisation += f"；组织设置方面有{len(check.setup_warnings)}处需按《中国共产党支部工作条例（试行）》调整"
    elif b["total"]:
        organisation += "；各党组织设置符合《中国共产党支部工作条例（试行）》要求"
    if organisation:
        numbered.append(("不断强化组织建设", organisation + "。"))

    # 三是 宣讲和专题党课.
    lec, lesson = t["lecture"], t["party_lesson"]
    parts = []
    if lec["sessions"]:
        parts.append(f"开展{_series(period, 'lecture', '集中宣讲')}{lec['sessions']}次")
    if lesson["sessions"]:
        parts.append(f"开展{_series(period, 'party_lesson', '专题党课')}{lesson['sessions']}次")
    if parts:
        attended = lec["attendances"] + lesson["attendances"]
        if attended:
            parts.append(f"参加学习{attended}人次")
        theme = "".join(parts)
        lead = "扎实推进主题教育" if "主题教育" in theme else "深入开展理论宣讲"
        numbered.append((lead, _join(parts) + "。"))

    # 四是 志愿服务和企业诉求.
    parts = []
    if teams["total"]:
        team_kinds = [(vocab.TEAM_KIND.label(k), teams[k]) for k in vocab.TEAM_KIND.codes]
        listed = "和".join(f"{n}只{label}" for label, n in team_kinds if n)
        parts.append(
            f"各党组织成立了{listed}，引导党员干部在推动发展、项目建设、服务群众中主动作为、担当有为"
        )
    if svc["count"]:
        so_far = "目前已" if running else "全年"
        extra = []
        if svc["participants"]:
            extra.append(f"参加党员{svc['participants']}人次")
        if svc["hours"]:
            extra.append(f"服务时长{svc['hours']:g}小时")
        parts.append(
            f"{so_far}开展志愿服务{svc['count']}次" + (f"（{'、'.join(extra)}）" if extra else "")
        )
    project = iss["resolved_by_category"]["project"]
    other = iss["resolved"] - project
    if other:
        parts.append(f"为企业解决发展难题{other}件")
    if project:
        parts.append(f"协调解决项目建设中的问题{project}件")
    if iss["average_days_to_resolve"] is not None:
        parts.append(f"诉求平均办结用时{iss['average_days_to_resolve']:g}天")
    if iss["pending"]:
        pending = f"{when}尚有{iss['pending']}件诉求正在办理"
        if iss["overdue"]:
            pending += f"，其中{iss['overdue']}件已超过办结时限，正督促责任单位加快办理"
        parts.append(pending)
    if parts:
        numbered.append(("积极服务企业发展", _join(parts) + "。"))

    numbered.extend(recruitment.summary_parts(as_of, running, figures["recruitment"]))
    for i, (lead, text) in enumerate(numbered):
        sections.append(Section(f"{ORDINALS[i]}是{lead}。", text))
    return sections


def _branch_rows(period: stats.Period, check: compliance.ComplianceReport) -> list[BranchRow]:
    """Per branch, the figures of ``stats --branch`` (the same definitions, grouped by branch in
    :func:`stats.compute_branches`, so they agree)."""
    B = m.Branch
    rows = []
    order = {code: i for i, code in enumerate(vocab.BRANCH_KIND.codes)}
    branches = list(B.select().where(m.live(B), _exists_at(B.founded_on, period.end)))
    branches.sort(key=lambda b: (order.get(b.kind, 9), b.id))
    figures = stats.compute_branches(period, branches)
    for branch in branches:
        f = figures[branch.id]
        held, due = check.due_for_branch(branch.id)
        rows.append(
            BranchRow(
                branch.id,
                branch.name,
                branch.kind,
                f["members"]["full"] + f["members"]["probationary"],
                f["members"]["full"],
                f["enterprises"]["total"],
                held,
                due,
                f["trainings"]["total"]["attendances"],
                f["services"]["count"],
                f["issues"]["resolved"],
            )
        )
    return rows


def _kind_rows(check: compliance.ComplianceReport) -> list[KindRow]:
    by_kind = check.by_kind()
    return [
        KindRow(
            rule.kind,
            rule.title,
            rule.period_label,
            by_kind.get(rule.kind, {}).get("due", 0),
            by_kind.get(rule.kind, {}).get("held", 0),
        )
        for rule in check.rules
        if rule.enabled
    ]


def build_summary(year: int, today: dt.date | None = None) -> AnnualSummary:
    """The year's summary: sentences from ``stats``, tables per branch, 三会一课 and problems."""
    today = today or dt.date.today()
    period = stats.Period.year(year)
    figures = stats.year_stats(year)
    check = compliance.check_year(year, today)
    running = today < period.end
    subtitle = (
        f"（根据党建台账数据生成，统计截至{check.as_of.year}年{check.as_of.month}月"
        f"{check.as_of.day}日）"
    )
    return AnnualSummary(
        year=year,
        as_of=check.as_of,
        title=f"{year}年度党建工作总结",
        subtitle=subtitle,
        figures=figures,
        sections=_sections(period, figures, check, running),
        branch_rows=_branch_rows(period, check),
        kind_rows=_kind_rows(check),
        compliance=check,
        issue_rows=check.resolve_by_category,
        dues_rows=dues.branch_table(year, today),
    )
