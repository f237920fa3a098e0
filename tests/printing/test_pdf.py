"""Printed PDFs read back as a reader would: every name once, right page counts, a header and a
footer on every page, Chinese that extracts as the characters printed, nothing outside its cell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument

from partybuild.printing import data
from partybuild.printing import layout as L
from partybuild.printing.render import write_pdf
from partybuild.services import relations
from partybuild.store import models as m
from tests.printing.conftest import Park, add_members, person_names, read_pdf, training_with
from tests.printing.test_layout import expected_pages

HEADER = ("序号", "姓名", "所属党组织 / 所在企业", "签名", "备注")
# Kangxi radicals and the CJK radicals supplement: what 一 二 示 页 … extract as when a PDF names
# its glyphs after the wrong code points.
RADICALS = re.compile("[\u2e80-\u2fdf]")


def footer(n: int, total: int) -> str:
    return f"第 {n} 页 共 {total} 页"


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (30, 2), (500, 24)])
def test_sign_in_sheet_pdf(park: Park, pdf_dir: Path, count: int, pages: int) -> None:
    names = training_with(park, count)
    document = data.training_signin(park.training.id)
    assert expected_pages(count) == pages
    path = pdf_dir / "signin.pdf"
    assert write_pdf(document, path) == pages

    pdf = read_pdf(path)
    assert len(pdf.pages) == pages
    text = pdf.text
    for name in names:
        assert text.count(name) == 1, name
    title = "2023年党员轮训（第一期）签到表"
    for n, page in enumerate(pdf.pages, start=1):
        assert title in page
        assert all(label in page for label in HEADER), n
        assert footer(n, pages) in page
    assert "时间：2023年6月20日至21日" in pdf.pages[0] and f"应到人数：{count} 人" in pdf.pages[0]
    assert RADICALS.search(text) is None
    # Blank numbered rows for walk-ins run to the end of the last page.
    last_number = 19 if pages == 1 else 19 + 21 * (pages - 1)
    assert re.search(rf"(^|\s){last_number}(\s|$)", pdf.pages[-1])
    assert not re.search(rf"(^|\s){last_number + 1}(\s|$)", pdf.pages[-1])


def test_chinese_is_embedded_and_extracts_as_written(park: Park, pdf_dir: Path) -> None:
    """Characters that are also radicals (一 二 大 示 页 …) must come back as themselves."""
    tricky = ["张一二", "王大人", "李示文"]
    expect_ids = add_members(tricky, park.branches[0], park.enterprise)
    relations.add_members(park.training.id, expect_ids)
    path = pdf_dir / "chinese.pdf"
    write_pdf(data.training_signin(park.training.id), path)
    pdf = read_pdf(path)
    for name in tricky:
        assert pdf.text.count(name) == 1
    assert "第 1 页 共 1 页" in pdf.text and RADICALS.search(pdf.text) is None
    assert b"PartybuildSansSC" in path.read_bytes()  # the bundled CJK font is embedded


def test_text_that_does_not_fit_stays_in_its_cell(park: Park, pdf_dir: Path) -> None:
    long_unit = "某某省某某市某某县经济技术开发区" * 6
    relations.add_guest(park.training.id, "来宾", long_unit)
    path = pdf_dir / "long.pdf"
    document = data.training_signin(park.training.id)
    write_pdf(document, path)
    text = read_pdf(path).pages[0]
    assert long_unit not in text and "…" in text
    start = text.index("某某省")
    end = text.index("…", start) + 1

    pdf = QPdfDocument()
    pdf.load(str(path))
    try:
        box = pdf.getSelectionAtIndex(0, start, end - start).boundingRectangle()
    finally:
        pdf.close()
    # The 所属党组织 / 所在企业 column, in points from the page's left edge.
    columns = document.tables[0].columns
    scale = L.A4_PORTRAIT.content_width / sum(c.width for c in columns)
    left_mm = L.A4_PORTRAIT.left + (columns[0].width + columns[1].width) * scale
    right_mm = left_mm + columns[2].width * scale
    pt = 72 / 25.4
    assert box.left() >= left_mm * pt - 1 and box.right() <= right_mm * pt + 1
    assert box.height() < L.SIGNIN_ROW_H * pt  # stays within its row too


def test_summary_pdf(park: Park, pdf_dir: Path) -> None:
    names = training_with(park, 40)
    rows = [a.id for a in relations.attendance_rows(park.training.id)]
    relations.set_status(rows[:30], "signed")
    relations.set_status(rows[30:33], "leave")
    relations.set_status(rows[33:35], "absent")
    path = pdf_dir / "summary.pdf"
    pages = write_pdf(data.training_summary(park.training.id), path)
    pdf = read_pdf(path)
    assert len(pdf.pages) == pages == 1
    text = pdf.text
    assert "2023年党员轮训（第一期）签到汇总" in text
    for label in ("已签到（30 人）", "请假（3 人）", "缺席（2 人）", "未签到（5 人）", "75%"):
        assert label in text
    for name in names:
        assert text.count(name) == 1


def test_roster_pdf_masks_unless_asked(park: Park, pdf_dir: Path) -> None:
    names = person_names(25)
    add_members(names, park.branches[0], park.enterprise)
    people = list(m.Member.select())
    masked = pdf_dir / "roster.pdf"
    pages = write_pdf(data.branch_roster(park.branches[0].id), masked)
    assert pages == 2  # A4 landscape: 16 rows under the header block, 19 on later pages
    pdf = read_pdf(masked)
    assert len(pdf.pages) == 2
    for n, page in enumerate(pdf.pages, start=1):
        assert (
            "测试第一联合党支部党员花名册" in page and "身份证号" in page and footer(n, 2) in page
        )
    for person in people:
        assert pdf.text.count(person.name) == 1
        assert person.id_number not in pdf.text and person.phone not in pdf.text
        assert person.id_number[-4:] in pdf.text

    unmasked = pdf_dir / "roster-full.pdf"
    write_pdf(data.branch_roster(park.branches[0].id, unmasked=True), unmasked)
    text = read_pdf(unmasked).text
    for person in people:
        assert person.id_number in text and person.phone in text


def test_demo_first_rotation_training(demo_db: object, pdf_dir: Path) -> None:
    training = m.Training.get(m.Training.name == "党的二十大精神轮训第一期")
    document = data.training_signin(training.id)
    expected = relations.attendance_rows(training.id)
    assert len(document.names) == len(expected) > 100
    path = pdf_dir / "demo.pdf"
    pages = write_pdf(document, path)
    assert pages == expected_pages(len(expected))
    text = read_pdf(path).text
    # Demo names may repeat across people; each occurs as often as it is on the list.
    for name in {row.name for row in expected}:
        assert text.count(name) == [row.name for row in expected].count(name), name
    assert RADICALS.search(text) is None
