"""发展党员 and 换届: the rules kept with the data, the pipeline, and what is due when.

The rules are :mod:`partybuild.domain.recruitment` records stored in the ``Setting`` table; hard
rules are applied by :func:`apply_hard_rules` from ``records.apply_rules`` (so the form and the
Excel import refuse the same rows, the rule named); warnings become :class:`Reminder` items for
概览, ``check --json`` (``"recruitment"``, ``"renewal"``) and the annual summary. No Qt here.

A reminder appears from ``notice`` days (a setting, 30) before its due date and stays until the
step is recorded; it is ``overdue`` from the day after the due date. 换届 reminders follow
:func:`domain.recruitment.renewal_step`: 6 and 3 months before the term ends, monthly after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from partybuild.domain import dates, vocab
from partybuild.domain import recruitment as rules_
from partybuild.domain.recruitment import Rule
from partybuild.store import models as m

ACTIVE = ("normal", "mobile")


# --------------------------------------------------------------------------- settings


def load_rules() -> list[Rule]:
    """The park's recruitment rules (defaults where none are stored). ValueError if unreadable."""
    row = m.Setting.get_or_none(m.Setting.key == rules_.SETTING_KEY)
    return rules_.default_rules() if row is None else rules_.rules_from_json(row.value)


def save_rules(rules: Sequence[Rule]) -> None:
    for rule in rules:
        rules_.check_rule(rule)
    text = rules_.rules_to_json(rules)
    rules_.rules_from_json(text)  # refuse to store what could not be read back
    _put(rules_.SETTING_KEY, text)


def reset_rules() -> None:
    m.Setting.delete().where(m.Setting.key == rules_.SETTING_KEY).execute()


def load_terms() -> dict[str, int]:
    """任期（年） by branch kind: the park's setting over the default of 3."""
    row = m.Setting.get_or_none(m.Setting.key == rules_.TERM_SETTING_KEY)
    return dict(rules_.DEFAULT_TERMS) if row is None else rules_.terms_from_json(row.value)


def save_terms(terms: dict[str, int]) -> None:
    import json

    text = json.dumps(terms, ensure_ascii=False)
    rules_.terms_from_json(text)
    _put(rules_.TERM_SETTING_KEY, text)


def _put(key: str, text: str) -> None:
    with m.db_proxy.obj.atomic():
        (
            m.Setting.insert(key=key, value=text)
            .on_conflict(conflict_target=[m.Setting.key], preserve=[m.Setting.value])
            .execute()
        )


# --------------------------------------------------------------------------- hard rules


def prepare(values: dict[str, Any], errors: dict[str, str]) -> None:
    """Before the roster's rules: the category follows the stage, and owip's 发展对象培训起止时间
    gives the training dates when it reads as exactly two dates and none are given."""
    text = values.get("candidate_training")
    if text and values.get("training_start") is None and values.get("training_end") is None:
        found = rules_.training_range(text)
        if found is not None:
            values["training_start"], values["training_end"] = found
    derived = rules_.category_for(values)
    given = values.get("category")
    # The category is the stage reached — except a roster's 正式党员 whose 转正 date was never
    # recorded (admitted, not confirmed on paper): kept, not made 预备党员 again.
    legacy_full = given == "full" and derived == "probationary" and values.get("id") is not None
    if derived is not None and not legacy_full:
        values["category"] = derived


