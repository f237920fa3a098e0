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
from partybuild.domain.dates import PartialDate
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


@dataclass(frozen=True, slots=True)  # slots: tens of thousands are made at park scale
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
        # isoformat, not strftime: the same text for a 4-digit year, and no import of ``time``
        # per call (strftime's), which an import hook (PySide's) makes slow by the ten thousand.
        day = self.due.isoformat() if self.due.year >= 1000 else f"{self.due:%Y-%m-%d}"
        return f"{who}：{self.rule}，期限 {day}{late}"

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


# Each warning rule of 发展党员 is one step function: given a person's fields (``get``), the rule
# and the rules, the reminder it would raise — (text, due date, always) — or None. ``always``: the
# warning stands whatever the day (a step done too early); otherwise it shows from ``notice`` days
# before the due date. One definition serves one person (the pipeline) and the whole park (the
# grouped reminders below).
Step = tuple[str, dt.date, bool]
Getter = Any  # Callable[[str], Any]: a person's field by name, None when empty


def _talk(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    applied = get("applied_on")
    if applied and not get("talked_on") and not get("activist_on"):
        return "应派人同入党申请人谈话", rules_.add_months(dates.latest(applied), rule.value), False
    return None


def _application_age(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    applied, activist = get("applied_on"), get("activist_on")
    if applied and activist:
        due = rules_.add_months(dates.earliest(applied), rule.value)
        if dates.certainly_before(activist, due):
            return f"递交申请书不满{rule.value}个月即确定为入党积极分子", due, True
    return None


def _review(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    activist = get("activist_on")
    if activist and not get("candidate_on") and get("category") == "activist":
        last = max(dates.latest(activist), get("reviewed_on") or dt.date.min)
        return "应对入党积极分子进行半年考察", rules_.add_months(last, rule.value), False
    return None


def _short_training(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    step = get("prechecked_on") or get("joined_on")
    if get("candidate_on") and step:
        days = rules_.training_days(get("training_start"), get("training_end"))
        signed = hours(dates.latest(step))
        if (days or 0) < rule.value and signed < (rule.value2 or 0):
            shown = f"{days} 天" if days is not None else "未登记天数"
            return (
                f"集中培训不足{rule.value}天或{rule.value2}学时（{shown}，签到 {signed:g} 学时）",
                dates.earliest(step),
                True,
            )
    return None


def _publicity(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    prechecked = get("prechecked_on")
    if prechecked and get("candidate_on"):
        start = get("publicized_on")
        if start is None:
            return "预审前未登记发展对象公示", dates.earliest(prechecked), True
        end = rules_.last_working_day(start, rule.value)
        if not dates.certainly_before(end, prechecked):
            return f"公示不足{rule.value}个工作日即预审（公示至 {end:%Y-%m-%d}）", end, True
    return None


def _approval(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    joined = get("joined_on")
    if joined and not get("approved_on") and not get("confirmed_on") and get("applied_on"):
        return "应报上级党委审批", rules_.add_months(dates.latest(joined), rule.value), False
    return None


def _probation(get: Getter, rule: Rule, rules: Sequence[Rule], hours: Any) -> Step | None:
    joined = get("joined_on")
    if joined and not get("confirmed_on") and get("category") == "probationary":
        # The day the probation ends is the due date of the 转正 meeting (党章第七条).
        end = rules_.probation_end(joined, get("extension_months"), rules)
        return "预备期满，应讨论能否转为正式党员", end, False
    return None


#: The steps in the order a person's reminders are listed, with the fields each reads.
STEPS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("talk", _talk, ("applied_on", "talked_on", "activist_on")),
    ("application_age", _application_age, ("applied_on", "activist_on")),
    ("review", _review, ("category", "activist_on", "candidate_on", "reviewed_on")),
    (
        "short_training",
        _short_training,
        ("candidate_on", "prechecked_on", "joined_on", "training_start", "training_end"),
    ),
    ("publicity", _publicity, ("candidate_on", "prechecked_on", "publicized_on")),
    ("approval", _approval, ("applied_on", "joined_on", "approved_on", "confirmed_on")),
    ("probation", _probation, ("category", "joined_on", "confirmed_on", "extension_months")),
)


def _notice(by_key: dict[str, Rule]) -> dt.timedelta:
    rule = by_key.get("notice")
    return dt.timedelta(days=rule.value if rule and rule.enabled else 0)


def _enabled_steps(by_key: dict[str, Rule]) -> list[tuple[int, str, Any, tuple[str, ...], Rule]]:
    found = []
    for order, (key, step, fields) in enumerate(STEPS):
        rule = by_key.get(key)
        if rule is not None and rule.enabled:
            found.append((order, key, step, fields, rule))
    return found


def person_reminders(
    person: dict[str, Any],
    rules: Sequence[Rule],
    on: dt.date,
    signed: list[tuple[dt.date, float]] = (),  # type: ignore[assignment]
) -> list[Reminder]:
    """The warnings due for one person on ``on`` (see the module's docstring for when)."""
    by_key = rules_.rules_by_key(rules)
    notice = _notice(by_key)
    found: list[Reminder] = []
    branch = person.get("branch_name") or "未分配党组织"
    get = person.get

    def hours(until: dt.date) -> float:
        return training_hours(person, list(signed), until)

    for _order, key, step, _fields, rule in _enabled_steps(by_key):
        due_step = step(get, rule, rules, hours)
        if due_step is None:
            continue
        text, due, always = due_step
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
    return found


def _pipeline_where(M: type[m.Member]) -> pw.Expression:
    """The people of 发展党员 (:func:`pipeline_people`): live, active, not full members unless
    their stages are recorded."""
    return m.live(M) & M.status.in_(ACTIVE) & ((M.category != "full") | M.applied_on.is_null(False))


def _people_rows(
    fields: Sequence[str], where: pw.Expression, branch_id: int | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Raw rows (id, name, branch id, *fields with their precisions) of the pipeline's people
    that ``where`` picks, straight from the cursor (values as the database gives them: see
    :func:`_combiner`); the field columns' names beside them."""
    M = m.Member
    columns = m.with_precision([M._meta.fields[n] for n in fields])
    query = M.select(M.id, M.name, M.branch, *columns).where(_pipeline_where(M), where)
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    return [c.name for c in columns], m.db_proxy.obj.execute(query).fetchall()


def _combiner(names: list[str]) -> Any:
    """A function from a raw row's field values (``names`` order) to the dict
    :func:`pipeline_people` gives: each value as its field reads it (peewee's ``python_value``,
    worked out once per distinct raw value), partial dates whole (``combine_partial``)."""
    fields = m.Member._meta.fields
    value_at = {n: i for i, n in enumerate(names)}
    pairs = []  # (name, value index, precision index or None, the field's reader)
    for i, name in enumerate(names):
        field = fields[name]
        if name.endswith("_precision") and name[: -len("_precision")] in value_at:
            continue
        precision = (
            value_at.get(field.precision_name) if isinstance(field, m.PartialDateField) else None
        )
        pairs.append((name, i, precision, field.python_value))
    read: dict[tuple[Any, Any], Any] = {}
    of = PartialDate.of

    def value(reader: Any, raw: Any) -> Any:
        if raw is None:
            return None
        key = (reader, raw)
        if key not in read:
            read[key] = reader(raw)
        return read[key]

    def combine(values: Sequence[Any]) -> dict[str, Any]:
        person = {}
        for name, i, p, reader in pairs:
            found = value(reader, values[i])
            if found is not None and p is not None and values[p] is not None:
                found = of(found, values[p])
            person[name] = found
        return person

    return combine


def recruitment_reminders(
    on: dt.date | None = None, branch_id: int | None = None
) -> list[Reminder]:
    """Every reminder of :func:`person_reminders` for the whole pipeline (or one branch), in two
    queries of the columns the steps read, the rows taken as tuples from the cursor.

    The 预备期 step (most of the pipeline: every probationer) reads its few columns alone and
    works out each distinct (入党日期, 延长预备期) once; the other steps read the people with a
    recorded stage (申请, 积极分子 or 发展对象 dated), usually few. The same steps as
    :func:`person_reminders`, the same order: by due date, branch, name (then member, step).
    """
    on = on or dt.date.today()
    rules = load_rules()
    by_key = rules_.rules_by_key(rules)
    notice = _notice(by_key)
    M, B = m.Member, m.Branch
    steps = _enabled_steps(by_key)
    # Every branch, in the recycle bin or not: a member's branch is named as it is.
    branch_names: dict[int, str] = dict(B.select(B.id, B.name).tuples())
    # (due, branch, person, member id, step order, n): sorted, then reminders[n].
    keyed: list[tuple[Any, ...]] = []
    made: list[Reminder] = []

    def add(key: str, rule: Rule, order: int, text: str, due: dt.date, row: Any) -> None:
        member_id, name, branch_id_ = row[0], row[1], row[2]
        branch = branch_names.get(branch_id_) or "未分配党组织"
        keyed.append((due, branch, name or "", member_id, order, len(made)))
        made.append(
            Reminder(
                "recruitment",
                key,
                text,
                rule.basis,
                due,
                branch,
                branch_id_,
                name,
                member_id,
                on > due,
            )
        )

    staged = [s for s in steps if s[1] != "probation"]
    if staged:
        # The people with a recorded stage (申请, 积极分子 or 发展对象 dated): usually few.
        wanted = {f for s in staged for f in s[3]} | {"candidate_on"}
        names, rows = _people_rows(
            sorted(wanted),
            M.applied_on.is_null(False)
            | M.activist_on.is_null(False)
            | M.candidate_on.is_null(False),
            branch_id,
        )
        combine = _combiner(names)
        people = [(row, combine(row[3:])) for row in rows]
        signed = _signed_hours([row[0] for row, person in people if person["candidate_on"]])
        for row, person in people:
            mine = signed.get(row[0], [])

            def hours(until: dt.date, person: dict[str, Any] = person, mine: Any = mine) -> float:
                return training_hours(person, mine, until)

            for order, key, step, _fields, rule in staged:
                due_step = step(person.get, rule, rules, hours)
                if due_step is None:
                    continue
                text, due, always = due_step
                if always or on >= due - notice:
                    add(key, rule, order, text, due, row)
    probation = next((s for s in steps if s[1] == "probation"), None)
    if probation is not None:
        order, key, step, _fields, rule = probation
        # Every probationer not yet confirmed: the pipeline's bulk. The query fixes the step's
        # category (预备党员) and 转正日期 (none), so the rows carry only 入党日期 and 延长预备期;
        # category = 'probationary' makes the pipeline's "not a full member" true. COALESCE keeps
        # the (deleted, confirmed_on) index out of it: (deleted, category) picks far fewer rows.
        query = M.select(
            M.id, M.name, M.branch, M.joined_on, M.joined_on_precision, M.extension_months
        ).where(
            m.live(M),
            M.category == "probationary",
            M.status.in_(ACTIVE),
            M.joined_on.is_null(False),
            pw.fn.COALESCE(M.confirmed_on, M.confirmed_on).is_null(),
        )
        if branch_id is not None:
            query = query.where(M.branch == branch_id)
        combine = _combiner(["joined_on", "joined_on_precision", "extension_months"])
        # Many probationers share an 入党日期: each distinct set of raw values is worked out once.
        known: dict[tuple[Any, ...], tuple[str, dt.date] | None] = {}
        for row in m.db_proxy.obj.execute(query).fetchall():
            values = row[3:]
            found = known.get(values, False)
            if found is False:
                person = combine(values)
                person.update(category="probationary", confirmed_on=None)
                due_step = step(person.get, rule, rules, None)
                found = None
                if due_step is not None:
                    text, due, always = due_step
                    if always or on >= due - notice:
                        found = (text, due)
                known[values] = found
            if found is not None:
                add(key, rule, order, found[0], found[1], row)
    keyed.sort()
    return [made[k[5]] for k in keyed]


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
    query = M.select(*key, *(pw.fn.COUNT(pw.Case(None, [(c, 1)])) for c in reached)).where(
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
