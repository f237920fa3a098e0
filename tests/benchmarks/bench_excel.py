"""Excel exchange with a 50,000-member roster: import and export next to bare openpyxl.

Targets (issue 4): import ≤ 2× openpyxl reading the same file (``read_only=True,
values_only=True``), export ≤ 1.5× openpyxl writing the same values (``write_only=True``).
Issue 12: import ≤ 4× bare python-calamine, export ≤ 1.5× bare xlsxwriter (constant_memory);
the dry run (read and plan, what 预检 waits for) ≤ 3× bare python-calamine, each alternating with
its own calamine read; the same import into PostgreSQL (a throwaway cluster as ``tests/pg.py``
starts, the same registry imported into it first) ≤ 1.2× SQLite, alternating run by run.
The roster is the full-field one of ``roster.py`` (every column filled), from its cache.
Each measured step runs in a fresh child process, so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MEMBERS = 50_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(target: Any, *args: Any) -> tuple[float, float, Any]:
    """Run ``target(*args)`` in a fresh process: (seconds, peak RSS MB, result)."""
    context = mp.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_measure, (target, *args))


def _measure(target: Any, *args: Any) -> tuple[float, float, Any]:
    started = time.perf_counter()
    result = target(*args)
    return time.perf_counter() - started, _rss_mb(), result


# --------------------------------------------------------------------------- steps (children)
# Each step imports what it needs first and times only the work itself, so module loading and
# opening the database count for neither side.


def step_build(path: str) -> int:
    """The full-field roster (tests/benchmarks/roster.py), copied from the cache."""
    from tests.benchmarks.roster import copy_of

    copy_of(MEMBERS, Path(path))
    return MEMBERS


def step_export(db: str, out: str) -> dict[str, Any]:
    """partybuild's export as the user waits for it: reading and sorting the rows, the formatted
    sheet (title, styles, print setup, filter), the atomic save with its zip check. The bare
    writers below get the same rows computed before their clock starts."""
    from partybuild.exchange import export as excel_export
    from partybuild.store.database import open_database

    open_database(db)
    started = time.perf_counter()
    rows = excel_export.export(out, ["members"])["members"]
    return {"seconds": time.perf_counter() - started, "rows": rows}


def step_bare_write(db: str, out: str) -> dict[str, Any]:
    """openpyxl alone writing the same cells (computed before the clock starts)."""
    from openpyxl import Workbook

    from partybuild.exchange import export as excel_export
    from partybuild.exchange import sheets as excel_layout
    from partybuild.store.database import open_database

    open_database(db)
    sheet = excel_layout.sheet("members")
    rows = excel_export.sheet_rows(sheet)
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(sheet.label)
    ws.append([f"{sheet.label}台账"])
    ws.append([c.header for c in sheet.columns])
    for row in rows:
        ws.append(row)
    workbook.save(out)
    return {"seconds": time.perf_counter() - started}


def step_bare_xlsxwriter(db: str, out: str) -> dict[str, Any]:
    """xlsxwriter alone (constant_memory) writing the same cells (computed before the clock)."""
    import xlsxwriter

    from partybuild.exchange import export as excel_export
    from partybuild.exchange import sheets as excel_layout
    from partybuild.store.database import open_database

    open_database(db)
    sheet = excel_layout.sheet("members")
    rows = excel_export.sheet_rows(sheet)
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = workbook.add_worksheet(sheet.label)
    ws.write_row(0, 0, [f"{sheet.label}台账"])
    ws.write_row(1, 0, [c.header for c in sheet.columns])
    for r, row in enumerate(rows, start=2):
        ws.write_row(r, 0, row)
    workbook.close()
    return {"seconds": time.perf_counter() - started}


def step_bare_read(path: str) -> dict[str, Any]:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in workbook.worksheets:
        for _row in ws.iter_rows(values_only=True):
            n += 1
    workbook.close()
    return {"seconds": time.perf_counter() - started, "rows": n}


def step_bare_calamine(path: str) -> dict[str, Any]:
    """python-calamine alone (the reader partybuild uses) reading every row of the same file."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(path)
    n = 0
    for name in workbook.sheet_names:
        for _row in workbook.get_sheet_by_name(name).iter_rows():
            n += 1
    workbook.close()
    return {"seconds": time.perf_counter() - started, "rows": n}