def apply_hard_rules(values: dict[str, Any], errors: dict[str, str]) -> None:
    """The hard rules of :mod:`domain.recruitment` on a 发展党员 row, added to ``errors``."""
    try:
        rules = load_rules()
    except ValueError as exc:
        errors.setdefault("__all__", str(exc))
        return
    people: list[rules_.Introducer | None] = []
    for slot in ("introducer_1", "introducer_2"):
        person_id = values.get(slot)
        if person_id is None:
            people.append(None)
            continue
        if not isinstance(person_id, int):  # a person added by the same import: not full yet
            people.append(rules_.Introducer(-len(people) - 1, "（本次导入新增）", "applicant"))
            continue
        row = m.Member.get_or_none(m.Member.id == person_id)
        people.append(
            None
            if row is None
            else rules_.Introducer(row.id, row.name, row.category, row.confirmed_on)
        )
    for name, message in rules_.check_stages(values, rules, people, values.get("id")).items():
        errors.setdefault(name, message)


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Reminder:
    """One step due: for a person (``member_id``) or for a branch's 换届."""

    kind: str  # "recruitment" or "renewal"
    rule_key: str
    rule: str
    basis: str
    due: dt.date
    branch: str
    branch_id: int | None
    person: str | None = None
    member_id: int | None = None
    overdue: bool = False

    def message(self) -> str:
        who = f"{self.branch}·{self.person}" if self.person else self.branch
        late = "（已超期）" if self.overdue else ""
        return f"{who}：{self.rule}，期限 {self.due:%Y-%m-%d}{late}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"branch": self.branch}
        if self.kind == "recruitment":
            data["person"] = self.person
            data["member_id"] = self.member_id
        else:
            data["branch_id"] = self.branch_id
        data.update(
            rule=self.rule,
            rule_key=self.rule_key,
            basis=self.basis,
            due=self.due.isoformat(),
            overdue=self.overdue,
        )
        return data


_PIPELINE_FIELDS = (
    "id",
    "name",
    "branch",
    "category",
    "status",
    "birth_date",
    *rules_.STAGE_FIELDS,
    "reviewed_on",
    "extension_months",
)


def pipeline_people(branch_id: int | None = None) -> list[dict[str, Any]]:
    """The live people of 发展党员 (not full members, or full with stages recorded), as dicts."""
    M, B = m.Member, m.Branch
    fields = [M._meta.fields[n] for n in _PIPELINE_FIELDS if n != "branch"]
    query = (
        M.select(*m.with_precision(fields), M.branch, B.name.alias("branch_name"))
        .join(B, pw.JOIN.LEFT_OUTER, on=(M.branch == B.id))
        .where(
            m.live(M), M.status.in_(ACTIVE), (M.category != "full") | M.applied_on.is_null(False)
        )
        .order_by(B.name, M.name)
    )
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    return [m.combine_partial(M, row) for row in query.dicts()]


def _signed_hours(member_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, float]]]:
    """Per member: (start date, 学时) of each training they signed in to (培训签到 已签到)."""
    if not member_ids:
        return {}
    T, A = m.Training, m.Attendance
    rows = (
        A.select(A.member, T.start_date, T.hours)
        .join(T, on=(A.training == T.id))
        .where(m.live(A), m.live(T), A.status == "signed", A.member.in_(list(member_ids)))
        .tuples()
    )
    found: dict[int, list[tuple[dt.date, float]]] = {}
    for member, start, hours in rows:
        found.setdefault(member, []).append((start, float(hours or 0)))
    return found


def training_hours(
    person: dict[str, Any], signed: list[tuple[dt.date, float]], until: dt.date
) -> float:
    """学时 from the trainings ledger: trainings from 确定发展对象 up to ``until``."""
    start = person.get("candidate_on")
    if start is None:
        return 0.0
    begin = dates.earliest(start)
    return sum(h for day, h in signed if begin <= day <= until)


