"""The overview's grouped reminders give exactly what the old per-person and per-branch loops
gave: the old code is kept here as the oracle, run on the demo ledger and on a synthetic ledger of
edge cases (partial dates, extensions, every stage combination, members without a branch or in a
deleted one, left members, namesakes, disabled rules), on SQLite and PostgreSQL.

Each reminder's own day boundaries are tested in test_recruitment.py, test_compliance*.py and
test_dues.py; this file tests that grouping changed nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import peewee as pw
import pytest

from partybuild.domain import dates
from partybuild.domain import dues as dues_rules
from partybuild.domain import recruitment as rules_
from partybuild.domain.recruitment import Rule
from partybuild.domain.validators import make_id_number
from partybuild.services import compliance, dues, recruitment, relations
from partybuild.store import models as m

D = dt.date

# --------------------------------------------------------------------------- the oracle
# The code of services.recruitment and services.compliance before grouping, verbatim.


def old_person_reminders(
    person: dict[str, Any],
    rules: Sequence[Rule],
    on: dt.date,
    signed: list[tuple[dt.date, float]] = (),  # type: ignore[assignment]
) -> list[recruitment.Reminder]:
    """The warnings due for one person on ``on`` (see the module's docstring for when)."""
    by_key = rules_.rules_by_key(rules)
    notice_rule = by_key.get("notice")
    notice = dt.timedelta(days=notice_rule.value if notice_rule and notice_rule.enabled else 0)
    found: list[recruitment.Reminder] = []
    branch = person.get("branch_name") or "未分配党组织"

    def add(key: str, text: str, due: dt.date, *, always: bool = False) -> None:
        rule = by_key.get(key)
        if rule is None or not rule.enabled:
            return
        if always or on >= due - notice:
            found.append(
                recruitment.Reminder(
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
        hours = recruitment.training_hours(person, list(signed), dates.latest(step))
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


def old_setup_warnings() -> list[compliance.SetupWarning]:
    """The branch setup of DESIGN.md (《中国共产党支部工作条例（试行）》), as it stands today."""
    B, E, M = m.Branch, m.Enterprise, m.Member
    warnings: list[compliance.SetupWarning] = []
    covered = dict(
        E.select(E.branch, pw.fn.COUNT(E.id))
        .join(B, on=(E.branch == B.id))
        .where(m.live(E), m.live(B), B.kind == "joint")
        .group_by(E.branch)
        .tuples()
    )
    active = M.select().where(m.live(M), M.status.in_(compliance.ACTIVE))
    party = dict(
        active.select(M.branch, pw.fn.COUNT(M.id))
        .where(M.category.in_(compliance.PARTY), M.branch.is_null(False))
        .group_by(M.branch)
        .tuples()
    )
    full = dict(
        active.select(M.branch, pw.fn.COUNT(M.id))
        .where(M.category == "full", M.branch.is_null(False))
        .group_by(M.branch)
        .tuples()
    )
    for branch in B.select().where(m.live(B), compliance._in_scope(B)).order_by(B.name, B.id):
        units = covered.get(branch.id, 0)
        if branch.kind == "joint" and units > compliance.JOINT_BRANCH_MAX_UNITS:
            warnings.append(
                compliance.SetupWarning(
                    "joint_too_many_units",
                    branch.id,
                    branch.name,
                    f"联合党支部“{branch.name}”覆盖 {units} 家企业，一般不超过 "
                    f"{compliance.JOINT_BRANCH_MAX_UNITS} 个单位",
                    units,
                )
            )
        members = party.get(branch.id, 0)
        if members > compliance.BRANCH_MAX_MEMBERS:
            warnings.append(
                compliance.SetupWarning(
                    "too_many_members",
                    branch.id,
                    branch.name,
                    f"“{branch.name}”有党员 {members} 名，党支部党员人数一般不超过 "
                    f"{compliance.BRANCH_MAX_MEMBERS} 人",
                    members,
                )
            )
        n_full = full.get(branch.id, 0)
        if n_full >= compliance.COMMITTEE_FROM_FULL_MEMBERS and not branch.has_committee:
            warnings.append(
                compliance.SetupWarning(
                    "no_committee",
                    branch.id,
                    branch.name,
                    f"“{branch.name}”有正式党员 {n_full} 名，应设立支部委员会"
                    f"（正式党员 {compliance.COMMITTEE_FROM_FULL_MEMBERS} 人以上）",
                    n_full,
                )
            )
    # An enterprise with 3+ full members should have a branch of its own, not a joint one.
    full_at = (
        M.select(M.enterprise, pw.fn.COUNT(M.id).alias("n"))
        .where(
            m.live(M),
            M.status.in_(compliance.ACTIVE),
            M.category == "full",
            M.enterprise.is_null(False),
        )
        .group_by(M.enterprise)
    )
    rows = (
        E.select(E.id, E.name, B.id, B.name, full_at.c.n)
        .join(B, on=(E.branch == B.id))
        .join(full_at, on=(full_at.c.enterprise_id == E.id))
        .where(
            m.live(E),
            m.live(B),
            B.kind == "joint",
            full_at.c.n >= compliance.OWN_BRANCH_FROM_FULL_MEMBERS,
        )
        .order_by(B.name, E.name)
        .tuples()
    )
    for enterprise_id, enterprise, branch_id, branch, n in rows:
        warnings.append(
            compliance.SetupWarning(
                "enterprise_needs_branch",
                branch_id,
                branch,
                f"“{enterprise}”有正式党员 {n} 名，仍在联合党支部“{branch}”中，"
                f"正式党员 {compliance.OWN_BRANCH_FROM_FULL_MEMBERS} 人以上的单位应单独成立党支部",
                int(n),
                enterprise_id,
                enterprise,
            )
        )
    return warnings


def old_recruitment_reminders(
    on: dt.date | None = None, branch_id: int | None = None
) -> list[recruitment.Reminder]:
    on = on or dt.date.today()
    rules = recruitment.load_rules()
    people = recruitment.pipeline_people(branch_id)
    signed = recruitment._signed_hours([p["id"] for p in people if p.get("candidate_on")])
    found: list[recruitment.Reminder] = []
    for person in people:
        found.extend(old_person_reminders(person, rules, on, signed.get(person["id"], [])))
    found.sort(key=lambda r: (r.due, r.branch, r.person or ""))
    return found


def old_activity_ids(due: compliance.Due) -> list[int]:
    A = m.Activity
    year = due.slot.start.year
    return [
        i
        for (i,) in A.select(A.id)
        .where(
            m.live(A),
            A.branch == due.branch_id,
            A.kind == due.kind,
            A.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
        .order_by(A.date, A.id)
        .tuples()
    ]


def old_arrears(
    as_of: dt.date, branch_id: int | None = None, since_months: int = 24
) -> list[dues.Arrears]:
    """Members with unpaid ended months in the ``since_months`` before ``as_of``. (Since written:
    a range begun before those months counts with its months among them; the rows read reach
    back by the longest range, 12 months.)"""
    last = dues.month_index(as_of) - 1  # the current month is still open
    first = last - since_months + 1
    start = dues.month_from_index(first - 11).earliest()
    end = dues.month_from_index(last).earliest()
    per: dict[int, dict[str, Any]] = {}
    for row in dues._rows(start, end, branch_id).dicts():
        state = dues.state_of(row["due"], row["paid"], row["paid_on"], row["month"], row["until"])
        if state not in ("unpaid", "short"):
            continue
        spanned = [
            x
            for x in dues.covered(row["month"], row["until"])
            if first <= dues.month_index(x) <= last
        ]
        if not spanned:
            continue
        item = per.setdefault(
            row["member"],
            {"name": row["name"], "branch": row["bn"], "months": [], "owed": [], "ids": []},
        )
        item["ids"].append(row["id"])
        item["months"].extend(spanned)
        share = Decimal(len(spanned)) / len(dues.covered(row["month"], row["until"]))
        item["owed"].append(((row["due"] - (row["paid"] or 0)) * share).quantize(dues_rules.CENT))
    result = []
    for member_id, item in per.items():
        months = sorted(item["months"])
        indexes = [dues.month_index(x) for x in months]
        run = best = 0
        for i, index in enumerate(indexes):
            run = run + 1 if i and index == indexes[i - 1] + 1 else 1
            best = max(best, run)
        late = tuple(x for x in months if last - dues.month_index(x) >= dues_rules.BACKPAY_MONTHS)
        result.append(
            dues.Arrears(
                member_id,
                item["name"],
                item["branch"],
                tuple(months),
                sum(item["owed"], Decimal("0.00")),
                best,
                late,
                tuple(item["ids"]),
            )
        )
    result.sort(key=lambda a: (-a.longest_run, a.branch or "", a.name))
    return result


# --------------------------------------------------------------------------- the ledgers

NAMES = ["张明", "张明", "李华", "王芳", "赵强", "陈静", "刘洋", "周杰"]  # namesakes on purpose
PRECISIONS = [None, None, None, "day", "month", "year"]


def _partial(rng: random.Random, start: dt.date, days: int) -> tuple[dt.date, str | None] | None:
    """A stage date or nothing, sometimes known only to the month or year (stored as first day)."""
    if rng.random() < 0.45:
        return None
    day = start + dt.timedelta(days=rng.randrange(days))
    precision = rng.choice(PRECISIONS)
    if precision == "month":
        day = day.replace(day=1)
    elif precision == "year":
        day = day.replace(month=1, day=1)
    return day, precision


def build_synthetic(seed: int = 12, people: int = 700) -> dict[str, Any]:
    """Branches (one in the recycle bin), enterprises, members in every stage combination, signed
    trainings and 党员大会 with attendance: everything the reminders read."""
    rng = random.Random(seed)
    B, E, M = m.Branch, m.Enterprise, m.Member
    branches = []
    for i, (kind, committee) in enumerate(
        [("standalone", False), ("standalone", True), ("joint", False), ("joint", True),
         ("regional", False), ("temporary", False), ("joint", False)]
    ):  # fmt: skip
        branches.append(
            B.create(
                name=f"第{i + 1}党支部",
                kind=kind,
                has_committee=committee,
                has_groups=i % 2 == 0,
                founded_on=D(2015 + i, 1 + i, 1),
                deleted=i == 6,
            ).id
        )
    enterprises = [
        E.create(
            name=f"企业{i:02d}",
            branch=branches[i % len(branches)] if i % 5 else branches[2],
            deleted=i == 13,
        ).id
        for i in range(16)
    ]
    stage_fields = [*rules_.STAGE_FIELDS, "reviewed_on"]
    rows = []
    for n in range(people):
        row: dict[str, Any] = {
            "name": rng.choice(NAMES),
            "id_number": make_id_number("110101", D(1980, 1, 1) + dt.timedelta(days=n), 100),
            "branch": rng.choice([*branches, *branches, None]),
            "enterprise": rng.choice([*enterprises, None]),
            "category": rng.choice(
                ["full", "full", "probationary", "candidate", "activist", "applicant"]
            ),
            "status": rng.choice(
                ["normal", "normal", "normal", "mobile", "transferred", "deceased"]
            ),
            "deleted": rng.random() < 0.05,
            "extension_months": rng.choice([None, None, None, 6, 12]),
        }
        for name in stage_fields:
            found = _partial(rng, D(2019, 1, 1), 5 * 365)
            field = M._meta.fields[name]
            if isinstance(field, m.PartialDateField):
                row[name], row[f"{name}_precision"] = found or (None, None)
            else:
                row[name] = found[0] if found else None
        rows.append(row)
    # A few probationers sharing one 入党日期, some with and some without an extension.
    for n in range(30):
        rows[n].update(
            category="probationary", joined_on=D(2022, 12, 31), joined_on_precision=None,
            confirmed_on=None, confirmed_on_precision=None, status="normal", deleted=False,
        )  # fmt: skip
    M.insert_many(rows).execute()
    members = [i for (i,) in M.select(M.id).order_by(M.id).tuples()]
    T, A = m.Training, m.Attendance
    for t in range(12):
        training = T.create(
            name=f"发展对象培训{t}",
            kind="business",
            start_date=D(2019, 6, 1) + dt.timedelta(days=150 * t),
            hours=rng.choice([None, 4, 8, 16, 24.5]),
            deleted=t == 11,
        )
        for member_id in rng.sample(members, 60):
            A.create(
                training=training,
                member=member_id,
                status=rng.choice(["signed", "signed", "leave"]),
                deleted=rng.random() < 0.05,
            )
    Act, AA = m.Activity, m.ActivityAttendee
    for i, branch_id in enumerate(branches):
        for month in (2, 5, 8, 11):
            meeting = Act.create(
                branch=branch_id,
                kind=rng.choice(
                    ["general_meeting", "general_meeting", "theme_day", "party_lesson"]
                ),
                date=D(2023, month, 10 + i),
                topic=f"会议{month}",
                deleted=rng.random() < 0.1,
            )
            if rng.random() < 0.8:
                for member_id in rng.sample(members, 12):
                    AA.create(
                        activity=meeting,
                        member=member_id,
                        status=rng.choice(["present", "present", "leave", "absent"]),
                        deleted=rng.random() < 0.05,
                    )
    return {"branches": branches}


# --------------------------------------------------------------------------- comparisons

ORDER = {key: i for i, (key, _step, _fields) in enumerate(recruitment.STEPS)}


def _full_key(r: recruitment.Reminder) -> tuple[Any, ...]:
    return (r.due, r.branch, r.person or "", r.member_id, ORDER[r.rule_key])


def assert_same_reminders(on: dt.date, branch_id: int | None = None) -> int:
    old = old_recruitment_reminders(on, branch_id)
    new = recruitment.recruitment_reminders(on, branch_id)
    # The old order is (due, branch, person); among equals it was the database's, now it is
    # defined (member, then the steps' order): the same reminders, field by field.
    assert [(r.due, r.branch, r.person or "") for r in new] == [
        (r.due, r.branch, r.person or "") for r in old
    ]
    assert new == sorted(old, key=_full_key)
    assert [r.to_dict() for r in new] == [r.to_dict() for r in sorted(old, key=_full_key)]
    return len(new)


RULE_VARIANTS: list[tuple[str, dict[str, dict[str, Any]]]] = [
    ("defaults", {}),
    ("no notice", {"notice": {"enabled": False}}),
    ("long notice", {"notice": {"value": 400}, "application_age": {"enabled": True}}),
    ("application age on", {"application_age": {"enabled": True, "value": 3}}),
    ("probation off", {"probation": {"enabled": False}}),
    ("probation 2 years", {"probation": {"value": 2}}),
    ("talk and review off", {"talk": {"enabled": False}, "review": {"enabled": False}}),
    ("training strict", {"short_training": {"value": 30, "value2": 200}}),
    ("publicity 10", {"publicity": {"value": 10}}),
    ("only probation", {k: {"enabled": False} for k in ORDER if k != "probation"}),
    ("all off", {k: {"enabled": False} for k in ORDER}),
]


def _rules(changes: dict[str, dict[str, Any]]) -> list[Rule]:
    return [replace(r, **changes.get(r.key, {})) for r in rules_.default_rules()]


@pytest.mark.parametrize("variant", [v for v, _ in RULE_VARIANTS])
def test_grouped_recruitment_reminders_equal_the_per_person_loop(
    db: pw.Database, variant: str
) -> None:
    ledger = build_synthetic()
    recruitment.save_rules(_rules(dict(RULE_VARIANTS)[variant]))
    seen = 0
    for on in (D(2019, 3, 1), D(2021, 7, 15), D(2023, 12, 31), D(2024, 2, 29), D(2026, 6, 30)):
        seen += assert_same_reminders(on)
    for branch_id in ledger["branches"][:3]:
        seen += assert_same_reminders(D(2023, 12, 31), branch_id)
    if variant != "all off":
        assert seen > 20  # the ledger gives reminders to compare, not an empty list


def test_every_step_is_compared(db: pw.Database) -> None:
    """The synthetic ledger raises every kind of 发展党员 reminder somewhere."""
    build_synthetic()
    recruitment.save_rules(_rules({"notice": {"value": 400}, "application_age": {"enabled": True}}))
    kinds = set()
    for on in (D(2019, 3, 1), D(2021, 7, 15), D(2023, 12, 31), D(2026, 6, 30)):
        kinds |= {r.rule_key for r in recruitment.recruitment_reminders(on)}
    assert kinds == set(ORDER)


def test_person_reminders_is_the_old_one(db: pw.Database) -> None:
    """The per-person function (the pipeline's) gives what it gave, for every person."""
    build_synthetic()
    rules = recruitment.load_rules()
    people = recruitment.pipeline_people()
    signed = recruitment._signed_hours([p["id"] for p in people if p.get("candidate_on")])
    for on in (D(2021, 7, 15), D(2023, 12, 31)):
        for person in people:
            mine = signed.get(person["id"], [])
            assert recruitment.person_reminders(person, rules, on, mine) == old_person_reminders(
                person, rules, on, mine
            )


def test_setup_warnings_and_quorums_from_one_tally(db: pw.Database) -> None:
    build_synthetic(people=900)
    # Crowd one branch and one enterprise so every warning shows.
    M = m.Member
    branch = m.Branch.get(m.Branch.name == "第3党支部")
    enterprise = m.Enterprise.get(m.Enterprise.branch == branch, m.Enterprise.deleted == False)  # noqa: E712
    crowd = [i for (i,) in M.select(M.id).order_by(M.id).tuples()][::4]
    M.update(branch=branch, enterprise=enterprise).where(M.id.in_(crowd)).execute()
    warnings = compliance.setup_warnings()
    assert warnings == old_setup_warnings()
    assert {w.code for w in warnings} >= {
        "too_many_members",
        "no_committee",
        "enterprise_needs_branch",
        "joint_too_many_units",
    }
    A = m.Activity
    meetings = list(A.select(A.id, A.branch).tuples())
    tally = compliance.member_tally()
    assert relations.quorums(meetings, entitled=tally.full_by_branch) == relations.quorums(meetings)


def test_reminders_open_the_same_records(db: pw.Database) -> None:
    build_synthetic()
    report = compliance.check_year(2023, D(2024, 1, 10))
    assert report.reminders
    grouped = compliance.activity_ids_by_due(report.reminders)
    for due in report.reminders:
        assert grouped[(due.branch_id, due.kind, due.slot.start.year)] == old_activity_ids(due)


def test_the_demo_ledger_gives_what_it_gave(demo: pw.Database) -> None:
    for on in (D(2023, 6, 30), D(2023, 12, 31), D(2024, 3, 1)):
        assert_same_reminders(on)
    assert compliance.setup_warnings() == old_setup_warnings()
    report = compliance.check_year(2023, D(2024, 1, 10))
    grouped = compliance.activity_ids_by_due(report.reminders)
    assert all(
        grouped[(d.branch_id, d.kind, d.slot.start.year)] == old_activity_ids(d)
        for d in report.reminders
    )


def test_arrears_read_only_the_owing_rows_and_give_what_they_gave(db: pw.Database) -> None:
    """党费: every state (免交, 未交, 少交, 补交, 已交), rows for several months, rows of left
    members and in the recycle bin."""
    build_synthetic(people=120)
    rng = random.Random(14)
    M, Dm = m.Member, m.Dues
    rows = []
    for member_id in [i for (i,) in M.select(M.id).order_by(M.id).tuples()][:80]:
        month = D(2022, 1, 1)
        while month <= D(2023, 12, 1):
            span = rng.choice([1, 1, 1, 3])
            due = Decimal(rng.choice(["0.00", "5.00", "12.50", "100.00"]))
            paid = rng.choice([None, Decimal("0.00"), due, due - Decimal("0.01"), due / 2])
            until_index = dues.month_index(month) + span - 1
            until = dues.month_from_index(until_index).earliest() if span > 1 else None
            paid_on = None if paid is None else month + dt.timedelta(days=rng.choice([3, 40, 400]))
            rows.append(
                {
                    "member": member_id,
                    "month": month,
                    "month_precision": "month",
                    "until": until,
                    "until_precision": "month" if until else None,
                    "kind": "working",
                    "due": due,
                    "paid": paid,
                    "paid_on": paid_on,
                    "deleted": rng.random() < 0.05,
                }
            )
            month = dues.month_from_index(until_index + 1).earliest()
    Dm.insert_many(rows).execute()
    for as_of in (D(2023, 7, 15), D(2024, 1, 1), D(2024, 6, 1)):
        for since in (24, 6):
            new = dues.arrears(as_of, since_months=since)
            # branch_id came after the oracle was written (stats counts arrears per branch)
            assert all(a.branch_id is not None for a in new if a.branch is not None)
            new = [dataclasses.replace(a, branch_id=None) for a in new]
            assert new == old_arrears(as_of, since_months=since)
    assert len(dues.arrears(D(2024, 1, 1))) > 10
    assert dues.reminders(2023) == [
        (a.message(), list(a.record_ids)) for a in old_arrears(D(2024, 1, 1), since_months=24)
    ]


def test_the_demo_ledgers_arrears_are_the_same(demo: pw.Database) -> None:
    for as_of in (D(2023, 7, 1), D(2024, 1, 1)):
        new = [dataclasses.replace(a, branch_id=None) for a in dues.arrears(as_of)]
        assert new == old_arrears(as_of)