def step_registry(db: str, target: str, out: str) -> int:
    """A database with the branches and enterprises the roster links to, and no members."""
    from partybuild.exchange import export as excel_export
    from partybuild.exchange import importer as excel_import
    from partybuild.store.database import close_database, open_database

    open_database(db)
    excel_export.export(out, ["branches", "enterprises"])
    close_database()
    database = open_database(target)
    plan = excel_import.plan_file(out)
    written = excel_import.apply(plan, database).written
    close_database()  # the last connection checkpoints the WAL into the file
    return written


def step_import(db: str, path: str) -> dict[str, Any]:
    from partybuild.exchange import importer as excel_import
    from partybuild.exchange import templates  # noqa: F401 - loaded by the first read anyway
    from partybuild.store.database import open_database

    database = open_database(db)
    t0 = time.perf_counter()
    plan = excel_import.read_file(path)
    t1 = time.perf_counter()
    excel_import.plan(plan)
    t2 = time.perf_counter()
    result = excel_import.apply(plan, database)
    t3 = time.perf_counter()
    return {
        "seconds": t3 - t0,
        "counts": plan.counts(),
        "read": t1 - t0,
        "plan": t2 - t1,
        "write": t3 - t2,
        "written": result.written,
    }


# --------------------------------------------------------------------------- import (issue 12)
# The import half's own figures: the dry run (read and plan, what the wizard's 预检 waits for)
# against the bare python-calamine read, and the same import into PostgreSQL against SQLite.


def step_dry_run(db: str, path: str) -> dict[str, Any]:
    """Read and plan (预检) against the registry, nothing written."""
    from partybuild.exchange import importer as excel_import
    from partybuild.exchange import templates  # noqa: F401 - loaded by the first read anyway
    from partybuild.store.database import open_database

    open_database(db)
    started = time.perf_counter()
    plan = excel_import.read_file(path)
    excel_import.plan(plan)
    return {"seconds": time.perf_counter() - started, "counts": plan.counts()}


def step_pg_registry(url: str, registry_xlsx: str) -> int:
    """A PostgreSQL database with the same branches and enterprises as the SQLite registry."""
    from partybuild.exchange import importer as excel_import
    from partybuild.store.database import close_database, open_database

    database = open_database(url)
    written = excel_import.apply(excel_import.plan_file(registry_xlsx), database).written
    close_database()
    return written


