"""The demo ledger reproduces the figures of the park's 2023 report and obeys the domain rules."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from partybuild.domain import validators as v
from partybuild.services.demo import build_demo
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database

YEAR_START, YEAR_END = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
PARTY = ("full", "probationary")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[pw.Database, dict, float]]:
    database = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    started = time.perf_counter()
    counts = build_demo(database)
    elapsed = time.perf_counter() - started
    yield database, counts, elapsed
    m.db_proxy.initialize(database)
    close_database()


@pytest.fixture(autouse=True)
def bound(demo: tuple[pw.Database, dict, float]) -> None:
    """Tests that open databases of their own rebind the models; bind them back to the demo."""
    m.db_proxy.initialize(demo[0])


def _branches(kind: str) -> list[m.Branch]:
    return list(m.Branch.select().where(m.Branch.kind == kind))


def _party_count(branch: m.Branch) -> int:
    return m.Member.select().where(m.Member.branch == branch, m.Member.category.in_(PARTY)).count()


def test_counts_match_the_tables(demo: tuple[pw.Database, dict, float]) -> None:
    _, counts, _elapsed = demo
    for model in m.LEDGER_MODELS:
        assert counts[model._meta.table_name] == model.select().count()


def test_joint_branches_cover_28_enterprises_at_most_5_each() -> None:
    joint = _branches("joint")
    assert len(joint) == 6
    covered = [list(b.enterprises) for b in joint]
    assert sum(len(firms) for firms in covered) == 28
    assert max(len(firms) for firms in covered) <= 5
    for branch, firms in zip(joint, covered, strict=True):
        assert dt.date(2023, 7, 10) <= branch.founded_on <= dt.date(2023, 8, 31)
        for firm in firms:
            members = list(firm.members)
            assert 1 <= len(members) <= 2
            assert sum(p.category == "full" for p in members) < 3
            assert all(p.branch_id == branch.id for p in members)


def test_regional_branch_covers_16_enterprises_without_members() -> None:
    (regional,) = _branches("regional")
    firms = list(regional.enterprises)
    assert len(firms) == 16
    assert all(firm.members.count() == 0 for firm in firms)
    cadres = list(regional.members)
    assert 4 <= len(cadres) <= 6
    assert all(p.enterprise_id is None for p in cadres)
    assert dt.date(2023, 7, 10) <= regional.founded_on <= dt.date(2023, 8, 31)


def test_branch_sizes_committees_and_secretaries() -> None:
    standalone = _branches("standalone")
    assert 12 <= len(standalone) <= 16
    assert any(b.has_groups for b in standalone)
    sizes = (
        m.Member.select(m.Member.branch, pw.fn.COUNT(m.Member.id))
        .group_by(m.Member.branch)
        .tuples()
    )
    assert max(n for _, n in sizes) <= 50  # 《支部工作条例》: generally at most 50 members
    for branch in m.Branch.select():
        full = branch.members.where(m.Member.category == "full").count()
        assert branch.has_committee == (full >= 7)
        secretary = branch.members.where(m.Member.party_post == "书记").get()
        assert branch.secretary == secretary.name
        assert branch.parent_id is None
    for branch in standalone:
        assert 25 <= branch.members.count() <= 50
        (firm,) = branch.enterprises
        assert all(p.enterprise_id == firm.id for p in branch.members)
        assert branch.founded_on < YEAR_START
    party = m.Member.select().where(m.Member.category.in_(PARTY)).count()
    others = m.Member.select().where(m.Member.category.not_in(PARTY)).count()
    assert party >= 680
    assert 40 <= others <= 80


def test_members_are_valid_and_synthetic() -> None:
    for p in m.Member.select():
        v.check_id_number(p.id_number)
        assert p.id_number.startswith("999999")
        assert v.birth_date_from_id(p.id_number) == p.birth_date
        assert v.gender_from_id(p.id_number) == p.gender
        assert 22 <= p.age(YEAR_END) <= 60
        v.check_phone(p.phone)
        assert p.phone.startswith("1990000")
        assert p.name[1] == "示"
        assert (p.version, p.deleted) == (1, False)
        assert p.created_at <= p.updated_at
        if p.category == "full":
            assert p.joined_on < p.confirmed_on <= YEAR_END
            assert 365 <= (p.confirmed_on - p.joined_on).days <= 366
        elif p.category == "probationary":
            assert p.confirmed_on is None
            assert YEAR_START <= p.joined_on <= YEAR_END
        else:
            assert p.joined_on is None and p.confirmed_on is None
        if p.enterprise_id is not None:
            assert p.enterprise.branch_id == p.branch_id
    assert m.Member.select().where(m.Member.status == "mobile").count() > 0


def test_enterprise_credit_codes_are_valid() -> None:
    firms = list(m.Enterprise.select())
    for firm in firms:
        v.check_credit_code(firm.credit_code)
        assert firm.credit_code[2:8] == "360281"
        assert not firm.note
    assert sum(f.kind == "individual" and f.branch_id is None for f in firms) >= 10


def test_rotation_trainings_reach_650_signed() -> None:
    T, A = m.Training, m.Attendance
    rotation = list(
        T.select().where(T.kind == "rotation", T.start_date.between(YEAR_START, YEAR_END))
    )
    assert len(rotation) == 6
    assert len({t.name for t in rotation}) == 6
    rows = A.select().where(A.training.in_(rotation))
    assert rows.where(A.status == "signed").count() >= 650
    assert rows.where(A.member.is_null()).count() > 0
    # Every full or probationary member is expected at exactly one session.
    expected = Counter(a.member_id for a in rows.where(A.member.is_null(False)))
    party = {p.id for p in m.Member.select().where(m.Member.category.in_(PARTY))}
    assert set(expected) == party
    assert set(expected.values()) == {1}
    for row in rows:
        assert (row.signed_at is not None) == (row.status == "signed")
        if row.member_id is None:
            assert row.person_name and row.person_unit


def test_lectures_party_lessons_and_business_trainings() -> None:
    T = m.Training
    in_2023 = T.start_date.between(YEAR_START, YEAR_END)
    lectures = list(T.select().where(T.kind == "lecture", in_2023))
    assert len(lectures) == 19
    assert all(t.start_date > dt.date(2023, 10, 11) for t in lectures)
    assert all(t.attendance.count() > 0 for t in lectures)
    lessons = list(T.select().where(T.kind == "party_lesson", in_2023))
    assert len(lessons) >= 50
    assert all(t.start_date >= dt.date(2023, 4, 1) for t in lessons)
    assert T.select().where(T.kind == "business", in_2023).count() >= 1
    for t in T.select():
        assert t.end_date >= t.start_date
        members = [a.member_id for a in t.attendance if a.member_id is not None]
        assert len(members) == len(set(members))


def test_teams_and_services() -> None:
    Tm, S = m.Team, m.Service
    in_2023 = Tm.founded_on.between(YEAR_START, YEAR_END)
    assert Tm.select().where(Tm.kind == "volunteer", in_2023).count() == 18
    assert Tm.select().where(Tm.kind == "commando", in_2023).count() == 6
    for team in Tm.select():
        crew = {tm.member_id for tm in team.memberships}
        assert 5 <= len(crew) <= 12
        assert all(tm.member.branch_id == team.branch_id for tm in team.memberships)
        assert team.leader in {tm.member.name for tm in team.memberships}
    services = list(S.select().where(S.date.between(YEAR_START, YEAR_END)))
    assert len(services) >= 60
    for service in services:
        assert service.date >= service.team.founded_on
        assert 1 <= service.hours <= 4
        people = {sp.member_id for sp in service.participants}
        assert 3 <= len(people) <= 8
        assert people <= {tm.member_id for tm in service.team.memberships}
    assert sum(s.target_enterprise_id is not None for s in services) > len(services) // 2


def test_enterprise_issues() -> None:
    I = m.EnterpriseIssue  # noqa: E741
    resolved = I.select().where(I.state == "resolved", I.resolved_on.between(YEAR_START, YEAR_END))
    assert resolved.count() >= 62
    assert resolved.where(I.category == "project").count() == 12
    assert resolved.where(I.category != "project").count() >= 50
    for issue in I.select():
        assert YEAR_START <= issue.received_on <= YEAR_END
        assert 15 <= (issue.deadline - issue.received_on).days <= 60
        if issue.state == "resolved":
            assert issue.received_on <= issue.resolved_on <= YEAR_END
            assert issue.evaluation is not None
        elif issue.state in ("open", "in_progress"):
            assert issue.resolved_on is None
    pending = list(I.select().where(I.state.in_(("open", "in_progress"))))
    assert 4 <= len(pending) <= 8
    assert sum(issue.overdue(YEAR_END) for issue in pending) == 2
    assert 1 <= I.select().where(I.state == "unresolvable").count() <= 2


def test_activities_with_deliberate_gaps() -> None:
    A = m.Activity
    missed_meetings = 0
    missed_theme_days = Counter()
    for branch in m.Branch.select():
        start = max(YEAR_START, branch.founded_on)
        acts = list(branch.activities)
        quarters = {(a.date.month - 1) // 3 for a in acts if a.kind == "general_meeting"}
        due = set(range((start.month - 1) // 3, 4))
        assert quarters <= due
        missed_meetings += len(due - quarters)
        months = {a.date.month for a in acts if a.kind == "theme_day"}
        missed_theme_days[branch.id] = len(set(range(start.month, 13)) - months)
        kinds = Counter(a.kind for a in acts)
        assert kinds["life_meeting"] == kinds["review"] == 1
        assert kinds["party_lesson"] == len(due)
        if branch.has_committee:
            assert kinds["committee_meeting"] == 13 - start.month
        assert all(start <= a.date <= YEAR_END for a in acts)
    assert missed_meetings == 2
    assert sorted(n for n in missed_theme_days.values() if n) == [2]
    assert m.ActivityAttendee.select().count() < 30_000
    meeting = A.select().where(A.kind == "general_meeting").first()
    statuses = Counter(a.status for a in meeting.attendees)
    assert statuses["present"] > sum(statuses.values()) / 2  # quorate


def test_building_twice_is_refused(tmp_path: Path) -> None:
    database = open_database(tmp_path / "demo.sqlite3")
    try:
        build_demo(database)
        before = m.Member.select().count()
        with pytest.raises(ValueError, match="数据库不是空的"):
            build_demo(database)
        assert m.Member.select().count() == before
    finally:
        close_database()


def test_build_is_deterministic(tmp_path: Path) -> None:
    numbers = []
    for name in ("a.sqlite3", "b.sqlite3"):
        database = open_database(tmp_path / name)
        try:
            build_demo(database, seed=7)
            numbers.append([p.id_number for p in m.Member.select().order_by(m.Member.id)])
        finally:
            close_database()
    assert numbers[0] == numbers[1]
    assert len(numbers[0]) > 700