def person_reminders(
    person: dict[str, Any],
    rules: Sequence[Rule],
    on: dt.date,
    signed: list[tuple[dt.date, float]] = (),  # type: ignore[assignment]
) -> list[Reminder]:
    """The warnings due for one person on ``on`` (see the module's docstring for when)."""
    by_key = rules_.rules_by_key(rules)
    notice_rule = by_key.get("notice")
    notice = dt.timedelta(days=notice_rule.value if notice_rule and notice_rule.enabled else 0)
    found: list[Reminder] = []
    branch = person.get("branch_name") or "未分配党组织"

    def add(key: str, text: str, due: dt.date, *, always: bool = False) -> None:
        rule = by_key.get(key)
        if rule is None or not rule.enabled:
            return
        if always or on >= due - notice:
            found.append(
                Reminder(
                    "recruitment",
                    key,
                    text,
                    rule.basis,
                    due,
                    branch,
                    person.get("branch"),
                    person["name"],
                    person["id"],
                    on > due,
                )
            )

    def get(name: str) -> dt.date | None:
        return person.get(name)

    applied, activist, candidate = get("applied_on"), get("activist_on"), get("candidate_on")
    joined, confirmed = get("joined_on"), get("confirmed_on")
    rule = by_key.get("talk")
    if rule and applied and not get("talked_on") and not activist:
        add("talk", "应派人同入党申请人谈话", rules_.add_months(dates.latest(applied), rule.value))
    rule = by_key.get("application_age")
    if rule and applied and activist:
        due = rules_.add_months(dates.earliest(applied), rule.value)
        if dates.certainly_before(activist, due):
            add(
                "application_age",
                f"递交申请书不满{rule.value}个月即确定为入党积极分子",
                due,
                always=True,
            )
    rule = by_key.get("review")
    if rule and activist and not candidate and person.get("category") == "activist":
        last = max(dates.latest(activist), get("reviewed_on") or dt.date.min)
        add("review", "应对入党积极分子进行半年考察", rules_.add_months(last, rule.value))
    rule = by_key.get("short_training")
    step = get("prechecked_on") or joined
    if rule and candidate and step:
        days = rules_.training_days(get("training_start"), get("training_end"))
        hours = training_hours(person, list(signed), dates.latest(step))
        if (days or 0) < rule.value and hours < (rule.value2 or 0):
            shown = f"{days} 天" if days is not None else "未登记天数"
            add(
                "short_training",
                f"集中培训不足{rule.value}天或{rule.value2}学时（{shown}，签到 {hours:g} 学时）",
                dates.earliest(step),
                always=True,
            )
    rule = by_key.get("publicity")
    prechecked = get("prechecked_on")
    if rule and prechecked and candidate:
        start = get("publicized_on")
        if start is None:
            add("publicity", "预审前未登记发展对象公示", dates.earliest(prechecked), always=True)
        else:
            end = rules_.last_working_day(start, rule.value)
            if not dates.certainly_before(end, prechecked):
                add(
                    "publicity",
                    f"公示不足{rule.value}个工作日即预审（公示至 {end:%Y-%m-%d}）",
                    end,
                    always=True,
                )
    rule = by_key.get("approval")
    if rule and joined and not get("approved_on") and not confirmed and applied:
        add("approval", "应报上级党委审批", rules_.add_months(dates.latest(joined), rule.value))
    if joined and not confirmed and person.get("category") == "probationary":
        end = rules_.probation_end(joined, get("extension_months"), rules)
        rule = by_key.get("probation")
        if rule is not None and rule.enabled:
            # The day the probation ends is the due date of the 转正 meeting (党章第七条).
            add("probation", "预备期满，应讨论能否转为正式党员", end)
    return found


def recruitment_reminders(
    on: dt.date | None = None, branch_id: int | None = None
) -> list[Reminder]:
    on = on or dt.date.today()
    rules = load_rules()
    people = pipeline_people(branch_id)
    signed = _signed_hours([p["id"] for p in people if p.get("candidate_on")])
    found: list[Reminder] = []
    for person in people:
        found.extend(person_reminders(person, rules, on, signed.get(person["id"], [])))
    found.sort(key=lambda r: (r.due, r.branch, r.person or ""))
    return found


@dataclass(frozen=True)
class Term:
    """A branch's term: when it started (换届, else 成立), how long, when it ends."""

    branch_id: int
    name: str
    kind: str
    years: int
    base: dt.date | None
    base_is_renewal: bool
    due: dt.date | None


def branch_terms(terms: dict[str, int] | None = None) -> list[Term]:
    terms = terms if terms is not None else load_terms()
    B = m.Branch
    fields = [B.id, B.name, B.kind, B.term_years, B.founded_on, B.renewed_on]
    result = []
    for row in B.select(*m.with_precision(fields)).where(m.live(B)).order_by(B.name).dicts():
        row = m.combine_partial(B, row)
        years = row["term_years"] or terms.get(row["kind"], 3)
        base = row["renewed_on"] or row["founded_on"]
        result.append(
            Term(
                row["id"],
                row["name"],
                row["kind"],
                years,
                base,
                row["renewed_on"] is not None,
                rules_.term_end(base, years),
            )
        )
    return result


