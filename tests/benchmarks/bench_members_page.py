"""The members page with 50,000 and 200,000 full-field members, each figure beside bare SQL.

Targets (issue 12, 200,000 members): first rows ≤ 100 ms, search keystroke → rows ≤ 100 ms,
scroll to any row ≤ 100 ms, sort by any column ≤ 200 ms, peak RSS ≤ 300 MB.

Each size runs in a child process of its own (fair RSS). The baseline of every figure is measured
in the same process, alternating with it: sqlite3 alone running the plainest SQL that gives the
same page (the same columns and joins, ``LIKE`` on the name, ``ORDER BY``/``OFFSET``), and for the
first rows that page put into a bare QTableView (QStandardItemModel) and shown.
``BENCH_SIZES=50000`` runs one size only.

A search shows its first page before its count (the count follows once the rows are painted,
ui.table_model): "search keystroke → rows" is the time until the rows are painted, and "search
keystroke → counted" the time until the count is known and shown as well; the latter is what a
user waits for before the figure "共 N 条" is right, so it is reported beside the former.

The same figures on PostgreSQL (``BENCH_PG=0`` leaves it out; ``BENCH_PG_SIZES`` its sizes,
default 50,000 and 200,000): a throwaway cluster as the tests start one (tests/pg.py), filled by
the roster's builder (the same demo ledger and synthetic members, not a copy of the SQLite file),
the bare baseline run through psycopg2 on a connection of its own.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

SIZES = (50_000, 200_000)
SEARCHES = ["王", "王安", "zs", "zhang", "1395", "龚", "联合党支部", "没有这个人", "张伟"]
# Every column of the page, each sorted once (a column without its index once took 0.6 s).
SORT_COLUMNS = (
    "birth_date",
    "id_number",
    "enterprise",
    "branch",
    "joined_on",
    "name",
    "gender",
    "ethnicity",
    "education",
    "phone",
    "category",
    "confirmed_on",
    "party_post",
    "job_title",
    "status",
    "note",
)

BARE_COLUMNS = (
    "m.id, m.version, m.name, m.gender, m.ethnicity, m.birth_date, m.id_number, m.education, "
    "m.phone, e.name, b.name, m.category, m.joined_on, m.confirmed_on, m.party_post, "
    "m.job_title, m.status, m.note"
)
BARE_FROM = (
    "FROM member m LEFT JOIN enterprise e ON e.id = m.enterprise_id "
    "LEFT JOIN branch b ON b.id = m.branch_id WHERE m.deleted = 0"
)
BARE_ORDER = {name: f"m.{name}" for name in SORT_COLUMNS} | {
    "enterprise": "e.name",
    "branch": "b.name",
}


def ms(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


class PgConnection:
    """psycopg2 behind sqlite3's ``execute(sql, params).fetchall()``, for the bare baseline."""

    def __init__(self, url: str) -> None:
        import psycopg2

        self.con = psycopg2.connect(url)
        self.con.autocommit = True

    def execute(self, sql: str, params: tuple = ()) -> Any:
        cursor = self.con.cursor()
        cursor.execute(sql.replace("deleted = 0", "deleted = false").replace("?", "%s"), params)
        return cursor

    def close(self) -> None:
        self.con.close()


def bare_page(con: Any, where: str = "", order: str = "m.name", offset: int = 0) -> list:
    sql = f"SELECT {BARE_COLUMNS} {BARE_FROM} {where} ORDER BY {order}, m.id LIMIT 200 OFFSET ?"
    return con.execute(sql, (offset,)).fetchall()


def bare_search(con: Any, word: str) -> list:
    like = "m.name LIKE ?"
    con.execute(f"SELECT count(*) {BARE_FROM} AND {like}", (f"%{word}%",)).fetchone()
    sql = f"SELECT {BARE_COLUMNS} {BARE_FROM} AND {like} ORDER BY m.name, m.id LIMIT 200"
    return con.execute(sql, (f"%{word}%",)).fetchall()


def bare_window(con: Any) -> None:
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


@contextmanager
def sqlite_ledger(members: int) -> Iterator[tuple[Any, str]]:
    """The cached roster copied: (bare connection, what prepared it)."""
    from partybuild.store.database import close_database, open_database
    from tests.benchmarks.roster import copy_of

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = copy_of(members, Path(tmp) / "bench.sqlite3")
        prepared = f"copy of cached roster {time.perf_counter() - t0:.1f} s"
        open_database(path)
        con = sqlite3.connect(path)
        try:
            yield con, prepared
        finally:
            con.close()
            close_database()


