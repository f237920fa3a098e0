"""ID and phone numbers: one reading for the form, the importer and search; search sees what is shown."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from partybuild.domain.validators import make_id_number, mask_id_number, mask_phone
from partybuild.exchange.read import parse_id_number, parse_phone
from partybuild.ledgers import spec
from partybuild.services import lookup, records, recycle, relations
from partybuild.services.query import Filters, LedgerQuery
from partybuild.store import models as m


def id_ending_in_x() -> str:
    for seq in range(1000):
        number = make_id_number("360281", dt.date(1988, 2, 29), seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no check letter X")


ID_X = id_ending_in_x()


def found(text: str) -> set[str]:
    query = LedgerQuery(spec.ledger("members"), Filters(search=text))
    column = [c.name for c in spec.ledger("members").columns].index("name")
    return {row.values[column] for row in query.rows()}


@pytest.fixture
def member(db: pw.Database) -> m.Member:
    branch = records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    return records.create(
        "members",
        {
            "name": "张示安",
            "id_number": ID_X[:-1] + " x"[1],  # lower-case check letter, as an input method gives
            "phone": "138 0013 8000",
            "branch": branch,
        },
    )


def test_the_form_takes_a_grouped_phone_and_a_lower_case_x_as_the_importer_does(
    member: m.Member,
) -> None:
    stored = m.Member.get_by_id(member.id)
    assert stored.id_number == ID_X and stored.phone == "13800138000"
    assert parse_id_number(ID_X[:-1] + "x") == ID_X
    assert parse_phone("138 0013 8000") == "13800138000"
    grouped = f"{ID_X[:6]} {ID_X[6:14]} {ID_X[14:17]}x"
    assert records.clean_value(grouped, spec.ledger("members").column("id_number")) == ID_X
    assert parse_id_number(grouped) == ID_X


def test_search_matches_the_shown_parts_and_the_whole_number_never_the_masked_middle(
    member: m.Member,
) -> None:
    shown_id, shown_phone = mask_id_number(ID_X), mask_phone("13800138000")
    assert shown_id == f"{ID_X[:4]}**********{ID_X[-4:]}" and shown_phone == "138****8000"
    # What the table shows finds the member.
    for typed in (ID_X[:4], ID_X[-4:], ID_X[-4:].lower(), "138", "8000", "0138000"[-4:]):
        assert found(typed) == {"张示安"}, typed
    # The whole number, typed in full (grouped, lower-case x), finds it too.
    for typed in (
        ID_X,
        ID_X[:-1] + "x",
        f"{ID_X[:6]} {ID_X[6:14]} {ID_X[14:]}",
        "13800138000",
        "138 0013 8000",
    ):
        assert found(typed) == {"张示安"}, typed
    # Digits only the hidden middle holds find nothing: 19880229 is the birth date, 0013 the phone's middle.
    for typed in ("19880229", ID_X[6:10], "0013", "800138", ID_X[2:8], ID_X[:17]):
        assert found(typed) == set(), typed


def test_the_member_picker_follows_the_same_rule(member: m.Member) -> None:
    """Pickers (输入姓名或身份证号查找) find by the shown parts or the whole number only."""
    for typed in (ID_X[:4], ID_X[-4:], ID_X, "8000"):
        assert [r[0] for r in lookup.search_titles(m.Member, typed)] == [member.id], typed
    for typed in ("19880229", "0013"):
        assert lookup.search_titles(m.Member, typed) == [], typed


def test_the_sign_in_member_search_and_the_recycle_bin_follow_it_too(member: m.Member) -> None:
    candidates = relations.member_candidates
    assert [r[0] for r in candidates(ID_X[-4:])] == [member.id]
    assert [r[0] for r in candidates(ID_X)] == [member.id]
    assert candidates("19880229") == []
    records.soft_delete("members", member.id)
    assert recycle.count_deleted("members", ID_X[:4]) == 1
    assert recycle.count_deleted("members", "13800138000") == 1
    assert recycle.count_deleted("members", "19880229") == 0
    assert recycle.count_deleted("members", "0013") == 0


def test_wildcards_in_a_number_search_are_literal(member: m.Member) -> None:
    assert found("%") == set() and found("_") == set()
    assert lookup.search_titles(m.Member, "%") == []
