"""What is computed from a date known only to the month or year claims only what is certain."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from partybuild.domain.compliance import default_rules
from partybuild.domain.dates import shown
from partybuild.domain.validators import make_id_number
from partybuild.services import compliance, records, report, stats
from partybuild.services.errors import ValidationError
from partybuild.store import models as m

ID = make_id_number("999999", dt.date(1985, 6, 15), 123)


def test_a_branch_founded_in_2023_counts_where_that_is_certain(db: pw.Database) -> None:
    records.create("branches", {"name": "甲支部", "kind": "joint", "founded_on": "2023"})
    records.create("branches", {"name": "乙支部", "kind": "joint", "founded_on": "2023.06"})
    records.create("branches", {"name": "丙支部", "kind": "joint", "founded_on": "2023-06-10"})
    year = stats.compute(stats.Period.year(2023))
    assert year["branches"]["joint"] == 3
    june = stats.compute(stats.Period(dt.date(2023, 1, 1), dt.date(2023, 6, 30)))
    assert june["branches"]["joint"] == 2  # 乙 (by the end of June) and 丙; 甲 may be later
    may = stats.compute(stats.Period(dt.date(2023, 1, 1), dt.date(2023, 6, 9)))
    assert may["branches"]["joint"] == 0
    # The records behind the figure are the ones counted.
    period = stats.Period(dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    names = {m.Branch.get_by_id(i).name for i in report.branch_ids(period, "joint")}
    assert names == {"乙支部", "丙支部"}


def test_reminders_never_claim_a_meeting_due_before_a_founding_that_may_be_later(
    db: pw.Database,
) -> None:
    records.create("branches", {"name": "甲支部", "kind": "joint", "founded_on": "2023.08"})
    records.create("branches", {"name": "乙支部", "kind": "joint", "founded_on": "2023"})
    result = compliance.check_year(2023, dt.date(2024, 1, 10), default_rules())
    owed = {(d.branch, d.kind, d.slot.key) for d in result.dues}
    # 甲 may have been founded on 31 August: August is owed, July is not.
    assert ("甲支部", "theme_day", "2023-08") in owed
    assert ("甲支部", "theme_day", "2023-07") not in owed
    assert ("甲支部", "general_meeting", "2023-Q3") in owed
    # 乙 “2023” may be 31 December: only what ends with the year is certainly owed.
    assert ("乙支部", "theme_day", "2023-12") in owed
    assert ("乙支部", "theme_day", "2023-11") not in owed
    assert ("乙支部", "general_meeting", "2023-Q3") not in owed


@pytest.mark.parametrize(
    ("joined", "confirmed", "message"),
    [
        ("1998.11", "1999.10", "转正日期距入党日期（1998.11）不足一年，预备期为一年"),
        ("1998.11", "1998.11", "转正日期距入党日期（1998.11）不足一年，预备期为一年"),
        ("1998.11", "1998-10-30", "转正日期必须晚于入党日期"),
    ],
)
def test_member_date_rules_refuse_what_is_certainly_wrong(
    db: pw.Database, joined: str, confirmed: str, message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        records.create(
            "members",
            {"name": "张示安", "id_number": ID, "joined_on": joined, "confirmed_on": confirmed},
        )
    assert err.value.errors["confirmed_on"] == message


@pytest.mark.parametrize(
    ("joined", "confirmed"),
    [("1998.11", "1999.11"), ("1998", "1999"), ("1998", "1999.01"), ("1998-11-20", "1999.11")],
)
def test_member_dates_that_may_be_right_are_kept_as_given(
    db: pw.Database, joined: str, confirmed: str
) -> None:
    member = records.create(
        "members",
        {"name": "张示安", "id_number": ID, "joined_on": joined, "confirmed_on": confirmed},
    )
    stored = m.Member.get_by_id(member.id)
    assert (shown(stored.joined_on), shown(stored.confirmed_on)) == (joined, confirmed)


def test_party_years_and_age_from_partial_dates_are_the_certain_ones(db: pw.Database) -> None:
    member = records.create(
        "members",
        {"name": "张示安", "id_number": ID, "joined_on": "1998.11", "confirmed_on": "1999.11"},
    )
    stored = m.Member.get_by_id(member.id)
    assert stored.party_years(dt.date(2023, 11, 29)) == 23  # 1999-11-30 is not 24 years ago
    assert stored.party_years(dt.date(2023, 11, 30)) == 24
    assert stored.age(dt.date(2023, 6, 15)) == 38  # the birth date came from the ID number


def test_the_printed_roster_shows_dates_as_the_roster_wrote_them(db: pw.Database) -> None:
    from partybuild.printing import data

    branch = records.create("branches", {"name": "甲支部", "kind": "joint"})
    records.create(
        "members",
        {
            "name": "张示安",
            "id_number": ID,
            "branch": branch.id,
            "joined_on": "1998.11",
            "confirmed_on": "1999年11月",
        },
    )
    for unmasked, born in ((True, "1985-06-15"), (False, "1985")):  # masked: the year only
        doc = data.branch_roster(branch.id, unmasked=unmasked, today=dt.date(2024, 1, 5))
        labels = [c.label for c in doc.tables[0].columns]
        row = dict(zip(labels[1:], doc.tables[0].rows[0], strict=True))  # 序号 is numbered
        assert (row["出生日期"], row["入党日期"], row["转正日期"]) == (born, "1998.11", "1999.11")
