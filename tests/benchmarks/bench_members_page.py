"""The members page with 50,000 members: first rows, search-to-rows, peak memory.

Targets on the project's machine (2 cores): first rows ≤ 300 ms, filter ≤ 100 ms, RSS ≤ 300 MB.
Builds the demo ledger and adds synthetic members until there are 50,000, in a temporary file.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MEMBERS = 50_000


def build(path: Path) -> None:
    from partybuild.domain.validators import make_id_number
    from partybuild.services.demo import build_demo
    from partybuild.store import models as m
    from partybuild.store.database import open_database

    database = open_database(path)
    build_demo(database)
    rng = random.Random(50_000)
    branches = [b.id for b in m.Branch.select(m.Branch.id)]
    enterprises = [e.id for e in m.Enterprise.select(m.Enterprise.id)]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    given = "安华明文强伟芳敏静丽军杰涛超勇艳娟霞平刚辉鹏"
    existing = m.Member.select().count()
    now = dt.datetime(2023, 12, 31, 12, 0)
    rows = []
    for i in range(MEMBERS - existing):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 15000))
        rows.append(
            {
                "name": rng.choice(surnames) + "示" + rng.choice(given),
                "id_number": make_id_number("999998", born, i % 1000),
                "birth_date": born,
                "gender": "male",
                "phone": f"199{rng.randrange(10**8):08d}",
                "branch": rng.choice(branches),
                "enterprise": rng.choice(enterprises),
                "category": rng.choice(["full", "full", "full", "probationary", "activist"]),
                "status": "normal",
                "created_at": now,
                "updated_at": now,
            }
        )
    # ID numbers must be unique: vary the region's last digits when the sequence repeats.
    for i, row in enumerate(rows):
        region = f"99{i // 1000 % 10000:04d}"
        row["id_number"] = make_id_number(region, row["birth_date"], i % 1000)
    with database.atomic():
        for start in range(0, len(rows), 2000):
            m.Member.insert_many(rows[start : start + 2000]).execute()
    database.close()


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from partybuild.ledgers import spec
    from partybuild.store import models as m
    from partybuild.store.database import open_database
    from partybuild.ui.app import make_application
    from partybuild.ui.ledger_page import LedgerPage

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        started = time.perf_counter()
        build(path)
        build_s = time.perf_counter() - started

        make_application()
        open_database(path)
        assert m.Member.select().count() == MEMBERS

        first_rows = []
        for _ in range(5):
            t0 = time.perf_counter()
            page = LedgerPage(spec.ledger("members"))
            page.resize(1300, 800)
            page.show()
            QApplication.processEvents()
            first_rows.append((time.perf_counter() - t0) * 1000)
            assert page.model.rowCount() > 0
            page.close()
            page.deleteLater()
            QApplication.processEvents()

        page = LedgerPage(spec.ledger("members"))
        page.resize(1300, 800)
        page.show()
        QApplication.processEvents()
        filters = []
        for text in ["王", "王示", "王示安", "", "李", "李示", "张", "9999", "联合", ""]:
            t0 = time.perf_counter()
            page.search.setText(text)  # textChanged → SQL → model reset
            QApplication.processEvents()
            filters.append((time.perf_counter() - t0) * 1000)
        sorts = []
        for column in (0, 3, 8, 9):
            t0 = time.perf_counter()
            page.table.sortByColumn(column, page.table.horizontalHeader().sortIndicatorOrder())
            QApplication.processEvents()
            sorts.append((time.perf_counter() - t0) * 1000)
        scroll = time.perf_counter()
        while page.model.rowCount() < 5000 and page.model.canFetchMore():
            page.model.fetchMore()
        scroll_ms = (time.perf_counter() - scroll) * 1000
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"members page, {MEMBERS:,} members (build {build_s:.1f} s)")
    print(
        f"  first rows shown: median {statistics.median(first_rows):.0f} ms (max {max(first_rows):.0f})  target ≤ 300 ms"
    )
    print(
        f"  search keystroke → filtered rows: median {statistics.median(filters):.0f} ms (max {max(filters):.0f})  target ≤ 100 ms"
    )
    print(f"  sort by a column: median {statistics.median(sorts):.0f} ms (max {max(sorts):.0f})")
    print(f"  scroll to row 5,000 (25 pages): {scroll_ms:.0f} ms")
    print(f"  peak RSS: {rss_mb:.0f} MB  target ≤ 300 MB")
