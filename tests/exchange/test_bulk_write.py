"""The import's fast write stores exactly what the ordinary ORM write stores, column by column.

The fast path (``importer._insert_bulk``: values bound once, ``executemany`` on SQLite with the
member indexes built after the insert and the search index filled in one statement,
``COPY … FROM STDIN`` on PostgreSQL, ``execute_values`` there when a value is not one COPY's
text is written for) is compared with peewee's own ``insert_many`` of the same
rows — the write the importer used on PostgreSQL before, which runs the model's derived columns
(pinyin key, search text, masked parts) and defaults through the ORM. Both import the same file
into fresh databases at a frozen time; every table is then read back row by row, every column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from partybuild.exchange import export as excel_export
from partybuild.exchange import importer as imp
from partybuild.services import records
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.exchange.conftest import person_id, workbook
from tests.pg import PgCluster

FROZEN = dt.datetime(2024, 3, 5, 9, 30, 0)


@pytest.fixture(params=["sqlite", "postgres"])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two fresh, empty databases of one kind (fast path, reference path)."""
    if request.param == "sqlite":
        yield str(tmp_path / "fast.sqlite3"), str(tmp_path / "reference.sqlite3")
    else:
        cluster = request.getfixturevalue("pg_cluster")
        yield cluster.new_database(), cluster.new_database()
    close_database()


def _reference_insert(sheet_spec: Any, rows: list[imp.PlannedRow], stamp: dict[str, Any]) -> None:
    """The ordinary ORM write of the same rows, one ``insert_many`` per 50 rows."""
    dicts = [{**{k: imp._final(v) for k, v in r.values.items()}, **stamp} for r in rows]
    for start in range(0, len(dicts), 50):
        sheet_spec.model.insert_many(dicts[start : start + 50]).execute()


def _counted(make: Any, made: list[Any]) -> Any:
    def counted(params: Any) -> Any:
        made.append(make(params))
        return made[-1]

    return counted


def _refused_after(chunks: int, make: Any) -> Any:
    """``make`` for the first ``chunks`` chunks of COPY's text, then a value it is not written
    for."""
    made: list[Any] = []

    def refusing(params: Any) -> Any:
        if len(made) >= chunks:
            raise imp._NotCopied
        made.append(make(params))
        return made[-1]

    return refusing


