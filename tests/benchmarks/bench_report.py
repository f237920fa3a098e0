"""The annual report PDF, ``stats`` and the overview's cards, beside bare baselines in the same run.

Targets (issue 12): annual report PDF ≤ 3× a bare PDF of the same pages; ``stats --json``
figures ≤ 2× bare SQL counts. Runs alternate, ours then bare; medians of five.

- **bare PDF**: the very HTML the report paints, made beforehand (no database), laid out and
  painted by the same renderer (``annual_report.render``) on a ``QPdfWriter`` at the report's own
  resolution (``PDF_RESOLUTION``) and A4 layout, straight into a file. (An earlier version left the
  writer at Qt's default 1,200 dpi while the renderer cut pages at 300 dpi, so it laid out and
  painted 289 small pages instead of the report's 4 and came out slower than the report; the bench
  now checks that both make the same number of pages.) What the report adds to it: reading the
  data, building the summary, and saving the file safely (painted into memory, read back with
  QtPdf, renamed into place).
- **bare SQL counts**: one grouped COUNT per table the figures come from, with sqlite3 alone (its
  own connection, opened in the timing), no peewee and no partybuild code. The figures' 党费 and
  志愿服务 participants come from the ``dues`` and ``service_participant`` tables, which the
  earlier list left out: one count each now. The 企业诉求 count named a column the table does not
  have (``status``; it is ``state``), so it failed and was skipped, silently: the baseline did not
  read that table at all. It counts by ``state`` now, and a failing bare count fails the bench
  instead of being left out.
- **bare card ids** (200,000 members): for each card of the overview, one ``SELECT id … ORDER BY
  id`` with sqlite3 alone, the ids fetched into a list — the plainest SQL for the card's
  definition (dates compared as stored, without the partial-date rule).

Figures on the demo ledger and on the cached full-field roster of 200,000 members
(``roster.copy_of``). Also counts the SELECTs each makes (peewee's ``execute_sql``).
"""

from __future__ import annotations

import os
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
YEAR = 2023
ROSTER = 200_000
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
    "SELECT count(*) FROM service_participant WHERE deleted = 0",
    "SELECT state, category, count(*) FROM enterprise_issue WHERE deleted = 0 "
    "AND received_on BETWEEN ? AND ? GROUP BY 1, 2",
    "SELECT count(*), sum(due), sum(paid) FROM dues WHERE deleted = 0 AND month BETWEEN ? AND ?",
)

# The overview's cards (ui/overview.py ``_refresh_cards``), each as the plainest id query.
BARE_CARDS = (
    *(
        f"SELECT id FROM branch WHERE deleted = 0 AND kind = '{kind}' "
        "AND (founded_on IS NULL OR founded_on <= :end) ORDER BY id"
        for kind in ("standalone", "joint", "regional")
    ),
    "SELECT id FROM member WHERE deleted = 0 AND status IN ('normal', 'mobile') "
    "AND category IN ('full', 'probationary') AND (joined_on IS NULL OR joined_on <= :end) "
    "ORDER BY id",
    *(
        f"SELECT id FROM training WHERE deleted = 0 AND kind = '{kind}' "
        "AND start_date BETWEEN :start AND :end ORDER BY id"
        for kind in ("rotation", "lecture", "party_lesson")
    ),
    *(
        f"SELECT id FROM team WHERE deleted = 0 AND kind = '{kind}' "
        "AND (founded_on IS NULL OR founded_on <= :end) ORDER BY id"
        for kind in ("volunteer", "commando")
    ),
    "SELECT s.id FROM service s JOIN team t ON t.id = s.team_id WHERE s.deleted = 0 "
    "AND t.deleted = 0 AND s.date BETWEEN :start AND :end ORDER BY s.id",
    "SELECT i.id FROM enterprise_issue i JOIN enterprise e ON e.id = i.enterprise_id "
    "WHERE i.deleted = 0 AND e.deleted = 0 AND i.state = 'resolved' "
    "AND i.resolved_on BETWEEN :start AND :end ORDER BY i.id",
    "SELECT i.id FROM enterprise_issue i JOIN enterprise e ON e.id = i.enterprise_id "
    "WHERE i.deleted = 0 AND e.deleted = 0 AND i.received_on <= :end "
    "AND (i.state IN ('open', 'in_progress') OR i.resolved_on > :end) ORDER BY i.id",
)


def bare_counts(path: Path) -> None:
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for sql in BARE_COUNTS:
        table = sql.split(" FROM ")[1].split()[0]
        if table not in names:
            continue
        args = (f"{YEAR}-01-01", f"{YEAR}-12-31") if "?" in sql else ()
        con.execute(sql, args).fetchall()
    con.close()


def bare_cards(path: Path) -> int:
    con = sqlite3.connect(path)
    args = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
    total = 0
    for sql in BARE_CARDS:
        total += len([row[0] for row in con.execute(sql, args)])
    con.close()
    return total


def counting_selects(database: object) -> tuple[Callable[[], int], Callable[[], None]]:
    """Count the SELECTs peewee sends; returns (read the count, stop counting)."""
    original = database.execute_sql  # type: ignore[attr-defined]
    selects = 0

    def counting(sql: str, *args: object, **kwargs: object) -> object:
        nonlocal selects
        selects += sql.lstrip().upper().startswith("SELECT")
        return original(sql, *args, **kwargs)

    database.execute_sql = counting  # type: ignore[attr-defined]

    def stop() -> None:
        database.execute_sql = original  # type: ignore[attr-defined]

    return (lambda: selects), stop


