"""A year of plausible 党费 for the demo ledger: every full and probationary member, every month.

Incomes are synthetic (by the member's job, rounded to 10 元; a raise from July for some — 第十条:
the new base applies from the month the new wage is paid), the due is the calculator's under the
default rules, and payment follows what branch secretaries see: most members pay in the month,
online, by transfer or by payroll deduction; a few pay late (补交); one member falls behind for
the rest of the year (the 自行脱党 warning of the check); retirees (60 and over) pay on their
pension; one member was laid off mid-year and pays 0.20 元. Written in the demo's transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from partybuild.domain import dues as rules_mod
from partybuild.domain.dates import PartialDate
from partybuild.store import models as m

#: Monthly after-tax wage ranges by job (元): the demo's jobs, as a park's payroll would have them.
WAGES: dict[str, tuple[int, int]] = {
    "操作工": (3600, 5600),
    "班组长": (4800, 6800),
    "车间主任": (6500, 9500),
    "技术员": (4500, 6500),
    "工程师": (7000, 11000),
    "研发工程师": (8500, 14000),
    "生产部经理": (9000, 13000),
    "销售经理": (8000, 15000),
    "副总经理": (12000, 20000),
    "生产副总": (12000, 18000),
}
DEFAULT_WAGE = (3200, 6000)
METHODS = (("online", 55), ("payroll", 25), ("transfer", 12), ("cash", 8))


def _wage(rng: random.Random, job: str | None) -> Decimal:
    low, high = WAGES.get(job or "", DEFAULT_WAGE)
    return Decimal(rng.randrange(low, high, 10))


def _note(due: Decimal, paid: Decimal | None) -> str | None:
    if paid is None or paid <= due:
        return None
    return "一次性交纳大额党费" if paid >= rules_mod.LARGE_PAYMENT else "自愿多交"


def build_demo_dues(members: list[dict[str, Any]], year: int, seed: int) -> int:
    """Insert the year's dues of ``members`` (the demo's member rows); returns the row count."""
    rng = random.Random(seed * 31 + 14)
    rules = rules_mod.default_rules()
    rows: list[dict[str, Any]] = []
    paying = [p for p in members if p["category"] in ("full", "probationary")]
    behind = rng.choice([p for p in paying if p["category"] == "full"])
    laid_off = rng.choice([p for p in paying if p["category"] == "full" and p is not behind])
    generous = rng.choice([p for p in paying if p["category"] == "full" and p is not behind])
    stamp = dt.datetime(year, 12, 28, 16, 0)
    for person in paying:
        first = 1
        joined = person.get("joined_on")
        if person["category"] == "probationary" and joined is not None:
            first = joined.month + (1 if joined.day > 1 else 0)  # from the month after acceptance
            if first > 12:
                continue
        born = person.get("birth_date")
        retired = born is not None and year - born.year >= 60
        base = _wage(rng, person.get("job_title"))
        if retired:
            base = Decimal(rng.randrange(3800, 6400, 10))
        raise_from = rng.choice([7, 8, 9]) if rng.random() < 0.2 and not retired else 13
        late_months = {rng.randint(first, 12)} if rng.random() < 0.08 else set()
        method = rng.choices([c for c, _ in METHODS], weights=[w for _, w in METHODS])[0]
        for month in range(first, 13):
            kind = "retired" if retired else "working"
            if person is laid_off and month >= 9:
                kind = "unemployed"
            if month == raise_from:
                base = (base * Decimal("1.08") / 10).quantize(Decimal("1")) * 10
            amount = base if kind != "unemployed" else None
            calc = rules_mod.calculate(kind, amount, rules)
            paid = paid_on = None
            if not (person is behind and month >= 5):
                paid = calc.due
                day = rng.randint(3, 20)
                paid_on = dt.date(year, month, day)
                if month in late_months and month < 11:
                    paid_on = dt.date(year, month + 2, day)
                if rng.random() < 0.003:
                    paid = calc.due + Decimal(rng.choice([50, 100]))  # 自愿多交
                if person is generous and month == 7:
                    paid = calc.due + Decimal(1000)  # 大额党费 (第十一条)
            rows.append(
                {
                    "created_at": stamp,
                    "updated_at": stamp,
                    "version": 1,
                    "deleted": False,
                    "member": person["id"],
                    "month": PartialDate(year, month),
                    "kind": kind,
                    "base": amount,
                    "rate": calc.rate,
                    "due": calc.due,
                    "paid": paid,
                    "paid_on": paid_on,
                    "method": method if paid is not None else None,
                    "note": _note(calc.due, paid),
                }
            )
    for start in range(0, len(rows), 50):
        m.Dues.insert_many(rows[start : start + 50]).execute()
    return len(rows)
