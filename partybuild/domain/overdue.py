"""When a problem (企业诉求) is overdue: the one definition every page, figure and reminder uses.

A problem not closed (已解决/无法解决) is overdue on a day when its 办结时限 is before that day
(on the deadline itself it is “今日到期”, not late). The day looked at is today — or, for a
period that ended before today (the overview of 2023, ``stats --year 2023``), the period's last
day: a past year's figures say how things stood at its end, and the days overdue are counted to
that day too. So 办理进度 (today) and the overview of the current year agree to the day, and the
overview of a past year says “截至12月31日已超期 n 天”. Nothing here imports Qt or the store.
"""

from __future__ import annotations

import datetime as dt


def as_of(period_end: dt.date | None = None, today: dt.date | None = None) -> dt.date:
    """The day overdue is judged on: today, or the period's end if that came first."""
    today = today or dt.date.today()
    return today if period_end is None else min(period_end, today)


def days_overdue(deadline: dt.date | None, closed: bool, on: dt.date) -> int | None:
    """Whole days past 办结时限 on ``on`` (≥ 1), or None when not overdue."""
    if closed or deadline is None or deadline >= on:
        return None
    return (on - deadline).days
