"""党费 figures against an oracle: the period's 应交, 实交, 收缴率 and members in arrears summed in
plain Python from the rows, on hand-built rows that reach every edge the SQL has to get right —
an amount off the fen stored around the app, a deleted member, a deleted row, months outside the
period (before, after, a range reaching into it), two branches and a member without one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import peewee as pw
import pytest

from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import dues, records, stats
from partybuild.store import models as m

D = Decimal
YEAR = stats.Period.year(2023)
HALF = stats.Period(dt.date(2023, 3, 1), dt.date(2023, 8, 31))


def _member(name: str, seq: int, branch: m.Branch | None) -> m.Member:
    data: dict[str, Any] = {
        "name": name,
        "id_number": make_id_number("999999", dt.date(1985, 1, 1), seq),
    }
    if branch is not None:
        data["branch"] = branch.id
    return records.create(spec.MEMBERS, data)


def _row(
    who: m.Member,
    month: tuple[int, int],
    due: str,
    paid: str | None = None,
    until: tuple[int, int] | None = None,
) -> m.Dues:
    data: dict[str, Any] = {
        "member": who.id,
        "month": dt.date(*month, 1),
        "kind": "other",
        "due": due,
    }
    if until is not None:
        data["until"] = dt.date(*until, 1)
    if paid is not None:
        data["paid"], data["paid_on"] = paid, dt.date(*month, 1) + dt.timedelta(days=40)
    return records.create(spec.DUES, data)


def _build(database: pw.Database) -> dict[str, m.Branch]:
    one = records.create(spec.BRANCHES, {"name": "第一党支部", "kind": "standalone"})
    two = records.create(spec.BRANCHES, {"name": "第二联合党支部", "kind": "joint"})
    a, b = _member("示甲", 1, one), _member("示乙", 2, one)
    c, d = _member("示丙", 3, two), _member("示丁", 4, None)
    e = _member("示己", 6, two)
    gone = _member("示戊", 5, one)
    for month in range(1, 13):
        _row(a, (2023, month), "76.50", "76.50" if month != 5 else None)  # May unpaid
        _row(b, (2023, month), "49.00", "30.00" if month in (2, 9) else "49.00")  # short twice
        _row(gone, (2023, month), "20.00")  # unpaid, but the member is deleted
    _row(b, (2022, 12), "49.00")  # unpaid, before the period
    _row(b, (2024, 1), "49.00")  # unpaid, after the period
    _row(c, (2022, 12), "60.00", until=(2023, 2))  # a range unpaid, begun before the period
    _row(c, (2023, 3), "20.00", "20.00")
    _row(c, (2023, 4), "0.00")  # exempt
    _row(c, (2023, 11), "40.00", "40.00", until=(2023, 12))  # two months paid at once
    # A quarter unpaid begun two months before the half year, its March in it.
    _row(e, (2023, 1), "90.00", until=(2023, 3))
    _row(d, (2023, 6), "33.30", "33.30")
    _row(d, (2023, 7), "33.30")  # unpaid, a member of no branch
    deleted = _row(d, (2023, 8), "33.30")  # unpaid, but in the recycle bin
    off = _row(d, (2023, 9), "33.30", "12.00")
    m.Dues.update(deleted=True).where(m.Dues.id == deleted.id).execute()
    m.Member.update(deleted=True).where(m.Member.id == gone.id).execute()
    # Amounts off the fen, written around the app (SQLite keeps them; NUMERIC rounds them).
    database.execute_sql(
        'UPDATE "dues" SET "due" = 36.205, "paid" = 12.3449 WHERE "id" = ' + database.param,
        (off.id,),
    )
    return {"one": one, "two": two}


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _oracle(period: stats.Period, today: dt.date) -> dict[int | None, dict[str, Any]]:
    """Per branch (None: members without a branch) the figures, from every row as read."""
    start, end = period.start, period.end
    as_of = min(today, end + dt.timedelta(days=1))
    last = _month_index(as_of) - 1  # the month of as_of is still open
    sums: dict[int | None, list[Decimal]] = {}
    owing: dict[int | None, set[int]] = {}
    for row in m.Dues.select(m.Dues, m.Member).join(m.Member):
        if row.deleted or row.member.deleted:
            continue
        branch = row.member.branch_id
        if start <= dt.date(row.month.year, row.month.month, 1) <= end:
            item = sums.setdefault(branch, [D("0.00"), D("0.00")])
            item[0] += row.due
            item[1] += row.paid or 0
        owes = row.due != 0 and (row.paid is None or row.paid < row.due)
        if not owes:
            continue
        months = range(_month_index(row.month), _month_index(row.until or row.month) + 1)
        if any(i <= last and _month_index(start) <= i <= _month_index(end) for i in months):
            owing.setdefault(branch, set()).add(row.member_id)
    result = {}
    for branch in sums.keys() | owing.keys():
        due, paid = sums.get(branch, [D("0.00"), D("0.00")])
        result[branch] = {
            "due": f"{due:.2f}",
            "paid": f"{paid:.2f}",
            "rate": None if due == 0 else float((paid / due).quantize(D("0.0001"))),
            "members_in_arrears": len(owing.get(branch, ())),
        }
    return result


def _park(per: dict[int | None, dict[str, Any]]) -> dict[str, Any]:
    due = sum((D(f["due"]) for f in per.values()), D("0.00"))
    paid = sum((D(f["paid"]) for f in per.values()), D("0.00"))
    return {
        "due": f"{due:.2f}",
        "paid": f"{paid:.2f}",
        "rate": None if due == 0 else float((paid / due).quantize(D("0.0001"))),
        "members_in_arrears": sum(f["members_in_arrears"] for f in per.values()),
    }


@pytest.mark.parametrize("few", [100, 0], ids=["deleted-by-id", "deleted-by-subquery"])
def test_dues_figures_equal_the_sums_of_the_rows(
    db: pw.Database, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dues, "_FEW_GONE", few)  # the members in the recycle bin: few or many
    branches = _build(db)
    ids: list[int | None] = [b.id for b in branches.values()]
    for period in (YEAR, HALF):
        for today in (dt.date(2024, 3, 1), dt.date(2023, 7, 15), dt.date(2023, 1, 10)):
            expected = _oracle(period, today)
            start, end = period.start, period.end
            assert dues.period_figures_by_branch(start, end, today) == expected, (period, today)
            assert dues.period_figures(start, end, None, today) == _park(expected)
            for branch_id in ids:
                assert dues.period_figures(start, end, branch_id, today) == expected.get(
                    branch_id, dues.empty_figures()
                ), (period, today, branch_id)
    # What the oracle finds, so that it is not vacuous.
    year = _oracle(YEAR, dt.date(2024, 3, 1))
    assert {k: v["members_in_arrears"] for k, v in year.items()} == {
        branches["one"].id: 2,  # 示甲 (May) and 示乙 (short in February and September)
        branches["two"].id: 2,  # 示丙: January and February of the range begun in December; 示己
        None: 1,  # 示丁: July, and September short (August is in the recycle bin)
    }
    half = _oracle(HALF, dt.date(2024, 3, 1))
    assert half[branches["two"].id]["members_in_arrears"] == 1  # 示己's March
    if isinstance(db, pw.SqliteDatabase):  # the off-fen amounts as they read: 36.20, 12.34
        assert year[None]["due"] == f"{D('33.30') * 2 + D('36.20'):.2f}"


def test_the_stats_dues_section_equals_the_sums_of_the_rows(db: pw.Database) -> None:
    branches = _build(db)
    listed = list(branches.values())
    for period in (YEAR, HALF):
        expected = _oracle(period, dt.date.today())
        assert stats.compute(period)["dues"] == _park(expected)
        per = stats.compute_branches(period, listed)
        for branch in listed:
            assert stats.compute(period, branch)["dues"] == expected[branch.id]
            assert per[branch.id]["dues"] == expected[branch.id]


def test_the_dues_figures_read_the_dues_index_alone(sqlite_db: pw.Database) -> None:
    """On SQLite the period's sums and the arrears rows are range reads of the figures' index
    (migration 0014), which holds every column they read."""
    _build(sqlite_db)
    connection = sqlite_db.connection()
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        dues.period_figures(YEAR.start, YEAR.end)
        dues.period_figures_by_branch(YEAR.start, YEAR.end)
    finally:
        connection.set_trace_callback(None)
    plans: list[str] = []
    for sql in statements:
        alias = re.search(r'FROM "dues" AS "(\w+)"', sql)
        if sql.startswith("SELECT") and alias:
            rows = connection.execute("EXPLAIN QUERY PLAN " + sql)
            plans += [r[3] for r in rows if r[3].split()[1:2] == [alias.group(1)]]
    index = "COVERING INDEX dues_deleted_month_member_id_due_paid_until_paid_on"
    assert plans and all(index in p for p in plans), plans


def test_a_range_begun_before_the_window_is_in_arrears_for_its_months_in_it(
    db: pw.Database,
) -> None:
    one = records.create(spec.BRANCHES, {"name": "第一党支部", "kind": "standalone"})
    who = _member("示庚", 7, one)
    _row(who, (2023, 1), "90.00", until=(2023, 3))  # a quarter, unpaid
    (found,) = dues.arrears(dt.date(2023, 5, 1), since_months=2)  # March and April
    assert (found.name, [x.earliest() for x in found.months]) == ("示庚", [dt.date(2023, 3, 1)])
    assert found.owed == D("30.00")  # a third of the quarter
    (whole,) = dues.arrears(dt.date(2023, 5, 1), since_months=24)
    assert len(whole.months) == 3 and whole.owed == D("90.00")
