"""Members by year: who joined the party (入党) in a period — the overview's 党员 card and
``stats``' ``members.joined``.

A 入党日期 kept to the month or year counts for a period only when it certainly falls inside it
(“2023.11” for 2023, not for January to June of 2023): stored as the first day of its month or year,
it is on or after the period's start and certainly by its end (models.certainly_by). Members
since transferred out or deceased still joined in that year; records in the recycle bin do not count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee as pw

from partybuild.store import models as m

if TYPE_CHECKING:
    from partybuild.services.stats import Period

#: Categories whose 入党日期 is a date of joining (full and probationary members).
PARTY = ("full", "probationary")


def joined_query(period: Period, branch: m.Branch | None = None) -> pw.ModelSelect:
    M = m.Member
    query = M.select().where(
        m.live(M),
        M.category.in_(PARTY),
        M.joined_on.is_null(False),
        M.joined_on >= period.start,
        m.certainly_by(M.joined_on, period.end),
    )
    if branch is not None:
        query = query.where(M.branch == branch.id)
    return query


def joined_in(period: Period, branch: m.Branch | None = None) -> int:
    """How many joined the party in the period."""
    return int(joined_query(period, branch).count())