def import_figures(folder: Path, roster: str, registry: str, registry_xlsx: str) -> None:
    """Dry run vs bare calamine, and PostgreSQL vs SQLite, alternating run by run."""
    from partybuild.store.database import backup_sqlite
    from tests.pg import PgCluster, find_pg_bin

    dry_runs, calamine_reads = [], []
    for run in range(RUNS):
        fresh = folder / f"dry-{run}.sqlite3"
        backup_sqlite(Path(registry), fresh)
        dry_runs.append(_in_child(step_dry_run, str(fresh), roster))
        calamine_reads.append(_in_child(step_bare_calamine, roster))
    dry_s = statistics.median(r[2]["seconds"] for r in dry_runs)
    calamine_s = statistics.median(r[2]["seconds"] for r in calamine_reads)
    print(
        f"  dry run (read+plan):   {dry_s:6.2f} s   bare python-calamine     {calamine_s:6.2f} s"
        f"   ratio {dry_s / calamine_s:4.2f}  target ≤ 3 (issue 12)"
    )
    bindir = find_pg_bin()
    if bindir is None:
        print("  PostgreSQL import: skipped (no PostgreSQL server binaries on this machine)")
        return
    cluster = PgCluster(bindir)
    cluster.start()
    try:
        pg_imports, sqlite_imports = [], []
        for run in range(RUNS):
            url = cluster.new_database()
            _in_child(step_pg_registry, url, registry_xlsx)
            pg_imports.append(_in_child(step_import, url, roster))
            fresh = folder / f"pg-pair-{run}.sqlite3"
            backup_sqlite(Path(registry), fresh)
            sqlite_imports.append(_in_child(step_import, str(fresh), roster))
    finally:
        cluster.stop()
    pg_s = statistics.median(r[2]["seconds"] for r in pg_imports)
    sqlite_s = statistics.median(r[2]["seconds"] for r in sqlite_imports)
    pg = sorted(pg_imports, key=lambda r: r[2]["seconds"])[RUNS // 2][2]
    print(
        f"  import into PostgreSQL:{pg_s:6.2f} s   SQLite (same run)        {sqlite_s:6.2f} s"
        f"   ratio {pg_s / sqlite_s:4.2f}  target ≤ 1.2 (issue 12)"
    )
    print(
        f"     (PostgreSQL read+parse {pg['read']:.2f} s, plan {pg['plan']:.2f} s, "
        f"write {pg['write']:.2f} s; written {pg['written']:,})"
    )


# --------------------------------------------------------------------------- report

RUNS = 3


def main() -> None:
    from partybuild.store.database import backup_sqlite

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = str(folder / "roster.sqlite3")
        roster = str(folder / "members.xlsx")
        build_s, _, _ = _in_child(step_build, db)
        registry = str(folder / "registry.sqlite3")
        _in_child(step_registry, db, registry, str(folder / "registry.xlsx"))
        exports, bare_writes, imports, bare_reads, calamine_reads = [], [], [], [], []
        xlsxwriter_writes: list[tuple[float, float, Any]] = []
        for run in range(RUNS):  # alternate, so load on the machine hits both sides alike
            exports.append(_in_child(step_export, db, roster))
            bare_writes.append(_in_child(step_bare_write, db, str(folder / "bare.xlsx")))
            xlsxwriter_writes.append(
                _in_child(step_bare_xlsxwriter, db, str(folder / "bare-xlsxwriter.xlsx"))
            )
            fresh = folder / f"fresh-{run}.sqlite3"
            backup_sqlite(Path(registry), fresh)
            imports.append(_in_child(step_import, str(fresh), roster))
            bare_reads.append(_in_child(step_bare_read, roster))
            calamine_reads.append(_in_child(step_bare_calamine, roster))
        again = _in_child(step_import, db, roster)
        size_mb = Path(roster).stat().st_size / 1e6
        registry_xlsx = str(folder / "registry.xlsx")
        import_lines = _captured(import_figures, folder, roster, registry, registry_xlsx)

    def median(runs: list[tuple[float, float, Any]]) -> float:
        return statistics.median(r[2]["seconds"] for r in runs)

    def peak(runs: list[tuple[float, float, Any]]) -> float:
        return max(r[1] for r in runs)

    export_s, bare_write_s = median(exports), median(bare_writes)
    import_s, bare_read_s = median(imports), median(bare_reads)
    calamine_s = median(calamine_reads)
    details = sorted(imports, key=lambda r: r[2]["seconds"])[RUNS // 2][2]
    members = details["counts"]["members"]
    rows = exports[0][2]["rows"]
    print(
        f"Excel exchange, {rows:,} members ({size_mb:.1f} MB xlsx; database build {build_s:.1f} s);"
        f" median of {RUNS} alternating runs"
    )
    print(
        f"  export members:        {export_s:6.2f} s   bare openpyxl write_only {bare_write_s:6.2f} s"
        f"   ratio {export_s / bare_write_s:4.2f}  target ≤ 1.5"
    )
    xlsxwriter_s = median(xlsxwriter_writes)
    print(
        f"                         bare xlsxwriter constant_memory {xlsxwriter_s:6.2f} s"
        f"   ratio {export_s / xlsxwriter_s:4.2f}  target ≤ 1.5 (issue 12)"
    )
    print(
        f"  import into empty db:  {import_s:6.2f} s   bare openpyxl read_only  {bare_read_s:6.2f} s"
        f"   ratio {import_s / bare_read_s:4.2f}  target ≤ 2.0"
    )
    print(
        f"                                    bare python-calamine     {calamine_s:6.2f} s"
        f"   ratio {import_s / calamine_s:4.2f}  target ≤ 4 (issue 12)"
    )
    print(
        f"     (read+parse {details['read']:.2f} s, plan {details['plan']:.2f} s, "
        f"write {details['write']:.2f} s; new {members['new']:,}, invalid {members['invalid']})"
    )
    print(
        f"  re-import, unchanged:  {again[2]['seconds']:6.2f} s   ratio"
        f" {again[2]['seconds'] / bare_read_s:4.2f}"
        f"   (unchanged {again[2]['counts']['members']['unchanged']:,}, written {again[2]['written']})"
    )
    print(
        f"  peak RSS: export {peak(exports):.0f} MB (bare write {peak(bare_writes):.0f} MB), "
        f"import {peak(imports):.0f} MB, re-import {again[1]:.0f} MB "
        f"(bare read {peak(bare_reads):.0f} MB, bare calamine {peak(calamine_reads):.0f} MB)"
    )
    print(import_lines, end="")


def _captured(target: Any, *args: Any) -> str:
    """What ``target`` prints, kept to be printed after the export and import lines."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        target(*args)
    return out.getvalue()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
