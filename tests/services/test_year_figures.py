"""A past year answers from that year: who joined then, and which problems were still open at its end."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from partybuild.domain.dates import PartialDate
from partybuild.domain.validators import make_id_number
from partybuild.services import compliance, records, report, stats


def member(name: str, joined: object, i: int, **extra: object) -> None:
    records.create(
        "members",
        {
            "name": name,
            "id_number": make_id_number("999999", dt.date(1985, 1, 1 + i), i),
            "category": "full",
            "status": "normal",
            "joined_on": joined,
            **extra,
        },
    )


def test_members_joined_counts_the_year_of_joining(db: pw.Database) -> None:
    member("王芳", dt.date(2015, 3, 1), 0)
    member("田亮", dt.date(2015, 12, 31), 1)
    member("丁一", dt.date(2016, 1, 1), 2)
    member("万里", PartialDate.of(dt.date(2015, 11, 1), "month"), 3)  # 2015.11
    member("毛明", PartialDate.of(dt.date(2015, 1, 1), "year"), 4)  # 2015, no month
    member("方正", dt.date(2015, 6, 1), 5, status="transferred")  # left since: still joined then
    member("艾青", None, 6, category="candidate")  # on the way: no 入党日期, not counted
    assert stats.year_stats(2015)["members"]["joined"] == 5
    assert stats.year_stats(2016)["members"]["joined"] == 1
    assert stats.year_stats(2014)["members"]["joined"] == 0
    # A 入党 known only as “2015” is not certainly in the first half of 2015.
    half = stats.compute(stats.Period(dt.date(2015, 1, 1), dt.date(2015, 6, 30)))
    assert half["members"]["joined"] == 2  # 王芳 and 方正; not 毛明 (2015) nor 万里 (2015.11)


def test_a_past_years_pending_problems_are_those_open_at_its_end(db: pw.Database) -> None:
    firm = records.create("enterprises", {"name": "恒远化工有限公司"})

    def issue(text: str, **fields: object) -> int:
        return records.create(
            "issues",
            {
                "enterprise": firm,
                "received_on": dt.date(2023, 3, 1),
                "category": "staffing",
                "description": text,
                "deadline": dt.date(2023, 6, 30),
                **fields,
            },
        ).id

    still_open = issue("至今未办结")
    solved_later = issue(
        "2024年才解决", state="resolved", resolved_on=dt.date(2024, 2, 1), measures="已协调"
    )
    solved_in_time = issue("当年解决", state="resolved", resolved_on=dt.date(2023, 5, 1))
    figures = stats.year_stats(2023)["issues"]
    # At the end of 2023 two were open and both past their deadline, whatever they are today.
    assert (figures["pending"], figures["overdue"]) == (2, 2)
    assert set(report.pending_issue_ids(stats.Period.year(2023))) == {still_open, solved_later}
    late = {i.id for i in compliance.overdue_issues(dt.date(2023, 12, 31))}
    assert late == {still_open, solved_later}
    assert solved_in_time not in late
    # This year only the one still open is pending.
    this_year = stats.year_stats(dt.date.today().year)["issues"]
    assert (this_year["pending"], this_year["overdue"]) == (1, 1)
