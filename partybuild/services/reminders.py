"""概览's reminder list: every group it shows, computed without Qt.

:func:`overview_reminders` does all the database work of the list (三会一课, quorum, branch setup,
overdue problems, 发展党员, 换届, 党费) in a few grouped queries; ``ui.overview`` only applies the
result to its widgets. No Qt here, and nothing but the database connection of the calling thread:
a worker thread with its own connection may compute it while the window is shown.

An item's text may be left to be made when it is shown (``Item.text`` is a string or a function
giving one): 200,000 members can mean tens of thousands of reminders, of which a list shows a few
dozen at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from partybuild.services import compliance, dues, recruitment


class Item(NamedTuple):
    """One reminder: its text (or the function that makes it), the page and records it opens,
    and whether it is late (red) or only due soon (amber). A tuple: made by the ten thousand."""

    text: str | Callable[[], str]
    page: str
    ids: tuple[int, ...] | list[int]
    warn: bool = True

    def shown(self) -> str:
        return self.text if isinstance(self.text, str) else self.text()


class LazyItems(Sequence[Item]):
    """``make(source[i])`` for each i, made when asked for: a list shows a screenful of tens of
    thousands of reminders, so only those become items (and texts)."""

    def __init__(self, source: Sequence[Any], make: Callable[[Any], Item]) -> None:
        self.source, self.make = source, make

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> Item:  # type: ignore[override]
        if isinstance(index, slice):
            raise TypeError("LazyItems: one item at a time")
        return self.make(self.source[index])


@dataclass
class OverviewReminders:
    """Everything the reminder list shows for a year."""

    year: int
    report: compliance.ComplianceReport | None  # None: the stored 三会一课 rules are unreadable
    error: str | None = None  # why ``report`` is None
    # (key, items) in the order shown; keys: missed, pending (the current year only), quorum,
    # setup, overdue_issues, recruitment, renewal, dues — the page gives each its header.
    groups: list[tuple[str, Sequence[Item]]] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [item.shown() for _key, items in self.groups for item in items]


def _person_item(r: recruitment.Reminder) -> Item:
    return Item(r.message, "recruitment", (r.member_id or 0,), r.overdue)


def recruitment_items(as_of: dt.date) -> list[tuple[str, Sequence[Item]]]:
    """发展党员 and 换届 (services.recruitment), or one item saying the rules are unreadable."""
    try:
        people = recruitment.recruitment_reminders(as_of)
    except ValueError as exc:
        return [("recruitment", [Item(f"无法读取发展党员规则：{exc}", "recruitment", [], True)])]
    renewal = recruitment.renewal_reminders(as_of)
    return [
        (
            "recruitment",
            LazyItems(people, _person_item),
        ),
        (
            "renewal",
            [Item(r.message, "branches", (r.branch_id or 0,), r.overdue) for r in renewal],
        ),
    ]


def overview_reminders(year: int, today: dt.date | None = None) -> OverviewReminders:
    """The reminder list of 概览 for ``year`` (the current year: up to ``today``)."""
    try:
        report = compliance.check_year(year, today)
    except ValueError as exc:  # stored rules not understood: the page says so in place
        return OverviewReminders(year, None, str(exc))
    opened = compliance.activity_ids_by_due(report.reminders)

    def activities(due: compliance.Due) -> list[int]:
        return opened[(due.branch_id, due.kind, due.slot.start.year)]

    groups: list[tuple[str, Sequence[Item]]] = [
        ("missed", [Item(d.message, "activities", activities(d)) for d in report.missed]),
        (
            "quorum",
            [Item(q.message, "activities", (q.activity_id,)) for q in report.quorum_flags],
        ),
        (
            "setup",
            [
                Item(
                    w.message,
                    "enterprises" if w.enterprise_id is not None else "branches",
                    (w.enterprise_id if w.enterprise_id is not None else w.branch_id,),
                )
                for w in report.setup_warnings
            ],
        ),
        (
            "overdue_issues",
            [Item(i.message, "issues", (i.id,)) for i in report.overdue_issues],
        ),
        *recruitment_items(report.as_of),
        (  # 党费 (services.dues): arrears, back-payment past 6 months, 自行脱党 warning
            "dues",
            [Item(text, "dues", ids) for text, ids in dues.reminders(year, today)],
        ),
    ]
    pending = report.pending
    if pending:  # the current year: the running period, not yet missed
        groups.insert(
            1,
            ("pending", [Item(d.message, "activities", activities(d), False) for d in pending]),
        )
    return OverviewReminders(year, report, None, groups)
