"""Migration 0004: a database written by the previous schema keeps every stored code with its
meaning, gets the park's vocabulary table, and its 民族 text becomes the GB/T 3304 full name,
each change in the 操作日志; values it cannot read are left exactly as they were."""

from __future__ import annotations

import json
from pathlib import Path

import peewee as pw
from playhouse.db_url import connect
from playhouse.migrations import Runner

from partybuild.domain import vocab
from partybuild.services import records
from partybuild.services.errors import ValidationError
from partybuild.store import models as m
from partybuild.store.database import (
    APPLICATION_ID,
    HISTORY_TABLE,
    MIGRATIONS_DIR,
    close_database,
    open_database,
)
from tests.exchange.conftest import person_id
from tests.store.schema import schema_diff

# (ethnicity as the old free-text field held it, education code, status) → expected ethnicity
OLD_MEMBERS = [
    ("汉", "junior", "汉族"),
    ("汉族", "postgraduate", "汉族"),
    (" 维吾尔 ", "secondary", "维吾尔族"),
    ("01", "bachelor", "汉族"),
    ("蒙族", "college", "蒙古族"),
    ("壮族。", "high_school", "壮族"),
    ("火星族", "bachelor", "火星族"),  # unknown: left as it was, refused when next saved
    (None, None, None),
]


def _old_database(target: str) -> None:
    """A database at schema 0003 with members as the previous version stored them."""
    database: pw.Database
    if "://" in target:
        database = connect(target)
    else:
        database = pw.SqliteDatabase(target)
    Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE).up(target="0003_audit")
    if "://" not in target:
        database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    p = database.param
    for n, (ethnicity, education, _) in enumerate(OLD_MEMBERS, start=1):
        database.execute_sql(
            "INSERT INTO member (created_at, updated_at, version, deleted, name, ethnicity,"
            f" id_number, education, category, status) VALUES ({', '.join([p] * 10)})",
            (
                "2023-01-01 00:00:00",
                "2023-01-01 00:00:00",
                1,
                False,
                f"老示{n}",
                ethnicity,
                person_id(n),
                education,
                "full",
                "normal",
            ),
        )
    database.close()


def test_previous_schema_is_migrated_codes_kept_and_ethnicity_normalised(db_target: str) -> None:
    target = db_target if "://" in db_target else str(Path(db_target))
    _old_database(target)
    database = open_database(target)
    assert not schema_diff(database), "migrated schema differs from the models"
    stored = {
        row.id_number: (row.ethnicity, row.education, row.status)
        for row in m.Member.select().order_by(m.Member.id)
    }
    for n, (_, education, ethnicity) in enumerate(OLD_MEMBERS, start=1):
        # 'junior' still means 初中及以下, 'postgraduate' still 研究生: no code changed meaning.
        assert stored[person_id(n)] == (ethnicity, education, "normal")
    assert vocab.EDUCATION.label("junior") == "初中及以下"
    assert vocab.EDUCATION.label("postgraduate") == "研究生"
    log = {
        e.title: json.loads(e.changes)
        for e in m.AuditEntry.select().where(m.AuditEntry.operator == "数据库升级")
    }
    assert log == {
        "老示1": [{"field": "ethnicity", "label": "民族", "old": "汉", "new": "汉族"}],
        "老示3": [{"field": "ethnicity", "label": "民族", "old": " 维吾尔 ", "new": "维吾尔族"}],
        "老示4": [{"field": "ethnicity", "label": "民族", "old": "01", "new": "汉族"}],
        "老示5": [{"field": "ethnicity", "label": "民族", "old": "蒙族", "new": "蒙古族"}],
        "老示6": [{"field": "ethnicity", "label": "民族", "old": "壮族。", "new": "壮族"}],
    }
    assert m.VocabularyItem.select().count() == 0
    # The value the migration could not read is refused, with its reason, when the record is saved.
    unknown = m.Member.get(m.Member.id_number == person_id(7))
    try:
        records.update("members", unknown.id, {"name": "老示七"}, unknown.version)
    except ValidationError as exc:
        assert "“火星族”不是 GB/T 3304 的民族名称" in exc.message()
    else:
        raise AssertionError("an unknown 民族 was saved")
    close_database()
