"""Workbooks built in code, one quirk at a time, and a small registry to link them to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee as pw
import pytest
from openpyxl import Workbook

from partybuild.domain.validators import make_credit_code, make_id_number
from partybuild.services import records
from partybuild.store import models as m

CODE_A = make_credit_code("91360281MA35ABCDE")
CODE_B = make_credit_code("91360281MA35FGHJK")
BRANCH = "第一联合党支部"
FIRM = "恒远化工有限公司"


def person_id(n: int, born: dt.date = dt.date(1985, 6, 15)) -> str:
    """A valid, synthetic ID number (region 999999); odd ``n`` is a man."""
    return make_id_number("999999", born, n)


def workbook(
    path: Path, sheets: dict[str, Sequence[Sequence[Any]]], merge: Sequence[str] = ()
) -> Path:
    """A workbook with the given rows per sheet (None for an empty cell)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(list(row))
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as a person typed it
        for area in merge:
            ws.merge_cells(area)
    book.save(path)
    return path


@dataclass
class Registry:
    branch: m.Branch
    enterprise: m.Enterprise
    other_enterprise: m.Enterprise
    training: m.Training
    team: m.Team


@pytest.fixture
def registry(db: pw.Database) -> Registry:
    """A branch, two enterprises, a training and a team, on SQLite and on PostgreSQL."""
    return make_registry()


@pytest.fixture
def sqlite_registry(sqlite_db: pw.Database) -> Registry:
    return make_registry()


def make_registry() -> Registry:
    branch = records.create("branches", {"name": BRANCH, "kind": "joint"})
    firm = records.create("enterprises", {"name": FIRM, "credit_code": CODE_A, "branch": branch.id})
    other = records.create("enterprises", {"name": "瑞丰医药有限公司", "credit_code": CODE_B})
    training = records.create(
        "trainings",
        {
            "name": "党的二十大精神轮训第一期",
            "kind": "rotation",
            "start_date": dt.date(2023, 2, 16),
        },
    )
    team = records.create("teams", {"name": "恒远化工党员志愿服务队", "kind": "volunteer"})
    return Registry(branch, firm, other, training, team)


MEMBER_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "所在企业",
    "所属党组织",
    "类别",
    "入党日期",
    "联系电话",
]


def member_row(n: int, name: str = "张示安", **overrides: Any) -> list[Any]:
    """A valid member row under :data:`MEMBER_HEADER`."""
    values = {
        "序号": n,
        "姓名": name,
        "身份证号": person_id(n),
        "所在企业": FIRM,
        "所属党组织": BRANCH,
        "类别": "正式党员",
        "入党日期": dt.date(2010, 7, 1),
        "联系电话": f"1990000{n:04d}",
    }
    values.update(overrides)
    return [values[h] for h in MEMBER_HEADER]


@pytest.fixture
def ledger_db(tmp_path: Path) -> str:
    """An SQLite ledger file holding the registry, closed, for commands run on it."""
    from partybuild.store.database import close_database, open_database

    path = tmp_path / "ledger.sqlite3"
    open_database(path)
    make_registry()
    close_database()
    return str(path)
