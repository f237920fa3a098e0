"""概览's reminder list and ``check --json``, on the demo ledger and 200,000 members, beside bare
baselines in the same run.

Target (issue 12): the overview's reminders for the whole park at 200,000 members well under
0.5 s. Figures, medians of five, runs alternating with the baseline:

- *compute*: ``services.reminders.overview_reminders`` — every group of the list (三会一课,
  quorum, branch setup, overdue problems, 发展党员, 换届, 党费), all the database work;
- *apply*: those reminders put into the page's list, laid out and painted once (what the user
  waits for before the list shows), beside a *bare list*: a plain QListWidget of the same size
  and font given the same rows' texts, made beforehand — Qt's own cost of wrapping tens of
  thousands of rows, which the page cannot go below while it lists every reminder;
- *bare SQL*: sqlite3 alone fetching the rows the reminders are made of, with the same grouping
  (the member tally, the probationers and people with stages, the year's activities and
  general meetings' attendance, the issues, the 24 months of 党费) — no peewee, no rules, no
  objects, no text: the floor any implementation pays;
- ``partybuild check --year Y --json`` as a whole process (start-up, rules, JSON of every
  reminder), beside a bare process that runs the bare SQL and prints its rows as JSON.

Also counted, independent of the machine's load: SQL statements and Python function calls of one
compute, and the reminders listed.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

RUNS = 5
ROOT = Path(__file__).resolve().parents[2]

# The rows the reminders are made of, fetched with sqlite3 alone ({y} the year, {p} the year
# before: 党费 looks back 24 months).
BARE_SQL = (
    # branch setup and quorum: members by branch and enterprise
    "SELECT branch_id, enterprise_id, sum(category IN ('full', 'probationary')),"
    " sum(category = 'full') FROM member WHERE deleted = 0 AND status IN ('normal', 'mobile')"
    " GROUP BY branch_id, enterprise_id",
    "SELECT id, name, kind, has_committee, founded_on, founded_on_precision, has_groups,"
    " term_years, renewed_on FROM branch WHERE deleted = 0",
    "SELECT e.id, e.name, e.branch_id FROM enterprise e WHERE e.deleted = 0",
    # 发展党员: the probationers, and the people with a recorded stage
    "SELECT id, name, branch_id, joined_on, joined_on_precision, extension_months FROM member"
    " WHERE deleted = 0 AND category = 'probationary' AND status IN ('normal', 'mobile')"
    " AND joined_on IS NOT NULL AND confirmed_on IS NULL",
    "SELECT id, name, branch_id, category, applied_on, talked_on, activist_on, candidate_on,"
    " prechecked_on, publicized_on, joined_on, approved_on, confirmed_on FROM member"
    " WHERE deleted = 0 AND status IN ('normal', 'mobile')"
    " AND (category != 'full' OR applied_on IS NOT NULL)"
    " AND (applied_on IS NOT NULL OR activist_on IS NOT NULL OR candidate_on IS NOT NULL)",
    # 三会一课 and the quorum of general meetings
    "SELECT a.branch_id, a.kind, a.date, a.id FROM activity a JOIN branch b ON b.id = a.branch_id"
    " WHERE a.deleted = 0 AND b.deleted = 0 AND a.date BETWEEN '{y}-01-01' AND '{y}-12-31'",
    "SELECT aa.activity_id, count(*) FROM activity_attendee aa"
    " JOIN activity a ON a.id = aa.activity_id JOIN member m ON m.id = aa.member_id"
    " WHERE a.kind = 'general_meeting' AND a.deleted = 0 AND aa.deleted = 0"
    " AND aa.status = 'present' AND m.category = 'full' AND m.branch_id = a.branch_id"
    " AND a.date BETWEEN '{y}-01-01' AND '{y}-12-31' GROUP BY aa.activity_id",
    # issues past their deadline, resolve times
    "SELECT i.id, e.name, i.description, i.deadline, i.state, i.received_on, i.resolved_on"
    " FROM enterprise_issue i JOIN enterprise e ON e.id = i.enterprise_id WHERE i.deleted = 0",
    # 党费: the 24 months before the year's end
    "SELECT d.id, d.member_id, d.month, d.until, d.due, d.paid, d.paid_on, m.name, m.branch_id"
    " FROM dues d JOIN member m ON m.id = d.member_id WHERE d.deleted = 0 AND m.deleted = 0"
    " AND d.month BETWEEN '{p}-01-01' AND '{y}-12-01'",
)

BARE_PROCESS = """
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = [con.execute(sql).fetchall() for sql in json.loads(sys.argv[2])]
print(json.dumps(rows, ensure_ascii=False, default=str))
"""


def bare_sql(path: Path, year: int) -> list[str]:
    return [sql.format(y=year, p=year - 1) for sql in BARE_SQL]


def run_bare(path: Path, statements: list[str]) -> int:
    con = sqlite3.connect(path)
    rows = sum(len(con.execute(sql).fetchall()) for sql in statements)
    con.close()
    return rows


def median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def alternate(
    ours: Callable[[], object], bare: Callable[[], object], runs: int = RUNS
) -> tuple[float, float]:
    """Medians of ``ours`` and ``bare`` run turn about (one load for both)."""
    a, b = [], []
    for _ in range(runs):
        start = time.perf_counter()
        ours()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        bare()
        b.append(time.perf_counter() - start)
    return statistics.median(a) * 1000, statistics.median(b) * 1000


def measure(label: str, path: Path) -> None:
    import json

    from PySide6.QtWidgets import QApplication, QListWidget

    from partybuild.services import report
    from partybuild.services.reminders import overview_reminders
    from partybuild.store.database import close_database, open_database
    from partybuild.ui.overview import OverviewPage

    app = QApplication.instance() or QApplication([])
    database = open_database(path)
    year = report.latest_year_with_data()
    page = OverviewPage()  # built (and refreshed) once, outside the figures
    page.resize(1440, 900)
    page.show()
    app.processEvents()
    statements = bare_sql(path, year)

    # Load-independent counts of one compute.
    count = 0

    def trace(_sql: str) -> None:
        nonlocal count
        count += 1

    database.connection().set_trace_callback(trace)
    found = overview_reminders(year)
    database.connection().set_trace_callback(None)
    profile = cProfile.Profile()
    profile.runcall(overview_reminders, year)
    calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
    listed = sum(len(items) for _key, items in found.groups)

    compute, bare = alternate(lambda: overview_reminders(year), lambda: run_bare(path, statements))

    def apply() -> None:
        page.apply_reminders(found)
        page.reminder_list.viewport().repaint()
        app.processEvents()

    apply()
    rows = [page.reminder_list.item(i).text() for i in range(page.reminder_list.count())]
    bare_list = QListWidget()
    bare_list.setWordWrap(True)
    bare_list.setFont(page.reminder_list.font())
    bare_list.resize(page.reminder_list.size())
    bare_list.show()

    def bare_apply() -> None:
        """The same rows' texts, made beforehand, into a plain QListWidget of the same size and
        font, painted once: Qt's own cost of laying out (wrapping) and painting them."""
        bare_list.clear()
        bare_list.addItems(rows)
        bare_list.viewport().repaint()
        app.processEvents()

    shown, bare_shown = alternate(apply, bare_apply)
    bare_list.close()
    total = compute + shown
    print(
        f"  {label:<16} {compute:8.0f} ms {bare:8.0f} ms {compute / bare:5.1f}×"
        f" {shown:8.0f} ms {bare_shown:8.0f} ms {shown / bare_shown:5.1f}×"
        f" {total:8.0f} ms {total / (bare + bare_shown):5.1f}× {count:5d} {calls:10,d}"
        f" {listed:9,d}"
    )
    page.close()
    page.deleteLater()
    app.processEvents()
    close_database()

    # check --json, whole processes, turn about with the bare process.
    check = [
        sys.executable,
        "-m",
        "partybuild",
        "check",
        "--year",
        str(year),
        "--json",
        "--db",
        str(path),
    ]
    bare_process = [sys.executable, "-c", BARE_PROCESS, str(path), json.dumps(statements)]
    ours_ms, bare_ms = alternate(
        lambda: subprocess.run(check, check=True, capture_output=True, cwd=ROOT),
        lambda: subprocess.run(bare_process, check=True, capture_output=True, cwd=ROOT),
        runs=3,
    )
    CHECKS.append((label, ours_ms, bare_ms))


