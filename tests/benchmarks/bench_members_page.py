"""The members page with 50,000 and 200,000 full-field members, each figure beside bare SQL.

Targets (issue 12, 200,000 members): first rows ≤ 100 ms, search keystroke → rows ≤ 100 ms,
scroll to any row ≤ 100 ms, sort by any column ≤ 200 ms, peak RSS ≤ 300 MB.

Each size runs in a child process of its own (fair RSS). The baseline of every figure is measured
in the same process, alternating with it: sqlite3 alone running the plainest SQL that gives the
same page (the same columns and joins, ``LIKE`` on the name, ``ORDER BY``/``OFFSET``), and for the
first rows that page put into a bare QTableView (QStandardItemModel) and shown.
``BENCH_SIZES=50000`` runs one size only.
"""

from __future__ import annotations

import os
import resource
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

SIZES = (50_000, 200_000)
SEARCHES = ["王", "王安", "zs", "zhang", "1395", "龚", "联合党支部", "没有这个人", "张伟"]
SORT_COLUMNS = ("birth_date", "id_number", "enterprise", "branch", "joined_on", "name")

BARE_COLUMNS = (
    "m.id, m.version, m.name, m.gender, m.ethnicity, m.birth_date, m.id_number, m.education, "
    "m.phone, e.name, b.name, m.category, m.joined_on, m.confirmed_on, m.party_post, "
    "m.job_title, m.status, m.note"
)
BARE_FROM = (
    "FROM member m LEFT JOIN enterprise e ON e.id = m.enterprise_id "
    "LEFT JOIN branch b ON b.id = m.branch_id WHERE m.deleted = 0"
)
BARE_ORDER = {
    "name": "m.name",
    "birth_date": "m.birth_date",
    "id_number": "m.id_number",
    "enterprise": "e.name",
    "branch": "b.name",
    "joined_on": "m.joined_on",
}


def ms(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def bare_page(
    con: sqlite3.Connection, where: str = "", order: str = "m.name", offset: int = 0
) -> list:
    sql = f"SELECT {BARE_COLUMNS} {BARE_FROM} {where} ORDER BY {order}, m.id LIMIT 200 OFFSET ?"
    return con.execute(sql, (offset,)).fetchall()


def bare_search(con: sqlite3.Connection, word: str) -> list:
    like = "m.name LIKE ?"
    con.execute(f"SELECT count(*) {BARE_FROM} AND {like}", (f"%{word}%",)).fetchone()
    sql = f"SELECT {BARE_COLUMNS} {BARE_FROM} AND {like} ORDER BY m.name, m.id LIMIT 200"
    return con.execute(sql, (f"%{word}%",)).fetchall()


def bare_window(con: sqlite3.Connection) -> None:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    rows = bare_page(con)
    con.execute(f"SELECT count(*) {BARE_FROM}").fetchone()
    model = QStandardItemModel(len(rows), 16)
    for r, row in enumerate(rows):
        for c, value in enumerate(row[2:]):
            model.setItem(r, c, QStandardItem("" if value is None else str(value)))
    view = QTableView()
    view.setModel(model)
    view.resize(1300, 800)
    view.show()
    QApplication.processEvents()
    view.close()
    view.deleteLater()
    QApplication.processEvents()


def one_size(members: int) -> None:
    from PySide6.QtWidgets import QApplication

    from partybuild.ledgers import spec
    from partybuild.store.database import open_database
    from partybuild.ui.app import make_application
    from partybuild.ui.ledger_page import LedgerPage
    from tests.benchmarks.roster import copy_of

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_of(members, Path(tmp) / "bench.sqlite3")
        prepare_s = time.perf_counter() - t0
        make_application()
        open_database(path)
        con = sqlite3.connect(path)
        figures: dict[str, tuple[list[float], list[float]]] = {}

        def record(name: str, ours: float, bare: float) -> None:
            a, b = figures.setdefault(name, ([], []))
            a.append(ours)
            b.append(bare)

        def show_page() -> LedgerPage:
            page = LedgerPage(spec.ledger("members"))
            page.resize(1300, 800)
            page.show()
            QApplication.processEvents()
            return page

        for _ in range(5):
            holder: list[LedgerPage] = []
            record(
                "first rows",
                ms(lambda h=holder: h.append(show_page())),
                ms(lambda: bare_window(con)),
            )
            assert holder[0].model.rowCount() > 0
            holder[0].close()
            holder[0].deleteLater()
            QApplication.processEvents()

        page = show_page()
        debounce = getattr(page, "SEARCH_DELAY_MS", 0)

        def search(text: str) -> None:
            page.search.blockSignals(True)
            page.search.setText(text)  # as typed: the query runs when the debounce fires
            page.search.blockSignals(False)
            page.apply_filters()  # what the debounce timer calls (its wait is not measured)
            QApplication.processEvents()

        for text in SEARCHES:
            record(
                "search keystroke → rows",
                ms(lambda t=text: search(t)),
                ms(lambda t=text: bare_search(con, t)),
            )
        found = {t: 0 for t in SEARCHES}
        for text in SEARCHES:
            search(text)
            found[text] = page.model.total
        search("")

        total = page.model.total
        for row in (5_000, total // 2, total - 1):

            def scroll(r: int = row) -> None:
                model = page.model
                while model.rowCount() <= r and model.canFetchMore():
                    model.fetchMore()
                page.table.scrollTo(model.index(r, 0))
                page.table.viewport().repaint()
                QApplication.processEvents()

            record("scroll to a row", ms(scroll), ms(lambda r=row: bare_page(con, offset=r)))
            page.table.scrollToTop()
            search("x")
            search("")

        header = page.table.horizontalHeader()
        names = [c.name for c in page.model.columns]
        for name in SORT_COLUMNS:
            column = names.index(name)

            def sort(c: int = column) -> None:
                page.table.sortByColumn(c, header.sortIndicatorOrder())
                page.table.viewport().repaint()
                QApplication.processEvents()

            record(
                "sort by a column", ms(sort), ms(lambda n=name: bare_page(con, order=BARE_ORDER[n]))
            )
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        con.close()

    targets = {
        "first rows": 100,
        "search keystroke → rows": 100,
        "scroll to a row": 100,
        "sort by a column": 200,
    }
    print(f"members page, {members:,} full-field members (copy of cached roster {prepare_s:.1f} s)")
    for name, (ours, bare) in figures.items():
        o, b = statistics.median(ours), statistics.median(bare)
        target = targets[name]
        met = "met" if max(ours) <= target else "NOT met"
        print(
            f"  {name:26s} median {o:6.1f} ms (max {max(ours):6.1f})   bare {b:6.1f} ms"
            f"   ratio {o / b:5.1f}×   target ≤ {target} ms (max): {met}"
        )
    print(f"  search debounce {debounce} ms before the query (not in the figure above)")
    print("  matches: " + ", ".join(f"{t} {n:,}" for t, n in found.items()))
    print(f"  peak RSS {rss_mb:.0f} MB   target ≤ 300 MB: {'met' if rss_mb <= 300 else 'NOT met'}")


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "").split(",") if s] or list(SIZES)
    for members in sizes:
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_members_page", str(members)],
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        one_size(int(sys.argv[1]))
    else:
        main()