def cards(year: int) -> int:
    """The record-id lists the overview's cards show (``OverviewPage._refresh_cards``)."""
    import datetime as dt

    from partybuild.services import recruitment, report, stats

    period = stats.Period.year(year)
    lists = [report.branch_ids(period, k) for k in ("standalone", "joint", "regional")]
    lists.append(report.party_member_ids(period))
    lists += [report.training_ids(period, k) for k in ("rotation", "lecture", "party_lesson")]
    lists += [report.team_ids(period, k) for k in ("volunteer", "commando")]
    lists.append(report.service_ids(period))
    lists.append(report.resolved_issue_ids(period))
    lists.append(report.pending_issue_ids(period))
    recruitment.renewal_reminders(min(period.end, dt.date.today()))  # the 应换届 card
    return sum(len(ids) for ids in lists)


def alternate(pairs: list[tuple[Callable[[], object], Callable[[], object]]]) -> list[list[float]]:
    """Run each (ours, bare) pair in turn, RUNS times; the times per function."""
    times: list[list[float]] = [[] for _ in range(2 * len(pairs))]
    for _ in range(RUNS):
        for i, (ours, bare) in enumerate(pairs):
            for j, fn in enumerate((ours, bare)):
                t0 = time.perf_counter()
                fn()
                times[2 * i + j].append(time.perf_counter() - t0)
    return times


def line(label: str, ours: list[float], bare: list[float], base: str, target: float | None) -> None:
    o, b = statistics.median(ours), statistics.median(bare)
    met = (
        ""
        if target is None
        else f"   target ≤ {target:g}×: {'met' if o / b <= target else 'NOT met'}"
    )
    print(
        f"  {label:28s} {o * 1000:7.0f} ms   {base:28s} {b * 1000:6.0f} ms   ratio {o / b:5.1f}×{met}"
    )


def demo_figures(folder: Path) -> None:
    from PySide6.QtGui import QPdfWriter

    from partybuild.printing import annual_report
    from partybuild.services import stats
    from partybuild.services.report import build_summary
    from partybuild.store import models as m
    from partybuild.store.database import close_database, open_database

    db = folder / "demo.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "partybuild", "demo", "--db", str(db)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    database = open_database(db)
    html = annual_report.summary_html(build_summary(YEAR))
    runs = iter(range(10_000))

    def ours_pdf() -> int:
        return annual_report.write_summary_pdf(build_summary(YEAR), folder / f"r{next(runs)}.pdf")

    def bare_pdf() -> int:
        """The same pages painted from HTML made beforehand: no database."""
        writer = QPdfWriter(str(folder / f"bare{next(runs)}.pdf"))
        writer.setResolution(annual_report.PDF_RESOLUTION)
        writer.setPageLayout(annual_report.a4_layout())
        pages = annual_report.render(html, writer, annual_report.PDF_RESOLUTION)
        del writer
        return pages

    read, stop = counting_selects(database)
    pages = ours_pdf()
    report_selects = read()
    stats.compute(stats.Period.year(YEAR))
    stats_selects = read() - report_selects
    stop()
    bare_pages = bare_pdf()
    assert bare_pages == pages, f"bare PDF has {bare_pages} pages, the report {pages}"
    report_s, bare_s, stats_s, sql_s = alternate(
        [
            (ours_pdf, bare_pdf),
            (lambda: stats.compute(stats.Period.year(YEAR)), lambda: bare_counts(db)),
        ]
    )
    members = m.Member.select().count()
    close_database()
    print(f"report and stats, demo ledger ({members} members), {YEAR}, median of {RUNS}")
    line(f"annual report PDF ({pages} p)", report_s, bare_s, "bare PDF of the same pages", 3)
    line("stats figures", stats_s, sql_s, "bare SQL counts", 2)
    print(f"  SELECTs: annual report {report_selects}, stats figures {stats_selects}")


def roster_figures(folder: Path) -> None:
    from partybuild.services import stats
    from partybuild.store.database import close_database, open_database
    from tests.benchmarks.roster import copy_of

    db = copy_of(ROSTER, folder / "roster.sqlite3")
    database = open_database(db)
    read, stop = counting_selects(database)
    stats.compute(stats.Period.year(YEAR))
    stats_selects = read()
    cards(YEAR)
    card_selects = read() - stats_selects
    stop()
    stats_s, sql_s, cards_s, bare_cards_s = alternate(
        [
            (lambda: stats.compute(stats.Period.year(YEAR)), lambda: bare_counts(db)),
            (lambda: cards(YEAR), lambda: bare_cards(db)),
        ]
    )
    ids = cards(YEAR)
    close_database()
    print(f"stats and the overview's cards, {ROSTER:,} members, {YEAR}, median of {RUNS}")
    line("stats figures", stats_s, sql_s, "bare SQL counts", 2)
    line(f"overview cards ({ids:,} ids)", cards_s, bare_cards_s, "bare SQL id lists", None)
    print(f"  SELECTs: stats figures {stats_selects}, cards {card_selects}")


def main() -> None:
    from partybuild.commands.printing import ensure_gui_application

    ensure_gui_application()
    with tempfile.TemporaryDirectory() as tmp:
        demo_figures(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        roster_figures(Path(tmp))


if __name__ == "__main__":
    main()
