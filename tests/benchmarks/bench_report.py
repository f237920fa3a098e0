"""The annual report PDF and ``stats``, on the demo ledger, beside bare baselines in the same run.

Targets (issue 12): annual report PDF ≤ 3× a bare PDF of the same pages (the same HTML, made
beforehand, laid out and painted by the same renderer: no database); ``stats --json`` figures ≤ 2×
bare SQL counts (one grouped COUNT per table the figures come from, with sqlite3 alone).
Runs alternate; medians of five. Also counts the SELECTs the report makes.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

RUNS = 5
YEAR = 2023
ROOT = Path(__file__).resolve().parents[2]

BARE_COUNTS = (
    "SELECT category, status, count(*) FROM member WHERE deleted = 0 GROUP BY 1, 2",
    "SELECT kind, count(*) FROM branch WHERE deleted = 0 GROUP BY 1",
    "SELECT b.kind, count(*) FROM enterprise e LEFT JOIN branch b ON b.id = e.branch_id "
    "WHERE e.deleted = 0 GROUP BY 1",
    "SELECT kind, count(*) FROM activity WHERE deleted = 0 AND date BETWEEN ? AND ? GROUP BY 1",
    "SELECT kind, count(*), sum(hours) FROM training WHERE deleted = 0 "
    "AND start_date BETWEEN ? AND ? GROUP BY 1",
    "SELECT a.status, count(*) FROM attendance a JOIN training t ON t.id = a.training_id "
    "WHERE a.deleted = 0 AND t.deleted = 0 AND t.start_date BETWEEN ? AND ? GROUP BY 1",
    "SELECT kind, count(*) FROM team WHERE deleted = 0 GROUP BY 1",
    "SELECT count(*), sum(hours) FROM service WHERE deleted = 0 AND date BETWEEN ? AND ?",
    "SELECT status, category, count(*) FROM enterprise_issue WHERE deleted = 0 "
    "AND received_on BETWEEN ? AND ? GROUP BY 1, 2",
)


def bare_counts(path: Path) -> None:
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for sql in BARE_COUNTS:
        table = sql.split(" FROM ")[1].split()[0]
        if table not in names:
            continue
        args = (f"{YEAR}-01-01", f"{YEAR}-12-31") if "?" in sql else ()
        with contextlib.suppress(sqlite3.OperationalError):  # a column named otherwise
            con.execute(sql, args).fetchall()
    con.close()


def main() -> None:
    from PySide6.QtGui import QPdfWriter

    from partybuild.commands.printing import ensure_gui_application
    from partybuild.printing import annual_report
    from partybuild.services import stats
    from partybuild.services.report import build_summary
    from partybuild.store import models as m
    from partybuild.store.database import open_database

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "demo.sqlite3"
        subprocess.run(
            [sys.executable, "-m", "partybuild", "demo", "--db", str(db)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        ensure_gui_application()
        database = open_database(db)
        html = annual_report.summary_html(build_summary(YEAR))

        def ours_pdf(n: int) -> int:
            return annual_report.write_summary_pdf(build_summary(YEAR), folder / f"r{n}.pdf")

        def bare_pdf(n: int) -> None:
            """The same pages laid out and painted from HTML made beforehand: no database."""
            writer = QPdfWriter(str(folder / f"bare{n}.pdf"))
            writer.setPageLayout(annual_report.a4_layout())
            annual_report.render(html, writer, annual_report.PDF_RESOLUTION)
            del writer

        selects = 0
        original = database.execute_sql

        def counting(sql: str, *args: object, **kwargs: object) -> object:
            nonlocal selects
            selects += sql.lstrip().upper().startswith("SELECT")
            return original(sql, *args, **kwargs)

        database.execute_sql = counting  # type: ignore[method-assign]
        ours_pdf(0)
        database.execute_sql = original  # type: ignore[method-assign]
        report_s, bare_s, stats_s, sql_s = [], [], [], []
        pages = 0
        for n in range(1, RUNS + 1):
            t0 = time.perf_counter()
            pages = ours_pdf(n)
            t1 = time.perf_counter()
            bare_pdf(n)
            t2 = time.perf_counter()
            stats.compute(stats.Period.year(YEAR))
            t3 = time.perf_counter()
            bare_counts(db)
            t4 = time.perf_counter()
            report_s.append(t1 - t0)
            bare_s.append(t2 - t1)
            stats_s.append(t3 - t2)
            sql_s.append(t4 - t3)
        members = m.Member.select().count()

    def line(label: str, ours: list[float], bare: list[float], base: str, target: float) -> None:
        o, b = statistics.median(ours), statistics.median(bare)
        met = "met" if o / b <= target else "NOT met"
        print(
            f"  {label:22s} {o * 1000:7.0f} ms   {base} {b * 1000:6.0f} ms"
            f"   ratio {o / b:5.1f}×   target ≤ {target:g}×: {met}"
        )

    print(f"report and stats, demo ledger ({members} members), {YEAR}, median of {RUNS}")
    line(f"annual report PDF ({pages} p)", report_s, bare_s, "bare PDF of the same HTML", 3)
    line("stats figures", stats_s, sql_s, "bare SQL counts         ", 2)
    print(f"  SELECTs made by one annual report: {selects}")


if __name__ == "__main__":
    main()
