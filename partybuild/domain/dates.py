"""Dates of record kept to the precision they were given: a day, a month or a year.

Rosters write 入党时间 “1998.11”, 转正时间 “1999年11月” and 成立时间 “2005”. Padding them to a
made-up day would store something the file never said; refusing them makes people retype whole
rosters. A :class:`PartialDate` keeps exactly what was given.

It *is* a :class:`datetime.date` — the first day of its period — so the database column stays a
DATE (SQL sorting, year filters and indexes keep working, on SQLite and PostgreSQL) and code that
only orders or files dates by year needs nothing new. What it adds is its ``precision``, the
text it is shown as (:meth:`PartialDate.shown`, “1998.11”), and the two ends of its period
(:meth:`earliest`, :meth:`latest`) for rules that must not assume a day they were not told.

Only a month or a year precision makes a PartialDate; a full date stays a plain ``date``
everywhere (``PartialDate(1998, 11, 5)`` equals ``date(1998, 11, 5)`` and hashes alike).

Honest arithmetic: a span counted from a partial date (党龄, age) is the number of whole years
that is *certain* — counted from the latest day the period allows — and a rule such as “转正 at
least a year after 入党” refuses only what is certainly wrong.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

DAY, MONTH, YEAR = "day", "month", "year"
PRECISIONS = (DAY, MONTH, YEAR)
_RANK = {YEAR: 0, MONTH: 1, DAY: 2}  # a coarser date sorts before a finer one of the same start


class PartialDate(dt.date):
    """A date known to the day, the month or the year; the first day of its period as a date.

    ``PartialDate(1998, 11)`` is November 1998, ``PartialDate(2005)`` the year 2005,
    ``PartialDate(1998, 11, 5)`` a full date (equal to ``date(1998, 11, 5)``).
    Ordering is by the first day, then coarser before finer — the order SQL gives on the stored
    first day — so sorting never claims to know more than it was told; rules that must be sure
    compare :meth:`earliest` and :meth:`latest` instead.
    """

    __slots__ = ("_precision",)

    def __new__(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate:
        if month is None and day is not None:
            raise ValueError("a day needs a month")
        self = super().__new__(cls, year, month or 1, day or 1)
        self._precision = DAY if day is not None else MONTH if month is not None else YEAR
        return self

    @property
    def precision(self) -> str:
        """ "day", "month" or "year" (a date made by ``date``'s own methods is to the day)."""
        return getattr(self, "_precision", DAY)

    # Arithmetic needs a day: it is done on the first day, explicitly, and gives a plain date.
    def __add__(self, other: Any) -> Any:
        return self.earliest() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, PartialDate):
            other = other.earliest()
        return self.earliest() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self.earliest()

    def replace(self, *args: Any, **kwargs: Any) -> dt.date:  # type: ignore[override]
        return self.earliest().replace(*args, **kwargs)

    @classmethod
    def of(cls, value: dt.date, precision: str | None) -> dt.date:
        """The value a stored first day and precision code stand for (None or "day": the date)."""
        if isinstance(value, dt.datetime):
            value = value.date()
        if precision is None or precision == DAY:
            return dt.date(value.year, value.month, value.day)
        if precision == MONTH:
            return cls(value.year, value.month)
        if precision == YEAR:
            return cls(value.year)
        raise ValueError(f"unknown date precision {precision!r}")

    # -- what it says -------------------------------------------------------------------
    def shown(self) -> str:
        """As rosters write it: 1998.11, 2005 (a full date: 1998-11-05)."""
        if self.precision == YEAR:
            return f"{self.year:04d}"
        if self.precision == MONTH:
            return f"{self.year:04d}.{self.month:02d}"
        return dt.date.isoformat(self)

    def isoformat(self) -> str:
        """ISO 8601 of reduced precision: 1998-11, 2005."""
        if self.precision == YEAR:
            return f"{self.year:04d}"
        if self.precision == MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        return dt.date.isoformat(self)

    __str__ = isoformat

    def __repr__(self) -> str:
        parts = [self.year] + ([self.month] if self.precision != YEAR else [])
        parts += [self.day] if self.precision == DAY else []
        return f"PartialDate({', '.join(map(str, parts))})"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else dt.date.__format__(self, spec)

    def __reduce__(self) -> tuple[Any, ...]:
        args: tuple[int, ...] = (self.year,)
        if self.precision != YEAR:
            args += (self.month,)
        if self.precision == DAY:
            args += (self.day,)
        return (PartialDate, args)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:  # date defines its own
        return self.__reduce__()

    # -- its period ---------------------------------------------------------------------
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)

    def latest(self) -> dt.date:
        if self.precision == YEAR:
            return dt.date(self.year, 12, 31)
        if self.precision == MONTH:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return self.earliest()

    def contains(self, day: dt.date) -> bool:
        """Whether a full date falls in this period (a birth month against an ID number)."""
        return self.earliest() <= day <= self.latest()

    # -- comparisons ----------------------------------------------------------------------
    def _key(self) -> tuple[int, int]:
        return (self.toordinal(), _RANK[self.precision])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, dt.date) or isinstance(other, dt.datetime):
            return NotImplemented
        return self._key() == _key(other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, dt.date) or isinstance(other, dt.datetime):
            return NotImplemented
        return self._key() < _key(other)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, dt.date) or isinstance(other, dt.datetime):
            return NotImplemented
        return self._key() <= _key(other)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, dt.date) or isinstance(other, dt.datetime):
            return NotImplemented
        return self._key() > _key(other)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, dt.date) or isinstance(other, dt.datetime):
            return NotImplemented
        return self._key() >= _key(other)

    def __hash__(self) -> int:
        if self.precision == DAY:
            return dt.date.__hash__(self)
        return hash(self._key())


