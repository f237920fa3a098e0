"""A search's first page read without counting first: the same rows as the counted page, and a
count exactly when the page tells it (fewer rows than a page are all there is)."""

from __future__ import annotations

import peewee as pw
import pytest

from partybuild.ledgers import spec
from partybuild.services.demo import build_demo
from partybuild.services.query import Filters, LedgerQuery
from partybuild.store import models as m
from tests.benchmarks.roster import member_rows

MEMBERS = spec.ledger("members")
# The benchmark's words and a few more: a surname, a two-character fragment, pinyin initials and
# spelling, digits of the shown phone and ID parts, a branch's name, a vocabulary label, nothing.
TERMS = [
    "王",
    "王安",
    "zs",
    "zhang",
    "1395",
    "13",
    "龚",
    "联合党支部",
    "没有这个人",
    "张伟",
    "a",
    "预备党员",
    "本科",
    "9906",
    "王 安",
]
SORTS = [(None, False), ("name", True), ("birth_date", False), ("branch", False), ("id", True)]


@pytest.fixture
def ledger(db: pw.Database) -> pw.Database:
    """The demo ledger and 600 full-field members more, on SQLite and on PostgreSQL."""
    build_demo(db)
    branches = [b for (b,) in m.Branch.select(m.Branch.id).tuples()]
    enterprises = [e for (e,) in m.Enterprise.select(m.Enterprise.id).tuples()]
    taken = {i for (i,) in m.Member.select(m.Member.id_number).tuples()}
    rows = [
        r for r in member_rows(600, branches, enterprises, seed=7) if r["id_number"] not in taken
    ]
    with db.atomic():
        m.Member.insert_many(rows).execute()
    return db


@pytest.mark.parametrize("limit", [20, 200])
def test_first_rows_equal_the_counted_page_and_count_when_short(
    ledger: pw.Database, limit: int
) -> None:
    seen_full = seen_short = 0
    for term in TERMS:
        for sort, descending in SORTS:
            query = LedgerQuery(MEMBERS, Filters(search=term), sort, descending)
            total = query.count()
            expected = [(r.id, r.version, r.values) for r in query.rows(0, limit, total)]
            fresh = LedgerQuery(MEMBERS, Filters(search=term), sort, descending)
            rows, counted = fresh.first_rows(limit)
            assert [(r.id, r.version, r.values) for r in rows] == expected, (term, sort)
            if counted is None:  # a full page: the count is left to count()
                assert len(rows) == limit <= total, (term, sort)
                seen_full += 1
            else:
                assert counted == total, (term, sort)
                seen_short += len(rows) < limit
    assert seen_full and seen_short  # both cases were met


def test_the_search_finds_the_same_members_as_reading_every_name(ledger: pw.Database) -> None:
    """The page's search against the plainest reading of its rule (a name, its pinyin or its
    initials contain the word; the shown parts of the numbers contain it), member by member."""
    live = list(m.Member.select().where(m.Member.deleted == False))  # noqa: E712
    for term in ["王", "王安", "zs", "zhang", "龚", "张伟", "a", "没有这个人", "1395", "13"]:
        query = LedgerQuery(MEMBERS, Filters(search=term))
        found = {r.id for r in query.rows(0, 10_000)}
        digits = term.isdigit()
        wanted = {
            p.id
            for p in live
            if term in (p.search_text or "")
            or (digits and any(term in (s or "") for s in (p.id_shown, p.phone_shown)))
            or (digits and term in (p.id_number, p.phone))
        }
        assert found == wanted, term
        assert query.count() == len(wanted), term