def _dump(database: pw.Database, started: dt.datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and, on SQLite, the search index and the index list).

    Times stamped by the clock (the 操作日志's own time) are replaced by a marker; the records'
    times are frozen."""
    tables = sorted(database.get_tables())
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for table in tables:
        if table == "migratehistory" or table.endswith("_fts") or "_fts_" in table:
            continue
        cursor = database.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1')
        names = [d[0] for d in cursor.description]
        rows = []
        for row in cursor.fetchall():
            cells = []
            for name, value in zip(names, row, strict=True):
                if isinstance(value, dt.datetime) and value >= started:
                    value = "<clock>"
                elif (
                    isinstance(value, str) and value >= f"{started:%Y-%m-%d}" and value[:2] == "20"
                ):
                    value = "<clock>" if len(value) >= 19 and value[10] in " T" else value
                cells.append((name, value))
            rows.append(tuple(cells))
        dump[table] = rows
    if isinstance(database, pw.SqliteDatabase):
        dump["<search index>"] = database.execute_sql(
            'SELECT rowid, search_text FROM "member_fts" ORDER BY rowid'
        ).fetchall()
        dump["<schema>"] = database.execute_sql(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    else:  # the indexes a large import sets aside and builds again
        dump["<schema>"] = _pg_indexes(database)
    return dump


def _import_into(
    url: str,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    fast: bool,
    registry: bool = False,
    copy: bool | str = True,
) -> dict[str, list[tuple[Any, ...]]]:
    started = dt.datetime.now().replace(microsecond=0)
    database = open_database(url)
    copied: list[Any] = []
    with monkeypatch.context() as patch:
        if registry:
            _park()
        patch.setattr(m, "now", lambda: FROZEN)
        if fast:
            # Exercise the deferred indexes and PostgreSQL's pages on a small file too.
            patch.setattr(imp, "DEFER_INDEXES_FROM", 1)
            patch.setattr(imp, "PG_PAGE", 7)
            patch.setattr(imp, "COPY_ROWS", 5)  # COPY's text made and sent in chunks
            if copy is not True:
                # PostgreSQL's INSERT path: a value COPY is not written for, in the first chunk
                # (copy=False) or in the second, after the first was sent (copy="midway").
                refused = _refused_after(0 if copy is False else 1, imp._copy_lines)
                patch.setattr(imp, "_copy_lines", refused)
            else:
                patch.setattr(imp, "_copy_lines", _counted(imp._copy_lines, copied))
        else:
            patch.setattr(imp, "_insert_bulk", _reference_insert)
        plan = imp.plan_file(path)
        assert not plan.invalid, [r.summary for r in plan.invalid][:5]
        written = imp.apply(plan, database).written
    assert written > 0
    if fast and copy is True and not isinstance(database, pw.SqliteDatabase):
        assert copied and all(text is not None for text in copied)  # every batch went by COPY
    dump = _dump(database, started)
    close_database()
    return dump


def _compare(fast: dict[str, Any], reference: dict[str, Any]) -> None:
    assert fast.keys() == reference.keys()
    for table in fast:
        assert len(fast[table]) == len(reference[table]), table
        for got, expected in zip(fast[table], reference[table], strict=True):
            assert got == expected, table


def test_the_demo_ledgers_export_is_stored_alike(
    two_databases: tuple[str, str],
    demo_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = tmp_path / "demo.sqlite3"
    copy.write_bytes(demo_file.read_bytes())
    open_database(copy)
    members = m.Member.select().count()
    exported = excel_export.export(tmp_path / "demo.xlsx", None)
    close_database()
    assert exported["members"] == members > 100
    fast_url, reference_url = two_databases
    fast = _import_into(fast_url, tmp_path / "demo.xlsx", monkeypatch, fast=True)
    reference = _import_into(reference_url, tmp_path / "demo.xlsx", monkeypatch, fast=False)
    assert len(fast["member"]) == members
    assert {name for name, rows in fast.items() if rows} >= {"branch", "enterprise", "member"}
    _compare(fast, reference)


BRANCH_A, BRANCH_B = "第一联合党支部", "第二联合党支部"
FIRMS = {"恒远化工有限公司": BRANCH_A, "瑞丰医药有限公司": BRANCH_A, "华新材料有限公司": BRANCH_B}


def _park() -> None:
    ids: dict[str, int] = {}
    for name in (BRANCH_A, BRANCH_B):
        ids[name] = records.create("branches", {"name": name, "kind": "joint"}).id
    for firm, branch in FIRMS.items():
        records.create("enterprises", {"name": firm, "branch": ids[branch]})


# 备注 as people write them: several lines, tabs, backslashes (a folder, a literal \\N), quotes.
NOTES = [
    None,
    "流动党员，已报备",
    "第一行\n第二行",
    "档案在 D:\\党建\\2023\\N 目录",
    "列\t对齐\t的备注",
    "引号 \"甲\" 和 '乙'，逗号, 分号;",
    "\\N",
]


def _real_roster(path: Path) -> Path:
    """A roster as offices keep one: a title row, 所在企业 and 所属党组织 merged over each
    enterprise's members, 出生年月 to the month, ID numbers and phones as text with the
    habits people type (a lower-case x, blanks), everyday spellings of 学历 and 类别, names
    with rare and surname-read characters, and a hidden stale sheet."""
    header = ["序号", "姓名", "性别", "出生年月", "身份证号", "学历", "所在企业", "所属党组织"]
    header += ["类别", "入党时间", "转正时间", "联系电话", "党内职务", "备注"]
    names = ["曾小华", "单田芳", "区 伟", "解放", "覃一鸣", "阿依古丽·买买提", "李四", "王𠀾"]
    educations = ["本科", "大专", "硕士研究生", "高中", "大学本科", "中专"]
    firms = [*["恒远化工有限公司"] * 5, *["瑞丰医药有限公司"] * 4, *["华新材料有限公司"] * 7]
    rows: list[list[Any]] = [["2023年度党员花名册", *[None] * (len(header) - 1)], header]
    for n, firm in enumerate(firms, start=1):
        born = dt.date(1970 + n, (n % 12) + 1, 10 + n % 15)
        id_number = person_id(300 + n, born)
        if n % 4 == 0:
            id_number = id_number[:17] + id_number[17].lower()
        if n % 5 == 0:
            id_number = f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}"
        full = n % 3 != 0
        first = n == 1 or firms[n - 2] != firm
        rows.append(
            [
                n,
                names[n % len(names)],
                "男" if int(person_id(300 + n, born)[16]) % 2 else "女",
                f"{born:%Y.%m}",
                id_number,
                educations[n % len(educations)],
                firm if first else None,
                FIRMS[firm] if first else None,
                "正式党员" if full else "预备党员",
                dt.date(1995 + n, 7, 1) if full else dt.date(2023, 6, 1),
                dt.date(1996 + n, 7, 1) if full else None,
                f"139 {n:04d} {n * 7:04d}",
                "支部书记" if n == 1 else None,
                NOTES[n % len(NOTES)],
            ]
        )
    merged = ["A1:N1", "G3:G7", "G8:G11", "G12:G18", "H3:H7", "H8:H11", "H12:H18"]
    workbook(path, {"党员花名册": rows, "旧名册": [header, *rows[2:5]]}, merge=merged)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["旧名册"].sheet_state = "hidden"
    book.save(path)
    return path


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "insert"])
def test_a_real_shaped_roster_is_stored_alike(
    two_databases: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy: bool
) -> None:
    path = _real_roster(tmp_path / "花名册.xlsx")
    fast_url, reference_url = two_databases
    fast = _import_into(fast_url, path, monkeypatch, fast=True, registry=True, copy=copy)
    reference = _import_into(reference_url, path, monkeypatch, fast=False, registry=True)
    _compare(fast, reference)
    members = [dict(row) for row in fast["member"]]
    assert len(members) == 16
    by_number = {r["id_number"]: r for r in members}
    first = by_number[person_id(301, dt.date(1971, 2, 11))]
    assert first["name"] == "单田芳" and first["name_key"].startswith("shan4")
    assert first["party_post"] == "支部书记"
    assert {r["enterprise_id"] for r in members} == {1, 2, 3}
    assert all(r["id_number"][17] in "0123456789X" for r in members)
    assert {r["note"] for r in members} == set(NOTES)


def test_copy_text_stores_what_an_insert_stores(pg_url: str) -> None:
    """Each kind of value COPY's text is written for, against psycopg2's own INSERT of it."""
    from decimal import Decimal

    from psycopg2.extras import execute_values

    database = open_database(pg_url)
    try:
        database.execute_sql(
            "CREATE TEMPORARY TABLE copied (t text, i integer, b boolean, f double precision,"
            " n numeric(12, 2), d date, ts timestamp, k serial)"
        )
        texts = ["", "\\N", "\\", "a\tb", "一\n二", "回车\r", "C:\\x\\N", "\x01\x7f", "𠀾 é"]
        rows: list[tuple[Any, ...]] = [
            (text, n, n % 2 == 0, n / 3, Decimal(f"{n}.05"), dt.date(1990, 1, 1 + n), FROZEN)
            for n, text in enumerate(texts)
        ]
        rows += [(None,) * 7, ("x", -5, False, 1e300, Decimal("-0.10"), None, None)]
        columns = "t, i, b, f, n, d, ts"
        made: list[tuple[Any, ...]] = []
        stream = imp._CopyStream(iter(rows), made)
        database.cursor().copy_expert(f"COPY copied ({columns}) FROM STDIN", stream)
        assert not stream.refused and made == rows
        execute_values(database.cursor(), f"INSERT INTO copied ({columns}) VALUES %s", rows)
        stored = database.execute_sql(f"SELECT {columns} FROM copied ORDER BY k").fetchall()
        half = len(rows)
        assert stored[:half] == stored[half:]
        assert [r[0] for r in stored[:half]] == [*texts, None, "x"]
        assert stored[half - 2] == (None,) * 7
        for refused in ("a\0b", object()):  # PostgreSQL text holds no NUL; no such kind
            stream = imp._CopyStream(iter([(refused,)]), [])
            with pytest.raises(imp._NotCopied):
                stream.read()
            assert stream.refused
    finally:
        database.execute_sql("DROP TABLE IF EXISTS copied")
        close_database()


def test_a_copy_refused_midway_stores_every_row_once(
    pg_cluster: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value COPY is not written for, after rows were sent: the COPY is undone to its
    savepoint and every row goes in by INSERT, once. (The ids the undone COPY drew from the
    sequence are not drawn again, as after any insert rolled back on PostgreSQL.)"""
    fast_url, reference_url = pg_cluster.new_database(), pg_cluster.new_database()
    path = _real_roster(tmp_path / "花名册.xlsx")
    fast = _import_into(fast_url, path, monkeypatch, fast=True, registry=True, copy="midway")
    reference = _import_into(reference_url, path, monkeypatch, fast=False, registry=True)

    def without_ids(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted(tuple(kv for kv in row if kv[0] != "id") for row in rows)

    assert len(fast["member"]) == len(reference["member"]) == 16
    assert without_ids(fast["member"]) == without_ids(reference["member"])
    assert min(dict(row)["id"] for row in fast["member"]) > 1  # the undone COPY drew ids


def _pg_indexes(database: pw.Database) -> list[tuple[str, str, str]]:
    return database.execute_sql(
        "SELECT tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() ORDER BY tablename, indexname"
    ).fetchall()


def _dropped_indexes(
    database: pw.Database, monkeypatch: pytest.MonkeyPatch, *, fail_create: bool = False
) -> list[str]:
    """The DROP INDEX statements the database is sent from now on; with ``fail_create`` an
    index built again fails as a full disk would."""
    dropped: list[str] = []
    original = database.execute_sql

    def watched(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if sql.startswith("DROP INDEX"):
            dropped.append(sql)
        if fail_create and sql.startswith("CREATE INDEX"):  # after the rows went in
            raise pw.OperationalError("磁盘已满")
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", watched)
    return dropped


def test_a_failed_large_import_on_postgresql_keeps_its_indexes(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search and sort indexes a large import drops are back, unchanged, when it fails."""
    path = _real_roster(tmp_path / "花名册.xlsx")
    database = open_database(pg_url)
    _park()
    before = _pg_indexes(database)
    assert any(table == "member" and "gin" in sql for table, _name, sql in before)
    monkeypatch.setattr(imp, "DEFER_INDEXES_FROM", 1)
    plan = imp.plan_file(path)
    dropped = _dropped_indexes(database, monkeypatch, fail_create=True)
    with pytest.raises(pw.OperationalError, match="磁盘已满"):
        imp.apply(plan, database)
    monkeypatch.undo()
    assert dropped  # the large-import path was taken
    assert _pg_indexes(database) == before
    assert m.Member.select().count() == 0
    close_database()


def test_a_large_import_on_postgresql_does_not_wait_for_another_session(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session reading the roster keeps the indexes in place: the import neither waits
    for it nor drops anything, and every row is stored."""
    import psycopg2

    path = _real_roster(tmp_path / "花名册.xlsx")
    database = open_database(pg_url)
    _park()
    before = _pg_indexes(database)
    other = psycopg2.connect(pg_url)
    try:
        with other.cursor() as cursor:  # an open transaction that has read the table
            cursor.execute('SELECT COUNT(*) FROM "member"')
        monkeypatch.setattr(imp, "DEFER_INDEXES_FROM", 1)
        dropped = _dropped_indexes(database, monkeypatch)
        written = imp.apply(imp.plan_file(path), database).written
    finally:
        other.close()
    assert written == 16 and not dropped
    assert _pg_indexes(database) == before
    close_database()
