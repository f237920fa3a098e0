"""PartialDate: a date of record kept to the day, month or year it was given."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import pytest

from partybuild.domain import dates
from partybuild.domain.dates import PartialDate


def test_a_month_is_shown_as_written_and_spans_its_days() -> None:
    month = PartialDate(1998, 11)
    assert month.precision == dates.MONTH
    assert month.shown() == "1998.11" and str(month) == "1998-11" and f"{month}" == "1998-11"
    assert (month.earliest(), month.latest()) == (dt.date(1998, 11, 1), dt.date(1998, 11, 30))
    assert PartialDate(2024, 2).latest() == dt.date(2024, 2, 29)
    year = PartialDate(2005)
    assert year.precision == dates.YEAR and year.shown() == "2005" and str(year) == "2005"
    assert (year.earliest(), year.latest()) == (dt.date(2005, 1, 1), dt.date(2005, 12, 31))
    assert repr(month) == "PartialDate(1998, 11)" and repr(year) == "PartialDate(2005)"
    assert month.contains(dt.date(1998, 11, 17)) and not month.contains(dt.date(1998, 12, 1))
    # As a date it is the first day of its period: what the DATE column holds, what SQL sorts.
    assert isinstance(month, dt.date) and (month.year, month.month, month.day) == (1998, 11, 1)


def test_a_month_is_not_its_first_day_but_sorts_with_it() -> None:
    first = dt.date(1998, 11, 1)
    month = PartialDate(1998, 11)
    assert month != first and first != month
    assert month == PartialDate(1998, 11) and hash(month) == hash(PartialDate(1998, 11))
    assert PartialDate(1998, 11, 5) == dt.date(1998, 11, 5)
    assert hash(PartialDate(1998, 11, 5)) == hash(dt.date(1998, 11, 5))
    assert sorted(
        [first, PartialDate(1998, 12), month, PartialDate(1998), dt.date(1998, 1, 1)]
    ) == [
        PartialDate(1998),
        dt.date(1998, 1, 1),
        month,
        first,
        PartialDate(1998, 12),
    ]
    assert month < dt.date(1998, 11, 2) and dt.date(1998, 10, 31) < month
    assert {month: "入党"}[PartialDate(1998, 11)] == "入党"


def test_copies_keep_the_precision_and_arithmetic_says_its_day() -> None:
    month = PartialDate(1998, 11)
    assert pickle.loads(pickle.dumps(month)) == month
    assert copy.deepcopy(PartialDate(2005)).precision == dates.YEAR
    later = month + dt.timedelta(days=3)
    assert type(later) is dt.date and later == dt.date(1998, 11, 4)  # from the first day
    assert month - dt.date(1998, 10, 1) == dt.timedelta(days=31)


def test_stored_value_and_precision_make_the_value_again() -> None:
    first = dt.date(1998, 11, 1)
    assert PartialDate.of(first, "month") == PartialDate(1998, 11)
    assert PartialDate.of(first, "year") == PartialDate(1998)
    assert type(PartialDate.of(first, None)) is dt.date
    assert dates.precision_of(PartialDate(1998, 11)) == "month"
    assert dates.precision_of(dt.date(1998, 11, 1)) is None
    assert dates.precision_of(PartialDate(1998, 11, 1)) is None


def test_whole_years_are_the_certain_ones() -> None:
    """转正 “1999.11”: on 2023-11-15 党龄 is 24 if it was 1999-11-01, 23 if 1999-11-30 — 23."""
    assert dates.whole_years_since(PartialDate(1999, 11), dt.date(2023, 11, 15)) == 23
    assert dates.whole_years_since(PartialDate(1999, 11), dt.date(2023, 12, 1)) == 24
    assert dates.whole_years_since(PartialDate(1999), dt.date(2023, 12, 30)) == 23
    assert dates.whole_years_since(PartialDate(1999), dt.date(2023, 12, 31)) == 24
    assert dates.whole_years_since(dt.date(1999, 11, 1), dt.date(2023, 11, 15)) == 24


def test_rules_refuse_only_what_is_certain() -> None:
    assert not dates.certainly_before(PartialDate(1999, 11), dt.date(1999, 11, 15))
    assert dates.certainly_before(PartialDate(1999, 10), dt.date(1999, 11, 1))
    assert dates.certainly_not_after(PartialDate(1999), dt.date(2000, 1, 1))
    assert not dates.certainly_not_after(PartialDate(1999), dt.date(1999, 12, 30))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1998.11", PartialDate(1998, 11)),
        ("1998-11", PartialDate(1998, 11)),
        ("1998/11", PartialDate(1998, 11)),
        ("1998年11月", PartialDate(1998, 11)),
        ("1985.1", PartialDate(1985, 1)),  # text is what was written: January
        ("2005", PartialDate(2005)),
        ("2005年", PartialDate(2005)),
        ("1998-11-05", dt.date(1998, 11, 5)),
        ("1998年11月5日", dt.date(1998, 11, 5)),
        ("19981105", dt.date(1998, 11, 5)),
    ],
)
def test_typed_text_is_read_to_its_precision(text: str, expected: dt.date) -> None:
    value = dates.parse(text, partial=True)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1998.11", "“1998.11”只精确到月，无法确定具体日期，请填写完整日期（如 2019-07-01）"),
        ("2005", "“2005”只有年份，请填写完整日期（如 2005-07-01）"),
        ("1998.13", "“1998.13”不是有效的日期"),
        ("1998-02-30", "“1998-02-30”不是有效的日期"),
        ("去年", "无法识别的日期“去年”（请写成 2023-04-18）"),
    ],
)
def test_an_event_date_needs_its_day(text: str, message: str) -> None:
    with pytest.raises(dates.DateTextError) as err:
        dates.parse(text, partial=False)
    assert str(err.value) == message