@contextmanager
def postgres_ledger(members: int) -> Iterator[tuple[Any, str]]:
    """A throwaway cluster with the roster built into it: (bare connection, what it took)."""
    from partybuild.store.database import close_database, open_database
    from tests.benchmarks.roster import build_apart
    from tests.pg import PgCluster, find_pg_bin

    bindir = find_pg_bin()
    if bindir is None:
        raise SystemExit("PostgreSQL server binaries not found (initdb)")
    cluster = PgCluster(bindir)
    cluster.start()
    try:
        url = cluster.new_database()
        t0 = time.perf_counter()
        build_apart(url, members)  # its memory is not this process's (fair peak RSS)
        open_database(url)
        prepared = f"PostgreSQL, roster built in {time.perf_counter() - t0:.0f} s"
        con = PgConnection(url)
        try:
            yield con, prepared
        finally:
            con.close()
            close_database()
    finally:
        cluster.stop()


def one_size(members: int, engine: str = "sqlite") -> None:
    from PySide6.QtWidgets import QApplication

    from partybuild.ledgers import spec
    from partybuild.ui.app import make_application
    from partybuild.ui.ledger_page import LedgerPage

    ledger = sqlite_ledger if engine == "sqlite" else postgres_ledger
    with ledger(members) as (con, prepared):
        make_application()
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

        def search(text: str) -> float:
            """Type ``text``; the time until its rows are painted (ms), and then until its
            count is known and shown too (the return value: ms from the keystroke)."""
            t0 = time.perf_counter()
            page.search.blockSignals(True)
            page.search.setText(text)  # as typed: the query runs when the debounce fires
            page.search.blockSignals(False)
            page.apply_filters()  # what the debounce timer calls (its wait is not measured)
            if not page.model.counting:  # (counting, the page has painted its rows itself)
                page.table.viewport().repaint()  # the rows on screen
            shown = (time.perf_counter() - t0) * 1000
            QApplication.processEvents()  # the count, if it was still to come, and its repaint
            while page.model.counting:
                QApplication.processEvents()
            return shown

        for text in SEARCHES:
            t0 = time.perf_counter()
            shown = search(text)
            counted = (time.perf_counter() - t0) * 1000
            bare = ms(lambda t=text: bare_search(con, t))
            record("search keystroke → rows", shown, bare)
            record("search keystroke → counted", counted, bare)
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
        sorted_by: dict[str, float] = {}
        for name in SORT_COLUMNS:
            column = names.index(name)

            def sort(c: int = column) -> None:
                page.table.sortByColumn(c, header.sortIndicatorOrder())
                page.table.viewport().repaint()
                QApplication.processEvents()

            took = ms(sort)
            sorted_by[name] = took
            record("sort by a column", took, ms(lambda n=name: bare_page(con, order=BARE_ORDER[n])))
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    targets = {
        "first rows": 100,
        "search keystroke → rows": 100,
        "search keystroke → counted": 100,
        "scroll to a row": 100,
        "sort by a column": 200,
    }
    where = "SQLite" if engine == "sqlite" else "PostgreSQL"
    print(f"members page on {where}, {members:,} full-field members ({prepared})")
    for name, (ours, bare) in figures.items():
        o, b = statistics.median(ours), statistics.median(bare)
        target = targets[name]
        met = "met" if max(ours) <= target else "NOT met"
        print(
            f"  {name:26s} median {o:6.1f} ms (max {max(ours):6.1f})   bare {b:6.1f} ms"
            f"   ratio {o / b:5.1f}×   target ≤ {target} ms (max): {met}"
        )
    slowest = sorted(sorted_by.items(), key=lambda item: -item[1])[:3]
    print("  slowest sorts: " + ", ".join(f"{n} {t:.0f} ms" for n, t in slowest))
    print(f"  search debounce {debounce} ms before the query (not in the figure above)")
    print("  matches: " + ", ".join(f"{t} {n:,}" for t, n in found.items()))
    print(f"  peak RSS {rss_mb:.0f} MB   target ≤ 300 MB: {'met' if rss_mb <= 300 else 'NOT met'}")


def main() -> None:
    from tests.benchmarks.roster import roster

    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "").split(",") if s] or list(SIZES)
    runs = [("sqlite", n) for n in sizes]
    if os.environ.get("BENCH_PG", "1") != "0":
        pg_sizes = [int(s) for s in os.environ.get("BENCH_PG_SIZES", "").split(",") if s]
        runs += [("postgres", n) for n in pg_sizes or sizes]
    for engine, members in runs:
        if engine == "sqlite":
            roster(members)  # built (in a process of its own) before the measured one starts
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_members_page", engine, str(members)],
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )


if __name__ == "__main__":
    if len(sys.argv) > 2:
        one_size(int(sys.argv[2]), sys.argv[1])
    else:
        main()
