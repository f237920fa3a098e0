"""The annual summary written from the data: on the demo ledger it carries the 2023 report's
figures, and every number equals ``partybuild stats --json``; ``check`` and ``report`` on the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook

from partybuild.services import records, report, stats
from partybuild.services.demo import build_demo
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database

ROOT = Path(__file__).resolve().parents[2]
AFTER_2023 = dt.date(2024, 3, 1)


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        timeout=120,
    )


def bundled_fonts_only(tmp_path: Path) -> dict[str, str]:
    """A fontconfig with no system fonts: the bundled font alone, as on the users' laptops.

    The PDF must read back right from the bundled subset alone, without help from any
    system font.
    """
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[pw.Database, Path]]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = open_database(path)
    build_demo(database)
    yield database, path
    m.db_proxy.initialize(database)
    close_database()


@pytest.fixture(autouse=True)
def bound(request: pytest.FixtureRequest) -> None:
    """Demo tests bind the models back to the demo (other fixtures may have rebound them)."""
    if "demo" in request.fixturenames:
        m.db_proxy.initialize(request.getfixturevalue("demo")[0])


@pytest.fixture(scope="module")
def summary(demo: tuple[pw.Database, Path]) -> report.AnnualSummary:
    m.db_proxy.initialize(demo[0])
    return report.build_summary(2023, AFTER_2023)


@pytest.fixture(scope="module")
def stats_json(demo: tuple[pw.Database, Path]) -> dict:
    out = cli("stats", "--db", str(demo[1]), "--year", "2023", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_demo_summary_reads_like_the_report(summary: report.AnnualSummary) -> None:
    text = summary.text()
    for phrase in (
        "6个联合党支部",
        "轮训6期",
        "18只党员志愿服务队",
        "组织了党的二十大精神轮训6期，培训党员666人次",
        "28家企业联合成立为6个联合党支部",
        "没有党员的16家企业组建1个区域党支部",
        "各党组织成立了18只党员志愿服务队和6只党员突击队",
        "开展习近平总书记考察江西重要讲话精神集中宣讲19次",
        "开展主题教育专题党课52次",
        "开展志愿服务64次",
        "为企业解决发展难题54件，协调解决项目建设中的问题12件",
    ):
        assert phrase in text, phrase
    assert summary.title == "2023年度党建工作总结"
    assert [s.lead[:2] for s in summary.sections if s.lead] == [
        "一是",
        "二是",
        "三是",
        "四是",
        "五是",
    ]
    recruitment = summary.sections[-1].full()
    assert recruitment.startswith("五是严格规范发展党员。全年接收入党申请书")
    assert "有1项发展党员程序已超过规定时限" in recruitment
    assert "绿源新材料有限公司党支部任期已届满，需按期换届" in recruitment


def test_its_numbers_equal_stats_json(summary: report.AnnualSummary, stats_json: dict) -> None:
    f = stats_json
    assert summary.figures == {**f, "year": 2023}
    t, teams, issues = f["trainings"], f["teams"], f["issues"]
    project = issues["resolved_by_category"]["project"]
    text = summary.text()
    for phrase in (
        f"轮训{t['rotation']['sessions']}期，培训党员{t['rotation']['attendances']}人次",
        f"{f['enterprises_covered']['joint']}家企业联合成立为{f['branches']['joint']}个联合党支部",
        f"{f['enterprises_covered']['regional']}家企业组建{f['branches']['regional']}个区域党支部",
        f"集中宣讲{t['lecture']['sessions']}次",
        f"专题党课{t['party_lesson']['sessions']}次",
        f"{teams['volunteer']}只党员志愿服务队和{teams['commando']}只党员突击队",
        f"开展志愿服务{f['services']['count']}次",
        f"为企业解决发展难题{issues['resolved'] - project}件",
        f"协调解决项目建设中的问题{project}件",
        f"共有党组织{f['branches']['total']}个",
        f"有党员{f['members']['full'] + f['members']['probationary']}名",
        f"支部党员大会{f['activities']['general_meeting']}次",
        f"尚有{issues['pending']}件诉求正在办理，其中{issues['overdue']}件已超过办结时限",
    ):
        assert phrase in text, phrase


def test_no_figure_is_written_into_the_templates(db: pw.Database) -> None:
    """Other data, other sentences: two 读书班 sessions are “轮训2期”, nothing says 6 or 28.

    Runs on SQLite and PostgreSQL, with the chart data of the overview alongside.
    """
    joint = records.create("branches", {"name": "甲联合党支部", "kind": "joint"})
    for i in range(3):
        records.create("enterprises", {"name": f"甲{i}化工有限公司", "branch": joint})
    for n, day in ((1, dt.date(2022, 3, 1)), (2, dt.date(2022, 9, 1))):
        records.create(
            "trainings", {"name": f"读书班第{n}期", "kind": "rotation", "start_date": day}
        )
    text = report.build_summary(2022, AFTER_2023).text()
    assert "组织了轮训2期" in text  # the series is not called 轮训: the kind word stands in
    assert "3家企业联合成立为1个联合党支部" in text
    assert "6个" not in text and "28家" not in text and "志愿服务" not in text
    assert "2023" not in text
    months = report.trainings_by_month(2022)
    assert [len(r.training_ids) for r in months if r.training_ids] == [1, 1]
    assert [r.month for r in months if r.training_ids] == [3, 9]
    assert report.issues_by_category_and_state(2022) == {}
    assert report.services_by_team(2022) == []
    assert len(report.branch_ids(stats.Period.year(2022), "joint")) == 1


def test_series_names_come_from_the_trainings() -> None:
    assert report.series_name([f"党的二十大精神轮训第{n}期" for n in "一二三"]) == (
        "党的二十大精神轮训"
    )
    assert report.series_name(["主题教育专题党课：甲", "主题教育专题党课：乙"]) == (
        "主题教育专题党课"
    )
    assert report.series_name(["集中宣讲（第1场）", "集中宣讲（第12场）"]) == "集中宣讲"
    assert report.series_name(["甲", "乙"]) == ""


def test_branch_rows_equal_stats_for_that_branch(
    summary: report.AnnualSummary, demo: tuple[pw.Database, Path]
) -> None:
    row = next(r for r in summary.branch_rows if r.name == "园区第四联合党支部")
    out = cli("stats", "--db", str(demo[1]), "--year", "2023", "--branch", row.name, "--json")
    f = json.loads(out.stdout)
    assert row.members == f["members"]["full"] + f["members"]["probationary"]
    assert row.attendances == f["trainings"]["total"]["attendances"]
    assert row.services == f["services"]["count"]
    assert row.problems_solved == f["issues"]["resolved"]
    assert (row.meetings_held, row.meetings_due) == (16, 16)
    total = summary.branch_total()
    assert total.members == 688 and total.services == 64
    # A date range: every lecture came after the visit of October 2023.
    autumn = cli(
        "stats", "--db", str(demo[1]), "--from", "2023-10-01", "--to", "2023-12-31", "--json"
    )
    assert json.loads(autumn.stdout)["trainings"]["lecture"]["sessions"] == 19
    rows = {k.kind: (k.due, k.held) for k in summary.kind_rows}
    assert rows["general_meeting"] == (74, 72) and rows["theme_day"] == (217, 215)


def test_drill_down_records_are_those_stats_counts(demo: tuple[pw.Database, Path]) -> None:
    period = stats.Period.year(2023)
    f = stats.year_stats(2023)
    for kind in ("standalone", "joint", "regional"):
        assert len(report.branch_ids(period, kind)) == f["branches"][kind]
    for kind in ("rotation", "lecture", "party_lesson"):
        assert len(report.training_ids(period, kind)) == f["trainings"][kind]["sessions"]
    for kind in ("volunteer", "commando"):
        assert len(report.team_ids(period, kind)) == f["teams"][kind]
    members = f["members"]
    assert len(report.party_member_ids()) == members["full"] + members["probationary"]
    assert len(report.service_ids(period)) == f["services"]["count"]
    assert len(report.resolved_issue_ids(period)) == f["issues"]["resolved"]
    assert len(report.resolved_issue_ids(period, "project")) == 12
    assert len(report.pending_issue_ids(period)) == f["issues"]["pending"]
    assert len(report.pending_issue_ids(period, overdue_only=True)) == f["issues"]["overdue"]
    months = report.trainings_by_month(2023)
    assert sum(len(r.training_ids) for r in months) == f["trainings"]["total"]["sessions"]
    assert sum(r.signed for r in months) == f["trainings"]["total"]["attendances"]
    cells = report.issues_by_category_and_state(2023)
    assert sum(len(ids) for ids in cells.values()) == f["issues"]["received"]
    teams = report.services_by_team(2023)
    assert len(teams) == 24
    assert sum(len(t.service_ids) for t in teams) == f["services"]["count"]


def test_deleted_records_never_count_in_the_summary(demo: tuple[pw.Database, Path]) -> None:
    rotation = m.Training.select().where(m.Training.kind == "rotation").first()
    records.soft_delete("trainings", rotation.id)
    try:
        text = report.build_summary(2023, AFTER_2023).text()
        assert "轮训5期" in text and "轮训6期" not in text
        assert rotation.id not in report.training_ids(stats.Period.year(2023), "rotation")
    finally:
        records.restore("trainings", rotation.id)


def test_check_json_on_the_demo_lists_the_deliberate_gaps(demo: tuple[pw.Database, Path]) -> None:
    out = cli("check", "--db", str(demo[1]), "--year", "2023", "--json")
    assert out.returncode == 0, out.stderr  # reminders are content, not errors
    data = json.loads(out.stdout)
    gaps = sorted((r["kind"], r["period"]) for r in data["reminders"])
    assert gaps == [
        ("general_meeting", "2023-Q2"),
        ("general_meeting", "2023-Q3"),
        ("theme_day", "2023-07"),
        ("theme_day", "2023-08"),
    ]
    meetings = {r["branch"] for r in data["reminders"] if r["kind"] == "general_meeting"}
    themes = {r["branch"] for r in data["reminders"] if r["kind"] == "theme_day"}
    assert len(meetings) == 2 and len(themes) == 1 and not meetings & themes
    assert data["due"]["missing"] == 4 and data["quorum"] == []
    assert data["setup_warnings"] == []
    assert len(data["overdue_issues"]) == 2
    assert {r["key"] for r in data["resolve_times"]["by_category"]} >= {"project", "staffing"}
    text = cli("check", "--db", str(demo[1]), "--year", "2023")
    assert text.returncode == 0 and "第二季度未召开支部党员大会" in text.stdout


def _pdf_text(path: Path) -> str:
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    text = "".join(doc.getAllText(page).text() for page in range(doc.pageCount()))
    doc.close()
    return "".join(text.split())  # line breaks and the space around page numbers


def test_report_writes_a_pdf_whose_text_holds_the_sentences(
    demo: tuple[pw.Database, Path], summary: report.AnnualSummary, tmp_path: Path, qapp: object
) -> None:
    pdf = tmp_path / "总结.pdf"
    out = cli(
        "report",
        "--db",
        str(demo[1]),
        "--year",
        "2023",
        "-o",
        str(pdf),
        env=bundled_fonts_only(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert summary.title in text and "统计截至2023年12月31日" in text
    for section in summary.sections:
        assert section.full() in text
    assert "附表1" in text and "园区第一联合党支部" in text and "第1页，共4页" in text
    assert "党费收缴情况" in text  # the dues table per branch (issue 14) is the last page


def test_report_writes_an_excel_workbook(demo: tuple[pw.Database, Path], tmp_path: Path) -> None:
    xlsx = tmp_path / "总结.xlsx"
    out = cli("report", "--db", str(demo[1]), "--year", "2023", "-o", str(xlsx))
    assert out.returncode == 0, out.stderr
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames[:4] == ["年度总结", "各党组织情况", "三会一课落实", "企业诉求办理"]
    prose = " ".join(str(r[0]) for r in wb["年度总结"].iter_rows(values_only=True) if r[0])
    assert "轮训6期" in prose and "18只党员志愿服务队" in prose
    rows = list(wb["各党组织情况"].iter_rows(values_only=True))
    assert rows[0][1] == "党组织" and rows[23][1] == "合计" and rows[23][3] == 688
    reminders = list(wb["三会一课提醒"].iter_rows(values_only=True))
    assert len(reminders) == 5
    wb.close()


def test_report_refuses_what_it_cannot_write(
    demo: tuple[pw.Database, Path], tmp_path: Path
) -> None:
    wrong = cli("report", "--db", str(demo[1]), "--year", "2023", "-o", str(tmp_path / "a.docx"))
    assert wrong.returncode == 2 and ".pdf 或 .xlsx" in wrong.stderr
    nowhere = tmp_path / "missing" / "a.pdf"
    missing = cli("report", "--db", str(demo[1]), "--year", "2023", "-o", str(nowhere))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