def due_date(branch: m.Branch, terms: dict[str, int] | None = None) -> dt.date | None:
    """应换届日期 of one branch (derived, never stored)."""
    terms = terms if terms is not None else load_terms()
    years = branch.term_years or terms.get(branch.kind, 3)
    return rules_.term_end(branch.renewed_on or branch.founded_on, years)


def due_text(branch: m.Branch) -> str | None:
    """应换届日期 as the branch's detail shows it: the date, the term and what it counts from."""
    terms = load_terms()
    due = due_date(branch, terms)
    if due is None:
        return None
    years = branch.term_years or terms.get(branch.kind, 3)
    since = "换届" if branch.renewed_on else "成立"
    return f"{due:%Y-%m-%d}（任期{years}年，自{since}起算）"


def renewal_reminders(on: dt.date | None = None) -> list[Reminder]:
    on = on or dt.date.today()
    found = []
    for term in branch_terms():
        if term.due is None:
            continue
        step = rules_.renewal_step(term.due, on)
        if step is None:
            continue
        since = "换届" if term.base_is_renewal else "成立"
        found.append(
            Reminder(
                "renewal",
                "term",
                step.rule,
                f"{rules_.TERM_BASIS}；任期 {term.years} 年，自{since}日期"
                f" {dates.shown(term.base)} 起算"
                if term.base
                else rules_.TERM_BASIS,
                term.due,
                term.name,
                term.branch_id,
                overdue=on >= term.due,
            )
        )
    found.sort(key=lambda r: (r.due, r.branch))
    return found