def _key(value: dt.date) -> tuple[int, int]:
    return value._key() if isinstance(value, PartialDate) else (value.toordinal(), _RANK[DAY])


# --------------------------------------------------------------------------- helpers


def precision_of(value: dt.date | None) -> str | None:
    """The precision code stored beside a date: None for a full date (and for no date)."""
    if isinstance(value, PartialDate) and value.precision != DAY:
        return value.precision
    return None


def is_partial(value: Any) -> bool:
    return isinstance(value, PartialDate) and value.precision != DAY


def shown(value: dt.date) -> str:
    """How a date of record reads for a person: 2023-04-18, 1998.11 or 2005."""
    if isinstance(value, PartialDate):
        return value.shown()
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def earliest(value: dt.date) -> dt.date:
    return value.earliest() if isinstance(value, PartialDate) else value


def latest(value: dt.date) -> dt.date:
    return value.latest() if isinstance(value, PartialDate) else value


def whole_years_since(start: dt.date, on: dt.date) -> int:
    """Whole years from ``start`` to ``on`` that are certain: counted from the latest day the
    start's period allows (转正 “1999.11”: on 2023-11-15 it may be 24 years or 23 — 23 is sure)."""
    begin = latest(start)
    return on.year - begin.year - ((on.month, on.day) < (begin.month, begin.day))


def add_years(value: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February → 28 February)."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def certainly_before(first: dt.date, second: dt.date) -> bool:
    """``first`` is before ``second`` whatever days the two periods stand for."""
    return latest(first) < earliest(second)


def certainly_not_after(first: dt.date, second: dt.date) -> bool:
    """``first`` is on or before ``second`` whatever days the periods stand for."""
    return latest(first) <= earliest(second)


# --------------------------------------------------------------------------- typed text

FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
EIGHT_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
YEAR_ONLY = re.compile(r"(\d{4})\s*年?")


class DateTextError(ValueError):
    """Text that is not a date, or not one of the precision a field takes (the message says)."""

    def __init__(self, message: str, year: int | None = None, month: int | None = None) -> None:
        super().__init__(message)
        self.year = year
        self.month = month


class MonthOnlyText(DateTextError):
    """A month where a day is needed: “2019.07” in a meeting's date."""


def month_only_message(shown: str) -> str:
    return f"“{shown}”只精确到月，无法确定具体日期，请填写完整日期（如 2019-07-01）"


def year_only_message(shown: str, year: int) -> str:
    return f"“{shown}”只有年份，请填写完整日期（如 {year}-07-01）"


def parse_text(text: str, *, partial: bool) -> tuple[dt.date, str]:
    """A date written as text and what follows it (a time, or nothing).

    ``partial``: a month (1998.11, 1998-11, 1998年11月) or a bare year (1998, 1998年) is a
    :class:`PartialDate`; otherwise it is refused with the reason. Text is what the person
    wrote, so “1985.1” is January 1985 (a *number* 1985.1 is another matter, see the reader).
    """
    compact = text.strip()
    match = FULL.match(compact)
    if match:
        return _day(int(match[1]), int(match[2]), int(match[3]), text), compact[
            match.end() :
        ].strip()
    match = EIGHT_DIGITS.fullmatch(compact)
    if match:
        return _day(int(match[1]), int(match[2]), int(match[3]), text), ""
    match = YEAR_MONTH.fullmatch(compact)
    if match:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise DateTextError(f"“{text}”不是有效的日期")
        if not partial:
            raise MonthOnlyText(month_only_message(text), year, month)
        return PartialDate(year, month), ""
    match = YEAR_ONLY.fullmatch(compact)
    if match:
        if not partial:
            raise DateTextError(year_only_message(text, int(match[1])), int(match[1]))
        return PartialDate(int(match[1])), ""
    example = "2023-04-18，或只填到月 1998.11" if partial else "2023-04-18"
    raise DateTextError(f"无法识别的日期“{text}”（请写成 {example}）")


def parse(text: str, *, partial: bool) -> dt.date:
    """A whole text as one date (nothing may follow it)."""
    value, rest = parse_text(text, partial=partial)
    if rest:
        example = "2023-04-18，或只填到月 1998.11" if partial else "2023-04-18"
        raise DateTextError(f"无法识别的日期“{text}”（请写成 {example}）")
    return value


def _day(year: int, month: int, day: int, shown_text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateTextError(f"“{shown_text}”不是有效的日期") from None
