"""Fixtures for printing tests: a park with a training of any size, and PDFs read back with QtPdf."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from partybuild.domain.validators import make_id_number
from partybuild.services import records
from partybuild.store import models as m
from partybuild.ui.app import make_application

# Names are surname + two given characters from disjoint sets, and no surname occurs anywhere
# else on the documents: a name found in the PDF's text can only be that person's entry.
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "甲乙丙戊己庚辛壬癸春夏秋冬梅兰竹菊松柏"


def person_names(count: int, offset: int = 0) -> list[str]:
    combos = itertools.product(GIVEN, GIVEN, SURNAMES)
    names = [s + a + b for a, b, s in itertools.islice(combos, offset, offset + count)]
    assert len(set(names)) == count
    return names


@pytest.fixture(scope="session", autouse=True)
def _application(qapp: QApplication) -> QApplication:
    """The application as users get it (bundled font registered); QtPdf and painting need one."""
    return make_application()


@dataclass
class Park:
    branches: list[m.Branch]
    enterprise: m.Enterprise
    training: m.Training


def add_members(
    names: list[str], branch: m.Branch, enterprise: m.Enterprise, **fields
) -> list[int]:  # noqa: ANN003
    """Members inserted in bulk (valid ID numbers and phones), for trainings of hundreds."""
    now = dt.datetime(2023, 6, 1, 9, 0)
    start = m.Member.select().count()
    rows = []
    for i, name in enumerate(names, start=start):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=i * 13)
        rows.append(
            {
                "name": name,
                "id_number": make_id_number(f"9999{i // 1000:02d}", born, i % 1000),
                "birth_date": born,
                "phone": f"1390000{i:04d}",
                "branch": branch.id,
                "enterprise": enterprise.id,
                "category": "full",
                "status": "normal",
                "created_at": now,
                "updated_at": now,
                **fields,
            }
        )
    with m.db_proxy.obj.atomic():
        for chunk in range(0, len(rows), 200):
            m.Member.insert_many(rows[chunk : chunk + 200]).execute()
    return [
        row_id
        for (row_id,) in m.Member.select(m.Member.id)
        .where(m.Member.name.in_(names))
        .order_by(m.Member.id)
        .tuples()
    ]


def expect(training: m.Training, member_ids: list[int], status: str = "expected") -> None:
    now = dt.datetime(2023, 6, 1, 9, 0)
    rows = [
        {
            "training": training.id,
            "member": i,
            "status": status,
            "created_at": now,
            "updated_at": now,
        }
        for i in member_ids
    ]
    with m.db_proxy.obj.atomic():
        for chunk in range(0, len(rows), 200):
            m.Attendance.insert_many(rows[chunk : chunk + 200]).execute()


@pytest.fixture
def park(sqlite_db: pw.Database) -> Park:
    one = records.create(
        "branches", {"name": "测试第一联合党支部", "kind": "joint", "secretary": "书记甲"}
    )
    two = records.create("branches", {"name": "测试第二联合党支部", "kind": "joint"})
    firm = records.create("enterprises", {"name": "恒远化工有限公司", "branch": one})
    training = records.create(
        "trainings",
        {
            "name": "2023年党员轮训（第一期）",
            "kind": "rotation",
            "start_date": dt.date(2023, 6, 20),
            "end_date": dt.date(2023, 6, 21),
            "place": "园区党群服务中心",
            "lecturer": "讲师",
            "organiser": "园区非公企业综合党委",
        },
    )
    return Park([one, two], firm, training)


def training_with(park: Park, count: int) -> list[str]:
    """Put ``count`` new members (split over two branches) on the park's training; their names."""
    names = person_names(count)
    half = count // 2
    ids = add_members(names[:half], park.branches[1], park.enterprise)
    ids += add_members(names[half:], park.branches[0], park.enterprise)
    expect(park.training, ids)
    return names


@dataclass
class Pdf:
    path: Path
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def read_pdf(path: Path) -> Pdf:
    """The text of every page, as a PDF reader extracts it."""
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    try:
        pages = [document.getAllText(i).text() for i in range(document.pageCount())]
    finally:
        document.close()
    return Pdf(path, pages)


@pytest.fixture
def pdf_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "pdf"
    folder.mkdir()
    yield folder


@pytest.fixture
def demo_db(demo: pw.Database) -> pw.Database:
    """The demo ledger (a private copy; see tests/conftest.py)."""
    return demo
