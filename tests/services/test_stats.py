"""The year's figures: the demo ledger reproduces the 2023 report; deleted records never count."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import peewee as pw
import pytest

from partybuild.ledgers import spec
from partybuild.services import records, stats
from partybuild.services.demo import build_demo
from partybuild.services.errors import ValidationError
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database

ROOT = Path(__file__).resolve().parents[2]


def test_demo_ledger_reproduces_the_report_figures_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    run = [sys.executable, str(ROOT / "main.py")]
    made = subprocess.run(
        [*run, "demo", "--db", str(db)], capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr
    out = subprocess.run(
        [*run, "stats", "--db", str(db), "--year", "2023", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert figures["branches"]["joint"] == 6  # 28家企业联合成立为6个联合党支部
    assert figures["enterprises_covered"]["joint"] == 28
    assert figures["branches"]["regional"] == 1  # 没有党员的16家企业组建1个区域党支部
    assert figures["enterprises_covered"]["regional"] == 16
    assert figures["trainings"]["rotation"]["sessions"] == 6  # 轮训6期
    assert figures["trainings"]["rotation"]["attendances"] >= 650  # 培训党员650余人
    assert figures["trainings"]["lecture"]["sessions"] == 19  # 集中宣讲19次
    assert figures["trainings"]["party_lesson"]["sessions"] >= 50  # 专题党课50余次
    assert figures["teams"]["volunteer"] == 18 and figures["teams"]["commando"] == 6
    assert figures["services"]["count"] >= 60  # 志愿服务60余次
    assert figures["issues"]["resolved"] >= 62  # 50余件 + 12件
    assert figures["issues"]["resolved_by_category"]["project"] == 12
    # A second demo into the same file is refused, and the file still answers the same.
    again = subprocess.run(
        [*run, "demo", "--db", str(db)], capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 2 and "不是空的" in again.stderr


@pytest.fixture
def demo_db(tmp_path: Path) -> pw.Database:
    database = open_database(tmp_path / "demo.sqlite3")
    build_demo(database)
    return database


def test_every_demo_record_passes_the_service_validation(demo_db: pw.Database) -> None:
    for ledger in spec.LEDGERS.values():
        for record in ledger.model.select():
            data = {
                c.name: getattr(record, c.field.column_name)
                if c.kind == spec.LINK
                else getattr(record, c.name)
                for c in ledger.columns
            }
            try:
                records.validate(ledger, data, record.id)
            except ValidationError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{ledger.name}#{record.id}: {exc}")


def test_deleted_records_never_count(demo_db: pw.Database) -> None:
    before = stats.year_stats(2023)
    rotation = m.Training.select().where(m.Training.kind == "rotation").first()
    signed = rotation.attendance.where(m.Attendance.status == "signed").count()
    records.soft_delete("trainings", rotation.id)
    team = m.Team.select().where(m.Team.kind == "volunteer").first()
    team_services = team.services.where(m.Service.date.year == 2023).count()
    records.soft_delete("teams", team.id)
    joint = m.Branch.select().where(m.Branch.kind == "joint").first()
    covered = joint.enterprises.count()
    records.soft_delete("branches", joint.id)
    after = stats.year_stats(2023)
    assert (
        after["trainings"]["rotation"]["sessions"]
        == before["trainings"]["rotation"]["sessions"] - 1
    )
    assert (
        after["trainings"]["rotation"]["attendances"]
        == before["trainings"]["rotation"]["attendances"] - signed
    )
    assert after["teams"]["volunteer"] == 17
    assert after["services"]["count"] == before["services"]["count"] - team_services
    assert after["branches"]["joint"] == 5
    assert after["enterprises_covered"]["joint"] == 28 - covered
    records.restore("trainings", rotation.id)
    assert stats.year_stats(2023)["trainings"]["rotation"] == before["trainings"]["rotation"]


def test_branch_and_date_range(db: pw.Database) -> None:
    a = records.create("branches", {"name": "甲联合党支部", "kind": "joint"})
    b = records.create("branches", {"name": "乙联合党支部", "kind": "joint"})
    for branch, dates in ((a, ["2023-03-01", "2023-05-01"]), (b, ["2023-04-01"])):
        team = records.create(
            "teams", {"name": f"{branch.name}志愿队", "kind": "volunteer", "branch": branch}
        )
        for i, day in enumerate(dates):
            records.create(
                "services", {"team": team, "date": dt.date.fromisoformat(day), "topic": f"服务{i}"}
            )
    whole = stats.compute(stats.Period.year(2023))
    assert whole["services"]["count"] == 3
    only_a = stats.compute(stats.Period.year(2023), a)
    assert only_a["services"]["count"] == 2 and only_a["branches"]["joint"] == 1
    spring = stats.compute(stats.Period(dt.date(2023, 3, 15), dt.date(2023, 4, 30)))
    assert spring["services"]["count"] == 1
    assert (
        stats.compute(stats.Period(dt.date(2023, 3, 15), dt.date(2023, 4, 30)), a)["services"][
            "count"
        ]
        == 0
    )


def test_overdue_and_resolved_issues(db: pw.Database) -> None:
    e = records.create("enterprises", {"name": "恒远化工有限公司"})
    records.create(
        "issues",
        {
            "enterprise": e,
            "received_on": dt.date(2023, 5, 1),
            "category": "utilities",
            "description": "供电专线",
            "deadline": dt.date(2023, 6, 1),
        },
    )
    records.create(
        "issues",
        {
            "enterprise": e,
            "received_on": dt.date(2023, 5, 1),
            "category": "project",
            "description": "道路土石方",
            "state": "resolved",
            "resolved_on": dt.date(2023, 5, 11),
        },
    )
    issues = stats.year_stats(2023)["issues"]
    assert issues["received"] == 2 and issues["resolved"] == 1 and issues["overdue"] == 1
    assert issues["resolved_by_category"]["project"] == 1
    assert issues["average_days_to_resolve"] == 10.0
    close_database()


def test_members_answer_for_the_chosen_year(demo: pw.Database) -> None:
    """党员 at a year's end: 2015 does not show today's roll; a member confirmed later was
    probationary then; 2023 keeps the demo's figures."""
    from partybuild.services import report

    today = stats.year_stats(dt.date.today().year)["members"]
    y2023 = stats.year_stats(2023)["members"]
    y2015 = stats.year_stats(2015)["members"]
    assert y2023["full"] + y2023["probationary"] == today["full"] + today["probationary"]
    joined_by_2015 = (
        m.Member.select()
        .where(
            m.live(m.Member),
            m.Member.status.in_(("normal", "mobile")),
            m.Member.category.in_(("full", "probationary")),
            m.Member.joined_on.is_null() | (m.Member.joined_on <= dt.date(2015, 12, 31)),
        )
        .count()
    )
    assert 0 < y2015["full"] + y2015["probationary"] == joined_by_2015
    assert joined_by_2015 < today["full"] + today["probationary"]
    assert len(report.party_member_ids(stats.Period.year(2015))) == joined_by_2015
    # Someone who joined in 2014 and was confirmed in 2016 was probationary at the end of 2015.
    member = m.Member.get(m.Member.category == "full", m.Member.joined_on <= dt.date(2014, 1, 1))
    m.Member.update(joined_on=dt.date(2014, 6, 1), confirmed_on=dt.date(2016, 6, 1)).where(
        m.Member.id == member.id
    ).execute()
    after = stats.year_stats(2015)["members"]
    assert after["probationary"] == y2015["probationary"] + 1
    assert after["full"] == y2015["full"] - 1