CHECKS: list[tuple[str, float, float]] = []


def main() -> None:
    from tests.benchmarks import roster

    print(
        "概览 reminders (medians of 5, turn about with their baselines): compute beside bare SQL,"
        " apply (into the list, laid out, painted once) beside a bare QListWidget of the same"
        " rows, total beside both:"
    )
    print(
        f"  {'ledger':<16} {'compute':>11} {'bare SQL':>11} {'ratio':>6} {'apply':>11}"
        f" {'bare list':>11} {'ratio':>6} {'total':>11} {'ratio':>6} {'SQL':>5} {'py calls':>10}"
        f" {'reminders':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = folder / "demo.sqlite3"
        subprocess.run(
            [sys.executable, "-m", "partybuild", "demo", "--db", str(demo)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        measure("demo ledger", demo)
        sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "200000").split(",") if s]
        for size in sizes:
            measure(f"{size:,} members", roster.copy_of(size, folder / f"roster-{size}.sqlite3"))
    print("partybuild check --year Y --json, whole process (medians of 3):")
    for label, ours_ms, bare_ms in CHECKS:
        print(
            f"  {label:<16} {ours_ms:8.0f} ms  bare process (sqlite3 + json): {bare_ms:6.0f} ms"
            f"  {ours_ms / bare_ms:5.1f}×"
        )


if __name__ == "__main__":
    main()
