"""How a stored value reads for a person: labels for codes, 是/否, ISO dates, masked numbers.

A date of record given to the month or the year reads as rosters write it — 1998.11, 2005 —
never padded to a day (:func:`partybuild.domain.dates.shown`); a full date reads 2023-04-18.

Shared by the tables, the audit trail and anything else that shows values without Qt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from partybuild.domain import dates, dues
from partybuild.domain.validators import mask_id_number, mask_phone
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Column

_screen_unlinkable = False


def set_screen_unlinkable(on: bool) -> None:
    """Screens show what a masked file shows (the viewer role): birth dates as the year too."""
    global _screen_unlinkable
    _screen_unlinkable = on


def screen_unlinkable() -> bool:
    return _screen_unlinkable


def masked_value(column: Column, value: Any) -> Any:
    """The one masking rule of files, prints and the viewer's screen; ``value`` unchanged for a
    column that does not identify anyone.

    Masked means unlinkable: an ID number keeps its first 4 and last 4 characters (the province
    and prefecture, the last sequence digits and the check character), a phone its first 3 and
    last 4, and a date that is part of the ID number (出生日期) only its year — with the full date
    beside it the masked ID number had about 9 possible values; with the year, thousands.
    """
    if value is None or value == "":
        return value
    kind = column.kind
    if kind == spec.ID_NUMBER:
        return mask_id_number(str(value))
    if kind == spec.PHONE:
        return mask_phone(str(value))
    if getattr(column, "masked_as", None) == spec.MASK_HIDDEN:
        return "***"  # an income (党费 缴费基数)
    if getattr(column, "masked_as", None) == spec.MASK_YEAR:
        if isinstance(value, dt.date):
            return dates.PartialDate(value.year)
        text = str(value).strip()  # as the audit trail keeps it: 1990-03-07, 1998.11
        return text[:4] if text[:4].isdigit() else "****"
    return value


def display_value(column: Column, value: Any, *, masked: bool = True, short: bool = True) -> str:
    """``masked`` hides the middle of ID and phone numbers (and, on the viewer's screen, all the
    masked file hides: :func:`masked_value`); ``short`` cuts long text to a line."""
    if value is None:
        return ""
    if masked and _screen_unlinkable and column.masked_as is not None:
        value = masked_value(column, value)
    kind = column.kind
    if kind == spec.CHOICE and column.vocabulary is not None:
        return column.vocabulary.label(value)
    if kind == spec.BOOL:
        return "是" if value else "否"
    if kind == spec.DATETIME and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind in spec.DATE_KINDS and isinstance(value, dt.date):
        return dates.shown(value)
    if kind in (spec.ID_NUMBER, spec.PHONE) and masked:
        return str(masked_value(column, value))
    if kind == spec.MONEY and isinstance(value, Decimal):
        return dues.money_text(value)
    if kind == spec.RATE and isinstance(value, Decimal):
        return dues.percent_text(value)
    if kind == spec.FLOAT and isinstance(value, float):
        return f"{value:g}"
    if kind == spec.LONGTEXT and short:
        first = str(value).splitlines()[0] if str(value) else ""
        return first if len(first) <= 60 else first[:59] + "…"
    return str(value)