def check_lists(as_of: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The two lists ``check --json`` adds: ``recruitment`` and ``renewal``."""
    return {
        "recruitment": [r.to_dict() for r in recruitment_reminders(as_of)],
        "renewal": [r.to_dict() for r in renewal_reminders(as_of)],
    }


def check_text(as_of: dt.date) -> list[tuple[str, list[str]]]:
    """The same lists as groups of lines for ``check`` without ``--json``."""
    return [
        ("发展党员提醒", [r.message() for r in recruitment_reminders(as_of)]),
        ("换届提醒", [r.message() for r in renewal_reminders(as_of)]),
    ]


# --------------------------------------------------------------------------- the pipeline


@dataclass
class PipelineRow:
    """One person of the pipeline: stage, the next step, its earliest day and deadline."""

    member_id: int
    name: str
    branch: str
    category: str
    next_step: str
    earliest: dt.date | None = None
    deadline: dt.date | None = None
    reminders: list[Reminder] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return vocab.MEMBER_CATEGORY.label(self.category)


def next_step(
    person: dict[str, Any], rules: Sequence[Rule]
) -> tuple[str, dt.date | None, dt.date | None]:
    """(what comes next, the earliest day the rules allow it, the day it is due)."""
    by_key = rules_.rules_by_key(rules)
    get = person.get
    category = get("category")
    if category == "applicant" or (category is None and get("applied_on")):
        applied = get("applied_on")
        if applied and not get("talked_on"):
            talk = by_key["talk"]
            return "谈话", None, rules_.add_months(dates.latest(applied), talk.value)
        age = by_key["application_age"]
        earliest = (
            rules_.add_months(dates.latest(applied), age.value) if applied and age.enabled else None
        )
        return "确定为入党积极分子", earliest, None
    if category == "activist":
        activist = get("activist_on")
        years = by_key["activist_training"].value
        earliest = dates.add_years(dates.latest(activist), years) if activist else None
        return "确定为发展对象", earliest, None
    if category == "candidate":
        for name, label in (
            ("vetted_on", "政治审查"),
            ("training_end", "短期集中培训"),
            ("publicized_on", "公示"),
            ("prechecked_on", "上级党委预审"),
        ):
            if not get(name):
                return label, None, None
        return "支部大会讨论接收", None, None
    if category == "probationary":
        joined = get("joined_on")
        if joined and not get("approved_on"):
            return (
                "上级党委审批",
                None,
                rules_.add_months(dates.latest(joined), by_key["approval"].value),
            )
        if joined:
            end = rules_.probation_end(joined, get("extension_months"), rules)
            return "讨论转正", end, end
        return "讨论转正", None, None
    return "（已转正）", None, None


def pipeline(on: dt.date | None = None, branch_id: int | None = None) -> list[PipelineRow]:
    """Everyone on the way in, by stage (applicants first), with what is due next and when."""
    on = on or dt.date.today()
    rules = load_rules()
    people = pipeline_people(branch_id)
    signed = _signed_hours([p["id"] for p in people if p.get("candidate_on")])
    order = {
        c: i for i, c in enumerate(("applicant", "activist", "candidate", "probationary", "full"))
    }
    rows = []
    for person in people:
        step, earliest, deadline = next_step(person, rules)
        rows.append(
            PipelineRow(
                person["id"],
                person["name"],
                person.get("branch_name") or "未分配党组织",
                person["category"],
                step,
                earliest,
                deadline,
                person_reminders(person, rules, on, signed.get(person["id"], [])),
            )
        )
    rows.sort(key=lambda r: (order.get(r.category, 9), r.branch, r.name))
    return rows


# --------------------------------------------------------------------------- the year's figures


#: The stages ``period_figures`` counts: (figure, the member's date of reaching it).
STAGES = (
    ("applied", "applied_on"),
    ("activists", "activist_on"),
    ("candidates", "candidate_on"),
    ("admitted", "joined_on"),
    ("confirmed", "confirmed_on"),
)


def period_figures(start: dt.date, end: dt.date, branch_id: int | None = None) -> dict[str, int]:
    """发展党员 in a period: how many of the people with recorded stages reached each stage."""
    return period_counts(start, end, branch_id).get(None) or empty_figures()


def empty_figures() -> dict[str, int]:
    return {key: 0 for key, _ in STAGES}


def period_counts(
    start: dt.date, end: dt.date, branch_id: int | None = None, by_branch: bool = False
) -> dict[int | None, dict[str, int]]:
    """:func:`period_figures` in one query: for the park or one branch (key None), or for every
    branch at once (``by_branch``, keyed by branch id). Reads only the live members who reached a
    stage in the period."""
    M = m.Member
    dates_ = [M._meta.fields[name] for _, name in STAGES]
    key = [M.branch] if by_branch else []
    reached = [f.between(start, end) for f in dates_]
    anywhere = reached[0]
    for condition in reached[1:]:
        anywhere = anywhere | condition
    query = M.select(*key, *(pw.fn.SUM(pw.Case(None, [(c, 1)], 0)) for c in reached)).where(
        m.live(M), M.applied_on.is_null(False), anywhere
    )
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    result: dict[int | None, dict[str, int]] = {}
    for row in query.group_by(*key).tuples():
        k, counts = (row[0], row[1:]) if by_branch else (None, row)
        result[k] = {stage: int(n or 0) for (stage, _), n in zip(STAGES, counts, strict=True)}
    return result


def summary_parts(as_of: dt.date, running: bool, figures: dict[str, int]) -> list[tuple[str, str]]:
    """The annual summary's paragraph on 发展党员 and 换届 (lead, text); none when nothing to say."""
    parts = []
    so_far = "今年以来" if running else "全年"
    counts = [
        ("接收入党申请书", figures["applied"], "份"),
        ("确定入党积极分子", figures["activists"], "名"),
        ("确定发展对象", figures["candidates"], "名"),
        ("接收预备党员", figures["admitted"], "名"),
        ("预备党员按期转正", figures["confirmed"], "名"),
    ]
    said = [f"{what}{n}{unit}" for what, n, unit in counts if n]
    if said:
        parts.append(f"{so_far}" + "，".join(said))
    reminders = recruitment_reminders(as_of)
    late = sum(r.overdue for r in reminders)
    when = f"截至{as_of.month}月{as_of.day}日"
    if late:
        parts.append(f"{when}有{late}项发展党员程序已超过规定时限，正督促党支部抓紧办理")
    renewal = renewal_reminders(as_of)
    due = [r.branch for r in renewal if r.overdue]
    if due:
        names = "、".join(due[:3]) + ("等" if len(due) > 3 else "")
        count = f"{len(due)}个党组织" if len(due) > 1 else ""
        parts.append(f"{names}{count}任期已届满，需按期换届")
    if not parts:
        return []
    return [("严格规范发展党员", "；".join(parts) + "。")]
