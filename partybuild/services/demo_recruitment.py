"""The demo ledger's 发展党员 and 换届: a plausible 2023 pipeline on the demo's own people.

The demo already has applicants, activists and candidates in every standalone branch, members
admitted as probationary in 2023 and members whose probation ended in 2023. This gives each of
them the stages that lead there, dated by the rules of the 细则 (application at 18 or later, a
year of 积极分子, a 3–4 day 集中培训, a 5-working-day 公示, two full members as 介绍人, a quorate
vote), so the 2023 ledger passes every hard rule. On purpose, two things are left undone: one
probationary member admitted in spring has no 上级审批 (overdue in 2023), and one standalone
branch did not hold its 换届 when its term ran out.

Draws from its own random generator, after the rest of the demo is built, so adding it changed
none of the demo's other figures.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from partybuild.domain import dates
from partybuild.domain.recruitment import add_months, last_working_day, term_end

Row = dict[str, Any]
YEAR_END = dt.date(2023, 12, 31)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def add_pipeline(demo: Any, seed: int = 2023) -> None:
    """Fill the stage dates of the demo's people in the pipeline, and its branches' 换届."""
    rng = random.Random(f"recruitment-{seed}")
    members: list[Row] = [row for rows in demo.members_of.values() for row in rows]
    full_by_branch: dict[int, list[Row]] = {}
    for row in members:
        if row["category"] == "full":
            full_by_branch.setdefault(row["branch"], []).append(row)
    everyone_full = [row for row in members if row["category"] == "full"]
    pledge = 0

    def days(low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=rng.randint(low, high))

    def early(person: Row, candidate: dt.date) -> None:
        """Application, talk and 积极分子 leading to a 发展对象 date."""
        activist = candidate - days(372, 430)
        applied = max(activist - days(150, 240), dates.add_years(person["birth_date"], 18))
        person["applied_on"] = applied
        person["talked_on"] = applied + days(6, 25)
        person["activist_on"] = activist
        branch_full = full_by_branch.get(person["branch"]) or everyone_full
        person["mentors"] = "、".join(
            p["name"] for p in rng.sample(branch_full, min(2, len(branch_full)))
        )
        review = add_months(activist, 6)
        while review < candidate - dt.timedelta(days=20):
            person["reviewed_on"] = review - days(0, 10)
            review = add_months(review, 6)
        person["candidate_on"] = candidate

    def late(person: Row, joined: dt.date) -> None:
        """From 发展对象 to the 支部大会 that admitted them on ``joined``."""
        nonlocal pledge
        prechecked = _weekday(joined - days(12, 30))
        publicized = _weekday(prechecked - days(12, 16))
        training_start = _weekday(publicized - days(15, 30))
        candidate = training_start - days(20, 45)
        early(person, candidate)
        person["vetted_on"] = candidate + days(5, 15)
        person["training_start"] = training_start
        person["training_end"] = training_start + dt.timedelta(days=rng.choice((2, 3)))
        if last_working_day(publicized, 5) >= prechecked:
            prechecked = _weekday(last_working_day(publicized, 5) + dt.timedelta(days=1))
        person["publicized_on"] = publicized
        person["prechecked_on"] = prechecked
        person["pledge_on"] = prechecked + days(2, 6)
        pledge += 1
        person["pledge_number"] = f"{joined.year}{pledge:04d}"

        # 介绍人: full members before the 支部大会, written before this row (the demo inserts in
        # id order, and the database checks the link as each batch goes in).
        def fits(p: Row) -> bool:
            return (
                p["id"] < person["id"]
                and p["confirmed_on"] is not None
                and p["confirmed_on"] < joined
            )

        pool = [p for p in full_by_branch.get(person["branch"], []) if fits(p)]
        if len(pool) < 2:
            pool = [p for p in everyone_full if fits(p)]
        first, second = rng.sample(pool, 2)
        person["introducer_1"], person["introducer_2"] = first["id"], second["id"]
        entitled = max(3, len(full_by_branch.get(person["branch"], [])))
        present = entitled - rng.randint(0, max(0, (entitled - 1) // 4))
        person["admission_entitled"], person["admission_present"] = entitled, present
        person["admission_yes"] = present
        person["approved_on"] = joined + days(20, 70)

    probationary = sorted(
        (p for p in members if p["category"] == "probationary"), key=lambda p: p["joined_on"]
    )
    for person in probationary:
        late(person, person["joined_on"])
    if probationary:
        # The one step left undone: admitted in spring, never sent up for approval.
        probationary[0]["approved_on"] = None
    for person in members:
        confirmed = person.get("confirmed_on")
        if person["category"] == "full" and confirmed and confirmed.year == 2023:
            late(person, person["joined_on"])
            entitled = person["admission_entitled"]
            person["confirm_entitled"] = entitled
            person["confirm_present"] = person["confirm_yes"] = entitled - rng.randint(0, 2)
    for person in members:
        category = person["category"]
        if category == "candidate":
            early(person, dt.date(2023, rng.randint(2, 10), rng.randint(1, 28)))
            person["vetted_on"] = person["candidate_on"] + days(10, 30)
            if person["vetted_on"] > YEAR_END:
                person["vetted_on"] = None
        elif category == "activist":
            early(person, dt.date(2023, 7, 1) + days(0, 400))
            person["candidate_on"] = None
            activist = person["activist_on"]
            reviews = [add_months(activist, 6 * k) for k in range(1, 4)]
            person["reviewed_on"] = max(
                (r - days(0, 10) for r in reviews if r <= YEAR_END), default=None
            )
        elif category == "applicant":
            applied = dt.date(2023, rng.randint(3, 11), rng.randint(1, 28))
            person["applied_on"] = applied
            person["talked_on"] = applied + days(6, 25)
    applicants = [p for p in members if p["category"] == "applicant"]
    if applicants:
        # A fresh application of December: its talk is still to come (due in January).
        applicants[-1]["applied_on"] = dt.date(2023, 12, 11)
        applicants[-1]["talked_on"] = None

    # 换届: every standalone branch held it when its term ran out — all but one.
    kept_late = False
    for branch in demo.standalone:
        due = term_end(branch["renewed_on"] or branch["founded_on"], 3)
        if due is None or due > YEAR_END:
            continue
        if not kept_late:
            kept_late = True
            continue
        branch["renewed_on"] = due + days(0, 20)
