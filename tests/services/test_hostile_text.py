"""Hostile text in forms and imports: accepted text reads back identical, the rest is refused
with a clear message and nothing written — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import logging

import peewee as pw
import pytest

from partybuild.domain.validators import make_id_number
from partybuild.services import records
from partybuild.services.errors import ValidationError
from partybuild.store import models as m

ACCEPTED = [
    "学习二十大 🇨🇳🎉",
    "مرحبا\u200f右到左标记\u202e反转",
    "'; DROP TABLE member; --",
    "Robert'); DELETE FROM branch WHERE ('1'='1",
    "%_通配符_%",
    "𠀀𪚥 扩展字",
    "e\u0301 组合字符",
    '双引号"和反斜杠\\',
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_text_reads_back_identical(db: pw.Database, text: str) -> None:
    branch = records.create("branches", {"name": text, "kind": "joint", "note": text + "\n第二行"})
    fresh = m.Branch.get_by_id(branch.id)
    assert fresh.name == text and fresh.note == text + "\n第二行"
    assert m.Branch.select().count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x00b", "控制字符"),
        ("响铃\x07", "控制字符"),
        ("转义\x1b[31m", "控制字符"),
        ("长" * 256, "过长"),
        ("两行\n名称", "换行"),
    ],
)
def test_refused_text_says_why_and_writes_nothing(db: pw.Database, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        records.create("branches", {"name": text, "kind": "joint"})
    assert message in str(err.value) and "名称" in str(err.value)
    assert m.Branch.select().count() == 0


def test_very_long_longtext_is_refused_cleanly(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "甲", "kind": "joint"})
    with pytest.raises(ValidationError, match="过长"):
        records.update("branches", branch.id, {"note": "字" * 20_001}, 1)
    records.update("branches", branch.id, {"note": "字" * 20_000}, 1)
    assert len(m.Branch.get_by_id(branch.id).note) == 20_000


def test_personal_data_never_reaches_the_logs(
    db: pw.Database, caplog: pytest.LogCaptureFixture
) -> None:
    from partybuild.cli import quiet_libraries

    quiet_libraries()
    id_number = make_id_number("999999", dt.date(1980, 1, 1), 5)
    with caplog.at_level(logging.DEBUG):
        records.create(
            "members", {"name": "张示安", "id_number": id_number, "phone": "13900001111"}
        )
        with pytest.raises(ValidationError):
            records.create("members", {"name": "李示", "id_number": id_number[:-1] + "0"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert id_number[:14] not in text and "13900001111" not in text
