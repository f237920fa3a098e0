"""How a stored value reads for a person: labels for codes, 是/否, ISO dates, masked numbers.

A date of record given to the month or the year reads as rosters write it — 1998.11, 2005 —
never padded to a day (:func:`partybuild.domain.dates.shown`); a full date reads 2023-04-18.

Shared by the tables, the audit trail and anything else that shows values without Qt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from partybuild.domain import dates
from partybuild.domain.validators import mask_id_number, mask_phone
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Column


def display_value(column: Column, value: Any, *, masked: bool = True, short: bool = True) -> str:
    """``masked`` hides the middle of ID and phone numbers; ``short`` cuts long text to a line."""
    if value is None:
        return ""
    kind = column.kind
    if kind == spec.CHOICE and column.vocabulary is not None:
        return column.vocabulary.label(value)
    if kind == spec.BOOL:
        return "是" if value else "否"
    if kind == spec.DATETIME and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind in spec.DATE_KINDS and isinstance(value, dt.date):
        return dates.shown(value)
    if kind == spec.ID_NUMBER and masked:
        return mask_id_number(str(value))
    if kind == spec.PHONE and masked:
        return mask_phone(str(value))
    if kind == spec.FLOAT and isinstance(value, float):
        return f"{value:g}"
    if kind == spec.LONGTEXT and short:
        first = str(value).splitlines()[0] if str(value) else ""
        return first if len(first) <= 60 else first[:59] + "…"
    return str(value)
