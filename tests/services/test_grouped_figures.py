"""The grouped figures give exactly what the per-branch queries gave (tests/services/stats_oracle.py).

On the demo ledger, on SQLite and PostgreSQL, with a few records moved to the edges the definitions
care about (a deleted branch and training, partial 入党 dates, a 转正 after the year, a member of no
branch): ``stats`` for the park and for every branch, the annual summary's branch table, the
overview's record ids and the 党费 figures, for 2022, 2023 and a period that ends mid-month, field
by field and in the same key order (the JSON ``stats --json`` prints).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from partybuild.domain.dates import PartialDate
from partybuild.services import compliance, dues, records, report, stats
from partybuild.services.demo import build_demo
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.services import stats_oracle as oracle

PERIODS = (
    stats.Period.year(2023),
    stats.Period.year(2022),
    stats.Period(dt.date(2023, 3, 15), dt.date(2023, 6, 20)),
)
TODAY = dt.date(2024, 3, 1)


def _edges() -> None:
    """Move a few demo records to where the definitions draw their lines."""
    M = m.Member
    joint = m.Branch.select().where(m.Branch.kind == "joint").order_by(m.Branch.id).first()
    records.soft_delete("branches", joint.id)
    training = m.Training.select().where(m.Training.kind == "lecture").order_by(m.Training.id)
    records.soft_delete("trainings", training.first().id)
    party = list(M.select().where(M.category.in_(("full", "probationary"))).order_by(M.id).limit(8))
    # 入党 “2023.06” and “2023”: in 2023, not certainly by 2023-06-20.
    M.update(joined_on=dt.date(2023, 6, 1), joined_on_precision="month").where(
        M.id == party[0].id
    ).execute()
    M.update(joined_on=dt.date(2023, 1, 1), joined_on_precision="year").where(
        M.id == party[1].id
    ).execute()
    # 转正 after the period: still probationary then; “2023.06” as a month.
    M.update(category="full", confirmed_on=dt.date(2024, 2, 1)).where(M.id == party[2].id).execute()
    M.update(
        category="full", confirmed_on=dt.date(2023, 6, 1), confirmed_on_precision="month"
    ).where(M.id == party[3].id).execute()
    M.update(branch=None).where(M.id == party[4].id).execute()
    M.update(status="transferred").where(M.id == party[5].id).execute()
    records.soft_delete("members", party[6].id)
    M.update(applied_on=dt.date(2023, 4, 1), activist_on=PartialDate(2023, 5)).where(
        M.id == party[7].id
    ).execute()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[pw.Database]:
    if request.param == "sqlite":
        target = str(tmp_path_factory.mktemp("grouped") / "demo.sqlite3")
    else:
        target = request.getfixturevalue("pg_cluster").new_database()
    database = open_database(target)
    build_demo(database)
    _edges()
    yield database
    close_database()


@pytest.fixture(autouse=True)
def bound(ledger: pw.Database) -> None:
    m.db_proxy.initialize(ledger)


def _same(new: object, old: object) -> None:
    """Equal, field by field and in the same key order."""
    assert json.dumps(new, ensure_ascii=False) == json.dumps(old, ensure_ascii=False)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label())
def test_park_and_each_branch_figures_equal_the_per_branch_queries(period: stats.Period) -> None:
    _same(stats.compute(period), oracle.compute(period))
    branches = list(m.Branch.select().order_by(m.Branch.id))  # deleted ones too
    assert any(b.deleted for b in branches)
    grouped = stats.compute_branches(period, branches)
    for branch in branches:
        old = oracle.compute(period, branch)
        _same(stats.compute(period, branch), old)
        _same(grouped[branch.id], old)


@pytest.mark.parametrize("period", PERIODS[:2], ids=lambda p: p.label())
def test_the_summary_branch_table_and_text_are_unchanged(period: stats.Period) -> None:
    year = period.start.year
    summary = report.build_summary(year, TODAY)
    check = compliance.check_year(year, TODAY)
    assert summary.branch_rows == oracle._branch_rows(period, check)
    assert summary.branch_rows and (summary.dues_rows or year != 2023)
    _same(summary.figures, {"year": year, **oracle.compute(period)})
    from partybuild.printing import annual_report

    before = dataclasses.replace(summary, branch_rows=oracle._branch_rows(period, check))
    assert annual_report.summary_html(summary) == annual_report.summary_html(before)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label())
def test_the_overview_cards_open_the_same_records(period: stats.Period) -> None:
    for kind in ("standalone", "joint", "regional"):
        assert report.branch_ids(period, kind) == oracle.branch_ids(period, kind)
    for kind in ("rotation", "lecture", "party_lesson", None):
        assert report.training_ids(period, kind) == oracle.training_ids(period, kind)
    for kind in ("volunteer", "commando"):
        assert report.team_ids(period, kind) == oracle.team_ids(period, kind)
    assert report.party_member_ids(period) == oracle.party_member_ids(period)
    assert report.party_member_ids() == oracle.party_member_ids()
    assert report.service_ids(period) == oracle.service_ids(period)
    assert report.resolved_issue_ids(period) == oracle.resolved_issue_ids(period)
    assert report.resolved_issue_ids(period, "project") == oracle.resolved_issue_ids(
        period, "project"
    )
    assert report.pending_issue_ids(period) == oracle.pending_issue_ids(period)
    assert report.pending_issue_ids(period, True) == oracle.pending_issue_ids(period, True)
    assert len(report.party_member_ids(period)) > 600


def _arrears(items: list[dues.Arrears]) -> list[dues.Arrears]:
    return [dataclasses.replace(a, branch_id=None) for a in items]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label())
def test_dues_figures_and_arrears_equal_the_row_by_row_sums(period: stats.Period) -> None:
    start, end = period.start, period.end
    assert dues.collection(start, end) == oracle.collection(start, end)
    for as_of in (dt.date(2024, 1, 1), dt.date(2023, 7, 1), TODAY):
        found = dues.arrears(as_of)
        assert _arrears(found) == oracle.arrears(as_of)
        branch_of = dict(m.Member.select(m.Member.id, m.Member.branch).tuples())
        assert all(a.branch_id == branch_of[a.member_id] for a in found)
    assert dues.arrears(dt.date(2024, 1, 1)), "the demo keeps some unpaid months"
    by_branch = dues.period_figures_by_branch(start, end, TODAY)
    for (branch_id,) in m.Branch.select(m.Branch.id).tuples():
        old = oracle.dues_period_figures(start, end, branch_id, TODAY)
        _same(by_branch.get(branch_id, dues.empty_figures()), old)
    _same(
        dues.period_figures(start, end, None, TODAY),
        oracle.dues_period_figures(start, end, None, TODAY),
    )


def test_an_amount_off_the_fen_is_summed_as_it_reads(ledger: pw.Database) -> None:
    """A stored amount with more places than the fen (written around the app): the totals are
    those of the amounts as read, as before."""
    D = m.Dues
    row = D.select().where(D.paid.is_null(False)).order_by(D.id).first()
    with ledger.atomic() as transaction:
        ledger.execute_sql(
            'UPDATE "dues" SET "due" = 36.205, "paid" = 12.3449 WHERE "id" = %s'.replace(
                "%s", ledger.param
            ),
            (row.id,),
        )
        start, end = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
        assert dues.collection(start, end) == oracle.collection(start, end)
        for branch_id in (None, row.member.branch_id):
            _same(
                dues.period_figures(start, end, branch_id, TODAY),
                oracle.dues_period_figures(start, end, branch_id, TODAY),
            )
        transaction.rollback()


@pytest.mark.parametrize("ledger", ["sqlite"], indirect=True)  # SQLite's query plan
def test_the_figures_read_the_member_index_alone(ledger: pw.Database, tmp_path: Path) -> None:
    """On SQLite the member counts walk the figures' index (migration 0011), not the table."""
    assert isinstance(ledger, pw.SqliteDatabase)
    plans: list[str] = []
    connection = ledger.connection()
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        stats.compute(stats.Period.year(2023))
        report.party_member_ids(stats.Period.year(2023))
    finally:
        connection.set_trace_callback(None)
    for sql in statements:
        if '"member" AS' in sql and "JOIN" not in sql:
            plans += [r[3] for r in connection.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans and not [p for p in plans if p.startswith("SCAN")], plans
