"""PostgreSQL's index of one- and two-character search pieces (migrations 0010, 0015)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from partybuild.domain import collation
from partybuild.domain.validators import make_id_number
from partybuild.services import records
from partybuild.services.query import text_match
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database

TEXTS = [
    None,
    "",
    " ",
    "王",
    "王五",
    "  王  五 ",
    "欧阳娜娜 ouyangnana oynn",
    "a b",
    "ab  cd",
    "zhang san",
    "李 li l",
    "'\"\\{},",  # quoting of arrays
    "Ⅻ①é",
]


def pieces(text: str | None) -> set[str]:
    """The pieces a search word of one or two characters is looked up by: every character and
    every pair of neighbours, none holding a blank."""
    text = text or ""
    found = {text[i : i + n] for n in (1, 2) for i in range(len(text) - n + 1)}
    return {p for p in found if " " not in p}


@pytest.fixture
def pg(pg_url: str):  # noqa: ANN201 - pw.Database
    database = open_database(pg_url)
    yield database
    close_database()


def test_the_pieces_are_those_of_0010_for_every_text(pg) -> None:  # noqa: ANN001
    names = ["张三", "欧阳修", "单田芳", "曾国藩", "王 小明", "A.B."]
    texts = TEXTS + [collation.search_text(n) for n in names]
    before = importlib.import_module("partybuild.store.migrations.0010_member_page")
    for text in texts:
        (now,) = pg.execute_sql("SELECT partybuild_grams(%s)", (text,)).fetchone()
        assert set(now) == pieces(text), text
    pg.execute_sql(before.GRAMS.replace("partybuild_grams", "grams_0010"))
    for text in texts:
        now, old = pg.execute_sql(
            "SELECT partybuild_grams(%s), grams_0010(%s)", (text, text)
        ).fetchone()
        assert set(now) == set(old), text


def test_a_short_word_finds_the_members_whose_text_holds_it(pg) -> None:  # noqa: ANN001
    names = ["王五", "王小五", "李王", "张三", "欧阳娜娜", "赵 王"]
    for n, name in enumerate(names, start=1):
        number = make_id_number("999999", dt.date(1980, 1, n), n)
        records.create("members", {"name": name, "id_number": number})
    for word in ("王", "五", "王五", "zs", "oy", "ny", "赵王"):
        found = {x.name for x in m.Member.select().where(text_match(m.Member, word))}
        expected = {n for n in names if word in collation.search_text(n)}
        assert found == expected, word
