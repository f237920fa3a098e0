"""A search's first page read without counting first: the same rows as the counted page, and a
count exactly when the page tells it (fewer rows than a page are all there is)."""

from __future__ import annotations

import peewee as pw
import pytest

from partybuild.ledgers import spec
from partybuild.services import query as query_module
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
    """The demo ledger and 400 full-field members more, on SQLite and on PostgreSQL."""
    build_demo(db)
    branches = [b for (b,) in m.Branch.select(m.Branch.id).tuples()]
    enterprises = [e for (e,) in m.Enterprise.select(m.Enterprise.id).tuples()]
    taken = {i for (i,) in m.Member.select(m.Member.id_number).tuples()}
    rows = [
        r for r in member_rows(400, branches, enterprises, seed=7) if r["id_number"] not in taken
    ]
    with db.atomic():
        m.Member.insert_many(rows).execute()
    return db


def test_first_rows_equal_the_counted_page_and_count_when_short(ledger: pw.Database) -> None:
    seen_full = seen_short = 0
    for term, limit in ((t, n) for n in (20, 200) for t in TERMS):
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


def test_the_search_finds_the_same_members_as_reading_every_name(
    ledger: pw.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's search against the plainest reading of its rule (a name, its pinyin or its
    initials contain the word; the shown parts of the numbers contain it), member by member,
    in every order, page by page; on PostgreSQL with the members named by id and, for a word in
    more than 5 names, by the text."""
    for by_id in (5000, 5):
        monkeypatch.setattr(query_module, "SHORT_WORD_IDS", by_id)
        _same_members_as_reading_every_name()


def _same_members_as_reading_every_name() -> None:
    live = list(m.Member.select().where(m.Member.deleted == False))  # noqa: E712
    for term in ["王", "王安", "zs", "zhang", "龚", "张伟", "a", "没有这个人", "1395", "13", "ang"]:
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
        for sort, descending in SORTS:
            ordered = LedgerQuery(MEMBERS, Filters(search=term), sort, descending)
            whole = [r.id for r in ordered.rows(0, 10_000)]
            assert set(whole) == wanted and len(whole) == len(wanted), (term, sort)
            if len(whole) <= 140:  # page by page (a few pages of the bigger ones suffice)
                pages = range(0, len(whole), 7)
                paged = [r.id for start in pages for r in ordered.rows(start, 7, len(whole))]
                assert paged == whole, (term, sort)
            first, counted = ordered.first_rows(7)
            assert [r.id for r in first] == whole[:7], (term, sort)
            assert counted in (None, len(wanted)), (term, sort)
